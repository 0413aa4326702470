#![no_main]
use email_routing::DomainName;
use email_routing::acd::AcdQueue;
use email_routing::config::OrgEmailConfig;
use email_routing::dns::{DomainSetup, DomainStatus, ProviderProfile};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeSeed;
use std::sync::OnceLock;

static ROOT: OnceLock<DomainName> = OnceLock::new();
static PROFILES: OnceLock<Vec<ProviderProfile>> = OnceLock::new();

/// A stored setup, read with the host's profiles, writes and reads back the same.
fn setup_round_trip(data: &[u8]) {
    let profiles = PROFILES.get_or_init(|| {
        vec![
            ProviderProfile::ses("us-east-1").unwrap(),
            ProviderProfile::builder("Own keys")
                .verification_txt("_v")
                .inbound_mx(5, "mx.example.net")
                .dkim(email_routing::dns::DkimForm::TxtKey)
                .build()
                .unwrap(),
        ]
    });
    let read = |json: &[u8]| {
        DomainSetup::deserialize_for(profiles)
            .deserialize(&mut serde_json::Deserializer::from_slice(json))
    };
    if let Ok(setup) = read(data) {
        let json = serde_json::to_vec(&setup).unwrap();
        let back = read(&json).unwrap_or_else(|e| {
            panic!("DomainSetup: re-serialized refused: {e}: {:?}", String::from_utf8_lossy(data))
        });
        assert_eq!(setup, back, "DomainSetup changed: {:?}", String::from_utf8_lossy(data));
        assert_eq!(setup.required_records(), back.required_records());
    }
}

fn rt<T>(data: &[u8], what: &str)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    if let Ok(v) = serde_json::from_slice::<T>(data) {
        let j = serde_json::to_string(&v).unwrap_or_else(|e| {
            panic!(
                "{what}: accepted value does not serialize: {e}: {:?}",
                String::from_utf8_lossy(data)
            )
        });
        let back: T = serde_json::from_str(&j).unwrap_or_else(|e| {
            panic!(
                "{what}: re-serialized value refused: {e}\n input: {:?}\n json: {j}",
                String::from_utf8_lossy(data)
            )
        });
        assert_eq!(
            v,
            back,
            "{what}: value changed\n input: {:?}\n json: {j}",
            String::from_utf8_lossy(data)
        );
        let j2 = serde_json::to_string(&back).unwrap();
        assert_eq!(j, j2, "{what}: json changed");
    }
}

/// Every waiting interaction of a queue, in routing order, as text to compare.
fn waiting_of(queue: &AcdQueue<String>) -> Vec<String> {
    queue
        .iter()
        .map(|w| {
            format!("{:?} {:?} {:?} {:?}", w.id(), w.requirements(), w.priority(), w.enqueued_at())
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let (sel, rest) = data.split_at(1);
    match sel[0] % 5 {
        0 => setup_round_trip(rest),
        1 => rt::<ProviderProfile>(rest, "ProviderProfile"),
        2 => rt::<DomainStatus>(rest, "DomainStatus"),
        3 => {
            if let Ok(q) = serde_json::from_slice::<AcdQueue<String>>(rest) {
                let j = serde_json::to_string(&q).unwrap();
                let back: AcdQueue<String> = serde_json::from_str(&j).unwrap_or_else(|e| {
                    panic!(
                        "AcdQueue: re-serialized refused: {e}\n input: {:?}\n json: {j}",
                        String::from_utf8_lossy(rest)
                    )
                });
                let j2 = serde_json::to_string(&back).unwrap();
                assert_eq!(
                    j,
                    j2,
                    "AcdQueue json changed; input {:?}",
                    String::from_utf8_lossy(rest)
                );
                assert_eq!(q.len(), back.len());
                let (a, b) = (waiting_of(&q), waiting_of(&back));
                assert_eq!(
                    a,
                    b,
                    "AcdQueue order changed; input {:?}",
                    String::from_utf8_lossy(rest)
                );
            }
        }
        _ => {
            let root = ROOT.get_or_init(|| "mail.example.net".parse().unwrap());
            let mut de = serde_json::Deserializer::from_slice(rest);
            let read = OrgEmailConfig::deserialize_for(root).deserialize(&mut de);
            // The loader agrees with the seed (it also refuses text after the value), and
            // points inside the text.
            if let Ok(text) = std::str::from_utf8(rest) {
                match OrgEmailConfig::from_json(text, root) {
                    Ok(loaded) => assert_eq!(Some(&loaded), read.as_ref().ok(), "{text:?}"),
                    Err(e) => {
                        assert!(!e.code().is_empty() && !e.message().is_empty(), "{text:?}");
                        assert!(e.line() <= text.split('\n').count(), "{e}: {text:?}");
                    }
                }
            }
            if let Ok(org) = read {
                let j = serde_json::to_string(&org).unwrap();
                let mut de2 = serde_json::Deserializer::from_str(&j);
                let back = OrgEmailConfig::deserialize_for(root)
                    .deserialize(&mut de2)
                    .unwrap_or_else(|e| {
                        panic!(
                            "OrgEmailConfig: re-serialized refused: {e}\n input: {:?}\n json: {j}",
                            String::from_utf8_lossy(rest)
                        )
                    });
                assert_eq!(
                    org,
                    back,
                    "OrgEmailConfig changed\n input: {:?}\n json: {j}",
                    String::from_utf8_lossy(rest)
                );
            }
        }
    }
});
