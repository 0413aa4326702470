//! [`IdHashBuilder`]: how an [`AcdQueue`](super::AcdQueue) hashes interaction ids by default.

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

use foldhash::SharedSeed;
use foldhash::fast::FoldHasher;

/// Hashes interaction ids for an [`AcdQueue`](super::AcdQueue): the queue's default.
///
/// [foldhash](https://docs.rs/foldhash) (its `fast` variant), keyed with a seed that the
/// standard library's `RandomState` draws: a per-process seed shared by all queues, plus a
/// seed of each queue's own. A `u64` id hashes in a handful of instructions, against about a
/// hundred and forty for std's SipHash-1-3, which is most of what separates an enqueue or a
/// removal from the id-indexed peers (see the README's benchmarks).
///
/// **Hash flooding.** Foldhash is not a cryptographic hash, and its authors claim only
/// minimal resistance: without the seed, ids that collide cannot be computed in advance, so
/// ids that merely happen to be similar (sequential numbers, one prefix) spread well; but a
/// party that can submit ids and time a long-running queue's answers may learn enough about
/// the seed to craft many colliding ids, and each collision lengthens the index's linear
/// probes. SipHash-1-3, which std's `RandomState` uses, is designed to withstand that. When
/// ids come from outside parties (a `Message-ID` used as the interaction id, say), build the
/// queue with `AcdQueue::with_hasher(std::hash::RandomState::new())`; ids the host assigns
/// itself (database keys, UUIDs it draws) need no more than this default.
///
/// ```
/// use std::hash::RandomState;
/// use email_routing::acd::{AcdQueue, IdHashBuilder};
///
/// let fast: AcdQueue<u64> = AcdQueue::new(); // hashes with an IdHashBuilder
/// let sip: AcdQueue<String, RandomState> = AcdQueue::with_hasher(RandomState::new());
/// let explicit: AcdQueue<u64, IdHashBuilder> = AcdQueue::with_hasher(IdHashBuilder::new());
/// assert!(fast.is_empty() && sip.is_empty() && explicit.is_empty());
/// ```
#[derive(Clone, Copy)]
pub struct IdHashBuilder {
    /// This queue's own seed.
    seed: u64,
    /// The seed shared by every queue of the process.
    shared: &'static SharedSeed,
}

impl IdHashBuilder {
    /// A builder with fresh seeds, drawn by the standard library's `RandomState`.
    pub fn new() -> Self {
        static SHARED: OnceLock<SharedSeed> = OnceLock::new();
        let shared = SHARED.get_or_init(|| SharedSeed::from_u64(RandomState::new().hash_one(0)));
        Self { seed: RandomState::new().hash_one(1), shared }
    }
}

impl Default for IdHashBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl BuildHasher for IdHashBuilder {
    type Hasher = FoldHasher<'static>;

    #[inline]
    fn build_hasher(&self) -> Self::Hasher {
        FoldHasher::with_seed(self.seed, self.shared)
    }
}

impl fmt::Debug for IdHashBuilder {
    /// Leaves the seeds out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdHashBuilder").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queues_get_their_own_seeds_and_hash_alike_within_one() {
        let (a, b) = (IdHashBuilder::new(), IdHashBuilder::new());
        assert_eq!(a.hash_one(42_u64), a.hash_one(42_u64));
        assert_eq!(a.clone().hash_one("mail-1"), a.hash_one("mail-1"));
        // Different per-queue seeds (RandomState draws a new key each time).
        assert_ne!(a.seed, b.seed);
        assert_ne!(a.hash_one(42_u64), b.hash_one(42_u64));
        assert!(std::ptr::eq(a.shared, b.shared));
        assert_eq!(format!("{a:?}"), "IdHashBuilder { .. }");
    }

    /// Sequential ids, the common case, spread over the low bits the index uses.
    #[test]
    fn sequential_ids_spread() {
        let builder = IdHashBuilder::new();
        let mut buckets = [0u32; 1024];
        for id in 0..102_400_u64 {
            buckets[(builder.hash_one(id) ^ (builder.hash_one(id) >> 32)) as usize % 1024] += 1;
        }
        let (min, max) = (buckets.iter().min(), buckets.iter().max());
        assert!(
            min >= Some(&50) && max <= Some(&160),
            "{min:?} to {max:?} per bucket, 100 expected"
        );
    }
}
