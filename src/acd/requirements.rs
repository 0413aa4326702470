//! What an interaction requires ([`Requirements`]) and what an agent offers ([`Agent`]), and the
//! interning that turns skills and languages into bit positions so that matching is a bitset
//! subset test rather than string comparisons.

use std::collections::HashMap;
use std::hash::Hash;

use crate::{Language, Skill};

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

/// What an interaction needs from the agent who takes it: every one of a set of skills and,
/// optionally, one language.
///
/// ```
/// use email_routing::{Language, Skill};
/// use email_routing::acd::Requirements;
/// let r = Requirements::none()
///     .with_skill(Skill::new("billing").unwrap())
///     .with_skill(Skill::new("billing").unwrap())
///     .with_language(Language::new("pt-BR").unwrap());
/// assert_eq!(r.skills().len(), 1); // a set: duplicates collapse
/// assert_eq!(r.language().map(|l| l.as_str()), Some("pt-br"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(from = "RequirementsFields"))]
pub struct Requirements {
    /// Sorted, without duplicates.
    skills: Vec<Skill>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    language: Option<Language>,
}

/// The serialized shape of [`Requirements`], normalized on the way in.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RequirementsFields {
    #[serde(default)]
    skills: Vec<Skill>,
    #[serde(default)]
    language: Option<Language>,
}

#[cfg(feature = "serde")]
impl From<RequirementsFields> for Requirements {
    fn from(fields: RequirementsFields) -> Self {
        Self::new(fields.skills, fields.language)
    }
}

impl Requirements {
    /// No requirement: any agent may take the interaction.
    pub fn none() -> Self {
        Self::default()
    }

    /// All of `skills` and, if given, `language`.
    pub fn new(skills: impl IntoIterator<Item = Skill>, language: Option<Language>) -> Self {
        Self { skills: sorted_set(skills), language }
    }

    /// These requirements plus `skill`.
    pub fn with_skill(mut self, skill: Skill) -> Self {
        if let Err(at) = self.skills.binary_search(&skill) {
            self.skills.insert(at, skill);
        }
        self
    }

    /// These requirements with `language` as the required language.
    pub fn with_language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// The required skills, sorted.
    pub fn skills(&self) -> &[Skill] {
        &self.skills
    }

    /// The required language, if any.
    pub fn language(&self) -> Option<&Language> {
        self.language.as_ref()
    }

    /// Whether `agent` meets these requirements (by name; the queue uses bitsets instead).
    ///
    /// ```
    /// use email_routing::{Language, Skill};
    /// use email_routing::acd::{Agent, Requirements};
    /// let en = Language::new("en").unwrap();
    /// let r = Requirements::none().with_language(en.clone());
    /// assert!(r.is_met_by(&Agent::none().with_language(en)));
    /// assert!(!r.is_met_by(&Agent::none()));
    /// ```
    pub fn is_met_by(&self, agent: &Agent) -> bool {
        self.skills.iter().all(|s| agent.skills.binary_search(s).is_ok())
            && self.language.as_ref().is_none_or(|l| agent.languages.binary_search(l).is_ok())
    }
}

/// What an agent offers: a set of skills and a set of languages.
///
/// An agent may take an interaction when it has every skill the interaction requires and, if
/// the interaction names a language, speaks it.
///
/// ```
/// use email_routing::{Language, Skill};
/// use email_routing::acd::Agent;
/// let agent = Agent::new(
///     ["billing", "refunds"].map(|s| Skill::new(s).unwrap()),
///     [Language::new("en").unwrap()],
/// );
/// assert_eq!(agent.skills().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(from = "AgentFields"))]
pub struct Agent {
    /// Sorted, without duplicates.
    skills: Vec<Skill>,
    /// Sorted, without duplicates.
    languages: Vec<Language>,
}

/// The serialized shape of [`Agent`], normalized on the way in.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentFields {
    #[serde(default)]
    skills: Vec<Skill>,
    #[serde(default)]
    languages: Vec<Language>,
}

#[cfg(feature = "serde")]
impl From<AgentFields> for Agent {
    fn from(fields: AgentFields) -> Self {
        Self::new(fields.skills, fields.languages)
    }
}

impl Agent {
    /// An agent with no skills and no languages: it may take only interactions that require
    /// nothing.
    pub fn none() -> Self {
        Self::default()
    }

    /// An agent with these skills and languages.
    pub fn new(
        skills: impl IntoIterator<Item = Skill>,
        languages: impl IntoIterator<Item = Language>,
    ) -> Self {
        Self { skills: sorted_set(skills), languages: sorted_set(languages) }
    }

    /// This agent plus `skill`.
    pub fn with_skill(mut self, skill: Skill) -> Self {
        if let Err(at) = self.skills.binary_search(&skill) {
            self.skills.insert(at, skill);
        }
        self
    }

    /// This agent plus `language`.
    pub fn with_language(mut self, language: Language) -> Self {
        if let Err(at) = self.languages.binary_search(&language) {
            self.languages.insert(at, language);
        }
        self
    }

    /// The agent's skills, sorted.
    pub fn skills(&self) -> &[Skill] {
        &self.skills
    }

    /// The agent's languages, sorted.
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
    pub(crate) fn bit(&self, name: &T) -> Option<u8> {
        self.bit_of.get(name).copied()
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
    fn matching_by_name() {
        let r = Requirements::new([skill("a"), skill("b")], None);
        assert!(r.is_met_by(&Agent::new([skill("a"), skill("b"), skill("c")], [])));
        assert!(!r.is_met_by(&Agent::new([skill("a")], [])));
        assert!(Requirements::none().is_met_by(&Agent::none()));
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
