//! Conversations: which received message continues which conversation, so a customer's reply
//! joins the thread it answers and goes back to the agent who handled it.
//!
//! Threading takes what [`inbound`](crate::inbound) produced and never the other way round.

mod store;
mod subject;
// The public entry point arrives with the received-message model; tests use it until then.
#[allow(dead_code)]
mod threading;

pub use store::{ConversationState, ConversationStore, InMemoryConversations};
pub use subject::{MAX_TAG_CHARS, NormalizedSubject};
pub use threading::{MatchedVia, StartReason, Threading, ThreadingPolicy, ThreadingPolicyError};
