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
