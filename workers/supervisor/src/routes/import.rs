//! `POST …/import/data` (SQL DDL) and `POST …/import/api` (an OpenAPI
//! document), served by the project's `PipelineRun` object (`Op::in_object`):
//! it reads the body here, has the `parit-bridge` Worker parse the text (its
//! CPU grows with the document: the object's, not the Worker's) and stores
//! what it imported as a new version (source `import`), with what it could
//! not represent. An import never interleaves with a run (409) and leaves the
//! stages downstream stale.

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::http::json_body;
use parit_shared::api::Op;
use parit_shared::Stage;
use serde_json::Value;
use worker::Request;

/// The one string field `name` of `body`, which has no other field but `optional`.
fn text_field<'a>(body: &'a Value, name: &str, optional: &[&str]) -> AppResult<&'a str> {
    let Some(fields) = body.as_object() else {
        return Err(AppError::BadRequest(format!("send a JSON object with \"{name}\"")));
    };
    if let Some(k) = fields.keys().find(|k| k.as_str() != name && !optional.contains(&k.as_str())) {
        let allowed: Vec<String> =
            std::iter::once(name).chain(optional.iter().copied()).map(|n| format!("\"{n}\"")).collect();
        return Err(AppError::BadRequest(format!("unknown field \"{k}\" (expected {})", allowed.join(", "))));
    }
    match fields.get(name) {
        Some(Value::String(t)) if !t.trim().is_empty() => Ok(t),
        Some(Value::String(_)) => Err(AppError::BadRequest(format!("\"{name}\" is empty"))),
        Some(_) => Err(AppError::BadRequest(format!("\"{name}\" must be a string"))),
        None => Err(AppError::BadRequest(format!("\"{name}\" is required"))),
    }
}

/// What an import route asks the project's object to import, read from its
/// body: the text and, for SQL, its dialect. The object reads it, not the
/// Worker (`Op::in_object`): a body of 500 operations took the Worker's leg
/// over 10 ms of CPU just to parse and pass on.
///
/// * `POST …/import/data` `{"sql": "...", "dialect": "sqlite" | "postgres" | "mysql"}`;
/// * `POST …/import/api` `{"document": "..."}` (JSON or YAML): its operations
///   are matched to the project's current data model, if any; the entities
///   they need and it lacks come from the document's schemas, stored first as
///   the data model's next version.
pub(crate) async fn read(app: &App, id: &str, stage: Stage, mut req: Request) -> AppResult<(String, Option<String>)> {
    app.owned_project(id).await?;
    let body = json_body(&mut req, Op::ImportData).await?;
    if stage == Stage::Api {
        return Ok((text_field(&body, "document", &[])?.into(), None));
    }
    let sql = text_field(&body, "sql", &["dialect"])?;
    let dialect = match body.get("dialect") {
        None => "sqlite",
        Some(Value::String(d)) if ["sqlite", "postgres", "mysql"].contains(&d.as_str()) => d,
        Some(_) => {
            return Err(AppError::BadRequest("\"dialect\" must be \"sqlite\", \"postgres\" or \"mysql\"".into()))
        }
    };
    Ok((sql.into(), Some(dialect.into())))
}
