//! Email address and display name parsing: limits, IDN, hostile strings.

use email_routing::{
    AddressError, DisplayName, EmailAddress, MAX_ADDRESS_OCTETS, MAX_DISPLAY_NAME_CHARS, Mailbox,
};

fn ok(input: &str) -> EmailAddress {
    EmailAddress::new(input).unwrap_or_else(|e| panic!("{input:?} refused: {e}"))
}

fn code(input: &str) -> &'static str {
    match EmailAddress::new(input) {
        Ok(a) => panic!("{input:?} accepted as {a}"),
        Err(e) => e.code(),
    }
}

#[test]
fn normalizes_domain_and_keeps_local_case() {
    let a = ok("Help@Support.Customer.COM");
    assert_eq!(a.as_str(), "Help@support.customer.com");
    assert_eq!(a.local_part(), "Help");
    assert_eq!(a.domain(), "support.customer.com");
    assert_eq!(a.lookup_key(), "help@support.customer.com");
    assert!(!a.requires_smtputf8());
    // RFC 5321: local parts compare exactly, domains case-insensitively.
    assert_eq!(a, ok("Help@SUPPORT.customer.com"));
    assert_ne!(a, ok("help@support.customer.com"));
    assert!(a.eq_ignore_local_case(&ok("HELP@support.customer.com")));
}

#[test]
fn unicode_addresses() {
    let a = ok("José@Bücher.de");
    assert_eq!(a.as_str(), "José@xn--bcher-kva.de");
    assert!(a.requires_smtputf8());
    assert_eq!(a.lookup_key(), "josé@xn--bcher-kva.de");
    // NFC: decomposed é equals composed é.
    assert_eq!(ok("Jose\u{301}@bücher.de"), a);
    let jp = ok("用户@例え。jp");
    assert_eq!(jp.as_str(), "用户@xn--r8jz45g.jp");
    assert_eq!(jp.to_domain_name().to_unicode(), "例え.jp");
    // Unicode domains alone do not need SMTPUTF8.
    assert!(!ok("info@bücher.de").requires_smtputf8());
}

#[test]
fn atext_symbols_and_dots() {
    ok("a.b+tag@example.com");
    ok("!#$%&'*+-/=?^_`{|}~@example.com");
    assert_eq!(code(".a@example.com"), "address.misplaced_dot");
    assert_eq!(code("a.@example.com"), "address.misplaced_dot");
    assert_eq!(code("a..b@example.com"), "address.misplaced_dot");
    assert_eq!(code("a,b@example.com"), "address.invalid_character");
    assert_eq!(code("a\\b@example.com"), "address.invalid_character");
}

#[test]
fn refused_forms_each_have_their_code() {
    assert_eq!(code(""), "address.empty");
    assert_eq!(code("example.com"), "address.at_sign_missing");
    assert_eq!(code("@example.com"), "address.local_part_empty");
    assert_eq!(code("\"john doe\"@example.com"), "address.local_part_quoted");
    assert_eq!(code("John <john@example.com>"), "address.display_name");
    assert_eq!(code("john(comment)@example.com"), "address.comment");
    assert_eq!(code("john@[192.0.2.1]"), "address.domain_literal");
    assert_eq!(code("john@example.com."), "domain.trailing_dot");
    assert_eq!(code("john@localhost"), "domain.special_use");
    assert_eq!(code("john@b"), "domain.too_few_labels");
    // A second '@' is a character no domain holds, and is named (it was `domain.invalid`).
    assert_eq!(code("a@b@example.com"), "domain.invalid_character");
    assert_eq!(code("john @example.com"), "address.invalid_character");
    assert_eq!(code(" john@example.com"), "address.invalid_character");
}

#[test]
fn header_injection_and_invisible_characters_are_refused() {
    for input in [
        "a@b.com\r\nBcc: x@y.com",
        "a\r\n@b.com",
        "a\n@b.com",
        "a\t@b.com",
        "a\u{0}@b.com",
        "ad\u{202E}min@b.com", // right-to-left override
        "ad\u{200B}min@b.com", // zero-width space
        "ad\u{2028}min@b.com", // line separator
        "ad\u{00A0}min@b.com", // no-break space
        "ad\u{E000}min@b.com", // private use
        "ad\u{0378}min@b.com", // unassigned
        "ad\u{FEFF}min@b.com", // byte order mark (format)
    ] {
        assert!(EmailAddress::new(input).is_err(), "{input:?} was accepted");
    }
}

#[test]
fn local_part_limit_is_64_octets_in_utf8() {
    ok(&format!("{}@example.com", "a".repeat(64)));
    let err = EmailAddress::new(&format!("{}@example.com", "a".repeat(65))).unwrap_err();
    assert!(matches!(err, AddressError::LocalPartTooLong { len: 65, max: 64, .. }), "{err:?}");
    // 32 two-octet characters = 64 octets; 33 = 66.
    ok(&format!("{}@example.com", "é".repeat(32)));
    assert_eq!(code(&format!("{}@example.com", "é".repeat(33))), "address.local_part_too_long");
}

#[test]
fn whole_address_limit_is_254_octets() {
    let l63 = "d".repeat(63);
    // local 64 + '@' + domain 189 = 254
    let domain = format!("{l63}.{l63}.{}.com", "e".repeat(57)); // 63+1+63+1+57+1+3 = 189
    assert_eq!(domain.len(), 189);
    let at_limit = format!("{}@{domain}", "a".repeat(64));
    assert_eq!(at_limit.len(), 254);
    ok(&at_limit);
    let over = format!("{}@{domain}x", "a".repeat(64));
    let err = EmailAddress::new(&over).unwrap_err();
    assert!(matches!(err, AddressError::TooLong { len: 255, max: 254 }), "{err:?}");
    // The limit counts the ASCII form of the domain.
    let unicode_domain = format!("{}.de", "ü".repeat(20));
    let ascii_len = ok(&format!("a@{unicode_domain}")).domain().len();
    assert!(ascii_len > unicode_domain.chars().count());
    assert_eq!(code(&"a".repeat(10_000)), "address.too_long");
}

#[test]
fn display_names() {
    assert_eq!(DisplayName::new("  Acme Support ").unwrap().as_str(), "Acme Support");
    assert_eq!(DisplayName::new("Ünïcödé 支援").unwrap().as_str(), "Ünïcödé 支援");
    assert_eq!(DisplayName::new(" \t ").unwrap_err().code(), "display_name.empty");
    assert!(DisplayName::new(&"x".repeat(MAX_DISPLAY_NAME_CHARS)).is_ok());
    assert!(DisplayName::new(&"é".repeat(MAX_DISPLAY_NAME_CHARS)).is_ok());
    let err = DisplayName::new(&"x".repeat(MAX_DISPLAY_NAME_CHARS + 1)).unwrap_err();
    assert_eq!(err.code(), "display_name.too_long");
    for hostile in [
        "Acme\r\nBcc: evil@example.com",
        "Acme\nSupport",
        "Acme\u{0}",
        "Acme\u{202E}troppuS",
        "Acme\u{2066}x",
        "Acme\u{2028}Support",
        "Acme\u{85}Support",
    ] {
        let err = DisplayName::new(hostile).unwrap_err();
        assert_eq!(err.code(), "display_name.invalid_character", "{hostile:?}");
    }
}

#[test]
fn serde_goes_through_validation() {
    let a: EmailAddress = serde_json::from_str("\"Help@Support.Customer.com\"").unwrap();
    assert_eq!(serde_json::to_string(&a).unwrap(), "\"Help@support.customer.com\"");
    assert!(serde_json::from_str::<EmailAddress>("\"a@b.com\\r\\nBcc: x@y.com\"").is_err());
    assert!(serde_json::from_str::<DisplayName>("\"a\\nb\"").is_err());
}

#[test]
fn characters_that_normalize_to_ascii_are_checked_as_stored() {
    // U+037E GREEK QUESTION MARK is NFC-equivalent to `;`, which no local part may hold.
    assert_eq!(code("a\u{37E}b@x.com"), "address.invalid_character");
    // U+212A KELVIN SIGN is NFC-equivalent to `K`: accepted, stored as plain ASCII.
    let kelvin = ok("\u{212A}elvin@x.com");
    assert_eq!(kelvin.as_str(), "Kelvin@x.com");
    assert!(!kelvin.requires_smtputf8());
    assert_eq!(kelvin, ok("Kelvin@x.com"));
}

#[test]
fn a_local_part_typed_in_either_case_gives_one_lookup_key() {
    // A capital with a combining accent lowercases to a letter with a precomposed form.
    let configured = ok("e\u{38C}\u{3A3}\u{39F}\u{3AB}\u{301}@x.com");
    let typed = ok("e\u{3CC}\u{3C3}\u{3BF}\u{3B0}@x.com");
    assert!(configured.eq_ignore_local_case(&typed));
    assert_eq!(configured.lookup_key(), typed.lookup_key());
    // The key is an address of its own that keys to itself.
    let key = ok(configured.lookup_key());
    assert_eq!(key.lookup_key(), configured.lookup_key());
}

#[test]
fn a_mailbox_with_a_long_name_that_is_not_ascii_reads_back() {
    // 79 characters render as five encoded words, 290 characters in all: longer than a name
    // may be, so the words must be decoded before the name is checked.
    let m = Mailbox::parse(&format!("{} <a@b.com>", "é".repeat(79))).unwrap();
    let shown = m.to_string();
    assert!(shown.len() > 256, "{shown}");
    assert_eq!(Mailbox::parse(&shown).unwrap(), m);
    let zoe = Mailbox::parse("Zoë <a@b.com>").unwrap();
    assert_eq!(zoe.to_string(), "=?UTF-8?B?Wm/Dqw==?= <a@b.com>");
    assert_eq!(Mailbox::parse(&zoe.to_string()).unwrap().name().unwrap().as_str(), "Zoë");
}

fn message(input: &str) -> String {
    match EmailAddress::new(input) {
        Ok(a) => panic!("{input:?} accepted as {a}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn several_addresses_where_one_is_expected_are_named() {
    for (input, count) in [
        ("a@example.org; b@example.org", 2),
        ("a@example.org, b@example.org", 2),
        ("a@example.org,b@example.org", 2),
        ("a@example.org;b@example.org", 2),
        ("a@example.org b@example.org", 2),
        ("a@example.org; b@example.org; c@example.org", 3),
        ("Jane <a@example.org>, Bob <b@example.org>", 2),
    ] {
        let err = EmailAddress::new(input).unwrap_err();
        assert_eq!(err.code(), "address.several_addresses", "{input:?}");
        assert!(
            matches!(&err, AddressError::SeveralAddresses { count: c, .. } if *c == count),
            "{input:?}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains("one address") && text.contains("commas"), "{text}");
        assert!(!text.contains("internationalized"), "{text}");
    }
    // One address with a separator after it is one address: the separator is named.
    assert_eq!(code("a@example.org;"), "domain.invalid_character");
    assert_eq!(code("a@example.org, "), "domain.invalid_character");
    assert!(message("a@example.org;").contains("';'"));
    // Header injection is named as the control character it uses, not as a second address.
    assert_eq!(code("a@example.org\r\nBcc: b@example.org"), "address.invalid_character");
}

#[test]
fn a_comma_in_the_domain_is_named_with_a_hint() {
    assert_eq!(code("jane.doe@example,org"), "domain.invalid_character");
    let text = message("jane.doe@example,org");
    assert!(text.contains("','") && text.contains("write '.'"), "{text}");
    assert!(!text.contains("special-use") && !text.contains("internationalized"), "{text}");
    // The full-width comma of East Asian keyboards gets the same hint.
    assert_eq!(code("jane.doe@example\u{FF0C}org"), "domain.invalid_character");
    assert!(message("jane.doe@example\u{FF0C}org").contains("write '.'"));
    // The dot it stands for is fine.
    ok("jane.doe@example.org");
}

/// An address error that wraps a domain or name error keeps the inner code and ends with the
/// inner message, which an error chain does not print a second time as a source.
#[test]
fn wrapped_errors_say_what_is_wrong_once() {
    let err = EmailAddress::new("jane.doe@example,org").unwrap_err();
    let AddressError::Domain { input, error } = &err else { panic!("{err:?}") };
    assert_eq!((input.as_str(), err.code()), ("jane.doe@example,org", error.code()));
    assert!(err.to_string().ends_with(&error.to_string()), "{err}");
    assert!(std::error::Error::source(&err).is_none());

    let err = Mailbox::parse("Evil\u{7}Name <a@example.org>").unwrap_err();
    let AddressError::InvalidDisplayName { error, .. } = &err else { panic!("{err:?}") };
    assert_eq!((err.code(), error.code()), ("display_name.invalid_character", err.code()));
    assert!(err.to_string().ends_with(&error.to_string()), "{err}");
    assert!(std::error::Error::source(&err).is_none());
}

#[test]
fn every_character_no_domain_holds_is_named() {
    // ASCII punctuation other than '-' and '.', and white space. '(' and '<' '>' name the
    // RFC 5322 form they start (a comment, a display name) instead.
    for c in "!\"#$%&'*+,/:;=?@[\\]^_`{|}~ ".chars().chain(['\u{A0}', '\u{3000}', '\u{FF1B}']) {
        let input = format!("help@exa{c}mple.com");
        assert_eq!(code(&input), "domain.invalid_character", "{input:?}");
        assert!(!message(&input).contains("internationalized"), "{input:?}");
    }
    assert_eq!(code("help@exa(mple.com"), "address.comment");
    assert_eq!(code("help@exa<mple.com"), "address.display_name");
    assert_eq!(code("help@example.com "), "domain.invalid_character");
    // Hyphens and dots are the punctuation a domain holds.
    ok("help@ex-ample.co.uk");
}

#[test]
fn a_local_part_may_not_start_with_a_combining_mark() {
    for input in [
        "\u{300}@example.com",    // grave accent (Mn)
        "\u{301}abc@example.com", // acute accent (Mn)
        "\u{903}x@example.com",   // Devanagari visarga (Mc)
        "\u{20DD}x@example.com",  // enclosing circle (Me)
        "\u{301}\u{300}abc@example.com",
    ] {
        let err = EmailAddress::new(input).unwrap_err();
        assert_eq!(err.code(), "address.leading_combining_mark", "{input:?}");
        assert!(err.to_string().contains("combining mark U+"), "{err}");
    }
    // After a letter a mark is fine (NFC composes this one), and so is one after a dot, as
    // in email-validator: only the start of the address touches what precedes it.
    assert_eq!(ok("a\u{300}@example.com").local_part(), "à");
    ok("x\u{903}@example.com");
    ok("a.\u{300}b@example.com");
    // The domain may not start with one either, even one UTS #46 would map to a letter.
    assert_eq!(code("a@\u{345}b.com"), "domain.leading_combining_mark");
    assert_eq!(code("a@\u{FE0F}example.com"), "domain.leading_combining_mark");
    ok("a@exa\u{FE0F}mple.com");
}

#[test]
fn domains_follow_idna_2008() {
    // Symbols and punctuation UTS #46 alone would accept.
    for input in ["a@a\u{2665}b.com", "a@a\u{A1}b.com", "a@a\u{2027}b.com", "a@a\u{B7}b.com"] {
        assert_eq!(code(input), "domain.invalid_character", "{input:?}");
    }
    // The middle dot is allowed between two 'l's (Catalan), and nowhere else.
    assert_eq!(ok("a@l\u{B7}l.com").domain(), "xn--ll-0ea.com");
    // Invisible joiners are refused in domains as in local parts.
    assert_eq!(
        code("a@\u{646}\u{627}\u{645}\u{647}\u{200C}\u{627}\u{6CC}.com"),
        "domain.invisible_character"
    );
    ok("a@\u{646}\u{627}\u{645}\u{647}\u{627}\u{6CC}.com");
}

#[test]
fn lengths_count_the_stored_form_not_the_typed_one() {
    // email-validator also refuses when the typed input or the Unicode form of the domain is
    // over 254 octets; the stored (and sent) form is what is limited here.
    let label = "ü".repeat(20); // 40 octets in UTF-8, 26 as an A-label
    let domain = format!("{0}.{0}.{0}.{0}.{0}.{0}.de", label);
    let input = format!("{}@{domain}", "a".repeat(64));
    assert!(input.len() > MAX_ADDRESS_OCTETS);
    let a = ok(&input);
    assert_eq!(a.as_str().len(), 64 + 1 + 6 * 26 + 5 + 3);
    assert!(a.as_str().len() <= MAX_ADDRESS_OCTETS);
}
