//! Every "Examples:" line of every command's `--help` runs against the demo's
//! month, as a user would paste it.
//!
//! Each command's examples run in order in a fresh copy of the finished demo
//! month (so `generate big` then `cases big/extract.csv` works), with `--force`
//! added (the examples write files the demo already holds) and what a shell would
//! do done here: `*` patterns are expanded, a `# comment`, a `| pipe` and a
//! `> redirection` are dropped, and `/tmp/…` becomes a folder in the copy. Files
//! the examples name that the demo lacks are made from the demo's own
//! (`export.csv`, `staff.csv`, `Open cases.xlsx`, …), and very large generated
//! sizes are scaled down to keep the test quick.

use crate::common::Workdir;
use crate::docs::shell_words;
use std::path::Path;

/// Every command path (`["moderate", "select"]`) from the `Commands:` lists.
fn command_paths(w: &Workdir, path: &[String]) -> Vec<Vec<String>> {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let help = w.run(&args).ok().stdout;
    let mut out = Vec::new();
    let mut in_commands = false;
    for line in help.lines() {
        if line == "Commands:" {
            in_commands = true;
            continue;
        }
        if in_commands {
            if line.is_empty() {
                break;
            }
            // "  name   Description"; continuation lines of a description are
            // indented further.
            if let Some(name) = line
                .strip_prefix("  ")
                .filter(|l| !l.starts_with(' '))
                .and_then(|l| l.split_whitespace().next())
                && name != "help"
            {
                let mut sub = path.to_vec();
                sub.push(name.to_string());
                out.push(sub.clone());
                out.extend(command_paths(w, &sub));
            }
        }
    }
    out
}

/// The example lines of one command's `--help`, a wrapped line joined again.
fn examples(w: &Workdir, path: &[String]) -> Vec<String> {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let help = w.run(&args).ok().stdout;
    let mut out: Vec<String> = Vec::new();
    let mut lines = help.lines().skip_while(|l| *l != "Examples:").skip(1);
    for line in lines.by_ref() {
        if line.trim().is_empty() {
            break;
        }
        // An example and the lines it wraps onto are indented by two spaces; a
        // note under an example by more.
        let Some(text) = line.strip_prefix("  ").filter(|t| !t.starts_with(' ')) else {
            continue;
        };
        if let Some(example) = text.strip_prefix("caseaudit ") {
            out.push(example.to_string());
        } else if let Some(last) = out.last_mut() {
            last.push(' ');
            last.push_str(line.trim());
        }
    }
    out
}

/// What a shell would pass for one example line, run in `dir`.
fn as_args(example: &str, dir: &Path) -> Vec<String> {
    // A comment, then a pipe or a redirection, end what runs.
    let mut text = example.to_string();
    if let Some(i) = text.find(" #") {
        text.truncate(i);
    }
    let mut in_quotes = None;
    let mut cut = text.len();
    for (i, c) in text.char_indices() {
        match (c, in_quotes) {
            ('"' | '\'', None) => in_quotes = Some(c),
            (q, Some(open)) if q == open => in_quotes = None,
            ('|' | '>', None) => {
                cut = i;
                break;
            }
            _ => {}
        }
    }
    text.truncate(cut);
    let words = shell_words(&text).unwrap_or_else(|e| panic!("caseaudit {example}: {e}"));
    let mut args = Vec::new();
    for word in words {
        let word = match word.as_str() {
            "1000000" => "3000".to_string(),
            "20000" => "2000".to_string(),
            _ => word
                .strip_prefix("/tmp/")
                .map_or(word.clone(), |rest| format!("tmp/{rest}")),
        };
        if word.contains('*') {
            args.extend(glob(dir, &word));
        } else {
            args.push(word);
        }
    }
    if !args.iter().any(|a| a == "--force") {
        args.push("--force".into());
    }
    args
}

/// The files of `dir` a `prefix*suffix` pattern names, sorted as a shell sorts.
fn glob(dir: &Path, pattern: &str) -> Vec<String> {
    let (prefix, suffix) = pattern.split_once('*').unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && n.ends_with(suffix) && n.len() >= pattern.len() - 1)
        .collect();
    names.sort();
    assert!(!names.is_empty(), "{pattern} names no file of the demo");
    names
}

/// The finished demo month, with the files the examples name that it lacks.
fn prepare(w: &Workdir) -> std::path::PathBuf {
    w.run(&["demo", "month", "-q"]).ok();
    let month = w.path("month");
    let copy = |from: &str, to: &str| std::fs::copy(month.join(from), month.join(to)).unwrap();
    copy("extract.csv", "export.csv");
    copy("extract.csv", "copy-of-extract.csv");
    copy("auditors.csv", "staff.csv");
    // `audits-*.csv` stands for a month's files of audits (the demo's all in one),
    // and `moderation-*.csv` for files of moderation results.
    std::fs::rename(month.join("audits-so-far.csv"), month.join("so-far.csv")).unwrap();
    copy("audits.csv", "audits-2026.csv");
    std::fs::rename(month.join("moderation-sample.csv"), month.join("chosen.csv")).unwrap();
    // The moderation sample as `moderate select`'s example names it.
    copy("chosen.csv", "to-moderate.csv");
    copy("moderation.csv", "moderation-2026.csv");
    w.run(&["cases", "month/extract.csv", "-o", "month/Open cases.xlsx"])
        .ok();
    month
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn every_help_example_runs_on_the_demo_month() {
    let w = Workdir::new();
    let month = prepare(&w);
    let mut failures = Vec::new();
    let mut count = 0;
    for path in command_paths(&w, &[]) {
        let examples = examples(&w, &path);
        if examples.is_empty() {
            continue;
        }
        let dir = w.path(&format!("run-{}", path.join("-")));
        copy_dir(&month, &dir);
        for example in examples {
            count += 1;
            let args = as_args(&example, &dir);
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_caseaudit"))
                .current_dir(&dir)
                .args(&args)
                .env_remove("COLUMNS")
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            if !out.status.success() {
                failures.push(format!(
                    "caseaudit {} --help: caseaudit {example}\n  ran: {}\n  exit {:?}\n{}",
                    path.join(" "),
                    args.join(" "),
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
    }
    assert!(count > 40, "only {count} examples found");
    assert!(
        failures.is_empty(),
        "{} help example(s) fail:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_where_help_describes_the_language_and_its_examples_run() {
    let w = Workdir::new();
    prepare(&w);
    for command in ["cases", "dip", "themes", "actions"] {
        let help = w.run(&[command, "--help"]).ok().stdout;
        for needle in [
            "contains",
            "within 6 months",
            "and, or, not",
            "\"Allocated Team\"",
            "2026-11-01",
        ] {
            assert!(help.contains(needle), "{command} --help lacks {needle:?}");
        }
        assert!(!help.contains("see the README"), "{command}");
    }
    let help = w.run(&["cases", "--help"]).ok().stdout;
    let examples: Vec<String> = help
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--where "))
        .map(|e| shell_words(e).unwrap().remove(0))
        .collect();
    assert_eq!(examples.len(), 2, "{help}");
    for filter in examples {
        w.run(&["cases", "month/extract.csv", "--where", &filter, "--count"])
            .ok();
    }
}
