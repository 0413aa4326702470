//! Concurrency of the shared queue on a real `redis-server`: 8 agents on 8 connections take
//! from one queue of 20,000 mixed interactions (skills, languages, bullseye rings, preferred
//! agents) while other connections enqueue, remove and reprioritize.
//!
//! Checks:
//! - every interaction ends handed out exactly once, removed, or still waiting: none twice,
//!   none lost;
//! - linearizability: `MONITOR` records the order in which the server ran the scripts; replaying
//!   that order on an in-process `AcdQueue` gives exactly what every caller got, so each take
//!   was the first in routing order for its agent at the moment it ran.

#![cfg(feature = "redis")]

mod redis_server;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use email_routing::Timestamp;
use email_routing::acd::redis::{Options, RedisQueue};
use email_routing::acd::{AcdQueue, Agent, Interaction, Requirements};
use email_routing::{AgentId, Language, Priority, QueueId, Skill};
use redis_server::RedisServer;

const T0: i64 = 1_780_000_000_000;
const WAITING: usize = 20_000;
const AGENTS: usize = 8;
const SKILLS: [&str; 5] = ["billing", "tech", "sales", "vip", "legal"];
const LANGUAGES: [&str; 3] = ["en", "es", "pt-br"];

use email_routing::testing::Xorshift;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(T0 + ms).unwrap()
}

fn agent_id(i: usize) -> AgentId {
    AgentId::new(&format!("agent-{i}")).unwrap()
}

/// Mixed requirements: one or two skills, a language half of the time, a ring that drops
/// the skills after 3 to 9 s for a third, a preferred agent for 2 s for a tenth.
fn requirements(rng: &mut Xorshift) -> Requirements {
    let mut r = Requirements::none().with_skill(Skill::new(SKILLS[rng.below(5) as usize]).unwrap());
    if rng.below(2) == 0 {
        r = r.with_skill(Skill::new(SKILLS[rng.below(5) as usize]).unwrap());
    }
    if rng.below(2) == 0 {
        r = r.with_language(Language::new(LANGUAGES[rng.below(3) as usize]).unwrap());
    }
    if rng.below(3) == 0 {
        let skills = r.skills().to_vec();
        r = r.with_ring(Duration::from_millis(3_000 + 2_000 * rng.below(4)), skills).unwrap();
    }
    if rng.below(10) == 0 {
        let named = agent_id(rng.below(AGENTS as u64) as usize);
        r = r.with_preferred_agents([named], Duration::from_secs(2)).unwrap();
    }
    r
}

/// Agent `i`: two or three skills, one or two languages, its id.
fn agent(i: usize) -> Agent {
    let skills = [SKILLS[i % 5], SKILLS[(i + 1) % 5], SKILLS[(i + 3) % 5]];
    let languages = [["en-US", "es"], ["en", "pt-BR"], ["es-419", "fr"]][i % 3];
    Agent::new(
        skills[..2 + i % 2].iter().map(|s| Skill::new(s).unwrap()),
        languages.iter().map(|l| Language::new(l).unwrap()),
    )
    .with_id(agent_id(i))
}

/// What a caller got from one request, keyed by its node's counter.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Got {
    Enqueued(Result<(), &'static str>),
    Interaction(Option<(String, i64, i64, usize)>),
    Priority(Option<i64>),
}

fn summary(i: Option<Interaction<String>>) -> Got {
    Got::Interaction(i.map(|i| {
        let s = (i64::from(i.priority().get()), i.enqueued_at().unix_millis(), i.stage());
        (i.into_id(), s.0, s.1, s.2)
    }))
}

/// Reads `MONITOR` lines into `lines` until `stop`.
fn monitor(port: u16, lines: &Mutex<Vec<String>>, ready: &AtomicBool, stop: &AtomicBool) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(b"MONITOR\r\n").unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line.trim_end(), "+OK");
    ready.store(true, Ordering::SeqCst);
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => lines.lock().unwrap().push(line.trim_end().to_owned()),
            Err(_) if stop.load(Ordering::SeqCst) => break,
            Err(_) => {}
        }
    }
}

/// The quoted arguments of a `MONITOR` line, unescaped.
fn arguments(line: &str) -> Vec<String> {
    let Some(start) = line.find("] ") else { return Vec::new() };
    // Commands the scripts run show as from client `lua`: only the callers' count.
    if line[..start].ends_with(" lua") {
        return Vec::new();
    }
    let mut chars = line[start + 2..].chars().peekable();
    let mut args = Vec::new();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => bytes.push(b'\n'),
                    Some('r') => bytes.push(b'\r'),
                    Some('t') => bytes.push(b'\t'),
                    Some('a') => bytes.push(7),
                    Some('b') => bytes.push(8),
                    Some('x') => {
                        let hex: String =
                            [chars.next().unwrap(), chars.next().unwrap()].iter().collect();
                        bytes.push(u8::from_str_radix(&hex, 16).unwrap());
                    }
                    Some(other) => {
                        let mut buf = [0; 4];
                        bytes.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
                    }
                    None => break,
                },
                other => {
                    let mut buf = [0; 4];
                    bytes.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        args.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    args
}

#[test]
fn eight_agents_take_while_others_change_the_queue() {
    let Some(server) = RedisServer::start() else { return };
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let lines = Mutex::new(Vec::new());
    let (ready, stop) = (AtomicBool::new(false), AtomicBool::new(false));
    let results: Mutex<HashMap<(String, u64), Got>> = Mutex::new(HashMap::new());
    let record = |node: &str, counter: u64, got: Got| {
        results.lock().unwrap().insert((node.to_owned(), counter), got);
    };
    let clock = AtomicI64::new(0);
    let done = AtomicBool::new(false);
    let client = redis::Client::open(server.url()).unwrap();
    let connect = || {
        rt.block_on(RedisQueue::connect(
            client.clone(),
            QueueId::new("fleet").unwrap(),
            Options::default(),
        ))
        .unwrap()
    };
    let fillers: Vec<RedisQueue> = (0..AGENTS).map(|_| connect()).collect();
    let takers: Vec<(usize, RedisQueue)> = (0..AGENTS).map(|i| (i, connect())).collect();
    let changers: Vec<RedisQueue> = (0..3).map(|_| connect()).collect();
    let waiting = std::thread::scope(|scope| {
        scope.spawn(|| monitor(server.port(), &lines, &ready, &stop));
        while !ready.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        // The queue of 20,000, enqueued over 8 connections.
        rt.block_on(async {
            let mut tasks = Vec::new();
            for (f, queue) in fillers.iter().enumerate() {
                let queue = queue.clone();
                let record = &record;
                tasks.push(async move {
                    let mut rng = Xorshift::new(0x9E37_79B9_7F4A_7C15 + f as u64);
                    for (k, i) in (f..WAITING).step_by(AGENTS).enumerate() {
                        let r = requirements(&mut rng);
                        let priority = Priority::new(rng.below(21) as i64).unwrap();
                        let got = queue.enqueue(&format!("w{i}"), priority, &r, t(i as i64)).await;
                        record(
                            queue.node(),
                            k as u64 + 1,
                            Got::Enqueued(got.map_err(|e| e.code())),
                        );
                    }
                });
            }
            for task in tasks {
                task.await;
            }
        });
        std::thread::scope(|scope| {
            // Then 8 agents take, while others enqueue, remove and reprioritize.
            for (i, queue) in &takers {
                let (record, clock, done) = (&record, &clock, &done);
                let rt = &rt;
                scope.spawn(move || {
                    let agent = agent(*i);
                    let mut counter = 0;
                    let mut empty = 0;
                    while empty < 3 {
                        let now = t(WAITING as i64 + clock.load(Ordering::SeqCst));
                        let got = rt.block_on(queue.next_for(&agent, now)).unwrap();
                        counter += 1;
                        if got.is_none() && done.load(Ordering::SeqCst) {
                            empty += 1;
                        }
                        record(queue.node(), counter, summary(got));
                    }
                });
            }
            std::thread::scope(|inner| {
                let (enqueuer, remover, reprioritizer) = (&changers[0], &changers[1], &changers[2]);
                let (record, clock, rt) = (&record, &clock, &rt);
                inner.spawn(move || {
                    let mut rng = Xorshift::new(7);
                    for k in 0..2_000u64 {
                        let at = clock.fetch_add(5, Ordering::SeqCst) + WAITING as i64;
                        let priority = Priority::new(rng.below(21) as i64).unwrap();
                        let got = rt.block_on(enqueuer.enqueue(
                            &format!("late{k}"),
                            priority,
                            &requirements(&mut rng),
                            t(at),
                        ));
                        record(enqueuer.node(), k + 1, Got::Enqueued(got.map_err(|e| e.code())));
                    }
                });
                inner.spawn(move || {
                    let mut rng = Xorshift::new(11);
                    for k in 0..1_500u64 {
                        let id = format!("w{}", rng.below(WAITING as u64));
                        let got = rt.block_on(remover.remove(&id)).unwrap();
                        record(remover.node(), k + 1, summary(got));
                    }
                });
                inner.spawn(move || {
                    let mut rng = Xorshift::new(13);
                    for k in 0..1_500u64 {
                        let id = format!("w{}", rng.below(WAITING as u64));
                        let priority = Priority::new(rng.below(41) as i64 - 20).unwrap();
                        let got = rt.block_on(reprioritizer.reprioritize(&id, priority)).unwrap();
                        record(
                            reprioritizer.node(),
                            k + 1,
                            Got::Priority(got.map(|p| i64::from(p.get()))),
                        );
                    }
                });
            });
            // Time goes on past every stage, so that everything can be taken.
            clock.fetch_add(60_000, Ordering::SeqCst);
            done.store(true, Ordering::SeqCst);
        });
        // Let the monitor catch up with the last commands, then stop it.
        let waiting = {
            let client = redis::Client::open(server.url()).unwrap();
            let queue = rt
                .block_on(RedisQueue::connect(
                    client,
                    QueueId::new("fleet").unwrap(),
                    Options::default(),
                ))
                .unwrap();
            rt.block_on(queue.waiting()).unwrap()
        };
        std::thread::sleep(Duration::from_millis(300));
        stop.store(true, Ordering::SeqCst);
        let _ = server.command(&["PING"]);
        waiting
    });
    let results = results.into_inner().unwrap();

    // Exactly once: taken, removed or waiting, each id once.
    let mut enqueued = HashSet::new();
    let mut seen: HashMap<String, &'static str> = HashMap::new();
    for ((node, _), got) in &results {
        let _ = node;
        if let Got::Interaction(Some((id, ..))) = got {
            assert!(seen.insert(id.clone(), "out").is_none(), "{id} left the queue twice");
        }
    }
    for w in &waiting {
        assert!(
            seen.insert(w.id().to_owned(), "waiting").is_none(),
            "{} both left and waits",
            w.id()
        );
    }
    for i in 0..WAITING {
        enqueued.insert(format!("w{i}"));
    }
    for k in 0..2_000 {
        enqueued.insert(format!("late{k}"));
    }
    let accounted: HashSet<String> = seen.keys().cloned().collect();
    assert_eq!(accounted, enqueued, "every interaction is taken, removed or waiting");

    // Linearizability: replay the server's order on an AcdQueue.
    let lines = lines.into_inner().unwrap();
    let agents: HashMap<String, Agent> =
        (0..AGENTS).map(|i| (agent_id(i).as_str().to_owned(), agent(i))).collect();
    let mut replay: AcdQueue<String> = AcdQueue::new();
    let mut replayed = 0;
    for line in &lines {
        let args = arguments(line);
        if args.len() < 8
            || !args[0].eq_ignore_ascii_case("evalsha") && !args[0].eq_ignore_ascii_case("eval")
        {
            continue;
        }
        let (op, node, counter) =
            (args[4].as_str(), args[5].clone(), args[6].parse::<u64>().unwrap_or(0));
        let a = &args[8..];
        let got = match op {
            "enqueue" => {
                let requirements: Requirements = serde_json::from_str(&a[3]).unwrap();
                let priority = Priority::new(a[1].parse().unwrap()).unwrap();
                let at = Timestamp::from_unix_millis(a[2].parse().unwrap()).unwrap();
                Got::Enqueued(
                    replay.enqueue(a[0].clone(), priority, &requirements, at).map_err(|e| e.code()),
                )
            }
            "take" => {
                let now = Timestamp::from_unix_millis(a[0].parse().unwrap()).unwrap();
                let agent = &agents[a.last().unwrap()];
                summary(replay.next_for(agent, now))
            }
            "remove" => summary(replay.remove(&a[0])),
            "reprioritize" => {
                let priority = Priority::new(a[1].parse().unwrap()).unwrap();
                Got::Priority(replay.reprioritize(&a[0], priority).map(|p| i64::from(p.get())))
            }
            _ => continue,
        };
        let want = results
            .get(&(node.clone(), counter))
            .unwrap_or_else(|| panic!("no caller for {node} {counter}"));
        assert_eq!(&got, want, "request {counter} of node {node} ({op})");
        replayed += 1;
    }
    assert_eq!(replayed, results.len(), "every request ran exactly once");
    let replay_waiting: Vec<String> = replay.iter().map(|w| w.id().clone()).collect();
    let shared_waiting: Vec<String> = waiting.iter().map(|w| w.id().to_owned()).collect();
    assert_eq!(shared_waiting, replay_waiting);
}
