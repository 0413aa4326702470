//! [`Timestamp`]: a point in time, as milliseconds since the Unix epoch.
//!
//! The DNS core never reads the clock: the host passes the time of each check in, which keeps
//! every status transition deterministic and testable.

use std::fmt;

/// Milliseconds in one hour.
pub(crate) const HOUR_MS: i64 = 60 * 60 * 1000;

/// A point in time: milliseconds since 1970-01-01T00:00:00Z (negative before it).
///
/// ```
/// use email_routing::dns::Timestamp;
/// let start = Timestamp::from_unix_millis(1_700_000_000_000);
/// let later = start.plus_hours(72);
/// assert_eq!(later.millis_since(start), 72 * 3_600_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(from = "i64", into = "i64"))]
pub struct Timestamp(i64);

impl Timestamp {
    /// The time `millis` milliseconds after the Unix epoch.
    pub const fn from_unix_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// This time plus `hours` hours (saturating at the ends of the range).
    pub const fn plus_hours(self, hours: i64) -> Self {
        Self(self.0.saturating_add(hours.saturating_mul(HOUR_MS)))
    }

    /// This time plus `millis` milliseconds (saturating at the ends of the range).
    pub const fn plus_millis(self, millis: i64) -> Self {
        Self(self.0.saturating_add(millis))
    }

    /// Milliseconds from `earlier` to `self`; negative when `earlier` is later (saturating).
    pub const fn millis_since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ms since the Unix epoch", self.0)
    }
}

impl From<i64> for Timestamp {
    fn from(millis: i64) -> Self {
        Self(millis)
    }
}

impl From<Timestamp> for i64 {
    fn from(t: Timestamp) -> i64 {
        t.0
    }
}
