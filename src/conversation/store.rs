//! [`ConversationStore`]: what threading remembers, and [`InMemoryConversations`], a store with
//! bounded memory.
//!
//! A store maps each message id it has seen or sent to its conversation, and keeps per
//! conversation the time of its last activity, the agent who last handled it and its subject
//! as threading compares it. The host owns the store: back the trait with its database, or
//! use the in-memory one.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use super::NormalizedSubject;
use crate::ids::{AgentId, ConversationId};
use crate::message_id::MessageId;
use crate::time::Timestamp;

/// What a store knows of one conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationState {
    id: ConversationId,
    last_activity: Timestamp,
    last_agent: Option<AgentId>,
    subject: Box<str>,
    acknowledged_at: Option<Timestamp>,
}

impl ConversationState {
    /// A conversation's state, not acknowledged. The subject is kept as threading compares it
    /// ([`NormalizedSubject::base`]), cut to its first 256 characters.
    #[must_use]
    pub fn new(
        id: ConversationId,
        last_activity: Timestamp,
        last_agent: Option<AgentId>,
        subject: &NormalizedSubject,
    ) -> Self {
        Self {
            id,
            last_activity,
            last_agent,
            subject: stored_subject(subject.base()).into(),
            acknowledged_at: None,
        }
    }

    /// The same state, with the time its automatic acknowledgement was sent (`None`: never).
    /// A store backed by a database reads it back with this.
    #[must_use]
    pub fn with_acknowledged_at(mut self, at: Option<Timestamp>) -> Self {
        self.acknowledged_at = at;
        self
    }

    /// The conversation's id (the host's).
    #[must_use]
    pub fn id(&self) -> &ConversationId {
        &self.id
    }

    /// When a message was last received or sent in it.
    #[must_use]
    pub fn last_activity(&self) -> Timestamp {
        self.last_activity
    }

    /// The agent who last handled it, if any.
    #[must_use]
    pub fn last_agent(&self) -> Option<&AgentId> {
        self.last_agent.as_ref()
    }

    /// Its subject as threading compares it ([`NormalizedSubject::base`], at most 256
    /// characters), from its first message.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// When its automatic acknowledgement was sent, if one was: at most one is sent per
    /// conversation (see [`acknowledgement`](super::acknowledgement())).
    #[must_use]
    pub fn acknowledged_at(&self) -> Option<Timestamp> {
        self.acknowledged_at
    }
}

/// Where threading looks message ids up and records them. Implement it over the host's
/// database; [`InMemoryConversations`] is the embedded one.
///
/// A database implementation keeps two tables: message id -> conversation id, and per
/// conversation its [`ConversationState`]. [`record_acknowledgement`](Self::record_acknowledgement)
/// must test and set in one step (a transaction, or an `UPDATE ... WHERE acknowledged_at IS
/// NULL`), so two hosts threading two messages of one conversation at once still send one
/// acknowledgement.
pub trait ConversationStore {
    /// The conversation `message` belongs to, if the store knows the id.
    fn find(&self, message: &MessageId) -> Option<ConversationState>;

    /// Records that `message` belongs to `conversation`, received or sent at `at`: the
    /// conversation's last activity becomes `at` if later, its last agent becomes `agent` if
    /// one is given, and a new conversation takes `subject` as its subject. An id the store
    /// already knows moves to `conversation`.
    fn record(
        &mut self,
        message: MessageId,
        conversation: &ConversationId,
        at: Timestamp,
        agent: Option<&AgentId>,
        subject: &NormalizedSubject,
    );

    /// Records the automatic acknowledgement `message` sent in `conversation` at `at`, unless
    /// the conversation was acknowledged already: then nothing is recorded and it returns
    /// `false`. Otherwise `message` is recorded as [`record`](Self::record) would (no agent; a
    /// new conversation takes `subject`), the conversation's
    /// [`acknowledged_at`](ConversationState::acknowledged_at) becomes `at`, and it returns
    /// `true`: send the acknowledgement only then.
    fn record_acknowledgement(
        &mut self,
        message: MessageId,
        conversation: &ConversationId,
        at: Timestamp,
        subject: &NormalizedSubject,
    ) -> bool;
}

/// The most characters of a subject a store keeps.
const MAX_SUBJECT_CHARS: usize = 256;

/// `base` as a store keeps it: its first [`MAX_SUBJECT_CHARS`] characters. Threading compares
/// a received subject cut the same way, so a long subject still matches its conversation's.
pub(crate) fn stored_subject(base: &str) -> &str {
    base.char_indices().nth(MAX_SUBJECT_CHARS).map_or(base, |(end, _)| &base[..end])
}

/// One remembered message id and its conversation's slot.
#[derive(Debug, Clone)]
struct Slot {
    message: MessageId,
    conversation: u32,
}

#[derive(Debug, Clone)]
struct Conversation {
    state: ConversationState,
    /// How many remembered message ids point at it; the conversation is forgotten with its
    /// last one.
    messages: u32,
}

/// An in-memory [`ConversationStore`] with bounded memory: it remembers at most `capacity`
/// message ids, forgetting the oldest recorded first (a conversation is forgotten with its
/// last id). Lookups and records are O(1).
///
/// Memory, beside the text of the ids themselves: at most 80 bytes per remembered id when
/// conversations hold 4 ids (their ids, subjects and last agents, of typical length,
/// included), at most 200 when every id is a conversation of its own; a full store does not
/// grow as it forgets (measured with a million ids by `tests/conversation_memory.rs`: 74 and
/// 185 bytes). An empty store allocates nothing, whatever its capacity.
///
/// A conversation forgotten with its last id is new to the store if it comes back: its subject,
/// last agent and acknowledgement start afresh. Size the capacity for the threading window
/// (a million ids hold 30 days of about 33,000 messages a day).
///
/// ```
/// use email_routing::{ConversationId, MessageId, Timestamp};
/// use email_routing::conversation::{ConversationStore, InMemoryConversations, NormalizedSubject};
/// let mut store = InMemoryConversations::new(1_000_000);
/// let conversation = ConversationId::new("c-1")?;
/// let t = Timestamp::from_unix_millis(1_780_000_000_000)?;
/// store.record(MessageId::new("<m1@example.org>")?, &conversation, t, None, &NormalizedSubject::new("Invoice"));
/// let found = store.find(&MessageId::new("m1@example.org")?).unwrap();
/// assert_eq!(found.id(), &conversation);
/// assert_eq!(found.subject(), "invoice");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct InMemoryConversations<S = RandomState> {
    capacity: usize,
    /// Remembered ids, oldest first from `oldest` (a ring once full).
    slots: Vec<Slot>,
    oldest: usize,
    /// Message id hash -> index into `slots`.
    index: HashTable<u32>,
    conversations: Vec<Option<Conversation>>,
    free: Vec<u32>,
    /// Conversation id hash -> index into `conversations`.
    by_id: HashTable<u32>,
    hasher: S,
}

impl InMemoryConversations {
    /// A store that remembers at most `capacity` message ids; `capacity` is clamped to
    /// `1..=u32::MAX`.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, RandomState::new())
    }
}

impl<S: BuildHasher> InMemoryConversations<S> {
    /// A store hashing ids with `hasher`.
    #[must_use]
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        let capacity = capacity.clamp(1, u32::MAX as usize);
        Self {
            capacity,
            slots: Vec::new(),
            oldest: 0,
            index: HashTable::new(),
            conversations: Vec::new(),
            free: Vec::new(),
            by_id: HashTable::new(),
            hasher,
        }
    }

    /// How many message ids are remembered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no id is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The most message ids remembered.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many conversations are remembered.
    #[must_use]
    pub fn conversation_count(&self) -> usize {
        self.by_id.len()
    }

    /// The state of a conversation, by its id.
    #[must_use]
    pub fn conversation(&self, id: &ConversationId) -> Option<&ConversationState> {
        let slot = self.conversation_index(id)?;
        self.conversations.get(slot as usize)?.as_ref().map(|c| &c.state)
    }

    /// The index of conversation `id` in `conversations`.
    fn conversation_index(&self, id: &ConversationId) -> Option<u32> {
        let hash = self.hasher.hash_one(id.as_str());
        let conversations = &self.conversations;
        self.by_id
            .find(hash, |&j| conversations[j as usize].as_ref().is_some_and(|c| c.state.id == *id))
            .copied()
    }

    fn find_slot(&self, message: &MessageId) -> Option<u32> {
        let hash = self.hasher.hash_one(message.as_str());
        self.index.find(hash, |&i| self.slots[i as usize].message == *message).copied()
    }

    /// The slot of conversation `id`, made (with `subject`, first active at `at`) if new.
    fn conversation_slot(
        &mut self,
        id: &ConversationId,
        at: Timestamp,
        subject: &NormalizedSubject,
    ) -> u32 {
        if let Some(slot) = self.conversation_index(id) {
            return slot;
        }
        let state = ConversationState::new(id.clone(), at, None, subject);
        let conversation = Conversation { state, messages: 0 };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.conversations[slot as usize] = Some(conversation);
                slot
            }
            None => {
                self.conversations.push(Some(conversation));
                // At most one conversation per remembered id, so this fits in u32.
                (self.conversations.len() - 1) as u32
            }
        };
        let conversations = &self.conversations;
        let hasher = &self.hasher;
        self.by_id.insert_unique(hasher.hash_one(id.as_str()), slot, |&j| {
            conversations[j as usize].as_ref().map_or(0, |c| hasher.hash_one(c.state.id.as_str()))
        });
        slot
    }

    /// Adds `n` (1 or -1) to the ids conversation `c` holds, forgetting it at 0.
    fn count(&mut self, c: u32, n: i32) {
        let Some(Some(conversation)) = self.conversations.get_mut(c as usize) else { return };
        conversation.messages = conversation.messages.saturating_add_signed(n);
        if conversation.messages == 0 {
            let hash = self.hasher.hash_one(conversation.state.id.as_str());
            if let Ok(entry) = self.by_id.find_entry(hash, |&j| j == c) {
                entry.remove();
            }
            self.conversations[c as usize] = None;
            self.free.push(c);
        }
    }

    /// Forgets the oldest remembered id, and its conversation if it was the last.
    fn forget_oldest(&mut self) {
        let i = self.oldest;
        let Some(slot) = self.slots.get(i) else { return };
        let hash = self.hasher.hash_one(slot.message.as_str());
        if let Ok(entry) = self.index.find_entry(hash, |&j| j as usize == i) {
            entry.remove();
        }
        let c = slot.conversation;
        self.count(c, -1);
    }

    /// Updates a conversation's last activity and last agent.
    fn touch(&mut self, c: u32, at: Timestamp, agent: Option<&AgentId>) {
        if let Some(Some(conversation)) = self.conversations.get_mut(c as usize) {
            let state = &mut conversation.state;
            state.last_activity = state.last_activity.max(at);
            if let Some(agent) = agent {
                state.last_agent = Some(agent.clone());
            }
        }
    }
}

impl<S: BuildHasher> ConversationStore for InMemoryConversations<S> {
    fn find(&self, message: &MessageId) -> Option<ConversationState> {
        let slot = self.find_slot(message)?;
        let c = self.slots[slot as usize].conversation as usize;
        self.conversations.get(c)?.as_ref().map(|c| c.state.clone())
    }

    fn record(
        &mut self,
        message: MessageId,
        conversation: &ConversationId,
        at: Timestamp,
        agent: Option<&AgentId>,
        subject: &NormalizedSubject,
    ) {
        // An id already remembered moves to its (possibly new) conversation in place, and
        // keeps its place in the order ids are forgotten in.
        if let Some(existing) = self.find_slot(&message) {
            let c = self.conversation_slot(conversation, at, subject);
            let old = std::mem::replace(&mut self.slots[existing as usize].conversation, c);
            if old != c {
                self.count(c, 1);
                self.count(old, -1);
            }
            self.touch(c, at, agent);
            return;
        }
        if self.slots.len() == self.capacity {
            self.forget_oldest();
        }
        let c = self.conversation_slot(conversation, at, subject);
        self.count(c, 1);
        self.touch(c, at, agent);
        let hash = self.hasher.hash_one(message.as_str());
        let slot = Slot { message, conversation: c };
        let i = if self.slots.len() < self.capacity {
            self.slots.push(slot);
            self.slots.len() - 1
        } else {
            let i = self.oldest;
            self.slots[i] = slot;
            self.oldest = (i + 1) % self.capacity;
            i
        };
        let slots = &self.slots;
        let hasher = &self.hasher;
        // Below capacity, so the index fits in u32.
        self.index.insert_unique(hash, i as u32, |&j| {
            hasher.hash_one(slots[j as usize].message.as_str())
        });
    }

    fn record_acknowledgement(
        &mut self,
        message: MessageId,
        conversation: &ConversationId,
        at: Timestamp,
        subject: &NormalizedSubject,
    ) -> bool {
        if self.conversation(conversation).is_some_and(|c| c.acknowledged_at.is_some()) {
            return false;
        }
        self.record(message, conversation, at, None, subject);
        let Some(c) = self.conversation_index(conversation) else { return false };
        match self.conversations.get_mut(c as usize) {
            Some(Some(c)) => {
                c.state.acknowledged_at = Some(at);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> MessageId {
        MessageId::new(s).unwrap()
    }

    fn conv(s: &str) -> ConversationId {
        ConversationId::new(s).unwrap()
    }

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(1_780_000_000_000 + ms).unwrap()
    }

    #[test]
    fn records_and_finds_with_last_activity_and_agent() {
        let mut store = InMemoryConversations::new(10);
        let subject = NormalizedSubject::new("Order");
        let jane = AgentId::new("jane").unwrap();
        store.record(id("a@x"), &conv("c1"), at(0), None, &subject);
        store.record(
            id("b@x"),
            &conv("c1"),
            at(10),
            Some(&jane),
            &NormalizedSubject::new("Re: other"),
        );
        // An earlier time does not move last activity back.
        store.record(id("c@x"), &conv("c1"), at(5), None, &subject);
        let state = store.find(&id("a@x")).unwrap();
        assert_eq!(state.last_activity(), at(10));
        assert_eq!(state.last_agent(), Some(&jane));
        assert_eq!(state.subject(), "order");
        assert!(store.find(&id("zzz@x")).is_none());
        assert_eq!((store.len(), store.conversation_count()), (3, 1));
    }

    #[test]
    fn the_oldest_ids_are_forgotten_first_and_conversations_with_them() {
        let mut store = InMemoryConversations::new(3);
        let s = NormalizedSubject::new("x");
        store.record(id("1@x"), &conv("c1"), at(0), None, &s);
        store.record(id("2@x"), &conv("c2"), at(1), None, &s);
        store.record(id("3@x"), &conv("c2"), at(2), None, &s);
        store.record(id("4@x"), &conv("c3"), at(3), None, &s);
        assert!(store.find(&id("1@x")).is_none());
        assert!(store.conversation(&conv("c1")).is_none());
        assert_eq!(store.conversation_count(), 2);
        for i in 5..100 {
            store.record(id(&format!("{i}@x")), &conv(&format!("c{i}")), at(i), None, &s);
            assert!(store.len() <= 3 && store.conversation_count() <= 3);
        }
        assert!(store.find(&id("99@x")).is_some());
        assert!(store.find(&id("96@x")).is_none());
    }

    #[test]
    fn recording_a_known_id_again_moves_it() {
        let mut store = InMemoryConversations::new(10);
        let s = NormalizedSubject::new("x");
        store.record(id("1@x"), &conv("c1"), at(0), None, &s);
        store.record(id("1@x"), &conv("c2"), at(1), None, &s);
        assert_eq!(store.find(&id("1@x")).unwrap().id(), &conv("c2"));
        assert_eq!((store.len(), store.conversation_count()), (1, 1));
    }
}
