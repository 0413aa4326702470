//! Inbound dispatch: which configured address a received message is for, and what happens to it.
//!
//! The host hands over what it received, as received: envelope recipients (`RCPT TO`), the
//! `To` and `Cc` header values, its scanner's verdict and the time. [`OrgEmailConfig::dispatch`]
//! decides, without I/O:
//!
//! 1. **Which address**: the first envelope recipient that is a configured address, else the
//!    first such address in `To`, else in `Cc`. Local parts compare case-insensitively
//!    ([`EmailAddress::routing_key`]). Recipients that do not parse are skipped and listed in
//!    the dispatch; they never stop it.
//! 2. **What happens**: a virus is disconnected, always, whatever the address. Spam follows the
//!    matched address's [`SpamPolicy`] and never takes the normal route. Clean mail takes the
//!    address's [`RoutingTarget`]: a queue, a flow, or not routed for an outbound-only address.
//!    Mail for no configured address is not routed.
//!
//! ```
//! use email_routing::*;
//! use email_routing::acd::Timestamp;
//! # let root: DomainName = "mail.example.net".parse()?;
//! # let mut org = OrgEmailConfig::new(root.clone());
//! # org.add_domain(Domain::custom("support.customer.com".parse()?))?;
//! # let help: EmailAddress = "help@support.customer.com".parse()?;
//! # org.add_route(AddressRoute::new(help, DisplayName::new("Help")?,
//! #     RoutingTarget::Flow { flow: FlowId::new("triage")? }))?;
//! let mail = InboundEmail::new(ScanVerdict::Clean, Timestamp::from_unix_millis(1_780_000_000_000)?)
//!     .with_envelope_recipient("not an address")
//!     .with_header_to("Customer Help <HELP@support.customer.com>");
//! let dispatch = org.dispatch(&mail);
//! assert_eq!(dispatch.matched().map(|m| m.field()), Some(RecipientField::To));
//! assert!(matches!(dispatch.action(), DispatchAction::Flow { reason: FlowReason::Route, .. }));
//! assert_eq!(dispatch.skipped().len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::hash::{BuildHasher, Hash};

use crate::acd::{AcdError, AcdQueue, Requirements, Timestamp};
use crate::address::{AddressError, EmailAddress};
use crate::config::{AddressRoute, OrgEmailConfig, QueueRoute, RoutingTarget, SpamPolicy};
use crate::ids::FlowId;
use crate::mailbox::parse_mailbox_list;

/// The host scanner's verdict on a received message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ScanVerdict {
    /// Nothing found.
    Clean,
    /// Suspected spam.
    Spam,
    /// Carries a virus.
    Virus,
}

/// Where a recipient was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RecipientField {
    /// The SMTP envelope (`RCPT TO`).
    Envelope,
    /// The `To` header.
    To,
    /// The `Cc` header.
    Cc,
    /// Blind copies (outbound drafts only: received mail carries no `Bcc` header to read).
    Bcc,
}

impl fmt::Display for RecipientField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecipientField::Envelope => "envelope",
            RecipientField::To => "To",
            RecipientField::Cc => "Cc",
            RecipientField::Bcc => "Bcc",
        })
    }
}

/// A received message, as far as routing is concerned: recipients as the host received them
/// (raw strings), the scanner's verdict, and when it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundEmail {
    envelope: Vec<String>,
    to: Vec<String>,
    cc: Vec<String>,
    verdict: ScanVerdict,
    received_at: Timestamp,
}

impl InboundEmail {
    /// A message with no recipients yet.
    pub fn new(verdict: ScanVerdict, received_at: Timestamp) -> Self {
        Self { envelope: Vec::new(), to: Vec::new(), cc: Vec::new(), verdict, received_at }
    }

    /// Adds one envelope recipient (`RCPT TO`), with or without angle brackets.
    pub fn with_envelope_recipient(mut self, recipient: impl Into<String>) -> Self {
        self.envelope.push(recipient.into());
        self
    }

    /// Adds a `To` header value: one address or a comma-separated list, display names allowed.
    pub fn with_header_to(mut self, value: impl Into<String>) -> Self {
        self.to.push(value.into());
        self
    }

    /// Adds a `Cc` header value: one address or a comma-separated list.
    pub fn with_header_cc(mut self, value: impl Into<String>) -> Self {
        self.cc.push(value.into());
        self
    }

    /// The scanner's verdict.
    pub fn verdict(&self) -> ScanVerdict {
        self.verdict
    }

    /// When the message arrived.
    pub fn received_at(&self) -> Timestamp {
        self.received_at
    }
}

/// A recipient that did not parse, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRecipient {
    field: RecipientField,
    raw: String,
    error: AddressError,
}

impl SkippedRecipient {
    /// Where it was found.
    pub fn field(&self) -> RecipientField {
        self.field
    }

    /// The raw text, as received.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Why it was skipped.
    pub fn error(&self) -> &AddressError {
        &self.error
    }
}

/// The configured address a message matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedAddress<'org> {
    recipient: EmailAddress,
    field: RecipientField,
    route: &'org AddressRoute,
    /// Where the subaddress detail starts in the recipient's local part, if it matched
    /// through its base address.
    detail_at: Option<usize>,
}

impl<'org> MatchedAddress<'org> {
    /// The recipient as written in the message.
    pub fn recipient(&self) -> &EmailAddress {
        &self.recipient
    }

    /// Where the recipient was found.
    pub fn field(&self) -> RecipientField {
        self.field
    }

    /// The configured route it matched.
    pub fn route(&self) -> &'org AddressRoute {
        self.route
    }

    /// The subaddress detail (RFC 5233) when the recipient reached the route through its base
    /// address: `ticket-4711` for `help+ticket-4711@...` with separator `+`
    /// ([`OrgEmailConfig::set_subaddress_separator`]); `None` for an exact match.
    pub fn detail(&self) -> Option<&str> {
        self.detail_at.and_then(|at| self.recipient.local_part().get(at..))
    }
}

/// Why a message is disconnected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// The scanner found a virus.
    Virus,
    /// Suspected spam, and the address's spam policy is to disconnect.
    Spam,
}

/// Why a message goes to a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FlowReason {
    /// Clean mail, routed to a flow.
    Route,
    /// Suspected spam, sent to the spam flow.
    Spam,
}

/// Why a message is not routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotRoutedReason {
    /// No recipient is a configured address.
    NoConfiguredAddress,
    /// The address is used to send only.
    OutboundOnly,
}

/// What happens to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DispatchAction<'org> {
    /// Dropped; no interaction is created.
    Disconnect {
        /// Why.
        reason: DisconnectReason,
    },
    /// Handed to a flow.
    Flow {
        /// The flow.
        flow: &'org FlowId,
        /// Why.
        reason: FlowReason,
    },
    /// Waits in an ACD queue.
    Queue(QueueDispatch<'org>),
    /// Not routed anywhere.
    NotRouted {
        /// Why.
        reason: NotRoutedReason,
    },
}

/// A message bound for an ACD queue, with the route's requirements and priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueDispatch<'org> {
    route: &'org QueueRoute,
    received_at: Timestamp,
}

impl<'org> QueueDispatch<'org> {
    /// The queue route: queue id, skills, language and priority.
    pub fn route(&self) -> &'org QueueRoute {
        self.route
    }

    /// When the message arrived; it waits from then.
    pub fn received_at(&self) -> Timestamp {
        self.received_at
    }

    /// The ACD requirements of the route: all its skills and its language.
    pub fn requirements(&self) -> Requirements {
        Requirements::new(self.route.skills().iter().cloned(), self.route.language().cloned())
    }

    /// Puts the interaction `id` into `queue` with the route's requirements and priority,
    /// waiting from [`received_at`](Self::received_at). The host keeps one [`AcdQueue`] per
    /// [`QueueId`](crate::QueueId) and picks it with [`route().queue()`](QueueRoute::queue).
    pub fn enqueue_into<Id, S>(&self, queue: &mut AcdQueue<Id, S>, id: Id) -> Result<(), AcdError>
    where
        Id: Hash + Eq + fmt::Debug,
        S: BuildHasher,
    {
        queue.enqueue(id, self.route.priority(), &self.requirements(), self.received_at)
    }
}

/// The outcome of [`OrgEmailConfig::dispatch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispatch<'org> {
    matched: Option<MatchedAddress<'org>>,
    action: DispatchAction<'org>,
    skipped: Vec<SkippedRecipient>,
}

impl<'org> Dispatch<'org> {
    /// The configured address the message matched, if any.
    pub fn matched(&self) -> Option<&MatchedAddress<'org>> {
        self.matched.as_ref()
    }

    /// What happens to the message.
    pub fn action(&self) -> &DispatchAction<'org> {
        &self.action
    }

    /// Recipients that did not parse, in the order they were examined.
    pub fn skipped(&self) -> &[SkippedRecipient] {
        &self.skipped
    }
}

impl OrgEmailConfig {
    /// Decides where a received message goes. Never fails and never panics: unparseable
    /// recipients are skipped and listed. See the [module docs](crate::inbound) for the rules.
    pub fn dispatch(&self, email: &InboundEmail) -> Dispatch<'_> {
        let mut skipped = Vec::new();
        let matched = self.find_recipient(email, &mut skipped);
        let action = match (email.verdict, &matched) {
            (ScanVerdict::Virus, _) => {
                DispatchAction::Disconnect { reason: DisconnectReason::Virus }
            }
            (_, None) => DispatchAction::NotRouted { reason: NotRoutedReason::NoConfiguredAddress },
            (ScanVerdict::Spam, Some(m)) => match m.route.spam_policy() {
                SpamPolicy::Disconnect => {
                    DispatchAction::Disconnect { reason: DisconnectReason::Spam }
                }
                SpamPolicy::RouteToFlow { flow } => {
                    DispatchAction::Flow { flow, reason: FlowReason::Spam }
                }
            },
            (ScanVerdict::Clean, Some(m)) => match m.route.routing() {
                RoutingTarget::Queue(route) => {
                    DispatchAction::Queue(QueueDispatch { route, received_at: email.received_at })
                }
                RoutingTarget::Flow { flow } => {
                    DispatchAction::Flow { flow, reason: FlowReason::Route }
                }
                RoutingTarget::OutboundOnly => {
                    DispatchAction::NotRouted { reason: NotRoutedReason::OutboundOnly }
                }
            },
        };
        Dispatch { matched, action, skipped }
    }

    /// The first configured recipient: envelope, then To, then Cc.
    fn find_recipient(
        &self,
        email: &InboundEmail,
        skipped: &mut Vec<SkippedRecipient>,
    ) -> Option<MatchedAddress<'_>> {
        for raw in &email.envelope {
            // Envelope recipients are single addresses, possibly in angle brackets.
            let bare = raw.trim().strip_prefix('<').and_then(|r| r.strip_suffix('>'));
            match EmailAddress::new(bare.unwrap_or(raw.trim())) {
                Ok(recipient) => {
                    if let Some(matched) = self.matched(recipient, RecipientField::Envelope) {
                        return Some(matched);
                    }
                }
                Err(error) => skipped.push(SkippedRecipient {
                    field: RecipientField::Envelope,
                    raw: raw.clone(),
                    error,
                }),
            }
        }
        for (field, values) in [(RecipientField::To, &email.to), (RecipientField::Cc, &email.cc)] {
            for value in values {
                for entry in parse_mailbox_list(value) {
                    match entry {
                        Ok(mailbox) => {
                            if let Some(matched) = self.matched(mailbox.into_address(), field) {
                                return Some(matched);
                            }
                        }
                        Err((raw, error)) => skipped.push(SkippedRecipient { field, raw, error }),
                    }
                }
            }
        }
        None
    }

    /// `recipient` as a match, if it reaches a route (exactly, or through its base address).
    fn matched(
        &self,
        recipient: EmailAddress,
        field: RecipientField,
    ) -> Option<MatchedAddress<'_>> {
        let (route, detail) = self.route_for_recipient(&recipient)?;
        let detail_at = detail.map(|d| recipient.local_part().len() - d.len());
        Some(MatchedAddress { recipient, field, route, detail_at })
    }
}
