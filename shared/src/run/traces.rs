//! What a project's model calls add up to (`GET /api/projects/:id/traces`):
//! each trace as the API shows it, totals over all and by stage, and each
//! stage's estimate for the latest run beside what it used. It reads D1's
//! rows as D1 answers them (JSON objects, numbers as floats), so the
//! supervisor hands them over unread and the bridge shapes them.

use crate::gemini::Usage;
use crate::run::rows::{col_str as text, col_u64 as number, usage_of};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

#[derive(Default)]
struct Totals {
    calls: u64,
    cache_hits: u64,
    usage: Usage,
    cost_usd: f64,
}

impl Totals {
    fn add(&mut self, row: &Value) {
        self.calls += 1;
        self.cache_hits += number(row, "cache_hit");
        self.usage.add(usage_of(row));
        self.cost_usd += row["cost_usd"].as_f64().unwrap_or(0.0);
    }

    fn json(&self) -> Value {
        json!({
            "calls": self.calls,
            "cacheHits": self.cache_hits,
            "promptTokens": self.usage.prompt_tokens,
            "outputTokens": self.usage.output_tokens,
            "thoughtsTokens": self.usage.thoughts_tokens,
            "totalTokens": self.usage.total(),
            "costUsd": self.cost_usd,
        })
    }
}

/// The traces report of project `id` from its `execution_traces` rows
/// (oldest first) and its latest run's `run_estimates` rows (each with the
/// run's `run_finished_at`).
pub fn report(id: &str, rows: &[Value], estimates: &[Value]) -> Value {
    let mut total = Totals::default();
    let mut by_stage: BTreeMap<String, Totals> = BTreeMap::new();
    let traces: Vec<Value> = rows
        .iter()
        .map(|r| {
            total.add(r);
            by_stage.entry(text(r, "stage")).or_default().add(r);
            json!({
                "id": text(r, "id"),
                "stage": text(r, "stage"),
                "executionId": text(r, "execution_id"),
                "callKind": text(r, "call_kind"),
                "attempt": number(r, "attempt"),
                "model": text(r, "model"),
                "modelVersion": r["model_version"],
                "responseId": r["response_id"],
                "unpriced": number(r, "unpriced") != 0,
                "promptTokens": number(r, "prompt_tokens"),
                "outputTokens": number(r, "output_tokens"),
                "thoughtsTokens": number(r, "thoughts_tokens"),
                "latencyMs": number(r, "latency_ms"),
                "outcome": text(r, "outcome"),
                "errorClass": r["error_class"],
                "message": r["message"],
                "retryDelayMs": r["retry_delay_ms"],
                "segment": r["segment"],
                "thinkingLevel": r["thinking_level"],
                "cacheHit": number(r, "cache_hit") != 0,
                "costUsd": r["cost_usd"].as_f64().unwrap_or(0.0),
                "createdAt": number(r, "created_at"),
            })
        })
        .collect();
    let stages: Map<String, Value> = by_stage.iter().map(|(k, t)| (k.clone(), t.json())).collect();
    let estimates = against_actual(estimates, rows);
    json!({"projectId": id, "traces": traces, "totals": total.json(), "byStage": stages, "estimates": estimates})
}

/// Each stage's estimate at the start of the latest run, beside what the
/// stage's calls during that run used (0 when the run did not need to call
/// it, as when an input came out identical).
fn against_actual(estimates: &[Value], traces: &[Value]) -> Vec<Value> {
    estimates
        .iter()
        .map(|e| {
            let stage = text(e, "stage");
            let since = number(e, "created_at");
            let until = e["run_finished_at"].as_f64().map_or(u64::MAX, |t| t as u64);
            let mut actual = Totals::default();
            let during = |t: &&Value| (since..=until).contains(&number(t, "created_at"));
            for t in traces.iter().filter(|t| text(t, "stage") == stage).filter(during) {
                actual.add(t);
            }
            json!({
                "stage": stage,
                "runId": text(e, "run_id"),
                "model": text(e, "model"),
                "tokens": {"low": number(e, "tokens_low"), "high": number(e, "tokens_high")},
                "costUsd": {"low": e["cost_low"].as_f64().unwrap_or(0.0), "high": e["cost_high"].as_f64().unwrap_or(0.0)},
                "actualTokens": actual.usage.total(),
                "actualCostUsd": actual.cost_usd,
                "actualCalls": actual.calls - actual.cache_hits,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(stage: &str, output: u64, cache_hit: u64, at: u64) -> Value {
        json!({"id": format!("t{at}"), "stage": stage, "execution_id": "e1", "call_kind": "generate",
               "attempt": 1.0, "model": "gemini-4-hydrogen", "prompt_tokens": 100.0, "output_tokens": output as f64,
               "thoughts_tokens": 10.0, "latency_ms": 900.0, "outcome": "ok", "cache_hit": cache_hit as f64,
               "cost_usd": 0.001, "created_at": at as f64, "unpriced": 0.0})
    }

    #[test]
    fn traces_add_up_overall_by_stage_and_against_the_runs_estimates() {
        let rows =
            vec![trace("prd", 50, 0, 10), trace("prd", 0, 1, 20), trace("data", 70, 0, 30), trace("data", 5, 0, 99)];
        let estimates = vec![json!({"stage": "data", "run_id": "r1", "model": "gemini-4-hydrogen", "created_at": 25.0,
                                    "run_finished_at": 40.0, "tokens_low": 100.0, "tokens_high": 300.0,
                                    "cost_low": 0.001, "cost_high": 0.002})];
        let r = report("p1", &rows, &estimates);
        assert_eq!(r["traces"].as_array().unwrap().len(), 4);
        assert_eq!(r["traces"][1]["cacheHit"], true);
        assert_eq!(r["totals"]["calls"], 4);
        assert_eq!(r["totals"]["totalTokens"], 4 * 110 + 125);
        assert_eq!(r["byStage"]["prd"]["cacheHits"], 1);
        // Only the data call within the run counts against its estimate.
        assert_eq!(r["estimates"][0]["actualTokens"], 180);
        assert_eq!(r["estimates"][0]["actualCalls"], 1);
        assert_eq!(r["estimates"][0]["tokens"]["high"], 300);
    }
}
