//! The audit history, or ledger (README.md#history-the-audit-ledger): one row per audit allocated in a past
//! month, used to exclude recently audited cases and to rotate auditors. A row a corrected
//! allocation replaced stays, marked with the day (`replaced_on`), and counts for nothing else.

use crate::layouts::headings::{Headings, Mapping};
use crate::layouts::reader::{RecordReader, present};

use crate::dates::{Month, date_problem, parse_date};
use crate::problem::Problem;
use chrono::NaiveDate;
use std::io::Read;

pub(crate) const HEADER: [&str; 5] = ["month", "case_id", "team", "auditor_id", "frame"];

/// Every field a history may have: [`HEADER`]'s, a note `record` writes on a row
/// recorded despite a rule (`--override`), and the day a row was replaced by a
/// corrected allocation (`--replace`).
pub(crate) const FIELDS: [&str; 7] = [
    "month",
    "case_id",
    "team",
    "auditor_id",
    "frame",
    "note",
    "replaced_on",
];

/// The history's fields, and the headings a ledger kept by hand often has.
pub(crate) const HEADINGS: Headings = Headings {
    section: "history",
    fields: &FIELDS,
    aliases: &[
        ("Audit Month", "month"),
        ("Month Audited", "month"),
        ("Person ID", "case_id"),
        ("Child ID", "case_id"),
        ("Case Reference", "case_id"),
        ("Team Name", "team"),
        ("Auditor", "auditor_id"),
        ("Staff ID", "auditor_id"),
        ("Sampling Frame", "frame"),
        ("Sample Frame", "frame"),
    ],
    required: &["month", "case_id", "auditor_id"],
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) month: Month,
    pub(crate) case_id: String,
    pub(crate) team: String,
    pub(crate) auditor_id: String,
    pub(crate) frame: String,
    /// Why the row was recorded despite a rule; blank for nearly every row.
    pub(crate) note: String,
    /// The day a corrected allocation replaced the row: it stays in the ledger as a
    /// record, and no command counts it as an audit.
    pub(crate) replaced_on: Option<NaiveDate>,
    pub(crate) line: u64,
}

/// Reads and checks a history file, its headings mapped by `columns`
/// (`[history.columns]`): every row needs a month (`YYYY-MM`), a case id and an
/// auditor id. Rows marked replaced are left out: they were never audits.
pub(crate) fn read<R: Read>(
    file: &str,
    csv: csv::Reader<R>,
    columns: &Mapping,
) -> Result<Vec<Entry>, Vec<Problem>> {
    let mut entries = read_ledger(file, csv, columns)?;
    entries.retain(|e| e.replaced_on.is_none());
    Ok(entries)
}

/// Every row of the ledger, replaced ones too (for `record`, which rewrites it).
pub(crate) fn read_ledger<R: Read>(
    file: &str,
    csv: csv::Reader<R>,
    columns: &Mapping,
) -> Result<Vec<Entry>, Vec<Problem>> {
    let mut reader = RecordReader::new(file, csv).map_err(|p| vec![p])?;
    let cols = reader.resolve(&HEADINGS, columns)?.cols;
    let mut problems = Vec::new();
    let heading = |i: usize| cols[i].map(|c| reader.headers[c].clone());
    let headings: Vec<Option<String>> = (0..HEADER.len()).map(heading).collect();
    let mut entries = Vec::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = reader.next_good(&mut rec, &mut problems) {
        let month = match present(&rec, cols[0]).map(str::parse::<Month>) {
            Some(Ok(m)) => m,
            Some(Err(message)) => {
                problems.push(Problem::error(file, Some(line), headings[0].as_deref(), message));
                continue;
            }
            None => {
                problems.push(Problem::error(
                    file,
                    Some(line),
                    headings[0].as_deref(),
                    "month is blank",
                ));
                continue;
            }
        };
        let (Some(case_id), Some(auditor_id)) = (present(&rec, cols[1]), present(&rec, cols[3])) else {
            let which = if present(&rec, cols[1]).is_none() { 1 } else { 3 };
            problems.push(Problem::error(
                file,
                Some(line),
                headings[which].as_deref(),
                "is blank",
            ));
            continue;
        };
        let replaced_on = match present(&rec, cols[6]) {
            None => None,
            Some(text) => match parse_date(text) {
                Some(day) => Some(day),
                None => {
                    let heading = cols[6].map(|c| reader.headers[c].clone());
                    problems.push(Problem::error(
                        file,
                        Some(line),
                        heading.as_deref(),
                        date_problem(text),
                    ));
                    continue;
                }
            },
        };
        entries.push(Entry {
            month,
            case_id: case_id.to_string(),
            team: present(&rec, cols[2]).unwrap_or("").to_string(),
            auditor_id: auditor_id.to_string(),
            frame: present(&rec, cols[4]).unwrap_or("").to_string(),
            note: present(&rec, cols[5]).unwrap_or("").to_string(),
            replaced_on,
            line,
        });
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems)
    }
}
