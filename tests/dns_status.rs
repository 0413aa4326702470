//! The status state machine: pending, verified, failed; the downgrade rule; features.

use email_routing::Domain;
use email_routing::Timestamp;
use email_routing::dns::{
    DkimToken, DomainReport, DomainSetup, DomainStatus, FailureReason, FeatureStatus, InMemoryDns,
    LookupFailure, ProviderProfile, RecordType, VerificationState, VerificationToken,
};

const D: &str = "customer.com";
const VERIFY: &str = "_amazonses.customer.com";
const T0: Timestamp = match Timestamp::from_unix_millis(1_700_000_000_000) {
    Ok(t) => t,
    Err(_) => panic!("in range"),
};

fn setup() -> DomainSetup {
    DomainSetup::custom(
        D.parse().unwrap(),
        ProviderProfile::ses("us-east-1").unwrap(),
        VerificationToken::new("tok").unwrap(),
    )
    .unwrap()
    .with_dkim_tokens(["a", "b", "c"].map(|t| DkimToken::new(t).unwrap()))
    .unwrap()
}

fn published() -> InMemoryDns {
    let mut dns = InMemoryDns::new();
    dns.publish_all(setup().required_records());
    dns
}

fn report(dns: &InMemoryDns) -> DomainReport {
    setup().check().run(dns)
}

fn hours(h: i64) -> Timestamp {
    T0.plus_hours(h)
}

fn verified_status() -> DomainStatus {
    let mut status = DomainStatus::new(&setup(), T0);
    status.observe(&report(&published()), hours(1)).unwrap();
    assert!(matches!(status.verification(), VerificationState::Verified { .. }));
    status
}

fn without_verification() -> InMemoryDns {
    let mut dns = published();
    dns.remove(VERIFY, RecordType::Txt);
    dns
}

#[test]
fn a_new_custom_domain_is_pending_and_cannot_send() {
    let status = DomainStatus::new(&setup(), T0);
    assert_eq!(status.verification(), VerificationState::Pending { since: T0 });
    assert_eq!(status.verification_deadline(), Some(hours(72)));
    assert_eq!(status.mx(), FeatureStatus::Pending);
    assert_eq!(status.dkim(), FeatureStatus::Pending);
    assert_eq!(status.mail_from(), FeatureStatus::NotConfigured);
    assert!(!status.can_send());
    assert!(!status.can_receive());
}

#[test]
fn finding_the_record_verifies() {
    let status = verified_status();
    assert_eq!(status.verification(), VerificationState::Verified { since: hours(1) });
    assert_eq!(status.mx(), FeatureStatus::Valid);
    assert_eq!(status.dkim(), FeatureStatus::Valid);
    assert!(status.can_send() && status.can_receive());
    assert_eq!(status.verification_deadline(), None);
}

#[test]
fn pending_fails_after_72_hours_without_the_record_and_can_restart() {
    let mut status = DomainStatus::new(&setup(), T0);
    let missing = report(&without_verification());
    status.observe(&missing, hours(71)).unwrap();
    assert!(matches!(status.verification(), VerificationState::Pending { .. }));
    // A transient error before the deadline says nothing: still pending.
    let mut down = published();
    down.fail_all(Some(LookupFailure::Timeout));
    status.observe(&report(&down), hours(71)).unwrap();
    assert!(matches!(status.verification(), VerificationState::Pending { .. }));
    // The deadline is a deadline: the first check after it fails the attempt, whatever it says.
    let mut late = status.clone();
    assert!(status.observe(&missing, hours(101)).unwrap());
    assert_eq!(
        status.verification(),
        VerificationState::Failed { at: hours(101), reason: FailureReason::NotPublishedInTime }
    );
    late.observe(&report(&published()), hours(500)).unwrap();
    assert!(matches!(late.verification(), VerificationState::Failed { .. }), "found too late");
    assert!(!late.can_send());
    // Failed stays failed even when the record shows up, until restarted.
    status.observe(&report(&published()), hours(102)).unwrap();
    assert!(matches!(status.verification(), VerificationState::Failed { .. }));
    assert!(status.restart(hours(103)));
    assert_eq!(status.verification(), VerificationState::Pending { since: hours(103) });
    status.observe(&report(&published()), hours(104)).unwrap();
    assert!(status.can_send());
    assert!(!status.restart(hours(105)), "a verified domain is not restarted");
}

#[test]
fn transient_errors_never_downgrade_a_verified_domain() {
    let mut status = verified_status();
    let mut down = published();
    down.fail(VERIFY, LookupFailure::ServerFailure);
    for h in (2..500).step_by(24) {
        status.observe(&report(&down), hours(h)).unwrap();
    }
    assert!(status.can_send());
    assert_eq!(status.consecutive_misses(), 0);
}

#[test]
fn a_single_miss_or_misses_within_72_hours_do_not_downgrade() {
    let mut status = verified_status();
    let missing = report(&without_verification());
    status.observe(&missing, hours(2)).unwrap();
    assert!(status.can_send());
    status.observe(&missing, hours(30)).unwrap();
    status.observe(&missing, hours(60)).unwrap();
    status.observe(&missing, hours(73)).unwrap();
    assert_eq!(status.consecutive_misses(), 4);
    assert!(status.can_send(), "71 hours from the first miss is not yet enough");
}

#[test]
fn three_consecutive_misses_spanning_72_hours_downgrade() {
    let mut status = verified_status();
    let missing = report(&without_verification());
    status.observe(&missing, hours(10)).unwrap();
    status.observe(&missing, hours(50)).unwrap();
    assert!(status.can_send());
    assert!(status.observe(&missing, hours(82)).unwrap());
    assert_eq!(
        status.verification(),
        VerificationState::Failed { at: hours(82), reason: FailureReason::RecordRemoved }
    );
    assert!(!status.can_send());
}

#[test]
fn two_misses_spanning_long_are_not_enough() {
    let mut status = verified_status();
    let missing = report(&without_verification());
    status.observe(&missing, hours(10)).unwrap();
    status.observe(&missing, hours(500)).unwrap();
    assert!(status.can_send());
}

#[test]
fn a_find_resets_the_miss_count_and_unknowns_neither_count_nor_reset() {
    let mut status = verified_status();
    let missing = report(&without_verification());
    let mut down = published();
    down.fail(VERIFY, LookupFailure::Timeout);
    status.observe(&missing, hours(10)).unwrap();
    status.observe(&report(&down), hours(20)).unwrap();
    assert_eq!(status.consecutive_misses(), 1);
    status.observe(&missing, hours(50)).unwrap();
    status.observe(&report(&published()), hours(60)).unwrap();
    assert_eq!(status.consecutive_misses(), 0);
    status.observe(&missing, hours(70)).unwrap();
    status.observe(&missing, hours(100)).unwrap();
    status.observe(&missing, hours(141)).unwrap();
    assert!(status.can_send(), "71 hours since the first miss after the reset");
    status.observe(&missing, hours(142)).unwrap();
    assert!(!status.can_send());
}

#[test]
fn features_follow_their_records() {
    let mut status = DomainStatus::new(&setup(), T0);
    let mut dns = published();
    dns.add_mx(D, 5, "mx.elsewhere.example.");
    dns.remove("a._domainkey.customer.com", RecordType::Cname);
    status.observe(&report(&dns), hours(1)).unwrap();
    assert_eq!(status.mx(), FeatureStatus::Invalid);
    assert_eq!(status.dkim(), FeatureStatus::Pending);
    assert!(status.can_send() && !status.can_receive());

    status.observe(&report(&published()), hours(3)).unwrap();
    assert_eq!(status.mx(), FeatureStatus::Valid);
    assert_eq!(status.dkim(), FeatureStatus::Valid);
    assert!(status.can_receive());
    // A valid feature survives a single miss, like verification, and goes after the rule.
    let mut dns = published();
    dns.remove("a._domainkey.customer.com", RecordType::Cname);
    status.observe(&report(&dns), hours(4)).unwrap();
    assert_eq!(status.dkim(), FeatureStatus::Valid);
    status.observe(&report(&dns), hours(40)).unwrap();
    status.observe(&report(&dns), hours(76)).unwrap();
    assert_eq!(status.dkim(), FeatureStatus::Invalid);
}

#[test]
fn a_hosted_subdomain_is_verified_at_once() {
    let domain = Domain::hosted("acme", &"mail.example.net".parse().unwrap()).unwrap();
    let setup = DomainSetup::new(domain, ProviderProfile::ses("us-east-1").unwrap(), None).unwrap();
    let mut status = DomainStatus::new(&setup, T0);
    assert!(status.can_send() && status.can_receive());
    assert_eq!(status.dkim(), FeatureStatus::NotConfigured);
    let report = setup.check().run(&InMemoryDns::new());
    assert!(!status.observe(&report, hours(1)).unwrap());
    assert!(status.can_receive());
}

#[test]
fn reports_must_match_the_domain_and_come_in_order() {
    let mut status = verified_status();
    let err = status.observe(&report(&published()), T0).unwrap_err();
    assert_eq!(err.code(), "dns.status_out_of_order");
    let other = DomainSetup::custom(
        "other.com".parse().unwrap(),
        ProviderProfile::ses("us-east-1").unwrap(),
        VerificationToken::new("t").unwrap(),
    )
    .unwrap();
    let err = status.observe(&other.check().run(&InMemoryDns::new()), hours(5)).unwrap_err();
    assert_eq!(err.code(), "dns.status_domain_mismatch");
}

#[cfg(feature = "serde")]
#[test]
fn a_status_round_trips_through_json_and_inconsistent_ones_are_refused() {
    let mut status = verified_status();
    status.observe(&report(&without_verification()), hours(5)).unwrap();
    let json = serde_json::to_string(&status).unwrap();
    let back: DomainStatus = serde_json::from_str(&json).unwrap();
    assert_eq!(back, status);
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["verification_misses"]["first"] = serde_json::Value::Null;
    assert!(serde_json::from_value::<DomainStatus>(value).is_err());
}
