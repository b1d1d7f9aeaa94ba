//! Gemini's answer and error bodies, as every route writes them.

use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) fn usage(prompt_tokens: u64, output_chars: usize) -> Value {
    let out = (output_chars / 4) as u64;
    let thoughts = out / 8;
    json!({
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": out,
        "thoughtsTokenCount": thoughts,
        "totalTokenCount": prompt_tokens + out + thoughts,
    })
}

pub(crate) fn ok(model: &str, text: &str, finish: &str, prompt_tokens: u64) -> (u16, Value) {
    (
        200,
        json!({
            "candidates": [{
                "content": {"parts": [{"text": text}], "role": "model"},
                "finishReason": finish,
                "index": 0,
            }],
            "usageMetadata": usage(prompt_tokens, text.len()),
            "modelVersion": model,
            "responseId": format!("local-{}", SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)),
        }),
    )
}

pub(crate) fn error_body(code: u16, status: &str, message: &str, details: Value) -> Value {
    let mut error = json!({"code": code, "message": message, "status": status});
    if details.as_array().is_some_and(|d| !d.is_empty()) {
        error["details"] = details;
    }
    json!({ "error": error })
}

pub(crate) fn unregistered() -> (u16, Value) {
    (403, error_body(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", json!([])))
}
