//! # email-routing
//!
//! Let an organization receive and send customer email on its own domain, and get that email
//! to the right agent. This crate is the logic a contact-center platform embeds for that
//! journey; it never opens a socket, reads the clock or draws randomness. The host passes in
//! time, DNS answers and tokens, so every outcome is deterministic and testable. (The one
//! exception is the standard library's `RandomState`, which seeds the hash maps, the ACD's id
//! index among them (through [`acd::IdHashBuilder`]), against crafted keys; no result depends
//! on it.) The adapters that do I/O, a hickory resolver and the Redis-backed shared queue,
//! sit behind features and only drive the pure core.
//!
//! ## The journey
//!
//! ```
//! use email_routing::acd::{AcdQueue, Agent};
//! use email_routing::config::{AddressRoute, OrgEmailConfig, QueueRoute, RoutingTarget, SpamPolicy};
//! use email_routing::dns::{DomainSetup, DomainStatus, InMemoryDns, ProviderProfile, VerificationToken};
//! use email_routing::outbound::OutboundDraft;
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
//!     .with_skills([Skill::new("billing")?])
//!     .with_priority(Priority::new(10)?);
//! org.add_route(
//!     AddressRoute::new(help.clone(), DisplayName::new("Customer Help")?, RoutingTarget::Queue(queue))
//!         .with_spam_policy(SpamPolicy::RouteToFlow { flow: FlowId::new("spam-review")? }),
//! )?;
//!
//! // 3. What to publish, and is it published? (Here: an in-memory DNS the admin filled.)
//! let setup = DomainSetup::custom(
//!     "support.customer.com".parse()?,
//!     ProviderProfile::ses("us-east-1")?,
//!     VerificationToken::new("pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=")?,
//! )?;
//! let mut dns = InMemoryDns::new();
//! dns.publish_all(setup.required_records());
//! let t0 = Timestamp::from_unix_millis(1_780_000_000_000)?;
//! let mut status = DomainStatus::new(&setup, t0);
//! status.observe(&setup.check().run(&dns), t0.plus_hours(1))?;
//! assert!(status.can_send() && status.can_receive());
//!
//! // 4. Mail arrives; clean mail for help@ waits in the support queue.
//! let raw = b"From: Jane <jane@example.org>\r\nTo: help@support.customer.com\r\nSubject: Invoice\r\n\r\nHello\r\n";
//! let envelope = inbound::Envelope::new().with_recipient("HELP@support.customer.com");
//! let mail = inbound::InboundEmail::from_rfc5322(raw, envelope, t0.plus_hours(2));
//! let mut guard = inbound::SenderRateGuard::default();
//! let policy = inbound::InboundPolicy::default();
//! let dispatched = inbound::dispatch(&org, &mail, &policy, &mut guard);
//! let inbound::DispatchAction::Queue(dispatch) = dispatched.action().clone() else { panic!() };
//! let mut support = AcdQueue::new();
//! support.enqueue_dispatch(&dispatch, "mail-1")?;
//!
//! // 5. Only an agent with the billing skill gets it.
//! let now = t0.plus_hours(3);
//! assert!(support.next_for(&Agent::unskilled(), now).is_none());
//! let agent = Agent::unskilled().with_skill(Skill::new("billing")?);
//! assert_eq!(support.next_for(&agent, now).map(|i| i.into_id()), Some("mail-1"));
//!
//! // 6. The reply leaves from the verified domain.
//! let reply = OutboundDraft::new(help).with_to("Jane <jane@example.org>").with_subject("Re: invoice");
//! let envelope = outbound::compose(&org, &reply, &status)?;
//! assert_eq!(envelope.from().to_string(), "Customer Help <help@support.customer.com>");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Data flows one way: configuration, then DNS (what to publish, is it published), then
//! inbound (which route), then conversations (is it a reply, and to whom), then the ACD (who
//! answers), then outbound (the reply).
//!
//! ## Modules
//!
//! | Piece | What it is for |
//! |---|---|
//! | [`DomainName`] | IDNA (UTS #46) and DNS rules; special-use names refused |
//! | [`EmailAddress`], [`DisplayName`], [`Mailbox`] | header-safe addresses and names |
//! | [`Priority`], [`QueueId`], [`FlowId`], [`Skill`], [`Language`], [`Timestamp`] | small validated values |
//! | [`Limits`] | the platform's numbers (domains, addresses, auto-BCC, recipients, verification windows); `Default` is the anchor platform's |
//! | [`config`]: [`OrgEmailConfig`](config::OrgEmailConfig), [`AddressRoute`](config::AddressRoute) | the organization, its cross-object rules, and [its file format](config#the-file-format) |
//! | [`dns`] | records to publish, a sans-I/O verifier, statuses, in-memory and hickory lookups |
//! | [`inbound`] | which configured address a message is for, and what happens to it |
//! | [`conversation`] | which conversation a reply continues (and its last agent), the conversation store, the automatic acknowledgement (RFC 3834) |
//! | [`acd`] | the score-ordered, skill- and language-aware queue; with `redis`, one queue shared by a fleet |
//! | [`outbound`] | the reply: limits, hidden auto-BCC, safe headers |
//!
//! ## Where things live
//!
//! Every public type has exactly one path. Values that every stage shares (names, addresses,
//! mailboxes, message ids, the small ids, [`Timestamp`], [`Limits`], [`Domain`]) live at the
//! crate root; everything else lives only in its module: `config::OrgEmailConfig`,
//! `dns::DomainSetup`, `inbound::InboundEmail`, `acd::AcdQueue`, `outbound::OutboundDraft`.
//! A module imports only from the root and from the modules before it in the flow above.
//! Inherent methods live beside their type, with one exception: a conversion to or from an
//! outside format lives in that format's file beside the type (`config/file.rs` and the
//! `stored.rs` files for serde and JSON, `inbound/ses.rs`, `dns/zone.rs`,
//! `outbound/render.rs` for RFC 5322 bytes, `outbound/lettre.rs`), which is also where the
//! feature that gates it, if any, applies. Operations across modules are free functions of
//! the later module taking the earlier one's types: `inbound::dispatch(&org, ..)`,
//! `outbound::compose(&org, ..)`.
//!
//! ## Stability
//!
//! Before 1.0 a minor version may change the API; every change is listed in the CHANGELOG
//! with its migration. Error `code()` strings and the serialized forms (configuration files,
//! stored setups, replay logs, the Redis key layout) are the contract hosts store and match
//! on: a change to one of them is called out in the CHANGELOG as breaking, with what to do.
//!
//! ## Errors
//!
//! Every error is a `#[non_exhaustive]` enum whose variants carry the offending value and the
//! limit, with a stable machine-readable `code()` (such as `route.too_many_auto_bcc`) a REST layer
//! can return, and a message that says what to do. The README lists every code. Loading a
//! file (feature `json`) gives a `ConfigFileError` with the same code as the rule that
//! refused it, the path of the offending item, its line and column.
//!
//! ## Features
//!
//! - `serde` (default): serialize and deserialize every model type. Deserializing re-checks
//!   every rule, cross-object ones included, and refuses fields a shape does not have: no
//!   file can produce an invalid value, or lose a setting to a typo.
//! - `json` (default, with `serde`): loaders for JSON files
//!   ([`OrgEmailConfig::from_json`](config::OrgEmailConfig::from_json), [`DomainSetup::from_json`](dns::DomainSetup::from_json),
//!   [`ProviderProfile::from_json`](dns::ProviderProfile::from_json)) whose errors carry the rule's code, the path, the line
//!   and the column; see [the file format](config#the-file-format). Also the SES receipt
//!   notification reader, `inbound::InboundEmail::from_ses`.
//! - `lettre`: `OutboundEnvelope::to_lettre`, a reply as a `lettre::Message`.
//! - `testing`: the `testing` module, fixtures for a host's tests: the sample organization and SES
//!   setup, fixed times, a deterministic generator, proptest strategies.
//! - `zone` (default): `dns::InMemoryDns::from_zone` and `load_zone`, zone-file text into the
//!   in-memory DNS, read by the crate's own RFC 1035 reader (hickory-proto decodes the
//!   RFC 3597 generic form and TTL units); without it hickory is not built.
//! - `resolver`: `dns::HickoryLookup`, an async DNS lookup over hickory-resolver (tokio).
//! - `redis`: `acd::redis`, one ACD queue shared by a fleet of nodes, stored in Redis (the
//!   `redis` crate, tokio), with a blocking wrapper for hosts without an async runtime.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_debug_implementations)]
#![deny(missing_docs)]

pub mod acd;
mod address;
pub mod config;
pub mod conversation;
pub mod dns;
mod domain;
mod ids;
pub mod inbound;
mod limits;
mod macros;
mod mailbox;
mod message_id;
mod name;
pub mod outbound;
#[cfg(feature = "serde")]
mod refusal;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod text;
mod time;

pub use address::{
    AddressError, DisplayName, DisplayNameError, EmailAddress, MAX_ADDRESS_OCTETS,
    MAX_DISPLAY_NAME_CHARS, MAX_LOCAL_PART_OCTETS,
};
pub use domain::{Domain, DomainKind, HostedLabelError};
pub use ids::{
    AgentId, ConversationId, FlowId, IdError, Language, MAX_ID_CHARS, Priority, QueueId, Skill,
};
pub use limits::{Limits, LimitsBuilder, LimitsError};
pub use mailbox::{Mailbox, RecipientField, parse_mailbox_list};
pub use message_id::{MAX_MESSAGE_ID_OCTETS, MAX_REFERENCES, MessageId, MessageIdError};
pub use name::{
    DomainName, DomainNameError, MAX_LABEL_OCTETS, MAX_NAME_OCTETS, MIN_LABELS,
    SPECIAL_USE_SUFFIXES,
};
pub use time::{Timestamp, TimestampError};

/// The README's examples, compiled and run as doc-tests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
