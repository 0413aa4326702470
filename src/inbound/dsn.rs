//! Delivery status notifications (RFC 3464): which recipients a bounce reports, with their
//! action and status code, so a host can mark its agent's reply as bounced.
//!
//! The `message/delivery-status` body is a per-message block of fields, then one block per
//! recipient, blocks separated by blank lines (RFC 3464 2.1). Each field may be folded onto
//! continuation lines. Only `Final-Recipient` (or `Original-Recipient` when it is missing),
//! `Action` and `Status` are read; a block without a recipient or a known action is skipped.
//! At most [`MAX_REPORTED_RECIPIENTS`] blocks are read; the work is linear in the body.

use std::fmt;

/// The most per-recipient blocks read from one report.
pub const MAX_REPORTED_RECIPIENTS: usize = 1000;

/// What the reporting mail system did with a recipient (RFC 3464 2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum DeliveryAction {
    /// The message could not be delivered and will not be retried: a bounce.
    Failed,
    /// Delivery is delayed and still being tried.
    Delayed,
    /// Delivered.
    Delivered,
    /// Relayed to a system that sends no notifications.
    Relayed,
    /// Delivered to a list that expanded it.
    Expanded,
}

impl DeliveryAction {
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Failed => "failed",
            Self::Delayed => "delayed",
            Self::Delivered => "delivered",
            Self::Relayed => "relayed",
            Self::Expanded => "expanded",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        // RFC 3464 allows a comment after the keyword.
        let keyword = value.split('(').next().unwrap_or(value).trim();
        [
            ("failed", Self::Failed),
            ("delayed", Self::Delayed),
            ("delivered", Self::Delivered),
            ("relayed", Self::Relayed),
            ("expanded", Self::Expanded),
        ]
        .into_iter()
        .find_map(|(name, action)| keyword.eq_ignore_ascii_case(name).then_some(action))
    }
}

impl fmt::Display for DeliveryAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recipient in a delivery status notification.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReportedRecipient {
    recipient: String,
    action: DeliveryAction,
    status: Option<String>,
}

impl ReportedRecipient {
    /// The recipient's address as reported (`Final-Recipient`, without its `rfc822;` type).
    /// Reported by a remote system, so it is text, not a validated address.
    #[must_use]
    pub fn recipient(&self) -> &str {
        &self.recipient
    }

    /// What happened to the message for this recipient.
    #[must_use]
    pub fn action(&self) -> DeliveryAction {
        self.action
    }

    /// The enhanced status code (RFC 3463), such as `5.1.1`, when the report gives one in
    /// that form.
    #[must_use]
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// Whether this recipient's delivery failed for good.
    #[must_use]
    pub fn is_failed(&self) -> bool {
        self.action == DeliveryAction::Failed
    }
}

/// The longest field value kept, in bytes; longer ones are cut at a character boundary.
const MAX_FIELD_BYTES: usize = 320;

/// Reads the per-recipient blocks of a `message/delivery-status` body.
pub(crate) fn read_delivery_status(body: &[u8]) -> Vec<ReportedRecipient> {
    let text = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    let mut block = Block::default();
    let mut first_block = true;
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        if line.trim().is_empty() {
            block.take(&mut current);
            let done = std::mem::take(&mut block);
            if done.lines > 0 {
                if first_block {
                    first_block = false;
                } else {
                    out.extend(done.finish());
                }
            }
            if out.len() >= MAX_REPORTED_RECIPIENTS {
                break;
            }
            continue;
        }
        block.lines += 1;
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.as_mut()
                && value.len() < MAX_FIELD_BYTES
            {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        block.take(&mut current);
        if let Some((name, value)) = line.split_once(':') {
            current = Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    block.take(&mut current);
    if !first_block && block.lines > 0 {
        out.extend(block.finish());
    }
    out.truncate(MAX_REPORTED_RECIPIENTS);
    out
}

#[derive(Default)]
struct Block {
    lines: usize,
    final_recipient: Option<String>,
    original_recipient: Option<String>,
    action: Option<DeliveryAction>,
    status: Option<String>,
}

impl Block {
    fn take(&mut self, current: &mut Option<(String, String)>) {
        let Some((name, value)) = current.take() else { return };
        match name.as_str() {
            "final-recipient" => {
                self.final_recipient = self.final_recipient.take().or(address(&value))
            }
            "original-recipient" => {
                self.original_recipient = self.original_recipient.take().or(address(&value));
            }
            "action" => self.action = self.action.or(DeliveryAction::parse(&value)),
            "status" => self.status = self.status.take().or(status_code(&value)),
            _ => {}
        }
    }

    fn finish(self) -> Option<ReportedRecipient> {
        let recipient = self.final_recipient.or(self.original_recipient)?;
        Some(ReportedRecipient { recipient, action: self.action?, status: self.status })
    }
}

/// The address of `rfc822; user@example.com` (the type is optional in practice).
fn address(value: &str) -> Option<String> {
    let address = value.split_once(';').map_or(value, |(_, a)| a).trim();
    let address = address.trim_start_matches('<').trim_end_matches('>').trim();
    if address.is_empty() {
        return None;
    }
    let cut = (0..=address.len().min(MAX_FIELD_BYTES))
        .rev()
        .find(|&i| address.is_char_boundary(i))
        .unwrap_or(0);
    Some(address[..cut].to_owned())
}

/// An RFC 3463 status code `class.subject.detail` (class 2, 4 or 5), ignoring a comment.
fn status_code(value: &str) -> Option<String> {
    let code = value.split(|c: char| c.is_whitespace() || c == '(').next()?;
    let mut parts = code.split('.');
    let class = parts.next()?;
    let (subject, detail) = (parts.next()?, parts.next()?);
    let digits =
        |s: &str, max| !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
    (matches!(class, "2" | "4" | "5")
        && digits(subject, 3)
        && digits(detail, 3)
        && parts.next().is_none())
    .then(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const POSTFIX: &str = "Reporting-MTA: dns; mx.example.net\r\n\
        X-Postfix-Queue-ID: 4ABC123\r\n\
        Arrival-Date: Mon, 30 Nov 2026 10:00:01 +0000 (UTC)\r\n\
        \r\n\
        Final-Recipient: rfc822; jane@example.org\r\n\
        Original-Recipient: rfc822;jane@example.org\r\n\
        Action: failed\r\n\
        Status: 5.1.1\r\n\
        Remote-MTA: dns; mx.example.org\r\n\
        Diagnostic-Code: smtp; 550 5.1.1 <jane@example.org>: Recipient address rejected:\r\n    \
        User unknown in virtual mailbox table\r\n\
        \r\n\
        Final-Recipient: RFC822; <bob@example.org>\r\n\
        Action: delayed (will retry)\r\n\
        Status: 4.4.1 (connection timed out)\r\n";

    #[test]
    fn recipients_with_action_and_status() {
        let report = read_delivery_status(POSTFIX.as_bytes());
        assert_eq!(report.len(), 2);
        assert_eq!(report[0].recipient(), "jane@example.org");
        assert_eq!(report[0].action(), DeliveryAction::Failed);
        assert_eq!(report[0].status(), Some("5.1.1"));
        assert!(report[0].is_failed());
        assert_eq!(report[1].recipient(), "bob@example.org");
        assert_eq!(report[1].action(), DeliveryAction::Delayed);
        assert_eq!(report[1].status(), Some("4.4.1"));
    }

    #[test]
    fn the_per_message_block_is_not_a_recipient() {
        let only_message =
            "Reporting-MTA: dns; x\nFinal-Recipient: rfc822; a@b.com\nAction: failed\n";
        assert!(read_delivery_status(only_message.as_bytes()).is_empty());
        // Leading blank lines do not make the first block a recipient's.
        let leading = format!("\n\n{POSTFIX}");
        assert_eq!(read_delivery_status(leading.as_bytes()).len(), 2);
    }

    #[test]
    fn malformed_blocks_are_skipped() {
        let body = "Reporting-MTA: dns; x\n\nAction: failed\n\nFinal-Recipient: rfc822; a@b.com\nAction: exploded\n\nFinal-Recipient: rfc822; c@d.com\nAction: failed\nStatus: 9.9.9\n";
        let report = read_delivery_status(body.as_bytes());
        assert_eq!(report.len(), 1);
        assert_eq!((report[0].recipient(), report[0].status()), ("c@d.com", None));
        assert!(read_delivery_status(b"").is_empty());
        assert!(read_delivery_status(&[0xff, 0xfe, b'\n', b'\n']).is_empty());
    }

    #[test]
    fn at_most_the_limit_is_read() {
        let mut body = String::from("Reporting-MTA: dns; x\n");
        for i in 0..MAX_REPORTED_RECIPIENTS + 5 {
            body.push_str(&format!("\nFinal-Recipient: rfc822; u{i}@x.com\nAction: failed\n"));
        }
        assert_eq!(read_delivery_status(body.as_bytes()).len(), MAX_REPORTED_RECIPIENTS);
    }
}
