//! When to call the model again: a pure function of the failure, the attempt
//! number, the time already spent and a jitter value, so it is tested without
//! sleeping and the same decision is made on every platform.

use crate::gemini::{Disposition, ModelFailure};

/// Bounds on retrying one model call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Most attempts of one call, the first included.
    pub max_attempts: u32,
    /// First backoff delay.
    pub base_delay_ms: u64,
    /// Largest backoff delay.
    pub max_delay_ms: u64,
    /// Longest single wait accepted (e.g. a `retryDelay` of an hour is not waited out).
    pub max_wait_ms: u64,
    /// Wall-clock budget for all attempts of the call together.
    pub budget_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 4, base_delay_ms: 500, max_delay_ms: 8_000, max_wait_ms: 30_000, budget_ms: 90_000 }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait this long, then try again.
    Retry {
        /// Milliseconds to wait.
        delay_ms: u64,
    },
    /// Stop and report the failure.
    GiveUp(GiveUpReason),
}

/// Why retrying stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUpReason {
    /// The failure cannot be fixed by retrying.
    NotRetryable,
    /// `max_attempts` reached.
    AttemptsExhausted,
    /// The wait would exceed `max_wait_ms` or the remaining budget.
    WaitTooLong,
}

impl RetryPolicy {
    /// The default policy for calls that may each take `timeout_ms`: the
    /// budget holds at least two whole attempts and the longest wait, so a
    /// slow first attempt still leaves room for a retry.
    pub fn for_calls_of(timeout_ms: u64) -> Self {
        let d = Self::default();
        Self { budget_ms: d.budget_ms.max(2 * timeout_ms + d.max_wait_ms), ..d }
    }

    /// Decides after `attempts` failed attempts (1 after the first), `elapsed_ms`
    /// into the call; `jitter` in [0, 1) spreads backoff delays ("equal jitter":
    /// half the exponential delay fixed, half random).
    pub fn decide(&self, failure: &ModelFailure, attempts: u32, elapsed_ms: u64, jitter: f64) -> RetryDecision {
        let delay_ms = match failure.class.disposition() {
            Disposition::FailFast => return RetryDecision::GiveUp(GiveUpReason::NotRetryable),
            Disposition::RetryAfter => failure.retry_after_ms.unwrap_or_else(|| self.backoff(attempts, jitter)),
            Disposition::Backoff => self.backoff(attempts, jitter),
        };
        if attempts >= self.max_attempts {
            return RetryDecision::GiveUp(GiveUpReason::AttemptsExhausted);
        }
        if delay_ms > self.max_wait_ms || elapsed_ms.saturating_add(delay_ms) > self.budget_ms {
            return RetryDecision::GiveUp(GiveUpReason::WaitTooLong);
        }
        RetryDecision::Retry { delay_ms }
    }

    fn backoff(&self, attempts: u32, jitter: f64) -> u64 {
        let exp = self.base_delay_ms.saturating_mul(1u64 << attempts.saturating_sub(1).min(20)).min(self.max_delay_ms);
        let half = exp / 2;
        half + (half as f64 * jitter.clamp(0.0, 1.0)) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemini::FailureClass;

    fn failure(class: FailureClass, retry_after_ms: Option<u64>) -> ModelFailure {
        ModelFailure { class, message: String::new(), retry_after_ms }
    }

    #[test]
    fn fail_fast_classes_are_never_retried() {
        let p = RetryPolicy::default();
        for c in
            [FailureClass::ApiKeyInvalid, FailureClass::QuotaPerDay, FailureClass::Safety, FailureClass::ModelNotFound]
        {
            assert_eq!(p.decide(&failure(c, Some(1)), 1, 0, 0.5), RetryDecision::GiveUp(GiveUpReason::NotRetryable));
        }
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let p = RetryPolicy::default();
        let f = failure(FailureClass::Unavailable, None);
        assert_eq!(p.decide(&f, 1, 0, 0.0), RetryDecision::Retry { delay_ms: 250 });
        assert_eq!(p.decide(&f, 1, 0, 1.0), RetryDecision::Retry { delay_ms: 500 });
        assert_eq!(p.decide(&f, 2, 0, 0.0), RetryDecision::Retry { delay_ms: 500 });
        assert_eq!(p.decide(&f, 3, 0, 0.5), RetryDecision::Retry { delay_ms: 1_500 });
        assert_eq!(p.decide(&f, 4, 0, 0.5), RetryDecision::GiveUp(GiveUpReason::AttemptsExhausted));
        let long = RetryPolicy { max_attempts: 50, ..p };
        assert_eq!(long.decide(&f, 30, 0, 1.0), RetryDecision::Retry { delay_ms: 8_000 });
    }

    #[test]
    fn the_budget_holds_two_whole_attempts() {
        assert_eq!(RetryPolicy::for_calls_of(4_000), RetryPolicy::default(), "short calls: the default budget");
        let slow = RetryPolicy::for_calls_of(400_000);
        assert_eq!(slow.budget_ms, 830_000);
        // A timeout after 400 s still leaves room for the retry.
        let f = failure(FailureClass::Timeout, None);
        assert_eq!(slow.decide(&f, 1, 400_000, 0.0), RetryDecision::Retry { delay_ms: 250 });
    }

    #[test]
    fn retry_delay_is_honoured_unless_too_long() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.decide(&failure(FailureClass::QuotaPerMinute, Some(17_000)), 1, 0, 0.9),
            RetryDecision::Retry { delay_ms: 17_000 }
        );
        assert_eq!(
            p.decide(&failure(FailureClass::QuotaPerMinute, Some(45_000)), 1, 0, 0.9),
            RetryDecision::GiveUp(GiveUpReason::WaitTooLong)
        );
        assert_eq!(
            p.decide(&failure(FailureClass::QuotaPerMinute, Some(10_000)), 1, 85_000, 0.9),
            RetryDecision::GiveUp(GiveUpReason::WaitTooLong)
        );
        // Without RetryInfo a per-minute quota falls back to backoff.
        assert_eq!(
            p.decide(&failure(FailureClass::QuotaPerMinute, None), 1, 0, 0.0),
            RetryDecision::Retry { delay_ms: 250 }
        );
    }
}
