//! [`RecordName`]: the owner name of a DNS record, and the host-name comparisons the checks use.
//!
//! A record name is not a [`DomainName`]: `_amazonses.example.com` and
//! `abc._domainkey.example.com` carry underscores, which mailbox domains never do. Record names
//! are built from a validated `DomainName` plus validated prefix labels, so they are plain
//! lowercase ASCII.

use super::RecordNameError;
use crate::name::{DomainName, MAX_LABEL_OCTETS, MAX_NAME_OCTETS};

/// A DNS record's owner name: lowercase ASCII labels of letters, digits, hyphens and
/// underscores, without the trailing dot, at most 253 octets.
///
/// ```
/// use email_routing::dns::RecordName;
/// use email_routing::DomainName;
/// let name = RecordName::new("_amazonses.Support.Customer.com.")?;
/// assert_eq!(name.as_str(), "_amazonses.support.customer.com");
/// assert_eq!(name.to_fqdn(), "_amazonses.support.customer.com.");
/// let zone: DomainName = "customer.com".parse().unwrap();
/// assert_eq!(name.relative_to(&zone).as_deref(), Some("_amazonses.support"));
/// assert_eq!(RecordName::new("a..b").unwrap_err().code(), "dns.record_name_invalid");
/// # Ok::<(), email_routing::dns::RecordNameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct RecordName(Box<str>);

impl RecordName {
    /// Validates a record name. Case is folded; one trailing dot is accepted and dropped.
    ///
    /// # Errors
    /// `dns.record_name_invalid` for an empty name or label, or a character other than a
    /// letter, digit, hyphen or underscore; `dns.record_name_too_long` past 253 octets.
    pub fn new(input: &str) -> Result<Self, RecordNameError> {
        let name = input.strip_suffix('.').unwrap_or(input);
        check_labels(name)?;
        Ok(Self(name.to_ascii_lowercase().into_boxed_str()))
    }

    /// The record name of a domain's apex (its MX records live there).
    #[must_use]
    pub fn of_domain(domain: &DomainName) -> Self {
        Self(domain.as_str().into())
    }

    /// `prefix` (one or more labels) placed under `domain`, as in `_amazonses` + `example.com`.
    ///
    /// # Errors
    /// As [`RecordName::new`], for the prefix or the whole name.
    pub fn under(prefix: &str, domain: &DomainName) -> Result<Self, RecordNameError> {
        check_labels(prefix)?;
        Self::new(&format!("{prefix}.{domain}"))
    }

    /// The name in ASCII form, without the trailing dot.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The absolute name, with the trailing dot a zone file needs.
    #[must_use]
    pub fn to_fqdn(&self) -> String {
        format!("{}.", self.0)
    }

    /// The part an admin types into a DNS provider's "host" field when `zone` is the zone
    /// being edited: `@` for the zone apex, the leading labels for a name under the zone, and
    /// `None` for a name outside it.
    #[must_use]
    pub fn relative_to(&self, zone: &DomainName) -> Option<String> {
        relative_host(&self.0, zone.as_str())
    }
}

/// `name` relative to `zone`: `@` at the apex, the leading labels under it, `None` outside.
pub(crate) fn relative_host(name: &str, zone: &str) -> Option<String> {
    if name == zone {
        return Some("@".to_owned());
    }
    if crate::name::is_proper_subdomain(name, zone) {
        return Some(name[..name.len() - zone.len() - 1].to_owned());
    }
    None
}

/// Checks dot-separated labels of letters, digits, hyphens and underscores.
fn check_labels(name: &str) -> Result<(), RecordNameError> {
    let invalid = || RecordNameError::Invalid { name: name.to_owned() };
    if name.is_empty() {
        return Err(invalid());
    }
    if name.len() > MAX_NAME_OCTETS {
        return Err(RecordNameError::TooLong {
            name: name.to_owned(),
            len: name.len(),
            max: MAX_NAME_OCTETS,
        });
    }
    for label in name.split('.') {
        if label.is_empty()
            || label.len() > MAX_LABEL_OCTETS
            || !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(invalid());
        }
    }
    Ok(())
}

/// `host` without one trailing root dot.
pub(crate) fn trim_root(host: &str) -> &str {
    host.strip_suffix('.').unwrap_or(host)
}

/// Whether a host name found in DNS equals the expected one: ASCII case is ignored, and so is
/// one trailing root dot on the found name.
pub(crate) fn host_eq(found: &str, expected: &str) -> bool {
    trim_root(found).eq_ignore_ascii_case(expected)
}

/// Whether `found` is `expected` with more labels appended: the mark of a target written
/// without its trailing dot, to which the DNS provider appended the zone.
pub(crate) fn is_zone_appended(found: &str, expected: &str) -> bool {
    let found = trim_root(found);
    found.len() > expected.len() + 1
        && found.as_bytes()[expected.len()] == b'.'
        && found.is_char_boundary(expected.len())
        && found[..expected.len()].eq_ignore_ascii_case(expected)
}

crate::macros::text_value_conversions!(RecordName, RecordNameError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_names_allow_underscores_and_fold_case() {
        let n = RecordName::new("ABC._domainkey.Example.COM.").unwrap();
        assert_eq!(n.as_str(), "abc._domainkey.example.com");
        assert!(RecordName::new("a..b").is_err());
        assert!(RecordName::new("").is_err());
        assert!(RecordName::new(".").is_err());
        assert!(RecordName::new("a b.com").is_err());
        assert_eq!(
            RecordName::new(&"a.".repeat(130)).unwrap_err().code(),
            "dns.record_name_too_long"
        );
    }

    #[test]
    fn relative_host_is_label_bounded() {
        assert_eq!(relative_host("example.com", "example.com").as_deref(), Some("@"));
        assert_eq!(relative_host("a.b.example.com", "example.com").as_deref(), Some("a.b"));
        assert_eq!(relative_host("badexample.com", "example.com"), None);
    }

    #[test]
    fn zone_appended_targets_are_recognised() {
        assert!(is_zone_appended(
            "inbound-smtp.us-east-1.amazonaws.com.x.com.",
            "inbound-smtp.us-east-1.amazonaws.com"
        ));
        assert!(!is_zone_appended(
            "inbound-smtp.us-east-1.amazonaws.com.",
            "inbound-smtp.us-east-1.amazonaws.com"
        ));
        assert!(!is_zone_appended(
            "inbound-smtp.us-east-1.amazonaws.co",
            "inbound-smtp.us-east-1.amazonaws.com"
        ));
        assert!(!is_zone_appended("é.é.é.é.é.é.é.é.é.é.é.é.é.é.é.é.é.é.é", "inbound-smtp.x"));
        assert!(host_eq("A.Example.COM.", "a.example.com"));
    }
}
