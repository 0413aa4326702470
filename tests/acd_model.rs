//! Model-based test: random sequences of every queue operation against a naive reference
//! (a vector of entries, scanned in full for every question). Results must match exactly.

use email_routing::acd::{AcdQueue, Agent, Requirements, Timestamp, routing_key};
use email_routing::{Language, Priority, Skill};
use proptest::prelude::*;

const SKILLS: [&str; 6] = ["billing", "refunds", "tech", "sales", "vip", "legal"];
const LANGUAGES: [&str; 3] = ["en", "es", "pt-br"];
const BASE_MS: i64 = 1_780_000_000_000;

#[derive(Debug, Clone)]
enum Op {
    Enqueue { id: u8, priority: i64, at: i64, skills: u8, language: Option<u8> },
    NextFor { skills: u8, languages: u8 },
    PeekFor { skills: u8, languages: u8 },
    Remove { id: u8 },
    Reprioritize { id: u8, priority: i64 },
    Score { id: u8, now: i64 },
    Iter,
    Reserve { additional: u8 },
}

fn priority() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => -2i64..=2,
        1 => Just(i64::from(Priority::MIN)),
        1 => Just(i64::from(Priority::MAX)),
    ]
}

/// Times a whole number of minutes apart (plus 0 or 1 ms), so that keys often tie.
fn time() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => (0i64..5, 0i64..2).prop_map(|(minutes, ms)| BASE_MS + minutes * 60_000 + ms),
        1 => Just(0),
        1 => Just(Timestamp::MAX_MILLIS),
    ]
}

/// Mostly zero or one skill, sometimes two or three, out of six.
fn skill_set() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => Just(0u8),
        4 => (0u8..6).prop_map(|s| 1 << s),
        3 => 0u8..64,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let id = 0u8..24;
    prop_oneof![
        6 => (id.clone(), priority(), time(), skill_set(), prop::option::of(0u8..3))
            .prop_map(|(id, priority, at, skills, language)| Op::Enqueue { id, priority, at, skills, language }),
        4 => (0u8..64, 0u8..8).prop_map(|(skills, languages)| Op::NextFor { skills, languages }),
        1 => (0u8..64, 0u8..8).prop_map(|(skills, languages)| Op::PeekFor { skills, languages }),
        2 => id.clone().prop_map(|id| Op::Remove { id }),
        2 => (id.clone(), priority()).prop_map(|(id, priority)| Op::Reprioritize { id, priority }),
        1 => (id, time()).prop_map(|(id, now)| Op::Score { id, now }),
        1 => Just(Op::Iter),
        1 => any::<u8>().prop_map(|additional| Op::Reserve { additional }),
    ]
}

fn skills_of(mask: u8) -> Vec<Skill> {
    (0..6).filter(|b| mask & 1 << b != 0).map(|b| Skill::new(SKILLS[b]).unwrap()).collect()
}

fn languages_of(mask: u8) -> Vec<Language> {
    (0..3).filter(|b| mask & 1 << b != 0).map(|b| Language::new(LANGUAGES[b]).unwrap()).collect()
}

/// What the reference keeps per interaction.
#[derive(Debug, Clone)]
struct RefEntry {
    id: u8,
    priority: i64,
    at: i64,
    seq: u64,
    skills: u8,
    language: Option<u8>,
}

impl RefEntry {
    fn key(&self) -> i64 {
        self.priority * 60_000 - self.at
    }
    /// Smaller sorts first: higher key, then earlier time, then earlier enqueue.
    fn rank(&self) -> (i64, i64, u64) {
        (-self.key(), self.at, self.seq)
    }
    fn may_go_to(&self, skills: u8, languages: u8) -> bool {
        self.skills & !skills == 0 && self.language.is_none_or(|l| languages & 1 << l != 0)
    }
    fn summary(&self) -> (u8, i64, i64) {
        (self.id, self.priority, self.at)
    }
}

#[derive(Default)]
struct Reference {
    entries: Vec<RefEntry>,
    next_seq: u64,
}

impl Reference {
    fn best_for(&self, skills: u8, languages: u8) -> Option<usize> {
        (0..self.entries.len())
            .filter(|&i| self.entries[i].may_go_to(skills, languages))
            .min_by_key(|&i| self.entries[i].rank())
    }
    fn position(&self, id: u8) -> Option<usize> {
        self.entries.iter().position(|e| e.id == id)
    }
}

fn summary<W: std::ops::Deref<Target = u8>>(id: W, p: Priority, at: Timestamp) -> (u8, i64, i64) {
    (*id, i64::from(p.get()), at.unix_millis())
}

fn check(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut queue: AcdQueue<u8> = AcdQueue::new();
    let mut reference = Reference::default();
    // The most room any reservation asked for: the queue keeps it while it shrinks.
    let mut reserved = 0;
    for op in ops {
        match op {
            Op::Enqueue { id, priority, at, skills, language } => {
                let requirements = Requirements::new(
                    skills_of(skills),
                    language.map(|l| Language::new(LANGUAGES[usize::from(l)]).unwrap()),
                );
                let result = queue.enqueue(
                    id,
                    Priority::new(priority).unwrap(),
                    &requirements,
                    Timestamp::from_unix_millis(at).unwrap(),
                );
                if reference.position(id).is_some() {
                    prop_assert_eq!(result.unwrap_err().code(), "acd.duplicate_id");
                } else {
                    prop_assert!(result.is_ok());
                    let seq = reference.next_seq;
                    reference.next_seq += 1;
                    reference.entries.push(RefEntry { id, priority, at, seq, skills, language });
                }
            }
            Op::NextFor { skills, languages } => {
                let agent = Agent::new(skills_of(skills), languages_of(languages));
                let got = queue
                    .next_for(&agent, Timestamp::from_unix_millis(0).unwrap())
                    .map(|i| summary(i.id(), i.priority(), i.enqueued_at()));
                let want = reference
                    .best_for(skills, languages)
                    .map(|i| reference.entries.remove(i).summary());
                prop_assert_eq!(got, want);
            }
            Op::PeekFor { skills, languages } => {
                let agent = Agent::new(skills_of(skills), languages_of(languages));
                let got = queue
                    .peek_for(&agent, Timestamp::from_unix_millis(0).unwrap())
                    .map(|w| summary(w.id(), w.priority(), w.enqueued_at()));
                let want =
                    reference.best_for(skills, languages).map(|i| reference.entries[i].summary());
                prop_assert_eq!(got, want);
            }
            Op::Remove { id } => {
                let got = queue.remove(&id).map(|i| summary(i.id(), i.priority(), i.enqueued_at()));
                let want = reference.position(id).map(|i| reference.entries.remove(i).summary());
                prop_assert_eq!(got, want);
            }
            Op::Reprioritize { id, priority } => {
                let got = queue
                    .reprioritize(&id, Priority::new(priority).unwrap())
                    .map(|p| i64::from(p.get()));
                let want = reference
                    .position(id)
                    .map(|i| std::mem::replace(&mut reference.entries[i].priority, priority));
                prop_assert_eq!(got, want);
            }
            Op::Score { id, now } => {
                let got = queue
                    .score(&id, Timestamp::from_unix_millis(now).unwrap())
                    .map(|s| s.as_millis());
                let want = reference.position(id).map(|i| reference.entries[i].key() + now);
                prop_assert_eq!(got, want);
            }
            Op::Iter => {
                let got: Vec<_> =
                    queue.iter().map(|w| summary(w.id(), w.priority(), w.enqueued_at())).collect();
                let mut sorted = reference.entries.clone();
                sorted.sort_by_key(RefEntry::rank);
                let want: Vec<_> = sorted.iter().map(RefEntry::summary).collect();
                prop_assert_eq!(got, want);
                for w in queue.iter() {
                    prop_assert_eq!(w.routing_key(), routing_key(w.priority(), w.enqueued_at()));
                }
            }
            Op::Reserve { additional } => {
                let additional = usize::from(additional);
                prop_assert!(queue.try_reserve(additional).is_ok());
                reserved = reserved.max(queue.len() + additional);
            }
        }
        prop_assert!(queue.capacity() >= queue.len().max(reserved));
        prop_assert_eq!(queue.len(), reference.entries.len());
        prop_assert_eq!(queue.is_empty(), reference.entries.is_empty());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn queue_matches_naive_reference(ops in prop::collection::vec(op(), 1..200)) {
        check(ops)?;
    }
}
