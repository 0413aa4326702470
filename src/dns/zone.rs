//! Loading zone-file text into an [`InMemoryDns`].
//!
//! Parsing is done by hickory-proto's zone parser, with a pass in front of it that works
//! around what it gets wrong or should not do:
//!
//! - **Parenthesised multi-line records.** Inside `( ... )` the parser neither honours quotes
//!   nor keeps `;` inside them, so `( "v=DKIM1; k=rsa; " "p=AB" )` loses everything after the
//!   first `;` and keeps the quote characters. The pass joins every parenthesised group onto
//!   one line (dropping comments outside quotes), which the parser reads correctly.
//! - **`\DDD` escapes in quoted strings** are decoded wrongly by the parser; the pass rewrites
//!   printable ones as `\X` and refuses the others.
//! - **`$INCLUDE`** would make the parser read files named by the zone text; zone text is
//!   input, so it is refused.
//! - **A missing `$TTL`** is an error to the parser; a default TTL is supplied (a record's own
//!   TTL, or a `$TTL` in the text, still wins).
//!
//! Hickory's types stay inside this module: errors come out as [`ZoneError`].

use hickory_proto::rr::{Name, RData};
use hickory_proto::serialize::txt::Parser;

use super::{DEFAULT_TTL, InMemoryDns, RecordData, TxtData};
use crate::name::DomainName;

/// The largest zone text accepted, in bytes.
pub const MAX_ZONE_BYTES: usize = 4 * 1024 * 1024;

/// Why zone-file text could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZoneError {
    /// The text is larger than the limit.
    #[error("the zone text is {len} bytes long; the limit is {max}: load only the records needed")]
    TooLarge {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// `$INCLUDE` would read a file; it is refused.
    #[error(
        "line {line}: $INCLUDE is not allowed, because zone text must not read files: paste the included records instead"
    )]
    IncludeRefused {
        /// The line number (from 1).
        line: usize,
    },
    /// A `)` without its `(`, or a `(` never closed.
    #[error("line {line}: unbalanced parentheses: close every ( with a )")]
    UnbalancedParentheses {
        /// The line number (from 1).
        line: usize,
    },
    /// A quoted string is never closed.
    #[error("line {line}: a quoted string is not closed: add the closing \"")]
    UnclosedQuote {
        /// The line number (from 1) where the string starts.
        line: usize,
    },
    /// A `\DDD` escape that is not a printable ASCII character.
    #[error("line {line}: the escape {escape} is not supported: write the character itself")]
    UnsupportedEscape {
        /// The line number (from 1).
        line: usize,
        /// The escape as written.
        escape: String,
    },
    /// The zone parser refused the text.
    #[error("the zone text could not be parsed ({detail}): check the record syntax")]
    Parse {
        /// The parser's message.
        detail: String,
    },
}

impl ZoneError {
    /// A stable, machine-readable code, e.g. `dns.zone_invalid`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "dns.zone_too_large",
            Self::IncludeRefused { .. } => "dns.zone_include_refused",
            Self::UnbalancedParentheses { .. } => "dns.zone_unbalanced_parentheses",
            Self::UnclosedQuote { .. } => "dns.zone_unclosed_quote",
            Self::UnsupportedEscape { .. } => "dns.zone_unsupported_escape",
            Self::Parse { .. } => "dns.zone_invalid",
        }
    }
}

impl InMemoryDns {
    /// An in-memory DNS holding the records of zone-file text. See
    /// [`load_zone`](Self::load_zone).
    pub fn from_zone(text: &str, origin: Option<&DomainName>) -> Result<Self, ZoneError> {
        let mut dns = Self::new();
        dns.load_zone(text, origin)?;
        Ok(dns)
    }

    /// Adds the records of zone-file text; returns how many TXT, MX and CNAME records were
    /// added. Relative names are completed with `$ORIGIN` or `origin`; without either they are
    /// taken as absolute. Records of other types only make their names exist.
    ///
    /// ```
    /// use email_routing::dns::InMemoryDns;
    /// let zone = r#"
    /// $ORIGIN customer.com.
    /// @          3600 IN MX  10 inbound-smtp.us-east-1.amazonaws.com.
    /// s1._domainkey  IN TXT ( "v=DKIM1; k=rsa; "   ; the key
    ///                         "p=MIIBIjANBgkq" )
    /// "#;
    /// let dns = InMemoryDns::from_zone(zone, None)?;
    /// assert_eq!(dns.len(), 2);
    /// # Ok::<(), email_routing::dns::ZoneError>(())
    /// ```
    pub fn load_zone(
        &mut self,
        text: &str,
        origin: Option<&DomainName>,
    ) -> Result<usize, ZoneError> {
        if text.len() > MAX_ZONE_BYTES {
            return Err(ZoneError::TooLarge { len: text.len(), max: MAX_ZONE_BYTES });
        }
        let flattened = flatten(text)?;
        // The pass splits lines and quotes in its own way; hickory's lexer may split them
        // differently (a backslash before a newline, a quote inside a word, a `;` after an
        // escape) and find a directive the pass did not. Hickory only knows directives spelled
        // `$` + capitals and never unescapes them, so no `$INCLUDE` anywhere means no file read.
        if contains_ignore_ascii_case(&flattened, "$include") {
            let line = text
                .lines()
                .position(|l| contains_ignore_ascii_case(l, "$include"))
                .map_or(1, |i| i + 1);
            return Err(ZoneError::IncludeRefused { line });
        }
        let flat = format!("$TTL {DEFAULT_TTL}\n{flattened}");
        let origin = match origin {
            Some(o) => Name::from_ascii(format!("{o}.")),
            None => Ok(Name::root()),
        }
        .map_err(|e| ZoneError::Parse { detail: e.to_string() })?;
        let (_, sets) = Parser::new(flat, None, Some(origin))
            .parse()
            .map_err(|e| ZoneError::Parse { detail: e.to_string() })?;
        let mut added = 0;
        for set in sets.values() {
            for record in set.records_without_rrsigs() {
                let name = record.name.to_ascii();
                let data = match &record.data {
                    RData::TXT(txt) => {
                        RecordData::Txt(TxtData::new(txt.txt_data.iter().map(|s| s.to_vec())))
                    }
                    RData::MX(mx) => RecordData::Mx {
                        preference: mx.preference,
                        exchange: mx.exchange.to_ascii(),
                    },
                    RData::CNAME(cname) => RecordData::Cname { target: cname.0.to_ascii() },
                    _ => {
                        self.add_other(&name);
                        continue;
                    }
                };
                self.add(&name, data);
                added += 1;
            }
        }
        Ok(added)
    }
}

/// Joins parenthesised groups onto one line, drops comments, rewrites `\DDD` escapes in
/// quoted strings, and refuses `$INCLUDE`; see the module docs.
/// Whether `needle` (ASCII, lowercase) occurs in `haystack`, ignoring ASCII case.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    haystack.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn flatten(text: &str) -> Result<String, ZoneError> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut depth = 0usize;
    let mut quote_line = None;
    let mut line_has_content = false;
    while let Some(c) = chars.next() {
        if quote_line.is_some() {
            match c {
                '"' => {
                    quote_line = None;
                    out.push(c);
                }
                '\\' => match chars.next() {
                    Some(d) if d.is_ascii_digit() => {
                        let escape = read_decimal_escape(d, &mut chars);
                        out.push_str(&rewrite_escape(&escape).ok_or(
                            ZoneError::UnsupportedEscape { line, escape: format!("\\{escape}") },
                        )?);
                    }
                    Some(other) => {
                        if other == '\n' {
                            line += 1;
                        }
                        out.push('\\');
                        out.push(other);
                    }
                    None => out.push('\\'),
                },
                '\n' => {
                    line += 1;
                    out.push(c);
                }
                _ => out.push(c),
            }
            continue;
        }
        if c == '$' && !line_has_content && depth == 0 {
            let word: String = chars.clone().take(7).collect();
            if word.eq_ignore_ascii_case("INCLUDE") {
                return Err(ZoneError::IncludeRefused { line });
            }
        }
        if !c.is_whitespace() {
            line_has_content = true;
        }
        match c {
            '"' => {
                quote_line = Some(line);
                out.push(c);
            }
            ';' => {
                while chars.peek().is_some_and(|&n| n != '\n') {
                    chars.next();
                }
            }
            '(' => {
                depth += 1;
                out.push(' ');
            }
            ')' => {
                depth = depth.checked_sub(1).ok_or(ZoneError::UnbalancedParentheses { line })?;
                out.push(' ');
            }
            '\n' => {
                line += 1;
                if depth == 0 {
                    out.push('\n');
                    line_has_content = false;
                } else {
                    out.push(' ');
                }
            }
            '\r' => {}
            '\\' => {
                out.push(c);
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            _ => out.push(c),
        }
    }
    if let Some(line) = quote_line {
        return Err(ZoneError::UnclosedQuote { line });
    }
    if depth > 0 {
        return Err(ZoneError::UnbalancedParentheses { line });
    }
    Ok(out)
}

/// Reads the rest of a `\DDD` escape whose first digit is `first`.
fn read_decimal_escape(
    first: char,
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
) -> String {
    let mut digits = String::from(first);
    while digits.len() < 3 && chars.peek().is_some_and(char::is_ascii_digit) {
        digits.extend(chars.next());
    }
    digits
}

/// A `\DDD` escape as text the parser reads correctly: the digit itself for a digit, `\X` for
/// other printable ASCII; `None` for anything else.
fn rewrite_escape(digits: &str) -> Option<String> {
    if digits.len() != 3 {
        return None;
    }
    let value: u8 = digits.parse().ok()?;
    let c = char::from(value);
    match c {
        '0'..='9' => Some(c.to_string()),
        ' '..='~' => Some(format!("\\{c}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parenthesised_groups_are_joined() {
        let flat = flatten("a IN TXT ( \"x; y\" ; comment\n \"z\" )\nb IN TXT \"w\"\n").unwrap();
        assert_eq!(flat, "a IN TXT   \"x; y\"   \"z\"  \nb IN TXT \"w\"\n");
    }

    #[test]
    fn escapes_and_errors() {
        assert_eq!(flatten("a TXT \"\\059\\050\"").unwrap(), "a TXT \"\\;2\"");
        assert_eq!(flatten("a TXT \"\\200\"").unwrap_err().code(), "dns.zone_unsupported_escape");
        assert_eq!(flatten("a TXT \"\\05\"").unwrap_err().code(), "dns.zone_unsupported_escape");
        assert_eq!(flatten("a TXT ( \"x\"").unwrap_err().code(), "dns.zone_unbalanced_parentheses");
        assert_eq!(flatten("a TXT \"x\" )").unwrap_err().code(), "dns.zone_unbalanced_parentheses");
        assert_eq!(flatten("a TXT \"x").unwrap_err().code(), "dns.zone_unclosed_quote");
        assert_eq!(
            flatten("x\n  $include /etc/passwd\n").unwrap_err(),
            ZoneError::IncludeRefused { line: 2 }
        );
    }
}
