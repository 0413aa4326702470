//! [`SenderRateGuard`]: suppresses a sender that writes to one address too often, the mark of a
//! mail loop between two automatic systems (an auto-responder answering ours) or a flood.
//!
//! The host keeps one guard, feeds it every received message's sender, address and time, and
//! reads whether the pair is suppressed. A pair that sends more than
//! [`RateGuardConfig::max_messages`] messages within [`RateGuardConfig::window`] is suppressed
//! for [`RateGuardConfig::cool_down`] from the message that went over; further messages while
//! the rate stays over extend the cool-down. Defaults: more than 20 messages in an hour, then
//! one hour of quiet.
//!
//! Memory is bounded whatever the traffic: per pair at most `max_messages + 1` times are kept
//! (all that "more than N within the window" needs), pairs whose last message is older than
//! the window and that are not suppressed expire, and at most [`RateGuardConfig::max_pairs`]
//! pairs are tracked, the least recently seen evicted first. Each observation is O(log n).
//! With `serde` the guard serializes, configuration included, so a restarted host resumes.

use std::collections::{BTreeSet, HashMap, VecDeque};

use crate::address::EmailAddress;
use crate::time::Timestamp;

/// Milliseconds in one hour.
const HOUR_MS: i64 = 60 * 60 * 1000;

/// Why a rate guard configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RateGuardError {
    /// A number that must be positive is zero or negative.
    #[error("the rate guard's {field} is {value}; it must be at least {min}: raise it")]
    TooSmall {
        /// The setting.
        field: &'static str,
        /// The offending value.
        value: i64,
        /// The least allowed value.
        min: i64,
    },
    /// A number is above what the guard supports.
    #[error("the rate guard's {field} is {value}; the limit is {max}: lower it")]
    TooLarge {
        /// The setting.
        field: &'static str,
        /// The offending value.
        value: i64,
        /// The limit.
        max: i64,
    },
}

impl RateGuardError {
    /// A stable, machine-readable code: `rate_guard.too_small` or `rate_guard.too_large`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooSmall { .. } => "rate_guard.too_small",
            Self::TooLarge { .. } => "rate_guard.too_large",
        }
    }
}

/// The guard's numbers. [`Default`] is 20 messages an hour, a one-hour cool-down and 100,000
/// pairs tracked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "StoredRateGuardConfig"))]
pub struct RateGuardConfig {
    max_messages: u32,
    window_ms: i64,
    cool_down_ms: i64,
    max_pairs: usize,
}

impl Default for RateGuardConfig {
    fn default() -> Self {
        Self {
            max_messages: Self::DEFAULT_MAX_MESSAGES,
            window_ms: HOUR_MS,
            cool_down_ms: HOUR_MS,
            max_pairs: Self::DEFAULT_MAX_PAIRS,
        }
    }
}

impl RateGuardConfig {
    /// Default messages allowed per window: 20.
    pub const DEFAULT_MAX_MESSAGES: u32 = 20;
    /// Default pairs tracked: 100,000 (a few MB at most).
    pub const DEFAULT_MAX_PAIRS: usize = 100_000;
    /// The most messages per window a guard can count: 10,000.
    pub const MAX_MESSAGES_LIMIT: u32 = 10_000;
    /// The longest window or cool-down: 30 days, in milliseconds.
    pub const MAX_DURATION_MS: i64 = 30 * 24 * HOUR_MS;

    /// A configuration: more than `max_messages` within `window_ms` milliseconds suppresses a
    /// pair for `cool_down_ms` milliseconds; at most `max_pairs` pairs are tracked.
    ///
    /// # Errors
    /// `rate_guard.too_small` when a number is zero (or a duration not positive);
    /// `rate_guard.too_large` when `max_messages` exceeds [`Self::MAX_MESSAGES_LIMIT`] or a
    /// duration [`Self::MAX_DURATION_MS`].
    pub fn new(
        max_messages: u32,
        window_ms: i64,
        cool_down_ms: i64,
        max_pairs: usize,
    ) -> Result<Self, RateGuardError> {
        let positive = |field, value: i64| {
            if value < 1 {
                return Err(RateGuardError::TooSmall { field, value, min: 1 });
            }
            Ok(())
        };
        positive("max_messages", i64::from(max_messages))?;
        positive("window_ms", window_ms)?;
        positive("cool_down_ms", cool_down_ms)?;
        positive("max_pairs", i64::try_from(max_pairs).unwrap_or(i64::MAX))?;
        if max_messages > Self::MAX_MESSAGES_LIMIT {
            return Err(RateGuardError::TooLarge {
                field: "max_messages",
                value: i64::from(max_messages),
                max: i64::from(Self::MAX_MESSAGES_LIMIT),
            });
        }
        for (field, value) in [("window_ms", window_ms), ("cool_down_ms", cool_down_ms)] {
            if value > Self::MAX_DURATION_MS {
                return Err(RateGuardError::TooLarge { field, value, max: Self::MAX_DURATION_MS });
            }
        }
        Ok(Self { max_messages, window_ms, cool_down_ms, max_pairs })
    }

    /// Messages a pair may send within the window; one more suppresses it.
    #[must_use]
    pub fn max_messages(&self) -> u32 {
        self.max_messages
    }

    /// The window, in milliseconds.
    #[must_use]
    pub fn window(&self) -> i64 {
        self.window_ms
    }

    /// How long a pair stays suppressed, in milliseconds.
    #[must_use]
    pub fn cool_down(&self) -> i64 {
        self.cool_down_ms
    }

    /// The most pairs tracked at once.
    #[must_use]
    pub fn max_pairs(&self) -> usize {
        self.max_pairs
    }
}

/// The stored shape of a [`RateGuardConfig`], checked on the way in.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredRateGuardConfig {
    max_messages: u32,
    window_ms: i64,
    cool_down_ms: i64,
    max_pairs: usize,
}

#[cfg(feature = "serde")]
impl TryFrom<StoredRateGuardConfig> for RateGuardConfig {
    type Error = RateGuardError;
    fn try_from(s: StoredRateGuardConfig) -> Result<Self, RateGuardError> {
        Self::new(s.max_messages, s.window_ms, s.cool_down_ms, s.max_pairs)
    }
}

/// What the guard says about one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RateDecision {
    /// The pair is within its rate.
    Allowed,
    /// The pair is suppressed until the time given.
    Suppressed {
        /// When the cool-down ends (if the pair stays quiet).
        until: Timestamp,
    },
}

impl RateDecision {
    /// Whether the message is suppressed.
    #[must_use]
    pub fn is_suppressed(&self) -> bool {
        matches!(self, Self::Suppressed { .. })
    }
}

type PairKey = (Box<str>, Box<str>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pair {
    /// The most recent `max_messages + 1` times, oldest first.
    times: VecDeque<Timestamp>,
    suppressed_until: Option<Timestamp>,
    /// This pair's place in the recency order.
    recency: (Timestamp, u64),
}

/// The sender rate guard: a sender that writes to one address more than
/// [`RateGuardConfig::max_messages`] times within [`RateGuardConfig::window`] is suppressed for
/// [`RateGuardConfig::cool_down`]; memory is bounded (see [`RateGuardConfig`]) and the guard
/// serializes so a restarted host resumes.
///
/// ```
/// use email_routing::EmailAddress;
/// use email_routing::Timestamp;
/// use email_routing::inbound::{RateGuardConfig, SenderRateGuard};
/// let mut guard = SenderRateGuard::new(RateGuardConfig::new(2, 60_000, 300_000, 1000)?);
/// let bot: EmailAddress = "auto@example.org".parse()?;
/// let help: EmailAddress = "help@support.customer.com".parse()?;
/// let t = Timestamp::from_unix_millis(1_780_000_000_000)?;
/// assert!(!guard.observe(&bot, &help, t).is_suppressed());
/// assert!(!guard.observe(&bot, &help, t.plus_millis(1_000)).is_suppressed());
/// // The third message within a minute goes over: five minutes of quiet from then.
/// assert!(guard.observe(&bot, &help, t.plus_millis(2_000)).is_suppressed());
/// assert!(guard.is_suppressed(&bot, &help, t.plus_millis(301_999)));
/// assert!(!guard.is_suppressed(&bot, &help, t.plus_millis(302_000)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(into = "StoredRateGuard", try_from = "StoredRateGuard"))]
pub struct SenderRateGuard {
    config: RateGuardConfig,
    pairs: HashMap<PairKey, Pair>,
    /// Every pair by (last seen, sequence), least recent first.
    order: BTreeSet<(Timestamp, u64, PairKey)>,
    next_seq: u64,
}

/// Two guards are equal when they hold the same configuration and the same pairs, with the
/// same times, cool-downs and recency order (the internal sequence numbers aside).
impl PartialEq for SenderRateGuard {
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config
            && self.pairs.len() == other.pairs.len()
            && self.order.iter().zip(&other.order).all(|(a, b)| {
                a.0 == b.0
                    && a.2 == b.2
                    && match (self.pairs.get(&a.2), other.pairs.get(&b.2)) {
                        (Some(x), Some(y)) => {
                            x.times == y.times && x.suppressed_until == y.suppressed_until
                        }
                        _ => false,
                    }
            })
    }
}

impl Eq for SenderRateGuard {}

impl Default for SenderRateGuard {
    fn default() -> Self {
        Self::new(RateGuardConfig::default())
    }
}

impl SenderRateGuard {
    /// An empty guard.
    #[must_use]
    pub fn new(config: RateGuardConfig) -> Self {
        Self { config, pairs: HashMap::new(), order: BTreeSet::new(), next_seq: 0 }
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &RateGuardConfig {
        &self.config
    }

    /// How many pairs are tracked.
    #[must_use]
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether no pair is tracked.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Records a message from `sender` to `address` at `now` and says whether the pair is
    /// suppressed. Addresses compare as routing does (local part case-insensitively). Times
    /// should not go backwards; one that does counts as `now` anyway.
    pub fn observe(
        &mut self,
        sender: &EmailAddress,
        address: &EmailAddress,
        now: Timestamp,
    ) -> RateDecision {
        self.expire(now);
        let key: PairKey = (sender.lookup_key().into(), address.lookup_key().into());
        let seq = self.next_seq;
        self.next_seq += 1;
        let config = self.config;
        if let Some(pair) = self.pairs.get(&key) {
            self.order.remove(&(pair.recency.0, pair.recency.1, key.clone()));
        } else if self.pairs.len() >= config.max_pairs {
            self.evict_least_recent();
        }
        let pair = self.pairs.entry(key.clone()).or_insert_with(|| Pair {
            times: VecDeque::new(),
            suppressed_until: None,
            recency: (now, seq),
        });
        pair.recency = (now, seq);
        pair.times.push_back(now);
        while pair.times.len() > config.max_messages as usize + 1 {
            pair.times.pop_front();
        }
        let over = pair.times.len() > config.max_messages as usize
            && pair
                .times
                .front()
                .is_some_and(|&oldest| now.millis_since(oldest) < config.window_ms);
        if over {
            let until = now.plus_millis(config.cool_down_ms);
            pair.suppressed_until = Some(pair.suppressed_until.map_or(until, |u| u.max(until)));
        }
        let decision = match pair.suppressed_until {
            Some(until) if now < until => RateDecision::Suppressed { until },
            _ => RateDecision::Allowed,
        };
        self.order.insert((now, seq, key));
        decision
    }

    /// Whether `sender` writing to `address` is suppressed at `now`, without recording a
    /// message.
    #[must_use]
    pub fn is_suppressed(
        &self,
        sender: &EmailAddress,
        address: &EmailAddress,
        now: Timestamp,
    ) -> bool {
        let key: PairKey = (sender.lookup_key().into(), address.lookup_key().into());
        self.pairs.get(&key).and_then(|p| p.suppressed_until).is_some_and(|until| now < until)
    }

    /// Drops pairs whose last message is older than the window and whose cool-down is over.
    fn expire(&mut self, now: Timestamp) {
        while let Some((last, _, key)) = self.order.first() {
            if now.millis_since(*last) < self.config.window_ms {
                break;
            }
            let suppressed = self
                .pairs
                .get(key)
                .and_then(|p| p.suppressed_until)
                .is_some_and(|until| now < until);
            if suppressed {
                // Suppressed pairs are kept until their cool-down ends; the oldest of them is
                // re-examined at a later observation.
                break;
            }
            if let Some((_, _, key)) = self.order.pop_first() {
                self.pairs.remove(&key);
            }
        }
    }

    fn evict_least_recent(&mut self) {
        if let Some((_, _, key)) = self.order.pop_first() {
            self.pairs.remove(&key);
        }
    }
}

/// The stored shape of a [`SenderRateGuard`]: its configuration and its pairs, least recently
/// seen first.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredRateGuard {
    config: RateGuardConfig,
    pairs: Vec<StoredPair>,
}

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredPair {
    sender: EmailAddress,
    address: EmailAddress,
    times: Vec<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    suppressed_until: Option<Timestamp>,
}

#[cfg(feature = "serde")]
impl From<SenderRateGuard> for StoredRateGuard {
    fn from(guard: SenderRateGuard) -> Self {
        let mut pairs = Vec::with_capacity(guard.pairs.len());
        for (_, _, key) in &guard.order {
            let (Some(pair), Ok(sender), Ok(address)) =
                (guard.pairs.get(key), EmailAddress::new(&key.0), EmailAddress::new(&key.1))
            else {
                continue;
            };
            pairs.push(StoredPair {
                sender,
                address,
                times: pair.times.iter().copied().collect(),
                suppressed_until: pair.suppressed_until,
            });
        }
        Self { config: guard.config, pairs }
    }
}

#[cfg(feature = "serde")]
impl TryFrom<StoredRateGuard> for SenderRateGuard {
    type Error = RateGuardError;
    /// Replays the stored pairs in order, so the guard is rebuilt as it was; more pairs than
    /// the configuration tracks, or more times than it keeps, are refused.
    fn try_from(stored: StoredRateGuard) -> Result<Self, RateGuardError> {
        let config = stored.config;
        if stored.pairs.len() > config.max_pairs {
            return Err(RateGuardError::TooLarge {
                field: "pairs",
                value: i64::try_from(stored.pairs.len()).unwrap_or(i64::MAX),
                max: i64::try_from(config.max_pairs).unwrap_or(i64::MAX),
            });
        }
        let mut guard = SenderRateGuard::new(config);
        for pair in stored.pairs {
            let keep = config.max_messages as usize + 1;
            if pair.times.len() > keep {
                return Err(RateGuardError::TooLarge {
                    field: "times",
                    value: i64::try_from(pair.times.len()).unwrap_or(i64::MAX),
                    max: i64::try_from(keep).unwrap_or(i64::MAX),
                });
            }
            let key: PairKey = (pair.sender.lookup_key().into(), pair.address.lookup_key().into());
            let last = pair.times.iter().copied().max().unwrap_or_default();
            let seq = guard.next_seq;
            guard.next_seq += 1;
            if let Some(old) = guard.pairs.remove(&key) {
                guard.order.remove(&(old.recency.0, old.recency.1, key.clone()));
            }
            let mut times: Vec<Timestamp> = pair.times;
            times.sort_unstable();
            guard.order.insert((last, seq, key.clone()));
            guard.pairs.insert(
                key,
                Pair {
                    times: times.into(),
                    suppressed_until: pair.suppressed_until,
                    recency: (last, seq),
                },
            );
        }
        Ok(guard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(1_780_000_000_000 + ms).unwrap()
    }

    fn addr(s: &str) -> EmailAddress {
        s.parse().unwrap()
    }

    #[test]
    fn default_is_twenty_an_hour_then_an_hour_of_quiet() {
        let mut guard = SenderRateGuard::default();
        let (bot, help) = (addr("bot@example.org"), addr("help@x.com"));
        for i in 0..20 {
            assert!(!guard.observe(&bot, &help, at(i * 60_000)).is_suppressed(), "message {i}");
        }
        let over = guard.observe(&bot, &help, at(20 * 60_000));
        assert_eq!(over, RateDecision::Suppressed { until: at(20 * 60_000 + HOUR_MS) });
        // Another sender, or another address, is unaffected; case does not split a pair.
        assert!(
            !guard.observe(&addr("person@example.org"), &help, at(20 * 60_000)).is_suppressed()
        );
        assert!(guard.is_suppressed(&addr("BOT@example.org"), &addr("Help@X.com"), at(HOUR_MS)));
        assert!(!guard.is_suppressed(&bot, &addr("sales@x.com"), at(HOUR_MS)));
    }

    #[test]
    fn the_window_edge_is_exclusive() {
        let config = RateGuardConfig::new(1, 1000, 5000, 10).unwrap();
        let mut guard = SenderRateGuard::new(config);
        let (a, b) = (addr("a@x.com"), addr("b@x.com"));
        assert!(!guard.observe(&a, &b, at(0)).is_suppressed());
        // Exactly one window later, the first message is outside it.
        assert!(!guard.observe(&a, &b, at(1000)).is_suppressed());
        assert!(guard.observe(&a, &b, at(1999)).is_suppressed());
        // A storm that goes on extends the cool-down; quiet ends it.
        assert!(guard.observe(&a, &b, at(2500)).is_suppressed());
        assert!(guard.is_suppressed(&a, &b, at(7499)));
        assert!(!guard.is_suppressed(&a, &b, at(7500)));
    }

    #[test]
    fn memory_is_bounded_by_expiry_and_the_cap() {
        let config = RateGuardConfig::new(3, 1000, 1000, 100).unwrap();
        let mut guard = SenderRateGuard::new(config);
        let help = addr("help@x.com");
        for i in 0..10_000 {
            guard.observe(&addr(&format!("s{i}@example.org")), &help, at(i64::from(i % 500)));
            assert!(guard.len() <= 100);
        }
        // One window later every pair has expired.
        guard.observe(&addr("late@example.org"), &help, at(5000));
        assert_eq!(guard.len(), 1);
        // Times kept per pair stay at max_messages + 1 however many arrive.
        let bot = addr("bot@example.org");
        for i in 0..1000 {
            guard.observe(&bot, &help, at(6000 + i));
        }
        let key: PairKey = (bot.lookup_key().into(), help.lookup_key().into());
        assert_eq!(guard.pairs[&key].times.len(), 4);
    }

    #[cfg(feature = "serde")]
    #[test]
    fn a_restarted_host_resumes() {
        let config = RateGuardConfig::new(2, 60_000, 300_000, 10).unwrap();
        let mut guard = SenderRateGuard::new(config);
        let (bot, help) = (addr("Bot@example.org"), addr("help@x.com"));
        guard.observe(&addr("quiet@example.org"), &help, at(0));
        for i in 0..3 {
            guard.observe(&bot, &help, at(i));
        }
        let json = serde_json::to_string(&guard).unwrap();
        let mut back: SenderRateGuard = serde_json::from_str(&json).unwrap();
        assert_eq!(back, guard);
        assert!(back.is_suppressed(&bot, &help, at(1000)));
        assert!(back.observe(&bot, &help, at(1000)).is_suppressed());
        let unknown = json.replacen("\"config\"", "\"extra\":1,\"config\"", 1);
        assert!(serde_json::from_str::<SenderRateGuard>(&unknown).is_err());
        let zero = json.replace("\"max_messages\":2", "\"max_messages\":0");
        assert!(serde_json::from_str::<SenderRateGuard>(&zero).is_err());
    }

    #[test]
    fn configuration_limits() {
        assert_eq!(RateGuardConfig::new(0, 1, 1, 1).unwrap_err().code(), "rate_guard.too_small");
        assert_eq!(RateGuardConfig::new(1, 0, 1, 1).unwrap_err().code(), "rate_guard.too_small");
        assert_eq!(RateGuardConfig::new(1, 1, 1, 0).unwrap_err().code(), "rate_guard.too_small");
        assert!(RateGuardConfig::new(10_000, 1, 1, 1).is_ok());
        assert_eq!(
            RateGuardConfig::new(10_001, 1, 1, 1).unwrap_err().code(),
            "rate_guard.too_large"
        );
        let max = RateGuardConfig::MAX_DURATION_MS;
        assert!(RateGuardConfig::new(1, max, max, 1).is_ok());
        assert_eq!(
            RateGuardConfig::new(1, max + 1, 1, 1).unwrap_err().code(),
            "rate_guard.too_large"
        );
    }
}
