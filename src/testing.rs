//! Fixtures for tests (feature `testing`): the crate's own tests, benches and fuzz targets use
//! them, and a host's test harness can too.
//!
//! - [`sample_org`]: the organization every example speaks of — the hosted root
//!   `mail.example.net`, the hosted subdomain `acme`, the custom domain
//!   `support.customer.com`, and three addresses: `help@` (a queue with the billing skill,
//!   English, priority 10; spam to the `spam-review` flow), `sales@` (the `sales-bot` flow)
//!   and `noreply@acme.mail.example.net` (outbound only).
//! - [`ses_setup`]: the full Amazon SES setup of `support.customer.com` (verification, inbound
//!   MX, three DKIM CNAMEs, MAIL FROM `bounce.support.customer.com`).
//! - [`at`], [`address`], [`domain`]: times after a fixed instant, and values from literals.
//! - [`Xorshift`]: a small deterministic generator, so benches and simulations repeat.
//! - [`strategies`]: proptest strategies for domain names, addresses and display names.
//!
//! These are fixtures: the helpers that take text panic on text that does not parse, as a
//! test should.

use crate::config::{AddressRoute, OrgEmailConfig, QueueRoute, RoutingTarget, SpamPolicy};
use crate::dns::{DkimToken, DomainSetup, ProviderProfile, VerificationToken};
use crate::domain::Domain;
use crate::ids::{FlowId, Language, Priority, QueueId, Skill};
use crate::{DisplayName, DomainName, EmailAddress, Timestamp};

/// The platform's hosted root in every fixture.
pub const HOSTED_ROOT: &str = "mail.example.net";
/// The fixtures' "now": 2026-05-28T20:26:40Z, in milliseconds since the Unix epoch.
pub const T0_MILLIS: i64 = 1_780_000_000_000;
/// The verification token SES issued in the fixtures.
pub const SES_TOKEN: &str = "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=";

/// [`T0_MILLIS`] plus `offset_ms` (negative goes back).
///
/// # Panics
/// When the result lies outside [`Timestamp`]'s range.
#[must_use]
pub fn at(offset_ms: i64) -> Timestamp {
    match Timestamp::from_unix_millis(T0_MILLIS + offset_ms) {
        Ok(t) => t,
        Err(e) => panic!("fixture time out of range: {e}"),
    }
}

/// The address `text`.
///
/// # Panics
/// When `text` is not a valid address.
#[must_use]
pub fn address(text: &str) -> EmailAddress {
    EmailAddress::new(text).unwrap_or_else(|e| panic!("fixture address {text:?}: {e}"))
}

/// The domain name `text`.
///
/// # Panics
/// When `text` is not a valid domain name.
#[must_use]
pub fn domain(text: &str) -> DomainName {
    DomainName::new(text).unwrap_or_else(|e| panic!("fixture domain {text:?}: {e}"))
}

/// The hosted root, [`HOSTED_ROOT`].
#[must_use]
pub fn hosted_root() -> DomainName {
    domain(HOSTED_ROOT)
}

/// The organization of the examples; see the [module docs](self).
///
/// # Panics
/// Never, unless the crate's own rules change under the fixture.
#[must_use]
pub fn sample_org() -> OrgEmailConfig {
    fn build() -> Result<OrgEmailConfig, Box<dyn std::error::Error>> {
        let root = hosted_root();
        let mut org = OrgEmailConfig::new(root.clone());
        org.add_domain(Domain::hosted("acme", &root)?)?;
        org.add_domain(Domain::custom(domain("support.customer.com")))?;
        let queue = QueueRoute::new(QueueId::new("support")?)
            .with_skills([Skill::new("billing")?])
            .with_language(Language::new("en")?)
            .with_priority(Priority::new(10)?);
        org.add_route(
            AddressRoute::new(
                address("help@support.customer.com"),
                DisplayName::new("Customer Help")?,
                RoutingTarget::Queue(queue),
            )
            .with_spam_policy(SpamPolicy::RouteToFlow { flow: FlowId::new("spam-review")? }),
        )?;
        org.add_route(AddressRoute::new(
            address("sales@support.customer.com"),
            DisplayName::new("Sales")?,
            RoutingTarget::Flow { flow: FlowId::new("sales-bot")? },
        ))?;
        org.add_route(AddressRoute::new(
            address("noreply@acme.mail.example.net"),
            DisplayName::new("Acme")?,
            RoutingTarget::OutboundOnly,
        ))?;
        Ok(org)
    }
    build().unwrap_or_else(|e| panic!("the sample organization no longer builds: {e}"))
}

/// The full SES setup of `support.customer.com`; see the [module docs](self).
///
/// # Panics
/// Never, unless the crate's own rules change under the fixture.
#[must_use]
pub fn ses_setup() -> DomainSetup {
    fn build() -> Result<DomainSetup, Box<dyn std::error::Error>> {
        let tokens = ["tok1", "tok2", "tok3"].map(DkimToken::new);
        let [a, b, c] = tokens;
        Ok(DomainSetup::custom(
            domain("support.customer.com"),
            ProviderProfile::ses("us-east-1")?,
            VerificationToken::new(SES_TOKEN)?,
        )?
        .with_dkim_tokens([a?, b?, c?])?
        .with_mail_from(domain("bounce.support.customer.com"))?)
    }
    build().unwrap_or_else(|e| panic!("the SES setup no longer builds: {e}"))
}

/// A small deterministic generator (xorshift64), so benches and simulations repeat run after
/// run. Not for anything that needs unpredictability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Xorshift(u64);

impl Xorshift {
    /// A generator started from `seed` (0 is replaced by a fixed non-zero seed).
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (`n` > 0; slightly biased, which fixtures do not mind).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// proptest strategies for the crate's values (text that may or may not be valid, weighted
/// to the forms real input takes).
pub mod strategies {
    use proptest::prelude::*;

    /// One DNS label: lowercase and mixed-case ASCII, and a few internationalized ones.
    pub fn label() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9]{0,8}",
            "[A-Z][a-zA-Z0-9-]{0,6}[a-z0-9]",
            Just("bücher".to_owned()),
            Just("例え".to_owned()),
            Just("ÉCOLE".to_owned()),
        ]
    }

    /// A domain name of one to three labels and a common top-level domain.
    pub fn domain_text() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(label(), 1..4),
            prop_oneof![Just("com"), Just("de"), Just("jp"), Just("org")],
        )
            .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
    }

    /// A local part: dot-atoms with `atext` symbols, and Unicode ones.
    pub fn local_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,12}(\\.[a-zA-Z0-9_+-]{1,8}){0,2}",
            "[a-z]{1,4}(é|ü|用户|ß|Ω)[a-z]{0,4}",
        ]
    }

    /// An address: a local part, `@`, a domain.
    pub fn address_text() -> impl Strategy<Value = String> {
        (local_text(), domain_text()).prop_map(|(l, d)| format!("{l}@{d}"))
    }

    /// A display name: printable ASCII, Unicode, or text that looks like encoded words.
    pub fn display_name_text() -> impl Strategy<Value = String> {
        prop_oneof!["\\PC{1,40}", "[ -~]{1,40}", "[a-z ]{0,5}=\\?[A-Za-z0-9?=_-]{0,12}"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_build() {
        let org = sample_org();
        assert_eq!(org.routes().len(), 3);
        assert_eq!(ses_setup().required_records().len(), 7);
        assert_eq!(at(1).unix_millis(), T0_MILLIS + 1);
        let mut a = Xorshift::new(0);
        let mut b = Xorshift::new(0);
        assert_eq!(a.next_u64(), b.next_u64());
        assert!(a.below(10) < 10);
    }
}
