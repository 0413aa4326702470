//! Subjects as threading compares them: reply and forward prefixes stripped in the languages
//! mail clients write them, bracketed tags dropped, case and white space folded.
//!
//! Rules, applied from the start of the subject until none applies:
//! - a bracketed tag of at most [`MAX_TAG_CHARS`] characters (`[EXT]`, `[External]`,
//!   `[SPAM]`, `[Ticket #4711]`) is dropped, as gateways add and remove them at will;
//! - a prefix from the lists below, in any case, optionally followed by a counter (`Re[2]:`,
//!   `Re(3):`, `Re^2:`), then optional white space and a colon (`:` or the full-width `：`),
//!   is dropped (`RE :`, `AW:`, `回复：` all count);
//! - white space between them is dropped.
//!
//! | prefixes | meaning |
//! |---|---|
//! | `Re`, `Aw`, `Antw`, `Antwort`, `Sv`, `Svar`, `Vs`, `Odp`, `Res`, `Rif`, `R`, `Ynt`, `Vá`, `Atb`, `Отв`, `Ответ`, `ΑΠ`, `ΣΧΕΤ`, `השב`, `回复`, `回覆`, `答复`, `返信`, `답장` | reply |
//! | `Fwd`, `Fw`, `Wg`, `Tr`, `Rv`, `Doorst`, `Vb`, `Vl`, `Pd`, `Enc`, `İlt`, `Trs`, `Пересл`, `Πρθ`, `转发`, `轉寄`, `転送`, `전달` | forward |
//!
//! `VS` is Finnish for a reply and Danish and Norwegian for a forward; it is stripped but
//! taken as a reply, so a Finnish reply never starts a new conversation by mistake. The rest is
//! compared after Unicode lowercasing with runs of white space made one space.

/// The longest bracketed tag dropped, in characters between the brackets.
pub const MAX_TAG_CHARS: usize = 32;

/// The reply prefixes (lowercase).
const REPLY: &[&str] = &[
    "re",
    "aw",
    "antw",
    "antwort",
    "sv",
    "svar",
    "vs",
    "odp",
    "res",
    "rif",
    "r",
    "ynt",
    "vá",
    "atb",
    "отв",
    "ответ",
    "απ",
    "σχετ",
    "השב",
    "回复",
    "回覆",
    "答复",
    "返信",
    "답장",
];

/// The forward prefixes (lowercase).
const FORWARD: &[&str] = &[
    "fwd",
    "fw",
    "wg",
    "tr",
    "rv",
    "doorst",
    "vb",
    "vl",
    "pd",
    "enc",
    "i̇lt",
    "ilt",
    "trs",
    "пересл",
    "πρθ",
    "转发",
    "轉寄",
    "転送",
    "전달",
];

/// A subject as threading compares it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NormalizedSubject {
    base: String,
    forward: bool,
    reply: bool,
}

impl NormalizedSubject {
    /// Normalizes `subject`: leading bracketed tags of at most [`MAX_TAG_CHARS`] characters
    /// and reply and forward prefixes (in many languages, with counters such as `Re[2]:` and
    /// a space before the colon) are dropped, then case and white space are folded. Work is
    /// linear in its length.
    ///
    /// ```
    /// use email_routing::conversation::NormalizedSubject;
    /// let s = NormalizedSubject::new("[EXT] RE : AW: Re[2]:  Invoice   4711");
    /// assert_eq!(s.base(), "invoice 4711");
    /// assert!(s.is_reply() && !s.is_forward());
    /// assert!(NormalizedSubject::new("WG: Invoice 4711").is_forward());
    /// assert_eq!(NormalizedSubject::new("回复：发票").base(), "发票");
    /// ```
    #[must_use]
    pub fn new(subject: &str) -> Self {
        let (rest, first) = strip_leading(subject);
        let mut base = String::with_capacity(rest.len());
        for word in rest.split_whitespace() {
            if !base.is_empty() {
                base.push(' ');
            }
            if word.is_ascii() {
                base.extend(word.chars().map(|c| c.to_ascii_lowercase()));
            } else {
                // Word by word, so a final sigma is lowered as at the end of a word.
                base.push_str(&word.to_lowercase());
            }
        }
        Self { base, forward: first == Some(true), reply: first == Some(false) }
    }

    /// The subject without prefixes and tags, lowercase, white space folded.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether the outermost prefix is a forward's (`Fwd:`, `WG:`...): the message forwards
    /// another and starts a conversation of its own.
    #[must_use]
    pub fn is_forward(&self) -> bool {
        self.forward
    }

    /// Whether the outermost prefix is a reply's (`Re:`, `AW:`...).
    #[must_use]
    pub fn is_reply(&self) -> bool {
        self.reply
    }

    /// Whether two subjects name the same topic once prefixes, tags, case and white space are
    /// set aside.
    #[must_use]
    pub fn same_topic(&self, other: &Self) -> bool {
        self.base == other.base
    }
}

/// `subject` after its leading tags and prefixes, and whether the outermost prefix was a
/// forward's (`None`: no prefix).
fn strip_leading(subject: &str) -> (&str, Option<bool>) {
    let mut rest = subject.trim_start();
    let mut first: Option<bool> = None;
    loop {
        if let Some(after) = strip_tag(rest) {
            rest = after.trim_start();
            continue;
        }
        match strip_prefix(rest) {
            Some((after, is_forward)) => {
                first.get_or_insert(is_forward);
                rest = after.trim_start();
            }
            None => break,
        }
    }
    (rest, first)
}

/// Whether `subject`'s outermost prefix is a forward's, as [`NormalizedSubject::is_forward`]
/// says, without building the rest.
pub(crate) fn is_forward(subject: &str) -> bool {
    strip_leading(subject).1 == Some(true)
}

/// `text` after a leading `[tag]`, if it starts with a short one.
fn strip_tag(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('[')?;
    let (len, end) = inner
        .char_indices()
        .take(MAX_TAG_CHARS + 1)
        .enumerate()
        .find_map(|(n, (i, c))| (c == ']').then_some((n, i)))?;
    (len <= MAX_TAG_CHARS).then(|| &inner[end + 1..])
}

/// `text` after a reply or forward prefix and its colon, and whether it was a forward's.
fn strip_prefix(text: &str) -> Option<(&str, bool)> {
    // The word: letters up to a colon, a counter or white space.
    let word_end = text
        .char_indices()
        .find(|&(_, c)| !c.is_alphabetic() && c != '\u{307}')
        .map_or(text.len(), |(i, _)| i);
    let word = &text[..word_end];
    if word.is_empty() || word.chars().count() > 8 {
        return None;
    }
    // A colon must follow (after a counter and white space) before the word is looked up.
    let rest = strip_counter(&text[word_end..]).trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))?;
    let is = |list: &[&str]| {
        if word.is_ascii() {
            list.iter().any(|p| p.eq_ignore_ascii_case(word))
        } else {
            let lower = word.to_lowercase();
            list.contains(&lower.as_str())
        }
    };
    let is_forward = if is(FORWARD) {
        true
    } else if is(REPLY) {
        false
    } else {
        return None;
    };
    Some((rest, is_forward))
}

/// `text` after a reply counter: `[2]`, `(2)` or `^2`.
fn strip_counter(text: &str) -> &str {
    let digits_then = |s: &str, close: Option<char>| -> Option<usize> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 3 {
            return None;
        }
        match close {
            Some(c) => s[n..].starts_with(c).then_some(n + 1),
            None => Some(n),
        }
    };
    let skip = match text.chars().next() {
        Some('[') => digits_then(&text[1..], Some(']')).map(|n| n + 1),
        Some('(') => digits_then(&text[1..], Some(')')).map(|n| n + 1),
        Some('^') => digits_then(&text[1..], None).map(|n| n + 1),
        _ => None,
    };
    skip.map_or(text, |n| &text[n..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> String {
        NormalizedSubject::new(s).base().to_owned()
    }

    #[test]
    fn prefixes_in_many_languages_and_forms() {
        for subject in [
            "Invoice 4711",
            "Re: Invoice 4711",
            "RE : Invoice 4711",
            "re:Invoice 4711",
            "AW: Invoice 4711",
            "SV: Invoice 4711",
            "Antw: Invoice 4711",
            "Re[2]: Invoice 4711",
            "Re(3): Invoice 4711",
            "Re^2: Invoice 4711",
            "Re: Re: RE: Invoice 4711",
            "[EXT] Re: Invoice 4711",
            "Re: [EXT] Invoice 4711",
            "[External] [SPAM] Re: Fwd: Invoice   4711 ",
            "回复：Invoice 4711",
            "返信: Invoice 4711",
            "ΑΠ: Invoice 4711",
            "Отв: Invoice 4711",
            "INVOICE 4711",
        ] {
            assert_eq!(base(subject), "invoice 4711", "{subject:?}");
        }
    }

    #[test]
    fn the_outermost_prefix_decides_forward_or_reply() {
        for forward in
            ["Fwd: x", "FW: x", "WG: x", "TR: x", "RV: x", "[EXT] Fwd: Re: x", "转发: x", "VL: x"]
        {
            let s = NormalizedSubject::new(forward);
            assert!(s.is_forward() && !s.is_reply(), "{forward:?}");
        }
        for reply in ["Re: Fwd: x", "AW: WG: x", "VS: x", "SV: x"] {
            let s = NormalizedSubject::new(reply);
            assert!(s.is_reply() && !s.is_forward(), "{reply:?}");
        }
        let plain = NormalizedSubject::new("x");
        assert!(!plain.is_reply() && !plain.is_forward());
    }

    #[test]
    fn words_that_only_look_like_prefixes_stay() {
        assert_eq!(base("Reply needed"), "reply needed");
        assert_eq!(base("Re ticket: open"), "re ticket: open");
        assert_eq!(base("Tracking: 123"), "tracking: 123");
        assert_eq!(base("R2: droid"), "r2: droid");
        assert_eq!(
            base("[a very long bracketed text that is not a tag at all] Re: x"),
            "[a very long bracketed text that is not a tag at all] re: x"
        );
        assert_eq!(base("Re:"), "");
        assert_eq!(base(""), "");
        assert_eq!(base("[unclosed Re: x"), "[unclosed re: x");
    }

    #[test]
    fn same_topic_ignores_prefixes_case_and_space() {
        let a = NormalizedSubject::new("Re: My  Order");
        assert!(a.same_topic(&NormalizedSubject::new("my order")));
        assert!(!a.same_topic(&NormalizedSubject::new("my other order")));
    }
}
