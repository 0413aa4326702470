//! [`DomainStatus`]: what a domain can do, fed with reports over time.
//!
//! Verification is a small state machine:
//!
//! - **Pending** (since the setup was made or restarted) becomes **Verified** as soon as a
//!   report within the verification window
//!   ([`Limits::verification_window_hours`](crate::Limits::verification_window_hours), 72 by
//!   default) finds the verification record. The first report after the window makes it
//!   **Failed** ([`FailureReason::NotPublishedInTime`]) whatever it finds: a record published
//!   late verifies only after [`DomainStatus::restart`] starts a new window.
//! - **Verified** never falls back on a transient error (timeout, SERVFAIL, REFUSED) or, with
//!   the default limits, on a single miss. It becomes **Failed**
//!   ([`FailureReason::RecordRemoved`]) only after
//!   [`downgrade_misses`](crate::Limits::downgrade_misses) (3) consecutive definitive misses
//!   spanning at least [`downgrade_span_hours`](crate::Limits::downgrade_span_hours) (72)
//!   from the first of them. A report that finds the record resets the count; a transient
//!   error neither counts nor resets it.
//! - **Failed** stays failed until restarted, even if the record appears: the host decides
//!   when to try again.
//!
//! The three numbers are the platform's: [`DomainStatus::with_limits`] takes them from a
//! [`Limits`](crate::Limits) (the organization's:
//! [`OrgEmailConfig::limits`](crate::config::OrgEmailConfig::limits)), and the status keeps them,
//! stored ones included.
//!
//! MX, DKIM and MAIL FROM each have a [`FeatureStatus`]: not configured, pending (not yet
//! published), valid (all its records found), or invalid (something wrong is published, or
//! records that were valid went missing by the same downgrade rule as verification).
//!
//! Time is always a parameter; the status never reads a clock.

use super::{DomainReport, DomainSetup, Purpose, RecordReport};
use crate::Timestamp;
use crate::limits::{Limits, LimitsError};
use crate::name::DomainName;
use crate::time::HOUR_MS;

/// The status's share of the [`Limits`]: its verification window and downgrade rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
struct Windows {
    verification_window_hours: u32,
    downgrade_misses: u32,
    downgrade_span_hours: u32,
}

impl Windows {
    fn of(limits: &Limits) -> Self {
        Self {
            verification_window_hours: limits.verification_window_hours(),
            downgrade_misses: limits.downgrade_misses(),
            downgrade_span_hours: limits.downgrade_span_hours(),
        }
    }

    /// Checked by the rules of [`Limits`], as stored ones must be.
    #[cfg(feature = "serde")]
    fn check(self) -> Result<Self, LimitsError> {
        let limits = Limits::builder()
            .verification_window_hours(self.verification_window_hours)
            .downgrade_misses(self.downgrade_misses)
            .downgrade_span_hours(self.downgrade_span_hours)
            .build()?;
        Ok(Self::of(&limits))
    }

    #[cfg(feature = "serde")]
    fn is_default(&self) -> bool {
        *self == Self::of(&Limits::default())
    }

    /// Whether a miss streak is long enough, in count and in time, to downgrade.
    fn downgrades(self, streak: &MissStreak, now: Timestamp) -> bool {
        let span_ms = i64::from(self.downgrade_span_hours) * HOUR_MS;
        streak.count >= self.downgrade_misses
            && streak.first.is_some_and(|f| now.millis_since(f) >= span_ms)
    }
}

#[cfg(feature = "serde")]
impl Default for Windows {
    fn default() -> Self {
        Self::of(&Limits::default())
    }
}

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

impl FailureReason {
    /// A stable name: `not_published_in_time` or `record_removed`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotPublishedInTime => "not_published_in_time",
            Self::RecordRemoved => "record_removed",
        }
    }
}

impl std::fmt::Display for FailureReason {
    /// In an admin's words.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotPublishedInTime => {
                "the record was not published within the verification window"
            }
            Self::RecordRemoved => {
                "the record of the verified domain went missing and stayed missing"
            }
        })
    }
}

impl std::fmt::Display for VerificationState {
    /// `pending since …`, `verified since …` or `failed at …: why`, times in RFC 3339.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pending { since } => write!(f, "pending since {since}"),
            Self::Verified { since } => write!(f, "verified since {since}"),
            Self::Failed { at, reason } => write!(f, "failed at {at}: {reason}"),
        }
    }
}

impl FeatureStatus {
    /// A stable name: `not_configured`, `pending`, `valid` or `invalid`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotConfigured => "not_configured",
            Self::Pending => "pending",
            Self::Valid => "valid",
            Self::Invalid => "invalid",
        }
    }
}

impl std::fmt::Display for FeatureStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a report could not be applied to a status, or a stored status was refused when read
/// back.
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
    /// A stored status's limits break the rules of [`Limits`].
    #[error("the stored domain status's limits are refused: {0}")]
    Limits(LimitsError),
}

impl StatusError {
    /// A stable, machine-readable code, e.g. `dns.status_out_of_order`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::DomainMismatch { .. } => "dns.status_domain_mismatch",
            Self::OutOfOrder { .. } => "dns.status_out_of_order",
            Self::Invalid { .. } => "dns.status_invalid",
            Self::Limits(e) => e.code(),
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

    fn observe(&mut self, seen: Option<Seen>, now: Timestamp, windows: Windows) {
        match seen {
            None => *self = Self::new(false),
            Some(Seen::Found) => {
                self.status = FeatureStatus::Valid;
                self.misses.reset();
            }
            Some(Seen::Unknown) => {}
            Some(Seen::Miss { .. }) if self.status == FeatureStatus::Valid => {
                self.misses.record(now);
                if windows.downgrades(&self.misses, now) {
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
/// Its verification window and downgrade rule are the platform's [`Limits`]: the anchor
/// platform's with [`new`](Self::new), a plan's own with [`with_limits`](Self::with_limits).
/// The status keeps them; with `serde` they are stored with it (under `"limits"`, only when
/// they are not the defaults) and checked again when read back.
///
/// ```
/// use email_routing::Timestamp;
/// use email_routing::dns::{DomainSetup, DomainStatus, InMemoryDns, ProviderProfile, VerificationState, VerificationToken};
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
#[cfg_attr(feature = "serde", serde(try_from = "StoredStatus", into = "StoredStatus"))]
pub struct DomainStatus {
    domain: DomainName,
    hosted: bool,
    verification: VerificationState,
    verification_misses: MissStreak,
    mx: Feature,
    dkim: Feature,
    mail_from: Feature,
    last_observed: Option<Timestamp>,
    windows: Windows,
}

impl DomainStatus {
    /// The status of a setup made at `now`: a hosted subdomain is verified at once with a valid
    /// MX (the platform publishes its records); a custom domain starts pending. The windows
    /// are the anchor platform's ([`Limits::default`]).
    #[must_use]
    pub fn new(setup: &DomainSetup, now: Timestamp) -> Self {
        Self::with_limits(setup, now, &Limits::default())
    }

    /// As [`new`](Self::new), with the verification window and downgrade rule of `limits`
    /// ([`verification_window_hours`](Limits::verification_window_hours),
    /// [`downgrade_misses`](Limits::downgrade_misses),
    /// [`downgrade_span_hours`](Limits::downgrade_span_hours)), which the status keeps.
    ///
    /// ```
    /// use email_routing::{Limits, Timestamp};
    /// use email_routing::dns::{DomainSetup, DomainStatus, ProviderProfile, VerificationToken};
    /// let setup = DomainSetup::custom(
    ///     "customer.com".parse()?,
    ///     ProviderProfile::ses("us-east-1")?,
    ///     VerificationToken::new("tok")?,
    /// )?;
    /// let plan = Limits::builder().verification_window_hours(24).build()?;
    /// let t0 = Timestamp::from_unix_millis(1_700_000_000_000)?;
    /// let status = DomainStatus::with_limits(&setup, t0, &plan);
    /// assert_eq!(status.verification_deadline(), Some(t0.plus_hours(24)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_limits(setup: &DomainSetup, now: Timestamp, limits: &Limits) -> Self {
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
            windows: Windows::of(limits),
        }
    }

    /// Applies a report made at `now`; returns whether any state changed.
    ///
    /// Reports must come in time order and be about this status's domain.
    ///
    /// # Errors
    /// `dns.status_domain_mismatch` for another domain's report, `dns.status_out_of_order`
    /// for a report older than the last one applied.
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
        let windows = self.windows;
        self.observe_verification(seen(report.entries_for(Purpose::Verification)), now);
        self.mx.observe(seen(report.entries_for(Purpose::InboundMx)), now, windows);
        self.dkim.observe(seen(report.entries_for(Purpose::Dkim)), now, windows);
        let mail_from = report
            .entries()
            .iter()
            .filter(|e| matches!(e.record().purpose(), Purpose::MailFromMx | Purpose::MailFromSpf));
        self.mail_from.observe(seen(mail_from), now, windows);
        Ok(self.snapshot() != before)
    }

    fn observe_verification(&mut self, seen: Option<Seen>, now: Timestamp) {
        // The window is a deadline: once it has passed without the record being seen, the
        // attempt has failed whatever this report says (then restart), so a record published
        // late verifies only through a fresh window.
        let window_ms = i64::from(self.windows.verification_window_hours) * HOUR_MS;
        if let VerificationState::Pending { since } = self.verification
            && now.millis_since(since) >= window_ms
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
                if self.windows.downgrades(&self.verification_misses, now) {
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
    #[must_use]
    pub fn domain(&self) -> &DomainName {
        &self.domain
    }

    /// Where verification stands.
    #[must_use]
    pub fn verification(&self) -> VerificationState {
        self.verification
    }

    /// When a pending verification fails if its record is still missing; `None` otherwise.
    #[must_use]
    pub fn verification_deadline(&self) -> Option<Timestamp> {
        match self.verification {
            VerificationState::Pending { since } => {
                Some(since.plus_hours(i64::from(self.windows.verification_window_hours)))
            }
            _ => None,
        }
    }

    /// How many definitive misses in a row a verified domain has had (0 after a find).
    #[must_use]
    pub fn consecutive_misses(&self) -> u32 {
        self.verification_misses.count
    }

    /// The inbound MX.
    #[must_use]
    pub fn mx(&self) -> FeatureStatus {
        self.mx.status
    }

    /// DKIM.
    #[must_use]
    pub fn dkim(&self) -> FeatureStatus {
        self.dkim.status
    }

    /// The custom MAIL FROM domain (MX and SPF together).
    #[must_use]
    pub fn mail_from(&self) -> FeatureStatus {
        self.mail_from.status
    }

    /// Whether mail may be sent from the domain: it is verified.
    #[must_use]
    pub fn can_send(&self) -> bool {
        matches!(self.verification, VerificationState::Verified { .. })
    }

    /// Whether the domain receives mail at the platform: verified, with a valid MX.
    #[must_use]
    pub fn can_receive(&self) -> bool {
        self.can_send() && self.mx.status == FeatureStatus::Valid
    }
}

/// The stored form of a [`DomainStatus`]; checked for consistency when read back.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredStatus {
    domain: DomainName,
    hosted: bool,
    verification: VerificationState,
    verification_misses: MissStreak,
    mx: Feature,
    dkim: Feature,
    mail_from: Feature,
    last_observed: Option<Timestamp>,
    /// Written only when they are not the defaults; left out, the defaults.
    #[serde(default, rename = "limits", skip_serializing_if = "Windows::is_default")]
    windows: Windows,
}

#[cfg(feature = "serde")]
impl TryFrom<StoredStatus> for DomainStatus {
    type Error = StatusError;
    fn try_from(r: StoredStatus) -> Result<Self, StatusError> {
        let streaks = [r.verification_misses, r.mx.misses, r.dkim.misses, r.mail_from.misses];
        if !streaks.iter().all(MissStreak::is_consistent) {
            return Err(StatusError::Invalid { reason: "a miss count without a first miss time" });
        }
        if r.hosted && !matches!(r.verification, VerificationState::Verified { .. }) {
            return Err(StatusError::Invalid { reason: "a hosted subdomain that is not verified" });
        }
        let windows = r.windows.check().map_err(StatusError::Limits)?;
        Ok(Self {
            domain: r.domain,
            hosted: r.hosted,
            verification: r.verification,
            verification_misses: r.verification_misses,
            mx: r.mx,
            dkim: r.dkim,
            mail_from: r.mail_from,
            last_observed: r.last_observed,
            windows,
        })
    }
}

#[cfg(feature = "serde")]
impl From<DomainStatus> for StoredStatus {
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
            windows: s.windows,
        }
    }
}
