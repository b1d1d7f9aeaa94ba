//! Parit's domain crate: everything that is not I/O.
//!
//! The seven agent Workers and the supervisor are thin adapters over this
//! crate. It owns the stages and their dependency graph, the typed artifacts
//! and the Gemini `responseSchema` generated from them, prompt building, the
//! Gemini wire types and failure classification, the retry policy, artifact
//! validation, and the generation loop (behind a transport port and the one
//! clock port, [`clock::Clock`]). It has no `worker`, `wasm-bindgen` or
//! `js-sys` dependency, so all of it is tested natively with `cargo test` in
//! milliseconds.

pub mod agent;
pub mod api;
pub mod artifact;
pub mod check;
pub mod clock;
#[cfg(any(test, feature = "examples"))]
pub mod fixtures;
pub mod gemini;
pub mod hash;
pub mod limits;
pub mod mcp;
pub mod project;
pub mod query;
pub mod render;
pub mod run;
pub mod schema;
pub mod sql;
pub mod stage;

pub use artifact::{Artifact, Upstream};
pub use stage::Stage;
