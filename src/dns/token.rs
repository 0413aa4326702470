//! The values a platform issues for one domain: the verification token, DKIM tokens
//! (CNAME form) and DKIM public keys (TXT form). Each is checked when made, so rendering a
//! record from it cannot fail.

use super::{DkimKeyError, DkimTokenError, VerificationTokenError};
use crate::name::MAX_LABEL_OCTETS;
use crate::text::describe_char;

/// The longest verification token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 255;

/// The longest DKIM public key accepted, in base64 characters (a 4096-bit RSA key is 736).
pub const MAX_DKIM_KEY_CHARS: usize = 2048;

/// The token a verification TXT record must hold, as issued by the provider.
///
/// Printable ASCII without spaces, quotes or backslashes, 1 to 255 bytes. Case is kept: tokens
/// are compared exactly.
///
/// ```
/// use email_routing::dns::VerificationToken;
/// let t = VerificationToken::new("pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=")?;
/// assert_eq!(t.as_str().len(), 44);
/// assert_eq!(VerificationToken::new("\"abc\"").unwrap_err().code(), "dns.token_invalid");
/// # Ok::<(), email_routing::dns::VerificationTokenError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct VerificationToken(Box<str>);

impl VerificationToken {
    /// Validates a token.
    ///
    /// # Errors
    /// `dns.token_empty`, `dns.token_too_long` past [`MAX_TOKEN_BYTES`], `dns.token_invalid`
    /// for a character outside printable ASCII, or a space, quote or backslash.
    pub fn new(input: &str) -> Result<Self, VerificationTokenError> {
        if input.is_empty() {
            return Err(VerificationTokenError::Empty);
        }
        if input.len() > MAX_TOKEN_BYTES {
            return Err(VerificationTokenError::TooLong { len: input.len(), max: MAX_TOKEN_BYTES });
        }
        if let Some(c) = input.chars().find(|c| !c.is_ascii_graphic() || matches!(c, '"' | '\\')) {
            return Err(VerificationTokenError::InvalidCharacter {
                token: input.to_owned(),
                character: describe_char(c),
            });
        }
        Ok(Self(input.into()))
    }

    /// The token.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A DKIM token of the CNAME form (SES Easy DKIM): one DNS label of letters, digits and inner
/// hyphens (it becomes part of a host name), stored lowercase.
///
/// ```
/// use email_routing::dns::DkimToken;
/// let t = DkimToken::new("Abc123xyz")?;
/// assert_eq!(t.as_str(), "abc123xyz");
/// assert_eq!(DkimToken::new("a.b").unwrap_err().code(), "dns.dkim_token_invalid");
/// # Ok::<(), email_routing::dns::DkimTokenError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct DkimToken(Box<str>);

impl DkimToken {
    /// Validates a token: 1 to 63 letters, digits or inner hyphens.
    ///
    /// # Errors
    /// `dns.dkim_token_invalid` for anything else.
    pub fn new(input: &str) -> Result<Self, DkimTokenError> {
        let ldh = input.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !ldh || !is_label(input) || input.starts_with('-') || input.ends_with('-') {
            return Err(DkimTokenError::new(input));
        }
        Ok(Self(input.to_ascii_lowercase().into_boxed_str()))
    }

    /// The token, lowercase.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A DKIM key algorithm, as written in the `k=` tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", expecting = "a DKIM key type: \"rsa\" or \"ed25519\"")
)]
pub enum DkimKeyType {
    /// `k=rsa`.
    #[default]
    Rsa,
    /// `k=ed25519` (RFC 8463).
    Ed25519,
}

impl DkimKeyType {
    /// The `k=` tag value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa => "rsa",
            Self::Ed25519 => "ed25519",
        }
    }
}

/// A DKIM public key of the TXT form: a selector and the base64 key data.
///
/// White space in the pasted key is dropped (keys are often copied across lines).
///
/// ```
/// use email_routing::dns::{DkimKey, DkimKeyType};
/// let key = DkimKey::new("s1", DkimKeyType::Rsa, "MIIBIj\n  ANBgkq")?;
/// assert_eq!(key.record_value(), "v=DKIM1; k=rsa; p=MIIBIjANBgkq");
/// # Ok::<(), email_routing::dns::DkimKeyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "StoredDkimKey"))]
pub struct DkimKey {
    selector: Box<str>,
    key_type: DkimKeyType,
    public_key: Box<str>,
}

impl DkimKey {
    /// Validates a selector (one or more DNS labels) and a base64 public key.
    ///
    /// # Errors
    /// `dns.dkim_selector_invalid` for a selector that is not DNS labels of letters, digits,
    /// hyphens and underscores; `dns.dkim_key_invalid` for a character outside base64;
    /// `dns.dkim_key_empty`; `dns.dkim_key_too_long` past [`MAX_DKIM_KEY_CHARS`].
    pub fn new(
        selector: &str,
        key_type: DkimKeyType,
        public_key: &str,
    ) -> Result<Self, DkimKeyError> {
        if selector.is_empty() || !selector.split('.').all(is_label) {
            return Err(DkimKeyError::SelectorInvalid { selector: selector.to_owned() });
        }
        let key: String = public_key.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        if let Some(c) =
            key.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
        {
            return Err(DkimKeyError::InvalidCharacter {
                selector: selector.to_owned(),
                character: describe_char(c),
            });
        }
        if key.is_empty() {
            return Err(DkimKeyError::Empty { selector: selector.to_owned() });
        }
        if key.len() > MAX_DKIM_KEY_CHARS {
            return Err(DkimKeyError::TooLong {
                selector: selector.to_owned(),
                len: key.len(),
                max: MAX_DKIM_KEY_CHARS,
            });
        }
        Ok(Self {
            selector: selector.to_ascii_lowercase().into_boxed_str(),
            key_type,
            public_key: key.into_boxed_str(),
        })
    }

    /// The selector, lowercase.
    #[must_use]
    pub fn selector(&self) -> &str {
        &self.selector
    }

    /// The key algorithm.
    #[must_use]
    pub fn key_type(&self) -> DkimKeyType {
        self.key_type
    }

    /// The base64 key data, without white space.
    #[must_use]
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The TXT record value: `v=DKIM1; k=<type>; p=<key>`.
    #[must_use]
    pub fn record_value(&self) -> String {
        format!("v=DKIM1; k={}; p={}", self.key_type.as_str(), self.public_key)
    }
}

/// A [`DkimKey`] as stored, before [`DkimKey::new`] checks it.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a DKIM key: an object with \"selector\" and \"public_key\""
)]
struct StoredDkimKey {
    selector: String,
    #[serde(default)]
    key_type: DkimKeyType,
    public_key: String,
}

#[cfg(feature = "serde")]
impl TryFrom<StoredDkimKey> for DkimKey {
    type Error = crate::refusal::Refusal;

    fn try_from(file: StoredDkimKey) -> Result<Self, Self::Error> {
        DkimKey::new(&file.selector, file.key_type, &file.public_key).map_err(|error| {
            let field = match error {
                DkimKeyError::SelectorInvalid { .. } => "selector",
                _ => "public_key",
            };
            crate::refusal::Refusal::new(error, [crate::refusal::Step::field(field)])
        })
    }
}

/// Whether `s` is one DNS label of letters, digits, hyphens or underscores.
fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_LABEL_OCTETS
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

crate::macros::text_value_conversions!(VerificationToken, VerificationTokenError);
crate::macros::text_value_conversions!(DkimToken, DkimTokenError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_tokens() {
        assert_eq!(VerificationToken::new("").unwrap_err().code(), "dns.token_empty");
        assert_eq!(
            VerificationToken::new(&"a".repeat(256)).unwrap_err().code(),
            "dns.token_too_long"
        );
        assert_eq!(VerificationToken::new("a b").unwrap_err().code(), "dns.token_invalid");
        assert_eq!(VerificationToken::new("ab\u{200B}").unwrap_err().code(), "dns.token_invalid");
        assert!(VerificationToken::new("google-site-verification=abc_DEF-123").is_ok());
    }

    #[test]
    fn dkim_keys() {
        let err = DkimKey::new("s1", DkimKeyType::Rsa, "abc;def").unwrap_err();
        assert_eq!(err.code(), "dns.dkim_key_invalid");
        let err = DkimKey::new("s1", DkimKeyType::Rsa, "  ").unwrap_err();
        assert_eq!(err.code(), "dns.dkim_key_empty");
        let at_limit = "a".repeat(MAX_DKIM_KEY_CHARS);
        assert!(DkimKey::new("s1", DkimKeyType::Rsa, &at_limit).is_ok());
        let err = DkimKey::new("s1", DkimKeyType::Rsa, &format!("{at_limit}a")).unwrap_err();
        assert_eq!(err.code(), "dns.dkim_key_too_long");
        let err = DkimKey::new("bad selector", DkimKeyType::Rsa, "abc").unwrap_err();
        assert_eq!(err.code(), "dns.dkim_selector_invalid");
        let key = DkimKey::new("S1.Sub", DkimKeyType::Ed25519, "abc=").unwrap();
        assert_eq!(key.selector(), "s1.sub");
        assert_eq!(key.record_value(), "v=DKIM1; k=ed25519; p=abc=");
    }
}
