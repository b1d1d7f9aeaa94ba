//! What every handler has: the bindings, wrapped in the domain's ports.

use crate::agents::ServiceAgents;
use crate::d1::D1Store;
use crate::error::AppResult;
use crate::r2::R2Blobs;
use parit_shared::store::{Environment, ProjectRecord};
use serde_json::Value;
use worker::{Date, Env, Headers, Method, Request, RequestInit, Response};

/// Owner of projects until authentication (tokens) arrives: every caller is
/// this one local owner.
pub(crate) const LOCAL_OWNER: &str = "local";

/// The supervisor's bindings as ports.
pub(crate) struct App {
    pub(crate) env: Env,
    pub(crate) store: D1Store,
    pub(crate) blobs: R2Blobs,
}

impl App {
    pub(crate) fn new(env: Env) -> AppResult<App> {
        let store = D1Store::new(env.d1("DB")?);
        let blobs = R2Blobs::new(env.bucket("STORAGE")?);
        Ok(App { env, store, blobs })
    }

    pub(crate) fn agents(&self) -> ServiceAgents<'_> {
        ServiceAgents::new(&self.env)
    }

    /// The project `id` if it exists and belongs to the caller (404 otherwise).
    pub(crate) async fn owned_project(&self, id: &str) -> AppResult<ProjectRecord> {
        use parit_shared::store::Store;
        match self.store.project(id).await? {
            Some(p) if p.owner_id == LOCAL_OWNER => Ok(p),
            _ => Err(crate::error::AppError::NotFound(format!("no project {id}"))),
        }
    }
}

impl App {
    /// Sends a request to the project's `PipelineRun` object and answers its response.
    pub(crate) async fn pipeline(
        &self,
        project: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> AppResult<Response> {
        let headers = Headers::new();
        headers.set(crate::pipeline::PROJECT_HEADER, project)?;
        headers.set("content-type", "application/json")?;
        let mut init = RequestInit::new();
        init.with_method(method).with_headers(headers);
        if let Some(b) = body {
            init.with_body(Some(b.to_string().into()));
        }
        let request = Request::new_with_init(&format!("https://pipeline{path}"), &init)?;
        let stub = self.env.durable_object("PIPELINE")?.id_from_name(project)?.get_stub()?;
        Ok(stub.fetch_with_request(request).await?)
    }
}

/// Wall clock from `Date.now()` and random v4 UUIDs.
pub(crate) struct WorkerEnvironment;

impl Environment for WorkerEnvironment {
    fn now_ms(&self) -> u64 {
        Date::now().as_millis()
    }

    fn new_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}
