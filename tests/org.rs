//! OrgEmailConfig: every cross-object rule at its boundary, and serde re-checking them.

use email_routing::config::{
    AddressRoute, ConfigError, OrgEmailConfig, QueueRoute, RoutingTarget, SpamPolicy,
};
use email_routing::outbound::OutboundError;
use email_routing::testing::{address, domain};
use email_routing::*;
use serde::de::DeserializeSeed;

fn route(text: &str) -> AddressRoute {
    AddressRoute::new(
        address(text),
        DisplayName::new("Support").unwrap(),
        RoutingTarget::OutboundOnly,
    )
}

fn org_with_custom() -> OrgEmailConfig {
    let root = domain("mail.example.net");
    let mut org = OrgEmailConfig::new(root.clone());
    org.add_domain(Domain::hosted("acme", &root).unwrap()).unwrap();
    org.add_domain(Domain::custom(domain("support.customer.com"))).unwrap();
    org
}

#[test]
fn two_domains_at_most() {
    let mut org = org_with_custom();
    let err = org.add_domain(Domain::custom(domain("other.com"))).unwrap_err();
    assert!(matches!(err, ConfigError::TooManyDomains { count: 2, max: 2, .. }), "{err:?}");
    assert_eq!(err.code(), "org.too_many_domains");
}

#[test]
fn custom_domain_quota_is_one_by_default_raisable_to_two_never_three() {
    let root = domain("mail.example.net");
    let mut org = OrgEmailConfig::new(root.clone());
    assert_eq!(org.custom_domain_quota(), 1);
    org.add_domain(Domain::custom(domain("a.com"))).unwrap();
    let err = org.add_domain(Domain::custom(domain("b.com"))).unwrap_err();
    assert!(
        matches!(err, ConfigError::TooManyCustomDomains { count: 1, quota: 1, max: 2, .. }),
        "{err:?}"
    );
    org.set_custom_domain_quota(2).unwrap();
    org.add_domain(Domain::custom(domain("b.com"))).unwrap();
    let out_of_range = "org.custom_domain_quota_out_of_range";
    assert_eq!(org.set_custom_domain_quota(3).unwrap_err().code(), out_of_range);
    assert_eq!(org.set_custom_domain_quota(0).unwrap_err().code(), out_of_range);
    let err = org.set_custom_domain_quota(1).unwrap_err();
    assert!(
        matches!(err, ConfigError::CustomDomainQuotaBelowUsage { requested: 1, in_use: 2 }),
        "{err:?}"
    );
    assert_eq!(err.code(), "org.custom_domain_quota_below_usage");
    assert_eq!(org.custom_domain_quota(), 2);
}

#[test]
fn hosted_subdomain_can_be_replaced() {
    let root = domain("mail.example.net");
    let mut org = org_with_custom();
    org.remove_domain(&domain("acme.mail.example.net")).unwrap();
    org.add_domain(Domain::hosted("acme2", &root).unwrap()).unwrap();
    assert_eq!(org.domains().len(), 2);
}

#[test]
fn hosted_root_rules() {
    let root = domain("mail.example.net");
    let mut org = OrgEmailConfig::new(root.clone());
    // The root, under it, and above it (the platform's own domain) are all the platform's.
    for clash in ["mail.example.net", "x.mail.example.net", "a.b.mail.example.net", "example.net"] {
        let err = org.add_domain(Domain::custom(domain(clash))).unwrap_err();
        assert_eq!(err.code(), "org.custom_domain_overlaps_hosted_root", "{clash}");
    }
    // Lookalike, not under the root.
    org.add_domain(Domain::custom(domain("evilmail.example.net"))).unwrap();
    assert_eq!(Domain::hosted("a.b", &root).unwrap_err().code(), "domain.hosted_label_invalid");
    assert_eq!(
        Domain::hosted("bad_label", &root).unwrap_err().code(),
        "domain.hosted_label_invalid"
    );
    assert_eq!(
        Domain::hosted("bücher", &root).unwrap().name().as_str(),
        "xn--bcher-kva.mail.example.net"
    );
    let other_root = domain("hosted.other.net");
    let foreign = Domain::hosted("acme", &other_root).unwrap();
    assert_eq!(org.add_domain(foreign).unwrap_err().code(), "org.hosted_subdomain_outside_root");
}

#[test]
fn duplicate_and_unknown_domains() {
    let mut org = org_with_custom();
    org.set_custom_domain_quota(2).unwrap();
    let err = org.add_domain(Domain::custom(domain("SUPPORT.customer.com."))).unwrap_err();
    assert_eq!(err.code(), "org.duplicate_domain");
    assert_eq!(org.remove_domain(&domain("nope.com")).unwrap_err().code(), "org.unknown_domain");
}

#[test]
fn domain_with_addresses_cannot_be_removed() {
    let mut org = org_with_custom();
    org.add_route(route("help@support.customer.com")).unwrap();
    let err = org.remove_domain(&domain("support.customer.com")).unwrap_err();
    match &err {
        ConfigError::DomainInUse { count, examples, .. } => {
            assert_eq!(*count, 1);
            assert_eq!(examples, &["help@support.customer.com"]);
        }
        other => panic!("{other:?}"),
    }
    org.remove_route(&address("help@support.customer.com")).unwrap();
    org.remove_domain(&domain("support.customer.com")).unwrap();
}

#[test]
fn thousand_addresses_per_domain() {
    let mut org = org_with_custom();
    let max = Limits::default().max_addresses_per_domain();
    for i in 0..max {
        org.add_route(route(&format!("agent{i}@support.customer.com"))).unwrap();
    }
    let err = org.add_route(route("one-more@support.customer.com")).unwrap_err();
    assert!(matches!(err, ConfigError::TooManyAddresses { count: 1000, max: 1000, .. }), "{err:?}");
    // The other domain has its own 1000.
    org.add_route(route("help@acme.mail.example.net")).unwrap();
    assert_eq!(org.routes().len(), 1001);
    for i in (0..max).step_by(97) {
        let a = address(&format!("AGENT{i}@support.customer.com"));
        assert_eq!(org.route_for(&a).unwrap().address().local_part(), format!("agent{i}"));
    }
}

#[test]
fn addresses_only_on_own_domains_and_only_once() {
    let mut org = org_with_custom();
    let err = org.add_route(route("help@elsewhere.com")).unwrap_err();
    assert_eq!(err.code(), "route.domain_not_in_org");
    // A subdomain of an org domain is a different domain.
    assert_eq!(
        org.add_route(route("a@x.support.customer.com")).unwrap_err().code(),
        "route.domain_not_in_org"
    );
    org.add_route(route("help@support.customer.com")).unwrap();
    let err = org.add_route(route("HELP@Support.Customer.com")).unwrap_err();
    match err {
        ConfigError::DuplicateAddress { existing, .. } => {
            assert_eq!(existing, "help@support.customer.com")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn from_address_must_be_configured() {
    let mut org = org_with_custom();
    org.add_route(route("help@support.customer.com")).unwrap();
    let sales = route("sales@support.customer.com")
        .with_from_address(address("nobody@support.customer.com"));
    let err = org.add_route(sales).unwrap_err();
    assert_eq!(err.code(), "route.from_address_not_configured");
    // Sending as another configured address (any case) is fine.
    let sales =
        route("sales@support.customer.com").with_from_address(address("Help@support.customer.com"));
    org.add_route(sales).unwrap();
    // ...and that address can then not be removed.
    let err = org.remove_route(&address("help@support.customer.com")).unwrap_err();
    match &err {
        ConfigError::AddressInUseAsFrom { used_by, .. } => {
            assert_eq!(used_by, &["sales@support.customer.com"])
        }
        other => panic!("{other:?}"),
    }
    // Repoint sales, then help can go.
    org.update_route(route("sales@support.customer.com")).unwrap();
    org.remove_route(&address("help@support.customer.com")).unwrap();
    assert!(org.route_for(&address("sales@support.customer.com")).is_some());
    assert_eq!(
        org.remove_route(&address("help@support.customer.com")).unwrap_err().code(),
        "route.unknown_address"
    );
    assert_eq!(
        org.update_route(route("ghost@support.customer.com")).unwrap_err().code(),
        "route.unknown_address"
    );
}

#[test]
fn remove_keeps_the_index_consistent() {
    let mut org = org_with_custom();
    for local in ["a", "b", "c", "d"] {
        org.add_route(route(&format!("{local}@support.customer.com"))).unwrap();
    }
    org.remove_route(&address("a@support.customer.com")).unwrap();
    for local in ["b", "c", "d"] {
        let a = address(&format!("{local}@support.customer.com"));
        assert_eq!(org.route_for(&a).unwrap().address(), &a);
    }
    assert!(org.route_for(&address("a@support.customer.com")).is_none());
}

#[test]
fn auto_bcc_limits() {
    let mut org = org_with_custom();
    let five: Vec<EmailAddress> = (0..5).map(|i| address(&format!("a{i}@archive.com"))).collect();
    let six: Vec<EmailAddress> = (0..6).map(|i| address(&format!("a{i}@archive.com"))).collect();
    let r = route("help@support.customer.com").with_auto_bcc(five).unwrap();
    assert_eq!(r.auto_bcc().len(), 5);
    // The count is the organization's plan: checked when the route is added or updated.
    let err = org.add_route(r.clone().with_auto_bcc(six.clone()).unwrap()).unwrap_err();
    assert!(matches!(err, ConfigError::TooManyAutoBcc { count: 6, max: 5, .. }), "{err:?}");
    assert_eq!(err.code(), "route.too_many_auto_bcc");
    assert!(org.routes().is_empty());
    org.add_route(r.clone()).unwrap();
    let err = org.update_route(r.clone().with_auto_bcc(six).unwrap()).unwrap_err();
    assert_eq!(err.code(), "route.too_many_auto_bcc");
    assert_eq!(org.routes()[0].auto_bcc().len(), 5);
    let dup = [address("x@archive.com"), address("X@Archive.com")];
    assert_eq!(r.clone().with_auto_bcc(dup).unwrap_err().code(), "route.duplicate_auto_bcc");
    let own = [address("HELP@support.customer.com")];
    assert_eq!(r.with_auto_bcc(own).unwrap_err().code(), "route.auto_bcc_is_self");
}

#[test]
fn route_skill_limit() {
    let mut org = org_with_custom();
    let skills =
        |n: usize| (0..n).map(|i| Skill::new(&format!("s{i}")).unwrap()).collect::<Vec<_>>();
    let max = Limits::default().max_route_skills();
    let queue = |n: usize| {
        RoutingTarget::Queue(QueueRoute::new(QueueId::new("q").unwrap()).with_skills(skills(n)))
    };
    let err =
        org.add_route(route("help@support.customer.com").with_routing(queue(max + 1))).unwrap_err();
    assert_eq!(err.code(), "route.too_many_skills");
    assert!(matches!(err, ConfigError::TooManySkills { count: 33, max: 32, .. }), "{err:?}");
    org.add_route(route("help@support.customer.com").with_routing(queue(max))).unwrap();
    let err = org
        .update_route(route("help@support.customer.com").with_routing(queue(max + 1)))
        .unwrap_err();
    assert_eq!(err.code(), "route.too_many_skills");
}

fn root() -> DomainName {
    domain("mail.example.net")
}

/// Reads an organization for this platform's hosted root.
fn read(json: &str) -> Result<OrgEmailConfig, serde_json::Error> {
    OrgEmailConfig::deserialize_for(&root())
        .deserialize(&mut serde_json::Deserializer::from_str(json))
}

fn full_org() -> OrgEmailConfig {
    let mut org = org_with_custom();
    let queue = QueueRoute::new(QueueId::new("support").unwrap())
        .with_skills([Skill::new("billing").unwrap()])
        .with_language(Language::new("en").unwrap())
        .with_priority(Priority::new(10).unwrap());
    org.add_route(
        AddressRoute::new(
            address("help@support.customer.com"),
            DisplayName::new("Help").unwrap(),
            RoutingTarget::Queue(queue),
        )
        .with_reply_to(address("replies@customer.com"))
        .with_auto_bcc([address("archive@customer.com")])
        .unwrap()
        .with_spam_policy(SpamPolicy::RouteToFlow { flow: FlowId::new("spam").unwrap() }),
    )
    .unwrap();
    org.add_route(
        route("sales@acme.mail.example.net")
            .with_routing(RoutingTarget::Flow { flow: FlowId::new("sales-bot").unwrap() }),
    )
    .unwrap();
    org
}

#[test]
fn serde_round_trip() {
    let org = full_org();
    let json = serde_json::to_string(&org).unwrap();
    let back = read(&json).unwrap();
    assert_eq!(back, org);
    assert!(back.route_for(&address("HELP@support.customer.com")).is_some());
}

#[test]
fn deserializing_re_checks_every_rule() {
    use serde_json::json;
    let decode =
        |value: serde_json::Value| OrgEmailConfig::deserialize_for(&root()).deserialize(value);
    let mut v = serde_json::to_value(full_org()).unwrap();
    v["domains"].as_array_mut().unwrap().push(json!({"name": "third.com", "kind": "custom"}));
    assert!(decode(v).unwrap_err().to_string().contains("limit is 2"));

    let mut v = serde_json::to_value(full_org()).unwrap();
    v["custom_domain_quota"] = json!(3);
    assert!(decode(v).unwrap_err().to_string().contains("between 1 and 2"));

    let mut v = serde_json::to_value(full_org()).unwrap();
    v["domains"][0] = json!({"name": "x.y.mail.example.net", "kind": "hosted_subdomain"});
    assert!(decode(v).unwrap_err().to_string().contains("not one label under"));

    let mut v = serde_json::to_value(full_org()).unwrap();
    v["routes"][0]["from_address"] = json!("ghost@support.customer.com");
    assert!(decode(v).unwrap_err().to_string().contains("not configured"));

    let mut v = serde_json::to_value(full_org()).unwrap();
    let dup = v["routes"][0].clone();
    v["routes"].as_array_mut().unwrap().push(dup);
    assert!(decode(v).unwrap_err().to_string().contains("already configured"));

    let mut v = serde_json::to_value(full_org()).unwrap();
    v["routes"][0]["auto_bcc"] = json!((0..6).map(|i| format!("a{i}@x.com")).collect::<Vec<_>>());
    assert!(decode(v).unwrap_err().to_string().contains("limit is 5"));

    let mut v = serde_json::to_value(full_org()).unwrap();
    v["routes"][1]["address"] = json!("sales@elsewhere.com");
    assert!(decode(v).unwrap_err().to_string().contains("not one of the organization"));

    let mut v = serde_json::to_value(full_org()).unwrap();
    v["routes"][0]["address"] = json!("help@support.customer.com\r\nBcc: x@y.com");
    assert!(decode(v).is_err());

    let mut v = serde_json::to_value(full_org()).unwrap();
    v["routes"][0]["routing"]["priority"] = json!(25_000_001);
    assert!(decode(v).unwrap_err().to_string().contains("outside"));

    // The hosted root is the host's: a file cannot name another one, and may leave it out.
    let mut v = serde_json::to_value(full_org()).unwrap();
    v["hosted_root"] = json!("paypal.com");
    v["domains"] = json!([{"name": "security.paypal.com", "kind": "hosted_subdomain"}]);
    v["routes"] = json!([]);
    assert!(decode(v).unwrap_err().to_string().contains("hosted root"));
    let mut v = serde_json::to_value(full_org()).unwrap();
    v.as_object_mut().unwrap().remove("hosted_root");
    assert_eq!(decode(v).unwrap(), full_org());

    // A route may send as an address listed later in the file.
    let mut v = serde_json::to_value(full_org()).unwrap();
    v["routes"][0]["from_address"] = json!("sales@acme.mail.example.net");
    let org = decode(v).unwrap();
    assert_eq!(org.routes()[0].from_address().as_str(), "sales@acme.mail.example.net");
}

#[test]
fn error_messages_never_overflow_on_values_a_caller_builds() {
    let odd = ConfigError::TooManyAutoBcc { address: "a@b.com".into(), count: 1, max: 5 };
    assert!(odd.to_string().contains("remove 0"));
    let odd = OutboundError::TooManyRecipients { count: 0, added: 0, max: 50 };
    assert!(odd.to_string().contains("remove 0"));
}
