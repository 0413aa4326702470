//! An address's reply settings, as the anchor platform has them: a [`Signature`] (always added
//! or the agent's choice) and whether the customer's message is quoted below a reply
//! ([`HistoryMode`]).

use std::fmt;

use crate::text::{describe_char, is_unsafe_in_text};

/// The most characters a signature's text (or HTML) may have.
pub const MAX_SIGNATURE_CHARS: usize = 10_000;

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The text is empty after trimming.
    #[error("the signature is empty: write its text, or set no signature")]
    Empty,
    /// Longer than [`MAX_SIGNATURE_CHARS`].
    #[error("the signature's {part} is {len} characters long; the limit is {max}: shorten it")]
    TooLong {
        /// `text` or `html`.
        part: &'static str,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A control character other than a line break or TAB, or a bidi control.
    #[error(
        "the signature's {part} contains {character}, which a message body should not hold: remove it"
    )]
    InvalidCharacter {
        /// `text` or `html`.
        part: &'static str,
        /// The character, described.
        character: String,
    },
}

impl SignatureError {
    /// A stable, machine-readable code, e.g. `signature.too_long`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "signature.empty",
            Self::TooLong { .. } => "signature.too_long",
            Self::InvalidCharacter { .. } => "signature.invalid_character",
        }
    }
}

/// Whether a signature is added to every reply or only when the agent asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum SignatureMode {
    /// Every reply carries it; the agent cannot leave it out. The default.
    #[default]
    Always,
    /// The agent chooses per reply.
    Optional,
}

impl std::fmt::Display for SignatureMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Always => "always",
            Self::Optional => "optional",
        })
    }
}

/// A signature added below an agent's text: plain text, and optionally its HTML form (used in
/// the HTML part; without it the text is escaped into HTML).
///
/// ```
/// use email_routing::config::{Signature, SignatureMode};
/// let signature = Signature::new("Customer Help\nAcme Support")?.with_mode(SignatureMode::Optional);
/// assert_eq!(signature.text(), "Customer Help\nAcme Support");
/// assert_eq!(Signature::new("  ").unwrap_err().code(), "signature.empty");
/// # Ok::<(), email_routing::config::SignatureError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "StoredSignature"))]
pub struct Signature {
    text: String,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    html: Option<String>,
    mode: SignatureMode,
}

impl Signature {
    /// A signature of `text` (trimmed; line breaks and TABs allowed), added always.
    ///
    /// # Errors
    /// `signature.empty`, `signature.too_long` (over [`MAX_SIGNATURE_CHARS`]) or
    /// `signature.invalid_character` (a control character other than a line break or TAB,
    /// or a bidi control).
    pub fn new(text: &str) -> Result<Self, SignatureError> {
        let text = check("text", text)?;
        if text.is_empty() {
            return Err(SignatureError::Empty);
        }
        Ok(Self { text, html: None, mode: SignatureMode::Always })
    }

    /// Adds the signature's HTML form, checked like the text.
    ///
    /// # Errors
    /// As [`Signature::new`], for the HTML.
    pub fn with_html(mut self, html: &str) -> Result<Self, SignatureError> {
        let html = check("html", html)?;
        self.html = (!html.is_empty()).then_some(html);
        Ok(self)
    }

    /// Sets whether it is always added or the agent's choice.
    #[must_use]
    pub fn with_mode(mut self, mode: SignatureMode) -> Self {
        self.mode = mode;
        self
    }

    /// The text form.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The HTML form, if given.
    #[must_use]
    pub fn html(&self) -> Option<&str> {
        self.html.as_deref()
    }

    /// Always added, or the agent's choice.
    #[must_use]
    pub fn mode(&self) -> SignatureMode {
        self.mode
    }
}

/// Trims `input` (line ends normalized to `\n`) and applies the signature's character and
/// length rules.
fn check(part: &'static str, input: &str) -> Result<String, SignatureError> {
    let text = input.replace("\r\n", "\n").trim().to_owned();
    let len = text.chars().count();
    if len > MAX_SIGNATURE_CHARS {
        return Err(SignatureError::TooLong { part, len, max: MAX_SIGNATURE_CHARS });
    }
    if let Some(c) = text.chars().find(|&c| c != '\n' && c != '\t' && is_unsafe_in_text(c)) {
        return Err(SignatureError::InvalidCharacter { part, character: describe_char(c) });
    }
    Ok(text)
}

#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a signature: an object with \"text\" and optionally \"html\" and \"mode\""
)]
struct StoredSignature {
    text: String,
    #[serde(default)]
    html: Option<String>,
    #[serde(default)]
    mode: SignatureMode,
}

#[cfg(feature = "serde")]
impl TryFrom<StoredSignature> for Signature {
    type Error = SignatureError;
    fn try_from(s: StoredSignature) -> Result<Self, SignatureError> {
        let signature = Signature::new(&s.text).and_then(|signature| match s.html {
            Some(html) => signature.with_mode(s.mode).with_html(&html),
            None => Ok(signature.with_mode(s.mode)),
        });
        if let Err(error) = &signature {
            crate::refusal::note(error);
        }
        signature
    }
}

/// Whether the customer's message is quoted below a reply (the anchor platform's "email
/// history" setting): in the text part with `>` quoting, in the HTML part as a blockquote,
/// after an attribution line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum HistoryMode {
    /// Always quoted. The default.
    #[default]
    Include,
    /// Never quoted.
    Exclude,
    /// The agent chooses per reply; quoted unless the agent says no.
    Optional,
}

impl fmt::Display for HistoryMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Include => "include",
            Self::Exclude => "exclude",
            Self::Optional => "optional",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_rules_at_their_boundaries() {
        assert!(Signature::new(&"x".repeat(MAX_SIGNATURE_CHARS)).is_ok());
        let err = Signature::new(&"x".repeat(MAX_SIGNATURE_CHARS + 1)).unwrap_err();
        assert_eq!(err.code(), "signature.too_long");
        assert_eq!(Signature::new("a\u{7}b").unwrap_err().code(), "signature.invalid_character");
        assert_eq!(Signature::new("a\u{202E}b").unwrap_err().code(), "signature.invalid_character");
        let s = Signature::new(" Help\r\n\tDesk ").unwrap();
        assert_eq!(s.text(), "Help\n\tDesk");
        assert_eq!(s.with_html("").unwrap().html(), None);
    }
}
