//! [`Domain`] and [`DomainKind`]: a mail domain an organization has added. A value below both
//! the configuration (which holds an organization's domains) and DNS (which sets each up).

use std::fmt;

use crate::name::{DomainName, DomainNameError};

/// Why a hosted subdomain label was refused ([`Domain::hosted`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "hosted subdomain label {label:?} is not one valid DNS label: use letters, digits and inner hyphens, without dots"
)]
pub struct HostedLabelError {
    /// The offending label.
    label: String,
    /// What is wrong with the resulting name, if it failed to parse at all.
    #[source]
    source: Option<DomainNameError>,
}

impl HostedLabelError {
    /// A stable, machine-readable code: `domain.hosted_label_invalid`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        "domain.hosted_label_invalid"
    }

    /// The offending label.
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }
}

/// How a domain came to the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(
        rename_all = "snake_case",
        expecting = "a domain kind: \"hosted_subdomain\" or \"custom\""
    )
)]
#[non_exhaustive]
pub enum DomainKind {
    /// A subdomain the platform creates under its own hosted root (`acme.mail.example.net`).
    /// The platform publishes its records, so it is verified at once and needs nothing from
    /// the admin.
    HostedSubdomain,
    /// A domain the organization owns (`support.customer.com`). It must be verified through DNS
    /// before mail can be sent from it, and counts toward the custom-domain quota.
    Custom,
}

impl fmt::Display for DomainKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DomainKind::HostedSubdomain => "hosted subdomain",
            DomainKind::Custom => "custom domain",
        })
    }
}

/// A domain added to an organization: its name and its kind.
///
/// Hosted subdomains are made with [`Domain::hosted`], which checks that the name is exactly one
/// label under the hosted root; custom domains with [`Domain::custom`]. Whether a custom domain
/// clashes with the hosted root, or the quota allows it, is decided by
/// `OrgEmailConfig`, which knows the whole organization. For the same
/// reason a `Domain` is only read from a file as part of an organization
/// (`OrgEmailConfig::deserialize_for`), which checks
/// a hosted subdomain against the host's root.
///
/// ```
/// use email_routing::{Domain, DomainKind, DomainName};
/// let root: DomainName = "mail.example.net".parse().unwrap();
/// let hosted = Domain::hosted("acme", &root).unwrap();
/// assert_eq!(hosted.name().as_str(), "acme.mail.example.net");
/// assert_eq!(hosted.kind(), DomainKind::HostedSubdomain);
/// assert!(Domain::hosted("a.b", &root).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Domain {
    name: DomainName,
    kind: DomainKind,
}

impl Domain {
    /// A custom domain the organization owns.
    #[must_use]
    pub fn custom(name: DomainName) -> Self {
        Self { name, kind: DomainKind::Custom }
    }

    /// The hosted subdomain `label.root`. `label` must be one DNS label (Unicode allowed).
    ///
    /// # Errors
    /// `domain.hosted_label_invalid` when `label.root` is not a valid name or `label` is not
    /// exactly one label.
    pub fn hosted(label: &str, root: &DomainName) -> Result<Self, HostedLabelError> {
        let name = DomainName::new(&format!("{label}.{root}"))
            .map_err(|source| HostedLabelError { label: label.to_owned(), source: Some(source) })?;
        if !name.is_child_of(root) {
            return Err(HostedLabelError { label: label.to_owned(), source: None });
        }
        Ok(Self { name, kind: DomainKind::HostedSubdomain })
    }

    /// A domain as a file describes it; only an organization, which knows the hosted root,
    /// accepts it.
    #[cfg(feature = "serde")]
    pub(crate) fn from_parts(name: DomainName, kind: DomainKind) -> Self {
        Self { name, kind }
    }

    /// The domain's name.
    #[must_use]
    pub fn name(&self) -> &DomainName {
        &self.name
    }

    /// Hosted subdomain or custom domain.
    #[must_use]
    pub fn kind(&self) -> DomainKind {
        self.kind
    }

    /// Whether this is a custom domain.
    #[must_use]
    pub fn is_custom(&self) -> bool {
        self.kind == DomainKind::Custom
    }
}
