//! Gemini as it answers this week, through the whole fleet: a Gemini 4
//! answer decoded in segments (finishReason CONTINUATION) becomes one
//! artifact with a trace per segment; a depleted prepayment stops the stage
//! at once, saying what to do; a run on a Gemini 4 model sends its thinking
//! level and is priced from the dated price list.

use parit_fleet_tests::*;
use parit_shared::gemini::catalogue;
use parit_shared::{Artifact, Stage};
use serde_json::{json, Value};

fn url(path: &str) -> String {
    format!("{}{path}", fleet().url)
}

/// A project on `model` whose idea carries a unique word; its id and the word.
fn project_on(tag: &str, model: &str) -> (String, String) {
    let word = unique(tag);
    let id = create_project(&fleet().url, "Gemini", &format!("Plan meals from the pantry {word}"));
    let (status, body) = send("PATCH", &url(&format!("/api/projects/{id}/settings")), &json!({"model": model}));
    assert_eq!(status, 200, "{body}");
    (id, word)
}

fn traces(id: &str) -> Vec<Value> {
    let (status, body) = get(&url(&format!("/api/projects/{id}/traces")));
    assert_eq!(status, 200, "{body}");
    body["traces"].as_array().cloned().unwrap_or_default()
}

/// USD of a trace's tokens at `price` (per million).
fn priced(t: &Value, price: catalogue::Price) -> f64 {
    let n = |k: &str| t[k].as_f64().unwrap_or(0.0);
    (n("promptTokens") * price.input + (n("outputTokens") + n("thoughtsTokens")) * price.output) / 1e6
}

#[test]
fn a_frontend_answer_in_three_segments_becomes_one_artifact_with_three_traces() {
    let (id, word) = project_on("segments", "gemini-4-argon");
    inject(json!({"kind": "continuation", "stage": "frontend", "match": word, "segments": 3}));
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed", "{project}");

    let (status, body) = get(&url(&format!("/api/projects/{id}/artifacts/frontend")));
    assert_eq!(status, 200, "{body}");
    let frontend = Artifact::from_value(Stage::Frontend, body["artifact"].clone()).expect("one whole artifact");
    assert_eq!(body["version"], 1);
    assert!(!frontend.to_value()["files"].as_array().unwrap().is_empty());

    // Three requests reached Gemini for the frontend, the second and third with the token.
    let seen: Vec<Value> = gemini_requests(&word).into_iter().filter(|r| r["stage"] == "frontend").collect();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen[0]["body"].get("continuationToken").is_none());
    assert!(seen[1..].iter().all(|r| r["body"]["continuationToken"].is_string()));

    // Three traces, one a segment, each with what Gemini reported for it; the
    // stage's usage is their sum.
    let frontend_traces: Vec<Value> = traces(&id).into_iter().filter(|t| t["stage"] == "frontend").collect();
    let segments: Vec<&Value> = frontend_traces.iter().map(|t| &t["segment"]).collect();
    assert_eq!(segments, vec![&json!(1), &json!(2), &json!(3)], "{frontend_traces:?}");
    assert!(frontend_traces.iter().all(|t| t["outcome"] == "ok"));
    for (t, r) in frontend_traces.iter().zip(&seen) {
        assert_eq!(t["outputTokens"], r["usage"]["candidatesTokenCount"]);
        assert_eq!(t["promptTokens"], r["usage"]["promptTokenCount"], "the prompt is billed on every segment");
    }
    let (_, all) = get(&url(&format!("/api/projects/{id}/traces")));
    let summed: u64 = frontend_traces.iter().map(|t| t["outputTokens"].as_u64().unwrap()).sum();
    assert_eq!(all["byStage"]["frontend"]["outputTokens"], summed);

    // Argon's price of the day of the call, not its introductory one (which
    // ended 2026-11-30), and the level the stage asked for (medium, for code).
    let today = catalogue::price("gemini-4-argon", &parit_shared::clock::utc_day(now_ms()));
    let introductory = catalogue::price("gemini-4-argon", "2026-11-30");
    for t in &frontend_traces {
        assert!((t["costUsd"].as_f64().unwrap() - priced(t, today)).abs() < 1e-9, "{t}");
        assert!(priced(t, introductory) < priced(t, today), "{t}");
        assert_eq!(t["thinkingLevel"], "medium", "{t}");
    }
    assert_eq!(seen[0]["body"]["generationConfig"]["thinkingConfig"]["thinkingLevel"], "medium");
}

#[test]
fn a_run_on_a_gemini_4_model_sends_its_level_and_is_priced_from_the_dated_list() {
    let (id, word) = project_on("hydrogen", "gemini-4-hydrogen");
    // The plan prices every call at today's list price of the project's model.
    let (status, plan) = get(&url(&format!("/api/projects/{id}/plan")));
    assert_eq!(status, 200, "{plan}");
    let price = catalogue::price("gemini-4-hydrogen", &parit_shared::clock::utc_day(now_ms()));
    let prd = plan["stages"].as_array().unwrap().iter().find(|s| s["stage"] == "prd").unwrap();
    let e = &prd["estimate"];
    let low = (e["promptTokens"].as_f64().unwrap() * price.input
        + (e["outputTokens"].as_f64().unwrap() + e["thinkingTokens"].as_f64().unwrap()) * price.output)
        / 1e6;
    assert!((e["costUsd"]["low"].as_f64().unwrap() - low).abs() < 1e-9, "{e}");

    // Every stage at the highest level, which Hydrogen takes.
    let (status, body) = send("PATCH", &url(&format!("/api/projects/{id}/settings")), &json!({"thinking": "xhigh"}));
    assert_eq!(status, 200, "{body}");
    let (status, body) = execute(&fleet().url, &id, "prd");
    assert_eq!(status, 200, "{body}");
    let sent = &gemini_requests(&word)[0]["body"]["generationConfig"]["thinkingConfig"];
    assert_eq!(sent, &json!({"thinkingLevel": "xhigh"}));
    let t = &traces(&id)[0];
    assert_eq!((t["thinkingLevel"].as_str(), t["segment"].is_null()), (Some("xhigh"), true), "{t}");
    assert!((t["costUsd"].as_f64().unwrap() - priced(t, price)).abs() < 1e-9, "{t}");
}

#[test]
fn a_depleted_prepayment_fails_the_stage_at_once_saying_what_to_do() {
    let (id, word) = project_on("prepay", catalogue::DEFAULT_MODEL);
    inject(json!({"kind": "prepay_depleted", "stage": "data", "match": word}));
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "failed", "{project}");
    let data = project["stages"].as_array().unwrap().iter().find(|s| s["stage"] == "data").unwrap();
    assert_eq!(data["status"], "failed");
    assert_eq!(data["error"]["class"], "billing", "{data}");
    let message = data["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("prepayment credits are used up: top up its credits in AI Studio"), "{message}");
    // Called once: never retried, never parked for a wait.
    let data_calls = gemini_requests(&word).iter().filter(|r| r["stage"] == "data").count();
    assert_eq!(data_calls, 1);
    // The activity feed says it in words.
    let (_, feed) = get(&url(&format!("/api/projects/{id}/activity?limit=1000")));
    let failed = feed["events"].as_array().unwrap().iter().find(|e| e["kind"] == "stage_failed").cloned();
    let said = failed.map(|e| e["message"].to_string()).unwrap_or_default();
    assert!(said.contains("prepayment credits"), "{feed}");
    // Topped up, Resume finishes the rest.
    start_run(&fleet().url, &id);
    assert_eq!(wait_for_run(&fleet().url, &id)["run"]["status"], "completed");
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}
