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
use serde_json::Value;
use worker::{Env, Request};

/// One injected fault. Carried to the object and kept in its storage as
/// the header's own text ([`list`], [`parse`]), not by serde's derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    parse(&list).map_err(|f| AppError::BadRequest(format!("\"{f}\" is not r2_put:<stage> or d1_commit:<stage>")))
}

/// The faults of a list written as the header is (`r2_put:data,d1_commit:api`;
/// "" is none), or the first entry that is not one.
pub(crate) fn parse(list: &str) -> Result<Vec<Fault>, &str> {
    if list.is_empty() {
        return Ok(vec![]);
    }
    let mut faults = vec![];
    for f in list.split(',').map(str::trim) {
        let fault = match f.split_once(':').map(|(kind, stage)| (kind, Stage::parse(stage))) {
            Some(("r2_put", Some(stage))) => Fault::R2Put(stage),
            Some(("d1_commit", Some(stage))) => Fault::D1Commit(stage),
            _ => return Err(f),
        };
        faults.push(fault);
    }
    Ok(faults)
}

/// The faults an object stored for its run: the text [`list`] wrote, or,
/// from a run started before faults were kept as text, serde's form of
/// them (`[{"kind": "r2Put", "stage": "data"}]`; `[]` on every run without
/// faults), so such a run goes on after an upgrade.
pub(crate) fn stored(v: Option<&Value>) -> Result<Vec<Fault>, String> {
    let text = match v {
        None => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(old)) => {
            let each = old.iter().map(|f| {
                let kind = if f["kind"] == "r2Put" { "r2_put" } else { "d1_commit" };
                [kind, ":", f["stage"].as_str().unwrap_or_default()].concat()
            });
            each.collect::<Vec<_>>().join(",")
        }
        Some(other) => return Err(other.to_string()),
    };
    parse(&text).map_err(str::to_string)
}

/// `faults` written as the header is: what [`parse`] reads back.
pub(crate) fn list(faults: &[Fault]) -> String {
    let each = faults.iter().map(|f| match f {
        Fault::R2Put(stage) => ["r2_put:", stage.as_str()].concat(),
        Fault::D1Commit(stage) => ["d1_commit:", stage.as_str()].concat(),
    });
    each.collect::<Vec<_>>().join(",")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn faults_read_back_as_listed_and_as_stored_before() {
        let faults = vec![Fault::R2Put(Stage::Data), Fault::D1Commit(Stage::Api)];
        assert_eq!(list(&faults), "r2_put:data,d1_commit:api");
        assert_eq!(parse(&list(&faults)).unwrap(), faults);
        assert_eq!(parse("").unwrap(), vec![]);
        assert_eq!(parse("r2_put:data, nonsense"), Err("nonsense"));
        assert_eq!(stored(Some(&json!("d1_commit:api"))).unwrap(), vec![Fault::D1Commit(Stage::Api)]);
        assert_eq!(stored(None).unwrap(), vec![]);
        let before = json!([{"kind": "r2Put", "stage": "data"}, {"kind": "d1Commit", "stage": "api"}]);
        assert_eq!(stored(Some(&before)).unwrap(), faults);
        assert_eq!(stored(Some(&json!([]))).unwrap(), vec![]);
        assert!(stored(Some(&json!(7))).is_err());
    }
}
