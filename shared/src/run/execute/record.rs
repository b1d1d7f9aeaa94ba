//! A stage's end, written once: a failure with its traces, or a new version
//! committed (the body first, then its row, checkpoint, traces and events in
//! one write).

use super::prepare::Prepared;
use super::{ExecuteError, ExecuteOptions, Execution, StageFailure, StageOutcome, StageSuccess};
use crate::agent::protocol::GenerateSuccess;
use crate::hash::content_hash;
use crate::run::store::*;
use futures_util::future::join;
use serde_json::Value;

/// One write: the calls' traces, the retries, and the failure.
pub(super) async fn record_failure<S: Store, E: Environment>(
    store: &S,
    run: &Execution<'_, E>,
    previous: &Option<ArtifactRecord>,
    f: &StageFailure,
    traces: &[TraceRecord],
    mut events: Vec<ActivityRecord>,
) -> Result<(), ExecuteError> {
    let (checkpoint, failed) = run.failed(previous, &f.class, &f.message);
    events.push(failed);
    Ok(store.write(&Writes { checkpoint: Some(&checkpoint), traces, activity: &events, version: None }).await?)
}

#[allow(clippy::too_many_arguments)] // the steps' results, handed on once
pub(super) async fn record_success<S: Store, B: BlobStore, E: Environment>(
    store: &S,
    blobs: &B,
    run: &Execution<'_, E>,
    prepared: &Prepared,
    options: &ExecuteOptions,
    success: GenerateSuccess,
    cache_hit: bool,
    traces: &[TraceRecord],
    mut events: Vec<ActivityRecord>,
) -> Result<StageOutcome, ExecuteError> {
    // The cache write is best effort (a miss only costs a later call), so it
    // overlaps the body's put.
    let cache_write = async {
        if options.use_cache && !cache_hit {
            let entry = serde_json::json!({"model": success.model, "artifact": success.artifact});
            let _ = blobs.put(&prepared.cache_key, entry.to_string().into_bytes()).await;
        }
    };
    let version = next_version(&prepared.previous);
    events.push(run.event(
        ActivityKind::StageSucceeded,
        format!(
            "The {} artifact v{version} is ready: {} tokens in {} model call{}, {} ms",
            run.stage,
            success.usage.total(),
            success.attempts,
            if success.attempts == 1 { "" } else { "s" },
            success.latency_ms
        ),
    ));
    let new_version = NewVersion {
        artifact: &success.artifact,
        input_hash: prepared.input_hash.clone(),
        source: Source::Agent,
        model: Some(success.model.clone()),
        // With the imports' context the PRD read, as its input hash has it.
        feedback: prepared.agent_request.feedback.clone(),
        previous: &prepared.previous,
    };
    let ((), committed) = join(cache_write, commit(store, blobs, run, new_version, traces, &events)).await;
    committed?;
    Ok(StageOutcome::Succeeded(StageSuccess {
        version,
        cost_usd: traces.iter().map(|t| t.cost_usd).sum(),
        artifact: success.artifact,
        usage: success.usage,
        attempts: success.attempts,
        latency_ms: success.latency_ms,
        model: success.model,
        cache_hit,
    }))
}

pub(super) fn next_version(previous: &Option<ArtifactRecord>) -> u32 {
    previous.as_ref().map_or(1, |p| p.version + 1)
}

pub(super) struct NewVersion<'a> {
    pub(super) artifact: &'a Value,
    pub(super) input_hash: String,
    pub(super) source: Source,
    pub(super) model: Option<String>,
    pub(super) feedback: Option<String>,
    pub(super) previous: &'a Option<ArtifactRecord>,
}

/// Writes a new version: the body first, then, in one write, its row, the
/// checkpoint, `traces` and `events`. When that write is refused by storage
/// the body is removed again (not on a conflict: a row for it exists), and
/// the traces and retries (they happened) go in with the failure, best
/// effort: the store may be what failed.
pub(super) async fn commit<S: Store, B: BlobStore, E: Environment>(
    store: &S,
    blobs: &B,
    run: &Execution<'_, E>,
    v: NewVersion<'_>,
    traces: &[TraceRecord],
    events: &[ActivityRecord],
) -> Result<u32, ExecuteError> {
    let (env, project_id, stage) = (run.env, run.project_id, run.stage);
    let version = next_version(v.previous);
    let body = v.artifact.to_string().into_bytes();
    let record = ArtifactRecord {
        id: env.new_id(),
        project_id: project_id.to_string(),
        stage,
        version,
        r2_key: artifact_key(project_id, stage, version),
        content_hash: content_hash(v.artifact),
        input_hash: v.input_hash.clone(),
        source: v.source,
        model: v.model,
        feedback: v.feedback,
        size_bytes: body.len() as u64,
        created_at: env.now_ms(),
    };
    let checkpoint = CheckpointRecord {
        last_good_version: Some(version),
        input_hash: Some(v.input_hash),
        ..run.checkpoint(CheckpointStatus::Done, v.previous)
    };
    let result = match blobs.put(&record.r2_key, body).await {
        Err(e) => Err(e),
        Ok(()) => {
            let written = Writes { version: Some(&record), checkpoint: Some(&checkpoint), traces, activity: events };
            let result = store.write(&written).await;
            // A conflict means a row for this version exists (a retried
            // batch that had landed, or another writer): its body stays.
            if matches!(result, Err(StoreError::Unavailable(_))) {
                let _ = blobs.delete(std::slice::from_ref(&record.r2_key)).await;
            }
            result
        }
    };
    if let Err(e) = result {
        let (checkpoint, failed) = run.failed(v.previous, "storage", &format!("could not store the artifact ({e})"));
        // The retries happened and the tokens were spent: both are kept.
        let mut kept: Vec<ActivityRecord> =
            events.iter().filter(|e| e.kind == ActivityKind::StageRetried).cloned().collect();
        kept.push(failed);
        let _ = store.write(&Writes { checkpoint: Some(&checkpoint), traces, activity: &kept, version: None }).await;
        return Err(e.into());
    }
    Ok(version)
}
