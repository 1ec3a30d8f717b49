//! A whole extract in memory, and merging several files per case id.

use super::episodes::{self, Folding};
use super::reader::ExtractReader;
use super::records::Records;
use super::row::{Case, CaseRow};
use super::schema::Schema;
use super::standard::Std;
use crate::config::{RepeatedIds, Settings};
use crate::dates::parse_day;
use crate::problem::Problem;
use crate::values::{header_key, is_missing, list_items};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::Read;

/// A whole extract in memory: one or more files merged per case id.
#[derive(Debug, Clone)]
pub(crate) struct Extract {
    pub(crate) schema: Schema,
    pub(crate) rows: Vec<CaseRow>,
    /// Warnings found while reading and merging.
    pub(crate) warnings: Vec<Problem>,
    /// The rows that shared a case id, folded into cases.
    pub(crate) folding: Folding,
}

impl Extract {
    pub(crate) fn cases(&self) -> impl Iterator<Item = Case<'_>> {
        self.rows.iter().map(|row| Case {
            schema: &self.schema,
            row,
        })
    }

    /// Merges extracts read from several files (README.md#case-extract-standard-layout): a case in several files  [long]
    /// is one case file; list fields are merged; a conflicting single value is a
    /// warning and the file named last wins.
    /// `warn_on`: the fields whose conflicts are worth a warning (`None`: all).
    pub(crate) fn merge(parts: Vec<(String, Extract)>, as_of: NaiveDate, warn_on: Option<&[Std]>) -> Extract {
        let mut parts = parts.into_iter();
        let Some((_, first)) = parts.next() else {
            unreachable!("merge is called with at least one extract")
        };
        let mut merged = first;
        for (file, next) in parts {
            merged = merge_two(merged, &file, next, as_of, warn_on);
        }
        merged
    }
}

fn merge_two(a: Extract, file_b: &str, b: Extract, as_of: NaiveDate, warn_on: Option<&[Std]>) -> Extract {
    // Union of headings, by their comparison key; a's order first.
    let mut headers = a.schema.headers.clone();
    let mut b_to_union = Vec::with_capacity(b.schema.headers.len());
    for (i, h) in b.schema.headers.iter().enumerate() {
        let target = b
            .schema
            .std_of_col(i)
            .and_then(|(s, _)| a.schema.col(s))
            .or_else(|| a.schema.keys.get(&header_key(h)).copied());
        b_to_union.push(target.unwrap_or_else(|| {
            headers.push(h.clone());
            headers.len() - 1
        }));
    }
    let width = headers.len();
    let mut schema = a.schema.clone();
    schema.keys = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (header_key(h), i))
        .collect();
    for (si, col) in b.schema.std_col.iter().enumerate() {
        if schema.std_col[si].is_none() {
            schema.std_col[si] = col.map(|c| b_to_union[c]);
        }
    }
    schema.headers = headers;
    schema.as_of = as_of;
    schema.map_columns_to_fields();
    let widen = |r: &CaseRow| -> Vec<String> {
        let mut v: Vec<String> = r.iter().map(str::to_string).collect();
        v.resize(width, String::new());
        v
    };
    let id_col = schema.col(Std::CaseId).expect("case_id is required");
    let list_col = schema.col(Std::RiskFactors);
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut rows: Vec<(Vec<String>, CaseRow)> = Vec::new();
    for row in a.rows {
        index.insert(row.get(id_col).unwrap_or("").to_string(), rows.len());
        rows.push((widen(&row), row));
    }
    let mut warnings = a.warnings;
    warnings.extend(b.warnings);
    let folding = Folding {
        rows: a.folding.rows + b.folding.rows,
        cases: a.folding.cases + b.folding.cases,
    };
    for row in b.rows {
        let mut cells = vec![String::new(); width];
        for (i, cell) in row.iter().enumerate() {
            cells[b_to_union[i]] = cell.to_string();
        }
        let id = cells[id_col].clone();
        match index.get(&id) {
            None => {
                index.insert(id, rows.len());
                rows.push((cells, row));
            }
            Some(&at) => {
                rows[at].1.episodes = rows[at].1.episodes.max(row.episodes);
                let existing = &mut rows[at].0;
                for (col, new) in cells.into_iter().enumerate() {
                    if is_missing(&new) || existing[col] == new {
                        continue;
                    }
                    if Some(col) == list_col && !is_missing(&existing[col]) {
                        let mut items: Vec<String> = list_items(&existing[col]).map(str::to_string).collect();
                        for item in list_items(&new) {
                            if !items.iter().any(|x| x.eq_ignore_ascii_case(item)) {
                                items.push(item.to_string());
                            }
                        }
                        existing[col] = items.join("; ");
                    } else {
                        let worth_a_warning = warn_on.is_none_or(|fields| {
                            schema.std_of_col(col).is_some_and(|(s, _)| fields.contains(&s))
                        });
                        if !is_missing(&existing[col]) && worth_a_warning {
                            warnings.push(Problem::warning(
                                file_b,
                                Some(row.line),
                                Some(&schema.headers[col]),
                                format!("case \"{id}\": \"{new}\" differs from \"{}\" in an earlier file; using \"{new}\"", existing[col]),
                            ));
                        }
                        existing[col] = new;
                    }
                }
            }
        }
    }
    let rows: Vec<CaseRow> = rows
        .into_iter()
        .map(|(cells, old)| {
            let mut row = CaseRow::from_cells(&cells, old.line);
            row.episodes = old.episodes;
            let date = |s: Std| schema.col(s).and_then(|c| row.get(c)).and_then(parse_day);
            let dates = (date(Std::StartDate), date(Std::EndDate), date(Std::Dob));
            (row.start, row.end, row.dob) = dates;
            row
        })
        .collect();
    Extract {
        schema,
        rows,
        warnings,
        folding,
    }
}

/// Reads a whole extract file into memory, failing with every problem found.
/// Rows that share a case id are folded into one case, or are errors, as the
/// settings say (`[extract] repeated_ids`).
pub(crate) fn read_all<R: Read>(
    file: &str,
    csv: Records<R>,
    settings: &Settings,
    as_of: NaiveDate,
) -> Result<Extract, Vec<Problem>> {
    read_table(
        file,
        ExtractReader::new(file, csv, settings, as_of)?,
        settings,
        true,
    )
}

/// [`read_all`] for one of several files merged per case id: only the case id
/// is required, and a case without a team is left for the merged whole to warn of.
pub(crate) fn read_part<R: Read>(
    file: &str,
    csv: Records<R>,
    settings: &Settings,
    as_of: NaiveDate,
) -> Result<Extract, Vec<Problem>> {
    let reader = ExtractReader::requiring(&[Std::CaseId], file, csv, settings, as_of)?;
    read_table(file, reader.without_team_warnings(), settings, false)
}

/// The rows `reader` reads, folded per case id where the settings say so.
/// `warn_no_team`: warn of a case without a team.
fn read_table<R: Read>(
    file: &str,
    mut reader: ExtractReader<R>,
    settings: &Settings,
    warn_no_team: bool,
) -> Result<Extract, Vec<Problem>> {
    let folds = settings.extract.repeated_ids == RepeatedIds::Fold;
    if folds {
        reader = reader.fold_ids();
    }
    let mut rows = Vec::new();
    let mut row = CaseRow::default();
    while reader.next_row(&mut row) {
        rows.push(row.clone());
    }
    if reader.has_errors() {
        return Err(reader.problems);
    }
    let extract = Extract {
        schema: reader.schema,
        rows,
        warnings: reader.problems,
        folding: Folding::default(),
    };
    if !folds {
        return Ok(extract);
    }
    let (mut extract, folding) = episodes::fold(file, extract, warn_no_team);
    extract.folding = folding;
    Ok(extract)
}
