//! Excel workbooks (`.xlsx`, `.xlsm`, `.xls`, `.ods`) as inputs: each sheet becomes
//! CSV text for the ordinary readers. Date cells become `yyyy-mm-dd`, formulas give
//! their cached values, error cells (`#N/A`) stay as their text, so the rules for
//! missing values apply. Sheet rows keep their numbers, so problems name the row.

use crate::dates::{excel_serial_to_date, format_date};
use anyhow::{Context, Result, anyhow};
use calamine::{Data, Reader, open_workbook_auto};
use std::path::Path;

/// Whether a path names a workbook (by extension).
pub(crate) fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["xlsx", "xlsm", "xlsb", "xls", "ods"].contains(&e.to_ascii_lowercase().as_str()))
}

/// One sheet, as CSV text whose line numbers are the sheet's row numbers.
pub(crate) struct Sheet {
    pub(crate) name: String,
    pub(crate) csv: Vec<u8>,
}

/// Reads the sheets of a workbook: the one named `only`, or every non-empty sheet.
pub(crate) fn read_sheets(path: &Path, only: Option<&str>) -> Result<Vec<Sheet>> {
    let mut book =
        open_workbook_auto(path).with_context(|| format!("cannot read the workbook {}", path.display()))?;
    let names = book.sheet_names();
    let wanted: Vec<String> = match only {
        Some(name) => {
            let found = names
                .iter()
                .find(|n| n.trim().eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| {
                    anyhow!(
                        "{} has no sheet \"{name}\" (its sheets: {})",
                        path.display(),
                        names.join(", ")
                    )
                })?;
            vec![found.clone()]
        }
        None => names.clone(),
    };
    let mut sheets = Vec::new();
    for name in wanted {
        let range = book
            .worksheet_range(&name)
            .with_context(|| format!("cannot read sheet \"{name}\" of {}", path.display()))?;
        if range.is_empty() && only.is_none() {
            continue;
        }
        sheets.push(Sheet {
            csv: range_to_csv(&range)?,
            name,
        });
    }
    Ok(sheets)
}

fn range_to_csv(range: &calamine::Range<Data>) -> Result<Vec<u8>> {
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    // Blank lines before the first used row keep CSV line numbers equal to sheet rows
    // (the CSV reader skips blank lines but counts them).
    let mut out = vec![b'\n'; first_row as usize];
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(&mut out);
    for row in range.rows() {
        let mut cells: Vec<String> = std::iter::repeat_n(String::new(), first_col as usize).collect();
        cells.extend(row.iter().map(cell_text));
        // A row with nothing in it is written as a blank line, which readers skip.
        if cells.iter().all(String::is_empty) {
            w.write_record(None::<&[u8]>)?;
            continue;
        }
        w.write_record(&cells)?;
    }
    w.flush()?;
    drop(w);
    Ok(out)
}

/// A cell as the CSV readers expect it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => (if *b { "yes" } else { "no" }).to_string(),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            excel_serial_to_date(serial.floor() as i64).map_or_else(|| serial.to_string(), format_date)
        }
        Data::Error(e) => e.to_string(),
    }
}
