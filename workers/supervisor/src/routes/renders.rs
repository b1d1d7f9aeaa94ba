//! What the artifacts say together: `GET …/artifacts/:stage/views[/:name]`
//! (the renders), `GET …/consistency` (findings, the traceability matrix and
//! the ready verdict), `GET …/handoff` (the hand-off layouts) and
//! `GET …/export` (a ZIP of everything, or of one layout). Each is served by
//! the project's object (`Op::in_object`). The supervisor reads the stored
//! bodies and the stages' statuses; the bridge Worker parses them, decides
//! consistency and the verdict, renders and packs, and answers the
//! contract's records (`ViewList`, `Consistency`, `Handoff`) whole, which
//! this relays unread.

use crate::app::App;
use crate::bridge;
use crate::error::{AppError, AppResult};
use crate::http::Query;
use futures_util::future::try_join_all;
use parit_shared::render::export::slug;
use parit_shared::render::handoff::LAYOUTS;
use parit_shared::run::status::stage_statuses;
use parit_shared::run::store::{ArtifactRecord, BlobStore, Store};
use parit_shared::Stage;
use serde_json::{json, Value};
use worker::{Headers, Request, Response};

/// The newest version of every stage, as stored, in pipeline order.
pub(crate) async fn latest(app: &App, id: &str) -> AppResult<Vec<(Value, ArtifactRecord)>> {
    let records = app.store.latest_artifacts(id).await?;
    // In pipeline order without a sort (each sort instantiated costs WASM);
    // the bodies overlapped: on the Workers runtime each is a round trip.
    let ordered = Stage::ALL.iter().filter_map(|s| records.iter().find(|r| r.stage == *s).cloned());
    try_join_all(ordered.map(|r| async move { Ok::<_, AppError>((body(app, &r).await?, r)) })).await
}

/// 404 for a stage without that version (`None`: without any).
pub(crate) fn missing(stage: Stage, version: Option<u32>) -> AppError {
    AppError::NotFound(match version {
        Some(v) => format!("the {stage} artifact has no version {v}"),
        None => format!("the {stage} stage has no artifact yet"),
    })
}

/// `?version=n` (the contract's `VersionQuery`): `None` for the newest.
pub(crate) fn version(query: &Query) -> AppResult<Option<u32>> {
    match query.get("version") {
        None => Ok(None),
        Some(_) => Ok(Some(query.number("version", 1, 1, u64::from(u32::MAX))? as u32)),
    }
}

/// A stored body with its stage and version, as the bridge reads it.
pub(crate) fn versioned(artifact: &Value, record: &ArtifactRecord) -> Value {
    json!({"stage": record.stage, "version": record.version, "artifact": artifact})
}

/// What the bridge decides consistency and the verdict from: the newest
/// bodies with their stages and versions (`artifacts`), and each stage's
/// status (`statuses`), for the project `projectId`.
async fn blueprint(app: &App, id: &str) -> AppResult<Value> {
    let (checkpoints, settings) = futures_util::try_join!(app.store.checkpoints(id), app.store.settings(id))?;
    let all = latest(app, id).await?;
    let records: Vec<ArtifactRecord> = all.iter().map(|(_, r)| r.clone()).collect();
    let statuses = stage_statuses(&records, &checkpoints, &settings);
    let artifacts: Vec<Value> = all.iter().map(|(a, r)| versioned(a, r)).collect();
    Ok(json!({"projectId": id, "artifacts": artifacts, "statuses": statuses}))
}

/// The ready verdict on the project as it stands now (`{"ready", "gaps"}`):
/// the bridge's consistency report's `ready`.
pub(crate) async fn current_verdict(app: &App, id: &str) -> AppResult<Value> {
    match bridge::call(app, "/consistency", &blueprint(app, id).await?).await?["ready"].take() {
        verdict if verdict["ready"].is_boolean() => Ok(verdict),
        _ => Err(AppError::Unavailable("the bridge answered /consistency without a verdict".into())),
    }
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

/// What the bridge renders one version of a stage from (the newest unless
/// `?version=n`): that body and the newest versions of the other stages the
/// renders read, with the project, stage and version the list names.
async fn views_request(app: &App, id: &str, stage: Stage, req: &Request) -> AppResult<Value> {
    app.owned_project(id).await?;
    // Only the API's renders read other stages: the data model (schemas) and
    // the PRD (title). Read just those bodies from R2.
    let wanted: &[Stage] =
        if stage == Stage::Api { &[Stage::Prd, Stage::Data, Stage::Api] } else { std::slice::from_ref(&stage) };
    let mut all = Vec::new();
    for record in app.store.latest_artifacts(id).await?.into_iter().filter(|r| wanted.contains(&r.stage)) {
        all.push((body(app, &record).await?, record));
    }
    let upstream: Vec<Value> =
        all.iter().filter(|(_, r)| r.stage != stage).map(|(a, r)| json!({"stage": r.stage, "artifact": a})).collect();
    let (artifact, version) = match version(&Query::of(req))? {
        Some(v) => {
            let record = app.store.artifact_version(id, stage, v).await?.ok_or_else(|| missing(stage, Some(v)))?;
            (body(app, &record).await?, v)
        }
        None => all
            .into_iter()
            .find(|(_, r)| r.stage == stage)
            .map(|(a, r)| (a, r.version))
            .ok_or_else(|| missing(stage, None))?,
    };
    Ok(json!({"projectId": id, "stage": stage, "version": version, "artifact": artifact, "upstream": upstream}))
}

/// The renders' names, media types and sizes (the bridge's `ViewList`).
pub(crate) async fn list_views(app: &App, id: &str, stage: Stage, req: &Request) -> AppResult<Response> {
    bridge::relay(app, "/views", &views_request(app, id, stage, req).await?).await
}

/// One render, served as the bridge answers it (its body under its media
/// type); 404 (the bridge's) when the stage has no view of that name.
pub(crate) async fn get_view(app: &App, id: &str, stage: Stage, name: &str, req: &Request) -> AppResult<Response> {
    let mut request = views_request(app, id, stage, req).await?;
    request["name"] = name.into();
    bridge::pass(app, "/view", &request).await
}

pub(crate) async fn consistency(app: &App, id: &str) -> AppResult<Response> {
    app.owned_project(id).await?;
    bridge::relay(app, "/consistency", &blueprint(app, id).await?).await
}

/// What the bridge needs to lay the project out: its name and idea, its
/// newest artifacts with their versions and the stages' statuses (the bridge
/// decides the verdict); 409 before anything exists.
async fn layout_request(app: &App, id: &str) -> AppResult<(Value, String)> {
    let project = app.owned_project(id).await?;
    let mut request = blueprint(app, id).await?;
    if request["artifacts"].as_array().is_none_or(Vec::is_empty) {
        return Err(AppError::Conflict {
            code: "nothing_to_export",
            message: "the project has no artifacts yet; run it first".into(),
        });
    }
    request["name"] = project.name.as_str().into();
    request["idea"] = project.idea.into();
    Ok((request, project.name))
}

/// `?since=N`: sets the request's `since` and `before` (PRD version N's
/// body, for the OpenSpec change folder the bridge renders); 400 unless N is
/// a PRD version older than the newest.
async fn since(app: &App, id: &str, req: &Request, request: &mut Value) -> AppResult<()> {
    let query = Query::of(req);
    if query.get("since").is_none() {
        return Ok(());
    }
    let artifacts = request["artifacts"].as_array().map_or(&[][..], Vec::as_slice);
    let newest = artifacts.iter().find(|a| a["stage"] == "prd").and_then(|a| a["version"].as_u64()).unwrap_or(0);
    let n = query.number("since", 0, 1, u64::from(u32::MAX))? as u32;
    let record = match app.store.artifact_version(id, Stage::Prd, n).await? {
        Some(r) if u64::from(n) < newest => r,
        _ => return Err(AppError::BadRequest("since must be a PRD version older than the newest".into())),
    };
    request["since"] = n.into();
    request["before"] = body(app, &record).await?;
    Ok(())
}

/// `GET …/handoff[?since=N]`: each layout with its files and what it could not render.
pub(crate) async fn handoff(app: &App, id: &str, req: &Request) -> AppResult<Response> {
    let (mut request, _) = layout_request(app, id).await?;
    since(app, id, req, &mut request).await?;
    bridge::relay(app, "/handoff", &request).await
}

/// `GET …/export`'s `?layout=name` (the contract's `ExportQuery`; `since`
/// is read beside it): one of the hand-off layouts, or none for everything.
pub(crate) fn layout(query: &Query) -> AppResult<Option<&str>> {
    if let Some(key) = query.keys().find(|k| *k != "layout" && *k != "since") {
        return Err(AppError::BadRequest(format!("unknown parameter \"{key}\" (expected layout, since)")));
    }
    let only = query.get("layout");
    if let Some(name) = only.filter(|n| !LAYOUTS.contains(n)) {
        let name: String = name.chars().take(60).collect();
        return Err(AppError::BadRequest(format!(
            "no hand-off layout \"{name}\" (expected one of {})",
            LAYOUTS.join(", ")
        )));
    }
    Ok(only)
}

/// `GET …/export[?layout=name]`: the whole blueprint as a ZIP, hand-off
/// layouts included (laid out and packed by the bridge); with `layout`, just
/// that layout's files.
pub(crate) async fn export(app: &App, id: &str, req: &Request) -> AppResult<Response> {
    let query = Query::of(req);
    let only = layout(&query)?;
    let (mut request, name) = layout_request(app, id).await?;
    request["layout"] = only.into();
    since(app, id, req, &mut request).await?;
    let zip = bridge::bytes(app, "/export", &request).await?;
    let filename = match only {
        Some(layout) => format!("{}-{layout}.zip", slug(&name)),
        None => format!("{}.zip", slug(&name)),
    };
    let headers = Headers::new();
    headers.set("content-type", "application/zip")?;
    headers.set("content-disposition", &format!("attachment; filename=\"{filename}\""))?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_bytes(zip)?.with_headers(headers))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::error::tests::refused;
    use crate::http::tests::q;

    #[test]
    fn a_version_is_a_whole_number_from_1() {
        assert_eq!(version(&q("")).unwrap(), None);
        assert_eq!(version(&q("version=3")).unwrap(), Some(3));
        for bad in ["version=0", "version=x", "version=", "version=4294967296"] {
            refused(version(&q(bad)), 400, "bad_request", "version must be a whole number from 1 to 4294967295");
        }
    }

    #[test]
    fn a_missing_version_is_404_naming_it() {
        refused(Err::<(), _>(missing(Stage::Api, Some(4))), 404, "not_found", "the api artifact has no version 4");
        refused(Err::<(), _>(missing(Stage::Prd, None)), 404, "not_found", "the prd stage has no artifact yet");
    }

    #[test]
    fn an_export_is_everything_or_one_layout() {
        assert_eq!(layout(&q("")).unwrap(), None);
        assert_eq!(layout(&q("since=2")).unwrap(), None);
        for name in LAYOUTS {
            assert_eq!(layout(&q(&format!("layout={name}"))).unwrap(), Some(name));
        }
        refused(
            layout(&q("layout=cursor")),
            400,
            "bad_request",
            "no hand-off layout \"cursor\" (expected one of agents-md, kiro, spec-kit, openspec)",
        );
        refused(layout(&q("format=zip")), 400, "bad_request", "unknown parameter \"format\" (expected layout, since)");
    }
}
