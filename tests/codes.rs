//! The README's table of codes and the codes the crate can return are the same set, both ways.
//!
//! The crate's codes are read from the source: every string a `code()` function returns in a
//! match arm (`Variant => "area.code"`), and code constants (`const X: &str = "area.code";`,
//! for codes chosen at run time, such as a file loader's). Record statuses (`found`, `missing`...) are states,
//! documented in the DNS section, not codes, and are left out.

use std::collections::BTreeSet;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The strings `code()` functions return in `src/`.
fn codes_in_source() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut codes = BTreeSet::new();
    for file in files {
        // Record statuses are states, and the test fixtures' constants are not codes.
        if file.ends_with("dns/report.rs") || file.ends_with("testing.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let mut in_code = None;
        for line in text.lines() {
            if let Some((_, rest)) = line.trim_start().split_once("const ")
                && rest.contains(": &str = \"")
                && let Some(code) = rest.split('"').nth(1)
                && code.contains('.')
                && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
            {
                codes.insert(code.to_owned());
            }
            let indent = line.len() - line.trim_start().len();
            if line.trim_start().starts_with("pub fn code(") {
                in_code = Some(indent);
                continue;
            }
            let Some(fn_indent) = in_code else { continue };
            if line.trim() == "}" && indent == fn_indent {
                in_code = None;
                continue;
            }
            if let Some((_, rest)) = line.split_once("=> \"")
                && let Some((code, _)) = rest.split_once('"')
            {
                codes.insert(code.to_owned());
            }
            // A code function of one value: its literal alone on a line.
            let bare = line.trim();
            if bare.len() > 2 && bare.starts_with('"') && bare.ends_with('"') {
                codes.insert(bare.trim_matches('"').to_owned());
            }
        }
    }
    codes
}

/// The codes in the README's "Error codes" section: backticked words in the first column.
fn codes_in_readme() -> BTreeSet<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme.split("\n## Error codes").nth(1).expect("an Error codes section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut codes = BTreeSet::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let first = line.trim_start_matches('|').split('|').next().unwrap_or("");
        for (i, part) in first.split('`').enumerate() {
            if i % 2 == 1 {
                codes.insert(part.to_owned());
            }
        }
    }
    codes
}

#[test]
fn the_readme_lists_exactly_the_codes_the_crate_returns() {
    let source = codes_in_source();
    let readme = codes_in_readme();
    assert!(source.len() > 100, "too few codes found in the source: {source:?}");
    let undocumented: Vec<&String> = source.difference(&readme).collect();
    let stale: Vec<&String> = readme.difference(&source).collect();
    assert!(
        undocumented.is_empty() && stale.is_empty(),
        "codes the crate returns but the README does not list: {undocumented:?}\n\
         codes the README lists but the crate never returns: {stale:?}"
    );
}
