//! `init`: a settings file guessed from files as a case management system exports
//! them, after which the other commands read those files with no other flags.

use crate::common::Workdir;
use rust_xlsxwriter::Workbook;

/// An extract as Excel on Windows saves an LCS report: two title rows (padded with
/// the delimiter, as Excel writes them), semicolons, CRLF, a pound sign in
/// Windows-1252 (byte A3), and headings of the system's own.
fn lcs_extract() -> Vec<u8> {
    let mut bytes = b"LCS report: open cases;;;\r\nRun on 01/11/2026 for cost centre ".to_vec();
    bytes.push(0xA3);
    bytes.extend_from_slice(
        b"12 QA;;;\r\n\
          Person ID;Owning Team;Allocated Social Worker;Referral Date\r\n\
          P001;North;Ann Smith;01/02/2026\r\n\
          P002;South;Bob Jones;15/03/2026\r\n\
          P003;North;Ann Smith;20/04/2026\r\n",
    );
    bytes
}

const STAFF: &str = "Staff Ref,Full Name,Team\nS1,Cara Lee,South\nS2,Dan Ray,North\nS3,Eve Moss,East\n";

#[test]
fn an_lcs_extract_and_a_staff_list_read_with_no_flags_after_init() {
    let w = Workdir::new();
    w.write("extract.csv", lcs_extract());
    w.write("auditors.csv", STAFF);
    // As exported, neither reads without settings.
    w.run(&["cases", "extract.csv", "--count"]).fails(1);
    w.run(&["validate", "auditors.csv"]).fails(1);

    let run = w
        .run(&["init", "extract.csv", "auditors.csv"])
        .ok()
        .stderr_has(
            "extract.csv: case extract; headings on line 3; separated by semicolons; Windows-1252; team = \"Owning Team\" (guessed)\n",
        )
        .stderr_has("auditors.csv: auditors list; auditor_id = \"Staff Ref\" (guessed)\n")
        .stderr_has("[input] encoding = \"windows-1252\" (extract.csv is not UTF-8")
        .stderr_has("[input] delimiter not set: the files are separated differently (extract.csv: semicolons; auditors.csv: commas); caseaudit finds each file's by itself")
        .stderr_has("wrote caseaudit.toml");
    assert_eq!(run.stdout, "");
    let toml = w.read("caseaudit.toml");
    assert!(
        toml.contains("\nencoding = \"windows-1252\"   # guessed"),
        "{toml}"
    );
    assert!(
        toml.contains(
            "\n[extract.columns]\nteam = \"Owning Team\"   # guessed: nearest heading to \"team\"\n"
        ),
        "{toml}"
    );
    assert!(
        toml.contains("\n[auditors.columns]\nauditor_id = \"Staff Ref\"   # guessed"),
        "{toml}"
    );

    w.run(&["validate", "caseaudit.toml"]).ok();
    w.run(&["cases", "extract.csv", "--count"])
        .ok()
        .stdout_has("count\n3\n");
    w.run(&["validate", "extract.csv", "auditors.csv"])
        .ok()
        .stderr_has("extract.csv: case extract, 3 rows: ok")
        .stderr_has("auditors.csv: auditors list, 3 rows: ok");
}

#[test]
fn an_extract_alone_sets_its_delimiter_and_header_row() {
    let w = Workdir::new();
    // A title with no delimiter in it: caseaudit finds the semicolons below it by
    // itself, so only the header row is worth a settings line.
    w.write(
        "extract.csv",
        "Open cases\nPerson ID;Owning Team;Referral Date\nP1;North;01/02/2026\nP2;South;01/03/2026\n",
    );
    w.run(&["init", "extract.csv"])
        .ok()
        .stderr_has("separated by semicolons")
        .stderr_has("[input] header_row = 2 (");
    let toml = w.read("caseaudit.toml");
    assert!(toml.contains("\nheader_row = 2   # guessed"), "{toml}");
    assert!(
        toml.contains("\n# encoding = \"windows-1252\"   # for files Excel saved"),
        "{toml}"
    );
    w.run(&["cases", "extract.csv", "--count", "-q"])
        .ok()
        .stdout_has("count\n2\n");
}

#[test]
fn init_never_replaces_a_file_without_force() {
    let w = Workdir::new();
    w.write("auditors.csv", STAFF);
    w.write("caseaudit.toml", "# my own settings\n");
    w.run(&["init", "auditors.csv"])
        .fails(1)
        .stderr_has("caseaudit.toml already exists; use --force to replace it");
    assert_eq!(w.read("caseaudit.toml"), "# my own settings\n");
    // -o names another file, under the same rule.
    w.write("other.toml", "x = 1\n");
    w.run(&["init", "auditors.csv", "-o", "other.toml"])
        .fails(1)
        .stderr_has("other.toml already exists; use --force to replace it");
    assert_eq!(w.read("other.toml"), "x = 1\n");
    // An input is never written over, even with --force.
    w.run(&["init", "auditors.csv", "-o", "auditors.csv", "--force"])
        .fails(1)
        .stderr_has("is one of this command's inputs");
    assert_eq!(w.read("auditors.csv"), STAFF);
    // --force replaces it, even when the old settings are broken (init reads none).
    w.write("caseaudit.toml", "[sampling\n");
    w.run(&["init", "auditors.csv", "--force"])
        .ok()
        .stderr_has("wrote caseaudit.toml");
    assert!(w.read("caseaudit.toml").contains("auditor_id = \"Staff Ref\""));
    w.run(&["validate", "auditors.csv"]).ok();
}

#[test]
fn init_with_no_files_writes_the_demos_settings() {
    let w = Workdir::new();
    w.run(&["init"])
        .ok()
        .stderr_has("no files given, so nothing was guessed: wrote the demo's settings to caseaudit.toml");
    let toml = w.read("caseaudit.toml");
    assert!(toml.contains("nothing\n# was guessed"), "{toml}");
    for section in [
        "[input]",
        "[extract]",
        "[grades]",
        "[[sampling.frames]]",
        "[allocation]",
        "[moderation]",
        "[privacy]",
    ] {
        assert!(
            toml.contains(&format!("\n{section}\n")),
            "{section} missing:\n{toml}"
        );
    }
    w.run(&["validate", "caseaudit.toml"]).ok();
    // Quiet, and to another file.
    let run = w.run(&["init", "-q", "-o", "settings/caseaudit.toml"]).fails(1);
    assert!(
        run.stderr.contains("the directory settings does not exist"),
        "{}",
        run.stderr
    );
    let run = w.run(&["init", "-q", "-o", "mine.toml"]).ok();
    assert_eq!(run.stderr, "");
    assert_eq!(w.read("mine.toml"), toml);
    // To standard output.
    let run = w.run(&["init", "-o", "-"]).ok();
    assert_eq!(run.stdout, toml);
}

#[test]
fn a_file_init_cannot_read_stops_it_before_anything_is_written() {
    let w = Workdir::new();
    w.write("auditors.csv", STAFF);
    w.run(&["init", "auditors.csv", "missing.csv"])
        .fails(1)
        .stderr_has("error: cannot read missing.csv");
    assert!(!w.path("caseaudit.toml").exists());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("case_id,team\n".encode_utf16().flat_map(u16::to_le_bytes));
    w.write("unicode.csv", utf16);
    w.run(&["init", "unicode.csv"])
        .fails(1)
        .stderr_has("unicode.csv is UTF-16 text (Excel's \"Unicode Text\"); save it as \"CSV UTF-8\"");
    std::fs::create_dir(w.path("folder")).unwrap();
    w.run(&["init", "folder"])
        .fails(1)
        .stderr_has("folder is a directory, not a file");
    w.write("broken.xlsx", "not a workbook");
    w.run(&["init", "broken.xlsx"])
        .fails(1)
        .stderr_has("cannot read the workbook broken.xlsx");
    assert!(!w.path("caseaudit.toml").exists());
}

#[test]
fn what_init_cannot_tell_is_said_and_left_to_fill_in() {
    let w = Workdir::new();
    w.write(
        "cases.csv",
        "Person ID,Worker Name,Referral Date\nP1,Ann,01/02/2026\n",
    );
    w.write("odd.csv", "Colour,Shape\nred,round\n");
    w.run(&["init", "cases.csv", "odd.csv"])
        .ok()
        .stderr_has("cases.csv: could not tell which heading holds team (none looks like it)")
        .stderr_has("odd.csv: could not tell what kind of file this is");
    let toml = w.read("caseaudit.toml");
    assert!(
        toml.contains("\n# team = \"…\"   # could not tell: no heading looks like team"),
        "{toml}"
    );
    w.run(&["validate", "caseaudit.toml"]).ok();
}

#[test]
fn a_workbooks_sheets_are_guessed_by_their_rows() {
    let w = Workdir::new();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Staff").unwrap();
    sheet.write(0, 0, "Staff list, November").unwrap();
    for (c, h) in ["Staff Ref", "Full Name", "Team"].iter().enumerate() {
        sheet.write(1, c as u16, *h).unwrap();
    }
    for (c, v) in ["S1", "Cara Lee", "South"].iter().enumerate() {
        sheet.write(2, c as u16, *v).unwrap();
    }
    book.save(w.path("staff.xlsx")).unwrap();
    w.run(&["init", "staff.xlsx"]).ok().stderr_has(
        "staff.xlsx[Staff]: auditors list; headings on line 2; auditor_id = \"Staff Ref\" (guessed)",
    );
    w.run(&["validate", "staff.xlsx"])
        .ok()
        .stderr_has("staff.xlsx[Staff]: auditors list, 1 row: ok");
}

#[test]
fn a_file_whose_headings_do_not_tell_is_said_to_be_what_kind() {
    let w = Workdir::new();
    w.write(
        "eclipse.csv",
        "Client Ref;Owning Team;Practitioner;Start;End\nE1;North;Ann Lee;01/02/2026;\n",
    );
    w.run(&["init", "eclipse.csv", "-o", "a.toml"])
        .ok()
        .stderr_has("eclipse.csv: could not tell what kind of file this is")
        .stderr_has("`caseaudit init eclipse.csv --kind cases`");
    w.run(&["init", "eclipse.csv", "--kind", "cases", "-o", "b.toml"])
        .ok()
        .stderr_has("eclipse.csv: case extract; separated by semicolons; team = \"Owning Team\" (guessed)")
        .stderr_has("eclipse.csv: could not tell which heading holds case_id");
    let settings = w.read("b.toml");
    assert!(
        settings.contains("team = \"Owning Team\"   # guessed"),
        "{settings}"
    );
    assert!(settings.contains("# case_id = \"…\""), "{settings}");
    w.run(&["init", "eclipse.csv", "--kind", "nonsense"]).fails(2);
}
