//! [`Diagnostic`]: a finding about one required record, with a stable code and a message that
//! says what to change.
//!
//! Besides the plain "missing" and "wrong value", the check recognises the mistakes admins
//! make most often in DNS provider consoles: a record at a doubled name (the provider appended
//! the zone to a full name), a value that differs only by case, quotes or white space, a CNAME
//! where another record must go (TXT or MX) or a TXT where a CNAME must go, another MX that
//! takes the mail, a target written without its final dot, several SPF records, a DKIM CNAME
//! to the wrong target, and a verification name that holds only another account's token.
//!
//! Every host an admin is told to type is a [`RelativeHost`]: relative to the zone the check
//! found, or, when no zone was found, relative to the mail domain and saying so.
//!
//! Every value found in DNS is quoted with Rust's debug escaping and shortened, so an
//! untrusted answer cannot inject control characters or megabytes into a message.

use std::fmt::Write as _;

use super::{LookupFailure, RecordType, RelativeHost};

/// The longest found value a report repeats, in characters.
pub(crate) const MAX_SHOWN_CHARS: usize = 300;
/// The most found values a report lists for one record.
pub(crate) const MAX_SHOWN_VALUES: usize = 8;

/// A finding about one required record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Diagnostic {
    /// No record of the type exists at the name.
    #[error("no {record_type} record at {name}: add one with host {host} and value {expected:?}")]
    Missing {
        /// The record name.
        name: String,
        /// The record type.
        record_type: RecordType,
        /// The host to type into a DNS provider's form.
        host: RelativeHost,
        /// The value to publish.
        expected: String,
    },
    /// Records of the type exist but none has the expected value.
    #[error("{name} has {record_type} {}, but {expected:?} is expected: change the record to {expected:?}", quoted(.found))]
    ValueMismatch {
        /// The record name.
        name: String,
        /// The record type.
        record_type: RecordType,
        /// The value to publish.
        expected: String,
        /// What was found.
        found: Vec<String>,
    },
    /// The record sits at the name with the zone appended once more.
    #[error(
        "the {record_type} record is at {found_at:?} instead of {name}: the DNS provider appended the zone {zone} to the full name you typed; change the host to {host}"
    )]
    DoubledName {
        /// The name the record belongs at.
        name: String,
        /// The record type.
        record_type: RecordType,
        /// The doubled name it was found at.
        found_at: String,
        /// The zone that was appended.
        zone: String,
        /// The host to type instead.
        host: RelativeHost,
    },
    /// The value differs from the expected one only by case, quotes or surrounding white space.
    #[error(
        "the TXT record at {name} is {found:?}, which differs from {expected:?} only by case, quotes or surrounding spaces: replace it with exactly {expected:?}"
    )]
    NearMiss {
        /// The record name.
        name: String,
        /// The value to publish.
        expected: String,
        /// The near miss that was found.
        found: String,
    },
    /// A CNAME sits at the name where a record of another type (TXT, MX) must go. A CNAME
    /// cannot coexist with any other data at its name (RFC 1034 section 3.6.2, RFC 2181
    /// section 10.1), so DNS providers refuse to add the record until the CNAME is removed.
    #[error(
        "{name} is a CNAME to {target:?}, and a CNAME cannot share its name with any other record (RFC 1034 section 3.6.2, RFC 2181 section 10.1): remove the CNAME first (whatever relied on the alias, such as a website, then needs its own records at {name}), then add the {record_type} record with host {host} and value {expected:?}"
    )]
    CnameConflict {
        /// The record name.
        name: String,
        /// The type of the record that must go there.
        record_type: RecordType,
        /// The CNAME target found.
        target: String,
        /// The host to type into a DNS provider's form.
        host: RelativeHost,
        /// The value to publish.
        expected: String,
    },
    /// A TXT record sits where a CNAME is expected.
    #[error(
        "{name} has a TXT record {found:?}, but a CNAME is expected there: delete the TXT record and add a CNAME with host {host} and target {expected}"
    )]
    TxtInsteadOfCname {
        /// The record name.
        name: String,
        /// The TXT value found.
        found: String,
        /// The host to type into a DNS provider's form.
        host: RelativeHost,
        /// The CNAME target to publish.
        expected: String,
    },
    /// The platform's MX is present, but another MX with the same or a better (lower)
    /// preference points elsewhere, so mail goes there or is split.
    #[error("{name} also has MX {}, with the same or a better preference than {expected} (preference {preference}): mail goes there or is split; remove those records or give them a preference above {preference}", quoted(.others))]
    CompetingMx {
        /// The record name.
        name: String,
        /// The platform's mail exchanger.
        expected: String,
        /// The best preference of the platform's MX.
        preference: u16,
        /// The competing MX records, as `preference host`.
        others: Vec<String>,
    },
    /// An MX exchange or CNAME target has the zone appended: it was written without its final
    /// dot.
    #[error(
        "the {record_type} target at {name} is {found:?}: it was written without a final dot, so the zone was appended; write it as {expected}. (with the final dot) or as your DNS provider's form shows it"
    )]
    RelativeTarget {
        /// The record name.
        name: String,
        /// The record type.
        record_type: RecordType,
        /// The target found.
        found: String,
        /// The target expected.
        expected: String,
    },
    /// Several SPF records at one name: SPF evaluation fails with a permanent error
    /// (RFC 7208, section 4.5).
    #[error("{name} has {count} SPF records ({}); SPF then fails with a permanent error (RFC 7208): merge them into one record that contains {mechanism}", quoted(.found))]
    SpfMultiple {
        /// The record name.
        name: String,
        /// How many SPF records were found.
        count: usize,
        /// The SPF records found.
        found: Vec<String>,
        /// The mechanism the one record must contain.
        mechanism: String,
    },
    /// The SPF record lacks the provider's mechanism.
    #[error(
        "the SPF record at {name} is {found:?}, which does not contain {mechanism}: add it, for example {expected:?}"
    )]
    SpfMissingInclude {
        /// The record name.
        name: String,
        /// The SPF record found.
        found: String,
        /// The mechanism it must contain.
        mechanism: String,
        /// The whole record the provider suggests.
        expected: String,
    },
    /// A DKIM CNAME points at the wrong target.
    #[error(
        "the DKIM CNAME at {name} points to {found:?}; it must point to {expected}: change the target (check that each token goes with its own name)"
    )]
    DkimWrongTarget {
        /// The record name.
        name: String,
        /// The target found.
        found: String,
        /// The target expected.
        expected: String,
    },
    /// The verification name holds only other tokens (another account's or an old setup's).
    #[error("the TXT records at {name} hold only other tokens ({}), probably from another account or an earlier setup: add a TXT record with host {host} and value {expected:?} (the others may stay)", quoted(.found))]
    VerificationOtherToken {
        /// The record name.
        name: String,
        /// The tokens found.
        found: Vec<String>,
        /// The host to type into a DNS provider's form.
        host: RelativeHost,
        /// The token to publish.
        expected: String,
    },
    /// The lookup did not finish; nothing is known about the record. The code and the end of
    /// the message are the failure's own.
    #[error("looking up {record_type} at {name} failed: {failure}")]
    LookupFailed {
        /// The record name.
        name: String,
        /// The record type.
        record_type: RecordType,
        /// What went wrong.
        failure: LookupFailure,
    },
}

impl Diagnostic {
    /// A stable, machine-readable code, e.g. `dns.name_doubled`; a failed lookup gives the
    /// failure's `dns.lookup_*` code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing { .. } => "dns.record_missing",
            Self::ValueMismatch { .. } => "dns.value_mismatch",
            Self::DoubledName { .. } => "dns.name_doubled",
            Self::NearMiss { .. } => "dns.value_near_miss",
            Self::CnameConflict { .. } => "dns.cname_conflict",
            Self::TxtInsteadOfCname { .. } => "dns.txt_instead_of_cname",
            Self::CompetingMx { .. } => "dns.mx_competing",
            Self::RelativeTarget { .. } => "dns.target_relative",
            Self::SpfMultiple { .. } => "dns.too_many_spf_records",
            Self::SpfMissingInclude { .. } => "dns.spf_missing_include",
            Self::DkimWrongTarget { .. } => "dns.dkim_target_mismatch",
            Self::VerificationOtherToken { .. } => "dns.verification_other_token",
            Self::LookupFailed { failure, .. } => failure.code(),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Diagnostic {
    /// Serializes as `{"code": ..., "message": ...}`, the shape a REST layer returns.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Diagnostic", 2)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

/// Values as a comma-separated list of quoted strings.
fn quoted(values: &[String]) -> String {
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{v:?}");
    }
    out
}

/// Raw DNS bytes as text for a report: invalid UTF-8 replaced, shortened to
/// [`MAX_SHOWN_CHARS`] characters.
pub(crate) fn shown(bytes: &[u8]) -> String {
    shorten(&String::from_utf8_lossy(bytes))
}

/// Text shortened to [`MAX_SHOWN_CHARS`] characters, with an ellipsis when cut.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

/// At most [`MAX_SHOWN_VALUES`] values, with a note of how many more there were.
pub(crate) fn capped(mut values: Vec<String>) -> Vec<String> {
    if values.len() > MAX_SHOWN_VALUES {
        let more = values.len() - MAX_SHOWN_VALUES;
        values.truncate(MAX_SHOWN_VALUES);
        values.push(format!("… and {more} more"));
    }
    values
}
