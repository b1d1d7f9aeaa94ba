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

//!
//! `facts` says what a model's entry holds, `table` is the entries, and
//! `call` makes a stage's generation settings and timeouts from them; the
//! lookups are here.

mod call;
mod facts;
mod table;

pub use call::{
    answer_tokens, call_config, call_timeout_ms, stage_thinking, stream_timeouts, CallConfig, GenerationSettings,
    StreamTimeouts, LONG_DECODE_MAX_OUTPUT, STREAM_IDLE_MS, UNKNOWN_SPEED,
};
pub use facts::{DatedPrice, LongContext, ModelInfo, ModelStatus, Price, Speed, Temperature, Thinking, ThinkingLevel};
pub use table::CATALOGUE;

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
    use crate::stage::Stage;

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
    fn the_catalogue_says_when_it_is_out_of_date() {
        let checked = crate::clock::day_number(CHECKED_ON).unwrap() as u64 * crate::clock::DAY_MS;
        assert_eq!(age_days(checked), 0);
        assert_eq!(staleness(checked + 30 * crate::clock::DAY_MS), None);
        let warning = staleness(checked + 31 * crate::clock::DAY_MS).expect("31 days old");
        assert!(warning.contains(CHECKED_ON) && warning.contains("31 days ago"), "{warning}");
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
    fn unknown_ids_are_priced_at_the_dearest_rates() {
        assert_eq!(price("gemini-9-ultra", CHECKED_ON), UNPRICED);
        assert_eq!(price("models/gemini-3.5-flash-lite", CHECKED_ON).input, 0.30);
        assert_eq!(model("gemini-2.0-flash-001").map(|m| m.id), Some("gemini-2.0-flash"));
        assert_eq!(model("gemini-2.0-flash-xyz"), None);
    }
}
