//! `demo`: the synthetic month, written and run end to end.

use crate::common::{Workdir, csv_rows};
use std::process::{Command, Stdio};

/// Every file a demo month leaves in its folder.
const MONTH: [&str; 13] = [
    "caseaudit.toml",
    "extract.csv",
    "auditors.csv",
    "history.csv",
    "sample.csv",
    "sample.csv.manifest.json",
    "allocation.csv",
    "audits-so-far.csv",
    "audits.csv",
    "moderation-sample.csv",
    "moderation.csv",
    "report.html",
    "report.md",
];

#[test]
fn demo_writes_a_month_and_runs_it() {
    let w = Workdir::new();
    let run = w.run(&["demo", "month"]).ok();
    for name in MONTH {
        assert!(w.path("month").join(name).is_file(), "{name} written");
    }
    assert!(w.path("month/packs").is_dir(), "the team packs written");
    // The month's audits went out as forms and came back through them.
    let forms = std::fs::read_dir(w.path("month/forms")).unwrap().count();
    assert_eq!(forms, 25, "a workbook per auditor (one case each)");
    assert!(
        w.path("month/moderation-forms/moderation-2026-11.xlsx").is_file() || {
            // The month is the demo's as-of month, whichever it is.
            std::fs::read_dir(w.path("month/moderation-forms"))
                .unwrap()
                .count()
                == 1
        }
    );
    assert!(
        run.stderr
            .contains("collected 25 audits from 25 workbooks (every form filled in)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("$ caseaudit validate caseaudit.toml extract.csv auditors.csv history.csv")
    );
    assert!(
        run.stderr.contains("extract.csv: case extract, "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("allocated 25 cases"), "{}", run.stderr);
    // The same seed and date give the same month.
    let again = Workdir::new();
    again.run(&["demo", "month"]).ok();
    for name in [
        "extract.csv",
        "auditors.csv",
        "allocation.csv",
        "audits.csv",
        "moderation.csv",
    ] {
        let name = format!("month/{name}");
        assert_eq!(w.read(&name), again.read(&name), "{name} reproduces");
    }
    // A non-empty folder is refused without --force.
    w.run(&["demo", "month"]).fails(1).stderr_has("is not empty");
    w.run(&["demo", "month", "--force"]).ok();
}

/// The demo once completed this month's audits up to the 15th and moderated them
/// later still, whatever the as-of date.
#[test]
fn demo_dates_no_audit_or_moderation_after_its_as_of_date() {
    let w = Workdir::new();
    let as_of = "2026-11-02";
    let output = Command::new(env!("CARGO_BIN_EXE_caseaudit"))
        .current_dir(w.root())
        .args(["demo", "month", "--as-of", as_of, "--quiet"])
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dated = |file: &str, column: &str| -> Vec<String> {
        let rows = csv_rows(&w.read(&format!("month/{file}")));
        let at = rows[0].iter().position(|c| c == column).unwrap();
        rows[1..].iter().map(|r| r[at].clone()).collect()
    };
    let completed = dated("audits.csv", "completed_on");
    let this_month = completed.iter().filter(|d| d.starts_with("2026-11")).count();
    assert_eq!(this_month, 25, "this month's audits are there");
    let moderated = dated("moderation.csv", "moderated_on");
    assert!(!moderated.is_empty());
    for day in completed.iter().chain(&moderated) {
        assert!(day.len() == 10 && day.as_str() <= as_of, "{day} is after {as_of}");
    }
}
