//! What the next run will do and cost, before it is paid for:
//! `GET …/plan` (the next run; `?regenerate=<stage>` for a regeneration and
//! what follows it) and `POST …/plan` with a proposed edit
//! (`{"stage", "artifact"}`), checked as saving it would be. Nothing is
//! stored either way.

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::http::{self, json_body, Query};
use crate::reply::json;
use parit_shared::api::Op;
use parit_shared::run::execute::EditError;
use parit_shared::run::plan::{plan, WhatIf};
use parit_shared::schema::ToJson;
use serde_json::Value;
use worker::{Request, Response};

pub(crate) async fn get(app: &App, id: &str, req: &Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    answer(app, id, &what_if(&Query::of(req))?).await
}

/// `GET …/plan`'s query: the next run, or `?regenerate=<stage>`.
pub(crate) fn what_if(query: &Query) -> AppResult<WhatIf> {
    if let Some(key) = query.keys().find(|k| *k != "regenerate") {
        return Err(AppError::BadRequest(format!("unknown query parameter \"{key}\" (expected regenerate)")));
    }
    Ok(match query.get("regenerate") {
        None => WhatIf::Run,
        Some(stage) => WhatIf::Regenerate(http::stage(stage)?),
    })
}

pub(crate) async fn post(app: &App, id: &str, mut req: Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    answer(app, id, &edit(json_body(&mut req, Op::PlanEdit).await?)?).await
}

/// `POST …/plan`'s body (`{"stage", "artifact"}`) as the edit to plan for;
/// the artifact itself is checked as a save would check it (422).
pub(crate) fn edit(body: Value) -> AppResult<WhatIf> {
    let Value::Object(fields) = body else {
        return Err(AppError::BadRequest("expected {\"stage\": <stage>, \"artifact\": {…}}".into()));
    };
    if let Some(k) = fields.keys().find(|k| !matches!(k.as_str(), "stage" | "artifact")) {
        return Err(AppError::BadRequest(format!("unknown field \"{k}\" (expected stage and artifact)")));
    }
    let stage = match fields.get("stage") {
        Some(Value::String(s)) => http::stage(s)?,
        _ => return Err(AppError::BadRequest("stage must be the name of the edited stage".into())),
    };
    let artifact =
        fields.get("artifact").cloned().ok_or_else(|| AppError::BadRequest("artifact is required".into()))?;
    Ok(WhatIf::Edit(stage, artifact))
}

async fn answer(app: &App, id: &str, what_if: &WhatIf) -> AppResult<Response> {
    match plan(&app.store, &app.blobs, &app.agents(), id, what_if, worker::Date::now().as_millis()).await {
        Ok(plan) => Ok(json(200, &plan.to_json())?),
        Err(EditError::Invalid { stage, problems }) => Err(AppError::InvalidArtifact { stage, problems }),
        Err(EditError::Execute(e)) => Err(e.into()),
        Err(other) => Err(AppError::Internal(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::error::tests::refused;
    use parit_shared::Stage;
    use serde_json::json;

    #[test]
    fn the_query_plans_the_next_run_or_a_regeneration() {
        assert_eq!(what_if(&Query::parse("/plan")).unwrap(), WhatIf::Run);
        assert_eq!(what_if(&Query::parse("/plan?regenerate=api")).unwrap(), WhatIf::Regenerate(Stage::Api));
        refused(what_if(&Query::parse("/plan?regenerate=apis")), 400, "bad_request", "\"apis\" is not a stage");
        refused(
            what_if(&Query::parse("/plan?stage=api")),
            400,
            "bad_request",
            "unknown query parameter \"stage\" (expected regenerate)",
        );
    }

    #[test]
    fn the_body_is_a_stage_and_an_artifact() {
        let artifact = json!({"entities": []});
        assert_eq!(edit(json!({"stage": "data", "artifact": artifact})).unwrap(), WhatIf::Edit(Stage::Data, artifact));
        let cases = [
            (json!([1]), "expected {\"stage\": <stage>, \"artifact\": {…}}"),
            (
                json!({"stage": "data", "artifact": {}, "why": "x"}),
                "unknown field \"why\" (expected stage and artifact)",
            ),
            (json!({"artifact": {}}), "stage must be the name of the edited stage"),
            (json!({"stage": 1, "artifact": {}}), "stage must be the name of the edited stage"),
            (json!({"stage": "model", "artifact": {}}), "\"model\" is not a stage"),
            (json!({"stage": "data"}), "artifact is required"),
        ];
        for (body, says) in cases {
            refused(edit(body), 400, "bad_request", says);
        }
    }
}
