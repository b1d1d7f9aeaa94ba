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
    announced(req.headers().get("content-length")?.as_deref(), op)
}

/// Route `op`'s body limit, or 413 when `content_length` is over it.
pub(crate) fn announced(content_length: Option<&str>, op: Op) -> AppResult<usize> {
    let limit = op.max_body().unwrap_or_default();
    match content_length.and_then(|l| l.parse::<usize>().ok()) {
        Some(len) if len > limit => Err(AppError::PayloadTooLarge(limit)),
        _ => Ok(limit),
    }
}

/// Reads the JSON body of route `op`, of at most `Op::max_body` bytes.
pub(crate) async fn json_body(req: &mut Request, op: Op) -> AppResult<Value> {
    media_type(req.headers().get("content-type")?.as_deref())?;
    let limit = refuse_large(req, op)?;
    let bytes = req.bytes().await.map_err(|_| AppError::BadRequest("could not read the request body".into()))?;
    parse_json(&bytes, limit)
}

/// 415 unless the body is declared JSON (or not declared at all).
pub(crate) fn media_type(content_type: Option<&str>) -> AppResult<()> {
    match content_type {
        Some(ct) if !ct.to_ascii_lowercase().starts_with("application/json") => Err(AppError::UnsupportedMediaType),
        _ => Ok(()),
    }
}

/// A body of at most `limit` bytes, as JSON: 413 above it, 400 when empty or
/// not JSON.
pub(crate) fn parse_json(bytes: &[u8], limit: usize) -> AppResult<Value> {
    if bytes.len() > limit {
        return Err(AppError::PayloadTooLarge(limit));
    }
    if bytes.is_empty() {
        return Err(AppError::BadRequest("the request body is empty; send a JSON object".into()));
    }
    serde_json::from_slice(bytes).map_err(|e| AppError::BadRequest(format!("the body is not valid JSON: {e}")))
}

/// The query string parameters of a request, decoded.
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// Parses the query of `req`.
    pub(crate) fn of(req: &Request) -> Query {
        Query::parse(&req.inner().url())
    }

    /// Parses the query of `url` (what follows `?`, up to any `#`).
    pub(crate) fn parse(url: &str) -> Query {
        let query = url.split_once('?').map_or("", |(_, q)| q);
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

/// The stages, as a refusal names them.
const STAGE_NAMES: &str = "prd, data, design, logic, api, frontend, deployment";

/// A stage from the path or body, or 400 naming the stages.
pub(crate) fn stage(raw: &str) -> AppResult<Stage> {
    Stage::parse(raw).ok_or_else(|| {
        // Spelled out (a test holds it to `Stage::ALL`): joining the names costs WASM.
        AppError::BadRequest(format!("\"{}\" is not a stage (one of {STAGE_NAMES})", truncate(raw, 40)))
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

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::error::tests::refused;

    /// The query of a request whose query string is `s`.
    pub(crate) fn q(s: &str) -> Query {
        Query::parse(&format!("/x?{s}"))
    }

    #[test]
    fn a_query_is_decoded_up_to_its_fragment() {
        let q = Query::parse("https://parit/api/projects?limit=5&cursor=a%20b&flag#limit=9");
        assert_eq!(q.get("limit"), Some("5"));
        assert_eq!(q.get("cursor"), Some("a b"));
        assert_eq!(q.get("flag"), Some(""));
        assert_eq!(q.keys().collect::<Vec<_>>(), ["limit", "cursor", "flag"]);
        assert_eq!(Query::parse("https://parit/api/projects").keys().count(), 0);
    }

    #[test]
    fn a_number_is_whole_and_in_range_or_refused_naming_the_range() {
        assert_eq!(q("").number("limit", 20, 1, 100).unwrap(), 20);
        assert_eq!(q("limit=1").number("limit", 20, 1, 100).unwrap(), 1);
        assert_eq!(q("limit=100").number("limit", 20, 1, 100).unwrap(), 100);
        for bad in ["limit=0", "limit=101", "limit=-1", "limit=2.5", "limit=ten", "limit="] {
            refused(
                q(bad).number("limit", 20, 1, 100),
                400,
                "bad_request",
                "limit must be a whole number from 1 to 100",
            );
        }
    }

    #[test]
    fn the_refusal_names_every_stage() {
        let names: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(STAGE_NAMES, names.join(", "));
    }

    #[test]
    fn ids_and_stages_from_the_path() {
        assert_eq!(project_id("0a1b2c3d-0000").unwrap(), "0a1b2c3d-0000");
        refused(project_id("NOT-AN-ID"), 400, "bad_request", "\"NOT-AN-ID\" is not a project id");
        let long = "z".repeat(200);
        let (_, _, m) = crate::error::tests::seen(project_id(&long));
        assert_eq!(m, format!("\"{}\" is not a project id", "z".repeat(80)));
        assert_eq!(stage("data").unwrap(), Stage::Data);
        refused(
            stage("frontend-code"),
            400,
            "bad_request",
            "\"frontend-code\" is not a stage (one of prd, data, design, logic, api, frontend, deployment)",
        );
    }

    #[test]
    fn a_body_is_json_within_its_routes_limit() {
        media_type(None).unwrap();
        media_type(Some("application/json")).unwrap();
        media_type(Some("Application/JSON; charset=utf-8")).unwrap();
        refused(media_type(Some("text/plain")), 415, "unsupported_media_type", "content-type: application/json");
        refused(media_type(Some("multipart/form-data")), 415, "unsupported_media_type", "send the body as JSON");
        assert_eq!(announced(None, Op::CreateProject).unwrap(), 16 * 1024);
        assert_eq!(announced(Some("16384"), Op::CreateProject).unwrap(), 16 * 1024);
        refused(announced(Some("16385"), Op::CreateProject), 413, "payload_too_large", "larger than 16384 bytes");
        refused(announced(Some("600000"), Op::ImportData), 413, "payload_too_large", "larger than 524288 bytes");
        // A length that is not a number is left to the bytes read.
        assert!(announced(Some("lots"), Op::Execute).is_ok());
        assert_eq!(parse_json(br#"{"a": 1}"#, 8).unwrap(), serde_json::json!({"a": 1}));
        refused(parse_json(br#"{"a": 12}"#, 8), 413, "payload_too_large", "larger than 8 bytes");
        refused(parse_json(b"", 8), 400, "bad_request", "the request body is empty; send a JSON object");
        refused(parse_json(b"{name:", 99), 400, "bad_request", "the body is not valid JSON: ");
    }

    #[test]
    fn a_logged_route_never_carries_the_callers_text() {
        assert_eq!(route_template("/api/projects/0a1b2c3d-0000/artifacts/data"), "/api/projects/:id/artifacts/:stage");
        assert_eq!(route_template("/api/secret-token-here"), "unrouted");
    }
}
