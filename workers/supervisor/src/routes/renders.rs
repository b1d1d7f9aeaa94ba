//! What the artifacts say together: `GET …/artifacts/:stage/views[/:name]`
//! (the renders), `GET …/consistency` (findings and the traceability matrix),
//! `GET …/handoff` (the hand-off layouts) and `GET …/export` (a ZIP of
//! everything, or of one layout). The supervisor reads the artifacts and
//! decides consistency and the verdict; the bridge Worker renders and packs.

use crate::app::App;
use crate::bridge;
use crate::error::{AppError, AppResult};
use crate::http::Query;
use crate::reply::json;
use futures_util::future::try_join_all;
use parit_shared::artifact::Artifact;
use parit_shared::check::consistency::{check, Report};
use parit_shared::check::ready::{verdict, Verdict};
use parit_shared::render::export::slug;
use parit_shared::render::handoff::LAYOUTS;
use parit_shared::run::status::stage_statuses;
use parit_shared::run::store::{ArtifactRecord, BlobStore, Store};
use parit_shared::Stage;
use serde_json::{json, Value};
use worker::{Headers, Request, Response};

/// The newest version of every stage, parsed.
pub(crate) async fn latest(app: &App, id: &str) -> AppResult<Vec<(Artifact, ArtifactRecord)>> {
    let records = app.store.latest_artifacts(id).await?;
    // In pipeline order without a sort (each sort instantiated costs WASM);
    // the bodies overlapped: on the Workers runtime each is a round trip.
    let ordered = Stage::ALL.iter().filter_map(|s| records.iter().find(|r| r.stage == *s).cloned());
    try_join_all(ordered.map(|r| async move { Ok::<_, AppError>((load(app, &r).await?, r)) })).await
}

/// The ready verdict on the project as it stands now.
pub(crate) async fn current_verdict(app: &App, id: &str) -> AppResult<Verdict> {
    let all = latest(app, id).await?;
    let report = check(&all.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>());
    verdict_of(app, id, &all, &report).await
}

/// Whether the blueprint is ready to hand off: its stages' statuses, its
/// artifacts and their consistency.
async fn verdict_of(app: &App, id: &str, all: &[(Artifact, ArtifactRecord)], report: &Report) -> AppResult<Verdict> {
    let (checkpoints, settings) = futures_util::try_join!(app.store.checkpoints(id), app.store.settings(id))?;
    let records: Vec<ArtifactRecord> = all.iter().map(|(_, r)| r.clone()).collect();
    let statuses = stage_statuses(&records, &checkpoints, &settings);
    let artifacts: Vec<Artifact> = all.iter().map(|(a, _)| a.clone()).collect();
    Ok(verdict(&statuses, &artifacts, report))
}

/// One stored version's artifact.
pub(crate) async fn load(app: &App, record: &ArtifactRecord) -> AppResult<Artifact> {
    let value = body(app, record).await?;
    Artifact::from_value(record.stage, value).map_err(|e| AppError::Internal(format!("{}: {e}", record.r2_key)))
}

/// A version's body as stored, as JSON (the bridge checks what it is sent
/// against its schema).
pub(crate) async fn body(app: &App, record: &ArtifactRecord) -> AppResult<Value> {
    let bytes = app
        .blobs
        .get(&record.r2_key)
        .await?
        .ok_or_else(|| AppError::Internal(format!("R2 object {} is missing", record.r2_key)))?;
    serde_json::from_slice(&bytes).map_err(|e| AppError::Internal(format!("{}: {e}", record.r2_key)))
}

/// The renders of one version of a stage (the newest unless `?version=n`),
/// made by the bridge with the newest versions of the other stages: each
/// `{"name", "contentType", "body"}`.
async fn stage_views(app: &App, id: &str, stage: Stage, req: &Request) -> AppResult<(u32, Vec<Value>)> {
    app.owned_project(id).await?;
    // Only the API's renders read other stages: the data model (schemas) and
    // the PRD (title). Read just those bodies from R2.
    let wanted: &[Stage] =
        if stage == Stage::Api { &[Stage::Prd, Stage::Data, Stage::Api] } else { std::slice::from_ref(&stage) };
    let mut all = Vec::new();
    for record in app.store.latest_artifacts(id).await?.into_iter().filter(|r| wanted.contains(&r.stage)) {
        all.push((load(app, &record).await?, record));
    }
    let upstream: Vec<Value> = all
        .iter()
        .filter(|(a, _)| a.stage() != stage)
        .map(|(a, r)| json!({"stage": r.stage, "artifact": a.to_value()}))
        .collect();
    let query = Query::of(req);
    let (artifact, version) = match query.get("version") {
        Some(_) => {
            let v = query.number("version", 1, 1, u64::from(u32::MAX))? as u32;
            let record = app
                .store
                .artifact_version(id, stage, v)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("the {stage} artifact has no version {v}")))?;
            (load(app, &record).await?, v)
        }
        None => all
            .into_iter()
            .find(|(a, _)| a.stage() == stage)
            .map(|(a, r)| (a, r.version))
            .ok_or_else(|| AppError::NotFound(format!("the {stage} stage has no artifact yet")))?,
    };
    let request = json!({"stage": stage, "artifact": artifact.to_value(), "upstream": upstream});
    let mut answer = bridge::call(app, "/views", &request).await?;
    let Value::Array(views) = answer["views"].take() else {
        return Err(AppError::Unavailable("the bridge answered /views without views".into()));
    };
    Ok((version, views))
}

pub(crate) async fn list_views(app: &App, id: &str, stage: Stage, req: &Request) -> AppResult<Response> {
    let (version, views) = stage_views(app, id, stage, req).await?;
    let list: Vec<Value> = views
        .iter()
        .map(|v| {
            let bytes = v["body"].as_str().map_or(0, str::len);
            json!({"name": v["name"], "contentType": v["contentType"], "bytes": bytes})
        })
        .collect();
    Ok(json(200, &json!({"projectId": id, "stage": stage, "version": version, "views": list}))?)
}

pub(crate) async fn get_view(app: &App, id: &str, stage: Stage, name: &str, req: &Request) -> AppResult<Response> {
    let (_, views) = stage_views(app, id, stage, req).await?;
    let view = views.into_iter().find(|v| v["name"] == name).ok_or_else(|| {
        AppError::NotFound(format!("the {stage} artifact has no view {}", name.chars().take(120).collect::<String>()))
    })?;
    let headers = Headers::new();
    headers.set("content-type", view["contentType"].as_str().unwrap_or("text/plain; charset=utf-8"))?;
    headers.set("cache-control", "no-store")?;
    let body = view["body"].as_str().unwrap_or_default().as_bytes().to_vec();
    Ok(Response::from_bytes(body)?.with_headers(headers))
}

pub(crate) async fn consistency(app: &App, id: &str) -> AppResult<Response> {
    app.owned_project(id).await?;
    let all = latest(app, id).await?;
    let report = check(&all.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>());
    let verdict = verdict_of(app, id, &all, &report).await?;
    let mut body = serde_json::to_value(&report).map_err(|e| AppError::Internal(e.to_string()))?;
    body["projectId"] = json!(id);
    body["ready"] = serde_json::to_value(&verdict).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(json(200, &body)?)
}

/// What the bridge needs to lay the project out: its name and idea, its
/// newest artifacts with their versions, and the verdict.
fn blueprint_request(name: &str, idea: &str, all: &[(Artifact, ArtifactRecord)], verdict: &Verdict) -> Value {
    let artifacts: Vec<Value> =
        all.iter().map(|(a, r)| json!({"stage": r.stage, "version": r.version, "artifact": a.to_value()})).collect();
    json!({"name": name, "idea": idea, "artifacts": artifacts, "verdict": verdict})
}

/// The project's newest artifacts, their consistency and verdict, for the
/// export and the hand-off; 409 before anything exists.
async fn blueprint(app: &App, id: &str) -> AppResult<(Vec<(Artifact, ArtifactRecord)>, Verdict)> {
    let all = latest(app, id).await?;
    if all.is_empty() {
        return Err(AppError::Conflict {
            code: "nothing_to_export",
            message: "the project has no artifacts yet; run it first".into(),
        });
    }
    let report = check(&all.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>());
    let verdict = verdict_of(app, id, &all, &report).await?;
    Ok((all, verdict))
}

/// `GET …/handoff`: each layout with its files and what it could not render.
pub(crate) async fn handoff(app: &App, id: &str) -> AppResult<Response> {
    let project = app.owned_project(id).await?;
    let (all, verdict) = blueprint(app, id).await?;
    let request = blueprint_request(&project.name, &project.idea, &all, &verdict);
    let mut body = bridge::call(app, "/handoff", &request).await?;
    body["projectId"] = json!(id);
    Ok(json(200, &body)?)
}

/// `GET …/export[?layout=name]`: the whole blueprint as a ZIP, hand-off
/// layouts included (laid out and packed by the bridge); with `layout`, just
/// that layout's files.
pub(crate) async fn export(app: &App, id: &str, req: &Request) -> AppResult<Response> {
    let query = Query::of(req);
    if let Some(key) = query.keys().find(|k| *k != "layout") {
        return Err(AppError::BadRequest(format!("unknown parameter \"{key}\" (expected layout)")));
    }
    let only = query.get("layout");
    if let Some(name) = only.filter(|n| !LAYOUTS.contains(n)) {
        let name: String = name.chars().take(60).collect();
        return Err(AppError::BadRequest(format!(
            "no hand-off layout \"{name}\" (expected one of {})",
            LAYOUTS.join(", ")
        )));
    }
    let project = app.owned_project(id).await?;
    let (all, verdict) = blueprint(app, id).await?;
    let mut request = blueprint_request(&project.name, &project.idea, &all, &verdict);
    request["layout"] = json!(only);
    let zip = bridge::bytes(app, "/export", &request).await?;
    let filename = match only {
        Some(layout) => format!("{}-{layout}.zip", slug(&project.name)),
        None => format!("{}.zip", slug(&project.name)),
    };
    let headers = Headers::new();
    headers.set("content-type", "application/zip")?;
    headers.set("content-disposition", &format!("attachment; filename=\"{filename}\""))?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_bytes(zip)?.with_headers(headers))
}
