//! `actions`: statuses against --as-of, escalations, and the reading order.

use crate::common::{Workdir, csv_rows};

const HEADER: &str = "audit_id,case_id,month,auditor_id,team,overall,action,action_owner,action_due,action_done,safeguarding_concern";

fn audits(w: &Workdir) {
    // The harness runs with --as-of 2026-11-26.
    w.write(
        "audits.csv",
        format!(
            "{HEADER}\n\
             A1,C1,2026-10,TM1,Team A,Good,Chase GP letter,TM4,20/12/2026,,no\n\
             A2,C2,2026-10,TM1,Team A,Good,Update the plan,TM4,01/11/2026,,no\n\
             A3,C3,2026-10,TM2,Team B,Inadequate,Strategy meeting,HoS,01/12/2026,,\n\
             A4,C4,2026-10,TM2,Team B,Good,,,,,yes\n\
             A5,C5,2026-10,TM3,Team C,RI,Chronology,SW,10/11/2026,yes,\n\
             A6,C6,2026-10,TM3,Team C,Good,,,,,\n\
             A7,C7,2026-10,TM3,Team C,I,Review CP plan,TM5,2026-11-20,no,yes\n\
             A8,C8,2026-10,TM1,Team A,Good,Visit the child,SW,2026-11-26,,\n"
        ),
    );
}

#[test]
fn escalations_first_then_overdue_then_by_due_date() {
    let w = Workdir::new();
    audits(&w);
    let run = w.run(&["actions", "audits.csv"]).ok();
    let rows = csv_rows(&run.stdout);
    assert_eq!(
        rows[0],
        [
            "audit_id",
            "case_id",
            "team",
            "auditor_id",
            "action",
            "action_owner",
            "action_due",
            "status",
            "escalate"
        ]
    );
    let seen: Vec<String> = rows[1..]
        .iter()
        .map(|r| format!("{} {} {} {}", r[0], r[6], r[7], r[8]))
        .collect();
    assert_eq!(
        seen,
        [
            "A7 2026-11-20 overdue inadequate;safeguarding",
            "A3 2026-12-01 open inadequate",
            "A4  open safeguarding",
            "A2 2026-11-01 overdue ",
            "A8 2026-11-26 open ",
            "A1 2026-12-20 open ",
            "A5 2026-11-10 done ",
        ],
        "A6 has no action and nothing to escalate"
    );
    run.stderr_has("3 escalations; 2 overdue, 4 open, 1 done actions (as of 2026-11-26)");
}

#[test]
fn overdue_only() {
    let w = Workdir::new();
    audits(&w);
    let run = w.run(&["actions", "audits.csv", "--overdue"]).ok();
    let ids: Vec<String> = csv_rows(&run.stdout)[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(ids, ["A7", "A2"]);
}

#[test]
fn a_bad_due_date_is_located() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        format!("{HEADER}\nA1,C1,2026-10,TM1,Team A,Good,Chase,TM4,12/31/2026,,\n"),
    );
    w.run(&["actions", "audits.csv"])
        .fails(1)
        .stderr_has("audits.csv:2: column \"action_due\": \"12/31/2026\" looks like a US-style date");
}

#[test]
fn markdown_for_the_report() {
    let w = Workdir::new();
    audits(&w);
    let run = w
        .run(&["actions", "audits.csv", "--overdue", "-f", "markdown"])
        .ok();
    assert!(
        run.stdout.starts_with("| audit_id | case_id | team |"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 4);
}
