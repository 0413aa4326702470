//! What the admin is told to publish: zone lines, web-form hosts and values, long TXT values.

mod common;

use email_routing::dns::{
    DkimKey, DkimKeyType, DomainSetup, InMemoryDns, Necessity, ProviderProfile, Purpose,
    RecordValue, VerificationToken,
};
use email_routing::testing::domain;

/// A real 2048-bit RSA public key (SubjectPublicKeyInfo, base64): 392 characters.
const KEY_2048: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA6OGoJbgGmMh7I6puHd4g9pVDDo+9tL0ktY1QfP0gLeBTRxPVWOxxR/bu3C2Wvv38JFLAktGk60oQYq5uVaT2q7c8waPw/TdbZCZd39lywB1KeZEgkUtGVBJP2RTjPSV+gfCD1D7OYtCanwefMB5wRPMY5FxLWsNy/up0fG+DFXE+CrAsfepeRE4NvXT7VLANTWICmXVUW4yxpxrtZo9ztcea2/xskhhWJ23QBFmzPAea0GtiO0pMzhxO/IMp8U2sXRmu+df3CaunQnLt2CNJxAxtpluu6sKWjwt5IwkXVxAbYV6BpIv/KmvwMb4dd9VSKvMCUlfOxKkE3pL6iDGgzwIDAQAB";

#[test]
fn ses_records_render_as_zone_lines() {
    let setup = DomainSetup::custom(
        domain("Support.Customer.com"),
        ProviderProfile::ses("us-west-2").unwrap(),
        VerificationToken::new("TOKEN+/=").unwrap(),
    )
    .unwrap()
    .with_dkim_tokens(["aaa", "bbb", "ccc"].map(|t| email_routing::dns::DkimToken::new(t).unwrap()))
    .unwrap()
    .with_mail_from(domain("mail.support.customer.com"))
    .unwrap();
    let lines: Vec<String> = setup.required_records().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "_amazonses.support.customer.com. 3600 IN TXT \"TOKEN+/=\"",
            "support.customer.com. 3600 IN MX 10 inbound-smtp.us-west-2.amazonaws.com.",
            "aaa._domainkey.support.customer.com. 3600 IN CNAME aaa.dkim.amazonses.com.",
            "bbb._domainkey.support.customer.com. 3600 IN CNAME bbb.dkim.amazonses.com.",
            "ccc._domainkey.support.customer.com. 3600 IN CNAME ccc.dkim.amazonses.com.",
            "mail.support.customer.com. 3600 IN MX 10 feedback-smtp.us-west-2.amazonses.com.",
            "mail.support.customer.com. 3600 IN TXT \"v=spf1 include:amazonses.com ~all\"",
        ]
    );
    let hosts: Vec<String> = setup.required_records().iter().map(|r| r.host()).collect();
    assert_eq!(
        hosts,
        ["_amazonses", "@", "aaa._domainkey", "bbb._domainkey", "ccc._domainkey", "mail", "mail"]
    );
    let zone = domain("customer.com");
    let in_parent: Vec<String> =
        setup.required_records().iter().map(|r| r.host_in_zone(&zone).unwrap()).collect();
    assert_eq!(in_parent[0], "_amazonses.support");
    assert_eq!(in_parent[1], "support");
    let purposes: Vec<(Purpose, Necessity)> =
        setup.required_records().iter().map(|r| (r.purpose(), r.necessity())).collect();
    assert_eq!(purposes[0], (Purpose::Verification, Necessity::Required));
    assert_eq!(purposes[1], (Purpose::InboundMx, Necessity::Required));
    assert_eq!(purposes[2], (Purpose::Dkim, Necessity::Optional));
    assert_eq!(purposes[6], (Purpose::MailFromSpf, Necessity::Optional));
    // The web-form value: no quotes, no final dot.
    assert_eq!(
        setup.required_records()[1].value().to_string(),
        "10 inbound-smtp.us-west-2.amazonaws.com"
    );
    assert_eq!(setup.required_records()[0].value().to_string(), "TOKEN+/=");
}

#[test]
fn a_2048_bit_dkim_key_is_split_into_255_byte_strings() {
    let key = DkimKey::new("s2048", DkimKeyType::Rsa, KEY_2048).unwrap();
    let setup = DomainSetup::custom(
        domain("customer.com"),
        common::own_keys_profile(),
        VerificationToken::new("t").unwrap(),
    )
    .unwrap()
    .with_dkim_keys([key])
    .unwrap();
    let record = setup.required_records().iter().find(|r| r.purpose() == Purpose::Dkim).unwrap();
    let RecordValue::Txt(value) = record.value() else { panic!("{record:?}") };
    assert_eq!(value.len(), "v=DKIM1; k=rsa; p=".len() + 392);
    let line = record.to_string();
    let prefix = "s2048._domainkey.customer.com. 300 IN TXT ";
    assert!(line.starts_with(prefix), "{line}");
    let rdata = &line[prefix.len()..];
    let strings: Vec<&str> = rdata.split("\" \"").collect();
    assert_eq!(strings.len(), 2, "{rdata}");
    let first = strings[0].trim_start_matches('"');
    let second = strings[1].trim_end_matches('"');
    assert_eq!(first.len(), 255);
    assert_eq!(format!("{first}{second}"), *value);

    // The rendered line loads back through the zone parser and checks as found.
    let mut dns = InMemoryDns::new();
    let zone: String = setup.required_records().iter().map(|r| format!("{r}\n")).collect();
    dns.load_zone(&zone, None).unwrap();
    assert!(setup.check().run(&dns).all_found());
}

#[test]
fn another_provider_profile_renders_its_own_formats() {
    let setup = DomainSetup::custom(
        domain("example.org"),
        common::own_keys_profile(),
        VerificationToken::new("v1").unwrap(),
    )
    .unwrap()
    .with_mail_from(domain("bounce.example.org"))
    .unwrap();
    let lines: Vec<String> = setup.required_records().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "_mail-verify.example.org. 300 IN TXT \"v1\"",
            "example.org. 300 IN MX 5 mx1.mail.example.net.",
            "bounce.example.org. 300 IN MX 10 bounces.mail.example.net.",
            "bounce.example.org. 300 IN TXT \"v=spf1 include:spf.mail.example.net -all\"",
        ]
    );
}

#[test]
fn unicode_domains_are_published_in_a_label_form() {
    let setup = DomainSetup::custom(
        domain("bücher.de"),
        ProviderProfile::ses("eu-central-1").unwrap(),
        VerificationToken::new("t").unwrap(),
    )
    .unwrap();
    assert_eq!(
        setup.required_records()[0].to_string(),
        "_amazonses.xn--bcher-kva.de. 3600 IN TXT \"t\""
    );
}

#[cfg(feature = "serde")]
#[test]
fn tokens_and_regions_deserialize_only_when_valid() {
    use email_routing::dns::{AwsRegion, DkimToken};
    assert!(serde_json::from_str::<AwsRegion>("\"eu-west-1\"").is_ok());
    assert!(serde_json::from_str::<AwsRegion>("\"eu_west_1\"").is_err());
    assert!(serde_json::from_str::<VerificationToken>("\"a b\"").is_err());
    assert!(serde_json::from_str::<DkimToken>("\"a.b\"").is_err());
    let setup = DomainSetup::custom(
        domain("customer.com"),
        common::own_keys_profile(),
        VerificationToken::new("v1").unwrap(),
    )
    .unwrap();
    let record = &setup.required_records()[0];
    let json = serde_json::to_value(record).unwrap();
    assert_eq!(json["name"], "_mail-verify.customer.com");
    assert_eq!(json["purpose"], "verification");
}
