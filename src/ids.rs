//! Small validated values used by routes, conversations and the ACD queue: [`Priority`],
//! [`QueueId`], [`FlowId`], [`Skill`], [`Language`], [`AgentId`] and [`ConversationId`].
//!
//! Each is checked once when it is made; afterwards it can be passed around without re-checking.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use crate::text::{describe_char, is_unsafe_in_text};

/// Why an identifier ([`QueueId`], [`FlowId`], [`Skill`], [`Language`], [`AgentId`],
/// [`ConversationId`]) or a [`Priority`] was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The value was empty after trimming white space.
    #[error("{kind} is empty: give a non-empty name")]
    Empty {
        /// Which kind of identifier.
        kind: &'static str,
    },
    /// The value is longer than the limit.
    #[error("{kind} is {len} characters long; the limit is {max}: shorten it")]
    TooLong {
        /// Which kind of identifier.
        kind: &'static str,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The value holds a control, separator or bidi character.
    #[error("{kind} {value:?} contains {character}, which is not allowed: remove it")]
    InvalidCharacter {
        /// Which kind of identifier.
        kind: &'static str,
        /// The offending value.
        value: String,
        /// The offending character, described.
        character: String,
    },
    /// The priority is outside `Priority::MIN..=Priority::MAX`.
    #[error("priority {value} is outside {min}..={max}: choose a priority in that range")]
    PriorityOutOfRange {
        /// The offending value.
        value: i64,
        /// Lowest allowed priority.
        min: i32,
        /// Highest allowed priority.
        max: i32,
    },
}

impl IdError {
    /// A stable, machine-readable code for this error, e.g. `id.too_long`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            IdError::Empty { .. } => "id.empty",
            IdError::TooLong { .. } => "id.too_long",
            IdError::InvalidCharacter { .. } => "id.invalid_character",
            IdError::PriorityOutOfRange { .. } => "priority.out_of_range",
        }
    }
}

/// The most characters an identifier may have.
pub const MAX_ID_CHARS: usize = 128;

/// Trims and normalizes `input`, then applies the identifier rules shared by every id type to
/// the result, so a stored value always passes them again (normalizing can change the length).
fn validate_id(
    kind: &'static str,
    input: &str,
    normalize: fn(&str) -> String,
) -> Result<String, IdError> {
    let normalized = normalize(input.trim());
    let trimmed = normalized.as_str();
    if trimmed.is_empty() {
        return Err(IdError::Empty { kind });
    }
    let len = trimmed.chars().count();
    if len > MAX_ID_CHARS {
        return Err(IdError::TooLong { kind, len, max: MAX_ID_CHARS });
    }
    if let Some(c) = trimmed.chars().find(|&c| is_unsafe_in_text(c)) {
        return Err(IdError::InvalidCharacter {
            kind,
            value: trimmed.to_owned(),
            character: describe_char(c),
        });
    }
    Ok(normalized)
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $example:literal, $normalize:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
        pub struct $name(Box<str>);

        impl $name {
            #[doc = concat!("Validates and creates a `", stringify!($name), "`.")]
            ///
            /// The input is trimmed; it must then be 1 to [`MAX_ID_CHARS`] characters with no
            /// control, line-separator or bidi characters.
            ///
            /// # Errors
            /// `id.empty`, `id.too_long` (with the length and the limit) or
            /// `id.invalid_character` (naming the character).
            ///
            /// ```
            #[doc = concat!("use email_routing::", stringify!($name), ";")]
            #[doc = concat!("let id = ", stringify!($name), "::new(\"  ", $example, " \").unwrap();")]
            #[doc = concat!("assert!(", stringify!($name), "::new(\"\").is_err());")]
            /// # let _ = id;
            /// ```
            pub fn new(input: &str) -> Result<Self, IdError> {
                validate_id($kind, input, $normalize).map(|s| Self(s.into_boxed_str()))
            }

            /// The validated text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        crate::macros::text_value_conversions!($name, IdError);
    };
}

id_type!(
    /// The host's identifier of an ACD queue that routed email waits in.
    QueueId, "queue id", "support-tier-1", str::to_owned
);
id_type!(
    /// The host's identifier of an automation flow (an IVR-like script for email).
    FlowId, "flow id", "spam-triage", str::to_owned
);
id_type!(
    /// The host's identifier of a conversation (the crate draws no randomness, so the host
    /// gives each new conversation its id).
    ConversationId, "conversation id", "conv-2026-0001", str::to_owned
);
id_type!(
    /// An ACD skill an interaction may require and an agent may have.
    ///
    /// Skills match case-insensitively: the text is trimmed and stored in lowercase (the
    /// Unicode default lowercase mapping, as [`Language`] does), so `Billing` and `billing` are
    /// one skill and an agent with `Billing` meets an interaction that requires `billing`.
    /// [`as_str`](Self::as_str) and `Display` give the stored, lowercase text: keeping the
    /// text as typed as well would cost every comparison or a second copy.
    ///
    /// ```
    /// use email_routing::Skill;
    /// assert_eq!(Skill::new("Billing").unwrap(), Skill::new("billing").unwrap());
    /// assert_eq!(Skill::new(" VIP ").unwrap().as_str(), "vip");
    /// ```
    Skill, "skill", "billing", str::to_lowercase
);
id_type!(
    /// A language an interaction may require and an agent may speak, such as `en` or `pt-BR`:
    /// a BCP 47 language tag (RFC 5646), or on an interaction a language range.
    ///
    /// Stored lowercase so `pt-BR` and `pt-br` are one language (BCP 47 tags are
    /// case-insensitive). An interaction's language is matched against the agent's languages
    /// by RFC 4647 basic filtering (section 3.3.1, see [`matches`](Self::matches)): an agent
    /// who speaks `en-US` meets an interaction that requires `en`; one who speaks `en` does not
    /// meet `en-US`. The range `*` on an interaction is met by an agent with any language. On
    /// an agent `*` is not a wildcard: it is matched as the text `*`, so it meets only an
    /// interaction that requires `*`.
    ///
    /// Only the id rules are checked, not BCP 47's tag syntax: `English` or `en_US` is
    /// accepted and matched as written (RFC 4647 filtering splits on `-` only), so a host
    /// should give the tags its agents' profiles use, such as `en-US`.
    Language, "language", "pt-BR", str::to_lowercase
);

/// An agent, by the host's own identifier (for example its user id), so that an interaction
/// can name the agents it prefers (see `acd::Requirements::with_preferred_agents`). Compared
/// exactly after trimming.
///
/// ```
/// use email_routing::AgentId;
/// assert_eq!(AgentId::new(" agent-7 ").unwrap().as_str(), "agent-7");
/// assert_ne!(AgentId::new("Agent-7").unwrap(), AgentId::new("agent-7").unwrap());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct AgentId(Box<str>);

impl AgentId {
    /// Validates and creates an `AgentId`.
    ///
    /// The input is trimmed; it must then be 1 to [`MAX_ID_CHARS`] characters with no
    /// control, line-separator or bidi characters.
    ///
    /// # Errors
    /// `id.empty`, `id.too_long` (with the length and the limit) or `id.invalid_character`
    /// (naming the character).
    pub fn new(input: &str) -> Result<Self, IdError> {
        validate_id("agent id", input, str::to_owned).map(|s| Self(s.into_boxed_str()))
    }

    /// The validated text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::macros::text_value_conversions!(AgentId, IdError);

impl Borrow<str> for Language {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Language {
    /// Whether this language, as a language range, matches the language tag `tag` under
    /// RFC 4647 basic filtering (section 3.3.1): the range `*` matches every tag; otherwise
    /// the range must equal the tag or be a prefix of it that ends where a subtag ends
    /// (`en` matches `en` and `en-us`, not `eng` and not `e`). Both are lowercase, so the
    /// comparison ignores case.
    ///
    /// ```
    /// use email_routing::Language;
    /// let l = |s| Language::new(s).unwrap();
    /// assert!(l("en").matches(&l("en-US")));
    /// assert!(l("en-us").matches(&l("EN-us")));
    /// assert!(!l("en-US").matches(&l("en")));
    /// assert!(!l("en").matches(&l("eng")));
    /// assert!(l("*").matches(&l("fr")));
    /// assert!(!l("fr").matches(&l("*")));
    /// ```
    #[must_use]
    pub fn matches(&self, tag: &Language) -> bool {
        tag.ranges_matching().any(|range| range == self.as_str())
    }

    /// Every language range that matches this tag under basic filtering: `*`, then each
    /// prefix that ends where a subtag ends, then the tag itself (`en-us`: `*`, `en`,
    /// `en-us`). The one statement of the rule: [`matches`](Self::matches) and the ACD
    /// queue's bitsets both read it.
    pub(crate) fn ranges_matching(&self) -> impl Iterator<Item = &str> {
        let tag = self.as_str();
        let prefixes = tag.match_indices('-').map(move |(at, _)| &tag[..at]);
        std::iter::once("*").chain(prefixes).chain(std::iter::once(tag))
    }
}

/// An interaction's routing priority: one point is worth one minute of waiting.
///
/// Whole numbers in [`Priority::MIN`]`..=`[`Priority::MAX`]; the default is 0.
///
/// ```
/// use email_routing::Priority;
/// let p = Priority::new(20).unwrap();
/// assert_eq!(p.get(), 20);
/// assert!(Priority::new(25_000_001).is_err());
/// assert_eq!(Priority::default().get(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "i64", into = "i64"))]
pub struct Priority(i32);

impl Priority {
    /// The lowest priority.
    pub const MIN: i32 = -25_000_000;
    /// The highest priority.
    pub const MAX: i32 = 25_000_000;

    /// Checks the range and creates a priority.
    ///
    /// # Errors
    /// `priority.out_of_range` outside [`MIN`](Self::MIN)`..=`[`MAX`](Self::MAX), with the value.
    pub fn new(value: i64) -> Result<Self, IdError> {
        if (i64::from(Self::MIN)..=i64::from(Self::MAX)).contains(&value) {
            // In range, so it fits in i32.
            Ok(Self(value as i32))
        } else {
            Err(IdError::PriorityOutOfRange { value, min: Self::MIN, max: Self::MAX })
        }
    }

    /// The priority as a number.
    #[must_use]
    pub fn get(self) -> i32 {
        self.0
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<i64> for Priority {
    type Error = IdError;
    fn try_from(value: i64) -> Result<Self, IdError> {
        let priority = Self::new(value);
        #[cfg(feature = "serde")]
        if let Err(error) = &priority {
            crate::refusal::note(error);
        }
        priority
    }
}

impl From<Priority> for i64 {
    fn from(p: Priority) -> i64 {
        i64::from(p.0)
    }
}

impl FromStr for Priority {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let trimmed = s.trim();
        match trimmed.parse::<i64>() {
            Ok(v) => Self::new(v),
            Err(_) if trimmed.is_empty() => Err(IdError::Empty { kind: "priority" }),
            Err(_) => Err(IdError::InvalidCharacter {
                kind: "priority",
                value: trimmed.to_owned(),
                character: trimmed
                    .chars()
                    .find(|c| !c.is_ascii_digit() && *c != '-' && *c != '+')
                    .map(describe_char)
                    .unwrap_or_else(|| "a number too large".to_owned()),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_filtering_at_each_boundary() {
        let l = |s| Language::new(s).unwrap();
        // A range matches itself and longer tags at a subtag boundary, whatever the case.
        assert!(l("en").matches(&l("en")));
        assert!(l("en").matches(&l("en-US")));
        assert!(l("EN").matches(&l("en-Latn-US")));
        assert!(l("en-latn").matches(&l("en-Latn-US")));
        // Never a shorter tag, a prefix inside a subtag, or a different subtag.
        assert!(!l("en-us").matches(&l("en")));
        assert!(!l("en").matches(&l("eng")));
        assert!(!l("en-u").matches(&l("en-us")));
        assert!(!l("en-gb").matches(&l("en-us")));
        // `*` as a range matches any tag; `*` as a tag is just text.
        assert!(l("*").matches(&l("x-klingon")));
        assert!(l("*").matches(&l("*")));
        assert!(!l("en").matches(&l("*")));
        let tag = l("zh-Hant-TW");
        let ranges: Vec<&str> = tag.ranges_matching().collect();
        assert_eq!(ranges, ["*", "zh", "zh-hant", "zh-hant-tw"]);
    }

    #[test]
    fn priority_bounds() {
        assert!(Priority::new(25_000_000).is_ok());
        assert!(Priority::new(-25_000_000).is_ok());
        assert_eq!(Priority::new(25_000_001).unwrap_err().code(), "priority.out_of_range");
        assert!(Priority::new(-25_000_001).is_err());
        assert!(Priority::new(i64::MAX).is_err());
        assert_eq!("  -7 ".parse::<Priority>().unwrap().get(), -7);
        assert!("7x".parse::<Priority>().is_err());
        assert!("99999999999999999999".parse::<Priority>().is_err());
    }

    #[test]
    fn id_rules() {
        assert_eq!(QueueId::new(" q1 ").unwrap().as_str(), "q1");
        assert_eq!(QueueId::new("   ").unwrap_err().code(), "id.empty");
        assert!(QueueId::new(&"a".repeat(MAX_ID_CHARS)).is_ok());
        assert_eq!(QueueId::new(&"a".repeat(MAX_ID_CHARS + 1)).unwrap_err().code(), "id.too_long");
        assert_eq!(Skill::new("bill\ning").unwrap_err().code(), "id.invalid_character");
        assert!(Skill::new("bill\u{202E}ing").is_err());
        assert_eq!(Language::new("pt-BR").unwrap(), Language::new("PT-br").unwrap());
        // Skills fold case like languages (Unicode default lowercase).
        assert_eq!(Skill::new("Billing").unwrap(), Skill::new("billing").unwrap());
        assert_eq!(Skill::new("ÜBER").unwrap().as_str(), "über");
        assert_eq!(AgentId::new("  ").unwrap_err().code(), "id.empty");
        // Lowercasing can lengthen text (İ becomes i + combining dot): the limit applies to
        // the stored form, so every stored language parses again.
        let long = "İ".repeat(100);
        assert_eq!(Language::new(&long).unwrap_err().code(), "id.too_long");
        let fits = "İ".repeat(MAX_ID_CHARS / 2);
        let stored = Language::new(&fits).unwrap();
        assert_eq!(Language::new(stored.as_str()).unwrap(), stored);
    }
}
