//! Inputs for the domain benchmarks: a product's seven artifacts, the upstream
//! each stage reads, and the model output each stage parses.

use parit_shared::agent::protocol::Brief;
use parit_shared::artifact::{Artifact, Upstream};
use parit_shared::fixtures::examples::ProductSpec;
use parit_shared::Stage;
use serde_json::Value;
use std::collections::BTreeMap;

/// What one stage's request works on.
pub struct StageInput {
    /// The stage.
    pub stage: Stage,
    /// Its upstream artifacts as JSON (prompt building reads these).
    pub upstream_json: BTreeMap<Stage, Value>,
    /// Its upstream artifacts, typed (validation reads these).
    pub upstream: Upstream,
    /// The model's answer text for the stage.
    pub output: String,
    /// The stage's artifact.
    pub artifact: Artifact,
}

/// A product's brief and per-stage inputs.
pub struct Product {
    /// Its name (for reports).
    pub name: String,
    /// The brief.
    pub brief: Brief,
    /// Every stage's artifact.
    pub artifacts: Vec<Artifact>,
    /// Per stage, in pipeline order.
    pub stages: Vec<StageInput>,
}

/// Builds the inputs of `spec`.
pub fn product(spec: &ProductSpec) -> Product {
    let artifacts: Vec<Artifact> = Stage::ALL.iter().map(|s| spec.artifact(*s)).collect();
    let stages = Stage::ALL
        .iter()
        .map(|&stage| {
            let mut upstream = Upstream::default();
            let mut upstream_json = BTreeMap::new();
            for need in stage.needs() {
                let a = spec.artifact(*need);
                upstream_json.insert(*need, a.to_value());
                upstream.insert(a);
            }
            let artifact = spec.artifact(stage);
            StageInput { stage, upstream_json, upstream, output: artifact.to_value().to_string(), artifact }
        })
        .collect();
    Product {
        name: spec.key.clone(),
        brief: Brief { name: spec.name.clone(), idea: format!("{} (benchmark)", spec.name) },
        artifacts,
        stages,
    }
}

/// Entities, endpoints and user stories of a product (for reports).
pub fn size(p: &Product) -> (usize, usize, usize) {
    let count = |stage: Stage, key: &str| {
        p.artifacts.iter().find(|a| a.stage() == stage).map_or(0, |a| a.to_value()[key].as_array().map_or(0, Vec::len))
    };
    (count(Stage::Data, "entities"), count(Stage::Api, "endpoints"), count(Stage::Prd, "userStories"))
}
