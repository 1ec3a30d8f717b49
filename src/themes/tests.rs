use super::*;
use crate::audits::read_str;
use crate::config::Settings;

const HEADER: &str = "audit_id,case_id,month,auditor_id,team,frame,overall,risk,voice,strengths,learning";

/// One compact row: month, team, frame, overall, risk, voice, strengths, learning.
type Compact<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
);

fn audits(rows: &[Compact<'_>]) -> Audits {
    let mut text = format!("{HEADER}\n");
    for (i, (month, team, frame, overall, risk, voice, strengths, learning)) in rows.iter().enumerate() {
        text.push_str(&format!(
            "A{i},C{i},{month},TM{},{team},{frame},{overall},{risk},{voice},\"{strengths}\",\"{learning}\"\n",
            i % 3
        ));
    }
    read_str(&[("a.csv", &text)], &Settings::default()).unwrap().0
}

/// `good` audits graded Good overall and `n - good` graded Inadequate, in one month.
fn overall_only(good: usize, n: usize) -> Audits {
    let rows: Vec<_> = (0..n)
        .map(|i| {
            let g = if i < good { "Good" } else { "Inadequate" };
            ("2026-11", "T", "f", g, "", "", "", "")
        })
        .collect();
    audits(&rows)
}

fn all(_: &Audit) -> bool {
    true
}

fn q(by: GroupBy, month: Option<&str>) -> Query {
    Query {
        by,
        month: month.map(|m| m.parse().unwrap()),
    }
}

fn close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() <= 1e-7, "{actual} is not {expected}");
}

#[test]
fn wilson_intervals_match_the_reference_values() {
    // Published Wilson 95% intervals (as proportions), here in percent.
    for (good, n, low, high) in [
        (81, 263, 0.2552885199, 0.3662095770),
        (15, 148, 0.0623863995, 0.1604872417),
        (0, 20, 0.0, 0.1611251581),
        (10, 10, 0.7224672001, 1.0),
    ] {
        let rows = profile(&overall_only(good, n), &all, q(GroupBy::Element, None));
        assert_eq!(rows.len(), 1, "only the overall grade is graded");
        let r = &rows[0];
        assert_eq!((r.graded, r.good_or_better), (n as u64, good as u64));
        let (l, h) = r.ci.unwrap();
        close(l, 100.0 * low);
        close(h, 100.0 * high);
        close(r.pct.unwrap(), 100.0 * good as f64 / n as f64);
    }
}

#[test]
fn not_graded_is_left_out_of_every_count() {
    let a = audits(&[
        ("2026-11", "T", "f", "Good", "N/A", "RI", "", ""),
        ("2026-11", "T", "f", "O", "", "n/a", "", ""),
        ("2026-11", "T", "f", "4", "Good", "#N/A", "", ""),
    ]);
    let rows = profile(&a, &all, q(GroupBy::Element, None));
    let by_element: Vec<(usize, &[u64], u64)> = rows
        .iter()
        .map(|r| (r.element, r.counts.as_slice(), r.graded))
        .collect();
    assert_eq!(
        by_element,
        [
            (0, &[1, 1, 0, 1][..], 3),
            (1, &[0, 1, 0, 0][..], 1),
            (2, &[0, 0, 1, 0][..], 1)
        ]
    );
    close(rows[0].pct.unwrap(), 200.0 / 3.0);
    assert_eq!(rows[2].pct, Some(0.0));
}

#[test]
fn groups_split_the_counts() {
    let a = audits(&[
        ("2026-11", "Team A", "neglect", "Good", "", "", "", ""),
        ("2026-11", "Team B", "neglect", "Inadequate", "", "", "", ""),
        ("2026-11", "Team A", "step-up", "RI", "", "", "", ""),
    ]);
    let rows = profile(&a, &all, q(GroupBy::Team, None));
    let seen: Vec<(&str, u64, u64)> = rows
        .iter()
        .map(|r| (r.group.as_str(), r.graded, r.good_or_better))
        .collect();
    assert_eq!(seen, [("Team A", 2, 1), ("Team B", 1, 0)]);
    assert!(rows.iter().all(|r| r.prev_pct.is_none() && r.change.is_none()));
    let neglect = profile(&a, &|x: &Audit| x.frame == "neglect", q(GroupBy::Frame, None));
    assert_eq!(neglect.len(), 1);
    assert_eq!(neglect[0].graded, 2);
}

#[test]
fn month_on_month_change() {
    let a = audits(&[
        ("2026-10", "T", "f", "Good", "Good", "", "", ""),
        ("2026-10", "T", "f", "RI", "Inadequate", "", "", ""),
        ("2026-10", "T", "f", "RI", "", "", "", ""),
        ("2026-10", "T", "f", "RI", "", "", "", ""),
        ("2026-11", "T", "f", "Good", "Good", "", "", ""),
        ("2026-11", "T", "f", "Outstanding", "RI", "", "", ""),
        ("2026-11", "T", "f", "RI", "", "", "", ""),
        ("2026-09", "T", "f", "Good", "", "", "", ""),
    ]);
    let rows = profile(&a, &all, q(GroupBy::Element, Some("2026-11")));
    // Overall: 2 of 3 now, 1 of 4 in October.
    assert_eq!(rows[0].graded, 3);
    close(rows[0].pct.unwrap(), 200.0 / 3.0);
    close(rows[0].prev_pct.unwrap(), 25.0);
    close(rows[0].change.unwrap(), 200.0 / 3.0 - 25.0);
    // Risk: 1 of 2 now, 1 of 2 then: no change.
    assert_eq!(rows[1].change, Some(0.0));
    // By month, each month is compared with the one before it.
    let rows = profile(&a, &all, q(GroupBy::Month, None));
    let overall: Vec<(&str, Option<f64>, Option<f64>)> = rows
        .iter()
        .filter(|r| r.element == 0)
        .map(|r| (r.group.as_str(), r.pct, r.prev_pct))
        .collect();
    assert_eq!(
        overall,
        [
            ("2026-09", Some(100.0), None),
            ("2026-10", Some(25.0), Some(100.0)),
            ("2026-11", Some(200.0 / 3.0), Some(25.0)),
        ]
    );
    // A month with no month before it has nothing to compare with.
    let rows = profile(&a, &all, q(GroupBy::Element, Some("2026-09")));
    assert_eq!((rows[0].prev_pct, rows[0].change), (None, None));
}

#[test]
fn a_custom_scale_moves_the_good_or_better_cut() {
    let mut settings = Settings::default();
    settings.grades.good_or_better = 1;
    let text = format!("{HEADER}\nA1,C1,2026-11,TM1,T,f,Good,,,,\nA2,C2,2026-11,TM1,T,f,Outstanding,,,,\n");
    let a = read_str(&[("a.csv", &text)], &settings).unwrap().0;
    let rows = profile(&a, &all, q(GroupBy::Element, None));
    assert_eq!(rows[0].good_or_better, 1);
}

#[test]
fn tags_by_frequency_with_the_share_of_audits() {
    let a = audits(&[
        (
            "2026-11",
            "T",
            "f",
            "Good",
            "",
            "",
            "voice; chronology",
            "records",
        ),
        (
            "2026-11",
            "T",
            "f",
            "Good",
            "",
            "",
            "Voice;voice",
            "records;supervision",
        ),
        ("2026-11", "T", "f", "Good", "", "", "", "Supervision"),
        ("2026-11", "T", "f", "Good", "", "", "", ""),
    ]);
    let rows = tags(&a, &all, q(GroupBy::Element, None));
    let seen: Vec<(&str, &str, u64, f64)> = rows
        .iter()
        .map(|r| (r.kind, r.tag.as_str(), r.audits, r.pct))
        .collect();
    assert_eq!(
        seen,
        [
            ("strengths", "voice", 2, 50.0),
            ("strengths", "chronology", 1, 25.0),
            ("learning", "records", 2, 50.0),
            ("learning", "supervision", 2, 50.0),
        ]
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const FORMS: [&str; 8] = [
        "Outstanding",
        "G",
        "RI",
        "4",
        "N/A",
        "",
        "good",
        "Requires improvement to be good",
    ];

    proptest! {
        #[test]
        fn counts_add_up_and_the_interval_holds_the_share(
            grades in prop::collection::vec((0usize..8, 0usize..8, 0usize..3), 1..80),
        ) {
            let rows: Vec<Compact<'_>> = grades
                .iter()
                .map(|&(o, r, t)| ("2026-11", ["A", "B", "C"][t], "f", FORMS[o], FORMS[r], "", "", ""))
                .collect();
            let a = audits(&rows);
            let profile = profile(&a, &all, q(GroupBy::Team, None));
            for r in &profile {
                prop_assert_eq!(r.counts.iter().sum::<u64>(), r.graded);
                prop_assert_eq!(r.good_or_better, r.counts[0] + r.counts[1]);
                let (low, high) = r.ci.unwrap();
                let pct = r.pct.unwrap();
                prop_assert!(0.0 <= low && low <= pct + 1e-9 && pct <= high + 1e-9 && high <= 100.0);
            }
            // Not graded is never counted: every team's overall count is its graded audits.
            for (t, team) in ["A", "B", "C"].iter().enumerate() {
                let graded = grades.iter().filter(|&&(o, _, x)| x == t && !matches!(FORMS[o], "N/A" | "")).count() as u64;
                let found = profile.iter().find(|r| r.group == *team && r.element == 0).map_or(0, |r| r.graded);
                prop_assert_eq!(found, graded);
            }
        }
    }
}
