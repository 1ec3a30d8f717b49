//! `forms` and `collect` where a reviewer found them wrong: each test the
//! real binary on forms written by it and filled in by another library.

use crate::common::Workdir;
use crate::forms::{EXTRACT, answers, fill, records, setup};

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
    w.run(&[
        "forms",
        "allocation.csv",
        "--extract",
        "extract.csv",
        "-o",
        "forms",
    ])
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
        w.run(&["forms", "allocation.csv", "--extract", "extract.csv", "-o", "forms"])
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
