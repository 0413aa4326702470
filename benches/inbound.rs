//! Reading received mail: `InboundEmail::from_rfc5322` on a realistic 50 KB customer message
//! with one attachment, beside `mail-parser`'s own parse of the same bytes in the same run;
//! and the automatic-mail classification alone.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use email_routing::Timestamp;
use email_routing::inbound::{Envelope, InboundEmail};
use mail_parser::MessageParser;

const CUSTOMER_50K: &[u8] = include_bytes!("../tests/fixtures/mail/customer-50k.eml");
const OUT_OF_OFFICE: &[u8] = include_bytes!("../tests/fixtures/mail/outlook-oof.eml");

fn inbound(c: &mut Criterion) {
    let now = Timestamp::from_unix_millis(1_780_000_000_000).unwrap();
    let envelope = Envelope::new()
        .with_mail_from("<anna.kowalski@example.net>")
        .with_recipient("<help@support.customer.com>");
    let mut group = c.benchmark_group("inbound");
    group.bench_function("email_routing", |b| {
        b.iter(|| {
            let email = InboundEmail::from_rfc5322(black_box(CUSTOMER_50K), envelope.clone(), now);
            black_box(email.attachments().len())
        })
    });
    group.bench_function("mail_parser_only", |b| {
        b.iter(|| {
            let message = MessageParser::default().parse(black_box(CUSTOMER_50K));
            black_box(message.map(|m| m.attachment_count()))
        })
    });
    let ooo = InboundEmail::from_rfc5322(OUT_OF_OFFICE, envelope.clone(), now);
    let customer = InboundEmail::from_rfc5322(CUSTOMER_50K, envelope.clone(), now);
    group.bench_function("classify", |b| {
        b.iter(|| {
            black_box(black_box(&ooo).auto_generated().is_some());
            black_box(black_box(&customer).auto_generated().is_none())
        })
    });
    group.finish();
}

criterion_group!(benches, inbound);
criterion_main!(benches);
