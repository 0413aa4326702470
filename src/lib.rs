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

pub use address::{AddressError, DisplayName, DisplayNameError, EmailAddress};
pub use config::{ConfigError, Domain, DomainKind};
pub use dns::{
    AsyncDnsLookup, DnsLookup, DnsSetupError, DomainCheck, DomainReport, DomainSetup, DomainStatus,
    InMemoryDns, ProviderProfile, RequiredRecord,
};
pub use ids::{FlowId, IdError, Language, Priority, QueueId, Skill};
pub use name::{DomainName, DomainNameError};
