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

/// The one string field `name` of `body`, which has no other field but
/// `optional`; `expected` names them all, for the refusal.
fn text_field<'a>(body: &'a Value, name: &str, optional: &str, expected: &str) -> AppResult<&'a str> {
    let Some(fields) = body.as_object() else {
        return Err(AppError::BadRequest(format!("send a JSON object with \"{name}\"")));
    };
    if let Some(k) = fields.keys().find(|k| k.as_str() != name && k.as_str() != optional) {
        return Err(AppError::BadRequest(format!("unknown field \"{k}\" (expected {expected})")));
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
    request(stage, &json_body(&mut req, Op::ImportData).await?)
}

/// An import's body as the text to import and, for SQL, its dialect
/// (default sqlite), or 400 saying what is wrong: the contract's
/// `ImportData` (`{"sql", "dialect"?}`) for the data model, `ImportApi`
/// (`{"document"}`) for the API.
pub(crate) fn request(stage: Stage, body: &Value) -> AppResult<(String, Option<String>)> {
    if stage == Stage::Api {
        return Ok((text_field(body, "document", "document", "\"document\"")?.into(), None));
    }
    let sql = text_field(body, "sql", "dialect", "\"sql\", \"dialect\"")?;
    let dialect = match body.get("dialect") {
        None => "sqlite",
        Some(Value::String(d)) if ["sqlite", "postgres", "mysql"].contains(&d.as_str()) => d,
        Some(_) => {
            return Err(AppError::BadRequest("\"dialect\" must be \"sqlite\", \"postgres\" or \"mysql\"".into()))
        }
    };
    Ok((sql.into(), Some(dialect.into())))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::error::tests::refused;
    use serde_json::json;

    #[test]
    fn sql_with_its_dialect_and_a_document() {
        let sql = "CREATE TABLE a (id INTEGER PRIMARY KEY);";
        assert_eq!(request(Stage::Data, &json!({"sql": sql})).unwrap(), (sql.into(), Some("sqlite".into())));
        for dialect in ["sqlite", "postgres", "mysql"] {
            let read = request(Stage::Data, &json!({"sql": sql, "dialect": dialect})).unwrap();
            assert_eq!(read, (sql.into(), Some(dialect.into())));
        }
        assert_eq!(
            request(Stage::Api, &json!({"document": "openapi: 3.1.0"})).unwrap(),
            ("openapi: 3.1.0".into(), None)
        );
    }

    #[test]
    fn each_wrong_body_is_refused_saying_what_is_wrong() {
        let sql = "CREATE TABLE a (id INTEGER);";
        let cases = [
            (Stage::Data, json!([sql]), "send a JSON object with \"sql\""),
            (Stage::Data, json!({"ddl": sql}), "unknown field \"ddl\" (expected \"sql\", \"dialect\")"),
            (Stage::Data, json!({"sql": 5}), "\"sql\" must be a string"),
            (Stage::Data, json!({"sql": "  \n"}), "\"sql\" is empty"),
            (Stage::Data, json!({"dialect": "sqlite"}), "\"sql\" is required"),
            (
                Stage::Data,
                json!({"sql": sql, "dialect": "oracle"}),
                "\"dialect\" must be \"sqlite\", \"postgres\" or \"mysql\"",
            ),
            (Stage::Data, json!({"sql": sql, "dialect": null}), "\"dialect\" must be"),
            (
                Stage::Api,
                json!({"document": "x", "dialect": "sqlite"}),
                "unknown field \"dialect\" (expected \"document\")",
            ),
            (Stage::Api, json!({"openapi": "x"}), "unknown field \"openapi\""),
            (Stage::Api, json!({"document": {"openapi": "3.1.0"}}), "\"document\" must be a string"),
            (Stage::Api, json!("openapi: 3.1.0"), "send a JSON object with \"document\""),
        ];
        for (stage, body, says) in cases {
            refused(request(stage, &body), 400, "bad_request", says);
        }
    }
}
