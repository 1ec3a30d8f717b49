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
