//! The organization's email configuration: its domains, the addresses on them, and how mail to
//! each address is routed. [`OrgEmailConfig`] is the one place cross-object rules live.

mod domain;
mod error;

pub use domain::{Domain, DomainKind};
pub use error::ConfigError;
