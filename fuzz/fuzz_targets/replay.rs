#![no_main]
use email_routing::acd::replay;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (mut out, mut warn) = (Vec::new(), Vec::new());
    match replay::run(data, &mut out, &mut warn) {
        Ok(r) => {
            let q = r.queue();
            let _ = q.len();
            for w in q.iter() {
                // A stage the requirements have, whatever the log's times and stages.
                assert!(w.stage() < w.requirements().stage_count(), "stage past the last: {w:?}");
            }
            // snapshot round-trip of the resulting queue
            let j = serde_json::to_string(q).unwrap();
            let back: email_routing::acd::AcdQueue<String> = serde_json::from_str(&j)
                .unwrap_or_else(|e| {
                    panic!("snapshot of replayed queue does not restore: {e}: {j}")
                });
            let j2 = serde_json::to_string(&back).unwrap();
            assert_eq!(j, j2, "snapshot changes on restore");
            // Stages and all: the restored requirements are the same values.
            for (a, b) in q.iter().zip(back.iter()) {
                assert_eq!(a.requirements(), b.requirements(), "requirements change on restore");
            }
        }
        Err(e) => {
            let _ = e.code();
            let _ = e.to_string();
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        for line in s.lines() {
            if let Err(e) = replay::parse_line(line) {
                let _ = (e.code(), e.to_string());
            }
        }
    }
});
