//! Turns an `OutboundEnvelope` into a `lettre::Message` and prints it, the way a host would hand
//! the reply to its mail transfer agent.
//!
//! Run with `cargo run --example send_reply`.

use std::collections::HashSet;

use email_routing::*;
use lettre::message::{Mailbox as LettreMailbox, header::ContentType};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root: DomainName = "mail.example.net".parse()?;
    let mut org = OrgEmailConfig::new(root.clone());
    org.add_domain(Domain::custom("support.customer.com".parse()?))?;
    let help: EmailAddress = "help@support.customer.com".parse()?;
    org.add_route(
        AddressRoute::new(
            help.clone(),
            DisplayName::new("Équipe Support")?,
            RoutingTarget::OutboundOnly,
        )
        .with_reply_to("replies@support.customer.com".parse()?)
        .with_auto_bcc(["archive@customer.com".parse()?])?,
    )?;
    let verified: HashSet<DomainName> = ["support.customer.com".parse()?].into();

    let draft = OutboundDraft::reply_on(help)
        .to("Jane Doe <jane@example.org>")
        .cc("\"Doe, John\" <john@example.org>")
        .subject("Re: your order #1234");
    let envelope = org.compose(&draft, &verified)?;

    println!("== What the agent sees\n{:#?}\n", envelope.agent_view());
    println!("== Our header block\n{}", envelope.header_block());

    let message = to_lettre(&envelope)?;
    println!("== As lettre formats it (Bcc stripped, auto-BCC only in the envelope)");
    println!("{}", String::from_utf8_lossy(&message.formatted()));
    let rcpt: Vec<String> = message.envelope().to().iter().map(ToString::to_string).collect();
    println!("== RCPT TO: {}", rcpt.join(", "));
    Ok(())
}

/// Builds the lettre message. lettre encodes names itself, so plain names and addresses are
/// handed over rather than our already-encoded header values.
fn to_lettre(envelope: &OutboundEnvelope) -> Result<lettre::Message, Box<dyn std::error::Error>> {
    let convert = |m: &Mailbox| -> Result<LettreMailbox, lettre::address::AddressError> {
        Ok(LettreMailbox::new(
            m.name().map(|n| n.as_str().to_owned()),
            m.address().as_str().parse()?,
        ))
    };
    let view = envelope.agent_view();
    let mut builder =
        lettre::Message::builder().from(convert(envelope.from())?).subject(view.subject().as_str());
    if let Some(reply_to) = envelope.reply_to() {
        builder = builder.reply_to(LettreMailbox::new(None, reply_to.as_str().parse()?));
    }
    for m in view.to() {
        builder = builder.to(convert(m)?);
    }
    for m in view.cc() {
        builder = builder.cc(convert(m)?);
    }
    // Every envelope recipient not already in To or Cc goes in as Bcc, which lettre keeps
    // in the SMTP envelope and drops from the headers: the agent's Bcc and the hidden auto-BCC.
    let visible: HashSet<&EmailAddress> =
        view.to().iter().chain(view.cc()).map(Mailbox::address).collect();
    for address in envelope.smtp_recipients().filter(|a| !visible.contains(a)) {
        builder = builder.bcc(LettreMailbox::new(None, address.as_str().parse()?));
    }
    Ok(builder.header(ContentType::TEXT_PLAIN).body(String::from("Thanks for writing to us."))?)
}
