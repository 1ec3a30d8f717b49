//! Case extracts: the one front door through which every command reads them.
//!
//! [`tables`] finds the tables of the files given (a CSV file; the sheets of a
//! workbook that hold case files; Annex A lists turned into the standard layout),
//! and [`fold`] reads them, checking every row, and folds the good ones with a
//! [`Fold`] the command supplies: what to do with each case. `fold` itself picks
//! how to read: one plain UTF-8 file streams on both cores (`scan`), anything else
//! (standard input, Windows-1252, a workbook sheet, a repeated case id to report
//! exactly) goes through the one-thread reader, and several tables are read into
//! memory and merged per case id (`merge`). No command reads an extract any other
//! way.
//!
//! Inside: `standard` (the table of standard fields), `schema` (headings and the
//! `[extract.columns]` mapping), `row` (a case file as read), `fields` (how a
//! filter reads a field), `reader` (row checks), `merge` (several files per case
//! id), and the private engine: `records` (fast record splitting), `scan` (both
//! cores) and `idcheck` (repeated case ids).

mod fields;
mod idcheck;
mod merge;
mod reader;
mod records;
mod row;
mod scan;
mod schema;
pub(crate) mod standard;
#[cfg(test)]
mod tests;

pub(crate) use merge::Extract;
pub(crate) use reader::ExtractReader;
pub(crate) use row::{Case, CaseRow};
pub(crate) use schema::Schema;
pub(crate) use standard::Std;

use crate::annex_a;
use crate::config::{ExtractLayout, Settings};
use crate::csvio::{self, InputOptions};
use crate::problem::{Problem, Problems};
use anyhow::{Result, bail};
use chrono::NaiveDate;
use std::path::PathBuf;

/// What a command does with the cases of an extract: each good row is folded into
/// a part, on whichever thread reads it, and the parts are merged.
pub(crate) trait Fold: Sync {
    type Part: Send;
    /// Whether the order of rows matters: parts are then merged in file order.
    /// Otherwise each thread keeps one part for all its rows (far fewer parts to
    /// make and merge), merged in no given order.
    const IN_ORDER: bool;
    /// An empty part.
    fn part(&self) -> Self::Part;
    /// Adds one good row to a part.
    fn take(&self, part: &mut Self::Part, case: Case<'_>);
    /// Adds a part to another (a later one, for an `IN_ORDER` fold).
    fn merge(&self, into: &mut Self::Part, part: Self::Part);
}

/// What reading an extract gave.
pub(crate) struct Folded<F: Fold> {
    /// The fold, as `prepare` made it from the schema.
    pub(crate) fold: F,
    pub(crate) schema: Schema,
    /// Every good row, folded.
    pub(crate) part: F::Part,
    /// Errors and warnings, in file and line order.
    pub(crate) problems: Vec<Problem>,
    /// Each file read, in the order given.
    pub(crate) files: Vec<FileRead>,
}

/// One file of an extract, as read.
pub(crate) struct FileRead {
    pub(crate) path: PathBuf,
    /// Data rows read, good or bad, over all the file's tables.
    pub(crate) rows: u64,
    /// SHA-256 of the file's bytes (hex), when asked for; `None` for standard input.
    pub(crate) sha256: Option<String>,
}

impl<F: Fold> Folded<F> {
    /// The warnings, or every problem as an error when any is an error.
    pub(crate) fn warnings(&mut self) -> Result<Vec<Problem>, Problems> {
        let problems = std::mem::take(&mut self.problems);
        if problems.iter().any(|p| !p.warning) {
            Err(Problems(problems))
        } else {
            Ok(problems)
        }
    }
}

/// Reads the tables of an extract, checking every row, and folds the good rows
/// with the `Fold` that `prepare` makes from the schema (it runs once the headings
/// are read, before any row is). `hashing`: take each file's SHA-256 as well.
///
/// Problems in the rows of one table come back in [`Folded::problems`]; a
/// table whose header cannot be read, or rows with errors in one of several
/// tables, stop with [`Problems`] at once.
pub(crate) fn fold<F: Fold>(
    tables: Vec<csvio::Input>,
    settings: &Settings,
    as_of: NaiveDate,
    hashing: bool,
    prepare: impl Fn(&Schema) -> Result<F>,
) -> Result<Folded<F>> {
    if tables.len() == 1 {
        let table = tables.into_iter().next().expect("one table");
        let path = table.source.clone();
        let (fold, scanned) = scan::scan(table, settings, as_of, hashing, prepare)?;
        let mut parts = scanned.parts.into_iter();
        let mut part = parts.next().unwrap_or_else(|| fold.part());
        for later in parts {
            fold.merge(&mut part, later);
        }
        return Ok(Folded {
            fold,
            schema: scanned.schema,
            part,
            problems: scanned.problems,
            files: vec![FileRead {
                path,
                rows: scanned.rows_read,
                sha256: scanned.sha256,
            }],
        });
    }
    let (extract, rows) = read(tables, settings, as_of)?;
    let fold = prepare(&extract.schema)?;
    let mut part = fold.part();
    for case in extract.cases() {
        fold.take(&mut part, case);
    }
    let files = rows
        .into_iter()
        .map(|(path, rows)| {
            let sha256 = csvio::file_sha256_if(hashing, &path)?;
            Ok(FileRead { path, rows, sha256 })
        })
        .collect::<Result<_>>()?;
    Ok(Folded {
        fold,
        schema: extract.schema,
        part,
        problems: extract.warnings,
        files,
    })
}

/// The tables an extract is read from: CSV files as they are, the sheets of a
/// workbook that hold case files, and in the annex-a layout every list 3–9
/// turned into the standard layout, in list order (so later lists win). `note`
/// hears of lists skipped.
pub(crate) fn tables(
    paths: &[PathBuf],
    settings: &Settings,
    opts: &InputOptions,
    note: &mut dyn FnMut(String),
) -> Result<Vec<csvio::Input>> {
    let mut inputs = Vec::new();
    let mut lists = Vec::new();
    for path in paths {
        let tables = csvio::open_tables(path, opts)?;
        for table in &tables {
            if let Some(n) = &table.note {
                note(n.clone());
            }
        }
        match settings.extract.layout {
            ExtractLayout::Standard => {
                let whole_book = tables.len() > 1 && opts.sheet.is_none();
                let before = inputs.len();
                for table in tables {
                    let looks_like_cases = table
                        .sheet
                        .as_ref()
                        .is_none_or(|(_, headings)| headings.iter().any(|h| means_case_id(settings, h)));
                    if looks_like_cases || !whole_book {
                        inputs.push(table);
                    }
                }
                if inputs.len() == before {
                    bail!(
                        "no sheet of {} has a case_id column; choose one with --sheet",
                        path.display()
                    );
                }
            }
            ExtractLayout::AnnexA => {
                for table in tables {
                    let named = table.sheet.as_ref().map_or_else(
                        || annex_a::list_number_from_name(&table.name),
                        |(s, _)| annex_a::list_number_from_name(s),
                    );
                    match annex_a::to_standard(named, &table.name, table.reader)? {
                        annex_a::Converted::Skipped(n) => note(format!(
                            "{}: list {n} holds no case files to sample; skipped",
                            table.name
                        )),
                        annex_a::Converted::List(n, csv) => {
                            let reader: Box<dyn std::io::Read> = Box::new(std::io::Cursor::new(csv));
                            let reader = csv::ReaderBuilder::new()
                                .has_headers(false)
                                .flexible(true)
                                .from_reader(reader);
                            lists.push((
                                n,
                                csvio::Input {
                                    name: table.name,
                                    source: table.source,
                                    reader,
                                    sheet: None,
                                    options: None,
                                    note: None,
                                },
                            ));
                        }
                    }
                }
            }
        }
    }
    lists.sort_by_key(|(n, _)| *n);
    inputs.extend(lists.into_iter().map(|(_, input)| input));
    if inputs.is_empty() {
        bail!("none of the inputs holds case files to sample");
    }
    Ok(inputs)
}

/// Whether a heading means the case id (its standard name, another heading that
/// means it, or the heading mapped to it).
pub(crate) fn means_case_id(settings: &Settings, heading: &str) -> bool {
    let key = crate::values::header_key(heading);
    standard::headings_of(Std::CaseId).any(|h| h == key)
        || settings
            .mapped_heading(Std::CaseId.name())
            .is_some_and(|m| crate::values::header_key(m) == key)
}

/// Reads every table of an extract into memory and merges them per case id. Also
/// returns how many rows each source file had.
fn read(
    tables: Vec<csvio::Input>,
    settings: &Settings,
    as_of: NaiveDate,
) -> Result<(Extract, Vec<(PathBuf, u64)>)> {
    let mut parts = Vec::new();
    let mut rows: Vec<(PathBuf, u64)> = Vec::new();
    for table in tables {
        let name = table.name.clone();
        let source = table.source.clone();
        let (records, _) = scan::records_of(table)?;
        let part = merge::read_all(&name, records, settings, as_of).map_err(Problems)?;
        match rows.iter_mut().find(|(p, _)| *p == source) {
            Some((_, n)) => *n += part.rows.len() as u64,
            None => rows.push((source, part.rows.len() as u64)),
        }
        parts.push((name, part));
    }
    // Annex A lists differ in service and dates by design; only team, worker and
    // date of birth conflicts are worth a warning there.
    let warn_on = match settings.extract.layout {
        ExtractLayout::Standard => None,
        ExtractLayout::AnnexA => Some(&[Std::Team, Std::Worker, Std::Dob][..]),
    };
    Ok((Extract::merge(parts, as_of, warn_on), rows))
}

/// An extract given as CSV bytes, read row by row (for the fuzzers).
pub(crate) fn reader_of<'a>(
    file: &str,
    bytes: &'a [u8],
    settings: &Settings,
    as_of: NaiveDate,
) -> Result<ExtractReader<&'a [u8]>, Vec<Problem>> {
    ExtractReader::new(file, records::Records::new(bytes, b',', true), settings, as_of)
}

/// An extract given as CSV bytes, read whole (for the fuzzers and tests).
pub(crate) fn read_bytes(
    file: &str,
    bytes: &[u8],
    settings: &Settings,
    as_of: NaiveDate,
) -> Result<Extract, Vec<Problem>> {
    merge::read_all(file, records::Records::new(bytes, b',', true), settings, as_of)
}
