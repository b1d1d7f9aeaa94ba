//! A pipeline run: every stage that is not done is executed as soon as all
//! its inputs are done, concurrently (design runs beside data and logic) —
//! unless a step is limited to fewer new stages (below).
//! Completions are handled one at a time as they arrive, so a stage starts the
//! moment its last input lands, not when a "round" ends.
//!
//! The run is a function of the stored state: what is done is read from the
//! store each step, so a run started after a crash simply continues — done
//! stages are not redone. A failed stage blocks only its descendants;
//! retryable failures are retried with backoff, with the agents' own model
//! calls counted against the same per-stage budget so a stage cannot loop.
//!
//! A run may be cut into steps ([`run_pipeline_step`]): each starts at most
//! `RunPolicy::stages_per_step` new stages and yields when more could start,
//! so a Durable Object can drive a run one stage per alarm and keep each
//! invocation inside the Workers Free plan's 50 subrequests
//! (`crate::limits`). What a step learned (failures, retries, quota waits)
//! is carried to the next in a [`RunMemory`].

use crate::run::execute::{execute_stage, BudgetScope, ExecuteError, ExecuteOptions, Ports, StageOutcome};
use crate::run::status::{stage_statuses, StageStatus};
use crate::run::store::{AgentPort, BlobStore, Environment, Store};
use crate::run::RunEnd;
use crate::stage::Stage;
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;

/// What a run asks of whoever drives it.
#[allow(async_fn_in_trait)] // single-threaded (wasm32) callers; no Send bound wanted
pub trait RunControl {
    /// Whether cancel was requested; no new stage starts after it is.
    fn cancel_requested(&self) -> bool;
    /// Whether stages that read `stage` may start (false while an approval
    /// gate holds a version of `stage` produced in this run).
    fn may_advance_past(&self, stage: Stage) -> bool;
    /// Records that `stage` produced a version in this run.
    async fn produced(&self, stage: Stage);
}

/// Bounds on retrying failed stages within a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunPolicy {
    /// Extra executions of a stage after a retryable failure.
    pub stage_retries: u32,
    /// Model calls a stage may use in one run, across its executions.
    pub max_calls_per_stage: u32,
    /// First orchestration-level backoff; doubles each retry.
    pub retry_base_ms: u64,
    /// Tokens the project's owner may spend per UTC day; `None` is unlimited.
    pub owner_daily_limit: Option<u64>,
    /// New stages one step may start (retries of a started stage aside);
    /// `None` runs the whole pipeline in one step.
    pub stages_per_step: Option<u32>,
}

impl Default for RunPolicy {
    fn default() -> Self {
        Self {
            stage_retries: 2,
            max_calls_per_stage: 8,
            retry_base_ms: 1_000,
            owner_daily_limit: None,
            stages_per_step: None,
        }
    }
}

type StageFuture<'a> = Pin<Box<dyn Future<Output = (Stage, Result<StageOutcome, ExecuteError>)> + 'a>>;

/// What a run has learned so far, carried from one step to the next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunMemory {
    /// Stages that failed for good, with their failure class.
    blocked: BTreeMap<Stage, String>,
    /// Model calls each stage has used.
    calls: BTreeMap<Stage, u32>,
    /// Orchestration retries each stage has had.
    retries: BTreeMap<Stage, u32>,
    /// Stages told to wait longer than an agent holds a request: (class, delay).
    parked: BTreeMap<Stage, (String, u64)>,
    /// Retries a run in steps leaves to its next step, with their backoff.
    due: BTreeMap<Stage, u64>,
}

/// Where a step left the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// More stages can start: run another step.
    Yielded,
    /// Nothing more can start: the run's end.
    Ended(RunEnd),
}

/// Runs the pipeline for `project_id` until nothing more can start.
pub async fn run_pipeline<S: Store, B: BlobStore, A: AgentPort, E: Environment, C: RunControl>(
    ports: &Ports<'_, S, B, A, E>,
    project_id: &str,
    control: &C,
    policy: RunPolicy,
) -> Result<RunEnd, ExecuteError> {
    let mut memory = RunMemory::default();
    loop {
        if let Progress::Ended(end) = run_pipeline_step(ports, project_id, control, policy, &mut memory).await? {
            return Ok(end);
        }
    }
}

/// One step of a run: starts at most `policy.stages_per_step` new stages
/// (every one that is ready when `None`), handles their completions and
/// retries, and yields while more could start; `memory` carries what the
/// step learned to the next. Reset it when a run ends.
pub async fn run_pipeline_step<S: Store, B: BlobStore, A: AgentPort, E: Environment, C: RunControl>(
    ports: &Ports<'_, S, B, A, E>,
    project_id: &str,
    control: &C,
    policy: RunPolicy,
    memory: &mut RunMemory,
) -> Result<Progress, ExecuteError> {
    let mut in_flight: FuturesUnordered<StageFuture<'_>> = FuturesUnordered::new();
    let mut running: BTreeSet<Stage> = BTreeSet::new();
    let RunMemory { blocked, calls, retries, parked, due } = memory;
    // New stages started in this step, and whether a ready one was held back.
    let mut started = 0u32;
    let mut held = false;
    let mut budget_stop: Option<(BudgetScope, u64, u64)> = None;
    let options = ExecuteOptions { feedback: None, use_cache: true, owner_daily_limit: policy.owner_daily_limit };
    let launch = |stage: Stage, delay_ms: u64| -> StageFuture<'_> {
        let options = options.clone();
        Box::pin(async move {
            if delay_ms > 0 {
                ports.env.sleep(delay_ms).await;
            }
            (stage, execute_stage(ports, project_id, stage, &options).await)
        })
    };

    // A stage that just succeeded: reported to the control while the statuses are read.
    let mut produced: Option<Stage> = None;
    loop {
        let just_produced = produced.take();
        let report = async move {
            if let Some(stage) = just_produced {
                control.produced(stage).await;
            }
        };
        if control.cancel_requested() || budget_stop.is_some() {
            report.await;
        } else {
            let (statuses, ()) = futures_util::future::join(statuses(ports.store, project_id), report).await;
            let statuses = statuses?;
            for stage in Stage::ALL {
                let ready = statuses[&stage] != StageStatus::Done
                    && !running.contains(&stage)
                    && !blocked.contains_key(&stage)
                    && !parked.contains_key(&stage)
                    // An input still in flight may already be committed; its completion
                    // (and any approval gate on it) must be handled before dependents start.
                    && stage.needs().iter().all(|n| {
                        statuses[n] == StageStatus::Done && !running.contains(n) && control.may_advance_past(*n)
                    });
                if ready && policy.stages_per_step.is_some_and(|n| started >= n) {
                    held = true;
                } else if ready {
                    started += 1;
                    running.insert(stage);
                    in_flight.push(launch(stage, due.remove(&stage).unwrap_or_default()));
                }
            }
        }
        let Some((stage, result)) = in_flight.next().await else { break };
        running.remove(&stage);
        match result {
            Ok(StageOutcome::Succeeded(_)) => produced = Some(stage),
            Ok(StageOutcome::Failed(f)) => {
                let used = calls.entry(stage).or_default();
                *used += f.attempts.max(1);
                if let Some(delay) = f.retry_after_ms.filter(|_| f.retryable) {
                    parked.insert(stage, (f.class, delay));
                    continue;
                }
                let tried = retries.entry(stage).or_default();
                if f.retryable
                    && *tried < policy.stage_retries
                    && *used < policy.max_calls_per_stage
                    && !control.cancel_requested()
                {
                    let delay = policy.retry_base_ms << *tried;
                    *tried += 1;
                    if policy.stages_per_step.is_some() {
                        // A step's calls out are bounded by the stages it
                        // starts (the Free plan's subrequests per invocation):
                        // the retry is the next step's, after its backoff.
                        due.insert(stage, delay);
                        held = true;
                    } else {
                        running.insert(stage);
                        in_flight.push(launch(stage, delay));
                    }
                } else {
                    blocked.insert(stage, f.class);
                }
            }
            Err(ExecuteError::BudgetExceeded { scope, spent, budget, .. }) => {
                budget_stop = Some((scope, spent, budget))
            }
            Err(e @ (ExecuteError::Storage(_) | ExecuteError::Conflict(_))) => {
                blocked.insert(stage, e.to_string());
            }
            Err(e) => return Err(e),
        }
    }

    if control.cancel_requested() {
        return Ok(Progress::Ended(RunEnd::Cancelled));
    }
    if let Some((scope, spent, budget)) = budget_stop {
        return Ok(Progress::Ended(RunEnd::BudgetExceeded { scope, spent, budget }));
    }
    if held {
        return Ok(Progress::Yielded);
    }
    // Nothing more can start: the run ends, and the next starts afresh.
    let RunMemory { mut blocked, parked, .. } = std::mem::take(memory);
    if !blocked.is_empty() {
        // A stage that failed for good stops the run; the ones waiting for
        // quota are named with it and run again with the next run.
        blocked.extend(parked.into_iter().map(|(s, (class, _))| (s, class)));
        return Ok(Progress::Ended(RunEnd::Failed(blocked.into_iter().collect())));
    }
    if !parked.is_empty() {
        let retry_after_ms = parked.values().map(|(_, ms)| *ms).max().unwrap_or_default();
        let stages = parked.into_iter().map(|(s, (class, _))| (s, class)).collect();
        return Ok(Progress::Ended(RunEnd::WaitingForQuota { stages, retry_after_ms }));
    }
    let statuses = statuses(ports.store, project_id).await?;
    let waiting: Vec<Stage> = Stage::ALL
        .into_iter()
        .filter(|s| statuses[s] == StageStatus::Done && !control.may_advance_past(*s))
        .filter(|s| s.dependents().any(|d| statuses[&d] != StageStatus::Done))
        .collect();
    if !waiting.is_empty() {
        return Ok(Progress::Ended(RunEnd::AwaitingApproval(waiting)));
    }
    Ok(Progress::Ended(RunEnd::Completed))
}

async fn statuses<S: Store>(store: &S, project_id: &str) -> Result<BTreeMap<Stage, StageStatus>, ExecuteError> {
    let (latest, checkpoints, settings) = futures_util::future::try_join3(
        store.latest_artifacts(project_id),
        store.checkpoints(project_id),
        store.settings(project_id),
    )
    .await?;
    Ok(stage_statuses(&latest, &checkpoints, &settings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::protocol::{AgentError, GenerateFailure, GenerateRequest, GenerateSuccess};
    use crate::fixtures::examples;
    use crate::fixtures::memory::*;
    use crate::gemini::{FailureClass, Usage};
    use crate::run::store::AgentReply;
    use crate::run::{RunState, RunStatus};
    use futures_executor::block_on;
    use std::cell::{Cell, RefCell};

    /// The executor's view of a run, as the Durable Object gives it: the
    /// domain's `RunState` (its gate rule); and the clock it runs on.
    struct Control {
        run: RefCell<RunState>,
        env: TickingEnv,
    }

    impl Control {
        fn gated(gated: bool) -> Self {
            Self { run: RefCell::new(RunState::start("r".into(), "p1".into(), gated, 0)), env: TickingEnv::default() }
        }
    }

    impl Default for Control {
        fn default() -> Self {
            Self::gated(false)
        }
    }

    impl RunControl for Control {
        fn cancel_requested(&self) -> bool {
            self.run.borrow().cancel_requested
        }
        fn may_advance_past(&self, stage: Stage) -> bool {
            self.run.borrow().may_advance_past(stage)
        }
        async fn produced(&self, stage: Stage) {
            self.run.borrow_mut().produced(stage, 1);
        }
    }

    fn store() -> MemoryStore {
        MemoryStore::with_project("P", "meals")
    }

    fn success(stage: Stage) -> AgentReply {
        AgentReply::Success(GenerateSuccess {
            artifact: examples::pantry().artifact(stage).to_value(),
            usage: Usage { prompt_tokens: 10, output_tokens: 10, ..Usage::default() },
            model: "gemini-2.5-flash".into(),
            attempts: 1,
            latency_ms: 1,
            calls: vec![],
        })
    }

    fn fail(retryable: bool) -> AgentReply {
        failure(FailureClass::Internal, retryable, None)
    }

    /// An agent's failure answer of `class`, with a quota wait when given.
    fn failure(class: FailureClass, retryable: bool, retry_after_ms: Option<u64>) -> AgentReply {
        AgentReply::Failure(GenerateFailure {
            error: AgentError {
                code: class.as_str().into(),
                class: Some(class),
                message: "the model said no".into(),
                retryable,
                retry_after_ms,
            },
            usage: Usage::default(),
            attempts: 1,
            calls: vec![],
        })
    }

    fn each_stage_written_once(store: &MemoryStore) {
        for stage in Stage::ALL {
            let versions = store.artifacts.borrow().iter().filter(|a| a.stage == stage).count();
            assert_eq!(versions, 1, "{stage}: one version each, none twice");
        }
    }

    fn run<F: Fn(Stage, &GenerateRequest) -> AgentReply>(
        store: &MemoryStore,
        blobs: &MemoryBlobs,
        agents: &FnAgents<F>,
        control: &Control,
    ) -> RunEnd {
        let ports = Ports { store, blobs, agents, env: &control.env };
        block_on(run_pipeline(&ports, "p1", control, RunPolicy::default())).unwrap()
    }

    fn stages_called<F: Fn(Stage, &GenerateRequest) -> AgentReply>(agents: &FnAgents<F>) -> Vec<Stage> {
        agents.requests.borrow().iter().map(|(s, _)| *s).collect()
    }

    #[test]
    fn a_full_run_does_every_stage_once_in_dependency_order() {
        let (store, blobs) = (store(), MemoryBlobs::default());
        let agents = FnAgents::new(|s, _| success(s));
        assert_eq!(run(&store, &blobs, &agents, &Control::default()), RunEnd::Completed);
        let order = stages_called(&agents);
        assert_eq!(order.len(), 7);
        for (i, s) in order.iter().enumerate() {
            for n in s.needs() {
                assert!(order[..i].contains(n), "{s} ran before {n}");
            }
        }
        // Running again finds nothing to do.
        assert_eq!(run(&store, &blobs, &agents, &Control::default()), RunEnd::Completed);
        assert_eq!(stages_called(&agents).len(), 7);
    }

    #[test]
    fn a_failure_blocks_only_descendants_and_resume_runs_only_them() {
        let (store, blobs) = (store(), MemoryBlobs::default());
        let broken = Cell::new(true);
        let agents = FnAgents::new(|s, _| if s == Stage::Logic && broken.get() { fail(false) } else { success(s) });
        let end = run(&store, &blobs, &agents, &Control::default());
        assert_eq!(end, RunEnd::Failed(vec![(Stage::Logic, "internal".into())]));
        let called: BTreeSet<Stage> = stages_called(&agents).into_iter().collect();
        assert_eq!(called, [Stage::Prd, Stage::Data, Stage::Design, Stage::Logic].into_iter().collect());
        broken.set(false);
        agents.requests.borrow_mut().clear();
        assert_eq!(run(&store, &blobs, &agents, &Control::default()), RunEnd::Completed);
        assert_eq!(stages_called(&agents), vec![Stage::Logic, Stage::Api, Stage::Frontend, Stage::Deployment]);
        each_stage_written_once(&store);
    }

    #[test]
    fn retryable_failures_are_retried_within_the_budget() {
        let (store, blobs) = (store(), MemoryBlobs::default());
        let failures = Cell::new(2);
        let agents = FnAgents::new(|s, _| {
            if s == Stage::Design && failures.get() > 0 {
                failures.set(failures.get() - 1);
                fail(true)
            } else {
                success(s)
            }
        });
        let control = Control::default();
        assert_eq!(run(&store, &blobs, &agents, &control), RunEnd::Completed);
        assert_eq!(*control.env.slept.borrow(), vec![1_000, 2_000]);
        // Always failing: two retries, then blocked.
        let (store, blobs) = (self::store(), MemoryBlobs::default());
        let agents = FnAgents::new(|s, _| if s == Stage::Prd { fail(true) } else { success(s) });
        assert!(matches!(run(&store, &blobs, &agents, &Control::default()), RunEnd::Failed(_)));
        assert_eq!(stages_called(&agents), vec![Stage::Prd; 3]);
    }

    /// Runs `project` one step at a time, one new stage a step: the stages
    /// each step called and the run's end.
    fn run_in_steps<F: Fn(Stage, &GenerateRequest) -> AgentReply>(
        store: &MemoryStore,
        blobs: &MemoryBlobs,
        agents: &FnAgents<F>,
        control: &Control,
    ) -> (Vec<Vec<Stage>>, RunEnd) {
        let ports = Ports { store, blobs, agents, env: &control.env };
        let policy = RunPolicy { stages_per_step: Some(1), ..RunPolicy::default() };
        let mut memory = RunMemory::default();
        let mut steps = Vec::new();
        loop {
            let before = agents.requests.borrow().len();
            let progress = block_on(run_pipeline_step(&ports, "p1", control, policy, &mut memory)).unwrap();
            // Every agent call the step made (a stage called twice would show twice).
            steps.push(agents.requests.borrow()[before..].iter().map(|(s, _)| *s).collect());
            if let Progress::Ended(end) = progress {
                assert_eq!(memory, RunMemory::default(), "an ended run leaves nothing for the next");
                return (steps, end);
            }
            assert!(steps.len() <= 9, "a step that yields has started a stage, or retried one: {steps:?}");
        }
    }

    #[test]
    fn a_run_in_steps_starts_one_stage_a_step_in_dependency_order() {
        let (store, blobs) = (store(), MemoryBlobs::default());
        let agents = FnAgents::new(|s, _| success(s));
        let (steps, end) = run_in_steps(&store, &blobs, &agents, &Control::default());
        assert_eq!(end, RunEnd::Completed);
        assert_eq!(steps.len(), 7, "{steps:?}");
        assert!(steps.iter().all(|s| s.len() == 1), "{steps:?}");
        let order: Vec<Stage> = steps.concat();
        for (i, s) in order.iter().enumerate() {
            for n in s.needs() {
                assert!(order[..i].contains(n), "{s} ran before {n}");
            }
        }
        each_stage_written_once(&store);
    }

    #[test]
    fn a_retry_in_a_run_in_steps_is_the_next_steps_so_no_step_calls_an_agent_twice() {
        // Each step is one alarm, whose subrequests the Free plan bounds: two
        // executions of a stage in one alarm could pass 50.
        let (store, blobs) = (store(), MemoryBlobs::default());
        let failures = Cell::new(2);
        let agents = FnAgents::new(|s, _| {
            if s == Stage::Design && failures.get() > 0 {
                failures.set(failures.get() - 1);
                fail(true)
            } else {
                success(s)
            }
        });
        let control = Control::default();
        let (steps, end) = run_in_steps(&store, &blobs, &agents, &control);
        assert_eq!(end, RunEnd::Completed);
        assert_eq!(
            steps.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![1; 9],
            "seven stages and two retries: {steps:?}"
        );
        assert_eq!(*control.env.slept.borrow(), vec![1_000, 2_000], "each retry waits its backoff");
        each_stage_written_once(&store);
    }

    #[test]
    fn a_run_in_steps_remembers_a_failure_across_steps_and_builds_the_other_branch() {
        // Data fails for good in one step; design, held back by the step's
        // limit, is built in the next, and data is not tried again.
        let (store, blobs) = (store(), MemoryBlobs::default());
        let agents = FnAgents::new(|s, _| if s == Stage::Data { fail(false) } else { success(s) });
        let (steps, end) = run_in_steps(&store, &blobs, &agents, &Control::default());
        assert_eq!(end, RunEnd::Failed(vec![(Stage::Data, "internal".into())]));
        assert_eq!(steps, vec![vec![Stage::Prd], vec![Stage::Data], vec![Stage::Design]]);
    }

    fn quota_wait(ms: u64) -> AgentReply {
        failure(FailureClass::QuotaPerMinute, true, Some(ms))
    }

    #[test]
    fn a_long_quota_wait_parks_the_stage_and_the_next_run_resumes_only_what_is_left() {
        let (store, blobs) = (store(), MemoryBlobs::default());
        let first_logic = Cell::new(true);
        let agents = FnAgents::new(|s, _| {
            if s == Stage::Logic && first_logic.replace(false) {
                quota_wait(47_000)
            } else {
                success(s)
            }
        });
        let control = Control::default();
        let end = run(&store, &blobs, &agents, &control);
        assert_eq!(
            end,
            RunEnd::WaitingForQuota { stages: vec![(Stage::Logic, "quota_per_minute".into())], retry_after_ms: 47_000 }
        );
        assert_eq!(end.status(), RunStatus::WaitingForQuota);
        assert!(control.env.slept.borrow().is_empty(), "the run does not wait in place, nor retry at once");
        let called = stages_called(&agents);
        assert_eq!(called.iter().filter(|s| **s == Stage::Logic).count(), 1);
        for blocked in Stage::Logic.descendants() {
            assert!(!called.contains(&blocked), "{blocked} needs logic and must wait with it");
        }
        assert!(called.contains(&Stage::Design), "a branch that does not need logic goes on");

        let before = called.len();
        assert_eq!(run(&store, &blobs, &agents, &control), RunEnd::Completed);
        let resumed: Vec<Stage> = stages_called(&agents)[before..].to_vec();
        let mut expected: Vec<Stage> = std::iter::once(Stage::Logic).chain(Stage::Logic.descendants()).collect();
        expected.sort();
        let mut got = resumed.clone();
        got.sort();
        assert_eq!(got, expected, "only logic and what needs it run again");
        each_stage_written_once(&store);
    }

    #[test]
    fn a_stage_that_failed_for_good_ends_the_run_even_when_another_waits_for_quota() {
        let (store, blobs) = (store(), MemoryBlobs::default());
        let agents = FnAgents::new(|s, _| match s {
            Stage::Logic => quota_wait(47_000),
            Stage::Design => fail(false),
            _ => success(s),
        });
        let RunEnd::Failed(stages) = run(&store, &blobs, &agents, &Control::default()) else { panic!() };
        let names: Vec<Stage> = stages.iter().map(|(s, _)| *s).collect();
        assert_eq!(names, vec![Stage::Design, Stage::Logic]);
    }

    #[test]
    fn cancel_stops_new_stages() {
        let (store, blobs) = (store(), MemoryBlobs::default());
        let control = Control::default();
        let agents = FnAgents::new(|s, _| {
            control.run.borrow_mut().cancel(1).unwrap();
            success(s)
        });
        assert_eq!(run(&store, &blobs, &agents, &control), RunEnd::Cancelled);
        assert_eq!(stages_called(&agents), vec![Stage::Prd]);
    }

    #[test]
    fn approval_gates_hold_dependents() {
        let (store, blobs) = (store(), MemoryBlobs::default());
        let agents = FnAgents::new(|s, _| success(s));
        let control = Control::gated(true);
        assert_eq!(run(&store, &blobs, &agents, &control), RunEnd::AwaitingApproval(vec![Stage::Prd]));
        control.run.borrow_mut().approve(Stage::Prd, 2).unwrap();
        assert_eq!(run(&store, &blobs, &agents, &control), RunEnd::AwaitingApproval(vec![Stage::Data, Stage::Design]));
        assert_eq!(stages_called(&agents), vec![Stage::Prd, Stage::Data, Stage::Design]);
    }

    #[test]
    fn the_budget_stops_a_run_and_a_raise_resumes_it() {
        let (store, blobs) = (store(), MemoryBlobs::default());
        store
            .settings
            .borrow_mut()
            .insert("p1".into(), crate::project::ProjectSettings { token_budget: Some(4_000), ..Default::default() });
        let agents = FnAgents::new(|s, _| success(s));
        let end = run(&store, &blobs, &agents, &Control::default());
        assert!(matches!(end, RunEnd::BudgetExceeded { budget: 4_000, .. }), "{end:?}");
        let before = stages_called(&agents).len();
        assert!(before < 7);
        store.settings.borrow_mut().insert(
            "p1".into(),
            crate::project::ProjectSettings { token_budget: Some(10_000_000), ..Default::default() },
        );
        assert_eq!(run(&store, &blobs, &agents, &Control::default()), RunEnd::Completed);
        assert_eq!(stages_called(&agents).len(), 7, "nothing done twice");
    }
}
