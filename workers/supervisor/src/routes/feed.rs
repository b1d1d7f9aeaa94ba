//! `GET /api/projects/:id/activity` and `GET /api/projects/:id/traces`.

use crate::app::App;
use crate::d1::{col_str, col_u64, usage_of};
use crate::error::AppResult;
use crate::http::Query;
use crate::reply::json;
use parit_shared::gemini::Usage;
use serde_json::{json, Map, Value};
use worker::{Request, Response};

pub(crate) async fn activity(app: &App, id: &str, req: &Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let limit = Query::of(req).number("limit", 200, 1, 1000)?;
    let rows = app.store.activity(id, limit).await?;
    let events: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "id": col_str(r, "id"),
                "stage": r["stage"],
                "kind": col_str(r, "kind"),
                "message": col_str(r, "message"),
                "createdAt": col_u64(r, "created_at"),
            })
        })
        .collect();
    Ok(json(200, &json!({"projectId": id, "events": events}))?)
}

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
        self.cache_hits += col_u64(row, "cache_hit");
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

pub(crate) async fn traces(app: &App, id: &str) -> AppResult<Response> {
    app.owned_project(id).await?;
    let (rows, estimates) = futures_util::try_join!(app.store.traces(id), app.store.last_estimates(id))?;
    let estimates = against_actual(&estimates, &rows);
    let mut total = Totals::default();
    let mut by_stage: std::collections::BTreeMap<String, Totals> = Default::default();
    let traces: Vec<Value> = rows
        .iter()
        .map(|r| {
            total.add(r);
            by_stage.entry(col_str(r, "stage")).or_default().add(r);
            json!({
                "id": col_str(r, "id"),
                "stage": col_str(r, "stage"),
                "executionId": col_str(r, "execution_id"),
                "callKind": col_str(r, "call_kind"),
                "attempt": col_u64(r, "attempt"),
                "model": col_str(r, "model"),
                "modelVersion": r["model_version"],
                "responseId": r["response_id"],
                "unpriced": col_u64(r, "unpriced") != 0,
                "promptTokens": col_u64(r, "prompt_tokens"),
                "outputTokens": col_u64(r, "output_tokens"),
                "thoughtsTokens": col_u64(r, "thoughts_tokens"),
                "latencyMs": col_u64(r, "latency_ms"),
                "outcome": col_str(r, "outcome"),
                "errorClass": r["error_class"],
                "message": r["message"],
                "retryDelayMs": r["retry_delay_ms"],
                "segment": r["segment"],
                "thinkingLevel": r["thinking_level"],
                "cacheHit": col_u64(r, "cache_hit") != 0,
                "costUsd": r["cost_usd"].as_f64().unwrap_or(0.0),
                "createdAt": col_u64(r, "created_at"),
            })
        })
        .collect();
    let stages: Map<String, Value> = by_stage.iter().map(|(k, t)| (k.clone(), t.json())).collect();
    Ok(json(
        200,
        &json!({"projectId": id, "traces": traces, "totals": total.json(), "byStage": stages, "estimates": estimates}),
    )?)
}

/// Each stage's estimate at the start of the latest run, beside what the
/// stage's calls during that run used (0 when the run did not need to call
/// it, as when an input came out identical).
fn against_actual(estimates: &[Value], traces: &[Value]) -> Vec<Value> {
    estimates
        .iter()
        .map(|e| {
            let stage = col_str(e, "stage");
            let since = col_u64(e, "created_at");
            let until = e["run_finished_at"].as_f64().map_or(u64::MAX, |t| t as u64);
            let mut actual = Totals::default();
            let during = |t: &&Value| (since..=until).contains(&col_u64(t, "created_at"));
            for t in traces.iter().filter(|t| col_str(t, "stage") == stage).filter(during) {
                actual.add(t);
            }
            let actual = actual.json();
            json!({
                "stage": stage,
                "runId": col_str(e, "run_id"),
                "model": col_str(e, "model"),
                "tokens": {"low": col_u64(e, "tokens_low"), "high": col_u64(e, "tokens_high")},
                "costUsd": {"low": e["cost_low"].as_f64().unwrap_or(0.0), "high": e["cost_high"].as_f64().unwrap_or(0.0)},
                "actualTokens": actual["totalTokens"],
                "actualCostUsd": actual["costUsd"],
                "actualCalls": actual["calls"].as_u64().unwrap_or(0) - actual["cacheHits"].as_u64().unwrap_or(0),
            })
        })
        .collect()
}
