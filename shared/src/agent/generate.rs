//! One stage's generation: call the model with retries per [`RetryPolicy`],
//! parse and validate, and on an unusable answer make exactly one repair call
//! that quotes every problem. The I/O is behind two small ports so the whole
//! loop is tested natively with fakes and runs unchanged in the agent Workers.

use crate::agent::prompt;
use crate::agent::protocol::{
    AgentError, CallKind, CallOutcome, CallProgress, CallRecord, GenerateFailure, GenerateRequest, GenerateSuccess,
};
use crate::agent::retry::{GiveUpReason, RetryDecision, RetryPolicy};
use crate::artifact::{Artifact, Upstream};
use crate::check::validate::validate;
use crate::clock::Clock;
use crate::gemini::catalogue::is_model_name;
use crate::gemini::cost::approximate_tokens;
use crate::gemini::stream::{Added, SseDecoder, StreamedAnswer};
use crate::gemini::{
    catalogue, classify_error, interpret_response, Content, Disposition, FailureClass, GenerateContentRequest,
    GenerateContentResponse, ModelFailure, Usage,
};
use crate::stage::Stage;

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
    /// [`PROGRESS_EVERY_MS`], and at each stream's end); the agent Worker
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

/// Prompt tokens of the request [`generate`] would send first, counted by
/// Gemini's `countTokens` (<https://ai.google.dev/api/rest/v1beta/models/countTokens>,
/// read 2026-12-04): the body is `{"generateContentRequest": <that very
/// request, with its "models/…" name>}` and the answer `{"totalTokens": n}`.
/// Counting is free and nothing is generated.
pub async fn count_tokens(
    stage: Stage,
    req: &GenerateRequest,
    model: &str,
    transport: &impl ModelTransport,
) -> Result<u64, ModelFailure> {
    let request =
        prompt::build(stage, &req.brief, &req.upstream, req.feedback.as_deref()).request(stage, model, &req.settings);
    let mut inner = serde_json::to_value(&request).unwrap_or_default();
    inner["model"] = serde_json::Value::String(format!("models/{model}"));
    let body = serde_json::json!({ "generateContentRequest": inner }).to_string();
    match transport.count_tokens(model, &body).await {
        Ok((200, text)) => serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["totalTokens"].as_u64())
            .ok_or_else(|| ModelFailure::new(FailureClass::Unknown, "countTokens answered without totalTokens")),
        Ok((status, text)) => Err(classify_error(status, &text)),
        Err(TransportError::Timeout) => Err(ModelFailure::new(FailureClass::Timeout, "no count within the timeout")),
        Err(TransportError::Network(e)) => Err(ModelFailure::new(FailureClass::Transport, e)),
    }
}

/// Checks a `/generate` request against the stage: exactly the upstream it
/// needs, each a valid artifact. Answers the typed upstream.
pub fn check_request(stage: Stage, req: &GenerateRequest) -> Result<Upstream, GenerateFailure> {
    let bad = |msg: String| GenerateFailure::before_call("bad_request", None, msg, false);
    if req.brief.name.trim().is_empty() || req.brief.idea.trim().is_empty() {
        return Err(bad("brief.name and brief.idea must not be empty".into()));
    }
    if let Some(t) = req.settings.temperature {
        if !(0.0..=2.0).contains(&t) {
            return Err(bad(format!("settings.temperature {t} is outside 0..2")));
        }
    }
    if let Some(m) = &req.settings.model {
        if !is_model_name(m) {
            return Err(bad(format!("settings.model \"{m}\" is not a model id (letters, digits, '.', '-', '_')")));
        }
    }
    if let Some(n) = req.settings.max_output_tokens {
        if !(256..=65_536).contains(&n) {
            return Err(bad(format!("settings.maxOutputTokens {n} is outside 256..65536")));
        }
    }
    let missing: Vec<&str> =
        stage.needs().iter().filter(|n| !req.upstream.contains_key(n)).map(|n| n.as_str()).collect();
    if !missing.is_empty() {
        return Err(bad(format!("the {stage} stage needs upstream artifacts: {}", missing.join(", "))));
    }
    let extra: Vec<&str> = req.upstream.keys().filter(|s| !stage.needs().contains(s)).map(|s| s.as_str()).collect();
    if !extra.is_empty() {
        return Err(bad(format!("the {stage} stage does not take upstream artifacts: {}", extra.join(", "))));
    }
    let mut upstream = Upstream::default();
    for (s, v) in &req.upstream {
        let artifact =
            Artifact::from_value(*s, v.clone()).map_err(|e| bad(format!("upstream {s} artifact is invalid: {e}")))?;
        upstream.insert(artifact);
    }
    Ok(upstream)
}

/// Runs the generation for `stage` with `model`. `upstream` comes from [`check_request`].
pub async fn generate(
    stage: Stage,
    req: &GenerateRequest,
    upstream: &Upstream,
    model: &str,
    policy: &RetryPolicy,
    transport: &impl ModelTransport,
    clock: &impl Clock,
) -> Result<GenerateSuccess, GenerateFailure> {
    let started = clock.now_ms();
    let mut calls = Vec::new();
    let prompt = prompt::build(stage, &req.brief, &req.upstream, req.feedback.as_deref());

    let config = catalogue::call_config(model, stage, &req.settings);
    let first = prompt.request(stage, model, &req.settings);
    let mut reporter = Reporter::default();
    let (text, answer) = match call(
        CallKind::Generate,
        first,
        &config,
        model,
        policy,
        transport,
        clock,
        &mut calls,
        &mut reporter,
    )
    .await
    {
        Ok(answered) => answered,
        Err(f) => return Err(failure(f, calls)),
    };
    let problems = match check_output(stage, &text, upstream) {
        Ok(artifact) => return Ok(success(artifact, model, calls, clock.now_ms() - started)),
        Err(problems) => problems,
    };
    mark_invalid(&mut calls, &problems);

    let repair = prompt.repair_request(stage, model, &req.settings, &answer, &problems);
    let text = match call(CallKind::Repair, repair, &config, model, policy, transport, clock, &mut calls, &mut reporter)
        .await
    {
        Ok((text, _)) => text,
        Err(f) => return Err(failure(f, calls)),
    };
    match check_output(stage, &text, upstream) {
        Ok(artifact) => Ok(success(artifact, model, calls, clock.now_ms() - started)),
        Err(problems) => {
            mark_invalid(&mut calls, &problems);
            let shown: Vec<&str> = problems.iter().take(5).map(String::as_str).collect();
            let message = format!(
                "the model's {stage} artifact was still invalid after one repair ({} problems): {}",
                problems.len(),
                shown.join("; ")
            );
            Err(failure(ModelFailure::new(FailureClass::InvalidOutput, message), calls))
        }
    }
}

/// Parses and validates model output: the artifact, or every problem.
pub fn check_output(stage: Stage, text: &str, upstream: &Upstream) -> Result<Artifact, Vec<String>> {
    let artifact = Artifact::from_text(stage, text).map_err(|e| e.problems)?;
    let problems = validate(&artifact, upstream);
    if problems.is_empty() {
        Ok(artifact)
    } else {
        Err(problems)
    }
}

fn mark_invalid(calls: &mut [CallRecord], problems: &[String]) {
    if let Some(last) = calls.last_mut() {
        last.outcome = CallOutcome::Invalid;
        last.error_class = Some(FailureClass::InvalidOutput);
        last.message =
            Some(format!("{} problems, first: {}", problems.len(), problems.first().map_or("", String::as_str)));
    }
}

/// Most segments one answer may come in (finishReason `CONTINUATION`): each
/// is a billed request, so a model that never finishes is stopped here, as
/// well as by the stage's output cap.
pub const MAX_SEGMENTS: u32 = 8;

/// What the segments of one answer have brought so far.
#[derive(Default)]
struct Segments {
    /// Segments received.
    count: u32,
    /// Their answer text, in order.
    text: String,
    /// Their parts, in order: the model's turn a repair sends back.
    parts: Vec<crate::gemini::Part>,
    /// Answer and thinking tokens written so far.
    written: u32,
    /// Of those, answer tokens.
    output: u32,
    /// Of those, thinking tokens.
    thought: u32,
}

/// Longest a viewer waits for news of a streamed answer that is growing.
pub const PROGRESS_EVERY_MS: u64 = 250;

/// Tells the transport how far the generation has got
/// ([`ModelTransport::progress`]): what each [`CallProgress`] says.
#[derive(Default)]
struct Reporter {
    attempt: u32,
    kind: Option<CallKind>,
    segment: u32,
    /// Text the attempt's first progress sends again: the earlier segments
    /// of a retried segment.
    resend: String,
    /// Answer and thinking tokens of the attempt's earlier segments.
    earlier: (u32, u32),
    /// Billed by the generation's finished calls.
    billed_before: Usage,
    /// This request: answer bytes and thought characters seen, and the
    /// usage Google reported, if it did.
    bytes: usize,
    thought_chars: usize,
    reported: Option<Usage>,
    /// The request's prompt, estimated from its body until Google counts it.
    prompt_estimate: u32,
    delta: String,
    /// Whether something has not been told yet (text or Google's counts).
    unsent: bool,
    started_ms: u64,
    sent_ms: Option<u64>,
}

impl Reporter {
    /// A request starts: a new text unless `continuing` a segmented answer.
    fn begin(&mut self, kind: CallKind, fresh: bool, segments: &Segments, billed: Usage, body: &str, now: u64) {
        if fresh {
            self.attempt += 1;
            self.resend = segments.text.clone();
            self.started_ms = now;
        }
        self.kind = Some(kind);
        self.segment = segments.count + 1;
        self.earlier = (segments.output, segments.thought);
        self.billed_before = billed;
        self.bytes = 0;
        self.thought_chars = 0;
        self.reported = None;
        self.prompt_estimate = approximate_tokens(body.len()) as u32;
        self.delta.clear();
        self.unsent = false;
        self.sent_ms = None;
    }

    /// A chunk arrived: tell the viewer at once if it is the request's first
    /// or [`PROGRESS_EVERY_MS`] have passed.
    fn chunk(&mut self, added: Added, usage: Option<Usage>, now: u64, transport: &impl ModelTransport) {
        self.bytes += added.text.len();
        self.thought_chars += added.thought_chars;
        self.delta.push_str(&added.text);
        self.reported = usage.or(self.reported);
        self.unsent = true;
        if self.sent_ms.is_none_or(|sent| now.saturating_sub(sent) >= PROGRESS_EVERY_MS) {
            self.send(now, transport);
        }
    }

    /// The request ended: what the viewer has not heard yet.
    fn flush(&mut self, now: u64, transport: &impl ModelTransport) {
        if self.unsent || !self.resend.is_empty() {
            self.send(now, transport);
        }
    }

    fn send(&mut self, now: u64, transport: &impl ModelTransport) {
        // Google may report running counts on any chunk, or only on the
        // last; a count it has not given yet is estimated from characters.
        let reported = self.reported.unwrap_or_default();
        let or_estimate = |count: u32, estimate: u64| if count > 0 { count } else { estimate as u32 };
        let current = Usage {
            prompt_tokens: or_estimate(reported.prompt_tokens, u64::from(self.prompt_estimate)),
            output_tokens: or_estimate(reported.output_tokens, approximate_tokens(self.bytes)),
            thoughts_tokens: or_estimate(reported.thoughts_tokens, approximate_tokens(self.thought_chars)),
            cached_tokens: reported.cached_tokens,
        };
        let mut billed = self.billed_before;
        billed.add(current);
        let mut delta = std::mem::take(&mut self.resend);
        delta.push_str(&self.delta);
        self.delta.clear();
        self.unsent = false;
        transport.progress(&CallProgress {
            attempt: self.attempt,
            kind: self.kind,
            segment: self.segment,
            output_tokens: self.earlier.0.saturating_add(current.output_tokens),
            thought_tokens: self.earlier.1.saturating_add(current.thoughts_tokens),
            estimated: reported.output_tokens == 0,
            delta,
            elapsed_ms: now.saturating_sub(self.started_ms),
            billed,
        });
        self.sent_ms = Some(now);
    }
}

/// One logical call with its retries; records every attempt in `calls`. An
/// answer cut off at `maxOutputTokens` is asked for once more with
/// [`catalogue::CallConfig::retry_cap`] before it fails. An answer a Gemini 4
/// model decodes in segments (finishReason `CONTINUATION`) is followed, as
/// Google's SDKs do: the request is sent again with the segment's
/// `continuationToken` until the model finishes, each segment a record of its
/// own (billed on its own), within [`MAX_SEGMENTS`] and the call's output cap.
#[allow(clippy::too_many_arguments)] // one call's whole context; a struct would only rename it
async fn call(
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
        let mut answered_by = (None, None);
        reporter.begin(kind, !continuing, &segments, total_usage(calls), &body, t0);
        continuing = false;
        let (streamed, sent) = stream_once(transport, model, &body, clock, reporter).await;
        let (result, usage) = match streamed {
            Err(TransportError::Timeout) => (
                // Google finishes and bills a request the client stopped
                // waiting for: say so, since the retry is billed again.
                Err(ModelFailure::new(
                    FailureClass::Timeout,
                    "the model sent nothing within the idle timeout; the abandoned call may still be billed",
                )),
                sent,
            ),
            Err(TransportError::Network(e)) => {
                (Err(ModelFailure::new(FailureClass::Transport, format!("the model's answer broke off: {e}"))), sent)
            }
            Ok(Ok(resp)) => {
                answered_by = (resp.model_version.clone(), resp.response_id.clone());
                match interpret_response(&resp) {
                    Ok(answer) => {
                        let usage = answer.usage;
                        (Ok(answer), usage)
                    }
                    Err((f, usage)) => (Err(f), usage),
                }
            }
            Ok(Err(f)) => (Err(f), sent),
        };
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
        let result = result.and_then(|answer| {
            segments.count += 1;
            segments.text.push_str(&answer.text);
            segments.parts.extend(answer.content.parts);
            segments.output = segments.output.saturating_add(usage.output_tokens);
            segments.thought = segments.thought.saturating_add(usage.thoughts_tokens);
            segments.written = segments.output.saturating_add(segments.thought);
            let cap = request.generation_config.max_output_tokens.unwrap_or(config.max_output_ceiling);
            match answer.continuation {
                None => Ok(None),
                Some(_) if segments.count >= MAX_SEGMENTS || segments.written >= cap => Err(ModelFailure::new(
                    FailureClass::MaxTokens,
                    format!(
                        "the answer was still unfinished after {} segments and {} answer and thinking tokens \
                         (finishReason CONTINUATION; at most {MAX_SEGMENTS} segments within maxOutputTokens {cap})",
                        segments.count, segments.written
                    ),
                )),
                Some(token) => Ok(Some(token)),
            }
        });
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

fn total_usage(calls: &[CallRecord]) -> Usage {
    let mut u = Usage::default();
    for c in calls {
        u.add(c.usage);
    }
    u
}

fn success(artifact: Artifact, model: &str, calls: Vec<CallRecord>, latency_ms: u64) -> GenerateSuccess {
    GenerateSuccess {
        artifact: artifact.to_value(),
        usage: total_usage(&calls),
        model: model.to_string(),
        attempts: calls.len() as u32,
        latency_ms,
        calls,
    }
}

fn failure(f: ModelFailure, calls: Vec<CallRecord>) -> GenerateFailure {
    GenerateFailure {
        error: AgentError {
            code: f.class.as_str().to_string(),
            class: Some(f.class),
            message: f.message,
            retryable: f.class.retryable_later(),
            retry_after_ms: f.retry_after_ms.filter(|_| f.class.disposition() == Disposition::RetryAfter),
        },
        usage: total_usage(&calls),
        attempts: calls.len() as u32,
        calls,
    }
}

/// Replaces every occurrence of `secret` in `text` (no-op for short secrets,
/// which would redact ordinary words).
pub fn redact(text: &str, secret: &str) -> String {
    if secret.len() < 8 {
        return text.to_string();
    }
    text.replace(secret, "[redacted]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::protocol::Brief;
    use crate::fixtures::examples;
    use crate::gemini::catalogue::GenerationSettings;
    use crate::gemini::UsageMetadata;
    use serde_json::json;
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;

    /// Answers from a script and records every request body.
    struct Scripted {
        answers: RefCell<VecDeque<Result<(u16, String), TransportError>>>,
        bodies: RefCell<Vec<String>>,
        progress: RefCell<Vec<CallProgress>>,
    }

    impl Scripted {
        fn new(answers: Vec<Result<(u16, String), TransportError>>) -> Self {
            Self {
                answers: RefCell::new(answers.into()),
                bodies: RefCell::new(Vec::new()),
                progress: RefCell::default(),
            }
        }

        /// The text a viewer puts together from the progress heard: each
        /// attempt starts it again.
        fn viewed(&self) -> (u32, String) {
            let mut seen = (0, String::new());
            for p in self.progress.borrow().iter() {
                if p.attempt != seen.0 {
                    seen = (p.attempt, String::new());
                }
                seen.1.push_str(&p.delta);
            }
            seen
        }
    }

    impl ModelTransport for Scripted {
        async fn generate_content(&self, _model: &str, body: &str) -> Result<(u16, String), TransportError> {
            self.bodies.borrow_mut().push(body.to_string());
            self.answers.borrow_mut().pop_front().unwrap_or(Err(TransportError::Network("script ran out".into())))
        }

        fn progress(&self, progress: &CallProgress) {
            self.progress.borrow_mut().push(progress.clone());
        }
    }

    /// Virtual time: sleeping advances it and is recorded.
    #[derive(Default)]
    struct FakeClock {
        now: Cell<u64>,
        slept: RefCell<Vec<u64>>,
    }

    impl Clock for FakeClock {
        fn now_ms(&self) -> u64 {
            self.now.get()
        }
        async fn sleep(&self, ms: u64) {
            self.slept.borrow_mut().push(ms);
            self.now.set(self.now.get() + ms);
        }
        fn jitter(&self) -> f64 {
            0.0
        }
    }

    fn ok_text(text: &str) -> Result<(u16, String), TransportError> {
        let resp = GenerateContentResponse {
            candidates: vec![crate::gemini::Candidate {
                content: Some(crate::gemini::Content::text(Some("model"), text)),
                finish_reason: Some("STOP".into()),
                index: Some(0),
                ..Default::default()
            }],
            usage_metadata: Some(UsageMetadata {
                prompt_token_count: 100,
                candidates_token_count: 50,
                thoughts_token_count: 5,
                cached_content_token_count: 0,
                total_token_count: 155,
            }),
            model_version: Some("gemini-3.8-flash".into()),
            response_id: Some("resp-1".into()),
            ..Default::default()
        };
        Ok((200, serde_json::to_string(&resp).unwrap()))
    }

    fn error_body(code: u16, status: &str, details: serde_json::Value) -> Result<(u16, String), TransportError> {
        Ok((code, json!({"error": {"code": code, "message": "m", "status": status, "details": details}}).to_string()))
    }

    fn request() -> GenerateRequest {
        GenerateRequest {
            brief: Brief { name: "Pantry".into(), idea: "meal planning from the pantry".into() },
            upstream: Default::default(),
            settings: GenerationSettings::default(),
            feedback: None,
        }
    }

    fn run(
        script: Vec<Result<(u16, String), TransportError>>,
    ) -> (Result<GenerateSuccess, GenerateFailure>, Scripted, FakeClock) {
        let transport = Scripted::new(script);
        let clock = FakeClock::default();
        let req = request();
        let out = futures_executor::block_on(generate(
            Stage::Prd,
            &req,
            &Upstream::default(),
            "m1",
            &RetryPolicy::default(),
            &transport,
            &clock,
        ));
        (out, transport, clock)
    }

    fn prd_text() -> String {
        examples::pantry().artifact(Stage::Prd).to_value().to_string()
    }

    #[test]
    fn valid_first_answer_succeeds_with_usage() {
        let (out, transport, _) = run(vec![ok_text(&prd_text())]);
        let s = out.unwrap();
        assert_eq!(s.attempts, 1);
        assert_eq!(s.usage.prompt_tokens, 100);
        assert_eq!(s.usage.thoughts_tokens, 5);
        assert_eq!(s.artifact["productName"], "Pantry Planner");
        assert_eq!(transport.bodies.borrow().len(), 1);
        // The answering model and the answer's id are kept for the trace.
        assert_eq!(s.calls[0].model_version.as_deref(), Some("gemini-3.8-flash"));
        assert_eq!(s.calls[0].response_id.as_deref(), Some("resp-1"));
    }

    #[test]
    fn transient_failures_back_off_then_succeed() {
        let (out, _, clock) = run(vec![
            error_body(503, "UNAVAILABLE", json!([])),
            Err(TransportError::Timeout),
            error_body(
                429,
                "RESOURCE_EXHAUSTED",
                json!([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"}]),
            ),
            ok_text(&prd_text()),
        ]);
        let s = out.unwrap();
        assert_eq!(s.attempts, 4);
        assert_eq!(*clock.slept.borrow(), vec![250, 500, 2_000]);
        let classes: Vec<_> = s.calls.iter().map(|c| c.error_class).collect();
        assert_eq!(
            classes,
            vec![
                Some(FailureClass::Unavailable),
                Some(FailureClass::Timeout),
                Some(FailureClass::QuotaPerMinute),
                None
            ]
        );
        assert_eq!(s.calls[2].retry_delay_ms, Some(2_000));
    }

    #[test]
    fn fail_fast_classes_make_one_call() {
        let (out, transport, clock) = run(vec![error_body(
            400,
            "INVALID_ARGUMENT",
            json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]),
        )]);
        let f = out.unwrap_err();
        assert_eq!(f.error.class, Some(FailureClass::ApiKeyInvalid));
        assert_eq!(f.http_status(), 502);
        assert!(!f.error.retryable);
        assert_eq!(transport.bodies.borrow().len(), 1);
        assert!(clock.slept.borrow().is_empty());
    }

    #[test]
    fn a_quota_wait_longer_than_the_agent_holds_a_request_is_returned_not_waited() {
        let quota = |per: &str, delay: &str| {
            error_body(
                429,
                "RESOURCE_EXHAUSTED",
                json!([
                    {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
                        {"quotaId": format!("GenerateRequestsPer{per}PerProjectPerModel-FreeTier"), "quotaValue": "10"}]},
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}
                ]),
            )
        };
        let (out, transport, clock) = run(vec![quota("Minute", "47s")]);
        let f = out.unwrap_err();
        assert_eq!(f.error.class, Some(FailureClass::QuotaPerMinute));
        assert_eq!(f.error.retry_after_ms, Some(47_000), "the caller parks the stage this long");
        assert!(f.error.retryable);
        assert_eq!(transport.bodies.borrow().len(), 1);
        assert!(clock.slept.borrow().is_empty(), "47 s is more than the agent may hold the request");
        let wire = serde_json::to_value(&f).unwrap();
        assert_eq!(wire["error"]["retryAfterMs"], 47_000);

        // Short waits are waited out in the agent; when they keep failing, the
        // stage fails: there is no wait to hand on.
        let (out, transport, _) = run((0..10).map(|_| quota("Minute", "1s")).collect());
        let f = out.unwrap_err();
        assert_eq!((f.error.class, f.error.retry_after_ms), (Some(FailureClass::QuotaPerMinute), None));
        assert_eq!(transport.bodies.borrow().len(), 4);

        // A per-day quota is a clean stop: no wait to park on, and the message says which quota.
        let (out, _, _) = run(vec![quota("Day", "3600s")]);
        let f = out.unwrap_err();
        assert_eq!(f.error.class, Some(FailureClass::QuotaPerDay));
        assert_eq!(f.error.retry_after_ms, None);
        assert!(
            f.error.message.contains("GenerateRequestsPerDayPerProjectPerModel-FreeTier, limit 10"),
            "{}",
            f.error.message
        );
    }

    #[test]
    fn retries_are_bounded() {
        let (out, transport, _) = run((0..10).map(|_| error_body(500, "INTERNAL", json!([]))).collect());
        let f = out.unwrap_err();
        assert_eq!(f.error.class, Some(FailureClass::Internal));
        assert_eq!(f.http_status(), 503);
        assert!(f.error.retryable);
        assert_eq!(transport.bodies.borrow().len(), 4);
        assert_eq!(f.attempts, 4);
    }

    #[test]
    fn invalid_output_is_repaired_once_quoting_the_problems() {
        let mut broken = examples::pantry().artifact(Stage::Prd).to_value();
        broken["userStories"][0]["persona"] = json!("PER-42");
        broken.as_object_mut().unwrap().remove("summary");
        let (out, transport, _) = run(vec![ok_text(&broken.to_string()), ok_text(&prd_text())]);
        let s = out.unwrap();
        assert_eq!(s.calls.len(), 2);
        assert_eq!(s.calls[0].outcome, CallOutcome::Invalid);
        assert_eq!(s.calls[1].kind, CallKind::Repair);
        let repair: serde_json::Value = serde_json::from_str(&transport.bodies.borrow()[1]).unwrap();
        let fix = repair["contents"][2]["parts"][0]["text"].as_str().unwrap();
        assert!(fix.contains("missing required property \"summary\""), "{fix}");
        assert_eq!(repair["contents"][1]["role"], "model");
        // Shape errors stop before semantic validation; the second round would catch the rest.
        let (out, _, _) = run(vec![ok_text("{\"productName\": \"x\""), ok_text("not json either")]);
        let f = out.unwrap_err();
        assert_eq!(f.error.class, Some(FailureClass::InvalidOutput));
        assert_eq!(f.http_status(), 422);
        assert!(f.error.message.contains("still invalid after one repair"));
        assert_eq!(f.calls.len(), 2);
    }

    #[test]
    fn a_frontend_importing_a_missing_file_and_an_unlisted_package_is_repaired_once() {
        let p = examples::pantry();
        let mut req = request();
        req.upstream.insert(Stage::Design, p.artifact(Stage::Design).to_value());
        req.upstream.insert(Stage::Api, p.artifact(Stage::Api).to_value());
        let upstream = check_request(Stage::Frontend, &req).unwrap();
        let good = p.artifact(Stage::Frontend).to_value();
        let mut broken = good.clone();
        let at = broken["files"].as_array().unwrap().iter().position(|f| f["path"] == "src/main.ts").unwrap();
        let main = &mut broken["files"][at];
        let content = main["content"].as_str().unwrap();
        main["content"] =
            json!(format!("import {{ Chart }} from './chart';\nimport {{ format }} from 'date-fns';\n{content}"));
        let frontend = |script: Vec<Result<(u16, String), TransportError>>| {
            let transport = Scripted::new(script);
            let out = futures_executor::block_on(generate(
                Stage::Frontend,
                &req,
                &upstream,
                "m1",
                &RetryPolicy::default(),
                &transport,
                &FakeClock::default(),
            ));
            (out, transport)
        };
        let missing = format!("$.files[{at}].content: line 1: import \"./chart\" resolves to no file of the artifact (no src/chart, src/chart.ts, .tsx, .js or src/chart/index.ts)");
        let unlisted = format!("$.files[{at}].content: line 2: imports \"date-fns\", but package.json does not list the package \"date-fns\" in dependencies or devDependencies");

        let (out, transport) = frontend(vec![ok_text(&broken.to_string()), ok_text(&good.to_string())]);
        let s = out.unwrap();
        assert_eq!(s.artifact, good, "the repaired answer is the one accepted");
        assert_eq!((s.calls.len(), s.calls[0].outcome, s.calls[1].kind), (2, CallOutcome::Invalid, CallKind::Repair));
        assert_eq!(s.calls[0].message.as_deref(), Some(format!("2 problems, first: {missing}").as_str()));
        let repair: serde_json::Value = serde_json::from_str(&transport.bodies.borrow()[1]).unwrap();
        let fix = repair["contents"][2]["parts"][0]["text"].as_str().unwrap();
        assert!(fix.contains(&format!("- {missing}\n- {unlisted}\n")), "{fix}");
        assert!(repair["contents"][1]["parts"][0]["text"].as_str().unwrap().contains("from './chart'"));

        // Still broken after the repair: the stage fails saying why.
        let (out, _) = frontend(vec![ok_text(&broken.to_string()), ok_text(&broken.to_string())]);
        let f = out.unwrap_err();
        assert_eq!(f.error.class, Some(FailureClass::InvalidOutput));
        assert!(f.error.message.contains(&missing) && f.error.message.contains(&unlisted), "{}", f.error.message);
    }

    #[test]
    fn truncated_and_blocked_answers_fail_clearly() {
        let truncated = json!({"candidates": [{"content": {"parts": [{"text": "{\"productName\": \"Pan"}]}, "finishReason": "MAX_TOKENS"}],
                               "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 8192}});
        let (out, transport, clock) = run(vec![Ok((200, truncated.to_string())), Ok((200, truncated.to_string()))]);
        let f = out.unwrap_err();
        assert_eq!(f.error.class, Some(FailureClass::MaxTokens));
        assert_eq!(f.usage.output_tokens, 2 * 8192, "both cut-off answers are billed");
        // Cut off once: asked again at once with twice the cap, then it fails saying both caps.
        let caps: Vec<u64> = transport
            .bodies
            .borrow()
            .iter()
            .map(|b| {
                serde_json::from_str::<serde_json::Value>(b).unwrap()["generationConfig"]["maxOutputTokens"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(caps, vec![12_288, 24_576], "the prd stage's cap at low thinking, then doubled");
        assert!(clock.slept.borrow().is_empty());
        assert_eq!(
            f.calls[0].message.as_deref().map(|m| m.ends_with("retrying with maxOutputTokens 24576")),
            Some(true)
        );
        assert!(f.error.message.contains("(maxOutputTokens was 24576, the model allows 32768)"), "{}", f.error.message);
        // A second answer that fits succeeds.
        let (out, _, _) = run(vec![Ok((200, truncated.to_string())), ok_text(&prd_text())]);
        assert_eq!(out.unwrap().attempts, 2);
        let (out, _, _) = run(vec![Ok((200, json!({"promptFeedback": {"blockReason": "SAFETY"}}).to_string()))]);
        assert_eq!(out.unwrap_err().error.class, Some(FailureClass::PromptBlocked));
    }

    #[test]
    fn requests_are_checked_against_the_stage() {
        let mut req = request();
        assert!(check_request(Stage::Prd, &req).is_ok());
        let err = check_request(Stage::Api, &req).unwrap_err();
        assert_eq!(err.error.message, "the api stage needs upstream artifacts: prd, data, logic");
        req.upstream.insert(Stage::Design, json!({}));
        let err = check_request(Stage::Prd, &req).unwrap_err();
        assert_eq!(err.error.message, "the prd stage does not take upstream artifacts: design");
        let mut req = request();
        req.upstream.insert(Stage::Prd, json!({"productName": 1}));
        let err = check_request(Stage::Data, &req).unwrap_err();
        assert!(err.error.message.starts_with("upstream prd artifact is invalid"), "{}", err.error.message);
        assert_eq!(err.http_status(), 400);
        let mut req = request();
        req.settings.model = Some("../../v1/secrets".into());
        assert!(check_request(Stage::Prd, &req).unwrap_err().error.message.contains("is not a model id"));
        req.settings.model = Some("gemini-2.5-flash".into());
        req.settings.temperature = Some(3.0);
        assert!(check_request(Stage::Prd, &req).unwrap_err().error.message.contains("temperature"));
    }

    /// One segment of an answer decoded in segments, as Gemini 4 sends it.
    fn segment(text: &str, token: Option<&str>) -> Result<(u16, String), TransportError> {
        let finish = if token.is_some() { "CONTINUATION" } else { "STOP" };
        let body = json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                "finishReason": finish, "continuationToken": token, "index": 0}],
            "usageMetadata": {"promptTokenCount": 100, "candidatesTokenCount": 40, "thoughtsTokenCount": 10},
            "modelVersion": "gemini-4-argon",
        });
        Ok((200, body.to_string()))
    }

    #[test]
    fn an_answer_in_three_segments_is_followed_to_one_artifact() {
        let text = prd_text();
        let (a, b) = text.split_at(text.len() / 3);
        let (b, c) = b.split_at(b.len() / 2);
        let (out, transport, clock) =
            run(vec![segment(a, Some("dG9rZW4tMg==")), segment(b, Some("dG9rZW4tMw==")), segment(c, None)]);
        let s = out.expect("the segments make one artifact");
        assert_eq!(s.artifact["productName"], "Pantry Planner");
        // Each segment is a billed request and a record of its own; usage sums, prompt included.
        assert_eq!(s.calls.len(), 3);
        assert_eq!(s.calls.iter().map(|c| c.segment).collect::<Vec<_>>(), vec![Some(1), Some(2), Some(3)]);
        assert!(s.calls.iter().all(|c| c.outcome == CallOutcome::Ok && c.kind == CallKind::Generate));
        assert_eq!(s.usage, Usage { prompt_tokens: 300, output_tokens: 120, thoughts_tokens: 30, cached_tokens: 0 });
        // The same request each time, with the last segment's token at its top level.
        let bodies: Vec<serde_json::Value> =
            transport.bodies.borrow().iter().map(|b| serde_json::from_str(b).unwrap()).collect();
        assert_eq!(bodies[0].get("continuationToken"), None);
        assert_eq!(bodies[1]["continuationToken"], "dG9rZW4tMg==");
        assert_eq!(bodies[2]["continuationToken"], "dG9rZW4tMw==");
        let without = |b: &serde_json::Value| {
            let mut b = b.clone();
            b.as_object_mut().unwrap().remove("continuationToken");
            b
        };
        assert_eq!(without(&bodies[2]), bodies[0], "maxOutputTokens is a budget for the whole answer");
        assert!(clock.slept.borrow().is_empty(), "no wait between segments");
        // A viewer saw one text grow segment by segment, with Google's counts.
        assert_eq!(transport.viewed(), (1, text.clone()));
        let heard = transport.progress.borrow();
        assert_eq!(heard.iter().map(|p| p.segment).collect::<Vec<_>>(), vec![1, 2, 3]);
        let last = heard.last().unwrap();
        assert_eq!((last.output_tokens, last.thought_tokens, last.estimated), (120, 30, false));
        assert_eq!(last.billed, s.usage);
    }

    #[test]
    fn a_segment_that_fails_is_retried_with_its_own_token() {
        let text = prd_text();
        let (a, b) = text.split_at(text.len() / 2);
        let (out, transport, _) =
            run(vec![segment(a, Some("c2Vn")), error_body(503, "UNAVAILABLE", json!([])), segment(b, None)]);
        let s = out.unwrap();
        assert_eq!(
            s.calls.iter().map(|c| (c.segment, c.attempt)).collect::<Vec<_>>(),
            vec![(Some(1), 1), (Some(2), 1), (Some(2), 2)]
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&transport.bodies.borrow()[2]).unwrap()["continuationToken"],
            "c2Vn"
        );
        // The retry is a new attempt for a viewer, whose text starts with the
        // segment already written: never half of it twice.
        assert_eq!(transport.viewed(), (2, text.clone()));
    }

    #[test]
    fn a_model_that_never_finishes_is_stopped_at_the_segment_bound() {
        let script = (0..MAX_SEGMENTS * 3).map(|i| segment("{", Some(&format!("t{i}")))).collect();
        let (out, transport, _) = run(script);
        let f = out.unwrap_err();
        assert_eq!(f.error.class, Some(FailureClass::MaxTokens));
        assert!(f.error.message.contains("still unfinished after 8 segments"), "{}", f.error.message);
        // Once at the stage's cap, once more at the enlarged cap: never more than twice the bound.
        assert_eq!(transport.bodies.borrow().len() as u32, 2 * MAX_SEGMENTS);
    }

    #[test]
    fn a_billing_stop_fails_at_once_without_a_retry() {
        let depleted = "Your prepayment credits are depleted. Please go to AI Studio at https://ai.studio/projects to manage your project and billing.";
        for status in [402, 429] {
            let body = json!({"error": {"code": status, "message": depleted, "status": "RESOURCE_EXHAUSTED"}});
            let (out, transport, clock) = run(vec![Ok((status, body.to_string())), ok_text(&prd_text())]);
            let f = out.unwrap_err();
            assert_eq!(
                (f.error.class, f.error.retryable, f.error.retry_after_ms),
                (Some(FailureClass::Billing), false, None)
            );
            assert_eq!(f.http_status(), 402);
            assert!(f.error.message.contains("top up its credits in AI Studio"), "{}", f.error.message);
            assert_eq!(transport.bodies.borrow().len(), 1, "never retried");
            assert!(clock.slept.borrow().is_empty(), "never parked");
        }
    }

    #[test]
    fn a_timed_out_call_says_it_may_be_billed_and_its_retry_says_so_again() {
        let (out, _, _) = run(vec![Err(TransportError::Timeout), ok_text(&prd_text())]);
        let s = out.unwrap();
        let message = s.calls[0].message.as_deref().unwrap_or_default();
        assert!(message.contains("may still be billed") && message.contains("retrying, billed again"), "{message}");
    }

    #[test]
    fn each_record_names_the_thinking_level_it_sent() {
        let (out, _, _) = run(vec![ok_text(&prd_text())]);
        // "m1" is not in the catalogue: no level is sent, none is recorded.
        assert_eq!(out.unwrap().calls[0].thinking_level, None);
        let transport = Scripted::new(vec![ok_text(&prd_text())]);
        let s = futures_executor::block_on(generate(
            Stage::Prd,
            &request(),
            &Upstream::default(),
            "gemini-4-hydrogen",
            &RetryPolicy::default(),
            &transport,
            &FakeClock::default(),
        ))
        .unwrap();
        assert_eq!(s.calls[0].thinking_level, Some(crate::gemini::catalogue::ThinkingLevel::Low));
    }

    #[test]
    fn redaction_hides_the_key() {
        assert_eq!(redact("key=AIzaSECRETSECRET!", "AIzaSECRETSECRET"), "key=[redacted]!");
        assert_eq!(redact("short", "abc"), "short");
    }

    /// Streams a whole answer as Google does: the text in pieces, usage and
    /// the finish reason on the last chunk; the clock moves 100 ms a chunk.
    struct Streaming<'a> {
        text: String,
        pieces: usize,
        clock: &'a FakeClock,
        progress: RefCell<Vec<CallProgress>>,
        /// Every chunk carries the running usage Google has so far (the
        /// prompt only, until the last), as the real API may send it.
        running_usage: bool,
    }

    impl ModelTransport for Streaming<'_> {
        async fn generate_content(&self, _: &str, _: &str) -> Result<(u16, String), TransportError> {
            unreachable!("the agent streams")
        }

        async fn stream_generate_content(
            &self,
            _model: &str,
            _body: &str,
            sink: &mut dyn FnMut(&[u8]),
        ) -> Result<u16, TransportError> {
            let chars: Vec<char> = self.text.chars().collect();
            let size = chars.len().div_ceil(self.pieces);
            let pieces: Vec<String> = chars.chunks(size).map(|c| c.iter().collect()).collect();
            for (i, piece) in pieces.iter().enumerate() {
                let last = i + 1 == pieces.len();
                let mut chunk =
                    json!({"candidates": [{"content": {"role": "model", "parts": [{"text": piece}]}, "index": 0}]});
                if last {
                    chunk["candidates"][0]["finishReason"] = json!("STOP");
                    chunk["usageMetadata"] =
                        json!({"promptTokenCount": 90, "candidatesTokenCount": 700, "thoughtsTokenCount": 64});
                } else if self.running_usage {
                    chunk["usageMetadata"] = json!({"promptTokenCount": 90, "totalTokenCount": 90});
                }
                self.clock.now.set(self.clock.now.get() + 100);
                sink(format!("data: {chunk}\r\n\r\n").as_bytes());
            }
            Ok(200)
        }

        fn progress(&self, progress: &CallProgress) {
            self.progress.borrow_mut().push(progress.clone());
        }
    }

    /// The PRD generated from [`Streaming`] in `pieces` chunks: the progress heard.
    fn streamed(pieces: usize, running_usage: bool) -> Vec<CallProgress> {
        let clock = FakeClock::default();
        let transport =
            Streaming { text: prd_text(), pieces, clock: &clock, progress: RefCell::default(), running_usage };
        let (req, upstream, policy) = (request(), Upstream::default(), RetryPolicy::default());
        let run = generate(Stage::Prd, &req, &upstream, "m1", &policy, &transport, &clock);
        assert!(futures_executor::block_on(run).is_ok());
        transport.progress.into_inner()
    }

    #[test]
    fn a_streamed_answer_is_heard_as_it_grows_estimated_until_google_counts_it() {
        let text = prd_text();
        let heard = streamed(12, false);
        // 12 chunks 100 ms apart: the first at once (100 ms), then one each
        // 250 ms or more (400, 700, 1000), and the rest at the end (1200).
        let times: Vec<u64> = heard.iter().map(|p| p.elapsed_ms).collect();
        assert_eq!(times, vec![100, 400, 700, 1000, 1200]);
        let first = &heard[0];
        assert!(first.estimated && first.output_tokens > 0 && first.thought_tokens == 0);
        assert_eq!(first.output_tokens as u64, approximate_tokens(first.delta.len()));
        let last = heard.last().unwrap();
        assert_eq!((last.output_tokens, last.thought_tokens, last.estimated), (700, 64, false));
        assert_eq!(heard.iter().map(|p| p.delta.as_str()).collect::<String>(), text);
        assert!(heard.iter().all(|p| p.attempt == 1 && p.segment == 1 && p.kind == Some(CallKind::Generate)));
    }

    #[test]
    fn running_usage_without_the_answers_count_keeps_the_estimate_and_the_prompt() {
        let heard = streamed(12, true);
        let tokens: Vec<u32> = heard.iter().map(|p| p.output_tokens).collect();
        assert!(tokens.windows(2).take(heard.len() - 2).all(|w| w[0] < w[1]), "the count grows: {tokens:?}");
        assert!(heard[..heard.len() - 1].iter().all(|p| p.estimated && p.billed.prompt_tokens == 90));
        assert!(!heard.last().unwrap().estimated);
    }

    #[test]
    fn the_last_counts_are_told_even_when_they_come_right_after_the_text() {
        // One chunk brings the text and the counts: the first progress is
        // already exact, the prompt Google's own count.
        let heard = streamed(1, false);
        assert_eq!((heard[0].output_tokens, heard[0].estimated, heard[0].billed.prompt_tokens), (700, false, 90));
    }
}
