//! [`DnsSetupError`]: why a provider profile, a token, or a domain's DNS setup was refused.
//!
//! Setup values are checked once, when they are made; a [`DomainSetup`](super::DomainSetup)
//! that exists can always render its records. Failures of DNS lookups are not errors of this
//! kind: they are [`LookupFailure`](super::LookupFailure)s inside a report.

use super::DkimToken;
use crate::name::{DomainName, DomainNameError};

/// Why an AWS region name was refused ([`AwsRegion::new`](super::AwsRegion::new)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{region:?} is not a region name: give one such as us-east-1 or eu-west-2")]
pub struct AwsRegionError {
    region: String,
}

impl AwsRegionError {
    pub(crate) fn new(region: &str) -> Self {
        Self { region: region.to_owned() }
    }

    /// The offending input.
    #[must_use]
    pub fn region(&self) -> &str {
        &self.region
    }

    /// A stable, machine-readable code: `dns.region_invalid`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        "dns.region_invalid"
    }
}

/// Why a verification token was refused
/// ([`VerificationToken::new`](super::VerificationToken::new)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerificationTokenError {
    /// The token is empty.
    #[error("the verification token is empty: copy the token the platform issued")]
    Empty,
    /// The token is longer than the limit.
    #[error("the verification token is {len} bytes long; the limit is {max}: copy only the token")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The token contains a character a token never has.
    #[error(
        "the verification token {token:?} contains {character}, which a token never has: copy the token exactly, without quotes or spaces"
    )]
    InvalidCharacter {
        /// The offending token.
        token: String,
        /// The offending character, made visible.
        character: String,
    },
}

impl VerificationTokenError {
    /// A stable, machine-readable code, e.g. `dns.token_too_long`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "dns.token_empty",
            Self::TooLong { .. } => "dns.token_too_long",
            Self::InvalidCharacter { .. } => "dns.token_invalid",
        }
    }
}

/// Why a DKIM token was refused ([`DkimToken::new`](super::DkimToken::new)): it is not one DNS
/// label of letters, digits and inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "DKIM token {token:?} is not a DNS label (1 to {max} letters, digits or inner hyphens): copy the token exactly"
)]
pub struct DkimTokenError {
    token: String,
    max: usize,
}

impl DkimTokenError {
    pub(crate) fn new(token: &str) -> Self {
        Self { token: token.to_owned(), max: crate::name::MAX_LABEL_OCTETS }
    }

    /// The offending token.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The longest label allowed, in octets.
    #[must_use]
    pub fn max(&self) -> usize {
        self.max
    }

    /// A stable, machine-readable code: `dns.dkim_token_invalid`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        "dns.dkim_token_invalid"
    }
}

/// Why a DKIM public key was refused ([`DkimKey::new`](super::DkimKey::new)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DkimKeyError {
    /// The selector is not one or more DNS labels.
    #[error(
        "DKIM selector {selector:?} is not a DNS name: use labels of letters, digits, hyphens and underscores separated by single dots"
    )]
    SelectorInvalid {
        /// The offending selector.
        selector: String,
    },
    /// The key contains a character outside base64.
    #[error(
        "the DKIM public key for selector {selector:?} contains {character}, which is not base64: paste only the key data after p="
    )]
    InvalidCharacter {
        /// The key's selector.
        selector: String,
        /// The offending character, made visible.
        character: String,
    },
    /// The key is empty (or only white space).
    #[error("the DKIM public key for selector {selector:?} is empty: paste the key data after p=")]
    Empty {
        /// The key's selector.
        selector: String,
    },
    /// The key is longer than the limit.
    #[error(
        "the DKIM public key for selector {selector:?} is {len} characters long; the limit is {max}: paste the key and nothing else"
    )]
    TooLong {
        /// The key's selector.
        selector: String,
        /// Its length in characters, without white space.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl DkimKeyError {
    /// A stable, machine-readable code, e.g. `dns.dkim_key_invalid`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::SelectorInvalid { .. } => "dns.dkim_selector_invalid",
            Self::InvalidCharacter { .. } => "dns.dkim_key_invalid",
            Self::Empty { .. } => "dns.dkim_key_empty",
            Self::TooLong { .. } => "dns.dkim_key_too_long",
        }
    }
}

/// Why a record name was refused ([`RecordName::new`](super::RecordName::new),
/// [`RecordName::under`](super::RecordName::under)), or a name prefix that would make one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordNameError {
    /// The name (or name prefix) is not a valid DNS owner name.
    #[error(
        "{name:?} is not a valid DNS record name: use labels of letters, digits, hyphens and underscores separated by single dots"
    )]
    Invalid {
        /// The offending name.
        name: String,
    },
    /// The name would be longer than DNS allows.
    #[error(
        "record name {name:?} is {len} octets long; the limit is {max}: use a shorter domain or token"
    )]
    TooLong {
        /// The offending name.
        name: String,
        /// Its length in octets.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl RecordNameError {
    /// A stable, machine-readable code, e.g. `dns.record_name_too_long`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "dns.record_name_invalid",
            Self::TooLong { .. } => "dns.record_name_too_long",
        }
    }
}

/// Why a provider profile was refused
/// ([`ProviderProfileBuilder::build`](super::ProviderProfileBuilder::build)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderProfileError {
    /// A part every profile needs is missing.
    #[error("the provider profile has no {missing}: set it on the builder")]
    Incomplete {
        /// The missing part.
        missing: &'static str,
    },
    /// The verification TXT prefix does not make a record name.
    #[error(transparent)]
    RecordName(#[from] RecordNameError),
    /// A host name (inbound MX, feedback MX, SPF include) is not a valid domain name. The
    /// code and the end of the message are the domain name's own error's.
    #[error("provider host {host:?} is not a valid domain name: {error}")]
    HostInvalid {
        /// The offending host.
        host: String,
        /// What is wrong with it.
        error: DomainNameError,
    },
}

impl ProviderProfileError {
    /// A stable, machine-readable code: `dns.profile_incomplete`, a record name's
    /// `dns.record_name_*`, or for an invalid host the domain name's `domain.*`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Incomplete { .. } => "dns.profile_incomplete",
            Self::RecordName(e) => e.code(),
            Self::HostInvalid { error, .. } => error.code(),
        }
    }
}

/// Why a DNS setup value was refused: the aggregate of the narrow errors above (each converts
/// into it with `From`, so `?` works across them) and the rules of a whole
/// [`DomainSetup`](super::DomainSetup).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnsSetupError {
    /// The provider region was refused.
    #[error(transparent)]
    Region(#[from] AwsRegionError),
    /// The verification token was refused.
    #[error(transparent)]
    VerificationToken(#[from] VerificationTokenError),
    /// A DKIM token was refused.
    #[error(transparent)]
    DkimToken(#[from] DkimTokenError),
    /// A DKIM key was refused.
    #[error(transparent)]
    DkimKey(#[from] DkimKeyError),
    /// A record name would be invalid or too long.
    #[error(transparent)]
    RecordName(#[from] RecordNameError),
    /// The provider profile was refused.
    #[error(transparent)]
    Profile(#[from] ProviderProfileError),
    /// A custom domain was set up without a verification token.
    #[error("custom domain {domain} needs a verification token: issue one and pass it in")]
    TokenMissing {
        /// The domain.
        domain: DomainName,
    },
    /// The organization does not have the setup's domain (or has it as another kind).
    #[error(
        "{domain} is not one of the organization's domains (or is another kind of domain there): add the domain to the organization first, or check the setup of one it has"
    )]
    DomainNotInOrg {
        /// The setup's domain.
        domain: DomainName,
    },
    /// A stored setup says its domain is a hosted subdomain. Only the host's root says which
    /// names are hosted, so such a setup is made again in code, never read from storage.
    #[error(
        "the stored setup of {domain} says it is a hosted subdomain; hosted setups are not \
         read from storage (they list no records): make it again with DomainSetup::new and \
         Domain::hosted"
    )]
    HostedSetupNotStored {
        /// The domain.
        domain: DomainName,
    },
    /// A stored setup names a provider profile the host does not offer.
    #[error(
        "the stored setup uses provider profile {profile:?}, which is not among the profiles \
         given to read it: pass the host's profiles to DomainSetup::deserialize_for, or make \
         the setup again"
    )]
    ProfileNotOffered {
        /// The profile name in the stored setup.
        profile: String,
    },
    /// Fewer DKIM tokens were given than the provider issues.
    #[error(
        "{count} DKIM tokens were given; the provider issues exactly {expected}: give all of them"
    )]
    TooFewDkimTokens {
        /// How many were given.
        count: usize,
        /// How many the provider profile expects.
        expected: usize,
    },
    /// More DKIM tokens were given than the provider issues.
    #[error(
        "{count} DKIM tokens were given; the provider issues exactly {expected}: give only the tokens it issued for this domain"
    )]
    TooManyDkimTokens {
        /// How many were given.
        count: usize,
        /// How many the provider profile expects.
        expected: usize,
    },
    /// DKIM keys were asked for, but none was given.
    #[error("no DKIM key was given: give at least one, or leave DKIM out")]
    NoDkimKeys,
    /// The same DKIM token was given twice.
    #[error("DKIM token {token:?} was given twice: give each token once")]
    DuplicateDkimToken {
        /// The repeated token.
        token: DkimToken,
    },
    /// Two DKIM keys have the same selector.
    #[error("DKIM selector {selector:?} was given twice: give each key its own selector")]
    DuplicateDkimSelector {
        /// The repeated selector, lowercase.
        selector: String,
    },
    /// The provider profile has no DKIM records.
    #[error(
        "provider profile {profile:?} publishes no DKIM records: leave DKIM out or use a profile that has it"
    )]
    DkimUnsupported {
        /// The profile's name.
        profile: String,
    },
    /// DKIM tokens were given where the profile publishes TXT keys, or the reverse.
    #[error("provider profile {profile:?} publishes DKIM as {expected}: give that form instead")]
    DkimFormMismatch {
        /// The profile's name.
        profile: String,
        /// The form the profile uses.
        expected: &'static str,
    },
    /// DKIM was asked for on a hosted subdomain, whose records the platform publishes.
    #[error(
        "{domain} is a hosted subdomain: the platform publishes its records, so it takes no DKIM setup: leave DKIM out"
    )]
    DkimHosted {
        /// The hosted domain.
        domain: DomainName,
    },
    /// The MAIL FROM domain is not under the domain.
    #[error(
        "MAIL FROM domain {mail_from} is not a subdomain of {domain}: use a name such as bounce.{domain}"
    )]
    MailFromNotSubdomain {
        /// The offending MAIL FROM domain.
        mail_from: DomainName,
        /// The domain it must be under.
        domain: DomainName,
    },
    /// The MAIL FROM domain equals the domain.
    #[error(
        "the MAIL FROM domain must be a subdomain of {domain}, not {domain} itself: use a name such as bounce.{domain}"
    )]
    MailFromEqualsDomain {
        /// The domain.
        domain: DomainName,
    },
    /// A MAIL FROM domain was given for a hosted subdomain.
    #[error(
        "{domain} is a hosted subdomain; a custom MAIL FROM domain is only for custom domains: leave it out"
    )]
    MailFromHosted {
        /// The hosted domain.
        domain: DomainName,
    },
    /// The provider profile has no MAIL FROM records.
    #[error(
        "provider profile {profile:?} has no custom MAIL FROM records: leave MAIL FROM out or use a profile that has it"
    )]
    MailFromUnsupported {
        /// The profile's name.
        profile: String,
    },
    /// The MAIL FROM domain is a domain the organization receives mail on.
    #[error(
        "MAIL FROM domain {mail_from} also receives mail for the organization; its MX must point to the feedback host: pick a name that receives no mail"
    )]
    MailFromReceives {
        /// The offending MAIL FROM domain.
        mail_from: DomainName,
    },
}

impl DnsSetupError {
    /// A stable, machine-readable code for this error, e.g. `dns.token_missing`; a narrow
    /// error inside gives its own.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Region(e) => e.code(),
            Self::VerificationToken(e) => e.code(),
            Self::DkimToken(e) => e.code(),
            Self::DkimKey(e) => e.code(),
            Self::RecordName(e) => e.code(),
            Self::Profile(e) => e.code(),
            Self::TokenMissing { .. } => "dns.token_missing",
            Self::DomainNotInOrg { .. } => "dns.domain_not_in_org",
            Self::HostedSetupNotStored { .. } => "dns.hosted_setup_not_stored",
            Self::ProfileNotOffered { .. } => "dns.profile_not_offered",
            Self::TooFewDkimTokens { .. } => "dns.too_few_dkim_tokens",
            Self::TooManyDkimTokens { .. } => "dns.too_many_dkim_tokens",
            Self::NoDkimKeys => "dns.no_dkim_keys",
            Self::DuplicateDkimToken { .. } => "dns.duplicate_dkim_token",
            Self::DuplicateDkimSelector { .. } => "dns.duplicate_dkim_selector",
            Self::DkimUnsupported { .. } => "dns.dkim_unsupported",
            Self::DkimFormMismatch { .. } => "dns.dkim_form_mismatch",
            Self::DkimHosted { .. } => "dns.dkim_hosted",
            Self::MailFromNotSubdomain { .. } => "dns.mail_from_not_subdomain",
            Self::MailFromEqualsDomain { .. } => "dns.mail_from_equals_domain",
            Self::MailFromHosted { .. } => "dns.mail_from_hosted",
            Self::MailFromUnsupported { .. } => "dns.mail_from_unsupported",
            Self::MailFromReceives { .. } => "dns.mail_from_receives",
        }
    }
}

#[cfg(feature = "serde")]
impl crate::refusal::Rule for DnsSetupError {
    fn rule_code(&self) -> &'static str {
        self.code()
    }

    /// Rules met while reading a stored setup or profile speak of its fields, not of the
    /// calls (`DomainSetup::deserialize_for`, the builder) the same rules guard in code.
    fn file_message(&self) -> Option<String> {
        Some(match self {
            Self::TokenMissing { domain } => format!(
                "custom domain {domain} needs a verification token: add \"verification_token\" with the token the platform issued"
            ),
            Self::HostedSetupNotStored { domain } => format!(
                "the stored setup of {domain} says it is a hosted subdomain (\"hosted\": true); hosted setups are not read from files, the platform makes them from its hosted root: remove this setup from the file"
            ),
            Self::ProfileNotOffered { profile } => format!(
                "the stored setup uses provider profile {profile:?}, which this platform does not offer: set \"profile\" to one of the platform's profiles, or make the setup again"
            ),
            Self::Profile(error) => return error.file_message(),
            Self::DkimFormMismatch { profile, expected } => format!(
                "provider profile {profile:?} publishes DKIM as {expected}: store \"dkim_tokens\" for CNAME delegations, \"dkim_keys\" for TXT keys"
            ),
            _ => return None,
        })
    }
}

#[cfg(feature = "serde")]
impl crate::refusal::Rule for ProviderProfileError {
    fn rule_code(&self) -> &'static str {
        self.code()
    }

    fn file_message(&self) -> Option<String> {
        match self {
            Self::Incomplete { missing } => {
                Some(format!("the provider profile has no {missing}: give it in the profile"))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::VerificationToken;
    use crate::dns::token::MAX_DKIM_KEY_CHARS;
    use crate::dns::{AwsRegion, DkimKey, DkimKeyType, DkimToken, ProviderProfile, RecordName};

    /// A narrow error keeps its code and message in the aggregate, and `?` does not make it
    /// a source that a chain would print again.
    macro_rules! same_in_aggregate {
        ($narrow:expr, $code:literal) => {{
            let narrow = $narrow;
            let aggregate = DnsSetupError::from(narrow.clone());
            assert_eq!((narrow.code(), aggregate.code()), ($code, $code));
            assert_eq!(aggregate.to_string(), narrow.to_string());
            assert!(std::error::Error::source(&aggregate).is_none(), "{aggregate:?}");
        }};
    }

    #[test]
    fn narrow_errors_keep_their_code_and_message_in_the_aggregate() {
        same_in_aggregate!(AwsRegion::new("us_east_1").unwrap_err(), "dns.region_invalid");
        same_in_aggregate!(VerificationToken::new("").unwrap_err(), "dns.token_empty");
        same_in_aggregate!(VerificationToken::new("a b").unwrap_err(), "dns.token_invalid");
        same_in_aggregate!(DkimToken::new("a.b").unwrap_err(), "dns.dkim_token_invalid");
        let key = "a".repeat(MAX_DKIM_KEY_CHARS + 1);
        same_in_aggregate!(
            DkimKey::new("s1", DkimKeyType::Rsa, &key).unwrap_err(),
            "dns.dkim_key_too_long"
        );
        same_in_aggregate!(RecordName::new("a..b").unwrap_err(), "dns.record_name_invalid");
        same_in_aggregate!(
            ProviderProfile::builder(" ").build().unwrap_err(),
            "dns.profile_incomplete"
        );
        let err = ProviderProfile::ses("us_east_1").unwrap_err();
        assert!(matches!(&err, DnsSetupError::Region(e) if e.region() == "us_east_1"), "{err:?}");
    }
}
