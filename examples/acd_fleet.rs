//! Several service nodes share one ACD queue in Redis: each node enqueues email and its
//! agents take from the shared queue at the same time. Prints what each agent got and checks
//! that nothing was handed out twice.
//!
//! ```sh
//! cargo run --example acd_fleet --features redis                          # starts a redis-server
//! cargo run --example acd_fleet --features redis -- redis://127.0.0.1:6379/  # uses yours
//! ```
//!
//! Without an address it starts Debian's `redis-server` on a free loopback port with a
//! temporary directory, and stops it at the end.

#[path = "../tests/redis_server/mod.rs"]
mod redis_server;

use std::collections::HashSet;

use email_routing::Timestamp;
use email_routing::acd::redis::{Options, RedisQueue};
use email_routing::acd::{Agent, Requirements};
use email_routing::{Language, Priority, QueueId, Skill};

const NODES: usize = 3;
const AGENTS_PER_NODE: usize = 2;
const PER_NODE: usize = 40;
const T0: i64 = 1_780_000_000_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (url, _server) = match std::env::args().nth(1) {
        Some(url) => (url, None),
        None => {
            let Some(server) = redis_server::RedisServer::start() else {
                return Err("no redis-server: install it, or pass the address of yours".into());
            };
            (server.url(), Some(server))
        }
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let queue_id = QueueId::new(&format!("fleet-{}", std::process::id()))?;
    let billing = Skill::new("billing")?;
    let needs = [
        Requirements::none(),
        Requirements::none().with_skill(billing.clone()),
        Requirements::none().with_language(Language::new("es")?),
    ];
    let got = runtime.block_on(async {
        let client = redis::Client::open(url.as_str())?;
        let mut nodes = Vec::new();
        for node in 0..NODES {
            // Each node: its own connection, enqueueing its mail while its agents take.
            let queue =
                RedisQueue::connect(client.clone(), queue_id.clone(), Options::default()).await?;
            let needs = needs.clone();
            let billing = billing.clone();
            nodes.push(tokio::spawn(async move {
                let enqueue = {
                    let queue = queue.clone();
                    async move {
                        for i in 0..PER_NODE {
                            let id = format!("node{node}-mail{i}");
                            let at = Timestamp::from_unix_millis(T0 + (i * 10 + node) as i64)?;
                            let priority = Priority::new((i % 3) as i64)?;
                            queue.enqueue(&id, priority, &needs[i % needs.len()], at).await?;
                            tokio::task::yield_now().await;
                        }
                        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
                    }
                };
                let agents = (0..AGENTS_PER_NODE).map(|a| {
                    let queue = queue.clone();
                    let agent = match a {
                        0 => Agent::new([billing.clone()], [Language::new("en")?]),
                        _ => Agent::new([], [Language::new("es-MX")?]),
                    };
                    Ok::<_, email_routing::IdError>(async move {
                        let mut got = Vec::new();
                        let mut idle = 0;
                        while idle < 20 {
                            let now = Timestamp::from_unix_millis(T0 + 60_000)?;
                            match queue.next_for(&agent, now).await? {
                                Some(i) => got.push(i.into_id()),
                                None => {
                                    idle += 1;
                                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                                }
                            }
                        }
                        Ok::<_, Box<dyn std::error::Error + Send + Sync>>((
                            format!("node{node}-agent{a}"),
                            got,
                        ))
                    })
                });
                let agents: Vec<_> = agents.collect::<Result<_, _>>()?;
                let (enqueued, taken) = tokio::join!(enqueue, futures_all(agents));
                enqueued?;
                taken
            }));
        }
        let mut got = Vec::new();
        for node in nodes {
            got.extend(node.await??);
        }
        let left =
            RedisQueue::connect(client, queue_id, Options::default()).await?.waiting().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>((got, left))
    });
    let (got, left) = got.map_err(|e| e.to_string())?;
    let mut seen = HashSet::new();
    let mut twice = Vec::new();
    for (agent, ids) in &got {
        println!("{agent} got {} interactions: {}", ids.len(), ids.join(" "));
        for id in ids {
            if !seen.insert(id.clone()) {
                twice.push(id.clone());
            }
        }
    }
    println!("still waiting (no agent qualifies): {}", left.len());
    let total = NODES * PER_NODE;
    println!(
        "check: {} handed out + {} waiting = {total} enqueued; handed out twice: {}",
        seen.len(),
        left.len(),
        twice.len()
    );
    if !twice.is_empty() || seen.len() + left.len() != total {
        return Err(format!("handed out twice: {twice:?}").into());
    }
    println!("ok: nothing was handed out twice, nothing was lost");
    Ok(())
}

/// Awaits every future, in order.
async fn futures_all<T>(
    futures: Vec<
        impl std::future::Future<Output = Result<T, Box<dyn std::error::Error + Send + Sync>>>,
    >,
) -> Result<Vec<T>, Box<dyn std::error::Error + Send + Sync>> {
    let handles: Vec<_> = futures.into_iter().map(|f| Box::pin(f)).collect();
    let mut out = Vec::new();
    // Poll them together: each agent takes while the others do.
    let results = join_all(handles).await;
    for r in results {
        out.push(r?);
    }
    Ok(out)
}

async fn join_all<F: std::future::Future + Unpin>(mut futures: Vec<F>) -> Vec<F::Output> {
    let mut results: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, r) in futures.iter_mut().zip(results.iter_mut()) {
            if r.is_none() {
                match std::pin::Pin::new(&mut *f).poll(cx) {
                    std::task::Poll::Ready(v) => *r = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    results.into_iter().flatten().collect()
}
