//! Loading configuration files: every stored shape refuses what it does not know, and a
//! refused file says which rule (its code), where (path, line, column) and what to write.
#![cfg(feature = "json")]

use email_routing::acd::{AcdQueue, Agent, Requirements};
use email_routing::config::{
    AddressRoute, ConfigError, ConfigFileError, OrgEmailConfig, QueueRoute, RoutingTarget,
    SpamPolicy,
};
use email_routing::dns::{DomainSetup, DomainStatus, ProviderProfile, Query};
use email_routing::*;
use serde_json::{Value, json};

fn root() -> DomainName {
    "mail.example.net".parse().unwrap()
}

/// A file with every routing and spam policy, and every optional field.
const FILE: &str = r#"{
  "hosted_root": "mail.example.net",
  "custom_domain_quota": 1,
  "domains": [
    {"name": "acme.mail.example.net", "kind": "hosted_subdomain"},
    {"name": "support.customer.com", "kind": "custom"}
  ],
  "routes": [
    {
      "address": "help@support.customer.com",
      "display_name": "Customer Help",
      "reply_to": "replies@customer.com",
      "auto_bcc": ["archive@customer.com"],
      "routing": {"type": "queue", "queue": "support", "skills": ["billing"], "language": "en", "priority": 10},
      "spam": {"action": "route_to_flow", "flow": "spam-review"}
    },
    {
      "address": "sales@acme.mail.example.net",
      "display_name": "Sales",
      "routing": {"type": "flow", "flow": "sales-bot"},
      "spam": {"action": "disconnect"}
    },
    {
      "address": "noreply@support.customer.com",
      "display_name": "Customer Help",
      "from_address": "help@support.customer.com",
      "routing": {"type": "outbound_only"}
    }
  ]
}"#;

fn load(text: &str) -> Result<OrgEmailConfig, ConfigFileError> {
    OrgEmailConfig::from_json(text, &root())
}

/// `FILE` with `from` replaced by `to` (which must be there once).
fn edited(from: &str, to: &str) -> String {
    assert_eq!(FILE.matches(from).count(), 1, "{from}");
    FILE.replace(from, to)
}

/// Line and column (from 1, in characters) of the first character of `needle` in `text`.
fn start_of(text: &str, needle: &str) -> (usize, usize) {
    let offset = text.find(needle).unwrap_or_else(|| panic!("{needle} not in the text"));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    (1 + text[..line_start].matches('\n').count(), 1 + text[line_start..offset].chars().count())
}

/// Line and column of the last character of `needle` in `text`.
fn end_of(text: &str, needle: &str) -> (usize, usize) {
    let (line, column) = start_of(text, needle);
    (line, column + needle.chars().count() - 1)
}

/// Asserts the error's code, path and position.
#[track_caller]
fn assert_refused(err: &ConfigFileError, code: &str, path: &str, position: (usize, usize)) {
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(err.path(), path, "{err}");
    assert_eq!((err.line(), err.column()), position, "{err}");
}

#[test]
fn the_example_file_loads_with_every_field() {
    let org = load(FILE).unwrap();
    let help = org.route_for(&"help@support.customer.com".parse().unwrap()).unwrap();
    assert_eq!(help.auto_bcc().len(), 1);
    assert_eq!(help.reply_to().unwrap().as_str(), "replies@customer.com");
    let RoutingTarget::Queue(queue) = help.routing() else { panic!("{:?}", help.routing()) };
    assert_eq!(queue.language().unwrap().as_str(), "en");
    assert_eq!(queue.priority().get(), 10);
    assert_eq!(queue.skills().len(), 1);
    assert!(matches!(help.spam_policy(), SpamPolicy::RouteToFlow { .. }));
    let noreply = org.route_for(&"noreply@support.customer.com".parse().unwrap()).unwrap();
    assert_eq!(noreply.from_address().as_str(), "help@support.customer.com");
    // Written back and loaded again, it is the same organization.
    let written = serde_json::to_string_pretty(&org).unwrap();
    assert_eq!(load(&written).unwrap(), org);
}

// The field reports: a misspelt or unknown field used to load and silently drop the setting.

#[test]
fn autobcc_for_auto_bcc_is_refused() {
    let text = edited(r#""auto_bcc""#, r#""autobcc""#);
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "config_file.unknown_field",
        "routes[0].autobcc",
        end_of(&text, r#""autobcc""#),
    );
    assert!(err.message().contains("`auto_bcc`"), "the message lists the real name: {err}");
}

#[test]
fn addresses_for_routes_is_refused() {
    let text = edited(r#""routes""#, r#""addresses""#);
    let err = load(&text).unwrap_err();
    assert_refused(&err, "config_file.unknown_field", "addresses", end_of(&text, r#""addresses""#));
}

#[test]
fn languages_in_a_queue_route_is_refused() {
    let text = edited(r#""language": "en""#, r#""languages": ["en"]"#);
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "config_file.unknown_field",
        "routes[0].routing.languages",
        end_of(&text, r#""languages""#),
    );
}

#[test]
fn an_unknown_field_is_refused_at_every_level() {
    let cases = [
        (
            r#""custom_domain_quota": 1"#,
            r#""custom_domain_quota": 1, "timezone": "UTC""#,
            "timezone",
        ),
        (r#""kind": "custom""#, r#""kind": "custom", "verified": true"#, "domains[1].verified"),
        (
            r#""display_name": "Sales""#,
            r#""display_name": "Sales", "footer": "x""#,
            "routes[1].footer",
        ),
        (
            r#""flow": "sales-bot""#,
            r#""flow": "sales-bot", "version": 2"#,
            "routes[1].routing.version",
        ),
        (
            r#"{"type": "outbound_only"}"#,
            r#"{"type": "outbound_only", "note": "x"}"#,
            "routes[2].routing.note",
        ),
        (
            r#"{"action": "disconnect"}"#,
            r#"{"action": "disconnect", "notify": true}"#,
            "routes[1].spam.notify",
        ),
        (
            r#""flow": "spam-review""#,
            r#""flow": "spam-review", "score": 5"#,
            "routes[0].spam.score",
        ),
    ];
    for (from, to, path) in cases {
        let text = edited(from, to);
        let err = load(&text).unwrap_err();
        let key = format!("\"{}\"", path.rsplit('.').next().unwrap());
        assert_refused(&err, "config_file.unknown_field", path, end_of(&text, &key));
    }
}

#[test]
fn a_field_of_another_routing_type_or_spam_action_is_refused() {
    // serde's internally tagged enums would take these silently: a unit variant ignores every
    // other field, and the wrong variant's fields would be dropped.
    let cases = [
        (
            r#"{"type": "outbound_only"}"#,
            r#"{"type": "outbound_only", "queue": "support"}"#,
            "routes[2].routing.queue",
            r#""queue": "support"}"#,
        ),
        (
            r#""flow": "sales-bot""#,
            r#""flow": "sales-bot", "priority": 5"#,
            "routes[1].routing.priority",
            r#""priority": 5"#,
        ),
        (
            r#""priority": 10"#,
            r#""priority": 10, "flow": "x""#,
            "routes[0].routing.flow",
            r#""flow": "x""#,
        ),
        (
            r#"{"action": "disconnect"}"#,
            r#"{"action": "disconnect", "flow": "spam-review2"}"#,
            "routes[1].spam.flow",
            r#""flow": "spam-review2""#,
        ),
    ];
    for (from, to, path, value) in cases {
        let text = edited(from, to);
        let err = load(&text).unwrap_err();
        // Refused after the object is read: the position is the value of the field.
        let (line, column) = start_of(&text, value);
        let value_column = column + value.find(": ").unwrap() + 2;
        assert_refused(&err, "config_file.unknown_field", path, (line, value_column));
        assert!(err.message().contains("unknown field"), "{err}");
    }
    let text = edited(r#", "flow": "spam-review""#, "");
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "config_file.missing_field",
        "routes[0].spam",
        start_of(&text, r#"{"action": "route_to_flow"}"#),
    );
    let text = edited(r#""flow": "sales-bot""#, r#""queue": "sales""#);
    let err = load(&text).unwrap_err();
    assert_eq!((err.code(), err.path()), ("config_file.unknown_field", "routes[1].routing.queue"));
}

#[test]
fn the_stored_shapes_refuse_unknown_fields_through_serde_too() {
    use serde_json::from_value;
    let refused = |value: Value, what: &str| {
        let err = match what {
            "routing" => from_value::<RoutingTarget>(value).map(drop).unwrap_err(),
            "spam" => from_value::<SpamPolicy>(value).map(drop).unwrap_err(),
            "queue" => from_value::<QueueRoute>(value).map(drop).unwrap_err(),
            "route" => from_value::<AddressRoute>(value).map(drop).unwrap_err(),
            "status" => from_value::<DomainStatus>(value).map(drop).unwrap_err(),
            "queue_snapshot" => from_value::<AcdQueue<String>>(value).map(drop).unwrap_err(),
            "requirements" => from_value::<Requirements>(value).map(drop).unwrap_err(),
            "agent" => from_value::<Agent>(value).map(drop).unwrap_err(),
            "query" => from_value::<Query>(value).map(drop).unwrap_err(),
            "profile" => from_value::<ProviderProfile>(value).map(drop).unwrap_err(),
            other => panic!("{other}"),
        };
        assert!(err.to_string().contains("unknown field"), "{what}: {err}");
    };
    refused(json!({"type": "outbound_only", "x": 1}), "routing");
    refused(json!({"type": "queue", "queue": "q", "x": 1}), "routing");
    refused(json!({"type": "flow", "flow": "f", "x": 1}), "routing");
    refused(json!({"type": "flow", "flow": "f", "skills": []}), "routing");
    refused(json!({"action": "disconnect", "x": 1}), "spam");
    refused(json!({"action": "route_to_flow", "flow": "f", "x": 1}), "spam");
    refused(json!({"queue": "q", "languages": ["en"]}), "queue");
    refused(
        json!({"address": "a@b.com", "display_name": "A", "routing": {"type": "outbound_only"}, "autobcc": []}),
        "route",
    );

    let setup = DomainSetup::custom(
        "support.customer.com".parse().unwrap(),
        ProviderProfile::ses("us-east-1").unwrap(),
        "token".parse().unwrap(),
    )
    .unwrap();
    let status = serde_json::to_value(DomainStatus::new(
        &setup,
        Timestamp::from_unix_millis(1_780_000_000_000).unwrap(),
    ))
    .unwrap();
    for pointer in ["", "/verification", "/mx", "/mx/misses"] {
        let mut stored = status.clone();
        stored.pointer_mut(pointer).unwrap()["x"] = json!(1);
        refused(stored, "status");
    }
    let mut profile = serde_json::to_value(ProviderProfile::ses("us-east-1").unwrap()).unwrap();
    profile["inbound_mx"]["weight"] = json!(1);
    refused(profile, "profile");

    let snapshot = json!({"waiting": [{"id": "m", "priority": 1, "enqueued_at": 1,
        "requirements": {"skills": ["billing"]}}]});
    for pointer in ["", "/waiting/0", "/waiting/0/requirements"] {
        let mut stored = snapshot.clone();
        stored.pointer_mut(pointer).unwrap()["x"] = json!(1);
        refused(stored, "queue_snapshot");
    }
    refused(json!({"skills": [], "languages": ["en"]}), "requirements");
    refused(json!({"skills": [], "language": "en"}), "agent");
    refused(json!({"name": "a.example.com", "record_type": "TXT", "class": "IN"}), "query");
}

// A rule's refusal keeps the rule's code and names the item.

#[test]
fn a_rule_refusal_keeps_its_code_path_and_position() {
    let six = r#"["a1@customer.com", "a2@customer.com", "a3@customer.com", "a4@customer.com", "a5@customer.com", "a6@customer.com"]"#;
    let text = edited(r#"["archive@customer.com"]"#, six);
    let err = load(&text).unwrap_err();
    assert_refused(&err, "route.too_many_auto_bcc", "routes[0].auto_bcc", start_of(&text, six));
    let rule = std::error::Error::source(&err).unwrap().downcast_ref::<ConfigError>().unwrap();
    assert!(matches!(rule, ConfigError::TooManyAutoBcc { count: 6, max: 5, .. }), "{rule:?}");

    let text = edited(
        r#"["archive@customer.com"]"#,
        r#"["archive@customer.com", "Archive@customer.com"]"#,
    );
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "route.duplicate_auto_bcc",
        "routes[0].auto_bcc[1]",
        start_of(&text, r#""Archive@"#),
    );

    let text = edited(
        r#""address": "help@support.customer.com""#,
        r#""address": "help.support.customer.com""#,
    );
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "address.at_sign_missing",
        "routes[0].address",
        start_of(&text, r#""help.support.customer.com""#),
    );

    let third = r#"{"name": "sales.customer.com", "kind": "custom"}"#;
    let text = edited(r#""kind": "custom"}"#, &format!(r#""kind": "custom"}}, {third}"#));
    let err = load(&text).unwrap_err();
    assert_refused(&err, "org.too_many_domains", "domains[2]", start_of(&text, third));
    assert!(err.message().contains("limit is 2"), "{err}");

    let text = edited(r#""custom_domain_quota": 1"#, r#""custom_domain_quota": 3"#);
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "org.custom_domain_quota_out_of_range",
        "custom_domain_quota",
        end_of(&text, ": 3"),
    );
    assert!(err.message().contains("\"custom_domain_quota\" is 3"), "{err}");

    let text = edited(r#""priority": 10"#, r#""priority": 25000001"#);
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "priority.out_of_range",
        "routes[0].routing.priority",
        start_of(&text, "25000001"),
    );

    let text = edited(
        r#""address": "sales@acme.mail.example.net""#,
        r#""address": "HELP@support.customer.com""#,
    );
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "route.duplicate_address",
        "routes[1].address",
        start_of(&text, r#""HELP@"#),
    );

    let text = edited(
        r#""from_address": "help@support.customer.com""#,
        r#""from_address": "ghost@support.customer.com""#,
    );
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "route.from_address_not_configured",
        "routes[2].from_address",
        start_of(&text, r#""ghost@"#),
    );

    let text = edited(r#""name": "acme.mail.example.net""#, r#""name": "a.b.mail.example.net""#);
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "org.hosted_subdomain_outside_root",
        "domains[0].name",
        start_of(&text, r#""a.b.mail"#),
    );

    let text = edited(r#""hosted_root": "mail.example.net""#, r#""hosted_root": "paypal.com""#);
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "org.hosted_root_mismatch",
        "hosted_root",
        start_of(&text, r#""paypal.com""#),
    );

    let text = edited(
        r#""address": "sales@acme.mail.example.net""#,
        r#""address": "sales@elsewhere.com""#,
    );
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "route.domain_not_in_org",
        "routes[1].address",
        start_of(&text, r#""sales@elsewhere"#),
    );

    let long = "b".repeat(MAX_ID_CHARS + 1);
    let text = edited(r#""skills": ["billing"]"#, &format!(r#""skills": ["billing", "{long}"]"#));
    let err = load(&text).unwrap_err();
    assert_refused(
        &err,
        "id.too_long",
        "routes[0].routing.skills[1]",
        start_of(&text, &format!("\"{long}")),
    );
}

#[test]
fn what_serde_refuses_has_a_file_code() {
    let cases = [
        (r#""display_name": "Sales","#, "", "config_file.missing_field", "routes[1]"),
        (
            r#""display_name": "Sales","#,
            r#""display_name": "Sales", "display_name": "S","#,
            "config_file.duplicate_field",
            "routes[1]",
        ),
        (
            r#""priority": 10"#,
            r#""priority": "high""#,
            "config_file.invalid_type",
            "routes[0].routing.priority",
        ),
        (
            r#""type": "flow""#,
            r#""type": "flows""#,
            "config_file.unknown_variant",
            "routes[1].routing.type",
        ),
        (
            r#""custom_domain_quota": 1"#,
            r#""custom_domain_quota": -1"#,
            "config_file.invalid_value",
            "custom_domain_quota",
        ),
        (
            r#""kind": "custom""#,
            r#""kind": "owned""#,
            "config_file.unknown_variant",
            "domains[1].kind",
        ),
    ];
    for (from, to, code, path) in cases {
        let err = load(&edited(from, to)).unwrap_err();
        assert_eq!((err.code(), err.path()), (code, path), "{err}");
        assert!(err.line() > 0 && err.column() > 0, "{err}");
    }
}

#[test]
fn broken_json_is_a_syntax_error_with_its_position() {
    let text = edited("}\n  ]\n}", "},\n  ]\n}");
    let err = load(&text).unwrap_err();
    assert_eq!(err.code(), "config_file.syntax");
    assert_eq!(err.path(), "routes");
    assert_eq!((err.line(), err.column()), (text.lines().count() - 1, 3), "{err}");
    assert!(err.message().contains("trailing comma"), "{err}");

    let err = load(&format!("{FILE}\n{{}}")).unwrap_err();
    assert_eq!(
        (err.code(), err.line(), err.column()),
        ("config_file.syntax", FILE.lines().count() + 1, 1)
    );

    let err = load(&FILE[..FILE.len() / 2]).unwrap_err();
    assert_eq!(err.code(), "config_file.syntax");
    assert!(err.message().contains("EOF"), "{err}");

    let err = load("").unwrap_err();
    assert_eq!(err.code(), "config_file.syntax");
}

#[test]
fn the_column_counts_characters() {
    let text = edited(r#""display_name": "Sales""#, r#""display_name": "Sälës Tëäm", "x": 1"#);
    let err = load(&text).unwrap_err();
    assert_refused(&err, "config_file.unknown_field", "routes[1].x", end_of(&text, r#""x""#));
    let (_, column) = end_of(&text, r#""x""#);
    let line = text.lines().find(|l| l.contains("Sälës")).unwrap();
    assert!(column < line.len(), "bytes would count further: {column} vs {}", line.len());
}

#[test]
fn messages_speak_of_the_file_not_of_rust() {
    // A rule whose own message names a method gets one in the terms of the file.
    let text = edited(r#""name": "acme.mail.example.net""#, r#""name": "a.b.mail.example.net""#);
    let err = load(&text).unwrap_err();
    let rule = std::error::Error::source(&err).unwrap().to_string();
    assert!(rule.contains("Domain::hosted"), "the API message keeps its hint: {rule}");
    assert!(!err.to_string().contains("Domain::hosted"), "{err}");
    assert!(err.message().contains("\"hosted_subdomain\""), "{err}");

    // Every value replaced by one of the wrong type: no message names a Rust type.
    let files: [(String, &Loader); 3] = [
        (FILE.to_owned(), &|text| load(text).map(drop)),
        (stored_setup(), &|text| DomainSetup::from_json(text, &offered()).map(drop)),
        (stored_setup_with_keys(), &|text| DomainSetup::from_json(text, &offered()).map(drop)),
    ];
    for (text, load) in files {
        let file: Value = serde_json::from_str(&text).unwrap();
        let mut pointers = Vec::new();
        collect_pointers(&file, String::new(), &mut pointers);
        for pointer in pointers {
            for wrong in [
                json!(1.5),
                json!(-1),
                json!(0),
                json!("x"),
                json!(true),
                json!([]),
                json!({}),
                Value::Null,
            ] {
                let mut edited = file.clone();
                *edited.pointer_mut(&pointer).unwrap() = wrong.clone();
                let Err(err) = load(&serde_json::to_string(&edited).unwrap()) else { continue };
                assert_no_rust_names(&err, &format!("{pointer} = {wrong}"));
            }
        }
    }
}

/// Loads a text as one of the stored shapes.
type Loader = dyn Fn(&str) -> Result<(), ConfigFileError>;

/// Asserts `err` names no Rust type or call.
#[track_caller]
fn assert_no_rust_names(err: &ConfigFileError, case: &str) {
    let shown = err.to_string();
    let rust = [
        "u8",
        "u16",
        "u32",
        "u64",
        "usize",
        "i32",
        "i64",
        "struct ",
        "enum ",
        "Spec",
        "File",
        "::",
        "sequence",
        "map,",
        "identifier",
        "Option",
        "Vec",
    ];
    for name in rust {
        assert!(!shown.contains(name), "{case}: {name:?} in {shown}");
    }
}

/// Every JSON pointer in `value` (its own included).
fn collect_pointers(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                collect_pointers(item, format!("{pointer}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_pointers(item, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(pointer);
}

#[test]
fn a_refusal_outside_a_load_does_not_reach_the_next_load() {
    // A refusal noted while no load runs is not kept...
    assert!(serde_json::from_str::<EmailAddress>(r#""no-at-sign""#).is_err());
    let err = load(&edited(r#""priority": 10"#, r#""priority": "10""#)).unwrap_err();
    assert_eq!(err.code(), "config_file.invalid_type");
    // ...nor one from an earlier load.
    let err =
        load(&edited(r#""address": "help@support"#, r#""address": "help@@support"#)).unwrap_err();
    assert_eq!(err.code(), "domain.invalid_character", "{err}");
    let err = load(&edited(r#""display_name": "Sales","#, "")).unwrap_err();
    assert_eq!(err.code(), "config_file.missing_field");
}

// Stored DNS setups and provider profiles load the same way.

fn offered() -> Vec<ProviderProfile> {
    vec![ProviderProfile::ses("us-east-1").unwrap(), own_keys()]
}

/// A profile whose DKIM is TXT keys the organization brings.
fn own_keys() -> ProviderProfile {
    ProviderProfile::builder("Own keys")
        .verification_txt("_mail-verify")
        .inbound_mx(5, "mx1.mail.example.net")
        .dkim(email_routing::dns::DkimForm::TxtKey)
        .mail_from(10, "bounces.mail.example.net", "spf.mail.example.net", Default::default())
        .build()
        .unwrap()
}

/// A stored setup with TXT keys and a MAIL FROM domain.
fn stored_setup_with_keys() -> String {
    use email_routing::dns::{DkimKey, DkimKeyType};
    let setup = DomainSetup::custom(
        "support.customer.com".parse().unwrap(),
        own_keys(),
        "t0k3n".parse().unwrap(),
    )
    .unwrap()
    .with_dkim_keys([
        DkimKey::new("s1", DkimKeyType::Rsa, "MIIBIjANBgkq").unwrap(),
        DkimKey::new("s2", DkimKeyType::Ed25519, "11qYAYKxCrfVS").unwrap(),
    ])
    .unwrap()
    .with_mail_from("bounce.support.customer.com".parse().unwrap())
    .unwrap();
    serde_json::to_string_pretty(&setup).unwrap()
}

fn stored_setup() -> String {
    let setup = DomainSetup::custom(
        "support.customer.com".parse().unwrap(),
        ProviderProfile::ses("us-east-1").unwrap(),
        "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=".parse().unwrap(),
    )
    .unwrap()
    .with_dkim_tokens(["tok1", "tok2", "tok3"].map(|t| t.parse().unwrap()))
    .unwrap();
    serde_json::to_string_pretty(&setup).unwrap()
}

#[test]
fn a_stored_setup_loads_and_refuses_with_code_and_path() {
    let text = stored_setup();
    let setup = DomainSetup::from_json(&text, &offered()).unwrap();
    assert_eq!(setup.name().as_str(), "support.customer.com");

    let typo = text.replace(
        r#""preference": 10,
      "exchange": "inbound"#,
        r#""preference": 10,
      "exhange": "inbound"#,
    );
    let err = DomainSetup::from_json(&typo, &offered()).unwrap_err();
    assert_refused(
        &err,
        "config_file.unknown_field",
        "profile.inbound_mx.exhange",
        end_of(&typo, r#""exhange""#),
    );

    let two = text.replace(r#""tok3""#, "").replace(r#""tok2","#, r#""tok2""#);
    let err = DomainSetup::from_json(&two, &offered()).unwrap_err();
    assert_refused(
        &err,
        "dns.too_few_dkim_tokens",
        "dkim_tokens",
        start_of(&two, "[\n    \"tok1\""),
    );

    let other = text.replace("Amazon SES (us-east-1)", "Attacker Mail");
    let err = DomainSetup::from_json(&other, &offered()).unwrap_err();
    assert_refused(
        &err,
        "dns.profile_not_offered",
        "profile.name",
        start_of(&other, r#""Attacker Mail""#),
    );
    assert!(!err.message().contains("deserialize_for"), "{err}");

    let no_token = text
        .replace(r#""verification_token": "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=","#, "");
    let err = DomainSetup::from_json(&no_token, &offered()).unwrap_err();
    assert_eq!((err.code(), err.path()), ("dns.token_missing", ""));
    assert!(err.message().contains("\"verification_token\""), "{err}");

    // A key beside the DKIM form is an unknown field, before or after it.
    for (from, to) in [
        (r#""dkim": {"#, r#""dkim": {"x": 1,"#),
        ("\"count\": 3\n      }", "\"count\": 3\n      }, \"x\": 1"),
    ] {
        let extra = text.replace(from, to);
        let err = DomainSetup::from_json(&extra, &offered()).unwrap_err();
        assert_refused(
            &err,
            "config_file.unknown_field",
            "profile.dkim.x",
            end_of(&extra, r#""x""#),
        );
    }
    let both = text.replace(r#""dkim": {"#, r#""dkim": {"txt_key": {},"#);
    let err = DomainSetup::from_json(&both, &offered()).unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        ("config_file.unknown_field", "profile.dkim.txt_key"),
        "{err}"
    );
    let neither = text.replace(r#""dkim": {"#, r#""dkim": {"x": {}}, "was": {"#);
    assert!(DomainSetup::from_json(&neither, &offered()).is_err());

    let profile = serde_json::to_string(&ProviderProfile::ses("us-east-1").unwrap()).unwrap();
    let bad_prefix = profile.replace("_amazonses", "_amazon ses");
    let err = ProviderProfile::from_json(&bad_prefix).unwrap_err();
    assert_eq!((err.code(), err.path()), ("dns.record_name_invalid", "verification_prefix"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Every field name the formats have: an added key must be none of them.
    const KNOWN: [&str; 54] = [
        "hosted_root",
        "limits",
        "max_domains",
        "default_custom_domain_quota",
        "min_custom_domain_quota",
        "max_custom_domain_quota",
        "max_addresses_per_domain",
        "max_auto_bcc",
        "max_route_skills",
        "max_recipients",
        "max_subject_chars",
        "max_message_octets",
        "verification_window_hours",
        "downgrade_misses",
        "downgrade_span_hours",
        "custom_domain_quota",
        "domains",
        "routes",
        "name",
        "kind",
        "address",
        "display_name",
        "from_address",
        "reply_to",
        "auto_bcc",
        "routing",
        "spam",
        "type",
        "queue",
        "skills",
        "language",
        "priority",
        "flow",
        "action",
        "domain",
        "hosted",
        "profile",
        "verification_token",
        "dkim_tokens",
        "dkim_keys",
        "mail_from",
        "inbound_mx",
        "verification_prefix",
        "dkim",
        "ttl",
        "preference",
        "exchange",
        "cname",
        "target_suffix",
        "count",
        "spf_include",
        "all",
        "selector",
        "public_key",
    ];

    fn routing() -> impl Strategy<Value = RoutingTarget> {
        prop_oneof![
            (
                "[a-z]{1,8}",
                prop::collection::vec("[a-z]{1,6}", 0..3),
                prop::option::of(prop::sample::select(vec!["en", "de", "pt-br"])),
                -100i64..100,
            )
                .prop_map(|(queue, skills, language, priority)| {
                    let mut route = QueueRoute::new(QueueId::new(&queue).unwrap())
                        .with_skills(skills.iter().map(|s| Skill::new(s).unwrap()))
                        .with_priority(Priority::new(priority).unwrap());
                    if let Some(language) = language {
                        route = route.with_language(Language::new(language).unwrap());
                    }
                    RoutingTarget::Queue(route)
                }),
            "[a-z]{1,8}".prop_map(|f| RoutingTarget::Flow { flow: FlowId::new(&f).unwrap() }),
            Just(RoutingTarget::OutboundOnly),
        ]
    }

    fn spam() -> impl Strategy<Value = SpamPolicy> {
        prop_oneof![
            Just(SpamPolicy::Disconnect),
            "[a-z]{1,8}".prop_map(|f| SpamPolicy::RouteToFlow { flow: FlowId::new(&f).unwrap() }),
        ]
    }

    /// One route's parts: local part, domain index, name, routing, spam, reply-to, auto-BCC
    /// count, whether it sends as the first route.
    type RouteParts = (String, usize, String, RoutingTarget, SpamPolicy, bool, usize, bool);

    fn route_parts() -> impl Strategy<Value = RouteParts> {
        (
            "[a-z]{1,8}",
            0usize..2,
            "[A-Z][a-z]{0,8}( [A-Z][a-z]{0,8})?",
            routing(),
            spam(),
            any::<bool>(),
            0usize..=5,
            any::<bool>(),
        )
    }

    /// A valid organization: one of the shapes domains may take, routes on them, and the
    /// anchor platform's limits or a plan of its own.
    fn org() -> impl Strategy<Value = OrgEmailConfig> {
        (0usize..4, "[a-z]{1,8}", prop::collection::vec(route_parts(), 0..5), any::<bool>())
            .prop_map(|(shape, label, routes, own_plan)| {
                let root = root();
                let limits = if own_plan {
                    let plan = Limits::builder().max_auto_bcc(3).max_recipients(30);
                    plan.max_domains(3).verification_window_hours(48).build().unwrap()
                } else {
                    Limits::default()
                };
                let mut org = OrgEmailConfig::with_limits(root.clone(), limits);
                let hosted = Domain::hosted(&label, &root).unwrap();
                let custom = |n: &str| Domain::custom(n.parse().unwrap());
                let domains = match shape {
                    0 => vec![hosted],
                    1 => vec![custom("support.customer.com")],
                    2 => vec![hosted, custom("support.customer.com")],
                    _ => {
                        org.set_custom_domain_quota(2).unwrap();
                        vec![custom("support.customer.com"), custom("sales.customer.com")]
                    }
                };
                for domain in domains {
                    org.add_domain(domain).unwrap();
                }
                let mut first: Option<EmailAddress> = None;
                for (local, d, name, routing, spam, reply, bcc, as_first) in routes {
                    let domain = &org.domains()[d % org.domains().len()];
                    let address: EmailAddress =
                        format!("{local}@{}", domain.name()).parse().unwrap();
                    let mut route = AddressRoute::new(
                        address.clone(),
                        DisplayName::new(&name).unwrap(),
                        routing,
                    )
                    .with_spam_policy(spam)
                    .with_auto_bcc(
                        (0..bcc).map(|i| format!("copy{i}@archive.com").parse().unwrap()),
                    )
                    .unwrap();
                    if reply {
                        route = route.with_reply_to("replies@customer.com".parse().unwrap());
                    }
                    if let Some(first) = first.as_ref().filter(|_| as_first) {
                        route = route.with_from_address(first.clone());
                    }
                    if org.add_route(route).is_ok() && first.is_none() {
                        first = Some(address);
                    }
                }
                org
            })
    }

    /// Every object in `value`, as a JSON pointer and as a path in the loader's notation.
    fn objects(value: &Value, pointer: &str, path: &str, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) => {
                out.push((pointer.to_owned(), path.to_owned()));
                for (key, item) in map {
                    let sub = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    objects(item, &format!("{pointer}/{key}"), &sub, out);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    objects(item, &format!("{pointer}/{i}"), &format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }

    /// Adds `key` to the object at `which` of `stored`; the text, and the path the loader
    /// must report.
    fn with_unknown_key(stored: &Value, which: prop::sample::Index, key: &str) -> (String, String) {
        let mut all = Vec::new();
        objects(stored, "", "", &mut all);
        let (pointer, path) = which.get(&all).clone();
        let mut edited = stored.clone();
        edited.pointer_mut(&pointer).unwrap()[key] = json!("x");
        let path = if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
        (serde_json::to_string_pretty(&edited).unwrap(), path)
    }

    fn unknown_key() -> impl Strategy<Value = String> {
        "[a-z][a-z_]{0,10}".prop_filter("a field of the format", |k| !KNOWN.contains(&k.as_str()))
    }

    /// Asserts the load of `text` was refused for the unknown `key` at `path`, on its line.
    fn refused_for_key(
        err: ConfigFileError,
        text: &str,
        path: &str,
        key: &str,
    ) -> Result<(), TestCaseError> {
        prop_assert_eq!(err.code(), "config_file.unknown_field", "{}", err);
        prop_assert_eq!(err.path(), path);
        let line = text.lines().nth(err.line() - 1).unwrap_or("");
        let quoted = format!("\"{key}\"");
        prop_assert!(line.contains(&quoted), "line {} is {:?}", err.line(), line);
        prop_assert_eq!(
            line[..line.find(&quoted).unwrap()].chars().count() + quoted.len(),
            err.column()
        );
        Ok(())
    }

    proptest! {
        #[test]
        fn a_valid_organization_round_trips_through_the_loader(org in org()) {
            let text = serde_json::to_string_pretty(&org).unwrap();
            prop_assert_eq!(load(&text).unwrap(), org);
        }

        #[test]
        fn an_unknown_key_at_any_level_is_refused_where_it_is(
            org in org(),
            which in any::<prop::sample::Index>(),
            key in unknown_key(),
        ) {
            let stored = serde_json::to_value(&org).unwrap();
            let (text, path) = with_unknown_key(&stored, which, &key);
            refused_for_key(load(&text).unwrap_err(), &text, &path, &key)?;
        }

        #[test]
        fn an_unknown_key_in_a_stored_setup_is_refused_where_it_is(
            keys in any::<bool>(),
            which in any::<prop::sample::Index>(),
            key in unknown_key(),
        ) {
            let text = if keys { stored_setup_with_keys() } else { stored_setup() };
            let stored: Value = serde_json::from_str(&text).unwrap();
            let (text, path) = with_unknown_key(&stored, which, &key);
            refused_for_key(DomainSetup::from_json(&text, &offered()).unwrap_err(), &text, &path, &key)?;
        }
    }
}

/// An address's reply settings load, round-trip, and keep their rule's code in a file.
#[test]
fn reply_settings_load_with_their_codes() {
    let with = edited(
        r#""display_name": "Sales","#,
        r#""display_name": "Sales", "signature": {"text": "Sales team", "mode": "optional"},
           "history": "exclude", "acknowledge": true,"#,
    );
    let org = load(&with).unwrap();
    let sales = org.routes().iter().find(|r| r.address().local_part() == "sales").unwrap();
    assert_eq!(sales.signature().map(|s| s.text()), Some("Sales team"));
    assert_eq!(sales.history(), email_routing::config::HistoryMode::Exclude);
    assert!(sales.acknowledges());
    let again = load(&serde_json::to_string(&org).unwrap()).unwrap();
    assert_eq!(again, org);
    let bad = edited(
        r#""display_name": "Sales","#,
        r#""display_name": "Sales", "signature": {"text": "  "},"#,
    );
    let err = load(&bad).unwrap_err();
    assert_eq!((err.code(), err.path()), ("signature.empty", "routes[1].signature"), "{err}");
    let odd = edited(
        r#""display_name": "Sales","#,
        r#""display_name": "Sales", "history": "sometimes","#,
    );
    assert_eq!(load(&odd).unwrap_err().code(), "config_file.unknown_variant");
}
