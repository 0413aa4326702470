//! The stored shapes of routes (feature `serde`): read, then made through the same
//! constructors and `with_*` methods as in code, so a file is held to every rule.
//!
//! [`RoutingTarget`] and [`SpamPolicy`] are written internally tagged (`"type"`, `"action"`)
//! but not read through serde's internally tagged enums: those buffer the object before they
//! choose the variant, so a unit variant accepts any other field (`deny_unknown_fields` does
//! not reach it: `{"type": "outbound_only", "queue": "x"}` would load) and an error inside
//! loses its path and position. They are read as one flat object with every field any of
//! their variants has, and a field the chosen variant does not have is refused here.

use serde::Deserialize;

use super::{AddressRoute, QueueRoute, RoutingTarget, SpamPolicy, check_auto_bcc};
use crate::address::{DisplayName, EmailAddress};
use crate::config::{HistoryMode, Signature};
use crate::ids::{FlowId, Language, Priority, QueueId, Skill};
use crate::refusal::{MISSING_FIELD, Refusal, Step, UNKNOWN_FIELD};

/// A [`QueueRoute`] as stored, before it is checked.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a queue route: an object with \"queue\" and optionally \"skills\", \"language\" and \"priority\""
)]
pub(super) struct StoredQueueRoute {
    queue: QueueId,
    #[serde(default)]
    skills: Vec<Skill>,
    #[serde(default)]
    language: Option<Language>,
    #[serde(default)]
    priority: Priority,
}

impl From<StoredQueueRoute> for QueueRoute {
    fn from(spec: StoredQueueRoute) -> Self {
        queue_route(spec.queue, spec.skills, spec.language, spec.priority)
    }
}

/// A queue route from its stored parts.
fn queue_route(
    queue: QueueId,
    skills: Vec<Skill>,
    language: Option<Language>,
    priority: Priority,
) -> QueueRoute {
    let route = QueueRoute::new(queue).with_skills(skills).with_priority(priority);
    match language {
        Some(language) => route.with_language(language),
        None => route,
    }
}

/// A [`RoutingTarget`] as stored: every field of every type, checked against the type.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a routing: an object whose \"type\" is \"queue\", \"flow\" or \"outbound_only\""
)]
pub(super) struct StoredRoutingTarget {
    #[serde(rename = "type")]
    kind: RoutingKind,
    #[serde(default)]
    queue: Option<QueueId>,
    #[serde(default)]
    skills: Option<Vec<Skill>>,
    #[serde(default)]
    language: Option<Language>,
    #[serde(default)]
    priority: Option<Priority>,
    #[serde(default)]
    flow: Option<FlowId>,
}

/// The `type` of a stored routing.
#[derive(Deserialize)]
#[serde(
    rename_all = "snake_case",
    expecting = "a routing type: \"queue\", \"flow\" or \"outbound_only\""
)]
enum RoutingKind {
    Queue,
    Flow,
    OutboundOnly,
}

impl TryFrom<StoredRoutingTarget> for RoutingTarget {
    type Error = Refusal;
    fn try_from(spec: StoredRoutingTarget) -> Result<Self, Refusal> {
        let StoredRoutingTarget { kind, queue, skills, language, priority, flow } = spec;
        match kind {
            RoutingKind::Queue => {
                let fields = "`type`, `queue`, `skills`, `language`, `priority`";
                refuse_present("routing type \"queue\"", fields, [("flow", flow.is_some())])?;
                let queue = queue.ok_or_else(|| {
                    refuse_missing("queue", "a routing of type \"queue\" names the queue")
                })?;
                let route = queue_route(
                    queue,
                    skills.unwrap_or_default(),
                    language,
                    priority.unwrap_or_default(),
                );
                Ok(RoutingTarget::Queue(route))
            }
            RoutingKind::Flow => {
                refuse_present(
                    "routing type \"flow\"",
                    "`type`, `flow`",
                    [
                        ("queue", queue.is_some()),
                        ("skills", skills.is_some()),
                        ("language", language.is_some()),
                        ("priority", priority.is_some()),
                    ],
                )?;
                let flow = flow.ok_or_else(|| {
                    refuse_missing("flow", "a routing of type \"flow\" names the flow")
                })?;
                Ok(RoutingTarget::Flow { flow })
            }
            RoutingKind::OutboundOnly => {
                refuse_present(
                    "routing type \"outbound_only\"",
                    "`type`",
                    [
                        ("queue", queue.is_some()),
                        ("skills", skills.is_some()),
                        ("language", language.is_some()),
                        ("priority", priority.is_some()),
                        ("flow", flow.is_some()),
                    ],
                )?;
                Ok(RoutingTarget::OutboundOnly)
            }
        }
    }
}

/// A [`SpamPolicy`] as stored: every field of every action, checked against the action.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a spam policy: an object whose \"action\" is \"disconnect\" or \"route_to_flow\""
)]
pub(super) struct StoredSpamPolicy {
    action: SpamAction,
    #[serde(default)]
    flow: Option<FlowId>,
}

/// The `action` of a stored spam policy.
#[derive(Deserialize)]
#[serde(
    rename_all = "snake_case",
    expecting = "a spam action: \"disconnect\" or \"route_to_flow\""
)]
enum SpamAction {
    Disconnect,
    RouteToFlow,
}

impl TryFrom<StoredSpamPolicy> for SpamPolicy {
    type Error = Refusal;
    fn try_from(spec: StoredSpamPolicy) -> Result<Self, Refusal> {
        match spec.action {
            SpamAction::Disconnect => {
                refuse_present(
                    "spam action \"disconnect\"",
                    "`action`",
                    [("flow", spec.flow.is_some())],
                )?;
                Ok(SpamPolicy::Disconnect)
            }
            SpamAction::RouteToFlow => {
                let flow = spec.flow.ok_or_else(|| {
                    refuse_missing("flow", "spam action \"route_to_flow\" names the flow")
                })?;
                Ok(SpamPolicy::RouteToFlow { flow })
            }
        }
    }
}

/// Refuses the first field that is present but not one of `kind`'s (`fields`).
fn refuse_present<const N: usize>(
    kind: &str,
    fields: &str,
    present: [(&str, bool); N],
) -> Result<(), Refusal> {
    match present.into_iter().find(|&(_, present)| present) {
        Some((field, _)) => Err(Refusal::shape(
            UNKNOWN_FIELD,
            format!("unknown field `{field}` for {kind}, expected one of {fields}"),
            [Step::field(field)],
        )),
        None => Ok(()),
    }
}

/// Refuses an object that lacks `field`, which its kind needs (`why`).
fn refuse_missing(field: &str, why: &str) -> Refusal {
    Refusal::shape(MISSING_FIELD, format!("missing field `{field}`: {why}"), [])
}

/// An [`AddressRoute`] as stored, before it is checked.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an address route: an object with \"address\", \"display_name\" and \"routing\""
)]
pub(super) struct StoredAddressRoute {
    address: EmailAddress,
    display_name: DisplayName,
    #[serde(default)]
    from_address: Option<EmailAddress>,
    #[serde(default)]
    reply_to: Option<EmailAddress>,
    #[serde(default)]
    auto_bcc: Vec<EmailAddress>,
    routing: RoutingTarget,
    #[serde(default)]
    spam: SpamPolicy,
    #[serde(default)]
    signature: Option<Signature>,
    #[serde(default)]
    history: HistoryMode,
    #[serde(default)]
    acknowledge: bool,
}

impl TryFrom<StoredAddressRoute> for AddressRoute {
    type Error = Refusal;
    fn try_from(spec: StoredAddressRoute) -> Result<Self, Refusal> {
        check_auto_bcc(&spec.address, &spec.auto_bcc).map_err(|(error, index)| {
            Refusal::new(error, [Step::field("auto_bcc"), Step::Index(index)])
        })?;
        let mut route = AddressRoute::new(spec.address, spec.display_name, spec.routing)
            .with_spam_policy(spec.spam)
            .with_signature(spec.signature)
            .with_history(spec.history)
            .with_acknowledgement(spec.acknowledge);
        // Checked above by the rule `with_auto_bcc` applies, which would lose the index.
        route.auto_bcc = spec.auto_bcc;
        if let Some(from) = spec.from_address {
            route = route.with_from_address(from);
        }
        if let Some(reply_to) = spec.reply_to {
            route = route.with_reply_to(reply_to);
        }
        Ok(route)
    }
}
