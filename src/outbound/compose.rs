//! [`compose`]: the rules that turn an agent's draft into an [`OutboundEnvelope`].

use std::collections::HashSet;

use mail_parser::decoders::html::{html_to_text, text_to_html};

use super::envelope::{AgentView, Body};
use super::{
    OutboundDraft, OutboundEnvelope, OutboundError, RepliedMessage, SendingDomains, Subject,
};
use crate::address::EmailAddress;
use crate::config::{AddressRoute, HistoryMode, OrgEmailConfig, SignatureMode};
use crate::domain::DomainKind;
use crate::mailbox::{Mailbox, RecipientField, parse_typed_list};
use crate::message_id::{MessageId, reply_references};

/// Turns an agent's draft into an envelope, or says which rule it breaks. See the
/// [module docs](crate::outbound) for the rules. The numbers are the organization's
/// [`Limits`](crate::Limits): recipients and subject here, the rendered size kept in the
/// envelope for [`render`](OutboundEnvelope::render).
///
/// # Errors
/// `outbound.unknown_route` (the draft's address is not configured),
/// `outbound.domain_not_verified`, the address codes of a recipient that does not read,
/// `outbound.no_recipients`, `outbound.too_many_recipients`, `outbound.subject_invalid`,
/// `outbound.subject_too_long` (each limit with the one in force).
pub fn compose(
    org: &OrgEmailConfig,
    draft: &OutboundDraft,
    sending: &(impl SendingDomains + ?Sized),
) -> Result<OutboundEnvelope, OutboundError> {
    let route = org
        .route_for(&draft.from)
        .ok_or_else(|| OutboundError::UnknownRoute { address: draft.from.clone() })?;
    let from = route.from_address();
    let domain = from.to_domain_name();
    let hosted = org.domain(&domain).is_some_and(|d| d.kind() == DomainKind::HostedSubdomain);
    if !hosted && !sending.can_send(&domain) {
        return Err(OutboundError::DomainNotVerified { from_address: from.clone(), domain });
    }
    let limits = org.limits();
    let subject = Subject::new(&draft.subject, limits)?;

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
    let max = limits.max_recipients();
    if count > max {
        return Err(OutboundError::TooManyRecipients { count, added, max });
    }
    let auto_bcc: Vec<EmailAddress> = route
        .auto_bcc()
        .iter()
        .filter(|a| !to.iter().chain(&cc).chain(&bcc).any(|m| m.address() == *a))
        .cloned()
        .collect();
    let (in_reply_to, references) = threading_ids(draft.replying_to.as_ref());
    let view = AgentView {
        from: Mailbox::new(Some(route.display_name().clone()), from.clone()),
        reply_to: route.reply_to().cloned(),
        to,
        cc,
        bcc,
        subject,
        in_reply_to,
        references,
        body: body(route, draft),
        attachments: draft.attachments.clone(),
    };
    Ok(OutboundEnvelope {
        view,
        auto_bcc,
        auto_replied: draft.auto_replied,
        max_message_octets: limits.max_message_octets(),
    })
}

/// `In-Reply-To` and `References` of a reply to `parent` (RFC 5322 3.6.4; see
/// [`MAX_REFERENCES`](crate::MAX_REFERENCES)).
fn threading_ids(parent: Option<&RepliedMessage>) -> (Option<MessageId>, Vec<MessageId>) {
    let Some(parent) = parent else { return (None, Vec::new()) };
    let references =
        reply_references(parent.references(), parent.in_reply_to(), parent.message_id());
    (parent.message_id().cloned(), references)
}

/// The bodies of the reply: the agent's text, the route's signature and the quoted history,
/// as the route's settings and the agent's choices say.
fn body(route: &AddressRoute, draft: &OutboundDraft) -> Body {
    let signature = route.signature().filter(|s| match s.mode() {
        SignatureMode::Optional => draft.signature.unwrap_or(true),
        _ => true,
    });
    let history = match route.history() {
        HistoryMode::Exclude => None,
        HistoryMode::Optional if draft.history == Some(false) => None,
        _ => draft.replying_to.as_ref().filter(|p| p.text().is_some() || p.html().is_some()),
    };
    let attribution = history.map(attribution_line);

    let mut text = draft.text.clone().unwrap_or_default();
    if let Some(signature) = signature {
        push_block(&mut text, &format!("-- \n{}", signature.text()));
    }
    if let (Some(parent), Some(attribution)) = (history, &attribution) {
        let quoted = match (parent.text(), parent.html()) {
            (Some(t), _) => quote_text(t),
            (None, Some(h)) => quote_text(&html_to_text(h)),
            (None, None) => String::new(),
        };
        push_block(&mut text, &format!("{attribution}\n{quoted}"));
    }

    let html = draft.html.as_ref().map(|agent| {
        let mut html = agent.clone();
        if let Some(signature) = signature {
            let sig = signature.html().map_or_else(|| text_to_html(signature.text()), str::to_owned);
            html.push_str(&format!("\n<div class=\"signature\">{sig}</div>"));
        }
        if let (Some(parent), Some(attribution)) = (history, &attribution) {
            let quoted = match (parent.html(), parent.text()) {
                (Some(h), _) => body_of(h).to_owned(),
                (None, Some(t)) => text_to_html(t),
                (None, None) => String::new(),
            };
            html.push_str(&format!(
                "\n<div class=\"attribution\">{}</div>\n<blockquote type=\"cite\">{quoted}</blockquote>",
                text_to_html(attribution)
            ));
        }
        html
    });
    Body { text, html }
}

/// Appends `block` to `text` after a blank line (none when `text` is empty).
fn push_block(text: &mut String, block: &str) {
    if !text.is_empty() {
        let trimmed = text.trim_end_matches(['\n', '\r', ' ', '\t']).len();
        text.truncate(trimmed);
        text.push_str("\n\n");
    }
    text.push_str(block);
}

/// `On <date>, <author> wrote:`, as mail clients write it above a quote.
fn attribution_line(parent: &RepliedMessage) -> String {
    // As people read it, not as a header encodes it.
    let author = parent.author().map_or_else(
        || "you".to_owned(),
        |m| match m.name() {
            Some(name) => format!("{name} <{}>", m.address()),
            None => m.address().to_string(),
        },
    );
    match parent.date() {
        Some(date) => format!("On {}, {author} wrote:", date.to_rfc5322()),
        None => format!("{author} wrote:"),
    }
}

/// Every line of `text` quoted with `>` (RFC 3676 4.5: `> ` before a plain line, `>` before
/// an already quoted or empty one).
fn quote_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 20 + 2);
    for line in text.lines() {
        out.push('>');
        if !line.is_empty() && !line.starts_with('>') {
            out.push(' ');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The content of an HTML document's `<body>`, or all of it when it has none.
fn body_of(html: &str) -> &str {
    let lower = html.to_ascii_lowercase();
    let Some(open) = lower.find("<body") else { return html };
    let Some(start) = lower[open..].find('>').map(|i| open + i + 1) else { return html };
    let end = lower.rfind("</body>").filter(|&e| e >= start).unwrap_or(html.len());
    &html[start..end]
}

/// Parses what the agent typed into one field; the first bad entry refuses the draft.
fn parse_typed(field: RecipientField, typed: &[String]) -> Result<Vec<Mailbox>, OutboundError> {
    let mut list = Vec::new();
    for text in typed {
        for entry in parse_typed_list(text) {
            list.push(entry.map_err(|(input, error)| OutboundError::InvalidRecipient {
                field,
                input,
                error,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message_id::MAX_REFERENCES;

    #[test]
    fn quoting_follows_rfc_3676() {
        assert_eq!(quote_text("a\n\n> b\nc"), "> a\n>\n>> b\n> c\n");
        assert_eq!(quote_text(""), "");
    }

    #[test]
    fn body_of_takes_the_body_content() {
        assert_eq!(body_of("<html><BODY class=x>hi</body></html>"), "hi");
        assert_eq!(body_of("<p>hi</p>"), "<p>hi</p>");
        assert_eq!(body_of("<body"), "<body");
    }

    #[test]
    fn references_keep_the_first_and_the_most_recent() {
        let ids: Vec<MessageId> =
            (0..30).map(|i| MessageId::new(&format!("m{i}@x")).unwrap()).collect();
        let parent = RepliedMessage::from_ids(MessageId::new("p@x").unwrap(), ids);
        let in_reply_to_only = RepliedMessage::from_ids(MessageId::new("q@x").unwrap(), vec![])
            .with_in_reply_to(vec![MessageId::new("o@x").unwrap()]);
        let (_, refs) = threading_ids(Some(&in_reply_to_only));
        assert_eq!(refs.iter().map(MessageId::as_str).collect::<Vec<_>>(), ["o@x", "q@x"]);
        let (reply_to, refs) = threading_ids(Some(&parent));
        assert_eq!(reply_to.unwrap().as_str(), "p@x");
        assert_eq!(refs.len(), MAX_REFERENCES);
        assert_eq!(refs[0].as_str(), "m0@x");
        assert_eq!(refs[MAX_REFERENCES - 1].as_str(), "p@x");
        assert_eq!(refs[1].as_str(), format!("m{}@x", 30 - (MAX_REFERENCES - 2)));
    }
}
