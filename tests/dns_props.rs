//! Untrusted answers: arbitrary, huge, non-UTF-8 or empty. Evaluation never panics and always
//! reports one entry per required record.

use email_routing::Timestamp;
use email_routing::dns::{
    Answer, AnswerRecord, Answers, DomainReport, DomainStatus, LookupFailure, Query, RecordData,
    RecordName, RecordType, TxtData,
};
use email_routing::testing::{SES_TOKEN as TOKEN, ses_setup as setup};
use proptest::prelude::*;

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("support.customer.com.".to_owned()),
        Just("customer.com".to_owned()),
        Just("inbound-smtp.us-east-1.amazonaws.com.".to_owned()),
        Just("INBOUND-SMTP.us-east-1.amazonaws.com".to_owned()),
        Just("inbound-smtp.us-east-1.amazonaws.com.support.customer.com.".to_owned()),
        Just("feedback-smtp.us-east-1.amazonses.com.".to_owned()),
        Just("tok1.dkim.amazonses.com.".to_owned()),
        Just(".".to_owned()),
        Just(String::new()),
        ".{0,80}",
        "[a-zé._-]{0,100}",
    ]
}

fn txt() -> impl Strategy<Value = TxtData> {
    prop_oneof![
        Just(TxtData::from_value(TOKEN)),
        Just(TxtData::from_value(&format!("\"{}\"", TOKEN.to_lowercase()))),
        Just(TxtData::from_value("v=spf1 include:amazonses.com ~all")),
        Just(TxtData::from_value("v=spf1 -all")),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..3)
            .prop_map(TxtData::new),
    ]
}

fn record() -> impl Strategy<Value = AnswerRecord> {
    let data = prop_oneof![
        txt().prop_map(RecordData::Txt),
        (any::<u16>(), host())
            .prop_map(|(preference, exchange)| RecordData::Mx { preference, exchange }),
        host().prop_map(|target| RecordData::Cname { target }),
        (host(), host()).prop_map(|(mname, rname)| RecordData::Soa { mname, rname }),
    ];
    (host(), data).prop_map(|(name, data)| AnswerRecord::new(name, data))
}

fn answer() -> impl Strategy<Value = Option<Answer>> {
    prop_oneof![
        4 => prop::collection::vec(record(), 0..6).prop_map(|r| Some(Answer::Records(r))),
        1 => Just(Some(Answer::NoData)),
        1 => Just(Some(Answer::NoSuchName)),
        1 => Just(Some(Answer::Failed(LookupFailure::Timeout))),
        1 => ".{0,40}".prop_map(|detail| Some(Answer::Failed(LookupFailure::Other { detail }))),
        1 => Just(None),
    ]
}

fn assert_well_formed(report: &DomainReport, records: usize) {
    assert_eq!(report.entries().len(), records);
    for e in report.entries() {
        assert_eq!(e.status().is_found(), e.diagnostics().is_empty(), "{e:#?}");
        for d in e.diagnostics() {
            assert!(d.code().starts_with("dns."));
            let message = d.to_string();
            assert!(message.len() < 40_000, "{} bytes", message.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn evaluating_arbitrary_answers_never_panics(answers in prop::collection::vec(answer(), 40)) {
        let setup = setup();
        let check = setup.check();
        let answers: Answers = check
            .queries()
            .iter()
            .zip(answers)
            .filter_map(|(q, a)| a.map(|a| (q.clone(), a)))
            .collect();
        let report = check.evaluate(&answers);
        assert_well_formed(&report, setup.required_records().len());
        // A zone is claimed only from an SOA record owned by the name asked about.
        if let Some(zone) = report.zone() {
            let soa = Query::new(RecordName::of_domain(zone), RecordType::Soa);
            let owned = answers.get(&soa).is_some_and(|a| {
                a.records().iter().any(|r| {
                    matches!(r.data(), RecordData::Soa { .. })
                        && r.name().trim_end_matches('.').eq_ignore_ascii_case(zone.as_str())
                })
            });
            prop_assert!(owned, "{zone} claimed from {:?}", answers.get(&soa));
            for e in report.entries() {
                prop_assert_eq!(e.host().origin(), zone);
            }
        }
        let mut status = DomainStatus::new(&setup, Timestamp::default());
        status.observe(&report, Timestamp::default().plus_millis(1)).unwrap();
    }
}

/// Every query answered with the same records.
fn everywhere(records: Vec<AnswerRecord>) -> DomainReport {
    let check = setup().check();
    let answers: Answers =
        check.queries().iter().map(|q| (q.clone(), Answer::Records(records.clone()))).collect();
    check.evaluate(&answers)
}

#[test]
fn sixty_four_kib_of_txt_is_handled_and_shortened_in_messages() {
    let big = TxtData::new((0..257).map(|i| vec![b'a' + (i % 26) as u8; 255]));
    let report = everywhere(vec![AnswerRecord::new("x.", RecordData::Txt(big))]);
    assert_well_formed(&report, 7);
    let longest = report.diagnostics().map(|d| d.to_string().len()).max().unwrap();
    assert!(longest < 2_000, "{longest}");
}

#[test]
fn thousands_of_records_are_handled() {
    let mut records = Vec::new();
    for i in 0..3_000u16 {
        records.push(AnswerRecord::txt(
            "support.customer.com.",
            &format!("v=spf1 ip4:192.0.2.{} -all", i % 256),
        ));
        records.push(AnswerRecord::mx("support.customer.com.", i, format!("mx{i}.example.")));
        records.push(AnswerRecord::cname("support.customer.com.", format!("c{i}.example.")));
    }
    let report = everywhere(records);
    assert_well_formed(&report, 7);
    for e in report.entries() {
        if let email_routing::dns::RecordStatus::Mismatch { found } = e.status() {
            assert!(found.len() <= 9, "{}", found.len());
        }
    }
}

#[test]
fn non_utf8_txt_and_odd_names_are_handled() {
    let odd = TxtData::new([vec![0xff, 0xfe, b'\n', 0, b'"'], vec![0xc3]]);
    let report = everywhere(vec![
        AnswerRecord::new("\u{202e}odd\0name", RecordData::Txt(odd)),
        AnswerRecord::mx("", 0, "\u{0}"),
        AnswerRecord::cname("..", "\u{1F600}.dkim.amazonses.com"),
    ]);
    assert_well_formed(&report, 7);
    for d in report.diagnostics() {
        let message = d.to_string();
        assert!(!message.contains('\0') && !message.contains('\u{202e}'), "{message}");
    }
}

#[test]
fn empty_answers_are_no_data() {
    let report = everywhere(Vec::new());
    assert_well_formed(&report, 7);
    assert!(report.entries().iter().all(|e| e.status().is_definitive_miss()));
}
