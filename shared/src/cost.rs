//! What model calls cost, from a per-model price table (USD per million
//! tokens, Gemini API paid tier list prices; thinking tokens bill as output).

use crate::gemini::Usage;

/// Input and output price of a model, USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    /// Prompt tokens.
    pub input_per_million: f64,
    /// Output and thinking tokens.
    pub output_per_million: f64,
}

/// The price of `model`; unknown models are priced as the dearest known one,
/// so a budget is never underestimated.
pub fn price(model: &str) -> Price {
    let p = |i, o| Price { input_per_million: i, output_per_million: o };
    match model {
        m if m.starts_with("gemini-2.5-flash-lite") => p(0.10, 0.40),
        m if m.starts_with("gemini-2.5-flash") => p(0.30, 2.50),
        m if m.starts_with("gemini-2.5-pro") => p(1.25, 10.00),
        m if m.starts_with("gemini-2.0-flash-lite") => p(0.075, 0.30),
        m if m.starts_with("gemini-2.0-flash") => p(0.10, 0.40),
        _ => p(2.00, 12.00),
    }
}

/// Cost of `usage` on `model`, in USD.
pub fn cost_usd(model: &str, usage: &Usage) -> f64 {
    let p = price(model);
    (f64::from(usage.prompt_tokens) * p.input_per_million
        + (f64::from(usage.output_tokens) + f64::from(usage.thoughts_tokens)) * p.output_per_million)
        / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_costs_match_the_price_list() {
        let u = Usage { prompt_tokens: 1_000_000, output_tokens: 500_000, thoughts_tokens: 500_000 };
        assert!((cost_usd("gemini-2.5-flash", &u) - 2.80).abs() < 1e-9);
        assert!((cost_usd("gemini-2.5-flash-lite", &u) - 0.50).abs() < 1e-9);
        assert!(cost_usd("mystery-model", &u) > cost_usd("gemini-2.5-pro", &u));
        assert_eq!(cost_usd("gemini-2.5-flash", &Usage::default()), 0.0);
    }
}
