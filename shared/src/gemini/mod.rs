//! Gemini `generateContent` wire types and the classification of every way a
//! call can fail, from the real response shapes (docs/ARCHITECTURE.md, *Crates*: `gemini`).

pub mod catalogue;
pub mod cost;
pub mod served;
pub mod stream;

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

/// How the caller should react to a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Retrying cannot help.
    FailFast,
    /// Retry after the server's stated delay.
    RetryAfter,
    /// Retry with exponential backoff and jitter.
    Backoff,
}

crate::label_enum! {
    /// Every way a model call can fail.
    pub enum FailureClass {
        /// 400 INVALID_ARGUMENT (bad request or schema).
        InvalidArgument = "invalid_argument",
        /// 400 with ErrorInfo reason API_KEY_INVALID.
        ApiKeyInvalid = "api_key_invalid",
        /// No key is configured for the agent.
        MissingApiKey = "missing_api_key",
        /// 403 PERMISSION_DENIED.
        PermissionDenied = "permission_denied",
        /// 404 NOT_FOUND (unknown model).
        ModelNotFound = "model_not_found",
        /// 429 RESOURCE_EXHAUSTED on a per-minute quota.
        QuotaPerMinute = "quota_per_minute",
        /// 429 RESOURCE_EXHAUSTED on a per-day quota.
        QuotaPerDay = "quota_per_day",
        /// 429 RESOURCE_EXHAUSTED whose limit is 0: the key's project has no
        /// quota for the model at all (no free tier for it, no billing), so
        /// no wait helps.
        NoQuota = "no_quota",
        /// 402, or 429 RESOURCE_EXHAUSTED, for money rather than rate: the
        /// project's prepayment credits are used up, or it reached its spend
        /// cap. No wait helps; a person must top up or raise the cap.
        Billing = "billing",
        /// 500 INTERNAL.
        Internal = "internal",
        /// 503 UNAVAILABLE.
        Unavailable = "unavailable",
        /// 504 DEADLINE_EXCEEDED.
        DeadlineExceeded = "deadline_exceeded",
        /// No answer within the client's timeout.
        Timeout = "timeout",
        /// The connection failed.
        Transport = "transport",
        /// finishReason SAFETY.
        Safety = "safety",
        /// finishReason RECITATION.
        Recitation = "recitation",
        /// promptFeedback.blockReason set.
        PromptBlocked = "prompt_blocked",
        /// finishReason MAX_TOKENS: the JSON was cut off.
        MaxTokens = "max_tokens",
        /// An answer that did not say it was finished: a finishReason Parit
        /// does not know to be an end (an unknown one, or none), so its text
        /// may be cut off. Retried, never accepted.
        Unfinished = "unfinished",
        /// No candidate or no answer text (transient: retried).
        EmptyCandidates = "empty_candidates",
        /// Output that did not parse or validate, even after repair.
        InvalidOutput = "invalid_output",
        /// Any other upstream answer.
        Unknown = "unknown",
    }
}

impl FailureClass {
    /// What the retry loop does with this class.
    pub fn disposition(self) -> Disposition {
        use FailureClass::*;
        match self {
            QuotaPerMinute => Disposition::RetryAfter,
            // An empty answer (finishReason OTHER "Model failed to generate
            // content due to internal error.", an unknown reason without text,
            // only an empty or a thought part) is Google failing, not the prompt.
            Internal | Unavailable | DeadlineExceeded | Timeout | Transport | Unknown | EmptyCandidates
            | Unfinished => Disposition::Backoff,
            _ => Disposition::FailFast,
        }
    }

    /// The HTTP status for a stage that failed this way, from the agent and
    /// from the supervisor alike: 429 out of quota; 402 out of money (credits
    /// or spend cap); 422 what the request
    /// asked for cannot be answered as asked (blocked, cut off, invalid, or a
    /// model that does not exist: the project's settings can fix it); 503
    /// Google failing for now, or no key configured yet; 502 Google refused
    /// the deployment's key, its access or the request.
    pub fn http_status(self) -> u16 {
        use FailureClass::*;
        match self {
            QuotaPerMinute | QuotaPerDay | NoQuota => 429,
            Billing => 402,
            Safety | Recitation | PromptBlocked | MaxTokens | InvalidOutput | ModelNotFound => 422,
            Internal | Unavailable | DeadlineExceeded | Timeout | Transport | Unknown | EmptyCandidates
            | Unfinished | MissingApiKey => 503,
            InvalidArgument | ApiKeyInvalid | PermissionDenied => 502,
        }
    }

    /// Whether trying the stage again later may succeed without a change.
    pub fn retryable_later(self) -> bool {
        self.disposition() != Disposition::FailFast
    }
}

/// A classified model-call failure. Its message never contains the API key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{class}: {message}")]
pub struct ModelFailure {
    /// The class.
    pub class: FailureClass,
    /// What happened, for people.
    pub message: String,
    /// The server's `RetryInfo.retryDelay`, in milliseconds.
    pub retry_after_ms: Option<u64>,
}

impl ModelFailure {
    /// A failure of `class` with `message`.
    pub fn new(class: FailureClass, message: impl Into<String>) -> Self {
        Self { class, message: message.into(), retry_after_ms: None }
    }
}

/// Parses a protobuf Duration string such as `"42s"` or `"1.5s"` into milliseconds.
pub fn parse_duration_ms(text: &str) -> Option<u64> {
    let secs: f64 = text.trim().strip_suffix('s')?.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| (secs * 1000.0).round() as u64)
}

/// Classifies a non-2xx HTTP answer from Gemini by its status and body.
pub fn classify_error(http_status: u16, body: &str) -> ModelFailure {
    let Ok(ErrorEnvelope { error }) = serde_json::from_str::<ErrorEnvelope>(body) else {
        if http_status == 402 {
            return ModelFailure::new(FailureClass::Billing, billing_advice(BillingStop::Prepayment, "HTTP 402"));
        }
        let class = match http_status {
            429 => FailureClass::QuotaPerMinute,
            500 => FailureClass::Internal,
            502 | 503 => FailureClass::Unavailable,
            504 => FailureClass::DeadlineExceeded,
            404 => FailureClass::ModelNotFound,
            403 => FailureClass::PermissionDenied,
            400 => FailureClass::InvalidArgument,
            _ => FailureClass::Unknown,
        };
        return ModelFailure::new(class, format!("HTTP {http_status} without an error body"));
    };
    let detail = |t: &'static str| {
        error.details.iter().filter(move |d| d.get("@type").and_then(Value::as_str).is_some_and(|ty| ty.ends_with(t)))
    };
    let reason_is = |r: &str| detail("google.rpc.ErrorInfo").any(|d| d["reason"] == r);
    if let Some(stop) = billing_stop(http_status, &error) {
        let google = format!("{} ({})", bounded(&error.message), error.status);
        return ModelFailure::new(FailureClass::Billing, billing_advice(stop, &google));
    }
    let class = match error.status.as_str() {
        "INVALID_ARGUMENT" | "UNAUTHENTICATED" if reason_is("API_KEY_INVALID") => FailureClass::ApiKeyInvalid,
        "INVALID_ARGUMENT" | "FAILED_PRECONDITION" => FailureClass::InvalidArgument,
        "UNAUTHENTICATED" => FailureClass::ApiKeyInvalid,
        "PERMISSION_DENIED" => FailureClass::PermissionDenied,
        "NOT_FOUND" => FailureClass::ModelNotFound,
        "RESOURCE_EXHAUSTED" => {
            let per_day = detail("google.rpc.QuotaFailure").any(|d| {
                d["violations"]
                    .as_array()
                    .is_some_and(|vs| vs.iter().any(|v| v["quotaId"].as_str().is_some_and(|q| q.contains("PerDay"))))
            }) || error.message.to_lowercase().contains("per day");
            if quota_is_zero(&error) {
                FailureClass::NoQuota
            } else if per_day {
                FailureClass::QuotaPerDay
            } else {
                FailureClass::QuotaPerMinute
            }
        }
        "INTERNAL" => FailureClass::Internal,
        "UNAVAILABLE" => FailureClass::Unavailable,
        "DEADLINE_EXCEEDED" => FailureClass::DeadlineExceeded,
        _ => match http_status {
            429 => FailureClass::QuotaPerMinute,
            500..=599 => FailureClass::Internal,
            _ => FailureClass::Unknown,
        },
    };
    let retry_after_ms =
        detail("google.rpc.RetryInfo").find_map(|d| d["retryDelay"].as_str().and_then(parse_duration_ms));
    let mut message = if error.message.is_empty() {
        format!("HTTP {http_status} {}", error.status)
    } else {
        format!("{} ({})", bounded(&error.message), error.status)
    };
    // Which quota ran out (`QuotaFailure.violations[].quotaId`, e.g.
    // "GenerateRequestsPerDayPerProjectPerModel-FreeTier"): the message alone
    // says only "You exceeded your current quota".
    let quotas: Vec<String> = detail("google.rpc.QuotaFailure")
        .flat_map(|d| d["violations"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| {
            let id = v["quotaId"].as_str()?;
            Some(match v["quotaValue"].as_str() {
                Some(limit) => format!("{id}, limit {limit}"),
                None => id.to_string(),
            })
        })
        .filter(|q| !message.contains(q.as_str()))
        .collect();
    if !quotas.is_empty() {
        message = format!("{message}; quota: {}", quotas.join("; "));
    }
    if class == FailureClass::NoQuota {
        message = format!(
            "the API key's Google Cloud project has no quota for this model (limit: 0): enable billing for that project, or choose a model with free-tier quota. Google said: {message}"
        );
    }
    ModelFailure { class, message, retry_after_ms }
}

/// Why Google stopped a call for money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingStop {
    /// The project's prepayment credits are used up.
    Prepayment,
    /// The project reached a spend cap it set (per ten minutes or per month).
    SpendCap,
}

/// Whether an error answer is a billing stop rather than a rate limit: any
/// 402, or a RESOURCE_EXHAUSTED whose message or `ErrorInfo` speaks of
/// prepayment credits or of a spend cap. Both come as 429 as well as 402
/// (docs/research/gemini-2026-12-06.md, *Billing errors*), so the status alone
/// cannot tell them from a per-minute quota, and waiting never helps.
pub fn billing_stop(http_status: u16, error: &ErrorStatus) -> Option<BillingStop> {
    // A 403 BILLING_DISABLED and the like are access, not money run out.
    if http_status != 402 && error.status != "RESOURCE_EXHAUSTED" {
        return None;
    }
    let message = error.message.to_lowercase();
    let reasons: Vec<String> =
        error.details.iter().filter_map(|d| d["reason"].as_str()).map(|r| r.to_ascii_uppercase()).collect();
    let spend = ["spend cap", "spending cap", "spend limit", "spending limit"].iter().any(|w| message.contains(w))
        || reasons.iter().any(|r| r.contains("SPEND"));
    let prepay =
        ["prepayment", "prepaid", "credits are depleted", "credit balance"].iter().any(|w| message.contains(w))
            || reasons.iter().any(|r| r.contains("PREPAY") || r.contains("CREDITS"));
    if spend {
        Some(BillingStop::SpendCap)
    } else if prepay || http_status == 402 {
        Some(BillingStop::Prepayment)
    } else {
        None
    }
}

/// Where a person manages a Gemini API project's billing, its credits and
/// its spend caps: the address Google's own 402 names ("Please go to AI
/// Studio at https://ai.studio/projects to manage your project and
/// billing"; docs/research/gemini-2026-12-06.md, *Billing errors*).
pub const BILLING_URL: &str = "https://ai.studio/projects";

/// What a person does about a billing stop, then Google's own words.
fn billing_advice(stop: BillingStop, google: &str) -> String {
    let what = match stop {
        BillingStop::Prepayment => {
            "the Gemini API project's prepayment credits are used up: top up its credits in AI Studio"
        }
        BillingStop::SpendCap => {
            "the Gemini API project reached its spend cap: raise the cap in AI Studio, or wait for its period to end"
        }
    };
    format!("{what} ({BILLING_URL}), then resume; retrying before that cannot help. Google said: {google}")
}

/// Whether a RESOURCE_EXHAUSTED answer says the quota itself is 0, in any of
/// the forms Google uses: "limit: 0" in the message (free tier), a
/// `QuotaFailure` violation with `quotaValue` "0", or `ErrorInfo` metadata
/// `quota_limit_value` "0" (the older form).
fn quota_is_zero(error: &ErrorStatus) -> bool {
    let in_message = error
        .message
        .match_indices("limit: 0")
        .any(|(at, m)| !error.message[at + m.len()..].starts_with(|c: char| c.is_ascii_digit() || c == '.'));
    in_message
        || error.details.iter().any(|d| {
            d["metadata"]["quota_limit_value"] == "0"
                || d["violations"].as_array().is_some_and(|vs| vs.iter().any(|v| v["quotaValue"] == "0"))
        })
}

/// Most characters of Google's own words kept in a failure message.
pub const MAX_MESSAGE_CHARS: usize = 800;

/// Google's message whole, on one line, at most [`MAX_MESSAGE_CHARS`]: its
/// later sentences name the field, quota or model at fault ("limit: 0,
/// model: …"), so they are kept rather than cut at the first full stop.
fn bounded(message: &str) -> String {
    let line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line,
    }
}

/// `text`, followed by Google's explanation when it gave one.
fn with_detail(text: String, detail: Option<&str>) -> String {
    match detail.map(bounded).filter(|d| !d.is_empty()) {
        Some(d) => format!("{text}: {d}"),
        None => text,
    }
}

/// The usable part of a successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelAnswer {
    /// The JSON text (thought parts removed).
    pub text: String,
    /// The model's turn as received, thought parts and signatures included:
    /// what a repair turn sends back.
    pub content: Content,
    /// Tokens used.
    pub usage: Usage,
    /// Set when the answer is one segment of a longer one
    /// (finishReason [`CONTINUATION`]): the token that asks for the next.
    pub continuation: Option<String>,
}

/// Interprets a 200 answer: the text, or why there is no usable text. Usage is
/// returned either way, because blocked and truncated answers are billed too.
pub fn interpret_response(resp: &GenerateContentResponse) -> Result<ModelAnswer, (ModelFailure, Usage)> {
    let usage: Usage = resp.usage_metadata.map(Usage::from).unwrap_or_default();
    let fail = |class, msg: String| Err((ModelFailure::new(class, msg), usage));
    if let Some(feedback) = resp.prompt_feedback.as_ref().filter(|f| f.block_reason.is_some()) {
        let reason = feedback.block_reason.as_deref().unwrap_or_default();
        let text = format!("the prompt was blocked ({reason})");
        return fail(FailureClass::PromptBlocked, with_detail(text, feedback.block_reason_message.as_deref()));
    }
    let Some(candidate) = resp.candidates.first() else {
        return fail(FailureClass::EmptyCandidates, "the model returned no candidates".into());
    };
    let text: String = candidate
        .content
        .iter()
        .flat_map(|c| c.parts.iter())
        .filter(|p| p.thought != Some(true))
        .filter_map(|p| p.text.as_deref())
        .collect();
    let detail = candidate.finish_message.as_deref();
    match candidate.finish_reason.as_deref() {
        Some("SAFETY") | Some("PROHIBITED_CONTENT") | Some("BLOCKLIST") | Some("SPII") => {
            return fail(FailureClass::Safety, with_detail("the answer was withheld by safety filters".into(), detail))
        }
        Some("RECITATION") => {
            let text = "the answer was withheld for reciting existing material".into();
            return fail(FailureClass::Recitation, with_detail(text, detail));
        }
        Some("MAX_TOKENS") => {
            // Thinking counts against maxOutputTokens: say which used it up.
            let spent_on =
                if usage.thoughts_tokens > usage.output_tokens { "mostly thinking" } else { "mostly answer" };
            let text = format!(
                "the answer hit the output token limit after {} answer and {} thinking tokens ({spent_on}) and was cut off; raise maxOutputTokens",
                usage.output_tokens, usage.thoughts_tokens
            );
            return fail(FailureClass::MaxTokens, with_detail(text, detail));
        }
        Some(CONTINUATION) => {
            // One segment of a longer answer: its text may be empty (a segment
            // spent thinking), but without the token the rest is out of reach.
            let Some(token) = candidate.continuation_token.clone().filter(|t| !t.is_empty()) else {
                let text = "the answer was cut into segments (finishReason CONTINUATION) without a continuationToken";
                return fail(FailureClass::Unfinished, text.into());
            };
            let content = candidate.content.clone().unwrap_or_else(|| Content::text(Some("model"), text.clone()));
            return Ok(ModelAnswer { text, content, usage, continuation: Some(token) });
        }
        _ => {}
    }
    if text.trim().is_empty() {
        let reason = candidate.finish_reason.as_deref().unwrap_or("none");
        let text = format!("the model returned an empty answer (finishReason {reason})");
        return fail(FailureClass::EmptyCandidates, with_detail(text, detail));
    }
    // Only STOP says the answer is whole. Text that ends any other way (a
    // reason this client does not know, or none) may be cut off: it is never
    // taken for an artifact, and never sent to a paid repair.
    if candidate.finish_reason.as_deref() != Some("STOP") {
        let reason = candidate.finish_reason.as_deref().unwrap_or("none");
        let text = format!("the answer ended with finishReason {reason}, which does not say it is finished");
        return fail(FailureClass::Unfinished, with_detail(text, detail));
    }
    let content = candidate.content.clone().unwrap_or_else(|| Content::text(Some("model"), text.clone()));
    Ok(ModelAnswer { text, content, usage, continuation: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(status: &str, code: u16, details: Value, message: &str) -> String {
        json!({"error": {"code": code, "message": message, "status": status, "details": details}}).to_string()
    }

    #[test]
    fn per_minute_quota_carries_retry_delay() {
        let b = body(
            "RESOURCE_EXHAUSTED",
            429,
            json!([
                {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
                    {"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                     "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "17s"}
            ]),
            "You exceeded your current quota, please check your plan and billing details. For more information...",
        );
        let f = classify_error(429, &b);
        assert_eq!(f.class, FailureClass::QuotaPerMinute);
        assert_eq!(f.retry_after_ms, Some(17_000));
        assert_eq!(f.class.disposition(), Disposition::RetryAfter);
        assert!(f.message.starts_with("You exceeded your current quota"));
    }

    #[test]
    fn per_day_quota_fails_fast() {
        let b = body(
            "RESOURCE_EXHAUSTED",
            429,
            json!([{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
                {"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3600s"}]),
            "Quota exceeded",
        );
        let f = classify_error(429, &b);
        assert_eq!(f.class, FailureClass::QuotaPerDay);
        assert_eq!(f.class.disposition(), Disposition::FailFast);
        assert_eq!(f.class.http_status(), 429);
    }

    #[test]
    fn a_quota_of_zero_fails_fast_saying_what_to_do() {
        // As Google words it for a model without free-tier quota (continuedev/continue#11693).
        let message = "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/rate-limit. \n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: gemini-3.1-pro\nPlease retry in 38.962214405s.";
        let details = json!([
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
                {"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                 "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                 "quotaDimensions": {"location": "global", "model": "gemini-3.1-pro"}}]},
            {"@type": "type.googleapis.com/google.rpc.Help", "links": [
                {"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "38s"}
        ]);
        let f = classify_error(429, &body("RESOURCE_EXHAUSTED", 429, details, message));
        assert_eq!(f.class, FailureClass::NoQuota, "not a per-day wait: {}", f.message);
        assert_eq!(f.class.disposition(), Disposition::FailFast);
        assert!(
            f.message.starts_with(
                "the API key's Google Cloud project has no quota for this model (limit: 0): enable billing"
            ),
            "{}",
            f.message
        );
        assert!(f.message.contains("model: gemini-3.1-pro"), "{}", f.message);
        // The older form, and a structured quotaValue.
        let older = json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
            "metadata": {"quota_limit_value": "0", "quota_metric": "generativelanguage.googleapis.com/generate_content_requests"}}]);
        assert_eq!(
            classify_error(429, &body("RESOURCE_EXHAUSTED", 429, older, "Quota exceeded")).class,
            FailureClass::NoQuota
        );
        let valued =
            json!([{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaValue": "0"}]}]);
        assert_eq!(
            classify_error(429, &body("RESOURCE_EXHAUSTED", 429, valued, "Quota exceeded")).class,
            FailureClass::NoQuota
        );
        // "limit: 0" must be the whole number.
        let some = "Quota exceeded for metric: x, limit: 0.5k, model: y and limit: 05";
        assert_eq!(
            classify_error(429, &body("RESOURCE_EXHAUSTED", 429, json!([]), some)).class,
            FailureClass::QuotaPerMinute
        );
    }

    #[test]
    fn each_status_maps_to_its_class() {
        let key = body(
            "INVALID_ARGUMENT",
            400,
            json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]),
            "API key not valid. Please pass a valid API key.",
        );
        assert_eq!(classify_error(400, &key).class, FailureClass::ApiKeyInvalid);
        assert_eq!(
            classify_error(400, &body("INVALID_ARGUMENT", 400, json!([]), "bad")).class,
            FailureClass::InvalidArgument
        );
        assert_eq!(
            classify_error(403, &body("PERMISSION_DENIED", 403, json!([]), "no")).class,
            FailureClass::PermissionDenied
        );
        assert_eq!(
            classify_error(404, &body("NOT_FOUND", 404, json!([]), "models/x is not found")).class,
            FailureClass::ModelNotFound
        );
        assert_eq!(classify_error(500, &body("INTERNAL", 500, json!([]), "oops")).class, FailureClass::Internal);
        assert_eq!(
            classify_error(503, &body("UNAVAILABLE", 503, json!([]), "overloaded")).class,
            FailureClass::Unavailable
        );
        assert_eq!(
            classify_error(504, &body("DEADLINE_EXCEEDED", 504, json!([]), "slow")).class,
            FailureClass::DeadlineExceeded
        );
        assert_eq!(classify_error(502, "<html>bad gateway</html>").class, FailureClass::Unavailable);
        for c in [
            FailureClass::ApiKeyInvalid,
            FailureClass::PermissionDenied,
            FailureClass::ModelNotFound,
            FailureClass::InvalidArgument,
        ] {
            assert_eq!(c.disposition(), Disposition::FailFast, "{c}");
        }
        for c in
            [FailureClass::Internal, FailureClass::Unavailable, FailureClass::DeadlineExceeded, FailureClass::Timeout]
        {
            assert_eq!(c.disposition(), Disposition::Backoff, "{c}");
        }
    }

    #[test]
    fn googles_whole_message_reaches_the_user_bounded() {
        // A per-day free-tier 429 as Google words it: the later lines name the quota and model.
        let message = "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: gemini-3.6-flash";
        let f = classify_error(429, &body("RESOURCE_EXHAUSTED", 429, json!([]), message));
        assert!(f.message.contains("limit: 0, model: gemini-3.6-flash"), "{}", f.message);
        assert!(f.message.ends_with("(RESOURCE_EXHAUSTED)") && !f.message.contains('\n'), "{}", f.message);
        let invalid =
            "Invalid JSON payload received. Unknown name \"thinkingLevel\" at 'generation_config': Cannot find field.";
        let f = classify_error(400, &body("INVALID_ARGUMENT", 400, json!([]), invalid));
        assert!(f.message.contains("Unknown name \"thinkingLevel\""), "{}", f.message);
        let long = "x".repeat(5 * MAX_MESSAGE_CHARS);
        let f = classify_error(500, &body("INTERNAL", 500, json!([]), &long));
        assert!(f.message.chars().count() < MAX_MESSAGE_CHARS + 30, "bounded");
    }

    #[test]
    fn finish_and_block_messages_reach_the_user() {
        let fail = |v| interpret_response(&response(v)).unwrap_err().0;
        let f = fail(json!({"candidates": [{"finishReason": "OTHER",
            "finishMessage": "Model failed to generate content due to internal error."}]}));
        assert_eq!(f.class, FailureClass::EmptyCandidates);
        assert_eq!(f.class.disposition(), Disposition::Backoff, "Google failing, not the prompt: retried");
        assert!(f.message.contains("finishReason OTHER") && f.message.contains("internal error"), "{}", f.message);
        let f =
            fail(json!({"candidates": [{"content": {"parts": [{"text": ""}]}, "finishReason": "NEW_REASON_2027"}]}));
        assert_eq!(f.class, FailureClass::EmptyCandidates, "an unknown reason without text");
        let f = fail(
            json!({"candidates": [], "promptFeedback": {"blockReason": "OTHER", "blockReasonMessage": "The prompt was blocked by policy."}}),
        );
        assert!(f.message.contains("(OTHER): The prompt was blocked by policy."), "{}", f.message);
        // A thought-only answer is no answer.
        let f = fail(
            json!({"candidates": [{"content": {"parts": [{"text": "let me think", "thought": true}]}, "finishReason": "STOP"}]}),
        );
        assert_eq!(f.class, FailureClass::EmptyCandidates);
        let f = fail(json!({"candidates": [{"content": {"parts": [{"text": "{"}]}, "finishReason": "MAX_TOKENS"}],
            "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 1, "thoughtsTokenCount": 8000}}));
        assert!(f.message.contains("1 answer and 8000 thinking tokens (mostly thinking)"), "{}", f.message);
    }

    /// Google's 402 for a project whose prepayment credits ran out, as its
    /// API update announced it (discuss.ai.google.dev, "Depleted prepay
    /// credits now return HTTP 402 instead of 429"): no details at all.
    const PREPAY_DEPLETED: &str = "Your prepayment credits are depleted. Please go to AI Studio at https://ai.studio/projects to manage your project and billing. Learn more at https://ai.google.dev/gemini-api/docs/billing#prepay.";

    #[test]
    fn a_depleted_prepayment_is_a_billing_stop_as_402_and_as_429() {
        for status in [402, 429] {
            let f = classify_error(status, &body("RESOURCE_EXHAUSTED", status, json!([]), PREPAY_DEPLETED));
            assert_eq!(f.class, FailureClass::Billing, "{status}");
            assert_eq!(f.class.disposition(), Disposition::FailFast, "waiting never helps");
            assert!(!f.class.retryable_later());
            assert_eq!(f.class.http_status(), 402);
            assert!(
                f.message.starts_with("the Gemini API project's prepayment credits are used up: top up"),
                "{}",
                f.message
            );
            assert!(f.message.contains("Google said: Your prepayment credits are depleted."), "{}", f.message);
        }
        // A 402 without a body Parit can read is still money, not a rate.
        assert_eq!(classify_error(402, "<html>Payment Required</html>").class, FailureClass::Billing);
    }

    #[test]
    fn a_spend_cap_is_a_billing_stop_not_a_rate_limit() {
        // As reported for a billing account past its monthly cap.
        let message = "Your billing account has exceeded its monthly spending cap. Please go to AI Studio at https://aistudio.google.com to manage your billing. Learn more at https://ai.google.dev/gemini-api/docs/billing.";
        let f = classify_error(429, &body("RESOURCE_EXHAUSTED", 429, json!([]), message));
        assert_eq!(f.class, FailureClass::Billing);
        assert!(f.message.contains("reached its spend cap: raise the cap in AI Studio"), "{}", f.message);
        assert_eq!(
            billing_stop(
                429,
                &ErrorStatus {
                    code: 429,
                    message: "Quota exceeded".into(),
                    status: "RESOURCE_EXHAUSTED".into(),
                    details: vec![]
                }
            ),
            None
        );
        // Billing disabled on the project is access refused, not money run out.
        let disabled = json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "BILLING_DISABLED"}]);
        let f = classify_error(
            403,
            &body("PERMISSION_DENIED", 403, disabled, "This API method requires billing to be enabled."),
        );
        assert_eq!(f.class, FailureClass::PermissionDenied);
        // An ordinary per-minute 429 stays a rate limit.
        let rate = body(
            "RESOURCE_EXHAUSTED",
            429,
            json!([]),
            "You exceeded your current quota, please check your plan and billing details.",
        );
        assert_eq!(classify_error(429, &rate).class, FailureClass::QuotaPerMinute);
    }

    #[test]
    fn a_segment_of_a_long_decode_carries_its_token() {
        let segment = response(json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": "{\"a\": [1, "}]},
                "finishReason": "CONTINUATION", "continuationToken": "c2VnbWVudC0y", "index": 0}],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5}
        }));
        let a = interpret_response(&segment).unwrap();
        assert_eq!((a.text.as_str(), a.continuation.as_deref()), ("{\"a\": [1, ", Some("c2VnbWVudC0y")));
        // The request that asks for the next segment sends the token at its top level.
        let request = GenerateContentRequest {
            contents: vec![Content::text(Some("user"), "hi")],
            system_instruction: None,
            generation_config: GenerationConfig {
                response_mime_type: "application/json".into(),
                response_schema: json!({}),
                temperature: None,
                max_output_tokens: Some(1),
                thinking_config: None,
            },
            continuation_token: a.continuation,
        };
        assert_eq!(serde_json::to_value(&request).unwrap()["continuationToken"], "c2VnbWVudC0y");
        // Without its token, a segment is an unfinished answer.
        let f = interpret_response(&response(json!({"candidates": [{"content": {"parts": [{"text": "{"}]},
            "finishReason": "CONTINUATION"}]})))
        .unwrap_err()
        .0;
        assert_eq!(f.class, FailureClass::Unfinished);
    }

    #[test]
    fn text_that_does_not_say_it_is_finished_is_never_taken() {
        // Google's own recording of a finish reason this client does not know.
        for finish in [json!("FAKE_NEW_FINISH_REASON"), Value::Null] {
            let f =
                interpret_response(&response(json!({"candidates": [{"content": {"parts": [{"text": "Some text"}]},
                "finishReason": finish, "index": 0}]})))
                .unwrap_err()
                .0;
            assert_eq!(f.class, FailureClass::Unfinished, "{finish}");
            assert_eq!(f.class.disposition(), Disposition::Backoff);
        }
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration_ms("42s"), Some(42_000));
        assert_eq!(parse_duration_ms("1.5s"), Some(1_500));
        assert_eq!(parse_duration_ms("0s"), Some(0));
        assert_eq!(parse_duration_ms("soon"), None);
        assert_eq!(parse_duration_ms("-1s"), None);
    }

    fn response(v: Value) -> GenerateContentResponse {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn answers_are_interpreted() {
        let ok = response(json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "thinking...", "thought": true}, {"text": "{\"a\":"}, {"text": "1}"}]},
                "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "thoughtsTokenCount": 7, "totalTokenCount": 22},
            "modelVersion": "gemini-2.5-flash"
        }));
        let a = interpret_response(&ok).unwrap();
        assert_eq!(a.text, "{\"a\":1}");
        assert_eq!(a.usage, Usage { prompt_tokens: 10, output_tokens: 5, thoughts_tokens: 7, cached_tokens: 0 });
        assert_eq!(a.usage.total(), 22);

        let class = |v| interpret_response(&response(v)).unwrap_err().0.class;
        assert_eq!(
            class(json!({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 4}})),
            FailureClass::PromptBlocked
        );
        assert_eq!(class(json!({"candidates": [{"finishReason": "SAFETY"}]})), FailureClass::Safety);
        assert_eq!(class(json!({"candidates": [{"finishReason": "RECITATION"}]})), FailureClass::Recitation);
        assert_eq!(
            class(
                json!({"candidates": [{"content": {"parts": [{"text": "{\"a\": [1, 2"}]}, "finishReason": "MAX_TOKENS"}]})
            ),
            FailureClass::MaxTokens
        );
        assert_eq!(class(json!({"candidates": []})), FailureClass::EmptyCandidates);
        assert_eq!(
            class(json!({"candidates": [{"content": {"parts": [{"text": " "}]}, "finishReason": "STOP"}]})),
            FailureClass::EmptyCandidates
        );
        // Blocked answers are still billed.
        let (_, usage) = interpret_response(&response(
            json!({"promptFeedback": {"blockReason": "OTHER"}, "usageMetadata": {"promptTokenCount": 4}}),
        ))
        .unwrap_err();
        assert_eq!(usage.prompt_tokens, 4);
    }
}
