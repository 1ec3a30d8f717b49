//! The escalations section: this month's escalations listed, and the actions
//! still overdue — counted by team and by how long overdue in the whole
//! service's report, listed in a team pack or with `report --actions all`. No I/O.

use super::{Block, Inputs, Section};
use crate::actions::{self, ActionRow, Status};
use crate::audits::Audit;
use crate::dates::format_date;
use crate::render::Cell;
use std::collections::BTreeMap;

/// How long an action has been overdue, in days past its due date: the upper
/// bound of each band (inclusive) and its heading; the last band is open-ended.
const AGE_BANDS: [(i64, &str); 3] = [
    (30, "up to 30 days"),
    (90, "31 to 90 days"),
    (i64::MAX, "over 90 days"),
];

pub(super) fn section(inputs: &Inputs<'_>, keep: &dyn Fn(&Audit) -> bool) -> Section {
    let list = actions::list(inputs.audits, keep, inputs.as_of, false);
    let this_month = |r: &&ActionRow<'_>| r.audit.month == inputs.month && !r.escalate.is_empty();
    let overdue = |r: &&ActionRow<'_>| r.status == Status::Overdue;
    // The whole service's report counts the overdue actions; a team pack, for the
    // team's managers, or a report asked for every action, lists them.
    let list_overdue = inputs.team.is_some() || inputs.all_actions;
    let listed: Vec<&ActionRow<'_>> = list
        .iter()
        .filter(|r| this_month(r) || (list_overdue && overdue(r)))
        .collect();
    let mut blocks = Vec::new();
    if listed.is_empty() {
        blocks.push(Block::Para(if list_overdue {
            "No escalations this month and no overdue actions.".into()
        } else {
            "No escalations this month.".into()
        }));
    } else {
        let caption = if list_overdue {
            "This month's escalations (worst overall grade, safeguarding concerns) and every overdue action"
        } else {
            "This month's escalations (worst overall grade, safeguarding concerns)"
        };
        blocks.push(listing(inputs, caption, &listed));
    }
    if !list_overdue {
        let overdue: Vec<&ActionRow<'_>> = list.iter().filter(overdue).collect();
        blocks.push(if overdue.is_empty() {
            Block::Para("No overdue actions.".into())
        } else {
            summary(inputs, &overdue)
        });
    }
    Section {
        id: "escalations",
        title: "Escalations and overdue actions".into(),
        blocks,
    }
}

/// One row an action.
fn listing(inputs: &Inputs<'_>, caption: &str, rows: &[&ActionRow<'_>]) -> Block {
    // A board paper may be published: the whole service's report names no case
    // unless asked (`--ids`), or by a keyed pseudonym (`--redact`). A team pack,
    // for the team's managers, names its cases.
    let case_column = inputs.team.is_some() || inputs.ids || inputs.redact.is_some();
    // The elements the auditor graded at the worst grade: what the escalation is about.
    let worst = inputs.audits.scale.worst();
    let elements = |a: &Audit| -> String {
        let layout = &inputs.audits.layout;
        (1..layout.elements.len())
            .filter(|&i| a.grade(i) == Some(worst))
            .map(|i| layout.elements[i].short())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rows = rows
        .iter()
        .map(|r| {
            let a = r.audit;
            let case = match inputs.redact {
                Some(key) => crate::privacy::pseudonym(key, &a.case_id),
                None => a.case_id.clone(),
            };
            let mut row = vec![
                Cell::text(&a.audit_id),
                Cell::text(case),
                Cell::text(&a.team),
                Cell::text(r.escalate.replace(';', ", ")),
                Cell::text(elements(a)),
                Cell::text(&a.action),
                Cell::text(&a.action_owner),
                Cell::text(a.action_due.map(format_date).unwrap_or_default()),
                Cell::text(r.status.name()),
            ];
            if !case_column {
                row.remove(1);
            }
            row
        })
        .collect();
    let graded = format!(
        "elements graded {}",
        inputs.audits.scale.label(worst).to_lowercase()
    );
    let mut columns: Vec<String> = [
        "audit", "case", "team", "escalate", &graded, "action", "owner", "due", "status",
    ]
    .map(String::from)
    .to_vec();
    if !case_column {
        columns.remove(1);
    }
    Block::Table {
        caption: caption.into(),
        columns,
        rows,
    }
}

/// The overdue actions counted by team and by how long overdue.
fn summary(inputs: &Inputs<'_>, overdue: &[&ActionRow<'_>]) -> Block {
    let mut by_team: BTreeMap<&str, [u64; AGE_BANDS.len()]> = BTreeMap::new();
    for r in overdue {
        let days = r
            .audit
            .action_due
            .map_or(0, |due| (inputs.as_of - due).num_days());
        let band = AGE_BANDS
            .iter()
            .position(|(upto, _)| days <= *upto)
            .unwrap_or(AGE_BANDS.len() - 1);
        by_team.entry(r.audit.team.as_str()).or_default()[band] += 1;
    }
    let mut totals = [0u64; AGE_BANDS.len()];
    let mut rows: Vec<Vec<Cell>> = by_team
        .iter()
        .map(|(team, counts)| {
            let mut row = vec![Cell::text(*team)];
            for (t, &c) in totals.iter_mut().zip(counts) {
                *t += c;
                row.push(Cell::from(c));
            }
            row.push(Cell::from(counts.iter().sum::<u64>()));
            row
        })
        .collect();
    let mut total_row = vec![Cell::text("all teams")];
    total_row.extend(totals.iter().map(|&c| Cell::from(c)));
    total_row.push(Cell::from(totals.iter().sum::<u64>()));
    rows.push(total_row);
    let mut columns = vec!["team".to_string()];
    columns.extend(AGE_BANDS.iter().map(|(_, h)| format!("overdue {h}")));
    columns.push("total".into());
    Block::Table {
        caption: format!(
            "Overdue actions by team and how long overdue, as of {} (listed in the team packs, or with --actions all)",
            format_date(inputs.as_of)
        ),
        columns,
        rows,
    }
}
