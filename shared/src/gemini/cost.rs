//! What model calls cost, at the list prices of the model catalogue
//! ([`crate::gemini::catalogue`]): prompt tokens at the input rate, cached
//! prompt tokens at the cached rate, answer and thinking tokens at the output
//! rate, and a prompt past a long-context threshold at that tier's rates; each
//! at the list price in force on the day of the call.

use crate::gemini::catalogue;
use crate::gemini::Usage;

/// Cost of `usage` on `model` at the prices in force on `day` (`YYYY-MM-DD`,
/// UTC: the day of the call, or of the estimate), in USD. A model the
/// catalogue does not know is priced at its dearest rates.
pub fn cost_usd(model: &str, usage: &Usage, day: &str) -> f64 {
    let p = catalogue::price(model, day);
    let (input, output) = match p.long_context {
        Some(l) if usage.prompt_tokens > l.above_prompt_tokens => (l.input, l.output),
        _ => (p.input, p.output),
    };
    let cached = usage.cached_tokens.min(usage.prompt_tokens);
    (f64::from(usage.prompt_tokens - cached) * input
        + f64::from(cached) * p.cached_input
        + (f64::from(usage.output_tokens) + f64::from(usage.thoughts_tokens)) * output)
        / 1_000_000.0
}

/// Approximate tokens of `bytes` of text: Google's "a token is equivalent to
/// about 4 characters" (<https://ai.google.dev/gemini-api/docs/tokens>, read
/// 2026-12-04), rounded up. Used where no `countTokens` answer is at hand: a
/// stage's budget check before it calls, and the run plan.
pub fn approximate_tokens(bytes: usize) -> u64 {
    (bytes as u64).div_ceil(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(prompt: u32, output: u32, thoughts: u32, cached: u32) -> Usage {
        Usage { prompt_tokens: prompt, output_tokens: output, thoughts_tokens: thoughts, cached_tokens: cached }
    }

    const DAY: &str = "2026-12-06";

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn costs_match_the_price_list_with_thinking_as_output() {
        let u = usage(1_000_000, 500_000, 500_000, 0);
        // gemini-3.5-flash-lite: $0.30 in, $2.50 out.
        assert!(close(cost_usd("gemini-3.5-flash-lite", &u, DAY), 0.30 + 2.50));
        assert!(close(cost_usd("gemini-3.6-flash", &u, DAY), 1.50 + 7.50));
        assert_eq!(cost_usd("gemini-3.5-flash-lite", &Usage::default(), DAY), 0.0);
    }

    #[test]
    fn cached_prompt_tokens_bill_at_the_cached_rate() {
        let all_fresh = cost_usd("gemini-3.5-flash-lite", &usage(1_000_000, 0, 0, 0), DAY);
        let half_cached = cost_usd("gemini-3.5-flash-lite", &usage(1_000_000, 0, 0, 500_000), DAY);
        assert!(close(all_fresh, 0.30));
        assert!(close(half_cached, 0.15 + 0.015));
        // A report of more cached tokens than prompt tokens is capped at the prompt.
        assert!(close(cost_usd("gemini-3.5-flash-lite", &usage(1_000, 0, 0, 5_000), DAY), 1_000.0 * 0.03 / 1e6));
    }

    #[test]
    fn long_prompts_pay_the_long_context_tier() {
        let short = cost_usd("gemini-3.1-pro-preview", &usage(200_000, 1_000_000, 0, 0), DAY);
        let long = cost_usd("gemini-3.1-pro-preview", &usage(200_001, 1_000_000, 0, 0), DAY);
        assert!(close(short, 0.2 * 2.00 + 12.00));
        assert!(close(long, 200_001.0 * 4.00 / 1e6 + 18.00));
    }

    #[test]
    fn unknown_models_cost_more_than_any_known_one() {
        let u = usage(300_000, 100_000, 50_000, 0);
        let unknown = cost_usd("gemini-9-ultra", &u, DAY);
        for m in catalogue::CATALOGUE {
            for p in m.prices {
                assert!(unknown >= cost_usd(m.id, &u, p.from), "{} from {}", m.id, p.from);
            }
        }
    }
}
