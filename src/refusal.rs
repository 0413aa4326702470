//! A rule's refusal of a value read through serde, and how its code reaches the loaders.
//!
//! serde's `de::Error::custom` takes only `Display`: a `ConfigError` or `DomainNameError`
//! turned into a `serde_json::Error` keeps its message and loses its `code()`. The loaders
//! (`OrgEmailConfig::from_json` and its kin, feature `json`) need the code, and the path of
//! the item, so every place where the crate refuses a value during deserialization also
//! *notes* the refusal in a thread-local slot that a load opens before it starts and reads
//! after it ends:
//!
//! - The slot exists only while a load runs on this thread ([`Recording`]). Outside one,
//!   noting does nothing, so `serde_json::from_str`, other formats and every constructor pay
//!   nothing and see nothing.
//! - Deserialization runs on the calling thread and stops at the first error, so the last
//!   refusal noted is the one that stopped the load. The loader still takes it only when
//!   serde's error says exactly what the refusal told serde (the same text): a refusal some
//!   deserializer caught and recovered from can never lend its code to a later error.
//! - The slot is restored when a recording ends, on a panic too, so loads may nest.
//!
//! Nothing here is public: codes come out only through `ConfigFileError::code()`.

use std::fmt;
use std::sync::Arc;

/// The code of a field an object of its kind does not have.
pub(crate) const UNKNOWN_FIELD: &str = "config_file.unknown_field";
/// The code of a field an object of its kind needs and lacks.
pub(crate) const MISSING_FIELD: &str = "config_file.missing_field";

/// An error a rule gives: its stable code, and how to say it to someone editing a file.
pub(crate) trait Rule: std::error::Error + Send + Sync + 'static {
    /// The error's stable code (the type's own `code()`).
    fn rule_code(&self) -> &'static str;

    /// The message for someone editing a file, where the error's own message speaks of calls
    /// a file never makes (`Domain::hosted`, "pass it in"). `None`: the message fits both.
    fn file_message(&self) -> Option<String> {
        None
    }
}

/// One step into a file: a field of an object, or an item of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// The value of this field.
    Field(String),
    /// The item at this index (from 0).
    Index(usize),
}

impl Step {
    /// The field `name`.
    pub(crate) fn field(name: &str) -> Self {
        Self::Field(name.to_owned())
    }
}

/// Writes `steps` as a path: `routes[3].auto_bcc`; a field that is not a plain name is
/// quoted: `routes[0]["a b"]`.
pub(crate) fn write_path(steps: &[Step], out: &mut impl fmt::Write) -> fmt::Result {
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Index(index) => write!(out, "[{index}]")?,
            Step::Field(name)
                if !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
            {
                if i > 0 {
                    out.write_char('.')?;
                }
                out.write_str(name)?;
            }
            Step::Field(name) => write!(out, "[{name:?}]")?,
        }
    }
    Ok(())
}

/// A value read through serde that a rule refused: what serde is told (`Display`: the path
/// from the value being read, then the error's own message, which may speak to a caller of
/// the API), and what a loader reports (the message in the terms of the file).
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "json"), allow(dead_code))]
pub(crate) struct Refusal {
    pub(crate) code: &'static str,
    /// The error's own message.
    said: String,
    /// In the terms of the file.
    pub(crate) message: String,
    /// Where, from the value being read when the refusal was made.
    pub(crate) at: Vec<Step>,
    /// The rule's own error, if a rule gave one.
    pub(crate) source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl Refusal {
    /// `error`, found at `at` inside the value being read; noted for a running load.
    pub(crate) fn new<E: Rule>(error: E, at: impl IntoIterator<Item = Step>) -> Self {
        let said = error.to_string();
        let refusal = Self {
            code: error.rule_code(),
            message: error.file_message().unwrap_or_else(|| said.clone()),
            said,
            at: at.into_iter().collect(),
            source: Some(Arc::new(error)),
        };
        refusal.note();
        refusal
    }

    /// A refusal of the file's shape (a field the value's kind does not have, or lacks), with
    /// one of the loader's own `config_file.*` codes; noted for a running load.
    pub(crate) fn shape(
        code: &'static str,
        message: String,
        at: impl IntoIterator<Item = Step>,
    ) -> Self {
        let refusal = Self {
            code,
            said: message.clone(),
            message,
            at: at.into_iter().collect(),
            source: None,
        };
        refusal.note();
        refusal
    }

    fn note(&self) {
        #[cfg(feature = "json")]
        if recording() {
            record(self.to_string(), self.clone());
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.at.is_empty() {
            write_path(&self.at, f)?;
            f.write_str(": ")?;
        }
        f.write_str(&self.said)
    }
}

/// Notes `error`, which a public conversion (`TryFrom<String>`, `TryFrom<i64>`) returns as it
/// is and serde turns into its message, for a running load.
pub(crate) fn note<E: Rule + Clone>(error: &E) {
    #[cfg(feature = "json")]
    if recording() {
        let said = error.to_string();
        let refusal = Refusal {
            code: error.rule_code(),
            message: error.file_message().unwrap_or_else(|| said.clone()),
            said: said.clone(),
            at: Vec::new(),
            source: Some(Arc::new(error.clone())),
        };
        record(said, refusal);
    }
    #[cfg(not(feature = "json"))]
    let _ = error;
}

#[cfg(feature = "json")]
pub(crate) use recording::{Noted, Recording};
#[cfg(feature = "json")]
use recording::{record, recording};

#[cfg(feature = "json")]
mod recording {
    use std::cell::RefCell;

    use super::Refusal;

    /// The last refusal of a running load, and what it told serde.
    pub(crate) struct Noted {
        /// The text serde was given, to compare with the error that ended the load.
        pub(crate) said: String,
        pub(crate) refusal: Refusal,
    }

    thread_local! {
        /// `None`: no load is running on this thread. `Some(None)`: one is, nothing refused.
        static SLOT: RefCell<Option<Option<Noted>>> = const { RefCell::new(None) };
    }

    /// Whether a load is running on this thread.
    pub(super) fn recording() -> bool {
        SLOT.try_with(|slot| slot.try_borrow().is_ok_and(|s| s.is_some())).unwrap_or(false)
    }

    /// Keeps `refusal` as the running load's last.
    pub(super) fn record(said: String, refusal: Refusal) {
        let _ = SLOT.try_with(|slot| {
            if let Ok(mut slot) = slot.try_borrow_mut()
                && let Some(last) = slot.as_mut()
            {
                *last = Some(Noted { said, refusal });
            }
        });
    }

    /// A load's window on the slot: opened by [`Recording::start`], closed (and the slot as
    /// it was before restored) when dropped.
    pub(crate) struct Recording {
        outer: Option<Option<Noted>>,
    }

    impl Recording {
        /// Opens the slot for a load on this thread.
        pub(crate) fn start() -> Self {
            let outer = SLOT.try_with(|slot| slot.replace(Some(None))).ok().flatten();
            Self { outer }
        }

        /// The last refusal noted since [`Recording::start`].
        pub(crate) fn finish(self) -> Option<Noted> {
            SLOT.try_with(|slot| slot.borrow_mut().as_mut().and_then(Option::take)).ok().flatten()
        }
    }

    impl Drop for Recording {
        fn drop(&mut self) {
            let outer = self.outer.take();
            let _ = SLOT.try_with(|slot| slot.replace(outer));
        }
    }
}

/// Implements [`Rule`] for error types whose message fits a file as it is.
macro_rules! rule_with_code {
    ($($ty:ty),+ $(,)?) => {$(
        impl $crate::refusal::Rule for $ty {
            fn rule_code(&self) -> &'static str {
                self.code()
            }
        }
    )+};
}

rule_with_code!(
    crate::DomainNameError,
    crate::AddressError,
    crate::DisplayNameError,
    crate::IdError,
    crate::TimestampError,
    crate::MessageIdError,
);

// Each module names its own error types (after this one in the flow, so not here).
pub(crate) use rule_with_code;
