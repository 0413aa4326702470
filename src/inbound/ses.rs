//! Reading an Amazon SES receipt notification (feature `json`).
//!
//! SES hands a receipt rule's message to the host in three wrappings, all accepted:
//! the bare notification (`{"notificationType": "Received", "receipt": ..., "mail": ...}`),
//! the same inside an SNS envelope whose `Message` is the notification as a JSON string, and a
//! Lambda event (`{"Records": [{"eventSource": "aws:ses", "ses": {"receipt", "mail"}}]}`).
//! The notification is outside data: fields SES adds later are ignored, and only what routing
//! needs is read:
//!
//! - `receipt.recipients` (the envelope recipients the rule received for) and `mail.source`
//!   (the reverse path) make the [`Envelope`];
//! - `spamVerdict`, `virusVerdict`, `spfVerdict`, `dkimVerdict`, `dmarcVerdict` and
//!   `dmarcPolicy` make the [`Verdicts`];
//! - `content` (the SNS action with its raw message), when present, is read as the raw
//!   message (`action.encoding` `BASE64` or `UTF8`); otherwise `mail.headers` are read field by
//!   field, and `mail.headersTruncated` is kept.

use serde::Deserialize;

use super::message::InboundEmail;
use super::{Envelope, ReadError, SourceFormat, Verdict, Verdicts};
use crate::time::Timestamp;

/// The largest notification read, in bytes: SES's own message limit (40 MB) as base64 with
/// room for the JSON around it.
pub const MAX_SES_NOTIFICATION_BYTES: usize = 64 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    receipt: Receipt,
    mail: Mail,
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Receipt {
    recipients: Vec<String>,
    spam_verdict: Option<Status>,
    virus_verdict: Option<Status>,
    spf_verdict: Option<Status>,
    dkim_verdict: Option<Status>,
    dmarc_verdict: Option<Status>,
    dmarc_policy: Option<String>,
    action: Option<Action>,
}

#[derive(Deserialize)]
struct Status {
    status: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Action {
    encoding: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Mail {
    source: Option<String>,
    destination: Vec<String>,
    headers_truncated: bool,
    headers: Vec<Header>,
}

#[derive(Deserialize)]
struct Header {
    name: String,
    value: String,
}

#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
impl InboundEmail {
    /// Reads an SES receipt notification: bare, in an SNS envelope, or as a Lambda event (the
    /// first record). `receipt.recipients` and `mail.source` make the envelope; the five
    /// verdicts and `dmarcPolicy` the [`Verdicts`]; `content` (the SNS action's raw message,
    /// `UTF8` or `BASE64`) is read as the raw message, else `mail.headers` field by field;
    /// `mail.headersTruncated` is kept.
    ///
    /// # Errors
    /// `inbound.ses_invalid` when the text is not JSON of one of those shapes, is larger than
    /// [`MAX_SES_NOTIFICATION_BYTES`], or its `content` is not valid base64.
    ///
    /// ```
    /// use email_routing::Timestamp;
    /// use email_routing::inbound::{InboundEmail, Verdict};
    /// let json = r#"{"notificationType": "Received",
    ///   "receipt": {"recipients": ["help@support.customer.com"],
    ///               "spamVerdict": {"status": "PASS"}, "virusVerdict": {"status": "GRAY"},
    ///               "dmarcVerdict": {"status": "FAIL"}, "dmarcPolicy": "reject"},
    ///   "mail": {"source": "jane@example.org", "headersTruncated": false,
    ///            "headers": [{"name": "Subject", "value": "Invoice"},
    ///                        {"name": "Auto-Submitted", "value": "auto-replied"}]}}"#;
    /// let email = InboundEmail::from_ses(json, Timestamp::from_unix_millis(1_780_000_000_000)?)?;
    /// assert_eq!(email.verdicts().virus, Verdict::Gray);
    /// assert_eq!(email.subject(), Some("Invoice"));
    /// assert!(email.auto_generated().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_ses(json: &str, received_at: Timestamp) -> Result<Self, ReadError> {
        let invalid = |detail: String| ReadError::SesInvalid { detail };
        if json.len() > MAX_SES_NOTIFICATION_BYTES {
            return Err(invalid(format!(
                "{} bytes; the limit is {MAX_SES_NOTIFICATION_BYTES}",
                json.len()
            )));
        }
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| invalid(e.to_string()))?;
        let notification = unwrap_notification(value).map_err(invalid)?;
        let receipt = notification.receipt;
        let mail = notification.mail;
        let mut envelope = Envelope::new();
        if let Some(source) = &mail.source {
            envelope = envelope.with_mail_from(source);
        }
        let recipients =
            if receipt.recipients.is_empty() { mail.destination } else { receipt.recipients };
        for recipient in recipients {
            envelope = envelope.with_recipient(recipient);
        }
        let mut email = match &notification.content {
            Some(content) => {
                let base64 = receipt
                    .action
                    .as_ref()
                    .and_then(|a| a.encoding.as_deref())
                    .is_some_and(|e| e.eq_ignore_ascii_case("base64"));
                let raw = if base64 {
                    let compact: Vec<u8> =
                        content.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
                    mail_parser::decoders::base64::base64_decode(&compact)
                        .ok_or_else(|| invalid("its content is not valid base64".to_owned()))?
                } else {
                    content.as_bytes().to_vec()
                };
                InboundEmail::from_rfc5322(&raw, envelope, received_at)
            }
            None => {
                let mut email = InboundEmail::new(received_at);
                email.set_envelope(envelope);
                for header in &mail.headers {
                    email.read_field(&header.name, &header.value);
                }
                email
            }
        };
        email.set_format(SourceFormat::Ses);
        email.set_headers_truncated(mail.headers_truncated);
        let status = |s: &Option<Status>| {
            s.as_ref().and_then(|s| Verdict::from_ses(&s.status)).unwrap_or_default()
        };
        let verdicts = Verdicts {
            spam: status(&receipt.spam_verdict),
            virus: status(&receipt.virus_verdict),
            spf: status(&receipt.spf_verdict),
            dkim: status(&receipt.dkim_verdict),
            dmarc: status(&receipt.dmarc_verdict),
            dmarc_policy: receipt.dmarc_policy.as_deref().and_then(super::DmarcPolicy::parse),
        };
        Ok(email.with_verdicts(verdicts))
    }
}

/// The notification inside whichever wrapping it came in.
fn unwrap_notification(value: serde_json::Value) -> Result<Notification, String> {
    let value = if let Some(records) = value.get("Records") {
        let first =
            records.as_array().and_then(|r| r.first()).ok_or("a Lambda event without records")?;
        first.get("ses").cloned().ok_or("a Lambda record without \"ses\"")?
    } else if let Some(message) = value.get("Message").and_then(|m| m.as_str()) {
        serde_json::from_str(message).map_err(|e| format!("the SNS Message is not JSON: {e}"))?
    } else {
        value
    };
    if value.get("receipt").is_none() || value.get("mail").is_none() {
        return Err("no \"receipt\" and \"mail\": not a receipt notification".to_owned());
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}
