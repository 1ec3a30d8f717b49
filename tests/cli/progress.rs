//! `progress`: returned, outstanding and late audits per auditor, the chase list,
//! and discrepancies between the returns and the allocation.

use crate::common::{Run, Workdir, csv_rows, records};
use std::process::{Command, Stdio};

const ALLOCATION: &str = "\
month,case_id,team,worker,frame,auditor_id,auditor_name,auditor_team
2026-11,C1,Team A,W1,neglect,TM1,Ann Smith,Team B
2026-11,C2,Team A,W1,neglect,TM1,Ann Smith,Team B
2026-11,C3,Team B,W2,step-up,TM2,Bob Jones,Team A
2026-11,C4,Team B,W3,step-up,TM2,Bob Jones,Team A
2026-11,C5,Team C,W4,closed-6m,TM3,Cy Patel,Team A
2026-11,C6,Team C,W4,closed-6m,TM3,Cy Patel,Team A
";

/// C1 and C5 back as allocated; C3 back by the wrong auditor; C9 never allocated;
/// C6's only return is October's; C2 and C4 missing.
const AUDITS: &str = "\
audit_id,case_id,month,auditor_id,team,overall,completed_on
N1,C1,2026-11,TM1,Team A,Good,2026-11-10
N3,C3,2026-11,TM7,Team B,Good,2026-11-12
N5,C5,2026-11,TM3,Team C,Requires improvement,2026-11-19
N9,C9,2026-11,TM2,Team D,Good,2026-11-15
O6,C6,2026-10,TM3,Team C,Good,2026-10-15
";

fn setup() -> Workdir {
    let w = Workdir::new();
    w.write("allocation.csv", ALLOCATION);
    w.write("audits.csv", AUDITS);
    w
}

/// The binary with another reference date than the harness's.
fn run_on(w: &Workdir, as_of: &str, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_caseaudit"))
        .current_dir(w.root())
        .args(args)
        .args(["--as-of", as_of])
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    Run::from(args, out)
}

#[test]
fn per_auditor_progress_with_late_missing_unallocated_and_wrong_auditor_returns() {
    let w = setup();
    // Piped: CSV. The common --as-of is 2026-11-26, six days after the 20th.
    let run = w
        .run(&["progress", "allocation.csv", "--audits", "audits.csv"])
        .ok();
    let rows = csv_rows(&run.stdout);
    assert_eq!(
        rows[0],
        [
            "auditor_id",
            "auditor_name",
            "allocated",
            "returned",
            "outstanding",
            "late",
            "cases_outstanding"
        ]
    );
    assert_eq!(
        rows[1..],
        [
            ["TM1", "Ann Smith", "2", "1", "1", "1", "C2"],
            ["TM2", "Bob Jones", "2", "1", "1", "1", "C4"],
            ["TM3", "Cy Patel", "2", "1", "1", "1", "C6"],
        ]
    );
    assert!(
        run.stderr.contains(
            "2026-11: 6 allocated, 3 returned, 3 outstanding, 3 late (due 2026-11-20, as of 2026-11-26)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("2 returns do not match the allocation:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "wrong auditor: audit N3 of case C3 was returned by TM7, but the case was allocated to TM2"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "not allocated: audit N9 of case C9 by TM2 was returned for 2026-11, but the case was not allocated that month"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn chase_list_has_one_row_per_outstanding_case_with_days_late() {
    let w = setup();
    let run = w
        .run(&["progress", "allocation.csv", "--audits", "audits.csv", "--chase"])
        .ok();
    let rows = records(&run.stdout);
    let got: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| {
            ["auditor_id", "auditor_name", "case_id", "team", "days_late"]
                .iter()
                .map(|c| r[*c].as_str())
                .collect()
        })
        .collect();
    assert_eq!(
        got,
        [
            ["TM1", "Ann Smith", "C2", "Team A", "6"],
            ["TM2", "Bob Jones", "C4", "Team B", "6"],
            ["TM3", "Cy Patel", "C6", "Team C", "6"],
        ]
    );
    assert_eq!(csv_rows(&run.stdout)[0].len(), 5, "exactly the chase columns");
}

#[test]
fn mid_month_nothing_is_late_and_due_day_moves_the_deadline() {
    let w = setup();
    let run = run_on(
        &w,
        "2026-11-15",
        &["progress", "allocation.csv", "--audits", "audits.csv", "--chase"],
    )
    .ok();
    assert!(records(&run.stdout).iter().all(|r| r["days_late"] == "0"));
    assert!(
        run.stderr.contains("none late yet (due 2026-11-20"),
        "{}",
        run.stderr
    );

    // --due 31 in a 30-day month is the 30th.
    let run = run_on(
        &w,
        "2026-12-03",
        &[
            "progress",
            "allocation.csv",
            "--audits",
            "audits.csv",
            "--due",
            "31",
        ],
    )
    .ok();
    assert!(run.stderr.contains("due 2026-11-30"), "{}", run.stderr);
    assert!(records(&run.stdout).iter().all(|r| r["late"] == "1"));

    // [allocation] due_day in the settings.
    w.write("caseaudit.toml", "[allocation]\ndue_day = 25\n");
    let run = w
        .run(&["progress", "allocation.csv", "--audits", "audits.csv", "--chase"])
        .ok();
    assert!(run.stderr.contains("due 2026-11-25"), "{}", run.stderr);
    assert!(records(&run.stdout).iter().all(|r| r["days_late"] == "1"));
}

#[test]
fn everything_back_is_all_zero_and_still_exit_0() {
    let w = setup();
    w.write(
        "all.csv",
        "audit_id,case_id,month,auditor_id,team,overall\n\
         A1,C1,2026-11,TM1,Team A,Good\nA2,C2,2026-11,TM1,Team A,Good\n\
         A3,C3,2026-11,TM2,Team B,Good\nA4,C4,2026-11,TM2,Team B,Good\n\
         A5,C5,2026-11,TM3,Team C,Good\nA6,C6,2026-11,TM3,Team C,Good\n",
    );
    let run = w
        .run(&["progress", "allocation.csv", "--audits", "all.csv", "-f", "json"])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    for r in v.as_array().unwrap() {
        assert_eq!(r["returned"], 2);
        assert_eq!(r["outstanding"], 0);
        assert_eq!(r["late"], 0);
        assert!(r["cases_outstanding"].is_null());
    }
    assert!(!run.stderr.contains("do not match"), "{}", run.stderr);
    let chase = w
        .run(&["progress", "allocation.csv", "--audits", "all.csv", "--chase"])
        .ok();
    assert_eq!(csv_rows(&chase.stdout).len(), 1, "only the header");
}

#[test]
fn bad_inputs_are_clear() {
    let w = setup();
    w.write(
        "mixed.csv",
        "month,case_id,auditor_id\n2026-11,C1,TM1\n2026-12,C2,TM1\n",
    );
    w.run(&["progress", "mixed.csv", "--audits", "audits.csv"])
        .fails(1)
        .stderr_has(
            "mixed.csv:3: column \"month\": 2026-12 is not the allocation's month (2026-11, from line 2)",
        );
    w.write("noauditor.csv", "month,case_id,team\n2026-11,C1,Team A\n");
    w.run(&["progress", "noauditor.csv", "--audits", "audits.csv"])
        .fails(1)
        .stderr_has("noauditor.csv:1: column \"auditor_id\": required column is missing");
    w.run(&[
        "progress",
        "allocation.csv",
        "--audits",
        "audits.csv",
        "--due",
        "32",
    ])
    .fails(2)
    .stderr_has("32");
    w.run(&["progress", "allocation.csv"])
        .fails(2)
        .stderr_has("--audits");
    w.run(&["progress", "allocation.csv", "--audits", "missing.csv"])
        .fails(1)
        .stderr_has("missing.csv");
}

#[test]
fn redact_pseudonymises_outstanding_cases_everywhere() {
    let w = setup();
    w.write(
        "caseaudit.toml",
        "[privacy]\nredact_key = \"a long enough secret\"\n",
    );
    let run = w
        .run(&["progress", "allocation.csv", "--audits", "audits.csv", "--redact"])
        .ok();
    let chase = w
        .run(&[
            "progress",
            "allocation.csv",
            "--audits",
            "audits.csv",
            "--redact",
            "--chase",
        ])
        .ok();
    for text in [&run.stdout, &run.stderr, &chase.stdout] {
        for id in ["C2", "C3", "C4", "C6", "C9"] {
            assert!(
                !text.contains(&format!("{id}\n"))
                    && !text.contains(&format!("{id} "))
                    && !text.contains(&format!("{id},")),
                "{id} in\n{text}"
            );
        }
    }
    let pseudonym = &records(&chase.stdout)[0]["case_id"];
    assert!(pseudonym.starts_with("R-"));
    assert_eq!(&records(&run.stdout)[0]["cases_outstanding"], pseudonym);
}

#[test]
fn the_chase_list_carries_email_addresses_for_a_mail_merge() {
    let w = setup();
    w.write(
        "auditors.csv",
        "Staff ID,Full Name,Team,Email Address\nTM1,Ann Smith,Team B,ann.smith@example.org\nTM2,Bob Jones,Team A,\nTM3,Cy Patel,Team A,cy.patel@example.org\n",
    );
    let run = w
        .run(&[
            "progress",
            "allocation.csv",
            "--audits",
            "audits.csv",
            "--chase",
            "--auditors",
            "auditors.csv",
        ])
        .ok();
    let rows = csv_rows(&run.stdout);
    assert_eq!(
        rows[0],
        [
            "auditor_id",
            "auditor_name",
            "email",
            "case_id",
            "team",
            "days_late"
        ]
    );
    let emails: Vec<&str> = rows[1..].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(emails, ["ann.smith@example.org", "", "cy.patel@example.org"]);
    // Without addresses, a note says why the column is blank.
    w.write("auditors.csv", "auditor_id,name,team\nTM1,Ann Smith,Team B\n");
    w.run(&[
        "progress",
        "allocation.csv",
        "--audits",
        "audits.csv",
        "--chase",
        "--auditors",
        "auditors.csv",
    ])
    .ok()
    .stderr_has("auditors.csv: no email addresses");
    // --auditors is for the chase list.
    w.run(&[
        "progress",
        "allocation.csv",
        "--audits",
        "audits.csv",
        "--auditors",
        "auditors.csv",
    ])
    .fails(2);
}
