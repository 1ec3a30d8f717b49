//! Actions and escalations raised by audits (README.md#summaries-of-completed-audits): each action's
//! status against the reference date, what must be escalated (the worst overall
//! grade, a safeguarding concern), and the order a manager reads them in. No I/O.

use crate::audits::{Audit, Audits};
use chrono::NaiveDate;

/// Where an action stands on the reference date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    Overdue,
    Open,
    Done,
}

impl Status {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Status::Overdue => "overdue",
            Status::Open => "open",
            Status::Done => "done",
        }
    }

    /// Done if marked done; overdue once the due date has passed (due today is still open).
    pub(crate) fn of(audit: &Audit, as_of: NaiveDate) -> Status {
        if audit.action_done {
            Status::Done
        } else if audit.action_due.is_some_and(|due| due < as_of) {
            Status::Overdue
        } else {
            Status::Open
        }
    }
}

/// One line of the actions list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ActionRow<'a> {
    pub(crate) audit: &'a Audit,
    pub(crate) status: Status,
    /// Why the audit must be escalated, `;`-separated (`inadequate`, `safeguarding`); empty if not.
    pub(crate) escalate: String,
}

/// Every audit with an action or a reason to escalate: escalations first, then
/// overdue, open and done actions, then by due date (none last), then audit id.
pub(crate) fn list<'a>(
    audits: &'a Audits,
    keep: &dyn Fn(&Audit) -> bool,
    as_of: NaiveDate,
    overdue_only: bool,
) -> Vec<ActionRow<'a>> {
    let worst = audits.scale.worst();
    let worst_name = audits.scale.column_name(worst);
    let mut rows: Vec<ActionRow<'a>> = audits
        .list
        .iter()
        .filter(|a| keep(a))
        .filter_map(|a| {
            let mut reasons = Vec::new();
            if a.overall() == Some(worst) {
                reasons.push(worst_name.as_str());
            }
            if a.safeguarding_concern {
                reasons.push("safeguarding");
            }
            if a.action.is_empty() && reasons.is_empty() {
                return None;
            }
            let status = Status::of(a, as_of);
            if overdue_only && status != Status::Overdue {
                return None;
            }
            Some(ActionRow {
                audit: a,
                status,
                escalate: reasons.join(";"),
            })
        })
        .collect();
    rows.sort_by(|x, y| {
        let key = |r: &ActionRow<'a>| {
            (
                r.escalate.is_empty(),
                r.status,
                r.audit.action_due.is_none(),
                r.audit.action_due,
            )
        };
        key(x)
            .cmp(&key(y))
            .then_with(|| x.audit.audit_id.cmp(&y.audit.audit_id))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audits::read_str;
    use crate::config::Settings;

    fn d(s: &str) -> NaiveDate {
        crate::dates::parse_date(s).unwrap()
    }

    const HEADER: &str = "audit_id,case_id,month,auditor_id,team,overall,action,action_owner,action_due,action_done,safeguarding_concern";

    fn audits(rows: &str) -> Audits {
        read_str(&[("a.csv", &format!("{HEADER}\n{rows}"))], &Settings::default())
            .unwrap()
            .0
    }

    fn ids(rows: &[ActionRow<'_>]) -> Vec<String> {
        rows.iter()
            .map(|r| format!("{} {} {}", r.audit.audit_id, r.status.name(), r.escalate))
            .collect()
    }

    #[test]
    fn escalations_first_then_overdue_then_due_date() {
        let a = audits(
            "A1,C1,2026-10,T1,X,Good,Chase GP,TM,2026-12-20,,\n\
             A2,C2,2026-10,T1,X,Good,Update plan,TM,2026-11-01,,\n\
             A3,C3,2026-10,T1,X,Inadequate,Strategy meeting,HoS,2026-12-01,,\n\
             A4,C4,2026-10,T1,X,Good,,,,,yes\n\
             A5,C5,2026-10,T1,X,RI,Chronology,SW,2026-11-10,yes,\n\
             A6,C6,2026-10,T1,X,Good,Supervision,TM,,,\n\
             A7,C7,2026-10,T1,X,Good,,,,,\n\
             A8,C8,2026-10,T1,X,I,Review CP plan,TM,2026-11-20,no,yes\n\
             A9,C9,2026-10,T1,X,Good,Visit,SW,2026-11-26,,\n",
        );
        let rows = list(&a, &|_| true, d("2026-11-26"), false);
        assert_eq!(
            ids(&rows),
            [
                "A8 overdue inadequate;safeguarding",
                "A3 open inadequate",
                "A4 open safeguarding",
                "A2 overdue ",
                "A9 open ",
                "A1 open ",
                "A6 open ",
                "A5 done ",
            ]
        );
        let overdue = list(&a, &|_| true, d("2026-11-26"), true);
        assert_eq!(
            ids(&overdue),
            ["A8 overdue inadequate;safeguarding", "A2 overdue "]
        );
    }

    #[test]
    fn done_may_be_a_date() {
        let a = audits("A1,C1,2026-10,T1,X,Good,Chase GP,TM,2026-11-01,2026-11-03,\n");
        assert_eq!(
            list(&a, &|_| true, d("2026-11-26"), false)[0].status,
            Status::Done
        );
    }
}
