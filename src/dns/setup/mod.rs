//! [`DomainSetup`]: one domain's DNS setup, and the records it needs.
//!
//! A setup joins a [`Domain`], a [`ProviderProfile`] and the values the platform issued for the
//! domain (verification token, DKIM tokens or keys, an optional MAIL FROM name). Every rule is
//! checked as the setup is made, and the list of [`RequiredRecord`]s is computed then, so
//! reading it never fails. Hosted subdomains need no records from the admin: the platform
//! publishes them, and their setup lists none.

use std::collections::HashSet;
use std::hash::Hash;

use super::{
    DkimForm, DkimKey, DkimToken, DkimTokenError, DnsSetupError, DomainCheck, Necessity,
    ProviderProfile, Purpose, RecordName, RecordValue, RequiredRecord, VerificationToken,
};
use crate::config::OrgEmailConfig;
use crate::domain::{Domain, DomainKind};
use crate::name::DomainName;

#[cfg(feature = "serde")]
mod stored;

#[cfg(feature = "serde")]
pub use stored::DomainSetupSeed;

/// The DKIM material of a setup.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Dkim {
    None,
    Tokens(Vec<DkimToken>),
    Keys(Vec<DkimKey>),
}

/// One domain's DNS setup: what the admin must publish, and what [`DomainCheck`] verifies.
///
/// ```
/// use email_routing::dns::{DkimToken, DomainSetup, ProviderProfile, Purpose, VerificationToken};
/// let setup = DomainSetup::custom(
///     "support.customer.com".parse().unwrap(),
///     ProviderProfile::ses("us-east-1")?,
///     VerificationToken::new("pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=")?,
/// )?
/// .with_dkim_tokens([DkimToken::new("tok1")?, DkimToken::new("tok2")?, DkimToken::new("tok3")?])?
/// .with_mail_from("bounce.support.customer.com".parse().unwrap())?;
///
/// let purposes: Vec<Purpose> = setup.required_records().iter().map(|r| r.purpose()).collect();
/// assert_eq!(purposes.len(), 7);
/// assert_eq!(setup.required_records()[2].to_string(),
///     "tok1._domainkey.support.customer.com. 3600 IN CNAME tok1.dkim.amazonses.com.");
/// # Ok::<(), email_routing::dns::DnsSetupError>(())
/// ```
///
/// # Storing a setup (feature `serde`)
/// A custom domain's setup serializes to the values it was made from (`domain`, `profile`,
/// `verification_token`, `dkim_tokens` or `dkim_keys`, `mail_from`, `inbound_mx`). It is read
/// back with [`DomainSetup::deserialize_for`], a `DeserializeSeed` that carries the host's
/// provider profiles: the stored profile only names which of them to use (a file must not
/// choose the hosts its records point at), and the setup is made again through the same
/// constructor and `with_*` methods, so every rule is checked and the records are rebuilt
/// from the host's profile. A hosted subdomain's setup is written with `"hosted": true` but
/// not read back (`dns.hosted_setup_not_stored`): only the host's root says which names are
/// hosted, and such a setup lists no records anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainSetup {
    domain: Domain,
    profile: ProviderProfile,
    token: Option<VerificationToken>,
    dkim: Dkim,
    mail_from: Option<DomainName>,
    inbound_mx: bool,
    records: Vec<RequiredRecord>,
}

impl DomainSetup {
    /// The setup of `domain`. A custom domain needs the verification `token`; a hosted
    /// subdomain ignores it and lists no records.
    ///
    /// # Errors
    /// `dns.token_missing` for a custom domain without a token.
    pub fn new(
        domain: Domain,
        profile: ProviderProfile,
        token: Option<VerificationToken>,
    ) -> Result<Self, DnsSetupError> {
        let token = match domain.kind() {
            DomainKind::HostedSubdomain => None,
            _ => Some(
                token
                    .ok_or_else(|| DnsSetupError::TokenMissing { domain: domain.name().clone() })?,
            ),
        };
        Self {
            domain,
            profile,
            token,
            dkim: Dkim::None,
            mail_from: None,
            inbound_mx: true,
            records: Vec::new(),
        }
        .rebuilt()
    }

    /// The setup of a custom domain, verified with `token`.
    ///
    /// # Errors
    /// `dns.record_name_too_long` when a record name built from the domain (such as
    /// `_amazonses.<domain>`) is longer than DNS allows (255 octets).
    pub fn custom(
        name: DomainName,
        profile: ProviderProfile,
        token: VerificationToken,
    ) -> Result<Self, DnsSetupError> {
        Self::new(Domain::custom(name), profile, Some(token))
    }

    /// Adds Easy-DKIM style CNAME delegations, one per token. The profile must publish DKIM as
    /// CNAMEs, and exactly as many tokens as it issues must be given.
    ///
    /// # Errors
    /// `dns.dkim_hosted` for a hosted subdomain (the platform signs for it);
    /// `dns.dkim_unsupported` when the profile publishes no DKIM; `dns.dkim_form_mismatch` when
    /// it publishes TXT keys instead; `dns.too_few_dkim_tokens` / `dns.too_many_dkim_tokens`
    /// with the count the profile issues; `dns.duplicate_dkim_token`; `dns.record_name_too_long` when a record name built from the domain (such as
    /// `_amazonses.<domain>`) is longer than DNS allows (255 octets).
    pub fn with_dkim_tokens(
        mut self,
        tokens: impl IntoIterator<Item = DkimToken>,
    ) -> Result<Self, DnsSetupError> {
        let form = self.dkim_form()?;
        let DkimForm::Cname { count, .. } = form else {
            return Err(self.form_mismatch(form));
        };
        let tokens: Vec<DkimToken> = tokens.into_iter().collect();
        let expected = usize::from(count.get());
        if tokens.len() < expected {
            return Err(DnsSetupError::TooFewDkimTokens { count: tokens.len(), expected });
        }
        if tokens.len() > expected {
            return Err(DnsSetupError::TooManyDkimTokens { count: tokens.len(), expected });
        }
        if let Some(token) = first_duplicate(&tokens) {
            return Err(DnsSetupError::DuplicateDkimToken { token: token.clone() });
        }
        self.dkim = Dkim::Tokens(tokens);
        self.rebuilt()
    }

    /// Adds DKIM TXT keys, one per selector. The profile must publish DKIM as TXT keys.
    ///
    /// # Errors
    /// `dns.dkim_hosted`, `dns.dkim_unsupported` and `dns.dkim_form_mismatch` as for
    /// [`with_dkim_tokens`](Self::with_dkim_tokens); `dns.no_dkim_keys` for an empty list;
    /// `dns.duplicate_dkim_selector`; `dns.record_name_too_long` when a record name built from the domain (such as
    /// `_amazonses.<domain>`) is longer than DNS allows (255 octets).
    pub fn with_dkim_keys(
        mut self,
        keys: impl IntoIterator<Item = DkimKey>,
    ) -> Result<Self, DnsSetupError> {
        let form = self.dkim_form()?;
        if !matches!(form, DkimForm::TxtKey) {
            return Err(self.form_mismatch(form));
        }
        let keys: Vec<DkimKey> = keys.into_iter().collect();
        if keys.is_empty() {
            return Err(DnsSetupError::NoDkimKeys);
        }
        if let Some(selector) = first_duplicate(keys.iter().map(DkimKey::selector)) {
            return Err(DnsSetupError::DuplicateDkimSelector { selector: selector.to_owned() });
        }
        self.dkim = Dkim::Keys(keys);
        self.rebuilt()
    }

    /// Adds a custom MAIL FROM domain: a proper subdomain of a custom domain (label boundary,
    /// never the domain itself). Whether it clashes with a domain the organization receives
    /// mail on is checked by [`check_mail_from_against`](Self::check_mail_from_against).
    ///
    /// # Errors
    /// `dns.mail_from_hosted` for a hosted subdomain; `dns.mail_from_equals_domain` and
    /// `dns.mail_from_not_subdomain` when `mail_from` is not a proper subdomain;
    /// `dns.mail_from_unsupported` when the profile has no MAIL FROM records; `dns.record_name_too_long` when a record name built from the domain (such as
    /// `_amazonses.<domain>`) is longer than DNS allows (255 octets).
    pub fn with_mail_from(mut self, mail_from: DomainName) -> Result<Self, DnsSetupError> {
        let domain = self.domain.name();
        if !self.domain.is_custom() {
            return Err(DnsSetupError::MailFromHosted { domain: domain.clone() });
        }
        if &mail_from == domain {
            return Err(DnsSetupError::MailFromEqualsDomain { domain: domain.clone() });
        }
        if !mail_from.is_subdomain_of(domain) {
            return Err(DnsSetupError::MailFromNotSubdomain { mail_from, domain: domain.clone() });
        }
        if self.profile.mail_from().is_none() {
            return Err(DnsSetupError::MailFromUnsupported {
                profile: self.profile.name().to_owned(),
            });
        }
        self.mail_from = Some(mail_from);
        self.rebuilt()
    }

    /// Leaves out the inbound MX record: the organization keeps its own MX and forwards mail
    /// to a hosted address instead.
    #[must_use]
    pub fn without_inbound_mx(mut self) -> Self {
        self.inbound_mx = false;
        self.records.retain(|r| r.purpose() != Purpose::InboundMx);
        self
    }

    /// Checks the MAIL FROM domain against the domains the organization receives mail on: it
    /// must be none of them, because its MX points to the provider's feedback host. The
    /// organization's configuration calls this with its receiving domains.
    ///
    /// # Errors
    /// `dns.mail_from_receives` with the MAIL FROM domain when it is one of `receiving`.
    ///
    /// ```
    /// # use email_routing::dns::{DomainSetup, ProviderProfile, VerificationToken};
    /// # use email_routing::DomainName;
    /// let setup = DomainSetup::custom(
    ///     "customer.com".parse().unwrap(),
    ///     ProviderProfile::ses("us-east-1")?,
    ///     VerificationToken::new("token")?,
    /// )?
    /// .with_mail_from("mail.customer.com".parse().unwrap())?;
    /// let receiving: Vec<DomainName> =
    ///     vec!["customer.com".parse().unwrap(), "mail.customer.com".parse().unwrap()];
    /// let err = setup.check_mail_from_against(&receiving).unwrap_err();
    /// assert_eq!(err.code(), "dns.mail_from_receives");
    /// # Ok::<(), email_routing::dns::DnsSetupError>(())
    /// ```
    pub fn check_mail_from_against<'a>(
        &self,
        receiving: impl IntoIterator<Item = &'a DomainName>,
    ) -> Result<(), DnsSetupError> {
        let Some(mail_from) = &self.mail_from else {
            return Ok(());
        };
        if receiving.into_iter().any(|d| d == mail_from) {
            return Err(DnsSetupError::MailFromReceives { mail_from: mail_from.clone() });
        }
        Ok(())
    }

    /// Checks the setup against the organization it is for: its domain must be one of the
    /// organization's, of the same kind, and its MAIL FROM domain must not be a domain the
    /// organization receives mail on (a MAIL FROM domain's MX points at the feedback host, so
    /// mail to it would never arrive).
    ///
    /// # Errors
    /// `dns.domain_not_in_org` when the organization does not have the domain (or has it as
    /// another kind); `dns.mail_from_receives` from
    /// [`check_mail_from_against`](Self::check_mail_from_against).
    ///
    /// ```
    /// use email_routing::config::OrgEmailConfig;
    /// use email_routing::dns::DomainSetup;
    /// use email_routing::*;
    /// use email_routing::dns::{ProviderProfile, VerificationToken};
    /// let root: DomainName = "mail.example.net".parse()?;
    /// let mut org = OrgEmailConfig::new(root);
    /// org.set_custom_domain_quota(2)?;
    /// org.add_domain(Domain::custom("customer.com".parse()?))?;
    /// org.add_domain(Domain::custom("support.customer.com".parse()?))?;
    /// let setup = DomainSetup::custom("customer.com".parse()?, ProviderProfile::ses("us-east-1")?, VerificationToken::new("t0k3n")?)?
    ///     .with_mail_from("support.customer.com".parse()?)?;
    /// assert_eq!(setup.check_against(&org).unwrap_err().code(), "dns.mail_from_receives");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_against(&self, org: &OrgEmailConfig) -> Result<(), DnsSetupError> {
        if org.domain(self.name()) != Some(self.domain()) {
            return Err(DnsSetupError::DomainNotInOrg { domain: self.name().clone() });
        }
        self.check_mail_from_against(org.domains().iter().map(Domain::name))
    }

    /// The domain.
    #[must_use]
    pub fn domain(&self) -> &Domain {
        &self.domain
    }

    /// The domain's name.
    #[must_use]
    pub fn name(&self) -> &DomainName {
        self.domain.name()
    }

    /// The provider profile.
    #[must_use]
    pub fn profile(&self) -> &ProviderProfile {
        &self.profile
    }

    /// The verification token (none for a hosted subdomain).
    #[must_use]
    pub fn verification_token(&self) -> Option<&VerificationToken> {
        self.token.as_ref()
    }

    /// The custom MAIL FROM domain, if one is set.
    #[must_use]
    pub fn mail_from(&self) -> Option<&DomainName> {
        self.mail_from.as_ref()
    }

    /// Whether DKIM records are part of the setup.
    #[must_use]
    pub fn has_dkim(&self) -> bool {
        self.dkim != Dkim::None
    }

    /// Whether the inbound MX record is part of the setup.
    #[must_use]
    pub fn has_inbound_mx(&self) -> bool {
        self.inbound_mx
    }

    /// Whether the domain is a hosted subdomain (no records for the admin to publish).
    #[must_use]
    pub fn is_hosted(&self) -> bool {
        !self.domain.is_custom()
    }

    /// Every record the admin must publish, in a stable order: verification, inbound MX,
    /// DKIM, MAIL FROM MX, MAIL FROM SPF. Empty for a hosted subdomain.
    #[must_use]
    pub fn required_records(&self) -> &[RequiredRecord] {
        &self.records
    }

    /// The sans-I/O check of these records: the queries it needs, and their evaluation.
    #[must_use]
    pub fn check(&self) -> DomainCheck {
        DomainCheck::new(self)
    }

    /// The DKIM form of the profile, or why DKIM cannot be added.
    fn dkim_form(&self) -> Result<DkimForm, DnsSetupError> {
        if !self.domain.is_custom() {
            return Err(DnsSetupError::DkimHosted { domain: self.domain.name().clone() });
        }
        self.profile.dkim().cloned().ok_or_else(|| DnsSetupError::DkimUnsupported {
            profile: self.profile.name().to_owned(),
        })
    }

    fn form_mismatch(&self, form: DkimForm) -> DnsSetupError {
        DnsSetupError::DkimFormMismatch {
            profile: self.profile.name().to_owned(),
            expected: form.describe(),
        }
    }

    /// Recomputes the record list after a change; fails if a name would be invalid.
    fn rebuilt(mut self) -> Result<Self, DnsSetupError> {
        self.records = self.build_records()?;
        Ok(self)
    }

    fn build_records(&self) -> Result<Vec<RequiredRecord>, DnsSetupError> {
        let Some(token) = &self.token else {
            return Ok(Vec::new());
        };
        let domain = self.domain.name();
        let profile = &self.profile;
        let ttl = profile.ttl();
        let record = |name, value, purpose, necessity| {
            RequiredRecord::new(name, domain, value, purpose, necessity, ttl)
        };
        let mut records = vec![record(
            profile.verification_name(domain)?,
            RecordValue::Txt(token.as_str().to_owned()),
            Purpose::Verification,
            Necessity::Required,
        )];
        if self.inbound_mx {
            let mx = profile.inbound_mx();
            records.push(record(
                RecordName::of_domain(domain),
                RecordValue::Mx { preference: mx.preference(), exchange: mx.exchange().clone() },
                Purpose::InboundMx,
                Necessity::Required,
            ));
        }
        match (&self.dkim, profile.dkim()) {
            (Dkim::Tokens(tokens), Some(DkimForm::Cname { target_suffix, .. })) => {
                for t in tokens {
                    let target = DomainName::new(&format!("{t}.{target_suffix}"))
                        .map_err(|_| DkimTokenError::new(t.as_str()))?;
                    records.push(record(
                        RecordName::under(&format!("{t}._domainkey"), domain)?,
                        RecordValue::Cname(target),
                        Purpose::Dkim,
                        Necessity::Optional,
                    ));
                }
            }
            (Dkim::Keys(keys), _) => {
                for k in keys {
                    records.push(record(
                        RecordName::under(&format!("{}._domainkey", k.selector()), domain)?,
                        RecordValue::Txt(k.record_value()),
                        Purpose::Dkim,
                        Necessity::Optional,
                    ));
                }
            }
            _ => {}
        }
        if let (Some(mail_from), Some(format)) = (&self.mail_from, profile.mail_from()) {
            let mx = format.mx();
            records.push(record(
                RecordName::of_domain(mail_from),
                RecordValue::Mx { preference: mx.preference(), exchange: mx.exchange().clone() },
                Purpose::MailFromMx,
                Necessity::Optional,
            ));
            records.push(record(
                RecordName::of_domain(mail_from),
                RecordValue::Txt(format.spf_record().to_owned()),
                Purpose::MailFromSpf,
                Necessity::Optional,
            ));
        }
        Ok(records)
    }
}

/// The first item that repeats an earlier one.
fn first_duplicate<T: Eq + Hash + Copy>(items: impl IntoIterator<Item = T>) -> Option<T> {
    let mut seen = HashSet::new();
    items.into_iter().find(|item| !seen.insert(*item))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{DkimKeyType, SpfAll};

    fn ses() -> ProviderProfile {
        ProviderProfile::ses("us-east-1").unwrap()
    }

    fn token() -> VerificationToken {
        VerificationToken::new("tok").unwrap()
    }

    fn name(s: &str) -> DomainName {
        s.parse().unwrap()
    }

    fn dkim(ts: &[&str]) -> Vec<DkimToken> {
        ts.iter().map(|t| DkimToken::new(t).unwrap()).collect()
    }

    #[test]
    fn hosted_subdomains_need_no_records() {
        let domain = Domain::hosted("acme", &name("mail.example.net")).unwrap();
        let setup = DomainSetup::new(domain, ses(), None).unwrap();
        assert!(setup.required_records().is_empty());
        assert!(setup.check().queries().is_empty());
        let err = setup.clone().with_dkim_tokens(dkim(&["a", "b", "c"])).unwrap_err();
        assert_eq!(err.code(), "dns.dkim_hosted");
        let err = setup.with_mail_from(name("x.acme.mail.example.net")).unwrap_err();
        assert_eq!(err.code(), "dns.mail_from_hosted");
    }

    #[test]
    fn custom_domains_need_a_token() {
        let err = DomainSetup::new(Domain::custom(name("customer.com")), ses(), None).unwrap_err();
        assert_eq!(err.code(), "dns.token_missing");
    }

    #[test]
    fn mail_from_must_be_a_proper_subdomain() {
        let setup = DomainSetup::custom(name("support.customer.com"), ses(), token()).unwrap();
        let code = |n: &str| setup.clone().with_mail_from(name(n)).unwrap_err().code();
        assert_eq!(code("support.customer.com"), "dns.mail_from_equals_domain");
        assert_eq!(code("customer.com"), "dns.mail_from_not_subdomain");
        assert_eq!(code("badsupport.customer.com"), "dns.mail_from_not_subdomain");
        assert_eq!(code("bounce.other.com"), "dns.mail_from_not_subdomain");
        let ok = setup.with_mail_from(name("a.b.support.customer.com")).unwrap();
        assert!(ok.check_mail_from_against([&name("support.customer.com")]).is_ok());
        let err = ok.check_mail_from_against([&name("a.b.support.customer.com")]).unwrap_err();
        assert_eq!(err.code(), "dns.mail_from_receives");
    }

    #[test]
    fn dkim_tokens_follow_the_profile() {
        let setup = DomainSetup::custom(name("customer.com"), ses(), token()).unwrap();
        assert_eq!(
            setup.clone().with_dkim_tokens(dkim(&["a", "b"])).unwrap_err().code(),
            "dns.too_few_dkim_tokens"
        );
        assert_eq!(
            setup.clone().with_dkim_tokens(dkim(&["a", "b", "c", "d"])).unwrap_err(),
            DnsSetupError::TooManyDkimTokens { count: 4, expected: 3 }
        );
        assert_eq!(
            setup.clone().with_dkim_tokens(dkim(&["a", "b", "A"])).unwrap_err(),
            DnsSetupError::DuplicateDkimToken { token: DkimToken::new("a").unwrap() }
        );
        let key = DkimKey::new("s1", DkimKeyType::Rsa, "abc").unwrap();
        assert_eq!(
            setup.clone().with_dkim_keys([key.clone()]).unwrap_err().code(),
            "dns.dkim_form_mismatch"
        );

        let txt_profile = ProviderProfile::builder("Own keys")
            .verification_txt("_verify")
            .inbound_mx(10, "mx.example.net")
            .dkim(DkimForm::TxtKey)
            .mail_from(10, "fb.example.net", "spf.example.net", SpfAll::Fail)
            .build()
            .unwrap();
        let setup = DomainSetup::custom(name("customer.com"), txt_profile, token()).unwrap();
        assert_eq!(
            setup.clone().with_dkim_tokens(dkim(&["a"])).unwrap_err().code(),
            "dns.dkim_form_mismatch"
        );
        assert_eq!(setup.clone().with_dkim_keys([]).unwrap_err(), DnsSetupError::NoDkimKeys);
        let same_selector = DkimKey::new("S1", DkimKeyType::Ed25519, "xyz").unwrap();
        assert_eq!(
            setup.clone().with_dkim_keys([key.clone(), same_selector]).unwrap_err(),
            DnsSetupError::DuplicateDkimSelector { selector: "s1".to_owned() }
        );
        let setup =
            setup.with_dkim_keys([key]).unwrap().with_mail_from(name("fb.customer.com")).unwrap();
        let lines: Vec<String> = setup.required_records().iter().map(|r| r.to_string()).collect();
        assert_eq!(
            lines,
            [
                "_verify.customer.com. 3600 IN TXT \"tok\"",
                "customer.com. 3600 IN MX 10 mx.example.net.",
                "s1._domainkey.customer.com. 3600 IN TXT \"v=DKIM1; k=rsa; p=abc\"",
                "fb.customer.com. 3600 IN MX 10 fb.example.net.",
                "fb.customer.com. 3600 IN TXT \"v=spf1 include:spf.example.net -all\"",
            ]
        );
        let no_dkim = ProviderProfile::builder("No DKIM")
            .verification_txt("_verify")
            .inbound_mx(10, "mx.example.net")
            .build()
            .unwrap();
        let setup = DomainSetup::custom(name("customer.com"), no_dkim, token()).unwrap();
        assert_eq!(
            setup.clone().with_dkim_tokens(dkim(&["a"])).unwrap_err().code(),
            "dns.dkim_unsupported"
        );
        assert_eq!(
            setup.with_mail_from(name("b.customer.com")).unwrap_err().code(),
            "dns.mail_from_unsupported"
        );
    }

    #[test]
    fn hosts_are_relative_to_the_domain_or_a_zone() {
        let setup = DomainSetup::custom(name("support.customer.com"), ses(), token())
            .unwrap()
            .with_dkim_tokens(dkim(&["t1", "t2", "t3"]))
            .unwrap()
            .without_inbound_mx();
        let records = setup.required_records();
        assert_eq!(records.len(), 4);
        assert_eq!(records[1].host(), "t1._domainkey");
        assert_eq!(
            records[1].host_in_zone(&name("customer.com")).as_deref(),
            Some("t1._domainkey.support")
        );
        assert_eq!(records[1].host_in_zone(&name("other.com")), None);
    }

    #[test]
    fn long_names_are_refused_when_the_setup_is_made() {
        let long = format!(
            "{}.{}.{}.{}.com",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(50)
        );
        let err = DomainSetup::custom(name(&long), ses(), token()).unwrap_err();
        assert_eq!(err.code(), "dns.record_name_too_long");
    }
}
