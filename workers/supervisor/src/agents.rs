//! The seven agents over their service bindings, behind the `AgentPort` port.

use crate::live::{next, Live};
use crate::meter::{Call, Meter};
use futures_util::future::{select, Either};
use futures_util::StreamExt;
use parit_shared::agent::protocol::{GenerateFailure, GenerateRequest, GenerateSuccess, PROGRESS_STREAM};
use parit_shared::run::store::{AgentPort, AgentReply};
use parit_shared::Stage;
use serde_json::Value;
use worker::{Date, Env, Headers, Method, RequestInit, Response};

/// The agents, reached through the supervisor's service bindings.
pub(crate) struct ServiceAgents<'a> {
    env: &'a Env,
    meter: &'a Meter,
    /// The project's viewers, when the calls are its pipeline object's.
    live: Option<&'a Live>,
}

impl<'a> ServiceAgents<'a> {
    pub(crate) fn new(env: &'a Env, meter: &'a Meter, live: Option<&'a Live>) -> Self {
        Self { env, meter, live }
    }

    /// An agent's `/health` (`AgentHealth` as JSON, read as a value: a
    /// derived reader cost the supervisor kilobytes), or why it could not
    /// be read.
    pub(crate) async fn health(&self, stage: Stage) -> Result<Value, String> {
        let fetcher = self.env.service(stage.binding()).map_err(|e| format!("binding {}: {e}", stage.binding()))?;
        self.meter.count(Call::Agent);
        let mut resp = fetcher.fetch("https://agent/health", None).await.map_err(|e| e.to_string())?;
        let text = resp.text().await.map_err(|e| e.to_string())?;
        if resp.status_code() != 200 {
            return Err(format!("answered HTTP {}", resp.status_code()));
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(h) if h["keyConfigured"].is_boolean() => Ok(h),
            _ => Err("answered something that is not an agent health report".to_string()),
        }
    }
}

impl ServiceAgents<'_> {
    /// POSTs `request` to `stage`'s agent at `path`: its response, or why it
    /// could not be reached. `/generate` is asked for its progress stream.
    async fn post(&self, stage: Stage, path: &str, request: &GenerateRequest) -> Result<Response, String> {
        let fetcher = self.env.service(stage.binding()).map_err(|e| format!("binding {}: {e}", stage.binding()))?;
        let body = serde_json::to_string(request).map_err(|e| format!("could not encode the request: {e}"))?;
        let headers = Headers::new();
        let built =
            headers.set("content-type", "application/json").and_then(|()| headers.set("accept", PROGRESS_STREAM));
        built.map_err(|_| "could not build the request".to_string())?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
        self.meter.count(Call::Agent);
        fetcher.fetch(format!("https://agent{path}"), Some(init)).await.map_err(|e| e.to_string())
    }

    /// Reads a progress stream: each progress goes to the viewers, and the
    /// last line is the answer. A cancelled run stops reading, which closes
    /// the agent's request and, through it, Gemini's.
    async fn read_progress(&self, stage: Stage, resp: &mut Response) -> Result<(u16, Value), AgentReply> {
        let started = Date::now().as_millis();
        let mut last = Value::Null;
        let stopped = |last: &Value| {
            let waited = Date::now().as_millis().saturating_sub(started);
            let why = "the run was cancelled while the model was writing".to_string();
            AgentReply::Failure(GenerateFailure::interrupted("cancelled", why, false, last, waited))
        };
        let mut bytes = resp.stream().map_err(|e| AgentReply::Unreachable(e.to_string()))?;
        let stop = self.live.map(Live::stoppable);
        if self.live.is_some_and(|l| l.cancelled.get()) {
            return Err(stopped(&last));
        }
        let mut pending = Vec::new();
        loop {
            let chunk = match &stop {
                Some(stop) => match select(bytes.next(), Box::pin(next(stop))).await {
                    Either::Left((chunk, _)) => chunk,
                    Either::Right(_) => return Err(stopped(&last)),
                },
                None => bytes.next().await,
            };
            let broke = |why: String, last: &Value| match last.is_null() {
                true => AgentReply::Unreachable(why),
                // Billed for what it had written: recorded as the last progress says.
                false => {
                    let waited = Date::now().as_millis().saturating_sub(started);
                    AgentReply::Failure(GenerateFailure::interrupted("agent_unreachable", why, true, last, waited))
                }
            };
            let chunk = match chunk {
                Some(Ok(chunk)) => chunk,
                Some(Err(e)) => return Err(broke(format!("the {stage} agent's answer broke off: {e}"), &last)),
                None => return Err(broke(format!("the {stage} agent's answer ended without its result"), &last)),
            };
            pending.extend_from_slice(&chunk);
            while let Some(end) = pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = pending.drain(..=end).collect();
                let Ok(mut v) = serde_json::from_slice::<Value>(&line) else {
                    return Err(broke(format!("the {stage} agent sent a line that is not JSON"), &last));
                };
                if let Some(status) = v["status"].as_u64() {
                    return Ok((status as u16, v["answer"].take()));
                }
                last = v["progress"].take();
                if let Some(live) = self.live {
                    live.progress(stage, last.clone());
                }
            }
        }
    }
}

impl AgentPort for ServiceAgents<'_> {
    async fn generate(&self, stage: Stage, request: &GenerateRequest) -> AgentReply {
        if self.live.is_some_and(|l| l.cancelled.get()) {
            let why = "the run was cancelled before the model was asked".to_string();
            return AgentReply::Failure(GenerateFailure::interrupted("cancelled", why, false, &Value::Null, 0));
        }
        let mut resp = match self.post(stage, "/generate", request).await {
            Ok(resp) => resp,
            Err(why) => return AgentReply::Unreachable(why),
        };
        let streamed = resp.headers().get("content-type").ok().flatten().is_some_and(|t| t == PROGRESS_STREAM);
        let (status, body) = if streamed {
            match self.read_progress(stage, &mut resp).await {
                Ok(answer) => answer,
                Err(reply) => return reply,
            }
        } else {
            match resp.text().await {
                Ok(text) => (resp.status_code(), serde_json::from_str(&text).unwrap_or_default()),
                Err(e) => return AgentReply::Unreachable(format!("the agent's answer could not be read: {e}")),
            }
        };
        if status == 200 {
            return match serde_json::from_value::<GenerateSuccess>(body) {
                Ok(s) => AgentReply::Success(s),
                Err(e) => AgentReply::Unreachable(format!("the agent's answer could not be read: {e}")),
            };
        }
        match serde_json::from_value::<GenerateFailure>(body) {
            Ok(f) => AgentReply::Failure(f),
            Err(_) => AgentReply::Unreachable(format!("the agent answered HTTP {status} without a Parit error body")),
        }
    }

    async fn count_tokens(&self, stage: Stage, request: &GenerateRequest) -> Option<u64> {
        let mut resp = self.post(stage, "/count", request).await.ok()?;
        if resp.status_code() != 200 {
            return None;
        }
        serde_json::from_str::<Value>(&resp.text().await.ok()?).ok()?["totalTokens"].as_u64()
    }
}
