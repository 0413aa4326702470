//! Replays an ACD event log read from standard input and prints, for every `next`, the
//! interaction handed to that agent (`<ms> <id>`) or `<ms> -` if none may go to it.
//!
//! ```text
//! cargo run --release --example acd_replay < events.txt
//! ```
//!
//! The format is documented in `email_routing::acd::replay`. A `remove` or `reprioritize`
//! of an id no longer waiting is a warning on standard error. A malformed line is reported
//! with its line number on standard error, with exit status 2 (1 for an i/o failure).

use std::io::{self, BufWriter};
use std::process::ExitCode;

use email_routing::acd::replay::{self, RunError};

fn main() -> ExitCode {
    let output = BufWriter::new(io::stdout().lock());
    match replay::run(io::stdin().lock(), output, io::stderr().lock()) {
        Ok(_) => ExitCode::SUCCESS,
        Err(RunError::Line { line, error }) => {
            eprintln!("line {line}: {error} ({})", error.code());
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(1)
        }
    }
}
