//! The logic agent Worker: Parit's shared agent runtime fixed to the logic stage.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    parit_agent_runtime::serve(parit_shared::Stage::Logic, req, env).await
}
