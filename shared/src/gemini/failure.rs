//! Every way a call can fail, classified from the real error bodies: each
//! class's disposition and status, quotas, billing stops, Google's message.

use super::{ErrorEnvelope, ErrorStatus};
use serde_json::Value;

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
pub(super) fn with_detail(text: String, detail: Option<&str>) -> String {
    match detail.map(bounded).filter(|d| !d.is_empty()) {
        Some(d) => format!("{text}: {d}"),
        None => text,
    }
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
    fn durations_parse() {
        assert_eq!(parse_duration_ms("42s"), Some(42_000));
        assert_eq!(parse_duration_ms("1.5s"), Some(1_500));
        assert_eq!(parse_duration_ms("0s"), Some(0));
        assert_eq!(parse_duration_ms("soon"), None);
        assert_eq!(parse_duration_ms("-1s"), None);
    }
}
