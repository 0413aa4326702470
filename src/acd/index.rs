//! [`IdIndex`]: finds a waiting interaction's slot from its id.
//!
//! A `hashbrown::HashTable` of slot numbers: the ids themselves stay in the queue's slab, so
//! each id is stored once and never cloned, and the table compares ids through the slab. A
//! bucket is the 4-byte slot plus hashbrown's 1-byte control. The slab keeps 32 bits of each
//! id's hash, so the table grows and shrinks without hashing any id again (it reads the hash
//! from the slab).

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

/// The smallest table, in slots, once it shrinks.
const MIN_CAPACITY: usize = 16;

/// The table's 64-bit hash from the 32 bits kept: spread over all 64 bits, since hashbrown
/// takes the bucket from the low bits and its control byte from the top 7.
fn spread(short: u32) -> u64 {
    u64::from(short).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A bucket: the slot.
type Bucket = u32;

/// Slot numbers by id hash. The caller supplies the hashes (32 bits of the id's hash) and the
/// id comparison.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    table: HashTable<Bucket>,
    /// The fewest slots the table shrinks to (a reservation), or 0.
    reserved: usize,
}

/// Where a look-up for a new id ended.
pub(crate) enum Vacancy<'a> {
    /// The id is stored already.
    Taken,
    /// The id is not stored; this is where its slot goes ([`Self::fill`]).
    Vacant(hashbrown::hash_table::VacantEntry<'a, Bucket>),
}

impl Vacancy<'_> {
    /// Stores `slot` where the look-up ended, if the id was not stored.
    pub(crate) fn fill(self, slot: u32) {
        if let Self::Vacant(vacant) = self {
            vacant.insert(slot);
        }
    }
}

impl IdIndex {
    /// The part of a 64-bit hash the index keeps.
    pub(crate) fn short_hash(hash: u64) -> u32 {
        // The high bits of SipHash are as good as the low ones; fold both in.
        (hash ^ (hash >> 32)) as u32
    }

    /// The slot for which `is_match` holds, among those with this hash.
    pub(crate) fn find(&self, hash: u32, mut is_match: impl FnMut(u32) -> bool) -> Option<u32> {
        self.table.find(spread(hash), |&slot| is_match(slot)).copied()
    }

    /// Looks for the id (`is_match`) and, if it is not stored, makes room for it.
    pub(crate) fn vacancy(
        &mut self,
        hash: u32,
        mut is_match: impl FnMut(u32) -> bool,
        hash_of: impl Fn(u32) -> u32,
    ) -> Vacancy<'_> {
        match self.table.entry(spread(hash), |&slot| is_match(slot), |&slot| spread(hash_of(slot)))
        {
            Entry::Occupied(_) => Vacancy::Taken,
            Entry::Vacant(vacant) => Vacancy::Vacant(vacant),
        }
    }

    /// Removes the slot for which `is_match` holds, among those with this hash, and returns it.
    pub(crate) fn remove(
        &mut self,
        hash: u32,
        mut is_match: impl FnMut(u32) -> bool,
        hash_of: impl Fn(u32) -> u32,
    ) -> Option<u32> {
        let (slot, _) = self.table.find_entry(spread(hash), |&slot| is_match(slot)).ok()?.remove();
        self.shrink_if_sparse(hash_of);
        Some(slot)
    }

    /// Shrinks at one eighth full, so memory follows the queue down after a peak, but not
    /// below a reservation.
    fn shrink_if_sparse(&mut self, hash_of: impl Fn(u32) -> u32) {
        let capacity = self.table.capacity();
        if self.table.len() * 8 < capacity && capacity > MIN_CAPACITY.max(self.reserved) {
            let keep = (self.table.len() * 2).max(MIN_CAPACITY).max(self.reserved);
            self.table.shrink_to(keep, |&slot| spread(hash_of(slot)));
        }
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
        hash_of: impl Fn(u32) -> u32,
    ) -> Result<(), hashbrown::TryReserveError> {
        let additional = total.saturating_sub(self.table.len());
        self.table.try_reserve(additional, |&slot| spread(hash_of(slot)))?;
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
