//! What one invocation spends against the Workers Free plan
//! (`parit_shared::limits::Usage`), counted where the calls leave: the D1
//! adapter (each call, and the rows D1's own result metadata says were read
//! and written), the R2 adapter (operations by class), the agents' and the
//! bridge's service bindings, requests to a project's Durable Object and
//! that object's storage writes and alarms.
//!
//! Only the instrumented build counts (`--features meter`, which
//! `scripts/build-workers.sh --meter supervisor` builds for bench/ and the
//! main test fleet). In the normal build a `Meter` is zero-sized and every
//! method is empty, so the deployed WASM carries none of it. An instrumented
//! invocation logs one line, `{"meter": {"invocation", "id", "stages",
//! "subrequests", "usage", "overlapped"}}`, which the fleet suite
//! `free_plan` and `bench/freeplan.sh` read from the fleet's log.

#[cfg(feature = "meter")]
use std::{cell::RefCell, rc::Rc};
use worker::D1Result;

/// One kind of call out of an invocation.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Call {
    /// A D1 `all()` or `batch()`.
    D1,
    /// An R2 put or list.
    R2ClassA,
    /// An R2 get or head.
    R2ClassB,
    /// An R2 delete (free of charge, still a subrequest).
    R2Delete,
    /// A service-binding call to an agent.
    Agent,
    /// A service-binding call to the bridge.
    Bridge,
    /// A request to a project's Durable Object.
    DurableObject,
    /// A fetch from the static-assets binding.
    Asset,
    /// A rate-limiter check.
    RateLimit,
    /// A Durable Object storage write: put, delete, `setAlarm`, `deleteAlarm`.
    DurableObjectWrite,
}

/// An invocation's counter; clones share it. Zero-sized without `meter`.
#[derive(Clone, Default)]
pub(crate) struct Meter {
    #[cfg(feature = "meter")]
    state: Rc<RefCell<State>>,
}

#[cfg(feature = "meter")]
#[derive(Default)]
struct State {
    /// What the invocation is: a route, an object command, an alarm.
    name: String,
    /// Its request or project id (kept for a report that gives none).
    id: String,
    usage: parit_shared::limits::Usage,
    stages: Vec<String>,
    /// Invocations counting into this meter now (a Durable Object's requests
    /// and alarm interleave at every await).
    open: u32,
    /// Whether two invocations counted into it at once: their figures are mixed.
    overlapped: bool,
}

impl Meter {
    /// Counts one call.
    pub(crate) fn count(&self, call: Call) {
        #[cfg(feature = "meter")]
        {
            let u = &mut self.state.borrow_mut().usage;
            match call {
                Call::D1 => u.d1_calls += 1,
                Call::R2ClassA => u.r2_class_a += 1,
                Call::R2ClassB => u.r2_class_b += 1,
                Call::R2Delete => u.r2_deletes += 1,
                Call::Agent => u.agent_calls += 1,
                Call::Bridge => u.bridge_calls += 1,
                Call::DurableObject => u.durable_object_calls += 1,
                Call::Asset => u.asset_fetches += 1,
                Call::RateLimit => u.rate_limits += 1,
                Call::DurableObjectWrite => u.do_rows_written += 1,
            }
        }
        #[cfg(not(feature = "meter"))]
        let _ = call;
    }

    /// Adds the rows D1 reports having read and written for `results`.
    pub(crate) fn d1_rows(&self, results: &[D1Result]) {
        #[cfg(feature = "meter")]
        for meta in results.iter().filter_map(|r| r.meta().ok().flatten()) {
            let u = &mut self.state.borrow_mut().usage;
            u.d1_rows_read += meta.rows_read.unwrap_or(0) as u64;
            u.d1_rows_written += meta.rows_written.unwrap_or(0) as u64;
        }
        #[cfg(not(feature = "meter"))]
        let _ = results;
    }

    /// Names a stage this invocation executed.
    pub(crate) fn stage(&self, stage: parit_shared::Stage) {
        #[cfg(feature = "meter")]
        self.state.borrow_mut().stages.push(stage.as_str().to_string());
        #[cfg(not(feature = "meter"))]
        let _ = stage;
    }

    /// An invocation starts counting into this meter.
    pub(crate) fn begin(&self) {
        #[cfg(feature = "meter")]
        {
            let mut s = self.state.borrow_mut();
            s.overlapped |= s.open > 0;
            s.open += 1;
        }
    }

    /// Names the invocation (`name` runs only in the instrumented build, so
    /// the normal one carries neither the call nor its text).
    pub(crate) fn name(&self, name: impl FnOnce() -> String) {
        #[cfg(feature = "meter")]
        {
            self.state.borrow_mut().name = name();
        }
        #[cfg(not(feature = "meter"))]
        let _ = name;
    }

    /// The invocation (`id`: its request or project id; empty for the one
    /// reported before) ends: logs what it spent; the last one open starts
    /// the meter afresh.
    pub(crate) fn report(&self, id: impl FnOnce() -> String) {
        #[cfg(feature = "meter")]
        {
            let mut s = self.state.borrow_mut();
            s.open = s.open.saturating_sub(1);
            let id = id();
            if !id.is_empty() {
                s.id = id;
            }
            worker::console_log!(
                "{}",
                serde_json::json!({"meter": {
                    "invocation": s.name,
                    "id": s.id,
                    "stages": s.stages,
                    "subrequests": s.usage.subrequests(),
                    "usage": s.usage,
                    "overlapped": s.overlapped,
                }})
            );
            if s.open == 0 {
                *s = State::default();
            }
        }
        #[cfg(not(feature = "meter"))]
        let _ = id;
    }
}
