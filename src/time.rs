//! [`Timestamp`]: the one notion of time in the crate, passed in by the host.
//!
//! Nothing in the crate reads a clock. DNS statuses, inbound mail and the ACD queue all take
//! the time as a `Timestamp`, so every outcome is deterministic and every test exact.

use std::fmt;

/// Milliseconds in one hour.
pub(crate) const HOUR_MS: i64 = 60 * 60 * 1000;

/// Why a timestamp was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// The time is before the Unix epoch or after the end of year 9999.
    #[error(
        "timestamp {millis} ms is outside {min}..={max} (1970-01-01 to 9999-12-31): use milliseconds since the Unix epoch"
    )]
    OutOfRange {
        /// The offending value.
        millis: i64,
        /// The earliest supported time.
        min: i64,
        /// The latest supported time.
        max: i64,
    },
}

impl TimestampError {
    /// A stable, machine-readable code for this error: `timestamp.out_of_range`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::OutOfRange { .. } => "timestamp.out_of_range",
        }
    }
}

/// A point in time: milliseconds since 1970-01-01T00:00:00Z, from the epoch to the end of year
/// 9999 ([`Timestamp::MIN_MILLIS`]`..=`[`Timestamp::MAX_MILLIS`]).
///
/// The range keeps every derived number exact: an ACD routing key stays within ±2^53, and
/// arithmetic here saturates at the ends of the range instead of overflowing.
///
/// ```
/// use email_routing::Timestamp;
/// let start = Timestamp::from_unix_millis(1_780_000_000_000)?;
/// let later = start.plus_hours(72);
/// assert_eq!(later.millis_since(start), 72 * 3_600_000);
/// assert_eq!(Timestamp::from_unix_millis(-1).unwrap_err().code(), "timestamp.out_of_range");
/// # Ok::<(), email_routing::TimestampError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "i64", into = "i64"))]
pub struct Timestamp(i64);

impl Timestamp {
    /// The earliest supported time: the Unix epoch.
    pub const MIN_MILLIS: i64 = 0;
    /// The latest supported time: 9999-12-31T23:59:59.999Z.
    pub const MAX_MILLIS: i64 = 253_402_300_799_999;

    /// Checks the range and creates a timestamp from milliseconds since the Unix epoch.
    ///
    /// # Errors
    /// `timestamp.out_of_range` before the epoch or after the end of year 9999.
    pub const fn from_unix_millis(millis: i64) -> Result<Self, TimestampError> {
        if millis >= Self::MIN_MILLIS && millis <= Self::MAX_MILLIS {
            Ok(Self(millis))
        } else {
            Err(TimestampError::OutOfRange { millis, min: Self::MIN_MILLIS, max: Self::MAX_MILLIS })
        }
    }

    /// Milliseconds since the Unix epoch.
    #[must_use]
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// This time plus `millis` milliseconds (negative goes back), clamped to the range.
    #[must_use]
    pub const fn plus_millis(self, millis: i64) -> Self {
        let t = self.0.saturating_add(millis);
        Self(if t < Self::MIN_MILLIS {
            Self::MIN_MILLIS
        } else if t > Self::MAX_MILLIS {
            Self::MAX_MILLIS
        } else {
            t
        })
    }

    /// This time plus `hours` hours, clamped to the range.
    #[must_use]
    pub const fn plus_hours(self, hours: i64) -> Self {
        self.plus_millis(hours.saturating_mul(HOUR_MS))
    }

    /// Milliseconds from `earlier` to `self`; negative when `earlier` is later.
    #[must_use]
    pub const fn millis_since(self, earlier: Timestamp) -> i64 {
        // Both are within 0..=MAX_MILLIS, so this cannot overflow.
        self.0 - earlier.0
    }
}

impl Timestamp {
    /// The time as RFC 5322 3.3 writes it in a `Date` field, in UTC, to the second:
    /// `Thu, 28 May 2026 20:26:40 +0000`.
    #[must_use]
    pub fn to_rfc5322(self) -> String {
        mail_builder::headers::date::Date::new(self.0.div_euclid(1000)).to_rfc822()
    }
}

impl Timestamp {
    /// The time as RFC 3339 writes it, in UTC to the millisecond:
    /// `2026-05-28T20:26:40.000Z`, the form every message and `Debug` of the crate shows.
    #[must_use]
    pub fn to_rfc3339(self) -> String {
        let format = time::format_description::well_known::Rfc3339;
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .ok()
            .and_then(|t| t.format(&format).ok())
            // Within the range, both always succeed; the number is the honest fallback.
            .unwrap_or_else(|| format!("{} ms since the Unix epoch", self.0))
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339, as [`to_rfc3339`](Self::to_rfc3339).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_rfc3339())
    }
}

/// The host's clock, read by the host: a `SystemTime` within the range.
impl TryFrom<std::time::SystemTime> for Timestamp {
    type Error = TimestampError;
    fn try_from(time: std::time::SystemTime) -> Result<Self, TimestampError> {
        let millis = match time.duration_since(std::time::SystemTime::UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |m| -m),
        };
        Self::from_unix_millis(millis)
    }
}

impl TryFrom<i64> for Timestamp {
    type Error = TimestampError;
    fn try_from(millis: i64) -> Result<Self, TimestampError> {
        let time = Self::from_unix_millis(millis);
        #[cfg(feature = "serde")]
        if let Err(error) = &time {
            crate::refusal::note(error);
        }
        time
    }
}

impl From<Timestamp> for i64 {
    fn from(t: Timestamp) -> i64 {
        t.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_and_from_the_system_clock() {
        let t = Timestamp::from_unix_millis(1_780_000_000_123).unwrap();
        assert_eq!(t.to_string(), "2026-05-28T20:26:40.123Z");
        assert_eq!(format!("{t:?}"), "Timestamp(2026-05-28T20:26:40.123Z)");
        assert_eq!(Timestamp::default().to_string(), "1970-01-01T00:00:00Z");
        let end = Timestamp::from_unix_millis(Timestamp::MAX_MILLIS).unwrap();
        assert_eq!(end.to_string(), "9999-12-31T23:59:59.999Z");
        let system =
            std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_780_000_000_123);
        assert_eq!(Timestamp::try_from(system).unwrap(), t);
        let before = std::time::SystemTime::UNIX_EPOCH - std::time::Duration::from_millis(1);
        assert_eq!(Timestamp::try_from(before).unwrap_err().code(), "timestamp.out_of_range");
    }

    #[test]
    fn range_and_saturation() {
        assert!(Timestamp::from_unix_millis(0).is_ok());
        assert!(Timestamp::from_unix_millis(Timestamp::MAX_MILLIS).is_ok());
        assert!(Timestamp::from_unix_millis(Timestamp::MAX_MILLIS + 1).is_err());
        assert!(Timestamp::from_unix_millis(i64::MIN).is_err());
        let end = Timestamp::from_unix_millis(Timestamp::MAX_MILLIS).unwrap();
        assert_eq!(end.plus_hours(i64::MAX), end);
        let start = Timestamp::default();
        assert_eq!(start.plus_millis(i64::MIN), start);
        assert_eq!(start.millis_since(end), -Timestamp::MAX_MILLIS);
    }
}
