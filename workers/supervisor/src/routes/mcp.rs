//! `POST /mcp`: the Model Context Protocol server, an adapter over this API.
//! The bridge speaks the protocol (`parit_shared::mcp::step`, stateless);
//! this file authenticates the caller as `/api` does, forwards the message,
//! and performs the API reads the bridge asks for through this Worker's own
//! router, as the same caller (so tenant isolation is the API's own code), in
//! a bounded number of rounds. No second data path.
//!
//! It sits in front of the router and every request passes through its one
//! call of it: a second call site of the router (or a recursive one) made
//! the optimiser keep the router apart from `fetch`, at ~2.7 KB of gzip WASM,
//! and this Worker is at its size goal.

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::reply::json;
use crate::{auth, bridge, http, meter::Meter};
use parit_shared::api::Op;
use serde_json::{json, Value};
use worker::{Env, Headers, Method, Request, RequestInit, Response};

/// Bridge round trips per message (a tool needs two at most, resources/list two).
const ROUNDS: usize = 4;

/// An MCP message being served: the caller's app and token, what goes to
/// the bridge (the message, its headers, the answers so far) and the reads
/// still to make.
struct Exchange {
    app: App,
    token: String,
    sent: Value,
    reads: Vec<Value>,
    rounds: usize,
}

/// Every request: `POST /mcp` is served here, each of its reads and every
/// other request by the router.
pub(crate) async fn serve(
    req: Request,
    env: &Env,
    request_id: &str,
    owner: &mut Option<String>,
    meter: &Meter,
) -> AppResult<Response> {
    let mut mcp = None;
    let mut next = Some(req);
    if let Some(mut req) = next.take_if(|r| r.method() == Method::Post && r.path() == "/mcp") {
        let mut app = App::metered(env.clone(), meter.clone())?;
        app.request_id = Some(request_id.to_string());
        match auth::authenticate(&app, &req).await {
            // The transport's 401: a JSON-RPC error with no id (-32001) and the challenge.
            Err(AppError::Unauthorized(m)) => {
                let mut r = json(401, &json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32001, "message": m}}))?;
                r.headers_mut().set("www-authenticate", "Bearer realm=\"parit\"")?;
                return Ok(r);
            }
            caller => *owner = Some(caller?.owner),
        }
        let h = req.headers();
        let (token, v, m, n) =
            (h.get("authorization")?, h.get("mcp-protocol-version")?, h.get("mcp-method")?, h.get("mcp-name")?);
        let limit = http::refuse_large(&req, Op::Mcp)?;
        let message = req.text().await?;
        if message.len() > limit {
            return Err(AppError::PayloadTooLarge(limit));
        }
        let sent = json!({"message": message, "answers": [],
                          "headers": {"protocolVersion": v, "method": m, "name": n}});
        mcp = Some(Exchange { app, token: token.unwrap_or_default(), sent, reads: Vec::new(), rounds: 0 });
    }
    loop {
        let mut read = Value::Null;
        if let Some(x) = &mut mcp {
            if x.reads.is_empty() {
                x.rounds += 1;
                if x.rounds > ROUNDS {
                    return Err(AppError::Internal("an MCP request needed more rounds than allowed".into()));
                }
                let step = bridge::call(&x.app, "/mcp", &x.sent).await?;
                let Some(need) = step["need"].as_array() else {
                    let status = step["status"].as_u64().unwrap_or(500) as u16;
                    return Ok(match &step["reply"] {
                        Value::Null => Response::empty()?.with_status(status),
                        reply => json(status, reply)?,
                    });
                };
                x.reads = need.iter().rev().cloned().collect();
            }
            read = x.reads.pop().unwrap_or_default();
            let path = read["path"].as_str().unwrap_or_default();
            if !path.starts_with("/api/") {
                return Err(AppError::Internal("the bridge asked for a path outside /api".into()));
            }
            let h = Headers::new();
            h.set("authorization", &x.token)?;
            let mut init = RequestInit::new();
            if !read["body"].is_null() {
                h.set("content-type", "application/json")?;
                init.with_method(Method::Post).with_body(Some(read["body"].to_string().into()));
            }
            init.with_headers(h);
            next = Some(Request::new_with_init(&["https://parit", path].concat(), &init)?);
        }
        let Some(req) = next.take() else { return Err(AppError::Internal("no request to route".into())) };
        let routed = crate::route(req, env, request_id, owner, meter).await;
        let Some(x) = &mut mcp else { return routed };
        let mut resp = match routed {
            Ok(r) => r,
            Err(e) => e.into_response_for(Some(request_id))?,
        };
        let body: Value = serde_json::from_slice(&resp.bytes().await?).unwrap_or(Value::Null);
        read["status"] = resp.status_code().into();
        read["body"] = body;
        if let Some(answers) = x.sent["answers"].as_array_mut() {
            answers.push(read);
        }
    }
}
