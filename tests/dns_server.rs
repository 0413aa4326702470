//! A real authoritative server (hickory-server, in-process on 127.0.0.1, UDP and TCP) serving a
//! zone made from the required records, checked through the `resolver` feature.
#![cfg(feature = "resolver")]

use email_routing::testing::{SES_TOKEN as TOKEN, ses_setup as setup};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use email_routing::Timestamp;
use email_routing::dns::{
    Diagnostic, DomainReport, DomainStatus, HickoryLookup, Purpose, RecordStatus, RequiredRecord,
    ResolverOptions, VerificationState,
};
use hickory_server::Server;
use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::proto::rr::{LowerName, Name};
use hickory_server::proto::serialize::txt::Parser;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use tokio::net::{TcpListener, UdpSocket};

const ZONE: &str = "customer.com";
const T0: Timestamp = match Timestamp::from_unix_millis(1_700_000_000_000) {
    Ok(t) => t,
    Err(_) => panic!("in range"),
};

/// Zone text: SOA and NS, then `lines`.
fn zone_text(lines: impl IntoIterator<Item = String>) -> String {
    let mut text = format!(
        "$ORIGIN {ZONE}.\n@ 300 IN SOA ns1.{ZONE}. hostmaster.{ZONE}. 1 7200 3600 1209600 300\n@ 300 IN NS ns1.{ZONE}.\n"
    );
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

fn rendered(records: &[RequiredRecord], skip: impl Fn(&RequiredRecord) -> bool) -> Vec<String> {
    records.iter().filter(|r| !skip(r)).map(ToString::to_string).collect()
}

/// Serves `text` on an ephemeral port of 127.0.0.1, over UDP and TCP.
async fn serve(text: &str) -> (SocketAddr, Server<Catalog>) {
    let origin = Name::from_ascii(format!("{ZONE}.")).unwrap();
    let (_, records) = Parser::new(text, None, Some(origin.clone())).parse().unwrap();
    let handler = InMemoryZoneHandler::<TokioRuntimeProvider>::new(
        origin.clone(),
        records,
        ZoneType::Primary,
        AxfrPolicy::Deny,
    )
    .unwrap();
    let mut catalog = Catalog::new();
    let handlers: Vec<Arc<dyn ZoneHandler>> = vec![Arc::new(handler)];
    catalog.upsert(LowerName::new(&origin), handlers);
    // The same port for UDP and TCP; retry if another process holds the TCP side.
    for _ in 0..20 {
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = udp.local_addr().unwrap();
        let Ok(tcp) = TcpListener::bind(addr).await else { continue };
        let mut server = Server::new(catalog);
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5), 1024);
        return (addr, server);
    }
    panic!("no free port pair on 127.0.0.1");
}

fn options() -> ResolverOptions {
    ResolverOptions::default().timeout(Duration::from_secs(1)).attempts(1).no_cache()
}

async fn check_against(text: &str) -> DomainReport {
    let (addr, mut server) = serve(text).await;
    let dns = HickoryLookup::with_nameserver(addr, options()).unwrap();
    // The check runs on another worker: its future must be Send.
    let report = tokio::spawn(async move { setup().check().run_async(&dns).await }).await.unwrap();
    server.shutdown_gracefully().await.unwrap();
    report
}

fn entry(report: &DomainReport, purpose: Purpose) -> &email_routing::dns::RecordReport {
    report.entries_for(purpose).next().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_zone_is_found_and_verifies() {
    let setup = setup();
    let report = check_against(&zone_text(rendered(setup.required_records(), |_| false))).await;
    assert!(report.all_found(), "{report:#?}");
    let mut status = DomainStatus::new(&setup, T0);
    status.observe(&report, T0.plus_hours(1)).unwrap();
    assert!(matches!(status.verification(), VerificationState::Verified { .. }));
    assert!(status.can_send() && status.can_receive());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_a_mismatch() {
    let setup = setup();
    let mut lines = rendered(setup.required_records(), |r| r.purpose() == Purpose::Verification);
    lines.push(
        "_amazonses.support 300 IN TXT \"AnotherAccountsToken000000000000000000000=\"".into(),
    );
    let report = check_against(&zone_text(lines)).await;
    let e = entry(&report, Purpose::Verification);
    assert!(matches!(e.status(), RecordStatus::Mismatch { .. }), "{e:#?}");
    assert_eq!(e.diagnostics()[0].code(), "dns.verification_other_token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_mx_is_missing() {
    let setup = setup();
    let lines = rendered(setup.required_records(), |r| r.purpose() == Purpose::InboundMx);
    let report = check_against(&zone_text(lines)).await;
    let e = entry(&report, Purpose::InboundMx);
    assert!(matches!(e.status(), RecordStatus::Missing { .. }), "{e:#?}");
    assert_eq!(e.diagnostics()[0].code(), "dns.record_missing");
    assert!(entry(&report, Purpose::Verification).status().is_found());
    // support.customer.com lives in the customer.com zone: the MX's host there is `support`
    // (`@` would be the whole company's apex).
    assert_eq!(report.zone().map(|z| z.as_str()), Some(ZONE));
    let [Diagnostic::Missing { host, .. }] = e.diagnostics() else { panic!("{e:#?}") };
    assert_eq!(host.host(), "support");
    assert!(host.zone_found());
    let message = e.diagnostics()[0].to_string();
    assert!(message.contains("host \"support\" in the customer.com zone"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_host_is_relative_to_the_parent_zone() {
    let report = check_against(&zone_text(Vec::new())).await;
    assert_eq!(report.zone().map(|z| z.as_str()), Some(ZONE));
    let hosts: Vec<&str> = report.entries().iter().map(|e| e.host().host()).collect();
    assert_eq!(
        hosts,
        [
            "_amazonses.support",
            "support",
            "tok1._domainkey.support",
            "tok2._domainkey.support",
            "tok3._domainkey.support",
            "bounce.support",
            "bounce.support",
        ]
    );
    for e in report.entries() {
        let [Diagnostic::Missing { host, .. }] = e.diagnostics() else { panic!("{e:#?}") };
        assert_eq!(host, e.host());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cname_where_the_mx_must_go_is_named() {
    let setup = setup();
    let mut lines = rendered(setup.required_records(), |r| r.purpose() != Purpose::Verification);
    lines.push("support 300 IN CNAME web.customer.com.".into());
    lines.push("web 300 IN A 192.0.2.80".into());
    let report = check_against(&zone_text(lines)).await;
    assert!(entry(&report, Purpose::Verification).status().is_found());
    let e = entry(&report, Purpose::InboundMx);
    assert_eq!(
        e.status(),
        &RecordStatus::Mismatch { found: vec!["CNAME web.customer.com.".into()] },
        "{e:#?}"
    );
    let [Diagnostic::CnameConflict { target, host, .. }] = e.diagnostics() else {
        panic!("{e:#?}")
    };
    assert_eq!(target, "web.customer.com.");
    assert_eq!(host.host(), "support");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_doubled_name_is_diagnosed() {
    let setup = setup();
    let mut lines = rendered(setup.required_records(), |r| r.purpose() == Purpose::Verification);
    // The admin typed the full name into the host field of the customer.com zone.
    lines.push(format!("_amazonses.support.customer.com 300 IN TXT \"{TOKEN}\""));
    let report = check_against(&zone_text(lines)).await;
    let e = entry(&report, Purpose::Verification);
    assert!(matches!(e.status(), RecordStatus::Missing { .. }), "{e:#?}");
    assert_eq!(e.diagnostics()[0].code(), "dns.name_doubled");
    assert!(e.diagnostics()[0].to_string().contains("\"_amazonses.support\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_is_unknown_and_a_verified_domain_stays_verified() {
    let port = {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().port()
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let dns = HickoryLookup::with_nameserver(addr, options()).unwrap();
    let setup = setup();
    let started = std::time::Instant::now();
    let report = setup.check().run_async(&dns).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(report.summary().unknown, report.entries().len(), "{report:#?}");
    for e in report.entries() {
        let RecordStatus::Unknown { failure } = e.status() else { panic!("{e:?}") };
        assert!(matches!(&e.diagnostics()[0], Diagnostic::LookupFailed { .. }));
        assert_eq!(e.diagnostics()[0].code(), failure.code());
    }

    // A domain verified earlier is not downgraded by a server that does not answer.
    let mut status = DomainStatus::new(&setup, T0);
    let mut good = email_routing::dns::InMemoryDns::new();
    good.publish_all(setup.required_records());
    status.observe(&setup.check().run(&good), T0.plus_hours(1)).unwrap();
    for h in [2, 50, 100, 200] {
        status.observe(&report, T0.plus_hours(h)).unwrap();
    }
    assert!(matches!(status.verification(), VerificationState::Verified { .. }));
    assert!(status.can_send() && status.can_receive());
}

/// The `dns_check` example's binary: `cargo test --all-features` builds it next to this test.
fn dns_check_binary() -> std::path::PathBuf {
    let mut dir = std::env::current_exe().unwrap();
    dir.pop();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir.join("examples").join(format!("dns_check{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        let status = std::process::Command::new(env!("CARGO"))
            .args(["build", "-q", "--features", "resolver", "--example", "dns_check"])
            .status()
            .unwrap();
        assert!(status.success(), "building the dns_check example failed");
    }
    path
}

/// `dns_check` as an admin runs it, against the README's zone: `support.customer.com` kept in
/// the `customer.com` zone, the verification TXT typed as a full name into the customer.com
/// form, and the name itself an alias of the web site.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_check_prints_hosts_relative_to_the_parent_zone() {
    let text = zone_text([
        format!("_amazonses.support.customer.com 300 IN TXT \"{TOKEN}\""),
        "support 300 IN CNAME www.customer.com.".to_owned(),
        "www 300 IN A 192.0.2.80".to_owned(),
    ]);
    let (addr, mut server) = serve(&text).await;
    let binary = dns_check_binary();
    let args = ["--nameserver", &addr.to_string(), "--region", "us-east-1", "--token", TOKEN]
        .map(str::to_owned);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(binary).args(args).arg("support.customer.com").output()
    })
    .await
    .unwrap()
    .unwrap();
    server.shutdown_gracefully().await.unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("\nZone customer.com (from its SOA record): hosts are relative to it.\n"),
        "{stdout}"
    );
    let table: Vec<&str> = stdout.lines().skip_while(|l| !l.starts_with("HOST")).collect();
    assert!(
        table[0].starts_with("HOST                TYPE  PURPOSE       STATUS    DIAGNOSTIC"),
        "{stdout}"
    );
    assert!(
        table[1]
            .starts_with("_amazonses.support  TXT   verification  missing   dns.name_doubled: "),
        "{stdout}"
    );
    assert!(
        table[1].ends_with("change the host to \"_amazonses.support\" in the customer.com zone"),
        "{stdout}"
    );
    assert!(table[2].starts_with("support             MX    inbound MX    mismatch  dns.cname_conflict: support.customer.com is a CNAME to \"www.customer.com.\""), "{stdout}");
    assert!(
        table[2].contains("add the MX record with host \"support\" in the customer.com zone"),
        "{stdout}"
    );
}
