//! [`StoreError`]: why the shared queue could not carry out an operation.

use super::InDoubt;
use crate::acd::AcdError;

/// Why an operation on a [`RedisQueue`](super::RedisQueue) did not give an answer.
///
/// [`code`](Self::code) gives a stable machine-readable name. Which operations are safe to
/// call again after which error is in the [module documentation](super#failures-and-retries).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The queue refused the operation as [`AcdQueue`](crate::acd::AcdQueue) would (a
    /// duplicate id, too many distinct skills or languages, a full queue): its own code.
    #[error(transparent)]
    Refused(#[from] AcdError),
    /// The server could not be reached within the retry time, and the operation certainly did
    /// not run (it was never sent, or the server said it did not run it).
    #[error(
        "{operation} on the shared queue did not run: the Redis server could not be reached \
         in {attempts} attempts over {waited_ms} ms ({reason}); check that the server is up and \
         reachable, then call again (nothing changed)"
    )]
    Unavailable {
        /// The operation (`enqueue`, `take`, `peek`, ...).
        operation: &'static str,
        /// How many times it was tried.
        attempts: u32,
        /// How long the tries took, in milliseconds.
        waited_ms: u64,
        /// The last failure, as the `redis` crate reported it.
        reason: String,
    },
    /// A request that changes the queue was sent, and no answer came within the retry time:
    /// it may or may not have run. Its outcome is kept on the server: pass the [`InDoubt`] to
    /// [`RedisQueue::resolve`](super::RedisQueue::resolve) once the server is back, which
    /// gives the outcome without running the request twice.
    #[error(
        "{} on the shared queue may or may not have run: the request was sent and no answer \
         came in {} attempts ({}); once the server is reachable, pass this error's request to \
         RedisQueue::resolve to learn its outcome (it never runs twice)",
        .0.operation(), .0.attempts(), .0.reason()
    )]
    InDoubt(Box<InDoubt>),
    /// The server answered with an error: out of memory, no permission for `EVALSHA`, a
    /// replica that takes no writes, a key of the queue's names holding another type, or a
    /// server older than Redis 7.0.
    #[error(
        "the Redis server refused {operation} on the shared queue: {reason}; fix the server's \
         configuration (memory, ACL, a primary of Redis 7.0 or later) and call again"
    )]
    Rejected {
        /// The operation.
        operation: &'static str,
        /// The server's error message.
        reason: String,
    },
    /// The server's reply did not have the shape this version of the crate expects: the
    /// queue's keys were written by another version or by hand.
    #[error(
        "the reply to {operation} on the shared queue is not what this version expects \
         ({reply}); make sure every node runs the same version and that nothing else writes \
         the queue's keys"
    )]
    InvalidReply {
        /// The operation.
        operation: &'static str,
        /// The reply, shortened.
        reply: String,
    },
    /// A [`BlockingQueue`](super::BlockingQueue) method was called on a thread that runs an
    /// async runtime, where blocking would stall it.
    #[error(
        "a BlockingQueue was called from inside an async runtime, where it would block the \
         runtime's thread; use RedisQueue and .await instead"
    )]
    BlockingInAsync,
}

impl StoreError {
    /// A stable, machine-readable code for this error, e.g. `acd.store_unavailable`; a
    /// refusal keeps the queue's own code (`acd.duplicate_id`, ...).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Refused(e) => e.code(),
            Self::Unavailable { .. } => "acd.store_unavailable",
            Self::InDoubt(_) => "acd.store_in_doubt",
            Self::Rejected { .. } => "acd.store_rejected",
            Self::InvalidReply { .. } => "acd.store_invalid_reply",
            Self::BlockingInAsync => "acd.store_blocking_in_async",
        }
    }
}
