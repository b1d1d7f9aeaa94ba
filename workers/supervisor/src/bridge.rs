//! The bridge Worker over the `BRIDGE` service binding: imports (SQL DDL,
//! OpenAPI documents) into artifacts and the hand-off layouts out of them
//! (`workers/bridge`).

use crate::error::{AppError, AppResult};
use serde_json::Value;
use worker::{Env, Headers, Method, RequestInit};

/// POSTs `request` to the bridge at `path`: its answer (200), a 422 with its
/// error (an import that could not be read), or 503.
pub(crate) async fn call(env: &Env, path: &str, request: &Value) -> AppResult<Value> {
    let fetcher = env.service("BRIDGE").map_err(|e| AppError::Unavailable(format!("binding BRIDGE: {e}")))?;
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(request.to_string().into()));
    let mut resp = fetcher
        .fetch(format!("https://bridge{path}"), Some(init))
        .await
        .map_err(|e| AppError::Unavailable(format!("the bridge: {e}")))?;
    let status = resp.status_code();
    let answer: Value = serde_json::from_str(&resp.text().await?)
        .map_err(|_| AppError::Unavailable(format!("the bridge answered HTTP {status} without JSON")))?;
    match status {
        200 => Ok(answer),
        422 => Err(AppError::ImportFailed(answer)),
        // The supervisor sent something the bridge could not read: ours to fix.
        400 => Err(AppError::Internal(format!("the bridge refused {path}: {}", answer["message"]))),
        _ => Err(AppError::Unavailable(format!("the bridge answered HTTP {status}"))),
    }
}

/// Whether the bridge answers its `/health`.
pub(crate) async fn health(env: &Env) -> Result<(), String> {
    let fetcher = env.service("BRIDGE").map_err(|e| format!("binding BRIDGE: {e}"))?;
    let resp = fetcher.fetch("https://bridge/health", None).await.map_err(|e| e.to_string())?;
    match resp.status_code() {
        200 => Ok(()),
        status => Err(format!("the bridge answered HTTP {status}")),
    }
}
