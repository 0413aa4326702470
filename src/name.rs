//! [`DomainName`]: a DNS name an organization can receive and send mail on.
//!
//! Input may be Unicode (`bücher.de`, `例え.jp`) or ASCII in any case; it is normalized with
//! UTS #46 (nontransitional processing, STD3 rules, hyphen and bidi checks; ideographic and
//! fullwidth full stops separate labels) and stored as lowercase A-labels. Every label must
//! also be valid under IDNA 2008 (RFC 5891, RFC 5892), which mail relies on (RFC 6531 3.3):
//! UTS #46 alone would also accept symbols and punctuation such as `♥` or `‧`. Invisible
//! characters (format characters, the zero-width joiners included, and bidi controls) are
//! refused rather than dropped, and so is a combining mark at the start. On top of that the DNS
//! and mail rules apply: at least two labels, labels of 1..=63 octets, a whole name of at most
//! 253 octets, a top label that ends in a letter, and no special-use name (see
//! [`SPECIAL_USE_SUFFIXES`]). A DNS-record name such as `_amazonses.example.com` is not a
//! `DomainName`: underscores are refused here on purpose.
//!
//! A character no domain name can hold (a comma, a space, an `@`) is named in the error, so
//! `example,org` is reported as a comma where a dot was probably meant.
//!
//! ```
//! use email_routing::DomainName;
//!
//! let name: DomainName = "Bücher.DE.".parse()?;
//! assert_eq!(name.as_str(), "xn--bcher-kva.de");
//! assert_eq!(name.to_unicode(), "bücher.de");
//! assert_eq!(name, "xn--BCHER-kva.de".parse()?);
//! assert!("printer.local".parse::<DomainName>().is_err());
//! # Ok::<(), email_routing::DomainNameError>(())
//! ```

use std::borrow::Cow;

use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::props::{
    ChangesWhenNfkcCasefolded, DefaultIgnorableCodePoint, GeneralCategory, HangulSyllableType,
    NoncharacterCodePoint, Script, WhiteSpace,
};
use icu_properties::{CodePointMapData, CodePointSetData};
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

use crate::text::{describe_char, general_category, is_bidi_control, is_combining_mark};

/// The most octets one label may have (RFC 1035).
pub const MAX_LABEL_OCTETS: usize = 63;
/// The most octets a whole name may have in its ASCII form, without the trailing dot.
pub const MAX_NAME_OCTETS: usize = 253;
/// The fewest labels a name must have (`example.com` has two).
pub const MIN_LABELS: usize = 2;
/// Longest input accepted before any processing; anything longer cannot normalize to a valid
/// name except through pathological ignorable code points, and is refused without the work.
pub(crate) const MAX_INPUT_BYTES: usize = 4096;

/// Special-use top-level names (RFC 6761, RFC 6762, RFC 7686, RFC 9476, and `internal`, reserved
/// by ICANN for private use), plus `home`, `corp` and `lan`, which ICANN will not delegate
/// because of name collisions. These names and every name under them are refused: mail for
/// them can never be delivered on the public Internet. `example` is reserved as a top-level name,
/// but `example.com`, `example.net` and `example.org` stay usable for documentation and tests.
pub const SPECIAL_USE_SUFFIXES: &[&str] = &[
    "arpa",
    "invalid",
    "local",
    "localhost",
    "onion",
    "test",
    "alt",
    "internal",
    "example",
    "home",
    "corp",
    "lan",
];

/// Why a domain name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainNameError {
    /// Nothing was given.
    #[error("the domain name is empty: give a name such as support.example.com")]
    Empty,
    /// The input is far longer than any valid name.
    #[error(
        "the domain name input is {len} bytes long; the limit is {max}: give a real domain name"
    )]
    InputTooLong {
        /// Input length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// UTS #46 processing refused the name: a disallowed character (space, underscore,
    /// punctuation), a misplaced hyphen, broken punycode, or a bidi or joiner violation.
    #[error(
        "{input:?} is not a valid internationalized domain name (disallowed character, misplaced hyphen, or invalid punycode): use letters, digits and inner hyphens only"
    )]
    Idna {
        /// The offending input.
        input: String,
    },
    /// An invisible formatting character (zero-width space, zero-width joiner or non-joiner,
    /// soft hyphen, bidi control). UTS #46 would silently delete some of them; a name that looks
    /// different from what it resolves to is refused instead.
    #[error("{input:?} contains the invisible character {character}: remove it")]
    InvisibleCharacter {
        /// The offending input.
        input: String,
        /// The offending character, described.
        character: String,
    },
    /// The name starts with a combining mark (general category M, such as U+0345): it would
    /// render onto whatever precedes the name, the `@` of an address. UTS #46 would map or
    /// drop some of them (U+0345 becomes `ι`, variation selectors vanish); they are refused
    /// instead.
    #[error(
        "{input:?} starts with the combining mark {character}, which would join the character before the name: remove it"
    )]
    LeadingCombiningMark {
        /// The offending input.
        input: String,
        /// The offending mark, described.
        character: String,
    },
    /// A character no domain name can hold: ASCII punctuation other than `-` and `.` (`,` `;`
    /// `:` `@` `_` ...), white space, a width or compatibility variant of those (a full-width
    /// comma), or a code point IDNA 2008 does not permit in a label (RFC 5892: symbols, most
    /// punctuation, a middle dot outside `l·l`).
    #[error(
        "{input:?} contains {character}, which a domain name cannot hold: {}",
        character_advice(.character)
    )]
    InvalidCharacter {
        /// The offending input.
        input: String,
        /// The offending character, described.
        character: String,
    },
    /// A label is empty (`a..b`, or a leading dot).
    #[error("{name:?} has an empty label: remove the extra dot")]
    EmptyLabel {
        /// The name in ASCII form.
        name: String,
    },
    /// A label is longer than 63 octets in ASCII form.
    #[error("label {label:?} is {len} octets long; the limit is {max}: shorten it")]
    LabelTooLong {
        /// The offending label.
        label: String,
        /// Its length in octets.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The name is longer than 253 octets in ASCII form.
    #[error(
        "the domain name is {len} octets long in ASCII form; the limit is {max}: use a shorter name"
    )]
    TooLong {
        /// Its length in octets.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Fewer than two labels (`localhost`, `com`).
    #[error(
        "{name:?} has {labels} label(s); at least {min} are needed: give a full name such as example.com"
    )]
    TooFewLabels {
        /// The name in ASCII form.
        name: String,
        /// How many labels it has.
        labels: usize,
        /// The minimum.
        min: usize,
    },
    /// The top label ends in a digit. Every top-level domain ends in a letter: ASCII ones are
    /// alphabetic (RFC 1123 2.1) and an A-label always ends in a letter (RFC 3492's last digit
    /// is below 26); an all-numeric name looks like an IP address.
    #[error(
        "{name:?} ends in a digit, but every top-level domain ends in a letter: give a domain name (not an IP address) with its top-level domain"
    )]
    NumericTopLabel {
        /// The name in ASCII form.
        name: String,
    },
    /// The name is a special-use name or under one.
    #[error(
        "{name:?} is under the special-use name {suffix:?}, which cannot receive Internet mail: use a public domain"
    )]
    SpecialUse {
        /// The name in ASCII form.
        name: String,
        /// The special-use suffix it falls under.
        suffix: &'static str,
    },
    /// A trailing dot where a mailbox domain is expected (`user@example.com.`).
    #[error("{name:?} ends with a dot, which is not allowed in an email address: remove it")]
    TrailingDot {
        /// The offending name.
        name: String,
    },
}

impl DomainNameError {
    /// A stable, machine-readable code for this error, e.g. `domain.label_too_long`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "domain.empty",
            Self::InputTooLong { .. } => "domain.input_too_long",
            Self::Idna { .. } => "domain.invalid",
            Self::InvisibleCharacter { .. } => "domain.invisible_character",
            Self::InvalidCharacter { .. } => "domain.invalid_character",
            Self::LeadingCombiningMark { .. } => "domain.leading_combining_mark",
            Self::EmptyLabel { .. } => "domain.label_empty",
            Self::LabelTooLong { .. } => "domain.label_too_long",
            Self::TooLong { .. } => "domain.too_long",
            Self::TooFewLabels { .. } => "domain.too_few_labels",
            Self::NumericTopLabel { .. } => "domain.tld_numeric",
            Self::SpecialUse { .. } => "domain.special_use",
            Self::TrailingDot { .. } => "domain.trailing_dot",
        }
    }
}

/// A validated domain name, stored as lowercase A-labels without a trailing dot.
///
/// Two `DomainName`s are equal when they name the same domain: case, Unicode and A-label
/// spellings, and one trailing dot, make no difference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct DomainName(Box<str>);

/// Whether a trailing root dot may be present in the input.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum TrailingDot {
    Accept,
    Refuse,
}

impl DomainName {
    /// Normalizes and validates a domain name. One trailing dot is accepted and dropped.
    ///
    /// # Errors
    ///
    /// A [`DomainNameError`] naming the first rule in the module docs that the input breaks:
    /// a character no domain holds (named, [`DomainNameError::InvalidCharacter`]), an invisible
    /// character or a leading combining mark, a UTS #46 refusal, or a length, label-count,
    /// top-label or special-use rule.
    pub fn new(input: &str) -> Result<Self, DomainNameError> {
        Ok(Self(normalize(input, TrailingDot::Accept)?.into_boxed_str()))
    }

    /// Wraps a string already produced by [`normalize`].
    pub(crate) fn from_normalized(ascii: String) -> Self {
        Self(ascii.into_boxed_str())
    }

    /// The name in ASCII form (lowercase A-labels), without a trailing dot.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name in Unicode form (U-labels), for showing to people.
    #[must_use]
    pub fn to_unicode(&self) -> String {
        let (unicode, _) =
            Uts46::new().to_unicode(self.0.as_bytes(), AsciiDenyList::STD3, Hyphens::Check);
        unicode.into_owned()
    }

    /// The labels from left to right, in ASCII form.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.0.split('.')
    }

    /// Whether `self` is a proper subdomain of `parent`: it ends with `.` + `parent` on a label
    /// boundary and is not equal to it. `mail.example.com` is under `example.com`;
    /// `badexample.com` and `example.com` itself are not.
    ///
    /// ```
    /// use email_routing::DomainName;
    /// let parent: DomainName = "example.com".parse()?;
    /// assert!("bounce.example.com".parse::<DomainName>()?.is_subdomain_of(&parent));
    /// assert!(!"badexample.com".parse::<DomainName>()?.is_subdomain_of(&parent));
    /// assert!(!parent.is_subdomain_of(&parent));
    /// # Ok::<(), email_routing::DomainNameError>(())
    /// ```
    #[must_use]
    pub fn is_subdomain_of(&self, parent: &DomainName) -> bool {
        is_proper_subdomain(&self.0, &parent.0)
    }

    /// Whether `self` is exactly one label under `parent` (`acme.mail.example.net` under
    /// `mail.example.net`). Hosted subdomains are made this way.
    #[must_use]
    pub fn is_child_of(&self, parent: &DomainName) -> bool {
        self.parent().as_ref() == Some(parent)
    }

    /// Whether `self` equals `other` or is under it.
    #[must_use]
    pub fn is_at_or_under(&self, other: &DomainName) -> bool {
        self == other || self.is_subdomain_of(other)
    }

    /// The name with its leftmost label removed, if at least two labels remain.
    #[must_use]
    pub fn parent(&self) -> Option<DomainName> {
        let (_, rest) = self.0.split_once('.')?;
        rest.contains('.').then(|| Self(rest.into()))
    }
}

/// Whether ASCII name `child` is strictly under ASCII name `parent` on a label boundary.
pub(crate) fn is_proper_subdomain(child: &str, parent: &str) -> bool {
    child.len() > parent.len() + 1
        && child.ends_with(parent)
        && child.as_bytes()[child.len() - parent.len() - 1] == b'.'
}

/// Normalizes `input` to lowercase A-labels and applies every rule in the module docs.
pub(crate) fn normalize(input: &str, trailing_dot: TrailingDot) -> Result<String, DomainNameError> {
    let mut out = String::with_capacity(input.len());
    normalize_into(input, trailing_dot, &mut out)?;
    Ok(out)
}

/// Like [`normalize`], but appends the ASCII name to `out`, so an address can be built in one
/// allocation. On error `out` may hold a partial name.
pub(crate) fn normalize_into(
    input: &str,
    trailing_dot: TrailingDot,
    out: &mut String,
) -> Result<(), DomainNameError> {
    if input.is_empty() {
        return Err(DomainNameError::Empty);
    }
    if input.len() > MAX_INPUT_BYTES {
        return Err(DomainNameError::InputTooLong { len: input.len(), max: MAX_INPUT_BYTES });
    }
    let start = out.len();
    if is_plain_ldh(input) {
        out.extend(input.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        if let Some(c) = input.chars().next().filter(|&c| is_combining_mark(c)) {
            return Err(DomainNameError::LeadingCombiningMark {
                input: input.to_owned(),
                character: describe_char(c),
            });
        }
        if let Some(c) = input.chars().find(|&c| is_invisible_format(c)) {
            return Err(DomainNameError::InvisibleCharacter {
                input: input.to_owned(),
                character: describe_char(c),
            });
        }
        let ascii = Uts46::new()
            .to_ascii(input.as_bytes(), AsciiDenyList::STD3, Hyphens::Check, DnsLength::Ignore)
            .map_err(|_| {
                let character = input.chars().find(|&c| is_foreign_to_names(c));
                match character {
                    Some(c) => DomainNameError::InvalidCharacter {
                        input: input.to_owned(),
                        character: describe_char(c),
                    },
                    None => DomainNameError::Idna { input: input.to_owned() },
                }
            })?;
        if let Some(c) = idna2008_refused(&ascii) {
            let (input, character) = (input.to_owned(), describe_char(c));
            // An A-label can spell a joiner that the Unicode form would have shown.
            return Err(if is_invisible_format(c) {
                DomainNameError::InvisibleCharacter { input, character }
            } else {
                DomainNameError::InvalidCharacter { input, character }
            });
        }
        out.push_str(&ascii);
    }
    if out.ends_with('.') && out.len() > start {
        if trailing_dot == TrailingDot::Refuse {
            return Err(DomainNameError::TrailingDot { name: input.to_owned() });
        }
        out.pop();
    }
    check_structure(&out[start..])
}

/// Format characters (the zero-width joiner and non-joiner among them) and bidi controls.
fn is_invisible_format(c: char) -> bool {
    !c.is_ascii() && (is_bidi_control(c) || general_category(c) == GeneralCategory::Format)
}

/// Characters that no domain name can hold whatever surrounds them, and that alone explain why
/// UTS #46 refused a name: ASCII other than letters, digits, `-` and `.`; white space; and
/// characters whose compatibility form (NFKC) is one of those, such as the full-width comma.
/// Kept off the happy path: it runs only after UTS #46 refused the name.
fn is_foreign_to_names(c: char) -> bool {
    let foreign_ascii =
        |c: char| c.is_ascii() && !(c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if c.is_ascii() || c.is_whitespace() {
        return foreign_ascii(c) || c.is_whitespace();
    }
    let mut buf = [0; 4];
    match ComposingNormalizerBorrowed::new_nfkc().normalize(c.encode_utf8(&mut buf)) {
        Cow::Owned(compat) => {
            let mut chars = compat.chars();
            matches!((chars.next(), chars.next()), (Some(m), None) if foreign_ascii(m))
        }
        Cow::Borrowed(_) => false,
    }
}

/// Why a comma or another character cannot stand in a domain name, in the user's terms.
fn character_advice(character: &str) -> &'static str {
    if [',', '\u{FF0C}', '\u{FE50}'].iter().any(|&comma| describe_char(comma) == character) {
        "a comma never separates the parts of a domain name; if you meant a dot, write '.'"
    } else {
        "remove it; a domain name holds letters, digits, hyphens and dots"
    }
}

/// The first code point of an A-label in `ascii` that IDNA 2008 refuses, if any.
///
/// UTS #46 (since Unicode 15.1) accepts many symbols and punctuation marks, but IDNA 2008, which
/// mail follows (RFC 6531 3.3 takes its U-labels) and registries enforce, permits a code point
/// only when RFC 5892 derives it as PVALID, or as CONTEXTO with its rule met (RFC 5892 appendix
/// A). The join controls (CONTEXTJ) are refused outright, as every other invisible character is.
fn idna2008_refused(ascii: &str) -> Option<char> {
    ascii.split('.').filter_map(|label| label.strip_prefix("xn--")).find_map(|puny| {
        // UTS #46 has decoded and checked every A-label already; this cannot fail.
        let label = idna::punycode::decode(puny)?;
        label.iter().enumerate().find_map(|(i, &c)| (!idna2008_permits(&label, i, c)).then_some(c))
    })
}

/// Whether IDNA 2008 permits code point `c` at index `i` of U-label `label`.
fn idna2008_permits(label: &[char], i: usize, c: char) -> bool {
    let script = |c: char| CodePointMapData::<Script>::new().get(c);
    let prev = i.checked_sub(1).and_then(|j| label.get(j)).copied();
    let next = label.get(i + 1).copied();
    let has_any = |lo: char, hi: char| label.iter().any(|o| (lo..=hi).contains(o));
    match c {
        // RFC 5892 2.6, exceptions: PVALID.
        '\u{DF}' | '\u{3C2}' | '\u{6FD}' | '\u{6FE}' | '\u{F0B}' | '\u{3007}' => true,
        // RFC 5892 2.6, exceptions: DISALLOWED.
        '\u{640}' | '\u{7FA}' | '\u{302E}' | '\u{302F}' | '\u{3031}'..='\u{3035}' | '\u{303B}' => {
            false
        }
        // RFC 5892 appendix A.3 to A.9, the CONTEXTO rules.
        '\u{B7}' => prev == Some('l') && next == Some('l'),
        '\u{375}' => next.is_some_and(|n| script(n) == Script::Greek),
        '\u{5F3}' | '\u{5F4}' => prev.is_some_and(|p| script(p) == Script::Hebrew),
        '\u{30FB}' => label
            .iter()
            .any(|&o| matches!(script(o), Script::Hiragana | Script::Katakana | Script::Han)),
        '\u{660}'..='\u{669}' => !has_any('\u{6F0}', '\u{6F9}'),
        '\u{6F0}'..='\u{6F9}' => !has_any('\u{660}', '\u{669}'),
        _ => is_pvalid(c),
    }
}

/// RFC 5892 section 3's derivation for a code point that is no exception and has no context
/// rule: ASCII letters, digits and hyphen (the LDH rule), or a letter, mark or decimal digit
/// that is stable under NFKC case folding, is no ignorable, white space or noncharacter, lies
/// in no ignorable block and is no old Hangul jamo.
fn is_pvalid(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    }
    let in_ignorable_block =
        matches!(u32::from(c), 0x20D0..=0x20FF | 0x1D100..=0x1D1FF | 0x1D200..=0x1D24F);
    matches!(
        general_category(c),
        GeneralCategory::LowercaseLetter
            | GeneralCategory::UppercaseLetter
            | GeneralCategory::OtherLetter
            | GeneralCategory::DecimalNumber
            | GeneralCategory::ModifierLetter
            | GeneralCategory::NonspacingMark
            | GeneralCategory::SpacingMark
    ) && !in_ignorable_block
        && !CodePointSetData::new::<ChangesWhenNfkcCasefolded>().contains(c)
        && !CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
        && !CodePointSetData::new::<WhiteSpace>().contains(c)
        && !CodePointSetData::new::<NoncharacterCodePoint>().contains(c)
        && !matches!(
            CodePointMapData::<HangulSyllableType>::new().get(c),
            HangulSyllableType::LeadingJamo
                | HangulSyllableType::VowelJamo
                | HangulSyllableType::TrailingJamo
        )
}

/// Whether `input` is plain letters, digits, hyphens and dots with no A-labels, so it needs no
/// UTS #46 mapping beyond lowercasing. Hyphen placement is checked with the rule UTS #46
/// `CheckHyphens` applies; anything else takes the full algorithm.
fn is_plain_ldh(input: &str) -> bool {
    input.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && input.split('.').all(|label| {
            let l = label.as_bytes();
            // `xn--` needs punycode validation; other `??--` labels are refused by UTS #46.
            let dashes_at_3_4 = l.len() >= 4 && l[2] == b'-' && l[3] == b'-';
            !dashes_at_3_4 && l.first() != Some(&b'-') && l.last() != Some(&b'-')
        })
}

/// The DNS and mail rules on an ASCII name without a trailing dot.
fn check_structure(ascii: &str) -> Result<(), DomainNameError> {
    if ascii.is_empty() {
        return Err(DomainNameError::Empty);
    }
    let mut labels = 0;
    let mut last = "";
    for label in ascii.split('.') {
        if label.is_empty() {
            return Err(DomainNameError::EmptyLabel { name: ascii.to_owned() });
        }
        if label.len() > MAX_LABEL_OCTETS {
            return Err(DomainNameError::LabelTooLong {
                label: label.to_owned(),
                len: label.len(),
                max: MAX_LABEL_OCTETS,
            });
        }
        labels += 1;
        last = label;
    }
    if ascii.len() > MAX_NAME_OCTETS {
        return Err(DomainNameError::TooLong { len: ascii.len(), max: MAX_NAME_OCTETS });
    }
    if let Some(suffix) = SPECIAL_USE_SUFFIXES.iter().find(|s| **s == last) {
        return Err(DomainNameError::SpecialUse { name: ascii.to_owned(), suffix });
    }
    if labels < MIN_LABELS {
        return Err(DomainNameError::TooFewLabels {
            name: ascii.to_owned(),
            labels,
            min: MIN_LABELS,
        });
    }
    if last.as_bytes().last().is_some_and(u8::is_ascii_digit) {
        return Err(DomainNameError::NumericTopLabel { name: ascii.to_owned() });
    }
    Ok(())
}

crate::macros::text_value_conversions!(DomainName, DomainNameError);
