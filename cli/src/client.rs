//! The supervisor's HTTP API, as the CLI calls it: one function per route,
//! bodies and answers as `serde_json::Value` read here and nowhere else, so
//! that when `parit_shared::api` has typed requests and answers this is the
//! one module to switch. Every answer is sorted into the exit-code classes
//! of [`Failure`]: a 4xx is the server refusing (its `{"error": {...}}`
//! kept), a 5xx or no answer is the server failing or unreachable.
//!
//! The token is sent as a bearer header and appears nowhere else: not in a
//! URL, an error or a debug print ([`Client`]'s `Debug` leaves it out).

use crate::failure::Failure;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::time::Duration;

/// Longest a request may take (a hand-off or an export renders the whole
/// blueprint; an import parses a schema).
const TIMEOUT: Duration = Duration::from_secs(120);
/// Longest the event stream may stay silent: the server sends a keepalive
/// comment every 15 s (workers/supervisor/src/live.rs), so four missed ones
/// mean the connection is gone.
const STREAM_SILENCE: Duration = Duration::from_secs(60);

/// A logged-in connection to one Parit server.
pub(crate) struct Client {
    base: String,
    token: String,
    agent: ureq::Agent,
    /// For the event stream: no overall deadline, only one on silence.
    stream_agent: ureq::Agent,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish_non_exhaustive()
    }
}

impl Client {
    /// A client of the server at `base` (no trailing slash needed).
    pub(crate) fn new(base: &str, token: &str) -> Client {
        let builder = || {
            ureq::AgentBuilder::new()
                .timeout_connect(Duration::from_secs(15))
                .user_agent(concat!("parit-cli/", env!("CARGO_PKG_VERSION")))
        };
        Client {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            agent: builder().build(),
            stream_agent: builder().timeout_read(STREAM_SILENCE).build(),
        }
    }

    /// The server's base URL.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    fn request(&self, method: &str, path: &str) -> ureq::Request {
        self.agent
            .request(method, &format!("{}{path}", self.base))
            .set("authorization", &format!("Bearer {}", self.token))
            .timeout(TIMEOUT)
    }

    fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Result<ureq::Response, Failure> {
        let request = self.request(method, path);
        let answer = match body {
            Some(b) => request.send_json(b),
            None => request.call(),
        };
        answer.map_err(|e| self.failure(e))
    }

    fn json(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, Failure> {
        let response = self.send(method, path, body)?;
        let url = response.get_url().to_string();
        response
            .into_json::<Value>()
            .map_err(|e| Failure::Unreachable(format!("{url} answered with something that is not JSON: {e}")))
    }

    /// Sorts a ureq error into refused (4xx), failed (5xx) or unreachable.
    fn failure(&self, e: ureq::Error) -> Failure {
        match e {
            ureq::Error::Status(status, response) => {
                let text = response.into_string().unwrap_or_default();
                let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let error = body.get("error").cloned().unwrap_or(Value::Null);
                let message = error["message"].as_str().map(str::to_string).unwrap_or_else(|| {
                    let text: String = text.chars().take(200).collect();
                    if text.trim().is_empty() {
                        "no message".to_string()
                    } else {
                        text
                    }
                });
                let code = error["code"].as_str().unwrap_or("http_error").to_string();
                if status < 500 {
                    Failure::Refused { status, code, message, detail: error }
                } else {
                    Failure::Unreachable(format!("the server failed (HTTP {status} {code}): {message}"))
                }
            }
            ureq::Error::Transport(t) => Failure::Unreachable(format!("could not reach {}: {t}", self.base)),
        }
    }

    /// `GET /api/projects?limit=1`: whether the token is accepted.
    pub(crate) fn check_token(&self) -> Result<(), Failure> {
        self.json("GET", "/api/projects?limit=1", None).map(|_| ())
    }

    /// `POST /api/projects`.
    pub(crate) fn create_project(&self, name: &str, idea: &str, model: Option<&str>) -> Result<Value, Failure> {
        let mut body = json!({"name": name, "idea": idea});
        if let Some(model) = model {
            body["settings"] = json!({ "model": model });
        }
        self.json("POST", "/api/projects", Some(&body))
    }

    /// `GET /api/projects/:id`: settings, each stage's status, the run.
    pub(crate) fn project(&self, id: &str) -> Result<Value, Failure> {
        self.json("GET", &format!("/api/projects/{id}"), None)
    }

    /// `POST /api/projects/:id/run`.
    pub(crate) fn run(&self, id: &str) -> Result<Value, Failure> {
        self.json("POST", &format!("/api/projects/{id}/run"), Some(&json!({})))
    }

    /// `GET /api/projects/:id/plan`: what the next run calls or reuses, and its cost.
    pub(crate) fn plan(&self, id: &str) -> Result<Value, Failure> {
        self.json("GET", &format!("/api/projects/{id}/plan"), None)
    }

    /// `POST /api/projects/:id/plan`: the plan if `artifact` were saved as `stage`.
    pub(crate) fn plan_edit(&self, id: &str, stage: &str, artifact: &Value) -> Result<Value, Failure> {
        self.json("POST", &format!("/api/projects/{id}/plan"), Some(&json!({"stage": stage, "artifact": artifact})))
    }

    /// `GET /api/projects/:id/handoff`: each layout with its files.
    pub(crate) fn handoff(&self, id: &str) -> Result<Value, Failure> {
        self.json("GET", &format!("/api/projects/{id}/handoff"), None)
    }

    /// `GET /api/projects/:id/export[?layout=L]`: the ZIP's bytes.
    pub(crate) fn export(&self, id: &str, layout: Option<&str>) -> Result<Vec<u8>, Failure> {
        let path = match layout {
            Some(l) => format!("/api/projects/{id}/export?layout={}", query_escape(l)),
            None => format!("/api/projects/{id}/export"),
        };
        let response = self.send("GET", &path, None)?;
        let mut bytes = Vec::new();
        response
            .into_reader()
            .take(512 * 1024 * 1024)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::Unreachable(format!("the export was cut off: {e}")))?;
        Ok(bytes)
    }

    /// `POST /api/projects/:id/import/data`.
    pub(crate) fn import_data(&self, id: &str, sql: &str, dialect: &str) -> Result<Value, Failure> {
        self.json("POST", &format!("/api/projects/{id}/import/data"), Some(&json!({"sql": sql, "dialect": dialect})))
    }

    /// `POST /api/projects/:id/import/api`.
    pub(crate) fn import_api(&self, id: &str, document: &str) -> Result<Value, Failure> {
        self.json("POST", &format!("/api/projects/{id}/import/api"), Some(&json!({ "document": document })))
    }

    /// `POST /api/projects/:id/drift`: the repository's schema and API
    /// description against the blueprint (the contract is in README's CLI
    /// section and docs/ARCHITECTURE.md).
    pub(crate) fn drift(
        &self,
        id: &str,
        sql: Option<&str>,
        dialect: &str,
        openapi: Option<&str>,
    ) -> Result<Value, Failure> {
        let mut body = json!({});
        if let Some(sql) = sql {
            body["sql"] = json!(sql);
            body["dialect"] = json!(dialect);
        }
        if let Some(openapi) = openapi {
            body["openapi"] = json!(openapi);
        }
        self.json("POST", &format!("/api/projects/{id}/drift"), Some(&body))
    }

    /// `GET /api/projects/:id/events`: the server-sent event stream, read
    /// frame by frame; `after` is the newest activity id already seen.
    pub(crate) fn events(&self, id: &str, after: Option<&str>) -> Result<Box<dyn BufRead + Send>, Failure> {
        let mut request = self
            .stream_agent
            .request("GET", &format!("{}/api/projects/{id}/events", self.base))
            .set("authorization", &format!("Bearer {}", self.token))
            .set("accept", "text/event-stream");
        if let Some(after) = after {
            request = request.set("last-event-id", after);
        }
        let response = request.call().map_err(|e| self.failure(e))?;
        Ok(Box::new(BufReader::new(response.into_reader())))
    }
}

/// `text` as a query-string value (layout names are plain words; anything
/// else is escaped rather than trusted).
fn query_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_not_in_a_debug_print() {
        let client = Client::new("http://127.0.0.1:1/", "secret-token-value");
        let printed = format!("{client:?}");
        assert!(!printed.contains("secret-token-value"), "{printed}");
        assert_eq!(client.base(), "http://127.0.0.1:1");
    }

    #[test]
    fn an_unreachable_server_is_exit_4_and_names_no_token() {
        // Port 1 on loopback: nothing listens there, the connection is refused.
        let client = Client::new("http://127.0.0.1:1", "secret-token-value");
        let e = client.check_token().unwrap_err();
        assert_eq!(e.exit_code(), 4, "{e}");
        assert!(!e.to_string().contains("secret-token-value"), "{e}");
    }

    #[test]
    fn layout_names_are_escaped_in_the_query() {
        assert_eq!(query_escape("spec-kit"), "spec-kit");
        assert_eq!(query_escape("a&b=c"), "a%26b%3Dc");
    }
}
