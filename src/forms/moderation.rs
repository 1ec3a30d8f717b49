//! Moderation forms: one sheet per audit chosen for moderation, the auditor's
//! grades shown beside a dropdown for the moderator's, whether the audit is
//! challenged, a note, the moderator and the date; and reading them back into
//! moderation results.

use super::keys::{AUDITOR, Found, Kind, Located, MODERATION_MARKER, MODERATION_TITLE, VALUE};
use super::returns::{Form, Workbooks, once_each, read_each};
use super::write::{
    LISTS, List, Styles, date_check, excel_date, finish_sheet, grades_and_na, height, lines, lists_sheet,
};
use super::{Answers, Choices, sheet_name};
use crate::config::{Element, Settings};
use crate::dates::{date_problem, format_date, parse_date};
use crate::grades::{Reading, Scale};
use crate::problem::Problem;
use crate::values::{element_key, parse_yes_no};
use crate::workbook::PlacedCell;
use anyhow::Result;
use rust_xlsxwriter::{DataValidation, Format, Workbook, Worksheet, XlsxError};
use std::collections::BTreeMap;

/// The header block of a moderation form: key and label.
pub(crate) const HEADER: [(&str, &str); 6] = [
    ("audit_id", "Audit id"),
    ("case_id", "Case"),
    ("team", "Team"),
    ("auditor_id", "Auditor"),
    ("month", "Month"),
    ("reason", "Chosen for moderation because"),
];

/// The moderator's answers after the elements: key, label, kind.
pub(crate) const FINDINGS: [(&str, &str, Kind); 5] = [
    ("overall", "Overall grade", Kind::Grade),
    ("challenged", "Challenged (sent back to the auditor)", Kind::YesNo),
    ("note", "Note", Kind::Text),
    ("moderator_id", "Moderator (your staff id)", Kind::Text),
    ("moderated_on", "Moderated on (date)", Kind::Date),
];

const KEY: u16 = 0;
const LABEL: u16 = 1;
const AUDITOR_COL: u16 = 2;
const ANSWER: u16 = 3;

/// One audit to moderate, as its form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModerationCase {
    pub(crate) audit_id: String,
    pub(crate) case_id: String,
    pub(crate) team: String,
    pub(crate) auditor_id: String,
    pub(crate) month: String,
    pub(crate) reason: String,
    /// Each element of the audit's template, with the auditor's grade (blank
    /// when not graded).
    pub(crate) elements: Vec<(Element, String)>,
    /// The auditor's overall grade.
    pub(crate) overall: String,
}

/// One moderation form to write: the audit, and the moderator's answers when
/// it is written filled in (by row key; the demo fills its forms so).
pub(crate) struct ModerationForm<'a> {
    pub(crate) case: &'a ModerationCase,
    pub(crate) answers: Option<&'a Answers>,
}

/// The workbook of a month's moderation forms, a sheet per audit.
pub(crate) fn workbook(forms: &[ModerationForm<'_>], choices: &Choices) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let grades = grades_and_na(choices);
    let grade_list = List::new(&grades, 'A');
    let s = Styles::new();
    let shown = Format::new()
        .set_align(rust_xlsxwriter::FormatAlign::Top)
        .set_background_color(rust_xlsxwriter::Color::RGB(0x00EE_EEEE));
    let overall_check = List::new(&choices.grades, 'A')
        .validation()?
        .set_error_title("Not a grade")?
        .set_error_message("Choose the overall grade from the list.")?;
    let grade_check = grade_list
        .validation()?
        .set_error_title("Not a grade")?
        .set_error_message("Choose a grade from the list, or N/A.")?;
    let yes_no = DataValidation::new().allow_list_strings(&["Yes", "No"])?;
    let dates = date_check()?;
    // The hidden lists sheet's name is taken: a case called `Lists` gets `Lists~2`.
    let mut names = vec![LISTS.to_string()];
    for form in forms {
        let case = form.case;
        let answer = |key: &str| {
            form.answers
                .and_then(|a| a.get(key))
                .map_or("", |(v, _)| v.as_str())
        };
        let name = sheet_name(&case.audit_id, &names);
        names.push(name.clone());
        let sheet = book.add_worksheet();
        sheet.set_name(&name)?;
        sheet.set_column_width(KEY, 14)?;
        sheet.set_column_hidden(KEY)?;
        sheet.set_column_width(LABEL, 46)?;
        sheet.set_column_width(AUDITOR_COL, 24)?;
        sheet.set_column_width(ANSWER, 40)?;
        sheet.write_string(0, KEY, MODERATION_MARKER)?;
        sheet.write_string(0, AUDITOR_COL, AUDITOR)?;
        sheet.write_string(0, ANSWER, VALUE)?;
        sheet.set_row_hidden(0)?;
        sheet.write_string_with_format(
            1,
            LABEL,
            format!("{MODERATION_TITLE} {}", case.audit_id),
            &s.title,
        )?;
        let header = [
            &case.audit_id,
            &case.case_id,
            &case.team,
            &case.auditor_id,
            &case.month,
            &case.reason,
        ];
        let mut row = 2;
        for ((key, label), value) in HEADER.iter().zip(header) {
            sheet.write_string(row, KEY, *key)?;
            sheet.write_string_with_format(row, LABEL, *label, &s.label)?;
            sheet.write_string_with_format(row, ANSWER, value, &s.header_value)?;
            row += 1;
        }
        row += 1;
        sheet.write_string_with_format(row, LABEL, "Element of practice", &s.heading)?;
        sheet.write_string_with_format(row, AUDITOR_COL, "Auditor's grade", &s.heading)?;
        sheet.write_string_with_format(row, ANSWER, "Moderator's grade", &s.heading)?;
        row += 1;
        for (e, graded) in &case.elements {
            sheet.write_string(row, KEY, &e.key)?;
            sheet.write_string_with_format(row, LABEL, &e.title, &s.label)?;
            sheet.set_row_height(row, height(lines(&e.title, 46)))?;
            sheet.write_string_with_format(row, AUDITOR_COL, graded, &shown)?;
            write_answer(sheet, row, answer(&e.key), &s.answer)?;
            sheet.add_data_validation(row, ANSWER, row, ANSWER, &grade_check)?;
            row += 1;
        }
        row += 1;
        for (key, label, kind) in FINDINGS {
            sheet.write_string(row, KEY, key)?;
            sheet.write_string_with_format(row, LABEL, label, &s.label)?;
            if key == "overall" {
                sheet.write_string_with_format(row, AUDITOR_COL, &case.overall, &shown)?;
            }
            let (format, check) = match kind {
                Kind::Grade => (&s.answer, Some(&overall_check)),
                Kind::YesNo => (&s.answer, Some(&yes_no)),
                Kind::Date => (&s.answer_date, Some(&dates)),
                _ => (&s.answer, None),
            };
            match parse_date(answer(key)).filter(|_| kind == Kind::Date) {
                // A date typed in, as Excel keeps it: a day number shown as a date.
                Some(d) => {
                    sheet.write_date_with_format(row, ANSWER, excel_date(d)?, format)?;
                }
                None => write_answer(sheet, row, answer(key), format)?,
            }
            if let Some(check) = check {
                sheet.add_data_validation(row, ANSWER, row, ANSWER, check)?;
            }
            row += 1;
        }
        finish_sheet(sheet, &case.audit_id);
    }
    lists_sheet(&mut book, &[&grade_list])?;
    book.save_to_buffer()
}

/// An answer cell: blank, or the text given.
fn write_answer(sheet: &mut Worksheet, row: u32, text: &str, format: &Format) -> Result<(), XlsxError> {
    if text.is_empty() {
        sheet.write_blank(row, ANSWER, format)?;
    } else {
        sheet.write_string_with_format(row, ANSWER, text, format)?;
    }
    Ok(())
}

/// A moderation form filled in: the moderation result's cells by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModerationReturn {
    pub(crate) audit_id: String,
    /// `file: sheet "NAME"`, for messages.
    pub(crate) at: String,
    /// The audit id's cell, for messages.
    pub(crate) id_cell: String,
    /// moderator_id, moderated_on, overall, challenged, note.
    pub(crate) fields: Vec<(&'static str, String)>,
    /// Each element's key and the moderator's grade (blank: not re-graded).
    pub(crate) elements: Vec<(String, String)>,
    /// Where each answer was read from: its key to its cell (`D14`).
    pub(crate) cells: BTreeMap<String, String>,
}

impl ModerationReturn {
    fn field(&self, key: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    fn grade(&self, key: &str) -> &str {
        self.elements
            .iter()
            .find(|(k, _)| element_key(k) == element_key(key))
            .map_or("", |(_, g)| g.as_str())
    }

    /// The moderation result's cell under the column `column`.
    fn value(&self, column: &str) -> String {
        if column == "audit_id" {
            return self.audit_id.clone();
        }
        if FINDINGS.iter().any(|(k, ..)| *k == column) {
            return self.field(column).to_string();
        }
        self.grade(column).to_string()
    }
}

impl Form for ModerationReturn {
    fn audit_id(&self) -> &str {
        &self.audit_id
    }

    fn at(&self) -> &str {
        &self.at
    }

    fn id_cell(&self) -> &str {
        &self.id_cell
    }

    fn differences(&self, other: &Self) -> Vec<String> {
        let mut differ = Vec::new();
        let mut name = |key: &str, label: &str| {
            let cell = self.cells.get(key).map_or(String::new(), |c| format!(" ({c})"));
            differ.push(format!("{label}{cell}"));
        };
        let mut keys: Vec<&str> = self.elements.iter().map(|(k, _)| k.as_str()).collect();
        for (k, _) in &other.elements {
            if !keys.iter().any(|x| element_key(x) == element_key(k)) {
                keys.push(k);
            }
        }
        for key in keys {
            if self.grade(key) != other.grade(key) {
                name(key, &super::read::element_label(key));
            }
        }
        for (key, label, _) in FINDINGS {
            if self.field(key) != other.field(key) {
                name(key, label.split(" (").next().unwrap_or(label));
            }
        }
        differ
    }
}

/// What the moderation forms of some workbooks hold.
pub(crate) struct ModerationRead {
    /// The moderation results, each audit once, in audit id order.
    pub(crate) results: Vec<ModerationReturn>,
    /// Forms without the moderator's overall grade.
    pub(crate) outstanding: usize,
    pub(crate) problems: Vec<Problem>,
    pub(crate) warnings: Vec<Problem>,
}

/// Reads the moderation forms of `books`: each audit once (a copy that agrees
/// is read once, one that differs is an error naming the cells).
pub(crate) fn read_forms(books: &Workbooks, scale: &Scale, settings: &Settings) -> Result<ModerationRead> {
    let mut read = read_each(
        &books.files,
        "moderation form (no sheet written by `caseaudit forms --moderation`)",
        |file, sheet, cells| read_sheet(file, sheet, cells, scale, settings),
    )?;
    let mut warnings = books.passed_over.clone();
    let mut results = once_each(
        read.forms,
        "the moderation of audit",
        &mut read.problems,
        &mut warnings,
    );
    results.sort_by(|a, b| a.audit_id.cmp(&b.audit_id));
    Ok(ModerationRead {
        results,
        outstanding: read.outstanding,
        problems: read.problems,
        warnings,
    })
}

/// The moderation results' columns: the standard ones, then each element
/// some moderator re-graded, those of the settings' templates in their order
/// first.
pub(crate) fn columns(settings: &Settings, results: &[ModerationReturn]) -> Vec<String> {
    let mut columns: Vec<String> = crate::moderation::FIELDS
        .iter()
        .map(|c| (*c).to_string())
        .collect();
    let known = settings
        .template
        .elements
        .iter()
        .chain(settings.templates.values().flat_map(|t| &t.elements))
        .map(|e| e.key.as_str());
    let found = results
        .iter()
        .flat_map(|r| r.elements.iter().map(|(k, _)| k.as_str()));
    let mut regraded: Vec<String> = Vec::new();
    for key in known.chain(found) {
        let graded = results.iter().any(|r| !r.grade(key).is_empty());
        if graded && !regraded.iter().any(|x| element_key(x) == element_key(key)) {
            regraded.push(key.to_string());
        }
    }
    columns.extend(regraded);
    columns
}

/// A moderation result's cells under `columns`.
pub(crate) fn row(result: &ModerationReturn, columns: &[String]) -> Vec<String> {
    columns.iter().map(|c| result.value(c)).collect()
}

/// Reads one sheet: `None` when it is not a moderation form, `Some(Ok(None))`
/// when the moderator's overall grade is not given yet. The elements are
/// those of the settings' templates.
pub(crate) fn read_sheet(
    file: &str,
    sheet: &str,
    cells: &[PlacedCell],
    scale: &Scale,
    settings: &Settings,
) -> Option<Result<Option<ModerationReturn>, Vec<Problem>>> {
    let at = format!("{file}: sheet \"{sheet}\"");
    let form = match Located::find(cells, MODERATION_MARKER)? {
        Ok(form) => form,
        Err(why) => return Some(Err(vec![Problem::error(&at, None, None, why)])),
    };
    let missing: Vec<&str> = ["audit_id", "overall", "moderator_id"]
        .into_iter()
        .filter(|k| form.value(k).is_none())
        .collect();
    if !missing.is_empty() {
        return Some(Err(vec![Problem::error(
            &at,
            None,
            None,
            format!(
                "the form has no row keyed {} (a row deleted, or its hidden key cleared); write the form again with `caseaudit forms --moderation`",
                missing.join(", ")
            ),
        )]));
    }
    let id = form.value("audit_id").expect("checked");
    let overall = form.value("overall").expect("checked");
    if scale.read(overall.text) == Reading::NotGraded {
        return Some(Ok(None));
    }
    let mut problems = Vec::new();
    let mut cells = BTreeMap::new();
    let located = |found: &Found<'_>, label: &str, message: String| {
        Problem::error(
            &format!("{at}, cell {} ({label})", found.cell),
            None,
            None,
            message,
        )
    };
    let grade = |found: &Found<'_>, label: &str| match scale.read(found.text) {
        Reading::Graded(g) => Ok(scale.label(g).to_string()),
        Reading::NotGraded => Ok(String::new()),
        Reading::Unknown => Err(located(found, label, scale.unknown_message(found.text))),
    };
    let elements_known = settings
        .template
        .elements
        .iter()
        .chain(settings.templates.values().flat_map(|t| &t.elements))
        .map(|e| element_key(&e.key))
        .collect::<Vec<_>>();
    let mut elements = Vec::new();
    for key in form.keys() {
        let k = element_key(key);
        if HEADER.iter().any(|(h, _)| element_key(h) == k)
            || FINDINGS.iter().any(|(f, ..)| element_key(f) == k)
        {
            continue;
        }
        let value = form.value(key).expect("a key of the form");
        let label = super::read::element_label(key);
        if !elements_known.contains(&k) {
            problems.push(located(
                &value,
                &label,
                format!(
                    "the row keyed \"{}\" is not an element of any template in the settings: the settings changed since the form was written; put the element back in the settings, or copy the answers into a form written again",
                    key.trim()
                ),
            ));
            continue;
        }
        cells.insert(key.to_string(), value.cell.clone());
        match grade(&value, &label) {
            Ok(g) => elements.push((key.to_string(), g)),
            Err(p) => problems.push(p),
        }
    }
    let mut fields = Vec::new();
    for (key, label, kind) in FINDINGS {
        let found = form.value(key).unwrap_or(Found {
            text: "",
            cell: String::new(),
        });
        if !found.cell.is_empty() {
            cells.insert(key.to_string(), found.cell.clone());
        }
        let label = label.split(" (").next().unwrap_or(label);
        let text = found.text;
        let value = match kind {
            Kind::Grade => grade(&found, label).unwrap_or_else(|p| {
                problems.push(p);
                String::new()
            }),
            Kind::Text if key == "moderator_id" && text.is_empty() => {
                problems.push(located(
                    &found,
                    label,
                    "the moderator is blank: write your staff id".into(),
                ));
                String::new()
            }
            _ if text.is_empty() => String::new(),
            Kind::Date => parse_date(text).map_or_else(
                || {
                    problems.push(located(&found, label, date_problem(text)));
                    String::new()
                },
                format_date,
            ),
            Kind::YesNo => match parse_yes_no(text) {
                Some(b) => (if b { "yes" } else { "no" }).to_string(),
                None => {
                    problems.push(located(&found, label, format!("\"{text}\" is not yes or no")));
                    String::new()
                }
            },
            _ => text.to_string(),
        };
        fields.push((key, value));
    }
    if !problems.is_empty() {
        return Some(Err(problems));
    }
    Some(Ok(Some(ModerationReturn {
        audit_id: id.text.to_string(),
        at,
        id_cell: id.cell,
        fields,
        elements,
        cells,
    })))
}
