//! The one reader of address lists: RFC 5322 section 3.4 `address-list`, read liberally for
//! received headers and strictly for what agents type.
//!
//! The text is split into tokens first (white space, comments, quoted strings, encoded words,
//! atoms, domain literals and the specials `< > @ , ; : .`), then walked once, entry by entry.
//! Nothing recurses and every token is looked at a bounded number of times, so the work is
//! linear in the input whatever it holds.
//!
//! What each syntax accepts:
//!
//! | | [`Syntax::Received`] | [`Syntax::Typed`] |
//! |---|---|---|
//! | folding (CRLF + WSP, RFC 5322 2.2.3) | unfolded; a stray CR or LF is white space | refused (a line break in a typed name is an injection attempt) |
//! | groups `name: a@x, b@y;` (3.4) | members are entries; an empty group is no entry | `:` is an ordinary character, so the entry fails |
//! | `;` outside a group | separates entries, as `,` does | an ordinary character, so the entry fails and says what to do |
//! | comments (CFWS, 3.2.2) | ignored; `addr (Name)` takes the comment as the name | the same |
//! | obsolete forms (section 4) | `<@route:addr>`, white space around `.` and `@`, `.` in a phrase | the same |
//!
//! A display name is a phrase: a sequence of words, quoted or not, where encoded words (RFC
//! 2047) are words too (RFC 5322 3.2.5, RFC 2047 5(3)). Words are joined with one space; white
//! space between two adjacent encoded words is dropped (RFC 2047 6.2); white space inside a
//! quoted string is kept, a TAB becoming a space. An address is never lost over its name: a
//! received name that breaks the [`DisplayName`] rules (an encoded line break, say) is kept as
//! written when that passes, and dropped otherwise.

use std::ops::Range;

use super::Mailbox;
use super::rfc2047::decode_word;
use crate::address::{AddressError, DisplayName, EmailAddress};

/// Which kind of text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// A header value as received: liberal, see the module docs.
    Received,
    /// What an agent typed into a To, Cc or Bcc field: strict about structure.
    Typed,
}

/// One entry of a list: a mailbox, or the raw text of an entry that did not read and why.
pub(crate) type Entry = Result<Mailbox, (String, AddressError)>;

/// Reads every entry of `input`. Empty entries (`a@x,,b@y`, an empty group) are no entries.
pub(crate) fn read_list(input: &str, syntax: Syntax) -> Vec<Entry> {
    match syntax {
        Syntax::Received => {
            let unfolded = unfold(input);
            Walk::new(&unfolded, syntax).run()
        }
        Syntax::Typed => Walk::new(input, syntax).run(),
    }
}

/// Removes folding (CRLF, CR or LF before white space) and turns any other line break into a
/// space, so the value is one line.
fn unfold(input: &str) -> String {
    if !input.contains(['\r', '\n']) {
        return input.to_owned();
    }
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                if !matches!(chars.peek(), Some(' ' | '\t')) {
                    out.push(' ');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// A token and where it is in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    kind: Kind,
    span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// White space.
    Space,
    /// A comment's text, escapes removed; nested parentheses kept.
    Comment(String),
    /// A quoted string's content, escapes removed.
    Quoted(String),
    /// An encoded word that decodes, with its text.
    Encoded(String),
    /// A run of other characters (an encoded word that does not decode is one too).
    Atom,
    /// A domain literal, `[...]`.
    Literal,
    /// One of `< > @ , ; : .`.
    Special(char),
}

impl Kind {
    /// Whether this is a word of a phrase or of an address (not white space, a comment or a
    /// special).
    fn is_word(&self) -> bool {
        matches!(self, Kind::Quoted(_) | Kind::Encoded(_) | Kind::Atom | Kind::Literal)
    }
}

fn is_special(c: char) -> bool {
    matches!(c, '<' | '>' | '@' | ',' | ';' | ':' | '.')
}

fn is_space(c: char, syntax: Syntax) -> bool {
    c == ' ' || c == '\t' || (syntax == Syntax::Received && (c == '\r' || c == '\n'))
}

/// Splits `text` into tokens.
fn tokenize(text: &str, syntax: Syntax) -> Vec<Token> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        let start = i;
        let kind = match c {
            _ if is_space(c, syntax) => {
                i += text[i..].find(|c| !is_space(c, syntax)).unwrap_or(text.len() - i);
                Kind::Space
            }
            '(' => {
                let (content, end) = read_comment(text, i);
                i = end;
                Kind::Comment(content)
            }
            '"' => {
                let (content, end) = read_quoted(text, i);
                i = end;
                Kind::Quoted(content)
            }
            '[' => {
                i += text[i..].find(']').map_or(text.len() - i, |end| end + 1);
                Kind::Literal
            }
            _ if is_special(c) => {
                i += 1;
                Kind::Special(c)
            }
            _ => match encoded_word_len(&bytes[i..]) {
                Some(len) => {
                    i += len;
                    match decode_word(&text[start..i]) {
                        Some(decoded) => Kind::Encoded(decoded),
                        None => Kind::Atom,
                    }
                }
                None => {
                    i += text[i..]
                        .find(|c: char| {
                            is_space(c, syntax) || is_special(c) || matches!(c, '(' | '"' | '[')
                        })
                        .unwrap_or(text.len() - i);
                    Kind::Atom
                }
            },
        };
        tokens.push(Token { kind, span: start..i });
    }
    tokens
}

/// The length of the encoded word `=?charset?enc?text?=` at the start of `bytes`, if one is
/// there. Its text may hold specials (`=?UTF-8?Q?a:b?=`), so it is read as one token.
fn encoded_word_len(bytes: &[u8]) -> Option<usize> {
    if !bytes.starts_with(b"=?") {
        return None;
    }
    let mut questions = 0;
    for (i, &b) in bytes.iter().enumerate().skip(2) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | b'"' => return None,
            b'?' if questions == 2 => {
                return (bytes.get(i + 1) == Some(&b'=')).then_some(i + 2);
            }
            b'?' => questions += 1,
            _ => {}
        }
    }
    None
}

/// A comment starting at `start` (`(`): its content and the index after it. Nesting is
/// counted, not recursed; an unclosed comment runs to the end.
fn read_comment(text: &str, start: usize) -> (String, usize) {
    let mut content = String::new();
    let mut depth = 0usize;
    let mut chars = text[start..].char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    content.push(next);
                }
            }
            '(' => {
                if depth > 0 {
                    content.push(c);
                }
                depth += 1;
            }
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return (content, start + offset + 1);
                }
                content.push(c);
            }
            _ => content.push(c),
        }
    }
    (content, text.len())
}

/// A quoted string starting at `start` (`"`): its content and the index after it. An
/// unclosed string runs to the end.
fn read_quoted(text: &str, start: usize) -> (String, usize) {
    let mut content = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    content.push(next);
                }
            }
            '"' => return (content, start + 1 + offset + 1),
            _ => content.push(c),
        }
    }
    (content, text.len())
}

/// The walk over the tokens, entry by entry.
struct Walk<'a> {
    text: &'a str,
    syntax: Syntax,
    tokens: Vec<Token>,
    out: Vec<Entry>,
}

impl<'a> Walk<'a> {
    fn new(text: &'a str, syntax: Syntax) -> Self {
        Self { text, syntax, tokens: tokenize(text, syntax), out: Vec::new() }
    }

    fn run(mut self) -> Vec<Entry> {
        let tokens = std::mem::take(&mut self.tokens);
        let mut in_group = false;
        let mut entry_start = 0;
        let mut angle: Option<(usize, Option<usize>)> = None;
        for (i, token) in tokens.iter().enumerate() {
            match token.kind {
                Kind::Special('<') if angle.is_none() => angle = Some((i, None)),
                Kind::Special('>') if matches!(angle, Some((_, None))) => {
                    angle = angle.map(|(open, _)| (open, Some(i)));
                }
                // Inside `<...>` only `>` ends anything (an obsolete route holds commas).
                _ if matches!(angle, Some((_, None))) => {}
                Kind::Special(',') => {
                    self.entry(&tokens[entry_start..i], angle.take(), entry_start);
                    entry_start = i + 1;
                }
                Kind::Special(';') if in_group || self.syntax == Syntax::Received => {
                    self.entry(&tokens[entry_start..i], angle.take(), entry_start);
                    entry_start = i + 1;
                    in_group = false;
                }
                Kind::Special(':')
                    if !in_group && angle.is_none() && self.syntax == Syntax::Received =>
                {
                    // What came before is the group's name, which names no one.
                    entry_start = i + 1;
                    in_group = true;
                }
                _ => {}
            }
        }
        self.entry(&tokens[entry_start..], angle, entry_start);
        match self.syntax {
            Syntax::Typed => rejoin_comma_typos(self.out),
            Syntax::Received => self.out,
        }
    }

    /// Reads one entry: `tokens` with `angle` the indexes (relative to the whole list, from
    /// `offset`) of its `<` and `>`, if it has them.
    fn entry(&mut self, tokens: &[Token], angle: Option<(usize, Option<usize>)>, offset: usize) {
        let Some(first) = tokens.iter().position(|t| t.kind != Kind::Space) else { return };
        let last = tokens.iter().rposition(|t| t.kind != Kind::Space).unwrap_or(first);
        let raw = &self.text[tokens[first].span.start..tokens[last].span.end];
        let result = match angle {
            Some((open, close)) => {
                let (open, close) = (open - offset, close.map_or(tokens.len(), |c| c - offset));
                let phrase = &tokens[..open];
                let inside = &tokens[open + 1..close];
                let after = tokens.get(close + 1..).unwrap_or_default();
                let comment = || comments(phrase).chain(comments(after)).next();
                let trailing = after.iter().find(|t| t.kind.is_word() || is_special_token(t));
                if close == tokens.len() || trailing.is_some() {
                    // `<a@b.com` or `<a@b.com> x`: not a mailbox as written.
                    Err(EmailAddress::new(raw).map_or_else(|e| e, |_| not_one_mailbox(raw)))
                } else {
                    self.mailbox(raw, phrase, comment(), strip_route(inside))
                }
            }
            None => {
                let comment = comments(tokens).next();
                self.mailbox(raw, &[], comment, tokens)
            }
        };
        if let Some(entry) = result.map_err(|e| (raw.to_owned(), e)).transpose() {
            self.out.push(entry);
        }
    }

    /// A mailbox from its phrase (or comment) and address tokens. `Ok(None)` when the entry
    /// holds nothing but comments.
    fn mailbox(
        &self,
        raw: &str,
        phrase: &[Token],
        comment: Option<&str>,
        address: &[Token],
    ) -> Result<Option<Mailbox>, AddressError> {
        let spec = self.addr_spec(address);
        if spec.is_empty() && phrase.iter().all(|t| !t.kind.is_word()) {
            // Nothing but comments and white space: no one is named.
            return Ok(None);
        }
        let address = EmailAddress::new(&spec)?;
        let name = match phrase_text(self.text, phrase) {
            Some(phrase) => self.display_name(raw, &phrase)?,
            None => comment.and_then(|c| DisplayName::new(&collapse_space(c)).ok()),
        };
        Ok(Some(Mailbox { name, address }))
    }

    /// The name of a mailbox from its phrase: as decoded, else as written, else (received
    /// mail only) none, so that the address is kept.
    fn display_name(
        &self,
        raw: &str,
        phrase: &Phrase,
    ) -> Result<Option<DisplayName>, AddressError> {
        match DisplayName::new(&phrase.decoded) {
            Ok(name) => Ok(Some(name)),
            Err(error) => match DisplayName::new(&phrase.written) {
                Ok(name) if phrase.written != phrase.decoded => Ok(Some(name)),
                _ if self.syntax == Syntax::Received => Ok(None),
                _ => Err(AddressError::InvalidDisplayName { input: raw.to_owned(), error }),
            },
        }
    }

    /// The address text of `tokens`: comments dropped, white space dropped next to `.` and
    /// `@` (the obsolete CFWS, RFC 5322 4.4) and kept between two words, so `john doe@x.com`
    /// stays refused.
    fn addr_spec(&self, tokens: &[Token]) -> String {
        let mut spec = String::new();
        let mut space = false;
        let mut previous_word = false;
        for token in tokens {
            match &token.kind {
                Kind::Space | Kind::Comment(_) => space = true,
                kind => {
                    let word = kind.is_word();
                    if space && word && previous_word {
                        spec.push(' ');
                    }
                    spec.push_str(&self.text[token.span.clone()]);
                    previous_word = word;
                    space = false;
                }
            }
        }
        spec
    }
}

/// A comma typed where a dot belongs (`jane.doe@example,org`) splits one address into a
/// refused entry and a word without `@`. Typed text is read again as the one entry it was
/// meant to be, so the error names the comma instead of the fragments.
fn rejoin_comma_typos(entries: Vec<Entry>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
    for entry in entries {
        let fragment = match &entry {
            Err((raw, _)) if !raw.contains(['@', '<', ' ', '\t']) => Some(raw.clone()),
            _ => None,
        };
        if let (Some(fragment), Some(Err((previous, _)))) = (fragment, out.last())
            && previous.contains('@')
            && !previous.contains(['<', ' ', '\t'])
        {
            let joined = format!("{previous},{fragment}");
            let error =
                EmailAddress::new(&joined).err().unwrap_or_else(|| not_one_mailbox(&joined));
            out.pop();
            out.push(Err((joined, error)));
            continue;
        }
        out.push(entry);
    }
    out
}

/// Whether a token is a special that cannot follow `<...>` in a mailbox.
fn is_special_token(token: &Token) -> bool {
    matches!(token.kind, Kind::Special(c) if c != ',' && c != ';')
}

/// The error for text that holds more than one mailbox, or one in a form we do not read.
fn not_one_mailbox(raw: &str) -> AddressError {
    AddressError::DisplayNameNotAllowed { input: raw.to_owned() }
}

/// The comments among `tokens`, white space collapsed.
fn comments(tokens: &[Token]) -> impl Iterator<Item = &str> {
    tokens.iter().filter_map(|t| match &t.kind {
        Kind::Comment(text) if !text.trim().is_empty() => Some(text.trim()),
        _ => None,
    })
}

/// The tokens inside `<...>` without an obsolete source route (`@a,@b:`, RFC 5322 4.4).
fn strip_route(inside: &[Token]) -> &[Token] {
    let starts_with_at = inside
        .iter()
        .find(|t| !matches!(t.kind, Kind::Space | Kind::Comment(_)))
        .is_some_and(|t| t.kind == Kind::Special('@'));
    if !starts_with_at {
        return inside;
    }
    match inside.iter().position(|t| t.kind == Kind::Special(':')) {
        Some(colon) => &inside[colon + 1..],
        None => inside,
    }
}

/// A display name as decoded and as written.
struct Phrase {
    decoded: String,
    written: String,
}

/// The phrase of `tokens`: words joined by one space, none between two adjacent encoded words;
/// `None` when there are no words.
fn phrase_text(text: &str, tokens: &[Token]) -> Option<Phrase> {
    let mut decoded = String::new();
    let mut written = String::new();
    let mut space = false;
    let mut previous_encoded = false;
    let mut any = false;
    for token in tokens {
        let (word, encoded): (&str, bool) = match &token.kind {
            Kind::Space | Kind::Comment(_) => {
                space = true;
                continue;
            }
            Kind::Quoted(content) => (content, false),
            Kind::Encoded(content) => (content, true),
            Kind::Atom | Kind::Literal | Kind::Special(_) => (&text[token.span.clone()], false),
        };
        if any && space {
            if !(encoded && previous_encoded) {
                decoded.push(' ');
            }
            written.push(' ');
        }
        decoded.push_str(&word.replace('\t', " "));
        match token.kind {
            Kind::Quoted(_) => written.push_str(&word.replace('\t', " ")),
            _ => written.push_str(&text[token.span.clone()]),
        }
        any = true;
        space = false;
        previous_encoded = encoded;
    }
    any.then_some(Phrase { decoded, written })
}

/// `text` with every run of white space made one space, trimmed.
fn collapse_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(input: &str) -> Vec<(Option<String>, String)> {
        read_list(input, Syntax::Received)
            .into_iter()
            .map(|e| {
                let m = e.unwrap_or_else(|(raw, e)| panic!("{input:?}: {raw:?}: {e}"));
                (m.name().map(|n| n.as_str().to_owned()), m.address().to_string())
            })
            .collect()
    }

    fn one_name(input: &str) -> String {
        let list = names(input);
        assert_eq!(list.len(), 1, "{input:?}");
        list[0].0.clone().unwrap_or_default()
    }

    #[test]
    fn phrases_are_words_joined_by_one_space() {
        assert_eq!(one_name("\"A\" \"B\" <x@example.com>"), "A B");
        assert_eq!(one_name("\"A\"\"B\" <x@example.com>"), "AB");
        assert_eq!(
            one_name("\"Sales, EMEA\" =?utf-8?b?U3VwcG9ydA==?= team <a@example.com>"),
            "Sales, EMEA Support team"
        );
        assert_eq!(one_name("Joe Q. Public <john.q.public@example.com>"), "Joe Q. Public");
        assert_eq!(one_name("Customer\tHelp <h@x.com>"), "Customer Help");
        assert_eq!(one_name("\"Customer\tHelp\" <h@x.com>"), "Customer Help");
        assert_eq!(one_name("\"two  spaces\" <h@x.com>"), "two  spaces");
    }

    #[test]
    fn encoded_words_join_and_decode() {
        assert_eq!(one_name("=?UTF-8?B?Wm/Dqw==?= <a@b.com>"), "Zoë");
        assert_eq!(one_name("=?utf-8?q?Zo=C3=AB_Help?= <a@b.com>"), "Zoë Help");
        assert_eq!(one_name("=?ISO-8859-1?Q?Andr=E9?= Pirard <a@b.com>"), "André Pirard");
        assert_eq!(one_name("=?UTF-8?Q?a?= \t =?UTF-8?Q?b?= <a@b.com>"), "ab");
        assert_eq!(one_name("Help =?UTF-8?Q?a?=  desk <a@b.com>"), "Help a desk");
        assert_eq!(one_name("=?UTF-8?Q?x=+1?= =?UTF-8?Q?y?= <a@b.com>"), "=?UTF-8?Q?x=+1?= y");
        assert_eq!(one_name("=?UTF-8?Q?a:b,c?= <a@b.com>"), "a:b,c");
        assert_eq!(
            one_name("=?UTF-8?Q?Customer_?=\r\n =?UTF-8?Q?Help?= <help@support.customer.com>"),
            "Customer Help"
        );
    }

    #[test]
    fn folding_comments_groups_and_routes() {
        assert_eq!(one_name("\"Customer\r\n Help\" <h@x.com>"), "Customer Help");
        assert_eq!(one_name("help@x.com (Acme Support)"), "Acme Support");
        assert_eq!(
            names("Pete(A nice \\) chap) <pete(his account)@silly.com(his host)>"),
            [(Some("Pete".to_owned()), "pete@silly.com".to_owned())]
        );
        assert_eq!(
            names("Support team: help@x.com, sales@x.com;, c@x.com"),
            [(None, "help@x.com".into()), (None, "sales@x.com".into()), (None, "c@x.com".into())]
        );
        assert!(names("undisclosed-recipients:;").is_empty());
        assert!(names("  ,, (just a comment) ,").is_empty());
        assert_eq!(
            names("Mary Smith <@node.test,@x.test:mary@example.net>, jdoe@silly  . com"),
            [
                (Some("Mary Smith".into()), "mary@example.net".into()),
                (None, "jdoe@silly.com".into())
            ]
        );
        assert_eq!(names("a@x.com; b@y.com").len(), 2);
    }

    #[test]
    fn typed_text_is_strict_about_structure() {
        let typed = |s: &str| read_list(s, Syntax::Typed);
        assert!(typed("a@example.org; b@example.org")[0].is_err());
        assert!(typed("Team: a@example.org")[0].is_err());
        assert!(typed("Evil\r\nBcc: x@y.com <a@b.com>")[0].is_err());
        assert!(typed("<a@b.com\r\nBcc: x@y.com>")[0].is_err());
        assert!(typed("a@b.com>")[0].is_err());
        assert!(typed("<a@b.com").first().is_some_and(Result::is_err));
        assert!(typed("<a@b.com> extra")[0].is_err());
        assert_eq!(typed("a@x.com, \"B, C\" <b@y.com>,, bad, <c@z.com>").len(), 4);
        // A comma where a dot belongs is one entry, refused over the comma.
        let comma = typed("jane.doe@example,org");
        assert_eq!(comma.len(), 1);
        let (raw, error) = comma[0].as_ref().unwrap_err();
        assert_eq!(
            (raw.as_str(), error.code()),
            ("jane.doe@example,org", "domain.invalid_character")
        );
        let semicolon = typed("a@example.org; b@example.org");
        assert_eq!(semicolon[0].as_ref().unwrap_err().1.code(), "address.several_addresses");
        // A valid address followed by a stray word stays two entries.
        assert_eq!(typed("a@x.com, bad").len(), 2);
    }

    #[test]
    fn a_name_that_breaks_the_rules_never_loses_the_address() {
        let evil = "=?utf-8?Q?Evil=0D=0ABcc:_x@y.com?= <a@b.com>";
        assert_eq!(one_name(evil), "=?utf-8?Q?Evil=0D=0ABcc:_x@y.com?=");
        let control = names("\"bell\u{7}\" <a@b.com>");
        assert_eq!(control, [(None, "a@b.com".to_owned())]);
        let long = format!("\"{}\" <a@b.com>", "x".repeat(300));
        assert_eq!(names(&long), [(None, "a@b.com".to_owned())]);
    }

    #[test]
    fn unclosed_quotes_and_comments_do_not_panic() {
        for input in [
            "\"unterminated <a@b.com>",
            "(open <a@b.com>",
            "a@b.com (",
            "\"",
            "(",
            "[",
            "<",
            "=?",
            "=?a?b?c?",
        ] {
            let _ = read_list(input, Syntax::Received);
            let _ = read_list(input, Syntax::Typed);
        }
    }
}
