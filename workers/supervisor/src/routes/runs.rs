//! Pipeline runs and the requests that change artifacts, all forwarded to the
//! project's `PipelineRun` object so they never overlap:
//! `POST …/run`, `POST …/cancel`, `POST …/stages/:stage/approve`,
//! `POST …/stages/:stage/regenerate`, `PUT …/artifacts/:stage`.

use crate::app::App;
use crate::command::Command;
use crate::error::{AppError, AppResult};
use crate::http::json_body;
use parit_shared::api::runs::Regenerate;
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
    let Regenerate { feedback } = regeneration(&json_body(&mut req, Op::Regenerate).await?)?;
    // A regeneration wants a new answer: never the cached one.
    app.pipeline(id, &Command::Execute { stage, feedback: feedback.flatten(), use_cache: false }).await
}

/// The body as the contract's `Regenerate`, its feedback trimmed (blank:
/// none), or 400 saying what is wrong.
pub(crate) fn regeneration(body: &Value) -> AppResult<Regenerate> {
    if !body.is_object() {
        return Err(AppError::BadRequest("the body must be a JSON object".into()));
    }
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
    Ok(Regenerate { feedback: feedback.map(Some) })
}

pub(crate) async fn edit(app: &App, id: &str, stage: Stage, mut req: Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let artifact = edited(json_body(&mut req, Op::PutArtifact).await?);
    app.pipeline(id, &Command::Edit { stage, artifact }).await
}

/// The artifact of an edit: the body itself, or the shape GET returns
/// (`{"artifact": ...}`). The object checks it (422 with every problem).
pub(crate) fn edited(body: Value) -> Value {
    match body.as_object() {
        // A clone, not `Map::remove`: removing from the map costs this Worker ~1.5 KB gzip.
        Some(m) if m.len() == 1 && m.contains_key("artifact") => body["artifact"].clone(),
        _ => body,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::error::tests::refused;
    use serde_json::json;

    #[test]
    fn feedback_is_trimmed_and_blank_is_none() {
        let feedback = |body: Value| regeneration(&body).unwrap().feedback.flatten();
        assert_eq!(feedback(json!({})), None);
        assert_eq!(feedback(json!({"feedback": null})), None);
        assert_eq!(feedback(json!({"feedback": " \t"})), None);
        assert_eq!(feedback(json!({"feedback": "  more tests \n"})), Some("more tests".into()));
        assert_eq!(feedback(json!({"feedback": "é".repeat(8_000)})), Some("é".repeat(8_000)));
    }

    #[test]
    fn wrong_feedback_is_refused_saying_what_is_wrong() {
        let cases = [
            (json!({"feedback": 3}), "feedback must be a string"),
            (json!({"feedback": "x".repeat(8_001)}), "feedback is longer than 8000 characters"),
            (json!({"feedback": "ok", "tone": "warm"}), "unknown field \"tone\" (expected feedback)"),
            (json!(["feedback"]), "the body must be a JSON object"),
            (json!("more tests"), "the body must be a JSON object"),
        ];
        for (body, says) in cases {
            refused(regeneration(&body), 400, "bad_request", says);
        }
    }

    #[test]
    fn an_edit_is_the_artifact_or_the_shape_get_returns() {
        let artifact = json!({"entities": []});
        assert_eq!(edited(artifact.clone()), artifact);
        assert_eq!(edited(json!({"artifact": artifact})), artifact);
        // With other fields beside it, the whole body is the artifact (its check refuses it).
        let both = json!({"artifact": artifact, "version": 2});
        assert_eq!(edited(both.clone()), both);
    }
}
