//! Requirement classes: waiting interactions grouped by identical requirements, one ordered
//! set per class.
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
//! Removing an interaction that is not at the head of its class leaves its place in the
//! class's B-tree as a tombstone (the queue marks its slot as left) instead of descending the
//! tree: removal by id then costs two memory reads instead of a tree walk. Tombstones are
//! dropped for free when they reach the head, and a class sweeps its tree in one sequential
//! pass once they exceed an eighth of it, which bounds the memory they hold.

use std::collections::{BTreeMap, HashMap};

use super::AcdError;
use super::key::Order;
use super::requirements::{
    Bits, Interner, MAX_DISTINCT_LANGUAGES, MAX_DISTINCT_SKILLS, Requirements,
};
use crate::{Language, Skill};

/// The interactions of one requirement class, in routing order.
#[derive(Debug, Clone)]
pub(crate) struct Class {
    pub(crate) requirements: Requirements,
    /// Slot of each waiting interaction, by its place in the routing order.
    pub(crate) waiting: BTreeMap<Order, u32>,
    /// How many places in `waiting` are tombstones (never the first one).
    tombstones: u32,
    /// Which bucket holds this class, and where in its arrays.
    bucket: u8,
    at: u32,
}

/// What a class asks the slab about a slot it lists.
pub(crate) trait Tombstones {
    /// Whether the slot's interaction already left the queue (a tombstone). If so the slab
    /// frees the slot, since the class is about to drop it.
    fn release_if_left(&mut self, slot: u32) -> bool;
    /// The place of the slot's interaction, if it is still waiting.
    fn order(&self, slot: u32) -> Option<Order>;
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
            waiting: BTreeMap::new(),
            tombstones: 0,
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

    /// Adds the interaction in `slot` to `class` at `order`.
    pub(crate) fn insert(&mut self, class: u32, order: Order, slot: u32) {
        if let Some(Some(c)) = self.slots.get_mut(class as usize) {
            c.waiting.insert(order, slot);
            let head = &mut self.buckets[usize::from(c.bucket)].head[c.at as usize];
            if order < *head {
                *head = order;
            }
        }
    }

    /// Forgets the interaction at `order` in `class`, whose slot the queue has marked as left.
    /// At the head it goes at once (with any tombstones behind it); elsewhere it stays as a
    /// tombstone until it reaches the head or the class sweeps its tree.
    pub(crate) fn remove(&mut self, class: u32, order: Order, slab: &mut impl Tombstones) {
        let Some(Some(c)) = self.slots.get_mut(class as usize) else {
            return;
        };
        if self.buckets[usize::from(c.bucket)].head[c.at as usize] == order {
            if let Some((_, slot)) = c.waiting.pop_first() {
                slab.release_if_left(slot);
            }
            self.settle_head(class, slab);
            return;
        }
        c.tombstones += 1;
        if c.tombstones as usize * 8 > c.waiting.len() {
            // One sequential pass over the leaves, removing in place.
            c.waiting.retain(|_, slot| !slab.release_if_left(*slot));
            c.tombstones = 0;
        }
    }

    /// Moves the interaction in `slot` from `old` to `new` within `class`.
    pub(crate) fn reorder(
        &mut self,
        class: u32,
        old: Order,
        new: Order,
        slot: u32,
        slab: &mut impl Tombstones,
    ) {
        if let Some(Some(c)) = self.slots.get_mut(class as usize) {
            c.waiting.remove(&old);
            c.waiting.insert(new, slot);
            self.settle_head(class, slab);
        }
    }

    /// Takes the first interaction of `class`: its order and slot.
    pub(crate) fn pop_head(
        &mut self,
        class: u32,
        slab: &mut impl Tombstones,
    ) -> Option<(Order, u32)> {
        let c = self.slots.get_mut(class as usize)?.as_mut()?;
        let first = c.waiting.pop_first()?;
        self.settle_head(class, slab);
        Some(first)
    }

    /// The first interaction of `class`: its order and slot.
    pub(crate) fn head(&self, class: u32) -> Option<(Order, u32)> {
        let (&order, &slot) = self.get(class)?.waiting.first_key_value()?;
        Some((order, slot))
    }

    /// Drops the tombstones at the front of `class` and records its new head; drops the class
    /// (freeing its skill and language bits) when no interaction is left.
    fn settle_head(&mut self, class: u32, slab: &mut impl Tombstones) {
        let Some(Some(c)) = self.slots.get_mut(class as usize) else {
            return;
        };
        let (bucket, at) = (usize::from(c.bucket), c.at as usize);
        while let Some((&first, &slot)) = c.waiting.first_key_value() {
            if !slab.release_if_left(slot) {
                self.buckets[bucket].head[at] = first;
                return;
            }
            c.waiting.pop_first();
            c.tombstones = c.tombstones.saturating_sub(1);
        }
        let Some(c) = self.slots[class as usize].take() else {
            return;
        };
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

    /// Every live class with its interactions, in no particular order.
    pub(crate) fn live(&self) -> impl Iterator<Item = &Class> {
        self.slots.iter().filter_map(Option::as_ref)
    }

    /// Drops every tombstone, then re-sorts every class by the orders the slab now holds (after
    /// the queue renumbered them).
    pub(crate) fn rebuild(&mut self, slab: &mut impl Tombstones) {
        for c in self.slots.iter_mut().filter_map(Option::as_mut) {
            let slots: Vec<u32> = c.waiting.values().copied().collect();
            c.waiting = slots
                .into_iter()
                .filter_map(|slot| match slab.release_if_left(slot) {
                    true => None,
                    false => Some((slab.order(slot)?, slot)),
                })
                .collect();
            c.tombstones = 0;
            if let Some((&first, _)) = c.waiting.first_key_value() {
                self.buckets[usize::from(c.bucket)].head[c.at as usize] = first;
            }
        }
    }
}
