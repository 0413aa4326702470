//! [`Limits`]: the platform's numbers (how many domains, addresses, auto-BCC copies and
//! recipients, how long a verification may take), in one value a host can change.
//!
//! The defaults are the anchor platform's, the contact-center platform whose public numbers the
//! crate follows. A platform with other plans builds its own with [`Limits::builder`] and gives them to each
//! organization ([`OrgEmailConfig::with_limits`](crate::config::OrgEmailConfig::with_limits)) and
//! domain status ([`DomainStatus::with_limits`](crate::dns::DomainStatus::with_limits)).

use std::fmt;

/// The longest window, in hours, a status may be given: 365 days, as for the threading window.
const MAX_HOURS: u32 = 365 * 24;
/// The most skills a queue route may be allowed: the distinct skills one ACD queue holds at
/// once (`acd::MAX_DISTINCT_SKILLS`). A route needing more could never be enqueued.
const MAX_ROUTE_SKILLS_CAP: usize = 128;
/// The longest subject that may be allowed: a received message's field is read up to 998
/// characters (`inbound::MAX_FIELD_CHARS`, RFC 5322's line length), so a longer subject would
/// not read back whole.
const MAX_SUBJECT_CHARS_CAP: usize = 998;

/// The platform's numbers: every limit a plan sets, in one validated value.
///
/// Each rule that names a limit takes it from here: the organization's domain, quota and
/// address rules and its route checks ([`OrgEmailConfig`](crate::config::OrgEmailConfig) holds one),
/// the outbound recipient, subject and size limits (from the organization a reply is composed
/// for), and the verification and downgrade windows of a
/// [`DomainStatus`](crate::dns::DomainStatus). Every error that names a limit reports the one
/// in force.
///
/// `Default` is the anchor platform's plan:
///
/// | field | default | at least | at most |
/// |---|---|---|---|
/// | [`max_domains`](Self::max_domains) | 2 | 1 | |
/// | [`default_custom_domain_quota`](Self::default_custom_domain_quota) | 1 | `min_custom_domain_quota` | `max_custom_domain_quota` |
/// | [`min_custom_domain_quota`](Self::min_custom_domain_quota) | 1 | 0 | `max_custom_domain_quota` |
/// | [`max_custom_domain_quota`](Self::max_custom_domain_quota) | 2 | `min_custom_domain_quota` | `max_domains` |
/// | [`max_addresses_per_domain`](Self::max_addresses_per_domain) | 1000 | 1 | |
/// | [`max_auto_bcc`](Self::max_auto_bcc) | 5 | 0 | `max_recipients` − 1 |
/// | [`max_route_skills`](Self::max_route_skills) | 32 | 0 | 128 |
/// | [`max_recipients`](Self::max_recipients) | 50 | `max_auto_bcc` + 1 | |
/// | [`max_subject_chars`](Self::max_subject_chars) | 998 | 1 | 998 |
/// | [`max_message_octets`](Self::max_message_octets) | 41,943,040 (40 MiB) | 1 | |
/// | [`verification_window_hours`](Self::verification_window_hours) | 72 | 1 | 8760 |
/// | [`downgrade_misses`](Self::downgrade_misses) | 3 | 1 | |
/// | [`downgrade_span_hours`](Self::downgrade_span_hours) | 72 | 0 | 8760 |
///
/// Not here, on purpose:
///
/// - **Protocol facts** stay constants, because no plan can change them: a local part of at
///   most 64 octets and an address of at most 254 ([`MAX_LOCAL_PART_OCTETS`],
///   [`MAX_ADDRESS_OCTETS`], RFC 5321 4.5.3.1), a label of 63 octets and a name of 253
///   ([`MAX_LABEL_OCTETS`], [`MAX_NAME_OCTETS`], RFC 1035 2.3.4), a TXT character-string of
///   255 octets, a header line of 998 characters (RFC 5322 2.1.1), a Message-ID's length.
/// - **Bounds on untrusted input** stay constants too: they keep the crate's own work
///   bounded whatever a platform's plan (zone text, SES notifications, ids, display names,
///   signatures, fields kept from a received message).
/// - **Policies of one area** have their own configuration beside the value they govern:
///   received mail's size and attachments ([`InboundPolicy`](crate::inbound::InboundPolicy)),
///   the sender rate guard ([`RateGuardConfig`](crate::inbound::RateGuardConfig)), the
///   threading window ([`ThreadingPolicy`](crate::conversation::ThreadingPolicy)), the TTL of
///   published records ([`ProviderProfile`](crate::dns::ProviderProfile)).
///
/// With the `serde` feature, `Limits` is written with every field and read with every field
/// optional (a field left out keeps its default), unknown fields refused, and every rule
/// checked again; an organization's file holds its limits under `"limits"`.
///
/// [`MAX_LOCAL_PART_OCTETS`]: crate::MAX_LOCAL_PART_OCTETS
/// [`MAX_ADDRESS_OCTETS`]: crate::MAX_ADDRESS_OCTETS
/// [`MAX_LABEL_OCTETS`]: crate::MAX_LABEL_OCTETS
/// [`MAX_NAME_OCTETS`]: crate::MAX_NAME_OCTETS
///
/// ```
/// use email_routing::config::OrgEmailConfig;
/// use email_routing::*;
///
/// // A plan with three domains, two of them custom, and 10 recipients per reply.
/// let plan = Limits::builder()
///     .max_domains(3)
///     .default_custom_domain_quota(2)
///     .max_custom_domain_quota(2)
///     .max_recipients(10)
///     .build()?;
/// assert_eq!(plan.max_auto_bcc(), 5); // what the plan leaves alone keeps its default
///
/// let root: DomainName = "mail.example.net".parse()?;
/// let mut org = OrgEmailConfig::with_limits(root.clone(), plan);
/// org.add_domain(Domain::hosted("acme", &root)?)?;
/// org.add_domain(Domain::custom("support.customer.com".parse()?))?;
/// org.add_domain(Domain::custom("sales.customer.com".parse()?))?;
/// let err = org.add_domain(Domain::custom("other.com".parse()?)).unwrap_err();
/// assert_eq!(err.code(), "org.too_many_domains");
/// assert!(err.to_string().contains("the limit is 3"));
///
/// // A plan that could not work is refused when it is built.
/// let err = Limits::builder().max_recipients(5).build().unwrap_err();
/// assert_eq!(err.code(), "limits.recipients_not_above_auto_bcc");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "stored::StoredLimits"))]
pub struct Limits {
    max_domains: usize,
    default_custom_domain_quota: usize,
    min_custom_domain_quota: usize,
    max_custom_domain_quota: usize,
    max_addresses_per_domain: usize,
    max_auto_bcc: usize,
    max_route_skills: usize,
    max_recipients: usize,
    max_subject_chars: usize,
    max_message_octets: usize,
    verification_window_hours: u32,
    downgrade_misses: u32,
    downgrade_span_hours: u32,
}

impl Default for Limits {
    /// The anchor platform's plan (see the table on [`Limits`]).
    fn default() -> Self {
        Self {
            max_domains: 2,
            default_custom_domain_quota: 1,
            min_custom_domain_quota: 1,
            max_custom_domain_quota: 2,
            max_addresses_per_domain: 1000,
            max_auto_bcc: 5,
            max_route_skills: 32,
            max_recipients: 50,
            max_subject_chars: 998,
            max_message_octets: 40 * 1024 * 1024,
            verification_window_hours: 72,
            downgrade_misses: 3,
            downgrade_span_hours: 72,
        }
    }
}

impl Limits {
    /// A builder that starts from the defaults; what it leaves alone keeps its default.
    pub fn builder() -> LimitsBuilder {
        Self::default().to_builder()
    }

    /// A builder that starts from these limits, to change some of them.
    pub fn to_builder(&self) -> LimitsBuilder {
        LimitsBuilder { limits: *self }
    }

    /// The most domains, hosted and custom together, an organization may have. Default 2: the
    /// anchor platform's hosted subdomain and one custom domain, or two custom domains.
    #[must_use]
    pub const fn max_domains(&self) -> usize {
        self.max_domains
    }

    /// The custom-domain quota a new organization starts with. Default 1: one custom domain
    /// until the platform raises the organization's quota.
    #[must_use]
    pub const fn default_custom_domain_quota(&self) -> usize {
        self.default_custom_domain_quota
    }

    /// The lowest custom-domain quota an organization may be set to. Default 1; 0 allows a
    /// plan of hosted subdomains only.
    #[must_use]
    pub const fn min_custom_domain_quota(&self) -> usize {
        self.min_custom_domain_quota
    }

    /// The highest custom-domain quota an organization may be set to. Default 2: every domain
    /// the anchor platform allows may be custom, never more. At most
    /// [`max_domains`](Self::max_domains), since a quota above the domain cap could never be
    /// used.
    #[must_use]
    pub const fn max_custom_domain_quota(&self) -> usize {
        self.max_custom_domain_quota
    }

    /// The most addresses one domain may have. Default 1000, the anchor platform's.
    #[must_use]
    pub const fn max_addresses_per_domain(&self) -> usize {
        self.max_addresses_per_domain
    }

    /// The most hidden auto-BCC addresses one address may copy every reply to. Default 5, the
    /// anchor platform's; 0 turns auto-BCC off. Below
    /// [`max_recipients`](Self::max_recipients), since every one of them counts toward it.
    #[must_use]
    pub const fn max_auto_bcc(&self) -> usize {
        self.max_auto_bcc
    }

    /// The most ACD skills one queue route may require of an agent. Default 32. At most 128,
    /// the distinct skills one ACD queue holds at once: a route needing more could never be
    /// enqueued.
    #[must_use]
    pub const fn max_route_skills(&self) -> usize {
        self.max_route_skills
    }

    /// The most recipients one reply may have: To + Cc + Bcc after removing exact duplicates,
    /// plus every auto-BCC address. Default 50, the anchor platform's (SES allows 50 per
    /// message). Above [`max_auto_bcc`](Self::max_auto_bcc), so an agent can always type one.
    #[must_use]
    pub const fn max_recipients(&self) -> usize {
        self.max_recipients
    }

    /// The most characters a reply's subject may have (after white space is collapsed).
    /// Default and highest 998: RFC 5322's line length, and what the crate reads of a received
    /// field, so a subject always reads back whole.
    #[must_use]
    pub const fn max_subject_chars(&self) -> usize {
        self.max_subject_chars
    }

    /// The largest rendered reply, in octets, base64 included. Default 41,943,040 (40 MiB),
    /// Amazon SES's sending limit.
    #[must_use]
    pub const fn max_message_octets(&self) -> usize {
        self.max_message_octets
    }

    /// How long a pending verification may wait for its record, in hours; the first check at
    /// or after the deadline fails it. Default 72, the anchor platform's (and SES's). From 1
    /// to 8760 (365 days).
    #[must_use]
    pub const fn verification_window_hours(&self) -> u32 {
        self.verification_window_hours
    }

    /// How many consecutive definitive misses take a verified domain (or a valid MX, DKIM or
    /// MAIL FROM) down, together with [`downgrade_span_hours`](Self::downgrade_span_hours).
    /// Default 3: one miss is never enough for a record that was there, since DNS providers
    /// briefly serve stale or partial zones. At least 1.
    #[must_use]
    pub const fn downgrade_misses(&self) -> u32 {
        self.downgrade_misses
    }

    /// How long those misses must span, from the first to the last, in hours. Default 72, the
    /// verification window: a record removed by mistake has as long to come back as a new one
    /// has to appear. From 0 (the count alone decides) to 8760.
    #[must_use]
    pub const fn downgrade_span_hours(&self) -> u32 {
        self.downgrade_span_hours
    }

    /// Checks every rule: each field in its range, then the rules between fields.
    fn check(&self) -> Result<(), LimitsError> {
        let no_max = None;
        let ranges: [(&'static str, u64, u64, Option<u64>); 13] = [
            ("max_domains", as_u64(self.max_domains), 1, no_max),
            ("default_custom_domain_quota", as_u64(self.default_custom_domain_quota), 0, no_max),
            ("min_custom_domain_quota", as_u64(self.min_custom_domain_quota), 0, no_max),
            ("max_custom_domain_quota", as_u64(self.max_custom_domain_quota), 0, no_max),
            ("max_addresses_per_domain", as_u64(self.max_addresses_per_domain), 1, no_max),
            ("max_auto_bcc", as_u64(self.max_auto_bcc), 0, no_max),
            (
                "max_route_skills",
                as_u64(self.max_route_skills),
                0,
                Some(as_u64(MAX_ROUTE_SKILLS_CAP)),
            ),
            ("max_recipients", as_u64(self.max_recipients), 1, no_max),
            (
                "max_subject_chars",
                as_u64(self.max_subject_chars),
                1,
                Some(as_u64(MAX_SUBJECT_CHARS_CAP)),
            ),
            ("max_message_octets", as_u64(self.max_message_octets), 1, no_max),
            (
                "verification_window_hours",
                u64::from(self.verification_window_hours),
                1,
                Some(u64::from(MAX_HOURS)),
            ),
            ("downgrade_misses", u64::from(self.downgrade_misses), 1, no_max),
            (
                "downgrade_span_hours",
                u64::from(self.downgrade_span_hours),
                0,
                Some(u64::from(MAX_HOURS)),
            ),
        ];
        for (field, value, min, max) in ranges {
            if value < min || max.is_some_and(|max| value > max) {
                return Err(LimitsError::OutOfRange { field, value, min, max });
            }
        }
        let (min, max) = (self.min_custom_domain_quota, self.max_custom_domain_quota);
        if min > max {
            return Err(LimitsError::CustomDomainQuotaMinAboveMax { min, max });
        }
        if max > self.max_domains {
            return Err(LimitsError::CustomDomainQuotaAboveMaxDomains {
                quota: max,
                max_domains: self.max_domains,
            });
        }
        let default = self.default_custom_domain_quota;
        if !(min..=max).contains(&default) {
            return Err(LimitsError::DefaultCustomDomainQuotaOutOfRange { default, min, max });
        }
        if self.max_recipients <= self.max_auto_bcc {
            return Err(LimitsError::RecipientsNotAboveAutoBcc {
                max_recipients: self.max_recipients,
                max_auto_bcc: self.max_auto_bcc,
            });
        }
        Ok(())
    }
}

/// A count as a `u64`, for errors (no platform has a `usize` wider than 64 bits).
fn as_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Builds [`Limits`]: each setter replaces one number, and [`build`](Self::build) checks them
/// all together, so the order of the calls never matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct LimitsBuilder {
    limits: Limits,
}

impl LimitsBuilder {
    /// Sets [`Limits::max_domains`].
    pub fn max_domains(mut self, n: usize) -> Self {
        self.limits.max_domains = n;
        self
    }

    /// Sets [`Limits::default_custom_domain_quota`].
    pub fn default_custom_domain_quota(mut self, n: usize) -> Self {
        self.limits.default_custom_domain_quota = n;
        self
    }

    /// Sets [`Limits::min_custom_domain_quota`].
    pub fn min_custom_domain_quota(mut self, n: usize) -> Self {
        self.limits.min_custom_domain_quota = n;
        self
    }

    /// Sets [`Limits::max_custom_domain_quota`].
    pub fn max_custom_domain_quota(mut self, n: usize) -> Self {
        self.limits.max_custom_domain_quota = n;
        self
    }

    /// Sets [`Limits::max_addresses_per_domain`].
    pub fn max_addresses_per_domain(mut self, n: usize) -> Self {
        self.limits.max_addresses_per_domain = n;
        self
    }

    /// Sets [`Limits::max_auto_bcc`].
    pub fn max_auto_bcc(mut self, n: usize) -> Self {
        self.limits.max_auto_bcc = n;
        self
    }

    /// Sets [`Limits::max_route_skills`].
    pub fn max_route_skills(mut self, n: usize) -> Self {
        self.limits.max_route_skills = n;
        self
    }

    /// Sets [`Limits::max_recipients`].
    pub fn max_recipients(mut self, n: usize) -> Self {
        self.limits.max_recipients = n;
        self
    }

    /// Sets [`Limits::max_subject_chars`].
    pub fn max_subject_chars(mut self, n: usize) -> Self {
        self.limits.max_subject_chars = n;
        self
    }

    /// Sets [`Limits::max_message_octets`].
    pub fn max_message_octets(mut self, n: usize) -> Self {
        self.limits.max_message_octets = n;
        self
    }

    /// Sets [`Limits::verification_window_hours`].
    pub fn verification_window_hours(mut self, hours: u32) -> Self {
        self.limits.verification_window_hours = hours;
        self
    }

    /// Sets [`Limits::downgrade_misses`].
    pub fn downgrade_misses(mut self, n: u32) -> Self {
        self.limits.downgrade_misses = n;
        self
    }

    /// Sets [`Limits::downgrade_span_hours`].
    pub fn downgrade_span_hours(mut self, hours: u32) -> Self {
        self.limits.downgrade_span_hours = hours;
        self
    }

    /// Checks every number and the rules between them, and makes the limits.
    ///
    /// # Errors
    /// `limits.out_of_range` for a number outside its range (a zero where one is needed, a
    /// window over 8760 hours, more than 128 route skills, a subject limit over 998);
    /// `limits.custom_domain_quota_min_above_max`,
    /// `limits.custom_domain_quota_above_max_domains`,
    /// `limits.default_custom_domain_quota_out_of_range` and
    /// `limits.recipients_not_above_auto_bcc` for numbers that cannot work together. The
    /// first problem found is reported, fields in the order of the table on [`Limits`], then
    /// the rules between them.
    pub fn build(self) -> Result<Limits, LimitsError> {
        self.limits.check()?;
        Ok(self.limits)
    }
}

/// Why a set of [`Limits`] was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitsError {
    /// A number is outside its range.
    #[error("`{field}` is {value}; it must be {}", Range { min: *min, max: *max })]
    OutOfRange {
        /// The field, as the builder's method and the file name it.
        field: &'static str,
        /// The number given.
        value: u64,
        /// The lowest allowed.
        min: u64,
        /// The highest allowed, if there is one.
        max: Option<u64>,
    },
    /// The lowest custom-domain quota is above the highest.
    #[error(
        "`min_custom_domain_quota` ({min}) is above `max_custom_domain_quota` ({max}): lower the first or raise the second"
    )]
    CustomDomainQuotaMinAboveMax {
        /// `min_custom_domain_quota`.
        min: usize,
        /// `max_custom_domain_quota`.
        max: usize,
    },
    /// The highest custom-domain quota is above the domain cap, so it could never be used.
    #[error(
        "`max_custom_domain_quota` ({quota}) is above `max_domains` ({max_domains}): an organization could never use it; lower it to at most {max_domains} or raise `max_domains`"
    )]
    CustomDomainQuotaAboveMaxDomains {
        /// `max_custom_domain_quota`.
        quota: usize,
        /// `max_domains`.
        max_domains: usize,
    },
    /// The quota a new organization starts with is outside the quotas allowed.
    #[error(
        "`default_custom_domain_quota` is {default}; it must be between `min_custom_domain_quota` ({min}) and `max_custom_domain_quota` ({max})"
    )]
    DefaultCustomDomainQuotaOutOfRange {
        /// `default_custom_domain_quota`.
        default: usize,
        /// `min_custom_domain_quota`.
        min: usize,
        /// `max_custom_domain_quota`.
        max: usize,
    },
    /// The recipient limit leaves no room for a typed recipient once every auto-BCC address
    /// is counted.
    #[error(
        "`max_recipients` ({max_recipients}) is not above `max_auto_bcc` ({max_auto_bcc}): every auto-BCC address counts toward the recipients, so an agent could not add one; raise `max_recipients` to at least {} or lower `max_auto_bcc`",
        max_auto_bcc.saturating_add(1)
    )]
    RecipientsNotAboveAutoBcc {
        /// `max_recipients`.
        max_recipients: usize,
        /// `max_auto_bcc`.
        max_auto_bcc: usize,
    },
}

impl LimitsError {
    /// A stable, machine-readable code, e.g. `limits.out_of_range`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::OutOfRange { .. } => "limits.out_of_range",
            Self::CustomDomainQuotaMinAboveMax { .. } => "limits.custom_domain_quota_min_above_max",
            Self::CustomDomainQuotaAboveMaxDomains { .. } => {
                "limits.custom_domain_quota_above_max_domains"
            }
            Self::DefaultCustomDomainQuotaOutOfRange { .. } => {
                "limits.default_custom_domain_quota_out_of_range"
            }
            Self::RecipientsNotAboveAutoBcc { .. } => "limits.recipients_not_above_auto_bcc",
        }
    }

    /// The fields the error is about, the one to change first leading.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    fn fields(&self) -> Vec<&'static str> {
        match self {
            Self::OutOfRange { field, .. } => vec![field],
            Self::CustomDomainQuotaMinAboveMax { .. } => {
                vec!["min_custom_domain_quota", "max_custom_domain_quota"]
            }
            Self::CustomDomainQuotaAboveMaxDomains { .. } => {
                vec!["max_custom_domain_quota", "max_domains"]
            }
            Self::DefaultCustomDomainQuotaOutOfRange { .. } => vec![
                "default_custom_domain_quota",
                "min_custom_domain_quota",
                "max_custom_domain_quota",
            ],
            Self::RecipientsNotAboveAutoBcc { .. } => vec!["max_recipients", "max_auto_bcc"],
        }
    }
}

/// "at least 1" or "between 1 and 8760".
struct Range {
    min: u64,
    max: Option<u64>,
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) => write!(f, "between {} and {max}", self.min),
            None => write!(f, "at least {}", self.min),
        }
    }
}

#[cfg(feature = "serde")]
impl crate::refusal::Rule for LimitsError {
    fn rule_code(&self) -> &'static str {
        self.code()
    }
}

#[cfg(feature = "serde")]
mod stored {
    //! The stored shape of [`Limits`]: every field optional, checked by the builder.

    use serde::Deserialize;

    use super::{Limits, LimitsBuilder};
    use crate::refusal::{Refusal, Step};

    /// [`Limits`] as stored, before it is checked.
    #[derive(Deserialize)]
    #[serde(
        deny_unknown_fields,
        expecting = "limits: an object of numbers such as \"max_domains\" and \"max_recipients\", each optional"
    )]
    pub(super) struct StoredLimits {
        #[serde(default)]
        max_domains: Option<usize>,
        #[serde(default)]
        default_custom_domain_quota: Option<usize>,
        #[serde(default)]
        min_custom_domain_quota: Option<usize>,
        #[serde(default)]
        max_custom_domain_quota: Option<usize>,
        #[serde(default)]
        max_addresses_per_domain: Option<usize>,
        #[serde(default)]
        max_auto_bcc: Option<usize>,
        #[serde(default)]
        max_route_skills: Option<usize>,
        #[serde(default)]
        max_recipients: Option<usize>,
        #[serde(default)]
        max_subject_chars: Option<usize>,
        #[serde(default)]
        max_message_octets: Option<usize>,
        #[serde(default)]
        verification_window_hours: Option<u32>,
        #[serde(default)]
        downgrade_misses: Option<u32>,
        #[serde(default)]
        downgrade_span_hours: Option<u32>,
    }

    impl TryFrom<StoredLimits> for Limits {
        type Error = Refusal;

        fn try_from(spec: StoredLimits) -> Result<Self, Refusal> {
            let mut given: Vec<&'static str> = Vec::new();
            let mut builder = Limits::builder();
            macro_rules! apply {
                ($($field:ident),+ $(,)?) => {$(
                    if let Some(n) = spec.$field {
                        builder = LimitsBuilder::$field(builder, n);
                        given.push(stringify!($field));
                    }
                )+};
            }
            apply!(
                max_domains,
                default_custom_domain_quota,
                min_custom_domain_quota,
                max_custom_domain_quota,
                max_addresses_per_domain,
                max_auto_bcc,
                max_route_skills,
                max_recipients,
                max_subject_chars,
                max_message_octets,
                verification_window_hours,
                downgrade_misses,
                downgrade_span_hours,
            );
            builder.build().map_err(|error| {
                // Point at a field the file gives, when the rule is about several.
                let fields = error.fields();
                let field = fields
                    .iter()
                    .find(|f| given.contains(f))
                    .or_else(|| fields.first())
                    .copied()
                    .unwrap_or_default();
                Refusal::new(error, [Step::field(field)])
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_pass_their_own_rules() {
        assert_eq!(Limits::builder().build(), Ok(Limits::default()));
    }

    #[test]
    fn each_field_is_checked_at_its_boundary() {
        let b = Limits::builder;
        let code = |r: Result<Limits, LimitsError>| r.map_err(|e| e.code());
        let out = Err("limits.out_of_range");
        assert_eq!(code(b().max_domains(0).build()), out);
        assert_eq!(code(b().max_addresses_per_domain(0).build()), out);
        assert!(b().max_addresses_per_domain(1).build().is_ok());
        assert_eq!(code(b().max_route_skills(129).build()), out);
        assert!(b().max_route_skills(128).build().is_ok());
        assert!(b().max_route_skills(0).build().is_ok());
        assert_eq!(code(b().max_subject_chars(0).build()), out);
        assert_eq!(code(b().max_subject_chars(999).build()), out);
        assert!(b().max_subject_chars(1).build().is_ok());
        assert_eq!(code(b().max_message_octets(0).build()), out);
        assert_eq!(code(b().verification_window_hours(0).build()), out);
        assert_eq!(code(b().verification_window_hours(8761).build()), out);
        assert!(b().verification_window_hours(8760).build().is_ok());
        assert_eq!(code(b().downgrade_misses(0).build()), out);
        assert!(b().downgrade_misses(1).build().is_ok());
        assert_eq!(code(b().downgrade_span_hours(8761).build()), out);
        assert!(b().downgrade_span_hours(0).build().is_ok());
        assert!(b().max_auto_bcc(0).build().is_ok());
        assert_eq!(code(b().max_recipients(0).max_auto_bcc(0).build()), out);
    }

    #[test]
    fn rules_between_fields() {
        let b = Limits::builder;
        let err = b().min_custom_domain_quota(2).max_custom_domain_quota(1).build().unwrap_err();
        assert_eq!(err, LimitsError::CustomDomainQuotaMinAboveMax { min: 2, max: 1 });
        let err = b().max_custom_domain_quota(3).build().unwrap_err();
        assert_eq!(err, LimitsError::CustomDomainQuotaAboveMaxDomains { quota: 3, max_domains: 2 });
        assert!(b().max_domains(3).max_custom_domain_quota(3).build().is_ok());
        let err = b().default_custom_domain_quota(0).build().unwrap_err();
        assert_eq!(err.code(), "limits.default_custom_domain_quota_out_of_range");
        let err = b().default_custom_domain_quota(3).build().unwrap_err();
        assert_eq!(err.code(), "limits.default_custom_domain_quota_out_of_range");
        // Hosted subdomains only.
        let hosted_only = b()
            .min_custom_domain_quota(0)
            .default_custom_domain_quota(0)
            .max_custom_domain_quota(0)
            .build()
            .unwrap();
        assert_eq!(hosted_only.max_custom_domain_quota(), 0);
        // An agent must be able to type one recipient past the auto-BCC copies.
        let err = b().max_recipients(5).build().unwrap_err();
        assert_eq!(
            err,
            LimitsError::RecipientsNotAboveAutoBcc { max_recipients: 5, max_auto_bcc: 5 }
        );
        assert!(err.to_string().contains("at least 6"), "{err}");
        assert!(b().max_recipients(6).build().is_ok());
        assert!(b().max_recipients(1).max_auto_bcc(0).build().is_ok());
    }

    #[test]
    fn messages_name_the_field_and_the_range() {
        let err = Limits::builder().verification_window_hours(0).build().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`verification_window_hours` is 0; it must be between 1 and 8760"
        );
        let err = Limits::builder().max_domains(0).build().unwrap_err();
        assert_eq!(err.to_string(), "`max_domains` is 0; it must be at least 1");
    }

    #[test]
    fn to_builder_keeps_what_it_does_not_change() {
        let plan = Limits::builder().max_recipients(20).build().unwrap();
        let more = plan.to_builder().max_auto_bcc(2).build().unwrap();
        assert_eq!((more.max_recipients(), more.max_auto_bcc()), (20, 2));
    }
}
