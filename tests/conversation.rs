//! Threading through real received messages (`InboundEmail::from_rfc5322`), each rule at its
//! boundary, and the automatic acknowledgement: every reason it is skipped, and, over random
//! sequences, never twice in a conversation and never to automatic mail.

use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
use email_routing::conversation::{
    self, Acknowledgement, ConversationStore, InMemoryConversations, MatchedVia, SkipReason,
    StartReason, Threading, ThreadingPolicy,
};
use email_routing::inbound::{Envelope, InboundEmail, RateGuardConfig, SenderRateGuard};
use email_routing::{
    AgentId, ConversationId, DisplayName, Domain, EmailAddress, MessageId, Timestamp,
};
use proptest::prelude::*;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const T0: i64 = 1_780_000_000_000;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(T0 + ms).unwrap()
}

fn id(s: &str) -> MessageId {
    MessageId::new(s).unwrap()
}

fn conv(s: &str) -> ConversationId {
    ConversationId::new(s).unwrap()
}

fn agent(s: &str) -> AgentId {
    AgentId::new(s).unwrap()
}

/// A customer's message as the receiving MTA stored it: the given header fields, then a body.
fn received(fields: &[(&str, &str)], at: Timestamp) -> InboundEmail {
    let mut raw =
        String::from("From: Jane Doe <jane@example.org>\r\nTo: help@support.customer.com\r\n");
    for (name, value) in fields {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n");
    let envelope = Envelope::new()
        .with_mail_from("<jane@example.org>")
        .with_recipient("help@support.customer.com");
    InboundEmail::from_rfc5322(raw.as_bytes(), envelope, at)
}

/// A store holding one conversation `c1`: the customer's first message `first@example.org`
/// at 0, then agent jane's reply `reply-1@support.customer.com` at `last` ms.
fn one_conversation(last: i64) -> InMemoryConversations {
    let mut store = InMemoryConversations::new(1000);
    let first =
        received(&[("Message-ID", "<first@example.org>"), ("Subject", "Invoice 4711")], at(0));
    let t = conversation::thread(&store, &first, &ThreadingPolicy::default(), at(0));
    assert_eq!(t, Threading::Starts { reason: StartReason::NoKnownReference });
    let c = conversation::record_received(&mut store, &first, &t, conv("c1"), at(0));
    assert_eq!(c, conv("c1"));
    let reply = id("reply-1@support.customer.com");
    conversation::record_sent(&mut store, reply, &c, &agent("jane"), "Re: Invoice 4711", at(last));
    store
}

fn thread(
    store: &InMemoryConversations,
    email: &InboundEmail,
    policy: ThreadingPolicy,
) -> Threading {
    conversation::thread(store, email, &policy, email.received_at())
}

fn continued_id(t: &Threading) -> Option<&str> {
    t.continued().map(|c| c.id().as_str())
}

#[test]
fn a_reply_joins_its_conversation_and_goes_to_its_last_agent() {
    let store = one_conversation(1_000);
    let answer = received(
        &[
            ("Message-ID", "<answer@example.org>"),
            ("In-Reply-To", "<reply-1@support.customer.com>"),
            ("References", "<first@example.org> <reply-1@support.customer.com>"),
            ("Subject", "Re: Invoice 4711"),
        ],
        at(2_000),
    );
    let t = thread(&store, &answer, ThreadingPolicy::default());
    let Threading::Continues { conversation, matched, via } = &t else { panic!("{t:?}") };
    assert_eq!(conversation.id(), &conv("c1"));
    assert_eq!(conversation.last_agent(), Some(&agent("jane")));
    assert_eq!(conversation.last_activity(), at(1_000));
    assert_eq!((matched.as_str(), *via), ("reply-1@support.customer.com", MatchedVia::InReplyTo));
}

#[test]
fn the_window_ends_exclusively_one_window_after_the_last_activity() {
    let last = 1_000;
    let store = one_conversation(last);
    let policy = ThreadingPolicy::default();
    assert_eq!(policy.window(), 30 * DAY_MS);
    let reply = |ms| {
        received(
            &[("In-Reply-To", "<reply-1@support.customer.com>"), ("Subject", "Re: Invoice 4711")],
            at(ms),
        )
    };
    let inside = thread(&store, &reply(last + 30 * DAY_MS - 1), policy);
    assert_eq!(continued_id(&inside), Some("c1"));
    let edge = thread(&store, &reply(last + 30 * DAY_MS), policy);
    assert_eq!(edge, Threading::Starts { reason: StartReason::WindowExpired });

    // A shorter window, configured: the same edge.
    let hour = ThreadingPolicy::new(3_600_000).unwrap();
    assert!(thread(&store, &reply(last + 3_599_999), hour).continued().is_some());
    assert_eq!(
        thread(&store, &reply(last + 3_600_000), hour),
        Threading::Starts { reason: StartReason::WindowExpired }
    );
}

#[test]
fn a_reply_to_an_old_message_of_an_active_thread_continues_it() {
    // The customer's first message is 40 days old, but the agent answered 11 days ago.
    let store = one_conversation(29 * DAY_MS);
    let late = received(
        &[("In-Reply-To", "<first@example.org>"), ("Subject", "Re: Invoice 4711")],
        at(40 * DAY_MS),
    );
    let t = thread(&store, &late, ThreadingPolicy::default());
    assert_eq!(continued_id(&t), Some("c1"));
    assert!(matches!(t, Threading::Continues { via: MatchedVia::InReplyTo, .. }));
}

#[test]
fn an_id_seen_only_in_references_threads_newest_first() {
    let mut store = one_conversation(1_000);
    // A second conversation whose id is named later in References.
    conversation::record_sent(
        &mut store,
        id("other@support.customer.com"),
        &conv("c2"),
        &agent("omar"),
        "Delivery",
        at(1_500),
    );
    // In-Reply-To names an id the store never saw; References names c1's first message, then
    // c2's message, then an unknown one (newest last).
    let email = received(
        &[
            ("In-Reply-To", "<never-seen@example.org>"),
            (
                "References",
                "<first@example.org> <other@support.customer.com> <unknown@example.net>",
            ),
            ("Subject", "Re: Delivery"),
        ],
        at(2_000),
    );
    let t = thread(&store, &email, ThreadingPolicy::default());
    let Threading::Continues { conversation, matched, via } = &t else { panic!("{t:?}") };
    assert_eq!(conversation.id(), &conv("c2"));
    assert_eq!((matched.as_str(), *via), ("other@support.customer.com", MatchedVia::References));

    // Without In-Reply-To at all, only the oldest reference known.
    let email = received(
        &[("References", "<first@example.org> <unknown@example.net>"), ("Subject", "Re: x")],
        at(2_000),
    );
    let t = thread(&store, &email, ThreadingPolicy::default());
    assert_eq!(continued_id(&t), Some("c1"));

    // In-Reply-To wins over References.
    let email = received(
        &[
            ("In-Reply-To", "<first@example.org>"),
            ("References", "<other@support.customer.com>"),
            ("Subject", "Re: x"),
        ],
        at(2_000),
    );
    assert_eq!(continued_id(&thread(&store, &email, ThreadingPolicy::default())), Some("c1"));
}

#[test]
fn an_expired_match_gives_way_to_an_active_one() {
    // c1 went quiet at 1 s; c2 was active 31 days later.
    let mut store = one_conversation(1_000);
    let c2_at = 31 * DAY_MS;
    conversation::record_sent(
        &mut store,
        id("new@support.customer.com"),
        &conv("c2"),
        &agent("omar"),
        "x",
        at(c2_at),
    );
    let email = received(
        &[
            ("In-Reply-To", "<reply-1@support.customer.com>"),
            ("References", "<new@support.customer.com> <reply-1@support.customer.com>"),
        ],
        at(c2_at + 1),
    );
    assert_eq!(continued_id(&thread(&store, &email, ThreadingPolicy::default())), Some("c2"));
}

#[test]
fn forwards_start_a_conversation_by_prefix_and_by_attachment() {
    let store = one_conversation(1_000);
    for subject in [
        "Fwd: Invoice 4711",
        "FW: Invoice 4711",
        "WG: Invoice 4711",
        "TR: Invoice 4711",
        "RV: Invoice 4711",
        "[EXT] Fwd: Re: Invoice 4711",
        "转发: Invoice 4711",
    ] {
        let email = received(
            &[("In-Reply-To", "<reply-1@support.customer.com>"), ("Subject", subject)],
            at(2_000),
        );
        assert_eq!(
            thread(&store, &email, ThreadingPolicy::default()),
            Threading::Starts { reason: StartReason::Forward },
            "{subject:?}"
        );
    }
    // A reply that quotes a forward is still a reply.
    let email = received(
        &[("In-Reply-To", "<reply-1@support.customer.com>"), ("Subject", "Re: Fwd: Invoice 4711")],
        at(2_000),
    );
    assert_eq!(continued_id(&thread(&store, &email, ThreadingPolicy::default())), Some("c1"));

    // The subject says reply, but the message carries another message: a forward.
    let raw = "From: Jane Doe <jane@example.org>\r\n\
        To: help@support.customer.com\r\n\
        Subject: Re: Invoice 4711\r\n\
        Message-ID: <fwd-attached@example.org>\r\n\
        In-Reply-To: <reply-1@support.customer.com>\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
        \r\n\
        --b1\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        \r\n\
        See the message below.\r\n\
        --b1\r\n\
        Content-Type: message/rfc822\r\n\
        Content-Disposition: attachment; filename=\"original.eml\"\r\n\
        \r\n\
        From: Shop <orders@shop.example.net>\r\n\
        To: jane@example.org\r\n\
        Subject: Your order\r\n\
        Message-ID: <order-1@shop.example.net>\r\n\
        \r\n\
        Thank you for your order.\r\n\
        --b1--\r\n";
    let email = InboundEmail::from_rfc5322(raw.as_bytes(), Envelope::new(), at(2_000));
    assert!(email.forwards_a_message());
    assert_eq!(
        thread(&store, &email, ThreadingPolicy::default()),
        Threading::Starts { reason: StartReason::Forward }
    );
}

#[test]
fn a_changed_subject_splits_only_when_asked() {
    let store = one_conversation(1_000);
    let off = ThreadingPolicy::default();
    let on = off.with_split_on_subject_change(true);
    let reply = |subject: &str| {
        received(
            &[("In-Reply-To", "<reply-1@support.customer.com>"), ("Subject", subject)],
            at(2_000),
        )
    };
    let changed = reply("Re: Something else entirely");
    assert_eq!(continued_id(&thread(&store, &changed, off)), Some("c1"));
    assert_eq!(
        thread(&store, &changed, on),
        Threading::Starts { reason: StartReason::SubjectChanged }
    );
    for same in [
        "Re: Invoice 4711",
        "AW: [EXT] invoice   4711",
        "RE : RE: INVOICE 4711",
        "回复：Invoice 4711",
    ] {
        assert_eq!(continued_id(&thread(&store, &reply(same), on)), Some("c1"), "{same:?}");
    }
    // No Subject at all differs from "invoice 4711".
    let bare = received(&[("In-Reply-To", "<reply-1@support.customer.com>")], at(2_000));
    assert_eq!(
        thread(&store, &bare, on),
        Threading::Starts { reason: StartReason::SubjectChanged }
    );
}

#[test]
fn a_long_subject_still_matches_its_conversation_when_splitting() {
    // The store keeps 256 characters of a subject; the received one is compared cut the same
    // way, so a 300-character subject does not split from itself, and a difference past the
    // 256th character is not seen.
    let long: String = (0..300).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let mut store = InMemoryConversations::new(10);
    let first = received(&[("Message-ID", "<long@example.org>"), ("Subject", &long)], at(0));
    let t = thread(&store, &first, ThreadingPolicy::default());
    conversation::record_received(&mut store, &first, &t, conv("long"), at(0));
    assert_eq!(store.conversation(&conv("long")).unwrap().subject().chars().count(), 256);
    let on = ThreadingPolicy::default().with_split_on_subject_change(true);
    let same = received(
        &[("In-Reply-To", "<long@example.org>"), ("Subject", &format!("Re: {long}"))],
        at(1),
    );
    assert_eq!(continued_id(&thread(&store, &same, on)), Some("long"));
    let mut tail_changed = long.clone();
    tail_changed.replace_range(290.., "zzzzzzzzzz");
    let tail =
        received(&[("In-Reply-To", "<long@example.org>"), ("Subject", &tail_changed)], at(1));
    assert_eq!(continued_id(&thread(&store, &tail, on)), Some("long"));
    let mut head_changed = long.clone();
    head_changed.replace_range(250..251, "#");
    let head =
        received(&[("In-Reply-To", "<long@example.org>"), ("Subject", &head_changed)], at(1));
    assert_eq!(
        thread(&store, &head, on),
        Threading::Starts { reason: StartReason::SubjectChanged }
    );
}

#[test]
fn threading_off_starts_every_message() {
    let store = one_conversation(1_000);
    let off = ThreadingPolicy::new(0).unwrap();
    let email = received(
        &[
            ("Message-ID", "<first@example.org>"),
            ("In-Reply-To", "<reply-1@support.customer.com>"),
            ("Subject", "Re: Invoice 4711"),
        ],
        at(2_000),
    );
    assert_eq!(
        thread(&store, &email, off),
        Threading::Starts { reason: StartReason::ThreadingOff }
    );
    // The smallest window that threads: 1 ms, and only in the same millisecond.
    let one = ThreadingPolicy::new(1).unwrap();
    let now = received(&[("In-Reply-To", "<reply-1@support.customer.com>")], at(1_000));
    assert!(thread(&store, &now, one).continued().is_some());
    let later = received(&[("In-Reply-To", "<reply-1@support.customer.com>")], at(1_001));
    assert_eq!(
        thread(&store, &later, one),
        Threading::Starts { reason: StartReason::WindowExpired }
    );
}

#[test]
fn the_same_message_delivered_twice_is_one_conversation() {
    let mut store = InMemoryConversations::new(100);
    let policy = ThreadingPolicy::default();
    // A forward with no known reference: it starts a conversation; its second delivery (an
    // SES retry, or a Cc to a second address) joins it rather than starting another.
    let fields = [("Message-ID", "<dup@example.org>"), ("Subject", "Fwd: Warranty")];
    let once = received(&fields, at(0));
    let t = thread(&store, &once, policy);
    assert_eq!(t, Threading::Starts { reason: StartReason::Forward });
    let c = conversation::record_received(&mut store, &once, &t, conv("c-dup"), at(0));
    let again = received(&fields, at(60_000));
    let t = thread(&store, &again, policy);
    let Threading::Continues { conversation, via, .. } = &t else { panic!("{t:?}") };
    assert_eq!((conversation.id(), *via), (&c, MatchedVia::MessageId));
    let c2 = conversation::record_received(&mut store, &again, &t, conv("unused"), at(60_000));
    assert_eq!(c2, c);
    assert_eq!((store.len(), store.conversation_count()), (1, 1));
    assert_eq!(store.conversation(&c).unwrap().last_activity(), at(60_000));
}

#[test]
fn a_message_without_message_id_is_remembered_through_its_replies() {
    let mut store = InMemoryConversations::new(100);
    let email = received(&[("Subject", "No id")], at(0));
    assert!(email.message_id().is_none());
    let t = thread(&store, &email, ThreadingPolicy::default());
    let c = conversation::record_received(&mut store, &email, &t, conv("c-noid"), at(0));
    assert!(store.is_empty());
    conversation::record_sent(
        &mut store,
        id("r@support.customer.com"),
        &c,
        &agent("jane"),
        "Re: No id",
        at(5),
    );
    let state = store.conversation(&c).unwrap();
    assert_eq!((state.subject(), state.last_agent()), ("no id", Some(&agent("jane"))));
}

// --- Acknowledgement --------------------------------------------------------------------

fn org(acknowledge: bool) -> OrgEmailConfig {
    let mut org = OrgEmailConfig::new("mail.example.net".parse().unwrap());
    org.add_domain(Domain::custom("support.customer.com".parse().unwrap())).unwrap();
    for (address, ack) in
        [("help@support.customer.com", acknowledge), ("sales@support.customer.com", false)]
    {
        org.add_route(
            AddressRoute::new(
                address.parse().unwrap(),
                DisplayName::new("Customer Help").unwrap(),
                RoutingTarget::OutboundOnly,
            )
            .with_acknowledgement(ack),
        )
        .unwrap();
    }
    org
}

fn help() -> EmailAddress {
    "help@support.customer.com".parse().unwrap()
}

fn decide(
    org: &OrgEmailConfig,
    email: &InboundEmail,
    conversation: Option<&email_routing::conversation::ConversationState>,
    guard: &SenderRateGuard,
) -> Acknowledgement {
    let route = org.route_for(&help()).unwrap();
    conversation::acknowledgement(email, route, conversation, org, guard, email.received_at())
}

fn skip_code(decision: &Acknowledgement) -> Option<&'static str> {
    decision.skip_reason().map(SkipReason::code)
}

fn fixture(name: &str) -> InboundEmail {
    let path = format!("{}/tests/fixtures/mail/{name}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(path).unwrap();
    InboundEmail::from_rfc5322(
        &raw,
        Envelope::new().with_recipient("help@support.customer.com"),
        at(0),
    )
}

#[test]
fn an_acknowledgement_goes_to_reply_to_else_from_with_threading_ids() {
    let org = org(true);
    let guard = SenderRateGuard::default();
    let email = received(
        &[
            ("Reply-To", "Jane at home <jane.doe@example.net>, second@example.net"),
            ("Message-ID", "<c3@example.org>"),
            ("In-Reply-To", "<r2@support.customer.com>"),
            ("References", "<c1@example.org> <r2@support.customer.com>"),
            ("Subject", "Re: Invoice"),
        ],
        at(0),
    );
    let decision = decide(&org, &email, None, &guard);
    let plan = decision.plan().unwrap();
    assert_eq!(plan.to().to_string(), "Jane at home <jane.doe@example.net>");
    assert_eq!(plan.in_reply_to(), Some(&id("c3@example.org")));
    let refs: Vec<&str> = plan.references().iter().map(MessageId::as_str).collect();
    assert_eq!(refs, ["c1@example.org", "r2@support.customer.com", "c3@example.org"]);
    assert_eq!(email_routing::conversation::AcknowledgementPlan::AUTO_SUBMITTED, "auto-replied");

    // No Reply-To: From. No References but one In-Reply-To: that id, then the Message-ID.
    let email = received(
        &[("Message-ID", "<c4@example.org>"), ("In-Reply-To", "<r3@support.customer.com>")],
        at(0),
    );
    let decision = decide(&org, &email, None, &guard);
    let plan = decision.plan().unwrap();
    assert_eq!(plan.to().to_string(), "Jane Doe <jane@example.org>");
    let refs: Vec<&str> = plan.references().iter().map(MessageId::as_str).collect();
    assert_eq!(refs, ["r3@support.customer.com", "c4@example.org"]);

    // A real customer message (Gmail, with attachments) gets one.
    let decision = decide(&org, &fixture("customer-with-attachments.eml"), None, &guard);
    let plan = decision.plan().unwrap();
    assert_eq!(plan.to().address().as_str(), "jose.garcia@example.com");
    assert_eq!(plan.references().len(), 3);

    // Nothing to name: no ids.
    let email = received(&[], at(0));
    let decision = decide(&org, &email, None, &guard);
    let plan = decision.plan().unwrap();
    assert!(plan.in_reply_to().is_none() && plan.references().is_empty());
}

#[test]
fn each_reason_to_send_no_acknowledgement() {
    let on = org(true);
    let guard = SenderRateGuard::default();
    let plain = received(&[("Message-ID", "<m@example.org>"), ("Subject", "Hello")], at(0));
    assert!(decide(&on, &plain, None, &guard).plan().is_some());

    // Off for the address.
    assert_eq!(skip_code(&decide(&org(false), &plain, None, &guard)), Some("acknowledgement.off"));

    // Already acknowledged in this conversation.
    let mut store = InMemoryConversations::new(10);
    assert!(conversation::record_acknowledgement(
        &mut store,
        &plain,
        id("ack-1@support.customer.com"),
        &conv("c"),
        at(0)
    ));
    let state = store.find(&id("ack-1@support.customer.com")).unwrap();
    assert_eq!(state.acknowledged_at(), Some(at(0)));
    let decision = decide(&on, &plain, Some(&state), &guard);
    assert_eq!(decision.skip_reason(), Some(&SkipReason::AlreadySent { at: at(0) }));
    assert_eq!(skip_code(&decision), Some("acknowledgement.already_sent"));

    // Automatic mail of every kind, from the received-mail fixtures.
    for (file, kind) in [
        ("gmail-vacation.eml", "auto_reply"),
        ("outlook-oof.eml", "auto_reply"),
        ("postfix-bounce.eml", "bounce"),
        ("exchange-bounce.eml", "bounce"),
        ("qmail-bounce.eml", "bounce"),
        ("mailing-list-post.eml", "mailing_list"),
        ("mailing-list-mailman2.eml", "mailing_list"),
        ("bulk-newsletter.eml", "bulk"),
        ("read-receipt.eml", "report"),
        ("arf-report.eml", "report"),
    ] {
        let decision = decide(&on, &fixture(file), None, &guard);
        let Some(SkipReason::AutoGenerated(auto)) = decision.skip_reason() else {
            panic!("{file}: {decision:?}")
        };
        assert_eq!(auto.kind().as_str(), kind, "{file}");
        assert_eq!(skip_code(&decision), Some("acknowledgement.auto_generated"));
    }

    // A null reverse path with no other sign of automatic mail.
    let raw = b"From: jane@example.org\r\nSubject: Hello\r\n\r\nHi\r\n";
    for envelope in [Envelope::new().with_mail_from("<>"), Envelope::new()] {
        let with_header = envelope.mail_from().is_none();
        let raw: Vec<u8> = if with_header {
            [b"Return-Path: <>\r\n".as_slice(), raw].concat()
        } else {
            raw.to_vec()
        };
        let email = InboundEmail::from_rfc5322(&raw, envelope, at(0));
        assert_eq!(
            skip_code(&decide(&on, &email, None, &guard)),
            Some("acknowledgement.null_reverse_path")
        );
    }

    // No usable recipient: no From and no Reply-To (or ones that do not parse).
    let raw =
        b"To: help@support.customer.com\r\nFrom: not an address\r\nSubject: Hello\r\n\r\nHi\r\n";
    let email = InboundEmail::from_rfc5322(raw, Envelope::new(), at(0));
    assert_eq!(skip_code(&decide(&on, &email, None, &guard)), Some("acknowledgement.no_recipient"));

    // The organization's own addresses: as author, and as the Reply-To destination.
    let own = InboundEmail::new(at(0)).with_header("From", "Sales <SALES@support.customer.com>");
    let decision = decide(&on, &own, None, &guard);
    assert_eq!(
        decision.skip_reason(),
        Some(&SkipReason::OwnAddress { address: "SALES@support.customer.com".parse().unwrap() })
    );
    let to_own = received(&[("Reply-To", "help@support.customer.com")], at(0));
    assert_eq!(skip_code(&decide(&on, &to_own, None, &guard)), Some("acknowledgement.own_address"));

    // A sender the rate guard suppresses for this address (and not for another).
    let mut guard = SenderRateGuard::new(RateGuardConfig::new(1, 60_000, 600_000, 100).unwrap());
    let jane: EmailAddress = "jane@example.org".parse().unwrap();
    guard.observe(&jane, &help(), at(0));
    assert!(guard.observe(&jane, &help(), at(1)).is_suppressed());
    let decision = decide(&on, &plain, None, &guard);
    assert_eq!(decision.skip_reason(), Some(&SkipReason::RateLimited { sender: jane.clone() }));
    assert_eq!(skip_code(&decision), Some("acknowledgement.rate_limited"));
    // At the end of its cool-down the sender is answered again.
    let later = received(&[("Subject", "Hello")], at(600_001));
    assert!(decide(&on, &later, None, &guard).plan().is_some());
    // A Reply-To the guard suppresses is not written to either.
    let mut guard = SenderRateGuard::new(RateGuardConfig::new(1, 60_000, 600_000, 100).unwrap());
    let other: EmailAddress = "flood@example.net".parse().unwrap();
    guard.observe(&other, &help(), at(0));
    guard.observe(&other, &help(), at(1));
    let via_reply_to = received(&[("Reply-To", "flood@example.net")], at(2));
    assert_eq!(
        decide(&on, &via_reply_to, None, &guard).skip_reason(),
        Some(&SkipReason::RateLimited { sender: other })
    );
}

#[test]
fn recording_an_acknowledgement_claims_the_conversation_once() {
    let mut store = one_conversation(1_000);
    let email = received(
        &[("Message-ID", "<q@example.org>"), ("In-Reply-To", "<reply-1@support.customer.com>")],
        at(2_000),
    );
    assert!(conversation::record_acknowledgement(
        &mut store,
        &email,
        id("ack@support.customer.com"),
        &conv("c1"),
        at(2_000)
    ));
    assert!(!conversation::record_acknowledgement(
        &mut store,
        &email,
        id("ack-2@support.customer.com"),
        &conv("c1"),
        at(3_000)
    ));
    // The second was not recorded; the first threads a customer's answer to it.
    assert!(store.find(&id("ack-2@support.customer.com")).is_none());
    let answer = received(
        &[
            ("In-Reply-To", "<ack@support.customer.com>"),
            ("Subject", "Re: We received your message"),
        ],
        at(4_000),
    );
    let t = thread(&store, &answer, ThreadingPolicy::default());
    let state = t.continued().unwrap();
    assert_eq!((state.id(), state.acknowledged_at()), (&conv("c1"), Some(at(2_000))));
    // The acknowledgement does not make anyone the last agent.
    assert_eq!(state.last_agent(), Some(&agent("jane")));
}

/// One received message in a random sequence.
#[derive(Debug, Clone)]
struct Arrival {
    /// Answers the n-th message sent so far (modulo), or nothing.
    answers: Option<usize>,
    /// Keeps In-Reply-To (else only References).
    in_reply_to: bool,
    /// Automatic: which fixture-like header it carries.
    automatic: Option<usize>,
    /// The same message as the n-th received one (a second delivery).
    duplicate_of: Option<usize>,
    /// An agent answers it.
    agent_replies: bool,
    /// Milliseconds since the previous message.
    gap_ms: i64,
}

fn arrival() -> impl Strategy<Value = Arrival> {
    (
        proptest::option::weighted(0.7, 0usize..64),
        any::<bool>(),
        proptest::option::weighted(0.3, 0usize..6),
        proptest::option::weighted(0.1, 0usize..64),
        any::<bool>(),
        prop_oneof![0i64..60_000, Just(10 * DAY_MS), Just(31 * DAY_MS)],
    )
        .prop_map(|(answers, in_reply_to, automatic, duplicate_of, agent_replies, gap_ms)| {
            Arrival { answers, in_reply_to, automatic, duplicate_of, agent_replies, gap_ms }
        })
}

const AUTOMATIC: [(&str, &str); 6] = [
    ("Auto-Submitted", "auto-replied"),
    ("Auto-Submitted", "auto-generated"),
    ("X-Autoreply", "yes"),
    ("Precedence", "bulk"),
    ("List-Id", "<users.lists.example.org>"),
    ("X-Auto-Response-Suppress", "OOF"),
];

/// Customers write, answer agents and acknowledgements, deliver twice, and their responders
/// answer too; the host threads, records, decides and claims as documented.
fn check_acknowledgements(arrivals: Vec<Arrival>) -> Result<(), TestCaseError> {
    let org = org(true);
    let guard = SenderRateGuard::default();
    let policy = ThreadingPolicy::default();
    let mut store = InMemoryConversations::new(100_000);
    let mut sent: Vec<MessageId> = Vec::new();
    let mut received_fields: Vec<Vec<(String, String)>> = Vec::new();
    let mut acknowledged: std::collections::HashMap<ConversationId, usize> = Default::default();
    let mut t = 0;
    for (n, a) in arrivals.iter().enumerate() {
        t += a.gap_ms;
        let fields: Vec<(String, String)> =
            match a.duplicate_of.filter(|&d| d < received_fields.len()) {
                Some(d) => received_fields[d].clone(),
                None => {
                    let mut f = vec![("Message-ID".to_owned(), format!("<c{n}@example.org>"))];
                    if let Some(k) = a.answers.filter(|_| !sent.is_empty()) {
                        let parent = &sent[k % sent.len()];
                        if a.in_reply_to {
                            f.push(("In-Reply-To".into(), parent.to_string()));
                        }
                        f.push(("References".into(), parent.to_string()));
                        f.push(("Subject".into(), "Re: Order".into()));
                    } else {
                        f.push(("Subject".into(), "Order".into()));
                    }
                    if let Some(k) = a.automatic {
                        f.push((AUTOMATIC[k].0.into(), AUTOMATIC[k].1.into()));
                    }
                    f
                }
            };
        received_fields.push(fields.clone());
        let pairs: Vec<(&str, &str)> =
            fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let email = received(&pairs, at(t));
        let threading = conversation::thread(&store, &email, &policy, at(t));
        let c = conversation::record_received(
            &mut store,
            &email,
            &threading,
            conv(&format!("conv-{n}")),
            at(t),
        );
        let decision = conversation::acknowledgement(
            &email,
            org.route_for(&help()).unwrap(),
            threading.continued(),
            &org,
            &guard,
            at(t),
        );
        if let Some(plan) = decision.plan() {
            prop_assert!(
                email.auto_generated().is_none(),
                "an acknowledgement to automatic mail: {fields:?}"
            );
            prop_assert_eq!(plan.to().address().as_str(), "jane@example.org");
            let ack = MessageId::new(&format!("ack-{n}@support.customer.com")).unwrap();
            if conversation::record_acknowledgement(&mut store, &email, ack.clone(), &c, at(t)) {
                *acknowledged.entry(c.clone()).or_default() += 1;
                prop_assert_eq!(acknowledged[&c], 1, "two acknowledgements in {}", c);
                sent.push(ack);
            }
        } else if email.auto_generated().is_none()
            && threading.continued().is_none_or(|s| s.acknowledged_at().is_none())
        {
            prop_assert!(false, "skipped for no reason: {:?}", decision);
        }
        if a.agent_replies {
            let reply = MessageId::new(&format!("r{n}@support.customer.com")).unwrap();
            conversation::record_sent(
                &mut store,
                reply.clone(),
                &c,
                &agent("jane"),
                "Re: Order",
                at(t),
            );
            sent.push(reply);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No conversation gets two acknowledgements, and automatic mail gets none.
    #[test]
    fn acknowledgements_never_twice_and_never_to_automatic_mail(arrivals in prop::collection::vec(arrival(), 1..60)) {
        check_acknowledgements(arrivals)?;
    }
}
