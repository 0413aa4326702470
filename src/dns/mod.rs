//! DNS for mail domains: what records an admin must publish, and whether they are right yet.
//!
//! It covers what setting up a domain takes after the organization has it (step 3 of the
//! journey in the crate docs): verify it, receive mail, DKIM, custom MAIL FROM. It sits between the configuration (which owns the
//! [`Domain`](crate::Domain)s) and mail traffic: [`DomainStatus`] says whether a domain can
//! receive and send, and [`outbound::compose`](crate::outbound::compose) refuses to
//! send from a custom domain that is not verified. (Dispatching received mail does not consult
//! it: mail that arrived was, by then, deliverable.)
//!
//! # The pieces
//!
//! - [`ProviderProfile`] holds every provider-specific format in one value;
//!   [`ProviderProfile::ses`] gives Amazon SES's.
//! - [`DomainSetup`] joins a domain, a profile and the values issued for it (verification
//!   token, DKIM tokens or keys, MAIL FROM name) and lists the [`RequiredRecord`]s, each
//!   renderable as a zone-file line or as a host and value for a web form.
//! - [`DomainCheck`] is the sans-I/O core: it lists the [`Query`]s it needs and evaluates the
//!   [`Answers`] into a [`DomainReport`]: the zone that holds the domain (from SOA answers), and
//!   per record found, missing, mismatch or unknown, with [`Diagnostic`]s for the common
//!   mistakes, each with a stable code. Every host an admin is told to type is a
//!   [`RelativeHost`], relative to that zone.
//! - [`DnsLookup`] and [`AsyncDnsLookup`] are how answers are fetched; [`DomainCheck::run`] and
//!   [`DomainCheck::run_async`] are the thin drivers. [`InMemoryDns`] implements both; with
//!   the `resolver` feature, `HickoryLookup` asks real DNS.
//! - [`DomainStatus`] is fed reports and times and says what the domain can do
//!   ([`can_send`](DomainStatus::can_send), [`can_receive`](DomainStatus::can_receive)).
//!
//! # Why hickory's types do not cross the public boundary
//!
//! Queries, answers and failures are the crate's own small types ([`Query`], [`Answer`],
//! [`AnswerRecord`], [`LookupFailure`]), not hickory-proto's `Name`, `Record` or `RData`.
//! Hickory changes its API between minor versions (0.24 to 0.26 renamed and moved the
//! resolver, error and name-server types), and the crate's users would be tied to whichever
//! version it uses. Own types also keep the distinctions a check needs (NXDOMAIN, NODATA,
//! transient) explicit instead of spread over an error enum, and make answers easy to build
//! by hand in tests or from any other resolver. Hickory is used inside: hickory-proto
//! decodes the RFC 3597 generic record form and TTL units for the zone reader (feature
//! `zone`, on by default), and `HickoryLookup` (feature `resolver`) maps hickory-resolver's
//! results at the edge.
//!
//! # Example
//!
//! ```
//! use email_routing::Timestamp;
//! use email_routing::dns::{DkimToken, DomainSetup, DomainStatus, InMemoryDns, ProviderProfile, RecordStatus, VerificationToken};
//!
//! // What must the admin publish?
//! let setup = DomainSetup::custom(
//!     "support.customer.com".parse().unwrap(),
//!     ProviderProfile::ses("us-east-1")?,
//!     VerificationToken::new("pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=")?,
//! )?
//! .with_dkim_tokens(["tok1", "tok2", "tok3"].map(|t| DkimToken::new(t).unwrap()))?
//! .with_mail_from("bounce.support.customer.com".parse().unwrap())?;
//! for record in setup.required_records() {
//!     println!("{record}"); // a BIND zone line
//! }
//!
//! // support.customer.com is kept in the customer.com zone. The admin typed the full name
//! // into that zone's form, which appends the zone.
//! let mut dns = InMemoryDns::new();
//! dns.add_zone("customer.com");
//! dns.publish_all(setup.required_records());
//! dns.remove("_amazonses.support.customer.com", email_routing::dns::RecordType::Txt);
//! dns.add_txt(
//!     "_amazonses.support.customer.com.customer.com",
//!     "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=",
//! );
//!
//! // Is it right yet?
//! let report = setup.check().run(&dns);
//! let verification = &report.entries()[0];
//! assert!(matches!(verification.status(), RecordStatus::Missing { .. }));
//! assert_eq!(verification.diagnostics()[0].code(), "dns.name_doubled");
//! println!("{}", verification.diagnostics()[0]); // says to type `_amazonses.support`
//! assert_eq!(verification.host().to_string(), "\"_amazonses.support\" in the customer.com zone");
//!
//! let mut status = DomainStatus::new(&setup, Timestamp::default());
//! status.observe(&report, Timestamp::default().plus_millis(60_000)).unwrap();
//! assert!(!status.can_send());
//! # Ok::<(), email_routing::dns::DnsSetupError>(())
//! ```

mod answer;
mod check;
mod compare;
mod diagnostics;
mod error;
mod evaluate;
mod lookup;
mod memory;
mod names;
mod profile;
mod record;
mod report;
#[cfg(feature = "resolver")]
mod resolver;
mod setup;
mod status;
mod token;
#[cfg(feature = "zone")]
mod zone;

pub use answer::{Answer, AnswerRecord, Answers, LookupFailure, Query, RecordData, TxtData};
pub use check::{DomainCheck, MAX_ZONE_GUESSES};
pub use diagnostics::Diagnostic;
pub use error::{
    AwsRegionError, DkimKeyError, DkimTokenError, DnsSetupError, ProviderProfileError,
    RecordNameError, VerificationTokenError,
};
pub use lookup::{AsyncDnsLookup, DnsLookup};
pub use memory::InMemoryDns;
pub use names::RecordName;
pub use profile::{
    AwsRegion, DEFAULT_TTL, DkimForm, MailFromFormat, MxTarget, ProviderProfile,
    ProviderProfileBuilder, SpfAll,
};
pub use record::{
    MAX_CHARACTER_STRING, Necessity, Purpose, RecordType, RecordValue, RelativeHost, RequiredRecord,
};
pub use report::{Absence, DomainReport, RecordReport, RecordStatus, ReportSummary};
#[cfg(feature = "resolver")]
#[cfg_attr(docsrs, doc(cfg(feature = "resolver")))]
pub use resolver::{HickoryLookup, ResolverError, ResolverOptions};
pub use setup::DomainSetup;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub use setup::DomainSetupSeed;
pub use status::{DomainStatus, FailureReason, FeatureStatus, StatusError, VerificationState};
pub use token::{
    DkimKey, DkimKeyType, DkimToken, MAX_DKIM_KEY_CHARS, MAX_TOKEN_BYTES, VerificationToken,
};
#[cfg(feature = "zone")]
#[cfg_attr(docsrs, doc(cfg(feature = "zone")))]
pub use zone::{MAX_ZONE_BYTES, SkippedRecord, ZoneError, ZoneSummary};

// What a file that breaks one of these rules is told (the rule's code and message).
#[cfg(feature = "serde")]
crate::refusal::rule_with_code!(
    AwsRegionError,
    VerificationTokenError,
    DkimTokenError,
    DkimKeyError,
    RecordNameError
);
