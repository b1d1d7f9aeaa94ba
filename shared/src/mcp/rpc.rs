//! The JSON-RPC side every method shares: error codes and errors, the API
//! reads a method asks for and their answers. A leaf: the protocol (`mod.rs`),
//! the tools and the resources all use it, and it uses none of them.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// JSON-RPC 2.0 and MCP error codes.
pub mod code {
    /// The body is not JSON.
    pub const PARSE_ERROR: i64 = -32700;
    /// Not a JSON-RPC 2.0 request or notification.
    pub const INVALID_REQUEST: i64 = -32600;
    /// No such method.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// The params do not fit the method (also: an unknown tool or resource).
    pub const INVALID_PARAMS: i64 = -32602;
    /// Something went wrong on our side.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// No valid bearer token (in the implementation-defined range
    /// -32000..-32019 the 2026-07-28 revision leaves to servers).
    pub const UNAUTHORIZED: i64 = -32001;
    /// An `Mcp-*` header does not match the body (2026-07-28).
    pub const HEADER_MISMATCH: i64 = -32020;
    /// The protocol version asked for is not one this server speaks (2026-07-28).
    pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
}

/// A read of the public API, on behalf of the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Read {
    /// `GET` or `POST`.
    pub method: String,
    /// The path and query, always under `/api/`.
    pub path: String,
    /// The JSON body of a `POST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// The API's answer to a [`Read`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The read's method.
    pub method: String,
    /// The read's path.
    pub path: String,
    /// The HTTP status.
    pub status: u16,
    /// The JSON body (`null` when it was not JSON).
    #[serde(default)]
    pub body: Value,
}

/// A JSON-RPC error: code, message and optional data.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// The code ([`code`]).
    pub code: i64,
    /// One line for people.
    pub message: String,
    /// Structured detail.
    pub data: Option<Value>,
}

impl RpcError {
    pub(crate) fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError { code, message: message.into(), data: None }
    }

    /// Invalid params, with a message.
    pub fn params(message: impl Into<String>) -> Self {
        RpcError::new(code::INVALID_PARAMS, message)
    }

    /// The JSON-RPC error response for request `id`.
    pub fn response(&self, id: &Value) -> Value {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        json!({"jsonrpc": "2.0", "id": id, "error": error})
    }

    /// The HTTP status this error is sent with: the transport's own
    /// failures (unreadable body, header mismatch, unknown version) are 400,
    /// as the 2026-07-28 transport page asks; a method's errors travel in a 200.
    pub(crate) fn status(&self) -> u16 {
        match self.code {
            code::PARSE_ERROR | code::INVALID_REQUEST | code::HEADER_MISMATCH | code::UNSUPPORTED_PROTOCOL_VERSION => {
                400
            }
            _ => 200,
        }
    }
}

/// What a method computes: a result, or the reads still missing.
pub(crate) enum Outcome {
    Done(Value),
    Need(Vec<Read>),
}

/// The reads of one message: the answers already had, and those missing.
pub(crate) struct Reads<'a> {
    pub(crate) answers: &'a [Answer],
    pub(crate) missing: Vec<Read>,
}

impl<'a> Reads<'a> {
    /// The answer to `GET path`, or `None` (and the read is asked for).
    pub(crate) fn get(&mut self, path: String) -> Option<&'a Answer> {
        self.read(Read { method: "GET".into(), path, body: None })
    }

    /// The answer to `POST path` with `body`, or `None` (and the read is asked for).
    pub(crate) fn post(&mut self, path: String, body: Value) -> Option<&'a Answer> {
        self.read(Read { method: "POST".into(), path, body: Some(body) })
    }

    fn read(&mut self, read: Read) -> Option<&'a Answer> {
        let found = self.answers.iter().find(|a| a.method == read.method && a.path == read.path);
        if found.is_none() && !self.missing.contains(&read) {
            self.missing.push(read);
        }
        found
    }

    /// The reads missing: the outcome of a method that cannot go on without them.
    pub(crate) fn pending(&mut self) -> Outcome {
        Outcome::Need(std::mem::take(&mut self.missing))
    }

    /// The reads missing, if any (for a method that asked for several).
    pub(crate) fn waiting(&mut self) -> Option<Outcome> {
        (!self.missing.is_empty()).then(|| self.pending())
    }
}

/// The API's error message in an answer that is not a 200 (`{"error":
/// {"message"}}`), or its status.
pub(crate) fn api_error(answer: &Answer) -> String {
    match answer.body["error"]["message"].as_str() {
        Some(m) => m.to_string(),
        None => format!("the API answered HTTP {}", answer.status),
    }
}
