//! [`RequiredRecord`]: one DNS record an admin must publish, and how it is written down.
//!
//! A record renders two ways: as a BIND zone-file line with an absolute name (its `Display`),
//! for admins who edit zone files or paste into an import box; and as the host and value an
//! admin types into a DNS provider's web form ([`RequiredRecord::host`], [`RecordValue`]).
//! TXT values longer than 255 bytes are split into several quoted character-strings, as DNS
//! requires (a 2048-bit DKIM key is about 400 bytes).

use std::fmt;

use super::RecordName;
use crate::name::DomainName;

/// The most bytes one DNS character-string can hold.
pub const MAX_CHARACTER_STRING: usize = 255;

/// The DNS record types the checks publish and query: TXT, MX and CNAME for the records an
/// admin publishes, SOA to find the zone that holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "UPPERCASE"))]
#[non_exhaustive]
pub enum RecordType {
    /// Text record.
    Txt,
    /// Mail exchanger.
    Mx,
    /// Alias.
    Cname,
    /// Start of authority: present only at a zone's apex, so it tells which zone holds a name
    /// (RFC 1034 section 4.3.2, RFC 2181 section 6).
    Soa,
}

impl RecordType {
    /// The type's mnemonic, e.g. `TXT`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Txt => "TXT",
            Self::Mx => "MX",
            Self::Cname => "CNAME",
            Self::Soa => "SOA",
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a record is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Purpose {
    /// The TXT record that proves the organization controls the domain.
    Verification,
    /// The MX record that sends the domain's mail to the platform.
    InboundMx,
    /// A DKIM record (CNAME delegation or TXT key).
    Dkim,
    /// The MX record of the custom MAIL FROM domain (bounces and complaints).
    MailFromMx,
    /// The SPF record of the custom MAIL FROM domain.
    MailFromSpf,
}

impl Purpose {
    /// A stable, machine-readable name, e.g. `inbound_mx`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verification => "verification",
            Self::InboundMx => "inbound_mx",
            Self::Dkim => "dkim",
            Self::MailFromMx => "mail_from_mx",
            Self::MailFromSpf => "mail_from_spf",
        }
    }

    /// A short label for people, e.g. `inbound MX`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Verification => "verification",
            Self::InboundMx => "inbound MX",
            Self::Dkim => "DKIM",
            Self::MailFromMx => "MAIL FROM MX",
            Self::MailFromSpf => "MAIL FROM SPF",
        }
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Whether a record must be published for the domain to work at all (what SES calls a
/// required or an optional record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Necessity {
    /// Needed to verify the domain or receive mail on it.
    Required,
    /// Improves sending (DKIM signatures, a custom MAIL FROM); mail flows without it.
    Optional,
}

/// A record's value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RecordValue {
    /// A TXT value: printable ASCII, before any splitting into character-strings.
    Txt(String),
    /// An MX value.
    Mx {
        /// Lower is tried first.
        preference: u16,
        /// The mail exchanger.
        exchange: DomainName,
    },
    /// A CNAME target.
    Cname(DomainName),
}

impl RecordValue {
    /// The record type this value belongs to.
    #[must_use]
    pub fn record_type(&self) -> RecordType {
        match self {
            Self::Txt(_) => RecordType::Txt,
            Self::Mx { .. } => RecordType::Mx,
            Self::Cname(_) => RecordType::Cname,
        }
    }

    /// The value as a zone file writes it: quoted, split TXT strings; absolute host names.
    #[must_use]
    pub fn to_zone_rdata(&self) -> String {
        match self {
            Self::Txt(text) => quote_txt(text),
            Self::Mx { preference, exchange } => format!("{preference} {exchange}."),
            Self::Cname(target) => format!("{target}."),
        }
    }
}

/// The value as typed into a web form: the TXT text as is, `preference host` for MX, the
/// target host for CNAME.
impl fmt::Display for RecordValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Txt(text) => f.write_str(text),
            Self::Mx { preference, exchange } => write!(f, "{preference} {exchange}"),
            Self::Cname(target) => write!(f, "{target}"),
        }
    }
}

/// Renders a TXT value as quoted character-strings of at most 255 bytes each.
///
/// The value is printable ASCII (every constructor guarantees it), so each chunk boundary is
/// a character boundary; `"` and `\` are escaped.
pub(crate) fn quote_txt(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, chunk) in text.as_bytes().chunks(MAX_CHARACTER_STRING).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push('"');
        for &b in chunk {
            match b {
                b'"' | b'\\' => {
                    out.push('\\');
                    out.push(char::from(b));
                }
                0x20..=0x7e => out.push(char::from(b)),
                _ => out.push_str(&format!("\\{b:03}")),
            }
        }
        out.push('"');
    }
    if out.is_empty() {
        out.push_str("\"\"");
    }
    out
}

/// One DNS record an admin must publish for a mail domain.
///
/// ```
/// use email_routing::dns::{DomainSetup, ProviderProfile, Purpose, VerificationToken};
/// let setup = DomainSetup::custom(
///     "support.customer.com".parse().unwrap(),
///     ProviderProfile::ses("us-east-1")?,
///     VerificationToken::new("pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=")?,
/// )?;
/// let verification = &setup.required_records()[0];
/// assert_eq!(verification.purpose(), Purpose::Verification);
/// assert_eq!(
///     verification.to_string(),
///     "_amazonses.support.customer.com. 3600 IN TXT \"pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=\""
/// );
/// assert_eq!(verification.host(), "_amazonses");
/// let mx = &setup.required_records()[1];
/// assert_eq!(mx.to_string(), "support.customer.com. 3600 IN MX 10 inbound-smtp.us-east-1.amazonaws.com.");
/// assert_eq!(mx.host(), "@");
/// # Ok::<(), email_routing::dns::DnsSetupError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RequiredRecord {
    name: RecordName,
    domain: DomainName,
    value: RecordValue,
    purpose: Purpose,
    necessity: Necessity,
    ttl: u32,
}

impl RequiredRecord {
    /// Made only by [`DomainSetup`](super::DomainSetup), from validated parts.
    pub(crate) fn new(
        name: RecordName,
        domain: &DomainName,
        value: RecordValue,
        purpose: Purpose,
        necessity: Necessity,
        ttl: u32,
    ) -> Self {
        Self { name, domain: domain.clone(), value, purpose, necessity, ttl }
    }

    /// The record's owner name.
    #[must_use]
    pub fn name(&self) -> &RecordName {
        &self.name
    }

    /// The mail domain the record belongs to.
    #[must_use]
    pub fn domain(&self) -> &DomainName {
        &self.domain
    }

    /// The record type.
    #[must_use]
    pub fn record_type(&self) -> RecordType {
        self.value.record_type()
    }

    /// The value to publish.
    #[must_use]
    pub fn value(&self) -> &RecordValue {
        &self.value
    }

    /// What the record is for.
    #[must_use]
    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    /// Whether it is required or optional.
    #[must_use]
    pub fn necessity(&self) -> Necessity {
        self.necessity
    }

    /// Whether it is required.
    #[must_use]
    pub fn is_required(&self) -> bool {
        self.necessity == Necessity::Required
    }

    /// The suggested TTL in seconds.
    #[must_use]
    pub fn ttl(&self) -> u32 {
        self.ttl
    }

    /// The host to type into a DNS provider's web form when the zone is the mail domain
    /// itself: `@` for the apex, e.g. `_amazonses` for the verification record.
    ///
    /// A mail domain is often not a zone of its own (`support.customer.com` kept in the
    /// `customer.com` zone): prefer [`RecordReport::host`](super::RecordReport::host), which
    /// is relative to the zone a check found, or [`host_in_zone`](Self::host_in_zone).
    #[must_use]
    pub fn host(&self) -> String {
        self.name.relative_to(&self.domain).unwrap_or_else(|| self.name.to_fqdn())
    }

    /// The host to type when the zone being edited is `zone` (for `support.customer.com` kept in
    /// the `customer.com` zone: `_amazonses.support`). `None` if the record is not in `zone`.
    #[must_use]
    pub fn host_in_zone(&self, zone: &DomainName) -> Option<String> {
        self.name.relative_to(zone)
    }

    /// The host relative to `zone` when it is given and holds the record (what a check found,
    /// [`DomainReport::zone`](super::DomainReport::zone)); otherwise relative to the mail
    /// domain, marked as such.
    ///
    /// ```
    /// use email_routing::dns::{DomainSetup, ProviderProfile, VerificationToken};
    /// let setup = DomainSetup::custom(
    ///     "support.customer.com".parse().unwrap(),
    ///     ProviderProfile::ses("us-east-1")?,
    ///     VerificationToken::new("tok")?,
    /// )?;
    /// let mx = &setup.required_records()[1];
    /// let zone = "customer.com".parse().unwrap();
    /// assert_eq!(mx.relative_host(Some(&zone)).to_string(), "\"support\" in the customer.com zone");
    /// assert_eq!(mx.relative_host(None).to_string(), "\"@\" (relative to support.customer.com)");
    /// # Ok::<(), email_routing::dns::DnsSetupError>(())
    /// ```
    #[must_use]
    pub fn relative_host(&self, zone: Option<&DomainName>) -> RelativeHost {
        match zone.and_then(|z| Some((self.name.relative_to(z)?, z))) {
            Some((host, zone)) => RelativeHost { host, origin: zone.clone(), zone_found: true },
            None => self.host_relative_to(&self.domain),
        }
    }

    /// The host relative to `origin`, a name that is not known to be the zone (the zone a DNS
    /// provider evidently appended, or the mail domain).
    pub(crate) fn host_relative_to(&self, origin: &DomainName) -> RelativeHost {
        let host = self.name.relative_to(origin).unwrap_or_else(|| self.name.to_fqdn());
        RelativeHost { host, origin: origin.clone(), zone_found: false }
    }
}

/// A host as typed into a DNS provider's web form, and the name it is relative to.
///
/// A provider's form edits one zone and appends that zone to the host typed, so a host means
/// something only together with its zone. When a check found the zone that holds the record
/// (the closest enclosing zone, from SOA answers: RFC 1034 section 4.3.2, RFC 2181 section 6),
/// the host is relative to that zone's apex and displays as `"_amazonses.support" in the
/// customer.com zone`. When it did not (the SOA lookups failed or were not run), the host is
/// relative to the mail domain and the display says so in words: `"_amazonses" (relative to
/// support.customer.com)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RelativeHost {
    host: String,
    origin: DomainName,
    zone_found: bool,
}

impl RelativeHost {
    /// The host: `@` for the origin itself, else the labels in front of it.
    #[must_use]
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The name the host is relative to: the zone's apex when [`zone_found`](Self::zone_found),
    /// else the mail domain (or the zone a DNS provider was seen to append).
    #[must_use]
    pub fn origin(&self) -> &DomainName {
        &self.origin
    }

    /// Whether the origin is the zone found in DNS.
    #[must_use]
    pub fn zone_found(&self) -> bool {
        self.zone_found
    }
}

/// `"support" in the customer.com zone`, or `"@" (relative to support.customer.com)`.
impl fmt::Display for RelativeHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.zone_found {
            write!(f, "{:?} in the {} zone", self.host, self.origin)
        } else {
            write!(f, "{:?} (relative to {})", self.host, self.origin)
        }
    }
}

/// A BIND zone-file line: `<name>. <ttl> IN <type> <value>`.
impl fmt::Display for RequiredRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}. {} IN {} {}",
            self.name,
            self.ttl,
            self.record_type(),
            self.value.to_zone_rdata()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_txt_is_one_string() {
        assert_eq!(quote_txt("abc"), "\"abc\"");
        assert_eq!(quote_txt(""), "\"\"");
        assert_eq!(quote_txt("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }

    #[test]
    fn long_txt_is_split_at_255_bytes() {
        let value = "x".repeat(600);
        let quoted = quote_txt(&value);
        let parts: Vec<&str> = quoted.split(' ').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].len(), 257);
        assert_eq!(parts[1].len(), 257);
        assert_eq!(parts[2].len(), 92);
    }
}
