//! A run: started, resumed, cancelled, approved, forgotten, and driven
//! stage by stage from the object's alarm.

use super::{warn, PipelineRun, FAULTS_KEY, FORGET_WAIT, HEARTBEAT, RUN_KEY, STAGES_PER_ALARM};
use crate::app::WorkerEnvironment;
use crate::error::{AppError, AppResult};
use crate::faults::Fault;
use crate::meter::Call;
use crate::reply::json;
use crate::routes::renders::current_verdict;
use parit_shared::api::runs::{RunActive, RunAnswer, RunStarted};
use parit_shared::clock::Clock;
use parit_shared::run::execute::Ports;
use parit_shared::run::pipeline::{run_pipeline_step, Progress, RunControl, RunMemory, RunPolicy};
use parit_shared::run::plan::{plan, Plan, WhatIf};
use parit_shared::run::store::{ActivityKind, Environment, Store};
use parit_shared::run::{Cancelled, RunEnd, RunState, RunStatus};
use parit_shared::Stage;
use serde_json::{json, Value};
use std::time::Duration;
use worker::{Response, Result, Storage};

impl PipelineRun {
    /// `POST /run`: starts a run; an active one is returned as it is, except
    /// one waiting for quota, which resumes at once (*Retry now*).
    pub(super) async fn start(&self, project: &str, faults: Vec<Fault>) -> AppResult<Response> {
        // A model Google has shut down is refused before any stage spends a
        // token (422, naming the replacement); the settings also say whether
        // the run waits for approvals.
        let settings = self.app()?.store.settings(project).await?;
        if let Some(refusal) = settings.shut_down_models() {
            return Err(refusal.into());
        }
        // What the run will do and cost, from the state it starts from: before
        // the claim, so the run's own clock does not wait on the plan.
        let idle = self.run.borrow().as_ref().is_none_or(|r| !r.active()) && !self.busy.get();
        let planned = if idle { self.plan_now(project).await } else { None };
        // Check and claim in one synchronous step: no await may come between
        // them, or a second `run` arriving meanwhile would start another run.
        let claimed = {
            let mut current = self.run.borrow_mut();
            match current.as_ref() {
                Some(active) if active.active() => Err(active.status == RunStatus::WaitingForQuota),
                _ if self.busy.get() => {
                    return Err(AppError::Conflict {
                        code: "run_active",
                        message: "a stage of this project is executing; wait for it".into(),
                    })
                }
                _ => {
                    let env = WorkerEnvironment;
                    let run = RunState::start(env.new_id(), project.to_string(), false, env.now_ms());
                    *current = Some(run.clone());
                    self.live.cancelled.set(false);
                    *self.memory.borrow_mut() = RunMemory::default();
                    Ok(run)
                }
            }
        };
        let run = match claimed {
            Ok(run) => run,
            Err(true) => {
                self.resume(project, "Retry now: the run resumes before the quota wait is over").await?;
                arm!(self, Duration::from_millis(0))?;
                return self.answer(200, |run| RunActive { run, started: false, resumed: Some(true) });
            }
            Err(false) => return self.answer(200, |run| RunActive { run, started: false, resumed: None }),
        };
        self.meter.count(Call::DurableObjectWrite);
        self.state.storage().put_raw(FAULTS_KEY, crate::faults::list(&faults)).await?;
        if let Some(r) = self.run.borrow_mut().as_mut() {
            r.gated = !settings.auto_advance;
        }
        self.save().await?;
        arm!(self, Duration::from_millis(0))?;
        if let Some(plan) = planned {
            self.record_estimates(project, &run, &plan).await;
        }
        let started = format!("A pipeline run started (run {})", run.id);
        let started = settings.noting_warnings(started);
        self.activity(project, None, ActivityKind::RunStarted, started).await?;
        self.answer(202, |run| RunStarted { run, started: true })
    }

    /// The plan of the next run, or `None` (logged) when it cannot be made:
    /// an estimate never stops a run.
    pub(super) async fn plan_now(&self, project: &str) -> Option<Plan> {
        let planned = async {
            let app = self.app()?;
            plan(&app.store, &app.blobs, &app.agents(), project, &WhatIf::Run, worker::Date::now().as_millis())
                .await
                .map_err(|e| AppError::Internal(e.to_string()))
        };
        match planned.await {
            Ok(plan) => Some(plan),
            Err(e) => {
                warn("the run's plan was not made", &e);
                None
            }
        }
    }

    /// Records what `plan` estimated for each stage `run` will call, stamped
    /// with the run's start (its calls come after), so Activity & cost can set
    /// the actual against it. Best effort, as the plan is.
    pub(super) async fn record_estimates(&self, project: &str, run: &RunState, plan: &Plan) {
        let saved = async {
            let app = self.app()?;
            app.store.save_estimates(project, &run.id, plan, run.started_at).await?;
            Ok::<_, AppError>(())
        };
        if let Err(e) = saved.await {
            warn("the run's estimates were not recorded", &e);
        }
    }

    /// Keeps the ready verdict for the project list after the artifacts
    /// changed. Best effort: the list then says it does not know.
    pub(super) async fn record_verdict(&self, project: &str) {
        let recorded = async {
            let app = self.app()?;
            let verdict = current_verdict(&app, project).await?;
            app.store.save_verdict(project, &verdict, WorkerEnvironment.now_ms()).await?;
            Ok::<_, AppError>(())
        };
        if let Err(e) = recorded.await {
            warn("the ready verdict was not recorded", &e);
        }
    }

    /// A run waiting for quota goes on; `why` goes to the activity feed.
    pub(super) async fn resume(&self, project: &str, why: &str) -> AppResult<()> {
        let (resumed, _) = self.change(|run, now| Ok(run.resume(now))).await?;
        if resumed {
            self.activity(project, None, ActivityKind::RunResumed, why.into()).await?;
        }
        Ok(())
    }

    pub(super) async fn cancel(&self) -> AppResult<Response> {
        let (cancelled, project) = self.change(|run, now| run.cancel(now)).await?;
        let (kind, what) = match cancelled {
            Cancelled::Now => {
                // A run that waited for quota had an alarm armed for its resume.
                disarm!(self)?;
                (ActivityKind::RunFinished, "The run was cancelled")
            }
            Cancelled::Requested => {
                // The stage being written stops now: its agent call is closed.
                self.live.stop();
                (
                    ActivityKind::CancelRequested,
                    "Cancel requested: the stage being written stops; no new stage will start",
                )
            }
        };
        self.activity(&project, None, kind, what.into()).await?;
        self.answer(200, |run| RunAnswer { run })
    }

    /// `Command::Forget`, before the project is deleted: cancels the run (no
    /// new stage starts; the cancel is stored, so it holds if the delete then
    /// fails), waits for a stage in flight to finish writing, then drops the
    /// object's state and alarm, so nothing is written after the rows go.
    /// 409 `run_active` if a stage is still writing after [`FORGET_WAIT`].
    pub(super) async fn forget(&self) -> AppResult<Response> {
        if self.run.borrow().as_ref().is_some_and(RunState::active) {
            self.change(|run, now| run.cancel(now)).await?;
        }
        self.live.stop();
        let deadline = WorkerEnvironment.now_ms() + FORGET_WAIT.as_millis() as u64;
        while self.busy.get() {
            if WorkerEnvironment.now_ms() > deadline {
                return Err(AppError::Conflict {
                    code: "run_active",
                    message: "a stage of this project is still being written; try the delete again shortly".into(),
                });
            }
            worker::Delay::from(Duration::from_millis(100)).await;
        }
        self.clear().await?;
        Ok(json(200, &json!({"forgotten": true}))?)
    }

    /// Drops the run, its faults and its alarm.
    pub(super) async fn clear(&self) -> Result<()> {
        disarm!(self)?;
        self.meter.count(Call::DurableObjectWrite);
        self.state.storage().delete_all().await?;
        *self.run.borrow_mut() = None;
        Ok(())
    }

    pub(super) async fn approve(&self, stage: Stage) -> AppResult<Response> {
        let ((), project) = self.change(|run, now| run.approve(stage, now)).await?;
        let running = self.run.borrow().as_ref().is_some_and(|r| r.status == RunStatus::Running);
        if running && !self.busy.get() {
            arm!(self, Duration::from_millis(0))?;
        }
        let then = if running { "the run continues" } else { "the run continues when its quota wait is over" };
        self.activity(
            &project,
            Some(stage),
            ActivityKind::StageApproved,
            format!("The {stage} artifact was approved; {then}"),
        )
        .await?;
        self.answer(200, |run| RunAnswer { run })
    }

    pub(super) async fn execute_run(&self, project: &str) -> AppResult<()> {
        // Forgotten (the project is being deleted) or ended meanwhile: nothing to run.
        if self.run.borrow().as_ref().is_none_or(|r| r.status != RunStatus::Running) {
            return Ok(());
        }
        arm!(self, HEARTBEAT)?;
        let mut app = self.app()?;
        let stored: Option<Value> = self.state.storage().get(FAULTS_KEY).await?;
        let faults = crate::faults::stored(stored.as_ref())
            .map_err(|f| AppError::Internal(format!("a stored fault is not one: {f}")))?;
        for fault in faults {
            match fault {
                Fault::R2Put(stage) => app.blobs.fail_put = Some(stage),
                Fault::D1Commit(stage) => app.store.fail_commit = Some(stage),
            }
        }
        let agents = app.agents();
        let ports = Ports { store: &app.store, blobs: &app.blobs, agents: &agents, env: &WorkerEnvironment };
        let control = Control { owner: self };
        let policy = RunPolicy {
            owner_daily_limit: self.owner_daily_limit(),
            stages_per_step: Some(STAGES_PER_ALARM),
            ..RunPolicy::default()
        };
        let mut memory = self.memory.take();
        let progress = run_pipeline_step(&ports, project, &control, policy, &mut memory).await;
        *self.memory.borrow_mut() = memory;
        let end = match progress? {
            // More can start: the next alarm, at once, is the next step.
            Progress::Yielded => return Ok(self.arm_for_current_state().await?),
            // An approval that arrived while the run was finishing: go on.
            Progress::Ended(RunEnd::AwaitingApproval(stages)) if stages.iter().any(|s| control.approved(*s)) => {
                return Ok(self.arm_for_current_state().await?);
            }
            Progress::Ended(end) => end,
        };
        let ((kind, message), _) = self
            .change(|run, now| {
                run.end(&end, now);
                let kind = if run.status == RunStatus::WaitingForQuota {
                    ActivityKind::RunWaiting
                } else {
                    ActivityKind::RunFinished
                };
                Ok((kind, run.message.clone().unwrap_or_default()))
            })
            .await?;
        self.activity(project, None, kind, message).await?;
        // After the end, off the run's clock: the list shows it once it lands.
        self.record_verdict(project).await;
        // Requests interleave at every await above (an approval, a cancel, a
        // Retry now), so the alarm follows the run as it is now, last.
        self.arm_for_current_state().await?;
        Ok(())
    }

    /// The alarm a run needs, by its status now: at once while it runs (the
    /// heartbeat defers to a live executor), at `resumeAt` while it waits for
    /// quota, none otherwise.
    pub(super) async fn arm_for_current_state(&self) -> Result<()> {
        let now = WorkerEnvironment.now_ms();
        let next = self.run.borrow().as_ref().map(|r| (r.status, r.wait_left(now)));
        match next {
            Some((RunStatus::Running, _)) => arm!(self, Duration::from_millis(0)),
            Some((_, Some(ms))) => arm!(self, Duration::from_millis(ms)),
            _ => disarm!(self),
        }
    }

    /// Whether the project's row is gone (deleted under its run).
    pub(super) async fn project_gone(&self, project: &str) -> bool {
        match self.app() {
            Ok(app) => matches!(app.store.project(project).await, Ok(None)),
            Err(_) => false,
        }
    }
}

/// The executor's view of the object: cancel flag, gates, produced stages.
struct Control<'a> {
    owner: &'a PipelineRun,
}

impl Control<'_> {
    fn approved(&self, stage: Stage) -> bool {
        self.owner.run.borrow().as_ref().is_some_and(|r| r.approved.contains(&stage))
    }
}

impl RunControl for Control<'_> {
    // Without a run (forgotten under the executor), nothing may start.
    fn cancel_requested(&self) -> bool {
        self.owner.run.borrow().as_ref().is_none_or(|r| r.cancel_requested)
    }

    fn may_advance_past(&self, stage: Stage) -> bool {
        self.owner.run.borrow().as_ref().is_some_and(|r| r.may_advance_past(stage))
    }

    async fn produced(&self, stage: Stage) {
        if let Some(run) = self.owner.run.borrow_mut().as_mut() {
            run.produced(stage, WorkerEnvironment.now_ms());
        }
        let run = self.owner.run.borrow().clone();
        let storage: Storage = self.owner.state.storage();
        self.owner.meter.stage(stage);
        if let Some(run) = run {
            self.owner.meter.count(Call::DurableObjectWrite);
            // Persisted so approval gates hold across a restart.
            let _ = storage.put(RUN_KEY, &run).await;
        }
    }
}
