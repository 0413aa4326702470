//! `InMemoryConversations` against a naive reference: a list of remembered ids, oldest first,
//! and a map of conversation states. Random records (new ids, known ids moving between
//! conversations, times going back and forth, agents or none), acknowledgements, lookups and
//! eviction by capacity; after every step every lookup agrees.

use std::collections::{HashMap, VecDeque};

use email_routing::conversation::{ConversationStore, InMemoryConversations, NormalizedSubject};
use email_routing::{AgentId, ConversationId, MessageId, Timestamp};
use proptest::prelude::*;

const MESSAGES: usize = 24;
const CONVERSATIONS: usize = 8;
const SUBJECTS: [&str; 3] = ["Invoice 4711", "Re: Delivery", "[EXT] Fwd: Refund"];

#[derive(Debug, Clone)]
enum Op {
    Record { message: usize, conversation: usize, at: i64, agent: Option<usize>, subject: usize },
    Acknowledge { message: usize, conversation: usize, at: i64, subject: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..MESSAGES, 0..CONVERSATIONS, 0i64..1_000, proptest::option::of(0usize..3), 0..SUBJECTS.len())
            .prop_map(|(message, conversation, at, agent, subject)| Op::Record { message, conversation, at, agent, subject }),
        1 => (0..MESSAGES, 0..CONVERSATIONS, 0i64..1_000, 0..SUBJECTS.len())
            .prop_map(|(message, conversation, at, subject)| Op::Acknowledge { message, conversation, at, subject }),
    ]
}

/// What the reference keeps of a conversation.
#[derive(Debug, Clone, PartialEq)]
struct State {
    last_activity: Timestamp,
    last_agent: Option<AgentId>,
    subject: String,
    acknowledged_at: Option<Timestamp>,
}

#[derive(Default)]
struct Model {
    capacity: usize,
    /// Remembered ids and their conversations, oldest first.
    ids: VecDeque<(usize, usize)>,
    states: HashMap<usize, State>,
}

impl Model {
    fn forget_if_empty(&mut self, c: usize) {
        if !self.ids.iter().any(|&(_, x)| x == c) {
            self.states.remove(&c);
        }
    }

    fn ensure(&mut self, c: usize, at: Timestamp, subject: usize) {
        self.states.entry(c).or_insert_with(|| State {
            last_activity: at,
            last_agent: None,
            subject: NormalizedSubject::new(SUBJECTS[subject]).base().to_owned(),
            acknowledged_at: None,
        });
    }

    fn touch(&mut self, c: usize, at: Timestamp, agent: Option<&AgentId>) {
        let state = self.states.get_mut(&c).unwrap();
        state.last_activity = state.last_activity.max(at);
        if let Some(agent) = agent {
            state.last_agent = Some(agent.clone());
        }
    }

    fn record(
        &mut self,
        m: usize,
        c: usize,
        at: Timestamp,
        agent: Option<&AgentId>,
        subject: usize,
    ) {
        if let Some(pos) = self.ids.iter().position(|&(x, _)| x == m) {
            self.ensure(c, at, subject);
            let old = std::mem::replace(&mut self.ids[pos].1, c);
            self.forget_if_empty(old);
        } else {
            if self.ids.len() == self.capacity {
                let (_, evicted) = self.ids.pop_front().unwrap();
                self.forget_if_empty(evicted);
            }
            self.ensure(c, at, subject);
            self.ids.push_back((m, c));
        }
        self.touch(c, at, agent);
    }

    fn acknowledge(&mut self, m: usize, c: usize, at: Timestamp, subject: usize) -> bool {
        if self.states.get(&c).is_some_and(|s| s.acknowledged_at.is_some()) {
            return false;
        }
        self.record(m, c, at, None, subject);
        self.states.get_mut(&c).unwrap().acknowledged_at = Some(at);
        true
    }

    fn find(&self, m: usize) -> Option<(usize, &State)> {
        let &(_, c) = self.ids.iter().find(|&&(x, _)| x == m)?;
        Some((c, &self.states[&c]))
    }
}

fn message(i: usize) -> MessageId {
    MessageId::new(&format!("<m{i}@example.org>")).unwrap()
}

fn conversation(i: usize) -> ConversationId {
    ConversationId::new(&format!("conv-{i}")).unwrap()
}

fn time(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(1_780_000_000_000 + ms).unwrap()
}

fn agents() -> Vec<AgentId> {
    ["jane", "omar", "li"].map(|a| AgentId::new(a).unwrap()).into()
}

fn check(capacity: usize, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let agents = agents();
    let mut store = InMemoryConversations::new(capacity);
    let mut model = Model { capacity, ..Model::default() };
    for op in ops {
        match op {
            Op::Record { message: m, conversation: c, at, agent, subject } => {
                let agent = agent.map(|a| &agents[a]);
                store.record(
                    message(m),
                    &conversation(c),
                    time(at),
                    agent,
                    &NormalizedSubject::new(SUBJECTS[subject]),
                );
                model.record(m, c, time(at), agent, subject);
            }
            Op::Acknowledge { message: m, conversation: c, at, subject } => {
                let got = store.record_acknowledgement(
                    message(m),
                    &conversation(c),
                    time(at),
                    &NormalizedSubject::new(SUBJECTS[subject]),
                );
                prop_assert_eq!(got, model.acknowledge(m, c, time(at), subject));
            }
        }
        prop_assert_eq!(store.len(), model.ids.len());
        prop_assert!(store.len() <= capacity);
        prop_assert_eq!(store.conversation_count(), model.states.len());
        for m in 0..MESSAGES {
            let got = store.find(&message(m));
            let want = model.find(m);
            prop_assert_eq!(got.is_some(), want.is_some(), "message {}", m);
            if let (Some(got), Some((c, want))) = (got, want) {
                prop_assert_eq!(got.id(), &conversation(c));
                prop_assert_eq!(got.last_activity(), want.last_activity);
                prop_assert_eq!(got.last_agent(), want.last_agent.as_ref());
                prop_assert_eq!(got.subject(), want.subject.as_str());
                prop_assert_eq!(got.acknowledged_at(), want.acknowledged_at);
            }
        }
        for c in 0..CONVERSATIONS {
            let got = store.conversation(&conversation(c));
            prop_assert_eq!(got.is_some(), model.states.contains_key(&c), "conversation {}", c);
            if let Some(got) = got {
                prop_assert_eq!(got.last_activity(), model.states[&c].last_activity);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_store_matches_a_naive_reference(capacity in 1usize..10, ops in prop::collection::vec(op(), 1..120)) {
        check(capacity, ops)?;
    }
}
