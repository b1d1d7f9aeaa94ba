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
/// then written by the one `Value` to text path. Used where it measured no
/// bigger than the `json!` it replaced (docs/ARCHITECTURE.md, "Typed
/// answers without serde").
pub(crate) fn answer<T: ToJson>(status: u16, body: &T) -> worker::Result<Response> {
    json(status, &body.to_json())
}

/// A JSON response whose body is a contract type (`parit_shared::api`).
/// The error body is one (`AppError::answer`: it cost nothing over the
/// `json!` it replaced). Most answers are still built with `json!`: each
/// contract type serialized costs its own `Serialize` code, measured on the
/// upload (gzip) at +0.56 KiB for `Deleted` and `SettingsChanged` together,
/// +1.74 KiB for `Index` and `Health` (with `Up`, `AgentUp`,
/// `HealthComponents`, `CatalogueAge`), and this Worker is at its size goal;
/// native tests hold those answers to the contract's schemas instead.
pub(crate) fn typed<T: Serialize>(status: u16, body: &T) -> worker::Result<Response> {
    json_bytes(status, serde_json::to_vec(body).map_err(|e| worker::Error::RustError(e.to_string()))?)
}

/// A JSON response from a body already rendered.
pub(crate) fn json_bytes(status: u16, body: Vec<u8>) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json; charset=utf-8")?;
    Ok(Response::from_bytes(body)?.with_status(status).with_headers(headers))
}
