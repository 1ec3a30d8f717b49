//! Rows that share a case id, folded into one case.
//!
//! Case management systems export one row per episode (or per assessment factor,
//! or per worker), so a case id repeats. Such rows are one case, which takes:
//!
//! - its dates and status from its *current* episode: the row with the latest
//!   start date; on a tie the open one, then the one with the later end date,
//!   then the one whose text sorts last byte by byte (so that a shuffled file
//!   folds the same);
//! - every other single value from the current episode too, or, where that row
//!   leaves it blank, from the next row in the same order that has one (a row
//!   without a team never hides the team of another);
//! - in a list column (risk factors, and any other heading that means them) the
//!   items of every row, each once, the current episode's first;
//! - the line of its current episode, for messages, and the number of rows
//!   folded (the derived field `episodes`).
//!
//! Nothing here depends on the order of the rows, only on their contents.

use super::merge::Extract;
use super::reader::no_team;
use super::row::{CaseRow, status_of};
use super::schema::Schema;
use super::standard::{Std, headings_of};
use crate::values::{counted, header_key, is_missing, list_items};
use std::cmp::Ordering;
use std::collections::HashMap;

/// What folding did: the rows that shared a case id, and the cases they made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Folding {
    pub(crate) rows: u64,
    pub(crate) cases: u64,
}

impl Folding {
    /// The note users read, or `None` when no case id repeated.
    pub(crate) fn note(self, file: &str) -> Option<String> {
        (self.rows > 0).then(|| {
            format!(
                "{file}: {} are the episodes of {}: rows that share a case id are read as one case, with the dates, team and worker of its latest episode ([extract] repeated_ids = \"error\" refuses them)",
                counted(self.rows, "row", "rows"),
                counted(self.cases, "case", "cases")
            )
        })
    }
}

/// How a column is folded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// From the current episode only: the case id, dates and status.
    Current,
    /// Every row's items, each once.
    List,
    /// The current episode's value, or the next row's that has one.
    FirstGiven,
}

/// Folds the rows of `extract` (read from `file`) that share a case id into one
/// row a case, in the order each case id first appears, and warns of each case
/// that has no team in any row (when `warn_no_team`).
pub(crate) fn fold(file: &str, mut extract: Extract, warn_no_team: bool) -> (Extract, Folding) {
    let schema = &extract.schema;
    let warn_no_team = warn_no_team && schema.col(Std::Team).is_some();
    let id_col = schema.col(Std::CaseId).expect("case_id is required");
    let rules = rules(schema);
    let rows = std::mem::take(&mut extract.rows);
    // Each row's case, numbered in the order case ids first appear.
    let mut case_of = Vec::with_capacity(rows.len());
    let mut cases: HashMap<&str, u32> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let next = cases.len() as u32;
        case_of.push(*cases.entry(row.get(id_col).unwrap_or("")).or_insert(next));
    }
    let n_cases = cases.len();
    drop(cases);
    // Row numbers grouped by case (a counting sort: each case's rows in file order).
    let mut starts = vec![0u32; n_cases + 1];
    for &c in &case_of {
        starts[c as usize + 1] += 1;
    }
    for i in 0..n_cases {
        starts[i + 1] += starts[i];
    }
    let mut fill = starts.clone();
    let mut order = vec![0u32; rows.len()];
    for (i, &c) in case_of.iter().enumerate() {
        order[fill[c as usize] as usize] = i as u32;
        fill[c as usize] += 1;
    }
    // The rows in case order, so that each case is a slice of them.
    let mut rows: Vec<Option<CaseRow>> = rows.into_iter().map(Some).collect();
    let mut grouped: Vec<CaseRow> = order
        .iter()
        .map(|&i| rows[i as usize].take().expect("each row is in one case"))
        .collect();
    drop(rows);
    // The cases in two halves, the second on another thread where there are many.
    let mid = if n_cases >= PARALLEL_CASES {
        n_cases / 2
    } else {
        n_cases
    };
    let (first, second) = grouped.split_at_mut(starts[mid] as usize);
    let (mut folded, mut folding, more) = std::thread::scope(|scope| {
        let later =
            (mid < n_cases).then(|| scope.spawn(|| fold_cases(schema, &rules, second, &starts[mid..])));
        let (folded, folding) = fold_cases(schema, &rules, first, &starts[..=mid]);
        let more = later.map(|t| t.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        (folded, folding, more)
    });
    drop(grouped);
    if let Some((rows, more)) = more {
        folded.extend(rows);
        folding.rows += more.rows;
        folding.cases += more.cases;
    }
    for row in &folded {
        if warn_no_team && row.cell(schema.col(Std::Team)).is_none() {
            let id = row.get(id_col).unwrap_or("");
            extract.warnings.push(no_team(file, row.line, schema, id));
        }
    }
    extract.warnings.sort_by_key(|p| p.line);
    extract.rows = folded;
    (extract, folding)
}

/// Cases from which the two halves are folded on two threads.
const PARALLEL_CASES: usize = 1 << 14;

/// Folds the cases of `rows`, grouped by case: case `c` is the rows from
/// `starts[c] - starts[0]` up to the next case's start.
fn fold_cases(
    schema: &Schema,
    rules: &[Rule],
    rows: &mut [CaseRow],
    starts: &[u32],
) -> (Vec<CaseRow>, Folding) {
    let base = starts[0] as usize;
    let mut folding = Folding::default();
    let folded = starts
        .windows(2)
        .map(|w| {
            let group = &mut rows[w[0] as usize - base..w[1] as usize - base];
            if let [only] = group {
                return std::mem::take(only);
            }
            folding.rows += group.len() as u64;
            folding.cases += 1;
            fold_case(schema, rules, group)
        })
        .collect();
    (folded, folding)
}

/// How each column of `schema` is folded.
fn rules(schema: &Schema) -> Vec<Rule> {
    let list_headings: Vec<String> = headings_of(Std::RiskFactors).collect();
    let current = [Std::CaseId, Std::StartDate, Std::EndDate, Std::Status].map(|s| schema.col(s));
    (0..schema.headers.len())
        .map(|col| {
            if current.contains(&Some(col)) {
                Rule::Current
            } else if schema.col(Std::RiskFactors) == Some(col)
                || list_headings.contains(&header_key(&schema.headers[col]))
            {
                Rule::List
            } else {
                Rule::FirstGiven
            }
        })
        .collect()
}

/// Which of two rows of a case is the more current episode (`Greater`: `a`).
fn rank(schema: &Schema, a: &CaseRow, b: &CaseRow) -> Ordering {
    let open = |r: &CaseRow| status_of(schema, r) == "open";
    a.start
        .cmp(&b.start)
        .then_with(|| open(a).cmp(&open(b)))
        .then_with(|| a.end.cmp(&b.end))
        .then_with(|| a.text.as_bytes().cmp(b.text.as_bytes()))
}

/// A row's cell, `""` where the row is short.
fn cell_of(row: &CaseRow, col: usize) -> &str {
    row.get(col).unwrap_or("")
}

/// One row made of a case's rows (two or more).
fn fold_case(schema: &Schema, rules: &[Rule], group: &mut [CaseRow]) -> CaseRow {
    group.sort_by(|a, b| rank(schema, b, a));
    let current = &group[0];
    let dob_col = schema.col(Std::Dob);
    let mut dob = current.dob;
    let cells: Vec<String> = rules
        .iter()
        .enumerate()
        .map(|(col, rule)| {
            let cell = |r| cell_of(r, col);
            match rule {
                Rule::Current => cell(current).to_string(),
                Rule::FirstGiven => match group.iter().find(|r| !is_missing(cell(r))) {
                    Some(given) => {
                        if Some(col) == dob_col {
                            dob = given.dob;
                        }
                        cell(given).to_string()
                    }
                    None => cell(current).to_string(),
                },
                Rule::List => {
                    let mut items: Vec<&str> = Vec::new();
                    for r in group.iter() {
                        for item in list_items(cell(r)).filter(|i| !is_missing(i)) {
                            if !items.iter().any(|x| x.eq_ignore_ascii_case(item)) {
                                items.push(item);
                            }
                        }
                    }
                    if items.is_empty() {
                        cell(current).to_string()
                    } else {
                        items.join("; ")
                    }
                }
            }
        })
        .collect();
    let mut row = CaseRow::from_cells(&cells, current.line);
    (row.start, row.end, row.dob) = (current.start, current.end, dob);
    row.episodes = group.len() as u32;
    row
}
