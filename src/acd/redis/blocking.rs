//! [`BlockingQueue`]: the shared queue for hosts without an async runtime.

use std::hash::BuildHasher;

use redis::Client;

use super::{InDoubt, Options, Outcome, RedisQueue, StoreError, Waiting};
use crate::Timestamp;
use crate::acd::{AcdQueue, Agent, Interaction, Requirements, Score};
use crate::{Priority, QueueId};

/// A [`RedisQueue`] for sync code: each method runs the async one to completion on a
/// current-thread tokio runtime that the queue owns, and returns its result.
///
/// Same semantics, errors and retries as [`RedisQueue`]. One call at a time per
/// `BlockingQueue` (methods take `&mut self`); give each thread its own
/// ([`connect`](Self::connect) again). Calling it on a thread that runs an async runtime is
/// refused with `acd.store_blocking_in_async` rather than stalling that runtime.
///
/// ```no_run
/// use email_routing::Timestamp;
/// use email_routing::acd::redis::{BlockingQueue, Options};
/// use email_routing::acd::{Agent, Requirements};
/// use email_routing::{Priority, QueueId};
///
/// let client = redis::Client::open("redis://127.0.0.1:6379/")?;
/// let mut queue = BlockingQueue::connect(client, QueueId::new("support")?, Options::default())?;
/// let at = Timestamp::from_unix_millis(1_780_000_000_000)?;
/// queue.enqueue("mail-1", Priority::new(0)?, &Requirements::none(), at)?;
/// assert_eq!(queue.next_for(&Agent::unskilled(), at)?.map(|i| i.into_id()).as_deref(), Some("mail-1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct BlockingQueue {
    queue: RedisQueue,
    runtime: tokio::runtime::Runtime,
}

fn runtime() -> Result<tokio::runtime::Runtime, StoreError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(StoreError::BlockingInAsync);
    }
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| {
        StoreError::Unavailable {
            operation: "connect",
            attempts: 0,
            waited_ms: 0,
            reason: format!("no runtime could be started for the connection: {e}"),
        }
    })
}

impl BlockingQueue {
    /// Connects as [`RedisQueue::connect`] does.
    ///
    /// # Errors
    /// As [`RedisQueue::connect`]; `acd.store_blocking_in_async` inside an async runtime.
    pub fn connect(client: Client, queue: QueueId, options: Options) -> Result<Self, StoreError> {
        let runtime = runtime()?;
        let queue = runtime.block_on(RedisQueue::connect(client, queue, options))?;
        Ok(Self { queue, runtime })
    }

    /// The async queue inside, to share with async code.
    pub fn as_async(&self) -> &RedisQueue {
        &self.queue
    }

    fn run<T>(
        &mut self,
        call: impl AsyncFnOnce(&RedisQueue) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(StoreError::BlockingInAsync);
        }
        let queue = &self.queue;
        self.runtime.block_on(call(queue))
    }

    /// [`RedisQueue::enqueue`].
    ///
    /// # Errors
    /// As [`RedisQueue::enqueue`].
    pub fn enqueue(
        &mut self,
        id: &str,
        priority: Priority,
        requirements: &Requirements,
        enqueued_at: Timestamp,
    ) -> Result<(), StoreError> {
        self.run(async |q| q.enqueue(id, priority, requirements, enqueued_at).await)
    }

    /// [`RedisQueue::next_for`].
    ///
    /// # Errors
    /// As [`RedisQueue::next_for`].
    pub fn next_for(
        &mut self,
        agent: &Agent,
        now: Timestamp,
    ) -> Result<Option<Interaction<String>>, StoreError> {
        self.run(async |q| q.next_for(agent, now).await)
    }

    /// [`RedisQueue::peek_for`].
    ///
    /// # Errors
    /// As [`RedisQueue::peek_for`].
    pub fn peek_for(
        &mut self,
        agent: &Agent,
        now: Timestamp,
    ) -> Result<Option<Waiting>, StoreError> {
        self.run(async |q| q.peek_for(agent, now).await)
    }

    /// [`RedisQueue::remove`].
    ///
    /// # Errors
    /// As [`RedisQueue::remove`].
    pub fn remove(&mut self, id: &str) -> Result<Option<Interaction<String>>, StoreError> {
        self.run(async |q| q.remove(id).await)
    }

    /// [`RedisQueue::reprioritize`].
    ///
    /// # Errors
    /// As [`RedisQueue::reprioritize`].
    pub fn reprioritize(
        &mut self,
        id: &str,
        priority: Priority,
    ) -> Result<Option<Priority>, StoreError> {
        self.run(async |q| q.reprioritize(id, priority).await)
    }

    /// [`RedisQueue::score`].
    ///
    /// # Errors
    /// As [`RedisQueue::score`].
    pub fn score(&mut self, id: &str, now: Timestamp) -> Result<Option<Score>, StoreError> {
        self.run(async |q| q.score(id, now).await)
    }

    /// [`RedisQueue::get`].
    ///
    /// # Errors
    /// As [`RedisQueue::get`].
    pub fn get(&mut self, id: &str) -> Result<Option<Waiting>, StoreError> {
        self.run(async |q| q.get(id).await)
    }

    /// [`RedisQueue::len`].
    ///
    /// # Errors
    /// As [`RedisQueue::len`].
    pub fn len(&mut self) -> Result<usize, StoreError> {
        self.run(async |q| q.len().await)
    }

    /// [`RedisQueue::is_empty`].
    ///
    /// # Errors
    /// As [`RedisQueue::is_empty`].
    pub fn is_empty(&mut self) -> Result<bool, StoreError> {
        self.run(async |q| q.is_empty().await)
    }

    /// [`RedisQueue::class_count`].
    ///
    /// # Errors
    /// As [`RedisQueue::class_count`].
    pub fn class_count(&mut self) -> Result<usize, StoreError> {
        self.run(async |q| q.class_count().await)
    }

    /// [`RedisQueue::waiting`].
    ///
    /// # Errors
    /// As [`RedisQueue::waiting`].
    pub fn waiting(&mut self) -> Result<Vec<Waiting>, StoreError> {
        self.run(async |q| q.waiting().await)
    }

    /// [`RedisQueue::export`].
    ///
    /// # Errors
    /// As [`RedisQueue::export`].
    pub fn export(&mut self) -> Result<AcdQueue<String>, StoreError> {
        self.run(async |q| q.export().await)
    }

    /// [`RedisQueue::import`].
    ///
    /// # Errors
    /// As [`RedisQueue::import`].
    pub fn import<S: BuildHasher>(
        &mut self,
        queue: &AcdQueue<String, S>,
    ) -> Result<(), StoreError> {
        self.run(async |q| q.import(queue).await)
    }

    /// [`RedisQueue::resolve`].
    ///
    /// # Errors
    /// As [`RedisQueue::resolve`].
    pub fn resolve(&mut self, in_doubt: InDoubt) -> Result<Outcome, StoreError> {
        self.run(async |q| q.resolve(in_doubt).await)
    }
}
