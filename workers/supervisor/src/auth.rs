//! Who is calling. `/api/*` needs `Authorization: Bearer <token>`; tokens are
//! looked up by their SHA-256 (the only form D1 holds) and must not be
//! revoked. Each token has a request budget (the `API_RATE_LIMIT` binding);
//! failed authentications are limited per client address, so guessing costs
//! the guesser, not D1.

use crate::app::{App, WorkerEnvironment};
use crate::error::{AppError, AppResult};
use parit_shared::clock::Clock;
use parit_shared::hash::sha256_hex;
use worker::Request;

/// The rate limiter bindings and their window (`period` in wrangler.toml).
const LIMITER: &str = "API_RATE_LIMIT";
const HEALTH_LIMITER: &str = "HEALTH_RATE_LIMIT";
const LIMIT_PERIOD_S: u32 = 60;
/// `last_used_at` is written at most this often per token.
const TOUCH_EVERY_MS: u64 = 60_000;
/// Longer values are not tokens this API minted.
const MAX_TOKEN_LEN: usize = 200;

/// An authenticated caller.
pub(crate) struct Caller {
    /// The owner every project of the caller belongs to.
    pub(crate) owner: String,
}

/// The owner id as logs may show it: a short hash, never the id itself.
pub(crate) fn owner_tag(owner: &str) -> String {
    sha256_hex(owner.as_bytes())[..12].to_string()
}

/// The token in the `Authorization` header, if the header is present.
fn bearer(req: &Request) -> AppResult<Option<String>> {
    let Some(header) = req.headers().get("authorization")? else { return Ok(None) };
    let token = header
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
        .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN_LEN)
        .ok_or(AppError::Unauthorized("the Authorization header must be \"Bearer <token>\""))?;
    Ok(Some(token.to_string()))
}

/// The caller of an `/api/*` request, or 401/429.
pub(crate) async fn authenticate(app: &App, req: &Request) -> AppResult<Caller> {
    let result = async {
        let token = bearer(req)?.ok_or(AppError::Unauthorized(
            "this route needs \"Authorization: Bearer <token>\"; scripts/create-token.sh mints a token",
        ))?;
        app.store
            .token(&sha256_hex(token.as_bytes()))
            .await?
            .ok_or(AppError::Unauthorized("the token is unknown or revoked"))
    }
    .await;
    let row = match result {
        Ok(row) => row,
        Err(e @ AppError::Unauthorized(_)) => {
            limit(app, LIMITER, format!("anon:{}", client(req)?)).await?;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    limit(app, LIMITER, format!("token:{}", row.id)).await?;
    let now = WorkerEnvironment.now_ms();
    if row.last_used_at.is_none_or(|t| now.saturating_sub(t) >= TOUCH_EVERY_MS) {
        app.store.touch_token(&row.id, now).await?;
    }
    Ok(Caller { owner: row.owner_id })
}

/// The caller if the request carries a valid token; `None` otherwise (for
/// public routes that show more to a known caller).
pub(crate) async fn optional_caller(app: &App, req: &Request) -> Option<Caller> {
    match bearer(req) {
        Ok(Some(_)) => authenticate(app, req).await.ok(),
        _ => None,
    }
}

/// The caller's address, as Cloudflare's edge sets it (`local` under `wrangler dev`).
fn client(req: &Request) -> AppResult<String> {
    Ok(req.headers().get("cf-connecting-ip")?.unwrap_or_else(|| "local".into()))
}

/// `GET /health`'s own budget: per owner for a caller with a token, per
/// client address for anyone else (429 beyond it).
pub(crate) async fn limit_health(app: &App, req: &Request, caller: Option<&Caller>) -> AppResult<()> {
    let key = match caller {
        Some(c) => ["owner:", &c.owner].concat(),
        None => ["anon:", &client(req)?].concat(),
    };
    limit(app, HEALTH_LIMITER, key).await
}

async fn limit(app: &App, limiter: &str, key: String) -> AppResult<()> {
    app.meter.count(crate::meter::Call::RateLimit);
    let outcome = app.env.rate_limiter(limiter)?.limit(key).await?;
    if outcome.success {
        Ok(())
    } else {
        Err(AppError::RateLimited { retry_after: LIMIT_PERIOD_S })
    }
}
