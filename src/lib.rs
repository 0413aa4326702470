//! # email-routing
//!
//! Let an organization receive and send customer email on its own domain, and get that email
//! to the right agent. This crate is the logic a contact-center platform embeds for that
//! journey; it never opens a socket, reads the clock or draws randomness. The host passes in
//! time, DNS answers and tokens, so every outcome is deterministic and testable.
//!
//! ## The journey
//!
//! ```
//! use email_routing::*;
//!
//! // 1. The organization: a hosted subdomain and a custom domain.
//! let root: DomainName = "mail.example.net".parse()?;
//! let mut org = OrgEmailConfig::new(root.clone());
//! org.add_domain(Domain::hosted("acme", &root)?)?;
//! org.add_domain(Domain::custom("support.customer.com".parse()?))?;
//!
//! // 2. An address customers write to, routed to a queue; spam goes to a review flow.
//! let help: EmailAddress = "help@support.customer.com".parse()?;
//! let queue = QueueRoute::new(QueueId::new("support")?)
//!     .with_skills([Skill::new("billing")?])?
//!     .with_language(Language::new("en")?)
//!     .with_priority(Priority::new(10)?);
//! org.add_route(
//!     AddressRoute::new(help.clone(), DisplayName::new("Customer Help")?, RoutingTarget::Queue(queue))
//!         .with_spam_policy(SpamPolicy::RouteToFlow { flow: FlowId::new("spam-review")? }),
//! )?;
//!
//! // 3. Incoming mail finds its route whatever the case of the local part.
//! let route = org.route_for(&"HELP@support.customer.com".parse()?).expect("configured");
//! assert!(matches!(route.routing(), RoutingTarget::Queue(q) if q.priority().get() == 10));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Modules
//!
//! | Piece | What it is for |
//! |---|---|
//! | [`DomainName`] | IDNA (UTS #46) and DNS rules; special-use names refused |
//! | [`EmailAddress`], [`DisplayName`] | header-safe addresses and from names |
//! | [`Priority`], [`QueueId`], [`FlowId`], [`Skill`], [`Language`] | small validated values |
//! | [`OrgEmailConfig`], [`Domain`], [`AddressRoute`] | the organization and its rules |
//! | [`dns`] | records to publish and a sans-I/O verifier |
//! | [`acd`] | the score-ordered, skill-aware queue |
//!
//! ## Errors
//!
//! Every error is a `#[non_exhaustive]` enum whose variants carry the offending value and the
//! limit, with a stable machine-readable `code()` (such as `route.bcc_too_many`) a REST layer
//! can return, and a message that says what to do.
//!
//! ## Features
//!
//! - `serde` (default): serialize and deserialize every model type. Deserializing re-checks
//!   every rule, cross-object ones included: no file can produce an invalid value.
//! - `resolver`: an async DNS lookup over hickory-resolver (tokio).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod acd;
mod address;
mod config;
pub mod dns;
mod ids;
pub mod inbound;
mod macros;
mod mailbox;
mod name;
pub mod outbound;
mod text;
mod time;

pub use acd::{AcdError, AcdQueue, Agent, Requirements, Score};
pub use address::{
    AddressError, DisplayName, DisplayNameError, EmailAddress, MAX_ADDRESS_OCTETS,
    MAX_DISPLAY_NAME_CHARS, MAX_LOCAL_PART_OCTETS,
};
pub use config::*;
pub use dns::{
    AsyncDnsLookup, DnsLookup, DnsSetupError, DomainCheck, DomainReport, DomainSetup, DomainStatus,
    InMemoryDns, ProviderProfile, RequiredRecord,
};
pub use ids::{FlowId, IdError, Language, MAX_ID_CHARS, Priority, QueueId, Skill};
pub use inbound::{
    DisconnectReason, Dispatch, DispatchAction, FlowReason, InboundEmail, MatchedAddress,
    NotRoutedReason, QueueDispatch, RecipientField, ScanVerdict, SkippedRecipient,
};
pub use mailbox::{Mailbox, parse_mailbox_list};
pub use name::{
    DomainName, DomainNameError, MAX_LABEL_OCTETS, MAX_NAME_OCTETS, MIN_LABELS,
    SPECIAL_USE_SUFFIXES,
};
pub use outbound::{
    AgentView, Header, MAX_RECIPIENTS, MAX_SUBJECT_CHARS, OutboundDraft, OutboundEnvelope,
    OutboundError, SendingDomains, Subject,
};
pub use time::{Timestamp, TimestampError};
