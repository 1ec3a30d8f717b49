//! Tracking a month's allocation (for `progress`): which allocated audits have come
//! back, which are outstanding and which are late, the chase list, and the returns
//! that do not match the allocation (read by `layouts::allocation`). Opens no files
//! and prints nothing.

use crate::audits::Audit;
use crate::dates::Month;
use crate::layouts::allocation::Allocated;
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The day audits are due in a month: `day`, or the month's last day when the
/// month is shorter (a due day of 31 means the end of every month).
pub(crate) fn due_date(month: Month, day: u32) -> NaiveDate {
    let first = month.first_day();
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day());
    NaiveDate::from_ymd_opt(month.year, month.month, day.clamp(1, last)).unwrap_or(first)
}

/// Whole days an outstanding audit is late on `as_of` (0 on or before the due date).
pub(crate) fn days_late(due: NaiveDate, as_of: NaiveDate) -> i64 {
    (as_of - due).num_days().max(0)
}

/// One auditor's progress on the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditorProgress {
    pub(crate) auditor_id: String,
    pub(crate) auditor_name: String,
    pub(crate) allocated: u64,
    pub(crate) returned: u64,
    pub(crate) outstanding: u64,
    /// Outstanding after the due date (all of them once it has passed, else 0).
    pub(crate) late: u64,
    /// The outstanding cases, in allocation order.
    pub(crate) cases_outstanding: Vec<String>,
}

/// One outstanding case, for the chase list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chase {
    pub(crate) auditor_id: String,
    pub(crate) auditor_name: String,
    pub(crate) case_id: String,
    pub(crate) team: String,
    pub(crate) days_late: i64,
}

/// What kind of return does not match the allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Mismatch {
    /// The case was not allocated that month.
    NotAllocated,
    /// The case was allocated to someone else.
    WrongAuditor,
    /// The case already has a return this month.
    Duplicate,
}

impl Mismatch {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mismatch::NotAllocated => "not allocated",
            Mismatch::WrongAuditor => "wrong auditor",
            Mismatch::Duplicate => "returned twice",
        }
    }
}

/// A return that does not match the allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Discrepancy {
    pub(crate) kind: Mismatch,
    pub(crate) audit_id: String,
    pub(crate) case_id: String,
    /// Who returned it.
    pub(crate) auditor_id: String,
    /// Who it was allocated to (empty when it was not allocated).
    pub(crate) allocated_to: String,
    /// The audit id of the earlier return (for `Duplicate`).
    pub(crate) first_audit_id: String,
}

impl Discrepancy {
    /// The discrepancy in words, for stderr.
    pub(crate) fn describe(&self, month: Month) -> String {
        match self.kind {
            Mismatch::NotAllocated => format!(
                "audit {} of case {} by {} was returned for {month}, but the case was not allocated that month",
                self.audit_id, self.case_id, self.auditor_id
            ),
            Mismatch::WrongAuditor => format!(
                "audit {} of case {} was returned by {}, but the case was allocated to {} (counted as returned)",
                self.audit_id, self.case_id, self.auditor_id, self.allocated_to
            ),
            Mismatch::Duplicate => format!(
                "audit {} of case {} by {} is a second return for the case this month (first: audit {})",
                self.audit_id, self.case_id, self.auditor_id, self.first_audit_id
            ),
        }
    }
}

/// The month's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Progress {
    pub(crate) due: NaiveDate,
    /// Whether `as_of` is after the due date.
    pub(crate) overdue: bool,
    /// One row per allocated auditor, by auditor id.
    pub(crate) by_auditor: Vec<AuditorProgress>,
    /// One row per outstanding case: by auditor id, then allocation order.
    pub(crate) chase: Vec<Chase>,
    /// In the order the returns were read.
    pub(crate) discrepancies: Vec<Discrepancy>,
}

impl Progress {
    pub(crate) fn total(&self, f: impl Fn(&AuditorProgress) -> u64) -> u64 {
        self.by_auditor.iter().map(f).sum()
    }
}

/// Matches the month's returns to its allocation. A case counts as returned once
/// any audit of it for the month has come back (a return by another auditor than
/// the allocated one is also listed as a discrepancy); returns of other months are
/// ignored.
pub(crate) fn track(
    month: Month,
    allocation: &[Allocated],
    audits: &[Audit],
    due: NaiveDate,
    as_of: NaiveDate,
) -> Progress {
    let index: HashMap<&str, usize> = allocation
        .iter()
        .enumerate()
        .map(|(i, a)| (a.case_id.as_str(), i))
        .collect();
    let mut returned_by: Vec<Option<&Audit>> = vec![None; allocation.len()];
    let mut discrepancies = Vec::new();
    let mut unallocated: HashMap<&str, &Audit> = HashMap::new();
    for audit in audits.iter().filter(|a| a.month == month) {
        let discrepancy = |kind, allocated_to: &str, first: Option<&Audit>| Discrepancy {
            kind,
            audit_id: audit.audit_id.clone(),
            case_id: audit.case_id.clone(),
            auditor_id: audit.auditor_id.clone(),
            allocated_to: allocated_to.to_string(),
            first_audit_id: first.map(|f| f.audit_id.clone()).unwrap_or_default(),
        };
        let Some(&i) = index.get(audit.case_id.as_str()) else {
            match unallocated.get(audit.case_id.as_str()) {
                Some(first) => discrepancies.push(discrepancy(Mismatch::Duplicate, "", Some(first))),
                None => {
                    unallocated.insert(&audit.case_id, audit);
                    discrepancies.push(discrepancy(Mismatch::NotAllocated, "", None));
                }
            }
            continue;
        };
        let allocated = &allocation[i];
        if let Some(first) = returned_by[i] {
            discrepancies.push(discrepancy(
                Mismatch::Duplicate,
                &allocated.auditor_id,
                Some(first),
            ));
            continue;
        }
        returned_by[i] = Some(audit);
        if audit.auditor_id != allocated.auditor_id {
            discrepancies.push(discrepancy(Mismatch::WrongAuditor, &allocated.auditor_id, None));
        }
    }
    let overdue = as_of > due;
    let mut rows: BTreeMap<&str, AuditorProgress> = BTreeMap::new();
    let mut chase = Vec::new();
    for (a, back) in allocation.iter().zip(&returned_by) {
        let row = rows
            .entry(a.auditor_id.as_str())
            .or_insert_with(|| AuditorProgress {
                auditor_id: a.auditor_id.clone(),
                auditor_name: a.auditor_name.clone(),
                allocated: 0,
                returned: 0,
                outstanding: 0,
                late: 0,
                cases_outstanding: Vec::new(),
            });
        if row.auditor_name.is_empty() {
            row.auditor_name.clone_from(&a.auditor_name);
        }
        row.allocated += 1;
        if back.is_some() {
            row.returned += 1;
            continue;
        }
        row.outstanding += 1;
        row.late += u64::from(overdue);
        row.cases_outstanding.push(a.case_id.clone());
        chase.push(Chase {
            auditor_id: a.auditor_id.clone(),
            auditor_name: String::new(),
            case_id: a.case_id.clone(),
            team: a.team.clone(),
            days_late: days_late(due, as_of),
        });
    }
    // Names: the first given for each auditor, on every chase row.
    for c in &mut chase {
        c.auditor_name
            .clone_from(&rows[c.auditor_id.as_str()].auditor_name);
    }
    let order: BTreeSet<&str> = rows.keys().copied().collect();
    let rank: HashMap<&str, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    chase.sort_by_key(|c| rank[c.auditor_id.as_str()]);
    Progress {
        due,
        overdue,
        by_auditor: rows.into_values().collect(),
        chase,
        discrepancies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn month() -> Month {
        "2026-11".parse().unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn allocation(text: &str) -> (Month, Vec<Allocated>) {
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        crate::layouts::allocation::read("allocation.csv", csv).unwrap()
    }

    fn audits(text: &str) -> Vec<Audit> {
        crate::audits::read_str(&[("audits.csv", text)], &Settings::default())
            .unwrap()
            .0
            .list
    }

    const ALLOCATION: &str = "month,case_id,team,auditor_id,auditor_name
2026-11,C1,Team A,TM1,Ann
2026-11,C2,Team A,TM1,Ann
2026-11,C3,Team B,TM2,Bob
2026-11,C4,Team B,TM2,Bob
2026-11,C5,Team C,TM3,Cy
";

    const AUDITS: &str = "audit_id,case_id,month,auditor_id,team,overall
A1,C1,2026-11,TM1,Team A,Good
A3,C3,2026-11,TM9,Team B,Good
A3b,C3,2026-11,TM2,Team B,Good
A9,C9,2026-11,TM3,Team D,Good
A5,C5,2026-10,TM3,Team C,Good
";

    #[test]
    fn due_dates_clamp_to_the_end_of_the_month() {
        assert_eq!(due_date(month(), 20), d(2026, 11, 20));
        assert_eq!(due_date(month(), 31), d(2026, 11, 30));
        assert_eq!(due_date("2027-02".parse().unwrap(), 30), d(2027, 2, 28));
        assert_eq!(due_date("2028-02".parse().unwrap(), 30), d(2028, 2, 29));
        assert_eq!(due_date("2026-12".parse().unwrap(), 31), d(2026, 12, 31));
    }

    #[test]
    fn returned_outstanding_late_and_discrepancies() {
        let (m, alloc) = allocation(ALLOCATION);
        assert_eq!(m, month());
        let list = audits(AUDITS);
        let due = due_date(m, 20);
        let p = track(m, &alloc, &list, due, d(2026, 11, 26));
        assert!(p.overdue);
        let row = |id: &str| p.by_auditor.iter().find(|r| r.auditor_id == id).unwrap();
        // TM1: C1 back, C2 outstanding and 6 days late.
        assert_eq!(
            (
                row("TM1").allocated,
                row("TM1").returned,
                row("TM1").outstanding,
                row("TM1").late
            ),
            (2, 1, 1, 1)
        );
        assert_eq!(row("TM1").cases_outstanding, ["C2"]);
        // TM2: C3 back (by TM9, a discrepancy), C4 outstanding.
        assert_eq!((row("TM2").returned, row("TM2").outstanding), (1, 1));
        // TM3: C5's return is October's, so C5 is still outstanding.
        assert_eq!((row("TM3").returned, row("TM3").outstanding), (0, 1));
        assert_eq!(p.total(|r| r.allocated), 5);
        assert_eq!(p.total(|r| r.returned) + p.total(|r| r.outstanding), 5);
        let chase: Vec<(&str, &str, i64)> = p
            .chase
            .iter()
            .map(|c| (c.auditor_id.as_str(), c.case_id.as_str(), c.days_late))
            .collect();
        assert_eq!(chase, [("TM1", "C2", 6), ("TM2", "C4", 6), ("TM3", "C5", 6)]);
        assert_eq!(p.chase[1].auditor_name, "Bob");
        assert_eq!(p.chase[1].team, "Team B");
        let kinds: Vec<(Mismatch, &str)> = p
            .discrepancies
            .iter()
            .map(|x| (x.kind, x.audit_id.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (Mismatch::WrongAuditor, "A3"),
                (Mismatch::Duplicate, "A3b"),
                (Mismatch::NotAllocated, "A9"),
            ]
        );
        assert!(p.discrepancies[0].describe(m).contains("allocated to TM2"));
        assert!(p.discrepancies[1].describe(m).contains("first: audit A3"));
    }

    #[test]
    fn nothing_is_late_on_or_before_the_due_date() {
        let (m, alloc) = allocation(ALLOCATION);
        let due = due_date(m, 20);
        let p = track(m, &alloc, &[], due, d(2026, 11, 20));
        assert!(!p.overdue);
        assert_eq!(p.total(|r| r.late), 0);
        assert_eq!(p.total(|r| r.outstanding), 5);
        assert!(p.chase.iter().all(|c| c.days_late == 0));
        assert_eq!(days_late(due, d(2026, 11, 21)), 1);
        assert_eq!(days_late(due, d(2026, 11, 1)), 0);
    }

    #[test]
    fn allocation_errors_are_located() {
        let bad = "month,case_id,auditor_id
2026-11,C1,TM1
2026-12,C2,TM1
2026-11,C1,TM2
2026-11,,TM2
Nov,C5,TM2
2026-11,C6,
";
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bad.as_bytes());
        let problems = crate::layouts::allocation::read("a.csv", csv).unwrap_err();
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 5, "{shown:#?}");
        assert!(shown[0].starts_with(
            "a.csv:3: column \"month\": 2026-12 is not the allocation's month (2026-11, from line 2)"
        ));
        assert!(
            shown[1]
                .contains("a.csv:4: column \"case_id\": case \"C1\" is allocated twice (first on line 2)")
        );
        assert!(shown[2].contains("a.csv:5: column \"case_id\": case id is blank"));
        assert!(shown[3].contains("a.csv:6: column \"month\": \"Nov\" is not a month"));
        assert!(shown[4].contains("a.csv:7: column \"auditor_id\": case \"C6\" has no auditor"));
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader("case_id,team\nC1,T\n".as_bytes());
        let missing = crate::layouts::allocation::read("a.csv", csv).unwrap_err();
        assert_eq!(missing.len(), 2);
    }
}
