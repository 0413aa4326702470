//! RFC 2047 encoded words (`=?UTF-8?B?...?=`): how names and subjects that are not ASCII
//! travel in headers. Writing always uses UTF-8 and `B`; reading accepts `B` and `Q` in UTF-8,
//! US-ASCII, ISO-8859-1 and windows-1252, the charsets mail clients send names in, and leaves
//! any other word as the text it is. As in the WHATWG Encoding Standard that mail clients and
//! browsers follow, `ISO-8859-1` is read as windows-1252, its superset: text labelled Latin-1
//! is usually windows-1252 (curly quotes, the euro sign), and the difference is only in bytes
//! 0x80 to 0x9F, which Latin-1 leaves to control characters.

use std::fmt;

/// The longest encoded word we write: RFC 2047 allows 75, but 66 lets `Subject: ` and one
/// word share a first line within the 78 characters RFC 5322 recommends.
pub(crate) const MAX_ENCODED_WORD: usize = 66;
/// `=?UTF-8?B?` + `?=`.
const ENCODED_WORD_OVERHEAD: usize = 12;

/// RFC 2047 `B` encoding in words of at most 75 characters, split on character boundaries so
/// each word decodes on its own; words are separated by a space.
pub(crate) fn write_encoded_words(out: &mut impl fmt::Write, text: &str) -> fmt::Result {
    // 4 base64 characters carry 3 bytes; keep whole characters in each word.
    let max_bytes = (MAX_ENCODED_WORD - ENCODED_WORD_OVERHEAD) / 4 * 3;
    let mut first = true;
    let mut chunk_start = 0;
    let mut chunk_len = 0;
    let emit = |out: &mut dyn fmt::Write, chunk: &str, first: &mut bool| -> fmt::Result {
        if !*first {
            out.write_char(' ')?;
        }
        *first = false;
        out.write_str("=?UTF-8?B?")?;
        write_base64(out, chunk.as_bytes())?;
        out.write_str("?=")
    };
    for (i, c) in text.char_indices() {
        if chunk_len + c.len_utf8() > max_bytes {
            emit(out, &text[chunk_start..i], &mut first)?;
            chunk_start = i;
            chunk_len = 0;
        }
        chunk_len += c.len_utf8();
    }
    emit(out, &text[chunk_start..], &mut first)
}

fn write_base64(out: &mut dyn fmt::Write, bytes: &[u8]) -> fmt::Result {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.write_char(char::from(ALPHABET[(n >> shift) as usize & 63]))?;
            } else {
                out.write_char('=')?;
            }
        }
    }
    Ok(())
}

/// The text of one encoded word, or `None` if `word` is not one this crate reads.
pub(crate) fn decode_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let (charset, encoding, text) = (parts.next()?, parts.next()?, parts.next()?);
    if text.contains('?') {
        return None;
    }
    // RFC 2231 lets a language follow the charset: `UTF-8*en`.
    let charset = charset.split('*').next().unwrap_or(charset);
    let bytes = match encoding {
        "B" | "b" => base64_decode(text)?,
        "Q" | "q" => q_decode(text)?,
        _ => return None,
    };
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("us-ascii") {
        bytes.is_ascii().then(|| bytes.into_iter().map(char::from).collect())
    } else if ["iso-8859-1", "latin1", "windows-1252", "cp1252"]
        .iter()
        .any(|label| charset.eq_ignore_ascii_case(label))
    {
        Some(bytes.into_iter().map(windows_1252).collect())
    } else {
        None
    }
}

/// The windows-1252 character of a byte: Latin-1 (the first 256 code points) except in 0x80 to
/// 0x9F, where five unassigned bytes stay the control characters Latin-1 has there.
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}',
        '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}',
        '\u{178}',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// RFC 4648 base64, padding optional; `None` on any other character.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let digits = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(digits.len() / 4 * 3 + 2);
    for chunk in digits.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// RFC 2047 `Q`: `_` is a space, `=XX` a byte in hex, other printable ASCII itself.
fn q_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        out.push(match b {
            b'_' => b' ',
            b'=' => {
                // Two hex digits exactly (`from_str_radix` alone would take a sign).
                let hex = [bytes.next()?, bytes.next()?];
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?
            }
            b'!'..=b'~' => b,
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let enc = |s: &str| {
            let mut out = String::new();
            write_base64(&mut out, s.as_bytes()).unwrap();
            out
        };
        assert_eq!(enc(""), "");
        assert_eq!(enc("f"), "Zg==");
        assert_eq!(enc("fo"), "Zm8=");
        assert_eq!(enc("foo"), "Zm9v");
        assert_eq!(enc("foob"), "Zm9vYg==");
        assert_eq!(enc("fooba"), "Zm9vYmE=");
        assert_eq!(enc("foobar"), "Zm9vYmFy");
    }

    #[test]
    fn words_decode_in_b_and_q() {
        let decode = |w: &str| decode_word(w).unwrap();
        assert_eq!(decode("=?UTF-8?B?Wm/Dqw==?="), "Zoë");
        assert_eq!(decode("=?utf-8?q?Zo=C3=AB_Help?="), "Zoë Help");
        assert_eq!(decode("=?ISO-8859-1?Q?Andr=E9?="), "André");
        // Labelled Latin-1, meant as windows-1252: curly quotes and the euro sign.
        assert_eq!(decode("=?iso-8859-1?Q?=93Caf=E9=94_=80?="), "\u{201C}Café\u{201D} €");
        assert_eq!(decode("=?windows-1252?Q?=9F?="), "Ÿ");
        assert_eq!(decode("=?UTF-8*en?B?Wm/Dqw?="), "Zoë");
        let mut long = String::new();
        write_encoded_words(&mut long, &"支援".repeat(40)).unwrap();
        let joined: String = long.split(' ').map(decode).collect();
        assert_eq!(joined, "支援".repeat(40));
    }

    #[test]
    fn words_that_do_not_decode_stay_as_they_are() {
        for raw in [
            "=?x?=",
            "=?UTF-8?B?*&^?=",
            "=?UTF-8?B?W?=",
            "=?UTF-8?Q?=C3?=",
            "=?UTF-8?Q?=G1?=",
            "=?UTF-8?Q?x=+1?=",
            "=?UTF-8?Q?a?b?=",
            "=?KOI8-R?B?98TJ?=",
            "=?US-ASCII?Q?caf=E9?=",
            "=?UTF-8?X?abc?=",
            "plain",
        ] {
            assert_eq!(decode_word(raw), None, "{raw}");
        }
    }
}
