//! Properties of received-mail handling: no input makes reading or dispatching panic, a
//! message always comes back with its envelope, recipients we render read back identically,
//! and automatic mail is never routed under the default policy.

mod inbound_fixtures;

use email_routing::inbound::{
    self, AutoAction, AutoKind, DispatchAction, DispatchReason, Envelope, InboundEmail,
    InboundPolicy, MAX_FIELD_CHARS, MAX_IDS, SenderRateGuard, SourceFormat, Verdict, Verdicts,
};
use email_routing::{DisplayName, EmailAddress, Mailbox};
use inbound_fixtures::*;
use proptest::prelude::*;

const HELP: &str = "help@support.customer.com";
const SALES: &str = "sales@support.customer.com";

const FIXTURES: [&str; 14] = [
    "arf-report.eml",
    "bulk-newsletter.eml",
    "customer-50k.eml",
    "customer-with-attachments.eml",
    "exchange-bounce.eml",
    "forged-authentication-results.eml",
    "gmail-vacation.eml",
    "hostile-headers.eml",
    "mailing-list-mailman2.eml",
    "mailing-list-post.eml",
    "outlook-oof.eml",
    "postfix-bounce.eml",
    "qmail-bounce.eml",
    "read-receipt.eml",
];

/// The fields the crate reads, and a few it does not, in any case.
fn field_name() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "From",
            "Sender",
            "Reply-To",
            "To",
            "Cc",
            "Subject",
            "Date",
            "Message-ID",
            "In-Reply-To",
            "References",
            "Return-Path",
            "Auto-Submitted",
            "Precedence",
            "X-Autoreply",
            "X-Auto-Response-Suppress",
            "List-Id",
            "List-Unsubscribe",
            "Content-Type",
            "Content-Transfer-Encoding",
            "Content-Disposition",
            "MIME-Version",
            "Authentication-Results",
            "X-Loop",
            "Received",
            "X-Unknown",
        ]),
        any::<bool>(),
    )
        .prop_map(|(name, lower)| if lower { name.to_ascii_lowercase() } else { name.to_owned() })
}

/// Header-ish text: printable ASCII, the characters that mean something in headers, folding,
/// bare CR and LF, UTF-8 and encoded-word pieces.
fn field_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,120}",
        prop::collection::vec(
            prop::sample::select(vec![
                " ",
                "\t",
                "\r\n ",
                "\r\n\t",
                "\r\n",
                "\n",
                "\r",
                ",",
                ";",
                ":",
                "<",
                ">",
                "@",
                "\"",
                "\\",
                "(",
                ")",
                "=?UTF-8?Q?",
                "=?utf-8?b?",
                "?=",
                "=C3",
                "=A9",
                "help",
                "support.customer.com",
                "help@support.customer.com",
                "x@example.org",
                "multipart/report",
                "report-type=",
                "delivery-status",
                "boundary=",
                "auto-replied",
                "bulk",
                "pass",
                "fail",
                "dmarc=",
                "p=reject",
                "é",
                "サポート",
                "\u{202E}",
            ]),
            0..40,
        )
        .prop_map(|parts| parts.concat()),
    ]
}

/// Raw bytes shaped like a message: header lines (any separator), maybe a body, maybe not
/// UTF-8.
fn message_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((field_name(), field_value()), 0..12),
        prop::sample::select(vec!["\r\n", "\n", "\r"]),
        prop::option::of(any::<String>()),
        prop::collection::vec(any::<u8>(), 0..16),
    )
        .prop_map(|(fields, eol, body, noise)| {
            let mut raw = Vec::new();
            for (name, value) in fields {
                raw.extend_from_slice(format!("{name}: {value}{eol}").as_bytes());
            }
            raw.extend_from_slice(&noise);
            if let Some(body) = body {
                raw.extend_from_slice(eol.as_bytes());
                raw.extend_from_slice(body.as_bytes());
            }
            raw
        })
}

/// A fixture message cut short and with bytes spliced in: broken MIME in real structures.
fn mangled_fixture() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(FIXTURES.to_vec()),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(name, cut, at, splice)| {
            let mut raw = eml(name);
            raw.truncate(cut.index(raw.len() + 1));
            let at = at.index(raw.len() + 1);
            raw.splice(at..at, splice);
            raw
        })
}

fn raw_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![prop::collection::vec(any::<u8>(), 0..2048), message_bytes(), mangled_fixture()]
}

fn arbitrary_envelope() -> impl Strategy<Value = Envelope> {
    (prop::option::of(field_value()), prop::collection::vec(field_value(), 0..3)).prop_map(
        |(mail_from, recipients)| {
            let mut envelope = Envelope::new();
            if let Some(mail_from) = mail_from {
                envelope = envelope.with_mail_from(&mail_from);
            }
            recipients.into_iter().fold(envelope, Envelope::with_recipient)
        },
    )
}

fn verdict() -> impl Strategy<Value = Verdict> {
    prop::sample::select(vec![
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Gray,
        Verdict::ProcessingFailed,
        Verdict::Disabled,
    ])
}

fn verdicts() -> impl Strategy<Value = Verdicts> {
    (verdict(), verdict(), verdict(), verdict(), verdict(), 0u8..4).prop_map(
        |(spam, virus, spf, dkim, dmarc, policy)| Verdicts {
            spam,
            virus,
            spf,
            dkim,
            dmarc,
            dmarc_policy: [
                None,
                Some(inbound::DmarcPolicy::None),
                Some(inbound::DmarcPolicy::Quarantine),
                Some(inbound::DmarcPolicy::Reject),
            ][policy as usize],
        },
    )
}

/// The policies a host might run: the default, one that trusts an authserv-id and sets a loop
/// marker, one that processes every kind, and tiny limits.
fn policies() -> Vec<InboundPolicy> {
    vec![
        InboundPolicy::default(),
        InboundPolicy::default()
            .with_authserv_id("amazonses.com")
            .unwrap()
            .with_loop_marker("email-routing@support.customer.com")
            .unwrap(),
        AutoKind::ALL
            .iter()
            .fold(InboundPolicy::default(), |p, &k| p.with_auto_action(k, AutoAction::Process))
            .with_inconclusive_virus_disconnected(false)
            .with_dmarc_failure_as_spam(false, false),
        InboundPolicy::default()
            .with_max_message_octets(1)
            .unwrap()
            .with_max_attachments(1)
            .unwrap(),
    ]
}

/// What must hold of any dispatch: a routed message matched a configured address, and under
/// the default policy neither a virus, spam nor automatic mail takes the normal route.
fn check_dispatch(email: &InboundEmail, policy: &InboundPolicy) -> Result<(), TestCaseError> {
    let org = org();
    let mut guard = SenderRateGuard::default();
    let d = inbound::dispatch(&org, email, policy, &mut guard);
    let routed = matches!(d.action(), DispatchAction::Queue(_) | DispatchAction::Flow(_));
    if let Some(m) = d.matched() {
        prop_assert!([HELP, SALES].contains(&m.route().address().as_str()));
    }
    if d.reason() == &DispatchReason::Route {
        prop_assert!(routed);
        prop_assert!(d.matched().is_some());
        prop_assert_ne!(d.verdicts().virus, Verdict::Fail);
        prop_assert_ne!(d.verdicts().spam, Verdict::Fail);
        if policy == &InboundPolicy::default() {
            prop_assert_eq!(email.auto_generated(), None);
            prop_assert!(![Verdict::Gray, Verdict::ProcessingFailed].contains(&d.verdicts().virus));
        }
    }
    prop_assert_eq!(
        d.matched().is_none(),
        matches!(
            d.reason(),
            DispatchReason::TooLarge { .. }
                | DispatchReason::TooManyAttachments { .. }
                | DispatchReason::Virus
                | DispatchReason::VirusScanInconclusive { .. }
                | DispatchReason::NoConfiguredAddress
        )
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any bytes give exactly one message, with the envelope as given and the size as
    /// received; every kept value stays within its bound.
    #[test]
    fn any_bytes_read_as_one_message_with_its_envelope(raw in raw_input(), envelope in arbitrary_envelope()) {
        let email = InboundEmail::from_rfc5322(&raw, envelope.clone(), at(0));
        prop_assert_eq!(email.envelope(), &envelope);
        prop_assert_eq!(email.format(), SourceFormat::Rfc5322);
        prop_assert_eq!(email.size_octets(), Some(raw.len() as u64));
        prop_assert_eq!(email.received_at(), at(0));
        prop_assert_eq!(email.verdicts(), &Verdicts::none());
        if let Some(error) = email.read_error() {
            prop_assert_eq!(error.code(), "inbound.unreadable");
        }
        prop_assert!(email.subject().is_none_or(|s| s.chars().count() <= MAX_FIELD_CHARS));
        prop_assert!(email.references().len() <= MAX_IDS);
        prop_assert!(email.in_reply_to().len() <= MAX_IDS);
        prop_assert!(email.list_id().is_none_or(|s| s.chars().count() <= MAX_FIELD_CHARS));
        prop_assert!(email.skipped().iter().all(|s| s.raw().chars().count() <= MAX_FIELD_CHARS));
        let _ = email.auto_generated();
        let _ = email.authentication_results("amazonses.com");
        for policy in policies() {
            check_dispatch(&email, &policy)?;
        }
    }

    /// Arbitrary header fields, envelope, verdicts, size and attachments never make the
    /// dispatch panic, under any policy, and its invariants hold.
    #[test]
    fn dispatch_never_panics_on_arbitrary_fields(
        fields in prop::collection::vec((field_name(), field_value()), 0..10),
        envelope in prop::collection::vec(
            prop_oneof![field_value(), Just(HELP.to_owned()), Just(format!("<{SALES}>"))],
            0..3,
        ),
        mail_from in prop::option::of(field_value()),
        verdicts in verdicts(),
        size in prop::option::of(any::<u64>()),
        attachments in 0usize..60,
    ) {
        let mut email = InboundEmail::new(at(0)).with_verdicts(verdicts);
        for (name, value) in &fields {
            email = email.with_header(name, value);
        }
        for recipient in envelope {
            email = email.with_envelope_recipient(recipient);
        }
        if let Some(mail_from) = mail_from {
            email = email.with_mail_from(&mail_from);
        }
        if let Some(size) = size {
            email = email.with_size_octets(size);
        }
        for i in 0..attachments {
            email = email.with_attachment(Some(&format!("f{i}.bin")), "Application/Octet-Stream", i as u64);
        }
        prop_assert_eq!(email.format(), SourceFormat::Parts);
        prop_assert!(email.attachments().iter().all(|a| a.media_type() == "application/octet-stream"));
        for policy in policies() {
            check_dispatch(&email, &policy)?;
        }
    }

    /// Any text, JSON-shaped or not, given as an SES notification never panics: it reads, or
    /// is `inbound.ses_invalid`.
    #[test]
    fn any_text_as_an_ses_notification_never_panics(json in ses_input()) {
        match InboundEmail::from_ses(&json, at(0)) {
            Ok(email) => {
                prop_assert_eq!(email.format(), SourceFormat::Ses);
                for policy in policies() {
                    check_dispatch(&email, &policy)?;
                }
            }
            Err(e) => prop_assert_eq!(e.code(), "inbound.ses_invalid"),
        }
    }
}

/// Keys SES and SNS write, so generated objects reach the reader's deeper paths.
const SES_KEYS: [&str; 22] = [
    "Records",
    "ses",
    "eventSource",
    "Type",
    "Message",
    "notificationType",
    "receipt",
    "mail",
    "content",
    "recipients",
    "destination",
    "source",
    "headers",
    "headersTruncated",
    "name",
    "value",
    "action",
    "encoding",
    "status",
    "spamVerdict",
    "virusVerdict",
    "dmarcPolicy",
];

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        field_value().prop_map(Value::String),
        prop::sample::select(vec!["PASS", "FAIL", "GRAY", "BASE64", "UTF8", "reject", HELP])
            .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(SES_KEYS.to_vec()), inner), 0..6).prop_map(
                |entries| {
                    Value::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                }
            ),
        ]
    })
}

/// A sample event with characters spliced in and cut short.
fn mangled_sample() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "example-ses-event.json",
            "example-ses-bcc-event.json",
            "example-ses-s3-event.json",
            "example-ses-sns-event.json",
        ]),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        "[{}\\[\\]\":,0-9a-zA-Z \\\\.-]{0,8}",
    )
        .prop_map(|(name, cut, at, splice)| {
            let text = String::from_utf8(fixture("ses", name)).unwrap();
            let chars: Vec<char> = text.chars().collect();
            let cut = cut.index(chars.len() + 1);
            let at = at.index(cut + 1);
            chars[..at]
                .iter()
                .copied()
                .chain(splice.chars())
                .chain(chars[at..cut].iter().copied())
                .collect()
        })
}

fn ses_input() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[{}\\[\\]\":,0-9a-zA-Z \\\\.-]{0,200}",
        json_value().prop_map(|v| v.to_string()),
        // A generated notification inside an SNS envelope.
        json_value()
            .prop_map(|v| serde_json::json!({"Type": "Notification", "Message": v.to_string()})
                .to_string()),
        mangled_sample(),
    ]
}

/// Display names with what makes rendering hard: non-ASCII, quotes, commas, specials,
/// backslashes, text that looks like an encoded word.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{1,40}",
        "[ -~]{1,40}",
        prop::collection::vec(
            prop::sample::select(vec![
                "José",
                "García",
                "O'Brien,",
                "Pat",
                "(Billing)",
                "\"Sales,",
                "EMEA\"",
                "Müller",
                "サポート",
                "支援",
                "Zoë",
                "a\\b",
                ";",
                ":",
                "<x>",
                "@",
                "=?utf-8?q?x?=",
                "Ω",
                "team",
                "Customer",
                "Co.",
                "\u{1F600}",
            ]),
            1..8,
        )
        .prop_map(|words| words.join(" ")),
    ]
}

fn address() -> impl Strategy<Value = String> {
    (
        prop_oneof!["[a-z0-9]{1,10}(\\.[a-z0-9_+-]{1,8}){0,2}", "[a-z]{1,4}(é|ü|用户|ß)[a-z]{0,4}"],
        prop::sample::select(vec![
            "example.com",
            "example.org",
            "support.customer.com",
            "bücher.de",
        ]),
    )
        .prop_map(|(local, domain)| format!("{local}@{domain}"))
}

fn mailbox_list() -> impl Strategy<Value = Vec<Mailbox>> {
    prop::collection::vec((prop::option::of(name()), address()), 1..6).prop_map(|entries| {
        entries
            .into_iter()
            .filter_map(|(name, address)| {
                let name = match name {
                    Some(n) => Some(DisplayName::new(&n).ok()?),
                    None => None,
                };
                Some(Mailbox::new(name, EmailAddress::new(&address).ok()?))
            })
            .collect()
    })
}

/// `name: value` folded at white space to stay within 78 octets a line where it can (RFC 5322
/// 2.1.1, 2.2.3): CRLF + space before a word that would pass the limit, never before the
/// first word, never making a line of white space alone.
fn folded_field(name: &str, value: &str) -> String {
    let mut out = format!("{name}:");
    let mut line = out.len();
    for (i, word) in value.split(' ').enumerate() {
        if i > 0 && !word.is_empty() && line + 1 + word.len() > 78 {
            out.push_str("\r\n ");
            line = 1;
        } else {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out.push_str("\r\n");
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Recipients written into a message as a mail client would (each mailbox's header form,
    /// joined by ", ", folded at 78 columns) read back from the raw message identically:
    /// same addresses, same names, same order, none skipped.
    #[test]
    fn rendered_recipients_read_back_identically(to in mailbox_list(), cc in mailbox_list()) {
        prop_assume!(!to.is_empty());
        let render = |list: &[Mailbox]| list.iter().map(Mailbox::to_string).collect::<Vec<_>>().join(", ");
        let mut raw = String::from("From: Jane Doe <jane@example.org>\r\n");
        raw.push_str(&folded_field("To", &render(&to)));
        if !cc.is_empty() {
            raw.push_str(&folded_field("Cc", &render(&cc)));
        }
        raw.push_str("Subject: Order 4471\r\nMessage-ID: <r@example.org>\r\n\r\nHello\r\n");
        // No folded line is white space alone (RFC 5322 3.2.2).
        prop_assert!(raw.split("\r\n").all(|line| line.is_empty() || !line.trim().is_empty()), "{}", raw);
        let email = InboundEmail::from_rfc5322(raw.as_bytes(), envelope("jane@example.org", HELP), at(0));
        prop_assert_eq!(email.read_error(), None);
        prop_assert_eq!(email.to(), to.as_slice(), "{}", raw);
        prop_assert_eq!(email.cc(), cc.as_slice(), "{}", raw);
        prop_assert!(email.skipped().is_empty(), "{:?}\n{}", email.skipped(), raw);
    }

    /// Mail carrying any one automatic signal, in any case, among ordinary fields, is never
    /// routed under the default policy: it is disconnected as automatic.
    #[test]
    fn automatic_mail_is_never_routed_by_default(
        signal in auto_signal(),
        subject in "[ -~]{0,60}",
        to_sales in any::<bool>(),
        clean in any::<bool>(),
    ) {
        let (fields, mail_from) = signal;
        let rcpt_to = if to_sales { SALES } else { HELP };
        let mut raw = String::new();
        let mut has_from = false;
        for (name, value) in &fields {
            has_from |= name.eq_ignore_ascii_case("from");
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        if !has_from {
            raw.push_str("From: Jane Doe <jane@example.org>\r\n");
        }
        raw.push_str(&format!("To: {rcpt_to}\r\nSubject: {subject}\r\nMessage-ID: <a@example.org>\r\n\r\nHello\r\n"));
        let envelope = match &mail_from {
            Some(mail_from) => Envelope::new().with_mail_from(mail_from).with_recipient(rcpt_to),
            None => Envelope::new().with_recipient(rcpt_to),
        };
        let mut email = InboundEmail::from_rfc5322(raw.as_bytes(), envelope, at(0));
        if clean {
            email = email.with_verdicts(Verdicts::clean());
        }
        prop_assert!(email.auto_generated().is_some(), "{}", raw);
        let org = org();
        let d = dispatch_with(&org, &email, &InboundPolicy::default());
        prop_assert_eq!(d.action(), &DispatchAction::Disconnect, "{}", raw);
        prop_assert!(matches!(d.reason(), DispatchReason::AutoGenerated(_)), "{:?}\n{}", d.reason(), raw);
    }
}

/// `text` with each ASCII letter's case chosen by `mask`.
fn recase(text: &str, mask: u64) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }
        })
        .collect()
}

/// One automatic signal: header fields (name and value case varied) and the envelope's
/// `MAIL FROM`, if the signal is there.
fn auto_signal() -> impl Strategy<Value = (Vec<(String, String)>, Option<String>)> {
    let person = Some("jane@example.org".to_owned());
    let field = |name: &'static str, values: Vec<&'static str>| {
        let person = person.clone();
        (prop::sample::select(values), any::<u64>(), any::<u64>()).prop_map(move |(value, a, b)| {
            (vec![(recase(name, a), recase(value, b))], person.clone())
        })
    };
    prop_oneof![
        field(
            "Auto-Submitted",
            vec![
                "auto-replied",
                "auto-generated",
                "auto-notified",
                "auto-replied; owner-email=\"a@example.org\""
            ]
        ),
        "[a-z][a-z-]{0,15}".prop_filter("`no` is a person", |v| v != "no").prop_map(move |v| {
            (vec![("Auto-Submitted".to_owned(), v)], Some("jane@example.org".to_owned()))
        }),
        field("Precedence", vec!["bulk", "junk", "list", "bulk (newsletter)"]),
        field("X-Autoreply", vec!["yes", " yes "]),
        field(
            "X-Auto-Response-Suppress",
            vec!["All", "OOF", "AutoReply", "DR, OOF", "RN, NRN, AutoReply"]
        ),
        field(
            "List-Id",
            vec!["<users.lists.example.org>", "Partners <partners.lists.example.net>"]
        ),
        field(
            "List-Unsubscribe",
            vec!["<mailto:leave@lists.example.org>", "<https://news.example.com/u?x=1>"]
        ),
        ("[a-z][a-z-]{0,20}", any::<u64>()).prop_map(|(report_type, a)| {
            let value = format!("multipart/report; report-type={report_type}; boundary=\"b\"");
            (vec![(recase("Content-Type", a), value)], Some("jane@example.org".to_owned()))
        }),
        (prop::sample::select(vec!["MAILER-DAEMON", "postmaster"]), any::<u64>()).prop_map(
            |(local, a)| {
                let from = format!("Mail Delivery System <{}@mx.example.org>", recase(local, a));
                (vec![("From".to_owned(), from)], Some("jane@example.org".to_owned()))
            }
        ),
        // The null reverse path: in the envelope, or only in Return-Path when the host gives
        // no MAIL FROM.
        Just((vec![], Some("<>".to_owned()))),
        Just((vec![("Return-Path".to_owned(), "<>".to_owned())], None)),
    ]
}
