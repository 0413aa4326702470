//! Requirement classes: waiting interactions grouped by identical requirements, one heap per
//! class.
//!
//! An agent qualifies for a whole class or for none of it, so the best interaction for an
//! agent is the best head among the classes it qualifies for. The heads and requirement
//! bitsets of the classes sit in parallel arrays so that this search is a tight scan over a
//! few bytes per class, without touching the interactions themselves.
//!
//! The arrays are split into buckets by the class's highest skill bit (skills get bits in the
//! order they first appear, so that is usually its least common skill), plus one bucket for
//! classes that require no skill. An agent can only qualify for classes in the buckets of its
//! own skills, so it scans those buckets and skips the rest. A class exists only while some
//! interaction in it waits.
//!
//! Each class keeps its interactions in a 4-ary heap of (order, slot) with lazy deletion:
//! removing an interaction or changing its priority does not search the heap; it leaves the
//! old entry behind, stale (the slab no longer holds that order in that slot). Two rules keep
//! this cheap and bounded:
//! - the top of every heap is current: after an operation that may have made it stale, stale
//!   entries are popped until a current one surfaces, so the head is always exact;
//! - a class compacts its heap (one linear pass and a linear-time rebuild) once stale entries
//!   outnumber current ones, or when the heap is full and at least an eighth of it is stale
//!   (so that stale entries do not make it grow). Each compaction is paid for by the
//!   removals or priority changes that made the entries stale, or by the arrivals that
//!   filled the room it makes: O(1) amortized each.

use std::collections::HashMap;

use super::AcdError;
use super::heap::{Heap, Pending};
use super::key::Order;
use super::requirements::{
    Bits, Interner, MAX_DISTINCT_LANGUAGES, MAX_DISTINCT_SKILLS, Requirements,
};
use crate::{Language, Skill};

/// The interactions of one requirement class.
#[derive(Debug, Clone)]
pub(crate) struct Class {
    pub(crate) requirements: Requirements,
    /// The places of the class's waiting interactions, plus stale places; the top is current.
    waiting: Heap,
    /// How many of the class's interactions wait (current entries of `waiting`).
    live: usize,
    /// Which bucket holds this class, and where in its arrays.
    bucket: u8,
    at: u32,
}

impl Class {
    fn stale(&self) -> usize {
        self.waiting.len().saturating_sub(self.live)
    }
}

/// What a class asks the slab about a place it lists.
pub(crate) trait Current {
    /// Whether the interaction in `slot` is waiting at `order`: false once it left (the slot
    /// is free or holds a later interaction) or its priority changed.
    fn is_current(&self, slot: u32, order: Order) -> bool;
}

/// Heaps smaller than this grow rather than compact when full, and never shrink: growing is
/// cheap for them.
const MIN_COMPACTION: usize = 64;

/// Pushes `entry` onto the heap of `c`, which holds `current` current entries.
///
/// A full heap makes room by dropping its stale entries when at least an eighth of it is
/// stale, and otherwise doubles, like a `Vec`. So it only grows when more than 7/8 of it is
/// current, and its capacity stays below about 2.3 times the interactions it held when it
/// last grew, under any mix of arrivals and removals. Compacting costs O(len) and frees at
/// least len/8 places, so at most eight steps of it per push; a queue that only fills never
/// compacts.
fn push(c: &mut Class, entry: Pending, current: usize, slab: &impl Current) {
    let len = c.waiting.len();
    if len == c.waiting.capacity() {
        if len >= MIN_COMPACTION && len.saturating_sub(current) * 8 >= len {
            compact(c, slab);
        } else {
            c.waiting.reserve(1);
        }
    }
    c.waiting.push(entry);
}

/// Drops the stale entries of `c`: one pass, then a rebuild in linear time. The head stays:
/// it was current, and it is still the first. A heap left less than half full gives back
/// the unused part beyond half of what it holds.
fn compact(c: &mut Class, slab: &impl Current) {
    c.waiting.retain(|entry| slab.is_current(entry.slot, entry.order()));
    let len = c.waiting.len();
    if c.waiting.capacity() > 2 * len && c.waiting.capacity() > MIN_COMPACTION {
        c.waiting.shrink_to((len + len / 2).max(MIN_COMPACTION));
    }
}

/// The bucket of classes that require no skill (the others are numbered by skill bit).
const NO_SKILL_BUCKET: u8 = MAX_DISTINCT_SKILLS as u8;

/// Live classes with the same highest skill bit, as parallel arrays in no particular order.
#[derive(Debug, Clone, Default)]
struct Bucket {
    class: Vec<u32>,
    skills: Vec<Bits>,
    language: Vec<Bits>,
    /// The first (best) place in each class.
    head: Vec<Order>,
}

impl Bucket {
    /// Scans for the class with the first head among those the agent qualifies for, and
    /// improves `best` with it: a few instructions per class, no branch on the data.
    fn improve(&self, lacking_skills: Bits, lacking_languages: Bits, best: &mut (Order, u32)) {
        let rows = self.skills.iter().zip(&self.language).zip(&self.head).zip(&self.class);
        for (((&skills, &language), &head), &class) in rows {
            let qualifies = (skills & lacking_skills) | (language & lacking_languages) == 0;
            if qualifies & (head < best.0) {
                *best = (head, class);
            }
        }
    }
}

/// All requirement classes with waiting interactions, and the interning of their skills and
/// languages.
#[derive(Debug, Clone)]
pub(crate) struct Classes {
    /// By class number; `None` for numbers free for reuse.
    slots: Vec<Option<Class>>,
    free: Vec<u32>,
    live: usize,
    by_bits: HashMap<(Bits, Bits), u32>,
    /// The class that requires nothing, if live: the common case, found without hashing.
    no_requirement: Option<u32>,
    skills: Interner<Skill>,
    languages: Interner<Language>,
    /// Indexed by highest skill bit; the last is [`NO_SKILL_BUCKET`].
    buckets: Vec<Bucket>,
}

impl Classes {
    pub(crate) fn new() -> Self {
        Self {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            by_bits: HashMap::new(),
            no_requirement: None,
            skills: Interner::new(),
            languages: Interner::new(),
            buckets: vec![Bucket::default(); MAX_DISTINCT_SKILLS + 1],
        }
    }

    /// How many classes have waiting interactions.
    pub(crate) fn live_count(&self) -> usize {
        self.live
    }

    pub(crate) fn get(&self, class: u32) -> Option<&Class> {
        self.slots.get(class as usize).and_then(Option::as_ref)
    }

    /// The class number for `requirements`, creating the class (and interning its skills and
    /// language) if no interaction with these requirements waits. A new class starts with no
    /// interaction: the caller must add one at once.
    pub(crate) fn find_or_create(&mut self, requirements: &Requirements) -> Result<u32, AcdError> {
        let requires_nothing =
            requirements.skills().is_empty() && requirements.language().is_none();
        if let (true, Some(class)) = (requires_nothing, self.no_requirement) {
            return Ok(class);
        }
        let mut unknown_skills =
            requirements.skills().iter().filter(|s| self.skills.bit(s).is_none());
        if let Some(first_unknown) = unknown_skills.next() {
            if 1 + unknown_skills.count() > self.skills.free_bits() {
                return Err(AcdError::TooManySkills {
                    skill: first_unknown.to_string(),
                    limit: MAX_DISTINCT_SKILLS,
                });
            }
        } else {
            let language_bits = match requirements.language() {
                None => Some(0),
                Some(language) => self.languages.bit(language).map(|bit| 1 << bit),
            };
            if let Some(language_bits) = language_bits {
                let skill_bits = self.skills.mask_of(requirements.skills());
                if let Some(&class) = self.by_bits.get(&(skill_bits, language_bits)) {
                    return Ok(class);
                }
            }
        }
        if let Some(language) = requirements.language()
            && self.languages.bit(language).is_none()
            && self.languages.free_bits() == 0
        {
            return Err(AcdError::TooManyLanguages {
                language: language.to_string(),
                limit: MAX_DISTINCT_LANGUAGES,
            });
        }
        // Capacity was checked above, so every acquisition succeeds.
        let mut skill_bits: Bits = 0;
        for skill in requirements.skills() {
            if let Some(bit) = self.skills.acquire(skill) {
                skill_bits |= 1 << bit;
            }
        }
        let language_bits = match requirements.language() {
            None => 0,
            Some(language) => self.languages.acquire(language).map_or(0, |bit| 1 << bit),
        };
        let class = match self.free.pop() {
            Some(class) => class,
            None => {
                self.slots.push(None);
                // The number of classes never exceeds the number of waiting interactions,
                // which the queue keeps below u32::MAX.
                (self.slots.len() - 1) as u32
            }
        };
        self.by_bits.insert((skill_bits, language_bits), class);
        if requires_nothing {
            self.no_requirement = Some(class);
        }
        let bucket_number = match skill_bits {
            0 => NO_SKILL_BUCKET,
            bits => (Bits::BITS - 1 - bits.leading_zeros()) as u8,
        };
        let bucket = &mut self.buckets[usize::from(bucket_number)];
        self.slots[class as usize] = Some(Class {
            requirements: requirements.clone(),
            waiting: Heap::default(),
            live: 0,
            bucket: bucket_number,
            at: bucket.class.len() as u32,
        });
        bucket.class.push(class);
        bucket.skills.push(skill_bits);
        bucket.language.push(language_bits);
        bucket.head.push(Order::MAX);
        self.live += 1;
        Ok(class)
    }

    /// Adds the interaction in `slot` to `class` at `order` (the slab holds it already).
    pub(crate) fn insert(&mut self, class: u32, order: Order, slot: u32, slab: &impl Current) {
        let Some(Some(c)) = self.slots.get_mut(class as usize) else {
            return;
        };
        push(c, Pending::new(order, slot), c.live, slab);
        c.live += 1;
        let head = &mut self.buckets[usize::from(c.bucket)].head[c.at as usize];
        if order < *head {
            *head = order;
        }
    }

    /// Forgets the interaction that was at `order` in `class`, which the slab no longer holds.
    /// Its entry stays in the heap, stale, unless it was the head.
    pub(crate) fn remove(&mut self, class: u32, order: Order, slab: &impl Current) {
        let Some(Some(c)) = self.slots.get_mut(class as usize) else {
            return;
        };
        c.live = c.live.saturating_sub(1);
        if c.live == 0 {
            self.drop_class(class);
        } else if self.buckets[usize::from(c.bucket)].head[c.at as usize] == order {
            self.settle_head(class, slab);
        } else if c.stale() > c.live {
            compact(c, slab);
        }
    }

    /// Moves the interaction in `slot` from `old` to `new` within `class` (the slab holds
    /// `new` already). The entry at `old` stays in the heap, stale, unless it was the head.
    pub(crate) fn reorder(
        &mut self,
        class: u32,
        old: Order,
        new: Order,
        slot: u32,
        slab: &impl Current,
    ) {
        let Some(Some(c)) = self.slots.get_mut(class as usize) else {
            return;
        };
        // Every interaction of the class but this one has a current entry.
        push(c, Pending::new(new, slot), c.live.saturating_sub(1), slab);
        let head = &mut self.buckets[usize::from(c.bucket)].head[c.at as usize];
        if *head == old {
            self.settle_head(class, slab);
        } else {
            if new < *head {
                *head = new;
            }
            if c.stale() > c.live {
                compact(c, slab);
            }
        }
    }

    /// Drops every stale entry of `class` at once.
    pub(crate) fn compact(&mut self, class: u32, slab: &impl Current) {
        if let Some(Some(c)) = self.slots.get_mut(class as usize) {
            compact(c, slab);
        }
    }

    /// Takes the first interaction of `class`: its order and slot. The slab still holds it;
    /// the caller takes it out.
    pub(crate) fn pop_head(&mut self, class: u32, slab: &impl Current) -> Option<(Order, u32)> {
        let c = self.slots.get_mut(class as usize)?.as_mut()?;
        let first = c.waiting.pop()?;
        debug_assert!(slab.is_current(first.slot, first.order()), "a class heap's top is current");
        c.live = c.live.saturating_sub(1);
        if c.live == 0 {
            self.drop_class(class);
        } else {
            self.settle_head(class, slab);
        }
        Some((first.order(), first.slot))
    }

    /// The first interaction of `class`: its order and slot.
    pub(crate) fn head(&self, class: u32) -> Option<(Order, u32)> {
        let first = self.get(class)?.waiting.peek()?;
        Some((first.order(), first.slot))
    }

    /// Pops the stale entries at the top of `class` and records its new head.
    fn settle_head(&mut self, class: u32, slab: &impl Current) {
        let Some(Some(c)) = self.slots.get_mut(class as usize) else {
            return;
        };
        while let Some(first) = c.waiting.peek() {
            let order = first.order();
            if slab.is_current(first.slot, order) {
                self.buckets[usize::from(c.bucket)].head[c.at as usize] = order;
                return;
            }
            c.waiting.pop();
        }
        // Not reached while `live` counts the current entries: one of them would be on top.
        self.drop_class(class);
    }

    /// Drops `class`, which no interaction is waiting in, freeing its skill and language bits.
    fn drop_class(&mut self, class: u32) {
        let Some(c) = self.slots.get_mut(class as usize).and_then(Option::take) else {
            return;
        };
        let (bucket, at) = (usize::from(c.bucket), c.at as usize);
        self.free.push(class);
        self.live -= 1;
        let b = &mut self.buckets[bucket];
        self.by_bits.remove(&(b.skills[at], b.language[at]));
        if self.no_requirement == Some(class) {
            self.no_requirement = None;
        }
        b.class.swap_remove(at);
        b.skills.swap_remove(at);
        b.language.swap_remove(at);
        b.head.swap_remove(at);
        if let Some(&moved) = b.class.get(at)
            && let Some(Some(m)) = self.slots.get_mut(moved as usize)
        {
            m.at = at as u32;
        }
        for skill in c.requirements.skills() {
            self.skills.release(skill);
        }
        if let Some(language) = c.requirements.language() {
            self.languages.release(language);
        }
    }

    /// The class whose head comes first among those an agent with these skill and language
    /// bits qualifies for: a scan of the no-skill bucket and of the bucket of each of the
    /// agent's skill bits.
    pub(crate) fn best_for(&self, agent_skills: Bits, agent_languages: Bits) -> Option<u32> {
        let (lacking_skills, lacking_languages) = (!agent_skills, !agent_languages);
        let mut best = (Order::MAX, u32::MAX);
        self.buckets[usize::from(NO_SKILL_BUCKET)].improve(
            lacking_skills,
            lacking_languages,
            &mut best,
        );
        let mut bits = agent_skills;
        while bits != 0 {
            let bit = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            self.buckets[bit].improve(lacking_skills, lacking_languages, &mut best);
        }
        (best.0 != Order::MAX).then_some(best.1)
    }

    /// The skill and language bits of `agent`'s skills and languages that some class uses.
    pub(crate) fn agent_bits(&self, agent: &super::Agent) -> (Bits, Bits) {
        (self.skills.mask_of(agent.skills()), self.languages.mask_of(agent.languages()))
    }

    /// How many entries the class heaps hold, stale ones included, and how many of them are
    /// stale.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> (usize, usize) {
        self.slots
            .iter()
            .filter_map(Option::as_ref)
            .fold((0, 0), |(all, stale), c| (all + c.waiting.len(), stale + c.stale()))
    }

    /// Refills every class heap with the waiting interactions `(class, order, slot)`, given in
    /// routing order (so each push is O(1)), dropping every stale entry. For the queue's
    /// renumbering.
    pub(crate) fn rebuild(&mut self, in_order: impl IntoIterator<Item = (u32, Order, u32)>) {
        for c in self.slots.iter_mut().filter_map(Option::as_mut) {
            c.waiting.clear();
        }
        for (class, order, slot) in in_order {
            if let Some(Some(c)) = self.slots.get_mut(class as usize) {
                c.waiting.push(Pending::new(order, slot));
            }
        }
        for c in self.slots.iter_mut().filter_map(Option::as_mut) {
            c.live = c.waiting.len();
            if let Some(first) = c.waiting.peek() {
                self.buckets[usize::from(c.bucket)].head[c.at as usize] = first.order();
            }
        }
    }
}
