//! [`InboundPolicy`]: what the platform does with received mail given its verdicts, its kind
//! and its size. Every default is the safe one and the anchor platform's.

use super::AutoKind;

/// What happens to automatic mail of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum AutoAction {
    /// Drop it: no interaction. The default for every kind.
    #[default]
    Disconnect,
    /// Route it like a person's message.
    Process,
}

impl std::fmt::Display for AutoAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Disconnect => "disconnect",
            Self::Process => "process",
        })
    }
}

/// The longest authserv-id [`InboundPolicy::with_authserv_id`] takes, in octets: a host name's
/// limit (RFC 1035 section 2.3.4).
pub const MAX_AUTHSERV_ID_OCTETS: usize = 255;

/// Why an inbound policy was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InboundPolicyError {
    /// A size limit of zero would refuse every message.
    #[error("the inbound {field} is 0, which would refuse every message: give a positive limit")]
    ZeroLimit {
        /// The setting.
        field: &'static str,
    },
    /// The authserv-id is empty, longer than [`MAX_AUTHSERV_ID_OCTETS`], or holds white
    /// space, control or non-ASCII characters.
    #[error(
        "the authserv-id {value:?} is not one token of at most {MAX_AUTHSERV_ID_OCTETS} printable ASCII characters: give the host name your receiving MTA writes in Authentication-Results"
    )]
    InvalidAuthservId {
        /// The offending value.
        value: String,
    },
    /// The loop marker is empty, too long or holds control characters.
    #[error(
        "the loop marker {value:?} must be 1 to 200 printable characters: choose a fixed string naming the platform"
    )]
    InvalidLoopMarker {
        /// The offending value.
        value: String,
    },
}

impl InboundPolicyError {
    /// A stable, machine-readable code, e.g. `inbound_policy.zero_limit`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::ZeroLimit { .. } => "inbound_policy.zero_limit",
            Self::InvalidAuthservId { .. } => "inbound_policy.authserv_id_invalid",
            Self::InvalidLoopMarker { .. } => "inbound_policy.loop_marker_invalid",
        }
    }
}

/// The platform's decisions on received mail. See the README for every default; in short:
///
/// | setting | default | anchor behaviour |
/// |---|---|---|
/// | a virus found (`FAIL`) | disconnect, always | the same; not configurable |
/// | an inconclusive virus scan (`GRAY`, `PROCESSING_FAILED`) | disconnect | the same |
/// | spam found (`FAIL`) | the address's spam policy (a flow, or disconnect) | the same |
/// | DMARC `FAIL` with the sender's policy `reject` / `quarantine` | treated as spam | SES reports, the platform decides |
/// | automatic mail (every [`AutoKind`]) | disconnect | the same |
/// | mail `From` one of the organization's own addresses | disconnect (a loop) | not configurable |
/// | mail carrying the platform's `X-Loop` marker | disconnect (a loop) | when a marker is set |
/// | size as received | at most 40 MiB (41,943,040 octets), base64 included | SES: 40 MB |
/// | attachments | at most 50 | the same |
///
/// ```
/// use email_routing::inbound::{AutoAction, AutoKind, InboundPolicy};
/// let policy = InboundPolicy::default()
///     .with_auto_action(AutoKind::MailingList, AutoAction::Process)
///     .with_authserv_id("mx.support.example.net")?
///     .with_loop_marker("email-routing@example.net")?;
/// assert_eq!(policy.auto_action(AutoKind::MailingList), AutoAction::Process);
/// assert_eq!(policy.auto_action(AutoKind::AutoReply), AutoAction::Disconnect);
/// assert_eq!(policy.max_message_octets(), 40 * 1024 * 1024);
/// # Ok::<(), email_routing::inbound::InboundPolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "StoredInboundPolicy", into = "StoredInboundPolicy")
)]
pub struct InboundPolicy {
    disconnect_inconclusive_virus: bool,
    dmarc_reject_is_spam: bool,
    dmarc_quarantine_is_spam: bool,
    auto: [AutoAction; AutoKind::ALL.len()],
    authserv_id: Option<String>,
    loop_marker: Option<String>,
    max_message_octets: u64,
    max_attachments: usize,
}

impl Default for InboundPolicy {
    fn default() -> Self {
        Self {
            disconnect_inconclusive_virus: true,
            dmarc_reject_is_spam: true,
            dmarc_quarantine_is_spam: true,
            auto: [AutoAction::Disconnect; AutoKind::ALL.len()],
            authserv_id: None,
            loop_marker: None,
            max_message_octets: Self::DEFAULT_MAX_MESSAGE_OCTETS,
            max_attachments: Self::DEFAULT_MAX_ATTACHMENTS,
        }
    }
}

impl InboundPolicy {
    /// The default size limit: 40 MiB as received, base64 included.
    pub const DEFAULT_MAX_MESSAGE_OCTETS: u64 = 40 * 1024 * 1024;
    /// The default attachment limit: 50.
    pub const DEFAULT_MAX_ATTACHMENTS: usize = 50;

    /// Whether an inconclusive virus scan (`GRAY`, `PROCESSING_FAILED`) disconnects the
    /// message (default: yes). A virus found always disconnects.
    #[must_use]
    pub fn with_inconclusive_virus_disconnected(mut self, disconnect: bool) -> Self {
        self.disconnect_inconclusive_virus = disconnect;
        self
    }

    /// Whether DMARC `FAIL` counts as spam when the sender's policy is `reject` and when it is
    /// `quarantine` (default: both yes). Spam then follows the address's spam policy.
    #[must_use]
    pub fn with_dmarc_failure_as_spam(mut self, reject: bool, quarantine: bool) -> Self {
        self.dmarc_reject_is_spam = reject;
        self.dmarc_quarantine_is_spam = quarantine;
        self
    }

    /// What happens to automatic mail of `kind` (default: disconnect).
    #[must_use]
    pub fn with_auto_action(mut self, kind: AutoKind, action: AutoAction) -> Self {
        self.auto[kind_index(kind)] = action;
        self
    }

    /// Reads SPF, DKIM and DMARC from the `Authentication-Results` fields this receiving host
    /// wrote (RFC 8601: only its own authserv-id is trusted). Verdicts the message already has
    /// (from SES or the host) win over these.
    ///
    /// # Errors
    /// `inbound_policy.authserv_id_invalid` unless `id`, trimmed, is one token of 1 to
    /// [`MAX_AUTHSERV_ID_OCTETS`] printable ASCII characters (a host name, RFC 8601 section
    /// 2.5, as MTAs write it).
    pub fn with_authserv_id(mut self, id: &str) -> Result<Self, InboundPolicyError> {
        let id = id.trim();
        if id.is_empty()
            || id.len() > MAX_AUTHSERV_ID_OCTETS
            || !id.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(InboundPolicyError::InvalidAuthservId { value: id.to_owned() });
        }
        self.authserv_id = Some(id.to_owned());
        Ok(self)
    }

    /// The value the platform writes in an `X-Loop` field of every message it sends; a
    /// received message carrying it came back around and is disconnected.
    ///
    /// # Errors
    /// `inbound_policy.loop_marker_invalid` unless `marker` is 1 to 200 printable characters
    /// (spaces allowed inside).
    pub fn with_loop_marker(mut self, marker: &str) -> Result<Self, InboundPolicyError> {
        let marker = marker.trim();
        if marker.is_empty() || marker.chars().count() > 200 || marker.chars().any(char::is_control)
        {
            return Err(InboundPolicyError::InvalidLoopMarker { value: marker.to_owned() });
        }
        self.loop_marker = Some(marker.to_owned());
        Ok(self)
    }

    /// Sets the size limit, in octets as received.
    ///
    /// # Errors
    /// `inbound_policy.zero_limit` for 0.
    pub fn with_max_message_octets(mut self, max: u64) -> Result<Self, InboundPolicyError> {
        if max == 0 {
            return Err(InboundPolicyError::ZeroLimit { field: "max_message_octets" });
        }
        self.max_message_octets = max;
        Ok(self)
    }

    /// Sets the attachment limit.
    ///
    /// # Errors
    /// `inbound_policy.zero_limit` for 0 (a message with no attachments is always fine; a
    /// limit of 0 is not a limit a platform means).
    pub fn with_max_attachments(mut self, max: usize) -> Result<Self, InboundPolicyError> {
        if max == 0 {
            return Err(InboundPolicyError::ZeroLimit { field: "max_attachments" });
        }
        self.max_attachments = max;
        Ok(self)
    }

    /// Whether an inconclusive virus scan disconnects.
    #[must_use]
    pub fn disconnects_inconclusive_virus(&self) -> bool {
        self.disconnect_inconclusive_virus
    }

    /// Whether DMARC `FAIL` under the sender's `reject` policy counts as spam.
    #[must_use]
    pub fn dmarc_reject_is_spam(&self) -> bool {
        self.dmarc_reject_is_spam
    }

    /// Whether DMARC `FAIL` under the sender's `quarantine` policy counts as spam.
    #[must_use]
    pub fn dmarc_quarantine_is_spam(&self) -> bool {
        self.dmarc_quarantine_is_spam
    }

    /// What happens to automatic mail of `kind`.
    #[must_use]
    pub fn auto_action(&self, kind: AutoKind) -> AutoAction {
        self.auto[kind_index(kind)]
    }

    /// The trusted authserv-id, if set.
    #[must_use]
    pub fn authserv_id(&self) -> Option<&str> {
        self.authserv_id.as_deref()
    }

    /// The platform's loop marker, if set.
    #[must_use]
    pub fn loop_marker(&self) -> Option<&str> {
        self.loop_marker.as_deref()
    }

    /// The size limit, in octets as received.
    #[must_use]
    pub fn max_message_octets(&self) -> u64 {
        self.max_message_octets
    }

    /// The attachment limit.
    #[must_use]
    pub fn max_attachments(&self) -> usize {
        self.max_attachments
    }
}

fn kind_index(kind: AutoKind) -> usize {
    AutoKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// The stored shape of an [`InboundPolicy`]: every field optional, defaults as documented.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredInboundPolicy {
    #[serde(default = "yes")]
    disconnect_inconclusive_virus: bool,
    #[serde(default = "yes")]
    dmarc_reject_is_spam: bool,
    #[serde(default = "yes")]
    dmarc_quarantine_is_spam: bool,
    /// Per kind: `disconnect` or `process`; kinds not named keep the default.
    #[serde(default)]
    auto_generated: std::collections::BTreeMap<AutoKind, AutoAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    authserv_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    loop_marker: Option<String>,
    #[serde(default = "default_octets")]
    max_message_octets: u64,
    #[serde(default = "default_attachments")]
    max_attachments: usize,
}

#[cfg(feature = "serde")]
fn yes() -> bool {
    true
}

#[cfg(feature = "serde")]
fn default_octets() -> u64 {
    InboundPolicy::DEFAULT_MAX_MESSAGE_OCTETS
}

#[cfg(feature = "serde")]
fn default_attachments() -> usize {
    InboundPolicy::DEFAULT_MAX_ATTACHMENTS
}

#[cfg(feature = "serde")]
impl TryFrom<StoredInboundPolicy> for InboundPolicy {
    type Error = InboundPolicyError;
    fn try_from(s: StoredInboundPolicy) -> Result<Self, InboundPolicyError> {
        let mut policy = InboundPolicy::default()
            .with_inconclusive_virus_disconnected(s.disconnect_inconclusive_virus)
            .with_dmarc_failure_as_spam(s.dmarc_reject_is_spam, s.dmarc_quarantine_is_spam)
            .with_max_message_octets(s.max_message_octets)?
            .with_max_attachments(s.max_attachments)?;
        for (kind, action) in s.auto_generated {
            policy = policy.with_auto_action(kind, action);
        }
        if let Some(id) = s.authserv_id {
            policy = policy.with_authserv_id(&id)?;
        }
        if let Some(marker) = s.loop_marker {
            policy = policy.with_loop_marker(&marker)?;
        }
        Ok(policy)
    }
}

#[cfg(feature = "serde")]
impl From<InboundPolicy> for StoredInboundPolicy {
    fn from(p: InboundPolicy) -> Self {
        Self {
            disconnect_inconclusive_virus: p.disconnect_inconclusive_virus,
            dmarc_reject_is_spam: p.dmarc_reject_is_spam,
            dmarc_quarantine_is_spam: p.dmarc_quarantine_is_spam,
            auto_generated: AutoKind::ALL.iter().map(|&k| (k, p.auto_action(k))).collect(),
            authserv_id: p.authserv_id,
            loop_marker: p.loop_marker,
            max_message_octets: p.max_message_octets,
            max_attachments: p.max_attachments,
        }
    }
}
