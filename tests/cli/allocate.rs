//! `allocate`: optimal, within the rules, and explained when impossible.

use crate::common::{Workdir, csv_rows};
use std::collections::HashMap;

fn sample(cases: &[(&str, &str, &str)]) -> String {
    let mut s =
        String::from("month,frame,stratum,rank,case_id,team,worker,service,status,start_date,end_date,key\n");
    for (i, (id, team, worker)) in cases.iter().enumerate() {
        s.push_str(&format!(
            "2026-11,neglect,,{},{id},{team},{worker},CIN,open,,,00\n",
            i + 1
        ));
    }
    s
}

fn loads(stdout: &str) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for r in csv_rows(stdout).into_iter().skip(1) {
        *m.entry(r[5].clone()).or_insert(0) += 1;
    }
    m
}

/// The instance: a1, a2 (Team A), b1 (Team B), c1 (Team C), capacity 5;
/// 6 cases from A, 3 from B, 3 from C. A's six cases can only go to b1 and c1, so
/// one of them takes 3: the largest load is 3 and cannot be smaller.
#[test]
fn most_even_allocation_with_its_proof() {
    let w = Workdir::new();
    w.write(
        "auditors.csv",
        "auditor_id,name,team,capacity\na1,Ann,Team A,5\na2,Al,Team A,5\nb1,Bea,Team B,5\nc1,Cy,Team C,5\n",
    );
    let mut cases = Vec::new();
    for i in 0..6 {
        cases.push((format!("A{i}"), "Team A"));
    }
    for i in 0..3 {
        cases.push((format!("B{i}"), "Team B"));
        cases.push((format!("C{i}"), "Team C"));
    }
    let rows: Vec<(&str, &str, &str)> = cases.iter().map(|(id, t)| (id.as_str(), *t, "")).collect();
    w.write("sample.csv", sample(&rows));
    let run = w
        .run(&["allocate", "sample.csv", "--auditors", "auditors.csv"])
        .ok();
    let out = csv_rows(&run.stdout);
    assert_eq!(
        out[0],
        [
            "month",
            "case_id",
            "team",
            "worker",
            "frame",
            "auditor_id",
            "auditor_name",
            "auditor_team"
        ]
    );
    assert_eq!(out.len(), 13);
    for r in &out[1..] {
        assert_ne!(r[2], r[7], "never an auditor from the case's own team: {r:?}");
    }
    let l = loads(&run.stdout);
    assert_eq!(l.values().max(), Some(&3));
    assert_eq!(l.values().sum::<usize>(), 12);
    assert!(
        run.stderr.contains("largest load 3; lower bound 3"),
        "{}",
        run.stderr
    );
    // Same seed, same allocation; another seed: same loads.
    let again = w
        .run(&["allocate", "sample.csv", "--auditors", "auditors.csv"])
        .ok();
    assert_eq!(run.stdout, again.stdout);
    let other = w
        .run(&[
            "allocate",
            "sample.csv",
            "--auditors",
            "auditors.csv",
            "--seed",
            "99",
        ])
        .ok();
    let mut a: Vec<usize> = loads(&run.stdout).into_values().collect();
    let mut b: Vec<usize> = loads(&other.stdout).into_values().collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn hard_rules_hold() {
    let w = Workdir::new();
    w.write(
        "auditors.csv",
        "auditor_id,name,team,capacity,active,manages\n\
         m1,Mia Manager,Team M,4,yes,Team A\n\
         w1,Wyn Worker,Team W,4,yes,\n\
         x1,Xan Gone,Team X,4,no,\n\
         h1,Hal History,Team H,4,yes,\n\
         f1,Fay Free,Team F,4,yes,\n",
    );
    w.write(
        "history.csv",
        "month,case_id,team,auditor_id,frame\n2025-01,A1,Team A,h1,neglect\n",
    );
    w.write(
        "sample.csv",
        sample(&[("A1", "Team A", "Wyn\u{a0}Worker"), ("A2", "Team A", "w1")]),
    );
    let run = w
        .run(&[
            "allocate",
            "sample.csv",
            "--auditors",
            "auditors.csv",
            "--history",
            "history.csv",
        ])
        .ok();
    let out = csv_rows(&run.stdout);
    assert_eq!(
        out[1][5], "f1",
        "A1: m1 manages Team A, w1 is its worker, x1 inactive, h1 audited it"
    );
    assert!(
        ["h1", "f1"].contains(&out[2][5].as_str()),
        "A2: its worker is w1 by id: {:?}",
        out[2]
    );
}

#[test]
fn infeasible_allocation_is_explained_and_nothing_written() {
    let w = Workdir::new();
    w.write(
        "auditors.csv",
        "auditor_id,name,team,capacity\na1,Ann,Team A,5\nb1,Bea,Team B,3\nc1,Cy,Team C,3\n",
    );
    let rows: Vec<String> = (0..7).map(|i| format!("A{i}")).collect();
    let cases: Vec<(&str, &str, &str)> = rows.iter().map(|id| (id.as_str(), "Team A", "")).collect();
    w.write("sample.csv", sample(&cases));
    let run = w
        .run(&[
            "allocate",
            "sample.csv",
            "--auditors",
            "auditors.csv",
            "-o",
            "alloc.csv",
        ])
        .fails(1);
    assert!(
        run.stderr.contains(
            "7 cases from Team A can only be audited by b1, c1 (combined capacity 6): short by 1. Raise a capacity, add an auditor outside Team A, or defer 1 case."
        ),
        "{}",
        run.stderr
    );
    assert!(!w.path("alloc.csv").exists());
    w.write("sample.csv", sample(&[("Z1", "Team Z", "")]));
    w.write("auditors.csv", "auditor_id,name,team,capacity\nz1,Zed,Team Z,5\n");
    let run = w
        .run(&["allocate", "sample.csv", "--auditors", "auditors.csv"])
        .fails(1);
    assert!(run.stderr.contains("case Z1 (Team Z)"), "{}", run.stderr);
}

#[test]
fn bad_inputs_are_located() {
    let w = Workdir::new();
    w.write(
        "auditors.csv",
        "auditor_id,name,team,capacity\na1,Ann,Team A,lots\na1,Al,Team A,2\n",
    );
    w.write("sample.csv", sample(&[("B1", "Team B", "")]));
    let run = w
        .run(&["allocate", "sample.csv", "--auditors", "auditors.csv"])
        .fails(1);
    assert!(
        run.stderr
            .contains("auditors.csv:2: column \"capacity\": \"lots\" is not a capacity"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("auditors.csv:3: column \"auditor_id\": auditor id \"a1\" appears again"),
        "{}",
        run.stderr
    );
    w.write("sample.csv", "case_id,team\nB1,Team B\nB1,Team B\n");
    w.write("auditors.csv", "auditor_id,name,team\na1,Ann,Team A\n");
    w.run(&["allocate", "sample.csv", "--auditors", "auditors.csv"])
        .fails(1)
        .stderr_has("sample.csv:3: column \"case_id\"");
}

#[test]
fn summary_to_a_file() {
    let w = Workdir::new();
    w.write(
        "auditors.csv",
        "auditor_id,name,team\na1,Ann,Team A\nb1,Bea,Team B\n",
    );
    w.write(
        "sample.csv",
        sample(&[("B1", "Team B", ""), ("A1", "Team A", "")]),
    );
    w.run(&[
        "allocate",
        "sample.csv",
        "--auditors",
        "auditors.csv",
        "--summary",
        "summary.csv",
        "-o",
        "alloc.csv",
    ])
    .ok();
    let s = csv_rows(&w.read("summary.csv"));
    assert_eq!(
        s[0],
        [
            "auditor_id",
            "auditor_name",
            "auditor_team",
            "active",
            "capacity",
            "load",
            "teams"
        ]
    );
    assert_eq!(s[1], ["a1", "Ann", "Team A", "yes", "2", "1", "Team B"]);
}

#[test]
fn history_naming_an_unknown_auditor_is_a_warning() {
    let w = Workdir::new();
    w.write(
        "auditors.csv",
        "auditor_id,name,team\na1,Ann,Team A\nb1,Bea,Team B\n",
    );
    w.write(
        "history.csv",
        "month,case_id,team,auditor_id,frame\n2026-10,X1,Team B,gone1,neglect\n",
    );
    w.write("sample.csv", sample(&[("B1", "Team B", "")]));
    w.run(&[
        "allocate",
        "sample.csv",
        "--auditors",
        "auditors.csv",
        "--history",
        "history.csv",
    ])
    .ok()
    .stderr_has(
        "history.csv:2: warning: column \"auditor_id\": auditor \"gone1\" is not in the auditors list",
    );
}

#[test]
fn a_redacted_sample_is_refused() {
    let w = Workdir::new();
    w.write(
        "auditors.csv",
        "auditor_id,name,team\na1,Ann,Team A\nb1,Bea,Team B\n",
    );
    w.write("sample.csv", sample(&[("R-5faeb15e7d", "Team B", "")]));
    w.run(&["allocate", "sample.csv", "--auditors", "auditors.csv"])
        .fails(1)
        .stderr_has("pseudonymised case ids (e.g. R-5faeb15e7d");
    w.write(
        "alloc.csv",
        "month,case_id,team,auditor_id,frame\n2026-11,R-5faeb15e7d,Team B,a1,x\n",
    );
    w.run(&["record", "alloc.csv", "--history", "history.csv"])
        .fails(1)
        .stderr_has("pseudonymised");
    assert!(!w.path("history.csv").exists());
}
