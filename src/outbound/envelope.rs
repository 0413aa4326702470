//! [`OutboundEnvelope`] (the reply ready to send), [`AgentView`] (what the agent sees of it)
//! and the header rendering.

use std::fmt::{self, Write as _};

use super::Subject;
use crate::address::EmailAddress;
use crate::mailbox::{Mailbox, write_encoded_words};

/// Header lines are folded to this length where they can be (RFC 5322 2.1.1).
const FOLD_AT: usize = 78;

/// A reply ready to send: sender, recipients (some hidden), subject, and header rendering.
///
/// `Debug` shows how many auto-BCC addresses there are, never which: logs are read by people
/// the addresses are hidden from.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboundEnvelope {
    pub(super) view: AgentView,
    /// Added by the route; deliberately without a public accessor.
    pub(super) auto_bcc: Vec<EmailAddress>,
}

impl fmt::Debug for OutboundEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboundEnvelope")
            .field("view", &self.view)
            .field("auto_bcc", &format_args!("<{} hidden>", self.auto_bcc.len()))
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

/// One rendered header: name and value. The value never contains CR or LF; only
/// [`OutboundEnvelope::header_block`] folds lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    name: &'static str,
    value: String,
}

impl Header {
    /// The field name, such as `From`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The field value, ready to follow `name: `.
    pub fn value(&self) -> &str {
        &self.value
    }
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

/// A subject as an unstructured header value: ASCII as is when every word can be folded and
/// none looks like an encoded word; otherwise RFC 2047 encoded words, which always fold.
fn encode_unstructured(text: &str) -> String {
    let longest_foldable = FOLD_AT - "Subject: ".len();
    let plain = text.is_ascii()
        && text.split(' ').all(|word| word.len() <= longest_foldable && !word.starts_with("=?"));
    if plain {
        return text.to_owned();
    }
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_encoded_words(&mut out, text);
    out
}

/// Appends `name: value` + CRLF, breaking at spaces so lines stay near [`FOLD_AT`].
///
/// A break goes only before a word, never inside a run of spaces (a name may hold several in a
/// row): RFC 5322 forbids a folded line made of white space alone. Unfolding (removing each
/// CRLF) gives back `name: value`.
fn fold_into(out: &mut String, name: &str, value: &str) {
    let _ = write!(out, "{name}:");
    let mut line_len = name.len() + 1;
    for word in value.split(' ') {
        if !word.is_empty() && line_len + 1 + word.len() > FOLD_AT && line_len > name.len() + 1 {
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
