//! Character rules shared by every type that carries human-written text.
//!
//! One place decides which code points may reach a header, a log line or a routing key, so the
//! address parser, display names and identifiers cannot drift apart.

use icu_properties::CodePointMapData;
use icu_properties::props::GeneralCategory;

/// Bidirectional controls: embeddings, overrides, isolates and marks. They reorder what a
/// reader sees (the "Trojan Source" family), so they never belong in a name or an address.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// The Unicode general category of `c`.
pub(crate) fn general_category(c: char) -> GeneralCategory {
    CodePointMapData::<GeneralCategory>::new().get(c)
}

/// Code points that must never appear in an address or identifier: controls, format characters
/// (bidi overrides, zero-width space), separators (line, paragraph, every kind of space),
/// private-use, surrogates and unassigned code points.
pub(crate) fn is_unsafe_in_token(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control() || c == ' ';
    }
    matches!(
        general_category(c),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::SpaceSeparator
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::PrivateUse
            | GeneralCategory::Surrogate
            | GeneralCategory::Unassigned
    )
}

/// Combining marks (general categories Mn, Mc and Me): they render onto whatever character
/// precedes them, so text that starts with one joins the text before it.
pub(crate) fn is_combining_mark(c: char) -> bool {
    !c.is_ascii()
        && matches!(
            general_category(c),
            GeneralCategory::NonspacingMark
                | GeneralCategory::SpacingMark
                | GeneralCategory::EnclosingMark
        )
}

/// Code points that must never appear in free text that ends up in a header (display names):
/// controls (CR and LF among them), line and paragraph separators, bidi controls, private-use and
/// unassigned code points. Ordinary spaces and joiners stay allowed.
pub(crate) fn is_unsafe_in_text(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    is_bidi_control(c)
        || matches!(
            general_category(c),
            GeneralCategory::Control
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
                | GeneralCategory::PrivateUse
                | GeneralCategory::Surrogate
                | GeneralCategory::Unassigned
        )
}

/// Renders a code point for an error message, so invisible characters become visible.
pub(crate) fn describe_char(c: char) -> String {
    if c.is_ascii_graphic() { format!("'{c}'") } else { format!("U+{:04X}", c as u32) }
}
