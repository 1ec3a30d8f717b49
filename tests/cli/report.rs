//! `report`: Markdown and self-contained HTML, with the same figures as `themes`.

use crate::common::{Workdir, csv_rows};
use scraper::{Html, Selector};

const HEADER: &str = "audit_id,case_id,month,auditor_id,team,service,frame,completed_on,risk,assessment,overall,strengths,learning,action,action_owner,action_due,action_done,safeguarding_concern";

fn audits() -> String {
    let mut s = format!("{HEADER}\n");
    let grades = [
        "Outstanding",
        "Good",
        "Good",
        "Requires improvement",
        "Inadequate",
        "Good",
        "Requires improvement",
    ];
    for (i, g) in grades.iter().enumerate() {
        let team = if i % 2 == 0 { "Team A" } else { "Team B" };
        let sg = if i == 4 { "yes" } else { "no" };
        s.push_str(&format!(
            "N{i},C{i},2026-11,TM{i},{team},CIN,neglect,2026-11-05,Good,{g},{g},voice of the child;chronology,case recording,Update the plan,TM{i},2026-11-{:02},no,{sg}\n",
            10 + i
        ));
    }
    for i in 0..4 {
        let g = if i == 0 { "Good" } else { "Requires improvement" };
        s.push_str(&format!(
            "O{i},D{i},2026-10,TM{i},Team A,CIN,neglect,2026-10-05,Good,{g},{g},,,,,,,no\n"
        ));
    }
    s
}

#[test]
fn markdown_and_html_reports_carry_the_themes_figures() {
    let w = Workdir::new();
    w.write("audits.csv", audits());
    w.write(
        "allocation.csv",
        "month,case_id,team,auditor_id\n2026-11,C0,Team A,TM0\n2026-11,C1,Team B,TM1\n",
    );
    // The overall row of themes for the month.
    let themes = w.run(&["themes", "audits.csv", "--month", "2026-11", "-q"]).ok();
    let rows = csv_rows(&themes.stdout);
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let overall = rows.iter().find(|r| r[col("element")] == "overall").unwrap();
    let pct: f64 = overall[col("pct_good_or_better")].parse().unwrap();
    let (lo, hi): (f64, f64) = (
        overall[col("ci_low")].parse().unwrap(),
        overall[col("ci_high")].parse().unwrap(),
    );

    let md = w
        .run(&[
            "report",
            "--month",
            "2026-11",
            "--audits",
            "audits.csv",
            "--allocation",
            "allocation.csv",
            "-f",
            "markdown",
        ])
        .ok();
    assert!(
        md.stdout.starts_with("# Case file audit report, November 2026\n"),
        "{}",
        md.stdout
    );
    for heading in [
        "## Headline",
        "## Grade profile",
        "## Moderation",
        "## Themes",
        "## Escalations and overdue actions",
        "## Sampling coverage",
        "## Methodology",
    ] {
        assert!(md.stdout.contains(heading), "{heading} in\n{}", md.stdout);
    }
    assert!(
        md.stdout
            .contains(&format!("- **Overall good or better:** {pct:.1}% (4 of 7)")),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout
            .contains(&format!("- **95% confidence interval:** {lo:.1}% to {hi:.1}%")),
        "{}",
        md.stdout
    );
    assert!(md.stdout.contains("- **Audits allocated:** 2"), "{}", md.stdout);
    assert!(
        md.stdout
            .contains("_Moderation is left out: no moderation results were given"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout.contains("| voice of the child | 7 | 100.0 |"),
        "{}",
        md.stdout
    );

    w.run(&[
        "report",
        "--month",
        "2026-11",
        "--audits",
        "audits.csv",
        "-o",
        "report.html",
    ])
    .ok();
    let text = w.read("report.html");
    let doc = Html::parse_document(&text);
    let sel = |s: &str| Selector::parse(s).unwrap();
    assert_eq!(
        doc.select(&sel("title")).next().unwrap().inner_html(),
        "Case file audit report, November 2026"
    );
    let sections: Vec<String> = doc
        .select(&sel("section"))
        .map(|s| s.value().attr("id").unwrap().to_string())
        .collect();
    assert_eq!(
        sections,
        [
            "headline",
            "profile",
            "moderation",
            "themes",
            "escalations",
            "sampling",
            "methodology"
        ]
    );
    assert!(doc.select(&sel("svg")).count() >= 2, "charts");
    assert!(doc.select(&sel("svg > title")).count() >= 2, "charts have titles");
    assert!(doc.select(&sel("th[scope=col]")).count() > 5);
    assert_eq!(doc.select(&sel("script")).count(), 0);
    // The only http:// in the file is the SVG namespace of each chart.
    assert_eq!(
        text.matches("http://").count(),
        text.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        "no external URL"
    );
    assert!(
        !text.contains("https://") && !text.contains("src=") && !text.contains("<link"),
        "nothing fetched"
    );
    assert!(text.contains(&format!("{pct:.1}%")));
    // Escalations: the Inadequate audit with a safeguarding concern.
    let esc = doc.select(&sel("#escalations tbody tr")).count();
    assert!(esc >= 1, "{text}");
}

#[test]
fn team_pack_and_bad_team() {
    let w = Workdir::new();
    w.write("audits.csv", audits());
    let md = w
        .run(&[
            "report",
            "--month",
            "2026-11",
            "--audits",
            "audits.csv",
            "--team",
            "Team B",
            "-f",
            "markdown",
        ])
        .ok();
    assert!(md.stdout.starts_with("# Case file audit: Team B, November 2026"));
    assert!(md.stdout.contains("whole service"));
    for id in ["C0", "C2", "C4", "C6"] {
        assert!(
            !md.stdout.contains(&format!("| {id} |")),
            "Team A's case {id} is not in Team B's pack"
        );
    }
    w.run(&[
        "report",
        "--month",
        "2026-11",
        "--audits",
        "audits.csv",
        "--team",
        "Team Z",
    ])
    .fails(2)
    .stderr_has("no audits for team \"Team Z\" (teams in the audits: Team A, Team B)");
}

/// The whole Markdown report for a fixed input, compared with a reviewed snapshot
/// (tests/data/report_snapshot.md). Regenerate it deliberately when the report changes:
/// `UPDATE_SNAPSHOTS=1 cargo test --test cli report::markdown_snapshot`.
#[test]
fn markdown_snapshot() {
    let w = Workdir::new();
    w.write("audits.csv", audits());
    w.write(
        "allocation.csv",
        "month,case_id,team,auditor_id\n2026-11,C0,Team A,TM0\n2026-11,C1,Team B,TM1\n",
    );
    let md = w
        .run(&[
            "report",
            "--month",
            "2026-11",
            "--audits",
            "audits.csv",
            "--allocation",
            "allocation.csv",
            "-f",
            "markdown",
        ])
        .ok();
    // The commit the program was built from is the one part that changes by itself.
    let report = match md.stdout.find(" (commit ") {
        Some(at) => {
            let end = at + md.stdout[at..].find(')').expect("the commit's bracket closes") + 1;
            format!("{}{}", &md.stdout[..at], &md.stdout[end..])
        }
        None => md.stdout.clone(),
    };
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/report_snapshot.md");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &report).unwrap();
    }
    let expected = std::fs::read_to_string(path).expect("the snapshot exists");
    assert_eq!(report, expected, "the report differs from its snapshot");
}

#[test]
fn the_report_is_html_or_markdown_and_nothing_else() {
    let w = Workdir::new();
    w.write("audits.csv", audits());
    let base = ["report", "--month", "2026-11", "--audits", "audits.csv"];
    for extra in [
        &["-o", "report.pdf"][..],
        &["-o", "report.docx"][..],
        &["-o", "report.csv"][..],
        &["-o", "report"][..],
        &["-f", "csv"][..],
        &["-f", "json"][..],
        &["-f", "html", "-o", "report.pdf"][..],
    ] {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        w.run(&args)
            .fails(2)
            .stderr_has("the report is HTML or Markdown: -f html or -f markdown, or -o FILE.html or FILE.md");
    }
    for name in ["report.pdf", "report.docx", "report.csv", "report"] {
        assert!(!w.path(name).exists(), "{name} not written");
    }
    let args: Vec<&str> = base.iter().chain(&["-o", "report.md"]).copied().collect();
    w.run(&args).ok().stderr_has("wrote report.md");
    assert!(w.read("report.md").starts_with("# "));
}

#[test]
fn markdown_escapes_html_in_every_value() {
    let w = Workdir::new();
    w.write(
        "audits.csv",
        audits().replace("Team A", "<script>alert(1)</script>"),
    );
    let run = w
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
    assert!(!run.stdout.contains("<script>"), "{}", run.stdout);
    assert!(
        run.stdout.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_board_report_names_no_case_unless_asked() {
    let w = Workdir::new();
    w.run(&["demo", "m", "-q"]).ok();
    let base = [
        "report",
        "--month",
        "2026-11",
        "--audits",
        "m/audits.csv",
        "--moderation",
        "m/moderation.csv",
        "-c",
        "m/caseaudit.toml",
    ];
    let run = |extra: &[&str]| {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        w.run(&args).ok().stdout
    };
    let ids: Vec<String> = csv_rows(&w.read("m/extract.csv"))
        .into_iter()
        .skip(1)
        .map(|r| r[0].clone())
        .collect();
    let named = |text: &str| ids.iter().filter(|id| text.contains(id.as_str())).count();
    for format in ["html", "markdown"] {
        assert_eq!(
            named(&run(&["-f", format])),
            0,
            "{format}: no case id in the board report"
        );
    }
    assert!(named(&run(&["-f", "markdown", "--ids"])) > 0, "--ids names them");
    // A team pack, for the team's managers, names its cases.
    let audits = w.read("m/audits.csv");
    let team = csv_rows(&audits)[1][4].clone();
    assert!(named(&run(&["-f", "markdown", "--team", &team])) > 0);
}

/// The headline's change since last month is read on the control chart of the
/// months up to the report's: eleven steady months and a twelfth far above them
/// (shares 50, 55, 50, 45, … , 95; limits 40.9 and 67.5 by a Python port of
/// NHSRplotthedots) is a special cause; the eleventh month, charted without the
/// twelfth, is within the usual variation on provisional limits.
#[test]
fn headline_change_is_read_against_the_usual_variation() {
    let w = Workdir::new();
    let mut s = format!("{HEADER}\n");
    for (m, good) in [10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 19].iter().enumerate() {
        for i in 0..20 {
            let grade = if i < *good { "Good" } else { "Inadequate" };
            let id = 100 * m + i;
            s.push_str(&format!(
                "A{id},C{id},2026-{:02},TM{},Team A,CP,neglect,,,,{grade},,,,,,,\n",
                m + 1,
                i % 5
            ));
        }
    }
    w.write("audits.csv", s);
    let report = |month: &str| {
        w.run(&[
            "report",
            "--month",
            month,
            "--audits",
            "audits.csv",
            "-f",
            "markdown",
        ])
        .ok()
        .stdout
    };
    assert!(
        report("2026-12").contains(
            "+45.0 points (was 50.0%): special cause improvement: outside the limits (chart of 12 months)\n"
        ),
        "{}",
        report("2026-12")
    );
    assert!(
        report("2026-11").contains(
            "-5.0 points (was 55.0%): within the usual variation (chart of 11 months; fewer than 12 points: limits are provisional)\n"
        ),
        "{}",
        report("2026-11")
    );
}

/// The demo month's own board report, parsed: it names no case, charts and
/// tables speak in titles and words, nothing of Markdown leaks into the HTML,
/// ids and signals do not wrap, rows carry their chart's signal, the learning
/// focus has its row, and figures on a handful of audits are said as too few.
#[test]
fn the_demos_board_report_reads_as_a_board_paper() {
    let w = Workdir::new();
    w.run(&["demo", "m", "-q"]).ok();
    let html = w.read("m/report.html");
    let doc = Html::parse_document(&html);
    let sel = |s: &str| Selector::parse(s).unwrap();
    let text_of = |s: &str| -> Vec<String> {
        doc.select(&sel(s))
            .map(|e| e.text().collect::<String>())
            .collect()
    };
    let all_text: String = doc.root_element().text().collect();

    // No case id of the extract anywhere in the board report.
    let ids: Vec<String> = csv_rows(&w.read("m/extract.csv"))
        .into_iter()
        .skip(1)
        .map(|r| r[0].clone())
        .collect();
    assert!(ids.len() > 1000);
    let named: Vec<&String> = ids.iter().filter(|id| all_text.contains(id.as_str())).collect();
    assert!(named.is_empty(), "case ids in the board report: {named:?}");
    assert!(text_of("th[scope=col]").iter().all(|h| h != "case"));

    // No Markdown syntax in the page's text.
    for mark in ["`", "**", "](", "_Moderation"] {
        assert!(!all_text.contains(mark), "{mark:?} in the HTML's text");
    }

    // The grade chart labels its bars with the elements' short titles, never
    // their keys.
    let chart_labels = text_of("section#profile figure svg text[text-anchor=end]");
    for label in [
        "Overall",
        "Risk and need",
        "Partner professionals",
        "Case records",
    ] {
        assert!(
            chart_labels.iter().any(|l| l == label),
            "{label}: {chart_labels:?}"
        );
    }
    for key in ["partners", "records", "risk", "overall"] {
        assert!(!chart_labels.iter().any(|l| l == key), "{key}: {chart_labels:?}");
    }

    // Moderation headings are words, not column names.
    let headings = text_of("section#moderation th[scope=col]");
    assert!(headings.contains(&"% grades changed".to_string()), "{headings:?}");
    for raw in [
        "pct_changed",
        "kappa_quadratic",
        "pct_challenged",
        "changed_trend",
    ] {
        assert!(!html.contains(raw), "{raw} in the report");
    }

    // Each element row and each team row has its chart's signal: a mark and the
    // words, with the months charted (7, under the 12 for settled limits).
    // (The signal is the last column of both tables in the board report.)
    let last_cells: Vec<_> = doc
        .select(&sel("section#profile tbody tr td:last-child"))
        .collect();
    assert!(
        last_cells
            .iter()
            .all(|c| c.value().attr("class") == Some("nowrap"))
    );
    let signals: Vec<String> = last_cells.iter().map(|c| c.text().collect()).collect();
    assert_eq!(signals.len(), 10 + 12, "{signals:?}");
    for s in &signals {
        let marked = [
            "▲ special cause improvement",
            "▼ special cause concern",
            "● common cause",
        ]
        .iter()
        .any(|m| s.starts_with(m));
        assert!(marked, "{s}");
        assert!(s.ends_with("months)"), "{s}");
    }
    assert!(html.contains(".nowrap { white-space: nowrap; }"));

    // Moderation's month-on-month words come with the share changed read on its
    // own chart (fewer changed is better), 14 audits moderated this month.
    let moderation: String = doc
        .select(&sel("section#moderation"))
        .flat_map(|e| e.text())
        .collect();
    assert!(
        moderation.contains("Grades changed, on its control chart")
            && moderation.contains("common cause (7 months)"),
        "{moderation}"
    );

    // The demo's 25 audits over 12 teams: no team has 5, so no team's share or
    // change is shown as a percentage.
    let team_rows: Vec<Vec<String>> = doc
        .select(&sel("section#profile table"))
        .nth(1)
        .unwrap()
        .select(&sel("tbody tr"))
        .map(|r| r.select(&sel("th, td")).map(|c| c.text().collect()).collect())
        .collect();
    assert_eq!(team_rows.len(), 12);
    for row in &team_rows {
        let n: u64 = row[1].parse().unwrap();
        assert!(n < 5, "{row:?}");
        assert_eq!(row[2], format!("too few (n={n})"), "{row:?}");
        assert!(!row[4].contains('.'), "a change on too few audits: {row:?}");
    }

    // The learning focus of the demo's settings, with its interval and signal.
    let focus = text_of("section#focus tbody tr");
    assert_eq!(focus.len(), 1, "{focus:?}");
    assert!(
        focus[0].starts_with("Case recording (from 2026-08)Case records"),
        "{focus:?}"
    );
    assert!(
        focus[0].contains(" points (") && focus[0].contains("common cause"),
        "{focus:?}"
    );

    // Overdue actions are counted, not listed; this month's escalations are.
    let captions = text_of("section#escalations caption");
    assert!(
        captions[0].starts_with("This month's escalations"),
        "{captions:?}"
    );
    assert!(captions[1].starts_with("Overdue actions by team"), "{captions:?}");
    let subtitle = text_of("p.sub");
    assert!(subtitle[0].starts_with("Monthly report to the Improvement Board"));

    // A team pack says it is one.
    let pack = Html::parse_document(&w.read("m/packs/duty-team-1.html"));
    let sub: String = pack.select(&sel("p.sub")).next().unwrap().text().collect();
    assert!(sub.starts_with("Team pack for the team's managers"), "{sub}");
}

/// `--actions all` lists every overdue action in the board report; by default
/// they are counted by team and by how long overdue. A team pack lists them.
#[test]
fn overdue_actions_are_counted_unless_all_are_asked_for() {
    let w = Workdir::new();
    w.write("audits.csv", audits());
    let report = |extra: &[&str]| {
        let mut args = vec![
            "report",
            "--month",
            "2026-11",
            "--audits",
            "audits.csv",
            "-f",
            "markdown",
        ];
        args.extend(extra);
        w.run(&args).ok().stdout
    };
    // Seven November actions, due 10 to 16 November, none done: as of 26
    // November all overdue, 10 to 16 days, so all in the first band.
    let summary = report(&[]);
    assert!(
        summary.contains(
            "| Team A | 4 | 0 | 0 | 4 |\n| Team B | 3 | 0 | 0 | 3 |\n| all teams | 7 | 0 | 0 | 7 |\n"
        ),
        "{summary}"
    );
    // The one escalation is listed; the other overdue actions are not.
    assert!(
        summary.contains("| N4 | Team A | inadequate, safeguarding |"),
        "{summary}"
    );
    assert!(!summary.contains("| N0 |"), "{summary}");
    let all = report(&["--actions", "all"]);
    for id in ["N0", "N1", "N2", "N3", "N4", "N5", "N6"] {
        assert!(all.contains(&format!("| {id} |")), "{id}: {all}");
    }
    assert!(all.contains("and every overdue action"), "{all}");
    assert!(!all.contains("Overdue actions by team"), "{all}");
    let pack = report(&["--team", "Team B"]);
    for id in ["N1", "N3", "N5"] {
        assert!(pack.contains(&format!("| {id} |")), "{id}: {pack}");
    }
    w.run(&[
        "report",
        "--month",
        "2026-11",
        "--audits",
        "audits.csv",
        "--actions",
        "some",
    ])
    .fails(2);
}

/// A team with 1 audit shows no percentage and no change of -100: too few.
#[test]
fn a_team_with_one_audit_shows_too_few() {
    let w = Workdir::new();
    let mut s = audits();
    s.push_str("Z0,E0,2026-11,TM9,Team Z,CIN,neglect,2026-11-05,Good,Inadequate,Inadequate,,,,,,,no\n");
    s.push_str("Y0,E1,2026-10,TM9,Team Z,CIN,neglect,2026-10-05,Good,Good,Good,,,,,,,no\n");
    w.write("audits.csv", s);
    let md = w
        .run(&[
            "report",
            "--month",
            "2026-11",
            "--audits",
            "audits.csv",
            "-f",
            "markdown",
        ])
        .ok()
        .stdout;
    let row = md.lines().find(|l| l.starts_with("| Team Z |")).unwrap();
    assert!(
        row.starts_with("| Team Z | 1 | too few (n=1) |  | too few (n=1) |"),
        "{row}"
    );
    assert!(!md.contains("-100.0"), "{md}");
}
