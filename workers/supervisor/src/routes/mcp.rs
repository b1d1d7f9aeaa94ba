//! `POST /mcp`: the Model Context Protocol server, an adapter over this API.
//! The bridge speaks the protocol (`parit_shared::mcp::step`, stateless);
//! this file authenticates the caller as `/api` does, forwards the message,
//! and performs the API reads the bridge asks for through this Worker's own
//! router, as the same caller (so tenant isolation is the API's own code), in
//! a bounded number of rounds. No second data path.

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::routes::runs::MAX_ARTIFACT_BYTES;
use crate::{auth, bridge, meter::Meter};
use serde_json::{json, Value};
use std::{future::Future, pin::Pin};
use worker::{Env, Headers, Method, Request, RequestInit, Response};

/// Bridge round trips per message (a tool needs two at most, resources/list two).
const ROUNDS: usize = 4;

pub(crate) async fn serve(
    app: &App,
    env: &Env,
    request_id: &str,
    meter: &Meter,
    mut req: Request,
) -> AppResult<Response> {
    match auth::authenticate(app, &req).await {
        // The transport's 401: a JSON-RPC error body and the challenge.
        Err(AppError::Unauthorized(m)) => {
            let mut r = Response::from_json(&parit_shared::mcp::unauthorized(m))?.with_status(401);
            r.headers_mut().set("www-authenticate", "Bearer realm=\"parit\"")?;
            return Ok(r);
        }
        other => other.map(drop)?,
    }
    let token = req.headers().get("authorization")?.unwrap_or_default();
    let mut headers = serde_json::Map::new();
    for name in ["mcp-protocol-version", "mcp-method", "mcp-name"] {
        if let Some(v) = req.headers().get(name)? {
            headers.insert(name.into(), v.into());
        }
    }
    let bytes = req.bytes().await?;
    if bytes.len() > MAX_ARTIFACT_BYTES + 4096 {
        return Err(AppError::PayloadTooLarge(MAX_ARTIFACT_BYTES + 4096));
    }
    let message = String::from_utf8_lossy(&bytes);
    let mut answers = Vec::new();
    for _ in 0..ROUNDS {
        let step =
            bridge::call(app, "/mcp", &json!({"message": message, "headers": headers, "answers": answers})).await?;
        let Some(need) = step["need"].as_array() else {
            let status = step["status"].as_u64().unwrap_or(500) as u16;
            return Ok(match &step["reply"] {
                Value::Null => Response::empty()?.with_status(status),
                reply => Response::from_json(reply)?.with_status(status),
            });
        };
        for read in need {
            let (method, path) = (read["method"].as_str().unwrap_or("GET"), read["path"].as_str().unwrap_or_default());
            if !path.starts_with("/api/") || !matches!(method, "GET" | "POST") {
                return Err(AppError::Internal(format!("the bridge asked for {method} {path}")));
            }
            let h = Headers::new();
            h.set("authorization", &token)?;
            let mut init = RequestInit::new();
            init.with_method(Method::from(method.to_string()));
            if !read["body"].is_null() {
                h.set("content-type", "application/json")?;
                init.with_body(Some(read["body"].to_string().into()));
            }
            init.with_headers(h);
            let inner = Request::new_with_init(&format!("https://parit{path}"), &init)?;
            let mut owner = None;
            let routed: Pin<Box<dyn Future<Output = AppResult<Response>> + '_>> =
                Box::pin(crate::route(inner, env, request_id, &mut owner, meter));
            let mut resp = match routed.await {
                Ok(r) => r,
                Err(e) => e.into_response_for(Some(request_id))?,
            };
            let body: Value = serde_json::from_slice(&resp.bytes().await?).unwrap_or(Value::Null);
            answers.push(json!({"method": method, "path": path, "status": resp.status_code(), "body": body}));
        }
    }
    Err(AppError::Internal("an MCP request needed more rounds than allowed".into()))
}
