//! Every way a real Gemini call fails, queued on demand and answered with
//! Google's own status, wording and details.

use crate::models::model_not_found;
use crate::wire::{error_body, ok, usage};
use parit_shared::Stage;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// Every fault the server can inject: each way a real Gemini call fails.
pub const FAULT_KINDS: &[&str] = &[
    "quota_minute",
    "quota_day",
    "quota_zero",
    "internal",
    "unavailable",
    "deadline",
    "api_key_invalid",
    "permission_denied",
    "model_not_found",
    "safety",
    "recitation",
    "prompt_blocked",
    "max_tokens",
    "malformed_json",
    "schema_invalid",
    "broken_imports",
    "empty",
    "finish_other",
    "thought_only",
    "hang",
    "slow",
    "continuation",
    "prepay_depleted",
    "spend_cap",
    "stream_cut",
    "stream_stall",
    "stream_safety",
    "stream_error",
    "stream_slow",
];

/// A queued fault.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// One of [`FAULT_KINDS`].
    pub kind: String,
    /// Only requests for this stage.
    #[serde(default)]
    pub stage: Option<Stage>,
    /// Only requests whose body contains this text.
    #[serde(rename = "match", default)]
    pub matches: Option<String>,
    /// How many requests it applies to.
    #[serde(default = "one")]
    pub times: u32,
    /// `RetryInfo.retryDelay` for `quota_minute`, e.g. "1s".
    #[serde(default)]
    pub retry_delay: Option<String>,
    /// How long `hang` waits before answering.
    #[serde(default)]
    pub hang_ms: Option<u64>,
    /// How long `slow` waits before answering normally.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// How many segments a `continuation` answer comes in (2 to 64).
    #[serde(default)]
    pub segments: Option<u32>,
    /// The HTTP status of `prepay_depleted`: 402 (today) or 429 (before
    /// Google's API update).
    #[serde(default)]
    pub status: Option<u16>,
    /// How long `stream_slow` waits before its first chunk.
    #[serde(default)]
    pub first_token_ms: Option<u64>,
    /// How fast `stream_slow` writes then.
    #[serde(default)]
    pub tokens_per_second: Option<u64>,
}

/// `stream_slow`'s pace when the fault names none.
pub(crate) const SLOW_TOKENS_PER_SECOND: u64 = 20;

fn one() -> u32 {
    1
}

pub(crate) fn take_fault(faults: &mut Vec<Fault>, stage: Option<Stage>, body: &str) -> Option<Fault> {
    let i = faults.iter().position(|f| {
        f.times > 0 && f.stage.is_none_or(|s| Some(s) == stage) && f.matches.as_deref().is_none_or(|m| body.contains(m))
    })?;
    faults[i].times -= 1;
    let fault = faults[i].clone();
    if faults[i].times == 0 {
        faults.remove(i);
    }
    Some(fault)
}

fn quota(per: &str, retry_delay: &str) -> (u16, Value) {
    let details = json!([
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
            "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
            "quotaId": format!("GenerateRequestsPer{per}PerProjectPerModel-FreeTier"),
            "quotaDimensions": {"location": "global", "model": "gemini-3.5-flash-lite"},
            "quotaValue": if per == "Day" { "250" } else { "10" },
        }]},
        {"@type": "type.googleapis.com/google.rpc.Help", "links": [{"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay},
    ]);
    let message = "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.";
    (429, error_body(429, "RESOURCE_EXHAUSTED", message, details))
}

/// A 429 for a model the key's project has no quota for at all, worded as
/// Google words it (continuedev/continue#11693, 2026-03).
fn quota_zero(model: &str) -> (u16, Value) {
    let details = json!([
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
            "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
            "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
            "quotaDimensions": {"location": "global", "model": model},
        }]},
        {"@type": "type.googleapis.com/google.rpc.Help", "links": [{"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "38s"},
    ]);
    let message = format!("You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/rate-limit. \n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: {model}\nPlease retry in 38.962214405s.");
    (429, error_body(429, "RESOURCE_EXHAUSTED", &message, details))
}

/// A frontend artifact whose entry module imports a file it does not have
/// and a package its package.json does not list: valid JSON of the right
/// shape that validation rejects, so the agent makes its repair call.
fn broken_imports(artifact: &str) -> Option<String> {
    let mut v: Value = serde_json::from_str(artifact).ok()?;
    v.get("framework")?;
    let files = v.get_mut("files")?.as_array_mut()?;
    let script =
        |f: &Value| f["path"].as_str().is_some_and(|p| [".ts", ".tsx", ".js", ".jsx"].iter().any(|e| p.ends_with(e)));
    let i = files
        .iter()
        .position(|f| f["path"].as_str().is_some_and(|p| p.ends_with("main.ts") || p.ends_with("main.tsx")))
        .or_else(|| files.iter().position(script))?;
    let content = files[i]["content"].as_str()?;
    files[i]["content"] =
        json!(format!("import {{ Chart }} from './chart';\nimport {{ format }} from 'date-fns';\n{content}"));
    Some(v.to_string())
}

/// Google's answer for a project whose prepayment credits ran out: HTTP 402
/// since its API update ("Depleted prepay credits now return HTTP 402
/// instead of 429", discuss.ai.google.dev), 429 before; no details either way.
fn prepay_depleted(status: u16) -> (u16, Value) {
    let message = "Your prepayment credits are depleted. Please go to AI Studio at https://ai.studio/projects to manage your project and billing. Learn more at https://ai.google.dev/gemini-api/docs/billing#prepay.";
    (status, error_body(status, "RESOURCE_EXHAUSTED", message, json!([])))
}

/// A 429 for a billing account past its monthly spending cap, worded as
/// reported (docs/research/gemini-2026-12-06.md, *Spend-based limits*).
fn spend_cap() -> (u16, Value) {
    let message = "Your billing account has exceeded its monthly spending cap. Please go to AI Studio at https://aistudio.google.com to manage your billing. Learn more at https://ai.google.dev/gemini-api/docs/billing.";
    (429, error_body(429, "RESOURCE_EXHAUSTED", message, json!([])))
}

pub(crate) fn inject(f: &Fault, model: &str, artifact: &str, prompt_tokens: u64) -> (u16, Value) {
    match f.kind.as_str() {
        "prepay_depleted" => prepay_depleted(if f.status == Some(429) { 429 } else { 402 }),
        "spend_cap" => spend_cap(),
        "quota_zero" => quota_zero(model),
        "finish_other" => (200, json!({
            "candidates": [{"finishReason": "OTHER", "finishMessage": "Model failed to generate content due to internal error.", "index": 0}],
            "usageMetadata": usage(prompt_tokens, 0), "modelVersion": model,
        })),
        "thought_only" => (200, json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "**Planning the data model**\n\nI am working out the entities first.", "thought": true}]},
                "finishReason": "STOP", "index": 0}],
            "usageMetadata": usage(prompt_tokens, 64), "modelVersion": model,
        })),
        "quota_minute" => quota("Minute", f.retry_delay.as_deref().unwrap_or("1s")),
        "quota_day" => quota("Day", f.retry_delay.as_deref().unwrap_or("43200s")),
        "internal" => (500, error_body(500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", json!([]))),
        "unavailable" => (503, error_body(503, "UNAVAILABLE", "The model is overloaded. Please try again later.", json!([]))),
        "deadline" => (504, error_body(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", json!([]))),
        "api_key_invalid" => (400, error_body(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", json!([
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}},
            {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": "API key not valid. Please pass a valid API key."},
        ]))),
        "permission_denied" => (403, error_body(403, "PERMISSION_DENIED", "Your API key was reported as leaked. Please use another API key.", json!([]))),
        "model_not_found" => model_not_found(model),
        "safety" => (200, json!({
            "candidates": [{"finishReason": "SAFETY", "index": 0, "safetyRatings": [
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": true}]}],
            "usageMetadata": usage(prompt_tokens, 0), "modelVersion": model,
        })),
        "recitation" => (200, json!({
            "candidates": [{"finishReason": "RECITATION", "index": 0}],
            "usageMetadata": usage(prompt_tokens, 0), "modelVersion": model,
        })),
        "prompt_blocked" => (200, json!({
            "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": [
                {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH"}]},
            "usageMetadata": {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens}, "modelVersion": model,
        })),
        "max_tokens" => ok(model, &artifact[..artifact.len() / 2], "MAX_TOKENS", prompt_tokens),
        "malformed_json" => ok(model, &format!("{} ...and then I stopped", &artifact[..artifact.len() / 3]), "STOP", prompt_tokens),
        "schema_invalid" => {
            let mut v: Value = serde_json::from_str(artifact).unwrap_or(Value::Null);
            if let Some(map) = v.as_object_mut() {
                // Drop the first required property and retype the second.
                let keys: Vec<String> = map.keys().cloned().collect();
                if let Some(k) = keys.first() {
                    map.remove(k);
                }
                if let Some(k) = keys.get(1) {
                    map.insert(k.clone(), json!(42));
                }
            }
            ok(model, &v.to_string(), "STOP", prompt_tokens)
        }
        "broken_imports" => match broken_imports(artifact) {
            Some(text) => ok(model, &text, "STOP", prompt_tokens),
            None => (400, error_body(400, "INVALID_ARGUMENT", "The broken_imports fault breaks a frontend artifact: queue it with \"stage\": \"frontend\".", json!([]))),
        },
        "empty" => (200, json!({"candidates": [], "usageMetadata": usage(prompt_tokens, 0), "modelVersion": model})),
        "slow" => {
            std::thread::sleep(Duration::from_millis(f.delay_ms.unwrap_or(1_000)));
            ok(model, artifact, "STOP", prompt_tokens)
        }
        "hang" => {
            std::thread::sleep(Duration::from_millis(f.hang_ms.unwrap_or(120_000)));
            ok(model, artifact, "STOP", prompt_tokens)
        }
        _ => (500, error_body(500, "INTERNAL", "unknown fault", json!([]))),
    }
}
