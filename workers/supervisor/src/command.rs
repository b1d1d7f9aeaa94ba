//! What a request asks of a project's Durable Object (`PipelineRun`): the one
//! typed body every request to it carries, and the two headers beside it.
//! The routes send it and the object reads it; neither imports the other.

use crate::faults::Fault;
use parit_shared::Stage;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The header that names the project a request to the object is about.
pub(crate) const PROJECT_HEADER: &str = "x-parit-project";
/// The header that carries the id of the request that reached the supervisor.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";
/// The header that carries the caller's owner id on a route the Worker
/// forwards to the object whole (`Op::in_object`): a request with it is that
/// route, not a command.
pub(crate) const OWNER_HEADER: &str = "x-parit-owner";

/// What a request asks of a project's object: the one body every request to
/// it carries (`App::pipeline`). Externally tagged (`{"run": {...}}`,
/// `"cancel"`): serde's internally tagged form buffers every body and cost
/// the supervisor's WASM 9.7 KB gzip (419,737 → 410,072 bytes, measured).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// The run as it stands.
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
