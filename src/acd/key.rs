//! Time, the routing key and the score.
//!
//! Every waiting interaction's wait grows at the same rate, so the routing order never changes
//! with time: it is the order of the fixed [`routing_key`]. [`Score`] is that key plus the
//! current time, for display.

use std::fmt;

use crate::Priority;
use crate::time::Timestamp;

/// How many milliseconds of waiting one point of priority is worth: one minute.
pub const MILLIS_PER_POINT: i64 = 60_000;

/// The smallest value [`routing_key`] returns: lowest priority, latest timestamp.
///
/// `Priority::MIN * 60_000 - Timestamp::MAX_MILLIS` = `-254_902_300_799_999`.
pub const ROUTING_KEY_MIN: i64 = Priority::MIN as i64 * MILLIS_PER_POINT - Timestamp::MAX_MILLIS;

/// The largest value [`routing_key`] returns: highest priority, timestamp 0.
///
/// `Priority::MAX * 60_000` = `1_500_000_000_000`.
pub const ROUTING_KEY_MAX: i64 = Priority::MAX as i64 * MILLIS_PER_POINT - Timestamp::MIN_MILLIS;

/// The fixed routing key of an interaction: `priority * 60_000 - enqueued_at_ms`.
///
/// Higher keys are routed first. Ties go to the earlier `enqueued_at`, then to the earlier
/// enqueue. Because the key does not depend on the current time, a host can keep waiting
/// interactions in any ordered store shared by many nodes (an SQL index on
/// `(routing_key DESC, enqueued_at, sequence)`, a Redis sorted set) and read the head.
///
/// The key is always within [`ROUTING_KEY_MIN`]`..=`[`ROUTING_KEY_MAX`], that is within
/// ±2.6 × 10^14, well inside ±2^53 (about 9.0 × 10^15): it is exact as an `f64`, such as a
/// Redis sorted-set score. (Redis orders equal scores by member, so encode the tie-breaks in
/// the member, e.g. a zero-padded `enqueued_at` and sequence.)
///
/// ```
/// use email_routing::Timestamp;
/// use email_routing::Priority;
/// use email_routing::acd::routing_key;
/// let now = 1_780_000_000_000;
/// // Priority 20 after 4 minutes beats priority 10 after 6 minutes.
/// let a = routing_key(Priority::new(20).unwrap(), Timestamp::from_unix_millis(now - 240_000).unwrap());
/// let b = routing_key(Priority::new(10).unwrap(), Timestamp::from_unix_millis(now - 360_000).unwrap());
/// assert!(a > b);
/// assert_eq!(a - b, 8 * 60_000); // 24 points against 16
/// ```
#[must_use]
pub fn routing_key(priority: Priority, enqueued_at: Timestamp) -> i64 {
    i64::from(priority.get()) * MILLIS_PER_POINT - enqueued_at.unix_millis()
}

/// An interaction's score at some moment: minutes waited plus priority, at millisecond
/// resolution.
///
/// Stored exactly as milliseconds of waiting (one point = 60,000): the score of an interaction
/// is `routing_key + now_ms`, so at any one moment scores rank exactly like routing keys. A
/// moment before `enqueued_at` counts as a negative wait.
///
/// ```
/// use email_routing::acd::Score;
/// let s = Score::from_millis(24 * 60_000 + 30_000); // 24 points and a half
/// assert_eq!(s.as_millis(), 1_470_000);
/// assert_eq!(s.milli_points(), 24_500);
/// assert_eq!(s.points(), 24.5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Score(i64);

impl Score {
    /// A score from its value in milliseconds of waiting (one point = 60,000).
    #[must_use]
    pub fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// The score in milliseconds of waiting (one point = 60,000): exact.
    #[must_use]
    pub fn as_millis(self) -> i64 {
        self.0
    }

    /// The score in thousandths of a point, rounded down (toward negative infinity).
    #[must_use]
    pub fn milli_points(self) -> i64 {
        self.0.div_euclid(MILLIS_PER_POINT / 1000)
    }

    /// The score in points (minutes waited plus priority), as a float. Exact to within a
    /// millisecond, since every score is within ±2^53 ms.
    #[must_use]
    pub fn points(self) -> f64 {
        self.0 as f64 / MILLIS_PER_POINT as f64
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3}", self.points())
    }
}

/// Bits of the packed order that hold the inverted routing key.
const KEY_BITS: u32 = 48;
/// Bits that hold the biased priority (the tie-break by earlier `enqueued_at`).
const PRIORITY_BITS: u32 = 26;
/// Bits that hold the enqueue sequence number (the last tie-break).
const SEQ_BITS: u32 = 40;
/// Bits that hold the stage and the generation, below the sequence number, so they never
/// change the order of two different interactions; they tell an interaction's current place
/// from its earlier ones. The stage (3 bits) only grows; the generation (the rest) counts the
/// priority changes within a stage, modulo 2^11.
const GENERATION_BITS: u32 = 14;
/// Of [`GENERATION_BITS`], the bits that hold the stage (the high ones).
const STAGE_BITS: u32 = 3;
/// Of [`GENERATION_BITS`], the bits that count priority changes.
const CHANGE_BITS: u32 = GENERATION_BITS - STAGE_BITS;

/// The largest sequence number an [`Order`] can hold; the queue renumbers before passing it
/// (once every 2^40, about 10^12, enqueues).
pub(crate) const SEQ_MAX: u64 = (1 << SEQ_BITS) - 1;
/// The largest generation; the next one wraps to 0.
pub(crate) const GENERATION_MAX: u32 = (1 << CHANGE_BITS) - 1;

const _: () = assert!(super::requirements::MAX_STAGES <= 1 << STAGE_BITS);

// The key span and the priority span must fit their fields, and the fields must fill a u128.
const _: () = assert!((ROUTING_KEY_MAX - ROUTING_KEY_MIN) < (1 << KEY_BITS));
const _: () = assert!((Priority::MAX as i64 - Priority::MIN as i64) < (1 << PRIORITY_BITS));
const _: () = assert!(KEY_BITS + PRIORITY_BITS + SEQ_BITS + GENERATION_BITS == 128);

/// The routing order packed into one `u128`, smaller first: inverted routing key (so higher
/// keys come first), then priority (for equal keys, lower priority means earlier
/// `enqueued_at`), then the enqueue sequence, then the generation. One integer comparison
/// orders two interactions.
///
/// Sequence numbers are unique among waiting interactions, so two places of different
/// interactions never compare equal, and the generation makes each priority change of one
/// interaction a place of its own, and the stage each stage change: a requirement class can
/// tell an entry that is still current (its order equals the one the slab holds) from one left
/// behind, also in the heap of a stage the interaction has left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Order(u128);

impl Order {
    /// After every real place.
    pub(crate) const MAX: Order = Order(u128::MAX);

    /// Packs an interaction's place in the routing order, generation 0. `seq` must be at most
    /// [`SEQ_MAX`].
    pub(crate) fn new(priority: Priority, enqueued_at: Timestamp, seq: u64) -> Self {
        let key = routing_key(priority, enqueued_at);
        // Both differences are non-negative and fit their fields (checked above).
        let inverted_key = (ROUTING_KEY_MAX - key) as u128;
        let biased_priority = (i64::from(priority.get()) - i64::from(Priority::MIN)) as u128;
        debug_assert!(seq <= SEQ_MAX);
        Self(
            inverted_key << (PRIORITY_BITS + SEQ_BITS + GENERATION_BITS)
                | biased_priority << (SEQ_BITS + GENERATION_BITS)
                | u128::from(seq & SEQ_MAX) << GENERATION_BITS,
        )
    }

    /// The same place and stage with another sequence number, generation 0.
    pub(crate) fn with_seq(self, seq: u64) -> Self {
        let low = (1u128 << (SEQ_BITS + GENERATION_BITS)) - 1;
        let stage = (self.stage() as u128) << CHANGE_BITS;
        Self(self.0 & !low | u128::from(seq & SEQ_MAX) << GENERATION_BITS | stage)
    }

    /// The same place and stage with another generation (taken modulo 2^11).
    pub(crate) fn with_generation(self, generation: u32) -> Self {
        let mask = u128::from(GENERATION_MAX);
        Self(self.0 & !mask | u128::from(generation) & mask)
    }

    /// The same place in stage `stage` (below [`MAX_STAGES`](super::requirements::MAX_STAGES)),
    /// generation 0.
    pub(crate) fn with_stage(self, stage: usize) -> Self {
        let mask = (1u128 << GENERATION_BITS) - 1;
        Self(self.0 & !mask | ((stage as u128) & ((1 << STAGE_BITS) - 1)) << CHANGE_BITS)
    }

    /// The same place at stage 0 and generation 0: what tells two interactions apart, without
    /// the history of priority and stage changes.
    #[cfg(test)]
    pub(crate) fn without_generation(self) -> Self {
        self.with_stage(0)
    }

    /// The generation: priority changes within the stage, modulo 2^11.
    pub(crate) fn generation(self) -> u32 {
        (self.0 & u128::from(GENERATION_MAX)) as u32
    }

    /// The stage.
    pub(crate) fn stage(self) -> usize {
        ((self.0 >> CHANGE_BITS) & ((1 << STAGE_BITS) - 1)) as usize
    }

    /// The sequence number and stage, which name an interaction in one stage (for timers).
    pub(crate) fn seq_and_stage(self) -> u64 {
        ((self.0 >> CHANGE_BITS) & ((1u128 << (SEQ_BITS + STAGE_BITS)) - 1)) as u64
    }

    /// The routing key.
    pub(crate) fn routing_key(self) -> i64 {
        ROUTING_KEY_MAX - (self.0 >> (PRIORITY_BITS + SEQ_BITS + GENERATION_BITS)) as i64
    }

    /// The score at `now`: the routing key plus the time, so scores rank like keys.
    pub(crate) fn score_at(self, now: Timestamp) -> Score {
        Score::from_millis(self.routing_key() + now.unix_millis())
    }

    /// The priority.
    pub(crate) fn priority(self) -> Priority {
        let biased = ((self.0 >> (SEQ_BITS + GENERATION_BITS)) & ((1 << PRIORITY_BITS) - 1)) as i64;
        // Always in range: the field was packed from a valid priority.
        Priority::new(biased + i64::from(Priority::MIN)).unwrap_or_default()
    }

    /// The enqueue time, recovered from key and priority.
    pub(crate) fn enqueued_at(self) -> Timestamp {
        let millis = i64::from(self.priority().get()) * MILLIS_PER_POINT - self.routing_key();
        // Always in range: the key was packed from a valid timestamp.
        Timestamp::from_unix_millis(millis).unwrap_or_default()
    }

    /// The enqueue sequence number.
    pub(crate) fn seq(self) -> u64 {
        ((self.0 >> GENERATION_BITS) & u128::from(SEQ_MAX)) as u64
    }

    /// The high and low halves, for storage at 8-byte alignment.
    pub(crate) fn to_halves(self) -> (u64, u64) {
        ((self.0 >> 64) as u64, self.0 as u64)
    }

    /// The order from [`Self::to_halves`].
    pub(crate) fn from_halves(high: u64, low: u64) -> Self {
        Self(u128::from(high) << 64 | u128::from(low))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: i64) -> Priority {
        Priority::new(v).unwrap()
    }
    fn t(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(ms).unwrap()
    }

    #[test]
    fn key_bounds_fit_f64_exactly() {
        assert_eq!(ROUTING_KEY_MIN, -254_902_300_799_999);
        assert_eq!(ROUTING_KEY_MAX, 1_500_000_000_000);
        assert!(ROUTING_KEY_MIN.unsigned_abs() < 1 << 53);
        assert_eq!(routing_key(p(-25_000_000), t(Timestamp::MAX_MILLIS)), ROUTING_KEY_MIN);
        assert_eq!(routing_key(p(25_000_000), t(0)), ROUTING_KEY_MAX);
    }

    #[test]
    fn order_round_trips_at_extremes() {
        for &(prio, ms, seq) in &[
            (25_000_000, 0, 0),
            (-25_000_000, Timestamp::MAX_MILLIS, SEQ_MAX),
            (0, 1_780_000_000_000, 42),
            (-7, 1, 7),
        ] {
            let o = Order::new(p(prio), t(ms), seq);
            assert_eq!(o.priority().get() as i64, prio);
            assert_eq!(o.enqueued_at().unix_millis(), ms);
            assert_eq!(o.seq(), seq);
            assert_eq!(o.routing_key(), routing_key(p(prio), t(ms)));
            assert_eq!(o.with_seq(3).seq(), 3);
            assert_eq!(o.with_seq(3).routing_key(), o.routing_key());
            let g = o.with_generation(GENERATION_MAX);
            assert_eq!(g.generation(), GENERATION_MAX);
            assert_eq!(
                (g.seq(), g.priority(), g.routing_key()),
                (seq, o.priority(), o.routing_key())
            );
            assert_eq!(g.without_generation(), o);
            assert_eq!(g.with_generation(GENERATION_MAX + 1), o);
            let staged = g.with_stage(6);
            assert_eq!((staged.stage(), staged.generation(), staged.seq()), (6, 0, seq));
            assert_eq!(staged.with_generation(5).stage(), 6);
            assert_eq!(staged.with_seq(9).stage(), 6);
            assert_eq!(staged.without_generation(), o);
            assert_ne!(staged.seq_and_stage(), o.seq_and_stage());
            let (high, low) = g.to_halves();
            assert_eq!(Order::from_halves(high, low), g);
        }
    }

    #[test]
    fn order_ranks_key_then_enqueued_at_then_seq() {
        let now = 1_780_000_000_000;
        // Higher key first.
        assert!(Order::new(p(20), t(now - 240_000), 9) < Order::new(p(10), t(now - 360_000), 1));
        // Same key (10 points after 0 ms vs 11 points after 1 minute later): earlier first.
        let early = Order::new(p(10), t(now), 5);
        let late = Order::new(p(11), t(now + 60_000), 1);
        assert_eq!(early.routing_key(), late.routing_key());
        assert!(early < late);
        // Same key and time: earlier enqueue first, whatever the generations.
        assert!(Order::new(p(1), t(now), 1) < Order::new(p(1), t(now), 2));
        assert!(
            Order::new(p(1), t(now), 1).with_generation(GENERATION_MAX)
                < Order::new(p(1), t(now), 2)
        );
    }

    #[test]
    fn score_units() {
        assert_eq!(Score::from_millis(-1).milli_points(), -1);
        assert_eq!(Score::from_millis(59).milli_points(), 0);
        assert_eq!(Score::from_millis(60).milli_points(), 1);
        assert_eq!(Score::from_millis(90_000).to_string(), "1.500");
    }
}
