//! What the next run will do and cost, before it is paid for:
//! `GET …/plan` (the next run; `?regenerate=<stage>` for a regeneration and
//! what follows it) and `POST …/plan` with a proposed edit
//! (`{"stage", "artifact"}`), checked as saving it would be. Nothing is
//! stored either way.

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::http::{self, json_body, Query};
use crate::reply::json;
use parit_shared::api::Op;
use parit_shared::run::execute::EditError;
use parit_shared::run::plan::{plan, WhatIf};
use serde_json::Value;
use worker::{Request, Response};

pub(crate) async fn get(app: &App, id: &str, req: &Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let query = Query::of(req);
    if let Some(key) = query.keys().find(|k| *k != "regenerate") {
        return Err(AppError::BadRequest(format!("unknown query parameter \"{key}\" (expected regenerate)")));
    }
    let what_if = match query.get("regenerate") {
        None => WhatIf::Run,
        Some(stage) => WhatIf::Regenerate(http::stage(stage)?),
    };
    answer(app, id, &what_if).await
}

pub(crate) async fn post(app: &App, id: &str, mut req: Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let body = json_body(&mut req, Op::PlanEdit).await?;
    let Value::Object(fields) = body else {
        return Err(AppError::BadRequest("expected {\"stage\": <stage>, \"artifact\": {…}}".into()));
    };
    if let Some(k) = fields.keys().find(|k| !matches!(k.as_str(), "stage" | "artifact")) {
        return Err(AppError::BadRequest(format!("unknown field \"{k}\" (expected stage and artifact)")));
    }
    let stage = match fields.get("stage") {
        Some(Value::String(s)) => http::stage(s)?,
        _ => return Err(AppError::BadRequest("stage must be the name of the edited stage".into())),
    };
    let artifact =
        fields.get("artifact").cloned().ok_or_else(|| AppError::BadRequest("artifact is required".into()))?;
    answer(app, id, &WhatIf::Edit(stage, artifact)).await
}

async fn answer(app: &App, id: &str, what_if: &WhatIf) -> AppResult<Response> {
    match plan(&app.store, &app.blobs, &app.agents(), id, what_if, worker::Date::now().as_millis()).await {
        Ok(plan) => Ok(json(200, &serde_json::to_value(&plan).map_err(|e| AppError::Internal(e.to_string()))?)?),
        Err(EditError::Invalid { stage, problems }) => Err(AppError::InvalidArtifact { stage, problems }),
        Err(EditError::Execute(e)) => Err(e.into()),
        Err(other) => Err(AppError::Internal(other.to_string())),
    }
}
