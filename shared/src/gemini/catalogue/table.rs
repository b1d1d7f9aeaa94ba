//! The catalogue's entries, newest first, each fact from the sources the
//! module's header lists.

use super::facts::*;

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

#[cfg(test)]
mod tests {
    use super::super::*;

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
}
