//! [`Heap`]: a 4-ary min-heap of places (order and slot), the store of each requirement class.
//!
//! Four children per node instead of two halve the depth (10 levels for a million places
//! instead of 20). With a million places the deep levels are not in cache, and each level is a
//! dependent memory access, so a pop waits for about half as many of them; the four children
//! of a node are adjacent, so their cache lines load together. Popping moves the hole down to
//! the bottom along the smaller children, then lifts the last place from there (Floyd's
//! method), which saves a comparison per level.

use super::key::Order;

/// Children per node.
const ARITY: usize = 4;

/// A place in a class heap: an order and the slot of the interaction that had it.
///
/// The order is kept as two `u64`s at 4-byte alignment, so that a place takes 20 bytes, not
/// the 24 of 8-byte alignment or the 32 a `u128` field (16-byte aligned) would: a group of
/// four siblings then spans 80 bytes, and a heap of a million places 20 MB. (x86-64 and
/// AArch64 load unaligned `u64`s at full speed.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed(4))]
pub(crate) struct Pending {
    high: u64,
    low: u64,
    pub(crate) slot: u32,
}

impl Pending {
    #[inline]
    pub(crate) fn new(order: Order, slot: u32) -> Self {
        let (high, low) = order.to_halves();
        Self { high, low, slot }
    }

    #[inline]
    pub(crate) fn order(&self) -> Order {
        Order::from_halves(self.high, self.low)
    }
}

/// Places, the first in routing order (smallest order) on top.
/// Where the smallest of a full group of siblings is in it: two independent comparisons, then
/// one.
#[inline(always)]
fn smallest_of(group: &[Pending; ARITY]) -> usize {
    let order = |at: usize| group[at].order();
    let ab = usize::from(order(1) < order(0));
    let cd = 2 + usize::from(order(3) < order(2));
    if order(cd) < order(ab) { cd } else { ab }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Heap {
    items: Vec<Pending>,
}

impl Heap {
    /// A heap of `items`, in any order: O(len).
    pub(crate) fn from_vec(items: Vec<Pending>) -> Self {
        let mut heap = Self { items };
        heap.heapify();
        heap
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        self.items.capacity()
    }

    /// The first place.
    #[inline]
    pub(crate) fn peek(&self) -> Option<&Pending> {
        self.items.first()
    }

    /// Adds a place: O(log len), O(1) on average for places that come after most others
    /// (as new arrivals do).
    #[inline]
    pub(crate) fn push(&mut self, item: Pending) {
        self.items.push(item);
        self.sift_up(self.items.len() - 1);
    }

    /// Removes and returns the first place: O(log len).
    pub(crate) fn pop(&mut self) -> Option<Pending> {
        let last = self.items.pop()?;
        let items = &mut self.items[..];
        let Some(&first) = items.first() else {
            return Some(last);
        };
        let len = items.len();
        let mut hole = 0;
        // Down through full groups of children, without bounds checks on the group.
        loop {
            let child = hole * ARITY + 1;
            let Some(group) = items.get(child..child + ARITY) else { break };
            let Ok(group) = <&[Pending; ARITY]>::try_from(group) else { break };
            let best = child + smallest_of(group);
            items[hole] = group[best - child];
            hole = best;
        }
        // At most one partial group at the bottom.
        let child = hole * ARITY + 1;
        if child < len {
            let best = (child + 1..len).fold(child, |best, at| {
                if items[at].order() < items[best].order() { at } else { best }
            });
            items[hole] = items[best];
            hole = best;
        }
        items[hole] = last;
        self.sift_up(hole);
        Some(first)
    }

    /// Keeps only the places for which `keep` holds: O(len).
    pub(crate) fn retain(&mut self, keep: impl FnMut(&Pending) -> bool) {
        let before = self.items.len();
        self.items.retain(keep);
        if self.items.len() != before {
            self.heapify();
        }
    }

    /// Room for at least `additional` more places (the `Vec` rule: at least doubling).
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.items.reserve(additional);
    }

    pub(crate) fn shrink_to(&mut self, capacity: usize) {
        self.items.shrink_to(capacity);
    }

    /// The smallest of the children from `child` (the first of its siblings), given `len`.
    #[inline(always)]
    fn smallest_child(&self, child: usize, len: usize) -> usize {
        match self.items.get(child..child + ARITY).map(<&[Pending; ARITY]>::try_from) {
            Some(Ok(group)) if child + ARITY <= len => child + smallest_of(group),
            _ => (child + 1..len).fold(child, |best, at| {
                if self.items[at].order() < self.items[best].order() { at } else { best }
            }),
        }
    }

    /// Moves the place at `at` up to where it belongs.
    fn sift_up(&mut self, mut at: usize) {
        let item = self.items[at];
        let order = item.order();
        while at > 0 {
            let parent = (at - 1) / ARITY;
            if self.items[parent].order() <= order {
                break;
            }
            self.items[at] = self.items[parent];
            at = parent;
        }
        self.items[at] = item;
    }

    /// Moves the place at `at` down to where it belongs.
    fn sift_down(&mut self, mut at: usize) {
        let len = self.items.len();
        let item = self.items[at];
        let order = item.order();
        loop {
            let child = at * ARITY + 1;
            if child >= len {
                break;
            }
            let best = self.smallest_child(child, len);
            if order <= self.items[best].order() {
                break;
            }
            self.items[at] = self.items[best];
            at = best;
        }
        self.items[at] = item;
    }

    /// Restores the heap order over all places, bottom up: O(len).
    fn heapify(&mut self) {
        let len = self.items.len();
        if len < 2 {
            return;
        }
        for at in (0..=(len - 2) / ARITY).rev() {
            self.sift_down(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(seq: u64) -> Pending {
        Pending::new(Order::MAX.with_seq(seq), seq as u32)
    }

    /// A deterministic shuffle of 0..n (xorshift).
    fn shuffled(n: u64) -> Vec<u64> {
        let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
        let mut all: Vec<u64> = (0..n).collect();
        for i in (1..all.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            all.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        all
    }

    fn drain(heap: &mut Heap) -> Vec<u64> {
        std::iter::from_fn(|| heap.pop()).map(|p| p.order().seq()).collect()
    }

    #[test]
    fn pops_in_order_whatever_the_pushes() {
        for n in [0, 1, 2, 3, 4, 5, 6, 17, 64, 1000] {
            let mut heap = Heap::default();
            let mut smallest = u64::MAX;
            for seq in shuffled(n) {
                heap.push(place(seq));
                smallest = smallest.min(seq);
                assert_eq!(heap.peek().map(|p| p.order().seq()), Some(smallest));
            }
            assert_eq!(heap.len(), n as usize);
            assert_eq!(drain(&mut heap), (0..n).collect::<Vec<_>>());
        }
    }

    #[test]
    fn peek_is_the_smallest_and_pops_interleave_with_pushes() {
        let mut heap = Heap::default();
        let mut reference = std::collections::BTreeSet::new();
        for (i, seq) in shuffled(500).into_iter().enumerate() {
            heap.push(place(seq));
            reference.insert(seq);
            if i % 3 == 0 {
                assert_eq!(heap.pop().map(|p| p.order().seq()), reference.pop_first());
            }
            assert_eq!(heap.peek().map(|p| p.order().seq()), reference.first().copied());
        }
        assert_eq!(drain(&mut heap), reference.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn retain_and_from_vec_restore_the_order() {
        let mut heap = Heap::from_vec(shuffled(300).into_iter().map(place).collect());
        heap.retain(|p| p.order().seq() % 3 != 0);
        assert_eq!(drain(&mut heap), (0..300).filter(|s| s % 3 != 0).collect::<Vec<_>>());
    }
}
