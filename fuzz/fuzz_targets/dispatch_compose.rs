#![no_main]
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
    let verdict = match sel % 3 {
        0 => ScanVerdict::Clean,
        1 => ScanVerdict::Spam,
        _ => ScanVerdict::Virus,
    };
    let mut mail = InboundEmail::new(verdict, t);
    for e in env.split('\x01') {
        if !e.is_empty() {
            mail = mail.with_envelope_recipient(e);
        }
    }
    if !to.is_empty() {
        mail = mail.with_header_to(to);
    }
    if !cc.is_empty() {
        mail = mail.with_header_cc(cc);
    }
    let d = org.dispatch(&mail);
    let _ = format!("{:?}", d.action());
    for sk in d.skipped() {
        let _ = (sk.raw(), sk.error().code());
    }
    if let DispatchAction::Queue(q) = d.action() {
        let mut queue = AcdQueue::new();
        q.enqueue_into(&mut queue, 1u32).unwrap();
    }

    let conv: EmailAddress = match (sel >> 2) % 3 {
        0 => "help@support.customer.com",
        1 => "JOSÉ@acme.mail.example.net",
        _ => "sales@acme.mail.example.net",
    }
    .parse()
    .unwrap();
    let ctx = format!("to={to:?} cc={cc:?} bcc={bcc:?} subject={subject:?} conv={conv}");
    let draft = OutboundDraft::reply_on(conv).to(to).cc(cc).bcc(bcc).subject(subject);
    let verified = |_: &DomainName| true;
    match org.compose(&draft, &verified) {
        Ok(envl) => {
            for h in envl.headers() {
                assert!(
                    !h.value().contains(['\r', '\n']),
                    "CR/LF in header {} value {:?}: {ctx}",
                    h.name(),
                    h.value()
                );
            }
            let block = envl.header_block();
            check_block(&block, &ctx);
            let view = envl.agent_view();
            assert!(view.recipient_count() <= org.limits().max_recipients());
            // To / Cc header values parse back to the same addresses
            for h in envl.headers() {
                let list = match h.name() {
                    "To" => view.to(),
                    "Cc" => view.cc(),
                    _ => continue,
                };
                let parsed = parse_mailbox_list(h.value());
                assert_eq!(
                    parsed.len(),
                    list.len(),
                    "{} header {:?} reparses to {} entries, expected {}: {ctx}",
                    h.name(),
                    h.value(),
                    parsed.len(),
                    list.len()
                );
                for (p, m) in parsed.iter().zip(list) {
                    let p =
                        p.as_ref().unwrap_or_else(|e| panic!("header entry fails: {e:?}: {ctx}"));
                    assert_eq!(p.address(), m.address(), "{ctx}");
                }
            }
            let _ = envl.requires_smtputf8();
            let _: Vec<_> = envl.smtp_recipients().collect();
        }
        Err(e) => {
            let _ = (e.code(), e.to_string());
        }
    }
});
