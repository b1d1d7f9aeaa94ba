use super::*;
use crate::agent::protocol::Brief;
use crate::agent::protocol::{CallOutcome, CallProgress};
use crate::fixtures::examples;
use crate::gemini::catalogue::GenerationSettings;
use crate::gemini::cost::approximate_tokens;
use crate::gemini::GenerateContentResponse;
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
        Self { answers: RefCell::new(answers.into()), bodies: RefCell::new(Vec::new()), progress: RefCell::default() }
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
        vec![Some(FailureClass::Unavailable), Some(FailureClass::Timeout), Some(FailureClass::QuotaPerMinute), None]
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
    assert_eq!(f.calls[0].message.as_deref().map(|m| m.ends_with("retrying with maxOutputTokens 24576")), Some(true));
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
    let transport = Streaming { text: prd_text(), pieces, clock: &clock, progress: RefCell::default(), running_usage };
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
