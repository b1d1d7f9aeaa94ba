//! What every handler has: the bindings, wrapped in the domain's ports.

use crate::agents::ServiceAgents;
use crate::d1::D1Store;
use crate::error::AppResult;
use crate::r2::R2Blobs;
use parit_shared::store::{Environment, ProjectRecord};
use worker::{Date, Env};

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
