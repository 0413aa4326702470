//! Inbound dispatch and outbound compose on a full-size organization.

use std::collections::HashSet;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use email_routing::config::{AddressRoute, OrgEmailConfig, QueueRoute, RoutingTarget};
use email_routing::inbound::{DispatchAction, InboundEmail, InboundPolicy, SenderRateGuard};
use email_routing::outbound::OutboundDraft;
use email_routing::*;

/// 2 domains x 1000 addresses, each routed to a queue.
fn big_org() -> OrgEmailConfig {
    let root: DomainName = "mail.example.net".parse().unwrap();
    let mut org = OrgEmailConfig::new(root.clone());
    org.add_domain(Domain::hosted("acme", &root).unwrap()).unwrap();
    org.add_domain(Domain::custom("support.customer.com".parse().unwrap())).unwrap();
    let queue = QueueRoute::new(QueueId::new("support").unwrap())
        .with_skills([Skill::new("billing").unwrap()])
        .with_priority(Priority::new(5).unwrap());
    for domain in ["acme.mail.example.net", "support.customer.com"] {
        for i in 0..Limits::default().max_addresses_per_domain() {
            let address: EmailAddress = format!("agent{i}@{domain}").parse().unwrap();
            let auto_bcc: Vec<EmailAddress> =
                (0..3).map(|b| format!("audit{b}@customer.com").parse().unwrap()).collect();
            let route = AddressRoute::new(
                address,
                DisplayName::new("Support").unwrap(),
                RoutingTarget::Queue(queue.clone()),
            )
            .with_auto_bcc(auto_bcc)
            .unwrap();
            org.add_route(route).unwrap();
        }
    }
    org
}

fn dispatch(c: &mut Criterion) {
    let org = big_org();
    let now = Timestamp::from_unix_millis(1_780_000_000_000).unwrap();
    let raw = "Agent517@Support.Customer.com";
    let policy = InboundPolicy::default();
    let mut guard = SenderRateGuard::default();
    let mut group = c.benchmark_group("dispatch");
    group.bench_function("email_routing", |b| {
        b.iter_batched_ref(
            || InboundEmail::new(now).with_envelope_recipient(raw),
            |email| {
                let d = inbound::dispatch(&org, black_box(email), &policy, &mut guard);
                black_box(matches!(d.action(), DispatchAction::Queue(_)))
            },
            criterion::BatchSize::SmallInput,
        )
    });
    // The parse alone, in the same run, for the ratio.
    group.bench_function("parse_only", |b| {
        b.iter(|| black_box(EmailAddress::new(black_box(raw)).is_ok()))
    });
    group.finish();
}

fn compose(c: &mut Criterion) {
    let org = big_org();
    let verified: HashSet<DomainName> = ["support.customer.com".parse().unwrap()].into();
    let to: String =
        (0..30).map(|i| format!("Customer {i} <c{i}@example.org>")).collect::<Vec<_>>().join(", ");
    let cc: String = (30..47).map(|i| format!("c{i}@example.org")).collect::<Vec<_>>().join(", ");
    // 30 + 17 typed + 3 auto-BCC = 50 recipients.
    let draft = OutboundDraft::new("agent3@support.customer.com".parse().unwrap())
        .with_to(to)
        .with_cc(cc)
        .with_subject("Re: your order #1234");
    let mut group = c.benchmark_group("compose");
    group.bench_function("email_routing", |b| {
        b.iter(|| {
            let env = outbound::compose(&org, black_box(&draft), &verified).unwrap();
            black_box(env.smtp_recipients().count())
        })
    });
    group.finish();
}

criterion_group!(benches, dispatch, compose);
criterion_main!(benches);
