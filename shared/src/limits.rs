//! Cloudflare's Workers Free plan as data: the per-invocation limits every
//! request and alarm must stay inside, the daily and monthly allowances an
//! account shares, what one invocation spent ([`Usage`], counted by the
//! supervisor's instrumented build) and what a day of a free account holds
//! ([`capacity`]).
//!
//! Every figure comes from Cloudflare's own pages as stored copies stood on
//! 2026-12-06, collected with their quotes in
//! `docs/research/cloudflare-free-2026-12-06.md`:
//!
//! * Workers limits, <https://developers.cloudflare.com/workers/platform/limits/>
//!   ("Last updated Jul 28, 2026"): 50 subrequests per invocation on Free
//!   (1,000 to Cloudflare services such as D1 and R2, per the changelog of
//!   2026-02-11, <https://developers.cloudflare.com/changelog/post/2026-02-11-subrequests-limit/>),
//!   10 ms of CPU per request, 100,000 requests a day (reset 00:00 UTC).
//! * D1 limits and pricing, <https://developers.cloudflare.com/d1/platform/limits/>
//!   (Apr 21, 2026: "Queries per Worker invocation … 50 (Free)") and
//!   <https://developers.cloudflare.com/d1/platform/pricing/>: 5 million rows
//!   read and 100,000 rows written a day.
//! * R2 pricing, <https://developers.cloudflare.com/r2/pricing/>: 1 million
//!   class A and 10 million class B operations a month; `DeleteObject` free.
//! * Durable Objects pricing, <https://developers.cloudflare.com/durable-objects/platform/pricing/>:
//!   100,000 requests a day (alarm invocations included), 100,000 rows
//!   written a day (each `setAlarm()` one), 13,000 GB-s of duration a day.
//!
//! Where the pages disagree or are silent (D1's 50 queries against the
//! Workers page's 1,000 internal subrequests; whether a service-binding or
//! Durable Object call takes from the 50; whether a callee gets its own
//! budget), Parit takes the stricter reading: every call an invocation makes
//! to another Worker, D1, R2 or a Durable Object counts against one budget of
//! 50, and Parit's goal is [`SUBREQUEST_GOAL`], a margin below it.

use serde::{Deserialize, Serialize};

/// Subrequests one invocation may make on Workers Free (Workers limits page).
pub const SUBREQUESTS_PER_INVOCATION: u32 = 50;
/// Parit's own ceiling per invocation: a margin under the plan's 50, held by
/// the fleet suite `free_plan`.
pub const SUBREQUEST_GOAL: u32 = 40;
// The goal leaves a margin under the plan.
const _: () = assert!(SUBREQUEST_GOAL < SUBREQUESTS_PER_INVOCATION);

/// CPU time per invocation on Workers Free, in milliseconds (Workers limits page).
pub const CPU_MS_PER_INVOCATION: u32 = 10;

/// CPU time per request to a Durable Object, in milliseconds: "CPU per
/// request: 30 seconds (default) / configurable to 5 minutes of active CPU
/// time" (Durable Objects limits,
/// <https://developers.cloudflare.com/durable-objects/platform/limits/>, read
/// 2026-12-06; the page names no lower figure for the Free plan, and a third
/// party reports moving a Free-plan Worker's heavy work into an object to get
/// past the 10 ms, <https://blog.510721.xyz/post/clever-use-of-do-to-bypass-the-10ms-cpu-time-limit-of-cloudflare-worker-free-plan-zivolc>).
/// Workers called through service bindings share it (the bridge, the agents).
pub const CPU_MS_PER_OBJECT_REQUEST: u32 = 30_000;

/// One of the free account's shared allowances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    /// What is counted, as the plan names it.
    pub name: &'static str,
    /// How many a day (a monthly allowance divided by 30).
    pub per_day: u64,
    /// Where Cloudflare states it.
    pub source: &'static str,
}

/// Workers requests a day (Workers limits page; reset at 00:00 UTC).
pub const WORKER_REQUESTS: Allowance = Allowance {
    name: "Workers requests",
    per_day: 100_000,
    source: "https://developers.cloudflare.com/workers/platform/limits/",
};
/// D1 rows read a day (D1 pricing).
pub const D1_ROWS_READ: Allowance = Allowance {
    name: "D1 rows read",
    per_day: 5_000_000,
    source: "https://developers.cloudflare.com/d1/platform/pricing/",
};
/// D1 rows written a day (D1 pricing).
pub const D1_ROWS_WRITTEN: Allowance = Allowance {
    name: "D1 rows written",
    per_day: 100_000,
    source: "https://developers.cloudflare.com/d1/platform/pricing/",
};
/// R2 class A operations: 1,000,000 a month (R2 pricing), as a day of 30.
pub const R2_CLASS_A: Allowance = Allowance {
    name: "R2 class A operations",
    per_day: 1_000_000 / 30,
    source: "https://developers.cloudflare.com/r2/pricing/",
};
/// R2 class B operations: 10,000,000 a month (R2 pricing), as a day of 30.
pub const R2_CLASS_B: Allowance = Allowance {
    name: "R2 class B operations",
    per_day: 10_000_000 / 30,
    source: "https://developers.cloudflare.com/r2/pricing/",
};
/// Durable Object requests a day, alarm invocations included (DO pricing).
pub const DO_REQUESTS: Allowance = Allowance {
    name: "Durable Object requests",
    per_day: 100_000,
    source: "https://developers.cloudflare.com/durable-objects/platform/pricing/",
};
/// Durable Object storage rows written a day, each `setAlarm()` one (DO pricing).
pub const DO_ROWS_WRITTEN: Allowance = Allowance {
    name: "Durable Object rows written",
    per_day: 100_000,
    source: "https://developers.cloudflare.com/durable-objects/platform/pricing/",
};

/// Durable Object duration a day: 13,000 GB-s on Workers Free, billed while
/// an object runs or is held in memory unable to hibernate, as an object
/// holding an open event stream is (DO pricing, "Compute billing", read
/// 2026-12-06), at 128 MB an object: counted here in object-seconds.
pub const DO_DURATION: Allowance = Allowance {
    name: "Durable Object duration (object-seconds at 128 MB)",
    per_day: 13_000 * 1024 / OBJECT_MB,
    source: "https://developers.cloudflare.com/durable-objects/platform/pricing/",
};
/// The memory every Durable Object is billed for, in MB (DO pricing).
pub const OBJECT_MB: u64 = 128;

/// What one invocation (a request, a Durable Object request or alarm) did,
/// as the supervisor's instrumented build counts it at its ports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Usage {
    /// D1 calls: each `all()` and each `batch()` (one subrequest each).
    pub d1_calls: u32,
    /// Rows D1 says it read (`meta.rows_read`).
    pub d1_rows_read: u64,
    /// Rows D1 says it wrote (`meta.rows_written`).
    pub d1_rows_written: u64,
    /// R2 class A operations (put, list).
    pub r2_class_a: u32,
    /// R2 class B operations (get, head).
    pub r2_class_b: u32,
    /// R2 deletes (free, but still subrequests).
    pub r2_deletes: u32,
    /// Calls to the seven agents over service bindings.
    pub agent_calls: u32,
    /// Calls to the bridge over its service binding.
    pub bridge_calls: u32,
    /// Requests to a project's Durable Object.
    pub durable_object_calls: u32,
    /// Fetches from the static-assets binding.
    pub asset_fetches: u32,
    /// Rate-limiter checks (local to the machine; not counted as subrequests).
    pub rate_limits: u32,
    /// Durable Object storage rows written: puts, deletes, `setAlarm()` and
    /// `deleteAlarm()`.
    pub do_rows_written: u32,
}

impl Usage {
    /// Subrequests by the strict reading (module docs): every call out of the
    /// invocation but the rate limiter's.
    pub fn subrequests(&self) -> u32 {
        self.d1_calls
            + self.r2_class_a
            + self.r2_class_b
            + self.r2_deletes
            + self.agent_calls
            + self.bridge_calls
            + self.durable_object_calls
            + self.asset_fetches
    }

    /// The sum of two usages.
    pub fn plus(&self, o: &Usage) -> Usage {
        Usage {
            d1_calls: self.d1_calls + o.d1_calls,
            d1_rows_read: self.d1_rows_read + o.d1_rows_read,
            d1_rows_written: self.d1_rows_written + o.d1_rows_written,
            r2_class_a: self.r2_class_a + o.r2_class_a,
            r2_class_b: self.r2_class_b + o.r2_class_b,
            r2_deletes: self.r2_deletes + o.r2_deletes,
            agent_calls: self.agent_calls + o.agent_calls,
            bridge_calls: self.bridge_calls + o.bridge_calls,
            durable_object_calls: self.durable_object_calls + o.durable_object_calls,
            asset_fetches: self.asset_fetches + o.asset_fetches,
            rate_limits: self.rate_limits + o.rate_limits,
            do_rows_written: self.do_rows_written + o.do_rows_written,
        }
    }
}

/// What a piece of work (a full run, an hour of viewing) takes from the
/// daily allowances: the invocations it makes and what they did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Workload {
    /// Requests to Workers: the supervisor's, and (by the strict reading)
    /// each agent and bridge call.
    pub worker_requests: u64,
    /// Requests to Durable Objects, alarms included.
    pub durable_object_requests: u64,
    /// Everything the invocations did, summed.
    pub usage: Usage,
    /// Seconds a Durable Object is held awake (open event streams).
    pub object_seconds: u64,
}

impl Workload {
    /// A workload of `invocations` supervisor requests, `do_invocations`
    /// Durable Object requests and alarms, and their summed `usage`.
    pub fn new(invocations: u64, do_invocations: u64, usage: Usage) -> Self {
        Workload {
            worker_requests: invocations + u64::from(usage.agent_calls) + u64::from(usage.bridge_calls),
            durable_object_requests: do_invocations,
            usage,
            object_seconds: 0,
        }
    }

    /// The same, holding an object awake `seconds` as well.
    pub fn awake(self, seconds: u64) -> Self {
        Workload { object_seconds: seconds, ..self }
    }

    /// Each allowance this workload uses: how much of it one takes, and how
    /// many fit in a day; fewest first.
    pub fn per_day(&self) -> Vec<(Allowance, u64, u64)> {
        let u = &self.usage;
        let mut fits: Vec<(Allowance, u64, u64)> = [
            (WORKER_REQUESTS, self.worker_requests),
            (DO_REQUESTS, self.durable_object_requests),
            (D1_ROWS_READ, u.d1_rows_read),
            (D1_ROWS_WRITTEN, u.d1_rows_written),
            (R2_CLASS_A, u64::from(u.r2_class_a)),
            (R2_CLASS_B, u64::from(u.r2_class_b)),
            (DO_ROWS_WRITTEN, u64::from(u.do_rows_written)),
            (DO_DURATION, self.object_seconds),
        ]
        .into_iter()
        .filter(|(_, used)| *used > 0)
        .map(|(a, used)| (a, used, a.per_day / used))
        .collect();
        fits.sort_by_key(|(_, _, n)| *n);
        fits
    }

    /// The allowance that runs out first and how many of this workload fit
    /// in a day before it does; `None` for a workload that uses nothing.
    pub fn binding(&self) -> Option<(Allowance, u64)> {
        self.per_day().into_iter().next().map(|(a, _, n)| (a, n))
    }
}

/// How many of each workload a free account holds in a day, each alone.
pub fn capacity(workloads: &[Workload]) -> Vec<Option<(Allowance, u64)>> {
    workloads.iter().map(Workload::binding).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subrequests_count_every_call_but_the_rate_limiter() {
        let u = Usage {
            d1_calls: 3,
            r2_class_a: 2,
            r2_class_b: 4,
            r2_deletes: 1,
            agent_calls: 1,
            bridge_calls: 1,
            durable_object_calls: 1,
            asset_fetches: 1,
            rate_limits: 5,
            d1_rows_read: 100,
            d1_rows_written: 10,
            do_rows_written: 7,
        };
        assert_eq!(u.subrequests(), 14);
        assert_eq!(u.plus(&u).subrequests(), 28);
        assert_eq!(u.plus(&u).rate_limits, 10);
    }

    #[test]
    fn the_first_allowance_to_run_out_binds() {
        // 1,000 rows written a run: 100 runs a day by D1's writes, while
        // 10 requests a run would allow 10,000.
        let w = Workload::new(10, 2, Usage { d1_rows_written: 1_000, d1_rows_read: 1_000, ..Usage::default() });
        let (allowance, n) = w.binding().unwrap();
        assert_eq!((allowance.name, n), ("D1 rows written", 100));
        assert_eq!(w.per_day().len(), 4);
        assert_eq!(Workload::default().binding(), None);
        // Agent calls count as Workers requests by the strict reading.
        assert_eq!(Workload::new(1, 0, Usage { agent_calls: 7, ..Usage::default() }).worker_requests, 8);
        // An hour of an open event stream holds the object awake: 13,000 GB-s
        // a day at 128 MB is 104,000 object-seconds, 28 such hours.
        let hour = Workload::new(1, 1, Usage::default()).awake(3_600);
        assert_eq!(hour.binding().map(|(a, n)| (a.name, n)), Some((DO_DURATION.name, 28)));
    }

    #[test]
    fn monthly_allowances_are_spread_over_thirty_days() {
        assert_eq!(R2_CLASS_A.per_day, 33_333);
        assert_eq!(R2_CLASS_B.per_day, 333_333);
    }
}
