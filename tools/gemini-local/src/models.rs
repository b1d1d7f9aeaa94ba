//! The models the server offers: `models.list` (paged), `models.get` and
//! `countTokens`, from the catalogue.

use crate::wire::{error_body, unregistered};
use crate::GeminiLocal;
use parit_shared::gemini::catalogue::{ModelInfo, ModelStatus, Thinking, CATALOGUE};
use serde_json::{json, Value};

impl GeminiLocal {
    /// `models.list`: the catalogue's models that still answer and any added
    /// by `PUT /__control/models`, `pageSize` at a time (default 50, at most
    /// 1000, as Google pages it), `nextPageToken` while more remain.
    pub(crate) fn list_models(&self, query: &str) -> (u16, Value) {
        let param = |name: &str| {
            query.split('&').find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('='))).map(str::to_string)
        };
        let size = param("pageSize").and_then(|v| v.parse::<usize>().ok()).unwrap_or(50).clamp(1, 1000);
        let start = param("pageToken").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
        let extra = self.lock().extra_models.clone();
        let mut models: Vec<Value> =
            served_models().map(model_resource).filter(|m| !extra.iter().any(|e| e["name"] == m["name"])).collect();
        models.extend(extra);
        let page: Vec<Value> = models.iter().skip(start).take(size).cloned().collect();
        let mut answer = json!({ "models": page });
        if start + size < models.len() {
            answer["nextPageToken"] = json!((start + size).to_string());
        }
        (200, answer)
    }
}

/// `models/{model}:countTokens` as Google answers it
/// (<https://ai.google.dev/api/rest/v1beta/models/countTokens>, read
/// 2026-12-04): `{"generateContentRequest": {...}}` (or bare `contents`) in,
/// `{"totalTokens", "promptTokensDetails"}` out. A prompt counts as it does
/// in `generateContent` here: its request body's bytes / 4, without the
/// request's own `model` name.
pub(crate) fn count_tokens(model: &str, key: Option<String>, body: &str) -> (u16, Value) {
    if key.filter(|k| !k.is_empty()).is_none() {
        return unregistered();
    }
    if !model.starts_with("gemini-") {
        return model_not_found(model);
    }
    let invalid = |message: String| (400, error_body(400, "INVALID_ARGUMENT", &message, json!([])));
    let parsed: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return invalid(format!("Invalid JSON payload received. {e}")),
    };
    let counted = match (parsed.get("generateContentRequest"), parsed.get("contents")) {
        (Some(Value::Object(request)), _) => {
            let mut request = request.clone();
            request.remove("model");
            Value::Object(request)
        }
        (None, Some(contents @ Value::Array(_))) => json!({ "contents": contents }),
        _ => return invalid("* CountTokensRequest: contents or generateContentRequest is required.".into()),
    };
    let tokens = (counted.to_string().len() / 4) as u64;
    (200, json!({"totalTokens": tokens, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens}]}))
}

/// The catalogue's models that still answer, as `models.list` lists them.
pub(crate) fn served_models() -> impl Iterator<Item = &'static ModelInfo> {
    CATALOGUE.iter().filter(|m| !matches!(m.status, ModelStatus::ShutDown { .. }))
}

/// A `Model` resource as `GET /v1beta/models/{model}` answers it.
pub(crate) fn model_resource(m: &ModelInfo) -> Value {
    let thinking = !matches!(m.thinking, Thinking::Budget { max: 0, .. });
    json!({
        "name": format!("models/{}", m.id),
        "baseModelId": m.id,
        "version": "001",
        "displayName": m.id,
        "description": format!("{} (served by Parit's local stand-in)", m.id),
        "inputTokenLimit": 1_048_576,
        "outputTokenLimit": m.max_output_tokens,
        "supportedGenerationMethods": ["generateContent", "countTokens"],
        "temperature": 1.0,
        "maxTemperature": 2.0,
        "topP": 0.95,
        "topK": 64,
        "thinking": thinking,
    })
}

pub(crate) fn model_not_found(model: &str) -> (u16, Value) {
    let message = format!("models/{model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.");
    (404, error_body(404, "NOT_FOUND", &message, json!([])))
}
