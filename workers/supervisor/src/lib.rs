//! Parit's supervisor Worker: the fleet's only public door.
//!
//! It keeps every project's state in D1 (rows) and R2 (artifact bodies),
//! reaches the seven agents through service bindings, and runs each project's
//! pipeline in a `PipelineRun` Durable Object. The logic lives in
//! `parit_shared` behind ports; this crate implements the ports over the
//! bindings (`d1`, `r2`, `agents`) and maps HTTP to handlers, one file per
//! resource under `routes/`. The route table is `parit_shared::api::ROUTES`;
//! this file maps each of its operations to its handler.

mod agents;
mod app;
mod auth;
mod bridge;
mod command;
mod d1;
mod error;
mod faults;
mod http;
mod live;
mod meter;
#[allow(missing_docs)] // #[durable_object] generates undocumented wasm exports
mod pipeline;
mod r2;
mod reply;
mod routes;
mod row;

pub use pipeline::PipelineRun;

use app::App;
use error::{AppError, AppResult};
use parit_shared::api::{self, Op, Resolution};
use routes::{artifacts, drift, events, execute, feed, mcp, plan, projects, renders, root, runs};
use worker::{event, Context, Date, Env, Method, Request, Response, Result};

/// Every request: route it, answer errors as JSON, add the headers every
/// answer carries (request id, CORS, security), and log one JSON line.
#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let started = Date::now().as_millis();
    let request_id = http::request_id(&req);
    let method = req.method();
    let path = req.path();
    let origin = req.headers().get("origin")?;
    let mut owner = None;
    let meter = meter::Meter::default();
    meter.begin();
    let response = match mcp::serve(req, &env, &request_id, &mut owner, &meter).await {
        Ok(response) => response,
        Err(e) => e.into_response_for(Some(&request_id))?,
    };
    let allowed_origin = origin.as_deref().filter(|o| http::origin_allowed(&env, o));
    let response = http::finish(response, &request_id, allowed_origin)?;
    worker::console_log!(
        "{}",
        serde_json::json!({
            "level": "info",
            "requestId": request_id,
            "method": method.to_string(),
            "route": http::route_template(&path),
            "status": response.status_code(),
            "ms": Date::now().as_millis().saturating_sub(started),
            "owner": owner.as_deref().map(auth::owner_tag),
        })
    );
    // After the request's own log line (the instrumented build's meter line
    // carries the same request id).
    meter.name(|| format!("{method} {}", http::route_template(&path)));
    meter.report(|| request_id.clone());
    Ok(response)
}

/// The router: every request but `POST /mcp` (which `routes::mcp` serves by
/// calling this for each API read it makes).
async fn route(
    req: Request,
    env: &Env,
    request_id: &str,
    owner: &mut Option<String>,
    meter: &meter::Meter,
) -> AppResult<Response> {
    let path = req.path();
    let method = req.method();
    if method == Method::Options {
        return http::preflight(env, &req);
    }
    let mut app = App::metered(env.clone(), meter.clone())?;
    app.request_id = Some(request_id.to_string());
    // Every /api path needs a token, routed or not: an unknown one is not
    // told apart from a known one without it.
    if path.split('/').find(|s| !s.is_empty()) == Some("api") {
        let caller = auth::authenticate(&app, &req).await?;
        *owner = Some(caller.owner.clone());
        app.owner = Some(caller.owner);
    }
    // The method as sent: workers-rs reads one it does not know (QUERY) as GET.
    let (op, params) = match api::resolve(&req.inner().method(), &path) {
        Resolution::Found(op, params) => (op, params),
        Resolution::MethodNotAllowed(allow) => return Err(AppError::MethodNotAllowed(allow)),
        Resolution::NotFound => return Err(not_found(&path)),
    };
    if op.in_object() {
        // Its work, and the CPU it takes, are the project's object's. A body
        // over the route's limit is refused here: workerd closes a client's
        // connection mid-upload when the object refuses a body the Worker
        // is still streaming to it (a reset, not the 413).
        http::refuse_large(&req, op)?;
        return app.forward(http::project_id(params.id.unwrap_or_default())?, req).await;
    }
    dispatch(&app, op, params, req).await
}

/// A route the Worker forwarded to the project's object (`App::forward`),
/// served there by the same handlers.
pub(crate) async fn serve_in_object(app: &App, req: Request) -> AppResult<Response> {
    let path = req.path();
    match api::resolve(req.method().as_ref(), &path) {
        Resolution::Found(op, params) if op.in_object() => dispatch(app, op, params, req).await,
        _ => Err(AppError::Internal(format!("the object was sent {path}, which it does not serve"))),
    }
}

/// Each route's handler.
async fn dispatch(app: &App, op: Op, params: api::Params<'_>, req: Request) -> AppResult<Response> {
    let id = || http::project_id(params.id.unwrap_or_default());
    let stage = || http::stage(params.stage.unwrap_or_default());
    match op {
        Op::Index => root::index(app),
        Op::Health => {
            let caller = auth::optional_caller(app, &req).await;
            auth::limit_health(app, &req, caller.as_ref()).await?;
            match caller {
                Some(_) => root::health(app).await,
                None => root::last_health(app).await,
            }
        }
        Op::OpenApi => root::openapi(app).await,
        // Served before the router (`routes::mcp::serve`), which it calls for each read.
        Op::Mcp => Err(AppError::Internal("POST /mcp reached the router".into())),
        Op::CreateProject => projects::create(app, req).await,
        Op::ListProjects => projects::list(app, &req).await,
        Op::Execute => execute::execute(app, req).await,
        Op::GetProject => projects::get(app, id()?).await,
        Op::DeleteProject => projects::delete(app, id()?).await,
        Op::PatchSettings => projects::patch_settings(app, id()?, req).await,
        Op::ListArtifacts => artifacts::list(app, id()?).await,
        Op::GetArtifact => artifacts::get(app, id()?, stage()?, &req).await,
        Op::PutArtifact => runs::edit(app, id()?, stage()?, req).await,
        Op::Changes => artifacts::changes(app, id()?, stage()?, &req).await,
        Op::ListViews => renders::list_views(app, id()?, stage()?, &req).await,
        Op::GetView => {
            let (id, stage) = (id()?, stage()?);
            renders::get_view(app, id, stage, params.name.as_deref().unwrap_or_default(), &req).await
        }
        Op::Consistency => renders::consistency(app, id()?).await,
        Op::Export => renders::export(app, id()?, &req).await,
        Op::Handoff => renders::handoff(app, id()?, &req).await,
        // The project's object reads them itself (`PipelineRun::serve`).
        Op::ImportData | Op::ImportApi => Err(AppError::Internal("an import reached the router".into())),
        Op::Drift => drift::drift(app, id()?, req).await,
        Op::Activity => feed::activity(app, id()?, &req).await,
        Op::Traces => feed::traces(app, id()?).await,
        Op::Plan => plan::get(app, id()?, &req).await,
        Op::PlanEdit => plan::post(app, id()?, req).await,
        Op::Events => events::events(app, id()?, &req).await,
        Op::Run => runs::run(app, id()?, &req).await,
        Op::Cancel => runs::cancel(app, id()?).await,
        Op::Approve => runs::approve(app, id()?, stage()?).await,
        Op::Regenerate => {
            let (id, stage) = (id()?, stage()?);
            runs::regenerate(app, id, stage, req).await
        }
    }
}

fn not_found(path: &str) -> AppError {
    let shown: String = path.chars().take(100).collect();
    AppError::NotFound(format!("no route {shown}; GET / lists the endpoints"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::http::Query;
    use parit_shared::api::contract::contract;
    use parit_shared::Stage;
    use serde_json::{json, Value};

    fn status<T>(r: AppResult<T>) -> Option<u16> {
        r.err().map(|e| e.answer("r").0)
    }

    /// The error statuses route `r` can answer before its handler's own
    /// work: from the token check, the path's id and stage, the body (its
    /// media type, size and JSON) and, run on wrong input, the route's own
    /// request mapping.
    fn refusals(r: &api::Route) -> Vec<u16> {
        let mut seen: Vec<Option<u16>> = Vec::new();
        if r.path.starts_with("/api") {
            seen.push(status::<()>(Err(AppError::Unauthorized("no token"))));
            seen.push(status::<()>(Err(AppError::RateLimited { retry_after: 60 })));
        }
        if r.path.contains(":id") {
            seen.push(status(http::project_id("x")));
            // Another owner's project, or none.
            seen.push(status::<()>(Err(AppError::NotFound("no project".into()))));
        }
        if r.path.contains(":stage") {
            seen.push(status(http::stage("x")));
        }
        if r.op.max_body().is_some() {
            seen.push(status(http::announced(Some("99999999"), r.op)));
            if r.op != Op::Mcp {
                // The MCP message is read as text, its JSON the bridge's to check.
                seen.push(status(http::media_type(Some("text/plain"))));
                seen.push(status(http::parse_json(b"{", 9)));
            }
        }
        let q = |s: &str| Query::parse(s);
        let wrong = json!({"wrong": true});
        match r.op {
            Op::CreateProject => {
                seen.push(status(projects::creation(&wrong)));
                seen.push(status(projects::creation(
                    &json!({"name": "a", "idea": "long enough idea", "settings": {"model": "gemini-2.5-flash"}}),
                )));
                seen.push(status::<()>(Err(AppError::Forbidden { code: "project_limit", message: String::new() })));
            }
            Op::ListProjects => seen.push(status(projects::page_query(&q("?cursor=x")))),
            Op::Execute => seen.push(status(execute::request(&wrong))),
            Op::Regenerate => seen.push(status(runs::regeneration(&wrong))),
            Op::Plan => seen.push(status(plan::what_if(&q("?x=1")))),
            Op::PlanEdit => {
                seen.push(status(plan::edit(wrong.clone())));
                seen.push(status::<()>(Err(AppError::InvalidArtifact { stage: Stage::Data, problems: vec![] })));
            }
            Op::GetArtifact | Op::ListViews | Op::GetView => {
                seen.push(status(renders::version(&q("?version=0"))));
            }
            Op::Changes => {
                seen.push(status(artifacts::changes_keys(&q("?x=1"))));
                seen.push(status(artifacts::changes_range(&q(""), Stage::Data, 1)));
                seen.push(status(artifacts::changes_range(&q("?from=2&to=2"), Stage::Data, 3)));
            }
            Op::Export => seen.push(status(renders::layout(&q("?layout=x")))),
            Op::ImportData | Op::ImportApi => {
                let stage = if r.op == Op::ImportApi { Stage::Api } else { Stage::Data };
                seen.push(status(routes::import::request(stage, &wrong)));
                seen.push(status::<()>(Err(AppError::ImportFailed(Value::Null))));
            }
            Op::Activity => seen.push(status(Query::parse("?limit=0").number("limit", 200, 1, 1000))),
            _ => {}
        }
        let mut statuses: Vec<u16> = seen.into_iter().flatten().collect();
        statuses.sort_unstable();
        statuses.dedup();
        statuses
    }

    #[test]
    fn every_status_a_route_refuses_with_is_in_its_contract() {
        for r in api::ROUTES {
            let errors = contract(r.op).errors;
            for s in refusals(r) {
                // The MCP transport answers its own 401 (a JSON-RPC error), as the contract's answers say.
                let documented = errors.contains(&s) || contract(r.op).answers.iter().any(|a| a.status == s);
                assert!(documented, "{} {} can answer {s}; its contract lists {errors:?}", r.method, r.path);
            }
        }
    }

    #[test]
    fn the_table_sees_each_routes_refusals() {
        // The table above is not empty where a route takes input: a route
        // whose mapping stopped refusing would show here.
        let of = |op: Op| refusals(api::ROUTES.iter().find(|r| r.op == op).unwrap());
        assert_eq!(of(Op::CreateProject), [400, 401, 403, 413, 415, 422, 429]);
        assert_eq!(of(Op::Changes), [400, 401, 404, 429]);
        assert_eq!(of(Op::ImportData), [400, 401, 404, 413, 415, 422, 429]);
        assert_eq!(of(Op::Mcp), [413]);
        assert_eq!(of(Op::Index), Vec::<u16>::new());
    }

    #[test]
    fn an_unknown_path_is_404_naming_where_to_look() {
        let (status, body, _) = not_found(&format!("/api/{}", "p".repeat(300))).answer("r");
        assert_eq!((status, body.error.code.as_str()), (404, "not_found"));
        assert_eq!(body.error.message, format!("no route /api/{}; GET / lists the endpoints", "p".repeat(95)));
    }
}
