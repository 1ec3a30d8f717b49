//! `dip`: K per worker or team, reproducible.

use crate::common::{Workdir, csv_rows};

#[test]
fn k_per_group_or_all_when_fewer() {
    let w = Workdir::new();
    let mut text = String::from("case_id,team,worker,status\n");
    for i in 0..30 {
        let worker = if i < 2 {
            "Solo Worker".to_string()
        } else {
            format!("W{}", i % 4)
        };
        text.push_str(&format!(
            "D{i:02},T{},{worker},{}\n",
            i % 2,
            if i % 5 == 0 { "closed" } else { "open" }
        ));
    }
    text.push_str("D99,T1,,open\n");
    w.write("x.csv", &text);
    let run = w
        .run(&["dip", "x.csv", "--per", "worker", "--n", "3", "--seed", "5"])
        .ok();
    let rows = csv_rows(&run.stdout);
    assert_eq!(
        rows[0],
        [
            "group", "rank", "case_id", "team", "worker", "service", "status", "key"
        ]
    );
    for g in ["W0", "W1", "W2", "W3"] {
        assert_eq!(rows.iter().filter(|r| r[0] == g).count(), 3, "{g}");
    }
    assert_eq!(
        rows.iter().filter(|r| r[0] == "Solo Worker").count(),
        2,
        "all of a small group"
    );
    assert!(
        run.stderr.contains("1 matching cases have no worker"),
        "{}",
        run.stderr
    );
    let again = w
        .run(&["dip", "x.csv", "--per", "worker", "--n", "3", "--seed", "5"])
        .ok();
    assert_eq!(run.stdout, again.stdout, "same seed, same dip sample");
    let open = w
        .run(&[
            "dip",
            "x.csv",
            "--per",
            "team",
            "--n",
            "50",
            "--where",
            "status = open",
            "--seed",
            "5",
        ])
        .ok();
    assert!(csv_rows(&open.stdout).iter().skip(1).all(|r| r[6] == "open"));
}
