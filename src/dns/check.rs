//! [`DomainCheck`]: the sans-I/O core. It lists the DNS queries a domain's records need, then
//! turns the answers into a [`DomainReport`].
//!
//! Besides one query per required record, the plan asks a few questions that only serve the
//! diagnostics: the TXT records at each DKIM CNAME name (a TXT where a CNAME belongs), the
//! CNAME at each other record's name (a CNAME where a TXT or MX must go: a resolver answers
//! NODATA when the alias's target has no records of the type, without the CNAME), each
//! record's name with a zone appended once more (`_amazonses.support.customer.com.customer.com`,
//! what a DNS provider makes of a full name typed into its host field; the zones tried are the
//! domain itself and up to two of its parents), and the SOA records of the domain and of every
//! parent with at least two labels. The plan is fixed when the check is made, so a host may run
//! the queries in any order, in parallel, or from a cache.
//!
//! # The zone
//!
//! An admin adds records in a DNS provider's form for one zone, typing hosts relative to it.
//! `support.customer.com` is usually not a zone of its own but a name in the `customer.com`
//! zone, where the MX's host is `support`, not `@` (which would be the whole company's apex).
//! The zone that holds a name is the closest enclosing zone (RFC 1034 section 4.3.2): the
//! longest of the name and its parents whose apex holds an SOA record (RFC 2181 section 6).
//! Evaluation walks the SOA answers from the domain upward and takes the first one that holds
//! an SOA record owned by the name asked about (an SOA reached through a CNAME, owned by
//! another name, does not count). A failed SOA lookup on the way stops the walk: the zone
//! could be the name whose answer is missing, so none is claimed. Every host in the report is
//! then relative to the zone found, or, without one, relative to the mail domain and marked so
//! ([`RelativeHost`](super::RelativeHost)). Zone cuts below the domain (a MAIL FROM subdomain
//! or `_domainkey` delegated to a zone of its own) are not looked for: every record is taken to
//! live in the domain's zone.
//!
//! Evaluation (in `evaluate.rs`) never fails and never panics: any answer, however odd, maps to found, missing,
//! mismatch or unknown for each record, and missing answers count as unknown.

use std::collections::HashMap;

use super::evaluate::{Ctx, Probe, ZoneProbe, evaluate_record};
use super::lookup::{AsyncDnsLookup, DnsLookup};
use super::names::host_eq;
use super::{
    Answer, Answers, DomainReport, DomainSetup, LookupFailure, Query, RecordData, RecordName,
    RecordType, RequiredRecord,
};
use crate::name::DomainName;

/// How many zones, from the domain upward, doubled names are looked for under.
pub const MAX_ZONE_GUESSES: usize = 3;

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
/// assert_eq!(report.zone(), None); // no SOA answer came back
/// # Ok::<(), email_routing::dns::DnsSetupError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCheck {
    domain: DomainName,
    records: Vec<RequiredRecord>,
    spf_mechanism: Option<String>,
    probes: Vec<Probe>,
    zone_probes: Vec<ZoneProbe>,
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
                let other = match rtype {
                    RecordType::Cname => RecordType::Txt,
                    _ => RecordType::Cname,
                };
                let sibling = plan.add(Query::new(r.name().clone(), other));
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
        // A setup without records (a hosted subdomain) needs no zone.
        let first = (!records.is_empty()).then(|| domain.clone());
        let zone_probes = std::iter::successors(first, DomainName::parent)
            .map(|apex| {
                let query = plan.add(Query::new(RecordName::of_domain(&apex), RecordType::Soa));
                ZoneProbe { query, apex }
            })
            .collect();
        let spf_mechanism = setup.profile().mail_from().map(|m| m.spf_mechanism());
        Self { domain, records, spf_mechanism, probes, zone_probes, queries: plan.queries }
    }

    /// The domain checked.
    #[must_use]
    pub fn domain(&self) -> &DomainName {
        &self.domain
    }

    /// The records checked.
    #[must_use]
    pub fn records(&self) -> &[RequiredRecord] {
        &self.records
    }

    /// Every query the evaluation reads, each once.
    #[must_use]
    pub fn queries(&self) -> &[Query] {
        &self.queries
    }

    /// Evaluates the answers into a report with one entry per required record and the zone
    /// found (see the module docs). A query without an answer makes its record unknown.
    #[must_use]
    pub fn evaluate(&self, answers: &Answers) -> DomainReport {
        let not_asked = Answer::Failed(LookupFailure::NotAsked);
        let answer =
            |i: usize| self.queries.get(i).and_then(|q| answers.get(q)).unwrap_or(&not_asked);
        let zone = self.zone(&answer);
        let entries = self
            .records
            .iter()
            .zip(&self.probes)
            .map(|(record, probe)| {
                let ctx = Ctx { record, spf_mechanism: self.spf_mechanism.as_deref(), zone };
                evaluate_record(&ctx, probe, &answer)
            })
            .collect();
        DomainReport::new(self.domain.clone(), zone.cloned(), entries)
    }

    /// The closest enclosing zone: the first apex, from the domain upward, whose answer holds
    /// an SOA record it owns; `None` when a lookup on the way failed or none holds one.
    fn zone<'a>(&self, answer: &impl Fn(usize) -> &'a Answer) -> Option<&DomainName> {
        for probe in &self.zone_probes {
            let records = match answer(probe.query) {
                Answer::Failed(_) => return None,
                other => other.records(),
            };
            let apex = records.iter().any(|r| {
                matches!(r.data(), RecordData::Soa { .. }) && host_eq(r.name(), probe.apex.as_str())
            });
            if apex {
                return Some(&probe.apex);
            }
        }
        None
    }

    /// Runs every query through `dns`, one after another, and evaluates the answers.
    pub fn run(&self, dns: &impl DnsLookup) -> DomainReport {
        let answers: Answers = self.queries().iter().map(|q| (q.clone(), dns.lookup(q))).collect();
        self.evaluate(&answers)
    }

    /// Runs every query through `dns` concurrently, and evaluates the answers.
    pub async fn run_async(&self, dns: &(impl AsyncDnsLookup + Sync)) -> DomainReport {
        let results =
            super::lookup::join_all(self.queries().iter().map(|q| dns.lookup(q)).collect()).await;
        let answers: Answers = self.queries().iter().cloned().zip(results).collect();
        self.evaluate(&answers)
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
