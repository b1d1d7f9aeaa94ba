//! `GET /api/projects/:id/activity` and `GET /api/projects/:id/traces`.

use crate::app::App;
use crate::error::AppResult;
use crate::http::Query;
use crate::reply::answer;
use parit_shared::api::runs::{Activity, ActivityEvent};
use serde_json::json;
use worker::{Request, Response};

pub(crate) async fn activity(app: &App, id: &str, req: &Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let limit = Query::of(req).number("limit", 200, 1, 1000)?;
    let rows = app.store.activity(id, limit).await?;
    let events = rows
        .into_iter()
        .map(|r| ActivityEvent { id: r.id, stage: r.stage, kind: r.kind, message: r.message, created_at: r.created_at })
        .collect();
    Ok(answer(200, &Activity { project_id: id.into(), events })?)
}

/// The traces report (`parit_shared::run::traces`, the contract's
/// `Traces`), built by the bridge from the rows read here and relayed
/// unread: reading and shaping them is not this Worker's size to carry.
pub(crate) async fn traces(app: &App, id: &str) -> AppResult<Response> {
    app.owned_project(id).await?;
    let (rows, estimates) = futures_util::try_join!(app.store.traces(id), app.store.last_estimates(id))?;
    let request = json!({"projectId": id, "traces": rows, "estimates": estimates});
    crate::bridge::relay(app, "/traces", &request).await
}
