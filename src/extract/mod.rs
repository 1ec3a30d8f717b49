//! Case extracts: the one front door through which every command reads them.
//!
//! [`tables`] finds the tables of the files given (a CSV file; the sheets of a
//! workbook that hold case files; Annex A lists turned into the standard layout),
//! and [`fold`] reads them, checking every row, and folds the good ones with a
//! [`Fold`] the command supplies: what to do with each case. `fold` itself picks
//! how to read: one plain UTF-8 file streams on both cores (`scan`), its rows
//! whose case ids repeat kept apart and folded into cases (`episodes`), anything
//! else (standard input, Windows-1252, a workbook sheet, a repeated case id to
//! report exactly) goes through the one-thread reader, and several tables are read
//! into memory and merged per case id (`merge`). No command reads an extract any other
//! way.
//!
//! Inside: `standard` (the table of standard fields), `schema` (headings and the
//! `[extract.columns]` mapping), `row` (a case file as read), `fields` (how a
//! filter reads a field), `reader` (row checks), `merge` (several files per case
//! id), and the private engine: `records` (fast record splitting), `scan` (both
//! cores) and `idcheck` (repeated case ids).

mod episodes;
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
use crate::config::{ExtractLayout, RepeatedIds, Settings};
use crate::csvio::{self, InputOptions};
use crate::problem::{Kind, Problem, Problems};
use anyhow::{Result, bail};
use chrono::NaiveDate;
use std::collections::HashMap;
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
    /// The field ids (of `schema`) the command reads: its filters, strata and
    /// outputs. A cell that does not parse in any other column is a warning.
    fn fields(&self, schema: &Schema) -> Vec<usize>;
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
/// `note` hears how many rows were folded into cases where case ids repeat.
///
/// One table streams (`scan`). Where it has rows that share a case id, which
/// the settings fold into cases (the default), a plain UTF-8 file is read again
/// by [`scan::split`] with the hashes of the ids that repeat: the other rows
/// stream, and only the rows of repeated ids are kept in memory and folded
/// (`episodes`), so memory grows with those rows ([`fold_episodes`]). Any other
/// such table, and several tables, are read into memory, their repeated ids
/// folded, and the tables merged per case id.
///
/// Problems in the rows of one table come back in [`Folded::problems`]; a
/// table whose header cannot be read, or rows with errors in a table read into
/// memory, stop with [`Problems`] at once.
pub(crate) fn fold<F: Fold>(
    mut tables: Vec<csvio::Input>,
    settings: &Settings,
    as_of: NaiveDate,
    hashing: bool,
    note: &mut dyn FnMut(String),
    prepare: impl Fn(&Schema) -> Result<F>,
) -> Result<Folded<F>> {
    // What reading the tables found (values left out of a sheet) comes first.
    let found: Vec<Problem> = tables
        .iter_mut()
        .flat_map(|t| std::mem::take(&mut t.warnings))
        .collect();
    let mut folded = fold_tables(tables, settings, as_of, hashing, note, prepare)?;
    folded.problems.splice(0..0, found);
    Ok(folded)
}

/// [`fold`], once the tables' own warnings are taken.
fn fold_tables<F: Fold>(
    mut tables: Vec<csvio::Input>,
    settings: &Settings,
    as_of: NaiveDate,
    hashing: bool,
    note: &mut dyn FnMut(String),
    prepare: impl Fn(&Schema) -> Result<F>,
) -> Result<Folded<F>> {
    let folds = settings.extract.repeated_ids == RepeatedIds::Fold;
    // A table is streamed when a repeat can be reported as an error, or, where
    // repeats are folded, when the table can be read again once one is found.
    let streams = tables.len() == 1 && (!folds || tables[0].reopens());
    if streams {
        let table = tables.pop().expect("one table");
        // Twice: for the second reading, and for a fall back on reading it whole.
        let again = folds.then(|| table.reopener().zip(table.reopener())).flatten();
        let (name, path) = (table.name.clone(), table.source.clone());
        let (fold, scanned) = match scan::scan(table, settings, as_of, hashing, &prepare)? {
            scan::Scan::Read(fold, scanned) => (fold, *scanned),
            scan::Scan::Repeats(repeated) => {
                let (again, whole) = again.expect("only a table that can be read again gives Repeats");
                if let Some(repeated) = repeated {
                    let reading = scan::split(again()?, settings, as_of, hashing, &repeated, &prepare)?;
                    if let Some((fold, scanned)) = reading {
                        return fold_episodes(fold, scanned, &name, path, note);
                    }
                }
                return fold_in_memory(vec![whole()?], settings, as_of, hashing, note, prepare);
            }
        };
        let mut parts = scanned.parts.into_iter();
        let mut part = parts.next().unwrap_or_else(|| fold.part());
        for later in parts {
            fold.merge(&mut part, later);
        }
        let mut problems = scanned.problems;
        summarise(&mut problems, scanned.rows_read);
        settle_unparsed(&mut problems, &scanned.schema, &fold.fields(&scanned.schema));
        return Ok(Folded {
            fold,
            schema: scanned.schema,
            part,
            problems,
            files: vec![FileRead {
                path,
                rows: scanned.rows_read,
                sha256: scanned.sha256,
            }],
        });
    }
    fold_in_memory(tables, settings, as_of, hashing, note, prepare)
}

/// [`fold`] for one table whose case ids repeat, read by [`scan::split`]: the
/// rows set aside (those whose ids may repeat) are folded into cases by
/// `episodes`, which compares the ids themselves, and each case is folded where
/// its first row is in the file. What comes out is what [`fold_in_memory`] makes
/// of the table: the same cases in the same order, the same problems.
fn fold_episodes<F: Fold>(
    fold: F,
    scanned: scan::Scanned<F::Part>,
    name: &str,
    path: PathBuf,
    note: &mut dyn FnMut(String),
) -> Result<Folded<F>> {
    let scan::Scanned {
        schema,
        parts,
        mut problems,
        rows_read,
        sha256,
        aside,
        aside_before,
    } = scanned;
    // Read whole, a table with errors stops before its rows are folded, with
    // no warning of a case without a team.
    if problems.iter().any(|p| !p.warning && !p.is(Kind::Unparsed)) {
        problems.retain(|p| !p.is(Kind::NoTeam));
        crate::problem::summarise_not_utf8(&mut problems);
        return Err(Problems(problems).into());
    }
    let id_col = schema.col(Std::CaseId).expect("case_id is required");
    // Where each case of the rows set aside begins: `episodes` folds them in the
    // order their ids first appear.
    let mut seen = std::collections::HashSet::with_capacity(aside.len());
    let first_rows: Vec<usize> = (0..aside.len())
        .filter(|&i| seen.insert(aside[i].get(id_col).unwrap_or("")))
        .collect();
    drop(seen);
    let streamed = rows_read - aside.len() as u64;
    let extract = Extract {
        schema,
        rows: aside,
        warnings: Vec::new(),
        folding: Default::default(),
    };
    let (folded, folding) = episodes::fold(name, extract, true);
    if let Some(n) = folding.note(name) {
        note(n);
    }
    let schema = folded.schema;
    problems.extend(folded.warnings);
    problems.sort_by_key(|p| p.line);
    summarise(&mut problems, streamed + folded.rows.len() as u64);
    settle_unparsed(&mut problems, &schema, &fold.fields(&schema));
    let mut cases = folded.rows.iter().zip(first_rows).peekable();
    let mut part = fold.part();
    let take = |part: &mut F::Part, row: &CaseRow| {
        let case = Case { schema: &schema, row };
        fold.take(part, case);
    };
    if F::IN_ORDER {
        // Each case goes in before the first part that follows its first row.
        for (later, before) in parts.into_iter().zip(aside_before) {
            while let Some((row, _)) = cases.next_if(|&(_, first)| first < before) {
                take(&mut part, row);
            }
            fold.merge(&mut part, later);
        }
    } else {
        for later in parts {
            fold.merge(&mut part, later);
        }
    }
    for (row, _) in cases {
        take(&mut part, row);
    }
    Ok(Folded {
        fold,
        schema,
        part,
        problems,
        files: vec![FileRead {
            path,
            rows: rows_read,
            sha256,
        }],
    })
}

/// [`fold`] for tables read whole into memory and merged per case id.
fn fold_in_memory<F: Fold>(
    tables: Vec<csvio::Input>,
    settings: &Settings,
    as_of: NaiveDate,
    hashing: bool,
    note: &mut dyn FnMut(String),
    prepare: impl Fn(&Schema) -> Result<F>,
) -> Result<Folded<F>> {
    let (mut extract, rows) = read(tables, settings, as_of, note)?;
    summarise(&mut extract.warnings, extract.rows.len() as u64);
    let fold = prepare(&extract.schema)?;
    settle_unparsed(
        &mut extract.warnings,
        &extract.schema,
        &fold.fields(&extract.schema),
    );
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

/// Cells that do not parse: errors in a column the command reads (`fields`, with
/// the columns derived fields are read from), warnings in any other.
fn settle_unparsed(problems: &mut [Problem], schema: &Schema, fields: &[usize]) {
    if !problems.iter().any(|p| p.is(Kind::Unparsed) && !p.warning) {
        return;
    }
    let read = schema.columns_read(fields);
    for p in problems.iter_mut().filter(|p| p.is(Kind::Unparsed) && !p.warning) {
        let col = p.column.as_deref().and_then(|h| schema.column_of(h));
        if col.is_some_and(|c| !read.contains(&c)) {
            p.warning = true;
            p.message.push_str(" (this command does not read the column)");
        }
    }
}

/// A table's problems, `rows` read (good or bad), summarised: its rows that are
/// not valid UTF-8 in one error, and, where no case has a team, one warning.
fn summarise(problems: &mut Vec<Problem>, rows: u64) {
    // Rows left out for not being UTF-8 are no cases.
    let cases = rows - problems.iter().filter(|p| p.is(Kind::NotUtf8)).count() as u64;
    crate::problem::summarise_not_utf8(problems);
    summarise_no_team(problems, cases);
}

/// Where no case has a team (a statutory return read alone, a blank column),
/// one warning instead of one a case.
fn summarise_no_team(problems: &mut Vec<Problem>, cases: u64) {
    let is_no_team = |p: &Problem| p.warning && p.is(Kind::NoTeam);
    let count = problems.iter().filter(|p| is_no_team(p)).count() as u64;
    if count < 2 || count < cases {
        return;
    }
    let first = problems.iter().position(is_no_team).expect("counted above");
    let summary = Problem::warning(
        &problems[first].file,
        None,
        problems[first].column.as_deref(),
        format!(
            "no case has a team ({}): none can be allocated, and samples leave them out; give a file of case ids and teams with it (they are merged per case id), or map the team column in caseaudit.toml",
            crate::values::counted(count, "case", "cases")
        ),
    );
    problems[first] = summary;
    let mut at = 0;
    problems.retain(|p| {
        at += 1;
        at - 1 == first || !is_no_team(p)
    });
}

/// The tables an extract is read from: CSV files as they are, the sheets of a
/// workbook that hold case files, and Annex A lists 3–9 turned into the standard
/// layout, in list order (so later lists win). A file is read as Annex A lists in
/// the annex-a layout, or, by default, when its headings show them (a note says
/// so). `note` hears of lists skipped.
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
        let annex_a = match settings.extract.layout {
            ExtractLayout::AnnexA => true,
            ExtractLayout::Standard => false,
            ExtractLayout::Auto => {
                let found = is_annex_a(&tables, opts);
                if found {
                    note(format!(
                        "{}: read as Annex A lists, which its headings show ([extract] layout = \"standard\" reads it as it is)",
                        csvio::display_name(path)
                    ));
                }
                found
            }
        };
        if annex_a {
            let strict = settings.extract.layout == ExtractLayout::AnnexA;
            lists.extend(annex_a_lists(tables, strict, note)?);
            continue;
        }
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
    lists.sort_by_key(|t| t.annex_a_list);
    inputs.extend(lists);
    if inputs.is_empty() {
        bail!("none of the inputs holds case files to sample");
    }
    Ok(inputs)
}

/// Whether a file is read as Annex A lists: in the annex-a layout, or by
/// default when its headings show them.
pub(crate) fn reads_as_annex_a(
    path: &std::path::Path,
    settings: &Settings,
    opts: &InputOptions,
) -> Result<bool> {
    Ok(match settings.extract.layout {
        ExtractLayout::AnnexA => true,
        ExtractLayout::Standard => false,
        ExtractLayout::Auto => {
            path != std::path::Path::new("-") && is_annex_a(&csvio::open_tables(path, opts)?, opts)
        }
    })
}

/// Whether the tables of a file are Annex A lists by their own headings.
fn is_annex_a(tables: &[csvio::Input], opts: &InputOptions) -> bool {
    tables.iter().any(|t| match &t.sheet {
        Some((sheet, headings)) => annex_a::is_list(sheet, headings),
        None => csvio::headings(&t.source, opts).is_ok_and(|h| annex_a::is_list(&t.name, &h)),
    })
}

/// The Annex A lists among `tables`, each turned into the standard layout.
/// `strict` (the annex-a layout): a table that is no list is an error, not a note.
fn annex_a_lists(
    tables: Vec<csvio::Input>,
    strict: bool,
    note: &mut dyn FnMut(String),
) -> Result<Vec<csvio::Input>> {
    let mut lists = Vec::new();
    for mut table in tables {
        let named = table.sheet.as_ref().map_or_else(
            || annex_a::list_number_from_name(&table.name),
            |(s, _)| annex_a::list_number_from_name(s),
        );
        let is_list = named.is_some()
            || table
                .sheet
                .as_ref()
                .is_none_or(|(s, headings)| annex_a::is_list(s, headings));
        if !strict && !is_list {
            note(format!("{}: not an Annex A list; skipped", table.name));
            continue;
        }
        table.skip_titles();
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
                lists.push(csvio::Input {
                    name: table.name,
                    source: table.source,
                    reader,
                    sheet: None,
                    options: None,
                    note: None,
                    header_line: 1,
                    titles: 0,
                    annex_a_list: Some(n),
                    warnings: table.warnings,
                });
            }
        }
    }
    Ok(lists)
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
    note: &mut dyn FnMut(String),
) -> Result<(Extract, Vec<(PathBuf, u64)>)> {
    let mut parts = Vec::new();
    let mut rows: Vec<(PathBuf, u64)> = Vec::new();
    let several = tables.len() > 1;
    let lists = tables.iter().any(|t| t.annex_a_list.is_some());
    // Where each case id is first seen (of several tables): the table to name
    // in a warning about the merged case.
    let mut first_in: HashMap<String, usize> = HashMap::new();
    for table in tables {
        let name = table.name.clone();
        let source = table.source.clone();
        let (records, _) = scan::records_of(table)?;
        let part = if several {
            merge::read_part(&name, records, settings, as_of)
        } else {
            merge::read_all(&name, records, settings, as_of)
        };
        let part = part.map_err(|mut problems| {
            crate::problem::summarise_not_utf8(&mut problems);
            Problems(problems)
        })?;
        if several {
            let id_col = part.schema.col(Std::CaseId).expect("case_id is required");
            for row in &part.rows {
                let id = row.get(id_col).unwrap_or("");
                if !first_in.contains_key(id) {
                    first_in.insert(id.to_string(), parts.len());
                }
            }
        }
        if let Some(n) = part.folding.note(&name) {
            note(n);
        }
        let read = part.rows.len() as u64 + part.folding.rows - part.folding.cases;
        match rows.iter_mut().find(|(p, _)| *p == source) {
            Some((_, n)) => *n += read,
            None => rows.push((source, read)),
        }
        parts.push((name, part));
    }
    // Annex A lists differ in service and dates by design; only team, worker and
    // date of birth conflicts are worth a warning there.
    let warn_on = lists.then_some(&[Std::Team, Std::Worker, Std::Dob][..]);
    let names: Vec<String> = parts.iter().map(|(name, _)| name.clone()).collect();
    let mut merged = Extract::merge(parts, as_of, warn_on);
    if several {
        let schema = &merged.schema;
        if schema.col(Std::Team).is_none() {
            return Err(Problems(vec![Problem::error(
                &names.join(", "),
                Some(1),
                Some("team"),
                format!(
                    "required column is missing: no file has a team column (the headers have: {}); say which heading is the team in caseaudit.toml:\n  [extract.columns]\n  team = \"…\"",
                    schema.headers.join(", ")
                ),
            )])
            .into());
        }
        let id_col = schema.col(Std::CaseId).expect("case_id is required");
        for row in &merged.rows {
            if row.cell(schema.col(Std::Team)).is_none() {
                let id = row.get(id_col).unwrap_or("");
                let file = &names[first_in.get(id).copied().unwrap_or(0)];
                merged.warnings.push(reader::no_team(file, row.line, schema, id));
            }
        }
    }
    Ok((merged, rows))
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

/// Checks that the fast record reader, given `bytes` (a file's own) `chunk`
/// bytes at a time, reads what the `csv` crate reads from them as the other
/// readers are given them: the same records, fields and lines (for the fuzzers).
pub(crate) fn records_agree(bytes: &[u8], chunk: usize) {
    assert_eq!(
        records::crosscheck::with_records(bytes, chunk),
        records::crosscheck::with_csv(bytes),
        "the fast reader and the csv crate differ on {:?}",
        String::from_utf8_lossy(bytes)
    );
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
