//! A person's version of a stage, an edit or an import: checked as an
//! agent's answer is, then committed the same way.

use super::inputs::{load_needs, typed_upstream, LoadedInputs};
use super::record::{commit, next_version, NewVersion};
use super::{ExecuteError, Execution};
use crate::artifact::Artifact;
use crate::check::validate::validate;
use crate::hash::input_hash;
use crate::run::store::*;
use crate::stage::Stage;
use serde_json::Value;

/// Why a human edit was not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    /// The body is not a valid artifact of the stage; every problem.
    #[error("the {stage} artifact has {} problem(s)", problems.len())]
    Invalid {
        /// The stage.
        stage: Stage,
        /// Each problem, `path: what`.
        problems: Vec<String>,
    },
    /// The project, its upstream, or storage.
    #[error(transparent)]
    Execute(#[from] ExecuteError),
}

/// A version a person submits: an edit, or an import of what they had.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission<'a> {
    /// The artifact.
    pub body: Value,
    /// `Source::Human` for an edit, `Source::Import` for an import.
    pub source: Source,
    /// Appended to the activity event after the version, e.g. `" (2 constructs not imported)"`.
    pub note: &'a str,
    /// What an import holds, in a few lines: kept with the version (its
    /// `feedback`), and read by the PRD stage as context.
    pub context: Option<String>,
}

impl Submission<'_> {
    /// A person's edit.
    pub fn edit(body: Value) -> Submission<'static> {
        Submission { body, source: Source::Human, note: "", context: None }
    }
}

/// Stores a person's version of `stage` (an edit or an import) after
/// checking it against the schema and the validation rules (with its upstream).
pub async fn store_human_version<S: Store, B: BlobStore, E: Environment>(
    store: &S,
    blobs: &B,
    env: &E,
    project_id: &str,
    stage: Stage,
    submission: Submission<'_>,
) -> Result<u32, EditError> {
    let Submission { body, source, note, context } = submission;
    let import = source == Source::Import;
    let (value, inputs) = check_edit_inputs(store, blobs, project_id, stage, body, import).await?;
    // An import before its inputs exist (a project that starts from what it
    // has) stays current as they are built: it is what the user has.
    let ahead = inputs.refs.len() < stage.needs().len();
    let previous = store.latest_artifact(project_id, stage).await.map_err(ExecuteError::from)?;
    let run = Execution { env, project_id, stage, id: env.new_id() };
    let version = next_version(&previous);
    let (kind, how) = match source {
        Source::Import => (ActivityKind::ArtifactImported, "imported"),
        _ => (ActivityKind::ArtifactEdited, "edited by hand"),
    };
    let event = run.event(
        kind,
        format!("The {stage} artifact was {how}: v{version}{note}; the stages that depend on it are now stale"),
    );
    let new_version = NewVersion {
        artifact: &value,
        input_hash: match ahead {
            true => crate::run::status::IMPORTED_AHEAD.to_string(),
            false => input_hash(stage, &inputs.refs, None, context.as_deref()),
        },
        source,
        model: None,
        feedback: context,
        previous: &previous,
    };
    Ok(commit(store, blobs, &run, new_version, &[], &[event]).await?)
}

/// The body as the stage's artifact (its canonical JSON) if saving it would
/// succeed: it fits the schema and passes validation against the stored
/// upstream; else every problem.
pub(crate) async fn check_edit<S: Store, B: BlobStore>(
    store: &S,
    blobs: &B,
    project_id: &str,
    stage: Stage,
    body: Value,
) -> Result<Value, EditError> {
    Ok(check_edit_inputs(store, blobs, project_id, stage, body, false).await?.0)
}

async fn check_edit_inputs<S: Store, B: BlobStore>(
    store: &S,
    blobs: &B,
    project_id: &str,
    stage: Stage,
    body: Value,
    partial: bool,
) -> Result<(Value, LoadedInputs), EditError> {
    store.project(project_id).await.map_err(ExecuteError::from)?.ok_or(ExecuteError::ProjectNotFound)?;
    let inputs = load_needs(store, blobs, project_id, stage, partial).await?;
    let artifact = Artifact::from_value(stage, body).map_err(|e| EditError::Invalid { stage, problems: e.problems })?;
    let problems = validate(&artifact, &typed_upstream(&inputs.bodies));
    if !problems.is_empty() {
        return Err(EditError::Invalid { stage, problems });
    }
    Ok((artifact.to_value(), inputs))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{good, run, store_with_project};
    use super::super::StageOutcome;
    use super::*;
    use crate::fixtures::examples;
    use crate::fixtures::memory::*;
    use futures_executor::block_on;

    #[test]
    fn human_edits_are_validated_then_versioned() {
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        let agents = FnAgents::new(good);
        run(&store, &blobs, &agents, Stage::Prd).unwrap();
        run(&store, &blobs, &agents, Stage::Data).unwrap();
        let env = TickingEnv::default();
        let edit =
            |body| block_on(store_human_version(&store, &blobs, &env, "p1", Stage::Data, Submission::edit(body)));
        let mut data = examples::pantry().artifact(Stage::Data).to_value();
        data["entities"][1]["fields"][2]["references"] = serde_json::json!("Ghost");
        data["indexes"][0]["fields"] = serde_json::json!(["nope"]);
        let Err(EditError::Invalid { problems, .. }) = edit(data) else { panic!() };
        assert_eq!(problems.len(), 2, "{problems:?}");
        let mut data = examples::pantry().artifact(Stage::Data).to_value();
        data["entities"][0]["description"] = serde_json::json!("A person who cooks.");
        let v = edit(data).unwrap();
        assert_eq!(v, 2);
        let row = store.artifacts.borrow().last().cloned().unwrap();
        assert_eq!(row.source, Source::Human);
        assert_eq!(store.activity.borrow().last().unwrap().kind, ActivityKind::ArtifactEdited);
        let err = block_on(store_human_version(
            &store,
            &blobs,
            &env,
            "p1",
            Stage::Api,
            Submission::edit(serde_json::json!({})),
        ))
        .unwrap_err();
        assert!(matches!(err, EditError::Execute(ExecuteError::MissingUpstream { .. })));
        // An import is stored the same way, under its own source and event.
        let imported = Submission {
            body: examples::clinic().artifact(Stage::Data).to_value(),
            source: Source::Import,
            note: " (1 construct not imported)",
            context: None,
        };
        assert_eq!(block_on(store_human_version(&store, &blobs, &env, "p1", Stage::Data, imported)).unwrap(), 3);
        assert_eq!(store.artifacts.borrow().last().unwrap().source, Source::Import);
        let event = store.activity.borrow().last().cloned().unwrap();
        assert_eq!(event.kind, ActivityKind::ArtifactImported);
        assert_eq!(
            event.message,
            "The data artifact was imported: v3 (1 construct not imported); the stages that depend on it are now stale"
        );
    }

    #[test]
    fn a_project_starts_from_an_import_and_its_prd_reads_it_as_context() {
        use crate::run::status::{stage_statuses, StageStatus};
        let (store, blobs) = (store_with_project(), MemoryBlobs::default());
        let env = TickingEnv::default();
        // No PRD yet: the import is stored all the same, ahead of its input.
        let imported = Submission {
            body: examples::pantry().artifact(Stage::Data).to_value(),
            source: Source::Import,
            note: "",
            context: Some("The project starts from an imported data model: Recipe, Ingredient.".into()),
        };
        assert_eq!(block_on(store_human_version(&store, &blobs, &env, "p1", Stage::Data, imported)).unwrap(), 1);
        let row = store.artifacts.borrow().last().cloned().unwrap();
        assert_eq!(row.input_hash, crate::run::status::IMPORTED_AHEAD);
        let statuses = |store: &MemoryStore| {
            let latest = block_on(store.latest_artifacts("p1")).unwrap();
            stage_statuses(&latest, &[], &block_on(store.settings("p1")).unwrap())
        };
        assert_eq!(statuses(&store)[&Stage::Data], StageStatus::Done);
        assert_eq!(statuses(&store)[&Stage::Prd], StageStatus::Pending);
        // The PRD is asked with what was imported, and the import stays current after it.
        let agents = FnAgents::new(good);
        assert!(matches!(run(&store, &blobs, &agents, Stage::Prd).unwrap(), StageOutcome::Succeeded(_)));
        let feedback = agents.requests.borrow()[0].1.feedback.clone();
        assert_eq!(feedback.as_deref(), Some("The project starts from an imported data model: Recipe, Ingredient."));
        assert_eq!(statuses(&store)[&Stage::Prd], StageStatus::Done);
        assert_eq!(statuses(&store)[&Stage::Data], StageStatus::Done);
        assert_eq!(statuses(&store)[&Stage::Logic], StageStatus::Pending);
        // An edit still needs its inputs.
        let err = block_on(store_human_version(
            &store,
            &blobs,
            &env,
            "p1",
            Stage::Api,
            Submission::edit(examples::pantry().artifact(Stage::Api).to_value()),
        ))
        .unwrap_err();
        assert!(matches!(err, EditError::Execute(ExecuteError::MissingUpstream { .. })));
    }
}
