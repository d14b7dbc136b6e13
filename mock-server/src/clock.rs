//! Time for the whole mock: the [`Clock`] trait, the wall-clock [`SystemClock`] (the one place the wall
//! clock is read) and the [`ManualClock`] that tests and `/__admin/clock` move by hand. No axum here.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};

/// Bytes of [`Timestamp::rfc3339_text`]: `2026-11-24T09:31:16.000Z`.
pub const RFC3339_LEN: usize = 24;

/// A point in mock time: milliseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The manual clock's default start, `2026-01-01T00:00:00Z`.
    pub const DEFAULT_START: Timestamp = Timestamp(1_767_225_600_000);

    /// Later than any time the clock reaches (a time for "never").
    pub const NEVER: Timestamp = Timestamp(i64::MAX);

    /// Parses RFC 3339 (`2026-01-01T00:00:00Z`, `2026-01-01T01:00:00.250+01:00`).
    pub fn parse(text: &str) -> Result<Self, String> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|t| Timestamp(t.timestamp_millis()))
            .map_err(|e| {
                format!("{text:?} is not an RFC 3339 time such as 2026-01-01T00:00:00Z ({e})")
            })
    }

    /// ISO 8601 UTC with milliseconds, as GP tom writes it: `2026-11-24T09:31:16.000Z`.
    pub fn to_rfc3339(self) -> String {
        match self.rfc3339_text() {
            Some(text) => String::from_utf8_lossy(&text).into_owned(),
            None => self
                .date_time()
                .to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }

    /// [`Timestamp::to_rfc3339`]'s text in a fixed buffer, written digit by digit (every task answer carries one:
    /// chrono's formatter costs several hundred instructions and a `String`); `None` outside the years 0 to 9999,
    /// which chrono writes with a sign.
    pub fn rfc3339_text(self) -> Option<[u8; RFC3339_LEN]> {
        let t = self.date_time();
        let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
        let mut text = *b"0000-00-00T00:00:00.000Z";
        for (at, width, n) in [
            (0, 4, year),
            (5, 2, t.month()),
            (8, 2, t.day()),
            (11, 2, t.hour()),
            (14, 2, t.minute()),
            (17, 2, t.second()),
            (20, 3, t.timestamp_subsec_millis()),
        ] {
            let mut n = n;
            for b in text[at..at + width].iter_mut().rev() {
                *b = b'0' + (n % 10) as u8;
                n /= 10;
            }
        }
        Some(text)
    }

    /// As a chrono time (the epoch when out of chrono's range, as before).
    fn date_time(self) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp_millis(self.0).unwrap_or_default()
    }

    /// Whole seconds since the epoch (JWT `iat`/`exp`).
    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This time plus `ms` milliseconds (saturating).
    pub fn plus_ms(self, ms: i64) -> Self {
        Timestamp(self.0.saturating_add(ms))
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// Where the mock reads "now" from. Two implementations: wall time and a hand-moved clock.
pub trait Clock: Send + Sync + 'static {
    /// The current mock time.
    fn now(&self) -> Timestamp;
    /// Moves the clock forward by `by`.
    fn advance(&self, by: Duration);
    /// Jumps to `to`; refuses to go backwards (the error is the current time).
    fn set(&self, to: Timestamp) -> Result<(), Timestamp>;
    /// `manual` or `real`.
    fn kind(&self) -> &'static str;
    /// What `--state` keeps of the clock across restarts: a manual clock's time, a real clock's offset from the
    /// wall clock (so time moved forward stays moved, and a real clock keeps running while the mock is down).
    fn saved(&self) -> i64;
    /// Puts back what [`Clock::saved`] gave.
    fn restore(&self, saved: i64);
}

/// Frozen until moved; clones share one time (tests and `/__admin/clock` hold clones).
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicI64>);

fn millis(by: Duration) -> i64 {
    i64::try_from(by.as_millis()).unwrap_or(i64::MAX)
}

impl ManualClock {
    /// A clock frozen at `start`.
    pub fn at(start: Timestamp) -> Self {
        ManualClock(Arc::new(AtomicI64::new(start.0)))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
    fn advance(&self, by: Duration) {
        self.0.fetch_add(millis(by), Ordering::SeqCst);
    }
    fn set(&self, to: Timestamp) -> Result<(), Timestamp> {
        self.0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                (to.0 >= now).then_some(to.0)
            })
            .map(|_| ())
            .map_err(Timestamp)
    }
    fn kind(&self) -> &'static str {
        "manual"
    }
    fn saved(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
    fn restore(&self, saved: i64) {
        self.0.store(saved, Ordering::SeqCst);
    }
}

/// Wall time, optionally shifted so that it starts at a chosen instant (`--clock real --clock-start …`).
/// Admin advances add to an offset, so the real clock can also be moved forward.
#[derive(Debug)]
pub struct SystemClock {
    offset_ms: AtomicI64,
}

impl SystemClock {
    /// Follows the wall clock from `start` (or from the wall time itself when `None`).
    pub fn starting_at(start: Option<Timestamp>) -> Self {
        let offset = start.map_or(0, |s| s.0 - Self::wall().0);
        SystemClock {
            offset_ms: AtomicI64::new(offset),
        }
    }

    #[allow(clippy::disallowed_methods)] // the one wall-clock read of the crate
    fn wall() -> Timestamp {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Self::wall().plus_ms(self.offset_ms.load(Ordering::SeqCst))
    }
    fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(millis(by), Ordering::SeqCst);
    }
    fn set(&self, to: Timestamp) -> Result<(), Timestamp> {
        let now = self.now();
        if to < now {
            return Err(now);
        }
        self.offset_ms.fetch_add(to.0 - now.0, Ordering::SeqCst);
        Ok(())
    }
    fn kind(&self) -> &'static str {
        "real"
    }
    fn saved(&self) -> i64 {
        self.offset_ms.load(Ordering::SeqCst)
    }
    fn restore(&self, saved: i64) {
        self.offset_ms.store(saved, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_millis_and_z() {
        assert_eq!(
            Timestamp::DEFAULT_START.to_rfc3339(),
            "2026-01-01T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::DEFAULT_START.plus_ms(1_250).to_rfc3339(),
            "2026-01-01T00:00:01.250Z"
        );
    }

    /// chrono's own RFC 3339 text, what [`Timestamp::rfc3339_text`] must write.
    fn chrono_text(t: Timestamp) -> String {
        t.date_time().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    #[test]
    fn digit_by_digit_text_is_chronos_at_the_edges() {
        for ms in [
            0,
            -1,
            999,
            -62_167_219_200_000, // 0000-01-01T00:00:00.000Z
            -62_167_219_200_001, // a year before: chrono writes -0001, so does to_rfc3339
            253_402_300_799_999, // 9999-12-31T23:59:59.999Z
            253_402_300_800_000, // +10000: chrono's text
            951_782_400_000,     // 2000-02-29 (leap day)
            i64::MAX,            // out of chrono's range: the epoch, as before
        ] {
            let t = Timestamp(ms);
            assert_eq!(t.to_rfc3339(), chrono_text(t), "{ms}");
        }
        assert_eq!(
            Timestamp(-62_167_219_200_000)
                .rfc3339_text()
                .map(|b| b.to_vec()),
            Some(b"0000-01-01T00:00:00.000Z".to_vec())
        );
        assert_eq!(Timestamp(253_402_300_800_000).rfc3339_text(), None);
    }

    proptest::proptest! {
        #[test]
        fn digit_by_digit_text_is_chronos(ms in -70_000_000_000_000i64..260_000_000_000_000) {
            let t = Timestamp(ms);
            proptest::prop_assert_eq!(t.to_rfc3339(), chrono_text(t));
        }
    }

    #[test]
    fn parses_offsets() {
        let t = Timestamp::parse("2026-01-01T01:00:00+01:00").unwrap();
        assert_eq!(t, Timestamp::DEFAULT_START);
        assert!(
            Timestamp::parse("yesterday")
                .unwrap_err()
                .contains("RFC 3339")
        );
    }

    #[test]
    fn manual_clock_moves_only_forward() {
        let c = ManualClock::at(Timestamp::DEFAULT_START);
        c.advance(Duration::from_millis(500));
        assert_eq!(c.now(), Timestamp::DEFAULT_START.plus_ms(500));
        assert!(c.set(Timestamp::DEFAULT_START).is_err());
        let shared = c.clone();
        shared.advance(Duration::from_secs(1));
        assert_eq!(c.now(), Timestamp::DEFAULT_START.plus_ms(1_500));
    }
}
