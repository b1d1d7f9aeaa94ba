//! A lone agent Worker under workerd, called directly, against the local
//! Gemini server: valid artifacts for both example products, the designed
//! outcome for every failure class, the repair round trip, and a health
//! report that never shows the key.

use parit_fleet_tests::*;
use parit_shared::{fixtures::examples, Artifact, Stage};
use serde_json::{json, Value};

fn generate(word: &str, idea: &str) -> (u16, Value) {
    let product = examples::select(idea);
    post(
        &format!("{}/generate", fleet().agent_url),
        &json!({
            "brief": {"name": format!("Test {word}"), "idea": format!("{idea} {word}")},
            "upstream": {"prd": product.artifact(Stage::Prd).to_value()},
        }),
    )
}

#[test]
fn returns_a_valid_artifact_for_each_example_product() {
    for idea in ["plan meals from my pantry", "book appointments at a clinic"] {
        let word = unique("ok");
        let (status, body) = generate(&word, idea);
        assert_eq!(status, 200, "{body}");
        let artifact = Artifact::from_value(Stage::Data, body["artifact"].clone()).unwrap();
        assert_eq!(artifact, examples::select(idea).artifact(Stage::Data));
        assert_eq!(body["attempts"], 1);
        let seen = gemini_requests(&word);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0]["apiKey"], fleet().key.as_str(), "the key header reached Gemini");
        assert_eq!(seen[0]["streamed"], true, "the agent streams its call (streamGenerateContent)");
        assert_eq!(seen[0]["stage"], "data");
        assert_eq!(body["usage"]["promptTokens"], seen[0]["usage"]["promptTokenCount"]);
        assert_eq!(body["usage"]["thoughtsTokens"], seen[0]["usage"]["thoughtsTokenCount"]);
        let sent = &seen[0]["body"];
        assert_eq!(sent["generationConfig"]["responseMimeType"], "application/json");
        assert_eq!(sent["generationConfig"]["responseSchema"], Artifact::schema(Stage::Data).to_gemini());
    }
}

#[test]
fn each_failure_class_gives_its_designed_outcome() {
    // fault → (HTTP status, class, retryable, model calls); status 200 means recovered.
    let cases: &[(&str, u16, &str, bool, usize)] = &[
        ("quota_minute", 200, "", true, 2),
        ("internal", 200, "", true, 2),
        ("unavailable", 200, "", true, 2),
        ("deadline", 200, "", true, 2),
        ("hang", 200, "", true, 2),
        ("malformed_json", 200, "", true, 2),
        ("schema_invalid", 200, "", true, 2),
        ("quota_day", 429, "quota_per_day", false, 1),
        ("api_key_invalid", 502, "api_key_invalid", false, 1),
        ("permission_denied", 502, "permission_denied", false, 1),
        ("model_not_found", 422, "model_not_found", false, 1),
        ("safety", 422, "safety", false, 1),
        ("recitation", 422, "recitation", false, 1),
        ("prompt_blocked", 422, "prompt_blocked", false, 1),
        ("max_tokens", 200, "", true, 2),
        ("empty", 200, "", true, 2),
        ("finish_other", 200, "", true, 2),
        ("thought_only", 200, "", true, 2),
        ("quota_zero", 429, "no_quota", false, 1),
        ("prepay_depleted", 402, "billing", false, 1),
        ("spend_cap", 402, "billing", false, 1),
        // Three segments of one answer: three calls, one artifact.
        ("continuation", 200, "", true, 3),
        // The agents stream: a stream cut, stalled past the idle timeout or
        // broken off by an error event is never taken, and is retried; a
        // safety stop halfway is final.
        ("stream_cut", 200, "", true, 2),
        ("stream_stall", 200, "", true, 2),
        ("stream_error", 200, "", true, 2),
        ("stream_safety", 422, "safety", false, 1),
    ];
    let threads: Vec<_> = cases
        .iter()
        .map(|&(kind, status, class, retryable, calls)| {
            std::thread::spawn(move || {
                let word = unique(kind);
                inject(json!({"kind": kind, "match": word, "hangMs": 6000, "retryDelay": "1s"}));
                let (got, body) = generate(&word, "plan meals");
                assert_eq!(got, status, "{kind}: {body}");
                // The model (the Gemini server) was called exactly as designed, and
                // the agent reports exactly those calls.
                assert_eq!(gemini_requests(&word).len(), calls, "{kind}: {body}");
                assert_eq!(body["calls"].as_array().map(Vec::len), Some(calls), "{kind}: {body}");
                if status == 200 {
                    assert!(Artifact::from_value(Stage::Data, body["artifact"].clone()).is_ok(), "{kind}");
                } else {
                    assert_eq!(body["error"]["class"], class, "{kind}: {body}");
                    assert_eq!(body["error"]["retryable"], retryable, "{kind}");
                    assert!(!body["error"]["message"].as_str().unwrap_or("").is_empty(), "{kind}");
                }
                (kind, body)
            })
        })
        .collect();
    for t in threads {
        let (kind, body) = t.join().expect("case thread");
        match kind {
            "quota_minute" => assert_eq!(body["calls"][0]["retryDelayMs"], 1000, "RetryInfo honoured"),
            "hang" | "stream_stall" => assert_eq!(body["calls"][0]["errorClass"], "timeout", "{kind}"),
            "stream_cut" => assert_eq!(body["calls"][0]["errorClass"], "unfinished"),
            "stream_error" => assert_eq!(body["calls"][0]["errorClass"], "unavailable"),
            "thought_only" => assert_eq!(body["calls"][0]["errorClass"], "empty_candidates"),
            "schema_invalid" | "malformed_json" => {
                assert_eq!(body["calls"][0]["outcome"], "invalid");
                assert_eq!(body["calls"][1]["kind"], "repair", "{kind} repaired by one round trip");
            }
            _ => {}
        }
    }
}

#[test]
fn the_repair_quotes_the_problems() {
    let word = unique("repair");
    inject(json!({"kind": "schema_invalid", "match": word}));
    let (status, body) = generate(&word, "plan meals");
    assert_eq!(status, 200, "{body}");
    let seen = gemini_requests(&word);
    assert_eq!(seen.len(), 2);
    let turns = seen[1]["body"]["contents"].as_array().unwrap();
    assert_eq!(turns.len(), 3);
    assert_eq!(turns[1]["role"], "model");
    let fix = turns[2]["parts"][0]["text"].as_str().unwrap();
    assert!(fix.contains("missing required property"), "{fix}");
}

#[test]
fn a_failure_that_outlasts_the_retries_is_reported_retryable() {
    let word = unique("budget");
    inject(json!({"kind": "unavailable", "match": word, "times": 10}));
    let (status, body) = generate(&word, "plan meals");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["class"], "unavailable");
    assert_eq!(body["error"]["retryable"], true);
    assert_eq!(body["attempts"], 4);
    assert_eq!(gemini_requests(&word).len(), 4);
}

#[test]
fn bad_requests_get_clear_400s() {
    let url = format!("{}/generate", fleet().agent_url);
    let (s, b) = send_raw("POST", &url, "application/json", "{not json");
    assert_eq!(s, 400);
    assert!(b["error"]["message"].as_str().unwrap().contains("not a valid generate request"), "{b}");
    let (s, b) = post(&url, &json!({"brief": {"name": "x", "idea": "meals"}}));
    assert_eq!(s, 400);
    assert_eq!(b["error"]["message"], "the data stage needs upstream artifacts: prd");
    let (s, b) = post(&url, &json!({"brief": {"name": "x", "idea": "meals"}, "upstream": {"prd": {"productName": 3}}}));
    assert_eq!(s, 400);
    assert!(b["error"]["message"].as_str().unwrap().starts_with("upstream prd artifact is invalid"), "{b}");
    let (s, b) = get(&format!("{}/nope", fleet().agent_url));
    assert_eq!(s, 404);
    assert_eq!(b["error"]["code"], "not_found");
    let (s, _) = get(&format!("{}/generate", fleet().agent_url));
    assert_eq!(s, 405);
}

#[test]
fn health_reports_the_key_without_revealing_it() {
    let (s, body) = get(&format!("{}/health", fleet().agent_url));
    assert_eq!(s, 200);
    assert_eq!(body["agent"], "parit-data-agent");
    assert_eq!(body["stage"], "data");
    assert_eq!(body["keyConfigured"], true);
    assert!(!body.to_string().contains(&fleet().key));
    // Nor does any answer carry it, failures included.
    let word = unique("leak");
    inject(json!({"kind": "api_key_invalid", "match": word}));
    let (_, body) = generate(&word, "plan meals");
    assert!(!body.to_string().contains(&fleet().key), "{body}");
}
