//! What the catalogue says of one model: its status, dated prices, speed,
//! thinking control and temperature advice.

use super::UNPRICED;

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

/// No published figure: the cautious 100 tokens a second Parit assumed
/// before it had any.
pub(super) const UNMEASURED: Speed = Speed { tokens_per_second: 100, first_token_ms: 0 };

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
