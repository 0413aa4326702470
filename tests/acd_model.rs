//! Model-based test: random sequences of every queue operation, over three queues, with
//! stages (preferred agents, bullseye rings), agent ids and time passing, against a naive
//! reference: a vector of entries per queue, every one of them looked at for every question,
//! its stage worked out from its `enqueued_at` and the current time. Results must match
//! exactly.

mod acd_ops;

use acd_ops::*;
use email_routing::Priority;
use email_routing::acd::{self, AcdQueue, Interaction, Waiting, routing_key};
use proptest::prelude::*;

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
