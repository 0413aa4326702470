//! Fixtures shared by the DNS test files, beyond the crate's own (`email_routing::testing`:
//! `ses_setup`, `SES_TOKEN`).

// Not every test file uses every fixture.
#![allow(dead_code)]

use email_routing::dns::{DkimForm, ProviderProfile, SpfAll};

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
