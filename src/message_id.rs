//! [`MessageId`]: the identifier a message carries in `Message-ID` and that replies name in
//! `In-Reply-To` and `References` (RFC 5322 3.6.4), the thread conversations are tied by.
//!
//! Received ids are read liberally (mail clients write ids without `@`, with odd characters,
//! or in brackets with spaces around), because a reply must still thread; an id is stored
//! without its angle brackets and compared exactly (RFC 5322 gives no case rule, and threading
//! clients compare the text as written). Ids this crate writes are strict: `<token@domain>`
//! with a dot-atom token the host supplies and the sending domain.

use std::fmt;

use crate::name::DomainName;
use crate::text::describe_char;

/// The longest message id kept, in octets, brackets excluded: a header line's limit (RFC 5322
/// 2.1.1, 998) less the room `Message-ID: <>` takes.
pub const MAX_MESSAGE_ID_OCTETS: usize = 980;

/// The most ids a reply's `References` carries: the thread's first and the most recent
/// (RFC 5322 3.6.4 lets a writer trim the list; mail clients thread on the first and last).
pub const MAX_REFERENCES: usize = 20;

/// The `References` of a reply to a message (RFC 5322 3.6.4): the parent's `References`
/// followed by its `Message-ID`; when the parent has no `References` but one `In-Reply-To`
/// id, that id instead. Past [`MAX_REFERENCES`] ids, the first and the most recent are kept.
pub(crate) fn reply_references(
    parent_references: &[MessageId],
    parent_in_reply_to: &[MessageId],
    parent_id: Option<&MessageId>,
) -> Vec<MessageId> {
    let earlier = match (parent_references, parent_in_reply_to) {
        ([], [single]) => std::slice::from_ref(single),
        (references, _) => references,
    };
    let mut ids: Vec<MessageId> = earlier.iter().chain(parent_id).cloned().collect();
    if ids.len() > MAX_REFERENCES {
        ids.drain(1..ids.len() - (MAX_REFERENCES - 1));
    }
    ids
}

/// Why a message id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageIdError {
    /// Nothing was given (or only brackets and white space).
    #[error("the message id is empty: give an id such as <token@example.com>")]
    Empty,
    /// Longer than [`MAX_MESSAGE_ID_OCTETS`].
    #[error("the message id is {len} octets long; the limit is {max}: use a shorter id")]
    TooLong {
        /// Its length in octets.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// White space, a control character, an angle bracket or another character no id may
    /// hold.
    #[error(
        "the message id {input:?} contains {character}, which no message id may hold: remove it"
    )]
    InvalidCharacter {
        /// The offending input.
        input: String,
        /// The character, described.
        character: String,
    },
}

impl MessageIdError {
    /// A stable, machine-readable code, e.g. `message_id.too_long`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "message_id.empty",
            Self::TooLong { .. } => "message_id.too_long",
            Self::InvalidCharacter { .. } => "message_id.invalid_character",
        }
    }
}

/// A message id, without its angle brackets.
///
/// ```
/// use email_routing::{DomainName, MessageId};
/// let received = MessageId::new(" <CAEddw6POFV_On91m+ZoL@mail.gmail.com> ")?;
/// assert_eq!(received.as_str(), "CAEddw6POFV_On91m+ZoL@mail.gmail.com");
/// assert_eq!(received.to_string(), "<CAEddw6POFV_On91m+ZoL@mail.gmail.com>");
///
/// // Ids the crate writes: a token from the host, the sending domain.
/// let domain: DomainName = "support.customer.com".parse()?;
/// let ours = MessageId::for_domain("r-7f3a9c", &domain)?;
/// assert_eq!(ours.to_string(), "<r-7f3a9c@support.customer.com>");
/// assert!(MessageId::for_domain("two words", &domain).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct MessageId(Box<str>);

impl MessageId {
    /// Reads a message id as received: surrounding white space and one pair of angle brackets
    /// are removed; the rest must be 1 to [`MAX_MESSAGE_ID_OCTETS`] octets of printable
    /// characters without white space or angle brackets.
    ///
    /// # Errors
    /// `message_id.empty`, `message_id.too_long` or `message_id.invalid_character`.
    pub fn new(input: &str) -> Result<Self, MessageIdError> {
        let trimmed = input.trim();
        let inner =
            trimmed.strip_prefix('<').and_then(|s| s.strip_suffix('>')).map_or(trimmed, str::trim);
        if inner.is_empty() {
            return Err(MessageIdError::Empty);
        }
        if inner.len() > MAX_MESSAGE_ID_OCTETS {
            return Err(MessageIdError::TooLong { len: inner.len(), max: MAX_MESSAGE_ID_OCTETS });
        }
        if let Some(c) = inner.chars().find(|&c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>') || c == '\u{FFFD}'
        }) {
            return Err(MessageIdError::InvalidCharacter {
                input: inner.to_owned(),
                character: describe_char(c),
            });
        }
        Ok(Self(inner.into()))
    }

    /// The id the crate writes for a message sent from `domain`: `token@domain`. The token
    /// comes from the host (the crate draws no randomness); it must be unique per message, and
    /// is a dot-atom of ASCII `atext` (RFC 5322 3.2.3), at most 64 octets.
    ///
    /// # Errors
    /// `message_id.empty` for an empty token, `message_id.too_long` past 64 octets,
    /// `message_id.invalid_character` for anything outside dot-atom text.
    pub fn for_domain(token: &str, domain: &DomainName) -> Result<Self, MessageIdError> {
        const MAX_TOKEN: usize = 64;
        if token.is_empty() {
            return Err(MessageIdError::Empty);
        }
        if token.len() > MAX_TOKEN {
            return Err(MessageIdError::TooLong { len: token.len(), max: MAX_TOKEN });
        }
        let bad = token.chars().find(|&c| {
            !(c.is_ascii_alphanumeric() || c == '.' || "!#$%&'*+-/=?^_`{|}~".contains(c))
        });
        let misplaced_dot = token.starts_with('.') || token.ends_with('.') || token.contains("..");
        if let Some(c) = bad.or(misplaced_dot.then_some('.')) {
            return Err(MessageIdError::InvalidCharacter {
                input: token.to_owned(),
                character: describe_char(c),
            });
        }
        Ok(Self(format!("{token}@{domain}").into()))
    }

    /// The id without angle brackets.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MessageId {
    /// The header form, in angle brackets: `<id>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.0)
    }
}

impl fmt::Debug for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MessageId({:?})", &*self.0)
    }
}

impl std::str::FromStr for MessageId {
    type Err = MessageIdError;
    fn from_str(s: &str) -> Result<Self, MessageIdError> {
        Self::new(s)
    }
}

impl TryFrom<String> for MessageId {
    type Error = MessageIdError;
    fn try_from(s: String) -> Result<Self, MessageIdError> {
        let id = Self::new(&s);
        #[cfg(feature = "serde")]
        if let Err(error) = &id {
            crate::refusal::note(error);
        }
        id
    }
}

impl From<MessageId> for String {
    fn from(id: MessageId) -> String {
        id.0.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn received_ids_are_read_liberally_and_checked() {
        assert_eq!(MessageId::new("<a@b>").unwrap().as_str(), "a@b");
        assert_eq!(MessageId::new("< a@b >").unwrap().as_str(), "a@b");
        assert_eq!(MessageId::new("no-at-sign").unwrap().as_str(), "no-at-sign");
        assert_eq!(MessageId::new("<>").unwrap_err().code(), "message_id.empty");
        assert_eq!(MessageId::new("  ").unwrap_err().code(), "message_id.empty");
        assert_eq!(MessageId::new("<a b@c>").unwrap_err().code(), "message_id.invalid_character");
        assert_eq!(MessageId::new("<a\r\nb>").unwrap_err().code(), "message_id.invalid_character");
        assert_eq!(MessageId::new("<<a@b>>").unwrap_err().code(), "message_id.invalid_character");
        let max = "x".repeat(MAX_MESSAGE_ID_OCTETS);
        assert!(MessageId::new(&max).is_ok());
        assert_eq!(MessageId::new(&format!("{max}x")).unwrap_err().code(), "message_id.too_long");
        // Case is kept and compared exactly.
        assert_ne!(MessageId::new("A@b").unwrap(), MessageId::new("a@b").unwrap());
    }

    #[test]
    fn written_ids_are_strict() {
        let d: DomainName = "support.customer.com".parse().unwrap();
        assert_eq!(
            MessageId::for_domain("a.b-c", &d).unwrap().as_str(),
            "a.b-c@support.customer.com"
        );
        assert!(MessageId::for_domain(&"t".repeat(64), &d).is_ok());
        assert_eq!(
            MessageId::for_domain(&"t".repeat(65), &d).unwrap_err().code(),
            "message_id.too_long"
        );
        for bad in ["", ".a", "a.", "a..b", "a b", "a@b", "a<b", "é"] {
            assert!(MessageId::for_domain(bad, &d).is_err(), "{bad:?}");
        }
    }
}
