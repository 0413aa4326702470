//! [`OutboundDraft`] (the reply as the agent wrote it), [`Subject`], [`OutboundAttachment`]
//! and [`RepliedMessage`] (what a reply knows of the message it answers).

use super::OutboundError;
use crate::address::EmailAddress;
use crate::inbound::InboundEmail;
use crate::limits::Limits;
use crate::mailbox::Mailbox;
use crate::message_id::MessageId;
use crate::text::{describe_char, is_unsafe_in_text};
use crate::time::Timestamp;

/// The longest attachment file name, in characters.
pub const MAX_ATTACHMENT_NAME_CHARS: usize = 255;

/// What a reply knows of the message it answers: the ids that thread it, and what quoting
/// shows (author, date, bodies). Made from a received message with
/// [`RepliedMessage::from_email`], or by the host from what it stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RepliedMessage {
    message_id: Option<MessageId>,
    references: Vec<MessageId>,
    in_reply_to: Vec<MessageId>,
    author: Option<Mailbox>,
    date: Option<Timestamp>,
    text: Option<String>,
    html: Option<String>,
}

impl RepliedMessage {
    /// What a reply needs of `email`: its `Message-ID` and `References`, its first `From`, its
    /// `Date` (else when it arrived), and its text and HTML bodies.
    #[must_use]
    pub fn from_email(email: &InboundEmail) -> Self {
        Self {
            message_id: email.message_id().cloned(),
            references: email.references().to_vec(),
            in_reply_to: email.in_reply_to().to_vec(),
            author: email.from().first().cloned(),
            date: Some(email.date().unwrap_or(email.received_at())),
            text: email.text_body().map(str::to_owned),
            html: email.html_body().map(str::to_owned),
        }
    }

    /// A replied message known only by its id (and the ids it referenced).
    #[must_use]
    pub fn from_ids(message_id: MessageId, references: Vec<MessageId>) -> Self {
        Self { message_id: Some(message_id), references, ..Self::default() }
    }

    /// Sets who wrote it and when, for the attribution line above quoted history.
    #[must_use]
    pub fn with_author(mut self, author: Mailbox, date: Option<Timestamp>) -> Self {
        self.author = Some(author);
        self.date = date;
        self
    }

    /// Sets its bodies, for quoting.
    #[must_use]
    pub fn with_bodies(mut self, text: Option<&str>, html: Option<&str>) -> Self {
        self.text = text.map(str::to_owned);
        self.html = html.map(str::to_owned);
        self
    }

    /// Its `Message-ID`, if it had one.
    #[must_use]
    pub fn message_id(&self) -> Option<&MessageId> {
        self.message_id.as_ref()
    }

    /// Its `References`, oldest first.
    #[must_use]
    pub fn references(&self) -> &[MessageId] {
        &self.references
    }

    /// Its `In-Reply-To`.
    #[must_use]
    pub fn in_reply_to(&self) -> &[MessageId] {
        &self.in_reply_to
    }

    /// Sets its `In-Reply-To` (used for a reply's `References` when it had none of its own).
    #[must_use]
    pub fn with_in_reply_to(mut self, in_reply_to: Vec<MessageId>) -> Self {
        self.in_reply_to = in_reply_to;
        self
    }

    /// Who wrote it.
    #[must_use]
    pub fn author(&self) -> Option<&Mailbox> {
        self.author.as_ref()
    }

    /// When it was written.
    #[must_use]
    pub fn date(&self) -> Option<Timestamp> {
        self.date
    }

    /// Its plain-text body.
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// Its HTML body.
    #[must_use]
    pub fn html(&self) -> Option<&str> {
        self.html.as_deref()
    }
}

/// A file attached to a reply: a name, a media type and its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboundAttachment {
    name: String,
    media_type: String,
    content: Vec<u8>,
}

impl OutboundAttachment {
    /// An attachment named `name` (1 to [`MAX_ATTACHMENT_NAME_CHARS`] characters, no control
    /// characters, no path separators) of media type `media_type` (`type/subtype`, ASCII).
    ///
    /// # Errors
    /// `outbound.attachment_invalid` for a name or media type that breaks those rules.
    pub fn new(name: &str, media_type: &str, content: Vec<u8>) -> Result<Self, OutboundError> {
        let name = name.trim();
        let len = name.chars().count();
        let bad_char = name.chars().find(|&c| is_unsafe_in_text(c) || matches!(c, '/' | '\\'));
        if len == 0 || len > MAX_ATTACHMENT_NAME_CHARS || bad_char.is_some() {
            return Err(OutboundError::InvalidAttachment {
                name: name.chars().take(MAX_ATTACHMENT_NAME_CHARS).collect(),
                reason: match bad_char {
                    Some(c) => format!("its name contains {}", describe_char(c)),
                    None => format!("its name must be 1 to {MAX_ATTACHMENT_NAME_CHARS} characters"),
                },
            });
        }
        let media_type = media_type.trim().to_ascii_lowercase();
        let valid_type = media_type.split_once('/').is_some_and(|(t, s)| {
            let token = |x: &str| {
                !x.is_empty()
                    && x.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
            };
            token(t) && token(s)
        });
        if !valid_type {
            return Err(OutboundError::InvalidAttachment {
                name: name.to_owned(),
                reason: format!("its media type {media_type:?} is not type/subtype"),
            });
        }
        Ok(Self { name: name.to_owned(), media_type, content })
    }

    /// The file name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The media type, lowercase.
    #[must_use]
    pub fn media_type(&self) -> &str {
        &self.media_type
    }

    /// The bytes.
    #[must_use]
    pub fn content(&self) -> &[u8] {
        &self.content
    }
}

impl std::fmt::Debug for OutboundAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboundAttachment")
            .field("name", &self.name)
            .field("media_type", &self.media_type)
            .field("len", &self.content.len())
            .finish()
    }
}

/// An agent's reply as written: the configured address it goes out from, recipients as raw
/// text, a subject, bodies, attachments, and the message it answers.
///
/// ```
/// use email_routing::outbound::OutboundDraft;
/// let draft = OutboundDraft::new("help@support.customer.com".parse()?)
///     .with_to("Jane <jane@example.org>")
///     .with_subject("Re: your order")
///     .with_text("It ships today.");
/// # let _ = draft;
/// # Ok::<(), email_routing::AddressError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundDraft {
    pub(super) from: EmailAddress,
    pub(super) to: Vec<String>,
    pub(super) cc: Vec<String>,
    pub(super) bcc: Vec<String>,
    pub(super) subject: String,
    pub(super) text: Option<String>,
    pub(super) html: Option<String>,
    pub(super) attachments: Vec<OutboundAttachment>,
    pub(super) replying_to: Option<RepliedMessage>,
    pub(super) signature: Option<bool>,
    pub(super) history: Option<bool>,
    pub(super) auto_replied: bool,
}

impl OutboundDraft {
    /// A reply sent from the configured address `from` (the address the conversation came
    /// in on; its route gives the display name, reply-to, auto-BCC, signature and history).
    #[must_use]
    pub fn new(from: EmailAddress) -> Self {
        Self {
            from,
            to: Vec::new(),
            cc: Vec::new(),
            bcc: Vec::new(),
            subject: String::new(),
            text: None,
            html: None,
            attachments: Vec::new(),
            replying_to: None,
            signature: None,
            history: None,
            auto_replied: false,
        }
    }

    /// Adds `To` recipients as typed: one address or a comma-separated list.
    #[must_use]
    pub fn with_to(mut self, typed: impl Into<String>) -> Self {
        self.to.push(typed.into());
        self
    }

    /// Adds `Cc` recipients as typed.
    #[must_use]
    pub fn with_cc(mut self, typed: impl Into<String>) -> Self {
        self.cc.push(typed.into());
        self
    }

    /// Adds `Bcc` recipients as typed.
    #[must_use]
    pub fn with_bcc(mut self, typed: impl Into<String>) -> Self {
        self.bcc.push(typed.into());
        self
    }

    /// Sets the subject.
    #[must_use]
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }

    /// Sets the plain-text body the agent wrote.
    #[must_use]
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Sets an HTML body the agent wrote; the message then carries text and HTML as
    /// `multipart/alternative`.
    #[must_use]
    pub fn with_html(mut self, html: impl Into<String>) -> Self {
        self.html = Some(html.into());
        self
    }

    /// Adds an attachment.
    #[must_use]
    pub fn with_attachment(mut self, attachment: OutboundAttachment) -> Self {
        self.attachments.push(attachment);
        self
    }

    /// Answers `message`: the reply gets `In-Reply-To` and `References`, and, as the route's
    /// history setting says, the message quoted below.
    #[must_use]
    pub fn replying_to(mut self, message: RepliedMessage) -> Self {
        self.replying_to = Some(message);
        self
    }

    /// The agent's choice of signature, where the route leaves it to the agent
    /// ([`SignatureMode::Optional`](crate::config::SignatureMode::Optional)); ignored when the
    /// route always adds its signature. Default: added.
    #[must_use]
    pub fn with_signature(mut self, include: bool) -> Self {
        self.signature = Some(include);
        self
    }

    /// The agent's choice of quoted history, where the route leaves it to the agent
    /// ([`HistoryMode::Optional`](crate::config::HistoryMode::Optional)); ignored otherwise.
    /// Default: quoted.
    #[must_use]
    pub fn with_history(mut self, include: bool) -> Self {
        self.history = Some(include);
        self
    }

    /// Marks the message as an automatic reply (`Auto-Submitted: auto-replied`, RFC 3834 5):
    /// what an acknowledgement carries, so other systems do not answer it.
    #[must_use]
    pub fn auto_replied(mut self) -> Self {
        self.auto_replied = true;
        self
    }
}

/// A validated subject line: no control or line-breaking characters, at most the platform's
/// [`Limits::max_subject_chars`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    /// Validates a subject. Surrounding white space is trimmed and each run of white space
    /// inside becomes one space: mail readers differ on runs at the points where a long header
    /// line is folded, and one space reads back the same everywhere.
    ///
    /// # Errors
    /// `outbound.subject_too_long` past `limits`'
    /// [`max_subject_chars`](Limits::max_subject_chars) (reporting that limit);
    /// `outbound.subject_invalid` for a control, line-breaking or bidi character.
    ///
    /// ```
    /// use email_routing::outbound::Subject;
    /// use email_routing::Limits;
    /// let short = Limits::builder().max_subject_chars(12).build()?;
    /// assert_eq!(Subject::new("  Re:   invoice ", &short)?.as_str(), "Re: invoice");
    /// let err = Subject::new("Re: your invoice", &short).unwrap_err();
    /// assert_eq!(err.code(), "outbound.subject_too_long");
    /// assert!(err.to_string().contains("the limit is 12"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(text: &str, limits: &Limits) -> Result<Self, OutboundError> {
        let collapsed = collapse_white_space(text);
        let text = collapsed.as_str();
        let len = text.chars().count();
        let max = limits.max_subject_chars();
        if len > max {
            return Err(OutboundError::SubjectTooLong { len, max });
        }
        if let Some(c) = text.chars().find(|&c| is_unsafe_in_text(c)) {
            return Err(OutboundError::InvalidSubject { character: describe_char(c) });
        }
        Ok(Self(collapsed))
    }

    /// The subject text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `text` trimmed, each run of spaces and TABs made one space (other characters, line breaks
/// included, are left for the checks to refuse).
fn collapse_white_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split([' ', '\t']).filter(|w| !w.is_empty()).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
