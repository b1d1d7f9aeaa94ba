//! `PipelineRun`: one SQLite-backed Durable Object per project, the project's
//! lock and scheduler. D1 stays the system of record; the object keeps only
//! the current run (status, stages produced and approved, cancel flag).
//!
//! A run is driven by alarms, so it proceeds with no client connected. The
//! alarm handler runs `parit_shared::pipeline::run_pipeline` to the end,
//! re-arming a short heartbeat alarm while it works: if the runtime restarts
//! mid-run, the pending alarm fires and the run continues from the
//! checkpoints in D1 (done stages are not redone). Only one executor runs per
//! object (an in-memory flag; memory does not survive a restart, and neither
//! does the old executor).
//!
//! Every request that changes a project's artifacts — run, execute, edit,
//! regenerate — goes through this object, so they never overlap.

use crate::agents::ServiceAgents;
use crate::app::{App, WorkerEnvironment};
use crate::d1::D1Store;
use crate::d1::RunRow;
use crate::error::{AppError, AppResult};
use crate::faults::Fault;
use crate::http::json;
use crate::r2::R2Blobs;
use parit_shared::execute::{execute_stage, store_human_version, EditError, ExecuteOptions, Ports, StageOutcome};
use parit_shared::pipeline::{run_pipeline, RunControl, RunEnd, RunPolicy};
use parit_shared::store::{ActivityKind, ActivityRecord, Environment, Store};
use parit_shared::Stage;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State, Storage};

/// How often the alarm re-arms while a run executes; after a restart the run
/// resumes within this long.
const HEARTBEAT: Duration = Duration::from_secs(3);
/// The header that names the project a request to the object is about.
pub(crate) const PROJECT_HEADER: &str = "x-parit-project";
/// The header that carries the id of the request that reached the supervisor.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";
/// Tokens an owner may spend per UTC day when `DAILY_TOKENS_PER_OWNER` is not set.
const DEFAULT_DAILY_TOKENS: u64 = 2_000_000;

/// The current run, as the object stores it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunState {
    id: String,
    project_id: String,
    status: String,
    message: Option<String>,
    started_at: u64,
    updated_at: u64,
    finished_at: Option<u64>,
    /// Approval gates on (project setting autoAdvance = false at start).
    gated: bool,
    produced: Vec<Stage>,
    approved: Vec<Stage>,
    cancel_requested: bool,
    /// Test-only storage faults for this run (`crate::faults`).
    #[serde(default)]
    faults: Vec<Fault>,
}

impl RunState {
    fn active(&self) -> bool {
        matches!(self.status.as_str(), "running" | "awaiting_approval")
    }

    fn row(&self) -> RunRow {
        RunRow {
            id: self.id.clone(),
            project_id: self.project_id.clone(),
            status: self.status.clone(),
            message: self.message.clone(),
            started_at: self.started_at,
            updated_at: self.updated_at,
            finished_at: self.finished_at,
        }
    }

    fn view(&self) -> Value {
        json!({
            "id": self.id,
            "projectId": self.project_id,
            "status": self.status,
            "message": self.message,
            "startedAt": self.started_at,
            "updatedAt": self.updated_at,
            "finishedAt": self.finished_at,
            "approvalGates": self.gated,
            "awaitingApproval": self.produced.iter().filter(|s| self.gated && !self.approved.contains(s)).collect::<Vec<_>>(),
            "cancelRequested": self.cancel_requested,
        })
    }
}

/// One project's pipeline lock and scheduler (see the module docs).
#[durable_object]
pub struct PipelineRun {
    state: State,
    env: Env,
    /// An executor (the alarm handler) or a single-stage request is working.
    busy: Rc<Cell<bool>>,
    /// The run, shared by the executor and the requests that steer it.
    run: Rc<RefCell<Option<RunState>>>,
}

impl DurableObject for PipelineRun {
    fn new(state: State, env: Env) -> Self {
        Self { state, env, busy: Rc::new(Cell::new(false)), run: Rc::new(RefCell::new(None)) }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let request_id = req.headers().get(REQUEST_ID_HEADER)?;
        let result = async {
            let project = req
                .headers()
                .get(PROJECT_HEADER)?
                .ok_or_else(|| AppError::Internal("pipeline request without a project".into()))?;
            self.load().await?;
            let path = req.path();
            let stage = || {
                crate::http::Query::of(&req)
                    .get("stage")
                    .map(crate::http::stage)
                    .unwrap_or_else(|| Err(AppError::BadRequest("stage is required".into())))
            };
            match path.as_str() {
                "/run" => {
                    let body: Value = req.json().await?;
                    let faults: Vec<Fault> = serde_json::from_value(body["faults"].clone()).unwrap_or_default();
                    self.start(&project, faults).await
                }
                "/cancel" => self.cancel().await,
                "/approve" => self.approve(stage()?).await,
                "/state" => Ok(json(200, &json!({"run": self.run.borrow().as_ref().map(RunState::view)}))?),
                "/execute" => {
                    let body: Value = req.json().await?;
                    let stage = crate::http::stage(body["stage"].as_str().unwrap_or_default())?;
                    let options = ExecuteOptions {
                        feedback: body["feedback"].as_str().map(str::to_string),
                        use_cache: body["useCache"].as_bool().unwrap_or(true),
                        owner_daily_limit: self.owner_daily_limit(),
                    };
                    self.execute(&project, stage, options).await
                }
                "/edit" => {
                    let stage = stage()?;
                    let body: Value = req.json().await?;
                    self.edit(&project, stage, body).await
                }
                _ => Err(AppError::NotFound("no such pipeline route".into())),
            }
        }
        .await;
        match result {
            Ok(r) => Ok(r),
            Err(e) => e.into_response_for(request_id.as_deref()),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        if self.busy.get() {
            // The executor is alive in this instance: just keep the heartbeat going.
            self.state.storage().set_alarm(HEARTBEAT).await?;
            return Response::ok("busy");
        }
        self.load().await?;
        let Some(project) = self.run.borrow().as_ref().filter(|r| r.status == "running").map(|r| r.project_id.clone())
        else {
            return Response::ok("idle");
        };
        self.busy.set(true);
        let outcome = self.execute_run(&project).await;
        self.busy.set(false);
        if let Err(e) = outcome {
            // Leave the run "running" with a heartbeat: the next alarm resumes it.
            worker::console_error!(
                "{}",
                json!({"level": "error", "where": "pipeline alarm", "detail": format!("{e:?}")})
            );
            self.state.storage().set_alarm(HEARTBEAT).await?;
        }
        Response::ok("done")
    }
}

impl PipelineRun {
    fn owner_daily_limit(&self) -> Option<u64> {
        crate::app::limit_var(&self.env, "DAILY_TOKENS_PER_OWNER", DEFAULT_DAILY_TOKENS)
    }

    async fn load(&self) -> Result<()> {
        if self.run.borrow().is_none() {
            let stored: Option<RunState> = self.state.storage().get("run").await?;
            // Another request may have set the run while this one awaited storage.
            let mut current = self.run.borrow_mut();
            if current.is_none() {
                *current = stored;
            }
        }
        Ok(())
    }

    async fn save(&self) -> AppResult<()> {
        let run = self.run.borrow().clone();
        if let Some(run) = run {
            self.state.storage().put("run", &run).await?;
            App::new(self.env.clone())?.store.save_run(&run.row()).await?;
        }
        Ok(())
    }

    fn running_conflict(&self) -> Option<AppError> {
        let run = self.run.borrow();
        let active = run.as_ref().is_some_and(RunState::active);
        (self.busy.get() || active).then(|| AppError::Conflict {
            code: "run_active",
            message: "a pipeline run is active for this project; wait for it, or cancel it".into(),
        })
    }

    async fn activity(
        &self,
        project: &str,
        stage: Option<Stage>,
        kind: ActivityKind,
        message: String,
    ) -> AppResult<()> {
        let env = WorkerEnvironment;
        let event = ActivityRecord {
            id: env.new_id(),
            project_id: project.to_string(),
            stage,
            kind,
            message,
            created_at: env.now_ms(),
        };
        App::new(self.env.clone())?.store.add_activity(&[event]).await?;
        Ok(())
    }

    async fn start(&self, project: &str, faults: Vec<Fault>) -> AppResult<Response> {
        // Check and claim in one synchronous step: no await may come between
        // them, or a second `run` arriving meanwhile would start another run.
        let run = {
            let mut current = self.run.borrow_mut();
            if let Some(active) = current.as_ref().filter(|r| r.active()) {
                return Ok(json(200, &json!({"run": active.view(), "started": false}))?);
            }
            if self.busy.get() {
                drop(current);
                return Err(self.running_conflict().unwrap_or(AppError::Internal("busy".into())));
            }
            let env = WorkerEnvironment;
            let now = env.now_ms();
            let run = RunState {
                id: env.new_id(),
                project_id: project.to_string(),
                status: "running".into(),
                message: None,
                started_at: now,
                updated_at: now,
                finished_at: None,
                gated: false,
                produced: vec![],
                approved: vec![],
                cancel_requested: false,
                faults,
            };
            *current = Some(run.clone());
            run
        };
        let settings = App::new(self.env.clone())?.store.settings(project).await?;
        if let Some(r) = self.run.borrow_mut().as_mut() {
            r.gated = !settings.auto_advance;
        }
        self.save().await?;
        self.state.storage().set_alarm(Duration::from_millis(0)).await?;
        self.activity(project, None, ActivityKind::RunStarted, format!("A pipeline run started (run {})", run.id))
            .await?;
        let view = self.run.borrow().as_ref().map(RunState::view);
        Ok(json(202, &json!({"run": view, "started": true}))?)
    }

    async fn cancel(&self) -> AppResult<Response> {
        let (project, finish_now) = {
            let mut guard = self.run.borrow_mut();
            let Some(run) = guard.as_mut().filter(|r| r.active()) else {
                return Err(AppError::Conflict { code: "no_active_run", message: "no pipeline run is active".into() });
            };
            run.cancel_requested = true;
            run.updated_at = WorkerEnvironment.now_ms();
            // A run waiting for approval has no executor to notice the flag.
            let finish_now = run.status == "awaiting_approval" && !self.busy.get();
            if finish_now {
                run.status = "cancelled".into();
                run.message = Some(RunEnd::Cancelled.describe());
                run.finished_at = Some(run.updated_at);
            }
            (run.project_id.clone(), finish_now)
        };
        self.save().await?;
        let what = if finish_now { "The run was cancelled" } else { "Cancel requested: no new stage will start" };
        self.activity(
            &project,
            None,
            if finish_now { ActivityKind::RunFinished } else { ActivityKind::CancelRequested },
            what.into(),
        )
        .await?;
        let view = self.run.borrow().as_ref().map(RunState::view);
        Ok(json(200, &json!({"run": view}))?)
    }

    async fn approve(&self, stage: Stage) -> AppResult<Response> {
        let project = {
            let mut guard = self.run.borrow_mut();
            let Some(run) = guard.as_mut().filter(|r| r.active() && r.gated) else {
                return Err(AppError::Conflict {
                    code: "nothing_to_approve",
                    message: "no run is waiting for approval".into(),
                });
            };
            if !run.produced.contains(&stage) || run.approved.contains(&stage) {
                return Err(AppError::Conflict {
                    code: "nothing_to_approve",
                    message: format!("the {stage} stage is not waiting for approval"),
                });
            }
            run.approved.push(stage);
            run.status = "running".into();
            run.updated_at = WorkerEnvironment.now_ms();
            run.project_id.clone()
        };
        self.save().await?;
        if !self.busy.get() {
            self.state.storage().set_alarm(Duration::from_millis(0)).await?;
        }
        self.activity(
            &project,
            Some(stage),
            ActivityKind::StageApproved,
            format!("The {stage} artifact was approved; the run continues"),
        )
        .await?;
        let view = self.run.borrow().as_ref().map(RunState::view);
        Ok(json(200, &json!({"run": view}))?)
    }

    async fn execute_run(&self, project: &str) -> AppResult<()> {
        self.state.storage().set_alarm(HEARTBEAT).await?;
        let mut app = App::new(self.env.clone())?;
        for fault in self.run.borrow().iter().flat_map(|r| r.faults.iter()) {
            match *fault {
                Fault::R2Put(stage) => app.blobs.fail_put = Some(stage),
                Fault::D1Commit(stage) => app.store.fail_commit = Some(stage),
            }
        }
        let agents = app.agents();
        let ports = Ports { store: &app.store, blobs: &app.blobs, agents: &agents, env: &WorkerEnvironment };
        let control = Control { owner: self };
        let policy = RunPolicy { owner_daily_limit: self.owner_daily_limit(), ..RunPolicy::default() };
        let end = loop {
            let end = run_pipeline(&ports, project, &control, policy).await?;
            // An approval that arrived while the run was finishing: go on.
            if let RunEnd::AwaitingApproval(stages) = &end {
                if stages.iter().any(|s| control.approved(*s)) {
                    continue;
                }
            }
            break end;
        };
        {
            let mut guard = self.run.borrow_mut();
            if let Some(run) = guard.as_mut() {
                let now = WorkerEnvironment.now_ms();
                run.status = end.status().into();
                run.message = Some(end.describe());
                run.updated_at = now;
                run.finished_at = (!run.active()).then_some(now);
            }
        }
        self.save().await?;
        self.state.storage().delete_alarm().await?;
        self.activity(project, None, ActivityKind::RunFinished, end.describe()).await?;
        Ok(())
    }

    /// Runs `work` with the project's ports while holding the object's lock;
    /// 409 `run_active` while a run (or another such request) is active.
    async fn exclusive<T>(
        &self,
        work: impl AsyncFnOnce(&Ports<'_, D1Store, R2Blobs, ServiceAgents<'_>, WorkerEnvironment>) -> T,
    ) -> AppResult<T> {
        if let Some(conflict) = self.running_conflict() {
            return Err(conflict);
        }
        self.busy.set(true);
        let result = async {
            let app = App::new(self.env.clone())?;
            let agents = app.agents();
            let ports = Ports { store: &app.store, blobs: &app.blobs, agents: &agents, env: &WorkerEnvironment };
            Ok::<_, AppError>(work(&ports).await)
        }
        .await;
        self.busy.set(false);
        result
    }

    async fn execute(&self, project: &str, stage: Stage, options: ExecuteOptions) -> AppResult<Response> {
        let result = self.exclusive(async |ports| execute_stage(ports, project, stage, &options).await).await;
        match result?? {
            StageOutcome::Succeeded(s) => Ok(json(
                200,
                &json!({
                    "projectId": project,
                    "stage": stage,
                    "status": "done",
                    "version": s.version,
                    "artifact": s.artifact,
                    "usage": s.usage,
                    "model": s.model,
                    "attempts": s.attempts,
                    "latencyMs": s.latency_ms,
                    "costUsd": s.cost_usd,
                    "cacheHit": s.cache_hit,
                }),
            )?),
            StageOutcome::Failed(f) => {
                Err(AppError::StageFailed { class: f.class, message: f.message, retryable: f.retryable })
            }
        }
    }

    async fn edit(&self, project: &str, stage: Stage, body: Value) -> AppResult<Response> {
        let result = self.exclusive(async |ports| store_human_version(ports, project, stage, body).await).await;
        match result? {
            Ok(version) => Ok(json(
                201,
                &json!({"projectId": project, "stage": stage, "version": version, "source": "human", "stale": stage.descendants()}),
            )?),
            Err(EditError::Invalid { stage, problems }) => Err(AppError::InvalidArtifact { stage, problems }),
            Err(EditError::Execute(e)) => Err(e.into()),
            Err(other) => Err(AppError::Internal(other.to_string())),
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
    fn cancel_requested(&self) -> bool {
        self.owner.run.borrow().as_ref().is_some_and(|r| r.cancel_requested)
    }

    fn may_advance_past(&self, stage: Stage) -> bool {
        self.owner
            .run
            .borrow()
            .as_ref()
            .is_none_or(|r| !r.gated || !r.produced.contains(&stage) || r.approved.contains(&stage))
    }

    async fn produced(&self, stage: Stage) {
        {
            let mut guard = self.owner.run.borrow_mut();
            if let Some(run) = guard.as_mut() {
                if !run.produced.contains(&stage) {
                    run.produced.push(stage);
                }
                run.updated_at = WorkerEnvironment.now_ms();
            }
        }
        let run = self.owner.run.borrow().clone();
        let storage: Storage = self.owner.state.storage();
        if let Some(run) = run {
            // Persisted so approval gates hold across a restart.
            let _ = storage.put("run", &run).await;
        }
    }

    async fn sleep(&self, ms: u64) {
        worker::Delay::from(Duration::from_millis(ms)).await
    }
}
