//! `Limits`: a platform's own plan, held by the organization and the domain status, stored
//! with them, and reported in every error that names a limit.

use std::collections::HashSet;

use email_routing::config::{
    AddressRoute, ConfigError, ConfigFileError, OrgEmailConfig, QueueRoute, RoutingTarget,
};
use email_routing::dns::{
    DomainReport, DomainSetup, DomainStatus, FailureReason, InMemoryDns, ProviderProfile,
    RecordType, StatusError, VerificationState, VerificationToken,
};
use email_routing::outbound::OutboundError;
use email_routing::outbound::{self, OutboundDraft, RenderOptions};
use email_routing::testing::{address, domain};
use email_routing::*;
use proptest::prelude::*;

fn root() -> DomainName {
    domain("mail.example.net")
}

fn route(text: &str) -> AddressRoute {
    AddressRoute::new(address(text), DisplayName::new("Help").unwrap(), RoutingTarget::OutboundOnly)
}

/// A plan unlike the anchor platform's in every number an organization uses.
fn plan() -> Limits {
    Limits::builder()
        .max_domains(4)
        .min_custom_domain_quota(0)
        .default_custom_domain_quota(2)
        .max_custom_domain_quota(3)
        .max_addresses_per_domain(3)
        .max_auto_bcc(2)
        .max_route_skills(2)
        .max_recipients(4)
        .max_subject_chars(20)
        .max_message_octets(4000)
        .verification_window_hours(24)
        .downgrade_misses(2)
        .downgrade_span_hours(1)
        .build()
        .unwrap()
}

fn planned_org() -> OrgEmailConfig {
    let root = root();
    let mut org = OrgEmailConfig::with_limits(root.clone(), plan());
    org.add_domain(Domain::hosted("acme", &root).unwrap()).unwrap();
    org.add_domain(Domain::custom(domain("support.customer.com"))).unwrap();
    org
}

#[test]
fn new_keeps_the_anchor_platforms_numbers() {
    let org = OrgEmailConfig::new(root());
    assert_eq!(org.limits(), &Limits::default());
    let d = Limits::default();
    assert_eq!(
        (d.max_domains(), d.default_custom_domain_quota(), d.min_custom_domain_quota()),
        (2, 1, 1)
    );
    assert_eq!((d.max_custom_domain_quota(), d.max_addresses_per_domain()), (2, 1000));
    assert_eq!((d.max_auto_bcc(), d.max_route_skills(), d.max_recipients()), (5, 32, 50));
    assert_eq!((d.max_subject_chars(), d.max_message_octets()), (998, 41_943_040));
    assert_eq!(
        (d.verification_window_hours(), d.downgrade_misses(), d.downgrade_span_hours()),
        (72, 3, 72)
    );
}

#[test]
fn domain_rules_report_the_plans_limits() {
    let mut org = planned_org();
    assert_eq!(org.custom_domain_quota(), 2); // the plan's default quota
    org.add_domain(Domain::custom(domain("sales.customer.com"))).unwrap();
    let err = org.add_domain(Domain::custom(domain("other.com"))).unwrap_err();
    assert!(
        matches!(err, ConfigError::TooManyCustomDomains { count: 2, quota: 2, max: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("at most 3"), "{err}");
    org.set_custom_domain_quota(3).unwrap();
    org.add_domain(Domain::custom(domain("other.com"))).unwrap();
    let err = org.add_domain(Domain::hosted("beta", &root()).unwrap()).unwrap_err();
    assert!(matches!(err, ConfigError::TooManyDomains { count: 4, max: 4, .. }), "{err:?}");
    assert!(err.to_string().contains("the limit is 4"), "{err}");
    let err = org.set_custom_domain_quota(4).unwrap_err();
    assert!(
        matches!(err, ConfigError::CustomDomainQuotaOutOfRange { requested: 4, min: 0, max: 3 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("between 0 and 3"), "{err}");
}

#[test]
fn a_plan_may_allow_no_custom_domain_at_all() {
    let hosted_only = Limits::builder()
        .min_custom_domain_quota(0)
        .default_custom_domain_quota(0)
        .max_custom_domain_quota(0)
        .build()
        .unwrap();
    let mut org = OrgEmailConfig::with_limits(root(), hosted_only);
    let err = org.add_domain(Domain::custom(domain("support.customer.com"))).unwrap_err();
    assert_eq!(err.code(), "org.too_many_custom_domains");
    org.add_domain(Domain::hosted("acme", &root()).unwrap()).unwrap();
}

#[test]
fn address_rules_report_the_plans_limits() {
    let mut org = planned_org();
    for local in ["a", "b", "c"] {
        org.add_route(route(&format!("{local}@support.customer.com"))).unwrap();
    }
    let err = org.add_route(route("d@support.customer.com")).unwrap_err();
    assert!(matches!(err, ConfigError::TooManyAddresses { count: 3, max: 3, .. }), "{err:?}");
    assert!(err.to_string().contains("the limit is 3"), "{err}");

    let bcc = |n: usize| (0..n).map(|i| address(&format!("a{i}@archive.com"))).collect::<Vec<_>>();
    let two = route("help@acme.mail.example.net").with_auto_bcc(bcc(2)).unwrap();
    org.add_route(two.clone()).unwrap();
    let three = two.with_auto_bcc(bcc(3)).unwrap();
    let err = org.update_route(three).unwrap_err();
    assert!(matches!(err, ConfigError::TooManyAutoBcc { count: 3, max: 2, .. }), "{err:?}");
    assert!(err.to_string().contains("the limit is 2: remove 1"), "{err}");

    let skills = |n: usize| (0..n).map(|i| Skill::new(&format!("s{i}")).unwrap());
    let queue = |n| {
        RoutingTarget::Queue(QueueRoute::new(QueueId::new("q").unwrap()).with_skills(skills(n)))
    };
    let err = org.add_route(route("q@acme.mail.example.net").with_routing(queue(3))).unwrap_err();
    assert!(matches!(err, ConfigError::TooManySkills { count: 3, max: 2, .. }), "{err:?}");
    assert!(err.to_string().contains("the limit is 2"), "{err}");
    org.add_route(route("q@acme.mail.example.net").with_routing(queue(2))).unwrap();
}

fn verified() -> HashSet<DomainName> {
    [domain("support.customer.com")].into()
}

/// The planned organization with `help@` copying one auto-BCC address.
fn sending_org() -> OrgEmailConfig {
    let mut org = planned_org();
    org.add_route(
        route("help@support.customer.com").with_auto_bcc([address("a@archive.com")]).unwrap(),
    )
    .unwrap();
    org
}

fn draft() -> OutboundDraft {
    OutboundDraft::new(address("help@support.customer.com")).with_subject("Re: invoice")
}

#[test]
fn compose_holds_a_reply_to_the_organizations_plan() {
    let org = sending_org();
    // 4 recipients: 3 typed and the auto-BCC.
    let three = draft().with_to("a@example.org, b@example.org").with_cc("c@example.org");
    assert!(outbound::compose(&org, &three, &verified()).is_ok());
    let four = three.clone().with_bcc("d@example.org");
    let err = outbound::compose(&org, &four, &verified()).unwrap_err();
    assert!(
        matches!(err, OutboundError::TooManyRecipients { count: 5, added: 1, max: 4 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("the limit is 4"), "{err}");

    let longest = draft().with_to("a@example.org").with_subject("x".repeat(20));
    assert!(outbound::compose(&org, &longest, &verified()).is_ok());
    let long = draft().with_to("a@example.org").with_subject("x".repeat(21));
    let err = outbound::compose(&org, &long, &verified()).unwrap_err();
    assert_eq!(err, OutboundError::SubjectTooLong { len: 21, max: 20 });
    // The anchor platform's organization takes the same subject.
    let mut anchor = OrgEmailConfig::new(root());
    anchor.add_domain(Domain::custom(domain("support.customer.com"))).unwrap();
    anchor.add_route(route("help@support.customer.com")).unwrap();
    assert!(outbound::compose(&anchor, &long, &verified()).is_ok());
}

#[test]
fn render_holds_a_reply_to_the_size_its_organization_allows() {
    let org = sending_org();
    let at = Timestamp::from_unix_millis(1_780_000_000_000).unwrap();
    let small = draft().with_to("a@example.org").with_text("Fixed.");
    let env = outbound::compose(&org, &small, &verified()).unwrap();
    let size = env.render(&RenderOptions::new(at, "r-1")).unwrap().as_bytes().len();
    assert!(size < 4000, "{size}");
    let big = draft().with_to("a@example.org").with_text("word ".repeat(1000));
    let env = outbound::compose(&org, &big, &verified()).unwrap();
    let err = env.render(&RenderOptions::new(at, "r-2")).unwrap_err();
    assert!(matches!(err, OutboundError::TooLarge { max: 4000, size } if size > 4000), "{err:?}");
    assert!(err.to_string().contains("the limit is 4000"), "{err}");
}

// DomainStatus: the windows are the plan's, and stored with the status.

const T0: Timestamp = match Timestamp::from_unix_millis(1_700_000_000_000) {
    Ok(t) => t,
    Err(_) => panic!("in range"),
};

fn setup() -> DomainSetup {
    DomainSetup::custom(
        domain("customer.com"),
        ProviderProfile::ses("us-east-1").unwrap(),
        VerificationToken::new("tok").unwrap(),
    )
    .unwrap()
}

fn report(verification_published: bool) -> DomainReport {
    let mut dns = InMemoryDns::new();
    dns.publish_all(setup().required_records());
    if !verification_published {
        dns.remove("_amazonses.customer.com", RecordType::Txt);
    }
    setup().check().run(&dns)
}

#[test]
fn the_verification_window_is_the_plans() {
    let mut status = DomainStatus::with_limits(&setup(), T0, &plan());
    assert_eq!(status.verification_deadline(), Some(T0.plus_hours(24)));
    status.observe(&report(false), T0.plus_hours(23)).unwrap();
    assert!(matches!(status.verification(), VerificationState::Pending { .. }));
    status.observe(&report(true), T0.plus_hours(24)).unwrap();
    assert_eq!(
        status.verification(),
        VerificationState::Failed {
            at: T0.plus_hours(24),
            reason: FailureReason::NotPublishedInTime
        }
    );
    // With the anchor platform's 72 hours the same reports verify.
    let mut anchor = DomainStatus::new(&setup(), T0);
    anchor.observe(&report(false), T0.plus_hours(23)).unwrap();
    anchor.observe(&report(true), T0.plus_hours(24)).unwrap();
    assert!(anchor.can_send());
}

#[test]
fn the_downgrade_rule_is_the_plans() {
    let mut status = DomainStatus::with_limits(&setup(), T0, &plan());
    status.observe(&report(true), T0.plus_hours(1)).unwrap();
    let mut anchor = DomainStatus::new(&setup(), T0);
    anchor.observe(&report(true), T0.plus_hours(1)).unwrap();
    for s in [&mut status, &mut anchor] {
        s.observe(&report(false), T0.plus_hours(2)).unwrap();
        assert!(s.can_send(), "one miss never downgrades under either plan");
        s.observe(&report(false), T0.plus_hours(3)).unwrap();
    }
    // Two misses an hour apart are the plan's rule, not the anchor platform's.
    assert!(matches!(
        status.verification(),
        VerificationState::Failed { reason: FailureReason::RecordRemoved, .. }
    ));
    assert!(anchor.can_send());
    assert_eq!(anchor.consecutive_misses(), 2);
}

#[test]
fn a_stored_status_keeps_its_windows() {
    let status = DomainStatus::with_limits(&setup(), T0, &plan());
    let stored = serde_json::to_value(&status).unwrap();
    assert_eq!(
        stored["limits"],
        serde_json::json!({"verification_window_hours": 24, "downgrade_misses": 2, "downgrade_span_hours": 1})
    );
    let back: DomainStatus = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(back, status);
    assert_eq!(back.verification_deadline(), Some(T0.plus_hours(24)));

    // The anchor platform's windows are not written, and a status stored without them
    // (before they were configurable) reads back with them.
    let anchor = serde_json::to_value(DomainStatus::new(&setup(), T0)).unwrap();
    assert!(anchor.get("limits").is_none(), "{anchor}");
    let back: DomainStatus = serde_json::from_value(anchor).unwrap();
    assert_eq!(back, DomainStatus::new(&setup(), T0));

    // Stored windows are held to the rules of `Limits`.
    let mut bad = stored.clone();
    bad["limits"]["verification_window_hours"] = serde_json::json!(0);
    let err = serde_json::from_value::<DomainStatus>(bad).unwrap_err();
    assert!(err.to_string().contains("`verification_window_hours` is 0"), "{err}");
    let mut bad = stored;
    bad["limits"]["max_domains"] = serde_json::json!(3);
    assert!(serde_json::from_value::<DomainStatus>(bad).is_err());
    let wrapped = StatusError::Limits(Limits::builder().downgrade_misses(0).build().unwrap_err());
    assert_eq!(wrapped.code(), "limits.out_of_range");
}

// The file: `"limits"` beside the organization, every field optional, read through the loader.

#[test]
fn an_organization_file_holds_its_plan() {
    let mut org = planned_org();
    org.add_route(
        route("help@support.customer.com").with_auto_bcc([address("a@archive.com")]).unwrap(),
    )
    .unwrap();
    let written = serde_json::to_value(&org).unwrap();
    assert_eq!(written["limits"], serde_json::to_value(plan()).unwrap());
    assert_eq!(written["limits"]["max_auto_bcc"], 2);
    let back = OrgEmailConfig::from_json(&written.to_string(), &root()).unwrap();
    assert_eq!(back, org);
    assert_eq!(back.limits(), &plan());

    // The anchor platform's organization writes no limits.
    let anchor = serde_json::to_value(OrgEmailConfig::new(root())).unwrap();
    assert!(anchor.get("limits").is_none(), "{anchor}");

    // Fields left out keep their defaults; the quota left out is the plan's default.
    let text = r#"{"limits": {"max_custom_domain_quota": 2, "default_custom_domain_quota": 2}}"#;
    let org = OrgEmailConfig::from_json(text, &root()).unwrap();
    assert_eq!(org.custom_domain_quota(), 2);
    assert_eq!(org.limits().max_recipients(), 50);
}

fn load(text: &str) -> Result<OrgEmailConfig, ConfigFileError> {
    OrgEmailConfig::from_json(text, &root())
}

/// The line and column (from 1, in characters) where `needle` first starts in `text`.
fn start_of(text: &str, needle: &str) -> (usize, usize) {
    let offset = text.find(needle).unwrap();
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    (1 + text[..line_start].matches('\n').count(), 1 + text[line_start..offset].chars().count())
}

#[test]
fn a_refused_plan_names_its_field_and_place() {
    let text = "{\n  \"limits\": {\"max_domains\": 2, \"max_domain\": 3}\n}";
    let err = load(text).unwrap_err();
    assert_eq!((err.code(), err.path()), ("config_file.unknown_field", "limits.max_domain"));

    let text = "{\n  \"limits\": {\"max_recipients\": 0}\n}";
    let err = load(text).unwrap_err();
    assert_eq!((err.code(), err.path()), ("limits.out_of_range", "limits.max_recipients"));
    assert_eq!((err.line(), err.column()), start_of(text, "0}"));
    let rule = std::error::Error::source(&err).unwrap().downcast_ref::<LimitsError>().unwrap();
    assert!(matches!(rule, LimitsError::OutOfRange { field: "max_recipients", value: 0, .. }));

    // A rule about two fields points at the one the file gives.
    let text = "{\n  \"limits\": {\"max_auto_bcc\": 60}\n}";
    let err = load(text).unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        ("limits.recipients_not_above_auto_bcc", "limits.max_auto_bcc")
    );
    assert_eq!((err.line(), err.column()), start_of(text, "60"));
    assert!(err.message().contains("at least 61"), "{err}");

    let text = r#"{"limits": {"max_domains": "two"}}"#;
    assert_eq!(load(text).unwrap_err().code(), "config_file.invalid_type");
    let text = r#"{"limits": {"max_domains": -1}}"#;
    assert_eq!(load(text).unwrap_err().code(), "config_file.invalid_value");
}

#[test]
fn the_files_rules_are_held_to_the_files_plan() {
    let text = r#"{
  "limits": {"max_auto_bcc": 1, "max_route_skills": 1},
  "domains": [{"name": "acme.mail.example.net", "kind": "hosted_subdomain"}],
  "routes": [
    {"address": "help@acme.mail.example.net", "display_name": "Help",
     "routing": {"type": "queue", "queue": "q", "skills": ["a", "b"]}},
    {"address": "sales@acme.mail.example.net", "display_name": "Sales",
     "routing": {"type": "outbound_only"}, "auto_bcc": ["x@archive.com", "y@archive.com"]}
  ]
}"#;
    let err = load(text).unwrap_err();
    assert_eq!((err.code(), err.path()), ("route.too_many_skills", "routes[0].routing.skills"));
    assert_eq!((err.line(), err.column()), start_of(text, r#"["a", "b"]"#));
    let rule = std::error::Error::source(&err).unwrap().downcast_ref::<ConfigError>().unwrap();
    assert!(matches!(rule, ConfigError::TooManySkills { count: 2, max: 1, .. }), "{rule:?}");

    let text = text.replace(r#""skills": ["a", "b"]"#, r#""skills": ["a"]"#);
    let err = load(&text).unwrap_err();
    assert_eq!((err.code(), err.path()), ("route.too_many_auto_bcc", "routes[1].auto_bcc"));
    assert_eq!((err.line(), err.column()), start_of(&text, r#"["x@"#));
    let rule = std::error::Error::source(&err).unwrap().downcast_ref::<ConfigError>().unwrap();
    assert!(matches!(rule, ConfigError::TooManyAutoBcc { count: 2, max: 1, .. }), "{rule:?}");

    let text = text.replace(r#""max_auto_bcc": 1"#, r#""max_auto_bcc": 2"#);
    assert_eq!(load(&text).unwrap().limits().max_auto_bcc(), 2);
}

#[test]
fn limits_alone_serialize_in_full_and_read_in_part() {
    let written = serde_json::to_value(Limits::default()).unwrap();
    assert_eq!(written.as_object().unwrap().len(), 13);
    assert_eq!(written["max_message_octets"], 41_943_040);
    let read: Limits = serde_json::from_str(r#"{"max_recipients": 20}"#).unwrap();
    assert_eq!(read, Limits::builder().max_recipients(20).build().unwrap());
    assert!(serde_json::from_str::<Limits>(r#"{"max_recipient": 20}"#).is_err());
    assert!(serde_json::from_str::<Limits>(r#"{"max_recipients": 5}"#).is_err());
}

#[test]
fn route_skills_stay_within_what_one_acd_queue_holds() {
    let most = acd::MAX_DISTINCT_SKILLS;
    assert!(Limits::builder().max_route_skills(most).build().is_ok());
    let err = Limits::builder().max_route_skills(most + 1).build().unwrap_err();
    assert_eq!(
        err,
        LimitsError::OutOfRange {
            field: "max_route_skills",
            value: most as u64 + 1,
            min: 0,
            max: Some(most as u64),
        }
    );
}

#[test]
fn every_limits_error_has_a_code_and_says_what_to_change() {
    let b = Limits::builder;
    let errors = [
        b().max_domains(0).build(),
        b().min_custom_domain_quota(2).max_custom_domain_quota(1).build(),
        b().max_custom_domain_quota(3).build(),
        b().default_custom_domain_quota(0).build(),
        b().max_recipients(5).build(),
    ];
    let codes: Vec<&str> = errors.iter().map(|e| e.as_ref().unwrap_err().code()).collect();
    assert_eq!(
        codes,
        [
            "limits.out_of_range",
            "limits.custom_domain_quota_min_above_max",
            "limits.custom_domain_quota_above_max_domains",
            "limits.default_custom_domain_quota_out_of_range",
            "limits.recipients_not_above_auto_bcc",
        ]
    );
    for e in errors {
        let message = e.unwrap_err().to_string();
        assert!(message.contains('`'), "names the field: {message}");
    }
}

proptest! {
    /// Any set of numbers either builds limits that keep every rule between fields, or is
    /// refused; what builds reads back from its stored form unchanged.
    #[test]
    fn built_limits_keep_their_rules_and_round_trip(
        domains in 0usize..5, min in 0usize..5, default in 0usize..5, max in 0usize..5,
        bcc in 0usize..8, recipients in 0usize..8, window in 0u32..9000, misses in 0u32..4,
    ) {
        let built = Limits::builder()
            .max_domains(domains)
            .min_custom_domain_quota(min)
            .default_custom_domain_quota(default)
            .max_custom_domain_quota(max)
            .max_auto_bcc(bcc)
            .max_recipients(recipients)
            .verification_window_hours(window)
            .downgrade_misses(misses)
            .build();
        let valid = domains >= 1 && min <= default && default <= max && max <= domains
            && recipients > bcc && (1..=8760).contains(&window) && misses >= 1;
        prop_assert_eq!(built.is_ok(), valid, "{:?}", built);
        if let Ok(limits) = built {
            let back: Limits = serde_json::from_value(serde_json::to_value(limits).unwrap()).unwrap();
            prop_assert_eq!(back, limits);
        }
    }

    /// An organization takes exactly as many domains as its plan allows, and says so.
    #[test]
    fn an_organization_takes_exactly_its_plans_domains(domains in 1usize..6) {
        // The highest custom quota may not be above the domain cap.
        let limits = Limits::builder()
            .max_domains(domains)
            .max_custom_domain_quota(domains.min(2))
            .build()
            .unwrap();
        let root = root();
        let mut org = OrgEmailConfig::with_limits(root.clone(), limits);
        for i in 0..domains {
            org.add_domain(Domain::hosted(&format!("h{i}"), &root).unwrap()).unwrap();
        }
        let err = org.add_domain(Domain::hosted("one-more", &root).unwrap()).unwrap_err();
        let reported = match err {
            ConfigError::TooManyDomains { count, max, .. } => Some((count, max)),
            _ => None,
        };
        prop_assert_eq!(reported, Some((domains, domains)));
    }
}
