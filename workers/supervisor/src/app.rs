//! What every handler has: the bindings, wrapped in the domain's ports.

use crate::agents::ServiceAgents;
use crate::command::{Command, OWNER_HEADER, PROJECT_HEADER, REQUEST_ID_HEADER};
use crate::d1::D1Store;
use crate::error::{AppError, AppResult};
use crate::live::Live;
use crate::meter::{Call, Meter};
use crate::r2::R2Blobs;
use parit_shared::clock::Clock;
use parit_shared::run::store::{Environment, ProjectRecord};
use std::rc::Rc;
use worker::{Date, Env, Headers, Method, Request, RequestInit, Response};

/// The supervisor's bindings as ports.
pub(crate) struct App {
    pub(crate) env: Env,
    pub(crate) store: D1Store,
    pub(crate) blobs: R2Blobs,
    /// The authenticated caller's owner id (`None` on public routes and in
    /// the pipeline object, which is reached only through owned projects).
    pub(crate) owner: Option<String>,
    /// This request's id (errors from the pipeline object carry it too).
    pub(crate) request_id: Option<String>,
    /// What this invocation spends (counted only in the instrumented build).
    pub(crate) meter: Meter,
    /// The project's viewers, in its pipeline object (`crate::live`).
    pub(crate) live: Option<Rc<Live>>,
}

impl App {
    /// The bindings, counting their calls into `meter`.
    pub(crate) fn metered(env: Env, meter: Meter) -> AppResult<App> {
        let store = D1Store::new(env.d1("DB")?, meter.clone());
        let blobs = R2Blobs::new(env.bucket("STORAGE")?, meter.clone());
        Ok(App { env, store, blobs, owner: None, request_id: None, meter, live: None })
    }

    pub(crate) fn agents(&self) -> ServiceAgents<'_> {
        ServiceAgents::new(&self.env, &self.meter, self.live.as_deref())
    }

    /// The caller's owner id; 401 if the route was reached unauthenticated.
    pub(crate) fn owner(&self) -> AppResult<&str> {
        self.owner.as_deref().ok_or(AppError::Unauthorized("this route needs a token"))
    }

    /// The project `id` if it exists and belongs to the caller. Another
    /// owner's project is answered exactly like a missing one (404).
    pub(crate) async fn owned_project(&self, id: &str) -> AppResult<ProjectRecord> {
        use parit_shared::run::store::Store;
        let owner = self.owner()?;
        match self.store.project(id).await? {
            Some(p) if p.owner_id == owner => Ok(p),
            _ => Err(AppError::NotFound(format!("no project {id}"))),
        }
    }
}

impl App {
    /// Sends `command` to the project's `PipelineRun` object and answers its response.
    pub(crate) async fn pipeline(&self, project: &str, command: &Command) -> AppResult<Response> {
        let headers = self.object_headers(project)?;
        headers.set("content-type", "application/json")?;
        let body = command.to_json().to_string();
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
        self.to_object(project, Request::new_with_init("https://pipeline/", &init)?).await
    }

    /// Hands the request itself to the project's object, which serves it with
    /// the same router and its own CPU allowance (`Op::in_object`), as the
    /// caller this Worker authenticated. The body streams through unread.
    pub(crate) async fn forward(&self, project: &str, req: Request) -> AppResult<Response> {
        let headers = self.object_headers(project)?;
        headers.set(OWNER_HEADER, self.owner()?)?;
        if let Some(content_type) = req.headers().get("content-type")? {
            headers.set("content-type", &content_type)?;
        }
        let mut init = RequestInit::new();
        // workers-rs reads a method it does not know (QUERY) as GET, and a
        // GET may not carry a body.
        let method = req.method();
        if !matches!(method, Method::Get | Method::Head) {
            init.with_body(req.inner().body().map(Into::into));
        }
        init.with_method(method).with_headers(headers);
        self.to_object(project, Request::new_with_init(&req.inner().url(), &init)?).await
    }

    /// The headers every request to a project's object carries.
    fn object_headers(&self, project: &str) -> AppResult<Headers> {
        let headers = Headers::new();
        headers.set(PROJECT_HEADER, project)?;
        if let Some(id) = &self.request_id {
            headers.set(REQUEST_ID_HEADER, id)?;
        }
        Ok(headers)
    }

    async fn to_object(&self, project: &str, request: Request) -> AppResult<Response> {
        let stub = self.env.durable_object("PIPELINE")?.id_from_name(project)?.get_stub()?;
        self.meter.count(Call::DurableObject);
        Ok(stub.fetch_with_request(request).await?)
    }
}

/// A limit from a whole-number var, `default` when unset; 0 means no limit.
pub(crate) fn limit_var(env: &Env, name: &str, default: u64) -> Option<u64> {
    let n = env.var(name).ok().and_then(|v| v.to_string().trim().parse::<u64>().ok()).unwrap_or(default);
    (n > 0).then_some(n)
}

/// Wall clock from `Date.now()`, `Delay` waits, `Math.random` jitter and
/// random v4 UUIDs.
pub(crate) struct WorkerEnvironment;

impl Clock for WorkerEnvironment {
    fn now_ms(&self) -> u64 {
        Date::now().as_millis()
    }

    async fn sleep(&self, ms: u64) {
        worker::Delay::from(std::time::Duration::from_millis(ms)).await
    }

    fn jitter(&self) -> f64 {
        worker::js_sys::Math::random()
    }
}

impl Environment for WorkerEnvironment {
    fn new_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}
