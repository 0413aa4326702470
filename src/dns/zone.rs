//! Loading zone-file text (RFC 1035 section 5) into an [`InMemoryDns`]: the rules are in
//! [`InMemoryDns::load_zone`]'s docs.
//!
//! The reader here is the crate's own, not hickory-proto's zone parser, which mis-decodes
//! escapes (see the docs) and would read files named by `$INCLUDE`. Hickory's types stay
//! inside this module: errors come out as [`ZoneError`].

use hickory_proto::rr::{Name, RData, RecordType as WireType};
use hickory_proto::serialize::binary::{BinDecoder, Restrict};
use hickory_proto::serialize::txt::parse_ttl;

use super::names::trim_root;
use super::{InMemoryDns, RecordData, TxtData};
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
        /// The line number (from 1): of the `)`, or of the `(` never closed.
        line: usize,
    },
    /// A quoted string is never closed.
    #[error("line {line}: a quoted string is not closed: add the closing \"")]
    UnclosedQuote {
        /// The line number (from 1) where the string starts.
        line: usize,
    },
    /// A backslash escape that is not valid: `\DDD` needs three digits for a value up to 255,
    /// and a backslash cannot end a line.
    #[error(
        "line {line}: the escape {escape} is not valid: a backslash takes one character, or three digits from 000 to 255 (RFC 1035 section 5.1)"
    )]
    UnsupportedEscape {
        /// The line number (from 1).
        line: usize,
        /// The escape as written.
        escape: String,
    },
    /// A relative name (or `@`) in text without `$ORIGIN`, loaded without an origin.
    #[error(
        "line {line}: the name {name:?} is relative, but no $ORIGIN comes before it and no origin was given: add a $ORIGIN line, pass the zone's origin, or end the name with a dot"
    )]
    RelativeName {
        /// The line number (from 1).
        line: usize,
        /// The name as written.
        name: String,
    },
    /// An entry could not be read: a malformed TXT, MX, CNAME or SOA record, an entry without
    /// an owner or a record type, or an unsupported directive.
    #[error("line {line}: {detail}: check the record syntax (RFC 1035 section 5.1)")]
    Parse {
        /// The line number (from 1) where the entry starts.
        line: usize,
        /// What is wrong.
        detail: String,
    },
}

impl ZoneError {
    /// A stable, machine-readable code, e.g. `dns.zone_invalid`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "dns.zone_too_large",
            Self::IncludeRefused { .. } => "dns.zone_include_refused",
            Self::UnbalancedParentheses { .. } => "dns.zone_unbalanced_parentheses",
            Self::UnclosedQuote { .. } => "dns.zone_unclosed_quote",
            Self::UnsupportedEscape { .. } => "dns.zone_unsupported_escape",
            Self::RelativeName { .. } => "dns.zone_relative_name",
            Self::Parse { .. } => "dns.zone_invalid",
        }
    }
}

/// What loading zone text did: how many records were added, which were skipped, and which
/// names were declared zone apexes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneSummary {
    added: usize,
    skipped: Vec<SkippedRecord>,
    zones: Vec<String>,
}

impl ZoneSummary {
    /// How many TXT, MX, CNAME and SOA records were added.
    #[must_use]
    pub fn added(&self) -> usize {
        self.added
    }

    /// The records of other types, in text order: their owners exist, their data was not read.
    #[must_use]
    pub fn skipped(&self) -> &[SkippedRecord] {
        &self.skipped
    }

    /// The zone apexes the text declared: the owners of its SOA records, or, without any, its
    /// origin. Lowercase, without the final dot.
    #[must_use]
    pub fn zones(&self) -> &[String] {
        &self.zones
    }
}

/// A record the loader did not read because the checks do not use its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRecord {
    line: usize,
    owner: String,
    record_type: String,
}

impl SkippedRecord {
    /// The line (from 1) where the record starts.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The owner name: absolute, lowercase, without the final dot.
    #[must_use]
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The type as written, in capitals: `A`, `SPF`, `TYPE99`.
    #[must_use]
    pub fn record_type(&self) -> &str {
        &self.record_type
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "zone")))]
impl InMemoryDns {
    /// An in-memory DNS holding the records of zone-file text. See
    /// [`load_zone`](Self::load_zone).
    ///
    /// # Errors
    ///
    /// As [`load_zone`](Self::load_zone).
    pub fn from_zone(text: &str, origin: Option<&DomainName>) -> Result<Self, ZoneError> {
        let mut dns = Self::new();
        dns.load_zone(text, origin)?;
        Ok(dns)
    }

    /// Adds the records of zone-file text (RFC 1035 section 5) and says what it did.
    ///
    /// Real zones hold far more than the checks read: A, AAAA, NS, CAA, SRV, SPF, DNSSEC records,
    /// types newer than any parser, and the generic `TYPEnnn \# len hex` form (RFC 3597). The
    /// loader reads what the checks need (TXT, MX, CNAME and SOA), keeps every other record's owner
    /// name existing (so NXDOMAIN and NODATA stay apart), and lists what it skipped in the
    /// [`ZoneSummary`] it returns. A well-formed record of another type never refuses the text.
    ///
    /// # How the text is read
    ///
    /// The crate's own reader splits the text into entries (RFC 1035 section 5.1): parenthesised
    /// groups are joined, comments dropped, quoted strings and backslash escapes respected (`\;` is
    /// a semicolon, not a comment; `\ ` is a space inside a word, not a separator). It tracks
    /// `$ORIGIN` itself, makes each record's owner explicit (an entry that starts with white space
    /// has the previous record's owner), and finds the record type after the optional TTL and
    /// class. Then, by type:
    ///
    /// - **TXT**: the reader decodes the character-strings itself, quoted or not: `\X` is `X` and
    ///   `\DDD` the octet with decimal value DDD. hickory-proto's zone parser gets these wrong
    ///   (escapes outside quotes cut at `\;` as a comment; `\DDD` decoded wrongly; `( "v=DKIM1;
    ///   k=rsa; " "p=AB" )` kept with its quotes and cut at the first `;`).
    /// - **MX, CNAME, SOA**: the reader reads their few fields itself, names included, so every
    ///   name in the text is read by one rule: hickory-proto's name reader takes `\DDD` as octal
    ///   and applies host-name rules that refuse labels zone files allow (a label `-`). TTL-style
    ///   numbers (the SOA timers) are read by hickory-proto's `parse_ttl`.
    /// - **The generic form** `\# len hex` (RFC 3597) of those four types is decoded from its wire
    ///   form by hickory-proto.
    /// - **Any other type** is skipped without reading its data: its owner exists, and it is listed
    ///   in [`ZoneSummary::skipped`]. A mnemonic the loader does not know is another type too (a
    ///   type newer than this crate, or one only some servers know, such as `SPF`).
    ///
    /// The class (`IN`, `CH`, `HS`, `CS`, `CLASSnnn`) is read and not checked, and TTLs are read
    /// and dropped: an `InMemoryDns` keeps neither.
    ///
    /// # Names and zones
    ///
    /// A name is a sequence of labels of octets (RFC 1035 section 5.1, escapes as above); ASCII
    /// letters compare without case, other octets are kept as they are (write internationalized
    /// names as A-labels, `xn--…`). Relative names are completed with `$ORIGIN` or the origin
    /// given. A relative name (or `@`) with neither is refused ([`ZoneError::RelativeName`]):
    /// taking it as absolute would load `_amazonses` as a top-level name and report a record
    /// missing that the admin published. Every SOA record makes its owner a zone apex; text without
    /// an SOA record declares its origin (the one given, else its first `$ORIGIN`) an apex instead
    /// ([`add_zone`](Self::add_zone)), so a check finds the zone as it would in real DNS.
    ///
    /// # What is refused
    ///
    /// Text over [`MAX_ZONE_BYTES`](super::MAX_ZONE_BYTES); `$INCLUDE` (zone text is input and must
    /// never read files: any line on which `$INCLUDE` appears before a `;` or `"` is refused,
    /// however the line is continued); other directives than `$ORIGIN` and `$TTL`; unbalanced
    /// parentheses, an unclosed quote, an invalid escape; and a malformed record of one of the four
    /// types read. Each error names its line. Nothing is added when the text is refused.
    ///
    /// ```
    /// use email_routing::dns::InMemoryDns;
    /// let zone = r#"
    /// $ORIGIN customer.com.
    /// @          3600 IN MX  10 inbound-smtp.us-east-1.amazonaws.com.
    ///            3600 IN A   192.0.2.10
    /// s1._domainkey  IN TXT ( "v=DKIM1; k=rsa; "   ; the key
    ///                         "p=MIIBIjANBgkq" )
    /// s2._domainkey  IN TXT v=DKIM1\;\ k=rsa\;\ p=MIIBIjANBgkq
    /// "#;
    /// let mut dns = InMemoryDns::new();
    /// let summary = dns.load_zone(zone, None)?;
    /// assert_eq!(summary.added(), 3);
    /// assert_eq!(summary.skipped()[0].record_type(), "A");
    /// assert_eq!(summary.zones(), ["customer.com"]); // no SOA: the origin is the apex
    /// # Ok::<(), email_routing::dns::ZoneError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ZoneError`], naming the line: text over [`MAX_ZONE_BYTES`], `$INCLUDE`, a relative
    /// name without an origin, unbalanced parentheses, an unclosed quote, an invalid escape, a
    /// malformed TXT, MX, CNAME or SOA record. Nothing is added then.
    pub fn load_zone(
        &mut self,
        text: &str,
        origin: Option<&DomainName>,
    ) -> Result<ZoneSummary, ZoneError> {
        if text.len() > MAX_ZONE_BYTES {
            return Err(ZoneError::TooLarge { len: text.len(), max: MAX_ZONE_BYTES });
        }
        if let Some(line) = include_line(text) {
            return Err(ZoneError::IncludeRefused { line });
        }
        let origin = origin
            .map(|o| ZoneName(o.as_str().split('.').map(|l| l.as_bytes().to_vec()).collect()));
        let mut loader = Loader::new(origin);
        let mut lexer = Lexer { text, pos: 0, line: 1 };
        let mut tokens = Vec::new();
        while let Some(start) = lexer.next_entry(&mut tokens)? {
            loader.entry(start, &tokens)?;
        }
        Ok(loader.commit(self))
    }
}

/// The first line on which `$INCLUDE` (any case) appears before any `;` or `"`: wherever a
/// line-by-line reader could take it for a directive.
fn include_line(text: &str) -> Option<usize> {
    const NEEDLE: &[u8] = b"$include";
    text.split('\n')
        .position(|line| {
            let bytes = line.as_bytes();
            bytes
                .windows(NEEDLE.len())
                .position(|w| w.eq_ignore_ascii_case(NEEDLE))
                .is_some_and(|at| !bytes[..at].iter().any(|&b| b == b';' || b == b'"'))
        })
        .map(|i| i + 1)
}

/// One token of an entry: its text as written (escapes kept; a quoted string without its
/// quotes).
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    text: &'a str,
    quoted: bool,
}

impl Token<'_> {
    /// Whether this is the unquoted word `word`, ignoring ASCII case.
    fn is_word(&self, word: &str) -> bool {
        !self.quoted && self.text.eq_ignore_ascii_case(word)
    }
}

/// Where an entry starts: its line, and whether its first token starts that line (then it
/// is the owner name).
#[derive(Debug, Clone, Copy)]
struct EntryStart {
    line: usize,
    owned: bool,
}

/// Splits zone text into entries (RFC 1035 section 5.1). Every delimiter is ASCII, so token
/// boundaries are always character boundaries.
struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Lexer<'a> {
    /// Reads the next entry's tokens into `tokens`; `None` at the end of the text.
    fn next_entry(&mut self, tokens: &mut Vec<Token<'a>>) -> Result<Option<EntryStart>, ZoneError> {
        tokens.clear();
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut open_line = self.line;
        let mut start: Option<EntryStart> = None;
        loop {
            let Some(&b) = bytes.get(self.pos) else {
                if depth > 0 {
                    return Err(ZoneError::UnbalancedParentheses { line: open_line });
                }
                return Ok(start);
            };
            let at_line_start = self.pos == 0 || bytes[self.pos - 1] == b'\n';
            match b {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    if depth == 0 && start.is_some() {
                        return Ok(start);
                    }
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b';' => {
                    while bytes.get(self.pos).is_some_and(|&c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                b'(' => {
                    if depth == 0 {
                        open_line = self.line;
                    }
                    depth += 1;
                    self.pos += 1;
                    start.get_or_insert(EntryStart { line: self.line, owned: false });
                }
                b')' => {
                    depth = depth
                        .checked_sub(1)
                        .ok_or(ZoneError::UnbalancedParentheses { line: self.line })?;
                    self.pos += 1;
                }
                b'"' => {
                    let line = self.line;
                    let begin = self.pos + 1;
                    let mut i = begin;
                    loop {
                        match bytes.get(i) {
                            None => return Err(ZoneError::UnclosedQuote { line }),
                            Some(b'"') => break,
                            Some(b'\\') => {
                                if bytes.get(i + 1) == Some(&b'\n') {
                                    self.line += 1;
                                }
                                i += 2;
                            }
                            Some(b'\n') => {
                                self.line += 1;
                                i += 1;
                            }
                            Some(_) => i += 1,
                        }
                    }
                    tokens.push(Token { text: &self.text[begin..i], quoted: true });
                    self.pos = i + 1;
                    start.get_or_insert(EntryStart { line, owned: at_line_start });
                }
                _ => {
                    let begin = self.pos;
                    let mut i = begin;
                    loop {
                        match bytes.get(i) {
                            None | Some(b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')') => break,
                            // A line break is never escaped outside quotes: the backslash
                            // stays in the word (and is refused where the word is decoded).
                            Some(b'\\') if matches!(bytes.get(i + 1), None | Some(b'\n')) => {
                                i += 1;
                            }
                            Some(b'\\') => i += 2,
                            Some(_) => i += 1,
                        }
                    }
                    let end = i.min(bytes.len());
                    tokens.push(Token { text: &self.text[begin..end], quoted: false });
                    self.pos = end;
                    start.get_or_insert(EntryStart { line: self.line, owned: at_line_start });
                }
            }
        }
    }
}

/// The record types the loader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    Txt,
    Mx,
    Cname,
    Soa,
}

impl Read {
    fn wire(self) -> WireType {
        match self {
            Self::Txt => WireType::TXT,
            Self::Mx => WireType::MX,
            Self::Cname => WireType::CNAME,
            Self::Soa => WireType::SOA,
        }
    }
}

/// An absolute domain name read from zone text: its labels as octets, ASCII letters in
/// lowercase (names compare without case).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ZoneName(Vec<Vec<u8>>);

impl ZoneName {
    /// The name in text form with the final dot: octets other than letters, digits, `-`, `_`
    /// and `*` written as `\DDD`, so a dot inside a label never looks like a label boundary.
    fn to_text(&self) -> String {
        if self.0.is_empty() {
            return ".".to_owned();
        }
        let mut out = String::new();
        for label in &self.0 {
            for &b in label {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'*') {
                    out.push(char::from(b));
                } else {
                    out.push_str(&format!("\\{b:03}"));
                }
            }
            out.push('.');
        }
        out
    }

    /// The text form without the final dot, as [`InMemoryDns`] keys names.
    fn key(&self) -> String {
        trim_root(&self.to_text()).to_owned()
    }

    /// A name decoded from wire form by hickory-proto (always absolute).
    fn from_wire(name: &Name) -> Self {
        Self(name.iter().map(<[u8]>::to_ascii_lowercase).collect())
    }
}

/// The most octets in one label, and in a whole name in wire form (RFC 1035 section 2.3.4).
const MAX_LABEL: usize = 63;
const MAX_NAME: usize = 255;

/// Reads entries one by one and collects what to add; nothing reaches the [`InMemoryDns`]
/// until the whole text was read.
struct Loader {
    origin: Option<ZoneName>,
    /// The origin given, else the first `$ORIGIN`: the apex when the text has no SOA.
    apex: Option<ZoneName>,
    owner: Option<ZoneName>,
    records: Vec<(String, RecordData)>,
    others: Vec<String>,
    skipped: Vec<SkippedRecord>,
    soa_owners: Vec<String>,
}

impl Loader {
    fn new(origin: Option<ZoneName>) -> Self {
        Self {
            apex: origin.clone(),
            origin,
            owner: None,
            records: Vec::new(),
            others: Vec::new(),
            skipped: Vec::new(),
            soa_owners: Vec::new(),
        }
    }

    fn entry(&mut self, start: EntryStart, tokens: &[Token<'_>]) -> Result<(), ZoneError> {
        let line = start.line;
        let Some(first) = tokens.first() else { return Ok(()) };
        if !first.quoted && first.text.starts_with('$') {
            return self.directive(line, tokens);
        }
        let mut rest = tokens.iter();
        let owner = if start.owned {
            rest.next();
            let owner = self.name(line, *first)?;
            self.owner = Some(owner.clone());
            owner
        } else {
            self.owner.clone().ok_or_else(|| ZoneError::Parse {
                line,
                detail: "the record has no owner name (the line starts with white space and no record comes before it)".into(),
            })?
        };
        let record_type = loop {
            let Some(token) = rest.next() else {
                return Err(ZoneError::Parse { line, detail: "the record has no type".into() });
            };
            if token.quoted || !(is_ttl(token.text) || is_class(token.text)) {
                break token;
            }
        };
        let key = owner.key();
        let read = match classify(*record_type) {
            Some(Some(read)) => read,
            Some(None) => {
                self.others.push(key.clone());
                self.skipped.push(SkippedRecord {
                    line,
                    owner: key,
                    record_type: record_type.text.to_ascii_uppercase(),
                });
                return Ok(());
            }
            None => {
                return Err(ZoneError::Parse {
                    line,
                    detail: format!("{:?} is not a record type", shown(record_type.text)),
                });
            }
        };
        let rdata: Vec<Token<'_>> = rest.copied().collect();
        let data = self.record_data(line, read, &rdata)?;
        if read == Read::Soa {
            self.soa_owners.push(key.clone());
        }
        self.records.push((key, data));
        Ok(())
    }

    fn directive(&mut self, line: usize, tokens: &[Token<'_>]) -> Result<(), ZoneError> {
        let (name, args) = tokens.split_first().map_or(("", &[][..]), |(n, a)| (n.text, a));
        let one_argument = |what: &str| match args {
            [one] => Ok(*one),
            _ => {
                Err(ZoneError::Parse { line, detail: format!("{} takes one {what}", shown(name)) })
            }
        };
        if name.eq_ignore_ascii_case("$ORIGIN") {
            let origin = self.name(line, one_argument("name")?)?;
            self.apex.get_or_insert_with(|| origin.clone());
            self.origin = Some(origin);
        } else if name.eq_ignore_ascii_case("$TTL") {
            let ttl = one_argument("TTL")?;
            if !is_ttl(ttl.text) {
                let detail = format!("{:?} is not a TTL", shown(ttl.text));
                return Err(ZoneError::Parse { line, detail });
            }
        } else if name.eq_ignore_ascii_case("$INCLUDE") {
            return Err(ZoneError::IncludeRefused { line });
        } else {
            let detail = format!("the directive {:?} is not supported", shown(name));
            return Err(ZoneError::Parse { line, detail });
        }
        Ok(())
    }

    /// A name as written (RFC 1035 section 5.1), made absolute: `@` is the origin, a name
    /// without a final dot is completed with it.
    fn name(&self, line: usize, token: Token<'_>) -> Result<ZoneName, ZoneError> {
        let relative = || ZoneError::RelativeName { line, name: shown(token.text) };
        if token.is_word("@") {
            return self.origin.clone().ok_or_else(relative);
        }
        let invalid = |why: &str| ZoneError::Parse {
            line,
            detail: format!("{:?} is not a valid name: {why}", shown(token.text)),
        };
        if token.text == "." {
            return Ok(ZoneName(Vec::new()));
        }
        let (mut labels, mut label, mut absolute) = (Vec::new(), Vec::new(), false);
        decode_with(token.text, line, |octet, escaped| {
            absolute = octet == b'.' && !escaped;
            if absolute {
                labels.push(std::mem::take(&mut label));
            } else {
                label.push(octet.to_ascii_lowercase());
            }
        })?;
        if !absolute {
            labels.push(label);
        }
        if labels.iter().any(Vec::is_empty) {
            return Err(invalid("it has an empty label"));
        }
        if labels.iter().any(|l| l.len() > MAX_LABEL) {
            return Err(invalid("a label is longer than 63 octets"));
        }
        if !absolute {
            let origin = self.origin.as_ref().ok_or_else(relative)?;
            labels.extend(origin.0.iter().cloned());
        }
        if labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1 > MAX_NAME {
            return Err(invalid("it is longer than 255 octets"));
        }
        Ok(ZoneName(labels))
    }

    fn record_data(
        &self,
        line: usize,
        read: Read,
        rdata: &[Token<'_>],
    ) -> Result<RecordData, ZoneError> {
        let invalid = |detail: &str| ZoneError::Parse {
            line,
            detail: format!("the {} record is malformed: {detail}", read.wire()),
        };
        if let Some((first, rest)) = rdata.split_first()
            && first.is_word("\\#")
        {
            return generic(read, rest).map_err(|e| invalid(&e));
        }
        let number = |token: &Token<'_>| parse_ttl(token.text).ok().filter(|_| !token.quoted);
        Ok(match (read, rdata) {
            (Read::Txt, []) => return Err(invalid("it needs at least one character-string")),
            (Read::Txt, strings) => RecordData::Txt(TxtData::new(
                strings.iter().map(|t| decode(t.text, line)).collect::<Result<Vec<_>, _>>()?,
            )),
            (Read::Mx, [preference, exchange]) => RecordData::Mx {
                preference: preference
                    .text
                    .parse()
                    .map_err(|_| invalid("the preference is not a number from 0 to 65535"))?,
                exchange: self.name(line, *exchange)?.to_text(),
            },
            (Read::Mx, _) => return Err(invalid("it needs a preference and a host")),
            (Read::Cname, [target]) => {
                RecordData::Cname { target: self.name(line, *target)?.to_text() }
            }
            (Read::Cname, _) => return Err(invalid("it needs one target")),
            (Read::Soa, [mname, rname, numbers @ ..]) if numbers.len() == 5 => {
                if !numbers.iter().all(|n| number(n).is_some()) {
                    return Err(invalid(
                        "serial, refresh, retry, expire and minimum must be numbers",
                    ));
                }
                RecordData::Soa {
                    mname: self.name(line, *mname)?.to_text(),
                    rname: self.name(line, *rname)?.to_text(),
                }
            }
            (Read::Soa, _) => {
                return Err(invalid(
                    "it needs a name server, a mailbox and five numbers (serial, refresh, retry, expire, minimum)",
                ));
            }
        })
    }

    /// Adds what was read to `dns`, declares the apexes, and says what was done.
    fn commit(self, dns: &mut InMemoryDns) -> ZoneSummary {
        let added = self.records.len();
        for (name, data) in self.records {
            dns.add(&name, data);
        }
        for name in &self.others {
            dns.add_other(name);
        }
        let mut zones = self.soa_owners;
        if zones.is_empty()
            && let Some(apex) = self.apex.filter(|a| !a.0.is_empty())
        {
            let apex = apex.key();
            dns.add_zone(&apex);
            zones.push(apex);
        }
        zones.sort_unstable();
        zones.dedup();
        ZoneSummary { added, skipped: self.skipped, zones }
    }
}

/// Whether `text` is a TTL: seconds, or BIND's units (`1h30m`).
fn is_ttl(text: &str) -> bool {
    parse_ttl(text).is_ok()
}

/// Whether `text` is a class: `IN`, `CH`, `HS`, `CS` or `CLASSnnn` (RFC 3597 section 5).
fn is_class(text: &str) -> bool {
    ["IN", "CH", "HS", "CS"].iter().any(|c| text.eq_ignore_ascii_case(c))
        || number_after(text, "CLASS").is_some()
}

/// The number in `TYPEnnn` or `CLASSnnn` (any case): `Some(None)` when the digits are there
/// but out of range.
fn number_after(text: &str, prefix: &str) -> Option<Option<u16>> {
    let head = text.get(..prefix.len())?;
    let digits = &text[prefix.len()..];
    (head.eq_ignore_ascii_case(prefix)
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit()))
    .then(|| digits.parse().ok())
}

/// The record type a token names: `Some(Some(_))` for a type the loader reads, `Some(None)`
/// for any other well-formed type (a mnemonic or `TYPEnnn`), `None` for a token that is not
/// a type.
fn classify(token: Token<'_>) -> Option<Option<Read>> {
    let text = token.text;
    let mnemonic = !token.quoted
        && text.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !mnemonic {
        return None;
    }
    let read = match number_after(text, "TYPE") {
        Some(number) => match number? {
            16 => Some(Read::Txt),
            15 => Some(Read::Mx),
            5 => Some(Read::Cname),
            6 => Some(Read::Soa),
            _ => None,
        },
        None => [("TXT", Read::Txt), ("MX", Read::Mx), ("CNAME", Read::Cname), ("SOA", Read::Soa)]
            .into_iter()
            .find_map(|(name, read)| text.eq_ignore_ascii_case(name).then_some(read)),
    };
    Some(read)
}

/// Record data in the generic form of RFC 3597 section 5 (`\# len hex...`, after the `\#`),
/// decoded from its wire form by hickory-proto.
fn generic(read: Read, tokens: &[Token<'_>]) -> Result<RecordData, String> {
    let (len, hex) = tokens.split_first().ok_or("\\# needs a length")?;
    let len: u16 =
        len.text.parse().map_err(|_| format!("{:?} is not a length", shown(len.text)))?;
    let mut bytes = Vec::with_capacity(usize::from(len));
    for token in hex {
        let digits = token.text.as_bytes();
        if digits.len() % 2 != 0 {
            return Err(format!("{:?} is not whole hex octets", shown(token.text)));
        }
        for pair in digits.chunks(2) {
            let octet = std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(|| format!("{:?} is not hex", shown(token.text)))?;
            bytes.push(octet);
        }
    }
    if bytes.len() != usize::from(len) {
        return Err(format!("\\# says {len} octets, but {} follow", bytes.len()));
    }
    let mut decoder = BinDecoder::new(&bytes);
    let rdata =
        RData::read(&mut decoder, read.wire(), Restrict::new(len)).map_err(|e| e.to_string())?;
    let name = |n: &Name| ZoneName::from_wire(n).to_text();
    Ok(match rdata {
        RData::TXT(txt) => RecordData::Txt(TxtData::new(txt.txt_data.iter().map(|s| s.to_vec()))),
        RData::MX(mx) => RecordData::Mx { preference: mx.preference, exchange: name(&mx.exchange) },
        RData::CNAME(cname) => RecordData::Cname { target: name(&cname.0) },
        RData::SOA(soa) => RecordData::Soa { mname: name(&soa.mname), rname: name(&soa.rname) },
        other => return Err(format!("it was read as {}", other.record_type())),
    })
}

/// A character-string as written (quotes removed) decoded to its octets (RFC 1035 section
/// 5.1).
fn decode(text: &str, line: usize) -> Result<Vec<u8>, ZoneError> {
    let mut out = Vec::with_capacity(text.len());
    decode_with(text, line, |octet, _| out.push(octet))?;
    Ok(out)
}

/// Feeds the octets `text` stands for to `octet`, with whether each was escaped: `\X` is `X`,
/// `\DDD` the octet with decimal value DDD; other characters are their UTF-8 octets.
fn decode_with(text: &str, line: usize, mut octet: impl FnMut(u8, bool)) -> Result<(), ZoneError> {
    let mut chars = text.chars();
    let mut buf = [0; 4];
    while let Some(c) = chars.next() {
        if c != '\\' {
            c.encode_utf8(&mut buf).bytes().for_each(|b| octet(b, false));
            continue;
        }
        match chars.next() {
            Some(d) if d.is_ascii_digit() => {
                let rest = chars.as_str();
                let more: String = rest.chars().take(2).take_while(char::is_ascii_digit).collect();
                let digits = format!("{d}{more}");
                chars = rest[more.len()..].chars();
                match digits.parse::<u8>() {
                    Ok(value) if digits.len() == 3 => octet(value, true),
                    _ => {
                        let escape = format!("\\{digits}");
                        return Err(ZoneError::UnsupportedEscape { line, escape });
                    }
                }
            }
            Some(other) => other.encode_utf8(&mut buf).bytes().for_each(|b| octet(b, true)),
            None => return Err(ZoneError::UnsupportedEscape { line, escape: "\\".into() }),
        }
    }
    Ok(())
}

/// Text from the input for a message: shortened, so a huge token cannot fill an error.
fn shown(text: &str) -> String {
    super::diagnostics::shorten(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Result<Vec<(usize, bool, Vec<String>)>, ZoneError> {
        let mut lexer = Lexer { text, pos: 0, line: 1 };
        let mut tokens = Vec::new();
        let mut out = Vec::new();
        while let Some(start) = lexer.next_entry(&mut tokens)? {
            let texts = tokens
                .iter()
                .map(|t| if t.quoted { format!("\"{}\"", t.text) } else { t.text.to_owned() })
                .collect();
            out.push((start.line, start.owned, texts));
        }
        Ok(out)
    }

    #[test]
    fn parenthesised_groups_are_joined_and_comments_dropped() {
        let e = entries("a IN TXT ( \"x; y\" ; comment\n \"z\" )\n  b\tTXT w\n").unwrap();
        assert_eq!(
            e[0],
            (
                1,
                true,
                vec!["a", "IN", "TXT", "\"x; y\"", "\"z\""].into_iter().map(String::from).collect()
            )
        );
        assert_eq!(e[1], (3, false, vec!["b".to_owned(), "TXT".into(), "w".into()]));
    }

    #[test]
    fn escapes_keep_words_together() {
        let e = entries("a TXT v=DKIM1\\;\\ k=rsa\\; p=x ; real comment\n").unwrap();
        assert_eq!(e[0].2, ["a", "TXT", "v=DKIM1\\;\\ k=rsa\\;", "p=x"]);
        assert_eq!(decode("v=DKIM1\\;\\ k=rsa\\;", 1).unwrap(), b"v=DKIM1; k=rsa;");
        assert_eq!(decode("x\\059y\\032z\\200", 1).unwrap(), b"x;y z\xc8");
    }

    #[test]
    fn lexical_errors_name_their_line() {
        assert_eq!(
            decode("\\256", 4).unwrap_err(),
            ZoneError::UnsupportedEscape { line: 4, escape: "\\256".into() }
        );
        assert_eq!(decode("\\05x", 1).unwrap_err().code(), "dns.zone_unsupported_escape");
        assert_eq!(decode("x\\", 1).unwrap_err().code(), "dns.zone_unsupported_escape");
        assert_eq!(
            entries("a\nb TXT ( \"x\"\n").unwrap_err(),
            ZoneError::UnbalancedParentheses { line: 2 }
        );
        assert_eq!(
            entries("a TXT \"x\" )").unwrap_err(),
            ZoneError::UnbalancedParentheses { line: 1 }
        );
        assert_eq!(entries("a\n\nb TXT \"x\n").unwrap_err(), ZoneError::UnclosedQuote { line: 3 });
    }

    #[test]
    fn include_is_found_wherever_a_line_reader_could_see_it() {
        assert_eq!(include_line("x\n  $include /etc/passwd\n"), Some(2));
        assert_eq!(include_line("a TXT \"$INCLUDE\"\nb ; $include\n"), None);
        assert_eq!(include_line("a TXT ( x\n$Include y )\n"), Some(2));
    }

    #[test]
    fn names_are_octets_with_decimal_escapes() {
        let origin = ZoneName(vec![b"example".to_vec(), b"com".to_vec()]);
        let loader = Loader::new(Some(origin));
        let name = |text: &str| loader.name(3, Token { text, quoted: false });
        assert_eq!(name("A\\046b.Example.").unwrap().key(), "a\\046b.example");
        assert_eq!(name("\\065-").unwrap().key(), "a-.example.com");
        assert_eq!(name("@").unwrap().to_text(), "example.com.");
        assert_eq!(name(".").unwrap().to_text(), ".");
        assert_eq!(name("_sip._tcp").unwrap().key(), "_sip._tcp.example.com");
        for bad in ["a..b", ".a", "..", &"x".repeat(64), &"abcdefgh.".repeat(29)] {
            assert_eq!(name(bad).unwrap_err().code(), "dns.zone_invalid", "{bad}");
        }
        assert_eq!(name("a\\999").unwrap_err().code(), "dns.zone_unsupported_escape");
        let without = Loader::new(None);
        assert_eq!(
            without.name(3, Token { text: "www", quoted: false }).unwrap_err(),
            ZoneError::RelativeName { line: 3, name: "www".into() }
        );
    }

    #[test]
    fn types_and_classes() {
        let t = |text| classify(Token { text, quoted: false });
        assert_eq!(t("txt"), Some(Some(Read::Txt)));
        assert_eq!(t("TYPE16"), Some(Some(Read::Txt)));
        assert_eq!(t("type015"), Some(Some(Read::Mx)));
        assert_eq!(t("SPF"), Some(None));
        assert_eq!(t("TYPE99"), Some(None));
        assert_eq!(t("TYPE65536"), None);
        assert_eq!(t("10.0.0.1"), None);
        assert!(is_class("in") && is_class("CLASS1") && !is_class("CLASS") && !is_class("TXT"));
        assert!(is_ttl("3600") && is_ttl("1h30m") && !is_ttl("TXT"));
    }
}
