//! Replays every input under `tests/fuzz_regressions/<target>/` through the same
//! `caseaudit::fuzz::<target>` entry point the fuzzer in `fuzz/` calls: each file is a
//! minimised input that once crashed, hung or ran out of memory (named after what it
//! found), or a seed that keeps the entry point guarded. A panic fails the test; so
//! does an input that takes longer than the fuzzers' own time limit.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The fuzzers run with `-timeout=10`; a debug build is slower, so allow more.
const LIMIT: Duration = Duration::from_secs(30);

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Runs each input as the fuzz target does: `&str` targets skip bytes that are not
/// UTF-8 (libFuzzer never hands them over), so such a file here is a mistake.
fn replay(target: &str, run: impl Fn(&[u8])) {
    for (path, bytes) in inputs(target) {
        let start = Instant::now();
        run(&bytes);
        let took = start.elapsed();
        assert!(took < LIMIT, "{} took {took:?}", path.display());
    }
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("a text target's input is UTF-8")
}

#[test]
fn dates() {
    replay("dates", |b| caseaudit::fuzz::dates(text(b)));
}

#[test]
fn filter() {
    replay("filter", |b| caseaudit::fuzz::filter(text(b)));
}

#[test]
fn settings() {
    replay("settings", |b| caseaudit::fuzz::settings(text(b)));
}

#[test]
fn grade() {
    replay("grade", |b| caseaudit::fuzz::grade(text(b)));
}

#[test]
fn tables() {
    replay("tables", caseaudit::fuzz::tables);
}

#[test]
fn census() {
    replay("census", caseaudit::fuzz::census);
}

#[test]
fn workbook() {
    replay("workbook", caseaudit::fuzz::workbook);
}

#[test]
fn ods() {
    replay("ods", caseaudit::fuzz::ods);
}

#[test]
fn xls() {
    replay("xls", caseaudit::fuzz::xls);
}

#[test]
fn decoding() {
    replay("decoding", caseaudit::fuzz::decoding);
}

#[test]
fn manifest() {
    replay("manifest", caseaudit::fuzz::manifest);
}

#[test]
fn forms() {
    replay("forms", caseaudit::fuzz::forms);
}
