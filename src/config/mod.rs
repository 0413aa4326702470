//! The organization's email configuration: its domains, the addresses on them, and how mail to
//! each address is routed.
//!
//! [`Domain`](crate::Domain) and [`AddressRoute`] are valid on their own; [`OrgEmailConfig`] holds them together
//! and is the one place rules that involve more than one object live (domain counts and quota,
//! the hosted root, unique addresses, from addresses that must exist).
//!
//! # The file format
//!
//! An organization is kept as one JSON object, the form `OrgEmailConfig`'s `Serialize`
//! writes. A host loads it with [`OrgEmailConfig::from_json`] (feature `json`), or reads it
//! from another serde format with [`OrgEmailConfig::deserialize_for`]; both take the
//! platform's hosted root, which is the host's configuration and never the file's. Every
//! rule is checked on the way in, the same rules and codes as the methods, and a field the
//! format does not have is refused (`config_file.unknown_field`), never dropped: a misspelt
//! `"autobcc"` would otherwise lose the hidden archive copy.
//!
//! The organization:
//!
//! | field | value | |
//! |---|---|---|
//! | `hosted_root` | the platform's hosted root, written for reference | optional; if given, it must be the host's (`org.hosted_root_mismatch`) |
//! | `limits` | the organization's plan: an object of the [`Limits`](crate::Limits) fields, each optional | optional, default the anchor platform's; written only when they differ from it |
//! | `custom_domain_quota` | how many custom domains, within the limits (1 or 2 by default) | optional, default `limits.default_custom_domain_quota` (1) |
//! | `domains` | list of domains, at most `limits.max_domains` (2) | optional, default none |
//! | `routes` | list of address routes, at most `limits.max_addresses_per_domain` (1000) per domain | optional, default none |
//! | `subaddress_separator` | RFC 5233 subaddressing: one of `+ - = _ # ~`; `help+x@` then reaches the route of `help@` | optional, default off; written only when on |
//!
//! A domain: `name` (a domain name, stored as lowercase A-labels) and `kind`:
//! `"hosted_subdomain"` (exactly one label under the hosted root) or `"custom"`.
//!
//! An address route:
//!
//! | field | value | |
//! |---|---|---|
//! | `address` | the address customers write to, on one of the domains | required |
//! | `display_name` | the name replies are sent under | required |
//! | `from_address` | another configured address to send as (it may be listed later) | optional, default `address` |
//! | `reply_to` | where the customer's Reply goes | optional |
//! | `auto_bcc` | hidden copies on every reply: at most `limits.max_auto_bcc` (5), none twice, never `address` | optional, default none |
//! | `routing` | where clean mail goes, by `type` (below) | required |
//! | `spam` | what happens to suspected spam, by `action` (below) | optional, default `{"action": "disconnect"}` |
//! | `signature` | `{"text": ..., "html": ..., "mode": "always" \| "optional"}`: added below every reply (`always`), or when the agent asks (`optional`); `html` optional; each at most 10,000 characters | optional, default none; `mode` default `always` |
//! | `history` | `"include"`, `"exclude"` or `"optional"`: whether the customer's message is quoted below a reply | optional, default `include` |
//! | `acknowledge` | `true` to send one automatic acknowledgement (RFC 3834) when a customer starts a conversation | optional, default `false` |
//!
//! `routing`, by `type`:
//! - `{"type": "queue", "queue": ID}`, with optional `skills` (a list of ids, at most
//!   `limits.max_route_skills` (32), every one required of the agent), `language` (one the
//!   agent must speak) and `priority` (a whole number from -25000000 to 25000000, default 0);
//! - `{"type": "flow", "flow": ID}`;
//! - `{"type": "outbound_only"}`: the address only sends.
//!
//! `spam`, by `action`: `{"action": "disconnect"}` or
//! `{"action": "route_to_flow", "flow": ID}`. (A virus is always disconnected.)
//!
//! A field of another type or action (`"flow"` in a queue routing) is refused as unknown.
//! Ids (queues, flows, skills, languages) are 1 to 128 characters without controls.
//!
//! `limits` holds the numbers of the organization's plan, named as the
//! [`Limits`](crate::Limits) fields (`max_domains`, `max_auto_bcc`, `max_recipients`, …). A
//! field left out keeps the anchor platform's number, an unknown one is refused, and numbers
//! that cannot work together are refused with a `limits.*` code at the field to change. They
//! are read before every other rule, which is then held to them. Like `custom_domain_quota`,
//! they are the platform's record of the organization's plan: whoever may write the file may
//! change them.
//!
//! ```
//! # #[cfg(feature = "json")] {
//! use email_routing::config::OrgEmailConfig;
//! use email_routing::DomainName;
//!
//! let root: DomainName = "mail.example.net".parse()?;
//! let file = r#"{
//!   "limits": {"max_domains": 3, "max_custom_domain_quota": 3},
//!   "custom_domain_quota": 3,
//!   "domains": [
//!     {"name": "a.customer.com", "kind": "custom"},
//!     {"name": "b.customer.com", "kind": "custom"},
//!     {"name": "c.customer.com", "kind": "custom"}
//!   ]
//! }"#;
//! let org = OrgEmailConfig::from_json(file, &root)?;
//! assert_eq!((org.limits().max_domains(), org.limits().max_recipients()), (3, 50));
//!
//! let fewer = file.replace("\"max_domains\": 3", "\"max_domains\": 2");
//! let err = OrgEmailConfig::from_json(&fewer, &root).unwrap_err();
//! assert_eq!(err.code(), "limits.custom_domain_quota_above_max_domains");
//! assert_eq!(err.path(), "limits.max_custom_domain_quota");
//! assert_eq!((err.line(), err.column()), (2, 59));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A complete file, loaded as a host loads it:
//!
//! ```
//! # #[cfg(feature = "json")] {
//! use email_routing::config::{OrgEmailConfig, RoutingTarget, SpamPolicy};
//! use email_routing::DomainName;
//!
//! let file = r#"{
//!   "hosted_root": "mail.example.net",
//!   "custom_domain_quota": 2,
//!   "domains": [
//!     {"name": "acme.mail.example.net", "kind": "hosted_subdomain"},
//!     {"name": "support.customer.com", "kind": "custom"}
//!   ],
//!   "routes": [
//!     {
//!       "address": "help@support.customer.com",
//!       "display_name": "Customer Help",
//!       "reply_to": "replies@customer.com",
//!       "auto_bcc": ["archive@customer.com", "audit@customer.com"],
//!       "routing": {
//!         "type": "queue",
//!         "queue": "support",
//!         "skills": ["billing", "refunds"],
//!         "language": "en",
//!         "priority": 10
//!       },
//!       "spam": {"action": "route_to_flow", "flow": "spam-review"}
//!     },
//!     {
//!       "address": "sales@acme.mail.example.net",
//!       "display_name": "Acme Sales",
//!       "routing": {"type": "flow", "flow": "sales-bot"},
//!       "spam": {"action": "disconnect"}
//!     },
//!     {
//!       "address": "noreply@support.customer.com",
//!       "display_name": "Customer Help",
//!       "from_address": "help@support.customer.com",
//!       "routing": {"type": "outbound_only"}
//!     }
//!   ]
//! }"#;
//!
//! let root: DomainName = "mail.example.net".parse()?;
//! let org = OrgEmailConfig::from_json(file, &root)?;
//! assert_eq!((org.domains().len(), org.routes().len()), (2, 3));
//! let kinds: Vec<_> = org.routes().iter().map(|r| (r.routing(), r.spam_policy())).collect();
//! assert!(matches!(kinds[0], (RoutingTarget::Queue(_), SpamPolicy::RouteToFlow { .. })));
//! assert!(matches!(kinds[1], (RoutingTarget::Flow { .. }, SpamPolicy::Disconnect)));
//! assert!(matches!(kinds[2], (RoutingTarget::OutboundOnly, SpamPolicy::Disconnect)));
//! let RoutingTarget::Queue(queue) = org.routes()[0].routing() else { unreachable!() };
//! assert_eq!(queue.language().map(|l| l.as_str()), Some("en"));
//!
//! // What the organization writes is the same format, and loads back the same.
//! let written = serde_json::to_string_pretty(&org)?;
//! assert_eq!(OrgEmailConfig::from_json(&written, &root)?, org);
//!
//! // A misspelt field is refused where it is, never dropped.
//! let typo = file.replace("\"auto_bcc\"", "\"autobcc\"");
//! let err = OrgEmailConfig::from_json(&typo, &root).unwrap_err();
//! assert_eq!((err.code(), err.path()), ("config_file.unknown_field", "routes[0].autobcc"));
//! assert_eq!((err.line(), err.column()), (13, 15));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A refused file gives a [`ConfigFileError`]: the rule's code (or a `config_file.*` code for
//! what is not the format), the path of the item (`routes[0].autobcc`), its line and column,
//! and a message in the terms of the file. Stored DNS setups and provider profiles load the
//! same way: [`DomainSetup::from_json`](crate::dns::DomainSetup::from_json) and
//! [`ProviderProfile::from_json`](crate::dns::ProviderProfile::from_json).

mod error;
#[cfg(feature = "serde")]
mod file;
#[cfg(feature = "json")]
mod load;
mod org;
mod reply;
mod route;

pub use error::ConfigError;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub use file::OrgEmailConfigSeed;
#[cfg(feature = "json")]
#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
pub use load::ConfigFileError;
#[cfg(feature = "json")]
pub(crate) use load::load_json;
pub use org::{OrgEmailConfig, SUBADDRESS_SEPARATORS};
pub use reply::{HistoryMode, MAX_SIGNATURE_CHARS, Signature, SignatureError, SignatureMode};
pub use route::{AddressRoute, QueueRoute, RoutingTarget, SpamPolicy};

// What a file that breaks one of these rules is told (the rule's code and message).
#[cfg(feature = "serde")]
crate::refusal::rule_with_code!(SignatureError);
