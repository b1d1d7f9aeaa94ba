//! The pipeline's bounds in stages, from the domain's own graph: the longest
//! chain (`Stage::critical_path_len`) and all stages. `bench/pipeline.sh`
//! divides a run's wall time by these times the model latency.
//! Prints one JSON object.

use parit_shared::Stage;

fn main() {
    let bounds = serde_json::json!({
        "criticalPathStages": Stage::critical_path_len(),
        "stages": Stage::ALL.len(),
    });
    println!("{bounds}");
}
