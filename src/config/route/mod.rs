//! [`AddressRoute`]: one configured email address and everything about it: who the mail appears
//! to come from, who is copied, where incoming mail goes and what happens to spam.

use std::collections::BTreeSet;

use crate::address::{DisplayName, EmailAddress};
use crate::config::{ConfigError, HistoryMode, Signature};
use crate::ids::{FlowId, Language, Priority, QueueId, Skill};

#[cfg(feature = "serde")]
mod stored;

/// Where clean incoming mail to an address goes.
///
/// Written as an object whose `type` says which: `{"type": "queue", "queue": …}` (the
/// [`QueueRoute`]'s fields beside `type`), `{"type": "flow", "flow": …}` or
/// `{"type": "outbound_only"}`. A field the type does not have is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", tag = "type", try_from = "stored::StoredRoutingTarget")
)]
#[non_exhaustive]
pub enum RoutingTarget {
    /// Into an ACD queue, to wait for an agent with the skills and language.
    Queue(QueueRoute),
    /// Into an automation flow.
    Flow {
        /// The flow that receives the mail.
        flow: FlowId,
    },
    /// Nowhere: the address is used to send only. Incoming mail is not routed.
    OutboundOnly,
}

/// A route into an ACD queue: the queue, the skills an agent needs, an optional language, and
/// the priority the interaction starts with.
///
/// How many skills a route may require is the platform's plan
/// ([`Limits::max_route_skills`](crate::Limits::max_route_skills), 32 by default), which a
/// route on its own does not know: the organization checks the count when the route is added
/// or updated (`route.too_many_skills`).
///
/// ```
/// use email_routing::config::QueueRoute;
/// use email_routing::{IdError, Language, Priority, QueueId, Skill};
/// let route = QueueRoute::new(QueueId::new("support")?)
///     .with_skills([Skill::new("billing")?, Skill::new("billing")?])
///     .with_language(Language::new("en")?)
///     .with_priority(Priority::new(10)?);
/// assert_eq!(route.skills().len(), 1);
/// # Ok::<(), IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(from = "stored::StoredQueueRoute"))]
pub struct QueueRoute {
    queue: QueueId,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "BTreeSet::is_empty"))]
    skills: BTreeSet<Skill>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    language: Option<Language>,
    #[cfg_attr(feature = "serde", serde(default))]
    priority: Priority,
}

impl QueueRoute {
    /// A route into `queue`, no skills, no language, priority 0.
    #[must_use]
    pub fn new(queue: QueueId) -> Self {
        Self { queue, skills: BTreeSet::new(), language: None, priority: Priority::default() }
    }

    /// Requires these skills (duplicates collapse). The count is held to the organization's
    /// [`Limits::max_route_skills`](crate::Limits::max_route_skills) when the route is added
    /// to it.
    #[must_use]
    pub fn with_skills(mut self, skills: impl IntoIterator<Item = Skill>) -> Self {
        self.skills = skills.into_iter().collect();
        self
    }

    /// Requires an agent who speaks `language`.
    #[must_use]
    pub fn with_language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Sets the starting priority.
    #[must_use]
    pub fn with_priority(mut self, priority: Priority) -> Self {
        self.priority = priority;
        self
    }

    /// The queue.
    #[must_use]
    pub fn queue(&self) -> &QueueId {
        &self.queue
    }

    /// The skills an agent needs, all of them.
    #[must_use]
    pub fn skills(&self) -> &BTreeSet<Skill> {
        &self.skills
    }

    /// The language an agent needs, if any.
    #[must_use]
    pub fn language(&self) -> Option<&Language> {
        self.language.as_ref()
    }

    /// The priority interactions start with.
    #[must_use]
    pub fn priority(&self) -> Priority {
        self.priority
    }
}

/// What happens to incoming mail the host's scanner flags as spam. Spam never takes the normal
/// route; mail flagged as carrying a virus is always disconnected, whatever the policy.
///
/// Written as `{"action": "disconnect"}` or `{"action": "route_to_flow", "flow": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", tag = "action", try_from = "stored::StoredSpamPolicy")
)]
#[non_exhaustive]
pub enum SpamPolicy {
    /// Drop it: no interaction is created. The default.
    #[default]
    Disconnect,
    /// Hand it to a flow (for review or an automatic reply).
    RouteToFlow {
        /// The flow that receives suspected spam.
        flow: FlowId,
    },
}

/// One configured email address: identity, hidden copies, routing and spam policy.
///
/// Made with [`AddressRoute::new`] and refined with `with_*` methods; each method that could
/// break a rule of the route's own returns `Result`, so a route is always valid on its own.
/// Rules that involve other routes (the from address must be configured in the organization,
/// an address appears once) or the platform's plan (how many auto-BCC addresses and skills,
/// [`Limits`](crate::Limits)) are checked when it is added to an
/// [`OrgEmailConfig`](crate::config::OrgEmailConfig), or updated there.
///
/// ```
/// use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
/// use email_routing::*;
/// let help: EmailAddress = "help@support.customer.com".parse()?;
/// let route = AddressRoute::new(help.clone(), DisplayName::new("Customer Help")?, RoutingTarget::OutboundOnly)
///     .with_auto_bcc(["archive@customer.com".parse()?])?;
/// assert_eq!(route.from_address(), &help);
///
/// // The same address twice is the route's own mistake.
/// let twice = ["a@customer.com".parse()?, "A@customer.com".parse()?];
/// assert_eq!(route.clone().with_auto_bcc(twice).unwrap_err().code(), "route.duplicate_auto_bcc");
///
/// // Six copies are more than the organization's plan allows (5 by default).
/// let root: DomainName = "mail.example.net".parse()?;
/// let mut org = OrgEmailConfig::new(root);
/// org.add_domain(Domain::custom("support.customer.com".parse()?))?;
/// let six: Vec<EmailAddress> = (0..6).map(|i| format!("a{i}@customer.com").parse()).collect::<Result<_, _>>()?;
/// let err = org.add_route(route.with_auto_bcc(six)?).unwrap_err();
/// assert_eq!(err.code(), "route.too_many_auto_bcc");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "stored::StoredAddressRoute"))]
pub struct AddressRoute {
    address: EmailAddress,
    display_name: DisplayName,
    from_address: EmailAddress,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    reply_to: Option<EmailAddress>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    auto_bcc: Vec<EmailAddress>,
    routing: RoutingTarget,
    spam: SpamPolicy,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    signature: Option<Signature>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_default_history"))]
    history: HistoryMode,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "std::ops::Not::not"))]
    acknowledge: bool,
}

#[cfg(feature = "serde")]
fn is_default_history(mode: &HistoryMode) -> bool {
    *mode == HistoryMode::default()
}

impl AddressRoute {
    /// A route for `address`, sending as `display_name <address>`, with no reply-to, no auto-BCC
    /// and spam disconnected.
    #[must_use]
    pub fn new(address: EmailAddress, display_name: DisplayName, routing: RoutingTarget) -> Self {
        Self {
            from_address: address.clone(),
            address,
            display_name,
            reply_to: None,
            auto_bcc: Vec::new(),
            routing,
            spam: SpamPolicy::default(),
            signature: None,
            history: HistoryMode::default(),
            acknowledge: false,
        }
    }

    /// Sends as another address of the same organization (checked when the route is added).
    #[must_use]
    pub fn with_from_address(mut self, from_address: EmailAddress) -> Self {
        self.from_address = from_address;
        self
    }

    /// Where the customer's Reply goes.
    #[must_use]
    pub fn with_reply_to(mut self, reply_to: EmailAddress) -> Self {
        self.reply_to = Some(reply_to);
        self
    }

    /// Sets the hidden auto-BCC list: no two the same mailbox (local part compared
    /// case-insensitively), never the route's own address. How many it may hold is the
    /// organization's [`Limits::max_auto_bcc`](crate::Limits::max_auto_bcc) (5 by default),
    /// checked when the route is added or updated.
    ///
    /// # Errors
    /// `route.duplicate_auto_bcc`, `route.auto_bcc_is_self`.
    pub fn with_auto_bcc(
        mut self,
        auto_bcc: impl IntoIterator<Item = EmailAddress>,
    ) -> Result<Self, ConfigError> {
        let auto_bcc: Vec<EmailAddress> = auto_bcc.into_iter().collect();
        check_auto_bcc(&self.address, &auto_bcc).map_err(|(error, _)| error)?;
        self.auto_bcc = auto_bcc;
        Ok(self)
    }

    /// Replaces where clean mail goes.
    #[must_use]
    pub fn with_routing(mut self, routing: RoutingTarget) -> Self {
        self.routing = routing;
        self
    }

    /// Replaces the spam policy.
    #[must_use]
    pub fn with_spam_policy(mut self, spam: SpamPolicy) -> Self {
        self.spam = spam;
        self
    }

    /// Sets the signature added below agents' replies (or none).
    #[must_use]
    pub fn with_signature(mut self, signature: Option<Signature>) -> Self {
        self.signature = signature;
        self
    }

    /// Sets whether the customer's message is quoted below replies.
    #[must_use]
    pub fn with_history(mut self, history: HistoryMode) -> Self {
        self.history = history;
        self
    }

    /// Sends one automatic acknowledgement per conversation ("we received your message",
    /// RFC 3834) to customers who write to this address. Off by default.
    #[must_use]
    pub fn with_acknowledgement(mut self, acknowledge: bool) -> Self {
        self.acknowledge = acknowledge;
        self
    }

    /// The signature added below replies, if any.
    #[must_use]
    pub fn signature(&self) -> Option<&Signature> {
        self.signature.as_ref()
    }

    /// Whether the customer's message is quoted below replies.
    #[must_use]
    pub fn history(&self) -> HistoryMode {
        self.history
    }

    /// Whether customers get an automatic acknowledgement.
    #[must_use]
    pub fn acknowledges(&self) -> bool {
        self.acknowledge
    }

    /// The address customers write to.
    #[must_use]
    pub fn address(&self) -> &EmailAddress {
        &self.address
    }

    /// The name replies are sent under.
    #[must_use]
    pub fn display_name(&self) -> &DisplayName {
        &self.display_name
    }

    /// The address replies are sent from.
    #[must_use]
    pub fn from_address(&self) -> &EmailAddress {
        &self.from_address
    }

    /// Where the customer's Reply goes, if not to the from address.
    #[must_use]
    pub fn reply_to(&self) -> Option<&EmailAddress> {
        self.reply_to.as_ref()
    }

    /// Hidden copies on every reply. Never shown to agents.
    #[must_use]
    pub fn auto_bcc(&self) -> &[EmailAddress] {
        &self.auto_bcc
    }

    /// Where clean incoming mail goes.
    #[must_use]
    pub fn routing(&self) -> &RoutingTarget {
        &self.routing
    }

    /// What happens to suspected spam.
    #[must_use]
    pub fn spam_policy(&self) -> &SpamPolicy {
        &self.spam
    }
}

/// The route's own auto-BCC rules, written once for the builder and for deserialization (the
/// count is the organization's, [`OrgEmailConfig::add_route`](crate::config::OrgEmailConfig::add_route)).
/// A refused address comes with its index in the list.
fn check_auto_bcc(
    address: &EmailAddress,
    auto_bcc: &[EmailAddress],
) -> Result<(), (ConfigError, usize)> {
    for (i, bcc) in auto_bcc.iter().enumerate() {
        if bcc.eq_ignore_local_case(address) {
            return Err((ConfigError::AutoBccIsSelf { address: bcc.to_string() }, i));
        }
        if auto_bcc[..i].iter().any(|earlier| earlier.eq_ignore_local_case(bcc)) {
            return Err((ConfigError::DuplicateAutoBcc { address: bcc.to_string() }, i));
        }
    }
    Ok(())
}
