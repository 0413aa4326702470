//! A `redis-server` of our own for tests, benchmarks and the `acd_fleet` example: Debian's
//! package, on a free loopback port, with a temporary directory, stopped (and the directory
//! removed) when dropped.
//!
//! When `redis-server` is missing, [`RedisServer::start`] returns `None` after printing how
//! to install it, so that a developer's `cargo test` skips these tests; with `CI=true` a
//! missing server is a failure instead.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How to install the server, for the message when it is missing.
pub const INSTALL: &str = "install it with `sudo apt-get install -y redis-server` (Debian, \
    Ubuntu) or `brew install redis` (macOS); `.ci/run` installs it when it is missing";

/// Settings of a server.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// `appendonly yes` with `appendfsync always`: every change is on disk before its reply.
    pub persistent: bool,
}

/// A running `redis-server`.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    settings: Settings,
    binary: PathBuf,
}

fn binary() -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|p| p.join("redis-server")).find(|p| p.is_file())
    });
    from_path.or_else(|| {
        ["/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server"]
            .map(PathBuf::from)
            .into_iter()
            .find(|p| p.is_file())
    })
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("its address").port()
}

static NEXT_DIR: AtomicU32 = AtomicU32::new(0);

impl RedisServer {
    /// A server without persistence; `None` (after saying how to install it) when
    /// `redis-server` is missing outside CI.
    pub fn start() -> Option<Self> {
        Self::start_with(Settings::default())
    }

    /// A server with these settings; `None` when `redis-server` is missing outside CI.
    ///
    /// # Panics
    /// With `CI=true` when `redis-server` is missing; when it does not start.
    pub fn start_with(settings: Settings) -> Option<Self> {
        let Some(binary) = binary() else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("redis-server is missing, and CI=true requires it: {INSTALL}");
            }
            eprintln!("skipping: redis-server is not installed; {INSTALL}");
            return None;
        };
        let n = NEXT_DIR.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("acd-redis-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory for redis-server");
        let mut server = RedisServer { child: None, port: free_port(), dir, settings, binary };
        server.launch();
        Some(server)
    }

    fn launch(&mut self) {
        let mut command = Command::new(&self.binary);
        command
            .arg("--port")
            .arg(self.port.to_string())
            .args(["--bind", "127.0.0.1", "--protected-mode", "yes", "--save", ""])
            .arg("--dir")
            .arg(&self.dir)
            .args(["--daemonize", "no", "--loglevel", "warning", "--logfile", "redis.log"])
            .args(["--enable-debug-command", "local"]);
        if self.settings.persistent {
            command.args(["--appendonly", "yes", "--appendfsync", "always"]);
        } else {
            command.args(["--appendonly", "no"]);
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if self.ping() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "redis-server did not answer on port {} within 10 s; see {:?}",
            self.port,
            self.log()
        );
    }

    /// Whether the server answers PING with PONG (not while it loads its data).
    pub fn ping(&self) -> bool {
        self.command(&["PING"]).is_some_and(|reply| reply == "+PONG")
    }

    /// Sends one command over a fresh connection and returns the first line of the reply.
    pub fn command(&self, args: &[&str]) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let mut request = format!("*{}\r\n", args.len());
        for a in args {
            request.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        stream.write_all(request.as_bytes()).ok()?;
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).ok()?;
        Some(line.trim_end().to_owned())
    }

    /// The URL to connect to.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The temporary directory (data, AOF, log).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn log(&self) -> PathBuf {
        self.dir.join("redis.log")
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and directory (with persistence, it reloads
    /// what it had).
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
