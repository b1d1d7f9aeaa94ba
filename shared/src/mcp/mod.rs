//! Parit's blueprint over the Model Context Protocol: what a coding agent
//! (Claude Code, Cursor, Kiro, Spec Kit's agents…) may ask of a project
//! through `POST /mcp`, answered from the public API's own reads.
//!
//! The protocol is stateless and pure here: [`step`] takes one HTTP body
//! (a JSON-RPC message), the MCP headers that came with it and the answers
//! of the API reads made so far (an [`Exchange`]), and returns a [`Step`]:
//! either the final HTTP answer (an [`McpReply`]) or the further reads it
//! needs ([`Step::need`]). Every record that crosses a wire is declared here
//! or in `rpc.rs`, once; `api::root` re-exports the JSON-RPC ones for the
//! contract of `POST /mcp`. The bridge Worker runs it;
//! the supervisor authenticates the caller, performs each read through its
//! own router as that caller (so tenant isolation is the API's own code) and
//! calls again with the answers, a bounded number of times. No second data
//! path, no state between calls.
//!
//! Protocol facts, from the specification's own pages in the
//! `modelcontextprotocol/modelcontextprotocol` repository, read 2026-12-06:
//! * The current revision is **2026-07-28**
//!   (`docs/specification/2026-07-28/changelog.mdx`): no `initialize`
//!   handshake and no sessions; each request carries its version in
//!   `params._meta["io.modelcontextprotocol/protocolVersion"]` and in the
//!   `MCP-Protocol-Version` header; servers MUST answer `server/discover`;
//!   `ping` is gone; every result carries `resultType`; list and read results
//!   carry `ttlMs` and `cacheScope`; an unknown resource is `-32602`; an
//!   unsupported version is `-32022` with `data.supported`.
//! * Streamable HTTP, 2026-07-28 (`basic/transports/streamable-http.mdx`):
//!   one POST endpoint, one JSON-RPC message per POST (no batches); a
//!   notification is answered `202 Accepted` with no body; a request with
//!   `application/json` or an SSE stream (we always answer JSON); the
//!   `Mcp-Method` header (and `Mcp-Name` for `tools/call`, `resources/read`)
//!   must match the body, else `400` with `-32020` (HeaderMismatch); GET and
//!   DELETE on the endpoint are `405`; `Mcp-Session-Id` is ignored and never
//!   minted.
//! * Older clients (revisions 2025-03-26 to 2025-11-25,
//!   `docs/specification/2025-11-25/basic/lifecycle.mdx`) start with
//!   `initialize` / `notifications/initialized` and may `ping`; a stateless
//!   server answers those too, so both eras work (the Python SDK's `auto`
//!   mode probes `server/discover` and falls back to `initialize`).
//!   JSON-RPC batches were removed in 2025-06-18 and are refused.

mod blueprint;
mod resources;
mod rpc;
mod tools;

pub use blueprint::{find_item, trace_story, Found, ItemKind, Loaded};
pub use rpc::{code, Answer, McpError, McpMessage, McpReply, Read};
pub use tools::{tool_list, Tool, TOOLS};

use rpc::{Outcome, Reads};

use serde_json::{json, Map, Value};

/// The revision this server implements, and the older ones it also answers
/// (through the `initialize` handshake), newest first.
pub const PROTOCOL_VERSIONS: [&str; 4] = ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"];
/// The revisions without a handshake (per-request metadata).
const MODERN: &str = "2026-07-28";

/// The most reads one message may need, over all rounds (the supervisor
/// performs each through its router; this bounds what one POST can cost).
pub const MAX_READS: usize = 40;

crate::record! {
    /// The MCP headers of the HTTP request, as the supervisor forwards them.
    pub struct Headers {
        /// `MCP-Protocol-Version`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub protocol_version: Option<String>,
        /// `Mcp-Method`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub method: Option<String>,
        /// `Mcp-Name`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
    }
}

crate::record! {
    /// One round, from the supervisor to the bridge: the HTTP body as
    /// received, its MCP headers, and the answers to the reads asked for in
    /// earlier rounds.
    pub struct Exchange {
        /// The POST body, as text (it may not even be JSON).
        pub message: String,
        /// Its MCP headers.
        pub headers: Headers,
        /// Answers so far.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub answers: Vec<Answer>,
    }
}

crate::record! {
    /// What one round decided, from the bridge to the supervisor: the API
    /// reads still needed, or (when none are) the HTTP answer for the client.
    pub struct Step {
        /// Perform these reads and call again with their answers; empty once the answer is final.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub need: Vec<Read>,
        /// The HTTP status of the answer (absent while reads are needed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<u32>,
        /// The JSON-RPC reply; none for a 202 (and while reads are needed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reply: Option<McpReply>,
    }
}

impl Step {
    /// The answer for the client: its status and reply.
    pub fn answer(status: u32, reply: Option<McpReply>) -> Self {
        Step { need: Vec::new(), status: Some(status), reply }
    }

    /// The error answer to request `id`, with the status the error travels in.
    fn error(id: Value, error: McpError) -> Self {
        Step::answer(error.status(), Some(McpReply::error(id, error)))
    }
}

/// One round of the MCP server: the HTTP answer to `exchange.message`, or the
/// API reads it still needs.
pub fn step(exchange: &Exchange) -> Step {
    let message: Value = match serde_json::from_str(&exchange.message) {
        Ok(v) => v,
        Err(e) => {
            let error = McpError::new(code::PARSE_ERROR, format!("the body is not JSON: {e}"));
            return Step::error(Value::Null, error);
        }
    };
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let request = match McpMessage::read(message) {
        Err(error) => return Step::error(id, error),
        Ok(None) => return Step::answer(202, None),
        Ok(Some(request)) => request,
    };
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    let params = request.params.as_ref().and_then(Value::as_object).unwrap_or_else(|| EMPTY.get_or_init(Map::new));
    if let Err(error) = check_version(&request.method, params, &exchange.headers) {
        return Step::error(id, error);
    }
    if exchange.answers.len() > MAX_READS {
        return Step::error(id, McpError::new(code::INTERNAL_ERROR, "the request needed too many reads"));
    }
    let mut reads = Reads { answers: &exchange.answers, missing: Vec::new() };
    match dispatch(&request.method, params, &mut reads) {
        Err(error) => Step::error(id, error),
        Ok(Outcome::Need(need)) => Step { need, status: None, reply: None },
        Ok(Outcome::Done(mut result)) => {
            if let Value::Object(fields) = &mut result {
                fields.insert("resultType".into(), json!("complete"));
                fields.insert("_meta".into(), json!({"io.modelcontextprotocol/serverInfo": server_info()}));
            }
            Step::answer(200, Some(McpReply::result(id, result)))
        }
    }
}

/// The version the request asks for is one spoken here, and, for the
/// 2026-07-28 revision, the `Mcp-Method` / `Mcp-Name` headers match the body.
fn check_version(method: &str, params: &Map<String, Value>, headers: &Headers) -> Result<(), McpError> {
    let in_meta = params.get("_meta").and_then(|m| m.get("io.modelcontextprotocol/protocolVersion"));
    let asked = in_meta.and_then(Value::as_str).or(headers.protocol_version.as_deref());
    // `initialize` negotiates its own version (below); others must ask for one we speak.
    if let Some(version) = asked.filter(|_| method != "initialize") {
        if !PROTOCOL_VERSIONS.contains(&version) {
            let mut error = McpError::new(
                code::UNSUPPORTED_PROTOCOL_VERSION,
                format!("protocol version \"{}\" is not supported", version.chars().take(40).collect::<String>()),
            );
            error.data = Some(json!({"supported": PROTOCOL_VERSIONS, "requested": version}));
            return Err(error);
        }
    }
    if headers.protocol_version.as_deref() != Some(MODERN) {
        return Ok(());
    }
    let mismatch = |m: String| Err(McpError::new(code::HEADER_MISMATCH, m));
    match headers.method.as_deref() {
        Some(m) if m == method => {}
        Some(m) => {
            return mismatch(format!("Header mismatch: Mcp-Method \"{}\" does not match body \"{method}\"", short(m)))
        }
        None => return mismatch("Header mismatch: the Mcp-Method header is missing".into()),
    }
    let named = match method {
        "tools/call" => params.get("name"),
        "resources/read" => params.get("uri"),
        _ => None,
    };
    if let Some(body) = named.and_then(Value::as_str) {
        match headers.name.as_deref().map(decode_header) {
            Some(Some(h)) if h == body => {}
            Some(_) => return mismatch(format!("Header mismatch: Mcp-Name does not match body \"{}\"", short(body))),
            None => return mismatch("Header mismatch: the Mcp-Name header is missing".into()),
        }
    }
    Ok(())
}

fn short(s: &str) -> String {
    s.chars().take(80).collect()
}

/// A header value as sent: plain, or `=?base64?…?=` (the transport's
/// encoding for values that are not plain ASCII); `None` if undecodable.
fn decode_header(value: &str) -> Option<String> {
    let Some(encoded) = value.strip_prefix("=?base64?").and_then(|v| v.strip_suffix("?=")) else {
        return Some(value.to_string());
    };
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in encoded.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    String::from_utf8(out).ok()
}

fn server_info() -> Value {
    json!({"name": "parit", "title": "Parit blueprints", "version": env!("CARGO_PKG_VERSION")})
}

fn capabilities() -> Value {
    json!({"tools": {"listChanged": false}, "resources": {"listChanged": false, "subscribe": false}})
}

const INSTRUCTIONS: &str = "Parit holds product blueprints: a PRD with user stories US-n, a data model, \
screens SCR-n, business rules BR-n, endpoints EP-n and starter code. Start with list_projects, then \
trace_story to see what serves a story, get_item for one id, check_drift to compare your repository's \
schema or OpenAPI document with the blueprint, and plan_change before changing a stage. The hand-off \
files (AGENTS.md, Kiro and Spec Kit specs) are resources.";

fn dispatch(method: &str, params: &Map<String, Value>, reads: &mut Reads<'_>) -> Result<Outcome, McpError> {
    let done = |v: Value| Ok(Outcome::Done(v));
    match method {
        "server/discover" => done(json!({
            "supportedVersions": PROTOCOL_VERSIONS,
            "capabilities": capabilities(),
            "serverInfo": server_info(),
            "instructions": INSTRUCTIONS,
            "ttlMs": 3_600_000,
            "cacheScope": "public",
        })),
        "initialize" => {
            let asked = params.get("protocolVersion").and_then(Value::as_str);
            // The handshake era: echo a version we speak, else offer our newest handshake version.
            let version = asked.filter(|v| PROTOCOL_VERSIONS[1..].contains(v)).unwrap_or(PROTOCOL_VERSIONS[1]);
            done(json!({
                "protocolVersion": version,
                "capabilities": capabilities(),
                "serverInfo": server_info(),
                "instructions": INSTRUCTIONS,
            }))
        }
        "ping" => done(json!({})),
        "tools/list" => done(json!({"tools": tool_list(), "ttlMs": 3_600_000, "cacheScope": "public"})),
        "tools/call" => tools::call(params, reads),
        "resources/list" => resources::list(params, reads),
        "resources/templates/list" => done(resources::templates()),
        "resources/read" => resources::read(params, reads),
        _ => Err(McpError::new(code::METHOD_NOT_FOUND, format!("no method \"{}\" here", short(method)))),
    }
}

#[cfg(test)]
mod tests;
