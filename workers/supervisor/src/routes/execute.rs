//! `POST /api/execute {"projectId", "stage", "context"}`: runs one stage now,
//! through the project's `PipelineRun` object (so it never overlaps a run).

use crate::app::App;
use crate::command::Command;
use crate::error::{AppError, AppResult};
use crate::http::{json_body, project_id, stage};
use parit_shared::api::Op;
use serde_json::Value;
use worker::{Request, Response};

/// Longest `context` (extra guidance for the agent), in characters.
const MAX_CONTEXT_CHARS: usize = 8_000;

pub(crate) async fn execute(app: &App, mut req: Request) -> AppResult<Response> {
    let body = json_body(&mut req, Op::Execute).await?;
    let Some(map) = body.as_object() else {
        return Err(AppError::BadRequest("the body must be a JSON object with projectId and stage".into()));
    };
    if let Some(k) = map.keys().find(|k| !matches!(k.as_str(), "projectId" | "stage" | "context")) {
        return Err(AppError::BadRequest(format!("unknown field \"{k}\" (expected projectId, stage, context)")));
    }
    let id = match map.get("projectId") {
        Some(Value::String(s)) => project_id(s)?.to_string(),
        Some(_) => return Err(AppError::BadRequest("projectId must be a string".into())),
        None => return Err(AppError::BadRequest("projectId is required".into())),
    };
    let stage = match map.get("stage") {
        Some(Value::String(s)) => stage(s)?,
        Some(_) => return Err(AppError::BadRequest("stage must be a string".into())),
        None => return Err(AppError::BadRequest("stage is required".into())),
    };
    let context = match map.get("context") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(o)) if o.is_empty() => None,
        Some(v @ Value::Object(_)) => Some(v.to_string()),
        Some(_) => return Err(AppError::BadRequest("context must be a string or an object".into())),
    };
    if context.as_ref().is_some_and(|c| c.chars().count() > MAX_CONTEXT_CHARS) {
        return Err(AppError::BadRequest(format!("context is longer than {MAX_CONTEXT_CHARS} characters")));
    }
    app.owned_project(&id).await?;
    app.pipeline(&id, &Command::Execute { stage, feedback: context, use_cache: true }).await
}
