//! [`DomainCheck`]: the sans-I/O core. It lists the DNS queries a domain's records need, then
//! turns the answers into a [`DomainReport`].
//!
//! Besides one query per required record, the plan asks a few questions that only serve the
//! diagnostics: the TXT records at each DKIM CNAME name (a TXT where a CNAME belongs), and each
//! record's name with a zone appended once more (`_amazonses.support.customer.com.customer.com`,
//! what a DNS provider makes of a full name typed into its host field). The zones tried are the
//! domain itself and up to two of its parents. The plan is fixed when the check is made, so a
//! host may run the queries in any order, in parallel, or from a cache.
//!
//! Evaluation never fails and never panics: any answer, however odd, maps to found, missing,
//! mismatch or unknown for each record, and missing answers count as unknown.

use std::borrow::Cow;
use std::collections::HashMap;

use super::diagnostics::{capped, shorten, shown};
use super::names::{host_eq, is_zone_appended};
use super::{
    Absence, Answer, AnswerRecord, Answers, Diagnostic, DomainReport, DomainSetup, LookupFailure,
    Purpose, Query, RecordData, RecordName, RecordReport, RecordStatus, RecordType, RecordValue,
    RequiredRecord,
};
use crate::name::DomainName;

/// How many zones, from the domain upward, doubled names are looked for under.
pub const MAX_ZONE_GUESSES: usize = 3;

/// The queries for one required record, as indexes into the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Probe {
    /// The record's own name and type.
    primary: usize,
    /// For a CNAME record: TXT at the same name.
    sibling: Option<usize>,
    /// The record's type at the name with a zone appended, and that zone.
    doubled: Vec<(usize, DomainName)>,
}

/// The check of one domain's records: a fixed list of queries and an evaluation of their
/// answers.
///
/// ```
/// use email_routing::dns::{Answer, AnswerRecord, Answers, DomainSetup, ProviderProfile, VerificationToken};
/// let setup = DomainSetup::custom(
///     "customer.com".parse().unwrap(),
///     ProviderProfile::ses("us-east-1")?,
///     VerificationToken::new("tok")?,
/// )?;
/// let check = setup.check();
/// let mut answers = Answers::new();
/// for query in check.queries() {
///     let answer = match query.name().as_str() {
///         "_amazonses.customer.com" => Answer::Records(vec![AnswerRecord::txt("_amazonses.customer.com", "tok")]),
///         "customer.com" => Answer::Records(vec![AnswerRecord::mx("customer.com", 10, "inbound-smtp.us-east-1.amazonaws.com.")]),
///         _ => Answer::NoSuchName,
///     };
///     answers.insert(query.clone(), answer);
/// }
/// let report = check.evaluate(&answers);
/// assert!(report.all_found());
/// # Ok::<(), email_routing::dns::DnsSetupError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCheck {
    domain: DomainName,
    records: Vec<RequiredRecord>,
    spf_mechanism: Option<String>,
    probes: Vec<Probe>,
    queries: Vec<Query>,
}

impl DomainCheck {
    /// Plans the check of `setup`'s records.
    pub fn new(setup: &DomainSetup) -> Self {
        let domain = setup.name().clone();
        let records = setup.required_records().to_vec();
        let zones = zone_guesses(&domain);
        let mut plan = Plan::default();
        let probes = records
            .iter()
            .map(|r| {
                let rtype = r.record_type();
                let primary = plan.add(Query::new(r.name().clone(), rtype));
                let sibling = (rtype == RecordType::Cname)
                    .then(|| plan.add(Query::new(r.name().clone(), RecordType::Txt)));
                let doubled = zones
                    .iter()
                    .filter_map(|zone| {
                        let name = RecordName::new(&format!("{}.{zone}", r.name())).ok()?;
                        Some((plan.add(Query::new(name, rtype)), zone.clone()))
                    })
                    .collect();
                Probe { primary, sibling, doubled }
            })
            .collect();
        let spf_mechanism = setup.profile().mail_from().map(|m| m.spf_mechanism());
        Self { domain, records, spf_mechanism, probes, queries: plan.queries }
    }

    /// The domain checked.
    pub fn domain(&self) -> &DomainName {
        &self.domain
    }

    /// The records checked.
    pub fn records(&self) -> &[RequiredRecord] {
        &self.records
    }

    /// Every query the evaluation reads, each once.
    pub fn queries(&self) -> &[Query] {
        &self.queries
    }

    /// Evaluates the answers into a report with one entry per required record. A query
    /// without an answer makes its record unknown.
    pub fn evaluate(&self, answers: &Answers) -> DomainReport {
        let not_asked = Answer::Failed(LookupFailure::NotAsked);
        let answer =
            |i: usize| self.queries.get(i).and_then(|q| answers.get(q)).unwrap_or(&not_asked);
        let entries = self
            .records
            .iter()
            .zip(&self.probes)
            .map(|(record, probe)| self.evaluate_record(record, probe, &answer))
            .collect();
        DomainReport::new(self.domain.clone(), entries)
    }

    fn evaluate_record<'a>(
        &self,
        record: &RequiredRecord,
        probe: &Probe,
        answer: &impl Fn(usize) -> &'a Answer,
    ) -> RecordReport {
        let ctx = Ctx { record, spf_mechanism: self.spf_mechanism.as_deref() };
        let (records, absence) = match answer(probe.primary) {
            Answer::Failed(failure) => {
                let diagnostic = Diagnostic::LookupFailed {
                    name: record.name().to_string(),
                    record_type: record.record_type(),
                    failure: failure.clone(),
                };
                let status = RecordStatus::Unknown { failure: failure.clone() };
                return RecordReport::new(record.clone(), status, vec![diagnostic]);
            }
            Answer::NoSuchName => (&[][..], Absence::NoSuchName),
            other => (other.records(), Absence::NoData),
        };
        let (status, mut diagnostics) = match record.value() {
            RecordValue::Txt(expected) => ctx.txt(records, absence, expected),
            RecordValue::Mx { preference, exchange } => {
                ctx.mx(records, absence, *preference, exchange)
            }
            RecordValue::Cname(target) => {
                ctx.cname(records, absence, target, probe.sibling.map(answer))
            }
        };
        if status.is_definitive_miss()
            && let Some(found) = ctx.doubled(probe, answer)
        {
            diagnostics.retain(|d| !matches!(d, Diagnostic::Missing { .. }));
            diagnostics.insert(0, found);
        }
        RecordReport::new(record.clone(), status, diagnostics)
    }
}

/// Collects queries without repeats.
#[derive(Default)]
struct Plan {
    queries: Vec<Query>,
    index: HashMap<Query, usize>,
}

impl Plan {
    fn add(&mut self, query: Query) -> usize {
        if let Some(&i) = self.index.get(&query) {
            return i;
        }
        self.queries.push(query.clone());
        self.index.insert(query, self.queries.len() - 1);
        self.queries.len() - 1
    }
}

/// The zones a DNS provider may have appended: the domain and up to two parents.
fn zone_guesses(domain: &DomainName) -> Vec<DomainName> {
    std::iter::successors(Some(domain.clone()), DomainName::parent).take(MAX_ZONE_GUESSES).collect()
}

type Outcome = (RecordStatus, Vec<Diagnostic>);

/// One record under evaluation.
struct Ctx<'a> {
    record: &'a RequiredRecord,
    spf_mechanism: Option<&'a str>,
}

impl Ctx<'_> {
    fn name(&self) -> String {
        self.record.name().to_string()
    }

    fn missing(&self, absence: Absence) -> Outcome {
        let diagnostic = Diagnostic::Missing {
            name: self.name(),
            record_type: self.record.record_type(),
            host: self.record.host(),
            expected: self.record.value().to_string(),
        };
        (RecordStatus::Missing { absence }, vec![diagnostic])
    }

    fn cname_instead_of_txt(&self, records: &[AnswerRecord], expected: &str) -> Option<Diagnostic> {
        cname_targets(records).next().map(|target| Diagnostic::CnameInsteadOfTxt {
            name: self.name(),
            target: shorten(target),
            expected: expected.to_owned(),
        })
    }

    fn txt(&self, records: &[AnswerRecord], absence: Absence, expected: &str) -> Outcome {
        match (self.record.purpose(), self.spf_mechanism) {
            (Purpose::MailFromSpf, Some(mechanism)) => {
                self.spf(records, absence, expected, mechanism)
            }
            (Purpose::Verification, _) => self.verification(records, absence, expected),
            _ => self.txt_value(records, absence, expected),
        }
    }

    /// The verification token: exact match; other tokens may sit next to it.
    fn verification(&self, records: &[AnswerRecord], absence: Absence, expected: &str) -> Outcome {
        let txts = txt_values(records);
        if txts.iter().any(|t| **t == *expected.as_bytes()) {
            return (RecordStatus::Found, Vec::new());
        }
        let mut diagnostics: Vec<Diagnostic> =
            self.cname_instead_of_txt(records, expected).into_iter().collect();
        if txts.is_empty() {
            return match cname_targets(records).next() {
                Some(target) => (mismatch_cname(target), diagnostics),
                None => self.missing(absence),
            };
        }
        let found = capped(txts.iter().map(|t| shown(t)).collect());
        match txts.iter().find(|t| loose_eq(t, expected.as_bytes())) {
            Some(near) => diagnostics.push(self.near_miss(near, expected)),
            None => diagnostics.push(Diagnostic::VerificationOtherToken {
                name: self.name(),
                found: found.clone(),
                expected: expected.to_owned(),
            }),
        }
        (RecordStatus::Mismatch { found }, diagnostics)
    }

    /// A TXT value such as a DKIM key: exact, or equal but for white space (DKIM tag lists
    /// allow folding white space, RFC 6376 section 3.2).
    fn txt_value(&self, records: &[AnswerRecord], absence: Absence, expected: &str) -> Outcome {
        let txts = txt_values(records);
        if txts.iter().any(|t| eq_ignoring_space(t, expected.as_bytes())) {
            return (RecordStatus::Found, Vec::new());
        }
        let mut diagnostics: Vec<Diagnostic> =
            self.cname_instead_of_txt(records, expected).into_iter().collect();
        if txts.is_empty() {
            return match cname_targets(records).next() {
                Some(target) => (mismatch_cname(target), diagnostics),
                None => self.missing(absence),
            };
        }
        let found = capped(txts.iter().map(|t| shown(t)).collect());
        match txts.iter().find(|t| loose_eq(t, expected.as_bytes())) {
            Some(near) => diagnostics.push(self.near_miss(near, expected)),
            None => diagnostics.push(Diagnostic::ValueMismatch {
                name: self.name(),
                record_type: RecordType::Txt,
                expected: expected.to_owned(),
                found: found.clone(),
            }),
        }
        (RecordStatus::Mismatch { found }, diagnostics)
    }

    /// The MAIL FROM SPF record: exactly one SPF record, containing the provider's mechanism.
    fn spf(
        &self,
        records: &[AnswerRecord],
        absence: Absence,
        expected: &str,
        mechanism: &str,
    ) -> Outcome {
        let txts = txt_values(records);
        let spfs: Vec<&[u8]> = txts.iter().map(|t| &**t).filter(|t| is_spf(t)).collect();
        match spfs.as_slice() {
            [one] if has_mechanism(one, mechanism) => (RecordStatus::Found, Vec::new()),
            [one] => (
                RecordStatus::Mismatch { found: vec![shown(one)] },
                vec![Diagnostic::SpfMissingInclude {
                    name: self.name(),
                    found: shown(one),
                    mechanism: mechanism.to_owned(),
                    expected: expected.to_owned(),
                }],
            ),
            [] => {
                if let Some(near) = txts.iter().find(|t| loose_eq(t, expected.as_bytes())) {
                    let found = capped(txts.iter().map(|t| shown(t)).collect());
                    return (
                        RecordStatus::Mismatch { found },
                        vec![self.near_miss(near, expected)],
                    );
                }
                if let Some(target) = cname_targets(records).next() {
                    let diagnostics = self.cname_instead_of_txt(records, expected);
                    return (mismatch_cname(target), diagnostics.into_iter().collect());
                }
                if txts.is_empty() {
                    self.missing(absence)
                } else {
                    self.missing(Absence::NoneOfTheKind)
                }
            }
            many => {
                let found = capped(many.iter().map(|t| shown(t)).collect());
                let diagnostic = Diagnostic::SpfMultiple {
                    name: self.name(),
                    count: many.len(),
                    found: found.clone(),
                    mechanism: mechanism.to_owned(),
                };
                (RecordStatus::Mismatch { found }, vec![diagnostic])
            }
        }
    }

    fn near_miss(&self, found: &[u8], expected: &str) -> Diagnostic {
        Diagnostic::NearMiss {
            name: self.name(),
            expected: expected.to_owned(),
            found: shown(found),
        }
    }

    /// An MX: the platform's exchange must be there, and no other exchange may have the same
    /// or a better preference.
    fn mx(
        &self,
        records: &[AnswerRecord],
        absence: Absence,
        _preference: u16,
        exchange: &DomainName,
    ) -> Outcome {
        let expected = exchange.as_str();
        let mxs: Vec<(u16, &str)> = records
            .iter()
            .filter_map(|r| match r.data() {
                RecordData::Mx { preference, exchange } => Some((*preference, exchange.as_str())),
                _ => None,
            })
            .collect();
        if mxs.is_empty() {
            return self.missing(absence);
        }
        let show = |&(p, h): &(u16, &str)| shorten(&format!("{p} {h}"));
        let found = capped(mxs.iter().map(show).collect());
        let best = mxs.iter().filter(|(_, h)| host_eq(h, expected)).map(|(p, _)| *p).min();
        let relative_target = |h: &str| Diagnostic::RelativeTarget {
            name: self.name(),
            record_type: RecordType::Mx,
            found: shorten(h),
            expected: expected.to_owned(),
        };
        let Some(best) = best else {
            let diagnostic = match mxs.iter().find(|(_, h)| is_zone_appended(h, expected)) {
                Some((_, h)) => relative_target(h),
                None => Diagnostic::ValueMismatch {
                    name: self.name(),
                    record_type: RecordType::Mx,
                    expected: self.record.value().to_string(),
                    found: found.clone(),
                },
            };
            return (RecordStatus::Mismatch { found }, vec![diagnostic]);
        };
        let others: Vec<&(u16, &str)> =
            mxs.iter().filter(|(p, h)| *p <= best && !host_eq(h, expected)).collect();
        if others.is_empty() {
            return (RecordStatus::Found, Vec::new());
        }
        let mut diagnostics: Vec<Diagnostic> = others
            .iter()
            .find(|(_, h)| is_zone_appended(h, expected))
            .map(|(_, h)| relative_target(h))
            .into_iter()
            .collect();
        diagnostics.push(Diagnostic::CompetingMx {
            name: self.name(),
            expected: expected.to_owned(),
            preference: best,
            others: capped(others.into_iter().map(show).collect()),
        });
        (RecordStatus::Mismatch { found }, diagnostics)
    }

    /// A CNAME (DKIM delegation): the exact target; else what sits there instead.
    fn cname(
        &self,
        records: &[AnswerRecord],
        absence: Absence,
        target: &DomainName,
        sibling: Option<&Answer>,
    ) -> Outcome {
        let expected = target.as_str();
        let targets: Vec<&str> = cname_targets(records).collect();
        if targets.iter().any(|t| host_eq(t, expected)) {
            return (RecordStatus::Found, Vec::new());
        }
        if let Some(first) = targets.first() {
            let found = capped(targets.iter().map(|t| shorten(t)).collect());
            let diagnostic = match targets.iter().find(|t| is_zone_appended(t, expected)) {
                Some(t) => Diagnostic::RelativeTarget {
                    name: self.name(),
                    record_type: RecordType::Cname,
                    found: shorten(t),
                    expected: expected.to_owned(),
                },
                None if self.record.purpose() == Purpose::Dkim => Diagnostic::DkimWrongTarget {
                    name: self.name(),
                    found: shorten(first),
                    expected: expected.to_owned(),
                },
                None => Diagnostic::ValueMismatch {
                    name: self.name(),
                    record_type: RecordType::Cname,
                    expected: expected.to_owned(),
                    found: found.clone(),
                },
            };
            return (RecordStatus::Mismatch { found }, vec![diagnostic]);
        }
        let txts = txt_values(sibling.map(Answer::records).unwrap_or_default());
        if let Some(first) = txts.first() {
            let found = capped(txts.iter().map(|t| shown(t)).collect());
            let diagnostic = Diagnostic::TxtInsteadOfCname {
                name: self.name(),
                found: shown(first),
                expected: expected.to_owned(),
            };
            return (RecordStatus::Mismatch { found }, vec![diagnostic]);
        }
        self.missing(absence)
    }

    /// The first doubled name that holds the expected record, as a diagnostic.
    fn doubled<'a>(
        &self,
        probe: &Probe,
        answer: &impl Fn(usize) -> &'a Answer,
    ) -> Option<Diagnostic> {
        probe.doubled.iter().find_map(|(i, zone)| {
            let records = answer(*i).records();
            if !self.matches_expected(records) {
                return None;
            }
            let found_at = format!("{}.{zone}", self.record.name());
            Some(Diagnostic::DoubledName {
                name: self.name(),
                record_type: self.record.record_type(),
                found_at,
                zone: zone.to_string(),
                host: self.record.host_in_zone(zone).unwrap_or_else(|| self.record.host()),
            })
        })
    }

    /// Whether `records` hold the expected value (or a near miss of it).
    fn matches_expected(&self, records: &[AnswerRecord]) -> bool {
        match self.record.value() {
            RecordValue::Txt(expected) => txt_values(records).iter().any(|t| {
                loose_eq(t, expected.as_bytes())
                    || (self.record.purpose() == Purpose::MailFromSpf
                        && is_spf(t)
                        && self.spf_mechanism.is_some_and(|m| has_mechanism(t, m)))
            }),
            RecordValue::Mx { exchange, .. } => records.iter().any(|r| match r.data() {
                RecordData::Mx { exchange: found, .. } => {
                    host_eq(found, exchange.as_str()) || is_zone_appended(found, exchange.as_str())
                }
                _ => false,
            }),
            RecordValue::Cname(target) => cname_targets(records)
                .any(|t| host_eq(t, target.as_str()) || is_zone_appended(t, target.as_str())),
        }
    }
}

/// A mismatch showing the CNAME found where a TXT record belongs.
fn mismatch_cname(target: &str) -> RecordStatus {
    RecordStatus::Mismatch { found: vec![format!("CNAME {}", shorten(target))] }
}

/// The joined values of the TXT records in an answer.
fn txt_values(records: &[AnswerRecord]) -> Vec<Cow<'_, [u8]>> {
    records
        .iter()
        .filter_map(|r| match r.data() {
            RecordData::Txt(txt) => Some(txt.joined_cow()),
            _ => None,
        })
        .collect()
}

/// The targets of the CNAME records in an answer.
fn cname_targets(records: &[AnswerRecord]) -> impl Iterator<Item = &str> {
    records.iter().filter_map(|r| match r.data() {
        RecordData::Cname { target } => Some(target.as_str()),
        _ => None,
    })
}

/// Whether two values are equal once ASCII white space is dropped.
fn eq_ignoring_space(a: &[u8], b: &[u8]) -> bool {
    a == b
        || a.iter()
            .filter(|c| !c.is_ascii_whitespace())
            .eq(b.iter().filter(|c| !c.is_ascii_whitespace()))
}

/// Whether two values are equal once ASCII case, quotes, backslashes and white space are
/// ignored: the "near miss" of a value pasted with quotes or the wrong case.
fn loose_eq(a: &[u8], b: &[u8]) -> bool {
    let keep = |c: &&u8| !(c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'\\'));
    a.iter()
        .filter(keep)
        .map(u8::to_ascii_lowercase)
        .eq(b.iter().filter(keep).map(u8::to_ascii_lowercase))
}

/// Whether a TXT value is an SPF record: `v=spf1` (any case) alone or followed by a space.
fn is_spf(value: &[u8]) -> bool {
    const TAG: &[u8] = b"v=spf1";
    value.len() >= TAG.len()
        && value[..TAG.len()].eq_ignore_ascii_case(TAG)
        && value.get(TAG.len()).is_none_or(|&c| c == b' ')
}

/// Whether an SPF record contains `mechanism` as a term that passes (no qualifier or `+`).
fn has_mechanism(spf: &[u8], mechanism: &str) -> bool {
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

    #[test]
    fn zone_guesses_stop_at_two_labels() {
        let names = |d: &str| -> Vec<String> {
            zone_guesses(&d.parse().unwrap()).iter().map(|z| z.to_string()).collect()
        };
        assert_eq!(names("customer.com"), ["customer.com"]);
        assert_eq!(names("support.customer.com"), ["support.customer.com", "customer.com"]);
        assert_eq!(
            names("a.b.c.customer.com"),
            ["a.b.c.customer.com", "b.c.customer.com", "c.customer.com"]
        );
    }
}
