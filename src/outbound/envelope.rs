//! [`OutboundEnvelope`] (the reply ready to render and send) and [`AgentView`] (what the agent
//! sees of it).

use std::fmt;

use super::{OutboundAttachment, Subject};
use crate::address::EmailAddress;
use crate::mailbox::Mailbox;
use crate::message_id::MessageId;

/// The bodies of a reply: the text part always (possibly empty), the HTML part when the agent
/// wrote one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Body {
    pub(super) text: String,
    pub(super) html: Option<String>,
}

/// A reply ready to render and send: sender, recipients (some hidden), subject, threading
/// headers, bodies and attachments, every rule checked. Render it with
/// [`render`](Self::render).
///
/// `Debug` shows how many auto-BCC addresses there are, never which: logs are read by people
/// the addresses are hidden from.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboundEnvelope {
    pub(super) view: AgentView,
    /// Added by the route; deliberately without a public accessor.
    pub(super) auto_bcc: Vec<EmailAddress>,
    pub(super) auto_replied: bool,
    /// The organization's [`Limits::max_message_octets`](crate::Limits::max_message_octets)
    /// when the reply was composed.
    pub(super) max_message_octets: usize,
}

impl fmt::Debug for OutboundEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboundEnvelope")
            .field("view", &self.view)
            .field("auto_bcc", &format_args!("<{} hidden>", self.auto_bcc.len()))
            .field("auto_replied", &self.auto_replied)
            .field("max_message_octets", &self.max_message_octets)
            .finish()
    }
}

/// What the agent sees of a reply: everything except the hidden auto-BCC addresses, which this
/// type has no place for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentView {
    pub(super) from: Mailbox,
    pub(super) reply_to: Option<EmailAddress>,
    pub(super) to: Vec<Mailbox>,
    pub(super) cc: Vec<Mailbox>,
    pub(super) bcc: Vec<Mailbox>,
    pub(super) subject: Subject,
    pub(super) in_reply_to: Option<MessageId>,
    pub(super) references: Vec<MessageId>,
    pub(super) body: Body,
    pub(super) attachments: Vec<OutboundAttachment>,
}

impl AgentView {
    /// The sender.
    #[must_use]
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Where the customer's Reply goes, if set.
    #[must_use]
    pub fn reply_to(&self) -> Option<&EmailAddress> {
        self.reply_to.as_ref()
    }

    /// `To` recipients.
    #[must_use]
    pub fn to(&self) -> &[Mailbox] {
        &self.to
    }

    /// `Cc` recipients.
    #[must_use]
    pub fn cc(&self) -> &[Mailbox] {
        &self.cc
    }

    /// `Bcc` recipients the agent typed.
    #[must_use]
    pub fn bcc(&self) -> &[Mailbox] {
        &self.bcc
    }

    /// The subject.
    #[must_use]
    pub fn subject(&self) -> &Subject {
        &self.subject
    }

    /// The id of the message answered (`In-Reply-To`), if any.
    #[must_use]
    pub fn in_reply_to(&self) -> Option<&MessageId> {
        self.in_reply_to.as_ref()
    }

    /// `References`: the thread this reply continues, oldest first.
    #[must_use]
    pub fn references(&self) -> &[MessageId] {
        &self.references
    }

    /// The plain-text body as sent: the agent's text, the signature, the quoted history.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.body.text
    }

    /// The HTML body as sent, when the agent wrote HTML.
    #[must_use]
    pub fn html(&self) -> Option<&str> {
        self.body.html.as_deref()
    }

    /// The attachments.
    #[must_use]
    pub fn attachments(&self) -> &[OutboundAttachment] {
        &self.attachments
    }

    /// How many recipients the agent can see.
    #[must_use]
    pub fn recipient_count(&self) -> usize {
        self.to.len() + self.cc.len() + self.bcc.len()
    }
}

impl OutboundEnvelope {
    /// The view meant for agents: no auto-BCC.
    #[must_use]
    pub fn agent_view(&self) -> &AgentView {
        &self.view
    }

    /// The sender.
    #[must_use]
    pub fn from(&self) -> &Mailbox {
        &self.view.from
    }

    /// Where the customer's Reply goes, if set.
    #[must_use]
    pub fn reply_to(&self) -> Option<&EmailAddress> {
        self.view.reply_to.as_ref()
    }

    /// The envelope sender (`MAIL FROM`).
    #[must_use]
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
    #[must_use]
    pub fn requires_smtputf8(&self) -> bool {
        self.smtp_recipients()
            .chain([self.mail_from()])
            .chain(self.reply_to())
            .any(EmailAddress::requires_smtputf8)
    }

    /// Whether it is an automatic reply (`Auto-Submitted: auto-replied`).
    #[must_use]
    pub fn is_auto_replied(&self) -> bool {
        self.auto_replied
    }
}
