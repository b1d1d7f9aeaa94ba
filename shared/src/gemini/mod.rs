//! Gemini `generateContent` wire types and the classification of every way a
//! call can fail, from the real response shapes (docs/ARCHITECTURE.md, *Crates*: `gemini`).

//!
//! `wire` holds the request and response types, `failure` the classes of
//! failure and the reading of an error body, `answer` the reading of a
//! successful one; their items are this module's.

mod answer;
pub mod catalogue;
pub mod cost;
mod failure;
pub mod served;
pub mod stream;
mod wire;

pub use answer::{interpret_response, ModelAnswer};
pub use failure::{
    billing_stop, classify_error, parse_duration_ms, BillingStop, Disposition, FailureClass, ModelFailure, BILLING_URL,
    MAX_MESSAGE_CHARS,
};
pub use wire::*;
