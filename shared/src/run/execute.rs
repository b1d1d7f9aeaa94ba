//! Running one stage for a project (`POST /api/execute`): load exactly the
//! upstream artifacts the stage needs, ask its agent, and record the result.
//!
//! Write order is what keeps failures clean: the body goes to the blob store
//! first, then one atomic commit writes the version row and the checkpoint.
//! A failed put leaves nothing; a failed commit deletes the orphan body. So
//! there is never a version row without its body, and earlier versions are
//! never touched.

use crate::agent::prompt;
use crate::agent::protocol::{Brief, CallKind, CallOutcome, CallRecord, GenerateRequest, GenerateSuccess};
use crate::artifact::{Artifact, Upstream};
use crate::check::validate::validate;
use crate::gemini::catalogue::GenerationSettings;
use crate::gemini::cost::{approximate_tokens, cost_usd};
use crate::gemini::Usage;
use crate::gemini::{catalogue, GenerateContentRequest};
use crate::hash::{content_hash, input_hash, sha256_hex, InputRef};
use crate::project::ProjectSettings;
use crate::run::store::*;
use crate::stage::Stage;
use futures_util::future::{join, try_join4, try_join_all};
use serde_json::Value;
use std::collections::BTreeMap;

/// The ports one execution uses.
pub struct Ports<'a, S, B, A, E> {
    /// System of record.
    pub store: &'a S,
    /// Artifact bodies.
    pub blobs: &'a B,
    /// The agents.
    pub agents: &'a A,
    /// Clock and ids.
    pub env: &'a E,
}

/// Why a stage could not be executed at all (nothing was attempted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExecuteError {
    /// No such project.
    #[error("project not found")]
    ProjectNotFound,
    /// Upstream stages without an artifact.
    #[error("the {stage} stage needs artifacts that do not exist yet: {}", missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))]
    MissingUpstream {
        /// The stage asked for.
        stage: Stage,
        /// Its needs that have no artifact.
        missing: Vec<Stage>,
    },
    /// Another writer committed the same version first.
    #[error("{0}")]
    Conflict(String),
    /// A stage's model is one Google has shut down (chosen before it was):
    /// refused before any write or call, naming the replacement.
    #[error("{0}")]
    ModelShutDown(String),
    /// D1 or R2 failed.
    #[error("{0}")]
    Storage(String),
    /// Running the stage would exceed the project's token budget or its
    /// owner's daily limit.
    #[error("the {stage} stage would exceed the {scope}: {spent} spent + about {estimate} needed > {budget}")]
    BudgetExceeded {
        /// Which limit.
        scope: BudgetScope,
        /// The stage.
        stage: Stage,
        /// Tokens already spent.
        spent: u64,
        /// Estimated prompt tokens of the call.
        estimate: u64,
        /// The budget.
        budget: u64,
    },
}

/// The limit a budget stop hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetScope {
    /// The project's `tokenBudget` setting.
    Project,
    /// The owner's tokens per UTC day, across projects.
    OwnerDaily,
}

impl std::fmt::Display for BudgetScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BudgetScope::Project => "project's token budget",
            BudgetScope::OwnerDaily => "owner's daily token limit (it resets at 00:00 UTC)",
        })
    }
}

impl From<StoreError> for ExecuteError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => ExecuteError::Conflict(m),
            StoreError::Unavailable(m) => ExecuteError::Storage(m),
        }
    }
}

/// A stage that produced a new version.
#[derive(Debug, Clone, PartialEq)]
pub struct StageSuccess {
    /// The new version.
    pub version: u32,
    /// Its body.
    pub artifact: Value,
    /// Tokens over all calls.
    pub usage: Usage,
    /// Model calls made.
    pub attempts: u32,
    /// Wall time in the agent.
    pub latency_ms: u64,
    /// Model.
    pub model: String,
    /// Cost in USD.
    pub cost_usd: f64,
    /// Whether the answer came from the response cache.
    pub cache_hit: bool,
}

/// A stage whose agent failed; the stage is marked failed with this reason.
#[derive(Debug, Clone, PartialEq)]
pub struct StageFailure {
    /// Failure class (a `FailureClass` label, or `agent_unreachable`).
    pub class: String,
    /// What happened.
    pub message: String,
    /// Whether running it again later may succeed unchanged.
    pub retryable: bool,
    /// Model calls made.
    pub attempts: u32,
    /// The quota wait Gemini asked for, when it asked for one longer than
    /// the agent holds a request (`retryAfterMs`).
    pub retry_after_ms: Option<u64>,
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq)]
pub enum StageOutcome {
    /// A new version exists.
    Succeeded(StageSuccess),
    /// The agent failed; earlier versions are intact.
    Failed(StageFailure),
}

/// The upstream a stage would be built from.
pub struct LoadedInputs {
    /// Bodies by stage, exactly the stage's needs.
    pub bodies: BTreeMap<Stage, Value>,
    /// Their versions and hashes.
    pub refs: Vec<InputRef>,
}

/// Loads the newest version of every stage `stage` needs.
pub async fn load_inputs<S: Store, B: BlobStore>(
    store: &S,
    blobs: &B,
    project_id: &str,
    stage: Stage,
) -> Result<LoadedInputs, ExecuteError> {
    load_needs(store, blobs, project_id, stage, false).await
}

/// Loads the newest version of every stage `stage` needs; with `partial`,
/// the ones that exist (an import may come before its inputs).
async fn load_needs<S: Store, B: BlobStore>(
    store: &S,
    blobs: &B,
    project_id: &str,
    stage: Stage,
    partial: bool,
) -> Result<LoadedInputs, ExecuteError> {
    // One lookup per need, overlapped; then the bodies, overlapped.
    let found =
        try_join_all(stage.needs().iter().map(|need| async move {
            Ok::<_, ExecuteError>((*need, store.latest_artifact(project_id, *need).await?))
        }))
        .await?;
    let missing: Vec<Stage> = found.iter().filter(|(_, r)| r.is_none()).map(|(s, _)| *s).collect();
    if !missing.is_empty() && !partial {
        return Err(ExecuteError::MissingUpstream { stage, missing });
    }
    let records: Vec<ArtifactRecord> = found.into_iter().filter_map(|(_, r)| r).collect();
    let loaded = try_join_all(records.iter().map(|r| async move {
        let bytes = blobs.get(&r.r2_key).await?.ok_or_else(|| {
            ExecuteError::Storage(format!("the body of {} v{} is missing from storage", r.stage, r.version))
        })?;
        let body: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ExecuteError::Storage(format!("the body of {} v{} is unreadable: {e}", r.stage, r.version)))?;
        Ok::<_, ExecuteError>(body)
    }))
    .await?;
    let mut bodies = BTreeMap::new();
    let mut refs = Vec::new();
    for (r, body) in records.into_iter().zip(loaded) {
        refs.push(InputRef { stage: r.stage, version: r.version, content_hash: r.content_hash.clone() });
        bodies.insert(r.stage, body);
    }
    Ok(LoadedInputs { bodies, refs })
}

/// How one execution runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecuteOptions {
    /// Reviewer feedback or extra context for this version.
    pub feedback: Option<String>,
    /// Whether an identical earlier request may be answered from the cache.
    pub use_cache: bool,
    /// Tokens the project's owner may spend per UTC day; `None` is unlimited.
    pub owner_daily_limit: Option<u64>,
}

/// The R2 key of a cached model answer: the hash of the model and the exact
/// request (prompt, schema and settings).
pub fn cache_key(model: &str, request: &GenerateContentRequest) -> String {
    let body = serde_json::to_string(request).unwrap_or_default();
    format!("cache/{}.json", sha256_hex(format!("{model}\n{body}").as_bytes()))
}

/// The exact request `stage` sends to Gemini for these inputs on `model`, and
/// its cache key: one function, so the run plan predicts a cache answer
/// exactly when execution will find one.
pub(crate) fn model_request(
    stage: Stage,
    brief: &Brief,
    upstream: &BTreeMap<Stage, Value>,
    settings: &GenerationSettings,
    model: &str,
    feedback: Option<&str>,
) -> (GenerateContentRequest, String) {
    let request = prompt::build(stage, brief, upstream, feedback).request(stage, model, settings);
    let key = cache_key(model, &request);
    (request, key)
}

/// Executes `stage` for `project_id` now: read what it is built from, check
/// the budget, record the start, ask the agent (or the cache), check the
/// answer, and record the end. A start is one write and an end is one write
/// ([`Writes`]): on D1, one round trip each.
pub async fn execute_stage<S: Store, B: BlobStore, A: AgentPort, E: Environment>(
    ports: &Ports<'_, S, B, A, E>,
    project_id: &str,
    stage: Stage,
    options: &ExecuteOptions,
) -> Result<StageOutcome, ExecuteError> {
    let Ports { store, blobs, agents, env } = *ports;
    let run = Execution { env, project_id, stage, id: env.new_id() };
    let prepared = prepare(store, blobs, project_id, stage, options).await?;
    if prepared.cached.is_none() {
        check_budget(store, &run, &prepared, options).await?;
    }
    let started = match prepared.cached {
        Some(_) => run.event(
            ActivityKind::StageCached,
            format!("The {stage} stage was answered from the cache: an identical request was made before (0 tokens)"),
        ),
        None => run.event(ActivityKind::StageStarted, format!("The {stage} agent started ({})", prepared.model)),
    };
    let running = run.checkpoint(CheckpointStatus::Running, &prepared.previous);
    store.write(&Writes { checkpoint: Some(&running), activity: &[started], ..Writes::default() }).await?;

    let (reply, cache_hit) = ask(agents, &prepared, stage).await;
    let (calls, model) = match &reply {
        AgentReply::Success(s) => (s.calls.as_slice(), s.model.clone()),
        AgentReply::Failure(f) => (f.calls.as_slice(), prepared.model.clone()),
        AgentReply::Unreachable(_) => (&[][..], prepared.model.clone()),
    };
    let mut traces = trace_records(env, project_id, stage, &run.id, &model, calls);
    if cache_hit {
        traces.push(cache_trace(env, project_id, stage, &run.id, &model));
    }
    let retries = run.retries(calls);
    match check_reply(stage, reply, &prepared.agent_request.upstream) {
        Ok(success) => {
            record_success(store, blobs, &run, &prepared, options, success, cache_hit, &traces, retries).await
        }
        Err(failure) => {
            record_failure(store, &run, &prepared.previous, &failure, &traces, retries).await?;
            Ok(StageOutcome::Failed(failure))
        }
    }
}

/// One execution of one stage: what its records are stamped with.
struct Execution<'a, E> {
    env: &'a E,
    project_id: &'a str,
    stage: Stage,
    /// Groups the execution's traces.
    id: String,
}

impl<E: Environment> Execution<'_, E> {
    fn event(&self, kind: ActivityKind, message: String) -> ActivityRecord {
        ActivityRecord {
            id: self.env.new_id(),
            project_id: self.project_id.to_string(),
            stage: Some(self.stage),
            kind,
            message,
            created_at: self.env.now_ms(),
        }
    }

    /// The stage's checkpoint at `status`, still naming the last good version.
    fn checkpoint(&self, status: CheckpointStatus, previous: &Option<ArtifactRecord>) -> CheckpointRecord {
        CheckpointRecord {
            project_id: self.project_id.to_string(),
            stage: self.stage,
            status,
            last_good_version: previous.as_ref().map(|p| p.version),
            input_hash: previous.as_ref().map(|p| p.input_hash.clone()),
            error_class: None,
            error_message: None,
            updated_at: self.env.now_ms(),
        }
    }

    /// The stage failed with `class`: its checkpoint and the event saying so.
    fn failed(
        &self,
        previous: &Option<ArtifactRecord>,
        class: &str,
        message: &str,
    ) -> (CheckpointRecord, ActivityRecord) {
        let checkpoint = CheckpointRecord {
            error_class: Some(class.to_string()),
            error_message: Some(message.to_string()),
            ..self.checkpoint(CheckpointStatus::Failed, previous)
        };
        let event =
            self.event(ActivityKind::StageFailed, format!("The {} stage failed: {message} ({class})", self.stage));
        (checkpoint, event)
    }

    /// An event for each model call that was retried.
    fn retries(&self, calls: &[CallRecord]) -> Vec<ActivityRecord> {
        calls
            .iter()
            .filter_map(|c| {
                let delay = c.retry_delay_ms?;
                let class = c.error_class.map_or("error", |c| c.as_str());
                Some(self.event(
                    ActivityKind::StageRetried,
                    format!("Model call {} for {} failed ({class}); retrying in {delay} ms", c.attempt, self.stage),
                ))
            })
            .collect()
    }
}

/// What a stage is built from, all read before anything is written.
struct Prepared {
    project: ProjectRecord,
    settings: ProjectSettings,
    previous: Option<ArtifactRecord>,
    input_hash: String,
    model: String,
    /// What the agent is asked: the brief, exactly the upstream bodies it
    /// needs, the generation settings and the feedback.
    agent_request: GenerateRequest,
    /// The exact request the agent will send to Gemini, and its cache key.
    request: GenerateContentRequest,
    cache_key: String,
    /// A cached answer to that very request.
    cached: Option<Value>,
}

async fn prepare<S: Store, B: BlobStore>(
    store: &S,
    blobs: &B,
    project_id: &str,
    stage: Stage,
    options: &ExecuteOptions,
) -> Result<Prepared, ExecuteError> {
    // Independent reads, overlapped: on the Workers runtime each is a round trip.
    let (project, settings, inputs, previous) = try_join4(
        async { store.project(project_id).await?.ok_or(ExecuteError::ProjectNotFound) },
        async { Ok(store.settings(project_id).await?) },
        load_inputs(store, blobs, project_id, stage),
        async { Ok(store.latest_artifact(project_id, stage).await?) },
    )
    .await?;
    if let Some(refusal) = settings.shut_down_models() {
        return Err(ExecuteError::ModelShutDown(refusal.message));
    }
    // The PRD of a project that starts from an import reads what was
    // imported (each import's own summary), after any feedback.
    let mut options = options.clone();
    if stage == Stage::Prd {
        let latest = store.latest_artifacts(project_id).await?;
        let imported = latest.iter().filter(|r| r.source == Source::Import).filter_map(|r| r.feedback.as_deref());
        let context: Vec<&str> = options.feedback.as_deref().into_iter().chain(imported).collect();
        options.feedback = (!context.is_empty()).then(|| context.join("\n\n"));
    }
    let options = &options;
    let feedback = options.feedback.as_deref();
    let input_hash = input_hash(stage, &inputs.refs, Some(&settings), feedback);
    let model = settings.model_for(stage).to_string();
    let agent_request = GenerateRequest {
        brief: Brief { name: project.name.clone(), idea: project.idea.clone() },
        upstream: inputs.bodies,
        settings: settings.generation(stage),
        feedback: options.feedback.clone(),
    };
    let a = &agent_request;
    let (request, cache_key) = model_request(stage, &a.brief, &a.upstream, &a.settings, &model, feedback);
    let cached = if options.use_cache { read_cache(blobs, &cache_key).await } else { None };
    Ok(Prepared { project, settings, previous, input_hash, model, agent_request, request, cache_key, cached })
}

/// Refuses the stage, before any call, when its prompt alone would take the
/// project past its token budget or the owner past the day's limit.
async fn check_budget<S: Store, E: Environment>(
    store: &S,
    run: &Execution<'_, E>,
    prepared: &Prepared,
    options: &ExecuteOptions,
) -> Result<(), ExecuteError> {
    let estimate = approximate_tokens(serde_json::to_string(&prepared.request).map_or(0, |b| b.len()));
    let mut limits = Vec::with_capacity(2);
    if let Some(budget) = prepared.settings.token_budget {
        limits.push((BudgetScope::Project, budget, store.tokens_spent(run.project_id).await?));
    }
    if let Some(limit) = options.owner_daily_limit {
        let spent = store.owner_tokens_on_day(&prepared.project.owner_id, run.env.now_ms() / DAY_MS).await?;
        limits.push((BudgetScope::OwnerDaily, limit, spent));
    }
    let stage = run.stage;
    for (scope, budget, spent) in limits {
        if spent + estimate > budget {
            let refused = run.event(
                ActivityKind::BudgetExceeded,
                format!(
                    "The {stage} stage was not started: {spent} tokens spent + about {estimate} for this prompt would exceed the {scope} of {budget}"
                ),
            );
            store.write(&Writes::activity(&[refused])).await?;
            return Err(ExecuteError::BudgetExceeded { scope, stage, spent, estimate, budget });
        }
    }
    Ok(())
}

/// The cached answer, or the agent's. The flag says the answer is cached.
async fn ask<A: AgentPort>(agents: &A, prepared: &Prepared, stage: Stage) -> (AgentReply, bool) {
    if let Some(artifact) = &prepared.cached {
        let success = GenerateSuccess {
            artifact: artifact.clone(),
            usage: Usage::default(),
            model: prepared.model.clone(),
            attempts: 0,
            latency_ms: 0,
            calls: vec![],
        };
        return (AgentReply::Success(success), true);
    }
    (agents.generate(stage, &prepared.agent_request).await, false)
}

/// Never trusts an artifact across a boundary: checks it again here.
fn check_reply(
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

/// One write: the calls' traces, the retries, and the failure.
async fn record_failure<S: Store, E: Environment>(
    store: &S,
    run: &Execution<'_, E>,
    previous: &Option<ArtifactRecord>,
    f: &StageFailure,
    traces: &[TraceRecord],
    mut events: Vec<ActivityRecord>,
) -> Result<(), ExecuteError> {
    let (checkpoint, failed) = run.failed(previous, &f.class, &f.message);
    events.push(failed);
    Ok(store.write(&Writes { checkpoint: Some(&checkpoint), traces, activity: &events, version: None }).await?)
}

#[allow(clippy::too_many_arguments)] // the steps' results, handed on once
async fn record_success<S: Store, B: BlobStore, E: Environment>(
    store: &S,
    blobs: &B,
    run: &Execution<'_, E>,
    prepared: &Prepared,
    options: &ExecuteOptions,
    success: GenerateSuccess,
    cache_hit: bool,
    traces: &[TraceRecord],
    mut events: Vec<ActivityRecord>,
) -> Result<StageOutcome, ExecuteError> {
    // The cache write is best effort (a miss only costs a later call), so it
    // overlaps the body's put.
    let cache_write = async {
        if options.use_cache && !cache_hit {
            let entry = serde_json::json!({"model": success.model, "artifact": success.artifact});
            let _ = blobs.put(&prepared.cache_key, entry.to_string().into_bytes()).await;
        }
    };
    let version = next_version(&prepared.previous);
    events.push(run.event(
        ActivityKind::StageSucceeded,
        format!(
            "The {} artifact v{version} is ready: {} tokens in {} model call{}, {} ms",
            run.stage,
            success.usage.total(),
            success.attempts,
            if success.attempts == 1 { "" } else { "s" },
            success.latency_ms
        ),
    ));
    let new_version = NewVersion {
        artifact: &success.artifact,
        input_hash: prepared.input_hash.clone(),
        source: Source::Agent,
        model: Some(success.model.clone()),
        // With the imports' context the PRD read, as its input hash has it.
        feedback: prepared.agent_request.feedback.clone(),
        previous: &prepared.previous,
    };
    let ((), committed) = join(cache_write, commit(store, blobs, run, new_version, traces, &events)).await;
    committed?;
    Ok(StageOutcome::Succeeded(StageSuccess {
        version,
        cost_usd: traces.iter().map(|t| t.cost_usd).sum(),
        artifact: success.artifact,
        usage: success.usage,
        attempts: success.attempts,
        latency_ms: success.latency_ms,
        model: success.model,
        cache_hit,
    }))
}

pub(crate) async fn read_cache<B: BlobStore>(blobs: &B, key: &str) -> Option<Value> {
    let bytes = blobs.get(key).await.ok()??;
    let entry: Value = serde_json::from_slice(&bytes).ok()?;
    entry.get("artifact").cloned()
}

fn next_version(previous: &Option<ArtifactRecord>) -> u32 {
    previous.as_ref().map_or(1, |p| p.version + 1)
}

struct NewVersion<'a> {
    artifact: &'a Value,
    input_hash: String,
    source: Source,
    model: Option<String>,
    feedback: Option<String>,
    previous: &'a Option<ArtifactRecord>,
}

/// Writes a new version: the body first, then, in one write, its row, the
/// checkpoint, `traces` and `events`. When that write is refused by storage
/// the body is removed again (not on a conflict: a row for it exists), and
/// the traces and retries (they happened) go in with the failure, best
/// effort: the store may be what failed.
async fn commit<S: Store, B: BlobStore, E: Environment>(
    store: &S,
    blobs: &B,
    run: &Execution<'_, E>,
    v: NewVersion<'_>,
    traces: &[TraceRecord],
    events: &[ActivityRecord],
) -> Result<u32, ExecuteError> {
    let (env, project_id, stage) = (run.env, run.project_id, run.stage);
    let version = next_version(v.previous);
    let body = v.artifact.to_string().into_bytes();
    let record = ArtifactRecord {
        id: env.new_id(),
        project_id: project_id.to_string(),
        stage,
        version,
        r2_key: artifact_key(project_id, stage, version),
        content_hash: content_hash(v.artifact),
        input_hash: v.input_hash.clone(),
        source: v.source,
        model: v.model,
        feedback: v.feedback,
        size_bytes: body.len() as u64,
        created_at: env.now_ms(),
    };
    let checkpoint = CheckpointRecord {
        last_good_version: Some(version),
        input_hash: Some(v.input_hash),
        ..run.checkpoint(CheckpointStatus::Done, v.previous)
    };
    let result = match blobs.put(&record.r2_key, body).await {
        Err(e) => Err(e),
        Ok(()) => {
            let written = Writes { version: Some(&record), checkpoint: Some(&checkpoint), traces, activity: events };
            let result = store.write(&written).await;
            // A conflict means a row for this version exists (a retried
            // batch that had landed, or another writer): its body stays.
            if matches!(result, Err(StoreError::Unavailable(_))) {
                let _ = blobs.delete(std::slice::from_ref(&record.r2_key)).await;
            }
            result
        }
    };
    if let Err(e) = result {
        let (checkpoint, failed) = run.failed(v.previous, "storage", &format!("could not store the artifact ({e})"));
        // The retries happened and the tokens were spent: both are kept.
        let mut kept: Vec<ActivityRecord> =
            events.iter().filter(|e| e.kind == ActivityKind::StageRetried).cloned().collect();
        kept.push(failed);
        let _ = store.write(&Writes { checkpoint: Some(&checkpoint), traces, activity: &kept, version: None }).await;
        return Err(e.into());
    }
    Ok(version)
}

/// Why a human edit was not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    /// The body is not a valid artifact of the stage; every problem.
    #[error("the {stage} artifact has {} problem(s)", problems.len())]
    Invalid {
        /// The stage.
        stage: Stage,
        /// Each problem, `path: what`.
        problems: Vec<String>,
    },
    /// The project, its upstream, or storage.
    #[error(transparent)]
    Execute(#[from] ExecuteError),
}

/// A version a person submits: an edit, or an import of what they had.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission<'a> {
    /// The artifact.
    pub body: Value,
    /// `Source::Human` for an edit, `Source::Import` for an import.
    pub source: Source,
    /// Appended to the activity event after the version, e.g. `" (2 constructs not imported)"`.
    pub note: &'a str,
    /// What an import holds, in a few lines: kept with the version (its
    /// `feedback`), and read by the PRD stage as context.
    pub context: Option<String>,
}

impl Submission<'_> {
    /// A person's edit.
    pub fn edit(body: Value) -> Submission<'static> {
        Submission { body, source: Source::Human, note: "", context: None }
    }
}

/// Stores a person's version of `stage` (an edit or an import) after
/// checking it against the schema and the validation rules (with its upstream).
pub async fn store_human_version<S: Store, B: BlobStore, E: Environment>(
    store: &S,
    blobs: &B,
    env: &E,
    project_id: &str,
    stage: Stage,
    submission: Submission<'_>,
) -> Result<u32, EditError> {
    let Submission { body, source, note, context } = submission;
    let import = source == Source::Import;
    let (value, inputs) = check_edit_inputs(store, blobs, project_id, stage, body, import).await?;
    // An import before its inputs exist (a project that starts from what it
    // has) stays current as they are built: it is what the user has.
    let ahead = inputs.refs.len() < stage.needs().len();
    let previous = store.latest_artifact(project_id, stage).await.map_err(ExecuteError::from)?;
    let run = Execution { env, project_id, stage, id: env.new_id() };
    let version = next_version(&previous);
    let (kind, how) = match source {
        Source::Import => (ActivityKind::ArtifactImported, "imported"),
        _ => (ActivityKind::ArtifactEdited, "edited by hand"),
    };
    let event = run.event(
        kind,
        format!("The {stage} artifact was {how}: v{version}{note}; the stages that depend on it are now stale"),
    );
    let new_version = NewVersion {
        artifact: &value,
        input_hash: match ahead {
            true => crate::run::status::IMPORTED_AHEAD.to_string(),
            false => input_hash(stage, &inputs.refs, None, context.as_deref()),
        },
        source,
        model: None,
        feedback: context,
        previous: &previous,
    };
    Ok(commit(store, blobs, &run, new_version, &[], &[event]).await?)
}

/// The body as the stage's artifact (its canonical JSON) if saving it would
/// succeed: it fits the schema and passes validation against the stored
/// upstream; else every problem.
pub(crate) async fn check_edit<S: Store, B: BlobStore>(
    store: &S,
    blobs: &B,
    project_id: &str,
    stage: Stage,
    body: Value,
) -> Result<Value, EditError> {
    Ok(check_edit_inputs(store, blobs, project_id, stage, body, false).await?.0)
}

async fn check_edit_inputs<S: Store, B: BlobStore>(
    store: &S,
    blobs: &B,
    project_id: &str,
    stage: Stage,
    body: Value,
    partial: bool,
) -> Result<(Value, LoadedInputs), EditError> {
    store.project(project_id).await.map_err(ExecuteError::from)?.ok_or(ExecuteError::ProjectNotFound)?;
    let inputs = load_needs(store, blobs, project_id, stage, partial).await?;
    let artifact = Artifact::from_value(stage, body).map_err(|e| EditError::Invalid { stage, problems: e.problems })?;
    let problems = validate(&artifact, &typed_upstream(&inputs.bodies));
    if !problems.is_empty() {
        return Err(EditError::Invalid { stage, problems });
    }
    Ok((artifact.to_value(), inputs))
}

fn failure(class: &str, message: String, retryable: bool, attempts: u32) -> StageFailure {
    StageFailure { class: class.to_string(), message, retryable, attempts, retry_after_ms: None }
}

fn typed_upstream(bodies: &BTreeMap<Stage, Value>) -> Upstream {
    let mut up = Upstream::default();
    for (stage, body) in bodies {
        if let Ok(a) = Artifact::from_value(*stage, body.clone()) {
            up.insert(a);
        }
    }
    up
}

fn cache_trace<E: Environment>(
    env: &E,
    project_id: &str,
    stage: Stage,
    execution_id: &str,
    model: &str,
) -> TraceRecord {
    TraceRecord {
        id: env.new_id(),
        project_id: project_id.to_string(),
        stage,
        execution_id: execution_id.to_string(),
        call_kind: CallKind::Generate,
        attempt: 1,
        model: model.to_string(),
        model_version: None,
        response_id: None,
        unpriced: false,
        usage: Usage::default(),
        latency_ms: 0,
        outcome: CallOutcome::Ok,
        error_class: None,
        message: Some("answered from the response cache".into()),
        retry_delay_ms: None,
        cache_hit: true,
        cost_usd: 0.0,
        created_at: env.now_ms(),
        segment: None,
        thinking_level: None,
    }
}

fn trace_records<E: Environment>(
    env: &E,
    project_id: &str,
    stage: Stage,
    execution_id: &str,
    model: &str,
    calls: &[CallRecord],
) -> Vec<TraceRecord> {
    calls
        .iter()
        .map(|c| {
            // Priced as the model that answered, where the catalogue knows it.
            let answered = c.model_version.as_deref().filter(|v| catalogue::model(v).is_some());
            let priced = answered.unwrap_or(model);
            TraceRecord {
                id: env.new_id(),
                project_id: project_id.to_string(),
                stage,
                execution_id: execution_id.to_string(),
                call_kind: c.kind,
                attempt: c.attempt,
                model: model.to_string(),
                model_version: c.model_version.clone(),
                response_id: c.response_id.clone(),
                unpriced: catalogue::model(priced).is_none(),
                usage: c.usage,
                latency_ms: c.latency_ms,
                outcome: c.outcome,
                error_class: c.error_class.map(|e| e.as_str().to_string()),
                message: c.message.clone(),
                retry_delay_ms: c.retry_delay_ms,
                cache_hit: false,
                cost_usd: cost_usd(priced, &c.usage, &crate::clock::utc_day(env.now_ms())),
                created_at: env.now_ms(),
                segment: c.segment,
                thinking_level: c.thinking_level,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::protocol::{AgentError, GenerateFailure};
    use crate::fixtures::examples;
    use crate::fixtures::memory::*;
    use crate::gemini::FailureClass;
    use futures_executor::block_on;

    fn store_with_project() -> MemoryStore {
        MemoryStore::with_project("Pantry", "plan meals")
    }

    fn call(outcome: CallOutcome, class: Option<FailureClass>, retry: Option<u64>) -> CallRecord {
        CallRecord {
            kind: CallKind::Generate,
            attempt: 1,
            outcome,
            error_class: class,
            message: class.map(|c| c.to_string()),
            usage: Usage { prompt_tokens: 100, output_tokens: 40, thoughts_tokens: 10, cached_tokens: 0 },
            latency_ms: 5,
            retry_delay_ms: retry,
            model_version: None,
            response_id: None,
            segment: None,
            thinking_level: None,
        }
    }

    #[test]
    fn a_call_is_priced_as_the_model_that_answered() {
        let env = TickingEnv::default();
        let usage = Usage { prompt_tokens: 1_000_000, output_tokens: 1_000_000, thoughts_tokens: 0, cached_tokens: 0 };
        let answered = |version: Option<&str>| CallRecord {
            usage,
            model_version: version.map(str::to_string),
            response_id: Some("r-1".into()),
            ..call(CallOutcome::Ok, None, None)
        };
        let calls = [answered(Some("gemini-3.8-flash")), answered(Some("gemini-3.5-flash-lite-xyz")), answered(None)];
        let traces = trace_records(&env, "p", Stage::Prd, "e", "gemini-2.5-flash", &calls);
        // Routed: asked for 2.5 Flash, answered and billed by 3.8 Flash ($0.75 + $3.75).
        assert_eq!(traces[0].model, "gemini-2.5-flash");
        assert_eq!(traces[0].model_version.as_deref(), Some("gemini-3.8-flash"));
        assert_eq!(traces[0].response_id.as_deref(), Some("r-1"));
        assert!((traces[0].cost_usd - 4.50).abs() < 1e-9 && !traces[0].unpriced);
        // A version the catalogue does not know, or none: priced as the model asked for.
        assert!((traces[1].cost_usd - 2.80).abs() < 1e-9, "{}", traces[1].cost_usd);
        assert!((traces[2].cost_usd - 2.80).abs() < 1e-9);
        // Neither known: the dearest rates, flagged.
        let t = trace_records(&env, "p", Stage::Prd, "e", "gemini-9-ultra", &calls[1..2]);
        assert!(t[0].unpriced && (t[0].cost_usd - 24.0).abs() < 1e-9, "{:?}", t[0]);
    }

    #[test]
    fn a_call_is_priced_at_the_list_price_of_its_day() {
        let env = TickingEnv::default();
        let usage = Usage { prompt_tokens: 1_000_000, output_tokens: 1_000_000, thoughts_tokens: 0, cached_tokens: 0 };
        let calls = [CallRecord { usage, ..call(CallOutcome::Ok, None, None) }];
        // Gemini 4 Argon: $2 / $10 through 2026-11-30, $4 / $20 from 2026-12-01.
        let last_intro_day = crate::clock::day_number("2026-11-30").unwrap() as u64 * crate::clock::DAY_MS;
        env.sleep_until(last_intro_day + crate::clock::DAY_MS - 100);
        let before = trace_records(&env, "p", Stage::Prd, "e", "gemini-4-argon", &calls);
        assert!((before[0].cost_usd - 12.0).abs() < 1e-9, "{:?}", before[0]);
        env.sleep_until(last_intro_day + crate::clock::DAY_MS);
        let after = trace_records(&env, "p", Stage::Prd, "e", "gemini-4-argon", &calls);
        assert!((after[0].cost_usd - 24.0).abs() < 1e-9, "{:?}", after[0]);
    }

    fn good(stage: Stage, _: &GenerateRequest) -> AgentReply {
        AgentReply::Success(GenerateSuccess {
            artifact: examples::pantry().artifact(stage).to_value(),
            usage: Usage { prompt_tokens: 200, output_tokens: 80, thoughts_tokens: 20, cached_tokens: 0 },
            model: "gemini-2.5-flash".into(),
            attempts: 2,
            latency_ms: 10,
            calls: vec![
                call(CallOutcome::Failed, Some(FailureClass::QuotaPerMinute), Some(1000)),
                call(CallOutcome::Ok, None, None),
            ],
        })
    }

    fn run<A: AgentPort>(
        store: &MemoryStore,
        blobs: &MemoryBlobs,
        agents: &A,
        stage: Stage,
    ) -> Result<StageOutcome, ExecuteError> {
        let env = TickingEnv::default();
        block_on(execute_stage(&Ports { store, blobs, agents, env: &env }, "p1", stage, &ExecuteOptions::default()))
    }

    #[test]
    fn success_writes_body_row_checkpoint_traces_and_activity() {
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        let agents = FnAgents::new(good);
        let StageOutcome::Succeeded(s) = run(&store, &blobs, &agents, Stage::Prd).unwrap() else { panic!("failed") };
        assert_eq!(s.version, 1);
        assert!(s.cost_usd > 0.0);
        let row = store.artifacts.borrow()[0].clone();
        assert_eq!(row.r2_key, "projects/p1/prd/v1.json");
        assert_eq!(row.content_hash, content_hash(&s.artifact));
        let body: Value = serde_json::from_slice(&blobs.objects.borrow()[&row.r2_key]).unwrap();
        assert_eq!(body, s.artifact);
        let cp = store.checkpoints.borrow()[&("p1".to_string(), Stage::Prd)].clone();
        assert_eq!((cp.status, cp.last_good_version), (CheckpointStatus::Done, Some(1)));
        assert_eq!(store.traces.borrow().len(), 2);
        let kinds: Vec<ActivityKind> = store.activity.borrow().iter().map(|a| a.kind).collect();
        assert_eq!(kinds, vec![ActivityKind::StageStarted, ActivityKind::StageRetried, ActivityKind::StageSucceeded]);
        assert_eq!(store.writes.get(), 2, "one write for the start, one for the end");
        assert!(store.activity.borrow()[1].message.contains("quota_per_minute"));
        // A second run makes v2 and leaves v1 alone.
        let StageOutcome::Succeeded(s2) = run(&store, &blobs, &agents, Stage::Prd).unwrap() else { panic!() };
        assert_eq!(s2.version, 2);
        assert_eq!(blobs.objects.borrow().len(), 2);
    }

    #[test]
    fn missing_upstream_is_refused_before_any_call() {
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        let agents = FnAgents::new(good);
        let err = run(&store, &blobs, &agents, Stage::Api).unwrap_err();
        assert_eq!(
            err,
            ExecuteError::MissingUpstream { stage: Stage::Api, missing: vec![Stage::Prd, Stage::Data, Stage::Logic] }
        );
        assert_eq!(err.to_string(), "the api stage needs artifacts that do not exist yet: prd, data, logic");
        assert!(agents.requests.borrow().is_empty());
        let env = TickingEnv::default();
        let none = block_on(execute_stage(
            &Ports { store: &store, blobs: &blobs, agents: &agents, env: &env },
            "nope",
            Stage::Prd,
            &ExecuteOptions::default(),
        ));
        assert_eq!(none.unwrap_err(), ExecuteError::ProjectNotFound);
    }

    #[test]
    fn agents_get_exactly_their_upstream() {
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        let agents = FnAgents::new(good);
        for stage in Stage::ALL {
            assert!(matches!(run(&store, &blobs, &agents, stage).unwrap(), StageOutcome::Succeeded(_)), "{stage}");
        }
        for (stage, req) in agents.requests.borrow().iter() {
            let keys: Vec<Stage> = req.upstream.keys().copied().collect();
            assert_eq!(keys, stage.needs().to_vec(), "{stage}");
            assert_eq!(req.brief.name, "Pantry");
        }
    }

    #[test]
    fn agent_failure_keeps_the_last_good_version() {
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        run(&store, &blobs, &FnAgents::new(good), Stage::Prd).unwrap();
        let failing = FnAgents::new(|_, _| {
            AgentReply::Failure(GenerateFailure {
                error: AgentError {
                    code: "internal".into(),
                    class: Some(FailureClass::Internal),
                    message: "model kept failing".into(),
                    retryable: true,
                    retry_after_ms: None,
                },
                usage: Usage::default(),
                attempts: 4,
                calls: vec![call(CallOutcome::Failed, Some(FailureClass::Internal), None); 4],
            })
        });
        let StageOutcome::Failed(f) = run(&store, &blobs, &failing, Stage::Prd).unwrap() else { panic!() };
        assert_eq!((f.class.as_str(), f.retryable, f.attempts), ("internal", true, 4));
        let cp = store.checkpoints.borrow()[&("p1".to_string(), Stage::Prd)].clone();
        assert_eq!(cp.status, CheckpointStatus::Failed);
        assert_eq!(cp.last_good_version, Some(1));
        assert_eq!(cp.error_message.as_deref(), Some("model kept failing"));
        assert_eq!(store.artifacts.borrow().len(), 1);
        assert_eq!(store.traces.borrow().len(), 2 + 4);
        let last = store.activity.borrow().last().cloned().unwrap();
        assert_eq!(last.kind, ActivityKind::StageFailed);
        assert!(last.message.contains("model kept failing (internal)"));
        assert_eq!(store.writes.get(), 2 + 2, "a failed stage too: one write for its start, one for its end");
        let down = FnAgents::new(|_, _| AgentReply::Unreachable("connection refused".into()));
        let StageOutcome::Failed(f) = run(&store, &blobs, &down, Stage::Prd).unwrap() else { panic!() };
        assert_eq!(f.class, "agent_unreachable");
    }

    #[test]
    fn storage_failures_leave_nothing_half_written() {
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        blobs.fail_put.set(true);
        assert!(matches!(run(&store, &blobs, &FnAgents::new(good), Stage::Prd), Err(ExecuteError::Storage(_))));
        assert!(store.artifacts.borrow().is_empty());
        blobs.fail_put.set(false);
        store.fail_commit.set(true);
        assert!(matches!(run(&store, &blobs, &FnAgents::new(good), Stage::Prd), Err(ExecuteError::Storage(_))));
        assert!(store.artifacts.borrow().is_empty());
        assert!(blobs.objects.borrow().is_empty(), "the orphan body was removed");
        let cp = store.checkpoints.borrow()[&("p1".to_string(), Stage::Prd)].clone();
        assert_eq!((cp.status, cp.error_class.as_deref()), (CheckpointStatus::Failed, Some("storage")));
        assert_eq!(
            store.traces.borrow().len(),
            2 * 2,
            "both failed writes kept their calls' traces: tokens were spent"
        );
        let retried = store.activity.borrow().iter().filter(|a| a.kind == ActivityKind::StageRetried).count();
        assert_eq!(retried, 2, "and the retries they made");
        // A conflict: the version's row is there (its batch landed before a
        // retry of it met it), so its body must stay.
        store.fail_commit.set(false);
        store.conflict_commit.set(true);
        assert!(matches!(run(&store, &blobs, &FnAgents::new(good), Stage::Prd), Err(ExecuteError::Conflict(_))));
        assert!(blobs.objects.borrow().contains_key("projects/p1/prd/v1.json"), "the body of a committed row stays");
    }

    #[test]
    fn invalid_agent_artifacts_are_rejected() {
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        run(&store, &blobs, &FnAgents::new(good), Stage::Prd).unwrap();
        // A data model from another product does not break PRD references, but a
        // design from the clinic example serves stories that exist; break one.
        let liar = FnAgents::new(|stage, _| {
            let mut a = examples::pantry().artifact(stage).to_value();
            a["screens"][1]["userStories"] = serde_json::json!(["US-999"]);
            AgentReply::Success(GenerateSuccess {
                artifact: a,
                usage: Usage::default(),
                model: "m".into(),
                attempts: 1,
                latency_ms: 1,
                calls: vec![],
            })
        });
        let StageOutcome::Failed(f) = run(&store, &blobs, &liar, Stage::Design).unwrap() else { panic!() };
        assert_eq!(f.class, "invalid_output");
        assert!(f.message.contains("US-999"), "{}", f.message);
    }

    #[test]
    fn identical_requests_are_answered_from_the_cache() {
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        let agents = FnAgents::new(good);
        let env = TickingEnv::default();
        let ports = Ports { store: &store, blobs: &blobs, agents: &agents, env: &env };
        let cached = ExecuteOptions { feedback: None, use_cache: true, owner_daily_limit: None };
        let StageOutcome::Succeeded(first) = block_on(execute_stage(&ports, "p1", Stage::Prd, &cached)).unwrap() else {
            panic!()
        };
        assert!(!first.cache_hit);
        let StageOutcome::Succeeded(second) = block_on(execute_stage(&ports, "p1", Stage::Prd, &cached)).unwrap()
        else {
            panic!()
        };
        assert!(second.cache_hit);
        assert_eq!(second.usage.total(), 0);
        assert_eq!(second.artifact, first.artifact);
        assert_eq!(agents.requests.borrow().len(), 1, "the second answer cost no agent call");
        let last = store.traces.borrow().last().cloned().unwrap();
        assert!(last.cache_hit && last.usage.total() == 0);
        // Feedback changes the prompt: a miss.
        let with_feedback =
            ExecuteOptions { feedback: Some("shorter".into()), use_cache: true, owner_daily_limit: None };
        let StageOutcome::Succeeded(third) = block_on(execute_stage(&ports, "p1", Stage::Prd, &with_feedback)).unwrap()
        else {
            panic!()
        };
        assert!(!third.cache_hit);
        assert_eq!(store.artifacts.borrow().last().unwrap().feedback.as_deref(), Some("shorter"));
    }

    #[test]
    fn the_owners_daily_limit_counts_every_project_of_the_day() {
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        let agents = FnAgents::new(good);
        let env = TickingEnv::default();
        let ports = Ports { store: &store, blobs: &blobs, agents: &agents, env: &env };
        let with_limit = |limit| ExecuteOptions { feedback: None, use_cache: false, owner_daily_limit: Some(limit) };
        let first = block_on(execute_stage(&ports, "p1", Stage::Prd, &with_limit(1_000_000))).unwrap();
        assert!(matches!(first, StageOutcome::Succeeded(_)));
        let spent = store.tokens_spent_now("p1");
        assert!(spent > 0);
        let err = block_on(execute_stage(&ports, "p1", Stage::Data, &with_limit(spent + 10))).unwrap_err();
        let ExecuteError::BudgetExceeded { scope, spent: seen, budget, .. } = err else { panic!("{err:?}") };
        assert_eq!((scope, seen, budget), (BudgetScope::OwnerDaily, spent, spent + 10));
        assert_eq!(agents.requests.borrow().len(), 1, "the refused stage made no call");
        assert!(store.activity.borrow().last().unwrap().message.contains("daily token limit"));
    }

    #[test]
    fn the_budget_is_enforced_before_the_call() {
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        store
            .settings
            .borrow_mut()
            .insert("p1".into(), crate::project::ProjectSettings { token_budget: Some(1_000), ..Default::default() });
        let agents = FnAgents::new(good);
        let err = run(&store, &blobs, &agents, Stage::Prd).unwrap_err();
        let ExecuteError::BudgetExceeded { spent, budget, estimate, .. } = err else { panic!("{err:?}") };
        assert_eq!((spent, budget), (0, 1_000));
        assert!(estimate > 1_000);
        assert!(agents.requests.borrow().is_empty());
        assert_eq!(store.activity.borrow().last().unwrap().kind, ActivityKind::BudgetExceeded);
        store
            .settings
            .borrow_mut()
            .insert("p1".into(), crate::project::ProjectSettings { token_budget: Some(100_000), ..Default::default() });
        assert!(matches!(run(&store, &blobs, &agents, Stage::Prd).unwrap(), StageOutcome::Succeeded(_)));
    }

    #[test]
    fn a_shut_down_model_is_refused_before_any_write_or_call() {
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        let old = crate::project::ProjectSettings { model: "gemini-2.5-flash".into(), ..Default::default() };
        store.settings.borrow_mut().insert("p1".into(), old);
        let agents = FnAgents::new(good);
        let err = run(&store, &blobs, &agents, Stage::Prd).unwrap_err();
        let ExecuteError::ModelShutDown(message) = err else { panic!("{err:?}") };
        assert!(message.contains("gemini-2.5-flash was shut down"), "{message}");
        assert!(agents.requests.borrow().is_empty(), "no agent call");
        assert_eq!(store.writes.get(), 0, "nothing written");
    }

    #[test]
    fn human_edits_are_validated_then_versioned() {
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        let agents = FnAgents::new(good);
        run(&store, &blobs, &agents, Stage::Prd).unwrap();
        run(&store, &blobs, &agents, Stage::Data).unwrap();
        let env = TickingEnv::default();
        let edit =
            |body| block_on(store_human_version(&store, &blobs, &env, "p1", Stage::Data, Submission::edit(body)));
        let mut data = examples::pantry().artifact(Stage::Data).to_value();
        data["entities"][1]["fields"][2]["references"] = serde_json::json!("Ghost");
        data["indexes"][0]["fields"] = serde_json::json!(["nope"]);
        let Err(EditError::Invalid { problems, .. }) = edit(data) else { panic!() };
        assert_eq!(problems.len(), 2, "{problems:?}");
        let mut data = examples::pantry().artifact(Stage::Data).to_value();
        data["entities"][0]["description"] = serde_json::json!("A person who cooks.");
        let v = edit(data).unwrap();
        assert_eq!(v, 2);
        let row = store.artifacts.borrow().last().cloned().unwrap();
        assert_eq!(row.source, Source::Human);
        assert_eq!(store.activity.borrow().last().unwrap().kind, ActivityKind::ArtifactEdited);
        let err = block_on(store_human_version(
            &store,
            &blobs,
            &env,
            "p1",
            Stage::Api,
            Submission::edit(serde_json::json!({})),
        ))
        .unwrap_err();
        assert!(matches!(err, EditError::Execute(ExecuteError::MissingUpstream { .. })));
        // An import is stored the same way, under its own source and event.
        let imported = Submission {
            body: examples::clinic().artifact(Stage::Data).to_value(),
            source: Source::Import,
            note: " (1 construct not imported)",
            context: None,
        };
        assert_eq!(block_on(store_human_version(&store, &blobs, &env, "p1", Stage::Data, imported)).unwrap(), 3);
        assert_eq!(store.artifacts.borrow().last().unwrap().source, Source::Import);
        let event = store.activity.borrow().last().cloned().unwrap();
        assert_eq!(event.kind, ActivityKind::ArtifactImported);
        assert_eq!(
            event.message,
            "The data artifact was imported: v3 (1 construct not imported); the stages that depend on it are now stale"
        );
    }

    #[test]
    fn a_project_starts_from_an_import_and_its_prd_reads_it_as_context() {
        use crate::run::status::{stage_statuses, StageStatus};
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        let env = TickingEnv::default();
        // No PRD yet: the import is stored all the same, ahead of its input.
        let imported = Submission {
            body: examples::pantry().artifact(Stage::Data).to_value(),
            source: Source::Import,
            note: "",
            context: Some("The project starts from an imported data model: Recipe, Ingredient.".into()),
        };
        assert_eq!(block_on(store_human_version(&store, &blobs, &env, "p1", Stage::Data, imported)).unwrap(), 1);
        let row = store.artifacts.borrow().last().cloned().unwrap();
        assert_eq!(row.input_hash, crate::run::status::IMPORTED_AHEAD);
        let statuses = |store: &MemoryStore| {
            let latest = block_on(store.latest_artifacts("p1")).unwrap();
            stage_statuses(&latest, &[], &block_on(store.settings("p1")).unwrap())
        };
        assert_eq!(statuses(&store)[&Stage::Data], StageStatus::Done);
        assert_eq!(statuses(&store)[&Stage::Prd], StageStatus::Pending);
        // The PRD is asked with what was imported, and the import stays current after it.
        let agents = FnAgents::new(good);
        assert!(matches!(run(&store, &blobs, &agents, Stage::Prd).unwrap(), StageOutcome::Succeeded(_)));
        let feedback = agents.requests.borrow()[0].1.feedback.clone();
        assert_eq!(feedback.as_deref(), Some("The project starts from an imported data model: Recipe, Ingredient."));
        assert_eq!(statuses(&store)[&Stage::Prd], StageStatus::Done);
        assert_eq!(statuses(&store)[&Stage::Data], StageStatus::Done);
        assert_eq!(statuses(&store)[&Stage::Logic], StageStatus::Pending);
        // An edit still needs its inputs.
        let err = block_on(store_human_version(
            &store,
            &blobs,
            &env,
            "p1",
            Stage::Api,
            Submission::edit(examples::pantry().artifact(Stage::Api).to_value()),
        ))
        .unwrap_err();
        assert!(matches!(err, EditError::Execute(ExecuteError::MissingUpstream { .. })));
    }
}
