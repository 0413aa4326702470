//! Property tests: no parser panics, normalization is idempotent, serde round-trips, and random
//! sequences of configuration changes never leave an invariant broken.

use email_routing::config::{AddressRoute, OrgEmailConfig, QueueRoute, RoutingTarget};
use email_routing::testing::strategies::{address_text, domain_text};
use email_routing::*;
use proptest::prelude::*;
use serde::de::DeserializeSeed;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parsers_never_panic(s in any::<String>()) {
        let _ = DomainName::new(&s);
        let _ = EmailAddress::new(&s);
        let _ = DisplayName::new(&s);
        let _ = QueueId::new(&s);
        let _ = Language::new(&s);
        let _ = s.parse::<Priority>();
    }

    #[test]
    fn parsers_never_panic_on_address_shaped_noise(
        local in "[^@]{0,70}", domain in "[a-zA-Z0-9.\\-\u{3002}\u{FF0E}_\u{200B}\u{202E}é例]{0,80}"
    ) {
        let s = format!("{local}@{domain}");
        if let Ok(a) = EmailAddress::new(&s) {
            prop_assert!(a.as_str().len() <= MAX_ADDRESS_OCTETS);
            prop_assert!(a.local_part().len() <= MAX_LOCAL_PART_OCTETS);
            prop_assert!(!a.as_str().chars().any(|c| c.is_control() || c.is_whitespace()));
        }
        let _ = DomainName::new(&domain);
    }

    #[test]
    fn domain_normalization_is_idempotent(s in domain_text()) {
        if let Ok(name) = DomainName::new(&s) {
            let again = DomainName::new(name.as_str()).unwrap();
            prop_assert_eq!(&again, &name);
            prop_assert_eq!(again.to_string(), name.to_string());
            prop_assert!(name.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-'));
            // The Unicode form leads back to the same name.
            prop_assert_eq!(DomainName::new(&name.to_unicode()).unwrap(), name.clone());
            // Case variants are the same name.
            prop_assert_eq!(DomainName::new(&s.to_uppercase()).ok(), Some(name));
        }
    }

    #[test]
    fn address_normalization_is_idempotent(s in address_text()) {
        if let Ok(a) = EmailAddress::new(&s) {
            let again = EmailAddress::new(a.as_str()).unwrap();
            prop_assert_eq!(&again, &a);
            prop_assert_eq!(again.to_string(), a.to_string());
            prop_assert_eq!(a.requires_smtputf8(), !a.local_part().is_ascii());
            prop_assert_eq!(a.lookup_key(), a.lookup_key().to_lowercase());
            // Routing uses the lowercase mapping, not full case folding: `ß` uppercases to `SS`,
            // which lowercases to `ss`, a different mailbox. Compare only where case round-trips.
            let upper = EmailAddress::new(&s.to_uppercase());
            if let (Ok(upper), true) = (upper, s.to_uppercase().to_lowercase() == s.to_lowercase()) {
                prop_assert!(upper.eq_ignore_local_case(&a));
            }
        }
    }

    /// A mailbox written into a header reads back as the same mailbox, alone or in a list,
    /// whatever its name: quoted, encoded in RFC 2047 words, or as it is.
    #[test]
    fn a_mailbox_reads_back_as_it_was_written(
        name in prop_oneof!["\\PC{1,60}", "[ -~]{1,40}", "[a-z ]{0,5}=\\?[A-Za-z0-9?=_-]{0,12}"],
        address in address_text(),
    ) {
        let (Ok(name), Ok(address)) = (DisplayName::new(&name), EmailAddress::new(&address)) else {
            return Ok(());
        };
        let mailbox = Mailbox::new(Some(name), address);
        let shown = mailbox.to_string();
        prop_assert!(!shown.contains(['\r', '\n']), "{}", shown);
        let parsed = Mailbox::parse(&shown);
        prop_assert_eq!(parsed.as_ref().ok(), Some(&mailbox), "{}", shown);
        let list = parse_mailbox_list(&format!("{shown}, {shown}"));
        prop_assert_eq!(list.len(), 2, "{}", shown);
        for entry in list {
            prop_assert_eq!(entry.as_ref().ok(), Some(&mailbox), "{}", shown);
        }
    }

    /// Folding and white space inserted wherever a rendered list has white space (CRLF + WSP,
    /// RFC 5322 2.2.3, or runs of spaces and tabs) read back as the same addresses, in order,
    /// with the same names where only folding was inserted.
    #[test]
    fn folded_lists_read_back_the_same_addresses(
        entries in prop::collection::vec(
            (prop::option::of(prop_oneof!["\\PC{1,30}", "[ -~]{1,30}"]), address_text()),
            1..5,
        ),
        folds in prop::collection::vec(
            prop_oneof![Just(" "), Just("\r\n "), Just("\r\n\t"), Just("  \t"), Just(" \r\n  ")],
            0..64,
        ),
    ) {
        let mailboxes: Vec<Mailbox> = entries
            .into_iter()
            .filter_map(|(name, address)| {
                let name = match name {
                    Some(n) => Some(DisplayName::new(&n).ok()?),
                    None => None,
                };
                Some(Mailbox::new(name, EmailAddress::new(&address).ok()?))
            })
            .collect();
        prop_assume!(!mailboxes.is_empty());
        let rendered = mailboxes.iter().map(Mailbox::to_string).collect::<Vec<_>>().join(", ");
        let mut folded = String::new();
        let mut only_folds = true;
        let mut next = folds.iter().cycle();
        for c in rendered.chars() {
            match (c, next.next()) {
                (' ', Some(&fold)) if !folds.is_empty() => {
                    only_folds &= fold == "\r\n ";
                    folded.push_str(fold);
                }
                _ => folded.push(c),
            }
        }
        let read: Vec<Mailbox> = parse_mailbox_list(&folded)
            .into_iter()
            .map(|e| e.map_err(|(raw, e)| format!("{raw:?}: {e}")))
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(format!("{folded:?}: {e}")))?;
        let addresses = |list: &[Mailbox]| list.iter().map(|m| m.address().clone()).collect::<Vec<_>>();
        prop_assert_eq!(addresses(&read), addresses(&mailboxes), "{:?}", folded);
        if only_folds {
            prop_assert_eq!(&read, &mailboxes, "{:?}", folded);
        }
    }

    /// Everything we accept in ASCII, the `email_address` crate in strict mode accepts too:
    /// we are never more permissive than the reference.
    #[test]
    fn never_more_permissive_than_email_address_strict(s in "[ -~]{1,40}@[a-zA-Z0-9.\\-]{1,30}") {
        if EmailAddress::new(&s).is_ok() {
            let strict = email_address::Options::default()
                .without_display_text()
                .without_domain_literal();
            prop_assert!(email_address::EmailAddress::parse_with_options(&s, strict).is_ok(), "{}", s);
        }
    }

    /// A `,` or `;` typed anywhere into a valid address is named as the character it is, in the
    /// local part or in the domain; never a panic, never a vaguer code.
    #[test]
    fn a_separator_typed_into_an_address_is_named(
        s in address_text(), at in any::<prop::sample::Index>(), sep in prop_oneof![Just(','), Just(';')],
    ) {
        prop_assume!(EmailAddress::new(&s).is_ok());
        let boundaries: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
        let i = boundaries[at.index(boundaries.len())];
        let typed = format!("{}{sep}{}", &s[..i], &s[i..]);
        let code = EmailAddress::new(&typed).map_err(|e| e.code());
        prop_assert!(
            matches!(code, Err("address.invalid_character" | "domain.invalid_character")),
            "{:?}: {:?}", typed, code
        );
    }

    /// Two valid addresses with any of the separators people type between them are reported
    /// as several addresses.
    #[test]
    fn two_addresses_where_one_is_expected_are_reported_as_several(
        a in address_text(), b in address_text(),
        sep in prop_oneof![Just(","), Just(", "), Just(";"), Just("; "), Just(" "), Just(" ; ")],
    ) {
        prop_assume!(EmailAddress::new(&a).is_ok() && EmailAddress::new(&b).is_ok());
        let both = format!("{a}{sep}{b}");
        let err = EmailAddress::new(&both).unwrap_err();
        prop_assert!(
            matches!(err, AddressError::SeveralAddresses { count: 2, .. }),
            "{:?}: {:?}", both, err
        );
    }

    /// Any local part that starts with a combining mark is refused with its code, whatever
    /// follows it; after a letter the same mark is accepted.
    #[test]
    fn a_local_part_starting_with_a_mark_is_refused(
        mark in "\\p{M}", rest in "[a-z]{0,8}", domain in domain_text(),
    ) {
        prop_assume!(DomainName::new(&domain).is_ok());
        let err = EmailAddress::new(&format!("{mark}{rest}@{domain}")).unwrap_err();
        prop_assert_eq!(err.code(), "address.leading_combining_mark", "{:?}", err);
        if let Err(e) = EmailAddress::new(&format!("a{mark}{rest}@{domain}")) {
            // A mark that is not a valid code point here is refused for that, not its place.
            prop_assert_eq!(e.code(), "address.invalid_character", "{:?}", e);
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    AddCustom(String),
    AddHosted(String),
    RemoveDomain(usize),
    SetQuota(usize),
    AddRoute { local: String, domain: usize, from: Option<usize>, bcc: usize, target: u8 },
    RemoveRoute(usize),
    UpdateRoute { route: usize, from: Option<usize> },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        prop_oneof![
            Just("a.com"),
            Just("b.org"),
            Just("x.mail.example.net"),
            Just("bücher.de"),
            Just("example.net")
        ]
        .prop_map(|s| Op::AddCustom(s.to_owned())),
        prop_oneof![Just("acme"), Just("beta"), Just("ACME")]
            .prop_map(|s| Op::AddHosted(s.to_owned())),
        (0usize..3).prop_map(Op::RemoveDomain),
        (0usize..4).prop_map(Op::SetQuota),
        ("[a-dA-D]{1,2}", 0usize..3, prop::option::of(0usize..8), 0usize..7, 0u8..3).prop_map(
            |(local, domain, from, bcc, target)| Op::AddRoute { local, domain, from, bcc, target }
        ),
        (0usize..8).prop_map(Op::RemoveRoute),
        ((0usize..8), prop::option::of(0usize..8))
            .prop_map(|(route, from)| Op::UpdateRoute { route, from }),
    ]
}

fn apply(org: &mut OrgEmailConfig, op: &Op) {
    let root = org.hosted_root().clone();
    let route_address =
        |org: &OrgEmailConfig, i: usize| org.routes().get(i).map(|r| r.address().clone());
    let _ = match op {
        Op::AddCustom(name) => org.add_domain(Domain::custom(name.parse().unwrap())),
        Op::AddHosted(label) => org.add_domain(Domain::hosted(label, &root).unwrap()),
        Op::RemoveDomain(i) => match org.domains().get(*i).map(|d| d.name().clone()) {
            Some(name) => org.remove_domain(&name).map(|_| ()),
            None => Ok(()),
        },
        Op::SetQuota(q) => org.set_custom_domain_quota(*q),
        Op::AddRoute { local, domain, from, bcc, target } => {
            let Some(domain) = org.domains().get(*domain).map(|d| d.name().clone()) else { return };
            let address: EmailAddress = format!("{local}@{domain}").parse().unwrap();
            let routing = match target {
                0 => RoutingTarget::OutboundOnly,
                1 => RoutingTarget::Flow { flow: FlowId::new("f").unwrap() },
                _ => RoutingTarget::Queue(QueueRoute::new(QueueId::new("q").unwrap())),
            };
            let mut route = AddressRoute::new(address, DisplayName::new("N").unwrap(), routing);
            if let Some(from) = from.and_then(|i| route_address(org, i)) {
                route = route.with_from_address(from);
            }
            let bccs = (0..*bcc).map(|i| format!("bcc{i}@archive.com").parse().unwrap());
            let route = route.with_auto_bcc(bccs).unwrap();
            let max = org.limits().max_auto_bcc();
            let added = org.add_route(route);
            match &added {
                Err(e) if e.code() == "route.too_many_auto_bcc" => assert!(*bcc > max, "{e}"),
                Ok(()) => assert!(*bcc <= max),
                Err(_) => {}
            }
            added
        }
        Op::RemoveRoute(i) => match route_address(org, *i) {
            Some(a) => org.remove_route(&a).map(|_| ()),
            None => Ok(()),
        },
        Op::UpdateRoute { route, from } => {
            let Some(existing) = org.routes().get(*route).cloned() else { return };
            let from = from
                .and_then(|i| route_address(org, i))
                .unwrap_or_else(|| existing.address().clone());
            org.update_route(existing.with_from_address(from)).map(|_| ())
        }
    };
}

fn check_invariants(org: &OrgEmailConfig) -> Result<(), TestCaseError> {
    let customs = org.domains().iter().filter(|d| d.is_custom()).count();
    let limits = org.limits();
    prop_assert!(org.domains().len() <= limits.max_domains());
    prop_assert!(customs <= org.custom_domain_quota());
    prop_assert!(org.custom_domain_quota() <= limits.max_custom_domain_quota());
    for d in org.domains() {
        prop_assert_eq!(org.domains().iter().filter(|o| o.name() == d.name()).count(), 1);
        if d.is_custom() {
            prop_assert!(!d.name().is_at_or_under(org.hosted_root()));
            prop_assert!(!org.hosted_root().is_subdomain_of(d.name()));
        } else {
            prop_assert_eq!(d.name().parent(), Some(org.hosted_root().clone()));
        }
    }
    for r in org.routes() {
        prop_assert!(org.domains().iter().any(|d| d.name().as_str() == r.address().domain()));
        prop_assert_eq!(org.route_for(r.address()).map(|found| found.address()), Some(r.address()));
        prop_assert!(org.route_for(r.from_address()).is_some());
        prop_assert_eq!(
            org.routes().iter().filter(|o| o.address().eq_ignore_local_case(r.address())).count(),
            1
        );
        prop_assert!(r.auto_bcc().len() <= limits.max_auto_bcc());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_config_changes_keep_every_invariant_and_round_trip(ops in prop::collection::vec(op(), 0..60)) {
        let mut org = OrgEmailConfig::new("mail.example.net".parse().unwrap());
        for op in &ops {
            apply(&mut org, op);
            check_invariants(&org)?;
        }
        let json = serde_json::to_string(&org).unwrap();
        let back = OrgEmailConfig::deserialize_for(org.hosted_root())
            .deserialize(&mut serde_json::Deserializer::from_str(&json))
            .unwrap();
        prop_assert_eq!(&back, &org);
        check_invariants(&back)?;
    }
}
