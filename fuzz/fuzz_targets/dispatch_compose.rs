#![no_main]
use email_routing::acd::AcdQueue;
use email_routing::config::{AddressRoute, OrgEmailConfig, QueueRoute, RoutingTarget, SpamPolicy};
use email_routing::inbound::{
    self, DispatchAction, Envelope, InboundEmail, InboundPolicy, SenderRateGuard, Verdict, Verdicts,
};
use email_routing::outbound::{self, OutboundDraft, RenderOptions};
use email_routing::*;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static ORG: OnceLock<OrgEmailConfig> = OnceLock::new();

fn org() -> &'static OrgEmailConfig {
    ORG.get_or_init(|| {
        let root: DomainName = "mail.example.net".parse().unwrap();
        let mut org = OrgEmailConfig::new(root.clone());
        org.add_domain(Domain::hosted("acme", &root).unwrap()).unwrap();
        org.add_domain(Domain::custom("support.customer.com".parse().unwrap())).unwrap();
        let q = QueueRoute::new(QueueId::new("support").unwrap())
            .with_skills([Skill::new("billing").unwrap()])
            .with_language(Language::new("en").unwrap())
            .with_priority(Priority::new(10).unwrap());
        org.add_route(
            AddressRoute::new(
                "help@support.customer.com".parse().unwrap(),
                DisplayName::new("Customer Help").unwrap(),
                RoutingTarget::Queue(q),
            )
            .with_reply_to("replies@support.customer.com".parse().unwrap())
            .with_auto_bcc(["archive@customer.com".parse().unwrap()])
            .unwrap()
            .with_spam_policy(SpamPolicy::RouteToFlow {
                flow: FlowId::new("spam-review").unwrap(),
            }),
        )
        .unwrap();
        org.add_route(AddressRoute::new(
            "josé@acme.mail.example.net".parse().unwrap(),
            DisplayName::new("Zoë \"Support\", 支援チーム").unwrap(),
            RoutingTarget::Flow { flow: FlowId::new("f").unwrap() },
        ))
        .unwrap();
        org.add_route(AddressRoute::new(
            "sales@acme.mail.example.net".parse().unwrap(),
            DisplayName::new("=?utf-8?q?x?= Sales").unwrap(),
            RoutingTarget::OutboundOnly,
        ))
        .unwrap();
        org
    })
}

fn check_block(block: &str, ctx: &str) {
    let b = block.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'\r' {
            assert!(b.get(i + 1) == Some(&b'\n'), "bare CR in header block: {ctx}\n{block:?}");
        }
        if c == b'\n' {
            assert!(i > 0 && b[i - 1] == b'\r', "bare LF in header block: {ctx}\n{block:?}");
            if i + 1 < b.len() {
                let next = b[i + 1];
                // either folding whitespace or a new header name
                assert!(
                    next == b' ' || next == b'\t' || next.is_ascii_alphabetic(),
                    "odd line start: {ctx}\n{block:?}"
                );
            }
        }
    }
    assert!(block.ends_with("\r\n"), "{ctx}");
    // every new (non-folded) line must be one of our headers
    for line in block.split("\r\n") {
        if line.is_empty() || line.starts_with(' ') || line.starts_with('\t') {
            assert!(
                !line.trim().is_empty() || line.is_empty(),
                "whitespace-only folded line: {ctx}\n{block:?}"
            );
            continue;
        }
        let name = line.split(':').next().unwrap();
        assert!(
            ["From", "Reply-To", "To", "Cc", "Subject"].contains(&name),
            "unexpected header line {line:?}: {ctx}\n{block:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let sel = data[0];
    let Ok(s) = std::str::from_utf8(&data[1..]) else { return };
    let mut parts = s.split('\0');
    let env = parts.next().unwrap_or("");
    let to = parts.next().unwrap_or("");
    let cc = parts.next().unwrap_or("");
    let bcc = parts.next().unwrap_or("");
    let subject = parts.next().unwrap_or("Re: hello");
    let org = org();
    let t = Timestamp::from_unix_millis(1_780_000_000_000).unwrap();
    let mut verdicts = Verdicts::clean();
    match sel % 3 {
        1 => verdicts.spam = Verdict::Fail,
        2 => verdicts.virus = Verdict::Fail,
        _ => {}
    }
    let mut mail = InboundEmail::new(t).with_verdicts(verdicts);
    for e in env.split('\x01') {
        if !e.is_empty() {
            mail = mail.with_envelope_recipient(e);
        }
    }
    if !to.is_empty() {
        mail = mail.with_to(to);
    }
    if !cc.is_empty() {
        mail = mail.with_cc(cc);
    }
    let mut guard = SenderRateGuard::default();
    let d = inbound::dispatch(org, &mail, &InboundPolicy::default(), &mut guard);
    let _ = format!("{:?} {}", d.action(), d.reason());
    for sk in mail.skipped() {
        let _ = (sk.raw(), sk.error().code());
    }
    if let DispatchAction::Queue(q) = d.action() {
        let mut queue = AcdQueue::new();
        queue.enqueue_dispatch(q, 1u32).unwrap();
    }

    let conv: EmailAddress = match (sel >> 2) % 3 {
        0 => "help@support.customer.com",
        1 => "JOSÉ@acme.mail.example.net",
        _ => "sales@acme.mail.example.net",
    }
    .parse()
    .unwrap();
    let ctx = format!("to={to:?} cc={cc:?} bcc={bcc:?} subject={subject:?} conv={conv}");
    let draft = OutboundDraft::new(conv)
        .with_to(to)
        .with_cc(cc)
        .with_bcc(bcc)
        .with_subject(subject)
        .with_text("Thanks.");
    let verified = |_: &DomainName| true;
    match outbound::compose(org, &draft, &verified) {
        Ok(envl) => {
            let rendered = envl.render(&RenderOptions::new(t, "fuzz-1")).unwrap();
            let bytes = rendered.as_bytes();
            let text = String::from_utf8_lossy(bytes);
            let head_end = text.find("\r\n\r\n").map_or(text.len(), |i| i + 2);
            check_block(&text[..head_end], &ctx);
            let view = envl.agent_view();
            assert!(view.recipient_count() <= org.limits().max_recipients());
            // What a reader makes of the rendered header: the same To and Cc.
            let back = InboundEmail::from_rfc5322(bytes, Envelope::new(), t);
            let addresses =
                |l: &[Mailbox]| l.iter().map(|m| m.address().clone()).collect::<Vec<_>>();
            assert_eq!(addresses(back.to()), addresses(view.to()), "{ctx}");
            assert_eq!(addresses(back.cc()), addresses(view.cc()), "{ctx}");
            assert!(!text.contains("archive@"), "the hidden copy leaks: {ctx}");
            let _ = envl.requires_smtputf8();
            let _: Vec<_> = envl.smtp_recipients().collect();
        }
        Err(e) => {
            let _ = (e.code(), e.to_string());
        }
    }
});
