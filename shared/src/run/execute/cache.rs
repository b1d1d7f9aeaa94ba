//! The model-response cache's key: the exact request a stage sends, and
//! the hash that names its cached answer.

use crate::agent::prompt;
use crate::agent::protocol::Brief;
use crate::gemini::catalogue::GenerationSettings;
use crate::gemini::GenerateContentRequest;
use crate::hash::sha256_hex;
use crate::stage::Stage;
use serde_json::Value;
use std::collections::BTreeMap;

/// The R2 key of a cached model answer: the hash of the model and the exact
/// request (prompt, schema and settings).
pub fn cache_key(model: &str, request: &GenerateContentRequest) -> String {
    let body = serde_json::to_string(request).unwrap_or_default();
    format!("cache/{}.json", sha256_hex(format!("{model}\n{body}").as_bytes()))
}

/// The exact request `stage` sends to Gemini for these inputs on `model`, and
/// its cache key: one function, so the run plan predicts a cache answer
/// exactly when execution will find one.
pub(crate) fn model_request(
    stage: Stage,
    brief: &Brief,
    upstream: &BTreeMap<Stage, Value>,
    settings: &GenerationSettings,
    model: &str,
    feedback: Option<&str>,
) -> (GenerateContentRequest, String) {
    let request = prompt::build(stage, brief, upstream, feedback).request(stage, model, settings);
    let key = cache_key(model, &request);
    (request, key)
}
