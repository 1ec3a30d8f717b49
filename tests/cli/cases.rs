//! `cases`: messy extracts, filters, output formats and output safety.

use crate::common::{Workdir, csv_rows};
use proptest::prelude::*;
use std::io::Read;
use std::process::Stdio;

/// A file as exported by a real system: BOM, CRLF, NBSP in names and teams,
/// Excel serial dates, lettered labels, #N/A, formula-like text.
const MESSY: &[u8] = b"\xEF\xBB\xBF Case_ID ,Team,Allocated Worker,dob,start_date,end_date,referral_source,risk_factors,child_name\r\n\
C1,Locality\xC2\xA01 Unit 2,Dustin\xC2\xA0Hazlett,01/02/2015,44090,,p1) 5D: LA services,a) Neglect,Fake Child\r\n\
C2,Locality 1 Unit 2 ,=HYPERLINK(\"x\"),2024-06-01,01/03/2025,30/06/2026,3A,\"3A; 16A\",Pretend Kid\r\n\
C3,#N/A,NULL,,,,N/A,N1 - Abuse or neglect,Nobody Real\r\n\
C4,Children in Care Team 1,Sam Jones,15/05/2010,01/01/2020,,1A,\"NEG|4B\",Made Up\r\n";

#[test]
fn messy_extract_reads_cleanly() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    let run = w.run(&["cases", "x.csv", "--count", "--by", "team"]).ok();
    let rows = csv_rows(&run.stdout);
    assert_eq!(
        rows,
        vec![
            vec!["team", "count"],
            vec!["", "1"],
            vec!["Children in Care Team 1", "1"],
            vec!["Locality 1 Unit 2", "2"]
        ],
        "a team written with a NBSP or trailing space is the same team; #N/A is no team"
    );
    let run = w
        .run(&[
            "cases",
            "x.csv",
            "--columns",
            "case_id,worker,start_date,step_up,age",
        ])
        .ok();
    let rows = csv_rows(&run.stdout);
    assert_eq!(rows[0], ["case_id", "worker", "start_date", "step_up", "age"]);
    assert_eq!(
        rows[1],
        ["C1", "Dustin Hazlett", "2020-09-16", "yes", "11"],
        "Excel serial 44090 = 2020-09-16"
    );
    assert_eq!(rows[2][1], "'=HYPERLINK(\"x\")", "formula text is neutralised");
    assert_eq!(rows[3][1], "", "NULL is missing");
}

#[test]
fn risk_factor_vocabulary_matches_codes_and_labels() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    let run = w
        .run(&[
            "cases",
            "x.csv",
            "--where",
            "risk_factors contains neglect",
            "--columns",
            "case_id",
        ])
        .ok();
    let ids: Vec<String> = csv_rows(&run.stdout)
        .into_iter()
        .skip(1)
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(
        ids,
        ["C1", "C2", "C4"],
        "16A, NEG and a) Neglect match; 'N1 - Abuse or neglect' does not"
    );
    let run = w
        .run(&[
            "cases",
            "x.csv",
            "--where",
            "risk_factors contains domestic_abuse",
            "--count",
        ])
        .ok();
    assert_eq!(run.stdout, "count\n1\n");
}

#[test]
fn step_up_and_status_are_derived() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    let run = w
        .run(&["cases", "x.csv", "--where", "step_up", "--columns", "case_id"])
        .ok();
    assert_eq!(run.stdout, "case_id\nC1\n");
    let run = w
        .run(&[
            "cases",
            "x.csv",
            "--where",
            "status = closed and end_date within 6 months",
            "--columns",
            "case_id",
        ])
        .ok();
    assert_eq!(run.stdout, "case_id\nC2\n");
}

#[test]
fn identifying_columns_stay_out_unless_named() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    let run = w.run(&["cases", "x.csv"]).ok();
    assert!(
        !run.stdout.contains("Fake Child") && !run.stdout.contains("dob") && !run.stdout.contains("2015")
    );
    let run = w.run(&["cases", "x.csv", "--columns", "case_id,child_name"]).ok();
    assert!(run.stdout.contains("Fake Child"));
}

#[test]
fn raw_turns_off_neutralising() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    let run = w
        .run(&[
            "cases",
            "x.csv",
            "--raw",
            "--columns",
            "worker",
            "--where",
            "case_id = C2",
        ])
        .ok();
    assert_eq!(run.stdout, "worker\n\"=HYPERLINK(\"\"x\"\")\"\n");
}

#[test]
fn json_output_parses_with_keys_in_order() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    let run = w
        .run(&["cases", "x.csv", "-f", "json", "--columns", "case_id,team,age"])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(v.as_array().unwrap().len(), 4);
    assert_eq!(v[0]["case_id"], "C1");
    assert!(v[2]["team"].is_null());
    assert!(run.stdout.find("case_id").unwrap() < run.stdout.find("team").unwrap());
}

#[test]
fn markdown_and_table_formats() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    let md = w
        .run(&["cases", "x.csv", "-f", "markdown", "--count", "--by", "team"])
        .ok();
    assert!(
        md.stdout.starts_with("| team | count |\n|---|---:|\n"),
        "{}",
        md.stdout
    );
    let table = w.run(&["cases", "x.csv", "-f", "table", "--count"]).ok();
    assert!(table.stdout.contains("count") && table.stdout.contains('4'));
}

#[test]
fn where_errors_point_at_the_word_before_reading() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    let run = w.run(&["cases", "x.csv", "--where", "tema = \"A\""]).fails(2);
    assert!(run.stderr.contains("tema = \"A\"\n"), "{}", run.stderr);
    assert!(run.stderr.contains("^^^^"), "{}", run.stderr);
    // A syntax error is found before the (missing) file is opened.
    let run = w
        .run(&["cases", "missing.csv", "--where", "status == closed"])
        .fails(2);
    assert!(run.stderr.contains('^'), "{}", run.stderr);
}

#[test]
fn several_extracts_merge_per_case() {
    let w = Workdir::new();
    w.write(
        "a.csv",
        "case_id,team,risk_factors,service\nC1,Team A,16A,CIN\nC2,Team B,,CP\n",
    );
    w.write(
        "b.csv",
        "case_id,team,risk_factors,worker\nC1,Team C,3A,Ann\nC3,Team B,,Bo\n",
    );
    let run = w
        .run(&[
            "cases",
            "a.csv",
            "b.csv",
            "--columns",
            "case_id,team,risk_factors,service,worker",
        ])
        .ok();
    assert_eq!(
        csv_rows(&run.stdout),
        vec![
            vec!["case_id", "team", "risk_factors", "service", "worker"],
            vec!["C1", "Team C", "16A; 3A", "CIN", "Ann"],
            vec!["C2", "Team B", "", "CP", ""],
            vec!["C3", "Team B", "", "", "Bo"],
        ]
    );
    assert!(
        run.stderr.contains("b.csv:2: warning: column \"team\""),
        "{}",
        run.stderr
    );
}

/// Standard columns that only a later file has keep their meaning in the merge:
/// dates written as dates, lists split into items, standard headings.
#[test]
fn standard_columns_of_a_later_file_keep_their_meaning() {
    let w = Workdir::new();
    w.write(
        "a.csv",
        "case_id,team,worker,service,start_date\nC1,T1,W1,CP,01/02/2024\nC2,T2,W2,CIN,03/04/2024\n",
    );
    w.write(
        "b.csv",
        "case_id,team,end_date,risk_factors,Step Up\nC1,T1,01/12/2024,16A;3A,Y\nC3,T3,,NEG,n\n",
    );
    // `cases` on both files, with `more` arguments.
    let cases = |more: &[&str]| {
        let mut args = vec!["--as-of", "2025-01-15", "cases", "a.csv", "b.csv"];
        args.extend_from_slice(more);
        w.run(&args).ok()
    };
    let run = cases(&["--columns", "case_id,end_date,step_up"]);
    assert_eq!(
        csv_rows(&run.stdout),
        vec![
            vec!["case_id", "end_date", "step_up"],
            vec!["C1", "2024-12-01", "Y"],
            vec!["C2", "", ""],
            vec!["C3", "", "n"],
        ]
    );
    let run = cases(&["--count", "--by", "risk_factors"]);
    let rows = csv_rows(&run.stdout);
    assert!(
        rows.contains(&vec!["16A".to_string(), "1".to_string()]),
        "{}",
        run.stdout
    );
    assert!(
        rows.contains(&vec!["3A".to_string(), "1".to_string()]),
        "{}",
        run.stdout
    );
}

#[test]
fn mapped_headings_from_settings() {
    let w = Workdir::new();
    w.write(
        "caseaudit.toml",
        "[extract.columns]\ncase_id = \"Child ID\"\nteam = \"Owning Team\"\n",
    );
    w.write("x.csv", "Child ID,Owning Team\nK1,Duty\nK2,Duty\n");
    let run = w
        .run(&["cases", "x.csv", "--where", "team = duty", "--count"])
        .ok();
    assert_eq!(run.stdout, "count\n2\n");
}

#[test]
fn output_file_is_written_and_never_silently_replaced() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    w.run(&["cases", "x.csv", "-o", "out.csv"]).ok();
    assert!(w.read("out.csv").starts_with("case_id,team"));
    w.write("out.csv", "precious");
    w.run(&["cases", "x.csv", "-o", "out.csv"])
        .fails(1)
        .stderr_has("already exists; use --force");
    assert_eq!(w.read("out.csv"), "precious");
    w.run(&["cases", "x.csv", "-o", "out.csv", "--force"]).ok();
    assert!(w.read("out.csv").starts_with("case_id,team"));
    w.run(&["cases", "x.csv", "-o", "out.json"]).ok();
    assert!(
        w.read("out.json").starts_with('['),
        "the extension decides the format"
    );
    w.run(&["cases", "x.csv", "-o", "nowhere/out.csv"])
        .fails(1)
        .stderr_has("does not exist");
}

#[test]
fn bad_rows_are_located_and_nothing_is_written() {
    let w = Workdir::new();
    w.write("caseaudit.toml", "[extract]\nrepeated_ids = \"error\"\n");
    let cases: [(&str, &str, &str); 7] = [
        (
            "case_id,team,end_date\nC1,A,\nC2,B,09/16/2025\n",
            "bad.csv:3: column \"end_date\"",
            "US-style",
        ),
        (
            "case_id,team\nC1,A\nC1,B\n",
            "bad.csv:3: column \"case_id\"",
            "appears again (first on line 2)",
        ),
        (
            "case_id,team\nC1,A\n,B\n",
            "bad.csv:3: column \"case_id\"",
            "blank",
        ),
        (
            "case_id,worker\nC1,A\n",
            "bad.csv:1: column \"team\"",
            "required column is missing",
        ),
        (
            "case_id,team\nC1,A\nC2,B,extra\n",
            "bad.csv:3:",
            "3 fields but the header has 2",
        ),
        (
            "case_id,team,start_date\nC1,A,31/02/2025\n",
            "bad.csv:2: column \"start_date\"",
            "not a real date",
        ),
        ("", "bad.csv: the file is empty", "header row"),
    ];
    for (text, location, message) in cases {
        w.write("bad.csv", text);
        let run = w
            .run(&["cases", "bad.csv", "-o", "out.csv"])
            .fails(1)
            .stderr_has(location)
            .stderr_has(message);
        assert!(
            !w.path("out.csv").exists(),
            "no output for {:?}\n{}",
            text,
            run.stderr
        );
        let run = w.run(&["cases", "bad.csv"]).fails(1);
        assert!(
            run.stdout.is_empty(),
            "nothing on stdout for {text:?}: {}",
            run.stdout
        );
    }
}

#[test]
fn missing_file_and_directory_inputs() {
    let w = Workdir::new();
    w.run(&["cases", "nope.csv"]).fails(1).stderr_has("nope.csv");
    std::fs::create_dir(w.path("adir")).unwrap();
    w.run(&["cases", "adir"]).fails(1).stderr_has("is a directory");
}

#[test]
fn stdin_dash_and_tsv() {
    let w = Workdir::new();
    let run = w.run_stdin(&["cases", "-", "--count"], "case_id,team\nA,B\nC,D\n");
    assert_eq!(run.ok().stdout, "count\n2\n");
    w.write("x.tsv", "case_id\tteam\nA\tT 1\n");
    let run = w.run(&["cases", "x.tsv", "--columns", "team"]).ok();
    assert_eq!(run.stdout, "team\nT 1\n");
}

#[test]
fn windows_1252_input() {
    let w = Workdir::new();
    w.write("x.csv", b"case_id,team,worker\r\nC1,A,Ren\xe9e O\x92Neil\r\n");
    let run = w
        .run(&[
            "cases",
            "x.csv",
            "--encoding",
            "windows-1252",
            "--columns",
            "worker",
        ])
        .ok();
    assert_eq!(run.stdout, "worker\nRenée O’Neil\n");
    w.run(&["cases", "x.csv"]).fails(1).stderr_has("windows-1252");
}

#[test]
fn a_closed_pipe_exits_quietly() {
    let w = Workdir::new();
    let mut text = String::from("case_id,team,service\n");
    for i in 0..200_000 {
        text.push_str(&format!("C{i},Team {},CIN\n", i % 7));
    }
    w.write("big.csv", text);
    let mut child = w
        .cmd(&["cases", "big.csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout); // like `| head -c 16`
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Only the note that no settings file is in use.
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .all(|l| l.starts_with("settings: the built-in defaults")),
        "quiet on a closed pipe: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Values written to an extract come back unchanged through `cases` (after the
    /// documented cleaning: trimming; an apostrophe guarding formula-like text, as
    /// caseaudit writes it, is passed over; `--raw` writes none).
    #[test]
    fn csv_round_trips_through_cases(rows in prop::collection::vec(("[A-Za-z0-9 ,;\"'=+@é-]{0,12}", "[A-Za-z0-9 ]{1,10}"), 1..12)) {
        let w = Workdir::new();
        let mut wtr = csv::Writer::from_writer(Vec::new());
        wtr.write_record(["case_id", "team", "note"]).unwrap();
        for (i, (note, team)) in rows.iter().enumerate() {
            wtr.write_record([format!("C{i}"), team.clone(), note.clone()]).unwrap();
        }
        w.write("x.csv", wtr.into_inner().unwrap());
        let run = w.run(&["cases", "x.csv", "--raw"]).ok();
        let back = csv_rows(&run.stdout);
        prop_assert_eq!(back.len(), rows.len() + 1);
        for (i, (note, team)) in rows.iter().enumerate() {
            let team_clean = team.trim();
            prop_assert_eq!(&back[i + 1][1], team_clean);
            let note_clean = note.trim();
            let guarded = note_clean.strip_prefix('\'').filter(|rest| match rest.chars().next() {
                Some('=' | '@') => true,
                Some('+' | '-') => rest.parse::<f64>().is_err(),
                _ => false,
            });
            let note_clean = guarded.map_or(note_clean, str::trim);
            let expected = if ["null", "n/a", "#n/a"].contains(&note_clean.to_ascii_lowercase().as_str()) { "" } else { note_clean };
            prop_assert_eq!(&back[i + 1][2], expected);
        }
    }
}

#[test]
fn redact_replaces_case_ids_with_stable_pseudonyms() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    w.run(&["cases", "x.csv", "--redact"])
        .fails(2)
        .stderr_has("redact_key");
    w.write(
        "caseaudit.toml",
        "[privacy]\nredact_key = \"correct horse battery\"\n",
    );
    let a = w
        .run(&["cases", "x.csv", "--redact", "--columns", "case_id,team"])
        .ok();
    assert!(a.stderr.contains("pseudonyms"), "it says so: {}", a.stderr);
    assert!(
        !a.stdout.contains("C1,") && a.stdout.contains("R-"),
        "{}",
        a.stdout
    );
    let b = w
        .run(&["cases", "x.csv", "--redact", "--columns", "case_id,team"])
        .ok();
    assert_eq!(a.stdout, b.stdout, "stable");
}

#[test]
fn output_never_overwrites_an_input_and_is_private() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    w.run(&["cases", "x.csv", "-o", "x.csv", "--force"])
        .fails(1)
        .stderr_has("never writes over an input");
    assert_eq!(std::fs::read(w.path("x.csv")).unwrap(), MESSY);
    w.run(&["cases", "x.csv", "-o", "out.csv"]).ok();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(w.path("out.csv")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only");
    }
}

#[test]
fn html_is_only_for_the_report() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    w.run(&["cases", "x.csv", "-f", "html"])
        .fails(2)
        .stderr_has("HTML is the report's format");
    w.run(&["cases", "x.csv", "-o", "x.html"]).fails(2);
    assert!(!w.path("x.html").exists());
}

#[test]
fn an_unknown_by_field_suggests_the_near_one() {
    let w = Workdir::new();
    w.write("x.csv", MESSY);
    w.run(&["cases", "x.csv", "--count", "--by", "tema"])
        .fails(2)
        .stderr_has("unknown column \"tema\", did you mean \"team\"?");
}

/// Dates as the case management systems write them read as the same day.
#[test]
fn dates_in_every_form_real_exports_write() {
    let w = Workdir::new();
    let forms = [
        "16/09/2025",
        "16.09.2025",
        "16-09-2025",
        "16 Sep 2025",
        "16-Sep-2025",
        "16 September 2025",
        "16/09/2025 00:00",
        "2025-09-16T00:00:00",
    ];
    let mut csv = String::from("case_id,team,start_date\n");
    for (i, form) in forms.iter().enumerate() {
        csv.push_str(&format!("C{i},T,{form}\n"));
    }
    w.write("x.csv", csv);
    let run = w
        .run(&["cases", "x.csv", "--columns", "start_date", "-f", "csv"])
        .ok();
    let rows = csv_rows(&run.stdout);
    assert_eq!(rows.len(), forms.len() + 1, "{}", run.stdout);
    assert!(rows[1..].iter().all(|r| r == &["2025-09-16"]), "{}", run.stdout);
    w.write("us.csv", "case_id,team,start_date\nC1,T,09/16/2025\n");
    w.run(&["cases", "us.csv"])
        .fails(1)
        .stderr_has("us.csv:2: column \"start_date\": \"09/16/2025\" looks like a US-style date");
}

/// A file separated by semicolons (Excel where the comma is the decimal mark),
/// tabs or pipes is read as such, with a note; commas win when the header has any.
#[test]
fn the_delimiter_is_found_from_the_header() {
    let w = Workdir::new();
    for (name, sep, word) in [
        ("semi.csv", ";", "semicolons"),
        ("tab.csv", "\t", "tabs"),
        ("pipe.csv", "|", "pipes"),
    ] {
        let text = ["case_id", "team", "start_date"].join(sep)
            + "\n"
            + &["C1", "Team A", "01/02/2025"].join(sep)
            + "\n"
            + &["C2", "\"Team; B\"", "2025-03-04"].join(sep)
            + "\n";
        w.write(name, text);
        let run = w
            .run(&["cases", name, "--columns", "case_id,team", "-f", "csv"])
            .ok()
            .stderr_has(&format!("{name}: the header is separated by {word}"));
        assert_eq!(
            csv_rows(&run.stdout),
            [["case_id", "team"], ["C1", "Team A"], ["C2", "Team; B"]],
            "{name}"
        );
        w.run(&["validate", name])
            .ok()
            .stderr_has("case extract, 2 rows: ok");
    }
    // A header with commas is comma-separated, whatever its cells hold.
    w.write("comma.csv", "case_id,team\nC1,A;B\n");
    let run = w.run(&["cases", "comma.csv", "-f", "csv"]).ok();
    assert!(!run.stderr.contains("separated by"), "{}", run.stderr);
    assert_eq!(csv_rows(&run.stdout)[1], ["C1", "A;B"]);
    // --delimiter still decides.
    w.run(&["--delimiter", ",", "cases", "semi.csv", "--count"])
        .fails(1)
        .stderr_has("required column is missing");
}

/// XML other than the CIN census is refused as such, not read as a table with
/// one odd heading (the census itself: tests/cli/census.rs).
#[test]
fn an_xml_file_is_refused_with_a_reason() {
    let w = Workdir::new();
    w.write(
        "export.csv",
        "\u{feff}<?xml version=\"1.0\"?>\n<Workbook><Worksheet/></Workbook>\n",
    );
    w.run(&["cases", "export.csv", "--count"])
        .fails(1)
        .stderr_has("export.csv is XML but not the CIN census: only the CIN census XML is read");
}

/// Headings as the case management systems and statutory returns write them are
/// known without settings, and a list column keeps its vocabulary under its own
/// heading; a missing required column names a near heading and the lines to paste.
#[test]
fn system_headings_are_known_without_settings() {
    let w = Workdir::new();
    w.write(
        "lcs.csv",
        "Person ID,Team Name,Worker Name,Referral Date,Closure Date,Factors identified at assessment\n\
         100021,North CIN,Ann Lark,16/09/2025,,2B; 16A\n\
         100022,South CP,Bob Wren,01/10/2025,2025-11-01,Neglect\n\
         100023,South CP,Bob Wren,01/10/2025,,1C\n",
    );
    let count = |w: &Workdir, filter: &str| {
        let run = w
            .run(&["cases", "lcs.csv", "--where", filter, "--count", "-f", "csv"])
            .ok();
        csv_rows(&run.stdout)[1][0].clone()
    };
    assert_eq!(count(&w, "risk_factors contains neglect"), "2");
    assert_eq!(
        count(&w, "\"Factors identified at assessment\" contains neglect"),
        "2"
    );
    assert_eq!(count(&w, "team = \"South CP\" and status = open"), "1");
    let run = w
        .run(&[
            "cases",
            "lcs.csv",
            "--columns",
            "case_id,worker,start_date",
            "-f",
            "csv",
        ])
        .ok();
    assert_eq!(csv_rows(&run.stdout)[1], ["100021", "Ann Lark", "2025-09-16"]);

    w.write("odd.csv", "Reference,Unit Team\nR1,North\n");
    w.run(&["cases", "odd.csv", "--count"])
        .fails(1)
        .stderr_has("column \"case_id\": required column is missing (the header has: Reference, Unit Team)")
        .stderr_has("  [extract.columns]\n  case_id = \"…\"");
    w.write("odd2.csv", "Case Ref,Unit\nR1,North\n");
    w.run(&["cases", "odd2.csv", "--count"])
        .fails(1)
        .stderr_has("  [extract.columns]\n  team = \"…\"")
        .stderr_has("  case_id = \"Case Ref\"");
}

/// A cell that does not parse stops only the commands that read its column.
#[test]
fn a_bad_cell_in_a_column_nothing_reads_is_a_warning() {
    let w = Workdir::new();
    w.write(
        "caseaudit.toml",
        "[[sampling.frames]]\nname = \"open\"\nwhere = \"status = open\"\nsize = 5\n",
    );
    w.write(
        "x.csv",
        "case_id,team,start_date,dob\nC1,A,01/02/2026,00/00/0000\nC2,B,01/03/2026,05/06/2015\n",
    );
    let unread = "x.csv:2: warning: column \"dob\": \"00/00/0000\" is not a";
    w.run(&["sample", "x.csv", "--seed", "1", "-o", "s.csv"])
        .ok()
        .stderr_has(unread)
        .stderr_has("(this command does not read the column)");
    assert_eq!(csv_rows(&w.read("s.csv")).len(), 3, "both cases drawn");
    w.run(&["cases", "x.csv", "--count"]).ok().stderr_has(unread);
    w.run(&["validate", "x.csv"]).ok().stdout_has(unread);
    // Where the command reads the column, the same cell is an error.
    for args in [
        &["cases", "x.csv", "--where", "age < 18", "--count"][..],
        &["cases", "x.csv", "--columns", "case_id,dob"][..],
        &["cases", "x.csv", "--count", "--by", "age"][..],
    ] {
        w.run(args)
            .fails(1)
            .stderr_has("x.csv:2: column \"dob\": \"00/00/0000\" is not a");
    }
    w.write(
        "caseaudit.toml",
        "[[sampling.frames]]\nname = \"young\"\nwhere = \"age < 5\"\nsize = 5\n",
    );
    w.run(&["sample", "x.csv", "--seed", "1"])
        .fails(1)
        .stderr_has("x.csv:2: column \"dob\"");
    w.run(&["validate", "x.csv"]).fails(1);
}

#[test]
fn a_blank_group_is_named_where_people_read_it() {
    let w = Workdir::new();
    w.write("x.csv", "case_id,team\nC1,A\nC2,\nC3,A\n");
    w.run(&[
        "cases", "x.csv", "--count", "--by", "team", "-f", "markdown", "-q",
    ])
    .ok()
    .stdout_has("| (no team) | 1 |");
    // CSV keeps it blank for scripts.
    w.run(&["cases", "x.csv", "--count", "--by", "team", "-f", "csv", "-q"])
        .ok()
        .stdout_has("team,count\n,1\nA,2\n");
    // Every -o says where it wrote; -q keeps it quiet.
    for out in ["n.csv", "n.xlsx", "n.md"] {
        w.run(&["cases", "x.csv", "--count", "-o", out])
            .ok()
            .stderr_has(&format!("wrote {out}"));
    }
    let run = w.run(&["cases", "x.csv", "--count", "-o", "q.csv", "-q"]).ok();
    assert!(!run.stderr.contains("wrote"), "{}", run.stderr);
}

#[test]
fn color_always_colours_even_when_piped() {
    let w = Workdir::new();
    w.write("x.csv", "case_id,team\nC1,A\n");
    let coloured = w
        .run(&[
            "cases", "x.csv", "--count", "-f", "table", "--color", "always", "-q",
        ])
        .ok();
    assert!(coloured.stdout.contains("\u{1b}["), "{:?}", coloured.stdout);
    let plain = w
        .run(&[
            "cases", "x.csv", "--count", "-f", "table", "--color", "never", "-q",
        ])
        .ok();
    assert!(!plain.stdout.contains('\u{1b}'), "{:?}", plain.stdout);
}
