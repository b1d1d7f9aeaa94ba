//! The ports the supervisor's logic needs — the system of record (D1 at the
//! edge), the blob store (R2), the agents (service bindings) and the
//! environment (clock, ids) — and the records that cross them.

use crate::agent::protocol::{CallKind, CallOutcome, GenerateFailure, GenerateRequest, GenerateSuccess};
use crate::clock::Clock;
use crate::gemini::Usage;
use crate::project::ProjectSettings;
use crate::stage::Stage;
use serde::{Deserialize, Serialize};

/// A project row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectRecord {
    /// Id.
    pub id: String,
    /// Owner.
    pub owner_id: String,
    /// Name.
    pub name: String,
    /// Idea.
    pub idea: String,
    /// Creation time, ms since the epoch.
    pub created_at: u64,
    /// Last change, ms since the epoch.
    pub updated_at: u64,
}

crate::label_enum! {
    /// Who made an artifact version: an agent, a person's edit, or an import of
    /// what a project already had (SQL DDL, an OpenAPI document).
    pub enum Source { Agent = "agent", Human = "human", Import = "import" }
}

/// One artifact version (the body lives in the blob store at `r2_key`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRecord {
    /// Id.
    pub id: String,
    /// Project.
    pub project_id: String,
    /// Stage.
    pub stage: Stage,
    /// 1-based version within the stage.
    pub version: u32,
    /// Blob key of the body.
    pub r2_key: String,
    /// Hash of the body.
    pub content_hash: String,
    /// Hash of what it was built from.
    pub input_hash: String,
    /// Agent or human.
    pub source: Source,
    /// Model that produced it (agent versions).
    pub model: Option<String>,
    /// Reviewer feedback it was generated with (agent versions).
    pub feedback: Option<String>,
    /// Body size.
    pub size_bytes: u64,
    /// Creation time, ms since the epoch.
    pub created_at: u64,
}

crate::label_enum! {
    /// Where a stage stands.
    pub enum CheckpointStatus { Running = "running", Done = "done", Failed = "failed" }
}

/// Progress of one stage of one project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckpointRecord {
    /// Project.
    pub project_id: String,
    /// Stage.
    pub stage: Stage,
    /// Status.
    pub status: CheckpointStatus,
    /// Last good version (kept when a later attempt fails).
    pub last_good_version: Option<u32>,
    /// Input hash of the last good version.
    pub input_hash: Option<String>,
    /// Failure class of the last attempt, when it failed.
    pub error_class: Option<String>,
    /// Failure message of the last attempt, when it failed.
    pub error_message: Option<String>,
    /// Last change, ms since the epoch.
    pub updated_at: u64,
}

/// One stage execution's answered generation call.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionUsage {
    /// Stage.
    pub stage: Stage,
    /// Tokens of its answered generation call (retries that failed add none).
    pub usage: Usage,
    /// Whether one of its calls gave usable output.
    pub succeeded: bool,
}

/// One model call (or cache answer) of a stage execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceRecord {
    /// Id.
    pub id: String,
    /// Project.
    pub project_id: String,
    /// Stage.
    pub stage: Stage,
    /// The stage execution the call belongs to.
    pub execution_id: String,
    /// Generation or repair.
    pub call_kind: CallKind,
    /// Attempt within its kind.
    pub attempt: u32,
    /// The model asked for.
    pub model: String,
    /// The model that answered (`modelVersion`), when Google said.
    pub model_version: Option<String>,
    /// Google's id of the answer (`responseId`).
    pub response_id: Option<String>,
    /// Whether the catalogue has no price for the model that answered, so the
    /// cost is at its dearest rates ([`crate::gemini::catalogue::UNPRICED`]).
    pub unpriced: bool,
    /// Tokens.
    pub usage: Usage,
    /// Latency.
    pub latency_ms: u64,
    /// Outcome.
    pub outcome: CallOutcome,
    /// Failure class, when it failed.
    pub error_class: Option<String>,
    /// Failure message, when it failed.
    pub message: Option<String>,
    /// Wait before the next attempt.
    pub retry_delay_ms: Option<u64>,
    /// Whether the answer came from the response cache.
    pub cache_hit: bool,
    /// Cost in USD, at the list price in force on the day of the call.
    pub cost_usd: f64,
    /// When, ms since the epoch.
    pub created_at: u64,
    /// Which segment of an answer decoded in segments the call fetched.
    pub segment: Option<u32>,
    /// The thinking level the call sent.
    pub thinking_level: Option<crate::gemini::catalogue::ThinkingLevel>,
}

crate::label_enum! {
    /// What an activity event reports.
    pub enum ActivityKind {
        ProjectCreated = "project_created", SettingsChanged = "settings_changed",
        StageStarted = "stage_started", StageRetried = "stage_retried",
        StageSucceeded = "stage_succeeded", StageFailed = "stage_failed",
        StageCached = "stage_cached", StageApproved = "stage_approved",
        ArtifactEdited = "artifact_edited", ArtifactImported = "artifact_imported", BudgetExceeded = "budget_exceeded",
        RunStarted = "run_started", RunFinished = "run_finished", CancelRequested = "cancel_requested",
        RunWaiting = "run_waiting", RunResumed = "run_resumed",
    }
}

/// A human-readable event in a project's feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityRecord {
    /// Id.
    pub id: String,
    /// Project.
    pub project_id: String,
    /// Stage, when the event is about one.
    pub stage: Option<Stage>,
    /// Kind.
    pub kind: ActivityKind,
    /// The sentence shown to people.
    pub message: String,
    /// When, ms since the epoch.
    pub created_at: u64,
}

/// A storage failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A uniqueness rule was broken (e.g. two writers took the same version).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The store failed or could not be reached.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

/// Milliseconds in a UTC day: owners' daily token limits count per `ms / DAY_MS`.
pub const DAY_MS: u64 = 86_400_000;

/// The system of record.
#[allow(async_fn_in_trait)] // single-threaded (wasm32) callers; no Send bound wanted
pub trait Store {
    /// A project by id.
    async fn project(&self, id: &str) -> Result<Option<ProjectRecord>, StoreError>;
    /// A project's settings (defaults when none are stored).
    async fn settings(&self, project_id: &str) -> Result<ProjectSettings, StoreError>;
    /// The newest version of a stage's artifact.
    async fn latest_artifact(&self, project_id: &str, stage: Stage) -> Result<Option<ArtifactRecord>, StoreError>;
    /// The newest version of every stage that has one.
    async fn latest_artifacts(&self, project_id: &str) -> Result<Vec<ArtifactRecord>, StoreError>;
    /// Every checkpoint of a project.
    async fn checkpoints(&self, project_id: &str) -> Result<Vec<CheckpointRecord>, StoreError>;
    /// Tokens billed to a project so far (every trace).
    async fn tokens_spent(&self, project_id: &str) -> Result<u64, StoreError>;
    /// Tokens billed to an owner on a UTC day (`ms / DAY_MS`), across all of
    /// its projects, deleted ones included.
    async fn owner_tokens_on_day(&self, owner_id: &str, day: u64) -> Result<u64, StoreError>;
    /// What each stage execution of a project used in its generation call
    /// that answered (not its repair, nor calls that failed; cache answers left
    /// out), oldest first: the run plan's history of one call.
    async fn execution_usage(&self, project_id: &str) -> Result<Vec<ExecutionUsage>, StoreError>;
    /// Applies `writes` as one transaction: all of them or none. On D1 that
    /// is one batch, one round trip. [`StoreError::Conflict`] when the new
    /// version's number is taken.
    async fn write(&self, writes: &Writes<'_>) -> Result<(), StoreError>;
}

/// Rows that land together. A stage's start is one `Writes` (its checkpoint
/// and the started event), its end is another (the new version, the
/// checkpoint, the model calls' traces and the events).
#[derive(Debug, Default, Clone, Copy)]
pub struct Writes<'a> {
    /// A new artifact version, whose body is already in the blob store.
    pub version: Option<&'a ArtifactRecord>,
    /// A stage's checkpoint. With `version`, its last good version and input
    /// hash move too; without, only its status and error change.
    pub checkpoint: Option<&'a CheckpointRecord>,
    /// Model-call traces; each bills its tokens to the project's owner.
    pub traces: &'a [TraceRecord],
    /// Activity events, in the order given.
    pub activity: &'a [ActivityRecord],
}

impl<'a> Writes<'a> {
    /// Only activity events.
    pub fn activity(events: &'a [ActivityRecord]) -> Self {
        Writes { activity: events, ..Writes::default() }
    }
}

/// Artifact bodies.
#[allow(async_fn_in_trait)]
pub trait BlobStore {
    /// Writes `body` at `key`.
    async fn put(&self, key: &str, body: Vec<u8>) -> Result<(), StoreError>;
    /// Reads `key`.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Deletes `keys` (missing keys are fine).
    async fn delete(&self, keys: &[String]) -> Result<(), StoreError>;
}

/// What an agent answered.
#[derive(Debug, Clone, PartialEq)]
pub enum AgentReply {
    /// An artifact.
    Success(GenerateSuccess),
    /// A classified failure.
    Failure(GenerateFailure),
    /// The agent could not be reached or answered nonsense.
    Unreachable(String),
}

/// The seven agents.
#[allow(async_fn_in_trait)]
pub trait AgentPort {
    /// Asks `stage`'s agent for an artifact.
    async fn generate(&self, stage: Stage, request: &GenerateRequest) -> AgentReply;

    /// The prompt tokens of the request the agent would send for `request`,
    /// counted by Gemini; `None` when it cannot say (no key, unreachable), and
    /// the run plan estimates instead.
    async fn count_tokens(&self, stage: Stage, request: &GenerateRequest) -> Option<u64> {
        let _ = (stage, request);
        None
    }
}

/// Time and identity.
pub trait Environment: Clock {
    /// A fresh unique id.
    fn new_id(&self) -> String;
}

/// The R2 key of an artifact version's body.
pub fn artifact_key(project_id: &str, stage: Stage, version: u32) -> String {
    format!("projects/{project_id}/{stage}/v{version}.json")
}

/// The R2 prefix of everything a project stores.
pub fn project_prefix(project_id: &str) -> String {
    format!("projects/{project_id}/")
}
