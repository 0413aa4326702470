//! [`ConfigError`]: every reason an organization's email configuration refuses a change.

use crate::address::{AddressError, DisplayNameError};
use crate::ids::IdError;
use crate::name::DomainNameError;

/// Why a configuration change (or a deserialized configuration) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A hosted subdomain label is not exactly one valid DNS label.
    #[error(transparent)]
    InvalidHostedLabel(#[from] crate::domain::HostedLabelError),
    /// The organization already has the most domains allowed.
    #[error(
        "the organization already has {count} domains; the limit is {max}: remove a domain before adding {domain:?}"
    )]
    TooManyDomains {
        /// The domain that was being added.
        domain: String,
        /// Domains the organization has.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// Adding the custom domain would exceed the custom-domain quota.
    #[error(
        "the organization already has {count} custom domain(s) and its quota is {quota}: raise the quota (at most {max}) or remove a custom domain before adding {domain:?}"
    )]
    TooManyCustomDomains {
        /// The domain that was being added.
        domain: String,
        /// Custom domains the organization has.
        count: usize,
        /// The organization's quota.
        quota: usize,
        /// The highest quota that can be set.
        max: usize,
    },
    /// The requested custom-domain quota is outside the range the limits allow.
    #[error(
        "a custom-domain quota of {requested} is not allowed; it must be between {min} and {max}"
    )]
    CustomDomainQuotaOutOfRange {
        /// The requested quota.
        requested: usize,
        /// Lowest allowed quota.
        min: usize,
        /// Highest allowed quota.
        max: usize,
    },
    /// The subaddress separator is not one character that a local part may hold and that
    /// cannot be confused with its structure.
    #[error(
        "{separator:?} cannot separate subaddresses: use one of {allowed} (\"+\" is the common choice, RFC 5233)"
    )]
    InvalidSubaddressSeparator {
        /// The offending separator.
        separator: char,
        /// The separators allowed.
        allowed: &'static str,
    },
    /// The requested quota is below the custom domains already configured.
    #[error(
        "a custom-domain quota of {requested} is below the {in_use} custom domain(s) configured: remove custom domains first"
    )]
    CustomDomainQuotaBelowUsage {
        /// The requested quota.
        requested: usize,
        /// Custom domains the organization has.
        in_use: usize,
    },
    /// A custom domain equals the hosted root, lies under it, or lies above it (the platform's
    /// own domain).
    #[error(
        "{domain:?} overlaps the platform's hosted root {root:?} (it is the root, under it, or above it): add a hosted subdomain instead, or use a domain the organization owns"
    )]
    CustomDomainOverlapsHostedRoot {
        /// The offending domain.
        domain: String,
        /// The hosted root.
        root: String,
    },
    /// A file names a hosted root other than the host's.
    #[error(
        "the file names the hosted root {in_file:?}, but this platform's is {host:?}: the hosted root is the platform's configuration, remove it from the file or load the file on the right platform"
    )]
    HostedRootMismatch {
        /// The root the file names.
        in_file: String,
        /// The host's root.
        host: String,
    },
    /// A hosted subdomain is not exactly one label under the hosted root.
    #[error(
        "hosted subdomain {domain:?} is not one label under the hosted root {root:?}: create it with Domain::hosted"
    )]
    HostedSubdomainOutsideRoot {
        /// The offending domain.
        domain: String,
        /// The hosted root.
        root: String,
    },
    /// The domain is already configured.
    #[error("{domain:?} is already configured: each domain can be added once")]
    DuplicateDomain {
        /// The offending domain.
        domain: String,
    },
    /// The domain is not one of the organization's.
    #[error("{domain:?} is not one of the organization's domains: add the domain first")]
    UnknownDomain {
        /// The offending domain.
        domain: String,
    },
    /// The domain still has addresses.
    #[error(
        "{domain:?} still has {count} address(es), for example {examples:?}: remove them before the domain"
    )]
    DomainInUse {
        /// The domain that was being removed.
        domain: String,
        /// How many addresses it still has.
        count: usize,
        /// Up to five of them.
        examples: Vec<String>,
    },
    /// The address's domain is not one of the organization's.
    #[error(
        "{address:?} is on {domain:?}, which is not one of the organization's domains: add the domain first or use an address on one of them"
    )]
    AddressDomainNotInOrg {
        /// The offending address.
        address: String,
        /// Its domain.
        domain: String,
    },
    /// The domain already has the most addresses allowed.
    #[error(
        "{domain:?} already has {count} addresses; the limit is {max}: remove an address before adding {address:?}"
    )]
    TooManyAddresses {
        /// The address that was being added.
        address: String,
        /// Its domain.
        domain: String,
        /// Addresses the domain has.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The address (local part compared case-insensitively) is already configured.
    #[error("{address:?} is already configured as {existing:?}: update that route instead")]
    DuplicateAddress {
        /// The address that was being added.
        address: String,
        /// The configured address it collides with.
        existing: String,
    },
    /// The address is not configured.
    #[error("{address:?} is not a configured address: add it first")]
    UnknownAddress {
        /// The offending address.
        address: String,
    },
    /// A route's from address is not configured in the organization.
    #[error(
        "the from address {from_address:?} of {address:?} is not configured in the organization: add it as an address first, or send from {address:?} itself"
    )]
    FromAddressNotConfigured {
        /// The route's address.
        address: String,
        /// Its from address.
        from_address: String,
    },
    /// The address is still some route's from address.
    #[error(
        "{address:?} is the from address of {used_by:?}: change their from address before removing it"
    )]
    AddressInUseAsFrom {
        /// The address that was being removed.
        address: String,
        /// Routes that send from it.
        used_by: Vec<String>,
    },
    /// Too many auto-BCC addresses on one route.
    #[error("{address:?} has {count} auto-BCC addresses; the limit is {max}: remove {excess}", excess = count.saturating_sub(*max))]
    TooManyAutoBcc {
        /// The route's address.
        address: String,
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The same auto-BCC mailbox twice.
    #[error("auto-BCC {address:?} is listed twice: list each address once")]
    DuplicateAutoBcc {
        /// The repeated address.
        address: String,
    },
    /// The route's own address as its auto-BCC.
    #[error(
        "auto-BCC {address:?} is the route's own address: a route cannot copy itself, remove it"
    )]
    AutoBccIsSelf {
        /// The offending address.
        address: String,
    },
    /// Too many skills on a queue route.
    #[error(
        "{address:?} routes to a queue requiring {count} skills; the limit is {max}: require fewer skills"
    )]
    TooManySkills {
        /// The route's address.
        address: String,
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
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
    /// A stable, machine-readable code for this error, e.g. `route.too_many_auto_bcc`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidHostedLabel(e) => e.code(),
            Self::TooManyDomains { .. } => "org.too_many_domains",
            Self::TooManyCustomDomains { .. } => "org.too_many_custom_domains",
            Self::CustomDomainQuotaOutOfRange { .. } => "org.custom_domain_quota_out_of_range",
            Self::CustomDomainQuotaBelowUsage { .. } => "org.custom_domain_quota_below_usage",
            Self::InvalidSubaddressSeparator { .. } => "org.subaddress_separator_invalid",
            Self::CustomDomainOverlapsHostedRoot { .. } => "org.custom_domain_overlaps_hosted_root",
            Self::HostedRootMismatch { .. } => "org.hosted_root_mismatch",
            Self::HostedSubdomainOutsideRoot { .. } => "org.hosted_subdomain_outside_root",
            Self::DuplicateDomain { .. } => "org.duplicate_domain",
            Self::UnknownDomain { .. } => "org.unknown_domain",
            Self::DomainInUse { .. } => "org.domain_in_use",
            Self::AddressDomainNotInOrg { .. } => "route.domain_not_in_org",
            Self::TooManyAddresses { .. } => "route.too_many_addresses",
            Self::DuplicateAddress { .. } => "route.duplicate_address",
            Self::UnknownAddress { .. } => "route.unknown_address",
            Self::FromAddressNotConfigured { .. } => "route.from_address_not_configured",
            Self::AddressInUseAsFrom { .. } => "route.address_in_use_as_from",
            Self::TooManyAutoBcc { .. } => "route.too_many_auto_bcc",
            Self::DuplicateAutoBcc { .. } => "route.duplicate_auto_bcc",
            Self::AutoBccIsSelf { .. } => "route.auto_bcc_is_self",
            Self::TooManySkills { .. } => "route.too_many_skills",
            Self::Address(e) => e.code(),
            Self::DisplayName(e) => e.code(),
            Self::Id(e) => e.code(),
            Self::DomainName(e) => e.code(),
        }
    }
}

#[cfg(feature = "serde")]
impl crate::refusal::Rule for ConfigError {
    fn rule_code(&self) -> &'static str {
        self.code()
    }

    /// Rules met while reading an organization's file speak of its fields, not of the methods
    /// (`add_domain`, `update_route`) the same rules guard in code.
    fn file_message(&self) -> Option<String> {
        Some(match self {
            Self::HostedSubdomainOutsideRoot { domain, root } => format!(
                "{domain:?} has kind \"hosted_subdomain\" but is not one label under the hosted root {root:?}: name it <label>.{root}, or give it kind \"custom\" if the organization owns it"
            ),
            Self::TooManyDomains { domain, max, .. } => format!(
                "\"domains\" lists more than {max}; the limit is {max}: remove {domain:?} or another domain"
            ),
            Self::TooManyCustomDomains { domain, count, quota, max } => format!(
                "{domain:?} would be custom domain number {}, but \"custom_domain_quota\" is {quota}: raise \"custom_domain_quota\" (at most {max}) or remove a custom domain from \"domains\"",
                count.saturating_add(1)
            ),
            Self::CustomDomainQuotaOutOfRange { requested, min, max } => format!(
                "\"custom_domain_quota\" is {requested}; it must be between {min} and {max}"
            ),
            Self::CustomDomainOverlapsHostedRoot { domain, root } => format!(
                "custom domain {domain:?} overlaps the platform's hosted root {root:?} (it is the root, under it, or above it): list a domain the organization owns, or a hosted subdomain (kind \"hosted_subdomain\", one label under the root)"
            ),
            Self::DuplicateDomain { domain } => {
                format!("{domain:?} is listed twice in \"domains\": list each domain once")
            }
            Self::AddressDomainNotInOrg { address, domain } => format!(
                "{address:?} is on {domain:?}, which is not one of the organization's domains: add {domain:?} to \"domains\", or use an address on one of them"
            ),
            Self::TooManyAddresses { address, domain, max, .. } => format!(
                "\"routes\" has more than {max} addresses on {domain:?}; the limit is {max}: remove {address:?} or another address on that domain"
            ),
            Self::DuplicateAddress { address, existing } => format!(
                "{address:?} is already configured as {existing:?} (local parts compare without case): list each address once in \"routes\""
            ),
            Self::FromAddressNotConfigured { address, from_address } => format!(
                "the \"from_address\" {from_address:?} of {address:?} is not configured in \"routes\": add a route for it, or leave \"from_address\" out to send from {address:?} itself"
            ),
            _ => return None,
        })
    }
}
