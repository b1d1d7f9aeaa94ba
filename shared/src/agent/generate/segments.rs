//! An answer a Gemini 4 model decodes in segments (finishReason
//! `CONTINUATION`): what its segments have brought so far, and where it must
//! stop.

use crate::gemini::{FailureClass, ModelAnswer, ModelFailure, Usage};

/// Most segments one answer may come in (finishReason `CONTINUATION`): each
/// is a billed request, so a model that never finishes is stopped here, as
/// well as by the stage's output cap.
pub const MAX_SEGMENTS: u32 = 8;

/// What the segments of one answer have brought so far.
#[derive(Default)]
pub(super) struct Segments {
    /// Segments received.
    pub(super) count: u32,
    /// Their answer text, in order.
    pub(super) text: String,
    /// Their parts, in order: the model's turn a repair sends back.
    pub(super) parts: Vec<crate::gemini::Part>,
    /// Answer and thinking tokens written so far.
    pub(super) written: u32,
    /// Of those, answer tokens.
    pub(super) output: u32,
    /// Of those, thinking tokens.
    pub(super) thought: u32,
}

impl Segments {
    /// Adds one segment's answer: the next segment's token when the answer
    /// continues, `None` when it is whole, or a failure when it would pass
    /// [`MAX_SEGMENTS`] or `cap` (the call's answer and thinking tokens).
    pub(super) fn take(&mut self, answer: ModelAnswer, usage: Usage, cap: u32) -> Result<Option<String>, ModelFailure> {
        self.count += 1;
        self.text.push_str(&answer.text);
        self.parts.extend(answer.content.parts);
        self.output = self.output.saturating_add(usage.output_tokens);
        self.thought = self.thought.saturating_add(usage.thoughts_tokens);
        self.written = self.output.saturating_add(self.thought);
        match answer.continuation {
            None => Ok(None),
            Some(_) if self.count >= MAX_SEGMENTS || self.written >= cap => Err(ModelFailure::new(
                FailureClass::MaxTokens,
                format!(
                    "the answer was still unfinished after {} segments and {} answer and thinking tokens \
                     (finishReason CONTINUATION; at most {MAX_SEGMENTS} segments within maxOutputTokens {cap})",
                    self.count, self.written
                ),
            )),
            Some(token) => Ok(Some(token)),
        }
    }
}
