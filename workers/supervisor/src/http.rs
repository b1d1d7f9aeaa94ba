//! Small HTTP helpers: bounded JSON bodies, query strings and
//! path ids — without `Request::url()`, whose `url` crate costs ~70 KB gzip.

use crate::error::{AppError, AppResult};
use parit_shared::api::Op;
use parit_shared::project::is_resource_id;
use parit_shared::Stage;
use serde_json::Value;
use worker::{Env, Headers, Request, Response};

/// 413 when the body `req` announces is over what route `op` takes
/// (`Op::max_body`), before a byte of it is read.
pub(crate) fn refuse_large(req: &Request, op: Op) -> AppResult<usize> {
    let limit = op.max_body().unwrap_or_default();
    match req.headers().get("content-length")?.and_then(|l| l.parse::<usize>().ok()) {
        Some(len) if len > limit => Err(AppError::PayloadTooLarge(limit)),
        _ => Ok(limit),
    }
}

/// Reads the JSON body of route `op`, of at most `Op::max_body` bytes.
pub(crate) async fn json_body(req: &mut Request, op: Op) -> AppResult<Value> {
    if let Some(ct) = req.headers().get("content-type")? {
        if !ct.to_ascii_lowercase().starts_with("application/json") {
            return Err(AppError::UnsupportedMediaType);
        }
    }
    let limit = refuse_large(req, op)?;
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

    /// The parameters' names, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
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

/// The caller's `x-request-id` when it is a short token of safe characters,
/// else a new random id.
pub(crate) fn request_id(req: &Request) -> String {
    let given = req.headers().get(crate::command::REQUEST_ID_HEADER).ok().flatten();
    match given {
        Some(id)
            if (8..=64).contains(&id.len())
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            id
        }
        _ => uuid::Uuid::new_v4().to_string(),
    }
}

/// Whether `origin` is one of `ALLOWED_ORIGINS` (comma-separated exact origins).
pub(crate) fn origin_allowed(env: &Env, origin: &str) -> bool {
    let allowed = env.var("ALLOWED_ORIGINS").map(|v| v.to_string()).unwrap_or_default();
    allowed.split(',').map(str::trim).any(|o| !o.is_empty() && o == origin)
}

/// Methods and headers a browser may use across origins.
const CORS_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
const CORS_HEADERS: &str = "authorization, content-type, last-event-id, x-request-id";
const CORS_EXPOSE: &str = "x-request-id, retry-after, content-disposition";

/// Answers a CORS preflight: 204 for an allowed origin, 403 otherwise.
pub(crate) fn preflight(env: &Env, req: &Request) -> AppResult<Response> {
    let origin = req.headers().get("origin")?;
    match origin {
        Some(o) if origin_allowed(env, &o) => {
            let headers = Headers::new();
            headers.set("access-control-allow-methods", CORS_METHODS)?;
            headers.set("access-control-allow-headers", CORS_HEADERS)?;
            headers.set("access-control-max-age", "600")?;
            Ok(Response::empty()?.with_status(204).with_headers(headers))
        }
        Some(_) => Err(AppError::Forbidden {
            code: "origin_not_allowed",
            message: "this origin is not in ALLOWED_ORIGINS".into(),
        }),
        None => {
            let headers = Headers::new();
            headers.set("allow", "GET, POST, PUT, PATCH, DELETE, OPTIONS")?;
            Ok(Response::empty()?.with_status(204).with_headers(headers))
        }
    }
}

/// Adds what every answer carries: the request id, security headers, no
/// caching unless the handler chose otherwise, and CORS for an allowed
/// origin (echoed alone, never `*`). Headers are copied into a new set: a
/// response from the pipeline object has immutable ones.
pub(crate) fn finish(response: Response, request_id: &str, allowed_origin: Option<&str>) -> worker::Result<Response> {
    let headers = Headers::new();
    for (k, v) in response.headers().entries() {
        headers.append(&k, &v)?;
    }
    if !headers.has("content-type")? && response.status_code() != 204 {
        headers.set("content-type", "application/json; charset=utf-8")?;
    }
    if !headers.has("cache-control")? {
        headers.set("cache-control", "no-store")?;
    }
    headers.set("x-request-id", request_id)?;
    headers.set("x-content-type-options", "nosniff")?;
    headers.set("x-frame-options", "DENY")?;
    headers.set("referrer-policy", "no-referrer")?;
    headers.set("content-security-policy", "default-src 'none'; frame-ancestors 'none'")?;
    headers.set("strict-transport-security", "max-age=31536000; includeSubDomains")?;
    headers.set("vary", "origin")?;
    if let Some(origin) = allowed_origin {
        headers.set("access-control-allow-origin", origin)?;
        headers.set("access-control-expose-headers", CORS_EXPOSE)?;
    }
    Ok(response.with_headers(headers))
}

/// The route template a log line names: the routed one (the project id and
/// stage as `:id`, `:stage`), or `unrouted`, so no caller-chosen path text
/// reaches the log.
pub(crate) fn route_template(path: &str) -> String {
    parit_shared::api::template(path).unwrap_or_else(|| "unrouted".to_string())
}
