//! Inbound dispatch: recipient matching order, spam and virus policy, queue enqueue.

use email_routing::acd::{AcdQueue, Agent};
use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
use email_routing::inbound::{
    Dispatch, DispatchAction, DispatchReason, InboundEmail, InboundPolicy, SenderRateGuard,
    Verdict, Verdicts,
};
use email_routing::*;

const NOW: i64 = 1_780_000_000_000;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(ms).unwrap()
}

/// The organization every example speaks of (the crate's shared fixture).
fn org() -> OrgEmailConfig {
    email_routing::testing::sample_org()
}

/// What the host's scanners said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    Clean,
    Spam,
    Virus,
}

fn mail(scan: Scan) -> InboundEmail {
    let mut verdicts = Verdicts::clean();
    match scan {
        Scan::Spam => verdicts.spam = Verdict::Fail,
        Scan::Virus => verdicts.virus = Verdict::Fail,
        Scan::Clean => {}
    }
    InboundEmail::new(at(NOW)).with_verdicts(verdicts)
}

/// Dispatches under the default policy with a fresh rate guard.
fn run<'o>(org: &'o OrgEmailConfig, email: &InboundEmail) -> Dispatch<'o> {
    inbound::dispatch(org, email, &InboundPolicy::default(), &mut SenderRateGuard::default())
}

#[test]
fn clean_mail_to_a_queue_address_enqueues_with_the_route_requirements() {
    let org = org();
    let email = mail(Scan::Clean).with_envelope_recipient("<Help@Support.Customer.com>");
    let dispatch = run(&org, &email);
    let matched = dispatch.matched().unwrap();
    assert_eq!(matched.field(), RecipientField::Envelope);
    assert_eq!(matched.recipient().as_str(), "Help@support.customer.com");
    assert_eq!(matched.route().address().as_str(), "help@support.customer.com");
    let DispatchAction::Queue(q) = dispatch.action() else { panic!("{:?}", dispatch.action()) };
    assert_eq!(q.route().queue().as_str(), "support");
    assert_eq!(q.received_at(), at(NOW));

    let mut acd = AcdQueue::new();
    acd.enqueue_dispatch(q, "mail-1").unwrap();
    let untrained = Agent::new([], [Language::new("en").unwrap()]);
    assert!(acd.peek_for(&untrained, at(NOW)).is_none());
    let agent = Agent::new([Skill::new("billing").unwrap()], [Language::new("en").unwrap()]);
    let taken = acd.next_for(&agent, at(NOW)).unwrap();
    assert_eq!(*taken.id(), "mail-1");
    assert_eq!(taken.priority().get(), 10);
    assert_eq!(taken.enqueued_at(), at(NOW));
}

#[test]
fn virus_is_always_disconnected() {
    let org = org();
    for email in [
        mail(Scan::Virus).with_envelope_recipient("help@support.customer.com"),
        mail(Scan::Virus).with_envelope_recipient("nobody@elsewhere.com"),
        mail(Scan::Virus),
    ] {
        let d = run(&org, &email);
        assert_eq!((d.action(), d.reason()), (&DispatchAction::Disconnect, &DispatchReason::Virus));
    }
}

#[test]
fn spam_follows_the_spam_policy_never_the_normal_route() {
    let org = org();
    let spam_to_help = mail(Scan::Spam).with_envelope_recipient("help@support.customer.com");
    let d = run(&org, &spam_to_help);
    match d.action() {
        DispatchAction::Flow(flow) => assert_eq!(flow.as_str(), "spam-review"),
        other => panic!("{other:?}"),
    }
    assert_eq!(d.reason(), &DispatchReason::Spam);
    // sales@ has the default policy: disconnect, even though its normal route is a flow.
    let spam_to_sales = mail(Scan::Spam).with_to("sales@support.customer.com");
    let d = run(&org, &spam_to_sales);
    assert_eq!((d.action(), d.reason()), (&DispatchAction::Disconnect, &DispatchReason::Spam));
}

#[test]
fn outbound_only_and_unknown_addresses_are_not_routed() {
    let org = org();
    let to_noreply = mail(Scan::Clean).with_envelope_recipient("noreply@acme.mail.example.net");
    let d = run(&org, &to_noreply);
    assert_eq!(
        (d.action(), d.reason()),
        (&DispatchAction::NotRouted, &DispatchReason::OutboundOnly)
    );
    let stranger = mail(Scan::Clean).with_envelope_recipient("someone@elsewhere.com");
    let d = run(&org, &stranger);
    assert!(d.matched().is_none());
    assert_eq!(
        (d.action(), d.reason()),
        (&DispatchAction::NotRouted, &DispatchReason::NoConfiguredAddress)
    );
}

#[test]
fn envelope_first_then_to_then_cc() {
    let org = org();
    let email = mail(Scan::Clean)
        .with_cc("help@support.customer.com")
        .with_to("Someone <x@elsewhere.com>, Sales Team <SALES@support.customer.com>")
        .with_envelope_recipient("x@elsewhere.com");
    let d = run(&org, &email);
    assert_eq!(d.matched().unwrap().field(), RecipientField::To);
    assert!(matches!(d.action(), DispatchAction::Flow(_)));
    assert_eq!(d.reason(), &DispatchReason::Route);

    let email = email.with_envelope_recipient("help@support.customer.com");
    assert_eq!(run(&org, &email).matched().unwrap().field(), RecipientField::Envelope);

    let cc_only = mail(Scan::Clean).with_cc("\"Help, Desk\" <help@support.customer.com>");
    assert_eq!(run(&org, &cc_only).matched().unwrap().field(), RecipientField::Cc);
}

#[test]
fn a_recipient_is_found_whatever_its_encoded_name_holds() {
    let org = org();
    for to in [
        "=?utf-8?B?U2FsZXMgVGVhbQ==?= <sales@support.customer.com>",
        "=?iso-8859-1?Q?=93Ventas=94?= <sales@support.customer.com>",
        // An encoded line break and a control character: the name stays encoded.
        "=?utf-8?Q?Sales=0D=0ABcc:_x@y.com?= <sales@support.customer.com>",
        "=?iso-8859-1?Q?=81?= <sales@support.customer.com>",
    ] {
        let email = mail(Scan::Clean).with_to(to);
        let d = run(&org, &email);
        assert_eq!(d.matched().map(|m| m.field()), Some(RecipientField::To), "{to}");
        assert!(email.skipped().is_empty(), "{to}");
    }
}

#[test]
fn unparseable_recipients_are_skipped_and_listed() {
    let org = org();
    let email = mail(Scan::Clean)
        .with_envelope_recipient("a@b.com\r\nBcc: x@y.com")
        .with_envelope_recipient("")
        .with_to("not an address, \"Quoted\" <@broken>")
        .with_cc("help@support.customer.com");
    let d = run(&org, &email);
    assert_eq!(d.matched().unwrap().field(), RecipientField::Cc);
    let skipped: Vec<(RecipientField, &str)> =
        email.skipped().iter().map(|s| (s.field(), s.raw())).collect();
    assert_eq!(
        skipped,
        [
            (RecipientField::Envelope, "a@b.com\r\nBcc: x@y.com"),
            (RecipientField::Envelope, ""),
            (RecipientField::To, "not an address"),
            (RecipientField::To, "\"Quoted\" <@broken>"),
        ]
    );
    assert_eq!(email.skipped()[0].error().code(), "address.invalid_character");
}

#[test]
fn duplicate_enqueue_is_refused() {
    let org = org();
    let email = mail(Scan::Clean).with_envelope_recipient("help@support.customer.com");
    let d = run(&org, &email);
    let DispatchAction::Queue(q) = d.action() else { panic!() };
    let mut acd = AcdQueue::new();
    acd.enqueue_dispatch(q, 7u64).unwrap();
    assert_eq!(acd.enqueue_dispatch(q, 7u64).unwrap_err().code(), "acd.duplicate_id");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn dispatch_never_panics(
            env in prop::collection::vec(any::<String>(), 0..4),
            to in any::<String>(),
            cc in "[ -~\u{80}-\u{10FFFF}]{0,60}",
            verdict in 0u8..3,
        ) {
            let org = org();
            let verdict = [Scan::Clean, Scan::Spam, Scan::Virus][verdict as usize];
            let mut email = mail(verdict).with_to(&to).with_cc(&cc);
            for e in env {
                email = email.with_envelope_recipient(e);
            }
            let d = run(&org, &email);
            if verdict == Scan::Virus {
                prop_assert_eq!((d.action(), d.reason()), (&DispatchAction::Disconnect, &DispatchReason::Virus));
            }
            if verdict == Scan::Spam {
                prop_assert!(!matches!(d.action(), DispatchAction::Queue(_)));
                prop_assert_ne!(d.reason(), &DispatchReason::Route);
            }
        }
    }
}

/// Received header values as real clients write them: each must reach the route of
/// help@support.customer.com through the `To` header, never be skipped.
#[test]
fn received_header_forms_never_lose_the_recipient() {
    let org = org();
    for (value, name) in [
        (
            "=?UTF-8?Q?Customer_?=\r\n =?UTF-8?Q?Help?= <help@support.customer.com>",
            Some("Customer Help"),
        ),
        ("Customer\tHelp <help@support.customer.com>", Some("Customer Help")),
        ("\"Customer\r\n Help\" <help@support.customer.com>", Some("Customer Help")),
        ("help@support.customer.com (Acme Support)", Some("Acme Support")),
        ("Support team: help@support.customer.com, sales@support.customer.com;", None),
        ("undisclosed-recipients:;, help@support.customer.com", None),
        ("\"A\" \"B\" <help@support.customer.com>", Some("A B")),
        (
            "\"Sales, EMEA\" =?utf-8?b?U3VwcG9ydA==?= team <help@support.customer.com>",
            Some("Sales, EMEA Support team"),
        ),
    ] {
        let email = mail(Scan::Clean).with_to(value);
        let dispatch = run(&org, &email);
        let matched = dispatch.matched().unwrap_or_else(|| panic!("{value:?}: not matched"));
        assert_eq!(matched.field(), RecipientField::To, "{value:?}");
        assert_eq!(matched.recipient().as_str(), "help@support.customer.com", "{value:?}");
        assert!(email.skipped().is_empty(), "{value:?}: {:?}", email.skipped());
        assert!(matches!(dispatch.action(), DispatchAction::Queue(_)), "{value:?}");
        let read = parse_mailbox_list(value);
        let first = read[0].as_ref().unwrap();
        assert_eq!(first.name().map(DisplayName::as_str), name, "{value:?}");
    }
}

#[test]
fn group_members_are_all_recipients_and_an_empty_group_is_none() {
    let members =
        parse_mailbox_list("Support team: help@support.customer.com, sales@support.customer.com;");
    let addresses: Vec<String> =
        members.iter().map(|m| m.as_ref().unwrap().address().to_string()).collect();
    assert_eq!(addresses, ["help@support.customer.com", "sales@support.customer.com"]);
    assert!(parse_mailbox_list("undisclosed-recipients:;").is_empty());
    // The second member is reached through Cc when the first is not configured.
    let org = org();
    let email = mail(Scan::Clean).with_cc("Team: someone@example.org, sales@support.customer.com;");
    let dispatch = run(&org, &email);
    assert_eq!(dispatch.matched().unwrap().recipient().as_str(), "sales@support.customer.com");
    assert!(email.skipped().is_empty());
}

#[test]
fn subaddressed_recipients_reach_the_base_route_only_when_the_org_says_so() {
    let mut org = org();
    let tagged = mail(Scan::Clean).with_envelope_recipient("help+ticket-4711@support.customer.com");
    // Off by default: no route.
    assert!(run(&org, &tagged).matched().is_none());
    org.set_subaddress_separator(Some('+')).unwrap();
    let dispatch = run(&org, &tagged);
    let matched = dispatch.matched().unwrap();
    assert_eq!(matched.route().address().as_str(), "help@support.customer.com");
    assert_eq!(matched.detail(), Some("ticket-4711"));
    assert_eq!(matched.recipient().as_str(), "help+ticket-4711@support.customer.com");
    assert!(matches!(dispatch.action(), DispatchAction::Queue(_)));
    // Through a header, in any case, split at the first separator.
    let header = mail(Scan::Clean).with_to("Jane <HELP+a+b@support.customer.com>");
    let dispatch = run(&org, &header);
    assert_eq!(dispatch.matched().unwrap().detail(), Some("a+b"));
    // An exact match has no detail; an empty base matches nothing; an empty detail is empty.
    let exact = mail(Scan::Clean).with_envelope_recipient("help@support.customer.com");
    assert_eq!(run(&org, &exact).matched().unwrap().detail(), None);
    let no_base = mail(Scan::Clean).with_envelope_recipient("+x@support.customer.com");
    assert!(run(&org, &no_base).matched().is_none());
    let empty = mail(Scan::Clean).with_envelope_recipient("help+@support.customer.com");
    assert_eq!(run(&org, &empty).matched().unwrap().detail(), Some(""));
    // Another separator: `+` is then an ordinary character.
    org.set_subaddress_separator(Some('-')).unwrap();
    assert!(run(&org, &tagged).matched().is_none());
    let dashed = mail(Scan::Clean).with_envelope_recipient("sales-q3@support.customer.com");
    assert_eq!(run(&org, &dashed).matched().unwrap().detail(), Some("q3"));
    // Separators that are part of address structure, or not atext, are refused.
    for bad in ['.', '@', ' ', 'a', ',', '"'] {
        let err = org.set_subaddress_separator(Some(bad)).unwrap_err();
        assert_eq!(err.code(), "org.subaddress_separator_invalid", "{bad:?}");
    }
    assert_eq!(org.subaddress_separator(), Some('-'));
}

#[test]
fn a_configured_address_with_the_separator_matches_exactly_first() {
    let mut org = org();
    org.set_subaddress_separator(Some('+')).unwrap();
    org.add_route(AddressRoute::new(
        "help+vip@support.customer.com".parse().unwrap(),
        DisplayName::new("VIP").unwrap(),
        RoutingTarget::Flow { flow: FlowId::new("vip").unwrap() },
    ))
    .unwrap();
    let vip = mail(Scan::Clean).with_envelope_recipient("help+vip@support.customer.com");
    let dispatch = run(&org, &vip);
    assert_eq!(
        dispatch.matched().unwrap().route().address().as_str(),
        "help+vip@support.customer.com"
    );
    assert_eq!(dispatch.matched().unwrap().detail(), None);
}

#[test]
fn the_subaddress_setting_is_stored_with_the_organization() {
    use serde::de::DeserializeSeed;
    let mut org = org();
    let plain = serde_json::to_string(&org).unwrap();
    assert!(!plain.contains("subaddress"), "{plain}");
    org.set_subaddress_separator(Some('+')).unwrap();
    let json = serde_json::to_string(&org).unwrap();
    assert!(json.contains(r#""subaddress_separator":"+""#), "{json}");
    let root: DomainName = "mail.example.net".parse().unwrap();
    let back = OrgEmailConfig::deserialize_for(&root)
        .deserialize(&mut serde_json::Deserializer::from_str(&json))
        .unwrap();
    assert_eq!(back, org);
    let bad = json.replace(r#""subaddress_separator":"+""#, r#""subaddress_separator":".""#);
    let err = OrgEmailConfig::deserialize_for(&root)
        .deserialize(&mut serde_json::Deserializer::from_str(&bad))
        .unwrap_err();
    assert!(err.to_string().contains("cannot separate subaddresses"), "{err}");
}
