//! [`DomainReport`]: the outcome of checking a domain's records, one entry per required record.

use std::fmt;

use super::{Diagnostic, LookupFailure, Purpose, RelativeHost, RequiredRecord};
use crate::name::DomainName;

/// Why a record counts as missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Absence {
    /// The name does not exist at all (NXDOMAIN).
    NoSuchName,
    /// The name exists, without records of the type (NODATA).
    NoData,
    /// Records of the type exist, but none of the kind expected (TXT records, none of them SPF).
    NoneOfTheKind,
}

impl Absence {
    /// A stable name: `no_such_name`, `no_data` or `none_of_the_kind`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoSuchName => "no_such_name",
            Self::NoData => "no_data",
            Self::NoneOfTheKind => "none_of_the_kind",
        }
    }
}

impl fmt::Display for Absence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of one required record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "status", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RecordStatus {
    /// The record is published as required.
    Found,
    /// The record is not published.
    Missing {
        /// How it is missing.
        absence: Absence,
    },
    /// Something is published at the name, but not what is required.
    Mismatch {
        /// What was found (shortened, at most a few values).
        found: Vec<String>,
    },
    /// The lookup did not finish: nothing is known, which is never evidence of absence.
    Unknown {
        /// Why the lookup failed.
        failure: LookupFailure,
    },
}

impl RecordStatus {
    /// A stable name: `found`, `missing`, `mismatch` or `unknown`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Found => "found",
            Self::Missing { .. } => "missing",
            Self::Mismatch { .. } => "mismatch",
            Self::Unknown { .. } => "unknown",
        }
    }

    /// Whether the record is published as required.
    #[must_use]
    pub fn is_found(&self) -> bool {
        matches!(self, Self::Found)
    }

    /// Whether DNS definitively says the record is not right (missing or mismatched).
    #[must_use]
    pub fn is_definitive_miss(&self) -> bool {
        matches!(self, Self::Missing { .. } | Self::Mismatch { .. })
    }

    /// Whether the lookup failed.
    #[must_use]
    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown { .. })
    }
}

impl fmt::Display for RecordStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The check result for one required record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RecordReport {
    record: RequiredRecord,
    host: RelativeHost,
    status: RecordStatus,
    diagnostics: Vec<Diagnostic>,
}

impl RecordReport {
    pub(crate) fn new(
        record: RequiredRecord,
        host: RelativeHost,
        status: RecordStatus,
        diagnostics: Vec<Diagnostic>,
    ) -> Self {
        Self { record, host, status, diagnostics }
    }

    /// The required record.
    #[must_use]
    pub fn record(&self) -> &RequiredRecord {
        &self.record
    }

    /// The host to type into a DNS provider's form for this record: relative to the zone the
    /// check found ([`DomainReport::zone`]), or to the mail domain when none was found.
    #[must_use]
    pub fn host(&self) -> &RelativeHost {
        &self.host
    }

    /// Its state.
    #[must_use]
    pub fn status(&self) -> &RecordStatus {
        &self.status
    }

    /// What is wrong and what to change; empty when the record is found and nothing is amiss.
    #[must_use]
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

/// Counts of record states in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReportSummary {
    /// Records found.
    pub found: usize,
    /// Records missing.
    pub missing: usize,
    /// Records present with the wrong value.
    pub mismatched: usize,
    /// Records whose lookup failed.
    pub unknown: usize,
}

/// The outcome of checking a domain: one [`RecordReport`] per required record, in the order of
/// [`DomainSetup::required_records`](super::DomainSetup::required_records).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DomainReport {
    domain: DomainName,
    zone: Option<DomainName>,
    entries: Vec<RecordReport>,
}

impl DomainReport {
    pub(crate) fn new(
        domain: DomainName,
        zone: Option<DomainName>,
        entries: Vec<RecordReport>,
    ) -> Self {
        Self { domain, zone, entries }
    }

    /// The domain checked.
    #[must_use]
    pub fn domain(&self) -> &DomainName {
        &self.domain
    }

    /// The zone that holds the domain: the closest enclosing zone found from SOA answers
    /// (`customer.com` for `support.customer.com` kept in the `customer.com` zone; the domain
    /// itself when it is a zone's apex). `None` when no SOA answer settled it (a lookup
    /// failed or was not run); hosts are then relative to the domain, and say so.
    #[must_use]
    pub fn zone(&self) -> Option<&DomainName> {
        self.zone.as_ref()
    }

    /// One entry per required record.
    #[must_use]
    pub fn entries(&self) -> &[RecordReport] {
        &self.entries
    }

    /// The entries for records of one purpose.
    pub fn entries_for(&self, purpose: Purpose) -> impl Iterator<Item = &RecordReport> {
        self.entries.iter().filter(move |e| e.record.purpose() == purpose)
    }

    /// Every diagnostic, in record order.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.entries.iter().flat_map(|e| e.diagnostics.iter())
    }

    /// Whether every record is found.
    #[must_use]
    pub fn all_found(&self) -> bool {
        self.entries.iter().all(|e| e.status.is_found())
    }

    /// Whether every record marked required is found.
    #[must_use]
    pub fn required_found(&self) -> bool {
        self.entries.iter().filter(|e| e.record.is_required()).all(|e| e.status.is_found())
    }

    /// Counts of record states.
    #[must_use]
    pub fn summary(&self) -> ReportSummary {
        let mut s = ReportSummary::default();
        for e in &self.entries {
            match e.status {
                RecordStatus::Found => s.found += 1,
                RecordStatus::Missing { .. } => s.missing += 1,
                RecordStatus::Mismatch { .. } => s.mismatched += 1,
                RecordStatus::Unknown { .. } => s.unknown += 1,
            }
        }
        s
    }
}
