//! Runs one operation of a product many times, natively, for a profiler:
//! `cargo run --release -p parit-bench-cpu --example profile -- large-100 "GET …/export" 20`
//! (under `perf record -g`). Prints the mean time per call.

use parit_bench_cpu::{Operation, Workload};
use std::time::Instant;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let (product, name) = (args.get(1).ok_or("product?")?, args.get(2).ok_or("operation?")?);
    let n: u32 = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(10);
    let w = Workload::new(product)?;
    let op = Operation::all().into_iter().find(|o| o.name().trim() == name).ok_or("no such operation")?;
    let start = Instant::now();
    for _ in 0..n {
        w.run(op)?;
    }
    println!("{}: {:.2} ms a call", op.name().trim(), start.elapsed().as_secs_f64() * 1000.0 / f64::from(n));
    Ok(())
}
