//! `POST …/drift` `{"sql"?, "dialect"?, "openapi"?}`: where a repository's
//! SQL DDL and OpenAPI document differ from the blueprint's newest data model
//! and API spec. The bridge Worker imports and compares
//! (`parit_shared::check::drift`); this checks the body and the project,
//! reads the artifacts and stores nothing.

use crate::app::App;
use crate::bridge;
use crate::error::{AppError, AppResult};
use crate::http::json_body;
use crate::reply::json;
use crate::routes::import::MAX_IMPORT_BYTES;
use crate::routes::renders::latest;
use parit_shared::Stage;
use serde_json::{json, Value};
use worker::{Request, Response};

pub(crate) async fn drift(app: &App, id: &str, mut req: Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let mut body = json_body(&mut req, MAX_IMPORT_BYTES).await?;
    let Some(fields) = body.as_object() else { return Err(AppError::BadRequest("send a JSON object".into())) };
    for (k, v) in fields {
        let wrong = match (k.as_str(), v) {
            ("dialect", Value::String(d)) if ["sqlite", "postgres", "mysql"].contains(&d.as_str()) => continue,
            ("sql" | "openapi", Value::String(t)) if !t.trim().is_empty() => continue,
            ("dialect", _) => "must be \"sqlite\", \"postgres\" or \"mysql\"",
            ("sql" | "openapi", _) => "must be a non-empty string",
            _ => "is not a field (expected \"sql\", \"dialect\", \"openapi\")",
        };
        let k: String = k.chars().take(60).collect();
        return Err(AppError::BadRequest(format!("\"{k}\" {wrong}")));
    }
    let wanted: Vec<Stage> = [("sql", Stage::Data), ("openapi", Stage::Api)]
        .into_iter()
        .filter_map(|(k, s)| fields.contains_key(k).then_some(s))
        .collect();
    if wanted.is_empty() {
        return Err(AppError::BadRequest("send \"sql\", \"openapi\" or both".into()));
    }
    let all = latest(app, id).await?;
    if let Some(stage) = wanted.iter().find(|s| !all.iter().any(|(_, r)| r.stage == **s)) {
        let message = format!("the project has no {stage} artifact to compare with; run the {stage} stage first");
        return Err(AppError::Conflict { code: "nothing_to_compare", message });
    }
    let artifacts: Vec<Value> = all
        .iter()
        .filter(|(_, r)| matches!(r.stage, Stage::Prd | Stage::Data | Stage::Api))
        .map(|(a, r)| json!({"stage": r.stage, "version": r.version, "artifact": a.to_value()}))
        .collect();
    body["artifacts"] = json!(artifacts);
    let mut report = bridge::call(app, "/drift", &body).await?;
    report["projectId"] = json!(id);
    Ok(json(200, &report)?)
}
