//! [`OutboundDraft`] (the reply as the agent typed it) and [`Subject`].

use super::{MAX_SUBJECT_CHARS, OutboundError};
use crate::address::EmailAddress;
use crate::text::{describe_char, is_unsafe_in_text};

/// An agent's reply as typed: the conversation's address, recipients as raw text, a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundDraft {
    pub(super) conversation: EmailAddress,
    pub(super) to: Vec<String>,
    pub(super) cc: Vec<String>,
    pub(super) bcc: Vec<String>,
    pub(super) subject: String,
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
