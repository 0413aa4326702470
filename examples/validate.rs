//! Bulk-check addresses (or, with `--domains`, domain names): one input per stdin line, exactly
//! one output line each:
//!
//! ```text
//! ok<TAB>NORMALIZED
//! err<TAB>CODE<TAB>MESSAGE
//! ```
//!
//! NORMALIZED is the NFC local part, `@`, and the lowercase ASCII domain (with `--domains`: the
//! ASCII domain). Run with `cargo run --example validate [-- --domains] < list.txt`.

use std::io::{self, BufRead, BufWriter, Write};

use email_routing::{DomainName, EmailAddress};

fn main() -> io::Result<()> {
    let domains = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--domains") => true,
        Some(other) => {
            eprintln!("unknown argument {other:?}; usage: validate [--domains] < list.txt");
            std::process::exit(2);
        }
    };
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lock().split(b'\n') {
        let line = line?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        let Ok(text) = std::str::from_utf8(line) else {
            writeln!(
                out,
                "err\tinput.not_utf8\tthe line is not valid UTF-8: re-encode it as UTF-8"
            )?;
            continue;
        };
        let result = if domains {
            DomainName::new(text).map(|d| d.to_string()).map_err(|e| (e.code(), e.to_string()))
        } else {
            EmailAddress::new(text).map(|a| a.to_string()).map_err(|e| (e.code(), e.to_string()))
        };
        match result {
            Ok(normalized) => writeln!(out, "ok\t{normalized}")?,
            // Messages quote the input with Debug escapes, so they never contain a raw tab or
            // newline and the one-line-per-input contract holds.
            Err((code, message)) => writeln!(out, "err\t{code}\t{message}")?,
        }
    }
    out.flush()
}
