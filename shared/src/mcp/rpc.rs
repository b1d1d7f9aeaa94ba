//! The JSON-RPC side every method shares: the wire records (the message in,
//! the reply and its error out, declared here once: `api::root` re-exports
//! them for the contract of `POST /mcp`), error codes, the API reads a method
//! asks for and their answers. A leaf: the protocol (`mod.rs`), the tools and
//! the resources all use it, and it uses none of them.

use serde_json::Value;

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

crate::record! {
    /// A read of the public API, on behalf of the caller.
    pub struct Read {
        /// `GET` or `POST`.
        pub method: String,
        /// The path and query, always under `/api/`.
        pub path: String,
        /// The JSON body of a `POST`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub body: Option<Value>,
    }
}

crate::record! {
    /// The API's answer to a [`Read`].
    pub struct Answer {
        /// The read's method.
        pub method: String,
        /// The read's path.
        pub path: String,
        /// The HTTP status.
        pub status: u32,
        /// The JSON body (`null` when it was not JSON).
        #[serde(default)]
        pub body: Value,
    }
}

crate::record! {
    /// A JSON-RPC 2.0 message to the MCP server (a request, or a notification without an id).
    pub struct McpMessage {
        /// Always "2.0"
        #[openapi = r#""const": "2.0""#]
        pub jsonrpc: String,
        /// The request's id (a string or a number); absent on a notification
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub id: Option<Value>,
        /// initialize, ping, tools/list, tools/call, resources/list, resources/read, resources/templates/list, server/discover, notifications/…
        pub method: String,
        /// The method's parameters
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub params: Option<Value>,
    }
}

crate::record! {
    /// A JSON-RPC 2.0 error.
    #[to_json]
    pub struct McpError {
        /// -32700 parse error, -32600 invalid request, -32601 method not found, -32602 invalid params, -32001 no or wrong token, -32020 MCP headers that disagree with the body, -32022 an unsupported protocol version
        pub code: i64,
        /// What went wrong, for people.
        pub message: String,
        /// More about it (the supported versions, the unknown resource's uri)
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub data: Option<Value>,
    }
}

crate::record! {
    /// The MCP server's JSON-RPC 2.0 answer: a result, or an error.
    #[to_json]
    pub struct McpReply {
        /// Always "2.0"
        #[openapi = r#""const": "2.0""#]
        pub jsonrpc: String,
        /// The request's id; null when it could not be read
        pub id: Value,
        /// The method's result (a tool's content, with isError when the tool failed)
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub result: Option<Value>,
        /// The error, when the message could not be served
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub error: Option<McpError>,
    }
}

impl McpMessage {
    /// The request a parsed body holds; `None` for a notification or a
    /// response from the client (accepted, nothing to answer); or why it is
    /// refused. Read field by field, not by serde, so each refusal says
    /// what is wrong (and a `"params": null` is one, as the specification's
    /// params are an object when present).
    pub(crate) fn read(message: Value) -> Result<Option<McpMessage>, McpError> {
        let invalid = |m: &str| Err(McpError::new(code::INVALID_REQUEST, m));
        let Value::Object(mut fields) = message else {
            return match message {
                Value::Array(_) => {
                    invalid("JSON-RPC batches are not part of MCP since revision 2025-06-18: send one message per POST")
                }
                _ => invalid("expected a JSON-RPC 2.0 request object"),
            };
        };
        if fields.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return invalid("\"jsonrpc\" must be \"2.0\"");
        }
        let Some(method) = fields.remove("method") else {
            // A response from the client: nothing to answer.
            return match fields.contains_key("id") && (fields.contains_key("result") || fields.contains_key("error")) {
                true => Ok(None),
                false => invalid("a request needs a \"method\""),
            };
        };
        let Value::String(method) = method else { return invalid("\"method\" must be a string") };
        let Some(id) = fields.remove("id") else {
            return Ok(None); // a notification: accepted (202)
        };
        if !(id.is_string() || id.is_i64() || id.is_u64()) {
            return invalid("\"id\" must be a string or an integer");
        }
        let params = match fields.remove("params") {
            None => None,
            Some(p @ Value::Object(_)) => Some(p),
            Some(_) => return Err(McpError::params("\"params\" must be an object")),
        };
        Ok(Some(McpMessage { jsonrpc: "2.0".into(), id: Some(id), method, params }))
    }
}

impl McpError {
    pub(crate) fn new(code: i64, message: impl Into<String>) -> Self {
        McpError { code, message: message.into(), data: None }
    }

    /// Invalid params, with a message.
    pub fn params(message: impl Into<String>) -> Self {
        McpError::new(code::INVALID_PARAMS, message)
    }

    /// The HTTP status this error is sent with: the transport's own
    /// failures (unreadable body, header mismatch, unknown version) are 400,
    /// as the 2026-07-28 transport page asks; a method's errors travel in a 200.
    pub(crate) fn status(&self) -> u32 {
        match self.code {
            code::PARSE_ERROR | code::INVALID_REQUEST | code::HEADER_MISMATCH | code::UNSUPPORTED_PROTOCOL_VERSION => {
                400
            }
            _ => 200,
        }
    }
}

impl McpReply {
    /// The answer to request `id`: its result.
    pub fn result(id: Value, result: Value) -> Self {
        McpReply { jsonrpc: "2.0".into(), id, result: Some(result), error: None }
    }

    /// The error answer to request `id` (`null` when it could not be read).
    pub fn error(id: Value, error: McpError) -> Self {
        McpReply { jsonrpc: "2.0".into(), id, result: None, error: Some(error) }
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
