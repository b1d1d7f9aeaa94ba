//! `GET /` (what this is) and `GET /health` (every dependency, as a matrix
//! for a caller with a token; the last check's up or down for anyone else).

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::reply::{answer, json_bytes};
use futures_util::future::join_all;
use parit_shared::agent::protocol::ModelCheck;
use parit_shared::api::root::{
    AgentUp, CatalogueAge, Health, HealthComponents, HealthStatus, Index, ServiceRole, ServiceStatus, Up,
};
use parit_shared::api::{Route, ROUTES};
use parit_shared::gemini::catalogue;
use parit_shared::run::store::BlobStore;
use parit_shared::Stage;
use std::collections::BTreeMap;
use worker::{Date, Response};

pub(crate) fn index(app: &App) -> AppResult<Response> {
    let version =
        app.env.var("PARIT_VERSION").map(|v| v.to_string()).unwrap_or_else(|_| env!("CARGO_PKG_VERSION").to_string());
    let index = Index {
        status: ServiceStatus::SupervisorActive,
        role: ServiceRole::Supervisor,
        version,
        stages: Stage::ALL.iter().map(|s| s.as_str().to_string()).collect(),
        endpoints: ROUTES.iter().map(Route::endpoint).collect(),
    };
    Ok(answer(200, &index)?)
}

/// Where the last live check leaves its up/down summary for anonymous
/// callers. Writing it and reading it back is the live check of R2.
const LAST_CHECK_KEY: &str = "health/last.json";
/// A check older than this says nothing about now: anonymous callers get
/// `unknown`.
const FRESH_MS: u64 = 15 * 60 * 1000;

/// Every dependency's state, checked live, for a caller with a valid token:
/// D1, the bridge and each agent (with its model check), then R2 by writing
/// this check's verdict (up or down, and when) and reading it back. Detail
/// (schema version, models, errors) for this caller only; the verdict is
/// what anyone else sees.
pub(crate) async fn health(app: &App) -> AppResult<Response> {
    let started = Date::now().as_millis();
    let agents = app.agents();
    let (d1, bridge, agent_reports) = futures_util::join!(
        async {
            match app.store.schema_version().await {
                Ok(Some(v)) => Up { schema_version: Some(v), ..up(Ok(())) },
                Ok(None) => up(Err("schema_metadata has no schema_version: run scripts/migrate-db.sh".into())),
                Err(e) => up(Err(e.to_string())),
            }
        },
        async { up(crate::bridge::health(app).await) },
        join_all(Stage::ALL.iter().map(|s| agents.health(*s)))
    );
    let mut down = Vec::new();
    if !d1.ok {
        down.push("d1".to_string());
    }
    if !bridge.ok {
        down.push("bridge".to_string());
    }
    let mut agents_up = BTreeMap::new();
    for (stage, report) in Stage::ALL.iter().zip(agent_reports) {
        let entry = match report {
            Ok(h) => {
                let key = h["keyConfigured"] == true;
                let check = h["modelCheck"].as_str().and_then(ModelCheck::parse);
                let served = check.is_none_or(|c| c == ModelCheck::Ok);
                if !key {
                    down.push(format!("{stage}-agent (no GEMINI_API_KEY)"));
                } else if let Some(check) = check.filter(|_| !served) {
                    down.push(format!(
                        "{stage}-agent ({} {check}: {})",
                        h["model"].as_str().unwrap_or(""),
                        check.advice()
                    ));
                }
                AgentUp {
                    ok: key && served,
                    agent: h["agent"].as_str().unwrap_or_default().to_string(),
                    model: Some(h["model"].as_str().map(str::to_string)),
                    key_configured: Some(key),
                    model_check: Some(check),
                    stand_in: Some(h["standIn"] == true),
                    error: None,
                }
            }
            Err(e) => {
                down.push(format!("{stage}-agent"));
                let agent = stage.worker_name().to_string();
                AgentUp {
                    ok: false,
                    agent,
                    model: None,
                    key_configured: None,
                    model_check: None,
                    stand_in: None,
                    error: Some(short(&e)),
                }
            }
        };
        agents_up.insert(stage.as_str().to_string(), entry);
    }
    // What anonymous callers see: up or down, and when it was checked, in
    // the key order serde_json writes (`last_health` reads the leading
    // `checkedAt` and the trailing `status`).
    let status = if down.is_empty() { "ok" } else { "degraded" };
    let written = format!(r#"{{"checkedAt":{started},"status":"{status}"}}"#).into_bytes();
    let round_trip = async {
        app.blobs.put(LAST_CHECK_KEY, written.clone()).await?;
        Ok::<_, parit_shared::run::store::StoreError>(app.blobs.get(LAST_CHECK_KEY).await? == Some(written))
    };
    let r2 = up(match round_trip.await {
        Ok(true) => Ok(()),
        outcome => Err(outcome.err().map_or("R2 did not return what was written".into(), |e| e.to_string())),
    });
    if !r2.ok {
        down.push("r2".to_string());
    }
    let code = if down.is_empty() { 200 } else { 503 };
    let now = Date::now().as_millis();
    let health = Health {
        status: if down.is_empty() { HealthStatus::Ok } else { HealthStatus::Degraded },
        down,
        components: Some(HealthComponents { d1, r2, agents: agents_up, bridge }),
        // Prices and models change weekly: say how old the facts behind them are.
        catalogue: Some(CatalogueAge {
            checked_on: catalogue::CHECKED_ON.into(),
            age_days: u64::try_from(catalogue::age_days(now)).unwrap_or(0),
            warning: catalogue::staleness(now),
        }),
        latency_ms: Some(now.saturating_sub(started)),
        checked_at: None,
    };
    Ok(answer(code, &health)?)
}

/// Up or down from the last live check, for anyone: one R2 read, no write
/// and no call to another Worker. The live check rendered this answer
/// (`{"checkedAt":…,"status":…}`), so it is served as it was stored;
/// `unknown` when no check is younger than [`FRESH_MS`], 503 when the check
/// found something down or R2 cannot be read.
pub(crate) async fn last_health(app: &App) -> AppResult<Response> {
    let now = Date::now().as_millis();
    let (code, body) = match app.blobs.get(LAST_CHECK_KEY).await {
        Ok(Some(b)) if checked_at(&b).is_some_and(|t| now.saturating_sub(t) <= FRESH_MS) => {
            (if b.ends_with(br#""status":"ok"}"#) { 200 } else { 503 }, b)
        }
        Ok(_) => (200, br#"{"checkedAt":null,"status":"unknown"}"#.to_vec()),
        Err(_) => (503, br#"{"checkedAt":null,"status":"degraded"}"#.to_vec()),
    };
    Ok(json_bytes(code, body)?)
}

/// When the stored verdict's check ran: its leading `checkedAt`.
fn checked_at(summary: &[u8]) -> Option<u64> {
    let rest = summary.strip_prefix(br#"{"checkedAt":"#)?;
    let digits = rest.iter().position(|c| !c.is_ascii_digit())?;
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

/// A dependency up, or down with the first line of why.
fn up(answered: Result<(), String>) -> Up {
    match answered {
        Ok(()) => Up { ok: true, error: None, schema_version: None },
        Err(e) => Up { ok: false, error: Some(short(&e)), schema_version: None },
    }
}

/// First line of an error, bounded, so health reports stay readable.
fn short(e: &str) -> String {
    e.lines().next().unwrap_or("").chars().take(200).collect()
}

/// This API's own OpenAPI 3.1 document (`workers/supervisor/public/openapi.json`,
/// the Worker's one static asset; the fuzz suite checks every answer against
/// it). Read from the assets binding rather than embedded: 7 KB less WASM.
pub(crate) async fn openapi(app: &App) -> AppResult<Response> {
    app.meter.count(crate::meter::Call::Asset);
    let mut doc = app.env.assets("ASSETS")?.fetch("https://assets.local/openapi.json", None).await?;
    if doc.status_code() != 200 {
        return Err(AppError::Internal(format!("the OpenAPI asset answered {}", doc.status_code())));
    }
    let headers = worker::Headers::new();
    headers.set("content-type", "application/json; charset=utf-8")?;
    Ok(Response::from_bytes(doc.bytes().await?)?.with_headers(headers))
}
