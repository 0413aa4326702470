//! Real-shaped received messages (`tests/fixtures/mail/`, described in its README): each is
//! read with its envelope and every fact the README gives is asserted, then it is dispatched
//! to the organization it was written for (`help@` a queue, `sales@` a flow) under the default
//! policy, and under a policy that processes its kind.

mod inbound_fixtures;

use email_routing::inbound::{
    AutoAction, AutoKind, AutoReason, DeliveryAction, DispatchAction, DispatchReason, DmarcPolicy,
    Envelope, InboundEmail, InboundPolicy, MAX_FIELD_CHARS, MAX_IDS, ReversePath, SourceFormat,
    Verdict, Verdicts,
};
use email_routing::{RecipientField, Timestamp};
use inbound_fixtures::*;

const HELP: &str = "help@support.customer.com";
const SALES: &str = "sales@support.customer.com";

/// What the fixture README says about one message.
struct Facts {
    file: &'static str,
    mail_from: &'static str,
    rcpt_to: &'static str,
    from: (Option<&'static str>, &'static str),
    to: &'static [(Option<&'static str>, &'static str)],
    cc: &'static [(Option<&'static str>, &'static str)],
    subject: &'static str,
    message_id: Option<&'static str>,
    in_reply_to: &'static [&'static str],
    references: &'static [&'static str],
    size: u64,
    /// `(name, media type, decoded size)`.
    attachments: &'static [(Option<&'static str>, &'static str, u64)],
    /// `(kind, reason, the signal's value)`.
    auto: Option<(AutoKind, AutoReason, &'static str)>,
    /// `(recipient, action, status)`.
    bounced: &'static [(&'static str, DeliveryAction, Option<&'static str>)],
    /// The authserv-id the README names and `(spf, dkim, dmarc, policy)` under it.
    auth: (&'static str, Verdict, Verdict, Verdict, Option<DmarcPolicy>),
}

/// Reads `facts.file` with its envelope and asserts every fact; returns the message for the
/// checks particular to it.
fn check(facts: &Facts) -> InboundEmail {
    let email = read(facts.file, facts.mail_from, facts.rcpt_to);
    let file = facts.file;
    assert_eq!(email.format(), SourceFormat::Rfc5322, "{file}");
    assert_eq!(email.read_error(), None, "{file}");
    assert_eq!(email.envelope(), &envelope(facts.mail_from, facts.rcpt_to), "{file}");
    assert_eq!(email.received_at(), at(0), "{file}");
    assert_eq!(mailboxes(email.from()), [facts.from], "{file}: From");
    assert_eq!(email.author().map(|a| a.as_str()), Some(facts.from.1), "{file}: author");
    assert_eq!(mailboxes(email.to()), facts.to, "{file}: To");
    assert_eq!(mailboxes(email.cc()), facts.cc, "{file}: Cc");
    assert_eq!(email.subject(), Some(facts.subject), "{file}: Subject");
    assert_eq!(email.message_id().map(|id| id.as_str()), facts.message_id, "{file}: Message-ID");
    let ids = |ids: &[email_routing::MessageId]| {
        ids.iter().map(|id| id.as_str().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(ids(email.in_reply_to()), facts.in_reply_to, "{file}: In-Reply-To");
    assert_eq!(ids(email.references()), facts.references, "{file}: References");
    assert_eq!(email.size_octets(), Some(facts.size), "{file}: size");
    let attachments: Vec<_> =
        email.attachments().iter().map(|a| (a.name(), a.media_type(), a.size_octets())).collect();
    assert_eq!(attachments, facts.attachments, "{file}: attachments");
    let auto = email.auto_generated();
    assert_eq!(
        auto.as_ref().map(|a| (a.kind(), a.reason(), a.value())),
        facts.auto,
        "{file}: automatic"
    );
    let bounced: Vec<_> =
        email.delivery_report().iter().map(|r| (r.recipient(), r.action(), r.status())).collect();
    assert_eq!(bounced, facts.bounced, "{file}: reported recipients");
    let (id, spf, dkim, dmarc, policy) = facts.auth;
    let results = email.authentication_results(id);
    assert_eq!(
        (results.spf(), results.dkim(), results.dmarc(), results.dmarc_policy()),
        (spf, dkim, dmarc, policy),
        "{file}: Authentication-Results of {id}"
    );
    // The host's scanner has not spoken: every verdict starts disabled.
    assert_eq!(email.verdicts(), &Verdicts::none(), "{file}");
    email
}

/// Dispatches under the default policy; asserts the matched address (always the envelope
/// recipient), the action and the reason.
fn assert_dispatch(email: &InboundEmail, rcpt_to: &str, action: &str, reason: &str) {
    let org = org();
    let d = dispatch_with(&org, email, &InboundPolicy::default());
    let matched = d.matched().map(|m| (m.field(), m.route().address().as_str()));
    assert_eq!(matched, Some((RecipientField::Envelope, rcpt_to)));
    assert_eq!(outcome(&d), (action.to_owned(), reason));
}

/// Automatic mail: disconnected under the default policy with its kind; routed like a person's
/// message under a policy that processes its kind, and still disconnected under one that
/// processes every other kind.
fn assert_auto_dispatch(email: &InboundEmail, rcpt_to: &str, kind: AutoKind, routed_to: &str) {
    let org = org();
    let d = dispatch_with(&org, email, &InboundPolicy::default());
    assert_eq!(outcome(&d), ("disconnect".to_owned(), "auto_generated"));
    match d.reason() {
        DispatchReason::AutoGenerated(auto) => assert_eq!(auto.kind(), kind),
        other => panic!("{other:?}"),
    }
    assert_eq!(d.matched().map(|m| m.route().address().as_str()), Some(rcpt_to));

    let process = InboundPolicy::default().with_auto_action(kind, AutoAction::Process);
    let d = dispatch_with(&org, email, &process);
    assert_eq!(outcome(&d), (routed_to.to_owned(), "route"), "{kind} processed");

    let others = AutoKind::ALL
        .iter()
        .filter(|&&k| k != kind)
        .fold(InboundPolicy::default(), |p, &k| p.with_auto_action(k, AutoAction::Process));
    let d = dispatch_with(&org, email, &others);
    assert_eq!(outcome(&d), ("disconnect".to_owned(), "auto_generated"), "{kind} not processed");
}

#[test]
fn customer_with_attachments_from_gmail() {
    let email = check(&Facts {
        file: "customer-with-attachments.eml",
        mail_from: "jose.garcia@example.com",
        rcpt_to: HELP,
        from: (Some("José García"), "jose.garcia@example.com"),
        to: &[(Some("Customer Co. Support"), HELP)],
        cc: &[],
        subject: "Re: [Case #48213] Invoice INV-2025-0117 charged twice",
        message_id: Some("CAH7x2Pk0z3Vb9NqT5wYd4LmRf8sJc1eXgA6uKo2hQ+Tn_7Wp=Q@mail.gmail.com"),
        in_reply_to: &["20250303151022.4f7a2c91e0b3d5a8@support.customer.com"],
        references: &[
            "CAJx3VpR8kT0sLq2mZ7aB4c9dE1fG6hH=Yw5nN8oP0qRs3tUv@mail.gmail.com",
            "20250303151022.4f7a2c91e0b3d5a8@support.customer.com",
        ],
        size: 51263,
        attachments: &[
            (Some("bank-statement-2025-02.pdf"), "application/pdf", 20480),
            (Some("Screenshot 2025-03-04 at 10.12.45.png"), "image/png", 10429),
        ],
        auto: None,
        bounced: &[],
        auth: (
            "mx.google.com",
            Verdict::Pass,
            Verdict::Pass,
            Verdict::Pass,
            Some(DmarcPolicy::Quarantine),
        ),
    });
    assert_eq!(email.media_type(), Some("multipart/mixed"));
    assert!(!email.forwards_a_message());
    // Google's receiving host is not SES: nothing under SES's id.
    assert!(email.authentication_results("amazonses.com").is_empty());
    assert_dispatch(&email, HELP, HELP_QUEUE, "route");
}

#[test]
fn customer_50k_from_outlook() {
    let email = check(&Facts {
        file: "customer-50k.eml",
        mail_from: "anna.kowalski@example.net",
        rcpt_to: HELP,
        from: (Some("Anna Kowalski"), "anna.kowalski@example.net"),
        // Exchange writes a bare address as `"help@..." <help@...>`: the quoted text is a name.
        to: &[(Some(HELP), HELP)],
        cc: &[(Some("Piotr Nowak"), "piotr.nowak@example.net")],
        subject: "RE: [Case #48227] Contract renewal 2025 - updated terms",
        message_id: Some(
            "AM9PR04MB82341C7E5F0A3B2D4E6F8A91C2B3D4E5@AM9PR04MB8234.eurprd04.prod.outlook.com",
        ),
        in_reply_to: &["20250303094511.8d1e6b2a7c3f9051@support.customer.com"],
        references: &["20250303094511.8d1e6b2a7c3f9051@support.customer.com"],
        size: 51148,
        attachments: &[(
            Some("Renewal_Quote_2025-Q2.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            19798,
        )],
        auto: None,
        bounced: &[],
        auth: ("amazonses.com", Verdict::Pass, Verdict::Pass, Verdict::Pass, None),
    });
    // Exchange's internal `authentication-results: dkim=none ...; dmarc=none ...` has no
    // authserv-id: it is no host's, and its `none` results do not dilute SES's passes.
    for id in ["example.net", "outlook.com", "AM9PR04MB8234.eurprd04.prod.outlook.com"] {
        assert!(email.authentication_results(id).is_empty(), "{id}");
    }
    assert_dispatch(&email, HELP, HELP_QUEUE, "route");
}

#[test]
fn outlook_out_of_office_reply() {
    let email = check(&Facts {
        file: "outlook-oof.eml",
        mail_from: "piotr.nowak@example.net",
        rcpt_to: HELP,
        from: (Some("Piotr Nowak"), "piotr.nowak@example.net"),
        to: &[(Some("Customer Co. Support"), HELP)],
        cc: &[],
        subject: "Automatic reply: [Case #48227] Contract renewal 2025 - updated terms",
        message_id: Some(
            "DB9PR04MB95807C3A2E1F4B5D6A7C8E9F0A1B2C3D@DB9PR04MB9580.eurprd04.prod.outlook.com",
        ),
        in_reply_to: &["20250304111508.9c2e5a7f13b4d6e8@support.customer.com"],
        references: &["20250304111508.9c2e5a7f13b4d6e8@support.customer.com"],
        size: 9215,
        attachments: &[],
        auto: Some((AutoKind::AutoReply, AutoReason::XAutoResponseSuppress, "All")),
        bounced: &[],
        auth: ("amazonses.com", Verdict::Pass, Verdict::Pass, Verdict::Pass, None),
    });
    assert!(!email.envelope().mail_from().is_some_and(ReversePath::is_null));
    assert_auto_dispatch(&email, HELP, AutoKind::AutoReply, HELP_QUEUE);
}

#[test]
fn gmail_vacation_reply() {
    let email = check(&Facts {
        file: "gmail-vacation.eml",
        mail_from: "priya.raman@example.org",
        rcpt_to: HELP,
        from: (Some("Priya Raman"), "priya.raman@example.org"),
        to: &[(None, HELP)],
        cc: &[],
        subject: "Re: [Case #48240] Your return label for order 7781-2290",
        message_id: Some("CAM9qE4t7Vn2X0bKp8Hs3Rj6Lw1Yd5Fz-Gc4Nu0Aa7Qe9Ti2Ok@mail.gmail.com"),
        in_reply_to: &["20250304093011.5a1c7e3f9b2d4680@support.customer.com"],
        references: &["20250304093011.5a1c7e3f9b2d4680@support.customer.com"],
        size: 5147,
        attachments: &[],
        auto: Some((AutoKind::AutoReply, AutoReason::AutoSubmitted, "auto-replied")),
        bounced: &[],
        auth: ("amazonses.com", Verdict::Pass, Verdict::Pass, Verdict::Pass, None),
    });
    assert_auto_dispatch(&email, HELP, AutoKind::AutoReply, HELP_QUEUE);
}

#[test]
fn postfix_bounce() {
    let email = check(&Facts {
        file: "postfix-bounce.eml",
        mail_from: "<>",
        rcpt_to: HELP,
        from: (Some("Mail Delivery System"), "MAILER-DAEMON@smtp.rossi.example.org"),
        to: &[(None, HELP)],
        cc: &[],
        subject: "Undelivered Mail Returned to Sender",
        message_id: Some("20250304093107.4Z6Q1x3T5Rz9vWq@smtp.rossi.example.org"),
        in_reply_to: &[],
        references: &[],
        size: 5778,
        attachments: &[(None, "message/delivery-status", 506), (None, "text/rfc822-headers", 1595)],
        auto: Some((AutoKind::Bounce, AutoReason::DeliveryStatus, "delivery-status")),
        bounced: &[("m.rossi@rossi.example.org", DeliveryAction::Failed, Some("5.1.1"))],
        auth: ("amazonses.com", Verdict::Pass, Verdict::Gray, Verdict::Gray, None),
    });
    assert_eq!(email.envelope().mail_from(), Some(&ReversePath::Null));
    assert_eq!(email.return_path(), Some(&ReversePath::Null));
    assert_eq!(
        (email.media_type(), email.report_type()),
        (Some("multipart/report"), Some("delivery-status"))
    );
    assert!(email.delivery_report().iter().all(|r| r.is_failed()));
    assert_auto_dispatch(&email, HELP, AutoKind::Bounce, HELP_QUEUE);
}

#[test]
fn exchange_bounce() {
    let email = check(&Facts {
        file: "exchange-bounce.eml",
        mail_from: "<>",
        rcpt_to: HELP,
        from: (None, "postmaster@example.net"),
        to: &[(None, HELP)],
        cc: &[],
        subject: "Undeliverable: [Case #48227] Contract renewal 2025 - signature page",
        message_id: Some(
            "4c7e2a91-3d5b-4f18-b0a6-8e2d1c9f7a35@DB9PR04MB9580.eurprd04.prod.outlook.com",
        ),
        in_reply_to: &["20250304120412.3b7e9d1c5a2f4e60@support.customer.com"],
        references: &["20250304120412.3b7e9d1c5a2f4e60@support.customer.com"],
        size: 18883,
        attachments: &[(None, "message/delivery-status", 879), (None, "message/rfc822", 2868)],
        auto: Some((AutoKind::Bounce, AutoReason::DeliveryStatus, "delivery-status")),
        // In report order; the delivered Cc is not reported.
        bounced: &[
            ("k.wisniewska@example.net", DeliveryAction::Failed, Some("5.1.10")),
            ("j.lewandowski@example.net", DeliveryAction::Failed, Some("5.4.1")),
        ],
        auth: ("amazonses.com", Verdict::Pass, Verdict::Pass, Verdict::Pass, None),
    });
    // The original rides along as message/rfc822.
    assert!(email.forwards_a_message());
    assert_auto_dispatch(&email, HELP, AutoKind::Bounce, HELP_QUEUE);
}

#[test]
fn mailman3_list_post() {
    let email = check(&Facts {
        file: "mailing-list-post.eml",
        mail_from: "users-bounces+help=support.customer.com@lists.example.org",
        rcpt_to: HELP,
        from: (Some("Tomás Ruiz"), "tomas.ruiz@example.com"),
        // The organization's address is in no header: only the envelope has it.
        to: &[(None, "users@lists.example.org")],
        cc: &[],
        subject: "[Example-users] Re: Duplicate webhook deliveries after upgrading to 4.2",
        message_id: Some("CAN7k2VhR5sYp0dTq3Lx8Bz1Mw6Fe9Gc2Ju4Kn7Oa0Ui5Hy3Tr@mail.gmail.com"),
        in_reply_to: &["CAF3pX9q2Lm8vR1tN5eB7cW0zK4yH6uJ-dA8sG1fQ3oP2iE9nM@mail.gmail.com"],
        references: &["CAF3pX9q2Lm8vR1tN5eB7cW0zK4yH6uJ-dA8sG1fQ3oP2iE9nM@mail.gmail.com"],
        size: 6846,
        attachments: &[],
        auto: Some((AutoKind::MailingList, AutoReason::Precedence, "list")),
        bounced: &[],
        auth: ("amazonses.com", Verdict::Pass, Verdict::Pass, Verdict::Pass, None),
    });
    assert_eq!(email.list_id(), Some("\"Example Toolkit users\" <users.lists.example.org>"));
    // The list server's own results, under its id: DKIM only.
    let list = email.authentication_results("mail.lists.example.org");
    assert_eq!(
        (list.spf(), list.dkim(), list.dmarc()),
        (Verdict::Disabled, Verdict::Pass, Verdict::Disabled)
    );
    assert_auto_dispatch(&email, HELP, AutoKind::MailingList, HELP_QUEUE);
}

#[test]
fn mailman2_list_post_to_sales() {
    let email = check(&Facts {
        file: "mailing-list-mailman2.eml",
        mail_from: "partners-bounces@lists.example.net",
        rcpt_to: SALES,
        from: (Some("Greta Lindqvist"), "greta@example.org"),
        to: &[(None, "partners@lists.example.net")],
        cc: &[],
        subject: "[Partners] Q2 reseller price list is online",
        message_id: Some("7b1e4c2a-9d3f-4e85-b6a0-3c5d7e9f1a24@example.org"),
        in_reply_to: &[],
        references: &[],
        size: 4146,
        attachments: &[],
        auto: Some((AutoKind::MailingList, AutoReason::Precedence, "list")),
        bounced: &[],
        auth: ("amazonses.com", Verdict::Pass, Verdict::Gray, Verdict::Gray, None),
    });
    let sender = email.sender().map(|s| (s.name().map(|n| n.as_str()), s.address().as_str()));
    assert_eq!(sender, Some((Some("Partners"), "partners-bounces@lists.example.net")));
    assert_eq!(email.list_id(), Some("Reseller partners <partners.lists.example.net>"));
    assert_auto_dispatch(&email, SALES, AutoKind::MailingList, SALES_FLOW);
}

#[test]
fn thunderbird_read_receipt() {
    let email = check(&Facts {
        file: "read-receipt.eml",
        mail_from: "elena.marino@studio.example.net",
        rcpt_to: HELP,
        from: (Some("Elena Marino"), "elena.marino@studio.example.net"),
        to: &[(Some("Customer Co. Support"), HELP)],
        cc: &[],
        subject: "Return Receipt (displayed) - Re: [Case #48251] Replacement part shipped",
        message_id: Some("b2d4f6a8-1c3e-4a5b-9d7f-0e2c4a6b8d1f@studio.example.net"),
        in_reply_to: &[],
        references: &[],
        size: 5270,
        attachments: &[
            (Some("MDNPart2.txt"), "message/disposition-notification", 246),
            (Some("MDNPart3.txt"), "text/rfc822-headers", 868),
        ],
        auto: Some((
            AutoKind::Report,
            AutoReason::DispositionNotification,
            "disposition-notification",
        )),
        bounced: &[],
        auth: ("amazonses.com", Verdict::Pass, Verdict::Pass, Verdict::Pass, None),
    });
    assert_auto_dispatch(&email, HELP, AutoKind::Report, HELP_QUEUE);
}

#[test]
fn arf_feedback_report_to_sales() {
    let email = check(&Facts {
        file: "arf-report.eml",
        mail_from: "feedback@arf.mail.example.com",
        rcpt_to: SALES,
        from: (Some("Example Mail Feedback Loop"), "feedback@arf.mail.example.com"),
        to: &[(None, SALES)],
        cc: &[],
        subject: "FW: Spring offers: 20% off annual plans until 31 March",
        message_id: Some("1741110492113.882141.feedback@arf.mail.example.com"),
        in_reply_to: &[],
        references: &[],
        size: 6148,
        attachments: &[(None, "message/feedback-report", 498), (None, "message/rfc822", 2045)],
        auto: Some((AutoKind::Report, AutoReason::FeedbackReport, "feedback-report")),
        bounced: &[],
        auth: ("amazonses.com", Verdict::Pass, Verdict::Pass, Verdict::Pass, None),
    });
    // A feedback report is no delivery report, whatever it carries.
    assert!(email.delivery_report().is_empty());
    assert!(email.forwards_a_message());
    assert_auto_dispatch(&email, SALES, AutoKind::Report, SALES_FLOW);
}

#[test]
fn bulk_newsletter_to_sales() {
    let email = check(&Facts {
        file: "bulk-newsletter.eml",
        mail_from: "0100019561f3a2b4-8e1c7d5a-3f92-4b6e-a0d8-51c9e7f3b2a6-000000@bounce.news.example.com",
        rcpt_to: SALES,
        from: (Some("Example Cloud"), "news@news.example.com"),
        to: &[(None, SALES)],
        cc: &[],
        subject: "Your March digest: 5 new features — and a webinar",
        message_id: Some(
            "0100019561f3a2b4-8e1c7d5a-3f92-4b6e-a0d8-51c9e7f3b2a6-000000@email.amazonses.com",
        ),
        in_reply_to: &[],
        references: &[],
        size: 8027,
        attachments: &[],
        auto: Some((AutoKind::Bulk, AutoReason::Precedence, "bulk")),
        bounced: &[],
        auth: ("amazonses.com", Verdict::Pass, Verdict::Pass, Verdict::Pass, None),
    });
    assert_eq!(email.list_id(), None);
    assert_auto_dispatch(&email, SALES, AutoKind::Bulk, SALES_FLOW);
}

#[test]
fn qmail_bounce_without_mime() {
    let email = check(&Facts {
        file: "qmail-bounce.eml",
        mail_from: "<>",
        rcpt_to: HELP,
        from: (None, "MAILER-DAEMON@mx.kitchen.example.com"),
        to: &[(None, HELP)],
        cc: &[],
        subject: "failure notice",
        message_id: None,
        in_reply_to: &[],
        references: &[],
        size: 3480,
        attachments: &[],
        auto: Some((
            AutoKind::Bounce,
            AutoReason::MailerDaemon,
            "MAILER-DAEMON@mx.kitchen.example.com",
        )),
        // Not RFC 3464: the failed recipient is only in the text.
        bounced: &[],
        auth: ("amazonses.com", Verdict::Pass, Verdict::Gray, Verdict::Gray, None),
    });
    // No MIME header at all.
    assert_eq!(email.media_type(), None);
    assert_auto_dispatch(&email, HELP, AutoKind::Bounce, HELP_QUEUE);
}

/// A bounce whose `From` is not a mailer daemon is still known by its null reverse path: from
/// the envelope, or, when the host gives no `MAIL FROM`, from the `Return-Path: <>` the
/// receiving MTA wrote. With a sender in both, the same text is a person's message.
#[test]
fn a_bounce_is_known_by_its_null_reverse_path() {
    let raw = String::from_utf8(eml("qmail-bounce.eml")).unwrap();
    let raw = raw.replace("From: MAILER-DAEMON@mx.kitchen.example.com", "From: kenji@example.com");
    assert_ne!(raw.len(), eml("qmail-bounce.eml").len());
    let reason = |email: &InboundEmail| email.auto_generated().map(|a| (a.kind(), a.reason()));
    let null = Some((AutoKind::AutoGenerated, AutoReason::NullReversePath));
    let email = InboundEmail::from_rfc5322(raw.as_bytes(), envelope("<>", HELP), at(0));
    assert_eq!(reason(&email), null, "MAIL FROM:<>");
    let email =
        InboundEmail::from_rfc5322(raw.as_bytes(), Envelope::new().with_recipient(HELP), at(0));
    assert_eq!(reason(&email), null, "Return-Path: <> alone");
    let person = raw.replace("Return-Path: <>", "Return-Path: <kenji@example.com>");
    let email =
        InboundEmail::from_rfc5322(person.as_bytes(), envelope("kenji@example.com", HELP), at(0));
    assert_eq!(reason(&email), None);
    assert_dispatch(&email, HELP, HELP_QUEUE, "route");
}

#[test]
fn hostile_headers_are_survived() {
    let email = read("hostile-headers.eml", "jurgen@example.org", HELP);
    assert_eq!(email.read_error(), None);
    assert_eq!(email.size_octets(), Some(32352));
    // Two `From` fields: the FIRST counts. `mail-parser`'s `from()` would give the last,
    // the organization's own address, and make this a loop.
    assert_eq!(mailboxes(email.from()), [(Some("Jürgen Müller"), "jurgen@example.org")]);
    assert_eq!(email.author().map(|a| a.as_str()), Some("jurgen@example.org"));
    // The group, the folded comment, the empty group and the split and tab-folded encoded
    // words all give their addresses. The name whose UTF-8 sequence is split across two
    // encoded words does not decode (RFC 2047 5: each word stands alone) and is kept as
    // written; the address is never lost over it.
    assert_eq!(
        mailboxes(email.to()),
        [
            (Some("Customer Co."), HELP),
            (Some("Sales, EMEA"), SALES),
            (Some("=?UTF-8?Q?J=C3?= =?UTF-8?Q?=BCrgen_M=C3=BCller?="), "jurgen@example.org"),
            (Some("Shared inbox"), "shared@example.org"),
        ]
    );
    assert_eq!(mailboxes(email.cc()), [(Some("O'Brien, Pat (Billing)"), "pat.obrien@example.com")]);
    // The bare comment is no entry; the unterminated quotes are entries without an address,
    // listed as skipped.
    let skipped: Vec<_> = email.skipped().iter().map(|s| (s.field(), s.raw().trim())).collect();
    assert_eq!(
        skipped,
        [
            (RecipientField::To, "\"Unterminated <broken@example.net>,"),
            (RecipientField::Cc, "\"unterminated quote <cc@example.net>"),
        ]
    );
    let subject = email.subject().unwrap();
    assert!(subject.starts_with("Re: AW: Bestellung 4471 – Rückfrage zur Lieferung"), "{subject}");
    assert_eq!(subject.chars().count(), MAX_FIELD_CHARS);
    assert_eq!(email.date(), Some(Timestamp::from_unix_millis(1_741_103_049_000).unwrap()));
    assert_eq!(email.message_id().map(|id| id.as_str()), Some("9c1e4a7b.hostile.0042@example.org"));
    let in_reply_to: Vec<_> = email.in_reply_to().iter().map(|id| id.as_str()).collect();
    assert_eq!(in_reply_to, ["20250304160010.1f2e3d4c5b6a7980@support.customer.com"]);
    // 120 ids: the first and the 99 most recent are kept.
    let references = email.references();
    assert_eq!(references.len(), MAX_IDS);
    assert_eq!(references[0].as_str(), "20250304160010.1f2e3d4c5b6a7980@support.customer.com");
    assert_eq!(references[1].as_str(), "b9829fa254c99185.21@relay0.example.org");
    assert_eq!(references[MAX_IDS - 1].as_str(), "67adb48d4eaab9c2.119@relay0.example.org");
    assert_eq!(email.media_type(), Some("text/plain"));
    assert!(email.attachments().is_empty());
    assert_eq!(email.auto_generated(), None);
    let ses = email.authentication_results("amazonses.com");
    assert_eq!((ses.spf(), ses.dkim(), ses.dmarc()), (Verdict::Pass, Verdict::Gray, Verdict::Gray));
    // Routed as a customer's message: not a loop from help@, not automatic.
    assert_dispatch(&email, HELP, HELP_QUEUE, "route");
}

#[test]
fn forged_authentication_results_read_facts() {
    let email = check(&Facts {
        file: "forged-authentication-results.eml",
        mail_from: "mailer@vps-4471.hosting.example.net",
        rcpt_to: HELP,
        from: (Some("Example Bank Security"), "security@bank.example.com"),
        to: &[(None, HELP)],
        cc: &[],
        subject: "Action required: confirm the payout account for Customer Co.",
        message_id: Some("20250304161158.77A1C3@bank.example.com"),
        in_reply_to: &[],
        references: &[],
        size: 3106,
        attachments: &[],
        auto: None,
        bounced: &[],
        // SES's own results: the envelope domain passes SPF, no signature, DMARC fails.
        auth: ("amazonses.com", Verdict::Pass, Verdict::Gray, Verdict::Fail, None),
    });
    assert_eq!(
        mailboxes(email.reply_to()),
        [(Some("Example Bank Security"), "secure-desk@example.net")]
    );
    // What the sender wrote about itself, under its own made-up id: all pass, p=REJECT.
    let forged = email.authentication_results("mx.bank.example.com");
    assert_eq!(
        (forged.spf(), forged.dkim(), forged.dmarc(), forged.dmarc_policy()),
        (Verdict::Pass, Verdict::Pass, Verdict::Pass, Some(DmarcPolicy::Reject))
    );
    // Without an authserv-id the policy reads no results, and the scanners said nothing.
    assert_dispatch(&email, HELP, HELP_QUEUE, "route");
}

/// The forged `Authentication-Results` is ignored under the host's id, and the id decides:
/// trusting the forger's id instead would turn a DMARC failure into a pass.
#[test]
fn forged_authentication_results_are_ignored_under_the_hosts_id() {
    let org = org();
    let email =
        read("forged-authentication-results.eml", "mailer@vps-4471.hosting.example.net", HELP);
    let ses = InboundPolicy::default().with_authserv_id("amazonses.com").unwrap();
    let forger = InboundPolicy::default().with_authserv_id("mx.bank.example.com").unwrap();

    // Under SES's id: DMARC fails. SES's field names no DMARC policy for the From domain, and
    // the dispatch treats a DMARC failure as spam only under a known `reject` or `quarantine`
    // policy, so with nothing else known the message takes its route (the verdicts say why
    // a host may want to look up the policy).
    let d = dispatch_with(&org, &email, &ses);
    assert_eq!(
        d.verdicts(),
        &Verdicts {
            spf: Verdict::Pass,
            dkim: Verdict::Gray,
            dmarc: Verdict::Fail,
            dmarc_policy: None,
            ..Verdicts::none()
        }
    );
    assert_eq!(outcome(&d), (HELP_QUEUE.to_owned(), "route"));

    // The host's scanner knows bank.example.com publishes p=reject (as SES's receipt
    // notification says in `dmarcPolicy`): the DMARC failure is spam, and help@'s spam policy
    // sends it to the review flow, never the queue.
    let known = Verdicts { dmarc_policy: Some(DmarcPolicy::Reject), ..Verdicts::clean() };
    let email = email.with_verdicts(known);
    let d = dispatch_with(&org, &email, &ses);
    assert_eq!(
        (d.verdicts().dmarc, d.verdicts().dmarc_policy),
        (Verdict::Fail, Some(DmarcPolicy::Reject))
    );
    assert_eq!(outcome(&d), ("flow spam-review".to_owned(), "dmarc_failed"));
    assert_eq!(d.reason(), &DispatchReason::DmarcFailed { policy: DmarcPolicy::Reject });
    // Configurable: a platform that does not treat reject failures as spam routes it.
    let lenient = ses.clone().with_dmarc_failure_as_spam(false, true);
    assert_eq!(outcome(&dispatch_with(&org, &email, &lenient)), (HELP_QUEUE.to_owned(), "route"));

    // Trusting the forger's id instead: its all-pass results are read and the spoof takes the
    // normal route. The id is what keeps it out.
    let d = dispatch_with(&org, &email, &forger);
    assert_eq!(
        (d.verdicts().spf, d.verdicts().dkim, d.verdicts().dmarc),
        (Verdict::Pass, Verdict::Pass, Verdict::Pass)
    );
    assert_eq!(outcome(&d), (HELP_QUEUE.to_owned(), "route"));
}

/// A sender cannot win DMARC by writing a field under the host's own id below the host's:
/// the receiving MTA writes its field on top, and the first DMARC result counts.
#[test]
fn a_forged_field_under_the_hosts_id_below_its_own_does_not_change_dmarc() {
    let org = org();
    let raw = String::from_utf8(eml("forged-authentication-results.eml")).unwrap();
    let raw = raw.replace(
        "Authentication-Results: mx.bank.example.com;",
        "Authentication-Results: amazonses.com; dmarc=pass (p=NONE) header.from=bank.example.com\r\n\
         Authentication-Results: mx.bank.example.com;",
    );
    let email = InboundEmail::from_rfc5322(
        raw.as_bytes(),
        envelope("mailer@vps-4471.hosting.example.net", HELP),
        at(0),
    )
    .with_verdicts(Verdicts { dmarc_policy: Some(DmarcPolicy::Quarantine), ..Verdicts::clean() });
    let ses = InboundPolicy::default().with_authserv_id("AmazonSES.com").unwrap();
    let d = dispatch_with(&org, &email, &ses);
    assert_eq!(d.verdicts().dmarc, Verdict::Fail);
    assert_eq!(outcome(&d), ("flow spam-review".to_owned(), "dmarc_failed"));
}

/// Every kind of automatic mail is disconnected under the default policy and routed once the
/// policy processes that kind. The fixtures cover five kinds; `auto_generated` (a machine's
/// notification) is the customer message marked `Auto-Submitted: auto-generated`.
#[test]
fn each_kind_is_routed_when_the_policy_processes_it() {
    let raw = [b"Auto-Submitted: auto-generated\r\n".as_slice(), &eml("customer-50k.eml")].concat();
    let email =
        InboundEmail::from_rfc5322(&raw, envelope("anna.kowalski@example.net", HELP), at(0));
    let auto = email.auto_generated().map(|a| (a.kind(), a.reason(), a.value().to_owned()));
    assert_eq!(
        auto,
        Some((AutoKind::AutoGenerated, AutoReason::AutoSubmitted, "auto-generated".to_owned()))
    );
    assert_auto_dispatch(&email, HELP, AutoKind::AutoGenerated, HELP_QUEUE);

    let cases = [
        ("outlook-oof.eml", "piotr.nowak@example.net", HELP, AutoKind::AutoReply),
        ("postfix-bounce.eml", "<>", HELP, AutoKind::Bounce),
        (
            "mailing-list-mailman2.eml",
            "partners-bounces@lists.example.net",
            SALES,
            AutoKind::MailingList,
        ),
        (
            "bulk-newsletter.eml",
            "0100019561f3a2b4-8e1c7d5a-3f92-4b6e-a0d8-51c9e7f3b2a6-000000@bounce.news.example.com",
            SALES,
            AutoKind::Bulk,
        ),
        ("read-receipt.eml", "elena.marino@studio.example.net", HELP, AutoKind::Report),
    ];
    let mut seen = vec![AutoKind::AutoGenerated];
    for (file, mail_from, rcpt_to, kind) in cases {
        let email = read(file, mail_from, rcpt_to);
        let routed_to = if rcpt_to == HELP { HELP_QUEUE } else { SALES_FLOW };
        assert_auto_dispatch(&email, rcpt_to, kind, routed_to);
        seen.push(kind);
    }
    seen.sort();
    assert_eq!(seen, AutoKind::ALL, "every kind is covered");
}

/// The same fixtures under a policy that trusts SES's id decide the same way: the results
/// SES wrote pass, or say nothing that is spam.
#[test]
fn trusting_the_receiving_hosts_id_changes_no_decision_on_honest_mail() {
    let org = org();
    let ses = InboundPolicy::default().with_authserv_id("amazonses.com").unwrap();
    for (file, mail_from, rcpt_to) in [
        ("customer-50k.eml", "anna.kowalski@example.net", HELP),
        ("hostile-headers.eml", "jurgen@example.org", HELP),
        ("gmail-vacation.eml", "priya.raman@example.org", HELP),
        ("arf-report.eml", "feedback@arf.mail.example.com", SALES),
    ] {
        let email = read(file, mail_from, rcpt_to);
        let plain = dispatch_with(&org, &email, &InboundPolicy::default());
        let trusted = dispatch_with(&org, &email, &ses);
        assert_eq!(outcome(&trusted), outcome(&plain), "{file}");
        assert_ne!(trusted.verdicts(), plain.verdicts(), "{file}: results were read");
        assert_eq!(plain.verdicts(), &Verdicts::none(), "{file}");
    }
}

#[test]
fn what_the_dispatch_matched_for_a_list_post_is_the_envelope() {
    let org = org();
    let email = read(
        "mailing-list-post.eml",
        "users-bounces+help=support.customer.com@lists.example.org",
        HELP,
    );
    let process =
        InboundPolicy::default().with_auto_action(AutoKind::MailingList, AutoAction::Process);
    let d = dispatch_with(&org, &email, &process);
    let matched = d.matched().unwrap();
    assert_eq!((matched.field(), matched.recipient().as_str()), (RecipientField::Envelope, HELP));
    match d.action() {
        DispatchAction::Queue(q) => {
            assert_eq!(q.route().queue().as_str(), "support");
            assert_eq!(q.received_at(), at(0));
        }
        other => panic!("{other:?}"),
    }
    // Without the envelope, no header names a configured address: not routed.
    let bare = InboundEmail::from_rfc5322(&eml("mailing-list-post.eml"), Envelope::new(), at(0));
    let d = dispatch_with(&org, &bare, &process);
    assert_eq!(outcome(&d), ("not_routed".to_owned(), "no_configured_address"));
}

/// Regression: a form feed in an `Authentication-Results` field (any sender can write one)
/// made the reader loop without end, allocating until the host ran out of memory, whenever
/// the policy trusted an authserv-id. It is white space, like any other.
#[test]
fn a_form_feed_in_authentication_results_is_white_space() {
    let org = org();
    let raw = String::from_utf8(eml("forged-authentication-results.eml")).unwrap();
    let raw =
        raw.replace("dkim=none;\r\n dmarc=fail", "dkim=none;\x0c\r\n dmarc=fail\x0c").replace(
            "Authentication-Results: mx.bank.example.com;",
            "Authentication-Results:\x0cmx.bank.example.com;\x0c",
        );
    assert_eq!(raw.matches('\x0c').count(), 4);
    let email = InboundEmail::from_rfc5322(
        raw.as_bytes(),
        envelope("mailer@vps-4471.hosting.example.net", HELP),
        at(0),
    );
    let ses = email.authentication_results("amazonses.com");
    assert_eq!((ses.spf(), ses.dkim(), ses.dmarc()), (Verdict::Pass, Verdict::Gray, Verdict::Fail));
    let forged = email.authentication_results("mx.bank.example.com");
    assert_eq!(forged.dmarc(), Verdict::Pass);
    let policy = InboundPolicy::default().with_authserv_id("amazonses.com").unwrap();
    let d = dispatch_with(&org, &email, &policy);
    assert_eq!(d.verdicts().dmarc, Verdict::Fail);
    assert_eq!(outcome(&d), (HELP_QUEUE.to_owned(), "route"));
}

#[test]
fn an_authserv_id_is_one_token_up_to_its_limit() {
    use email_routing::inbound::MAX_AUTHSERV_ID_OCTETS;
    let longest = "a".repeat(MAX_AUTHSERV_ID_OCTETS);
    assert!(InboundPolicy::default().with_authserv_id(&format!(" {longest} ")).is_ok());
    let refused =
        |id: &str| InboundPolicy::default().with_authserv_id(id).map(|_| ()).unwrap_err().code();
    assert_eq!(refused(&format!("{longest}a")), "inbound_policy.authserv_id_invalid");
    assert_eq!(refused(""), "inbound_policy.authserv_id_invalid");
    assert_eq!(refused("mx.example.com extra"), "inbound_policy.authserv_id_invalid");
    assert_eq!(refused("mx.exämple.com"), "inbound_policy.authserv_id_invalid");
    let message = InboundPolicy::default().with_authserv_id("a b").map(|_| ()).unwrap_err();
    assert!(message.to_string().contains("at most 255"), "{message}");
}
