//! The CPU one request spends in the domain crate, per stage: building the
//! prompt (what the agent sends), parsing and validating the model's answer
//! (what the agent checks), the renders of the artifact (views) and the
//! cross-artifact consistency check — for the two example products and for
//! synthetic products of growing size.
//!
//! `cargo bench -p parit-bench` (bench/cpu.sh turns the results into JSON).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use parit_bench::{product, Product};
use parit_shared::agent::generate::check_output;
use parit_shared::agent::prompt;
use parit_shared::check::consistency::check;
use parit_shared::fixtures::examples;
use parit_shared::project::ProjectSettings;
use parit_shared::render::views;
use std::time::Duration;

fn products() -> Vec<Product> {
    let mut out: Vec<Product> = examples::all().iter().map(product).collect();
    for n in [10, 50, 100] {
        out.push(product(&examples::large(n)));
    }
    out
}

fn per_stage(c: &mut Criterion) {
    let settings = ProjectSettings::default();
    for p in products() {
        let (entities, endpoints, stories) = parit_bench::size(&p);
        eprintln!("product {}: {entities} entities, {endpoints} endpoints, {stories} stories", p.name);
        for s in &p.stages {
            let stage = s.stage;
            let generation = settings.generation(stage);
            c.bench_function(&format!("{}/{stage}/prompt", p.name), |b| {
                b.iter(|| {
                    let request = prompt::build(stage, &p.brief, &s.upstream_json, None).request(
                        stage,
                        settings.model_for(stage),
                        &generation,
                    );
                    black_box(serde_json::to_vec(&request).map(|v| v.len()).unwrap_or(0))
                })
            });
            c.bench_function(&format!("{}/{stage}/parse_validate", p.name), |b| {
                b.iter(|| black_box(check_output(stage, &s.output, &s.upstream).is_ok()))
            });
            c.bench_function(&format!("{}/{stage}/views", p.name), |b| {
                b.iter(|| black_box(views(&s.artifact, &s.upstream).len()))
            });
        }
        c.bench_function(&format!("{}/all/consistency", p.name), |b| b.iter(|| black_box(check(&p.artifacts).errors)));
    }
}

criterion_group! {
    name = domain;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_millis(200)).measurement_time(Duration::from_millis(600));
    targets = per_stage
}
criterion_main!(domain);
