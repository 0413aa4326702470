//! [`HickoryLookup`]: an [`AsyncDnsLookup`] over real DNS, with hickory-resolver on tokio
//! (feature `resolver`).
//!
//! This is the only place the crate does network I/O. It maps hickory's results onto the
//! crate's own answer types: NXDOMAIN to [`Answer::NoSuchName`]; an empty NOERROR answer
//! (hickory's `NoRecordsFound`) to [`Answer::NoData`]; timeouts, SERVFAIL, REFUSED and every
//! other error to [`Answer::Failed`], which a check reports as unknown, never as missing.
//! An SOA question about a name that is not a zone's apex gets NODATA from a real resolver
//! (the SOA in the authority section is not an answer), which is what the zone search expects.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, RecordType as WireType};

use super::{
    Answer, AnswerRecord, AsyncDnsLookup, LookupFailure, Query, RecordData, RecordType, TxtData,
};

/// Why a resolver could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolverError {
    /// The system's resolver configuration could not be read.
    #[error(
        "the system DNS configuration could not be read ({detail}): give a name server address instead"
    )]
    SystemConfig {
        /// What went wrong.
        detail: String,
    },
    /// The resolver could not be built from its configuration.
    #[error("the DNS resolver could not be set up ({detail}): check the name server address")]
    Build {
        /// What went wrong.
        detail: String,
    },
}

impl ResolverError {
    /// A stable, machine-readable code, e.g. `dns.resolver_system_config_unreadable`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::SystemConfig { .. } => "dns.resolver_system_config_unreadable",
            Self::Build { .. } => "dns.resolver_build_failed",
        }
    }
}

/// Timeouts, attempts and caching for [`HickoryLookup`].
///
/// ```
/// use email_routing::dns::ResolverOptions;
/// use std::time::Duration;
/// let fast = ResolverOptions::default().timeout(Duration::from_secs(1)).attempts(1).no_cache();
/// # let _ = fast;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolverOptions {
    timeout: Duration,
    attempts: usize,
    cache: bool,
}

impl Default for ResolverOptions {
    /// 5 seconds per attempt, 2 attempts, caching on.
    fn default() -> Self {
        Self { timeout: Duration::from_secs(5), attempts: 2, cache: true }
    }
}

impl ResolverOptions {
    /// How long one attempt may take.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many attempts each query gets (at least 1).
    #[must_use]
    pub fn attempts(mut self, attempts: usize) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// Turns the answer cache off, so every check asks the server (for tests, and for
    /// re-checks right after an admin changed a record).
    #[must_use]
    pub fn no_cache(mut self) -> Self {
        self.cache = false;
        self
    }
}

/// An [`AsyncDnsLookup`] over hickory-resolver. Needs a tokio runtime.
#[derive(Clone)]
pub struct HickoryLookup {
    resolver: TokioResolver,
}

impl std::fmt::Debug for HickoryLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HickoryLookup").finish_non_exhaustive()
    }
}

impl HickoryLookup {
    /// Uses the system's resolver configuration (`/etc/resolv.conf` on Unix).
    ///
    /// # Errors
    /// `dns.resolver_system_config_unreadable` when the system configuration cannot be read
    /// or parsed; `dns.resolver_build_failed` when hickory refuses the resulting options.
    pub fn from_system_conf(options: ResolverOptions) -> Result<Self, ResolverError> {
        let mut builder = TokioResolver::builder_tokio()
            .map_err(|e| ResolverError::SystemConfig { detail: e.to_string() })?;
        apply(builder.options_mut(), options);
        let resolver =
            builder.build().map_err(|e| ResolverError::Build { detail: e.to_string() })?;
        Ok(Self { resolver })
    }

    /// Asks only the name server at `address`, over UDP with TCP fallback.
    ///
    /// # Errors
    /// `dns.resolver_build_failed` when hickory refuses the configuration.
    pub fn with_nameserver(
        address: SocketAddr,
        options: ResolverOptions,
    ) -> Result<Self, ResolverError> {
        let mut udp = ConnectionConfig::udp();
        udp.port = address.port();
        let mut tcp = ConnectionConfig::tcp();
        tcp.port = address.port();
        let server = NameServerConfig::new(address.ip(), true, vec![udp, tcp]);
        let config = ResolverConfig::from_name_servers(vec![server]);
        let mut builder =
            TokioResolver::builder_with_config(config, TokioRuntimeProvider::default());
        apply(builder.options_mut(), options);
        let resolver =
            builder.build().map_err(|e| ResolverError::Build { detail: e.to_string() })?;
        Ok(Self { resolver })
    }
}

fn apply(opts: &mut hickory_resolver::config::ResolverOpts, options: ResolverOptions) {
    opts.timeout = options.timeout;
    opts.attempts = options.attempts;
    if !options.cache {
        opts.cache_size = 0;
    }
}

impl AsyncDnsLookup for HickoryLookup {
    fn lookup(&self, query: &Query) -> impl Future<Output = Answer> + Send {
        let name = Name::from_ascii(query.name().to_fqdn());
        let wire = match query.record_type() {
            RecordType::Txt => WireType::TXT,
            RecordType::Mx => WireType::MX,
            RecordType::Cname => WireType::CNAME,
            RecordType::Soa => WireType::SOA,
        };
        async move {
            let name = match name {
                Ok(name) => name,
                Err(e) => return Answer::Failed(LookupFailure::Other { detail: e.to_string() }),
            };
            match self.resolver.lookup(name, wire).await {
                Ok(lookup) => {
                    Answer::Records(lookup.answers().iter().filter_map(convert).collect())
                }
                Err(e) => map_error(&e),
            }
        }
    }
}

/// One hickory record as an answer record; `None` for types the checks do not read.
fn convert(record: &hickory_resolver::proto::rr::Record) -> Option<AnswerRecord> {
    let data = match &record.data {
        RData::TXT(txt) => RecordData::Txt(TxtData::new(txt.txt_data.iter().map(|s| s.to_vec()))),
        RData::MX(mx) => {
            RecordData::Mx { preference: mx.preference, exchange: mx.exchange.to_ascii() }
        }
        RData::CNAME(cname) => RecordData::Cname { target: cname.0.to_ascii() },
        RData::SOA(soa) => {
            RecordData::Soa { mname: soa.mname.to_ascii(), rname: soa.rname.to_ascii() }
        }
        _ => return None,
    };
    Some(AnswerRecord::new(record.name.to_ascii(), data))
}

/// Maps a hickory error: only NXDOMAIN and NODATA say anything about the records.
fn map_error(error: &NetError) -> Answer {
    let failure = match error {
        NetError::Dns(DnsError::NoRecordsFound(no)) => match no.response_code {
            ResponseCode::NXDomain => return Answer::NoSuchName,
            ResponseCode::NoError => return Answer::NoData,
            ResponseCode::ServFail => LookupFailure::ServerFailure,
            ResponseCode::Refused => LookupFailure::Refused,
            other => LookupFailure::Other { detail: format!("response code {other}") },
        },
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => {
            LookupFailure::ServerFailure
        }
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => LookupFailure::Refused,
        NetError::Timeout => LookupFailure::Timeout,
        NetError::Io(e) if e.kind() == io::ErrorKind::TimedOut => LookupFailure::Timeout,
        other => LookupFailure::Other { detail: other.to_string() },
    };
    Answer::Failed(failure)
}
