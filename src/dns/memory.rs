//! [`InMemoryDns`]: the embedded lookup, for tests, demos and hosts that keep their own copy
//! of a zone.
//!
//! Records are added in code ([`InMemoryDns::add`], [`InMemoryDns::publish_all`]) or loaded from
//! zone-file text ([`InMemoryDns::load_zone`]). Lookups behave like a recursive resolver:
//! NXDOMAIN for a name that does not exist (and has nothing under it), NODATA for a name with
//! other records, and CNAME chains followed for TXT, MX and SOA questions. SOA records sit at
//! zone apexes only, as in real DNS: declare one in code with [`InMemoryDns::add_zone`], or load
//! zone text (its SOA record, or its origin when it has none). Without any, a check finds no
//! zone and gives hosts relative to the mail domain. Transient failures can be simulated per
//! name or for every name.

use std::collections::{HashMap, HashSet};
use std::future::{Future, ready};

use super::names::trim_root;
use super::{
    Answer, AnswerRecord, AsyncDnsLookup, DnsLookup, LookupFailure, Query, RecordData, RecordType,
    RecordValue, RequiredRecord, TxtData,
};

/// The longest CNAME chain followed before giving up.
const MAX_CNAME_CHAIN: usize = 8;

/// An in-memory DNS: a set of records and simulated failures.
///
/// ```
/// use email_routing::dns::{Answer, InMemoryDns, LookupFailure, Query, RecordName, RecordType, DnsLookup};
/// let mut dns = InMemoryDns::new();
/// dns.add_txt("_amazonses.customer.com", "tok")
///     .add_mx("customer.com", 10, "inbound-smtp.us-east-1.amazonaws.com.");
/// let q = |n: &str, t| Query::new(RecordName::new(n).unwrap(), t);
/// assert_eq!(dns.lookup(&q("_amazonses.customer.com", RecordType::Txt)).records().len(), 1);
/// assert_eq!(dns.lookup(&q("customer.com", RecordType::Txt)), Answer::NoData);
/// assert_eq!(dns.lookup(&q("nothing.customer.com", RecordType::Txt)), Answer::NoSuchName);
/// dns.fail("customer.com", LookupFailure::Timeout);
/// assert_eq!(dns.lookup(&q("customer.com", RecordType::Mx)), Answer::Failed(LookupFailure::Timeout));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InMemoryDns {
    records: HashMap<String, Vec<RecordData>>,
    other_names: HashSet<String>,
    failures: HashMap<String, LookupFailure>,
    fail_all: Option<LookupFailure>,
}

/// A name as stored: lowercase, without the root dot.
fn key(name: &str) -> String {
    trim_root(name).to_ascii_lowercase()
}

impl InMemoryDns {
    /// No records.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a record at `name` (case and a trailing dot do not matter).
    pub fn add(&mut self, name: &str, data: RecordData) -> &mut Self {
        self.records.entry(key(name)).or_default().push(data);
        self
    }

    /// Adds a TXT record holding `value`, split into 255-byte strings.
    pub fn add_txt(&mut self, name: &str, value: &str) -> &mut Self {
        self.add(name, RecordData::Txt(TxtData::from_value(value)))
    }

    /// Adds an MX record.
    pub fn add_mx(&mut self, name: &str, preference: u16, exchange: &str) -> &mut Self {
        self.add(name, RecordData::Mx { preference, exchange: exchange.to_owned() })
    }

    /// Adds a CNAME record.
    pub fn add_cname(&mut self, name: &str, target: &str) -> &mut Self {
        self.add(name, RecordData::Cname { target: target.to_owned() })
    }

    /// Adds an SOA record, which makes `name` the apex of a zone.
    pub fn add_soa(&mut self, name: &str, mname: &str, rname: &str) -> &mut Self {
        self.add(name, RecordData::Soa { mname: mname.to_owned(), rname: rname.to_owned() })
    }

    /// Declares `apex` the apex of a zone: adds an SOA record there (primary name server
    /// `ns.<apex>.`, responsible mailbox `hostmaster.<apex>.`), as every zone has. A check of
    /// a domain at or under `apex` then gives hosts relative to it.
    ///
    /// ```
    /// use email_routing::dns::{DomainSetup, InMemoryDns, ProviderProfile, VerificationToken};
    /// let setup = DomainSetup::custom(
    ///     "support.customer.com".parse().unwrap(),
    ///     ProviderProfile::ses("us-east-1")?,
    ///     VerificationToken::new("tok")?,
    /// )?;
    /// let mut dns = InMemoryDns::new();
    /// dns.add_zone("customer.com");
    /// let report = setup.check().run(&dns);
    /// assert_eq!(report.zone().map(|z| z.as_str()), Some("customer.com"));
    /// assert_eq!(report.entries()[1].host().host(), "support"); // the MX, not "@"
    /// # Ok::<(), email_routing::dns::DnsSetupError>(())
    /// ```
    pub fn add_zone(&mut self, apex: &str) -> &mut Self {
        let apex = trim_root(apex);
        self.add_soa(apex, &format!("ns.{apex}."), &format!("hostmaster.{apex}."))
    }

    /// Publishes one required record exactly as asked.
    pub fn publish(&mut self, record: &RequiredRecord) -> &mut Self {
        let name = record.name().as_str();
        let data = match record.value() {
            RecordValue::Txt(text) => RecordData::Txt(TxtData::from_value(text)),
            RecordValue::Mx { preference, exchange } => {
                RecordData::Mx { preference: *preference, exchange: format!("{exchange}.") }
            }
            RecordValue::Cname(target) => RecordData::Cname { target: format!("{target}.") },
        };
        self.add(name, data)
    }

    /// Publishes every record of a setup.
    pub fn publish_all<'a>(
        &mut self,
        records: impl IntoIterator<Item = &'a RequiredRecord>,
    ) -> &mut Self {
        for r in records {
            self.publish(r);
        }
        self
    }

    /// Removes the records of `record_type` at `name`; returns how many there were.
    pub fn remove(&mut self, name: &str, record_type: RecordType) -> usize {
        let k = key(name);
        let Some(list) = self.records.get_mut(&k) else { return 0 };
        let before = list.len();
        list.retain(|d| d.record_type() != record_type);
        let removed = before - list.len();
        if list.is_empty() {
            self.records.remove(&k);
        }
        removed
    }

    /// Makes every lookup of `name` fail with `failure` (a simulated timeout, SERVFAIL...).
    pub fn fail(&mut self, name: &str, failure: LookupFailure) -> &mut Self {
        self.failures.insert(key(name), failure);
        self
    }

    /// Makes every lookup of every name fail with `failure` (a server that is down), or
    /// stops doing so with `None`.
    pub fn fail_all(&mut self, failure: Option<LookupFailure>) -> &mut Self {
        self.fail_all = failure;
        self
    }

    /// Stops simulating failures for `name`.
    pub fn heal(&mut self, name: &str) -> &mut Self {
        self.failures.remove(&key(name));
        self
    }

    /// Marks `name` as existing without records the checks read (an A or NS record).
    #[cfg(feature = "zone")]
    pub(crate) fn add_other(&mut self, name: &str) {
        self.other_names.insert(key(name));
    }

    /// How many TXT, MX, CNAME and SOA records are stored.
    pub fn len(&self) -> usize {
        self.records.values().map(Vec::len).sum()
    }

    /// Whether no record is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.records.is_empty() && self.other_names.is_empty()
    }

    /// Answers a query as a recursive resolver would.
    pub fn answer(&self, query: &Query) -> Answer {
        if let Some(failure) = &self.fail_all {
            return Answer::Failed(failure.clone());
        }
        let wanted = query.record_type();
        let mut name = query.name().as_str().to_owned();
        let mut chain = Vec::new();
        for _ in 0..=MAX_CNAME_CHAIN {
            if let Some(failure) = self.failures.get(&name) {
                return Answer::Failed(failure.clone());
            }
            let data = self.records.get(&name).map(Vec::as_slice).unwrap_or_default();
            let matching: Vec<AnswerRecord> = data
                .iter()
                .filter(|d| d.record_type() == wanted)
                .map(|d| AnswerRecord::new(format!("{name}."), d.clone()))
                .collect();
            if !matching.is_empty() {
                chain.extend(matching);
                return Answer::Records(chain);
            }
            let alias = data.iter().find_map(|d| match d {
                RecordData::Cname { target } if wanted != RecordType::Cname => Some(target),
                _ => None,
            });
            let Some(target) = alias else { break };
            chain.push(AnswerRecord::cname(format!("{name}."), target.clone()));
            name = key(target);
        }
        if !chain.is_empty() {
            Answer::Records(chain)
        } else if self.exists(query.name().as_str()) {
            Answer::NoData
        } else {
            Answer::NoSuchName
        }
    }

    /// Whether `name` has records of any type, or names under it do (an empty non-terminal).
    fn exists(&self, name: &str) -> bool {
        let under = |n: &String| crate::name::is_proper_subdomain(n, name);
        self.records.contains_key(name)
            || self.other_names.contains(name)
            || self.records.keys().any(under)
            || self.other_names.iter().any(under)
    }
}

impl DnsLookup for InMemoryDns {
    fn lookup(&self, query: &Query) -> Answer {
        self.answer(query)
    }
}

impl AsyncDnsLookup for InMemoryDns {
    fn lookup(&self, query: &Query) -> impl Future<Output = Answer> + Send {
        ready(self.answer(query))
    }
}
