//! The JSON spoken between the supervisor and the agents (`POST /generate`).

use crate::gemini::{FailureClass, Usage};
use crate::stage::Stage;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The product a project is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    /// Project name.
    pub name: String,
    /// The idea, in the user's words.
    pub idea: String,
}

/// Model settings for one generation; `None` means the agent's default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationSettings {
    /// Gemini model id, e.g. "gemini-3.5-flash-lite".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Sampling temperature, 0 to 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Output token cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// How much the model thinks; `None` is the stage's default
    /// ([`crate::gemini::catalogue::stage_thinking`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking: Option<crate::gemini::catalogue::ThinkingLevel>,
}

/// Body of an agent's `POST /generate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerateRequest {
    /// What the product is.
    pub brief: Brief,
    /// The upstream artifacts, exactly the stage's needs, by stage.
    #[serde(default)]
    pub upstream: BTreeMap<Stage, Value>,
    /// Model settings.
    #[serde(default)]
    pub settings: GenerationSettings,
    /// Reviewer feedback or extra context for this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// Whether a model call was the first generation or the repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallKind {
    /// The first generation.
    Generate,
    /// The single repair round trip.
    Repair,
}

/// How one model call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// Usable output.
    Ok,
    /// An answer that did not parse or validate.
    Invalid,
    /// A classified failure.
    Failed,
}

/// One model call, as recorded in the supervisor's execution traces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    /// Generation or repair.
    pub kind: CallKind,
    /// 1-based attempt within its kind.
    pub attempt: u32,
    /// How it ended.
    pub outcome: CallOutcome,
    /// The failure class, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_class: Option<FailureClass>,
    /// What went wrong, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Tokens billed.
    pub usage: Usage,
    /// Wall time of the call.
    pub latency_ms: u64,
    /// The wait before the next attempt, when one followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_delay_ms: Option<u64>,
    /// The model that answered (`modelVersion`), which Google may route to
    /// another model than the one asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
    /// Google's id of the answer (`responseId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_id: Option<String>,
}

/// Successful answer of `POST /generate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateSuccess {
    /// The validated artifact.
    pub artifact: Value,
    /// Tokens over every call.
    pub usage: Usage,
    /// Model used.
    pub model: String,
    /// Model calls made.
    pub attempts: u32,
    /// Wall time of the whole generation.
    pub latency_ms: u64,
    /// Every model call.
    pub calls: Vec<CallRecord>,
}

/// The `error` object of an agent's failure answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentError {
    /// Machine-readable code (the class for model failures, or e.g. "bad_request").
    pub code: String,
    /// The failure class, when a model call failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<FailureClass>,
    /// What went wrong, for people.
    pub message: String,
    /// Whether running the stage again later may succeed unchanged.
    pub retryable: bool,
}

/// Failure answer of `POST /generate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateFailure {
    /// The error.
    pub error: AgentError,
    /// Tokens over every call (failed calls can be billed).
    #[serde(default)]
    pub usage: Usage,
    /// Model calls made.
    #[serde(default)]
    pub attempts: u32,
    /// Every model call.
    #[serde(default)]
    pub calls: Vec<CallRecord>,
}

impl GenerateFailure {
    /// A failure before any model call (bad request, missing key, ...).
    pub fn before_call(code: &str, class: Option<FailureClass>, message: impl Into<String>, retryable: bool) -> Self {
        Self {
            error: AgentError { code: code.into(), class, message: message.into(), retryable },
            usage: Usage::default(),
            attempts: 0,
            calls: Vec::new(),
        }
    }

    /// The HTTP status the agent answers with.
    pub fn http_status(&self) -> u16 {
        match self.error.class {
            Some(class) => class.http_status(),
            None => 400,
        }
    }
}

/// An agent's `GET /health` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentHealth {
    /// Worker name.
    pub agent: String,
    /// The stage it produces.
    pub stage: Stage,
    /// Default model.
    pub model: String,
    /// Whether `GEMINI_API_KEY` is set (never the key itself).
    pub key_configured: bool,
}
