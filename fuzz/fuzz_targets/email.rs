#![no_main]
use email_routing::EmailAddress;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(a) = EmailAddress::new(s) {
        let shown = a.to_string();
        let back = EmailAddress::new(&shown).unwrap_or_else(|e| {
            panic!("Display does not parse back: input {s:?} shown {shown:?}: {e}")
        });
        assert_eq!(a, back, "input {s:?} shown {shown:?}");
        assert_eq!(a.as_str(), back.as_str(), "input {s:?}");
        assert_eq!(a.lookup_key(), back.lookup_key(), "input {s:?}");
        assert!(a.local_part().len() <= 64, "input {s:?}");
        assert!(a.as_str().len() <= 254, "input {s:?}");
        assert!(!a.as_str().contains(['\r', '\n']), "input {s:?}");
        let dn = a.to_domain_name();
        assert_eq!(dn.as_str(), a.domain());
        let reparsed_domain = email_routing::DomainName::new(a.domain())
            .unwrap_or_else(|e| panic!("domain of accepted address refused: {s:?}: {e}"));
        assert_eq!(reparsed_domain, dn);
        // routing key must itself be an acceptable address equal after lowercasing
        if let Ok(k) = EmailAddress::new(a.lookup_key()) {
            assert!(k.eq_ignore_local_case(&a), "input {s:?} key {:?}", a.lookup_key());
        }
        // JSON round-trip
        let j = serde_json::to_string(&a).unwrap();
        let b: EmailAddress = serde_json::from_str(&j)
            .unwrap_or_else(|e| panic!("json does not read back: {s:?} {j}: {e}"));
        assert_eq!(a, b);
    }
});
