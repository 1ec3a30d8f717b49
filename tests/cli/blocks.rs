//! Extracts of several megabytes, which are read in blocks on both cores: the same
//! answers, problems and line numbers as the one-thread reader, which reads standard
//! input (`-`) and so is the reference here.

use crate::common::{Run, Workdir};
use sha2::{Digest, Sha256};

const SETTINGS: &str = include_str!("../data/sample.toml");

/// A generated extract of `cases` rows (about 100 bytes a row), as bytes.
fn extract(w: &Workdir, cases: &str) -> Vec<u8> {
    w.run(&["generate", "gen", "--cases", cases, "--seed", "3", "-q"])
        .ok();
    std::fs::read(w.path("gen/extract.csv")).unwrap()
}

/// The same command on a file and on standard input: (file run, stdin run).
fn both(w: &Workdir, file: &str, args: &[&str]) -> (Run, Run) {
    let with = |input: &str| -> Vec<String> {
        let mut v = vec![args[0].to_string(), input.to_string()];
        v.extend(args[1..].iter().map(|s| s.to_string()));
        v
    };
    let file_args = with(file);
    let file_args: Vec<&str> = file_args.iter().map(String::as_str).collect();
    let on_file = w.run(&file_args);
    let stdin_args = with("-");
    let stdin_args: Vec<&str> = stdin_args.iter().map(String::as_str).collect();
    let bytes = std::fs::read(w.path(file)).unwrap();
    (on_file, w.run_stdin(&stdin_args, bytes))
}

/// Lines (1 = header) whose first field is `id`.
fn line_of(bytes: &[u8], id: &str) -> usize {
    let text = String::from_utf8_lossy(bytes);
    1 + text
        .split('\n')
        .position(|l| l.starts_with(&format!("{id},")))
        .unwrap_or_else(|| panic!("{id} is in the extract"))
}

#[test]
fn a_large_extract_gives_what_standard_input_gives() {
    let w = Workdir::new();
    w.write("caseaudit.toml", SETTINGS);
    let bytes = extract(&w, "40000");
    assert!(bytes.len() > 3 << 20, "several blocks: {} bytes", bytes.len());
    w.write("x.csv", &bytes);
    let (file, stdin) = both(&w, "x.csv", &["sample", "--seed", "9"]);
    let (file, stdin) = (file.ok(), stdin.ok());
    assert_eq!(file.stdout, stdin.stdout);
    assert!(file.stdout.lines().count() > 10, "{}", file.stdout);
    for query in [
        &["cases", "--count", "--by", "team"][..],
        &[
            "cases",
            "--where",
            "risk_factors contains neglect and age < 5",
            "--columns",
            "case_id,team,dob",
        ],
        &["cases", "--where", "step_up"],
    ] {
        let (file, stdin) = both(&w, "x.csv", query);
        assert_eq!(file.ok().stdout, stdin.ok().stdout, "{query:?}");
    }
    // The manifest's hash is the file's.
    w.run(&["sample", "x.csv", "--seed", "9", "-o", "s.csv"]).ok();
    let manifest: serde_json::Value = serde_json::from_str(&w.read("s.csv.manifest.json")).unwrap();
    let want: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(manifest["inputs"][0]["sha256"], want.as_str());
    assert_eq!(manifest["inputs"][0]["rows"], 40000);
    w.run(&["verify", "s.csv.manifest.json"]).ok();
}

#[test]
fn quoted_line_ends_across_blocks_crlf_and_a_byte_order_mark() {
    let w = Workdir::new();
    let bytes = extract(&w, "30000");
    let text = String::from_utf8(bytes).unwrap();
    // Every 7th row's worker becomes a quoted value spanning lines, with quotes in it;
    // one long quoted value straddles the first 1 MiB (where the first block ends).
    let mut out = String::from("\u{feff}");
    let mut straddled = false;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let mut fields: Vec<String> = line.trim_end().split(',').map(str::to_string).collect();
        if i > 0 && i % 7 == 0 {
            fields[4] = format!("\"{}\nsecond \"\"line\"\"\r\nthird\"", fields[4]);
        }
        if !straddled && out.len() > (1 << 20) - 2000 {
            fields[4] = format!("\"{}\"", "long\n".repeat(800));
            straddled = true;
        }
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    assert!(straddled);
    w.write("q.csv", &out);
    for query in [
        &["cases", "--columns", "case_id,worker"][..],
        &["cases", "--count", "--by", "worker"],
    ] {
        let (file, stdin) = both(&w, "q.csv", query);
        let (file, stdin) = (file.ok(), stdin.ok());
        assert_eq!(file.stdout, stdin.stdout, "{query:?}");
        assert!(
            file.stdout.contains("second \"\"line\"\""),
            "{}",
            &file.stdout[..300]
        );
    }
    // The quoted CRLF is the worker's own, kept as it is (the file's line ends
    // are CRLF too, and are the ones turned into LF).
    let (file, _) = both(&w, "q.csv", &["cases", "--columns", "case_id,worker"]);
    assert!(file.ok().stdout.contains("\nsecond \"\"line\"\"\r\nthird\"\n"));
}

/// Replaces field `index` of the row whose case id is `id`.
fn set_field(text: &mut String, id: &str, index: usize, value: &str) {
    let at = text.find(&format!("{id},")).unwrap();
    let end = at + text[at..].find('\n').unwrap();
    let mut fields: Vec<String> = text[at..end].split(',').map(str::to_string).collect();
    fields[index] = value.to_string();
    text.replace_range(at..end, &fields.join(","));
}

#[test]
fn problems_far_into_a_file_name_the_right_lines() {
    let w = Workdir::new();
    let mut text = String::from_utf8(extract(&w, "40000")).unwrap();
    // A name spanning two lines early on, then a bad date well past the first block.
    set_field(&mut text, "CH0000100", 1, "\"Quoted\nName\"");
    set_field(&mut text, "CH0031000", 6, "31/02/2026");
    w.write("bad.csv", &text);
    let line = line_of(text.as_bytes(), "CH0031000");
    let (file, stdin) = both(
        &w,
        "bad.csv",
        &["cases", "--where", "start_date > 2000-01-01", "--count"],
    );
    let (file, stdin) = (file.fails(1), stdin.fails(1));
    let at_line = format!("bad.csv:{line}: column \"start_date\"");
    assert!(file.stderr.contains(&at_line), "{at_line}\n{}", file.stderr);
    assert_eq!(
        file.stderr.replace("bad.csv", "-"),
        stdin.stderr.replace("<stdin>", "-")
    );
}

#[test]
fn a_case_id_twice_in_different_blocks_is_reported_exactly() {
    let w = Workdir::new();
    w.write("caseaudit.toml", "[extract]\nrepeated_ids = \"error\"\n");
    let original = String::from_utf8(extract(&w, "40000")).unwrap();
    // A 4 MB file is read in 32 blocks of about 1,300 rows, which both workers
    // take from one queue: the repeat in the same block as the first, and in
    // blocks far later (on either worker).
    for later in ["CH0001000", "CH0025000", "CH0035000"] {
        let again = line_of(original.as_bytes(), later);
        let text = original.replacen(&format!("{later},"), "CH0000002,", 1);
        w.write("dup.csv", &text);
        let first = line_of(text.as_bytes(), "CH0000002");
        w.run(&["cases", "dup.csv", "--count"])
            .fails(1)
            .stderr_has(&format!(
                "dup.csv:{again}: column \"case_id\": case id \"CH0000002\" appears again (first on line {first})"
            ));
    }
}
