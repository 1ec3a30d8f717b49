//! `themes`: grade profiles with Wilson intervals, month-on-month change, themed
//! templates, tags, and located errors, on real files.

use crate::common::{Workdir, csv_rows, records};

const HEADER: &str = "audit_id,case_id,month,auditor_id,team,service,frame,completed_on,risk,assessment,voice,overall,strengths,learning,action,action_owner,action_due,action_done,safeguarding_concern";

/// An audits file of `n` audits in `month`, the first `good` graded Good overall
/// and the rest Requires improvement.
fn overall_file(month: &str, good: usize, n: usize, start: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let g = if i < good { "Good" } else { "Requires improvement" };
        let id = start + i;
        s.push_str(&format!(
            "A{id},C{id},{month},TM{},Team {},CP,neglect,,,,,{g},,,,,,,\n",
            id % 7,
            id % 3
        ));
    }
    s
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("{s:?} is not a number"))
}

#[test]
fn wilson_intervals_match_published_values() {
    for (good, n, low, high) in [
        (81, 263, 0.2552885199, 0.3662095770),
        (15, 148, 0.0623863995, 0.1604872417),
        (0, 20, 0.0, 0.1611251581),
        (10, 10, 0.7224672001, 1.0),
    ] {
        let w = Workdir::new();
        w.write(
            "audits.csv",
            format!("{HEADER}\n{}", overall_file("2026-11", good, n, 0)),
        );
        let run = w.run(&["themes", "audits.csv"]).ok();
        let rows = records(&run.stdout);
        assert_eq!(rows.len(), 1, "only overall is graded\n{}", run.stdout);
        let r = &rows[0];
        assert_eq!((r["group"].as_str(), r["element"].as_str()), ("all", "overall"));
        assert_eq!(r["graded"], n.to_string());
        assert_eq!(r["good_or_better"], good.to_string());
        // Percentages 0–100, full precision in CSV.
        assert!(
            (num(&r["ci_low"]) - 100.0 * low).abs() < 1e-7,
            "{good}/{n}: {r:?}"
        );
        assert!(
            (num(&r["ci_high"]) - 100.0 * high).abs() < 1e-7,
            "{good}/{n}: {r:?}"
        );
    }
}

#[test]
fn columns_are_the_contract_and_na_is_not_a_grade() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        format!(
            "{HEADER}\n\
             A1,C1,2026-11,TM1,Team A,CP,neglect,,Good,N/A,1,Outstanding,,,,,,,\n\
             A2,C2,2026-11,TM2,Team B,CIN,step-up,,RI,,ri,Requires improvement to be good,,,,,,,\n\
             A3,C3,2026-11,TM3,Team A,CP,neglect,,#N/A,I,G,4,,,,,,,\n"
        ),
    );
    let run = w.run(&["themes", "audits.csv"]).ok();
    let rows = csv_rows(&run.stdout);
    assert_eq!(
        rows[0],
        [
            "group",
            "element",
            "graded",
            "outstanding",
            "good",
            "requires_improvement",
            "inadequate",
            "good_or_better",
            "pct_good_or_better",
            "ci_low",
            "ci_high"
        ]
    );
    let body: Vec<Vec<&str>> = rows[1..]
        .iter()
        .map(|r| r[..8].iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        body,
        [
            ["all", "overall", "3", "1", "0", "1", "1", "1"],
            ["all", "risk", "2", "0", "1", "1", "0", "1"],
            ["all", "assessment", "1", "0", "0", "0", "1", "0"],
            ["all", "voice", "3", "1", "1", "1", "0", "2"],
        ]
    );
    let pct: Vec<f64> = rows[1..].iter().map(|r| num(&r[8])).collect();
    for (got, want) in pct.iter().zip([100.0 / 3.0, 50.0, 0.0, 200.0 / 3.0]) {
        assert!((got - want).abs() < 1e-12, "{pct:?}");
    }
}

#[test]
fn month_on_month_change_compares_with_the_month_before() {
    let w = Workdir::new();
    // October: 3 of 10 good or better; November: 6 of 8.
    w.write(
        "oct.csv",
        format!("{HEADER}\n{}", overall_file("2026-10", 3, 10, 0)),
    );
    w.write(
        "nov.csv",
        format!("{HEADER}\n{}", overall_file("2026-11", 6, 8, 100)),
    );
    let run = w
        .run(&["themes", "oct.csv", "nov.csv", "--month", "2026-11"])
        .ok();
    let rows = records(&run.stdout);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["graded"], "8");
    assert_eq!(num(&rows[0]["pct_good_or_better"]), 75.0);
    assert_eq!(num(&rows[0]["prev_pct_good_or_better"]), 30.0);
    assert_eq!(num(&rows[0]["change"]), 45.0);
    // By month: the trend, each month against the one before.
    let run = w.run(&["themes", "oct.csv", "nov.csv", "--by", "month"]).ok();
    let rows = records(&run.stdout);
    let trend: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["group"].as_str(),
                r["prev_pct_good_or_better"].as_str(),
                r["change"].as_str(),
            )
        })
        .collect();
    assert_eq!(trend, [("2026-10", "", ""), ("2026-11", "30", "45")]);
}

#[test]
fn the_table_says_when_an_interval_is_wide() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        format!(
            "{HEADER}\n{}{}",
            overall_file("2026-11", 5, 24, 0),
            "X1,CX,2026-11,TM1,Team Z,CP,neglect,,Good,,,Good,,,,,,,\n"
        ),
    );
    let run = w
        .run(&["themes", "audits.csv", "--by", "team", "-f", "table"])
        .ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    // Team 0 holds 8 of the 24: a share, marked wide.
    let team_0: Vec<&&str> = lines.iter().filter(|l| l.contains("Team 0")).collect();
    assert_eq!(team_0.len(), 1, "{}", run.stdout);
    assert!(
        team_0[0].contains("wide interval: only 8 graded"),
        "{}",
        run.stdout
    );
    assert!(team_0[0].contains("25.0"), "2 of 8 good: {}", run.stdout);
    // Team Z's 1 audit is too few for a share at all, so no interval either.
    let team_z: Vec<&&str> = lines.iter().filter(|l| l.contains("Team Z")).collect();
    assert_eq!(team_z.len(), 2, "{}", run.stdout);
    assert!(
        team_z
            .iter()
            .all(|l| l.contains("too few (n=1)") && !l.contains("100.0") && !l.contains("wide")),
        "{}",
        run.stdout
    );
    // CSV keeps the figures and the contract's columns.
    let csv = w.run(&["themes", "audits.csv", "--by", "team"]).ok();
    assert!(!csv.stdout.contains("wide"), "{}", csv.stdout);
    assert!(!csv_rows(&csv.stdout)[0].contains(&"note".to_string()));
}

#[test]
fn where_selects_a_themed_audit_by_frame() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        format!(
            "{HEADER}\n\
             A1,C1,2026-11,TM1,Team A,CP,neglect,,Good,,,Good,,,,,,,\n\
             A2,C2,2026-11,TM2,Team B,CIN,step-up,,RI,,,Inadequate,,,,,,,\n\
             A3,C3,2026-11,TM3,Team B,CP,neglect,,I,,,RI,,,,,,,\n"
        ),
    );
    let run = w
        .run(&[
            "themes",
            "audits.csv",
            "--where",
            "frame = neglect",
            "--by",
            "team",
        ])
        .ok();
    let rows = records(&run.stdout);
    let seen: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r["group"].as_str(), r["element"].as_str(), r["graded"].as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("Team A", "overall", "1"),
            ("Team A", "risk", "1"),
            ("Team B", "overall", "1"),
            ("Team B", "risk", "1"),
        ]
    );
    let run = w
        .run(&[
            "themes",
            "audits.csv",
            "--where",
            "overall = Inadequate or risk = I",
        ])
        .ok();
    assert_eq!(
        records(&run.stdout)[0]["graded"],
        "2",
        "grades compare by rank, written in any accepted form (A2 overall, A3 risk): {}",
        run.stdout
    );
    w.run(&["themes", "audits.csv", "--where", "tema = A"])
        .fails(2)
        .stderr_has("tema");
}

#[test]
fn a_themed_template_from_the_settings() {
    let w = Workdir::new();
    w.write(
        "caseaudit.toml",
        "[templates.domestic-abuse]\n\
         [[templates.domestic-abuse.elements]]\nkey = \"safety_plan\"\ntitle = \"Safety planning with the non-abusing parent\"\n\
         [[templates.domestic-abuse.elements]]\nkey = \"perpetrator\"\ntitle = \"Work with the person causing harm\"\n\n\
         [grades.synonyms]\n\"Requires improvement\" = [\"RI2BG\"]\n",
    );
    w.write(
        "da.csv",
        "audit_id,case_id,month,auditor_id,team,frame,safety_plan,Work with the person causing harm,overall,comments\n\
         D1,C1,2026-11,TM1,Team A,domestic-abuse,Good,RI2BG,Good,fine\n\
         D2,C2,2026-11,TM2,Team B,domestic-abuse,Inadequate,n/a,RI,\n",
    );
    let run = w.run(&["themes", "da.csv"]).ok();
    let rows = records(&run.stdout);
    let seen: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["element"].as_str(),
                r["graded"].as_str(),
                r["good_or_better"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("overall", "2", "1"),
            ("safety_plan", "2", "1"),
            ("perpetrator", "1", "0")
        ]
    );
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(
        warnings.len(),
        1,
        "one warning for the unknown column\n{}",
        run.stderr
    );
    assert!(
        warnings[0].starts_with(
            "da.csv:1: warning: column \"comments\" is neither an element of the \"domestic-abuse\" template"
        ),
        "{}",
        warnings[0]
    );
}

#[test]
fn tags_are_counted_by_audits_naming_them() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        format!(
            "{HEADER}\n\
             A1,C1,2026-11,TM1,Team A,CP,neglect,,,,,Good,voice;chronology,records,,,,,\n\
             A2,C2,2026-11,TM2,Team B,CIN,step-up,,,,,Good,Voice,records;supervision,,,,,\n\
             A3,C3,2026-10,TM3,Team B,CP,neglect,,,,,Good,voice,,,,,,\n"
        ),
    );
    let run = w
        .run(&["themes", "audits.csv", "--tags", "--month", "2026-11"])
        .ok();
    assert_eq!(
        csv_rows(&run.stdout),
        [
            ["group", "kind", "tag", "audits", "pct_audits"],
            ["all", "strengths", "voice", "2", "100"],
            ["all", "strengths", "chronology", "1", "50"],
            ["all", "learning", "records", "2", "100"],
            ["all", "learning", "supervision", "1", "50"],
        ]
    );
}

#[test]
fn every_error_is_located_and_nothing_is_written() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        format!(
            "{HEADER}\n\
             A1,C1,2026-11,TM1,Team A,CP,neglect,,Good,Adequate,,Good,,,,,,,\n\
             A2,C2,11/2026,TM1,Team A,CP,neglect,,Good,,,Good,,,,,,,\n\
             A1,C3,2026-11,TM1,Team A,CP,neglect,,Good,,,Good,,,,,,,\n"
        ),
    );
    let run = w.run(&["themes", "audits.csv", "-o", "out.csv"]).fails(1);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("settings:"))
        .collect();
    assert_eq!(
        errors,
        [
            "error: audits.csv:2: column \"assessment\": \"Adequate\" is not a grade (accepted: Outstanding or O or 1, Good or G or 2, Requires improvement or RI or 3, Inadequate or I or 4; empty or N/A for not graded)",
            "audits.csv:3: column \"month\": \"11/2026\" is not a month (expected YYYY-MM, e.g. 2026-11)",
            "audits.csv:4: column \"audit_id\": audit id \"A1\" appears again (first on line 2)",
        ]
    );
    assert!(!w.path("out.csv").exists());
    w.write(
        "short.csv",
        "audit_id,case_id,month,team,risk\nA1,C1,2026-11,T,Good\n",
    );
    w.run(&["themes", "short.csv"])
        .fails(1)
        .stderr_has("short.csv:1: column \"auditor_id\": required column is missing")
        .stderr_has("short.csv:1: column \"overall\": required column is missing");
    w.run(&["themes", "audits.csv", "--month", "Nov"]).fails(2);
}

#[test]
fn validate_knows_the_audits_layout() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        format!("{HEADER}\nA1,C1,2026-11,TM1,Team A,CP,neglect,,Good,,,Good,,,,,,,\n"),
    );
    w.run(&["validate", "audits.csv"])
        .ok()
        .stderr_has("audits.csv: completed audits, 1 row: ok");
    w.write(
        "bad.csv",
        format!("{HEADER}\nA1,C1,2026-11,TM1,Team A,CP,neglect,,Good,,,Great,,,,,,,maybe\n"),
    );
    let run = w.run(&["validate", "bad.csv"]).fails(1);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("bad.csv:2: column \"overall\": \"Great\" is not a grade")
    );
    assert!(
        run.stdout
            .contains("bad.csv:2: column \"safeguarding_concern\": \"maybe\" is not yes or no")
    );
}

#[test]
fn where_compares_grades_by_rank_and_refuses_unknown_grades() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        format!(
            "{HEADER}\n\
             A1,C1,2026-11,TM1,Team A,CP,neglect,,Good,,,Outstanding,,,,,,,\n\
             A2,C2,2026-11,TM2,Team B,CIN,step-up,,RI,,,Inadequate,,,,,,,\n\
             A3,C3,2026-11,TM3,Team B,CP,neglect,,I,,,Requires improvement to be good,,,,,,,\n\
             A4,C4,2026-11,TM3,Team B,CP,neglect,,I,,,G,,,,,,,\n"
        ),
    );
    let graded = |expr: &str| {
        let run = w.run(&["themes", "audits.csv", "--where", expr]).ok();
        records(&run.stdout)
            .first()
            .map_or("0".to_string(), |r| r["graded"].clone())
    };
    assert_eq!(
        graded("overall > Good"),
        "2",
        "worse than Good: RI and Inadequate"
    );
    assert_eq!(graded("overall <= G"), "2", "Good or better");
    assert_eq!(graded("overall = 4"), "1");
    assert_eq!(graded("overall in (RI, I)"), "2");
    w.run(&["themes", "audits.csv", "--where", "overall = Inadequat"])
        .fails(2)
        .stderr_has("\"Inadequat\" is not a grade (accepted: Outstanding");
}

/// `--trend` on the demo month: the overall share good or better for each of its
/// seven months, one chart over them all. The figures were checked with a
/// Python port of NHSRplotthedots' calculation:
///
/// ```text
/// y = [100*14/25, 100*16/24, 100*17/28, 100*15/28, 100*12/22, 100*13/26, 100*16/25]
/// mean 57.9282622139765, limits 38.74018140589568 and 77.11634302205732,
/// every point common cause
/// ```
#[test]
fn trend_of_the_demo_month_is_common_cause_with_provisional_limits() {
    let w = Workdir::new();
    w.run(&["demo", "month", "--quiet"]).ok();
    let run = w.run(&["themes", "month/audits.csv", "--trend"]).ok();
    let rows = records(&run.stdout);
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r["month"].clone(), r["n"].clone(), r["good"].clone()))
        .collect();
    let want = [
        ("2026-05", 25, 14),
        ("2026-06", 24, 16),
        ("2026-07", 28, 17),
        ("2026-08", 28, 15),
        ("2026-09", 22, 12),
        ("2026-10", 26, 13),
        ("2026-11", 25, 16),
    ]
    .map(|(m, n, g)| (m.to_string(), n.to_string(), g.to_string()));
    assert_eq!(got, want, "{}", run.stdout);
    for r in &rows {
        assert!((num(&r["mean"]) - 57.928_262_213_976_5).abs() < 1e-9, "{r:?}");
        assert!((num(&r["lower"]) - 38.740_181_405_895_68).abs() < 1e-9, "{r:?}");
        assert!((num(&r["upper"]) - 77.116_343_022_057_32).abs() < 1e-9, "{r:?}");
        assert_eq!(r["signal"], "common cause variation");
    }
    // The same shares as the month-by-month profile.
    let by_month = records(
        &w.run(&["themes", "month/audits.csv", "--by", "month"])
            .ok()
            .stdout,
    );
    for r in &rows {
        let m = by_month
            .iter()
            .find(|p| p["group"] == r["month"] && p["element"] == "overall")
            .expect("the month in --by month");
        assert_eq!(num(&m["pct_good_or_better"]), num(&r["pct"]));
    }
    w.run(&["themes", "month/audits.csv", "--trend"])
        .ok()
        .stderr_has("2026-11: common cause variation (fewer than 12 points: limits are provisional)");
}

/// A month far above eleven steady ones is a special cause, and on the side
/// that counts as improvement. Python port of the reference on the shares
/// (50, 55, 50, 45, 50, 55, 50, 45, 50, 55, 50, 95): mean 54.166666666666664,
/// limits 40.86666666666666 and 67.46666666666667, the last point Above UCL.
#[test]
fn trend_flags_a_month_outside_the_limits() {
    let w = Workdir::new();
    let mut body = String::new();
    for (i, good) in [10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 19].iter().enumerate() {
        let month = format!("2026-{:02}", i + 1);
        body.push_str(&overall_file(&month, *good, 20, 100 * i));
    }
    w.write("audits.csv", format!("{HEADER}\n{body}"));
    let run = w.run(&["themes", "audits.csv", "--trend"]).ok();
    let rows = records(&run.stdout);
    assert_eq!(rows.len(), 12, "{}", run.stdout);
    assert_eq!(rows[0]["month"], "2026-01");
    assert!((num(&rows[0]["upper"]) - 67.466_666_666_666_67).abs() < 1e-9);
    assert!((num(&rows[0]["lower"]) - 40.866_666_666_666_66).abs() < 1e-9);
    assert!(rows[..11].iter().all(|r| r["signal"] == "common cause variation"));
    assert_eq!(
        rows[11]["signal"],
        "special cause improvement (outside the limits)"
    );
    assert!(!run.stderr.contains("provisional"), "{}", run.stderr);
    // --where narrows the audits charted; --trend is its own summary.
    let team = w
        .run(&["themes", "audits.csv", "--trend", "--where", "team = \"Team 0\""])
        .ok();
    assert_eq!(records(&team.stdout).len(), 12);
    w.run(&["themes", "audits.csv", "--trend", "--tags"]).fails(2);
    w.run(&["themes", "audits.csv", "--trend", "--by", "team"])
        .fails(2);
}

/// Six months of 10 audits each; the child's voice is Good in 4, 5, 3 of them
/// before the focus began in 2026-04, and in 7, 9, 8 since: 12 of 30 before, 24
/// of 30 since.
fn focus_inputs(w: &Workdir) {
    let mut body = String::new();
    for (m, good) in [4, 5, 3, 7, 9, 8].into_iter().enumerate() {
        for i in 0..10 {
            let voice = if i < good { "Good" } else { "Requires improvement" };
            let id = 100 * m + i;
            body.push_str(&format!(
                "A{id},C{id},2026-{:02},TM{},Team {},CP,neglect,,,,{voice},Good,,,,,,,\n",
                m + 1,
                i % 7,
                i % 3
            ));
        }
    }
    w.write("audits.csv", format!("{HEADER}\n{body}"));
    w.write(
        "focus.toml",
        "[[focus]]\nmonth = \"2026-04\"\nelement = \"voice\"\ntitle = \"Voice of the child\"\n\n\
         [[focus]]\nmonth = \"2026-04\"\nelement = \"risk\"\ntitle = \"Risk\"\n",
    );
}

#[test]
fn focus_rows_give_before_since_and_the_newcombe_interval() {
    let w = Workdir::new();
    focus_inputs(&w);
    let run = w
        .run(&["themes", "audits.csv", "--focus", "-c", "focus.toml"])
        .ok();
    let rows = records(&run.stdout);
    assert_eq!(rows.len(), 2, "{}", run.stdout);
    let voice = &rows[0];
    assert_eq!(
        (
            voice["focus"].as_str(),
            voice["element"].as_str(),
            voice["from"].as_str()
        ),
        ("Voice of the child", "voice", "2026-04")
    );
    assert_eq!(
        [
            &voice["before_graded"],
            &voice["before_good"],
            &voice["since_graded"],
            &voice["since_good"]
        ],
        ["30", "12", "30", "24"]
    );
    assert!((num(&voice["before_pct"]) - 40.0).abs() < 1e-9);
    assert!((num(&voice["since_pct"]) - 80.0).abs() < 1e-9);
    assert!((num(&voice["difference"]) - 40.0).abs() < 1e-9);
    // statsmodels 0.14, confint_proportions_2indep(24, 30, 12, 30,
    // method="newcomb", compare="diff"), run once: 0.1526021847476514 to
    // 0.5864380640306239.
    assert!(
        (num(&voice["ci_low"]) - 15.260_218_474_765_14).abs() < 1e-7,
        "{voice:?}"
    );
    assert!(
        (num(&voice["ci_high"]) - 58.643_806_403_062_39).abs() < 1e-7,
        "{voice:?}"
    );
    // Shares 40, 50, 30, 70, 90, 80: mean 60, mean moving range 20, limits 6.8
    // to 113.2 by hand; no rule fires.
    assert_eq!(voice["signal"], "common cause variation (6 months: provisional)");
    // No audit grades risk: nothing to compare, and CSV leaves the figures empty.
    let risk = &rows[1];
    assert_eq!(
        (risk["before_graded"].as_str(), risk["since_graded"].as_str()),
        ("0", "0")
    );
    assert_eq!(
        (risk["before_pct"].as_str(), risk["difference"].as_str()),
        ("", "")
    );
    // For people, the same rows, the empty shares said as too few.
    let table = w
        .run(&[
            "themes",
            "audits.csv",
            "--focus",
            "-c",
            "focus.toml",
            "-f",
            "table",
        ])
        .ok();
    let risk_line = table.stdout.lines().find(|l| l.contains("Risk")).unwrap();
    assert!(risk_line.contains("too few (n=0)"), "{}", table.stdout);
    assert!(
        table.stdout.contains("40.0") && table.stdout.contains("15.3"),
        "{}",
        table.stdout
    );
}

#[test]
fn focus_needs_a_focus_in_the_settings() {
    let w = Workdir::new();
    focus_inputs(&w);
    w.run(&["themes", "audits.csv", "--focus"])
        .fails(2)
        .stderr_has("no learning focus in the settings: add a [[focus]] block");
}

#[test]
fn shares_on_fewer_than_five_audits_are_too_few_in_tables_and_kept_in_csv() {
    let w = Workdir::new();
    // October: 12 audits, all Good, 4 a team. November: one audit a team, Good in
    // Team 0 only, so Team 1 and Team 2 fall from 100% to 0%.
    w.write(
        "audits.csv",
        format!(
            "{HEADER}\n{}{}",
            overall_file("2026-10", 12, 12, 0),
            overall_file("2026-11", 1, 3, 99)
        ),
    );
    let table = w
        .run(&[
            "themes",
            "audits.csv",
            "--by",
            "team",
            "--month",
            "2026-11",
            "-f",
            "table",
        ])
        .ok();
    for line in table.stdout.lines().filter(|l| l.contains("Team ")) {
        assert!(line.contains("too few (n=1)"), "{}", table.stdout);
        assert!(
            !line.contains("-100.0") && !line.contains("100.0"),
            "{}",
            table.stdout
        );
    }
    let csv = records(
        &w.run(&["themes", "audits.csv", "--by", "team", "--month", "2026-11"])
            .ok()
            .stdout,
    );
    let team_1 = csv.iter().find(|r| r["group"] == "Team 1").unwrap();
    assert_eq!(
        (
            team_1["graded"].as_str(),
            team_1["pct_good_or_better"].as_str(),
            team_1["change"].as_str()
        ),
        ("1", "0", "-100")
    );
}
