//! `history`: a case's audits over the months, a team's since a month, an
//! auditor's record beside every auditor's, and clear errors for bad arguments.

use crate::common::{Workdir, csv_rows, records};
use std::collections::BTreeMap;

const LEDGER: &str = "\
month,case_id,team,auditor_id,frame
2026-09,C1,Team A,TM1,neglect
2026-10,C2,Team B,TM1,step-up
2026-10,C3,Team A,TM2,neglect
2026-11,C1,Team A,TM2,closed-6m
2026-11,C4,Team C,TM1,neglect
";

/// C2 came back from TM3, not TM1; X9 (a themed audit) was never in the ledger;
/// C4 is not back.
const AUDITS: &str = "\
audit_id,case_id,month,auditor_id,team,overall,frame,completed_on,action,action_due,action_done
A1,C1,2026-09,TM1,Team A,Good,,2026-09-18,Update the chronology,2026-10-31,yes
A2,C2,2026-10,TM3,Team B,Requires improvement,,2026-10-19,,,
A3,C3,2026-10,TM2,Team A,Outstanding,,2026-10-12,,,
A4,C1,2026-11,TM2,Team A,Inadequate,,2026-11-20,Strategy discussion,2026-11-21,no
A9,X9,2026-11,TM1,Team D,Good,themed,2026-11-02,,,
";

const MODERATION: &str = "\
audit_id,moderator_id,moderated_on,overall,challenged,note
A1,QA1,2026-09-25,Requires improvement,yes,plan not SMART
A3,QA1,2026-10-25,Outstanding,no,
A4,QA1,2026-11-25,Inadequate,yes,
A9,QA1,2026-11-25,Outstanding,no,
";

fn setup() -> Workdir {
    let w = Workdir::new();
    w.write("history.csv", LEDGER);
    w.write("audits.csv", AUDITS);
    w.write("moderation.csv", MODERATION);
    w
}

fn pick<'a>(row: &'a BTreeMap<String, String>, columns: &[&str]) -> Vec<&'a str> {
    columns.iter().map(|c| row[*c].as_str()).collect()
}

const FULL: [&str; 6] = [
    "--history",
    "history.csv",
    "--audits",
    "audits.csv",
    "--moderation",
    "moderation.csv",
];

#[test]
fn a_cases_audits_with_grades_moderation_and_actions() {
    let w = setup();
    let mut args = vec!["history", "--case", "C1"];
    args.extend(FULL);
    let run = w.run(&args).ok();
    let rows = csv_rows(&run.stdout);
    assert_eq!(
        rows[0],
        [
            "month",
            "case_id",
            "team",
            "frame",
            "allocated_to",
            "audit_id",
            "audited_by",
            "completed_on",
            "overall",
            "moderated_overall",
            "moderation",
            "challenged",
            "action",
            "action_status"
        ]
    );
    assert_eq!(
        rows[1..],
        [
            [
                "2026-09",
                "C1",
                "Team A",
                "neglect",
                "TM1",
                "A1",
                "TM1",
                "2026-09-18",
                "Good",
                "Requires improvement",
                "changed down",
                "yes",
                "Update the chronology",
                "done"
            ],
            [
                "2026-11",
                "C1",
                "Team A",
                "closed-6m",
                "TM2",
                "A4",
                "TM2",
                "2026-11-20",
                "Inadequate",
                "Inadequate",
                "agreed",
                "yes",
                "Strategy discussion",
                "overdue"
            ],
        ]
    );
}

#[test]
fn a_team_since_a_month_and_returns_outside_the_ledger() {
    let w = setup();
    let mut args = vec!["history", "--team", "team a", "--since", "2026-10"];
    args.extend(FULL);
    let rows = records(&w.run(&args).ok().stdout);
    let got: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| {
            pick(
                r,
                &["month", "case_id", "allocated_to", "audited_by", "moderation"],
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ["2026-10", "C3", "TM2", "TM2", "agreed"],
            ["2026-11", "C1", "TM2", "TM2", "agreed"],
        ]
    );

    // Everything: the wrong-auditor return, the outstanding case and the themed
    // audit that is not in the ledger are all there, in month order.
    let all = records(
        &w.run(&{
            let mut a = vec!["history"];
            a.extend(FULL);
            a
        })
        .ok()
        .stdout,
    );
    let got: Vec<Vec<&str>> = all
        .iter()
        .map(|r| {
            pick(
                r,
                &[
                    "month",
                    "case_id",
                    "allocated_to",
                    "audited_by",
                    "moderation",
                    "frame",
                ],
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ["2026-09", "C1", "TM1", "TM1", "changed down", "neglect"],
            ["2026-10", "C3", "TM2", "TM2", "agreed", "neglect"],
            ["2026-10", "C2", "TM1", "TM3", "not moderated", "step-up"],
            ["2026-11", "C1", "TM2", "TM2", "agreed", "closed-6m"],
            ["2026-11", "C4", "TM1", "", "", "neglect"],
            ["2026-11", "X9", "", "TM1", "changed up", "themed"],
        ]
    );

    // The ledger alone: who each case was allocated to, no returns columns filled.
    let alone = records(
        &w.run(&["history", "--history", "history.csv", "--case", "C1"])
            .ok()
            .stdout,
    );
    assert_eq!(alone.len(), 2);
    assert!(
        alone
            .iter()
            .all(|r| r["audit_id"].is_empty() && r["moderation"].is_empty())
    );
}

#[test]
fn an_auditors_record_beside_all_auditors() {
    let w = setup();
    let mut args = vec!["history", "--auditor", "TM1"];
    args.extend(FULL);
    let run = w.run(&args).ok();
    let rows = csv_rows(&run.stdout);
    assert_eq!(
        rows[0],
        [
            "auditor_id",
            "period",
            "allocated",
            "returned",
            "teams",
            "moderated",
            "changed",
            "pct_changed",
            "challenged",
            "pct_challenged",
            "team_names"
        ]
    );
    assert_eq!(
        rows[1..],
        [
            [
                "TM1", "2026-09", "1", "1", "1", "1", "1", "100", "1", "100", "Team A"
            ],
            ["TM1", "2026-10", "1", "0", "0", "0", "0", "", "0", "", ""],
            [
                "TM1",
                "2026-11",
                "1",
                "1",
                "2",
                "1",
                "1",
                "100",
                "0",
                "0",
                "Team C; Team D"
            ],
            [
                "TM1",
                "all months",
                "3",
                "2",
                "3",
                "2",
                "2",
                "100",
                "1",
                "50",
                "Team A; Team C; Team D"
            ],
            [
                "all",
                "all months",
                "5",
                "5",
                "4",
                "4",
                "2",
                "50",
                "2",
                "50",
                "Team A; Team B; Team C; Team D"
            ],
        ]
    );

    // --since narrows both the auditor's rows and the comparison.
    let mut args = vec!["history", "--auditor", "TM1", "--since", "2026-11"];
    args.extend(FULL);
    let rows = records(&w.run(&args).ok().stdout);
    let got: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| pick(r, &["auditor_id", "period", "allocated", "returned", "moderated"]))
        .collect();
    assert_eq!(
        got,
        [
            ["TM1", "2026-11", "1", "1", "1"],
            ["TM1", "all months", "1", "1", "1"],
            ["all", "all months", "2", "2", "2"],
        ]
    );
}

#[test]
fn bad_arguments_are_clear_errors() {
    let w = setup();
    let with = |extra: &[&'static str]| {
        let mut a = vec!["history"];
        a.extend(FULL);
        a.extend(extra);
        a
    };
    w.run(&with(&["--team", "Team Z"]))
        .fails(2)
        .stderr_has("no team \"Team Z\" in the ledger or the audits given (teams in the ledger and audits: Team A, Team B, Team C, Team D)");
    w.run(&with(&["--auditor", "TM8"]))
        .fails(2)
        .stderr_has("no auditor \"TM8\" in the ledger or the audits given (auditors in the ledger and audits: TM1, TM2, TM3)");
    w.run(&with(&["--auditor", "tm1"]))
        .fails(2)
        .stderr_has("no auditor \"tm1\" in the ledger or the audits given (did you mean TM1?)");
    w.run(&with(&["--since", "Nov 2026"]))
        .fails(2)
        .stderr_has("\"Nov 2026\" is not a month (expected YYYY-MM, e.g. 2026-11)");
    w.run(&with(&["--since", "2026-13"]))
        .fails(2)
        .stderr_has("not a month");
    w.run(&[
        "history",
        "--history",
        "history.csv",
        "--moderation",
        "moderation.csv",
    ])
    .fails(2)
    .stderr_has("--audits");
    w.run(&["history", "--case", "C1"])
        .fails(2)
        .stderr_has("--history");
    // A case never audited is an answer, not an error.
    let run = w.run(&with(&["--case", "C77"])).ok();
    assert_eq!(csv_rows(&run.stdout).len(), 1, "only the header");
    assert!(
        run.stderr
            .contains("no audits in the ledger or the audits given for case C77"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_files_name_file_line_and_column() {
    let w = setup();
    w.write(
        "bad-history.csv",
        "month,case_id,team,auditor_id\n2026-11,C1,Team A,TM1\nNov 2026,C2,Team B,TM2\n",
    );
    w.run(&["history", "--history", "bad-history.csv"])
        .fails(1)
        .stderr_has("bad-history.csv:3: column \"month\": \"Nov 2026\" is not a month");
    w.write(
        "bad-moderation.csv",
        "audit_id,moderator_id,overall\nA7,QA1,Good\n",
    );
    w.run(&[
        "history",
        "--history",
        "history.csv",
        "--audits",
        "audits.csv",
        "--moderation",
        "bad-moderation.csv",
    ])
    .fails(1)
    .stderr_has("bad-moderation.csv:2: column \"audit_id\": audit id \"A7\" is not in the audits");
}
