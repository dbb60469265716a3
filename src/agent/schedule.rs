//! When the agent scans: every `interval`, or on a cron expression (UTC), plus a random delay up
//! to `jitter` so a fleet of agents does not hit the cloud APIs in the same second.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

/// The longest duration accepted anywhere (ten years): beyond it a value is a typo.
pub const MAX_SECS: u64 = 3650 * 86_400;

/// A duration written for humans: `90s`, `15m`, `6h`, `1d` (or a bare number of seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl std::str::FromStr for HumanDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let n: u64 = num.parse().map_err(|_| format!("{s:?} is not a duration (e.g. 30s, 15m, 6h, 1d)"))?;
        let per = match unit.trim() {
            "" | "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            other => return Err(format!("{s:?}: unknown unit {other:?} (use s, m, h or d)")),
        };
        // Checked: a hostile value must be a config error, never an overflow.
        match n.checked_mul(per) {
            Some(secs) if secs <= MAX_SECS => Ok(HumanDuration(Duration::from_secs(secs))),
            _ => Err(format!("{s:?} is out of range (at most {}d)", MAX_SECS / 86_400)),
        }
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// A cron expression (5 fields, or 6 with seconds first), evaluated in UTC.
#[derive(Debug, Clone)]
pub struct CronExpr(pub croner::Cron);

impl<'de> Deserialize<'de> for CronExpr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse::<croner::Cron>().map(CronExpr).map_err(|e| serde::de::Error::custom(format!("cron {s:?}: {e}")))
    }
}

#[derive(Debug, Clone)]
pub enum Schedule {
    Every(Duration),
    Cron(Box<croner::Cron>),
}

impl Schedule {
    /// The next start after a scan (or the agent) that started at `last`, as of `now`. An
    /// interval that has already passed (a scan longer than the interval) starts at once.
    pub fn next(&self, last: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Schedule::Every(d) => chrono::Duration::from_std(*d)
                .ok()
                .and_then(|d| last.checked_add_signed(d))
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
                .max(now),
            Schedule::Cron(c) => c.find_next_occurrence(&now, false).unwrap_or(now + chrono::Duration::days(1)),
        }
    }
}

/// A random delay in `[0, max]`, from the clock and the process id (no RNG dependency; the
/// spread, not unpredictability, is what matters).
pub fn jitter(max: Duration) -> Duration {
    if max.is_zero() {
        return Duration::ZERO;
    }
    let mut x = u64::from(Utc::now().timestamp_subsec_nanos()) ^ (u64::from(std::process::id()) << 32) | 1;
    // xorshift64*
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    let r = x.wrapping_mul(0x2545_f491_4f6c_dd1d);
    let max_ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX - 1);
    Duration::from_millis(r % (max_ms + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!("90s".parse::<HumanDuration>(), Ok(HumanDuration(Duration::from_secs(90))));
        assert_eq!("6h".parse::<HumanDuration>(), Ok(HumanDuration(Duration::from_secs(21_600))));
        assert_eq!("2".parse::<HumanDuration>(), Ok(HumanDuration(Duration::from_secs(2))));
        assert!("6 hours".parse::<HumanDuration>().is_err());
        assert!("h".parse::<HumanDuration>().is_err());
        // Hostile values are errors, not overflows.
        for bad in ["99999999999999999d", "18446744073709551615h", "3651d", "99999999999999999999999"] {
            assert!(bad.parse::<HumanDuration>().is_err(), "{bad}");
        }
        assert!("3650d".parse::<HumanDuration>().is_ok());
        let every = Schedule::Every(Duration::from_secs(MAX_SECS));
        let _ = every.next(DateTime::<Utc>::MAX_UTC, Utc::now());
    }

    #[test]
    fn interval_and_cron() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).expect("time");
        let every = Schedule::Every(Duration::from_secs(3600));
        assert_eq!(every.next(t("2026-01-01T00:00:00Z"), t("2026-01-01T00:10:00Z")), t("2026-01-01T01:00:00Z"));
        assert_eq!(every.next(t("2026-01-01T00:00:00Z"), t("2026-01-01T02:10:00Z")), t("2026-01-01T02:10:00Z"));
        let cron = Schedule::Cron(Box::new("0 */6 * * *".parse().expect("cron")));
        assert_eq!(cron.next(t("2026-01-01T07:00:00Z"), t("2026-01-01T07:30:00Z")), t("2026-01-01T12:00:00Z"));
        assert!(jitter(Duration::from_secs(10)) <= Duration::from_secs(10));
        assert_eq!(jitter(Duration::ZERO), Duration::ZERO);
    }
}
