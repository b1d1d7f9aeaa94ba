//! Running one stage for a project (`POST /api/execute`): load exactly the
//! upstream artifacts the stage needs, ask its agent, and record the result.
//!
//! Write order is what keeps failures clean: the body goes to the blob store
//! first, then one atomic commit writes the version row and the checkpoint.
//! A failed put leaves nothing; a failed commit deletes the orphan body. So
//! there is never a version row without its body, and earlier versions are
//! never touched.
//!
//! The steps, one module each: `inputs` (the upstream a stage reads),
//! `cache` (the exact request and its cache key), `prepare` (what is read,
//! a cached answer too, and checked before a call), `answer` (the agent's
//! answer, checked again), `record` (a stage's end written, a version
//! committed), `traces` (one priced record per model call) and `edit` (a
//! person's version: an edit or an import).

mod answer;
mod cache;
mod edit;
mod inputs;
mod prepare;
mod record;
mod traces;

pub use cache::cache_key;
pub(crate) use cache::model_request;
pub(crate) use edit::check_edit;
pub use edit::{store_human_version, EditError, Submission};
pub use inputs::{load_inputs, LoadedInputs};
pub(crate) use prepare::read_cache;

use crate::agent::protocol::CallRecord;
use crate::gemini::Usage;
use crate::run::store::*;
use crate::stage::Stage;
use answer::{cached_reply, check_reply};
use prepare::{check_budget, prepare};
use record::{record_failure, record_success};
use serde_json::Value;
use traces::{cache_trace, trace_records};

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

    // The cached answer, or the agent's. The flag says the answer is cached.
    let (reply, cache_hit) = match &prepared.cached {
        Some(artifact) => (cached_reply(&prepared, artifact), true),
        None => (agents.generate(stage, &prepared.agent_request).await, false),
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::protocol::{
        AgentError, CallKind, CallOutcome, GenerateFailure, GenerateRequest, GenerateSuccess,
    };
    use crate::fixtures::examples;
    use crate::fixtures::memory::*;
    use crate::gemini::FailureClass;
    use crate::hash::content_hash;
    use futures_executor::block_on;

    pub(super) fn store_with_project() -> MemoryStore {
        MemoryStore::with_project("Pantry", "plan meals")
    }

    pub(super) fn call(outcome: CallOutcome, class: Option<FailureClass>, retry: Option<u64>) -> CallRecord {
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

    pub(super) fn good(stage: Stage, _: &GenerateRequest) -> AgentReply {
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

    pub(super) fn run<A: AgentPort>(
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
}
