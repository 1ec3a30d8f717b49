//! `sample` and `verify`: golden draws, row-order independence, manifests.

use crate::common::{Workdir, csv_rows};

const EXTRACT: &str = include_str!("../data/sample_extract.csv");
const HISTORY: &str = include_str!("../data/sample_history.csv");
const SETTINGS: &str = include_str!("../data/sample.toml");

fn setup() -> Workdir {
    let w = Workdir::new();
    w.write("caseaudit.toml", SETTINGS);
    w.write("extract.csv", EXTRACT);
    w.write("history.csv", HISTORY);
    w
}

fn frame_ids(stdout: &str, frame: &str) -> Vec<String> {
    csv_rows(stdout)
        .into_iter()
        .skip(1)
        .filter(|r| r[1] == frame)
        .map(|r| r[4].clone())
        .collect()
}

/// Expected ids re-derived independently by the Python recipe in the README
/// (tests/data/rederive.py), seed 20261, as of 2026-11-26.
#[test]
fn golden_sample_for_a_fixed_seed() {
    let w = setup();
    let run = w
        .run(&[
            "sample",
            "extract.csv",
            "--history",
            "history.csv",
            "--seed",
            "20261",
        ])
        .ok();
    assert_eq!(
        frame_ids(&run.stdout, "closed-6m"),
        ["K006", "K022", "K030", "K050", "K052", "K002"]
    );
    assert_eq!(frame_ids(&run.stdout, "step-up"), ["K060", "K010", "K040"]);
    assert_eq!(
        frame_ids(&run.stdout, "neglect"),
        ["K037", "K014", "K033", "K011"]
    );
    let rows = csv_rows(&run.stdout);
    assert_eq!(
        rows[0],
        [
            "month",
            "frame",
            "stratum",
            "rank",
            "case_id",
            "team",
            "worker",
            "service",
            "status",
            "start_date",
            "end_date",
            "key"
        ]
    );
    assert_eq!(rows[1][0], "2026-11");
    assert_eq!(rows[1][3], "1");
    assert_eq!(rows[1][11].len(), 16, "key as 16 hex digits");
    assert!(
        run.stderr.contains("closed-6m"),
        "per-frame summary on stderr: {}",
        run.stderr
    );
}

#[test]
fn same_sample_from_a_shuffled_extract() {
    let w = setup();
    let mut lines: Vec<&str> = EXTRACT.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    lines.rotate_left(17);
    w.write("shuffled.csv", format!("{header}\n{}\n", lines.join("\n")));
    let a = w
        .run(&[
            "sample",
            "extract.csv",
            "--history",
            "history.csv",
            "--seed",
            "99",
        ])
        .ok();
    let b = w
        .run(&[
            "sample",
            "shuffled.csv",
            "--history",
            "history.csv",
            "--seed",
            "99",
        ])
        .ok();
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn history_exclusion_window() {
    let w = setup();
    // K020 was audited last month and K004 five months ago: never drawn, whatever the seed.
    for seed in ["1", "2", "3", "4", "5"] {
        let run = w
            .run(&[
                "sample",
                "extract.csv",
                "--history",
                "history.csv",
                "--seed",
                seed,
            ])
            .ok();
        let ids: Vec<String> = csv_rows(&run.stdout)
            .into_iter()
            .skip(1)
            .map(|r| r[4].clone())
            .collect();
        assert!(
            !ids.contains(&"K020".to_string()) && !ids.contains(&"K004".to_string()),
            "seed {seed}: {ids:?}"
        );
    }
}

#[test]
fn shortfall_is_reported() {
    let w = setup();
    w.write(
        "caseaudit.toml",
        "[[sampling.frames]]\nname = \"few\"\nwhere = \"team = \\\"Team A\\\" and step_up\"\nsize = 50\n",
    );
    let run = w
        .run(&["sample", "extract.csv", "--seed", "1", "-f", "json"])
        .ok();
    assert!(run.stderr.contains("SHORT BY"), "{}", run.stderr);
}

#[test]
fn a_random_seed_is_printed_and_recorded() {
    let w = setup();
    let run = w.run(&["sample", "extract.csv", "-o", "s.csv"]).ok();
    let seed: u64 = run
        .stderr
        .split("seed: ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&w.read("s.csv.manifest.json")).unwrap();
    assert_eq!(manifest["seed"], seed);
    assert_eq!(manifest["seed_chosen_at_random"], true);
    assert_eq!(manifest["method"], "sha256-key-v1");
    w.run(&["verify", "s.csv.manifest.json"])
        .ok()
        .stdout_has("verified");
}

#[test]
fn manifest_records_everything_and_verify_passes() {
    let w = setup();
    w.run(&[
        "sample",
        "extract.csv",
        "--history",
        "history.csv",
        "--seed",
        "20261",
        "-o",
        "sample.csv",
    ])
    .ok();
    let m: serde_json::Value = serde_json::from_str(&w.read("sample.csv.manifest.json")).unwrap();
    assert_eq!(m["month"], "2026-11");
    assert_eq!(m["as_of"], "2026-11-26");
    assert_eq!(m["settings"]["frames"][0]["stratify"], "team");
    assert_eq!(m["inputs"][0]["role"], "extract");
    assert_eq!(m["inputs"][0]["rows"], 60);
    assert_eq!(m["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(m["inputs"][1]["role"], "history");
    assert_eq!(
        m["frames"][1]["cases"],
        serde_json::json!(["K060", "K010", "K040"])
    );
    let strata: u64 = m["frames"][0]["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["drawn"].as_u64().unwrap())
        .sum();
    assert_eq!(strata, 6);
    let run = w.run(&["verify", "sample.csv.manifest.json"]).ok();
    assert!(
        run.stdout.starts_with("verified: 13 cases in 3 frames"),
        "{}",
        run.stdout
    );
    // The settings file changing afterwards does not matter: the manifest's settings are used.
    w.write(
        "caseaudit.toml",
        "[[sampling.frames]]\nname = \"x\"\nwhere = \"step_up\"\nsize = 1\n",
    );
    w.run(&["verify", "sample.csv.manifest.json"]).ok();
}

#[test]
fn verify_fails_on_an_edited_extract() {
    let w = setup();
    w.run(&[
        "sample",
        "extract.csv",
        "--history",
        "history.csv",
        "--seed",
        "20261",
        "-o",
        "sample.csv",
    ])
    .ok();
    // Make K006 no longer closed: it leaves the closed-6m frame.
    let edited: Vec<String> = EXTRACT
        .lines()
        .map(|l| {
            if l.starts_with("K006,") {
                let mut f: Vec<&str> = l.split(',').collect();
                f[5] = "";
                f.join(",")
            } else {
                l.to_string()
            }
        })
        .collect();
    w.write("extract.csv", edited.join("\n") + "\n");
    let run = w.run(&["verify", "sample.csv.manifest.json"]).fails(1);
    assert!(run.stdout.contains("the file has changed"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("frame closed-6m: cases differ (in the manifest only: K006"),
        "{}",
        run.stdout
    );
}

#[test]
fn verify_fails_on_an_edited_manifest() {
    let w = setup();
    w.run(&[
        "sample",
        "extract.csv",
        "--history",
        "history.csv",
        "--seed",
        "20261",
        "-o",
        "sample.csv",
    ])
    .ok();
    let text = w.read("sample.csv.manifest.json").replace("\"K060\"", "\"K059\"");
    w.write("sample.csv.manifest.json", text);
    w.run(&["verify", "sample.csv.manifest.json"])
        .fails(1)
        .stdout_has("frame step-up: cases differ");
    w.write("sample.csv.manifest.json", "{not json");
    w.run(&["verify", "sample.csv.manifest.json"])
        .fails(1)
        .stderr_has("not a caseaudit sample manifest");
}

#[test]
fn existing_manifest_is_not_replaced() {
    let w = setup();
    w.write("s.csv.manifest.json", "keep");
    w.run(&["sample", "extract.csv", "--seed", "1", "-o", "s.csv"])
        .fails(1)
        .stderr_has("already exists");
    assert_eq!(w.read("s.csv.manifest.json"), "keep");
    assert!(!w.path("s.csv").exists());
}

#[test]
fn cases_without_a_team_are_left_out_and_counted() {
    let w = setup();
    w.write(
        "caseaudit.toml",
        "[[sampling.frames]]\nname = \"all\"\nwhere = \"case_id is set\"\nsize = 100\n",
    );
    w.write("x.csv", "case_id,team\nA1,T1\nA2,#N/A\nA3,\nA4,T2\n");
    let run = w.run(&["sample", "x.csv", "--seed", "3"]).ok();
    assert_eq!(csv_rows(&run.stdout).len(), 3);
    assert!(run.stderr.contains("2 without a team left out"), "{}", run.stderr);
}

#[test]
fn per_stratum_takes_k_from_every_team() {
    let w = setup();
    w.write(
        "caseaudit.toml",
        "[[sampling.frames]]\nname = \"each-team\"\nwhere = \"case_id is set\"\nsize = 0\nstratify = \"team\"\nper_stratum = 2\n",
    );
    let run = w
        .run(&["sample", "extract.csv", "--seed", "4", "-o", "s.csv"])
        .ok();
    let rows = csv_rows(&w.read("s.csv"));
    for team in ["Team A", "Team B", "Team C"] {
        assert_eq!(
            rows.iter().filter(|r| r[5] == team).count(),
            2,
            "{team}: {}",
            run.stderr
        );
        assert!(
            rows.iter().filter(|r| r[5] == team).all(|r| r[2] == team),
            "the stratum is the team"
        );
    }
    let m: serde_json::Value = serde_json::from_str(&w.read("s.csv.manifest.json")).unwrap();
    let quotas: Vec<u64> = m["frames"][0]["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["quota"].as_u64().unwrap())
        .collect();
    assert_eq!(quotas, [2, 2, 2]);
}

#[test]
fn verify_still_passes_after_the_month_is_recorded_but_not_after_an_edit() {
    let w = setup();
    let earlier: String = HISTORY
        .lines()
        .filter(|l| !l.starts_with("2026-11"))
        .map(|l| format!("{l}\n"))
        .collect();
    w.write("history.csv", earlier);
    w.run(&[
        "sample",
        "extract.csv",
        "--history",
        "history.csv",
        "--seed",
        "20261",
        "-o",
        "sample.csv",
    ])
    .ok();
    w.write(
        "auditors.csv",
        "auditor_id,name,team,capacity\nX1,Xan,Team X,20\nY1,Yas,Team Y,20\n",
    );
    w.run(&[
        "allocate",
        "sample.csv",
        "--auditors",
        "auditors.csv",
        "-o",
        "allocation.csv",
    ])
    .ok();
    w.run(&["record", "allocation.csv", "--history", "history.csv"])
        .ok();
    let run = w.run(&["verify", "sample.csv.manifest.json"]).ok();
    assert!(
        run.stdout.contains("re-derived from the rows before it"),
        "{}",
        run.stdout
    );
    // An earlier month's row changed: that is not explained by recording this month.
    let text = w.read("history.csv").replace("2026-06,K004", "2026-06,K005");
    w.write("history.csv", text);
    w.run(&["verify", "sample.csv.manifest.json"])
        .fails(1)
        .stdout_has("NOT verified");
}
