use super::*;
use crate::audits::{Audit, read_str};
use crate::dates::Month;
use crate::layouts::headings::Mapping;
use proptest::prelude::*;

const AUDITS: &str = "audit_id,case_id,month,auditor_id,team,overall,risk,voice\n";
const MODERATION: &str = "audit_id,moderator_id,moderated_on,overall,challenged,note";

fn audits_from(rows: &str, settings: &Settings) -> Audits {
    read_str(&[("audits.csv", &format!("{AUDITS}{rows}"))], settings)
        .unwrap()
        .0
}

fn moderate(
    audits: &Audits,
    header_extra: &str,
    rows: &str,
) -> Result<(Vec<Moderation>, Vec<Problem>), Vec<Problem>> {
    let text = format!("{MODERATION}{header_extra}\n{rows}");
    let csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    read(
        "mod.csv",
        csv,
        &Against::audits(audits),
        &audits.scale,
        &Mapping::new(),
    )
}

fn messages(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}

fn four() -> Audits {
    audits_from(
        "A1,C1,2026-11,TM1,Team A,Good,Good,RI\n\
         A2,C2,2026-11,TM1,Team A,Inadequate,I,RI\n\
         A3,C3,2026-11,TM2,Team B,RI,RI,Good\n\
         A4,C4,2026-11,TM3,Team B,Outstanding,O,O\n",
        &Settings::default(),
    )
}

#[test]
fn reads_results_with_regraded_elements() {
    let a = four();
    let (mods, warnings) = moderate(
        &a,
        ",Voice,comments",
        "A1,HOS1,2026-12-02,RI,yes,Plan lacks timescales,Inadequate,x\n\
         A3,HOS1,02/12/2026,3,no,,,\n",
    )
    .unwrap();
    assert_eq!(
        messages(&warnings),
        [
            "mod.csv:1: warning: column \"comments\" is neither a moderation column nor an element of the audits: ignored"
        ]
    );
    assert_eq!(mods.len(), 2);
    assert_eq!(
        (mods[0].audit, mods[0].overall, mods[0].challenged),
        (Some(0), Some(2), true)
    );
    assert_eq!(
        mods[0].regraded,
        [(2, 3)],
        "voice is element 2 (overall 0, risk 1)"
    );
    assert_eq!(mods[1].regraded, []);
    assert_eq!(mods[1].moderated_on, mods[0].moderated_on);
}

#[test]
fn every_error_is_located() {
    let a = four();
    let err = moderate(
        &a,
        "",
        "A1,HOS1,,Good,no,\n\
         A9,HOS1,,Good,no,\n\
         A2,HOS1,,Adequate,no,\n\
         A1,HOS2,,Good,no,\n\
         A3,,31/13/2026,Good,perhaps,\n",
    )
    .unwrap_err();
    assert_eq!(
        messages(&err),
        [
            "mod.csv:3: column \"audit_id\": audit id \"A9\" is not in the audits (audits.csv)",
            "mod.csv:4: column \"overall\": \"Adequate\" is not a grade (accepted: Outstanding or O or 1, Good or G or 2, \
             Requires improvement or RI or 3, Inadequate or I or 4; empty or N/A for not graded)",
            "mod.csv:5: column \"audit_id\": audit id \"A1\" appears again (first on line 2)",
            "mod.csv:6: column \"moderator_id\": moderator id is blank",
            "mod.csv:6: column \"moderated_on\": \"31/13/2026\" is not a real date (expected dd/mm/yyyy or yyyy-mm-dd)",
            "mod.csv:6: column \"challenged\": \"perhaps\" is not yes or no",
        ]
    );
    let text = "audit_id,overall\nA1,Good\n";
    let csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let err = read("mod.csv", csv, &Against::audits(&a), &a.scale, &Mapping::new()).unwrap_err();
    assert_eq!(
        messages(&err),
        [
            "mod.csv:1: column \"moderator_id\": required column is missing, and no heading looks like it \
             (the header has: audit_id, overall). Add to caseaudit.toml (with the heading that holds it in place of …):\n    \
             [moderation.columns]\n    moderator_id = \"…\""
        ]
    );
}

#[test]
fn without_the_audits_ids_are_not_checked() {
    let settings = Settings::default();
    let text = format!("{MODERATION},risk\nZ1,HOS1,,Good,no,,RI\n");
    let csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let scale = Scale::new(&settings.grades).unwrap();
    let (mods, warnings) = read(
        "mod.csv",
        csv,
        &Against::templates(&settings),
        &scale,
        &Mapping::new(),
    )
    .unwrap();
    assert!(warnings.is_empty());
    assert_eq!((mods[0].audit, &mods[0].regraded[..]), (None, &[(1, 2)][..]));
}

fn month() -> Month {
    "2026-11".parse().unwrap()
}

fn inadequate(a: &Audit) -> bool {
    a.overall() == Some(3)
}

/// The November choice with no earlier moderation given.
fn pick(a: &Audits, rate: f64, k: u32, seed: u64) -> Selection {
    let rules = Rules {
        month: month(),
        always: &inadequate,
        rate,
        min_per_auditor: k,
        window_months: 3,
        seed,
    };
    select(a, &rules, None)
}

/// `n` audits in November by auditors TM0..TM{k-1}; every seventh is Inadequate;
/// a few from October.
fn many(n: usize, auditors: usize) -> Audits {
    let mut rows = String::new();
    for i in 0..n {
        let g = if i % 7 == 3 { "Inadequate" } else { "Good" };
        rows.push_str(&format!("N{i},C{i},2026-11,TM{},T,{g},,\n", i % auditors));
    }
    rows.push_str("O1,CO,2026-10,TM0,T,Inadequate,,\n");
    audits_from(&rows, &Settings::default())
}

#[test]
fn selection_takes_always_then_auditor_due_then_random() {
    let a = many(60, 9);
    let s = pick(&a, 0.10, 2, 42);
    assert_eq!(s.in_month, 60, "October's audit is not a candidate");
    let always: Vec<usize> = s
        .picks
        .iter()
        .filter(|p| p.1 == Reason::Always)
        .map(|p| p.0)
        .collect();
    let expected: Vec<usize> = (0..60).filter(|i| i % 7 == 3).collect();
    let mut sorted = always.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected, "every Inadequate audit");
    for t in 0..9 {
        let id = format!("TM{t}");
        let n = s.picks.iter().filter(|p| a.list[p.0].auditor_id == id).count();
        assert!(n >= 2, "{id} has {n}");
    }
    assert_eq!(s.random_target, 6);
    assert_eq!(s.count(Reason::Random), 6);
    // Reasons come in order, and within each reason keys ascend.
    assert!(s.picks.windows(2).all(|w| (w[0].1, w[0].2) < (w[1].1, w[1].2)));
    let mut ids: Vec<usize> = s.picks.iter().map(|p| p.0).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), s.picks.len(), "no audit twice");
}

#[test]
fn selection_is_reproducible_from_the_seed() {
    let a = many(80, 5);
    let first = pick(&a, 0.2, 1, 7);
    assert_eq!(first, pick(&a, 0.2, 1, 7));
    let other = pick(&a, 0.2, 1, 8);
    assert_ne!(first.picks, other.picks);
    // The random picks are the smallest keys of the rest (docs/method.md#keys, on the audit id).
    let chosen: Vec<usize> = first.picks.iter().map(|p| p.0).collect();
    let max_random = first
        .picks
        .iter()
        .filter(|p| p.1 == Reason::Random)
        .map(|p| p.2)
        .max()
        .unwrap();
    for (i, audit) in a.list.iter().enumerate() {
        if audit.month == month() && !chosen.contains(&i) {
            assert!(crate::keys::key(7, &audit.audit_id) > max_random);
        }
    }
}

proptest! {
    #[test]
    fn selection_rules_always_hold(n in 0usize..60, auditors in 1usize..8, k in 0u32..4, rate in 0.0f64..=1.0, seed in any::<u64>()) {
        let a = many(n, auditors);
        let s = pick(&a, rate, k, seed);
        let mut seen = std::collections::HashSet::new();
        for &(i, reason, _) in &s.picks {
            prop_assert!(seen.insert(i));
            prop_assert_eq!(a.list[i].month, month());
            prop_assert_eq!(reason == Reason::Always, inadequate(&a.list[i]));
        }
        for t in 0..auditors {
            let id = format!("TM{t}");
            let has = a.list.iter().filter(|x| x.month == month() && x.auditor_id == id).count();
            let picked = s.picks.iter().filter(|p| a.list[p.0].auditor_id == id).count();
            prop_assert!(picked >= has.min(k as usize));
        }
        let rest = n - (s.picks.len() - s.count(Reason::Random));
        prop_assert_eq!(s.count(Reason::Random), s.random_target.min(rest));
        prop_assert_eq!(s.random_target, (rate * n as f64).round() as usize);
    }
}

fn rules(month: &str, k: u32, window_months: u32) -> Rules<'static> {
    Rules {
        month: month.parse().unwrap(),
        always: &inadequate,
        rate: 0.0,
        min_per_auditor: k,
        window_months,
        seed: 5,
    }
}

#[test]
fn the_window_is_the_months_before_the_month_chosen_for_across_a_new_year() {
    let r = rules("2027-01", 1, 3);
    assert_eq!(r.window_start().to_string(), "2026-11");
    let counts = |m: &str| r.counts_toward_due(m.parse().unwrap());
    assert!(counts("2026-12") && counts("2026-11"));
    assert!(
        !counts("2026-10"),
        "three months back is outside a 3-month window"
    );
    assert!(!counts("2027-01"), "the month's own results never count");
    assert!(!counts("2027-02") && !counts("2025-12"));
    let one = rules("2027-01", 1, 1);
    assert_eq!(one.window_start().to_string(), "2027-01");
    assert!(!one.counts_toward_due("2026-12".parse().unwrap()));
    let year = rules("2027-03", 1, 12);
    assert_eq!(year.window_start().to_string(), "2026-04");
    assert!(year.counts_toward_due("2026-04".parse().unwrap()));
    assert!(!year.counts_toward_due("2026-03".parse().unwrap()));
}

/// January 2027 audits of TM1..TM5 (TM5's Inadequate), and one earlier audit each
/// of TM1 (December), TM2 (November) and TM3 (October).
fn new_year() -> Audits {
    audits_from(
        "J1,C1,2027-01,TM1,T,Good,,\nJ2,C2,2027-01,TM2,T,Good,,\nJ3,C3,2027-01,TM3,T,Good,,\n\
         J4,C4,2027-01,TM4,T,Good,,\nJ5,C5,2027-01,TM4,T,Good,,\nJ6,C6,2027-01,TM5,T,Inadequate,,\n\
         D1,C7,2026-12,TM1,T,Good,,\nV1,C8,2026-11,TM2,T,Good,,\nO1,C9,2026-10,TM3,T,Good,,\n",
        &Settings::default(),
    )
}

fn picked(a: &Audits, s: &Selection) -> Vec<(String, Reason)> {
    s.picks
        .iter()
        .map(|&(i, r, _)| (a.list[i].audit_id.clone(), r))
        .collect()
}

#[test]
fn only_auditors_not_moderated_within_the_window_are_due() {
    let a = new_year();
    let (earlier, _) = moderate(&a, "", "D1,H,,Good,no,\nV1,H,,Good,no,\nO1,H,,Good,no,\n").unwrap();
    let r = rules("2027-01", 1, 3);
    let s = select(&a, &r, Some(&earlier));
    // TM1 (December) and TM2 (November) were moderated in the window; TM3's was
    // October, outside it; TM4 never; TM5's Inadequate audit is this month's.
    assert_eq!(s.due, ["TM3", "TM4"]);
    assert_eq!((s.counted, s.left_out, s.auditors), (2, 0, 5));
    let mut got = picked(&a, &s);
    got.sort();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.contains(&("J3".into(), Reason::AuditorDue)));
    assert!(got.contains(&("J6".into(), Reason::Always)));
    assert_eq!(got.iter().filter(|(id, _)| id == "J4" || id == "J5").count(), 1);
    // A window of four months takes October in; a window of one leaves everyone due.
    assert_eq!(select(&a, &rules("2027-01", 1, 4), Some(&earlier)).due, ["TM4"]);
    let one = select(&a, &rules("2027-01", 1, 1), Some(&earlier));
    assert_eq!(one.due, ["TM1", "TM2", "TM3", "TM4"]);
    // Two each: everyone of the month is due, TM1 and TM2 for one more audit only.
    let two = select(&a, &rules("2027-01", 2, 3), Some(&earlier));
    assert_eq!(two.due, ["TM1", "TM2", "TM3", "TM4", "TM5"]);
    assert_eq!(
        two.count(Reason::AuditorDue),
        5,
        "J1 J2 J3 J4 J5; TM5 has one audit"
    );
    // Without earlier results, every auditor is due, as if none had been moderated.
    let none = select(&a, &r, None);
    assert_eq!(none.due, ["TM1", "TM2", "TM3", "TM4"]);
    assert!(none.months_without_audits.is_empty());
}

#[test]
fn the_months_own_results_are_left_out_so_choosing_again_chooses_the_same() {
    let a = new_year();
    let before = "D1,H,,Good,no,\nV1,H,,Good,no,\n";
    let (earlier, _) = moderate(&a, "", before).unwrap();
    let r = Rules {
        rate: 0.5,
        ..rules("2027-01", 1, 3)
    };
    let first = select(&a, &r, Some(&earlier));
    let mut after = before.to_string();
    for &(i, ..) in &first.picks {
        after.push_str(&format!("{},H,,Good,no,\n", a.list[i].audit_id));
    }
    let (with_january, _) = moderate(&a, "", &after).unwrap();
    let again = select(&a, &r, Some(&with_january));
    assert_eq!(again.picks, first.picks);
    assert_eq!(again.due, first.due);
    assert_eq!((again.left_out, again.counted), (first.picks.len(), 2));
}

#[test]
fn window_months_without_audits_are_named() {
    let a = audits_from(
        "J1,C1,2027-01,TM1,T,Good,,\nO1,C9,2026-11,TM1,T,Good,,\n",
        &Settings::default(),
    );
    let s = select(&a, &rules("2027-01", 1, 4), Some(&[]));
    let missing: Vec<String> = s.months_without_audits.iter().map(ToString::to_string).collect();
    assert_eq!(missing, ["2026-10", "2026-12"]);
    assert_eq!(s.due, ["TM1"]);
}

proptest! {
    #[test]
    fn the_due_are_exactly_those_short_of_the_minimum(
        earlier in proptest::collection::vec(0usize..24, 0..24),
        k in 0u32..3,
        window in 1u32..5,
        seed in any::<u64>(),
    ) {
        // Six auditors, four months of four audits each (2026-11 .. 2027-02).
        let months = ["2026-11", "2026-12", "2027-01", "2027-02"];
        let mut rows = String::new();
        for (m, month) in months.iter().enumerate() {
            for j in 0..6 {
                rows.push_str(&format!("A{m}{j},C{m}{j},{month},TM{},T,Good,,\n", (j + m) % 6));
            }
        }
        let a = audits_from(&rows, &Settings::default());
        let mut text = String::new();
        let mut ids: Vec<usize> = earlier;
        ids.sort_unstable();
        ids.dedup();
        for i in ids {
            text.push_str(&format!("{},H,,Good,no,\n", a.list[i].audit_id));
        }
        let (moderated, _) = moderate(&a, "", &text).unwrap();
        let r = Rules { seed, ..rules("2027-02", k, window) };
        let s = select(&a, &r, Some(&moderated));
        for t in 0..6 {
            let id = format!("TM{t}");
            let before = moderated
                .iter()
                .filter(|m| {
                    let x = &a.list[m.audit.unwrap()];
                    x.auditor_id == id && r.counts_toward_due(x.month)
                })
                .count();
            let has = a.list.iter().filter(|x| x.month == r.month && x.auditor_id == id).count();
            let forced = s.picks.iter().filter(|p| a.list[p.0].auditor_id == id).count();
            prop_assert_eq!(s.due.contains(&id), has > 0 && before < k as usize);
            prop_assert_eq!(forced, has.min((k as usize).saturating_sub(before)));
        }
    }
}

/// Audits and moderation from pairs of overall grades (auditor, moderator), 0 = best.
fn paired(pairs: &[(usize, usize)], settings: &Settings) -> (Audits, Vec<Moderation>) {
    let labels = &settings.grades.scale;
    let mut rows = String::new();
    let mut mods = String::new();
    for (i, &(x, y)) in pairs.iter().enumerate() {
        rows.push_str(&format!("A{i},C{i},2026-11,TM{},T,{},,\n", i % 3, labels[x]));
        mods.push_str(&format!(
            "A{i},HOS1,,{},{},\n",
            labels[y],
            if i % 4 == 0 { "yes" } else { "no" }
        ));
    }
    let a = audits_from(&rows, settings);
    let (m, _) = moderate(&a, "", &mods).unwrap();
    (a, m)
}

fn close(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("a defined value");
    assert!((actual - expected).abs() < 1e-9, "{actual} is not {expected}");
}

#[test]
fn kappa_matches_r_irr_on_the_anxiety_data() {
    let rater1 = [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3];
    let rater2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4];
    let mut settings = Settings::default();
    settings.grades.scale = ["One", "Two", "Three", "Four", "Five", "Six"]
        .map(String::from)
        .to_vec();
    let pairs: Vec<(usize, usize)> = rater1.iter().zip(rater2).map(|(&a, b)| (a - 1, b - 1)).collect();
    let (a, m) = paired(&pairs, &settings);
    let rows = summarise(&a, &m, By::All);
    let g = &rows[0].agreement;
    assert_eq!(g.pairs, 20);
    close(g.kappa_quadratic, 0.2967651195);
    close(g.kappa_linear, 0.1891891892);
    close(g.kappa, 0.1194968553);
}

#[test]
fn an_unused_grade_still_counts_in_the_weights() {
    // Nobody used Requires improvement; linear 20/41 and quadratic 8/13 on four
    // levels (observed levels only would give 19/40 and 5/8).
    let pairs = [
        (0, 0),
        (0, 1),
        (1, 1),
        (1, 0),
        (1, 3),
        (3, 3),
        (3, 1),
        (1, 1),
        (3, 3),
        (0, 0),
        (1, 1),
        (0, 1),
        (1, 3),
        (3, 3),
    ];
    let (a, m) = paired(&pairs, &Settings::default());
    let r = &summarise(&a, &m, By::All)[0];
    close(r.agreement.kappa_linear, 20.0 / 41.0);
    close(r.agreement.kappa_quadratic, 8.0 / 13.0);
    // Changed: (0,1) ×2, (1,0), (1,3) ×2, (3,1): two up (1→0, 3→1), four down.
    assert_eq!((r.agreed, r.changed, r.up, r.down), (8, 6, 2, 4));
    close(r.pct_changed, 600.0 / 14.0);
    // Every fourth moderation is challenged: rows 0, 4, 8, 12.
    assert_eq!((r.moderated, r.challenged), (14, 4));
    close(r.pct_challenged, 400.0 / 14.0);
    close(r.agreement.exact, 8.0 / 14.0);
    // Within one: all but (1,3) ×2 and (3,1).
    close(r.agreement.within_one, 11.0 / 14.0);
}

#[test]
fn identical_grades_give_kappa_one_and_one_grade_leaves_it_undefined() {
    let (a, m) = paired(&[(0, 0), (1, 1), (2, 2), (3, 3), (1, 1)], &Settings::default());
    let r = &summarise(&a, &m, By::All)[0];
    close(r.agreement.kappa_linear, 1.0);
    close(r.agreement.kappa_quadratic, 1.0);
    let (a, m) = paired(&[(1, 1), (1, 1), (1, 1)], &Settings::default());
    let r = &summarise(&a, &m, By::All)[0];
    assert_eq!(
        (r.agreement.kappa_linear, r.agreement.kappa_quadratic),
        (None, None)
    );
    assert_eq!(r.agreement.exact, Some(1.0));
    let (a, m) = paired(&[(0, 2)], &Settings::default());
    let r = &summarise(&a, &m, By::All)[0];
    assert_eq!(r.agreement.kappa_linear, None, "one pair is too few");
}

#[test]
fn regraded_elements_join_the_agreement_pairs_and_the_element_view() {
    let a = four();
    let (m, _) = moderate(
        &a,
        ",risk,voice",
        "A1,HOS1,,Good,no,,RI,\n\
         A2,HOS1,,RI,yes,,I,Good\n",
    )
    .unwrap();
    let all = &summarise(&a, &m, By::All)[0];
    assert_eq!(
        (all.audits, all.moderated, all.agreed, all.changed, all.up),
        (4, 2, 1, 1, 1)
    );
    // Pairs: overall (1,1) (3,2); risk (1,2) (3,3); voice (2,1).
    assert_eq!(all.agreement.pairs, 5);
    close(all.agreement.exact, 2.0 / 5.0);
    let by_element = summarise(&a, &m, By::Element);
    let seen: Vec<(&str, u64, u64, u64, u64, u64)> = by_element
        .iter()
        .map(|r| (r.group.as_str(), r.audits, r.moderated, r.agreed, r.up, r.down))
        .collect();
    assert_eq!(
        seen,
        [
            ("overall", 4, 2, 1, 1, 0),
            ("risk", 4, 2, 1, 0, 1),
            ("voice", 4, 1, 0, 1, 0)
        ]
    );
}

#[test]
fn by_month_shows_the_direction_of_change() {
    let a = audits_from(
        "S1,C1,2026-09,TM1,T,Good,,\nS2,C2,2026-09,TM1,T,Good,,\n\
         O1,C3,2026-10,TM1,T,Good,,\nO2,C4,2026-10,TM1,T,Good,,\nO3,C5,2026-10,TM2,T,Good,,\n\
         N1,C6,2026-11,TM1,T,Good,,\nN2,C7,2026-11,TM1,T,Good,,\n",
        &Settings::default(),
    );
    let (m, _) = moderate(
        &a,
        "",
        "S1,H,,RI,yes,\nS2,H,,Good,no,\n\
         O1,H,,Good,yes,\nO2,H,,Good,no,\nO3,H,,Good,no,\n\
         N1,H,,Good,no,\nN2,H,,Good,no,\n",
    )
    .unwrap();
    let rows = summarise(&a, &m, By::Month);
    let trend: Vec<(&str, Option<Trend>, Option<Trend>)> = rows
        .iter()
        .map(|r| (r.group.as_str(), r.changed_trend, r.challenged_trend))
        .collect();
    assert_eq!(
        trend,
        [
            ("2026-09", None, None),
            ("2026-10", Some(Trend::Fewer), Some(Trend::Fewer)),
            ("2026-11", Some(Trend::Same), Some(Trend::Fewer)),
        ]
    );
}

proptest! {
    #[test]
    fn summary_counts_are_consistent(pairs in prop::collection::vec((0usize..4, 0usize..4), 1..60)) {
        let (a, m) = paired(&pairs, &Settings::default());
        for by in [By::All, By::Auditor, By::Element] {
            for r in summarise(&a, &m, by) {
                prop_assert_eq!(r.up + r.down, r.changed);
                prop_assert_eq!(r.agreed + r.changed, r.moderated);
                prop_assert!(r.challenged <= r.moderated && r.moderated <= r.audits);
                for k in [r.agreement.kappa_linear, r.agreement.kappa_quadratic].into_iter().flatten() {
                    prop_assert!(k.is_finite() && k <= 1.0 + 1e-12);
                }
            }
        }
        let all = &summarise(&a, &m, By::All)[0];
        let up = pairs.iter().filter(|(x, y)| y < x).count() as u64;
        prop_assert_eq!(all.up, up);
        prop_assert_eq!(all.agreed, pairs.iter().filter(|(x, y)| x == y).count() as u64);
    }
}
