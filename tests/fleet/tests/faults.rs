//! Fault injection during full pipeline runs: every model failure class at
//! every stage, storage failures (R2 put, D1 commit) at every stage, and an
//! agent that is down. Each run must end in its designed state — retried and
//! completed, or failed with the right reason and resumable — with no
//! artifact lost or half-written.

use parit_fleet_tests::*;
use parit_shared::hash::content_hash;
use parit_shared::Stage;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// (Gemini fault, whether the run recovers by itself, the class of a failure).
const CLASSES: &[(&str, bool, &str)] = &[
    ("quota_minute", true, ""),
    ("internal", true, ""),
    ("unavailable", true, ""),
    ("deadline", true, ""),
    ("hang", true, ""),
    ("malformed_json", true, ""),
    ("schema_invalid", true, ""),
    ("quota_day", false, "quota_per_day"),
    ("prepay_depleted", false, "billing"),
    ("api_key_invalid", false, "api_key_invalid"),
    ("permission_denied", false, "permission_denied"),
    ("model_not_found", false, "model_not_found"),
    ("safety", false, "safety"),
    ("recitation", false, "recitation"),
    ("prompt_blocked", false, "prompt_blocked"),
    ("max_tokens", true, ""),
    ("empty", true, ""),
];

fn url(base: &str, path: &str) -> String {
    format!("{base}{path}")
}

/// Every version the project has is readable and is what its row says.
fn nothing_lost_or_half_written(base: &str, id: &str) {
    let (s, list) = get(&url(base, &format!("/api/projects/{id}/artifacts")));
    assert_eq!(s, 200, "{list}");
    for v in list["versions"].as_array().unwrap() {
        let path = format!("/api/projects/{id}/artifacts/{}?version={}", v["stage"].as_str().unwrap(), v["version"]);
        let (s, body) = get(&url(base, &path));
        assert_eq!(s, 200, "{path}: {body}");
        assert_eq!(body["contentHash"].as_str(), Some(content_hash(&body["artifact"]).as_str()), "{path}");
    }
    // One version per stage: nothing was written twice.
    let mut stages: Vec<&str> =
        list["versions"].as_array().unwrap().iter().filter_map(|v| v["stage"].as_str()).collect();
    let n = stages.len();
    stages.dedup();
    assert_eq!(stages.len(), n, "duplicate versions: {list}");
}

fn status_of(project: &Value, stage: Stage) -> String {
    stage_table(project).into_iter().find(|(s, _, _)| s == stage.as_str()).map(|(_, st, _)| st).unwrap_or_default()
}

/// Asserts the failed run's shape: `stage` failed with `reason`, its
/// ancestors done, its descendants not started.
fn failed_at(project: &Value, stage: Stage, reason: &str) {
    assert_eq!(project["run"]["status"], "failed", "{project}");
    let message = project["run"]["message"].as_str().unwrap_or("");
    assert!(message.contains(stage.as_str()) && message.contains("resume"), "{message}");
    let row = project["stages"].as_array().unwrap().iter().find(|s| s["stage"] == stage.as_str()).unwrap();
    assert_eq!(row["status"], "failed", "{project}");
    let recorded = format!("{} {}", row["error"]["class"], row["error"]["message"]);
    assert!(recorded.contains(reason), "{stage}: expected {reason} in {recorded}");
    for s in Stage::ALL {
        let st = status_of(project, s);
        if stage.ancestors().contains(&s) {
            assert_eq!(st, "done", "{s} is upstream of {stage}");
        } else if stage.descendants().contains(&s) {
            assert_eq!(st, "pending", "{s} is downstream of {stage}");
        }
    }
}

fn completed(project: &Value) {
    assert_eq!(project["run"]["status"], "completed", "{project}");
    assert!(stage_table(project).iter().all(|(_, st, v)| st == "done" && *v == Some(1)), "{project}");
}

/// One full run with `kind` injected once at `stage`.
fn model_fault(kind: &str, recovers: bool, class: &str, stage: Stage) {
    let base = &fleet().url;
    let word = unique(&format!("{kind}{stage}").replace('_', ""));
    let id = create_project(base, "Faulty", &format!("Plan a week of meals from the pantry {word}"));
    inject(json!({"kind": kind, "stage": stage, "match": word, "hangMs": 6000, "retryDelay": "1s"}));
    start_run(base, &id);
    let project = wait_for_run(base, &id);
    if recovers {
        completed(&project);
        let (_, traces) = get(&url(base, &format!("/api/projects/{id}/traces")));
        let failed_first =
            traces["traces"].as_array().unwrap().iter().any(|t| t["stage"] == stage.as_str() && t["outcome"] != "ok");
        assert!(failed_first, "{kind} at {stage}: the fault was not seen in the traces");
    } else {
        failed_at(&project, stage, class);
        nothing_lost_or_half_written(base, &id);
        // Resume: only the failed stage and its descendants run.
        let before = stages_requested(&word).len();
        start_run(base, &id);
        completed(&wait_for_run(base, &id));
        // (As a set: under load a call may time out and be retried.)
        let rerun = stages_requested(&word)[before..].to_vec();
        let expected: BTreeSet<Stage> = std::iter::once(stage).chain(stage.descendants()).collect();
        let got: BTreeSet<Stage> = rerun.iter().filter_map(|s| Stage::parse(s)).collect();
        assert_eq!(got, expected, "{kind} at {stage}: the resume re-ran {rerun:?}");
    }
    nothing_lost_or_half_written(base, &id);
}

/// Runs `cases` on `width` threads, each taking the next case when free;
/// every case runs, and the failed assertion of each that did not end as
/// designed is returned (so the figures count what happened).
fn run_in_parallel(cases: Vec<Box<dyn FnOnce() + Send>>, width: usize) -> Vec<String> {
    let queue = std::sync::Mutex::new(cases.into_iter());
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..width {
            scope.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).next();
                let Some(case) = next else { break };
                if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(case)) {
                    let why = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "a case panicked".into());
                    failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(why);
                }
            });
        }
    });
    failures.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Records `name`'s figure (cases run, cases that ended as designed) and
/// fails with every case that did not.
fn tally(name: &str, mut facts: Value, cases: usize, failures: &[String], ended: &str) {
    facts["injected"] = json!(cases);
    facts[ended] = json!(cases - failures.len());
    figure(name, facts);
    assert!(
        failures.is_empty(),
        "{} of {cases} cases did not end as designed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_model_failure_class_at_every_stage_ends_in_its_designed_state() {
    let mut cases: Vec<Box<dyn FnOnce() + Send>> = Vec::new();
    // The slowest (hang: a model timeout per case) first, so the pool stays full.
    let mut classes = CLASSES.to_vec();
    classes.sort_by_key(|(kind, _, _)| *kind != "hang");
    for (kind, recovers, class) in classes {
        for stage in Stage::ALL {
            cases.push(Box::new(move || model_fault(kind, recovers, class, stage)));
        }
    }
    let n = cases.len();
    assert_eq!(n, CLASSES.len() * Stage::ALL.len());
    let failures = run_in_parallel(cases, 4);
    let facts = json!({"classes": CLASSES.len(), "stages": Stage::ALL.len()});
    tally("model-faults", facts, n, &failures, "endedAsDesigned");
}

/// A run whose storage fails at `stage` (a test-only switch), then a clean resume.
fn storage_fault(fault: &str, stage: Stage, reason: &str) {
    let f = fleet();
    let word = unique("storage");
    let id = create_project(&f.url, "Storage", &format!("Plan a week of meals from the pantry {word}"));
    let secret = var("PARIT_FAULT_SECRET");
    let spec = format!("{fault}:{stage}");
    let a = call(
        "POST",
        &url(&f.url, &format!("/api/projects/{id}/run")),
        Caller::Default,
        &[("x-parit-fault", &spec), ("x-parit-fault-secret", &secret)],
        Some(("application/json", "{}")),
    );
    assert_eq!(a.status, 202, "{}", a.text);
    let project = wait_for_run(&f.url, &id);
    failed_at(&project, stage, reason);
    nothing_lost_or_half_written(&f.url, &id);
    let rows = d1(&format!("SELECT COUNT(*) AS n FROM artifacts WHERE project_id = '{id}' AND stage = '{stage}'"));
    assert_eq!(rows[0]["n"], 0, "no row for the failed write");
    start_run(&f.url, &id);
    completed(&wait_for_run(&f.url, &id));
    nothing_lost_or_half_written(&f.url, &id);
    let (_, traces) = get(&url(&f.url, &format!("/api/projects/{id}/traces")));
    let calls = traces["byStage"][stage.as_str()]["calls"].as_u64().unwrap_or(0);
    assert!(calls >= 2, "{stage} was generated again after the failed write ({calls} calls)");
}

#[test]
fn a_failed_r2_or_d1_write_at_any_stage_loses_nothing_and_resumes() {
    let mut cases: Vec<Box<dyn FnOnce() + Send>> = Vec::new();
    for stage in Stage::ALL {
        cases.push(Box::new(move || storage_fault("r2_put", stage, "injected put failure")));
        cases.push(Box::new(move || storage_fault("d1_commit", stage, "injected commit failure")));
    }
    let n = cases.len();
    let failures = run_in_parallel(cases, 4);
    let facts = json!({"kinds": ["r2_put", "d1_commit"], "stages": Stage::ALL.len()});
    tally("storage-faults", facts, n, &failures, "resumedIntact");
}

#[test]
fn an_agent_that_is_down_fails_its_stage_and_the_rest_waits() {
    let base = &fleet().degraded_url;
    let word = unique("down");
    let id = create_project(base, "Down", &format!("Plan a week of meals from the pantry {word}"));
    start_run(base, &id);
    // Each run's end, checked without stopping the test, so the figure counts.
    let ended_as_designed = |project: &Value| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            failed_at(project, Stage::Logic, "agent_unreachable");
            assert_eq!(status_of(project, Stage::Design), "done", "design does not need logic");
            nothing_lost_or_half_written(base, &id);
        }))
        .is_ok()
    };
    let first = wait_for_run(base, &id);
    // Running again retries just the stage whose agent is down.
    let before = stages_requested(&word);
    start_run(base, &id);
    let again = wait_for_run(base, &id);
    let ended = [&first, &again].into_iter().filter(|p| ended_as_designed(p)).count();
    figure("agent-down", json!({"runs": 2, "endedAsDesigned": ended}));
    assert_eq!(ended, 2, "a run did not end as designed (see the failed check above)");
    assert_eq!(stages_requested(&word), before, "no model call was repeated");
}

#[test]
fn a_frontend_importing_what_it_lacks_is_repaired_and_the_run_completes() {
    let base = &fleet().url;
    let word = unique("brokenimports");
    let id = create_project(base, "Faulty", &format!("Plan a week of meals from the pantry {word}"));
    inject(json!({"kind": "broken_imports", "stage": "frontend", "match": word}));
    start_run(base, &id);
    completed(&wait_for_run(base, &id));
    // The first answer imported a missing file and an unlisted package; the
    // repair turn quoted both, and the repaired answer is what was kept.
    let frontend: Vec<Value> = gemini_requests(&word).into_iter().filter(|r| r["stage"] == "frontend").collect();
    assert_eq!(frontend.len(), 2, "{frontend:?}");
    let repair = frontend[1]["body"].to_string();
    assert!(repair.contains("./chart") && repair.contains("date-fns"), "{repair}");
    let (_, art) = get(&url(base, &format!("/api/projects/{id}/artifacts/frontend")));
    let main = art["artifact"]["files"].as_array().unwrap().iter().find(|f| f["path"] == "src/main.ts").unwrap();
    assert!(!main["content"].as_str().unwrap().contains("date-fns"), "{main}");
    nothing_lost_or_half_written(base, &id);
}
