//! The test-only fault switch: storage failures injected into one run, so the
//! fault suite can prove a failed write loses nothing and the run resumes.
//!
//! It is off unless the Worker has a `FAULT_INJECTION_SECRET` (set only by
//! `scripts/fleet.sh --var` for test fleets; the deploy scripts never set it)
//! and the `POST …/run` request carries the same value in
//! `x-parit-fault-secret`. The faults, in `x-parit-fault`, are a
//! comma-separated list of `r2_put:<stage>` (R2 writes of that stage's
//! artifacts fail) and `d1_commit:<stage>` (D1 commits of its versions fail).

use crate::error::{AppError, AppResult};
use parit_shared::Stage;
use serde::{Deserialize, Serialize};
use worker::{Env, Request};

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "stage")]
pub(crate) enum Fault {
    /// R2 puts of this stage's artifact bodies fail.
    R2Put(Stage),
    /// D1 commits of this stage's versions fail.
    D1Commit(Stage),
}

/// The faults a request asks for: none without the header, 403 when the
/// switch is off or the secret is wrong, 400 when a fault is malformed.
pub(crate) fn requested(env: &Env, req: &Request) -> AppResult<Vec<Fault>> {
    let Some(list) = req.headers().get("x-parit-fault")? else { return Ok(vec![]) };
    let secret = env.secret("FAULT_INJECTION_SECRET").map(|s| s.to_string()).ok().filter(|s| s.len() >= 16);
    let given = req.headers().get("x-parit-fault-secret")?.unwrap_or_default();
    match secret {
        Some(s) if constant_time_eq(s.as_bytes(), given.as_bytes()) => {}
        _ => {
            return Err(AppError::Forbidden {
                code: "faults_disabled",
                message: "fault injection is not enabled on this deployment".into(),
            })
        }
    }
    list.split(',')
        .map(|f| {
            let bad = || AppError::BadRequest(format!("\"{}\" is not r2_put:<stage> or d1_commit:<stage>", f.trim()));
            let (kind, stage) = f.trim().split_once(':').ok_or_else(bad)?;
            let stage = Stage::parse(stage).ok_or_else(bad)?;
            match kind {
                "r2_put" => Ok(Fault::R2Put(stage)),
                "d1_commit" => Ok(Fault::D1Commit(stage)),
                _ => Err(bad()),
            }
        })
        .collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
