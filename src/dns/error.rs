//! [`DnsSetupError`]: why a provider profile, a token, or a domain's DNS setup was refused.
//!
//! Setup values are checked once, when they are made; a [`DomainSetup`](super::DomainSetup)
//! that exists can always render its records. Failures of DNS lookups are not errors of this
//! kind: they are [`LookupFailure`](super::LookupFailure)s inside a report.

use crate::name::DomainNameError;

/// Why a DNS setup value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnsSetupError {
    /// The provider region does not have the shape of an AWS region.
    #[error("{region:?} is not a region name: give one such as us-east-1 or eu-west-2")]
    RegionInvalid {
        /// The offending input.
        region: String,
    },
    /// The verification token is empty.
    #[error("the verification token is empty: copy the token the platform issued")]
    TokenEmpty,
    /// The verification token is longer than the limit.
    #[error("the verification token is {len} bytes long; the limit is {max}: copy only the token")]
    TokenTooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The verification token contains a character a token never has.
    #[error(
        "the verification token {token:?} contains {character}, which a token never has: copy the token exactly, without quotes or spaces"
    )]
    TokenInvalid {
        /// The offending token.
        token: String,
        /// The offending character, made visible.
        character: String,
    },
    /// A custom domain was set up without a verification token.
    #[error("custom domain {domain} needs a verification token: issue one and pass it in")]
    TokenMissing {
        /// The domain.
        domain: String,
    },
    /// The organization does not have the setup's domain (or has it as another kind).
    #[error(
        "{domain} is not one of the organization's domains (or is another kind of domain there): add the domain to the organization first, or check the setup of one it has"
    )]
    DomainNotInOrg {
        /// The setup's domain.
        domain: crate::name::DomainName,
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
        domain: String,
    },
    /// A stored setup names a provider profile the host does not offer.
    #[error(
        "the stored setup uses provider profile {profile:?}, which is not among the profiles \
         given to read it: pass the host's profiles to DomainSetup::deserialize_with, or make \
         the setup again"
    )]
    ProfileNotOffered {
        /// The profile name in the stored setup.
        profile: String,
    },
    /// A DKIM token is not usable as a DNS label.
    #[error(
        "DKIM token {token:?} is not a DNS label (1 to {max} letters, digits or inner hyphens): copy the token exactly"
    )]
    DkimTokenInvalid {
        /// The offending token.
        token: String,
        /// The longest label allowed.
        max: usize,
    },
    /// The number of DKIM tokens differs from what the provider issues.
    #[error(
        "{count} DKIM tokens were given; the provider issues exactly {expected}: give all of them"
    )]
    DkimCount {
        /// How many were given.
        count: usize,
        /// How many the provider profile expects.
        expected: usize,
    },
    /// The same DKIM token or selector was given twice.
    #[error("DKIM token or selector {token:?} was given twice: give each once")]
    DkimDuplicate {
        /// The repeated token or selector.
        token: String,
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
    /// A DKIM public key contains a character outside base64.
    #[error(
        "the DKIM public key for selector {selector:?} contains {character}, which is not base64: paste only the key data after p="
    )]
    DkimKeyInvalid {
        /// The key's selector.
        selector: String,
        /// The offending character, made visible.
        character: String,
    },
    /// A DKIM public key is empty or longer than the limit.
    #[error(
        "the DKIM public key for selector {selector:?} is {len} characters long; it must be 1 to {max}: paste the whole key and nothing else"
    )]
    DkimKeyLength {
        /// The key's selector.
        selector: String,
        /// Its length in characters, without white space.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A record name (or name prefix) is not a valid DNS owner name.
    #[error(
        "{name:?} is not a valid DNS record name: use labels of letters, digits, hyphens and underscores separated by single dots"
    )]
    RecordNameInvalid {
        /// The offending name.
        name: String,
    },
    /// A record name would be longer than DNS allows.
    #[error(
        "record name {name:?} is {len} octets long; the limit is {max}: use a shorter domain or token"
    )]
    RecordNameTooLong {
        /// The offending name.
        name: String,
        /// Its length in octets.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A host name in a provider profile is not a valid domain name.
    #[error("provider host {host:?} is not a valid domain name: {source}")]
    HostInvalid {
        /// The offending host.
        host: String,
        /// What is wrong with it.
        source: DomainNameError,
    },
    /// A provider profile is missing a part every profile needs.
    #[error("the provider profile has no {missing}: set it on the builder")]
    ProfileIncomplete {
        /// The missing part.
        missing: &'static str,
    },
    /// The MAIL FROM domain is not under the domain.
    #[error(
        "MAIL FROM domain {mail_from} is not a subdomain of {domain}: use a name such as bounce.{domain}"
    )]
    MailFromNotSubdomain {
        /// The offending MAIL FROM domain.
        mail_from: String,
        /// The domain it must be under.
        domain: String,
    },
    /// The MAIL FROM domain equals the domain.
    #[error(
        "the MAIL FROM domain must be a subdomain of {domain}, not {domain} itself: use a name such as bounce.{domain}"
    )]
    MailFromEqualsDomain {
        /// The domain.
        domain: String,
    },
    /// A MAIL FROM domain was given for a hosted subdomain.
    #[error(
        "{domain} is a hosted subdomain; a custom MAIL FROM domain is only for custom domains: leave it out"
    )]
    MailFromHosted {
        /// The hosted domain.
        domain: String,
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
        mail_from: String,
    },
    /// Records were asked for on a hosted subdomain, whose records the platform publishes.
    #[error(
        "{domain} is a hosted subdomain: the platform publishes its records, so it takes no DKIM or MAIL FROM setup"
    )]
    HostedDomain {
        /// The hosted domain.
        domain: String,
    },
}

impl DnsSetupError {
    /// A stable, machine-readable code for this error, e.g. `dns.region_invalid`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::RegionInvalid { .. } => "dns.region_invalid",
            Self::TokenEmpty => "dns.token_empty",
            Self::TokenTooLong { .. } => "dns.token_too_long",
            Self::TokenInvalid { .. } => "dns.token_invalid",
            Self::DomainNotInOrg { .. } => "dns.domain_not_in_org",
            Self::TokenMissing { .. } => "dns.token_missing",
            Self::HostedSetupNotStored { .. } => "dns.hosted_setup_not_stored",
            Self::ProfileNotOffered { .. } => "dns.profile_not_offered",
            Self::DkimTokenInvalid { .. } => "dns.dkim_token_invalid",
            Self::DkimCount { .. } => "dns.dkim_count",
            Self::DkimDuplicate { .. } => "dns.dkim_duplicate",
            Self::DkimUnsupported { .. } => "dns.dkim_unsupported",
            Self::DkimFormMismatch { .. } => "dns.dkim_form_mismatch",
            Self::DkimKeyInvalid { .. } => "dns.dkim_key_invalid",
            Self::DkimKeyLength { .. } => "dns.dkim_key_length",
            Self::RecordNameInvalid { .. } => "dns.record_name_invalid",
            Self::RecordNameTooLong { .. } => "dns.record_name_too_long",
            Self::HostInvalid { .. } => "dns.host_invalid",
            Self::ProfileIncomplete { .. } => "dns.profile_incomplete",
            Self::MailFromNotSubdomain { .. } => "dns.mail_from_not_subdomain",
            Self::MailFromEqualsDomain { .. } => "dns.mail_from_equals_domain",
            Self::MailFromHosted { .. } => "dns.mail_from_hosted",
            Self::MailFromUnsupported { .. } => "dns.mail_from_unsupported",
            Self::MailFromReceives { .. } => "dns.mail_from_receives",
            Self::HostedDomain { .. } => "dns.hosted_domain",
        }
    }
}

#[cfg(feature = "serde")]
impl crate::refusal::Rule for DnsSetupError {
    fn rule_code(&self) -> &'static str {
        self.code()
    }

    /// Rules met while reading a stored setup or profile speak of its fields, not of the
    /// calls (`DomainSetup::deserialize_with`, the builder) the same rules guard in code.
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
            Self::ProfileIncomplete { missing } => {
                format!("the provider profile has no {missing}: give it in the profile")
            }
            Self::DkimFormMismatch { profile, expected } => format!(
                "provider profile {profile:?} publishes DKIM as {expected}: store \"dkim_tokens\" for CNAME delegations, \"dkim_keys\" for TXT keys"
            ),
            _ => return None,
        })
    }
}
