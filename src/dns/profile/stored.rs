//! The stored shapes of [`ProviderProfile`] and [`MailFromFormat`] (feature `serde`): read
//! back through the same builder as in code, so a stored profile is checked again.

use serde::{Deserialize, Serialize};

use super::{
    DEFAULT_TTL, DkimForm, DnsSetupError, MailFromFormat, MxTarget, ProviderProfile, SpfAll,
};
use crate::name::DomainName;
use crate::refusal::{Refusal, Step};

/// A [`MailFromFormat`] as stored: the parts its SPF record is made of.
#[derive(Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "MAIL FROM records: an object with \"mx\" and \"spf_include\""
)]
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

#[cfg(feature = "json")]
impl ProviderProfile {
    /// Loads a stored profile from JSON (a host's own profiles, kept beside its
    /// configuration), with nothing after the value.
    ///
    /// # Errors
    ///
    /// A [`ConfigFileError`](crate::ConfigFileError) with the code of the rule that refused
    /// the profile (`dns.record_name_invalid`, `domain.invalid`, …) or a `config_file.*` code
    /// for what is not the format, the path of the offending item, its line and column, and a
    /// message in the terms of the file.
    ///
    /// ```
    /// use email_routing::dns::ProviderProfile;
    ///
    /// let ses = ProviderProfile::ses("us-east-1")?;
    /// let stored = serde_json::to_string(&ses)?;
    /// assert_eq!(ProviderProfile::from_json(&stored)?, ses);
    /// let err = ProviderProfile::from_json(&stored.replace("\"ttl\"", "\"tll\"")).unwrap_err();
    /// assert_eq!((err.code(), err.path()), ("config_file.unknown_field", "tll"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Self, crate::ConfigFileError> {
        crate::config::load_json(text, std::marker::PhantomData::<Self>)
    }
}

/// A [`ProviderProfile`] as stored, before the builder checks it.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a provider profile: an object with \"name\", \"verification_prefix\" and \"inbound_mx\""
)]
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
    type Error = Refusal;

    fn try_from(file: ProviderProfileFile) -> Result<Self, Refusal> {
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
        builder.build().map_err(|error| {
            // Hosts are checked domain names already: what is left is the name or the prefix.
            let field = match error {
                DnsSetupError::ProfileIncomplete { missing: "name" } => Some("name"),
                DnsSetupError::RecordNameInvalid { .. }
                | DnsSetupError::RecordNameTooLong { .. } => Some("verification_prefix"),
                _ => None,
            };
            Refusal::new(error, field.map(Step::field))
        })
    }
}
