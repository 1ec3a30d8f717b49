//! `validate`: every problem, located, for each kind of file.

use crate::common::Workdir;

#[test]
fn reports_every_problem_not_just_the_first() {
    let w = Workdir::new();
    w.write(
        "caseaudit.toml",
        "[extract]\nrepeated_ids = \"error\"\n[[sampling.frames]]\nname = \"a\"\nwhere = \"team = A\"\nsize = 1\n",
    );
    w.write("x.csv", "case_id,team,dob\nC1,A,01/13/2015\nC1,B,\n,C,\nC4,,\n");
    let run = w.run(&["validate", "x.csv"]).fails(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "x.csv:2: warning: column \"dob\": \"01/13/2015\" looks like a US-style date (month/day/year); write dates as dd/mm/yyyy or yyyy-mm-dd (this command does not read the column)",
            "x.csv:3: column \"case_id\": case id \"C1\" appears again (first on line 2)",
            "x.csv:4: column \"case_id\": case id is blank",
            "x.csv:5: warning: column \"team\": case \"C4\" has no team: it cannot be allocated and will be left out of samples",
        ]
    );
    assert!(
        run.stderr
            .contains("x.csv: case extract, 4 rows: 2 errors, 2 warnings"),
        "{}",
        run.stderr
    );
}

#[test]
fn detects_kinds_from_headings() {
    let w = Workdir::new();
    w.write("ext.csv", "case_id,team\nC1,A\n");
    w.write(
        "aud.csv",
        "auditor_id,name,team,role,capacity,active,manages\nTM1,Ann,A,Team Manager,2,yes,A\n",
    );
    w.write(
        "hist.csv",
        "month,case_id,team,auditor_id,frame\n2026-10,C1,A,TM1,neglect\n",
    );
    w.write("caseaudit.toml", "[allocation]\ndefault_capacity = 3\n");
    let run = w
        .run(&["validate", "ext.csv", "aud.csv", "hist.csv", "caseaudit.toml"])
        .ok();
    for line in [
        "ext.csv: case extract, 1 row: ok",
        "aud.csv: auditors list, 1 row: ok",
        "hist.csv: audit history, 1 row: ok",
        "caseaudit.toml: settings file: ok",
    ] {
        assert!(run.stderr.contains(line), "missing {line:?} in\n{}", run.stderr);
    }
    w.write("odd.csv", "x,y\n1,2\n");
    w.run(&["validate", "odd.csv"])
        .fails(1)
        .stdout_has("odd.csv:1: cannot tell what kind of file");
    w.run(&["validate", "--kind", "auditors", "odd.csv"])
        .fails(1)
        .stdout_has("column \"auditor_id\": required column is missing");
}

#[test]
fn auditor_problems() {
    let w = Workdir::new();
    w.write(
        "aud.csv",
        "auditor_id,name,team,capacity,active\nA1,Ann,T1,two,yes\nA2,Bo,T2,2,maybe\nA1,Cy,T3,1,no\n,Di,T4,1,yes\n",
    );
    let run = w.run(&["validate", "aud.csv"]).fails(1);
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        [
            "aud.csv:2: column \"capacity\": \"two\" is not a capacity (a whole number of audits, 0 or more)",
            "aud.csv:3: column \"active\": \"maybe\" is not yes or no",
            "aud.csv:4: column \"auditor_id\": auditor id \"A1\" appears again (first on line 2)",
            "aud.csv:5: column \"auditor_id\": auditor id is blank",
        ]
    );
}

#[test]
fn history_months_must_be_yyyy_mm() {
    let w = Workdir::new();
    w.write(
        "hist.csv",
        "month,case_id,team,auditor_id,frame\nNov 2026,C1,A,TM1,x\n2026-13,C2,A,TM1,x\n",
    );
    let run = w.run(&["validate", "--kind", "history", "hist.csv"]).fails(1);
    assert!(
        run.stdout
            .contains("hist.csv:2: column \"month\": \"Nov 2026\" is not a month (expected YYYY-MM"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("hist.csv:3: column \"month\""),
        "{}",
        run.stdout
    );
}

#[test]
fn settings_problems_name_key_and_line() {
    let w = Workdir::new();
    w.write("bad.toml", "[sampling]\nexclude_audited_within_months = 12\n\n[[sampling.frames]]\nname = \"x\"\nwhere = \"status == closed\"\nsize = 5\n");
    let run = w.run(&["validate", "bad.toml"]).fails(1);
    assert!(
        run.stdout
            .starts_with("bad.toml:6: key \"sampling.frames[0].where\""),
        "{}",
        run.stdout
    );
    w.write(
        "typo.toml",
        "[allocation]\ndefault_capacity = 2\nrotate_month = 3\n",
    );
    w.run(&["validate", "typo.toml"])
        .fails(1)
        .stdout_has("typo.toml:3: unknown field `rotate_month`");
    w.write("types.toml", "[allocation]\ndefault_capacity = \"two\"\n");
    w.run(&["validate", "types.toml"])
        .fails(1)
        .stdout_has("types.toml:2:");
    // A broken settings file stops every command, with its location.
    w.write("x.csv", "case_id,team\nC1,A\n");
    w.run(&["-c", "typo.toml", "cases", "x.csv"])
        .fails(1)
        .stderr_has("typo.toml:3:");
}

#[test]
fn frames_are_checked_against_the_extract() {
    let w = Workdir::new();
    w.write(
        "caseaudit.toml",
        "[[sampling.frames]]\nname = \"da\"\nwhere = \"risk = domestic_abuse\"\nsize = 5\n",
    );
    w.write("x.csv", "case_id,team\nC1,A\n");
    w.run(&["validate", "x.csv"])
        .fails(1)
        .stdout_has("x.csv:1: sampling frame \"da\": unknown field \"risk\"");
}

/// `validate -` reads standard input once: it used to wait for ever, opening it a
/// second time for the headings. What it reports is what the same file gives.
#[test]
fn standard_input_is_validated_as_a_file_is() {
    use std::io::Write;
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let w = Workdir::new();
    for (file, input) in [
        ("x.csv", "case_id,team,dob\nC1,A,01/02/2015\nC1,B,\n"),
        ("a.csv", "auditor_id,name,team\nA1,Ann,North\n"),
    ] {
        w.write(file, input);
        let on_file = w.run(&["validate", file]);
        let mut child = w
            .cmd(&["validate", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(30) {
                child.kill().unwrap();
                panic!("validate - did not finish");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        let named = |text: &str| text.replace(file, "<stdin>");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            named(&on_file.stdout),
            "{file}"
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            named(&on_file.stderr),
            "{file}"
        );
        assert_eq!(out.status.code(), Some(on_file.code), "{file}");
        assert!(on_file.stderr.contains(file), "{}", on_file.stderr);
    }
}

#[test]
fn rows_are_counted_even_when_some_have_errors() {
    let w = Workdir::new();
    // Repeated ids are read whole, and a short row stops that reading.
    w.write("x.csv", "case_id,team\nC1,A\nC1,B\nC2\n");
    w.run(&["validate", "x.csv", "--kind", "cases"])
        .fails(1)
        .stderr_has("x.csv: case extract, 3 rows: 1 error");
}

#[test]
fn files_with_errors_still_count_their_rows() {
    let w = Workdir::new();
    w.write(
        "hist.csv",
        "month,case_id,team,auditor_id,frame\n2026-10,C1,A,TM1,f\n2026-13,C2,A,TM2,f\n2026-10,C3,A,TM3,f\n",
    );
    w.write(
        "aud.csv",
        "Staff list\n\nauditor_id,name,team,capacity\nA1,Ann,T1,two\nA2,Bo,T2,2\n",
    );
    w.write(
        "alloc.csv",
        "month,case_id,team,worker,auditor_id,auditor_name,auditor_team\n2026-11,C1,A,Wyn,A1,Ann,B\n2026-11,C2,A,Wyn,A2,Bo,A\n",
    );
    w.run(&["validate", "hist.csv", "aud.csv", "alloc.csv"])
        .fails(1)
        .stderr_has("hist.csv: audit history, 3 rows: 1 error, 0 warnings")
        // Rows below a title and a blank line are counted from the header.
        .stderr_has("aud.csv: auditors list, 2 rows: 1 error, 0 warnings")
        .stderr_has("alloc.csv: allocation, 2 rows: 1 error, 0 warnings");
}

#[test]
fn an_allocation_is_checked_by_every_rule_against_the_lists_given_with_it() {
    let w = Workdir::new();
    // A2 manages team A; A3 audited C3 in October.
    w.write(
        "auditors.csv",
        "auditor_id,name,team,manages\nA1,Ann,B,\nA2,Bo,C,A\nA3,Cy,D,\n",
    );
    w.write(
        "history.csv",
        "month,case_id,team,auditor_id,frame\n2026-10,C3,A,A3,f\n",
    );
    w.write(
        "alloc.csv",
        "month,case_id,team,worker,auditor_id,auditor_name,auditor_team\n\
         2026-11,C1,A,Wyn,A1,Ann,B\n2026-11,C2,A,Wyn,A2,Bo,C\n2026-11,C3,A,Wyn,A3,Cy,D\n",
    );
    // On its own, only what the allocation tells is checked, and it says so.
    w.run(&["validate", "alloc.csv"])
        .ok()
        .stderr_has("alloc.csv: teams the auditors manage not checked")
        .stderr_has("alloc.csv: earlier auditors of each case not checked");
    let run = w
        .run(&["validate", "alloc.csv", "auditors.csv", "history.csv"])
        .fails(1)
        .stderr_has("alloc.csv: allocation, 3 rows: 2 errors, 0 warnings");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].starts_with("alloc.csv:3: column \"auditor_id\": "),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("manages"), "{}", lines[0]);
    assert!(
        lines[1].starts_with("alloc.csv:4: column \"auditor_id\": "),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("audited this case before"), "{}", lines[1]);
}

#[test]
fn a_workbook_renamed_csv_a_binary_file_and_an_empty_one_are_named_as_such() {
    let w = Workdir::new();
    let xlsx = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/forms_libreoffice.xlsx"
    ))
    .unwrap();
    w.write("renamed.csv", &xlsx);
    w.write("old.csv", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]);
    w.write("binary.csv", b"case_id,team\n\x00\x01\x02\n");
    w.write("empty.csv", "");
    w.run(&["cases", "renamed.csv", "--count"])
        .fails(1)
        .stderr_has("error: renamed.csv is a workbook (or another zip file), not CSV text: give it its workbook's extension (.xlsx, .ods) and it is read as one");
    w.run(&["cases", "old.csv", "--count"])
        .fails(1)
        .stderr_has("error: old.csv is an Excel 97-2003 workbook");
    w.run(&["cases", "binary.csv", "--count"])
        .fails(1)
        .stderr_has("error: binary.csv is not a text file (it holds control bytes)");
    w.run(&["validate", "renamed.csv", "binary.csv", "empty.csv"])
        .fails(1)
        .stdout_has("renamed.csv: the file is a workbook (or another zip file), not CSV text")
        .stdout_has("binary.csv: the file is not a text file")
        .stdout_has("empty.csv: the file is empty: it has no header row");
}

/// A Windows-1252 file read as UTF-8 has a bad row wherever a name has an accent:
/// one error for the file (its first row, how many more, the last one's line),
/// not one a row; the rows are still counted. Also where the file is read in
/// blocks on both cores, and on standard input.
#[test]
fn a_file_not_utf8_is_one_error_not_one_a_row() {
    let w = Workdir::new();
    w.write(
        "x.csv",
        b"case_id,team,worker\r\nC1,A,Ren\xe9e\r\nC2,A,Bo\r\nC3,B,Zo\xeb\r\nC4,B,O\x92Neil\r\n",
    );
    let run = w.run(&["validate", "x.csv"]).fails(1);
    let errors: Vec<&str> = run.stdout.lines().filter(|l| l.contains("UTF-8")).collect();
    assert_eq!(
        errors,
        [
            "x.csv:2: this row is not valid UTF-8, nor are 2 more rows after it (the last on line 5): if the file came from Excel on Windows, try --encoding windows-1252, or [input] encoding = \"windows-1252\" in the settings"
        ],
        "{}",
        run.stdout
    );
    run.stderr_has("x.csv: case extract, 4 rows: 1 error");
    w.run(&["cases", "x.csv", "--count"])
        .fails(1)
        .stderr_has("x.csv:2: this row is not valid UTF-8, nor are 2 more rows");
    w.run(&["cases", "x.csv", "--count", "--encoding", "windows-1252"])
        .ok()
        .stdout_has("4");
    // Rows left out for not being UTF-8 are no cases: where no other case has a
    // team, that is still one warning, not one a case.
    w.write(
        "noteam.csv",
        b"case_id,team,worker\nC1,,Ren\xe9e\nC2,,Bo\nC3,,Al\nC4,,Zo\xeb\n",
    );
    let run = w.run(&["validate", "noteam.csv"]).fails(1);
    assert!(!run.stdout.contains("has no team"), "{}", run.stdout);
    run.stdout_has("noteam.csv: warning: column \"team\": no case has a team (2 cases)");
    // The lists too: one error, or, for one row, the row's column.
    w.write(
        "aud.csv",
        b"auditor_id,name,team,capacity\r\nA1,Ren\xe9e,T1,2\r\nA2,Bo,T2,2\r\nA3,Zo\xeb,T3,2\r\n",
    );
    w.write("one.csv", b"auditor_id,name,team,capacity\nA1,Ren\xe9e,T1,2\n");
    w.run(&["validate", "--kind", "auditors", "aud.csv", "one.csv"])
        .fails(1)
        .stdout_has(
            "aud.csv:2: this row is not valid UTF-8, nor is 1 more row after it (line 4): if the file",
        )
        .stdout_has("one.csv:2: column \"name\": is not valid UTF-8 (if the file came from Excel")
        .stderr_has("aud.csv: auditors list, 3 rows: 1 error");

    // Thousands of rows, read in blocks: still one error.
    w.run(&["generate", "gen", "--cases", "40000", "--seed", "3", "-q"])
        .ok();
    let mut bytes = std::fs::read(w.path("gen/extract.csv")).unwrap();
    let mut bad = 0;
    let mut last_line = 0;
    let mut line = 1;
    for i in 0..bytes.len() {
        if bytes[i] == b'\n' {
            line += 1;
            // The first byte of every 1000th row becomes é in Windows-1252.
            if line % 1000 == 0 && i + 1 < bytes.len() {
                bytes[i + 1] = 0xE9;
                bad += 1;
                last_line = line;
            }
        }
    }
    w.write("big.csv", &bytes);
    let run = w.run(&["validate", "big.csv"]).fails(1);
    let errors: Vec<&str> = run.stdout.lines().filter(|l| l.contains("UTF-8")).collect();
    assert_eq!(errors.len(), 1, "{}", run.stdout);
    let want = format!(
        "big.csv:1000: this row is not valid UTF-8, nor are {} more rows after it (the last on line {last_line})",
        bad - 1
    );
    assert!(errors[0].starts_with(&want), "{}", errors[0]);
    run.stderr_has("big.csv: case extract, 40000 rows: 1 error");
    w.run_stdin(&["validate", "-"], bytes)
        .fails(1)
        .stdout_has(&want.replace("big.csv", "<stdin>"));
}
