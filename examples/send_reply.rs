//! Turns a reply into a `lettre::Message` (feature `lettre`) and prints it beside the crate's own
//! rendering, the way a host would hand the reply to lettre's transports.
//!
//! Run with `cargo run --features lettre --example send_reply`.

use std::collections::HashSet;

use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
use email_routing::outbound::{self, OutboundDraft, RenderOptions};
use email_routing::*;

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

    let draft = OutboundDraft::new(help)
        .with_to("Jane Doe <jane@example.org>")
        .with_cc("\"Doe, John\" <john@example.org>")
        .with_subject("Re: your order #1234")
        .with_text("Thanks for writing to us.");
    let envelope = outbound::compose(&org, &draft, &verified)?;
    let options = RenderOptions::new(Timestamp::from_unix_millis(1_780_000_000_000)?, "reply-1234");

    println!("== What the agent sees\n{:#?}\n", envelope.agent_view());
    println!(
        "== The crate's rendering\n{}",
        String::from_utf8_lossy(envelope.render(&options)?.as_bytes())
    );

    let message = envelope.to_lettre(&options)?;
    println!("== As lettre formats it (no Bcc field; the auto-BCC only in the envelope)");
    println!("{}", String::from_utf8_lossy(&message.formatted()));
    let rcpt: Vec<String> = message.envelope().to().iter().map(ToString::to_string).collect();
    println!("== RCPT TO: {}", rcpt.join(", "));
    Ok(())
}
