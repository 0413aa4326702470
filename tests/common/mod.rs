//! Fixtures shared by the DNS test files.

use email_routing::dns::{DkimToken, DomainSetup, ProviderProfile, VerificationToken};

/// The verification token SES issued in these tests.
pub const TOKEN: &str = "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=";

/// A full SES setup for `support.customer.com`: verification, inbound MX, 3 DKIM CNAMEs, and
/// MAIL FROM `bounce.support.customer.com` (MX and SPF).
pub fn setup() -> DomainSetup {
    DomainSetup::custom(
        "support.customer.com".parse().unwrap(),
        ProviderProfile::ses("us-east-1").unwrap(),
        VerificationToken::new(TOKEN).unwrap(),
    )
    .unwrap()
    .with_dkim_tokens(["tok1", "tok2", "tok3"].map(|t| DkimToken::new(t).unwrap()))
    .unwrap()
    .with_mail_from("bounce.support.customer.com".parse().unwrap())
    .unwrap()
}
