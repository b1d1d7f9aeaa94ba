//! Gemini's wire format: the `generateContent` request and response, usage,
//! and the error envelope.

use super::catalogue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Request body of `POST /v1beta/models/{model}:generateContent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateContentRequest {
    /// The conversation: user turns and, for repairs, the model's earlier answer.
    pub contents: Vec<Content>,
    /// The stage's role and rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_instruction: Option<Content>,
    /// JSON mode, schema, sampling and length settings.
    pub generation_config: GenerationConfig,
    /// The token of the segment before this one, when this request asks a
    /// Gemini 4 model to go on with an answer it decoded in segments
    /// ([`CONTINUATION`]); absent on a first request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
}

/// `finishReason` of a Gemini 4 answer decoded in segments: this segment ends
/// the request, not the answer. The request is sent again with the
/// candidate's `continuationToken` until a segment ends with another reason
/// (docs/research/gemini-2026-12-06.md, *Automatic continuation*).
pub const CONTINUATION: &str = "CONTINUATION";

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Content {
    /// "user" or "model"; absent on system instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The turn's parts.
    #[serde(default)]
    pub parts: Vec<Part>,
}

impl Content {
    /// A turn with one text part.
    pub fn text(role: Option<&str>, text: impl Into<String>) -> Self {
        Self {
            role: role.map(str::to_string),
            parts: vec![Part { text: Some(text.into()), thought: None, thought_signature: None }],
        }
    }
}

/// One part of a turn (only text is used here).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    /// The text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// True on thought summaries, which are not the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thought: Option<bool>,
    /// Opaque proof of the model's thinking, to be sent back exactly as
    /// received in the next turn (ai.google.dev/gemini-api/docs/thought-signatures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thought_signature: Option<String>,
}

/// `generationConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationConfig {
    /// Always `application/json`.
    pub response_mime_type: String,
    /// The artifact's schema (see [`crate::schema::Schema::to_gemini`]).
    pub response_schema: Value,
    /// Sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Output length cap (thinking counts against it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// How much the model thinks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_config: Option<ThinkingConfig>,
}

/// `generationConfig.thinkingConfig`: a level (Gemini 3.x) or a budget in
/// tokens (2.5), never both (that is a 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThinkingConfig {
    /// `minimal`, `low`, `medium` or `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_level: Option<catalogue::ThinkingLevel>,
    /// Thinking tokens; 0 turns thinking off where the model allows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_budget: Option<u32>,
}

/// Response body of `generateContent`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateContentResponse {
    /// Candidates (one is requested).
    #[serde(default)]
    pub candidates: Vec<Candidate>,
    /// Set when the prompt itself was blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_feedback: Option<PromptFeedback>,
    /// Token accounting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_metadata: Option<UsageMetadata>,
    /// The model version that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
    /// Response id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_id: Option<String>,
}

/// One candidate answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// The answer (absent when blocked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
    /// STOP, MAX_TOKENS, SAFETY, RECITATION, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<String>,
    /// Google's explanation of an unusual finish, e.g. "Model failed to
    /// generate content due to internal error."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_message: Option<String>,
    /// Candidate index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// With finishReason [`CONTINUATION`]: what the next request sends back
    /// to get the rest of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
}

/// Feedback on the prompt.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptFeedback {
    /// SAFETY, OTHER, BLOCKLIST, PROHIBITED_CONTENT, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_reason: Option<String>,
    /// Google's explanation of the block, when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_reason_message: Option<String>,
}

/// `usageMetadata`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageMetadata {
    /// Tokens in the prompt.
    #[serde(default)]
    pub prompt_token_count: u32,
    /// Tokens in the answer.
    #[serde(default)]
    pub candidates_token_count: u32,
    /// Tokens spent thinking (billed as output).
    #[serde(default)]
    pub thoughts_token_count: u32,
    /// Prompt tokens served from the context cache (part of `prompt_token_count`).
    #[serde(default)]
    pub cached_content_token_count: u32,
    /// Sum.
    #[serde(default)]
    pub total_token_count: u32,
}

/// Token usage as Parit reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Prompt tokens.
    pub prompt_tokens: u32,
    /// Answer tokens.
    pub output_tokens: u32,
    /// Thinking tokens.
    pub thoughts_tokens: u32,
    /// Of the prompt tokens, those served from the context cache (billed at
    /// the cached rate).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cached_tokens: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Usage {
    /// Adds another call's usage.
    pub fn add(&mut self, other: Usage) {
        self.prompt_tokens += other.prompt_tokens;
        self.output_tokens += other.output_tokens;
        self.thoughts_tokens += other.thoughts_tokens;
        self.cached_tokens += other.cached_tokens;
    }

    /// Every token billed.
    pub fn total(&self) -> u64 {
        u64::from(self.prompt_tokens) + u64::from(self.output_tokens) + u64::from(self.thoughts_tokens)
    }
}

impl From<UsageMetadata> for Usage {
    fn from(u: UsageMetadata) -> Self {
        Usage {
            prompt_tokens: u.prompt_token_count,
            output_tokens: u.candidates_token_count,
            thoughts_tokens: u.thoughts_token_count,
            cached_tokens: u.cached_content_token_count.min(u.prompt_token_count),
        }
    }
}

/// Google's error envelope: `{"error": {code, message, status, details}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorStatus,
}

/// The `error` object of [`ErrorEnvelope`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorStatus {
    /// HTTP status.
    pub code: u16,
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
    /// Canonical status, e.g. RESOURCE_EXHAUSTED.
    #[serde(default)]
    pub status: String,
    /// Typed details (`@type` google.rpc.ErrorInfo, QuotaFailure, RetryInfo, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Value>,
}
