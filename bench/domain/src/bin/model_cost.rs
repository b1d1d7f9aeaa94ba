//! What a full run of each example product costs on each model a project can
//! choose (the catalogue's current and preview models), at list prices.
//!
//! Per stage: prompt tokens are those of the very request Parit sends on that
//! model (request bytes / 4, the estimate the local Gemini server reports);
//! answer tokens are the stage's artifact as the model writes it (bytes / 4).
//! Thinking cannot be measured offline: the low figure has none, the high one
//! spends the whole room the stage's thinking level is given in
//! `maxOutputTokens` (`ThinkingLevel::tokens`), the most a call can think.
//! Prints one JSON object.

use parit_bench::product;
use parit_shared::agent::prompt;
use parit_shared::fixtures::examples;
use parit_shared::gemini::catalogue::{self, stage_thinking, ModelStatus};
use parit_shared::gemini::cost::cost_usd;
use parit_shared::gemini::Usage;
use parit_shared::project::ProjectSettings;
use serde_json::{json, Value};

fn tokens(bytes: usize) -> u32 {
    (bytes / 4) as u32
}

fn main() {
    let mut rows = Vec::new();
    for spec in examples::all() {
        let p = product(&spec);
        for model in catalogue::selectable() {
            let settings = ProjectSettings { model: model.id.to_string(), ..ProjectSettings::default() };
            let (mut low, mut high) = (Usage::default(), Usage::default());
            let (mut cost_low, mut cost_high) = (0.0, 0.0);
            for s in &p.stages {
                let generation = settings.generation(s.stage);
                let request =
                    prompt::build(s.stage, &p.brief, &s.upstream_json, None).request(s.stage, model.id, &generation);
                let prompt_tokens = tokens(serde_json::to_vec(&request).map_or(0, |b| b.len()));
                let answer = Usage { prompt_tokens, output_tokens: tokens(s.output.len()), ..Usage::default() };
                let thinking = Usage { thoughts_tokens: stage_thinking(s.stage).tokens(), ..answer };
                cost_low += cost_usd(model.id, &answer, catalogue::CHECKED_ON);
                cost_high += cost_usd(model.id, &thinking, catalogue::CHECKED_ON);
                low.add(answer);
                high.add(thinking);
            }
            rows.push(json!({
                "product": p.name,
                "model": model.id,
                "status": match model.status {
                    ModelStatus::Current => "current",
                    ModelStatus::Preview => "preview",
                    ModelStatus::Deprecated { .. } | ModelStatus::ShutDown { .. } => "going",
                },
                "freeTier": model.free_tier,
                "promptTokens": low.prompt_tokens,
                "answerTokens": low.output_tokens,
                "thinkingTokensAtMost": high.thoughts_tokens,
                "costUsdNoThinking": (cost_low * 1e6).round() / 1e6,
                "costUsdThinkingAtMost": (cost_high * 1e6).round() / 1e6,
            }));
        }
    }
    let out: Value = json!({
        "estimate": "tokens = bytes / 4; thinking 0 to the stage level's room",
        "prices": "gemini::catalogue, list prices per million tokens",
        "priceDay": catalogue::CHECKED_ON,
        "runs": rows,
    });
    println!("{out}");
}
