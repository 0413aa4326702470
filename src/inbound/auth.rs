//! [`AuthenticationResults`]: SPF, DKIM and DMARC results from `Authentication-Results`
//! header fields (RFC 8601), for hosts that verify mail themselves.
//!
//! Anyone can write an `Authentication-Results` field into a message, so only fields whose
//! authserv-id is the host's own are read (RFC 8601 section 5: a receiver removes or ignores
//! fields claiming its own id that it did not add, and ignores others'). Everything else is
//! untrusted text: unknown methods, properties and malformed parts are skipped, the work is
//! linear in the input, and nothing panics.
//!
//! Results map onto [`Verdict`]s like this:
//!
//! | method | `pass` | `fail` | `softfail`, `neutral`, `none`, `policy` | `temperror`, `permerror` |
//! |---|---|---|---|---|
//! | `spf` | Pass | Fail | Gray | ProcessingFailed |
//! | `dkim` | Pass (any signature) | Fail (no signature passed) | Gray | ProcessingFailed |
//! | `dmarc` | Pass | Fail | Gray | ProcessingFailed |
//!
//! When one field or several report a method more than once, the best result wins for DKIM (one
//! valid signature is enough, RFC 6376 6.1) and the first for SPF and DMARC. The DMARC policy is
//! taken from a `policy.dmarc` property or from the comment after the result, as large
//! receivers write it (`dmarc=fail (p=REJECT sp=NONE dis=NONE) header.from=example.com`).

use super::{DmarcPolicy, Verdict};

/// The results of the host's own authentication checks, read from `Authentication-Results`.
///
/// ```
/// use email_routing::inbound::{AuthenticationResults, DmarcPolicy, Verdict};
/// let fields = [
///     "mx.google.com; dkim=pass header.i=@example.com; spf=softfail smtp.mailfrom=x@example.com;
///      dmarc=fail (p=REJECT sp=NONE dis=NONE) header.from=example.com",
///     // Forged by the sender: another authserv-id, ignored.
///     "evil.example; spf=pass; dkim=pass; dmarc=pass",
/// ];
/// let results = AuthenticationResults::read(fields, "mx.google.com");
/// assert_eq!(results.spf(), Verdict::Gray);
/// assert_eq!(results.dkim(), Verdict::Pass);
/// assert_eq!(results.dmarc(), Verdict::Fail);
/// assert_eq!(results.dmarc_policy(), Some(DmarcPolicy::Reject));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuthenticationResults {
    spf: Option<Verdict>,
    dkim: Option<Verdict>,
    dmarc: Option<Verdict>,
    dmarc_policy: Option<DmarcPolicy>,
}

impl AuthenticationResults {
    /// Reads the `Authentication-Results` field values (each without the field name) whose
    /// authserv-id equals `authserv_id` (ASCII case ignored, RFC 8601 2.5), and ignores the
    /// others.
    #[must_use]
    pub fn read<'a>(values: impl IntoIterator<Item = &'a str>, authserv_id: &str) -> Self {
        let mut results = Self::default();
        for value in values {
            let tokens = tokenize(value);
            let mut words =
                tokens.iter().filter(|t| !matches!(t, Token::Comment(_) | Token::Space));
            let Some(Token::Word(id) | Token::Quoted(id)) = words.next() else { continue };
            if !id.eq_ignore_ascii_case(authserv_id.trim()) {
                continue;
            }
            for resinfo in tokens.split(|t| *t == Token::Special(';')).skip(1) {
                results.add(resinfo);
            }
        }
        results
    }

    /// The SPF verdict, [`Verdict::Disabled`] when none was reported.
    #[must_use]
    pub fn spf(&self) -> Verdict {
        self.spf.unwrap_or_default()
    }

    /// The DKIM verdict, [`Verdict::Disabled`] when none was reported.
    #[must_use]
    pub fn dkim(&self) -> Verdict {
        self.dkim.unwrap_or_default()
    }

    /// The DMARC verdict, [`Verdict::Disabled`] when none was reported.
    #[must_use]
    pub fn dmarc(&self) -> Verdict {
        self.dmarc.unwrap_or_default()
    }

    /// The From domain's DMARC policy, when the results name it.
    #[must_use]
    pub fn dmarc_policy(&self) -> Option<DmarcPolicy> {
        self.dmarc_policy
    }

    /// Whether any of the three methods was reported.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.spf.is_none() && self.dkim.is_none() && self.dmarc.is_none()
    }

    /// One `method=result ...` part.
    fn add(&mut self, resinfo: &[Token]) {
        let mut parts = resinfo.iter().filter(|t| **t != Token::Space);
        let Some(Token::Word(method)) = parts.next() else { return };
        // `dkim/1`: a method version.
        let method = method.split('/').next().unwrap_or(method);
        if parts.next() != Some(&Token::Special('=')) {
            return;
        }
        let Some(Token::Word(result)) = parts.next() else { return };
        let verdict = verdict_of(result);
        match method.to_ascii_lowercase().as_str() {
            "spf" => {
                self.spf.get_or_insert(verdict);
            }
            "dmarc" => {
                self.dmarc.get_or_insert(verdict);
                if self.dmarc_policy.is_none() {
                    self.dmarc_policy = dmarc_policy_in(resinfo);
                }
            }
            "dkim" => {
                self.dkim = Some(match self.dkim {
                    Some(earlier) => better_dkim(earlier, verdict),
                    None => verdict,
                });
            }
            _ => {}
        }
    }
}

/// A result keyword as a verdict (see the module docs).
fn verdict_of(result: &str) -> Verdict {
    match result.to_ascii_lowercase().as_str() {
        "pass" => Verdict::Pass,
        "fail" | "hardfail" => Verdict::Fail,
        "temperror" | "permerror" => Verdict::ProcessingFailed,
        _ => Verdict::Gray,
    }
}

/// Of two DKIM results, the one that says more for the message: any pass wins, then a fail.
fn better_dkim(a: Verdict, b: Verdict) -> Verdict {
    let rank = |v: Verdict| match v {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
        Verdict::Gray => 2,
        Verdict::ProcessingFailed => 3,
        _ => 4,
    };
    if rank(b) < rank(a) { b } else { a }
}

/// The DMARC policy in a `dmarc=` part: a `policy.dmarc=` property, else `p=` in a comment.
fn dmarc_policy_in(resinfo: &[Token]) -> Option<DmarcPolicy> {
    let words: Vec<&Token> = resinfo.iter().filter(|t| **t != Token::Space).collect();
    let property = words.windows(5).find_map(|w| match w {
        [
            Token::Word(ptype),
            Token::Special('.'),
            Token::Word(prop),
            Token::Special('='),
            Token::Word(v) | Token::Quoted(v),
        ] if ptype.eq_ignore_ascii_case("policy") && prop.eq_ignore_ascii_case("dmarc") => {
            DmarcPolicy::parse(v)
        }
        _ => None,
    });
    property.or_else(|| {
        resinfo.iter().find_map(|t| match t {
            Token::Comment(text) => text
                .split(|c: char| c.is_whitespace() || c == ';' || c == ',')
                .find_map(|part| part.strip_prefix("p=").or_else(|| part.strip_prefix("P=")))
                .and_then(DmarcPolicy::parse),
            _ => None,
        })
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Space,
    Comment(String),
    Quoted(String),
    Word(String),
    Special(char),
}

/// Splits a field value into words, quoted strings, comments and the specials `; = . /`
/// (which may also sit inside words such as `header.from` values; see below).
fn tokenize(value: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = value.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            // The same test as the word loop below uses to stop: a form feed must not be
            // left for a word that cannot start with it.
            _ if c.is_ascii_whitespace() => {
                while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
                    chars.next();
                }
                tokens.push(Token::Space);
            }
            '(' => {
                chars.next();
                let mut depth = 1usize;
                let mut text = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => text.extend(chars.next()),
                        '(' => {
                            depth += 1;
                            text.push(c);
                        }
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            text.push(c);
                        }
                        _ => text.push(c),
                    }
                }
                tokens.push(Token::Comment(text));
            }
            '"' => {
                chars.next();
                let mut text = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => text.extend(chars.next()),
                        '"' => break,
                        _ => text.push(c),
                    }
                }
                tokens.push(Token::Quoted(text));
            }
            ';' | '=' => {
                chars.next();
                tokens.push(Token::Special(c));
            }
            _ => {
                // A word runs to white space, a comment, a quote, `;` or `=`. A `.` splits
                // `ptype.property` only before the first `=` of a property, which is where
                // the reader looks for it; elsewhere dots stay inside values.
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_ascii_whitespace() || matches!(c, '(' | '"' | ';' | '=') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                match word.split_once('.') {
                    Some((ptype, prop))
                        if chars.peek() == Some(&'=')
                            && !ptype.is_empty()
                            && !prop.is_empty()
                            && !prop.contains('.') =>
                    {
                        tokens.push(Token::Word(ptype.to_owned()));
                        tokens.push(Token::Special('.'));
                        tokens.push(Token::Word(prop.to_owned()));
                    }
                    _ => tokens.push(Token::Word(word)),
                }
            }
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: &str) -> AuthenticationResults {
        AuthenticationResults::read([value], "mx.example.com")
    }

    #[test]
    fn rfc_8601_examples_read() {
        // Appendix B.3: SPF only.
        let r = read("mx.example.com; spf=pass smtp.mailfrom=example.net");
        assert_eq!(
            (r.spf(), r.dkim(), r.dmarc()),
            (Verdict::Pass, Verdict::Disabled, Verdict::Disabled)
        );
        // Appendix B.4-ish: several methods, versions, comments, a reason.
        let r = read(
            "mx.example.com (comment) 1; auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n \
             spf=pass smtp.mailfrom=example.net; sender-id=pass header.from=example.net;\r\n \
             dkim/1=fail reason=\"bad sig\" header.d=example.net; dkim=pass header.i=@x.example",
        );
        assert_eq!(r.spf(), Verdict::Pass);
        assert_eq!(r.dkim(), Verdict::Pass);
        // Appendix B.2: nothing checked.
        assert!(read("mx.example.com 1; none").is_empty());
    }

    #[test]
    fn only_the_hosts_own_id_counts() {
        let r = AuthenticationResults::read(
            ["Evil.Example; dmarc=pass", "\"mx.example.com\"; dmarc=fail policy.dmarc=quarantine"],
            "MX.example.com",
        );
        assert_eq!(r.dmarc(), Verdict::Fail);
        assert_eq!(r.dmarc_policy(), Some(DmarcPolicy::Quarantine));
        let forged = AuthenticationResults::read(["evil.example; spf=pass"], "mx.example.com");
        assert!(forged.is_empty());
        assert_eq!(forged.spf(), Verdict::Disabled);
    }

    #[test]
    fn results_map_onto_verdicts() {
        for (result, verdict) in [
            ("pass", Verdict::Pass),
            ("FAIL", Verdict::Fail),
            ("softfail", Verdict::Gray),
            ("neutral", Verdict::Gray),
            ("none", Verdict::Gray),
            ("policy", Verdict::Gray),
            ("temperror", Verdict::ProcessingFailed),
            ("permerror", Verdict::ProcessingFailed),
        ] {
            assert_eq!(read(&format!("mx.example.com; spf={result}")).spf(), verdict, "{result}");
        }
        let r = read("mx.example.com; dmarc=fail (p=REJECT sp=NONE dis=NONE) header.from=x.com");
        assert_eq!(r.dmarc_policy(), Some(DmarcPolicy::Reject));
        let r = read("mx.example.com; dkim=fail; dkim=temperror; spf=fail; spf=pass");
        assert_eq!((r.dkim(), r.spf()), (Verdict::Fail, Verdict::Fail));
    }

    #[test]
    fn malformed_values_do_not_panic() {
        for value in [
            "",
            ";",
            "mx.example.com",
            "mx.example.com;",
            "mx.example.com; =",
            "mx.example.com; spf",
            "mx.example.com; spf=",
            "mx.example.com; (unclosed",
            "\"mx.example.com; \\",
            "mx.example.com; dmarc=fail (p=",
            "mx.example.com; dmarc=fail policy.=x policy.dmarc=",
            "mx.example.com;\x0c spf=pass\x0c",
        ] {
            let _ = read(value);
        }
    }
}
