//! What the crate renders reads back with `mail-parser` (directly, and through
//! `InboundEmail::from_rfc5322`) to the same fields, bodies and attachments.

use std::collections::HashSet;

use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
use email_routing::config::{HistoryMode, Signature, SignatureMode};
use email_routing::inbound::{Envelope, InboundEmail};
use email_routing::outbound::{
    self, OutboundAttachment, OutboundDraft, OutboundEnvelope, RenderOptions, RepliedMessage,
};
use email_routing::*;
use mail_parser::{MessageParser, MimeHeaders};

const T0: i64 = 1_780_000_000_000;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(T0 + ms).unwrap()
}

fn org(signature: Option<Signature>, history: HistoryMode) -> OrgEmailConfig {
    let root: DomainName = "mail.example.net".parse().unwrap();
    let mut org = OrgEmailConfig::new(root);
    org.add_domain(Domain::custom("support.customer.com".parse().unwrap())).unwrap();
    org.add_route(
        AddressRoute::new(
            "help@support.customer.com".parse().unwrap(),
            DisplayName::new("Équipe d'aide").unwrap(),
            RoutingTarget::OutboundOnly,
        )
        .with_reply_to("replies@support.customer.com".parse().unwrap())
        .with_auto_bcc(["archive@customer.com".parse().unwrap()])
        .unwrap()
        .with_signature(signature)
        .with_history(history),
    )
    .unwrap();
    org
}

fn verified() -> HashSet<DomainName> {
    ["support.customer.com".parse().unwrap()].into()
}

/// A customer's message as received.
fn customer_message() -> InboundEmail {
    let raw = b"From: =?UTF-8?Q?Zo=C3=AB_Martin?= <zoe@example.org>\r\n\
        To: help@support.customer.com\r\n\
        Subject: =?UTF-8?Q?Facture_n=C2=B0_4711?=\r\n\
        Message-ID: <c-2@example.org>\r\n\
        References: <c-0@example.org> <c-1@example.org>\r\n\
        In-Reply-To: <c-1@example.org>\r\n\
        Date: Thu, 28 May 2026 21:26:40 +0000\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: multipart/alternative; boundary=\"b1\"\r\n\
        \r\n\
        --b1\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        \r\n\
        Bonjour,\r\nma facture est fausse.\r\n\
        --b1\r\n\
        Content-Type: text/html; charset=utf-8\r\n\
        \r\n\
        <html><body><p>Bonjour,</p><p>ma facture est fausse.</p></body></html>\r\n\
        --b1--\r\n";
    InboundEmail::from_rfc5322(raw, Envelope::new(), at(0))
}

fn render(env: &OutboundEnvelope, token: &str) -> Vec<u8> {
    env.render(&RenderOptions::new(at(60_000), token)).unwrap().into_bytes()
}

#[test]
fn a_rendered_reply_reads_back_to_the_same_fields() {
    let signature = Signature::new("Équipe d'aide\nAcme").unwrap();
    let org = org(Some(signature), HistoryMode::Include);
    let pdf: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let draft = OutboundDraft::new("help@support.customer.com".parse().unwrap())
        .with_to("Zoë Martin <zoe@example.org>, \"Doe, John\" <john@example.org>")
        .with_cc("Compta <compta@example.com>")
        .with_bcc("supervisor@customer.com")
        .with_subject("Re: Facture n° 4711")
        .with_text("Bonjour Zoë,\nla facture corrigée est jointe.")
        .with_html("<p>Bonjour Zoë,</p><p>la facture corrigée est jointe.</p>")
        .with_attachment(
            OutboundAttachment::new("facture-4711.pdf", "application/pdf", pdf.clone()).unwrap(),
        )
        .replying_to(RepliedMessage::from_email(&customer_message()));
    let env = outbound::compose(&org, &draft, &verified()).unwrap();
    let bytes = render(&env, "r.7f3a9c");
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("archive@") && !text.contains("supervisor@"), "a blind copy leaks");
    assert!(!text.to_ascii_lowercase().contains("\r\nbcc:"));

    let parsed = MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(parsed.message_id(), Some("r.7f3a9c@support.customer.com"));
    assert_eq!(parsed.subject(), Some("Re: Facture n° 4711"));
    assert_eq!(parsed.in_reply_to().as_text(), Some("c-2@example.org"));
    let references: Vec<&str> =
        parsed.references().as_text_list().unwrap_or_default().iter().map(|r| r.as_ref()).collect();
    assert_eq!(references, ["c-0@example.org", "c-1@example.org", "c-2@example.org"]);
    assert_eq!(parsed.date().map(|d| d.to_timestamp()), Some((T0 + 60_000) / 1000));
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(
        (from.name(), from.address()),
        (Some("Équipe d'aide"), Some("help@support.customer.com"))
    );
    // The body: text and HTML alternatives, then the attachment, byte for byte.
    let body = parsed.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(body.starts_with("Bonjour Zoë,\nla facture corrigée est jointe."), "{body}");
    assert!(body.contains("\n-- \nÉquipe d'aide\nAcme\n"), "{body}");
    assert!(body.contains("On Thu, 28 May 2026 21:26:40 +0000, Zoë Martin <zoe@example.org> wrote:\n> Bonjour,\n> ma facture est fausse."), "{body}");
    let html = parsed.body_html(0).unwrap();
    assert!(
        html.contains(
            "<blockquote type=\"cite\"><p>Bonjour,</p><p>ma facture est fausse.</p></blockquote>"
        ),
        "{html}"
    );
    assert_eq!(parsed.attachment_count(), 1);
    let attachment = parsed.attachment(0).unwrap();
    assert_eq!(attachment.attachment_name(), Some("facture-4711.pdf"));
    assert_eq!(attachment.contents(), pdf.as_slice());

    // Through the crate's own reader: the same recipients, names included.
    let back = InboundEmail::from_rfc5322(&bytes, Envelope::new(), at(60_000));
    assert_eq!(back.to(), env.agent_view().to());
    assert_eq!(back.cc(), env.agent_view().cc());
    assert_eq!(back.from(), [env.from().clone()]);
    assert_eq!(
        back.reply_to().iter().map(|m| m.address()).collect::<Vec<_>>(),
        [env.reply_to().unwrap()]
    );
    assert_eq!(back.message_id().map(MessageId::as_str), Some("r.7f3a9c@support.customer.com"));
    assert_eq!(back.attachments().len(), 1);
    assert_eq!(back.attachments()[0].size_octets(), 100_000);
    assert!(back.auto_generated().is_none());
}

#[test]
fn rendering_is_deterministic_and_the_token_makes_the_difference() {
    let org = org(None, HistoryMode::Include);
    let draft = OutboundDraft::new("help@support.customer.com".parse().unwrap())
        .with_to("zoe@example.org")
        .with_subject("Re: x")
        .with_text("hi")
        .with_attachment(OutboundAttachment::new("a.txt", "text/plain", b"a".to_vec()).unwrap());
    let env = outbound::compose(&org, &draft, &verified()).unwrap();
    assert_eq!(render(&env, "t-1"), render(&env, "t-1"));
    assert_ne!(render(&env, "t-1"), render(&env, "t-2"));
    let err = env.render(&RenderOptions::new(at(0), "two words")).unwrap_err();
    assert_eq!(err.code(), "message_id.invalid_character");
}

#[test]
fn signature_and_history_follow_the_route_and_the_agents_choice() {
    let sig = || Signature::new("Acme Support").unwrap();
    let parent = || RepliedMessage::from_email(&customer_message());
    let base = || {
        OutboundDraft::new("help@support.customer.com".parse().unwrap())
            .with_to("zoe@example.org")
            .with_subject("Re: x")
            .with_text("Answer.")
            .replying_to(parent())
    };
    let text = |org: &OrgEmailConfig, draft: OutboundDraft| {
        outbound::compose(org, &draft, &verified()).unwrap().agent_view().text().to_owned()
    };
    // Always: the agent cannot leave it out. Optional: the agent's choice, in by default.
    let always = org(Some(sig()), HistoryMode::Exclude);
    assert!(text(&always, base().with_signature(false)).contains("-- \nAcme Support"));
    let optional = org(Some(sig().with_mode(SignatureMode::Optional)), HistoryMode::Exclude);
    assert!(text(&optional, base()).contains("-- \nAcme Support"));
    assert!(!text(&optional, base().with_signature(false)).contains("Acme Support"));
    // History: exclude never quotes; optional quotes unless the agent says no; include always.
    assert!(!text(&always, base()).contains("> Bonjour"));
    let optional_history = org(None, HistoryMode::Optional);
    assert!(text(&optional_history, base()).contains("> Bonjour"));
    assert!(!text(&optional_history, base().with_history(false)).contains("> Bonjour"));
    let include = org(None, HistoryMode::Include);
    assert_eq!(text(&include, base().with_history(false)), text(&include, base()));
    // Without a message to answer there is nothing to quote, and no threading headers.
    let fresh = OutboundDraft::new("help@support.customer.com".parse().unwrap())
        .with_to("zoe@example.org")
        .with_subject("Hello")
        .with_text("Hi.");
    let env = outbound::compose(&include, &fresh, &verified()).unwrap();
    assert_eq!(env.agent_view().text(), "Hi.");
    assert!(env.agent_view().in_reply_to().is_none() && env.agent_view().references().is_empty());
    let rendered = String::from_utf8(render(&env, "t")).unwrap();
    assert!(!rendered.contains("In-Reply-To") && !rendered.contains("References"));
}

#[test]
fn an_automatic_reply_says_so_and_a_loop_marker_is_written() {
    let org = org(None, HistoryMode::Exclude);
    let draft = OutboundDraft::new("help@support.customer.com".parse().unwrap())
        .with_to("zoe@example.org")
        .with_subject("We received your message")
        .with_text("We will answer soon.")
        .auto_replied();
    let env = outbound::compose(&org, &draft, &verified()).unwrap();
    let options =
        RenderOptions::new(at(0), "ack-1").with_loop_marker("email-routing@mail.example.net");
    let bytes = env.render(&options).unwrap().into_bytes();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("Auto-Submitted: auto-replied\r\n"), "{text}");
    assert!(text.contains("X-Loop: email-routing@mail.example.net\r\n"), "{text}");
    // What comes back of it is recognised: automatic, and carrying the marker.
    let back = InboundEmail::from_rfc5322(&bytes, Envelope::new(), at(0));
    assert_eq!(back.auto_generated().map(|a| a.kind()), Some(inbound::AutoKind::AutoReply));
    assert_eq!(back.x_loop(), ["email-routing@mail.example.net"]);
}

#[test]
fn too_large_a_message_is_refused_at_render() {
    let org = org(None, HistoryMode::Exclude);
    let big = vec![0u8; Limits::default().max_message_octets()];
    let draft = OutboundDraft::new("help@support.customer.com".parse().unwrap())
        .with_to("zoe@example.org")
        .with_subject("Big")
        .with_attachment(
            OutboundAttachment::new("big.bin", "application/octet-stream", big).unwrap(),
        );
    let env = outbound::compose(&org, &draft, &verified()).unwrap();
    let err = env.render(&RenderOptions::new(at(0), "big")).unwrap_err();
    assert_eq!(err.code(), "outbound.too_large");
    assert!(OutboundAttachment::new("../etc/passwd", "text/plain", vec![]).is_err());
    assert!(OutboundAttachment::new("a.txt", "text", vec![]).is_err());
}
