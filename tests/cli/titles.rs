//! Exports with title rows above their headings, and how input files are read
//! where the settings say (`[input]`).

use crate::common::{Workdir, csv_rows};
use rust_xlsxwriter::Workbook;

/// A report as a case management system prints it: a title, a run date, a blank
/// line, then the headings (on line 4) and the rows.
const TITLED: &str = "\
Children in need: open cases
Run on 01/12/2026,by QA team

Person ID,Team Name,Worker Name,Referral Date
C1,North,Ann,01/01/2026
C2,South,Bob,02/02/2026
C3,South,,31/02/2026
";

#[test]
fn the_header_is_found_below_title_rows() {
    let w = Workdir::new();
    w.write("titled.csv", TITLED.replace("C3,South,,31/02/2026\n", ""));
    let run = w
        .run(&["cases", "titled.csv", "--columns", "case_id,team,start_date"])
        .ok()
        .stderr_has("titled.csv: the headings are on line 4 (the lines above are titles; give --header-row to choose)");
    assert_eq!(
        csv_rows(&run.stdout),
        csv_rows("case_id,team,start_date\nC1,North,2026-01-01\nC2,South,2026-02-02\n")
    );
    // From standard input too.
    let input = TITLED.replace("C3,South,,31/02/2026\n", "");
    let run = w.run_stdin(&["cases", "-", "--count", "-q"], input);
    assert_eq!(run.ok().stdout, "count\n2\n");
}

#[test]
fn messages_keep_the_files_own_line_numbers() {
    let w = Workdir::new();
    w.write("titled.csv", TITLED);
    w.run(&["cases", "titled.csv"])
        .fails(1)
        .stderr_has("titled.csv:7: column \"Referral Date\": \"31/02/2026\" is not a real date");
}

#[test]
fn header_row_chooses_the_row() {
    let w = Workdir::new();
    w.write("titled.csv", TITLED.replace("C3,South,,31/02/2026\n", ""));
    w.run(&["cases", "titled.csv", "--header-row", "4", "--count", "-q"])
        .ok()
        .stdout_has("2");
    // A wrong row is read as given, and the message shows what it holds.
    w.run(&["cases", "titled.csv", "--header-row", "2"])
        .fails(1)
        .stderr_has("the header has: Run on 01/12/2026, by QA team");
    w.run(&["cases", "titled.csv", "--header-row", "3"])
        .fails(1)
        .stderr_has("the header row given (3) is blank");
    w.run(&["cases", "titled.csv", "--header-row", "0"]).fails(2);
    // The same from the settings; the command line wins.
    w.write("caseaudit.toml", "[input]\nheader_row = 2\n");
    w.run(&["cases", "titled.csv", "--count"]).fails(1);
    w.run(&["cases", "titled.csv", "--header-row", "4", "--count", "-q"])
        .ok()
        .stdout_has("2");
}

#[test]
fn a_workbook_with_a_title_above_its_headings() {
    let w = Workdir::new();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Open cases").unwrap();
    sheet
        .write_string(0, 0, "Open cases at 30 November 2026")
        .unwrap();
    let rows = [
        ["Person ID", "Team Name", "Worker Name", "Referral Date"],
        ["K1", "North", "Ann", "01/10/2026"],
        ["K2", "South", "Bob", "not a date"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 2, c as u16, *v).unwrap();
        }
    }
    book.save(w.path("titled.xlsx")).unwrap();
    // Sheet rows keep their numbers: the headings are on row 3, K2 on row 5.
    w.run(&["cases", "titled.xlsx"])
        .fails(1)
        .stderr_has("titled.xlsx[Open cases]: the headings are on line 3")
        .stderr_has("titled.xlsx[Open cases]:5: column \"Referral Date\": \"not a date\"");
}

#[test]
fn input_settings_say_how_files_are_read() {
    let w = Workdir::new();
    // Windows-1252 (a £ sign) and semicolons, as Excel saves a CSV in some locales.
    let mut bytes = b"case_id;team;note\r\nC1;North;cost \xA310\r\nC2;South;\r\n".to_vec();
    w.write("ansi.csv", &bytes);
    w.write(
        "caseaudit.toml",
        "[input]\nencoding = \"windows-1252\"\ndelimiter = \";\"\n",
    );
    let run = w.run(&["cases", "ansi.csv", "--columns", "case_id,note"]).ok();
    assert_eq!(run.stdout, "case_id,note\nC1,cost £10\nC2,\n");
    // The command line wins over the settings.
    bytes.clear();
    bytes.extend_from_slice("case_id|team\nC1|North\n".as_bytes());
    w.write("piped.csv", &bytes);
    w.run(&[
        "cases",
        "piped.csv",
        "--delimiter",
        "|",
        "--encoding",
        "utf-8",
        "--count",
        "-q",
    ])
    .ok()
    .stdout_has("1");
    w.write("caseaudit.toml", "[input]\ndelimiter = \"ab\"\n");
    w.run(&["cases", "piped.csv"])
        .fails(1)
        .stderr_has("caseaudit.toml:2: key \"input.delimiter\": \"ab\" is not a single ASCII character");
    w.write("caseaudit.toml", "[input]\nencoding = \"ebcdic\"\n");
    w.run(&["cases", "piped.csv"])
        .fails(1)
        .stderr_has("caseaudit.toml:2");
}

#[test]
fn every_layout_passes_over_title_rows() {
    let w = Workdir::new();
    w.write(
        "auditors.csv",
        "Auditors, December 2026\n\nStaff ID,Name,Team\nA1,Zoe Able,North\nA2,Yan Best,South\n",
    );
    w.run(&["validate", "auditors.csv"])
        .ok()
        .stderr_has("auditors.csv: the headings are on line 3")
        .stderr_has("auditors.csv: auditors list, 2 rows: ok");
    w.write(
        "history.csv",
        "Audit ledger\nmonth,case_id,team,auditor_id,frame\n2026-10,C1,North,A2,closed\n",
    );
    w.run(&["history", "--history", "history.csv", "--case", "C1"])
        .ok()
        .stdout_has("2026-10");
}

#[test]
fn blank_lines_between_rows_keep_line_numbers() {
    let w = Workdir::new();
    w.write(
        "gaps.csv",
        "case_id,team,start_date\n\nC1,A,01/01/2026\n\n\nC2,B,31/02/2026\n",
    );
    w.run(&["cases", "gaps.csv"])
        .fails(1)
        .stderr_has("gaps.csv:6: column \"start_date\": \"31/02/2026\" is not a real date");
}

#[test]
fn the_delimiter_is_found_below_a_title_row() {
    let w = Workdir::new();
    w.write(
        "semi.csv",
        "Open cases\n\nPerson ID;Team Name;Referral Date\nC1;North;01/01/2026\nC2;South;02/02/2026\n",
    );
    w.run(&["cases", "semi.csv", "--count"])
        .ok()
        .stdout_has("2")
        .stderr_has("semi.csv: the header is separated by semicolons")
        .stderr_has("semi.csv: the headings are on line 3");
}

#[test]
fn standard_input_is_sniffed_too() {
    let w = Workdir::new();
    for args in [
        &["cases", "-", "--count"][..],
        &["validate", "-", "--kind", "cases"][..],
    ] {
        let input = "Open cases\n\nPerson ID;Team Name\nC1;North\nC2;South\n";
        let run = w.run_stdin(args, input).ok();
        let stderr = &run.stderr;
        assert!(
            stderr.contains("<stdin>: the header is separated by semicolons"),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("<stdin>: the headings are on line 3"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_windows_1252_setting_leaves_utf8_files_as_they_are() {
    let w = Workdir::new();
    w.write(
        "caseaudit.toml",
        "[input]\nencoding = \"windows-1252\"\n[[sampling.frames]]\nname = \"all\"\nwhere = \"team = North\"\nsize = 2\n",
    );
    // The system's export, in Windows-1252 (\xEB is ë): Zoë Smith works P1 to P6.
    let mut export = b"case_id,team,worker,start_date\n".to_vec();
    for i in 1..=6 {
        export.extend_from_slice(format!("P{i},North,Zo").as_bytes());
        export.extend_from_slice(b"\xEB Smith,01/09/2026\n");
    }
    w.write("export.csv", &export);
    // Auditors saved by Excel as "CSV UTF-8": a byte-order mark, UTF-8 names.
    w.write(
        "auditors.csv",
        "\u{feff}Staff ID,Name,Team\nS100,Zoë Smith,South\nS101,Siân Jones,South\n",
    );
    w.run(&["sample", "export.csv", "--seed", "1", "-o", "sample.csv"])
        .ok();
    assert!(
        w.read("sample.csv").contains(",Zoë Smith,"),
        "{}",
        w.read("sample.csv")
    );
    // caseaudit's own UTF-8 file and Excel's are read as UTF-8: the names stay
    // whole, and the worker's rule keeps Zoë Smith from her own cases.
    w.run(&[
        "allocate",
        "sample.csv",
        "--auditors",
        "auditors.csv",
        "-o",
        "allocation.csv",
    ])
    .ok();
    let allocation = w.read("allocation.csv");
    assert!(allocation.contains(",Zoë Smith,"), "{allocation}");
    assert!(!allocation.contains('Ã'), "{allocation}");
    assert_eq!(allocation.lines().count(), 3, "{allocation}");
    for row in allocation.lines().skip(1) {
        assert!(
            row.contains(",S101,Siân Jones,"),
            "Zoë Smith audits her own case: {row}"
        );
    }
}
