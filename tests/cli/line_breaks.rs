//! A quoted cell's own line break is its bytes: a CRLF inside quotes comes out as
//! CRLF, in a CRLF file or an LF one, from a file or standard input, under either
//! encoding; and line numbers after such a cell are the file's (issue 22).

use crate::common::Workdir;

/// An extract whose first row's note holds a CRLF line break, and whose second
/// row (line 4 of the file) has a date that does not exist; its lines end with `end`.
fn extract(end: &str, delimiter: char) -> String {
    let rows = [
        "case_id,team,worker,start_date,note",
        "C1,North,Ann,01/01/2026,\"line one\r\nline two\"",
        "C2,South,Bob,31/02/2026,plain",
        "C3,North,Cy,01/01/2026,\"lf\nonly\"",
    ];
    rows.map(|r| r.replace(',', &delimiter.to_string()) + end)
        .concat()
}

const NOTES: &str = "case_id,note\nC1,\"line one\r\nline two\"\nC2,plain\nC3,\"lf\nonly\"\n";

#[test]
fn a_quoted_crlf_is_kept_and_lines_stay_right() {
    let w = Workdir::new();
    for (name, end, delimiter) in [
        ("crlf.csv", "\r\n", ','),
        ("lf.csv", "\n", ','),
        ("semi.csv", "\r\n", ';'),
        ("tabs.tsv", "\r\n", '\t'),
    ] {
        let text = extract(end, delimiter);
        w.write(name, &text);
        let columns = ["--columns", "case_id,note"];
        let on_file = w.run(&["cases", name, columns[0], columns[1]]).ok();
        assert_eq!(on_file.stdout, NOTES, "{name}");
        let on_stdin = w.run_stdin(&["cases", "-", columns[0], columns[1]], text.clone());
        assert_eq!(on_stdin.ok().stdout, NOTES, "{name} on standard input");
        for encoding in ["utf-8", "windows-1252"] {
            let run = w.run(&["cases", name, "--encoding", encoding, columns[0], columns[1]]);
            assert_eq!(run.ok().stdout, NOTES, "{name} as {encoding}");
        }
        w.run(&["validate", name])
            .fails(1)
            .stdout_has(&format!("{name}:4: column \"start_date\": \"31/02/2026\""));
        w.run_stdin(&["validate", "-"], text)
            .fails(1)
            .stdout_has("<stdin>:4: column \"start_date\"");
    }
}

/// The lists read through the `csv` crate (here the auditors list) number their
/// lines the same way.
#[test]
fn lines_after_a_quoted_crlf_in_a_list() {
    let w = Workdir::new();
    w.write(
        "aud.csv",
        "auditor_id,name,team,capacity\r\nA1,\"Ann\r\nSmith\",T1,2\r\nA2,Bo,T2,two\r\n",
    );
    w.run(&["validate", "--kind", "auditors", "aud.csv"])
        .fails(1)
        .stdout_has("aud.csv:4: column \"capacity\"");
}
