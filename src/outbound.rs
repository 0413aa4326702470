//! Outbound replies: an agent's draft becomes an [`OutboundEnvelope`] that obeys the limits.
//!
//! [`OrgEmailConfig::compose`] takes a reply on a conversation that came in on a configured
//! address, with `To`, `Cc` and `Bcc` as the agent typed them, and:
//!
//! - sends **From** the route's from address under its from name. That address's domain must be
//!   able to send: a hosted subdomain always can; a custom domain only once verified (the host
//!   says which, through [`SendingDomains`]);
//! - sets **Reply-To** to the route's reply-to, if it has one;
//! - adds the route's **auto-BCC** addresses, hidden: [`AgentView`], the only view meant for
//!   agents, has no field that could hold them, and the envelope exposes them only through
//!   [`OutboundEnvelope::smtp_recipients`], the list a mail transfer agent needs;
//! - counts **To + Cc + Bcc + auto-BCC** after removing exact duplicates (the same normalized
//!   address, [`EmailAddress`] `==`; the first occurrence wins, in the order To, Cc, Bcc,
//!   auto-BCC) and refuses more than [`MAX_RECIPIENTS`], or no typed recipient at all;
//! - renders only header values that cannot inject a header: every address and name was
//!   validated on the way in, the subject refuses control characters, and names that are not
//!   ASCII are RFC 2047-encoded. A non-ASCII local part anywhere marks the message as needing
//!   SMTPUTF8.
//!
//! ```
//! use std::collections::HashSet;
//! use email_routing::*;
//! # let root: DomainName = "mail.example.net".parse()?;
//! # let mut org = OrgEmailConfig::new(root.clone());
//! # org.add_domain(Domain::custom("support.customer.com".parse()?))?;
//! # let help: EmailAddress = "help@support.customer.com".parse()?;
//! # org.add_route(AddressRoute::new(help.clone(), DisplayName::new("Customer Help")?, RoutingTarget::OutboundOnly)
//! #     .with_auto_bcc(["archive@customer.com".parse()?])?)?;
//! let draft = OutboundDraft::reply_on(help)
//!     .to("Jane Doe <jane@example.org>")
//!     .subject("Re: your order");
//!
//! // Until the custom domain is verified, nothing can be sent from it.
//! let err = org.compose(&draft, &HashSet::new()).unwrap_err();
//! assert_eq!(err.code(), "outbound.domain_not_verified");
//!
//! let verified: HashSet<DomainName> = ["support.customer.com".parse()?].into();
//! let envelope = org.compose(&draft, &verified)?;
//! assert_eq!(envelope.from().to_string(), "Customer Help <help@support.customer.com>");
//! assert_eq!(envelope.smtp_recipients().count(), 2); // Jane and the hidden archive copy
//! assert_eq!(envelope.agent_view().recipient_count(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::hash::BuildHasher;

use crate::address::{AddressError, EmailAddress};
use crate::config::{DomainKind, OrgEmailConfig};
use crate::dns::DomainStatus;
use crate::inbound::RecipientField;
use crate::mailbox::{Mailbox, parse_mailbox_list, write_encoded_words};
use crate::name::DomainName;
use crate::text::{describe_char, is_unsafe_in_text};

/// The most recipients one message may have: To + Cc + Bcc + auto-BCC, after removing exact
/// duplicates.
pub const MAX_RECIPIENTS: usize = 50;
/// The most characters a subject may have.
pub const MAX_SUBJECT_CHARS: usize = 998;
/// Header lines are folded to this length where they can be (RFC 5322 2.1.1).
const FOLD_AT: usize = 78;

/// Which custom domains may send. Hosted subdomains always may; for custom domains
/// [`OrgEmailConfig::compose`] asks this.
///
/// Implemented for sets of verified [`DomainName`]s and for closures, so a host can answer from
/// whatever it keeps (for example `DomainStatus::can_send` from the DNS checks).
pub trait SendingDomains {
    /// Whether mail may be sent from `domain`.
    fn can_send(&self, domain: &DomainName) -> bool;
}

impl<S: BuildHasher> SendingDomains for HashSet<DomainName, S> {
    fn can_send(&self, domain: &DomainName) -> bool {
        self.contains(domain)
    }
}

impl SendingDomains for BTreeSet<DomainName> {
    fn can_send(&self, domain: &DomainName) -> bool {
        self.contains(domain)
    }
}

impl SendingDomains for [DomainName] {
    fn can_send(&self, domain: &DomainName) -> bool {
        self.contains(domain)
    }
}

/// The DNS checks' verdict: a domain may send once its status says so.
impl SendingDomains for DomainStatus {
    fn can_send(&self, domain: &DomainName) -> bool {
        self.domain() == domain && DomainStatus::can_send(self)
    }
}

impl SendingDomains for [DomainStatus] {
    fn can_send(&self, domain: &DomainName) -> bool {
        self.iter().any(|status| SendingDomains::can_send(status, domain))
    }
}

impl<S: BuildHasher> SendingDomains for HashMap<DomainName, DomainStatus, S> {
    fn can_send(&self, domain: &DomainName) -> bool {
        self.get(domain).is_some_and(DomainStatus::can_send)
    }
}

impl<F: Fn(&DomainName) -> bool> SendingDomains for F {
    fn can_send(&self, domain: &DomainName) -> bool {
        self(domain)
    }
}

/// Why a reply could not be composed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OutboundError {
    /// The conversation's address is not configured.
    #[error(
        "{address:?} is not a configured address: reply from an address the organization has configured"
    )]
    UnknownRoute {
        /// The offending address.
        address: String,
    },
    /// The from address's domain cannot send yet.
    #[error(
        "the domain {domain:?} is not verified, so mail cannot be sent from {from_address:?}: publish its verification record and wait until the check passes, or send from a verified address"
    )]
    DomainNotVerified {
        /// The from address.
        from_address: String,
        /// Its domain.
        domain: String,
    },
    /// A typed recipient does not parse.
    #[error("{field} recipient {input:?} is not a valid address: {source}")]
    InvalidRecipient {
        /// Where it was typed.
        field: RecipientField,
        /// The offending text.
        input: String,
        /// What is wrong with it.
        source: AddressError,
    },
    /// No recipient was typed.
    #[error("the reply has no recipients: add at least one To, Cc or Bcc address")]
    NoRecipients,
    /// Too many recipients.
    #[error("the reply has {count} recipients ({added} of them added by the address's settings); the limit is {max}: remove {excess}", excess = count - max)]
    TooManyRecipients {
        /// Distinct recipients, auto-BCC included.
        count: usize,
        /// How many of them the route adds (auto-BCC); the agent cannot see or remove those.
        added: usize,
        /// The limit.
        max: usize,
    },
    /// The subject holds a character that could break a header.
    #[error("the subject contains {character}, which could break the message header: remove it")]
    InvalidSubject {
        /// The offending character, described.
        character: String,
    },
    /// The subject is too long.
    #[error("the subject is {len} characters long; the limit is {max}: shorten it")]
    SubjectTooLong {
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl OutboundError {
    /// A stable, machine-readable code for this error, e.g. `outbound.too_many_recipients`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownRoute { .. } => "outbound.unknown_route",
            Self::DomainNotVerified { .. } => "outbound.domain_not_verified",
            Self::InvalidRecipient { .. } => "outbound.invalid_recipient",
            Self::NoRecipients => "outbound.no_recipients",
            Self::TooManyRecipients { .. } => "outbound.too_many_recipients",
            Self::InvalidSubject { .. } => "outbound.invalid_subject",
            Self::SubjectTooLong { .. } => "outbound.subject_too_long",
        }
    }
}

/// An agent's reply as typed: the conversation's address, recipients as raw text, a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundDraft {
    conversation: EmailAddress,
    to: Vec<String>,
    cc: Vec<String>,
    bcc: Vec<String>,
    subject: String,
}

impl OutboundDraft {
    /// A reply on a conversation that came in on the configured address `conversation`.
    pub fn reply_on(conversation: EmailAddress) -> Self {
        Self {
            conversation,
            to: Vec::new(),
            cc: Vec::new(),
            bcc: Vec::new(),
            subject: String::new(),
        }
    }

    /// Adds `To` recipients as typed: one address or a comma-separated list.
    pub fn to(mut self, typed: impl Into<String>) -> Self {
        self.to.push(typed.into());
        self
    }

    /// Adds `Cc` recipients as typed.
    pub fn cc(mut self, typed: impl Into<String>) -> Self {
        self.cc.push(typed.into());
        self
    }

    /// Adds `Bcc` recipients as typed.
    pub fn bcc(mut self, typed: impl Into<String>) -> Self {
        self.bcc.push(typed.into());
        self
    }

    /// Sets the subject.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }
}

/// A validated subject line: no control or line-breaking characters, at most
/// [`MAX_SUBJECT_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    /// Validates a subject. Surrounding white space is trimmed.
    pub fn new(text: &str) -> Result<Self, OutboundError> {
        let text = text.trim();
        let len = text.chars().count();
        if len > MAX_SUBJECT_CHARS {
            return Err(OutboundError::SubjectTooLong { len, max: MAX_SUBJECT_CHARS });
        }
        if let Some(c) = text.chars().find(|&c| is_unsafe_in_text(c)) {
            return Err(OutboundError::InvalidSubject { character: describe_char(c) });
        }
        Ok(Self(text.to_owned()))
    }

    /// The subject text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A reply ready to send: sender, recipients (some hidden), subject, and header rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundEnvelope {
    view: AgentView,
    /// Added by the route; deliberately without a public accessor.
    auto_bcc: Vec<EmailAddress>,
}

/// What the agent sees of a reply: everything except the hidden auto-BCC addresses, which this
/// type has no place for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentView {
    from: Mailbox,
    reply_to: Option<EmailAddress>,
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    bcc: Vec<Mailbox>,
    subject: Subject,
}

impl AgentView {
    /// The sender.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Where the customer's Reply goes, if set.
    pub fn reply_to(&self) -> Option<&EmailAddress> {
        self.reply_to.as_ref()
    }

    /// `To` recipients.
    pub fn to(&self) -> &[Mailbox] {
        &self.to
    }

    /// `Cc` recipients.
    pub fn cc(&self) -> &[Mailbox] {
        &self.cc
    }

    /// `Bcc` recipients the agent typed.
    pub fn bcc(&self) -> &[Mailbox] {
        &self.bcc
    }

    /// The subject.
    pub fn subject(&self) -> &Subject {
        &self.subject
    }

    /// How many recipients the agent can see.
    pub fn recipient_count(&self) -> usize {
        self.to.len() + self.cc.len() + self.bcc.len()
    }
}

/// One rendered header: name and value. The value never contains CR or LF unless folded by
/// [`OutboundEnvelope::header_block`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The field name, such as `From`.
    pub name: &'static str,
    /// The field value, ready to follow `name: `.
    pub value: String,
}

impl OutboundEnvelope {
    /// The view meant for agents: no auto-BCC.
    pub fn agent_view(&self) -> &AgentView {
        &self.view
    }

    /// The sender.
    pub fn from(&self) -> &Mailbox {
        &self.view.from
    }

    /// Where the customer's Reply goes, if set.
    pub fn reply_to(&self) -> Option<&EmailAddress> {
        self.view.reply_to.as_ref()
    }

    /// The envelope sender (`MAIL FROM`).
    pub fn mail_from(&self) -> &EmailAddress {
        self.view.from.address()
    }

    /// Every envelope recipient (`RCPT TO`): To, Cc, Bcc, then the hidden auto-BCC. For the
    /// transfer agent only; never show this list to an agent.
    pub fn smtp_recipients(&self) -> impl Iterator<Item = &EmailAddress> {
        let view = &self.view;
        view.to.iter().chain(&view.cc).chain(&view.bcc).map(Mailbox::address).chain(&self.auto_bcc)
    }

    /// Whether the message needs the SMTPUTF8 extension: some address has a non-ASCII local part.
    pub fn requires_smtputf8(&self) -> bool {
        self.smtp_recipients()
            .chain([self.mail_from()])
            .chain(self.reply_to())
            .any(EmailAddress::requires_smtputf8)
    }

    /// The header fields, in order: From, Reply-To (if set), To (if any), Cc (if any), Subject.
    /// No `Bcc` header is written, so blind copies stay blind.
    pub fn headers(&self) -> Vec<Header> {
        let view = &self.view;
        let mut headers = vec![Header { name: "From", value: view.from.to_string() }];
        if let Some(reply_to) = &view.reply_to {
            headers.push(Header { name: "Reply-To", value: reply_to.to_string() });
        }
        for (name, list) in [("To", &view.to), ("Cc", &view.cc)] {
            if !list.is_empty() {
                let value = list.iter().map(Mailbox::to_string).collect::<Vec<_>>().join(", ");
                headers.push(Header { name, value });
            }
        }
        headers.push(Header { name: "Subject", value: encode_unstructured(view.subject.as_str()) });
        headers
    }

    /// The headers as an RFC 5322 block, each line folded at white space to stay near 78
    /// characters, lines ending in CRLF.
    pub fn header_block(&self) -> String {
        let mut block = String::new();
        for header in self.headers() {
            fold_into(&mut block, header.name, &header.value);
        }
        block
    }
}

/// A subject as an unstructured header value: ASCII as is, anything else RFC 2047-encoded.
fn encode_unstructured(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_encoded_words(&mut out, text);
    out
}

/// Appends `name: value` + CRLF, breaking at spaces so lines stay near [`FOLD_AT`].
fn fold_into(out: &mut String, name: &str, value: &str) {
    let _ = write!(out, "{name}:");
    let mut line_len = name.len() + 1;
    for word in value.split(' ') {
        if line_len + 1 + word.len() > FOLD_AT && line_len > name.len() + 1 {
            out.push_str("\r\n");
            line_len = 0;
        }
        out.push(' ');
        out.push_str(word);
        line_len += 1 + word.len();
    }
    out.push_str("\r\n");
}

impl fmt::Display for OutboundEnvelope {
    /// The header block, as [`header_block`](Self::header_block).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header_block())
    }
}

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
        let auto_bcc: Vec<EmailAddress> = route
            .auto_bcc()
            .iter()
            .filter(|a| !to.iter().chain(&cc).chain(&bcc).any(|m| m.address() == *a))
            .cloned()
            .collect();
        let count = to.len() + cc.len() + bcc.len() + auto_bcc.len();
        if count > MAX_RECIPIENTS {
            return Err(OutboundError::TooManyRecipients {
                count,
                added: auto_bcc.len(),
                max: MAX_RECIPIENTS,
            });
        }
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
        for entry in parse_mailbox_list(text) {
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
