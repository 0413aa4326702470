//! Small validated values used by routes and the ACD queue: [`Priority`], [`QueueId`],
//! [`FlowId`], [`Skill`] and [`Language`].
//!
//! Each is checked once when it is made; afterwards it can be passed around without re-checking.

use std::fmt;
use std::str::FromStr;

use crate::text::{describe_char, is_unsafe_in_text};

/// Why an identifier ([`QueueId`], [`FlowId`], [`Skill`], [`Language`]) or a [`Priority`] was
/// refused.
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
    /// The host's identifier of an agent: who may take a preferred-agent interaction, and who
    /// last handled a conversation.
    AgentId, "agent id", "agent-42", str::to_owned
);
id_type!(
    /// The host's identifier of a conversation (the crate draws no randomness, so the host
    /// gives each new conversation its id).
    ConversationId, "conversation id", "conv-2026-0001", str::to_owned
);
id_type!(
    /// An ACD skill an interaction may require and an agent may have. Compared exactly
    /// (case-sensitive) after trimming.
    Skill, "skill", "billing", str::to_owned
);
id_type!(
    /// A language an interaction may require and an agent may speak, such as `en` or `pt-BR`.
    /// Stored lowercase so `pt-BR` and `pt-br` are one language (BCP 47 tags are
    /// case-insensitive).
    Language, "language", "pt-BR", str::to_lowercase
);

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
    pub fn new(value: i64) -> Result<Self, IdError> {
        if (i64::from(Self::MIN)..=i64::from(Self::MAX)).contains(&value) {
            // In range, so it fits in i32.
            Ok(Self(value as i32))
        } else {
            Err(IdError::PriorityOutOfRange { value, min: Self::MIN, max: Self::MAX })
        }
    }

    /// The priority as a number.
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
        assert_ne!(Skill::new("Billing").unwrap(), Skill::new("billing").unwrap());
        // Lowercasing can lengthen text (İ becomes i + combining dot): the limit applies to
        // the stored form, so every stored language parses again.
        let long = "İ".repeat(100);
        assert_eq!(Language::new(&long).unwrap_err().code(), "id.too_long");
        let fits = "İ".repeat(MAX_ID_CHARS / 2);
        let stored = Language::new(&fits).unwrap();
        assert_eq!(Language::new(stored.as_str()).unwrap(), stored);
    }
}
