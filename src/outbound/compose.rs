//! [`OrgEmailConfig::compose`]: the rules that turn a draft into an envelope.

use std::collections::HashSet;

use super::envelope::AgentView;
use super::{
    MAX_RECIPIENTS, OutboundDraft, OutboundEnvelope, OutboundError, SendingDomains, Subject,
};
use crate::address::EmailAddress;
use crate::config::{DomainKind, OrgEmailConfig};
use crate::mailbox::RecipientField;
use crate::mailbox::{Mailbox, parse_typed_list};

impl OrgEmailConfig {
    /// Turns an agent's draft into an envelope, or says which rule it breaks. See the
    /// [module docs](crate::outbound).
    pub fn compose(
        &self,
        draft: &OutboundDraft,
        sending: &(impl SendingDomains + ?Sized),
    ) -> Result<OutboundEnvelope, OutboundError> {
        let route = self.route_for(&draft.conversation).ok_or_else(|| {
            OutboundError::UnknownRoute { address: draft.conversation.to_string() }
        })?;
        let from = route.from_address();
        let domain = from.domain_name();
        let hosted = self.domain(&domain).is_some_and(|d| d.kind() == DomainKind::HostedSubdomain);
        if !hosted && !sending.can_send(&domain) {
            return Err(OutboundError::DomainNotVerified {
                from_address: from.to_string(),
                domain: domain.to_string(),
            });
        }
        let subject = Subject::new(&draft.subject)?;

        let to = parse_typed(RecipientField::To, &draft.to)?;
        let cc = parse_typed(RecipientField::Cc, &draft.cc)?;
        let bcc = parse_typed(RecipientField::Bcc, &draft.bcc)?;
        if to.is_empty() && cc.is_empty() && bcc.is_empty() {
            return Err(OutboundError::NoRecipients);
        }
        let (to, cc, bcc) = dedupe(to, cc, bcc);
        // Every auto-BCC address counts, even one the agent also typed: a count that changed
        // with a correct guess would reveal the hidden list. Delivery still sends it once.
        let added = route.auto_bcc().len();
        let count = to.len() + cc.len() + bcc.len() + added;
        if count > MAX_RECIPIENTS {
            return Err(OutboundError::TooManyRecipients { count, added, max: MAX_RECIPIENTS });
        }
        let auto_bcc: Vec<EmailAddress> = route
            .auto_bcc()
            .iter()
            .filter(|a| !to.iter().chain(&cc).chain(&bcc).any(|m| m.address() == *a))
            .cloned()
            .collect();
        let view = AgentView {
            from: Mailbox::new(Some(route.from_name().clone()), from.clone()),
            reply_to: route.reply_to().cloned(),
            to,
            cc,
            bcc,
            subject,
        };
        Ok(OutboundEnvelope { view, auto_bcc })
    }
}

/// Parses what the agent typed into one field; the first bad entry refuses the draft.
fn parse_typed(field: RecipientField, typed: &[String]) -> Result<Vec<Mailbox>, OutboundError> {
    let mut list = Vec::new();
    for text in typed {
        for entry in parse_typed_list(text) {
            list.push(entry.map_err(|(input, source)| OutboundError::InvalidRecipient {
                field,
                input,
                source,
            })?);
        }
    }
    Ok(list)
}

/// Removes exact duplicates across To, Cc and Bcc, keeping the first occurrence in that order.
fn dedupe(
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    bcc: Vec<Mailbox>,
) -> (Vec<Mailbox>, Vec<Mailbox>, Vec<Mailbox>) {
    let keep: Vec<bool> = {
        let mut seen: HashSet<&str> = HashSet::with_capacity(to.len() + cc.len() + bcc.len());
        to.iter().chain(&cc).chain(&bcc).map(|m| seen.insert(m.address().as_str())).collect()
    };
    let mut flags = keep.into_iter();
    let mut retain = |list: Vec<Mailbox>| -> Vec<Mailbox> {
        list.into_iter().filter(|_| flags.next().unwrap_or(false)).collect()
    };
    let to = retain(to);
    let cc = retain(cc);
    let bcc = retain(bcc);
    (to, cc, bcc)
}
