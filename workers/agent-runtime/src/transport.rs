//! The Workers side of the generation ports: Gemini over `fetch`
//! (`streamGenerateContent` read as it arrives, `generateContent`,
//! `countTokens`, `models/{model}`), time over `Date` and `Delay`.

use futures_channel::mpsc::UnboundedSender;
use futures_util::future::{select, Either};
use futures_util::StreamExt;
use parit_shared::agent::generate::{redact, ModelTransport, TransportError};
use parit_shared::agent::protocol::CallProgress;
use parit_shared::clock::Clock;
use parit_shared::gemini::catalogue::StreamTimeouts;
use std::time::Duration;
use worker::{AbortController, Date, Delay, Fetch, Headers, Method, Request, RequestInit};

const TIMEOUT: &str = "timeout";

/// Calls `{base}/v1beta/models/{model}:…` with `x-goog-api-key`.
pub(crate) struct FetchTransport {
    base_url: String,
    api_key: String,
    /// A whole answer's timeout, for calls that are not streamed.
    timeout_ms: u64,
    /// A streamed answer's idle timeouts.
    stream: StreamTimeouts,
    /// Where progress lines go, when the caller asked for them.
    progress: Option<UnboundedSender<String>>,
}

impl FetchTransport {
    pub(crate) fn new(base_url: &str, api_key: String, timeout_ms: u64, stream: StreamTimeouts) -> Self {
        Self { base_url: base_url.trim_end_matches('/').to_string(), api_key, timeout_ms, stream, progress: None }
    }

    /// Sends each progress to `lines` as a line of the streamed answer.
    pub(crate) fn reporting_to(mut self, lines: UnboundedSender<String>) -> Self {
        self.progress = Some(lines);
        self
    }

    /// `GET /v1beta/models/{model}`: whether the API serves the model to this key.
    pub(crate) async fn get_model(&self, model: &str) -> Result<(u16, String), TransportError> {
        let url = format!("{}/v1beta/models/{model}", self.base_url);
        self.send(Method::Get, &url, None).await.map_err(transport_error)
    }

    fn request(&self, method: Method, url: &str, body: Option<&str>) -> worker::Result<Request> {
        let headers = Headers::new();
        headers.set("x-goog-api-key", &self.api_key)?;
        let mut init = RequestInit::new();
        if let Some(body) = body {
            headers.set("content-type", "application/json")?;
            init.with_body(Some(body.into()));
        }
        init.with_method(method).with_headers(headers);
        Request::new_with_init(url, &init)
    }

    async fn send(&self, method: Method, url: &str, body: Option<&str>) -> worker::Result<(u16, String)> {
        let request = self.request(method, url, body)?;
        let controller = AbortController::default();
        let signal = controller.signal();
        let send = Box::pin(async move {
            let mut resp = Fetch::Request(request).send_with_signal(&signal).await?;
            let status = resp.status_code();
            Ok::<_, worker::Error>((status, resp.text().await?))
        });
        let timeout = Box::pin(Delay::from(Duration::from_millis(self.timeout_ms)));
        let answered = match select(send, timeout).await {
            Either::Left((result, _)) => Some(result),
            Either::Right(_) => None,
        };
        answered.unwrap_or_else(|| {
            controller.abort();
            Err(worker::Error::RustError(TIMEOUT.into()))
        })
    }
}

impl ModelTransport for FetchTransport {
    async fn generate_content(&self, model: &str, body: &str) -> Result<(u16, String), TransportError> {
        let url = format!("{}/v1beta/models/{model}:generateContent", self.base_url);
        self.send(Method::Post, &url, Some(body)).await.map_err(transport_error)
    }

    /// The answer's bytes to `sink` as they arrive. The wait for the first
    /// is [`StreamTimeouts::first_byte_ms`], each later one
    /// [`StreamTimeouts::idle_ms`]; a silence longer than that aborts the
    /// request (Google sees the connection close) and is a timeout.
    async fn stream_generate_content(
        &self,
        model: &str,
        body: &str,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<u16, TransportError> {
        let url = format!("{}/v1beta/models/{model}:streamGenerateContent?alt=sse", self.base_url);
        let request = self.request(Method::Post, &url, Some(body)).map_err(transport_error)?;
        // However this ends (a timeout, or the caller gone and this future
        // dropped), the upstream request is closed: Google stops writing.
        let controller = AbortOnDrop(Some(AbortController::default()));
        let signal = controller.signal();
        let first = Duration::from_millis(self.stream.first_byte_ms);
        let started = Date::now().as_millis();
        let fetch = Fetch::Request(request);
        let send = Box::pin(fetch.send_with_signal(&signal));
        let mut resp = match select(send, Box::pin(Delay::from(first))).await {
            Either::Left((answer, _)) => answer.map_err(transport_error)?,
            Either::Right(_) => return Err(TransportError::Timeout),
        };
        let status = resp.status_code();
        let mut bytes = resp.stream().map_err(transport_error)?;
        // One deadline for the first byte, headers and body together.
        let waited = Duration::from_millis(Date::now().as_millis().saturating_sub(started));
        let mut wait = first.saturating_sub(waited);
        loop {
            match select(Box::pin(bytes.next()), Box::pin(Delay::from(wait))).await {
                Either::Left((Some(Ok(chunk)), _)) => {
                    sink(&chunk);
                    wait = Duration::from_millis(self.stream.idle_ms);
                }
                Either::Left((Some(Err(e)), _)) => return Err(transport_error(e)),
                Either::Left((None, _)) => return Ok(status),
                Either::Right(_) => return Err(TransportError::Timeout),
            }
        }
    }

    fn progress(&self, progress: &CallProgress) {
        if let (Some(lines), Ok(p)) = (&self.progress, serde_json::to_value(progress)) {
            // A closed channel is a caller gone: the generation is being dropped.
            let line = serde_json::json!({"progress": p}).to_string();
            let _ = lines.unbounded_send(format!("{}\n", redact(&line, &self.api_key)));
        }
    }

    async fn count_tokens(&self, model: &str, body: &str) -> Result<(u16, String), TransportError> {
        let url = format!("{}/v1beta/models/{model}:countTokens", self.base_url);
        self.send(Method::Post, &url, Some(body)).await.map_err(transport_error)
    }
}

/// Aborts its request when dropped.
struct AbortOnDrop(Option<AbortController>);

impl AbortOnDrop {
    fn signal(&self) -> worker::AbortSignal {
        self.0.as_ref().map(AbortController::signal).unwrap_or_else(worker::AbortSignal::abort)
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(controller) = self.0.take() {
            controller.abort();
        }
    }
}

fn transport_error(e: worker::Error) -> TransportError {
    match e {
        worker::Error::RustError(m) if m == TIMEOUT => TransportError::Timeout,
        // The message of a failed fetch names the URL, never the header.
        other => TransportError::Network(other.to_string()),
    }
}

/// Wall-clock time, `Delay` sleeps and `Math.random` jitter.
pub(crate) struct WorkerClock;

impl Clock for WorkerClock {
    fn now_ms(&self) -> u64 {
        Date::now().as_millis()
    }

    async fn sleep(&self, ms: u64) {
        Delay::from(Duration::from_millis(ms)).await
    }

    fn jitter(&self) -> f64 {
        worker::js_sys::Math::random()
    }
}
