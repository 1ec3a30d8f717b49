//! Excel workbooks in and out, and the Annex A layout (as CSV lists and as a workbook).

use crate::common::{Workdir, csv_rows};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const ANNEX_A: &str = "[extract]\nlayout = \"annex-a\"\n\n[[sampling.frames]]\nname = \"neglect\"\nwhere = \"risk_factors contains neglect\"\nsize = 10\n";

/// A workbook laid out like the public Annex A sample: sheets List 1 … List 11, the
/// common columns first, real date cells and Excel serial numbers, #N/A teams,
/// non-breaking spaces in names, lettered labels.
fn annex_a_workbook(path: &std::path::Path) {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let common = [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
    ];
    let lists: Vec<(&str, Vec<&str>)> = vec![
        ("List 1", vec!["Date of Contact", "Contact Source"]),
        (
            "List 2",
            vec![
                "Assessment start date",
                "Assessment completion date",
                "Organisation completing assessment",
            ],
        ),
        (
            "List 3",
            vec![
                "Date of referral",
                "Referral Source",
                "Referral NFA?",
                "Number of Referrals in Last 12 Months",
                "Allocated Team",
                "Allocated Worker",
            ],
        ),
        (
            "List 4",
            vec![
                "Continuous Assessment Start Date",
                "Continuous Assessment Date of Authorisation",
                "Allocated Team",
                "Allocated Worker",
            ],
        ),
        (
            "List 5",
            vec![
                "Strategy discussion initiating Section 47 Enquiry Start Date",
                "Date of Initial Child Protection Conference",
                "Allocated Team",
                "Allocated Worker",
            ],
        ),
        (
            "List 6",
            vec![
                "CIN Start Date",
                "Primary Need Code",
                "Date Child Was Last Seen",
                "CIN Closure Date",
                "Reason for Closure",
                "Case Status",
                "Allocated Team",
                "Allocated Worker",
            ],
        ),
        (
            "List 7",
            vec![
                "Child Protection Plan Start Date",
                "Initial Category of Abuse",
                "Latest Category of Abuse",
                "Date of the Last Statutory Visit",
                "Child Protection Plan End Date",
                "Number of Previous Child Protection Plans",
                "Allocated Team",
                "Allocated Worker",
            ],
        ),
        (
            "List 8",
            vec![
                "Date Started to be Looked After",
                "Child's Category of Need",
                "Child's Legal Status",
                "Date Ceased to be Looked After",
                "Reason Ceased to be Looked After",
                "Placement Type",
                "Allocated Team",
                "Allocated Worker",
            ],
        ),
        (
            "List 9",
            vec!["Allocated Team", "Allocated Worker", "Eligibility Category"],
        ),
        ("List 10", vec!["Date entered care"]),
        ("List 11", vec!["Adopter ID"]),
    ];
    // (list, child, gender, dob (y,m,d), then the list's own cells; "D:yyyy-mm-dd" is a date cell, "S:n" a serial number)
    let rows: Vec<(&str, Vec<&str>)> = vec![
        (
            "List 1",
            vec![
                "X1",
                "a) Male",
                "WBRI",
                "D:2019-01-01",
                "7",
                "D:2026-10-01",
                "Police",
            ],
        ),
        (
            "List 3",
            vec![
                "C1",
                "b) Female",
                "WBRI",
                "D:2024-05-01",
                "2",
                "D:2026-09-16",
                "p1) 5D: LA services",
                "No",
                "1",
                "Locality 4 Duty Team",
                "Dustin\u{a0}Hazlett",
            ],
        ),
        (
            "List 3",
            vec![
                "C2",
                "Female",
                "WBRI",
                "D:2015-02-02",
                "11",
                "S:46000",
                "6",
                "No",
                "2",
                "Locality 4 Duty Team",
                "Ann Other",
            ],
        ),
        (
            "List 4",
            vec![
                "C2",
                "Female",
                "WBRI",
                "D:2015-02-02",
                "11",
                "D:2025-12-10",
                "D:2026-01-20",
                "Locality 4 Unit 1",
                "Ann Other",
            ],
        ),
        (
            "List 6",
            vec![
                "C3",
                "a) Male",
                "MWBC",
                "D:2012-03-03",
                "14",
                "D:2025-01-01",
                "N1 Abuse or neglect",
                "D:2026-11-01",
                "",
                "",
                "a) Open",
                "Locality 4 Unit 1",
                "Sam Smith",
            ],
        ),
        (
            "List 7",
            vec![
                "C3",
                "a) Male",
                "MWBC",
                "D:2012-03-03",
                "14",
                "S:45700",
                "a) Neglect",
                "c) Emotional abuse",
                "D:2026-11-01",
                "",
                "0",
                "Locality 4 Unit 1",
                "Sam Smith",
            ],
        ),
        (
            "List 7",
            vec![
                "C4",
                "b) Female",
                "WBRI",
                "D:2020-04-04",
                "6",
                "D:2026-01-05",
                "b) Physical abuse",
                "b) Physical abuse",
                "D:2026-11-02",
                "D:2026-08-01",
                "1",
                "#N/A",
                "#N/A",
            ],
        ),
        (
            "List 8",
            vec![
                "C5",
                "Male",
                "WBRI",
                "D:2010-05-05",
                "16",
                "D:2024-06-01",
                "N1 Abuse or neglect",
                "C2",
                "",
                "",
                "U1",
                "Children in Care Team 1",
                "Pat Jones",
            ],
        ),
        (
            "List 9",
            vec![
                "C6",
                "Female",
                "WBRI",
                "D:2006-06-06",
                "20",
                "Care Leavers Team",
                "Jo Bloggs",
                "Relevant",
            ],
        ),
    ];
    for (name, own) in &lists {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        let headings: Vec<&str> = common.iter().chain(own.iter()).copied().collect();
        for (c, h) in headings.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        let mut r = 1;
        for (list, cells) in &rows {
            if list != name {
                continue;
            }
            for (c, v) in cells.iter().enumerate() {
                let c = c as u16;
                if let Some(d) = v.strip_prefix("D:") {
                    let p: Vec<u16> = d.split('-').map(|x| x.parse().unwrap()).collect();
                    let dt = ExcelDateTime::from_ymd(p[0], p[1] as u8, p[2] as u8).unwrap();
                    sheet.write_datetime_with_format(r, c, dt, &date).unwrap();
                } else if let Some(n) = v.strip_prefix("S:") {
                    sheet.write_number(r, c, n.parse::<f64>().unwrap()).unwrap();
                } else if !v.is_empty() {
                    sheet.write_string(r, c, *v).unwrap();
                }
            }
            r += 1;
        }
    }
    book.save(path).unwrap();
}

#[test]
fn annex_a_workbook_reads_as_case_files() {
    let w = Workdir::new();
    w.write("caseaudit.toml", ANNEX_A);
    annex_a_workbook(&w.path("annex_a.xlsx"));
    let run = w
        .run(&[
            "cases",
            "annex_a.xlsx",
            "--columns",
            "case_id,team,worker,service,start_date,end_date,step_up,risk_factors",
        ])
        .ok();
    let rows = csv_rows(&run.stdout);
    let ids: Vec<&str> = rows.iter().skip(1).map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        ["C1", "C2", "C3", "C4", "C5", "C6"],
        "lists 1, 2, 10, 11 hold no case files; C2 and C3 are on two lists each"
    );
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    assert_eq!(
        row("C1"),
        [
            "C1",
            "Locality 4 Duty Team",
            "Dustin Hazlett",
            "Referral",
            "2026-09-16",
            "",
            "yes",
            ""
        ]
    );
    assert_eq!(row("C2")[3], "Assessment", "the later list wins for the service");
    assert_eq!(row("C2")[1], "Locality 4 Unit 1");
    assert_eq!(row("C3")[3], "CP");
    assert_eq!(
        row("C3")[4],
        "2025-02-12",
        "Excel serial 45700 in a date column (1899-12-30 + 45700 days)"
    );
    assert_eq!(
        row("C3")[7],
        "N1 Abuse or neglect; a) Neglect; c) Emotional abuse"
    );
    assert_eq!(row("C4")[1], "", "#N/A is no team");
    assert_eq!(row("C6")[3], "Care Leaver");
    assert!(
        run.stderr.contains("list 1 holds no case files"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("warning: column \"team\": case \"C2\""),
        "a conflicting team is worth a warning: {}",
        run.stderr
    );
    // Neglect: C3 by its CP category (not by primary need N1).
    let run = w
        .run(&[
            "cases",
            "annex_a.xlsx",
            "--where",
            "risk_factors contains neglect",
            "--columns",
            "case_id",
            "-q",
        ])
        .ok();
    assert_eq!(run.stdout, "case_id\nC3\n");
    let run = w
        .run(&["cases", "annex_a.xlsx", "--where", "step_up", "--count", "-q"])
        .ok();
    assert_eq!(run.stdout, "count\n1\n");
    // validate reports the no-team case; sampling leaves it out and counts it.
    let run = w.run(&["validate", "annex_a.xlsx"]).ok();
    assert!(
        run.stdout
            .contains("annex_a.xlsx[List 7]:3: warning: column \"team\": case \"C4\" has no team"),
        "{}",
        run.stdout
    );
    w.write(
        "caseaudit.toml",
        ANNEX_A.replace("risk_factors contains neglect", "service = CP"),
    );
    let run = w.run(&["sample", "annex_a.xlsx", "--seed", "1"]).ok();
    assert_eq!(csv_rows(&run.stdout).len(), 2, "C3 only");
    assert!(run.stderr.contains("1 without a team left out"), "{}", run.stderr);
}

#[test]
fn annex_a_csv_lists() {
    let w = Workdir::new();
    w.write("caseaudit.toml", ANNEX_A);
    w.write("list6.csv", "Child Unique ID,Gender,Date of Birth,Age,CIN Start Date,Primary Need Code,CIN Closure Date,Allocated Team,Allocated Worker\nA1,b) Female,01/01/2016,10,01/03/2026,N1,30/09/2026,Locality 1 Unit 1,Ann\nA2,a) Male,01/01/2017,9,01/04/2026,N2,,Locality 1 Unit 2,Bob\n");
    w.write("cp.csv", "Child Unique ID,Gender,Date of Birth,Age of Child (Years),Child Protection Plan Start Date,Initial Category of Abuse,Latest Category of Abuse,Child Protection Plan End Date,Allocated Team,Allocated Worker\nA2,a) Male,01/01/2017,9,01/05/2026,NEG,NEG,,Locality 1 Unit 2,Bob\n");
    let run = w
        .run(&[
            "cases",
            "list6.csv",
            "cp.csv",
            "--columns",
            "case_id,service,status,risk_factors",
            "-q",
        ])
        .ok();
    assert_eq!(
        csv_rows(&run.stdout),
        vec![
            vec!["case_id", "service", "status", "risk_factors"],
            vec!["A1", "CIN", "closed", "N1"],
            vec!["A2", "CP", "open", "N2; NEG"]
        ]
    );
    w.run(&["validate", "list6.csv", "cp.csv"])
        .ok()
        .stderr_has("list6.csv: case extract, 2 rows: ok");
}

#[test]
fn xlsx_written_and_read_back() {
    let w = Workdir::new();
    w.write(
        "x.csv",
        "case_id,team,start_date,note\nC1,Team A,01/02/2026,=SUM(A1)\nC2,Team B,,42\n",
    );
    w.run(&["cases", "x.csv", "-o", "out.xlsx"]).ok();
    let bytes = std::fs::read(w.path("out.xlsx")).unwrap();
    assert!(bytes.starts_with(b"PK"), "a real (zip) workbook");
    let back = w.run(&["cases", "out.xlsx"]).ok();
    assert_eq!(
        csv_rows(&back.stdout),
        vec![
            vec!["case_id", "team", "start_date", "note"],
            vec!["C1", "Team A", "2026-02-01", "'=SUM(A1)"],
            vec!["C2", "Team B", "", "42"],
        ],
        "dates were date cells, the formula-like note was text, and reading back neutralises it for CSV"
    );
    w.run(&["cases", "x.csv", "-f", "xlsx", "-o", "out2.dat"]).ok();
    assert!(std::fs::read(w.path("out2.dat")).unwrap().starts_with(b"PK"));
}

#[test]
fn sheets_are_chosen_by_name() {
    let w = Workdir::new();
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes
        .write_string(0, 0, "Exported by the case management system")
        .unwrap();
    let data = book.add_worksheet();
    data.set_name("Cases").unwrap();
    for (r, row) in [["case_id", "team"], ["K1", "Duty"], ["K2", "Duty"]]
        .iter()
        .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            data.write_string(r as u32 + 2, c as u16, *v).unwrap();
        }
    }
    book.save(w.path("book.xlsx")).unwrap();
    let run = w.run(&["cases", "book.xlsx", "--count"]).ok();
    assert_eq!(run.stdout, "count\n2\n", "the sheet with case_id is found");
    w.run(&["cases", "book.xlsx", "--sheet", "cases", "--count"]).ok();
    w.run(&["cases", "book.xlsx", "--sheet", "Missing"])
        .fails(1)
        .stderr_has("has no sheet \"Missing\" (its sheets: Notes, Cases)");
    // Sheet rows keep their numbers in messages: the header is on row 3.
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (r, row) in [["case_id", "team"], ["K1", "Duty"], ["K1", "Duty"]]
        .iter()
        .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            s.write_string(r as u32 + 2, c as u16, *v).unwrap();
        }
    }
    book.save(w.path("dup.xlsx")).unwrap();
    w.write("strict.toml", "[extract]\nrepeated_ids = \"error\"\n");
    w.run(&["cases", "dup.xlsx", "-c", "strict.toml"])
        .fails(1)
        .stderr_has("dup.xlsx[Sheet1]:5: column \"case_id\": case id \"K1\" appears again (first on line 4)");
}

#[test]
fn windows_1252_pound_and_apostrophe() {
    let w = Workdir::new();
    w.write("x.csv", b"case_id,team,note\r\nC1,A,\xa3250 for O\x92Brien\r\n");
    let run = w
        .run(&[
            "cases",
            "x.csv",
            "--encoding",
            "windows-1252",
            "--columns",
            "note",
        ])
        .ok();
    assert_eq!(run.stdout, "note\n£250 for O’Brien\n");
    let run = w.run(&["cases", "x.csv"]).fails(1);
    assert!(
        run.stderr.contains("x.csv:2:") && run.stderr.contains("--encoding windows-1252"),
        "{}",
        run.stderr
    );
}

#[test]
fn annex_a_is_recognised_without_settings() {
    let w = Workdir::new();
    annex_a_workbook(&w.path("annex_a.xlsx"));
    let columns = "case_id,team,service,start_date,end_date,risk_factors";
    let run = w
        .run(&["cases", "annex_a.xlsx", "--columns", columns])
        .ok()
        .stderr_has("annex_a.xlsx: read as Annex A lists, which its headings show");
    w.write("caseaudit.toml", ANNEX_A);
    let set = w.run(&["cases", "annex_a.xlsx", "--columns", columns]).ok();
    assert_eq!(
        run.stdout, set.stdout,
        "the same cases as with layout = \"annex-a\""
    );
    // The lists' own headings name the fields they became.
    let run = w
        .run(&[
            "cases",
            "annex_a.xlsx",
            "--where",
            "\"Latest Category of Abuse\" contains neglect and \"Allocated Team\" != \"\"",
            "--columns",
            "case_id",
            "-q",
        ])
        .ok();
    assert_eq!(run.stdout, "case_id\nC3\n");
    // "standard" reads the workbook as it is.
    w.write("caseaudit.toml", "[extract]\nlayout = \"standard\"\n");
    let run = w.run(&["cases", "annex_a.xlsx", "--count"]);
    assert!(!run.stderr.contains("read as Annex A"), "{}", run.stderr);
}

#[test]
fn annex_a_csv_lists_without_settings_name_each_item_once() {
    let w = Workdir::new();
    w.write("cp.csv", "Child Unique ID,Gender,Date of Birth,Child Protection Plan Start Date,Initial Category of Abuse,Latest Category of Abuse,Child Protection Plan End Date,Allocated Team,Allocated Worker\nA2,a) Male,01/01/2017,01/05/2026,Physical abuse,Physical abuse,,Locality 1 Unit 2,Bob\nA3,a) Male,01/01/2018,01/06/2026,NEG,EMO,,Locality 1 Unit 2,Bob\n");
    let run = w
        .run(&["cases", "cp.csv", "--columns", "case_id,service,risk_factors"])
        .ok()
        .stderr_has("cp.csv: read as Annex A lists");
    assert_eq!(
        csv_rows(&run.stdout),
        csv_rows("case_id,service,risk_factors\nA2,CP,Physical abuse\nA3,CP,NEG; EMO\n")
    );
    w.run(&["validate", "cp.csv"])
        .ok()
        .stderr_has("cp.csv: case extract, 2 rows: ok");
}

#[test]
fn percentages_show_one_decimal_in_a_workbook_and_keep_their_value() {
    use std::io::Read;
    let w = Workdir::new();
    w.run(&["demo", "m", "-q"]).ok();
    w.run(&[
        "themes",
        "m/audits.csv",
        "--month",
        "2026-11",
        "-o",
        "t.xlsx",
        "-c",
        "m/caseaudit.toml",
    ])
    .ok();
    let file = std::fs::File::open(w.path("t.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut part = |name: &str| {
        let mut text = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
        text
    };
    assert!(
        part("xl/styles.xml").contains("formatCode=\"0.0\""),
        "one decimal shown"
    );
    // The cell itself keeps the full value (60.869… for 14 of 23, say), as CSV does.
    let sheet = part("xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<v>60.869565217391"), "full precision kept");
}
