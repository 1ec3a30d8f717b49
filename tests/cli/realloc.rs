//! Reallocation mid-month: `allocate --keep` moves only an unavailable auditor's
//! cases and drops deferred ones; `record --replace` keeps the replaced rows in the
//! history, marked, and nothing else counts them.

use crate::common::{Workdir, csv_rows};

/// The demo's month in `m/`: its sample, auditors, history and recorded allocation.
fn demo() -> Workdir {
    let w = Workdir::new();
    w.run(&["demo", "m", "-q"]).ok();
    w
}

/// `allocate` of the demo's sample, keeping its allocation, with `extra` options.
fn reallocate(w: &Workdir, extra: &[&str]) -> crate::common::Run {
    let mut args = vec![
        "allocate",
        "m/sample.csv",
        "--auditors",
        "m/auditors.csv",
        "--history",
        "m/history.csv",
        "-c",
        "m/caseaudit.toml",
        "--keep",
        "m/allocation.csv",
    ];
    args.extend(extra);
    w.run(&args)
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[test]
fn one_auditor_unavailable_moves_only_their_cases() {
    let w = demo();
    let before = w.read("m/allocation.csv");
    let rows = csv_rows(&before);
    let (case, team, gone) = (&rows[3][1], &rows[3][2], &rows[3][5]);
    let run = reallocate(&w, &["--unavailable", gone, "-o", "new.csv"])
        .ok()
        .stderr_has(&format!("moved case {case} ({team}) from {gone} to "));
    let after = w.read("new.csv");
    let (old, new) = (lines(&before), lines(&after));
    assert_eq!(old.len(), new.len());
    for (i, (o, n)) in old.iter().zip(&new).enumerate() {
        if i == 3 {
            continue;
        }
        assert_eq!(o, n, "row {i} is kept byte for byte");
    }
    let moved = &csv_rows(&after)[3];
    assert_eq!(moved[..5], rows[3][..5], "the case's own columns are unchanged");
    assert_ne!(&moved[5], gone);
    // Every auditor had at most one case: the most even place for the moved case is
    // with an auditor who had none.
    assert!(
        rows[1..].iter().all(|r| r[5] != moved[5]),
        "{} already had a case\n{}",
        moved[5],
        run.stderr
    );
    assert!(
        run.stderr.contains("largest load 1; lower bound 1"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_deferred_case_is_dropped_and_bad_ids_are_usage_errors() {
    let w = demo();
    let rows = csv_rows(&w.read("m/allocation.csv"));
    let (case, holder) = (&rows[5][1], &rows[5][5]);
    reallocate(&w, &["--defer", case, "-o", "new.csv"])
        .ok()
        .stderr_has(&format!(
            "deferred case {case} (was {holder}): left out of the allocation"
        ));
    let after = w.read("new.csv");
    assert!(!after.contains(case.as_str()));
    let kept = w.read("m/allocation.csv");
    let mut expected = lines(&kept);
    expected.remove(5);
    assert_eq!(lines(&after), expected, "nothing else changes");

    reallocate(&w, &["--unavailable", "A9999"])
        .fails(2)
        .stderr_has("--unavailable: no auditor \"A9999\"");
    reallocate(&w, &["--defer", "CH9999999"])
        .fails(2)
        .stderr_has("--defer: no case \"CH9999999\" in m/allocation.csv");
    w.run(&[
        "allocate",
        "m/sample.csv",
        "--auditors",
        "m/auditors.csv",
        "--defer",
        case,
    ])
    .fails(2)
    .stderr_has("--keep");
    w.write(
        "october.csv",
        w.read("m/allocation.csv").replace("2026-11,", "2026-10,"),
    );
    w.run(&[
        "allocate",
        "m/sample.csv",
        "--auditors",
        "m/auditors.csv",
        "--keep",
        "october.csv",
        "--defer",
        case,
    ])
    .fails(1)
    .stderr_has("october.csv is the allocation of 2026-10, but m/sample.csv is the sample of 2026-11");
}

#[test]
fn an_impossible_reallocation_gives_the_reason() {
    let w = Workdir::new();
    w.write(
        "sample.csv",
        "month,case_id,team,worker,frame\n2026-11,K1,Team A,W1,f\n2026-11,K2,Team A,W2,f\n",
    );
    w.write(
        "auditors.csv",
        "auditor_id,name,team,capacity,active\nA1,Ann One,Team A,5,yes\nB1,Bo Two,Team B,1,yes\nC1,Cy Three,Team C,1,yes\n",
    );
    w.run(&[
        "allocate",
        "sample.csv",
        "--auditors",
        "auditors.csv",
        "-o",
        "allocation.csv",
    ])
    .ok();
    let run = w
        .run(&[
            "allocate",
            "sample.csv",
            "--auditors",
            "auditors.csv",
            "--keep",
            "allocation.csv",
            "--unavailable",
            "C1",
            "-o",
            "new.csv",
        ])
        .fails(1)
        .stderr_has("error: the case of C1 cannot be reallocated (short by 1):")
        .stderr_has(
            "1 case from Team A can only be audited by B1 (capacity 0 beside the 1 case they keep): short by 1. Raise a capacity, add an auditor outside Team A, or defer 1 case.",
        );
    assert!(!w.path("new.csv").exists(), "{}", run.stderr);
}

#[test]
fn record_replace_keeps_the_replaced_rows_marked_and_nothing_counts_them() {
    let w = demo();
    let rows = csv_rows(&w.read("m/allocation.csv"));
    let (moved, gone) = (rows[1][1].clone(), rows[1][5].clone());
    let deferred = rows[2][1].clone();
    reallocate(
        &w,
        &["--unavailable", &gone, "--defer", &deferred, "-o", "new.csv"],
    )
    .ok();
    w.run(&[
        "record",
        "new.csv",
        "--history",
        "m/history.csv",
        "-c",
        "m/caseaudit.toml",
    ])
    .fails(1)
    .stderr_has("already holds 2026-11");
    w.run(&[
        "record",
        "new.csv",
        "--history",
        "m/history.csv",
        "-c",
        "m/caseaudit.toml",
        "--replace",
    ])
    .ok()
    .stderr_has("recorded 24 audits for 2026-11 in m/history.csv (replacing 2: they stay in the history, marked replaced_on 2026-11-26)");
    let ledger = csv_rows(&w.read("m/history.csv"));
    assert_eq!(
        ledger[0],
        ["month", "case_id", "team", "auditor_id", "frame", "replaced_on"]
    );
    let marked: Vec<(&str, &str)> = (ledger[1..].iter())
        .filter(|r| !r[5].is_empty())
        .map(|r| (r[1].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        marked,
        [
            (moved.as_str(), gone.as_str()),
            (deferred.as_str(), rows[2][5].as_str())
        ]
    );
    let current = (ledger[1..].iter()).filter(|r| r[0] == "2026-11" && r[5].is_empty());
    assert_eq!(current.count(), 24);
    // Recording it again changes nothing.
    let before = w.read("m/history.csv");
    w.run(&[
        "record",
        "new.csv",
        "--history",
        "m/history.csv",
        "-c",
        "m/caseaudit.toml",
        "--replace",
    ])
    .ok()
    .stderr_has("nothing to change");
    assert_eq!(w.read("m/history.csv"), before);
    w.run(&["validate", "m/history.csv", "-c", "m/caseaudit.toml"])
        .ok()
        .stderr_has("audit history, 177 rows: ok");

    // Next month's sample reads the ledger as if the replaced rows had never been.
    let mut clean = String::from("month,case_id,team,auditor_id,frame\n");
    for r in ledger[1..].iter().filter(|r| r[5].is_empty()) {
        clean.push_str(&format!("{}\n", r[..5].join(",")));
    }
    w.write("clean.csv", clean);
    let sample = |history: &str, out: &str| {
        w.run(&[
            "sample",
            "m/extract.csv",
            "--history",
            history,
            "--month",
            "2026-12",
            "--seed",
            "7",
            "-o",
            out,
            "-c",
            "m/caseaudit.toml",
        ])
        .ok()
    };
    let marked_run = sample("m/history.csv", "december.csv");
    let clean_run = sample("clean.csv", "december-clean.csv");
    assert_eq!(w.read("december.csv"), w.read("december-clean.csv"));
    let frames = |stderr: &str| -> Vec<String> {
        (stderr.lines())
            .filter(|l| l.contains("eligible"))
            .map(String::from)
            .collect()
    };
    assert!(!frames(&marked_run.stderr).is_empty(), "{}", marked_run.stderr);
    assert_eq!(frames(&marked_run.stderr), frames(&clean_run.stderr));
    // The ledger's own query does not show the replaced audit.
    let shown = w
        .run(&[
            "history",
            "--history",
            "m/history.csv",
            "--case",
            &deferred,
            "-c",
            "m/caseaudit.toml",
            "-f",
            "csv",
        ])
        .ok();
    assert!(!shown.stdout.contains("2026-11"), "{}", shown.stdout);
}
