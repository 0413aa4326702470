//! [`Verdict`], [`DmarcPolicy`] and [`Verdicts`]: what the receiving side found out about a
//! message before it is routed.
//!
//! The vocabulary is the one Amazon SES writes in its receipt notifications (`PASS`, `FAIL`,
//! `GRAY`, `PROCESSING_FAILED`, `DISABLED`), which also fits what a host's own scanner and
//! RFC 8601 `Authentication-Results` say (see [`AuthenticationResults`](super::AuthenticationResults)
//! for how those map onto it).

use std::fmt;

/// The outcome of one check (spam, virus, SPF, DKIM or DMARC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Verdict {
    /// The check passed: no spam or virus found; SPF, DKIM or DMARC passed.
    Pass,
    /// The check failed: spam or a virus found; SPF, DKIM or DMARC failed.
    Fail,
    /// Inconclusive: the check ran and could not decide (SES `GRAY`; SPF `softfail`,
    /// `neutral` or `none`).
    Gray,
    /// The check could not run (SES `PROCESSING_FAILED`; RFC 8601 `temperror`,
    /// `permerror`).
    ProcessingFailed,
    /// The check was not run (SES `DISABLED`, or no result was given). The default.
    #[default]
    Disabled,
}

impl Verdict {
    /// A stable name: `pass`, `fail`, `gray`, `processing_failed` or `disabled`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Gray => "gray",
            Self::ProcessingFailed => "processing_failed",
            Self::Disabled => "disabled",
        }
    }

    /// The verdict an SES receipt notification writes as `status`: `PASS`, `FAIL`, `GRAY`,
    /// `PROCESSING_FAILED` or `DISABLED` (ASCII case ignored); `None` for anything else.
    #[must_use]
    pub fn from_ses(status: &str) -> Option<Self> {
        [
            ("PASS", Self::Pass),
            ("FAIL", Self::Fail),
            ("GRAY", Self::Gray),
            ("PROCESSING_FAILED", Self::ProcessingFailed),
            ("DISABLED", Self::Disabled),
        ]
        .into_iter()
        .find_map(|(name, verdict)| status.eq_ignore_ascii_case(name).then_some(verdict))
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The policy a sender's domain publishes for mail that fails DMARC (RFC 7489 6.3, `p=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum DmarcPolicy {
    /// `none`: monitor only.
    None,
    /// `quarantine`: treat failing mail as suspicious.
    Quarantine,
    /// `reject`: refuse failing mail.
    Reject,
}

impl DmarcPolicy {
    /// `none`, `quarantine` or `reject`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Quarantine => "quarantine",
            Self::Reject => "reject",
        }
    }

    /// The policy named `text` (ASCII case ignored), as DMARC records, SES (`dmarcPolicy`) and
    /// `Authentication-Results` comments write it.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [("none", Self::None), ("quarantine", Self::Quarantine), ("reject", Self::Reject)]
            .into_iter()
            .find_map(|(name, policy)| text.eq_ignore_ascii_case(name).then_some(policy))
    }
}

impl fmt::Display for DmarcPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every verdict on one message. The default is every check [`Verdict::Disabled`], no policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct Verdicts {
    /// The spam scan.
    pub spam: Verdict,
    /// The virus scan.
    pub virus: Verdict,
    /// SPF (RFC 7208) for the envelope sender.
    pub spf: Verdict,
    /// DKIM (RFC 6376): `Pass` when any signature verified.
    pub dkim: Verdict,
    /// DMARC (RFC 7489) for the From domain.
    pub dmarc: Verdict,
    /// The From domain's DMARC policy, when known (SES gives it only when DMARC fails).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub dmarc_policy: Option<DmarcPolicy>,
}

impl Verdicts {
    /// Every check disabled: what a message carries until the host says otherwise.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// Scans that found nothing: spam and virus [`Verdict::Pass`], authentication not run.
    #[must_use]
    pub fn clean() -> Self {
        Self { spam: Verdict::Pass, virus: Verdict::Pass, ..Self::default() }
    }
}
