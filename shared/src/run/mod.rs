//! A project's run, free of I/O: the ports it needs ([`store`]), where each
//! stage stands ([`status`]), executing one stage ([`execute`]), a whole run
//! ([`pipeline`]), what the next run will do and cost ([`plan`]) and the run's
//! state machine, re-exported here from `state`.

pub mod execute;
pub mod pipeline;
pub mod plan;
mod state;
pub mod status;
pub mod store;
pub mod traces;

pub use state::*;
