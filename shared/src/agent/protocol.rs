//! The JSON spoken between the supervisor and the agents (`POST /generate`).

use crate::gemini::catalogue::GenerationSettings;
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
    /// Which segment of an answer a Gemini 4 model decoded in segments
    /// (finishReason `CONTINUATION`) this call fetched, from 1; absent on an
    /// answer in one piece. Each segment is its own billed request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<u32>,
    /// The `thinkingConfig.thinkingLevel` the call sent, if it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_level: Option<crate::gemini::catalogue::ThinkingLevel>,
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
    /// Gemini's `RetryInfo.retryDelay`, in milliseconds, when it asked for a
    /// wait longer than the agent holds a request: the caller parks the
    /// stage this long instead of failing it.
    #[serde(default, rename = "retryAfterMs", skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
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
            error: AgentError { code: code.into(), class, message: message.into(), retryable, retry_after_ms: None },
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

/// The media type of a streamed `/generate` answer, which the supervisor asks
/// for with `Accept`: one JSON object a line, `{"progress": CallProgress}`
/// while the model writes, then `{"status": <HTTP status>, "answer": <the
/// success or failure body>}` last. A stream that ends without that line was
/// cut.
pub const PROGRESS_STREAM: &str = "application/x-ndjson";

/// How far a stage's generation has got: a line of a streamed `/generate`,
/// and (with its stage) a `progress` event of the project's event stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallProgress {
    /// Counts the texts the generation has started: a retry or the repair
    /// starts a new one (a viewer drops what it has), a further segment of
    /// an answer decoded in segments does not. A retried segment's attempt
    /// begins with the earlier segments' text, so the text is always whole.
    pub attempt: u32,
    /// Generation or repair.
    pub kind: Option<CallKind>,
    /// The segment being written, from 1.
    pub segment: u32,
    /// Answer tokens of this attempt so far.
    pub output_tokens: u32,
    /// Thinking tokens of this attempt so far (shown as thinking, never as answer).
    pub thought_tokens: u32,
    /// Whether the answer's count is estimated from characters: Google may
    /// report running counts on any chunk, or only with the last.
    pub estimated: bool,
    /// Answer text (never thoughts) appended since the last progress.
    pub delta: String,
    /// Since this attempt started.
    pub elapsed_ms: u64,
    /// Every token the generation has been billed for so far, the call being
    /// written included as far as it is known: what a cancelled stage records.
    pub billed: Usage,
}

impl GenerateFailure {
    /// A generation that stopped before its answer: its caller cancelled
    /// it, or the agent's stream broke off. `last` is the last progress
    /// seen (`CallProgress` as JSON): the call is recorded as billed what it
    /// said, of the kind it said.
    pub fn interrupted(code: &str, message: String, retryable: bool, last: &Value, latency_ms: u64) -> Self {
        let billed: Usage = serde_json::from_value(last["billed"].clone()).unwrap_or_default();
        let call = CallRecord {
            kind: serde_json::from_value(last["kind"].clone()).unwrap_or(CallKind::Generate),
            attempt: last["attempt"].as_u64().map_or(1, |n| n as u32),
            outcome: CallOutcome::Failed,
            error_class: None,
            message: Some(format!("{message}; about {} tokens were billed", billed.total())),
            usage: billed,
            latency_ms,
            retry_delay_ms: None,
            model_version: None,
            response_id: None,
            segment: None,
            thinking_level: None,
        };
        let mut failure = Self::before_call(code, None, message, retryable);
        failure.usage = billed;
        failure.attempts = 1;
        failure.calls = vec![call];
        failure
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
    /// Whether `GEMINI_BASE_URL` points elsewhere than Google's API: a
    /// stand-in such as the local server, which answers with example products.
    #[serde(default)]
    pub stand_in: bool,
    /// What `GET /v1beta/models/{model}` said of the default model (checked
    /// with the key, cached for minutes); `None` without a key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_check: Option<ModelCheck>,
}

crate::label_enum! {
    /// Whether the Gemini API serves a model to this key.
    pub enum ModelCheck {
        /// The model answers.
        Ok = "ok",
        /// No such model (or it was shut down).
        NotFound = "not_found",
        /// The key is not valid, or not allowed.
        KeyInvalid = "key_invalid",
        /// The key's project has no quota for it.
        NoQuota = "no_quota",
        /// The API could not be reached or answered something else.
        Unreachable = "unreachable",
    }
}

impl ModelCheck {
    /// Reads a `models.get` answer: its HTTP status and body.
    pub fn from_answer(status: u16, body: &str) -> ModelCheck {
        use crate::gemini::{classify_error, FailureClass::*};
        if status == 200 {
            return ModelCheck::Ok;
        }
        match classify_error(status, body).class {
            ModelNotFound => ModelCheck::NotFound,
            ApiKeyInvalid | PermissionDenied => ModelCheck::KeyInvalid,
            NoQuota | QuotaPerDay => ModelCheck::NoQuota,
            _ => ModelCheck::Unreachable,
        }
    }

    /// What an operator does about it.
    pub fn advice(self) -> &'static str {
        match self {
            ModelCheck::Ok => "",
            ModelCheck::NotFound => "the model is not served: choose a current one (see the model catalogue)",
            ModelCheck::KeyInvalid => "the API key is not valid: set it again with scripts/set-secrets.sh",
            ModelCheck::NoQuota => "the key's project has no quota for the model: enable billing or choose another",
            ModelCheck::Unreachable => "the Gemini API could not be reached",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_check_reads_googles_answers() {
        let err = |code: u16, status: &str, details: &str, message: &str| {
            format!(
                r#"{{"error": {{"code": {code}, "message": "{message}", "status": "{status}", "details": {details}}}}}"#
            )
        };
        assert_eq!(ModelCheck::from_answer(200, r#"{"name": "models/gemini-3.5-flash-lite"}"#), ModelCheck::Ok);
        let missing = err(404, "NOT_FOUND", "[]", "models/gemini-2.5-flash is not found for API version v1beta");
        assert_eq!(ModelCheck::from_answer(404, &missing), ModelCheck::NotFound);
        let key = err(
            400,
            "INVALID_ARGUMENT",
            r#"[{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]"#,
            "API key not valid. Please pass a valid API key.",
        );
        assert_eq!(ModelCheck::from_answer(400, &key), ModelCheck::KeyInvalid);
        let zero = err(429, "RESOURCE_EXHAUSTED", "[]", "Quota exceeded for metric: x, limit: 0, model: y");
        assert_eq!(ModelCheck::from_answer(429, &zero), ModelCheck::NoQuota);
        assert_eq!(ModelCheck::from_answer(503, "<html>"), ModelCheck::Unreachable);
        assert!(ModelCheck::NotFound.advice().contains("current"));
    }
}
