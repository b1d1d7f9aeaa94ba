//! One stage under the object's lock: an execution asked for by a
//! request, or a person's version (an edit, an import) stored.

use super::PipelineRun;
use crate::agents::ServiceAgents;
use crate::app::WorkerEnvironment;
use crate::d1::D1Store;
use crate::error::{AppError, AppResult};
use crate::r2::R2Blobs;
use crate::reply::json;
use parit_shared::run::execute::{
    execute_stage, store_human_version, EditError, ExecuteOptions, Ports, StageOutcome, Submission,
};
use parit_shared::Stage;
use serde_json::{json, Value};
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
            StageOutcome::Succeeded(s) => Ok(json(
                200,
                &json!({
                    "projectId": project,
                    "stage": stage,
                    "status": "done",
                    "version": s.version,
                    "artifact": s.artifact,
                    "usage": s.usage,
                    "model": s.model,
                    "attempts": s.attempts,
                    "latencyMs": s.latency_ms,
                    "costUsd": s.cost_usd,
                    "cacheHit": s.cache_hit,
                }),
            )?),
            StageOutcome::Failed(f) => Err(AppError::StageFailed {
                class: f.class,
                message: f.message,
                retryable: f.retryable,
                retry_after_ms: f.retry_after_ms,
            }),
        }
    }

    /// Stores a person's version (an edit, or an import whose `report` of what
    /// was and was not imported joins the answer).
    pub(super) async fn store_version(
        &self,
        project: &str,
        stage: Stage,
        submission: Submission<'_>,
        report: Value,
    ) -> AppResult<Response> {
        let source = submission.source;
        let result = self
            .exclusive(async |ports| {
                store_human_version(ports.store, ports.blobs, ports.env, project, stage, submission).await
            })
            .await;
        if matches!(result, Ok(Ok(_))) {
            self.record_verdict(project).await;
        }
        match result? {
            Ok(version) => {
                let mut body = json!({"projectId": project, "stage": stage, "version": version, "source": source, "stale": stage.descendants()});
                if let (Some(body), Some(report)) = (body.as_object_mut(), report.as_object()) {
                    body.extend(report.clone());
                }
                Ok(json(201, &body)?)
            }
            Err(EditError::Invalid { stage, problems }) => Err(AppError::InvalidArtifact { stage, problems }),
            Err(EditError::Execute(e)) => Err(e.into()),
            Err(other) => Err(AppError::Internal(other.to_string())),
        }
    }
}
