//! The whole journey on the embedded in-memory defaults: configure an organization's email,
//! publish and verify its DNS records, dispatch incoming mail, distribute it to agents, and
//! compose the reply.
//!
//! Run with `cargo run --example quickstart`.

use email_routing::acd::{AcdQueue, Agent, Requirements};
use email_routing::dns::{
    DkimToken, DomainReport, DomainSetup, InMemoryDns, ProviderProfile, RecordType,
    VerificationToken,
};
use email_routing::inbound::{
    DispatchAction, Envelope, InboundEmail, InboundPolicy, SenderRateGuard, Verdict, Verdicts,
};
use email_routing::outbound::{
    self, OutboundAttachment, OutboundDraft, RenderOptions, RepliedMessage,
};
use email_routing::*;

const TOKEN: &str = "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=";
/// 2026-05-28T20:26:40Z: the host's clock, passed in.
const T0: i64 = 1_780_000_000_000;
const MINUTE: i64 = 60_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let at = |offset_ms: i64| Timestamp::from_unix_millis(T0 + offset_ms);

    section("1. Configure the organization");
    let root: DomainName = "mail.example.net".parse()?;
    let mut org = OrgEmailConfig::new(root.clone());
    org.add_domain(Domain::hosted("acme", &root)?)?;
    org.add_domain(Domain::custom("support.customer.com".parse()?))?;

    let help: EmailAddress = "help@support.customer.com".parse()?;
    let queue_route = QueueRoute::new(QueueId::new("support")?)
        .with_skills([Skill::new("billing")?, Skill::new("email")?])
        .with_language(Language::new("en")?)
        .with_priority(Priority::new(10)?);
    org.add_route(
        AddressRoute::new(
            help.clone(),
            DisplayName::new("Customer Help")?,
            RoutingTarget::Queue(queue_route),
        )
        .with_reply_to("replies@support.customer.com".parse()?)
        .with_auto_bcc(["archive@customer.com".parse()?])?
        .with_spam_policy(SpamPolicy::RouteToFlow { flow: FlowId::new("spam-review")? }),
    )?;
    println!("{}", serde_json::to_string_pretty(&org)?);

    section("2. Changes the rules refuse");
    let third = org.add_domain(Domain::custom("other.example.com".parse()?));
    report("a third domain", third.map(|_| ()));
    let six: Vec<EmailAddress> =
        (1..=6).map(|i| format!("audit{i}@customer.com").parse()).collect::<Result<_, _>>()?;
    let route = org.route_for(&help).ok_or("help@ is configured")?.clone();
    report("a 6th auto-BCC", org.update_route(route.with_auto_bcc(six)?).map(|_| ()));
    let sales: EmailAddress = "sales@support.customer.com".parse()?;
    let unknown_from =
        AddressRoute::new(sales, DisplayName::new("Sales")?, RoutingTarget::OutboundOnly)
            .with_from_address("nobody@support.customer.com".parse()?);
    report("a from address that is not configured", org.add_route(unknown_from));

    section("3. The DNS records to publish for support.customer.com");
    let setup = DomainSetup::custom(
        "support.customer.com".parse()?,
        ProviderProfile::ses("us-east-1")?,
        VerificationToken::new(TOKEN)?,
    )?
    .with_dkim_tokens(
        ["k7x2", "q9m4", "z3p8"].map(DkimToken::new).into_iter().collect::<Result<Vec<_>, _>>()?,
    )?
    .with_mail_from("bounce.support.customer.com".parse()?)?;
    setup.check_against(&org)?;
    for record in setup.required_records() {
        println!("{record}");
    }
    let zone: DomainName = "customer.com".parse()?;
    println!("\nIn a web form for the customer.com zone:");
    for record in setup.required_records() {
        let host = record.host_in_zone(&zone).unwrap_or_else(|| record.host());
        println!(
            "  {:<5} host {:<32} value {}",
            record.record_type().to_string(),
            host,
            record.value()
        );
    }

    section("4. The admin publishes them, with a classic mistake");
    let mut dns = InMemoryDns::new();
    dns.add_zone("customer.com"); // the zone the admin edits
    dns.publish_all(setup.required_records());
    // The web form appended the zone to the full name the admin typed.
    dns.remove("_amazonses.support.customer.com", RecordType::Txt);
    dns.add_txt("_amazonses.support.customer.com.customer.com", TOKEN);
    let mut status = DomainStatus::new(&setup, at(0)?);
    let first = setup.check().run(&dns);
    print_report(&first);
    status.observe(&first, at(5 * MINUTE)?)?;
    println!("verification: {:?}; can send: {}", status.verification(), status.can_send());

    section("5. Fixed, and checked again");
    dns.remove("_amazonses.support.customer.com.customer.com", RecordType::Txt);
    dns.add_txt("_amazonses.support.customer.com", TOKEN);
    let second = setup.check().run(&dns);
    print_report(&second);
    status.observe(&second, at(30 * MINUTE)?)?;
    println!(
        "verification: {:?}; can send: {}; can receive: {}",
        status.verification(),
        status.can_send(),
        status.can_receive()
    );

    section("6. Mail arrives");
    let mut support_queue: AcdQueue<String> = AcdQueue::new();
    let policy = InboundPolicy::default();
    let mut guard = SenderRateGuard::default();
    let customer = b"From: Jane Doe <jane@example.org>\r\n\
        To: Customer Help <help@support.customer.com>\r\n\
        Subject: Invoice 4711\r\n\
        Message-ID: <c-1@example.org>\r\n\
        Date: Thu, 28 May 2026 21:26:40 +0000\r\n\
        \r\n\
        Hello, my invoice is wrong.\r\n";
    let out_of_office = b"From: Jane Doe <jane@example.org>\r\n\
        To: help@support.customer.com\r\n\
        Subject: Automatic reply: Re: Invoice 4711\r\n\
        Auto-Submitted: auto-replied\r\n\
        X-Auto-Response-Suppress: All\r\n\
        \r\n\
        I am out of the office until Monday.\r\n";
    let envelope = || {
        Envelope::new()
            .with_mail_from("<jane@example.org>")
            .with_recipient("Help@Support.Customer.com")
    };
    let spam = Verdicts { spam: Verdict::Fail, ..Verdicts::clean() };
    let virus = Verdicts { virus: Verdict::Fail, ..Verdicts::clean() };
    let arrivals = [
        ("mail-clean", InboundEmail::from_rfc5322(customer, envelope(), at(60 * MINUTE)?)),
        ("mail-ooo", InboundEmail::from_rfc5322(out_of_office, envelope(), at(60 * MINUTE)?)),
        (
            "mail-spam",
            InboundEmail::new(at(60 * MINUTE)?)
                .with_envelope_recipient("help@support.customer.com")
                .with_verdicts(spam),
        ),
        (
            "mail-virus",
            InboundEmail::new(at(60 * MINUTE)?)
                .with_envelope_recipient("help@support.customer.com")
                .with_verdicts(virus),
        ),
    ];
    for (id, email) in arrivals {
        let dispatch = inbound::dispatch(&org, &email, &policy, &mut guard);
        println!("{id:<10} -> {} ({})", describe(dispatch.action()), dispatch.reason());
        if let DispatchAction::Queue(q) = dispatch.action() {
            q.enqueue_into(&mut support_queue, id.to_owned())?;
        }
    }

    section("7. The ACD queue: score = minutes waited + priority");
    // Two more interactions, straight from DESIGN's example: at minute 70, priority 20 after
    // 4 minutes (24 points) goes before priority 10 after 6 minutes (16 points).
    let billing_en = Requirements::new(
        [Skill::new("billing")?, Skill::new("email")?],
        Some(Language::new("en")?),
    );
    support_queue.enqueue(
        "p10-6min".to_owned(),
        Priority::new(10)?,
        &billing_en,
        at(64 * MINUTE)?,
    )?;
    support_queue.enqueue(
        "p20-4min".to_owned(),
        Priority::new(20)?,
        &billing_en,
        at(66 * MINUTE)?,
    )?;
    let now = at(70 * MINUTE)?;
    for waiting in support_queue.iter() {
        println!("{:<10} score {}", waiting.id(), waiting.score(now));
    }
    let trainee = Agent::new([Skill::new("email")?], [Language::new("en")?]);
    println!(
        "trainee (email, en; no billing) gets: {:?}",
        support_queue.next_for(&trainee).map(|i| i.into_id())
    );
    let agent = Agent::new([Skill::new("billing")?, Skill::new("email")?], [Language::new("en")?]);
    let taken = support_queue.next_for(&agent).ok_or("an interaction waits")?;
    println!("agent (billing, email, en) gets: {}", taken.id());

    section("8. The agent's reply");
    let customer_message = InboundEmail::from_rfc5322(customer, envelope(), at(60 * MINUTE)?);
    let draft = OutboundDraft::new(help)
        .with_to("Jane Doe <jane@example.org>")
        .with_bcc("supervisor@customer.com")
        .with_subject("Re: Invoice 4711")
        .with_text("Hello Jane,\n\nwe corrected the invoice; the new one is attached.")
        .with_attachment(OutboundAttachment::new(
            "invoice-4711.pdf",
            "application/pdf",
            b"%PDF-1.7 (a corrected invoice)".to_vec(),
        )?)
        .replying_to(RepliedMessage::from_email(&customer_message));
    let envelope = outbound::compose(&org, &draft, &status)?;
    let view = envelope.agent_view();
    println!("What the agent sees:");
    println!("  From:        {}", view.from());
    println!("  Reply-To:    {}", view.reply_to().map(ToString::to_string).unwrap_or_default());
    println!("  To:          {}", join(view.to()));
    println!("  Bcc:         {}", join(view.bcc()));
    println!("  Subject:     {}", view.subject().as_str());
    println!("  In-Reply-To: {}", view.in_reply_to().map(ToString::to_string).unwrap_or_default());
    let message = envelope.render(&RenderOptions::new(at(75 * MINUTE)?, "reply-0001"))?;
    println!("\nWhat is sent (the auto-BCC appears only in RCPT TO):");
    print!("{}", String::from_utf8_lossy(message.as_bytes()));
    let rcpt: Vec<&str> = envelope.smtp_recipients().map(EmailAddress::as_str).collect();
    println!("RCPT TO: {}", rcpt.join(", "));
    Ok(())
}

fn section(title: &str) {
    println!("\n== {title}");
}

fn report(what: &str, outcome: Result<(), ConfigError>) {
    match outcome {
        Ok(()) => println!("{what}: accepted (unexpected)"),
        Err(e) => println!("{what}: refused\n  code:    {}\n  message: {e}", e.code()),
    }
}

fn print_report(report: &DomainReport) {
    if let Some(zone) = report.zone() {
        println!("zone {zone}; hosts relative to it:");
    }
    for entry in report.entries() {
        println!(
            "  {:<32} {:<6} {}",
            entry.host().host(),
            entry.record().record_type(),
            entry.status()
        );
        for diagnostic in entry.diagnostics() {
            println!("    {}: {diagnostic}", diagnostic.code());
        }
    }
}

fn describe(action: &DispatchAction<'_>) -> String {
    match action {
        DispatchAction::Queue(q) => format!(
            "queue {} (priority {}, skills {:?})",
            q.route().queue(),
            q.route().priority(),
            q.route().skills().iter().map(Skill::as_str).collect::<Vec<_>>()
        ),
        other => other.to_string(),
    }
}

fn join(mailboxes: &[Mailbox]) -> String {
    mailboxes.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}
