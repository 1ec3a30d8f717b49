//! The rules of independence hold wherever an allocation enters: a hand-edited
//! allocation that breaks one is refused by `record` (and found by `validate`),
//! unless `--override` gives the reason, which the history keeps.

use crate::common::{Workdir, csv_rows};

/// The demo month, and its allocation edited by hand: the first case (Locality
/// Unit 5) given to Kit Alder of Locality Unit 5, the second case's worker
/// written as its auditor's name, last name first.
fn edited(w: &Workdir) -> String {
    w.run(&["demo", "m", "-q"]).ok();
    let text = w.read("m/allocation.csv");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(
        lines[1].ends_with(",A0009,Ira Alder,Front Door 1"),
        "{}",
        lines[1]
    );
    lines[1] = lines[1].replace(
        ",A0009,Ira Alder,Front Door 1",
        ",A0011,Kit Alder,Locality Unit 5",
    );
    assert!(
        lines[2].contains(",Ola Finch,") && lines[2].contains(",A0008,Hana Alder,"),
        "{}",
        lines[2]
    );
    lines[2] = lines[2].replace(",Ola Finch,", ",\"Alder, Hana\",");
    lines.join("\n") + "\n"
}

#[test]
fn record_refuses_a_hand_edited_breach_and_records_it_with_a_reason() {
    let w = Workdir::new();
    w.write("edited.csv", edited(&w));
    let run = w
        .run(&["record", "edited.csv", "--history", "new.csv"])
        .fails(1)
        .stderr_has("edited.csv:2: column \"auditor_id\": case \"CH0001091\" (team \"Locality Unit 5\"): auditor \"A0011\" (Kit Alder) works in the case's team; nothing was recorded")
        .stderr_has("edited.csv:3: column \"auditor_id\": case \"CH0000732\" (team \"Leaving Care Team 1\"): auditor \"A0008\" (Hana Alder) is the case's worker");
    assert!(!w.path("new.csv").exists(), "nothing written: {}", run.stderr);
    w.run(&[
        "record",
        "edited.csv",
        "--history",
        "new.csv",
        "--override",
        "agreed with the service manager",
    ])
    .ok()
    .stderr_has("edited.csv:2: recorded despite the rule, as --override says");
    let rows = csv_rows(&w.read("new.csv"));
    assert_eq!(
        rows[0],
        ["month", "case_id", "team", "auditor_id", "frame", "note"]
    );
    let noted: Vec<&str> = rows[1..]
        .iter()
        .filter(|r| !r[5].is_empty())
        .map(|r| r[1].as_str())
        .collect();
    assert_eq!(noted, ["CH0001091", "CH0000732"]);
    assert_eq!(rows[1][5], "override: agreed with the service manager");
    // The history with its notes reads as any history.
    w.run(&["history", "--history", "new.csv", "--case", "CH0001091"])
        .ok()
        .stdout_has("A0011");
}

#[test]
fn the_auditors_list_is_checked_too() {
    let w = Workdir::new();
    w.run(&["demo", "m", "-q"]).ok();
    // The allocation says Kit Alder is in Front Door 1; the list says Locality Unit 5.
    let text = w.read("m/allocation.csv").replacen(
        ",A0009,Ira Alder,Front Door 1",
        ",A0011,Kit Alder,Front Door 1",
        1,
    );
    w.write("stale.csv", text);
    w.run(&["record", "stale.csv", "--history", "h1.csv"])
        .ok()
        .stderr_has("no auditors list (--auditors FILE, or [auditors] path in the settings): whether a case is in a team its auditor manages is not checked");
    w.run(&[
        "record",
        "stale.csv",
        "--history",
        "h2.csv",
        "--auditors",
        "m/auditors.csv",
    ])
    .fails(1)
    .stderr_has("auditor \"A0011\" (Kit Alder) works in the case's team");
    // The list named once in the settings is used the same.
    w.write("caseaudit.toml", "[auditors]\npath = \"m/auditors.csv\"\n");
    w.run(&["record", "stale.csv", "--history", "h3.csv"])
        .fails(1)
        .stderr_has("auditor \"A0011\" (Kit Alder) works in the case's team");
    assert!(!w.path("h3.csv").exists());
    // ... and by allocate, which needs a list one way or the other.
    w.run(&[
        "allocate",
        "m/sample.csv",
        "--history",
        "m/history.csv",
        "-o",
        "a.csv",
    ])
    .ok();
    std::fs::remove_file(w.path("caseaudit.toml")).unwrap();
    w.run(&["allocate", "m/sample.csv", "-o", "b.csv"])
        .fails(2)
        .stderr_has("the auditors list is needed: give --auditors FILE, or name it once in the settings as [auditors] path");
}

#[test]
fn validate_finds_the_breach_in_an_allocation() {
    let w = Workdir::new();
    w.write("edited.csv", edited(&w));
    w.run(&["validate", "edited.csv"])
        .fails(1)
        .stderr_has("edited.csv: read as allocation")
        .stdout_has("edited.csv:2: column \"auditor_id\": case \"CH0001091\" (team \"Locality Unit 5\"): auditor \"A0011\" (Kit Alder) works in the case's team");
    w.run(&["validate", "m/allocation.csv"]).ok();
}

#[test]
fn a_team_written_nearly_as_the_cases_team_is_warned_of() {
    let w = Workdir::new();
    w.run(&["demo", "m", "-q"]).ok();
    let auditors = w.read("m/auditors.csv").replacen(
        "A0011,Kit Alder,Locality Unit 5,",
        "A0011,Kit Alder,Locality Unit 5 Team,",
        1,
    );
    w.write("auditors.csv", auditors);
    w.run(&["allocate", "m/sample.csv", "--auditors", "auditors.csv", "--history", "m/history.csv"])
        .ok()
        .stderr_has("auditors.csv:12: warning: column \"team\": auditor \"A0011\": \"Locality Unit 5 Team\" is no team of the sample or the history; did you mean \"Locality Unit 5\"?");
    // Against the extract, every team of the list that holds no case is named,
    // a near one with what it likely means.
    let auditors = w
        .read("auditors.csv")
        .replacen(",yes,Duty Team 1", ",yes,Duty Team 9", 1);
    w.write("auditors.csv", auditors);
    w.run(&["validate", "m/extract.csv", "auditors.csv"])
        .ok()
        .stdout_has("auditors.csv:12: warning: column \"team\": auditor \"A0011\": team \"Locality Unit 5 Team\" is no team of the extract; did you mean \"Locality Unit 5\"?")
        .stdout_has("auditors.csv:3: warning: column \"manages\": auditor \"A0002\": managed team \"Duty Team 9\" is no team of the extract (the nearest is \"Duty Team 1\"); fine for a team that holds no cases")
        .stderr_has("auditors.csv: teams checked against the extract's: 2 warnings");
    w.run(&["validate", "m/extract.csv", "m/auditors.csv"])
        .ok()
        .stderr_has("m/auditors.csv: teams checked against the extract's: ok");
}

#[test]
fn a_sample_of_one_team_does_not_make_every_numbered_team_a_typo() {
    let w = Workdir::new();
    w.run(&["demo", "m", "-q"]).ok();
    // One case of Locality Unit 5, no history: the other Locality Units are real teams.
    let sample = w.read("m/sample.csv");
    let one: Vec<&str> = sample
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.contains(",Locality Unit 5,"))
        .map(|(_, l)| l)
        .take(2)
        .collect();
    assert_eq!(one.len(), 2, "{sample}");
    w.write("one.csv", one.join("\n") + "\n");
    let run = w
        .run(&["allocate", "one.csv", "--auditors", "m/auditors.csv"])
        .ok();
    assert!(!run.stderr.contains("did you mean"), "{}", run.stderr);
}

#[test]
fn a_team_guarded_against_spreadsheet_formulas_is_read_back_as_itself() {
    let w = Workdir::new();
    w.write(
        "caseaudit.toml",
        "[[sampling.frames]]\nname = \"all\"\nwhere = \"team = '+East'\"\nsize = 2\n",
    );
    w.write(
        "extract.csv",
        "case_id,team,worker\nC1,+East,- Unallocated -\nC2,+East,- Unallocated -\nC3,West,Ann\n",
    );
    w.write("auditors.csv", "auditor_id,name,team\nA9,Cy,+East\nA1,Bo,West\n");
    w.run(&["sample", "extract.csv", "--seed", "1", "-o", "sample.csv"])
        .ok();
    // Written guarded, so that a spreadsheet does not take it for a formula ...
    assert!(
        w.read("sample.csv").contains(",'+East,"),
        "{}",
        w.read("sample.csv")
    );
    // ... and read back as itself: A9, of +East, audits none of its cases.
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
    for row in allocation.lines().skip(1) {
        assert!(
            row.contains(",A1,Bo,West"),
            "an auditor of the case's own team: {row}"
        );
    }
    assert!(!allocation.contains("\"'+East\""), "{allocation}");
    // An extract caseaudit wrote reads back the same way.
    w.run(&["cases", "extract.csv", "-o", "copy.csv"]).ok();
    assert!(w.read("copy.csv").contains(",'+East,"));
    w.run(&["cases", "copy.csv", "--where", "team = '+East'", "--count"])
        .ok()
        .stdout_has("count\n2\n");
}
