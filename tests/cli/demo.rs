//! `demo`: the synthetic month, written and run end to end.

use crate::common::Workdir;

#[test]
fn demo_writes_a_month_and_runs_it() {
    let w = Workdir::new();
    let run = w.run(&["demo", "month"]).ok();
    for name in ["caseaudit.toml", "extract.csv", "auditors.csv", "history.csv"] {
        assert!(w.path("month").join(name).is_file(), "{name} written");
    }
    assert!(
        run.stdout
            .contains("$ caseaudit validate caseaudit.toml extract.csv auditors.csv history.csv")
    );
    assert!(
        run.stderr.contains("extract.csv: case extract, "),
        "{}",
        run.stderr
    );
    // The same seed and date give the same files.
    let again = Workdir::new();
    again.run(&["demo", "month"]).ok();
    assert_eq!(w.read("month/extract.csv"), again.read("month/extract.csv"));
    // A non-empty folder is refused without --force.
    w.run(&["demo", "month"]).fails(1).stderr_has("is not empty");
    w.run(&["demo", "month", "--force"]).ok();
}
