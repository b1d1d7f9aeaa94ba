//! `POST /api/execute {"projectId", "stage", "context"}`: runs one stage now,
//! through the project's `PipelineRun` object (so it never overlaps a run).

use crate::app::App;
use crate::command::Command;
use crate::error::{AppError, AppResult};
use crate::http::{json_body, project_id, stage};
use parit_shared::api::runs::Execute;
use parit_shared::api::Op;
use serde_json::Value;
use worker::{Request, Response};

/// Longest `context` (extra guidance for the agent), in characters.
const MAX_CONTEXT_CHARS: usize = 8_000;

pub(crate) async fn execute(app: &App, mut req: Request) -> AppResult<Response> {
    let Execute { project_id, stage, context } = request(&json_body(&mut req, Op::Execute).await?)?;
    let feedback = match context {
        Some(Value::String(text)) => Some(text),
        _ => None,
    };
    app.owned_project(&project_id).await?;
    app.pipeline(&project_id, &Command::Execute { stage, feedback, use_cache: true }).await
}

/// The body as the contract's `Execute`, its `context` made the agent's
/// text (an object as its JSON; blank or empty: none), or 400 saying what
/// is wrong.
pub(crate) fn request(body: &Value) -> AppResult<Execute> {
    let Some(map) = body.as_object() else {
        return Err(AppError::BadRequest("the body must be a JSON object with projectId and stage".into()));
    };
    if let Some(k) = map.keys().find(|k| !matches!(k.as_str(), "projectId" | "stage" | "context")) {
        return Err(AppError::BadRequest(format!("unknown field \"{k}\" (expected projectId, stage, context)")));
    }
    let project_id = match map.get("projectId") {
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
    Ok(Execute { project_id, stage, context: context.map(Value::String) })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::error::tests::refused;
    use parit_shared::Stage;
    use serde_json::json;

    const ID: &str = "0a1b2c3d-0000";

    #[test]
    fn each_shape_of_context_becomes_the_agents_text() {
        let run = |context: Value| request(&json!({"projectId": ID, "stage": "data", "context": context})).unwrap();
        let plain = request(&json!({"projectId": ID, "stage": "api"})).unwrap();
        assert_eq!(plain, Execute { project_id: ID.into(), stage: Stage::Api, context: None });
        assert_eq!(run(json!("use UUIDs")).context, Some(json!("use UUIDs")));
        assert_eq!(run(json!({"tables": 3})).context, Some(json!("{\"tables\":3}")));
        for none in [json!(null), json!("  \n"), json!({})] {
            assert_eq!(run(none.clone()).context, None, "{none}");
        }
        assert!(request(&json!({"projectId": ID, "stage": "data", "context": "x".repeat(8_000)})).is_ok());
    }

    #[test]
    fn each_wrong_body_is_refused_saying_what_is_wrong() {
        let cases = [
            (json!([1]), "the body must be a JSON object with projectId and stage"),
            (
                json!({"projectId": ID, "stage": "data", "extra": 1}),
                "unknown field \"extra\" (expected projectId, stage, context)",
            ),
            (json!({"stage": "data"}), "projectId is required"),
            (json!({"projectId": 7, "stage": "data"}), "projectId must be a string"),
            (json!({"projectId": "Robert'); DROP", "stage": "data"}), "is not a project id"),
            (json!({"projectId": ID}), "stage is required"),
            (json!({"projectId": ID, "stage": 3}), "stage must be a string"),
            (json!({"projectId": ID, "stage": "database"}), "\"database\" is not a stage"),
            (json!({"projectId": ID, "stage": "data", "context": 5}), "context must be a string or an object"),
            (
                json!({"projectId": ID, "stage": "data", "context": "x".repeat(8_001)}),
                "context is longer than 8000 characters",
            ),
        ];
        for (body, says) in cases {
            refused(request(&body), 400, "bad_request", says);
        }
    }
}
