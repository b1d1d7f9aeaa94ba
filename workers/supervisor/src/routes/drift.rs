//! `POST …/drift` `{"sql"?, "dialect"?, "openapi"?}`: where a repository's
//! SQL DDL and OpenAPI document differ from the blueprint's newest data model
//! and API spec. Stores nothing. The bridge Worker checks the body, imports
//! and compares (`parit_shared::check::drift`), its refusals answered as this
//! Worker's own errors (400, 409 `nothing_to_compare`, 422 with the
//! importer's line and column) and answers the contract's `DriftReport`,
//! relayed unread; this checks the owner and the size and reads the
//! artifacts: the supervisor's size goal leaves room for little more.

use crate::app::App;
use crate::bridge;
use crate::error::AppResult;
use crate::http::json_body;
use crate::routes::renders::{latest, versioned};
use parit_shared::api::Op;
use parit_shared::Stage;
use serde_json::{json, Value};
use worker::{Request, Response};

pub(crate) async fn drift(app: &App, id: &str, mut req: Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let body = json_body(&mut req, Op::Drift).await?;
    let artifacts: Vec<Value> = latest(app, id)
        .await?
        .iter()
        .filter(|(_, r)| matches!(r.stage, Stage::Prd | Stage::Data | Stage::Api))
        .map(|(a, r)| versioned(a, r))
        .collect();
    let request = json!({"projectId": id, "artifacts": artifacts, "repository": body});
    bridge::relay(app, "/drift", &request).await
}
