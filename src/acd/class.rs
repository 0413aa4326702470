//! Requirement classes: waiting interactions grouped by identical requirements, and within a
//! class by stage.
//!
//! A **class** is a distinct [`Requirements`] value, stages included. Each stage of a class that
//! is a ring uses a **row**: a heap of the interactions in a ring that requires exactly the
//! same skill and language bits, of whatever class (a class without stages and the last
//! ring of many bullseyes may share one). An agent qualifies for a whole row or for none of
//! it, so the best interaction for an agent is the best head among the rows it qualifies
//! for. The heads
//! and bitsets of the rows that hold interactions sit in parallel arrays so that this search is
//! a tight scan over a few bytes per row, without touching the interactions themselves.
//!
//! The arrays are split into buckets by the row's highest skill bit (skills get bits in the
//! order they first appear, so that is usually its least common skill), plus one bucket for
//! rows that require no skill. An agent can only qualify for rows in the buckets of its own
//! skills, so it scans those buckets and skips the rest. A class exists only while some
//! interaction in it waits; a row exists while some live class uses it, and is in a bucket
//! only while some interaction is in it.
//!
//! The interactions in a class's **preferred-agent stage** are in no row: each named agent
//! has a heap of its own, which only that agent reads (by its id, one hash lookup), and such
//! an interaction waits in the heap of every agent its class names. The agent heaps live as
//! long as some class names the agent.
//!
//! Every heap holds (order, slot) places with lazy deletion: removing an interaction, changing
//! its priority or moving it to its next stage does not search the heap; it leaves the old
//! place behind, stale (the slab no longer holds that order in that slot: the order carries
//! the stage and a generation). Two rules keep this cheap and bounded:
//! - the top of every heap is current: after an operation that may have made it stale, stale
//!   places are popped until a current one surfaces, so the head is always exact;
//! - a heap compacts (one linear pass and a linear-time rebuild) once stale places outnumber
//!   current ones, or when it is full and at least an eighth of it is stale (so that stale
//!   places do not make it grow). Each compaction is paid for by the removals, priority or
//!   stage changes that made the places stale, or by the arrivals that filled the room it
//!   makes: O(1) amortized each.

use std::collections::HashMap;

use super::AcdError;
use super::heap::{Heap, Pending};
use super::key::Order;
use super::requirements::{
    Bits, Interner, MAX_DISTINCT_LANGUAGES, MAX_DISTINCT_SKILLS, Requirements,
};
use crate::{AgentId, Language, Skill};

/// What a heap asks the slab about a place it lists.
pub(crate) trait Current {
    /// Whether the interaction in `slot` is waiting at `order`: false once it left (the slot
    /// is free or holds a later interaction), or its priority or stage changed.
    fn is_current(&self, slot: u32, order: Order) -> bool;
}

/// Heaps smaller than this grow rather than compact when full, and never shrink: growing is
/// cheap for them.
const MIN_COMPACTION: usize = 64;

/// A heap of places and how many of them are current.
#[derive(Debug, Clone, Default)]
struct Places {
    heap: Heap,
    live: usize,
}

impl Places {
    fn stale(&self) -> usize {
        self.heap.len().saturating_sub(self.live)
    }

    /// Pushes `entry`; `current` of the places already held are current.
    ///
    /// A full heap makes room by dropping its stale places when at least an eighth of it is
    /// stale, and otherwise doubles, like a `Vec`. So it only grows when more than 7/8 of it
    /// is current, and its capacity stays below about 2.3 times the interactions it held when
    /// it last grew, under any mix of arrivals and departures. Compacting costs O(len) and
    /// frees at least len/8 places, so at most eight steps of it per push; a heap that only
    /// fills never compacts.
    #[inline]
    fn push(&mut self, entry: Pending, current: usize, slab: &impl Current) {
        if self.heap.len() == self.heap.capacity() {
            self.make_room(current, slab);
        }
        self.heap.push(entry);
    }

    /// Room for one more place in a full heap: see [`Self::push`].
    #[cold]
    fn make_room(&mut self, current: usize, slab: &impl Current) {
        let len = self.heap.len();
        if len >= MIN_COMPACTION && len.saturating_sub(current) * 8 >= len {
            self.compact(slab);
        } else {
            self.heap.reserve(1);
        }
    }

    /// Drops the stale places: one pass, then a rebuild in linear time. The top stays: it was
    /// current, and it is still the first. A heap left less than half full gives back the
    /// unused part beyond half of what it holds.
    fn compact(&mut self, slab: &impl Current) {
        self.heap.retain(|entry| slab.is_current(entry.slot, entry.order()));
        let len = self.heap.len();
        if self.heap.capacity() > 2 * len && self.heap.capacity() > MIN_COMPACTION {
            self.heap.shrink_to((len + len / 2).max(MIN_COMPACTION));
        }
    }

    /// Pops the stale places on top; the first current place, if any.
    #[inline]
    fn settle(&mut self, slab: &impl Current) -> Option<Order> {
        while let Some(first) = self.heap.peek() {
            let order = first.order();
            // With no stale place in the heap, the slab need not be asked (a cache miss).
            if slab.is_current(first.slot, order) {
                return Some(order);
            }
            self.heap.pop();
        }
        None
    }

    /// One current place fewer: the one at `order`, which the slab no longer holds. Returns
    /// the new first current place, or `None` when none is left (the heap is then emptied).
    #[inline(always)]
    fn forget(&mut self, order: Order, slab: &impl Current) -> Option<Order> {
        self.live = self.live.saturating_sub(1);
        if self.live == 0 {
            self.heap = Heap::default();
            return None;
        }
        let first = self.heap.peek().map(Pending::order);
        if first == Some(order) {
            // The slab no longer holds it there: stale, without asking.
            self.heap.pop();
            return self.settle(slab);
        }
        if self.stale() > self.live {
            self.compact(slab);
        }
        first
    }
}

/// The interactions, of any class, in a ring that requires exactly these skill and language
/// bits.
#[derive(Debug, Clone)]
struct Row {
    places: Places,
    skills: Bits,
    language: Bits,
    /// Which bucket lists this row while it holds interactions, and where in its arrays.
    bucket: u8,
    at: u32,
    /// How many stages of live classes use the row.
    uses: u32,
    /// The class without stages whose requirements are these bits, if live ([`NO_CLASS`]
    /// otherwise).
    unstaged: u32,
}

/// `Row::unstaged` when no class without stages uses the row.
const NO_CLASS: u32 = u32::MAX;

/// `Row::at` of a row no bucket lists.
const UNLISTED: u32 = u32::MAX;

/// A row number that stands for the preferred-agent stage, which has no row.
const NO_ROW: u32 = u32::MAX;

/// An agent that some class names in its preferred-agent stage, and the places of the
/// interactions in that stage.
#[derive(Debug, Clone)]
struct AgentHeap {
    id: AgentId,
    places: Places,
    /// How many classes name the agent.
    classes: usize,
}

/// One requirement class.
#[derive(Debug, Clone)]
pub(crate) struct Class {
    pub(crate) requirements: Requirements,
    /// The row of each stage; [`NO_ROW`] for the preferred-agent stage.
    rows: Box<[u32]>,
    /// `rows[0]`, kept inline: the only row of a class without stages, found without
    /// following the box.
    first_row: u32,
    /// The agent heaps of the named agents (preferred-agent stage only).
    agents: Box<[u32]>,
    /// How many of the class's interactions wait.
    live: usize,
}

impl Class {
    /// The row of stage `stage` ([`NO_ROW`] for the preferred-agent stage), or `None` past the
    /// last stage.
    #[inline]
    fn row_of(&self, stage: usize) -> Option<u32> {
        if stage == 0 { Some(self.first_row) } else { self.rows.get(stage).copied() }
    }
}

/// Where the first interaction for an agent waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// In a row.
    Row(u32),
    /// In the agent's own heap (a preferred-agent stage).
    Agent(u32),
}

/// The bucket of rows that require no skill (the others are numbered by skill bit).
const NO_SKILL_BUCKET: u8 = MAX_DISTINCT_SKILLS as u8;

/// A row that holds interactions, as its bucket lists it: what an agent's scan reads.
#[derive(Debug, Clone, Copy)]
struct Listed {
    skills: Bits,
    language: Bits,
    /// The first (best) place in the row.
    head: Order,
    row: u32,
}

/// Rows with the same highest skill bit that hold interactions, in no particular order.
#[derive(Debug, Clone, Default)]
struct Bucket {
    rows: Vec<Listed>,
}

impl Bucket {
    /// Scans for the row with the first head among those the agent qualifies for, and
    /// improves `best` with it: a few instructions per row (one 64-byte line), no branch on
    /// the data.
    #[inline]
    fn improve(&self, lacking_skills: Bits, lacking_languages: Bits, best: &mut (Order, u32)) {
        for listed in &self.rows {
            let qualifies =
                (listed.skills & lacking_skills) | (listed.language & lacking_languages) == 0;
            if qualifies & (listed.head < best.0) {
                *best = (listed.head, listed.row);
            }
        }
    }
}

/// Numbered items with numbers reused after removal.
#[derive(Debug, Clone)]
struct Numbered<T> {
    items: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Default for Numbered<T> {
    fn default() -> Self {
        Self { items: Vec::new(), free: Vec::new() }
    }
}

impl<T> Numbered<T> {
    fn add(&mut self, item: T) -> u32 {
        match self.free.pop() {
            Some(number) => {
                self.items[number as usize] = Some(item);
                number
            }
            None => {
                self.items.push(Some(item));
                // Never more items than waiting interactions (or than the names they use),
                // which the queue keeps below u32::MAX.
                (self.items.len() - 1) as u32
            }
        }
    }

    fn take(&mut self, number: u32) -> Option<T> {
        let item = self.items.get_mut(number as usize)?.take()?;
        self.free.push(number);
        Some(item)
    }

    #[inline]
    fn get(&self, number: u32) -> Option<&T> {
        self.items.get(number as usize)?.as_ref()
    }

    #[inline]
    fn get_mut(&mut self, number: u32) -> Option<&mut T> {
        self.items.get_mut(number as usize)?.as_mut()
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.items.iter_mut().filter_map(Option::as_mut)
    }

    #[cfg(test)]
    fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter().filter_map(Option::as_ref)
    }
}

/// All requirement classes with waiting interactions, their rows, the agent heaps, and the
/// interning of skills and languages.
#[derive(Debug, Clone)]
pub(crate) struct Classes {
    classes: Numbered<Class>,
    rows: Numbered<Row>,
    agent_heaps: Numbered<AgentHeap>,
    agent_heap_of: HashMap<AgentId, u32>,
    live: usize,
    /// Rows by their bits (a class without stages is found through its row).
    row_of_bits: HashMap<(Bits, Bits), u32>,
    /// Classes with stages, by their requirements.
    staged: HashMap<Requirements, u32>,
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
            classes: Numbered::default(),
            rows: Numbered::default(),
            agent_heaps: Numbered::default(),
            agent_heap_of: HashMap::new(),
            live: 0,
            row_of_bits: HashMap::new(),
            staged: HashMap::new(),
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

    #[inline]
    pub(crate) fn get(&self, class: u32) -> Option<&Class> {
        self.classes.get(class)
    }

    /// The class number for `requirements`, creating the class (and interning its skills and
    /// language) if no interaction with these requirements waits. A new class starts with no
    /// interaction: the caller must add one at once.
    #[inline]
    pub(crate) fn find_or_create(&mut self, requirements: &Requirements) -> Result<u32, AcdError> {
        if let Some(class) = self.no_requirement
            && requirements.requires_nothing()
        {
            return Ok(class);
        }
        self.find_or_create_other(requirements)
    }

    /// [`Self::find_or_create`] for requirements other than those of a live class that
    /// requires nothing.
    fn find_or_create_other(&mut self, requirements: &Requirements) -> Result<u32, AcdError> {
        let staged = requirements.has_stages();
        if staged {
            if let Some(&class) = self.staged.get(requirements) {
                return Ok(class);
            }
        } else {
            let requires_nothing =
                requirements.skills().is_empty() && requirements.language().is_none();
            if let (true, Some(class)) = (requires_nothing, self.no_requirement) {
                return Ok(class);
            }
        }
        let mut unknown_skills =
            requirements.skills().iter().filter(|s| self.skills.bit(*s).is_none());
        if let Some(first_unknown) = unknown_skills.next() {
            if 1 + unknown_skills.count() > self.skills.free_bits() {
                return Err(AcdError::TooManySkills {
                    skill: first_unknown.to_string(),
                    limit: MAX_DISTINCT_SKILLS,
                });
            }
        } else if !staged {
            let language_bits = match requirements.language() {
                None => Some(0),
                Some(language) => self.languages.bit(language).map(|bit| 1 << bit),
            };
            if let Some(language_bits) = language_bits {
                let skill_bits = self.skills.mask_of(requirements.skills());
                let row = self.row_of_bits.get(&(skill_bits, language_bits));
                if let Some(r) = row.and_then(|&row| self.rows.get(row))
                    && r.unstaged != NO_CLASS
                {
                    return Ok(r.unstaged);
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
        let mut rows = Vec::with_capacity(requirements.stage_count());
        for stage in requirements.stages() {
            if stage.is_preferred() {
                rows.push(NO_ROW);
                continue;
            }
            let skills = self.skills.mask_of(stage.skills());
            rows.push(self.use_row(skills, language_bits));
        }
        let mut agents = Vec::with_capacity(requirements.preferred_agents().len());
        for id in requirements.preferred_agents() {
            let heap = match self.agent_heap_of.get(id) {
                Some(&heap) => heap,
                None => {
                    let heap = self.agent_heaps.add(AgentHeap {
                        id: id.clone(),
                        places: Places::default(),
                        classes: 0,
                    });
                    self.agent_heap_of.insert(id.clone(), heap);
                    heap
                }
            };
            if let Some(h) = self.agent_heaps.get_mut(heap) {
                h.classes += 1;
            }
            agents.push(heap);
        }
        let class = self.classes.add(Class {
            requirements: requirements.clone(),
            first_row: rows.first().copied().unwrap_or(NO_ROW),
            rows: rows.into_boxed_slice(),
            agents: agents.into_boxed_slice(),
            live: 0,
        });
        if staged {
            self.staged.insert(requirements.clone(), class);
        } else {
            if let Some(r) = self.classes.get(class).and_then(|c| self.rows.get_mut(c.rows[0])) {
                r.unstaged = class;
            }
            if skill_bits == 0 && language_bits == 0 {
                self.no_requirement = Some(class);
            }
        }
        self.live += 1;
        Ok(class)
    }

    /// The row for these bits, made if none exists, with one more use.
    fn use_row(&mut self, skills: Bits, language: Bits) -> u32 {
        if let Some(&row) = self.row_of_bits.get(&(skills, language))
            && let Some(r) = self.rows.get_mut(row)
        {
            r.uses += 1;
            return row;
        }
        let bucket = match skills {
            0 => NO_SKILL_BUCKET,
            bits => (Bits::BITS - 1 - bits.leading_zeros()) as u8,
        };
        let row = self.rows.add(Row {
            places: Places::default(),
            skills,
            language,
            bucket,
            at: UNLISTED,
            uses: 1,
            unstaged: NO_CLASS,
        });
        self.row_of_bits.insert((skills, language), row);
        row
    }

    /// The stage that an interaction of `class` enqueued at `enqueued_ms` is in at `now_ms`,
    /// and when that stage ends (`None` for the last stage).
    pub(crate) fn stage_at(
        &self,
        class: u32,
        enqueued_ms: i64,
        now_ms: i64,
    ) -> (usize, Option<i64>) {
        let Some(c) = self.classes.get(class) else { return (0, None) };
        let waited = now_ms.saturating_sub(enqueued_ms);
        let mut stage = 0;
        for end in c.requirements.stage_ends() {
            if end > waited {
                return (stage, Some(enqueued_ms.saturating_add(end)));
            }
            stage += 1;
        }
        (stage, None)
    }

    /// When stage `stage` of `class` ends, for an interaction enqueued at `enqueued_ms`;
    /// `None` for the last stage.
    pub(crate) fn stage_end(&self, class: u32, stage: usize, enqueued_ms: i64) -> Option<i64> {
        let end = self.classes.get(class)?.requirements.stage_ends().nth(stage)?;
        Some(enqueued_ms.saturating_add(end))
    }

    /// Adds the interaction in `slot` to `class` at `order`, in the row or agent heaps of its
    /// stage (the slab holds it already). `arriving`: it is new to the class (not a stage
    /// change).
    #[inline]
    pub(crate) fn enter(
        &mut self,
        class: u32,
        order: Order,
        slot: u32,
        arriving: bool,
        slab: &impl Current,
    ) {
        let Some(c) = self.classes.get_mut(class) else { return };
        if arriving {
            c.live += 1;
        }
        match c.row_of(order.stage()) {
            Some(NO_ROW) => self.enter_agent_heaps(class, order, slot, slab),
            Some(row) => self.enter_row(row, order, slot, slab),
            None => {}
        }
    }

    /// Adds a place to `row`, listing the row if it held none.
    #[inline]
    fn enter_row(&mut self, row: u32, order: Order, slot: u32, slab: &impl Current) {
        let Some(r) = self.rows.get_mut(row) else { return };
        r.places.push(Pending::new(order, slot), r.places.live, slab);
        r.places.live += 1;
        let bucket = &mut self.buckets[usize::from(r.bucket)];
        if r.at == UNLISTED {
            r.at = bucket.rows.len() as u32;
            bucket.rows.push(Listed { skills: r.skills, language: r.language, head: order, row });
        } else if let Some(listed) = bucket.rows.get_mut(r.at as usize)
            && order < listed.head
        {
            listed.head = order;
        }
    }

    /// Adds a place to the heap of every agent that the preferred-agent stage of `class`
    /// names.
    #[cold]
    fn enter_agent_heaps(&mut self, class: u32, order: Order, slot: u32, slab: &impl Current) {
        let Some(c) = self.classes.get(class) else { return };
        for &heap in &c.agents {
            if let Some(h) = self.agent_heaps.get_mut(heap) {
                h.places.push(Pending::new(order, slot), h.places.live, slab);
                h.places.live += 1;
            }
        }
    }

    /// Forgets the interaction that was at `order` in `class` (in the row or agent heaps of
    /// its stage), which the slab no longer holds there. Its places stay in the heaps, stale,
    /// unless one was a head. `leaving`: it leaves the class (not a stage change); then the
    /// class is dropped when it was the last.
    #[inline]
    pub(crate) fn leave(&mut self, class: u32, order: Order, leaving: bool, slab: &impl Current) {
        let Some(c) = self.classes.get_mut(class) else { return };
        if leaving {
            c.live = c.live.saturating_sub(1);
        }
        let last = c.live == 0;
        match c.row_of(order.stage()) {
            Some(NO_ROW) => self.leave_agent_heaps(class, order, slab),
            Some(row) => {
                if let Some(r) = self.rows.get_mut(row) {
                    let head = r.places.forget(order, slab);
                    self.set_head(row, head);
                }
            }
            None => {}
        }
        if last {
            self.drop_class(class);
        }
    }

    /// [`Self::leave`] for the preferred-agent stage: one place fewer in each named agent's
    /// heap.
    #[cold]
    fn leave_agent_heaps(&mut self, class: u32, order: Order, slab: &impl Current) {
        let Some(c) = self.classes.get(class) else { return };
        for &heap in &c.agents {
            if let Some(h) = self.agent_heaps.get_mut(heap) {
                h.places.forget(order, slab);
            }
        }
    }

    /// Takes the first place of `row`, at `order`, whose interaction the slab no longer holds
    /// (the caller then calls [`Self::leave_class`]).
    #[inline]
    pub(crate) fn take_head(&mut self, row: u32, order: Order, slab: &impl Current) {
        if let Some(r) = self.rows.get_mut(row) {
            let head = r.places.forget(order, slab);
            self.set_head(row, head);
        }
    }

    /// One interaction fewer in `class`, whose places are already taken care of (see
    /// [`Self::take_head`]); drops the class when it was the last.
    #[inline]
    pub(crate) fn leave_class(&mut self, class: u32) {
        let Some(c) = self.classes.get_mut(class) else { return };
        c.live = c.live.saturating_sub(1);
        if c.live == 0 {
            self.drop_class(class);
        }
    }

    /// Records the new first place of `row`, or unlists it when it holds none.
    #[inline]
    fn set_head(&mut self, row: u32, head: Option<Order>) {
        let Some(r) = self.rows.get_mut(row) else { return };
        let b = &mut self.buckets[usize::from(r.bucket)];
        match (head, b.rows.get_mut(r.at as usize)) {
            (Some(order), Some(listed)) => listed.head = order,
            (None, Some(_)) => self.unlist(row),
            // Not listed: nothing to record.
            (_, None) => {}
        }
    }

    /// Takes `row`, which holds no interaction, out of its bucket.
    fn unlist(&mut self, row: u32) {
        let Some(r) = self.rows.get_mut(row) else { return };
        let b = &mut self.buckets[usize::from(r.bucket)];
        let at = r.at as usize;
        r.at = UNLISTED;
        if at < b.rows.len() {
            b.rows.swap_remove(at);
        }
        if let Some(moved) = b.rows.get(at)
            && let Some(m) = self.rows.get_mut(moved.row)
        {
            m.at = at as u32;
        }
    }

    /// Moves the interaction in `slot` from `old` to `new` within the stage of `class` they
    /// share (the slab holds `new` already). The places at `old` stay, stale, unless one was a
    /// head.
    pub(crate) fn reorder(
        &mut self,
        class: u32,
        old: Order,
        new: Order,
        slot: u32,
        slab: &impl Current,
    ) {
        let Some(c) = self.classes.get(class) else { return };
        let Some(row) = c.row_of(new.stage()) else { return };
        if row == NO_ROW {
            for &heap in &c.agents {
                if let Some(h) = self.agent_heaps.get_mut(heap) {
                    reorder_in(&mut h.places, old, new, slot, slab);
                }
            }
            return;
        }
        let Some(r) = self.rows.get_mut(row) else { return };
        let head = reorder_in(&mut r.places, old, new, slot, slab);
        self.set_head(row, head);
    }

    /// Drops every stale place of the stage `stage` of `class` at once (its row, or the heaps
    /// of the agents it names).
    pub(crate) fn compact(&mut self, class: u32, stage: usize, slab: &impl Current) {
        let Some(c) = self.classes.get(class) else { return };
        let Some(row) = c.row_of(stage) else { return };
        if row == NO_ROW {
            for &heap in &c.agents {
                if let Some(h) = self.agent_heaps.get_mut(heap) {
                    h.places.compact(slab);
                }
            }
        } else if let Some(r) = self.rows.get_mut(row) {
            r.places.compact(slab);
        }
    }

    /// The first interaction of `source`: its order and slot. To take it, the caller takes it
    /// out of the slab, then calls [`Self::leave`], which pops its place.
    #[inline]
    pub(crate) fn head(&self, source: Source) -> Option<(Order, u32)> {
        let places = match source {
            Source::Row(row) => &self.rows.get(row)?.places,
            Source::Agent(heap) => &self.agent_heaps.get(heap)?.places,
        };
        let first = places.heap.peek()?;
        Some((first.order(), first.slot))
    }

    /// Drops `class`, which no interaction is waiting in: its rows, its claims on agent heaps
    /// and its skill and language bits.
    fn drop_class(&mut self, class: u32) {
        let Some(c) = self.classes.take(class) else { return };
        self.live -= 1;
        for &row in &c.rows {
            let Some(r) = self.rows.get_mut(row) else { continue };
            if r.unstaged == class {
                r.unstaged = NO_CLASS;
            }
            r.uses -= 1;
            if r.uses == 0 {
                self.set_head(row, None);
                if let Some(r) = self.rows.take(row) {
                    self.row_of_bits.remove(&(r.skills, r.language));
                }
            }
        }
        for &heap in &c.agents {
            if let Some(h) = self.agent_heaps.get_mut(heap) {
                h.classes -= 1;
                if h.classes == 0
                    && let Some(h) = self.agent_heaps.take(heap)
                {
                    self.agent_heap_of.remove(&h.id);
                }
            }
        }
        if c.requirements.has_stages() {
            self.staged.remove(&c.requirements);
        } else if self.no_requirement == Some(class) {
            self.no_requirement = None;
        }
        for skill in c.requirements.skills() {
            self.skills.release(skill);
        }
        if let Some(language) = c.requirements.language() {
            self.languages.release(language);
        }
    }

    /// Where the first interaction waits that `agent` may take, and its place.
    pub(crate) fn first_for(&self, agent: &super::Agent) -> Option<(Order, Source)> {
        if agent.skills().is_empty() && agent.languages().is_empty() && agent.id().is_none() {
            // An agent with nothing to match: only rows that require nothing qualify.
            let mut best = (Order::MAX, u32::MAX);
            self.buckets[usize::from(NO_SKILL_BUCKET)].improve(!0, !0, &mut best);
            return (best.0 != Order::MAX).then_some((best.0, Source::Row(best.1)));
        }
        let (skills, languages, heap) = self.agent_bits(agent);
        self.best_for(skills, languages, heap)
    }

    /// Where the first interaction waits that an agent with these skill and language bits,
    /// and this agent heap, may take: a scan of the no-skill bucket and of the bucket of each
    /// of the agent's skill bits, and a look at the head of its own heap.
    #[inline]
    fn best_for(
        &self,
        agent_skills: Bits,
        agent_languages: Bits,
        agent_heap: Option<u32>,
    ) -> Option<(Order, Source)> {
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
        let mut found = (best.0 != Order::MAX).then_some((best.0, Source::Row(best.1)));
        if let Some(heap) = agent_heap
            && let Some(h) = self.agent_heaps.get(heap)
            && let Some(first) = h.places.heap.peek()
            && found.is_none_or(|(order, _)| first.order() < order)
        {
            found = Some((first.order(), Source::Agent(heap)));
        }
        found
    }

    /// The skill and language bits of `agent`'s skills and languages that some class uses
    /// (a language gives the bits of every range that matches it), and its agent heap.
    #[inline]
    fn agent_bits(&self, agent: &super::Agent) -> (Bits, Bits, Option<u32>) {
        let skills =
            if agent.skills().is_empty() { 0 } else { self.skills.mask_of(agent.skills()) };
        let languages = if agent.languages().is_empty() || self.languages.is_empty() {
            0
        } else {
            agent
                .languages()
                .iter()
                .flat_map(Language::ranges_matching)
                .filter_map(|range| self.languages.bit(range))
                .fold(0, |mask, bit| mask | 1 << bit)
        };
        let heap = match agent.id() {
            Some(id) if !self.agent_heap_of.is_empty() => self.agent_heap_of.get(id).copied(),
            _ => None,
        };
        (skills, languages, heap)
    }

    /// How many places the heaps hold, stale ones included, and how many of them are stale.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> (usize, usize) {
        let rows = self.rows.iter().map(|r| &r.places);
        let agents = self.agent_heaps.iter().map(|h| &h.places);
        rows.chain(agents).fold((0, 0), |(all, stale), p| (all + p.heap.len(), stale + p.stale()))
    }

    /// Refills every heap with the waiting interactions `(class, order, slot)`, given in
    /// routing order (so each push is O(1)), dropping every stale place. For the queue's
    /// renumbering.
    pub(crate) fn rebuild(
        &mut self,
        in_order: impl IntoIterator<Item = (u32, Order, u32)>,
        slab: &impl Current,
    ) {
        for r in self.rows.iter_mut() {
            r.places = Places::default();
        }
        for h in self.agent_heaps.iter_mut() {
            h.places = Places::default();
        }
        for bucket in &mut self.buckets {
            *bucket = Bucket::default();
        }
        for r in self.rows.iter_mut() {
            r.at = UNLISTED;
        }
        for (class, order, slot) in in_order {
            self.enter(class, order, slot, false, slab);
        }
    }
}

/// Pushes the place at `new` and settles the top if it was `old`; the new first place.
fn reorder_in(
    places: &mut Places,
    old: Order,
    new: Order,
    slot: u32,
    slab: &impl Current,
) -> Option<Order> {
    // Every interaction of the heap but this one has a current place.
    places.push(Pending::new(new, slot), places.live.saturating_sub(1), slab);
    let first = places.heap.peek().map(Pending::order);
    if first == Some(old) {
        return places.settle(slab);
    }
    if places.stale() > places.live {
        places.compact(slab);
    }
    first
}
