//! Conversations, group `threading`: `match_reply` threads a customer's reply (read from raw
//! RFC 5322, as received) against an `InMemoryConversations` holding a million known message
//! ids in 250,000 conversations; each iteration takes the next of 16,384 replies, each naming a
//! different known id (In-Reply-To and a References chain), so lookups land all over the store
//! and miss the processor's cache as a host's do; the reply itself is freshly copied, as one
//! just read would be. Beside it, the baseline `hash_map_only`: a `std` `HashMap` of the same
//! ids making only the two lookups such a reply needs.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main};
use email_routing::conversation::{self, InMemoryConversations, ThreadingPolicy};
use email_routing::inbound::{Envelope, InboundEmail};
use email_routing::{AgentId, ConversationId, MessageId, Timestamp};

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

criterion_group!(benches, threading);
criterion_main!(benches);
