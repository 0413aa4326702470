//! Model test of the shared queue: the random operation sequences of the ACD model test
//! (`acd_ops`: three queues, stages, agent ids, time passing, several queues at once) run on
//! `AcdQueue`s and on `RedisQueue`s in a real `redis-server`, and every output must be the
//! same at every step: enqueue results and error codes, takes and peeks (id, priority,
//! enqueue time, stage, and the queue across several), removals, priority changes, scores,
//! the listing in routing order, lengths. The server is started by the test; without
//! `redis-server` the test says how to install it and passes (it fails with `CI=true`).

#![cfg(feature = "redis")]

mod acd_ops;
mod redis_server;

use std::sync::atomic::{AtomicU32, Ordering};

use acd_ops::*;
use email_routing::acd::redis::{self as shared, Options, RedisQueue};
use email_routing::acd::{self, AcdQueue, Interaction};
use email_routing::{Priority, QueueId};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use redis_server::RedisServer;

type Summary = (u8, i64, i64, usize);

fn taken(i: &Interaction<u8>) -> Summary {
    (*i.id(), i64::from(i.priority().get()), i.enqueued_at().unix_millis(), i.stage())
}

fn taken_shared(i: &Interaction<String>) -> Summary {
    (
        i.id().parse().unwrap(),
        i64::from(i.priority().get()),
        i.enqueued_at().unix_millis(),
        i.stage(),
    )
}

fn seen_shared(w: &shared::Waiting) -> Summary {
    (
        w.id().parse().unwrap(),
        i64::from(w.priority().get()),
        w.enqueued_at().unix_millis(),
        w.stage(),
    )
}

fn select_mut<'a>(queues: &'a mut [AcdQueue<u8>], order: &[u8]) -> Vec<&'a mut AcdQueue<u8>> {
    let mut all: Vec<Option<&mut AcdQueue<u8>>> = queues.iter_mut().map(Some).collect();
    order.iter().filter_map(|&q| all[usize::from(q)].take()).collect()
}

static CASE: AtomicU32 = AtomicU32::new(0);

fn check(
    runtime: &tokio::runtime::Runtime,
    client: &redis::Client,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    let case = CASE.fetch_add(1, Ordering::Relaxed);
    let mut queues: Vec<AcdQueue<u8>> = (0..QUEUES).map(|_| AcdQueue::new()).collect();
    let stores: Vec<RedisQueue> = (0..QUEUES)
        .map(|q| {
            let name = QueueId::new(&format!("model-{case}-{q}")).unwrap();
            runtime.block_on(RedisQueue::connect(client.clone(), name, Options::default())).unwrap()
        })
        .collect();
    let mut now = BASE_MS;
    for op in ops {
        runtime.block_on(async {
            match op {
                Op::Enqueue { queue, id, priority, at, skills, language, plan } => {
                    let q = usize::from(queue);
                    let entry = RefEntry::new(id, priority, at, 0, skills, language, &plan);
                    let requirements = entry.requirements(&plan);
                    let p = Priority::new(priority).unwrap();
                    let want = queues[q].enqueue(id, p, &requirements, t(at)).map_err(|e| e.code());
                    let got = stores[q]
                        .enqueue(&id.to_string(), p, &requirements, t(at))
                        .await
                        .map_err(|e| e.code());
                    prop_assert_eq!(got, want);
                }
                Op::NextFor { queues: order, agent, direct } => {
                    let a = agent_of(&agent);
                    let (want, got) = match (direct, order.as_slice()) {
                        (true, &[q]) => (
                            queues[usize::from(q)]
                                .next_for(&a, t(now))
                                .map(|i| (usize::from(q), taken(&i))),
                            stores[usize::from(q)]
                                .next_for(&a, t(now))
                                .await
                                .unwrap()
                                .map(|i| (usize::from(q), taken_shared(&i))),
                        ),
                        _ => {
                            let chosen: Vec<&RedisQueue> =
                                order.iter().map(|&q| &stores[usize::from(q)]).collect();
                            (
                                acd::next_across(&mut select_mut(&mut queues, &order), &a, t(now))
                                    .map(|(at, i)| (usize::from(order[at]), taken(&i))),
                                shared::next_across(&chosen, &a, t(now))
                                    .await
                                    .unwrap()
                                    .map(|(at, i)| (usize::from(order[at]), taken_shared(&i))),
                            )
                        }
                    };
                    prop_assert_eq!(got, want);
                }
                Op::PeekFor { queues: order, agent, direct } => {
                    let a = agent_of(&agent);
                    let (want, got) = match (direct, order.as_slice()) {
                        (true, &[q]) => {
                            let want = queues[usize::from(q)].peek_for(&a, t(now)).map(|w| {
                                let requirements = w.requirements().clone();
                                (
                                    usize::from(q),
                                    (
                                        *w.id(),
                                        i64::from(w.priority().get()),
                                        w.enqueued_at().unix_millis(),
                                        w.stage(),
                                    ),
                                    requirements,
                                )
                            });
                            let got =
                                stores[usize::from(q)].peek_for(&a, t(now)).await.unwrap().map(
                                    |w| (usize::from(q), seen_shared(&w), w.requirements().clone()),
                                );
                            (want, got)
                        }
                        _ => {
                            let chosen: Vec<&RedisQueue> =
                                order.iter().map(|&q| &stores[usize::from(q)]).collect();
                            let want =
                                acd::peek_across(&mut select_mut(&mut queues, &order), &a, t(now))
                                    .map(|(at, w)| {
                                        let requirements = w.requirements().clone();
                                        (
                                            usize::from(order[at]),
                                            (
                                                *w.id(),
                                                i64::from(w.priority().get()),
                                                w.enqueued_at().unix_millis(),
                                                w.stage(),
                                            ),
                                            requirements,
                                        )
                                    });
                            let got = shared::peek_across(&chosen, &a, t(now)).await.unwrap().map(
                                |(at, w)| {
                                    (
                                        usize::from(order[at]),
                                        seen_shared(&w),
                                        w.requirements().clone(),
                                    )
                                },
                            );
                            (want, got)
                        }
                    };
                    prop_assert_eq!(got, want);
                }
                Op::Remove { queue, id } => {
                    let q = usize::from(queue);
                    let want = queues[q].remove(&id).map(|i| taken(&i));
                    let got =
                        stores[q].remove(&id.to_string()).await.unwrap().map(|i| taken_shared(&i));
                    prop_assert_eq!(got, want);
                }
                Op::Reprioritize { queue, id, priority } => {
                    let q = usize::from(queue);
                    let p = Priority::new(priority).unwrap();
                    let want = queues[q].reprioritize(&id, p);
                    let got = stores[q].reprioritize(&id.to_string(), p).await.unwrap();
                    prop_assert_eq!(got, want);
                }
                Op::Score { queue, id, now } => {
                    let q = usize::from(queue);
                    let want = queues[q].score(&id, t(now));
                    let got = stores[q].score(&id.to_string(), t(now)).await.unwrap();
                    prop_assert_eq!(got, want);
                }
                Op::Iter { queue } => {
                    let q = usize::from(queue);
                    let want: Vec<_> = queues[q]
                        .iter()
                        .map(|w| {
                            let s = (
                                *w.id(),
                                i64::from(w.priority().get()),
                                w.enqueued_at().unix_millis(),
                                w.stage(),
                            );
                            (s, w.requirements().clone())
                        })
                        .collect();
                    let got: Vec<_> = stores[q]
                        .waiting()
                        .await
                        .unwrap()
                        .iter()
                        .map(|w| (seen_shared(w), w.requirements().clone()))
                        .collect();
                    prop_assert_eq!(got, want);
                }
                // The shared queue has no capacity to reserve.
                Op::Reserve { queue, additional } => {
                    let _ = queues[usize::from(queue)].try_reserve(usize::from(additional));
                }
                Op::Advance { ms } => now += ms,
            }
            for q in 0..QUEUES {
                prop_assert_eq!(stores[q].len().await.unwrap(), queues[q].len());
                prop_assert_eq!(stores[q].class_count().await.unwrap(), queues[q].class_count());
            }
            Ok(())
        })?;
    }
    Ok(())
}

#[test]
fn shared_queue_matches_acd_queue_step_by_step() {
    let Some(server) = RedisServer::start() else { return };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = redis::Client::open(server.url()).unwrap();
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(128);
    let mut runner = TestRunner::new(Config { cases, ..Config::default() });
    let result =
        runner.run(&prop::collection::vec(op(), 1..200), |ops| check(&runtime, &client, ops));
    if let Err(e) = result {
        panic!("{e}");
    }
}
