//! Prompt economy: the prompt tokens of each stage's request as Parit builds
//! it (only the upstream artifacts the stage needs) against a naive prompt
//! that carries every artifact produced before the stage, for the example
//! products and synthetic ones of growing size. Tokens are estimated as
//! request bytes / 4 — the same estimate the local Gemini server reports.
//! Prints one JSON object.

use parit_bench::{product, size};
use parit_shared::agent::prompt;
use parit_shared::fixtures::examples;
use parit_shared::project::ProjectSettings;
use parit_shared::Stage;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn tokens(request: &impl serde::Serialize) -> usize {
    serde_json::to_vec(request).map_or(0, |b| b.len() / 4)
}

fn main() {
    let settings = ProjectSettings::default();
    let mut specs = examples::all();
    specs.extend([10, 50, 100].map(examples::large));
    let mut products = Vec::new();
    for spec in &specs {
        let p = product(spec);
        let (entities, endpoints, stories) = size(&p);
        let mut stages = Vec::new();
        let (mut total, mut total_naive) = (0, 0);
        for (i, s) in p.stages.iter().enumerate() {
            let stage = s.stage;
            let (model, generation) = (settings.model_for(stage), settings.generation(stage));
            let built = prompt::build(stage, &p.brief, &s.upstream_json, None).request(stage, model, &generation);
            // Naive: the same request with every earlier artifact appended.
            let mut naive = prompt::build(stage, &p.brief, &BTreeMap::new(), None);
            let earlier: String = p.stages[..i]
                .iter()
                .map(|e| format!("\nUpstream {} artifact (JSON):\n{}\n", e.stage, e.artifact.to_value()))
                .collect();
            naive.user = format!("{}{earlier}", naive.user);
            let naive = naive.request(stage, model, &generation);
            let (t, n) = (tokens(&built), tokens(&naive));
            total += t;
            total_naive += n;
            stages.push(json!({"stage": stage, "tokens": t, "naiveTokens": n, "carries": stage.needs()}));
        }
        products.push(json!({
            "product": p.name, "entities": entities, "endpoints": endpoints, "stories": stories,
            "stages": stages, "totalTokens": total, "naiveTotalTokens": total_naive,
            "ratio": (total as f64 / total_naive as f64 * 1000.0).round() / 1000.0,
        }));
    }
    let out: Value = json!({"estimate": "request bytes / 4", "stagesInOrder": Stage::ALL, "products": products});
    println!("{out}");
}
