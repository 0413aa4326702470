//! [`OutboundError`]: why a reply could not be composed.

use crate::address::{AddressError, EmailAddress};
use crate::mailbox::RecipientField;
use crate::message_id::MessageIdError;
use crate::name::DomainName;

/// Why a reply could not be composed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OutboundError {
    /// The conversation's address is not configured.
    #[error(
        "{address} is not a configured address: reply from an address the organization has configured"
    )]
    UnknownRoute {
        /// The offending address.
        address: EmailAddress,
    },
    /// The from address's domain cannot send yet.
    #[error(
        "the domain {domain} is not verified, so mail cannot be sent from {from_address}: publish its verification record and wait until the check passes, or send from a verified address"
    )]
    DomainNotVerified {
        /// The from address.
        from_address: EmailAddress,
        /// Its domain.
        domain: DomainName,
    },
    /// A typed recipient does not parse. The code and the end of the message are the
    /// address's own error's.
    #[error("{field} recipient {input:?} is not a valid address: {error}")]
    InvalidRecipient {
        /// Where it was typed.
        field: RecipientField,
        /// The offending text.
        input: String,
        /// What is wrong with it.
        error: AddressError,
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
    /// An attachment's name or media type breaks the rules.
    #[error(
        "the attachment {name:?} cannot be sent: {reason}: rename it or give its type as type/subtype"
    )]
    InvalidAttachment {
        /// The attachment's name (shortened).
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The host's message token does not make a message id. The code and the end of the
    /// message are the message id's own error's.
    #[error("the message token cannot make a Message-ID: {0}")]
    MessageToken(MessageIdError),
    /// The rendered message is larger than the limit.
    #[error(
        "the message comes to {size} octets; the limit is {max}: send smaller or fewer attachments"
    )]
    TooLarge {
        /// The rendered size, in octets.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The MIME builder failed to write the message.
    #[error("the message could not be written ({detail})")]
    Render {
        /// What the builder said.
        detail: String,
    },
}

impl OutboundError {
    /// Whether this error is about what the agent typed (a recipient, the subject, an
    /// attachment), as opposed to the configuration or the host's input.
    #[must_use]
    pub fn is_agent_input(&self) -> bool {
        matches!(
            self,
            Self::InvalidRecipient { .. }
                | Self::NoRecipients
                | Self::TooManyRecipients { .. }
                | Self::InvalidSubject { .. }
                | Self::SubjectTooLong { .. }
                | Self::InvalidAttachment { .. }
                | Self::TooLarge { .. }
        )
    }

    /// A stable, machine-readable code for this error, e.g. `outbound.too_many_recipients`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownRoute { .. } => "outbound.unknown_route",
            Self::DomainNotVerified { .. } => "outbound.domain_not_verified",
            Self::InvalidRecipient { error, .. } => error.code(),
            Self::NoRecipients => "outbound.no_recipients",
            Self::TooManyRecipients { .. } => "outbound.too_many_recipients",
            Self::InvalidSubject { .. } => "outbound.subject_invalid",
            Self::SubjectTooLong { .. } => "outbound.subject_too_long",
            Self::InvalidAttachment { .. } => "outbound.attachment_invalid",
            Self::MessageToken(e) => e.code(),
            Self::TooLarge { .. } => "outbound.too_large",
            Self::Render { .. } => "outbound.render_failed",
        }
    }
}
