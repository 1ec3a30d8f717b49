//! The headings of every input layout: read under the names staff systems and
//! spreadsheets export them with, mapped in the settings, and, when a required
//! one is missing, the settings lines to paste. All data here is made up.

use crate::common::{Workdir, csv_rows};

/// A sample of four cases in two teams, as `sample` writes it.
const SAMPLE: &str = "\
month,frame,stratum,rank,case_id,team,worker,service,status,start_date,end_date,key
2026-11,neglect,,1,C1,Team A,W1,CIN,open,,,00
2026-11,neglect,,2,C2,Team A,W2,CIN,open,,,00
2026-11,neglect,,3,C3,Team B,W3,CP,open,,,00
2026-11,neglect,,4,C4,Team B,W4,CP,open,,,00
";

/// An auditors list as a staff system exports it.
const STAFF_EXPORT: &str = "\
Staff ID,Name,Team,Role
S101,Ann Example,Team A,Team Manager
S102,Bo Example,Team B,Team Manager
S103,Cy Example,Team C,Practice Lead
";

#[test]
fn an_auditors_export_allocates_without_settings() {
    let w = Workdir::new();
    w.write("sample.csv", SAMPLE);
    w.write("auditors.csv", STAFF_EXPORT);
    let run = w
        .run(&["allocate", "sample.csv", "--auditors", "auditors.csv"])
        .ok();
    let rows = csv_rows(&run.stdout);
    let col = rows[0].iter().position(|h| h == "auditor_id").unwrap();
    for row in &rows[1..] {
        assert!(row[col].starts_with('S'), "{row:?}");
    }
    w.run(&["validate", "auditors.csv"])
        .ok()
        .stderr_has(
            "auditors.csv: read as auditors list (4 of 4 headings known: auditor_id, name, team, role)",
        )
        .stderr_has("auditors.csv: auditors list, 3 rows: ok");
}

/// The lines a problem says to paste into caseaudit.toml, without their indent.
fn lines_to_paste(stderr: &str) -> String {
    let (_, after) = stderr
        .split_once("Add to caseaudit.toml:\n")
        .unwrap_or_else(|| panic!("no lines to paste in\n{stderr}"));
    after
        .lines()
        .take_while(|l| l.starts_with("    "))
        .map(|l| format!("{}\n", l.trim()))
        .collect()
}

#[test]
fn a_missing_column_prints_lines_that_work_when_pasted() {
    let w = Workdir::new();
    w.write("sample.csv", SAMPLE);
    w.write("auditors.csv", STAFF_EXPORT.replace("Staff ID", "Staff Ref"));
    let run = w
        .run(&["allocate", "sample.csv", "--auditors", "auditors.csv"])
        .fails(1)
        .stderr_has(
            "auditors.csv:1: column \"auditor_id\": required column is missing; the nearest heading is \"Staff Ref\". Add to caseaudit.toml:\n    [auditors.columns]\n    auditor_id = \"Staff Ref\"",
        );
    let pasted = lines_to_paste(&run.stderr);
    assert_eq!(pasted, "[auditors.columns]\nauditor_id = \"Staff Ref\"\n");
    w.write("caseaudit.toml", &pasted);
    let run = w
        .run(&["allocate", "sample.csv", "--auditors", "auditors.csv"])
        .ok();
    assert_eq!(csv_rows(&run.stdout).len(), 5, "{}", run.stdout);
    // validate read it as an auditors list before the settings, and said what was missing.
    w.write("other.toml", "");
    w.run(&["-c", "other.toml", "validate", "auditors.csv"])
        .fails(1)
        .stderr_has("read as auditors list (3 of 4 headings known: name, team, role; not found: auditor_id)")
        .stdout_has("auditor_id = \"Staff Ref\"");
}

#[test]
fn an_unknown_name_in_a_layouts_columns_is_a_settings_error() {
    let w = Workdir::new();
    w.write("sample.csv", SAMPLE);
    w.write("auditors.csv", STAFF_EXPORT);
    w.write(
        "caseaudit.toml",
        "[allocation]\ndefault_capacity = 2\n\n[auditors.columns]\nstaff = \"Staff ID\"\n",
    );
    w.run(&["allocate", "sample.csv", "--auditors", "auditors.csv"])
        .fails(1)
        .stderr_has("caseaudit.toml:5: key \"auditors.columns.staff\": \"staff\" is not a column of the auditors layout (expected one of auditor_id, name, team, role, capacity, active, manages, email)");
}

/// A hand-kept ledger, audit returns and a moderator's record, each under its own headings.
fn exports(w: &Workdir) {
    w.write(
        "history.csv",
        "Period,Child ID,Team Name,Auditor,Sampling Frame\n\
         2026-10,C1,Team A,S101,neglect\n\
         2026-11,C2,Team B,S102,neglect\n",
    );
    w.write(
        "audits.csv",
        "Audit ID,Child ID,Audit Month,Auditor,Team,Date Completed,Overall Grade,Risk,Voice,Action,Action By,Due\n\
         A1,C1,2026-10,S101,Team A,20/10/2026,Good,Good,Requires improvement,Update the chronology,S101,15/11/2026\n\
         A2,C2,2026-11,S102,Team B,18/11/2026,Inadequate,Inadequate,Inadequate,Strategy meeting,S102,01/12/2026\n",
    );
    w.write(
        "moderation.csv",
        "Audit ID,Moderator,Date Moderated,Moderated Grade,Sent Back,Notes\n\
         A1,QA1,25/10/2026,Requires improvement,yes,plan not specific\n",
    );
    w.write(
        "caseaudit.toml",
        "[history.columns]\nmonth = \"Period\"\n\n[audits.columns]\naction_due = \"Due\"\n",
    );
}

#[test]
fn audits_history_and_moderation_under_their_own_headings() {
    let w = Workdir::new();
    exports(&w);
    let run = w
        .run(&[
            "history",
            "--case",
            "C1",
            "--history",
            "history.csv",
            "--audits",
            "audits.csv",
            "--moderation",
            "moderation.csv",
        ])
        .ok();
    let rows = csv_rows(&run.stdout);
    let at = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    assert_eq!(rows.len(), 2, "{}", run.stdout);
    let row = &rows[1];
    assert_eq!(
        [
            &row[at("month")],
            &row[at("allocated_to")],
            &row[at("audit_id")],
            &row[at("completed_on")],
            &row[at("overall")],
            &row[at("moderated_overall")],
            &row[at("challenged")],
        ],
        [
            "2026-10",
            "S101",
            "A1",
            "2026-10-20",
            "Good",
            "Requires improvement",
            "yes"
        ]
    );
    // The mapped `Due` is the action's due date: A1's is before --as-of, A2's after.
    let run = w.run(&["actions", "audits.csv", "--overdue"]).ok();
    let rows = csv_rows(&run.stdout);
    assert_eq!(rows.len(), 2, "{}", run.stdout);
    assert_eq!(rows[1][0], "A1");
}

#[test]
fn validate_names_the_layout_it_read_each_file_as() {
    let w = Workdir::new();
    exports(&w);
    let run = w
        .run(&["validate", "history.csv", "audits.csv", "moderation.csv"])
        .ok();
    for line in [
        "history.csv: read as audit history (5 of 5 headings known: month, case_id, team, auditor_id, frame)",
        "audits.csv: read as completed audits (12 of 12 headings known: audit_id, case_id, month, auditor_id, team, completed_on, overall, risk, …)",
        "moderation.csv: read as moderation results (6 of 6 headings known: audit_id, moderator_id, moderated_on, overall, challenged, note)",
        "moderation.csv: moderation results, 1 row: ok",
    ] {
        assert!(run.stderr.contains(line), "missing {line:?} in\n{}", run.stderr);
    }
    assert_eq!(run.stdout, "", "no problems");
}

/// An audits file headed as an audit form exports it used to be taken for a case
/// extract (it has a case id and a team) and got a list of unrelated errors.
#[test]
fn an_audits_export_is_not_taken_for_an_extract() {
    let w = Workdir::new();
    w.write(
        "returns.csv",
        "Audit ID,Person ID,Month,Auditor,Team,Overall Grade,Safeguarding Concern\n\
         A1,P1,2026-11,S101,Team A,Good,no\n",
    );
    w.run(&["validate", "returns.csv"])
        .ok()
        .stderr_has("returns.csv: read as completed audits (7 of 7 headings known:")
        .stderr_has("returns.csv: completed audits, 1 row: ok");
}

#[test]
fn a_file_that_fits_no_layout_is_one_line() {
    let w = Workdir::new();
    w.write("shapes.csv", "Colour,Shape,Size\nred,square,2\n");
    let run = w.run(&["validate", "shapes.csv"]).fails(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert!(
        lines[0].starts_with("shapes.csv:1: cannot tell what kind of file this is from its headings (as a case extract it would need case_id and team; as an auditors list it would need auditor_id, name and team; as an allocation it would need month, case_id and auditor_id; as an audit history it would need month, case_id and auditor_id; as completed audits it would need audit_id, case_id, month, auditor_id, team and overall; as moderation results it would need audit_id, moderator_id and overall)"),
        "{}",
        lines[0]
    );
    // An explicit kind still decides.
    w.run(&["validate", "--kind", "auditors", "shapes.csv"])
        .fails(1)
        .stdout_has("shapes.csv:1: column \"auditor_id\": required column is missing");
}

/// `record` writes the history under the standard headings; a settings file that
/// maps the history's old headings still reads it.
#[test]
fn a_mapped_history_still_reads_once_record_rewrites_it() {
    let w = Workdir::new();
    exports(&w);
    w.write(
        "alloc.csv",
        "month,case_id,team,worker,frame,auditor_id,auditor_name,auditor_team\n\
         2026-12,C3,Team A,W,neglect,S101,Ann Example,Team B\n",
    );
    w.run(&["record", "alloc.csv", "--history", "history.csv"]).ok();
    assert!(
        w.read("history.csv")
            .starts_with("month,case_id,team,auditor_id,frame\n")
    );
    w.run(&["validate", "--kind", "history", "history.csv"])
        .ok()
        .stderr_has("history.csv: audit history, 3 rows: ok");
}
