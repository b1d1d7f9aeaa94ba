//! `/api/projects`: create, list, read, delete, settings.

use crate::gemini::catalogue::ThinkingLevel;
use crate::project::ProjectSettings;
use crate::run::status::StageStatus;
use crate::run::store::Source;
use crate::run::{RunState, RunStatus};
use crate::schema::{Describe, Property, Schema};
use crate::Stage;

crate::record! {
    /// A model per stage; null resets a stage to the project's model
    #[openapi = r#""additionalProperties": false"#]
    pub struct StageModelsPatch {
        /// The PRD's model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minLength": 1, "maxLength": 64, "pattern": "^[a-z0-9][a-z0-9.-]*$""#]
        pub prd: Option<Option<String>>,
        /// The data model's model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minLength": 1, "maxLength": 64, "pattern": "^[a-z0-9][a-z0-9.-]*$""#]
        pub data: Option<Option<String>>,
        /// The UI design's model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minLength": 1, "maxLength": 64, "pattern": "^[a-z0-9][a-z0-9.-]*$""#]
        pub design: Option<Option<String>>,
        /// The business logic's model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minLength": 1, "maxLength": 64, "pattern": "^[a-z0-9][a-z0-9.-]*$""#]
        pub logic: Option<Option<String>>,
        /// The API spec's model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minLength": 1, "maxLength": 64, "pattern": "^[a-z0-9][a-z0-9.-]*$""#]
        pub api: Option<Option<String>>,
        /// The frontend code's model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minLength": 1, "maxLength": 64, "pattern": "^[a-z0-9][a-z0-9.-]*$""#]
        pub frontend: Option<Option<String>>,
        /// The deployment config's model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minLength": 1, "maxLength": 64, "pattern": "^[a-z0-9][a-z0-9.-]*$""#]
        pub deployment: Option<Option<String>>,
    }
}

crate::record! {
    /// The settings to change; what is absent stays as it is.
    #[openapi = r#""additionalProperties": false"#]
    pub struct SettingsPatch {
        /// Gemini model id for every stage without its own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minLength": 1, "maxLength": 64, "pattern": "^[a-z0-9][a-z0-9.-]*$""#]
        pub model: Option<String>,
        /// Sampling temperature; null: the model's default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 0, "maximum": 2"#]
        pub temperature: Option<Option<f64>>,
        /// Output token cap per call; null: sized per stage.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 256, "maximum": 65536"#]
        pub max_output_tokens: Option<Option<u64>>,
        /// Most tokens the project may spend; null: unlimited.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 1000"#]
        pub token_budget: Option<Option<u64>>,
        /// Whether a run goes on without approval.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub auto_advance: Option<bool>,
        /// How much every stage thinks; null: each stage's default
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub thinking: Option<Option<ThinkingLevel>>,
        /// A model per stage; null resets a stage to the project's model
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub stage_models: Option<StageModelsPatch>,
    }
}

crate::record! {
    /// A new project: its name, the idea, and settings other than the defaults.
    #[openapi = r#""additionalProperties": false"#]
    pub struct CreateProject {
        /// The project's name.
        #[openapi = r#""minLength": 1, "maxLength": 120"#]
        pub name: String,
        /// The product idea, in a person's words.
        #[openapi = r#""minLength": 10, "maxLength": 5000"#]
        pub idea: String,
        /// Settings other than the defaults.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub settings: Option<SettingsPatch>,
    }
}

crate::record! {
    /// A page of the caller's projects.
    pub struct ListProjectsQuery {
        /// Projects a page (default 20).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 1, "maximum": 100"#]
        pub limit: Option<u64>,
        /// Where the page starts: a `nextCursor` this API returned.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub cursor: Option<String>,
    }
}

crate::label_enum! {
    /// A project's state in the list: its latest run's status, or `new`.
    pub enum ProjectStatus {
        New = "new",
        Running = "running",
        AwaitingApproval = "awaiting_approval",
        WaitingForQuota = "waiting_for_quota",
        Completed = "completed",
        Failed = "failed",
        Cancelled = "cancelled",
        BudgetExceeded = "budget_exceeded",
    }
}

crate::record! {
    /// The ready verdict as last decided.
    #[to_json]
    pub struct ReadyTally {
        /// Ready to hand off.
        pub ready: bool,
        /// Gaps that keep it from being ready.
        #[openapi = r#""minimum": 0"#]
        pub gaps: u64,
    }
}

crate::record! {
    /// One project in the list, with its tallies.
    #[to_json]
    pub struct ProjectSummary {
        /// Id.
        pub id: String,
        /// Name.
        pub name: String,
        /// The idea.
        pub idea: String,
        /// Created, ms since the epoch.
        #[openapi = r#""minimum": 0"#]
        pub created_at: u64,
        /// Last change, ms since the epoch.
        #[openapi = r#""minimum": 0"#]
        pub updated_at: u64,
        /// The latest run's status; new when the project has never been run
        pub status: ProjectStatus,
        /// Stages with an artifact.
        #[openapi = r#""minimum": 0, "maximum": 7"#]
        pub stages_built: u64,
        /// Tokens spent in all.
        #[openapi = r#""minimum": 0"#]
        pub total_tokens: u64,
        /// Dollars spent in all.
        #[openapi = r#""minimum": 0"#]
        pub cost_usd: f64,
        /// The ready verdict as decided after the project's last change (null when it changed since: open the project)
        pub ready: Option<ReadyTally>,
    }
}

crate::record! {
    /// A page of projects, newest first.
    #[to_json]
    pub struct ProjectPage {
        /// The projects.
        pub projects: Vec<ProjectSummary>,
        /// The next page's cursor; null on the last page.
        pub next_cursor: Option<String>,
    }
}

crate::record! {
    /// Why a stage failed.
    #[to_json]
    pub struct StageError {
        /// The failure class.
        pub class: Option<String>,
        /// What went wrong.
        pub message: Option<String>,
    }
}

crate::record! {
    /// One stage of a project: its status and newest version.
    #[to_json]
    pub struct StageView {
        /// The stage.
        pub stage: Stage,
        /// Its status.
        pub status: StageStatus,
        /// Its newest version, if any.
        pub version: Option<u64>,
        /// Who made that version.
        pub source: Option<Source>,
        /// The stages it reads.
        pub needs: Vec<Stage>,
        /// Why it failed, when it did.
        pub error: Option<StageError>,
        /// When its checkpoint last changed.
        pub updated_at: Option<u64>,
        /// The last version that passed, when the newest failed.
        pub last_good_version: Option<u64>,
    }
}

crate::record! {
    /// A run: its status, and while it is active, its steering state.
    #[to_json]
    pub struct Run {
        /// Id.
        pub id: String,
        /// The project.
        pub project_id: String,
        /// Its status.
        pub status: RunStatus,
        /// Why it ended or waits.
        pub message: Option<String>,
        /// Started, ms since the epoch.
        #[openapi = r#""minimum": 0"#]
        pub started_at: u64,
        /// Last change, ms since the epoch.
        #[openapi = r#""minimum": 0"#]
        pub updated_at: u64,
        /// Ended, ms since the epoch.
        pub finished_at: Option<u64>,
        /// While the run waits for Gemini quota: when it resumes by itself (ms since the epoch); POST …/run resumes it at once
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub resume_at: Option<Option<u64>>,
        /// While the run waits for Gemini quota: the stages told to wait
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub waiting_stages: Vec<Stage>,
        /// An active run: whether each stage waits for approval.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub approval_gates: Option<bool>,
        /// An active run: the stages waiting for approval.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub awaiting_approval: Vec<Stage>,
        /// An active run: whether a cancel is pending.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub cancel_requested: Option<bool>,
    }
}

impl Run {
    /// A run as its Durable Object holds it, as clients see it: with its
    /// steering state (`resumeAt` null when it does not wait).
    pub fn of(state: &RunState) -> Run {
        Run {
            id: state.id.clone(),
            project_id: state.project_id.clone(),
            status: state.status,
            message: state.message.clone(),
            started_at: state.started_at,
            updated_at: state.updated_at,
            finished_at: state.finished_at,
            resume_at: Some(state.resume_at),
            waiting_stages: state.waiting.clone(),
            approval_gates: Some(state.gated),
            awaiting_approval: state.awaiting_approval(),
            cancel_requested: Some(state.cancel_requested),
        }
    }
}

crate::record! {
    /// A project with its settings, each stage's status and the latest run.
    #[to_json]
    pub struct Project {
        /// Id.
        pub id: String,
        /// Name.
        pub name: String,
        /// The idea.
        pub idea: String,
        /// Created, ms since the epoch.
        #[openapi = r#""minimum": 0"#]
        pub created_at: u64,
        /// Last change, ms since the epoch.
        #[openapi = r#""minimum": 0"#]
        pub updated_at: u64,
        /// Its settings.
        pub settings: ProjectSettings,
        /// One line for each deprecated model a stage runs on: it still answers, but Google has said it goes (the field, the replacement, the earliest shutdown date)
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub model_warnings: Vec<String>,
        /// The seven stages, in pipeline order.
        #[openapi = r#""minItems": 7, "maxItems": 7"#]
        pub stages: Vec<StageView>,
        /// The latest run; null before the first.
        pub run: Option<Run>,
    }
}

crate::record! {
    /// What a delete removed.
    #[to_json]
    pub struct Deleted {
        /// The project's id.
        pub deleted: String,
        /// Stored objects removed.
        #[openapi = r#""minimum": 0"#]
        pub objects_deleted: u64,
    }
}

crate::record! {
    /// The settings after a change.
    #[to_json]
    pub struct SettingsChanged {
        /// The project.
        pub project_id: String,
        /// Its settings now.
        pub settings: ProjectSettings,
        /// One line for each deprecated model a stage runs on: it still answers, but Google has said it goes (the field, the replacement, the earliest shutdown date)
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub model_warnings: Vec<String>,
    }
}

/// The domain's settings are the answer's: described here, by hand, and
/// held to what serde writes by a test (the supervisor serializes the
/// domain value itself).
impl Describe for ProjectSettings {
    fn schema() -> Schema {
        let model = || Schema::String;
        Schema::Named {
            name: "Settings",
            doc: " A project's model and run settings.",
            schema: Box::new(Schema::Object(vec![
                Property::new("model", "Gemini model id, for every stage without its own.", model()),
                Property::new(
                    "stage_models",
                    "A model per stage, where the project wants another.",
                    Schema::Map(Box::new(model())),
                ),
                Property::new(
                    "temperature",
                    "Sampling temperature, 0 to 2; null: the model's default.",
                    Option::<f64>::schema(),
                ),
                Property::new(
                    "max_output_tokens",
                    "Output token cap per model call; null: sized per stage.",
                    Schema::refined(Option::<u32>::schema(), r#""minimum": 0"#),
                ),
                Property::new(
                    "thinking",
                    "How much every stage thinks; null: each stage's default.",
                    Option::<ThinkingLevel>::schema(),
                ),
                Property::new(
                    "token_budget",
                    "Most tokens the project may spend in all; null: unlimited.",
                    Option::<u64>::schema(),
                ),
                Property::new(
                    "auto_advance",
                    "Whether a run goes on to the next stage without approval.",
                    Schema::Boolean,
                ),
            ])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemini::catalogue::ThinkingLevel;
    use serde_json::{json, Value};

    /// What the run's Durable Object answers (`Run::of`) is the contract's
    /// `Run`: a waiting run with its wait, an active one with its gates.
    #[test]
    fn the_run_view_is_the_contracts_run() {
        use crate::run::RunEnd;
        use crate::schema::ToJson;
        let mut run = crate::run::RunState::start("r1".into(), "p1".into(), true, 5);
        let view = Run::of(&run).to_json();
        assert_eq!(Run::schema().check(&view), Vec::<String>::new());
        assert_eq!(
            (&view["status"], &view["approvalGates"], view.get("resumeAt")),
            (&json!("running"), &json!(true), Some(&Value::Null))
        );
        run.end(
            &RunEnd::WaitingForQuota {
                stages: vec![(Stage::Logic, "quota_per_minute".into())],
                retry_after_ms: 47_000,
            },
            10_000,
        );
        let view = Run::of(&run).to_json();
        assert_eq!(Run::schema().check(&view), Vec::<String>::new());
        assert_eq!(view["status"], "waiting_for_quota");
        assert_eq!(view["resumeAt"], 57_000);
        assert_eq!(view["waitingStages"], json!(["logic"]));
    }

    #[test]
    fn settings_schema_is_what_serde_writes() {
        let mut settings = ProjectSettings::default();
        settings.stage_models.insert(Stage::Frontend, "gemini-3-pro".into());
        settings.temperature = Some(0.5);
        settings.thinking = Some(ThinkingLevel::Low);
        for value in
            [serde_json::to_value(ProjectSettings::default()).unwrap(), serde_json::to_value(&settings).unwrap()]
        {
            let schema = ProjectSettings::schema();
            assert_eq!(schema.check(&value), Vec::<String>::new());
            let Schema::Named { schema, .. } = schema else { unreachable!() };
            let Schema::Object(props) = *schema else { unreachable!() };
            let mut described: Vec<String> = props.into_iter().map(|p| p.name).collect();
            described.sort();
            let written: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
            assert_eq!(written, described);
        }
    }
}
