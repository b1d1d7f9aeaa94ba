//! One stage under the object's lock: an execution asked for by a
//! request, or a person's version (an edit, an import) stored.

use super::PipelineRun;
use crate::agents::ServiceAgents;
use crate::app::WorkerEnvironment;
use crate::d1::D1Store;
use crate::error::{AppError, AppResult};
use crate::r2::R2Blobs;
use crate::reply;
use parit_shared::api::runs::{Done, StageExecuted};
use parit_shared::run::execute::{
    execute_stage, store_human_version, EditError, ExecuteOptions, Ports, StageOutcome, Submission,
};
use parit_shared::Stage;
use serde_json::{Map, Value};
use worker::Response;

impl PipelineRun {
    /// Runs `work` with the project's ports while holding the object's lock;
    /// 409 `run_active` while a run (or another such request) is active.
    pub(super) async fn exclusive<T>(
        &self,
        work: impl AsyncFnOnce(&Ports<'_, D1Store, R2Blobs, ServiceAgents<'_>, WorkerEnvironment>) -> T,
    ) -> AppResult<T> {
        if let Some(conflict) = self.running_conflict() {
            return Err(conflict);
        }
        self.busy.set(true);
        let result = async {
            let app = self.app()?;
            let agents = app.agents();
            let ports = Ports { store: &app.store, blobs: &app.blobs, agents: &agents, env: &WorkerEnvironment };
            Ok::<_, AppError>(work(&ports).await)
        }
        .await;
        self.busy.set(false);
        result
    }

    pub(super) async fn execute(&self, project: &str, stage: Stage, options: ExecuteOptions) -> AppResult<Response> {
        if self.running_conflict().is_none() {
            // A cancel belongs to the run it stopped, not to this request.
            self.live.cancelled.set(false);
        }
        let result = self.exclusive(async |ports| execute_stage(ports, project, stage, &options).await).await;
        // Only when the stage ran (a refused request changed nothing).
        if result.is_ok() {
            self.record_verdict(project).await;
        }
        match result?? {
            StageOutcome::Succeeded(s) => {
                // Objects both: an artifact checked against its schema, and
                // serde's `Usage` (the record the agents send).
                let object = |v: Value| match v {
                    Value::Object(map) => map,
                    _ => Map::new(),
                };
                let executed = StageExecuted {
                    project_id: project.into(),
                    stage,
                    status: Done::Done,
                    version: s.version.into(),
                    artifact: object(s.artifact),
                    usage: object(serde_json::to_value(s.usage).unwrap_or_default()),
                    model: s.model,
                    attempts: s.attempts.into(),
                    latency_ms: s.latency_ms,
                    cost_usd: s.cost_usd,
                    cache_hit: s.cache_hit,
                };
                Ok(reply::answer(200, &executed)?)
            }
            StageOutcome::Failed(f) => Err(AppError::StageFailed {
                class: f.class,
                message: f.message,
                retryable: f.retryable,
                retry_after_ms: f.retry_after_ms,
            }),
        }
    }

    /// Stores a person's version (an edit, or an import): its number.
    pub(super) async fn store_version(
        &self,
        project: &str,
        stage: Stage,
        submission: Submission<'_>,
    ) -> AppResult<u64> {
        let result = self
            .exclusive(async |ports| {
                store_human_version(ports.store, ports.blobs, ports.env, project, stage, submission).await
            })
            .await;
        if matches!(result, Ok(Ok(_))) {
            self.record_verdict(project).await;
        }
        match result? {
            Ok(version) => Ok(version.into()),
            Err(EditError::Invalid { stage, problems }) => Err(AppError::InvalidArtifact { stage, problems }),
            Err(EditError::Execute(e)) => Err(e.into()),
            Err(other) => Err(AppError::Internal(other.to_string())),
        }
    }
}
