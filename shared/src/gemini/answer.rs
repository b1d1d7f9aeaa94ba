//! A successful answer read: its text and turn, usage and finish, or the
//! failure it really is (a block, a safety stop, a cut-off, no text).

use super::failure::with_detail;
use super::{Content, FailureClass, GenerateContentResponse, ModelFailure, Usage, CONTINUATION};

/// The usable part of a successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelAnswer {
    /// The JSON text (thought parts removed).
    pub text: String,
    /// The model's turn as received, thought parts and signatures included:
    /// what a repair turn sends back.
    pub content: Content,
    /// Tokens used.
    pub usage: Usage,
    /// Set when the answer is one segment of a longer one
    /// (finishReason [`CONTINUATION`]): the token that asks for the next.
    pub continuation: Option<String>,
}

/// Interprets a 200 answer: the text, or why there is no usable text. Usage is
/// returned either way, because blocked and truncated answers are billed too.
pub fn interpret_response(resp: &GenerateContentResponse) -> Result<ModelAnswer, (ModelFailure, Usage)> {
    let usage: Usage = resp.usage_metadata.map(Usage::from).unwrap_or_default();
    let fail = |class, msg: String| Err((ModelFailure::new(class, msg), usage));
    if let Some(feedback) = resp.prompt_feedback.as_ref().filter(|f| f.block_reason.is_some()) {
        let reason = feedback.block_reason.as_deref().unwrap_or_default();
        let text = format!("the prompt was blocked ({reason})");
        return fail(FailureClass::PromptBlocked, with_detail(text, feedback.block_reason_message.as_deref()));
    }
    let Some(candidate) = resp.candidates.first() else {
        return fail(FailureClass::EmptyCandidates, "the model returned no candidates".into());
    };
    let text: String = candidate
        .content
        .iter()
        .flat_map(|c| c.parts.iter())
        .filter(|p| p.thought != Some(true))
        .filter_map(|p| p.text.as_deref())
        .collect();
    let detail = candidate.finish_message.as_deref();
    match candidate.finish_reason.as_deref() {
        Some("SAFETY") | Some("PROHIBITED_CONTENT") | Some("BLOCKLIST") | Some("SPII") => {
            return fail(FailureClass::Safety, with_detail("the answer was withheld by safety filters".into(), detail))
        }
        Some("RECITATION") => {
            let text = "the answer was withheld for reciting existing material".into();
            return fail(FailureClass::Recitation, with_detail(text, detail));
        }
        Some("MAX_TOKENS") => {
            // Thinking counts against maxOutputTokens: say which used it up.
            let spent_on =
                if usage.thoughts_tokens > usage.output_tokens { "mostly thinking" } else { "mostly answer" };
            let text = format!(
                "the answer hit the output token limit after {} answer and {} thinking tokens ({spent_on}) and was cut off; raise maxOutputTokens",
                usage.output_tokens, usage.thoughts_tokens
            );
            return fail(FailureClass::MaxTokens, with_detail(text, detail));
        }
        Some(CONTINUATION) => {
            // One segment of a longer answer: its text may be empty (a segment
            // spent thinking), but without the token the rest is out of reach.
            let Some(token) = candidate.continuation_token.clone().filter(|t| !t.is_empty()) else {
                let text = "the answer was cut into segments (finishReason CONTINUATION) without a continuationToken";
                return fail(FailureClass::Unfinished, text.into());
            };
            let content = candidate.content.clone().unwrap_or_else(|| Content::text(Some("model"), text.clone()));
            return Ok(ModelAnswer { text, content, usage, continuation: Some(token) });
        }
        _ => {}
    }
    if text.trim().is_empty() {
        let reason = candidate.finish_reason.as_deref().unwrap_or("none");
        let text = format!("the model returned an empty answer (finishReason {reason})");
        return fail(FailureClass::EmptyCandidates, with_detail(text, detail));
    }
    // Only STOP says the answer is whole. Text that ends any other way (a
    // reason this client does not know, or none) may be cut off: it is never
    // taken for an artifact, and never sent to a paid repair.
    if candidate.finish_reason.as_deref() != Some("STOP") {
        let reason = candidate.finish_reason.as_deref().unwrap_or("none");
        let text = format!("the answer ended with finishReason {reason}, which does not say it is finished");
        return fail(FailureClass::Unfinished, with_detail(text, detail));
    }
    let content = candidate.content.clone().unwrap_or_else(|| Content::text(Some("model"), text.clone()));
    Ok(ModelAnswer { text, content, usage, continuation: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemini::{Disposition, GenerateContentRequest, GenerationConfig};
    use serde_json::{json, Value};

    #[test]
    fn finish_and_block_messages_reach_the_user() {
        let fail = |v| interpret_response(&response(v)).unwrap_err().0;
        let f = fail(json!({"candidates": [{"finishReason": "OTHER",
            "finishMessage": "Model failed to generate content due to internal error."}]}));
        assert_eq!(f.class, FailureClass::EmptyCandidates);
        assert_eq!(f.class.disposition(), Disposition::Backoff, "Google failing, not the prompt: retried");
        assert!(f.message.contains("finishReason OTHER") && f.message.contains("internal error"), "{}", f.message);
        let f =
            fail(json!({"candidates": [{"content": {"parts": [{"text": ""}]}, "finishReason": "NEW_REASON_2027"}]}));
        assert_eq!(f.class, FailureClass::EmptyCandidates, "an unknown reason without text");
        let f = fail(
            json!({"candidates": [], "promptFeedback": {"blockReason": "OTHER", "blockReasonMessage": "The prompt was blocked by policy."}}),
        );
        assert!(f.message.contains("(OTHER): The prompt was blocked by policy."), "{}", f.message);
        // A thought-only answer is no answer.
        let f = fail(
            json!({"candidates": [{"content": {"parts": [{"text": "let me think", "thought": true}]}, "finishReason": "STOP"}]}),
        );
        assert_eq!(f.class, FailureClass::EmptyCandidates);
        let f = fail(json!({"candidates": [{"content": {"parts": [{"text": "{"}]}, "finishReason": "MAX_TOKENS"}],
            "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 1, "thoughtsTokenCount": 8000}}));
        assert!(f.message.contains("1 answer and 8000 thinking tokens (mostly thinking)"), "{}", f.message);
    }

    #[test]
    fn a_segment_of_a_long_decode_carries_its_token() {
        let segment = response(json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": "{\"a\": [1, "}]},
                "finishReason": "CONTINUATION", "continuationToken": "c2VnbWVudC0y", "index": 0}],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5}
        }));
        let a = interpret_response(&segment).unwrap();
        assert_eq!((a.text.as_str(), a.continuation.as_deref()), ("{\"a\": [1, ", Some("c2VnbWVudC0y")));
        // The request that asks for the next segment sends the token at its top level.
        let request = GenerateContentRequest {
            contents: vec![Content::text(Some("user"), "hi")],
            system_instruction: None,
            generation_config: GenerationConfig {
                response_mime_type: "application/json".into(),
                response_schema: json!({}),
                temperature: None,
                max_output_tokens: Some(1),
                thinking_config: None,
            },
            continuation_token: a.continuation,
        };
        assert_eq!(serde_json::to_value(&request).unwrap()["continuationToken"], "c2VnbWVudC0y");
        // Without its token, a segment is an unfinished answer.
        let f = interpret_response(&response(json!({"candidates": [{"content": {"parts": [{"text": "{"}]},
            "finishReason": "CONTINUATION"}]})))
        .unwrap_err()
        .0;
        assert_eq!(f.class, FailureClass::Unfinished);
    }

    #[test]
    fn text_that_does_not_say_it_is_finished_is_never_taken() {
        // Google's own recording of a finish reason this client does not know.
        for finish in [json!("FAKE_NEW_FINISH_REASON"), Value::Null] {
            let f =
                interpret_response(&response(json!({"candidates": [{"content": {"parts": [{"text": "Some text"}]},
                "finishReason": finish, "index": 0}]})))
                .unwrap_err()
                .0;
            assert_eq!(f.class, FailureClass::Unfinished, "{finish}");
            assert_eq!(f.class.disposition(), Disposition::Backoff);
        }
    }

    fn response(v: Value) -> GenerateContentResponse {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn answers_are_interpreted() {
        let ok = response(json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "thinking...", "thought": true}, {"text": "{\"a\":"}, {"text": "1}"}]},
                "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "thoughtsTokenCount": 7, "totalTokenCount": 22},
            "modelVersion": "gemini-2.5-flash"
        }));
        let a = interpret_response(&ok).unwrap();
        assert_eq!(a.text, "{\"a\":1}");
        assert_eq!(a.usage, Usage { prompt_tokens: 10, output_tokens: 5, thoughts_tokens: 7, cached_tokens: 0 });
        assert_eq!(a.usage.total(), 22);

        let class = |v| interpret_response(&response(v)).unwrap_err().0.class;
        assert_eq!(
            class(json!({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 4}})),
            FailureClass::PromptBlocked
        );
        assert_eq!(class(json!({"candidates": [{"finishReason": "SAFETY"}]})), FailureClass::Safety);
        assert_eq!(class(json!({"candidates": [{"finishReason": "RECITATION"}]})), FailureClass::Recitation);
        assert_eq!(
            class(
                json!({"candidates": [{"content": {"parts": [{"text": "{\"a\": [1, 2"}]}, "finishReason": "MAX_TOKENS"}]})
            ),
            FailureClass::MaxTokens
        );
        assert_eq!(class(json!({"candidates": []})), FailureClass::EmptyCandidates);
        assert_eq!(
            class(json!({"candidates": [{"content": {"parts": [{"text": " "}]}, "finishReason": "STOP"}]})),
            FailureClass::EmptyCandidates
        );
        // Blocked answers are still billed.
        let (_, usage) = interpret_response(&response(
            json!({"promptFeedback": {"blockReason": "OTHER"}, "usageMetadata": {"promptTokenCount": 4}}),
        ))
        .unwrap_err();
        assert_eq!(usage.prompt_tokens, 4);
    }
}
