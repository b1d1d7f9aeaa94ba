//! The supervisor over the real fleet (workerd, local D1 and R2, the seven
//! agents behind service bindings, the local Gemini server): what a user of
//! the API sees, and what lands in D1 and R2.

use parit_fleet_tests::*;
use parit_shared::{fixtures::examples, Artifact, Stage};
use serde_json::{json, Value};

fn url(path: &str) -> String {
    format!("{}{path}", fleet().url)
}

#[test]
fn root_describes_the_supervisor() {
    let (s, body) = get(&url("/"));
    assert_eq!(s, 200);
    assert_eq!(body["status"], "supervisor_active");
    assert_eq!(body["role"], "supervisor");
    assert!(body["version"].is_string());
    let endpoints: Vec<&str> = body["endpoints"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(endpoints.contains(&"POST /api/execute"));
}

#[test]
fn health_is_a_matrix_of_every_dependency() {
    let (s, body) = get(&url("/health"));
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["status"], "ok");
    // The version the repository's migrations give, one per file.
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations")).unwrap();
    let expected = migrations.filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "sql")).count();
    assert_eq!(body["components"]["d1"]["schemaVersion"], expected.to_string());
    assert_eq!(body["components"]["r2"]["ok"], true);
    assert_eq!(body["components"]["bridge"], json!({"ok": true}));
    for stage in Stage::ALL {
        let a = &body["components"]["agents"][stage.as_str()];
        assert_eq!(a["ok"], true, "{stage}: {a}");
        assert_eq!(a["keyConfigured"], true);
        // Checked with GET /v1beta/models/{model}, and said to be the local stand-in.
        assert_eq!(a["modelCheck"], "ok", "{stage}: {a}");
        assert_eq!(a["standIn"], true, "{stage}: {a}");
    }
    // How old the model catalogue's facts are, and a warning once they are stale.
    let catalogue = &body["catalogue"];
    assert_eq!(catalogue["checkedOn"], parit_shared::gemini::catalogue::CHECKED_ON, "{body}");
    let age = catalogue["ageDays"].as_i64().expect("ageDays");
    let stale = age > parit_shared::gemini::catalogue::STALE_AFTER_DAYS;
    assert_eq!(catalogue["warning"].is_string(), stale, "{catalogue}");
    assert!(!body.to_string().contains(&fleet().key));
}

#[test]
fn health_reports_a_stopped_agent() {
    let (s, body) = get(&format!("{}/health", fleet().degraded_url));
    assert_eq!(s, 503, "{body}");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["down"], json!(["logic-agent"]));
    assert_eq!(body["components"]["agents"]["logic"]["ok"], false);
    assert_eq!(body["components"]["agents"]["design"]["ok"], true);
    assert_eq!(body["components"]["d1"]["ok"], true);
}

/// Runs all seven stages of a product and checks everything a user can see.
fn full_pipeline(idea: &str) {
    let word = unique("pipe");
    let id = create_project(&fleet().url, "Pipeline", &format!("{idea} {word}"));
    for stage in Stage::ALL {
        let (s, body) = execute(&fleet().url, &id, stage.as_str());
        assert_eq!(s, 200, "{stage}: {body}");
        assert_eq!(body["version"], 1);
        assert_eq!(body["status"], "done");
    }
    let product = examples::select(idea);
    for stage in Stage::ALL {
        let (s, body) = get(&url(&format!("/api/projects/{id}/artifacts/{stage}")));
        assert_eq!(s, 200);
        let artifact = Artifact::from_value(stage, body["artifact"].clone()).unwrap();
        assert_eq!(artifact, product.artifact(stage), "{stage}");
        // The R2 object is the same body.
        let key = format!("projects/{id}/{stage}/v1.json");
        let object: Value = serde_json::from_str(&r2(&key).unwrap_or_else(|| panic!("no R2 object {key}"))).unwrap();
        assert_eq!(object, body["artifact"]);
    }
    let (_, project) = get(&url(&format!("/api/projects/{id}")));
    for s in project["stages"].as_array().unwrap() {
        assert_eq!((s["status"].as_str(), s["version"].as_u64()), (Some("done"), Some(1)), "{s}");
    }
    // Traces carry the tokens the Gemini server reported, call for call.
    let (_, traces) = get(&url(&format!("/api/projects/{id}/traces")));
    let seen = gemini_requests(&word);
    assert_eq!(seen.len(), 7);
    assert_eq!(traces["traces"].as_array().unwrap().len(), 7);
    let reported: u64 = seen.iter().map(|r| r["usage"]["totalTokenCount"].as_u64().unwrap()).sum();
    assert_eq!(traces["totals"]["totalTokens"].as_u64(), Some(reported));
    assert!(traces["totals"]["costUsd"].as_f64().unwrap() > 0.0);
    for r in &seen {
        let stage = r["stage"].as_str().unwrap();
        let t = traces["traces"].as_array().unwrap().iter().find(|t| t["stage"] == stage).unwrap();
        assert_eq!(t["promptTokens"], r["usage"]["promptTokenCount"], "{stage}");
        assert_eq!(t["outputTokens"], r["usage"]["candidatesTokenCount"], "{stage}");
        assert_eq!(t["thoughtsTokens"], r["usage"]["thoughtsTokenCount"], "{stage}");
        // The model that answered and the answer's id, as the server sent them.
        assert_eq!(t["modelVersion"], t["model"], "{stage}");
        assert!(t["responseId"].as_str().is_some_and(|id| id.starts_with("local-")), "{t}");
        assert_eq!(t["unpriced"], false, "{t}");
    }
    // Each prompt carried exactly the stage's needs.
    for r in &seen {
        let stage = Stage::parse(r["stage"].as_str().unwrap()).unwrap();
        let text = r["body"]["contents"][0]["parts"][0]["text"].as_str().unwrap();
        for s in Stage::ALL {
            let carried = text.contains(&format!("Upstream {s} artifact"));
            assert_eq!(carried, stage.needs().contains(&s), "{stage} prompt and {s}");
        }
    }
    // D1 rows, read with wrangler.
    let rows = d1(&format!(
        "SELECT stage, version, source, r2_key, content_hash FROM artifacts WHERE project_id = '{id}' ORDER BY stage"
    ));
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|r| r["version"] == 1 && r["source"] == "agent"));
    let done = d1(&format!(
        "SELECT COUNT(*) AS n FROM checkpoints WHERE project_id = '{id}' AND status = 'done' AND last_good_version = 1"
    ));
    assert_eq!(done[0]["n"], 7);
    let (_, activity) = get(&url(&format!("/api/projects/{id}/activity")));
    let kinds: Vec<&str> = activity["events"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "stage_succeeded").count(), 7);
    assert_eq!(kinds[0], "project_created");
}

#[test]
fn seven_stages_in_order_for_the_pantry_product() {
    full_pipeline("Plan a week of meals from the pantry");
}

#[test]
fn seven_stages_in_order_for_the_clinic_product() {
    full_pipeline("Book appointments at a small clinic");
}

#[test]
fn a_stage_without_its_upstream_is_refused_with_409() {
    let id = create_project(&fleet().url, "Early", "Plan meals from the pantry, too early");
    let (s, body) = execute(&fleet().url, &id, "api");
    assert_eq!(s, 409, "{body}");
    assert_eq!(body["error"]["code"], "missing_upstream");
    assert_eq!(body["error"]["message"], "the api stage needs artifacts that do not exist yet: prd, data, logic");
    let (s, _) = execute(&fleet().url, &id, "prd");
    assert_eq!(s, 200);
    let (s, body) = execute(&fleet().url, &id, "logic");
    assert_eq!(s, 409);
    assert!(body["error"]["message"].as_str().unwrap().ends_with(": data"), "{body}");
}

#[test]
fn a_failure_beyond_the_retry_budget_leaves_earlier_work_intact() {
    let word = unique("fail");
    let id = create_project(&fleet().url, "Failing", &format!("Plan meals from the pantry {word}"));
    assert_eq!(execute(&fleet().url, &id, "prd").0, 200);
    assert_eq!(execute(&fleet().url, &id, "data").0, 200);
    // One fault per attempt the agent makes: none is left queued for a later
    // suite that reaches this project (the fuzzer lists owner A's projects).
    let attempts = parit_shared::agent::retry::RetryPolicy::default().max_attempts;
    inject(json!({"kind": "internal", "match": word, "stage": "data", "times": attempts}));
    // Regenerate: the same inputs again, but never answered from the cache.
    let (s, body) = post(&url(&format!("/api/projects/{id}/stages/data/regenerate")), &json!({}));
    assert_eq!(s, 503, "Google failing for now, as the agent said: {body}");
    assert_eq!(body["error"]["code"], "stage_failed");
    assert_eq!(body["error"]["class"], "internal");
    assert_eq!(body["error"]["retryable"], true);
    // The stage shows failed with its reason; v1 is still there and served.
    let (_, project) = get(&url(&format!("/api/projects/{id}")));
    let data = project["stages"].as_array().unwrap().iter().find(|s| s["stage"] == "data").unwrap().clone();
    assert_eq!(data["status"], "failed");
    assert_eq!(data["error"]["class"], "internal");
    assert_eq!(data["version"], 1);
    assert_eq!(data["lastGoodVersion"], 1);
    let (s, v1) = get(&url(&format!("/api/projects/{id}/artifacts/data")));
    assert_eq!((s, v1["version"].as_u64()), (200, Some(1)));
    let (_, prd) = get(&url(&format!("/api/projects/{id}/artifacts/prd")));
    assert_eq!(prd["version"], 1);
    // Activity says why; traces hold every failed call.
    let (_, activity) = get(&url(&format!("/api/projects/{id}/activity")));
    let last = activity["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "stage_failed");
    assert!(last["message"].as_str().unwrap().contains("(internal)"), "{last}");
    let (_, traces) = get(&url(&format!("/api/projects/{id}/traces")));
    let failed: Vec<&Value> =
        traces["traces"].as_array().unwrap().iter().filter(|t| t["outcome"] == "failed").collect();
    assert_eq!(failed.len(), attempts as usize);
    assert!(failed.iter().all(|t| t["errorClass"] == "internal" && t["stage"] == "data"));
    // No second data row, no v2 object.
    assert_eq!(
        d1(&format!("SELECT COUNT(*) AS n FROM artifacts WHERE project_id = '{id}' AND stage = 'data'"))[0]["n"],
        1
    );
    assert!(r2(&format!("projects/{id}/data/v2.json")).is_none());
}

#[test]
fn rate_limit_retries_show_in_activity_and_traces() {
    let word = unique("quota");
    let id = create_project(&fleet().url, "Quota", &format!("Plan meals from the pantry {word}"));
    inject(json!({"kind": "quota_minute", "match": word, "retryDelay": "1s"}));
    let (s, body) = execute(&fleet().url, &id, "prd");
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["attempts"], 2);
    let (_, activity) = get(&url(&format!("/api/projects/{id}/activity")));
    let retried = activity["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "stage_retried")
        .cloned()
        .expect("a retry event");
    assert!(retried["message"].as_str().unwrap().contains("quota_per_minute"), "{retried}");
    assert!(retried["message"].as_str().unwrap().contains("1000 ms"), "{retried}");
    let (_, traces) = get(&url(&format!("/api/projects/{id}/traces")));
    assert_eq!(traces["traces"][0]["retryDelayMs"], 1000);
    assert_eq!(traces["traces"][0]["errorClass"], "quota_per_minute");
}

#[test]
fn delete_leaves_no_row_or_object_behind() {
    let id = create_project(&fleet().url, "Doomed", "Plan meals from the pantry, then forget it");
    for stage in ["prd", "data", "design"] {
        assert_eq!(execute(&fleet().url, &id, stage).0, 200);
    }
    assert!(r2(&format!("projects/{id}/design/v1.json")).is_some());
    let (s, body) = delete(&url(&format!("/api/projects/{id}")));
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["objectsDeleted"], 3);
    for table in ["artifacts", "checkpoints", "execution_traces", "agent_activity", "project_settings"] {
        let n = d1(&format!("SELECT COUNT(*) AS n FROM {table} WHERE project_id = '{id}'"));
        assert_eq!(n[0]["n"], 0, "{table}");
    }
    assert_eq!(d1(&format!("SELECT COUNT(*) AS n FROM projects WHERE id = '{id}'"))[0]["n"], 0);
    for stage in ["prd", "data", "design"] {
        assert!(r2(&format!("projects/{id}/{stage}/v1.json")).is_none(), "{stage} object left behind");
    }
    assert_eq!(get(&url(&format!("/api/projects/{id}"))).0, 404);
    assert_eq!(delete(&url(&format!("/api/projects/{id}"))).0, 404);
}

#[test]
fn projects_are_listed_newest_first_in_pages() {
    let ids: Vec<String> = (0..3)
        .map(|i| create_project(&fleet().url, &format!("Page {i}"), "Plan meals from the pantry, paged"))
        .collect();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor.as_ref().map_or(String::new(), |c| format!("&cursor={c}"));
        let (s, page) = get(&url(&format!("/api/projects?limit=2{q}")));
        assert_eq!(s, 200, "{page}");
        let items = page["projects"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|p| p["id"].as_str().unwrap().to_string()));
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let unique: std::collections::HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no project twice");
    let positions: Vec<usize> = ids.iter().map(|id| seen.iter().position(|s| s == id).unwrap()).collect();
    assert!(positions[2] < positions[1] && positions[1] < positions[0], "newest first");
}

#[test]
fn settings_are_validated_and_saved() {
    let id = create_project(&fleet().url, "Settings", "Plan meals from the pantry, tuned");
    let u = url(&format!("/api/projects/{id}/settings"));
    let (s, body) =
        send("PATCH", &u, &json!({"temperature": 0.1, "model": "gemini-3.8-flash", "maxOutputTokens": 8192}));
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["settings"]["model"], "gemini-3.8-flash");
    // A model Google has shut down is refused, naming what to use instead.
    let (s, body) = send("PATCH", &u, &json!({"model": "gemini-2.5-flash"}));
    assert_eq!(s, 422, "{body}");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains("shut down") && msg.contains("gemini-3.5-flash-lite"), "{msg}");
    let (s, body) = send("PATCH", &u, &json!({"temperature": 7, "colour": "red"}));
    assert_eq!(s, 400);
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains("temperature") && msg.contains("colour"), "{msg}");
    let (_, project) = get(&url(&format!("/api/projects/{id}")));
    assert_eq!(project["settings"]["temperature"], 0.1, "a rejected patch changes nothing");
    // The next stage uses the saved model.
    let word = unique("model");
    let id = create_project(&fleet().url, "Model", &format!("Plan meals from the pantry {word}"));
    send("PATCH", &url(&format!("/api/projects/{id}/settings")), &json!({"model": "gemini-3.6-flash"}));
    assert_eq!(execute(&fleet().url, &id, "prd").0, 200);
    let seen = gemini_requests(&word);
    assert_eq!(seen[0]["model"], "gemini-3.6-flash");
    // Thinking at the stage's default level; no temperature, which 3.6 Flash ignores.
    let config = &seen[0]["body"]["generationConfig"];
    assert_eq!(config["thinkingConfig"], json!({"thinkingLevel": "low"}), "{config}");
    assert!(config.get("temperature").is_none(), "{config}");
    // A model for one stage and a thinking level for all reach that stage's request.
    let (s, body) = send(
        "PATCH",
        &url(&format!("/api/projects/{id}/settings")),
        &json!({"thinking": "high", "stageModels": {"data": "gemini-3.8-flash"}}),
    );
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["settings"]["stageModels"], json!({"data": "gemini-3.8-flash"}));
    assert_eq!(execute(&fleet().url, &id, "data").0, 200);
    let data = gemini_requests(&word).into_iter().find(|r| r["stage"] == "data").expect("a data request");
    assert_eq!(data["model"], "gemini-3.8-flash");
    assert_eq!(data["body"]["generationConfig"]["thinkingConfig"], json!({"thinkingLevel": "high"}));
}

#[test]
fn a_project_on_a_shut_down_model_is_refused_before_any_model_call() {
    let word = unique("shutdown");
    let id = create_project(&fleet().url, "Old model", &format!("Plan meals from the pantry {word}"));
    // Chosen before Google shut it down: settings refuse it now, so set it as an older project has it.
    d1(&format!("UPDATE project_settings SET model = 'gemini-2.5-flash' WHERE project_id = '{id}'"));
    let (s, body) = start_run(&fleet().url, &id);
    assert_eq!(s, 422, "{body}");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains("gemini-2.5-flash was shut down") && msg.contains("gemini-3.5-flash-lite"), "{msg}");
    assert_eq!(execute(&fleet().url, &id, "prd").0, 422);
    assert!(gemini_requests(&word).is_empty(), "no model call was made");
    // The plan says so before anyone presses Run.
    let (s, plan) = get(&url(&format!("/api/projects/{id}/plan")));
    assert_eq!(s, 200, "{plan}");
    assert!(plan["refused"].as_str().is_some_and(|r| r.contains("gemini-2.5-flash was shut down")), "{plan}");
    // Once the settings name a current model, it runs.
    let (s, _) = send("PATCH", &url(&format!("/api/projects/{id}/settings")), &json!({"model": "gemini-3.6-flash"}));
    assert_eq!(s, 200);
    assert_eq!(execute(&fleet().url, &id, "prd").0, 200);
}

#[test]
fn bad_input_gets_a_clear_4xx() {
    let id = create_project(&fleet().url, "Inputs", "Plan meals from the pantry, carefully");
    let cases: Vec<(u16, (u16, Value))> = vec![
        (400, send_raw("POST", &url("/api/projects"), "application/json", "{\"name\": ")),
        (400, post(&url("/api/projects"), &json!({"name": "x"}))),
        (400, post(&url("/api/projects"), &json!({"name": 3, "idea": "Plan meals from the pantry"}))),
        (400, post(&url("/api/projects"), &json!({"name": "x", "idea": "short"}))),
        (415, send_raw("POST", &url("/api/projects"), "text/plain", "{}")),
        (
            413,
            send_raw(
                "POST",
                &url("/api/projects"),
                "application/json",
                &format!("{{\"name\":\"x\",\"idea\":\"{}\"}}", "a".repeat(40_000)),
            ),
        ),
        (400, post(&url("/api/execute"), &json!({"projectId": id, "stage": "marketing"}))),
        (400, post(&url("/api/execute"), &json!({"projectId": id, "stage": 3}))),
        (400, post(&url("/api/execute"), &json!({"projectId": "../../etc", "stage": "prd"}))),
        (400, post(&url("/api/execute"), &json!({"stage": "prd"}))),
        (400, post(&url("/api/execute"), &json!({"projectId": id, "stage": "prd", "extra": 1}))),
        (400, post(&url("/api/execute"), &json!({"projectId": id, "stage": "prd", "context": 5}))),
        (
            404,
            post(&url("/api/execute"), &json!({"projectId": "0123abcd-0000-4000-8000-000000000000", "stage": "prd"})),
        ),
        (400, get(&url("/api/projects/NOT_AN_ID"))),
        (404, get(&url("/api/projects/0123abcd-0000-4000-8000-000000000000"))),
        (400, get(&url(&format!("/api/projects/{id}/artifacts/marketing")))),
        (404, get(&url(&format!("/api/projects/{id}/artifacts/prd")))),
        (400, get(&url(&format!("/api/projects/{id}/artifacts/prd?version=zero")))),
        (400, get(&url("/api/projects?limit=1000"))),
        (400, get(&url("/api/projects?cursor=garbage"))),
        (404, get(&url("/api/nothing-here"))),
        (405, send("PUT", &url("/api/projects"), &json!({}))),
        (405, get(&url("/api/execute"))),
    ];
    for (i, (want, (got, body))) in cases.into_iter().enumerate() {
        assert_eq!(got, want, "case {i}: {body}");
        let e = &body["error"];
        assert!(e["code"].is_string() && !e["message"].as_str().unwrap_or("").is_empty(), "case {i}: {body}");
    }
    // A 405 says which methods the path takes, in its Allow header, from the route table.
    for (method, path, allow) in [
        ("PUT", "/api/projects".to_string(), "POST, GET"),
        ("POST", format!("/api/projects/{id}"), "GET, DELETE"),
        ("DELETE", format!("/api/projects/{id}/artifacts/prd"), "GET, PUT"),
        ("GET", format!("/api/projects/{id}/run"), "POST"),
        // A method the Workers runtime passes through but the API has no use for.
        ("QUERY", format!("/api/projects/{id}/consistency"), "GET"),
    ] {
        let a = call(method, &url(&path), Caller::Default, &[], Some(("application/json", "{}")));
        assert_eq!((a.status, a.header("allow")), (405, Some(allow)), "{method} {path}: {}", a.text);
        assert_eq!(a.json()["error"]["code"], "method_not_allowed");
    }
}
