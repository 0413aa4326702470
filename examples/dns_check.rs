//! Prints the DNS records a domain needs, then checks them against live DNS.
//!
//! ```text
//! cargo run --features resolver --example dns_check -- \
//!     [--nameserver IP:PORT] --region REGION --token TOKEN \
//!     [--dkim T1,T2,T3] [--mail-from NAME] [--records-only] DOMAIN
//! ```
//!
//! Exit status: 0 every record found, 1 something missing or wrong, 2 usage error,
//! 3 transient DNS failure (nothing definitive was wrong, but some lookups failed).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use email_routing::DomainName;
use email_routing::dns::{
    DkimToken, DomainReport, DomainSetup, HickoryLookup, ProviderProfile, ResolverOptions,
    VerificationToken,
};

const USAGE: &str = "usage: dns_check [--nameserver IP:PORT] --region REGION --token TOKEN \
[--dkim T1,T2,T3] [--mail-from NAME] [--records-only] DOMAIN";

const EXIT_MISSING: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_TRANSIENT: u8 = 3;

struct Args {
    nameserver: Option<SocketAddr>,
    region: String,
    token: String,
    dkim: Vec<String>,
    mail_from: Option<String>,
    records_only: bool,
    domain: String,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut nameserver, mut region, mut token, mut dkim) = (None, None, None, Vec::new());
    let (mut mail_from, mut records_only, mut domain) = (None, false, None);
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "--nameserver" => {
                let v = value("--nameserver")?;
                nameserver =
                    Some(v.parse().map_err(|_| format!("--nameserver {v:?} is not IP:PORT"))?);
            }
            "--region" => region = Some(value("--region")?),
            "--token" => token = Some(value("--token")?),
            "--dkim" => dkim = value("--dkim")?.split(',').map(str::to_owned).collect(),
            "--mail-from" => mail_from = Some(value("--mail-from")?),
            "--records-only" => records_only = true,
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ if domain.is_none() => domain = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    Ok(Args {
        nameserver,
        region: region.ok_or("--region is required")?,
        token: token.ok_or("--token is required")?,
        dkim,
        mail_from,
        records_only,
        domain: domain.ok_or("DOMAIN is required")?,
    })
}

/// The setup the arguments describe, or a message with the error code.
fn build_setup(args: &Args) -> Result<DomainSetup, String> {
    let fail = |code: &str, e: &dyn std::fmt::Display| format!("{code}: {e}");
    let profile = ProviderProfile::ses(&args.region).map_err(|e| fail(e.code(), &e))?;
    let token = VerificationToken::new(&args.token).map_err(|e| fail(e.code(), &e))?;
    let domain: DomainName =
        args.domain.parse().map_err(|e: email_routing::DomainNameError| fail(e.code(), &e))?;
    let mut setup = DomainSetup::custom(domain, profile, token).map_err(|e| fail(e.code(), &e))?;
    if !args.dkim.is_empty() {
        let tokens = args
            .dkim
            .iter()
            .map(|t| DkimToken::new(t))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| fail(e.code(), &e))?;
        setup = setup.with_dkim_tokens(tokens).map_err(|e| fail(e.code(), &e))?;
    }
    if let Some(name) = &args.mail_from {
        let name: DomainName =
            name.parse().map_err(|e: email_routing::DomainNameError| fail(e.code(), &e))?;
        setup = setup.with_mail_from(name).map_err(|e| fail(e.code(), &e))?;
    }
    Ok(setup)
}

/// The report as a table of the hosts to type in the zone found (or, without one, relative to
/// the domain), their type and purpose, status and diagnostics.
fn print_table(report: &DomainReport) {
    match report.zone() {
        Some(zone) => println!("Zone {zone} (from its SOA record): hosts are relative to it."),
        None => println!("No zone found in DNS: hosts are relative to {}.", report.domain()),
    }
    println!();
    let rows: Vec<[String; 4]> = report
        .entries()
        .iter()
        .map(|e| {
            let r = e.record();
            [
                e.host().host().to_owned(),
                r.record_type().to_string(),
                r.purpose().to_string(),
                e.status().code().to_owned(),
            ]
        })
        .collect();
    let header = ["HOST", "TYPE", "PURPOSE", "STATUS"];
    let width = |i: usize| rows.iter().map(|r| r[i].len()).chain([header[i].len()]).max();
    let widths = [0, 1, 2, 3].map(|i| width(i).unwrap_or(0));
    let line = |cells: [&str; 4], diagnostic: &str| {
        let mut out = String::new();
        for (cell, w) in cells.iter().zip(widths) {
            out.push_str(&format!("{cell:w$}  "));
        }
        println!("{out}{diagnostic}");
    };
    line(header, "DIAGNOSTIC");
    for (row, e) in rows.iter().zip(report.entries()) {
        let mut diagnostics = e.diagnostics().iter().map(|d| format!("{}: {d}", d.code()));
        let first = diagnostics.next().unwrap_or_else(|| "-".to_owned());
        line([&row[0], &row[1], &row[2], &row[3]], &first);
        for more in diagnostics {
            line(["", "", "", ""], &more);
        }
    }
}

fn exit_status(report: &DomainReport) -> u8 {
    let summary = report.summary();
    if summary.missing + summary.mismatched > 0 {
        EXIT_MISSING
    } else if summary.unknown > 0 {
        EXIT_TRANSIENT
    } else {
        0
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let setup = match build_setup(&args) {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };

    if !args.records_only {
        println!("; Records to publish for {} ({})", setup.name(), setup.profile().name());
    }
    for record in setup.required_records() {
        println!("{record}");
    }
    if args.records_only {
        return ExitCode::SUCCESS;
    }

    let options = ResolverOptions::default().timeout(Duration::from_secs(3)).attempts(2).no_cache();
    let dns = match args.nameserver {
        Some(addr) => HickoryLookup::with_nameserver(addr, options),
        None => HickoryLookup::from_system_conf(options),
    };
    let dns = match dns {
        Ok(dns) => dns,
        Err(e) => {
            eprintln!("error: {}: {e}", e.code());
            return ExitCode::from(EXIT_TRANSIENT);
        }
    };
    let report = setup.check().run_async(&dns).await;
    println!();
    print_table(&report);
    ExitCode::from(exit_status(&report))
}
