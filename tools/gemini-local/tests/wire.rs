//! The local server and the domain's Gemini client agree on the wire: every
//! injected fault, sent over real HTTP, is classified as `parit_shared::gemini` says, and
//! every stage of both example products comes back valid, also when the
//! upstream it is sent is not the example's own.

use parit_gemini_local::GeminiLocal;
use parit_shared::agent::generate::{check_request, count_tokens, generate, ModelTransport, TransportError};
use parit_shared::agent::prompt;
use parit_shared::agent::protocol::{Brief, GenerateRequest};
use parit_shared::agent::retry::RetryPolicy;
use parit_shared::check::{consistency, validate::validate};
use parit_shared::clock::Clock;
use parit_shared::gemini::catalogue::GenerationSettings;
use parit_shared::gemini::FailureClass;
use parit_shared::gemini::{interpret_response, GenerateContentResponse};
use parit_shared::{fixtures::examples, Artifact, Stage, Upstream};
use serde_json::{json, Value};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

fn base() -> &'static str {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || GeminiLocal::new(0).serve(listener));
        format!("http://127.0.0.1:{port}")
    })
}

struct Http {
    key: &'static str,
}

impl ModelTransport for Http {
    async fn generate_content(&self, model: &str, body: &str) -> Result<(u16, String), TransportError> {
        self.post(&format!("{}/v1beta/models/{model}:generateContent", base()), body)
    }

    async fn count_tokens(&self, model: &str, body: &str) -> Result<(u16, String), TransportError> {
        self.post(&format!("{}/v1beta/models/{model}:countTokens", base()), body)
    }

    /// The answer read as it arrives, with a 500 ms idle timeout per read.
    async fn stream_generate_content(
        &self,
        model: &str,
        body: &str,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<u16, TransportError> {
        use std::io::Read;
        let url = format!("{}/v1beta/models/{model}:streamGenerateContent?alt=sse", base());
        let agent = ureq::AgentBuilder::new().timeout_read(Duration::from_millis(500)).build();
        let request = agent.post(&url).set("x-goog-api-key", self.key).set("content-type", "application/json");
        let resp = match request.send_string(body) {
            Ok(r) => r,
            Err(ureq::Error::Status(code, r)) => {
                sink(r.into_string().unwrap().as_bytes());
                return Ok(code);
            }
            Err(ureq::Error::Transport(t)) if t.to_string().contains("timed out") => {
                return Err(TransportError::Timeout)
            }
            Err(e) => return Err(TransportError::Network(e.to_string())),
        };
        let status = resp.status();
        let mut reader = resp.into_reader();
        let mut buf = [0u8; 4096];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return Ok(status),
                Ok(n) => sink(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut || e.kind() == std::io::ErrorKind::WouldBlock => {
                    return Err(TransportError::Timeout)
                }
                Err(e) => return Err(TransportError::Network(e.to_string())),
            }
        }
    }
}

impl Http {
    fn post(&self, url: &str, body: &str) -> Result<(u16, String), TransportError> {
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_millis(500)).build();
        match agent.post(url).set("x-goog-api-key", self.key).set("content-type", "application/json").send_string(body)
        {
            Ok(r) => Ok((r.status(), r.into_string().unwrap())),
            Err(ureq::Error::Status(code, r)) => Ok((code, r.into_string().unwrap())),
            Err(ureq::Error::Transport(t)) if t.to_string().contains("timed out") => Err(TransportError::Timeout),
            Err(e) => Err(TransportError::Network(e.to_string())),
        }
    }
}

/// Virtual time, so retries do not slow the suite.
#[derive(Default)]
struct Virtual(Cell<u64>);

impl Clock for Virtual {
    fn now_ms(&self) -> u64 {
        self.0.get()
    }
    async fn sleep(&self, ms: u64) {
        self.0.set(self.0.get() + ms);
    }
    fn jitter(&self) -> f64 {
        0.5
    }
}

fn fault(body: Value) {
    let r = ureq::post(&format!("{}/__control/faults", base())).send_json(body).unwrap();
    assert_eq!(r.status(), 201);
}

fn requests(word: &str) -> Vec<Value> {
    let v: Value =
        ureq::get(&format!("{}/__control/requests?match={word}", base())).call().unwrap().into_json().unwrap();
    v["requests"].as_array().unwrap().clone()
}

fn brief(word: &str, idea: &str) -> Brief {
    Brief { name: format!("Test {word}"), idea: format!("{idea} [{word}]") }
}

/// The PRD request the agent would send for a brief carrying `word`, as JSON text.
fn prd_request(word: &str) -> String {
    let prompt = prompt::build(Stage::Prd, &brief(word, "plan meals"), &BTreeMap::new(), None);
    serde_json::to_string(&prompt.request(Stage::Prd, "gemini-4-hydrogen", &GenerationSettings::default())).unwrap()
}

/// Polls `ready` every 50 ms until it holds; panics naming `what` after 30 s.
fn poll_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !ready() {
        assert!(std::time::Instant::now() < deadline, "still waiting until {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Runs every stage in order for `idea`, answering the stage's outcome.
fn run_stage(
    stage: Stage,
    word: &str,
    idea: &str,
    model: &str,
) -> Result<parit_shared::agent::protocol::GenerateSuccess, parit_shared::agent::protocol::GenerateFailure> {
    let product = examples::select(idea);
    let req = GenerateRequest {
        brief: brief(word, idea),
        upstream: stage.needs().iter().map(|n| (*n, product.artifact(*n).to_value())).collect(),
        settings: GenerationSettings::default(),
        feedback: None,
    };
    let upstream = check_request(stage, &req).unwrap();
    futures_executor::block_on(generate(
        stage,
        &req,
        &upstream,
        model,
        &RetryPolicy::default(),
        &Http { key: "test-key-123456" },
        &Virtual::default(),
    ))
}

#[test]
fn every_stage_of_both_products_is_valid() {
    for (word, idea) in [("w-pantry", "plan meals from my pantry"), ("w-clinic", "book clinic appointments")] {
        for stage in Stage::ALL {
            let s = run_stage(stage, word, idea, "gemini-2.5-flash").unwrap_or_else(|f| panic!("{stage}: {f:?}"));
            let artifact = Artifact::from_value(stage, s.artifact).unwrap();
            assert_eq!(artifact, examples::select(idea).artifact(stage));
            assert!(s.usage.prompt_tokens > 0 && s.usage.output_tokens > 0);
        }
    }
    let seen = requests("w-clinic");
    assert_eq!(seen.len(), 7);
    assert!(seen.iter().all(|r| r["apiKey"] == "test-key-123456"));
    // The design prompt carries the PRD and nothing else upstream.
    let design = seen.iter().find(|r| r["stage"] == "design").unwrap();
    let text = design["body"]["contents"][0]["parts"][0]["text"].as_str().unwrap();
    assert!(text.contains("Upstream prd artifact") && !text.contains("Upstream data artifact"));
}

/// Sends `stage`'s real prompt for `upstream` (built as an agent builds it)
/// to the server and answers the artifact it returns.
fn ask(stage: Stage, brief: &Brief, upstream: &BTreeMap<Stage, Value>) -> Artifact {
    let needed: BTreeMap<Stage, Value> =
        upstream.iter().filter(|(s, _)| stage.needs().contains(s)).map(|(s, v)| (*s, v.clone())).collect();
    let request = prompt::build(stage, brief, &needed, None).request(
        stage,
        "gemini-3.5-flash-lite",
        &GenerationSettings::default(),
    );
    let body = serde_json::to_string(&request).unwrap();
    let (status, answer) = Http { key: "test-key-123456" }
        .post(&format!("{}/v1beta/models/gemini-3.5-flash-lite:generateContent", base()), &body)
        .unwrap();
    assert_eq!(status, 200, "{stage}: {answer}");
    let response: GenerateContentResponse = serde_json::from_str(&answer).unwrap();
    let text = interpret_response(&response).unwrap_or_else(|(f, _)| panic!("{stage}: {f:?}")).text;
    Artifact::from_text(stage, &text).unwrap_or_else(|e| panic!("{stage}: {e}"))
}

/// The report that led to deriving every answer from its upstream: a user
/// replaced the clinic's data model with an 11-table music store (keys such
/// as `ArtistId`, no `created_at`, a link table keyed by two columns), and
/// the next offline run failed at logic, whose rules still named the
/// clinic's entities. Every stage after data, prompted with what came
/// before, now answers an artifact that validates against what it was sent.
#[test]
fn a_replaced_data_model_flows_into_every_stage_after_it() {
    let brief = brief("w-music", "book clinic appointments");
    let clinic = examples::select(&brief.idea);
    assert_eq!(clinic.key, "clinic");
    let mut set = vec![Artifact::Prd(clinic.prd()), Artifact::Data(examples::music_store_data())];
    let mut upstream: BTreeMap<Stage, Value> = set.iter().map(|a| (a.stage(), a.to_value())).collect();
    for stage in [Stage::Design, Stage::Logic, Stage::Api, Stage::Frontend, Stage::Deployment] {
        let artifact = ask(stage, &brief, &upstream);
        let mut sent = Upstream::default();
        for a in set.iter().filter(|a| stage.needs().contains(&a.stage())) {
            sent.insert(a.clone());
        }
        assert_eq!(validate(&artifact, &sent), Vec::<String>::new(), "{stage}");
        upstream.insert(stage, artifact.to_value());
        set.push(artifact);
    }
    let report = consistency::check(&set);
    assert_eq!(report.errors, 0, "{:?}", report.findings);
    // What the user sees: the store's entities, keys and tables, not the clinic's.
    let store: Vec<String> = examples::music_store_data().entities.iter().map(|e| e.name.clone()).collect();
    let [_, _, _, Artifact::Logic(logic), Artifact::Api(api), _, Artifact::Deployment(deployment)] = &set[..] else {
        panic!("{set:?}")
    };
    assert!(logic.rules.iter().all(|r| store.contains(&r.entity)), "{:?}", logic.rules);
    assert!(store.iter().all(|e| api.endpoints.iter().any(|ep| &ep.entity == e)), "every entity is served");
    assert!(api.endpoints.iter().any(|e| e.path == "/api/artists/{ArtistId}"));
    assert!(api.endpoints.iter().any(|e| e.path == "/api/playlist_tracks/{PlaylistId}/{TrackId}"));
    let migration = &deployment.files.iter().find(|f| f.path.ends_with(".sql")).unwrap().content;
    assert!(migration.contains("CREATE TABLE \"playlist_tracks\" (") && !migration.contains("patients"), "{migration}");
}

#[test]
fn each_fault_gives_its_designed_outcome() {
    // (fault, expected class on failure, or None when a retry recovers)
    let cases: &[(&str, Option<FailureClass>)] = &[
        ("quota_minute", None),
        ("internal", None),
        ("unavailable", None),
        ("deadline", None),
        ("hang", None),
        ("malformed_json", None), // repaired
        ("schema_invalid", None), // repaired
        ("quota_day", Some(FailureClass::QuotaPerDay)),
        ("api_key_invalid", Some(FailureClass::ApiKeyInvalid)),
        ("permission_denied", Some(FailureClass::PermissionDenied)),
        ("model_not_found", Some(FailureClass::ModelNotFound)),
        ("safety", Some(FailureClass::Safety)),
        ("recitation", Some(FailureClass::Recitation)),
        ("prompt_blocked", Some(FailureClass::PromptBlocked)),
        ("max_tokens", None), // asked again with a larger cap
        ("empty", None),      // transient: retried
        ("finish_other", None),
        ("thought_only", None),
        ("quota_zero", Some(FailureClass::NoQuota)),
        ("prepay_depleted", Some(FailureClass::Billing)),
        ("spend_cap", Some(FailureClass::Billing)),
        // Streams that go wrong halfway: cut, stalled and broken off are
        // retried; a safety stop is final.
        ("stream_cut", None),
        ("stream_stall", None),
        ("stream_error", None),
        ("stream_safety", Some(FailureClass::Safety)),
    ];
    for (kind, expected) in cases {
        let word = format!("f-{kind}");
        fault(json!({"kind": kind, "match": word, "stage": "data", "hangMs": 1500, "retryDelay": "2s"}));
        let out = run_stage(Stage::Data, &word, "plan meals", "gemini-2.5-flash");
        match expected {
            None => {
                let s = out.unwrap_or_else(|f| panic!("{kind}: {f:?}"));
                assert_eq!(s.calls.len(), 2, "{kind}: one failed call, one good");
                if *kind == "quota_minute" {
                    assert_eq!(s.calls[0].retry_delay_ms, Some(2_000));
                }
                // How the first call failed, where the fault decides it.
                let first = match *kind {
                    "stream_cut" => Some(FailureClass::Unfinished),
                    "stream_stall" | "hang" => Some(FailureClass::Timeout),
                    "stream_error" | "unavailable" => Some(FailureClass::Unavailable),
                    "thought_only" | "empty" | "finish_other" => Some(FailureClass::EmptyCandidates),
                    _ => None,
                };
                if first.is_some() {
                    assert_eq!(s.calls[0].error_class, first, "{kind}: {:?}", s.calls[0].message);
                }
            }
            Some(class) => {
                let f = out.unwrap_err();
                assert_eq!(f.error.class, Some(*class), "{kind}: {}", f.error.message);
                assert_eq!(f.calls.len(), 1, "{kind} fails fast");
            }
        }
    }
}

#[test]
fn a_frontend_with_broken_imports_is_repaired_quoting_them() {
    fault(json!({"kind": "broken_imports", "match": "f-imports", "stage": "frontend"}));
    let s = run_stage(Stage::Frontend, "f-imports", "plan meals", "gemini-2.5-flash").unwrap();
    assert_eq!(s.calls.len(), 2, "{:?}", s.calls);
    assert_eq!(
        Artifact::from_value(Stage::Frontend, s.artifact).unwrap(),
        examples::pantry().artifact(Stage::Frontend)
    );
    let seen = requests("f-imports");
    let fix = seen[1]["body"]["contents"][2]["parts"][0]["text"].as_str().unwrap();
    assert!(fix.contains("import \"./chart\" resolves to no file of the artifact"), "{fix}");
    assert!(fix.contains("does not list the package \"date-fns\""), "{fix}");
    // Queued for another stage, it says so instead of passing silently.
    fault(json!({"kind": "broken_imports", "match": "f-imports-data", "stage": "data"}));
    let f = run_stage(Stage::Data, "f-imports-data", "plan meals", "gemini-2.5-flash").unwrap_err();
    assert!(f.error.message.contains("queue it with"), "{}", f.error.message);
}

#[test]
fn faults_that_last_fail_as_designed() {
    // Cut off twice: once more with twice the cap, then a failure naming both caps.
    fault(json!({"kind": "max_tokens", "match": "f-cut-twice", "stage": "data", "times": 2}));
    let f = run_stage(Stage::Data, "f-cut-twice", "plan meals", "gemini-3.5-flash-lite").unwrap_err();
    assert_eq!(f.error.class, Some(FailureClass::MaxTokens));
    assert_eq!(f.calls.len(), 2);
    assert!(f.error.message.contains("maxOutputTokens was 24576"), "{}", f.error.message);
    let caps: Vec<Value> =
        requests("f-cut-twice").iter().map(|r| r["body"]["generationConfig"]["maxOutputTokens"].clone()).collect();
    assert_eq!(caps, vec![json!(12_288), json!(24_576)]);
    // Empty every time: retried with backoff, then reported retryable.
    fault(json!({"kind": "finish_other", "match": "f-other-always", "stage": "data", "times": 10}));
    let f = run_stage(Stage::Data, "f-other-always", "plan meals", "gemini-3.5-flash-lite").unwrap_err();
    assert_eq!(f.error.class, Some(FailureClass::EmptyCandidates));
    assert!(f.error.retryable && f.calls.len() == 4, "{f:?}");
    assert!(f.error.message.contains("Model failed to generate content due to internal error."), "{}", f.error.message);
    // No quota at all: one call, and the message says what to do.
    fault(json!({"kind": "quota_zero", "match": "f-zero", "stage": "data"}));
    let f = run_stage(Stage::Data, "f-zero", "plan meals", "gemini-3.1-pro-preview").unwrap_err();
    assert_eq!((f.error.class, f.calls.len(), f.error.retryable), (Some(FailureClass::NoQuota), 1, false));
    assert!(f.error.message.contains("enable billing") && f.error.message.contains("model: gemini-3.1-pro-preview"));
}

#[test]
fn a_continuation_is_followed_over_http_to_the_whole_artifact() {
    fault(json!({"kind": "continuation", "match": "f-segments", "stage": "frontend", "segments": 3}));
    let s = run_stage(Stage::Frontend, "f-segments", "plan meals", "gemini-4-argon").unwrap();
    assert_eq!(
        Artifact::from_value(Stage::Frontend, s.artifact).unwrap(),
        examples::pantry().artifact(Stage::Frontend),
        "three segments make the one artifact"
    );
    assert_eq!(s.calls.iter().map(|c| c.segment).collect::<Vec<_>>(), vec![Some(1), Some(2), Some(3)]);
    let seen = requests("f-segments");
    assert_eq!(seen.len(), 3);
    // Each segment reports its own usage; the agent's is their sum.
    let reported: u64 = seen.iter().map(|r| r["usage"]["candidatesTokenCount"].as_u64().unwrap()).sum();
    assert_eq!(u64::from(s.usage.output_tokens), reported);
    let prompts: u64 = seen.iter().map(|r| r["usage"]["promptTokenCount"].as_u64().unwrap()).sum();
    assert_eq!(u64::from(s.usage.prompt_tokens), prompts, "the prompt is billed on every segment");
    assert_eq!(seen[0]["body"].get("continuationToken"), None);
    assert!(seen[1]["body"]["continuationToken"].is_string() && seen[2]["body"]["continuationToken"].is_string());
    // A token the server did not issue is refused, as Google refuses one.
    let body = serde_json::to_value(
        prompt::build(Stage::Prd, &brief("f-bad-token", "plan meals"), &BTreeMap::new(), None).request(
            Stage::Prd,
            "gemini-4-argon",
            &GenerationSettings::default(),
        ),
    )
    .unwrap();
    let mut body = body;
    body["continuationToken"] = json!("bm90LWEtdG9rZW4=");
    let (status, _) = Http { key: "k-123456789" }
        .post(&format!("{}/v1beta/models/gemini-4-argon:generateContent", base()), &body.to_string())
        .unwrap();
    assert_eq!(status, 400);
}

#[test]
fn a_streamed_answer_comes_as_googles_events_with_its_ending_on_the_last() {
    let word = "f-stream-shape";
    let url = format!("{}/v1beta/models/gemini-4-hydrogen:streamGenerateContent?alt=sse", base());
    let resp = ureq::post(&url).set("x-goog-api-key", "k-123456789").send_string(&prd_request(word)).unwrap();
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    let text = resp.into_string().unwrap();
    let events: Vec<Value> = text
        .split("\r\n\r\n")
        .filter(|e| !e.is_empty())
        .map(|e| serde_json::from_str(e.strip_prefix("data: ").expect("each event a data line")).unwrap())
        .collect();
    assert!(events.len() > 3, "the text in pieces: {}", events.len());
    let (last, rest) = events.split_last().unwrap();
    assert_eq!(last["candidates"][0]["finishReason"], "STOP");
    assert!(last["usageMetadata"]["candidatesTokenCount"].as_u64().unwrap() > 0);
    assert!(rest.iter().all(|e| e["candidates"][0].get("finishReason").is_none() && e.get("usageMetadata").is_none()));
    let joined: String =
        events.iter().filter_map(|e| e["candidates"][0]["content"]["parts"][0]["text"].as_str()).collect();
    assert_eq!(Artifact::from_text(Stage::Prd, &joined).unwrap(), examples::pantry().artifact(Stage::Prd));
    // An error before the stream is an ordinary JSON error with its status.
    fault(json!({"kind": "quota_minute", "match": "f-stream-error-first"}));
    let body = prd_request("f-stream-error-first");
    match ureq::post(&url).set("x-goog-api-key", "k-123456789").send_string(&body) {
        Err(ureq::Error::Status(429, r)) => {
            assert_eq!(r.into_json::<Value>().unwrap()["error"]["status"], "RESOURCE_EXHAUSTED")
        }
        other => panic!("expected a 429 JSON error, got {:?}", other.map(|r| r.status())),
    }
}

#[test]
fn a_paced_stream_still_brings_the_whole_answer_and_a_bad_pace_is_refused() {
    let base = own_server();
    let put = |body: &str| match ureq::put(&format!("{base}/__control/speed")).send_string(body) {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(code, _)) => code,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(put(r#"{"fixed": {"firstTokenMs": 5, "tokensPerSecond": 20000}}"#), 200);
    assert_eq!(put(r#"{"documented": null}"#), 200);
    assert_eq!(put(r#"{"fixed": {"tokensPerSecond": "fast"}}"#), 400);
    assert_eq!(put(r#"{"fixed": {"firstTokenMs": 5, "tokensPerSecond": 20000}}"#), 200);
    let url = format!("{base}/v1beta/models/gemini-4-hydrogen:streamGenerateContent?alt=sse");
    let text = ureq::post(&url)
        .set("x-goog-api-key", "k-123456789")
        .send_string(&prd_request("f-paced"))
        .unwrap()
        .into_string()
        .unwrap();
    let joined: String = text
        .split("\r\n\r\n")
        .filter(|e| !e.is_empty())
        .map(|e| serde_json::from_str::<Value>(e.strip_prefix("data: ").unwrap()).unwrap())
        .filter_map(|e| e["candidates"][0]["content"]["parts"][0]["text"].as_str().map(str::to_string))
        .collect();
    assert_eq!(Artifact::from_text(Stage::Prd, &joined).unwrap(), examples::pantry().artifact(Stage::Prd));
    let reset = ureq::delete(&format!("{base}/__control/speed")).call().unwrap();
    assert_eq!(reset.status(), 200);
}

#[test]
fn a_slow_stream_is_paced_for_its_own_project_only_and_still_whole() {
    // On the shared server: the pace is the fault's, so no other test slows.
    let base = base();
    fault(
        json!({"kind": "stream_slow", "match": "f-slow-stream", "stage": "prd", "firstTokenMs": 400, "tokensPerSecond": 4000}),
    );
    let body = prd_request("f-slow-stream");
    let url = format!("{base}/v1beta/models/gemini-4-hydrogen:streamGenerateContent?alt=sse");
    let started = std::time::Instant::now();
    let text = ureq::post(&url).set("x-goog-api-key", "k-123456789").send_string(&body).unwrap().into_string().unwrap();
    // Not a speed measurement: the server sleeps at least its first-token wait.
    assert!(started.elapsed() >= std::time::Duration::from_millis(400), "{:?}", started.elapsed());
    let events: Vec<Value> = text
        .split("\r\n\r\n")
        .filter(|e| !e.is_empty())
        .map(|e| serde_json::from_str::<Value>(e.strip_prefix("data: ").unwrap()).unwrap())
        .collect();
    assert!(events.len() > 3, "written in pieces: {}", events.len());
    let joined: String =
        events.iter().filter_map(|e| e["candidates"][0]["content"]["parts"][0]["text"].as_str()).collect();
    assert_eq!(Artifact::from_text(Stage::Prd, &joined).unwrap(), examples::pantry().artifact(Stage::Prd));
    assert_eq!(requests("f-slow-stream")[0]["fault"], "stream_slow");
}

#[test]
fn a_continuation_streams_too() {
    fault(json!({"kind": "continuation", "match": "f-stream-segments", "stage": "api", "segments": 2}));
    let s = run_stage(Stage::Api, "f-stream-segments", "plan meals", "gemini-4-argon").unwrap();
    assert_eq!(s.calls.iter().map(|c| c.segment).collect::<Vec<_>>(), vec![Some(1), Some(2)]);
    assert!(requests("f-stream-segments").iter().all(|r| r["streamed"] == true));
    assert_eq!(Artifact::from_value(Stage::Api, s.artifact).unwrap(), examples::pantry().artifact(Stage::Api));
}

#[test]
fn a_depleted_prepayment_fails_at_once_as_402_and_as_the_older_429() {
    for status in [402, 429] {
        let word = format!("f-prepay-{status}");
        fault(json!({"kind": "prepay_depleted", "match": word, "status": status}));
        let f = run_stage(Stage::Prd, &word, "plan meals", "gemini-4-hydrogen").unwrap_err();
        assert_eq!((f.error.class, f.calls.len(), f.error.retryable), (Some(FailureClass::Billing), 1, false));
        assert!(f.error.message.contains("prepayment credits are used up: top up"), "{}", f.error.message);
        assert_eq!(requests(&word)[0]["status"], status);
    }
}

#[test]
fn count_tokens_counts_the_prompt_generate_content_then_bills() {
    let word = "countword";
    let idea = "Book appointments at a small clinic";
    let product = examples::select(idea);
    let stage = Stage::Api;
    let req = GenerateRequest {
        brief: brief(word, idea),
        upstream: stage.needs().iter().map(|n| (*n, product.artifact(*n).to_value())).collect(),
        settings: GenerationSettings::default(),
        feedback: None,
    };
    let transport = Http { key: "test-key-123456" };
    let counted = futures_executor::block_on(count_tokens(stage, &req, "gemini-3.5-flash-lite", &transport)).unwrap();
    let billed = run_stage(stage, word, idea, "gemini-3.5-flash-lite").unwrap().calls[0].usage.prompt_tokens;
    assert_eq!(counted, u64::from(billed));
    // Without a key, Google's own refusal, classified as generation's would be.
    let keyless = Http { key: "" };
    let err = futures_executor::block_on(count_tokens(stage, &req, "gemini-3.5-flash-lite", &keyless)).unwrap_err();
    assert_eq!(err.class, FailureClass::PermissionDenied, "{err:?}");
}

#[test]
fn models_are_listed_and_got_as_google_serves_them() {
    let get = |path: &str, key: Option<&str>| {
        let mut r = ureq::get(&format!("{}/v1beta/{path}", base()));
        if let Some(k) = key {
            r = r.set("x-goog-api-key", k);
        }
        match r.call() {
            Ok(resp) => (resp.status(), resp.into_json::<Value>().unwrap()),
            Err(ureq::Error::Status(s, resp)) => (s, resp.into_json::<Value>().unwrap()),
            Err(e) => panic!("{e}"),
        }
    };
    let (s, list) = get("models", Some("k"));
    assert_eq!(s, 200);
    let names: Vec<&str> = list["models"].as_array().unwrap().iter().filter_map(|m| m["name"].as_str()).collect();
    assert!(
        names.contains(&"models/gemini-3.5-flash-lite") && !names.contains(&"models/gemini-2.5-flash"),
        "{names:?}"
    );
    let (s, m) = get("models/gemini-3.8-flash", Some("k"));
    assert_eq!(
        (s, m["name"].as_str(), m["outputTokenLimit"].as_u64()),
        (200, Some("models/gemini-3.8-flash"), Some(65_536))
    );
    let (s, e) = get("models/gemini-2.5-flash", Some("k"));
    assert_eq!((s, e["error"]["status"].as_str()), (404, Some("NOT_FOUND")));
    assert!(e["error"]["message"].as_str().unwrap().starts_with("models/gemini-2.5-flash is not found"));
    assert_eq!(get("models/gemini-3.8-flash", None).0, 403);
}

#[test]
fn unknown_models_and_missing_keys_get_real_errors() {
    let f = run_stage(Stage::Prd, "w-model", "meals", "palm-2").unwrap_err();
    assert_eq!(f.error.class, Some(FailureClass::ModelNotFound));
    assert!(f.error.message.contains("models/palm-2 is not found"));
    let r = ureq::post(&format!("{}/v1beta/models/gemini-2.5-flash:generateContent", base())).send_string("{}");
    match r {
        Err(ureq::Error::Status(403, resp)) => {
            let v: Value = resp.into_json().unwrap();
            assert_eq!(v["error"]["status"], "PERMISSION_DENIED");
        }
        other => panic!("expected 403, got {other:?}"),
    }
    let bad = ureq::post(&format!("{}/__control/faults", base())).send_json(json!({"kind": "meteor"}));
    assert!(matches!(bad, Err(ureq::Error::Status(400, _))));
}

/// A regression: the fleet suites saw a first model call now and then time
/// out without ever reaching this server. workerd opens several connections
/// at once and keeps them alive; the server's old HTTP stack (tiny_http 0.12)
/// left some of a burst of new connections unread behind threads held by
/// idle kept-alive ones (12 of 16 here, on a fresh server). Every connection
/// of such a burst, held open afterwards, must get its answer.
#[test]
fn a_burst_of_kept_alive_connections_is_all_answered() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || GeminiLocal::new(0).serve(listener));
    let request = "GET /__control/health HTTP/1.1\r\nhost: local\r\nconnection: keep-alive\r\n\r\n";
    let mut connections: Vec<_> = (0..16).map(|_| std::net::TcpStream::connect(addr).unwrap()).collect();
    for c in &mut connections {
        c.write_all(request.as_bytes()).unwrap();
    }
    let answered = connections
        .iter_mut()
        .map(|c| {
            // Generous: this bounds how long a failing run takes, it is not what is asserted.
            c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let mut buf = [0u8; 512];
            matches!(c.read(&mut buf), Ok(n) if buf[..n].starts_with(b"HTTP/1.1 200"))
        })
        .filter(|&answered| answered)
        .count();
    assert_eq!(answered, 16, "every connection of the burst is answered while all stay open");
}

#[test]
fn a_request_larger_than_axums_default_limit_is_read() {
    // 5 MB of prompt: more than axum's default 2 MB, as large as an agent may send.
    let body = json!({"contents": [{"role": "user", "parts": [{"text": "x".repeat(5 << 20)}]}]}).to_string();
    let r = ureq::post(&format!("{}/v1beta/models/gemini-x:generateContent", base()))
        .set("x-goog-api-key", "k")
        .send_string(&body);
    match r {
        // Read whole and parsed: it lacks generationConfig, as the error says.
        Err(ureq::Error::Status(400, resp)) => {
            let v: Value = resp.into_json().unwrap();
            assert_eq!(v["error"]["status"], "INVALID_ARGUMENT", "{v}");
            assert!(v["error"]["message"].as_str().unwrap().contains("generationConfig"), "{v}");
        }
        other => panic!("expected Gemini's 400 for the missing field, got {other:?}"),
    }
}

/// A server of its own, for tests that change what it serves.
fn own_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || GeminiLocal::new(0).serve(listener));
    format!("http://127.0.0.1:{port}")
}

/// `scripts/check-models.sh` against `base`, two models a page so it pages.
fn check_models(base: &str) -> (i32, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/check-models.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .env("GEMINI_BASE_URL", base)
        .env("GEMINI_API_KEY", "local-check-key-123")
        .env("CATALOGUE_DIFF", env!("CARGO_BIN_EXE_catalogue-diff"))
        .env("CHECK_MODELS_PAGE_SIZE", "2")
        .output()
        .expect("bash runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn the_catalogue_check_pages_through_models_list_and_names_each_difference() {
    let base = own_server();
    let (code, out) = check_models(&base);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("; 0 difference(s)"), "{out}");
    assert!(!out.contains("local-check-key-123"), "the key is never printed");
    // Google starts serving a model the catalogue lacks, and changes Argon's limit.
    let models = json!({"models": [
        {"name": "models/gemini-4-helium", "outputTokenLimit": 65536, "thinking": true,
         "supportedGenerationMethods": ["generateContent", "countTokens"]},
        {"name": "models/gemini-4-argon", "outputTokenLimit": 32768, "thinking": true,
         "supportedGenerationMethods": ["generateContent", "countTokens"]},
    ]});
    let put = ureq::put(&format!("{base}/__control/models")).send_string(&models.to_string()).unwrap();
    assert_eq!(put.status(), 200);
    let (code, out) = check_models(&base);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("missing: gemini-4-helium is served (output limit 65536) but not in the catalogue"), "{out}");
    assert!(
        out.contains("output limit: gemini-4-argon is served with 32768 output tokens, the catalogue says 65536"),
        "{out}"
    );
    assert!(out.contains("; 2 difference(s)"), "{out}");
    // No key: said before asking.
    let refused = std::process::Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/check-models.sh"))
        .env("GEMINI_BASE_URL", &base)
        .env_remove("GEMINI_API_KEY")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    // An answer that is not a models.list (here a 404): its status and body, never a comparison.
    let (code, out) = check_models(&format!("{base}/nowhere"));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("models.list answered HTTP 404") && out.contains("NOT_FOUND"), "{out}");
}

#[test]
fn a_test_paces_its_own_stream_and_the_server_says_how_each_stream_ended() {
    let base = own_server();
    let url = format!("{base}/v1beta/models/gemini-4-hydrogen:streamGenerateContent?alt=sse");
    let streams = |word: &str| -> Vec<Value> {
        let v: Value =
            ureq::get(&format!("{base}/__control/streams?match={word}")).call().unwrap().into_json().unwrap();
        v["streams"].as_array().unwrap().clone()
    };
    let queue = |word: &str, tps: u64| {
        let f = json!({"kind": "stream_slow", "match": word, "tokensPerSecond": tps});
        assert_eq!(ureq::post(&format!("{base}/__control/faults")).send_json(f).unwrap().status(), 201);
    };
    // Read to its end: complete, every event sent, the first one's time kept.
    queue("f-pace-whole", 100_000);
    let text = ureq::post(&url).set("x-goog-api-key", "k-123456789").send_string(&prd_request("f-pace-whole")).unwrap();
    assert!(text.into_string().unwrap().contains("\"finishReason\":\"STOP\""));
    let whole = &streams("f-pace-whole")[0];
    assert_eq!(whole["state"], "complete", "{whole}");
    assert_eq!(whole["sent"], whole["events"]);
    assert!(whole["firstSentAtMs"].as_u64().unwrap() > 0);
    // Dropped after the first event of a slow stream: closed by the client.
    queue("f-pace-dropped", 5);
    let response =
        ureq::post(&url).set("x-goog-api-key", "k-123456789").send_string(&prd_request("f-pace-dropped")).unwrap();
    let mut reader = std::io::BufReader::new(response.into_reader());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut reader, &mut first).unwrap();
    assert!(first.starts_with("data: "), "{first}");
    drop(reader);
    poll_until("the server sees the stream closed", || streams("f-pace-dropped")[0]["state"] != "open");
    let ended = streams("f-pace-dropped")[0].clone();
    assert_eq!(ended["state"], "closed_by_client", "{ended}");
    assert!(ended["sent"].as_u64() < ended["events"].as_u64(), "{ended}");
    assert!(ended["closedAtMs"].as_u64() >= ended["firstSentAtMs"].as_u64());
}
