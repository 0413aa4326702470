#![no_main]
use email_routing::DomainName;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(d) = DomainName::new(s) {
        let shown = d.to_string();
        let back = DomainName::new(&shown).unwrap_or_else(|e| {
            panic!("Display does not parse back: input {s:?} shown {shown:?}: {e}")
        });
        assert_eq!(d, back, "input {s:?} shown {shown:?}");
        assert_eq!(d.as_str(), back.as_str(), "input {s:?}");
        let uni = d.to_unicode();
        let back_u = DomainName::new(&uni).unwrap_or_else(|e| {
            panic!("to_unicode does not parse back: input {s:?} unicode {uni:?}: {e}")
        });
        assert_eq!(d, back_u, "input {s:?} unicode {uni:?}");
        assert!(d.as_str().len() <= 253, "input {s:?}");
        assert!(d.as_str().is_ascii(), "input {s:?}");
        assert_eq!(d.as_str(), d.as_str().to_ascii_lowercase(), "input {s:?}");
        // A name as email domain
        let addr = format!("a@{shown}");
        if let Ok(a) = email_routing::EmailAddress::new(&addr) {
            assert_eq!(a.domain(), d.as_str(), "input {s:?}");
        }
    }
});
