//! One ACD queue shared by a fleet of nodes, stored in Redis (feature `redis`).
//!
//! [`RedisQueue`] has the semantics of [`AcdQueue`]: the same routing order (the fixed
//! [`routing_key`](super::routing_key), ties to the earlier `enqueued_at`, then to the earlier
//! enqueue), the same matching of skills and languages, the same stages (preferred agents,
//! bullseye rings, a stage that ends exactly at `now` has ended, the queue's time only moves
//! forward), the same limits and refusals (`acd.duplicate_id`, `acd.too_many_skills`, ...),
//! `remove`, `reprioritize` keeping the wait, `score`, the listing in routing order and a
//! snapshot to and from an [`AcdQueue`]. Any number of nodes may call it at once.
//!
//! # Consistency
//! Every operation is one Lua script that the server runs atomically, so the operations of
//! all nodes take effect one at a time, in some order, each as it would on one [`AcdQueue`]:
//! a take never hands one interaction to two agents and never loses one, also while other
//! nodes enqueue, remove and reprioritize. An operation that changes the queue carries a
//! request token (the node's number and a counter); the server keeps its reply until the node
//! has received it, so a request sent again after a dropped connection returns the first
//! reply instead of running twice: retries are never blind.
//!
//! Scripts rather than Redis Functions: each node sends the script text it was built with
//! (`EVALSHA`, and `EVAL` with the text when the server answers `NOSCRIPT`, after a restart
//! or a `SCRIPT FLUSH`), so nodes of two versions can share a server during a rolling
//! upgrade, and nothing needs loading ahead (`FUNCTION LOAD` replaces one library for every
//! client, and needs an administrator's permission on managed services). The script declares
//! flags (a `#!lua` line), so a server out of memory refuses it before it starts rather than
//! in the middle: Redis 7.0 or later.
//!
//! # Layout
//! Every key of a queue starts with `acd:{<queue>}:` (the queue id, with `%`, `{` and `}`
//! written `%25`, `%7B`, `%7D`), so all of them share the hash tag `{<queue>}`: on Redis
//! Cluster a queue lives in one slot, and each script touches that slot only (a queue is
//! never split across nodes; spread load with several queues). The script names only the
//! queue's meta key (`acd:{<queue>}:m`) in `KEYS` and derives the others from it; they hash
//! to the same slot. The keys (the script's header has the full list): `m` (counters, the
//! clock and the earliest stage end), `i` (each waiting interaction), `r:<row>` (the
//! interactions in a ring requiring the same skills and language; like the preferred-agent
//! heaps below, a sorted set scored by `-routing_key` whose members start with a
//! fixed-width `enqueued_at` and enqueue counter, so that equal scores sort as ties route,
//! and whose union is the routing order of all), `w` (the rows in use), `p`, `p:<profile>`
//! and `pr:<row>` (profiles: the rows an agent's skills and languages qualify for, by head;
//! see Cost), `a:<agent id>` (interactions in a preferred-agent stage naming that agent),
//! `t` (when each interaction's stage ends), `c`, `k`, `l` (requirement classes), `s`,
//! `su`, `sf`, `g`, `gu`, `gf` (skills and languages interned as numbers, shared by every
//! node: a skill first seen on one node is known to all) and `d:<node>` (a hash of the
//! replies kept until the node has them, by request counter, expiring a day after the
//! node's last request). `m` also maps each agent's skills and languages to its profile,
//! and every row and profile holds a 65-byte member of `~` scored `+inf`, which keeps it in
//! Redis's skiplist encoding (O(log n) updates, instead of a scan of up to 128 members in
//! the compact listpack encoding).
//!
//! # Cost
//! Each operation is one round trip. On the server, with `n` waiting:
//! - enqueue: O(log n), plus the interning of a new requirement class;
//! - take and peek: the first member of the agent's **profile** (its skills and languages
//!   known to the queue, as numbers: a sorted set of the heads of the rows it qualifies
//!   for), so O(log n) whatever the number of classes; a profile is made at its first take,
//!   O(rows) once, and every change of a row's head (a take, an enqueue or removal at the
//!   head) writes one entry per profile that qualifies for the row;
//! - remove, reprioritize, a due stage change: O(log n);
//! - [`waiting`](RedisQueue::waiting) and [`export`](RedisQueue::export): O(n log n) in one
//!   script, which holds the server meanwhile (about a second per million): take them from a
//!   quiet moment or a replica.
//!
//! # Failures and retries
//! Each call retries by itself, with a doubling pause, for up to
//! [`Options::retry_for`], on a dropped connection, a timeout, a refused connection, a
//! server that is loading its data after a restart (`LOADING`) or busy with a long script,
//! and `NOSCRIPT` (the script text is sent again at once). A retried request that changes the
//! queue carries the same token, so it runs at most once. Then:
//!
//! | operation | safe to call again after an error | the error when tries run out |
//! |---|---|---|
//! | `peek_for`, `get`, `score`, `len`, `class_count`, `waiting`, `export` | yes: they only read (a peek applies due stage changes, which any later call would apply too) | `acd.store_unavailable` |
//! | `enqueue`, `next_for` (take), `remove`, `reprioritize` | not blindly: `acd.store_unavailable` means it did not run, so calling again is safe; `acd.store_in_doubt` means it may have run: [`RedisQueue::resolve`] gives its outcome, running it only if it had not run | `acd.store_unavailable` if it was never sent, `acd.store_in_doubt` if it was |
//! | `import` | entries before the failing one are in the queue: import the rest | as `enqueue` |
//!
//! A take in doubt may have taken an interaction whose reply was lost: it is neither waiting
//! nor handed out until [`resolve`](RedisQueue::resolve) hands it over, so resolve every
//! [`InDoubt`] of a take (its outcome is kept a day). `acd.store_rejected` (out of memory,
//! no permission, a replica) and `acd.store_invalid_reply` are not retried.
//!
//! A server restart keeps the queue only with persistence: with `appendonly yes` and
//! `appendfsync always` every change is on disk before its reply leaves the server, so a
//! restart never brings back an interaction that was handed out. With `appendfsync everysec`
//! (Redis's default) a crash may lose the last second of changes: interactions taken in it
//! wait again (a second hand-out) and those enqueued in it are gone. A failover to a replica
//! loses the changes not yet copied to it in the same way. Without persistence, a restart
//! empties the queue.
//!
//! # Sync hosts
//! [`RedisQueue`] is async (tokio). A host without an async runtime uses [`BlockingQueue`],
//! which runs each call to completion on a current-thread runtime of its own; it refuses to
//! run inside an async runtime (`acd.store_blocking_in_async`), where it would stall a
//! runtime thread.
//!
//! ```no_run
//! use email_routing::Timestamp;
//! use email_routing::acd::redis::{Options, RedisQueue};
//! use email_routing::acd::{Agent, Requirements};
//! use email_routing::{Priority, QueueId, Skill};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = redis::Client::open("redis://127.0.0.1:6379/")?;
//! let queue = RedisQueue::connect(client, QueueId::new("support")?, Options::default()).await?;
//! let at = Timestamp::from_unix_millis(1_780_000_000_000)?;
//! let billing = Requirements::none().with_skill(Skill::new("billing")?);
//! queue.enqueue("mail-1", Priority::new(10)?, &billing, at).await?;
//! // On any node of the fleet:
//! let agent = Agent::unskilled().with_skill(Skill::new("Billing")?);
//! let taken = queue.next_for(&agent, at).await?;
//! assert_eq!(taken.map(|i| i.into_id()).as_deref(), Some("mail-1"));
//! # Ok(())
//! # }
//! ```

mod blocking;
mod error;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, ErrorKind, RedisError, ServerErrorKind, Value};

pub use blocking::BlockingQueue;
pub use error::StoreError;

use super::key::Order;
use super::{AcdError, AcdQueue, Agent, Interaction, Requirements, Score};
use super::{MAX_DISTINCT_LANGUAGES, MAX_DISTINCT_SKILLS, MAX_WAITING};
use crate::Timestamp;
use crate::{Priority, QueueId};

/// The script of every operation (see its header for the key layout).
const SCRIPT: &str = include_str!("queue.lua");

/// How many parsed requirements a queue handle keeps, by class key, before it starts over.
const REQUIREMENTS_CACHE: usize = 4096;

/// Connection and retry settings of a [`RedisQueue`].
///
/// ```
/// use std::time::Duration;
/// use email_routing::acd::redis::Options;
/// let options = Options::default().with_retry_for(Duration::from_secs(30));
/// assert_eq!(options.retry_for(), Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    connection_timeout: Duration,
    response_timeout: Duration,
    retry_for: Duration,
    first_pause: Duration,
    longest_pause: Duration,
}

impl Default for Options {
    /// Connect within 1 s, an answer within 5 s, retries for up to 10 s (pauses from 10 ms,
    /// doubling, at most 1 s): enough for a server restart that reloads a small data set.
    fn default() -> Self {
        Self {
            connection_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(5),
            retry_for: Duration::from_secs(10),
            first_pause: Duration::from_millis(10),
            longest_pause: Duration::from_secs(1),
        }
    }
}

impl Options {
    /// How long a connection attempt may take.
    #[must_use]
    pub fn with_connection_timeout(mut self, timeout: Duration) -> Self {
        self.connection_timeout = timeout;
        self
    }

    /// How long to wait for the answer to one request before counting it as lost (then the
    /// request is sent again, with the same token). Longer than the slowest script the server
    /// runs (a [`RedisQueue::waiting`] of a large queue).
    #[must_use]
    pub fn with_response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// How long one call keeps retrying before it reports `acd.store_unavailable` or
    /// `acd.store_in_doubt`; zero tries once.
    #[must_use]
    pub fn with_retry_for(mut self, time: Duration) -> Self {
        self.retry_for = time;
        self
    }

    /// The first pause between tries (it doubles up to `longest`).
    #[must_use]
    pub fn with_pauses(mut self, first: Duration, longest: Duration) -> Self {
        self.first_pause = first;
        self.longest_pause = longest.max(first);
        self
    }

    /// How long a connection attempt may take.
    #[must_use]
    pub fn connection_timeout(&self) -> Duration {
        self.connection_timeout
    }

    /// How long to wait for one answer.
    #[must_use]
    pub fn response_timeout(&self) -> Duration {
        self.response_timeout
    }

    /// How long one call keeps retrying.
    #[must_use]
    pub fn retry_for(&self) -> Duration {
        self.retry_for
    }
}

/// A copy of an interaction waiting in a [`RedisQueue`], as read (the shared queue cannot
/// lend references as [`AcdQueue`]'s [`Waiting`](super::Waiting) does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    id: String,
    order: Order,
    requirements: Arc<Requirements>,
}

impl Waiting {
    /// Its id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its id, by value.
    #[must_use]
    pub fn into_id(self) -> String {
        self.id
    }

    /// Its priority.
    #[must_use]
    pub fn priority(&self) -> Priority {
        self.order.priority()
    }

    /// When it was enqueued.
    #[must_use]
    pub fn enqueued_at(&self) -> Timestamp {
        self.order.enqueued_at()
    }

    /// Its routing key (see [`routing_key`](super::routing_key)).
    #[must_use]
    pub fn routing_key(&self) -> i64 {
        self.order.routing_key()
    }

    /// Its score at `now`.
    #[must_use]
    pub fn score(&self, now: Timestamp) -> Score {
        self.order.score_at(now)
    }

    /// Its stage as the queue last applied stage changes (at the latest time a take or peek
    /// asked for).
    #[must_use]
    pub fn stage(&self) -> usize {
        self.order.stage()
    }

    /// What an agent needs to take it, every stage included.
    #[must_use]
    pub fn requirements(&self) -> &Requirements {
        &self.requirements
    }
}

/// The outcome of a request that was [in doubt](StoreError::InDoubt), from
/// [`RedisQueue::resolve`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The enqueue ran (a refusal comes back as the error it was).
    Enqueued,
    /// The take ran: what it took, if anything. The caller hands it to the agent.
    Taken(Option<Interaction<String>>),
    /// The removal ran: what it removed, if anything.
    Removed(Option<Interaction<String>>),
    /// The priority change ran: the priority before it, if the interaction was waiting.
    Reprioritized(Option<Priority>),
}

/// A request that changes the queue, sent without an answer: see [`StoreError::InDoubt`].
///
/// While it exists, the server keeps the request's reply (for a day); dropping it lets the
/// server forget it, so keep it until [`RedisQueue::resolve`] has answered.
pub struct InDoubt {
    operation: &'static str,
    args: Vec<String>,
    attempts: u32,
    reason: String,
    ticket: Ticket,
}

impl InDoubt {
    /// The operation: `enqueue`, `take`, `remove` or `reprioritize`.
    #[must_use]
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// How many times it was sent.
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The last failure, as the `redis` crate reported it.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Debug for InDoubt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InDoubt")
            .field("operation", &self.operation)
            .field("request", &self.ticket.counter)
            .field("attempts", &self.attempts)
            .field("reason", &self.reason)
            .finish()
    }
}

/// The requests of one handle that have no reply yet, by counter.
#[derive(Debug, Default)]
struct Requests {
    last: u64,
    open: BTreeSet<u64>,
}

/// A request's counter, open until dropped.
struct Ticket {
    requests: Arc<Mutex<Requests>>,
    counter: u64,
}

impl Ticket {
    fn open(requests: &Arc<Mutex<Requests>>) -> Self {
        let mut r = requests.lock().unwrap_or_else(PoisonError::into_inner);
        r.last += 1;
        let counter = r.last;
        r.open.insert(counter);
        Ticket { requests: Arc::clone(requests), counter }
    }

    /// Every counter up to this one has its reply: the lowest open one, less one.
    fn acknowledged(&self) -> u64 {
        let r = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        r.open.first().map_or(r.last, |first| first - 1)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut r = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        r.open.remove(&self.counter);
    }
}

/// One queue in Redis, shared by every node that connects to it by the same [`QueueId`];
/// see the [module documentation](self) for the guarantees, the layout and the failures.
///
/// A handle holds one multiplexed connection (reconnected when it drops) and is cheap to
/// clone: clones share the connection. Give each worker that should not wait behind another
/// its own handle ([`connect`](Self::connect) again).
#[derive(Clone)]
pub struct RedisQueue {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    queue: QueueId,
    meta: String,
    options: Options,
    script: redis::Script,
    connection: tokio::sync::Mutex<Option<MultiplexedConnection>>,
    node: String,
    requests: Arc<Mutex<Requests>>,
    requirements: Mutex<HashMap<String, Arc<Requirements>>>,
    /// How many connections this handle has made.
    connections: AtomicU32,
}

impl fmt::Debug for RedisQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisQueue")
            .field("queue", &self.inner.queue)
            .field("node", &self.inner.node)
            .finish_non_exhaustive()
    }
}

/// What one failed try tells.
enum Failure {
    /// The server answered with an error that retrying would not change.
    Rejected(String),
    /// The reply had an unexpected shape.
    Invalid(String),
    /// No answer within the retry time; `sent`: some try may have reached the server.
    Exhausted { sent: bool, attempts: u32, waited: Duration, reason: String },
}

/// How a `redis` error is handled.
enum Retry {
    /// The connection is gone or the answer did not come: reconnect, then send again.
    Reconnect,
    /// The server did not run the request (loading, busy, a replica): send again later.
    Later,
    /// Final.
    Never,
}

fn retry_of(e: &RedisError) -> Retry {
    match e.kind() {
        ErrorKind::Server(kind) => match kind {
            ServerErrorKind::BusyLoading
            | ServerErrorKind::TryAgain
            | ServerErrorKind::MasterDown
            | ServerErrorKind::ClusterDown
            | ServerErrorKind::ReadOnly => Retry::Later,
            _ if e.code() == Some("BUSY") => Retry::Later,
            _ => Retry::Never,
        },
        ErrorKind::Extension if e.code() == Some("BUSY") => Retry::Later,
        ErrorKind::Io | ErrorKind::Parse | ErrorKind::ClusterConnectionNotFound => Retry::Reconnect,
        _ if e.is_io_error() || e.is_timeout() || e.is_connection_dropped() => Retry::Reconnect,
        _ => Retry::Never,
    }
}

/// The key prefix of a queue: `acd:{<queue>}:`, with `%`, `{` and `}` escaped so that the hash
/// tag is exactly the queue's name.
fn prefix_of(queue: &QueueId) -> String {
    let mut tag = String::with_capacity(queue.as_str().len());
    for c in queue.as_str().chars() {
        match c {
            '%' => tag.push_str("%25"),
            '{' => tag.push_str("%7B"),
            '}' => tag.push_str("%7D"),
            c => tag.push(c),
        }
    }
    format!("acd:{{{tag}}}:")
}

/// A reply as errors show it: its debug form, cut at about 200 bytes.
fn shown(value: &Value) -> String {
    let mut shown = format!("{value:?}");
    if shown.len() > 200 {
        let mut cut = 200;
        while !shown.is_char_boundary(cut) {
            cut -= 1;
        }
        shown.truncate(cut);
        shown.push_str("...");
    }
    shown
}

/// Reads a script's reply: an array of strings and integers, read in order. The reply as
/// received is shown in errors only, so it is written out only then.
struct Reply {
    operation: &'static str,
    values: Vec<Value>,
    at: usize,
}

impl Reply {
    fn new(operation: &'static str, value: Value) -> Result<Self, StoreError> {
        let checked = match &value {
            Value::Array(values) => values.iter().all(|v| match v {
                Value::Int(_) | Value::SimpleString(_) => true,
                Value::BulkString(bytes) => std::str::from_utf8(bytes).is_ok(),
                _ => false,
            }),
            _ => false,
        };
        match value {
            Value::Array(values) if checked => Ok(Self { operation, values, at: 0 }),
            other => Err(StoreError::InvalidReply { operation, reply: shown(&other) }),
        }
    }

    fn invalid(&self) -> StoreError {
        StoreError::InvalidReply {
            operation: self.operation,
            reply: shown(&Value::Array(self.values.clone())),
        }
    }

    /// The next item, as text if it is one.
    fn next_text(&mut self) -> Option<&str> {
        let item = match self.values.get(self.at)? {
            Value::BulkString(bytes) => std::str::from_utf8(bytes).ok(),
            Value::SimpleString(s) => Some(s.as_str()),
            _ => None,
        };
        self.at += 1;
        item
    }

    fn text(&mut self) -> Result<String, StoreError> {
        match self.next_text() {
            Some(s) => Ok(s.to_owned()),
            None => Err(self.invalid()),
        }
    }

    fn int(&mut self) -> Result<i64, StoreError> {
        if let Some(Value::Int(i)) = self.values.get(self.at) {
            self.at += 1;
            return Ok(*i);
        }
        match self.next_text().map(str::parse) {
            Some(Ok(i)) => Ok(i),
            _ => Err(self.invalid()),
        }
    }

    /// Whether the first item is `tag`.
    fn starts_with(&self, tag: &str) -> bool {
        match self.values.first() {
            Some(Value::BulkString(bytes)) => bytes == tag.as_bytes(),
            Some(Value::SimpleString(s)) => s == tag,
            _ => false,
        }
    }

    /// How many items are left.
    fn remaining(&self) -> usize {
        self.values.len().saturating_sub(self.at)
    }

    fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The order of an interaction from its priority, enqueue time and stage.
    fn order(&mut self) -> Result<Order, StoreError> {
        let priority = Priority::new(self.int()?).map_err(|_| self.invalid())?;
        let enqueued_at = Timestamp::from_unix_millis(self.int()?).map_err(|_| self.invalid())?;
        let stage = usize::try_from(self.int()?).map_err(|_| self.invalid())?;
        if stage >= super::MAX_STAGES {
            return Err(self.invalid());
        }
        Ok(Order::new(priority, enqueued_at, 0).with_stage(stage))
    }

    /// `interaction id priority enqueued_at stage` or `none`.
    fn interaction(&mut self, tag: &str) -> Result<Option<Interaction<String>>, StoreError> {
        if tag == "none" {
            return Ok(None);
        }
        if tag != "interaction" {
            return Err(self.invalid());
        }
        let id = self.text()?;
        Ok(Some(Interaction { id, order: self.order()? }))
    }
}

/// The arguments that tell the script about `agent`: now, its skills and language ranges
/// in one argument (`<skill>\x1f<skill>\x1e<range>\x1f<range>`: names cannot hold control
/// characters, and the script keys the agent's profile by it), its id.
fn agent_args(agent: &Agent, now: Timestamp) -> Vec<String> {
    let mut ranges: Vec<&str> =
        agent.languages().iter().flat_map(crate::Language::ranges_matching).collect();
    ranges.sort_unstable();
    ranges.dedup();
    let mut key = String::with_capacity(16 * (agent.skills().len() + ranges.len()));
    for (i, s) in agent.skills().iter().enumerate() {
        if i > 0 {
            key.push('\x1f');
        }
        key.push_str(s.as_str());
    }
    key.push('\x1e');
    key.push_str(&ranges.join("\x1f"));
    vec![
        now.unix_millis().to_string(),
        key,
        agent.id().map_or_else(String::new, |id| id.as_str().to_owned()),
    ]
}

/// The arguments of an enqueue: id, priority, time, the class key, then what the script
/// needs to make the class: language, skills, preferred agents, and per stage its end
/// (cumulative ms from `enqueued_at`, empty for the last), kind and skills.
fn enqueue_args(
    id: &str,
    priority: Priority,
    requirements: &Requirements,
    enqueued_at: Timestamp,
) -> Result<Vec<String>, StoreError> {
    let key = serde_json::to_string(requirements).map_err(|e| StoreError::Rejected {
        operation: "enqueue",
        reason: format!("the requirements could not be written as a class key: {e}"),
    })?;
    let mut args = vec![
        id.to_owned(),
        priority.get().to_string(),
        enqueued_at.unix_millis().to_string(),
        key,
        requirements.language().map_or_else(String::new, |l| l.as_str().to_owned()),
        requirements.skills().len().to_string(),
    ];
    args.extend(requirements.skills().iter().map(|s| s.as_str().to_owned()));
    args.push(requirements.preferred_agents().len().to_string());
    args.extend(requirements.preferred_agents().iter().map(|a| a.as_str().to_owned()));
    args.push(requirements.stage_count().to_string());
    let mut end: u128 = 0;
    for stage in requirements.stages() {
        match stage.duration() {
            Some(d) => {
                end += d.as_millis();
                args.push(end.to_string());
            }
            None => args.push(String::new()),
        }
        args.push(if stage.is_preferred() { "p" } else { "r" }.to_owned());
        let skills: Vec<&str> = stage.skills().map(|s| s.as_str()).collect();
        args.push(skills.len().to_string());
        args.extend(skills.into_iter().map(str::to_owned));
    }
    Ok(args)
}

impl RedisQueue {
    /// Connects to the queue named `queue` on the server `client` points at (a `redis`
    /// crate [`Client`], e.g. `Client::open("redis://127.0.0.1:6379/")`), and takes a node
    /// number for this handle's request tokens. Every node that connects with the same name
    /// shares the queue.
    ///
    /// # Errors
    /// `acd.store_unavailable` when the server cannot be reached within the retry time;
    /// `acd.store_rejected` when it refuses the script (a server before 7.0, no permission).
    pub async fn connect(
        client: Client,
        queue: QueueId,
        options: Options,
    ) -> Result<Self, StoreError> {
        let prefix = prefix_of(&queue);
        let mut inner = Inner {
            client,
            queue,
            meta: format!("{prefix}m"),
            options,
            script: redis::Script::new(SCRIPT),
            connection: tokio::sync::Mutex::new(None),
            node: String::new(),
            requests: Arc::default(),
            requirements: Mutex::default(),
            connections: AtomicU32::new(0),
        };
        let mut reply = inner.call("connect", "node", None, Vec::new()).await?;
        if reply.text()? != "node" {
            return Err(reply.invalid());
        }
        inner.node = reply.text()?;
        if inner.node.is_empty() || !reply.is_empty() {
            return Err(reply.invalid());
        }
        Ok(Self { inner: Arc::new(inner) })
    }

    /// The queue's id.
    #[must_use]
    pub fn queue(&self) -> &QueueId {
        &self.inner.queue
    }

    /// This handle's node number, as its request tokens carry it (unique among the handles
    /// that ever connected to the queue).
    #[must_use]
    pub fn node(&self) -> &str {
        &self.inner.node
    }

    /// How many connections this handle has made (1 until one dropped).
    #[must_use]
    pub fn connections(&self) -> u32 {
        self.inner.connections.load(Ordering::Relaxed)
    }

    /// Adds an interaction that waits from `enqueued_at` with `priority` for an agent who
    /// meets `requirements`, as [`AcdQueue::enqueue`] does.
    ///
    /// # Errors
    /// [`StoreError::Refused`] with `acd.duplicate_id`, `acd.too_many_skills`,
    /// `acd.too_many_languages` or `acd.full`, as [`AcdQueue::enqueue`] (then the queue is
    /// unchanged); the store's errors (see [`StoreError`]).
    pub async fn enqueue(
        &self,
        id: &str,
        priority: Priority,
        requirements: &Requirements,
        enqueued_at: Timestamp,
    ) -> Result<(), StoreError> {
        let args = enqueue_args(id, priority, requirements, enqueued_at)?;
        let (_, mut reply) = self.mutate("enqueue", args).await?;
        enqueued(&mut reply)
    }

    /// Takes the first interaction in routing order that `agent` may take at `now`, as
    /// [`AcdQueue::next_for`] does (stage changes due by `now` apply first), or `None`.
    ///
    /// # Errors
    /// The store's errors; after `acd.store_in_doubt`, [`resolve`](Self::resolve) gives
    /// what the take took.
    pub async fn next_for(
        &self,
        agent: &Agent,
        now: Timestamp,
    ) -> Result<Option<Interaction<String>>, StoreError> {
        let (_, mut reply) = self.mutate("take", agent_args(agent, now)).await?;
        let tag = reply.text()?;
        reply.interaction(&tag)
    }

    /// The interaction [`next_for`](Self::next_for) would take for `agent` at `now`, left in
    /// place (stage changes due by `now` apply first).
    ///
    /// # Errors
    /// The store's errors.
    pub async fn peek_for(
        &self,
        agent: &Agent,
        now: Timestamp,
    ) -> Result<Option<Waiting>, StoreError> {
        let mut reply = self.read("peek", agent_args(agent, now)).await?;
        self.waiting_of(&mut reply)
    }

    /// Removes a waiting interaction and returns it, or `None` if it is not waiting.
    ///
    /// # Errors
    /// The store's errors.
    pub async fn remove(&self, id: &str) -> Result<Option<Interaction<String>>, StoreError> {
        let (_, mut reply) = self.mutate("remove", vec![id.to_owned()]).await?;
        let tag = reply.text()?;
        reply.interaction(&tag)
    }

    /// Changes a waiting interaction's priority at once, keeping its wait and its place among
    /// equals, and returns the previous priority, or `None` if it is not waiting.
    ///
    /// # Errors
    /// The store's errors.
    pub async fn reprioritize(
        &self,
        id: &str,
        priority: Priority,
    ) -> Result<Option<Priority>, StoreError> {
        let args = vec![id.to_owned(), priority.get().to_string()];
        let (_, mut reply) = self.mutate("reprioritize", args).await?;
        reprioritized(&mut reply)
    }

    /// A waiting interaction's score at `now`, or `None` if it is not waiting.
    ///
    /// # Errors
    /// The store's errors.
    pub async fn score(&self, id: &str, now: Timestamp) -> Result<Option<Score>, StoreError> {
        Ok(self.get(id).await?.map(|w| w.score(now)))
    }

    /// A waiting interaction, or `None` if it is not waiting.
    ///
    /// # Errors
    /// The store's errors.
    pub async fn get(&self, id: &str) -> Result<Option<Waiting>, StoreError> {
        let mut reply = self.read("get", vec![id.to_owned()]).await?;
        self.waiting_of(&mut reply)
    }

    /// How many interactions are waiting.
    ///
    /// # Errors
    /// The store's errors.
    pub async fn len(&self) -> Result<usize, StoreError> {
        Ok(self.counts().await?.0)
    }

    /// Whether no interaction is waiting.
    ///
    /// # Errors
    /// The store's errors.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len().await? == 0)
    }

    /// How many requirement classes have waiting interactions.
    ///
    /// # Errors
    /// The store's errors.
    pub async fn class_count(&self) -> Result<usize, StoreError> {
        Ok(self.counts().await?.1)
    }

    async fn counts(&self) -> Result<(usize, usize), StoreError> {
        let mut reply = self.read("len", Vec::new()).await?;
        if reply.text()? != "len" {
            return Err(reply.invalid());
        }
        let len = usize::try_from(reply.int()?).map_err(|_| reply.invalid())?;
        let classes = usize::try_from(reply.int()?).map_err(|_| reply.invalid())?;
        Ok((len, classes))
    }

    /// Every waiting interaction in routing order, read in one atomic step (its stage as the
    /// queue last applied stage changes). O(n log n) on the server, which waits meanwhile.
    ///
    /// # Errors
    /// The store's errors.
    pub async fn waiting(&self) -> Result<Vec<Waiting>, StoreError> {
        let mut reply = self.read("list", Vec::new()).await?;
        if reply.text()? != "list" {
            return Err(reply.invalid());
        }
        let mut all = Vec::with_capacity(reply.remaining() / 5);
        while !reply.is_empty() {
            let id = reply.text()?;
            let order = reply.order()?;
            let key = reply.text()?;
            let requirements = self.requirements_of(&key).ok_or_else(|| reply.invalid())?;
            all.push(Waiting { id, order, requirements });
        }
        Ok(all)
    }

    /// A snapshot: an [`AcdQueue`] holding the waiting interactions in the same order, ties
    /// included (serialize it with serde to store it). Read atomically, as
    /// [`waiting`](Self::waiting).
    ///
    /// # Errors
    /// The store's errors.
    pub async fn export(&self) -> Result<AcdQueue<String>, StoreError> {
        let all = self.waiting().await?;
        let mut queue = AcdQueue::with_capacity(all.len());
        for w in all {
            let (priority, at) = (w.priority(), w.enqueued_at());
            queue.enqueue(w.id, priority, &w.requirements, at)?;
        }
        Ok(queue)
    }

    /// Enqueues every interaction waiting in `queue`, in its routing order, so that ties keep
    /// their order and come before later enqueues (a restore into an empty shared queue).
    /// Not atomic as a whole: each interaction is one enqueue.
    ///
    /// # Errors
    /// The first error of an enqueue; the interactions before it are in the shared queue.
    pub async fn import<S>(&self, queue: &AcdQueue<String, S>) -> Result<(), StoreError>
    where
        S: BuildHasher,
    {
        for w in queue.iter() {
            self.enqueue(w.id(), w.priority(), w.requirements(), w.enqueued_at()).await?;
        }
        Ok(())
    }

    /// The outcome of a request that was in doubt: sends it again with its token, so the
    /// server answers with the reply it kept if it had run it, or runs it now if it had not.
    ///
    /// # Errors
    /// The store's errors: in doubt again if the server still does not answer (resolve the
    /// new error's request); a refused enqueue as [`StoreError::Refused`].
    pub async fn resolve(&self, in_doubt: InDoubt) -> Result<Outcome, StoreError> {
        let InDoubt { operation, args, ticket, .. } = in_doubt;
        let (operation, mut reply) = self.send(operation, args, ticket).await?;
        match operation {
            "enqueue" => enqueued(&mut reply).map(|()| Outcome::Enqueued),
            "take" | "remove" => {
                let tag = reply.text()?;
                let taken = reply.interaction(&tag)?;
                Ok(if operation == "take" {
                    Outcome::Taken(taken)
                } else {
                    Outcome::Removed(taken)
                })
            }
            _ => reprioritized(&mut reply).map(Outcome::Reprioritized),
        }
    }

    async fn mutate(
        &self,
        operation: &'static str,
        args: Vec<String>,
    ) -> Result<(&'static str, Reply), StoreError> {
        let ticket = Ticket::open(&self.inner.requests);
        self.send(operation, args, ticket).await
    }

    async fn send(
        &self,
        operation: &'static str,
        args: Vec<String>,
        ticket: Ticket,
    ) -> Result<(&'static str, Reply), StoreError> {
        let reply = self.inner.call(operation, operation, Some(ticket), args).await?;
        Ok((operation, reply))
    }

    async fn read(&self, operation: &'static str, args: Vec<String>) -> Result<Reply, StoreError> {
        self.inner.call(operation, operation, None, args).await
    }

    /// `waiting id priority enqueued_at stage key` or `none`.
    fn waiting_of(&self, reply: &mut Reply) -> Result<Option<Waiting>, StoreError> {
        match reply.text()?.as_str() {
            "none" => Ok(None),
            "waiting" => {
                let id = reply.text()?;
                let order = reply.order()?;
                let key = reply.text()?;
                let requirements = self.requirements_of(&key).ok_or_else(|| reply.invalid())?;
                Ok(Some(Waiting { id, order, requirements }))
            }
            _ => Err(reply.invalid()),
        }
    }

    /// The requirements a class key stands for, read through the same checks as any other
    /// JSON (`None` if the key is not valid requirements).
    fn requirements_of(&self, key: &str) -> Option<Arc<Requirements>> {
        let mut cache = self.inner.requirements.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(r) = cache.get(key) {
            return Some(Arc::clone(r));
        }
        let r: Arc<Requirements> = Arc::new(serde_json::from_str(key).ok()?);
        if cache.len() >= REQUIREMENTS_CACHE {
            cache.clear();
        }
        cache.insert(key.to_owned(), Arc::clone(&r));
        Some(r)
    }
}

fn enqueued(reply: &mut Reply) -> Result<(), StoreError> {
    let refused = match reply.text()?.as_str() {
        "ok" => return Ok(()),
        "duplicate_id" => AcdError::DuplicateId { id: String::new() },
        "full" => AcdError::Full { limit: MAX_WAITING },
        "too_many_skills" => {
            AcdError::TooManySkills { skill: reply.text()?, limit: MAX_DISTINCT_SKILLS }
        }
        "too_many_languages" => {
            AcdError::TooManyLanguages { language: reply.text()?, limit: MAX_DISTINCT_LANGUAGES }
        }
        _ => return Err(reply.invalid()),
    };
    Err(StoreError::Refused(refused))
}

fn reprioritized(reply: &mut Reply) -> Result<Option<Priority>, StoreError> {
    match reply.text()?.as_str() {
        "none" => Ok(None),
        "priority" => Ok(Some(Priority::new(reply.int()?).map_err(|_| reply.invalid())?)),
        _ => Err(reply.invalid()),
    }
}

impl Inner {
    /// The handle's connection, made if there is none.
    async fn connection(&self) -> Result<MultiplexedConnection, RedisError> {
        let mut slot = self.connection.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.options.connection_timeout))
            .set_response_timeout(Some(self.options.response_timeout));
        let c = self.client.get_multiplexed_async_connection_with_config(&config).await?;
        self.connections.fetch_add(1, Ordering::Relaxed);
        *slot = Some(c.clone());
        Ok(c)
    }

    async fn forget_connection(&self) {
        *self.connection.lock().await = None;
    }

    fn command(
        &self,
        by_hash: bool,
        op: &str,
        ticket: Option<&Ticket>,
        args: &[String],
    ) -> redis::Cmd {
        let mut cmd = if by_hash {
            let mut c = redis::cmd("EVALSHA");
            c.arg(self.script.get_hash());
            c
        } else {
            let mut c = redis::cmd("EVAL");
            c.arg(SCRIPT);
            c
        };
        cmd.arg(1).arg(&self.meta).arg(op);
        if let Some(t) = ticket {
            cmd.arg(&self.node).arg(t.counter).arg(t.acknowledged());
        }
        for a in args {
            cmd.arg(a);
        }
        cmd
    }

    /// Runs operation `op` of the script, retrying as the module documentation says. A
    /// request that changes the queue carries its `ticket`; in doubt, the error keeps both.
    async fn call(
        &self,
        operation: &'static str,
        op: &str,
        ticket: Option<Ticket>,
        args: Vec<String>,
    ) -> Result<Reply, StoreError> {
        match self.try_call(op, ticket.as_ref(), &args).await {
            Ok(value) => {
                let reply = Reply::new(operation, value)?;
                if ticket.is_some() && reply.starts_with("stale") {
                    return Err(reply.invalid());
                }
                Ok(reply)
            }
            Err(Failure::Rejected(reason)) => Err(StoreError::Rejected { operation, reason }),
            Err(Failure::Invalid(reply)) => Err(StoreError::InvalidReply { operation, reply }),
            Err(Failure::Exhausted { sent, attempts, waited, reason }) => match ticket {
                Some(ticket) if sent => Err(StoreError::InDoubt(Box::new(InDoubt {
                    operation,
                    args,
                    attempts,
                    reason,
                    ticket,
                }))),
                _ => Err(StoreError::Unavailable {
                    operation,
                    attempts,
                    waited_ms: u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
                    reason,
                }),
            },
        }
    }

    async fn try_call(
        &self,
        op: &str,
        ticket: Option<&Ticket>,
        args: &[String],
    ) -> Result<Value, Failure> {
        let started = Instant::now();
        let mut pause = self.options.first_pause;
        let (mut attempts, mut sent) = (0u32, false);
        loop {
            attempts += 1;
            let error = match self.connection().await {
                Err(e) => e,
                Ok(mut c) => {
                    let first = self.command(true, op, ticket, args).query_async(&mut c).await;
                    let result = match first {
                        Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                            // The script did not run: send its text.
                            self.command(false, op, ticket, args).query_async(&mut c).await
                        }
                        other => other,
                    };
                    match result {
                        Ok(value) => return Ok(value),
                        Err(e) => {
                            if matches!(retry_of(&e), Retry::Reconnect) {
                                sent = true;
                            }
                            e
                        }
                    }
                }
            };
            match retry_of(&error) {
                Retry::Never if error.kind() == ErrorKind::UnexpectedReturnType => {
                    return Err(Failure::Invalid(error.to_string()));
                }
                Retry::Never => return Err(Failure::Rejected(error.to_string())),
                Retry::Reconnect => self.forget_connection().await,
                Retry::Later => {}
            }
            let waited = started.elapsed();
            if waited + pause > self.options.retry_for {
                return Err(Failure::Exhausted {
                    sent,
                    attempts,
                    waited,
                    reason: error.to_string(),
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(self.options.longest_pause);
        }
    }
}

/// Takes, for an agent who serves several shared queues, the best interaction it may take
/// at `now` across `queues`, as [`next_across`](super::next_across) does for [`AcdQueue`]s:
/// the highest score, then the earlier `enqueued_at`, then the queue first in `queues`.
/// Returns the index of its queue.
///
/// The queues may live in different slots, so this is not one atomic step: it peeks every
/// queue, then takes from the best one. While other nodes take meanwhile, it may take another
/// interaction from that queue (the best there at that moment) or none; it never takes one
/// twice.
///
/// # Errors
/// The first store error.
pub async fn next_across(
    queues: &[&RedisQueue],
    agent: &Agent,
    now: Timestamp,
) -> Result<Option<(usize, Interaction<String>)>, StoreError> {
    let Some((at, _)) = peek_across(queues, agent, now).await? else { return Ok(None) };
    let Some(queue) = queues.get(at) else { return Ok(None) };
    Ok(queue.next_for(agent, now).await?.map(|taken| (at, taken)))
}

/// The interaction [`next_across`] would take, and the index of its queue, left in place.
///
/// # Errors
/// The first store error.
pub async fn peek_across(
    queues: &[&RedisQueue],
    agent: &Agent,
    now: Timestamp,
) -> Result<Option<(usize, Waiting)>, StoreError> {
    let mut best: Option<(usize, Waiting)> = None;
    for (at, queue) in queues.iter().enumerate() {
        let Some(w) = queue.peek_for(agent, now).await? else { continue };
        let rank = |w: &Waiting| (std::cmp::Reverse(w.routing_key()), w.enqueued_at());
        if best.as_ref().is_none_or(|(_, b)| rank(&w) < rank(b)) {
            best = Some((at, w));
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_tag_is_the_queue_name() {
        let q = |s| prefix_of(&QueueId::new(s).unwrap());
        assert_eq!(q("support"), "acd:{support}:");
        assert_eq!(q("a{b}c%"), "acd:{a%7Bb%7Dc%25}:");
    }

    #[test]
    fn requests_acknowledge_below_the_lowest_open() {
        let requests = Arc::default();
        let a = Ticket::open(&requests);
        let b = Ticket::open(&requests);
        assert_eq!((a.counter, b.counter), (1, 2));
        assert_eq!(b.acknowledged(), 0);
        drop(a);
        assert_eq!(b.acknowledged(), 1);
        drop(b);
        let c = Ticket::open(&requests);
        assert_eq!(c.acknowledged(), 2);
    }
}
