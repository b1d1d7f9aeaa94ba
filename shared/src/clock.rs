//! Time: the one port through which the domain reads the clock and waits.
//!
//! The generation loop's retries, the pipeline's backoff and every record's
//! timestamp go through it. The Workers implement it with `Date.now()`,
//! `Delay` and `Math.random`; tests with virtual clocks that never wait.

/// Reading the time, waiting, and spreading waits.
#[allow(async_fn_in_trait)] // single-threaded (wasm32) callers; no Send bound wanted
pub trait Clock {
    /// Milliseconds since the Unix epoch (a virtual clock may start anywhere).
    fn now_ms(&self) -> u64;
    /// Waits `ms` milliseconds.
    async fn sleep(&self, ms: u64);
    /// A value in [0, 1) that spreads retry delays, so clients do not retry
    /// in step.
    fn jitter(&self) -> f64;
}
