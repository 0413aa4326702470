//! Model-based test: random sequences of every queue operation, over three queues, with
//! stages (preferred agents, bullseye rings), agent ids and time passing, against a naive
//! reference: a vector of entries per queue, every one of them looked at for every question,
//! its stage worked out from its `enqueued_at` and the current time. Results must match
//! exactly.

use std::time::Duration;

use email_routing::acd::{
    self, AcdQueue, Agent, Interaction, Requirements, Timestamp, Waiting, routing_key,
};
use email_routing::{AgentId, Language, Priority, Skill};
use proptest::prelude::*;

/// Required skills as written on interactions; agents write them in other cases.
const SKILLS: [&str; 6] = ["billing", "Refunds", "tech", "sales", "vip", "legal"];
/// Required languages: ranges.
const RANGES: [&str; 4] = ["en", "es", "pt-br", "*"];
/// Agents' languages: tags.
const TAGS: [&str; 6] = ["en", "en-US", "es-419", "pt", "PT-BR", "*"];
const AGENTS: [&str; 3] = ["ana", "bo", "cy"];
const QUEUES: usize = 3;
const BASE_MS: i64 = 1_780_000_000_000;

/// Stages: which agents are preferred (a mask of [`AGENTS`]) and for how long, then the timed
/// rings, each with its stay and the skills it removes (a mask of [`SKILLS`], cut down to the
/// skills still required when built).
#[derive(Debug, Clone)]
struct Plan {
    preferred: Option<(u8, i64)>,
    rings: Vec<(i64, u8)>,
}

#[derive(Debug, Clone)]
enum Op {
    Enqueue {
        queue: u8,
        id: u8,
        priority: i64,
        at: i64,
        skills: u8,
        language: Option<u8>,
        plan: Option<Plan>,
    },
    /// An agent asks the queues it serves, in this order (none: it serves no queue).
    NextFor {
        queues: Vec<u8>,
        agent: AgentSpec,
        direct: bool,
    },
    PeekFor {
        queues: Vec<u8>,
        agent: AgentSpec,
        direct: bool,
    },
    Remove {
        queue: u8,
        id: u8,
    },
    Reprioritize {
        queue: u8,
        id: u8,
        priority: i64,
    },
    Score {
        queue: u8,
        id: u8,
        now: i64,
    },
    Iter {
        queue: u8,
    },
    Reserve {
        queue: u8,
        additional: u8,
    },
    /// Time passes.
    Advance {
        ms: i64,
    },
}

#[derive(Debug, Clone)]
struct AgentSpec {
    id: Option<u8>,
    skills: u8,
    /// Which skills the agent writes in capitals.
    shouting: u8,
    languages: u8,
}

fn priority() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => -2i64..=2,
        1 => Just(i64::from(Priority::MIN)),
        1 => Just(i64::from(Priority::MAX)),
    ]
}

/// Times a whole number of minutes apart (plus 0 or 1 ms), so that keys often tie and stage
/// ends often fall exactly on the current time.
fn time() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => (0i64..5, 0i64..2).prop_map(|(minutes, ms)| BASE_MS + minutes * 60_000 + ms),
        1 => Just(0),
        1 => Just(Timestamp::MAX_MILLIS),
    ]
}

/// Stage lengths that line up with the times above.
fn stay() -> impl Strategy<Value = i64> {
    prop_oneof![Just(1i64), Just(60_000), Just(120_000), Just(59_999)]
}

/// Mostly zero or one skill, sometimes two or three, out of six.
fn skill_set() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => Just(0u8),
        4 => (0u8..6).prop_map(|s| 1 << s),
        3 => 0u8..64,
    ]
}

fn plan() -> impl Strategy<Value = Option<Plan>> {
    let preferred = prop::option::of((1u8..8, stay()));
    let rings = prop::collection::vec((stay(), 0u8..64), 0..3);
    prop::option::weighted(
        0.5,
        (preferred, rings).prop_map(|(preferred, rings)| Plan { preferred, rings }),
    )
}

fn agent() -> impl Strategy<Value = AgentSpec> {
    prop_oneof![
        // An agent with nothing to match (no skill, language or id) takes a path of its own.
        1 => Just(AgentSpec { id: None, skills: 0, shouting: 0, languages: 0 }),
        9 => (prop::option::of(0u8..4), 0u8..64, 0u8..64, 0u8..64).prop_map(
            |(id, skills, shouting, languages)| AgentSpec { id, skills, shouting, languages }
        ),
    ]
}

/// Up to three distinct queues, in any order.
fn queue_list() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => Just(vec![]),
        4 => (0u8..3).prop_map(|q| vec![q]),
        3 => Just(vec![0u8, 1, 2]).prop_shuffle(),
        2 => Just(vec![2u8, 0]),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let id = 0u8..16;
    let queue = 0u8..QUEUES as u8;
    prop_oneof![
        6 => (queue.clone(), id.clone(), priority(), time(), skill_set(), prop::option::of(0u8..4), plan())
            .prop_map(|(queue, id, priority, at, skills, language, plan)| Op::Enqueue { queue, id, priority, at, skills, language, plan }),
        4 => (queue_list(), agent(), any::<bool>()).prop_map(|(queues, agent, direct)| Op::NextFor { queues, agent, direct }),
        1 => (queue_list(), agent(), any::<bool>()).prop_map(|(queues, agent, direct)| Op::PeekFor { queues, agent, direct }),
        2 => (queue.clone(), id.clone()).prop_map(|(queue, id)| Op::Remove { queue, id }),
        2 => (queue.clone(), id.clone(), priority()).prop_map(|(queue, id, priority)| Op::Reprioritize { queue, id, priority }),
        1 => (queue.clone(), id, time()).prop_map(|(queue, id, now)| Op::Score { queue, id, now }),
        1 => queue.clone().prop_map(|queue| Op::Iter { queue }),
        1 => (queue, any::<u8>()).prop_map(|(queue, additional)| Op::Reserve { queue, additional }),
        3 => prop_oneof![Just(0i64), Just(1), Just(2), Just(59_999), Just(60_000), Just(3_600_000)]
            .prop_map(|ms| Op::Advance { ms }),
    ]
}

fn skills_of(mask: u8, shouting: u8) -> Vec<Skill> {
    (0..6)
        .filter(|b| mask & 1 << b != 0)
        .map(|b| {
            let name = if shouting & 1 << b != 0 {
                SKILLS[b].to_uppercase()
            } else {
                SKILLS[b].to_lowercase()
            };
            Skill::new(&name).unwrap()
        })
        .collect()
}

fn agent_id(i: u8) -> AgentId {
    AgentId::new(AGENTS.get(usize::from(i)).copied().unwrap_or("nobody")).unwrap()
}

fn agent_of(spec: &AgentSpec) -> Agent {
    let languages =
        (0..6).filter(|b| spec.languages & 1 << b != 0).map(|b| Language::new(TAGS[b]).unwrap());
    let agent = Agent::new(skills_of(spec.skills, spec.shouting), languages);
    match spec.id {
        Some(i) => agent.with_id(agent_id(i)),
        None => agent,
    }
}

/// RFC 4647 basic filtering, written out again for the reference.
fn range_matches(range: &str, tag: &str) -> bool {
    let (range, tag) = (range.to_lowercase(), tag.to_lowercase());
    range == "*" || tag == range || tag.starts_with(&format!("{range}-"))
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
    /// The preferred agents (a mask) and when that stage ends, relative to `at`.
    preferred: Option<(u8, i64)>,
    /// When each ring ends, relative to `at`, and the skills still required in each ring.
    ring_ends: Vec<i64>,
    ring_skills: Vec<u8>,
}

impl RefEntry {
    fn new(
        id: u8,
        priority: i64,
        at: i64,
        seq: u64,
        skills: u8,
        language: Option<u8>,
        plan: &Option<Plan>,
    ) -> Self {
        let mut entry = RefEntry {
            id,
            priority,
            at,
            seq,
            skills,
            language,
            preferred: None,
            ring_ends: Vec::new(),
            ring_skills: vec![skills],
        };
        let Some(plan) = plan else { return entry };
        let mut end = 0;
        if let Some((agents, wait)) = plan.preferred {
            end = wait;
            entry.preferred = Some((agents, wait));
        }
        let mut remaining = skills;
        for &(stay, remove) in &plan.rings {
            end += stay;
            entry.ring_ends.push(end);
            remaining &= !(remove & remaining);
            entry.ring_skills.push(remaining);
        }
        entry
    }

    fn requirements(&self, plan: &Option<Plan>) -> Requirements {
        let language = self.language.map(|l| Language::new(RANGES[usize::from(l)]).unwrap());
        let mut r = Requirements::new(skills_of(self.skills, 0b10_1010), language);
        let Some(plan) = plan else { return r };
        if let Some((agents, wait)) = plan.preferred {
            let ids = (0..3).filter(|b| agents & 1 << b != 0).map(agent_id);
            r = r.with_preferred_agents(ids, Duration::from_millis(wait as u64)).unwrap();
        }
        for (ring, &(stay, _)) in plan.rings.iter().enumerate() {
            let removed = self.ring_skills[ring] & !self.ring_skills[ring + 1];
            r = r.with_ring(Duration::from_millis(stay as u64), skills_of(removed, 0)).unwrap();
        }
        r
    }

    fn key(&self) -> i64 {
        self.priority * 60_000 - self.at
    }

    /// The stage at `now`: how many stage ends are at or before it.
    fn stage_at(&self, now: i64) -> usize {
        let waited = now.saturating_sub(self.at);
        let ends =
            self.preferred.map(|(_, wait)| wait).into_iter().chain(self.ring_ends.iter().copied());
        ends.filter(|&end| end <= waited).count()
    }

    fn may_go_to(&self, agent: &AgentSpec, now: i64) -> bool {
        let mut stage = self.stage_at(now);
        if let Some((agents, _)) = self.preferred {
            if stage == 0 {
                return agent.id.is_some_and(|i| i < 3 && agents & 1 << i != 0);
            }
            stage -= 1;
        }
        let language_met = self.language.is_none_or(|l| {
            (0..6).any(|b| {
                agent.languages & 1 << b != 0 && range_matches(RANGES[usize::from(l)], TAGS[b])
            })
        });
        self.ring_skills[stage] & !agent.skills == 0 && language_met
    }

    fn summary(&self, now: i64) -> (u8, i64, i64, usize) {
        (self.id, self.priority, self.at, self.stage_at(now))
    }
}

#[derive(Default)]
struct RefQueue {
    entries: Vec<RefEntry>,
    next_seq: u64,
    /// The latest time a take or peek asked this queue about.
    clock: Option<i64>,
}

impl RefQueue {
    fn position(&self, id: u8) -> Option<usize> {
        self.entries.iter().position(|e| e.id == id)
    }
    fn applied(&self) -> i64 {
        self.clock.unwrap_or(i64::MIN)
    }
}

/// The best entry for `agent` at `now` over `order` (queue numbers), by a full scan: highest
/// key, then earliest `enqueued_at`, then the queue first in `order`, then enqueue order.
fn reference_best(
    queues: &[RefQueue],
    order: &[u8],
    agent: &AgentSpec,
    now: i64,
) -> Option<(usize, usize)> {
    order
        .iter()
        .enumerate()
        .flat_map(|(rank, &q)| {
            let q = usize::from(q);
            (0..queues[q].entries.len()).map(move |i| (rank, q, i))
        })
        .filter(|&(_, q, i)| queues[q].entries[i].may_go_to(agent, now))
        .min_by_key(|&(rank, q, i)| {
            let e = &queues[q].entries[i];
            (-e.key(), e.at, rank, e.seq)
        })
        .map(|(_, q, i)| (q, i))
}

fn taken(i: &Interaction<u8>) -> (u8, i64, i64, usize) {
    (*i.id(), i64::from(i.priority().get()), i.enqueued_at().unix_millis(), i.stage())
}

fn seen(w: &Waiting<'_, u8>) -> (u8, i64, i64, usize) {
    (*w.id(), i64::from(w.priority().get()), w.enqueued_at().unix_millis(), w.stage())
}

/// The queues `order` names, in that order.
fn select_mut<'a>(queues: &'a mut [AcdQueue<u8>], order: &[u8]) -> Vec<&'a mut AcdQueue<u8>> {
    let mut all: Vec<Option<&mut AcdQueue<u8>>> = queues.iter_mut().map(Some).collect();
    order.iter().filter_map(|&q| all[usize::from(q)].take()).collect()
}

/// The queues in `order` were asked at `now`: their clocks move to it.
fn touch(reference: &mut [RefQueue], order: &[u8], now: i64) {
    for &q in order {
        let clock = &mut reference[usize::from(q)].clock;
        *clock = Some(clock.map_or(now, |c| c.max(now)));
    }
}

fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(ms).unwrap()
}

fn check(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut queues: Vec<AcdQueue<u8>> = (0..QUEUES).map(|_| AcdQueue::new()).collect();
    let mut reference: Vec<RefQueue> = (0..QUEUES).map(|_| RefQueue::default()).collect();
    // The most room any reservation asked for: the queue keeps it while it shrinks.
    let mut reserved = [0usize; QUEUES];
    let mut now = BASE_MS;
    for op in ops {
        match op {
            Op::Enqueue { queue, id, priority, at, skills, language, plan } => {
                let q = usize::from(queue);
                let r = &mut reference[q];
                let entry = RefEntry::new(id, priority, at, r.next_seq, skills, language, &plan);
                let requirements = entry.requirements(&plan);
                let result =
                    queues[q].enqueue(id, Priority::new(priority).unwrap(), &requirements, t(at));
                if r.position(id).is_some() {
                    prop_assert_eq!(result.unwrap_err().code(), "acd.duplicate_id");
                } else {
                    prop_assert!(result.is_ok());
                    r.next_seq += 1;
                    r.entries.push(entry);
                }
            }
            Op::NextFor { queues: order, agent, direct } => {
                let a = agent_of(&agent);
                let got = match (direct, order.as_slice()) {
                    (true, &[q]) => queues[usize::from(q)]
                        .next_for(&a, t(now))
                        .map(|i| (usize::from(q), taken(&i))),
                    _ => acd::next_across(&mut select_mut(&mut queues, &order), &a, t(now))
                        .map(|(at, i)| (usize::from(order[at]), taken(&i))),
                };
                touch(&mut reference, &order, now);
                let want = reference_best(&reference, &order, &agent, now)
                    .map(|(q, i)| (q, reference[q].entries.remove(i).summary(now)));
                prop_assert_eq!(got, want);
            }
            Op::PeekFor { queues: order, agent, direct } => {
                let a = agent_of(&agent);
                let got = match (direct, order.as_slice()) {
                    (true, &[q]) => queues[usize::from(q)]
                        .peek_for(&a, t(now))
                        .map(|w| (usize::from(q), seen(&w))),
                    _ => acd::peek_across(&mut select_mut(&mut queues, &order), &a, t(now))
                        .map(|(at, w)| (usize::from(order[at]), seen(&w))),
                };
                touch(&mut reference, &order, now);
                let want = reference_best(&reference, &order, &agent, now)
                    .map(|(q, i)| (q, reference[q].entries[i].summary(now)));
                prop_assert_eq!(got, want);
            }
            Op::Remove { queue, id } => {
                let q = usize::from(queue);
                let got = queues[q].remove(&id).map(|i| taken(&i));
                let r = &mut reference[q];
                let applied = r.applied();
                let want = r.position(id).map(|i| r.entries.remove(i).summary(applied));
                prop_assert_eq!(got, want);
            }
            Op::Reprioritize { queue, id, priority } => {
                let q = usize::from(queue);
                let got = queues[q]
                    .reprioritize(&id, Priority::new(priority).unwrap())
                    .map(|p| i64::from(p.get()));
                let r = &mut reference[q];
                let want =
                    r.position(id).map(|i| std::mem::replace(&mut r.entries[i].priority, priority));
                prop_assert_eq!(got, want);
            }
            Op::Score { queue, id, now } => {
                let q = usize::from(queue);
                let got = queues[q].score(&id, t(now)).map(|s| s.as_millis());
                let r = &reference[q];
                let want = r.position(id).map(|i| r.entries[i].key() + now);
                prop_assert_eq!(got, want);
            }
            Op::Iter { queue } => {
                let q = usize::from(queue);
                let got: Vec<_> = queues[q].iter().map(|w| seen(&w)).collect();
                let r = &reference[q];
                let mut sorted = r.entries.clone();
                sorted.sort_by_key(|e| (-e.key(), e.at, e.seq));
                let want: Vec<_> = sorted.iter().map(|e| e.summary(r.applied())).collect();
                prop_assert_eq!(got, want);
                for w in queues[q].iter() {
                    prop_assert_eq!(w.routing_key(), routing_key(w.priority(), w.enqueued_at()));
                    prop_assert!(w.stage() < w.requirements().stage_count());
                }
            }
            Op::Reserve { queue, additional } => {
                let q = usize::from(queue);
                let additional = usize::from(additional);
                prop_assert!(queues[q].try_reserve(additional).is_ok());
                reserved[q] = reserved[q].max(queues[q].len() + additional);
            }
            Op::Advance { ms } => now += ms,
        }
        for q in 0..QUEUES {
            prop_assert!(queues[q].capacity() >= queues[q].len().max(reserved[q]));
            prop_assert_eq!(queues[q].len(), reference[q].entries.len());
            prop_assert_eq!(queues[q].is_empty(), reference[q].entries.is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn queues_match_naive_reference(ops in prop::collection::vec(op(), 1..200)) {
        check(ops)?;
    }
}
