//! Gemini's streamed answers, read as they arrive.
//!
//! `POST /v1beta/models/{model}:streamGenerateContent?alt=sse` answers
//! server-sent events: each event a `data:` line holding one
//! `GenerateContentResponse` chunk, ended by a blank line; the text comes in
//! pieces, `usageMetadata` and `finishReason` on the last chunk, a long
//! Gemini 4 answer's `CONTINUATION` and `continuationToken` on the last chunk
//! of each segment (docs/research/gemini-2026-12-06.md, *Streaming*, from
//! Google's SDK test streams). An error before the stream starts is an
//! ordinary JSON error body with its HTTP status; one after it started
//! arrives as an event whose data is `{"error": {...}}`.
//!
//! [`SseDecoder`] cuts bytes into events, lines ended by `\n` or `\r\n`,
//! wherever the network splits them; [`StreamedAnswer`] joins the
//! chunks into the one response [`super::interpret_response`] reads, so a
//! stream that ends without a finish reason is `unfinished` (never an
//! artifact) and an error event is classified like an error body.

use super::{classify_error, Candidate, Content, GenerateContentResponse, ModelFailure, Part, UsageMetadata};
use serde_json::Value;

/// Cuts a byte stream into the `data` of each server-sent event.
#[derive(Debug, Default)]
pub struct SseDecoder {
    /// Bytes of an event not yet ended by a blank line.
    pending: Vec<u8>,
}

impl SseDecoder {
    /// Takes the next bytes; answers the data of every event they complete
    /// (several `data:` lines of one event joined by `\n`; comments and
    /// other fields ignored).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(bytes);
        let mut events = Vec::new();
        while let Some((end, skip)) = event_end(&self.pending) {
            let event: Vec<u8> = self.pending.drain(..end + skip).take(end).collect();
            let text = String::from_utf8_lossy(&event);
            let data: Vec<&str> = text
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            if !data.is_empty() {
                events.push(data.join("\n"));
            }
        }
        events
    }

    /// Whether bytes of an unfinished event are waiting: a stream that ends
    /// so was cut.
    pub fn has_partial_event(&self) -> bool {
        self.pending.iter().any(|b| !b.is_ascii_whitespace())
    }
}

/// Where the first event in `bytes` ends (the index of its blank line) and
/// how long that blank line is.
fn event_end(bytes: &[u8]) -> Option<(usize, usize)> {
    let lf = bytes.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2));
    let crlf = bytes.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, 4));
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(if a.0 < b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// What one chunk added to a streamed answer.
#[derive(Debug, Default, PartialEq)]
pub struct Added {
    /// Answer text.
    pub text: String,
    /// Characters of thought summaries.
    pub thought_chars: usize,
}

/// A streamed answer put together chunk by chunk.
#[derive(Debug, Default)]
pub struct StreamedAnswer {
    /// The chunks read so far.
    pub chunks: u32,
    merged: GenerateContentResponse,
    /// An error event, with the HTTP status it names.
    error: Option<(u16, String)>,
}

impl StreamedAnswer {
    /// Adds one event's data, answering the answer text it brought (thoughts
    /// apart). A chunk that is not JSON ends the stream as an unreadable
    /// answer.
    pub fn add(&mut self, data: &str) -> Result<Added, ModelFailure> {
        let value: Value = serde_json::from_str(data).map_err(|e| {
            ModelFailure::new(super::FailureClass::Unknown, format!("an unreadable chunk in the answer's stream: {e}"))
        })?;
        self.chunks += 1;
        if let Some(error) = value.get("error") {
            let code = error["code"].as_u64().and_then(|c| u16::try_from(c).ok()).unwrap_or(500);
            self.error = Some((code, data.to_string()));
            return Ok(Added::default());
        }
        let chunk: GenerateContentResponse = serde_json::from_value(value).map_err(|e| {
            ModelFailure::new(super::FailureClass::Unknown, format!("an unreadable chunk in the answer's stream: {e}"))
        })?;
        let mut added = Added::default();
        for part in chunk.candidates.iter().flat_map(|c| &c.content).flat_map(|c| &c.parts) {
            match (&part.text, part.thought) {
                (Some(text), Some(true)) => added.thought_chars += text.chars().count(),
                (Some(text), _) => added.text.push_str(text),
                _ => {}
            }
        }
        self.merge(chunk);
        Ok(added)
    }

    fn merge(&mut self, chunk: GenerateContentResponse) {
        let m = &mut self.merged;
        m.model_version = m.model_version.take().or(chunk.model_version);
        m.response_id = m.response_id.take().or(chunk.response_id);
        if chunk.prompt_feedback.is_some() {
            m.prompt_feedback = chunk.prompt_feedback;
        }
        if chunk.usage_metadata.is_some() {
            m.usage_metadata = chunk.usage_metadata;
        }
        let Some(piece) = chunk.candidates.into_iter().next() else { return };
        if m.candidates.is_empty() {
            m.candidates.push(Candidate { index: piece.index, ..Candidate::default() });
        }
        let c = &mut m.candidates[0];
        for part in piece.content.into_iter().flat_map(|content| content.parts) {
            let parts =
                &mut c.content.get_or_insert_with(|| Content { role: Some("model".into()), parts: vec![] }).parts;
            match parts.last_mut() {
                // Text pieces of one kind join into one part, as a whole answer has them.
                Some(Part { text: Some(text), thought, thought_signature: None })
                    if *thought == part.thought && part.thought_signature.is_none() =>
                {
                    text.push_str(part.text.as_deref().unwrap_or_default());
                }
                _ => parts.push(part),
            }
        }
        c.finish_reason = piece.finish_reason.or(c.finish_reason.take());
        c.finish_message = piece.finish_message.or(c.finish_message.take());
        c.continuation_token = piece.continuation_token.or(c.continuation_token.take());
    }

    /// The last usage Google reported, if it reported any yet: what a
    /// stream that broke off is billed for.
    pub fn usage(&self) -> Option<UsageMetadata> {
        self.merged.usage_metadata
    }

    /// The whole answer, as `generateContent` would have sent it; an error
    /// event, classified as its error body would be.
    pub fn finish(self) -> Result<GenerateContentResponse, ModelFailure> {
        match self.error {
            Some((code, body)) => {
                let mut f = classify_error(code, &body);
                f.message = format!("{} (during the stream)", f.message);
                Err(f)
            }
            None => Ok(self.merged),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemini::{interpret_response, FailureClass};
    use serde_json::json;

    fn stream(events: &[Value], ending: &str) -> Vec<u8> {
        events.iter().map(|e| format!("data: {e}{ending}{ending}")).collect::<String>().into_bytes()
    }

    fn read(bytes: &[u8], piece: usize) -> StreamedAnswer {
        let mut decoder = SseDecoder::default();
        let mut answer = StreamedAnswer::default();
        for chunk in bytes.chunks(piece) {
            for data in decoder.push(chunk) {
                answer.add(&data).unwrap();
            }
        }
        assert!(!decoder.has_partial_event());
        answer
    }

    fn three_chunks() -> Vec<Value> {
        vec![
            json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "{\"a\": "}]}, "index": 0}],
                   "modelVersion": "gemini-4-hydrogen", "responseId": "r1"}),
            json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "[1, 2"}]}, "index": 0}]}),
            json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "]}"}]}, "finishReason": "STOP", "index": 0}],
                   "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 6, "thoughtsTokenCount": 3}}),
        ]
    }

    #[test]
    fn chunks_join_into_the_answer_whatever_the_framing_and_the_cuts() {
        for ending in ["\n", "\r\n"] {
            let bytes = stream(&three_chunks(), ending);
            for piece in [1, 3, 7, bytes.len()] {
                let answer = read(&bytes, piece);
                assert_eq!(answer.chunks, 3);
                let a = interpret_response(&answer.finish().unwrap()).unwrap();
                assert_eq!(a.text, "{\"a\": [1, 2]}", "{ending:?} in pieces of {piece}");
                assert_eq!((a.usage.prompt_tokens, a.usage.output_tokens, a.usage.thoughts_tokens), (12, 6, 3));
            }
        }
    }

    #[test]
    fn a_stream_cut_before_its_finish_reason_is_never_an_answer() {
        let cut = &three_chunks()[..2];
        let f = interpret_response(&read(&stream(cut, "\n"), 5).finish().unwrap()).unwrap_err().0;
        assert_eq!(f.class, FailureClass::Unfinished);
        // Half an event when the bytes stop: the decoder says so.
        let mut decoder = SseDecoder::default();
        assert!(decoder.push(b"data: {\"candidates\": [").is_empty());
        assert!(decoder.has_partial_event());
    }

    #[test]
    fn an_error_event_mid_stream_is_classified_like_an_error_body() {
        let mut events = three_chunks()[..1].to_vec();
        events.push(json!({"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}));
        let f = read(&stream(&events, "\r\n"), 9).finish().unwrap_err();
        assert_eq!(f.class, FailureClass::Unavailable);
        assert!(f.message.contains("during the stream"), "{}", f.message);
    }

    #[test]
    fn a_safety_stop_mid_stream_and_a_segment_end_read_as_they_would_whole() {
        let mut events = three_chunks()[..1].to_vec();
        events.push(json!({"candidates": [{"finishReason": "SAFETY", "index": 0}]}));
        let f = interpret_response(&read(&stream(&events, "\n"), 4).finish().unwrap()).unwrap_err().0;
        assert_eq!(f.class, FailureClass::Safety);
        let mut events = three_chunks()[..2].to_vec();
        events.push(json!({"candidates": [{"finishReason": "CONTINUATION", "continuationToken": "c2Vn", "index": 0}]}));
        let a = interpret_response(&read(&stream(&events, "\n"), 4).finish().unwrap()).unwrap();
        assert_eq!((a.text.as_str(), a.continuation.as_deref()), ("{\"a\": [1, 2", Some("c2Vn")));
    }

    #[test]
    fn thoughts_are_kept_apart_from_the_answer() {
        let events = [
            json!({"candidates": [{"content": {"parts": [{"text": "planning", "thought": true}]}}]}),
            json!({"candidates": [{"content": {"parts": [{"text": "{}"}]}, "finishReason": "STOP"}]}),
        ];
        let answer = read(&stream(&events, "\n"), 3);
        assert_eq!(interpret_response(&answer.finish().unwrap()).unwrap().text, "{}");
    }
}
