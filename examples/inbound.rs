//! Reads received messages and prints what the crate makes of each: one JSON object per file,
//! one line each, in argument order.
//!
//! ```text
//! cargo run --example inbound -- [--org ORG.json --root HOSTED_ROOT] [--policy POLICY.json] FILE...
//! ```
//!
//! Each FILE is a raw RFC 5322 message (as an MTA stores it) or an Amazon SES receipt
//! notification (JSON: bare, in an SNS envelope, or a Lambda event); a file whose first
//! non-blank byte is `{` is read as SES. Raw messages come without an envelope here, so the
//! dispatch matches on `To` and `Cc`. With `--org` (and the platform's `--root`), each line's
//! `action` is the dispatch under `--policy` (default: `InboundPolicy::default()`), with one
//! rate guard for the whole run; without it `action` is null.
//!
//! Keys of each line: `file`, `format` (`rfc5322` or `ses`), `message_id`, `in_reply_to`,
//! `references` (array), `from`, `subject`, `to` and `cc` (arrays of addresses), `auto` (null,
//! or `{"kind", "reason", "value"}`), `bounced_recipients` (array of `{"recipient", "action",
//! "status"}`, every recipient a delivery report names), `size_octets` (null when SES did not
//! send the content), `attachments` (array of `{"name", "media_type", "size_octets"}`),
//! `attachment_count`, `verdicts`, `skipped` (recipients that did not read), `action` and
//! `error` (null, or `{"code", "message"}`). A file that cannot be read gets a line with
//! `error` set and the run goes on.
//!
//! Exit status: 0, or 2 for wrong arguments (an unreadable `--org` or `--policy` included).

use std::process::ExitCode;
use std::time::SystemTime;

use email_routing::config::OrgEmailConfig;
use email_routing::inbound::{self, DispatchAction, InboundEmail, InboundPolicy, SenderRateGuard};
use email_routing::{DomainName, Timestamp};
use serde_json::{Value, json};

const USAGE: &str =
    "usage: inbound [--org ORG.json --root HOSTED_ROOT] [--policy POLICY.json] FILE...";

struct Args {
    org: Option<(String, String)>,
    policy: Option<String>,
    files: Vec<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut org, mut root, mut policy, mut files) = (None, None, None, Vec::new());
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "--org" => org = Some(value("--org")?),
            "--root" => root = Some(value("--root")?),
            "--policy" => policy = Some(value("--policy")?),
            "-h" | "--help" => return Err(String::new()),
            "--" => files.extend(args.by_ref()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => files.push(arg),
        }
    }
    let org = match (org, root) {
        (Some(org), Some(root)) => Some((org, root)),
        (None, None) => None,
        _ => return Err("--org and --root go together".to_owned()),
    };
    if files.is_empty() {
        return Err("give at least one FILE".to_owned());
    }
    Ok(Args { org, policy, files })
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("inbound: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let org = match &args.org {
        Some((path, root)) => match load_org(path, root) {
            Ok(org) => Some(org),
            Err(message) => {
                eprintln!("inbound: {message}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let policy = match &args.policy {
        Some(path) => {
            match std::fs::read_to_string(path).map_err(|e| e.to_string()).and_then(|text| {
                serde_json::from_str::<InboundPolicy>(&text).map_err(|e| e.to_string())
            }) {
                Ok(policy) => policy,
                Err(message) => {
                    eprintln!("inbound: --policy {path}: {message}");
                    return ExitCode::from(2);
                }
            }
        }
        None => InboundPolicy::default(),
    };
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .and_then(|ms| Timestamp::from_unix_millis(ms).ok())
        .unwrap_or_default();
    let mut guard = SenderRateGuard::default();
    for file in &args.files {
        let line = describe_file(file, org.as_ref(), &policy, &mut guard, now);
        println!("{line}");
    }
    ExitCode::SUCCESS
}

fn load_org(path: &str, root: &str) -> Result<OrgEmailConfig, String> {
    let root: DomainName = root.parse().map_err(|e| format!("--root {root:?}: {e}"))?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("--org {path}: {e}"))?;
    OrgEmailConfig::from_json(&text, &root).map_err(|e| format!("--org {path}: {e}"))
}

fn describe_file(
    file: &str,
    org: Option<&OrgEmailConfig>,
    policy: &InboundPolicy,
    guard: &mut SenderRateGuard,
    now: Timestamp,
) -> Value {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) => return unread(file, None, "io", &e.to_string()),
    };
    let is_ses = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let email = if is_ses {
        let text = String::from_utf8_lossy(&bytes);
        match InboundEmail::from_ses(&text, now) {
            Ok(email) => email,
            Err(e) => return unread(file, Some("ses"), e.code(), &e.to_string()),
        }
    } else {
        InboundEmail::from_rfc5322(&bytes, inbound::Envelope::new(), now)
    };
    let action = org.map(|org| {
        let dispatch = inbound::dispatch(org, &email, policy, guard);
        let mut action = json!({
            "action": dispatch.action().as_str(),
            "reason": dispatch.reason().code(),
            "detail": dispatch.reason().to_string(),
            "matched": dispatch.matched().map(|m| m.route().address().to_string()),
        });
        match dispatch.action() {
            DispatchAction::Queue(q) => action["queue"] = json!(q.route().queue().as_str()),
            DispatchAction::Flow(flow) => action["flow"] = json!(flow.as_str()),
            _ => {}
        }
        action
    });
    let ids = |ids: &[email_routing::MessageId]| -> Vec<String> {
        ids.iter().map(|id| id.as_str().to_owned()).collect()
    };
    let addresses = |list: &[email_routing::Mailbox]| -> Vec<String> {
        list.iter().map(|m| m.address().to_string()).collect()
    };
    json!({
        "file": file,
        "format": email.format().as_str(),
        "message_id": email.message_id().map(|id| id.as_str()),
        "in_reply_to": email.in_reply_to().first().map(|id| id.as_str()),
        "references": ids(email.references()),
        "from": email.author().map(|a| a.to_string()),
        "subject": email.subject(),
        "to": addresses(email.to()),
        "cc": addresses(email.cc()),
        "auto": email.auto_generated().map(|a| json!({
            "kind": a.kind().as_str(), "reason": a.reason().code(), "value": a.value(),
        })),
        "bounced_recipients": email.delivery_report().iter().map(|r| json!({
            "recipient": r.recipient(), "action": r.action().as_str(), "status": r.status(),
        })).collect::<Vec<_>>(),
        "size_octets": email.size_octets(),
        "attachments": email.attachments().iter().map(|a| json!({
            "name": a.name(), "media_type": a.media_type(), "size_octets": a.size_octets(),
        })).collect::<Vec<_>>(),
        "attachment_count": email.attachments().len(),
        "verdicts": email.verdicts(),
        "skipped": email.skipped().iter().map(|s| json!({
            "field": s.field().as_str(), "raw": s.raw(), "code": s.error().code(),
        })).collect::<Vec<_>>(),
        "action": action,
        "error": email.read_error().map(|e| json!({"code": e.code(), "message": e.to_string()})),
    })
}

/// The line for a file that could not be read: every key present, `error` set.
fn unread(file: &str, format: Option<&str>, code: &str, message: &str) -> Value {
    json!({
        "file": file, "format": format, "message_id": null, "in_reply_to": null,
        "references": [], "from": null, "subject": null, "to": [], "cc": [], "auto": null,
        "bounced_recipients": [], "size_octets": null, "attachments": [], "attachment_count": 0,
        "verdicts": null, "skipped": [], "action": null,
        "error": {"code": code, "message": message},
    })
}
