//! `GET /api/projects/:id/artifacts[/:stage[?version=n]]`, and what changed
//! between two versions of one, id by id (`…/:stage/changes`).

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::http::Query;
use crate::reply::{answer, json};
use crate::routes::renders;
use parit_shared::api::artifacts::{ArtifactAnswer, ArtifactList, ArtifactVersion};
use parit_shared::run::store::{ArtifactRecord, Store};
use parit_shared::Stage;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use worker::{Request, Response};

fn meta(a: ArtifactRecord) -> ArtifactVersion {
    ArtifactVersion {
        stage: a.stage,
        version: a.version.into(),
        source: a.source,
        model: a.model,
        content_hash: a.content_hash,
        input_hash: a.input_hash,
        size_bytes: a.size_bytes,
        created_at: a.created_at,
    }
}

pub(crate) async fn list(app: &App, id: &str) -> AppResult<Response> {
    app.owned_project(id).await?;
    let all = app.store.artifacts(id).await?;
    let mut latest = BTreeMap::new();
    for a in &all {
        latest.insert(a.stage.as_str().to_string(), u64::from(a.version));
    }
    let versions = all.into_iter().map(meta).collect();
    Ok(answer(200, &ArtifactList { project_id: id.into(), latest, versions })?)
}

pub(crate) async fn get(app: &App, id: &str, stage: Stage, req: &Request) -> AppResult<Response> {
    let query = Query::of(req);
    let version = renders::version(&query)?;
    // Overlapped with the owner check; a row of someone else's project is dropped unread.
    let (_, record) = futures_util::try_join!(app.owned_project(id), async {
        match version {
            None => app.store.latest_artifact(id, stage).await,
            Some(v) => app.store.artifact_version(id, stage, v).await,
        }
        .map_err(AppError::from)
    })?;
    let Some(record) = record else {
        return Err(renders::missing(stage, version));
    };
    let Value::Object(artifact) = renders::body(app, &record).await? else {
        return Err(AppError::Internal(format!("R2 object {} is not a JSON object", record.r2_key)));
    };
    let body = ArtifactAnswer { version: meta(record), project_id: id.into(), artifact };
    Ok(json(200, &body.into_json())?)
}

/// `GET …/artifacts/:stage/changes?from=a&to=b`: the ids added, removed and
/// changed from version `a` to `b` (default: the newest and the one before
/// it), and the places in each artifact that reads this one (its newest
/// version) that refer to a removed or changed id.
pub(crate) async fn changes(app: &App, id: &str, stage: Stage, req: &Request) -> AppResult<Response> {
    let query = Query::of(req);
    changes_keys(&query)?;
    let (_, latest) = futures_util::try_join!(app.owned_project(id), async {
        app.store.latest_artifact(id, stage).await.map_err(AppError::from)
    })?;
    let (from, to) = changes_range(&query, stage, latest.map_or(0, |r| r.version))?;
    let (before, after) = futures_util::try_join!(version_of(app, id, stage, from), version_of(app, id, stage, to))?;
    let downstream = futures_util::future::try_join_all(stage.dependents().map(|d| async move {
        match app.store.latest_artifact(id, d).await? {
            Some(r) => renders::body(app, &r).await.map(|a| Some(json!({"stage": d, "artifact": a}))),
            None => Ok(None),
        }
    }))
    .await?;
    let downstream: Vec<Value> = downstream.into_iter().flatten().collect();
    // The report (the contract's `Changes`, whole) is computed by the
    // bridge, beside the renders: this Worker keeps within its size goal.
    let request = json!({"projectId": id, "stage": stage, "from": from, "to": to, "before": before, "after": after,
                         "downstream": downstream});
    crate::bridge::relay(app, "/changes", &request).await
}

/// 400 for a parameter `…/changes` does not take (before anything is read).
pub(crate) fn changes_keys(query: &Query) -> AppResult<()> {
    match query.keys().find(|k| !matches!(*k, "from" | "to")) {
        Some(key) => Err(AppError::BadRequest(format!("unknown query parameter \"{key}\" (expected from and to)"))),
        None => Ok(()),
    }
}

/// `?from=a&to=b` (the contract's `ChangesQuery`) against the stage's
/// `newest` version: `to` defaults to it, `from` to the one before `to`.
pub(crate) fn changes_range(query: &Query, stage: Stage, newest: u32) -> AppResult<(u32, u32)> {
    if newest < 2 {
        return Err(AppError::NotFound(format!("the {stage} artifact has {newest} version(s): no two to compare")));
    }
    let to = query.number("to", u64::from(newest), 2, u64::from(newest))? as u32;
    let from = query.number("from", u64::from(to - 1), 1, u64::from(newest))? as u32;
    if from >= to {
        return Err(AppError::BadRequest(format!("from ({from}) must be an older version than to ({to})")));
    }
    Ok((from, to))
}

async fn version_of(app: &App, id: &str, stage: Stage, version: u32) -> AppResult<Value> {
    let record =
        app.store.artifact_version(id, stage, version).await?.ok_or_else(|| renders::missing(stage, Some(version)))?;
    renders::body(app, &record).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::error::tests::refused;
    use crate::http::tests::q;

    #[test]
    fn changes_compare_two_versions_newest_by_default() {
        changes_keys(&q("from=1&to=2")).unwrap();
        refused(
            changes_keys(&q("since=1")),
            400,
            "bad_request",
            "unknown query parameter \"since\" (expected from and to)",
        );
        assert_eq!(changes_range(&q(""), Stage::Data, 4).unwrap(), (3, 4));
        assert_eq!(changes_range(&q("to=3"), Stage::Data, 4).unwrap(), (2, 3));
        assert_eq!(changes_range(&q("from=1"), Stage::Data, 4).unwrap(), (1, 4));
        refused(
            changes_range(&q(""), Stage::Data, 1),
            404,
            "not_found",
            "the data artifact has 1 version(s): no two to compare",
        );
        refused(changes_range(&q("to=5"), Stage::Data, 4), 400, "bad_request", "to must be a whole number from 2 to 4");
        refused(
            changes_range(&q("from=0"), Stage::Data, 4),
            400,
            "bad_request",
            "from must be a whole number from 1 to 4",
        );
        refused(
            changes_range(&q("from=3&to=3"), Stage::Api, 4),
            400,
            "bad_request",
            "from (3) must be an older version than to (3)",
        );
    }

    /// An artifact version as `GET …/artifacts` lists it: the row's facts,
    /// not where its body is kept nor the feedback that asked for it.
    #[test]
    fn a_listed_version_is_the_rows_facts() {
        use parit_shared::run::store::Source;
        use parit_shared::schema::ToJson;
        use serde_json::json;
        let a = ArtifactRecord {
            id: "a1".into(),
            project_id: "0a1b2c3d-0000".into(),
            stage: Stage::Api,
            version: 3,
            r2_key: "k".into(),
            content_hash: "c".into(),
            input_hash: "i".into(),
            source: Source::Agent,
            model: Some("gemini-4-hydrogen".into()),
            feedback: Some("shorter".into()),
            size_bytes: 10,
            created_at: 1,
        };
        let listed = json!({"stage": "api", "version": 3, "source": "agent", "model": "gemini-4-hydrogen",
                            "contentHash": "c", "inputHash": "i", "sizeBytes": 10, "createdAt": 1});
        assert_eq!(meta(a.clone()).to_json(), listed);
        let imported = ArtifactRecord { source: Source::Import, model: None, ..a };
        assert_eq!(meta(imported).to_json()["model"], serde_json::Value::Null);
    }
}
