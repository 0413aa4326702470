//! The stored shapes of [`ProviderProfile`] and [`MailFromFormat`] (feature `serde`): read
//! back through the same builder as in code, so a stored profile is checked again.

use serde::{Deserialize, Serialize};

use super::{
    DEFAULT_TTL, DkimForm, DnsSetupError, MailFromFormat, MxTarget, ProviderProfile, SpfAll,
};
use crate::name::DomainName;

/// A [`MailFromFormat`] as stored: the parts its SPF record is made of.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MailFromFile {
    mx: MxTarget,
    spf_include: DomainName,
    #[serde(default)]
    all: SpfAll,
}

impl From<MailFromFormat> for MailFromFile {
    fn from(format: MailFromFormat) -> Self {
        Self { mx: format.mx, spf_include: format.spf_include, all: format.all }
    }
}

impl From<MailFromFile> for MailFromFormat {
    fn from(file: MailFromFile) -> Self {
        // Every part is a checked value already.
        MailFromFormat::new(file.mx, file.spf_include, file.all)
    }
}

/// A [`ProviderProfile`] as stored, before the builder checks it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProviderProfileFile {
    name: String,
    verification_prefix: String,
    inbound_mx: MxTarget,
    #[serde(default)]
    dkim: Option<DkimForm>,
    #[serde(default)]
    mail_from: Option<MailFromFormat>,
    #[serde(default = "default_ttl")]
    ttl: u32,
}

fn default_ttl() -> u32 {
    DEFAULT_TTL
}

impl TryFrom<ProviderProfileFile> for ProviderProfile {
    type Error = DnsSetupError;

    fn try_from(file: ProviderProfileFile) -> Result<Self, Self::Error> {
        let mut builder = ProviderProfile::builder(&file.name)
            .verification_txt(&file.verification_prefix)
            .inbound_mx(file.inbound_mx.preference, file.inbound_mx.host.as_str())
            .ttl(file.ttl);
        if let Some(form) = file.dkim {
            builder = builder.dkim(form);
        }
        if let Some(mail_from) = file.mail_from {
            builder = builder.mail_from(
                mail_from.mx.preference,
                mail_from.mx.host.as_str(),
                mail_from.spf_include.as_str(),
                mail_from.all,
            );
        }
        builder.build()
    }
}
