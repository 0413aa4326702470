//! Fixtures shared by the received-mail test files: the organization the fixture messages
//! were written for, reading the fixture files, and what a dispatch decided, in a form that
//! compares in one assertion.

// Not every test file uses every fixture.
#![allow(dead_code)]

use std::path::PathBuf;

use email_routing::config::{AddressRoute, OrgEmailConfig, QueueRoute, RoutingTarget, SpamPolicy};
use email_routing::inbound::{
    self, Dispatch, Envelope, InboundEmail, InboundPolicy, SenderRateGuard,
};
use email_routing::*;

/// The time every fixture message arrives at, unless a test says otherwise.
pub const NOW: i64 = 1_780_000_000_000;

/// `NOW + ms` as a timestamp.
pub fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(NOW + ms).unwrap()
}

/// The organization of `tests/fixtures/mail/README.md`: `help@support.customer.com` routes to
/// the queue `support` (suspected spam to the flow `spam-review`), `sales@` to the flow
/// `sales-bot` (suspected spam disconnected).
pub fn org() -> OrgEmailConfig {
    let root: DomainName = "mail.example.net".parse().unwrap();
    let mut org = OrgEmailConfig::new(root);
    org.add_domain(Domain::custom("support.customer.com".parse().unwrap())).unwrap();
    let queue = QueueRoute::new(QueueId::new("support").unwrap())
        .with_language(Language::new("en").unwrap())
        .with_priority(Priority::new(5).unwrap());
    org.add_route(
        AddressRoute::new(
            "help@support.customer.com".parse().unwrap(),
            DisplayName::new("Customer Co. Support").unwrap(),
            RoutingTarget::Queue(queue),
        )
        .with_spam_policy(SpamPolicy::RouteToFlow { flow: FlowId::new("spam-review").unwrap() }),
    )
    .unwrap();
    org.add_route(AddressRoute::new(
        "sales@support.customer.com".parse().unwrap(),
        DisplayName::new("Customer Co. Sales").unwrap(),
        RoutingTarget::Flow { flow: FlowId::new("sales-bot").unwrap() },
    ))
    .unwrap();
    org
}

/// Where a dispatch sent `help@` mail that was routed.
pub const HELP_QUEUE: &str = "queue support";
/// Where a dispatch sent `sales@` mail that was routed.
pub const SALES_FLOW: &str = "flow sales-bot";

/// The bytes of `tests/fixtures/<dir>/<name>`.
pub fn fixture(dir: &str, name: &str) -> Vec<u8> {
    let path: PathBuf =
        [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", dir, name].iter().collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fixture message of `tests/fixtures/mail/`, as raw bytes.
pub fn eml(name: &str) -> Vec<u8> {
    fixture("mail", name)
}

/// An envelope: `MAIL FROM` as given (`<>` for the null reverse path) and one recipient.
pub fn envelope(mail_from: &str, rcpt_to: &str) -> Envelope {
    Envelope::new().with_mail_from(mail_from).with_recipient(rcpt_to)
}

/// Reads a fixture message with its envelope, arriving at [`NOW`].
pub fn read(name: &str, mail_from: &str, rcpt_to: &str) -> InboundEmail {
    InboundEmail::from_rfc5322(&eml(name), envelope(mail_from, rcpt_to), at(0))
}

/// Dispatches `email` to [`org`]'s addresses under `policy` with a fresh rate guard.
pub fn dispatch_with<'o>(
    org: &'o OrgEmailConfig,
    email: &InboundEmail,
    policy: &InboundPolicy,
) -> Dispatch<'o> {
    inbound::dispatch(org, email, policy, &mut SenderRateGuard::default())
}

/// What a dispatch decided: the action as shown (`queue support`, `flow sales-bot`,
/// `disconnect`, `not_routed`) and the reason's code.
pub fn outcome(dispatch: &Dispatch<'_>) -> (String, &'static str) {
    (dispatch.action().to_string(), dispatch.reason().code())
}

/// `(name, address)` of each mailbox, for comparing a list in one assertion.
pub fn mailboxes(list: &[Mailbox]) -> Vec<(Option<&str>, &str)> {
    list.iter().map(|m| (m.name().map(DisplayName::as_str), m.address().as_str())).collect()
}

/// Standard base64 (RFC 4648 section 4) with padding, as SES writes a `BASE64` `content`. The
/// crate only decodes base64 (through `mail-parser`); the tests need to encode it.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
