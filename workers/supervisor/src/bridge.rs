//! The bridge Worker over the `BRIDGE` service binding (`workers/bridge`):
//! imports (SQL DDL, OpenAPI documents) into artifacts, and everything
//! rendered out of them: the views, the hand-off layouts, the export ZIP.
//! The renders live there, not here, to keep this Worker within its size goal.
//! Where the bridge's answer is already the API's (it builds the contract's
//! record whole, from what this Worker sends it), [`relay`] passes its bytes
//! on unread.

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::meter::Call;
use crate::reply::json_bytes;
use serde_json::Value;
use worker::{Headers, Method, RequestInit, Response};

/// POSTs `request` to the bridge at `path`: its answer.
async fn send(app: &App, path: &str, request: &Value) -> AppResult<Response> {
    let fetcher = app.env.service("BRIDGE").map_err(|e| AppError::Unavailable(format!("binding BRIDGE: {e}")))?;
    app.meter.count(Call::Bridge);
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(request.to_string().into()));
    fetcher
        .fetch(format!("https://bridge{path}"), Some(init))
        .await
        .map_err(|e| AppError::Unavailable(format!("the bridge: {e}")))
}

/// POSTs `request` to the bridge at `path`: the status and body.
async fn post(app: &App, path: &str, request: &Value) -> AppResult<(u16, Vec<u8>)> {
    let mut resp = send(app, path, request).await?;
    Ok((resp.status_code(), resp.bytes().await?))
}

/// The error for a bridge answer that is not a 200.
fn failure(path: &str, status: u16, body: &[u8]) -> AppError {
    let answer: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let message = || answer["message"].as_str().unwrap_or_default().to_string();
    match status {
        // An import that could not be read.
        422 => AppError::ImportFailed(answer),
        // The caller's own request, checked there (`POST /drift`).
        400 if answer["caller"] == true => AppError::BadRequest(message()),
        // What the caller asked for is not there (`POST /view`).
        404 if answer["caller"] == true => AppError::NotFound(message()),
        409 => AppError::Conflict { code: "nothing_to_compare", message: message() },
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

/// The bridge's answer to `request` at `path`, which is already the API's
/// answer: a 200's JSON goes out as it came, unread.
pub(crate) async fn relay(app: &App, path: &str, request: &Value) -> AppResult<Response> {
    Ok(json_bytes(200, bytes(app, path, request).await?)?)
}

/// The bridge's answer to `request` at `path` as bytes (the export's ZIP).
pub(crate) async fn bytes(app: &App, path: &str, request: &Value) -> AppResult<Vec<u8>> {
    match post(app, path, request).await? {
        (200, body) => Ok(body),
        (status, body) => Err(failure(path, status, &body)),
    }
}

/// The bridge's answer to `request` at `path` served as it came, headers
/// and all (one view: its body under its own media type; `http::finish`
/// adds what every answer carries).
pub(crate) async fn pass(app: &App, path: &str, request: &Value) -> AppResult<Response> {
    let mut resp = send(app, path, request).await?;
    match resp.status_code() {
        200 => Ok(resp),
        status => Err(failure(path, status, &resp.bytes().await?)),
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
