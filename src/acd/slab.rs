//! [`Slab`]: the waiting interactions, each in a numbered slot that the id index and the
//! requirement classes refer to.

use std::num::NonZeroU32;

use super::class::Tombstones;
use super::key::Order;

/// Marks the end of the free list.
const NO_SLOT: u32 = u32::MAX;
/// Marks a slot whose interaction left while its class still lists it (a tombstone): it is
/// not free until the class drops it.
const LEFT: u32 = u32::MAX - 1;

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
    /// Free, linking to the next free slot (or [`NO_SLOT`]); or [`LEFT`].
    Vacant(u32),
}

/// Slots of waiting interactions, reusing freed ones.
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
    /// Stores `entry` in a free slot and returns the slot. The queue holds fewer than
    /// `u32::MAX - 1` interactions, so slot numbers never reach the markers.
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

    /// Takes the entry out of `slot`, leaving a tombstone until its class drops it.
    pub(crate) fn take(&mut self, slot: u32) -> Option<Entry<Id>> {
        let place = self.slots.get_mut(slot as usize)?;
        if !matches!(place, Slot::Occupied(_)) {
            return None;
        }
        match std::mem::replace(place, Slot::Vacant(LEFT)) {
            Slot::Occupied(entry) => Some(entry),
            Slot::Vacant(_) => None,
        }
    }

    /// How many slots hold an interaction or a tombstone.
    #[cfg(test)]
    pub(crate) fn in_use(&self) -> usize {
        let mut free = 0;
        let mut at = self.free_head;
        while let Some(Slot::Vacant(next)) = self.slots.get(at as usize) {
            free += 1;
            at = *next;
        }
        self.slots.len() - free
    }

    /// Frees every slot at once (when nothing waits and no class lists anything).
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        self.free_head = NO_SLOT;
    }
}

impl<Id> Tombstones for Slab<Id> {
    fn release_if_left(&mut self, slot: u32) -> bool {
        match self.slots.get_mut(slot as usize) {
            Some(place @ Slot::Vacant(LEFT)) => {
                *place = Slot::Vacant(self.free_head);
                self.free_head = slot;
                true
            }
            _ => false,
        }
    }

    fn order(&self, slot: u32) -> Option<Order> {
        self.get(slot).map(|entry| entry.order)
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
    fn a_taken_slot_is_reused_only_once_released() {
        let mut slab = Slab::default();
        let order = Order::MAX;
        let a = slab.occupy(Entry::new(order, 'a', 0, 0));
        assert_eq!(slab.take(a).map(|e| e.id), Some('a'));
        assert!(slab.take(a).is_none());
        let b = slab.occupy(Entry::new(order, 'b', 0, 0));
        assert_ne!(a, b);
        assert!(slab.release_if_left(a));
        assert!(!slab.release_if_left(a));
        assert!(!slab.release_if_left(b));
        assert_eq!(slab.occupy(Entry::new(order, 'c', 0, 0)), a);
    }
}
