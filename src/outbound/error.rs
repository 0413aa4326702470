//! [`OutboundError`]: why a reply could not be composed.

use crate::address::AddressError;
use crate::mailbox::RecipientField;

/// Why a reply could not be composed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OutboundError {
    /// The conversation's address is not configured.
    #[error(
        "{address:?} is not a configured address: reply from an address the organization has configured"
    )]
    UnknownRoute {
        /// The offending address.
        address: String,
    },
    /// The from address's domain cannot send yet.
    #[error(
        "the domain {domain:?} is not verified, so mail cannot be sent from {from_address:?}: publish its verification record and wait until the check passes, or send from a verified address"
    )]
    DomainNotVerified {
        /// The from address.
        from_address: String,
        /// Its domain.
        domain: String,
    },
    /// A typed recipient does not parse.
    #[error("{field} recipient {input:?} is not a valid address: {source}")]
    InvalidRecipient {
        /// Where it was typed.
        field: RecipientField,
        /// The offending text.
        input: String,
        /// What is wrong with it.
        source: AddressError,
    },
    /// No recipient was typed.
    #[error("the reply has no recipients: add at least one To, Cc or Bcc address")]
    NoRecipients,
    /// Too many recipients.
    #[error("the reply has {count} recipients ({added} of them added by the address's settings); the limit is {max}: remove {excess}", excess = count.saturating_sub(*max))]
    TooManyRecipients {
        /// Distinct recipients, auto-BCC included.
        count: usize,
        /// How many of them the route adds (auto-BCC); the agent cannot see or remove those.
        added: usize,
        /// The limit.
        max: usize,
    },
    /// The subject holds a character that could break a header.
    #[error("the subject contains {character}, which could break the message header: remove it")]
    InvalidSubject {
        /// The offending character, described.
        character: String,
    },
    /// The subject is too long.
    #[error("the subject is {len} characters long; the limit is {max}: shorten it")]
    SubjectTooLong {
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl OutboundError {
    /// A stable, machine-readable code for this error, e.g. `outbound.too_many_recipients`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownRoute { .. } => "outbound.unknown_route",
            Self::DomainNotVerified { .. } => "outbound.domain_not_verified",
            Self::InvalidRecipient { .. } => "outbound.invalid_recipient",
            Self::NoRecipients => "outbound.no_recipients",
            Self::TooManyRecipients { .. } => "outbound.too_many_recipients",
            Self::InvalidSubject { .. } => "outbound.invalid_subject",
            Self::SubjectTooLong { .. } => "outbound.subject_too_long",
        }
    }
}
