//! Loops and limits through `inbound::dispatch`: the sender rate guard (20 an hour, then an
//! hour of quiet), mail from the organization's own addresses, the platform's `X-Loop`
//! marker, and the size and attachment limits at their boundaries.

mod inbound_fixtures;

use email_routing::EmailAddress;
use email_routing::inbound::{
    self, AutoAction, AutoKind, DispatchAction, DispatchReason, InboundEmail, InboundPolicy,
    MAX_PARSED_OCTETS, RateGuardConfig, SenderRateGuard,
};
use inbound_fixtures::*;

const HELP: &str = "help@support.customer.com";
const SALES: &str = "sales@support.customer.com";
const HOUR: i64 = 60 * 60 * 1000;
const MINUTE: i64 = 60 * 1000;

fn address(text: &str) -> EmailAddress {
    text.parse().unwrap()
}

/// A plain message as a mail client writes it, with `extra` header lines (each ending CRLF)
/// on top.
fn message(from: &str, to: &str, extra: &str, n: usize) -> Vec<u8> {
    format!(
        "{extra}From: {from}\r\n\
         To: {to}\r\n\
         Subject: Order 4471, message {n}\r\n\
         Date: Tue, 4 Mar 2025 10:00:00 +0000\r\n\
         Message-ID: <{n}.4471@example.org>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         Where is my order?\r\n"
    )
    .into_bytes()
}

/// A message from `from` to `rcpt_to` (envelope and `To`), arriving at `NOW + ms`.
fn mail_at(from: &str, rcpt_to: &str, ms: i64, n: usize) -> InboundEmail {
    InboundEmail::from_rfc5322(&message(from, rcpt_to, "", n), envelope(from, rcpt_to), at(ms))
}

#[test]
fn the_21st_message_within_an_hour_is_rate_limited_until_the_cool_down_ends() {
    let org = org();
    let policy = InboundPolicy::default();
    let mut guard = SenderRateGuard::default();
    let jane = "jane@example.org";
    for i in 0..20 {
        let d = inbound::dispatch(
            &org,
            &mail_at(jane, HELP, i * MINUTE, i as usize),
            &policy,
            &mut guard,
        );
        assert_eq!(outcome(&d), (HELP_QUEUE.to_owned(), "route"), "message {}", i + 1);
    }
    let over = 20 * MINUTE;
    let d = inbound::dispatch(&org, &mail_at(jane, HELP, over, 21), &policy, &mut guard);
    assert_eq!(outcome(&d), ("disconnect".to_owned(), "rate_limited"));
    let until = at(over + HOUR);
    assert_eq!(d.reason(), &DispatchReason::RateLimited { until });
    assert_eq!(d.matched().map(|m| m.route().address().as_str()), Some(HELP));

    // The pair is suppressed, not the sender or the address: Jane may still write to sales@,
    // and others to help@.
    let d = inbound::dispatch(&org, &mail_at(jane, SALES, over, 22), &policy, &mut guard);
    assert_eq!(outcome(&d), (SALES_FLOW.to_owned(), "route"));
    let d =
        inbound::dispatch(&org, &mail_at("omar@example.net", HELP, over, 23), &policy, &mut guard);
    assert_eq!(outcome(&d), (HELP_QUEUE.to_owned(), "route"));

    // The cool-down runs an hour from the message that went over, whatever the case of the
    // addresses; then mail flows again.
    let (sender, help) = (address("Jane@Example.org"), address("HELP@support.customer.com"));
    assert!(guard.is_suppressed(&sender, &help, until.plus_millis(-1)));
    assert!(!guard.is_suppressed(&sender, &help, until));
    let d = inbound::dispatch(&org, &mail_at(jane, HELP, over + HOUR, 24), &policy, &mut guard);
    assert_eq!(outcome(&d), (HELP_QUEUE.to_owned(), "route"));
}

#[test]
fn a_message_while_suppressed_is_refused_and_the_window_edge_is_exclusive() {
    let org = org();
    let policy = InboundPolicy::default();
    let jane = "jane@example.org";
    // 20 messages in the first 20 seconds; the 21st exactly one hour after the first is
    // outside the first's window, one millisecond earlier it is inside.
    let fill = |guard: &mut SenderRateGuard| {
        for i in 0..20 {
            let d =
                inbound::dispatch(&org, &mail_at(jane, HELP, i * 1000, i as usize), &policy, guard);
            assert_eq!(d.reason().code(), "route");
        }
    };
    let mut guard = SenderRateGuard::default();
    fill(&mut guard);
    let d = inbound::dispatch(&org, &mail_at(jane, HELP, HOUR, 21), &policy, &mut guard);
    assert_eq!(outcome(&d), (HELP_QUEUE.to_owned(), "route"));
    let mut guard = SenderRateGuard::default();
    fill(&mut guard);
    let d = inbound::dispatch(&org, &mail_at(jane, HELP, HOUR - 1, 21), &policy, &mut guard);
    assert_eq!(d.reason(), &DispatchReason::RateLimited { until: at(2 * HOUR - 1) });
    // A message during the cool-down is refused too.
    let d =
        inbound::dispatch(&org, &mail_at(jane, HELP, HOUR + 30 * MINUTE, 22), &policy, &mut guard);
    assert_eq!(d.reason().code(), "rate_limited");
}

/// An auto-responder answering ours is what the guard is for: under a policy that processes
/// auto-replies, the 21st within the hour is suppressed. Under the default policy they are
/// disconnected before the guard sees them, so they never use up a person's allowance.
#[test]
fn auto_replies_count_only_when_the_policy_processes_them() {
    let org = org();
    let bot = "autoresponder@example.org";
    let reply = |n: usize, ms: i64| {
        InboundEmail::from_rfc5322(
            &message(bot, HELP, "Auto-Submitted: auto-replied\r\n", n),
            envelope(bot, HELP),
            at(ms),
        )
    };
    let process =
        InboundPolicy::default().with_auto_action(AutoKind::AutoReply, AutoAction::Process);
    let mut guard = SenderRateGuard::default();
    for i in 0..20 {
        let d = inbound::dispatch(&org, &reply(i, i as i64 * 1000), &process, &mut guard);
        assert_eq!(d.reason().code(), "route", "reply {}", i + 1);
    }
    let d = inbound::dispatch(&org, &reply(20, 20_000), &process, &mut guard);
    assert_eq!(outcome(&d), ("disconnect".to_owned(), "rate_limited"));

    let mut guard = SenderRateGuard::default();
    for i in 0..30 {
        let d = inbound::dispatch(
            &org,
            &reply(i, i as i64 * 1000),
            &InboundPolicy::default(),
            &mut guard,
        );
        assert_eq!(d.reason().code(), "auto_generated");
    }
    assert!(guard.is_empty());
    let d = inbound::dispatch(
        &org,
        &mail_at(bot, HELP, 30_000, 30),
        &InboundPolicy::default(),
        &mut guard,
    );
    assert_eq!(d.reason().code(), "route");
}

/// A host that restarts resumes with the guard it stored.
#[test]
fn a_stored_guard_resumes_the_suppression() {
    let org = org();
    let policy = InboundPolicy::default();
    let config = RateGuardConfig::new(3, 10 * MINUTE, 30 * MINUTE, 1000).unwrap();
    let mut guard = SenderRateGuard::new(config);
    let jane = "jane@example.org";
    for i in 0..3 {
        let d = inbound::dispatch(
            &org,
            &mail_at(jane, HELP, i * MINUTE, i as usize),
            &policy,
            &mut guard,
        );
        assert_eq!(d.reason().code(), "route");
    }
    let d = inbound::dispatch(&org, &mail_at(jane, HELP, 3 * MINUTE, 3), &policy, &mut guard);
    assert_eq!(d.reason(), &DispatchReason::RateLimited { until: at(33 * MINUTE) });

    let stored = serde_json::to_string(&guard).unwrap();
    let mut resumed: SenderRateGuard = serde_json::from_str(&stored).unwrap();
    assert_eq!(resumed, guard);
    assert_eq!(resumed.config(), &config);
    let d = inbound::dispatch(&org, &mail_at(jane, HELP, 4 * MINUTE, 4), &policy, &mut resumed);
    assert_eq!(d.reason().code(), "rate_limited");
    let d = inbound::dispatch(&org, &mail_at(jane, HELP, 40 * MINUTE, 5), &policy, &mut resumed);
    assert_eq!(d.reason().code(), "route");
}

#[test]
fn mail_from_the_organizations_own_address_is_a_loop() {
    let org = org();
    let every_kind_processed = AutoKind::ALL
        .iter()
        .fold(InboundPolicy::default(), |p, &k| p.with_auto_action(k, AutoAction::Process));
    for (from, rcpt_to, own) in [
        ("Customer Co. Support <help@support.customer.com>", HELP, HELP),
        ("help@support.customer.com", SALES, HELP),
        ("\"Sales\" <sales@support.customer.com>", HELP, SALES),
        // Routing compares local parts case-insensitively, and so does the loop check.
        ("HELP@Support.Customer.COM", HELP, "HELP@support.customer.com"),
    ] {
        let email = InboundEmail::from_rfc5322(
            &message(from, rcpt_to, "", 1),
            envelope(own, rcpt_to),
            at(0),
        );
        for policy in [InboundPolicy::default(), every_kind_processed.clone()] {
            let d = dispatch_with(&org, &email, &policy);
            assert_eq!(outcome(&d), ("disconnect".to_owned(), "from_own_address"), "{from}");
            assert_eq!(
                d.reason(),
                &DispatchReason::FromOwnAddress { address: address(own) },
                "{from}"
            );
        }
    }
    // Without From, Sender names the author.
    let raw = b"Sender: help@support.customer.com\r\nTo: help@support.customer.com\r\n\r\nx\r\n";
    let email = InboundEmail::from_rfc5322(raw, envelope("help@support.customer.com", HELP), at(0));
    assert_eq!(
        dispatch_with(&org, &email, &InboundPolicy::default()).reason().code(),
        "from_own_address"
    );
    // Another address on the organization's domain is not one of its configured addresses.
    let agent = "Dana (agent) <dana@support.customer.com>";
    let email = InboundEmail::from_rfc5322(
        &message(agent, HELP, "", 1),
        envelope("dana@support.customer.com", HELP),
        at(0),
    );
    assert_eq!(
        outcome(&dispatch_with(&org, &email, &InboundPolicy::default())),
        (HELP_QUEUE.to_owned(), "route")
    );
}

#[test]
fn the_platforms_loop_marker_in_x_loop_is_a_loop() {
    let org = org();
    let marker = "email-routing@support.customer.com";
    let policy = InboundPolicy::default().with_loop_marker(marker).unwrap();
    let jane = "jane@example.org";
    let with = |extra: &str| {
        InboundEmail::from_rfc5322(&message(jane, HELP, extra, 1), envelope(jane, HELP), at(0))
    };
    for extra in [
        "X-Loop: email-routing@support.customer.com\r\n",
        // Field names and values compare case-insensitively; white space around is no part.
        "x-loop:   Email-Routing@Support.Customer.com  \r\n",
        // Any of several X-Loop fields.
        "X-Loop: users@lists.example.org\r\nX-Loop: email-routing@support.customer.com\r\n",
        // Checked before automatic mail: the loop is the reason.
        "Auto-Submitted: auto-replied\r\nX-Loop: email-routing@support.customer.com\r\n",
    ] {
        let d = dispatch_with(&org, &with(extra), &policy);
        assert_eq!(outcome(&d), ("disconnect".to_owned(), "loop_marker"), "{extra}");
        assert_eq!(d.matched().map(|m| m.route().address().as_str()), Some(HELP));
    }
    for extra in [
        "",
        "X-Loop: users@lists.example.org\r\n",
        // The marker inside another value is not the marker.
        "X-Loop: not-email-routing@support.customer.com\r\n",
        // Another header with the marker's text is no X-Loop.
        "X-Mailer: email-routing@support.customer.com\r\n",
    ] {
        let d = dispatch_with(&org, &with(extra), &policy);
        assert_eq!(outcome(&d), (HELP_QUEUE.to_owned(), "route"), "{extra}");
    }
    // Without a marker in the policy, X-Loop means nothing.
    let d = dispatch_with(
        &org,
        &with("X-Loop: email-routing@support.customer.com\r\n"),
        &InboundPolicy::default(),
    );
    assert_eq!(outcome(&d), (HELP_QUEUE.to_owned(), "route"));
}

#[test]
fn the_size_limit_at_its_boundary() {
    let org = org();
    let raw = eml("customer-50k.eml");
    let len = raw.len() as u64;
    let email =
        InboundEmail::from_rfc5322(&raw, envelope("anna.kowalski@example.net", HELP), at(0));
    let exactly = InboundPolicy::default().with_max_message_octets(len).unwrap();
    assert_eq!(outcome(&dispatch_with(&org, &email, &exactly)), (HELP_QUEUE.to_owned(), "route"));
    let below = InboundPolicy::default().with_max_message_octets(len - 1).unwrap();
    let d = dispatch_with(&org, &email, &below);
    assert_eq!(outcome(&d), ("disconnect".to_owned(), "too_large"));
    assert_eq!(d.reason(), &DispatchReason::TooLarge { size_octets: 51148, max: 51147 });
    assert_eq!(d.matched(), None);
    assert_eq!(d.reason().to_string(), "the message is 51148 octets; the limit is 51147");

    // The default, 40 MiB as received, for a message whose size the host gives.
    let max = InboundPolicy::DEFAULT_MAX_MESSAGE_OCTETS;
    assert_eq!(max, 41_943_040);
    let sized =
        |size: u64| InboundEmail::new(at(0)).with_envelope_recipient(HELP).with_size_octets(size);
    let default = InboundPolicy::default();
    assert_eq!(
        outcome(&dispatch_with(&org, &sized(max), &default)),
        (HELP_QUEUE.to_owned(), "route")
    );
    let d = dispatch_with(&org, &sized(max + 1), &default);
    assert_eq!(d.reason(), &DispatchReason::TooLarge { size_octets: max + 1, max });
}

/// A `multipart/mixed` message with a text part and `n` attachments, as a mail client
/// writes one.
fn with_attachments(n: usize) -> Vec<u8> {
    let mut raw = String::from(
        "From: Jane Doe <jane@example.org>\r\n\
         To: help@support.customer.com\r\n\
         Subject: Photos of the damaged parcel\r\n\
         Message-ID: <photos.4471@example.org>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"=_parcel\"\r\n\
         \r\n\
         --=_parcel\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         The photos are attached.\r\n",
    );
    for i in 0..n {
        raw.push_str(&format!(
            "--=_parcel\r\n\
             Content-Type: image/jpeg; name=\"photo-{i}.jpg\"\r\n\
             Content-Disposition: attachment; filename=\"photo-{i}.jpg\"\r\n\
             Content-Transfer-Encoding: base64\r\n\
             \r\n\
             {}\r\n",
            base64(format!("photo {i}").as_bytes())
        ));
    }
    raw.push_str("--=_parcel--\r\n");
    raw.into_bytes()
}

#[test]
fn the_attachment_limit_at_its_boundary() {
    let org = org();
    let read = |n: usize| {
        let email = InboundEmail::from_rfc5322(
            &with_attachments(n),
            envelope("jane@example.org", HELP),
            at(0),
        );
        assert_eq!(email.attachments().len(), n);
        email
    };
    let max = InboundPolicy::DEFAULT_MAX_ATTACHMENTS;
    assert_eq!(max, 50);
    let fifty = read(max);
    assert_eq!(fifty.attachments()[49].name(), Some("photo-49.jpg"));
    assert_eq!(fifty.attachments()[49].size_octets(), "photo 49".len() as u64);
    let default = InboundPolicy::default();
    assert_eq!(outcome(&dispatch_with(&org, &fifty, &default)), (HELP_QUEUE.to_owned(), "route"));
    let d = dispatch_with(&org, &read(max + 1), &default);
    assert_eq!(outcome(&d), ("disconnect".to_owned(), "too_many_attachments"));
    assert_eq!(d.reason(), &DispatchReason::TooManyAttachments { count: 51, max: 50 });
    assert_eq!(d.reason().to_string(), "the message has 51 attachments; the limit is 50");

    // A configured limit, on the real message with two attachments.
    let email = read_fixture_with_two_attachments();
    let two = InboundPolicy::default().with_max_attachments(2).unwrap();
    assert_eq!(outcome(&dispatch_with(&org, &email, &two)), (HELP_QUEUE.to_owned(), "route"));
    let one = InboundPolicy::default().with_max_attachments(1).unwrap();
    let d = dispatch_with(&org, &email, &one);
    assert_eq!(d.reason(), &DispatchReason::TooManyAttachments { count: 2, max: 1 });
    assert!(matches!(d.action(), DispatchAction::Disconnect));

    // Size is checked first.
    let both = one.with_max_message_octets(1000).unwrap();
    assert_eq!(dispatch_with(&org, &email, &both).reason().code(), "too_large");
}

fn read_fixture_with_two_attachments() -> InboundEmail {
    read("customer-with-attachments.eml", "jose.garcia@example.com", HELP)
}

#[test]
fn zero_limits_are_refused() {
    let zero = InboundPolicy::default().with_max_message_octets(0).unwrap_err();
    assert_eq!(zero.code(), "inbound_policy.zero_limit");
    assert!(zero.to_string().contains("max_message_octets"), "{zero}");
    let zero = InboundPolicy::default().with_max_attachments(0).unwrap_err();
    assert_eq!(zero.code(), "inbound_policy.zero_limit");
    assert!(zero.to_string().contains("max_attachments"), "{zero}");
    // The smallest limits are limits: one octet refuses any real message, one attachment
    // lets one through.
    let org = org();
    let one = InboundPolicy::default().with_max_message_octets(1).unwrap();
    let email = mail_at("jane@example.org", HELP, 0, 1);
    assert_eq!(dispatch_with(&org, &email, &one).reason().code(), "too_large");
    let one = InboundPolicy::default().with_max_attachments(1).unwrap();
    let email =
        InboundEmail::from_rfc5322(&with_attachments(1), envelope("jane@example.org", HELP), at(0));
    assert_eq!(dispatch_with(&org, &email, &one).reason().code(), "route");
}

/// A raw message exactly at the default size limit, and one octet over, as received.
#[test]
fn the_default_size_limit_on_raw_bytes() {
    let org = org();
    let max = InboundPolicy::DEFAULT_MAX_MESSAGE_OCTETS as usize;
    let mut raw = message("jane@example.org", HELP, "", 1);
    let line = b"0123456789 the attached log, pasted into the message body, line by line..\r\n";
    while raw.len() + line.len() <= max {
        raw.extend_from_slice(line);
    }
    raw.resize(max - 2, b'.');
    raw.extend_from_slice(b"\r\n");
    assert_eq!(raw.len(), max);
    let email = InboundEmail::from_rfc5322(&raw, envelope("jane@example.org", HELP), at(0));
    assert_eq!(email.subject(), Some("Order 4471, message 1"));
    let d = dispatch_with(&org, &email, &InboundPolicy::default());
    assert_eq!(outcome(&d), (HELP_QUEUE.to_owned(), "route"));
    raw.insert(raw.len() - 2, b'.');
    let email = InboundEmail::from_rfc5322(&raw, envelope("jane@example.org", HELP), at(0));
    let d = dispatch_with(&org, &email, &InboundPolicy::default());
    assert_eq!(
        d.reason(),
        &DispatchReason::TooLarge { size_octets: max as u64 + 1, max: max as u64 }
    );
}

/// Past [`MAX_PARSED_OCTETS`] only the header is read: the work stays bounded, the size and
/// the recipients still count, and the size limit refuses the message.
#[test]
fn a_message_past_the_parse_bound_is_read_header_only() {
    let org = org();
    let mut raw = with_attachments(3);
    let tail = raw.split_off(raw.len() - "--=_parcel--\r\n".len());
    raw.resize(MAX_PARSED_OCTETS + 1 - tail.len(), b'A');
    raw.extend_from_slice(&tail);
    assert_eq!(raw.len(), MAX_PARSED_OCTETS + 1);
    let email = InboundEmail::from_rfc5322(&raw, envelope("jane@example.org", HELP), at(0));
    assert_eq!(email.read_error(), None);
    assert_eq!(email.size_octets(), Some(raw.len() as u64));
    assert_eq!(email.subject(), Some("Photos of the damaged parcel"));
    assert_eq!(mailboxes(email.to()), [(None, HELP)]);
    assert!(email.attachments().is_empty(), "the body is not parsed");
    let d = dispatch_with(&org, &email, &InboundPolicy::default());
    assert_eq!(d.reason().code(), "too_large");
    // Under a policy that allows it, it is routed: the header was enough.
    let huge = InboundPolicy::default().with_max_message_octets(raw.len() as u64).unwrap();
    assert_eq!(outcome(&dispatch_with(&org, &email, &huge)), (HELP_QUEUE.to_owned(), "route"));
}
