//! Pipeline runs and the requests that change artifacts, all forwarded to the
//! project's `PipelineRun` object so they never overlap:
//! `POST …/run`, `POST …/cancel`, `POST …/stages/:stage/approve`,
//! `POST …/stages/:stage/regenerate`, `PUT …/artifacts/:stage`.

use crate::app::App;
use crate::command::Command;
use crate::error::{AppError, AppResult};
use crate::http::json_body;
use parit_shared::api::Op;
use parit_shared::Stage;
use serde_json::Value;
use worker::{Request, Response};

/// Longest feedback, in characters.
const MAX_FEEDBACK_CHARS: usize = 8_000;

pub(crate) async fn run(app: &App, id: &str, req: &Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let faults = crate::faults::requested(&app.env, req)?;
    app.pipeline(id, &Command::Run { faults }).await
}

pub(crate) async fn cancel(app: &App, id: &str) -> AppResult<Response> {
    app.owned_project(id).await?;
    app.pipeline(id, &Command::Cancel).await
}

pub(crate) async fn approve(app: &App, id: &str, stage: Stage) -> AppResult<Response> {
    app.owned_project(id).await?;
    app.pipeline(id, &Command::Approve { stage }).await
}

pub(crate) async fn regenerate(app: &App, id: &str, stage: Stage, mut req: Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let body = json_body(&mut req, Op::Regenerate).await?;
    let feedback = match body.get("feedback") {
        None | Some(Value::Null) => None,
        Some(Value::String(f)) if f.trim().is_empty() => None,
        Some(Value::String(f)) if f.chars().count() > MAX_FEEDBACK_CHARS => {
            return Err(AppError::BadRequest(format!("feedback is longer than {MAX_FEEDBACK_CHARS} characters")))
        }
        Some(Value::String(f)) => Some(f.trim().to_string()),
        Some(_) => return Err(AppError::BadRequest("feedback must be a string".into())),
    };
    if let Some(k) = body.as_object().and_then(|m| m.keys().find(|k| k.as_str() != "feedback")) {
        return Err(AppError::BadRequest(format!("unknown field \"{k}\" (expected feedback)")));
    }
    // A regeneration wants a new answer: never the cached one.
    app.pipeline(id, &Command::Execute { stage, feedback, use_cache: false }).await
}

pub(crate) async fn edit(app: &App, id: &str, stage: Stage, mut req: Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let body = json_body(&mut req, Op::PutArtifact).await?;
    // Accept the artifact itself, or the shape GET returns ({"artifact": ...}).
    let artifact = match body.as_object() {
        Some(m) if m.len() == 1 && m.contains_key("artifact") => body["artifact"].clone(),
        _ => body,
    };
    app.pipeline(id, &Command::Edit { stage, artifact }).await
}
