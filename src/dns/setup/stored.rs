//! The stored shape of a [`DomainSetup`] (feature `serde`).
//!
//! A host keeps a custom domain's setup for as long as it checks the domain's DNS: through
//! the 72 hours of verification, then for the life of the domain. The setup is stored as the
//! values it was made from and read back through the same constructor and `with_*` methods,
//! so every rule is checked again and the required records are rebuilt, never trusted from
//! the file.

use serde::{Deserialize, Serialize};

use super::{Dkim, DomainSetup};
use crate::config::Domain;
use crate::dns::{DkimKey, DkimToken, DnsSetupError, ProviderProfile, VerificationToken};
use crate::name::DomainName;

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
#[serde(deny_unknown_fields)]
pub(super) struct DomainSetupFile {
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

impl TryFrom<DomainSetupFile> for DomainSetup {
    type Error = DnsSetupError;

    fn try_from(file: DomainSetupFile) -> Result<Self, Self::Error> {
        if file.hosted {
            return Err(DnsSetupError::HostedSetupNotStored { domain: file.domain.to_string() });
        }
        let mut setup =
            DomainSetup::new(Domain::custom(file.domain), file.profile, file.verification_token)?;
        if let Some(tokens) = file.dkim_tokens {
            setup = setup.with_dkim_tokens(tokens)?;
        }
        if let Some(keys) = file.dkim_keys {
            setup = setup.with_dkim_keys(keys)?;
        }
        if let Some(mail_from) = file.mail_from {
            setup = setup.with_mail_from(mail_from)?;
        }
        Ok(if file.inbound_mx { setup } else { setup.without_inbound_mx() })
    }
}
