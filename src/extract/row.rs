//! One case file as read: its cleaned cells and parsed dates, and the same row
//! seen through its schema ([`Case`]).

use super::schema::Schema;
use super::standard::Std;
use crate::dates::{Day, format_date};
use crate::filter::Value;
use crate::values::{clean, is_missing, parse_yes_no};
use crate::vocab::{referral_is_step_up, strip_label_prefix};
use chrono::NaiveDate;

/// One case file: its cleaned cells and parsed dates.
#[derive(Debug, Clone, Default)]
pub(crate) struct CaseRow {
    /// The row as read; cells are slices of it (cleaned cells that differ from
    /// the raw text, which only NBSPs cause, are appended after it).
    pub(super) text: String,
    pub(super) cells: Vec<(u32, u32)>,
    /// The line of the file the row started on (1 = header).
    pub(crate) line: u64,
    pub(super) start: Option<Day>,
    pub(super) end: Option<Day>,
    pub(super) dob: Option<Day>,
    /// Rows folded into this one (0 for a row read as it is: one).
    pub(super) episodes: u32,
}

impl CaseRow {
    /// A row from cleaned cells (merging builds these).
    pub(super) fn from_cells(cells: &[String], line: u64) -> CaseRow {
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

    /// How many rows of the extract this case was read from.
    pub(crate) fn episodes(&self) -> u32 {
        self.episodes.max(1)
    }

    pub(super) fn start(&self) -> Option<NaiveDate> {
        self.start.map(Day::date)
    }

    pub(super) fn end(&self) -> Option<NaiveDate> {
        self.end.map(Day::date)
    }

    pub(super) fn dob(&self) -> Option<NaiveDate> {
        self.dob.map(Day::date)
    }

    #[inline]
    pub(super) fn cell(&self, col: Option<usize>) -> Option<&str> {
        let v = self.get(col?)?;
        if is_missing(v) { None } else { Some(v) }
    }

    /// Takes `text` as the row and cleans each field of it (README.md#input-files: trimmed,
    /// non-breaking spaces as spaces). Borrowed slices unless a NBSP is present.
    pub(super) fn set(&mut self, text: String, fields: &[(u32, u32)], ascii: bool, edgy: bool) {
        self.text = text;
        self.cells.clear();
        let base = self.text.as_ptr() as usize;
        if ascii {
            self.cells.extend_from_slice(fields);
            let text = &self.text;
            if edgy {
                for cell in &mut self.cells {
                    let (a, b) = (cell.0 as usize, cell.1 as usize);
                    // ASCII whitespace is at most b' ': most cells need no trimming.
                    if a < b && (text.as_bytes()[a] <= b' ' || text.as_bytes()[b - 1] <= b' ') {
                        let t = text[a..b].trim();
                        let at = (t.as_ptr() as usize - base) as u32;
                        *cell = (at, at + t.len() as u32);
                    }
                }
            }
            // A cell guarded against formulas as caseaudit writes it (`'+East`)
            // is read as it was, as `clean` reads it: looked for only in the
            // rare row with an apostrophe.
            if memchr::memchr(b'\'', text.as_bytes()).is_some() {
                for cell in &mut self.cells {
                    let (a, b) = (cell.0 as usize, cell.1 as usize);
                    if let Some(guarded) = text[a..b].strip_prefix('\'')
                        && crate::values::looks_like_formula(guarded)
                    {
                        let t = guarded.trim();
                        let at = (t.as_ptr() as usize - base) as u32;
                        *cell = (at, at + t.len() as u32);
                    }
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
pub(super) fn status_in(cell: &str) -> &str {
    if cell.eq_ignore_ascii_case("closed") {
        "closed"
    } else if cell.eq_ignore_ascii_case("open") {
        "open"
    } else {
        strip_label_prefix(cell)
    }
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
            return match self.value(field) {
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

/// `open` or `closed`: the status column when present, else closed when the end
/// date has passed.
pub(super) fn status_of<'r>(schema: &Schema, row: &'r CaseRow) -> &'r str {
    if let Some(s) = row.cell(schema.col(Std::Status)) {
        return status_in(s);
    }
    match row.end() {
        Some(end) if end <= schema.as_of => "closed",
        _ => "open",
    }
}
