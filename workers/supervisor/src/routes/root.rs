//! `GET /` (what this is) and `GET /health` (every dependency, as a matrix).

use crate::app::{App, WorkerEnvironment};
use crate::error::{AppError, AppResult};
use crate::reply::json;
use futures_util::future::join_all;
use parit_shared::agent::protocol::ModelCheck;
use parit_shared::api::{Route, ROUTES};
use parit_shared::gemini::catalogue;
use parit_shared::run::store::{BlobStore, Environment};
use parit_shared::Stage;
use serde_json::{json, Map, Value};
use worker::{Date, Response};

pub(crate) fn index(app: &App) -> AppResult<Response> {
    let version =
        app.env.var("PARIT_VERSION").map(|v| v.to_string()).unwrap_or_else(|_| env!("CARGO_PKG_VERSION").to_string());
    Ok(json(
        200,
        &json!({
            "status": "supervisor_active",
            "role": "supervisor",
            "version": version,
            "stages": Stage::ALL,
            "endpoints": ROUTES.iter().map(Route::endpoint).collect::<Vec<_>>(),
        }),
    )?)
}

/// Every dependency's state. A caller with a valid token sees the detail
/// (schema version, models, errors); anyone else sees up or down per component.
pub(crate) async fn health(app: &App, detailed: bool) -> AppResult<Response> {
    let started = Date::now().as_millis();
    let agents = app.agents();
    let (d1, r2, bridge, agent_reports) = futures_util::join!(
        async {
            match app.store.schema_version().await {
                Ok(Some(v)) => json!({"ok": true, "schemaVersion": v}),
                Ok(None) => {
                    json!({"ok": false, "error": "schema_metadata has no schema_version: run scripts/migrate-db.sh"})
                }
                Err(e) => json!({"ok": false, "error": short(&e.to_string())}),
            }
        },
        async {
            let key = format!("health/{}", WorkerEnvironment.new_id());
            let round_trip = async {
                app.blobs.put(&key, b"ok".to_vec()).await?;
                let back = app.blobs.get(&key).await?;
                app.blobs.delete(std::slice::from_ref(&key)).await?;
                Ok::<_, parit_shared::run::store::StoreError>(back.as_deref() == Some(b"ok".as_slice()))
            };
            match round_trip.await {
                Ok(true) => json!({"ok": true}),
                Ok(false) => json!({"ok": false, "error": "R2 did not return what was written"}),
                Err(e) => json!({"ok": false, "error": short(&e.to_string())}),
            }
        },
        async {
            match crate::bridge::health(&app.env).await {
                Ok(()) => json!({"ok": true}),
                Err(e) => json!({"ok": false, "error": short(&e)}),
            }
        },
        join_all(Stage::ALL.iter().map(|s| agents.health(*s)))
    );
    let mut down = Vec::new();
    if d1["ok"] != true {
        down.push("d1".to_string());
    }
    if r2["ok"] != true {
        down.push("r2".to_string());
    }
    if bridge["ok"] != true {
        down.push("bridge".to_string());
    }
    let mut agent_map = Map::new();
    for (stage, report) in Stage::ALL.iter().zip(agent_reports) {
        let entry = match report {
            Ok(h) => {
                let served = h.model_check.is_none_or(|c| c == ModelCheck::Ok);
                if !h.key_configured {
                    down.push(format!("{stage}-agent (no GEMINI_API_KEY)"));
                } else if let Some(check) = h.model_check.filter(|_| !served) {
                    down.push(format!("{stage}-agent ({} {check}: {})", h.model, check.advice()));
                }
                json!({
                    "ok": h.key_configured && served,
                    "agent": h.agent,
                    "model": h.model,
                    "keyConfigured": h.key_configured,
                    "modelCheck": h.model_check,
                    "standIn": h.stand_in,
                })
            }
            Err(e) => {
                down.push(format!("{stage}-agent"));
                json!({"ok": false, "agent": stage.worker_name(), "error": short(&e)})
            }
        };
        agent_map.insert(stage.as_str().to_string(), entry);
    }
    let status = if down.is_empty() { "ok" } else { "degraded" };
    let code = if down.is_empty() { 200 } else { 503 };
    if !detailed {
        let up = |v: &Value| json!({"ok": v["ok"] == true});
        let agents: Map<String, Value> = agent_map.iter().map(|(k, v)| (k.clone(), up(v))).collect();
        let components = json!({"d1": up(&d1), "r2": up(&r2), "bridge": up(&bridge), "agents": agents});
        let body = json!({"status": status, "components": components});
        return Ok(json(code, &body)?);
    }
    let now = Date::now().as_millis();
    let body = json!({
        "status": status,
        "down": down,
        "components": {"d1": d1, "r2": r2, "bridge": bridge, "agents": Value::Object(agent_map)},
        // Prices and models change weekly: say how old the facts behind them are.
        "catalogue": {"checkedOn": catalogue::CHECKED_ON, "ageDays": catalogue::age_days(now), "warning": catalogue::staleness(now)},
        "latencyMs": now.saturating_sub(started),
    });
    Ok(json(code, &body)?)
}

/// First line of an error, bounded, so health reports stay readable.
fn short(e: &str) -> String {
    e.lines().next().unwrap_or("").chars().take(200).collect()
}

/// This API's own OpenAPI 3.1 document (`workers/supervisor/public/openapi.json`,
/// the Worker's one static asset; the fuzz suite checks every answer against
/// it). Read from the assets binding rather than embedded: 7 KB less WASM.
pub(crate) async fn openapi(app: &App) -> AppResult<Response> {
    let mut doc = app.env.assets("ASSETS")?.fetch("https://assets.local/openapi.json", None).await?;
    if doc.status_code() != 200 {
        return Err(AppError::Internal(format!("the OpenAPI asset answered {}", doc.status_code())));
    }
    let headers = worker::Headers::new();
    headers.set("content-type", "application/json; charset=utf-8")?;
    Ok(Response::from_bytes(doc.bytes().await?)?.with_headers(headers))
}
