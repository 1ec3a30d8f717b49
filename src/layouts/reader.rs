//! Reading a headed table of one of the small layouts: columns found by heading,
//! row widths checked, cells cleaned, every problem located.

use crate::layouts::headings::{Found, Headings, Mapping};
use crate::problem::{Kind, Problem, row_problem};
use std::io::Read;

/// Reads a headed CSV file of one of the small layouts (auditors, history, audits,
/// moderation): finds columns by heading, checks row widths, cleans cells.
pub(crate) struct RecordReader<R: Read> {
    pub(crate) file: String,
    csv: csv::Reader<R>,
    pub(crate) headers: Vec<String>,
    keys: std::collections::HashMap<String, usize>,
    raw: csv::StringRecord,
}

impl<R: Read> RecordReader<R> {
    pub(crate) fn new(file: &str, mut csv: csv::Reader<R>) -> Result<Self, Problem> {
        let mut header = csv::StringRecord::new();
        match csv.read_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                return Err(Problem::error(
                    file,
                    None,
                    None,
                    "the file is empty (a header row is required)",
                ));
            }
            Err(e) => return Err(csv_problem(file, &e)),
        }
        let headers: Vec<String> = header
            .iter()
            .map(|h| crate::values::clean(h).into_owned())
            .collect();
        let keys = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (crate::values::header_key(h), i))
            .collect();
        Ok(RecordReader {
            file: file.to_string(),
            csv,
            headers,
            keys,
            raw: csv::StringRecord::new(),
        })
    }

    /// The column with this heading (case-insensitive, `_` and space alike).
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        let key = crate::values::header_key(name);
        self.keys
            .get(&key)
            .or_else(|| self.keys.get(&key.replace('_', " ")))
            .copied()
    }

    /// Where each field of a layout is, its headings mapped by `mapping` (see
    /// [`Headings::resolve`]), or every problem with them.
    pub(crate) fn resolve(&self, layout: &Headings, mapping: &Mapping) -> Result<Found, Vec<Problem>> {
        layout.resolve(&self.file, &self.headers, mapping)
    }

    /// A problem for each required heading that is missing.
    pub(crate) fn missing(&self, required: &[&str]) -> Vec<Problem> {
        required
            .iter()
            .filter(|name| self.column(name).is_none())
            .map(|name| {
                Problem::error(
                    &self.file,
                    Some(1),
                    Some(name),
                    format!(
                        "required column is missing (the header has: {})",
                        self.headers.join(", ")
                    ),
                )
            })
            .collect()
    }

    /// Like [`RecordReader::next`], but a bad row is added to `problems` and skipped:
    /// the loop every layout reader runs to collect all its problems. At the end,
    /// the rows that are not UTF-8 are summarised in one error.
    pub(crate) fn next_good(
        &mut self,
        rec: &mut csv::StringRecord,
        problems: &mut Vec<Problem>,
    ) -> Option<u64> {
        loop {
            match self.next(rec) {
                Some(Ok(line)) => return Some(line),
                Some(Err(p)) => problems.push(p),
                None => {
                    crate::problem::summarise_not_utf8(problems);
                    return None;
                }
            }
        }
    }

    /// Reads the next row into `rec` (cells cleaned) and returns its line; a row of the
    /// wrong width or a malformed row is a problem. `None` at the end.
    pub(crate) fn next(&mut self, rec: &mut csv::StringRecord) -> Option<Result<u64, Problem>> {
        loop {
            match self.csv.read_record(&mut self.raw) {
                Ok(false) => return None,
                Err(e) => {
                    let mut problem = csv_problem(&self.file, &e);
                    // A cell that is not UTF-8 is named by its column.
                    if let csv::ErrorKind::Utf8 { err, .. } = e.kind()
                        && let Some(heading) = self.headers.get(err.field()).filter(|h| !h.is_empty())
                    {
                        problem.column = Some(heading.clone());
                        problem.message = format!("is not valid UTF-8 ({})", crate::problem::NOT_UTF8_ADVICE);
                    }
                    return Some(Err(problem));
                }
                Ok(true) => {}
            }
            let line = self.raw.position().map_or(0, csv::Position::line);
            if self.raw.len() == 1 && self.raw.get(0).is_some_and(|c| c.trim().is_empty()) {
                continue;
            }
            if let Some(problem) = row_problem(&self.file, line, &self.raw, &self.headers) {
                return Some(Err(problem));
            }
            rec.clear();
            for cell in &self.raw {
                rec.push_field(&crate::values::clean(cell));
            }
            return Some(Ok(line));
        }
    }
}

/// A cell that means something (not empty, `NULL`, `N/A`, `#N/A`).
pub(crate) fn present(rec: &csv::StringRecord, col: Option<usize>) -> Option<&str> {
    let v = rec.get(col?)?;
    if crate::values::is_missing(v) {
        None
    } else {
        Some(v)
    }
}

/// Turns a csv crate error into a located problem.
pub(crate) fn csv_problem(file: &str, err: &csv::Error) -> Problem {
    let line = err.position().map(csv::Position::line);
    let message = match err.kind() {
        csv::ErrorKind::Utf8 { err, .. } => {
            let message = format!(
                "field {} is not valid UTF-8 ({})",
                err.field() + 1,
                crate::problem::NOT_UTF8_ADVICE
            );
            return Problem::error(file, line, None, message).of_kind(Kind::NotUtf8);
        }
        csv::ErrorKind::Io(e) => format!("read error: {e}"),
        _ => err.to_string(),
    };
    Problem::error(file, line, None, message)
}
