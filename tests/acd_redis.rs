//! The shared queue on a real `redis-server` started by each test: the blocking API, snapshots
//! both ways, the distinct-skill limit and the reuse of interned numbers against `AcdQueue`,
//! and failures with their documented outcomes: a flushed script cache, connections killed
//! mid-run, a reply lost after the server ran the request, the server down, killed and
//! restarted with persistence. Without `redis-server` each test says how to install it and
//! passes (with `CI=true` it fails).

#![cfg(feature = "redis")]

mod redis_server;

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use email_routing::Timestamp;
use email_routing::acd::redis::{BlockingQueue, Options, Outcome, RedisQueue, StoreError};
use email_routing::acd::{AcdQueue, Agent, Requirements};
use email_routing::{AgentId, Language, Priority, QueueId, Skill};
use redis_server::{RedisServer, Settings};

const T0: i64 = 1_780_000_000_000;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(T0 + ms).unwrap()
}

fn p(v: i64) -> Priority {
    Priority::new(v).unwrap()
}

fn skill(s: &str) -> Skill {
    Skill::new(s).unwrap()
}

fn name(s: &str) -> QueueId {
    QueueId::new(s).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn connect(
    rt: &tokio::runtime::Runtime,
    server: &RedisServer,
    queue: &str,
    options: Options,
) -> RedisQueue {
    let client = redis::Client::open(server.url()).unwrap();
    rt.block_on(RedisQueue::connect(client, name(queue), options)).unwrap()
}

/// Requirements with stages: a preferred agent, then billing in English, then English.
fn reply_requirements() -> Requirements {
    Requirements::none()
        .with_skill(skill("billing"))
        .with_language(Language::new("en").unwrap())
        .with_preferred_agents([AgentId::new("ana").unwrap()], Duration::from_secs(60))
        .unwrap()
        .with_ring(Duration::from_secs(30), [skill("billing")])
        .unwrap()
}

#[test]
fn blocking_queue_snapshots_both_ways() {
    let Some(server) = RedisServer::start() else { return };
    let client = redis::Client::open(server.url()).unwrap();
    let mut queue =
        BlockingQueue::connect(client.clone(), name("snap"), Options::default()).unwrap();
    queue.enqueue("reply-1", p(0), &reply_requirements(), t(0)).unwrap();
    queue.enqueue("mail-2", p(5), &Requirements::none(), t(1_000)).unwrap();
    queue.enqueue("mail-3", p(5), &Requirements::none(), t(1_000)).unwrap();
    let err = queue.enqueue("mail-2", p(0), &Requirements::none(), t(0)).unwrap_err();
    assert_eq!(err.code(), "acd.duplicate_id");
    assert_eq!(queue.len().unwrap(), 3);
    assert_eq!(queue.class_count().unwrap(), 2);
    // A peek at 60 s applies the stage change: the reply is in its first ring.
    let bo = Agent::new([skill("Billing")], [Language::new("en-US").unwrap()]);
    let first = queue.peek_for(&bo, t(60_000)).unwrap().unwrap();
    assert_eq!((first.id(), first.stage()), ("mail-2", 0));
    assert_eq!(queue.get("reply-1").unwrap().unwrap().stage(), 1);
    assert_eq!(queue.score("mail-2", t(61_000)).unwrap().unwrap().as_millis(), 5 * 60_000 + 60_000);

    // Export to an AcdQueue, then import into another shared queue: the same order and ties.
    let exported = queue.export().unwrap();
    let ids: Vec<String> = exported.iter().map(|w| w.id().clone()).collect();
    assert_eq!(ids, ["mail-2", "mail-3", "reply-1"]);
    let mut copy = BlockingQueue::connect(client, name("snap-copy"), Options::default()).unwrap();
    copy.import(&exported).unwrap();
    let listed: Vec<(String, Requirements)> = copy
        .waiting()
        .unwrap()
        .into_iter()
        .map(|w| (w.id().to_owned(), w.requirements().clone()))
        .collect();
    let want: Vec<(String, Requirements)> =
        exported.iter().map(|w| (w.id().clone(), w.requirements().clone())).collect();
    assert_eq!(listed, want);
    // Takes follow: the copy has not seen 60 s yet, so the reply still waits for ana.
    let taken: Vec<String> = std::iter::from_fn(|| copy.next_for(&bo, t(59_999)).unwrap())
        .map(|i| i.into_id())
        .collect();
    assert_eq!(taken, ["mail-2", "mail-3"]);
    let taken = copy.next_for(&bo, t(60_000)).unwrap().unwrap();
    assert_eq!((taken.id().as_str(), taken.stage()), ("reply-1", 1));

    // Inside an async runtime the blocking queue refuses rather than stall it.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let err = rt.block_on(async { queue.len().unwrap_err() });
    assert_eq!(err.code(), "acd.store_blocking_in_async");
}

/// 128 distinct skills in use at once, as in `AcdQueue`: the next one is refused with the
/// same code and skill; once interactions leave, their numbers go to new skills, and every
/// take matches `AcdQueue`'s.
#[test]
fn distinct_skill_limit_and_number_reuse_match_acd_queue() {
    let Some(server) = RedisServer::start() else { return };
    let rt = runtime();
    let shared = connect(&rt, &server, "limits", Options::default());
    let mut local: AcdQueue<String> = AcdQueue::new();
    let needs = |i: usize| {
        Requirements::none().with_skill(skill(&format!("s{i}"))).with_skill(skill("common"))
    };
    let mut results = Vec::new();
    for round in 0..3 {
        for i in 0..130 {
            let skill_index = round * 60 + i;
            let id = format!("r{round}-{i}");
            let at = t((round * 1_000 + i) as i64);
            let want =
                local.enqueue(id.clone(), p(0), &needs(skill_index), at).map_err(|e| e.code());
            let got = rt
                .block_on(shared.enqueue(&id, p(0), &needs(skill_index), at))
                .map_err(|e| e.code());
            assert_eq!(got, want, "round {round}, skill {skill_index}");
            results.push(got);
        }
        // Agents with a slice of the skills take everything they can.
        for a in 0..4 {
            let agent = Agent::new(
                (0..300)
                    .filter(|s| s % 4 == a)
                    .map(|s| skill(&format!("s{s}")))
                    .chain([skill("common")]),
                [],
            );
            loop {
                let want = local.next_for(&agent, t(10_000)).map(|i| i.into_id());
                let got =
                    rt.block_on(shared.next_for(&agent, t(10_000))).unwrap().map(|i| i.into_id());
                assert_eq!(got, want);
                if got.is_none() {
                    break;
                }
            }
        }
        assert_eq!(rt.block_on(shared.len()).unwrap(), local.len());
    }
    assert!(results.contains(&Err("acd.too_many_skills")));
    assert!(results.iter().filter(|r| r.is_ok()).count() > 300);
}

/// `SCRIPT FLUSH` empties the server's script cache: the next call gets NOSCRIPT, sends the
/// script again, and succeeds: no error reaches the caller.
#[test]
fn script_flush_is_invisible_to_callers() {
    let Some(server) = RedisServer::start() else { return };
    let rt = runtime();
    let queue = connect(&rt, &server, "flush", Options::default());
    for i in 0..10 {
        rt.block_on(queue.enqueue(&format!("m{i}"), p(0), &Requirements::none(), t(i))).unwrap();
        if i % 3 == 0 {
            assert_eq!(server.command(&["SCRIPT", "FLUSH"]).as_deref(), Some("+OK"));
        }
    }
    let mut taken = Vec::new();
    while let Some(i) = rt.block_on(queue.next_for(&Agent::unskilled(), t(100))).unwrap() {
        taken.push(i.into_id());
        assert_eq!(server.command(&["SCRIPT", "FLUSH"]).as_deref(), Some("+OK"));
    }
    assert_eq!(taken, (0..10).map(|i| format!("m{i}")).collect::<Vec<_>>());
}

/// Takes interactions `0..n` with `workers` handles at once until the queue is empty, and
/// returns what each took; `disturb` runs meanwhile.
fn take_all(
    rt: &tokio::runtime::Runtime,
    queues: &[RedisQueue],
    disturb: impl FnOnce() + Send,
) -> (Vec<Vec<String>>, Vec<StoreError>) {
    let taken = Mutex::new(vec![Vec::new(); queues.len()]);
    let errors = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        scope.spawn(disturb);
        for (w, queue) in queues.iter().enumerate() {
            let (taken, errors) = (&taken, &errors);
            scope.spawn(move || {
                loop {
                    match rt.block_on(queue.next_for(&Agent::unskilled(), t(100))) {
                        Ok(Some(i)) => taken.lock().unwrap()[w].push(i.into_id()),
                        Ok(None) => break,
                        Err(StoreError::InDoubt(d)) => {
                            // Resolve it: the outcome of the request that was sent.
                            let resolved = match rt.block_on(queue.resolve(*d)) {
                                Ok(outcome) => outcome,
                                Err(e) => panic!("resolving failed: {e}"),
                            };
                            match resolved {
                                Outcome::Taken(Some(i)) => {
                                    taken.lock().unwrap()[w].push(i.into_id())
                                }
                                Outcome::Taken(None) => {}
                                other => panic!("a take resolved as {other:?}"),
                            }
                        }
                        Err(e) => {
                            errors.lock().unwrap().push(e);
                            std::thread::sleep(Duration::from_millis(50));
                        }
                    }
                }
            });
        }
    });
    (taken.into_inner().unwrap(), errors.into_inner().unwrap())
}

fn fill(rt: &tokio::runtime::Runtime, queue: &RedisQueue, n: usize) {
    for i in 0..n {
        rt.block_on(queue.enqueue(
            &i.to_string(),
            p((i % 5) as i64),
            &Requirements::none(),
            t(i as i64 % 50),
        ))
        .unwrap();
    }
}

/// Every id of `0..n` taken exactly once by someone.
fn assert_exactly_once(taken: &[Vec<String>], n: usize) {
    let all: Vec<&String> = taken.iter().flatten().collect();
    let distinct: HashSet<&String> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "an interaction was handed out twice");
    assert_eq!(all.len(), n, "an interaction was lost");
}

/// `CLIENT KILL` drops the workers' connections again and again while they take: each call
/// reconnects and sends its request again with the same token, so it returns normally and
/// nothing is handed out twice or lost.
#[test]
fn killed_connections_are_retried_without_a_second_hand_out() {
    let Some(server) = RedisServer::start() else { return };
    let rt = runtime();
    let n = 3_000;
    let queues: Vec<RedisQueue> =
        (0..4).map(|_| connect(&rt, &server, "kill", Options::default())).collect();
    fill(&rt, &queues[0], n);
    let (taken, errors) = take_all(&rt, &queues, || {
        for _ in 0..40 {
            std::thread::sleep(Duration::from_millis(5));
            let _ = server.command(&["CLIENT", "KILL", "TYPE", "normal"]);
        }
    });
    assert!(errors.is_empty(), "{errors:?}");
    assert_exactly_once(&taken, n);
    let reconnections: u32 = queues.iter().map(|q| q.connections() - 1).sum();
    assert!(reconnections > 0, "no connection was killed");
}

/// A reply lost after the server ran the take (the answer comes after the response timeout,
/// here because the server sleeps): the retry carries the same token, so the server returns
/// the kept reply instead of taking a second interaction.
#[test]
fn a_lost_reply_is_answered_from_the_kept_one() {
    let Some(server) = RedisServer::start() else { return };
    let rt = runtime();
    let options = Options::default().with_response_timeout(Duration::from_millis(100));
    let queue = connect(&rt, &server, "lost", options);
    fill(&rt, &queue, 3);
    let sleeper = std::thread::spawn({
        let port = server.port();
        move || {
            let client = redis::Client::open(format!("redis://127.0.0.1:{port}/")).unwrap();
            let mut c = client.get_connection().unwrap();
            let _: () = redis::cmd("DEBUG").arg("SLEEP").arg("0.4").query(&mut c).unwrap();
        }
    });
    std::thread::sleep(Duration::from_millis(50));
    let first = rt.block_on(queue.next_for(&Agent::unskilled(), t(100))).unwrap().unwrap();
    sleeper.join().unwrap();
    assert!(queue.connections() >= 2, "the first try should have timed out");
    let rest: Vec<String> =
        std::iter::from_fn(|| rt.block_on(queue.next_for(&Agent::unskilled(), t(100))).unwrap())
            .map(|i| i.into_id())
            .collect();
    let mut all = vec![first.into_id()];
    all.extend(rest);
    all.sort();
    assert_eq!(all, ["0", "1", "2"]);
}

/// The server down: a read reports `acd.store_unavailable`; a take sent on the connection
/// that broke reports `acd.store_in_doubt`; after a restart with persistence, resolving it
/// gives what it took (or runs it), and every interaction is handed out exactly once.
#[test]
fn server_down_then_restarted_with_persistence() {
    let Some(mut server) = RedisServer::start_with(Settings { persistent: true }) else { return };
    let rt = runtime();
    let short = Options::default().with_retry_for(Duration::from_millis(200));
    let queue = connect(&rt, &server, "restart", short);
    fill(&rt, &queue, 5);
    server.kill();
    let err = rt.block_on(queue.len()).unwrap_err();
    assert_eq!(err.code(), "acd.store_unavailable", "{err}");
    let err = rt.block_on(queue.next_for(&Agent::unskilled(), t(100))).unwrap_err();
    let in_doubt = match err {
        StoreError::InDoubt(d) => d,
        StoreError::Unavailable { .. } => {
            // Reconnecting failed before the request left: it did not run.
            server.restart();
            assert_eq!(rt.block_on(queue.len()).unwrap(), 5);
            return;
        }
        other => panic!("unexpected {other}"),
    };
    assert_eq!(in_doubt.operation(), "take");
    server.restart();
    let Outcome::Taken(first) = rt.block_on(queue.resolve(*in_doubt)).unwrap() else {
        panic!("a take resolves as taken");
    };
    let mut all: Vec<String> = first.into_iter().map(|i| i.into_id()).collect();
    all.extend(
        std::iter::from_fn(|| rt.block_on(queue.next_for(&Agent::unskilled(), t(100))).unwrap())
            .map(|i| i.into_id()),
    );
    all.sort();
    assert_eq!(all, ["0", "1", "2", "3", "4"]);
}

/// The server killed (SIGKILL) in the middle of a run of takes and restarted with its
/// append-only file: workers retry through the outage, and at the end every interaction was
/// handed out exactly once.
#[test]
fn server_killed_mid_run_and_restarted() {
    let Some(server) = RedisServer::start_with(Settings { persistent: true }) else { return };
    let rt = runtime();
    let n = 6_000;
    let queues: Vec<RedisQueue> =
        (0..4).map(|_| connect(&rt, &server, "crash", Options::default())).collect();
    fill(&rt, &queues[0], n);
    let server = Mutex::new(server);
    let (taken, errors) = take_all(&rt, &queues, || {
        std::thread::sleep(Duration::from_millis(30));
        let mut s = server.lock().unwrap();
        s.kill();
        std::thread::sleep(Duration::from_millis(300));
        s.restart();
    });
    assert!(errors.is_empty(), "{errors:?}");
    assert_exactly_once(&taken, n);
    assert_eq!(rt.block_on(queues[0].len()).unwrap(), 0);
    assert!(queues.iter().all(|q| q.connections() > 1), "the kill came after the run");
}

/// Scores near the end of the timestamp range (about 2.5e14 ms) have 15 digits; the order
/// must stay exact there too, as it is in an `AcdQueue`.
#[test]
fn far_future_scores_keep_their_exact_order() {
    let Some(server) = RedisServer::start() else { return };
    let client = redis::Client::open(server.url()).unwrap();
    let mut queue = BlockingQueue::connect(client, name("far"), Options::default()).unwrap();
    let max = Timestamp::MAX_MILLIS;
    let at = |ms: i64| Timestamp::from_unix_millis(ms).unwrap();
    let e = max - 120_000;
    // The first waits at score e, the second at e - 1 (one more priority point, 59,999 ms
    // later), so the second comes first although it arrived later.
    let cases = [
        ("first", p(0), e),
        ("second", p(1), e + 59_999),
        ("third", p(0), e + 1),
        ("fourth", p(1), e + 60_001),
    ];
    let mut local: AcdQueue<String> = AcdQueue::new();
    for (id, priority, ms) in cases {
        queue.enqueue(id, priority, &Requirements::none(), at(ms)).unwrap();
        local.enqueue(id.to_owned(), priority, &Requirements::none(), at(ms)).unwrap();
    }
    let now = at(max);
    let agent = Agent::unskilled();
    let want: Vec<String> =
        std::iter::from_fn(|| local.next_for(&agent, now)).map(|i| i.into_id()).collect();
    assert_eq!(want, ["second", "first", "third", "fourth"]);
    let got: Vec<String> =
        std::iter::from_fn(|| queue.next_for(&agent, now).unwrap()).map(|i| i.into_id()).collect();
    assert_eq!(got, want);
}
