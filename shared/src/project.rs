//! Projects and their settings as the API accepts them: every rule an input
//! must meet, checked here so the supervisor only translates errors to 4xx.

use crate::gemini::catalogue::GenerationSettings;
use crate::gemini::catalogue::{self, is_model_name, ThinkingLevel, DEFAULT_MODEL};
use crate::stage::Stage;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A project's model and run settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectSettings {
    /// Gemini model id, for every stage not in `stage_models`.
    pub model: String,
    /// A model per stage, where the project wants another (a stronger one for
    /// the frontend's code, say).
    #[serde(default)]
    pub stage_models: BTreeMap<Stage, String>,
    /// Sampling temperature, 0 to 2; `None` leaves the model's default (1.0,
    /// which Google recommends for Gemini 3; 3.6 Flash and later ignore it).
    pub temperature: Option<f64>,
    /// Output token cap per model call; `None` sizes it per stage
    /// ([`catalogue::call_config`]).
    pub max_output_tokens: Option<u32>,
    /// How much every stage thinks; `None` is each stage's default
    /// ([`catalogue::stage_thinking`]).
    pub thinking: Option<ThinkingLevel>,
    /// Most tokens the project may spend in all; `None` is unlimited.
    pub token_budget: Option<u64>,
    /// Whether a run goes on to the next stage without approval.
    pub auto_advance: bool,
}

/// By hand, field by field as serde writes them (a test holds it to that):
/// the settings are in the project answers.
impl crate::schema::ToJson for ProjectSettings {
    fn to_json(&self) -> Value {
        let mut stage_models = serde_json::Map::new();
        for (stage, model) in &self.stage_models {
            stage_models.insert(stage.as_str().to_string(), model.to_json());
        }
        let mut object = serde_json::Map::new();
        let put = crate::schema::put;
        put(&mut object, "model", Some(self.model.to_json()));
        put(&mut object, "stageModels", Some(Value::Object(stage_models)));
        put(&mut object, "temperature", Some(self.temperature.to_json()));
        put(&mut object, "maxOutputTokens", Some(self.max_output_tokens.to_json()));
        put(&mut object, "thinking", Some(self.thinking.to_json()));
        put(&mut object, "tokenBudget", Some(self.token_budget.to_json()));
        put(&mut object, "autoAdvance", Some(self.auto_advance.to_json()));
        Value::Object(object)
    }
}

impl Default for ProjectSettings {
    fn default() -> Self {
        Self {
            model: DEFAULT_MODEL.into(),
            stage_models: BTreeMap::new(),
            temperature: None,
            max_output_tokens: None,
            thinking: None,
            token_budget: None,
            auto_advance: true,
        }
    }
}

impl ProjectSettings {
    /// The model `stage` runs on.
    pub fn model_for(&self, stage: Stage) -> &str {
        self.stage_models.get(&stage).unwrap_or(&self.model)
    }

    /// Why the project cannot run on its settings, if it cannot: a stage's
    /// model that Google has shut down (chosen before it was), with its
    /// replacement. Checked before a run spends a token.
    pub fn shut_down_models(&self) -> Option<InputError> {
        let why = self.about_models(catalogue::refusal);
        (!why.is_empty()).then(|| InputError {
            message: format!("change the project's settings before running it: {}", why.join("; ")),
            refused: true,
        })
    }

    /// A warning for each model a stage runs on that Google has deprecated
    /// (it still answers), naming the field, the replacement and the date.
    pub fn model_warnings(&self) -> Vec<String> {
        self.about_models(catalogue::warning)
    }

    /// `message` for the activity feed, followed by [`Self::model_warnings`].
    pub fn noting_warnings(&self, message: String) -> String {
        let warnings = self.model_warnings();
        if warnings.is_empty() {
            message
        } else {
            format!("{message}. Note: {}", warnings.join("; "))
        }
    }

    /// `say` of every model some stage runs on, prefixed with its settings
    /// field. The project's model counts only while some stage runs on it.
    fn about_models(&self, say: impl Fn(&str) -> Option<String>) -> Vec<String> {
        let base_used = Stage::ALL.iter().any(|s| !self.stage_models.contains_key(s));
        let base = base_used.then(|| ("settings.model".to_string(), self.model.as_str()));
        let per_stage = self.stage_models.iter().map(|(s, m)| (format!("settings.stageModels.{s}"), m.as_str()));
        base.into_iter()
            .chain(per_stage)
            .filter_map(|(field, model)| say(model).map(|r| format!("{field}: {r}")))
            .collect()
    }

    /// The part `stage`'s agent needs.
    pub fn generation(&self, stage: Stage) -> GenerationSettings {
        GenerationSettings {
            model: Some(self.model_for(stage).to_string()),
            temperature: self.temperature,
            max_output_tokens: self.max_output_tokens,
            thinking: self.thinking,
        }
    }

    /// Applies a JSON patch of settings (`model`, `stageModels`,
    /// `temperature`, `maxOutputTokens`, `thinking`, `tokenBudget`,
    /// `autoAdvance`; null resets a choice to its default), checking every
    /// field; nothing changes unless all are valid.
    pub fn patched(&self, patch: &Value) -> Result<ProjectSettings, InputError> {
        let Some(map) = patch.as_object() else {
            return Err(InputError::new("settings must be a JSON object"));
        };
        let mut next = self.clone();
        let (mut problems, mut refused) = (Vec::new(), Vec::new());
        for (key, value) in map {
            match key.as_str() {
                "model" => match model_choice(value) {
                    Ok(m) => next.model = m,
                    Err(Refusal::Malformed(why)) => problems.push(format!("settings.model{why}")),
                    Err(Refusal::ShutDown(why)) => refused.push(format!("settings.model{why}")),
                },
                "stageModels" => match value.as_object() {
                    Some(choices) => {
                        for (name, choice) in choices {
                            let Some(stage) = Stage::parse(name) else {
                                problems.push(format!("settings.stageModels.{name} is not a stage"));
                                continue;
                            };
                            match choice {
                                Value::Null => {
                                    next.stage_models.remove(&stage);
                                }
                                v => match model_choice(v) {
                                    Ok(m) => {
                                        next.stage_models.insert(stage, m);
                                    }
                                    Err(Refusal::Malformed(why)) => {
                                        problems.push(format!("settings.stageModels.{name}{why}"))
                                    }
                                    Err(Refusal::ShutDown(why)) => {
                                        refused.push(format!("settings.stageModels.{name}{why}"))
                                    }
                                },
                            }
                        }
                    }
                    None => problems.push("settings.stageModels must be an object of stage: model id (or null)".into()),
                },
                "temperature" => match value {
                    Value::Null => next.temperature = None,
                    v => match v.as_f64() {
                        Some(t) if (0.0..=2.0).contains(&t) => next.temperature = Some(t),
                        _ => problems.push("settings.temperature must be null or a number from 0 to 2".to_string()),
                    },
                },
                "maxOutputTokens" => match value {
                    Value::Null => next.max_output_tokens = None,
                    v => match v.as_u64() {
                        Some(n) if (256..=65_536).contains(&n) => next.max_output_tokens = Some(n as u32),
                        _ => problems
                            .push("settings.maxOutputTokens must be null or a whole number from 256 to 65536".to_string()),
                    },
                },
                "thinking" => match value {
                    Value::Null => next.thinking = None,
                    v => match v.as_str().and_then(ThinkingLevel::parse) {
                        Some(l) => next.thinking = Some(l),
                        None => {
                            let levels: Vec<&str> = ThinkingLevel::ALL.iter().map(|l| l.as_str()).collect();
                            problems.push(format!("settings.thinking must be null or one of {}", levels.join(", ")))
                        }
                    },
                },
                "tokenBudget" => match value {
                    Value::Null => next.token_budget = None,
                    v => match v.as_u64() {
                        Some(n) if n >= 1_000 => next.token_budget = Some(n),
                        _ => problems
                            .push("settings.tokenBudget must be null or a whole number of at least 1000".to_string()),
                    },
                },
                "autoAdvance" => match value.as_bool() {
                    Some(b) => next.auto_advance = b,
                    None => problems.push("settings.autoAdvance must be true or false".to_string()),
                },
                other => problems.push(format!(
                    "settings.{other} is not a setting (model, stageModels, temperature, maxOutputTokens, thinking, tokenBudget, autoAdvance)"
                )),
            }
        }
        match (problems.is_empty(), refused.is_empty()) {
            (true, true) => Ok(next),
            // Well-formed, but a model that no longer answers: 422, naming its replacement.
            (true, false) => Err(InputError { message: refused.join("; "), refused: true }),
            _ => Err(InputError::new(problems.into_iter().chain(refused).collect::<Vec<_>>().join("; "))),
        }
    }
}

/// Why a project may not choose a model (said after the field's name).
enum Refusal {
    /// Not a model id.
    Malformed(String),
    /// A model Google has shut down.
    ShutDown(String),
}

/// A model a project may choose, or why not.
fn model_choice(value: &Value) -> Result<String, Refusal> {
    match value.as_str() {
        Some(m) if is_model_name(m) => match catalogue::refusal(m) {
            None => Ok(m.to_string()),
            Some(why) => Err(Refusal::ShutDown(format!(": {why}"))),
        },
        _ => Err(Refusal::Malformed(format!(" must be a model id such as \"{DEFAULT_MODEL}\""))),
    }
}

/// A request input that breaks a rule; the message names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// What is wrong, for the caller.
    pub message: String,
    /// Well-formed, but refused (a shut-down model): 422 rather than 400.
    pub refused: bool,
}

impl InputError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), refused: false }
    }
}

/// A validated `POST /api/projects` body.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProject {
    /// Project name.
    pub name: String,
    /// The idea.
    pub idea: String,
    /// Settings, defaults patched with the request's.
    pub settings: ProjectSettings,
}

/// Longest project name.
pub const MAX_NAME_CHARS: usize = 120;
/// Shortest idea worth sending to a model.
pub const MIN_IDEA_CHARS: usize = 10;
/// Longest idea.
pub const MAX_IDEA_CHARS: usize = 5_000;

/// Checks a `POST /api/projects` body: `name`, `idea`, optional `settings`.
pub fn new_project(body: &Value) -> Result<NewProject, InputError> {
    let Some(map) = body.as_object() else {
        return Err(InputError::new("the body must be a JSON object with name and idea"));
    };
    for key in map.keys() {
        if !matches!(key.as_str(), "name" | "idea" | "settings") {
            return Err(InputError::new(format!("unknown field \"{key}\" (expected name, idea, settings)")));
        }
    }
    let text = |key: &str, min: usize, max: usize| -> Result<String, InputError> {
        match map.get(key) {
            Some(Value::String(s)) => {
                let s = s.trim();
                let n = s.chars().count();
                if n < min || n > max {
                    Err(InputError::new(format!("{key} must be {min} to {max} characters, got {n}")))
                } else if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                    Err(InputError::new(format!("{key} must not contain control characters")))
                } else {
                    Ok(s.to_string())
                }
            }
            Some(_) => Err(InputError::new(format!("{key} must be a string"))),
            None => Err(InputError::new(format!("{key} is required"))),
        }
    };
    let name = text("name", 1, MAX_NAME_CHARS)?;
    let idea = text("idea", MIN_IDEA_CHARS, MAX_IDEA_CHARS)?;
    let settings = match map.get("settings") {
        None | Some(Value::Null) => ProjectSettings::default(),
        Some(patch) => ProjectSettings::default().patched(patch)?,
    };
    Ok(NewProject { name, idea, settings })
}

/// Whether `id` has the shape of an id Parit issues (lowercase hex and dashes, 8 to 64 long).
pub fn is_resource_id(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn new_project_checks_each_field() {
        let p = new_project(&json!({"name": "  Pantry ", "idea": "Plan meals from the pantry"})).unwrap();
        assert_eq!(p.name, "Pantry");
        assert_eq!(p.settings, ProjectSettings::default());
        let err = |v| new_project(&v).unwrap_err().message;
        assert_eq!(err(json!({"idea": "Plan meals from the pantry"})), "name is required");
        assert_eq!(err(json!({"name": 5, "idea": "Plan meals from the pantry"})), "name must be a string");
        assert_eq!(err(json!({"name": "x", "idea": "short"})), "idea must be 10 to 5000 characters, got 5");
        assert_eq!(
            err(json!({"name": "x", "idea": "Plan meals from the pantry", "owner": 1})),
            "unknown field \"owner\" (expected name, idea, settings)"
        );
        assert_eq!(err(json!([1])), "the body must be a JSON object with name and idea");
        assert!(err(json!({"name": "a\u{0}b", "idea": "Plan meals from the pantry"})).contains("control characters"));
        let p =
            new_project(&json!({"name": "x", "idea": "Plan meals from the pantry", "settings": {"temperature": 0.1}}))
                .unwrap();
        assert_eq!(p.settings.temperature, Some(0.1));
    }

    #[test]
    fn settings_patch_is_all_or_nothing() {
        let s = ProjectSettings::default();
        let next = s.patched(&json!({"model": "gemini-3.8-flash", "maxOutputTokens": 8192, "tokenBudget": 50000, "autoAdvance": false})).unwrap();
        assert_eq!(next.model, "gemini-3.8-flash");
        assert_eq!(next.token_budget, Some(50_000));
        assert!(!next.auto_advance);
        let e = s.patched(&json!({"temperature": 9, "model": "a/b", "colour": "red"})).unwrap_err();
        assert!(e.message.contains("temperature") && e.message.contains("model") && e.message.contains("colour"));
        assert_eq!(next.patched(&json!({"tokenBudget": null})).unwrap().token_budget, None);
        assert_eq!(next.max_output_tokens, Some(8192));
        assert_eq!(next.patched(&json!({"maxOutputTokens": null})).unwrap().max_output_tokens, None);
    }

    #[test]
    fn thinking_and_a_model_per_stage_are_chosen_and_reset() {
        let s = ProjectSettings::default()
            .patched(&json!({"thinking": "high", "stageModels": {"frontend": "gemini-3.8-flash"}}))
            .unwrap();
        assert_eq!(s.thinking, Some(ThinkingLevel::High));
        assert_eq!(s.model_for(Stage::Frontend), "gemini-3.8-flash");
        assert_eq!(s.model_for(Stage::Prd), DEFAULT_MODEL);
        let g = s.generation(Stage::Frontend);
        assert_eq!((g.model.as_deref(), g.thinking), (Some("gemini-3.8-flash"), Some(ThinkingLevel::High)));
        let reset = s.patched(&json!({"thinking": null, "stageModels": {"frontend": null}})).unwrap();
        assert_eq!(reset, ProjectSettings::default());
        let e = s
            .patched(
                &json!({"thinking": "lots", "stageModels": {"backend": "gemini-3.8-flash", "api": "gemini-2.5-flash"}}),
            )
            .unwrap_err();
        assert!(e.message.contains("settings.thinking must be"), "{}", e.message);
        assert!(e.message.contains("settings.stageModels.backend is not a stage"), "{}", e.message);
        assert!(e.message.contains("settings.stageModels.api: gemini-2.5-flash was shut down"), "{}", e.message);
    }

    #[test]
    fn a_shut_down_model_is_refused_naming_its_replacement() {
        let s = ProjectSettings::default();
        assert_eq!(s.model, DEFAULT_MODEL);
        let e = s.patched(&json!({"model": "gemini-2.5-flash"})).unwrap_err();
        assert!(e.message.contains("shut down") && e.message.contains(DEFAULT_MODEL), "{}", e.message);
        assert!(e.refused, "well-formed but refused: 422");
        let e = s.patched(&json!({"model": "gemini-2.5-flash", "temperature": 9})).unwrap_err();
        assert!(!e.refused && e.message.contains("temperature") && e.message.contains("shut down"), "{}", e.message);
        // An id the catalogue does not know yet is allowed.
        assert_eq!(s.patched(&json!({"model": "gemini-9-ultra"})).unwrap().model, "gemini-9-ultra");
    }

    #[test]
    fn a_project_on_a_shut_down_model_cannot_run() {
        let mut s = ProjectSettings::default();
        assert!(s.shut_down_models().is_none());
        // Chosen before Google shut it down (settings refuse it now).
        s.model = "gemini-2.5-flash".into();
        s.stage_models.insert(Stage::Frontend, "gemini-2.0-flash".into());
        let e = s.shut_down_models().expect("refused");
        assert!(e.refused);
        assert!(
            e.message.starts_with(
                "change the project's settings before running it: settings.model: gemini-2.5-flash was shut down"
            ),
            "{}",
            e.message
        );
        assert!(e.message.contains("settings.stageModels.frontend: gemini-2.0-flash was shut down"), "{}", e.message);
        assert_eq!(e.message.matches("settings.model:").count(), 1, "{}", e.message);
        // A project model that no stage runs on does not stop a run.
        for stage in Stage::ALL {
            s.stage_models.insert(stage, "gemini-3.8-flash".into());
        }
        assert!(s.shut_down_models().is_none());
    }

    #[test]
    fn a_deprecated_model_is_run_with_a_warning_naming_its_replacement() {
        let mut s = ProjectSettings::default();
        assert!(s.model_warnings().is_empty(), "the default is current");
        s.model = "gemini-3.5-flash".into();
        s.stage_models.insert(Stage::Frontend, "gemini-3.1-flash-lite".into());
        assert!(s.shut_down_models().is_none(), "deprecated models still answer");
        assert_eq!(
            s.model_warnings(),
            [
                "settings.model: gemini-3.5-flash is deprecated; Google recommends gemini-3.6-flash",
                "settings.stageModels.frontend: gemini-3.1-flash-lite is deprecated and may be shut down from 2027-05-07; Google recommends gemini-3.5-flash-lite",
            ]
        );
        assert!(s
            .noting_warnings("A run started".into())
            .starts_with("A run started. Note: settings.model: gemini-3.5-flash"));
        assert_eq!(ProjectSettings::default().noting_warnings("A run started".into()), "A run started");
    }

    #[test]
    fn resource_ids() {
        assert!(is_resource_id("3f2b8c1e-9a7d-4e2b-8c1e-9a7d4e2b8c1e"));
        assert!(!is_resource_id("../etc"));
        assert!(!is_resource_id("ABCDEF12"));
        assert!(!is_resource_id("abc"));
    }
}
