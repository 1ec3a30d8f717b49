//! Terminal tables fit a known width without breaking a value, and are drawn at
//! full width when no width is known.

use crate::common::{Run, Workdir};
use std::process::Stdio;

/// The demo's month in `m/`.
fn month() -> Workdir {
    let w = Workdir::new();
    w.run(&["demo", "m", "-q"]).ok();
    w
}

/// A command in the demo's month with `-f table`, `COLUMNS` set or not.
fn table(w: &Workdir, columns: Option<&str>, args: &[&str]) -> Run {
    let mut all = vec!["-c", "m/caseaudit.toml", "-f", "table", "--color", "never"];
    all.extend(args);
    let mut cmd = w.cmd(&all);
    cmd.env_remove("COLUMNS").stdin(Stdio::null());
    if let Some(c) = columns {
        cmd.env("COLUMNS", c);
    }
    Run::from(&all, cmd.output().unwrap())
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn a_wide_table_shows_the_columns_that_fit_and_says_which_are_left_out() {
    let w = month();
    let args = [
        "moderate",
        "summary",
        "m/audits.csv",
        "m/moderation.csv",
        "--by",
        "month",
    ];
    let run = table(&w, Some("100"), &args).ok();
    assert!(widest(&run.stdout) <= 100, "{}", run.stdout);
    // Every month's row is there whole: its numbers are never broken.
    for month in ["2026-05", "2026-06", "2026-11"] {
        let line = run.stdout.lines().find(|l| l.contains(month)).unwrap();
        assert!(line.starts_with("│ ") && line.ends_with(" │"), "{line}");
    }
    assert!(run.stdout.contains("┆       15 ┆"), "{}", run.stdout);
    // Long headings are broken at `_` over two lines, not letter by letter.
    assert!(run.stdout.contains("overall_ ┆"), "{}", run.stdout);
    assert!(run.stdout.contains("agreed   ┆"), "{}", run.stdout);
    let run = run
        .stderr_has("columns left out (")
        .stderr_has("kappa_linear")
        .stderr_has("-f csv");
    assert!(
        !run.stderr.contains("(group"),
        "the first column stays: {}",
        run.stderr
    );

    // The same table in CSV has every column, and says nothing of widths.
    let mut csv = w.cmd(&[
        "moderate",
        "summary",
        "m/audits.csv",
        "m/moderation.csv",
        "--by",
        "month",
        "-c",
        "m/caseaudit.toml",
    ]);
    csv.env("COLUMNS", "100");
    let out = csv.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().next().unwrap().contains("kappa_linear"), "{text}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("left out"));
}

#[test]
fn a_table_that_fits_is_drawn_as_it_is() {
    let w = month();
    let run = table(
        &w,
        Some("100"),
        &["cases", "m/extract.csv", "--count", "--by", "team"],
    )
    .ok();
    assert!(
        run.stdout.contains("│ Leaving Care Team 1 ┆   146 │"),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("left out"), "{}", run.stderr);
}

#[test]
fn with_no_known_width_a_table_is_not_squeezed() {
    let w = month();
    let run = table(&w, None, &["cases", "m/extract.csv", "--count", "--by", "team"]).ok();
    assert!(
        run.stdout.contains("│ team                ┆ count │"),
        "{}",
        run.stdout
    );
    let args = [
        "moderate",
        "summary",
        "m/audits.csv",
        "m/moderation.csv",
        "--by",
        "month",
    ];
    let run = table(&w, None, &args).ok();
    assert!(widest(&run.stdout) > 150, "{}", run.stdout);
    assert!(run.stdout.contains("overall_agreed"), "headings on one line");
    assert!(!run.stderr.contains("left out"), "{}", run.stderr);
    // A COLUMNS that is not a width is no width.
    let run = table(&w, Some("wide"), &args).ok();
    assert!(widest(&run.stdout) > 150);
}

#[test]
fn an_output_named_tsv_is_separated_by_tabs_and_read_back() {
    let w = Workdir::new();
    w.write(
        "x.csv",
        "case_id,team,worker\nC1,\"North, East\",Ann\nC2,South,Bo\n",
    );
    w.run(&["cases", "x.csv", "-o", "out.tsv"]).ok();
    assert_eq!(
        w.read("out.tsv"),
        "case_id\tteam\tworker\nC1\tNorth, East\tAnn\nC2\tSouth\tBo\n"
    );
    w.run(&["cases", "out.tsv", "--count", "--by", "team"])
        .ok()
        .stdout_has("\"North, East\",1");
}
