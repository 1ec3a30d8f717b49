//! `moderate select` and `moderate summary`: selection rules and reproducibility,
//! what moderation changed, agreement against published kappa values, the monthly
//! trend, and located errors.

use crate::common::{Workdir, csv_rows, records};
use sha2::{Digest, Sha256};

const AUDITS: &str = "audit_id,case_id,month,auditor_id,team,overall,risk,voice\n";
const MODERATION: &str = "audit_id,moderator_id,moderated_on,overall,challenged,note";

/// The sample key (docs/method.md#keys), computed here independently of the tool.
fn key(seed: u64, id: &str) -> u64 {
    let digest = Sha256::digest(format!("{seed}:{id}").as_bytes());
    u64::from_be_bytes(digest[..8].try_into().unwrap())
}

/// 40 November audits by 6 auditors (every ninth Inadequate) and 3 October ones.
fn month_of_audits(w: &Workdir) {
    let mut s = String::from(AUDITS);
    for i in 0..40 {
        let g = if i % 9 == 4 { "Inadequate" } else { "Good" };
        s.push_str(&format!(
            "N{i:02},C{i},2026-11,TM{},Team {},{g},,\n",
            i % 6,
            i % 4
        ));
    }
    s.push_str("O1,X1,2026-10,TM0,Team 0,Inadequate,,\nO2,X2,2026-10,TM1,Team 1,Good,,\nO3,X3,2026-10,TM7,Team 1,Good,,\n");
    w.write("audits.csv", s);
}

#[test]
fn select_takes_every_inadequate_every_auditor_and_the_smallest_keys() {
    let w = Workdir::new();
    month_of_audits(&w);
    let run = w
        .run(&[
            "moderate",
            "select",
            "audits.csv",
            "--seed",
            "20261",
            "--min-per-auditor",
            "2",
            "--rate",
            "0.1",
        ])
        .ok();
    assert!(
        run.stderr.contains("month: 2026-11 (the latest in the audits"),
        "{}",
        run.stderr
    );
    let rows = records(&run.stdout);
    assert_eq!(
        csv_rows(&run.stdout)[0],
        ["audit_id", "case_id", "auditor_id", "reason"]
    );
    let reasons: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["audit_id"].as_str(), r["reason"].as_str()))
        .collect();
    // Every Inadequate November audit, and no October audit.
    let mut always: Vec<&str> = reasons.iter().filter(|r| r.1 == "always").map(|r| r.0).collect();
    always.sort_unstable();
    assert_eq!(always, ["N04", "N13", "N22", "N31"]);
    assert!(reasons.iter().all(|r| r.0.starts_with('N')));
    // Every auditor at least twice.
    for t in 0..6 {
        let n = rows
            .iter()
            .filter(|r| r["auditor_id"] == format!("TM{t}"))
            .count();
        assert!(n >= 2, "TM{t}: {n}");
    }
    // round(0.1 × 40) = 4 random, the smallest keys of the rest.
    let random: Vec<&str> = reasons.iter().filter(|r| r.1 == "random").map(|r| r.0).collect();
    assert_eq!(random.len(), 4);
    let taken: Vec<&str> = reasons.iter().map(|r| r.0).collect();
    let mut rest: Vec<(u64, String)> = (0..40)
        .map(|i| format!("N{i:02}"))
        .filter(|id| !taken.contains(&id.as_str()) || random.contains(&id.as_str()))
        .map(|id| (key(20261, &id), id))
        .collect();
    rest.sort();
    let smallest: Vec<&str> = rest.iter().take(4).map(|(_, id)| id.as_str()).collect();
    assert_eq!(random, smallest);
    // The same seed chooses the same audits; another seed others.
    let again = w
        .run(&[
            "moderate",
            "select",
            "audits.csv",
            "--seed",
            "20261",
            "--min-per-auditor",
            "2",
            "--rate",
            "0.1",
        ])
        .ok();
    assert_eq!(again.stdout, run.stdout);
    let other = w
        .run(&[
            "moderate",
            "select",
            "audits.csv",
            "--seed",
            "7",
            "--min-per-auditor",
            "2",
            "--rate",
            "0.1",
        ])
        .ok();
    assert_ne!(other.stdout, run.stdout);
}

#[test]
fn a_chosen_seed_is_printed_and_settings_give_the_defaults() {
    let w = Workdir::new();
    month_of_audits(&w);
    w.write(
        "caseaudit.toml",
        "[moderation]\nrate = 0.25\nmin_per_auditor = 0\nalways = \"team = 'Team 3'\"\n",
    );
    let run = w
        .run(&["moderate", "select", "audits.csv", "--month", "2026-10"])
        .ok();
    assert!(
        run.stderr.contains("(chosen at random; give --seed"),
        "{}",
        run.stderr
    );
    let seed: String = run
        .stderr
        .split("seed: ")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let rows = records(&run.stdout);
    // October: no Team 3 audits, none for the minimum, round(0.25 × 3) = 1 random.
    assert_eq!(rows.len(), 1, "{}", run.stdout);
    assert_eq!(rows[0]["reason"], "random");
    let again = w
        .run(&[
            "moderate",
            "select",
            "audits.csv",
            "--month",
            "2026-10",
            "--seed",
            &seed,
        ])
        .ok();
    assert_eq!(
        again.stdout, run.stdout,
        "the printed seed re-draws the same choice"
    );
    let rows = records(
        &w.run(&["moderate", "select", "audits.csv", "--seed", "1"])
            .ok()
            .stdout,
    );
    let always: Vec<&str> = rows
        .iter()
        .filter(|r| r["reason"] == "always")
        .map(|r| r["audit_id"].as_str())
        .collect();
    assert_eq!(always.len(), 10, "every Team 3 audit in November: {always:?}");
    assert_eq!(rows.iter().filter(|r| r["reason"] == "random").count(), 10);
}

#[test]
fn select_refuses_bad_rates_rules_and_months() {
    let w = Workdir::new();
    month_of_audits(&w);
    w.run(&["moderate", "select", "audits.csv", "--rate", "10"])
        .fails(2)
        .stderr_has("not a share between 0 and 1");
    w.run(&[
        "moderate",
        "select",
        "audits.csv",
        "--seed",
        "1",
        "--month",
        "2025-01",
    ])
    .fails(1)
    .stderr_has("no audits for 2025-01");
    w.write("bad.toml", "[moderation]\nalways = \"grade = Inadequate\"\n");
    w.run(&[
        "-c",
        "bad.toml",
        "moderate",
        "select",
        "audits.csv",
        "--seed",
        "1",
    ])
    .fails(1)
    .stderr_has("key \"moderation.always\"")
    .stderr_has("unknown field \"grade\"");
    w.write("window.toml", "[moderation]\nauditor_window_months = 0\n");
    w.run(&[
        "-c",
        "window.toml",
        "moderate",
        "select",
        "audits.csv",
        "--seed",
        "1",
    ])
    .fails(1)
    .stderr_has("key \"moderation.auditor_window_months\": 0 is not a number of months from 1 to 120");
    w.run(&["moderate", "select", "audits.csv", "--auditor-window-months", "0"])
        .fails(2);
    // The months of the window are read from the audits: a month with none is named.
    w.write("moderation.csv", format!("{MODERATION}\nO1,H,,Good,no,\n"));
    w.run(&[
        "moderate",
        "select",
        "audits.csv",
        "--seed",
        "1",
        "--moderation",
        "moderation.csv",
        "--auditor-window-months",
        "4",
    ])
    .ok()
    .stderr_has("1 earlier moderation result counted toward who is due (2026-08 to 2026-10)")
    .stderr_has("the audits hold none of 2026-08, 2026-09: give those months' audits too");
}

/// Audits and moderation from (auditor, moderator) overall grades; every fourth challenged.
fn paired(w: &Workdir, pairs: &[(&str, &str)]) {
    let mut audits = String::from(AUDITS);
    let mut moderation = format!("{MODERATION}\n");
    for (i, (a, m)) in pairs.iter().enumerate() {
        audits.push_str(&format!("A{i},C{i},2026-11,TM{},Team {},{a},,\n", i % 3, i % 2));
        moderation.push_str(&format!(
            "A{i},HOS1,2026-12-01,{m},{},\n",
            if i % 4 == 0 { "yes" } else { "no" }
        ));
    }
    w.write("audits.csv", audits);
    w.write("moderation.csv", moderation);
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("{s:?} is not a number"))
}

#[test]
fn summary_columns_counts_and_kappa_over_every_level() {
    let w = Workdir::new();
    // Nobody used Requires improvement (R irr would build its weights from the
    // three grades seen): on four levels linear kappa is 20/41 and quadratic 8/13.
    let (o, g, i) = ("Outstanding", "Good", "Inadequate");
    paired(
        &w,
        &[
            (o, o),
            (o, g),
            (g, g),
            (g, o),
            (g, i),
            (i, i),
            (i, g),
            (g, g),
            (i, i),
            (o, o),
            (g, g),
            (o, g),
            (g, i),
            (i, i),
        ],
    );
    let run = w
        .run(&["moderate", "summary", "audits.csv", "moderation.csv"])
        .ok();
    assert_eq!(
        csv_rows(&run.stdout)[0],
        [
            "group",
            "audits",
            "moderated",
            "overall_agreed",
            "overall_changed",
            "changed_up",
            "changed_down",
            "pct_changed",
            "challenged",
            "pct_challenged",
            "exact_agreement",
            "within_one",
            "kappa_linear",
            "kappa_quadratic"
        ]
    );
    let r = &records(&run.stdout)[0];
    let counts: Vec<&str> = [
        "group",
        "audits",
        "moderated",
        "overall_agreed",
        "overall_changed",
        "changed_up",
        "changed_down",
        "challenged",
    ]
    .iter()
    .map(|c| r[*c].as_str())
    .collect();
    assert_eq!(counts, ["all", "14", "14", "8", "6", "2", "4", "4"]);
    for (column, expected) in [
        ("pct_changed", 600.0 / 14.0),
        ("pct_challenged", 400.0 / 14.0),
        ("exact_agreement", 800.0 / 14.0),
        ("within_one", 1100.0 / 14.0),
        ("kappa_linear", 20.0 / 41.0),
        ("kappa_quadratic", 8.0 / 13.0),
    ] {
        assert!(
            (num(&r[column]) - expected).abs() < 1e-9,
            "{column}: {} vs {expected}",
            r[column]
        );
    }
}

#[test]
fn summary_matches_r_irr_on_the_anxiety_data() {
    let w = Workdir::new();
    w.write(
        "caseaudit.toml",
        "[grades]\nscale = [\"One\", \"Two\", \"Three\", \"Four\", \"Five\", \"Six\"]\ngood_or_better = 3\n",
    );
    let rater1 = [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3];
    let rater2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4];
    // Grades written as the numbers 1-6, which every scale accepts.
    let pairs: Vec<(String, String)> = rater1
        .iter()
        .zip(rater2)
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    paired(&w, &refs);
    let run = w
        .run(&["moderate", "summary", "audits.csv", "moderation.csv"])
        .ok();
    let r = &records(&run.stdout)[0];
    assert!((num(&r["kappa_quadratic"]) - 0.2967651195).abs() < 1e-9, "{r:?}");
    assert!((num(&r["kappa_linear"]) - 0.1891891892).abs() < 1e-9, "{r:?}");
    assert!((num(&r["exact_agreement"]) - 30.0).abs() < 1e-9);
}

#[test]
fn undefined_kappa_is_blank_with_a_note() {
    let w = Workdir::new();
    paired(&w, &[("Good", "Good"), ("Good", "Good"), ("Good", "Good")]);
    let run = w
        .run(&["moderate", "summary", "audits.csv", "moderation.csv"])
        .ok();
    let r = &records(&run.stdout)[0];
    assert_eq!(
        (r["kappa_linear"].as_str(), r["kappa_quadratic"].as_str()),
        ("", "")
    );
    assert_eq!(r["exact_agreement"], "100");
    run.stderr_has("kappa is blank where it is undefined");
    let table = w
        .run(&[
            "moderate",
            "summary",
            "audits.csv",
            "moderation.csv",
            "-f",
            "table",
        ])
        .ok();
    assert!(table.stdout.contains("kappa undefined"), "{}", table.stdout);
    assert!(!table.stdout.contains("NaN"));
}

#[test]
fn by_month_shows_whether_fewer_grades_are_changed_and_fewer_audits_challenged() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        format!(
            "{AUDITS}S1,C1,2026-09,TM1,T,Good,,\nS2,C2,2026-09,TM1,T,Good,,\n\
             O1,C3,2026-10,TM1,T,Good,,\nO2,C4,2026-10,TM2,T,RI,,\nO3,C5,2026-10,TM2,T,Good,,\nO4,C6,2026-10,TM2,T,Good,,\n\
             N1,C7,2026-11,TM1,T,Good,,\nN2,C8,2026-11,TM1,T,Good,,\n"
        ),
    );
    w.write(
        "moderation.csv",
        format!(
            "{MODERATION}\nS1,H,,RI,yes,\nS2,H,,Good,no,\n\
             O1,H,,Good,no,\nO2,H,,Good,yes,\nO3,H,,Good,no,\n\
             N1,H,,RI,no,\nN2,H,,Good,no,\n"
        ),
    );
    let run = w
        .run(&[
            "moderate",
            "summary",
            "audits.csv",
            "moderation.csv",
            "--by",
            "month",
        ])
        .ok();
    let rows = records(&run.stdout);
    let trend: Vec<(&str, &str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["group"].as_str(),
                r["moderated"].as_str(),
                r["pct_changed"].as_str(),
                r["changed_trend"].as_str(),
                r["pct_challenged"].as_str(),
                r["challenged_trend"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        trend,
        [
            ("2026-09", "2", "50", "", "50", ""),
            (
                "2026-10",
                "3",
                "33.333333333333336",
                "fewer",
                "33.333333333333336",
                "fewer"
            ),
            ("2026-11", "2", "50", "more", "0", "fewer"),
        ]
    );
    // O2 went from Requires improvement to Good: up.
    assert_eq!(rows[1]["changed_up"], "1");
    assert_eq!(rows[2]["changed_down"], "1");
}

#[test]
fn summary_by_element_and_by_auditor() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        format!("{AUDITS}A1,C1,2026-11,TM1,T,Good,Good,RI\nA2,C2,2026-11,TM2,T,Inadequate,I,RI\nA3,C3,2026-11,TM2,T,RI,RI,Good\n"),
    );
    w.write(
        "moderation.csv",
        format!("{MODERATION},Risk,voice\nA1,HOS1,,Good,no,,RI,\nA2,HOS1,,RI,yes,,I,Good\n"),
    );
    let rows = records(
        &w.run(&[
            "moderate",
            "summary",
            "audits.csv",
            "moderation.csv",
            "--by",
            "element",
        ])
        .ok()
        .stdout,
    );
    let seen: Vec<(&str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["group"].as_str(),
                r["audits"].as_str(),
                r["moderated"].as_str(),
                r["changed_up"].as_str(),
                r["changed_down"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("overall", "3", "2", "1", "0"),
            ("risk", "3", "2", "0", "1"),
            ("voice", "3", "1", "1", "0")
        ]
    );
    let rows = records(
        &w.run(&[
            "moderate",
            "summary",
            "audits.csv",
            "moderation.csv",
            "--by",
            "auditor",
        ])
        .ok()
        .stdout,
    );
    let seen: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["group"].as_str(),
                r["audits"].as_str(),
                r["moderated"].as_str(),
                r["challenged"].as_str(),
            )
        })
        .collect();
    assert_eq!(seen, [("TM1", "1", "1", "0"), ("TM2", "2", "1", "1")]);
}

#[test]
fn moderation_errors_are_located_and_validate_knows_the_layout() {
    let w = Workdir::new();
    paired(&w, &[("Good", "Good"), ("Good", "RI")]);
    w.write(
        "bad.csv",
        format!(
            "{MODERATION}\nA0,HOS1,,Good,no,\nA7,HOS1,,Good,no,\nA1,HOS1,,Adequate,no,\nA0,HOS2,,Good,no,\n"
        ),
    );
    let run = w.run(&["moderate", "summary", "audits.csv", "bad.csv"]).fails(1);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("settings:"))
        .collect();
    assert_eq!(
        lines[0],
        "error: bad.csv:3: column \"audit_id\": audit id \"A7\" is not in the audits (audits.csv)"
    );
    assert!(lines[1].starts_with(
        "bad.csv:4: column \"overall\": \"Adequate\" is not a grade (accepted: Outstanding or O or 1,"
    ));
    assert_eq!(
        lines[2],
        "bad.csv:5: column \"audit_id\": audit id \"A0\" appears again (first on line 2)"
    );
    // validate: told from its headings, and checked against audits given with it.
    w.run(&["validate", "moderation.csv"])
        .ok()
        .stderr_has("moderation.csv: moderation results, 2 rows: ok")
        .stderr_has("audit ids not checked");
    let run = w.run(&["validate", "audits.csv", "bad.csv"]).fails(1);
    assert!(
        run.stdout
            .contains("bad.csv:3: column \"audit_id\": audit id \"A7\" is not in the audits"),
        "{}",
        run.stdout
    );
    run.stderr_has("audits.csv: completed audits, 2 rows: ok");
    // The moderation file must come last.
    w.run(&["moderate", "summary", "moderation.csv", "audits.csv"])
        .fails(2)
        .stderr_has("moderation.csv looks like moderation results (it has a moderator_id column)");
}

#[test]
fn the_report_has_a_moderation_section_with_the_trend() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        format!(
            "{AUDITS}O1,C1,2026-10,TM1,T,Good,,\nO2,C2,2026-10,TM2,T,RI,,\n\
             N1,C3,2026-11,TM1,T,Good,,\nN2,C4,2026-11,TM2,T,Good,,\nN3,C5,2026-11,TM2,T,Good,,\n"
        ),
    );
    w.write(
        "moderation.csv",
        format!("{MODERATION}\nO1,H,,RI,yes,\nO2,H,,Good,no,\nN1,H,,Good,no,\nN2,H,,RI,no,\n"),
    );
    let run = w
        .run(&[
            "report",
            "--month",
            "2026-11",
            "--audits",
            "audits.csv",
            "--moderation",
            "moderation.csv",
            "-f",
            "markdown",
        ])
        .ok();
    for line in [
        "- **Audits moderated:** 2 of 3",
        "- **Overall grades changed:** 1 of 2, too few (n=2) for a percentage: 0 up, 1 down",
        "- **Audits challenged:** 0 of 2, too few (n=2) for a percentage",
        "- **Since the month before:** too few to compare (n=2, then n=2)",
        "| 2026-10 | 2 | too few (n=2) |  | too few (n=2) |  |",
        "| 2026-11 | 2 | too few (n=2) | fewer | too few (n=2) | fewer |",
    ] {
        assert!(run.stdout.contains(line), "missing {line:?} in\n{}", run.stdout);
    }
    // Two moderated audits a month are not charted.
    assert!(!run.stdout.contains("on its control chart"), "{}", run.stdout);
    let without = w
        .run(&[
            "report",
            "--month",
            "2026-11",
            "--audits",
            "audits.csv",
            "-f",
            "markdown",
        ])
        .ok();
    assert!(without.stdout.contains("Moderation is left out"));
}

/// Six months (2026-06 .. 2026-11) of audits by 20 auditors, one or two each a
/// month; a few Inadequate (never TM05's).
fn six_months(w: &Workdir) -> Vec<(String, String, String)> {
    let mut s = String::from(AUDITS);
    let mut list = Vec::new();
    for (m, month) in SIX_MONTHS.iter().enumerate() {
        for t in 0..20 {
            for j in 0..1 + (t + m) % 2 {
                let id = format!("A{}-{t:02}-{j}", &month[5..]);
                let g = if (t + m) % 8 == 0 && j == 0 && t != 5 {
                    "Inadequate"
                } else {
                    "Good"
                };
                s.push_str(&format!(
                    "{id},C{m}{t:02}{j},{month},TM{t:02},Team {},{g},,\n",
                    t % 4
                ));
                list.push((id, month.to_string(), format!("TM{t:02}")));
            }
        }
    }
    w.write("audits.csv", s);
    list
}

const SIX_MONTHS: [&str; 6] = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"];

/// `moderate select` for a month, with the results so far.
fn select_month(w: &Workdir, month: &str) -> crate::common::Run {
    w.run(&[
        "moderate",
        "select",
        "audits.csv",
        "--month",
        month,
        "--moderation",
        "moderation.csv",
        "--seed",
        "7",
    ])
    .ok()
}

/// Appends a result (agreed, not challenged) for every audit chosen.
fn moderate_chosen(w: &Workdir, chosen: &str) {
    let mut text = w.read("moderation.csv");
    for r in records(chosen) {
        text.push_str(&format!("{},HOS1,,Good,no,\n", r["audit_id"]));
    }
    w.write("moderation.csv", text);
}

#[test]
fn the_minimum_is_spread_over_the_window_and_the_rate_is_honoured() {
    let w = Workdir::new();
    let audits = six_months(&w);
    w.write("moderation.csv", format!("{MODERATION}\n"));
    for month in &SIX_MONTHS[..5] {
        moderate_chosen(&w, &select_month(&w, month).stdout);
    }
    // TM05's September and October audits were not moderated after all.
    let of = |id: &str| audits.iter().find(|a| a.0 == id).cloned();
    let in_window = |a: &(String, String, String)| a.1 == "2026-09" || a.1 == "2026-10";
    let kept: String = w
        .read("moderation.csv")
        .lines()
        .filter(|l| of(l.split(',').next().unwrap()).is_none_or(|a| !(a.2 == "TM05" && in_window(&a))))
        .map(|l| format!("{l}\n"))
        .collect();
    w.write("moderation.csv", kept);
    let run = select_month(&w, "2026-11");
    let rows = records(&run.stdout);
    let november = audits.iter().filter(|a| a.1 == "2026-11").count();
    let count = |reason: &str| rows.iter().filter(|r| r["reason"] == reason).count();
    let random = (0.1 * november as f64).round() as usize;
    assert_eq!(count("random"), random, "{}", run.stderr);
    // Far fewer than all: the rate, the always-moderated and the due.
    assert!(
        rows.len() <= november / 2,
        "{} of {november}\n{}",
        rows.len(),
        run.stderr
    );
    assert_eq!(rows.len(), count("always") + count("auditor-due") + random);
    // An auditor is due exactly when none of their September or October audits
    // was moderated (and they have no Inadequate audit in November).
    let moderated: Vec<(String, String, String)> = records(&w.read("moderation.csv"))
        .iter()
        .filter_map(|r| of(&r["audit_id"]))
        .collect();
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("moderation sample for 2026-11"))
        .unwrap();
    for r in rows.iter().filter(|r| r["reason"] == "auditor-due") {
        let a = &r["auditor_id"];
        assert!(
            !moderated.iter().any(|m| &m.2 == a && in_window(m)),
            "{a} was moderated in the window"
        );
        assert!(line.contains(a.as_str()), "{a} not named due in {line}");
    }
    assert!(
        rows.iter()
            .any(|r| r["auditor_id"] == "TM05" && r["reason"] == "auditor-due"),
        "TM05, not moderated in the window, is forced in:\n{}",
        run.stdout
    );
    let run = run.stderr_has("earlier moderation results counted toward who is due (2026-09 to 2026-10)");
    // Without the results every auditor is due, as before, with a note saying why.
    let all = w
        .run(&["moderate", "select", "audits.csv", "--seed", "7"])
        .ok()
        .stderr_has("every auditor is due: give the earlier moderation results with --moderation")
        .stderr_has("of 20 auditors due, none known to be moderated");
    assert!(records(&all.stdout).len() > rows.len() + 5);
    // Once November is moderated, choosing again chooses the same audits, byte for byte.
    moderate_chosen(&w, &run.stdout);
    let again = select_month(&w, "2026-11");
    assert_eq!(again.stdout, run.stdout);
    again.stderr_has(&format!(
        "{} moderation results of audits of 2026-11 or later left out",
        rows.len()
    ));
    // A window of one month: every auditor is due every month, whatever was moderated.
    let one = w
        .run(&[
            "moderate",
            "select",
            "audits.csv",
            "--moderation",
            "moderation.csv",
            "--seed",
            "7",
            "--auditor-window-months",
            "1",
        ])
        .ok();
    assert_eq!(one.stdout, all.stdout);
}

#[test]
fn summary_keeps_the_audits_of_a_month_or_a_range_of_months() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        format!(
            "{AUDITS}S1,C1,2026-09,TM1,T,Good,,\nS2,C2,2026-09,TM1,T,Good,,\n\
             O1,C3,2026-10,TM1,T,Good,,\nO2,C4,2026-10,TM2,T,RI,,\nO3,C5,2026-10,TM2,T,Good,,\nO4,C6,2026-10,TM2,T,Good,,\n\
             N1,C7,2026-11,TM1,T,Good,,\nN2,C8,2026-11,TM3,T,Good,,\n"
        ),
    );
    w.write(
        "moderation.csv",
        format!(
            "{MODERATION}\nS1,H,,RI,yes,\nS2,H,,Good,no,\n\
             O1,H,,Good,no,\nO2,H,,Good,yes,\nO3,H,,Good,no,\n\
             N1,H,,RI,no,\nN2,H,,Good,no,\n"
        ),
    );
    let summary = |extra: &[&str]| {
        let mut args = vec!["moderate", "summary", "audits.csv", "moderation.csv"];
        args.extend(extra);
        w.run(&args).ok()
    };
    let run = summary(&["--month", "2026-10"]);
    let run = run.stderr_has("4 audits of 2026-10 (of 8 read)");
    let r = &records(&run.stdout)[0];
    let seen = [
        &r["group"],
        &r["audits"],
        &r["moderated"],
        &r["changed_up"],
        &r["challenged"],
    ];
    assert_eq!(seen, ["all", "4", "3", "1", "1"]);
    // By month, the first month of the range keeps its trend against the month before.
    let rows = records(&summary(&["--from", "2026-10", "--by", "month"]).stdout);
    let months: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["group"].as_str(),
                r["moderated"].as_str(),
                r["changed_trend"].as_str(),
            )
        })
        .collect();
    assert_eq!(months, [("2026-10", "3", "fewer"), ("2026-11", "2", "more")]);
    let rows = records(&summary(&["--from", "2026-10", "--to", "2026-11", "--by", "auditor"]).stdout);
    let auditors: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["group"].as_str(), r["audits"].as_str()))
        .collect();
    assert_eq!(auditors, [("TM1", "2"), ("TM2", "3"), ("TM3", "1")]);
    let rows = records(&summary(&["--to", "2026-09", "--by", "element"]).stdout);
    assert_eq!(
        (rows[0]["group"].as_str(), rows[0]["audits"].as_str()),
        ("overall", "2")
    );
    w.run(&[
        "moderate",
        "summary",
        "audits.csv",
        "moderation.csv",
        "--from",
        "2026-11",
        "--to",
        "2026-10",
    ])
    .fails(2)
    .stderr_has("--from 2026-11 is after --to 2026-10");
    w.run(&[
        "moderate",
        "summary",
        "audits.csv",
        "moderation.csv",
        "--month",
        "2026-11",
        "--from",
        "2026-10",
    ])
    .fails(2)
    .stderr_has("cannot be used with");
}
