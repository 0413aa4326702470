//! The reply as a `lettre::Message` (feature `lettre`), for hosts that send with lettre's
//! transports.

use std::time::{Duration, SystemTime};

use lettre::address::Envelope as LettreEnvelope;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox as LettreMailbox, MultiPart, SinglePart};

use super::{OutboundEnvelope, OutboundError, RenderOptions};
use crate::mailbox::Mailbox;
use crate::message_id::MessageId;

#[cfg_attr(docsrs, doc(cfg(feature = "lettre")))]
impl OutboundEnvelope {
    /// The reply as a `lettre::Message` with the same header fields, bodies and attachments
    /// as [`render`](Self::render) writes, and an SMTP envelope of
    /// [`smtp_recipients`](Self::smtp_recipients) (the hidden auto-BCC included, no `Bcc`
    /// field written). lettre encodes and folds the fields itself.
    ///
    /// # Errors
    /// As [`render`](Self::render) for the token; `outbound.render_failed` when lettre
    /// refuses a value.
    pub fn to_lettre(&self, options: &RenderOptions<'_>) -> Result<lettre::Message, OutboundError> {
        let failed = |e: &dyn std::fmt::Display| OutboundError::Render { detail: e.to_string() };
        let view = &self.view;
        let message_id =
            MessageId::for_domain(options.token, &view.from.address().to_domain_name())
                .map_err(OutboundError::MessageToken)?;
        let millis = u64::try_from(options.sent_at.unix_millis()).unwrap_or(0);
        let mut builder = lettre::Message::builder()
            .from(mailbox(&view.from).map_err(|e| failed(&e))?)
            .subject(view.subject.as_str())
            .date(SystemTime::UNIX_EPOCH + Duration::from_millis(millis))
            .message_id(Some(message_id.to_string()));
        if let Some(reply_to) = &view.reply_to {
            let reply_to = reply_to.as_str().parse().map_err(|e| failed(&e))?;
            builder = builder.reply_to(LettreMailbox::new(None, reply_to));
        }
        for m in &view.to {
            builder = builder.to(mailbox(m).map_err(|e| failed(&e))?);
        }
        for m in &view.cc {
            builder = builder.cc(mailbox(m).map_err(|e| failed(&e))?);
        }
        if let Some(parent) = &view.in_reply_to {
            builder = builder.in_reply_to(parent.to_string());
        }
        if !view.references.is_empty() {
            let ids: Vec<String> = view.references.iter().map(ToString::to_string).collect();
            builder = builder.references(ids.join(" "));
        }
        if self.auto_replied {
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-replied".to_owned(),
            ));
        }
        if let Some(marker) = options.loop_marker {
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("X-Loop"),
                marker.to_owned(),
            ));
        }
        let from = view.from.address().as_str().parse().map_err(|e| failed(&e))?;
        let to = self
            .smtp_recipients()
            .map(|a| a.as_str().parse())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| failed(&e))?;
        let envelope = LettreEnvelope::new(Some(from), to).map_err(|e| failed(&e))?;
        builder = builder.envelope(envelope);

        let text =
            SinglePart::builder().header(ContentType::TEXT_PLAIN).body(view.body.text.clone());
        let readable = match &view.body.html {
            Some(html) => MultiPart::alternative().singlepart(text).singlepart(
                SinglePart::builder().header(ContentType::TEXT_HTML).body(html.clone()),
            ),
            None if view.attachments.is_empty() => {
                return builder.singlepart(text).map_err(|e| failed(&e));
            }
            None => MultiPart::mixed().singlepart(text),
        };
        if view.attachments.is_empty() {
            return builder.multipart(readable).map_err(|e| failed(&e));
        }
        let mut mixed = if view.body.html.is_some() {
            MultiPart::mixed().multipart(readable)
        } else {
            readable
        };
        for attachment in &view.attachments {
            let content_type =
                ContentType::parse(attachment.media_type()).map_err(|e| failed(&e))?;
            mixed = mixed.singlepart(
                Attachment::new(attachment.name().to_owned())
                    .body(attachment.content().to_vec(), content_type),
            );
        }
        builder.multipart(mixed).map_err(|e| failed(&e))
    }
}

fn mailbox(m: &Mailbox) -> Result<LettreMailbox, lettre::address::AddressError> {
    Ok(LettreMailbox::new(m.name().map(|n| n.as_str().to_owned()), m.address().as_str().parse()?))
}
