//! `forms` and `collect` where a reviewer found them wrong: each test the
//! real binary on forms written by it and filled in by another library.

use crate::common::Workdir;
use crate::common::records;
use crate::forms::{EXTRACT, answers, fill, row_of, setup, write_forms};

/// Appending twice: the second run finds its own rows, even those whose
/// action and owner begin as a formula would (`-`, `@`) and went into the
/// file with a `'` before them.
#[test]
fn append_run_twice_skips_its_own_neutralised_rows() {
    let w = setup();
    let mut filled = answers();
    for a in &mut filled {
        match a.0 {
            "action" => a.1 = "-> see chronology",
            "action_owner" => a.1 = "@Hana Finch",
            _ => {}
        }
    }
    fill(&w.path("forms/TM1-2026-11.xlsx"), "C1", &filled);
    w.run(&["collect", "forms", "-o", "month.csv"]).ok();
    let header = w.read("month.csv").lines().next().unwrap().to_string();
    w.write("audits.csv", format!("{header}\n"));
    w.run(&["collect", "forms", "--append", "audits.csv"])
        .ok()
        .stderr_has("added 1 audit to audits.csv");
    let text = w.read("audits.csv");
    let rows = records(&text);
    assert_eq!(rows[0]["action"], "'-> see chronology", "written neutralised");
    assert_eq!(rows[0]["action_owner"], "'@Hana Finch");
    w.run(&["collect", "forms", "--append", "audits.csv"])
        .ok()
        .stderr_has("added 0 audits to audits.csv (1 already there, the same: skipped)");
    assert_eq!(w.read("audits.csv"), text, "the file is as it was");
    // With --raw the cells go in as they are, and a re-run finds them too.
    w.write("raw.csv", format!("{header}\n"));
    w.run(&["collect", "forms", "--raw", "--append", "raw.csv"]).ok();
    assert_eq!(records(&w.read("raw.csv"))[0]["action"], "-> see chronology");
    w.run(&["collect", "forms", "--raw", "--append", "raw.csv"])
        .ok()
        .stderr_has("(1 already there, the same: skipped)");
}

/// An allocation of C1, C2, C3 to the auditors given, in that order.
fn allocation(auditors: [&str; 3]) -> String {
    let mut text = "month,case_id,team,frame,auditor_id\n".to_string();
    for (case, auditor) in ["C1", "C2", "C3"].iter().zip(auditors) {
        text.push_str(&format!("2026-11,{case},Team A,neglect,{auditor}\n"));
    }
    text
}

fn files_in(w: &Workdir, folder: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(w.path(folder))
        .map(|d| d.map(|e| e.unwrap().file_name().into_string().unwrap()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn auditors_whose_file_names_would_clash_are_refused_and_nothing_is_written() {
    let w = Workdir::new();
    w.write("extract.csv", EXTRACT);
    w.write("slash.csv", allocation(["TM/07", "TM 07", "A1"]));
    w.run(&["forms", "slash.csv", "--extract", "extract.csv", "-o", "forms"])
        .fails(1)
        .stderr_has("slash.csv:3: column \"auditor_id\": auditors \"TM/07\" (line 2) and \"TM 07\" would both have their forms in TM_07-2026-11.xlsx");
    assert_eq!(files_in(&w, "forms"), Vec::<String>::new(), "nothing written");
    // Ids differing only in capitals are one file on Windows and macOS.
    w.write("case.csv", allocation(["A1", "tm_07", "TM_07"]));
    w.run(&["forms", "case.csv", "--extract", "extract.csv", "-o", "forms"])
        .fails(1)
        .stderr_has("case.csv:4: column \"auditor_id\": auditors \"tm_07\" (line 3) and \"TM_07\" would both have their forms in TM_07-2026-11.xlsx");
    assert_eq!(files_in(&w, "forms"), Vec::<String>::new(), "nothing written");
    // Letters of any script are kept, so these are two files.
    w.write("accents.csv", allocation(["Zoë", "Zoé", "Zoë"]));
    w.run(&["forms", "accents.csv", "--extract", "extract.csv", "-o", "forms"])
        .ok()
        .stderr_has("(2 workbooks, one per auditor;");
    assert_eq!(
        files_in(&w, "forms"),
        vec!["Zoé-2026-11.xlsx".to_string(), "Zoë-2026-11.xlsx".to_string()]
    );
}

#[test]
fn one_workbook_already_there_stops_all_before_any_is_written() {
    let w = Workdir::new();
    w.write("extract.csv", EXTRACT);
    w.write("allocation.csv", allocation(["A1", "B2", "C3"]));
    w.write("forms/C3-2026-11.xlsx", "returned");
    write_forms(&w, "forms")
        .fails(1)
        .stderr_has("forms/C3-2026-11.xlsx already exists");
    assert_eq!(files_in(&w, "forms"), vec!["C3-2026-11.xlsx".to_string()]);
    assert_eq!(w.read("forms/C3-2026-11.xlsx"), "returned");
}

/// An element keyed as one of the form's own rows is refused where the
/// settings say it, before any form is written or read.
#[test]
fn an_element_keyed_as_a_forms_own_row_is_refused_by_the_settings() {
    let w = Workdir::new();
    w.write("extract.csv", EXTRACT);
    w.write("allocation.csv", allocation(["A1", "B2", "A1"]));
    for (key, line) in [("evidence", 6), ("worker", 6), ("due", 6)] {
        w.write(
            "caseaudit.toml",
            format!(
                "[[template.elements]]\nkey = \"risk\"\ntitle = \"Risk\"\n\n[[template.elements]]\nkey = \"{key}\"\ntitle = \"Evidence of impact\"\n"
            ),
        );
        write_forms(&w, "forms")
            .fails(1)
            .stderr_has(&format!(
                "caseaudit.toml:{line}: key \"template.elements[1].key\": \"{key}\" is a key the audit and moderation forms use for themselves"
            ));
        assert!(!w.path("forms").exists(), "nothing written");
    }
}

/// Elements are read by the template's keys: a form with a row of an element
/// the settings no longer have names that row instead of passing it over.
#[test]
fn a_row_of_an_element_the_template_no_longer_has_is_named() {
    let w = setup();
    fill(&w.path("forms/TM2-2026-11.xlsx"), "C2", &answers());
    w.write(
        "caseaudit.toml",
        "[[template.elements]]\nkey = \"risk\"\ntitle = \"Risk\"\n[[template.elements]]\nkey = \"voice\"\ntitle = \"Voice\"\n",
    );
    let run = w
        .run(&["collect", "forms", "-o", "audits.csv"])
        .fails(1)
        .stderr_has("forms/TM2-2026-11.xlsx: sheet \"C2\", cell C15 (Assessment): the row keyed \"assessment\" is not an element of the template of frame \"step-up\" ([template])");
    assert!(!w.path("audits.csv").exists(), "nothing written: {}", run.stderr);
    std::fs::remove_file(w.path("caseaudit.toml")).unwrap();
    w.run(&["collect", "forms", "-o", "audits.csv"]).ok();
    assert_eq!(
        records(&w.read("audits.csv"))[0]["assessment"],
        "Requires improvement"
    );
}

/// One case returned under two audit ids (a copy whose header was changed):
/// always an error naming both forms; with --allocation, the form whose audit
/// id is not the one the allocation gives its case is named by its cell.
#[test]
fn one_case_under_two_audit_ids_is_refused() {
    let w = setup();
    let book = w.path("forms/TM1-2026-11.xlsx");
    fill(&book, "C1", &answers());
    std::fs::copy(&book, w.path("forms/TM1 again.xlsx")).unwrap();
    fill(
        &w.path("forms/TM1 again.xlsx"),
        "C1",
        &[("audit_id", "AUD-2026-11-009", "")],
    );
    w.run(&["collect", "forms", "-o", "audits.csv"])
        .fails(1)
        .stderr_has("forms/TM1-2026-11.xlsx: sheet \"C1\", cell C3 (Audit id): case \"C1\" of 2026-11 is returned under two audit ids: \"AUD-2026-11-001\" here and \"AUD-2026-11-009\" in forms/TM1 again.xlsx: sheet \"C1\"");
    assert!(!w.path("audits.csv").exists());
    w.run(&["collect", "forms", "--allocation", "allocation.csv", "-o", "audits.csv"])
        .fails(1)
        .stderr_has("forms/TM1 again.xlsx: sheet \"C1\", cell C3 (Audit id): the form's audit id is \"AUD-2026-11-009\", but allocation.csv gives case \"C1\" the audit id \"AUD-2026-11-001\"");
    assert!(!w.path("audits.csv").exists());
    // The copy alone, with --allocation: still the wrong audit id for its case.
    std::fs::remove_file(&book).unwrap();
    let run = w
        .run(&[
            "collect",
            "forms",
            "--allocation",
            "allocation.csv",
            "-o",
            "audits.csv",
        ])
        .fails(1)
        .stderr_has("the form's audit id is \"AUD-2026-11-009\"");
    assert!(!run.stderr.contains("two audit ids"), "{}", run.stderr);
}

/// Swaps two rows (all four columns) of a sheet, as a person moving rows would.
fn swap_rows(path: &std::path::Path, sheet: &str, a: &str, b: &str) {
    let mut book = umya_spreadsheet::reader::xlsx::read(path).unwrap();
    let ws = book.get_sheet_by_name_mut(sheet).unwrap();
    let (ra, rb) = (row_of(ws, a), row_of(ws, b));
    for col in 1..=4 {
        let x = ws.get_value((col, ra));
        let y = ws.get_value((col, rb));
        ws.get_cell_mut((col, ra)).set_value_string(y);
        ws.get_cell_mut((col, rb)).set_value_string(x);
    }
    umya_spreadsheet::writer::xlsx::write(&book, path).unwrap();
}

/// A copy with the same answers in moved rows is the same audit; one whose
/// answers differ is refused, naming the cells that differ.
#[test]
fn a_copy_with_its_rows_moved_is_the_same_and_a_different_one_names_its_cells() {
    let w = setup();
    let book = w.path("forms/TM1-2026-11.xlsx");
    fill(&book, "C1", &answers());
    let copy = w.path("forms/TM1 copy.xlsx");
    std::fs::copy(&book, &copy).unwrap();
    swap_rows(&copy, "C1", "risk", "impact");
    swap_rows(&copy, "C1", "overall", "completed_on");
    w.run(&["collect", "forms", "-o", "audits.csv"])
        .ok()
        .stderr_has("forms/TM1-2026-11.xlsx: sheet \"C1\", cell C3 (Audit id): warning: audit \"AUD-2026-11-001\" is returned again, the same as in forms/TM1 copy.xlsx: sheet \"C1\": read once");
    assert_eq!(records(&w.read("audits.csv")).len(), 1);
    // Answers changed in the copy (risk on the row impact had); the message
    // is on the form read second, and names its cells.
    fill(
        &copy,
        "C1",
        &[("risk", "Inadequate", "Risks not named"), ("overall", "Good", "")],
    );
    w.run(&["collect", "forms", "-o", "audits2.csv"])
        .fails(1)
        .stderr_has("forms/TM1-2026-11.xlsx: sheet \"C1\", cell C3 (Audit id): audit \"AUD-2026-11-001\" is returned again, differently from forms/TM1 copy.xlsx: sheet \"C1\": here Risk (C14), Risk evidence (D14), Overall grade (C24) differ; keep the right copy only");
    assert!(!w.path("audits2.csv").exists());
}

/// A case called `Lists` (the name of the hidden sheet of dropdown lists)
/// gets a sheet of its own name made unique, and the month's forms are written
/// and read back.
#[test]
fn a_case_called_lists_does_not_clash_with_the_lists_sheet() {
    let w = Workdir::new();
    w.write(
        "extract.csv",
        "case_id,team,worker,service,start_date,end_date,status\nLists,Team A,Wren Hale,CIN,2025-01-10,,open\nC2,Team B,Ash Moor,CP,2025-03-02,,open\n",
    );
    w.write(
        "allocation.csv",
        "month,case_id,team,frame,auditor_id\n2026-11,Lists,Team A,neglect,TM1\n2026-11,C2,Team B,neglect,TM1\n",
    );
    // Tags with a comma go into the lists sheet, so that sheet is written.
    w.write(
        "caseaudit.toml",
        "[forms]\ntags = [\"planning\", \"voice, child's\"]\n",
    );
    write_forms(&w, "forms")
        .ok()
        .stderr_has("wrote 2 forms for 2026-11");
    fill(&w.path("forms/TM1-2026-11.xlsx"), "Lists~2", &answers());
    w.run(&[
        "collect",
        "forms",
        "--allocation",
        "allocation.csv",
        "-o",
        "audits.csv",
    ])
    .ok()
    .stderr_has("collected 1 audit from 1 workbook; 1 form not filled in yet");
    assert_eq!(records(&w.read("audits.csv"))[0]["case_id"], "Lists");
}

/// A date the form cannot read says both shapes it takes, as the form's own
/// prompt does.
#[test]
fn a_bad_date_on_a_form_names_both_shapes_the_form_takes() {
    let w = setup();
    let mut filled = answers();
    for a in &mut filled {
        if a.0 == "completed_on" {
            a.1 = "31/02/2026";
        }
        if a.0 == "action_due" {
            a.1 = "20/11/2026";
        }
    }
    fill(&w.path("forms/TM1-2026-11.xlsx"), "C1", &filled);
    let run = w
        .run(&["collect", "forms", "-o", "audits.csv"])
        .fails(1)
        .stderr_has("forms/TM1-2026-11.xlsx: sheet \"C1\", cell C32 (Audit completed on): \"31/02/2026\" is not a real date (expected dd/mm/yyyy or yyyy-mm-dd)");
    assert!(
        !run.stderr.contains("Action due"),
        "20/11/2026 is read: {}",
        run.stderr
    );
    let xml = crate::common::sheet_xml(&w.path("forms/TM1-2026-11.xlsx"));
    assert!(
        xml.contains("Type a date, e.g. 2026-11-20 or 20/11/2026."),
        "{xml}"
    );
}

/// `--append` to a file as Excel saves it in Europe: a byte-order mark,
/// semicolons and CRLF line ends. The rows go in the file's own way, and a
/// re-run finds them.
#[test]
fn append_keeps_the_files_bom_delimiter_and_line_ends() {
    let w = setup();
    fill(&w.path("forms/TM1-2026-11.xlsx"), "C1", &answers());
    w.run(&["collect", "forms", "-o", "month.csv"]).ok();
    let header = w.read("month.csv").lines().next().unwrap().replace(',', ";");
    let earlier = format!("\u{feff}{header}\r\nAUD-2026-10-001;C9;2026-10;TM1;Team A\r\n");
    w.write("audits.csv", &earlier);
    w.run(&["collect", "forms", "--append", "audits.csv"])
        .ok()
        .stderr_has("audits.csv: the header is separated by semicolons")
        .stderr_has("added 1 audit to audits.csv");
    let text = w.read("audits.csv");
    let added = text
        .strip_prefix(&earlier)
        .expect("the file as it was, then the rows");
    assert!(
        added.starts_with("AUD-2026-11-001;C1;2026-11;TM1;Team A;"),
        "{added}"
    );
    assert!(
        added.ends_with("\r\n") && !added.trim_end().contains('\n'),
        "{added:?}"
    );
    w.run(&["collect", "forms", "--append", "audits.csv"])
        .ok()
        .stderr_has("added 0 audits to audits.csv (1 already there, the same: skipped)");
    assert_eq!(w.read("audits.csv"), text);
}

/// `--append` to a Windows-1252 file (read so by --encoding) adds its rows in
/// Windows-1252; a character it cannot hold is refused, the file left as it was.
#[test]
fn append_writes_in_the_files_encoding() {
    let w = setup();
    let mut filled = answers();
    filled[12] = ("action", "Review the plan – £50 for transport", "");
    fill(&w.path("forms/TM1-2026-11.xlsx"), "C1", &filled);
    w.run(&["collect", "forms", "-o", "month.csv"]).ok();
    let header = w.read("month.csv").lines().next().unwrap().to_string();
    let mut earlier = format!("{header}\n").into_bytes();
    earlier.extend_from_slice(b"AUD-2026-10-001,C9,2026-10,TM1,Team \xa3\n");
    w.write("audits.csv", &earlier);
    w.run(&[
        "collect",
        "forms",
        "--encoding",
        "windows-1252",
        "--append",
        "audits.csv",
    ])
    .ok()
    .stderr_has("added 1 audit to audits.csv");
    let bytes = std::fs::read(w.path("audits.csv")).unwrap();
    assert!(bytes.starts_with(&earlier));
    let added = &bytes[earlier.len()..];
    let wanted: &[u8] = b"Review the plan \x96 \xa350 for transport";
    assert!(added.windows(wanted.len()).any(|x| x == wanted), "{added:?}");
    // A check mark has no place in Windows-1252.
    fill(&w.path("forms/TM1-2026-11.xlsx"), "C3", &answers());
    fill(
        &w.path("forms/TM1-2026-11.xlsx"),
        "C3",
        &[("action", "Done ✓", "")],
    );
    w.run(&[
        "collect",
        "forms",
        "--encoding",
        "windows-1252",
        "--append",
        "audits.csv",
    ])
    .fails(1)
    .stderr_has("audits.csv is read as Windows-1252, which cannot hold \"✓\"");
    assert_eq!(std::fs::read(w.path("audits.csv")).unwrap(), bytes);
}

/// `--append` through a symbolic link writes the file it points to (the link
/// stays a link) and keeps the file's permissions.
#[cfg(unix)]
#[test]
fn append_follows_a_link_and_keeps_the_files_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let w = setup();
    fill(&w.path("forms/TM1-2026-11.xlsx"), "C1", &answers());
    w.run(&["collect", "forms", "-o", "month.csv"]).ok();
    let header = w.read("month.csv").lines().next().unwrap().to_string();
    let real = w.write("shared/audits.csv", format!("{header}\n"));
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o664)).unwrap();
    std::os::unix::fs::symlink(&real, w.path("audits.csv")).unwrap();
    w.run(&["collect", "forms", "--append", "audits.csv"])
        .ok()
        .stderr_has("added 1 audit to audits.csv");
    let link = std::fs::symlink_metadata(w.path("audits.csv")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is kept");
    assert_eq!(records(&w.read("shared/audits.csv")).len(), 1);
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o664);
}

/// A command reading a folder of forms as its audits names the form and the
/// answer's cell in what the audits reader finds, not a line of a table the
/// officer never sees.
#[test]
fn audit_warnings_on_a_forms_folder_name_the_form_and_cell() {
    let w = setup();
    let mut late = answers();
    let at = late.iter().position(|a| a.0 == "completed_on").unwrap();
    late[at] = ("completed_on", "2027-03-01", "");
    fill(&w.path("forms/TM2-2026-11.xlsx"), "C2", &late);
    let run = w.run(&["themes", "forms"]).ok();
    let warning = run
        .stderr
        .lines()
        .find(|l| l.contains("2027-03-01"))
        .unwrap_or_else(|| panic!("no warning of the date:\n{}", run.stderr));
    assert!(
        warning.starts_with("forms/TM2-2026-11.xlsx: sheet \"C2\", cell C"),
        "{warning}"
    );
    assert!(warning.contains("(completed_on): warning:"), "{warning}");
    assert!(!warning.starts_with("forms:"), "{warning}");
}

#[test]
fn a_form_names_the_child_only_when_the_settings_ask() {
    let w = Workdir::new();
    w.write(
        "extract.csv",
        "case_id,child_name,dob,team,worker,service\nC1,Amy Pond,2015-09-16,Team A,Wren Hale,CIN\n",
    );
    w.write(
        "allocation.csv",
        "month,case_id,team,worker,frame,auditor_id,auditor_name,auditor_team\n2026-11,C1,Team A,Wren Hale,neglect,TM1,Ann Smith,Team B\n",
    );
    let cell_by_key = |path: &std::path::Path, key: &str| -> Option<String> {
        let book = umya_spreadsheet::reader::xlsx::read(path).unwrap();
        let ws = book.get_sheet_by_name("C1").unwrap();
        (1..=ws.get_highest_row())
            .find(|&r| ws.get_value((1, r)) == key)
            .map(|r| ws.get_value((3, r)))
    };
    write_forms(&w, "plain").ok();
    let plain = w.path("plain/TM1-2026-11.xlsx");
    assert_eq!(cell_by_key(&plain, "child_name"), None);
    assert_eq!(cell_by_key(&plain, "dob"), None);
    assert!(
        !std::fs::read(&plain)
            .unwrap()
            .windows(8)
            .any(|x| x == b"Amy Pond")
    );
    w.write("caseaudit.toml", "[forms]\nidentify_child = true\n");
    write_forms(&w, "named").ok();
    let named = w.path("named/TM1-2026-11.xlsx");
    assert_eq!(cell_by_key(&named, "child_name").as_deref(), Some("Amy Pond"));
    assert_eq!(cell_by_key(&named, "dob").as_deref(), Some("16/09/2015"));
    // The child's rows are the form's own: a returned form reads as ever.
    fill(&named, "C1", &answers());
    w.run(&["collect", "named", "-o", "audits.csv"])
        .ok()
        .stderr_has("collected 1 audit from 1 workbook (every form filled in)");
}
