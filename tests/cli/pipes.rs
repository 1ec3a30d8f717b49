//! Every command with its reader gone (`caseaudit … | head -1`) and with standard
//! error closed (`2>&-`): no panic, no abort, the exit code it would have had,
//! and every file it writes written.

use crate::common::{AS_OF, Workdir};
use std::process::{Command, Stdio};

/// Every command, on the demo month's files (in `m/`).
const COMMANDS: &[&[&str]] = &[
    &[
        "validate",
        "m/caseaudit.toml",
        "m/extract.csv",
        "m/auditors.csv",
        "m/history.csv",
    ],
    &["cases", "m/extract.csv"],
    &["cases", "m/extract.csv", "--count", "--by", "team"],
    &["plan", "--population", "1500"],
    &[
        "sample",
        "m/extract.csv",
        "--history",
        "m/history.csv",
        "--seed",
        "2026",
    ],
    &["verify", "m/sample.csv.manifest.json"],
    &["dip", "m/extract.csv", "--per", "team", "--n", "1", "--seed", "1"],
    &[
        "allocate",
        "m/sample.csv",
        "--auditors",
        "m/auditors.csv",
        "--history",
        "m/history.csv",
    ],
    &["progress", "m/allocation.csv", "--audits", "m/audits-so-far.csv"],
    &["themes", "m/audits.csv", "--month", "2026-11"],
    &["actions", "m/audits.csv"],
    &[
        "moderate",
        "select",
        "m/audits.csv",
        "--month",
        "2026-11",
        "--seed",
        "1",
    ],
    &["moderate", "summary", "m/audits.csv", "m/moderation.csv"],
    &[
        "report",
        "--month",
        "2026-11",
        "--audits",
        "m/audits.csv",
        "--moderation",
        "m/moderation.csv",
    ],
    &["history", "--history", "m/history.csv"],
    &["collect", "m/forms", "--allocation", "m/allocation.csv"],
    &["collect", "--moderation", "m/moderation-forms"],
    &["completions", "bash"],
    &["man"],
];

fn demo_month(w: &Workdir) {
    w.run(&["demo", "m", "-q"]).ok();
}

/// The command's exit code with standard output a pipe whose reader has gone
/// (`stdout`) or standard error closed (`stderr`), and what it said on the other.
fn run_with(w: &Workdir, args: &[&str], close_stdout: bool, close_stderr: bool) -> (Option<i32>, String) {
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_string()).collect();
    all.extend([
        "-c".into(),
        "m/caseaudit.toml".into(),
        "--as-of".into(),
        AS_OF.into(),
    ]);
    let mut command = if close_stderr {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg("exec \"$0\" \"$@\" 2>&-")
            .arg(env!("CARGO_BIN_EXE_caseaudit"))
            .args(&all);
        c
    } else {
        let mut c = Command::new(env!("CARGO_BIN_EXE_caseaudit"));
        c.args(&all);
        c
    };
    command.current_dir(w.root()).stdin(Stdio::null());
    command.stdout(if close_stdout {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    command.stderr(if close_stderr {
        Stdio::null()
    } else {
        Stdio::piped()
    });
    let mut child = command.spawn().unwrap();
    // The reader goes before the command writes a byte.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_command_exits_quietly_when_its_reader_goes() {
    let w = Workdir::new();
    demo_month(&w);
    for args in COMMANDS {
        let (code, stderr) = run_with(&w, args, true, false);
        assert_eq!(code, Some(0), "caseaudit {} | (closed): {stderr}", args.join(" "));
        assert!(
            !stderr.contains("internal error") && !stderr.contains("panicked"),
            "caseaudit {}: {stderr}",
            args.join(" ")
        );
    }
}

#[test]
fn every_command_runs_with_standard_error_closed() {
    let w = Workdir::new();
    demo_month(&w);
    for args in COMMANDS {
        for close_stdout in [false, true] {
            let (code, _) = run_with(&w, args, close_stdout, true);
            assert_eq!(
                code,
                Some(0),
                "caseaudit {} 2>&- (stdout closed: {close_stdout})",
                args.join(" ")
            );
        }
    }
    // A command that fails says so by its exit code still.
    let (code, _) = run_with(&w, &["cases", "m/no-such-file.csv"], false, true);
    assert_eq!(code, Some(1));
}

#[test]
fn demo_writes_its_month_whoever_reads() {
    let w = Workdir::new();
    for (dir, close_stdout, close_stderr) in [("a", true, false), ("b", false, true), ("c", true, true)] {
        let mut command = Command::new("sh");
        let redirect = if close_stderr { " 2>&-" } else { "" };
        command
            .arg("-c")
            .arg(format!("exec \"$0\" demo {dir} --as-of {AS_OF}{redirect}"))
            .arg(env!("CARGO_BIN_EXE_caseaudit"))
            .current_dir(w.root())
            .stdin(Stdio::null())
            .stdout(if close_stdout {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "demo {dir}: {stderr}");
        assert!(!stderr.contains("internal error"), "{stderr}");
        for file in [
            "extract.csv",
            "sample.csv",
            "allocation.csv",
            "audits.csv",
            "moderation.csv",
            "report.html",
        ] {
            assert!(
                w.path(&format!("{dir}/{file}")).exists(),
                "demo {dir}: {file} written"
            );
        }
    }
}
