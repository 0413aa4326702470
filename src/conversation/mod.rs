//! Conversations: which received message continues which conversation, so a customer's reply
//! joins the thread it answers and goes back to the agent who handled it.
//!
//! Threading takes what [`inbound`](crate::inbound) produced and never the other way round.

mod subject;

pub use subject::{MAX_TAG_CHARS, NormalizedSubject};
