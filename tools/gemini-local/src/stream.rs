//! `streamGenerateContent?alt=sse`: a generation's answer cut into chunks,
//! written at a pace, shaped by a stream fault, its record kept.

use crate::faults::{Fault, SLOW_TOKENS_PER_SECOND};
use crate::wire::error_body;
use crate::{unix_ms, GeminiLocal};
use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

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

impl GeminiLocal {
    /// A streamed answer: the same answer `generateContent` gives, cut into
    /// chunks and written at the configured pace, shaped by a stream fault.
    pub(crate) async fn stream(self, model: String, key: Option<String>, body: Bytes) -> Response {
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
