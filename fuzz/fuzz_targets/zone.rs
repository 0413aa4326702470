#![no_main]
use email_routing::dns::{
    Answer, DkimToken, DnsLookup, DomainSetup, DomainStatus, InMemoryDns, ProviderProfile, Query,
    RecordName, RecordType, VerificationToken,
};
use email_routing::{DomainName, Timestamp};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static ORIGIN: OnceLock<DomainName> = OnceLock::new();
static SETUP: OnceLock<DomainSetup> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let (sel, rest) = data.split_at(1);
    let Ok(s) = std::str::from_utf8(rest) else { return };
    let origin = ORIGIN.get_or_init(|| "customer.com".parse().unwrap());
    let origin = if sel[0] & 1 == 0 { Some(origin) } else { None };
    let mut dns = InMemoryDns::new();
    let result = dns.load_zone(s, origin);
    // `$INCLUDE` would read a file: text that holds it where a directive could be (not after
    // a comment's `;` or a quote on its line), in any case, never loads.
    let directive = s.lines().any(|line| {
        line.to_ascii_lowercase()
            .find("$include")
            .is_some_and(|at| !line[..at].contains([';', '"']))
    });
    if directive {
        assert!(result.is_err(), "zone text with $INCLUDE loaded: {s:?}");
    }
    match result {
        Ok(summary) => {
            // A record of a type the loader does not read is skipped, and its owner exists.
            for skipped in summary.skipped() {
                if let Ok(name) = RecordName::new(skipped.owner()) {
                    let answer = dns.lookup(&Query::new(name, RecordType::Txt));
                    assert_ne!(answer, Answer::NoSuchName, "skipped owner missing: {s:?}");
                }
            }
            let setup = SETUP.get_or_init(|| {
                DomainSetup::custom(
                    "support.customer.com".parse().unwrap(),
                    ProviderProfile::ses("us-east-1").unwrap(),
                    VerificationToken::new("pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=").unwrap(),
                )
                .unwrap()
                .with_dkim_tokens(["tok1", "tok2", "tok3"].map(|t| DkimToken::new(t).unwrap()))
                .unwrap()
                .with_mail_from("bounce.support.customer.com".parse().unwrap())
                .unwrap()
            });
            let report = setup.check().run(&dns);
            for entry in report.entries() {
                let _ = entry.status().to_string();
                for d in entry.diagnostics() {
                    let _ = (d.code(), d.to_string());
                    let m = d.to_string();
                    assert!(
                        !m.contains(['\r', '\n']),
                        "diagnostic with newline: {m:?}; zone {s:?}"
                    );
                }
            }
            let _ = serde_json::to_string(
                &report.entries().iter().flat_map(|e| e.diagnostics()).collect::<Vec<_>>(),
            )
            .unwrap();
            let t0 = Timestamp::from_unix_millis(1_780_000_000_000).unwrap();
            let mut status = DomainStatus::new(setup, t0);
            status.observe(&report, t0.plus_hours(1)).unwrap();
            status.observe(&report, t0.plus_hours(100)).unwrap();
            let j = serde_json::to_string(&status).unwrap();
            let back: DomainStatus = serde_json::from_str(&j).unwrap();
            assert_eq!(back, status);
        }
        Err(e) => {
            let msg = e.to_string();
            let _ = e.code();
            assert!(
                !msg.contains("No such file") && !msg.contains("os error"),
                "file access attempted: {s:?}: {msg}"
            );
        }
    }
});
