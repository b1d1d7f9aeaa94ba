//! One stage's generation: call the model with retries per [`RetryPolicy`],
//! parse and validate, and on an unusable answer make exactly one repair call
//! that quotes every problem. The I/O is behind two small ports so the whole
//! loop is tested natively with fakes and runs unchanged in the agent Workers.

//!
//! The loop is here; its parts are one module each: `transport` (the model
//! port), `check` (the request and the answer held to the stage), `call` (one
//! logical call: its retries and a larger cap), `segments` (an answer that
//! comes in segments) and `progress` (what a viewer hears while an answer
//! streams).

mod call;
mod check;
mod progress;
mod segments;
mod transport;

pub use check::{check_output, check_request};
pub use progress::PROGRESS_EVERY_MS;
pub use segments::MAX_SEGMENTS;
pub use transport::{ModelTransport, TransportError};

use crate::agent::prompt;
use crate::agent::protocol::{AgentError, CallKind, CallRecord, GenerateFailure, GenerateRequest, GenerateSuccess};
use crate::agent::retry::RetryPolicy;
use crate::artifact::{Artifact, Upstream};
use crate::clock::Clock;
use crate::gemini::{catalogue, classify_error, Disposition, FailureClass, ModelFailure, Usage};
use crate::stage::Stage;
use call::call;
use check::mark_invalid;
use progress::Reporter;

/// Prompt tokens of the request [`generate`] would send first, counted by
/// Gemini's `countTokens` (<https://ai.google.dev/api/rest/v1beta/models/countTokens>,
/// read 2026-12-04): the body is `{"generateContentRequest": <that very
/// request, with its "models/…" name>}` and the answer `{"totalTokens": n}`.
/// Counting is free and nothing is generated.
pub async fn count_tokens(
    stage: Stage,
    req: &GenerateRequest,
    model: &str,
    transport: &impl ModelTransport,
) -> Result<u64, ModelFailure> {
    let request =
        prompt::build(stage, &req.brief, &req.upstream, req.feedback.as_deref()).request(stage, model, &req.settings);
    let mut inner = serde_json::to_value(&request).unwrap_or_default();
    inner["model"] = serde_json::Value::String(format!("models/{model}"));
    let body = serde_json::json!({ "generateContentRequest": inner }).to_string();
    match transport.count_tokens(model, &body).await {
        Ok((200, text)) => serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["totalTokens"].as_u64())
            .ok_or_else(|| ModelFailure::new(FailureClass::Unknown, "countTokens answered without totalTokens")),
        Ok((status, text)) => Err(classify_error(status, &text)),
        Err(TransportError::Timeout) => Err(ModelFailure::new(FailureClass::Timeout, "no count within the timeout")),
        Err(TransportError::Network(e)) => Err(ModelFailure::new(FailureClass::Transport, e)),
    }
}

/// Runs the generation for `stage` with `model`. `upstream` comes from [`check_request`].
pub async fn generate(
    stage: Stage,
    req: &GenerateRequest,
    upstream: &Upstream,
    model: &str,
    policy: &RetryPolicy,
    transport: &impl ModelTransport,
    clock: &impl Clock,
) -> Result<GenerateSuccess, GenerateFailure> {
    let started = clock.now_ms();
    let mut calls = Vec::new();
    let prompt = prompt::build(stage, &req.brief, &req.upstream, req.feedback.as_deref());

    let config = catalogue::call_config(model, stage, &req.settings);
    let first = prompt.request(stage, model, &req.settings);
    let mut reporter = Reporter::default();
    let (text, answer) = match call(
        CallKind::Generate,
        first,
        &config,
        model,
        policy,
        transport,
        clock,
        &mut calls,
        &mut reporter,
    )
    .await
    {
        Ok(answered) => answered,
        Err(f) => return Err(failure(f, calls)),
    };
    let problems = match check_output(stage, &text, upstream) {
        Ok(artifact) => return Ok(success(artifact, model, calls, clock.now_ms() - started)),
        Err(problems) => problems,
    };
    mark_invalid(&mut calls, &problems);

    let repair = prompt.repair_request(stage, model, &req.settings, &answer, &problems);
    let text = match call(CallKind::Repair, repair, &config, model, policy, transport, clock, &mut calls, &mut reporter)
        .await
    {
        Ok((text, _)) => text,
        Err(f) => return Err(failure(f, calls)),
    };
    match check_output(stage, &text, upstream) {
        Ok(artifact) => Ok(success(artifact, model, calls, clock.now_ms() - started)),
        Err(problems) => {
            mark_invalid(&mut calls, &problems);
            let shown: Vec<&str> = problems.iter().take(5).map(String::as_str).collect();
            let message = format!(
                "the model's {stage} artifact was still invalid after one repair ({} problems): {}",
                problems.len(),
                shown.join("; ")
            );
            Err(failure(ModelFailure::new(FailureClass::InvalidOutput, message), calls))
        }
    }
}

fn total_usage(calls: &[CallRecord]) -> Usage {
    let mut u = Usage::default();
    for c in calls {
        u.add(c.usage);
    }
    u
}

fn success(artifact: Artifact, model: &str, calls: Vec<CallRecord>, latency_ms: u64) -> GenerateSuccess {
    GenerateSuccess {
        artifact: artifact.to_value(),
        usage: total_usage(&calls),
        model: model.to_string(),
        attempts: calls.len() as u32,
        latency_ms,
        calls,
    }
}

fn failure(f: ModelFailure, calls: Vec<CallRecord>) -> GenerateFailure {
    GenerateFailure {
        error: AgentError {
            code: f.class.as_str().to_string(),
            class: Some(f.class),
            message: f.message,
            retryable: f.class.retryable_later(),
            retry_after_ms: f.retry_after_ms.filter(|_| f.class.disposition() == Disposition::RetryAfter),
        },
        usage: total_usage(&calls),
        attempts: calls.len() as u32,
        calls,
    }
}

/// Replaces every occurrence of `secret` in `text` (no-op for short secrets,
/// which would redact ordinary words).
pub fn redact(text: &str, secret: &str) -> String {
    if secret.len() < 8 {
        return text.to_string();
    }
    text.replace(secret, "[redacted]")
}

#[cfg(test)]
mod tests;
