//! `GET /api/projects/:id/artifacts[/:stage[?version=n]]`.

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::http::Query;
use crate::reply::json;
use parit_shared::run::store::{ArtifactRecord, BlobStore, Store};
use parit_shared::Stage;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use worker::{Request, Response};

fn meta(a: &ArtifactRecord) -> Value {
    json!({
        "stage": a.stage,
        "version": a.version,
        "source": a.source,
        "model": a.model,
        "contentHash": a.content_hash,
        "inputHash": a.input_hash,
        "sizeBytes": a.size_bytes,
        "createdAt": a.created_at,
    })
}

pub(crate) async fn list(app: &App, id: &str) -> AppResult<Response> {
    app.owned_project(id).await?;
    let all = app.store.artifacts(id).await?;
    let mut latest = BTreeMap::new();
    for a in &all {
        latest.insert(a.stage.as_str(), a.version);
    }
    let versions: Vec<Value> = all.iter().map(meta).collect();
    Ok(json(200, &json!({"projectId": id, "latest": latest, "versions": versions}))?)
}

pub(crate) async fn get(app: &App, id: &str, stage: Stage, req: &Request) -> AppResult<Response> {
    let query = Query::of(req);
    let version = match query.get("version") {
        None => None,
        Some(_) => Some(query.number("version", 1, 1, u64::from(u32::MAX))? as u32),
    };
    // Overlapped with the owner check; a row of someone else's project is dropped unread.
    let (_, record) = futures_util::try_join!(app.owned_project(id), async {
        match version {
            None => app.store.latest_artifact(id, stage).await,
            Some(v) => app.store.artifact_version(id, stage, v).await,
        }
        .map_err(AppError::from)
    })?;
    let Some(record) = record else {
        return Err(AppError::NotFound(match query.get("version") {
            Some(v) => format!("the {stage} artifact has no version {v}"),
            None => format!("the {stage} stage has no artifact yet"),
        }));
    };
    let bytes = app
        .blobs
        .get(&record.r2_key)
        .await?
        .ok_or_else(|| AppError::Internal(format!("R2 object {} is missing", record.r2_key)))?;
    let artifact: Value = serde_json::from_slice(&bytes)
        .map_err(|e| AppError::Internal(format!("R2 object {} unreadable: {e}", record.r2_key)))?;
    let mut body = meta(&record);
    body["projectId"] = json!(id);
    body["artifact"] = artifact;
    Ok(json(200, &body)?)
}
