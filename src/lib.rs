//! stub
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod acd;
mod address;
mod config;
pub mod dns;
mod ids;
mod name;
mod text;

pub use acd::{AcdError, AcdQueue, Agent, Requirements, Score, Timestamp};
pub use address::{AddressError, DisplayName, DisplayNameError, EmailAddress};
pub use config::{ConfigError, Domain, DomainKind};
pub use ids::{FlowId, IdError, Language, Priority, QueueId, Skill};
pub use name::{DomainName, DomainNameError};
