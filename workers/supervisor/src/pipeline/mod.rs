//! `PipelineRun`: one SQLite-backed Durable Object per project, the project's
//! lock and scheduler. D1 stays the system of record; the object keeps only
//! the current run: the domain's [`RunState`], whose transitions are
//! `parit_shared::run`'s; this object stores it, arms alarms and calls them.
//!
//! A run is driven by alarms, so it proceeds with no client connected. The
//! alarm handler runs `parit_shared::run::pipeline::run_pipeline` to the end,
//! re-arming a short heartbeat alarm while it works: if the runtime restarts
//! mid-run, the pending alarm fires and the run continues from the
//! checkpoints in D1 (done stages are not redone). Only one executor runs per
//! object (an in-memory flag; memory does not survive a restart, and neither
//! does the old executor).
//!
//! A run that waits for Gemini quota keeps one alarm at its `resumeAt`; when
//! it fires, or `POST /run` asks for it (*Retry now*), the run resumes.
//!
//! Every request that changes a project's artifacts — run, execute, edit,
//! regenerate, import — goes through this object, so they never overlap. The
//! routes whose CPU grows with the blueprint (`Op::in_object`) are served
//! here too, forwarded whole by the Worker: an object's request may take 30 s
//! of CPU, a Worker's 10 ms on the Free plan.
//!
//! By concern: this file holds the object, its alarm and the state its
//! requests share; `run` starts, steers and drives a run; `stage` runs one
//! stage, or stores a person's version, under the lock; `serve` answers the
//! routes the Worker forwards (imports among them) and the viewers' streams.

use crate::app::{App, WorkerEnvironment};
use crate::command::{Command, OWNER_HEADER, PROJECT_HEADER, REQUEST_ID_HEADER};
use crate::d1::RunRow;
use crate::error::{AppError, AppResult};
use crate::live::Live;
use crate::meter::{Call, Meter};
use crate::reply::{self, json};
use parit_shared::api::artifacts::{Edited, HumanSource};
use parit_shared::api::projects::Run;
use parit_shared::clock::Clock;
use parit_shared::run::execute::{ExecuteOptions, Submission};
use parit_shared::run::pipeline::RunMemory;
use parit_shared::run::store::{ActivityKind, ActivityRecord, Environment, Store, Writes};
use parit_shared::run::{RunRefusal, RunState, RunStatus};
use parit_shared::schema::ToJson;
use parit_shared::Stage;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

/// Arms the object's alarm, a storage row written (counted by the meter).
/// Macros rather than methods: an async wrapper is one more state machine in
/// the WASM for every caller, and the supervisor is near its size goal.
macro_rules! arm {
    ($object:expr, $after:expr) => {{
        $object.meter.count(Call::DurableObjectWrite);
        $object.state.storage().set_alarm($after).await
    }};
}

/// Drops the object's alarm, a storage row written (counted by the meter).
macro_rules! disarm {
    ($object:expr) => {{
        $object.meter.count(Call::DurableObjectWrite);
        $object.state.storage().delete_alarm().await
    }};
}

mod run;
mod serve;
mod stage;

/// How often the alarm re-arms while a run executes; after a restart the run
/// resumes within this long.
const HEARTBEAT: Duration = Duration::from_secs(3);
/// Longest a delete waits for a stage in flight to finish writing: a stage's
/// calls may take minutes (their timeouts grow with what the stage writes).
const FORGET_WAIT: Duration = Duration::from_secs(300);
/// New stages one alarm starts. Each invocation may make 50 subrequests on
/// the Workers Free plan (`parit_shared::limits`), and one stage's execution
/// takes about half of Parit's goal of 40 (measured: docs/BENCHMARKS.md), so
/// a run takes one alarm per stage and the alarm re-arms at once.
const STAGES_PER_ALARM: u32 = 1;
/// Tokens an owner may spend per UTC day when `DAILY_TOKENS_PER_OWNER` is not set.
const DEFAULT_DAILY_TOKENS: u64 = 2_000_000;

fn row(run: &RunState) -> RunRow {
    RunRow {
        id: run.id.clone(),
        project_id: run.project_id.clone(),
        status: run.status,
        message: run.message.clone(),
        started_at: run.started_at,
        updated_at: run.updated_at,
        finished_at: run.finished_at,
        resume_at: run.resume_at,
    }
}

fn refused(r: RunRefusal) -> AppError {
    AppError::Conflict { code: r.code(), message: r.to_string() }
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
    /// What the current invocation spends (instrumented build only).
    meter: Meter,
    /// What the run's earlier alarms learned (failures, retries, quota waits).
    memory: RefCell<RunMemory>,
    /// The project's viewers (`crate::live`).
    live: Rc<Live>,
}

/// Storage keys: the run, and its test-only storage faults (`crate::faults`).
const RUN_KEY: &str = "run";
const FAULTS_KEY: &str = "faults";

impl DurableObject for PipelineRun {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            busy: Rc::new(Cell::new(false)),
            run: Rc::new(RefCell::new(None)),
            meter: Meter::default(),
            memory: RefCell::new(RunMemory::default()),
            live: Rc::default(),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        if let Some(owner) = req.headers().get(OWNER_HEADER)? {
            return self.serve(owner, req).await;
        }
        let request_id = req.headers().get(REQUEST_ID_HEADER)?;
        self.meter.begin();
        self.meter.name(|| "object unreadable".into());
        let result = async {
            let project = req
                .headers()
                .get(PROJECT_HEADER)?
                .ok_or_else(|| AppError::Internal("pipeline request without a project".into()))?;
            let body: Value =
                req.json().await.map_err(|e| AppError::Internal(format!("not a pipeline command: {e}")))?;
            let command =
                Command::from_json(body).ok_or_else(|| AppError::Internal("not a pipeline command".into()))?;
            self.meter.name(|| format!("object {}", command.name()));
            self.load().await?;
            match command {
                Command::Run { faults } => self.start(&project, faults).await,
                Command::Cancel => self.cancel().await,
                Command::Forget => self.forget().await,
                Command::Approve { stage } => self.approve(stage).await,
                Command::State => Ok(json(200, &self.view())?),
                Command::Watch { after } => self.watch(&project, after).await,
                Command::Execute { stage, feedback, use_cache } => {
                    let options = ExecuteOptions { feedback, use_cache, owner_daily_limit: self.owner_daily_limit() };
                    self.execute(&project, stage, options).await
                }
                Command::Edit { stage, artifact } => {
                    let version = self.store_version(&project, stage, Submission::edit(artifact)).await?;
                    let stale = stage.descendants();
                    let edited = Edited { project_id: project, stage, version, source: HumanSource::Human, stale };
                    Ok(reply::answer(201, &edited)?)
                }
            }
        }
        .await;
        self.meter.report(|| request_id.clone().unwrap_or_default());
        match result {
            Ok(r) => Ok(r),
            Err(e) => e.into_response_for(request_id.as_deref()),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        self.meter.begin();
        let answer = self.on_alarm().await;
        self.meter.name(|| "object alarm".into());
        self.meter.report(|| self.run.borrow().as_ref().map(|r| r.project_id.clone()).unwrap_or_default());
        answer
    }
}

impl PipelineRun {
    async fn on_alarm(&self) -> Result<Response> {
        if self.busy.get() {
            // The executor is alive in this instance: just keep the heartbeat going.
            arm!(self, HEARTBEAT)?;
            return Response::ok("busy");
        }
        self.load().await?;
        let now = WorkerEnvironment.now_ms();
        let (project, wait_left) = match self.run.borrow().as_ref() {
            Some(r) if r.status == RunStatus::Running => (r.project_id.clone(), None),
            Some(r) if r.wait_left(now).is_some() => (r.project_id.clone(), r.wait_left(now)),
            _ => return Response::ok("idle"),
        };
        if let Some(ms) = wait_left.filter(|ms| *ms > 0) {
            // An alarm before the wait is over (a heartbeat armed earlier): wait on.
            arm!(self, Duration::from_millis(ms))?;
            return Response::ok("waiting");
        }
        // Busy from here: a request that arrives while the run resumes (a
        // delete's forget, say) waits for this executor.
        self.busy.set(true);
        let outcome = async {
            if wait_left.is_some() {
                self.resume(&project, "The quota wait is over; the run resumes").await?;
            }
            self.execute_run(&project).await
        }
        .await;
        self.busy.set(false);
        if let Err(e) = outcome {
            if matches!(e, AppError::NotFound(_)) || self.project_gone(&project).await {
                // The project was deleted under the run: nothing is left to run
                // for, so the object forgets it rather than retrying forever.
                self.clear().await?;
            } else {
                // Leave the run as it is with a heartbeat: the next alarm goes on.
                log_error("pipeline alarm", &project, &e);
                arm!(self, HEARTBEAT)?;
            }
        }
        Response::ok("done")
    }
}

fn log_error(place: &str, project: &str, e: &AppError) {
    worker::console_error!("{}", json!({"level": "error", "where": place, "project": project, "detail": e.logged()}));
}

impl PipelineRun {
    /// The bindings, counting into this invocation's meter, with the
    /// project's viewers: what is written and streamed reaches them.
    pub(super) fn app(&self) -> AppResult<App> {
        let mut app = App::metered(self.env.clone(), self.meter.clone())?;
        app.store.live = Some(self.live.clone());
        app.live = Some(self.live.clone());
        Ok(app)
    }

    pub(super) fn owner_daily_limit(&self) -> Option<u64> {
        crate::app::limit_var(&self.env, "DAILY_TOKENS_PER_OWNER", DEFAULT_DAILY_TOKENS)
    }

    /// The run as the API shows it, if there is one.
    fn run_view(&self) -> Option<Run> {
        self.run.borrow().as_ref().map(Run::of)
    }

    /// The run as the API shows it, `null` before the first: the answer to
    /// `Command::State`, a snapshot's `run` while it is active.
    pub(super) fn view(&self) -> Value {
        self.run_view().to_json()
    }

    /// `answer` around the run as the API shows it: a command's answer
    /// (`RunAnswer`, `RunActive`, `RunStarted`). Each such command made or
    /// found the run first.
    pub(super) fn answer<T: ToJson>(&self, status: u16, answer: impl FnOnce(Run) -> T) -> AppResult<Response> {
        let run = self.run_view().ok_or_else(|| AppError::Internal("the object has no run to answer with".into()))?;
        Ok(reply::answer(status, &answer(run))?)
    }

    pub(super) async fn load(&self) -> Result<()> {
        if self.run.borrow().is_none() {
            let stored: Option<RunState> = self.state.storage().get(RUN_KEY).await?;
            // Another request may have set the run while this one awaited storage.
            let mut current = self.run.borrow_mut();
            if current.is_none() {
                *current = stored;
            }
        }
        Ok(())
    }

    pub(super) async fn save(&self) -> AppResult<()> {
        let run = self.run.borrow().clone();
        if let Some(run) = run {
            self.meter.count(Call::DurableObjectWrite);
            self.state.storage().put(RUN_KEY, &run).await?;
            self.app()?.store.save_run(&row(&run)).await?;
        }
        Ok(())
    }

    /// Applies `change` to the run, when there is one; saves and returns its view.
    pub(super) async fn change<T>(
        &self,
        change: impl FnOnce(&mut RunState, u64) -> std::result::Result<T, RunRefusal>,
    ) -> AppResult<(T, String)> {
        let (outcome, project) = {
            let mut guard = self.run.borrow_mut();
            let run = guard.as_mut().ok_or_else(|| refused(RunRefusal::NoActiveRun))?;
            (change(run, WorkerEnvironment.now_ms()).map_err(refused)?, run.project_id.clone())
        };
        self.save().await?;
        Ok((outcome, project))
    }

    pub(super) fn running_conflict(&self) -> Option<AppError> {
        let active = self.run.borrow().as_ref().is_some_and(RunState::active);
        (self.busy.get() || active).then(|| AppError::Conflict {
            code: "run_active",
            message: "a pipeline run is active for this project; wait for it, or cancel it".into(),
        })
    }

    pub(super) async fn activity(
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
        self.app()?.store.write(&Writes::activity(&[event])).await?;
        Ok(())
    }
}

/// Logs a best-effort step that failed (an estimate or a verdict never stops
/// the work it describes).
fn warn(what: &str, e: &AppError) {
    worker::console_log!("{}", json!({"level": "warn", "message": what, "error": e.logged()}));
}
