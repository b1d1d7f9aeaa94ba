//! Prompt building: the stage's system instruction, the brief, and only the
//! upstream artifacts the stage needs (`Stage::needs`), plus the repair turn.

use crate::agent::protocol::Brief;
use crate::artifact::Artifact;
use crate::gemini::catalogue::GenerationSettings;
use crate::gemini::{catalogue, Content, GenerateContentRequest, GenerationConfig};
use crate::stage::Stage;
use serde_json::Value;
use std::collections::BTreeMap;

/// The marker line that names the stage in every system instruction. Local
/// Gemini-compatible servers read it to know which artifact to answer with.
pub const STAGE_MARKER: &str = "Parit stage:";

/// A stage's prompt before it is wrapped in a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    /// The system instruction.
    pub system: String,
    /// The user turn.
    pub user: String,
}

fn role(stage: Stage) -> &'static str {
    match stage {
        Stage::Prd => "You are a senior product manager. Turn the product brief into a product requirements document: \
            personas (PER-n), user stories (US-n) in the form \"As a ..., I want ..., so that ...\" each with testable \
            acceptance criteria and a MoSCoW priority, features (F-n) that group the stories, non-functional \
            requirements, what is out of scope for the first version, and measurable success metrics.",
        Stage::Data => "You are a database architect. Design the data model that stores everything the PRD's user \
            stories need. Every entity has exactly one field of type \"id\" named \"id\". A foreign key is a field whose \
            \"references\" names the referenced entity. Declare the relationships and the indexes the stories' queries need.",
        Stage::Design => "You are a product designer. Define design tokens (colors as hex, type scale, spacing, radius), \
            the screens (SCR-n) with their client routes, purpose, components and the user story ids (US-n from the PRD) \
            each serves, and the navigation between screens. Every user story must be served by at least one screen.",
        Stage::Logic => "You are a software architect. Write the business rules (BR-n) per entity, a state machine for \
            every entity with a lifecycle (states, initial state, transitions with events and guards), and the \
            non-trivial algorithms with pseudocode. Use entity names exactly as in the data model.",
        Stage::Api => "You are an API designer. Specify the HTTP endpoints (EP-n) under /api that implement the user \
            stories and the business rules. Each endpoint works on one data-model entity; its request and response \
            fields are that entity's field names exactly. Every user story must be served by at least one endpoint. \
            A list endpoint takes query parameters: \"limit\" and \"page\", a filter per field its stories filter by \
            (named as the field), and a \"sort\" enum of field names (\"-\" first for descending).",
        Stage::Frontend => "You are a frontend engineer. Write a small, working Vite + TypeScript client that implements \
            the design's screens with its tokens and calls only the API's declared endpoints (exact method and path). \
            Include index.html, package.json, the source files and a CSS file using the design tokens.",
        Stage::Deployment => "You are a DevOps engineer. Produce the deployment for Cloudflare: a wrangler.toml for the \
            API Worker with a D1 binding, a D1 migration with the data model's tables, a CI workflow that tests and \
            deploys, the ordered deployment steps, and every environment variable and secret the code reads.",
    }
}

/// Builds the prompt for `stage`. `upstream` must already be limited to
/// [`Stage::needs`]; anything else in it is ignored.
pub fn build(stage: Stage, brief: &Brief, upstream: &BTreeMap<Stage, Value>, feedback: Option<&str>) -> Prompt {
    let system = format!(
        "{role}\n\n{STAGE_MARKER} {stage}\n\nRules:\n\
         - Answer with exactly one JSON object that matches the response schema. No prose, no code fences.\n\
         - Ids are stable and numbered from 1 in order of appearance (US-1, US-2, ...).\n\
         - Only reference ids and names that exist in this artifact or in the upstream artifacts given.\n\
         - Be specific to this product; no placeholders.",
        role = role(stage),
    );
    let mut user = format!("Product name: {}\nProduct idea: {}\n", brief.name.trim(), brief.idea.trim());
    for need in stage.needs() {
        if let Some(v) = upstream.get(need) {
            user.push_str(&format!("\nUpstream {need} artifact (JSON):\n{v}\n"));
        }
    }
    if let Some(f) = feedback.map(str::trim).filter(|f| !f.is_empty()) {
        user.push_str(&format!("\nReviewer feedback to apply in this version:\n{f}\n"));
    }
    user.push_str(&format!("\nProduce the {stage} artifact."));
    Prompt { system, user }
}

impl Prompt {
    /// The first request for this prompt to `model`.
    pub fn request(&self, stage: Stage, model: &str, settings: &GenerationSettings) -> GenerateContentRequest {
        self.with_turns(stage, model, settings, vec![Content::text(Some("user"), self.user.clone())])
    }

    /// The repair request: the original turn, the model's answer as it was
    /// received, and a turn quoting every problem found in it.
    pub fn repair_request(
        &self,
        stage: Stage,
        model: &str,
        settings: &GenerationSettings,
        previous: &Content,
        problems: &[String],
    ) -> GenerateContentRequest {
        let listed: Vec<String> = problems.iter().take(40).map(|p| format!("- {p}")).collect();
        let more = problems.len().saturating_sub(40);
        let mut fix = format!("Your answer cannot be used. It has these problems:\n{}\n", listed.join("\n"));
        if more > 0 {
            fix.push_str(&format!("- and {more} more of the same kind\n"));
        }
        fix.push_str("Return the complete corrected JSON object, fixing every problem.");
        self.with_turns(
            stage,
            model,
            settings,
            vec![
                Content::text(Some("user"), self.user.clone()),
                // The model's turn exactly as received: thought signatures must go back.
                Content { role: Some("model".into()), ..previous.clone() },
                Content::text(Some("user"), fix),
            ],
        )
    }

    fn with_turns(
        &self,
        stage: Stage,
        model: &str,
        settings: &GenerationSettings,
        contents: Vec<Content>,
    ) -> GenerateContentRequest {
        let call = catalogue::call_config(model, stage, settings);
        GenerateContentRequest {
            contents,
            system_instruction: Some(Content::text(None, self.system.clone())),
            generation_config: GenerationConfig {
                response_mime_type: "application/json".into(),
                response_schema: Artifact::schema(stage).to_gemini(),
                temperature: call.temperature,
                max_output_tokens: Some(call.max_output_tokens),
                thinking_config: call.thinking,
            },
            continuation_token: None,
        }
    }
}

/// Reads the stage named by [`STAGE_MARKER`] in a request's system instruction.
pub fn stage_of(request: &GenerateContentRequest) -> Option<Stage> {
    let system = request.system_instruction.as_ref()?;
    system.parts.iter().filter_map(|p| p.text.as_deref()).find_map(|t| {
        let rest = &t[t.find(STAGE_MARKER)? + STAGE_MARKER.len()..];
        Stage::parse(rest.split_whitespace().next()?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemini::catalogue::{ThinkingLevel, DEFAULT_MODEL};
    use crate::gemini::Part;
    use serde_json::json;

    fn brief() -> Brief {
        Brief { name: "Pantry".into(), idea: "Plan meals from what is in the pantry".into() }
    }

    #[test]
    fn prompts_carry_only_the_needed_upstream() {
        let mut up = BTreeMap::new();
        up.insert(Stage::Prd, json!({"productName": "PRD-MARK"}));
        up.insert(Stage::Data, json!({"entities": "DATA-MARK"}));
        up.insert(Stage::Logic, json!({"rules": "LOGIC-MARK"}));
        let design = build(Stage::Design, &brief(), &up, None);
        assert!(design.user.contains("PRD-MARK"));
        assert!(!design.user.contains("DATA-MARK"));
        assert!(!design.user.contains("LOGIC-MARK"));
        let api = build(Stage::Api, &brief(), &up, Some("  use plural paths "));
        assert!(api.user.contains("PRD-MARK") && api.user.contains("DATA-MARK") && api.user.contains("LOGIC-MARK"));
        assert!(api.user.contains("Reviewer feedback to apply in this version:\nuse plural paths"));
        assert!(api.user.contains("Pantry") && api.user.contains("Plan meals"));
        assert!(
            api.system.contains("\"limit\" and \"page\"") && api.system.contains("\"sort\" enum"),
            "{}",
            api.system
        );
    }

    #[test]
    fn request_is_json_mode_with_the_stage_schema_and_marker() {
        let settings = GenerationSettings { max_output_tokens: Some(4096), ..Default::default() };
        for stage in Stage::ALL {
            let req = build(stage, &brief(), &BTreeMap::new(), None).request(stage, "gemini-3.6-flash", &settings);
            assert_eq!(req.generation_config.response_mime_type, "application/json");
            assert_eq!(req.generation_config.response_schema, Artifact::schema(stage).to_gemini());
            assert_eq!(stage_of(&req), Some(stage));
            let wire = serde_json::to_value(&req).unwrap();
            assert_eq!(wire["generationConfig"]["maxOutputTokens"], 4096);
            assert_eq!(
                wire["systemInstruction"]["parts"][0]["text"].as_str().map(|t| t.contains("Rules:")),
                Some(true)
            );
            assert_eq!(wire["contents"][0]["role"], "user");
        }
    }

    #[test]
    fn thinking_and_temperature_are_sent_as_the_model_takes_them() {
        let config = |model: &str, stage: Stage, settings: &GenerationSettings| {
            let req = build(stage, &brief(), &BTreeMap::new(), None).request(stage, model, settings);
            serde_json::to_value(&req).unwrap()["generationConfig"].clone()
        };
        let defaults = GenerationSettings::default();
        // Gemini 3.x: a level, the stage's own; no temperature (3.5 Flash-Lite ignores it).
        let c = config("gemini-3.5-flash-lite", Stage::Frontend, &defaults);
        assert_eq!(c["thinkingConfig"], json!({"thinkingLevel": "medium"}));
        assert!(c.get("temperature").is_none(), "{c}");
        assert_eq!(c["maxOutputTokens"], 32_768 + 12_288);
        let c = config("gemini-3.5-flash-lite", Stage::Prd, &defaults);
        assert_eq!(c["thinkingConfig"], json!({"thinkingLevel": "low"}));
        assert_eq!(c["maxOutputTokens"], 8_192 + 4_096);
        // 3.8 Flash refuses "minimal": the next level up is sent.
        let minimal = GenerationSettings { thinking: Some(ThinkingLevel::Minimal), ..Default::default() };
        assert_eq!(config("gemini-3.8-flash", Stage::Prd, &minimal)["thinkingConfig"], json!({"thinkingLevel": "low"}));
        // Gemini 2.5: a budget, 0 where thinking can be turned off; a chosen temperature is sent.
        let chosen = GenerationSettings { temperature: Some(0.3), ..minimal.clone() };
        let c = config("gemini-2.5-flash-lite", Stage::Api, &chosen);
        assert_eq!(c["thinkingConfig"], json!({"thinkingBudget": 0}));
        assert_eq!(c["temperature"], 0.3);
        assert_eq!(c["maxOutputTokens"], 16_384, "no room for thinking that is off");
        let high = GenerationSettings { thinking: Some(ThinkingLevel::High), ..Default::default() };
        let c = config("gemini-2.5-flash-lite", Stage::Frontend, &high);
        assert_eq!(c["thinkingConfig"], json!({"thinkingBudget": 24_576}));
        assert_eq!(c["maxOutputTokens"], 32_768 + 24_576);
        // A model without thinking gets no thinkingConfig; the model's maximum bounds the cap.
        let c = config("gemini-2.0-flash", Stage::Frontend, &defaults);
        assert!(c.get("thinkingConfig").is_none(), "{c}");
        assert_eq!(c["maxOutputTokens"], 8_192);
        // An id the catalogue does not know: its own thinking default, a cautious cap.
        let c = config("gemini-9-ultra", Stage::Prd, &defaults);
        assert!(c.get("thinkingConfig").is_none(), "{c}");
        assert_eq!(c["maxOutputTokens"], 8_192 + 4_096);
    }

    #[test]
    fn repair_quotes_the_problems_after_the_previous_answer() {
        let p = build(Stage::Prd, &brief(), &BTreeMap::new(), None);
        let problems: Vec<String> = (0..45).map(|i| format!("$.x{i}: bad")).collect();
        let previous = Content {
            role: Some("model".into()),
            parts: vec![
                Part { text: Some("thinking".into()), thought: Some(true), thought_signature: None },
                Part {
                    text: Some("{\"broken\"".into()),
                    thought: None,
                    thought_signature: Some("c2lnbmF0dXJl".into()),
                },
            ],
        };
        let req = p.repair_request(Stage::Prd, DEFAULT_MODEL, &GenerationSettings::default(), &previous, &problems);
        // The model's turn goes back exactly as received, its thought signature included.
        assert_eq!(req.contents[1], previous);
        let wire = serde_json::to_value(&req).unwrap();
        assert_eq!(wire["contents"][1]["parts"][1]["thoughtSignature"], "c2lnbmF0dXJl");
        assert_eq!(req.contents.len(), 3);
        assert_eq!(req.contents[1].role.as_deref(), Some("model"));
        let fix = req.contents[2].parts[0].text.as_deref().unwrap();
        assert!(fix.contains("- $.x0: bad") && fix.contains("- $.x39: bad") && !fix.contains("$.x40"));
        assert!(fix.contains("and 5 more"));
    }
}
