//! The api agent Worker: Parit's shared agent runtime fixed to the api stage.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    parit_agent_runtime::serve(parit_shared::Stage::Api, req, env).await
}
