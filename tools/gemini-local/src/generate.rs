//! A generation's answer: the stage from the system instruction, the
//! product from the brief, the artifact derived from the upstream the prompt
//! carries (with any reviewer feedback noted), then shaped by a fault or cut
//! into segments.

use crate::faults::{inject, take_fault, Fault};
use crate::models::model_not_found;
use crate::wire::{error_body, ok, unregistered};
use crate::{unix_ms, GeminiLocal};
use parit_shared::agent::prompt::stage_of;
use parit_shared::fixtures::examples;
use parit_shared::gemini::GenerateContentRequest;
use parit_shared::{Artifact, Stage, Upstream};
use serde_json::{json, Value};
use std::time::Duration;

impl GeminiLocal {
    pub(crate) fn generate(&self, model: &str, key: Option<String>, body: &str) -> (u16, Value) {
        let (status, answer, _) = self.generate_detail(model, key, body, false);
        (status, answer)
    }

    /// The answer to a generation request, and the fault that shapes its
    /// stream when it is streamed (`streamed`: the request came to
    /// `:streamGenerateContent`, as its record says).
    pub(crate) fn generate_detail(
        &self,
        model: &str,
        key: Option<String>,
        body: &str,
        streamed: bool,
    ) -> (u16, Value, Option<Fault>) {
        let Some(key) = key.filter(|k| !k.is_empty()) else {
            let (status, answer) = unregistered();
            return (status, answer, None);
        };
        if !model.starts_with("gemini-") {
            let (status, answer) = model_not_found(model);
            return (status, answer, None);
        }
        let request: GenerateContentRequest = match serde_json::from_str(body) {
            Ok(r) => r,
            Err(e) => {
                let message = format!("Invalid JSON payload received. {e}");
                return (400, error_body(400, "INVALID_ARGUMENT", &message, json!([])), None);
            }
        };
        let stage = stage_of(&request);
        let parsed = serde_json::from_str::<Value>(body).unwrap_or(Value::Null);
        let (fault, index) = {
            let mut s = self.lock();
            let fault = take_fault(&mut s.faults, stage, body);
            let record = json!({
                "model": model,
                "stage": stage,
                "apiKey": key,
                "fault": fault.as_ref().map(|f| f.kind.clone()),
                "streamed": streamed,
                "at": unix_ms(),
                "body": parsed,
            });
            s.requests.push((body.to_string(), record));
            (fault, s.requests.len() - 1)
        };
        let latency = self.lock().latency_ms;
        if latency > 0 {
            std::thread::sleep(Duration::from_millis(latency));
        }
        let Some(stage) = stage else {
            let message =
                "This server answers Parit stage prompts only: the system instruction has no 'Parit stage:' line.";
            return (400, error_body(400, "INVALID_ARGUMENT", message, json!([])), None);
        };
        let brief = brief_text(&request);
        let product = examples::select(&brief);
        // Answer from the upstream artifacts the prompt carries, so an edited
        // or replaced upstream flows into the stages built from it, as with a
        // real model.
        let mut artifact = product.answer(stage, &upstream(&request)).to_value();
        // Reviewer feedback changes the answer, as it would a real model's.
        if let Some(feedback) = feedback_text(&request) {
            apply_feedback(&mut artifact, &feedback);
        }
        let artifact = artifact.to_string();
        let prompt_tokens = (body.len() / 4) as u64;
        let shaping = fault.clone().filter(|f| f.kind.starts_with("stream_"));
        let (status, answer) = match (fault, request.continuation_token.as_deref()) {
            (Some(f), _) if f.kind != "continuation" && !f.kind.starts_with("stream_") => {
                inject(&f, model, &artifact, prompt_tokens)
            }
            // The next segment of an answer begun before: the token says which.
            (_, Some(token)) => match Segment::read(token) {
                Some(next) => segment(model, &artifact, next, prompt_tokens),
                None => (400, error_body(400, "INVALID_ARGUMENT", "Invalid continuation token.", json!([]))),
            },
            (Some(f), None) if f.kind == "continuation" => {
                let of = f.segments.unwrap_or(3).clamp(2, 64);
                segment(model, &artifact, Segment { index: 1, of }, prompt_tokens)
            }
            (_, None) => ok(model, &artifact, "STOP", prompt_tokens),
        };
        // Record what was reported, so tests can compare the traces with it.
        if let Some((_, r)) = self.lock().requests.get_mut(index) {
            r["status"] = json!(status);
            r["usage"] = answer.get("usageMetadata").cloned().unwrap_or(Value::Null);
        }
        (status, answer, shaping)
    }
}

/// The upstream artifacts carried in the prompt: each `Upstream <stage>
/// artifact (JSON):` block that `parit_shared::agent::prompt::build` writes,
/// its JSON on the one line after the marker. A block that is not that
/// stage's artifact is left out, and the product's own is used instead.
fn upstream(request: &GenerateContentRequest) -> Upstream {
    let text: String =
        request.contents.first().into_iter().flat_map(|c| c.parts.iter()).filter_map(|p| p.text.as_deref()).collect();
    let mut upstream = Upstream::default();
    for stage in Stage::ALL {
        let marker = format!("Upstream {stage} artifact (JSON):\n");
        let Some(start) = text.find(&marker).map(|i| i + marker.len()) else { continue };
        let Some(line) = text[start..].lines().next() else { continue };
        if let Ok(artifact) = Artifact::from_text(stage, line) {
            upstream.insert(artifact);
        }
    }
    upstream
}

/// The brief's two lines from the user turn, for choosing the example product.
fn brief_text(request: &GenerateContentRequest) -> String {
    let text: String =
        request.contents.first().into_iter().flat_map(|c| c.parts.iter()).filter_map(|p| p.text.as_deref()).collect();
    text.lines()
        .filter(|l| l.starts_with("Product name:") || l.starts_with("Product idea:"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The reviewer feedback the prompt asks this version to apply, if any.
fn feedback_text(request: &GenerateContentRequest) -> Option<String> {
    const MARK: &str = "Reviewer feedback to apply in this version:\n";
    let text: String =
        request.contents.first().into_iter().flat_map(|c| c.parts.iter()).filter_map(|p| p.text.as_deref()).collect();
    let start = text.find(MARK)? + MARK.len();
    // The prompt ends with "\n\nProduce the <stage> artifact." after the feedback.
    let rest = &text[start..];
    let feedback = rest[..rest.rfind("\n\nProduce the ").unwrap_or(rest.len())].trim();
    (!feedback.is_empty()).then(|| feedback.to_string())
}

/// Notes the feedback in the artifact's first prose field (a summary,
/// description, purpose or narrative, searched depth first), so the new
/// version differs from the last and its dependents become stale.
fn apply_feedback(artifact: &mut Value, feedback: &str) -> bool {
    match artifact {
        Value::Object(map) => {
            for key in ["summary", "description", "purpose", "narrative"] {
                if let Some(Value::String(text)) = map.get_mut(key) {
                    text.push_str(&format!(" (Revised: {feedback})"));
                    return true;
                }
            }
            map.values_mut().any(|v| apply_feedback(v, feedback))
        }
        Value::Array(items) => items.iter_mut().any(|v| apply_feedback(v, feedback)),
        _ => false,
    }
}

/// Which part of a segmented answer a request asks for: `index` of `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    index: u32,
    of: u32,
}

impl Segment {
    const PREFIX: &'static str = "parit-local-segment";

    /// The opaque `continuationToken` that asks for this segment (hex, so it
    /// is as URL- and JSON-safe as Google's base64).
    fn token(self) -> String {
        format!("{}/{}/{}", Self::PREFIX, self.index, self.of).bytes().map(|b| format!("{b:02x}")).collect()
    }

    fn read(token: &str) -> Option<Segment> {
        let bytes: Option<Vec<u8>> = (0..token.len())
            .step_by(2)
            .map(|i| token.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
            .collect();
        let text = String::from_utf8(bytes?).ok()?;
        let mut parts = text.strip_prefix(Self::PREFIX)?.strip_prefix('/')?.split('/');
        let index = parts.next()?.parse().ok()?;
        let of = parts.next()?.parse().ok()?;
        (1 <= index && index <= of && of <= 64 && parts.next().is_none()).then_some(Segment { index, of })
    }
}

/// Part `at` of `text` cut into `at.of` nearly equal parts, as one answer:
/// finishReason CONTINUATION and the next part's token until the last, which
/// ends with STOP. Each part's usage counts the prompt again, as each request
/// is billed on its own.
fn segment(model: &str, text: &str, at: Segment, prompt_tokens: u64) -> (u16, Value) {
    let cut = |i: u32| {
        let mut at = text.len() * i as usize / at.of as usize;
        while !text.is_char_boundary(at) {
            at += 1;
        }
        at
    };
    let part = &text[cut(at.index - 1)..cut(at.index)];
    let (status, mut answer) = ok(model, part, "STOP", prompt_tokens);
    if at.index < at.of {
        answer["candidates"][0]["finishReason"] = json!("CONTINUATION");
        answer["candidates"][0]["continuationToken"] = json!(Segment { index: at.index + 1, of: at.of }.token());
    }
    (status, answer)
}
