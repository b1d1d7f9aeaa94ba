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
//!
//! The 401 is the contract's `McpReply`, written with `ToJson`. What
//! crosses to the bridge and back are the protocol's records
//! (`mcp::Exchange` out, `mcp::Step` in), written and read here as `Value`s
//! by the small functions below, each held to its record by a native test:
//! the typed forms measured bigger on the upload (gzip) than these (the
//! exchange built with `ToJson`: +121 bytes; reading the step with serde:
//! +5.3 KiB; docs/ARCHITECTURE.md, "MCP").

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::reply::{answer, json};
use crate::{auth, bridge, http, meter::Meter};
use parit_shared::api::Op;
use parit_shared::mcp::{code, McpError, McpReply};
use serde_json::{json, Value};
use worker::{Env, Headers, Method, Request, RequestInit, Response};

/// Bridge round trips per message (a tool needs two at most, resources/list two).
const ROUNDS: usize = 4;

/// An MCP message being served: the caller's app and token, what goes to
/// the bridge (the message, its headers, the answers so far) and the reads
/// still to make.
struct Serving {
    app: App,
    token: String,
    sent: Value,
    reads: Vec<Value>,
    rounds: usize,
}

/// The transport's 401 body: an `McpReply` whose error is -32001, with no id.
fn unauthorized(message: &str) -> McpReply {
    McpReply::error(Value::Null, McpError { code: code::UNAUTHORIZED, message: message.into(), data: None })
}

/// The first round's `mcp::Exchange`: the body as received, its MCP
/// headers (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`), no answers yet.
fn exchange(message: String, version: Option<String>, method: Option<String>, name: Option<String>) -> Value {
    json!({"message": message, "answers": [], "headers": {"protocolVersion": version, "method": method, "name": name}})
}

/// What the bridge's `mcp::Step` says: the reads it needs, last first (so
/// each is popped in order), or the client's HTTP status and reply.
fn decide(step: &Value) -> Result<Vec<Value>, (u16, &Value)> {
    match step["need"].as_array() {
        Some(need) => Ok(need.iter().rev().cloned().collect()),
        None => Err((step["status"].as_u64().unwrap_or(500) as u16, &step["reply"])),
    }
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
                let mut r = answer(401, &unauthorized(m))?;
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
        let sent = exchange(message, v, m, n);
        mcp = Some(Serving { app, token: token.unwrap_or_default(), sent, reads: Vec::new(), rounds: 0 });
    }
    loop {
        let mut read = Value::Null;
        if let Some(x) = &mut mcp {
            if x.reads.is_empty() {
                x.rounds += 1;
                if x.rounds > ROUNDS {
                    return Err(AppError::Internal("an MCP request needed more rounds than allowed".into()));
                }
                x.reads = match decide(&bridge::call(&x.app, "/mcp", &x.sent).await?) {
                    Ok(reads) => reads,
                    Err((status, Value::Null)) => return Ok(Response::empty()?.with_status(status)),
                    Err((status, reply)) => return Ok(json(status, reply)?),
                };
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
        // The read becomes its `mcp::Answer`: its method and path, the status and the body.
        read["status"] = resp.status_code().into();
        read["body"] = serde_json::from_slice(&resp.bytes().await?).unwrap_or(Value::Null);
        if let Some(answers) = x.sent["answers"].as_array_mut() {
            answers.push(read);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use parit_shared::mcp::{step, Answer, Exchange, Headers, Read, Step};
    use serde_json::from_value;

    #[test]
    fn the_401_is_the_protocols_reply_with_a_null_id() {
        use parit_shared::schema::ToJson;
        let sent = unauthorized("missing bearer token").to_json();
        let error = json!({"code": -32001, "message": "missing bearer token"});
        assert_eq!(sent, json!({"jsonrpc": "2.0", "id": null, "error": error}));
    }

    #[test]
    fn the_exchange_and_its_answers_are_what_the_bridge_reads() {
        let mut sent = exchange("{}".into(), Some("2026-07-28".into()), Some("tools/call".into()), None);
        let read = Read { method: "POST".into(), path: "/api/projects/p/plan".into(), body: Some(json!({"a": 1})) };
        // A read as this file turns it into its answer.
        let mut answer = serde_json::to_value(&read).unwrap();
        answer["status"] = 200.into();
        answer["body"] = json!({"stages": []});
        sent["answers"].as_array_mut().unwrap().push(answer);
        let headers =
            Headers { protocol_version: Some("2026-07-28".into()), method: Some("tools/call".into()), name: None };
        let answers = vec![Answer { method: read.method, path: read.path, status: 200, body: json!({"stages": []}) }];
        assert_eq!(from_value::<Exchange>(sent).unwrap(), Exchange { message: "{}".into(), headers, answers });
    }

    #[test]
    fn the_step_is_read_as_the_bridge_writes_it() {
        // Reads, popped in the order asked for.
        let message = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                             "params": {"name": "list_projects", "arguments": {}}});
        let first = from_value::<Exchange>(exchange(message.to_string(), None, None, None)).unwrap();
        let asked = step(&first);
        let mut reads = decide(&serde_json::to_value(&asked).unwrap()).unwrap();
        let popped: Vec<Read> = std::iter::from_fn(|| reads.pop()).map(|r| from_value(r).unwrap()).collect();
        assert_eq!((popped.len(), popped), (1, asked.need));
        // An answer: its status and the reply as the client gets it.
        let done = Step::answer(400, Some(McpReply::error(json!(3), McpError::params("no"))));
        let wire = serde_json::to_value(&done).unwrap();
        let (status, reply) = decide(&wire).unwrap_err();
        assert_eq!((status, reply), (400, &serde_json::to_value(done.reply).unwrap()));
        // A notification's 202: no reply, so no body.
        assert_eq!(decide(&serde_json::to_value(Step::answer(202, None)).unwrap()).unwrap_err(), (202, &Value::Null));
    }
}
