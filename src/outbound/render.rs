//! Rendering an [`OutboundEnvelope`] to RFC 5322 bytes with `mail-builder`.
//!
//! The message is deterministic: `Date` is the time passed in, `Message-ID` is
//! `<token@from-domain>` with the host's token, and MIME boundaries are made from the token
//! (the crate draws no randomness). No `Bcc` field is written, so blind copies and the route's
//! hidden auto-BCC stay blind; the transfer agent gets every recipient from
//! [`OutboundEnvelope::smtp_recipients`].

use std::borrow::Cow;

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId as BuilderMessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::{BodyPart, MimePart};

use super::{OutboundEnvelope, OutboundError};
use crate::mailbox::{Mailbox, write_encoded_words};
use crate::message_id::MessageId;
use crate::time::Timestamp;

/// What a render needs from the host: when the message is sent, a token unique to it, and
/// optionally the platform's loop marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions<'a> {
    pub(super) sent_at: Timestamp,
    pub(super) token: &'a str,
    pub(super) loop_marker: Option<&'a str>,
}

impl<'a> RenderOptions<'a> {
    /// Renders as sent at `sent_at`, with `Message-ID: <token@from-domain>`. The token must be
    /// unique per message and a dot-atom of ASCII `atext`, at most 64 octets (see
    /// [`MessageId::for_domain`]).
    #[must_use]
    pub fn new(sent_at: Timestamp, token: &'a str) -> Self {
        Self { sent_at, token, loop_marker: None }
    }

    /// Writes `X-Loop: marker`, the platform's loop marker; received mail carrying it comes
    /// back around and is disconnected ([`InboundPolicy::with_loop_marker`](crate::inbound::InboundPolicy::with_loop_marker)).
    #[must_use]
    pub fn with_loop_marker(mut self, marker: &'a str) -> Self {
        self.loop_marker = Some(marker);
        self
    }
}

/// A rendered message: its id (for the host's conversation store) and its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct RenderedMessage {
    message_id: MessageId,
    bytes: Vec<u8>,
}

impl RenderedMessage {
    /// The message's `Message-ID`.
    #[must_use]
    pub fn message_id(&self) -> &MessageId {
        &self.message_id
    }

    /// The RFC 5322 bytes, lines ending in CRLF.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, owned.
    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

impl std::fmt::Debug for RenderedMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderedMessage")
            .field("message_id", &self.message_id)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl OutboundEnvelope {
    /// Renders the complete message: `From`, `Reply-To`, `To`, `Cc`, `Subject`, `Date`,
    /// `Message-ID`, `In-Reply-To`, `References`, `MIME-Version`, `Auto-Submitted` for an
    /// automatic reply, `X-Loop` when a marker is given, and the body: text alone, or text and
    /// HTML as `multipart/alternative`, in a `multipart/mixed` with the attachments. Header
    /// lines are folded and names that are not ASCII RFC 2047-encoded by `mail-builder`.
    ///
    /// # Errors
    /// The message id codes for a token that is not a dot-atom; `outbound.too_large` when the
    /// message comes to more than the organization's
    /// [`Limits::max_message_octets`](crate::Limits::max_message_octets) (taken when the
    /// reply was composed, and reported with the error).
    ///
    /// ```
    /// use std::collections::HashSet;
    /// use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
    /// use email_routing::*;
    /// use email_routing::outbound::{self, OutboundDraft, RenderOptions};
    /// # let root: DomainName = "mail.example.net".parse()?;
    /// # let mut org = OrgEmailConfig::new(root);
    /// # org.add_domain(Domain::custom("support.customer.com".parse()?))?;
    /// # org.add_route(AddressRoute::new("help@support.customer.com".parse()?, DisplayName::new("Customer Help")?, RoutingTarget::OutboundOnly))?;
    /// let draft = OutboundDraft::new("help@support.customer.com".parse()?)
    ///     .with_to("jane@example.org")
    ///     .with_subject("Re: invoice")
    ///     .with_text("Fixed.");
    /// let verified: HashSet<DomainName> = ["support.customer.com".parse()?].into();
    /// let envelope = outbound::compose(&org, &draft, &verified)?;
    /// let sent_at = Timestamp::from_unix_millis(1_780_000_000_000)?;
    /// let message = envelope.render(&RenderOptions::new(sent_at, "r-1"))?;
    /// assert_eq!(message.message_id().to_string(), "<r-1@support.customer.com>");
    /// let text = String::from_utf8_lossy(message.as_bytes());
    /// assert!(text.contains("Message-ID: <r-1@support.customer.com>\r\n"));
    /// assert!(text.contains("Date: Thu, 28 May 2026 20:26:40 +0000\r\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn render(&self, options: &RenderOptions<'_>) -> Result<RenderedMessage, OutboundError> {
        let view = &self.view;
        let message_id =
            MessageId::for_domain(options.token, &view.from.address().to_domain_name())
                .map_err(OutboundError::MessageToken)?;
        let mut builder = MessageBuilder::new().from(address(&view.from));
        builder = if looks_encoded(view.subject.as_str()) {
            // `mail-builder` writes ASCII as it is, and a reader would decode a word that
            // looks like an encoded word: encode the whole subject instead.
            let mut encoded = String::new();
            let _ = write_encoded_words(&mut encoded, view.subject.as_str());
            builder.header("Subject", Raw::new(encoded))
        } else {
            builder.subject(view.subject.as_str())
        };
        builder = builder
            .date(Date::new(options.sent_at.unix_millis().div_euclid(1000)))
            .message_id(message_id.as_str());
        if let Some(reply_to) = &view.reply_to {
            builder = builder.reply_to(Address::new_address(None::<&str>, reply_to.as_str()));
        }
        if !view.to.is_empty() {
            builder = builder.to(Address::new_list(view.to.iter().map(address).collect()));
        }
        if !view.cc.is_empty() {
            builder = builder.cc(Address::new_list(view.cc.iter().map(address).collect()));
        }
        if let Some(parent) = &view.in_reply_to {
            builder = builder.in_reply_to(parent.as_str());
        }
        if !view.references.is_empty() {
            builder = builder.references(BuilderMessageId::new_list(
                view.references.iter().map(MessageId::as_str),
            ));
        }
        if self.auto_replied {
            builder = builder.header("Auto-Submitted", Raw::new("auto-replied"));
        }
        if let Some(marker) = options.loop_marker {
            builder = builder.header("X-Loop", Raw::new(marker));
        }
        let boundary = Boundaries::new(options.token);
        builder = builder.body(self.body_part(&boundary));
        let bytes =
            builder.write_to_vec().map_err(|e| OutboundError::Render { detail: e.to_string() })?;
        let max = self.max_message_octets;
        if bytes.len() > max {
            return Err(OutboundError::TooLarge { size: bytes.len(), max });
        }
        Ok(RenderedMessage { message_id, bytes })
    }

    /// The MIME tree: text, or text and HTML as alternatives, then the attachments.
    fn body_part<'a>(&'a self, boundary: &Boundaries) -> MimePart<'a> {
        let view = &self.view;
        let text = MimePart::new("text/plain", BodyPart::Text(Cow::Borrowed(&view.body.text)));
        let readable = match &view.body.html {
            Some(html) => MimePart::new(
                boundary.content_type("multipart/alternative", 1),
                BodyPart::Multipart(vec![
                    text,
                    MimePart::new("text/html", BodyPart::Text(Cow::Borrowed(html))),
                ]),
            ),
            None => text,
        };
        if view.attachments.is_empty() {
            return readable;
        }
        let mut parts = Vec::with_capacity(view.attachments.len() + 1);
        parts.push(readable);
        for attachment in &view.attachments {
            parts.push(
                MimePart::new(
                    ContentType::new(attachment.media_type()),
                    BodyPart::Binary(Cow::Borrowed(attachment.content())),
                )
                .attachment(attachment.name()),
            );
        }
        MimePart::new(boundary.content_type("multipart/mixed", 0), BodyPart::Multipart(parts))
    }
}

/// Whether some word of `text` starts like an RFC 2047 encoded word.
fn looks_encoded(text: &str) -> bool {
    text.split(' ').any(|word| word.starts_with("=?"))
}

/// A mailbox as `mail-builder` writes it (it quotes names with specials and encodes names
/// that are not ASCII).
fn address(mailbox: &Mailbox) -> Address<'_> {
    Address::new_address(mailbox.name().map(|n| n.as_str()), mailbox.address().as_str())
}

/// MIME boundaries made from the message's token: deterministic, distinct per message, and
/// made of characters a boundary may hold (RFC 2046 5.1.1). `=_` cannot occur in base64 or
/// quoted-printable text, which is how `mail-builder` encodes bodies that need it.
struct Boundaries(String);

impl Boundaries {
    fn new(token: &str) -> Self {
        let safe: String = token
            .chars()
            .take(48)
            .map(|c| if c.is_ascii_alphanumeric() || "'()+_,-./:=?".contains(c) { c } else { '_' })
            .collect();
        Self(format!("=_{safe}"))
    }

    fn content_type(&self, media_type: &'static str, level: u8) -> ContentType<'static> {
        ContentType::new(media_type).attribute("boundary", format!("{}_{level}", self.0))
    }
}
