//! What an interaction requires ([`Requirements`], with its [`Stage`]s) and what an agent
//! offers ([`Agent`]), and the interning that turns skills and languages into bit positions so
//! that matching is a bitset subset test rather than string comparisons.
//!
//! The matching rules live here and in [`Language::matches`]: skills compare
//! case-insensitively (a [`Skill`] is stored lowercase); an interaction's language is a
//! language range matched against the agent's languages by RFC 4647 basic filtering.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;

use crate::Timestamp;
use crate::{AgentId, Language, Skill};

/// How many distinct skills the interactions waiting in one queue may require at the same
/// time, and likewise how many distinct languages.
///
/// A skill takes a bit position while some waiting interaction requires it and gives it back
/// when the last one leaves, so the limit is on skills in use at once, not over the queue's
/// life. Enqueuing past it is refused with `acd.too_many_skills` / `acd.too_many_languages`.
/// Agents may have any number of skills: those no waiting interaction requires are ignored.
pub const MAX_DISTINCT_SKILLS: usize = 128;

/// See [`MAX_DISTINCT_SKILLS`]; the same limit applies to languages.
pub const MAX_DISTINCT_LANGUAGES: usize = 128;

/// The most bullseye rings an interaction's requirements may have, the last one included (as
/// on the anchor platform): at most `MAX_RINGS - 1` calls to
/// [`Requirements::with_ring`].
pub const MAX_RINGS: usize = 6;

/// The most stages an interaction's requirements may have: a preferred-agent stage and
/// [`MAX_RINGS`] bullseye rings.
pub const MAX_STAGES: usize = 1 + MAX_RINGS;

/// The most agents the preferred-agent stage may name.
pub const MAX_PREFERRED_AGENTS: usize = 16;

/// The longest a stage may last before the next applies: 30 days, in milliseconds. The
/// shortest is 1 ms.
pub const MAX_STAGE_MILLIS: u32 = 30 * 24 * 60 * 60 * 1000;

/// Why [`Requirements::with_preferred_agents`] or [`Requirements::with_ring`] refused a stage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StageError {
    /// More bullseye rings than [`MAX_RINGS`].
    #[error(
        "a ring would be ring number {}; the limit is {limit}: merge rings, or remove more \
         skills at once",
        limit.saturating_add(1)
    )]
    TooManyRings {
        /// The most rings, the last one included.
        limit: usize,
    },
    /// No preferred agent, or more than [`MAX_PREFERRED_AGENTS`].
    #[error(
        "{count} preferred agents were named; name 1 to {limit}, or leave out the \
         preferred-agent stage"
    )]
    PreferredAgentCount {
        /// How many distinct agents were named.
        count: usize,
        /// The most agents a preferred-agent stage may name.
        limit: usize,
    },
    /// A stage shorter than 1 ms or longer than [`MAX_STAGE_MILLIS`].
    #[error(
        "a stage of {millis} ms is outside 1..={max} ms (whole milliseconds): choose a \
         duration in that range"
    )]
    DurationOutOfRange {
        /// The duration asked for, in whole milliseconds (rounded down).
        millis: u128,
        /// The longest stage, in milliseconds.
        max: u32,
    },
    /// A ring removes a skill that the ring before it does not require.
    #[error(
        "the ring removes skill {skill:?}, which the ring before it does not require: add \
         the skill first, or remove only required skills, each once"
    )]
    RingSkillNotRequired {
        /// The skill.
        skill: String,
    },
}

impl StageError {
    /// A stable, machine-readable code for this error, e.g. `acd.too_many_rings`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooManyRings { .. } => "acd.too_many_rings",
            Self::PreferredAgentCount { .. } => "acd.preferred_agent_count_out_of_range",
            Self::DurationOutOfRange { .. } => "acd.stage_duration_out_of_range",
            Self::RingSkillNotRequired { .. } => "acd.ring_skill_not_required",
        }
    }
}

fn stage_millis(duration: Duration) -> Result<u32, StageError> {
    let millis = duration.as_millis();
    match u32::try_from(millis) {
        Ok(ms) if (1..=MAX_STAGE_MILLIS).contains(&ms) => Ok(ms),
        _ => Err(StageError::DurationOutOfRange { millis, max: MAX_STAGE_MILLIS }),
    }
}

/// The preferred-agent stage: who may take the interaction, and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
struct Preferred {
    /// Sorted, without duplicates; 1 to [`MAX_PREFERRED_AGENTS`].
    agents: Vec<AgentId>,
    /// 1 to [`MAX_STAGE_MILLIS`].
    wait_ms: u32,
}

/// A bullseye ring that ends: how long it lasts and the skills no longer required after it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
struct Ring {
    /// 1 to [`MAX_STAGE_MILLIS`].
    stay_ms: u32,
    /// Sorted, without duplicates; each required before this ring ends.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    remove: Vec<Skill>,
}

/// What an interaction needs from the agent who takes it: every one of a set of skills and,
/// optionally, one language; and optionally **stages** that change this as it waits.
///
/// ## Matching
/// An agent meets the requirements when it has every required skill (skills compare
/// case-insensitively: [`Skill`] is stored lowercase) and, if a language is required, speaks
/// a language that the required one matches as a language range under RFC 4647 basic
/// filtering ([`Language::matches`]): `en` is met by an agent with `en-US`, `en-US` is not met
/// by an agent with `en` only, and `*` by an agent with any language.
///
/// ## Stages
/// Requirements may change while the interaction waits, in up to [`MAX_STAGES`] stages, each
/// lasting a fixed time counted from the interaction's `enqueued_at`:
/// - a **preferred-agent stage** first ([`with_preferred_agents`](Self::with_preferred_agents)):
///   for its time only the named agents ([`Agent::with_id`]) may take the interaction, whatever
///   their skills and languages (the host named them, for example the agent who last handled
///   the conversation). If none of them takes it in time, it falls back to the rings;
/// - then **bullseye rings** ([`with_ring`](Self::with_ring)): the first ring requires the
///   skills and language above; each ring lasts its time and then removes some skills, so
///   each later ring requires fewer skills and more agents qualify. The last ring lasts until
///   the interaction is taken. A ring that removes every skill leaves only the language (if
///   any): then anyone who speaks it may take the interaction. The language is never removed.
///
/// A stage that ends exactly at `now` has ended: an interaction enqueued at `t` with a
/// 60-second preferred-agent stage is in that stage at `t + 59_999` ms and in the first ring at
/// `t + 60_000` ms. Stages never change the score or the place in the routing order.
///
/// ```
/// use std::time::Duration;
/// use email_routing::{AgentId, Language, Skill};
/// use email_routing::acd::Requirements;
/// let r = Requirements::none()
///     .with_skill(Skill::new("billing").unwrap())
///     .with_skill(Skill::new("Billing").unwrap())
///     .with_language(Language::new("pt-BR").unwrap());
/// assert_eq!(r.skills().len(), 1); // a set, case-insensitive: duplicates collapse
/// assert_eq!(r.language().map(|l| l.as_str()), Some("pt-br"));
/// assert_eq!(r.stage_count(), 1);
///
/// // The last agent first for 60 s, then billing for 30 s, then anyone who speaks pt-BR.
/// let staged = r
///     .with_preferred_agents([AgentId::new("agent-7").unwrap()], Duration::from_secs(60))?
///     .with_ring(Duration::from_secs(30), [Skill::new("billing").unwrap()])?;
/// assert_eq!(staged.stage_count(), 3);
/// assert_eq!(staged.stage(2).unwrap().skills().count(), 0);
/// # Ok::<(), email_routing::acd::StageError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "StoredRequirements"))]
pub struct Requirements {
    /// Sorted, without duplicates.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    skills: Vec<Skill>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    language: Option<Language>,
    /// Boxed, as are the rings: most requirements have no stages, and every requirement
    /// class keeps a copy.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    preferred: Option<Box<Preferred>>,
    /// The rings that end, in order; at most `MAX_RINGS - 1`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "no_rings"))]
    rings: Box<[Ring]>,
}

#[cfg(feature = "serde")]
fn no_rings(rings: &[Ring]) -> bool {
    rings.is_empty()
}

/// The serialized shape of [`Requirements`], made again through the same methods on the way
/// in.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredRequirements {
    #[serde(default)]
    skills: Vec<Skill>,
    #[serde(default)]
    language: Option<Language>,
    #[serde(default)]
    preferred: Option<StoredPreferred>,
    #[serde(default)]
    rings: Vec<StoredRing>,
}

#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredPreferred {
    agents: Vec<AgentId>,
    wait_ms: u64,
}

#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredRing {
    stay_ms: u64,
    #[serde(default)]
    remove: Vec<Skill>,
}

#[cfg(feature = "serde")]
impl TryFrom<StoredRequirements> for Requirements {
    type Error = StageError;
    fn try_from(fields: StoredRequirements) -> Result<Self, StageError> {
        let mut requirements = Self::new(fields.skills, fields.language);
        if let Some(preferred) = fields.preferred {
            let wait = Duration::from_millis(preferred.wait_ms);
            requirements = requirements.with_preferred_agents(preferred.agents, wait)?;
        }
        for ring in fields.rings {
            requirements =
                requirements.with_ring(Duration::from_millis(ring.stay_ms), ring.remove)?;
        }
        Ok(requirements)
    }
}

impl Requirements {
    /// No requirement: any agent may take the interaction.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// All of `skills` and, if given, `language`.
    /// The requirements of a queue route: every skill it names and its language, no stages.
    #[must_use]
    pub fn of_route(route: &crate::config::QueueRoute) -> Self {
        Self::new(route.skills().iter().cloned(), route.language().cloned())
    }

    /// Requirements of every skill in `skills` and, if given, `language`; no stages.
    pub fn new(skills: impl IntoIterator<Item = Skill>, language: Option<Language>) -> Self {
        Self { skills: sorted_set(skills), language, preferred: None, rings: Box::default() }
    }

    /// These requirements plus `skill`, required in every ring (a ring added earlier that
    /// removed it still removes it).
    #[must_use]
    pub fn with_skill(mut self, skill: Skill) -> Self {
        if let Err(at) = self.skills.binary_search(&skill) {
            self.skills.insert(at, skill);
        }
        self
    }

    /// These requirements with `language` as the required language (a language range,
    /// matched by RFC 4647 basic filtering).
    #[must_use]
    pub fn with_language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Adds (or replaces) the preferred-agent stage: for `wait` from `enqueued_at`, only the
    /// agents with these ids may take the interaction, whatever their skills and languages;
    /// then the rings apply. Used to send a reply back to the agent who last handled the
    /// conversation.
    ///
    /// # Errors
    /// `acd.preferred_agent_count_out_of_range` unless 1 to [`MAX_PREFERRED_AGENTS`]
    /// distinct agents are named; `acd.stage_duration_out_of_range` unless `wait` is 1 ms to
    /// [`MAX_STAGE_MILLIS`] (counted in whole milliseconds).
    pub fn with_preferred_agents(
        mut self,
        agents: impl IntoIterator<Item = AgentId>,
        wait: Duration,
    ) -> Result<Self, StageError> {
        let agents = sorted_set(agents);
        if agents.is_empty() || agents.len() > MAX_PREFERRED_AGENTS {
            return Err(StageError::PreferredAgentCount {
                count: agents.len(),
                limit: MAX_PREFERRED_AGENTS,
            });
        }
        self.preferred = Some(Box::new(Preferred { agents, wait_ms: stage_millis(wait)? }));
        Ok(self)
    }

    /// Ends the last bullseye ring after `stay` and starts a new one without the skills in
    /// `remove`. The first ring requires every skill; the ring added last lasts until the
    /// interaction is taken.
    ///
    /// # Errors
    /// `acd.too_many_rings` past [`MAX_RINGS`] rings; `acd.stage_duration_out_of_range`
    /// unless `stay` is 1 ms to [`MAX_STAGE_MILLIS`]; `acd.ring_skill_not_required` for a
    /// skill that the ring being ended does not require.
    pub fn with_ring(
        mut self,
        stay: Duration,
        remove: impl IntoIterator<Item = Skill>,
    ) -> Result<Self, StageError> {
        if self.rings.len() + 1 >= MAX_RINGS {
            return Err(StageError::TooManyRings { limit: MAX_RINGS });
        }
        let stay_ms = stage_millis(stay)?;
        let remove = sorted_set(remove);
        let last = self.stage_count() - 1;
        if let Some(skill) = remove.iter().find(|s| !self.requires_in_ring(last, s)) {
            return Err(StageError::RingSkillNotRequired { skill: skill.to_string() });
        }
        let mut rings = std::mem::take(&mut self.rings).into_vec();
        rings.push(Ring { stay_ms, remove });
        self.rings = rings.into_boxed_slice();
        Ok(self)
    }

    /// The skills required in the first ring, sorted.
    #[must_use]
    pub fn skills(&self) -> &[Skill] {
        &self.skills
    }

    /// The required language, if any (the same in every ring).
    #[must_use]
    pub fn language(&self) -> Option<&Language> {
        self.language.as_ref()
    }

    /// The agents the preferred-agent stage names, sorted; empty without that stage.
    #[must_use]
    pub fn preferred_agents(&self) -> &[AgentId] {
        self.preferred.as_ref().map_or(&[], |p| &p.agents)
    }

    /// Whether the requirements change with time (a preferred-agent stage or more than one
    /// ring).
    #[inline]
    #[must_use]
    pub fn has_stages(&self) -> bool {
        self.preferred.is_some() || !self.rings.is_empty()
    }

    /// Whether nothing is required, now or later: no skill, no language, no stage.
    #[inline]
    pub(crate) fn requires_nothing(&self) -> bool {
        self.skills.is_empty() && self.language.is_none() && !self.has_stages()
    }

    /// How many stages: 1 without stages, at most [`MAX_STAGES`].
    #[must_use]
    pub fn stage_count(&self) -> usize {
        usize::from(self.preferred.is_some()) + self.rings.len() + 1
    }

    /// Stage `index` (0 is the first), or `None` past the last.
    #[must_use]
    pub fn stage(&self, index: usize) -> Option<Stage<'_>> {
        (index < self.stage_count()).then_some(Stage { requirements: self, index })
    }

    /// Every stage, first to last.
    #[must_use]
    pub fn stages(&self) -> impl ExactSizeIterator<Item = Stage<'_>> {
        (0..self.stage_count()).map(move |index| Stage { requirements: self, index })
    }

    /// The stage of an interaction enqueued at `enqueued_at`, at `now`: how many stages have
    /// ended by then (a stage that ends exactly at `now` has ended). Stage 0 before
    /// `enqueued_at`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use email_routing::{AgentId, Timestamp};
    /// use email_routing::acd::Requirements;
    /// let r = Requirements::none()
    ///     .with_preferred_agents([AgentId::new("a7").unwrap()], Duration::from_secs(60))?;
    /// let at = |ms| Timestamp::from_unix_millis(ms).unwrap();
    /// assert_eq!(r.stage_at(at(1_000), at(60_999)), 0);
    /// assert_eq!(r.stage_at(at(1_000), at(61_000)), 1);
    /// # Ok::<(), email_routing::acd::StageError>(())
    /// ```
    #[must_use]
    pub fn stage_at(&self, enqueued_at: Timestamp, now: Timestamp) -> usize {
        let waited = now.unix_millis().saturating_sub(enqueued_at.unix_millis());
        self.stage_ends().take_while(|&end| end <= waited).count()
    }

    /// When each stage but the last ends, in milliseconds after `enqueued_at`, in order.
    pub(crate) fn stage_ends(&self) -> impl Iterator<Item = i64> {
        let lengths =
            self.preferred.iter().map(|p| p.wait_ms).chain(self.rings.iter().map(|r| r.stay_ms));
        lengths.scan(0i64, |end, length| {
            *end += i64::from(length);
            Some(*end)
        })
    }

    /// The index of the first ring among the stages (1 with a preferred-agent stage).
    fn first_ring(&self) -> usize {
        usize::from(self.preferred.is_some())
    }

    /// Whether `skill` is required in stage `stage` (a ring: not the preferred-agent stage).
    fn requires_in_ring(&self, stage: usize, skill: &Skill) -> bool {
        let rings_ended = stage.saturating_sub(self.first_ring());
        self.skills.binary_search(skill).is_ok()
            && !self.rings[..rings_ended.min(self.rings.len())]
                .iter()
                .any(|ring| ring.remove.binary_search(skill).is_ok())
    }

    /// Whether `agent` meets the skills and language of the first ring (by name; the queue
    /// uses bitsets instead). Stages are not considered: see [`Stage::is_met_by`].
    ///
    /// ```
    /// use email_routing::{Language, Skill};
    /// use email_routing::acd::{Agent, Requirements};
    /// let r = Requirements::none()
    ///     .with_skill(Skill::new("billing").unwrap())
    ///     .with_language(Language::new("en").unwrap());
    /// let agent = Agent::new([Skill::new("Billing").unwrap()], [Language::new("en-GB").unwrap()]);
    /// assert!(r.is_met_by(&agent));
    /// assert!(!r.is_met_by(&Agent::unskilled()));
    /// ```
    #[must_use]
    pub fn is_met_by(&self, agent: &Agent) -> bool {
        self.skills.iter().all(|s| agent.skills.binary_search(s).is_ok())
            && self.language_is_met_by(agent)
    }

    fn language_is_met_by(&self, agent: &Agent) -> bool {
        self.language
            .as_ref()
            .is_none_or(|range| agent.languages.iter().any(|tag| range.matches(tag)))
    }
}

/// One stage of an interaction's [`Requirements`]: who may take it meanwhile, and how long it
/// lasts.
#[derive(Debug, Clone, Copy)]
pub struct Stage<'a> {
    requirements: &'a Requirements,
    index: usize,
}

impl<'a> Stage<'a> {
    /// Its index among the stages, from 0.
    #[must_use]
    pub fn index(&self) -> usize {
        self.index
    }

    /// Whether this is the preferred-agent stage.
    #[must_use]
    pub fn is_preferred(&self) -> bool {
        self.index == 0 && self.requirements.preferred.is_some()
    }

    /// The agents who alone may take the interaction in this stage; empty for a ring.
    #[must_use]
    pub fn preferred_agents(&self) -> &'a [AgentId] {
        if self.is_preferred() { self.requirements.preferred_agents() } else { &[] }
    }

    /// The skills required in this stage, sorted (none in the preferred-agent stage).
    pub fn skills(&self) -> impl Iterator<Item = &'a Skill> {
        let (requirements, index, preferred) = (self.requirements, self.index, self.is_preferred());
        requirements
            .skills
            .iter()
            .filter(move |skill| !preferred && requirements.requires_in_ring(index, skill))
    }

    /// The language required in this stage (none in the preferred-agent stage).
    #[must_use]
    pub fn language(&self) -> Option<&'a Language> {
        if self.is_preferred() { None } else { self.requirements.language() }
    }

    /// How long the stage lasts; `None` for the last stage, which lasts until the
    /// interaction is taken.
    #[must_use]
    pub fn duration(&self) -> Option<Duration> {
        let r = self.requirements;
        let ms = if self.is_preferred() {
            r.preferred.as_ref().map(|p| p.wait_ms)
        } else {
            r.rings.get(self.index - r.first_ring()).map(|ring| ring.stay_ms)
        };
        ms.map(|ms| Duration::from_millis(u64::from(ms)))
    }

    /// Whether `agent` may take the interaction in this stage: in the preferred-agent stage,
    /// when its id is named; in a ring, when it has the ring's skills and meets the language.
    #[must_use]
    pub fn is_met_by(&self, agent: &Agent) -> bool {
        if self.is_preferred() {
            return agent.id().is_some_and(|id| self.preferred_agents().binary_search(id).is_ok());
        }
        self.skills().all(|s| agent.skills.binary_search(s).is_ok())
            && self.requirements.language_is_met_by(agent)
    }
}

/// What an agent offers: an optional id (the host's), a set of skills and a set of
/// languages.
///
/// An agent may take an interaction when it has every skill the interaction's current stage
/// requires (compared case-insensitively) and, if the stage requires a language, speaks a
/// language the required one matches under RFC 4647 basic filtering: an agent with `en-US`
/// meets `en`, one with `en` does not meet `en-US`. `*` among an agent's languages is not a
/// wildcard. In a preferred-agent stage only its id counts (see [`Requirements`]).
///
/// ```
/// use email_routing::{AgentId, Language, Skill};
/// use email_routing::acd::Agent;
/// let agent = Agent::new(
///     ["billing", "refunds"].map(|s| Skill::new(s).unwrap()),
///     [Language::new("en").unwrap()],
/// )
/// .with_id(AgentId::new("agent-7").unwrap());
/// assert_eq!(agent.skills().len(), 2);
/// assert_eq!(agent.id().map(|id| id.as_str()), Some("agent-7"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(from = "StoredAgent"))]
pub struct Agent {
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    id: Option<AgentId>,
    /// Sorted, without duplicates.
    skills: Vec<Skill>,
    /// Sorted, without duplicates.
    languages: Vec<Language>,
}

/// The serialized shape of [`Agent`], normalized on the way in.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredAgent {
    #[serde(default)]
    id: Option<AgentId>,
    #[serde(default)]
    skills: Vec<Skill>,
    #[serde(default)]
    languages: Vec<Language>,
}

#[cfg(feature = "serde")]
impl From<StoredAgent> for Agent {
    fn from(fields: StoredAgent) -> Self {
        let agent = Self::new(fields.skills, fields.languages);
        match fields.id {
            Some(id) => agent.with_id(id),
            None => agent,
        }
    }
}

impl Agent {
    /// An agent with no id, no skills and no languages: it may take only interactions that
    /// require nothing.
    #[must_use]
    pub fn unskilled() -> Self {
        Self::default()
    }

    /// An agent with these skills and languages (and no id).
    pub fn new(
        skills: impl IntoIterator<Item = Skill>,
        languages: impl IntoIterator<Item = Language>,
    ) -> Self {
        Self { id: None, skills: sorted_set(skills), languages: sorted_set(languages) }
    }

    /// This agent with the host's id for it, so that it gets the interactions that prefer it
    /// ([`Requirements::with_preferred_agents`]).
    #[must_use]
    pub fn with_id(mut self, id: AgentId) -> Self {
        self.id = Some(id);
        self
    }

    /// This agent plus `skill`.
    #[must_use]
    pub fn with_skill(mut self, skill: Skill) -> Self {
        if let Err(at) = self.skills.binary_search(&skill) {
            self.skills.insert(at, skill);
        }
        self
    }

    /// This agent plus `language`.
    #[must_use]
    pub fn with_language(mut self, language: Language) -> Self {
        if let Err(at) = self.languages.binary_search(&language) {
            self.languages.insert(at, language);
        }
        self
    }

    /// The agent's id, if the host gave one.
    #[must_use]
    pub fn id(&self) -> Option<&AgentId> {
        self.id.as_ref()
    }

    /// The agent's skills, sorted.
    #[must_use]
    pub fn skills(&self) -> &[Skill] {
        &self.skills
    }

    /// The agent's languages, sorted.
    #[must_use]
    pub fn languages(&self) -> &[Language] {
        &self.languages
    }
}

fn sorted_set<T: Ord>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut items: Vec<T> = items.into_iter().collect();
    items.sort_unstable();
    items.dedup();
    items
}

/// A set of interned names as bit positions.
pub(crate) type Bits = u128;

/// Gives each name in use a bit position, counting how many requirement classes use it, so
/// that the bit can be reused once no class does.
#[derive(Debug, Clone)]
pub(crate) struct Interner<T> {
    bit_of: HashMap<T, u8>,
    /// For each bit, how many requirement classes use it.
    uses: [u32; 128],
    /// Bits no name holds.
    free: Bits,
}

impl<T: Hash + Eq + Clone> Interner<T> {
    pub(crate) fn new() -> Self {
        Self { bit_of: HashMap::new(), uses: [0; 128], free: Bits::MAX }
    }

    /// The bit of `name`, if some class uses it.
    pub(crate) fn bit<Q: Hash + Eq + ?Sized>(&self, name: &Q) -> Option<u8>
    where
        T: Borrow<Q>,
    {
        self.bit_of.get(name).copied()
    }

    /// Whether no name holds a bit.
    pub(crate) fn is_empty(&self) -> bool {
        self.bit_of.is_empty()
    }

    /// The bits of those `names` that some class uses; the others cannot matter.
    pub(crate) fn mask_of<'a>(&self, names: impl IntoIterator<Item = &'a T>) -> Bits
    where
        T: 'a,
    {
        if self.bit_of.is_empty() {
            return 0;
        }
        names.into_iter().filter_map(|n| self.bit(n)).fold(0, |mask, bit| mask | 1 << bit)
    }

    /// How many more names can get a bit.
    pub(crate) fn free_bits(&self) -> usize {
        self.free.count_ones() as usize
    }

    /// Records one more class using `name` and returns its bit, giving it a free bit if it has
    /// none. `None` when no bit is free (check [`Self::free_bits`] first).
    pub(crate) fn acquire(&mut self, name: &T) -> Option<u8> {
        let bit = match self.bit(name) {
            Some(bit) => bit,
            None => {
                if self.free == 0 {
                    return None;
                }
                let bit = self.free.trailing_zeros() as u8;
                self.free &= !(1 << bit);
                self.bit_of.insert(name.clone(), bit);
                bit
            }
        };
        self.uses[usize::from(bit)] += 1;
        Some(bit)
    }

    /// Records one class fewer using `name`; frees its bit when none is left.
    pub(crate) fn release(&mut self, name: &T) {
        if let Some(bit) = self.bit(name) {
            let uses = &mut self.uses[usize::from(bit)];
            *uses = uses.saturating_sub(1);
            if *uses == 0 {
                self.bit_of.remove(name);
                self.free |= 1 << bit;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(s: &str) -> Skill {
        Skill::new(s).unwrap()
    }

    #[test]
    fn requirements_are_sets() {
        let r = Requirements::new([skill("b"), skill("a"), skill("b")], None);
        assert_eq!(r.skills(), &[skill("a"), skill("b")]);
        assert_eq!(r, Requirements::none().with_skill(skill("b")).with_skill(skill("a")));
    }

    #[test]
    fn stages_and_their_requirements() {
        use std::time::Duration;
        let ms = Duration::from_millis;
        let a7 = AgentId::new("a7").unwrap();
        let r = Requirements::new([skill("a"), skill("b"), skill("c")], None)
            .with_ring(ms(10), [skill("c")])
            .unwrap()
            .with_ring(ms(20), [skill("a"), skill("b")])
            .unwrap()
            .with_preferred_agents([a7.clone(), a7.clone()], ms(5))
            .unwrap();
        assert_eq!(r.stage_count(), 4);
        assert_eq!(r.preferred_agents(), std::slice::from_ref(&a7));
        let skills = |i: usize| r.stage(i).unwrap().skills().cloned().collect::<Vec<_>>();
        assert_eq!(skills(0), []);
        assert_eq!(skills(1), [skill("a"), skill("b"), skill("c")]);
        assert_eq!(skills(2), [skill("a"), skill("b")]);
        assert_eq!(skills(3), []);
        let durations: Vec<_> = r.stages().map(|s| s.duration()).collect();
        assert_eq!(durations, [Some(ms(5)), Some(ms(10)), Some(ms(20)), None]);
        assert_eq!(r.stage_ends().collect::<Vec<_>>(), [5, 15, 35]);
        let t = |v| Timestamp::from_unix_millis(v).unwrap();
        let stages: Vec<_> = [0, 99, 100, 104, 105, 114, 115, 134, 135, 10_000]
            .map(|now| r.stage_at(t(100), t(now)))
            .into();
        assert_eq!(stages, [0, 0, 0, 0, 1, 1, 2, 2, 3, 3]);
        let named = Agent::unskilled().with_id(a7);
        assert!(r.stage(0).unwrap().is_met_by(&named));
        assert!(!r.stage(1).unwrap().is_met_by(&named));
        assert!(r.stage(3).unwrap().is_met_by(&named));
        assert!(
            !r.stage(0).unwrap().is_met_by(&Agent::new([skill("a"), skill("b"), skill("c")], []))
        );
        assert!(r.stage(4).is_none());
    }

    #[test]
    fn stage_limits_at_their_boundaries() {
        use std::time::Duration;
        let ms = Duration::from_millis;
        let mut r = Requirements::new((0..6).map(|i| skill(&format!("s{i}"))), None);
        for i in 0..MAX_RINGS - 1 {
            r = r.with_ring(ms(1), [skill(&format!("s{i}"))]).unwrap();
        }
        assert_eq!(r.stage_count(), MAX_RINGS);
        let err = r.clone().with_ring(ms(1), []).unwrap_err();
        assert_eq!(err.code(), "acd.too_many_rings");
        let ids = |n: usize| (0..n).map(|i| AgentId::new(&format!("a{i}")).unwrap());
        let r = r.with_preferred_agents(ids(MAX_PREFERRED_AGENTS), ms(1)).unwrap();
        assert_eq!(r.stage_count(), MAX_STAGES);
        let none = Requirements::none();
        for n in [0, MAX_PREFERRED_AGENTS + 1] {
            let err = none.clone().with_preferred_agents(ids(n), ms(1)).unwrap_err();
            assert_eq!(
                err,
                StageError::PreferredAgentCount { count: n, limit: MAX_PREFERRED_AGENTS }
            );
        }
        let longest = ms(u64::from(MAX_STAGE_MILLIS));
        assert!(none.clone().with_ring(longest, []).is_ok());
        for bad in [Duration::ZERO, Duration::from_micros(999), longest + ms(1)] {
            let err = none.clone().with_ring(bad, []).unwrap_err();
            assert_eq!(err.code(), "acd.stage_duration_out_of_range", "{bad:?}");
        }
        // A ring removes only what the ring it ends requires, each skill once.
        let r = Requirements::new([skill("a")], None);
        assert_eq!(
            r.clone().with_ring(ms(1), [skill("b")]).unwrap_err().code(),
            "acd.ring_skill_not_required"
        );
        let r = r.with_ring(ms(1), [skill("A")]).unwrap();
        assert_eq!(
            r.clone().with_ring(ms(1), [skill("a")]).unwrap_err().code(),
            "acd.ring_skill_not_required"
        );
    }

    #[test]
    fn matching_by_name() {
        let r = Requirements::new([skill("a"), skill("b")], None);
        assert!(r.is_met_by(&Agent::new([skill("a"), skill("b"), skill("c")], [])));
        assert!(!r.is_met_by(&Agent::new([skill("a")], [])));
        assert!(Requirements::none().is_met_by(&Agent::unskilled()));
        // Case-insensitive skills; languages by basic filtering.
        let lang = |s| Language::new(s).unwrap();
        let en = Requirements::new([skill("Billing")], Some(lang("en")));
        assert!(en.is_met_by(&Agent::new([skill("billing")], [lang("en-US")])));
        assert!(en.is_met_by(&Agent::new([skill("BILLING")], [lang("fr"), lang("EN")])));
        assert!(!en.is_met_by(&Agent::new([skill("billing")], [lang("eng")])));
        let en_us = Requirements::new([], Some(lang("en-US")));
        assert!(!en_us.is_met_by(&Agent::new([], [lang("en")])));
        let any = Requirements::new([], Some(lang("*")));
        assert!(any.is_met_by(&Agent::new([], [lang("ja")])));
        assert!(!any.is_met_by(&Agent::unskilled()));
        let star_agent = Agent::new([], [lang("*")]);
        assert!(!en.is_met_by(&star_agent.clone().with_skill(skill("billing"))));
        assert!(any.is_met_by(&star_agent));
    }

    #[test]
    fn interner_reuses_freed_bits() {
        let mut interner = Interner::new();
        let names: Vec<Skill> = (0..128).map(|i| skill(&format!("s{i}"))).collect();
        for n in &names {
            assert!(interner.acquire(n).is_some());
        }
        assert_eq!(interner.free_bits(), 0);
        assert_eq!(interner.acquire(&skill("extra")), None);
        assert_eq!(interner.acquire(&names[5]), Some(5));
        interner.release(&names[5]);
        assert_eq!(interner.free_bits(), 0);
        interner.release(&names[5]);
        assert_eq!(interner.free_bits(), 1);
        assert_eq!(interner.acquire(&skill("extra")), Some(5));
        assert_eq!(interner.mask_of([&skill("extra"), &skill("unknown")]), 1 << 5);
    }
}
