//! The machine keys of a form: the marker that tells a sheet is a form, the
//! keys of its columns and rows, and finding a returned sheet's cells by key,
//! wherever the rows and columns were moved to.

use crate::values::element_key;
use crate::workbook::PlacedCell;
use std::collections::HashMap;

/// The text of the marker cell of an audit form: its column holds the row keys,
/// its row the column keys.
pub(crate) const AUDIT_MARKER: &str = "caseaudit:audit-form";
/// The text of the marker cell of a moderation form.
pub(crate) const MODERATION_MARKER: &str = "caseaudit:moderation-form";
/// How an audit form's title begins (the title is on the form, not hidden).
pub(crate) const AUDIT_TITLE: &str = "Case file audit:";
/// How a moderation form's title begins.
pub(crate) const MODERATION_TITLE: &str = "Moderation of audit";
/// The key of a moderation form's column showing the auditor's grades.
pub(crate) const AUDITOR: &str = "auditor";
/// The key of the column holding the answers (grades, dates, text).
pub(crate) const VALUE: &str = "value";
/// The key of the column holding the evidence for an element's grade.
pub(crate) const EVIDENCE: &str = "evidence";

/// The header block: the case and its audit, filled in by `forms` and locked.
pub(crate) const HEADER: [(&str, &str); 9] = [
    ("audit_id", "Audit id"),
    ("case_id", "Case"),
    ("team", "Team"),
    ("worker", "Worker"),
    ("service", "Service"),
    ("frame", "Sampling frame"),
    ("auditor_id", "Auditor"),
    ("month", "Month"),
    ("due", "Due by"),
];

/// The rows naming the child, after the header block, only when the settings
/// ask (`[forms] identify_child`); filled in and locked as the header is.
pub(crate) const CHILD: [(&str, &str); 2] = [("child_name", "Child's name"), ("dob", "Date of birth")];

/// What an answer cell holds, which decides its validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Grade,
    /// Theme tags from the settings, free text allowed after them.
    Tags,
    Text,
    Date,
    YesNo,
    /// Yes, no, or the date it was done.
    YesNoOrDate,
}

/// The findings after the elements: key, label, kind.
pub(crate) const FINDINGS: [(&str, &str, Kind); 9] = [
    ("overall", "Overall grade", Kind::Grade),
    ("strengths", "Strengths (theme tags, ; between them)", Kind::Tags),
    ("learning", "Learning (theme tags, ; between them)", Kind::Tags),
    ("action", "Action", Kind::Text),
    ("action_owner", "Action owner", Kind::Text),
    ("action_due", "Action due (date)", Kind::Date),
    (
        "action_done",
        "Action done (yes, no or the date)",
        Kind::YesNoOrDate,
    ),
    ("safeguarding_concern", "Safeguarding concern raised", Kind::YesNo),
    ("completed_on", "Audit completed on (date)", Kind::Date),
];

/// Every key a form uses for itself, in its hidden column or row (the header
/// blocks and findings of the audit and moderation forms, the column keys):
/// an element of practice keyed as one of them would be read as it, so the
/// settings refuse such an element.
pub(crate) fn reserved() -> impl Iterator<Item = &'static str> {
    HEADER
        .iter()
        .chain(&CHILD)
        .map(|(k, _)| *k)
        .chain(FINDINGS.iter().map(|(k, ..)| *k))
        .chain(super::moderation::HEADER.iter().map(|(k, _)| *k))
        .chain(super::moderation::FINDINGS.iter().map(|(k, ..)| *k))
        .chain([VALUE, EVIDENCE, AUDITOR])
}

/// One sheet of a returned form, its cells found by key.
#[derive(Debug)]
pub(crate) struct Located<'a> {
    /// Row key (as [`element_key`] writes it) to its row.
    rows: HashMap<String, u32>,
    /// Each row key as written, with its row, in row order.
    keys: Vec<(String, u32)>,
    value_col: u32,
    evidence_col: Option<u32>,
    cells: HashMap<(u32, u32), &'a str>,
}

/// A cell found by key: its text (empty when blank) and its name (`C14`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found<'a> {
    pub(crate) text: &'a str,
    pub(crate) cell: String,
}

impl<'a> Located<'a> {
    /// Finds the marker among `cells`: `None` when the sheet is not a form
    /// (a sheet of lists, or a note the user added); an error when the marker
    /// is there but the column keys or a row key are missing or repeated, or
    /// when the form's title is there but not its marker (the hidden key
    /// column deleted), so that such a form is named, not passed over.
    pub(crate) fn find(cells: &'a [PlacedCell], marker: &str) -> Option<Result<Located<'a>, String>> {
        let Some(&(marker_row, key_col, _)) = cells.iter().find(|c| c.2.trim() == marker) else {
            let title = if marker == MODERATION_MARKER {
                MODERATION_TITLE
            } else {
                AUDIT_TITLE
            };
            return cells
                .iter()
                .any(|c| c.2.trim_start().starts_with(title))
                .then(|| {
                    Err("the form has lost its hidden key column (column A, which tells which answer is which: the column deleted, or its first cell cleared), so its answers cannot be read; copy them into a new form written by `caseaudit forms`".to_string())
                });
        };
        let mut value_col = None;
        let mut evidence_col = None;
        let mut rows = HashMap::new();
        let mut keys = Vec::new();
        for (r, c, text) in cells {
            let key = element_key(text);
            if *r == marker_row && *c != key_col {
                match key.as_str() {
                    VALUE => value_col = Some(*c),
                    EVIDENCE => evidence_col = Some(*c),
                    _ => {}
                }
            } else if *c == key_col && *r != marker_row && !key.is_empty() {
                keys.push((text.trim().to_string(), *r));
                if let Some(first) = rows.insert(key, *r) {
                    return Some(Err(format!(
                        "the key \"{}\" is on rows {} and {} of the hidden column {}: a row was copied; keep one",
                        text.trim(),
                        first + 1,
                        r + 1,
                        column_name(*c)
                    )));
                }
            }
        }
        let Some(value_col) = value_col else {
            return Some(Err(format!(
                "the form's hidden row {} has lost its \"{VALUE}\" key, so its answers cannot be found",
                marker_row + 1
            )));
        };
        keys.sort_by_key(|(_, r)| *r);
        Some(Ok(Located {
            rows,
            keys,
            value_col,
            evidence_col,
            cells: cells.iter().map(|(r, c, t)| ((*r, *c), t.as_str())).collect(),
        }))
    }

    /// Every row key as written, in the order of the rows.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(k, _)| k.as_str())
    }

    /// The answer of the row keyed `key`; `None` when there is no such row.
    pub(crate) fn value(&self, key: &str) -> Option<Found<'a>> {
        self.at(key, self.value_col)
    }

    /// The evidence beside the row keyed `key`.
    pub(crate) fn evidence(&self, key: &str) -> Option<Found<'a>> {
        self.at(key, self.evidence_col?)
    }

    fn at(&self, key: &str, col: u32) -> Option<Found<'a>> {
        let &row = self.rows.get(&element_key(key))?;
        Some(Found {
            text: self.cells.get(&(row, col)).map_or("", |t| t.trim()),
            cell: cell_name(row, col),
        })
    }
}

/// A cell's name: row 13, column 2 (from 0) is `C14`.
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_name(col), row + 1)
}

fn column_name(col: u32) -> String {
    let mut name = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let d = (n - 1) % 26;
        name.push(b'A' + d as u8);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(r: u32, c: u32, t: &str) -> PlacedCell {
        (r, c, t.to_string())
    }

    #[test]
    fn cells_are_found_by_key_wherever_the_rows_and_columns_went() {
        // The value column moved to E, the evidence column to B, the rows swapped.
        let cells = vec![
            cell(0, 0, AUDIT_MARKER),
            cell(0, 4, "value"),
            cell(0, 1, "evidence"),
            cell(7, 0, "overall"),
            cell(7, 4, "Good"),
            cell(3, 0, "Plans"),
            cell(3, 4, "RI"),
            cell(3, 1, "No plan since May"),
        ];
        let form = Located::find(&cells, AUDIT_MARKER).unwrap().unwrap();
        let overall = form.value("overall").unwrap();
        assert_eq!((overall.text, overall.cell.as_str()), ("Good", "E8"));
        assert_eq!(form.value("plans").unwrap().text, "RI");
        assert_eq!(form.evidence("plans").unwrap().text, "No plan since May");
        assert_eq!(form.evidence("overall").unwrap().text, "");
        assert_eq!(form.value("voice"), None);
    }

    #[test]
    fn a_sheet_without_the_marker_is_no_form_and_a_copied_row_is_an_error() {
        assert!(Located::find(&[cell(0, 0, "Lists")], AUDIT_MARKER).is_none());
        let copied = vec![
            cell(0, 0, AUDIT_MARKER),
            cell(0, 2, "value"),
            cell(4, 0, "risk"),
            cell(9, 0, "risk"),
        ];
        let err = Located::find(&copied, AUDIT_MARKER).unwrap().unwrap_err();
        assert!(err.contains("rows 5 and 10"), "{err}");
        let lost = vec![cell(0, 0, AUDIT_MARKER), cell(4, 0, "risk")];
        assert!(Located::find(&lost, AUDIT_MARKER).unwrap().is_err());
        // The key column deleted: the title moved into column A, no marker.
        let deleted = vec![
            cell(0, 1, "value"),
            cell(1, 0, "Case file audit: C1"),
            cell(4, 0, "Risk"),
        ];
        let err = Located::find(&deleted, AUDIT_MARKER).unwrap().unwrap_err();
        assert!(err.contains("lost its hidden key column"), "{err}");
        assert!(Located::find(&deleted, MODERATION_MARKER).is_none());
    }

    #[test]
    fn cell_names_run_past_z() {
        assert_eq!(cell_name(13, 2), "C14");
        assert_eq!(cell_name(0, 25), "Z1");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(0, 702), "AAA1");
    }
}
