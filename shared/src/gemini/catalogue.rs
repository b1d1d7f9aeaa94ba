//! The Gemini models Parit knows: their status, list prices, output limit,
//! thinking control and temperature advice, as data in one table.
//!
//! Everything that needs a model fact reads it from [`CATALOGUE`]: the default
//! model (agents, runtime, web app), settings validation (a shut-down model is
//! refused, naming its replacement) and prices ([`crate::gemini::cost`]). A model id
//! the table does not know is allowed, since Google adds models monthly, but it
//! is priced at the dearest rates in the table ([`UNPRICED`]), so a budget is
//! never underestimated.
//!
//! Sources, as the stored copies of Google's pages stood on 2026-12-02 (notes
//! with every citation: `docs/research/gemini-2026-12-02.md`):
//! - models and status: ai.google.dev/gemini-api/docs/models, …/deprecations
//!   ("the shutdown dates listed … indicate the earliest possible dates"),
//!   …/changelog (2026-06-01: 2.0 Flash shut down; 2026-07-21: 3.6 Flash and
//!   3.5 Flash-Lite GA, sampling parameters deprecated; 2026-10-08: 3.5 and 3.7
//!   Flash deprecated and routed to 3.6 and 3.8 Flash). Gemini 2.5 Pro and
//!   Flash: past their shutdown on the deprecations page as read 2026-12-01,
//!   requests routed to 3.8 Flash and 3.5 Flash-Lite.
//! - prices (paid tier, USD per million tokens; thinking bills as output):
//!   ai.google.dev/gemini-api/docs/pricing and …/whats-new-gemini-3.6. Cached
//!   input rates of 3.x Flash models are from price mirrors of that page, not
//!   the page itself; Gemini 4 Argon's rates likewise. Where no cached rate
//!   was found, cached input is priced at the full input rate.
//! - limits and thinking: each model's page (…/docs/models/<id>), the thinking
//!   guide (Gemini 3.x `thinkingLevel`; 2.5 `thinkingBudget`; both at once is
//!   an error), and the Vertex AI model pages for the default levels.
//! - temperature: the Gemini 3 prompting guide ("we strongly recommend keeping
//!   the temperature parameter at its default value of 1.0"); from 3.6 Flash
//!   and 3.5 Flash-Lite on, temperature, topP and topK are ignored.

use super::ThinkingConfig;
use crate::stage::Stage;
use serde::{Deserialize, Serialize};

/// The model a project uses unless it chooses another: current, generally
/// available, inexpensive, with JSON mode, and Google's named replacement for
/// Gemini 2.5 Flash.
pub const DEFAULT_MODEL: &str = "gemini-3.5-flash-lite";

/// Where a model stands in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelStatus {
    /// Generally available, no shutdown announced.
    Current,
    /// A preview: may change or go at short notice.
    Preview,
    /// Still answers, but is going; `shutdown` is the earliest announced date
    /// (ISO 8601), when there is one.
    Deprecated {
        /// Earliest shutdown date.
        shutdown: Option<&'static str>,
        /// What Google says to use instead.
        replacement: &'static str,
    },
    /// No longer served (or answered by another model, billed at its rates).
    ShutDown {
        /// The shutdown date.
        on: &'static str,
        /// What Google says to use instead.
        replacement: &'static str,
    },
}

/// List prices of a model, USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    /// Prompt tokens.
    pub input: f64,
    /// Answer and thinking tokens.
    pub output: f64,
    /// Prompt tokens served from the context cache (implicit or explicit).
    pub cached_input: f64,
    /// Dearer rates for prompts longer than a threshold, where there are any.
    pub long_context: Option<LongContext>,
}

/// The long-context tier of a [`Price`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LongContext {
    /// Prompts of more than this many tokens pay these rates.
    pub above_prompt_tokens: u32,
    /// Prompt tokens.
    pub input: f64,
    /// Answer and thinking tokens.
    pub output: f64,
}

crate::label_enum! {
    /// A thinking level of Gemini 3.x (`thinkingConfig.thinkingLevel`), and
    /// the project setting `thinking`.
    pub enum ThinkingLevel {
        /// Barely any thinking.
        Minimal = "minimal",
        /// Little thinking.
        Low = "low",
        /// Some thinking.
        Medium = "medium",
        /// The most thinking.
        High = "high",
    }
}

impl ThinkingLevel {
    /// Thinking tokens a call at this level is given room for in
    /// `maxOutputTokens` (thinking counts against it), and the
    /// `thinkingBudget` it stands for on Gemini 2.5.
    pub fn tokens(self) -> u32 {
        match self {
            ThinkingLevel::Minimal => 1_024,
            ThinkingLevel::Low => 4_096,
            ThinkingLevel::Medium => 12_288,
            ThinkingLevel::High => 24_576,
        }
    }
}

/// How a model's thinking is controlled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thinking {
    /// `thinkingConfig.thinkingLevel`, one of `levels`; `default` when unset.
    Levels {
        /// The levels the model accepts (others are a 400).
        levels: &'static [ThinkingLevel],
        /// What the model does when no level is sent.
        default: ThinkingLevel,
    },
    /// `thinkingConfig.thinkingBudget` in tokens; 0 turns it off where
    /// `can_disable`, -1 lets the model choose.
    Budget {
        /// Smallest budget above zero.
        min: u32,
        /// Largest budget.
        max: u32,
        /// Whether a budget of 0 is accepted.
        can_disable: bool,
    },
}

/// What to do with `temperature`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Temperature {
    /// Keep the default of 1.0: lower values may loop or degrade reasoning.
    KeepDefault,
    /// The model ignores it (Gemini 3.6 Flash, 3.5 Flash-Lite and later).
    Ignored,
    /// Any value from 0 to 2.
    Free,
}

/// One model's facts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelInfo {
    /// The id in `models/{id}`.
    pub id: &'static str,
    /// Current, preview, deprecated or shut down.
    pub status: ModelStatus,
    /// List prices.
    pub price: Price,
    /// Largest `maxOutputTokens` (thinking counts against it).
    pub max_output_tokens: u32,
    /// How thinking is controlled.
    pub thinking: Thinking,
    /// What to do with `temperature`.
    pub temperature: Temperature,
}

use ThinkingLevel::{High, Low, Medium, Minimal};
const ALL_LEVELS: &[ThinkingLevel] = &[Minimal, Low, Medium, High];
const NO_MINIMAL: &[ThinkingLevel] = &[Low, Medium, High];
const OUT_64K: u32 = 65_536;

const fn flat(input: f64, output: f64, cached_input: f64) -> Price {
    Price { input, output, cached_input, long_context: None }
}

const fn levels(levels: &'static [ThinkingLevel], default: ThinkingLevel) -> Thinking {
    Thinking::Levels { levels, default }
}

/// Every model Parit knows, newest first.
pub const CATALOGUE: &[ModelInfo] = &[
    ModelInfo {
        id: "gemini-4-argon",
        status: ModelStatus::Current,
        // No explicit caching on Gemini 4 (optimization guide): cached at the full rate.
        price: flat(2.00, 10.00, 2.00),
        // Its output limit is reported as both 32,768 and 1,000,000: the smaller.
        max_output_tokens: 32_768,
        thinking: levels(NO_MINIMAL, Medium),
        temperature: Temperature::Ignored,
    },
    ModelInfo {
        id: "gemini-3.8-flash",
        status: ModelStatus::Current,
        // Introductory list price until 2026-12-31; $1.50 / $7.50 from 2027-01-01.
        price: flat(0.75, 3.75, 0.075),
        max_output_tokens: OUT_64K,
        thinking: levels(NO_MINIMAL, Medium),
        temperature: Temperature::Ignored,
    },
    ModelInfo {
        id: "gemini-3.7-flash",
        status: ModelStatus::Deprecated { shutdown: None, replacement: "gemini-3.8-flash" },
        // Routed to 3.8 Flash and billed at its rates.
        price: flat(0.75, 3.75, 0.075),
        max_output_tokens: OUT_64K,
        thinking: levels(NO_MINIMAL, Medium),
        temperature: Temperature::Ignored,
    },
    ModelInfo {
        id: "gemini-3.6-flash",
        status: ModelStatus::Current,
        price: flat(1.50, 7.50, 0.15),
        max_output_tokens: OUT_64K,
        thinking: levels(ALL_LEVELS, Medium),
        temperature: Temperature::Ignored,
    },
    ModelInfo {
        id: "gemini-3.5-flash-lite",
        status: ModelStatus::Current,
        price: flat(0.30, 2.50, 0.03),
        max_output_tokens: OUT_64K,
        thinking: levels(ALL_LEVELS, Minimal),
        temperature: Temperature::Ignored,
    },
    ModelInfo {
        id: "gemini-3.5-flash",
        status: ModelStatus::Deprecated { shutdown: None, replacement: "gemini-3.6-flash" },
        price: flat(1.50, 9.00, 0.15),
        max_output_tokens: OUT_64K,
        thinking: levels(ALL_LEVELS, Medium),
        temperature: Temperature::KeepDefault,
    },
    ModelInfo {
        id: "gemini-3.1-flash-lite",
        status: ModelStatus::Deprecated { shutdown: Some("2027-05-07"), replacement: "gemini-3.5-flash-lite" },
        price: flat(0.25, 1.50, 0.025),
        max_output_tokens: OUT_64K,
        thinking: levels(ALL_LEVELS, Minimal),
        temperature: Temperature::KeepDefault,
    },
    ModelInfo {
        id: "gemini-3.1-pro-preview",
        status: ModelStatus::Preview,
        price: Price {
            input: 2.00,
            output: 12.00,
            cached_input: 2.00,
            long_context: Some(LongContext { above_prompt_tokens: 200_000, input: 4.00, output: 18.00 }),
        },
        max_output_tokens: OUT_64K,
        thinking: levels(NO_MINIMAL, High),
        temperature: Temperature::KeepDefault,
    },
    ModelInfo {
        id: "gemini-3-flash-preview",
        status: ModelStatus::Preview,
        price: flat(0.50, 3.00, 0.50),
        max_output_tokens: OUT_64K,
        thinking: levels(ALL_LEVELS, High),
        temperature: Temperature::KeepDefault,
    },
    ModelInfo {
        id: "gemini-3-pro-preview",
        status: ModelStatus::ShutDown { on: "2026-03-09", replacement: "gemini-3.1-pro-preview" },
        price: Price {
            input: 2.00,
            output: 12.00,
            cached_input: 2.00,
            long_context: Some(LongContext { above_prompt_tokens: 200_000, input: 4.00, output: 18.00 }),
        },
        max_output_tokens: OUT_64K,
        thinking: levels(&[Low, High], High),
        temperature: Temperature::KeepDefault,
    },
    ModelInfo {
        id: "gemini-3.1-flash-lite-preview",
        status: ModelStatus::ShutDown { on: "2026-05-25", replacement: "gemini-3.1-flash-lite" },
        price: flat(0.25, 1.50, 0.025),
        max_output_tokens: OUT_64K,
        thinking: levels(ALL_LEVELS, Minimal),
        temperature: Temperature::KeepDefault,
    },
    ModelInfo {
        id: "gemini-2.5-pro",
        status: ModelStatus::ShutDown { on: "2026-12-01", replacement: "gemini-3.8-flash" },
        price: Price {
            input: 1.25,
            output: 10.00,
            cached_input: 1.25,
            // Its long-context output rate was not found: priced at the shorter prompts' rates.
            long_context: Some(LongContext { above_prompt_tokens: 200_000, input: 2.50, output: 10.00 }),
        },
        max_output_tokens: OUT_64K,
        thinking: Thinking::Budget { min: 128, max: 32_768, can_disable: false },
        temperature: Temperature::Free,
    },
    ModelInfo {
        id: "gemini-2.5-flash",
        status: ModelStatus::ShutDown { on: "2026-12-01", replacement: DEFAULT_MODEL },
        price: flat(0.30, 2.50, 0.30),
        max_output_tokens: OUT_64K,
        thinking: Thinking::Budget { min: 1, max: 24_576, can_disable: true },
        temperature: Temperature::Free,
    },
    ModelInfo {
        id: "gemini-2.5-flash-lite",
        // Sources disagree on its shutdown (2026-07-22 in an older copy of the
        // deprecations page, "available until further notice" in a later reading).
        status: ModelStatus::Deprecated { shutdown: None, replacement: DEFAULT_MODEL },
        price: flat(0.10, 0.40, 0.10),
        max_output_tokens: OUT_64K,
        thinking: Thinking::Budget { min: 512, max: 24_576, can_disable: true },
        temperature: Temperature::Free,
    },
    ModelInfo {
        id: "gemini-2.0-flash",
        status: ModelStatus::ShutDown { on: "2026-06-01", replacement: DEFAULT_MODEL },
        price: flat(0.10, 0.40, 0.10),
        max_output_tokens: 8_192,
        thinking: Thinking::Budget { min: 0, max: 0, can_disable: true },
        temperature: Temperature::Free,
    },
    ModelInfo {
        id: "gemini-2.0-flash-lite",
        status: ModelStatus::ShutDown { on: "2026-06-01", replacement: DEFAULT_MODEL },
        price: flat(0.075, 0.30, 0.075),
        max_output_tokens: 8_192,
        thinking: Thinking::Budget { min: 0, max: 0, can_disable: true },
        temperature: Temperature::Free,
    },
];

/// The rates an id the catalogue does not know is charged: the dearest input,
/// output and long-context rates in the table, so a budget is never
/// underestimated.
pub const UNPRICED: Price = Price { input: 4.00, output: 18.00, cached_input: 4.00, long_context: None };

/// The facts of `id`. Pinned versions (`gemini-2.0-flash-001`) and a
/// `models/` prefix resolve to their model.
pub fn model(id: &str) -> Option<&'static ModelInfo> {
    let id = id.strip_prefix("models/").unwrap_or(id);
    CATALOGUE.iter().find(|m| m.id == id).or_else(|| {
        // "gemini-2.0-flash-001" → "gemini-2.0-flash": a numbered version of a known model.
        let (base, version) = id.rsplit_once('-')?;
        (version.len() == 3 && version.bytes().all(|b| b.is_ascii_digit()))
            .then(|| CATALOGUE.iter().find(|m| m.id == base))
            .flatten()
    })
}

/// The rates `id` is billed at: its list prices, else [`UNPRICED`].
pub fn price(id: &str) -> Price {
    model(id).map_or(UNPRICED, |m| m.price)
}

/// Why a project may not use `id`, if it may not: a model that is shut down,
/// with its replacement.
pub fn refusal(id: &str) -> Option<String> {
    match model(id)?.status {
        ModelStatus::ShutDown { on, replacement } => Some(format!(
            "{id} was shut down on {on} and no longer answers as itself; use {replacement} (the default is {DEFAULT_MODEL})"
        )),
        _ => None,
    }
}

/// What a project on `id` should know, if anything: the model is deprecated
/// (it still answers, but Google has said it goes), with its replacement and
/// the earliest shutdown date when one is announced.
pub fn warning(id: &str) -> Option<String> {
    match model(id)?.status {
        ModelStatus::Deprecated { shutdown, replacement } => Some(match shutdown {
            Some(date) => {
                format!("{id} is deprecated and may be shut down from {date}; Google recommends {replacement}")
            }
            None => format!("{id} is deprecated; Google recommends {replacement}"),
        }),
        _ => None,
    }
}

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
/// an API Worker with a route for each endpoint).
pub fn answer_tokens(stage: Stage) -> u32 {
    match stage {
        Stage::Prd | Stage::Data | Stage::Design | Stage::Logic => 8_192,
        Stage::Api => 12_288,
        Stage::Deployment => 24_576,
        Stage::Frontend => 32_768,
    }
}

/// How long one call may take before the client gives up: the time to write
/// `max_output_tokens` (thinking included) at a cautious 100 tokens a second
/// (Flash models write several hundred), plus 30 s to start. A frontend stage
/// writing whole files gets minutes; a PRD, about two.
pub fn call_timeout_ms(max_output_tokens: u32) -> u64 {
    30_000 + u64::from(max_output_tokens) * 10
}

/// `maxOutputTokens` of a model the catalogue does not know.
const UNKNOWN_MAX_OUTPUT: u32 = 32_768;

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
    let ceiling = info.map_or(UNKNOWN_MAX_OUTPUT, |m| m.max_output_tokens);
    let thinking = info.and_then(|m| match m.thinking {
        Thinking::Levels { levels, .. } => {
            // The level asked for, else the next one up the model accepts.
            let level = ThinkingLevel::ALL.iter().copied().filter(|l| *l >= level).find(|l| levels.contains(l))?;
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

/// The models a person may choose today (current and preview), default first.
pub fn selectable() -> impl Iterator<Item = &'static ModelInfo> {
    let default = CATALOGUE.iter().filter(|m| m.id == DEFAULT_MODEL);
    let others = CATALOGUE
        .iter()
        .filter(|m| m.id != DEFAULT_MODEL && matches!(m.status, ModelStatus::Current | ModelStatus::Preview));
    default.chain(others)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_web_apps_model_list_is_generated_from_the_catalogue() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/src/models.ts");
        if std::env::var_os("PARIT_BLESS").is_some() {
            std::fs::write(path, crate::fixtures::web_module()).expect("write frontend/src/models.ts");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(
            committed,
            crate::fixtures::web_module(),
            "frontend/src/models.ts is stale: run PARIT_BLESS=1 cargo test -p parit-shared catalogue"
        );
    }

    #[test]
    fn the_default_is_current_inexpensive_and_known() {
        let m = model(DEFAULT_MODEL).expect("the default is in the catalogue");
        assert_eq!(m.status, ModelStatus::Current);
        let cheaper_current = CATALOGUE
            .iter()
            .filter(|o| o.status == ModelStatus::Current && o.price.output < m.price.output)
            .map(|o| o.id)
            .collect::<Vec<_>>();
        assert!(cheaper_current.is_empty(), "a current model is cheaper: {cheaper_current:?}");
        assert_eq!(selectable().next().map(|m| m.id), Some(DEFAULT_MODEL));
    }

    #[test]
    fn every_replacement_is_a_model_that_still_answers() {
        for m in CATALOGUE {
            let replacement = match m.status {
                ModelStatus::Deprecated { replacement, .. } | ModelStatus::ShutDown { replacement, .. } => replacement,
                _ => continue,
            };
            let r = model(replacement).unwrap_or_else(|| panic!("{}: {replacement} is not in the catalogue", m.id));
            assert!(!matches!(r.status, ModelStatus::ShutDown { .. }), "{} → {replacement}, itself shut down", m.id);
        }
    }

    #[test]
    fn ids_are_unique_and_facts_sane() {
        for (i, m) in CATALOGUE.iter().enumerate() {
            assert!(CATALOGUE[..i].iter().all(|o| o.id != m.id), "{} twice", m.id);
            let p = m.price;
            assert!(p.input > 0.0 && p.output >= p.input && p.cached_input <= p.input, "{}", m.id);
            assert!(p.input <= UNPRICED.input && p.output <= UNPRICED.output, "{} dearer than UNPRICED", m.id);
            if let Some(l) = p.long_context {
                assert!(l.input >= p.input && l.output >= p.output && l.input <= UNPRICED.input, "{}", m.id);
                assert!(l.output <= UNPRICED.output, "{}", m.id);
            }
            if let Thinking::Levels { levels, default } = m.thinking {
                assert!(levels.contains(&default), "{}: default level not accepted", m.id);
            }
        }
    }

    #[test]
    fn shut_down_models_are_refused_with_their_replacement() {
        let why = refusal("gemini-2.5-flash").expect("2.5 Flash is shut down");
        assert!(why.contains("2026-12-01") && why.contains(DEFAULT_MODEL), "{why}");
        assert!(refusal("models/gemini-2.0-flash-001").is_some(), "a pinned version of a shut-down model");
        assert_eq!(refusal(DEFAULT_MODEL), None);
        assert_eq!(refusal("gemini-3.1-flash-lite"), None, "deprecated still answers");
        assert_eq!(refusal("gemini-9-ultra"), None, "unknown ids are allowed");
        assert!(selectable().all(|m| refusal(m.id).is_none()));
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
    fn a_call_may_take_as_long_as_writing_its_cap() {
        let frontend = call_config(DEFAULT_MODEL, Stage::Frontend, &GenerationSettings::default());
        let prd = call_config(DEFAULT_MODEL, Stage::Prd, &GenerationSettings::default());
        assert_eq!(call_timeout_ms(prd.max_output_tokens), 30_000 + 12_288 * 10);
        assert!(call_timeout_ms(frontend.max_output_tokens) > 7 * 60_000, "whole files take minutes");
    }

    #[test]
    fn unknown_ids_are_priced_at_the_dearest_rates() {
        assert_eq!(price("gemini-9-ultra"), UNPRICED);
        assert_eq!(price("models/gemini-3.5-flash-lite").input, 0.30);
        assert_eq!(model("gemini-2.0-flash-001").map(|m| m.id), Some("gemini-2.0-flash"));
        assert_eq!(model("gemini-2.0-flash-xyz"), None);
    }
}
