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
//! Evaluation (in `evaluate.rs`) never fails and never panics: any answer, however odd, maps to found, missing,
//! mismatch or unknown for each record, and missing answers count as unknown.

use std::collections::HashMap;

use super::evaluate::evaluate_record;
use super::{
    Answer, Answers, DomainReport, DomainSetup, LookupFailure, Query, RecordName, RecordType,
    RequiredRecord,
};
use crate::name::DomainName;

/// How many zones, from the domain upward, doubled names are looked for under.
pub const MAX_ZONE_GUESSES: usize = 3;

/// The queries for one required record, as indexes into the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Probe {
    /// The record's own name and type.
    pub(super) primary: usize,
    /// For a CNAME record: TXT at the same name.
    pub(super) sibling: Option<usize>,
    /// The record's type at the name with a zone appended, and that zone.
    pub(super) doubled: Vec<(usize, DomainName)>,
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
            .map(|(record, probe)| {
                evaluate_record(record, probe, self.spf_mechanism.as_deref(), &answer)
            })
            .collect();
        DomainReport::new(self.domain.clone(), entries)
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

#[cfg(test)]
mod tests {
    use super::*;

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
