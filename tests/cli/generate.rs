//! `generate`: a seeded synthetic authority of any size, usable by every other command.

use crate::common::{Workdir, csv_rows};

const FILES: [&str; 6] = [
    "extract.csv",
    "auditors.csv",
    "sample.csv",
    "history.csv",
    "audits.csv",
    "moderation.csv",
];

fn generate(w: &Workdir, dir: &str, seed: &str) {
    w.run(&[
        "generate",
        dir,
        "--cases",
        "3000",
        "--auditors",
        "30",
        "--teams",
        "6",
        "--sample",
        "60",
        "--audits",
        "400",
        "--seed",
        seed,
    ])
    .ok();
}

#[test]
fn writes_every_file_and_the_same_bytes_for_the_same_seed() {
    let w = Workdir::new();
    generate(&w, "a", "5");
    generate(&w, "b", "5");
    generate(&w, "c", "6");
    for name in FILES {
        let a = w.read(&format!("a/{name}"));
        assert_eq!(a, w.read(&format!("b/{name}")), "{name} reproduces");
        if name != "auditors.csv" {
            assert_ne!(a, w.read(&format!("c/{name}")), "{name} depends on the seed");
        }
    }
    let extract = csv_rows(&w.read("a/extract.csv"));
    assert_eq!(extract.len(), 3001);
    assert_eq!(
        extract[0].join(","),
        "case_id,child_name,dob,team,worker,service,start_date,end_date,referral_source,risk_factors,status"
    );
    assert_eq!(csv_rows(&w.read("a/sample.csv")).len(), 61);
    assert_eq!(csv_rows(&w.read("a/auditors.csv")).len(), 31);
    assert_eq!(csv_rows(&w.read("a/audits.csv")).len(), 401);
}

#[test]
fn the_generated_files_pass_validation_and_the_month_runs_on_them() {
    let w = Workdir::new();
    generate(&w, "g", "1");
    w.run(&["validate", "g/extract.csv", "g/auditors.csv", "g/history.csv"])
        .ok();
    w.run(&[
        "sample",
        "g/extract.csv",
        "--history",
        "g/history.csv",
        "--seed",
        "3",
    ])
    .ok();
    w.run(&["cases", "g/extract.csv", "--count", "--by", "team"])
        .ok()
        .stdout_has("Locality Unit 1,");
    let run = w
        .run(&[
            "allocate",
            "g/sample.csv",
            "--auditors",
            "g/auditors.csv",
            "--history",
            "g/history.csv",
        ])
        .ok();
    assert_eq!(csv_rows(&run.stdout).len(), 61, "every sampled case allocated");
}

#[test]
fn existing_files_are_kept_without_force() {
    let w = Workdir::new();
    generate(&w, "g", "1");
    w.run(&["generate", "g", "--cases", "10"])
        .fails(1)
        .stderr_has("already exists");
    w.run(&["generate", "g", "--cases", "10", "--force"]).ok();
    assert_eq!(csv_rows(&w.read("g/extract.csv")).len(), 11);
    w.run(&["generate", "g", "--cases", "0"]).fails(2);
}
