//! The seven agents over their service bindings, behind the `AgentPort` port.

use crate::meter::{Call, Meter};
use parit_shared::agent::protocol::{AgentHealth, GenerateFailure, GenerateRequest, GenerateSuccess};
use parit_shared::run::store::{AgentPort, AgentReply};
use parit_shared::Stage;
use worker::{Env, Headers, Method, RequestInit};

/// The agents, reached through the supervisor's service bindings.
pub(crate) struct ServiceAgents<'a> {
    env: &'a Env,
    meter: &'a Meter,
}

impl<'a> ServiceAgents<'a> {
    pub(crate) fn new(env: &'a Env, meter: &'a Meter) -> Self {
        Self { env, meter }
    }

    /// An agent's `/health`, or why it could not be read.
    pub(crate) async fn health(&self, stage: Stage) -> Result<AgentHealth, String> {
        let fetcher = self.env.service(stage.binding()).map_err(|e| format!("binding {}: {e}", stage.binding()))?;
        self.meter.count(Call::Agent);
        let mut resp = fetcher.fetch("https://agent/health", None).await.map_err(|e| e.to_string())?;
        let text = resp.text().await.map_err(|e| e.to_string())?;
        if resp.status_code() != 200 {
            return Err(format!("answered HTTP {}", resp.status_code()));
        }
        serde_json::from_str(&text).map_err(|_| "answered something that is not an agent health report".to_string())
    }
}

impl ServiceAgents<'_> {
    /// POSTs `request` to `stage`'s agent at `path`: its status and body, or
    /// why it could not be reached.
    async fn post(&self, stage: Stage, path: &str, request: &GenerateRequest) -> Result<(u16, String), String> {
        let fetcher = self.env.service(stage.binding()).map_err(|e| format!("binding {}: {e}", stage.binding()))?;
        let body = serde_json::to_string(request).map_err(|e| format!("could not encode the request: {e}"))?;
        let headers = Headers::new();
        headers.set("content-type", "application/json").map_err(|_| "could not build the request".to_string())?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
        self.meter.count(Call::Agent);
        let mut resp = fetcher.fetch(format!("https://agent{path}"), Some(init)).await.map_err(|e| e.to_string())?;
        let status = resp.status_code();
        Ok((status, resp.text().await.map_err(|e| e.to_string())?))
    }
}

impl AgentPort for ServiceAgents<'_> {
    async fn generate(&self, stage: Stage, request: &GenerateRequest) -> AgentReply {
        let (status, text) = match self.post(stage, "/generate", request).await {
            Ok(answer) => answer,
            Err(why) => return AgentReply::Unreachable(why),
        };
        if status == 200 {
            return match serde_json::from_str::<GenerateSuccess>(&text) {
                Ok(s) => AgentReply::Success(s),
                Err(e) => AgentReply::Unreachable(format!("the agent's answer could not be read: {e}")),
            };
        }
        match serde_json::from_str::<GenerateFailure>(&text) {
            Ok(f) => AgentReply::Failure(f),
            Err(_) => AgentReply::Unreachable(format!("the agent answered HTTP {status} without a Parit error body")),
        }
    }

    async fn count_tokens(&self, stage: Stage, request: &GenerateRequest) -> Option<u64> {
        match self.post(stage, "/count", request).await {
            Ok((200, text)) => serde_json::from_str::<serde_json::Value>(&text).ok()?["totalTokens"].as_u64(),
            _ => None,
        }
    }
}
