//! Allocation in plain words: the group of cases that proves the largest load
//! cannot be smaller, and why no complete allocation exists when none does.

use super::{
    AuditorInfo, Bar, Infeasible, Instance, Prepared, Shortfall, barred, normalize, shortfalls, tidy,
};
use crate::values::count;

/// A group that cannot be covered under `caps`. One team's cases make the plainest reason, so the
/// most short team wins; otherwise a minimum-cut group, which always exists when the cap fails.
pub(super) fn bound_group(p: &Instance, prep: &Prepared, caps: &[u32]) -> Option<Shortfall> {
    let mut best: Option<Shortfall> = None;
    for t in 0..prep.open.len() {
        let (mut cases, mut auditors) = (Vec::new(), Vec::new());
        for class in prep.classes.iter().filter(|c| c.team == t) {
            cases.extend(&class.cases);
            auditors.extend(&class.eligible);
        }
        let group = Shortfall::new(cases, auditors, caps);
        if group.short_by > best.as_ref().map_or(0, |b| b.short_by) {
            best = Some(group);
        }
    }
    best.or_else(|| {
        shortfalls(p, prep, caps)?
            .into_iter()
            .max_by_key(|g| (g.short_by, usize::MAX - g.cases[0]))
    })
}

pub(super) fn bound_sentence(p: &Instance, g: &Shortfall, largest: u32) -> String {
    let who = auditor_list(p, &g.auditors);
    // Beside kept cases (a reallocation), the instance's cases are the ones that move.
    let moving = if p.auditors.iter().any(|a| a.base > 0) {
        " moving"
    } else {
        ""
    };
    let subject = if g.cases.len() == p.cases.len() && g.cases.len() > 1 {
        format!("all {}{moving} cases", g.cases.len())
    } else {
        format!(
            "{} from {}",
            count(g.cases.len(), "case"),
            team_phrase(&teams_of(p, &g.cases))
        )
    };
    let k = g.auditors.len();
    let kept: u32 = g.auditors.iter().map(|&a| p.auditors[a].base).sum();
    if k == 1 && kept == 0 {
        format!("{subject} can only go to {who}, who must take {largest}")
    } else if k == 1 {
        format!("{subject} can only go to {who}, who keeps {kept} already and must have {largest} in all")
    } else if kept > 0 {
        let c = g.capacity;
        format!(
            "{subject} can only go to {k} auditors ({who}), who keep {} already and can take only {c} \
             of them without anyone having {largest}: at least one must have {largest}",
            count(kept as usize, "case")
        )
    } else if g.auditors.iter().all(|&a| p.auditors[a].capacity >= largest - 1) {
        format!("{subject} can only go to {k} auditors ({who}): at least one must take {largest}")
    } else {
        let c = g.capacity;
        format!(
            "{subject} can only go to {k} auditors ({who}), who can take only {c} of them without \
             anyone taking {largest}: at least one must take {largest}"
        )
    }
}

/// Why the largest load is what an auditor already keeps (a reallocation).
pub(super) fn kept_sentence(p: &Instance, largest: u32) -> String {
    let keepers: Vec<usize> = (0..p.auditors.len())
        .filter(|&a| p.auditors[a].base >= largest)
        .collect();
    let verb = if keepers.len() == 1 { "keeps" } else { "keep" };
    format!("{} {verb} {largest} already", auditor_list(p, &keepers))
}

pub(super) fn infeasible(p: &Instance, groups: Vec<Shortfall>) -> Infeasible {
    let (empty, groups): (Vec<Shortfall>, Vec<Shortfall>) =
        groups.into_iter().partition(|g| g.auditors.is_empty());
    let mut no_auditor: Vec<(usize, Vec<Bar>)> = (empty.iter().flat_map(|g| &g.cases))
        .map(|&c| {
            let mut bars: Vec<Bar> = p.auditors.iter().filter_map(|a| barred(&p.cases[c], a)).collect();
            bars.sort_unstable();
            bars.dedup();
            (c, bars)
        })
        .collect();
    no_auditor.sort_by_key(|x| x.0);
    Infeasible { no_auditor, groups }
}

impl Infeasible {
    /// How many cases cannot be covered: the least number to defer, or of places to find.
    pub(crate) fn short_by(&self) -> u32 {
        self.no_auditor.len() as u32 + self.groups.iter().map(|g| g.short_by).sum::<u32>()
    }

    /// One line per uncoverable case or group, in the user's terms.
    pub(crate) fn explain(&self, p: &Instance) -> String {
        let active: Vec<&AuditorInfo> = p.auditors.iter().filter(|a| a.active).collect();
        if active.is_empty() {
            let none = if p.auditors.is_empty() {
                "There are no auditors"
            } else {
                "No auditor is active"
            };
            let cases = count(p.cases.len(), "case");
            return format!("{none}, so none of the {cases} can be allocated. Add or reactivate an auditor.");
        }
        let mut lines = Vec::new();
        for (c, bars) in &self.no_auditor {
            let team = tidy(&p.cases[*c].team);
            let phrases: Vec<String> = (bars.iter())
                .filter_map(|b| match b {
                    Bar::Inactive => None,
                    Bar::OwnTeam => Some(format!("is in {team}")),
                    Bar::ManagesTeam => Some("manages it".into()),
                    Bar::IsWorker => Some("is its worker".into()),
                    Bar::AuditedBefore => Some("audited it before".into()),
                })
                .collect();
            let who = match active[..] {
                [only] => format!("the only active auditor, {},", label(only)),
                _ => "every active auditor".into(),
            };
            let (id, why) = (tidy(&p.cases[*c].case_id), join(&phrases, "or"));
            lines.push(format!(
                "case {id} ({team}): {who} {why}. Add an auditor outside {team}, or defer this case."
            ));
        }
        for g in &self.groups {
            let teams = teams_of(p, &g.cases);
            let outside = if teams.len() > 3 {
                "these teams".into()
            } else {
                team_phrase(&teams)
            };
            let capacity = if g.auditors.len() == 1 {
                "capacity"
            } else {
                "combined capacity"
            };
            // In a reallocation the capacity is what is left beside the cases kept.
            let kept: u32 = g.auditors.iter().map(|&a| p.auditors[a].base).sum();
            let beside = if kept > 0 {
                format!(" beside the {} they keep", count(kept as usize, "case"))
            } else {
                String::new()
            };
            lines.push(format!(
                "{} from {} can only be audited by {} ({capacity} {}{beside}): short by {}. Raise a \
                 capacity, add an auditor outside {outside}, or defer {}.",
                count(g.cases.len(), "case"),
                team_phrase(&teams),
                auditor_list(p, &g.auditors),
                g.capacity,
                g.short_by,
                count(g.short_by as usize, "case"),
            ));
        }
        lines.join("\n")
    }
}

fn label(a: &AuditorInfo) -> String {
    if a.id.trim().is_empty() {
        tidy(&a.name)
    } else {
        tidy(&a.id)
    }
}

/// Distinct teams of `cases` as first spelt, in case order.
fn teams_of(p: &Instance, cases: &[usize]) -> Vec<String> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for team in cases.iter().map(|&c| &p.cases[c].team) {
        if !seen.contains(&normalize(team)) {
            seen.push(normalize(team));
            out.push(tidy(team));
        }
    }
    out
}

fn team_phrase(teams: &[String]) -> String {
    if teams.len() > 3 {
        format!("{} teams", teams.len())
    } else {
        join(teams, "and")
    }
}

fn join(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

/// Auditor labels, cut after ten so that the sentence stays readable.
fn auditor_list(p: &Instance, auditors: &[usize]) -> String {
    let labels: Vec<String> = auditors.iter().take(10).map(|&a| label(&p.auditors[a])).collect();
    match auditors.len() {
        k if k > 10 => format!("{} and {} others", labels.join(", "), k - 10),
        _ => labels.join(", "),
    }
}
