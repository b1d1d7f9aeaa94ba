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

use crate::agents::ServiceAgents;
use crate::app::{App, WorkerEnvironment};
use crate::bridge;
use crate::command::{Command, OWNER_HEADER, PROJECT_HEADER, REQUEST_ID_HEADER};
use crate::d1::D1Store;
use crate::d1::RunRow;
use crate::error::{AppError, AppResult};
use crate::faults::Fault;
use crate::live::{activity_frame, frame, Live};
use crate::meter::{Call, Meter};
use crate::r2::R2Blobs;
use crate::reply::json;
use crate::routes::import;
use crate::routes::projects::{self, Caller};
use crate::routes::renders::{body, current_verdict};
use futures_util::StreamExt;
use parit_shared::api::{self, Op, Resolution};
use parit_shared::clock::Clock;
use parit_shared::run::execute::{
    execute_stage, store_human_version, EditError, ExecuteOptions, Ports, StageOutcome, Submission,
};
use parit_shared::run::pipeline::{run_pipeline_step, Progress, RunControl, RunMemory, RunPolicy};
use parit_shared::run::plan::{plan, Plan, WhatIf};
use parit_shared::run::store::{ActivityKind, ActivityRecord, Environment, Source, Store, Writes};
use parit_shared::run::{Cancelled, RunEnd, RunRefusal, RunState, RunStatus};
use parit_shared::Stage;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use worker::{durable_object, DurableObject, Env, Headers, Request, Response, Result, State, Storage};

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
            let command: Command =
                req.json().await.map_err(|e| AppError::Internal(format!("not a pipeline command: {e}")))?;
            self.meter.name(|| format!("object {}", command.name()));
            self.load().await?;
            match command {
                Command::Run { faults } => self.start(&project, faults).await,
                Command::Cancel => self.cancel().await,
                Command::Forget => self.forget().await,
                Command::Approve { stage } => self.approve(stage).await,
                Command::State => Ok(json(200, &json!({"run": self.view()}))?),
                Command::Watch { after } => self.watch(&project, after).await,
                Command::Execute { stage, feedback, use_cache } => {
                    let options = ExecuteOptions { feedback, use_cache, owner_daily_limit: self.owner_daily_limit() };
                    self.execute(&project, stage, options).await
                }
                Command::Edit { stage, artifact } => {
                    self.store_version(&project, stage, Submission::edit(artifact), json!({})).await
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

impl PipelineRun {
    /// A route the Worker forwarded (`Op::in_object`), as the caller `owner`:
    /// served by the supervisor's router with this object's CPU allowance.
    /// A read needs no lock and has a meter of its own, as it may overlap the
    /// alarm; an import takes the lock and the object's meter.
    async fn serve(&self, owner: String, req: Request) -> Result<Response> {
        let request_id = req.headers().get(REQUEST_ID_HEADER)?;
        let path = req.path();
        let name = format!("object {} {}", req.method(), crate::http::route_template(&path));
        let import = match api::resolve(req.method().as_ref(), &path) {
            Resolution::Found(Op::ImportData, p) => p.id.map(|id| (Stage::Data, id.to_string())),
            Resolution::Found(Op::ImportApi, p) => p.id.map(|id| (Stage::Api, id.to_string())),
            _ => None,
        };
        // An import stores through the object's own ports (`self.app()`),
        // which count into the object's meter: so does the rest of it.
        let meter = if import.is_some() { self.meter.clone() } else { Meter::default() };
        meter.begin();
        let result = async {
            let mut app = App::metered(self.env.clone(), meter.clone())?;
            app.owner = Some(owner);
            app.request_id = request_id.clone();
            let Some((stage, project)) = import else { return crate::serve_in_object(&app, req).await };
            // An import writes: it goes through this object's lock.
            let (text, dialect) = import::read(&app, &project, stage, req).await?;
            self.load().await?;
            self.import(&project, stage, text, dialect).await
        }
        .await;
        meter.name(|| name);
        meter.report(|| request_id.clone().unwrap_or_default());
        result.or_else(|e| e.into_response_for(request_id.as_deref()))
    }

    /// An import route (`import::read`): the bridge parses the document (SQL DDL into a data
    /// model; an OpenAPI document into an API, matched to the current data
    /// model) and what it imported is stored. Entities the API needs that the
    /// data model lacks come from the document's schemas, stored first as the
    /// data model's next version.
    async fn import(&self, project: &str, stage: Stage, text: String, dialect: Option<String>) -> AppResult<Response> {
        // Not parsed for nothing while a run holds the project.
        if let Some(conflict) = self.running_conflict() {
            return Err(conflict);
        }
        let app = self.app()?;
        if stage == Stage::Data {
            let imported = bridge::call(&app, "/sql", &json!({"text": text, "dialect": dialect})).await?;
            return self.store_import(project, stage, imported).await;
        }
        let data = match app.store.latest_artifact(project, Stage::Data).await? {
            Some(record) => body(&app, &record).await?,
            None => Value::Null,
        };
        let mut imported = bridge::call(&app, "/openapi", &json!({"text": text, "data": data})).await?;
        if let Some(derived) = imported.get_mut("data").map(Value::take).filter(|d| !d.is_null()) {
            let lines = json!(["entities derived from the OpenAPI document's schemas"]);
            let data = json!({"artifact": derived, "imported": lines, "notImported": []});
            self.store_import(project, Stage::Data, data).await?;
        }
        self.store_import(project, Stage::Api, imported).await
    }

    /// Stores the bridge's answer to an import (`artifact`, `imported`,
    /// `notImported`) as a new version of `stage`.
    async fn store_import(&self, project: &str, stage: Stage, mut imported: Value) -> AppResult<Response> {
        let count = imported["notImported"].as_array().map_or(0, Vec::len);
        let note = match count {
            0 => String::new(),
            1 => " (1 construct not imported)".to_string(),
            n => format!(" ({n} constructs not imported)"),
        };
        let body = imported["artifact"].take();
        let context = imported["context"].as_str().map(String::from);
        let submission = Submission { body, source: Source::Import, note: &note, context };
        let report = json!({"imported": imported["imported"], "notImported": imported["notImported"]});
        self.store_version(project, stage, submission, report).await
    }
}

fn log_error(place: &str, project: &str, e: &AppError) {
    worker::console_error!(
        "{}",
        json!({"level": "error", "where": place, "project": project, "detail": format!("{e:?}")})
    );
}

impl PipelineRun {
    /// The bindings, counting into this invocation's meter, with the
    /// project's viewers: what is written and streamed reaches them.
    fn app(&self) -> AppResult<App> {
        let mut app = App::metered(self.env.clone(), self.meter.clone())?;
        app.store.live = Some(self.live.clone());
        app.live = Some(self.live.clone());
        Ok(app)
    }

    /// `Command::Watch`: an event stream held here (`crate::live`). The
    /// activity cursor is read before the snapshot, so no row falls between;
    /// a row written while this viewer connected is read again.
    async fn watch(&self, project: &str, after: Option<u64>) -> AppResult<Response> {
        let app = self.app()?;
        let writes = self.live.writes.get();
        let last = app.store.last_activity_seq(project).await?;
        // A `Last-Event-ID` is the client's word: never past the newest row.
        let missed = match after {
            Some(after) if after < last => app.store.activity_after(project, after).await?,
            _ => Vec::new(),
        };
        let mut seen = missed.last().map_or(last, |r| activity_frame(r).0);
        let snapshot = projects::snapshot(&app, project, Caller::Object(self.view())).await?;
        let mut first = frame(None, "snapshot", &snapshot);
        first.extend(missed.iter().map(|r| activity_frame(r).1));
        if self.live.writes.get() != writes {
            for r in app.store.activity_after(project, seen).await? {
                let (seq, f) = activity_frame(&r);
                first.push_str(&f);
                seen = seq;
            }
        }
        let frames = self.live.watch(first, seen).map(|f| Ok::<_, worker::Error>(f.into_bytes()));
        let headers = Headers::new();
        headers.set("content-type", "text/event-stream; charset=utf-8")?;
        headers.set("cache-control", "no-store")?;
        Ok(Response::from_stream(frames)?.with_headers(headers))
    }

    fn owner_daily_limit(&self) -> Option<u64> {
        crate::app::limit_var(&self.env, "DAILY_TOKENS_PER_OWNER", DEFAULT_DAILY_TOKENS)
    }

    fn view(&self) -> Option<Value> {
        self.run.borrow().as_ref().map(RunState::view)
    }

    async fn load(&self) -> Result<()> {
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

    async fn save(&self) -> AppResult<()> {
        let run = self.run.borrow().clone();
        if let Some(run) = run {
            self.meter.count(Call::DurableObjectWrite);
            self.state.storage().put(RUN_KEY, &run).await?;
            self.app()?.store.save_run(&row(&run)).await?;
        }
        Ok(())
    }

    /// Applies `change` to the run, when there is one; saves and returns its view.
    async fn change<T>(
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

    fn running_conflict(&self) -> Option<AppError> {
        let active = self.run.borrow().as_ref().is_some_and(RunState::active);
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
        self.app()?.store.write(&Writes::activity(&[event])).await?;
        Ok(())
    }

    /// `POST /run`: starts a run; an active one is returned as it is, except
    /// one waiting for quota, which resumes at once (*Retry now*).
    async fn start(&self, project: &str, faults: Vec<Fault>) -> AppResult<Response> {
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
                return Ok(json(200, &json!({"run": self.view(), "started": false, "resumed": true}))?);
            }
            Err(false) => return Ok(json(200, &json!({"run": self.view(), "started": false}))?),
        };
        self.meter.count(Call::DurableObjectWrite);
        self.state.storage().put(FAULTS_KEY, &faults).await?;
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
        Ok(json(202, &json!({"run": self.view(), "started": true}))?)
    }

    /// The plan of the next run, or `None` (logged) when it cannot be made:
    /// an estimate never stops a run.
    async fn plan_now(&self, project: &str) -> Option<Plan> {
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
    async fn record_estimates(&self, project: &str, run: &RunState, plan: &Plan) {
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
    async fn record_verdict(&self, project: &str) {
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
    async fn resume(&self, project: &str, why: &str) -> AppResult<()> {
        let (resumed, _) = self.change(|run, now| Ok(run.resume(now))).await?;
        if resumed {
            self.activity(project, None, ActivityKind::RunResumed, why.into()).await?;
        }
        Ok(())
    }

    async fn cancel(&self) -> AppResult<Response> {
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
        Ok(json(200, &json!({"run": self.view()}))?)
    }

    /// `Command::Forget`, before the project is deleted: cancels the run (no
    /// new stage starts; the cancel is stored, so it holds if the delete then
    /// fails), waits for a stage in flight to finish writing, then drops the
    /// object's state and alarm, so nothing is written after the rows go.
    /// 409 `run_active` if a stage is still writing after [`FORGET_WAIT`].
    async fn forget(&self) -> AppResult<Response> {
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
    async fn clear(&self) -> Result<()> {
        disarm!(self)?;
        self.meter.count(Call::DurableObjectWrite);
        self.state.storage().delete_all().await?;
        *self.run.borrow_mut() = None;
        Ok(())
    }

    async fn approve(&self, stage: Stage) -> AppResult<Response> {
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
        Ok(json(200, &json!({"run": self.view()}))?)
    }

    async fn execute_run(&self, project: &str) -> AppResult<()> {
        // Forgotten (the project is being deleted) or ended meanwhile: nothing to run.
        if self.run.borrow().as_ref().is_none_or(|r| r.status != RunStatus::Running) {
            return Ok(());
        }
        arm!(self, HEARTBEAT)?;
        let mut app = self.app()?;
        let faults: Vec<Fault> = self.state.storage().get(FAULTS_KEY).await?.unwrap_or_default();
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
    async fn arm_for_current_state(&self) -> Result<()> {
        let now = WorkerEnvironment.now_ms();
        let next = self.run.borrow().as_ref().map(|r| (r.status, r.wait_left(now)));
        match next {
            Some((RunStatus::Running, _)) => arm!(self, Duration::from_millis(0)),
            Some((_, Some(ms))) => arm!(self, Duration::from_millis(ms)),
            _ => disarm!(self),
        }
    }

    /// Whether the project's row is gone (deleted under its run).
    async fn project_gone(&self, project: &str) -> bool {
        match self.app() {
            Ok(app) => matches!(app.store.project(project).await, Ok(None)),
            Err(_) => false,
        }
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
            let app = self.app()?;
            let agents = app.agents();
            let ports = Ports { store: &app.store, blobs: &app.blobs, agents: &agents, env: &WorkerEnvironment };
            Ok::<_, AppError>(work(&ports).await)
        }
        .await;
        self.busy.set(false);
        result
    }

    async fn execute(&self, project: &str, stage: Stage, options: ExecuteOptions) -> AppResult<Response> {
        if self.running_conflict().is_none() {
            // A cancel belongs to the run it stopped, not to this request.
            self.live.cancelled.set(false);
        }
        let result = self.exclusive(async |ports| execute_stage(ports, project, stage, &options).await).await;
        // Only when the stage ran (a refused request changed nothing).
        if result.is_ok() {
            self.record_verdict(project).await;
        }
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
            StageOutcome::Failed(f) => Err(AppError::StageFailed {
                class: f.class,
                message: f.message,
                retryable: f.retryable,
                retry_after_ms: f.retry_after_ms,
            }),
        }
    }

    /// Stores a person's version (an edit, or an import whose `report` of what
    /// was and was not imported joins the answer).
    async fn store_version(
        &self,
        project: &str,
        stage: Stage,
        submission: Submission<'_>,
        report: Value,
    ) -> AppResult<Response> {
        let source = submission.source;
        let result = self
            .exclusive(async |ports| {
                store_human_version(ports.store, ports.blobs, ports.env, project, stage, submission).await
            })
            .await;
        if matches!(result, Ok(Ok(_))) {
            self.record_verdict(project).await;
        }
        match result? {
            Ok(version) => {
                let mut body = json!({"projectId": project, "stage": stage, "version": version, "source": source, "stale": stage.descendants()});
                if let (Some(body), Some(report)) = (body.as_object_mut(), report.as_object()) {
                    body.extend(report.clone());
                }
                Ok(json(201, &body)?)
            }
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

/// Logs a best-effort step that failed (an estimate or a verdict never stops
/// the work it describes).
fn warn(what: &str, e: &AppError) {
    worker::console_log!("{}", json!({"level": "warn", "message": what, "error": format!("{e:?}")}));
}
