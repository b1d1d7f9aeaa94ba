//! Parit's domain crate: everything that is not I/O.
//!
//! The seven agent Workers and the supervisor are thin adapters over this
//! crate. It owns the stages and their dependency graph, the typed artifacts
//! and the Gemini `responseSchema` generated from them, prompt building, the
//! Gemini wire types and failure classification, the retry policy, artifact
//! validation, and the generation loop (behind transport and clock ports).
//! It has no `worker`, `wasm-bindgen` or `js-sys` dependency, so all of it is
//! tested natively with `cargo test` in milliseconds.

pub mod api;
pub mod artifact;
pub mod consistency;
pub mod cost;
#[cfg(any(test, feature = "examples"))]
pub mod examples;
pub mod execute;
pub mod export;
pub mod gemini;
pub mod generate;
pub mod hash;
#[cfg(any(test, feature = "examples"))]
pub mod memory;
pub mod pipeline;
pub mod project;
pub mod prompt;
pub mod protocol;
pub mod query;
pub mod render;
pub mod retry;
pub mod run;
pub mod schema;
pub mod stage;
pub mod status;
pub mod store;
pub mod validate;

pub use artifact::{Artifact, Upstream};
pub use stage::Stage;
