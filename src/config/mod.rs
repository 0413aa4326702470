//! The organization's email configuration: its domains, the addresses on them, and how mail to
//! each address is routed.
//!
//! [`Domain`] and [`AddressRoute`] are valid on their own; [`OrgEmailConfig`] holds them together
//! and is the one place rules that involve more than one object live (domain counts and quota,
//! the hosted root, unique addresses, from addresses that must exist).

mod domain;
mod error;
#[cfg(feature = "serde")]
mod file;
#[cfg(feature = "json")]
mod load;
mod org;
mod route;

pub use domain::{Domain, DomainKind};
pub use error::ConfigError;
#[cfg(feature = "serde")]
pub use file::OrgEmailConfigSeed;
#[cfg(feature = "json")]
pub use load::ConfigFileError;
#[cfg(feature = "json")]
pub(crate) use load::load_json;
pub use org::{
    DEFAULT_CUSTOM_DOMAIN_QUOTA, MAX_ADDRESSES_PER_DOMAIN, MAX_CUSTOM_DOMAIN_QUOTA, MAX_DOMAINS,
    MIN_CUSTOM_DOMAIN_QUOTA, OrgEmailConfig,
};
pub use route::{
    AddressRoute, MAX_AUTO_BCC, MAX_ROUTE_SKILLS, QueueRoute, RoutingTarget, SpamPolicy,
};
