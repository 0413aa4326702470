//! [`AcdQueue`]: waiting interactions, handed out in routing order to agents who qualify.

use std::borrow::Borrow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};

use super::class::{Classes, Source};
use super::hasher::IdHashBuilder;
use super::heap::{Heap, Pending};
use super::index::{IdIndex, Vacancy};
use super::interaction::{Interaction, Waiting};
use super::key::{GENERATION_MAX, Order, SEQ_MAX};
use super::slab::{Entry, Slab};
use super::{AcdError, Agent, Requirements, Score};
use crate::Priority;
use crate::Timestamp;
use crate::inbound::QueueDispatch;

/// How many interactions one queue can hold.
pub const MAX_WAITING: usize = i32::MAX as usize;

/// The queue of interactions waiting for an agent, in routing order: highest
/// [`routing_key`](super::routing_key) first (score = minutes waited + priority), ties to the
/// earlier `enqueued_at`, then to the earlier enqueue.
///
/// `Id` is the host's interaction id: any `Hash + Eq` type (`Debug` to name it in errors).
/// `S` hashes ids. The default, [`IdHashBuilder`], is fast and randomly seeded, but resists
/// hash flooding only minimally: when ids come from outside parties, use std's `RandomState`
/// ([`with_hasher`](Self::with_hasher); see [`IdHashBuilder`]).
///
/// # Stages
/// Requirements may change while an interaction waits ([`Requirements`]: a preferred-agent
/// stage, bullseye rings). [`next_for`](Self::next_for) and [`peek_for`](Self::peek_for) take
/// the current time and first apply the stage changes due by then (a stage that ends exactly
/// then has ended); the queue never reads a clock. Stages never change the score or the place
/// in the routing order. Several queues served by one agent: [`next_across`](super::next_across).
///
/// # Cost
/// With `n` interactions waiting in `c` requirement classes (distinct requirements, see
/// [`class_count`](Self::class_count)), and the interactions of every ring that requires the
/// same skills and language in one heap (a **row**; `r` rows hold interactions, at most `c`
/// without stages, and never more than the distinct skill and language sets in force):
/// - [`enqueue`](Self::enqueue): O(log n), and O(1) on average for an arrival that comes
///   after most of its row, as new arrivals usually do (at equal priority a later arrival
///   has a lower key); plus a hash lookup per required skill when the requirements are not
///   those of a live class (and one hash of the requirements when they have stages); plus one
///   place per named agent in a preferred-agent stage. Most of it is the id index (a
///   `hashbrown` table of slots, looked up to refuse a duplicate: its control bytes, a
///   megabyte per million buckets, are read, and the bucket is only written) and the first
///   touch of fresh memory. [`try_reserve`](Self::try_reserve) avoids the index's growth
///   pauses;
/// - [`remove`](Self::remove): O(1) amortized, plus O(log n) when it removes the head of
///   its row. The interaction leaves at once, but its place in the row's heap stays,
///   stale, until it reaches the top (then it is dropped) or the heap compacts (once stale
///   places outnumber waiting interactions: O(row size), so about two steps per removal);
/// - [`reprioritize`](Self::reprioritize): O(log n), with a new place in the heap; the old
///   place stays stale, as for `remove`;
/// - a due stage change (applied by the next take or peek): O(log n), the same as a
///   `reprioritize` into the row of the new stage, plus a timer (a binary heap of the
///   interactions whose stage ends, O(log n)). Interactions without stages have no timer;
/// - [`next_for`](Self::next_for), [`peek_for`](Self::peek_for): O(r + log n) plus the due
///   stage changes, plus one hash lookup per agent skill, one per language subtag (`en-us`
///   looks up `*`, `en` and `en-us`) and one for the agent's id when some interaction prefers
///   an agent. Interactions are never scanned; the `r` part is a branch-free scan of about
///   50 bytes per row (requirement bitsets and head), limited to the rows that require no
///   skill or whose rarest skill the agent has; interactions in a preferred-agent stage wait
///   in a heap of each named agent, read only by that agent. Measured figures are in the
///   README;
/// - [`iter`](Self::iter): O(n) to start, then O(log n) per item, so O(n log n) for all of
///   them (as a snapshot reads them);
/// - [`score`](Self::score), [`get`](Self::get), [`contains`](Self::contains): O(1).
///
/// # Memory
/// About 65 to 93 bytes per waiting interaction beyond the id itself (measured with a
/// counting allocator at 100k to 1M waiting, `u64` ids, after filling the queue and after as
/// many random removals with new arrivals, or priority changes): a slab entry of 24 bytes
/// plus the id (32 in all for a `u64`), 9 bytes per id-index bucket (8 and a control byte)
/// at up to 7/8 load, and a 20-byte heap place per interaction, plus stale places and room
/// to grow (a heap only grows when more than 7/8 of it is in use).
/// Where in that range depends on how full the doubling vectors happen to be. Each id is
/// stored once and never cloned. When many interactions leave, the slab keeps its memory for
/// later arrivals, even once the queue is empty (the index and the heaps shrink, the index
/// not below a [reservation](Self::try_reserve)); [`clear`](Self::clear) gives all of it
/// back.
///
/// # Snapshot (feature `serde`)
/// A queue serializes to `{"waiting": [{"id", "priority", "enqueued_at", "requirements"?}, ...]}`
/// in routing order (`requirements` = `{"skills": [...], "language": ..., "preferred":
/// {"agents": [...], "wait_ms": ...}, "rings": [{"stay_ms": ..., "remove": [...]}, ...]}`,
/// each part omitted when empty, the whole omitted when nothing is required). Deserializing
/// enqueues the list in order, so interactions that tie on key and `enqueued_at` keep their
/// order and later enqueues come after them; it validates like [`enqueue`](Self::enqueue)
/// and the stage methods of [`Requirements`], and names the position of a refused entry.
/// Stages are not stored: each interaction's stage follows from its `enqueued_at` and the
/// time of the next take.
///
/// ```
/// use email_routing::Timestamp;
/// use email_routing::{Language, Priority, Skill};
/// use email_routing::acd::{AcdQueue, Agent, Requirements};
///
/// let now = 1_780_000_000_000;
/// let at = |ms| Timestamp::from_unix_millis(ms).unwrap();
/// let billing = Skill::new("billing").unwrap();
/// let mut queue = AcdQueue::new();
/// queue.enqueue("mail-1", Priority::new(10).unwrap(), &Requirements::none(), at(now - 360_000))?;
/// let needs_billing = Requirements::none().with_skill(billing.clone());
/// queue.enqueue("mail-2", Priority::new(20).unwrap(), &needs_billing, at(now - 240_000))?;
///
/// // 24 points beat 16 points, but only for an agent with the skill.
/// let generalist = Agent::unskilled();
/// let specialist = Agent::unskilled().with_skill(billing);
/// assert_eq!(queue.peek_for(&generalist, at(now)).map(|w| *w.id()), Some("mail-1"));
/// assert_eq!(queue.next_for(&specialist, at(now)).map(|i| i.into_id()), Some("mail-2"));
/// assert_eq!(queue.score(&"mail-1", at(now)).map(|s| s.milli_points()), Some(16_000));
/// # Ok::<(), email_routing::acd::AcdError>(())
/// ```
#[derive(Clone)]
pub struct AcdQueue<Id, S = IdHashBuilder> {
    slab: Slab<Id>,
    len: usize,
    index: IdIndex,
    classes: Classes,
    next_seq: u64,
    hasher: S,
    /// The latest time a take or peek was asked for, in ms (`i64::MIN` before any): stage
    /// changes due by then have been applied.
    clock: i64,
    /// When each interaction with a later stage leaves its stage, earliest on top; plus stale
    /// timers of interactions that left the queue.
    timers: BinaryHeap<Reverse<Timer>>,
    /// How many timers are current (one per waiting interaction not in its last stage).
    live_timers: usize,
}

/// When the interaction in `slot`, in the stage `seq_and_stage` names, leaves that stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Timer {
    due: i64,
    seq_and_stage: u64,
    slot: u32,
}

/// Where an agent's next interaction waits, and its place: what a peek found, for a take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Choice {
    pub(crate) order: Order,
    source: Source,
}

impl<Id> AcdQueue<Id> {
    /// An empty queue.
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(IdHashBuilder::new())
    }

    /// An empty queue with room for `capacity` interactions before its storage grows (see
    /// [`try_reserve`](Self::try_reserve)). The capacity is a hint: one the queue cannot hold
    /// or allocate is ignored, and the queue grows as interactions arrive.
    ///
    /// ```
    /// use email_routing::acd::AcdQueue;
    /// let queue: AcdQueue<u64> = AcdQueue::with_capacity(10_000);
    /// assert!(queue.capacity() >= 10_000);
    /// assert!(queue.is_empty());
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, IdHashBuilder::new())
    }
}

impl<Id, S: Default> Default for AcdQueue<Id, S> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<Id, S> AcdQueue<Id, S> {
    /// An empty queue that hashes ids with `hasher`.
    pub fn with_hasher(hasher: S) -> Self {
        Self {
            slab: Slab::default(),
            len: 0,
            index: IdIndex::default(),
            classes: Classes::new(),
            next_seq: 0,
            hasher,
            clock: i64::MIN,
            timers: BinaryHeap::new(),
            live_timers: 0,
        }
    }

    /// An empty queue that hashes ids with `hasher`, with room for `capacity` interactions
    /// (a hint, as for [`with_capacity`](AcdQueue::with_capacity)).
    pub fn with_capacity_and_hasher(capacity: usize, hasher: S) -> Self {
        let mut queue = Self::with_hasher(hasher);
        // A hint: when it cannot be met, the queue grows on demand instead.
        let _ = queue.try_reserve(capacity);
        queue
    }

    /// Makes room for at least `additional` more interactions, so that enqueuing them
    /// reallocates neither the interaction store nor the id index. The room lasts until
    /// [`clear`](Self::clear), even if interactions leave meanwhile. Each requirement class
    /// still grows its own heap as its interactions arrive (how they spread over classes is
    /// not known in advance); those are plain vectors, cheap to grow.
    ///
    /// What it buys is an even latency, not throughput. Without it the id index doubles as
    /// the queue grows, and each doubling rehashes every waiting id during one enqueue: about
    /// 20 ms at 1M waiting on a 2-core machine, against well under 1 ms for the worst enqueue
    /// into a queue reserved for 1M. Filling the queue takes no less time in all (a full-size
    /// index from the start misses the cache more often), so reserve when a known number
    /// arrives (a restore, as snapshots do, or a replay) or when a pause would hurt.
    ///
    /// # Errors
    /// `acd.capacity_too_large` if the waiting interactions plus `additional` pass
    /// [`MAX_WAITING`]; `acd.out_of_memory` if the allocator refuses. On error nothing waiting
    /// changes.
    ///
    /// ```
    /// use email_routing::acd::{AcdQueue, MAX_WAITING};
    /// let mut queue: AcdQueue<u64> = AcdQueue::new();
    /// queue.try_reserve(1_000)?;
    /// assert!(queue.capacity() >= 1_000);
    /// let err = queue.try_reserve(MAX_WAITING + 1).unwrap_err();
    /// assert_eq!(err.code(), "acd.capacity_too_large");
    /// # Ok::<(), email_routing::acd::AcdError>(())
    /// ```
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), AcdError> {
        self.make_room(additional, true)
    }

    /// Room for `additional` more interactions; with `pin`, kept until [`clear`](Self::clear)
    /// (a caller's reservation), otherwise free to shrink as interactions leave (a restore's).
    pub(crate) fn make_room(&mut self, additional: usize, pin: bool) -> Result<(), AcdError> {
        let requested = self.len.saturating_add(additional);
        if requested > MAX_WAITING {
            return Err(AcdError::CapacityTooLarge { requested, limit: MAX_WAITING });
        }
        let out_of_memory = AcdError::OutOfMemory { requested };
        self.slab.try_reserve(additional, self.len).map_err(|_| out_of_memory.clone())?;
        self.index.try_reserve(requested, pin).map_err(|_| out_of_memory)
    }

    /// How many interactions the queue holds before its interaction store or its id index
    /// must grow (at least [`len`](Self::len)).
    pub fn capacity(&self) -> usize {
        // Both hold every waiting interaction, so the smaller is at least `len`.
        self.slab.capacity().min(self.index.capacity())
    }

    /// How many interactions are waiting.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no interaction is waiting.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many requirement classes (distinct skill sets plus language) have waiting
    /// interactions: the `c` in the cost of [`next_for`](Self::next_for).
    pub fn class_count(&self) -> usize {
        self.classes.live_count()
    }

    /// Takes (removes and returns) the first interaction in routing order that `agent` may
    /// take at `now`: one in a preferred-agent stage that names the agent's id, or one in a
    /// ring whose every required skill the agent has and whose language, if any, the agent
    /// speaks (see [`Requirements`] for the matching rules). `None` if there is none.
    ///
    /// Stage changes due by `now` apply first (a stage that ends exactly at `now` has ended).
    /// Time only moves forward for the queue: a `now` earlier than one it was given before
    /// counts as that one, and stage changes are never undone.
    pub fn next_for(&mut self, agent: &Agent, now: Timestamp) -> Option<Interaction<Id>> {
        let choice = self.choose(agent, now)?;
        self.take(choice)
    }

    /// The interaction [`next_for`](Self::next_for) would take for `agent` at `now`, left in
    /// place. Stage changes due by `now` apply first, which is why it takes `&mut self`.
    pub fn peek_for(&mut self, agent: &Agent, now: Timestamp) -> Option<Waiting<'_, Id>> {
        let choice = self.choose(agent, now)?;
        self.view_choice(choice)
    }

    /// Applies the stage changes due by `now`, then finds where the first interaction for
    /// `agent` waits.
    pub(crate) fn choose(&mut self, agent: &Agent, now: Timestamp) -> Option<Choice> {
        self.advance(now);
        let (order, source) = self.classes.first_for(agent)?;
        Some(Choice { order, source })
    }

    /// The interaction a [`Choice`] found, left in place.
    pub(crate) fn view_choice(&self, choice: Choice) -> Option<Waiting<'_, Id>> {
        let (order, slot) = self.classes.head(choice.source)?;
        let entry = self.slab.get(slot)?;
        self.view(entry.class(), order, slot)
    }

    /// Takes the interaction a [`Choice`] found, with no change to the queue in between.
    pub(crate) fn take(&mut self, choice: Choice) -> Option<Interaction<Id>> {
        let (order, slot) = self.classes.head(choice.source)?;
        let entry = self.slab.take(slot)?;
        match choice.source {
            Source::Row(row) => {
                // The row's heap first, found without the slab entry: its reads depend on
                // each other, and the entry's and the index's reads (the next cache misses)
                // do not depend on them, so they overlap.
                self.classes.take_head(row, order, &self.slab);
                self.index.remove(entry.hash, |s| s == slot);
                self.forget_timer(entry.class(), order);
                self.classes.leave_class(entry.class());
                self.left_one();
            }
            Source::Agent(_) => {
                self.index.remove(entry.hash, |s| s == slot);
                self.departed(entry.class(), order);
            }
        }
        Some(Interaction { id: entry.id, order: order.with_generation(0) })
    }

    /// Applies the stage changes due by `now` (at most once per interaction and stage, each
    /// O(log n)), and moves the clock to `now` if it is later.
    fn advance(&mut self, now: Timestamp) {
        let now = now.unix_millis();
        if now <= self.clock {
            return;
        }
        self.clock = now;
        while let Some(&Reverse(timer)) = self.timers.peek()
            && timer.due <= now
        {
            self.timers.pop();
            let current = self
                .slab
                .get(timer.slot)
                .is_some_and(|entry| entry.order.seq_and_stage() == timer.seq_and_stage);
            if current {
                self.live_timers -= 1;
                self.change_stage(timer.slot);
            }
        }
    }

    /// Moves the interaction in `slot` to the stage it is in at the clock.
    fn change_stage(&mut self, slot: u32) {
        let Some(entry) = self.slab.get_mut(slot) else { return };
        let (old, class) = (entry.order, entry.class());
        let enqueued_ms = old.enqueued_at().unix_millis();
        let (stage, due) = self.classes.stage_at(class, enqueued_ms, self.clock);
        let new = old.with_stage(stage);
        entry.order = new;
        self.classes.leave(class, old, false, &self.slab);
        self.classes.enter(class, new, slot, false, &self.slab);
        self.set_timer(due, new, slot);
    }

    /// Starts the timer of the interaction in `slot`, now at `order`, if its stage ends.
    fn set_timer(&mut self, due: Option<i64>, order: Order, slot: u32) {
        if let Some(due) = due {
            self.timers.push(Reverse(Timer { due, seq_and_stage: order.seq_and_stage(), slot }));
            self.live_timers += 1;
        }
    }

    /// Forgets an interaction of `class` that was at `order` and has left the slab: its
    /// places, its class if it was the last, its timer.
    fn departed(&mut self, class: u32, order: Order) {
        self.forget_timer(class, order);
        self.classes.leave(class, order, true, &self.slab);
        self.left_one();
    }

    /// Forgets the timer of an interaction of `class` that was at `order` and has left the
    /// slab, if its stage ends; drops the stale timers once they outnumber the live ones.
    #[inline]
    fn forget_timer(&mut self, class: u32, order: Order) {
        // Without live timers no waiting interaction's stage ends (the common case: no stages).
        if self.live_timers > 0
            && self
                .classes
                .stage_end(class, order.stage(), order.enqueued_at().unix_millis())
                .is_some()
        {
            self.live_timers -= 1;
            if self.timers.len() >= 64 && self.timers.len() - self.live_timers > self.live_timers {
                let slab = &self.slab;
                self.timers.retain(|Reverse(timer)| {
                    slab.get(timer.slot)
                        .is_some_and(|e| e.order.seq_and_stage() == timer.seq_and_stage)
                });
            }
        }
    }

    /// Every waiting interaction, in routing order (the order of [`next_for`](Self::next_for)
    /// for an agent who qualifies for everything).
    ///
    /// O(n) to start: one pass over the waiting interactions into a heap of their own (20
    /// bytes each), built in linear time; then O(log n) per item. Reading only the first few
    /// is cheap after the start; reading them all costs O(n log n), like sorting.
    pub fn iter(&self) -> Iter<'_, Id> {
        let all: Vec<Pending> =
            self.slab.entries().map(|(slot, entry)| Pending::new(entry.order, slot)).collect();
        Iter { slab: &self.slab, classes: &self.classes, heap: Heap::from_vec(all) }
    }

    /// Removes every waiting interaction and gives their memory back (a reservation
    /// included).
    pub fn clear(&mut self) {
        self.slab = Slab::default();
        self.len = 0;
        self.index.clear();
        self.classes = Classes::new();
        self.next_seq = 0;
        self.timers = BinaryHeap::new();
        self.live_timers = 0;
    }

    fn view(&self, class: u32, order: Order, slot: u32) -> Option<Waiting<'_, Id>> {
        let entry = self.slab.get(slot)?;
        let requirements = &self.classes.get(class)?.requirements;
        Some(Waiting { id: &entry.id, order, requirements })
    }

    /// How many slots hold an interaction.
    #[cfg(test)]
    fn slab_len(&self) -> usize {
        self.slab.in_use()
    }

    /// Counts one interaction fewer; when none is left (and so no class), starts the slab over
    /// so that it does not keep a long free list.
    fn left_one(&mut self) {
        self.len -= 1;
        if self.len == 0 && self.classes.live_count() == 0 {
            self.slab.clear();
        }
    }

    /// Gives every waiting interaction a new sequence number 0, 1, 2, ... in routing order,
    /// so that sequence numbers never run out. Runs once every 2^40 (about 10^12) enqueues.
    /// Also resets every generation to 0, drops every stale place from the heaps and every
    /// stale timer.
    #[cold]
    #[inline(never)]
    fn renumber(&mut self) {
        let mut all: Vec<(Order, u32)> =
            self.slab.entries().map(|(slot, entry)| (entry.order, slot)).collect();
        all.sort_unstable();
        let mut renumbered = Vec::with_capacity(all.len());
        self.timers.clear();
        self.live_timers = 0;
        for (seq, &(order, slot)) in (0u64..).zip(&all) {
            if let Some(entry) = self.slab.get_mut(slot) {
                entry.order = order.with_seq(seq);
                renumbered.push((entry.class(), entry.order, slot));
            }
        }
        for &(class, order, slot) in &renumbered {
            let enqueued_ms = order.enqueued_at().unix_millis();
            let due = self.classes.stage_end(class, order.stage(), enqueued_ms);
            self.set_timer(due, order, slot);
        }
        self.classes.rebuild(renumbered, &self.slab);
        self.next_seq = all.len() as u64;
    }
}

impl<Id: Hash + Eq, S: BuildHasher> AcdQueue<Id, S> {
    /// Puts a message the inbound dispatch sent to a queue ([`QueueDispatch`]) in this queue as
    /// interaction `id`: with the route's priority and requirements (its skills and language),
    /// waiting from when the message arrived. The host keeps one queue per
    /// [`QueueId`](crate::QueueId) and picks it with `dispatch.route().queue()`.
    ///
    /// # Errors
    /// As [`enqueue`](Self::enqueue).
    ///
    /// [`QueueDispatch`]: crate::inbound::QueueDispatch
    pub fn enqueue_dispatch(&mut self, dispatch: &QueueDispatch<'_>, id: Id) -> Result<(), AcdError>
    where
        Id: fmt::Debug,
    {
        let requirements = Requirements::of_route(dispatch.route());
        self.enqueue(id, dispatch.route().priority(), &requirements, dispatch.received_at())
    }

    /// [`enqueue_dispatch`](Self::enqueue_dispatch) with the route's requirements replaced by
    /// `requirements`: typically [`Requirements::of_route`] with stages added, such as a
    /// preferred-agent stage for a reply that continues a conversation.
    ///
    /// # Errors
    /// As [`enqueue`](Self::enqueue).
    pub fn enqueue_dispatch_with(
        &mut self,
        dispatch: &QueueDispatch<'_>,
        id: Id,
        requirements: &Requirements,
    ) -> Result<(), AcdError>
    where
        Id: fmt::Debug,
    {
        self.enqueue(id, dispatch.route().priority(), requirements, dispatch.received_at())
    }

    /// Adds an interaction that waits from `enqueued_at` with `priority` for an agent who
    /// meets `requirements`.
    ///
    /// # Errors
    /// `acd.duplicate_id` if `id` is already waiting; `acd.too_many_skills` /
    /// `acd.too_many_languages` past [`MAX_DISTINCT_SKILLS`](super::MAX_DISTINCT_SKILLS)
    /// distinct skills (or languages) in use at once; `acd.full` past [`MAX_WAITING`].
    /// On error the queue is unchanged.
    pub fn enqueue(
        &mut self,
        id: Id,
        priority: Priority,
        requirements: &Requirements,
        enqueued_at: Timestamp,
    ) -> Result<(), AcdError>
    where
        Id: fmt::Debug,
    {
        if self.len >= MAX_WAITING {
            return Err(AcdError::Full { limit: MAX_WAITING });
        }
        if self.next_seq > SEQ_MAX {
            self.renumber();
        }
        let hash = self.hash(&id);
        // One look-up both refuses a duplicate and finds the bucket for the new id.
        let slab = &self.slab;
        let vacancy = self.index.vacancy(hash, |slot| slab.get(slot).is_some_and(|e| e.id == id));
        if let Vacancy::Taken = vacancy {
            return Err(duplicate(&id));
        }
        let class = self.classes.find_or_create(requirements)?;
        let (stage, due) = if requirements.has_stages() {
            self.classes.stage_at(class, enqueued_at.unix_millis(), self.clock)
        } else {
            (0, None)
        };
        let order = Order::new(priority, enqueued_at, self.next_seq).with_stage(stage);
        self.next_seq += 1;
        let slot = self.slab.occupy(Entry::new(order, id, hash, class));
        vacancy.fill(slot);
        self.len += 1;
        self.classes.enter(class, order, slot, true, &self.slab);
        self.set_timer(due, order, slot);
        Ok(())
    }

    /// Removes a waiting interaction (abandoned, transferred, answered elsewhere) and returns
    /// it, or `None` if it is not waiting.
    pub fn remove<Q>(&mut self, id: &Q) -> Option<Interaction<Id>>
    where
        Id: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hash(id);
        let slab = &self.slab;
        let slot = self
            .index
            .remove(hash, |slot| slab.get(slot).is_some_and(|entry| entry.id.borrow() == id))?;
        let entry = self.slab.take(slot)?;
        self.departed(entry.class(), entry.order);
        Some(Interaction { id: entry.id, order: entry.order.with_generation(0) })
    }

    /// Changes a waiting interaction's priority, at once; it keeps its wait (its
    /// `enqueued_at`) and its place among equals. Returns the previous priority, or `None` if
    /// it is not waiting.
    pub fn reprioritize<Q>(&mut self, id: &Q, priority: Priority) -> Option<Priority>
    where
        Id: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find(id)?;
        let entry = self.slab.get(slot)?;
        let (old, class) = (entry.order, entry.class());
        let new = Order::new(priority, old.enqueued_at(), old.seq()).with_stage(old.stage());
        if new != old.with_generation(0) {
            // The heaps of this stage may still list this interaction at earlier places. A
            // new generation keeps the new place distinct from all of them; before the
            // generation wraps around, they drop them, so that none can come back. (Places
            // in earlier stages differ by stage.)
            if old.generation() == GENERATION_MAX {
                self.classes.compact(class, old.stage(), &self.slab);
            }
            let new = new.with_generation(old.generation().wrapping_add(1));
            let entry = self.slab.get_mut(slot)?;
            entry.order = new;
            self.classes.reorder(class, old, new, slot, &self.slab);
        }
        Some(old.priority())
    }

    /// A waiting interaction's score at `now` (minutes waited + priority, at millisecond
    /// resolution), or `None` if it is not waiting.
    pub fn score<Q>(&self, id: &Q, now: Timestamp) -> Option<Score>
    where
        Id: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get(id).map(|waiting| waiting.score(now))
    }

    /// A waiting interaction, or `None` if it is not waiting.
    pub fn get<Q>(&self, id: &Q) -> Option<Waiting<'_, Id>>
    where
        Id: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find(id)?;
        let entry = self.slab.get(slot)?;
        self.view(entry.class(), entry.order, slot)
    }

    /// Whether an interaction is waiting.
    pub fn contains<Q>(&self, id: &Q) -> bool
    where
        Id: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find(id).is_some()
    }

    /// The short hash of `id` that the index keeps.
    ///
    /// Spelled out rather than `BuildHasher::hash_one`, which the compiler did not always
    /// inline into `enqueue` (with SipHash it left a call costing about 20 instructions).
    #[inline(always)]
    #[allow(clippy::manual_hash_one)]
    fn hash<Q: Hash + ?Sized>(&self, id: &Q) -> u32 {
        let mut state = self.hasher.build_hasher();
        id.hash(&mut state);
        IdIndex::short_hash(state.finish())
    }

    /// The slot of `id`.
    fn find<Q>(&self, id: &Q) -> Option<u32>
    where
        Id: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hash(id);
        let slab = &self.slab;
        self.index.find(hash, |slot| slab.get(slot).is_some_and(|entry| entry.id.borrow() == id))
    }
}

/// The error for an id that is already waiting.
#[cold]
#[inline(never)]
fn duplicate(id: &impl fmt::Debug) -> AcdError {
    AcdError::DuplicateId { id: format!("{id:?}") }
}

impl<Id: fmt::Debug, S> fmt::Debug for AcdQueue<Id, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcdQueue")
            .field("len", &self.len)
            .field("classes", &self.class_count())
            .field("waiting", &DebugWaiting(self))
            .finish()
    }
}

struct DebugWaiting<'a, Id, S>(&'a AcdQueue<Id, S>);

impl<Id: fmt::Debug, S> fmt::Debug for DebugWaiting<'_, Id, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

/// The waiting interactions of an [`AcdQueue`] in routing order; see [`AcdQueue::iter`].
pub struct Iter<'a, Id> {
    slab: &'a Slab<Id>,
    classes: &'a Classes,
    /// The interactions not yet returned, first in routing order on top.
    heap: Heap,
}

impl<'a, Id> Iterator for Iter<'a, Id> {
    type Item = Waiting<'a, Id>;

    fn next(&mut self) -> Option<Self::Item> {
        // Every entry is a waiting interaction: the slab and the classes cannot change while
        // the iterator borrows them.
        let first = self.heap.pop()?;
        let entry = self.slab.get(first.slot)?;
        let requirements = &self.classes.get(entry.class())?.requirements;
        Some(Waiting { id: &entry.id, order: entry.order, requirements })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.heap.len(), Some(self.heap.len()))
    }
}

impl<Id> ExactSizeIterator for Iter<'_, Id> {}

impl<Id> std::iter::FusedIterator for Iter<'_, Id> {}

impl<Id> fmt::Debug for Iter<'_, Id> {
    /// How many interactions are left, like std's iterators over collections show their
    /// remaining length; the interactions themselves are what the iterator yields.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").field("remaining", &self.heap.len()).finish_non_exhaustive()
    }
}

impl<'a, Id, S> IntoIterator for &'a AcdQueue<Id, S> {
    type Item = Waiting<'a, Id>;
    type IntoIter = Iter<'a, Id>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renumbering_keeps_the_order() {
        let p = |v| Priority::new(v).unwrap();
        let t = |ms| Timestamp::from_unix_millis(ms).unwrap();
        let mut queue: AcdQueue<u32> = AcdQueue::new();
        queue.next_seq = SEQ_MAX - 3;
        for id in 0..20 {
            queue.enqueue(id, p(1), &Requirements::none(), t(1_000)).unwrap();
            if id == 1 {
                // A stale entry behind the head, which the renumbering must drop.
                queue.remove(&1).unwrap();
            }
            if id == 2 {
                // A priority that changed and changed back: a stale place and a generation.
                queue.reprioritize(&2, p(0)).unwrap();
                queue.reprioritize(&2, p(1)).unwrap();
            }
        }
        assert_eq!(queue.classes.entries(), (19, 0));
        let ids: Vec<u32> = queue.iter().map(|w| *w.id()).collect();
        assert_eq!(ids, (0..20).filter(|&id| id != 1).collect::<Vec<_>>());
        assert!(queue.next_seq < 30);
        assert_eq!(queue.slab_len(), 19);
        assert_eq!(queue.get(&2).map(|w| w.priority()), Some(p(1)));
        let taken: Vec<u32> = std::iter::from_fn(|| {
            queue.next_for(&Agent::unskilled(), t(1_000)).map(|i| i.into_id())
        })
        .collect();
        assert_eq!(taken, ids);
    }

    /// Stale entries (places left behind in the class heaps) never outnumber the interactions
    /// after a removal or a priority change, and slots are freed at once.
    #[test]
    fn stale_entries_are_bounded() {
        let p = |v| Priority::new(v).unwrap();
        let t = |ms| Timestamp::from_unix_millis(ms).unwrap();
        let mut queue: AcdQueue<u32> = AcdQueue::new();
        for id in 0..1_000 {
            queue.enqueue(id, p(0), &Requirements::none(), t(1_000 + i64::from(id))).unwrap();
        }
        // Everything but the head leaves from the back, half of the rest changes priority
        // first.
        for id in (1..1_000).rev() {
            if id % 2 == 0 {
                queue.reprioritize(&id, p(-1)).unwrap();
                let (all, stale) = queue.classes.entries();
                assert!(stale <= all - stale, "{all} entries, {stale} stale");
            }
            queue.remove(&id).unwrap();
            let (all, stale) = queue.classes.entries();
            assert_eq!(all - stale, queue.len());
            assert!(stale <= queue.len(), "{all} entries, {stale} stale");
            assert_eq!(queue.slab_len(), queue.len());
        }
        assert_eq!(queue.iter().count(), 1);
        for id in 1_000..1_500 {
            queue.enqueue(id, p(0), &Requirements::none(), t(5_000)).unwrap();
        }
        assert_eq!(queue.iter().count(), 501);
        assert!(queue.next_for(&Agent::unskilled(), t(5_000)).is_some_and(|i| *i.id() == 0));
        assert_eq!(queue.slab_len(), 500);
    }

    /// An interaction whose priority goes back and forth more often than there are
    /// generations never has two current places: after compaction only current entries are
    /// left, one per interaction.
    #[test]
    fn generations_wrapping_around_never_revive_an_old_place() {
        let p = |v| Priority::new(v).unwrap();
        let t = |ms| Timestamp::from_unix_millis(ms).unwrap();
        let mut queue: AcdQueue<u32> = AcdQueue::new();
        // Enough interactions that stale entries stay fewer than them, so only the
        // wrap-around compacts.
        let n = 2 * (GENERATION_MAX + 1);
        for id in 0..n {
            queue.enqueue(id, p(0), &Requirements::none(), t(1_000)).unwrap();
        }
        // Priorities 1, 0, 1, 0, ...: each wrap-around lands on generation 0 at priority 0,
        // the very place 7 was enqueued at, which is still in the heap the first time.
        for round in 0..3 * (GENERATION_MAX + 1) {
            queue.reprioritize(&7, p(i64::from((round + 1) % 2))).unwrap();
            assert_eq!(queue.get(&7).map(|w| w.priority()), Some(p(i64::from((round + 1) % 2))));
        }
        let class = queue.slab.get(0).map(|e| e.class()).unwrap();
        queue.classes.compact(class, 0, &queue.slab);
        assert_eq!(queue.classes.entries(), (n as usize, 0));
        // Back at priority 0: 7 keeps its place among equals, and comes once.
        let taken: Vec<u32> = std::iter::from_fn(|| {
            queue.next_for(&Agent::unskilled(), t(1_000)).map(|i| i.into_id())
        })
        .collect();
        assert_eq!(taken, (0..n).collect::<Vec<_>>());
    }
}
