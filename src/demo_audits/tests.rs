use super::*;
use crate::audits::read_str;
use crate::config::Settings;
use crate::themes::{self, GroupBy, Query};

fn month() -> Month {
    "2026-11".parse().unwrap()
}

fn nine() -> Vec<String> {
    ELEMENT_EASE.iter().map(|(k, _)| (*k).to_string()).collect()
}

/// `n` allocated cases spread over six teams.
fn allocated(n: usize) -> Vec<DemoAllocated> {
    (0..n)
        .map(|i| DemoAllocated {
            case_id: format!("C{i:05}"),
            team: format!("Locality {} Unit 1", i % 6),
            service: ["CIN", "CP", "CLA"][i % 3].to_string(),
            frame: ["closed-6m", "step-up", "neglect"][i % 3].to_string(),
            auditor_id: format!("TM{}", (i + 1) % 9),
        })
        .collect()
}

#[test]
fn the_audits_read_cleanly_one_per_allocated_case() {
    let cases = allocated(30);
    let text = audits_csv(&cases, month(), &nine(), 7);
    let (audits, warnings) = read_str(&[("audits.csv", &text)], &Settings::default()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(audits.list.len(), 30);
    for (a, c) in audits.list.iter().zip(&cases) {
        assert_eq!(
            (&a.case_id, &a.team, &a.auditor_id, &a.frame),
            (&c.case_id, &c.team, &c.auditor_id, &c.frame)
        );
        assert_eq!(a.month, month());
        assert!(a.overall().is_some(), "every audit has an overall grade");
        assert_eq!(a.completed_on.map(Month::of), Some(month()));
    }
    assert_eq!(audits.layout.elements.len(), 10, "overall and the nine elements");
    let concerns = audits.list.iter().filter(|a| a.safeguarding_concern).count();
    assert!((1..=2).contains(&concerns), "{concerns} safeguarding concerns");
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let cases = allocated(25);
    let a = audits_csv(&cases, month(), &nine(), 1);
    assert_eq!(a, audits_csv(&cases, month(), &nine(), 1));
    assert_ne!(a, audits_csv(&cases, month(), &nine(), 2));
}

#[test]
fn grades_are_realistic_and_vary_by_team_and_element() {
    let text = audits_csv(&allocated(3000), month(), &nine(), 11);
    let (audits, _) = read_str(&[("audits.csv", &text)], &Settings::default()).unwrap();
    let all = |_: &crate::audits::Audit| true;
    let by_element = themes::profile(
        &audits,
        &all,
        Query {
            by: GroupBy::Element,
            month: None,
        },
    );
    let overall = &by_element[0];
    let share = |g: usize| overall.counts[g] as f64 / overall.graded as f64;
    assert!(
        share(1) > 0.4,
        "Good is the commonest overall grade: {:?}",
        overall.counts
    );
    assert!(
        overall.counts.iter().all(|&c| c > 0),
        "every grade is used: {:?}",
        overall.counts
    );
    assert!(share(3) < 0.2, "{:?}", overall.counts);
    // Some elements are not graded (N/A), and fewer than all audits grade partners.
    let partners = by_element
        .iter()
        .find(|r| audits.layout.elements[r.element].key == "partners")
        .unwrap();
    assert!(
        partners.graded < 3000 && partners.graded > 2500,
        "{}",
        partners.graded
    );
    // Management oversight is weaker than risk.
    let pct = |key: &str| {
        by_element
            .iter()
            .find(|r| audits.layout.elements[r.element].key == key)
            .unwrap()
            .pct
            .unwrap()
    };
    assert!(
        pct("management") + 10.0 < pct("risk"),
        "{} vs {}",
        pct("management"),
        pct("risk")
    );
    // Teams differ by more than chance would make them.
    let by_team = themes::profile(
        &audits,
        &all,
        Query {
            by: GroupBy::Team,
            month: None,
        },
    );
    let shares: Vec<f64> = by_team
        .iter()
        .filter(|r| r.element == 0)
        .map(|r| r.pct.unwrap())
        .collect();
    let spread =
        shares.iter().cloned().fold(f64::MIN, f64::max) - shares.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread > 15.0, "{shares:?}");
}

#[test]
fn tags_and_actions_with_owners_and_due_dates() {
    let text = audits_csv(&allocated(200), month(), &nine(), 3);
    let (audits, _) = read_str(&[("audits.csv", &text)], &Settings::default()).unwrap();
    let tagged = audits.list.iter().filter(|a| !a.strengths.is_empty()).count();
    let learning = audits.list.iter().filter(|a| !a.learning.is_empty()).count();
    assert!(tagged > 50 && learning > 50, "{tagged} {learning}");
    let with_action: Vec<_> = audits.list.iter().filter(|a| !a.action.is_empty()).collect();
    assert!(with_action.len() > 40, "{}", with_action.len());
    for a in &with_action {
        assert!(!a.action_owner.is_empty());
        let (due, done) = (a.action_due.unwrap(), a.completed_on.unwrap());
        assert!(due > done && (due - done).num_days() <= 30);
    }
    // Every Inadequate audit has an action.
    assert!(
        audits
            .list
            .iter()
            .filter(|a| a.overall() == Some(3))
            .all(|a| !a.action.is_empty())
    );
    // At the end of the month some actions are overdue and some done.
    let end = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let statuses: Vec<_> = with_action
        .iter()
        .map(|a| crate::actions::Status::of(a, end))
        .collect();
    assert!(statuses.contains(&crate::actions::Status::Overdue));
    assert!(statuses.contains(&crate::actions::Status::Done));
}

#[test]
fn themed_elements_are_written_as_given() {
    let elements = vec!["safety_plan".to_string(), "voice".to_string()];
    let text = audits_csv(&allocated(5), month(), &elements, 1);
    assert!(text.starts_with(
        "audit_id,case_id,month,auditor_id,team,service,frame,completed_on,safety_plan,voice,overall,"
    ));
}

fn moderated(
    n: usize,
    seed: u64,
) -> (
    crate::audits::Audits,
    Vec<crate::moderation::Moderation>,
    Vec<String>,
) {
    let text = audits_csv(&allocated(n), month(), &nine(), seed);
    let (audits, _) = read_str(&[("audits.csv", &text)], &Settings::default()).unwrap();
    let inadequate = |a: &crate::audits::Audit| a.overall() == Some(3);
    let chosen = crate::moderation::select(&audits, month(), &inadequate, 0.3, 1, seed);
    let ids: Vec<String> = chosen
        .picks
        .iter()
        .map(|p| audits.list[p.0].audit_id.clone())
        .collect();
    let m = moderation_csv(&text, &ids, seed);
    let csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(m.as_bytes());
    let against = crate::moderation::Against::audits(&audits);
    let (mods, warnings) = crate::moderation::read("moderation.csv", csv, &against, &audits.scale).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    drop(against);
    (audits, mods, ids)
}

#[test]
fn moderation_reads_cleanly_for_the_selected_audits() {
    let (audits, mods, ids) = moderated(60, 5);
    let got: Vec<&str> = mods.iter().map(|m| m.audit_id.as_str()).collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    for m in &mods {
        let a = &audits.list[m.audit.unwrap()];
        assert!(m.moderated_on.unwrap() > a.completed_on.unwrap());
        assert!(m.moderator_id.starts_with("QA"));
    }
    assert!(
        mods.iter().any(|m| !m.regraded.is_empty()),
        "some elements are re-graded"
    );
    let text = audits_csv(&allocated(60), month(), &nine(), 5);
    assert_eq!(moderation_csv(&text, &ids, 5), moderation_csv(&text, &ids, 5));
    assert_eq!(
        moderation_csv(&text, &["nobody".to_string()], 5),
        "audit_id,moderator_id,moderated_on,overall,challenged,note,risk,assessment,plans,voice,family,partners,management,records,impact\n"
    );
}

#[test]
fn moderation_changes_a_realistic_share_mostly_by_one_grade() {
    let (audits, mods, _) = moderated(2000, 9);
    let summary = &crate::moderation::summarise(&audits, &mods, crate::moderation::By::All)[0];
    let pct = summary.pct_changed.unwrap();
    assert!((12.0..=32.0).contains(&pct), "{pct}% changed");
    assert!(
        summary.down > summary.up,
        "moderators are stricter more often: {summary:?}"
    );
    let by_one = mods
        .iter()
        .filter_map(|m| Some(audits.list[m.audit?].overall()?.abs_diff(m.overall?)))
        .filter(|&d| d > 0)
        .fold((0, 0), |(one, all), d| (one + usize::from(d == 1), all + 1));
    assert!(by_one.0 * 10 >= by_one.1 * 8, "{by_one:?}");
    let challenged = summary.pct_challenged.unwrap();
    assert!((3.0..=25.0).contains(&challenged), "{challenged}% challenged");
    let kappa = summary.agreement.kappa_quadratic.unwrap();
    assert!((0.3..0.95).contains(&kappa), "{kappa}");
}
