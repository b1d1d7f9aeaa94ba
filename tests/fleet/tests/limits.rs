//! Abuse limits on the fleet started with tight ones (`scripts/test.sh`:
//! 60 requests per token per minute, 3 projects per owner, a small daily
//! token limit). Each test has its own owner, so their budgets do not mix.

use parit_fleet_tests::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn url(path: &str) -> String {
    format!("{}{path}", var("PARIT_LIMITS_URL"))
}

fn as_owner(token: &str, method: &str, path: &str, body: Option<&Value>) -> Answer {
    let text = body.map(Value::to_string);
    call(method, &url(path), Caller::Token(token), &[], text.as_deref().map(|t| ("application/json", t)))
}

fn create(token: &str, idea: &str) -> Answer {
    as_owner(token, "POST", "/api/projects", Some(&json!({"name": "Limited", "idea": idea})))
}

/// Polls gently (this fleet's rate limit is low) until the run stops.
fn wait_gently(token: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        std::thread::sleep(Duration::from_millis(1500));
        let a = as_owner(token, "GET", &format!("/api/projects/{id}"), None);
        assert_eq!(a.status, 200, "{}", a.text);
        let v = a.json();
        if v["run"]["status"].as_str().is_some_and(|s| s != "running") {
            return v;
        }
        assert!(Instant::now() < deadline, "the run did not finish: {v}");
    }
}

#[test]
fn a_token_over_its_rate_gets_429_with_retry_after() {
    let token = var("PARIT_LIMITS_TOKEN");
    let mut first_429 = None;
    for n in 1..=130 {
        let a = as_owner(&token, "GET", "/api/projects?limit=1", None);
        match a.status {
            200 => {}
            429 => {
                first_429 = Some((n, a));
                break;
            }
            other => panic!("request {n}: {other} {}", a.text),
        }
    }
    let (n, a) = first_429.expect("no 429 within 130 requests at 60 per minute");
    assert!(n > 1, "the first request was refused");
    assert_eq!(a.header("retry-after"), Some("60"));
    let v = a.json();
    assert_eq!(v["error"]["code"], "rate_limited");
    assert_eq!(v["error"]["requestId"].as_str(), a.header("x-request-id"));
    // Still refused right after; another owner's token is not affected.
    assert_eq!(as_owner(&token, "GET", "/api/projects", None).status, 429);
    assert_eq!(as_owner(&var("PARIT_LIMITS_TOKEN_2"), "GET", "/api/projects?limit=1", None).status, 200);
}

#[test]
fn guessing_tokens_is_rate_limited_per_client() {
    let mut statuses = Vec::new();
    for n in 0..130 {
        let a = as_owner(&format!("parit_guess{n:04}"), "GET", "/api/projects", None);
        statuses.push(a.status);
        if a.status == 429 {
            assert_eq!(a.header("retry-after"), Some("60"));
            break;
        }
        assert_eq!(a.status, 401, "{}", a.text);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
}

#[test]
fn an_owner_may_keep_at_most_the_configured_number_of_projects() {
    let token = var("PARIT_LIMITS_TOKEN_2");
    for p in as_owner(&token, "GET", "/api/projects", None).json()["projects"].as_array().unwrap() {
        assert_eq!(
            as_owner(&token, "DELETE", &format!("/api/projects/{}", p["id"].as_str().unwrap()), None).status,
            200
        );
    }
    let mut ids = Vec::new();
    for i in 0..3 {
        let a = create(&token, &format!("Plan meals from the pantry, project {i}"));
        assert_eq!(a.status, 201, "{}", a.text);
        ids.push(a.json()["id"].as_str().unwrap().to_string());
    }
    let refused = create(&token, "Plan meals from the pantry, one too many");
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.json()["error"]["code"], "project_limit");
    let list = as_owner(&token, "GET", "/api/projects", None).json();
    assert_eq!(list["projects"].as_array().unwrap().len(), 3, "the refused project was not created");
    assert_eq!(as_owner(&token, "DELETE", &format!("/api/projects/{}", ids[0]), None).status, 200);
    assert_eq!(create(&token, "Plan meals from the pantry, after a delete").status, 201);
}

#[test]
fn the_daily_token_limit_stops_runs_and_deleting_projects_does_not_reset_it() {
    let token = var("PARIT_LIMITS_TOKEN_3");
    let word = unique("daily");
    let first = create(&token, &format!("Plan a week of meals from the pantry {word}")).json();
    let id = first["id"].as_str().unwrap().to_string();
    assert_eq!(as_owner(&token, "POST", &format!("/api/projects/{id}/run"), Some(&json!({}))).status, 202);
    let project = wait_gently(&token, &id);
    assert_eq!(project["run"]["status"], "budget_exceeded", "{project}");
    assert!(project["run"]["message"].as_str().unwrap().contains("daily token limit"), "{project}");
    let done = project["stages"].as_array().unwrap().iter().filter(|s| s["status"] == "done").count();
    assert!((1..7).contains(&done), "the limit stopped the run part-way: {done} stages done");
    let activity = as_owner(&token, "GET", &format!("/api/projects/{id}/activity"), None).json();
    assert!(activity["events"].as_array().unwrap().iter().any(|e| e["kind"] == "budget_exceeded"));
    // Deleting the project does not give the day's tokens back.
    assert_eq!(as_owner(&token, "DELETE", &format!("/api/projects/{id}"), None).status, 200);
    let second = create(&token, &format!("Plan a week of meals from the pantry again {word}")).json();
    let id2 = second["id"].as_str().unwrap().to_string();
    assert_eq!(as_owner(&token, "POST", &format!("/api/projects/{id2}/run"), Some(&json!({}))).status, 202);
    let project = wait_gently(&token, &id2);
    assert_eq!(project["run"]["status"], "budget_exceeded", "{project}");
    assert!(project["stages"].as_array().unwrap().iter().all(|s| s["status"] != "done"), "{project}");
    let traces = as_owner(&token, "GET", &format!("/api/projects/{id2}/traces"), None).json();
    assert_eq!(traces["totals"]["totalTokens"], 0, "no model call was made");
}
