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

/// Milliseconds in a day.
pub const DAY_MS: u64 = 86_400_000;

/// The UTC day of `ms` since the Unix epoch, as `YYYY-MM-DD`.
pub fn utc_day(ms: u64) -> String {
    // Howard Hinnant's civil_from_days, for days since 1970-01-01.
    let z = (ms / DAY_MS) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Days from 1970-01-01 to `day` (`YYYY-MM-DD`), or `None` when it is not a date.
pub fn day_number(day: &str) -> Option<i64> {
    let mut parts = day.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, d) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&month) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_convert_both_ways() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(1_796_515_199_000), "2026-12-05"); // 23:59:59 UTC
        assert_eq!(utc_day(1_796_515_200_000), "2026-12-06");
        assert_eq!(utc_day(951_782_400_000), "2000-02-29");
        for day in ["1970-01-01", "2000-02-29", "2026-11-30", "2026-12-01", "2027-01-01", "2100-03-01"] {
            let n = day_number(day).unwrap();
            assert_eq!(utc_day(n as u64 * DAY_MS), day);
        }
        assert_eq!(day_number("2026-13-01"), None);
        assert_eq!(day_number("soon"), None);
    }
}
