//! What a DNS lookup answered: the crate's own small answer types.
//!
//! Answers are untrusted input. They keep apart the three outcomes a check must never confuse:
//! the name does not exist ([`Answer::NoSuchName`], NXDOMAIN), the name exists without records
//! of the type ([`Answer::NoData`]), and the lookup did not finish ([`Answer::Failed`]: timeout,
//! SERVFAIL, REFUSED). Only the first two are evidence that a record is missing.
//!
//! TXT data is kept as raw bytes, as DNS delivers it, one entry per character-string; the check
//! joins the strings of a record before comparing.

use std::collections::HashMap;
use std::fmt;

use super::record::MAX_CHARACTER_STRING;
use super::{RecordName, RecordType};

/// One DNS question: a name and a record type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Query {
    name: RecordName,
    record_type: RecordType,
}

impl Query {
    /// A question for `record_type` records at `name`.
    #[must_use]
    pub fn new(name: RecordName, record_type: RecordType) -> Self {
        Self { name, record_type }
    }

    /// The name asked about.
    #[must_use]
    pub fn name(&self) -> &RecordName {
        &self.name
    }

    /// The record type asked for.
    #[must_use]
    pub fn record_type(&self) -> RecordType {
        self.record_type
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.record_type)
    }
}

/// The character-strings of one TXT record, as raw bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TxtData(Vec<Box<[u8]>>);

impl TxtData {
    /// TXT data from its character-strings, as a resolver delivers them. Any bytes and any
    /// lengths are accepted: this is what was found, not what should be.
    pub fn new<S: Into<Vec<u8>>>(strings: impl IntoIterator<Item = S>) -> Self {
        Self(strings.into_iter().map(|s| s.into().into_boxed_slice()).collect())
    }

    /// TXT data holding `value`, split into 255-byte character-strings as DNS stores it.
    pub fn from_value(value: &str) -> Self {
        if value.is_empty() {
            return Self(vec![Box::default()]);
        }
        Self(value.as_bytes().chunks(MAX_CHARACTER_STRING).map(Box::from).collect())
    }

    /// The character-strings.
    pub fn strings(&self) -> impl Iterator<Item = &[u8]> {
        self.0.iter().map(|s| &**s)
    }

    /// All character-strings joined into one value, the way TXT-based protocols (SPF, DKIM,
    /// verification tokens) read a record.
    #[must_use]
    pub fn joined(&self) -> Vec<u8> {
        self.0.concat()
    }

    /// The joined value, borrowed when there is only one character-string.
    pub(crate) fn joined_cow(&self) -> std::borrow::Cow<'_, [u8]> {
        match self.0.as_slice() {
            [one] => std::borrow::Cow::Borrowed(one),
            _ => std::borrow::Cow::Owned(self.joined()),
        }
    }

    /// The joined value as text, with invalid UTF-8 replaced by U+FFFD.
    #[must_use]
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.joined()).into_owned()
    }
}

/// The data of one answer record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordData {
    /// A TXT record.
    Txt(TxtData),
    /// An MX record.
    Mx {
        /// Lower is tried first.
        preference: u16,
        /// The mail exchanger host, as found (case and a trailing dot do not matter).
        exchange: String,
    },
    /// A CNAME record.
    Cname {
        /// The alias target, as found.
        target: String,
    },
    /// An SOA record: its owner is the apex of a zone.
    Soa {
        /// The zone's primary name server, as found.
        mname: String,
        /// The mailbox of the person responsible for the zone, in DNS form
        /// (`hostmaster.customer.com.`), as found.
        rname: String,
    },
}

impl RecordData {
    /// The record type of this data.
    #[must_use]
    pub fn record_type(&self) -> RecordType {
        match self {
            Self::Txt(_) => RecordType::Txt,
            Self::Mx { .. } => RecordType::Mx,
            Self::Cname { .. } => RecordType::Cname,
            Self::Soa { .. } => RecordType::Soa,
        }
    }
}

impl fmt::Display for RecordData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Txt(txt) => f.write_str(&txt.to_string_lossy()),
            Self::Mx { preference, exchange } => write!(f, "{preference} {exchange}"),
            Self::Cname { target } => f.write_str(target),
            Self::Soa { mname, rname } => write!(f, "{mname} {rname}"),
        }
    }
}

/// One record in an answer: its owner name and its data.
///
/// An answer to a TXT, MX or SOA question may hold CNAME records (the alias chain the resolver
/// followed) next to the records of the type asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AnswerRecord {
    name: String,
    data: RecordData,
}

impl AnswerRecord {
    /// A record owned by `name` (as found: case and a trailing dot do not matter).
    pub fn new(name: impl Into<String>, data: RecordData) -> Self {
        Self { name: name.into(), data }
    }

    /// A TXT record holding `value`, split into 255-byte strings.
    pub fn txt(name: impl Into<String>, value: &str) -> Self {
        Self::new(name, RecordData::Txt(TxtData::from_value(value)))
    }

    /// An MX record.
    pub fn mx(name: impl Into<String>, preference: u16, exchange: impl Into<String>) -> Self {
        Self::new(name, RecordData::Mx { preference, exchange: exchange.into() })
    }

    /// A CNAME record.
    pub fn cname(name: impl Into<String>, target: impl Into<String>) -> Self {
        Self::new(name, RecordData::Cname { target: target.into() })
    }

    /// An SOA record: `name` is the apex of a zone.
    pub fn soa(
        name: impl Into<String>,
        mname: impl Into<String>,
        rname: impl Into<String>,
    ) -> Self {
        Self::new(name, RecordData::Soa { mname: mname.into(), rname: rname.into() })
    }

    /// The owner name, as found.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The record data.
    #[must_use]
    pub fn data(&self) -> &RecordData {
        &self.data
    }
}

/// Why a lookup gave no answer. None of these says anything about whether a record exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum LookupFailure {
    /// No response arrived in time.
    #[error(
        "the DNS query timed out: check again later, or check that the name server is reachable"
    )]
    Timeout,
    /// The server answered SERVFAIL.
    #[error(
        "the DNS server failed to answer (SERVFAIL): check again later; if it persists, the zone's name servers may be misconfigured"
    )]
    ServerFailure,
    /// The server answered REFUSED.
    #[error("the DNS server refused the query (REFUSED): use a resolver that serves this zone")]
    Refused,
    /// The lookup failed for another reason (network error, malformed response).
    #[error("the DNS lookup failed ({detail}): check again later")]
    Other {
        /// What went wrong.
        detail: String,
    },
    /// The check was given no answer for this question.
    #[error("no answer was supplied for this query: run every query the check lists")]
    NotAsked,
}

impl LookupFailure {
    /// A stable, machine-readable code, e.g. `dns.lookup_timeout`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Timeout => "dns.lookup_timeout",
            Self::ServerFailure => "dns.lookup_servfail",
            Self::Refused => "dns.lookup_refused",
            Self::Other { .. } => "dns.lookup_error",
            Self::NotAsked => "dns.lookup_not_asked",
        }
    }
}

/// The outcome of one DNS lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// The server answered with records (an empty list means the same as [`Answer::NoData`]).
    Records(Vec<AnswerRecord>),
    /// The name exists but has no records of the type asked for.
    NoData,
    /// The name does not exist (NXDOMAIN).
    NoSuchName,
    /// The lookup did not finish: nothing is known.
    Failed(LookupFailure),
}

impl Answer {
    /// The answer records (empty unless [`Answer::Records`]).
    #[must_use]
    pub fn records(&self) -> &[AnswerRecord] {
        match self {
            Self::Records(records) => records,
            _ => &[],
        }
    }
}

/// The answers to a check's queries, keyed by query.
///
/// ```
/// use email_routing::dns::{Answer, AnswerRecord, Answers, Query, RecordName, RecordType};
/// let query = Query::new(RecordName::new("_amazonses.customer.com")?, RecordType::Txt);
/// let mut answers = Answers::new();
/// answers.insert(query.clone(), Answer::Records(vec![AnswerRecord::txt("_amazonses.customer.com.", "tok")]));
/// assert_eq!(answers.get(&query).map(|a| a.records().len()), Some(1));
/// # Ok::<(), email_routing::dns::DnsSetupError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers(HashMap<Query, Answer>);

impl Answers {
    /// No answers yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the answer to `query`, replacing an earlier one.
    pub fn insert(&mut self, query: Query, answer: Answer) {
        self.0.insert(query, answer);
    }

    /// The answer to `query`, if one was recorded.
    #[must_use]
    pub fn get(&self, query: &Query) -> Option<&Answer> {
        self.0.get(query)
    }

    /// How many answers are recorded.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no answer is recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every recorded query and answer, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&Query, &Answer)> {
        self.0.iter()
    }
}

impl FromIterator<(Query, Answer)> for Answers {
    fn from_iter<I: IntoIterator<Item = (Query, Answer)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl Extend<(Query, Answer)> for Answers {
    fn extend<I: IntoIterator<Item = (Query, Answer)>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}
