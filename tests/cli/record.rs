//! `record`: the ledger is appended under a lock, atomically, never twice.

use crate::common::{Run, Workdir, csv_rows};

fn allocation(month: &str, n: usize) -> String {
    let mut s = String::from("month,case_id,team,worker,frame,auditor_id,auditor_name,auditor_team\n");
    for i in 0..n {
        s.push_str(&format!(
            "{month},C{month}-{i},Team {},W,neglect,A{},Auditor,Team X\n",
            i % 3,
            i % 4
        ));
    }
    s
}

#[test]
fn creates_the_history_and_refuses_a_recorded_month() {
    let w = Workdir::new();
    w.write("alloc.csv", allocation("2026-11", 5));
    w.run(&["record", "alloc.csv", "--history", "history.csv"])
        .ok()
        .stderr_has("recorded 5 audits for 2026-11");
    let rows = csv_rows(&w.read("history.csv"));
    assert_eq!(rows[0], ["month", "case_id", "team", "auditor_id", "frame"]);
    assert_eq!(rows.len(), 6);
    let before = w.read("history.csv");
    w.run(&["record", "alloc.csv", "--history", "history.csv"])
        .ok()
        .stderr_has("2026-11 already recorded in history.csv, row for row");
    assert_eq!(w.read("history.csv"), before, "history untouched");
    w.write("alloc2.csv", allocation("2026-11", 2));
    w.run(&["record", "alloc2.csv", "--history", "history.csv"])
        .fails(1)
        .stderr_has("already holds 2026-11");
    assert_eq!(w.read("history.csv"), before, "history untouched");
    // The two rows alloc2 repeats stay; the other three stay too, marked replaced.
    w.run(&["record", "alloc2.csv", "--history", "history.csv", "--replace"])
        .ok()
        .stderr_has("recorded 2 audits for 2026-11 in history.csv (replacing 3: they stay in the history, marked replaced_on 2026-11-26)");
    let rows = csv_rows(&w.read("history.csv"));
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0].last().unwrap(), "replaced_on");
    let marked: Vec<&str> = rows[1..].iter().map(|r| r[5].as_str()).collect();
    assert_eq!(marked, ["", "", "2026-11-26", "2026-11-26", "2026-11-26"]);
}

#[test]
fn the_recorded_history_validates() {
    let w = Workdir::new();
    w.write("alloc.csv", allocation("2026-10", 3));
    w.run(&["record", "alloc.csv", "--history", "history.csv"]).ok();
    w.run(&["validate", "history.csv"])
        .ok()
        .stderr_has("audit history, 3 rows: ok");
}

#[test]
fn a_bad_allocation_changes_nothing() {
    let w = Workdir::new();
    w.write(
        "history.csv",
        "month,case_id,team,auditor_id,frame\n2026-09,X,T,A,f\n",
    );
    w.write("bad.csv", "month,case_id,auditor_id\n2026-13,C1,A1\n");
    w.run(&["record", "bad.csv", "--history", "history.csv"])
        .fails(1)
        .stderr_has("bad.csv:2: column \"month\"");
    assert_eq!(
        w.read("history.csv"),
        "month,case_id,team,auditor_id,frame\n2026-09,X,T,A,f\n"
    );
}

/// An allocation is read with the allocation's own checks (as `progress` reads
/// it): a case given twice, or a second month, is refused and nothing is written.
#[test]
fn an_allocation_is_checked_as_an_allocation() {
    let w = Workdir::new();
    let mut twice = allocation("2026-11", 3);
    twice.push_str("2026-11,C2026-11-1,Team 1,W,neglect,A3,Auditor,Team X\n");
    w.write("twice.csv", twice);
    w.run(&["record", "twice.csv", "--history", "history.csv"])
        .fails(1)
        .stderr_has(
            "twice.csv:5: column \"case_id\": case \"C2026-11-1\" is allocated twice (first on line 3)",
        );
    let mut months = allocation("2026-11", 2);
    months.push_str("2026-10,C9,Team 1,W,neglect,A3,Auditor,Team X\n");
    w.write("months.csv", months);
    w.run(&["record", "months.csv", "--history", "history.csv"])
        .fails(1)
        .stderr_has(
            "months.csv:4: column \"month\": 2026-10 is not the allocation's month (2026-11, from line 2)",
        );
    assert!(!w.path("history.csv").exists(), "no history was written");
    assert!(!w.path("history.csv.lock").exists(), "not even a lock");
}

#[test]
fn concurrent_records_lose_nothing() {
    let w = Workdir::new();
    let months: Vec<String> = (1..=8).map(|m| format!("2025-{m:02}")).collect();
    for m in &months {
        w.write(&format!("{m}.csv"), allocation(m, 40));
    }
    let children: Vec<_> = months
        .iter()
        .map(|m| {
            let file = format!("{m}.csv");
            w.cmd(&["record", &file, "--history", "history.csv"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (m, child) in months.iter().zip(children) {
        let out = child.wait_with_output().unwrap();
        Run::from(&["record", m], out).ok();
    }
    let rows = csv_rows(&w.read("history.csv"));
    assert_eq!(rows.len(), 1 + 8 * 40, "every run's rows are in the history");
    for m in &months {
        assert_eq!(rows.iter().filter(|r| &r[0] == m).count(), 40, "{m}");
    }
}

#[test]
fn a_killed_writer_leaves_the_old_file_intact() {
    use std::io::Write;
    let w = Workdir::new();
    w.write("out.csv", "precious\n");
    // Feed the input through a pipe and kill the writer while it is still reading.
    let mut child = w
        .cmd(&["cases", "-", "-o", "out.csv", "--force"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"case_id,team\n").unwrap();
    for i in 0..20_000 {
        writeln!(stdin, "C{i},Team {}", i % 5).unwrap();
    }
    stdin.flush().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(w.read("out.csv"), "precious\n", "the old file is untouched");
}
