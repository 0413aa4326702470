//! Replaying a text log of queue events through an [`AcdQueue`], for example a day's traffic
//! exported from production, to see which interaction each agent would have been handed.
//!
//! One event a line; blank lines and lines starting with `#` are ignored:
//!
//! ```text
//! <ms> enqueue id=<id> priority=<int> [skills=<s1,s2,...>] [language=<lang>]
//!      [preferred=<wait ms>:<agent1,agent2,...>] [ring1=<stay ms>[:<s1,...>]] ... [ring5=...]
//! <ms> next [agent=<agent id>] [skills=<s1,...>] [languages=<l1,...>]
//! <ms> remove id=<id>
//! <ms> reprioritize id=<id> priority=<int>
//! ```
//!
//! `<ms>` is milliseconds since the Unix epoch. For every `next`, [`run`] prints `<ms> <id>`
//! for the interaction handed to that agent at that time, or `<ms> -` if none may go to it. A
//! `remove` or `reprioritize` of an id that is no longer waiting is a warning, not an error.
//!
//! Stages ([`Requirements`]): `preferred=60000:agent-7` gives the interaction a
//! preferred-agent stage of 60 s in which only `next agent=agent-7` may take it; `ring1=30000:vip`
//! ends the first bullseye ring after 30 s and removes the skill `vip`, `ring2=...` ends the
//! second, and so on (`ring<n>` needs `ring<n-1>`; a ring may remove nothing: `ring1=30000`).
//!
//! ```
//! use email_routing::acd::replay;
//! let log = "\
//! ## two mails, one needing billing
//! 1000 enqueue id=a priority=10
//! 1000 enqueue id=b priority=20 skills=billing
//! 2000 next
//! 2000 next skills=billing
//! 3000 remove id=a
//! ";
//! let (mut out, mut warnings) = (Vec::new(), Vec::new());
//! replay::run(log.as_bytes(), &mut out, &mut warnings).unwrap();
//! assert_eq!(String::from_utf8(out).unwrap(), "2000 a\n2000 b\n");
//! assert!(String::from_utf8(warnings).unwrap().contains("line 6: warning: remove id=a"));
//! ```

use std::io::{self, BufRead, Write};

use std::time::Duration;

use super::{AcdError, AcdQueue, Agent, MAX_RINGS, Requirements, StageError};
use crate::Timestamp;
use crate::{AgentId, IdError, Language, Priority, Skill};

/// One event of a replay log.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// An interaction starts waiting.
    Enqueue {
        /// Its id.
        id: String,
        /// Its priority.
        priority: Priority,
        /// What an agent needs to take it, stages included.
        requirements: Requirements,
    },
    /// An agent asks for its next interaction.
    Next {
        /// The agent's id, skills and languages.
        agent: Agent,
    },
    /// An interaction stops waiting (abandoned, transferred).
    Remove {
        /// Its id.
        id: String,
    },
    /// An interaction's priority changes.
    Reprioritize {
        /// Its id.
        id: String,
        /// The new priority.
        priority: Priority,
    },
}

/// An event and the time it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedEvent {
    /// When it happened.
    pub at: Timestamp,
    /// What happened.
    pub event: Event,
}

/// Why a line of a replay log was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The line does not start with a valid time.
    #[error(
        "time {value:?} is not milliseconds since the Unix epoch in 0..={max}: start the line with one"
    )]
    TimeInvalid {
        /// The offending text.
        value: String,
        /// The latest supported time.
        max: i64,
    },
    /// The time is not followed by an event.
    #[error("no event after the time: add enqueue, next, remove or reprioritize")]
    MissingEvent,
    /// The event name is not known.
    #[error("unknown event {word:?}: use enqueue, next, remove or reprioritize")]
    UnknownEvent {
        /// The offending word.
        word: String,
    },
    /// A field is not written `name=value`.
    #[error("{token:?} is not a name=value field: write it without spaces around '='")]
    MalformedField {
        /// The offending text.
        token: String,
    },
    /// A field that this event does not take.
    #[error("{event} does not take field {field:?}: it takes {allowed}")]
    UnknownField {
        /// The event.
        event: &'static str,
        /// The offending field name.
        field: String,
        /// The fields the event takes.
        allowed: &'static str,
    },
    /// A field given twice.
    #[error("field {field:?} is given twice: keep one")]
    DuplicateField {
        /// The repeated field name.
        field: String,
    },
    /// A field the event needs is missing.
    #[error("{event} needs field {field}=...: add it")]
    MissingField {
        /// The event.
        event: &'static str,
        /// The missing field name.
        field: &'static str,
    },
    /// A field's value is not valid.
    #[error("{field}={value:?} is not valid: {source}")]
    ValueInvalid {
        /// The field name.
        field: &'static str,
        /// The offending value.
        value: String,
        /// What is wrong with it.
        source: IdError,
    },
    /// A stage length is not written `<ms>` or `<ms>:<list>`.
    #[error(
        "{field}={value:?} does not start with a whole number of milliseconds: write \
         {field}=<ms>:<list>"
    )]
    DurationInvalid {
        /// The field name.
        field: &'static str,
        /// The offending value.
        value: String,
    },
    /// The stages were refused (for example too many preferred agents).
    #[error(transparent)]
    Stage(#[from] StageError),
    /// The queue refused the event (for example a duplicate id).
    #[error(transparent)]
    Queue(#[from] AcdError),
}

impl ReplayError {
    /// A stable, machine-readable code for this error, e.g. `replay.unknown_event`; the
    /// queue's own code (e.g. `acd.duplicate_id`, `acd.too_many_rings`) when the queue or the
    /// stages refused the event.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::TimeInvalid { .. } => "replay.time_invalid",
            Self::MissingEvent => "replay.missing_event",
            Self::UnknownEvent { .. } => "replay.unknown_event",
            Self::MalformedField { .. } => "replay.malformed_field",
            Self::UnknownField { .. } => "replay.unknown_field",
            Self::DuplicateField { .. } => "replay.duplicate_field",
            Self::MissingField { .. } => "replay.missing_field",
            Self::ValueInvalid { .. } => "replay.value_invalid",
            Self::DurationInvalid { .. } => "replay.duration_invalid",
            Self::Stage(e) => e.code(),
            Self::Queue(e) => e.code(),
        }
    }
}

/// The `name=value` fields of one line, each taken at most once.
struct Fields<'a> {
    event: &'static str,
    allowed: &'static str,
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> Fields<'a> {
    fn parse(
        event: &'static str,
        allowed: &'static str,
        tokens: impl Iterator<Item = &'a str>,
    ) -> Result<Self, ReplayError> {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for token in tokens {
            let Some((name, value)) = token.split_once('=') else {
                return Err(ReplayError::MalformedField { token: token.to_owned() });
            };
            if !allowed.split(", ").any(|a| a == name) {
                return Err(ReplayError::UnknownField { event, field: name.to_owned(), allowed });
            }
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(ReplayError::DuplicateField { field: name.to_owned() });
            }
            pairs.push((name, value));
        }
        Ok(Self { event, allowed, pairs })
    }

    fn optional(&self, field: &'static str) -> Option<&'a str> {
        debug_assert!(self.allowed.split(", ").any(|a| a == field));
        self.pairs.iter().find(|(n, _)| *n == field).map(|(_, v)| *v)
    }

    fn required(&self, field: &'static str) -> Result<&'a str, ReplayError> {
        self.optional(field).ok_or(ReplayError::MissingField { event: self.event, field })
    }

    fn id(&self) -> Result<String, ReplayError> {
        let id = self.required("id")?;
        if id.is_empty() {
            return Err(value_invalid("id", id, IdError::Empty { kind: "interaction id" }));
        }
        Ok(id.to_owned())
    }

    fn priority(&self) -> Result<Priority, ReplayError> {
        let value = self.required("priority")?;
        value.parse().map_err(|e| value_invalid("priority", value, e))
    }

    fn list<T>(
        &self,
        field: &'static str,
        parse: impl Fn(&str) -> Result<T, IdError>,
    ) -> Result<Vec<T>, ReplayError> {
        let Some(value) = self.optional(field) else { return Ok(Vec::new()) };
        parse_list(field, value, parse)
    }

    /// A stage field `<ms>` or `<ms>:<list>`: the length and the list.
    fn stage<T>(
        &self,
        field: &'static str,
        parse: impl Fn(&str) -> Result<T, IdError>,
    ) -> Result<Option<(Duration, Vec<T>)>, ReplayError> {
        let Some(value) = self.optional(field) else { return Ok(None) };
        let (millis, list) = match value.split_once(':') {
            Some((millis, list)) => (millis, Some(list)),
            None => (value, None),
        };
        let millis = millis
            .parse::<u64>()
            .map_err(|_| ReplayError::DurationInvalid { field, value: value.to_owned() })?;
        let list = match list {
            Some(list) => parse_list(field, list, parse)?,
            None => Vec::new(),
        };
        Ok(Some((Duration::from_millis(millis), list)))
    }
}

fn parse_list<T>(
    field: &'static str,
    value: &str,
    parse: impl Fn(&str) -> Result<T, IdError>,
) -> Result<Vec<T>, ReplayError> {
    value.split(',').map(|item| parse(item).map_err(|e| value_invalid(field, value, e))).collect()
}

/// The ring fields of `enqueue`, in order.
const RING_FIELDS: [&str; MAX_RINGS - 1] = ["ring1", "ring2", "ring3", "ring4", "ring5"];

fn value_invalid(field: &'static str, value: &str, source: IdError) -> ReplayError {
    ReplayError::ValueInvalid { field, value: value.to_owned(), source }
}

/// Parses one line of a replay log: `Ok(None)` for a blank line or a `#` comment.
///
/// # Errors
/// A [`ReplayError`] saying what is wrong with the line: `replay.time_invalid` (the leading
/// milliseconds), `replay.missing_event`, `replay.unknown_event`, `replay.malformed_field`
/// (not `name=value`), `replay.unknown_field`, `replay.duplicate_field`,
/// `replay.missing_field`, `replay.value_invalid` (a value an id, priority, skill, language or
/// agent refuses) or `replay.duration_invalid` (a stage length).
///
/// ```
/// use email_routing::acd::replay::{parse_line, Event};
/// let parsed = parse_line("1000 remove id=a").unwrap().unwrap();
/// assert_eq!(parsed.at.unix_millis(), 1000);
/// assert_eq!(parsed.event, Event::Remove { id: "a".into() });
/// assert_eq!(parse_line("  # note").unwrap(), None);
/// assert_eq!(parse_line("1000 dequeue").unwrap_err().code(), "replay.unknown_event");
/// ```
pub fn parse_line(line: &str) -> Result<Option<TimedEvent>, ReplayError> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let mut tokens = line.split_whitespace();
    let time = tokens.next().unwrap_or_default();
    let at =
        time.parse::<i64>().ok().and_then(|ms| Timestamp::from_unix_millis(ms).ok()).ok_or_else(
            || ReplayError::TimeInvalid { value: time.to_owned(), max: Timestamp::MAX_MILLIS },
        )?;
    let event = match tokens.next() {
        None => return Err(ReplayError::MissingEvent),
        Some("enqueue") => {
            let fields = Fields::parse(
                "enqueue",
                "id, priority, skills, language, preferred, ring1, ring2, ring3, ring4, ring5",
                tokens,
            )?;
            let skills = fields.list("skills", Skill::new)?;
            let language = match fields.optional("language") {
                None => None,
                Some(value) => {
                    Some(Language::new(value).map_err(|e| value_invalid("language", value, e))?)
                }
            };
            let (id, priority) = (fields.id()?, fields.priority()?);
            let mut requirements = Requirements::new(skills, language);
            if let Some((wait, agents)) = fields.stage("preferred", AgentId::new)? {
                requirements = requirements.with_preferred_agents(agents, wait)?;
            }
            for (n, field) in RING_FIELDS.into_iter().enumerate() {
                let Some((stay, removed)) = fields.stage(field, Skill::new)? else { continue };
                if n > 0 && fields.optional(RING_FIELDS[n - 1]).is_none() {
                    return Err(ReplayError::MissingField {
                        event: "enqueue",
                        field: RING_FIELDS[n - 1],
                    });
                }
                requirements = requirements.with_ring(stay, removed)?;
            }
            Event::Enqueue { id, priority, requirements }
        }
        Some("next") => {
            let fields = Fields::parse("next", "agent, skills, languages", tokens)?;
            let agent = Agent::new(
                fields.list("skills", Skill::new)?,
                fields.list("languages", Language::new)?,
            );
            let agent = match fields.optional("agent") {
                None => agent,
                Some(value) => agent
                    .with_id(AgentId::new(value).map_err(|e| value_invalid("agent", value, e))?),
            };
            Event::Next { agent }
        }
        Some("remove") => {
            let fields = Fields::parse("remove", "id", tokens)?;
            Event::Remove { id: fields.id()? }
        }
        Some("reprioritize") => {
            let fields = Fields::parse("reprioritize", "id, priority", tokens)?;
            Event::Reprioritize { id: fields.id()?, priority: fields.priority()? }
        }
        Some(word) => return Err(ReplayError::UnknownEvent { word: word.to_owned() }),
    };
    Ok(Some(TimedEvent { at, event }))
}

/// What applying one event did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The interaction now waits.
    Enqueued,
    /// `next`: the interaction handed to the agent, or `None` if none may go to it.
    Handed(Option<String>),
    /// The interaction was removed, or its priority changed.
    Applied,
    /// `remove` or `reprioritize` of an id that is not waiting; nothing changed.
    NotWaiting,
}

/// A queue being replayed.
#[derive(Debug, Default)]
pub struct Replay {
    queue: AcdQueue<String>,
}

impl Replay {
    /// A replay starting from an empty queue.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A replay starting from `queue` (for example a restored snapshot).
    #[must_use]
    pub fn from_queue(queue: AcdQueue<String>) -> Self {
        Self { queue }
    }

    /// The queue as the events so far left it.
    #[must_use]
    pub fn queue(&self) -> &AcdQueue<String> {
        &self.queue
    }

    /// Applies one event.
    ///
    /// # Errors
    /// Only `enqueue` can fail, with [`AcdQueue::enqueue`]'s errors (`acd.duplicate_id`,
    /// `acd.too_many_skills`, `acd.too_many_languages`, `acd.full`); the queue is then
    /// unchanged.
    pub fn apply(&mut self, event: TimedEvent) -> Result<Outcome, AcdError> {
        Ok(match event.event {
            Event::Enqueue { id, priority, requirements } => {
                self.queue.enqueue(id, priority, &requirements, event.at)?;
                Outcome::Enqueued
            }
            Event::Next { agent } => {
                Outcome::Handed(self.queue.next_for(&agent, event.at).map(|taken| taken.into_id()))
            }
            Event::Remove { id } => match self.queue.remove(id.as_str()) {
                Some(_) => Outcome::Applied,
                None => Outcome::NotWaiting,
            },
            Event::Reprioritize { id, priority } => {
                match self.queue.reprioritize(id.as_str(), priority) {
                    Some(_) => Outcome::Applied,
                    None => Outcome::NotWaiting,
                }
            }
        })
    }
}

/// Why [`run`] stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// A line was refused; nothing after it was applied.
    #[error("line {line}: {error}")]
    Line {
        /// The line number, from 1.
        line: usize,
        /// What is wrong with it.
        error: ReplayError,
    },
    /// Reading the log or writing the results failed.
    #[error("replay i/o failed: {0}")]
    Io(#[from] io::Error),
}

impl RunError {
    /// A stable, machine-readable code: the refused line's own code, or `replay.io`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Line { error, .. } => error.code(),
            Self::Io(_) => "replay.io",
        }
    }
}

/// Replays the log read from `input`: one `<ms> <id>` or `<ms> -` line to `output` per
/// `next`, one line to `warnings` per `remove` or `reprioritize` of an id not waiting.
/// Stops at the first refused line.
///
/// # Errors
/// [`RunError::Line`] with the 1-based line number and the line's own code (a `replay.*` code
/// from [`parse_line`], or an `acd.*` code from [`Replay::apply`]); `replay.io` when reading
/// `input` or writing `output` or `warnings` fails.
pub fn run(
    input: impl BufRead,
    mut output: impl Write,
    mut warnings: impl Write,
) -> Result<Replay, RunError> {
    let mut replay = Replay::new();
    for (number, line) in (1..).zip(input.lines()) {
        let line = line?;
        let fail = |error| RunError::Line { line: number, error };
        let Some(event) = parse_line(&line).map_err(fail)? else { continue };
        let at = event.at.unix_millis();
        let described = match &event.event {
            Event::Remove { id } => format!("remove id={id}"),
            Event::Reprioritize { id, .. } => format!("reprioritize id={id}"),
            _ => String::new(),
        };
        match replay.apply(event).map_err(|e| fail(e.into()))? {
            Outcome::Handed(Some(id)) => writeln!(output, "{at} {id}")?,
            Outcome::Handed(None) => writeln!(output, "{at} -")?,
            Outcome::NotWaiting => writeln!(
                warnings,
                "line {number}: warning: {described}: not waiting (already taken or removed); ignored"
            )?,
            _ => {}
        }
    }
    output.flush()?;
    Ok(replay)
}
