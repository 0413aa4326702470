//! Evaluating a full domain report from answers: verification, inbound MX, three DKIM CNAMEs,
//! MAIL FROM MX and SPF. Target: at most 10 µs.
//!
//! The baseline in the same run does the least work any verifier must: look up the answer to
//! each record's own query and compare the value exactly, with no diagnostics and no report.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use email_routing::dns::{
    Answer, Answers, DkimToken, DnsLookup, DomainCheck, DomainSetup, InMemoryDns, ProviderProfile,
    Query, RecordData, RecordValue, VerificationToken,
};

fn setup() -> DomainSetup {
    DomainSetup::custom(
        "support.customer.com".parse().unwrap(),
        ProviderProfile::ses("us-east-1").unwrap(),
        VerificationToken::new("pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=").unwrap(),
    )
    .unwrap()
    .with_dkim_tokens(
        [
            "tok1abcdefghijklmnopqrstuvwxyz12",
            "tok2abcdefghijklmnopqrstuvwxyz12",
            "tok3abcdefghijklmnopqrstuvwxyz12",
        ]
        .map(|t| DkimToken::new(t).unwrap()),
    )
    .unwrap()
    .with_mail_from("bounce.support.customer.com".parse().unwrap())
    .unwrap()
}

/// The answers a correctly published domain gets, with one unrelated TXT record beside the
/// verification token (as real zones have).
fn answers(check: &DomainCheck, setup: &DomainSetup) -> Answers {
    let mut dns = InMemoryDns::new();
    dns.publish_all(setup.required_records());
    dns.add_txt("_amazonses.support.customer.com", "an-older-token-from-another-account=");
    check.queries().iter().map(|q| (q.clone(), dns.lookup(q))).collect()
}

/// The least work: each record's own answer, compared exactly.
fn baseline(check: &DomainCheck, answers: &Answers) -> usize {
    check
        .records()
        .iter()
        .filter(|r| {
            let query = Query::new(r.name().clone(), r.record_type());
            let records = answers.get(&query).map(Answer::records).unwrap_or_default();
            records.iter().any(|a| match (r.value(), a.data()) {
                (RecordValue::Txt(v), RecordData::Txt(t)) => t.joined() == v.as_bytes(),
                (RecordValue::Mx { exchange, .. }, RecordData::Mx { exchange: e, .. }) => {
                    e.trim_end_matches('.').eq_ignore_ascii_case(exchange.as_str())
                }
                (RecordValue::Cname(target), RecordData::Cname { target: t }) => {
                    t.trim_end_matches('.').eq_ignore_ascii_case(target.as_str())
                }
                _ => false,
            })
        })
        .count()
}

fn bench(c: &mut Criterion) {
    let setup = setup();
    let check = setup.check();
    let answers = answers(&check, &setup);
    assert!(check.evaluate(&answers).all_found());
    assert_eq!(baseline(&check, &answers), 7);

    let mut group = c.benchmark_group("dns_evaluate");
    group.bench_function("email_routing", |b| b.iter(|| check.evaluate(black_box(&answers))));
    group.bench_function("baseline_exact_match", |b| {
        b.iter(|| baseline(&check, black_box(&answers)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
