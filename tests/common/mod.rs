//! Fixtures shared by the DNS test files.

// Not every test file uses every fixture.
#![allow(dead_code)]

use email_routing::dns::{
    DkimForm, DkimToken, DomainSetup, ProviderProfile, SpfAll, VerificationToken,
};

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

/// A provider whose customers bring their own DKIM keys (TXT), with MAIL FROM (`-all`) and a
/// 300 s TTL; names given in mixed case, as an admin might type them.
pub fn own_keys_profile() -> ProviderProfile {
    ProviderProfile::builder("Own keys")
        .verification_txt("_Mail-Verify")
        .inbound_mx(5, "MX1.mail.example.net")
        .dkim(DkimForm::TxtKey)
        .mail_from(10, "bounces.mail.example.net", "spf.mail.example.net", SpfAll::Fail)
        .ttl(300)
        .build()
        .unwrap()
}
