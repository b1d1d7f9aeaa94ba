//! The CPU the heaviest requests spend, compiled to `wasm32-unknown-unknown`
//! as the Workers are and run in V8 by `bench/cpu-wasm.mjs` (workerd is V8;
//! Cloudflare counts an invocation's CPU as the time its isolate executes,
//! and Workers called through a service binding share the CPU of the
//! top-level request: docs/BENCHMARKS.md, "CPU per request in WASM").
//!
//! Each [`Operation`] is one request (or one service-binding leg of one) as
//! a Worker serves it, with the ports in memory: the same `parit_shared` and
//! `parit_import` functions, fed the same bodies. The Worker crates cannot be
//! linked here (they need the Workers runtime), so the few lines of their
//! handlers that glue those functions together are mirrored below, each
//! naming the handler it follows; what is left out is I/O, which Cloudflare
//! does not count as CPU (the bytes already in memory, as after `await`).
//!
//! A project is one example product or a synthetic one of `n` entities
//! (`examples::large`), stored through the same edit path a person's save
//! takes, so the store holds what a finished run leaves.

use parit_import::sql::SqlDialect;
use parit_shared::agent::generate::{check_request, generate, ModelTransport, TransportError};
use parit_shared::agent::protocol::{Brief, GenerateRequest};
use parit_shared::agent::retry::RetryPolicy;
use parit_shared::artifact::{Artifact, Upstream};
use parit_shared::check::consistency::check;
use parit_shared::check::ready::verdict;
use parit_shared::clock::Clock;
use parit_shared::fixtures::examples::{self, ProductSpec};
use parit_shared::fixtures::memory::{FnAgents, MemoryBlobs, MemoryStore, TickingEnv};
use parit_shared::gemini::{Candidate, Content, GenerateContentResponse, UsageMetadata};
use parit_shared::project::ProjectSettings;
use parit_shared::render;
use parit_shared::render::export::{bundle, zip};
use parit_shared::render::handoff::layouts;
use parit_shared::run::execute::{store_human_version, Submission};
use parit_shared::run::plan::{plan, WhatIf};
use parit_shared::run::status::{stage_statuses, StageStatus};
use parit_shared::run::store::{AgentReply, ArtifactRecord, BlobStore, Source, Store};
use parit_shared::Stage;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

#[cfg(target_arch = "wasm32")]
mod glue;

/// The project every workload stores.
const PROJECT: &str = "p1";

/// Runs a future whose ports answer at once (all of them here are in memory).
fn ready<F: Future>(future: F) -> Result<F::Output, String> {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => Ok(out),
        Poll::Pending => Err("a port waited: the bench's ports must answer at once".into()),
    }
}

fn text<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// One request, or one leg of one, that a Worker or a project's Durable
/// Object serves. The routes whose CPU grows with the blueprint are served by
/// the object (`parit_shared::api::Op::in_object`): the Worker the request
/// reaches authenticates it and forwards it unread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `GET …/consistency`: the object, then the bridge's `POST /consistency`.
    Consistency,
    /// `GET …/export`: the object, then the bridge's `POST /export`.
    Export,
    /// The bridge's `POST /export` alone.
    BridgeExport,
    /// `GET …/handoff`: the object, then the bridge's `POST /handoff`.
    Handoff,
    /// `GET …/artifacts/:stage/views`: the object, then the bridge's `POST /views`.
    Views(Stage),
    /// The bridge's `POST /views` alone.
    BridgeViews(Stage),
    /// `GET …/plan` (the object).
    Plan,
    /// `POST …/plan` with the frontend artifact as a proposed edit (the object).
    PlanEditFrontend,
    /// `POST …/import/data` as the object serves it (the Worker forwards the
    /// body unread): the body read and checked, the bridge's `POST /sql`.
    ImportData,
    /// `POST …/import/api` as the object serves it: the body read and checked,
    /// the data model read, the bridge's `POST /openapi`.
    ImportApi,
    /// The object storing the imported data model (the same invocation as
    /// its import).
    ObjectImportData,
    /// The project's Durable Object storing a person's edit of the frontend (its own invocation).
    ObjectEditFrontend,
    /// An agent's `POST /generate` (its own Worker, called from the object's alarm),
    /// with the model's answer in memory.
    Generate(Stage),
}

impl Operation {
    /// Every operation, in the order of the report.
    pub fn all() -> Vec<Operation> {
        let mut out = vec![Operation::Consistency, Operation::Export, Operation::BridgeExport, Operation::Handoff];
        out.extend(Stage::ALL.iter().map(|s| Operation::Views(*s)));
        out.push(Operation::BridgeViews(Stage::Api));
        out.extend([
            Operation::Plan,
            Operation::PlanEditFrontend,
            Operation::ImportData,
            Operation::ImportApi,
            Operation::ObjectImportData,
            Operation::ObjectEditFrontend,
        ]);
        out.extend(Stage::ALL.iter().map(|s| Operation::Generate(*s)));
        out
    }

    /// Its name in the report.
    pub fn name(self) -> String {
        match self {
            Operation::Consistency => "GET …/consistency".into(),
            Operation::Export => "GET …/export".into(),
            Operation::BridgeExport => "  bridge POST /export alone".into(),
            Operation::Handoff => "GET …/handoff".into(),
            Operation::Views(s) => format!("GET …/artifacts/{s}/views"),
            Operation::BridgeViews(s) => format!("  bridge POST /views ({s}) alone"),
            Operation::Plan => "GET …/plan".into(),
            Operation::PlanEditFrontend => "POST …/plan (frontend edit)".into(),
            Operation::ImportData => "object: import SQL (POST …/import/data)".into(),
            Operation::ImportApi => "object: import OpenAPI (POST …/import/api)".into(),
            Operation::ObjectImportData => "object: store the imported data".into(),
            Operation::ObjectEditFrontend => "object: store a frontend edit".into(),
            Operation::Generate(s) => format!("{s}-agent POST /generate"),
        }
    }

    /// The Workers whose CPU it spends (a service binding shares the
    /// caller's budget).
    pub fn workers(self) -> &'static str {
        match self {
            Operation::Plan | Operation::PlanEditFrontend => "Durable Object",
            Operation::ObjectImportData | Operation::ObjectEditFrontend => "Durable Object",
            Operation::Consistency
            | Operation::Export
            | Operation::Handoff
            | Operation::Views(_)
            | Operation::ImportData
            | Operation::ImportApi => "Durable Object + bridge",
            Operation::BridgeExport | Operation::BridgeViews(_) => "bridge",
            Operation::Generate(_) => "agent (from the object's alarm)",
        }
    }

    /// The CPU the free plan allows the invocation it is part of, in ms: a
    /// Worker's request 10, a Durable Object's request or alarm 30,000, and
    /// Workers called through a service binding share their caller's.
    pub fn limit_ms(self) -> u32 {
        // Every request here is the object's or its alarm's: the Worker that
        // receives one forwards it unread.
        parit_shared::limits::CPU_MS_PER_OBJECT_REQUEST
    }
}

/// An agent's model, answering one prepared text as Gemini would.
struct Answering<'a>(&'a str);

impl ModelTransport for Answering<'_> {
    async fn generate_content(&self, _model: &str, _body: &str) -> Result<(u16, String), TransportError> {
        Ok((200, self.0.to_string()))
    }
}

/// A clock that never waits (no retry happens: every answer is valid).
struct Still;

impl Clock for Still {
    fn now_ms(&self) -> u64 {
        0
    }
    async fn sleep(&self, _ms: u64) {}
    fn jitter(&self) -> f64 {
        0.0
    }
}

/// A project as a finished run leaves it, and the bodies its requests carry.
pub struct Workload {
    name: String,
    store: MemoryStore,
    blobs: MemoryBlobs,
    env: TickingEnv,
    /// The data model as SQLite DDL (what `POST …/import/data` sends).
    sql: String,
    /// The API as an OpenAPI document (what `POST …/import/api` sends).
    openapi: String,
    /// The bridge's answer to the SQL import (what the object is sent).
    imported_data: String,
    /// The frontend artifact (the edit the plan and the object check).
    frontend: Value,
    /// Per stage: the `/generate` body the object sends, and the model's answer.
    generate: Vec<(Stage, String, String)>,
    /// Entities, endpoints and user stories.
    sizes: (usize, usize, usize),
}

fn spec_of(product: &str) -> Result<ProductSpec, String> {
    match product.strip_prefix("large-") {
        Some(n) => Ok(examples::large(n.parse().map_err(|_| format!("not a size: {n}"))?)),
        None => examples::all()
            .into_iter()
            .find(|p| p.key == product)
            .ok_or_else(|| format!("no example product {product} (pantry, clinic, large-<n>)")),
    }
}

fn gemini_answer(text: &str) -> String {
    let response = GenerateContentResponse {
        candidates: vec![Candidate {
            content: Some(Content::text(Some("model"), text)),
            finish_reason: Some("STOP".into()),
            index: Some(0),
            ..Default::default()
        }],
        usage_metadata: Some(UsageMetadata {
            prompt_token_count: 1000,
            candidates_token_count: 1000,
            thoughts_token_count: 0,
            cached_content_token_count: 0,
            total_token_count: 2000,
        }),
        model_version: Some("bench".into()),
        response_id: Some("bench".into()),
        ..Default::default()
    };
    serde_json::to_string(&response).unwrap_or_default()
}

impl Workload {
    /// The project of `product` ("pantry", "clinic" or "large-<n>"), stored.
    pub fn new(product: &str) -> Result<Workload, String> {
        let spec = spec_of(product)?;
        let store = MemoryStore::with_project(&spec.name, &format!("{} (benchmark)", spec.name));
        let (blobs, env) = (MemoryBlobs::default(), TickingEnv::default());
        let artifacts: Vec<Artifact> = Stage::ALL.iter().map(|s| spec.artifact(*s)).collect();
        for a in &artifacts {
            ready(store_human_version(&store, &blobs, &env, PROJECT, a.stage(), Submission::edit(a.to_value())))?
                .map_err(|e| format!("the {} fixture was refused: {e:?}", a.stage()))?;
        }
        let of = |stage: Stage| artifacts.iter().find(|a| a.stage() == stage).cloned();
        let (Some(Artifact::Data(data)), Some(Artifact::Api(api)), Some(prd)) =
            (of(Stage::Data), of(Stage::Api), of(Stage::Prd))
        else {
            return Err("the fixture lacks a data model, an API or a PRD".into());
        };
        let title = prd.to_value()["productName"].as_str().unwrap_or("API").to_string();
        let sql = render::sql::ddl(&data, render::sql::Dialect::Sqlite);
        let openapi = render::openapi::document(&title, &api, &data).to_string();
        let imported = parit_import::sql::import(&sql, SqlDialect::from_name("sqlite").ok_or("no sqlite dialect")?)
            .map_err(|e| format!("the rendered DDL does not import: {}", e.message))?;
        let imported_data = serde_json::to_string(&imported).map_err(text)?;
        let settings = ProjectSettings::default();
        let brief = Brief { name: spec.name.clone(), idea: format!("{} (benchmark)", spec.name) };
        let generate = Stage::ALL
            .iter()
            .map(|&stage| {
                let upstream = stage.needs().iter().filter_map(|n| of(*n).map(|a| (*n, a.to_value()))).collect();
                let request = GenerateRequest {
                    brief: brief.clone(),
                    upstream,
                    settings: settings.generation(stage),
                    feedback: None,
                };
                let answer = of(stage).map(|a| gemini_answer(&a.to_value().to_string())).unwrap_or_default();
                (stage, serde_json::to_string(&request).unwrap_or_default(), answer)
            })
            .collect();
        let count = |stage: Stage, key: &str| of(stage).map_or(0, |a| a.to_value()[key].as_array().map_or(0, Vec::len));
        let sizes = (count(Stage::Data, "entities"), count(Stage::Api, "endpoints"), count(Stage::Prd, "userStories"));
        let frontend = of(Stage::Frontend).map(|a| a.to_value()).unwrap_or_default();
        Ok(Workload { name: spec.key, store, blobs, env, sql, openapi, imported_data, frontend, generate, sizes })
    }

    /// The product's key.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Entities, endpoints and user stories.
    pub fn sizes(&self) -> (usize, usize, usize) {
        self.sizes
    }

    /// Runs `op` once: the bytes of its answer (so that nothing is optimised
    /// away, and an empty answer shows), or why it failed.
    pub fn run(&self, op: Operation) -> Result<usize, String> {
        match op {
            Operation::Consistency => self.consistency(),
            Operation::Export => {
                let request = self.blueprint_request(true)?;
                Ok(bridge::export(&request)?.len())
            }
            Operation::BridgeExport => Ok(bridge::export(&self.blueprint_request(true)?)?.len()),
            Operation::Handoff => {
                let answer = bridge::handoff(&self.blueprint_request(false)?)?;
                // renders.rs `handoff`: the answer parsed, the project's id added, sent on.
                let mut body: Value = serde_json::from_str(&answer).map_err(text)?;
                body["projectId"] = json!(PROJECT);
                Ok(body.to_string().len())
            }
            Operation::Views(stage) => self.list_views(stage),
            Operation::BridgeViews(stage) => Ok(bridge::views(&self.views_request(stage)?)?.len()),
            Operation::Plan => self.plan(&WhatIf::Run),
            Operation::PlanEditFrontend => {
                // plan.rs `post`: the body parsed, its fields checked, the edit planned.
                let body = json!({"stage": "frontend", "artifact": self.frontend}).to_string();
                let fields: Value = serde_json::from_slice(body.as_bytes()).map_err(text)?;
                self.plan(&WhatIf::Edit(Stage::Frontend, fields["artifact"].clone()))
            }
            Operation::ImportData => self.import_data(),
            Operation::ImportApi => self.import_api(),
            Operation::ObjectImportData => self.object_import(),
            Operation::ObjectEditFrontend => self.object_edit(),
            Operation::Generate(stage) => self.generate(stage),
        }
    }

    /// renders.rs `body`: one stored version's body, as JSON.
    fn body(&self, record: &ArtifactRecord) -> Result<Value, String> {
        let bytes = ready(self.blobs.get(&record.r2_key))?.map_err(text)?.ok_or("a body is missing")?;
        serde_json::from_slice(&bytes).map_err(text)
    }

    /// renders.rs `latest`: the newest version of every stage, as stored.
    fn latest(&self) -> Result<Vec<(Value, ArtifactRecord)>, String> {
        let records = ready(self.store.latest_artifacts(PROJECT))?.map_err(text)?;
        Stage::ALL
            .iter()
            .filter_map(|s| records.iter().find(|r| r.stage == *s).cloned())
            .map(|r| Ok((self.body(&r)?, r)))
            .collect()
    }

    /// renders.rs `blueprint`: the bodies and the stages' statuses.
    fn blueprint(&self) -> Result<Value, String> {
        let checkpoints = ready(self.store.checkpoints(PROJECT))?.map_err(text)?;
        let settings = ready(self.store.settings(PROJECT))?.map_err(text)?;
        let all = self.latest()?;
        let records: Vec<ArtifactRecord> = all.iter().map(|(_, r)| r.clone()).collect();
        let statuses = stage_statuses(&records, &checkpoints, &settings);
        let artifacts: Vec<Value> =
            all.into_iter().map(|(a, r)| json!({"stage": r.stage, "version": r.version, "artifact": a})).collect();
        Ok(json!({"artifacts": artifacts, "statuses": statuses}))
    }

    /// renders.rs `consistency`: the blueprint, the bridge, the project's id added.
    fn consistency(&self) -> Result<usize, String> {
        let answer = bridge::consistency(&self.blueprint()?.to_string())?;
        let mut body: Value = serde_json::from_str(&answer).map_err(text)?;
        body["projectId"] = json!(PROJECT);
        Ok(body.to_string().len())
    }

    /// renders.rs `layout_request`: the bridge's request body for the
    /// export (`layout`: null) or the hand-off.
    fn blueprint_request(&self, export: bool) -> Result<String, String> {
        let mut request = self.blueprint()?;
        let project = ready(self.store.project(PROJECT))?.map_err(text)?.ok_or("no project")?;
        request["name"] = json!(project.name);
        request["idea"] = json!(project.idea);
        if export {
            request["layout"] = Value::Null;
        }
        Ok(request.to_string())
    }

    /// renders.rs `stage_views`, up to the bridge call: the request body.
    fn views_request(&self, stage: Stage) -> Result<String, String> {
        let wanted: &[Stage] =
            if stage == Stage::Api { &[Stage::Prd, Stage::Data, Stage::Api] } else { std::slice::from_ref(&stage) };
        let mut all = Vec::new();
        for record in ready(self.store.latest_artifacts(PROJECT))?.map_err(text)?.into_iter() {
            if wanted.contains(&record.stage) {
                all.push((self.body(&record)?, record));
            }
        }
        let upstream: Vec<Value> = all
            .iter()
            .filter(|(_, r)| r.stage != stage)
            .map(|(a, r)| json!({"stage": r.stage, "artifact": a}))
            .collect();
        let artifact = all.into_iter().find(|(_, r)| r.stage == stage).map(|(a, _)| a).ok_or("no artifact")?;
        Ok(json!({"stage": stage, "artifact": artifact, "upstream": upstream}).to_string())
    }

    /// renders.rs `list_views`: the request, the bridge, the listing.
    fn list_views(&self, stage: Stage) -> Result<usize, String> {
        let answer = bridge::views(&self.views_request(stage)?)?;
        let mut answer: Value = serde_json::from_slice(answer.as_bytes()).map_err(text)?;
        let Value::Array(views) = answer["views"].take() else { return Err("no views".into()) };
        let list: Vec<Value> = views
            .iter()
            .map(|v| {
                let bytes = v["body"].as_str().map_or(0, str::len);
                json!({"name": v["name"], "contentType": v["contentType"], "bytes": bytes})
            })
            .collect();
        Ok(json!({"projectId": PROJECT, "stage": stage, "version": 1, "views": list}).to_string().len())
    }

    /// plan.rs `answer`.
    fn plan(&self, what_if: &WhatIf) -> Result<usize, String> {
        let agents =
            FnAgents::new(|_: Stage, _: &GenerateRequest| AgentReply::Unreachable("the bench calls no agent".into()));
        let plan =
            ready(plan(&self.store, &self.blobs, &agents, PROJECT, what_if, 0))?.map_err(|e| format!("{e:?}"))?;
        Ok(serde_json::to_value(&plan).map_err(text)?.to_string().len())
    }

    /// import.rs `read` and pipeline/serve.rs `import` of SQL: the body read and
    /// checked, the bridge's `/sql`, its answer read.
    fn import_data(&self) -> Result<usize, String> {
        let body = json!({"sql": self.sql, "dialect": "sqlite"}).to_string();
        let body: Value = serde_json::from_slice(body.as_bytes()).map_err(text)?;
        let sql = body["sql"].as_str().filter(|t| !t.trim().is_empty()).ok_or("no sql")?;
        let request = json!({"text": sql, "dialect": body["dialect"]}).to_string();
        let imported: Value = serde_json::from_slice(bridge::sql(&request)?.as_bytes()).map_err(text)?;
        Ok(imported.to_string().len())
    }

    /// import.rs `read` and pipeline/serve.rs `import` of an OpenAPI document: the
    /// body read and checked, the data model read, the bridge's `/openapi`,
    /// its answer read.
    fn import_api(&self) -> Result<usize, String> {
        let body = json!({"document": self.openapi}).to_string();
        let body: Value = serde_json::from_slice(body.as_bytes()).map_err(text)?;
        let document = body["document"].as_str().filter(|t| !t.trim().is_empty()).ok_or("no document")?;
        let record = ready(self.store.latest_artifact(PROJECT, Stage::Data))?.map_err(text)?.ok_or("no data")?;
        let data = self.body(&record)?;
        let request = json!({"text": document, "data": data}).to_string();
        let imported: Value = serde_json::from_slice(bridge::openapi(&request)?.as_bytes()).map_err(text)?;
        Ok(imported.to_string().len())
    }

    /// pipeline/serve.rs `store_import`: the bridge's answer, the version
    /// checked and stored. The version is then taken out again, so that
    /// every run stores the same one.
    fn object_import(&self) -> Result<usize, String> {
        let mut imported: Value = serde_json::from_str(&self.imported_data).map_err(text)?;
        let body = imported["artifact"].take();
        let context = imported["context"].as_str().map(String::from);
        let submission = Submission { body, source: Source::Import, note: "", context };
        self.store_version(Stage::Data, submission)
    }

    /// pipeline/mod.rs `Command::Edit` of the frontend.
    fn object_edit(&self) -> Result<usize, String> {
        let command = json!({"command": "edit", "stage": "frontend", "artifact": self.frontend}).to_string();
        let mut command: Value = serde_json::from_str(&command).map_err(text)?;
        self.store_version(Stage::Frontend, Submission::edit(command["artifact"].take()))
    }

    fn store_version(&self, stage: Stage, submission: Submission<'_>) -> Result<usize, String> {
        let version = ready(store_human_version(&self.store, &self.blobs, &self.env, PROJECT, stage, submission))?
            .map_err(|e| format!("{e:?}"))?;
        let stored = self.store.artifacts.borrow_mut().pop().ok_or("nothing stored")?;
        self.blobs.objects.borrow_mut().remove(&stored.r2_key);
        Ok(version as usize + stored.size_bytes as usize)
    }

    /// agent-runtime `read_request` and `run`, and the answer's JSON.
    fn generate(&self, stage: Stage) -> Result<usize, String> {
        let (_, body, answer) = self.generate.iter().find(|(s, _, _)| *s == stage).ok_or("no such stage")?;
        let request: GenerateRequest = serde_json::from_slice(body.as_bytes()).map_err(text)?;
        let upstream: Upstream = check_request(stage, &request).map_err(|f| f.error.message)?;
        let model = request.settings.model.clone().unwrap_or_else(|| "gemini".into());
        let policy = RetryPolicy::for_calls_of(60_000);
        let success = ready(generate(stage, &request, &upstream, &model, &policy, &Answering(answer), &Still))?
            .map_err(|f| f.error.message)?;
        Ok(serde_json::to_value(&success).map_err(text)?.to_string().len())
    }
}

/// The bridge Worker's handlers (workers/bridge/src/lib.rs), from the
/// request body to the answer's body.
mod bridge {
    use super::*;

    #[derive(Deserialize)]
    struct StageArtifact {
        stage: Stage,
        #[serde(default)]
        version: u32,
        artifact: Value,
    }

    #[derive(Deserialize)]
    struct ViewsRequest {
        stage: Stage,
        artifact: Value,
        upstream: Vec<StageArtifact>,
    }

    type Statuses = BTreeMap<Stage, StageStatus>;

    #[derive(Deserialize)]
    struct ConsistencyRequest {
        artifacts: Vec<StageArtifact>,
        statuses: Statuses,
    }

    #[derive(Deserialize)]
    struct ExportRequest {
        name: String,
        idea: String,
        artifacts: Vec<StageArtifact>,
        statuses: Statuses,
        layout: Option<String>,
    }

    #[derive(Deserialize)]
    struct HandoffRequest {
        name: String,
        idea: String,
        artifacts: Vec<StageArtifact>,
        statuses: Statuses,
    }

    #[derive(Deserialize)]
    struct SqlRequest {
        text: String,
        dialect: String,
    }

    #[derive(Deserialize)]
    struct OpenApiRequest {
        text: String,
        #[serde(default)]
        data: Option<Value>,
    }

    fn parsed(artifacts: Vec<StageArtifact>) -> Result<Vec<(Artifact, u32)>, String> {
        artifacts
            .into_iter()
            .map(|a| Artifact::from_value(a.stage, a.artifact).map(|x| (x, a.version)).map_err(text))
            .collect()
    }

    /// `POST /views`.
    pub(super) fn views(body: &str) -> Result<String, String> {
        let request: ViewsRequest = serde_json::from_str(body).map_err(text)?;
        let artifact = Artifact::from_value(request.stage, request.artifact).map_err(text)?;
        let mut bag = Upstream::default();
        for (a, _) in parsed(request.upstream)? {
            bag.insert(a);
        }
        let list: Vec<Value> = render::views(&artifact, &bag)
            .into_iter()
            .map(|v| json!({"name": v.name, "contentType": v.content_type, "body": v.body}))
            .collect();
        Ok(json!({ "views": list }).to_string())
    }

    /// `POST /consistency`.
    pub(super) fn consistency(body: &str) -> Result<String, String> {
        let request: ConsistencyRequest = serde_json::from_str(body).map_err(text)?;
        let artifacts: Vec<Artifact> = parsed(request.artifacts)?.into_iter().map(|(a, _)| a).collect();
        let report = check(&artifacts);
        let ready = verdict(&request.statuses, &artifacts, &report);
        let mut body = serde_json::to_value(&report).map_err(text)?;
        body["ready"] = serde_json::to_value(&ready).map_err(text)?;
        Ok(body.to_string())
    }

    /// `POST /export` (the whole blueprint: no layout).
    pub(super) fn export(body: &str) -> Result<Vec<u8>, String> {
        let request: ExportRequest = serde_json::from_str(body).map_err(text)?;
        let with_versions = parsed(request.artifacts)?;
        let artifacts: Vec<Artifact> = with_versions.iter().map(|(a, _)| a.clone()).collect();
        let report = check(&artifacts);
        let ready = verdict(&request.statuses, &artifacts, &report);
        let chosen = layouts(&request.name, &request.idea, &artifacts, Some(&ready))
            .into_iter()
            .filter(|l| request.layout.as_deref().is_none_or(|only| l.name == only));
        let handoff: Vec<(String, String)> = chosen.flat_map(|l| l.files).collect();
        let files = bundle(&request.name, &request.idea, &with_versions, &report, &ready, &handoff);
        Ok(zip(&files))
    }

    /// `POST /handoff`.
    pub(super) fn handoff(body: &str) -> Result<String, String> {
        let request: HandoffRequest = serde_json::from_str(body).map_err(text)?;
        let artifacts: Vec<Artifact> = parsed(request.artifacts)?.into_iter().map(|(a, _)| a).collect();
        let ready = verdict(&request.statuses, &artifacts, &check(&artifacts));
        let rendered: Vec<Value> = layouts(&request.name, &request.idea, &artifacts, Some(&ready))
            .into_iter()
            .map(|l| {
                let files: Vec<Value> =
                    l.files.into_iter().map(|(path, content)| json!({"path": path, "content": content})).collect();
                json!({"name": l.name, "title": l.title, "files": files, "missing": l.missing})
            })
            .collect();
        Ok(json!({ "layouts": rendered }).to_string())
    }

    /// `POST /sql`.
    pub(super) fn sql(body: &str) -> Result<String, String> {
        let request: SqlRequest = serde_json::from_str(body).map_err(text)?;
        let dialect = SqlDialect::from_name(&request.dialect).ok_or("unknown dialect")?;
        let imported = parit_import::sql::import(&request.text, dialect).map_err(|e| e.message)?;
        serde_json::to_string(&imported).map_err(text)
    }

    /// `POST /openapi`.
    pub(super) fn openapi(body: &str) -> Result<String, String> {
        let request: OpenApiRequest = serde_json::from_str(body).map_err(text)?;
        let data = match request.data.map(|v| Artifact::from_value(Stage::Data, v)).transpose().map_err(text)? {
            Some(Artifact::Data(d)) => Some(d),
            _ => None,
        };
        let imported = parit_import::openapi::import(&request.text, data.as_ref()).map_err(|e| e.message)?;
        serde_json::to_string(&imported).map_err(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bench that timed an error path would report a fast failure: every
    /// operation must succeed and answer something, at an example's size and
    /// at a synthetic one's.
    #[test]
    fn every_operation_succeeds_on_an_example_and_a_large_product() {
        for product in ["pantry", "large-10"] {
            let w = Workload::new(product).unwrap();
            for op in Operation::all() {
                let bytes = w.run(op).unwrap_or_else(|e| panic!("{product} {}: {e}", op.name()));
                assert!(bytes > 0, "{product} {}", op.name());
            }
        }
    }

    #[test]
    fn the_object_leaves_the_store_as_it_found_it() {
        let w = Workload::new("pantry").unwrap();
        let before = w.store.artifacts.borrow().len();
        let first = w.run(Operation::ObjectEditFrontend).unwrap();
        assert_eq!(w.run(Operation::ObjectEditFrontend).unwrap(), first);
        assert_eq!(w.store.artifacts.borrow().len(), before);
    }
}
