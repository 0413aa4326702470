//! The ACD queue against the indexed priority queues a user would pick instead, holding the
//! same 1M ids with the same keys (routing key, then enqueue order) in the same run:
//! `priority-queue`'s `PriorityQueue` and `keyed_priority_queue`'s `KeyedPriorityQueue`, each
//! with its default hasher, std's `RandomState` (SipHash-1-3), and the queue with its own,
//! `IdHashBuilder` (foldhash). Where ids are hashed (enqueue, remove, reprioritize),
//! `acd_queue_sip` is the queue with std's `RandomState` too: the hasher's share of the
//! difference. Groups: enqueue 1M from empty; remove by id and reprioritize by id with 1M
//! waiting; take all of 1M. `std::collections::BinaryHeap` stays in the enqueue and take-all
//! groups for scale (it refuses no duplicate and finds no id).
//!
//! Then the queue alone: take for a skilled agent over 1,000 requirement classes, and the same
//! with stages (a third of the classes with a 3-ring bullseye, a tenth with a preferred agent).
//!
//! Keys are realistic: arrivals every few milliseconds, priorities 0..=20.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hash::{BuildHasher, RandomState};
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use email_routing::Timestamp;
use email_routing::acd::{AcdQueue, Agent, Requirements, routing_key};
use email_routing::{AgentId, Language, Priority, Skill};
use keyed_priority_queue::KeyedPriorityQueue;
use priority_queue::PriorityQueue;

const N: usize = 1_000_000;
const DAY_START_MS: i64 = 1_780_000_000_000;

use email_routing::testing::Xorshift;

/// One arrival: priority and time.
#[derive(Clone, Copy)]
struct Arrival {
    priority: Priority,
    enqueued_at: Timestamp,
}

impl Arrival {
    fn key(&self) -> i64 {
        routing_key(self.priority, self.enqueued_at)
    }
}

fn arrivals(n: usize) -> Vec<Arrival> {
    let mut rng = Xorshift::new(0x9E37_79B9_7F4A_7C15);
    let mut t = DAY_START_MS;
    (0..n)
        .map(|_| {
            t += rng.below(10) as i64; // about 200 arrivals per second
            Arrival {
                priority: Priority::new(rng.below(21) as i64).unwrap(),
                enqueued_at: Timestamp::from_unix_millis(t).unwrap(),
            }
        })
        .collect()
}

/// The peers' priority: the routing key, then the earlier enqueue (both max-heaps).
type Key = (i64, Reverse<u64>);

fn heap_of(arrivals: &[Arrival]) -> BinaryHeap<(i64, Reverse<u64>)> {
    let mut heap = BinaryHeap::new();
    for (seq, a) in arrivals.iter().enumerate() {
        heap.push((a.key(), Reverse(seq as u64)));
    }
    heap
}

fn priority_queue_of(arrivals: &[Arrival]) -> PriorityQueue<u64, Key> {
    let mut queue = PriorityQueue::new();
    for (id, a) in arrivals.iter().enumerate() {
        queue.push(id as u64, (a.key(), Reverse(id as u64)));
    }
    queue
}

fn keyed_of(arrivals: &[Arrival]) -> KeyedPriorityQueue<u64, Key> {
    let mut queue = KeyedPriorityQueue::new();
    for (id, a) in arrivals.iter().enumerate() {
        queue.push(id as u64, (a.key(), Reverse(id as u64)));
    }
    queue
}

fn queue_of(arrivals: &[Arrival]) -> AcdQueue<u64> {
    queue_with(arrivals, Default::default())
}

fn queue_with<S: BuildHasher>(arrivals: &[Arrival], hasher: S) -> AcdQueue<u64, S> {
    let none = Requirements::none();
    let mut queue = AcdQueue::with_hasher(hasher);
    for (id, a) in arrivals.iter().enumerate() {
        queue.enqueue(id as u64, a.priority, &none, a.enqueued_at).unwrap();
    }
    queue
}

fn configure<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    // Times come from the command line (`--warm-up-time`, `--measurement-time`), criterion's
    // defaults otherwise; 10 samples, since each fills or empties 1M.
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group
}

fn enqueue(c: &mut Criterion) {
    let arrivals = arrivals(N);
    let mut group = configure(c, "acd_enqueue");
    group.bench_function("priority_queue", |b| {
        b.iter_with_large_drop(|| priority_queue_of(black_box(&arrivals)))
    });
    group.bench_function("keyed_priority_queue", |b| {
        b.iter_with_large_drop(|| keyed_of(black_box(&arrivals)))
    });
    group
        .bench_function("acd_queue", |b| b.iter_with_large_drop(|| queue_of(black_box(&arrivals))));
    group.bench_function("acd_queue_sip", |b| {
        b.iter_with_large_drop(|| queue_with(black_box(&arrivals), RandomState::new()))
    });
    group.bench_function("binary_heap", |b| {
        b.iter_with_large_drop(|| heap_of(black_box(&arrivals)))
    });
    group.finish();
}

/// Takes all of `queue` (a clone per iteration, untimed), `take` at a time.
fn bench_take_all<Q: Clone>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    queue: &Q,
    mut take: impl FnMut(&mut Q) -> bool,
) {
    group.bench_function(name, |b| {
        b.iter_batched(
            || queue.clone(),
            |mut queue| {
                while take(&mut queue) {}
                queue
            },
            BatchSize::PerIteration,
        )
    });
}

fn next(c: &mut Criterion) {
    let arrivals = arrivals(N);
    let anyone = Agent::unskilled();
    let end_of_day = Timestamp::from_unix_millis(DAY_START_MS + 86_400_000).unwrap();
    let mut group = configure(c, "acd_next");
    bench_take_all(&mut group, "priority_queue", &priority_queue_of(&arrivals), |q| {
        black_box(q.pop()).is_some()
    });
    bench_take_all(&mut group, "keyed_priority_queue", &keyed_of(&arrivals), |q| {
        black_box(q.pop()).is_some()
    });
    bench_take_all(&mut group, "acd_queue", &queue_of(&arrivals), |q| {
        black_box(q.next_for(&anyone, end_of_day)).is_some()
    });
    bench_take_all(&mut group, "binary_heap", &heap_of(&arrivals), |q| {
        black_box(q.pop()).is_some()
    });
    group.finish();
}

/// Times `op` once per item of `items`, in chunks of 10,000, cycling; after each chunk,
/// `restore` (untimed) gets what the chunk returned.
fn bench_per_op<Q, T: Copy, R>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    queue: &mut Q,
    items: &[T],
    mut op: impl FnMut(&mut Q, T) -> R,
    mut restore: impl FnMut(&mut Q, Vec<R>),
) {
    let mut cursor = 0;
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let chunk = left.min(10_000) as usize;
                left -= chunk as u64;
                if cursor + chunk > items.len() {
                    cursor = 0;
                }
                let batch = &items[cursor..cursor + chunk];
                cursor += chunk;
                let mut results = Vec::with_capacity(chunk);
                let start = Instant::now();
                for &item in batch {
                    results.push(op(queue, black_box(item)));
                }
                elapsed += start.elapsed();
                restore(queue, results);
            }
            elapsed
        })
    });
}

/// `AcdQueue` removals by id, with hasher `S`; each chunk goes back in, untimed.
fn acd_remove<S: BuildHasher>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    mut queue: AcdQueue<u64, S>,
    ids: &[u64],
) {
    let none = Requirements::none();
    bench_per_op(
        group,
        name,
        &mut queue,
        ids,
        |q, id| q.remove(&id),
        |q, rs| {
            for r in rs.into_iter().flatten() {
                q.enqueue(*r.id(), r.priority(), &none, r.enqueued_at()).unwrap();
            }
        },
    );
}

/// `AcdQueue` priority changes by id, with hasher `S`.
fn acd_reprioritize<S: BuildHasher>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    mut queue: AcdQueue<u64, S>,
    changes: &[(u64, Priority, i64)],
) {
    bench_per_op(
        group,
        name,
        &mut queue,
        changes,
        |q, (id, priority, _)| q.reprioritize(&id, priority).is_some(),
        |_, _| {},
    );
}

/// Every id once, in random order (Fisher-Yates).
fn shuffled_ids(seed: u64) -> Vec<u64> {
    let mut rng = Xorshift::new(seed);
    let mut order: Vec<u64> = (0..N as u64).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    order
}

fn remove(c: &mut Criterion) {
    let arrivals = arrivals(N);
    // Each id once, in random order, walked in chunks: each removal finds its id waiting in a
    // queue of at least 990k; the chunk goes back in, untimed, with the same key.
    let ids = shuffled_ids(0xD1B5_4A32_D192_ED03);
    let key_of = |id: u64| (arrivals[id as usize].key(), Reverse(id));
    let mut group = configure(c, "acd_remove");
    let mut pq = priority_queue_of(&arrivals);
    bench_per_op(
        &mut group,
        "priority_queue",
        &mut pq,
        &ids,
        |q, id| q.remove(&id),
        |q, rs| {
            for (id, key) in rs.into_iter().flatten() {
                q.push(id, key);
            }
        },
    );
    drop(pq);
    let mut kq = keyed_of(&arrivals);
    bench_per_op(
        &mut group,
        "keyed_priority_queue",
        &mut kq,
        &ids,
        |q, id| q.remove(&id).map(|_| id),
        |q, rs| {
            for id in rs.into_iter().flatten() {
                q.push(id, key_of(id));
            }
        },
    );
    drop(kq);
    acd_remove(&mut group, "acd_queue", queue_of(&arrivals), &ids);
    acd_remove(&mut group, "acd_queue_sip", queue_with(&arrivals, RandomState::new()), &ids);
    group.finish();
}

fn reprioritize(c: &mut Criterion) {
    let arrivals = arrivals(N);
    // Each id once, in random order, to a random priority in 0..=20; the peers get the new
    // key computed in advance (the queue computes it from the wait it keeps).
    let mut rng = Xorshift::new(0x2545_F491_4F6C_DD1D);
    let changes: Vec<(u64, Priority, i64)> = shuffled_ids(0xA076_1D64_78BD_642F)
        .into_iter()
        .map(|id| {
            let priority = Priority::new(rng.below(21) as i64).unwrap();
            (id, priority, routing_key(priority, arrivals[id as usize].enqueued_at))
        })
        .collect();
    let mut group = configure(c, "acd_reprioritize");
    let mut pq = priority_queue_of(&arrivals);
    bench_per_op(
        &mut group,
        "priority_queue",
        &mut pq,
        &changes,
        |q, (id, _, key)| q.change_priority(&id, (key, Reverse(id))).is_some(),
        |_, _| {},
    );
    drop(pq);
    let mut kq = keyed_of(&arrivals);
    bench_per_op(
        &mut group,
        "keyed_priority_queue",
        &mut kq,
        &changes,
        |q, (id, _, key)| q.set_priority(&id, (key, Reverse(id))).is_ok(),
        |_, _| {},
    );
    drop(kq);
    acd_reprioritize(&mut group, "acd_queue", queue_of(&arrivals), &changes);
    acd_reprioritize(
        &mut group,
        "acd_queue_sip",
        queue_with(&arrivals, RandomState::new()),
        &changes,
    );
    group.finish();
}

/// 1,000 distinct requirement classes: one or two skills out of 64 and, half of the time, one
/// language out of 8, with popular skills and languages more frequent (as in real traffic).
fn classes(rng: &mut Xorshift, skills: &[Skill], languages: &[Language]) -> Vec<Requirements> {
    let mut classes: Vec<Requirements> = Vec::new();
    // Square a uniform draw to favour low indices: index 0 is the most popular.
    let skewed = |rng: &mut Xorshift, n: usize| {
        let u = rng.below(1 << 20) as f64 / f64::from(1 << 20);
        ((u * u) * n as f64) as usize
    };
    while classes.len() < 1_000 {
        let mut r = Requirements::none().with_skill(skills[skewed(rng, skills.len())].clone());
        if rng.below(2) == 0 {
            r = r.with_skill(skills[skewed(rng, skills.len())].clone());
        }
        if rng.below(2) == 0 {
            r = r.with_language(languages[skewed(rng, languages.len())].clone());
        }
        if !classes.contains(&r) {
            classes.push(r);
        }
    }
    classes
}

/// Takes for `agent` from a queue of 1M interactions spread at random over `classes`, each
/// take timed; after each chunk of takes as many new arrivals (untimed) keep it at 1M. Time
/// moves 5 ms per arrival, and takes happen at the latest arrival's time.
fn bench_next_for_classes(
    c: &mut Criterion,
    group_name: &str,
    classes: &[Requirements],
    agent: &Agent,
) {
    let mut rng = Xorshift::new(0x9E37_79B9_7F4A_7C15);
    let arrivals = arrivals(N);
    let mut class_of: Vec<usize> = Vec::with_capacity(N);
    let mut queue = AcdQueue::new();
    for (id, a) in arrivals.iter().enumerate() {
        let class = rng.below(classes.len() as u64) as usize;
        class_of.push(class);
        queue.enqueue(id as u64, a.priority, &classes[class], a.enqueued_at).unwrap();
    }
    assert_eq!(queue.class_count(), classes.len());
    let mut later = arrivals.last().unwrap().enqueued_at.unix_millis();
    // Untimed: the stage changes due at the start.
    let now = Timestamp::from_unix_millis(later).unwrap();
    assert!(queue.peek_for(agent, now).is_some());
    let mut group = configure(c, group_name);
    let mut next_id = N as u64;
    group.bench_function("acd_queue", |b| {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                // In chunks, well below the ~100k interactions this agent may take.
                let chunk = left.min(10_000);
                left -= chunk;
                let mut taken = Vec::with_capacity(chunk as usize);
                let now = Timestamp::from_unix_millis(later).unwrap();
                let start = Instant::now();
                for _ in 0..chunk {
                    taken.push(queue.next_for(black_box(agent), now));
                }
                elapsed += start.elapsed();
                // Untimed: as many new arrivals, so the queue stays at 1M waiting.
                for t in taken {
                    let t = t.expect("the agent always finds work");
                    let class = class_of[*t.id() as usize];
                    class_of.push(class);
                    later += 5;
                    let at = Timestamp::from_unix_millis(later).unwrap();
                    queue.enqueue(next_id, t.priority(), &classes[class], at).unwrap();
                    next_id += 1;
                }
            }
            elapsed
        })
    });
    group.finish();
}

fn skills_and_languages() -> (Vec<Skill>, Vec<Language>) {
    let skills: Vec<Skill> = (0..64).map(|i| Skill::new(&format!("skill-{i}")).unwrap()).collect();
    let languages: Vec<Language> = ["en", "es", "pt-br", "fr", "de", "it", "nl", "ja"]
        .map(|l| Language::new(l).unwrap())
        .to_vec();
    (skills, languages)
}

/// A generalist: the 8 most popular skills, 8 others, the 2 most popular languages.
fn generalist(skills: &[Skill], languages: &[Language]) -> Agent {
    Agent::new(
        skills[..8].iter().cloned().chain((0..8).map(|i| skills[8 + i * 7].clone())),
        languages[..2].iter().cloned(),
    )
}

fn next_for_skills(c: &mut Criterion) {
    let (skills, languages) = skills_and_languages();
    let classes = classes(&mut Xorshift::new(0x2545_F491_4F6C_DD1D), &skills, &languages);
    let agent = generalist(&skills, &languages);
    let qualifying = classes.iter().filter(|r| r.is_met_by(&agent)).count();
    eprintln!(
        "acd_next_for_skills: the agent qualifies for {qualifying} of {} classes",
        classes.len()
    );
    bench_next_for_classes(c, "acd_next_for_skills", &classes, &agent);
}

fn next_for_staged(c: &mut Criterion) {
    let (skills, languages) = skills_and_languages();
    let mut rng = Xorshift::new(0x2545_F491_4F6C_DD1D);
    let agents: Vec<AgentId> =
        (0..50).map(|i| AgentId::new(&format!("agent-{i}")).unwrap()).collect();
    // The same 1,000 classes: a third get a 3-ring bullseye (30 s with every skill, 60 s
    // without the first, then without any), a tenth a 60 s preferred-agent stage naming one
    // of 50 agents.
    let classes: Vec<Requirements> = classes(&mut rng, &skills, &languages)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r;
            if i % 3 == 0 {
                let (first, rest) = r.skills().split_at(1);
                let (first, rest) = (first.to_vec(), rest.to_vec());
                r = r
                    .with_ring(Duration::from_secs(30), first)
                    .and_then(|r| r.with_ring(Duration::from_secs(60), rest))
                    .unwrap();
            }
            if i % 10 == 1 {
                let agent = agents[rng.below(agents.len() as u64) as usize].clone();
                r = r.with_preferred_agents([agent], Duration::from_secs(60)).unwrap();
            }
            r
        })
        .collect();
    let agent = generalist(&skills, &languages).with_id(agents[0].clone());
    bench_next_for_classes(c, "acd_next_for_staged", &classes, &agent);
}

criterion_group!(benches, enqueue, remove, reprioritize, next, next_for_skills, next_for_staged);
criterion_main!(benches);
