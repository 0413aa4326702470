//! Evaluation of one required record's answers: its status and the diagnostics that explain
//! it. Called by [`DomainCheck::evaluate`](super::DomainCheck::evaluate) for each record, with
//! the zone it found, so every host in a diagnostic is relative to that zone.

use super::compare::{
    cname_targets, eq_ignoring_space, has_mechanism, is_spf, loose_eq, txt_values,
};
use super::diagnostics::{capped, shorten, shown};
use super::names::{host_eq, is_zone_appended};
use super::{
    Absence, Answer, AnswerRecord, Diagnostic, Purpose, RecordData, RecordReport, RecordStatus,
    RecordType, RecordValue, RelativeHost, RequiredRecord,
};
use crate::name::DomainName;

/// The queries for one required record, as indexes into the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Probe {
    /// The record's own name and type.
    pub(super) primary: usize,
    /// The other kind at the same name: for a CNAME record, TXT (a TXT where the CNAME
    /// belongs); for any other record, CNAME (a CNAME in the way, which a resolver leaves out
    /// of an answer when the alias's target has no records of the type).
    pub(super) sibling: usize,
    /// The record's type at the name with a zone appended, and that zone.
    pub(super) doubled: Vec<(usize, DomainName)>,
}

/// The SOA question for one candidate zone apex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ZoneProbe {
    pub(super) query: usize,
    pub(super) apex: DomainName,
}

/// Evaluates one record: its own answer, then the diagnostic queries when it is not found.
pub(super) fn evaluate_record<'a>(
    ctx: &Ctx<'_>,
    probe: &Probe,
    answer: &impl Fn(usize) -> &'a Answer,
) -> RecordReport {
    let record = ctx.record;
    let (records, absence) = match answer(probe.primary) {
        Answer::Failed(failure) => {
            let diagnostic = Diagnostic::LookupFailed {
                name: record.name().to_string(),
                record_type: record.record_type(),
                failure: failure.clone(),
            };
            let status = RecordStatus::Unknown { failure: failure.clone() };
            return RecordReport::new(record.clone(), ctx.host(), status, vec![diagnostic]);
        }
        Answer::NoSuchName => (&[][..], Absence::NoSuchName),
        other => (other.records(), Absence::NoData),
    };
    let (mut status, mut diagnostics) = match record.value() {
        RecordValue::Txt(expected) => ctx.txt(records, absence, expected),
        RecordValue::Mx { exchange, .. } => ctx.mx(records, absence, exchange),
        RecordValue::Cname(target) => ctx.cname(records, absence, target, answer(probe.sibling)),
    };
    // One rule for every record that is not itself a CNAME: when the expected value is not
    // reachable and a CNAME sits at the name (in the answer's chain, or asked for directly),
    // the CNAME has to go before the record can be added (RFC 1034 section 3.6.2, RFC 2181
    // section 10.1). What sits there is the CNAME.
    if status.is_definitive_miss()
        && record.record_type() != RecordType::Cname
        && let Some(target) =
            cname_targets(records).chain(cname_targets(answer(probe.sibling).records())).next()
    {
        if matches!(status, RecordStatus::Missing { .. }) {
            status = RecordStatus::Mismatch { found: vec![format!("CNAME {}", shorten(target))] };
            diagnostics.retain(|d| !matches!(d, Diagnostic::Missing { .. }));
        }
        diagnostics.insert(0, ctx.cname_conflict(target));
    }
    if status.is_definitive_miss()
        && let Some(found) = ctx.doubled(probe, answer)
    {
        diagnostics.retain(|d| !matches!(d, Diagnostic::Missing { .. }));
        diagnostics.insert(0, found);
    }
    RecordReport::new(record.clone(), ctx.host(), status, diagnostics)
}

type Outcome = (RecordStatus, Vec<Diagnostic>);

/// One record under evaluation, with what the whole check knows.
pub(super) struct Ctx<'a> {
    pub(super) record: &'a RequiredRecord,
    pub(super) spf_mechanism: Option<&'a str>,
    /// The zone found from SOA answers, if any.
    pub(super) zone: Option<&'a DomainName>,
}

impl Ctx<'_> {
    fn name(&self) -> String {
        self.record.name().to_string()
    }

    /// The host to type, relative to the zone found (or to the mail domain, marked so).
    fn host(&self) -> RelativeHost {
        self.record.relative_host(self.zone)
    }

    fn missing(&self, absence: Absence) -> Outcome {
        let diagnostic = Diagnostic::Missing {
            name: self.name(),
            record_type: self.record.record_type(),
            host: self.host(),
            expected: self.record.value().to_string(),
        };
        (RecordStatus::Missing { absence }, vec![diagnostic])
    }

    fn cname_conflict(&self, target: &str) -> Diagnostic {
        Diagnostic::CnameConflict {
            name: self.name(),
            record_type: self.record.record_type(),
            target: shorten(target),
            host: self.host(),
            expected: self.record.value().to_string(),
        }
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
        self.txt_against(
            records,
            absence,
            expected,
            |found, wanted| found == wanted,
            |found| Diagnostic::VerificationOtherToken {
                name: self.name(),
                found,
                host: self.host(),
                expected: expected.to_owned(),
            },
        )
    }

    /// A TXT value such as a DKIM key: exact, or equal but for white space (DKIM tag lists
    /// allow folding white space, RFC 6376 section 3.2).
    fn txt_value(&self, records: &[AnswerRecord], absence: Absence, expected: &str) -> Outcome {
        self.txt_against(records, absence, expected, eq_ignoring_space, |found| {
            Diagnostic::ValueMismatch {
                name: self.name(),
                record_type: RecordType::Txt,
                expected: expected.to_owned(),
                found,
            }
        })
    }

    /// The TXT comparison both share: found when `matches`; otherwise a near miss (case,
    /// quotes, white space), or `otherwise` with what was found.
    fn txt_against(
        &self,
        records: &[AnswerRecord],
        absence: Absence,
        expected: &str,
        matches: impl Fn(&[u8], &[u8]) -> bool,
        otherwise: impl FnOnce(Vec<String>) -> Diagnostic,
    ) -> Outcome {
        let txts = txt_values(records);
        if txts.iter().any(|t| matches(t, expected.as_bytes())) {
            return (RecordStatus::Found, Vec::new());
        }
        if txts.is_empty() {
            return self.missing(absence);
        }
        let found = capped(txts.iter().map(|t| shown(t)).collect());
        let diagnostic = match txts.iter().find(|t| loose_eq(t, expected.as_bytes())) {
            Some(near) => self.near_miss(near, expected),
            None => otherwise(found.clone()),
        };
        (RecordStatus::Mismatch { found }, vec![diagnostic])
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
    fn mx(&self, records: &[AnswerRecord], absence: Absence, exchange: &DomainName) -> Outcome {
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
        sibling: &Answer,
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
        let txts = txt_values(sibling.records());
        if let Some(first) = txts.first() {
            let found = capped(txts.iter().map(|t| shown(t)).collect());
            let diagnostic = Diagnostic::TxtInsteadOfCname {
                name: self.name(),
                found: shown(first),
                host: self.host(),
                expected: expected.to_owned(),
            };
            return (RecordStatus::Mismatch { found }, vec![diagnostic]);
        }
        self.missing(absence)
    }

    /// The first doubled name that holds the expected record, as a diagnostic: the zone
    /// found is tried first, then the other guesses from the domain upward. The host is
    /// relative to the zone found; without one, to the zone that was appended (the evidence
    /// of which zone the admin edits), marked as not found.
    fn doubled<'a>(
        &self,
        probe: &Probe,
        answer: &impl Fn(usize) -> &'a Answer,
    ) -> Option<Diagnostic> {
        let is_found = |zone: &DomainName| Some(zone) == self.zone;
        let found_first = probe.doubled.iter().filter(|(_, z)| is_found(z));
        let others = probe.doubled.iter().filter(|(_, z)| !is_found(z));
        found_first.chain(others).find_map(|(i, zone)| {
            let records = answer(*i).records();
            if !self.matches_expected(records) {
                return None;
            }
            let found_at = format!("{}.{zone}", self.record.name());
            let host = match self.zone {
                Some(_) => self.host(),
                None => self.record.host_relative_to(zone),
            };
            Some(Diagnostic::DoubledName {
                name: self.name(),
                record_type: self.record.record_type(),
                found_at,
                zone: zone.to_string(),
                host,
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
