//! [`ConfigError`]: every reason an organization's email configuration refuses a change.

use crate::address::{AddressError, DisplayNameError};
use crate::ids::IdError;
use crate::name::DomainNameError;

/// Why a configuration change (or a deserialized configuration) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A hosted subdomain label is not exactly one valid DNS label.
    #[error("hosted subdomain label {label:?} is not one valid DNS label: use letters, digits and inner hyphens, without dots")]
    InvalidHostedLabel {
        /// The offending label.
        label: String,
        /// What is wrong with the resulting name, if it failed to parse at all.
        source: Option<DomainNameError>,
    },
    /// An address could not be parsed.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// A display name could not be parsed.
    #[error(transparent)]
    DisplayName(#[from] DisplayNameError),
    /// An identifier or priority could not be parsed.
    #[error(transparent)]
    Id(#[from] IdError),
    /// A domain name could not be parsed.
    #[error(transparent)]
    DomainName(#[from] DomainNameError),
}

impl ConfigError {
    /// A stable, machine-readable code for this error, e.g. `route.bcc_too_many`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidHostedLabel { .. } => "domain.invalid_hosted_label",
            Self::Address(e) => e.code(),
            Self::DisplayName(e) => e.code(),
            Self::Id(e) => e.code(),
            Self::DomainName(e) => e.code(),
        }
    }
}
