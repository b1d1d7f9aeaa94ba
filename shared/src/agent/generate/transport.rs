//! The port a generation sends its requests through: the agent Worker
//! implements it over `fetch`, the tests with scripts.

use crate::agent::protocol::CallProgress;

/// Why a request never produced an HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// No answer within the client's timeout (while streaming: no bytes for
    /// the idle timeout, so a model that is writing is never cut off).
    Timeout,
    /// The connection failed.
    Network(String),
}

/// Sends Gemini requests; the edge implements it with `fetch`.
#[allow(async_fn_in_trait)] // single-threaded (wasm32) callers; no Send bound wanted
pub trait ModelTransport {
    /// POSTs `body` for `model` to `generateContent`, answering the HTTP
    /// status and body text.
    async fn generate_content(&self, model: &str, body: &str) -> Result<(u16, String), TransportError>;

    /// POSTs `body` for `model` to `streamGenerateContent?alt=sse`, handing
    /// each piece of the answer's body to `sink` as it arrives, and answers
    /// the HTTP status once the body has ended. A transport that does not
    /// stream (the tests' scripted ones) sends `generateContent`'s whole
    /// answer as one event.
    async fn stream_generate_content(
        &self,
        model: &str,
        body: &str,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<u16, TransportError> {
        let (status, text) = self.generate_content(model, body).await?;
        if status == 200 {
            sink(format!("data: {text}\r\n\r\n").as_bytes());
        } else {
            sink(text.as_bytes());
        }
        Ok(status)
    }

    /// Hears how far a streamed generation has got (at most every
    /// [`PROGRESS_EVERY_MS`](super::PROGRESS_EVERY_MS), and at each stream's end); the agent Worker
    /// passes it on to the supervisor. Nothing by default.
    fn progress(&self, progress: &CallProgress) {
        let _ = progress;
    }

    /// POSTs `body` to `models/{model}:countTokens`; a transport that cannot
    /// says so, and the caller estimates instead.
    async fn count_tokens(&self, model: &str, body: &str) -> Result<(u16, String), TransportError> {
        let _ = (model, body);
        Err(TransportError::Network("this transport does not count tokens".into()))
    }
}
