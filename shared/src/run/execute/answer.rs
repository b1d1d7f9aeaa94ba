//! The agent's answer (or the cache's), never trusted across the boundary:
//! its artifact is checked again against the schema and the validation rules.

use super::inputs::typed_upstream;
use super::prepare::Prepared;
use super::StageFailure;
use crate::agent::protocol::GenerateSuccess;
use crate::artifact::Artifact;
use crate::check::validate::validate;
use crate::gemini::Usage;
use crate::run::store::*;
use crate::stage::Stage;
use serde_json::Value;
use std::collections::BTreeMap;

/// A cached answer as the agent's would be: no call, no tokens.
pub(super) fn cached_reply(prepared: &Prepared, artifact: &Value) -> AgentReply {
    AgentReply::Success(GenerateSuccess {
        artifact: artifact.clone(),
        usage: Usage::default(),
        model: prepared.model.clone(),
        attempts: 0,
        latency_ms: 0,
        calls: vec![],
    })
}

/// Never trusts an artifact across a boundary: checks it again here.
pub(super) fn check_reply(
    stage: Stage,
    reply: AgentReply,
    upstream: &BTreeMap<Stage, Value>,
) -> Result<GenerateSuccess, StageFailure> {
    let invalid = |message: String, attempts| failure("invalid_output", message, false, attempts);
    match reply {
        AgentReply::Success(s) => match Artifact::from_value(stage, s.artifact.clone()) {
            Err(e) => {
                Err(invalid(format!("the agent returned an artifact that does not fit the schema: {e}"), s.attempts))
            }
            Ok(artifact) => match validate(&artifact, &typed_upstream(upstream)) {
                problems if problems.is_empty() => Ok(s),
                problems => {
                    Err(invalid(format!("the agent returned an invalid artifact: {}", problems.join("; ")), s.attempts))
                }
            },
        },
        AgentReply::Failure(f) => {
            let class = f.error.class.map_or_else(|| f.error.code.clone(), |c| c.as_str().to_string());
            Err(StageFailure {
                retry_after_ms: f.error.retry_after_ms,
                ..failure(&class, f.error.message, f.error.retryable, f.attempts)
            })
        }
        AgentReply::Unreachable(m) => {
            Err(failure("agent_unreachable", format!("the {stage} agent could not be reached: {m}"), true, 0))
        }
    }
}

fn failure(class: &str, message: String, retryable: bool, attempts: u32) -> StageFailure {
    StageFailure { class: class.to_string(), message, retryable, attempts, retry_after_ms: None }
}
