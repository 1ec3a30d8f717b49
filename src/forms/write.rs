//! Writing an auditor's forms as one workbook: a sheet per case with its header
//! block locked, a dropdown of grades (and `N/A`) on every grade cell, tags,
//! dates and yes/no validated, the row keys in a hidden column, the sheet
//! protected (no password) but for the answer cells, printable on A4.

use super::keys::{AUDIT_MARKER, AUDIT_TITLE, CHILD, EVIDENCE, FINDINGS, HEADER, Kind, VALUE};
use super::{Answers, Choices, FormCase, sheet_name};
use crate::dates::{format_date, parse_date};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format, FormatAlign,
    FormatBorder, Formula, ProtectionOptions, Workbook, Worksheet, XlsxError,
};

/// The sheet holding the longer dropdown lists (hidden).
pub(super) const LISTS: &str = "Lists";
/// Excel's limit on a list validation written out in full.
const MAX_LIST_CHARS: usize = 255;
/// The columns: key (hidden), label, answer, evidence.
const KEY: u16 = 0;
const LABEL: u16 = 1;
const ANSWER: u16 = 2;
const EVIDENCE_COL: u16 = 3;
/// A4 in Excel's paper sizes.
pub(super) const A4: u8 = 9;
pub(super) const DATE_FORMAT: &str = "yyyy-mm-dd";
/// The answer cells' fill: a pale yellow that shows on screen and on paper
/// which cells are to be filled in (a paler one was lost when printed).
pub(super) const ANSWER_FILL: Color = Color::RGB(0x00FF_F2CC);
/// The label and evidence columns' widths, in characters.
const LABEL_WIDTH: u16 = 46;
const EVIDENCE_WIDTH: u16 = 60;
/// A line of text in points (11-point Calibri), and the lines an element's row
/// has at least, room to write evidence on a printed form.
const LINE: f64 = 15.0;
const ELEMENT_LINES: usize = 2;

/// How many lines `text` wraps to in a column `width` characters wide
/// (roughly: the average character is narrower than the `0` a width counts,
/// so a line holds about 10% more). Rows are given heights: LibreOffice does
/// not fit a row to its wrapped text when it opens or prints a workbook, and
/// the labels ran over each other.
pub(super) fn lines(text: &str, width: u16) -> usize {
    let per_line = (usize::from(width) * 11 / 10).max(1);
    text.split('\n')
        .map(|l| l.chars().count().div_ceil(per_line).max(1))
        .sum()
}

/// A row's height in points for the given number of lines.
pub(super) fn height(lines: usize) -> f64 {
    LINE * lines as f64
}

/// The scale's grades, then `N/A`: what an element's grade dropdown offers.
pub(super) fn grades_and_na(choices: &Choices) -> Vec<String> {
    let mut grades = choices.grades.clone();
    grades.push("N/A".to_string());
    grades
}

/// A date cell's check: any day of 2000 to 2099, its message naming both shapes
/// a date is typed in.
pub(super) fn date_check() -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_date(DataValidationRule::Between(
            ExcelDateTime::from_ymd(2000, 1, 1)?,
            ExcelDateTime::from_ymd(2099, 12, 31)?,
        ))
        .set_error_message("Type a date, e.g. 2026-11-20 or 20/11/2026.")
}

/// One form to write: the case, and answers when it is written filled in.
pub(crate) struct Form<'a> {
    pub(crate) case: &'a FormCase,
    pub(crate) answers: Option<&'a Answers>,
}

/// The workbook of one auditor's forms, as bytes.
pub(crate) fn workbook(forms: &[Form<'_>], choices: &Choices) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let grades = grades_and_na(choices);
    let grade_list = List::new(&grades, 'A');
    // The overall grade is given or the form is not yet filled in: no N/A. The
    // grades are the first rows of the lists sheet's column A, N/A after them.
    let overall_list = List::new(&choices.grades, 'A');
    let tag_list = List::new(&choices.tags, 'B');
    let styles = Styles::new();
    // The hidden lists sheet's name is taken: a case called `Lists` gets `Lists~2`.
    let mut names = vec![LISTS.to_string()];
    for form in forms {
        let name = sheet_name(&form.case.case_id, &names);
        names.push(name.clone());
        let sheet = book.add_worksheet();
        sheet.set_name(&name)?;
        write_form(sheet, form, [&grade_list, &overall_list], &tag_list, &styles)?;
    }
    lists_sheet(&mut book, &[&grade_list, &tag_list])?;
    book.save_to_buffer()
}

/// The hidden sheet of the lists too long to write out in a validation.
pub(super) fn lists_sheet(book: &mut Workbook, lists: &[&List]) -> Result<(), XlsxError> {
    if lists.iter().all(|l| l.formula.is_none()) {
        return Ok(());
    }
    let sheet = book.add_worksheet();
    sheet.set_name(LISTS)?;
    for (col, list) in lists.iter().enumerate() {
        for (row, item) in list.items.iter().enumerate() {
            sheet.write_string(row as u32, col as u16, item)?;
        }
    }
    sheet.set_hidden(true);
    Ok(())
}

/// Protected but for the unlocked cells (no password; columns and rows may be
/// resized), on A4, as wide as the page, `footer` at its foot.
pub(super) fn finish_sheet(sheet: &mut Worksheet, footer: &str) {
    sheet.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    });
    sheet.set_paper_size(A4);
    sheet.set_portrait();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_footer(format!("&L{footer} &R&P of &N"));
}

/// A dropdown's items: written out in the validation when short enough, else
/// a range of the hidden lists sheet.
pub(super) struct List {
    items: Vec<String>,
    formula: Option<String>,
}

impl List {
    pub(super) fn new(items: &[String], column: char) -> List {
        let joined: usize = items.iter().map(|i| i.chars().count() + 1).sum();
        let formula = (joined > MAX_LIST_CHARS || items.iter().any(|i| i.contains(',')))
            .then(|| format!("={LISTS}!${column}$1:${column}${}", items.len().max(1)));
        List {
            items: items.to_vec(),
            formula,
        }
    }

    pub(super) fn validation(&self) -> Result<DataValidation, XlsxError> {
        match &self.formula {
            Some(f) => Ok(DataValidation::new().allow_list_formula(Formula::new(f))),
            None => DataValidation::new().allow_list_strings(&self.items),
        }
    }
}

pub(super) struct Styles {
    pub(super) title: Format,
    pub(super) label: Format,
    pub(super) heading: Format,
    pub(super) header_value: Format,
    pub(super) answer: Format,
    pub(super) answer_date: Format,
    pub(super) evidence: Format,
}

impl Styles {
    pub(super) fn new() -> Styles {
        let answer = Format::new()
            .set_unlocked()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin)
            .set_background_color(ANSWER_FILL);
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            label: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            heading: Format::new().set_bold().set_border_bottom(FormatBorder::Thin),
            header_value: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0x00EE_EEEE)),
            // Left, as the text answers are: a date typed in a text cell is left too.
            answer_date: answer
                .clone()
                .set_num_format(DATE_FORMAT)
                .set_align(FormatAlign::Left),
            evidence: answer.clone(),
            answer,
        }
    }
}

fn write_form(
    sheet: &mut Worksheet,
    form: &Form<'_>,
    [grades, overall]: [&List; 2],
    tags: &List,
    s: &Styles,
) -> Result<(), XlsxError> {
    let case = form.case;
    sheet.set_column_width(KEY, 14)?;
    sheet.set_column_hidden(KEY)?;
    sheet.set_column_width(LABEL, LABEL_WIDTH)?;
    sheet.set_column_width(ANSWER, 26)?;
    sheet.set_column_width(EVIDENCE_COL, EVIDENCE_WIDTH)?;
    // Row 1, hidden: the marker over the key column, the column keys.
    sheet.write_string(0, KEY, AUDIT_MARKER)?;
    sheet.write_string(0, ANSWER, VALUE)?;
    sheet.write_string(0, EVIDENCE_COL, EVIDENCE)?;
    sheet.set_row_hidden(0)?;
    sheet.write_string_with_format(1, LABEL, format!("{AUDIT_TITLE} {}", case.case_id), &s.title)?;
    let header = [
        case.audit_id.clone(),
        case.case_id.clone(),
        case.team.clone(),
        case.worker.clone(),
        case.service.clone(),
        case.frame.clone(),
        case.auditor_id.clone(),
        case.month.to_string(),
        format_date(case.due),
    ];
    let mut row = 2;
    let child = case
        .child
        .as_ref()
        .map(|c| CHILD.iter().zip(c))
        .into_iter()
        .flatten();
    for ((key, label), value) in HEADER.iter().zip(&header).chain(child) {
        sheet.write_string(row, KEY, *key)?;
        sheet.write_string_with_format(row, LABEL, *label, &s.label)?;
        sheet.write_string_with_format(row, ANSWER, value, &s.header_value)?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, LABEL, "Element of practice", &s.heading)?;
    sheet.write_string_with_format(row, ANSWER, "Grade (from the list)", &s.heading)?;
    sheet.write_string_with_format(row, EVIDENCE_COL, "Evidence", &s.heading)?;
    row += 1;
    let answer = |key: &str| form.answers.and_then(|a| a.get(key));
    let grade_check = grades
        .validation()?
        .set_error_title("Not a grade")?
        .set_error_message("Choose a grade from the list, or N/A.")?
        .set_input_message("Choose a grade from the list (the arrow at the cell's right), or N/A.")?;
    for e in &case.elements {
        sheet.write_string(row, KEY, &e.key)?;
        sheet.write_string_with_format(row, LABEL, &e.title, &s.label)?;
        let (value, evidence) = answer(&e.key).cloned().unwrap_or_default();
        let needed = lines(&e.title, LABEL_WIDTH)
            .max(lines(&evidence, EVIDENCE_WIDTH))
            .max(ELEMENT_LINES);
        sheet.set_row_height(row, height(needed))?;
        sheet.write_string_with_format(row, ANSWER, &value, &s.answer)?;
        sheet.write_string_with_format(row, EVIDENCE_COL, &evidence, &s.evidence)?;
        sheet.add_data_validation(row, ANSWER, row, ANSWER, &grade_check)?;
        row += 1;
    }
    row += 1;
    let dates = date_check()?.set_input_message("A date, e.g. 2026-11-20 or 20/11/2026.")?;
    let yes_no = DataValidation::new()
        .allow_list_strings(&["Yes", "No"])?
        .set_input_message("Choose Yes or No from the list.")?;
    for (key, label, kind) in FINDINGS {
        sheet.write_string(row, KEY, key)?;
        sheet.write_string_with_format(row, LABEL, label, &s.label)?;
        let value = answer(key).map_or("", |(v, _)| v.as_str());
        if matches!(kind, Kind::Tags | Kind::Text) {
            sheet.set_row_height(row, height(lines(value, 26).max(ELEMENT_LINES)))?;
        }
        match kind {
            Kind::Date => match parse_date(value) {
                Some(d) => {
                    sheet.write_date_with_format(row, ANSWER, excel_date(d)?, &s.answer_date)?;
                }
                None => {
                    sheet.write_string_with_format(row, ANSWER, value, &s.answer_date)?;
                }
            },
            _ => {
                sheet.write_string_with_format(row, ANSWER, value, &s.answer)?;
            }
        }
        let check = match kind {
            Kind::Grade => Some(
                overall
                    .validation()?
                    .set_error_title("Not a grade")?
                    .set_error_message("Choose the overall grade from the list.")?
                    .set_input_message("Choose the overall grade from the list: the form counts as returned once it has one.")?,
            ),
            Kind::Date => Some(dates.clone()),
            Kind::YesNo => Some(yes_no.clone()),
            // A date is allowed too: the list only warns.
            Kind::YesNoOrDate => Some(
                yes_no
                    .clone()
                    .set_error_style(DataValidationErrorStyle::Information)
                    .set_input_message("Yes, No, or the date it was done.")?,
            ),
            // Free text after a tag (`planning; no plan since May`) is allowed.
            Kind::Tags if !tags.items.is_empty() => Some(
                tags.validation()?
                    .set_error_style(DataValidationErrorStyle::Information)
                    .set_error_message("Not one of the theme tags: kept as you typed it.")?,
            ),
            Kind::Tags | Kind::Text => None,
        };
        if let Some(check) = check {
            sheet.add_data_validation(row, ANSWER, row, ANSWER, &check)?;
        }
        row += 1;
    }
    finish_sheet(sheet, &case.audit_id);
    Ok(())
}

pub(super) fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_counted_in_the_lines_it_wraps_to() {
        // A 46-wide column holds about 50 characters a line.
        assert_eq!(lines("", 46), 1);
        assert_eq!(lines(&"x".repeat(50), 46), 1);
        assert_eq!(lines(&"x".repeat(51), 46), 2);
        assert_eq!(lines("one\ntwo\nthree", 46), 3);
        assert!((height(2) - 30.0).abs() < f64::EPSILON);
    }
}
