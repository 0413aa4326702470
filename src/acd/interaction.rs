//! What the queue hands out: an [`Interaction`] that left it, and a [`Waiting`] view of one
//! still in it. Both read priority, times and score from the interaction's packed order.

use super::key::Order;
use super::{Requirements, Score};
use crate::Priority;
use crate::Timestamp;

/// The accessors an [`Interaction`] and a [`Waiting`] view share, read from their `order`.
macro_rules! order_accessors {
    () => {
        /// Its priority (for an interaction that left: when it left).
        pub fn priority(&self) -> Priority {
            self.order.priority()
        }

        /// When it was enqueued.
        pub fn enqueued_at(&self) -> Timestamp {
            self.order.enqueued_at()
        }

        /// Its routing key (see [`routing_key`](super::routing_key)).
        pub fn routing_key(&self) -> i64 {
            self.order.routing_key()
        }

        /// Its score at `now`.
        pub fn score(&self, now: Timestamp) -> Score {
            self.order.score_at(now)
        }

        /// Its stage (see [`Requirements`]) as the queue last applied stage changes: for an
        /// interaction that left, the stage it left in (0 for a preferred-agent stage that
        /// handed it to a named agent).
        pub fn stage(&self) -> usize {
            self.order.stage()
        }
    };
}

/// An interaction that left the queue (taken by an agent or removed), with the place and the
/// stage it had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction<Id> {
    pub(super) id: Id,
    pub(super) order: Order,
}

impl<Id> Interaction<Id> {
    /// Its id.
    pub fn id(&self) -> &Id {
        &self.id
    }

    /// Its id, by value.
    pub fn into_id(self) -> Id {
        self.id
    }

    order_accessors!();
}

/// A view of an interaction still waiting in the queue.
#[derive(Debug)]
pub struct Waiting<'a, Id> {
    pub(super) id: &'a Id,
    pub(super) order: Order,
    pub(super) requirements: &'a Requirements,
}

impl<Id> Clone for Waiting<'_, Id> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Id> Copy for Waiting<'_, Id> {}

impl<'a, Id> Waiting<'a, Id> {
    /// Its id.
    #[must_use]
    pub fn id(&self) -> &'a Id {
        self.id
    }

    order_accessors!();

    /// What an agent needs to take it, every stage included; see [`stage`](Self::stage) for
    /// the one that applies.
    #[must_use]
    pub fn requirements(&self) -> &'a Requirements {
        self.requirements
    }
}
