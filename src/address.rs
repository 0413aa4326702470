//! [`EmailAddress`] and [`DisplayName`]: the two values that end up in mail headers.
//!
//! An address is a bare `local@domain` (RFC 5321 `Mailbox`, dot-atom local part only), with the
//! SMTPUTF8 extension (RFC 6531) for Unicode local parts. Everything that makes addresses
//! dangerous in practice is refused at the boundary: quoted strings, comments, folding white
//! space, domain literals, display names, obsolete forms, and invisible or reordering characters.
//! A typing mistake is named in the error: several addresses where one is expected
//! (`a@example.org; b@example.org`), or a comma in the domain (`jane.doe@example,org`).
//!
//! ```
//! use email_routing::EmailAddress;
//!
//! let a: EmailAddress = "Help@Support.Customer.COM".parse()?;
//! assert_eq!(a.to_string(), "Help@support.customer.com");
//! assert_eq!(a.local_part(), "Help");
//! assert!(a.eq_ignore_local_case(&"help@support.customer.com".parse()?));
//!
//! let unicode: EmailAddress = "josé@bücher.de".parse()?;
//! assert_eq!(unicode.domain(), "xn--bcher-kva.de");
//! assert!(unicode.requires_smtputf8());
//!
//! assert!("a@b.com\r\nBcc: x@y.com".parse::<EmailAddress>().is_err());
//!
//! let several = "a@example.org; b@example.org".parse::<EmailAddress>().unwrap_err();
//! assert_eq!(several.code(), "address.several_addresses");
//! let comma = "jane.doe@example,org".parse::<EmailAddress>().unwrap_err();
//! assert_eq!(comma.code(), "domain.invalid_character");
//! assert!(comma.to_string().contains("if you meant a dot"));
//! # Ok::<(), email_routing::AddressError>(())
//! ```

use std::borrow::Cow;
use std::fmt;

use icu_normalizer::ComposingNormalizerBorrowed;

use crate::name::{self, DomainName, DomainNameError, TrailingDot};
use crate::text::{describe_char, is_combining_mark, is_unsafe_in_text, is_unsafe_in_token};

/// The most octets a local part may have (RFC 5321 4.5.3.1.1), counted in UTF-8.
pub const MAX_LOCAL_PART_OCTETS: usize = 64;
/// The most octets a whole address may have (RFC 5321 path limit less the angle brackets),
/// counted in UTF-8 with the domain in ASCII form.
pub const MAX_ADDRESS_OCTETS: usize = 254;
/// The most characters a [`DisplayName`] may have.
pub const MAX_DISPLAY_NAME_CHARS: usize = 256;

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// Nothing was given.
    #[error("the email address is empty: give an address such as help@example.com")]
    Empty,
    /// No `@` separates local part and domain.
    #[error("{input:?} has no '@': give an address such as help@example.com")]
    MissingAt {
        /// The offending input.
        input: String,
    },
    /// The local part (before `@`) is empty.
    #[error("{input:?} has nothing before the '@': add the mailbox name")]
    EmptyLocalPart {
        /// The offending input.
        input: String,
    },
    /// The local part is longer than 64 octets.
    #[error("the local part of {input:?} is {len} octets long; the limit is {max}: shorten it")]
    LocalPartTooLong {
        /// The offending input.
        input: String,
        /// Its length in octets.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The whole address is longer than 254 octets.
    #[error("the address is {len} octets long; the limit is {max}: use a shorter address")]
    TooLong {
        /// Its length in octets (of the input, or of the normalized form).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A dot starts or ends the local part, or two dots follow each other.
    #[error(
        "{input:?} has a dot at the start or end of the local part, or two dots in a row: remove the extra dot"
    )]
    MisplacedDot {
        /// The offending input.
        input: String,
    },
    /// The local part is a quoted string (`"john doe"@example.com`).
    #[error("{input:?} uses a quoted local part, which is not supported: use a plain mailbox name")]
    QuotedLocalPart {
        /// The offending input.
        input: String,
    },
    /// The input looks like `Name <address>`.
    #[error(
        "{input:?} contains a display name or angle brackets: give the bare address and put the name in the display name"
    )]
    DisplayNameNotAllowed {
        /// The offending input.
        input: String,
    },
    /// Several addresses were given where one is expected: `a@example.org; b@example.org`,
    /// `a@example.org, b@example.org` or `a@example.org b@example.org`.
    #[error(
        "{input:?} holds {count} addresses: give one address here; where a list of addresses is asked for, separate them with commas"
    )]
    SeveralAddresses {
        /// The offending input.
        input: String,
        /// How many addresses it seems to hold (parts with an `@` between commas, semicolons
        /// and white space).
        count: usize,
    },
    /// The local part starts with a combining mark (general category M, such as U+0300): it
    /// would render onto whatever precedes the address.
    #[error(
        "{input:?} starts with the combining mark {character}, which would join the character before the address: remove it or put a letter before it"
    )]
    LeadingCombiningMark {
        /// The offending input.
        input: String,
        /// The offending mark, described.
        character: String,
    },
    /// The input contains an RFC 5322 comment.
    #[error("{input:?} contains a comment in parentheses: remove it")]
    CommentNotAllowed {
        /// The offending input.
        input: String,
    },
    /// The domain is a literal such as `[192.0.2.1]`.
    #[error("{input:?} uses an address literal as its domain: use a domain name")]
    DomainLiteral {
        /// The offending input.
        input: String,
    },
    /// A character that may not appear in an address: white space, a control, a format or bidi
    /// character, private-use or unassigned code point, or ASCII punctuation outside `atext`.
    #[error("{input:?} contains {character}, which may not appear in an email address: remove it")]
    InvalidCharacter {
        /// The offending input.
        input: String,
        /// The offending character, described.
        character: String,
    },
    /// The display name in `Name <address>` is not a valid display name. The code and the end
    /// of the message are the name's own error's.
    #[error("the name in {input:?} is invalid: {error}")]
    InvalidDisplayName {
        /// The offending input.
        input: String,
        /// What is wrong with the name.
        error: DisplayNameError,
    },
    /// The domain part is not a valid mail domain. The code and the end of the message are
    /// the domain name's own error's.
    #[error("the domain of {input:?} is invalid: {error}")]
    Domain {
        /// The offending input.
        input: String,
        /// What is wrong with the domain.
        error: DomainNameError,
    },
}

impl AddressError {
    /// A stable, machine-readable code for this error, e.g. `address.local_part_too_long`.
    /// Domain problems keep their `domain.*` code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "address.empty",
            Self::MissingAt { .. } => "address.at_sign_missing",
            Self::EmptyLocalPart { .. } => "address.local_part_empty",
            Self::LocalPartTooLong { .. } => "address.local_part_too_long",
            Self::TooLong { .. } => "address.too_long",
            Self::MisplacedDot { .. } => "address.misplaced_dot",
            Self::QuotedLocalPart { .. } => "address.local_part_quoted",
            Self::SeveralAddresses { .. } => "address.several_addresses",
            Self::LeadingCombiningMark { .. } => "address.leading_combining_mark",
            Self::DisplayNameNotAllowed { .. } => "address.display_name",
            Self::CommentNotAllowed { .. } => "address.comment",
            Self::DomainLiteral { .. } => "address.domain_literal",
            Self::InvalidCharacter { .. } => "address.invalid_character",
            Self::InvalidDisplayName { error, .. } => error.code(),
            Self::Domain { error, .. } => error.code(),
        }
    }
}

/// A validated mailbox address: `local@domain`.
///
/// Stored normalized: the local part NFC-normalized and otherwise as given (RFC 5321 leaves
/// its case to the receiving host), the domain as lowercase A-labels. `==` follows RFC 5321:
/// the domain compares case-insensitively, the local part exactly. Routing compares local parts
/// case-insensitively as well (Unicode lowercase mapping); see
/// [`eq_ignore_local_case`](Self::eq_ignore_local_case).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct EmailAddress {
    /// `local@ascii-domain`.
    text: Box<str>,
    /// Byte index of the `@` in `text`.
    at: usize,
    /// The case-folded form, when it differs from `text`.
    folded: Option<Box<str>>,
}

impl EmailAddress {
    /// Parses and normalizes an address.
    ///
    /// # Errors
    ///
    /// An [`AddressError`] naming the first rule the input breaks (see the module docs): no
    /// `@`, a local part over [`MAX_LOCAL_PART_OCTETS`] or an address over
    /// [`MAX_ADDRESS_OCTETS`], a character outside the dot-atom rules or a leading combining
    /// mark, an RFC 5322 form that is valid elsewhere but not here (quoted string, comment,
    /// display name, domain literal), several addresses where one is expected, or a domain
    /// that is not a valid [`DomainName`] for mail (its `domain.*` code kept).
    pub fn new(input: &str) -> Result<Self, AddressError> {
        parse(input)
    }

    /// The normalized address, `local@ascii-domain`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The local part (before `@`), NFC-normalized.
    #[must_use]
    pub fn local_part(&self) -> &str {
        &self.text[..self.at]
    }

    /// The domain in ASCII form (lowercase A-labels).
    #[must_use]
    pub fn domain(&self) -> &str {
        &self.text[self.at + 1..]
    }

    /// The domain as a [`DomainName`] (made on each call: the address stores its text once).
    #[must_use]
    pub fn to_domain_name(&self) -> DomainName {
        DomainName::from_normalized(self.domain().to_owned())
    }

    /// Whether sending to or from this address needs the SMTPUTF8 extension (RFC 6531): true
    /// when the local part is not ASCII. Unicode domains travel as A-labels and never need it.
    #[must_use]
    pub fn requires_smtputf8(&self) -> bool {
        !self.local_part().is_ascii()
    }

    /// The key routes are matched on: the address with its local part lowercased (Unicode
    /// default case mapping, `str::to_lowercase`) and NFC-normalized again, since lowercasing
    /// can leave a letter and a combining accent that have a precomposed form.
    #[must_use]
    pub fn lookup_key(&self) -> &str {
        self.folded.as_deref().unwrap_or(&self.text)
    }

    /// Whether two addresses are the same mailbox for routing: equal domains, and local parts
    /// equal after lowercasing. `Help@x.com` and `help@X.COM` match; `help@x.com` and
    /// `help2@x.com` do not.
    #[must_use]
    pub fn eq_ignore_local_case(&self, other: &EmailAddress) -> bool {
        self.lookup_key() == other.lookup_key()
    }
}

fn parse(input: &str) -> Result<EmailAddress, AddressError> {
    if input.is_empty() {
        return Err(AddressError::Empty);
    }
    if input.len() > name::MAX_INPUT_BYTES {
        return Err(AddressError::TooLong { len: input.len(), max: MAX_ADDRESS_OCTETS });
    }
    parse_dot_atom(input).map_err(|e| explain_forbidden_syntax(input).unwrap_or(e))
}

/// The happy path: a dot-atom local part, `@`, a mailbox domain, built in one allocation.
fn parse_dot_atom(input: &str) -> Result<EmailAddress, AddressError> {
    let owned = || input.to_owned();
    let (local, domain) =
        input.split_once('@').ok_or_else(|| AddressError::MissingAt { input: owned() })?;
    let local = check_local_part(input, local)?;
    if local.len() > MAX_LOCAL_PART_OCTETS {
        return Err(AddressError::LocalPartTooLong {
            input: owned(),
            len: local.len(),
            max: MAX_LOCAL_PART_OCTETS,
        });
    }
    let mut text = String::with_capacity(local.len() + 1 + domain.len());
    text.push_str(&local);
    text.push('@');
    name::normalize_into(domain, TrailingDot::Refuse, &mut text)
        .map_err(|error| AddressError::Domain { input: owned(), error })?;
    if text.len() > MAX_ADDRESS_OCTETS {
        return Err(AddressError::TooLong { len: text.len(), max: MAX_ADDRESS_OCTETS });
    }
    let at = local.len();
    let folded = lookup_key_if_different(&text, at);
    Ok(EmailAddress { text: text.into_boxed_str(), at, folded })
}

/// After a failure, names the RFC 5322 form that is valid somewhere but never here, so the user
/// learns what to change. Kept off the happy path.
fn explain_forbidden_syntax(input: &str) -> Option<AddressError> {
    let owned = || input.to_owned();
    if let Some(c) = input.chars().find(|c| c.is_control()) {
        // Most likely a header-injection attempt (`\r\nBcc: ...`): name the character.
        return Some(AddressError::InvalidCharacter {
            input: owned(),
            character: describe_char(c),
        });
    }
    let count = count_addresses(input);
    if count > 1 {
        return Some(AddressError::SeveralAddresses { input: owned(), count });
    }
    if input.contains('<') || input.contains('>') {
        return Some(AddressError::DisplayNameNotAllowed { input: owned() });
    }
    if input.starts_with('"') {
        return Some(AddressError::QuotedLocalPart { input: owned() });
    }
    if input.contains('(') {
        return Some(AddressError::CommentNotAllowed { input: owned() });
    }
    if input.split_once('@').is_some_and(|(_, domain)| domain.starts_with('[')) {
        return Some(AddressError::DomainLiteral { input: owned() });
    }
    None
}

/// How many addresses `input` seems to hold: its parts that contain an `@`, split at commas,
/// semicolons and white space, the separators people type between addresses.
fn count_addresses(input: &str) -> usize {
    input
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|part| part.contains('@'))
        .count()
}

/// RFC 5322 `atext` outside letters and digits.
fn is_atext_symbol(b: u8) -> bool {
    b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// Checks the dot-atom local part; returns it NFC-normalized.
fn check_local_part<'a>(input: &str, local: &'a str) -> Result<Cow<'a, str>, AddressError> {
    if check_dot_atom(input, local)? {
        return Ok(Cow::Borrowed(local));
    }
    let normalized = ComposingNormalizerBorrowed::new_nfc().normalize(local);
    // NFC maps a few characters to ASCII ones, and not always to `atext`: U+037E GREEK
    // QUESTION MARK becomes `;`. What is stored is what must pass.
    if let Cow::Owned(normalized) = &normalized {
        check_dot_atom(input, normalized)?;
    }
    Ok(normalized)
}

/// Checks dot placement and every character of a local part; returns whether it is ASCII.
fn check_dot_atom(input: &str, local: &str) -> Result<bool, AddressError> {
    let Some(first) = local.chars().next() else {
        return Err(AddressError::EmptyLocalPart { input: input.to_owned() });
    };
    if is_combining_mark(first) {
        return Err(AddressError::LeadingCombiningMark {
            input: input.to_owned(),
            character: describe_char(first),
        });
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(AddressError::MisplacedDot { input: input.to_owned() });
    }
    let mut ascii = true;
    for c in local.chars() {
        let ok = if c.is_ascii() {
            let b = c as u8;
            b.is_ascii_alphanumeric() || b == b'.' || is_atext_symbol(b)
        } else {
            ascii = false;
            !is_unsafe_in_token(c)
        };
        if !ok {
            return Err(AddressError::InvalidCharacter {
                input: input.to_owned(),
                character: describe_char(c),
            });
        }
    }
    Ok(ascii)
}

/// The address with its local part lowercased, or `None` when lowercasing changes nothing.
fn lookup_key_if_different(text: &str, at: usize) -> Option<Box<str>> {
    let local = &text[..at];
    if local.is_ascii() {
        if !local.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let mut key = text.to_owned();
        key[..at].make_ascii_lowercase();
        return Some(key.into_boxed_str());
    }
    // Lowercasing can undo NFC (a capital with a combining accent lowercases to a letter that
    // has a precomposed form), so the key is normalized again: the same mailbox typed in
    // either case must give the same key.
    let lower = local.to_lowercase();
    let lower = match ComposingNormalizerBorrowed::new_nfc().normalize(&lower) {
        Cow::Borrowed(_) => lower,
        Cow::Owned(normalized) => normalized,
    };
    (lower != local).then(|| (lower + &text[at..]).into_boxed_str())
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({:?})", &*self.text)
    }
}

crate::macros::text_value_conversions!(EmailAddress, AddressError);

/// Why a display name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DisplayNameError {
    /// Empty after trimming.
    #[error(
        "the display name is empty: give a name such as \"Acme Support\", or leave the name out"
    )]
    Empty,
    /// Longer than the limit.
    #[error("the display name is {len} characters long; the limit is {max}: shorten it")]
    TooLong {
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Contains a character that could inject or disguise a header.
    #[error(
        "the display name {input:?} contains {character}, which could break or disguise a mail header: remove it"
    )]
    InvalidCharacter {
        /// The offending input.
        input: String,
        /// The offending character, described.
        character: String,
    },
}

impl DisplayNameError {
    /// A stable, machine-readable code for this error, e.g. `display_name.too_long`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "display_name.empty",
            Self::TooLong { .. } => "display_name.too_long",
            Self::InvalidCharacter { .. } => "display_name.invalid_character",
        }
    }
}

/// The name shown beside an address (the "from name" an address sends under, and any mailbox's name: RFC 5322's display-name), safe to put in a header.
///
/// Trimmed; 1..=[`MAX_DISPLAY_NAME_CHARS`] characters; no control characters (CR and LF
/// included), line or paragraph separators, bidi controls, private-use or unassigned code points.
///
/// ```
/// use email_routing::DisplayName;
/// assert_eq!(DisplayName::new("  Acme Support ").unwrap().as_str(), "Acme Support");
/// assert!(DisplayName::new("Acme\r\nBcc: evil@example.com").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct DisplayName(Box<str>);

impl DisplayName {
    /// Validates and creates a display name.
    ///
    /// # Errors
    /// `display_name.empty` when nothing is left after trimming; `display_name.too_long` past
    /// [`MAX_DISPLAY_NAME_CHARS`] characters; `display_name.invalid_character` for a character
    /// that could inject or disguise a header, named in the error.
    pub fn new(input: &str) -> Result<Self, DisplayNameError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(DisplayNameError::Empty);
        }
        let len = trimmed.chars().count();
        if len > MAX_DISPLAY_NAME_CHARS {
            return Err(DisplayNameError::TooLong { len, max: MAX_DISPLAY_NAME_CHARS });
        }
        if let Some(c) = trimmed.chars().find(|&c| is_unsafe_in_text(c)) {
            return Err(DisplayNameError::InvalidCharacter {
                input: trimmed.to_owned(),
                character: describe_char(c),
            });
        }
        Ok(Self(trimmed.into()))
    }

    /// The validated name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::macros::text_value_conversions!(DisplayName, DisplayNameError);
