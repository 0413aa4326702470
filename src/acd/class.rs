//! Requirement classes: waiting interactions grouped by identical requirements, one ordered
//! set per class.
//!
//! An agent qualifies for a whole class or for none of it, so the best interaction for an
//! agent is the best head among the classes it qualifies for. The heads and requirement
//! bitsets of all classes sit in parallel arrays so that this search is a tight scan over a
//! few bytes per class, without touching the interactions themselves. A class exists only
//! while some interaction in it waits.

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
    /// Where this class sits in the parallel `live_*` arrays.
    live_at: u32,
}

/// All requirement classes with waiting interactions, and the interning of their skills and
/// languages.
#[derive(Debug, Clone)]
pub(crate) struct Classes {
    /// By class number; `None` for numbers free for reuse.
    slots: Vec<Option<Class>>,
    free: Vec<u32>,
    by_bits: HashMap<(Bits, Bits), u32>,
    skills: Interner<Skill>,
    languages: Interner<Language>,
    // Parallel arrays, one element per live class, in no particular order.
    live_class: Vec<u32>,
    live_skills: Vec<Bits>,
    live_language: Vec<Bits>,
    /// The first (best) place in each live class.
    live_head: Vec<Order>,
}

impl Classes {
    pub(crate) fn new() -> Self {
        Self {
            slots: Vec::new(),
            free: Vec::new(),
            by_bits: HashMap::new(),
            skills: Interner::new(),
            languages: Interner::new(),
            live_class: Vec::new(),
            live_skills: Vec::new(),
            live_language: Vec::new(),
            live_head: Vec::new(),
        }
    }

    /// How many classes have waiting interactions.
    pub(crate) fn live_count(&self) -> usize {
        self.live_class.len()
    }

    pub(crate) fn get(&self, class: u32) -> Option<&Class> {
        self.slots.get(class as usize).and_then(Option::as_ref)
    }

    /// The class number for `requirements`, creating the class (and interning its skills and
    /// language) if no interaction with these requirements waits. A new class starts with no
    /// interaction: the caller must add one at once.
    pub(crate) fn find_or_create(&mut self, requirements: &Requirements) -> Result<u32, AcdError> {
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
        if let Some(language) = requirements.language() {
            if self.languages.bit(language).is_none() && self.languages.free_bits() == 0 {
                return Err(AcdError::TooManyLanguages {
                    language: language.to_string(),
                    limit: MAX_DISTINCT_LANGUAGES,
                });
            }
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
        self.slots[class as usize] = Some(Class {
            requirements: requirements.clone(),
            waiting: BTreeMap::new(),
            live_at: self.live_class.len() as u32,
        });
        self.live_class.push(class);
        self.live_skills.push(skill_bits);
        self.live_language.push(language_bits);
        self.live_head.push(Order::MAX);
        Ok(class)
    }

    /// Adds the interaction in `slot` to `class` at `order`.
    pub(crate) fn insert(&mut self, class: u32, order: Order, slot: u32) {
        if let Some(Some(c)) = self.slots.get_mut(class as usize) {
            c.waiting.insert(order, slot);
            let head = &mut self.live_head[c.live_at as usize];
            if order < *head {
                *head = order;
            }
        }
    }

    /// Removes the interaction at `order` from `class`, dropping the class if it is empty.
    pub(crate) fn remove(&mut self, class: u32, order: Order) {
        if let Some(Some(c)) = self.slots.get_mut(class as usize) {
            c.waiting.remove(&order);
            let live_at = c.live_at as usize;
            if self.live_head[live_at] == order {
                self.refresh_head(class);
            }
        }
    }

    /// Moves the interaction in `slot` from `old` to `new` within `class`.
    pub(crate) fn reorder(&mut self, class: u32, old: Order, new: Order, slot: u32) {
        if let Some(Some(c)) = self.slots.get_mut(class as usize) {
            c.waiting.remove(&old);
            c.waiting.insert(new, slot);
            if let Some((&first, _)) = c.waiting.first_key_value() {
                self.live_head[c.live_at as usize] = first;
            }
        }
    }

    /// Takes the first interaction of the live class at `live_at`: its order and slot.
    pub(crate) fn pop_head(&mut self, live_at: usize) -> Option<(u32, Order, u32)> {
        let class = *self.live_class.get(live_at)?;
        let c = self.slots.get_mut(class as usize)?.as_mut()?;
        let (order, slot) = c.waiting.pop_first()?;
        self.refresh_head(class);
        Some((class, order, slot))
    }

    /// The first interaction of the live class at `live_at`: its class, order and slot.
    pub(crate) fn head(&self, live_at: usize) -> Option<(u32, Order, u32)> {
        let class = *self.live_class.get(live_at)?;
        let c = self.get(class)?;
        let (&order, &slot) = c.waiting.first_key_value()?;
        Some((class, order, slot))
    }

    /// Recomputes the head of `class` after its first interaction left; drops the class
    /// (freeing its skill and language bits) when no interaction is left.
    fn refresh_head(&mut self, class: u32) {
        let Some(Some(c)) = self.slots.get(class as usize) else {
            return;
        };
        let live_at = c.live_at as usize;
        if let Some((&first, _)) = c.waiting.first_key_value() {
            self.live_head[live_at] = first;
            return;
        }
        let Some(c) = self.slots[class as usize].take() else {
            return;
        };
        self.free.push(class);
        self.by_bits.remove(&(self.live_skills[live_at], self.live_language[live_at]));
        for skill in c.requirements.skills() {
            self.skills.release(skill);
        }
        if let Some(language) = c.requirements.language() {
            self.languages.release(language);
        }
        self.live_class.swap_remove(live_at);
        self.live_skills.swap_remove(live_at);
        self.live_language.swap_remove(live_at);
        self.live_head.swap_remove(live_at);
        if let Some(&moved) = self.live_class.get(live_at) {
            if let Some(Some(m)) = self.slots.get_mut(moved as usize) {
                m.live_at = live_at as u32;
            }
        }
    }

    /// The live class whose head comes first among those an agent with these skill and
    /// language bits qualifies for: a scan over all live classes, a few instructions each.
    pub(crate) fn best_for(&self, agent_skills: Bits, agent_languages: Bits) -> Option<usize> {
        let mut best = Order::MAX;
        let mut best_at = None;
        let classes = self.live_skills.iter().zip(&self.live_language).zip(&self.live_head);
        for (at, ((&skills, &language), &head)) in classes.enumerate() {
            let qualifies = (skills & !agent_skills) | (language & !agent_languages) == 0;
            if qualifies && head < best {
                best = head;
                best_at = Some(at);
            }
        }
        best_at
    }

    /// The skill and language bits of `agent`'s skills and languages that some class uses.
    pub(crate) fn agent_bits(&self, agent: &super::Agent) -> (Bits, Bits) {
        (self.skills.mask_of(agent.skills()), self.languages.mask_of(agent.languages()))
    }

    /// Every live class with its interactions, in no particular order.
    pub(crate) fn live(&self) -> impl Iterator<Item = &Class> {
        self.live_class.iter().filter_map(|&class| self.get(class))
    }

    /// Every live class, mutably, in no particular order.
    pub(crate) fn live_mut(&mut self) -> impl Iterator<Item = &mut Class> {
        self.slots.iter_mut().filter_map(Option::as_mut)
    }

    /// Re-reads every live head (after the orders were renumbered).
    pub(crate) fn refresh_all_heads(&mut self) {
        for at in 0..self.live_class.len() {
            if let Some(c) = self.get(self.live_class[at]) {
                if let Some((&first, _)) = c.waiting.first_key_value() {
                    self.live_head[at] = first;
                }
            }
        }
    }
}
