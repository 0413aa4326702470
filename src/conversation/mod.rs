//! Conversations: which received message continues which conversation, so a customer's reply
//! joins the thread it answers and goes back to the agent who handled it, and the one
//! automatic acknowledgement a conversation may get.
//!
//! - [`thread`] decides whether a received message continues a conversation or starts one
//!   (the rules are below); [`record_received`], [`record_sent`] and
//!   [`record_acknowledgement`] write what happened to a [`ConversationStore`]: the host's
//!   database, or the bounded [`InMemoryConversations`].
//! - [`acknowledgement`] decides, under RFC 3834, whether a received message gets its
//!   address's automatic acknowledgement, to whom, and why not.
//!
//! Threading takes what [`inbound`](crate::inbound) produced and never the other way round.
//! Nothing here reads a clock or draws randomness: the host passes the time, and the id of a
//! new conversation.
//!
//! # Threading rules
//!
//! Defaults ([`ThreadingPolicy::default`]): a 30-day window (the anchor platform's default and
//! its maximum; another platform allows 90; this crate allows up to 365), subjects not
//! compared. The rules, in order (the first that applies decides; each outcome is a [`MatchedVia`] or a
//! [`StartReason`]):
//! 1. **Off**: a window of 0 turns threading off: every message starts a conversation
//!    (`threading_off`), a second delivery of one message included.
//! 2. **The same message again**: its own `Message-ID`, if the store knows it within the window,
//!    continues its conversation ([`MatchedVia::MessageId`]): a message delivered twice (a
//!    retry, or the copy of a `Cc` to a second configured address) is one interaction, even a
//!    forward, and whatever its subject.
//! 3. **Forwards**: a message whose subject's outermost prefix is a forward's (`Fwd:`, `FW:`,
//!    `WG:`, `TR:`, `RV:` and the others [`NormalizedSubject`] lists) or that carries a
//!    forwarded message (a `message/rfc822` attachment,
//!    [`InboundEmail::forwards_a_message`](crate::inbound::InboundEmail::forwards_a_message)) starts a conversation (`forward`): a customer who
//!    forwards an old thread brings a new matter.
//! 4. **Replies**: `In-Reply-To` first, then `References` from the newest (last) id to the
//!    oldest: the first id the store knows within the window decides ([`MatchedVia::InReplyTo`],
//!    [`MatchedVia::References`]), so a client that drops `In-Reply-To`, or writes one the
//!    store never saw, still threads through an older id. The window: a conversation counts
//!    while less than [`ThreadingPolicy::window`] milliseconds have passed since its last
//!    activity; a message exactly one window later does not continue it (the end is
//!    exclusive). The conversation's last activity counts, not the age of the message
//!    answered, so a reply to an old message of a thread that is still active continues it.
//!    Known ids whose conversations are all out of the window start a conversation
//!    (`window_expired`).
//! 5. **Subject split** (off by default, [`ThreadingPolicy::with_split_on_subject_change`]):
//!    a reply whose subject differs from its conversation's starts a conversation
//!    (`subject_changed`). Subjects compare as [`NormalizedSubject::base`]: reply and forward
//!    prefixes in the common languages, bracketed tags (`[EXT]`), case and white space set
//!    aside, cut to 256 characters.
//! 6. **Nothing known**: a new conversation (`no_known_reference`).
//!
//! A continued conversation comes with its [`ConversationState`]: its
//! [`last_agent`](ConversationState::last_agent) is who should get the reply first.

mod acknowledgement;
mod store;
mod subject;
mod threading;

pub use acknowledgement::{Acknowledgement, AcknowledgementPlan, SkipReason, acknowledgement};
pub use store::{ConversationState, ConversationStore, InMemoryConversations};
pub use subject::{MAX_TAG_CHARS, NormalizedSubject};
pub use threading::{
    MatchedVia, StartReason, Threading, ThreadingPolicy, ThreadingPolicyError,
    record_acknowledgement, record_received, record_sent, thread,
};

// What a file that breaks one of these rules is told (the rule's code and message).
#[cfg(feature = "serde")]
crate::refusal::rule_with_code!(ThreadingPolicyError);
