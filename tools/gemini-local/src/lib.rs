//! A local Gemini-compatible server for tests, CI and offline development.
//!
//! It serves `POST /v1beta/models/{model}:generateContent` in Gemini's wire
//! format, so the agents' real client code runs against it unchanged. It
//! reads the stage from the system instruction's `Parit stage:` line, the
//! product from the brief and the upstream artifacts from the prompt, and
//! answers with that example product's artifact derived from them (see
//! `parit_shared::fixtures::examples`, `ProductSpec::answer`), so what a stage
//! answers fits what it was sent, even an upstream the user replaced. A
//! prompt carrying reviewer feedback gets that answer with the feedback noted
//! in its first prose field, so a regeneration changes the artifact as a real
//! model's would. Faults are injected on demand through a
//! control API, with the real error bodies:
//!
//! | route | effect |
//! |---|---|
//! | `GET /v1beta/models`, `GET /v1beta/models/{model}` | the catalogue's models that still answer, as `models.list` / `models.get` do |
//! | `POST /__control/faults` `{"kind", "stage"?, "match"?, "times"?, "retryDelay"?, "hangMs"?, "segments"?, "status"?, "firstTokenMs"?, "tokensPerSecond"?}` | queue a fault |
//! | `PUT /__control/models` `{"models": [Model, …]}` | serve these `Model` resources in `models.list` beside the catalogue's (one with a catalogue model's name replaces it) |
//! | `DELETE /__control/faults` | drop queued faults |
//! | `GET /__control/requests[?match=s]` | the requests received (optionally only those containing `s`) |
//! | `GET /__control/streams[?match=s]` | each streamed answer: `events` planned, `sent`, `firstSentAtMs` (Unix time of its first event) and `state` (`open`, `complete`, or `closed_by_client` with `closedAtMs`, when the client closed it) |
//! | `DELETE /__control/requests` | forget them |
//! | `PUT /__control/latency` `{"ms"}` | add a fixed latency to every call |
//! | `PUT /__control/speed` `{"documented": null}` or `{"fixed": {"firstTokenMs", "tokensPerSecond"}}`; `DELETE` | write streams at each model's documented speed, or at this one; at once after `DELETE` |
//! | `GET /__control/health` | liveness |
//!
//! A fault applies to the next `times` requests (default 1) whose stage is
//! `stage` and whose body contains `match`, when given; tests put a unique
//! word into their project's idea and match on it, so they can run in parallel.
//!
//! `continuation` answers as a Gemini 4 model decoding a long answer in
//! segments does (`…/docs/generate-content/long-decode`): the artifact cut
//! into `segments` parts (default 3), each but the last ending with
//! finishReason `CONTINUATION` and a `continuationToken` on the candidate;
//! the request sent again with that token at its top level gets the next
//! part, its own usage (the prompt counted again) on each. The token is
//! opaque to clients and carries which part comes next, so any replica of
//! this server answers it. `prepay_depleted` (HTTP 402, or `"status": 429`
//! as before Google's API update) and `spend_cap` (429) are the billing
//! stops, worded as Google words them.
//!
//! `POST …:streamGenerateContent?alt=sse` answers as Google streams: an
//! error before the stream as an ordinary JSON error body with its status;
//! otherwise `text/event-stream`, each event `data: <chunk>` and a blank
//! line (`\r\n`), the text in pieces of about 32 tokens, the finish reason,
//! a segment's `continuationToken` and `usageMetadata` on the last chunk.
//! The stream faults shape it: `stream_cut` ends it halfway, in the middle
//! of an event; `stream_stall` stops halfway for `hangMs` (default 120 s)
//! before the rest; `stream_safety` ends halfway with finishReason SAFETY;
//! `stream_error` ends halfway with an error event (503 UNAVAILABLE).
//! `stream_slow` writes the whole stream at its own pace (`firstTokenMs`,
//! default 0; `tokensPerSecond`, default 20), whatever the server's speed:
//! a test that watches an answer being written slows its own project only,
//! not the scenarios running beside it.

//!
//! One module a concern: `models` (`models.list`, `models.get`,
//! `countTokens`), `generate` (an answer derived from the prompt), `stream`
//! (that answer as Google streams it), `faults` (every failure, worded as
//! Google words it), `control` (the `/__control` API) and `wire` (the
//! answer and error bodies they share).

mod control;
mod faults;
mod generate;
mod models;
mod stream;
mod wire;

pub use faults::{Fault, FAULT_KINDS};
pub use stream::Pace;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use models::{count_tokens, model_not_found, model_resource, served_models};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};
use wire::{error_body, unregistered};

/// The largest request body the server reads.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

#[derive(Default)]
struct State {
    faults: Vec<Fault>,
    /// Each request received: its raw body (searched by `?match=`) and its record.
    requests: Vec<(String, Value)>,
    latency_ms: u64,
    /// `Model` resources served beside the catalogue's (`PUT /__control/models`).
    extra_models: Vec<Value>,
    /// How fast streams are written (`PUT /__control/speed`); `None`: at once.
    speed: Option<Pace>,
    /// Each streamed answer: the request's raw body and the stream's record.
    streams: Vec<(String, Value)>,
}

/// The server's shared state.
#[derive(Clone, Default)]
pub struct GeminiLocal {
    state: Arc<Mutex<State>>,
}

impl GeminiLocal {
    /// A server with `latency_ms` added to every model call.
    pub fn new(latency_ms: u64) -> Self {
        let s = Self::default();
        s.lock().latency_ms = latency_ms;
        s
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panicking handler thread must not take the server down with it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Serves requests on `listener` until the process ends.
    ///
    /// Hyper (through axum) serves each connection as its own task, so a
    /// keep-alive connection that a client holds open idle never keeps a new
    /// one waiting. (The server this replaced, tiny_http 0.12, could: its
    /// thread pool counted threads already woken for earlier connections as
    /// idle, so a burst of new connections queued some behind threads each
    /// held by a kept-alive connection, unread until the client gave up; see
    /// the `a_burst_of_kept_alive_connections_is_all_answered` test.) Every
    /// answer is computed on the blocking pool: faults sleep, and a sleeping
    /// request must not hold up the others.
    pub fn serve(self, listener: std::net::TcpListener) -> std::io::Result<()> {
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            let app = axum::Router::new()
                .fallback(move |method, uri, headers, body| {
                    let me = self.clone();
                    async move { me.answer(method, uri, headers, body).await }
                })
                // axum's default 2 MB cap is below what an agent may send (its
                // own input alone may be 4 MB).
                .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES));
            axum::serve(listener, app).await
        })
    }

    async fn answer(self, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
        let key = headers.get("x-goog-api-key").and_then(|v| v.to_str().ok()).map(str::to_string);
        let url = uri.path_and_query().map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string());
        let path = uri.path();
        if method == Method::POST && path.starts_with("/v1beta/models/") && path.ends_with(":streamGenerateContent") {
            let model = path["/v1beta/models/".len()..path.len() - ":streamGenerateContent".len()].to_string();
            return self.stream(model, key, body).await;
        }
        let (status, answer) = match String::from_utf8(body.to_vec()) {
            Ok(body) => tokio::task::spawn_blocking(move || self.route(&method, &url, key, &body))
                .await
                .unwrap_or_else(|_| (500, error_body(500, "INTERNAL", "An internal error has occurred.", json!([])))),
            Err(_) => (400, error_body(400, "INVALID_ARGUMENT", "The request body is not UTF-8.", json!([]))),
        };
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, [(header::CONTENT_TYPE, "application/json; charset=UTF-8")], answer.to_string()).into_response()
    }

    /// A streamed answer: the same answer `generateContent` gives, cut into
    fn route(&self, method: &Method, url: &str, key: Option<String>, body: &str) -> (u16, Value) {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        match (method, path) {
            (&Method::POST, p) if p.starts_with("/v1beta/models/") && p.ends_with(":generateContent") => {
                let model = &p["/v1beta/models/".len()..p.len() - ":generateContent".len()];
                self.generate(model, key, body)
            }
            (&Method::POST, p) if p.starts_with("/v1beta/models/") && p.ends_with(":countTokens") => {
                let model = &p["/v1beta/models/".len()..p.len() - ":countTokens".len()];
                count_tokens(model, key, body)
            }
            (&Method::GET, "/v1beta/models") => match key.filter(|k| !k.is_empty()) {
                None => unregistered(),
                Some(_) => self.list_models(query),
            },
            (&Method::GET, p) if p.starts_with("/v1beta/models/") => {
                let id = &p["/v1beta/models/".len()..];
                match key.filter(|k| !k.is_empty()) {
                    None => unregistered(),
                    Some(_) => match served_models().find(|m| m.id == id) {
                        Some(m) => (200, model_resource(m)),
                        None => model_not_found(id),
                    },
                }
            }
            _ => match self.control(method, path, query, body) {
                Some(answer) => answer,
                None => (
                    404,
                    error_body(
                        404,
                        "NOT_FOUND",
                        &format!("The requested URL {path} was not found on this server."),
                        json!([]),
                    ),
                ),
            },
        }
    }
}

/// The Unix time in milliseconds.
fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}
