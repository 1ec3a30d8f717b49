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
    // Commands that write files of their own (each run again over them).
    &[
        "record",
        "m/allocation.csv",
        "--history",
        "m/history.csv",
        "--auditors",
        "m/auditors.csv",
    ],
    &[
        "forms",
        "m/allocation.csv",
        "--extract",
        "m/extract.csv",
        "-o",
        "blank-forms",
        "--force",
    ],
    &[
        "init",
        "m/extract.csv",
        "m/auditors.csv",
        "-o",
        "init.toml",
        "--force",
    ],
    &["generate", "generated", "--cases", "60", "--force"],
];

/// Commands that write a file (`-o`, last): it must be written whoever reads
/// their messages.
const WRITERS: &[&[&str]] = &[
    &["cases", "m/extract.csv", "-o", "w/cases.csv"],
    &[
        "sample",
        "m/extract.csv",
        "--history",
        "m/history.csv",
        "--seed",
        "2026",
        "-o",
        "w/sample.csv",
    ],
    &[
        "allocate",
        "m/sample.csv",
        "--auditors",
        "m/auditors.csv",
        "--history",
        "m/history.csv",
        "-o",
        "w/allocation.csv",
    ],
    &["themes", "m/audits.csv", "-o", "w/themes.csv"],
    &[
        "moderate",
        "select",
        "m/audits.csv",
        "--month",
        "2026-11",
        "--seed",
        "1",
        "-o",
        "w/moderation-sample.csv",
    ],
    &[
        "report",
        "--month",
        "2026-11",
        "--audits",
        "m/audits.csv",
        "-o",
        "w/report.html",
    ],
    &["collect", "m/forms", "-o", "w/collected.csv"],
    &[
        "forms",
        "m/allocation.csv",
        "--extract",
        "m/extract.csv",
        "-o",
        "w/forms",
    ],
];

/// How standard error is left for the command.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stderr {
    /// A pipe the test reads.
    Read,
    /// Closed (`2>&-`): writing fails at once.
    Closed,
    /// A pipe whose reader has gone (`2>&1 | head -1`): writing breaks the pipe.
    Gone,
}

fn demo_month(w: &Workdir) {
    w.run(&["demo", "m", "-q"]).ok();
}

/// The command's exit code with standard output a pipe whose reader has gone
/// (`close_stdout`) and standard error as `stderr` says, and what it said there
/// when it is read.
fn run_with(w: &Workdir, args: &[&str], close_stdout: bool, stderr: Stderr) -> (Option<i32>, String) {
    let close_stderr = stderr == Stderr::Closed;
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
    // The readers go before the command writes a byte.
    drop(child.stdout.take());
    if stderr == Stderr::Gone {
        drop(child.stderr.take());
    }
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
        let (code, stderr) = run_with(&w, args, true, Stderr::Read);
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
            let (code, _) = run_with(&w, args, close_stdout, Stderr::Closed);
            assert_eq!(
                code,
                Some(0),
                "caseaudit {} 2>&- (stdout closed: {close_stdout})",
                args.join(" ")
            );
        }
    }
    // A command that fails says so by its exit code still.
    let (code, _) = run_with(&w, &["cases", "m/no-such-file.csv"], false, Stderr::Closed);
    assert_eq!(code, Some(1));
}

#[test]
fn every_file_is_written_when_both_readers_have_gone() {
    let w = Workdir::new();
    demo_month(&w);
    for args in WRITERS {
        let file = args[args.len() - 1];
        for stderr in [Stderr::Closed, Stderr::Gone] {
            let _ = std::fs::remove_dir_all(w.path("w"));
            std::fs::create_dir(w.path("w")).unwrap();
            let (code, _) = run_with(&w, args, true, stderr);
            assert_eq!(code, Some(0), "caseaudit {} (stderr {stderr:?})", args.join(" "));
            assert!(
                w.path(file).exists(),
                "caseaudit {} (stderr {stderr:?}) wrote no {file}",
                args.join(" ")
            );
        }
    }
    // A command that fails says so by its exit code still.
    let (code, _) = run_with(&w, &["cases", "m/no-such-file.csv"], true, Stderr::Gone);
    assert_eq!(code, Some(1));
}

#[test]
fn demo_writes_its_month_whoever_reads() {
    let w = Workdir::new();
    // (d: `caseaudit demo d 2>&1 | head -1`, both on one pipe whose reader goes.)
    for (dir, close_stdout, close_stderr) in [
        ("a", true, false),
        ("b", false, true),
        ("c", true, true),
        ("d", true, false),
    ] {
        let mut command = Command::new("sh");
        let redirect = match (close_stderr, dir) {
            (true, _) => " 2>&-",
            (false, "d") => " 2>&1",
            (false, _) => "",
        };
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

/// `-o` naming a pipe or a device writes into it: it is never replaced by a file
/// (`-o /dev/null --force` once made /dev/null a file for the whole machine).
#[cfg(unix)]
#[test]
fn a_pipe_or_a_device_named_by_o_is_written_into_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let w = Workdir::new();
    demo_month(&w);
    let fifo = w.path("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // The pipe's reader, in the background (were the pipe replaced, it would wait on).
    let mut cat = Command::new("sh")
        .arg("-c")
        .arg("cat fifo > read.txt")
        .current_dir(w.root())
        .spawn()
        .unwrap();
    w.run(&["cases", "m/extract.csv", "--count", "-o", "fifo", "--force"])
        .ok();
    let replaced = !std::fs::metadata(&fifo).unwrap().file_type().is_fifo();
    if replaced {
        let _ = cat.kill();
    }
    cat.wait().unwrap();
    assert!(!replaced, "the pipe was replaced by a file");
    assert_eq!(w.read("read.txt"), "count\n1500\n");
    // Without --force too: writing into a device replaces nothing.
    w.run(&["cases", "m/extract.csv", "--count", "-o", "/dev/null"])
        .ok();
    w.run(&["cases", "m/extract.csv", "--count", "-o", "/dev/null", "--force"])
        .ok();
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}
