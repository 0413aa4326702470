//! The main job on the embedded in-memory defaults: configure an organization's email, print
//! it, and show the changes the rules refuse.
//!
//! Run with `cargo run --example quickstart`.

use email_routing::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("== 1. Configure the organization");
    let root: DomainName = "mail.example.net".parse()?;
    let mut org = OrgEmailConfig::new(root.clone());
    org.add_domain(Domain::hosted("acme", &root)?)?;
    org.add_domain(Domain::custom("support.customer.com".parse()?))?;

    let help: EmailAddress = "help@support.customer.com".parse()?;
    let queue = QueueRoute::new(QueueId::new("support")?)
        .with_skills([Skill::new("billing")?, Skill::new("email")?])?
        .with_language(Language::new("en")?)
        .with_priority(Priority::new(10)?);
    org.add_route(
        AddressRoute::new(
            help.clone(),
            DisplayName::new("Customer Help")?,
            RoutingTarget::Queue(queue),
        )
        .with_reply_to("replies@support.customer.com".parse()?)
        .with_auto_bcc(["archive@customer.com".parse()?])?
        .with_spam_policy(SpamPolicy::RouteToFlow { flow: FlowId::new("spam-review")? }),
    )?;
    println!("{}", serde_json::to_string_pretty(&org)?);

    println!("\n== 2. Changes the rules refuse");
    let third = org.add_domain(Domain::custom("other.example.com".parse()?));
    report("a third domain", third.map(|_| ()));

    let six: Vec<EmailAddress> =
        (1..=6).map(|i| format!("audit{i}@customer.com").parse()).collect::<Result<_, _>>()?;
    let route = org.route_for(&help).ok_or("help@ is configured")?.clone();
    report("a 6th auto-BCC", route.with_auto_bcc(six).map(|_| ()));

    let sales: EmailAddress = "sales@support.customer.com".parse()?;
    let unknown_from =
        AddressRoute::new(sales, DisplayName::new("Sales")?, RoutingTarget::OutboundOnly)
            .with_from_address("nobody@support.customer.com".parse()?);
    report("a from address that is not configured", org.add_route(unknown_from));
    Ok(())
}

fn report(what: &str, outcome: Result<(), ConfigError>) {
    match outcome {
        Ok(()) => println!("{what}: accepted (unexpected)"),
        Err(e) => println!("{what}: refused\n  code:    {}\n  message: {e}", e.code()),
    }
}
