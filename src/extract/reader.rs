//! Reading an extract row by row, checking each row: its shape, bytes, dates,
//! case id and team.

use super::idcheck::{IdLog, IdSet};
use super::records::{RawRecord, Records};
use super::row::CaseRow;
use super::schema::Schema;
use super::standard::Std;
use crate::config::Settings;
use crate::dates::{Day, date_problem, format_date, parse_day};
use crate::problem::{Kind, Problem};
use crate::values::{clean, is_missing};
use chrono::NaiveDate;
use std::io::Read;

/// Reads an extract row by row, checking each.
pub(crate) struct ExtractReader<R: Read> {
    pub(super) file: String,
    records: Records<R>,
    pub(super) schema: Schema,
    /// How case ids are checked for repeats.
    ids: Ids<R>,
    /// Problems found so far (errors and warnings).
    pub(crate) problems: Vec<Problem>,
    raw: RawRecord,
    /// Data rows read, good or bad.
    pub(crate) rows_read: u64,
    /// Reading stopped on an I/O error.
    failed: bool,
    /// A case id was repeated (found by [`Ids::Watched`]).
    pub(crate) repeated: bool,
    /// Warn of a row without a team (off where rows are folded into cases, whose
    /// team may come from another row).
    warn_no_team: bool,
    /// `--as-of`, to question an episode that starts after it.
    as_of: Option<Day>,
}

/// Opens an extract again from its start.
pub(crate) type Reopen<R> = Box<dyn FnMut() -> anyhow::Result<Records<R>>>;

/// How a reader checks case ids for repeats: the choice is made when it is made.
enum Ids<R: Read> {
    /// Row by row, with the line each id was first seen on: a repeat is an error
    /// on the row that repeats. The exact report; every other way ends in it.
    Exact(IdSet),
    /// Logged as hashes and checked once, at the end of the file (a million ids
    /// then cost a few milliseconds instead of a cache miss each); on a repeat the
    /// file is read again (`Reopen`) row by row, and that reading's problems are
    /// the reader's.
    AtEnd(IdLog, Reopen<R>),
    /// Logged for the caller: a block of a file read on both cores, whose log
    /// `scan` checks with the other blocks'.
    Logged(IdLog),
    /// Logged and checked at the end, where a repeat is no error but means the
    /// rows are to be folded into cases: it sets `repeated`.
    Watched(IdLog),
    /// Not checked: rows that share an id are folded into one case by the caller.
    Unchecked,
    /// The log has been checked or handed over.
    Done,
}

/// The first field of a record that is not valid UTF-8, as the `csv` crate finds it.
fn bad_utf8_field(raw: &RawRecord) -> Option<usize> {
    if raw.ascii {
        return None;
    }
    (0..raw.len()).find(|&i| std::str::from_utf8(raw.field(i).unwrap_or_default()).is_err())
}

/// A field that is not valid UTF-8, named by its heading when the header is read.
fn utf8_problem(file: &str, line: u64, field: usize, heading: Option<&str>) -> Problem {
    let message = format!("is not valid UTF-8 ({})", crate::problem::NOT_UTF8_ADVICE);
    match heading.filter(|h| !h.is_empty()) {
        Some(h) => Problem::error(file, Some(line), Some(h), message),
        None => Problem::error(file, Some(line), None, format!("field {} {message}", field + 1)),
    }
    .of_kind(Kind::NotUtf8)
}

impl<R: Read> ExtractReader<R> {
    /// Reads the header. Fails with every header problem found.
    pub(crate) fn new(
        file: &str,
        records: Records<R>,
        settings: &Settings,
        as_of: NaiveDate,
    ) -> Result<Self, Vec<Problem>> {
        ExtractReader::requiring(&[Std::CaseId, Std::Team], file, records, settings, as_of)
    }

    /// [`ExtractReader::new`] where only the `required` fields must have a column.
    pub(crate) fn requiring(
        required: &[Std],
        file: &str,
        mut records: Records<R>,
        settings: &Settings,
        as_of: NaiveDate,
    ) -> Result<Self, Vec<Problem>> {
        let mut header = RawRecord::default();
        match read_header(&mut records, &mut header) {
            Ok(true) => {}
            Ok(false) => {
                return Err(vec![Problem::error(
                    file,
                    None,
                    None,
                    "the file is empty (a header row is required)",
                )]);
            }
            Err(e) => return Err(vec![Problem::error(file, None, None, format!("read error: {e}"))]),
        }
        if let Some(field) = bad_utf8_field(&header) {
            return Err(vec![utf8_problem(file, header.line, field, None)]);
        }
        let headers: Vec<String> = (0..header.len())
            .map(|i| clean(&String::from_utf8_lossy(header.field(i).unwrap_or_default())).into_owned())
            .collect();
        let schema = Schema::requiring(required, headers, settings, as_of, (file, header.line))?;
        Ok(ExtractReader::with_schema(file, records, schema))
    }

    /// A reader of rows after a header already read as `schema`, checking case ids
    /// row by row.
    fn with_schema(file: &str, records: Records<R>, schema: Schema) -> Self {
        use chrono::Datelike;
        let as_of = Day::new(schema.as_of.year(), schema.as_of.month(), schema.as_of.day());
        ExtractReader {
            as_of,
            file: file.to_string(),
            records,
            schema,
            ids: Ids::Exact(IdSet::default()),
            problems: Vec::new(),
            raw: RawRecord::default(),
            rows_read: 0,
            failed: false,
            repeated: false,
            warn_no_team: true,
        }
    }

    /// Logs case ids and checks them at the end of the file, where a repeat only
    /// sets [`ExtractReader::repeated`] (the caller folds the rows into cases).
    pub(crate) fn watch_ids(mut self) -> Self {
        self.ids = Ids::Watched(IdLog::default());
        self
    }

    /// Reads rows that share a case id as any other, and leaves rows without a
    /// team unremarked: the caller folds rows into cases and warns of a case
    /// without a team.
    pub(crate) fn fold_ids(mut self) -> Self {
        self.ids = Ids::Unchecked;
        self.warn_no_team = false;
        self
    }

    /// Leaves rows without a team unremarked (one of several files merged per
    /// case id, whose team may be in another).
    pub(crate) fn without_team_warnings(mut self) -> Self {
        self.warn_no_team = false;
        self
    }

    /// Checks case ids for repeats once, at the end of the file, instead of row by
    /// row: a million ids then cost a few milliseconds instead of a cache miss
    /// each. Rows with a repeated id are returned like any other meanwhile; when
    /// there is a repeat, the file is read again (`reopen`) to report the problems
    /// exactly as the row-by-row check does, and the caller, which stops on errors,
    /// discards what it made of the rows.
    pub(crate) fn check_ids_at_end(mut self, reopen: Reopen<R>) -> Self {
        self.ids = Ids::AtEnd(IdLog::default(), reopen);
        self
    }

    pub(crate) fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The records it reads from (after the last row, to see where reading stopped).
    pub(crate) fn into_records(self) -> Records<R> {
        self.records
    }

    /// Whether any error (not warning) has been found, not counting cells that
    /// do not parse, which are errors only where the command reads them.
    pub(crate) fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| !p.warning && !p.is(Kind::Unparsed))
    }

    /// Reads the next good row into `row`; rows with errors are recorded in
    /// `problems` and skipped. `false` at the end of the file.
    pub(crate) fn next_row(&mut self, row: &mut CaseRow) -> bool {
        loop {
            if self.failed {
                return false;
            }
            match self.records.read(&mut self.raw) {
                Ok(false) => {
                    self.finish_ids();
                    return false;
                }
                Ok(true) => {}
                Err(e) => {
                    self.problems
                        .push(Problem::error(&self.file, None, None, format!("read error: {e}")));
                    self.failed = true;
                    return false;
                }
            }
            if let Some(field) = bad_utf8_field(&self.raw) {
                let heading = self.schema.headers.get(field).map(String::as_str);
                self.problems
                    .push(utf8_problem(&self.file, self.raw.line, field, heading));
                self.rows_read += 1;
                continue;
            }
            if self.check_row(row) {
                return true;
            }
        }
    }

    /// A reader for one block of a file whose header has been read (see `scan`):
    /// rows are checked as in the whole file, except that case ids are only
    /// logged, in `log` (which holds the ids of earlier blocks), for
    /// [`ExtractReader::take_ids`], and lines count from the block's start.
    pub(crate) fn for_block(file: &str, records: Records<R>, schema: Schema, log: IdLog) -> Self {
        ExtractReader {
            ids: Ids::Logged(log),
            ..ExtractReader::with_schema(file, records, schema)
        }
    }

    /// The case ids logged by a reader made with [`ExtractReader::for_block`].
    pub(crate) fn take_ids(&mut self) -> Option<IdLog> {
        match std::mem::replace(&mut self.ids, Ids::Done) {
            Ids::Logged(log) => Some(log),
            other => {
                self.ids = other;
                None
            }
        }
    }

    /// At the end of a file read with [`ExtractReader::check_ids_at_end`]: when an id
    /// was repeated, reads the file again checking row by row, and takes its problems.
    fn finish_ids(&mut self) {
        if let Ids::Watched(log) = &self.ids {
            self.repeated = log.has_repeats();
            self.ids = Ids::Done;
            return;
        }
        // A block of a file (`for_block`) keeps its log for the whole file's check.
        if !matches!(self.ids, Ids::AtEnd(..)) {
            return;
        }
        let Ids::AtEnd(log, mut reopen) = std::mem::replace(&mut self.ids, Ids::Done) else {
            unreachable!("matched just above")
        };
        if self.failed || !log.has_repeats() {
            return;
        }
        drop(log);
        let mut records = match reopen() {
            Ok(r) => r,
            Err(e) => {
                let message = format!("cannot read the file again to report its repeated case ids: {e:#}");
                self.problems
                    .push(Problem::error(&self.file, None, None, message));
                return;
            }
        };
        let mut header = RawRecord::default();
        if let Err(e) = read_header(&mut records, &mut header) {
            self.problems
                .push(Problem::error(&self.file, None, None, format!("read error: {e}")));
            return;
        }
        let mut exact = ExtractReader::with_schema(&self.file, records, self.schema.clone());
        let mut row = CaseRow::default();
        while exact.next_row(&mut row) {}
        self.problems = exact.problems;
        self.rows_read = exact.rows_read;
    }

    fn check_row(&mut self, row: &mut CaseRow) -> bool {
        let file = &self.file;
        let line = self.raw.line;
        if self.raw.len() == 1
            && self.schema.headers.len() > 1
            && self
                .raw
                .field(0)
                .is_some_and(|c| String::from_utf8_lossy(c).trim().is_empty())
        {
            return false; // a blank line
        }
        self.rows_read += 1;
        // Swap buffers rather than copy: the row takes the record's bytes, the
        // record reuses the row's old allocation.
        let bytes = std::mem::replace(&mut self.raw.bytes, std::mem::take(&mut row.text).into_bytes());
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                // Every field was checked by `bad_utf8_field`: not reached.
                self.raw.bytes = e.into_bytes();
                self.problems.push(utf8_problem(file, line, 0, None));
                return false;
            }
        };
        row.set(text, &self.raw.fields, self.raw.ascii, self.raw.edgy);
        let fields = &self.raw.fields;
        let raw_field = |i: usize| {
            fields
                .get(i)
                .map_or("", |&(a, b)| &row.text[a as usize..b as usize])
        };
        let all = row.text.as_bytes();
        if let Some(problem) = crate::problem::fields_problem(
            file,
            line,
            fields.len(),
            (all.len(), self.raw.nul),
            raw_field,
            &self.schema.headers,
        ) {
            self.problems.push(problem);
            return false;
        }
        row.line = line;
        let headers = &self.schema.headers;
        let mut days = [None; 3];
        for (day, s) in days.iter_mut().zip([Std::StartDate, Std::EndDate, Std::Dob]) {
            let Some(col) = self.schema.col(s) else {
                continue;
            };
            match day_in(row, col) {
                Ok(d) => *day = d,
                Err(cell) => {
                    // The row is kept without the date: the command decides
                    // whether that is an error (see `Kind::Unparsed`).
                    let problem = Problem::error(file, Some(line), Some(&headers[col]), date_problem(cell));
                    self.problems.push(problem.of_kind(Kind::Unparsed));
                }
            }
        }
        [row.start, row.end, row.dob] = days;
        let id_col = self
            .schema
            .col(Std::CaseId)
            .expect("every table requires a case_id column");
        let id = row.get(id_col).unwrap_or("");
        if is_missing(id) {
            self.problems.push(Problem::error(
                file,
                Some(line),
                Some(&headers[id_col]),
                "case id is blank",
            ));
            return false;
        }
        match &mut self.ids {
            Ids::AtEnd(log, _) | Ids::Logged(log) | Ids::Watched(log) => log.push(id),
            Ids::Exact(seen) => {
                if let Some(first) = seen.insert(id, line) {
                    self.problems.push(Problem::error(
                        file,
                        Some(line),
                        Some(&headers[id_col]),
                        format!("case id \"{id}\" appears again (first on line {first})"),
                    ));
                    return false;
                }
            }
            Ids::Done | Ids::Unchecked => {}
        }
        if self.warn_no_team && row.cell(self.schema.col(Std::Team)).is_none() {
            self.problems.push(no_team(file, line, &self.schema, id));
        }
        if let (Some(s), Some(e)) = (row.start, row.end)
            && e < s
        {
            let col = &headers[self.schema.col(Std::EndDate).expect("end date was read")];
            self.problems.push(Problem::warning(
                file,
                Some(line),
                Some(col),
                "the end date is before the start date",
            ));
        }
        if let (Some(s), Some(as_of)) = (row.start, self.as_of)
            && s > as_of
        {
            let col = &headers[self.schema.col(Std::StartDate).expect("start date was read")];
            self.problems.push(Problem::warning(
                file,
                Some(line),
                Some(col),
                format!(
                    "the episode starts on {}, after --as-of ({}): a date in the future?",
                    format_date(s.date()),
                    format_date(self.schema.as_of)
                ),
            ));
        }
        true
    }
}

/// Reads the header record, passing over title rows above it; `false` when
/// there is none.
fn read_header<R: Read>(records: &mut Records<R>, header: &mut RawRecord) -> std::io::Result<bool> {
    loop {
        if !records.read(header)? {
            return Ok(false);
        }
        if header.line >= records.header_line() {
            return Ok(true);
        }
    }
}

/// The warning for a case without a team.
pub(super) fn no_team(file: &str, line: u64, schema: &Schema, id: &str) -> Problem {
    let col = &schema.headers[schema.col(Std::Team).expect("team is required")];
    Problem::warning(
        file,
        Some(line),
        Some(col),
        format!("case \"{id}\" has no team: it cannot be allocated and will be left out of samples"),
    )
    .of_kind(Kind::NoTeam)
}

/// The date in a row's column: `None` when none is given, the cell when it is
/// not a date. Always inlined: returned through memory, its result stalled the
/// row check on every date.
#[inline(always)]
fn day_in(row: &CaseRow, col: usize) -> Result<Option<Day>, &str> {
    match row.get(col) {
        Some(cell) if !is_missing(cell) => parse_day(cell).map(Some).ok_or(cell),
        _ => Ok(None),
    }
}
