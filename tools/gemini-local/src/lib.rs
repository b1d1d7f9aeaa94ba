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

use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use parit_shared::agent::prompt::stage_of;
use parit_shared::fixtures::examples;
use parit_shared::gemini::catalogue::{ModelInfo, ModelStatus, Thinking, CATALOGUE};
use parit_shared::gemini::GenerateContentRequest;
use parit_shared::{Artifact, Stage, Upstream};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Every fault the server can inject: each way a real Gemini call fails.
pub const FAULT_KINDS: &[&str] = &[
    "quota_minute",
    "quota_day",
    "quota_zero",
    "internal",
    "unavailable",
    "deadline",
    "api_key_invalid",
    "permission_denied",
    "model_not_found",
    "safety",
    "recitation",
    "prompt_blocked",
    "max_tokens",
    "malformed_json",
    "schema_invalid",
    "broken_imports",
    "empty",
    "finish_other",
    "thought_only",
    "hang",
    "slow",
    "continuation",
    "prepay_depleted",
    "spend_cap",
    "stream_cut",
    "stream_stall",
    "stream_safety",
    "stream_error",
    "stream_slow",
];

/// The largest request body the server reads.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// A queued fault.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// One of [`FAULT_KINDS`].
    pub kind: String,
    /// Only requests for this stage.
    #[serde(default)]
    pub stage: Option<Stage>,
    /// Only requests whose body contains this text.
    #[serde(rename = "match", default)]
    pub matches: Option<String>,
    /// How many requests it applies to.
    #[serde(default = "one")]
    pub times: u32,
    /// `RetryInfo.retryDelay` for `quota_minute`, e.g. "1s".
    #[serde(default)]
    pub retry_delay: Option<String>,
    /// How long `hang` waits before answering.
    #[serde(default)]
    pub hang_ms: Option<u64>,
    /// How long `slow` waits before answering normally.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// How many segments a `continuation` answer comes in (2 to 64).
    #[serde(default)]
    pub segments: Option<u32>,
    /// The HTTP status of `prepay_depleted`: 402 (today) or 429 (before
    /// Google's API update).
    #[serde(default)]
    pub status: Option<u16>,
    /// How long `stream_slow` waits before its first chunk.
    #[serde(default)]
    pub first_token_ms: Option<u64>,
    /// How fast `stream_slow` writes then.
    #[serde(default)]
    pub tokens_per_second: Option<u64>,
}

/// `stream_slow`'s pace when the fault names none.
const SLOW_TOKENS_PER_SECOND: u64 = 20;

fn one() -> u32 {
    1
}

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

/// How fast a streamed answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Pace {
    /// Every model at its own documented speed (the catalogue's figures).
    Documented,
    /// Every model at this speed.
    Fixed {
        /// Before the first chunk.
        first_token_ms: u64,
        /// Then.
        tokens_per_second: u64,
    },
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
    /// chunks and written at the configured pace, shaped by a stream fault.
    async fn stream(self, model: String, key: Option<String>, body: Bytes) -> Response {
        let Ok(body) = String::from_utf8(body.to_vec()) else {
            let answer = error_body(400, "INVALID_ARGUMENT", "The request body is not UTF-8.", json!([]));
            return (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
                answer.to_string(),
            )
                .into_response();
        };
        let me = self.clone();
        let m = model.clone();
        let raw = body.clone();
        let answered = tokio::task::spawn_blocking(move || me.generate_detail(&m, key, &body, true)).await;
        let (status, answer, fault) = answered
            .unwrap_or_else(|_| (500, error_body(500, "INTERNAL", "An internal error has occurred.", json!([])), None));
        if status != 200 {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, [(header::CONTENT_TYPE, "application/json; charset=UTF-8")], answer.to_string())
                .into_response();
        }
        let slow = fault.as_ref().filter(|f| f.kind == "stream_slow");
        let (first_token_ms, tokens_per_second) = match self.lock().speed {
            _ if slow.is_some() => slow.map_or((0, 0), |f| {
                (f.first_token_ms.unwrap_or(0), f.tokens_per_second.unwrap_or(SLOW_TOKENS_PER_SECOND).max(1))
            }),
            None => (0, 0),
            Some(Pace::Fixed { first_token_ms, tokens_per_second }) => (first_token_ms, tokens_per_second),
            Some(Pace::Documented) => {
                let speed = parit_shared::gemini::catalogue::model(&model)
                    .map_or(parit_shared::gemini::catalogue::UNKNOWN_SPEED, |m| m.speed);
                (u64::from(speed.first_token_ms), u64::from(speed.tokens_per_second))
            }
        };
        let plan = StreamPlan::new(&answer, fault.as_ref(), tokens_per_second);
        let watch = {
            let mut state = self.lock();
            let record = json!({"model": model, "events": plan.events.len(), "sent": 0, "state": "open"});
            state.streams.push((raw, record));
            StreamWatch { server: self.clone(), index: state.streams.len() - 1, sent: 0, done: false }
        };
        let body = axum::body::Body::from_stream(plan.into_stream(first_token_ms, watch));
        (StatusCode::OK, [(header::CONTENT_TYPE, "text/event-stream")], body).into_response()
    }

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
            (&Method::GET, "/__control/health") | (&Method::GET, "/") => {
                (200, json!({"status": "ok", "faultKinds": FAULT_KINDS}))
            }
            (&Method::POST, "/__control/faults") => match serde_json::from_str::<Fault>(body) {
                Ok(f) if FAULT_KINDS.contains(&f.kind.as_str()) => {
                    let mut s = self.lock();
                    s.faults.push(f);
                    (201, json!({"queued": s.faults.len()}))
                }
                Ok(f) => {
                    (400, json!({"error": format!("unknown fault kind {}; known: {}", f.kind, FAULT_KINDS.join(", "))}))
                }
                Err(e) => (400, json!({"error": format!("bad fault: {e}")})),
            },
            (&Method::PUT, "/__control/models") => {
                match serde_json::from_str::<Value>(body).ok().and_then(|v| v["models"].as_array().cloned()) {
                    Some(models) if models.iter().all(|m| m["name"].is_string()) => {
                        let n = models.len();
                        self.lock().extra_models = models;
                        (200, json!({"extraModels": n}))
                    }
                    _ => (400, json!({"error": "expected {\"models\": [Model resources, each with a name]}"})),
                }
            }
            (&Method::PUT, "/__control/speed") => match serde_json::from_str::<Pace>(body) {
                Ok(pace) => {
                    self.lock().speed = Some(pace);
                    (200, json!({"speed": body.trim()}))
                }
                Err(e) => (400, json!({"error": format!("bad speed: {e}")})),
            },
            (&Method::DELETE, "/__control/speed") => {
                self.lock().speed = None;
                (200, json!({"speed": null}))
            }
            (&Method::DELETE, "/__control/faults") => {
                self.lock().faults.clear();
                (200, json!({"queued": 0}))
            }
            (&Method::GET, "/__control/requests") => {
                let needle = query.strip_prefix("match=").map(parit_shared::query::percent_decode);
                // Clone the matches and let go of the lock before serialising them.
                let list: Vec<Value> = self
                    .lock()
                    .requests
                    .iter()
                    .filter(|(raw, _)| needle.as_deref().is_none_or(|n| raw.contains(n)))
                    .map(|(_, record)| record.clone())
                    .collect();
                (200, json!({"requests": list}))
            }
            (&Method::GET, "/__control/streams") => {
                let needle = query.strip_prefix("match=").map(parit_shared::query::percent_decode);
                let list: Vec<Value> = self
                    .lock()
                    .streams
                    .iter()
                    .filter(|(raw, _)| needle.as_deref().is_none_or(|n| raw.contains(n)))
                    .map(|(_, record)| record.clone())
                    .collect();
                (200, json!({"streams": list}))
            }
            (&Method::DELETE, "/__control/requests") => {
                self.lock().requests.clear();
                (200, json!({"requests": []}))
            }
            (&Method::PUT, "/__control/latency") => {
                match serde_json::from_str::<Value>(body).ok().and_then(|v| v["ms"].as_u64()) {
                    Some(ms) => {
                        self.lock().latency_ms = ms;
                        (200, json!({"ms": ms}))
                    }
                    None => (400, json!({"error": "expected {\"ms\": <whole number>}"})),
                }
            }
            _ => (
                404,
                error_body(
                    404,
                    "NOT_FOUND",
                    &format!("The requested URL {path} was not found on this server."),
                    json!([]),
                ),
            ),
        }
    }

    fn generate(&self, model: &str, key: Option<String>, body: &str) -> (u16, Value) {
        let (status, answer, _) = self.generate_detail(model, key, body, false);
        (status, answer)
    }

    /// The answer to a generation request, and the fault that shapes its
    /// stream when it is streamed (`streamed`: the request came to
    /// `:streamGenerateContent`, as its record says).
    fn generate_detail(
        &self,
        model: &str,
        key: Option<String>,
        body: &str,
        streamed: bool,
    ) -> (u16, Value, Option<Fault>) {
        let Some(key) = key.filter(|k| !k.is_empty()) else {
            let (status, answer) = unregistered();
            return (status, answer, None);
        };
        if !model.starts_with("gemini-") {
            let (status, answer) = model_not_found(model);
            return (status, answer, None);
        }
        let request: GenerateContentRequest = match serde_json::from_str(body) {
            Ok(r) => r,
            Err(e) => {
                let message = format!("Invalid JSON payload received. {e}");
                return (400, error_body(400, "INVALID_ARGUMENT", &message, json!([])), None);
            }
        };
        let stage = stage_of(&request);
        let parsed = serde_json::from_str::<Value>(body).unwrap_or(Value::Null);
        let (fault, index) = {
            let mut s = self.lock();
            let fault = take_fault(&mut s.faults, stage, body);
            let record = json!({
                "model": model,
                "stage": stage,
                "apiKey": key,
                "fault": fault.as_ref().map(|f| f.kind.clone()),
                "streamed": streamed,
                "at": unix_ms(),
                "body": parsed,
            });
            s.requests.push((body.to_string(), record));
            (fault, s.requests.len() - 1)
        };
        let latency = self.lock().latency_ms;
        if latency > 0 {
            std::thread::sleep(Duration::from_millis(latency));
        }
        let Some(stage) = stage else {
            let message =
                "This server answers Parit stage prompts only: the system instruction has no 'Parit stage:' line.";
            return (400, error_body(400, "INVALID_ARGUMENT", message, json!([])), None);
        };
        let brief = brief_text(&request);
        let product = examples::select(&brief);
        // Answer from the upstream artifacts the prompt carries, so an edited
        // or replaced upstream flows into the stages built from it, as with a
        // real model.
        let mut artifact = product.answer(stage, &upstream(&request)).to_value();
        // Reviewer feedback changes the answer, as it would a real model's.
        if let Some(feedback) = feedback_text(&request) {
            apply_feedback(&mut artifact, &feedback);
        }
        let artifact = artifact.to_string();
        let prompt_tokens = (body.len() / 4) as u64;
        let shaping = fault.clone().filter(|f| f.kind.starts_with("stream_"));
        let (status, answer) = match (fault, request.continuation_token.as_deref()) {
            (Some(f), _) if f.kind != "continuation" && !f.kind.starts_with("stream_") => {
                inject(&f, model, &artifact, prompt_tokens)
            }
            // The next segment of an answer begun before: the token says which.
            (_, Some(token)) => match Segment::read(token) {
                Some(next) => segment(model, &artifact, next, prompt_tokens),
                None => (400, error_body(400, "INVALID_ARGUMENT", "Invalid continuation token.", json!([]))),
            },
            (Some(f), None) if f.kind == "continuation" => {
                let of = f.segments.unwrap_or(3).clamp(2, 64);
                segment(model, &artifact, Segment { index: 1, of }, prompt_tokens)
            }
            (_, None) => ok(model, &artifact, "STOP", prompt_tokens),
        };
        // Record what was reported, so tests can compare the traces with it.
        if let Some((_, r)) = self.lock().requests.get_mut(index) {
            r["status"] = json!(status);
            r["usage"] = answer.get("usageMetadata").cloned().unwrap_or(Value::Null);
        }
        (status, answer, shaping)
    }
}

impl GeminiLocal {
    /// `models.list`: the catalogue's models that still answer and any added
    /// by `PUT /__control/models`, `pageSize` at a time (default 50, at most
    /// 1000, as Google pages it), `nextPageToken` while more remain.
    fn list_models(&self, query: &str) -> (u16, Value) {
        let param = |name: &str| {
            query.split('&').find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('='))).map(str::to_string)
        };
        let size = param("pageSize").and_then(|v| v.parse::<usize>().ok()).unwrap_or(50).clamp(1, 1000);
        let start = param("pageToken").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
        let extra = self.lock().extra_models.clone();
        let mut models: Vec<Value> =
            served_models().map(model_resource).filter(|m| !extra.iter().any(|e| e["name"] == m["name"])).collect();
        models.extend(extra);
        let page: Vec<Value> = models.iter().skip(start).take(size).cloned().collect();
        let mut answer = json!({ "models": page });
        if start + size < models.len() {
            answer["nextPageToken"] = json!((start + size).to_string());
        }
        (200, answer)
    }
}

/// Which part of a segmented answer a request asks for: `index` of `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    index: u32,
    of: u32,
}

impl Segment {
    const PREFIX: &'static str = "parit-local-segment";

    /// The opaque `continuationToken` that asks for this segment (hex, so it
    /// is as URL- and JSON-safe as Google's base64).
    fn token(self) -> String {
        format!("{}/{}/{}", Self::PREFIX, self.index, self.of).bytes().map(|b| format!("{b:02x}")).collect()
    }

    fn read(token: &str) -> Option<Segment> {
        let bytes: Option<Vec<u8>> = (0..token.len())
            .step_by(2)
            .map(|i| token.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
            .collect();
        let text = String::from_utf8(bytes?).ok()?;
        let mut parts = text.strip_prefix(Self::PREFIX)?.strip_prefix('/')?.split('/');
        let index = parts.next()?.parse().ok()?;
        let of = parts.next()?.parse().ok()?;
        (1 <= index && index <= of && of <= 64 && parts.next().is_none()).then_some(Segment { index, of })
    }
}

/// Part `at` of `text` cut into `at.of` nearly equal parts, as one answer:
/// finishReason CONTINUATION and the next part's token until the last, which
/// ends with STOP. Each part's usage counts the prompt again, as each request
/// is billed on its own.
fn segment(model: &str, text: &str, at: Segment, prompt_tokens: u64) -> (u16, Value) {
    let cut = |i: u32| {
        let mut at = text.len() * i as usize / at.of as usize;
        while !text.is_char_boundary(at) {
            at += 1;
        }
        at
    };
    let part = &text[cut(at.index - 1)..cut(at.index)];
    let (status, mut answer) = ok(model, part, "STOP", prompt_tokens);
    if at.index < at.of {
        answer["candidates"][0]["finishReason"] = json!("CONTINUATION");
        answer["candidates"][0]["continuationToken"] = json!(Segment { index: at.index + 1, of: at.of }.token());
    }
    (status, answer)
}

/// Characters of answer text per streamed chunk: about 32 tokens.
const CHUNK_CHARS: usize = 128;

/// What a stream writes, in order, and the waits between.
struct StreamPlan {
    /// Each event's bytes and the pause before it.
    events: Vec<(Vec<u8>, Duration)>,
}

impl StreamPlan {
    /// `answer` (a whole `generateContent` answer) as stream chunks, paced
    /// at `tokens_per_second` (0: at once), shaped by `fault`.
    fn new(answer: &Value, fault: Option<&Fault>, tokens_per_second: u64) -> StreamPlan {
        let candidate = &answer["candidates"][0];
        let parts = candidate["content"]["parts"].as_array().cloned().unwrap_or_default();
        // Each part in order: a thought (with its signature) as one piece,
        // answer text in pieces of CHUNK_CHARS.
        let mut pieces: Vec<Value> = Vec::new();
        for part in parts {
            let Some(text) = part["text"].as_str().filter(|_| part.get("thought").is_none()) else {
                pieces.push(part);
                continue;
            };
            let mut rest = text;
            while !rest.is_empty() {
                let mut end = rest.len().min(CHUNK_CHARS);
                while !rest.is_char_boundary(end) {
                    end += 1;
                }
                let (piece, tail) = rest.split_at(end);
                pieces.push(json!({ "text": piece }));
                rest = tail;
            }
        }
        let last = pieces.len().saturating_sub(1);
        let mut chunks: Vec<Value> = pieces
            .into_iter()
            .enumerate()
            .map(|(i, piece)| {
                let mut chunk = json!({"candidates": [{"content": {"parts": [piece], "role": "model"}, "index": 0}],
                    "modelVersion": answer["modelVersion"], "responseId": answer["responseId"]});
                if i == last {
                    for key in ["finishReason", "finishMessage", "continuationToken", "safetyRatings"] {
                        if let Some(v) = candidate.get(key) {
                            chunk["candidates"][0][key] = v.clone();
                        }
                    }
                    chunk["usageMetadata"] = answer["usageMetadata"].clone();
                }
                chunk
            })
            .collect();
        if chunks.is_empty() {
            // No parts (a safety stop, a blocked prompt, an empty answer): one chunk, whole.
            chunks.push(answer.clone());
        }
        let pause = |chunk: &Value| match tokens_per_second {
            0 => Duration::ZERO,
            tps => {
                let chars = chunk["candidates"][0]["content"]["parts"][0]["text"].as_str().map_or(0, str::len) as u64;
                Duration::from_millis((chars / 4).max(1) * 1_000 / tps)
            }
        };
        let event = |chunk: &Value| format!("data: {chunk}\r\n\r\n").into_bytes();
        let half = chunks.len() / 2;
        let mut events: Vec<(Vec<u8>, Duration)> = Vec::new();
        let kept = match fault.map(|f| f.kind.as_str()) {
            Some("stream_cut" | "stream_safety" | "stream_error" | "stream_stall") => half.max(1),
            _ => chunks.len(),
        };
        for chunk in &chunks[..kept.min(chunks.len())] {
            events.push((event(chunk), pause(chunk)));
        }
        match fault.map(|f| f.kind.as_str()) {
            Some("stream_cut") => {
                // The connection drops in the middle of the next event.
                let next = event(chunks.get(kept).unwrap_or(&chunks[0]));
                events.push((next[..next.len() / 2].to_vec(), Duration::ZERO));
            }
            Some("stream_stall") => {
                let hang = Duration::from_millis(fault.and_then(|f| f.hang_ms).unwrap_or(120_000));
                for (i, chunk) in chunks[kept..].iter().enumerate() {
                    events.push((event(chunk), if i == 0 { hang } else { pause(chunk) }));
                }
            }
            Some("stream_safety") => {
                let stop = json!({"candidates": [{"finishReason": "SAFETY", "index": 0, "safetyRatings": [
                    {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": true}]}],
                    "usageMetadata": answer["usageMetadata"], "modelVersion": answer["modelVersion"]});
                events.push((event(&stop), Duration::ZERO));
            }
            Some("stream_error") => {
                let error =
                    error_body(503, "UNAVAILABLE", "The model is overloaded. Please try again later.", json!([]));
                events.push((event(&error), Duration::ZERO));
            }
            _ => {}
        }
        StreamPlan { events }
    }

    /// The events as a body stream: `first_token_ms` before the first, each
    /// event's own pause before the others.
    fn into_stream(
        self,
        first_token_ms: u64,
        watch: StreamWatch,
    ) -> impl futures_util::Stream<Item = Result<Bytes, std::convert::Infallible>> + Send + 'static {
        let mut events = self.events;
        if let Some(first) = events.first_mut() {
            first.1 = Duration::from_millis(first_token_ms);
        }
        futures_util::stream::unfold((events.into_iter(), watch), |(mut events, mut watch)| async move {
            let Some((bytes, pause)) = events.next() else {
                watch.finish();
                return None;
            };
            if !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
            watch.sent += 1;
            if watch.sent == 1 {
                watch.first_sent();
            }
            Some((Ok(Bytes::from(bytes)), (events, watch)))
        })
    }
}

/// Keeps a stream's record (`GET /__control/streams`) up to date: when the
/// body is dropped before its end, the client closed the connection.
struct StreamWatch {
    server: GeminiLocal,
    index: usize,
    sent: usize,
    done: bool,
}

impl StreamWatch {
    /// The last event was written.
    fn finish(&mut self) {
        self.done = true;
    }

    /// The first event is being written: when, for the first-byte benchmark.
    fn first_sent(&self) {
        if let Some((_, record)) = self.server.lock().streams.get_mut(self.index) {
            record["firstSentAtMs"] = json!(unix_ms());
        }
    }
}

/// The Unix time in milliseconds.
fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Drop for StreamWatch {
    fn drop(&mut self) {
        let mut state = self.server.lock();
        let Some((_, record)) = state.streams.get_mut(self.index) else { return };
        record["sent"] = json!(self.sent);
        if self.done {
            record["state"] = json!("complete");
        } else {
            record["state"] = json!("closed_by_client");
            record["closedAtMs"] = json!(unix_ms());
        }
    }
}

fn take_fault(faults: &mut Vec<Fault>, stage: Option<Stage>, body: &str) -> Option<Fault> {
    let i = faults.iter().position(|f| {
        f.times > 0 && f.stage.is_none_or(|s| Some(s) == stage) && f.matches.as_deref().is_none_or(|m| body.contains(m))
    })?;
    faults[i].times -= 1;
    let fault = faults[i].clone();
    if faults[i].times == 0 {
        faults.remove(i);
    }
    Some(fault)
}

/// The upstream artifacts carried in the prompt: each `Upstream <stage>
/// artifact (JSON):` block that `parit_shared::agent::prompt::build` writes,
/// its JSON on the one line after the marker. A block that is not that
/// stage's artifact is left out, and the product's own is used instead.
fn upstream(request: &GenerateContentRequest) -> Upstream {
    let text: String =
        request.contents.first().into_iter().flat_map(|c| c.parts.iter()).filter_map(|p| p.text.as_deref()).collect();
    let mut upstream = Upstream::default();
    for stage in Stage::ALL {
        let marker = format!("Upstream {stage} artifact (JSON):\n");
        let Some(start) = text.find(&marker).map(|i| i + marker.len()) else { continue };
        let Some(line) = text[start..].lines().next() else { continue };
        if let Ok(artifact) = Artifact::from_text(stage, line) {
            upstream.insert(artifact);
        }
    }
    upstream
}

/// The brief's two lines from the user turn, for choosing the example product.
fn brief_text(request: &GenerateContentRequest) -> String {
    let text: String =
        request.contents.first().into_iter().flat_map(|c| c.parts.iter()).filter_map(|p| p.text.as_deref()).collect();
    text.lines()
        .filter(|l| l.starts_with("Product name:") || l.starts_with("Product idea:"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The reviewer feedback the prompt asks this version to apply, if any.
fn feedback_text(request: &GenerateContentRequest) -> Option<String> {
    const MARK: &str = "Reviewer feedback to apply in this version:\n";
    let text: String =
        request.contents.first().into_iter().flat_map(|c| c.parts.iter()).filter_map(|p| p.text.as_deref()).collect();
    let start = text.find(MARK)? + MARK.len();
    // The prompt ends with "\n\nProduce the <stage> artifact." after the feedback.
    let rest = &text[start..];
    let feedback = rest[..rest.rfind("\n\nProduce the ").unwrap_or(rest.len())].trim();
    (!feedback.is_empty()).then(|| feedback.to_string())
}

/// Notes the feedback in the artifact's first prose field (a summary,
/// description, purpose or narrative, searched depth first), so the new
/// version differs from the last and its dependents become stale.
fn apply_feedback(artifact: &mut Value, feedback: &str) -> bool {
    match artifact {
        Value::Object(map) => {
            for key in ["summary", "description", "purpose", "narrative"] {
                if let Some(Value::String(text)) = map.get_mut(key) {
                    text.push_str(&format!(" (Revised: {feedback})"));
                    return true;
                }
            }
            map.values_mut().any(|v| apply_feedback(v, feedback))
        }
        Value::Array(items) => items.iter_mut().any(|v| apply_feedback(v, feedback)),
        _ => false,
    }
}

/// `models/{model}:countTokens` as Google answers it
/// (<https://ai.google.dev/api/rest/v1beta/models/countTokens>, read
/// 2026-12-04): `{"generateContentRequest": {...}}` (or bare `contents`) in,
/// `{"totalTokens", "promptTokensDetails"}` out. A prompt counts as it does
/// in `generateContent` here: its request body's bytes / 4, without the
/// request's own `model` name.
fn count_tokens(model: &str, key: Option<String>, body: &str) -> (u16, Value) {
    if key.filter(|k| !k.is_empty()).is_none() {
        return unregistered();
    }
    if !model.starts_with("gemini-") {
        return model_not_found(model);
    }
    let invalid = |message: String| (400, error_body(400, "INVALID_ARGUMENT", &message, json!([])));
    let parsed: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return invalid(format!("Invalid JSON payload received. {e}")),
    };
    let counted = match (parsed.get("generateContentRequest"), parsed.get("contents")) {
        (Some(Value::Object(request)), _) => {
            let mut request = request.clone();
            request.remove("model");
            Value::Object(request)
        }
        (None, Some(contents @ Value::Array(_))) => json!({ "contents": contents }),
        _ => return invalid("* CountTokensRequest: contents or generateContentRequest is required.".into()),
    };
    let tokens = (counted.to_string().len() / 4) as u64;
    (200, json!({"totalTokens": tokens, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens}]}))
}

fn usage(prompt_tokens: u64, output_chars: usize) -> Value {
    let out = (output_chars / 4) as u64;
    let thoughts = out / 8;
    json!({
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": out,
        "thoughtsTokenCount": thoughts,
        "totalTokenCount": prompt_tokens + out + thoughts,
    })
}

fn ok(model: &str, text: &str, finish: &str, prompt_tokens: u64) -> (u16, Value) {
    (
        200,
        json!({
            "candidates": [{
                "content": {"parts": [{"text": text}], "role": "model"},
                "finishReason": finish,
                "index": 0,
            }],
            "usageMetadata": usage(prompt_tokens, text.len()),
            "modelVersion": model,
            "responseId": format!("local-{}", SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)),
        }),
    )
}

fn error_body(code: u16, status: &str, message: &str, details: Value) -> Value {
    let mut error = json!({"code": code, "message": message, "status": status});
    if details.as_array().is_some_and(|d| !d.is_empty()) {
        error["details"] = details;
    }
    json!({ "error": error })
}

fn unregistered() -> (u16, Value) {
    (403, error_body(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", json!([])))
}

/// The catalogue's models that still answer, as `models.list` lists them.
fn served_models() -> impl Iterator<Item = &'static ModelInfo> {
    CATALOGUE.iter().filter(|m| !matches!(m.status, ModelStatus::ShutDown { .. }))
}

/// A `Model` resource as `GET /v1beta/models/{model}` answers it.
fn model_resource(m: &ModelInfo) -> Value {
    let thinking = !matches!(m.thinking, Thinking::Budget { max: 0, .. });
    json!({
        "name": format!("models/{}", m.id),
        "baseModelId": m.id,
        "version": "001",
        "displayName": m.id,
        "description": format!("{} (served by Parit's local stand-in)", m.id),
        "inputTokenLimit": 1_048_576,
        "outputTokenLimit": m.max_output_tokens,
        "supportedGenerationMethods": ["generateContent", "countTokens"],
        "temperature": 1.0,
        "maxTemperature": 2.0,
        "topP": 0.95,
        "topK": 64,
        "thinking": thinking,
    })
}

fn model_not_found(model: &str) -> (u16, Value) {
    let message = format!("models/{model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.");
    (404, error_body(404, "NOT_FOUND", &message, json!([])))
}

fn quota(per: &str, retry_delay: &str) -> (u16, Value) {
    let details = json!([
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
            "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
            "quotaId": format!("GenerateRequestsPer{per}PerProjectPerModel-FreeTier"),
            "quotaDimensions": {"location": "global", "model": "gemini-3.5-flash-lite"},
            "quotaValue": if per == "Day" { "250" } else { "10" },
        }]},
        {"@type": "type.googleapis.com/google.rpc.Help", "links": [{"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay},
    ]);
    let message = "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.";
    (429, error_body(429, "RESOURCE_EXHAUSTED", message, details))
}

/// A 429 for a model the key's project has no quota for at all, worded as
/// Google words it (continuedev/continue#11693, 2026-03).
fn quota_zero(model: &str) -> (u16, Value) {
    let details = json!([
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
            "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
            "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
            "quotaDimensions": {"location": "global", "model": model},
        }]},
        {"@type": "type.googleapis.com/google.rpc.Help", "links": [{"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "38s"},
    ]);
    let message = format!("You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/rate-limit. \n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: {model}\nPlease retry in 38.962214405s.");
    (429, error_body(429, "RESOURCE_EXHAUSTED", &message, details))
}

/// A frontend artifact whose entry module imports a file it does not have
/// and a package its package.json does not list: valid JSON of the right
/// shape that validation rejects, so the agent makes its repair call.
fn broken_imports(artifact: &str) -> Option<String> {
    let mut v: Value = serde_json::from_str(artifact).ok()?;
    v.get("framework")?;
    let files = v.get_mut("files")?.as_array_mut()?;
    let script =
        |f: &Value| f["path"].as_str().is_some_and(|p| [".ts", ".tsx", ".js", ".jsx"].iter().any(|e| p.ends_with(e)));
    let i = files
        .iter()
        .position(|f| f["path"].as_str().is_some_and(|p| p.ends_with("main.ts") || p.ends_with("main.tsx")))
        .or_else(|| files.iter().position(script))?;
    let content = files[i]["content"].as_str()?;
    files[i]["content"] =
        json!(format!("import {{ Chart }} from './chart';\nimport {{ format }} from 'date-fns';\n{content}"));
    Some(v.to_string())
}

/// Google's answer for a project whose prepayment credits ran out: HTTP 402
/// since its API update ("Depleted prepay credits now return HTTP 402
/// instead of 429", discuss.ai.google.dev), 429 before; no details either way.
fn prepay_depleted(status: u16) -> (u16, Value) {
    let message = "Your prepayment credits are depleted. Please go to AI Studio at https://ai.studio/projects to manage your project and billing. Learn more at https://ai.google.dev/gemini-api/docs/billing#prepay.";
    (status, error_body(status, "RESOURCE_EXHAUSTED", message, json!([])))
}

/// A 429 for a billing account past its monthly spending cap, worded as
/// reported (docs/research/gemini-2026-12-06.md, *Spend-based limits*).
fn spend_cap() -> (u16, Value) {
    let message = "Your billing account has exceeded its monthly spending cap. Please go to AI Studio at https://aistudio.google.com to manage your billing. Learn more at https://ai.google.dev/gemini-api/docs/billing.";
    (429, error_body(429, "RESOURCE_EXHAUSTED", message, json!([])))
}

fn inject(f: &Fault, model: &str, artifact: &str, prompt_tokens: u64) -> (u16, Value) {
    match f.kind.as_str() {
        "prepay_depleted" => prepay_depleted(if f.status == Some(429) { 429 } else { 402 }),
        "spend_cap" => spend_cap(),
        "quota_zero" => quota_zero(model),
        "finish_other" => (200, json!({
            "candidates": [{"finishReason": "OTHER", "finishMessage": "Model failed to generate content due to internal error.", "index": 0}],
            "usageMetadata": usage(prompt_tokens, 0), "modelVersion": model,
        })),
        "thought_only" => (200, json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "**Planning the data model**\n\nI am working out the entities first.", "thought": true}]},
                "finishReason": "STOP", "index": 0}],
            "usageMetadata": usage(prompt_tokens, 64), "modelVersion": model,
        })),
        "quota_minute" => quota("Minute", f.retry_delay.as_deref().unwrap_or("1s")),
        "quota_day" => quota("Day", f.retry_delay.as_deref().unwrap_or("43200s")),
        "internal" => (500, error_body(500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", json!([]))),
        "unavailable" => (503, error_body(503, "UNAVAILABLE", "The model is overloaded. Please try again later.", json!([]))),
        "deadline" => (504, error_body(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", json!([]))),
        "api_key_invalid" => (400, error_body(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", json!([
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}},
            {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": "API key not valid. Please pass a valid API key."},
        ]))),
        "permission_denied" => (403, error_body(403, "PERMISSION_DENIED", "Your API key was reported as leaked. Please use another API key.", json!([]))),
        "model_not_found" => model_not_found(model),
        "safety" => (200, json!({
            "candidates": [{"finishReason": "SAFETY", "index": 0, "safetyRatings": [
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": true}]}],
            "usageMetadata": usage(prompt_tokens, 0), "modelVersion": model,
        })),
        "recitation" => (200, json!({
            "candidates": [{"finishReason": "RECITATION", "index": 0}],
            "usageMetadata": usage(prompt_tokens, 0), "modelVersion": model,
        })),
        "prompt_blocked" => (200, json!({
            "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": [
                {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH"}]},
            "usageMetadata": {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens}, "modelVersion": model,
        })),
        "max_tokens" => ok(model, &artifact[..artifact.len() / 2], "MAX_TOKENS", prompt_tokens),
        "malformed_json" => ok(model, &format!("{} ...and then I stopped", &artifact[..artifact.len() / 3]), "STOP", prompt_tokens),
        "schema_invalid" => {
            let mut v: Value = serde_json::from_str(artifact).unwrap_or(Value::Null);
            if let Some(map) = v.as_object_mut() {
                // Drop the first required property and retype the second.
                let keys: Vec<String> = map.keys().cloned().collect();
                if let Some(k) = keys.first() {
                    map.remove(k);
                }
                if let Some(k) = keys.get(1) {
                    map.insert(k.clone(), json!(42));
                }
            }
            ok(model, &v.to_string(), "STOP", prompt_tokens)
        }
        "broken_imports" => match broken_imports(artifact) {
            Some(text) => ok(model, &text, "STOP", prompt_tokens),
            None => (400, error_body(400, "INVALID_ARGUMENT", "The broken_imports fault breaks a frontend artifact: queue it with \"stage\": \"frontend\".", json!([]))),
        },
        "empty" => (200, json!({"candidates": [], "usageMetadata": usage(prompt_tokens, 0), "modelVersion": model})),
        "slow" => {
            std::thread::sleep(Duration::from_millis(f.delay_ms.unwrap_or(1_000)));
            ok(model, artifact, "STOP", prompt_tokens)
        }
        "hang" => {
            std::thread::sleep(Duration::from_millis(f.hang_ms.unwrap_or(120_000)));
            ok(model, artifact, "STOP", prompt_tokens)
        }
        _ => (500, error_body(500, "INTERNAL", "unknown fault", json!([]))),
    }
}
