//! What a viewer hears while an answer streams: the text as it grows and
//! the tokens so far, estimated until Google counts them, at most every
//! [`PROGRESS_EVERY_MS`].

use super::segments::Segments;
use super::transport::ModelTransport;
use crate::agent::protocol::{CallKind, CallProgress};
use crate::gemini::cost::approximate_tokens;
use crate::gemini::stream::Added;
use crate::gemini::Usage;

/// Longest a viewer waits for news of a streamed answer that is growing.
pub const PROGRESS_EVERY_MS: u64 = 250;

/// Tells the transport how far the generation has got
/// ([`ModelTransport::progress`]): what each [`CallProgress`] says.
#[derive(Default)]
pub(super) struct Reporter {
    attempt: u32,
    kind: Option<CallKind>,
    segment: u32,
    /// Text the attempt's first progress sends again: the earlier segments
    /// of a retried segment.
    resend: String,
    /// Answer and thinking tokens of the attempt's earlier segments.
    earlier: (u32, u32),
    /// Billed by the generation's finished calls.
    billed_before: Usage,
    /// This request: answer bytes and thought characters seen, and the
    /// usage Google reported, if it did.
    bytes: usize,
    thought_chars: usize,
    reported: Option<Usage>,
    /// The request's prompt, estimated from its body until Google counts it.
    prompt_estimate: u32,
    delta: String,
    /// Whether something has not been told yet (text or Google's counts).
    unsent: bool,
    started_ms: u64,
    sent_ms: Option<u64>,
}

impl Reporter {
    /// A request starts: a new text unless `continuing` a segmented answer.
    pub(super) fn begin(
        &mut self,
        kind: CallKind,
        fresh: bool,
        segments: &Segments,
        billed: Usage,
        body: &str,
        now: u64,
    ) {
        if fresh {
            self.attempt += 1;
            self.resend = segments.text.clone();
            self.started_ms = now;
        }
        self.kind = Some(kind);
        self.segment = segments.count + 1;
        self.earlier = (segments.output, segments.thought);
        self.billed_before = billed;
        self.bytes = 0;
        self.thought_chars = 0;
        self.reported = None;
        self.prompt_estimate = approximate_tokens(body.len()) as u32;
        self.delta.clear();
        self.unsent = false;
        self.sent_ms = None;
    }

    /// A chunk arrived: tell the viewer at once if it is the request's first
    /// or [`PROGRESS_EVERY_MS`] have passed.
    pub(super) fn chunk(&mut self, added: Added, usage: Option<Usage>, now: u64, transport: &impl ModelTransport) {
        self.bytes += added.text.len();
        self.thought_chars += added.thought_chars;
        self.delta.push_str(&added.text);
        self.reported = usage.or(self.reported);
        self.unsent = true;
        if self.sent_ms.is_none_or(|sent| now.saturating_sub(sent) >= PROGRESS_EVERY_MS) {
            self.send(now, transport);
        }
    }

    /// The request ended: what the viewer has not heard yet.
    pub(super) fn flush(&mut self, now: u64, transport: &impl ModelTransport) {
        if self.unsent || !self.resend.is_empty() {
            self.send(now, transport);
        }
    }

    fn send(&mut self, now: u64, transport: &impl ModelTransport) {
        // Google may report running counts on any chunk, or only on the
        // last; a count it has not given yet is estimated from characters.
        let reported = self.reported.unwrap_or_default();
        let or_estimate = |count: u32, estimate: u64| if count > 0 { count } else { estimate as u32 };
        let current = Usage {
            prompt_tokens: or_estimate(reported.prompt_tokens, u64::from(self.prompt_estimate)),
            output_tokens: or_estimate(reported.output_tokens, approximate_tokens(self.bytes)),
            thoughts_tokens: or_estimate(reported.thoughts_tokens, approximate_tokens(self.thought_chars)),
            cached_tokens: reported.cached_tokens,
        };
        let mut billed = self.billed_before;
        billed.add(current);
        let mut delta = std::mem::take(&mut self.resend);
        delta.push_str(&self.delta);
        self.delta.clear();
        self.unsent = false;
        transport.progress(&CallProgress {
            attempt: self.attempt,
            kind: self.kind,
            segment: self.segment,
            output_tokens: self.earlier.0.saturating_add(current.output_tokens),
            thought_tokens: self.earlier.1.saturating_add(current.thoughts_tokens),
            estimated: reported.output_tokens == 0,
            delta,
            elapsed_ms: now.saturating_sub(self.started_ms),
            billed,
        });
        self.sent_ms = Some(now);
    }
}
