//! Threading: does a received message continue a conversation, or start one?
//!
//! [`thread`] decides from what [`inbound`](crate::inbound) read of the message (its
//! `Message-ID`, `In-Reply-To`, `References`, `Subject` and attachments) and what the
//! [`ConversationStore`] remembers; it only reads the store. [`record_received`],
//! [`record_sent`] and [`record_acknowledgement`] then write what happened.
//!
//! The rules are documented once, in the [module docs](super#threading-rules).

use super::store::stored_subject;
use super::subject::is_forward;
use super::{ConversationState, ConversationStore, NormalizedSubject};
use crate::ids::{AgentId, ConversationId};
use crate::inbound::InboundEmail;
use crate::message_id::MessageId;
use crate::time::Timestamp;

/// Milliseconds in one day.
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Why a threading policy was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ThreadingPolicyError {
    /// The window is negative or longer than [`ThreadingPolicy::MAX_WINDOW_MS`].
    #[error(
        "a threading window of {window_ms} ms is not allowed; it must be between 0 (threading off) and {max} ms (365 days)"
    )]
    WindowOutOfRange {
        /// The offending window.
        window_ms: i64,
        /// The longest window.
        max: i64,
    },
}

impl ThreadingPolicyError {
    /// A stable, machine-readable code: `threading.window_out_of_range`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::WindowOutOfRange { .. } => "threading.window_out_of_range",
        }
    }
}

/// How replies are threaded. [`Default`]: a 30-day window (the anchor platform's default and
/// maximum; another allows 90), subjects not compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "StoredThreadingPolicy"))]
pub struct ThreadingPolicy {
    window_ms: i64,
    split_on_subject_change: bool,
}

impl Default for ThreadingPolicy {
    fn default() -> Self {
        Self { window_ms: Self::DEFAULT_WINDOW_MS, split_on_subject_change: false }
    }
}

impl ThreadingPolicy {
    /// The default window: 30 days, in milliseconds.
    pub const DEFAULT_WINDOW_MS: i64 = 30 * DAY_MS;
    /// The longest window: 365 days, in milliseconds.
    pub const MAX_WINDOW_MS: i64 = 365 * DAY_MS;

    /// A policy with a window of `window_ms` milliseconds (0 turns threading off).
    ///
    /// # Errors
    /// `threading.window_out_of_range` when the window is negative or longer than
    /// [`Self::MAX_WINDOW_MS`].
    pub fn new(window_ms: i64) -> Result<Self, ThreadingPolicyError> {
        if !(0..=Self::MAX_WINDOW_MS).contains(&window_ms) {
            return Err(ThreadingPolicyError::WindowOutOfRange {
                window_ms,
                max: Self::MAX_WINDOW_MS,
            });
        }
        Ok(Self { window_ms, split_on_subject_change: false })
    }

    /// Starts a new conversation when a reply's subject differs from its conversation's.
    #[must_use]
    pub fn with_split_on_subject_change(mut self, split: bool) -> Self {
        self.split_on_subject_change = split;
        self
    }

    /// The window, in milliseconds; 0 means threading is off.
    #[must_use]
    pub fn window(&self) -> i64 {
        self.window_ms
    }

    /// Whether a changed subject starts a new conversation.
    #[must_use]
    pub fn split_on_subject_change(&self) -> bool {
        self.split_on_subject_change
    }
}

#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredThreadingPolicy {
    #[serde(default = "default_window")]
    window_ms: i64,
    #[serde(default)]
    split_on_subject_change: bool,
}

#[cfg(feature = "serde")]
fn default_window() -> i64 {
    ThreadingPolicy::DEFAULT_WINDOW_MS
}

#[cfg(feature = "serde")]
impl TryFrom<StoredThreadingPolicy> for ThreadingPolicy {
    type Error = ThreadingPolicyError;
    fn try_from(s: StoredThreadingPolicy) -> Result<Self, ThreadingPolicyError> {
        Ok(Self::new(s.window_ms)?.with_split_on_subject_change(s.split_on_subject_change))
    }
}

/// Which header tied a message to its conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum MatchedVia {
    /// Its own `Message-ID` was known: the same message, delivered again.
    MessageId,
    /// `In-Reply-To`.
    InReplyTo,
    /// `References`.
    References,
}

impl std::fmt::Display for MatchedVia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::MessageId => "message_id",
            Self::InReplyTo => "in_reply_to",
            Self::References => "references",
        })
    }
}

/// Why a message starts a new conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum StartReason {
    /// Threading is off (a window of 0).
    ThreadingOff,
    /// The message forwards another.
    Forward,
    /// It names no message id the store knows (or none at all).
    NoKnownReference,
    /// It names a conversation whose last activity is a window or more ago.
    WindowExpired,
    /// Its subject differs from its conversation's, and the policy splits on that.
    SubjectChanged,
}

impl std::fmt::Display for StartReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl StartReason {
    /// A stable name, e.g. `window_expired`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ThreadingOff => "threading_off",
            Self::Forward => "forward",
            Self::NoKnownReference => "no_known_reference",
            Self::WindowExpired => "window_expired",
            Self::SubjectChanged => "subject_changed",
        }
    }
}

/// The outcome of threading one received message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Threading {
    /// The message continues a conversation: route it to its last agent first.
    Continues {
        /// The conversation, as the store knew it before this message.
        conversation: ConversationState,
        /// The known id that tied it.
        matched: MessageId,
        /// Which header held that id.
        via: MatchedVia,
    },
    /// The message starts a conversation; the host gives it an id.
    Starts {
        /// Why.
        reason: StartReason,
    },
}

impl Threading {
    /// The conversation continued, if any.
    #[must_use]
    pub fn continued(&self) -> Option<&ConversationState> {
        match self {
            Self::Continues { conversation, .. } => Some(conversation),
            Self::Starts { .. } => None,
        }
    }
}

/// What threading reads of a received message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ThreadInput<'a> {
    pub(crate) message_id: Option<&'a MessageId>,
    pub(crate) in_reply_to: &'a [MessageId],
    pub(crate) references: &'a [MessageId],
    /// The `Subject` as received.
    pub(crate) subject: &'a str,
    pub(crate) forwards_a_message: bool,
}

/// Threads a received message: does it continue a conversation the store knows, or start one?
/// The rules and their order are in the [module docs](super#threading-rules); the store is only read, and
/// `now` is the host's time (usually [`InboundEmail::received_at`]). The work is a lookup per
/// id the message names (at most 1 + [`MAX_IDS`](crate::inbound::MAX_IDS) x 2) plus one pass
/// over its subject.
///
/// ```
/// use email_routing::{AgentId, ConversationId, MessageId, Timestamp};
/// use email_routing::conversation::{self, InMemoryConversations, ThreadingPolicy, Threading};
/// use email_routing::inbound::{Envelope, InboundEmail};
/// let mut store = InMemoryConversations::new(1_000_000);
/// let policy = ThreadingPolicy::default();
/// let t0 = Timestamp::from_unix_millis(1_780_000_000_000)?;
///
/// // A customer writes; the host gives the new conversation its id.
/// let first = InboundEmail::from_rfc5322(
///     b"From: jane@example.org\r\nMessage-ID: <c1@example.org>\r\nSubject: Invoice\r\n\r\nHi\r\n",
///     Envelope::new(), t0);
/// let threading = conversation::thread(&store, &first, &policy, t0);
/// assert!(matches!(threading, Threading::Starts { .. }));
/// let id = conversation::record_received(&mut store, &first, &threading, ConversationId::new("conv-1")?, t0);
///
/// // An agent answers; the customer's answer to that reply joins the conversation.
/// let agent = AgentId::new("agent-42")?;
/// let reply = MessageId::new("<r1@support.customer.com>")?;
/// conversation::record_sent(&mut store, reply, &id, &agent, "Re: Invoice", t0.plus_hours(1));
/// let answer = InboundEmail::from_rfc5322(
///     b"From: jane@example.org\r\nMessage-ID: <c2@example.org>\r\nIn-Reply-To: <r1@support.customer.com>\r\nSubject: Re: Invoice\r\n\r\nThanks\r\n",
///     Envelope::new(), t0.plus_hours(2));
/// let threading = conversation::thread(&store, &answer, &policy, t0.plus_hours(2));
/// let continued = threading.continued().unwrap();
/// assert_eq!((continued.id(), continued.last_agent()), (&id, Some(&agent)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn thread<S: ConversationStore + ?Sized>(
    store: &S,
    email: &InboundEmail,
    policy: &ThreadingPolicy,
    now: Timestamp,
) -> Threading {
    let input = ThreadInput {
        message_id: email.message_id(),
        in_reply_to: email.in_reply_to(),
        references: email.references(),
        subject: email.subject().unwrap_or_default(),
        forwards_a_message: email.forwards_a_message(),
    };
    decide(store, &input, policy, now)
}

/// Records a received message after [`thread`]: its `Message-ID` joins the conversation it
/// continues, or the new one, whose id the host gives (`new_id`; the crate draws no
/// randomness), and the conversation's last activity becomes `now`. Returns the
/// conversation's id. A message without a `Message-ID` leaves the store as it was (nothing
/// could name it later); its conversation is remembered from the first reply recorded with
/// [`record_sent`] or [`record_acknowledgement`].
pub fn record_received<S: ConversationStore + ?Sized>(
    store: &mut S,
    email: &InboundEmail,
    threading: &Threading,
    new_id: ConversationId,
    now: Timestamp,
) -> ConversationId {
    let id = match threading.continued() {
        Some(conversation) => conversation.id().clone(),
        None => new_id,
    };
    if let Some(message) = email.message_id() {
        let subject = NormalizedSubject::new(email.subject().unwrap_or_default());
        store.record(message.clone(), &id, now, None, &subject);
    }
    id
}

/// Records a reply `agent` sent in `conversation` at `now`, under the `Message-ID` it was
/// sent with: a customer's answer to it threads to the conversation, and `agent` becomes the
/// conversation's last agent (who gets that answer first). `subject` (the reply's, as sent)
/// becomes the subject of a conversation the store did not know: one the agent starts, or
/// one whose first message had no `Message-ID`.
pub fn record_sent<S: ConversationStore + ?Sized>(
    store: &mut S,
    message: MessageId,
    conversation: &ConversationId,
    agent: &AgentId,
    subject: &str,
    now: Timestamp,
) {
    store.record(message, conversation, now, Some(agent), &NormalizedSubject::new(subject));
}

/// Records the automatic acknowledgement of `email` (see
/// [`acknowledgement`](super::acknowledgement())), sent in `conversation` at `now` under the
/// `Message-ID` `message`, unless the conversation was acknowledged already
/// ([`ConversationStore::record_acknowledgement`]). Returns whether it recorded: call it before
/// sending, and send only when it returns `true`, so at most one acknowledgement goes per
/// conversation even when two messages of one conversation are handled at once. A
/// customer's answer to the acknowledgement threads to the conversation.
pub fn record_acknowledgement<S: ConversationStore + ?Sized>(
    store: &mut S,
    email: &InboundEmail,
    message: MessageId,
    conversation: &ConversationId,
    now: Timestamp,
) -> bool {
    let subject = NormalizedSubject::new(email.subject().unwrap_or_default());
    store.record_acknowledgement(message, conversation, now, &subject)
}

/// The threading decision (see the rules in the module docs); the store is only read.
pub(crate) fn decide(
    store: &(impl ConversationStore + ?Sized),
    input: &ThreadInput<'_>,
    policy: &ThreadingPolicy,
    now: Timestamp,
) -> Threading {
    let starts = |reason| Threading::Starts { reason };
    if policy.window_ms == 0 {
        return starts(StartReason::ThreadingOff);
    }
    let within = |conversation: &ConversationState| {
        now.millis_since(conversation.last_activity()) < policy.window_ms
    };
    if let Some(id) = input.message_id
        && let Some(conversation) = store.find(id).filter(within)
    {
        return Threading::Continues {
            conversation,
            matched: id.clone(),
            via: MatchedVia::MessageId,
        };
    }
    if is_forward(input.subject) || input.forwards_a_message {
        return starts(StartReason::Forward);
    }
    let candidates = input
        .in_reply_to
        .iter()
        .map(|id| (id, MatchedVia::InReplyTo))
        .chain(input.references.iter().rev().map(|id| (id, MatchedVia::References)));
    let mut expired = false;
    for (id, via) in candidates {
        let Some(conversation) = store.find(id) else { continue };
        if !within(&conversation) {
            expired = true;
            continue;
        }
        if policy.split_on_subject_change
            && conversation.subject()
                != stored_subject(NormalizedSubject::new(input.subject).base())
        {
            return starts(StartReason::SubjectChanged);
        }
        return Threading::Continues { conversation, matched: id.clone(), via };
    }
    starts(if expired { StartReason::WindowExpired } else { StartReason::NoKnownReference })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::InMemoryConversations;
    use crate::ids::{AgentId, ConversationId};

    fn id(s: &str) -> MessageId {
        MessageId::new(s).unwrap()
    }

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(1_780_000_000_000 + ms).unwrap()
    }

    struct Fixture {
        store: InMemoryConversations,
    }

    fn fixture() -> Fixture {
        let mut store = InMemoryConversations::new(100);
        let subject = NormalizedSubject::new("Invoice 4711");
        let c = ConversationId::new("c1").unwrap();
        let jane = AgentId::new("jane").unwrap();
        store.record(id("first@customer.example.org"), &c, at(0), None, &subject);
        store.record(id("reply@support.customer.com"), &c, at(1_000), Some(&jane), &subject);
        Fixture { store }
    }

    fn decide_with(
        f: &Fixture,
        in_reply_to: &[MessageId],
        references: &[MessageId],
        subject: &str,
        policy: ThreadingPolicy,
        now: Timestamp,
    ) -> Threading {
        let input = ThreadInput {
            message_id: None,
            in_reply_to,
            references,
            subject,
            forwards_a_message: false,
        };
        decide(&f.store, &input, &policy, now)
    }

    #[test]
    fn in_reply_to_first_then_references_newest_first() {
        let f = fixture();
        let policy = ThreadingPolicy::default();
        let t = decide_with(
            &f,
            &[id("reply@support.customer.com")],
            &[],
            "Re: Invoice 4711",
            policy,
            at(2_000),
        );
        let Threading::Continues { conversation, via, .. } = t else { panic!("{t:?}") };
        assert_eq!(via, MatchedVia::InReplyTo);
        assert_eq!(conversation.last_agent().map(AgentId::as_str), Some("jane"));
        // Only References, the newest unknown: the older known one still threads.
        let refs = [id("first@customer.example.org"), id("unknown@x")];
        let t = decide_with(&f, &[id("unknown2@x")], &refs, "Re: x", policy, at(2_000));
        assert!(matches!(t, Threading::Continues { via: MatchedVia::References, .. }), "{t:?}");
        let t = decide_with(&f, &[], &[id("nothing@x")], "Re: x", policy, at(2_000));
        assert_eq!(t, Threading::Starts { reason: StartReason::NoKnownReference });
    }

    #[test]
    fn the_window_counts_from_the_last_activity_and_its_end_is_exclusive() {
        let f = fixture();
        let policy = ThreadingPolicy::new(10_000).unwrap();
        let reply = [id("first@customer.example.org")];
        let last = 1_000;
        let t = decide_with(&f, &reply, &[], "Re: Invoice 4711", policy, at(last + 9_999));
        assert!(t.continued().is_some(), "a reply to an old message of an active thread");
        let t = decide_with(&f, &reply, &[], "Re: Invoice 4711", policy, at(last + 10_000));
        assert_eq!(t, Threading::Starts { reason: StartReason::WindowExpired });
        let off = ThreadingPolicy::new(0).unwrap();
        let t = decide_with(&f, &reply, &[], "Re: Invoice 4711", off, at(last));
        assert_eq!(t, Threading::Starts { reason: StartReason::ThreadingOff });
    }

    #[test]
    fn forwards_and_subject_changes() {
        let f = fixture();
        let reply = [id("reply@support.customer.com")];
        let policy = ThreadingPolicy::default();
        let t = decide_with(&f, &reply, &[], "Fwd: Invoice 4711", policy, at(2_000));
        assert_eq!(t, Threading::Starts { reason: StartReason::Forward });
        let t = decide_with(&f, &reply, &[], "Re: Something else", policy, at(2_000));
        assert!(t.continued().is_some(), "subjects are not compared by default");
        let split = policy.with_split_on_subject_change(true);
        let t = decide_with(&f, &reply, &[], "Re: Something else", split, at(2_000));
        assert_eq!(t, Threading::Starts { reason: StartReason::SubjectChanged });
        let t = decide_with(&f, &reply, &[], "AW: [EXT] invoice  4711", split, at(2_000));
        assert!(t.continued().is_some());
    }

    #[test]
    fn policy_limits() {
        assert!(ThreadingPolicy::new(0).is_ok());
        assert!(ThreadingPolicy::new(ThreadingPolicy::MAX_WINDOW_MS).is_ok());
        let err = ThreadingPolicy::new(ThreadingPolicy::MAX_WINDOW_MS + 1).unwrap_err();
        assert_eq!(err.code(), "threading.window_out_of_range");
        assert!(ThreadingPolicy::new(-1).is_err());
    }
}
