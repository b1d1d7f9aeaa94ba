//! Running stages: the pipeline (`run`, `cancel`, `approve`, `regenerate`),
//! one stage at once (`execute`), and what a run will do and did (`plan`,
//! `activity`, `traces`).

use serde_json::{Map, Value};

use crate::agent::protocol::{CallKind, CallProgress};
use crate::api::projects::Run;
use crate::gemini::Usage;
// The plan is the domain's own record (it carries its schema): one definition.
pub use crate::run::plan::{
    BudgetCheck, CostRange, OutputBasis, Plan, PlanStage, PromptBasis, StageEstimate, TokenRange,
};
// So are the traces report's (built from D1's rows there).
pub use crate::run::traces::{EstimateAgainstActual, Outcome, TokenTotals, Trace, Traces};
use crate::schema::{Describe, Property, Schema};
use crate::Stage;

crate::record! {
    /// One stage to run now.
    #[openapi = r#""additionalProperties": false"#]
    pub struct Execute {
        /// The project.
        #[openapi = r#""pattern": "^[0-9a-f-]{8,64}$""#]
        pub project_id: String,
        /// The stage.
        pub stage: Stage,
        /// Extra context for the model: text, an object, or null.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""oneOf": [{"type": "string", "maxLength": 8000}, {"type": "object"}, {"type": "null"}]"#]
        pub context: Option<Value>,
    }
}

crate::label_enum! {
    /// A stage that produced its artifact.
    pub enum Done { Done = "done" }
}

crate::record! {
    /// A stage run now: its new version and what the call cost.
    #[to_json]
    pub struct StageExecuted {
        /// The project.
        pub project_id: String,
        /// The stage.
        pub stage: Stage,
        /// Always `done`.
        pub status: Done,
        /// The new version.
        #[openapi = r#""minimum": 0"#]
        pub version: u64,
        /// The artifact.
        pub artifact: Map<String, Value>,
        /// Gemini's token counts.
        pub usage: Map<String, Value>,
        /// The model.
        pub model: String,
        /// Calls made.
        #[openapi = r#""minimum": 0"#]
        pub attempts: u64,
        /// How long it took.
        #[openapi = r#""minimum": 0"#]
        pub latency_ms: u64,
        /// What it cost.
        pub cost_usd: f64,
        /// Answered from the cache.
        pub cache_hit: bool,
    }
}

crate::record! {
    /// A run after a command.
    #[to_json]
    pub struct RunAnswer {
        /// The run.
        pub run: Run,
    }
}

crate::record! {
    /// A run already active (or one waiting for quota, resumed).
    #[to_json]
    pub struct RunActive {
        /// The run.
        pub run: Run,
        /// Always false: no new run started.
        #[openapi = r#""const": false"#]
        pub started: bool,
        /// The run was waiting for Gemini quota and resumes now (Retry now)
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""const": true"#]
        pub resumed: Option<bool>,
    }
}

crate::record! {
    /// A run started.
    #[to_json]
    pub struct RunStarted {
        /// The run.
        pub run: Run,
        /// Always true.
        #[openapi = r#""const": true"#]
        pub started: bool,
    }
}

crate::record! {
    /// What the new version should do differently.
    #[openapi = r#""additionalProperties": false"#]
    pub struct Regenerate {
        /// Feedback for the model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""maxLength": 8000"#]
        pub feedback: Option<Option<String>>,
    }
}

crate::record! {
    /// Which events to read.
    pub struct ActivityQuery {
        /// Most events (default 200).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 1, "maximum": 1000"#]
        pub limit: Option<u64>,
    }
}

crate::record! {
    /// One event of the feed.
    #[to_json]
    pub struct ActivityEvent {
        /// Id.
        pub id: String,
        /// The stage, if one.
        pub stage: Option<Stage>,
        /// What happened.
        pub kind: String,
        /// For people.
        pub message: String,
        /// When, ms since the epoch.
        #[openapi = r#""minimum": 0"#]
        pub created_at: u64,
    }
}

crate::record! {
    /// The activity feed: its newest events (at most `limit`), oldest first.
    #[to_json]
    pub struct Activity {
        /// The project.
        pub project_id: String,
        /// The events.
        pub events: Vec<ActivityEvent>,
    }
}

crate::record! {
    /// Plan a regeneration.
    pub struct PlanQuery {
        /// Plan a regeneration of this stage (never answered from the cache) and the run after it
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub regenerate: Option<Stage>,
    }
}

crate::record! {
    /// An edit to plan for, as a save would take it.
    #[openapi = r#""additionalProperties": false"#]
    pub struct PlanEdit {
        /// The stage edited.
        pub stage: Stage,
        /// The edited artifact.
        pub artifact: Map<String, Value>,
    }
}

// The event stream (`GET …/events`): each frame's data is one of these.

crate::record! {
    /// An `activity` frame of the event stream: one activity row as it is written.
    #[to_json]
    pub struct LiveActivity {
        /// What happened (also the frame's event name).
        pub kind: String,
        /// The stage, if one.
        pub stage: Option<Stage>,
        /// For people.
        pub message: String,
        /// When, ms since the epoch.
        pub created_at: u64,
    }
}

/// A `progress` frame of the event stream: a stage's agent's
/// [`CallProgress`] with the stage it writes. Its schema is composed from
/// [`CallProgress`]'s, so the web app's `ProgressEvent` follows that type.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressEvent;

impl Describe for ProgressEvent {
    fn schema() -> Schema {
        let Schema::Named { schema, .. } = CallProgress::schema() else { unreachable!("CallProgress is named") };
        let Schema::Object(call) = *schema else { unreachable!("CallProgress is an object") };
        let mut props = vec![Property::new("stage", "The stage being written.", Stage::schema())];
        props.extend(call);
        Schema::Named {
            name: "ProgressEvent",
            doc: " A `progress` frame of the event stream: a model call writing a stage's answer (the agent's `CallProgress` with its stage).",
            schema: Box::new(Schema::Object(props)),
        }
    }
}

// By hand, beside the serde types the agents stream (their derives stay as
// the agents' WASM has them); a test holds each to its serde form.

impl Describe for CallKind {
    fn schema() -> Schema {
        Schema::Named {
            name: "CallKind",
            doc: " Whether a model call was the first generation or the repair.",
            schema: Box::new(Schema::Enum(&["generate", "repair"])),
        }
    }
}

impl Describe for Usage {
    fn schema() -> Schema {
        Schema::Named {
            name: "Usage",
            doc: " Token usage as Parit reports it.",
            schema: Box::new(Schema::Object(vec![
                Property::new("prompt_tokens", "Prompt tokens.", Schema::Integer),
                Property::new("output_tokens", "Answer tokens.", Schema::Integer),
                Property::new("thoughts_tokens", "Thinking tokens.", Schema::Integer),
                Property::new(
                    "cached_tokens",
                    "Of the prompt tokens, those served from the context cache (absent when none).",
                    Schema::Integer,
                )
                .optional(),
            ])),
        }
    }
}

impl Describe for CallProgress {
    fn schema() -> Schema {
        Schema::Named {
            name: "CallProgress",
            doc: " How far a stage's generation has got.",
            schema: Box::new(Schema::Object(vec![
                Property::new(
                    "attempt",
                    "Counts the texts the generation has started: a retry or the repair starts a new one, a further segment does not.",
                    Schema::Integer,
                ),
                Property::new("kind", "Generation or repair (null: not said).", Option::<CallKind>::schema()),
                Property::new("segment", "The segment being written, from 1.", Schema::Integer),
                Property::new("output_tokens", "Answer tokens of this attempt so far.", Schema::Integer),
                Property::new("thought_tokens", "Thinking tokens of this attempt so far (never part of the answer).", Schema::Integer),
                Property::new("estimated", "Whether the answer's count is estimated from characters.", Schema::Boolean),
                Property::new("delta", "Answer text (never thoughts) appended since the last progress.", Schema::String),
                Property::new("elapsed_ms", "Since this attempt started.", Schema::Integer),
                Property::new(
                    "billed",
                    "Every token the generation has been billed for so far, the call being written included as far as it is known.",
                    Usage::schema(),
                ),
            ])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The property names of a named object schema.
    fn names(schema: &Schema) -> Vec<String> {
        let Schema::Named { schema, .. } = schema else { panic!("{schema:?}") };
        let Schema::Object(props) = &**schema else { panic!("{schema:?}") };
        props.iter().map(|p| p.name.clone()).collect()
    }

    /// The hand-written schemas of the agents' serde types name exactly the
    /// fields serde writes, and what serde writes fits them.
    #[test]
    fn call_progress_schema_is_what_serde_writes() {
        let progress = CallProgress {
            attempt: 2,
            kind: Some(CallKind::Repair),
            segment: 1,
            output_tokens: 10,
            thought_tokens: 3,
            estimated: true,
            delta: "{\"".into(),
            elapsed_ms: 40,
            billed: Usage { prompt_tokens: 5, output_tokens: 10, thoughts_tokens: 3, cached_tokens: 2 },
        };
        let value = serde_json::to_value(&progress).unwrap();
        let written: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        let mut described = names(&CallProgress::schema());
        described.sort();
        assert_eq!(written, described);
        let billed: Vec<String> = value["billed"].as_object().unwrap().keys().cloned().collect();
        let mut usage = names(&Usage::schema());
        usage.sort();
        assert_eq!(billed, usage);
        assert_eq!(CallProgress::schema().check(&value), Vec::<String>::new());
        assert_eq!(
            CallProgress::schema().check(&serde_json::to_value(CallProgress::default()).unwrap()),
            Vec::<String>::new()
        );
        let mut event = value;
        event["stage"] = json!("prd");
        assert_eq!(ProgressEvent::schema().check(&event), Vec::<String>::new());
        for kind in [CallKind::Generate, CallKind::Repair] {
            assert_eq!(CallKind::schema().check(&serde_json::to_value(kind).unwrap()), Vec::<String>::new());
        }
    }
}
