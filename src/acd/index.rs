//! [`IdIndex`]: finds a waiting interaction's slot from its id.
//!
//! An open-addressing hash table (linear probing, backward-shift deletion) of slot numbers.
//! The ids themselves stay in the queue's slab, so each id is stored once and never cloned;
//! a bucket holds the slot and 32 bits of the id's hash, which is enough to skip most
//! non-matching slots without touching the slab and to move buckets when the table grows.

/// A bucket: a slot number (or [`EMPTY`]) and the low 32 bits of its id's hash.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    slot: u32,
    hash: u32,
}

const EMPTY: u32 = u32::MAX;
const EMPTY_BUCKET: Bucket = Bucket { slot: EMPTY, hash: 0 };
/// The smallest table, in buckets, once anything is stored.
const MIN_BUCKETS: usize = 16;

/// Slot numbers by id hash. The caller supplies hashes and the id comparison.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    /// Empty, or a power of two long.
    buckets: Vec<Bucket>,
    len: usize,
}

impl IdIndex {
    /// The part of a 64-bit hash the index keeps.
    pub(crate) fn short_hash(hash: u64) -> u32 {
        // The high bits of SipHash are as good as the low ones; fold both in.
        (hash ^ (hash >> 32)) as u32
    }

    fn mask(&self) -> usize {
        self.buckets.len().wrapping_sub(1)
    }

    /// The bucket holding a slot for which `is_match` holds, among those with this hash.
    pub(crate) fn find(&self, hash: u32, mut is_match: impl FnMut(u32) -> bool) -> Option<usize> {
        if self.buckets.is_empty() {
            return None;
        }
        let mask = self.mask();
        let mut at = hash as usize & mask;
        loop {
            let bucket = self.buckets[at];
            if bucket.slot == EMPTY {
                return None;
            }
            if bucket.hash == hash && is_match(bucket.slot) {
                return Some(at);
            }
            at = (at + 1) & mask;
        }
    }

    /// The slot in bucket `at` (as returned by [`Self::find`]).
    pub(crate) fn slot_at(&self, at: usize) -> u32 {
        self.buckets[at].slot
    }

    /// Stores `slot` under `hash`. The caller has checked that its id is not stored yet.
    pub(crate) fn insert(&mut self, hash: u32, slot: u32) {
        // Grow at three quarters full, so that a miss (every enqueue looks for a duplicate)
        // probes about eight buckets, one cache line, on average.
        if (self.len + 1) * 4 > self.buckets.len() * 3 {
            self.resize((self.buckets.len() * 2).max(MIN_BUCKETS));
        }
        self.place(Bucket { slot, hash });
        self.len += 1;
    }

    fn place(&mut self, bucket: Bucket) {
        let mask = self.mask();
        let mut at = bucket.hash as usize & mask;
        while self.buckets[at].slot != EMPTY {
            at = (at + 1) & mask;
        }
        self.buckets[at] = bucket;
    }

    /// Removes the bucket at `at`, shifting later buckets of its probe run back so that no
    /// tombstone is left.
    pub(crate) fn remove_at(&mut self, at: usize) {
        let mask = self.mask();
        let mut hole = at;
        let mut next = (hole + 1) & mask;
        loop {
            let bucket = self.buckets[next];
            if bucket.slot == EMPTY {
                break;
            }
            let home = bucket.hash as usize & mask;
            // The bucket may move into the hole if its home is not in (hole, next].
            if (next.wrapping_sub(home) & mask) >= (next.wrapping_sub(hole) & mask) {
                self.buckets[hole] = bucket;
                hole = next;
            }
            next = (next + 1) & mask;
        }
        self.buckets[hole] = EMPTY_BUCKET;
        self.len -= 1;
        // Shrink at one eighth full, so memory follows the queue down after a peak.
        if self.len * 8 < self.buckets.len() && self.buckets.len() > MIN_BUCKETS {
            self.resize(self.buckets.len() / 2);
        }
    }

    /// Removes the bucket holding `slot`, if any.
    pub(crate) fn remove_slot(&mut self, hash: u32, slot: u32) {
        if let Some(at) = self.find(hash, |s| s == slot) {
            self.remove_at(at);
        }
    }

    fn resize(&mut self, buckets: usize) {
        let old = std::mem::replace(&mut self.buckets, vec![EMPTY_BUCKET; buckets]);
        for bucket in old.into_iter().filter(|b| b.slot != EMPTY) {
            self.place(bucket);
        }
    }

    /// Empties the index and frees its memory.
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_find_remove_with_colliding_hashes() {
        let mut index = IdIndex::default();
        // Few distinct hashes, so probe runs are long and wrap around.
        let hash = |slot: u32| (slot % 5).wrapping_mul(0x9E37_79B9) | 0xF;
        for slot in 0..200 {
            index.insert(hash(slot), slot);
        }
        for slot in 0..200 {
            let at = index.find(hash(slot), |s| s == slot).unwrap();
            assert_eq!(index.slot_at(at), slot);
        }
        for slot in (0..200).step_by(3) {
            index.remove_slot(hash(slot), slot);
        }
        for slot in 0..200 {
            assert_eq!(index.find(hash(slot), |s| s == slot).is_some(), slot % 3 != 0);
        }
        for slot in (0..200).filter(|s| s % 3 != 0) {
            index.remove_slot(hash(slot), slot);
        }
        assert_eq!(index.len, 0);
        assert_eq!(index.buckets.len(), MIN_BUCKETS);
    }
}
