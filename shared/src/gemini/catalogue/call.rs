//! A stage's call on a model, from the catalogue: how much it thinks, how
//! many tokens it may write, its temperature, and how long the client waits.

use super::{model, Speed, Temperature, Thinking, ThinkingLevel};
use crate::gemini::ThinkingConfig;
use crate::stage::Stage;
use serde::{Deserialize, Serialize};

/// How much a stage thinks unless the project says otherwise. Every stage
/// answers in JSON mode against its schema, so the shape needs no thinking;
/// what does is keeping ids and rules consistent. Logic (rules and state
/// machines over the data model) and frontend (code that must build against
/// the API) think at medium; the rest, which restate and structure what is
/// upstream, at low. Thinking bills as output, the dearer rate, so this keeps a
/// run's cost and latency down where thinking buys little.
pub fn stage_thinking(stage: Stage) -> ThinkingLevel {
    match stage {
        Stage::Logic | Stage::Frontend => ThinkingLevel::Medium,
        Stage::Prd | Stage::Data | Stage::Design | Stage::Api | Stage::Deployment => ThinkingLevel::Low,
    }
}

/// Most tokens a stage's answer may take: what it writes, with room for a
/// product several times the size of the examples (a test holds every example
/// to a quarter of it). Frontend and deployment write whole files (the deployment
/// an API Worker with a route for each endpoint, reading its query parameters).
pub fn answer_tokens(stage: Stage) -> u32 {
    match stage {
        Stage::Prd | Stage::Data | Stage::Design | Stage::Logic => 8_192,
        Stage::Api => 16_384,
        Stage::Frontend | Stage::Deployment => 32_768,
    }
}

/// The speed assumed for a model the catalogue does not know: slower than
/// any it knows, so its calls are not cut off early.
pub const UNKNOWN_SPEED: Speed = Speed { tokens_per_second: 30, first_token_ms: 30_000 };

/// How long one call to `model_id` may take before the client gives up: its
/// time to first token, 30 s of slack, and the time to write
/// `max_output_tokens` (thinking included) at two thirds of its median speed
/// (a busy hour is slower than the median). A slow model gets the time it
/// needs: Gemini 4 Argon, at about 36 tokens a second, needs some 15 minutes
/// for 32,768 tokens, and a timeout shorter than that abandons a call Google
/// still finishes and bills.
pub fn call_timeout_ms(model_id: &str, max_output_tokens: u32) -> u64 {
    let speed = model(model_id).map_or(UNKNOWN_SPEED, |m| m.speed);
    let writing = u64::from(max_output_tokens) * 1_000 * 3 / (2 * u64::from(speed.tokens_per_second.max(1)));
    u64::from(speed.first_token_ms) + 30_000 + writing
}

/// How long a streamed call may go without a byte from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamTimeouts {
    /// Until the first byte of the answer: the model may think its whole
    /// budget first (thought summaries are not asked for), so as long as
    /// [`call_timeout_ms`] gives the whole call.
    pub first_byte_ms: u64,
    /// Between bytes after that: a model that is writing is never cut off,
    /// one that stalls is given up on.
    pub idle_ms: u64,
}

/// The silence after the first byte that ends a streamed call: Google sends
/// a chunk every few dozen tokens, many times a second.
pub const STREAM_IDLE_MS: u64 = 30_000;

/// The idle timeouts of a streamed call to `model_id` asking for
/// `max_output_tokens`.
pub fn stream_timeouts(model_id: &str, max_output_tokens: u32) -> StreamTimeouts {
    StreamTimeouts { first_byte_ms: call_timeout_ms(model_id, max_output_tokens), idle_ms: STREAM_IDLE_MS }
}

/// `maxOutputTokens` of a model the catalogue does not know.
const UNKNOWN_MAX_OUTPUT: u32 = 32_768;

/// The largest `maxOutputTokens` a call asks a long-decode model for: the
/// most a project may set, and above one request's 32,768 or 65,536, so the
/// model continues in segments ([`ModelInfo::long_decode`]).
pub const LONG_DECODE_MAX_OUTPUT: u32 = 65_536;

/// The generation settings one stage's call sends to `model`, from the
/// catalogue and the project's choices.
#[derive(Debug, Clone, PartialEq)]
pub struct CallConfig {
    /// `thinkingConfig`; `None` for a model without thinking or one the
    /// catalogue does not know (its own default then applies).
    pub thinking: Option<ThinkingConfig>,
    /// `temperature`, sent only when the project chose one and the model
    /// heeds it.
    pub temperature: Option<f64>,
    /// `maxOutputTokens`: the project's cap, else the stage's answer plus its
    /// thinking, within the model's maximum.
    pub max_output_tokens: u32,
    /// The model's maximum, up to which a cut-off answer is retried once with
    /// a larger cap.
    pub max_output_ceiling: u32,
}

impl CallConfig {
    /// The cap a cut-off answer is asked for again with: twice `cap`, within
    /// the model's maximum.
    pub fn retry_cap(&self, cap: u32) -> u32 {
        cap.saturating_mul(2).min(self.max_output_ceiling)
    }
}

/// Model settings for one generation, as a project chose them and the
/// supervisor sends them to an agent; `None` means the agent's default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationSettings {
    /// Gemini model id, e.g. "gemini-3.5-flash-lite".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Sampling temperature, 0 to 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Output token cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// How much the model thinks; `None` is the stage's default
    /// ([`stage_thinking`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking: Option<ThinkingLevel>,
}

/// What `stage` sends to `model` given the project's `settings`.
pub fn call_config(model_id: &str, stage: Stage, settings: &GenerationSettings) -> CallConfig {
    let level = settings.thinking.unwrap_or_else(|| stage_thinking(stage));
    let info = model(model_id);
    let ceiling = info.map_or(UNKNOWN_MAX_OUTPUT, |m| {
        if m.long_decode {
            m.max_output_tokens.max(LONG_DECODE_MAX_OUTPUT)
        } else {
            m.max_output_tokens
        }
    });
    let thinking = info.and_then(|m| match m.thinking {
        Thinking::Levels { levels, .. } => {
            // The level asked for, else the next one up the model accepts,
            // else its highest (xhigh on a model that stops at high).
            let up = ThinkingLevel::ALL.iter().copied().filter(|l| *l >= level).find(|l| levels.contains(l));
            let level = up.or_else(|| levels.iter().copied().max())?;
            Some(ThinkingConfig { thinking_level: Some(level), thinking_budget: None })
        }
        Thinking::Budget { max: 0, .. } => None,
        Thinking::Budget { min, max, can_disable } => {
            let budget = match level {
                ThinkingLevel::Minimal if can_disable => 0,
                l => l.tokens().clamp(min, max),
            };
            Some(ThinkingConfig { thinking_level: None, thinking_budget: Some(budget) })
        }
    });
    let heeds_temperature = info.is_none_or(|m| m.temperature != Temperature::Ignored);
    let thinking_room = match thinking {
        Some(ThinkingConfig { thinking_budget: Some(budget), .. }) => budget,
        Some(_) => level.tokens(),
        None if info.is_none() => level.tokens(),
        None => 0,
    };
    let wanted = answer_tokens(stage) + thinking_room;
    CallConfig {
        thinking,
        temperature: settings.temperature.filter(|_| heeds_temperature),
        max_output_tokens: settings.max_output_tokens.unwrap_or(wanted).min(ceiling),
        max_output_ceiling: ceiling,
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;

    #[test]
    fn xhigh_goes_only_to_models_that_take_it() {
        let xhigh = GenerationSettings { thinking: Some(ThinkingLevel::Xhigh), ..Default::default() };
        let level = |id: &str| call_config(id, Stage::Prd, &xhigh).thinking.and_then(|t| t.thinking_level);
        assert_eq!(level("gemini-4-hydrogen"), Some(ThinkingLevel::Xhigh));
        assert_eq!(level("gemini-4-neon"), Some(ThinkingLevel::Xhigh));
        assert_eq!(level("gemini-4-argon"), Some(ThinkingLevel::High), "the highest it takes");
        assert_eq!(level("gemini-3.5-flash-lite"), Some(ThinkingLevel::High));
        let sent = serde_json::to_value(call_config("gemini-4-hydrogen", Stage::Prd, &xhigh).thinking).unwrap();
        assert_eq!(sent, serde_json::json!({"thinkingLevel": "xhigh"}));
    }

    #[test]
    fn long_decode_models_may_be_asked_for_more_than_one_request_returns() {
        let argon = call_config("gemini-4-argon", Stage::Frontend, &GenerationSettings::default());
        assert!(argon.max_output_tokens > 32_768, "{argon:?}");
        assert_eq!(argon.max_output_ceiling, LONG_DECODE_MAX_OUTPUT);
        let flash = call_config("gemini-3.6-flash", Stage::Frontend, &GenerationSettings::default());
        assert_eq!(flash.max_output_ceiling, 65_536);
    }

    #[test]
    fn every_example_artifact_fits_a_quarter_of_its_stages_answer_cap() {
        // JSON runs about 3 to 4 characters a token; 3 is the cautious end.
        for product in crate::fixtures::examples::all() {
            for stage in Stage::ALL {
                let tokens = product.artifact(stage).to_value().to_string().len() as u32 / 3;
                assert!(tokens * 4 <= answer_tokens(stage), "{} {stage}: ~{tokens} tokens", product.key);
            }
        }
        for stage in Stage::ALL {
            let c = call_config(DEFAULT_MODEL, stage, &GenerationSettings::default());
            assert!(
                c.max_output_tokens <= c.max_output_ceiling && c.max_output_tokens > answer_tokens(stage),
                "{stage}"
            );
        }
    }

    #[test]
    fn a_call_may_take_as_long_as_writing_its_cap_at_the_models_speed() {
        // Hydrogen: 2.56 s to the first token, then 119 tokens a second, taken at two thirds.
        let prd = call_config(DEFAULT_MODEL, Stage::Prd, &GenerationSettings::default());
        assert_eq!(call_timeout_ms(DEFAULT_MODEL, prd.max_output_tokens), 2_560 + 30_000 + 12_288 * 1_000 * 3 / 238);
        // Argon writes 36 tokens a second: 32,768 tokens take some 15 minutes,
        // and its call is given more than that, not the 6 minutes of 100 tokens/s.
        assert!(call_timeout_ms("gemini-4-argon", 32_768) > 22 * 60_000);
        assert!(call_timeout_ms("gemini-4-argon", 32_768) > call_timeout_ms("gemini-4-hydrogen", 32_768) * 2);
        // A model the catalogue does not know is taken to be slower than any it knows.
        for m in CATALOGUE {
            assert!(call_timeout_ms("gemini-9-ultra", 8_192) >= call_timeout_ms(m.id, 8_192), "{}", m.id);
        }
    }
}
