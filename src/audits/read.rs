//! Reading the rows of audits files: every cell checked, every problem located.

use super::{Audit, AuditFile, Audits, FIELDS, Field, Layout, field_index};
#[cfg(test)]
use crate::config::Settings;
use crate::dates::{Month, date_problem, parse_date};
use crate::grades::{Reading, Scale};
use crate::layouts::reader::present;
use crate::problem::Problem;
use crate::values::element_key;
use crate::values::parse_yes_no;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;

/// Reads the rows of every file: all problems found (errors and warnings), or the
/// audits and the warnings. Audit ids must be unique across the files.
pub(crate) fn read<R: Read>(
    files: Vec<AuditFile<R>>,
    layout: Layout,
    scale: &Scale,
) -> Result<(Audits, Vec<Problem>), Vec<Problem>> {
    let mut problems = Vec::new();
    let mut list: Vec<Audit> = Vec::new();
    // Ids of rows with other errors: they still count when looking for duplicates.
    let mut bad_ids: Vec<(String, usize, u64)> = Vec::new();
    let mut id_headings = Vec::new();
    for (file_index, mut f) in files.into_iter().enumerate() {
        let columns = Columns::new(&f, &layout);
        id_headings.push(columns.heading(Field::AuditId).map(str::to_string));
        let mut rec = csv::StringRecord::new();
        while let Some(next) = f.reader.next(&mut rec) {
            match next {
                Err(p) => problems.push(p),
                Ok(line) => {
                    let mut row = RowCheck {
                        file: &f.reader.file,
                        line,
                        problems: &mut problems,
                        errors: 0,
                    };
                    match columns.audit(&mut row, &rec, scale, file_index) {
                        Some(audit) => list.push(audit),
                        None => {
                            if let Some(id) = present(&rec, columns.col(Field::AuditId)) {
                                bad_ids.push((id.to_string(), file_index, line));
                            }
                        }
                    }
                }
            }
        }
    }
    let duplicates = duplicates(&list, &bad_ids, &layout.files, &id_headings);
    if !duplicates.is_empty() {
        problems.extend(duplicates);
        // Back into file and line order, each line's problems as found.
        let order = |p: &Problem| (layout.files.iter().position(|f| *f == p.file), p.line);
        problems.sort_by_key(order);
    }
    if problems.iter().any(|p| !p.warning) {
        return Err(problems);
    }
    Ok((
        Audits {
            layout,
            scale: scale.clone(),
            list,
        },
        problems,
    ))
}

/// Every audit id seen before, in file and line order, as a located error naming
/// where it was first seen. Done after reading, with borrowed keys, so the common
/// case (no duplicates) costs no allocation per row.
fn duplicates(
    list: &[Audit],
    bad_ids: &[(String, usize, u64)],
    files: &[String],
    headings: &[Option<String>],
) -> Vec<Problem> {
    let mut ids: Vec<(&str, usize, u64)> = list
        .iter()
        .map(|a| (a.audit_id.as_str(), a.file, a.line))
        .chain(bad_ids.iter().map(|(id, f, l)| (id.as_str(), *f, *l)))
        .collect();
    if !bad_ids.is_empty() {
        ids.sort_unstable_by_key(|&(_, f, l)| (f, l));
    }
    let mut first: HashMap<&str, (usize, u64), BuildHasherDefault<FxHasher>> =
        HashMap::with_capacity_and_hasher(ids.len(), BuildHasherDefault::default());
    let mut found = Vec::new();
    for (id, file, line) in ids {
        match first.entry(id) {
            Entry::Vacant(e) => {
                e.insert((file, line));
            }
            Entry::Occupied(e) => {
                let (fi, l) = *e.get();
                let at = if fi == file {
                    format!("line {l}")
                } else {
                    format!("{} line {l}", files[fi])
                };
                found.push(Problem::error(
                    &files[file],
                    Some(line),
                    headings[file].as_deref(),
                    format!("audit id \"{id}\" appears again (first on {at})"),
                ));
            }
        }
    }
    found
}

/// rustc's FxHash: a few instructions per word, for short keys such as audit ids.
/// Hash flooding is no concern for the user's own files.
#[derive(Default)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A row being checked: where it is, and the problems found so far.
struct RowCheck<'a> {
    file: &'a str,
    line: u64,
    problems: &'a mut Vec<Problem>,
    errors: usize,
}

impl RowCheck<'_> {
    fn error(&mut self, column: Option<&str>, message: impl Into<String>) {
        self.errors += 1;
        self.problems
            .push(Problem::error(self.file, Some(self.line), column, message));
    }

    fn warning(&mut self, column: Option<&str>, message: impl Into<String>) {
        self.problems
            .push(Problem::warning(self.file, Some(self.line), column, message));
    }
}

/// Where each field and element of the layout is in one file, with its heading.
struct Columns {
    fields: [Option<(usize, String)>; FIELDS.len()],
    /// Column, element index, heading.
    elements: Vec<(usize, usize, String)>,
    /// Column, extra index.
    extras: Vec<(usize, usize)>,
    n_elements: usize,
    n_extras: usize,
}

impl Columns {
    fn new<R: Read>(f: &AuditFile<R>, layout: &Layout) -> Columns {
        let heading = |c: usize| f.reader.headers[c].clone();
        let fields = std::array::from_fn(|i| f.cols[i].map(|c| (c, heading(c))));
        let mut elements = Vec::new();
        if let Some(c) = f.cols[field_index(Field::Overall)] {
            elements.push((c, 0, heading(c)));
        }
        for (c, e) in &f.elements {
            let index = layout
                .element(&e.key)
                .expect("the layout holds every file's elements");
            elements.push((*c, index, heading(*c)));
        }
        let extras = f
            .extras
            .iter()
            .map(|(c, h)| {
                let x = layout
                    .extras
                    .iter()
                    .position(|e| element_key(e) == element_key(h))
                    .expect("the layout holds every file's extra columns");
                (*c, x)
            })
            .collect();
        Columns {
            fields,
            elements,
            extras,
            n_elements: layout.elements.len(),
            n_extras: layout.extras.len(),
        }
    }

    fn col(&self, f: Field) -> Option<usize> {
        self.fields[field_index(f)].as_ref().map(|(c, _)| *c)
    }

    fn heading(&self, f: Field) -> Option<&str> {
        self.fields[field_index(f)].as_ref().map(|(_, h)| h.as_str())
    }

    fn text(&self, rec: &csv::StringRecord, f: Field) -> String {
        present(rec, self.col(f)).unwrap_or("").to_string()
    }

    /// Checks one row; `None` if it has errors (they are in `row.problems`).
    fn audit(
        &self,
        row: &mut RowCheck<'_>,
        rec: &csv::StringRecord,
        scale: &Scale,
        file: usize,
    ) -> Option<Audit> {
        let mut required = |f: Field, what: &str| -> String {
            let v = self.text(rec, f);
            if v.is_empty() {
                row.error(self.heading(f), format!("{what} is blank"));
            }
            v
        };
        let audit_id = required(Field::AuditId, "audit id");
        let case_id = required(Field::CaseId, "case id");
        let auditor_id = required(Field::AuditorId, "auditor id");
        let team = required(Field::Team, "team");
        let month = match present(rec, self.col(Field::Month)).map(str::parse::<Month>) {
            Some(Ok(m)) => Some(m),
            Some(Err(message)) => {
                row.error(self.heading(Field::Month), message);
                None
            }
            None => {
                row.error(self.heading(Field::Month), "month is blank (expected YYYY-MM)");
                None
            }
        };
        let mut date = |f: Field| -> Option<NaiveDate> {
            let cell = present(rec, self.col(f))?;
            let d = parse_date(cell);
            if d.is_none() {
                row.error(self.heading(f), date_problem(cell));
            }
            d
        };
        let completed_on = date(Field::CompletedOn);
        let action_due = date(Field::ActionDue);
        let action_done_on = present(rec, self.col(Field::ActionDone)).and_then(parse_date);
        let action_done = match present(rec, self.col(Field::ActionDone)) {
            None => false,
            Some(cell) => match parse_yes_no(cell) {
                Some(b) => b,
                None if parse_date(cell).is_some() => true,
                None => {
                    row.error(
                        self.heading(Field::ActionDone),
                        format!("\"{cell}\" is not yes, no or the date it was done"),
                    );
                    false
                }
            },
        };
        let safeguarding_concern = match present(rec, self.col(Field::SafeguardingConcern)) {
            None => false,
            Some(cell) => parse_yes_no(cell).unwrap_or_else(|| {
                row.error(
                    self.heading(Field::SafeguardingConcern),
                    format!("\"{cell}\" is not yes or no"),
                );
                false
            }),
        };
        let mut grades = vec![None; self.n_elements].into_boxed_slice();
        for (col, element, heading) in &self.elements {
            let cell = rec.get(*col).unwrap_or("");
            match scale.read(cell) {
                Reading::Graded(g) => grades[*element] = Some(g),
                Reading::NotGraded => {
                    if *element == 0 {
                        row.warning(
                            Some(heading),
                            "no overall grade: this audit is left out of the overall figures",
                        );
                    }
                }
                Reading::Unknown => row.error(Some(heading), scale.unknown_message(cell)),
            }
        }
        if row.errors > 0 {
            return None;
        }
        let mut extras = vec![String::new(); if self.extras.is_empty() { 0 } else { self.n_extras }];
        for (col, x) in &self.extras {
            extras[*x] = present(rec, Some(*col)).unwrap_or("").to_string();
        }
        Some(Audit {
            audit_id,
            case_id,
            month_text: month?.to_string(),
            month: month?,
            auditor_id,
            team,
            service: self.text(rec, Field::Service),
            frame: self.text(rec, Field::Frame),
            completed_on,
            grades,
            strengths: self.text(rec, Field::Strengths),
            learning: self.text(rec, Field::Learning),
            action: self.text(rec, Field::Action),
            action_owner: self.text(rec, Field::ActionOwner),
            action_due,
            action_done_on,
            action_done,
            safeguarding_concern,
            extras,
            file,
            line: row.line,
        })
    }
}

/// Reads audits from in-memory text (tests and the demo's self-checks).
#[cfg(test)]
pub(crate) fn read_str(
    files: &[(&str, &str)],
    settings: &Settings,
) -> Result<(Audits, Vec<Problem>), Vec<Problem>> {
    let mut opened = Vec::new();
    let mut warnings = Vec::new();
    for (name, text) in files {
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let (f, w) = AuditFile::open(name, csv, settings)?;
        warnings.extend(w);
        opened.push(f);
    }
    let scale = Scale::new(&settings.grades).expect("valid settings");
    let layout = Layout::new(&opened, &scale);
    let (audits, mut more) = read(opened, layout, &scale)?;
    warnings.append(&mut more);
    Ok((audits, warnings))
}
