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

mod rfc2047;

use rfc2047::decode_phrase;
pub(crate) use rfc2047::write_encoded_words;

/// An address and the name shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    name: Option<DisplayName>,
    address: EmailAddress,
}

impl Mailbox {
    /// A mailbox from its parts.
    pub fn new(name: Option<DisplayName>, address: EmailAddress) -> Self {
        Self { name, address }
    }

    /// Parses `address`, `Name <address>` or `"Quoted, Name" <address>`. RFC 2047 encoded
    /// words in an unquoted name are decoded (`=?UTF-8?B?...?=`, as [`Display`](fmt::Display)
    /// writes names that are not ASCII, and `Q` words in UTF-8, Latin-1 or windows-1252 as mail
    /// clients send). A decoded name must pass [`DisplayName`]'s rules like any other; one that
    /// does not is kept as written, still encoded, so that the address is not lost.
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
        let trimmed = input.trim_matches([' ', '\t']);
        let Some(inner) = trimmed.strip_suffix('>') else {
            return EmailAddress::new(trimmed).map(|address| Self { name: None, address });
        };
        let Some(open) = inner.rfind('<') else {
            return Err(AddressError::DisplayNameNotAllowed { input: input.to_owned() });
        };
        let address = EmailAddress::new(&inner[open + 1..])?;
        let raw_name = inner[..open].trim_matches([' ', '\t']);
        let name = if raw_name.is_empty() {
            None
        } else {
            // A quoted name is taken literally; an unquoted one may hold encoded words. A
            // decoded name that breaks the name rules (an encoded control character, say) is
            // kept as it was written, encoded: the address must not be lost over its name.
            let name = if raw_name.starts_with('"') {
                DisplayName::new(&unquote(raw_name))
            } else {
                DisplayName::new(&decode_phrase(raw_name))
                    .or_else(|decoded| DisplayName::new(raw_name).map_err(|_| decoded))
            };
            Some(name.map_err(|source| AddressError::InvalidDisplayName {
                input: input.to_owned(),
                source,
            })?)
        };
        Ok(Self { name, address })
    }

    /// The display name, if any.
    pub fn name(&self) -> Option<&DisplayName> {
        self.name.as_ref()
    }

    /// The address.
    pub fn address(&self) -> &EmailAddress {
        &self.address
    }

    /// Consumes the mailbox, returning the address.
    pub fn into_address(self) -> EmailAddress {
        self.address
    }
}

/// Splits a typed or received address list (`a@x.com, "B, C" <b@y.com>`) at commas that are not
/// inside quotes or angle brackets, and parses each entry. Empty entries are ignored. Each
/// failure keeps the raw entry, so a caller can report it and go on.
pub fn parse_mailbox_list(input: &str) -> Vec<Result<Mailbox, (String, AddressError)>> {
    split_list(input)
        .into_iter()
        .map(|entry| Mailbox::parse(entry).map_err(|e| (entry.to_owned(), e)))
        .collect()
}

/// The entries of a comma-separated list, trimmed, empty ones dropped.
fn split_list(input: &str) -> Vec<&str> {
    let mut entries = Vec::new();
    let (mut in_quote, mut in_angle, mut escaped, mut start) = (false, false, false, 0);
    for (i, c) in input.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            '<' if !in_quote => in_angle = true,
            '>' if !in_quote => in_angle = false,
            ',' if !in_quote && !in_angle => {
                entries.push(&input[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    entries.push(&input[start..]);
    entries.into_iter().map(str::trim).filter(|e| !e.is_empty()).collect()
}

/// Removes RFC 5322 quoting from a display name: surrounding quotes and backslash escapes.
fn unquote(name: &str) -> String {
    let Some(inner) = name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) else {
        return name.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
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
    fn lists_split_outside_quotes_and_brackets() {
        let parsed = parse_mailbox_list("a@x.com, \"B, C\" <b@y.com>,, bad, <c@z.com>");
        assert_eq!(parsed.len(), 4);
        assert_eq!(parsed[1].as_ref().unwrap().name().unwrap().as_str(), "B, C");
        assert_eq!(parsed[2].as_ref().unwrap_err().0, "bad");
        assert_eq!(parsed[3].as_ref().unwrap().address().as_str(), "c@z.com");
        assert!(parse_mailbox_list("").is_empty());
    }

    #[test]
    fn injection_through_a_name_is_refused() {
        assert!(Mailbox::parse("Evil\r\nBcc: x@y.com <a@b.com>").is_err());
        assert!(Mailbox::parse("a@b.com>").is_err());
        assert!(Mailbox::parse("<a@b.com\r\nBcc: x@y.com>").is_err());
    }
}
