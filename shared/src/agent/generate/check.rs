//! A generation's request and answer held to the stage: the upstream it
//! needs and the settings' ranges; the answer parsed and validated.

use crate::agent::protocol::{CallOutcome, CallRecord, GenerateFailure, GenerateRequest};
use crate::artifact::{Artifact, Upstream};
use crate::check::validate::validate;
use crate::gemini::catalogue::is_model_name;
use crate::gemini::FailureClass;
use crate::stage::Stage;

/// Checks a `/generate` request against the stage: exactly the upstream it
/// needs, each a valid artifact. Answers the typed upstream.
pub fn check_request(stage: Stage, req: &GenerateRequest) -> Result<Upstream, GenerateFailure> {
    let bad = |msg: String| GenerateFailure::before_call("bad_request", None, msg, false);
    if req.brief.name.trim().is_empty() || req.brief.idea.trim().is_empty() {
        return Err(bad("brief.name and brief.idea must not be empty".into()));
    }
    if let Some(t) = req.settings.temperature {
        if !(0.0..=2.0).contains(&t) {
            return Err(bad(format!("settings.temperature {t} is outside 0..2")));
        }
    }
    if let Some(m) = &req.settings.model {
        if !is_model_name(m) {
            return Err(bad(format!("settings.model \"{m}\" is not a model id (letters, digits, '.', '-', '_')")));
        }
    }
    if let Some(n) = req.settings.max_output_tokens {
        if !(256..=65_536).contains(&n) {
            return Err(bad(format!("settings.maxOutputTokens {n} is outside 256..65536")));
        }
    }
    let missing: Vec<&str> =
        stage.needs().iter().filter(|n| !req.upstream.contains_key(n)).map(|n| n.as_str()).collect();
    if !missing.is_empty() {
        return Err(bad(format!("the {stage} stage needs upstream artifacts: {}", missing.join(", "))));
    }
    let extra: Vec<&str> = req.upstream.keys().filter(|s| !stage.needs().contains(s)).map(|s| s.as_str()).collect();
    if !extra.is_empty() {
        return Err(bad(format!("the {stage} stage does not take upstream artifacts: {}", extra.join(", "))));
    }
    let mut upstream = Upstream::default();
    for (s, v) in &req.upstream {
        let artifact =
            Artifact::from_value(*s, v.clone()).map_err(|e| bad(format!("upstream {s} artifact is invalid: {e}")))?;
        upstream.insert(artifact);
    }
    Ok(upstream)
}

/// Parses and validates model output: the artifact, or every problem.
pub fn check_output(stage: Stage, text: &str, upstream: &Upstream) -> Result<Artifact, Vec<String>> {
    let artifact = Artifact::from_text(stage, text).map_err(|e| e.problems)?;
    let problems = validate(&artifact, upstream);
    if problems.is_empty() {
        Ok(artifact)
    } else {
        Err(problems)
    }
}

/// Marks the last call's answer invalid, naming how many problems it had.
pub(super) fn mark_invalid(calls: &mut [CallRecord], problems: &[String]) {
    if let Some(last) = calls.last_mut() {
        last.outcome = CallOutcome::Invalid;
        last.error_class = Some(FailureClass::InvalidOutput);
        last.message =
            Some(format!("{} problems, first: {}", problems.len(), problems.first().map_or("", String::as_str)));
    }
}
