//! Address parsing against the raw `email_address` crate (strict options), and route lookup.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
use email_routing::*;

/// A realistic ASCII corpus: mixed case, tags, dots, subdomains.
fn corpus() -> Vec<String> {
    let locals = [
        "help",
        "John.Smith",
        "support+tag",
        "billing-team",
        "a",
        "first.last.name",
        "X_Y",
        "no-reply",
    ];
    let domains = [
        "support.customer.com",
        "Example.COM",
        "mail.example.net",
        "shop.co.uk",
        "b.org",
        "sub.domain.example.io",
    ];
    let mut out = Vec::new();
    for (i, l) in locals.iter().enumerate() {
        for (j, d) in domains.iter().enumerate() {
            out.push(format!("{l}{}@{d}", (i * 7 + j) % 10));
        }
    }
    out
}

fn parse_address(c: &mut Criterion) {
    let corpus = corpus();
    let strict = email_address::Options::default().without_display_text().without_domain_literal();
    let mut group = c.benchmark_group("parse_address");
    group.bench_function("email_address_strict", |b| {
        b.iter(|| {
            for s in &corpus {
                black_box(
                    email_address::EmailAddress::parse_with_options(black_box(s), strict).is_ok(),
                );
            }
        })
    });
    group.bench_function("email_routing", |b| {
        b.iter(|| {
            for s in &corpus {
                black_box(EmailAddress::new(black_box(s)).is_ok());
            }
        })
    });
    group.finish();
}

/// An organization with 2 domains x 1000 addresses.
pub fn big_org() -> OrgEmailConfig {
    let root: DomainName = "mail.example.net".parse().unwrap();
    let mut org = OrgEmailConfig::new(root.clone());
    org.add_domain(Domain::hosted("acme", &root).unwrap()).unwrap();
    org.add_domain(Domain::custom("support.customer.com".parse().unwrap())).unwrap();
    for domain in ["acme.mail.example.net", "support.customer.com"] {
        for i in 0..Limits::default().max_addresses_per_domain() {
            let address: EmailAddress = format!("agent{i}@{domain}").parse().unwrap();
            let route = AddressRoute::new(
                address,
                DisplayName::new("Agent").unwrap(),
                RoutingTarget::OutboundOnly,
            );
            org.add_route(route).unwrap();
        }
    }
    org
}

fn route_lookup(c: &mut Criterion) {
    let org = big_org();
    let address: EmailAddress = "Agent517@Support.Customer.com".parse().unwrap();
    let mut group = c.benchmark_group("route_lookup");
    group.bench_function("email_routing", |b| {
        b.iter(|| black_box(org.route_for(black_box(&address)).is_some()))
    });
    group.finish();
}

criterion_group!(benches, parse_address, route_lookup);
criterion_main!(benches);
