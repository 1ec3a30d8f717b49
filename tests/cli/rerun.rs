//! The month re-run after it is recorded: the same sample and the same
//! allocation, byte for byte, and recording it again changes nothing.

use crate::common::Workdir;

#[test]
fn a_month_rerun_after_record_gives_the_same_sample_and_allocation() {
    let w = Workdir::new();
    // The demo draws, allocates and records the month (its history then holds it).
    w.run(&["demo", "m", "-q"]).ok();
    let at = |f: &str| format!("m/{f}");
    let settings = at("caseaudit.toml");
    w.run(&[
        "sample",
        &at("extract.csv"),
        "--history",
        &at("history.csv"),
        "--seed",
        "2026",
        "-o",
        "again.csv",
        "-c",
        &settings,
    ])
    .ok()
    .stderr_has("already holds 25 rows of 2026-11 or later (recorded since?): the sample uses only the history before 2026-11");
    assert_eq!(w.read("again.csv"), w.read("m/sample.csv"), "the same sample");
    w.run(&[
        "allocate",
        &at("sample.csv"),
        "--auditors",
        &at("auditors.csv"),
        "--history",
        &at("history.csv"),
        "-o",
        "again-allocation.csv",
        "-c",
        &settings,
    ])
    .ok()
    .stderr_has("the allocation uses only the history before 2026-11");
    assert_eq!(
        w.read("again-allocation.csv"),
        w.read("m/allocation.csv"),
        "the same allocation"
    );
    // Recording the same rows again says so and changes nothing.
    let before = w.read("m/history.csv");
    w.run(&[
        "record",
        &at("allocation.csv"),
        "--history",
        &at("history.csv"),
        "-c",
        &settings,
    ])
    .ok()
    .stderr_has("2026-11 already recorded in m/history.csv, row for row: nothing to change");
    assert_eq!(w.read("m/history.csv"), before);
    // Other rows for the month are still refused.
    let edited = w.read("m/allocation.csv").replacen("A00", "B00", 1);
    w.write("edited.csv", edited);
    w.run(&[
        "record",
        "edited.csv",
        "--history",
        &at("history.csv"),
        "-c",
        &settings,
    ])
    .fails(1)
    .stderr_has("already holds 2026-11; nothing was changed");
    // The sample still verifies.
    w.run(&["verify", &at("sample.csv.manifest.json"), "-c", &settings])
        .ok();
}

#[test]
fn the_first_month_and_a_history_named_in_the_settings() {
    let w = Workdir::new();
    w.run(&["demo", "m", "-q"]).ok();
    for f in ["extract.csv", "auditors.csv", "caseaudit.toml"] {
        std::fs::copy(w.path(&format!("m/{f}")), w.path(f)).unwrap();
    }
    // No history at all: said once, and nothing is left out.
    w.run(&["sample", "extract.csv", "--seed", "1", "-o", "s0.csv"])
        .ok()
        .stderr_has("no history (--history FILE, or [history] path in the settings): no case is left out as recently audited");
    // The first month: a history that does not exist yet is fine, and record makes it.
    w.run(&["sample", "extract.csv", "--history", "new-history.csv", "--seed", "1", "-o", "s1.csv"])
        .ok()
        .stderr_has("new-history.csv does not exist yet: the first month, so no case is left out as recently audited; `record` creates it");
    assert_eq!(w.read("s0.csv"), w.read("s1.csv"));
    w.run(&[
        "allocate",
        "s1.csv",
        "--auditors",
        "auditors.csv",
        "--history",
        "new-history.csv",
        "-o",
        "a1.csv",
    ])
    .ok()
    .stderr_has("new-history.csv does not exist yet");
    w.run(&["record", "a1.csv", "--history", "new-history.csv"]).ok();
    assert!(w.path("new-history.csv").exists());
    // [history] path stands for --history everywhere.
    let settings = w.read("caseaudit.toml") + "\n[history]\npath = \"new-history.csv\"\n";
    w.write("caseaudit.toml", settings);
    w.run(&["history", "--case", "no-such-case"]).ok();
    let next = w
        .run(&["sample", "extract.csv", "--seed", "1", "--month", "2026-12"])
        .ok();
    let drawn = w.read("s1.csv");
    let again: Vec<&str> = next.stdout.lines().skip(1).collect();
    let before: Vec<&str> = drawn
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4).unwrap())
        .collect();
    for line in again {
        let id = line.split(',').nth(4).unwrap();
        assert!(
            !before.contains(&id),
            "{id} was audited last month, so is left out"
        );
    }
    w.write("caseaudit.toml", "");
    w.run(&["record", "a1.csv"])
        .fails(2)
        .stderr_has("give the history to record in");
}
