//! `POST …/import/data` (SQL DDL) and `POST …/import/api` (an OpenAPI
//! document): the route checks the body and sends the text to the project's
//! `PipelineRun` object, which has the `parit-bridge` Worker parse it (its CPU
//! grows with the document: the object's, not this Worker's) and stores what
//! it imported as a new version (source `import`), with what it could not
//! represent. An import never interleaves with a run (409) and leaves the
//! stages downstream stale.

use crate::app::App;
use crate::command::Command;
use crate::error::{AppError, AppResult};
use crate::http::json_body;
use parit_shared::Stage;
use serde_json::Value;
use worker::{Request, Response};

/// Largest import body (the text and its JSON envelope). Chinook's whole
/// PostgreSQL DDL is 11 KB; a schema of 300 tables is about 200 KB.
pub(crate) const MAX_IMPORT_BYTES: usize = 512 * 1024;

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

/// `POST …/import/data` `{"sql": "...", "dialect": "sqlite" | "postgres" | "mysql"}`.
pub(crate) async fn data(app: &App, id: &str, mut req: Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let body = json_body(&mut req, MAX_IMPORT_BYTES).await?;
    let sql = text_field(&body, "sql", &["dialect"])?;
    let dialect = match body.get("dialect") {
        None => "sqlite",
        Some(Value::String(d)) if ["sqlite", "postgres", "mysql"].contains(&d.as_str()) => d,
        Some(_) => {
            return Err(AppError::BadRequest("\"dialect\" must be \"sqlite\", \"postgres\" or \"mysql\"".into()))
        }
    };
    let command = Command::Import { stage: Stage::Data, text: sql.into(), dialect: Some(dialect.into()) };
    app.pipeline(id, &command).await
}

/// `POST …/import/api` `{"document": "..."}` (JSON or YAML): its operations
/// are matched to the project's current data model, if any; the entities
/// they need and it lacks come from the document's schemas, stored first as
/// the data model's next version.
pub(crate) async fn api(app: &App, id: &str, mut req: Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let body = json_body(&mut req, MAX_IMPORT_BYTES).await?;
    let document = text_field(&body, "document", &[])?;
    app.pipeline(id, &Command::Import { stage: Stage::Api, text: document.into(), dialect: None }).await
}
