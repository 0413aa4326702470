//! The check against an in-memory DNS: one test per common mistake, and the outcomes that must
//! stay apart (found, missing, mismatch, unknown; NXDOMAIN and NODATA).

use email_routing::dns::{
    Absence, Answer, AnswerRecord, Answers, Diagnostic, DomainReport, InMemoryDns, LookupFailure,
    Purpose, RecordData, RecordStatus, RecordType, TxtData,
};
use email_routing::testing::{SES_TOKEN as TOKEN, ses_setup as setup};

const D: &str = "support.customer.com";
const FEEDBACK: &str = "feedback-smtp.us-east-1.amazonses.com.";
const SPF: &str = "v=spf1 include:amazonses.com ~all";

/// Every record published correctly.
fn published() -> InMemoryDns {
    let mut dns = InMemoryDns::new();
    dns.publish_all(setup().required_records());
    dns
}

fn check(dns: &InMemoryDns) -> DomainReport {
    setup().check().run(dns)
}

fn entry(report: &DomainReport, purpose: Purpose) -> &email_routing::dns::RecordReport {
    report.entries_for(purpose).next().unwrap()
}

fn codes(report: &DomainReport, purpose: Purpose) -> Vec<&'static str> {
    report.entries_for(purpose).flat_map(|e| e.diagnostics().iter().map(|d| d.code())).collect()
}

#[test]
fn everything_published_is_found() {
    let report = check(&published());
    assert_eq!(report.entries().len(), 7);
    assert!(report.all_found(), "{report:#?}");
    assert!(report.required_found());
    assert_eq!(report.diagnostics().count(), 0);
    assert_eq!(report.summary().found, 7);
}

#[test]
fn nothing_published_is_missing_with_nxdomain_kept_apart_from_nodata() {
    let mut dns = InMemoryDns::new();
    // The apex exists (it has an A record in real life) but has no MX.
    dns.add_txt(D, "some other text");
    let report = check(&dns);
    assert!(!report.required_found());
    assert_eq!(
        entry(&report, Purpose::Verification).status(),
        &RecordStatus::Missing { absence: Absence::NoSuchName }
    );
    assert_eq!(
        entry(&report, Purpose::InboundMx).status(),
        &RecordStatus::Missing { absence: Absence::NoData }
    );
    for e in report.entries() {
        assert_eq!(e.diagnostics().len(), 1);
        assert_eq!(e.diagnostics()[0].code(), "dns.record_missing");
    }
    let message = entry(&report, Purpose::Verification).diagnostics()[0].to_string();
    assert!(message.contains("host \"_amazonses\""), "{message}");
    assert!(message.contains(TOKEN), "{message}");
}

#[test]
fn mistake_1_doubled_name_when_the_zone_is_the_domain() {
    let mut dns = published();
    dns.remove("_amazonses.support.customer.com", RecordType::Txt);
    dns.add_txt("_amazonses.support.customer.com.support.customer.com", TOKEN);
    let report = check(&dns);
    let e = entry(&report, Purpose::Verification);
    assert!(matches!(e.status(), RecordStatus::Missing { .. }));
    assert_eq!(codes(&report, Purpose::Verification), ["dns.name_doubled"]);
    let message = e.diagnostics()[0].to_string();
    assert!(message.contains("change the host to \"_amazonses\""), "{message}");
}

#[test]
fn mistake_1_doubled_name_when_the_zone_is_the_parent() {
    let mut dns = published();
    dns.remove("tok2._domainkey.support.customer.com", RecordType::Cname);
    dns.add_cname("tok2._domainkey.support.customer.com.customer.com", "tok2.dkim.amazonses.com.");
    dns.remove("bounce.support.customer.com", RecordType::Mx);
    dns.add_mx("bounce.support.customer.com.customer.com", 10, FEEDBACK);
    let report = check(&dns);
    let dkim: Vec<_> = report.entries_for(Purpose::Dkim).collect();
    assert!(dkim[1].status().is_definitive_miss());
    let d = &dkim[1].diagnostics()[0];
    assert_eq!(d.code(), "dns.name_doubled");
    assert!(d.to_string().contains("\"tok2._domainkey.support\""), "{d}");
    assert_eq!(codes(&report, Purpose::MailFromMx), ["dns.name_doubled"]);
}

#[test]
fn a_wildcard_elsewhere_is_not_taken_for_a_doubled_name() {
    let mut dns = published();
    dns.remove("_amazonses.support.customer.com", RecordType::Txt);
    dns.add_txt("_amazonses.support.customer.com.support.customer.com", "unrelated");
    let report = check(&dns);
    assert_eq!(codes(&report, Purpose::Verification), ["dns.record_missing"]);
}

#[test]
fn mistake_2_value_differs_only_by_case_quotes_or_spaces() {
    for near in [format!("\"{TOKEN}\""), format!("  {TOKEN} "), TOKEN.to_lowercase()] {
        let mut dns = published();
        dns.remove("_amazonses.support.customer.com", RecordType::Txt);
        dns.add_txt("_amazonses.support.customer.com", &near);
        let report = check(&dns);
        let e = entry(&report, Purpose::Verification);
        assert!(matches!(e.status(), RecordStatus::Mismatch { .. }), "{near}");
        assert_eq!(codes(&report, Purpose::Verification), ["dns.value_near_miss"], "{near}");
    }
    let mut dns = published();
    dns.remove("bounce.support.customer.com", RecordType::Txt);
    dns.add_txt("bounce.support.customer.com", &format!("\"{SPF}\""));
    assert_eq!(codes(&check(&dns), Purpose::MailFromSpf), ["dns.value_near_miss"]);
}

#[test]
fn mistake_3_cname_where_txt_belongs_and_the_reverse() {
    let mut dns = published();
    dns.remove("_amazonses.support.customer.com", RecordType::Txt);
    dns.add_cname("_amazonses.support.customer.com", "verify.elsewhere.example.");
    let report = check(&dns);
    let e = entry(&report, Purpose::Verification);
    assert_eq!(
        e.status(),
        &RecordStatus::Mismatch { found: vec!["CNAME verify.elsewhere.example.".into()] }
    );
    assert_eq!(codes(&report, Purpose::Verification), ["dns.cname_conflict"]);

    let mut dns = published();
    dns.remove("tok1._domainkey.support.customer.com", RecordType::Cname);
    dns.add_txt("tok1._domainkey.support.customer.com", "tok1.dkim.amazonses.com");
    let report = check(&dns);
    let first = report.entries_for(Purpose::Dkim).next().unwrap();
    assert!(matches!(first.status(), RecordStatus::Mismatch { .. }));
    assert_eq!(first.diagnostics()[0].code(), "dns.txt_instead_of_cname");
}

#[test]
fn a_verification_record_reached_through_a_cname_counts() {
    let mut dns = published();
    dns.remove("_amazonses.support.customer.com", RecordType::Txt);
    dns.add_cname("_amazonses.support.customer.com", "verify.customer.com.");
    dns.add_txt("verify.customer.com", TOKEN);
    assert!(check(&dns).all_found());
}

#[test]
fn mistake_4_another_mx_with_equal_or_better_preference() {
    for preference in [10, 5, 0] {
        let mut dns = published();
        dns.add_mx(D, preference, "mx.oldprovider.example.");
        let report = check(&dns);
        let e = entry(&report, Purpose::InboundMx);
        assert!(matches!(e.status(), RecordStatus::Mismatch { .. }), "{preference}");
        assert_eq!(codes(&report, Purpose::InboundMx), ["dns.mx_competing"]);
        assert!(e.diagnostics()[0].to_string().contains("mx.oldprovider.example"));
    }
    // A backup with a worse preference is fine.
    let mut dns = published();
    dns.add_mx(D, 20, "backup.customer.com.");
    assert!(check(&dns).all_found());
    // A null MX (RFC 7505) next to the platform's competes too.
    let mut dns = published();
    dns.add_mx(D, 0, ".");
    assert_eq!(codes(&check(&dns), Purpose::InboundMx), ["dns.mx_competing"]);
}

#[test]
fn mx_pointing_elsewhere_is_a_mismatch() {
    let mut dns = published();
    dns.remove(D, RecordType::Mx);
    dns.add_mx(D, 10, "aspmx.l.google.com.");
    let report = check(&dns);
    let e = entry(&report, Purpose::InboundMx);
    assert_eq!(
        e.status(),
        &RecordStatus::Mismatch { found: vec!["10 aspmx.l.google.com.".into()] }
    );
    assert_eq!(codes(&report, Purpose::InboundMx), ["dns.value_mismatch"]);
}

#[test]
fn mistake_5_target_written_without_the_final_dot() {
    let mut dns = published();
    dns.remove(D, RecordType::Mx);
    dns.add_mx(D, 10, "inbound-smtp.us-east-1.amazonaws.com.support.customer.com.");
    let report = check(&dns);
    assert_eq!(codes(&report, Purpose::InboundMx), ["dns.target_relative"]);

    let mut dns = published();
    dns.remove("tok3._domainkey.support.customer.com", RecordType::Cname);
    dns.add_cname("tok3._domainkey.support.customer.com", "tok3.dkim.amazonses.com.customer.com.");
    let report = check(&dns);
    let third = report.entries_for(Purpose::Dkim).nth(2).unwrap();
    assert_eq!(third.diagnostics()[0].code(), "dns.target_relative");
}

#[test]
fn mistake_6_several_spf_records_or_no_include() {
    let mut dns = published();
    dns.add_txt("bounce.support.customer.com", "v=spf1 include:_spf.google.com ~all");
    let report = check(&dns);
    let e = entry(&report, Purpose::MailFromSpf);
    assert!(matches!(e.status(), RecordStatus::Mismatch { found } if found.len() == 2));
    assert_eq!(codes(&report, Purpose::MailFromSpf), ["dns.too_many_spf_records"]);

    let mut dns = published();
    dns.remove("bounce.support.customer.com", RecordType::Txt);
    dns.add_txt("bounce.support.customer.com", "v=spf1 mx -all");
    assert_eq!(codes(&check(&dns), Purpose::MailFromSpf), ["dns.spf_missing_include"]);

    // One SPF record with the include and more is right; other TXT records do not count.
    let mut dns = published();
    dns.remove("bounce.support.customer.com", RecordType::Txt);
    dns.add_txt("bounce.support.customer.com", "v=spf1 mx include:amazonses.com -all");
    dns.add_txt("bounce.support.customer.com", "google-site-verification=abc");
    assert!(check(&dns).all_found());

    // Only non-SPF TXT records: the SPF record is missing.
    let mut dns = published();
    dns.remove("bounce.support.customer.com", RecordType::Txt);
    dns.add_txt("bounce.support.customer.com", "google-site-verification=abc");
    let report = check(&dns);
    assert_eq!(
        entry(&report, Purpose::MailFromSpf).status(),
        &RecordStatus::Missing { absence: Absence::NoneOfTheKind }
    );
}

#[test]
fn mistake_7_dkim_cname_to_the_wrong_target() {
    let mut dns = published();
    dns.remove("tok1._domainkey.support.customer.com", RecordType::Cname);
    dns.add_cname("tok1._domainkey.support.customer.com", "tok2.dkim.amazonses.com.");
    let report = check(&dns);
    let first = report.entries_for(Purpose::Dkim).next().unwrap();
    assert!(matches!(first.status(), RecordStatus::Mismatch { .. }));
    assert_eq!(first.diagnostics()[0].code(), "dns.dkim_target_mismatch");
    assert!(first.diagnostics()[0].to_string().contains("tok1.dkim.amazonses.com"));
}

#[test]
fn mistake_8_only_another_accounts_token() {
    let mut dns = published();
    dns.remove("_amazonses.support.customer.com", RecordType::Txt);
    dns.add_txt("_amazonses.support.customer.com", "SomeoneElsesToken0000000000000000000000000=");
    let report = check(&dns);
    assert_eq!(codes(&report, Purpose::Verification), ["dns.verification_other_token"]);
    // Next to the right token, other tokens are harmless.
    let mut dns = published();
    dns.add_txt("_amazonses.support.customer.com", "SomeoneElsesToken0000000000000000000000000=");
    assert!(check(&dns).all_found());
}

#[test]
fn transient_failures_are_unknown_not_missing() {
    for failure in [LookupFailure::Timeout, LookupFailure::ServerFailure, LookupFailure::Refused] {
        let mut dns = published();
        dns.fail("_amazonses.support.customer.com", failure.clone());
        let report = check(&dns);
        let e = entry(&report, Purpose::Verification);
        assert_eq!(e.status(), &RecordStatus::Unknown { failure: failure.clone() });
        assert!(matches!(&e.diagnostics()[0], Diagnostic::LookupFailed { .. }));
        assert_eq!(e.diagnostics()[0].code(), failure.code());
        assert_eq!(report.summary().unknown, 1);
    }
}

#[test]
fn answers_that_were_never_supplied_are_unknown() {
    let report = setup().check().evaluate(&Answers::new());
    assert_eq!(report.entries().len(), 7);
    for e in report.entries() {
        assert_eq!(e.status(), &RecordStatus::Unknown { failure: LookupFailure::NotAsked });
    }
}

#[test]
fn txt_character_strings_are_joined_before_comparing() {
    let check = setup().check();
    let (head, tail) = TOKEN.split_at(10);
    let answers: Answers = check
        .queries()
        .iter()
        .map(|q| {
            let answer = if q.name().as_str() == "_amazonses.support.customer.com" {
                let data = RecordData::Txt(TxtData::new([head, tail]));
                Answer::Records(vec![AnswerRecord::new("_amazonses.support.customer.com.", data)])
            } else {
                Answer::NoSuchName
            };
            (q.clone(), answer)
        })
        .collect();
    let report = check.evaluate(&answers);
    assert!(entry(&report, Purpose::Verification).status().is_found());
}

#[test]
fn the_plan_asks_each_question_once_and_includes_the_diagnostic_queries() {
    let check = setup().check();
    let queries = check.queries();
    let mut unique = queries.to_vec();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), queries.len());
    let has = |n: &str, t: RecordType| {
        queries.iter().any(|q| q.name().as_str() == n && q.record_type() == t)
    };
    assert!(has("_amazonses.support.customer.com", RecordType::Txt));
    assert!(has("_amazonses.support.customer.com.support.customer.com", RecordType::Txt));
    assert!(has("_amazonses.support.customer.com.customer.com", RecordType::Txt));
    assert!(has("tok1._domainkey.support.customer.com", RecordType::Cname));
    assert!(has("tok1._domainkey.support.customer.com", RecordType::Txt));
    assert!(has("support.customer.com", RecordType::Mx));
    assert!(has("bounce.support.customer.com", RecordType::Mx));
    assert!(has("bounce.support.customer.com", RecordType::Txt));
}

#[tokio::test]
async fn the_async_driver_gives_the_same_report() {
    let mut dns = published();
    dns.add_mx(D, 10, "mx.oldprovider.example.");
    dns.fail("tok2._domainkey.support.customer.com", LookupFailure::Timeout);
    let check = setup().check();
    assert_eq!(check.run_async(&dns).await, check.run(&dns));
}

#[test]
fn a_setup_without_inbound_mx_does_not_check_it() {
    let setup = setup().without_inbound_mx();
    let report = setup.check().run(&InMemoryDns::new());
    assert_eq!(report.entries().len(), 6);
    assert_eq!(report.entries_for(Purpose::InboundMx).count(), 0);
}

#[test]
fn the_async_driver_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let dns = published();
    let check = setup().check();
    let future = check.run_async(&dns);
    assert_send(&future);
}

/// The zone an admin edits is found from SOA answers, and every host is relative to it.
mod zone_relative_hosts {
    use super::*;
    use email_routing::dns::{Diagnostic, Query, RecordName};

    fn host_of(report: &DomainReport, purpose: Purpose) -> String {
        entry(report, purpose).host().host().to_owned()
    }

    #[test]
    fn a_subdomain_in_its_parents_zone_gets_hosts_relative_to_the_parent() {
        let mut dns = InMemoryDns::new();
        dns.add_zone("customer.com");
        let report = check(&dns);
        assert_eq!(report.zone().map(|z| z.as_str()), Some("customer.com"));
        // `@` would be the whole company's apex in the customer.com form.
        let mx = entry(&report, Purpose::InboundMx);
        assert_eq!(mx.host().host(), "support");
        assert!(mx.host().zone_found());
        let [Diagnostic::Missing { host, record_type, expected, .. }] = mx.diagnostics() else {
            panic!("{mx:#?}")
        };
        assert_eq!(host.host(), "support");
        assert_eq!(host.origin().as_str(), "customer.com");
        assert_eq!(*record_type, RecordType::Mx);
        assert_eq!(expected, "10 inbound-smtp.us-east-1.amazonaws.com");
        let message = mx.diagnostics()[0].to_string();
        assert!(message.contains("host \"support\" in the customer.com zone"), "{message}");

        let verification = entry(&report, Purpose::Verification);
        assert_eq!(verification.diagnostics()[0].code(), "dns.record_missing");
        let message = verification.diagnostics()[0].to_string();
        assert!(
            message.contains("host \"_amazonses.support\" in the customer.com zone"),
            "{message}"
        );
        assert_eq!(host_of(&report, Purpose::Dkim), "tok1._domainkey.support");
        assert_eq!(host_of(&report, Purpose::MailFromMx), "bounce.support");
        assert_eq!(host_of(&report, Purpose::MailFromSpf), "bounce.support");
    }

    #[test]
    fn a_domain_that_is_its_own_zone_gets_hosts_relative_to_itself() {
        let mut dns = InMemoryDns::new();
        dns.add_zone("customer.com").add_zone(D);
        let report = check(&dns);
        assert_eq!(report.zone().map(|z| z.as_str()), Some(D));
        assert_eq!(host_of(&report, Purpose::InboundMx), "@");
        assert_eq!(host_of(&report, Purpose::Verification), "_amazonses");
    }

    #[test]
    fn without_an_soa_answer_the_host_says_what_it_is_relative_to() {
        for dns in [InMemoryDns::new(), {
            let mut down = InMemoryDns::new();
            down.add_zone("customer.com").fail(D, LookupFailure::ServerFailure);
            down
        }] {
            let report = check(&dns);
            assert_eq!(report.zone(), None);
            let e = entry(&report, Purpose::Verification);
            assert!(!e.host().zone_found());
            let [d] = e.diagnostics() else { panic!("{e:#?}") };
            let message = d.to_string();
            assert!(
                message.contains("host \"_amazonses\" (relative to support.customer.com)"),
                "{message}"
            );
        }
        let report = setup().check().evaluate(&Answers::new());
        assert_eq!(report.zone(), None);
        assert_eq!(
            entry(&report, Purpose::InboundMx).host().to_string(),
            "\"@\" (relative to support.customer.com)"
        );
    }

    #[test]
    fn a_failed_soa_lookup_below_a_zone_claims_no_zone() {
        // support.customer.com might be a zone of its own: its SOA answer is missing, so the
        // customer.com answer above it does not settle anything.
        let mut dns = published();
        dns.add_zone("customer.com");
        let check = setup().check();
        let mut answers: Answers =
            check.queries().iter().map(|q| (q.clone(), dns.answer(q))).collect();
        let soa = Query::new(RecordName::new(D).unwrap(), RecordType::Soa);
        assert!(check.queries().contains(&soa));
        answers.insert(soa, Answer::Failed(LookupFailure::Timeout));
        assert_eq!(check.evaluate(&answers).zone(), None);
    }

    #[test]
    fn an_soa_reached_through_a_cname_does_not_make_a_zone() {
        let mut dns = InMemoryDns::new();
        dns.add_zone("customer.com")
            .add_zone("hosting.example.net")
            .add_cname(D, "hosting.example.net.");
        let soa = Query::new(RecordName::new(D).unwrap(), RecordType::Soa);
        let kinds: Vec<RecordType> =
            dns.answer(&soa).records().iter().map(|r| r.data().record_type()).collect();
        assert_eq!(kinds, [RecordType::Cname, RecordType::Soa]);
        assert_eq!(check(&dns).zone().map(|z| z.as_str()), Some("customer.com"));
    }

    #[test]
    fn the_plan_asks_for_the_soa_of_the_domain_and_each_parent() {
        let check = setup().check();
        let soa: Vec<&str> = check
            .queries()
            .iter()
            .filter(|q| q.record_type() == RecordType::Soa)
            .map(|q| q.name().as_str())
            .collect();
        assert_eq!(soa, ["support.customer.com", "customer.com"]);
    }

    #[test]
    fn a_doubled_name_gets_the_host_in_the_zone_found() {
        let mut dns = published();
        dns.add_zone("customer.com");
        dns.remove("_amazonses.support.customer.com", RecordType::Txt);
        // Typed into the customer.com form as the full name.
        dns.add_txt("_amazonses.support.customer.com.customer.com", TOKEN);
        let report = check(&dns);
        let e = entry(&report, Purpose::Verification);
        let [Diagnostic::DoubledName { host, zone, .. }] = e.diagnostics() else {
            panic!("{e:#?}")
        };
        assert_eq!(zone, "customer.com");
        assert_eq!(host.to_string(), "\"_amazonses.support\" in the customer.com zone");

        // The same record found at both doubled names: the zone found is named first.
        dns.add_txt("_amazonses.support.customer.com.support.customer.com", TOKEN);
        let report = check(&dns);
        let d = &entry(&report, Purpose::Verification).diagnostics()[0];
        let Diagnostic::DoubledName { zone, .. } = d else { panic!("{d:#?}") };
        assert_eq!(zone, "customer.com");
    }
}

/// A CNAME at a name where a record of another type must go: one rule for TXT and MX.
mod cname_conflict {
    use super::*;
    use email_routing::DomainName;
    use email_routing::dns::{Diagnostic, Query, RecordName};

    /// The field report: the mail domain's name is an alias of a web host, and only the
    /// verification TXT was added, in the customer.com zone.
    fn aliased() -> InMemoryDns {
        let mut dns = InMemoryDns::new();
        dns.add_zone("customer.com")
            .add_cname(D, "web.hosting.example.net.")
            .add_txt("_amazonses.support.customer.com", TOKEN);
        dns
    }

    #[test]
    fn a_cname_where_the_mx_must_go_must_be_removed_first() {
        let dns = aliased();
        let report = check(&dns);
        assert!(entry(&report, Purpose::Verification).status().is_found());
        let mx = entry(&report, Purpose::InboundMx);
        assert_eq!(
            mx.status(),
            &RecordStatus::Mismatch { found: vec!["CNAME web.hosting.example.net.".into()] }
        );
        let [Diagnostic::CnameConflict { name, record_type, target, host, expected }] =
            mx.diagnostics()
        else {
            panic!("{mx:#?}")
        };
        assert_eq!(name, D);
        assert_eq!(*record_type, RecordType::Mx);
        assert_eq!(target, "web.hosting.example.net.");
        assert_eq!(host.host(), "support");
        assert_eq!(host.origin(), &"customer.com".parse::<DomainName>().unwrap());
        assert_eq!(expected, "10 inbound-smtp.us-east-1.amazonaws.com");
        let d = &mx.diagnostics()[0];
        assert_eq!(d.code(), "dns.cname_conflict");
        let message = d.to_string();
        for part in [
            "remove the CNAME first",
            "\"web.hosting.example.net.\"",
            "RFC 1034 section 3.6.2",
            "add the MX record with host \"support\" in the customer.com zone",
        ] {
            assert!(message.contains(part), "{part:?} not in {message}");
        }
    }

    #[test]
    fn a_cname_where_a_txt_must_go_gets_the_same_rule() {
        let mut dns = published();
        dns.add_zone("customer.com");
        dns.remove("bounce.support.customer.com", RecordType::Txt);
        dns.remove("bounce.support.customer.com", RecordType::Mx);
        dns.add_cname("bounce.support.customer.com", "bounces.elsewhere.example.");
        let report = check(&dns);
        for purpose in [Purpose::MailFromMx, Purpose::MailFromSpf] {
            let e = entry(&report, purpose);
            assert_eq!(
                e.status(),
                &RecordStatus::Mismatch { found: vec!["CNAME bounces.elsewhere.example.".into()] }
            );
            let [Diagnostic::CnameConflict { record_type, host, .. }] = e.diagnostics() else {
                panic!("{e:#?}")
            };
            assert_eq!(*record_type, e.record().record_type());
            assert_eq!(host.host(), "bounce.support");
        }
    }

    #[test]
    fn an_mx_reached_through_the_cname_is_found() {
        let mut dns = aliased();
        dns.add_mx("web.hosting.example.net", 10, "inbound-smtp.us-east-1.amazonaws.com.");
        let report = check(&dns);
        let mx = entry(&report, Purpose::InboundMx);
        assert!(mx.status().is_found(), "{mx:#?}");
        assert!(mx.diagnostics().is_empty());
    }

    #[test]
    fn another_mx_reached_through_the_cname_is_a_mismatch_with_the_cname_named_first() {
        let mut dns = aliased();
        dns.add_mx("web.hosting.example.net", 10, "mx.hosting.example.net.");
        let report = check(&dns);
        let mx = entry(&report, Purpose::InboundMx);
        assert_eq!(
            mx.status(),
            &RecordStatus::Mismatch { found: vec!["10 mx.hosting.example.net.".into()] }
        );
        assert_eq!(
            codes(&report, Purpose::InboundMx),
            ["dns.cname_conflict", "dns.value_mismatch"]
        );
    }

    #[test]
    fn a_cname_left_out_of_a_nodata_answer_is_still_found() {
        // A real resolver follows the alias; the target has no MX, so the answer is NODATA
        // without the CNAME. The check asks for the CNAME at the name itself.
        let check = setup().check();
        let cname = Query::new(RecordName::new(D).unwrap(), RecordType::Cname);
        assert!(check.queries().contains(&cname));
        let answers: Answers = check
            .queries()
            .iter()
            .map(|q| {
                let answer = if *q == cname {
                    Answer::Records(vec![AnswerRecord::cname(D, "web.hosting.example.net.")])
                } else {
                    Answer::NoData
                };
                (q.clone(), answer)
            })
            .collect();
        let report = check.evaluate(&answers);
        let mx = entry(&report, Purpose::InboundMx);
        assert_eq!(
            mx.status(),
            &RecordStatus::Mismatch { found: vec!["CNAME web.hosting.example.net.".into()] }
        );
        assert_eq!(codes(&report, Purpose::InboundMx), ["dns.cname_conflict"]);
        assert_eq!(codes(&report, Purpose::Verification), ["dns.record_missing"]);
    }

    #[test]
    fn a_dkim_cname_is_not_a_conflict() {
        let mut dns = published();
        dns.remove("tok1._domainkey.support.customer.com", RecordType::Cname);
        dns.add_cname("tok1._domainkey.support.customer.com", "other.example.");
        let report = check(&dns);
        assert_eq!(codes(&report, Purpose::Dkim), ["dns.dkim_target_mismatch"]);
    }
}
