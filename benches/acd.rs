//! The ACD queue against `std::collections::BinaryHeap<(i64, u64)>` holding the same keys, in
//! the same run: enqueue and take-all without skills; take for a skilled agent over 1,000
//! requirement classes; remove by id.
//!
//! Keys are realistic: arrivals every few milliseconds over a day, priorities 0..=20.

use std::collections::BinaryHeap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use email_routing::acd::{AcdQueue, Agent, Requirements, Timestamp, routing_key};
use email_routing::{Language, Priority, Skill};

const N: usize = 1_000_000;
const DAY_START_MS: i64 = 1_780_000_000_000;

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One arrival: priority and time.
#[derive(Clone, Copy)]
struct Arrival {
    priority: Priority,
    enqueued_at: Timestamp,
}

fn arrivals(n: usize) -> Vec<Arrival> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
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

fn heap_of(arrivals: &[Arrival]) -> BinaryHeap<(i64, u64)> {
    let mut heap = BinaryHeap::new();
    for (seq, a) in arrivals.iter().enumerate() {
        heap.push((routing_key(a.priority, a.enqueued_at), u64::MAX - seq as u64));
    }
    heap
}

fn queue_of(arrivals: &[Arrival]) -> AcdQueue<u64> {
    let none = Requirements::none();
    let mut queue = AcdQueue::new();
    for (id, a) in arrivals.iter().enumerate() {
        queue.enqueue(id as u64, a.priority, &none, a.enqueued_at).unwrap();
    }
    queue
}

fn configure<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    group
}

fn enqueue(c: &mut Criterion) {
    let arrivals = arrivals(N);
    let mut group = configure(c, "acd_enqueue");
    group.bench_function("binary_heap", |b| {
        b.iter_with_large_drop(|| heap_of(black_box(&arrivals)))
    });
    group
        .bench_function("acd_queue", |b| b.iter_with_large_drop(|| queue_of(black_box(&arrivals))));
    // For scale: the heap refilled in memory it already touched (cleared, capacity kept), so
    // without the page faults a fresh fill pays; on a small VM they are most of its time.
    let mut warm = heap_of(&arrivals);
    group.bench_function("binary_heap_without_page_faults", |b| {
        b.iter(|| {
            warm.clear();
            for (seq, a) in black_box(&arrivals).iter().enumerate() {
                warm.push((routing_key(a.priority, a.enqueued_at), u64::MAX - seq as u64));
            }
            warm.len()
        })
    });
    // For scale: the id lookup alone, which any queue that refuses duplicate ids and removes
    // by id needs (std's HashMap, the same ids).
    group.bench_function("hash_map_ids_only", |b| {
        b.iter_with_large_drop(|| {
            let mut ids = std::collections::HashMap::new();
            for id in 0..arrivals.len() as u64 {
                ids.insert(black_box(id), id as u32);
            }
            ids
        })
    });
    group.finish();
}

fn next(c: &mut Criterion) {
    let arrivals = arrivals(N);
    let heap = heap_of(&arrivals);
    let queue = queue_of(&arrivals);
    let anyone = Agent::none();
    let end_of_day = Timestamp::from_unix_millis(DAY_START_MS + 86_400_000).unwrap();
    let mut group = configure(c, "acd_next");
    group.bench_function("binary_heap", |b| {
        b.iter_batched(
            || heap.clone(),
            |mut heap| {
                while let Some(top) = heap.pop() {
                    black_box(top);
                }
                heap
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("acd_queue", |b| {
        b.iter_batched(
            || queue.clone(),
            |mut queue| {
                while let Some(taken) = queue.next_for(&anyone, end_of_day) {
                    black_box(taken);
                }
                queue
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// 1,000 distinct requirement classes: one or two skills out of 64 and, half of the time, one
/// language out of 8, with popular skills and languages more frequent (as in real traffic).
fn classes(rng: &mut Rng, skills: &[Skill], languages: &[Language]) -> Vec<Requirements> {
    let mut classes: Vec<Requirements> = Vec::new();
    // Square a uniform draw to favour low indices: index 0 is the most popular.
    let skewed = |rng: &mut Rng, n: usize| {
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

fn next_for_skills(c: &mut Criterion) {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let skills: Vec<Skill> = (0..64).map(|i| Skill::new(&format!("skill-{i}")).unwrap()).collect();
    let languages: Vec<Language> = ["en", "es", "pt-br", "fr", "de", "it", "nl", "ja"]
        .map(|l| Language::new(l).unwrap())
        .to_vec();
    let classes = classes(&mut rng, &skills, &languages);
    // A generalist: the 8 most popular skills, 8 others, the 2 most popular languages.
    let agent = Agent::new(
        skills[..8].iter().cloned().chain((0..8).map(|i| skills[8 + i * 7].clone())),
        languages[..2].iter().cloned(),
    );
    let qualifying = classes.iter().filter(|r| r.is_met_by(&agent)).count();
    eprintln!(
        "acd_next_for_skills: the agent qualifies for {qualifying} of {} classes",
        classes.len()
    );

    let arrivals = arrivals(N);
    let mut class_of: Vec<usize> = Vec::with_capacity(N);
    let mut queue = AcdQueue::new();
    for (id, a) in arrivals.iter().enumerate() {
        let class = rng.below(classes.len() as u64) as usize;
        class_of.push(class);
        queue.enqueue(id as u64, a.priority, &classes[class], a.enqueued_at).unwrap();
    }
    assert_eq!(queue.class_count(), classes.len());
    let mut group = configure(c, "acd_next_for_skills");
    let mut next_id = N as u64;
    let mut later = DAY_START_MS + 86_400_000;
    group.bench_function("acd_queue", |b| {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                // In chunks, well below the ~100k interactions this agent may take.
                let chunk = left.min(10_000);
                left -= chunk;
                let mut taken = Vec::with_capacity(chunk as usize);
                let at_end = Timestamp::from_unix_millis(later).unwrap();
                let start = Instant::now();
                for _ in 0..chunk {
                    taken.push(queue.next_for(black_box(&agent), at_end));
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

fn remove(c: &mut Criterion) {
    let arrivals = arrivals(N);
    let mut queue = queue_of(&arrivals);
    let none = Requirements::none();
    // Every id once, in random order (Fisher-Yates), walked in chunks: each removal finds
    // its id waiting in a queue of at least 990k.
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut order: Vec<u64> = (0..N as u64).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut cursor = 0;
    let mut group = configure(c, "acd_remove");
    group.bench_function("acd_queue", |b| {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let chunk = left.min(10_000) as usize;
                left -= chunk as u64;
                if cursor + chunk > order.len() {
                    cursor = 0;
                }
                let ids = &order[cursor..cursor + chunk];
                cursor += chunk;
                let mut removed = Vec::with_capacity(chunk);
                let start = Instant::now();
                for id in ids {
                    removed.push(queue.remove(black_box(id)));
                }
                elapsed += start.elapsed();
                // Untimed: put them back, so the queue stays at 1M.
                for r in removed {
                    let r = r.expect("every id is waiting");
                    queue.enqueue(*r.id(), r.priority(), &none, r.enqueued_at()).unwrap();
                }
            }
            elapsed
        })
    });
    group.finish();
}

criterion_group!(benches, enqueue, next, next_for_skills, remove);
criterion_main!(benches);
