//! The operations of the ACD model tests and their generator, shared by `acd_model.rs` (an
//! `AcdQueue` against a naive reference) and `acd_redis_model.rs` (an `AcdQueue` against the
//! shared queue in Redis): random sequences of every queue operation over three queues, with
//! stages (preferred agents, bullseye rings), agent ids and time passing.

// Each test file uses part of it.
#![allow(dead_code)]

use std::time::Duration;

use email_routing::Timestamp;
use email_routing::acd::{Agent, Requirements};
use email_routing::{AgentId, Language, Priority, Skill};
use proptest::prelude::*;

/// Required skills as written on interactions; agents write them in other cases.
pub const SKILLS: [&str; 6] = ["billing", "Refunds", "tech", "sales", "vip", "legal"];
/// Required languages: ranges.
pub const RANGES: [&str; 4] = ["en", "es", "pt-br", "*"];
/// Agents' languages: tags.
pub const TAGS: [&str; 6] = ["en", "en-US", "es-419", "pt", "PT-BR", "*"];
pub const AGENTS: [&str; 3] = ["ana", "bo", "cy"];
pub const QUEUES: usize = 3;
pub const BASE_MS: i64 = 1_780_000_000_000;

/// Stages: which agents are preferred (a mask of [`AGENTS`]) and for how long, then the timed
/// rings, each with its stay and the skills it removes (a mask of [`SKILLS`], cut down to the
/// skills still required when built).
#[derive(Debug, Clone)]
pub struct Plan {
    pub preferred: Option<(u8, i64)>,
    pub rings: Vec<(i64, u8)>,
}

#[derive(Debug, Clone)]
pub enum Op {
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
pub struct AgentSpec {
    pub id: Option<u8>,
    pub skills: u8,
    /// Which skills the agent writes in capitals.
    pub shouting: u8,
    pub languages: u8,
}

pub fn priority() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => -2i64..=2,
        1 => Just(i64::from(Priority::MIN)),
        1 => Just(i64::from(Priority::MAX)),
    ]
}

/// Times a whole number of minutes apart (plus 0 or 1 ms), so that keys often tie and stage
/// ends often fall exactly on the current time.
pub fn time() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => (0i64..5, 0i64..2).prop_map(|(minutes, ms)| BASE_MS + minutes * 60_000 + ms),
        1 => Just(0),
        1 => Just(Timestamp::MAX_MILLIS),
    ]
}

/// Stage lengths that line up with the times above.
pub fn stay() -> impl Strategy<Value = i64> {
    prop_oneof![Just(1i64), Just(60_000), Just(120_000), Just(59_999)]
}

/// Mostly zero or one skill, sometimes two or three, out of six.
pub fn skill_set() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => Just(0u8),
        4 => (0u8..6).prop_map(|s| 1 << s),
        3 => 0u8..64,
    ]
}

pub fn plan() -> impl Strategy<Value = Option<Plan>> {
    let preferred = prop::option::of((1u8..8, stay()));
    let rings = prop::collection::vec((stay(), 0u8..64), 0..3);
    prop::option::weighted(
        0.5,
        (preferred, rings).prop_map(|(preferred, rings)| Plan { preferred, rings }),
    )
}

pub fn agent() -> impl Strategy<Value = AgentSpec> {
    prop_oneof![
        // An agent with nothing to match (no skill, language or id) takes a path of its own.
        1 => Just(AgentSpec { id: None, skills: 0, shouting: 0, languages: 0 }),
        9 => (prop::option::of(0u8..4), 0u8..64, 0u8..64, 0u8..64).prop_map(
            |(id, skills, shouting, languages)| AgentSpec { id, skills, shouting, languages }
        ),
    ]
}

/// Up to three distinct queues, in any order.
pub fn queue_list() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => Just(vec![]),
        4 => (0u8..3).prop_map(|q| vec![q]),
        3 => Just(vec![0u8, 1, 2]).prop_shuffle(),
        2 => Just(vec![2u8, 0]),
    ]
}

pub fn op() -> impl Strategy<Value = Op> {
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

pub fn skills_of(mask: u8, shouting: u8) -> Vec<Skill> {
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

pub fn agent_id(i: u8) -> AgentId {
    AgentId::new(AGENTS.get(usize::from(i)).copied().unwrap_or("nobody")).unwrap()
}

pub fn agent_of(spec: &AgentSpec) -> Agent {
    let languages =
        (0..6).filter(|b| spec.languages & 1 << b != 0).map(|b| Language::new(TAGS[b]).unwrap());
    let agent = Agent::new(skills_of(spec.skills, spec.shouting), languages);
    match spec.id {
        Some(i) => agent.with_id(agent_id(i)),
        None => agent,
    }
}

/// RFC 4647 basic filtering, written out again for the reference.
pub fn range_matches(range: &str, tag: &str) -> bool {
    let (range, tag) = (range.to_lowercase(), tag.to_lowercase());
    range == "*" || tag == range || tag.starts_with(&format!("{range}-"))
}

/// What the reference keeps per interaction.
#[derive(Debug, Clone)]
pub struct RefEntry {
    pub id: u8,
    pub priority: i64,
    pub at: i64,
    pub seq: u64,
    pub skills: u8,
    pub language: Option<u8>,
    /// The preferred agents (a mask) and when that stage ends, relative to `at`.
    pub preferred: Option<(u8, i64)>,
    /// When each ring ends, relative to `at`, and the skills still required in each ring.
    pub ring_ends: Vec<i64>,
    pub ring_skills: Vec<u8>,
}

impl RefEntry {
    pub fn new(
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

    pub fn requirements(&self, plan: &Option<Plan>) -> Requirements {
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

    pub fn key(&self) -> i64 {
        self.priority * 60_000 - self.at
    }

    /// The stage at `now`: how many stage ends are at or before it.
    pub fn stage_at(&self, now: i64) -> usize {
        let waited = now.saturating_sub(self.at);
        let ends =
            self.preferred.map(|(_, wait)| wait).into_iter().chain(self.ring_ends.iter().copied());
        ends.filter(|&end| end <= waited).count()
    }

    pub fn may_go_to(&self, agent: &AgentSpec, now: i64) -> bool {
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

    pub fn summary(&self, now: i64) -> (u8, i64, i64, usize) {
        (self.id, self.priority, self.at, self.stage_at(now))
    }
}

pub fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(ms).unwrap()
}
