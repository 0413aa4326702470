//! Value comparisons for DNS answers: joined TXT values, SPF terms, and the loose equality
//! behind "near miss" diagnostics. All work on raw bytes, since answers may be any bytes.

use std::borrow::Cow;

use super::{AnswerRecord, RecordData};

/// The joined values of the TXT records in an answer.
pub(super) fn txt_values(records: &[AnswerRecord]) -> Vec<Cow<'_, [u8]>> {
    records
        .iter()
        .filter_map(|r| match r.data() {
            RecordData::Txt(txt) => Some(txt.joined_cow()),
            _ => None,
        })
        .collect()
}

/// The targets of the CNAME records in an answer.
pub(super) fn cname_targets(records: &[AnswerRecord]) -> impl Iterator<Item = &str> {
    records.iter().filter_map(|r| match r.data() {
        RecordData::Cname { target } => Some(target.as_str()),
        _ => None,
    })
}

/// Whether two values are equal once ASCII white space is dropped.
pub(super) fn eq_ignoring_space(a: &[u8], b: &[u8]) -> bool {
    a == b
        || a.iter()
            .filter(|c| !c.is_ascii_whitespace())
            .eq(b.iter().filter(|c| !c.is_ascii_whitespace()))
}

/// Whether two values are equal once ASCII case, quotes, backslashes and white space are
/// ignored: the "near miss" of a value pasted with quotes or the wrong case.
pub(super) fn loose_eq(a: &[u8], b: &[u8]) -> bool {
    let keep = |c: &&u8| !(c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'\\'));
    a.iter()
        .filter(keep)
        .map(u8::to_ascii_lowercase)
        .eq(b.iter().filter(keep).map(u8::to_ascii_lowercase))
}

/// Whether a TXT value is an SPF record: `v=spf1` (any case) alone or followed by a space.
pub(super) fn is_spf(value: &[u8]) -> bool {
    const TAG: &[u8] = b"v=spf1";
    value.len() >= TAG.len()
        && value[..TAG.len()].eq_ignore_ascii_case(TAG)
        && value.get(TAG.len()).is_none_or(|&c| c == b' ')
}

/// Whether an SPF record contains `mechanism` as a term that passes (no qualifier or `+`).
pub(super) fn has_mechanism(spf: &[u8], mechanism: &str) -> bool {
    spf.split(|c| *c == b' ').any(|term| {
        let term = term.strip_prefix(b"+").unwrap_or(term);
        term.eq_ignore_ascii_case(mechanism.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spf_parsing() {
        assert!(is_spf(b"v=spf1 include:amazonses.com ~all"));
        assert!(is_spf(b"V=SPF1"));
        assert!(!is_spf(b"v=spf10 a"));
        assert!(!is_spf(b"\"v=spf1 a\""));
        assert!(has_mechanism(b"v=spf1 +include:AmazonSES.com -all", "include:amazonses.com"));
        assert!(!has_mechanism(b"v=spf1 ~include:amazonses.com -all", "include:amazonses.com"));
        assert!(!has_mechanism(
            b"v=spf1 include:amazonses.com.evil.com -all",
            "include:amazonses.com"
        ));
    }

    #[test]
    fn loose_equality() {
        assert!(loose_eq(b" \"ABC\" ", b"abc"));
        assert!(loose_eq(b"\\\"abc\\\"", b"abc"));
        assert!(!loose_eq(b"abd", b"abc"));
        assert!(eq_ignoring_space(b"v=DKIM1; k=rsa;  p=AB CD", b"v=DKIM1; k=rsa; p=ABCD"));
        assert!(!eq_ignoring_space(b"v=DKIM1; k=rsa; p=abcd", b"v=DKIM1; k=rsa; p=ABCD"));
    }
}
