//! Automatic call distribution (ACD): the queue that decides which waiting interaction an
//! agent gets next.
//!
//! An interaction's score is minutes waited plus priority, highest first, at millisecond
//! resolution. Priority 20 after 4 minutes (24) goes before priority 10 after 6 minutes (16).
//! Since every wait grows at the same rate, the order never changes with time: it is the order
//! of the fixed [`routing_key`] `priority * 60_000 - enqueued_at_ms` (higher first), ties to
//! the earlier `enqueued_at`, then to the earlier enqueue. An interaction goes only to an
//! [`Agent`] who meets its [`Requirements`]: every skill they name (case-insensitively) and,
//! if they name a language, a language of the agent that it matches under RFC 4647 basic
//! filtering (`en` is met by `en-US`).
//!
//! - [`AcdQueue`]: the queue; costs are documented there.
//! - [`Requirements`], [`Agent`], [`Stage`]: skills and languages, matched as bitsets inside
//!   the queue (at most [`MAX_DISTINCT_SKILLS`] skills and [`MAX_DISTINCT_LANGUAGES`]
//!   languages in use at once); stages that change them as the interaction waits: a
//!   preferred-agent stage (the last agent of a conversation first) and bullseye rings that
//!   remove skills, at most [`MAX_STAGES`].
//! - [`next_across`], [`peek_across`]: the best interaction for an agent who serves several
//!   queues (highest score, then earlier `enqueued_at`, then the host's queue order).
//! - [`Timestamp`](crate::Timestamp), [`routing_key`], [`Score`]: time as the host passes it in, and the
//!   numbers derived from it. The queue never reads a clock.
//! - [`replay`]: replays a text log of queue events, e.g. a day's traffic.
//! - With the `serde` feature, an [`AcdQueue`] serializes to a snapshot that restores to the
//!   same order (format in [`AcdQueue`]'s documentation).
//! - With the `redis` feature, `redis::RedisQueue`: the same queue shared by a fleet of
//!   nodes, stored in Redis.

mod across;
mod class;
mod error;
mod hasher;
mod heap;
mod index;
mod interaction;
mod key;
mod queue;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod redis;
pub mod replay;
mod requirements;
mod slab;
#[cfg(feature = "serde")]
mod snapshot;

pub use across::{next_across, peek_across};
pub use error::AcdError;
pub use hasher::IdHashBuilder;
pub use interaction::{Interaction, Waiting};
pub use key::{MILLIS_PER_POINT, ROUTING_KEY_MAX, ROUTING_KEY_MIN, Score, routing_key};
pub use queue::{AcdQueue, Iter, MAX_WAITING};
pub use requirements::{
    Agent, MAX_DISTINCT_LANGUAGES, MAX_DISTINCT_SKILLS, MAX_PREFERRED_AGENTS, MAX_RINGS,
    MAX_STAGE_MILLIS, MAX_STAGES, Requirements, Stage, StageError,
};
