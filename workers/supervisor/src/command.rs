//! What a request asks of a project's Durable Object (`PipelineRun`): the one
//! typed body every request to it carries, and the two headers beside it.
//! The routes send it and the object reads it; neither imports the other.

use crate::faults::{self, Fault};
use parit_shared::Stage;
use serde_json::{json, Value};

/// The header that names the project a request to the object is about.
pub(crate) const PROJECT_HEADER: &str = "x-parit-project";
/// The header that carries the id of the request that reached the supervisor.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";
/// The header that carries the caller's owner id on a route the Worker
/// forwards to the object whole (`Op::in_object`): a request with it is that
/// route, not a command.
pub(crate) const OWNER_HEADER: &str = "x-parit-owner";

/// What a request asks of a project's object: the one body every request to
/// it carries (`App::pipeline`), a flat JSON object named by `command`
/// (`{"command": "approve", "stage": "data"}`). Written and read by hand
/// through `serde_json::Value`, which the Worker parses anyway: serde's
/// derive for this enum (and for `Fault` inside it) cost the supervisor's
/// WASM more than twice what these two functions do.
#[derive(Debug, Clone)]
pub(crate) enum Command {
    /// Start a run, or resume one waiting for quota (*Retry now*).
    Run {
        /// Test-only storage faults for the run (`crate::faults`).
        faults: Vec<Fault>,
    },
    /// Stop the run.
    Cancel,
    /// Let the dependents of a produced stage start.
    Approve {
        /// The stage.
        stage: Stage,
    },
    /// The run as it stands: the API's `Run`, or `null` before the first.
    State,
    /// Run one stage now (`POST /api/execute`, regenerate).
    Execute {
        /// The stage.
        stage: Stage,
        /// Feedback or context for the agent.
        feedback: Option<String>,
        /// Whether a cached answer may be used.
        use_cache: bool,
    },
    /// Store a person's edit of an artifact as a new version.
    Edit {
        /// The stage.
        stage: Stage,
        /// The edited artifact.
        artifact: Value,
    },
    /// The project is about to be deleted: stop and drop everything.
    Forget,
    /// Hold an event stream for a viewer (`crate::live`).
    Watch {
        /// The `Last-Event-ID` the viewer resumes after.
        after: Option<u64>,
    },
}

impl Command {
    /// The command as the object reads it.
    pub(crate) fn to_json(&self) -> Value {
        let name = self.name();
        match self {
            Command::Run { faults } => json!({"command": name, "faults": faults::list(faults)}),
            Command::Approve { stage } => json!({"command": name, "stage": stage.as_str()}),
            Command::Execute { stage, feedback, use_cache } => {
                json!({"command": name, "stage": stage.as_str(), "feedback": feedback, "useCache": use_cache})
            }
            Command::Edit { stage, artifact } => {
                json!({"command": name, "stage": stage.as_str(), "artifact": artifact})
            }
            Command::Watch { after } => json!({"command": name, "after": after}),
            Command::Cancel | Command::State | Command::Forget => json!({ "command": name }),
        }
    }

    /// The command `v` is, or `None` when it is not one ([`Command::to_json`]'s shape).
    pub(crate) fn from_json(mut v: Value) -> Option<Command> {
        let stage = v["stage"].as_str().and_then(Stage::parse);
        Some(match v["command"].as_str()? {
            "run" => Command::Run { faults: faults::parse(v["faults"].as_str()?).ok()? },
            "cancel" => Command::Cancel,
            "approve" => Command::Approve { stage: stage? },
            "state" => Command::State,
            "execute" => Command::Execute {
                stage: stage?,
                feedback: match &v["feedback"] {
                    Value::Null => None,
                    f => Some(f.as_str()?.to_string()),
                },
                use_cache: v["useCache"].as_bool()?,
            },
            "edit" => Command::Edit { stage: stage?, artifact: v["artifact"].take() },
            "forget" => Command::Forget,
            "watch" => Command::Watch {
                after: match &v["after"] {
                    Value::Null => None,
                    n => Some(n.as_u64()?),
                },
            },
            _ => return None,
        })
    }

    /// The command's name, for the instrumented build's log lines.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Command::Run { .. } => "run",
            Command::Cancel => "cancel",
            Command::Approve { .. } => "approve",
            Command::State => "state",
            Command::Execute { .. } => "execute",
            Command::Edit { .. } => "edit",
            Command::Forget => "forget",
            Command::Watch { .. } => "watch",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_command_reads_back_as_written() {
        let commands = [
            Command::Run { faults: vec![Fault::R2Put(Stage::Data), Fault::D1Commit(Stage::Api)] },
            Command::Run { faults: vec![] },
            Command::Cancel,
            Command::Approve { stage: Stage::Design },
            Command::State,
            Command::Execute { stage: Stage::Logic, feedback: Some("shorter".into()), use_cache: true },
            Command::Execute { stage: Stage::Prd, feedback: None, use_cache: false },
            Command::Edit { stage: Stage::Api, artifact: json!({"endpoints": []}) },
            Command::Forget,
            Command::Watch { after: Some(42) },
            Command::Watch { after: None },
        ];
        for c in commands {
            let sent = serde_json::to_string(&c.to_json()).unwrap();
            let read = Command::from_json(serde_json::from_str(&sent).unwrap()).unwrap();
            assert_eq!(format!("{read:?}"), format!("{c:?}"), "{sent}");
        }
    }

    #[test]
    fn what_is_not_a_command_reads_as_none() {
        for v in [
            json!({}),
            json!({"command": "explode"}),
            json!({"command": "approve"}),
            json!({"command": "approve", "stage": "nonsense"}),
            json!({"command": "execute", "stage": "data"}),
            json!({"command": "execute", "stage": "data", "useCache": true, "feedback": 3}),
            json!({"command": "run", "faults": "r2_put:nowhere"}),
            json!({"command": "watch", "after": "soon"}),
        ] {
            assert!(Command::from_json(v.clone()).is_none(), "{v}");
        }
    }
}
