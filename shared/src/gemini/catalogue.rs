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
//! Sources: the stored copies of Google's pages as they stood on
//! [`CHECKED_ON`] (every citation, and what only third parties say:
//! `docs/research/gemini-2026-12-06.md`, building on `…-2026-12-02.md`).
//! - models and status: ai.google.dev/gemini-api/docs/models, …/deprecations
//!   ("the shutdown dates listed … indicate the earliest possible dates"),
//!   …/changelog (2026-07-21: 3.6 Flash and 3.5 Flash-Lite GA, sampling
//!   parameters deprecated; 2026-10-08: 3.5 and 3.7 Flash deprecated and routed
//!   to 3.6 and 3.8 Flash). Gemini 4: …/generate-content/latest-model (Argon)
//!   and Vertex AI's "Get started with Gemini 4" and Hydrogen developer guide
//!   (Hydrogen GA, the successor to 3.8 Flash). Carbon's and Neon's release,
//!   status and free tier come only from third parties (apidog, docs.laozhang,
//!   Tencent Cloud; 2026-11).
//! - prices (paid tier, USD per million tokens; thinking bills as output):
//!   ai.google.dev/gemini-api/docs/pricing, …/latest-model (Argon: $2 / $10
//!   "through Nov 30, 2026", $4 / $20 thereafter) and …/whats-new-gemini-3.6.
//!   Carbon's, Hydrogen's and Neon's rates, 3.8 Flash's change on
//!   2027-01-01 and the cached rates of 3.x and 4 models come from price
//!   mirrors quoting Google's table, not the table itself. Where no cached
//!   rate was found, cached input is priced at the full input rate.
//! - limits and thinking: …/generate-content/long-decode (per request 32,768
//!   output tokens non-streaming and 65,536 streaming on Argon; Gemini 4
//!   continues past that with `CONTINUATION`), each model's page, the thinking
//!   guide (Gemini 3 and 4 `thinkingLevel`; 2.5 `thinkingBudget`; both at once
//!   is an error), Vertex AI's guides for the default levels and `XHIGH`.
//! - speed: Google publishes none. OpenRouter's medians (stored copy of its
//!   comparison page): Argon 36 tokens/s and 6.22 s to the first token,
//!   Hydrogen 119 tokens/s and 2.56 s. Other models keep the cautious 100
//!   tokens/s Parit assumed before.
//! - free tier: the rate-limits page no longer lists per-model limits ("view
//!   your active rate limits in AI Studio"); which models have a free tier is
//!   from third parties (see [`ModelInfo::free_tier`]).
//! - temperature: the Gemini 3 prompting guide ("we strongly recommend keeping
//!   the temperature parameter at its default value of 1.0"); from 3.6 Flash
//!   and 3.5 Flash-Lite on, temperature, topP and topK are ignored.

use super::ThinkingConfig;
use crate::stage::Stage;
use serde::{Deserialize, Serialize};

/// The model a project uses unless it chooses another: one a new user with a
/// free API key can finish a run on at $0. Gemini 4 Hydrogen is generally
/// available, runs on the free tier (the only current Gemini 4 model that
/// does), is Google's named successor to 3.8 Flash, writes about 119 tokens a
/// second, and on the paid tier costs what 3.8 Flash costs once its
/// introductory price ends (2027-01-01). Google no longer publishes per-model
/// free-tier limits (AI Studio shows each project's own); a run is 7 calls,
/// and at most 14 with a repair each, well inside any daily request limit
/// Google has published for a free tier (20 to 1,000 a day in 2026). A
/// model whose free tier is unknown (3.5 Flash-Lite, cheaper when paid) could
/// answer a free key with "limit: 0".
pub const DEFAULT_MODEL: &str = "gemini-4-hydrogen";

/// Whether `name` can be a Gemini model id (it is put into the request path).
/// Here, beside the models, so that project settings and the agent check a
/// name the same way without the one importing the other.
pub fn is_model_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

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

/// A list price and the day it takes effect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatedPrice {
    /// First day (UTC, `YYYY-MM-DD`) these rates apply; the first entry of a
    /// model's list applies to every earlier day too.
    pub from: &'static str,
    /// The rates.
    pub price: Price,
}

/// How fast a model writes, from published measurements: what a call's
/// timeout is sized from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Speed {
    /// Median output tokens a second (thinking included).
    pub tokens_per_second: u32,
    /// Median time to the first token, in milliseconds.
    pub first_token_ms: u32,
}

impl Speed {
    /// Whether the figure was published, not assumed.
    pub fn measured(&self) -> bool {
        *self != UNMEASURED
    }
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
        /// Much thinking.
        High = "high",
        /// The most thinking (Gemini 4 models).
        Xhigh = "xhigh",
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
            ThinkingLevel::Xhigh => 32_768,
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
    /// List prices, oldest first, each from the day it takes effect.
    pub prices: &'static [DatedPrice],
    /// Largest output of one streamed request (every call Parit makes
    /// streams; thinking counts against it).
    pub max_output_tokens: u32,
    /// How fast it writes.
    pub speed: Speed,
    /// How thinking is controlled.
    pub thinking: Thinking,
    /// What to do with `temperature`.
    pub temperature: Temperature,
    /// Whether a free API key can call it at $0: `Some(true)` or
    /// `Some(false)` as the sources say, `None` when no source says.
    pub free_tier: Option<bool>,
    /// Whether it goes on past [`ModelInfo::max_output_tokens`] in segments
    /// (Gemini 4's long decode: finishReason `CONTINUATION`), so a call may
    /// ask for more than one request returns.
    pub long_decode: bool,
}

use ThinkingLevel::{High, Low, Medium, Minimal, Xhigh};
const ALL_LEVELS: &[ThinkingLevel] = &[Minimal, Low, Medium, High];
const NO_MINIMAL: &[ThinkingLevel] = &[Low, Medium, High];
const TO_XHIGH: &[ThinkingLevel] = &[Low, Medium, High, Xhigh];
const OUT_64K: u32 = 65_536;

const fn flat(input: f64, output: f64, cached_input: f64) -> Price {
    Price { input, output, cached_input, long_context: None }
}

/// A model's one price, from before Parit knew it.
const fn since_launch(price: Price) -> DatedPrice {
    DatedPrice { from: "2000-01-01", price }
}

/// A price that takes effect on `from`.
const fn from_day(from: &'static str, price: Price) -> DatedPrice {
    DatedPrice { from, price }
}

/// No published figure: the cautious 100 tokens a second Parit assumed
/// before it had any.
const UNMEASURED: Speed = Speed { tokens_per_second: 100, first_token_ms: 0 };

const fn levels(levels: &'static [ThinkingLevel], default: ThinkingLevel) -> Thinking {
    Thinking::Levels { levels, default }
}

/// Gemini 4 Argon's: introductory $2 / $10 "through Nov 30, 2026", $4 /
/// $20 thereafter. No explicit caching on Gemini 4 and no published implicit
/// rate: cached input at the full rate.
const ARGON_PRICES: &[DatedPrice] =
    &[since_launch(flat(2.00, 10.00, 2.00)), from_day("2026-12-01", flat(4.00, 20.00, 4.00))];

/// Gemini 3.8 Flash's: introductory through 2026-12-31, doubled from 2027-01-01.
const FLASH_3_8_PRICES: &[DatedPrice] =
    &[since_launch(flat(0.75, 3.75, 0.075)), from_day("2027-01-01", flat(1.50, 7.50, 0.15))];

/// Every model Parit knows, newest first.
pub const CATALOGUE: &[ModelInfo] = &[
    ModelInfo {
        id: "gemini-4-hydrogen",
        status: ModelStatus::Current,
        // Implicit caching only; its cached rate from price mirrors.
        prices: &[since_launch(flat(1.50, 7.50, 0.075))],
        // 65,536 per segment, streaming or not (Vertex AI's Hydrogen guide).
        max_output_tokens: OUT_64K,
        speed: Speed { tokens_per_second: 119, first_token_ms: 2_560 },
        thinking: levels(TO_XHIGH, High),
        temperature: Temperature::Ignored,
        free_tier: Some(true),
        long_decode: true,
    },
    ModelInfo {
        id: "gemini-4-neon",
        status: ModelStatus::Current,
        prices: &[since_launch(flat(3.00, 15.00, 0.15))],
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        // Its default level is not published: high, as Hydrogen's.
        thinking: levels(TO_XHIGH, High),
        temperature: Temperature::Ignored,
        free_tier: Some(false),
        long_decode: true,
    },
    ModelInfo {
        id: "gemini-4-carbon",
        status: ModelStatus::Current,
        // Argon's schedule, as third parties report it.
        prices: ARGON_PRICES,
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        // No xhigh; its default level is not published: medium, as Argon's.
        thinking: levels(NO_MINIMAL, Medium),
        temperature: Temperature::Ignored,
        free_tier: Some(false),
        long_decode: true,
    },
    ModelInfo {
        id: "gemini-4-argon",
        status: ModelStatus::Current,
        prices: ARGON_PRICES,
        // Per streamed request (32,768 per non-streamed one; Parit streams);
        // longer answers come in segments.
        max_output_tokens: OUT_64K,
        speed: Speed { tokens_per_second: 36, first_token_ms: 6_220 },
        thinking: levels(NO_MINIMAL, Medium),
        temperature: Temperature::Ignored,
        free_tier: None,
        long_decode: true,
    },
    ModelInfo {
        id: "gemini-3.8-flash",
        status: ModelStatus::Current,
        prices: FLASH_3_8_PRICES,
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: levels(NO_MINIMAL, Medium),
        temperature: Temperature::Ignored,
        free_tier: Some(true),
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-3.7-flash",
        status: ModelStatus::Deprecated { shutdown: None, replacement: "gemini-3.8-flash" },
        // Routed to 3.8 Flash and billed at its rates.
        prices: FLASH_3_8_PRICES,
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: levels(NO_MINIMAL, Medium),
        temperature: Temperature::Ignored,
        free_tier: None,
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-3.6-flash",
        status: ModelStatus::Current,
        prices: &[since_launch(flat(1.50, 7.50, 0.15))],
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: levels(ALL_LEVELS, Medium),
        temperature: Temperature::Ignored,
        free_tier: None,
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-3.5-flash-lite",
        status: ModelStatus::Current,
        prices: &[since_launch(flat(0.30, 2.50, 0.03))],
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: levels(ALL_LEVELS, Minimal),
        temperature: Temperature::Ignored,
        free_tier: None,
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-3.5-flash",
        status: ModelStatus::Deprecated { shutdown: None, replacement: "gemini-3.6-flash" },
        prices: &[since_launch(flat(1.50, 9.00, 0.15))],
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: levels(ALL_LEVELS, Medium),
        temperature: Temperature::KeepDefault,
        free_tier: None,
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-3.1-flash-lite",
        status: ModelStatus::Deprecated { shutdown: Some("2027-05-07"), replacement: "gemini-3.5-flash-lite" },
        prices: &[since_launch(flat(0.25, 1.50, 0.025))],
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: levels(ALL_LEVELS, Minimal),
        temperature: Temperature::KeepDefault,
        free_tier: Some(true),
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-3.1-pro-preview",
        status: ModelStatus::Preview,
        prices: &[since_launch(Price {
            input: 2.00,
            output: 12.00,
            cached_input: 2.00,
            long_context: Some(LongContext { above_prompt_tokens: 200_000, input: 4.00, output: 18.00 }),
        })],
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: levels(NO_MINIMAL, High),
        temperature: Temperature::KeepDefault,
        free_tier: Some(false),
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-3-flash-preview",
        status: ModelStatus::Preview,
        prices: &[since_launch(flat(0.50, 3.00, 0.50))],
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: levels(ALL_LEVELS, High),
        temperature: Temperature::KeepDefault,
        free_tier: None,
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-3-pro-preview",
        status: ModelStatus::ShutDown { on: "2026-03-09", replacement: "gemini-3.1-pro-preview" },
        prices: &[since_launch(Price {
            input: 2.00,
            output: 12.00,
            cached_input: 2.00,
            long_context: Some(LongContext { above_prompt_tokens: 200_000, input: 4.00, output: 18.00 }),
        })],
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: levels(&[Low, High], High),
        temperature: Temperature::KeepDefault,
        free_tier: Some(false),
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-3.1-flash-lite-preview",
        status: ModelStatus::ShutDown { on: "2026-05-25", replacement: "gemini-3.1-flash-lite" },
        prices: &[since_launch(flat(0.25, 1.50, 0.025))],
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: levels(ALL_LEVELS, Minimal),
        temperature: Temperature::KeepDefault,
        free_tier: None,
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-2.5-pro",
        status: ModelStatus::ShutDown { on: "2026-12-01", replacement: "gemini-3.8-flash" },
        prices: &[since_launch(Price {
            input: 1.25,
            output: 10.00,
            cached_input: 1.25,
            // Its long-context output rate was not found: priced at the shorter prompts' rates.
            long_context: Some(LongContext { above_prompt_tokens: 200_000, input: 2.50, output: 10.00 }),
        })],
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: Thinking::Budget { min: 128, max: 32_768, can_disable: false },
        temperature: Temperature::Free,
        free_tier: None,
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-2.5-flash",
        status: ModelStatus::ShutDown { on: "2026-12-01", replacement: "gemini-3.5-flash-lite" },
        prices: &[since_launch(flat(0.30, 2.50, 0.30))],
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: Thinking::Budget { min: 1, max: 24_576, can_disable: true },
        temperature: Temperature::Free,
        free_tier: None,
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-2.5-flash-lite",
        // Sources disagree on its shutdown (2026-07-22 in an older copy of the
        // deprecations page, "available until further notice" in a later reading).
        status: ModelStatus::Deprecated { shutdown: None, replacement: "gemini-3.5-flash-lite" },
        prices: &[since_launch(flat(0.10, 0.40, 0.10))],
        max_output_tokens: OUT_64K,
        speed: UNMEASURED,
        thinking: Thinking::Budget { min: 512, max: 24_576, can_disable: true },
        temperature: Temperature::Free,
        free_tier: None,
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-2.0-flash",
        status: ModelStatus::ShutDown { on: "2026-06-01", replacement: "gemini-3.5-flash-lite" },
        prices: &[since_launch(flat(0.10, 0.40, 0.10))],
        max_output_tokens: 8_192,
        speed: UNMEASURED,
        thinking: Thinking::Budget { min: 0, max: 0, can_disable: true },
        temperature: Temperature::Free,
        free_tier: None,
        long_decode: false,
    },
    ModelInfo {
        id: "gemini-2.0-flash-lite",
        status: ModelStatus::ShutDown { on: "2026-06-01", replacement: "gemini-3.5-flash-lite" },
        prices: &[since_launch(flat(0.075, 0.30, 0.075))],
        max_output_tokens: 8_192,
        speed: UNMEASURED,
        thinking: Thinking::Budget { min: 0, max: 0, can_disable: true },
        temperature: Temperature::Free,
        free_tier: None,
        long_decode: false,
    },
];

impl ModelInfo {
    /// The rates in force on `day` (`YYYY-MM-DD`, UTC): the latest entry
    /// that took effect on or before it, else the first.
    pub fn price_on(&self, day: &str) -> Price {
        let effective = self.prices.iter().rev().find(|p| p.from <= day).or(self.prices.first());
        effective.map_or(UNPRICED, |p| p.price)
    }

    /// Every rate the model has had or will have: for checks that must hold
    /// on any day.
    pub fn all_prices(&self) -> impl Iterator<Item = Price> + '_ {
        self.prices.iter().map(|p| p.price)
    }
}

/// The rates an id the catalogue does not know is charged: the dearest input,
/// output and long-context rates in the table on any day (Gemini 4 Argon's
/// and Carbon's $4 / $20 from 2026-12-01), so a budget is never
/// underestimated.
pub const UNPRICED: Price = Price { input: 4.00, output: 20.00, cached_input: 4.00, long_context: None };

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

/// The rates `id` is billed at on `day` (`YYYY-MM-DD`, UTC): its list
/// prices in force that day, else [`UNPRICED`].
pub fn price(id: &str, day: &str) -> Price {
    model(id).map_or(UNPRICED, |m| m.price_on(day))
}

/// The day the catalogue's facts were last checked against Google's pages
/// (`YYYY-MM-DD`): Gemini's models, prices and limits change weekly.
pub const CHECKED_ON: &str = "2026-12-06";

/// After this many days the catalogue is said to be out of date.
pub const STALE_AFTER_DAYS: i64 = 30;

/// Whole days from [`CHECKED_ON`] to `now_ms`.
pub fn age_days(now_ms: u64) -> i64 {
    let checked = crate::clock::day_number(CHECKED_ON).unwrap_or_default();
    (now_ms / crate::clock::DAY_MS) as i64 - checked
}

/// A warning when the catalogue is older than [`STALE_AFTER_DAYS`] at
/// `now_ms`: its prices, limits and models may no longer be Google's.
pub fn staleness(now_ms: u64) -> Option<String> {
    let age = age_days(now_ms);
    (age > STALE_AFTER_DAYS).then(|| {
        format!(
            "the model catalogue was checked on {CHECKED_ON}, {age} days ago: prices, limits and models may have changed since; \
             run scripts/check-models.sh with a key and update shared/src/gemini/catalogue.rs"
        )
    })
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
    fn the_default_runs_on_a_free_key_and_is_the_cheapest_current_model_that_does() {
        let m = model(DEFAULT_MODEL).expect("the default is in the catalogue");
        assert_eq!(m.status, ModelStatus::Current);
        assert_eq!(m.free_tier, Some(true), "a new user with a free key finishes a run at $0");
        // Introductory prices do not choose a default: each model's last,
        // lasting price does.
        let lasting = |m: &ModelInfo| m.prices.last().map_or(UNPRICED, |p| p.price).output;
        let cheaper: Vec<&str> = CATALOGUE
            .iter()
            .filter(|o| o.status == ModelStatus::Current && o.free_tier == Some(true) && lasting(o) < lasting(m))
            .map(|o| o.id)
            .collect();
        assert!(cheaper.is_empty(), "a current free-tier model is cheaper: {cheaper:?}");
        assert_eq!(selectable().next().map(|m| m.id), Some(DEFAULT_MODEL));
        // Every stage's own level is one it accepts: no stage runs at its default (high).
        for stage in Stage::ALL {
            let c = call_config(DEFAULT_MODEL, stage, &GenerationSettings::default());
            assert_eq!(c.thinking.and_then(|t| t.thinking_level), Some(stage_thinking(stage)), "{stage}");
        }
    }

    #[test]
    fn prices_change_on_their_day() {
        // Gemini 4 Argon's introductory price ended on 2026-11-30.
        assert_eq!(price("gemini-4-argon", "2026-11-30").output, 10.00);
        assert_eq!(price("gemini-4-argon", "2026-12-01").output, 20.00);
        assert_eq!(price("gemini-4-argon", "2026-12-06").input, 4.00);
        assert_eq!(price("gemini-4-argon", "1999-01-01").input, 2.00, "before the list: its first price");
        // 3.8 Flash doubles on 2027-01-01, as data rather than a comment.
        assert_eq!(price("gemini-3.8-flash", "2026-12-31").input, 0.75);
        assert_eq!(price("gemini-3.8-flash", "2027-01-01").input, 1.50);
        for m in CATALOGUE {
            assert!(m.prices.windows(2).all(|w| w[0].from < w[1].from), "{}: prices out of order", m.id);
            assert!(m.prices.iter().all(|p| crate::clock::day_number(p.from).is_some()), "{}: a date", m.id);
        }
    }

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
    fn the_catalogue_says_when_it_is_out_of_date() {
        let checked = crate::clock::day_number(CHECKED_ON).unwrap() as u64 * crate::clock::DAY_MS;
        assert_eq!(age_days(checked), 0);
        assert_eq!(staleness(checked + 30 * crate::clock::DAY_MS), None);
        let warning = staleness(checked + 31 * crate::clock::DAY_MS).expect("31 days old");
        assert!(warning.contains(CHECKED_ON) && warning.contains("31 days ago"), "{warning}");
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
            assert!(!m.prices.is_empty(), "{} has no price", m.id);
            for p in m.all_prices() {
                assert!(p.input > 0.0 && p.output >= p.input && p.cached_input <= p.input, "{}", m.id);
                assert!(p.input <= UNPRICED.input && p.output <= UNPRICED.output, "{} dearer than UNPRICED", m.id);
                if let Some(l) = p.long_context {
                    assert!(l.input >= p.input && l.output >= p.output && l.input <= UNPRICED.input, "{}", m.id);
                    assert!(l.output <= UNPRICED.output, "{}", m.id);
                }
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

    #[test]
    fn unknown_ids_are_priced_at_the_dearest_rates() {
        assert_eq!(price("gemini-9-ultra", CHECKED_ON), UNPRICED);
        assert_eq!(price("models/gemini-3.5-flash-lite", CHECKED_ON).input, 0.30);
        assert_eq!(model("gemini-2.0-flash-001").map(|m| m.id), Some("gemini-2.0-flash"));
        assert_eq!(model("gemini-2.0-flash-xyz"), None);
    }
}
