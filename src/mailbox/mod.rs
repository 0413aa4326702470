//! [`Mailbox`]: an address with an optional display name, as it appears in `From`, `To` and `Cc`
//! headers, and the header-safe rendering of one.
//!
//! Parsing accepts what people type and what mail clients send: `help@example.com`,
//! `Customer Help <help@example.com>` and `"Help, Customer" <help@example.com>`, with RFC 2047
//! encoded words in names decoded. Rendering quotes names with specials and RFC 2047-encodes
//! names that are not ASCII, so a header built from a `Mailbox` is always one well-formed line
//! without CR or LF, and reads back as the same mailbox.
//!
//! ```
//! use email_routing::Mailbox;
//!
//! let m: Mailbox = "\"Help, Customer\" <Help@Example.com>".parse()?;
//! assert_eq!(m.name().map(|n| n.as_str()), Some("Help, Customer"));
//! assert_eq!(m.to_string(), "\"Help, Customer\" <Help@example.com>");
//!
//! let jp: Mailbox = "サポート <help@example.com>".parse()?;
//! assert_eq!(jp.to_string(), "=?UTF-8?B?44K144Od44O844OI?= <help@example.com>");
//! # Ok::<(), email_routing::AddressError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use crate::address::{AddressError, DisplayName, EmailAddress};

mod reader;
mod rfc2047;

use reader::Syntax;
pub(crate) use rfc2047::write_encoded_words;

/// Where a recipient was found (received mail) or typed (a reply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RecipientField {
    /// The SMTP envelope (`RCPT TO`).
    Envelope,
    /// The `To` header field.
    To,
    /// The `Cc` header field.
    Cc,
    /// Blind copies (replies only: received mail carries no `Bcc` field to read).
    Bcc,
}

impl RecipientField {
    /// `envelope`, `to`, `cc` or `bcc`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Envelope => "envelope",
            Self::To => "to",
            Self::Cc => "cc",
            Self::Bcc => "bcc",
        }
    }
}

impl fmt::Display for RecipientField {
    /// As people name it: `envelope`, `To`, `Cc`, `Bcc`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Envelope => "envelope",
            Self::To => "To",
            Self::Cc => "Cc",
            Self::Bcc => "Bcc",
        })
    }
}

/// An address and the name shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    name: Option<DisplayName>,
    address: EmailAddress,
}

impl Mailbox {
    /// A mailbox from its parts.
    #[must_use]
    pub fn new(name: Option<DisplayName>, address: EmailAddress) -> Self {
        Self { name, address }
    }

    /// Parses `address`, `Name <address>` or `"Quoted, Name" <address>`. RFC 2047 encoded
    /// words in an unquoted name are decoded (`=?UTF-8?B?...?=`, as [`Display`](fmt::Display)
    /// writes names that are not ASCII, and `Q` words in UTF-8, Latin-1 or windows-1252 as mail
    /// clients send). A decoded name must pass [`DisplayName`]'s rules like any other; one that
    /// does not is kept as written, still encoded, so that the address is not lost.
    ///
    /// # Errors
    /// `address.empty` for no mailbox at all; for one mailbox, the [`AddressError`] of its
    /// address (the codes of [`EmailAddress::new`]); for several, the address parser's reason,
    /// or `address.display_name`. Use [`parse_mailbox_list`] for a list.
    ///
    /// ```
    /// use email_routing::Mailbox;
    /// let m = Mailbox::parse("=?utf-8?Q?Zo=C3=AB?= Smith <zoe@example.com>")?;
    /// assert_eq!(m.name().map(|n| n.as_str()), Some("Zoë Smith"));
    /// // A line break hidden in an encoded word stays encoded.
    /// let evil = Mailbox::parse("=?utf-8?Q?Evil=0D=0ABcc:_x@y.com?= <a@b.com>")?;
    /// assert_eq!(evil.name().map(|n| n.as_str()), Some("=?utf-8?Q?Evil=0D=0ABcc:_x@y.com?="));
    /// assert_eq!(evil.address().as_str(), "a@b.com");
    /// # Ok::<(), email_routing::AddressError>(())
    /// ```
    pub fn parse(input: &str) -> Result<Self, AddressError> {
        let mut entries = reader::read_list(input, Syntax::Typed).into_iter();
        match (entries.next(), entries.next()) {
            (None, _) => Err(AddressError::Empty),
            (Some(entry), None) => entry.map_err(|(_, error)| error),
            // Several mailboxes where one is expected: the address parser says why.
            (Some(_), Some(_)) => Err(EmailAddress::new(input.trim()).err().unwrap_or_else(|| {
                AddressError::DisplayNameNotAllowed { input: input.to_owned() }
            })),
        }
    }

    /// The display name, if any.
    #[must_use]
    pub fn name(&self) -> Option<&DisplayName> {
        self.name.as_ref()
    }

    /// The address.
    #[must_use]
    pub fn address(&self) -> &EmailAddress {
        &self.address
    }

    /// Consumes the mailbox, returning the address.
    #[must_use]
    pub fn into_address(self) -> EmailAddress {
        self.address
    }
}

/// Reads an address-list header value as received (`To`, `Cc`, `From`, `Reply-To`; RFC 5322
/// section 3.4), liberally: folded lines are unfolded, comments ignored (a comment after a
/// bare address is taken as its name), group members are entries of their own, `;` separates
/// like `,`, and the obsolete forms of RFC 5322 section 4 are read where they are unambiguous.
/// Display names are phrases: quoted and unquoted words and RFC 2047 encoded words, joined by
/// one space (none between two adjacent encoded words).
///
/// Each entry is a mailbox or the raw text of an entry that did not read, with the reason, so
/// a caller can report it and go on. Empty entries and empty groups
/// (`undisclosed-recipients:;`) are no entries. A name that breaks the [`DisplayName`] rules
/// is kept as written if that passes, and dropped otherwise: an address is never lost over its
/// name. The work is linear in the input.
///
/// ```
/// use email_routing::parse_mailbox_list;
/// let list = parse_mailbox_list(
///     "Support team: =?UTF-8?Q?Customer_?=\r\n =?UTF-8?Q?Help?= <help@x.com>, sales@x.com (Sales);",
/// );
/// let names: Vec<_> = list.iter().map(|m| m.as_ref().unwrap().name().unwrap().as_str()).collect();
/// assert_eq!(names, ["Customer Help", "Sales"]);
/// ```
#[must_use]
pub fn parse_mailbox_list(input: &str) -> Vec<Result<Mailbox, (String, AddressError)>> {
    reader::read_list(input, Syntax::Received)
}

/// Reads what an agent typed into a To, Cc or Bcc field: a comma-separated list of mailboxes
/// (see [`Mailbox::parse`]). Unlike a received header, a line break, a group or a `;` is an
/// error in the entry that holds it.
pub(crate) fn parse_typed_list(input: &str) -> Vec<Result<Mailbox, (String, AddressError)>> {
    reader::read_list(input, Syntax::Typed)
}

impl fmt::Display for Mailbox {
    /// The header form: `address`, `Name <address>`, `"Quoted, Name" <address>`, or
    /// `=?UTF-8?B?...?= <address>` for names that are not ASCII.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            None => f.write_str(self.address.as_str()),
            Some(name) => {
                write_phrase(f, name.as_str())?;
                write!(f, " <{}>", self.address)
            }
        }
    }
}

impl FromStr for Mailbox {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, AddressError> {
        Self::parse(s)
    }
}

impl From<EmailAddress> for Mailbox {
    fn from(address: EmailAddress) -> Self {
        Self { name: None, address }
    }
}

/// Writes a display name as an RFC 5322 phrase: atoms as they are, ASCII with specials as a
/// quoted string, anything else as RFC 2047 encoded words.
pub(crate) fn write_phrase(out: &mut impl fmt::Write, name: &str) -> fmt::Result {
    if !name.is_ascii() {
        return write_encoded_words(out, name);
    }
    // A word that looks like an encoded word would be decoded by mail clients: quote it.
    let plain = name
        .split(' ')
        .all(|word| !word.is_empty() && word.bytes().all(is_atext) && !word.starts_with("=?"));
    if plain {
        return out.write_str(name);
    }
    out.write_char('"')?;
    for c in name.chars() {
        if c == '"' || c == '\\' {
            out.write_char('\\')?;
        }
        out.write_char(c)?;
    }
    out.write_char('"')
}

fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(name: &str) -> String {
        let mut s = String::new();
        write_phrase(&mut s, name).unwrap();
        s
    }

    #[test]
    fn phrases() {
        assert_eq!(render("Customer Help"), "Customer Help");
        assert_eq!(render("Help, Customer"), "\"Help, Customer\"");
        assert_eq!(render("Say \"hi\""), "\"Say \\\"hi\\\"\"");
        assert_eq!(render("=?x?="), "\"=?x?=\"");
        let disguised = "Support =?utf-8?q?=3Cceo=40bank=2Ecom=3E?=";
        assert_eq!(render(disguised), format!("\"{disguised}\""));
        assert_eq!(render("Zoë"), "=?UTF-8?B?Wm/Dqw==?=");
        let long = render(&"支援".repeat(40));
        assert!(
            long.split(' ')
                .all(|w| w.len() <= rfc2047::MAX_ENCODED_WORD && w.starts_with("=?UTF-8?B?"))
        );
        assert!(long.split(' ').count() > 1);
    }

    #[test]
    fn injection_through_a_name_is_refused() {
        assert!(Mailbox::parse("Evil\r\nBcc: x@y.com <a@b.com>").is_err());
        assert!(Mailbox::parse("a@b.com>").is_err());
        assert!(Mailbox::parse("<a@b.com\r\nBcc: x@y.com>").is_err());
    }
}
