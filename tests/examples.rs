//! The examples the README promises, run as a user would. `cargo test` builds examples before
//! running tests, so the binaries sit next to this test's own executable.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn example(name: &str) -> PathBuf {
    let mut dir = std::env::current_exe().expect("test executable path");
    dir.pop(); // the test binary
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        // Running this test file alone (`cargo test --test examples`) does not build examples.
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "--example", name])
            .status()
            .expect("cargo is available to tests");
        assert!(status.success(), "building example {name} failed");
    }
    path
}

fn run(name: &str, args: &[&str], stdin: &[u8]) -> (i32, String) {
    let mut child = Command::new(example(name))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start example {name}: {e}"));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn validate_prints_exactly_one_line_per_input() {
    let input = "Help@Support.Customer.COM\njosé@Bücher.de\nnot-an-address\na@b.com\r\nBcc: x@y.com\n\n\"quoted\"@x.com\n";
    let (code, out) = run("validate", &[], input.as_bytes());
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "ok\tHelp@support.customer.com",
            "ok\tjosé@xn--bcher-kva.de",
            "err\taddress.at_sign_missing\t\"not-an-address\" has no '@': give an address such as help@example.com",
            "ok\ta@b.com",
            "err\taddress.invalid_character\t\"Bcc: x@y.com\" contains ':', which may not appear in an email address: remove it",
            "err\taddress.empty\tthe email address is empty: give an address such as help@example.com",
            "err\taddress.local_part_quoted\t\"\\\"quoted\\\"@x.com\" uses a quoted local part, which is not supported: use a plain mailbox name",
        ]
    );
}

#[test]
fn validate_domains_mode_and_non_utf8_input() {
    let (code, out) =
        run("validate", &["--domains"], "例え。JP\nprinter.local\n\u{FF41}.com.\n".as_bytes());
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "ok\txn--r8jz45g.jp");
    assert!(lines[1].starts_with("err\tdomain.special_use\t"));
    assert_eq!(lines[2], "ok\ta.com");
    let (_, out) = run("validate", &[], b"\xff\xfe@x.com\n");
    assert!(out.starts_with("err\tinput.not_utf8\t"));
    let (code, _) = run("validate", &["--bogus"], b"");
    assert_eq!(code, 2);
}

#[test]
fn quickstart_runs_and_shows_the_refusals() {
    let (code, out) = run("quickstart", &[], b"");
    assert_eq!(code, 0, "{out}");
    for expected in
        ["org.too_many_domains", "route.too_many_auto_bcc", "route.from_address_not_configured"]
    {
        assert!(out.contains(expected), "quickstart output lacks {expected}:\n{out}");
    }
}

/// The `inbound` example's contract: one JSON line per file, in argument order, every key
/// present, an unreadable file reported in its line, the dispatch when an organization is given.
#[test]
fn inbound_prints_one_json_line_per_file() {
    let dir = std::env::temp_dir().join(format!("inbound-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let org = dir.join("org.json");
    std::fs::write(
        &org,
        r#"{"domains": [{"name": "support.customer.com", "kind": "custom"}],
            "routes": [{"address": "help@support.customer.com", "display_name": "Help",
                        "routing": {"type": "queue", "queue": "support"}}]}"#,
    )
    .unwrap();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mail/");
    let oof = format!("{fixtures}outlook-oof.eml");
    let customer = format!("{fixtures}customer-50k.eml");
    let bounce = format!("{fixtures}postfix-bounce.eml");
    let missing = dir.join("missing.eml");
    let args = [
        "--org",
        org.to_str().unwrap(),
        "--root",
        "mail.example.net",
        oof.as_str(),
        customer.as_str(),
        missing.to_str().unwrap(),
        bounce.as_str(),
    ];
    let (code, out) = run("inbound", &args, b"");
    assert_eq!(code, 0, "{out}");
    let lines: Vec<serde_json::Value> =
        out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    for line in &lines {
        for key in [
            "file",
            "format",
            "message_id",
            "in_reply_to",
            "references",
            "from",
            "subject",
            "to",
            "cc",
            "auto",
            "bounced_recipients",
            "size_octets",
            "attachments",
            "action",
            "error",
        ] {
            assert!(line.get(key).is_some(), "{key} missing in {line}");
        }
    }
    assert_eq!(lines[0]["file"], oof.as_str());
    assert_eq!(lines[0]["auto"]["kind"], "auto_reply");
    assert_eq!(lines[0]["action"]["action"], "disconnect");
    assert_eq!(lines[0]["action"]["reason"], "auto_generated");
    assert_eq!(lines[1]["auto"], serde_json::Value::Null);
    assert_eq!(lines[1]["action"]["action"], "queue");
    assert_eq!(lines[1]["action"]["queue"], "support");
    assert_eq!(lines[2]["error"]["code"], "io");
    assert_eq!(lines[3]["bounced_recipients"][0]["status"], "5.1.1");
    assert_eq!(lines[3]["bounced_recipients"][0]["action"], "failed");
    // Wrong arguments: exit 2.
    assert_eq!(run("inbound", &[], b"").0, 2);
    assert_eq!(run("inbound", &["--org", org.to_str().unwrap(), oof.as_str()], b"").0, 2);
    std::fs::remove_dir_all(&dir).ok();
}
