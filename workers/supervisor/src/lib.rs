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
