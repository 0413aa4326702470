//! [`DomainStatus`]: what a domain can do, fed with reports over time.
//!
//! Verification is a small state machine:
//!
//! - **Pending** (since the setup was made or restarted) becomes **Verified** as soon as a
//!   report within [`VERIFICATION_WINDOW_HOURS`] finds the verification record. The first
//!   report after the window makes it **Failed** ([`FailureReason::NotPublishedInTime`])
//!   whatever it finds: a record published late verifies only after
//!   [`DomainStatus::restart`] starts a new window.
//! - **Verified** never falls back on a transient error (timeout, SERVFAIL, REFUSED) or on a
//!   single miss. It becomes **Failed** ([`FailureReason::RecordRemoved`]) only after
//!   [`DOWNGRADE_MISSES`] consecutive definitive misses spanning at least
//!   [`DOWNGRADE_SPAN_HOURS`] from the first of them. A report that finds the record resets the
//!   count; a transient error neither counts nor resets it.
//! - **Failed** stays failed until restarted, even if the record appears: the host decides
//!   when to try again.
//!
//! MX, DKIM and MAIL FROM each have a [`FeatureStatus`]: not configured, pending (not yet
//! published), valid (all its records found), or invalid (something wrong is published, or
//! records that were valid went missing by the same downgrade rule as verification).
//!
//! Time is always a parameter; the status never reads a clock.

use super::{DomainReport, DomainSetup, Purpose, RecordReport, Timestamp};
use crate::name::DomainName;
use crate::time::HOUR_MS;

/// How long a pending verification may wait for its record, in hours.
pub const VERIFICATION_WINDOW_HOURS: i64 = 72;
/// How many consecutive definitive misses can take a verified domain (or a valid feature) down.
pub const DOWNGRADE_MISSES: u32 = 3;
/// How long those misses must span, from the first to the last, in hours.
pub const DOWNGRADE_SPAN_HOURS: i64 = 72;

/// Why verification failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum FailureReason {
    /// The record was not published within the verification window.
    NotPublishedInTime,
    /// The record of a verified domain went missing and stayed missing.
    RecordRemoved,
}

/// Where a domain's verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "state", rename_all = "snake_case", deny_unknown_fields))]
#[non_exhaustive]
pub enum VerificationState {
    /// Waiting for the verification record.
    Pending {
        /// When the window started.
        since: Timestamp,
    },
    /// The record was found: mail may be sent from the domain.
    Verified {
        /// When it was first found.
        since: Timestamp,
    },
    /// Verification failed; restart it to try again.
    Failed {
        /// When it failed.
        at: Timestamp,
        /// Why.
        reason: FailureReason,
    },
}

/// The state of one feature's records (MX, DKIM or MAIL FROM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum FeatureStatus {
    /// The setup does not include it.
    NotConfigured,
    /// Configured, not yet published.
    Pending,
    /// All of its records are found.
    Valid,
    /// Something wrong is published, or valid records went missing.
    Invalid,
}

/// Why a report could not be applied to a status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// The report is about another domain.
    #[error(
        "the report is about {found}, but this status tracks {expected}: apply each report to its own domain's status"
    )]
    DomainMismatch {
        /// The domain the status tracks.
        expected: DomainName,
        /// The domain the report is about.
        found: DomainName,
    },
    /// The report is older than one already applied.
    #[error(
        "a report at {now} is older than the last one applied, at {last}: apply reports in time order"
    )]
    OutOfOrder {
        /// The time of the refused report.
        now: Timestamp,
        /// The time of the last report applied.
        last: Timestamp,
    },
    /// A stored status is inconsistent.
    #[error("the stored domain status is inconsistent ({reason}): rebuild it from the setup")]
    Invalid {
        /// What is inconsistent.
        reason: &'static str,
    },
}

impl StatusError {
    /// A stable, machine-readable code, e.g. `dns.status_out_of_order`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::DomainMismatch { .. } => "dns.status_domain_mismatch",
            Self::OutOfOrder { .. } => "dns.status_out_of_order",
            Self::Invalid { .. } => "dns.status_invalid",
        }
    }
}

/// Consecutive definitive misses, and when the first happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
struct MissStreak {
    count: u32,
    first: Option<Timestamp>,
}

impl MissStreak {
    fn record(&mut self, now: Timestamp) {
        if self.count == 0 {
            self.first = Some(now);
        }
        self.count = self.count.saturating_add(1);
    }

    fn reset(&mut self) {
        *self = Self::default();
    }

    /// Whether the streak is long enough, in count and in time, to downgrade.
    fn downgrades(&self, now: Timestamp) -> bool {
        self.count >= DOWNGRADE_MISSES
            && self.first.is_some_and(|f| now.millis_since(f) >= DOWNGRADE_SPAN_HOURS * HOUR_MS)
    }

    #[cfg(feature = "serde")]
    fn is_consistent(&self) -> bool {
        (self.count == 0) == self.first.is_none()
    }
}

/// A feature's status and its miss streak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
struct Feature {
    status: FeatureStatus,
    misses: MissStreak,
}

impl Feature {
    fn new(configured: bool) -> Self {
        let status = if configured { FeatureStatus::Pending } else { FeatureStatus::NotConfigured };
        Self { status, misses: MissStreak::default() }
    }

    fn observe(&mut self, seen: Option<Seen>, now: Timestamp) {
        match seen {
            None => *self = Self::new(false),
            Some(Seen::Found) => {
                self.status = FeatureStatus::Valid;
                self.misses.reset();
            }
            Some(Seen::Unknown) => {}
            Some(Seen::Miss { .. }) if self.status == FeatureStatus::Valid => {
                self.misses.record(now);
                if self.misses.downgrades(now) {
                    self.status = FeatureStatus::Invalid;
                    self.misses.reset();
                }
            }
            Some(Seen::Miss { mismatch }) => {
                self.status =
                    if mismatch { FeatureStatus::Invalid } else { FeatureStatus::Pending };
            }
        }
    }
}

/// What a report says about a group of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Found,
    Unknown,
    Miss { mismatch: bool },
}

/// Folds the entries of a group: any definitive miss wins, then any unknown, else found.
/// `None` when the report has no entries for the group.
fn seen<'a>(entries: impl Iterator<Item = &'a RecordReport>) -> Option<Seen> {
    let mut result = None;
    for e in entries {
        let status = e.status();
        let this = if status.is_found() {
            Seen::Found
        } else if status.is_unknown() {
            Seen::Unknown
        } else {
            Seen::Miss { mismatch: matches!(status, super::RecordStatus::Mismatch { .. }) }
        };
        result = Some(match (result, this) {
            (None, x) => x,
            (Some(Seen::Miss { mismatch: a }), Seen::Miss { mismatch: b }) => {
                Seen::Miss { mismatch: a || b }
            }
            (Some(m @ Seen::Miss { .. }), _) | (_, m @ Seen::Miss { .. }) => m,
            (Some(Seen::Unknown), _) | (_, Seen::Unknown) => Seen::Unknown,
            (Some(Seen::Found), Seen::Found) => Seen::Found,
        });
    }
    result
}

/// What a domain can do, kept up to date by feeding it reports and times.
///
/// ```
/// use email_routing::dns::{DomainSetup, DomainStatus, InMemoryDns, ProviderProfile,
///     Timestamp, VerificationState, VerificationToken};
/// let setup = DomainSetup::custom(
///     "customer.com".parse().unwrap(),
///     ProviderProfile::ses("us-east-1")?,
///     VerificationToken::new("tok")?,
/// )?;
/// let t0 = Timestamp::from_unix_millis(1_700_000_000_000).unwrap();
/// let mut status = DomainStatus::new(&setup, t0);
/// assert!(!status.can_send());
///
/// let mut dns = InMemoryDns::new();
/// dns.publish_all(setup.required_records());
/// let report = setup.check().run(&dns);
/// status.observe(&report, t0.plus_hours(1)).unwrap();
/// assert!(matches!(status.verification(), VerificationState::Verified { .. }));
/// assert!(status.can_send() && status.can_receive());
/// # Ok::<(), email_routing::dns::DnsSetupError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "StatusRepr", into = "StatusRepr"))]
pub struct DomainStatus {
    domain: DomainName,
    hosted: bool,
    verification: VerificationState,
    verification_misses: MissStreak,
    mx: Feature,
    dkim: Feature,
    mail_from: Feature,
    last_observed: Option<Timestamp>,
}

impl DomainStatus {
    /// The status of a setup made at `now`: a hosted subdomain is verified at once with a valid
    /// MX (the platform publishes its records); a custom domain starts pending.
    pub fn new(setup: &DomainSetup, now: Timestamp) -> Self {
        let hosted = setup.is_hosted();
        let (verification, mx) = if hosted {
            (
                VerificationState::Verified { since: now },
                Feature { status: FeatureStatus::Valid, misses: MissStreak::default() },
            )
        } else {
            (VerificationState::Pending { since: now }, Feature::new(setup.has_inbound_mx()))
        };
        Self {
            domain: setup.name().clone(),
            hosted,
            verification,
            verification_misses: MissStreak::default(),
            mx,
            dkim: Feature::new(setup.has_dkim() && !hosted),
            mail_from: Feature::new(setup.mail_from().is_some() && !hosted),
            last_observed: None,
        }
    }

    /// Applies a report made at `now`; returns whether any state changed.
    ///
    /// Reports must come in time order and be about this status's domain.
    pub fn observe(&mut self, report: &DomainReport, now: Timestamp) -> Result<bool, StatusError> {
        if report.domain() != &self.domain {
            return Err(StatusError::DomainMismatch {
                expected: self.domain.clone(),
                found: report.domain().clone(),
            });
        }
        if let Some(last) = self.last_observed
            && now < last
        {
            return Err(StatusError::OutOfOrder { now, last });
        }
        self.last_observed = Some(now);
        if self.hosted {
            return Ok(false);
        }
        let before = self.snapshot();
        self.observe_verification(seen(report.entries_for(Purpose::Verification)), now);
        self.mx.observe(seen(report.entries_for(Purpose::InboundMx)), now);
        self.dkim.observe(seen(report.entries_for(Purpose::Dkim)), now);
        let mail_from = report
            .entries()
            .iter()
            .filter(|e| matches!(e.record().purpose(), Purpose::MailFromMx | Purpose::MailFromSpf));
        self.mail_from.observe(seen(mail_from), now);
        Ok(self.snapshot() != before)
    }

    fn observe_verification(&mut self, seen: Option<Seen>, now: Timestamp) {
        // The window is a deadline: once 72 hours have passed without the record being seen,
        // the attempt has failed whatever this report says (then restart), so a record
        // published late verifies only through a fresh window.
        if let VerificationState::Pending { since } = self.verification
            && now.millis_since(since) >= VERIFICATION_WINDOW_HOURS * HOUR_MS
        {
            self.verification =
                VerificationState::Failed { at: now, reason: FailureReason::NotPublishedInTime };
            return;
        }
        let Some(seen) = seen else { return };
        match (self.verification, seen) {
            (VerificationState::Pending { .. }, Seen::Found) => {
                self.verification = VerificationState::Verified { since: now };
                self.verification_misses.reset();
            }
            (VerificationState::Verified { .. }, Seen::Found) => self.verification_misses.reset(),
            (VerificationState::Verified { .. }, Seen::Miss { .. }) => {
                self.verification_misses.record(now);
                if self.verification_misses.downgrades(now) {
                    self.verification =
                        VerificationState::Failed { at: now, reason: FailureReason::RecordRemoved };
                    self.verification_misses.reset();
                }
            }
            _ => {}
        }
    }

    fn snapshot(&self) -> (VerificationState, FeatureStatus, FeatureStatus, FeatureStatus) {
        (self.verification, self.mx.status, self.dkim.status, self.mail_from.status)
    }

    /// Starts a new verification window at `now` after a failure (or restarts a pending one).
    /// Returns `false`, changing nothing, for a verified domain.
    pub fn restart(&mut self, now: Timestamp) -> bool {
        if matches!(self.verification, VerificationState::Verified { .. }) {
            return false;
        }
        self.verification = VerificationState::Pending { since: now };
        self.verification_misses.reset();
        true
    }

    /// The domain tracked.
    pub fn domain(&self) -> &DomainName {
        &self.domain
    }

    /// Where verification stands.
    pub fn verification(&self) -> VerificationState {
        self.verification
    }

    /// When a pending verification fails if its record is still missing; `None` otherwise.
    pub fn verification_deadline(&self) -> Option<Timestamp> {
        match self.verification {
            VerificationState::Pending { since } => {
                Some(since.plus_hours(VERIFICATION_WINDOW_HOURS))
            }
            _ => None,
        }
    }

    /// How many definitive misses in a row a verified domain has had (0 after a find).
    pub fn consecutive_misses(&self) -> u32 {
        self.verification_misses.count
    }

    /// The inbound MX.
    pub fn mx(&self) -> FeatureStatus {
        self.mx.status
    }

    /// DKIM.
    pub fn dkim(&self) -> FeatureStatus {
        self.dkim.status
    }

    /// The custom MAIL FROM domain (MX and SPF together).
    pub fn mail_from(&self) -> FeatureStatus {
        self.mail_from.status
    }

    /// Whether mail may be sent from the domain: it is verified.
    pub fn can_send(&self) -> bool {
        matches!(self.verification, VerificationState::Verified { .. })
    }

    /// Whether the domain receives mail at the platform: verified, with a valid MX.
    pub fn can_receive(&self) -> bool {
        self.can_send() && self.mx.status == FeatureStatus::Valid
    }
}

/// The stored form of a [`DomainStatus`]; checked for consistency when read back.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusRepr {
    domain: DomainName,
    hosted: bool,
    verification: VerificationState,
    verification_misses: MissStreak,
    mx: Feature,
    dkim: Feature,
    mail_from: Feature,
    last_observed: Option<Timestamp>,
}

#[cfg(feature = "serde")]
impl TryFrom<StatusRepr> for DomainStatus {
    type Error = StatusError;
    fn try_from(r: StatusRepr) -> Result<Self, StatusError> {
        let streaks = [r.verification_misses, r.mx.misses, r.dkim.misses, r.mail_from.misses];
        if !streaks.iter().all(MissStreak::is_consistent) {
            return Err(StatusError::Invalid { reason: "a miss count without a first miss time" });
        }
        if r.hosted && !matches!(r.verification, VerificationState::Verified { .. }) {
            return Err(StatusError::Invalid { reason: "a hosted subdomain that is not verified" });
        }
        Ok(Self {
            domain: r.domain,
            hosted: r.hosted,
            verification: r.verification,
            verification_misses: r.verification_misses,
            mx: r.mx,
            dkim: r.dkim,
            mail_from: r.mail_from,
            last_observed: r.last_observed,
        })
    }
}

#[cfg(feature = "serde")]
impl From<DomainStatus> for StatusRepr {
    fn from(s: DomainStatus) -> Self {
        Self {
            domain: s.domain,
            hosted: s.hosted,
            verification: s.verification,
            verification_misses: s.verification_misses,
            mx: s.mx,
            dkim: s.dkim,
            mail_from: s.mail_from,
            last_observed: s.last_observed,
        }
    }
}
