//! Durable pipeline runs on the real fleet: the DAG in parallel with no client
//! connected, failures that stop only descendants, resume, one run at a time,
//! edits and regeneration that re-run exactly what is stale, zero-token
//! re-runs, budgets, approval gates, cancel, quota waits and the live event
//! stream.

use parit_fleet_tests::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};

fn url(path: &str) -> String {
    format!("{}{path}", fleet().url)
}

/// A project whose model calls each take `delay_ms` on the Gemini server.
fn slow_project(tag: &str, delay_ms: u64) -> (String, String) {
    let word = unique(tag);
    let id = create_project(&fleet().url, "Run", &format!("Plan meals from the pantry {word}"));
    if delay_ms > 0 {
        inject(json!({"kind": "slow", "match": word, "times": 100, "delayMs": delay_ms}));
    }
    (id, word)
}

fn events(id: &str) -> Vec<Value> {
    let (_, a) = get(&url(&format!("/api/projects/{id}/activity?limit=1000")));
    a["events"].as_array().cloned().unwrap_or_default()
}

fn event_time(events: &[Value], kind: &str, stage: &str) -> u64 {
    events
        .iter()
        .find(|e| e["kind"] == kind && e["stage"] == stage)
        .and_then(|e| e["createdAt"].as_u64())
        .unwrap_or_else(|| panic!("no {kind} event for {stage}"))
}

/// The stages a plan would call the model for.
fn planned_calls(plan: &Value) -> Vec<String> {
    let stages = plan["stages"].as_array().unwrap_or_else(|| panic!("not a plan: {plan}"));
    stages.iter().filter(|s| s["action"] == "call").map(|s| s["stage"].as_str().unwrap().to_string()).collect()
}

/// The project's row in the caller's project list, paging as far as needed.
fn list_row(id: &str) -> Value {
    let mut cursor = String::new();
    loop {
        let (s, page) = get(&url(&format!("/api/projects?limit=100{cursor}")));
        assert_eq!(s, 200, "{page}");
        if let Some(row) = page["projects"].as_array().unwrap().iter().find(|p| p["id"] == id) {
            return row.clone();
        }
        let next = page["nextCursor"].as_str().unwrap_or_else(|| panic!("{id} is not in the list"));
        cursor = format!("&cursor={next}");
    }
}

#[test]
fn a_run_completes_with_no_client_one_stage_per_alarm() {
    let (id, word) = slow_project("full", 800);
    let (s, body) = start_run(&fleet().url, &id);
    assert_eq!(s, 202, "{body}");
    assert_eq!(body["run"]["status"], "running");
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed", "{project}");
    assert!(stage_table(&project).iter().all(|(_, status, v)| status == "done" && *v == Some(1)), "{project}");
    assert_eq!(stages_requested(&word).len(), 7);
    let ev = events(&id);
    let (data_start, data_end) = (event_time(&ev, "stage_started", "data"), event_time(&ev, "stage_succeeded", "data"));
    let (design_start, design_end) =
        (event_time(&ev, "stage_started", "design"), event_time(&ev, "stage_succeeded", "design"));
    // Each alarm executes one stage, to stay inside the Workers Free plan's
    // subrequests per invocation (docs/BENCHMARKS.md "Free plan"): design no
    // longer runs beside data.
    assert!(design_start >= data_end || data_start >= design_end, "design and data ran side by side");
    assert!(ev
        .iter()
        .any(|e| e["kind"] == "run_finished" && e["message"].as_str().unwrap_or("").contains("completed")));
    // The project list shows the run's status and what it spent, as the traces add it up.
    let (_, traces) = get(&url(&format!("/api/projects/{id}/traces")));
    let row = list_row(&id);
    assert_eq!((row["status"].clone(), row["stagesBuilt"].clone()), (json!("completed"), json!(7)), "{row}");
    assert_eq!(row["totalTokens"], traces["totals"]["totalTokens"], "{row}");
    let cost = row["costUsd"].as_f64().unwrap();
    assert!(cost > 0.0 && (cost - traces["totals"]["costUsd"].as_f64().unwrap()).abs() < 1e-9, "{row}");
}

#[test]
fn two_concurrent_runs_are_one_run() {
    let (id, _) = slow_project("twice", 300);
    let a = std::thread::spawn({
        let id = id.clone();
        move || start_run(&fleet().url, &id)
    });
    let b = start_run(&fleet().url, &id);
    let a = a.join().unwrap();
    assert_eq!(a.1["run"]["id"], b.1["run"]["id"], "the second call returns the active run");
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 202]);
    wait_for_run(&fleet().url, &id);
    assert_eq!(d1(&format!("SELECT COUNT(*) AS n FROM runs WHERE project_id = '{id}'"))[0]["n"], 1);
    let versions = d1(&format!("SELECT COUNT(*) AS n FROM artifacts WHERE project_id = '{id}'"));
    assert_eq!(versions[0]["n"], 7);
}

#[test]
fn a_failure_stops_only_descendants_and_resume_runs_only_them() {
    let (id, word) = slow_project("resume", 0);
    inject(json!({"kind": "api_key_invalid", "match": word, "stage": "logic", "times": 1}));
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "failed");
    let table = stage_table(&project);
    let status = |s: &str| table.iter().find(|(n, _, _)| n == s).map(|(_, st, _)| st.clone()).unwrap();
    assert_eq!(status("logic"), "failed");
    assert_eq!(status("design"), "done");
    for s in ["api", "frontend", "deployment"] {
        assert_eq!(status(s), "pending", "{s} did not run");
    }
    let before = stages_requested(&word).len();
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed", "{project}");
    let rerun: Vec<String> = stages_requested(&word)[before..].to_vec();
    assert_eq!(rerun, ["logic", "api", "frontend", "deployment"]);
    assert_eq!(
        d1(&format!("SELECT COUNT(*) AS n FROM artifacts WHERE project_id = '{id}'"))[0]["n"],
        7,
        "nothing written twice"
    );
}

/// Polls `project` until its run has `status`; the project.
fn run_reaches(id: &str, status: &str) -> Value {
    let mut project = Value::Null;
    poll_until(&format!("the run of {id} is {status}"), || {
        let (s, body) = get(&url(&format!("/api/projects/{id}")));
        assert_eq!(s, 200, "{body}");
        project = body;
        project["run"]["status"] == status
    });
    project
}

/// A run whose logic stage Gemini tells to wait `delay` (longer than an agent
/// holds a request): the run waits for quota. The project, once it waits.
fn parked_run(tag: &str, delay: &str) -> (String, String, Value) {
    let (id, word) = slow_project(tag, 0);
    inject(json!({"kind": "quota_minute", "match": word, "stage": "logic", "times": 1, "retryDelay": delay}));
    let (s, body) = start_run(&fleet().url, &id);
    assert_eq!(s, 202, "{body}");
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "waiting_for_quota", "{project}");
    (id, word, project)
}

#[test]
fn a_long_quota_wait_parks_the_run_and_retry_now_completes_it() {
    let (id, word, project) = parked_run("park", "600s");
    let run = &project["run"];
    assert_eq!(run["waitingStages"], json!(["logic"]), "{run}");
    let (updated, resume_at) = (run["updatedAt"].as_u64().unwrap(), run["resumeAt"].as_u64().unwrap());
    assert!(resume_at >= updated + 599_000 && resume_at <= updated + 601_000, "resumes 600 s on: {run}");
    assert!(run["message"].as_str().unwrap().contains("waiting for Gemini quota"), "{run}");
    let table = stage_table(&project);
    let status = |s: &str| table.iter().find(|(n, _, _)| n == s).map(|(_, st, _)| st.clone()).unwrap();
    assert_eq!(status("design"), "done", "a branch that does not need logic went on");
    for s in ["api", "frontend", "deployment"] {
        assert_eq!(status(s), "pending", "{s} waits with logic");
    }
    assert_eq!(stages_requested(&word).iter().filter(|s| *s == "logic").count(), 1, "asked once, not hammered");
    let row = d1(&format!("SELECT status, resume_at FROM runs WHERE project_id = '{id}'"));
    assert_eq!((row[0]["status"].clone(), row[0]["resume_at"].as_u64()), (json!("waiting_for_quota"), Some(resume_at)));
    assert!(events(&id).iter().any(|e| e["kind"] == "run_waiting"), "the feed says the run waits");
    // The project is held while it waits: nothing else may change it meanwhile.
    let (s, body) = execute(&fleet().url, &id, "design");
    assert_eq!((s, body["error"]["code"].clone()), (409, json!("run_active")), "{body}");

    // Retry now: the same run resumes at once and builds only what was left.
    let before = stages_requested(&word).len();
    let (s, body) = start_run(&fleet().url, &id);
    assert_eq!(
        (s, body["resumed"].clone(), body["run"]["id"].clone()),
        (200, json!(true), run["id"].clone()),
        "{body}"
    );
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed", "{project}");
    assert_eq!(project["run"]["resumeAt"], Value::Null);
    assert_eq!(stages_requested(&word)[before..], ["logic", "api", "frontend", "deployment"]);
    assert_eq!(d1(&format!("SELECT COUNT(*) AS n FROM runs WHERE project_id = '{id}'"))[0]["n"], 1, "one run");
    let versions = d1(&format!("SELECT stage, COUNT(*) AS n FROM artifacts WHERE project_id = '{id}' GROUP BY stage"));
    assert_eq!(versions.len(), 7, "{versions:?}");
    assert!(versions.iter().all(|v| v["n"] == 1), "no version twice: {versions:?}");
    assert!(events(&id).iter().any(|e| e["kind"] == "run_resumed"));
}

#[test]
fn the_alarm_resumes_a_run_when_its_quota_wait_is_over() {
    // 31 s: just longer than an agent holds a request (30 s), so the run parks.
    let (id, word, _) = parked_run("alarm", "31s");
    let project = run_reaches(&id, "completed");
    assert!(stage_table(&project).iter().all(|(_, status, v)| status == "done" && *v == Some(1)), "{project}");
    assert_eq!(stages_requested(&word).iter().filter(|s| *s == "logic").count(), 2, "logic asked again once");
    let kinds: Vec<Value> = events(&id).iter().map(|e| e["kind"].clone()).collect();
    let at = |k: &str| kinds.iter().position(|x| x == k).unwrap_or_else(|| panic!("no {k}: {kinds:?}"));
    assert!(at("run_waiting") < at("run_resumed") && at("run_resumed") < at("run_finished"), "{kinds:?}");
}

#[test]
fn a_single_stage_told_to_wait_answers_429_with_retry_after() {
    let (id, word) = slow_project("execwait", 0);
    inject(json!({"kind": "quota_minute", "match": word, "stage": "prd", "times": 1, "retryDelay": "47s"}));
    let body = json!({"projectId": id, "stage": "prd"}).to_string();
    let a = call("POST", &url("/api/execute"), Caller::Default, &[], Some(("application/json", &body)));
    assert_eq!(a.status, 429, "{}", a.text);
    assert_eq!(a.header("retry-after"), Some("47"));
    let error = &a.json()["error"];
    assert_eq!((error["code"].clone(), error["class"].clone()), (json!("stage_failed"), json!("quota_per_minute")));
    assert_eq!(stages_requested(&word), ["prd"], "asked once: the wait is the caller's");
}

#[test]
fn cancel_ends_a_run_that_waits_for_quota_at_once() {
    let (id, _, _) = parked_run("parkcancel", "600s");
    let (s, body) = post(&url(&format!("/api/projects/{id}/cancel")), &json!({}));
    assert_eq!((s, body["run"]["status"].clone()), (200, json!("cancelled")), "{body}");
    assert_eq!(body["run"]["resumeAt"], Value::Null);
    let (s, project) = get(&url(&format!("/api/projects/{id}")));
    assert_eq!((s, project["run"]["status"].clone()), (200, json!("cancelled")));
}

#[test]
fn deleting_a_project_mid_run_stops_its_run_and_nothing_is_written_after() {
    let (id, word) = slow_project("delrun", 1500);
    let (s, body) = start_run(&fleet().url, &id);
    assert_eq!(s, 202, "{body}");
    poll_until("prd reached the model", || !stages_requested(&word).is_empty());
    let (s, body) = delete(&url(&format!("/api/projects/{id}")));
    assert_eq!(s, 200, "{body}");
    let rows = || {
        ["runs", "artifacts", "checkpoints", "agent_activity", "execution_traces", "project_settings"]
            .map(|t| d1(&format!("SELECT COUNT(*) AS n FROM {t} WHERE project_id = '{id}'"))[0]["n"].clone())
    };
    assert_eq!(rows(), [0; 6].map(Value::from), "every row is gone");
    let calls = stages_requested(&word).len();
    // Time passes while another project runs to the end: the deleted project's
    // object stays silent (before, its alarm failed every 3 s, forever).
    let (other, _) = slow_project("delrunafter", 700);
    start_run(&fleet().url, &other);
    assert_eq!(wait_for_run(&fleet().url, &other)["run"]["status"], "completed");
    assert_eq!(stages_requested(&word).len(), calls, "no model call for a deleted project");
    assert_eq!(rows(), [0; 6].map(Value::from), "nothing written after the delete");
    let log = std::fs::read_to_string(format!("{}/wrangler.log", fleet().dir)).expect("the fleet's log");
    let errors: Vec<&str> = log.lines().filter(|l| l.contains(&id) && l.contains("pipeline alarm")).collect();
    assert!(errors.is_empty(), "the deleted project's alarm still fires: {errors:?}");
    let (s, _) = get(&url(&format!("/api/projects/{id}")));
    assert_eq!(s, 404);
}

#[test]
fn an_unchanged_project_re_runs_with_zero_model_calls() {
    let (id, word) = slow_project("noop", 0);
    start_run(&fleet().url, &id);
    wait_for_run(&fleet().url, &id);
    let calls = stages_requested(&word).len();
    let (s, _) = start_run(&fleet().url, &id);
    assert_eq!(s, 202);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed");
    assert_eq!(stages_requested(&word).len(), calls, "no model call");
    // Executing a stage again with identical inputs is answered from the cache.
    let (s, body) = execute(&fleet().url, &id, "prd");
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["cacheHit"], true);
    assert_eq!(body["usage"]["promptTokens"], 0);
    assert_eq!(stages_requested(&word).len(), calls);
    let (_, traces) = get(&url(&format!("/api/projects/{id}/traces")));
    assert_eq!(traces["totals"]["cacheHits"], 1);
}

#[test]
fn an_edit_makes_descendants_stale_and_a_run_regenerates_exactly_them() {
    let (id, word) = slow_project("edit", 0);
    start_run(&fleet().url, &id);
    wait_for_run(&fleet().url, &id);
    let plan_url = url(&format!("/api/projects/{id}/plan"));
    // Built and unchanged: the next run reuses everything, at zero tokens.
    let (s, plan) = get(&plan_url);
    assert_eq!(s, 200, "{plan}");
    assert_eq!((plan["calls"].as_u64(), plan["tokens"]["high"].as_u64()), (Some(0), Some(0)), "{plan}");
    assert!(plan["stages"].as_array().unwrap().iter().all(|s| s["action"] == "reuse"), "{plan}");
    let (_, current) = get(&url(&format!("/api/projects/{id}/artifacts/data")));
    let mut data = current["artifact"].clone();
    // Invalid first: every problem is reported, by the plan as by the save,
    // and nothing is saved.
    let mut broken = data.clone();
    broken["entities"][1]["fields"][1]["references"] = json!("Ghost");
    broken["indexes"][0]["entity"] = json!("Nowhere");
    let (s, planned) = post(&plan_url, &json!({"stage": "data", "artifact": broken}));
    assert_eq!(s, 422, "{planned}");
    let (s, body) = send("PUT", &url(&format!("/api/projects/{id}/artifacts/data")), &broken);
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["error"]["problems"].as_array().unwrap().len(), 2, "{body}");
    assert_eq!(planned["error"]["problems"], body["error"]["problems"]);
    // A valid edit: a new field on Recipe. Planned first, which stores nothing.
    let field = json!({"name": "cuisine", "fieldType": "string", "required": false, "unique": false, "references": null, "description": "Cuisine."});
    data["entities"][1]["fields"].as_array_mut().unwrap().insert(2, field);
    let activity_before = events(&id).len();
    let (s, what_if) = post(&plan_url, &json!({"stage": "data", "artifact": data}));
    assert_eq!(s, 200, "{what_if}");
    assert_eq!(what_if["stages"][1]["action"], "edited", "{what_if}");
    assert_eq!(planned_calls(&what_if), ["logic", "api", "frontend", "deployment"]);
    assert_eq!(get(&url(&format!("/api/projects/{id}/artifacts/data"))).1["version"], 1, "the what-if stored nothing");
    assert_eq!(events(&id).len(), activity_before);
    assert_eq!(get(&plan_url).1["calls"], 0);
    let (s, body) = send("PUT", &url(&format!("/api/projects/{id}/artifacts/data")), &json!({"artifact": data}));
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["version"], 2);
    let (_, project) = get(&url(&format!("/api/projects/{id}")));
    let stale: Vec<String> =
        stage_table(&project).into_iter().filter(|(_, st, _)| st == "stale").map(|(n, _, _)| n).collect();
    assert_eq!(stale, ["logic", "api", "frontend", "deployment"]);
    // Not ready while they are stale: each one is a gap, with its stage.
    let (_, consistency) = get(&url(&format!("/api/projects/{id}/consistency")));
    let gaps: Vec<(&str, &str)> = consistency["ready"]["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["kind"].as_str().unwrap(), g["stage"].as_str().unwrap()))
        .collect();
    assert_eq!(consistency["ready"]["ready"], false);
    assert_eq!(gaps, ["logic", "api", "frontend", "deployment"].map(|s| ("not_current", s)));
    // The project list says the same, as the edit left it.
    assert_eq!(list_row(&id)["ready"], json!({"ready": false, "gaps": 4}));
    // The plan names exactly those, and why; the run then calls exactly them.
    let (_, plan) = get(&plan_url);
    assert_eq!(planned_calls(&plan), ["logic", "api", "frontend", "deployment"]);
    assert_eq!(
        (&plan["stages"][3]["reason"], &plan["stages"][3]["inputs"]),
        (&json!("input_changed"), &json!(["data"]))
    );
    assert_eq!(plan["stages"][3]["estimate"]["outputBasis"], "history", "{plan}");
    // The agents hold keys here: Gemini (the local one) counted each prompt.
    for stage in &plan["stages"].as_array().unwrap()[3..] {
        assert_eq!(stage["estimate"]["promptBasis"], "countTokens", "{stage}");
    }
    assert!(plan["costUsd"]["low"].as_f64().unwrap() > 0.0, "{plan}");
    let before = stages_requested(&word).len();
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed");
    assert_eq!(stages_requested(&word)[before..].to_vec(), ["logic", "api", "frontend", "deployment"]);
    let (_, consistency) = get(&url(&format!("/api/projects/{id}/consistency")));
    assert_eq!(consistency["ready"], json!({"ready": true, "gaps": []}), "{consistency}");
    // Decided just after the run's end: the list has it once it lands.
    poll_until("the list's verdict after the run", || !list_row(&id)["ready"].is_null());
    assert_eq!(list_row(&id)["ready"], json!({"ready": true, "gaps": 0}));
    // What the run was estimated to cost, recorded as it started, beside what it used.
    let (_, traces) = get(&url(&format!("/api/projects/{id}/traces")));
    let estimates = traces["estimates"].as_array().unwrap();
    let estimated: Vec<&str> = estimates.iter().map(|e| e["stage"].as_str().unwrap()).collect();
    assert_eq!(estimated, ["logic", "api", "frontend", "deployment"], "{traces}");
    for e in estimates {
        assert!(e["actualCalls"].as_u64().unwrap() >= 1 && e["actualTokens"].as_u64().unwrap() > 0, "{e}");
        assert!(
            e["tokens"]["low"].as_u64().unwrap() > 0 && e["tokens"]["high"].as_u64() >= e["tokens"]["low"].as_u64()
        );
    }
    let versions: Vec<(String, Option<u64>)> = stage_table(&project).into_iter().map(|(n, _, v)| (n, v)).collect();
    assert_eq!(
        versions,
        [("prd", 1), ("data", 2), ("design", 1), ("logic", 2), ("api", 2), ("frontend", 2), ("deployment", 2)]
            .map(|(n, v)| (n.to_string(), Some(v)))
    );
    // The edit reached the API built from it.
    let (_, api) = get(&url(&format!("/api/projects/{id}/artifacts/api")));
    assert!(api["artifact"].to_string().contains("cuisine"));
    // What if design were regenerated: it and what reads it, never the cache.
    let (s, plan) = get(&format!("{plan_url}?regenerate=design"));
    assert_eq!(s, 200, "{plan}");
    assert_eq!(planned_calls(&plan), ["design", "frontend", "deployment"]);
    assert_eq!(plan["stages"][2]["reason"], "regenerate");
    for (query, status) in [("?regenerate=nope", 400), ("?what=1", 400)] {
        let (s, body) = get(&format!("{plan_url}{query}"));
        assert_eq!(s, status, "{query}: {body}");
    }
    for bad in [json!({"artifact": data}), json!({"stage": "data"}), json!({"stage": "data", "artifact": data, "x": 1})]
    {
        let (s, body) = post(&plan_url, &bad);
        assert_eq!(s, 400, "{bad}: {body}");
    }
    // The edit's change report, id by id: one field added, nothing it touches.
    let changes_url = url(&format!("/api/projects/{id}/artifacts/data/changes"));
    let (s, report) = get(&changes_url);
    assert_eq!(s, 200, "{report}");
    assert_eq!((report["from"].as_u64(), report["to"].as_u64()), (Some(1), Some(2)));
    assert_eq!(report["added"], json!([{"kind": "field", "id": "Recipe.cuisine"}]), "{report}");
    assert_eq!((&report["removed"], &report["changed"], &report["references"]), (&json!([]), &json!([]), &json!([])));
    // Removing a field the API returns: the report names each endpoint field that used it.
    let (_, api) = get(&url(&format!("/api/projects/{id}/artifacts/api")));
    let endpoints = api["artifact"]["endpoints"].as_array().unwrap().clone();
    let plain = |entity: &str, field: &str| {
        let indexed = data["indexes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["entity"] == entity && i["fields"].as_array().unwrap().contains(&json!(field)));
        let entities = data["entities"].as_array().unwrap();
        let e = entities.iter().find(|e| e["name"] == entity).unwrap();
        let f = e["fields"].as_array().unwrap().iter().find(|f| f["name"] == field).unwrap();
        !indexed && f["fieldType"] != "id" && f["references"].is_null()
    };
    let (entity, field) = endpoints
        .iter()
        .flat_map(|e| {
            let entity = e["entity"].as_str().unwrap().to_string();
            let fields = e["responseFields"].as_array().unwrap().clone();
            fields.into_iter().map(move |f| (entity.clone(), f.as_str().unwrap().to_string()))
        })
        .find(|(entity, field)| plain(entity, field))
        .expect("an endpoint returns a plain field");
    let mut fewer = data.clone();
    for e in fewer["entities"].as_array_mut().unwrap().iter_mut().filter(|e| e["name"] == entity.as_str()) {
        e["fields"].as_array_mut().unwrap().retain(|f| f["name"] != field.as_str());
    }
    let (s, body) = send("PUT", &url(&format!("/api/projects/{id}/artifacts/data")), &json!({"artifact": fewer}));
    assert_eq!(s, 201, "{body}");
    let (_, report) = get(&changes_url);
    let gone = format!("{entity}.{field}");
    assert_eq!((report["from"].as_u64(), report["to"].as_u64()), (Some(2), Some(3)));
    assert_eq!(report["removed"], json!([{"kind": "field", "id": gone}]), "{report}");
    let mut uses = Vec::new();
    for (i, e) in endpoints.iter().enumerate().filter(|(_, e)| e["entity"] == entity.as_str()) {
        for side in ["requestFields", "responseFields"] {
            for (j, f) in e[side].as_array().unwrap().iter().enumerate() {
                if *f == json!(field) {
                    uses.push(format!("$.endpoints[{i}].{side}[{j}]"));
                }
            }
        }
    }
    let named: Vec<String> = report["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stage"] == "api")
        .map(|r| {
            assert_eq!((&r["id"], &r["change"]), (&json!(gone), &json!("removed")), "{r}");
            r["location"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(named, uses, "{report}");
    let (s, _) = get(&format!("{changes_url}?from=3&to=2"));
    assert_eq!(s, 400);
}

#[test]
fn regenerate_with_feedback_makes_a_new_version_from_the_feedback() {
    let (id, word) = slow_project("regen", 0);
    for s in ["prd", "data", "design"] {
        assert_eq!(execute(&fleet().url, &id, s).0, 200);
    }
    let (s, body) = post(
        &url(&format!("/api/projects/{id}/stages/prd/regenerate")),
        &json!({"feedback": "Add a persona for students"}),
    );
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["version"], 2);
    assert_eq!(body["cacheHit"], false);
    let last = gemini_requests(&word).last().cloned().unwrap();
    let prompt = last["body"]["contents"][0]["parts"][0]["text"].as_str().unwrap().to_string();
    assert!(prompt.contains("Reviewer feedback to apply in this version:\nAdd a persona for students"), "{prompt}");
    // The local server notes the feedback in the PRD, as a model would change
    // it: the new version differs, so the stages built from it are stale.
    let (_, prd) = get(&url(&format!("/api/projects/{id}/artifacts/prd")));
    assert!(prd["artifact"]["summary"].as_str().unwrap().ends_with("(Revised: Add a persona for students)"), "{prd}");
    let (_, project) = get(&url(&format!("/api/projects/{id}")));
    let table = stage_table(&project);
    assert_eq!(
        table[..3].iter().map(|(_, st, _)| st.as_str()).collect::<Vec<_>>(),
        ["done", "stale", "stale"],
        "{table:?}"
    );
    let (s, b) = post(&url(&format!("/api/projects/{id}/stages/prd/regenerate")), &json!({"feedback": 5}));
    assert_eq!(s, 400, "{b}");
}

#[test]
fn the_budget_stops_a_run_and_raising_it_resumes() {
    let (id, word) = slow_project("budget", 0);
    let (s, _) = send("PATCH", &url(&format!("/api/projects/{id}/settings")), &json!({"tokenBudget": 12000}));
    assert_eq!(s, 200);
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "budget_exceeded", "{project}");
    assert!(project["run"]["message"].as_str().unwrap().contains("of 12000 tokens"));
    let done = stage_table(&project).iter().filter(|(_, st, _)| st == "done").count();
    assert!(done > 0 && done < 7, "{project}");
    assert!(events(&id).iter().any(|e| e["kind"] == "budget_exceeded"));
    // The plan of what is left says it cannot fit in what is left.
    let (_, plan) = get(&url(&format!("/api/projects/{id}/plan")));
    let budget = &plan["budget"];
    assert_eq!(budget["budget"], 12000, "{plan}");
    assert_eq!(budget["left"].as_u64(), Some(12000u64.saturating_sub(budget["spent"].as_u64().unwrap())));
    assert_eq!(planned_calls(&plan).len(), 7 - done, "{plan}");
    assert_eq!(budget["mayExceed"], true, "{plan}");
    let calls = stages_requested(&word).len();
    send("PATCH", &url(&format!("/api/projects/{id}/settings")), &json!({"tokenBudget": null}));
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed");
    assert_eq!(stages_requested(&word).len(), calls + (7 - done), "only the remaining stages ran");
}

#[test]
fn approval_gates_pause_after_each_stage() {
    let (id, _) = slow_project("gate", 0);
    send("PATCH", &url(&format!("/api/projects/{id}/settings")), &json!({"autoAdvance": false}));
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "awaiting_approval", "{project}");
    assert_eq!(stage_table(&project)[0].1, "done");
    assert_eq!(stage_table(&project)[1].1, "pending");
    // The project says which stages wait, so a client can offer exactly those.
    assert_eq!(project["run"]["awaitingApproval"], json!(["prd"]), "{project}");
    let (s, body) = post(&url(&format!("/api/projects/{id}/stages/design/approve")), &json!({}));
    assert_eq!(s, 409, "design is not waiting: {body}");
    let (s, body) = post(&url(&format!("/api/projects/{id}/stages/prd/approve")), &json!({}));
    assert_eq!(s, 200, "{body}");
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "awaiting_approval");
    let done: Vec<String> =
        stage_table(&project).into_iter().filter(|(_, st, _)| st == "done").map(|(n, _, _)| n).collect();
    assert_eq!(done, ["prd", "data", "design"]);
    let mut waiting: Vec<String> = serde_json::from_value(project["run"]["awaitingApproval"].clone()).unwrap();
    waiting.sort();
    assert_eq!(waiting, ["data", "design"], "{project}");
    // While a run is active, single-stage requests are refused.
    let (s, body) = execute(&fleet().url, &id, "logic");
    assert_eq!(s, 409, "{body}");
    assert_eq!(body["error"]["code"], "run_active");
    let (s, body) = post(&url(&format!("/api/projects/{id}/cancel")), &json!({}));
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["run"]["status"], "cancelled");
}

#[test]
fn cancel_stops_scheduling_new_stages() {
    let (id, word) = slow_project("cancel", 2000);
    start_run(&fleet().url, &id);
    // Cancel once the first stage's model call is in flight (the model answers 2 s later).
    poll_until("the prd call reaches the model", || !stages_requested(&word).is_empty());
    let (s, body) = post(&url(&format!("/api/projects/{id}/cancel")), &json!({}));
    assert_eq!(s, 200, "{body}");
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "cancelled", "{project}");
    assert_eq!(stages_requested(&word), ["prd"], "nothing new started");
    // The stage in flight stopped with its model call, keeping no version
    // and saying why (tests/fleet/tests/live.rs closes a stream mid-answer).
    assert_eq!(stage_table(&project)[0].1, "failed", "{project}");
    assert_eq!(stage_table(&project)[0].2, None);
    assert_eq!(project["stages"][0]["error"]["class"], "cancelled", "{project}");
    let (s, _) = post(&url(&format!("/api/projects/{id}/cancel")), &json!({}));
    assert_eq!(s, 409, "nothing left to cancel");
}

#[test]
fn the_event_stream_shows_progress_in_order_and_late_clients_get_the_state() {
    let (id, _) = slow_project("sse", 300);
    let resp = open_stream(&url(&format!("/api/projects/{id}/events")));
    assert_eq!(resp.header("content-type"), Some("text/event-stream; charset=utf-8"));
    start_run(&fleet().url, &id);
    let mut kinds: Vec<(String, String)> = Vec::new();
    let mut current = String::new();
    for line in BufReader::new(resp.into_reader()).lines() {
        let line = line.expect("stream line");
        if let Some(e) = line.strip_prefix("event: ") {
            current = e.to_string();
        } else if let Some(d) = line.strip_prefix("data: ") {
            let v: Value = serde_json::from_str(d).expect("event data is JSON");
            kinds.push((current.clone(), v["stage"].as_str().unwrap_or("").to_string()));
            if current == "run_finished" {
                break;
            }
        }
    }
    assert_eq!(kinds[0].0, "snapshot");
    let pos = |k: &str, s: &str| {
        kinds.iter().position(|(a, b)| a == k && b == s).unwrap_or_else(|| panic!("no {k} {s}: {kinds:?}"))
    };
    assert!(pos("run_started", "") < pos("stage_started", "prd"));
    assert!(pos("stage_started", "prd") < pos("stage_succeeded", "prd"));
    assert!(pos("stage_succeeded", "prd") < pos("stage_started", "data"));
    assert!(pos("stage_succeeded", "api") < pos("stage_started", "frontend"));
    assert!(pos("stage_succeeded", "deployment") < pos("run_finished", ""));
    // A late client first receives the current state.
    let late = open_stream(&url(&format!("/api/projects/{id}/events")));
    let mut lines = BufReader::new(late.into_reader()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "event: snapshot");
    let data: Value = serde_json::from_str(lines.next().unwrap().unwrap().strip_prefix("data: ").unwrap()).unwrap();
    assert_eq!(data["run"]["status"], "completed");
    assert!(data["stages"].as_array().unwrap().iter().all(|s| s["status"] == "done"));
}
