#![no_main]
use email_routing::{Mailbox, parse_mailbox_list};
use libfuzzer_sys::fuzz_target;

fn check(m: &Mailbox, src: &str) {
    let shown = m.to_string();
    assert!(!shown.contains(['\r', '\n']), "CR/LF in rendering of {src:?}: {shown:?}");
    let back = Mailbox::parse(&shown).unwrap_or_else(|e| {
        panic!("rendering does not parse back: src {src:?} shown {shown:?}: {e}")
    });
    assert_eq!(m.address(), back.address(), "address differs: src {src:?} shown {shown:?}");
    assert_eq!(m.address().as_str(), back.address().as_str(), "src {src:?} shown {shown:?}");
    assert_eq!(m.name(), back.name(), "name differs: src {src:?} shown {shown:?}");
    let list = parse_mailbox_list(&shown);
    assert_eq!(
        list.len(),
        1,
        "rendering splits into {} entries: src {src:?} shown {shown:?}",
        list.len()
    );
    let one = list[0]
        .as_ref()
        .unwrap_or_else(|e| panic!("list parse fails: src {src:?} shown {shown:?}: {e:?}"));
    assert_eq!(one, &back, "list vs single parse differ: src {src:?} shown {shown:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(m) = Mailbox::parse(s) {
        check(&m, s);
    }
    let list = parse_mailbox_list(s);
    let mut ok = Vec::new();
    for entry in &list {
        if let Ok(m) = entry {
            check(m, s);
            ok.push(m.clone());
        }
    }
    if !ok.is_empty() {
        let joined = ok.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", ");
        let again = parse_mailbox_list(&joined);
        assert_eq!(
            again.len(),
            ok.len(),
            "joined list of {s:?} -> {joined:?} has {} entries",
            again.len()
        );
        for (a, b) in ok.iter().zip(&again) {
            let b = b.as_ref().unwrap_or_else(|e| {
                panic!("joined list entry fails: src {s:?} joined {joined:?}: {e:?}")
            });
            assert_eq!(a, b, "src {s:?} joined {joined:?}");
        }
    }
});
