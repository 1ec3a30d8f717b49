//! `forms` and `collect`: forms written, filled in by another spreadsheet
//! library (as a person saving the workbook would), and read back.

use crate::common::{Run, Workdir, csv_rows, records, sheet_xml};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

pub(crate) const EXTRACT: &str = "\
case_id,team,worker,service,start_date,end_date,status
C1,Team A,Wren Hale,CIN,2025-01-10,,open
C2,Team B,Ash Moor,CP,2025-03-02,,open
C3,Team A,Wren Hale,CLA,2024-07-19,,open
";

pub(crate) const ALLOCATION: &str = "\
month,case_id,team,worker,frame,auditor_id,auditor_name,auditor_team
2026-11,C1,Team A,Wren Hale,neglect,TM1,Ann Smith,Team B
2026-11,C2,Team B,Ash Moor,step-up,TM2,Bob Jones,Team A
2026-11,C3,Team A,Wren Hale,neglect,TM1,Ann Smith,Team B
";

const ELEMENTS: [&str; 9] = [
    "risk",
    "assessment",
    "plans",
    "voice",
    "family",
    "partners",
    "management",
    "records",
    "impact",
];

/// `caseaudit forms allocation.csv --extract extract.csv -o DIR`, as a test's
/// folder holds them.
pub(crate) fn write_forms(w: &Workdir, dir: &str) -> Run {
    w.run(&["forms", "allocation.csv", "--extract", "extract.csv", "-o", dir])
}

/// `caseaudit forms --moderation moderation-sample.csv --audits audits.csv -o mod`.
fn write_moderation_forms(w: &Workdir) -> Run {
    w.run(&[
        "forms",
        "--moderation",
        "moderation-sample.csv",
        "--audits",
        "audits.csv",
        "-o",
        "mod",
    ])
}

pub(crate) fn setup() -> Workdir {
    let w = Workdir::new();
    w.write("extract.csv", EXTRACT);
    w.write("allocation.csv", ALLOCATION);
    write_forms(&w, "forms")
        .ok()
        .stderr_has("wrote 3 forms for 2026-11 into forms (2 workbooks, one per auditor; due 2026-11-20)");
    w
}

/// The row (from 1) whose hidden key cell (column A) holds `key`.
pub(crate) fn row_of(sheet: &umya_spreadsheet::Worksheet, key: &str) -> u32 {
    (1..=sheet.get_highest_row())
        .find(|&r| sheet.get_value((1, r)) == key)
        .unwrap_or_else(|| panic!("no row keyed {key}"))
}

/// Fills answers (key → answer, evidence) into one sheet of a workbook with
/// umya-spreadsheet and saves it, as a person filling in the form would.
/// A date answer is written as Excel writes a typed date: a serial number.
pub(crate) fn fill(path: &Path, sheet: &str, answers: &[(&str, &str, &str)]) {
    fill_column(path, sheet, 3, answers);
}

/// [`fill`] with the answers in column `col` (from 1).
fn fill_column(path: &Path, sheet: &str, col: u32, answers: &[(&str, &str, &str)]) {
    let mut book = umya_spreadsheet::reader::xlsx::read(path).expect("umya reads the form");
    let ws = book.get_sheet_by_name_mut(sheet).expect("the case's sheet");
    for (key, answer, evidence) in answers {
        let r = row_of(ws, key);
        match excel_serial(answer) {
            Some(serial) => {
                ws.get_cell_mut((col, r)).set_value_number(serial);
            }
            None => {
                ws.get_cell_mut((col, r)).set_value_string(*answer);
            }
        }
        if !evidence.is_empty() {
            ws.get_cell_mut((col + 1, r)).set_value_string(*evidence);
        }
    }
    umya_spreadsheet::writer::xlsx::write(&book, path).expect("umya saves the form");
}

/// A YYYY-MM-DD date as Excel's day number (1900 system).
fn excel_serial(text: &str) -> Option<f64> {
    let d = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    Some((d - epoch).num_days() as f64)
}

/// A complete set of answers: element grades in every accepted spelling.
pub(crate) fn answers() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("risk", "Good", "Risk reviewed at each visit"),
        ("assessment", "RI", "Assessment out of date"),
        ("plans", "Requires improvement", "No plan since May"),
        (
            "voice",
            "Outstanding",
            "Direct work recorded, child's words quoted",
        ),
        ("family", "N/A", ""),
        ("partners", "good", "School attends core groups"),
        ("management", "Inadequate", "No supervision for 3 months"),
        ("records", "", ""),
        ("impact", "2", "Attendance up"),
        ("overall", "Requires improvement", ""),
        ("strengths", "child-voice; direct work with the child", ""),
        ("learning", "supervision;chronology", ""),
        ("action", "Hold a supervision and update the chronology", ""),
        ("action_owner", "Team A manager", ""),
        ("action_due", "2026-12-18", ""),
        ("action_done", "no", ""),
        ("safeguarding_concern", "Yes", ""),
        ("completed_on", "2026-11-17", ""),
    ]
}

/// What `collect` must make of [`answers`]: grades as the scale's labels,
/// yes/no lower case, dates as YYYY-MM-DD, text as typed.
fn expected_c1() -> BTreeMap<String, String> {
    let mut e: BTreeMap<String, String> = [
        ("audit_id", "AUD-2026-11-001"),
        ("case_id", "C1"),
        ("month", "2026-11"),
        ("auditor_id", "TM1"),
        ("team", "Team A"),
        ("service", "CIN"),
        ("frame", "neglect"),
        ("completed_on", "2026-11-17"),
        ("risk", "Good"),
        ("assessment", "Requires improvement"),
        ("plans", "Requires improvement"),
        ("voice", "Outstanding"),
        ("family", ""),
        ("partners", "Good"),
        ("management", "Inadequate"),
        ("records", ""),
        ("impact", "Good"),
        ("overall", "Requires improvement"),
        ("strengths", "child-voice; direct work with the child"),
        ("learning", "supervision;chronology"),
        ("action", "Hold a supervision and update the chronology"),
        ("action_owner", "Team A manager"),
        ("action_due", "2026-12-18"),
        ("action_done", "no"),
        ("safeguarding_concern", "yes"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (key, _, evidence) in answers() {
        if ELEMENTS.contains(&key) {
            e.insert(format!("{key}_evidence"), evidence.to_string());
        }
    }
    e
}

#[test]
fn forms_filled_by_another_program_come_back_cell_for_cell() {
    let w = setup();
    fill(&w.path("forms/TM1-2026-11.xlsx"), "C1", &answers());
    let run = w
        .run(&["collect", "forms", "--allocation", "allocation.csv", "--evidence", "-o", "audits.csv"])
        .ok()
        .stderr_has("collected 1 audit from 2 workbooks; 2 forms not filled in yet (no overall grade): outstanding, left out");
    let audits = records(&w.read("audits.csv"));
    assert_eq!(audits.len(), 1, "{}", run.stderr);
    assert_eq!(audits[0], expected_c1());
    // Without --evidence, the standard audits layout, which the other commands read.
    w.run(&["collect", "forms", "-o", "plain.csv"]).ok();
    let header = &csv_rows(&w.read("plain.csv"))[0];
    assert_eq!(header.len(), 8 + ELEMENTS.len() + 8);
    assert!(!header.iter().any(|h| h.ends_with("_evidence")));
    let checked = w
        .run(&["validate", "plain.csv"])
        .ok()
        .stderr_has("completed audits, 1 row: ok");
    assert!(
        !checked.stderr.contains("warning") && !checked.stdout.contains("warning"),
        "{}",
        checked.stdout
    );
    w.run(&["themes", "plain.csv", "--month", "2026-11"]).ok();
}

#[test]
fn grade_cells_have_a_dropdown_of_the_scale_and_the_sheet_is_protected() {
    let w = setup();
    let xml = sheet_xml(&w.path("forms/TM2-2026-11.xlsx"));
    let grades = "<formula1>\"Outstanding,Good,Requires improvement,Inadequate,N/A\"</formula1>";
    // The nine elements, each with the scale's grades and N/A; the overall
    // grade with the scale's grades only (without one the form is not filled in).
    let lists: Vec<&str> = xml.split("<dataValidation ").skip(1).collect();
    let mut graded: Vec<&str> = lists.iter().filter(|v| v.contains(grades)).copied().collect();
    assert_eq!(graded.len(), 9, "{xml}");
    let overall = "<formula1>\"Outstanding,Good,Requires improvement,Inadequate\"</formula1>";
    graded.extend(lists.iter().filter(|v| v.contains(overall)));
    assert_eq!(graded.len(), 10, "{xml}");
    for v in &graded {
        assert!(v.starts_with("type=\"list\""), "{v}");
        assert!(
            !v.contains("errorStyle"),
            "a typo in a grade cannot be saved: {v}"
        );
    }
    // Tags allow free text after them; dates and yes/no are checked.
    assert!(
        lists
            .iter()
            .any(|v| v.contains("errorStyle=\"information\"") && v.contains("child-voice"))
    );
    assert!(lists.iter().filter(|v| v.starts_with("type=\"date\"")).count() == 2);
    assert!(
        lists
            .iter()
            .any(|v| v.contains("<formula1>\"Yes,No\"</formula1>"))
    );
    assert!(xml.contains("<sheetProtection"), "protected");
    assert!(
        xml.contains("<col min=\"1\" max=\"1\"") && xml.contains("hidden=\"1\""),
        "key column hidden"
    );
    assert!(xml.contains("<pageSetup paperSize=\"9\""), "A4: {xml}");
    // The settings' scale is the one offered.
    w.write(
        "caseaudit.toml",
        "[grades]\nscale = [\"Strong\", \"Adequate\", \"Weak\"]\ngood_or_better = 1\n",
    );
    write_forms(&w, "forms3").ok();
    let xml = sheet_xml(&w.path("forms3/TM2-2026-11.xlsx"));
    assert_eq!(
        xml.matches("<formula1>\"Strong,Adequate,Weak,N/A\"</formula1>")
            .count(),
        9
    );
    assert_eq!(
        xml.matches("<formula1>\"Strong,Adequate,Weak\"</formula1>")
            .count(),
        1
    );
    // Forms already there are not written over.
    write_forms(&w, "forms").fails(1).stderr_has("already exist");
}

#[test]
fn a_wrong_grade_a_duplicate_and_a_foreign_case_are_named_by_file_sheet_and_cell() {
    let w = setup();
    let mut wrong = answers();
    wrong[2] = ("plans", "Gd", "");
    fill(&w.path("forms/TM1-2026-11.xlsx"), "C1", &wrong);
    let run = w
        .run(&["collect", "forms", "-o", "audits.csv"])
        .fails(1)
        .stderr_has("forms/TM1-2026-11.xlsx: sheet \"C1\", cell C16 (Plans): \"Gd\" is not a grade (accepted: Outstanding or O");
    assert!(!w.path("audits.csv").exists(), "nothing written: {}", run.stderr);

    // The same form returned twice, differently: an error naming both.
    fill(&w.path("forms/TM1-2026-11.xlsx"), "C1", &answers());
    std::fs::copy(w.path("forms/TM1-2026-11.xlsx"), w.path("forms/TM1 copy.xlsx")).unwrap();
    w.run(&["collect", "forms", "-o", "audits.csv"])
        .ok()
        .stderr_has("forms/TM1-2026-11.xlsx: sheet \"C1\", cell C3 (Audit id): warning: audit \"AUD-2026-11-001\" is returned again, the same as in forms/TM1 copy.xlsx: sheet \"C1\": read once");
    assert_eq!(records(&w.read("audits.csv")).len(), 1, "not doubled");
    fill(&w.path("forms/TM1 copy.xlsx"), "C1", &[("overall", "Good", "")]);
    w.run(&["collect", "forms", "-o", "audits2.csv"])
        .fails(1)
        .stderr_has("forms/TM1-2026-11.xlsx: sheet \"C1\", cell C3 (Audit id): audit \"AUD-2026-11-001\" is returned again, differently from forms/TM1 copy.xlsx: sheet \"C1\"");
    assert!(!w.path("audits2.csv").exists());
    std::fs::remove_file(w.path("forms/TM1 copy.xlsx")).unwrap();

    // A case the allocation does not hold, and a case now allocated to another auditor.
    w.write(
        "allocation-2.csv",
        "month,case_id,team,auditor_id\n2026-11,C2,Team B,TM2\n2026-11,C3,Team A,TM2\n",
    );
    fill(&w.path("forms/TM1-2026-11.xlsx"), "C3", &answers());
    w.run(&["collect", "forms", "--allocation", "allocation-2.csv", "-o", "audits3.csv"])
        .fails(1)
        .stderr_has("forms/TM1-2026-11.xlsx: sheet \"C1\", cell C4 (Case): case \"C1\" is not in allocation-2.csv (not allocated in 2026-11)")
        .stderr_has("forms/TM1-2026-11.xlsx: sheet \"C3\", cell C4 (Case): case \"C3\" is allocated to TM2 in allocation-2.csv, but this form is TM1's");
    assert!(!w.path("audits3.csv").exists());
}

#[test]
fn a_form_with_its_rows_moved_is_read_the_same() {
    let w = setup();
    let path = w.path("forms/TM2-2026-11.xlsx");
    let mut book = umya_spreadsheet::reader::xlsx::read(&path).unwrap();
    let ws = book.get_sheet_by_name_mut("C2").unwrap();
    // Swap the rows of risk and impact, and move the overall grade's row down.
    let (risk, impact, overall) = (row_of(ws, "risk"), row_of(ws, "impact"), row_of(ws, "overall"));
    for col in 1..=4 {
        let a = ws.get_value((col, risk));
        let b = ws.get_value((col, impact));
        ws.get_cell_mut((col, risk)).set_value_string(b);
        ws.get_cell_mut((col, impact)).set_value_string(a);
        let o = ws.get_value((col, overall));
        ws.get_cell_mut((col, overall + 20)).set_value_string(o);
        ws.remove_cell((col, overall));
    }
    umya_spreadsheet::writer::xlsx::write(&book, &path).unwrap();
    fill(&path, "C2", &answers());
    let ws_rows = {
        let book = umya_spreadsheet::reader::xlsx::read(&path).unwrap();
        let ws = book.get_sheet_by_name("C2").unwrap();
        (row_of(ws, "risk"), row_of(ws, "overall"))
    };
    assert_eq!(ws_rows, (impact, overall + 20), "the rows did move");
    w.run(&["collect", "forms", "--evidence", "-o", "audits.csv"])
        .ok();
    let audits = records(&w.read("audits.csv"));
    let mut expected = expected_c1();
    for (k, v) in [
        ("audit_id", "AUD-2026-11-002"),
        ("case_id", "C2"),
        ("auditor_id", "TM2"),
        ("team", "Team B"),
        ("service", "CP"),
        ("frame", "step-up"),
    ] {
        expected.insert(k.into(), v.into());
    }
    assert_eq!(audits, vec![expected]);
}

#[test]
fn append_adds_new_audits_skips_the_same_and_refuses_a_different_one() {
    let w = setup();
    fill(&w.path("forms/TM1-2026-11.xlsx"), "C1", &answers());
    w.run(&["collect", "forms", "-o", "month.csv"]).ok();
    // An audits file of an earlier month, in the standard layout.
    let header = w.read("month.csv").lines().next().unwrap().to_string();
    let cells = header.split(',').count();
    let earlier = format!(
        "{header}\nAUD-2026-10-001,C9,2026-10,TM1,Team A{}\n",
        ",".repeat(cells - 5)
    );
    w.write("audits.csv", &earlier);
    w.write("narrow.csv", "audit_id,case_id,month,auditor_id,team,overall\n");
    w.run(&["collect", "forms", "--append", "narrow.csv"])
        .fails(1)
        .stderr_has("narrow.csv:1: has no column service, frame, completed_on, risk,");
    w.run(&["collect", "forms", "--append", "audits.csv"])
        .ok()
        .stderr_has("added 1 audit to audits.csv");
    let text = w.read("audits.csv");
    assert!(text.starts_with(&earlier), "{text}");
    let rows = records(&text);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["overall"], "Requires improvement");
    assert_eq!(rows[1]["audit_id"], "AUD-2026-11-001");
    // Again: the same audit is there, so nothing is added.
    w.run(&["collect", "forms", "--append", "audits.csv"])
        .ok()
        .stderr_has("added 0 audits to audits.csv (1 already there, the same: skipped)");
    assert_eq!(w.read("audits.csv"), text);
    // The form changed since: refused, the file untouched.
    fill(
        &w.path("forms/TM1-2026-11.xlsx"),
        "C1",
        &[("overall", "Good", "")],
    );
    w.run(&["collect", "forms", "--append", "audits.csv"])
        .fails(1)
        .stderr_has("audits.csv:3: audit \"AUD-2026-11-001\" is already here with other content: overall");
    assert_eq!(w.read("audits.csv"), text);
}

#[test]
fn moderation_forms_show_the_auditors_grades_and_come_back_as_moderation_results() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        "audit_id,case_id,month,auditor_id,team,frame,overall,risk,voice\n\
         A1,C1,2026-11,TM1,Team A,neglect,Good,Good,Outstanding\n\
         A2,C2,2026-11,TM2,Team B,step-up,Inadequate,,I\n",
    );
    w.write(
        "moderation-sample.csv",
        "audit_id,case_id,auditor_id,reason\nA2,C2,TM2,always\nA1,C1,TM1,random\n",
    );
    write_moderation_forms(&w)
        .ok()
        .stderr_has("wrote 2 moderation forms into mod/moderation-2026-11.xlsx (a sheet per audit)");
    let path = w.path("mod/moderation-2026-11.xlsx");
    {
        let book = umya_spreadsheet::reader::xlsx::read(&path).unwrap();
        let ws = book.get_sheet_by_name("A2").unwrap();
        // The auditor's grades are shown in column C, the moderator's go in D.
        assert_eq!(ws.get_value((3, row_of(ws, "voice"))), "Inadequate");
        assert_eq!(ws.get_value((3, row_of(ws, "risk"))), "");
        assert_eq!(ws.get_value((3, row_of(ws, "overall"))), "Inadequate");
        assert_eq!(ws.get_value((4, row_of(ws, "reason"))), "always");
    }
    fill_column(
        &path,
        "A2",
        4,
        &[
            ("voice", "RI", ""),
            ("overall", "Requires improvement", ""),
            ("challenged", "Yes", ""),
            ("note", "grade changed after discussion", ""),
            ("moderator_id", "TM9", ""),
            ("moderated_on", "2026-11-24", ""),
        ],
    );
    w.run(&["collect", "--moderation", "mod", "-o", "moderation.csv"])
        .ok()
        .stderr_has("collected 1 moderation result from 1 workbook; 1 form not filled in yet (no overall grade): left out");
    assert_eq!(
        w.read("moderation.csv"),
        "audit_id,moderator_id,moderated_on,overall,challenged,note,voice\n\
         A2,TM9,2026-11-24,Requires improvement,yes,grade changed after discussion,Requires improvement\n"
    );
    // The results read with the audits they moderate.
    w.run(&["moderate", "summary", "audits.csv", "moderation.csv"])
        .ok();
    // A moderator who forgets their id is told where.
    fill_column(&path, "A1", 4, &[("overall", "Good", "")]);
    w.run(&["collect", "--moderation", "mod", "-o", "moderation2.csv"])
        .fails(1)
        .stderr_has("mod/moderation-2026-11.xlsx: sheet \"A1\", cell D")
        .stderr_has("(Moderator): the moderator is blank: write your staff id");
    assert!(!w.path("moderation2.csv").exists());
}

#[test]
fn a_moderation_form_returned_twice_or_with_a_foreign_row_is_named_by_its_cells() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        "audit_id,case_id,month,auditor_id,team,frame,overall,risk,voice\n\
         A1,C1,2026-11,TM1,Team A,neglect,Good,Good,Outstanding\n",
    );
    w.write(
        "moderation-sample.csv",
        "audit_id,case_id,auditor_id,reason\nA1,C1,TM1,random\n",
    );
    write_moderation_forms(&w).ok();
    let path = w.path("mod/moderation-2026-11.xlsx");
    fill_column(
        &path,
        "A1",
        4,
        &[
            ("risk", "Good", ""),
            ("overall", "Good", ""),
            ("moderator_id", "TM9", ""),
        ],
    );
    // The same form saved twice under another name: read once.
    std::fs::copy(&path, w.path("mod/moderation copy.xlsx")).unwrap();
    w.run(&["collect", "--moderation", "mod", "-o", "same.csv"])
        .ok()
        .stderr_has("mod/moderation-2026-11.xlsx: sheet \"A1\", cell D3 (Audit id): warning: the moderation of audit \"A1\" is returned again, the same as in mod/moderation copy.xlsx: sheet \"A1\": read once")
        .stderr_has("collected 1 moderation result from 2 workbooks");
    assert_eq!(
        w.read("same.csv"),
        "audit_id,moderator_id,moderated_on,overall,challenged,note,risk\nA1,TM9,,Good,,,Good\n"
    );
    // The copy graded otherwise: the cells that differ are named, nothing is written.
    let risk_row = {
        let book = umya_spreadsheet::reader::xlsx::read(&path).unwrap();
        row_of(book.get_sheet_by_name("A1").unwrap(), "risk")
    };
    fill_column(
        &w.path("mod/moderation copy.xlsx"),
        "A1",
        4,
        &[("risk", "Inadequate", "")],
    );
    w.run(&["collect", "--moderation", "mod", "-o", "differ.csv"])
        .fails(1)
        .stderr_has(&format!(
            "mod/moderation-2026-11.xlsx: sheet \"A1\", cell D3 (Audit id): the moderation of audit \"A1\" is returned again, differently from mod/moderation copy.xlsx: sheet \"A1\": here Risk (D{risk_row}) differs; keep the right copy only"
        ));
    assert!(!w.path("differ.csv").exists());
    std::fs::remove_file(w.path("mod/moderation copy.xlsx")).unwrap();
    // A row keyed with an element no template of the settings has.
    {
        let mut book = umya_spreadsheet::reader::xlsx::read(&path).unwrap();
        let ws = book.get_sheet_by_name_mut("A1").unwrap();
        let r = row_of(ws, "voice");
        ws.get_cell_mut((1, r)).set_value_string("hobbies");
        ws.get_cell_mut((4, r)).set_value_string("Good");
        umya_spreadsheet::writer::xlsx::write(&book, &path).unwrap();
    }
    w.run(&["collect", "--moderation", "mod", "-o", "foreign.csv"])
        .fails(1)
        .stderr_has("(Hobbies): the row keyed \"hobbies\" is not an element of any template in the settings");
    assert!(!w.path("foreign.csv").exists());
}

#[test]
fn a_form_with_answers_but_no_overall_grade_is_outstanding_and_named() {
    let w = setup();
    let mut started = answers();
    started.retain(|(key, ..)| *key != "overall");
    fill(&w.path("forms/TM2-2026-11.xlsx"), "C2", &started);
    let overall_row = {
        let book = umya_spreadsheet::reader::xlsx::read(w.path("forms/TM2-2026-11.xlsx")).unwrap();
        row_of(book.get_sheet_by_name("C2").unwrap(), "overall")
    };
    w.run(&["collect", "forms", "-o", "audits.csv"])
        .ok()
        .stderr_has(&format!(
            "forms/TM2-2026-11.xlsx: sheet \"C2\", cell C{overall_row} (Overall grade): warning: the form has answers but no overall grade: it counts as outstanding (not returned) until it has one"
        ))
        .stderr_has("collected 0 audits from 2 workbooks; 3 forms not filled in yet (no overall grade): outstanding, left out");
    // A form not started at all is only counted.
    let run = w
        .run(&["collect", "forms/TM1-2026-11.xlsx", "-o", "none.csv"])
        .ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn progress_and_validate_take_the_folder_of_returned_forms() {
    let w = setup();
    fill(&w.path("forms/TM2-2026-11.xlsx"), "C2", &answers());
    w.run(&["progress", "allocation.csv", "--audits", "forms", "--chase"])
        .ok()
        .stderr_has("forms: 2 forms not filled in yet (no overall grade): not returned")
        .stderr_has(
            "2026-11: 3 allocated, 1 returned, 2 outstanding, 2 late (due 2026-11-20, as of 2026-11-26)",
        )
        .stdout_has("TM1,Ann Smith,C1,Team A,6");
    w.run(&["validate", "forms"])
        .ok()
        .stderr_has("forms: read as returned audit forms (1 filled in, 2 not yet)")
        .stderr_has("forms: completed audits, 1 row: ok");
    let mut wrong = answers();
    wrong[9] = ("overall", "Adequate", "");
    fill(&w.path("forms/TM1-2026-11.xlsx"), "C3", &wrong);
    w.run(&["validate", "forms"])
        .fails(1)
        .stdout_has(
            "forms/TM1-2026-11.xlsx: sheet \"C3\", cell C24 (Overall grade): \"Adequate\" is not a grade",
        )
        .stderr_has("forms: completed audits, 1 row: 1 error, 0 warnings");
    // Any command reading audits takes the folder, and stops on the same error.
    w.run(&["themes", "forms"])
        .fails(1)
        .stderr_has("cell C24 (Overall grade)");
}

/// Rewrites the first sheet's XML of a workbook, every other part kept.
fn rewrite_first_sheet(path: &Path, edit: impl Fn(&str) -> String) {
    use std::io::Write;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            bytes = edit(&String::from_utf8(bytes).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    let bytes = out.finish().unwrap().into_inner();
    std::fs::write(path, bytes).unwrap();
}

/// `xml` with the cell `at` (its whole `<c>` element) replaced by `cell`.
fn replace_cell(xml: &str, at: &str, cell: &str) -> String {
    let start = xml
        .find(&format!("<c r=\"{at}\""))
        .unwrap_or_else(|| panic!("no cell {at}"));
    let rest = &xml[start..];
    let open_end = rest.find('>').unwrap();
    let len = if rest.as_bytes()[open_end - 1] == b'/' {
        open_end + 1
    } else {
        rest.find("</c>").unwrap() + 4
    };
    format!("{}{cell}{}", &xml[..start], &xml[start + len..])
}

#[test]
fn answers_written_as_inline_strings_read_as_shared_ones_do() {
    let w = setup();
    let path = w.path("forms/TM1-2026-11.xlsx");
    fill(&path, "C1", &answers());
    // Some programs write text in the cell itself rather than in the shared
    // strings: the overall grade and a date typed as text, so.
    rewrite_first_sheet(&path, |xml| {
        let xml = replace_cell(xml, "C24", r#"<c r="C24" t="inlineStr"><is><t>Good</t></is></c>"#);
        replace_cell(
            &xml,
            "C32",
            r#"<c r="C32" t="inlineStr"><is><t>17/11/2026</t></is></c>"#,
        )
    });
    w.run(&["collect", "forms", "-o", "audits.csv"]).ok();
    let audits = records(&w.read("audits.csv"));
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0]["overall"], "Good");
    assert_eq!(audits[0]["completed_on"], "2026-11-17");
    assert_eq!(
        audits[0]["plans"], "Requires improvement",
        "the shared strings still read"
    );
}

#[test]
fn a_frame_with_a_themed_template_gets_its_elements() {
    let w = Workdir::new();
    w.write("extract.csv", EXTRACT);
    w.write("allocation.csv", ALLOCATION);
    w.write(
        "caseaudit.toml",
        "[templates.neglect]\n[[templates.neglect.elements]]\nkey = \"home_conditions\"\ntitle = \"Home conditions are seen and recorded\"\n\
         [[templates.neglect.elements]]\nkey = \"health\"\ntitle = \"Health needs are met\"\n",
    );
    write_forms(&w, "forms").ok();
    let path = w.path("forms/TM1-2026-11.xlsx");
    {
        let book = umya_spreadsheet::reader::xlsx::read(&path).unwrap();
        let ws = book.get_sheet_by_name("C1").unwrap();
        let r = row_of(ws, "home_conditions");
        assert_eq!(ws.get_value((2, r)), "Home conditions are seen and recorded");
        assert!(
            (1..=ws.get_highest_row()).all(|r| ws.get_value((1, r)) != "risk"),
            "no default elements"
        );
    }
    fill(
        &path,
        "C1",
        &[
            ("home_conditions", "Inadequate", ""),
            ("health", "G", ""),
            ("overall", "RI", ""),
        ],
    );
    fill(
        &w.path("forms/TM2-2026-11.xlsx"),
        "C2",
        &[("risk", "Good", ""), ("overall", "Good", "")],
    );
    w.run(&["collect", "forms/TM1-2026-11.xlsx", "-o", "neglect.csv"])
        .ok();
    let rows = records(&w.read("neglect.csv"));
    assert_eq!(
        (rows[0]["home_conditions"].as_str(), rows[0]["health"].as_str()),
        ("Inadequate", "Good")
    );
    w.run(&["themes", "neglect.csv"]).ok();
    // Both templates in one file: said, since the readers take one a file.
    w.run(&["collect", "forms", "-o", "both.csv"])
        .ok()
        .stderr_has("warning: these audits use 2 templates (default, neglect)");
}
