//! [`Slab`]: the waiting interactions, each in a numbered slot that the id index and the
//! requirement classes refer to.

use std::num::NonZeroU32;

use super::class::Current;
use super::key::Order;

/// Marks the end of the free list.
const NO_SLOT: u32 = u32::MAX;

/// A waiting interaction as the slab stores it.
#[derive(Debug, Clone)]
pub(crate) struct Entry<Id> {
    pub(crate) order: Order,
    pub(crate) id: Id,
    /// The short hash of `id`, kept so that removal never hashes the id again.
    pub(crate) hash: u32,
    /// The requirement class number plus one (non-zero, so a vacant slot costs no extra tag).
    class: NonZeroU32,
}

impl<Id> Entry<Id> {
    pub(crate) fn new(order: Order, id: Id, hash: u32, class: u32) -> Self {
        Self { order, id, hash, class: NonZeroU32::MIN.saturating_add(class) }
    }

    pub(crate) fn class(&self) -> u32 {
        self.class.get() - 1
    }
}

#[derive(Debug, Clone)]
enum Slot<Id> {
    Occupied(Entry<Id>),
    /// Free, linking to the next free slot (or [`NO_SLOT`]).
    Vacant(u32),
}

/// Slots of waiting interactions, reusing freed ones.
///
/// A slot is free as soon as its interaction leaves. Requirement classes may still list the
/// slot with the interaction's old order; they compare it with the order the slot holds now,
/// which differs for any later occupant (sequence numbers are unique), so such entries are
/// recognized as stale.
#[derive(Debug, Clone)]
pub(crate) struct Slab<Id> {
    slots: Vec<Slot<Id>>,
    free_head: u32,
}

impl<Id> Default for Slab<Id> {
    fn default() -> Self {
        Self { slots: Vec::new(), free_head: NO_SLOT }
    }
}

impl<Id> Slab<Id> {
    /// Makes room for `additional` more interactions besides the `live` ones it holds,
    /// counting free slots. On error the slab is unchanged.
    pub(crate) fn try_reserve(
        &mut self,
        additional: usize,
        live: usize,
    ) -> Result<(), std::collections::TryReserveError> {
        let free = self.slots.len().saturating_sub(live);
        // Exact: a reservation asks for what it names, not for the next doubling.
        self.slots.try_reserve_exact(additional.saturating_sub(free))
    }

    /// How many interactions the slab holds before it grows.
    pub(crate) fn capacity(&self) -> usize {
        self.slots.capacity()
    }

    /// Stores `entry` in a free slot and returns the slot. The queue holds fewer than
    /// `u32::MAX` interactions, so slot numbers never reach the marker.
    pub(crate) fn occupy(&mut self, entry: Entry<Id>) -> u32 {
        if let Some(slot) = self.slots.get_mut(self.free_head as usize) {
            let next_free = match slot {
                Slot::Vacant(next) => *next,
                Slot::Occupied(_) => NO_SLOT,
            };
            *slot = Slot::Occupied(entry);
            std::mem::replace(&mut self.free_head, next_free)
        } else {
            self.slots.push(Slot::Occupied(entry));
            (self.slots.len() - 1) as u32
        }
    }

    pub(crate) fn get(&self, slot: u32) -> Option<&Entry<Id>> {
        match self.slots.get(slot as usize) {
            Some(Slot::Occupied(entry)) => Some(entry),
            _ => None,
        }
    }

    pub(crate) fn get_mut(&mut self, slot: u32) -> Option<&mut Entry<Id>> {
        match self.slots.get_mut(slot as usize) {
            Some(Slot::Occupied(entry)) => Some(entry),
            _ => None,
        }
    }

    /// Every waiting interaction with its slot, in slot order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (u32, &Entry<Id>)> {
        // Slot numbers fit a u32 (see `occupy`).
        self.slots.iter().enumerate().filter_map(|(slot, place)| match place {
            Slot::Occupied(entry) => Some((slot as u32, entry)),
            Slot::Vacant(_) => None,
        })
    }

    /// Takes the entry out of `slot` and frees the slot.
    pub(crate) fn take(&mut self, slot: u32) -> Option<Entry<Id>> {
        let place = self.slots.get_mut(slot as usize)?;
        if !matches!(place, Slot::Occupied(_)) {
            return None;
        }
        match std::mem::replace(place, Slot::Vacant(self.free_head)) {
            Slot::Occupied(entry) => {
                self.free_head = slot;
                Some(entry)
            }
            // Not reached: checked above.
            vacant @ Slot::Vacant(_) => {
                *place = vacant;
                None
            }
        }
    }

    /// How many slots hold an interaction.
    #[cfg(test)]
    pub(crate) fn in_use(&self) -> usize {
        self.slots.iter().filter(|slot| matches!(slot, Slot::Occupied(_))).count()
    }

    /// Frees every slot at once (when nothing waits).
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        self.free_head = NO_SLOT;
    }
}

impl<Id> Current for Slab<Id> {
    fn is_current(&self, slot: u32, order: Order) -> bool {
        self.get(slot).is_some_and(|entry| entry.order == order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vacant_slot_costs_no_tag() {
        assert_eq!(std::mem::size_of::<Slot<u64>>(), 32);
    }

    #[test]
    fn a_taken_slot_is_reused_and_its_old_order_is_not_current() {
        let mut slab = Slab::default();
        let first = Order::MAX.with_seq(1);
        let second = Order::MAX.with_seq(2);
        let a = slab.occupy(Entry::new(first, 'a', 0, 0));
        assert!(slab.is_current(a, first));
        assert_eq!(slab.take(a).map(|e| e.id), Some('a'));
        assert!(slab.take(a).is_none());
        assert!(!slab.is_current(a, first));
        let b = slab.occupy(Entry::new(second, 'b', 0, 0));
        assert_eq!(a, b);
        assert!(!slab.is_current(b, first));
        assert!(slab.is_current(b, second));
        assert_eq!(slab.in_use(), 1);
    }
}
