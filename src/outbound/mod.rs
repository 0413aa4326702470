//! Outbound replies: an agent's draft becomes an [`OutboundEnvelope`] that obeys the limits.
//!
//! [`OrgEmailConfig::compose`](crate::OrgEmailConfig::compose) takes a reply on a conversation that came in on a configured
//! address, with `To`, `Cc` and `Bcc` as the agent typed them, and:
//!
//! - sends **From** the route's from address under its from name. That address's domain must be
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
//!   refuses more than [`MAX_RECIPIENTS`], or no typed recipient at all;
//! - renders only header values that cannot inject a header: every address and name was
//!   validated on the way in, the subject refuses control characters, and names that are not
//!   ASCII are RFC 2047-encoded. A non-ASCII local part anywhere marks the message as needing
//!   SMTPUTF8.
//!
//! ```
//! use std::collections::HashSet;
//! use email_routing::*;
//! # let root: DomainName = "mail.example.net".parse()?;
//! # let mut org = OrgEmailConfig::new(root.clone());
//! # org.add_domain(Domain::custom("support.customer.com".parse()?))?;
//! # let help: EmailAddress = "help@support.customer.com".parse()?;
//! # org.add_route(AddressRoute::new(help.clone(), DisplayName::new("Customer Help")?, RoutingTarget::OutboundOnly)
//! #     .with_auto_bcc(["archive@customer.com".parse()?])?)?;
//! let draft = OutboundDraft::reply_on(help)
//!     .to("Jane Doe <jane@example.org>")
//!     .subject("Re: your order");
//!
//! // Until the custom domain is verified, nothing can be sent from it.
//! let err = org.compose(&draft, &HashSet::new()).unwrap_err();
//! assert_eq!(err.code(), "outbound.domain_not_verified");
//!
//! let verified: HashSet<DomainName> = ["support.customer.com".parse()?].into();
//! let envelope = org.compose(&draft, &verified)?;
//! assert_eq!(envelope.from().to_string(), "Customer Help <help@support.customer.com>");
//! assert_eq!(envelope.smtp_recipients().count(), 2); // Jane and the hidden archive copy
//! assert_eq!(envelope.agent_view().recipient_count(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compose;
mod draft;
mod envelope;
mod error;
mod sending;

pub use draft::{OutboundDraft, Subject};
pub use envelope::{AgentView, Header, OutboundEnvelope};
pub use error::OutboundError;
pub use sending::SendingDomains;

/// The most recipients one message may have: To + Cc + Bcc after removing exact duplicates,
/// plus every auto-BCC address.
pub const MAX_RECIPIENTS: usize = 50;
/// The most characters a subject may have.
pub const MAX_SUBJECT_CHARS: usize = 998;
