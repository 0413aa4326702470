//! The stored shapes of [`ProviderProfile`] and [`MailFromFormat`] (feature `serde`): read
//! back through the same builder as in code, so a stored profile is checked again.

use std::fmt;
use std::num::NonZeroU8;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::{
    DEFAULT_TTL, DkimForm, MailFromFormat, MxTarget, ProviderProfile, ProviderProfileError, SpfAll,
};
use crate::name::DomainName;
use crate::refusal::{MISSING_FIELD, Refusal, Step, UNKNOWN_FIELD};

/// A [`MailFromFormat`] as stored: the parts its SPF record is made of.
#[derive(Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "MAIL FROM records: an object with \"mx\" and \"spf_include\""
)]
pub(super) struct StoredMailFrom {
    mx: MxTarget,
    spf_include: DomainName,
    #[serde(default)]
    all: SpfAll,
}

impl From<MailFromFormat> for StoredMailFrom {
    fn from(format: MailFromFormat) -> Self {
        Self { mx: format.mx, spf_include: format.spf_include, all: format.all }
    }
}

impl From<StoredMailFrom> for MailFromFormat {
    fn from(file: StoredMailFrom) -> Self {
        // Every part is a checked value already.
        MailFromFormat::new(file.mx, file.spf_include, file.all)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
#[cfg(feature = "json")]
impl ProviderProfile {
    /// Loads a stored profile from JSON (a host's own profiles, kept beside its
    /// configuration), with nothing after the value.
    ///
    /// # Errors
    ///
    /// A [`ConfigFileError`](crate::config::ConfigFileError) with the code of the rule that refused
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
    pub fn from_json(text: &str) -> Result<Self, crate::config::ConfigFileError> {
        crate::config::load_json(text, std::marker::PhantomData::<Self>)
    }
}

/// A [`DkimForm`] as stored: `"txt_key"`, or an object whose one field names the form.
///
/// Not read as serde's externally tagged enum: serde_json reads its first key as the form and
/// then wants the object to end, so a key beside it is "expected value", a syntax error with
/// no field named. Read as an object with a field per form, a key beside it is an unknown
/// field, with its path.
pub(super) enum StoredDkimForm {
    TxtKey,
    Fields(StoredDkimFormFields),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a DKIM form: an object with \"cname\" or \"txt_key\"")]
pub(super) struct StoredDkimFormFields {
    #[serde(default)]
    cname: Option<StoredCnameFields>,
    #[serde(default)]
    txt_key: Option<StoredNoFields>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "CNAME delegations: an object with \"target_suffix\" and \"count\""
)]
struct StoredCnameFields {
    target_suffix: DomainName,
    count: NonZeroU8,
}

/// `{}`: a form that takes no values.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an empty object")]
struct StoredNoFields {}

impl<'de> Deserialize<'de> for StoredDkimForm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DkimFormVisitor)
    }
}

struct DkimFormVisitor;

impl<'de> Visitor<'de> for DkimFormVisitor {
    type Value = StoredDkimForm;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a DKIM form: \"txt_key\" or {\"cname\": {\"target_suffix\": …, \"count\": …}}")
    }

    fn visit_str<E: de::Error>(self, form: &str) -> Result<StoredDkimForm, E> {
        match form {
            "txt_key" => Ok(StoredDkimForm::TxtKey),
            other => Err(E::unknown_variant(other, &["txt_key", "cname"])),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StoredDkimForm, A::Error> {
        StoredDkimFormFields::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(StoredDkimForm::Fields)
    }
}

impl TryFrom<StoredDkimForm> for DkimForm {
    type Error = Refusal;

    fn try_from(spec: StoredDkimForm) -> Result<Self, Refusal> {
        match spec {
            StoredDkimForm::TxtKey | StoredDkimForm::Fields(StoredDkimFormFields { cname: None, txt_key: Some(_) }) => {
                Ok(DkimForm::TxtKey)
            }
            StoredDkimForm::Fields(StoredDkimFormFields { cname: Some(cname), txt_key: None }) => {
                Ok(DkimForm::Cname { target_suffix: cname.target_suffix, count: cname.count })
            }
            StoredDkimForm::Fields(StoredDkimFormFields { cname: Some(_), txt_key: Some(_) }) => Err(Refusal::shape(
                UNKNOWN_FIELD,
                "unknown field `txt_key` beside `cname`: a DKIM form is one of them".to_owned(),
                [Step::field("txt_key")],
            )),
            StoredDkimForm::Fields(StoredDkimFormFields { cname: None, txt_key: None }) => Err(Refusal::shape(
                MISSING_FIELD,
                "missing field `cname`: give {\"cname\": {\"target_suffix\": …, \"count\": …}} or \"txt_key\"".to_owned(),
                [],
            )),
        }
    }
}

/// A [`ProviderProfile`] as stored, before the builder checks it.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a provider profile: an object with \"name\", \"verification_prefix\" and \"inbound_mx\""
)]
pub(super) struct StoredProviderProfile {
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

impl TryFrom<StoredProviderProfile> for ProviderProfile {
    type Error = Refusal;

    fn try_from(file: StoredProviderProfile) -> Result<Self, Refusal> {
        let mut builder = ProviderProfile::builder(&file.name)
            .verification_txt(&file.verification_prefix)
            .inbound_mx(file.inbound_mx.preference, file.inbound_mx.exchange.as_str())
            .ttl(file.ttl);
        if let Some(form) = file.dkim {
            builder = builder.dkim(form);
        }
        if let Some(mail_from) = file.mail_from {
            builder = builder.mail_from(
                mail_from.mx.preference,
                mail_from.mx.exchange.as_str(),
                mail_from.spf_include.as_str(),
                mail_from.all,
            );
        }
        builder.build().map_err(|error| {
            // Hosts are checked domain names already: what is left is the name or the prefix.
            let field = match error {
                ProviderProfileError::Incomplete { missing: "name" } => Some("name"),
                ProviderProfileError::RecordName(_) => Some("verification_prefix"),
                _ => None,
            };
            Refusal::new(error, field.map(Step::field))
        })
    }
}
