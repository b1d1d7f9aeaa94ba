//! Before a call: everything a stage is built from, read before anything is
//! written (a cached answer to its very request too), and the budget checked
//! against the prompt it would send.

use super::cache::model_request;
use super::inputs::load_inputs;
use super::{BudgetScope, ExecuteError, ExecuteOptions, Execution};
use crate::agent::protocol::{Brief, GenerateRequest};
use crate::gemini::cost::approximate_tokens;
use crate::gemini::GenerateContentRequest;
use crate::hash::input_hash;
use crate::project::ProjectSettings;
use crate::run::store::*;
use crate::stage::Stage;
use futures_util::future::try_join4;
use serde_json::Value;

/// What a stage is built from, all read before anything is written.
pub(super) struct Prepared {
    pub(super) project: ProjectRecord,
    pub(super) settings: ProjectSettings,
    pub(super) previous: Option<ArtifactRecord>,
    pub(super) input_hash: String,
    pub(super) model: String,
    /// What the agent is asked: the brief, exactly the upstream bodies it
    /// needs, the generation settings and the feedback.
    pub(super) agent_request: GenerateRequest,
    /// The exact request the agent will send to Gemini, and its cache key.
    pub(super) request: GenerateContentRequest,
    pub(super) cache_key: String,
    /// A cached answer to that very request.
    pub(super) cached: Option<Value>,
}

pub(super) async fn prepare<S: Store, B: BlobStore>(
    store: &S,
    blobs: &B,
    project_id: &str,
    stage: Stage,
    options: &ExecuteOptions,
) -> Result<Prepared, ExecuteError> {
    // Independent reads, overlapped: on the Workers runtime each is a round trip.
    let (project, settings, inputs, previous) = try_join4(
        async { store.project(project_id).await?.ok_or(ExecuteError::ProjectNotFound) },
        async { Ok(store.settings(project_id).await?) },
        load_inputs(store, blobs, project_id, stage),
        async { Ok(store.latest_artifact(project_id, stage).await?) },
    )
    .await?;
    if let Some(refusal) = settings.shut_down_models() {
        return Err(ExecuteError::ModelShutDown(refusal.message));
    }
    // The PRD of a project that starts from an import reads what was
    // imported (each import's own summary), after any feedback.
    let mut options = options.clone();
    if stage == Stage::Prd {
        let latest = store.latest_artifacts(project_id).await?;
        let imported = latest.iter().filter(|r| r.source == Source::Import).filter_map(|r| r.feedback.as_deref());
        let context: Vec<&str> = options.feedback.as_deref().into_iter().chain(imported).collect();
        options.feedback = (!context.is_empty()).then(|| context.join("\n\n"));
    }
    let options = &options;
    let feedback = options.feedback.as_deref();
    let input_hash = input_hash(stage, &inputs.refs, Some(&settings), feedback);
    let model = settings.model_for(stage).to_string();
    let agent_request = GenerateRequest {
        brief: Brief { name: project.name.clone(), idea: project.idea.clone() },
        upstream: inputs.bodies,
        settings: settings.generation(stage),
        feedback: options.feedback.clone(),
    };
    let a = &agent_request;
    let (request, cache_key) = model_request(stage, &a.brief, &a.upstream, &a.settings, &model, feedback);
    let cached = if options.use_cache { read_cache(blobs, &cache_key).await } else { None };
    Ok(Prepared { project, settings, previous, input_hash, model, agent_request, request, cache_key, cached })
}

/// Refuses the stage, before any call, when its prompt alone would take the
/// project past its token budget or the owner past the day's limit.
pub(super) async fn check_budget<S: Store, E: Environment>(
    store: &S,
    run: &Execution<'_, E>,
    prepared: &Prepared,
    options: &ExecuteOptions,
) -> Result<(), ExecuteError> {
    let estimate = approximate_tokens(serde_json::to_string(&prepared.request).map_or(0, |b| b.len()));
    let mut limits = Vec::with_capacity(2);
    if let Some(budget) = prepared.settings.token_budget {
        limits.push((BudgetScope::Project, budget, store.tokens_spent(run.project_id).await?));
    }
    if let Some(limit) = options.owner_daily_limit {
        let spent = store.owner_tokens_on_day(&prepared.project.owner_id, run.env.now_ms() / DAY_MS).await?;
        limits.push((BudgetScope::OwnerDaily, limit, spent));
    }
    let stage = run.stage;
    for (scope, budget, spent) in limits {
        if spent + estimate > budget {
            let refused = run.event(
                ActivityKind::BudgetExceeded,
                format!(
                    "The {stage} stage was not started: {spent} tokens spent + about {estimate} for this prompt would exceed the {scope} of {budget}"
                ),
            );
            store.write(&Writes::activity(&[refused])).await?;
            return Err(ExecuteError::BudgetExceeded { scope, stage, spent, estimate, budget });
        }
    }
    Ok(())
}

/// The artifact of the cached answer under `key`, if there is one.
pub(crate) async fn read_cache<B: BlobStore>(blobs: &B, key: &str) -> Option<Value> {
    let bytes = blobs.get(key).await.ok()??;
    let entry: Value = serde_json::from_slice(&bytes).ok()?;
    entry.get("artifact").cloned()
}
