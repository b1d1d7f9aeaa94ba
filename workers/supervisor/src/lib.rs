//! Parit's supervisor Worker: the fleet's only public door.
//!
//! It keeps every project's state in D1 (rows) and R2 (artifact bodies),
//! reaches the seven agents through service bindings, and runs each project's
//! pipeline in a `PipelineRun` Durable Object. The logic lives in
//! `parit_shared` behind ports; this crate implements the ports over the
//! bindings (`d1`, `r2`, `agents`) and maps HTTP to handlers, one file per
//! resource under `routes/`. This file is the route table.

mod agents;
mod app;
mod auth;
mod d1;
mod error;
mod faults;
mod http;
#[allow(missing_docs)] // #[durable_object] generates undocumented wasm exports
mod pipeline;
mod r2;
mod routes;

pub use pipeline::PipelineRun;

use app::App;
use error::{AppError, AppResult};
use routes::{artifacts, events, execute, feed, projects, root, runs, truth};
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
    let response = match route(req, &env, &request_id, &mut owner).await {
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
    Ok(response)
}

async fn route(req: Request, env: &Env, request_id: &str, owner: &mut Option<String>) -> AppResult<Response> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let method = req.method();
    if method == Method::Options {
        return http::preflight(env, &req);
    }
    let mut app = App::new(env.clone())?;
    app.request_id = Some(request_id.to_string());
    if segments.first() == Some(&"api") {
        let caller = auth::authenticate(&app, &req).await?;
        *owner = Some(caller.owner.clone());
        app.owner = Some(caller.owner);
    }
    let app = &app;
    match (method, segments.as_slice()) {
        (Method::Get, []) => root::index(app),
        (Method::Get, ["health"]) => {
            let known = auth::optional_caller(app, &req).await.is_some();
            root::health(app, known).await
        }
        (Method::Get, ["openapi.json"]) => root::openapi(),
        (Method::Post, ["api", "projects"]) => projects::create(app, req).await,
        (Method::Get, ["api", "projects"]) => projects::list(app, &req).await,
        (Method::Post, ["api", "execute"]) => execute::execute(app, req).await,
        (method, ["api", "projects", id, rest @ ..]) => {
            let id = http::project_id(id)?;
            match (method, rest) {
                (Method::Get, []) => projects::get(app, id).await,
                (Method::Delete, []) => projects::delete(app, id).await,
                (Method::Patch, ["settings"]) => projects::patch_settings(app, id, req).await,
                (Method::Get, ["artifacts"]) => artifacts::list(app, id).await,
                (Method::Get, ["artifacts", stage]) => artifacts::get(app, id, http::stage(stage)?, &req).await,
                (Method::Put, ["artifacts", stage]) => runs::edit(app, id, stage, req).await,
                (Method::Get, ["artifacts", stage, "views"]) => {
                    truth::list_views(app, id, http::stage(stage)?, &req).await
                }
                (Method::Get, ["artifacts", stage, "views", name @ ..]) if !name.is_empty() => {
                    truth::get_view(app, id, http::stage(stage)?, &name.join("/"), &req).await
                }
                (Method::Get, ["consistency"]) => truth::consistency(app, id).await,
                (Method::Get, ["export"]) => truth::export(app, id).await,
                (Method::Get, ["activity"]) => feed::activity(app, id, &req).await,
                (Method::Get, ["traces"]) => feed::traces(app, id).await,
                (Method::Get, ["events"]) => events::events(app, id, &req).await,
                (Method::Post, ["run"]) => runs::run(app, id, &req).await,
                (Method::Post, ["cancel"]) => runs::cancel(app, id).await,
                (Method::Post, ["stages", stage, "approve"]) => runs::approve(app, id, http::stage(stage)?).await,
                (Method::Post, ["stages", stage, "regenerate"]) => {
                    runs::regenerate(app, id, http::stage(stage)?, req).await
                }
                (_, []) => Err(AppError::MethodNotAllowed("GET, DELETE")),
                (_, ["settings"]) => Err(AppError::MethodNotAllowed("PATCH")),
                (_, ["artifacts", _]) => Err(AppError::MethodNotAllowed("GET, PUT")),
                (_, ["artifacts"] | ["activity"] | ["traces"] | ["events"] | ["consistency"] | ["export"]) => {
                    Err(AppError::MethodNotAllowed("GET"))
                }
                (_, ["artifacts", _, "views", ..]) => Err(AppError::MethodNotAllowed("GET")),
                (_, ["run"] | ["cancel"] | ["stages", _, "approve" | "regenerate"]) => {
                    Err(AppError::MethodNotAllowed("POST"))
                }
                _ => Err(not_found(&path)),
            }
        }
        (_, [] | ["health"] | ["openapi.json"]) => Err(AppError::MethodNotAllowed("GET")),
        (_, ["api", "projects"]) => Err(AppError::MethodNotAllowed("GET, POST")),
        (_, ["api", "execute"]) => Err(AppError::MethodNotAllowed("POST")),
        _ => Err(not_found(&path)),
    }
}

fn not_found(path: &str) -> AppError {
    let shown: String = path.chars().take(100).collect();
    AppError::NotFound(format!("no route {shown}; GET / lists the endpoints"))
}
