//! Checks run by code, not by another prompt: one artifact against its own
//! rules and its inputs ([`validate`]), and all of them against one another
//! ([`consistency`]), and what changed between two versions of one, id by id,
//! with the downstream references it touches ([`changes`]), and whether the
//! whole blueprint is ready to hand off ([`ready`]), which needs to know
//! what a test over HTTP can show of each acceptance criterion ([`contract`]). Validation reads
//! generated code with the scanners in [`scan`] (API calls, environment
//! reads) and [`imports`] (whether every import resolves), both on the
//! tokenizer in `lex`. And whether a repository's SQL and OpenAPI document
//! have drifted from the blueprint, id by id ([`drift`]).

pub mod changes;
pub mod consistency;
pub mod contract;
pub mod drift;
pub mod imports;
mod lex;
pub mod ready;
pub mod scan;
pub mod validate;
