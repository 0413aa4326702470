//! Loading JSON files (feature `json`): a value, or a [`ConfigFileError`] that says what was
//! refused, by which rule, and where.
//!
//! A load reads the text once through serde_json, wrapped in `serde_path_to_error` (which
//! tracks the path of the value being read), with the refusal slot of `crate::refusal` open:
//! a rule's refusal keeps its code that way, and serde's own refusals (syntax, an unknown or
//! missing field, a wrong type) get one of the `config_file.*` codes. A rule's refusal may be
//! about a field or item below the value that was being read (the org's rules run once the
//! whole file is read); it is then found in the text by a second, read-only pass that walks
//! the path and takes the position of the value there.

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::refusal::{MISSING_FIELD, Noted, Recording, Step, UNKNOWN_FIELD, write_path};

/// The JSON text is not well-formed (or ends early, or goes on after the value).
const SYNTAX: &str = "config_file.syntax";
/// A field is given twice in one object.
const DUPLICATE_FIELD: &str = "config_file.duplicate_field";
/// A value has the wrong JSON type (a number where text belongs).
const INVALID_TYPE: &str = "config_file.invalid_type";
/// A value names a kind the format does not have (`"type": "queues"`).
const UNKNOWN_VARIANT: &str = "config_file.unknown_variant";
/// A value of the right type is out of its range (a negative count).
const INVALID_VALUE: &str = "config_file.invalid_value";

/// Why a file could not be loaded: the code of the rule that refused it, where, and what to
/// change.
///
/// - [`code`](Self::code): the same stable code the constructors give for the same rule
///   (`route.too_many_auto_bcc`, `org.too_many_domains`, `address.at_sign_missing`, …), or, for what
///   does not fit the file format at all, one of `config_file.syntax`,
///   `config_file.unknown_field`, `config_file.missing_field`, `config_file.duplicate_field`,
///   `config_file.invalid_type`, `config_file.unknown_variant` or
///   `config_file.invalid_value`.
/// - [`path`](Self::path): the offending item, as `routes[3].auto_bcc` (empty for the whole
///   file; for a syntax error, the value being read when it broke).
/// - [`line`](Self::line) and [`column`](Self::column): from 1, the column counted in
///   characters. For a rule's refusal, where the offending value starts; otherwise where the
///   JSON reader stopped (just after an unknown field's name, at the end of a value of the
///   wrong type, at the character that broke the syntax). 0 when not known.
/// - [`message`](Self::message): what is wrong and what to write instead, in the terms of
///   the file (its fields), never of the Rust calls that apply the same rules.
///
/// `Display` writes `path: message (line L, column C)`. When a rule refused the value,
/// [`source`](std::error::Error::source) is that rule's error ([`ConfigError`],
/// [`DnsSetupError`](crate::dns::DnsSetupError), [`AddressError`](crate::AddressError), …)
/// with the offending value and the limit in force.
///
/// ```
/// use email_routing::config::OrgEmailConfig;
/// use email_routing::DomainName;
///
/// let root: DomainName = "mail.example.net".parse()?;
/// let text = r#"{
///   "domains": [{"name": "acme.mail.example.net", "kind": "hosted_subdomain"}],
///   "routes": [
///     {"address": "help@acme.mail.example.net", "display_name": "Help",
///      "routing": {"type": "outbound_only"}, "autobcc": ["archive@example.com"]}
///   ]
/// }"#;
/// let err = OrgEmailConfig::from_json(text, &root).unwrap_err();
/// assert_eq!(err.code(), "config_file.unknown_field");
/// assert_eq!(err.path(), "routes[0].autobcc");
/// assert_eq!((err.line(), err.column()), (5, 52));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`ConfigError`]: crate::config::ConfigError
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
#[error("{}", Shown(self))]
pub struct ConfigFileError {
    code: &'static str,
    path: String,
    line: usize,
    column: usize,
    message: String,
    #[source]
    rule: Option<RuleError>,
}

/// The rule's error, shared so that [`ConfigFileError`] stays `Clone`. It dereferences to the
/// error and is no error itself, so `source()` gives the rule's error, which a host can
/// downcast (an `Arc` would be the source, and hide the type).
#[derive(Debug, Clone)]
struct RuleError(Arc<dyn std::error::Error + Send + Sync>);

impl std::ops::Deref for RuleError {
    type Target = dyn std::error::Error + Send + Sync;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl ConfigFileError {
    /// The stable code of the rule that refused the file (see the type's documentation).
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The path of the offending item, such as `routes[3].auto_bcc`; empty for the whole
    /// file.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The line of the offending item, from 1 (0 when not known).
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The column of the offending item, from 1, in characters (0 when not known).
    #[must_use]
    pub fn column(&self) -> usize {
        self.column
    }

    /// What is wrong and what to write instead, without the path and position.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// `ConfigFileError`'s `Display`.
struct Shown<'a>(&'a ConfigFileError);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        if !e.path.is_empty() {
            write!(f, "{}: ", e.path)?;
        }
        f.write_str(&e.message)?;
        if e.line > 0 {
            write!(f, " (line {}, column {})", e.line, e.column)?;
        }
        Ok(())
    }
}

/// Reads `text` as one JSON value through `seed`, and nothing after it.
pub(crate) fn load_json<'de, S: DeserializeSeed<'de>>(
    text: &'de str,
    seed: S,
) -> Result<S::Value, ConfigFileError> {
    let recording = Recording::start();
    let mut track = serde_path_to_error::Track::new();
    let mut json = serde_json::Deserializer::from_str(text);
    let read = seed.deserialize(serde_path_to_error::Deserializer::new(&mut json, &mut track));
    let read = read.and_then(|value| json.end().map(|()| value));
    let noted = recording.finish();
    read.map_err(|error| refused(text, &error, &track.path(), noted))
}

/// The error for `error`, which ended the load of `text` at `path`.
fn refused(
    text: &str,
    error: &serde_json::Error,
    path: &serde_path_to_error::Path,
    noted: Option<Noted>,
) -> ConfigFileError {
    let said = said_by(error);
    let at_serde = || position_at(text, error.line(), error.column());
    let mut steps: Vec<Step> = path
        .iter()
        .map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Step::Index(*index),
            serde_path_to_error::Segment::Map { key } => Step::Field(key.clone()),
            serde_path_to_error::Segment::Enum { variant } => Step::Field(variant.clone()),
            _ => Step::field("?"),
        })
        .collect();
    let (code, message, source, (line, column)) = match noted {
        _ if error.is_syntax() || error.is_eof() || error.is_io() => {
            (SYNTAX, said, None, at_serde())
        }
        Some(Noted { said: noted_said, refusal }) if noted_said == said => {
            steps.extend(refusal.at);
            let position = locate(text, &steps).map_or_else(at_serde, |offset| {
                let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
                (
                    1 + text[..line_start].matches('\n').count(),
                    1 + text[line_start..offset].chars().count(),
                )
            });
            (refusal.code, refusal.message, refusal.source, position)
        }
        _ => (serde_code(&said), in_file_terms(&said), None, at_serde()),
    };
    let mut path = String::new();
    // Writing to a String cannot fail.
    let _ = write_path(&steps, &mut path);
    ConfigFileError { code, path, line, column, message, rule: source.map(RuleError) }
}

/// serde_json's message without the position it appends.
fn said_by(error: &serde_json::Error) -> String {
    // serde_json keeps no copy of the message alone: it is the error's `Display` without
    // " at line L column C".
    let mut shown = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    if error.line() > 0 && shown.ends_with(&suffix) {
        shown.truncate(shown.len() - suffix.len());
    }
    shown
}

/// The line and column (in characters) of serde_json's `line` and byte `column`.
fn position_at(text: &str, line: usize, column: usize) -> (usize, usize) {
    let Some(row) = line.checked_sub(1).and_then(|i| text.split('\n').nth(i)) else {
        return (line, column);
    };
    let bytes = &row.as_bytes()[..column.min(row.len())];
    // Characters begun in the first `column` bytes: every byte but UTF-8 continuations.
    (line, bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count())
}

/// The `config_file.*` code of an error serde itself gave, from its message: serde's
/// `de::Error` constructors (`unknown_field`, `missing_field`, …) write these forms.
fn serde_code(said: &str) -> &'static str {
    if said.starts_with("unknown field `") {
        UNKNOWN_FIELD
    } else if said.starts_with("missing field `") {
        MISSING_FIELD
    } else if said.starts_with("duplicate field `") {
        DUPLICATE_FIELD
    } else if said.starts_with("invalid type: ") {
        INVALID_TYPE
    } else if said.starts_with("unknown variant `") {
        UNKNOWN_VARIANT
    } else {
        INVALID_VALUE
    }
}

/// serde's message with the names of Rust types (`u16`, `map`, `sequence`) put in JSON's
/// terms.
fn in_file_terms(said: &str) -> String {
    const EXPECTED: [(&str, &str); 10] = [
        ("a nonzero u8", "a whole number from 1 to 255"),
        ("u8", "a whole number from 0 to 255"),
        ("u16", "a whole number from 0 to 65535"),
        ("u32", "a whole number from 0 to 4294967295"),
        ("u64", "a whole number, 0 or more"),
        ("usize", "a whole number, 0 or more"),
        ("i32", "a whole number"),
        ("i64", "a whole number"),
        ("a sequence", "a list"),
        ("a map", "an object"),
    ];
    const FOUND: [(&str, &str); 2] = [("map", "an object"), ("sequence", "a list")];
    let mut message = said.to_owned();
    if let Some((head, expected)) = said.rsplit_once(", expected ")
        && let Some(&(_, plain)) = EXPECTED.iter().find(|(rust, _)| *rust == expected)
    {
        message = format!("{head}, expected {plain}");
    }
    for (kind, plain) in FOUND {
        for lead in ["invalid type: ", "invalid value: "] {
            let rust = format!("{lead}{kind},");
            if message.starts_with(&rust) {
                message = format!("{lead}{plain},{}", &message[rust.len()..]);
            }
        }
    }
    message
}

/// The byte offset in `text` where the value at `steps` starts, if it is there.
fn locate(text: &str, steps: &[Step]) -> Option<usize> {
    let found = Cell::new(None);
    let mut json = serde_json::Deserializer::from_str(text);
    // The walk stops with an error once it has found the value; the result is in `found`.
    let _ = Locate { steps, text, found: &found }.deserialize(&mut json);
    found.get()
}

/// Walks `steps` through a JSON value and notes where the value at their end starts.
#[derive(Clone, Copy)]
struct Locate<'a> {
    steps: &'a [Step],
    text: &'a str,
    found: &'a Cell<Option<usize>>,
}

impl<'de> DeserializeSeed<'de> for Locate<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if !self.steps.is_empty() {
            return deserializer.deserialize_any(self);
        }
        // serde_json hands out the value's own text, a slice of `text`: its offset is where
        // the value starts.
        let raw = <&RawValue as de::Deserialize>::deserialize(deserializer)?;
        let offset = (raw.get().as_ptr() as usize).checked_sub(self.text.as_ptr() as usize);
        self.found.set(offset.filter(|&offset| offset <= self.text.len()));
        Err(de::Error::custom("found"))
    }
}

impl<'de> Visitor<'de> for Locate<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or a list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Step::Field(name), rest)) = self.steps.split_first() else {
            return Ok(());
        };
        while let Some(key) = map.next_key::<String>()? {
            if key == *name {
                return map.next_value_seed(Locate { steps: rest, ..self });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((&Step::Index(index), rest)) = self.steps.split_first() else {
            return Ok(());
        };
        for _ in 0..index {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Locate { steps: rest, ..self }).map(|_| ())
    }
}
