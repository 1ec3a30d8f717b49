//! Case extracts (SPEC §3.1): the standard layout, `[extract.columns]` mapping,
//! row checks, derived fields, and merging several files per case id. Reads rows
//! from a `csv::Reader` it is given; opening files is the caller's business.

use crate::config::Settings;
use crate::dates::{Day, date_problem, format_date, parse_day, whole_years};
use crate::filter::{self, FieldKind, Value};
use crate::idcheck::{IdLog, IdSet};
use crate::problem::Problem;
use crate::records::{RawRecord, Records};
use crate::values::{clean, header_key, is_missing, list_items, parse_yes_no};
use crate::vocab::{referral_is_step_up, strip_label_prefix};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::Read;

/// The standard fields an extract column can stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Std {
    CaseId,
    Team,
    Worker,
    Service,
    StartDate,
    EndDate,
    Dob,
    ReferralSource,
    RiskFactors,
    Status,
    StepUp,
    ChildName,
}

const STD_FIELDS: [(Std, &str, FieldKind); 12] = [
    (Std::CaseId, "case_id", FieldKind::Text),
    (Std::Team, "team", FieldKind::Text),
    (Std::Worker, "worker", FieldKind::Text),
    (Std::Service, "service", FieldKind::Text),
    (Std::StartDate, "start_date", FieldKind::Date),
    (Std::EndDate, "end_date", FieldKind::Date),
    (Std::Dob, "dob", FieldKind::Date),
    (Std::ReferralSource, "referral_source", FieldKind::Text),
    (Std::RiskFactors, "risk_factors", FieldKind::List),
    (Std::Status, "status", FieldKind::Text),
    (Std::StepUp, "step_up", FieldKind::Bool),
    (Std::ChildName, "child_name", FieldKind::Text),
];

/// Other headings that mean a standard field without any mapping (Annex A's own words).
const ALIASES: [(&str, Std); 8] = [
    ("child unique id", Std::CaseId),
    ("case id", Std::CaseId),
    ("allocated team", Std::Team),
    ("allocated worker", Std::Worker),
    ("date of birth", Std::Dob),
    ("referral source", Std::ReferralSource),
    ("risk factors", Std::RiskFactors),
    ("step up", Std::StepUp),
];

/// Fields computed from others, usable in `--where` and `--columns`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Derived {
    Age,
    AgeAtStart,
    DaysOpen,
    Status,
    StepUp,
}

const DERIVED: [(Derived, &str, FieldKind); 5] = [
    (Derived::Age, "age", FieldKind::Number),
    (Derived::AgeAtStart, "age_at_start", FieldKind::Number),
    (Derived::DaysOpen, "days_open", FieldKind::Number),
    (Derived::Status, "status", FieldKind::Text),
    (Derived::StepUp, "step_up", FieldKind::Bool),
];

/// Where a standard field is in `STD_FIELDS`, which lists them in declaration order.
fn std_index(s: Std) -> usize {
    s as usize
}

/// The columns of an extract and what they mean.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    /// Headings as written in the file (cleaned).
    pub(crate) headers: Vec<String>,
    keys: HashMap<String, usize>,
    std_col: [Option<usize>; STD_FIELDS.len()],
    /// The reverse of `std_col`: per column, the standard field it holds.
    col_std: Vec<Option<(Std, FieldKind)>>,
    /// How each field id below `absent_base` is read from a row.
    access: Vec<Access>,
    as_of: NaiveDate,
}

impl Schema {
    /// Reads the meaning of each heading. Problems: a missing required column, a
    /// mapped heading that is not there.
    pub(crate) fn new(
        headers: Vec<String>,
        settings: &Settings,
        as_of: NaiveDate,
        file: &str,
    ) -> Result<Schema, Vec<Problem>> {
        let mut keys = HashMap::new();
        let mut problems = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            if keys.insert(header_key(h), i).is_some() {
                problems.push(Problem::error(
                    file,
                    Some(1),
                    Some(h),
                    "this heading appears twice in the header",
                ));
            }
        }
        let mut std_col = [None; STD_FIELDS.len()];
        for (si, (_, name, _)) in STD_FIELDS.iter().enumerate() {
            if let Some(heading) = settings.mapped_heading(name) {
                match keys.get(&header_key(heading)) {
                    Some(&i) => std_col[si] = Some(i),
                    None => problems.push(Problem::error(
                        file,
                        Some(1),
                        Some(heading),
                        format!("is mapped to {name} in [extract.columns] but is not in the header"),
                    )),
                }
                continue;
            }
            std_col[si] = keys
                .get(*name)
                .or_else(|| keys.get(&name.replace('_', " ")))
                .copied();
        }
        for (alias, s) in ALIASES {
            let si = std_index(s);
            if std_col[si].is_none() && settings.mapped_heading(STD_FIELDS[si].1).is_none() {
                std_col[si] = keys.get(alias).copied();
            }
        }
        for required in [Std::CaseId, Std::Team] {
            if std_col[std_index(required)].is_none() {
                let name = STD_FIELDS[std_index(required)].1;
                problems.push(Problem::error(
                    file,
                    Some(1),
                    Some(name),
                    format!(
                        "required column is missing (the header has: {}); map your own heading with [extract.columns] {name} = \"…\"",
                        headers.join(", ")
                    ),
                ));
            }
        }
        if problems.is_empty() {
            let mut schema = Schema {
                headers,
                keys,
                std_col,
                col_std: Vec::new(),
                access: Vec::new(),
                as_of,
            };
            schema.map_columns_to_fields();
            Ok(schema)
        } else {
            Err(problems)
        }
    }

    /// Fills `col_std` and `access` from `std_col` and `headers` (again after a
    /// merge adds columns).
    fn map_columns_to_fields(&mut self) {
        self.col_std = vec![None; self.headers.len()];
        for ((s, _, kind), col) in STD_FIELDS.iter().zip(&self.std_col) {
            if let Some(c) = *col
                && self.col_std[c].is_none()
            {
                self.col_std[c] = Some((*s, *kind));
            }
        }
        let columns = self
            .col_std
            .iter()
            .enumerate()
            .map(|(col, std)| match std.map(|(s, _)| s) {
                Some(Std::StartDate) => Access::Start(col),
                Some(Std::EndDate) => Access::End(col),
                Some(Std::Dob) => Access::Dob(col),
                Some(Std::RiskFactors) => Access::List(col),
                Some(Std::StepUp) => Access::YesNo(col),
                Some(Std::Status) => Access::Status(col),
                Some(Std::CaseId | Std::Team | Std::Worker) => Access::AsWritten(col),
                _ => Access::Labelled(col),
            });
        self.access = columns
            .chain(DERIVED.iter().map(|(d, ..)| Access::Derived(*d)))
            .collect();
    }

    /// The column holding a standard field.
    #[inline]
    pub(crate) fn col(&self, s: Std) -> Option<usize> {
        self.std_col[std_index(s)]
    }

    #[inline]
    fn std_of_col(&self, col: usize) -> Option<(Std, FieldKind)> {
        self.col_std.get(col).copied().flatten()
    }

    /// The columns written by default: every column but the identifying ones.
    pub(crate) fn default_output_fields(&self) -> Vec<usize> {
        (0..self.headers.len())
            .filter(|&i| {
                !crate::values::is_identifying(&self.headers[i])
                    && !matches!(self.std_of_col(i), Some((Std::Dob | Std::ChildName, _)))
            })
            .collect()
    }

    /// The output heading of a field id: a standard name for standard columns.
    pub(crate) fn field_name(&self, field: usize) -> String {
        if field < self.headers.len() {
            match self.std_of_col(field) {
                Some((s, _)) => STD_FIELDS[std_index(s)].1.to_string(),
                None => self.headers[field].clone(),
            }
        } else if field < self.absent_base() {
            DERIVED[field - self.headers.len()].1.to_string()
        } else {
            STD_FIELDS[field - self.absent_base()].1.to_string()
        }
    }

    /// Field ids from here on stand for standard fields this extract does not have:
    /// they are always missing (a frame using `risk_factors` matches nothing in an
    /// extract without it, rather than failing).
    fn absent_base(&self) -> usize {
        self.headers.len() + DERIVED.len()
    }

    /// The standard fields an expression reads that this extract does not have.
    pub(crate) fn absent_fields(&self, fields: &[usize]) -> Vec<&'static str> {
        fields
            .iter()
            .filter(|&&f| f >= self.absent_base())
            .map(|&f| STD_FIELDS[f - self.absent_base()].1)
            .collect()
    }

    fn derived_id(&self, d: Derived) -> usize {
        self.headers.len()
            + DERIVED
                .iter()
                .position(|(x, ..)| *x == d)
                .expect("every Derived is listed")
    }
}

impl filter::Schema for Schema {
    fn resolve(&self, name: &str) -> Option<(usize, FieldKind)> {
        let key = header_key(name);
        if let Some((s, _, kind)) = STD_FIELDS.iter().find(|(_, n, _)| *n == key)
            && let Some(col) = self.col(*s)
        {
            return Some((col, *kind));
        }
        if let Some((d, _, kind)) = DERIVED.iter().find(|(_, n, _)| *n == key) {
            return Some((self.derived_id(*d), *kind));
        }
        if let Some(&col) = self.keys.get(&key) {
            return Some((col, self.std_of_col(col).map_or(FieldKind::Text, |(_, k)| k)));
        }
        let si = STD_FIELDS.iter().position(|(_, n, _)| *n == key)?;
        Some((self.absent_base() + si, STD_FIELDS[si].2))
    }

    fn known_fields(&self) -> Vec<String> {
        let mut names: Vec<String> = STD_FIELDS
            .iter()
            .filter(|(s, ..)| self.col(*s).is_some())
            .map(|(_, n, _)| (*n).to_string())
            .chain(DERIVED.iter().map(|(_, n, _)| (*n).to_string()))
            .collect();
        names.sort();
        names.dedup();
        let own: Vec<String> = self
            .headers
            .iter()
            .filter(|h| !names.contains(&header_key(h)))
            .cloned()
            .collect();
        names.extend(own);
        names
    }
}

/// One case file: its cleaned cells and parsed dates.
#[derive(Debug, Clone, Default)]
pub(crate) struct CaseRow {
    /// The row as read; cells are slices of it (cleaned cells that differ from
    /// the raw text, which only NBSPs cause, are appended after it).
    text: String,
    cells: Vec<(u32, u32)>,
    /// The line of the file the row started on (1 = header).
    pub(crate) line: u64,
    start: Option<Day>,
    end: Option<Day>,
    dob: Option<Day>,
}

impl CaseRow {
    /// A row from cleaned cells (merging builds these).
    fn from_cells(cells: &[String], line: u64) -> CaseRow {
        let mut row = CaseRow {
            line,
            ..CaseRow::default()
        };
        for c in cells {
            let at = row.text.len() as u32;
            row.text.push_str(c);
            row.cells.push((at, row.text.len() as u32));
        }
        row
    }

    /// A cleaned cell (trimmed, NBSP as space), missing or not.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        self.cells
            .get(i)
            .map(|&(a, b)| &self.text[a as usize..b as usize])
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.cells
            .iter()
            .map(|&(a, b)| &self.text[a as usize..b as usize])
    }

    fn start(&self) -> Option<NaiveDate> {
        self.start.map(Day::date)
    }

    fn end(&self) -> Option<NaiveDate> {
        self.end.map(Day::date)
    }

    fn dob(&self) -> Option<NaiveDate> {
        self.dob.map(Day::date)
    }

    #[inline]
    fn cell(&self, col: Option<usize>) -> Option<&str> {
        let v = self.get(col?)?;
        if is_missing(v) { None } else { Some(v) }
    }

    /// Takes `text` as the row and cleans each field of it (SPEC §3: trimmed,
    /// non-breaking spaces as spaces). Borrowed slices unless a NBSP is present.
    fn set(&mut self, text: String, fields: &[(u32, u32)], ascii: bool, edgy: bool) {
        self.text = text;
        self.cells.clear();
        let base = self.text.as_ptr() as usize;
        if ascii {
            self.cells.extend_from_slice(fields);
            if !edgy {
                return; // no cell begins or ends with white space
            }
            let text = &self.text;
            for cell in &mut self.cells {
                let (a, b) = (cell.0 as usize, cell.1 as usize);
                // ASCII whitespace is at most b' ': most cells need no trimming.
                if a < b && (text.as_bytes()[a] <= b' ' || text.as_bytes()[b - 1] <= b' ') {
                    let t = text[a..b].trim();
                    let at = (t.as_ptr() as usize - base) as u32;
                    *cell = (at, at + t.len() as u32);
                }
            }
            return;
        }
        let mut extra = String::new();
        let mut moved = Vec::new();
        for (i, &(a, b)) in fields.iter().enumerate() {
            match clean(&self.text[a as usize..b as usize]) {
                std::borrow::Cow::Borrowed(t) => {
                    let at = (t.as_ptr() as usize - base) as u32;
                    self.cells.push((at, at + t.len() as u32));
                }
                std::borrow::Cow::Owned(t) => {
                    moved.push((i, extra.len(), t.len()));
                    extra.push_str(&t);
                    self.cells.push((0, 0));
                }
            }
        }
        let offset = self.text.len();
        self.text.push_str(&extra);
        for (i, at, len) in moved {
            self.cells[i] = ((offset + at) as u32, (offset + at + len) as u32);
        }
    }
}

/// The status a status cell holds: `closed` or `open` in any case as those words,
/// anything else without its label prefix.
#[inline]
fn status_in(cell: &str) -> &str {
    if cell.eq_ignore_ascii_case("closed") {
        "closed"
    } else if cell.eq_ignore_ascii_case("open") {
        "open"
    } else {
        strip_label_prefix(cell)
    }
}

/// How a field id is read from a row ([`filter::Row::value`]), worked out once for
/// a schema rather than for every row a filter reads.
#[derive(Debug, Clone, Copy)]
enum Access {
    /// A cell as written: case id, team, worker.
    AsWritten(usize),
    /// A cell without its label prefix (`b) Police` is `Police`): other text.
    Labelled(usize),
    /// The dates, as parsed when the row was checked (the cell says whether one is given).
    Start(usize),
    End(usize),
    Dob(usize),
    List(usize),
    YesNo(usize),
    Status(usize),
    Derived(Derived),
}

/// A row seen through its schema: what filters and outputs read.
#[derive(Clone, Copy)]
pub(crate) struct Case<'a> {
    pub(crate) schema: &'a Schema,
    pub(crate) row: &'a CaseRow,
}

impl<'a> Case<'a> {
    #[inline]
    pub(crate) fn get(&self, s: Std) -> Option<&'a str> {
        self.row.cell(self.schema.col(s))
    }

    #[inline]
    pub(crate) fn case_id(&self) -> &'a str {
        self.get(Std::CaseId).unwrap_or("")
    }

    pub(crate) fn start_date(&self) -> Option<NaiveDate> {
        self.row.start()
    }

    pub(crate) fn end_date(&self) -> Option<NaiveDate> {
        self.row.end()
    }

    /// `open` or `closed`: the status column when present, else closed when the
    /// end date has passed.
    pub(crate) fn status(&self) -> &'a str {
        status_of(self.schema, self.row)
    }

    pub(crate) fn step_up(&self) -> bool {
        if let Some(v) = self.get(Std::StepUp).and_then(parse_yes_no) {
            return v;
        }
        self.get(Std::ReferralSource).is_some_and(referral_is_step_up)
    }

    /// The text written to outputs for a field id (dates as yyyy-mm-dd).
    pub(crate) fn output(&self, field: usize) -> String {
        let schema = self.schema;
        if field >= schema.headers.len() {
            return match filter::Row::value(self, field) {
                Value::Number(n) => format!("{n}"),
                Value::Text(t) => t.to_string(),
                Value::Bool(b) => (if b { "yes" } else { "no" }).to_string(),
                _ => String::new(),
            };
        }
        match schema.std_of_col(field).map(|(s, _)| s) {
            Some(Std::StartDate) => self.row.start().map(format_date).unwrap_or_default(),
            Some(Std::EndDate) => self.row.end().map(format_date).unwrap_or_default(),
            Some(Std::Dob) => self.row.dob().map(format_date).unwrap_or_default(),
            _ => self.row.cell(Some(field)).unwrap_or("").to_string(),
        }
    }
}

impl filter::Row for Case<'_> {
    fn value(&self, field: usize) -> Value<'_> {
        // Field ids from `absent_base` on are standard fields the extract lacks.
        match self.schema.access.get(field) {
            Some(Access::Derived(d)) => derived(self.schema, self.row, *d),
            Some(access) => access.read_cell(self.row),
            None => Value::Missing,
        }
    }
}

impl Access {
    /// The value of a column's cell (a derived field is read by [`derived`]).
    #[inline]
    fn read_cell(self, row: &CaseRow) -> Value<'_> {
        let cell = |col: usize| row.cell(Some(col));
        let value = match self {
            Access::AsWritten(col) => cell(col).map(Value::Text),
            Access::Labelled(col) => cell(col).map(|c| Value::Text(strip_label_prefix(c))),
            Access::Start(col) => cell(col).and(row.start).map(Value::Date),
            Access::End(col) => cell(col).and(row.end).map(Value::Date),
            Access::Dob(col) => cell(col).and(row.dob).map(Value::Date),
            Access::List(col) => cell(col).map(Value::List),
            Access::YesNo(col) => cell(col).and_then(parse_yes_no).map(Value::Bool),
            Access::Status(col) => cell(col).map(|c| Value::Text(status_in(c))),
            Access::Derived(_) => None,
        };
        value.unwrap_or(Value::Missing)
    }
}

/// Rows of an extract, read by a compiled filter ([`filter::RowFilter`]): each
/// field's reader is made for its kind of column, so that reading it is only the
/// work the kind needs (the `Access::…(col)` built inside each closure is a
/// constant there, which the compiler folds away).
impl filter::Fields<CaseRow> for Schema {
    fn reader(&self, field: usize) -> filter::Reader<CaseRow> {
        let Some(&access) = self.access.get(field) else {
            return Box::new(|_| Value::Missing);
        };
        match access {
            Access::AsWritten(c) => Box::new(move |row| Access::AsWritten(c).read_cell(row)),
            Access::Labelled(c) => Box::new(move |row| Access::Labelled(c).read_cell(row)),
            Access::Start(c) => Box::new(move |row| Access::Start(c).read_cell(row)),
            Access::End(c) => Box::new(move |row| Access::End(c).read_cell(row)),
            Access::Dob(c) => Box::new(move |row| Access::Dob(c).read_cell(row)),
            Access::List(c) => Box::new(move |row| Access::List(c).read_cell(row)),
            Access::YesNo(c) => Box::new(move |row| Access::YesNo(c).read_cell(row)),
            Access::Status(c) => Box::new(move |row| Access::Status(c).read_cell(row)),
            Access::Derived(derived) => {
                let schema = self.clone();
                Box::new(move |row| self::derived(&schema, row, derived))
            }
        }
    }
}

/// `open` or `closed`: the status column when present, else closed when the end
/// date has passed.
fn status_of<'r>(schema: &Schema, row: &'r CaseRow) -> &'r str {
    if let Some(s) = row.cell(schema.col(Std::Status)) {
        return status_in(s);
    }
    match row.end() {
        Some(end) if end <= schema.as_of => "closed",
        _ => "open",
    }
}

/// The value of a derived field of a row.
fn derived<'r>(schema: &Schema, row: &'r CaseRow, derived: Derived) -> Value<'r> {
    let as_of = schema.as_of;
    match derived {
        Derived::Age => row
            .dob()
            .map_or(Value::Missing, |d| Value::Number(whole_years(d, as_of) as f64)),
        Derived::AgeAtStart => match (row.dob(), row.start()) {
            (Some(d), Some(s)) => Value::Number(whole_years(d, s) as f64),
            _ => Value::Missing,
        },
        Derived::DaysOpen => row.start().map_or(Value::Missing, |s| {
            let until = row.end().unwrap_or(as_of).min(as_of);
            Value::Number((until - s).num_days().max(0) as f64)
        }),
        Derived::Status => Value::Text(status_of(schema, row)),
        Derived::StepUp => Value::Bool(Case { schema, row }.step_up()),
    }
}

/// Reads an extract row by row, checking each.
pub(crate) struct ExtractReader<R: Read> {
    file: String,
    records: Records<R>,
    schema: Schema,
    /// The case ids seen so far, with the line each was first seen on.
    ids: IdSet,
    /// With [`ExtractReader::check_ids_at_end`]: the ids, checked at the end.
    log: Option<IdLog>,
    /// Opens the input again, to report repeated ids exactly once they are known.
    reopen: Option<Reopen<R>>,
    /// Problems found so far (errors and warnings).
    pub(crate) problems: Vec<Problem>,
    raw: RawRecord,
    /// Data rows read, good or bad.
    pub(crate) rows_read: u64,
    /// Reading stopped on an I/O error.
    failed: bool,
}

/// Opens an extract again from its start.
pub(crate) type Reopen<R> = Box<dyn FnMut() -> anyhow::Result<Records<R>>>;

/// The first field of a record that is not valid UTF-8, as the `csv` crate finds it.
fn bad_utf8_field(raw: &RawRecord) -> Option<usize> {
    if raw.ascii {
        return None;
    }
    (0..raw.len()).find(|&i| std::str::from_utf8(raw.field(i).unwrap_or_default()).is_err())
}

fn utf8_problem(file: &str, line: u64, field: usize) -> Problem {
    Problem::error(
        file,
        Some(line),
        None,
        format!(
            "field {} is not valid UTF-8 (if the file came from Excel on Windows, try --encoding windows-1252)",
            field + 1
        ),
    )
}

impl<R: Read> ExtractReader<R> {
    /// Reads the header. Fails with every header problem found.
    pub(crate) fn new(
        file: &str,
        mut records: Records<R>,
        settings: &Settings,
        as_of: NaiveDate,
    ) -> Result<Self, Vec<Problem>> {
        let mut header = RawRecord::default();
        match records.read(&mut header) {
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
            return Err(vec![utf8_problem(file, header.line, field)]);
        }
        let headers: Vec<String> = (0..header.len())
            .map(|i| clean(&String::from_utf8_lossy(header.field(i).unwrap_or_default())).into_owned())
            .collect();
        let schema = Schema::new(headers, settings, as_of, file)?;
        Ok(ExtractReader::with_schema(file, records, schema))
    }

    /// A reader of rows after a header already read as `schema`, checking case ids
    /// row by row.
    fn with_schema(file: &str, records: Records<R>, schema: Schema) -> Self {
        ExtractReader {
            file: file.to_string(),
            records,
            schema,
            ids: IdSet::default(),
            log: None,
            reopen: None,
            problems: Vec::new(),
            raw: RawRecord::default(),
            rows_read: 0,
            failed: false,
        }
    }

    /// Checks case ids for repeats once, at the end of the file, instead of row by
    /// row: a million ids then cost a few milliseconds instead of a cache miss
    /// each. Rows with a repeated id are returned like any other meanwhile; when
    /// there is a repeat, the file is read again (`reopen`) to report the problems
    /// exactly as the row-by-row check does, and the caller, which stops on errors,
    /// discards what it made of the rows.
    pub(crate) fn check_ids_at_end(mut self, reopen: Reopen<R>) -> Self {
        self.log = Some(IdLog::default());
        self.reopen = Some(reopen);
        self
    }

    pub(crate) fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The records it reads from (after the last row, to see where reading stopped).
    pub(crate) fn into_records(self) -> Records<R> {
        self.records
    }

    /// Whether any error (not warning) has been found.
    pub(crate) fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| !p.warning)
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
                self.problems.push(utf8_problem(&self.file, self.raw.line, field));
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
            log: Some(log),
            ..ExtractReader::with_schema(file, records, schema)
        }
    }

    /// The case ids logged by a reader made with [`ExtractReader::for_block`].
    pub(crate) fn take_ids(&mut self) -> Option<IdLog> {
        self.log.take()
    }

    /// At the end of a file read with [`ExtractReader::check_ids_at_end`]: when an id
    /// was repeated, reads the file again checking row by row, and takes its problems.
    fn finish_ids(&mut self) {
        // A block of a file (`for_block`) keeps its log for the whole file's check.
        let Some(mut reopen) = self.reopen.take() else {
            return;
        };
        let Some(log) = self.log.take() else {
            return;
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
        if let Err(e) = records.read(&mut header) {
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
                self.problems.push(utf8_problem(file, line, 0));
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
        let mut ok = true;
        let headers = &self.schema.headers;
        let mut days = [None; 3];
        for (day, s) in days.iter_mut().zip([Std::StartDate, Std::EndDate, Std::Dob]) {
            let Some(col) = self.schema.col(s) else {
                continue;
            };
            match day_in(row, col) {
                Ok(d) => *day = d,
                Err(cell) => {
                    let problem = Problem::error(file, Some(line), Some(&headers[col]), date_problem(cell));
                    self.problems.push(problem);
                    ok = false;
                }
            }
        }
        [row.start, row.end, row.dob] = days;
        let id_col = self
            .schema
            .col(Std::CaseId)
            .expect("case_id is required by Schema::new");
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
        if let Some(log) = &mut self.log {
            log.push(id);
        } else if let Some(first) = self.ids.insert(id, line) {
            self.problems.push(Problem::error(
                file,
                Some(line),
                Some(&headers[id_col]),
                format!("case id \"{id}\" appears again (first on line {first})"),
            ));
            return false;
        }
        if row.cell(self.schema.col(Std::Team)).is_none() {
            let col = &headers[self.schema.col(Std::Team).expect("team is required")];
            self.problems.push(Problem::warning(
                file,
                Some(line),
                Some(col),
                format!("case \"{id}\" has no team: it cannot be allocated and will be left out of samples"),
            ));
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
        ok
    }
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

/// A whole extract in memory: one or more files merged per case id.
#[derive(Debug, Clone)]
pub(crate) struct Extract {
    pub(crate) schema: Schema,
    pub(crate) rows: Vec<CaseRow>,
    /// Warnings found while reading and merging.
    pub(crate) warnings: Vec<Problem>,
}

impl Extract {
    pub(crate) fn cases(&self) -> impl Iterator<Item = Case<'_>> {
        self.rows.iter().map(|row| Case {
            schema: &self.schema,
            row,
        })
    }

    /// Merges extracts read from several files (SPEC §3.1): a case in several files
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
    }
}

/// Reads a whole extract file into memory, failing with every problem found.
pub(crate) fn read_all<R: Read>(
    file: &str,
    csv: Records<R>,
    settings: &Settings,
    as_of: NaiveDate,
) -> Result<Extract, Vec<Problem>> {
    let mut reader = ExtractReader::new(file, csv, settings, as_of)?;
    let mut rows = Vec::new();
    let mut row = CaseRow::default();
    while reader.next_row(&mut row) {
        rows.push(row.clone());
    }
    if reader.has_errors() {
        return Err(reader.problems);
    }
    Ok(Extract {
        schema: reader.schema,
        rows,
        warnings: reader.problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_fields_are_listed_in_declaration_order() {
        for (i, (s, ..)) in STD_FIELDS.iter().enumerate() {
            assert_eq!(std_index(*s), i, "{s:?}");
        }
    }

    /// The rows of an extract given as CSV text.
    fn extract_of(csv: &str) -> Extract {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let records = Records::from_bytes(csv.as_bytes().to_vec(), b',');
        read_all("t.csv", records, &Settings::default(), as_of).unwrap()
    }

    /// What a field reads as, by the case and by the reader a compiled filter uses
    /// (asserted to be the same).
    fn read_both(schema: &Schema, row: &CaseRow, name: &str) -> String {
        let (field, _) = filter::Schema::resolve(schema, name).unwrap();
        let value = format!("{:?}", filter::Row::value(&Case { schema, row }, field));
        assert_eq!(
            format!("{:?}", filter::Fields::reader(schema, field)(row)),
            value,
            "{name}"
        );
        value
    }

    /// What a filter reads from each kind of field, through the `Access` table.
    #[test]
    fn each_field_reads_as_its_kind() {
        let csv = "case_id,team,worker,service,start_date,end_date,dob,referral_source,risk_factors,status,step_up,note\n\
                   b) C1,b) Team A,W,a) CIN,01/02/2025,2026-03-04,05/06/2020,Police,2B;3A, Closed ,Yes,c) x\n\
                   C2,Team A,,N/A,,,,d) Early help,,a) other,,\n";
        let extract = extract_of(csv);
        let schema = &extract.schema;
        let show = |row: &CaseRow, name: &str| read_both(schema, row, name);
        let day = |y, m, d| format!("Date({:?})", Day::new(y, m, d).unwrap());
        let (first, second) = (&extract.rows[0], &extract.rows[1]);
        for (name, want) in [
            ("case_id", "Text(\"b) C1\")".to_string()),
            ("team", "Text(\"b) Team A\")".into()),
            ("service", "Text(\"CIN\")".into()),
            ("note", "Text(\"x\")".into()),
            ("start_date", day(2025, 2, 1)),
            ("end_date", day(2026, 3, 4)),
            ("dob", day(2020, 6, 5)),
            ("risk_factors", "List(\"2B;3A\")".into()),
            ("status", "Text(\"closed\")".into()),
            ("step_up", "Bool(true)".into()),
            ("age", "Number(6.0)".into()),
            ("age_at_start", "Number(4.0)".into()),
            ("days_open", "Number(396.0)".into()),
        ] {
            assert_eq!(show(first, name), want, "{name}");
        }
        for (name, want) in [
            ("worker", "Missing"),
            ("service", "Missing"),
            ("start_date", "Missing"),
            ("dob", "Missing"),
            ("age", "Missing"),
            ("status", "Text(\"other\")"),
            // The step_up column read as written, not the derived field.
            ("step_up", "Missing"),
            ("child_name", "Missing"),
            ("days_open", "Missing"),
        ] {
            assert_eq!(show(second, name), want, "{name}");
        }

        // Without status and step_up columns, both are derived.
        let extract = extract_of(
            "case_id,team,end_date,referral_source\nC1,T,01/01/2026,d) Early help\nC2,T,,Police\n",
        );
        let schema = &extract.schema;
        let show = |row: &CaseRow, name: &str| read_both(schema, row, name);
        let (first, second) = (&extract.rows[0], &extract.rows[1]);
        assert_eq!(show(first, "status"), "Text(\"closed\")");
        assert_eq!(show(second, "status"), "Text(\"open\")");
        assert_eq!(show(first, "step_up"), "Bool(true)");
        assert_eq!(show(second, "step_up"), "Bool(false)");
        assert_eq!(show(first, "risk_factors"), "Missing");
    }
}
