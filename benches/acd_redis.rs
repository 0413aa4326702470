//! The shared queue on a real `redis-server` that the benchmark starts (Debian's package, a
//! free loopback port, a temporary directory), beside the server's own floor in the same
//! group and run: `raw_zadd_zpopmax`, a plain `ZADD` then `ZPOPMAX` on one sorted set in one
//! round trip. Group `acd_redis`:
//!
//! - one client, the latency of one call: `raw_zadd_zpopmax`; `enqueue` (a new interaction in
//!   one of 1,000 requirement classes); `take` (`next_for` for a generalist agent over 1,000
//!   classes, the classes of the `acd_next_for_skills` bench), and `take_10_classes`,
//!   `take_100_classes` to show how the cost grows with the classes; `remove` (by id);
//! - eight clients on eight connections at once, as operations per second:
//!   `raw_zadd_zpopmax_8_clients`, `enqueue_8_clients`, `take_8_clients`, `remove_8_clients`.
//!
//! 100,000 interactions wait throughout: what a take or a removal takes out is put back,
//! untimed. Without `redis-server` the benchmark says how to install it and measures nothing.
//!
//! The floor and the queue are measured on equal terms: the same current-thread tokio runtime
//! (what `BlockingQueue` uses; a multi-thread runtime driven by `block_on` from outside adds a
//! hand-over between threads to every round trip, which blurred the floor between 25 and
//! 100 µs), and the same kind of connection, a `MultiplexedConnection` made with the
//! connection and response timeouts of `Options::default()`, one per client.

#[path = "../tests/redis_server/mod.rs"]
mod redis_server;

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use email_routing::Timestamp;
use email_routing::acd::redis::{Options, RedisQueue};
use email_routing::acd::{Agent, Requirements};
use email_routing::{Language, Priority, QueueId, Skill};
use redis::AsyncConnectionConfig;
use redis_server::RedisServer;
use tokio::runtime::Runtime;

const WAITING: usize = 100_000;
const CLIENTS: usize = 8;
const DAY_START_MS: i64 = 1_780_000_000_000;

use email_routing::testing::Xorshift;

fn skills_and_languages() -> (Vec<Skill>, Vec<Language>) {
    let skills: Vec<Skill> = (0..64).map(|i| Skill::new(&format!("skill-{i}")).unwrap()).collect();
    let languages: Vec<Language> = ["en", "es", "pt-br", "fr", "de", "it", "nl", "ja"]
        .map(|l| Language::new(l).unwrap())
        .to_vec();
    (skills, languages)
}

/// `n` distinct requirement classes: one or two skills out of 64 and, half of the time, one
/// language out of 8, popular ones more frequent (as in the `acd` bench).
fn classes(n: usize, skills: &[Skill], languages: &[Language]) -> Vec<Requirements> {
    let mut rng = Xorshift::new(0x2545_F491_4F6C_DD1D);
    let skewed = |rng: &mut Xorshift, n: usize| {
        let u = rng.below(1 << 20) as f64 / f64::from(1 << 20);
        ((u * u) * n as f64) as usize
    };
    let mut classes: Vec<Requirements> = Vec::new();
    while classes.len() < n {
        let mut r = Requirements::none().with_skill(skills[skewed(&mut rng, skills.len())].clone());
        if rng.below(2) == 0 {
            r = r.with_skill(skills[skewed(&mut rng, skills.len())].clone());
        }
        if rng.below(2) == 0 {
            r = r.with_language(languages[skewed(&mut rng, languages.len())].clone());
        }
        if !classes.contains(&r) {
            classes.push(r);
        }
    }
    classes
}

/// A generalist: the 8 most popular skills, 8 others, the 2 most popular languages.
fn generalist(skills: &[Skill], languages: &[Language]) -> Agent {
    Agent::new(
        skills[..8].iter().cloned().chain((0..8).map(|i| skills[8 + i * 7].clone())),
        languages[..2].iter().cloned(),
    )
}

/// A queue of `WAITING` interactions spread over `classes`, and the ids' counter.
struct Filled {
    queues: Vec<RedisQueue>,
    classes: Vec<Requirements>,
    next_id: AtomicU64,
    clock: AtomicU64,
    /// The class of each id that replaced a taken one.
    replaced: Mutex<HashMap<u64, usize>>,
}

impl Filled {
    fn class_of(&self, id: u64) -> usize {
        let replaced = self.replaced.lock().unwrap().get(&id).copied();
        replaced
            .unwrap_or((id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize % self.classes.len())
    }

    /// Enqueues a new interaction through client `c` in class `class` (by default one drawn
    /// from its id); its id.
    async fn arrive_in(&self, c: usize, class: Option<usize>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Some(class) = class {
            self.replaced.lock().unwrap().insert(id, class);
        }
        let at = DAY_START_MS + self.clock.fetch_add(5, Ordering::Relaxed) as i64;
        let priority = Priority::new((id % 21) as i64).unwrap();
        let requirements = &self.classes[self.class_of(id)];
        let at = Timestamp::from_unix_millis(at).unwrap();
        self.queues[c].enqueue(&id.to_string(), priority, requirements, at).await.unwrap();
        id
    }

    async fn arrive(&self, c: usize) -> u64 {
        self.arrive_in(c, None).await
    }

    /// A new interaction in the class of `taken`, so that the agent's work never runs out.
    async fn replace(&self, c: usize, taken: &str) {
        let class = self.class_of(taken.parse().unwrap());
        self.arrive_in(c, Some(class)).await;
    }

    fn now(&self) -> Timestamp {
        Timestamp::from_unix_millis(DAY_START_MS + self.clock.load(Ordering::Relaxed) as i64)
            .unwrap()
    }
}

fn fill(runtime: &Runtime, server: &RedisServer, name: &str, classes: Vec<Requirements>) -> Filled {
    let client = redis::Client::open(server.url()).unwrap();
    let queues: Vec<RedisQueue> = (0..CLIENTS)
        .map(|_| {
            let queue = QueueId::new(name).unwrap();
            runtime
                .block_on(RedisQueue::connect(client.clone(), queue, Options::default()))
                .unwrap()
        })
        .collect();
    let filled = Filled {
        queues,
        classes,
        next_id: AtomicU64::new(0),
        clock: AtomicU64::new(0),
        replaced: Mutex::default(),
    };
    runtime.block_on(async {
        let per = WAITING / CLIENTS;
        let tasks = (0..CLIENTS).map(|c| {
            let filled = &filled;
            async move {
                for _ in 0..per {
                    filled.arrive(c).await;
                }
            }
        });
        futures_join(tasks).await;
    });
    filled
}

/// Runs the futures to completion concurrently on the current task.
async fn futures_join<F: std::future::Future<Output = ()>>(futures: impl IntoIterator<Item = F>) {
    let set: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut set: Vec<Option<_>> = set.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for slot in &mut set {
            if let Some(f) = slot {
                if f.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    pending = true;
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
}

/// Times `iters` calls of `op` spread over the eight clients, all at once.
fn concurrent<F, Fut>(runtime: &Runtime, iters: u64, op: F) -> Duration
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    runtime.block_on(async {
        let per = iters.div_ceil(CLIENTS as u64);
        let start = Instant::now();
        futures_join((0..CLIENTS).map(|c| {
            let op = &op;
            async move {
                for _ in 0..per {
                    op(c).await;
                }
            }
        }))
        .await;
        start.elapsed()
    })
}

fn bench(c: &mut Criterion) {
    let Some(server) = RedisServer::start() else {
        eprintln!("acd_redis: no redis-server, nothing measured");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (skills, languages) = skills_and_languages();
    let agent = generalist(&skills, &languages);
    let mut group = c.benchmark_group("acd_redis");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    // The floor: one sorted set, ZADD then ZPOPMAX in one round trip, on connections made as
    // `RedisQueue` makes its own.
    let client = redis::Client::open(server.url()).unwrap();
    let options = Options::default();
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(options.connection_timeout()))
        .set_response_timeout(Some(options.response_timeout()));
    let raw: Vec<redis::aio::MultiplexedConnection> = (0..CLIENTS)
        .map(|_| {
            runtime.block_on(client.get_multiplexed_async_connection_with_config(&config)).unwrap()
        })
        .collect();
    let raw_op = |c: usize, n: u64| {
        let mut conn = raw[c].clone();
        async move {
            let _: (i64, Vec<(String, f64)>) = redis::pipe()
                .zadd("raw:{floor}", n, n as f64)
                .zpopmax("raw:{floor}", 1)
                .query_async(&mut conn)
                .await
                .unwrap();
        }
    };
    let counter = AtomicU64::new(0);
    group.bench_function("raw_zadd_zpopmax", |b| {
        b.iter(|| runtime.block_on(raw_op(0, counter.fetch_add(1, Ordering::Relaxed))))
    });

    let thousand = fill(&runtime, &server, "bench-1000", classes(1_000, &skills, &languages));
    let qualifying = thousand.classes.iter().filter(|r| r.is_met_by(&agent)).count();
    eprintln!("acd_redis: the agent qualifies for {qualifying} of 1,000 classes");
    group.bench_function("enqueue", |b| b.iter(|| runtime.block_on(thousand.arrive(0))));
    let take = |filled: &Filled, b: &mut criterion::Bencher| {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..iters {
                let now = filled.now();
                let start = Instant::now();
                let taken = runtime.block_on(filled.queues[0].next_for(black_box(&agent), now));
                elapsed += start.elapsed();
                let taken = taken.unwrap().expect("the agent always finds work");
                runtime.block_on(filled.replace(0, taken.id()));
            }
            elapsed
        })
    };
    group.bench_function("take", |b| take(&thousand, b));
    group.bench_function("remove", |b| {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..iters {
                let id = runtime.block_on(thousand.arrive(0));
                let start = Instant::now();
                let removed =
                    runtime.block_on(thousand.queues[0].remove(black_box(&id.to_string())));
                elapsed += start.elapsed();
                assert!(removed.unwrap().is_some());
            }
            elapsed
        })
    });

    for (n, name) in [(10, "take_10_classes"), (100, "take_100_classes")] {
        let filled =
            fill(&runtime, &server, &format!("bench-{n}"), classes(n, &skills, &languages));
        group.bench_function(name, |b| take(&filled, b));
    }
    group.throughput(Throughput::Elements(1));
    group.bench_function("raw_zadd_zpopmax_8_clients", |b| {
        b.iter_custom(|iters| {
            concurrent(&runtime, iters, |c| raw_op(c, counter.fetch_add(1, Ordering::Relaxed)))
        })
    });
    group.bench_function("enqueue_8_clients", |b| {
        b.iter_custom(|iters| {
            concurrent(&runtime, iters, |c| {
                let filled = &thousand;
                async move {
                    filled.arrive(c).await;
                }
            })
        })
    });
    group.bench_function("take_8_clients", |b| {
        b.iter_custom(|iters| {
            let taken = Mutex::new(Vec::new());
            let d = concurrent(&runtime, iters, |c| {
                let (filled, agent, taken) = (&thousand, &agent, &taken);
                async move {
                    let t = filled.queues[c].next_for(agent, filled.now()).await;
                    let t = t.unwrap().expect("the agent always finds work");
                    taken.lock().unwrap().push(t.into_id());
                }
            });
            // Untimed: as many arrivals in the same classes, so the work never runs out.
            let taken = Mutex::new(taken.into_inner().unwrap());
            concurrent(&runtime, iters, |c| {
                let (filled, taken) = (&thousand, &taken);
                async move {
                    let id = taken.lock().unwrap().pop();
                    if let Some(id) = id {
                        filled.replace(c, &id).await;
                    }
                }
            });
            d
        })
    });
    group.bench_function("remove_8_clients", |b| {
        b.iter_custom(|iters| {
            let first = thousand.next_id.load(Ordering::Relaxed);
            concurrent(&runtime, iters, |c| {
                let filled = &thousand;
                async move {
                    filled.arrive(c).await;
                }
            });
            let last = thousand.next_id.load(Ordering::Relaxed);
            let next = AtomicU64::new(first);
            concurrent(&runtime, iters, |c| {
                let (filled, next) = (&thousand, &next);
                async move {
                    let id = next.fetch_add(1, Ordering::Relaxed);
                    if id < last {
                        let removed = filled.queues[c].remove(&id.to_string()).await.unwrap();
                        assert!(removed.is_some());
                    }
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
