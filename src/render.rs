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
    /// The width terminal tables must fit, when it is known (see [`table_width`]);
    /// `None` draws them at full width.
    pub(crate) width: Option<usize>,
    /// CSV separated by tabs, not commas (`-o FILE.tsv`, which is read back so).
    pub(crate) tabs: bool,
}

/// The width a terminal table must fit: the terminal's, or else `COLUMNS` (so
/// `COLUMNS=100 caseaudit … | less` fits 100 columns). With neither, as under
/// `script` or some editors' shells, none: the table is drawn at full width rather
/// than squeezed into a guess.
pub(crate) fn table_width(stdout_is_terminal: bool) -> Option<usize> {
    let terminal = if stdout_is_terminal {
        comfy_table::Table::new().width().map(usize::from)
    } else {
        None
    };
    terminal
        .filter(|&w| w > 0)
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .filter(|&w: &usize| w > 0)
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
            let mut w = csv::WriterBuilder::new()
                .delimiter(if writer.opts.tabs { b'\t' } else { b',' })
                .from_writer(out);
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
            Format::Table => {
                let (text, note) = table(&self.columns, &self.held, &self.opts);
                out.write_all(text.as_bytes())?;
                if let Some(note) = note {
                    // After the table, so the note is the last thing a terminal shows.
                    out.flush()?;
                    say!("{note}");
                }
            }
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
                // Shown with the table's decimals, the cell keeps the full value.
                Cell::Num(x, d) => {
                    let shown = XFormat::new().set_num_format(if *d == 0 {
                        "0".to_string()
                    } else {
                        format!("0.{}", "0".repeat(*d))
                    });
                    sheet.write_number_with_format(r, c, *x, &shown)?;
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

/// A terminal table; numeric columns are right-aligned, and no cell is ever
/// wrapped (a number or an id broken over two lines reads as two values). With a
/// known width that the table exceeds, headings are broken at `_` onto more lines,
/// and if it is still too wide the columns that do not fit are left out, from the
/// right; the second value is the note saying which, for standard error.
pub(crate) fn table(
    columns: &[String],
    rows: &[Vec<Cell>],
    opts: &RenderOptions,
) -> (String, Option<String>) {
    use comfy_table::{Attribute, Cell as TCell, CellAlignment, ContentArrangement, Table, presets};
    let shown: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(Cell::shown).collect()).collect();
    let fit = Fit::new(columns, &shown, opts.width);
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    // Colour is decided by --color (auto: a terminal without NO_COLOR); comfy-table
    // would otherwise drop it whenever standard output is not a terminal, so that
    // `--color always` into a pager coloured nothing.
    if opts.color {
        t.enforce_styling();
    }
    t.set_header(fit.kept.iter().map(|&i| {
        let cell = TCell::new(&fit.headings[i]);
        if opts.color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));
    for (row, texts) in rows.iter().zip(&shown) {
        t.add_row(fit.kept.iter().filter(|&&i| i < row.len()).map(|&i| {
            let c = TCell::new(&texts[i]);
            if row[i].is_numeric() {
                c.set_alignment(CellAlignment::Right)
            } else {
                c
            }
        }));
    }
    let note = (fit.kept.len() < columns.len()).then(|| {
        let left_out: Vec<&str> = (0..columns.len())
            .filter(|i| !fit.kept.contains(i))
            .map(|i| columns[i].as_str())
            .collect();
        format!(
            "the table is wider than the terminal ({} columns): {} of its {} columns left out ({}); \
             -f csv, -f markdown or -o FILE shows them all, and --columns (where a command has it) chooses them",
            opts.width.unwrap_or_default(),
            left_out.len(),
            columns.len(),
            left_out.join(", ")
        )
    });
    (format!("{t}\n"), note)
}

/// Which columns of a table fit a width, and their headings.
struct Fit {
    /// Indexes of the columns drawn, in order.
    kept: Vec<usize>,
    /// Each column's heading as drawn: on one line, or broken at `_`.
    headings: Vec<String>,
}

impl Fit {
    fn new(columns: &[String], rows: &[Vec<String>], width: Option<usize>) -> Fit {
        let len = |s: &str| s.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        let cells: Vec<usize> = (0..columns.len())
            .map(|i| {
                rows.iter()
                    .filter_map(|r| r.get(i))
                    .map(|s| len(s))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        // A table's frame: "│ " before the first column, " ┆ " between, " │" after.
        let drawn = |widths: &[usize]| widths.iter().sum::<usize>() + 3 * widths.len() + 1;
        let all: Vec<usize> = (0..columns.len()).collect();
        let full: Vec<usize> = columns.iter().zip(&cells).map(|(c, &w)| w.max(len(c))).collect();
        let Some(width) = width.filter(|&w| drawn(&full) > w) else {
            return Fit {
                kept: all,
                headings: columns.to_vec(),
            };
        };
        let headings: Vec<String> = columns
            .iter()
            .zip(&cells)
            .map(|(c, &w)| break_heading(c, w))
            .collect();
        let narrow: Vec<usize> = headings.iter().zip(&cells).map(|(h, &w)| w.max(len(h))).collect();
        // The first column always (it says what a row is), then every next one that fits.
        let mut kept = Vec::new();
        let mut used = 1;
        for (i, &w) in narrow.iter().enumerate() {
            if i == 0 || used + w + 3 <= width {
                kept.push(i);
                used += w + 3;
            } else {
                break;
            }
        }
        Fit { kept, headings }
    }
}

/// A heading broken at `_` into lines no wider than `width` where its words allow
/// (`requires_improvement` over a column of numbers is `requires_` / `improvement`).
fn break_heading(heading: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in heading.split_inclusive('_') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + word.chars().count() <= width => line.push_str(word),
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\n")
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

    #[test]
    fn headings_break_at_underscores_and_values_never() {
        assert_eq!(break_heading("requires_improvement", 4), "requires_\nimprovement");
        assert_eq!(break_heading("pct_changed", 4), "pct_\nchanged");
        assert_eq!(break_heading("count", 1), "count");
        let columns: Vec<String> = ["group", "overall_agreed", "kappa_linear"]
            .map(String::from)
            .to_vec();
        let rows = vec![vec!["2026-05".to_string(), "12".to_string(), "0.718".to_string()]];
        // Wide enough for all: one-line headings.
        let fit = Fit::new(&columns, &rows, Some(80));
        assert_eq!(fit.kept, [0, 1, 2]);
        assert_eq!(fit.headings[1], "overall_agreed");
        // group 7 + overall_ 8 + kappa_ 6, framed: 7+8+6+3*3+1 = 31.
        assert_eq!(Fit::new(&columns, &rows, Some(31)).kept, [0, 1, 2]);
        assert_eq!(Fit::new(&columns, &rows, Some(30)).kept, [0, 1]);
        // No width: everything, as it is.
        let fit = Fit::new(&columns, &rows, None);
        assert_eq!((fit.kept.len(), fit.headings[1].as_str()), (3, "overall_agreed"));
    }
}
