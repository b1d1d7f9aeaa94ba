//! The agent runtime: the one program behind the seven agent Workers.
//!
//! Each agent crate is `#[event(fetch)]` plus a call to [`serve`] with its
//! stage. Everything that decides anything (prompting, retries, repair,
//! validation, failure classes) lives in `parit_shared::agent::generate`; this crate
//! only adapts it to Workers: reading the request and config from `Env`,
//! reaching Gemini with `fetch` under an abortable timeout, and sleeping with
//! `Delay`.

mod transport;

use futures_util::StreamExt;
use parit_shared::agent::generate::{check_request, count_tokens, generate, redact};
use parit_shared::agent::protocol::{AgentHealth, GenerateFailure, GenerateRequest, ModelCheck, PROGRESS_STREAM};
use parit_shared::agent::retry::RetryPolicy;
use parit_shared::gemini::catalogue::{self, DEFAULT_MODEL};
use parit_shared::gemini::FailureClass;
use parit_shared::Stage;
use serde_json::json;
use transport::{FetchTransport, WorkerClock};
use worker::{Env, Headers, Method, Request, Response, Result};

/// Largest `/generate` body accepted (upstream artifacts included).
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Gemini's public endpoint, used when `GEMINI_BASE_URL` is not set.
const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com";

/// Serves an agent Worker's routes for `stage`.
pub async fn serve(stage: Stage, mut req: Request, env: Env) -> Result<Response> {
    let config = Config::from_env(&env);
    match (req.method(), req.path().as_str()) {
        (Method::Get, "/health") | (Method::Get, "/") => json_response(
            200,
            &serde_json::to_value(AgentHealth {
                agent: stage.worker_name().to_string(),
                stage,
                model: config.model.clone(),
                key_configured: config.api_key.is_some(),
                stand_in: config.base_url.trim_end_matches('/') != DEFAULT_BASE_URL,
                model_check: model_check(&config).await,
            })?,
        ),
        (Method::Post, "/generate") => {
            let streamed = req.headers().get("accept")?.is_some_and(|a| a.contains(PROGRESS_STREAM));
            let request = match read_request(&mut req).await {
                Ok(request) if streamed => return progress_stream(stage, request, config),
                Ok(request) => Ok(request),
                Err(failure) => Err(failure),
            };
            let (status, body) = match request {
                Ok(request) => run(stage, &request, &config, None).await,
                Err(failure) => (failure.http_status(), serde_json::to_value(&failure)?),
            };
            // Belt and braces: no answer may carry the key, whatever an upstream echoed.
            let text = redact(&body.to_string(), config.api_key.as_deref().unwrap_or(""));
            text_response(status, text)
        }
        (Method::Post, "/count") => {
            let (status, body) = match read_request(&mut req).await {
                Ok(request) => count(stage, &request, &config).await,
                Err(failure) => (failure.http_status(), serde_json::to_value(&failure)?),
            };
            text_response(status, redact(&body.to_string(), config.api_key.as_deref().unwrap_or("")))
        }
        (_, "/health") | (_, "/generate") | (_, "/count") => {
            error(405, "method_not_allowed", "this route does not take that method")
        }
        _ => error(404, "not_found", "no such route; agents serve GET /health, POST /generate and POST /count"),
    }
}

/// The stream timeouts of a call that is not streamed (health, counts).
fn quick(timeout_ms: u64) -> catalogue::StreamTimeouts {
    catalogue::StreamTimeouts { first_byte_ms: timeout_ms, idle_ms: timeout_ms }
}

/// How long a model check is kept before `/health` asks Gemini again.
const MODEL_CHECK_TTL_MS: u64 = 5 * 60_000;
/// The model check's own timeout: a health report should not wait long.
const MODEL_CHECK_TIMEOUT_MS: u64 = 5_000;

thread_local! {
    /// The last model check of this isolate: (model, base URL, result, when).
    static LAST_CHECK: std::cell::RefCell<Option<(String, String, ModelCheck, u64)>> = const { std::cell::RefCell::new(None) };
}

/// Whether Gemini serves the default model to this key (`GET models/{model}`),
/// a definite answer kept for [`MODEL_CHECK_TTL_MS`]; `None` without a key.
async fn model_check(config: &Config) -> Option<ModelCheck> {
    let key = config.api_key.clone()?;
    let now = worker::Date::now().as_millis();
    let cached = LAST_CHECK.with_borrow(|c| {
        c.as_ref()
            .filter(|(m, b, _, at)| {
                *m == config.model && *b == config.base_url && now.saturating_sub(*at) < MODEL_CHECK_TTL_MS
            })
            .map(|(_, _, check, _)| *check)
    });
    if cached.is_some() {
        return cached;
    }
    let timeout = config.timeout_ms.unwrap_or(MODEL_CHECK_TIMEOUT_MS).min(MODEL_CHECK_TIMEOUT_MS);
    let transport = FetchTransport::new(&config.base_url, key, timeout, quick(timeout));
    let check = match transport.get_model(&config.model).await {
        Ok((status, body)) => ModelCheck::from_answer(status, &body),
        Err(_) => ModelCheck::Unreachable,
    };
    // A network hiccup is not kept: the next report asks again.
    if check != ModelCheck::Unreachable {
        LAST_CHECK.with_borrow_mut(|c| *c = Some((config.model.clone(), config.base_url.clone(), check, now)));
    }
    Some(check)
}

struct Config {
    api_key: Option<String>,
    model: String,
    base_url: String,
    /// `GEMINI_TIMEOUT_MS`: one timeout for every call, and the idle timeout
    /// of every stream; otherwise each stage's is sized to what it writes at
    /// its model's speed ([`catalogue::call_timeout_ms`],
    /// [`catalogue::stream_timeouts`]).
    timeout_ms: Option<u64>,
}

impl Config {
    fn from_env(env: &Env) -> Self {
        let var = |name: &str| env.var(name).ok().map(|v| v.to_string()).filter(|v| !v.trim().is_empty());
        Config {
            api_key: env.secret("GEMINI_API_KEY").ok().map(|v| v.to_string()).filter(|v| !v.trim().is_empty()),
            model: var("GEMINI_MODEL").unwrap_or_else(|| DEFAULT_MODEL.to_string()),
            base_url: var("GEMINI_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
            timeout_ms: var("GEMINI_TIMEOUT_MS").and_then(|v| v.parse().ok()),
        }
    }
}

async fn read_request(req: &mut Request) -> std::result::Result<GenerateRequest, GenerateFailure> {
    let bad = |msg: String| GenerateFailure::before_call("bad_request", None, msg, false);
    let bytes = req.bytes().await.map_err(|_| bad("could not read the request body".into()))?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(bad(format!("the request body is {} bytes; the limit is {MAX_BODY_BYTES}", bytes.len())));
    }
    serde_json::from_slice(&bytes).map_err(|e| bad(format!("the request body is not a valid generate request: {e}")))
}

/// `/generate` as a stream ([`PROGRESS_STREAM`]): a line for each progress
/// while the model writes, then the answer's status and body. The generation
/// runs as the stream is read; if the caller goes away (a cancelled run), the
/// stream is dropped with the generation in it, and the upstream request is
/// aborted with it.
fn progress_stream(stage: Stage, request: GenerateRequest, config: Config) -> Result<Response> {
    let (lines, received) = futures_channel::mpsc::unbounded::<String>();
    let generation = async move {
        let (status, body) = run(stage, &request, &config, Some(lines.clone())).await;
        let last = json!({"status": status, "answer": body}).to_string();
        let _ = lines.unbounded_send(format!("{}\n", redact(&last, config.api_key.as_deref().unwrap_or(""))));
        // `lines` is dropped here, and with it the stream ends.
    };
    let ended = futures_util::stream::once(generation).filter_map(|()| async { None::<String> });
    let body = futures_util::stream::select(received, ended).map(|line| Ok::<_, worker::Error>(line.into_bytes()));
    let headers = Headers::new();
    headers.set("content-type", PROGRESS_STREAM)?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_stream(body)?.with_headers(headers))
}

async fn run(
    stage: Stage,
    request: &GenerateRequest,
    config: &Config,
    progress: Option<futures_channel::mpsc::UnboundedSender<String>>,
) -> (u16, serde_json::Value) {
    let outcome = async {
        let upstream = check_request(stage, request)?;
        let Some(key) = config.api_key.clone() else {
            return Err(GenerateFailure::before_call(
                FailureClass::MissingApiKey.as_str(),
                Some(FailureClass::MissingApiKey),
                format!("{} has no GEMINI_API_KEY; set it with scripts/set-secrets.sh", stage.worker_name()),
                false,
            ));
        };
        let model = request.settings.model.clone().unwrap_or_else(|| config.model.clone());
        // Long enough to write the cap a cut-off answer is retried with.
        let call = catalogue::call_config(&model, stage, &request.settings);
        let largest = call.retry_cap(call.max_output_tokens);
        let timeout = config.timeout_ms.unwrap_or_else(|| catalogue::call_timeout_ms(&model, largest));
        // Streamed: a model that is writing is never cut off; one that is
        // silent for the idle timeout is.
        let stream = match config.timeout_ms {
            Some(ms) => catalogue::StreamTimeouts { first_byte_ms: ms, idle_ms: ms },
            None => catalogue::stream_timeouts(&model, largest),
        };
        let mut transport = FetchTransport::new(&config.base_url, key, timeout, stream);
        if let Some(lines) = progress {
            transport = transport.reporting_to(lines);
        }
        let policy = RetryPolicy::for_calls_of(timeout);
        generate(stage, request, &upstream, &model, &policy, &transport, &WorkerClock).await
    }
    .await;
    match outcome {
        Ok(success) => (200, serde_json::to_value(&success).unwrap_or_default()),
        Err(failure) => (failure.http_status(), serde_json::to_value(&failure).unwrap_or_default()),
    }
}

/// `POST /count`: the prompt tokens of the request `/generate` would send
/// first, counted by Gemini (free; nothing is generated). Without a key, the
/// missing-key failure: the supervisor then estimates.
async fn count(stage: Stage, request: &GenerateRequest, config: &Config) -> (u16, serde_json::Value) {
    let outcome = async {
        check_request(stage, request)?;
        let Some(key) = config.api_key.clone() else {
            let class = FailureClass::MissingApiKey;
            let message = format!("{} has no GEMINI_API_KEY", stage.worker_name());
            return Err(GenerateFailure::before_call(class.as_str(), Some(class), message, false));
        };
        let model = request.settings.model.clone().unwrap_or_else(|| config.model.clone());
        let timeout = config.timeout_ms.unwrap_or(MODEL_CHECK_TIMEOUT_MS).min(MODEL_CHECK_TIMEOUT_MS);
        let transport = FetchTransport::new(&config.base_url, key, timeout, quick(timeout));
        match count_tokens(stage, request, &model, &transport).await {
            Ok(n) => Ok(json!({"totalTokens": n, "model": model})),
            Err(f) => Err(GenerateFailure::before_call(f.class.as_str(), Some(f.class), f.message, false)),
        }
    }
    .await;
    match outcome {
        Ok(body) => (200, body),
        Err(failure) => (failure.http_status(), serde_json::to_value(&failure).unwrap_or_default()),
    }
}

fn text_response(status: u16, body: String) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_bytes(body.into_bytes())?.with_status(status).with_headers(headers))
}

fn json_response(status: u16, body: &serde_json::Value) -> Result<Response> {
    text_response(status, body.to_string())
}

fn error(status: u16, code: &str, message: &str) -> Result<Response> {
    json_response(status, &json!({"error": {"code": code, "message": message, "retryable": false}}))
}
