//! Returned forms as they really come back: saved through LibreOffice's own
//! xlsx filter (tests/corpus/forms_libreoffice*.xlsx), and the ways a user
//! trips (an empty folder, the wrong files, a form saved as .ods, the hidden
//! key column deleted, an output that exists): one clear message each.
//!
//! The corpus workbooks are `forms` of the allocation below (default settings),
//! filled in with openpyxl and then re-saved with
//! `soffice --headless --convert-to xlsx` (LibreOffice 7.4). The answers typed
//! are listed in the expectations here, as typed; LibreOffice wrote them back
//! in its own way (shared strings, its own number formats, rich text runs).

use crate::common::{Workdir, records, sheet_xml};
use crate::forms::write_forms;
use std::collections::BTreeMap;
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");

const ALLOCATION: &str = "\
month,case_id,team,worker,frame,auditor_id,auditor_name,auditor_team
2026-11,C1,Team A,Wren Hale,neglect,TM1,Ann Smith,Team B
2026-11,C2,Team B,Ash Moor,step-up,TM2,Bob Jones,Team A
2026-11,C3,Team A,Wren Hale,neglect,TM1,Ann Smith,Team B
";

fn with_corpus(files: &[&str], folder: &str) -> Workdir {
    let w = Workdir::new();
    w.write("allocation.csv", ALLOCATION);
    for f in files {
        let bytes = std::fs::read(Path::new(CORPUS).join(f)).expect("the corpus workbook");
        w.write(&format!("{folder}/{f}"), bytes);
    }
    w
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

/// Sheet C1 as filled in: every element graded by its dropdown's words, one
/// N/A, dates entered as dates, Yes and No from their lists.
fn expected_c1() -> BTreeMap<String, String> {
    map(&[
        ("audit_id", "AUD-2026-11-001"),
        ("case_id", "C1"),
        ("month", "2026-11"),
        ("auditor_id", "TM1"),
        ("team", "Team A"),
        ("service", "CIN"),
        ("frame", "neglect"),
        ("completed_on", "2026-11-12"),
        ("risk", "Good"),
        ("assessment", "Requires improvement"),
        ("plans", "Outstanding"),
        ("voice", ""),
        ("family", "Good"),
        ("partners", "Inadequate"),
        ("management", "Good"),
        ("records", "Requires improvement"),
        ("impact", "Good"),
        ("overall", "Good"),
        ("strengths", "child-voice; planning"),
        ("learning", "chronology; no chronology since May"),
        ("action", "Update the chronology, and = check school's view"),
        ("action_owner", "Team A manager"),
        ("action_due", "2026-12-15"),
        ("action_done", "no"),
        ("safeguarding_concern", "yes"),
        (
            "risk_evidence",
            "Risks named in the assessment of 3 March; plan reviewed",
        ),
        ("assessment_evidence", "No analysis of the father's role"),
        ("plans_evidence", "SMART plan, reviewed monthly"),
        ("voice_evidence", ""),
        ("family_evidence", "Mother seen at home twice"),
        ("partners_evidence", "School not invited to the strategy meeting"),
        ("management_evidence", "Supervision every 4 weeks"),
        ("records_evidence", "Case notes 6 weeks behind"),
        ("impact_evidence", "Attendance up from 60% to 92%"),
    ])
}

/// Sheet C3 as filled in the ways people do: "good " with a space, 3 and 2
/// typed as numbers, RI, evidence over two lines and with a word in bold, the
/// action's due date as a day number shown `d mmm yyyy`, its done date shown
/// `DD/MM/YYYY`, FALSE for the concern, and the completion date typed as the
/// text 12/11/2026 (a UK date).
fn expected_c3() -> BTreeMap<String, String> {
    map(&[
        ("audit_id", "AUD-2026-11-003"),
        ("case_id", "C3"),
        ("month", "2026-11"),
        ("auditor_id", "TM1"),
        ("team", "Team A"),
        ("service", "CLA"),
        ("frame", "neglect"),
        ("completed_on", "2026-11-12"),
        ("risk", "Good"),
        ("assessment", "Requires improvement"),
        ("plans", "Requires improvement"),
        ("voice", ""),
        ("family", ""),
        ("partners", ""),
        ("management", ""),
        ("records", ""),
        ("impact", ""),
        ("overall", "Good"),
        ("strengths", ""),
        ("learning", ""),
        ("action", ""),
        ("action_owner", ""),
        // Day 46371 of Excel's 1900 system.
        ("action_due", "2026-12-15"),
        ("action_done", "2026-12-01"),
        ("safeguarding_concern", "no"),
        ("risk_evidence", "Line one\nline two"),
        ("assessment_evidence", ""),
        ("plans_evidence", "Plan not reviewed"),
        ("voice_evidence", ""),
        ("family_evidence", ""),
        ("partners_evidence", ""),
        ("management_evidence", ""),
        ("records_evidence", ""),
        ("impact_evidence", ""),
    ])
}

#[test]
fn a_form_saved_by_libreoffice_is_collected_cell_for_cell() {
    let w = with_corpus(&["forms_libreoffice.xlsx"], "returned");
    w.run(&[
        "collect",
        "returned",
        "--allocation",
        "allocation.csv",
        "--evidence",
        "-o",
        "audits.csv",
    ])
    .ok()
    .stderr_has("collected 2 audits from 1 workbook (every form filled in)");
    let audits = records(&w.read("audits.csv"));
    assert_eq!(audits.len(), 2);
    assert_eq!(audits[0], expected_c1());
    assert_eq!(audits[1], expected_c3());
}

#[test]
fn a_grade_pasted_past_the_dropdown_is_named_by_file_sheet_and_cell() {
    let w = with_corpus(&["forms_libreoffice_bad_grade.xlsx"], "returned");
    w.run(&["collect", "returned", "-o", "audits.csv"])
        .fails(1)
        .stderr_has(
            "returned/forms_libreoffice_bad_grade.xlsx: sheet \"C1\", cell C16 (Plans): \"Gd\" is not a grade (accepted: Outstanding or O or 1",
        );
    assert!(!w.path("audits.csv").exists(), "nothing is written on error");
}

#[test]
fn a_form_whose_key_column_was_deleted_is_named_not_passed_over() {
    let w = with_corpus(&["forms_libreoffice.xlsx"], "returned");
    let path = w.path("returned/forms_libreoffice.xlsx");
    let mut book = umya_spreadsheet::reader::xlsx::read(&path).expect("umya reads the form");
    book.get_sheet_by_name_mut("C3")
        .expect("the sheet")
        .remove_column("A", &1);
    umya_spreadsheet::writer::xlsx::write(&book, &path).expect("umya saves the form");
    let run = w.run(&["collect", "returned", "-f", "csv"]).fails(1).stderr_has(
        "returned/forms_libreoffice.xlsx: sheet \"C3\": the form has lost its hidden key column (column A",
    );
    assert!(!run.stderr.contains("holds no audit form"), "{}", run.stderr);
    assert!(!run.stderr.contains("sheet \"C1\""), "{}", run.stderr);
    assert_eq!(run.stdout, "", "nothing is written on error");
}

#[test]
fn a_folder_without_forms_says_what_it_holds() {
    let w = Workdir::new();
    std::fs::create_dir(w.path("empty")).unwrap();
    w.run(&["collect", "empty"])
        .fails(1)
        .stderr_has("empty holds no .xlsx workbook: the folder is empty");
    w.write("csvs/audits.csv", "audit_id\n");
    w.run(&["collect", "csvs"])
        .fails(1)
        .stderr_has("csvs holds no .xlsx workbook (it holds audits.csv); give the folder");
    w.run(&["collect", "csvs/audits.csv"])
        .fails(1)
        .stderr_has("csvs/audits.csv: forms are read from .xlsx workbooks");
    // A workbook that is no form.
    let mut book = umya_spreadsheet::new_file();
    book.get_sheet_mut(&0)
        .unwrap()
        .get_cell_mut("A1")
        .set_value_string("Team list");
    std::fs::create_dir(w.path("other")).unwrap();
    umya_spreadsheet::writer::xlsx::write(&book, w.path("other/teams.xlsx")).unwrap();
    w.run(&["collect", "other"])
        .fails(1)
        .stderr_has("other/teams.xlsx: holds no audit form (no sheet written by `caseaudit forms`)");
}

#[test]
fn a_form_saved_as_ods_is_not_missed_in_silence() {
    // Only an .ods: the folder gives nothing, and says how to save it.
    let w = Workdir::new();
    w.write(
        "ods/TM1-2026-11.ods",
        b"PK\x03\x04 (an OpenDocument spreadsheet)".as_slice(),
    );
    w.run(&["collect", "ods"]).fails(1).stderr_has(
        "ods holds no .xlsx workbook (it holds TM1-2026-11.ods); open each form and save it as Excel Workbook (.xlsx)",
    );
    // Beside the forms that were saved as .xlsx: those are read, the .ods named.
    let w = with_corpus(&["forms_libreoffice.xlsx"], "returned");
    w.write("returned/TM2-2026-11.ods", b"PK\x03\x04".as_slice());
    w.run(&["collect", "returned", "-o", "audits.csv"])
        .ok()
        .stderr_has("returned/TM2-2026-11.ods: warning: not read: forms are read from .xlsx; open it and save it as Excel Workbook (.xlsx)")
        .stderr_has("collected 2 audits from 1 workbook");
    w.run(&["progress", "allocation.csv", "--audits", "returned"])
        .ok()
        .stderr_has("returned/TM2-2026-11.ods: warning: not read");
}

#[test]
fn an_output_that_exists_is_the_one_message() {
    let w = with_corpus(&["forms_libreoffice.xlsx"], "returned");
    w.write("audits.csv", "kept\n");
    let run = w
        .run(&["collect", "returned", "-o", "audits.csv"])
        .fails(1)
        .stderr_has("audits.csv already exists; use --force to replace it");
    assert!(!run.stderr.contains("collected"), "{}", run.stderr);
    assert_eq!(w.read("audits.csv"), "kept\n");
    w.run(&["collect", "returned", "-o", "audits.csv", "--force"])
        .ok();
    assert_eq!(records(&w.read("audits.csv")).len(), 2);
}

/// The `<row>` element (its attributes) of sheet row `n` (from 1).
fn row_attributes(xml: &str, n: u32) -> &str {
    let start = xml
        .find(&format!("<row r=\"{n}\""))
        .unwrap_or_else(|| panic!("no row {n}"));
    let end = start + xml[start..].find('>').unwrap();
    &xml[start..end]
}

#[test]
fn a_printed_form_has_room_for_its_titles_and_answers_and_shows_the_dropdowns() {
    let w = Workdir::new();
    w.write("allocation.csv", ALLOCATION);
    w.write(
        "extract.csv",
        "case_id,team,worker,service,start_date,end_date,status\n\
         C1,Team A,Wren Hale,CIN,2025-01-10,,open\n\
         C2,Team B,Ash Moor,CP,2025-03-02,,open\n\
         C3,Team A,Wren Hale,CLA,2024-07-19,,open\n",
    );
    write_forms(&w, "forms").ok();
    let xml = sheet_xml(&w.path("forms/TM2-2026-11.xlsx"));
    // Row 14, the first element ("Timely identification, response and
    // reduction of risk and need", 63 characters in a 46-wide column): two
    // lines, 30 points, set, since LibreOffice does not fit rows to wrapped
    // text on opening or printing, and the titles ran over each other.
    let risk = row_attributes(&xml, 14);
    assert!(
        risk.contains("ht=\"30\"") && risk.contains("customHeight=\"1\""),
        "{risk}"
    );
    // Row 15, "Assessments are timely, comprehensive, analytical and of good
    // quality" (69 characters): two lines as well; no element row is one line.
    for n in 14..=22 {
        let row = row_attributes(&xml, n);
        assert!(row.contains("ht=\""), "row {n} has no height: {row}");
        assert!(!row.contains("ht=\"15\""), "row {n} is one line: {row}");
    }
    // The answer cells' fill is a yellow that prints, not a near-white.
    let mut styles = String::new();
    {
        use std::io::Read;
        let mut zip =
            zip::ZipArchive::new(std::fs::File::open(w.path("forms/TM2-2026-11.xlsx")).unwrap()).unwrap();
        zip.by_name("xl/styles.xml")
            .unwrap()
            .read_to_string(&mut styles)
            .unwrap();
    }
    assert!(styles.contains("FFFFF2CC"), "{styles}");
    assert!(!styles.contains("FFFFFFF2"), "{styles}");
    // Each grade dropdown says it is one when the cell is chosen.
    let prompted = xml
        .split("<dataValidation ")
        .filter(|v| v.contains("prompt=\"Choose a grade from the list"))
        .count();
    assert_eq!(prompted, 9, "{xml}");
}

#[test]
fn forms_written_again_over_a_months_forms_name_a_few_and_count_the_rest() {
    let w = Workdir::new();
    let mut allocation =
        String::from("month,case_id,team,worker,frame,auditor_id,auditor_name,auditor_team\n");
    let mut extract = String::from("case_id,team,worker,service,start_date,end_date,status\n");
    for n in 1..=5 {
        allocation.push_str(&format!(
            "2026-11,C{n},Team A,Wren Hale,all,TM{n},Auditor {n},Team B\n"
        ));
        extract.push_str(&format!("C{n},Team A,Wren Hale,CIN,2025-01-10,,open\n"));
    }
    w.write("allocation.csv", allocation);
    w.write("extract.csv", extract);
    let args = [
        "forms",
        "allocation.csv",
        "--extract",
        "extract.csv",
        "-o",
        "forms",
    ];
    w.run(&args).ok();
    let before = std::fs::read(w.path("forms/TM1-2026-11.xlsx")).unwrap();
    w.run(&args).fails(1).stderr_has(
        "forms/TM1-2026-11.xlsx, forms/TM2-2026-11.xlsx, forms/TM3-2026-11.xlsx and 2 more already exist (returned forms may be in them); use --force",
    );
    assert_eq!(std::fs::read(w.path("forms/TM1-2026-11.xlsx")).unwrap(), before);
}

#[test]
fn a_form_saved_with_a_password_or_empty_is_named_with_what_to_do() {
    // forms_libreoffice.xlsx encrypted with the password "secret" (ECMA-376
    // agile encryption, as Excel's and LibreOffice's "save with password"
    // write it), by msoffcrypto-tool.
    let w = with_corpus(&["forms_libreoffice.xlsx", "forms_password.xlsx"], "returned");
    w.write("returned/TM9-2026-11.xlsx", b"");
    let run = w
        .run(&["collect", "returned", "-o", "audits.csv"])
        .fails(1)
        .stderr_has("returned/forms_password.xlsx: the file is saved with a password (or is an old .xls renamed .xlsx): open it and save it as Excel Workbook (.xlsx) with no password")
        .stderr_has("returned/TM9-2026-11.xlsx: the file is empty");
    assert!(!w.path("audits.csv").exists(), "{}", run.stderr);
    w.run(&["collect", "--moderation", "returned/forms_password.xlsx"])
        .fails(1)
        .stderr_has("forms_password.xlsx: the file is saved with a password");
}
