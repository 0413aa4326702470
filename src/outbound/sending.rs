//! [`SendingDomains`]: how the host says which custom domains may send.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::BuildHasher;

use crate::dns::DomainStatus;
use crate::name::DomainName;

/// Which custom domains may send. Hosted subdomains always may; for custom domains
/// [`outbound::compose`](crate::outbound::compose) asks this.
///
/// Implemented for sets of verified [`DomainName`]s and for closures, so a host can answer from
/// whatever it keeps (for example `DomainStatus::can_send` from the DNS checks).
pub trait SendingDomains {
    /// Whether mail may be sent from `domain`.
    fn can_send(&self, domain: &DomainName) -> bool;
}

impl<S: BuildHasher> SendingDomains for HashSet<DomainName, S> {
    fn can_send(&self, domain: &DomainName) -> bool {
        self.contains(domain)
    }
}

impl SendingDomains for BTreeSet<DomainName> {
    fn can_send(&self, domain: &DomainName) -> bool {
        self.contains(domain)
    }
}

impl SendingDomains for [DomainName] {
    fn can_send(&self, domain: &DomainName) -> bool {
        self.contains(domain)
    }
}

/// The DNS checks' verdict: a domain may send once its status says so.
impl SendingDomains for DomainStatus {
    fn can_send(&self, domain: &DomainName) -> bool {
        self.domain() == domain && DomainStatus::can_send(self)
    }
}

impl SendingDomains for [DomainStatus] {
    fn can_send(&self, domain: &DomainName) -> bool {
        self.iter().any(|status| SendingDomains::can_send(status, domain))
    }
}

impl<S: BuildHasher> SendingDomains for HashMap<DomainName, DomainStatus, S> {
    fn can_send(&self, domain: &DomainName) -> bool {
        self.get(domain).is_some_and(DomainStatus::can_send)
    }
}

impl<F: Fn(&DomainName) -> bool> SendingDomains for F {
    fn can_send(&self, domain: &DomainName) -> bool {
        self(domain)
    }
}
