//! One trace per model call, priced as the model that answered on the day
//! of the call; and the trace of an answer from the cache.

use crate::agent::protocol::{CallKind, CallOutcome, CallRecord};
use crate::gemini::cost::cost_usd;
use crate::gemini::{catalogue, Usage};
use crate::run::store::*;
use crate::stage::Stage;

/// The trace of an answer taken from the response cache: no call, no cost.
pub(super) fn cache_trace<E: Environment>(
    env: &E,
    project_id: &str,
    stage: Stage,
    execution_id: &str,
    model: &str,
) -> TraceRecord {
    TraceRecord {
        id: env.new_id(),
        project_id: project_id.to_string(),
        stage,
        execution_id: execution_id.to_string(),
        call_kind: CallKind::Generate,
        attempt: 1,
        model: model.to_string(),
        model_version: None,
        response_id: None,
        unpriced: false,
        usage: Usage::default(),
        latency_ms: 0,
        outcome: CallOutcome::Ok,
        error_class: None,
        message: Some("answered from the response cache".into()),
        retry_delay_ms: None,
        cache_hit: true,
        cost_usd: 0.0,
        created_at: env.now_ms(),
        segment: None,
        thinking_level: None,
    }
}

pub(super) fn trace_records<E: Environment>(
    env: &E,
    project_id: &str,
    stage: Stage,
    execution_id: &str,
    model: &str,
    calls: &[CallRecord],
) -> Vec<TraceRecord> {
    calls
        .iter()
        .map(|c| {
            // Priced as the model that answered, where the catalogue knows it.
            let answered = c.model_version.as_deref().filter(|v| catalogue::model(v).is_some());
            let priced = answered.unwrap_or(model);
            TraceRecord {
                id: env.new_id(),
                project_id: project_id.to_string(),
                stage,
                execution_id: execution_id.to_string(),
                call_kind: c.kind,
                attempt: c.attempt,
                model: model.to_string(),
                model_version: c.model_version.clone(),
                response_id: c.response_id.clone(),
                unpriced: catalogue::model(priced).is_none(),
                usage: c.usage,
                latency_ms: c.latency_ms,
                outcome: c.outcome,
                error_class: c.error_class.map(|e| e.as_str().to_string()),
                message: c.message.clone(),
                retry_delay_ms: c.retry_delay_ms,
                cache_hit: false,
                cost_usd: cost_usd(priced, &c.usage, &crate::clock::utc_day(env.now_ms())),
                created_at: env.now_ms(),
                segment: c.segment,
                thinking_level: c.thinking_level,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::call;
    use super::*;
    use crate::fixtures::memory::*;

    #[test]
    fn a_call_is_priced_as_the_model_that_answered() {
        let env = TickingEnv::default();
        let usage = Usage { prompt_tokens: 1_000_000, output_tokens: 1_000_000, thoughts_tokens: 0, cached_tokens: 0 };
        let answered = |version: Option<&str>| CallRecord {
            usage,
            model_version: version.map(str::to_string),
            response_id: Some("r-1".into()),
            ..call(CallOutcome::Ok, None, None)
        };
        let calls = [answered(Some("gemini-3.8-flash")), answered(Some("gemini-3.5-flash-lite-xyz")), answered(None)];
        let traces = trace_records(&env, "p", Stage::Prd, "e", "gemini-2.5-flash", &calls);
        // Routed: asked for 2.5 Flash, answered and billed by 3.8 Flash ($0.75 + $3.75).
        assert_eq!(traces[0].model, "gemini-2.5-flash");
        assert_eq!(traces[0].model_version.as_deref(), Some("gemini-3.8-flash"));
        assert_eq!(traces[0].response_id.as_deref(), Some("r-1"));
        assert!((traces[0].cost_usd - 4.50).abs() < 1e-9 && !traces[0].unpriced);
        // A version the catalogue does not know, or none: priced as the model asked for.
        assert!((traces[1].cost_usd - 2.80).abs() < 1e-9, "{}", traces[1].cost_usd);
        assert!((traces[2].cost_usd - 2.80).abs() < 1e-9);
        // Neither known: the dearest rates, flagged.
        let t = trace_records(&env, "p", Stage::Prd, "e", "gemini-9-ultra", &calls[1..2]);
        assert!(t[0].unpriced && (t[0].cost_usd - 24.0).abs() < 1e-9, "{:?}", t[0]);
    }

    #[test]
    fn a_call_is_priced_at_the_list_price_of_its_day() {
        let env = TickingEnv::default();
        let usage = Usage { prompt_tokens: 1_000_000, output_tokens: 1_000_000, thoughts_tokens: 0, cached_tokens: 0 };
        let calls = [CallRecord { usage, ..call(CallOutcome::Ok, None, None) }];
        // Gemini 4 Argon: $2 / $10 through 2026-11-30, $4 / $20 from 2026-12-01.
        let last_intro_day = crate::clock::day_number("2026-11-30").unwrap() as u64 * crate::clock::DAY_MS;
        env.sleep_until(last_intro_day + crate::clock::DAY_MS - 100);
        let before = trace_records(&env, "p", Stage::Prd, "e", "gemini-4-argon", &calls);
        assert!((before[0].cost_usd - 12.0).abs() < 1e-9, "{:?}", before[0]);
        env.sleep_until(last_intro_day + crate::clock::DAY_MS);
        let after = trace_records(&env, "p", Stage::Prd, "e", "gemini-4-argon", &calls);
        assert!((after[0].cost_usd - 24.0).abs() < 1e-9, "{:?}", after[0]);
    }
}
