//! Conversations, group `threading`: `match_reply` threads a customer's reply (read from raw
//! RFC 5322, as received) against an `InMemoryConversations` holding a million known message
//! ids in 250,000 conversations; each iteration takes the next of 16,384 replies, each naming a
//! different known id (In-Reply-To and a References chain), so lookups land all over the store
//! and miss the processor's cache as a host's do; the reply itself is freshly copied, as one
//! just read would be. Beside it, the baseline `hash_map_only`: a `std` `HashMap` of the same
//! ids making only the two lookups such a reply needs.
//!
//! `render_reply` renders an agent's reply with 50 recipients (47 typed, 3 hidden auto-BCC),
//! the customer's message quoted and one 100 KB attachment; `builder_only` has `mail-builder`
//! write the same headers and parts directly, in the same run.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main};
use std::borrow::Cow;
use std::collections::HashSet;

use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
use email_routing::conversation::{self, InMemoryConversations, ThreadingPolicy};
use email_routing::inbound::{Envelope, InboundEmail};
use email_routing::outbound::{
    self, OutboundAttachment, OutboundDraft, OutboundEnvelope, RenderOptions, RepliedMessage,
};
use email_routing::{
    AgentId, ConversationId, DisplayName, Domain, DomainName, EmailAddress, MessageId, Timestamp,
};
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId as BuilderMessageId;
use mail_builder::mime::{BodyPart, MimePart};

const KNOWN_IDS: usize = 1_000_000;
const PER_CONVERSATION: usize = 4;
const REPLIES: usize = 16_384;
const T0: i64 = 1_780_000_000_000;

/// Message id `n`, alternating a customer's (Gmail-like) and an agent reply's (ours).
fn message_id(n: usize) -> String {
    if n.is_multiple_of(2) {
        format!("CAH7x2Pk{n:012}Vb9NqT5wYd4LmRf8sJc1eXgA6uKo@mail.gmail.com")
    } else {
        format!("{n:016x}.4f7a2c91e0b3d5a8@support.customer.com")
    }
}

/// A store with `KNOWN_IDS` ids, 4 to a conversation, one message a second.
fn store() -> InMemoryConversations {
    let agents: Vec<AgentId> =
        (0..200).map(|i| AgentId::new(&format!("agent-{i}")).unwrap()).collect();
    let mut store = InMemoryConversations::new(KNOWN_IDS);
    for n in 0..KNOWN_IDS {
        let c = n / PER_CONVERSATION;
        let id = ConversationId::new(&format!("conv-2026-{c:08}")).unwrap();
        let at = Timestamp::from_unix_millis(T0 + n as i64 * 1000).unwrap();
        let message = MessageId::new(&message_id(n)).unwrap();
        if n.is_multiple_of(2) {
            let subject = format!("Re: [Case #{c}] Invoice charged twice");
            let raw = format!(
                "From: customer{c}@example.org\r\nMessage-ID: <{}>\r\nSubject: {subject}\r\n\r\n",
                message_id(n)
            );
            let email = InboundEmail::from_rfc5322(raw.as_bytes(), Envelope::new(), at);
            let threading = conversation::thread(&store, &email, &ThreadingPolicy::default(), at);
            conversation::record_received(&mut store, &email, &threading, id, at);
        } else {
            let agent = &agents[c % agents.len()];
            conversation::record_sent(&mut store, message, &id, agent, "Re: Invoice", at);
        }
    }
    store
}

/// Customers' answers to agents' replies spread over the store, as received: In-Reply-To the
/// agent's reply, References the whole conversation so far, a reply subject.
fn replies(now: Timestamp) -> Vec<InboundEmail> {
    (0..REPLIES)
        .map(|r| {
            // An agent's reply (odd n), spread evenly over the million.
            let n = (r * (KNOWN_IDS / REPLIES)) | 1;
            let c = n / PER_CONVERSATION;
            let first = c * PER_CONVERSATION;
            let references: Vec<String> =
                (first..=n).map(|k| format!("<{}>", message_id(k))).collect();
            let raw = format!(
                "From: Customer <customer{c}@example.org>\r\nTo: help@support.customer.com\r\n\
                 Subject: RE: [Case #{c}] Invoice charged twice\r\n\
                 Message-ID: <answer-{r}@mail.example.org>\r\nIn-Reply-To: <{}>\r\n\
                 References: {}\r\nMIME-Version: 1.0\r\n\r\nThanks!\r\n",
                message_id(n),
                references.join("\r\n "),
            );
            InboundEmail::from_rfc5322(raw.as_bytes(), Envelope::new(), now)
        })
        .collect()
}

fn threading(c: &mut Criterion) {
    let mut group = c.benchmark_group("threading");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    let now = Timestamp::from_unix_millis(T0 + KNOWN_IDS as i64 * 1000 + 60_000).unwrap();
    let replies = replies(now);
    match_reply(&mut group, &replies, now);
    hash_map_only(&mut group, &replies);
    drop(replies);
    let envelope = reply_envelope();
    render_reply(&mut group, &envelope, now);
    builder_only(&mut group, &envelope, now);
    group.finish();
}

/// Threads one received reply against a million known ids.
fn match_reply(group: &mut BenchmarkGroup<'_, WallTime>, replies: &[InboundEmail], now: Timestamp) {
    let store = store();
    let policy = ThreadingPolicy::default();
    for email in replies {
        assert!(conversation::thread(&store, email, &policy, now).continued().is_some());
    }
    // The reply was just read, so it is in cache, as it is in a host; the store's entries it
    // names are not.
    let mut next = 0;
    group.bench_function("match_reply", |b| {
        b.iter_batched_ref(
            || {
                next += 1;
                replies[next % REPLIES].clone()
            },
            |email| {
                let threading = conversation::thread(black_box(&store), email, &policy, now);
                black_box(threading.continued().is_some())
            },
            BatchSize::SmallInput,
        )
    });
}

/// The baseline: a `std::collections::HashMap` from the same million ids to their
/// conversations, and only the two lookups the rules make for such a reply (its own
/// `Message-ID`, then `In-Reply-To`) with a copy of the conversation id found.
fn hash_map_only(group: &mut BenchmarkGroup<'_, WallTime>, replies: &[InboundEmail]) {
    let map: HashMap<MessageId, ConversationId> = (0..KNOWN_IDS)
        .map(|n| {
            let c = ConversationId::new(&format!("conv-2026-{:08}", n / PER_CONVERSATION));
            (MessageId::new(&message_id(n)).unwrap(), c.unwrap())
        })
        .collect();
    let mut next = 0;
    group.bench_function("hash_map_only", |b| {
        b.iter_batched_ref(
            || {
                next += 1;
                replies[next % REPLIES].clone()
            },
            |email| {
                let own = email.message_id().and_then(|id| black_box(&map).get(id));
                let parent = email.in_reply_to().first().and_then(|id| black_box(&map).get(id));
                black_box(own.or(parent).cloned())
            },
            BatchSize::SmallInput,
        )
    });
}

/// An agent's reply with 50 recipients, quoted history and a 100 KB attachment, composed.
fn reply_envelope() -> OutboundEnvelope {
    let root: DomainName = "mail.example.net".parse().unwrap();
    let mut org = OrgEmailConfig::new(root);
    org.add_domain(Domain::custom("support.customer.com".parse().unwrap())).unwrap();
    let auto_bcc: Vec<EmailAddress> =
        (0..3).map(|i| format!("archive{i}@customer.com").parse().unwrap()).collect();
    org.add_route(
        AddressRoute::new(
            "help@support.customer.com".parse().unwrap(),
            DisplayName::new("Customer Help").unwrap(),
            RoutingTarget::OutboundOnly,
        )
        .with_auto_bcc(auto_bcc)
        .unwrap(),
    )
    .unwrap();
    let customer = InboundEmail::from_rfc5322(
        include_bytes!("../tests/fixtures/mail/customer-50k.eml"),
        Envelope::new(),
        Timestamp::from_unix_millis(T0).unwrap(),
    );
    let to: Vec<String> = (0..30).map(|i| format!("Customer {i} <c{i}@example.org>")).collect();
    let cc: Vec<String> = (30..47).map(|i| format!("c{i}@example.org")).collect();
    let attachment: Vec<u8> =
        (0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let draft = OutboundDraft::new("help@support.customer.com".parse().unwrap())
        .with_to(to.join(", "))
        .with_cc(cc.join(", "))
        .with_subject("Re: Renewal quote 2025-Q2")
        .with_text("Hello Anna,\n\nthe updated quote is attached.\n\nBest regards")
        .with_html("<p>Hello Anna,</p><p>the updated quote is attached.</p><p>Best regards</p>")
        .with_attachment(
            OutboundAttachment::new("quote.pdf", "application/pdf", attachment).unwrap(),
        )
        .replying_to(RepliedMessage::from_email(&customer));
    let verified: HashSet<DomainName> = ["support.customer.com".parse().unwrap()].into();
    outbound::compose(&org, &draft, &verified).unwrap()
}

/// Renders the reply (the envelope is composed once, outside the timing).
fn render_reply(
    group: &mut BenchmarkGroup<'_, WallTime>,
    envelope: &OutboundEnvelope,
    now: Timestamp,
) {
    let options = RenderOptions::new(now, "reply-0001");
    group.bench_function("render_reply", |b| {
        b.iter(|| black_box(envelope.render(black_box(&options)).unwrap().as_bytes().len()))
    });
}

/// `mail-builder` writing the same headers and MIME parts directly.
fn builder_only(
    group: &mut BenchmarkGroup<'_, WallTime>,
    envelope: &OutboundEnvelope,
    now: Timestamp,
) {
    let view = envelope.agent_view();
    let mailbox = |m: &email_routing::Mailbox| {
        Address::new_address(
            m.name().map(|n| n.as_str().to_owned()),
            m.address().as_str().to_owned(),
        )
    };
    let references: Vec<String> = view.references().iter().map(|r| r.as_str().to_owned()).collect();
    let attachment = &view.attachments()[0];
    group.bench_function("builder_only", |b| {
        b.iter(|| {
            let text = MimePart::new("text/plain", BodyPart::Text(Cow::Borrowed(view.text())));
            let html =
                MimePart::new("text/html", BodyPart::Text(Cow::Borrowed(view.html().unwrap())));
            let alternative = MimePart::new(
                ContentType::new("multipart/alternative").attribute("boundary", "=_b_1"),
                BodyPart::Multipart(vec![text, html]),
            );
            let file = MimePart::new(
                ContentType::new(attachment.media_type()),
                BodyPart::Binary(Cow::Borrowed(attachment.content())),
            )
            .attachment(attachment.name());
            let mixed = MimePart::new(
                ContentType::new("multipart/mixed").attribute("boundary", "=_b_0"),
                BodyPart::Multipart(vec![alternative, file]),
            );
            let message = MessageBuilder::new()
                .from(mailbox(view.from()))
                .subject(view.subject().as_str())
                .date(Date::new(now.unix_millis() / 1000))
                .message_id("reply-0001@support.customer.com")
                .to(Address::new_list(view.to().iter().map(mailbox).collect()))
                .cc(Address::new_list(view.cc().iter().map(mailbox).collect()))
                .in_reply_to(view.in_reply_to().unwrap().as_str())
                .references(BuilderMessageId::new_list(references.iter().map(String::as_str)))
                .body(mixed);
            black_box(message.write_to_vec().unwrap().len())
        })
    });
}

criterion_group!(benches, threading);
criterion_main!(benches);
