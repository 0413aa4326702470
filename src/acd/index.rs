//! [`IdIndex`]: finds a waiting interaction's slot from its id.
//!
//! A `hashbrown::HashTable` of 8-byte buckets, each the slot and 32 bits of the id's hash.
//! The ids themselves stay in the queue's slab, so each id is stored once and never cloned;
//! the hash in the bucket lets the table grow without reading an id back from the slab, and
//! its top 7 bits are the table's control byte for the bucket. The control bytes are an
//! array of their own, about a megabyte per million buckets, which the cache keeps far
//! better than the buckets: the look-up that refuses a duplicate id on enqueue reads control
//! bytes and, for a new id, usually no bucket at all, and writing the new bucket does not
//! wait for its cache line.
//!
//! Measured against the hand-written open-addressing table this replaces (linear probing,
//! backward-shift deletion; see the CHANGELOG): with its own array of tag bytes it filled as
//! fast and removed by id faster, but took all of 1M slower, its deletions shifting the
//! buckets that follow; without the tags it was slower everywhere but removal.

use hashbrown::HashTable;
use hashbrown::hash_table::{Entry, VacantEntry};

/// A bucket: the high 32 bits hold the id's short hash, the low 32 bits the slot number.
type Bucket = u64;

/// Below this capacity the table does not shrink.
const MIN_CAPACITY: usize = 16;

fn bucket(hash: u32, slot: u32) -> Bucket {
    u64::from(hash) << 32 | u64::from(slot)
}

fn hash_of(bucket: Bucket) -> u32 {
    (bucket >> 32) as u32
}

fn slot_of(bucket: Bucket) -> u32 {
    bucket as u32
}

/// The 64-bit hash the table works with, from the 32 bits kept: the table picks the home
/// bucket from the low bits and the control byte from the top 7, so both halves carry them.
fn table_hash(hash: u32) -> u64 {
    u64::from(hash) << 32 | u64::from(hash)
}

/// The table's hash of a stored bucket, to move it when the table grows or shrinks.
fn rehash(bucket: &Bucket) -> u64 {
    table_hash(hash_of(*bucket))
}

/// Where a look-up for a new id ended.
pub(crate) enum Vacancy<'a> {
    /// The id is stored already.
    Taken,
    /// The id is not stored; [`Self::fill`] stores its slot where the look-up ended.
    Vacant { entry: VacantEntry<'a, Bucket>, hash: u32 },
}

impl Vacancy<'_> {
    /// Stores `slot` where the look-up ended, if the id was not stored.
    #[inline]
    pub(crate) fn fill(self, slot: u32) {
        if let Self::Vacant { entry, hash } = self {
            entry.insert(bucket(hash, slot));
        }
    }
}

/// Slot numbers by id hash. The caller supplies hashes and the id comparison.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    table: HashTable<Bucket>,
    /// The capacity the table keeps when it shrinks (a reservation), or 0.
    reserved: usize,
}

impl IdIndex {
    /// The part of a 64-bit hash the index keeps.
    #[inline]
    pub(crate) fn short_hash(hash: u64) -> u32 {
        // Fold the high bits in: some hashers mix the low ones less.
        (hash ^ (hash >> 32)) as u32
    }

    /// Looks for the id (`is_match`) and, if it is not stored, makes room for it: one probe
    /// both refuses a duplicate and finds the bucket for a new id.
    #[inline]
    pub(crate) fn vacancy(
        &mut self,
        hash: u32,
        mut is_match: impl FnMut(u32) -> bool,
    ) -> Vacancy<'_> {
        let eq = |&b: &Bucket| hash_of(b) == hash && is_match(slot_of(b));
        match self.table.entry(table_hash(hash), eq, rehash) {
            Entry::Occupied(_) => Vacancy::Taken,
            Entry::Vacant(entry) => Vacancy::Vacant { entry, hash },
        }
    }

    /// The slot for which `is_match` holds, among those with this hash.
    #[inline]
    pub(crate) fn find(&self, hash: u32, mut is_match: impl FnMut(u32) -> bool) -> Option<u32> {
        let eq = |&b: &Bucket| hash_of(b) == hash && is_match(slot_of(b));
        self.table.find(table_hash(hash), eq).map(|&b| slot_of(b))
    }

    /// Removes the slot for which `is_match` holds, among those with this hash, and returns it.
    #[inline]
    pub(crate) fn remove(
        &mut self,
        hash: u32,
        mut is_match: impl FnMut(u32) -> bool,
    ) -> Option<u32> {
        let eq = |&b: &Bucket| hash_of(b) == hash && is_match(slot_of(b));
        let (b, _) = self.table.find_entry(table_hash(hash), eq).ok()?.remove();
        // Shrink at one eighth full, so memory follows the queue down after a peak, but not
        // below a reservation.
        let (len, capacity) = (self.table.len(), self.table.capacity());
        if len * 8 < capacity && capacity > MIN_CAPACITY.max(self.reserved) {
            self.shrink(len);
        }
        Some(slot_of(b))
    }

    #[cold]
    #[inline(never)]
    fn shrink(&mut self, len: usize) {
        self.table.shrink_to((2 * len).max(self.reserved), rehash);
    }

    /// Stores `slot` under `hash`. The caller has checked that its id is not stored yet.
    #[cfg(test)]
    fn insert(&mut self, hash: u32, slot: u32) {
        self.table.insert_unique(table_hash(hash), bucket(hash, slot), rehash);
    }

    /// How many slots the index holds before it grows.
    pub(crate) fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// Grows the table, if needed, so that it holds `total` slots before growing again. On
    /// error (the size overflows or the allocator refuses) the index is unchanged. With `pin`,
    /// the table also keeps at least that size until [`Self::clear`].
    pub(crate) fn try_reserve(
        &mut self,
        total: usize,
        pin: bool,
    ) -> Result<(), hashbrown::TryReserveError> {
        if total == 0 {
            return Ok(());
        }
        self.table.try_reserve(total.saturating_sub(self.table.len()), rehash)?;
        if pin {
            self.reserved = self.reserved.max(total);
        }
        Ok(())
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
        // Few distinct hashes, so probes are long.
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
        assert_eq!(index.table.len(), 0);
        assert!(index.capacity() <= 2 * MIN_CAPACITY);
    }

    /// Hashes that share a home bucket and a control byte: each found only by its own hash
    /// and slot; one with the same control byte but another hash is never compared.
    #[test]
    fn the_kept_hash_decides_before_the_id() {
        let mut index = IdIndex::default();
        let shared = |i: u32| 0x0000_0003 | i << 8; // same low bits, same top 7 bits
        for i in 0..40 {
            index.insert(shared(i), i);
        }
        for i in 0..40 {
            assert_eq!(index.find(shared(i), |s| s == i), Some(i));
        }
        let mut compared = 0;
        assert!(
            index
                .find(shared(99), |_| {
                    compared += 1;
                    true
                })
                .is_none()
        );
        assert_eq!(compared, 0);
        // Slot numbers use all 32 bits.
        index.insert(shared(1000), u32::MAX - 1);
        assert_eq!(index.remove(shared(1000), |s| s == u32::MAX - 1), Some(u32::MAX - 1));
    }

    #[test]
    fn a_reservation_holds_against_shrinking_until_cleared() {
        let mut index = IdIndex::default();
        index.try_reserve(1_000, true).unwrap();
        let reserved = index.capacity();
        assert!(reserved >= 1_000);
        for slot in 0..10_u32 {
            index.insert(slot.wrapping_mul(0x9E37_79B9), slot);
        }
        for slot in 0..10_u32 {
            assert!(index.remove(slot.wrapping_mul(0x9E37_79B9), |s| s == slot).is_some());
        }
        assert!(index.capacity() >= 1_000);
        index.clear();
        assert_eq!(index.capacity(), 0);
        // Without a pin, removals shrink the table again.
        index.try_reserve(1_000, false).unwrap();
        index.insert(7, 7);
        index.insert(8, 8);
        assert!(index.remove(7, |s| s == 7).is_some());
        assert!(index.capacity() < reserved);
    }
}
