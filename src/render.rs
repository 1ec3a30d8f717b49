//! Rendering rows and summaries as a terminal table, CSV, JSON or Markdown. A
//! rendering is a pure function of the rows, so every format can be tested.

use crate::csvio::neutralise;
use crate::output::Format;
use anyhow::Result;
use std::io::Write;

/// One value in an output row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// A number shown with `decimals` places in tables and Markdown, and in full
    /// precision in CSV and JSON.
    Num(f64, usize),
}

impl Cell {
    pub(crate) fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
    }

    pub(crate) fn opt_num(v: Option<f64>, decimals: usize) -> Cell {
        match v {
            Some(x) if x.is_finite() => Cell::Num(x, decimals),
            _ => Cell::Empty,
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Num(..))
    }

    /// Full-precision text, as CSV writes it.
    fn exact(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Num(x, _) => x.to_string(),
        }
    }

    /// Rounded text, as a person reads it.
    fn shown(&self) -> String {
        match self {
            Cell::Num(x, d) => format!("{x:.d$}", d = *d),
            other => other.exact(),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::text(s)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::text(s)
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Cell {
        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Cell {
    fn from(n: usize) -> Cell {
        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// How cells are written.
#[derive(Debug, Clone, Default)]
pub(crate) struct RenderOptions {
    /// Leave formula-like text as it is (`--raw`).
    pub(crate) raw: bool,
    /// Bold headers in terminal tables.
    pub(crate) color: bool,
    /// Replace case ids with keyed pseudonyms (`--redact`), under this key.
    pub(crate) redact: Option<String>,
}

/// Writes rows one at a time. CSV and JSON stream; tables and Markdown are laid out
/// when [`RowWriter::finish`] is called.
pub(crate) struct RowWriter<'w> {
    format: Format,
    columns: Vec<String>,
    opts: RenderOptions,
    /// The destination; moved into `csv` while a CSV writer holds it.
    out: Option<&'w mut dyn Write>,
    csv: Option<csv::Writer<&'w mut dyn Write>>,
    held: Vec<Vec<Cell>>,
    rows_written: usize,
}

impl<'w> RowWriter<'w> {
    pub(crate) fn new(
        format: Format,
        columns: Vec<String>,
        out: &'w mut dyn Write,
        opts: RenderOptions,
    ) -> Result<RowWriter<'w>> {
        let mut writer = RowWriter {
            format,
            columns,
            opts,
            out: None,
            csv: None,
            held: Vec::new(),
            rows_written: 0,
        };
        if format == Format::Csv {
            let mut w = csv::WriterBuilder::new().from_writer(out);
            w.write_record(&writer.columns)?;
            writer.csv = Some(w);
        } else {
            if format == Format::Json {
                out.write_all(b"[")?;
            }
            writer.out = Some(out);
        }
        Ok(writer)
    }

    pub(crate) fn write(&mut self, mut row: Vec<Cell>) -> Result<()> {
        if let Some(key) = &self.opts.redact {
            for (cell, name) in row.iter_mut().zip(&self.columns) {
                if let Cell::Text(id) = cell
                    && crate::privacy::is_case_id_column(name)
                {
                    *id = crate::privacy::pseudonym(key, id);
                }
            }
        }
        match self.format {
            Format::Csv => {
                let raw = self.opts.raw;
                let w = self.csv.as_mut().expect("a CSV writer is set up in new()");
                for cell in &row {
                    let text = cell.exact();
                    if raw || cell.is_numeric() {
                        w.write_field(&text)?
                    } else {
                        w.write_field(neutralise(&text).as_ref())?
                    }
                }
                w.write_record(None::<&[u8]>)?;
            }
            Format::Json => {
                let out = self.out.as_mut().expect("JSON writes to `out`");
                out.write_all(if self.rows_written > 0 { b",\n  " } else { b"\n  " })?;
                serde_json::to_writer(&mut **out, &json_object(&self.columns, &row))?;
            }
            _ => self.held.push(row),
        }
        self.rows_written += 1;
        Ok(())
    }

    /// Completes the output (closing brackets, laying out tables) and flushes it.
    pub(crate) fn finish(mut self) -> Result<()> {
        let out: &mut dyn Write = match self.csv.take() {
            Some(w) => w.into_inner().map_err(|e| anyhow::Error::new(e.into_error()))?,
            None => self.out.take().expect("non-CSV formats write to `out`"),
        };
        match self.format {
            Format::Csv => {}
            Format::Json => out.write_all(if self.rows_written > 0 { b"\n]\n" } else { b"]\n" })?,
            Format::Markdown | Format::Html => {
                out.write_all(markdown(&self.columns, &self.held).as_bytes())?
            }
            Format::Table => out.write_all(table(&self.columns, &self.held, &self.opts).as_bytes())?,
            Format::Xlsx => out.write_all(&xlsx(&self.columns, &self.held)?)?,
        }
        out.flush()?;
        Ok(())
    }
}

/// Renders a whole table at once.
pub(crate) fn render(
    format: Format,
    columns: &[&str],
    rows: Vec<Vec<Cell>>,
    out: &mut dyn Write,
    opts: RenderOptions,
) -> Result<()> {
    let mut w = RowWriter::new(
        format,
        columns.iter().map(|c| (*c).to_string()).collect(),
        out,
        opts,
    )?;
    for row in rows {
        w.write(row)?;
    }
    w.finish()
}

fn json_object(columns: &[String], row: &[Cell]) -> serde_json::Value {
    let map = columns
        .iter()
        .zip(row)
        .map(|(k, cell)| {
            let v = match cell {
                Cell::Empty => serde_json::Value::Null,
                Cell::Text(s) => serde_json::Value::String(s.clone()),
                Cell::Int(i) => serde_json::Value::from(*i),
                Cell::Num(x, _) => {
                    serde_json::Number::from_f64(*x).map_or(serde_json::Value::Null, Into::into)
                }
            };
            (k.clone(), v)
        })
        .collect();
    serde_json::Value::Object(map)
}

/// A Markdown pipe table; numeric columns are right-aligned.
pub(crate) fn markdown(columns: &[String], rows: &[Vec<Cell>]) -> String {
    let escape = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let numeric: Vec<bool> = (0..columns.len())
        .map(|i| rows.iter().any(|r| r.get(i).is_some_and(Cell::is_numeric)))
        .collect();
    let mut out = String::new();
    out.push('|');
    for c in columns {
        out.push_str(&format!(" {} |", escape(c)));
    }
    out.push_str("\n|");
    for &num in &numeric {
        out.push_str(if num { "---:|" } else { "---|" });
    }
    out.push('\n');
    for row in rows {
        out.push('|');
        for cell in row {
            out.push_str(&format!(" {} |", escape(&cell.shown())));
        }
        out.push('\n');
    }
    out
}

/// An Excel workbook: bold, frozen, filtered header; numbers as numbers; ISO dates as
/// date cells; all other text as text cells, which Excel never evaluates as formulas.
pub(crate) fn xlsx(columns: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("caseaudit")?;
    let bold = XFormat::new().set_bold();
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    for (c, name) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, col16(c)?, name, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1)?;
        for (c, cell) in row.iter().enumerate() {
            let c = col16(c)?;
            match cell {
                Cell::Empty => {}
                Cell::Int(i) => {
                    sheet.write_number(r, c, *i as f64)?;
                }
                Cell::Num(x, _) => {
                    sheet.write_number(r, c, *x)?;
                }
                Cell::Text(s) => match iso_date(s) {
                    Some((y, m, d)) => {
                        sheet.write_datetime_with_format(r, c, ExcelDateTime::from_ymd(y, m, d)?, &date)?;
                    }
                    None => {
                        sheet.write_string(r, c, s)?;
                    }
                },
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    if !columns.is_empty() {
        sheet.autofilter(0, 0, u32::try_from(rows.len())?, col16(columns.len() - 1)?)?;
    }
    sheet.autofit();
    Ok(book.save_to_buffer()?)
}

fn col16(c: usize) -> Result<u16> {
    Ok(u16::try_from(c)?)
}

/// `yyyy-mm-dd` exactly, as every output writes dates.
fn iso_date(s: &str) -> Option<(u16, u8, u8)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    use chrono::Datelike;
    Some((
        u16::try_from(d.year()).ok()?,
        u8::try_from(d.month()).ok()?,
        u8::try_from(d.day()).ok()?,
    ))
}

/// A terminal table; numeric columns are right-aligned.
pub(crate) fn table(columns: &[String], rows: &[Vec<Cell>], opts: &RenderOptions) -> String {
    use comfy_table::{Attribute, Cell as TCell, CellAlignment, ContentArrangement, Table, presets};
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    t.set_header(columns.iter().map(|c| {
        let cell = TCell::new(c);
        if opts.color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));
    for row in rows {
        t.add_row(row.iter().map(|cell| {
            let c = TCell::new(cell.shown());
            if cell.is_numeric() {
                c.set_alignment(CellAlignment::Right)
            } else {
                c
            }
        }));
    }
    format!("{t}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(format: Format, rows: Vec<Vec<Cell>>) -> String {
        let mut buf = Vec::new();
        render(format, &["name", "pct"], rows, &mut buf, RenderOptions::default()).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn csv_is_exact_and_safe() {
        let out = rendered(
            Format::Csv,
            vec![vec![Cell::text("=1+1"), Cell::Num(33.333_333, 1)]],
        );
        assert_eq!(out, "name,pct\n'=1+1,33.333333\n");
    }

    #[test]
    fn json_has_typed_values() {
        let out = rendered(
            Format::Json,
            vec![
                vec![Cell::text("A"), Cell::Num(12.5, 1)],
                vec![Cell::Empty, Cell::Int(3)],
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v[0]["pct"], 12.5);
        assert!(v[1]["name"].is_null());
        assert_eq!(rendered(Format::Json, vec![]), "[]\n");
    }

    #[test]
    fn markdown_rounds_and_aligns() {
        let out = rendered(
            Format::Markdown,
            vec![vec![Cell::text("a|b"), Cell::Num(66.666, 1)]],
        );
        assert_eq!(out, "| name | pct |\n|---|---:|\n| a\\|b | 66.7 |\n");
    }
}
