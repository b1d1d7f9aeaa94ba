//! The bridge Worker over the `BRIDGE` service binding (`workers/bridge`):
//! imports (SQL DDL, OpenAPI documents) into artifacts, and everything
//! rendered out of them: the views, the hand-off layouts, the export ZIP.
//! The renders live there, not here, to keep this Worker within its size goal.

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::meter::Call;
use serde_json::Value;
use worker::{Headers, Method, RequestInit};

/// POSTs `request` to the bridge at `path`: the status and body.
async fn post(app: &App, path: &str, request: &Value) -> AppResult<(u16, Vec<u8>)> {
    let fetcher = app.env.service("BRIDGE").map_err(|e| AppError::Unavailable(format!("binding BRIDGE: {e}")))?;
    app.meter.count(Call::Bridge);
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(request.to_string().into()));
    let mut resp = fetcher
        .fetch(format!("https://bridge{path}"), Some(init))
        .await
        .map_err(|e| AppError::Unavailable(format!("the bridge: {e}")))?;
    Ok((resp.status_code(), resp.bytes().await?))
}

/// The error for a bridge answer that is not a 200.
fn failure(path: &str, status: u16, body: &[u8]) -> AppError {
    let answer: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    match status {
        // An import that could not be read.
        422 => AppError::ImportFailed(answer),
        // The caller's own request, checked there (`POST /drift`).
        400 if answer["caller"] == true => AppError::BadRequest(answer["message"].as_str().unwrap_or_default().into()),
        409 => AppError::Conflict {
            code: "nothing_to_compare",
            message: answer["message"].as_str().unwrap_or_default().into(),
        },
        // The supervisor sent something the bridge could not read: ours to fix.
        400 => AppError::Internal(format!("the bridge refused {path}: {}", answer["message"])),
        // (Logged, never sent: a D1 row that did not fit names its column here.)
        _ => AppError::Unavailable(format!("the bridge answered HTTP {status} to {path}: {}", answer["message"])),
    }
}

/// The bridge's JSON answer to `request` at `path`.
pub(crate) async fn call(app: &App, path: &str, request: &Value) -> AppResult<Value> {
    match post(app, path, request).await? {
        (200, body) => serde_json::from_slice(&body)
            .map_err(|_| AppError::Unavailable(format!("the bridge answered {path} without JSON"))),
        (status, body) => Err(failure(path, status, &body)),
    }
}

/// The bridge's answer to `request` at `path` as bytes (the export's ZIP).
pub(crate) async fn bytes(app: &App, path: &str, request: &Value) -> AppResult<Vec<u8>> {
    match post(app, path, request).await? {
        (200, body) => Ok(body),
        (status, body) => Err(failure(path, status, &body)),
    }
}

/// Whether the bridge answers its `/health`.
pub(crate) async fn health(app: &App) -> Result<(), String> {
    let fetcher = app.env.service("BRIDGE").map_err(|e| format!("binding BRIDGE: {e}"))?;
    app.meter.count(Call::Bridge);
    let resp = fetcher.fetch("https://bridge/health", None).await.map_err(|e| e.to_string())?;
    match resp.status_code() {
        200 => Ok(()),
        status => Err(format!("the bridge answered HTTP {status}")),
    }
}
