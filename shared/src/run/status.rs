//! Where each stage of a project stands: pending, running, done, failed or
//! stale. Computed in topological order so staleness flows downstream: a
//! stage is done only if its version was built from exactly the current
//! contents of its inputs (same input hash) *and* every input is done.

use crate::hash::{input_hash, InputRef};
use crate::project::ProjectSettings;
use crate::run::store::{ArtifactRecord, CheckpointRecord, CheckpointStatus, Source};
use crate::stage::Stage;
use std::collections::BTreeMap;

// The status itself is a word of the stage's vocabulary (`stage`), so that
// checks (`check::ready`) can read a status without importing the run.
pub use crate::stage::StageStatus;

/// The input hash of an import stored before the stage's inputs existed (a
/// project that starts from what it has): such a version stays current, and
/// the stages before it read it as context instead of replacing it.
pub const IMPORTED_AHEAD: &str = "imported-ahead-of-its-inputs";

/// Whether `record` is an import stored before its inputs existed.
pub fn imported_ahead(record: &ArtifactRecord) -> bool {
    record.source == Source::Import && record.input_hash == IMPORTED_AHEAD
}

/// The input refs a stage would be built from now, or `None` if an input is missing.
pub fn current_inputs(stage: Stage, latest: &BTreeMap<Stage, ArtifactRecord>) -> Option<Vec<InputRef>> {
    stage
        .needs()
        .iter()
        .map(|n| {
            latest.get(n).map(|a| InputRef { stage: *n, version: a.version, content_hash: a.content_hash.clone() })
        })
        .collect()
}

/// The input hash `record` would carry if it were made now from the current inputs.
pub fn expected_input_hash(
    record: &ArtifactRecord,
    latest: &BTreeMap<Stage, ArtifactRecord>,
    settings: &ProjectSettings,
) -> Option<String> {
    let inputs = current_inputs(record.stage, latest)?;
    let settings = (record.source == Source::Agent).then_some(settings);
    Some(input_hash(record.stage, &inputs, settings, record.feedback.as_deref()))
}

/// Every stage's status.
pub fn stage_statuses(
    latest: &[ArtifactRecord],
    checkpoints: &[CheckpointRecord],
    settings: &ProjectSettings,
) -> BTreeMap<Stage, StageStatus> {
    // By insertion: `collect()` into a BTreeMap sorts, and each sort costs WASM.
    let mut by_stage = BTreeMap::new();
    for a in latest {
        by_stage.insert(a.stage, a.clone());
    }
    let latest = by_stage;
    let mut out = BTreeMap::new();
    for stage in Stage::ALL {
        let checkpoint = checkpoints.iter().find(|c| c.stage == stage).map(|c| c.status);
        let status = match (checkpoint, latest.get(&stage)) {
            (Some(CheckpointStatus::Running), _) => StageStatus::Running,
            (Some(CheckpointStatus::Failed), _) => StageStatus::Failed,
            (_, None) => StageStatus::Pending,
            (_, Some(record)) if imported_ahead(record) => StageStatus::Done,
            (_, Some(record)) => {
                let inputs_done = stage.needs().iter().all(|n| out.get(n) == Some(&StageStatus::Done));
                let current = expected_input_hash(record, &latest, settings).is_some_and(|h| h == record.input_hash);
                if inputs_done && current {
                    StageStatus::Done
                } else {
                    StageStatus::Stale
                }
            }
        };
        out.insert(stage, status);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::content_hash;

    fn record(
        stage: Stage,
        content: &str,
        latest: &BTreeMap<Stage, ArtifactRecord>,
        s: &ProjectSettings,
    ) -> ArtifactRecord {
        let inputs = current_inputs(stage, latest).unwrap();
        ArtifactRecord {
            id: format!("{stage}"),
            project_id: "p".into(),
            stage,
            version: 1,
            r2_key: String::new(),
            content_hash: content_hash(&serde_json::json!(content)),
            input_hash: input_hash(stage, &inputs, Some(s), None),
            source: Source::Agent,
            model: None,
            feedback: None,
            size_bytes: 0,
            created_at: 0,
        }
    }

    fn all_done(s: &ProjectSettings) -> BTreeMap<Stage, ArtifactRecord> {
        let mut latest = BTreeMap::new();
        for stage in Stage::ALL {
            let r = record(stage, stage.as_str(), &latest, s);
            latest.insert(stage, r);
        }
        latest
    }

    #[test]
    fn fresh_versions_are_done_and_missing_ones_pending() {
        let s = ProjectSettings::default();
        let latest: Vec<ArtifactRecord> = all_done(&s).into_values().collect();
        let st = stage_statuses(&latest, &[], &s);
        assert!(st.values().all(|v| *v == StageStatus::Done), "{st:?}");
        let st = stage_statuses(&latest[..1], &[], &s);
        assert_eq!(st[&Stage::Prd], StageStatus::Done);
        assert_eq!(st[&Stage::Data], StageStatus::Pending);
    }

    #[test]
    fn an_edit_makes_exactly_the_descendants_stale() {
        let s = ProjectSettings::default();
        let mut latest = all_done(&s);
        // A human edits the data model: new content, built from the current PRD.
        let mut edited = latest[&Stage::Data].clone();
        edited.content_hash = content_hash(&serde_json::json!("edited"));
        edited.source = Source::Human;
        edited.input_hash = input_hash(Stage::Data, &current_inputs(Stage::Data, &latest).unwrap(), None, None);
        latest.insert(Stage::Data, edited);
        let st = stage_statuses(&latest.values().cloned().collect::<Vec<_>>(), &[], &s);
        let stale: Vec<Stage> = st.iter().filter(|(_, v)| **v == StageStatus::Stale).map(|(k, _)| *k).collect();
        assert_eq!(stale, Stage::Data.descendants());
        assert_eq!(st[&Stage::Data], StageStatus::Done);
        assert_eq!(st[&Stage::Design], StageStatus::Done);
    }

    #[test]
    fn settings_stale_agent_versions_but_not_human_ones() {
        let s = ProjectSettings::default();
        let mut latest = all_done(&s);
        let mut prd = latest[&Stage::Prd].clone();
        prd.source = Source::Human;
        prd.input_hash = input_hash(Stage::Prd, &[], None, None);
        latest.insert(Stage::Prd, prd);
        let hotter = ProjectSettings { temperature: Some(1.0), ..s };
        let st = stage_statuses(&latest.values().cloned().collect::<Vec<_>>(), &[], &hotter);
        assert_eq!(st[&Stage::Prd], StageStatus::Done);
        assert_eq!(st[&Stage::Data], StageStatus::Stale);
    }

    #[test]
    fn checkpoints_override() {
        let s = ProjectSettings::default();
        let latest: Vec<ArtifactRecord> = all_done(&s).into_values().collect();
        let cp = |stage, status| CheckpointRecord {
            project_id: "p".into(),
            stage,
            status,
            last_good_version: Some(1),
            input_hash: None,
            error_class: None,
            error_message: None,
            updated_at: 0,
        };
        let st = stage_statuses(
            &latest,
            &[cp(Stage::Logic, CheckpointStatus::Failed), cp(Stage::Design, CheckpointStatus::Running)],
            &s,
        );
        assert_eq!(st[&Stage::Logic], StageStatus::Failed);
        assert_eq!(st[&Stage::Design], StageStatus::Running);
        assert_eq!(st[&Stage::Api], StageStatus::Stale);
        assert_eq!(st[&Stage::Frontend], StageStatus::Stale);
        assert_eq!(st[&Stage::Data], StageStatus::Done);
    }
}
