//! Outbound replies: an agent's draft becomes an [`OutboundEnvelope`] that obeys the limits,
//! then a complete RFC 5322 message.
//!
//! [`compose`] takes a reply from a configured address, with `To`, `Cc` and `Bcc` as the agent
//! typed them, and:
//!
//! - sends **From** the route's from address under its display name. That address's domain must be
//!   able to send: a hosted subdomain always can; a custom domain only once verified (the host
//!   says which, through [`SendingDomains`]);
//! - sets **Reply-To** to the route's reply-to, if it has one;
//! - adds the route's **auto-BCC** addresses, hidden: [`AgentView`], the only view meant for
//!   agents, has no field that could hold them, and the envelope exposes them only through
//!   [`OutboundEnvelope::smtp_recipients`], the list a mail transfer agent needs;
//! - counts **To + Cc + Bcc** after removing exact duplicates (the same normalized address,
//!   [`EmailAddress`](crate::EmailAddress) `==`; the first occurrence wins, in the order To, Cc,
//!   Bcc), **plus every auto-BCC address**, always, even one the agent also typed (so the
//!   count can never reveal the hidden list; delivery still sends each address once), and
//!   refuses more than the organization's
//!   [`Limits::max_recipients`](crate::Limits::max_recipients) (50 by default), or no typed
//!   recipient at all; a subject is held to
//!   [`Limits::max_subject_chars`](crate::Limits::max_subject_chars) (998 by default);
//! - **threads** a reply to the message it answers ([`OutboundDraft::replying_to`]):
//!   `In-Reply-To` is that message's id, `References` its `References` and its id, the first
//!   and the most recent kept when there are more than
//!   [`MAX_REFERENCES`](crate::MAX_REFERENCES) (RFC 5322 3.6.4);
//! - builds the **body**: the agent's text; the route's signature below a `-- ` line (always, or
//!   when the agent leaves it in); the customer's message quoted below an attribution line
//!   (`On <date>, <author> wrote:`), `>` before each line in the text part and a
//!   `<blockquote>` in the HTML part, as the route's history setting and the agent's choice
//!   say. An HTML body from the agent makes the message `multipart/alternative`.
//!
//! [`OutboundEnvelope::render`] then writes the complete message with `mail-builder`: `Date`
//! from the time passed in, `Message-ID` `<token@domain>` from the host's token, MIME
//! boundaries from the token too (the crate draws no randomness), attachments in a
//! `multipart/mixed`, no `Bcc` field, names RFC 2047-encoded and lines folded by the builder,
//! at most the organization's
//! [`Limits::max_message_octets`](crate::Limits::max_message_octets) (40 MiB by default),
//! taken when the reply is composed. A non-ASCII local part anywhere marks the message as
//! needing SMTPUTF8. With the `lettre` feature, `OutboundEnvelope::to_lettre` gives the same
//! message as a `lettre::Message`.
//!
//! ```
//! use std::collections::HashSet;
//! use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
//! use email_routing::*;
//! use email_routing::outbound::{self, OutboundDraft, RenderOptions};
//! # let root: DomainName = "mail.example.net".parse()?;
//! # let mut org = OrgEmailConfig::new(root.clone());
//! # org.add_domain(Domain::custom("support.customer.com".parse()?))?;
//! # let help: EmailAddress = "help@support.customer.com".parse()?;
//! # org.add_route(AddressRoute::new(help.clone(), DisplayName::new("Customer Help")?, RoutingTarget::OutboundOnly)
//! #     .with_auto_bcc(["archive@customer.com".parse()?])?)?;
//! let draft = OutboundDraft::new(help)
//!     .with_to("Jane Doe <jane@example.org>")
//!     .with_subject("Re: your order")
//!     .with_text("It ships today.");
//!
//! // Until the custom domain is verified, nothing can be sent from it.
//! let err = outbound::compose(&org, &draft, &HashSet::new()).unwrap_err();
//! assert_eq!(err.code(), "outbound.domain_not_verified");
//!
//! let verified: HashSet<DomainName> = ["support.customer.com".parse()?].into();
//! let envelope = outbound::compose(&org, &draft, &verified)?;
//! assert_eq!(envelope.from().to_string(), "Customer Help <help@support.customer.com>");
//! assert_eq!(envelope.smtp_recipients().count(), 2); // Jane and the hidden archive copy
//! assert_eq!(envelope.agent_view().recipient_count(), 1);
//! let sent_at = Timestamp::from_unix_millis(1_780_000_000_000)?;
//! let message = envelope.render(&RenderOptions::new(sent_at, "r-42"))?;
//! assert!(!String::from_utf8_lossy(message.as_bytes()).contains("archive@"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compose;
mod draft;
mod envelope;
mod error;
#[cfg(feature = "lettre")]
mod lettre;
mod render;
mod sending;

pub use compose::compose;
pub use draft::{
    MAX_ATTACHMENT_NAME_CHARS, OutboundAttachment, OutboundDraft, RepliedMessage, Subject,
};
pub use envelope::{AgentView, OutboundEnvelope};
pub use error::OutboundError;
pub use render::{RenderOptions, RenderedMessage};
pub use sending::SendingDomains;
