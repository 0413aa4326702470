//! Storing DNS setups and provider profiles: round trips, the stored shape, and every rule
//! checked again when a stored value is read.
#![cfg(feature = "serde")]

mod common;

use email_routing::Domain;
use email_routing::dns::{
    DkimKey, DkimKeyType, DkimToken, DomainSetup, ProviderProfile, VerificationToken,
};
use email_routing::testing::{SES_TOKEN, domain, ses_setup};
use serde::de::DeserializeSeed;
use serde_json::{Value, json};

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

/// The profiles the host in these tests offers.
fn offered() -> Vec<ProviderProfile> {
    vec![
        ProviderProfile::ses("us-east-1").unwrap(),
        ProviderProfile::ses("us-west-2").unwrap(),
        common::own_keys_profile(),
    ]
}

/// Reads a stored setup as the host does.
fn read(stored: &Value) -> Result<DomainSetup, serde_json::Error> {
    DomainSetup::deserialize_for(&offered()).deserialize(stored)
}

/// A setup written and read back.
fn setup_round_trip(setup: &DomainSetup) -> DomainSetup {
    read(&serde_json::to_value(setup).unwrap()).unwrap()
}

/// Reads `stored` as a setup and returns the error message.
fn refused(stored: Value) -> String {
    read(&stored).unwrap_err().to_string()
}

#[test]
fn an_ses_setup_is_stored_as_the_values_it_was_made_from() {
    let setup = ses_setup();
    let stored = serde_json::to_value(&setup).unwrap();
    assert_eq!(
        stored,
        json!({
            "domain": "support.customer.com",
            "profile": {
                "name": "Amazon SES (us-east-1)",
                "verification_prefix": "_amazonses",
                "inbound_mx": {"preference": 10, "exchange": "inbound-smtp.us-east-1.amazonaws.com"},
                "dkim": {"cname": {"target_suffix": "dkim.amazonses.com", "count": 3}},
                "mail_from": {
                    "mx": {"preference": 10, "exchange": "feedback-smtp.us-east-1.amazonses.com"},
                    "spf_include": "amazonses.com",
                    "all": "soft_fail"
                },
                "ttl": 3600
            },
            "verification_token": SES_TOKEN,
            "dkim_tokens": ["tok1", "tok2", "tok3"],
            "mail_from": "bounce.support.customer.com",
            "inbound_mx": true
        })
    );
    let read = read(&stored).unwrap();
    assert_eq!(read, setup);
    assert_eq!(read.required_records(), setup.required_records());
}

#[test]
fn a_setup_with_own_keys_and_no_inbound_mx_round_trips() {
    let setup = DomainSetup::custom(
        domain("Bücher.example.de"),
        common::own_keys_profile(),
        VerificationToken::new("token-1").unwrap(),
    )
    .unwrap()
    .with_dkim_keys([
        DkimKey::new("s1", DkimKeyType::Rsa, "MIIBIj ANBgkq").unwrap(),
        DkimKey::new(
            "S2.Mail",
            DkimKeyType::Ed25519,
            "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
        )
        .unwrap(),
    ])
    .unwrap()
    .with_mail_from(domain("bounce.bücher.example.de"))
    .unwrap()
    .without_inbound_mx();
    let read = setup_round_trip(&setup);
    assert_eq!(read, setup);
    assert_eq!(read.required_records(), setup.required_records());
    assert!(!read.has_inbound_mx());
    let stored = serde_json::to_value(&setup).unwrap();
    assert_eq!(stored["domain"], "xn--bcher-kva.example.de");
    assert_eq!(
        stored["dkim_keys"][1],
        json!({"selector": "s2.mail", "key_type": "ed25519",
        "public_key": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="})
    );
    assert!(stored.get("dkim_tokens").is_none());
}

#[test]
fn a_profile_round_trips_and_the_builder_checks_it_again() {
    let profile = common::own_keys_profile();
    assert_eq!(round_trip(&profile), profile);
    let ses = ProviderProfile::ses("eu-west-2").unwrap();
    assert_eq!(round_trip(&ses), ses);

    let mut stored = serde_json::to_value(&profile).unwrap();
    assert_eq!(stored["verification_prefix"], "_mail-verify");
    assert_eq!(stored["mail_from"]["all"], "fail");
    // Optional parts may be left out: no DKIM, no MAIL FROM, the default TTL.
    let minimal: ProviderProfile = serde_json::from_value(json!({
        "name": "Minimal", "verification_prefix": "_v",
        "inbound_mx": {"preference": 1, "exchange": "mx.example.net"}
    }))
    .unwrap();
    assert_eq!((minimal.dkim(), minimal.mail_from(), minimal.ttl()), (None, None, 3600));

    stored["name"] = json!("  ");
    let err = serde_json::from_value::<ProviderProfile>(stored.clone()).unwrap_err();
    assert!(err.to_string().contains("name"), "{err}");
    stored["name"] = json!("Own keys");
    stored["inbound_mx"]["exchange"] = json!("mx..example.net");
    assert!(serde_json::from_value::<ProviderProfile>(stored.clone()).is_err());
    stored["inbound_mx"]["exchange"] = json!("mx.example.net");
    stored["verification_prefix"] = json!("_mail verify");
    assert!(serde_json::from_value::<ProviderProfile>(stored.clone()).is_err());
    stored["verification_prefix"] = json!("_mail-verify");
    stored["dkim"] = json!({"cname": {"target_suffix": "dkim.example.net", "count": 0}});
    assert!(serde_json::from_value::<ProviderProfile>(stored.clone()).is_err());
    stored["dkim"] = json!("txt_key");
    stored["extra"] = json!(1);
    let err = serde_json::from_value::<ProviderProfile>(stored).unwrap_err();
    assert!(err.to_string().contains("unknown field"), "{err}");
}

#[test]
fn a_stored_setup_is_refused_for_the_reason_the_constructor_gives() {
    let stored = serde_json::to_value(ses_setup()).unwrap();
    let ses = ProviderProfile::ses("us-east-1").unwrap();
    let token = VerificationToken::new(SES_TOKEN).unwrap();
    let base = || DomainSetup::custom(domain("support.customer.com"), ses.clone(), token.clone());

    // A custom domain without its token.
    let mut missing_token = stored.clone();
    missing_token.as_object_mut().unwrap().remove("verification_token");
    let want = DomainSetup::new(Domain::custom(domain("support.customer.com")), ses.clone(), None)
        .unwrap_err();
    assert_eq!(want.code(), "dns.token_missing");
    assert!(refused(missing_token).contains(&want.to_string()));

    // Two DKIM tokens where SES issues three.
    let mut two_tokens = stored.clone();
    two_tokens["dkim_tokens"] = json!(["tok1", "tok2"]);
    let want = base()
        .unwrap()
        .with_dkim_tokens(["tok1", "tok2"].map(|t| DkimToken::new(t).unwrap()))
        .unwrap_err();
    assert_eq!(want.code(), "dns.too_few_dkim_tokens");
    assert!(refused(two_tokens).contains(&want.to_string()));

    // A MAIL FROM domain that only looks like a subdomain.
    let mut lookalike = stored.clone();
    lookalike["mail_from"] = json!("bounce.evilsupport.customer.com");
    let want =
        base().unwrap().with_mail_from(domain("bounce.evilsupport.customer.com")).unwrap_err();
    assert_eq!(want.code(), "dns.mail_from_not_subdomain");
    assert!(refused(lookalike).contains(&want.to_string()));

    // TXT keys for a profile that delegates DKIM with CNAMEs.
    let mut keys = stored.clone();
    keys.as_object_mut().unwrap().remove("dkim_tokens");
    keys["dkim_keys"] = json!([{"selector": "s1", "public_key": "MIIBIj"}]);
    let want = base()
        .unwrap()
        .with_dkim_keys([DkimKey::new("s1", DkimKeyType::Rsa, "MIIBIj").unwrap()])
        .unwrap_err();
    assert_eq!(want.code(), "dns.dkim_form_mismatch");
    assert!(refused(keys).contains(&want.to_string()));

    // A token or key that is not one.
    let mut bad_token = stored.clone();
    bad_token["verification_token"] = json!("two words");
    assert!(refused(bad_token).contains("token"));
    let mut bad_key = stored.clone();
    bad_key["profile"] = serde_json::to_value(common::own_keys_profile()).unwrap();
    bad_key.as_object_mut().unwrap().remove("dkim_tokens");
    bad_key["dkim_keys"] = json!([{"selector": "s1", "public_key": "MII<script>"}]);
    assert!(refused(bad_key).contains("s1"));

    // Fields the format does not have.
    let mut unknown = stored.clone();
    unknown["records"] = json!([]);
    assert!(refused(unknown).contains("unknown field"));
}

#[test]
fn the_host_profile_decides_the_records_not_the_file() {
    let setup = ses_setup();
    let mut forged = serde_json::to_value(&setup).unwrap();
    forged["profile"]["inbound_mx"]["exchange"] = json!("mx.attacker.net");
    forged["profile"]["dkim"]["cname"]["target_suffix"] = json!("dkim.attacker.net");
    forged["profile"]["mail_from"]["spf_include"] = json!("attacker.net");
    let read = read(&forged).unwrap();
    assert_eq!(read, setup);
    assert_eq!(read.required_records(), setup.required_records());
    assert!(read.required_records().iter().all(|r| !r.to_string().contains("attacker")));

    // A profile the host does not offer is refused, naming it.
    let mut unknown = serde_json::to_value(&setup).unwrap();
    unknown["profile"]["name"] = json!("Attacker Mail");
    let message = refused(unknown);
    assert!(
        message.contains("\"Attacker Mail\"") && message.contains("deserialize_for"),
        "{message}"
    );
    let err = DomainSetup::deserialize_for(&[]).deserialize(&serde_json::to_value(&setup).unwrap());
    assert!(err.is_err());
}

#[test]
fn a_hosted_setup_is_written_but_never_read_back() {
    let root = domain("mail.example.net");
    let hosted = DomainSetup::new(
        Domain::hosted("acme", &root).unwrap(),
        ProviderProfile::ses("us-east-1").unwrap(),
        None,
    )
    .unwrap();
    let stored = serde_json::to_value(&hosted).unwrap();
    assert_eq!(stored["hosted"], true);
    let message = refused(stored.clone());
    assert!(message.contains("acme.mail.example.net") && message.contains("hosted"), "{message}");

    // Nor may a file make a custom domain look hosted, or drop the flag to pass as custom
    // without a token.
    let mut forged = serde_json::to_value(ses_setup()).unwrap();
    forged["hosted"] = json!(true);
    assert!(refused(forged).contains("hosted"));
    let mut unflagged = stored;
    unflagged.as_object_mut().unwrap().remove("hosted");
    assert!(refused(unflagged).contains("verification token"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Any text: most of it is refused somewhere, which is the point.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9]{1,12}",
            "[A-Za-z0-9+/=_.-]{0,20}",
            any::<String>(),
            Just("bücher".to_owned()),
        ]
    }

    fn setup_from(
        domain: &str,
        token: &str,
        dkim: &[String],
        mail_from: Option<&str>,
    ) -> Option<DomainSetup> {
        let mut setup = DomainSetup::custom(
            domain.parse().ok()?,
            ProviderProfile::ses("us-west-2").ok()?,
            VerificationToken::new(token).ok()?,
        )
        .ok()?;
        if !dkim.is_empty() {
            let tokens: Option<Vec<DkimToken>> =
                dkim.iter().map(|t| DkimToken::new(t).ok()).collect();
            setup = setup.with_dkim_tokens(tokens?).ok()?;
        }
        if let Some(mail_from) = mail_from {
            setup = setup.with_mail_from(mail_from.parse().ok()?).ok()?;
        }
        Some(setup)
    }

    proptest! {
        /// Whatever the constructors accept reads back equal, with the same records; whatever
        /// they refuse, a stored form with the same values is refused too.
        #[test]
        fn the_stored_form_accepts_exactly_what_the_constructors_accept(
            label in text(),
            token in text(),
            dkim in prop::collection::vec(text(), 0..4),
            sub in prop::option::of(text()),
        ) {
            let domain = format!("{label}.example.com");
            let mail_from = sub.map(|s| format!("{s}.{domain}"));
            let made = setup_from(&domain, &token, &dkim, mail_from.as_deref());
            let mut stored = json!({
                "domain": domain,
                "profile": serde_json::to_value(ProviderProfile::ses("us-west-2").unwrap()).unwrap(),
                "verification_token": token,
            });
            if !dkim.is_empty() {
                stored["dkim_tokens"] = json!(dkim);
            }
            if let Some(mail_from) = &mail_from {
                stored["mail_from"] = json!(mail_from);
            }
            let read = read(&stored).ok();
            prop_assert_eq!(&read, &made);
            if let Some(setup) = made {
                let again = setup_round_trip(&setup);
                prop_assert_eq!(again.required_records(), setup.required_records());
            }
        }
    }
}
