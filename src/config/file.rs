//! Reading and writing an [`OrgEmailConfig`] with serde.
//!
//! Writing is plain `Serialize`. Reading needs one thing a file must not decide: the platform's
//! hosted root, which is the host's configuration (a file that named its own root could call
//! any domain "hosted" and send from it unverified). So an organization is read through
//! [`OrgEmailConfig::deserialize_for`], a [`DeserializeSeed`] that carries the host's root, and
//! is rebuilt through the same methods every change goes through: no file can produce an
//! invalid organization.

use serde::de::{DeserializeSeed, Deserializer, Error as _};
use serde::{Deserialize, Serialize};

use super::{AddressRoute, ConfigError, OrgEmailConfig};
use crate::domain::{Domain, DomainKind};
use crate::limits::Limits;
use crate::name::DomainName;
use crate::refusal::{Refusal, Step};

/// The unchecked shape of an organization in a file.
#[derive(Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an organization: an object with \"domains\" and \"routes\""
)]
pub(super) struct StoredOrgEmailConfig {
    /// Written for reference; when read, it must match the host's root if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hosted_root: Option<DomainName>,
    /// The organization's plan; written only when it is not the anchor platform's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limits: Option<Limits>,
    /// Left out: the limits' default quota.
    #[serde(default)]
    custom_domain_quota: Option<usize>,
    #[serde(default)]
    domains: Vec<StoredDomain>,
    #[serde(default)]
    routes: Vec<AddressRoute>,
    /// RFC 5233 subaddressing: the separator, when on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subaddress_separator: Option<char>,
}

/// The unchecked shape of a [`Domain`] in a file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a domain: an object with \"name\" and \"kind\"")]
struct StoredDomain {
    name: DomainName,
    kind: DomainKind,
}

/// Reads an [`OrgEmailConfig`] for the platform whose hosted subdomains live under one root.
/// Made by [`OrgEmailConfig::deserialize_for`].
#[derive(Debug, Clone, Copy)]
pub struct OrgEmailConfigSeed<'a> {
    hosted_root: &'a DomainName,
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl OrgEmailConfig {
    /// A [`DeserializeSeed`] that reads an organization for the platform whose hosted root is
    /// `hosted_root`, re-checking every rule. A `hosted_root` in the file must match it
    /// (`org.hosted_root_mismatch` otherwise).
    ///
    /// ```
    /// use email_routing::config::OrgEmailConfig;
    /// use email_routing::DomainName;
    /// use serde::de::DeserializeSeed;
    ///
    /// let root: DomainName = "mail.example.net".parse()?;
    /// let json = r#"{"domains": [{"name": "acme.mail.example.net", "kind": "hosted_subdomain"}]}"#;
    /// let org = OrgEmailConfig::deserialize_for(&root)
    ///     .deserialize(&mut serde_json::Deserializer::from_str(json))?;
    /// assert_eq!(org.domains().len(), 1);
    ///
    /// // A file cannot make another root's names hosted.
    /// let forged = r#"{"hosted_root": "paypal.com",
    ///     "domains": [{"name": "security.paypal.com", "kind": "hosted_subdomain"}]}"#;
    /// let err = OrgEmailConfig::deserialize_for(&root)
    ///     .deserialize(&mut serde_json::Deserializer::from_str(forged))
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("hosted root"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn deserialize_for(hosted_root: &DomainName) -> OrgEmailConfigSeed<'_> {
        OrgEmailConfigSeed { hosted_root }
    }

    /// Rebuilds the organization through the same methods every change goes through. From
    /// addresses are checked after every route is in, so routes may send from addresses listed
    /// later in the file. A refusal names the item it is about (`domains[2]`,
    /// `routes[0].from_address`).
    fn from_file(file: StoredOrgEmailConfig, hosted_root: &DomainName) -> Result<Self, Refusal> {
        if let Some(named) = file.hosted_root.filter(|named| named != hosted_root) {
            let error = ConfigError::HostedRootMismatch {
                in_file: named.to_string(),
                host: hosted_root.to_string(),
            };
            return Err(Refusal::new(error, [Step::field("hosted_root")]));
        }
        let limits = file.limits.unwrap_or_default();
        let mut org = OrgEmailConfig::with_limits(hosted_root.clone(), limits);
        if let Some(quota) = file.custom_domain_quota {
            org.set_custom_domain_quota(quota)
                .map_err(|error| Refusal::new(error, [Step::field("custom_domain_quota")]))?;
        }
        org.set_subaddress_separator(file.subaddress_separator)
            .map_err(|error| Refusal::new(error, [Step::field("subaddress_separator")]))?;
        for (i, domain) in file.domains.into_iter().enumerate() {
            org.add_domain(Domain::from_parts(domain.name, domain.kind)).map_err(|error| {
                let field: &[&str] = match error {
                    ConfigError::TooManyDomains { .. }
                    | ConfigError::TooManyCustomDomains { .. } => &[],
                    _ => &["name"],
                };
                Refusal::new(error, item("domains", i, field))
            })?;
        }
        let mut pending_from = Vec::with_capacity(file.routes.len());
        for (i, route) in file.routes.into_iter().enumerate() {
            let sends_as = route.from_address().clone();
            let self_sending = route.clone().with_from_address(route.address().clone());
            pending_from.push(sends_as);
            org.add_route(self_sending).map_err(|error| {
                let field: &[&str] = match error {
                    ConfigError::TooManyAddresses { .. } => &[],
                    ConfigError::TooManyAutoBcc { .. } => &["auto_bcc"],
                    ConfigError::TooManySkills { .. } => &["routing", "skills"],
                    _ => &["address"],
                };
                Refusal::new(error, item("routes", i, field))
            })?;
        }
        for (i, from) in pending_from.into_iter().enumerate() {
            let route = org.routes[i].clone().with_from_address(from);
            org.check_from_address(&route)
                .map_err(|error| Refusal::new(error, item("routes", i, &["from_address"])))?;
            org.routes[i] = route;
        }
        Ok(org)
    }
}

/// The path to item `index` of the list `list`, or to a field below it.
fn item(list: &str, index: usize, fields: &[&str]) -> Vec<Step> {
    [Step::field(list), Step::Index(index)]
        .into_iter()
        .chain(fields.iter().map(|f| Step::field(f)))
        .collect()
}

#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
#[cfg(feature = "json")]
impl OrgEmailConfig {
    /// Loads an organization from a JSON file for the platform whose hosted root is
    /// `hosted_root`: the file format of the [`config`](crate::config#the-file-format) module,
    /// held to every rule, with nothing after the value. A `hosted_root` in the file must
    /// match the host's.
    ///
    /// # Errors
    ///
    /// A [`ConfigFileError`](crate::config::ConfigFileError) with the code of the rule that refused
    /// the file (the same code the methods give: `org.too_many_domains`,
    /// `route.too_many_auto_bcc`, `address.at_sign_missing`, `limits.out_of_range`, …) or a
    /// `config_file.*` code for what is not the format (an unknown field, a missing one, a
    /// wrong type, broken JSON), the path
    /// of the offending item (`routes[3].auto_bcc`), its line and column, and a message in
    /// the terms of the file.
    ///
    /// ```
    /// use email_routing::config::OrgEmailConfig;
    /// use email_routing::DomainName;
    ///
    /// let root: DomainName = "mail.example.net".parse()?;
    /// let text = r#"{
    ///   "domains": [
    ///     {"name": "acme.mail.example.net", "kind": "hosted_subdomain"},
    ///     {"name": "support.customer.com", "kind": "custom"},
    ///     {"name": "sales.customer.com", "kind": "custom"}
    ///   ]
    /// }"#;
    /// let err = OrgEmailConfig::from_json(text, &root).unwrap_err();
    /// assert_eq!(err.code(), "org.too_many_domains");
    /// assert_eq!(err.path(), "domains[2]");
    /// assert_eq!((err.line(), err.column()), (5, 5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_json(
        text: &str,
        hosted_root: &DomainName,
    ) -> Result<Self, crate::config::ConfigFileError> {
        super::load_json(text, Self::deserialize_for(hosted_root))
    }
}

impl<'de> DeserializeSeed<'de> for OrgEmailConfigSeed<'_> {
    type Value = OrgEmailConfig;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<OrgEmailConfig, D::Error> {
        let file = StoredOrgEmailConfig::deserialize(deserializer)?;
        OrgEmailConfig::from_file(file, self.hosted_root).map_err(D::Error::custom)
    }
}

impl From<OrgEmailConfig> for StoredOrgEmailConfig {
    fn from(org: OrgEmailConfig) -> Self {
        Self {
            hosted_root: Some(org.hosted_root),
            limits: Some(org.limits).filter(|limits| *limits != Limits::default()),
            custom_domain_quota: Some(org.custom_domain_quota),
            domains: org
                .domains
                .into_iter()
                .map(|d| StoredDomain { name: d.name().clone(), kind: d.kind() })
                .collect(),
            routes: org.routes,
            subaddress_separator: org.subaddress_separator,
        }
    }
}
