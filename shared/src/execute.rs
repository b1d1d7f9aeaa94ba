//! Running one stage for a project (`POST /api/execute`): load exactly the
//! upstream artifacts the stage needs, ask its agent, and record the result.
//!
//! Write order is what keeps failures clean: the body goes to the blob store
//! first, then one atomic commit writes the version row and the checkpoint.
//! A failed put leaves nothing; a failed commit deletes the orphan body. So
//! there is never a version row without its body, and earlier versions are
//! never touched.

use crate::artifact::{Artifact, Upstream};
use crate::cost::cost_usd;
use crate::gemini::Usage;
use crate::hash::{content_hash, input_hash, InputRef};
use crate::protocol::{Brief, CallRecord, GenerateRequest};
use crate::stage::Stage;
use crate::store::*;
use crate::validate::validate;
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
    /// D1 or R2 failed.
    #[error("{0}")]
    Storage(String),
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
    let mut records = Vec::new();
    let mut missing = Vec::new();
    for need in stage.needs() {
        match store.latest_artifact(project_id, *need).await? {
            Some(r) => records.push(r),
            None => missing.push(*need),
        }
    }
    if !missing.is_empty() {
        return Err(ExecuteError::MissingUpstream { stage, missing });
    }
    let mut bodies = BTreeMap::new();
    let mut refs = Vec::new();
    for r in records {
        let bytes = blobs.get(&r.r2_key).await?.ok_or_else(|| {
            ExecuteError::Storage(format!("the body of {} v{} is missing from storage", r.stage, r.version))
        })?;
        let body: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ExecuteError::Storage(format!("the body of {} v{} is unreadable: {e}", r.stage, r.version)))?;
        refs.push(InputRef { stage: r.stage, version: r.version, content_hash: r.content_hash.clone() });
        bodies.insert(r.stage, body);
    }
    Ok(LoadedInputs { bodies, refs })
}

/// Executes `stage` for `project_id` now.
pub async fn execute_stage<S: Store, B: BlobStore, A: AgentPort, E: Environment>(
    ports: &Ports<'_, S, B, A, E>,
    project_id: &str,
    stage: Stage,
    feedback: Option<&str>,
) -> Result<StageOutcome, ExecuteError> {
    let Ports { store, blobs, agents, env } = *ports;
    let project = store.project(project_id).await?.ok_or(ExecuteError::ProjectNotFound)?;
    let settings = store.settings(project_id).await?;
    let inputs = load_inputs(store, blobs, project_id, stage).await?;
    let input_hash = input_hash(stage, &inputs.refs, &settings, feedback);
    let previous = store.latest_artifact(project_id, stage).await?;
    let execution_id = env.new_id();

    let mut checkpoint = CheckpointRecord {
        project_id: project_id.to_string(),
        stage,
        status: CheckpointStatus::Running,
        last_good_version: previous.as_ref().map(|p| p.version),
        input_hash: previous.as_ref().map(|p| p.input_hash.clone()),
        error_class: None,
        error_message: None,
        updated_at: env.now_ms(),
    };
    store.mark_stage(&checkpoint).await?;
    let event = |kind, message: String| ActivityRecord {
        id: env.new_id(),
        project_id: project_id.to_string(),
        stage: Some(stage),
        kind,
        message,
        created_at: env.now_ms(),
    };
    store
        .add_activity(&[event(ActivityKind::StageStarted, format!("The {stage} agent started ({})", settings.model))])
        .await?;

    let request = GenerateRequest {
        brief: Brief { name: project.name.clone(), idea: project.idea.clone() },
        upstream: inputs.bodies.clone(),
        settings: settings.generation(),
        feedback: feedback.map(str::to_string),
    };
    let reply = agents.generate(stage, &request).await;

    let (calls, model) = match &reply {
        AgentReply::Success(s) => (s.calls.clone(), s.model.clone()),
        AgentReply::Failure(f) => (f.calls.clone(), settings.model.clone()),
        AgentReply::Unreachable(_) => (Vec::new(), settings.model.clone()),
    };
    let traces = trace_records(env, project_id, stage, &execution_id, &model, &calls);
    store.add_traces(&traces).await?;
    let retries: Vec<ActivityRecord> = calls
        .iter()
        .filter_map(|c| {
            let delay = c.retry_delay_ms?;
            let class = c.error_class.map_or("error", |c| c.as_str());
            Some(event(
                ActivityKind::StageRetried,
                format!("Model call {} for {stage} failed ({class}); retrying in {delay} ms", c.attempt),
            ))
        })
        .collect();
    store.add_activity(&retries).await?;

    // Never trust an artifact across a boundary: check it again here.
    let checked = match reply {
        AgentReply::Success(s) => match Artifact::from_value(stage, s.artifact.clone()) {
            Err(e) => Err(failure(
                "invalid_output",
                format!("the agent returned an artifact that does not fit the schema: {e}"),
                false,
                s.attempts,
            )),
            Ok(artifact) => {
                let upstream = typed_upstream(&inputs.bodies);
                let problems = validate(&artifact, &upstream);
                if problems.is_empty() {
                    Ok(s)
                } else {
                    Err(failure(
                        "invalid_output",
                        format!("the agent returned an invalid artifact: {}", problems.join("; ")),
                        false,
                        s.attempts,
                    ))
                }
            }
        },
        AgentReply::Failure(f) => {
            let class = f.error.class.map_or_else(|| f.error.code.clone(), |c| c.as_str().to_string());
            Err(failure(&class, f.error.message, f.error.retryable, f.attempts))
        }
        AgentReply::Unreachable(m) => {
            Err(failure("agent_unreachable", format!("the {stage} agent could not be reached: {m}"), true, 0))
        }
    };

    let success = match checked {
        Ok(s) => s,
        Err(f) => {
            checkpoint.status = CheckpointStatus::Failed;
            checkpoint.error_class = Some(f.class.clone());
            checkpoint.error_message = Some(f.message.clone());
            checkpoint.updated_at = env.now_ms();
            store.mark_stage(&checkpoint).await?;
            store
                .add_activity(&[event(
                    ActivityKind::StageFailed,
                    format!("The {stage} stage failed: {} ({})", f.message, f.class),
                )])
                .await?;
            return Ok(StageOutcome::Failed(f));
        }
    };

    let version = previous.as_ref().map_or(1, |p| p.version + 1);
    let body = success.artifact.to_string().into_bytes();
    let record = ArtifactRecord {
        id: env.new_id(),
        project_id: project_id.to_string(),
        stage,
        version,
        r2_key: artifact_key(project_id, stage, version),
        content_hash: content_hash(&success.artifact),
        input_hash: input_hash.clone(),
        source: Source::Agent,
        model: Some(success.model.clone()),
        size_bytes: body.len() as u64,
        created_at: env.now_ms(),
    };
    let fail_storage = |message: String| async move {
        let mut c = checkpoint_failed(project_id, stage, &previous, "storage", &message, env.now_ms());
        c.updated_at = env.now_ms();
        // Best effort: the store may be what failed.
        let _ = store.mark_stage(&c).await;
        let _ = store
            .add_activity(&[event(
                ActivityKind::StageFailed,
                format!("The {stage} stage failed: could not store the artifact ({message})"),
            )])
            .await;
    };
    if let Err(e) = blobs.put(&record.r2_key, body).await {
        fail_storage(e.to_string()).await;
        return Err(e.into());
    }
    checkpoint.status = CheckpointStatus::Done;
    checkpoint.last_good_version = Some(version);
    checkpoint.input_hash = Some(input_hash);
    checkpoint.updated_at = env.now_ms();
    if let Err(e) = store.commit_version(&record, &checkpoint).await {
        let _ = blobs.delete(std::slice::from_ref(&record.r2_key)).await;
        fail_storage(e.to_string()).await;
        return Err(e.into());
    }
    let cost = traces.iter().map(|t| t.cost_usd).sum();
    store
        .add_activity(&[event(
            ActivityKind::StageSucceeded,
            format!(
                "The {stage} artifact v{version} is ready: {} tokens in {} model call{}, {} ms",
                success.usage.total(),
                success.attempts,
                if success.attempts == 1 { "" } else { "s" },
                success.latency_ms
            ),
        )])
        .await?;
    Ok(StageOutcome::Succeeded(StageSuccess {
        version,
        artifact: success.artifact,
        usage: success.usage,
        attempts: success.attempts,
        latency_ms: success.latency_ms,
        model: success.model,
        cost_usd: cost,
    }))
}

fn failure(class: &str, message: String, retryable: bool, attempts: u32) -> StageFailure {
    StageFailure { class: class.to_string(), message, retryable, attempts }
}

fn checkpoint_failed(
    project_id: &str,
    stage: Stage,
    previous: &Option<ArtifactRecord>,
    class: &str,
    message: &str,
    now: u64,
) -> CheckpointRecord {
    CheckpointRecord {
        project_id: project_id.to_string(),
        stage,
        status: CheckpointStatus::Failed,
        last_good_version: previous.as_ref().map(|p| p.version),
        input_hash: previous.as_ref().map(|p| p.input_hash.clone()),
        error_class: Some(class.to_string()),
        error_message: Some(message.to_string()),
        updated_at: now,
    }
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
        .map(|c| TraceRecord {
            id: env.new_id(),
            project_id: project_id.to_string(),
            stage,
            execution_id: execution_id.to_string(),
            call_kind: c.kind,
            attempt: c.attempt,
            model: model.to_string(),
            usage: c.usage,
            latency_ms: c.latency_ms,
            outcome: c.outcome,
            error_class: c.error_class.map(|e| e.as_str().to_string()),
            message: c.message.clone(),
            retry_delay_ms: c.retry_delay_ms,
            cache_hit: false,
            cost_usd: cost_usd(model, &c.usage),
            created_at: env.now_ms(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;
    use crate::gemini::FailureClass;
    use crate::memory::*;
    use crate::protocol::{AgentError, CallKind, CallOutcome, GenerateFailure, GenerateSuccess};
    use futures_executor::block_on;

    fn store_with_project() -> MemoryStore {
        let store = MemoryStore::default();
        store.projects.borrow_mut().insert(
            "p1".into(),
            ProjectRecord {
                id: "p1".into(),
                owner_id: "o".into(),
                name: "Pantry".into(),
                idea: "plan meals".into(),
                created_at: 0,
                updated_at: 0,
            },
        );
        store
    }

    fn call(outcome: CallOutcome, class: Option<FailureClass>, retry: Option<u64>) -> CallRecord {
        CallRecord {
            kind: CallKind::Generate,
            attempt: 1,
            outcome,
            error_class: class,
            message: class.map(|c| c.to_string()),
            usage: Usage { prompt_tokens: 100, output_tokens: 40, thoughts_tokens: 10 },
            latency_ms: 5,
            retry_delay_ms: retry,
        }
    }

    fn good(stage: Stage, _: &GenerateRequest) -> AgentReply {
        AgentReply::Success(GenerateSuccess {
            artifact: examples::pantry().artifact(stage).to_value(),
            usage: Usage { prompt_tokens: 200, output_tokens: 80, thoughts_tokens: 20 },
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
        block_on(execute_stage(&Ports { store, blobs, agents, env: &env }, "p1", stage, None))
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
            None,
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
}
