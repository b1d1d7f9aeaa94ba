//! The upstream a stage is built from: the newest version of each stage it
//! needs, read from the store and the blob store.

use super::ExecuteError;
use crate::artifact::{Artifact, Upstream};
use crate::hash::InputRef;
use crate::run::store::*;
use crate::stage::Stage;
use futures_util::future::try_join_all;
use serde_json::Value;
use std::collections::BTreeMap;

/// The upstream a stage would be built from.
pub struct LoadedInputs {
    /// Bodies by stage, exactly the stage's needs.
    pub bodies: BTreeMap<Stage, Value>,
    /// Their versions and hashes.
    pub refs: Vec<InputRef>,
}

/// Loads the newest version of every stage `stage` needs.
pub async fn load_inputs<S: Store, B: BlobStore>(
    store: &S,
    blobs: &B,
    project_id: &str,
    stage: Stage,
) -> Result<LoadedInputs, ExecuteError> {
    load_needs(store, blobs, project_id, stage, false).await
}

/// Loads the newest version of every stage `stage` needs; with `partial`,
/// the ones that exist (an import may come before its inputs).
pub(super) async fn load_needs<S: Store, B: BlobStore>(
    store: &S,
    blobs: &B,
    project_id: &str,
    stage: Stage,
    partial: bool,
) -> Result<LoadedInputs, ExecuteError> {
    // One lookup per need, overlapped; then the bodies, overlapped.
    let found =
        try_join_all(stage.needs().iter().map(|need| async move {
            Ok::<_, ExecuteError>((*need, store.latest_artifact(project_id, *need).await?))
        }))
        .await?;
    let missing: Vec<Stage> = found.iter().filter(|(_, r)| r.is_none()).map(|(s, _)| *s).collect();
    if !missing.is_empty() && !partial {
        return Err(ExecuteError::MissingUpstream { stage, missing });
    }
    let records: Vec<ArtifactRecord> = found.into_iter().filter_map(|(_, r)| r).collect();
    let loaded = try_join_all(records.iter().map(|r| async move {
        let bytes = blobs.get(&r.r2_key).await?.ok_or_else(|| {
            ExecuteError::Storage(format!("the body of {} v{} is missing from storage", r.stage, r.version))
        })?;
        let body: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ExecuteError::Storage(format!("the body of {} v{} is unreadable: {e}", r.stage, r.version)))?;
        Ok::<_, ExecuteError>(body)
    }))
    .await?;
    let mut bodies = BTreeMap::new();
    let mut refs = Vec::new();
    for (r, body) in records.into_iter().zip(loaded) {
        refs.push(InputRef { stage: r.stage, version: r.version, content_hash: r.content_hash.clone() });
        bodies.insert(r.stage, body);
    }
    Ok(LoadedInputs { bodies, refs })
}

/// The bodies as typed artifacts (those that parse), for validation.
pub(super) fn typed_upstream(bodies: &BTreeMap<Stage, Value>) -> Upstream {
    let mut up = Upstream::default();
    for (stage, body) in bodies {
        if let Ok(a) = Artifact::from_value(*stage, body.clone()) {
            up.insert(a);
        }
    }
    up
}
