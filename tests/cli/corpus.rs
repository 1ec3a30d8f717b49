//! The bad-input corpus (tests/corpus): every file and bad argument gets exit 1 or 2,
//! a message naming the file (and line, where there is one), no panic, and no
//! output file or temporary file left behind.

use crate::common::Workdir;
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");

/// (arguments, with `{}` for the corpus file copied in; expected exit; text the error must contain)
const CASES: &[(&[&str], &str, i32, &str)] = &[
    (
        &["cases", "{}"],
        "census_doctype.xml",
        1,
        "census_doctype.xml:2: the XML has a DOCTYPE declaration",
    ),
    (
        &["cases", "{}"],
        "census_bad_date.xml",
        1,
        "census_bad_date.xml:5: <PersonBirthDate> of child \"SYN9\": \"30-11-2019\" is not a date",
    ),
    (
        &["cases", "{}"],
        "extract_title_unknown_headings.csv",
        1,
        "extract_title_unknown_headings.csv:4: column \"case_id\": required column is missing (the header has: Ref, Owner, Opened)",
    ),
    (
        &["validate", "{}"],
        "settings_bad_delimiter.toml",
        1,
        "settings_bad_delimiter.toml:2: key \"input.delimiter\": \"ab\" is not a single ASCII character",
    ),
    (
        &["cases", "{}"],
        "extract_unbalanced_quote.csv",
        1,
        "extract_unbalanced_quote.csv:2: this row has 2 fields but the header has 3 (a field runs over several lines",
    ),
    (
        &["cases", "{}"],
        "extract_short_row.csv",
        1,
        "extract_short_row.csv:3: this row has 2 fields",
    ),
    (
        &["cases", "{}"],
        "extract_long_row.csv",
        1,
        "extract_long_row.csv:2: this row has 5 fields",
    ),
    (
        &["cases", "{}"],
        "extract_impossible_date.csv",
        1,
        "extract_impossible_date.csv:2: column \"start_date\": \"31/02/2025\" is not a real date",
    ),
    (
        &["cases", "{}"],
        "extract_us_date.csv",
        1,
        "extract_us_date.csv:2: column \"end_date\": \"09/16/2025\" looks like a US-style date",
    ),
    (
        &["cases", "{}", "--where", "age < 18"],
        "extract_word_date.csv",
        1,
        "extract_word_date.csv:2: column \"dob\": \"yesterday\" is not a date",
    ),
    (
        &["cases", "{}"],
        "extract_empty.csv",
        1,
        "extract_empty.csv: the file is empty",
    ),
    (
        &["sample", "{}", "--seed", "1"],
        "extract_header_only.csv",
        1,
        "extract_header_only.csv has a header but no case files",
    ),
    (
        &["cases", "{}"],
        "extract_missing_team.csv",
        1,
        "extract_missing_team.csv:1: column \"team\": required column is missing",
    ),
    (
        &["cases", "{}", "-c", "repeats_refused.toml"],
        "extract_duplicate_id.csv",
        1,
        "extract_duplicate_id.csv:4: column \"case_id\": case id \"C1\" appears again (first on line 2)",
    ),
    (
        &["cases", "{}"],
        "extract_blank_id.csv",
        1,
        "extract_blank_id.csv:3: column \"case_id\": case id is blank",
    ),
    (
        &["cases", "{}"],
        "extract_non_utf8.csv",
        1,
        "extract_non_utf8.csv:2: column \"worker\": is not valid UTF-8",
    ),
    (
        &["cases", "{}"],
        "extract_nul_bytes.csv",
        1,
        "extract_nul_bytes.csv:2: column \"team\": contains a NUL byte",
    ),
    (
        &["cases", "{}"],
        "extract_utf16.csv",
        1,
        "extract_utf16.csv is UTF-16 text",
    ),
    (
        &["cases", "{}"],
        "extract_duplicate_heading.csv",
        1,
        "extract_duplicate_heading.csv:1: column \"Team\": this heading appears twice",
    ),
    (
        &["cases", "{}"],
        "extract_binary_garbage.csv",
        1,
        "extract_binary_garbage.csv",
    ),
    (
        &["validate", "--kind", "auditors", "{}"],
        "auditors_negative_capacity.csv",
        1,
        "auditors_negative_capacity.csv:2: column \"capacity\": \"-2\" is not a capacity",
    ),
    (
        &["validate", "{}"],
        "auditors_duplicate_id.csv",
        1,
        "auditors_duplicate_id.csv:3: column \"auditor_id\": auditor id \"A1\" appears again",
    ),
    (
        &["validate", "--kind", "auditors", "{}"],
        "auditors_missing_team.csv",
        1,
        "auditors_missing_team.csv:1: column \"team\": required column is missing",
    ),
    (
        &["validate", "--kind", "auditors", "{}"],
        "auditors_bad_active.csv",
        1,
        "auditors_bad_active.csv:2: column \"active\": \"perhaps\" is not yes or no",
    ),
    (
        &["validate", "--kind", "auditors", "{}"],
        "auditors_blank_id.csv",
        1,
        "auditors_blank_id.csv:2: column \"auditor_id\": auditor id is blank",
    ),
    (
        &["allocate", "good_sample.csv", "--auditors", "{}"],
        "auditors_header_only.csv",
        1,
        "There are no auditors",
    ),
    (
        &["validate", "{}"],
        "history_bad_month.csv",
        1,
        "history_bad_month.csv:2: column \"month\": \"2026/11\" is not a month",
    ),
    (
        &["validate", "{}"],
        "history_word_month.csv",
        1,
        "history_word_month.csv:2: column \"month\": \"November\" is not a month",
    ),
    (
        &["validate", "--kind", "history", "{}"],
        "history_blank_case.csv",
        1,
        "history_blank_case.csv:2: column \"case_id\": is blank",
    ),
    (
        &["validate", "--kind", "history", "{}"],
        "history_missing_columns.csv",
        1,
        "history_missing_columns.csv:1: column \"case_id\": required column is missing",
    ),
    (
        &["validate", "{}"],
        "settings_unknown_key.toml",
        1,
        "settings_unknown_key.toml:3: unknown field `frequency`",
    ),
    (
        &["validate", "{}"],
        "settings_negative_size.toml",
        1,
        "settings_negative_size.toml:4:",
    ),
    (
        &["validate", "{}"],
        "settings_bad_expression.toml",
        1,
        "settings_bad_expression.toml:3: key \"sampling.frames[0].where\"",
    ),
    (
        &["validate", "{}"],
        "settings_wrong_type.toml",
        1,
        "settings_wrong_type.toml:2:",
    ),
    (
        &["validate", "{}"],
        "settings_not_toml.toml",
        1,
        "settings_not_toml.toml:1:",
    ),
    (
        &["validate", "{}"],
        "settings_good_or_better.toml",
        1,
        "key \"grades.good_or_better\"",
    ),
    (
        &["validate", "{}"],
        "settings_unknown_field.toml",
        1,
        "settings_unknown_field.toml:2: key \"extract.columns.team_name\"",
    ),
    (
        &["-c", "{}", "cases", "good_sample.csv"],
        "settings_unknown_key.toml",
        1,
        "settings_unknown_key.toml:3:",
    ),
    (
        &["allocate", "{}", "--auditors", "good_auditors.csv"],
        "sample_duplicate_case.csv",
        1,
        "sample_duplicate_case.csv:3: column \"case_id\"",
    ),
    (
        &["allocate", "{}", "--auditors", "good_auditors.csv"],
        "sample_no_team.csv",
        1,
        "sample_no_team.csv:2: column \"team\"",
    ),
    (
        &["allocate", "{}", "--auditors", "good_auditors.csv"],
        "sample_mixed_months.csv",
        1,
        "sample_mixed_months.csv mixes months",
    ),
    (
        &["allocate", "{}", "--auditors", "good_auditors.csv"],
        "sample_bad_month.csv",
        1,
        "sample_bad_month.csv:2: column \"month\"",
    ),
    (
        &["allocate", "{}", "--auditors", "good_auditors.csv"],
        "sample_header_only.csv",
        1,
        "sample_header_only.csv has no cases to allocate",
    ),
    (
        &["verify", "{}"],
        "manifest_not_json.json",
        1,
        "manifest_not_json.json is not a caseaudit sample manifest",
    ),
    (
        &["verify", "{}"],
        "manifest_wrong_method.json",
        1,
        "method md5-v0",
    ),
    (
        &["record", "{}", "--history", "history.csv"],
        "allocation_bad_month.csv",
        1,
        "allocation_bad_month.csv:2: column \"month\"",
    ),
    (
        &["record", "{}", "--history", "history.csv"],
        "allocation_missing_auditor.csv",
        1,
        "allocation_missing_auditor.csv:1: column \"auditor_id\": required column is missing",
    ),
];

/// Bad arguments: (arguments, expected exit, text the error must contain).
const BAD_ARGUMENTS: &[(&[&str], i32, &str)] = &[
    (&["cases", "good_sample.csv", "--where", "status =="], 2, "^"),
    (
        &["cases", "good_sample.csv", "--where", "tema = x"],
        2,
        "unknown field \"tema\"",
    ),
    (&["cases", "good_sample.csv", "--where", "(team = A"], 2, "^"),
    (
        &["cases", "good_sample.csv", "--columns", "case_id,nonsense"],
        2,
        "unknown column \"nonsense\"",
    ),
    (
        &["cases", "good_sample.csv", "--as-of", "31/02/2026"],
        2,
        "not a real date",
    ),
    (
        &["sample", "good_sample.csv", "--month", "2026-13"],
        2,
        "not a month",
    ),
    (&["sample", "good_sample.csv", "--seed", "-4"], 2, "-4"),
    (&["plan", "--population", "100", "--margin", "2"], 2, "--margin"),
    (
        &["cases", "good_sample.csv", "--delimiter", "ab"],
        2,
        "single ASCII character",
    ),
    (&["cases", "good_sample.csv", "--format", "pdf"], 2, "pdf"),
    (&["cases", "missing.csv"], 1, "missing.csv"),
    (&["cases", "adir"], 1, "adir is a directory"),
    (
        &["cases", "good_sample.csv", "-o", "no/such/dir/out.csv"],
        1,
        "does not exist",
    ),
    (
        &["cases", "good_sample.csv", "-o", "good_sample.csv", "--force"],
        1,
        "never writes over an input",
    ),
];

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".caseaudit-") || n == "out.csv" || n == "out.csv.manifest.json")
        .collect()
}

fn setup() -> Workdir {
    let w = Workdir::new();
    for name in ["good_auditors.csv", "good_sample.csv", "good_audits.csv"] {
        std::fs::copy(Path::new(CORPUS).join(name), w.path(name)).unwrap();
    }
    std::fs::create_dir(w.path("adir")).unwrap();
    w.write("repeats_refused.toml", "[extract]\nrepeated_ids = \"error\"\n");
    w
}

#[track_caller]
fn check(w: &Workdir, args: &[String], code: i32, needle: &str) {
    let strs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = w.run(&strs);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, code, "caseaudit {}\n{all}", args.join(" "));
    assert!(
        all.contains(needle),
        "caseaudit {}: expected {needle:?} in\n{all}",
        args.join(" ")
    );
    assert!(
        !all.contains("internal error") && !all.contains("panicked"),
        "no panic: {all}"
    );
    assert!(
        leftovers(w.root()).is_empty(),
        "nothing left behind: {:?}",
        leftovers(w.root())
    );
}

#[test]
fn every_corpus_file_fails_cleanly() {
    let w = setup();
    let on_disk = std::fs::read_dir(CORPUS).unwrap().count();
    assert!(on_disk >= 40, "the corpus has {on_disk} files");
    for (args, file, code, needle) in CASES {
        std::fs::copy(Path::new(CORPUS).join(file), w.path(file)).unwrap();
        let mut full: Vec<String> = args
            .iter()
            .map(|a| {
                if *a == "{}" {
                    (*file).to_string()
                } else {
                    (*a).to_string()
                }
            })
            .collect();
        if !["validate", "verify", "record"].contains(&args[0]) && !args.contains(&"-c") {
            full.extend(["-o".to_string(), "out.csv".to_string()]);
        }
        check(&w, &full, *code, needle);
    }
}

#[test]
fn bad_arguments_fail_cleanly() {
    let w = setup();
    for (args, code, needle) in BAD_ARGUMENTS {
        let full: Vec<String> = args.iter().map(|a| (*a).to_string()).collect();
        check(&w, &full, *code, needle);
    }
}

#[test]
fn a_five_megabyte_field() {
    let w = setup();
    let mut text = String::from("case_id,team\nC1,\"");
    text.push_str(&"x".repeat(5 * 1024 * 1024));
    text.push_str("\"\n");
    w.write("huge.csv", text);
    let args: Vec<String> = ["cases", "huge.csv", "-o", "out.csv"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    check(
        &w,
        &args,
        1,
        "huge.csv:2: column \"team\": is 5242880 characters long, more than a spreadsheet cell can hold",
    );
}
