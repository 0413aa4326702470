//! [`OrgEmailConfig`]: an organization's domains and addresses, and every rule that involves
//! more than one of them.

use std::collections::HashMap;

use crate::address::EmailAddress;
use crate::config::{AddressRoute, ConfigError, RoutingTarget};
use crate::domain::{Domain, DomainKind};
use crate::limits::Limits;
use crate::name::DomainName;

/// The characters that may separate a subaddress's detail from its base (RFC 5233): `atext`
/// symbols a mail system can give that meaning. `.` is not among them: it is part of
/// dot-atom structure.
pub const SUBADDRESS_SEPARATORS: &str = "+-=_#~";
/// How many offending items an error lists at most.
const EXAMPLES_IN_ERROR: usize = 5;

/// An organization's email configuration: the one place cross-object rules live.
///
/// It holds the platform's [`Limits`] for the organization (the anchor platform's with
/// [`new`](Self::new), a plan's own with [`with_limits`](Self::with_limits)), and every rule
/// below that names a number takes it from them; the defaults are in brackets. Rules
/// enforced on every change, and again on deserialization:
/// - at most [`max_domains`](Limits::max_domains) domains (2); custom domains at most the
///   organization's quota, which starts at
///   [`default_custom_domain_quota`](Limits::default_custom_domain_quota) (1) and may be set
///   between [`min_custom_domain_quota`](Limits::min_custom_domain_quota) (1) and
///   [`max_custom_domain_quota`](Limits::max_custom_domain_quota) (2), never below the custom
///   domains in use; no duplicate domains; no custom domain equal to, under or above the
///   hosted root; hosted subdomains exactly one label under it;
/// - at most [`max_addresses_per_domain`](Limits::max_addresses_per_domain) addresses per
///   domain (1000); an address only on one of the organization's domains and only once
///   (local part compared case-insensitively);
/// - a route copies at most [`max_auto_bcc`](Limits::max_auto_bcc) auto-BCC addresses (5)
///   and a queue route requires at most [`max_route_skills`](Limits::max_route_skills)
///   skills (32). A route on its own knows no plan, so these counts are checked here, when
///   a route is added or updated;
/// - every from address is an address configured in the organization;
/// - a domain with addresses, or an address some route sends from, cannot be removed.
///
/// ```
/// use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
/// use email_routing::*;
///
/// let root: DomainName = "mail.example.net".parse()?;
/// let mut org = OrgEmailConfig::new(root.clone());
/// org.add_domain(Domain::hosted("acme", &root)?)?;
/// org.add_domain(Domain::custom("support.customer.com".parse()?))?;
///
/// let help: EmailAddress = "help@support.customer.com".parse()?;
/// org.add_route(AddressRoute::new(help.clone(), DisplayName::new("Customer Help")?, RoutingTarget::OutboundOnly))?;
///
/// // Routing matches the local part case-insensitively.
/// let incoming: EmailAddress = "HELP@Support.Customer.com".parse()?;
/// assert_eq!(org.route_for(&incoming).map(|r| r.address()), Some(&help));
///
/// // A third domain is refused, with a code a REST layer can return.
/// let err = org.add_domain(Domain::custom("other.com".parse()?)).unwrap_err();
/// assert_eq!(err.code(), "org.too_many_domains");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(into = "super::file::StoredOrgEmailConfig"))]
pub struct OrgEmailConfig {
    pub(super) hosted_root: DomainName,
    pub(super) limits: Limits,
    pub(super) custom_domain_quota: usize,
    pub(super) domains: Vec<Domain>,
    pub(super) routes: Vec<AddressRoute>,
    pub(super) subaddress_separator: Option<char>,
    /// Lookup key (see [`EmailAddress::lookup_key`]) -> index in `routes`.
    index: HashMap<Box<str>, usize>,
}

impl OrgEmailConfig {
    /// An empty organization on the platform whose hosted subdomains live under `hosted_root`,
    /// with the anchor platform's limits ([`Limits::default`]).
    #[must_use]
    pub fn new(hosted_root: DomainName) -> Self {
        Self::with_limits(hosted_root, Limits::default())
    }

    /// An empty organization on the platform whose hosted subdomains live under `hosted_root`,
    /// held to `limits` (its plan). Its custom-domain quota starts at
    /// [`limits.default_custom_domain_quota()`](Limits::default_custom_domain_quota).
    ///
    /// ```
    /// use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
    /// use email_routing::*;
    /// let plan = Limits::builder().max_auto_bcc(1).build()?;
    /// let root: DomainName = "mail.example.net".parse()?;
    /// let mut org = OrgEmailConfig::with_limits(root.clone(), plan);
    /// org.add_domain(Domain::hosted("acme", &root)?)?;
    /// let help = AddressRoute::new(
    ///     "help@acme.mail.example.net".parse()?,
    ///     DisplayName::new("Help")?,
    ///     RoutingTarget::OutboundOnly,
    /// )
    /// .with_auto_bcc(["archive@customer.com".parse()?, "audit@customer.com".parse()?])?;
    /// let err = org.add_route(help).unwrap_err();
    /// assert_eq!(err.code(), "route.too_many_auto_bcc");
    /// assert!(err.to_string().contains("the limit is 1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_limits(hosted_root: DomainName, limits: Limits) -> Self {
        Self {
            hosted_root,
            limits,
            custom_domain_quota: limits.default_custom_domain_quota(),
            domains: Vec::new(),
            routes: Vec::new(),
            subaddress_separator: None,
            index: HashMap::new(),
        }
    }

    /// The platform's hosted root.
    #[must_use]
    pub fn hosted_root(&self) -> &DomainName {
        &self.hosted_root
    }

    /// The limits the organization is held to.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// How many custom domains the organization may have.
    #[must_use]
    pub fn custom_domain_quota(&self) -> usize {
        self.custom_domain_quota
    }

    /// The organization's domains, in the order they were added.
    #[must_use]
    pub fn domains(&self) -> &[Domain] {
        &self.domains
    }

    /// The domain named `name`, if configured.
    #[must_use]
    pub fn domain(&self, name: &DomainName) -> Option<&Domain> {
        self.domains.iter().find(|d| d.name() == name)
    }

    /// Every configured address route.
    #[must_use]
    pub fn routes(&self) -> &[AddressRoute] {
        &self.routes
    }

    /// The route for `address` (local part compared case-insensitively), in O(1).
    #[must_use]
    pub fn route_for(&self, address: &EmailAddress) -> Option<&AddressRoute> {
        self.index.get(address.lookup_key()).map(|&i| &self.routes[i])
    }

    /// The subaddress separator, if subaddressing is on (off by default).
    #[must_use]
    pub fn subaddress_separator(&self) -> Option<char> {
        self.subaddress_separator
    }

    /// Turns subaddressing (RFC 5233) on with `separator`, or off with `None`. When on, a
    /// received recipient such as `help+ticket-4711@support.customer.com` that is not itself
    /// configured reaches the route of its base address `help@support.customer.com`, and the
    /// dispatch reports the detail `ticket-4711` ([`MatchedAddress::detail`]). The local part
    /// is split at the first separator; a recipient with an empty base (`+x@...`) matches
    /// nothing. Configured addresses and outbound mail are unaffected: an address configured
    /// with the separator in it (`help+vip@...`) still matches exactly, first.
    ///
    /// [`MatchedAddress::detail`]: crate::inbound::MatchedAddress::detail
    ///
    /// # Errors
    /// `org.subaddress_separator_invalid` unless the separator is one of
    /// [`SUBADDRESS_SEPARATORS`].
    ///
    /// ```
    /// use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
    /// use email_routing::*;
    /// let root: DomainName = "mail.example.net".parse()?;
    /// let mut org = OrgEmailConfig::new(root);
    /// org.add_domain(Domain::custom("support.customer.com".parse()?))?;
    /// let help: EmailAddress = "help@support.customer.com".parse()?;
    /// org.add_route(AddressRoute::new(help.clone(), DisplayName::new("Help")?, RoutingTarget::OutboundOnly))?;
    /// let tagged: EmailAddress = "help+ticket-4711@support.customer.com".parse()?;
    /// assert!(org.route_for_recipient(&tagged).is_none());
    /// org.set_subaddress_separator(Some('+'))?;
    /// let (route, detail) = org.route_for_recipient(&tagged).unwrap();
    /// assert_eq!((route.address(), detail), (&help, Some("ticket-4711")));
    /// assert_eq!(org.set_subaddress_separator(Some('.')).unwrap_err().code(), "org.subaddress_separator_invalid");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_subaddress_separator(&mut self, separator: Option<char>) -> Result<(), ConfigError> {
        if let Some(separator) = separator.filter(|s| !SUBADDRESS_SEPARATORS.contains(*s)) {
            return Err(ConfigError::InvalidSubaddressSeparator {
                separator,
                allowed: SUBADDRESS_SEPARATORS,
            });
        }
        self.subaddress_separator = separator;
        Ok(())
    }

    /// The route a received recipient reaches, and the subaddress detail when it reached it
    /// through its base address (see [`set_subaddress_separator`](Self::set_subaddress_separator)).
    /// An exact match (local part compared case-insensitively) always wins. O(1); the base
    /// address is only built when the exact lookup misses and subaddressing is on.
    #[must_use]
    pub fn route_for_recipient<'a>(
        &self,
        recipient: &'a EmailAddress,
    ) -> Option<(&AddressRoute, Option<&'a str>)> {
        if let Some(route) = self.route_for(recipient) {
            return Some((route, None));
        }
        let separator = self.subaddress_separator?;
        let (base, detail) = recipient.local_part().split_once(separator)?;
        let base = EmailAddress::new(&format!("{base}@{}", recipient.domain())).ok()?;
        self.route_for(&base).map(|route| (route, Some(detail)))
    }

    /// How many custom domains are configured.
    fn custom_domain_count(&self) -> usize {
        self.domains.iter().filter(|d| d.is_custom()).count()
    }

    /// Sets the custom-domain quota: between the limits'
    /// [`min_custom_domain_quota`](Limits::min_custom_domain_quota) and
    /// [`max_custom_domain_quota`](Limits::max_custom_domain_quota), and never below the
    /// custom domains in use.
    ///
    /// # Errors
    /// `org.custom_domain_quota_out_of_range` (with the range in force),
    /// `org.custom_domain_quota_below_usage`.
    pub fn set_custom_domain_quota(&mut self, quota: usize) -> Result<(), ConfigError> {
        let (min, max) =
            (self.limits.min_custom_domain_quota(), self.limits.max_custom_domain_quota());
        if !(min..=max).contains(&quota) {
            return Err(ConfigError::CustomDomainQuotaOutOfRange { requested: quota, min, max });
        }
        let in_use = self.custom_domain_count();
        if quota < in_use {
            return Err(ConfigError::CustomDomainQuotaBelowUsage { requested: quota, in_use });
        }
        self.custom_domain_quota = quota;
        Ok(())
    }

    /// Adds a domain, checking the domain count, the quota, duplicates and the hosted root.
    ///
    /// # Errors
    /// `org.duplicate_domain`, `org.too_many_domains` (with the limit in force),
    /// `org.custom_domain_overlaps_hosted_root`, `org.too_many_custom_domains` (with the
    /// quota and the highest quota in force), `org.hosted_subdomain_outside_root`.
    pub fn add_domain(&mut self, domain: Domain) -> Result<(), ConfigError> {
        let name = domain.name();
        if self.domain(name).is_some() {
            return Err(ConfigError::DuplicateDomain { domain: name.to_string() });
        }
        let max = self.limits.max_domains();
        if self.domains.len() >= max {
            return Err(ConfigError::TooManyDomains {
                domain: name.to_string(),
                count: self.domains.len(),
                max,
            });
        }
        match domain.kind() {
            DomainKind::Custom => {
                let root = &self.hosted_root;
                if name.is_at_or_under(root) || root.is_subdomain_of(name) {
                    return Err(ConfigError::CustomDomainOverlapsHostedRoot {
                        domain: name.to_string(),
                        root: self.hosted_root.to_string(),
                    });
                }
                let count = self.custom_domain_count();
                if count >= self.custom_domain_quota {
                    return Err(ConfigError::TooManyCustomDomains {
                        domain: name.to_string(),
                        count,
                        quota: self.custom_domain_quota,
                        max: self.limits.max_custom_domain_quota(),
                    });
                }
            }
            DomainKind::HostedSubdomain => {
                if !name.is_child_of(&self.hosted_root) {
                    return Err(ConfigError::HostedSubdomainOutsideRoot {
                        domain: name.to_string(),
                        root: self.hosted_root.to_string(),
                    });
                }
            }
        }
        self.domains.push(domain);
        Ok(())
    }

    /// Removes a domain that has no addresses left.
    ///
    /// # Errors
    /// `org.unknown_domain`, `org.domain_in_use` (with up to five of its addresses).
    pub fn remove_domain(&mut self, name: &DomainName) -> Result<Domain, ConfigError> {
        let position = self
            .domains
            .iter()
            .position(|d| d.name() == name)
            .ok_or_else(|| ConfigError::UnknownDomain { domain: name.to_string() })?;
        let on_domain: Vec<&AddressRoute> =
            self.routes.iter().filter(|r| r.address().domain() == name.as_str()).collect();
        if !on_domain.is_empty() {
            return Err(ConfigError::DomainInUse {
                domain: name.to_string(),
                count: on_domain.len(),
                examples: on_domain
                    .iter()
                    .take(EXAMPLES_IN_ERROR)
                    .map(|r| r.address().to_string())
                    .collect(),
            });
        }
        Ok(self.domains.remove(position))
    }

    /// Adds an address route: its domain must be the organization's and have room, the address
    /// must be new, its auto-BCC and skills within the limits, and its from address must be
    /// configured (or be the address itself).
    ///
    /// # Errors
    /// `route.domain_not_in_org`, `route.duplicate_address`, `route.too_many_addresses`,
    /// `route.too_many_auto_bcc`, `route.too_many_skills` (each count with the limit in
    /// force), `route.from_address_not_configured`.
    pub fn add_route(&mut self, route: AddressRoute) -> Result<(), ConfigError> {
        self.check_route_placement(&route)?;
        if let Some(&i) = self.index.get(route.address().lookup_key()) {
            return Err(ConfigError::DuplicateAddress {
                address: route.address().to_string(),
                existing: self.routes[i].address().to_string(),
            });
        }
        let domain = route.address().domain();
        let count = self.routes.iter().filter(|r| r.address().domain() == domain).count();
        let max = self.limits.max_addresses_per_domain();
        if count >= max {
            return Err(ConfigError::TooManyAddresses {
                address: route.address().to_string(),
                domain: domain.to_owned(),
                count,
                max,
            });
        }
        self.check_route_limits(&route)?;
        self.check_from_address(&route)?;
        self.index.insert(route.address().lookup_key().into(), self.routes.len());
        self.routes.push(route);
        Ok(())
    }

    /// Replaces the route for the same address (local part compared case-insensitively). The
    /// new route's from address must be configured; if the address's spelling changes, routes
    /// sending from the old spelling keep working because matching ignores local-part case.
    /// Its auto-BCC and skills are held to the limits as when it was added.
    ///
    /// # Errors
    /// `route.unknown_address`, `route.too_many_auto_bcc`, `route.too_many_skills`,
    /// `route.from_address_not_configured`.
    pub fn update_route(&mut self, route: AddressRoute) -> Result<AddressRoute, ConfigError> {
        let i = *self
            .index
            .get(route.address().lookup_key())
            .ok_or_else(|| ConfigError::UnknownAddress { address: route.address().to_string() })?;
        self.check_route_limits(&route)?;
        self.check_from_address(&route)?;
        Ok(std::mem::replace(&mut self.routes[i], route))
    }

    /// Removes an address route, unless another route still sends from it.
    ///
    /// # Errors
    /// `route.unknown_address`, `route.address_in_use_as_from` (with up to five of the routes).
    pub fn remove_route(&mut self, address: &EmailAddress) -> Result<AddressRoute, ConfigError> {
        let key = address.lookup_key();
        let &i = self
            .index
            .get(key)
            .ok_or_else(|| ConfigError::UnknownAddress { address: address.to_string() })?;
        let used_by: Vec<String> = self
            .routes
            .iter()
            .enumerate()
            .filter(|&(j, r)| j != i && r.from_address().lookup_key() == key)
            .take(EXAMPLES_IN_ERROR)
            .map(|(_, r)| r.address().to_string())
            .collect();
        if !used_by.is_empty() {
            return Err(ConfigError::AddressInUseAsFrom { address: address.to_string(), used_by });
        }
        self.index.remove(key);
        let removed = self.routes.swap_remove(i);
        if let Some(moved) = self.routes.get(i) {
            self.index.insert(moved.address().lookup_key().into(), i);
        }
        Ok(removed)
    }

    /// The address must be on one of the organization's domains.
    fn check_route_placement(&self, route: &AddressRoute) -> Result<(), ConfigError> {
        let address = route.address();
        if self.domains.iter().any(|d| d.name().as_str() == address.domain()) {
            Ok(())
        } else {
            Err(ConfigError::AddressDomainNotInOrg {
                address: address.to_string(),
                domain: address.domain().to_owned(),
            })
        }
    }

    /// The route's counts must be within the limits: its auto-BCC addresses and, for a queue
    /// route, its skills.
    fn check_route_limits(&self, route: &AddressRoute) -> Result<(), ConfigError> {
        let (count, max) = (route.auto_bcc().len(), self.limits.max_auto_bcc());
        if count > max {
            return Err(ConfigError::TooManyAutoBcc {
                address: route.address().to_string(),
                count,
                max,
            });
        }
        if let RoutingTarget::Queue(queue) = route.routing() {
            let (count, max) = (queue.skills().len(), self.limits.max_route_skills());
            if count > max {
                return Err(ConfigError::TooManySkills {
                    address: route.address().to_string(),
                    count,
                    max,
                });
            }
        }
        Ok(())
    }

    /// The route's from address must be itself or another configured address.
    pub(super) fn check_from_address(&self, route: &AddressRoute) -> Result<(), ConfigError> {
        let from = route.from_address();
        if from.eq_ignore_local_case(route.address()) || self.route_for(from).is_some() {
            Ok(())
        } else {
            Err(ConfigError::FromAddressNotConfigured {
                address: route.address().to_string(),
                from_address: from.to_string(),
            })
        }
    }
}
