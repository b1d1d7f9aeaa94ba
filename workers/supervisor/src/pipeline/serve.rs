//! What the object serves besides runs: the routes the Worker forwards
//! (`Op::in_object`), imports among them, and the viewers' event streams.

use super::PipelineRun;
use crate::app::App;
use crate::bridge;
use crate::command::REQUEST_ID_HEADER;
use crate::error::AppResult;
use crate::live::{activity_frame, frame};
use crate::meter::Meter;
use crate::reply;
use crate::routes::import;
use crate::routes::projects::{self, Caller};
use crate::routes::renders::body;
use futures_util::StreamExt;
use parit_shared::api::artifacts::{ImportSource, Imported};
use parit_shared::api::{self, Op, Resolution};
use parit_shared::run::execute::Submission;
use parit_shared::run::store::{Source, Store};
use parit_shared::schema::ToJson;
use parit_shared::Stage;
use serde_json::{json, Value};
use worker::{Headers, Request, Response, Result};

impl PipelineRun {
    /// A route the Worker forwarded (`Op::in_object`), as the caller `owner`:
    /// served by the supervisor's router with this object's CPU allowance.
    /// A read needs no lock and has a meter of its own, as it may overlap the
    /// alarm; an import takes the lock and the object's meter.
    pub(super) async fn serve(&self, owner: String, req: Request) -> Result<Response> {
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
    pub(super) async fn import(
        &self,
        project: &str,
        stage: Stage,
        text: String,
        dialect: Option<String>,
    ) -> AppResult<Response> {
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
    pub(super) async fn store_import(&self, project: &str, stage: Stage, mut imported: Value) -> AppResult<Response> {
        let count = imported["notImported"].as_array().map_or(0, Vec::len);
        let note = match count {
            0 => String::new(),
            1 => " (1 construct not imported)".to_string(),
            n => format!(" ({n} constructs not imported)"),
        };
        let body = imported["artifact"].take();
        let context = imported["context"].as_str().map(String::from);
        let submission = Submission { body, source: Source::Import, note: &note, context };
        let version = self.store_version(project, stage, submission).await?;
        let answer = Imported {
            project_id: project.into(),
            stage,
            version,
            source: ImportSource::Import,
            stale: stage.descendants(),
            // (serde's `Vec<String>`, already in this Worker.)
            imported: serde_json::from_value(imported["imported"].take()).unwrap_or_default(),
            not_imported: Vec::new(),
        };
        let mut answer = answer.to_json();
        // Passed on as the bridge wrote them: the importers' `NotImported`
        // is the contract's own record. Reading them here cost 1.2 KiB.
        answer["notImported"] = imported["notImported"].take();
        Ok(reply::json(201, &answer)?)
    }

    /// `Command::Watch`: an event stream held here (`crate::live`). The
    /// activity cursor is read before the snapshot, so no row falls between;
    /// a row written while this viewer connected is read again.
    pub(super) async fn watch(&self, project: &str, after: Option<u64>) -> AppResult<Response> {
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
}
