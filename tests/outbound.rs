//! Outbound replies: sender rules, recipient limit, hidden auto-BCC, header safety, and interop
//! with lettre.

use std::collections::HashSet;
use std::str::FromStr;

use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
use email_routing::outbound::OutboundError;
use email_routing::outbound::{self, OutboundDraft, OutboundEnvelope, RenderOptions};
use email_routing::*;

fn org() -> OrgEmailConfig {
    let root: DomainName = "mail.example.net".parse().unwrap();
    let mut org = OrgEmailConfig::new(root.clone());
    org.add_domain(Domain::hosted("acme", &root).unwrap()).unwrap();
    org.add_domain(Domain::custom("support.customer.com".parse().unwrap())).unwrap();
    let bcc: Vec<EmailAddress> =
        (0..3).map(|i| format!("audit{i}@customer.com").parse().unwrap()).collect();
    org.add_route(
        AddressRoute::new(
            "help@support.customer.com".parse().unwrap(),
            DisplayName::new("Équipe d'aide").unwrap(),
            RoutingTarget::OutboundOnly,
        )
        .with_reply_to("replies@support.customer.com".parse().unwrap())
        .with_auto_bcc(bcc)
        .unwrap(),
    )
    .unwrap();
    org.add_route(AddressRoute::new(
        "info@acme.mail.example.net".parse().unwrap(),
        DisplayName::new("Acme, Inc.").unwrap(),
        RoutingTarget::OutboundOnly,
    ))
    .unwrap();
    org.add_route(
        AddressRoute::new(
            "sales@support.customer.com".parse().unwrap(),
            DisplayName::new("Sales").unwrap(),
            RoutingTarget::OutboundOnly,
        )
        .with_from_address("info@acme.mail.example.net".parse().unwrap()),
    )
    .unwrap();
    org
}

fn verified() -> HashSet<DomainName> {
    ["support.customer.com".parse().unwrap()].into()
}

fn help() -> OutboundDraft {
    OutboundDraft::new("help@support.customer.com".parse().unwrap())
}

/// The header section of the rendered message (up to the blank line), CRLF kept.
fn header_block(env: &OutboundEnvelope) -> String {
    let at = Timestamp::from_unix_millis(1_780_000_000_000).unwrap();
    let message = env.render(&RenderOptions::new(at, "t-1")).unwrap();
    let text = String::from_utf8(message.into_bytes()).unwrap();
    let end = text.find("\r\n\r\n").map_or(text.len(), |i| i + 2);
    text[..end].to_owned()
}

fn recipients(n: usize) -> String {
    (0..n).map(|i| format!("c{i}@example.org")).collect::<Vec<_>>().join(", ")
}

#[test]
fn from_reply_to_and_hidden_auto_bcc() {
    let env = outbound::compose(
        &org(),
        &help().with_to("Jane <jane@example.org>").with_subject("Re: order"),
        &verified(),
    )
    .unwrap();
    assert_eq!(env.from().address().as_str(), "help@support.customer.com");
    assert_eq!(env.from().name().unwrap().as_str(), "Équipe d'aide");
    assert_eq!(env.reply_to().unwrap().as_str(), "replies@support.customer.com");
    let rcpt: Vec<&str> = env.smtp_recipients().map(EmailAddress::as_str).collect();
    assert_eq!(
        rcpt,
        ["jane@example.org", "audit0@customer.com", "audit1@customer.com", "audit2@customer.com"]
    );
    let view = env.agent_view();
    assert_eq!(view.recipient_count(), 1);
    let shown = format!("{view:?}");
    assert!(!shown.contains("audit"), "the agent view leaks auto-BCC: {shown}");
    let block = header_block(&env);
    assert!(!block.contains("audit"), "a header leaks auto-BCC: {block}");
    assert!(!block.contains("Bcc"));
    assert!(block.to_ascii_lowercase().contains("from: =?utf-8?"), "{block}");
    assert!(block.contains("Reply-To: <replies@support.customer.com>\r\n"), "{block}");
    assert!(block.contains("To: \"Jane\" <jane@example.org>\r\n"), "{block}");
    assert!(block.contains("Subject: Re: order\r\n"), "{block}");
}

#[test]
fn unverified_custom_domain_cannot_send_hosted_always_can() {
    let org = org();
    let err =
        outbound::compose(&org, &help().with_to("a@example.org"), &HashSet::new()).unwrap_err();
    assert_eq!(err.code(), "outbound.domain_not_verified");
    assert!(err.to_string().contains("support.customer.com"));
    // sales@ sends from the hosted info@, which needs no verification.
    let sales =
        OutboundDraft::new("sales@support.customer.com".parse().unwrap()).with_to("a@example.org");
    let env = outbound::compose(&org, &sales, &HashSet::<DomainName>::new()).unwrap();
    assert_eq!(env.from().to_string(), "Sales <info@acme.mail.example.net>");
    // Closures work as the verification source.
    assert!(
        outbound::compose(&org, &help().with_to("a@example.org"), &|d: &DomainName| d.as_str()
            == "support.customer.com")
        .is_ok()
    );
}

#[test]
fn recipient_limit_counts_auto_bcc_and_ignores_exact_duplicates() {
    let org = org();
    // 47 typed + 3 auto-BCC = 50: accepted.
    let env = outbound::compose(
        &org,
        &help().with_to(recipients(40)).with_cc(recipients(47)).with_bcc("c46@example.org"),
        &verified(),
    )
    .unwrap();
    assert_eq!(env.smtp_recipients().count(), 50);
    assert_eq!(env.agent_view().to().len(), 40);
    assert_eq!(env.agent_view().cc().len(), 7);
    assert!(env.agent_view().bcc().is_empty());
    // 48 typed + 3 = 51: refused, and the error says how many the settings added.
    let err = outbound::compose(&org, &help().with_to(recipients(48)), &verified()).unwrap_err();
    match &err {
        OutboundError::TooManyRecipients { count, added, max } => {
            assert_eq!((*count, *added, *max), (51, 3, 50))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), "outbound.too_many_recipients");
    // An auto-BCC the agent also typed still counts, so a guess cannot be confirmed by the
    // count, but it is delivered once. AUDIT1 differs in local-part case: another mailbox.
    let typed = help().with_to(recipients(45)).with_cc("audit0@customer.com, AUDIT1@customer.com");
    let env = outbound::compose(&org, &typed, &verified()).unwrap();
    assert_eq!(env.smtp_recipients().count(), 45 + 2 + 2);
    let right_guess = outbound::compose(
        &org,
        &help().with_to(recipients(47)).with_cc("audit0@customer.com"),
        &verified(),
    );
    let wrong_guess = outbound::compose(
        &org,
        &help().with_to(recipients(47)).with_cc("nobody@customer.com"),
        &verified(),
    );
    assert_eq!(right_guess.unwrap_err(), wrong_guess.unwrap_err());
    assert!(!format!("{env:?}").contains("audit2"), "Debug leaks auto-BCC");
}

#[test]
fn no_recipients_unknown_route_and_bad_input() {
    let org = org();
    assert_eq!(
        outbound::compose(&org, &help(), &verified()).unwrap_err().code(),
        "outbound.no_recipients"
    );
    assert_eq!(
        outbound::compose(&org, &help().with_to(" , "), &verified()).unwrap_err().code(),
        "outbound.no_recipients"
    );
    let ghost =
        OutboundDraft::new("ghost@support.customer.com".parse().unwrap()).with_to("a@example.org");
    assert_eq!(
        outbound::compose(&org, &ghost, &verified()).unwrap_err().code(),
        "outbound.unknown_route"
    );
    let err = outbound::compose(&org, &help().with_to("a@b.com\r\nBcc: x@y.com"), &verified())
        .unwrap_err();
    assert!(matches!(err, OutboundError::InvalidRecipient { .. }), "{err:?}");
    assert_eq!(err.code(), "address.invalid_character");
    let err =
        outbound::compose(&org, &help().with_cc("ok@example.org, not-an-address"), &verified())
            .unwrap_err();
    assert!(
        matches!(&err, OutboundError::InvalidRecipient { field: RecipientField::Cc, input, .. } if input == "not-an-address")
    );
    let err =
        outbound::compose(&org, &help().with_to("Evil\r\nBcc: x@y.com <a@b.com>"), &verified())
            .unwrap_err();
    assert!(matches!(err, OutboundError::InvalidRecipient { .. }), "{err:?}");
    assert_eq!(err.code(), "display_name.invalid_character");
    let err = outbound::compose(
        &org,
        &help().with_to("a@example.org").with_subject("Hi\r\nBcc: x@y.com"),
        &verified(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "outbound.subject_invalid");
    // The longest subject, one unbreakable word, still renders lines within RFC 5322's 998.
    let max_subject = Limits::default().max_subject_chars();
    let longest = help().with_to("a@example.org").with_subject("x".repeat(max_subject));
    let block = header_block(&outbound::compose(&org, &longest, &verified()).unwrap());
    assert!(block.split("\r\n").all(|line| line.len() <= 78), "{block}");
    // A subject word that looks like an encoded word is encoded, not passed on to be decoded.
    let disguised =
        help().with_to("a@example.org").with_subject("=?utf-8?q?=3Cceo=40bank=2Ecom=3E?=");
    let block = header_block(&outbound::compose(&org, &disguised, &verified()).unwrap());
    assert!(!block.contains("=?utf-8?q?"), "{block}");
    let long = "x".repeat(max_subject + 1);
    assert_eq!(
        outbound::compose(&org, &help().with_to("a@example.org").with_subject(long), &verified())
            .unwrap_err()
            .code(),
        "outbound.subject_too_long"
    );
    assert!(
        outbound::compose(
            &org,
            &help().with_to("a@example.org").with_subject("x".repeat(max_subject)),
            &verified()
        )
        .is_ok()
    );
}

#[test]
fn smtputf8_and_encoded_headers() {
    let org = org();
    let env = outbound::compose(
        &org,
        &help().with_to("用户@例え.jp").with_subject("Ihre Bestellung über 100 €"),
        &verified(),
    )
    .unwrap();
    assert!(env.requires_smtputf8());
    let block = header_block(&env);
    let subject = block.lines().find(|l| l.starts_with("Subject: ")).unwrap();
    assert!(subject.to_ascii_lowercase().starts_with("subject: =?utf-8?"), "{subject}");
    let ascii = outbound::compose(&org, &help().with_to("a@bücher.de"), &verified()).unwrap();
    assert!(!ascii.requires_smtputf8());
    for line in header_block(&env).split("\r\n") {
        assert!(line.len() <= 998);
        assert!(!line.contains('\r') && !line.contains('\n'));
    }
}

#[test]
fn long_headers_fold_at_white_space() {
    let env = outbound::compose(
        &org(),
        &help().with_to(recipients(30)).with_subject("word ".repeat(60)),
        &verified(),
    )
    .unwrap();
    let block = header_block(&env);
    for line in block.split("\r\n").filter(|l| !l.is_empty()) {
        assert!(line.len() <= 78 || !line.trim_start().contains(' '), "line too long: {line:?}");
    }
    // Unfolding gives back the values.
    let unfolded = block.replace("\r\n ", " ");
    let to = unfolded.lines().find(|l| l.starts_with("To: ")).unwrap();
    let listed: Vec<String> = (0..30).map(|i| format!("<c{i}@example.org>")).collect();
    assert_eq!(to, format!("To: {}", listed.join(", ")));
}

#[test]
fn a_run_of_spaces_in_a_name_never_folds_into_a_blank_line() {
    let to = format!("\"{}     {}\" <jane@example.org>", "a".repeat(74), "b".repeat(80));
    let block = header_block(
        &outbound::compose(&org(), &help().with_to(to).with_subject("Re: x"), &verified()).unwrap(),
    );
    for line in block.trim_end_matches("\r\n").split("\r\n") {
        assert!(!line.trim().is_empty(), "a line of white space alone in {block:?}");
    }
    let at = Timestamp::from_unix_millis(1_780_000_000_000).unwrap();
    let env = outbound::compose(
        &org(),
        &help().with_to(format!(
            "\"{}     {}\" <jane@example.org>",
            "a".repeat(74),
            "b".repeat(80)
        )),
        &verified(),
    )
    .unwrap();
    let bytes = env.render(&RenderOptions::new(at, "t-1")).unwrap().into_bytes();
    let back = inbound::InboundEmail::from_rfc5322(&bytes, inbound::Envelope::new(), at);
    let name = back.to()[0].name().unwrap().as_str().to_owned();
    assert_eq!(name, format!("{}     {}", "a".repeat(74), "b".repeat(80)));
}

/// Every header value the crate produces parses with lettre, to the same addresses.
#[test]
fn every_header_is_accepted_by_lettre() {
    let org = org();
    let drafts = [
        help()
            .with_to("Jane <jane@example.org>, \"Doe, John\" <john@example.org>")
            .with_cc("Zoë <zoe@bücher.de>")
            .with_subject("Re: ünïcode"),
        OutboundDraft::new("sales@support.customer.com".parse().unwrap())
            .with_to("a@example.org")
            .with_subject("plain"),
        help().with_to("\"Say \\\"hi\\\"\" <q@example.org>"),
    ];
    for draft in &drafts {
        let env = outbound::compose(&org, draft, &verified()).unwrap();
        let block = header_block(&env).replace("\r\n ", " ").replace("\r\n\t", " ");
        for line in block.lines() {
            let Some((name, value)) = line.split_once(": ") else { continue };
            if !["From", "Reply-To", "To", "Cc"].contains(&name) {
                continue;
            }
            let parsed = lettre::message::Mailboxes::from_str(value)
                .unwrap_or_else(|e| panic!("lettre refused {name}: {value:?}: {e}"));
            let ours: Vec<String> = match name {
                "From" => vec![env.from().address().to_string()],
                "Reply-To" => vec![env.reply_to().unwrap().to_string()],
                "To" => env.agent_view().to().iter().map(|m| m.address().to_string()).collect(),
                "Cc" => env.agent_view().cc().iter().map(|m| m.address().to_string()).collect(),
                other => panic!("unexpected header {other}"),
            };
            let theirs: Vec<String> = parsed.into_iter().map(|m| m.email.to_string()).collect();
            assert_eq!(ours, theirs, "{name}");
        }
        // And a whole message built from the envelope is accepted.
        let mut builder = lettre::Message::builder()
            .from(lettre::message::Mailbox::from_str(&env.from().to_string()).unwrap())
            .subject(env.agent_view().subject().as_str());
        for m in env.agent_view().to() {
            builder = builder.to(m.to_string().parse().unwrap());
        }
        for m in env.agent_view().cc() {
            builder = builder.cc(m.to_string().parse().unwrap());
        }
        let message = builder.body(String::from("Thanks!")).unwrap();
        assert!(!message.formatted().is_empty());
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The header block is well-formed RFC 5322 whatever the names: CRLF line ends, no
        /// line of white space alone, no line over 998, and unfolding gives the values back.
        #[test]
        fn the_header_block_folds_into_well_formed_lines(
            names in prop::collection::vec("[a-z]{0,12}( {1,4}[a-z+=]{0,30}){0,6}|\\PC{1,40}", 1..6),
            subject in "[a-z ]{0,200}",
        ) {
            let to = names
                .iter()
                .enumerate()
                .map(|(i, name)| format!("\"{}\" <r{i}@example.org>", name.replace(['"', '\\'], "")))
                .collect::<Vec<_>>()
                .join(", ");
            let org = org();
            let Ok(env) = outbound::compose(&org, &help().with_to(to).with_subject(subject), &verified()) else {
                return Ok(());
            };
            let block = header_block(&env);
            prop_assert!(block.ends_with("\r\n"));
            let lines: Vec<&str> = block.trim_end_matches("\r\n").split("\r\n").collect();
            for line in &lines {
                prop_assert!(!line.contains(['\r', '\n']), "{:?}", block);
                prop_assert!(!line.trim().is_empty(), "a line of white space alone: {:?}", block);
                prop_assert!(line.len() <= 998);
            }
            // What a mail reader makes of the rendered header: the same recipients.
            let at = Timestamp::from_unix_millis(1_780_000_000_000).unwrap();
            let rendered = env.render(&RenderOptions::new(at, "t-1")).unwrap();
            let back = inbound::InboundEmail::from_rfc5322(rendered.as_bytes(), inbound::Envelope::new(), at);
            prop_assert_eq!(back.to(), env.agent_view().to());
            prop_assert_eq!(back.subject().unwrap_or(""), env.agent_view().subject().as_str());
        }

        #[test]
        fn compose_never_panics_and_never_emits_a_line_break(
            to in any::<String>(), cc in "[ -~]{0,80}", subject in any::<String>()
        ) {
            let org = org();
            if let Ok(env) = outbound::compose(&org, &help().with_to(to).with_cc(cc).with_subject(subject), &verified()) {
                prop_assert!(env.smtp_recipients().count() <= org.limits().max_recipients());
                let block = header_block(&env);
                for line in block.split("\r\n") {
                    prop_assert!(!line.contains(['\r', '\n']), "{:?}", block);
                }
            }
        }
    }
}

/// Typing habits in a To field get errors that say what to do, not what a fragment lacks.
#[test]
fn typing_mistakes_in_recipient_fields_name_the_mistake() {
    let org = org();
    for (typed, code, hint) in [
        ("a@example.org; b@example.org", "address.several_addresses", "comma"),
        ("jane.doe@example,org", "domain.invalid_character", "'.'"),
    ] {
        let err =
            outbound::compose(&org, &help().with_to(typed).with_subject("Re: order"), &verified())
                .unwrap_err();
        let OutboundError::InvalidRecipient { input, error, .. } = &err else { panic!("{err:?}") };
        assert_eq!((input.as_str(), error.code()), (typed, code), "{err}");
        // The wrapper passes the address's code through, and says what is wrong once.
        assert_eq!(err.code(), code);
        assert!(std::error::Error::source(&err).is_none());
        assert!(err.to_string().contains(hint), "{err}");
    }
}
