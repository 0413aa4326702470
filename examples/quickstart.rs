//! The whole journey on the embedded in-memory defaults: configure an organization's email,
//! publish and verify its DNS records, read and dispatch received mail, thread it into
//! conversations, distribute it to agents, send the reply, and route the customer's answer back
//! to the agent who wrote it.
//!
//! Run with `cargo run --example quickstart`.

use std::time::Duration;

use email_routing::acd::{AcdQueue, Agent, Requirements};
use email_routing::config::{
    AddressRoute, ConfigError, OrgEmailConfig, QueueRoute, RoutingTarget, SpamPolicy,
};
use email_routing::conversation::{
    self, Acknowledgement, InMemoryConversations, Threading, ThreadingPolicy,
};
use email_routing::dns::DomainStatus;
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
        .with_spam_policy(SpamPolicy::RouteToFlow { flow: FlowId::new("spam-review")? })
        .with_acknowledgement(true),
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
    let mut conversations = InMemoryConversations::new(100_000);
    let threading_policy = ThreadingPolicy::default(); // 30 days
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
    let customer_message = InboundEmail::from_rfc5322(customer, envelope(), at(60 * MINUTE)?);
    let arrivals = [
        ("mail-clean", customer_message.clone()),
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
    let mut conversation_of_clean = None;
    for (id, email) in arrivals {
        let dispatch = inbound::dispatch(&org, &email, &policy, &mut guard);
        println!("{id:<10} -> {} ({})", describe(dispatch.action()), dispatch.reason());
        let (DispatchAction::Queue(q), Some(matched)) = (dispatch.action(), dispatch.matched())
        else {
            continue;
        };
        support_queue.enqueue_dispatch(q, id.to_owned())?;
        // A new conversation, whose id the host gives; then its one acknowledgement.
        let now = email.received_at();
        let threading = conversation::thread(&conversations, &email, &threading_policy, now);
        let conversation_id = ConversationId::new("conv-0001")?;
        let conv = conversation::record_received(
            &mut conversations,
            &email,
            &threading,
            conversation_id,
            now,
        );
        println!("           conversation {conv} ({})", describe_threading(&threading));
        let state = conversations.conversation(&conv);
        match conversation::acknowledgement(&email, matched.route(), state, &org, &guard, now) {
            Acknowledgement::Send(plan) => {
                let ack = OutboundDraft::new(help.clone())
                    .with_to(plan.to().to_string())
                    .with_subject("We received your message: Invoice 4711")
                    .with_text("Thank you for writing to us; an agent will answer soon.")
                    .with_history(false)
                    .replying_to(RepliedMessage::from_email(&email))
                    .auto_replied();
                let rendered = outbound::compose(&org, &ack, &status)?
                    .render(&RenderOptions::new(now, "ack-0001"))?;
                let id = rendered.message_id().clone();
                if conversation::record_acknowledgement(&mut conversations, &email, id, &conv, now)
                {
                    println!(
                        "           acknowledgement {} to {}",
                        rendered.message_id(),
                        plan.to()
                    );
                }
            }
            Acknowledgement::Skip(reason) => {
                println!("           no acknowledgement ({})", reason.code())
            }
            other => println!("           {other:?}"),
        }
        conversation_of_clean = Some(conv);
    }
    let conv = conversation_of_clean.ok_or("the customer's message opened a conversation")?;

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
        support_queue.next_for(&trainee, now).map(|i| i.into_id())
    );
    let skilled = || -> Result<Agent, Box<dyn std::error::Error>> {
        Ok(Agent::new([Skill::new("Billing")?, Skill::new("email")?], [Language::new("en-US")?]))
    };
    let agent_7 = skilled()?.with_id(AgentId::new("agent-7")?);
    let agent_9 = skilled()?.with_id(AgentId::new("agent-9")?);
    for agent in [&agent_7, &agent_7, &agent_9] {
        let taken = support_queue.next_for(agent, now).ok_or("an interaction waits")?;
        println!(
            "{} (Billing, email, en-US) gets: {}",
            agent.id().map_or("?", AgentId::as_str),
            taken.id()
        );
    }

    section("8. agent-7's reply");
    let draft = OutboundDraft::new(help.clone())
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
    let envelope_out = outbound::compose(&org, &draft, &status)?;
    let view = envelope_out.agent_view();
    println!("What the agent sees:");
    println!("  From:        {}", view.from());
    println!("  Reply-To:    {}", view.reply_to().map(ToString::to_string).unwrap_or_default());
    println!("  To:          {}", join(view.to()));
    println!("  Bcc:         {}", join(view.bcc()));
    println!("  Subject:     {}", view.subject().as_str());
    println!("  In-Reply-To: {}", view.in_reply_to().map(ToString::to_string).unwrap_or_default());
    let sent_at = at(75 * MINUTE)?;
    let message = envelope_out.render(&RenderOptions::new(sent_at, "reply-0001"))?;
    conversation::record_sent(
        &mut conversations,
        message.message_id().clone(),
        &conv,
        agent_7.id().ok_or("agent-7 has an id")?,
        "Re: Invoice 4711",
        sent_at,
    );
    println!("\nWhat is sent (the auto-BCC appears only in RCPT TO):");
    print!("{}", String::from_utf8_lossy(message.as_bytes()));
    let rcpt: Vec<&str> = envelope_out.smtp_recipients().map(EmailAddress::as_str).collect();
    println!("RCPT TO: {}", rcpt.join(", "));

    section("9. Jane answers: back to agent-7 first, to anyone after a minute");
    let answer = |n: u32, minute: i64| -> Result<InboundEmail, Box<dyn std::error::Error>> {
        let raw = format!(
            "From: Jane Doe <jane@example.org>\r\nTo: Customer Help <help@support.customer.com>\r\n\
             Subject: RE: Invoice 4711\r\nMessage-ID: <c-{n}@example.org>\r\n\
             In-Reply-To: <reply-0001@support.customer.com>\r\n\
             References: <c-1@example.org> <reply-0001@support.customer.com>\r\n\r\n\
             Thank you! One more question.\r\n"
        );
        Ok(InboundEmail::from_rfc5322(raw.as_bytes(), envelope(), at(minute * MINUTE)?))
    };
    for (n, minute, asking) in
        [(2, 90, [(&agent_9, 0), (&agent_7, 0)]), (3, 100, [(&agent_9, 0), (&agent_9, 60)])]
    {
        let email = answer(n, minute)?;
        let now = email.received_at();
        let dispatch = inbound::dispatch(&org, &email, &policy, &mut guard);
        let DispatchAction::Queue(q) = dispatch.action() else { return Err("routed".into()) };
        let threading = conversation::thread(&conversations, &email, &threading_policy, now);
        let continued = threading.continued().ok_or("the answer continues the conversation")?;
        let last_agent = continued.last_agent().ok_or("agent-7 handled it")?.clone();
        println!(
            "c-{n} at minute {minute}: {} (last agent {last_agent})",
            describe_threading(&threading)
        );
        // For one minute only the last agent may take it; then the route's requirements apply.
        let requirements = Requirements::of_route(q.route())
            .with_preferred_agents([last_agent], Duration::from_secs(60))?;
        support_queue.enqueue_dispatch_with(q, format!("c-{n}"), &requirements)?;
        conversation::record_received(&mut conversations, &email, &threading, conv.clone(), now);
        for (agent, after_s) in asking {
            let when = now.plus_millis(after_s * 1000);
            let got = support_queue.next_for(agent, when).map(|t| t.into_id());
            let name = agent.id().map_or("?", AgentId::as_str);
            println!("  {name} asks at +{after_s:>2} s: {got:?}");
        }
    }

    section("10. An out-of-office answer: not routed, never acknowledged");
    let ooo = InboundEmail::from_rfc5322(out_of_office, envelope(), at(110 * MINUTE)?);
    let dispatch = inbound::dispatch(&org, &ooo, &policy, &mut guard);
    println!("{} ({})", describe(dispatch.action()), dispatch.reason());
    let route = org.route_for(&help).ok_or("help@ is configured")?;
    // Never, whether or not its conversation was acknowledged already.
    for state in [conversations.conversation(&conv), None] {
        let decision =
            conversation::acknowledgement(&ooo, route, state, &org, &guard, ooo.received_at());
        println!(
            "acknowledgement: {}",
            decision.skip_reason().map_or("would be sent (unexpected)", |r| r.code())
        );
    }
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

fn describe_threading(threading: &Threading) -> String {
    match threading {
        Threading::Continues { via, .. } => format!("continues, matched by {via:?}"),
        Threading::Starts { reason } => format!("starts ({})", reason.as_str()),
        other => format!("{other:?}"),
    }
}

fn join(mailboxes: &[Mailbox]) -> String {
    mailboxes.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}
