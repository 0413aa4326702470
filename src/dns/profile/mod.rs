//! [`ProviderProfile`]: everything provider-specific about the records an admin publishes.
//!
//! Where the verification TXT goes, the inbound MX host, the DKIM form, the MAIL FROM feedback
//! MX and the SPF mechanism all live in one value, so no provider format is ever written as a
//! literal anywhere else. [`ProviderProfile::ses`] gives Amazon SES's formats for a region;
//! [`ProviderProfile::builder`] makes any other provider's.

use std::num::NonZeroU8;

use super::{AwsRegionError, DnsSetupError, ProviderProfileError, RecordName, RecordNameError};
use crate::name::DomainName;

#[cfg(feature = "serde")]
mod stored;

/// An AWS region name such as `us-east-1`, `eu-west-2` or `us-gov-west-1`.
///
/// The shape is checked (a two-letter area, one or more word parts, a number), not membership
/// in today's list of regions, so new regions work without a new release.
///
/// ```
/// use email_routing::dns::AwsRegion;
/// assert_eq!(AwsRegion::new("eu-west-2")?.as_str(), "eu-west-2");
/// assert!(AwsRegion::new("us_east_1").is_err());
/// assert!(AwsRegion::new("inbound-smtp.us-east-1.amazonaws.com").is_err());
/// # Ok::<(), email_routing::dns::AwsRegionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct AwsRegion(Box<str>);

/// The longest region name accepted.
const MAX_REGION_BYTES: usize = 32;

impl AwsRegion {
    /// Validates a region name. ASCII case is folded.
    ///
    /// # Errors
    /// `dns.region_invalid` when the input does not have a region's shape.
    pub fn new(input: &str) -> Result<Self, AwsRegionError> {
        let region = input.to_ascii_lowercase();
        let invalid = || AwsRegionError::new(input);
        if region.len() > MAX_REGION_BYTES {
            return Err(invalid());
        }
        let parts: Vec<&str> = region.split('-').collect();
        let [area, words @ .., number] = parts.as_slice() else {
            return Err(invalid());
        };
        let is_word = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
        let area_ok = area.len() == 2 && is_word(area);
        let words_ok = !words.is_empty() && words.iter().all(is_word);
        let number_ok = (1..=2).contains(&number.len())
            && number.bytes().all(|b| b.is_ascii_digit())
            && !number.starts_with('0');
        if !(area_ok && words_ok && number_ok) {
            return Err(invalid());
        }
        Ok(Self(region.into_boxed_str()))
    }

    /// The region name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::macros::text_value_conversions!(AwsRegion, AwsRegionError);

/// An MX target: a preference and a host.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(
        deny_unknown_fields,
        expecting = "an MX target: an object with \"preference\" and \"host\""
    )
)]
pub struct MxTarget {
    preference: u16,
    exchange: DomainName,
}

impl MxTarget {
    /// An MX target: a mail exchanger and its preference (RFC 1035 3.3.9); lower preferences
    /// are tried first.
    #[must_use]
    pub fn new(preference: u16, exchange: DomainName) -> Self {
        Self { preference, exchange }
    }

    /// The preference (lower is tried first).
    #[must_use]
    pub fn preference(&self) -> u16 {
        self.preference
    }

    /// The mail exchanger (RFC 1035's `EXCHANGE`).
    #[must_use]
    pub fn exchange(&self) -> &DomainName {
        &self.exchange
    }
}

/// How a provider publishes DKIM.
///
/// Stored as `{"cname": {"target_suffix": …, "count": …}}` or `"txt_key"` (feature `serde`,
/// read from a self-describing format such as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", try_from = "stored::StoredDkimForm")
)]
#[non_exhaustive]
pub enum DkimForm {
    /// CNAME delegations `<token>._domainkey.<domain>` -> `<token>.<target_suffix>`; the
    /// provider holds the keys and rotates them (SES Easy DKIM: three tokens under
    /// `dkim.amazonses.com`).
    Cname {
        /// The suffix each token's target ends in.
        target_suffix: DomainName,
        /// How many tokens the provider issues.
        count: NonZeroU8,
    },
    /// TXT records `<selector>._domainkey.<domain>` holding `v=DKIM1; k=<type>; p=<key>`; the
    /// organization brings its own keys.
    TxtKey,
}

impl DkimForm {
    /// A short description for messages: "CNAME delegations (tokens)" or "TXT keys".
    #[must_use]
    pub fn describe(&self) -> &'static str {
        match self {
            Self::Cname { .. } => "CNAME delegations (DKIM tokens)",
            Self::TxtKey => "TXT keys (selectors and public keys)",
        }
    }
}

/// SPF's final `all` mechanism: what receivers do with mail from hosts not listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(
        rename_all = "snake_case",
        expecting = "an SPF all: \"soft_fail\", \"fail\" or \"neutral\""
    )
)]
pub enum SpfAll {
    /// `~all`: accept but mark (the SES recommendation).
    #[default]
    SoftFail,
    /// `-all`: reject.
    Fail,
    /// `?all`: no statement.
    Neutral,
}

impl SpfAll {
    /// The mechanism as written in the record.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SoftFail => "~all",
            Self::Fail => "-all",
            Self::Neutral => "?all",
        }
    }
}

/// The records a custom MAIL FROM domain needs: an MX to the feedback host and one SPF record.
///
/// Stored as `{"mx": {"preference", "exchange"}, "spf_include", "all"}` (feature `serde`); the
/// record is rebuilt from those.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(into = "stored::StoredMailFrom", from = "stored::StoredMailFrom")
)]
pub struct MailFromFormat {
    mx: MxTarget,
    spf_include: DomainName,
    all: SpfAll,
    spf_record: Box<str>,
}

impl MailFromFormat {
    fn new(mx: MxTarget, spf_include: DomainName, all: SpfAll) -> Self {
        let spf_record = format!("v=spf1 include:{spf_include} {}", all.as_str());
        Self { mx, spf_include, all, spf_record: spf_record.into_boxed_str() }
    }

    /// The feedback MX target.
    #[must_use]
    pub fn mx(&self) -> &MxTarget {
        &self.mx
    }

    /// The SPF mechanism the record must contain, e.g. `include:amazonses.com`.
    #[must_use]
    pub fn spf_mechanism(&self) -> String {
        format!("include:{}", self.spf_include)
    }

    /// The domain of the SPF `include:` mechanism.
    #[must_use]
    pub fn spf_include(&self) -> &DomainName {
        &self.spf_include
    }

    /// The record's final `all` mechanism.
    #[must_use]
    pub fn all(&self) -> SpfAll {
        self.all
    }

    /// The whole SPF record to publish, e.g. `v=spf1 include:amazonses.com ~all`.
    #[must_use]
    pub fn spf_record(&self) -> &str {
        &self.spf_record
    }
}

/// The TTL suggested for every record unless a profile sets another.
pub const DEFAULT_TTL: u32 = 3600;

/// Everything provider-specific about the DNS records of a mail domain.
///
/// ```
/// use email_routing::dns::ProviderProfile;
/// let ses = ProviderProfile::ses("us-east-1")?;
/// assert_eq!(ses.inbound_mx().exchange().as_str(), "inbound-smtp.us-east-1.amazonaws.com");
/// assert_eq!(ses.inbound_mx().preference(), 10);
/// assert_eq!(ses.mail_from().unwrap().spf_record(), "v=spf1 include:amazonses.com ~all");
///
/// let other = ProviderProfile::builder("Example Mail")
///     .verification_txt("_example-verify")
///     .inbound_mx(5, "mx.mail.example.net")
///     .build()?;
/// assert!(other.dkim().is_none());
/// # Ok::<(), email_routing::dns::DnsSetupError>(())
/// ```
///
/// With the `serde` feature a profile is stored field by field (`name`,
/// `verification_prefix`, `inbound_mx`, `dkim`, `mail_from`, `ttl`) and read back through
/// [`ProviderProfile::builder`], so a stored profile is checked again as it is read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "stored::StoredProviderProfile"))]
pub struct ProviderProfile {
    name: Box<str>,
    verification_prefix: Box<str>,
    inbound_mx: MxTarget,
    dkim: Option<DkimForm>,
    mail_from: Option<MailFromFormat>,
    ttl: u32,
}

impl ProviderProfile {
    /// Amazon SES in `region`: verification TXT at `_amazonses.<domain>`; inbound MX
    /// `10 inbound-smtp.<region>.amazonaws.com`; Easy DKIM as three CNAMEs to
    /// `<token>.dkim.amazonses.com`; MAIL FROM MX `10 feedback-smtp.<region>.amazonses.com` and
    /// SPF `v=spf1 include:amazonses.com ~all`.
    ///
    /// # Errors
    /// `dns.region_invalid` ([`DnsSetupError::Region`]) when `region` does not have a
    /// region's shape.
    pub fn ses(region: &str) -> Result<Self, DnsSetupError> {
        Ok(Self::ses_in(&AwsRegion::new(region)?)?)
    }

    /// [`ProviderProfile::ses`] for an already validated region.
    ///
    /// # Errors
    /// None in practice: SES's hosts are valid names for every valid region. The
    /// [`ProviderProfileError`] is [`ProviderProfileBuilder::build`]'s.
    pub fn ses_in(region: &AwsRegion) -> Result<Self, ProviderProfileError> {
        const SES_DKIM_TOKENS: NonZeroU8 = NonZeroU8::new(3).expect("3 is not zero");
        Self::builder(&format!("Amazon SES ({region})"))
            .verification_txt("_amazonses")
            .inbound_mx(10, &format!("inbound-smtp.{region}.amazonaws.com"))
            .dkim(DkimForm::Cname {
                target_suffix: host("dkim.amazonses.com")?,
                count: SES_DKIM_TOKENS,
            })
            .mail_from(
                10,
                &format!("feedback-smtp.{region}.amazonses.com"),
                "amazonses.com",
                SpfAll::SoftFail,
            )
            .build()
    }

    /// A builder for another provider's profile.
    #[must_use]
    pub fn builder(name: &str) -> ProviderProfileBuilder {
        ProviderProfileBuilder {
            name: name.to_owned(),
            verification_prefix: None,
            inbound_mx: None,
            dkim: None,
            mail_from: None,
            ttl: DEFAULT_TTL,
        }
    }

    /// The profile's name, for messages.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The labels the verification TXT record sits under, e.g. `_amazonses`.
    #[must_use]
    pub fn verification_prefix(&self) -> &str {
        &self.verification_prefix
    }

    /// Where the verification TXT record for `domain` goes.
    ///
    /// # Errors
    /// `dns.record_name_too_long` when the prefix and `domain` together pass 253 octets.
    pub fn verification_name(&self, domain: &DomainName) -> Result<RecordName, RecordNameError> {
        RecordName::under(&self.verification_prefix, domain)
    }

    /// The inbound MX target.
    #[must_use]
    pub fn inbound_mx(&self) -> &MxTarget {
        &self.inbound_mx
    }

    /// How DKIM is published, if the provider signs.
    #[must_use]
    pub fn dkim(&self) -> Option<&DkimForm> {
        self.dkim.as_ref()
    }

    /// The custom MAIL FROM records, if the provider supports them.
    #[must_use]
    pub fn mail_from(&self) -> Option<&MailFromFormat> {
        self.mail_from.as_ref()
    }

    /// The TTL suggested for each record, in seconds.
    #[must_use]
    pub fn ttl(&self) -> u32 {
        self.ttl
    }
}

/// Builds a [`ProviderProfile`]; every value is checked in [`build`](Self::build).
#[derive(Debug, Clone)]
pub struct ProviderProfileBuilder {
    name: String,
    verification_prefix: Option<String>,
    inbound_mx: Option<(u16, String)>,
    dkim: Option<DkimForm>,
    mail_from: Option<(u16, String, String, SpfAll)>,
    ttl: u32,
}

impl ProviderProfileBuilder {
    /// The verification TXT record goes at `<prefix>.<domain>` (required).
    #[must_use]
    pub fn verification_txt(mut self, prefix: &str) -> Self {
        self.verification_prefix = Some(prefix.to_owned());
        self
    }

    /// The inbound MX target (required).
    #[must_use]
    pub fn inbound_mx(mut self, preference: u16, host: &str) -> Self {
        self.inbound_mx = Some((preference, host.to_owned()));
        self
    }

    /// How DKIM is published (optional: without it, DKIM cannot be set up).
    #[must_use]
    pub fn dkim(mut self, form: DkimForm) -> Self {
        self.dkim = Some(form);
        self
    }

    /// The custom MAIL FROM records: MX `preference host`, and SPF
    /// `v=spf1 include:<spf_include> <all>` (optional: without it, MAIL FROM cannot be set up).
    #[must_use]
    pub fn mail_from(
        mut self,
        preference: u16,
        host: &str,
        spf_include: &str,
        all: SpfAll,
    ) -> Self {
        self.mail_from = Some((preference, host.to_owned(), spf_include.to_owned(), all));
        self
    }

    /// The TTL suggested for each record, in seconds (default [`DEFAULT_TTL`]).
    #[must_use]
    pub fn ttl(mut self, seconds: u32) -> Self {
        self.ttl = seconds;
        self
    }

    /// Checks every part and makes the profile.
    ///
    /// # Errors
    /// `dns.profile_incomplete` without a name, a verification prefix or an inbound MX; a
    /// record name's `dns.record_name_*` for a prefix that does not make one; for a host that
    /// is not a valid domain name, the domain name's own `domain.*` code
    /// ([`ProviderProfileError::HostInvalid`]).
    pub fn build(self) -> Result<ProviderProfile, ProviderProfileError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(ProviderProfileError::Incomplete { missing: "name" });
        }
        let prefix = self
            .verification_prefix
            .ok_or(ProviderProfileError::Incomplete { missing: "verification TXT prefix" })?;
        // A prefix is checked by placing it under a short valid domain.
        let probe = DomainName::from_normalized("example.com".to_owned());
        RecordName::under(&prefix, &probe)?;
        let (preference, inbound) =
            self.inbound_mx.ok_or(ProviderProfileError::Incomplete { missing: "inbound MX" })?;
        let inbound_mx = MxTarget::new(preference, host(&inbound)?);
        let mail_from = match self.mail_from {
            None => None,
            Some((preference, feedback, include, all)) => Some(MailFromFormat::new(
                MxTarget::new(preference, host(&feedback)?),
                host(&include)?,
                all,
            )),
        };
        Ok(ProviderProfile {
            name: name.into(),
            verification_prefix: prefix.to_ascii_lowercase().into_boxed_str(),
            inbound_mx,
            dkim: self.dkim,
            mail_from,
            ttl: self.ttl,
        })
    }
}

/// A provider host name, validated as a domain name.
fn host(input: &str) -> Result<DomainName, ProviderProfileError> {
    DomainName::new(input)
        .map_err(|error| ProviderProfileError::HostInvalid { host: input.to_owned(), error })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_shapes() {
        for ok in ["us-east-1", "US-EAST-1", "ap-southeast-2", "us-gov-west-1", "il-central-1"] {
            assert!(AwsRegion::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "us",
            "us-1",
            "useast-1",
            "us-east-01",
            "us-east-",
            "-east-1",
            "us-ea st-1",
            "us-east-1.evil.com",
            "us-east-100",
            "u-east-1",
        ] {
            let err = AwsRegion::new(bad).unwrap_err();
            assert_eq!(err.code(), "dns.region_invalid", "{bad}");
        }
    }

    #[test]
    fn ses_profile_formats() {
        let p = ProviderProfile::ses("eu-west-1").unwrap();
        assert_eq!(p.verification_prefix(), "_amazonses");
        assert_eq!(p.inbound_mx().exchange().as_str(), "inbound-smtp.eu-west-1.amazonaws.com");
        let mf = p.mail_from().unwrap();
        assert_eq!(mf.mx().exchange().as_str(), "feedback-smtp.eu-west-1.amazonses.com");
        assert_eq!(mf.mx().preference(), 10);
        assert_eq!(mf.spf_mechanism(), "include:amazonses.com");
        match p.dkim().unwrap() {
            DkimForm::Cname { target_suffix, count } => {
                assert_eq!(target_suffix.as_str(), "dkim.amazonses.com");
                assert_eq!(count.get(), 3);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn builder_requires_the_basics() {
        let err = ProviderProfile::builder("x").inbound_mx(10, "mx.example.com").build();
        assert_eq!(err.unwrap_err().code(), "dns.profile_incomplete");
        let err = ProviderProfile::builder("x").verification_txt("_v").build();
        assert_eq!(err.unwrap_err().code(), "dns.profile_incomplete");
        let err = ProviderProfile::builder("x")
            .verification_txt("bad prefix")
            .inbound_mx(10, "mx.example.com")
            .build();
        assert_eq!(err.unwrap_err().code(), "dns.record_name_invalid");
        let err = ProviderProfile::builder("x")
            .verification_txt("_v")
            .inbound_mx(10, "not a host")
            .build();
        let err = err.unwrap_err();
        assert_eq!(err.code(), "domain.invalid_character");
        assert!(
            matches!(&err, ProviderProfileError::HostInvalid { host, .. } if host == "not a host")
        );
        // The message says what is wrong once: no source repeats it in an error chain.
        assert!(err.to_string().starts_with("provider host \"not a host\""), "{err}");
        assert!(std::error::Error::source(&err).is_none());
    }
}
