//! The JavaScript face of the workloads (wasm-bindgen): build one, list its
//! operations, run one by index. Timing is the caller's (bench/cpu-wasm.mjs).

use crate::{Operation, Workload};
use wasm_bindgen::prelude::*;

/// A stored project and its requests, for JavaScript.
#[wasm_bindgen]
pub struct Bench {
    workload: Workload,
    operations: Vec<Operation>,
}

#[wasm_bindgen]
impl Bench {
    /// The project of `product` ("pantry", "clinic", "large-<n>").
    #[wasm_bindgen(constructor)]
    pub fn new(product: &str) -> Result<Bench, JsError> {
        let workload = Workload::new(product).map_err(|e| JsError::new(&e))?;
        Ok(Bench { workload, operations: Operation::all() })
    }

    /// `entities,endpoints,stories`.
    pub fn sizes(&self) -> String {
        let (e, p, s) = self.workload.sizes();
        format!("{e},{p},{s}")
    }

    /// How many operations there are.
    pub fn count(&self) -> usize {
        self.operations.len()
    }

    /// The name of operation `i`.
    pub fn name(&self, i: usize) -> String {
        self.operations.get(i).map(|o| o.name()).unwrap_or_default()
    }

    /// The Workers whose CPU operation `i` spends.
    pub fn workers(&self, i: usize) -> String {
        self.operations.get(i).map(|o| o.workers().to_string()).unwrap_or_default()
    }

    /// The CPU the free plan allows operation `i`'s invocation, in ms.
    pub fn limit(&self, i: usize) -> u32 {
        self.operations.get(i).map(|o| o.limit_ms()).unwrap_or_default()
    }

    /// Runs operation `i` once: the bytes of its answer.
    pub fn run(&self, i: usize) -> Result<usize, JsError> {
        let op = self.operations.get(i).ok_or_else(|| JsError::new("no such operation"))?;
        self.workload.run(*op).map_err(|e| JsError::new(&format!("{}: {e}", op.name())))
    }
}
