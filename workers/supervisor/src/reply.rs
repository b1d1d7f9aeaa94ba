//! The JSON answer: one constructor for every response body the API sends,
//! errors included. A leaf, so the error type and the routes both use it.

use parit_shared::schema::ToJson;
use serde::Serialize;
use serde_json::Value;
use worker::{Headers, Response};

/// A JSON response with the headers every API answer carries.
pub(crate) fn json(status: u16, body: &Value) -> worker::Result<Response> {
    json_bytes(status, body.to_string().into_bytes())
}

/// A JSON response whose body is a contract type (`parit_shared::api`)
/// with `ToJson`: built as `json!` builds a value (an insert per field),
/// then written by the one `Value` to text path. How every answer built
/// here is sent (docs/ARCHITECTURE.md, "How a handler answers with its
/// record").
pub(crate) fn answer<T: ToJson>(status: u16, body: &T) -> worker::Result<Response> {
    json(status, &body.to_json())
}

/// A JSON response whose body is a contract type written by serde: the
/// error body (`AppError::answer`), whose `Serialize` cost nothing over the
/// `json!` it replaced.
pub(crate) fn typed<T: Serialize>(status: u16, body: &T) -> worker::Result<Response> {
    json_bytes(status, serde_json::to_vec(body).map_err(|e| worker::Error::RustError(e.to_string()))?)
}

/// A JSON response from a body already rendered.
pub(crate) fn json_bytes(status: u16, body: Vec<u8>) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json; charset=utf-8")?;
    Ok(Response::from_bytes(body)?.with_status(status).with_headers(headers))
}
