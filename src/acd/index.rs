//! [`IdIndex`]: finds a waiting interaction's slot from its id.
//!
//! Measured against `hashbrown::HashTable` (see the CHANGELOG): a hashbrown bucket of the slot
//! alone rehashes by reading every id's hash back from the slab as it grows, and keeps its
//! control bytes apart from its buckets (two cache misses a look-up at 1M, against one here);
//! with the hash in the bucket too, its tombstones doubled the table under churn past the
//! memory budget. This table keeps no tombstones (backward-shift deletion).
//!
//! An open-addressing hash table (linear probing, backward-shift deletion) of slot numbers.
//! The ids themselves stay in the queue's slab, so each id is stored once and never cloned;
//! a bucket (8 bytes) holds the slot and 32 bits of the id's hash, which is enough to skip
//! most non-matching slots without touching the slab and to move buckets when the table
//! grows.

use std::collections::TryReserveError;

/// A bucket: the high 32 bits hold the low 32 bits of the id's hash, the low 32 bits the
/// slot number plus one. Only meaningful where the tag is not [`EMPTY`].
type Bucket = u64;

/// A tag: [`EMPTY`], or [`FULL`] plus the top 7 bits of the bucket's 32-bit hash.
type Tag = u8;

const EMPTY: Tag = 0;
const FULL: Tag = 0x80;
/// The smallest table, in buckets, once anything is stored.
const MIN_BUCKETS: usize = 16;

fn bucket(hash: u32, slot: u32) -> Bucket {
    // Slot numbers stay below u32::MAX (the queue holds at most i32::MAX interactions).
    u64::from(hash) << 32 | u64::from(slot.wrapping_add(1))
}

fn hash_of(bucket: Bucket) -> u32 {
    (bucket >> 32) as u32
}

fn slot_of(bucket: Bucket) -> u32 {
    (bucket as u32).wrapping_sub(1)
}

/// The tag of a bucket with this hash: never [`EMPTY`]. Its bits are the hash's highest,
/// which pick the home bucket only in tables of more than 2^25 buckets.
fn tag(hash: u32) -> Tag {
    FULL | (hash >> 25) as u8
}

/// Where a probe for an id ended.
enum Probe {
    /// The bucket holding the id's slot.
    Found(usize),
    /// The id is not stored; this empty bucket is where it goes.
    Vacant(usize),
}

/// Where a look-up for a new id ended.
pub(crate) enum Vacancy<'a> {
    /// The id is stored already.
    Taken,
    /// The id is not stored; [`Self::fill`] stores its slot where the look-up ended.
    Vacant { index: &'a mut IdIndex, at: usize, hash: u32 },
}

impl Vacancy<'_> {
    /// Stores `slot` where the look-up ended, if the id was not stored.
    #[inline]
    pub(crate) fn fill(self, slot: u32) {
        if let Self::Vacant { index, at, hash } = self {
            index.set(at, tag(hash), bucket(hash, slot));
            index.len += 1;
        }
    }
}

/// Slot numbers by id hash. The caller supplies hashes and the id comparison.
///
/// Two parallel arrays: a tag byte per bucket, then the buckets. A probe reads the tags (a
/// megabyte per million buckets, which the cache keeps far better than the buckets' eight)
/// and a bucket only where the tag matches, 1 time in 128 for a foreign bucket: so the
/// look-up that refuses a duplicate id on enqueue usually reads no bucket at all, and
/// writing the new one does not wait for its cache line.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    /// Empty, or a power of two long, as long as `buckets`.
    tags: Vec<Tag>,
    buckets: Vec<Bucket>,
    len: usize,
    /// The fewest buckets the table shrinks to (a reservation), or 0.
    reserved: usize,
}

impl IdIndex {
    /// The part of a 64-bit hash the index keeps.
    #[inline]
    pub(crate) fn short_hash(hash: u64) -> u32 {
        // Fold the high bits in: some hashers mix the low ones less.
        (hash ^ (hash >> 32)) as u32
    }

    #[inline]
    fn mask(&self) -> usize {
        self.tags.len().wrapping_sub(1)
    }

    #[inline]
    fn set(&mut self, at: usize, tag: Tag, bucket: Bucket) {
        if let (Some(t), Some(b)) = (self.tags.get_mut(at), self.buckets.get_mut(at)) {
            *t = tag;
            *b = bucket;
        }
    }

    /// Looks for the id (`is_match`) and, if it is not stored, makes room for it: one probe
    /// both refuses a duplicate and finds the bucket for a new id.
    #[inline]
    pub(crate) fn vacancy(&mut self, hash: u32, is_match: impl FnMut(u32) -> bool) -> Vacancy<'_> {
        self.reserve_one();
        match self.probe(hash, is_match) {
            Some(Probe::Vacant(at)) => Vacancy::Vacant { index: self, at, hash },
            // `reserve_one` made a table, so a probe ends.
            _ => Vacancy::Taken,
        }
    }

    /// The slot for which `is_match` holds, among those with this hash.
    #[inline]
    pub(crate) fn find(&self, hash: u32, is_match: impl FnMut(u32) -> bool) -> Option<u32> {
        let at = self.bucket_of(hash, is_match)?;
        self.buckets.get(at).map(|&b| slot_of(b))
    }

    /// Removes the slot for which `is_match` holds, among those with this hash, and returns it.
    #[inline]
    pub(crate) fn remove(&mut self, hash: u32, is_match: impl FnMut(u32) -> bool) -> Option<u32> {
        let at = self.bucket_of(hash, is_match)?;
        let slot = slot_of(*self.buckets.get(at)?);
        self.remove_at(at);
        Some(slot)
    }

    /// Probes for a slot for which `is_match` holds, among those with this hash: the bucket
    /// holding it, or the empty bucket that ends the probe. `None` if the table has no bucket
    /// (see [`Self::reserve_one`]).
    #[inline]
    fn probe(&self, hash: u32, mut is_match: impl FnMut(u32) -> bool) -> Option<Probe> {
        if self.tags.is_empty() || self.tags.len() != self.buckets.len() {
            return None;
        }
        let (mask, wanted) = (self.mask(), tag(hash));
        let mut at = hash as usize & mask;
        loop {
            let t = self.tags[at];
            if t == EMPTY {
                return Some(Probe::Vacant(at));
            }
            if t == wanted {
                let bucket = self.buckets[at];
                if hash_of(bucket) == hash && is_match(slot_of(bucket)) {
                    return Some(Probe::Found(at));
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// The bucket holding a slot for which `is_match` holds, among those with this hash.
    #[inline]
    fn bucket_of(&self, hash: u32, is_match: impl FnMut(u32) -> bool) -> Option<usize> {
        match self.probe(hash, is_match)? {
            Probe::Found(at) => Some(at),
            Probe::Vacant(_) => None,
        }
    }

    /// Makes room for one more slot, so that a probe that follows ends at an empty bucket.
    #[inline]
    fn reserve_one(&mut self) {
        // Grow at three quarters full, so that a miss (every enqueue looks for a duplicate)
        // probes about eight tags on average, in one cache line.
        if (self.len + 1) * 4 > self.tags.len() * 3 {
            self.resize((self.tags.len() * 2).max(MIN_BUCKETS));
        }
    }

    /// Stores `slot` under `hash`. The caller has checked that its id is not stored yet.
    #[cfg(test)]
    pub(crate) fn insert(&mut self, hash: u32, slot: u32) {
        self.reserve_one();
        self.place(bucket(hash, slot));
        self.len += 1;
    }

    fn place(&mut self, bucket: Bucket) {
        let mask = self.mask();
        let hash = hash_of(bucket);
        let mut at = hash as usize & mask;
        while self.tags[at] != EMPTY {
            at = (at + 1) & mask;
        }
        self.set(at, tag(hash), bucket);
    }

    /// Removes the bucket at `at`, shifting later buckets of its probe run back so that no
    /// tombstone is left.
    fn remove_at(&mut self, at: usize) {
        let mask = self.mask();
        let mut hole = at;
        let mut next = (hole + 1) & mask;
        loop {
            let t = self.tags[next];
            if t == EMPTY {
                break;
            }
            let bucket = self.buckets[next];
            let home = hash_of(bucket) as usize & mask;
            // The bucket may move into the hole if its home is not in (hole, next].
            if (next.wrapping_sub(home) & mask) >= (next.wrapping_sub(hole) & mask) {
                self.set(hole, t, bucket);
                hole = next;
            }
            next = (next + 1) & mask;
        }
        self.tags[hole] = EMPTY;
        self.len -= 1;
        // Shrink at one eighth full, so memory follows the queue down after a peak, but not
        // below a reservation.
        if self.len * 8 < self.tags.len() && self.tags.len() > MIN_BUCKETS.max(self.reserved) {
            self.resize(self.tags.len() / 2);
        }
    }

    /// How many slots the index holds before it grows.
    pub(crate) fn capacity(&self) -> usize {
        self.tags.len() / 4 * 3
    }

    /// Grows the table, if needed, so that it holds `total` slots before growing again. On
    /// error (the size overflows or the allocator refuses) the index is unchanged. With `pin`,
    /// the table also keeps at least that size until [`Self::clear`].
    pub(crate) fn try_reserve(&mut self, total: usize, pin: bool) -> Result<(), TryReserveError> {
        if total == 0 {
            return Ok(());
        }
        // The smallest power of two that `reserve_one` lets hold `total` slots. A size that
        // overflows is more than any allocator has: let it refuse.
        let buckets = total
            .checked_mul(4)
            .map(|n| n.div_ceil(3).max(MIN_BUCKETS))
            .and_then(usize::checked_next_power_of_two)
            .unwrap_or(usize::MAX);
        if buckets > self.tags.len() {
            // Ask first whether the allocator has room, then take zeroed memory as growth
            // does: a reservation must not fill (and so commit) the whole table up front.
            Vec::<Bucket>::new().try_reserve_exact(buckets)?;
            Vec::<Tag>::new().try_reserve_exact(buckets)?;
            self.resize(buckets);
        }
        if pin {
            self.reserved = self.reserved.max(buckets);
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn resize(&mut self, buckets: usize) {
        // `vec![0; n]` asks the allocator for zeroed memory: fresh pages from the system,
        // without a pass to fill them.
        let old_tags = std::mem::replace(&mut self.tags, vec![EMPTY; buckets]);
        let old = std::mem::replace(&mut self.buckets, vec![0; buckets]);
        for (&t, &bucket) in old_tags.iter().zip(&old) {
            if t != EMPTY {
                self.place(bucket);
            }
        }
    }

    /// Empties the index and frees its memory, reservation included.
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
            assert_eq!(index.find(hash(slot), |s| s == slot), Some(slot));
        }
        for slot in (0..200).step_by(3) {
            assert_eq!(index.remove(hash(slot), |s| s == slot), Some(slot));
        }
        for slot in 0..200 {
            assert_eq!(index.find(hash(slot), |s| s == slot).is_some(), slot % 3 != 0);
        }
        for slot in (0..200).filter(|s| s % 3 != 0) {
            assert_eq!(index.remove(hash(slot), |s| s == slot), Some(slot));
        }
        assert!(matches!(index.vacancy(hash(7), |s| s == 7), Vacancy::Vacant { .. }));
        index.vacancy(hash(7), |s| s == 7).fill(7);
        assert!(matches!(index.vacancy(hash(7), |s| s == 7), Vacancy::Taken));
        assert_eq!(index.remove(hash(7), |s| s == 7), Some(7));
        assert_eq!(index.len, 0);
        assert_eq!(index.tags.len(), MIN_BUCKETS);
    }

    /// Hashes that share a home bucket, with the same tag or another, and one whose tag
    /// matches but whose hash differs: each found only by its own hash, through growth and
    /// removal, and no bucket read where the tags differ.
    #[test]
    fn tags_filter_and_hashes_decide() {
        let mut index = IdIndex::default();
        let home = 0x0000_0003_u32;
        let same_tag = |i: u32| home | i << 8; // top bits 0: the same tag as `home`
        let other_tag = |i: u32| home | (i + 1) << 25; // another tag, the same home
        for i in 0..40 {
            index.insert(same_tag(i), i);
            index.insert(other_tag(i % 100), 100 + i);
        }
        assert_eq!(tag(same_tag(1)), tag(same_tag(2)));
        assert_ne!(tag(same_tag(1)), tag(other_tag(1)));
        for i in 0..40 {
            assert_eq!(index.find(same_tag(i), |s| s == i), Some(i));
            assert_eq!(index.find(other_tag(i), |s| s == 100 + i), Some(100 + i));
            // The same tag, another hash: not this slot.
            assert_eq!(index.find(same_tag(i) ^ 0x10, |_| true), None);
        }
        let mut asked = 0;
        assert!(
            index
                .find(other_tag(99), |_| {
                    asked += 1;
                    false
                })
                .is_none()
        );
        assert_eq!(asked, 0, "no bucket's hash matched, so no slot was compared");
        for i in (0..40).step_by(2) {
            assert_eq!(index.remove(same_tag(i), |s| s == i), Some(i));
        }
        for i in 0..40 {
            assert_eq!(index.find(same_tag(i), |s| s == i).is_some(), i % 2 == 1);
            assert_eq!(index.find(other_tag(i), |s| s == 100 + i), Some(100 + i));
        }
        assert_eq!(index.len, 60);
    }
}
