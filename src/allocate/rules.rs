//! The rules of independence checked on an allocation made or edited by hand:
//! every row of it, wherever it enters (`record`, `validate`), against the same
//! bars `allocate` keeps ([`barred`]).

use super::{AuditorInfo, Bar, CaseInfo, barred};
use crate::dates::Month;
use crate::layouts::allocation::Allocated;
use crate::layouts::auditors::Auditor;
use crate::layouts::history::Entry;

/// One row of an allocation that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Breach {
    /// The row's index in the allocation.
    pub(crate) row: usize,
    pub(crate) bar: Bar,
}

impl Breach {
    /// The breach in words, for a problem on the row's line.
    pub(crate) fn describe(&self, row: &Allocated) -> String {
        let who = if row.auditor_name.is_empty() {
            format!("auditor \"{}\"", row.auditor_id)
        } else {
            format!("auditor \"{}\" ({})", row.auditor_id, row.auditor_name)
        };
        format!(
            "case \"{}\" (team \"{}\"): {who} {}",
            row.case_id, row.team, self.bar
        )
    }
}

/// Every row of `rows` (one month's allocation) that breaks a rule: the auditor
/// works in or manages the case's team, is its worker, or audited it in an
/// earlier month. What the allocation says of its auditors (team, name) is
/// checked, and, where given, what the auditors list says (team, managed teams)
/// and the history's earlier months.
pub(crate) fn breaches(
    month: Month,
    rows: &[Allocated],
    auditors: Option<&[Auditor]>,
    history: &[Entry],
) -> Vec<Breach> {
    let mut found = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let listed = auditors.and_then(|list| list.iter().find(|a| a.id == row.auditor_id));
        let case = CaseInfo {
            case_id: row.case_id.clone(),
            team: row.team.clone(),
            worker: (!row.worker.is_empty()).then(|| row.worker.clone()),
            previous_auditors: history
                .iter()
                .filter(|e| e.month < month && e.case_id == row.case_id)
                .map(|e| e.auditor_id.clone())
                .collect(),
        };
        // The allocation's own account of the auditor, then the list's.
        let mut teams = vec![row.auditor_team.clone()];
        let mut names = vec![row.auditor_name.clone()];
        let mut manages = Vec::new();
        if let Some(a) = listed {
            teams.push(a.team.clone());
            names.push(a.name.clone());
            manages.clone_from(&a.manages);
        }
        let mut bars = Vec::new();
        for team in &teams {
            for name in &names {
                let auditor = AuditorInfo {
                    id: row.auditor_id.clone(),
                    name: name.clone(),
                    team: team.clone(),
                    active: true,
                    manages: manages.clone(),
                    capacity: 1,
                    recent_teams: Vec::new(),
                    base: 0,
                };
                bars.extend(barred(&case, &auditor));
            }
        }
        if let Some(bar) = bars.into_iter().min() {
            found.push(Breach { row: i, bar });
        }
    }
    found
}

/// A team an auditor belongs to or manages, as the auditors list writes it, that
/// is no team of the cases: the rules compare team names exactly, so `North CIN`
/// does not keep its auditor from `North CIN Team`'s cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TeamMiss {
    /// The auditor's index in the list.
    pub(crate) auditor: usize,
    /// `team` or `manages`.
    pub(crate) field: &'static str,
    pub(crate) written: String,
    /// The known team it most likely means: one it nearly matches, else the
    /// nearest by spelling when at least half of it is spelled the same.
    pub(crate) nearest: Option<String>,
    /// Whether it nearly matches `nearest` (likely the same team mistyped).
    pub(crate) near: bool,
}

/// The auditors' teams and managed teams that match no team in `known` but
/// nearly match one. For when `known` is not every team (the teams of a sample's
/// cases and of the history): a team that is merely not there is no mistake.
pub(crate) fn team_misses(auditors: &[Auditor], known: &[String]) -> Vec<TeamMiss> {
    unknown_teams(auditors, known)
        .into_iter()
        .filter(|m| m.near)
        .collect()
}

/// Every team of the auditors (theirs and those they manage) that matches no
/// team in `known`, with the nearest known team: for when `known` is every team
/// (those of an extract).
pub(crate) fn unknown_teams(auditors: &[Auditor], known: &[String]) -> Vec<TeamMiss> {
    let keys: Vec<String> = known.iter().map(|t| super::normalize(t)).collect();
    let mut misses = Vec::new();
    for (i, a) in auditors.iter().enumerate() {
        let written = std::iter::once(("team", &a.team)).chain(a.manages.iter().map(|m| ("manages", m)));
        for (field, team) in written {
            let key = super::normalize(team);
            if key.is_empty() || keys.contains(&key) {
                continue;
            }
            let near = keys.iter().position(|k| looks_like(&key, k));
            // Else the closest by spelling, if it is at least half spelled the same.
            let nearest = near.or_else(|| {
                let edits = |k: usize| crate::values::edits(&key, &keys[k]);
                (0..keys.len())
                    .min_by_key(|&k| (edits(k), k))
                    .filter(|&k| 2 * edits(k) <= key.len().max(keys[k].len()))
            });
            misses.push(TeamMiss {
                auditor: i,
                field,
                written: team.clone(),
                nearest: nearest.map(|at| known[at].clone()),
                near: near.is_some(),
            });
        }
    }
    misses
}

/// Whether two different team names (normalised) are likely one team: one holds
/// the other as whole words (`north cin` in `north cin team`), or they are a
/// letter or two apart (at most one in four). Names that differ only in a number or a one-letter
/// word are told apart: `locality unit 1` and `locality unit 5`, `team a` and
/// `team b` are different teams.
fn looks_like(a: &str, b: &str) -> bool {
    let (words_a, words_b): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    let identifier = |w: &str| w.chars().count() == 1 || w.chars().all(|c| c.is_ascii_digit());
    let numbered = |x: &[&str], y: &[&str]| {
        x.len() == y.len()
            && x.iter()
                .zip(y)
                .filter(|(p, q)| p != q)
                .all(|(p, q)| identifier(p) && identifier(q))
    };
    if numbered(&words_a, &words_b) {
        return false;
    }
    let within = |short: &str, long: &str| {
        short.len() >= 3
            && long
                .split(' ')
                .collect::<Vec<_>>()
                .windows(short.split(' ').count())
                .any(|w| w.join(" ") == short)
    };
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if within(short, long) {
        return true;
    }
    // A slip of the keyboard: at most one letter in four different (`south` is
    // not a mistyped `north`).
    short.len() >= 4 && 4 * crate::values::edits(a, b) <= short.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auditor(team: &str, manages: &[&str]) -> Auditor {
        Auditor {
            id: "A1".into(),
            name: "Zoe Able".into(),
            team: team.into(),
            role: String::new(),
            capacity: None,
            active: true,
            manages: manages.iter().map(|m| (*m).to_string()).collect(),
            email: String::new(),
            line: 2,
        }
    }

    #[test]
    fn near_team_names_are_found_and_exact_or_unrelated_ones_are_not() {
        let known: Vec<String> = ["North CIN Team", "Locality Unit 1", "Duty Team 2"]
            .map(String::from)
            .to_vec();
        let misses = team_misses(
            &[
                auditor(
                    "North CIN",
                    &["Locality  unit 1", "Locality Unit 11", "Fostering"],
                ),
                auditor("Duty Team 3", &[]),
                auditor("Adoption", &[]),
            ],
            &known,
        );
        let got: Vec<(&str, &str, Option<&str>)> = misses
            .iter()
            .map(|m| (m.field, m.written.as_str(), m.nearest.as_deref()))
            .collect();
        // Numbered teams are told apart: Duty Team 3 may hold no sampled case.
        assert_eq!(got, [("team", "North CIN", Some("North CIN Team"))]);
        // Against every team (an extract's), each unknown one is named with the nearest.
        let unknown = unknown_teams(
            &[
                auditor("North CIN", &["Locality Unit 11", "Fostering"]),
                auditor("Duty Team 3", &[]),
            ],
            &known,
        );
        let got: Vec<(&str, Option<&str>, bool)> = unknown
            .iter()
            .map(|m| (m.written.as_str(), m.nearest.as_deref(), m.near))
            .collect();
        assert_eq!(
            got,
            [
                ("North CIN", Some("North CIN Team"), true),
                ("Locality Unit 11", Some("Locality Unit 1"), false),
                ("Fostering", None, false),
                ("Duty Team 3", Some("Duty Team 2"), false),
            ]
        );
        assert!(
            unknown_teams(&[auditor("Adoption", &[])], &[])
                .iter()
                .all(|m| m.nearest.is_none())
        );
    }

    #[test]
    fn names_differing_in_a_number_or_letter_are_different_teams() {
        for (a, b) in [
            ("locality unit 1", "locality unit 5"),
            ("team a", "team b"),
            ("duty 2 east", "duty 3 east"),
        ] {
            assert!(!looks_like(a, b), "{a} / {b}");
        }
        for (a, b) in [
            ("north cin", "north cin team"),
            ("locality unti 1", "locality unit 1"),
            ("nroth cin", "north cin"),
            ("fostring", "fostering"),
        ] {
            assert!(looks_like(a, b), "{a} / {b}");
        }
        for (a, b) in [("south", "north"), ("east", "west")] {
            assert!(!looks_like(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn a_worker_written_last_name_first_is_the_auditor() {
        let case = CaseInfo {
            case_id: "C1".into(),
            team: "T".into(),
            worker: Some("Able,  Zoe".into()),
            previous_auditors: Vec::new(),
        };
        let auditor = AuditorInfo {
            id: "A1".into(),
            name: "Zoe Able".into(),
            team: "U".into(),
            active: true,
            ..AuditorInfo::default()
        };
        assert_eq!(barred(&case, &auditor), Some(Bar::IsWorker));
        // The solver keeps the same bar: the only other auditor takes the case.
        let other = AuditorInfo {
            id: "A2".into(),
            name: "Yan Best".into(),
            team: "U".into(),
            active: true,
            capacity: 5,
            ..AuditorInfo::default()
        };
        let instance = crate::allocate::Instance {
            cases: vec![case],
            auditors: vec![
                AuditorInfo {
                    capacity: 5,
                    ..auditor
                },
                other,
            ],
            seed: 1,
        };
        let solved = crate::allocate::solve(&instance).expect("A2 may take it");
        assert_eq!(solved.auditor_of, [1]);
    }
}
