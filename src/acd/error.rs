//! [`AcdError`]: every reason the ACD queue refuses an operation or a snapshot.

/// Why the ACD queue refused an interaction, a reservation or a snapshot.
///
/// Each variant carries the offending value and, where there is one, the limit; [`code`]
/// gives a stable machine-readable name for it.
///
/// [`code`]: AcdError::code
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AcdError {
    /// An interaction with this id is already waiting in the queue.
    #[error(
        "interaction {id} is already waiting: remove it first, or give the new one a unique id"
    )]
    DuplicateId {
        /// The offending id (its `Debug` rendering).
        id: String,
    },
    /// Enqueuing would need more distinct skills than the queue can compare at once.
    #[error(
        "skill {skill:?} would be distinct skill number {} among waiting interactions; the \
         limit is {limit}: merge rarely used skills, or split the traffic over several queues",
        limit.saturating_add(1)
    )]
    TooManySkills {
        /// The first skill that did not fit.
        skill: String,
        /// How many distinct skills waiting interactions may require at once.
        limit: usize,
    },
    /// Enqueuing would need more distinct languages than the queue can compare at once.
    #[error(
        "language {language:?} would be distinct language number {} among waiting \
         interactions; the limit is {limit}: split the traffic over several queues",
        limit.saturating_add(1)
    )]
    TooManyLanguages {
        /// The language that did not fit.
        language: String,
        /// How many distinct languages waiting interactions may require at once.
        limit: usize,
    },
    /// The queue already holds as many interactions as it can.
    #[error("the queue already holds {limit} interactions, its limit: take or remove some first")]
    Full {
        /// How many interactions one queue can hold.
        limit: usize,
    },
    /// A reservation asked for room past what one queue can hold.
    #[error(
        "room for {requested} interactions was asked for; one queue holds at most {limit}: \
         reserve less, or split the traffic over several queues"
    )]
    CapacityTooLarge {
        /// The interactions the queue would have room for: those waiting plus the
        /// additional ones asked for.
        requested: usize,
        /// How many interactions one queue can hold.
        limit: usize,
    },
    /// The allocator refused the memory a reservation needs.
    #[error(
        "the memory for {requested} waiting interactions could not be allocated: reserve \
         less, or let the queue grow as interactions arrive"
    )]
    OutOfMemory {
        /// The interactions the queue would have room for: those waiting plus the
        /// additional ones asked for.
        requested: usize,
    },
}

impl AcdError {
    /// A stable, machine-readable code for this error, e.g. `acd.duplicate_id`.
    ///
    /// ```
    /// use email_routing::acd::{AcdQueue, Requirements};
    /// use email_routing::{Priority, Timestamp};
    /// let mut queue = AcdQueue::new();
    /// let at = Timestamp::from_unix_millis(1_780_000_000_000).unwrap();
    /// queue.enqueue(7, Priority::default(), &Requirements::none(), at).unwrap();
    /// let err = queue.enqueue(7, Priority::default(), &Requirements::none(), at).unwrap_err();
    /// assert_eq!(err.code(), "acd.duplicate_id");
    /// ```
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::DuplicateId { .. } => "acd.duplicate_id",
            Self::TooManySkills { .. } => "acd.too_many_skills",
            Self::TooManyLanguages { .. } => "acd.too_many_languages",
            Self::Full { .. } => "acd.full",
            Self::CapacityTooLarge { .. } => "acd.capacity_too_large",
            Self::OutOfMemory { .. } => "acd.out_of_memory",
        }
    }
}
