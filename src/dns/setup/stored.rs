//! The stored shape of a [`DomainSetup`] (feature `serde`).
//!
//! A host keeps a custom domain's setup for as long as it checks the domain's DNS: through
//! the 72 hours of verification, then for the life of the domain. The setup is stored as the
//! values it was made from and read back through the same constructor and `with_*` methods,
//! so every rule is checked again. The provider's formats (the MX host, the DKIM target, the
//! SPF include) are the host's to decide, like its hosted root: the stored profile only names
//! one of the host's profiles, whose values are used, so a file cannot point the records
//! elsewhere.

use serde::de::{DeserializeSeed, Deserializer, Error as _};
use serde::{Deserialize, Serialize};

use super::{Dkim, DomainSetup};
use crate::dns::{DkimKey, DkimToken, DnsSetupError, ProviderProfile, VerificationToken};
use crate::domain::Domain;
use crate::name::DomainName;
use crate::refusal::{Refusal, Step};

/// What a setup is stored as; `DomainSetup`'s `Serialize` writes it from borrowed parts.
#[derive(Serialize)]
struct DomainSetupView<'a> {
    domain: &'a DomainName,
    #[serde(skip_serializing_if = "is_false")]
    hosted: bool,
    profile: &'a ProviderProfile,
    #[serde(skip_serializing_if = "Option::is_none")]
    verification_token: Option<&'a VerificationToken>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dkim_tokens: Option<&'a [DkimToken]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dkim_keys: Option<&'a [DkimKey]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mail_from: Option<&'a DomainName>,
    inbound_mx: bool,
}

fn is_false(value: &bool) -> bool {
    !value
}

fn yes() -> bool {
    true
}

/// A stored setup before it is checked.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a DNS setup: an object with \"domain\", \"profile\" and \"verification_token\""
)]
struct StoredDomainSetup {
    domain: DomainName,
    #[serde(default)]
    hosted: bool,
    profile: ProviderProfile,
    #[serde(default)]
    verification_token: Option<VerificationToken>,
    #[serde(default)]
    dkim_tokens: Option<Vec<DkimToken>>,
    #[serde(default)]
    dkim_keys: Option<Vec<DkimKey>>,
    #[serde(default)]
    mail_from: Option<DomainName>,
    #[serde(default = "yes")]
    inbound_mx: bool,
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for DomainSetup {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (dkim_tokens, dkim_keys) = match &self.dkim {
            Dkim::None => (None, None),
            Dkim::Tokens(tokens) => (Some(tokens.as_slice()), None),
            Dkim::Keys(keys) => (None, Some(keys.as_slice())),
        };
        DomainSetupView {
            domain: self.domain.name(),
            hosted: self.is_hosted(),
            profile: &self.profile,
            verification_token: self.token.as_ref(),
            dkim_tokens,
            dkim_keys,
            mail_from: self.mail_from.as_ref(),
            inbound_mx: self.inbound_mx,
        }
        .serialize(serializer)
    }
}

/// Reads a stored [`DomainSetup`] for a host that offers `profiles`; made by
/// [`DomainSetup::deserialize_for`].
#[derive(Debug, Clone, Copy)]
pub struct DomainSetupSeed<'a> {
    profiles: &'a [ProviderProfile],
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl DomainSetup {
    /// A [`DeserializeSeed`] that reads a stored setup for a host offering `profiles`. The
    /// stored profile names one of them (`dns.profile_not_offered` otherwise) and that
    /// profile's values are used, not the file's; every rule is checked again.
    ///
    /// ```
    /// use email_routing::dns::{DomainSetup, ProviderProfile, VerificationToken};
    /// use serde::de::DeserializeSeed;
    ///
    /// let ses = ProviderProfile::ses("us-east-1")?;
    /// let setup = DomainSetup::custom(
    ///     "support.customer.com".parse().unwrap(),
    ///     ses.clone(),
    ///     VerificationToken::new("pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=")?,
    /// )?;
    /// let stored = serde_json::to_string(&setup).unwrap();
    /// let offered = [ses];
    /// let read = DomainSetup::deserialize_for(&offered)
    ///     .deserialize(&mut serde_json::Deserializer::from_str(&stored))
    ///     .unwrap();
    /// assert_eq!(read, setup);
    ///
    /// // A file cannot send the admin's MX records elsewhere.
    /// let forged = stored.replace("inbound-smtp.us-east-1.amazonaws.com", "mx.attacker.net");
    /// let read = DomainSetup::deserialize_for(&offered)
    ///     .deserialize(&mut serde_json::Deserializer::from_str(&forged))
    ///     .unwrap();
    /// assert_eq!(read, setup);
    /// # Ok::<(), email_routing::dns::DnsSetupError>(())
    /// ```
    #[must_use]
    pub fn deserialize_for(profiles: &[ProviderProfile]) -> DomainSetupSeed<'_> {
        DomainSetupSeed { profiles }
    }
}

impl<'de> DeserializeSeed<'de> for DomainSetupSeed<'_> {
    type Value = DomainSetup;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<DomainSetup, D::Error> {
        let file = StoredDomainSetup::deserialize(deserializer)?;
        let profile = self
            .profiles
            .iter()
            .find(|offered| offered.name() == file.profile.name())
            .ok_or_else(|| {
                let error =
                    DnsSetupError::ProfileNotOffered { profile: file.profile.name().to_owned() };
                D::Error::custom(Refusal::new(error, ["profile", "name"].map(Step::field)))
            })?
            .clone();
        DomainSetup::from_file(file, profile).map_err(D::Error::custom)
    }
}

impl DomainSetup {
    /// Makes the stored setup again with the host's `profile`. A refusal names the field it
    /// is about.
    fn from_file(file: StoredDomainSetup, profile: ProviderProfile) -> Result<Self, Refusal> {
        fn at(field: &'static str) -> impl Fn(DnsSetupError) -> Refusal {
            move |error| Refusal::new(error, [Step::field(field)])
        }
        if file.hosted {
            let error = DnsSetupError::HostedSetupNotStored { domain: file.domain };
            return Err(at("hosted")(error));
        }
        let mut setup =
            DomainSetup::new(Domain::custom(file.domain), profile, file.verification_token)
                .map_err(|error| match error {
                    // A field that is not there: the setup as a whole.
                    DnsSetupError::TokenMissing { .. } => Refusal::new(error, []),
                    _ => at("domain")(error),
                })?;
        if let Some(tokens) = file.dkim_tokens {
            setup = setup.with_dkim_tokens(tokens).map_err(at("dkim_tokens"))?;
        }
        if let Some(keys) = file.dkim_keys {
            setup = setup.with_dkim_keys(keys).map_err(at("dkim_keys"))?;
        }
        if let Some(mail_from) = file.mail_from {
            setup = setup.with_mail_from(mail_from).map_err(at("mail_from"))?;
        }
        Ok(if file.inbound_mx { setup } else { setup.without_inbound_mx() })
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
#[cfg(feature = "json")]
impl DomainSetup {
    /// Loads a stored setup from JSON for a host offering `profiles`, as
    /// [`DomainSetup::deserialize_for`] reads it, with nothing after the value.
    ///
    /// # Errors
    ///
    /// A [`ConfigFileError`](crate::config::ConfigFileError) with the code of the rule that refused
    /// the setup (`dns.profile_not_offered`, `dns.too_few_dkim_tokens`, `dns.token_invalid`, …) or a
    /// `config_file.*` code for what is not the format, the path of the offending item
    /// (`dkim_tokens`, `profile.inbound_mx.exchange`), its line and column, and a message in the
    /// terms of the file.
    ///
    /// ```
    /// use email_routing::dns::{DomainSetup, ProviderProfile};
    ///
    /// let offered = [ProviderProfile::ses("us-east-1")?];
    /// let stored = serde_json::to_string_pretty(&DomainSetup::custom(
    ///     "support.customer.com".parse()?,
    ///     offered[0].clone(),
    ///     "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=".parse()?,
    /// )?)?;
    /// assert!(DomainSetup::from_json(&stored, &offered).is_ok());
    ///
    /// let err = DomainSetup::from_json(&stored.replace("inbound_mx\": true", "inbound_mx\": 1"), &offered)
    ///     .unwrap_err();
    /// assert_eq!(err.code(), "config_file.invalid_type");
    /// assert_eq!(err.path(), "inbound_mx");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_json(
        text: &str,
        profiles: &[ProviderProfile],
    ) -> Result<Self, crate::config::ConfigFileError> {
        crate::config::load_json(text, Self::deserialize_for(profiles))
    }
}
