//! `GET /api/projects/:id/events`: live progress as server-sent events.
//!
//! The stream is held by the project's `PipelineRun` object (`crate::live`),
//! which knows as it happens what a viewer wants to see: first a `snapshot`
//! frame (the project with every stage's status and the current run), so a
//! client that connects late starts from the truth, then one frame per
//! activity event as it is recorded (`stage_started`, `stage_retried`,
//! `stage_succeeded`, `stage_failed`, `run_finished`, ...), each with its row
//! id as the SSE `id`, so a reconnecting client's `Last-Event-ID` resumes
//! where it left off, and `progress` frames while a stage's model writes
//! (tokens so far and the text appended; `CallProgress`). Nothing polls: an
//! idle stream costs no D1 query, only a keepalive comment now and then.

use crate::app::App;
use crate::command::Command;
use crate::error::AppResult;
use worker::{Request, Response};

pub(crate) async fn events(app: &App, id: &str, req: &Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let after = req.headers().get("last-event-id")?.and_then(|v| v.parse::<u64>().ok());
    app.pipeline(id, &Command::Watch { after }).await
}
