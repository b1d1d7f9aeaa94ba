//! Idea → complete blueprint, wall time, with the local Gemini server writing
//! at each model's documented speed (`PUT /__control/speed`): every example
//! product with the default model and with the slowest current model whose
//! speed is published, all runs at once (they wait on the model, not on the
//! machine). Each is set against its critical-path bound: the longest chain
//! of stages through the dependency graph, each stage taking its model's
//! time to first token plus the tokens it wrote (from its traces) at the
//! model's speed. `bench/live.sh` runs it against the test fleets.

use parit_fleet_tests::*;
use parit_shared::fixtures::examples;
use parit_shared::gemini::catalogue::{self, ModelStatus, DEFAULT_MODEL};
use parit_shared::Stage;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn main() {
    let base = fleet().url.clone();
    let slowest = catalogue::CATALOGUE
        .iter()
        .filter(|m| m.status == ModelStatus::Current && m.speed.measured())
        .min_by_key(|m| m.speed.tokens_per_second)
        .expect("a current model with a published speed");
    let speed = format!("{}/__control/speed", fleet().gemini_url);
    assert_eq!(send("PUT", &speed, &json!({"documented": null})).0, 200);
    let runs: Vec<_> = examples::all()
        .into_iter()
        .flat_map(|p| [(p.clone(), DEFAULT_MODEL), (p, slowest.id)])
        .map(|(product, model)| {
            let base = base.clone();
            std::thread::spawn(move || {
                run(&base, &product.key, &format!("{}: {}", product.name, product.summary), model)
            })
        })
        .collect();
    let figures: Vec<Value> = runs.into_iter().map(|r| r.join().expect("a run")).collect();
    assert_eq!(delete(&speed).0, 200);
    println!("{:<10} {:<22} {:>9} {:>9} {:>7}", "example", "model", "wall s", "bound s", "ratio");
    for f in &figures {
        println!(
            "{:<10} {:<22} {:>9.1} {:>9.1} {:>7.2}",
            f["example"].as_str().unwrap(),
            f["model"].as_str().unwrap(),
            f["wallMs"].as_f64().unwrap() / 1000.0,
            f["boundMs"].as_f64().unwrap() / 1000.0,
            f["wallMs"].as_f64().unwrap() / f["boundMs"].as_f64().unwrap(),
        );
    }
    figure("live_wall_time", json!(figures));
}

/// One full run of the example `example`, whose idea is `idea`, with `model`.
fn run(base: &str, example: &str, idea: &str, model: &str) -> Value {
    let word = unique("wall");
    let project = create_project(base, "Wall time", &format!("{idea} {word}"));
    let (status, body) = send("PATCH", &format!("{base}/api/projects/{project}/settings"), &json!({"model": model}));
    assert_eq!(status, 200, "{body}");
    let (status, body) = start_run(base, &project);
    assert_eq!(status, 202, "{body}");
    let done = wait_for_run_within(base, &project, 1_800);
    assert_eq!(done["run"]["status"], "completed", "{done}");
    let wall = done["run"]["finishedAt"].as_u64().unwrap() - done["run"]["startedAt"].as_u64().unwrap();
    let (_, traces) = get(&format!("{base}/api/projects/{project}/traces"));
    let info = catalogue::model(model).expect("a catalogue model");
    let mut took: BTreeMap<Stage, f64> = BTreeMap::new();
    for t in traces["traces"].as_array().unwrap() {
        let stage = Stage::parse(t["stage"].as_str().unwrap()).unwrap();
        let tokens = t["outputTokens"].as_f64().unwrap() + t["thoughtsTokens"].as_f64().unwrap();
        let ms = f64::from(info.speed.first_token_ms) + tokens * 1000.0 / f64::from(info.speed.tokens_per_second);
        *took.entry(stage).or_default() += ms;
    }
    let mut finish: BTreeMap<Stage, f64> = BTreeMap::new();
    for stage in Stage::ALL {
        let start = stage.needs().iter().map(|n| finish[n]).fold(0.0, f64::max);
        finish.insert(stage, start + took.get(&stage).copied().unwrap_or(0.0));
    }
    let bound = finish.values().copied().fold(0.0, f64::max);
    json!({"example": example, "model": model, "tokensPerSecond": info.speed.tokens_per_second,
           "wallMs": wall, "boundMs": bound.round()})
}
