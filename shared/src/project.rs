//! Projects and their settings as the API accepts them: every rule an input
//! must meet, checked here so the supervisor only translates errors to 4xx.

use crate::gemini::catalogue::{self, DEFAULT_MODEL};
use crate::generate::is_model_name;
use crate::protocol::GenerationSettings;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A project's model and run settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectSettings {
    /// Gemini model id.
    pub model: String,
    /// Sampling temperature, 0 to 2.
    pub temperature: f64,
    /// Output token cap per model call.
    pub max_output_tokens: u32,
    /// Most tokens the project may spend in all; `None` is unlimited.
    pub token_budget: Option<u64>,
    /// Whether a run goes on to the next stage without approval.
    pub auto_advance: bool,
}

impl Default for ProjectSettings {
    fn default() -> Self {
        Self {
            model: DEFAULT_MODEL.into(),
            temperature: 0.4,
            max_output_tokens: 16_384,
            token_budget: None,
            auto_advance: true,
        }
    }
}

impl ProjectSettings {
    /// The part the agents need.
    pub fn generation(&self) -> GenerationSettings {
        GenerationSettings {
            model: Some(self.model.clone()),
            temperature: Some(self.temperature),
            max_output_tokens: Some(self.max_output_tokens),
        }
    }

    /// Applies a JSON patch of settings (`model`, `temperature`,
    /// `maxOutputTokens`, `tokenBudget`, `autoAdvance`), checking every field;
    /// nothing changes unless all are valid.
    pub fn patched(&self, patch: &Value) -> Result<ProjectSettings, InputError> {
        let Some(map) = patch.as_object() else {
            return Err(InputError::new("settings must be a JSON object"));
        };
        let mut next = self.clone();
        let mut problems = Vec::new();
        for (key, value) in map {
            match key.as_str() {
                "model" => match value.as_str() {
                    Some(m) if is_model_name(m) => match catalogue::refusal(m) {
                        None => next.model = m.to_string(),
                        Some(why) => problems.push(format!("settings.model: {why}")),
                    },
                    _ => problems.push(format!("settings.model must be a model id such as \"{DEFAULT_MODEL}\"")),
                },
                "temperature" => match value.as_f64() {
                    Some(t) if (0.0..=2.0).contains(&t) => next.temperature = t,
                    _ => problems.push("settings.temperature must be a number from 0 to 2".to_string()),
                },
                "maxOutputTokens" => match value.as_u64() {
                    Some(n) if (256..=65_536).contains(&n) => next.max_output_tokens = n as u32,
                    _ => problems.push("settings.maxOutputTokens must be a whole number from 256 to 65536".to_string()),
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
                    "settings.{other} is not a setting (model, temperature, maxOutputTokens, tokenBudget, autoAdvance)"
                )),
            }
        }
        if problems.is_empty() {
            Ok(next)
        } else {
            Err(InputError { message: problems.join("; ") })
        }
    }
}

/// A request input that breaks a rule; the message names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// What is wrong, for the caller.
    pub message: String,
}

impl InputError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
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
        assert_eq!(p.settings.temperature, 0.1);
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
    }

    #[test]
    fn a_shut_down_model_is_refused_naming_its_replacement() {
        let s = ProjectSettings::default();
        assert_eq!(s.model, DEFAULT_MODEL);
        let e = s.patched(&json!({"model": "gemini-2.5-flash"})).unwrap_err();
        assert!(e.message.contains("shut down") && e.message.contains(DEFAULT_MODEL), "{}", e.message);
        // An id the catalogue does not know yet is allowed.
        assert_eq!(s.patched(&json!({"model": "gemini-9-ultra"})).unwrap().model, "gemini-9-ultra");
    }

    #[test]
    fn resource_ids() {
        assert!(is_resource_id("3f2b8c1e-9a7d-4e2b-8c1e-9a7d4e2b8c1e"));
        assert!(!is_resource_id("../etc"));
        assert!(!is_resource_id("ABCDEF12"));
        assert!(!is_resource_id("abc"));
    }
}
