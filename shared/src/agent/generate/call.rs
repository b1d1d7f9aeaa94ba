//! One logical call to the model: its attempts and retries, one more try at
//! a larger output cap, and an answer decoded in segments followed to its end.

use super::progress::Reporter;
use super::segments::Segments;
use super::total_usage;
use super::transport::{ModelTransport, TransportError};
use crate::agent::protocol::{CallKind, CallOutcome, CallRecord};
use crate::agent::retry::{GiveUpReason, RetryDecision, RetryPolicy};
use crate::clock::Clock;
use crate::gemini::stream::{SseDecoder, StreamedAnswer};
use crate::gemini::{
    catalogue, classify_error, interpret_response, Content, FailureClass, GenerateContentRequest,
    GenerateContentResponse, ModelAnswer, ModelFailure, Usage,
};

/// One logical call with its retries; records every attempt in `calls`. An
/// answer cut off at `maxOutputTokens` is asked for once more with
/// [`catalogue::CallConfig::retry_cap`] before it fails. An answer a Gemini 4
/// model decodes in segments (finishReason `CONTINUATION`) is followed, as
/// Google's SDKs do: the request is sent again with the segment's
/// `continuationToken` until the model finishes, each segment a record of its
/// own (billed on its own), within [`MAX_SEGMENTS`](super::MAX_SEGMENTS) and the call's output cap.
#[allow(clippy::too_many_arguments)] // one call's whole context; a struct would only rename it
pub(super) async fn call(
    kind: CallKind,
    mut request: GenerateContentRequest,
    config: &catalogue::CallConfig,
    model: &str,
    policy: &RetryPolicy,
    transport: &impl ModelTransport,
    clock: &impl Clock,
    calls: &mut Vec<CallRecord>,
    reporter: &mut Reporter,
) -> Result<(String, Content), ModelFailure> {
    // The request is a plain struct of strings and JSON values: serialising cannot fail.
    let mut body = serde_json::to_string(&request).unwrap_or_default();
    let mut enlarged = false;
    let mut started = clock.now_ms();
    let mut attempt = 0;
    let mut segments = Segments::default();
    let thinking_level = request.generation_config.thinking_config.and_then(|t| t.thinking_level);
    // Whether the next request continues the text (a further segment) rather
    // than starting it again (the first request, a retry, the repair).
    let mut continuing = false;
    loop {
        attempt += 1;
        let t0 = clock.now_ms();
        reporter.begin(kind, !continuing, &segments, total_usage(calls), &body, t0);
        continuing = false;
        let (streamed, sent) = stream_once(transport, model, &body, clock, reporter).await;
        let (result, usage, answered_by) = read_attempt(streamed, sent);
        let segmented = segments.count > 0 || result.as_ref().is_ok_and(|a| a.continuation.is_some());
        let mut record = CallRecord {
            kind,
            attempt,
            outcome: CallOutcome::Ok,
            error_class: None,
            message: None,
            usage,
            latency_ms: clock.now_ms().saturating_sub(t0),
            retry_delay_ms: None,
            model_version: answered_by.0,
            response_id: answered_by.1,
            segment: segmented.then_some(segments.count + 1),
            thinking_level,
        };
        let cap = request.generation_config.max_output_tokens.unwrap_or(config.max_output_ceiling);
        let result = result.and_then(|answer| segments.take(answer, usage, cap));
        match result {
            Ok(Some(token)) => {
                // The next segment: a new request with the token, its own attempts.
                record.message =
                    Some(format!("segment {} of an answer decoded in segments; continuing", segments.count));
                calls.push(record);
                request.continuation_token = Some(token);
                body = serde_json::to_string(&request).unwrap_or_default();
                continuing = true;
                attempt = 0;
                started = clock.now_ms();
                continue;
            }
            Ok(None) => {
                calls.push(record);
                let Segments { text, parts, .. } = segments;
                return Ok((text, Content { role: Some("model".into()), parts }));
            }
            Err(mut f) => {
                record.outcome = CallOutcome::Failed;
                record.error_class = Some(f.class);
                record.message = Some(f.message.clone());
                let ceiling = config.max_output_ceiling;
                let cap = request.generation_config.max_output_tokens.unwrap_or(ceiling);
                if f.class == FailureClass::MaxTokens && !enlarged && cap < ceiling {
                    // Again from the start, with room for the whole answer.
                    enlarged = true;
                    let larger = config.retry_cap(cap);
                    request.generation_config.max_output_tokens = Some(larger);
                    request.continuation_token = None;
                    segments = Segments::default();
                    body = serde_json::to_string(&request).unwrap_or_default();
                    record.message = Some(format!("{}; retrying with maxOutputTokens {larger}", f.message));
                    record.retry_delay_ms = Some(0);
                    calls.push(record);
                    continue;
                }
                if f.class == FailureClass::MaxTokens {
                    f.message = format!("{} (maxOutputTokens was {cap}, the model allows {ceiling})", f.message);
                    record.message = Some(f.message.clone());
                }
                let decision = policy.decide(&f, attempt, clock.now_ms().saturating_sub(started), clock.jitter());
                match decision {
                    RetryDecision::Retry { delay_ms } => {
                        record.retry_delay_ms = Some(delay_ms);
                        if f.class == FailureClass::Timeout {
                            record.message = Some(format!("{}; retrying, billed again", f.message));
                        }
                        calls.push(record);
                        clock.sleep(delay_ms).await;
                    }
                    RetryDecision::GiveUp(why) => {
                        // A wait is handed to the caller only when it is longer
                        // than this agent may hold a request: shorter ones were
                        // waited out here, and retrying failed.
                        let long = f.retry_after_ms.is_some_and(|ms| ms > policy.max_wait_ms);
                        if why != GiveUpReason::WaitTooLong || !long {
                            f.retry_after_ms = None;
                        }
                        calls.push(record);
                        return Err(f);
                    }
                }
            }
        }
    }
}

/// One attempt's streamed outcome as the model's answer or its failure,
/// with the usage it is billed for and who answered (`modelVersion`,
/// `responseId`).
#[allow(clippy::type_complexity)] // stream_once's result, taken apart once
fn read_attempt(
    streamed: Result<Result<GenerateContentResponse, ModelFailure>, TransportError>,
    sent: Usage,
) -> (Result<ModelAnswer, ModelFailure>, Usage, (Option<String>, Option<String>)) {
    match streamed {
        Err(TransportError::Timeout) => (
            // Google finishes and bills a request the client stopped
            // waiting for: say so, since the retry is billed again.
            Err(ModelFailure::new(
                FailureClass::Timeout,
                "the model sent nothing within the idle timeout; the abandoned call may still be billed",
            )),
            sent,
            (None, None),
        ),
        Err(TransportError::Network(e)) => (
            Err(ModelFailure::new(FailureClass::Transport, format!("the model's answer broke off: {e}"))),
            sent,
            (None, None),
        ),
        Ok(Ok(resp)) => {
            let answered_by = (resp.model_version.clone(), resp.response_id.clone());
            match interpret_response(&resp) {
                Ok(answer) => {
                    let usage = answer.usage;
                    (Ok(answer), usage, answered_by)
                }
                Err((f, usage)) => (Err(f), usage, answered_by),
            }
        }
        Ok(Err(f)) => (Err(f), sent, (None, None)),
    }
}

/// The most bytes of an error body kept (error bodies are small; a 200's
/// body is read as events, never kept whole).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// One streamed request: the answer put together from its events, or its
/// classified failure, with the last usage Google reported (a stream that
/// broke off is billed for what it sent).
async fn stream_once(
    transport: &impl ModelTransport,
    model: &str,
    body: &str,
    clock: &impl Clock,
    reporter: &mut Reporter,
) -> (Result<Result<GenerateContentResponse, ModelFailure>, TransportError>, Usage) {
    let mut decoder = SseDecoder::default();
    let mut answer = StreamedAnswer::default();
    let mut unreadable = None;
    let mut raw = Vec::new();
    let status = transport
        .stream_generate_content(model, body, &mut |bytes| {
            if raw.len() < MAX_ERROR_BODY {
                raw.extend_from_slice(&bytes[..bytes.len().min(MAX_ERROR_BODY - raw.len())]);
            }
            for data in decoder.push(bytes) {
                match answer.add(&data) {
                    Ok(added) => reporter.chunk(added, answer.usage().map(Usage::from), clock.now_ms(), transport),
                    Err(f) => {
                        unreadable.get_or_insert(f);
                    }
                }
            }
        })
        .await;
    reporter.flush(clock.now_ms(), transport);
    let sent = answer.usage().map(Usage::from).unwrap_or_default();
    let outcome = status.map(|status| match (status, unreadable) {
        (200, Some(f)) => Err(f),
        (200, None) if decoder.has_partial_event() => {
            Err(ModelFailure::new(FailureClass::Unfinished, "the answer's stream was cut in the middle of an event"))
        }
        (200, None) => answer.finish(),
        (status, _) => Err(classify_error(status, &String::from_utf8_lossy(&raw))),
    });
    (outcome, sent)
}
