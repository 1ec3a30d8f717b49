//! The files in examples/ work as the examples README says.

use crate::common::{Workdir, csv_rows};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");

fn copy_examples(w: &Workdir) {
    for name in [
        "annex-a.toml",
        "mapped.toml",
        "mapped-extract.csv",
        "annex-a/list3-referrals.csv",
        "annex-a/list6-cin.csv",
        "annex-a/list7-cp.csv",
    ] {
        w.write(name, std::fs::read(format!("{EXAMPLES}/{name}")).unwrap());
    }
}

#[test]
fn annex_a_example() {
    let w = Workdir::new();
    copy_examples(&w);
    let lists = [
        "annex-a/list3-referrals.csv",
        "annex-a/list6-cin.csv",
        "annex-a/list7-cp.csv",
    ];
    let mut args = vec!["-c", "annex-a.toml", "validate"];
    args.extend(lists);
    w.run(&args)
        .ok()
        .stdout_has("list6-cin.csv:5: warning: column \"team\": case \"EX0004\" has no team");
    let mut args = vec!["-c", "annex-a.toml", "cases", "--count", "--by", "service"];
    args.extend(lists);
    let run = w.run(&args).ok();
    assert_eq!(
        csv_rows(&run.stdout),
        vec![
            vec!["service", "count"],
            vec!["CIN", "3"],
            vec!["CP", "2"],
            vec!["Referral", "1"]
        ]
    );
    let mut args = vec!["-c", "annex-a.toml", "sample", "--seed", "7"];
    args.extend(lists);
    let run = w.run(&args).ok();
    assert!(
        run.stderr.contains("already drawn by an earlier frame"),
        "{}",
        run.stderr
    );
    assert_eq!(
        csv_rows(&run.stdout)[1][4],
        "EX0001",
        "the child under two, on the CIN and CP lists"
    );
}

#[test]
fn mapped_headings_example() {
    let w = Workdir::new();
    copy_examples(&w);
    let run = w
        .run(&[
            "-c",
            "mapped.toml",
            "cases",
            "mapped-extract.csv",
            "--where",
            "risk_factors contains neglect",
        ])
        .ok();
    let ids: Vec<String> = csv_rows(&run.stdout)
        .into_iter()
        .skip(1)
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(ids, ["P100", "P102"]);
    assert!(!run.stdout.contains("Name"), "the child's name stays out");
}
