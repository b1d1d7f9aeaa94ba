//! Small HTTP helpers: JSON responses, bounded JSON bodies, query strings and
//! path ids — without `Request::url()`, whose `url` crate costs ~70 KB gzip.

use crate::error::{AppError, AppResult};
use parit_shared::project::is_resource_id;
use parit_shared::Stage;
use serde_json::Value;
use worker::{Headers, Request, Response};

/// A JSON response with the headers every API answer carries.
pub(crate) fn json(status: u16, body: &Value) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    headers.set("x-content-type-options", "nosniff")?;
    Ok(Response::from_bytes(body.to_string().into_bytes())?.with_status(status).with_headers(headers))
}

/// Reads a JSON body of at most `limit` bytes.
pub(crate) async fn json_body(req: &mut Request, limit: usize) -> AppResult<Value> {
    if let Some(ct) = req.headers().get("content-type")? {
        if !ct.to_ascii_lowercase().starts_with("application/json") {
            return Err(AppError::UnsupportedMediaType);
        }
    }
    if let Some(len) = req.headers().get("content-length")?.and_then(|l| l.parse::<usize>().ok()) {
        if len > limit {
            return Err(AppError::PayloadTooLarge(limit));
        }
    }
    let bytes = req.bytes().await.map_err(|_| AppError::BadRequest("could not read the request body".into()))?;
    if bytes.len() > limit {
        return Err(AppError::PayloadTooLarge(limit));
    }
    if bytes.is_empty() {
        return Err(AppError::BadRequest("the request body is empty; send a JSON object".into()));
    }
    serde_json::from_slice(&bytes).map_err(|e| AppError::BadRequest(format!("the body is not valid JSON: {e}")))
}

/// The query string parameters of a request, decoded.
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// Parses the query of `req`.
    pub(crate) fn of(req: &Request) -> Query {
        let raw = req.inner().url();
        let query = raw.split_once('?').map_or("", |(_, q)| q);
        let query = query.split('#').next().unwrap_or("");
        Query(parit_shared::query::query_pairs(query))
    }

    /// The value of `key`, if present.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// A whole number in `min..=max`, `default` when absent.
    pub(crate) fn number(&self, key: &str, default: u64, min: u64, max: u64) -> AppResult<u64> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(AppError::BadRequest(format!("{key} must be a whole number from {min} to {max}"))),
            },
        }
    }
}

/// A project id from the path, or 400 when it cannot be one.
pub(crate) fn project_id(raw: &str) -> AppResult<&str> {
    if is_resource_id(raw) {
        Ok(raw)
    } else {
        Err(AppError::BadRequest(format!("\"{}\" is not a project id", truncate(raw, 80))))
    }
}

/// A stage from the path or body, or 400 naming the stages.
pub(crate) fn stage(raw: &str) -> AppResult<Stage> {
    Stage::parse(raw).ok_or_else(|| {
        let names: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
        AppError::BadRequest(format!("\"{}\" is not a stage (one of {})", truncate(raw, 40), names.join(", ")))
    })
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
