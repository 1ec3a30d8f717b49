//! The `.ods` (OpenDocument spreadsheet) reader: `content.xml` is unpacked from the
//! zip as a stream and parsed as it comes, through the same bounds as `.xlsx`
//! parts, so memory grows with the cells that hold values.
//!
//! OpenDocument writes a run of identical cells or rows as one element with a
//! repeat count (`table:number-columns-repeated`, `table:number-rows-repeated`),
//! so a sheet of a million empty rows takes a few bytes. A repeat of empty cells
//! or rows only moves the position; a repeated value is written out cell by cell.
//! What a workbook's repeats make beyond its own bytes (cells written out for a
//! repeat, spaces for a `text:s` count) is held to [`MAX_EXPANDED`] bytes, past
//! which it is refused.
//! Cell values read as calamine read them: `office:value` as a number, the
//! date, time, boolean and string values as given, a string cell without a
//! value by its paragraphs' text (notes left out).

use super::xlsx::{Book, MAX_COL, MAX_ROW, Xml, cell_name, event_text, next, push_text};
use super::{MAX_CELL_CHARS, MAX_SHEETS, PlacedCell, number_text};
use anyhow::{Result, anyhow, bail};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

/// The most bytes a workbook's repeats may make (a cell written out counts its
/// text and [`CELL_BYTES`]).
pub(super) const MAX_EXPANDED: u64 = 16 << 20;
/// What a cell costs besides its text: its row, column and string.
const CELL_BYTES: u64 = 32;

/// Reads the sheets of an `.ods` workbook: the one named `only`, or all.
pub(super) fn read(mut book: Book, file: &str, only: Option<&str>) -> Result<Vec<(String, Vec<PlacedCell>)>> {
    let encrypted = book.part("META-INF/manifest.xml", read_manifest)?;
    if encrypted == Some(true) {
        bail!("{file} is protected by a password, which caseaudit cannot open; save a copy without one");
    }
    let tables = book
        .part("content.xml", |xml| read_content(xml, file, only))?
        .ok_or_else(|| {
            anyhow!("cannot read the workbook {file}: it has no content.xml (is it an .ods file?)")
        })?;
    let names: Vec<String> = tables.iter().map(|(name, _)| name.clone()).collect();
    let wanted = super::wanted(&names, only, file)?;
    Ok(tables
        .into_iter()
        .enumerate()
        .filter(|(i, _)| wanted.contains(i))
        .map(|(_, table)| table)
        .collect())
}

/// Whether the manifest says a part is encrypted.
fn read_manifest(xml: &mut Xml<'_>) -> Result<bool> {
    let mut buf = Vec::new();
    loop {
        match next(xml, &mut buf)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "encryption-data" => {
                return Ok(true);
            }
            Event::Eof => return Ok(false),
            _ => {}
        }
    }
}

/// An attribute's value by its full name (`table:name`).
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

fn is(e: &BytesStart<'_>, name: &str) -> bool {
    e.name().as_ref() == name
}

/// Every table of `content.xml` (name and cells); the cells are kept only for
/// the table named `only`, if given.
fn read_content(xml: &mut Xml<'_>, file: &str, only: Option<&str>) -> Result<Vec<(String, Vec<PlacedCell>)>> {
    let mut tables = Vec::new();
    let mut buf = Vec::new();
    let mut expanded = 0;
    loop {
        let event = next(xml, &mut buf)?;
        let (Event::Start(e) | Event::Empty(e)) = &event else {
            if matches!(event, Event::Eof) {
                return Ok(tables);
            }
            continue;
        };
        if !is(e, "table:table") {
            continue;
        }
        if tables.len() >= MAX_SHEETS {
            bail!(
                "{file} has more than {MAX_SHEETS} sheets, more than caseaudit reads in one workbook; split it"
            );
        }
        let name = attr(e, "table:name").unwrap_or_default();
        let keep = only.is_none_or(|o| o.trim().eq_ignore_ascii_case(name.trim()));
        let cells = if matches!(event, Event::Empty(_)) {
            Vec::new()
        } else {
            read_table(xml, &format!("{file}[{name}]"), keep, &mut expanded)?
        };
        tables.push((name, cells));
    }
}

/// A repeat count (`table:number-rows-repeated`…): 1 when not given.
fn repeats(e: &BytesStart<'_>, name: &str, at: impl FnOnce() -> String) -> Result<u64> {
    match attr(e, name) {
        None => Ok(1),
        Some(n) => n.trim().parse::<u64>().ok().filter(|&n| n > 0).ok_or_else(|| {
            anyhow!(
                "{}: {name}=\"{n}\" is not a count; the workbook is not read",
                at()
            )
        }),
    }
}

/// The cells of one table that hold values; `keep` false reads past them.
/// `at` names the sheet (`book.ods[Sheet1]`).
/// `expanded` counts the bytes the workbook's repeats have made so far.
fn read_table(xml: &mut Xml<'_>, at: &str, keep: bool, expanded: &mut u64) -> Result<Vec<PlacedCell>> {
    let mut cells = Vec::new();
    let mut buf = Vec::new();
    // The row being read (from 0), and the cells written out for repeats so far.
    let mut row = 0u64;
    loop {
        let event = next(xml, &mut buf)?;
        match &event {
            Event::Start(e) | Event::Empty(e) if is(e, "table:table-row") => {
                let rows = repeats(e, "table:number-rows-repeated", || {
                    format!("{at}: row {}", row + 1)
                })?;
                if matches!(event, Event::Start(_)) {
                    let values = read_row(xml, at, row, expanded)?;
                    if keep {
                        write_row(&mut cells, values, row, rows, expanded, at)?;
                    }
                }
                row = row.saturating_add(rows);
            }
            Event::End(e) if e.name().as_ref() == "table:table" => return Ok(cells),
            Event::Eof => {
                bail!("{at}: content.xml ends inside the sheet (is the file cut short?); it is not read")
            }
            _ => {}
        }
    }
}

/// A value of a row: its column, how many columns it repeats over, its text.
type Value = (u64, u64, String);

/// Writes a row's values, repeated over `rows` rows from `row`.
fn write_row(
    cells: &mut Vec<PlacedCell>,
    values: Vec<Value>,
    row: u64,
    rows: u64,
    expanded: &mut u64,
    at: &str,
) -> Result<()> {
    for (col, cols, text) in values {
        if row >= u64::from(MAX_ROW) || col >= u64::from(MAX_COL) {
            bail!(
                "{at}: a value (\"{}\") lies beyond the last row or column a sheet can have (row {}, column {}); the workbook is not read",
                text.chars().take(40).collect::<String>(),
                row + 1,
                col + 1
            );
        }
        // A run past the sheet's edge stops at it, as in the spreadsheet.
        let (last_row, last_col) = (
            row.saturating_add(rows).min(MAX_ROW.into()),
            col.saturating_add(cols).min(MAX_COL.into()),
        );
        let count = (last_row - row) * (last_col - col);
        if count > 1 {
            *expanded = expanded.saturating_add(count.saturating_mul(text.len() as u64 + CELL_BYTES));
            if *expanded > MAX_EXPANDED {
                bail!(
                    "{at}: cell {} repeats \"{}\" over {} rows and {} columns, which with the workbook's other repeats makes more than {} MiB; no real workbook repeats so much; it is not read",
                    cell_name(row as u32, col as u32),
                    text.chars().take(40).collect::<String>(),
                    last_row - row,
                    last_col - col,
                    MAX_EXPANDED >> 20
                );
            }
        }
        for r in row..last_row {
            for c in col..last_col {
                cells.push((r as u32, c as u32, text.clone()));
            }
        }
    }
    Ok(())
}

/// The values of one row (up to its end tag).
fn read_row(xml: &mut Xml<'_>, at: &str, row: u64, expanded: &mut u64) -> Result<Vec<Value>> {
    let mut values = Vec::new();
    let mut buf = Vec::new();
    let mut col = 0u64;
    loop {
        let event = next(xml, &mut buf)?;
        match &event {
            Event::Start(e) | Event::Empty(e)
                if is(e, "table:table-cell") || is(e, "table:covered-table-cell") =>
            {
                let here = || {
                    format!(
                        "{at}: cell {}",
                        cell_name(row.min(u32::MAX.into()) as u32, col.min(u32::MAX.into()) as u32)
                    )
                };
                let cols = repeats(e, "table:number-columns-repeated", here)?;
                let text = read_cell(xml, e, matches!(event, Event::Empty(_)), &here, expanded)?;
                if !text.is_empty() {
                    values.push((col, cols, text));
                }
                col = col.saturating_add(cols);
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => return Ok(values),
            Event::Eof => {
                bail!("{at}: content.xml ends inside a row (is the file cut short?); it is not read")
            }
            _ => {}
        }
    }
}

/// A cell's text, reading its content (up to its end tag, unless `empty`).
fn read_cell(
    xml: &mut Xml<'_>,
    e: &BytesStart<'_>,
    empty: bool,
    here: &dyn Fn() -> String,
    expanded: &mut u64,
) -> Result<String> {
    let (mut value, mut string, mut error) = (None, false, false);
    for a in e.attributes().with_checks(false).flatten() {
        let text = || {
            a.normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default()
        };
        match a.key.as_ref() {
            "office:value" if value.is_none() => {
                let text = text();
                value = Some(text.trim().parse::<f64>().map_or(text, number_text));
            }
            "office:string-value" | "office:date-value" | "office:time-value" if value.is_none() => {
                value = Some(text());
            }
            "office:boolean-value" if value.is_none() => {
                let yes = matches!(text().as_str(), "true" | "TRUE");
                value = Some((if yes { "yes" } else { "no" }).to_string());
            }
            "office:value-type" if value.is_none() => string = text() == "string",
            "calcext:value-type" => error = text() == "error",
            _ => {}
        }
    }
    let from_content = (value.is_none() && string) || (error && value.as_deref() == Some(""));
    if empty {
        return Ok(value.filter(|_| !from_content).unwrap_or_default());
    }
    if !from_content {
        skip(xml)?;
        let value = value.unwrap_or_default();
        if value.chars().count() > MAX_CELL_CHARS {
            bail!(
                "{} holds more than {MAX_CELL_CHARS} characters, more than a spreadsheet cell can; the workbook is not read",
                here()
            );
        }
        return Ok(value);
    }
    let mut text = String::new();
    let mut buf = Vec::new();
    let (mut depth, mut paragraphs) = (0usize, 0usize);
    loop {
        let event = next(xml, &mut buf)?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let start = matches!(event, Event::Start(_));
                match e.name().as_ref() {
                    "office:annotation" => {
                        if start {
                            skip(xml)?;
                        }
                        continue;
                    }
                    "text:p" => {
                        if paragraphs > 0 {
                            push_text(&mut text, "\n", here)?;
                        }
                        paragraphs += 1;
                    }
                    "text:s" => {
                        let n = attr(e, "text:c")
                            .and_then(|c| c.trim().parse::<usize>().ok())
                            .unwrap_or(1)
                            .min(MAX_CELL_CHARS + 1);
                        *expanded += n as u64;
                        if *expanded > MAX_EXPANDED {
                            bail!(
                                "{}: its spaces (text:s) with the workbook's other repeats make more than {} MiB; no real workbook repeats so much; it is not read",
                                here(),
                                MAX_EXPANDED >> 20
                            );
                        }
                        push_text(&mut text, &" ".repeat(n), here)?;
                    }
                    "text:tab" => push_text(&mut text, "\t", here)?,
                    "text:line-break" => push_text(&mut text, "\n", here)?,
                    _ => {}
                }
                if start {
                    depth += 1;
                }
            }
            Event::End(_) if depth == 0 => return Ok(text),
            Event::End(_) => depth -= 1,
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => event_text(&event, &mut text, here)?,
            Event::Eof => bail!(
                "{}: content.xml ends inside the cell (is the file cut short?); it is not read",
                here()
            ),
            _ => {}
        }
    }
}

/// Reads past the rest of the element just started.
fn skip(xml: &mut Xml<'_>) -> Result<()> {
    let mut buf = Vec::new();
    let mut depth = 0usize;
    loop {
        match next(xml, &mut buf)? {
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => return Ok(()),
            Event::End(_) => depth -= 1,
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    const SEEDS: [&[u8]; 4] = [
        include_bytes!("../../fuzz/seeds/ods/two_cases"),
        include_bytes!("../../fuzz/seeds/ods/far_value_XFD1048576"),
        include_bytes!("../../fuzz/seeds/ods/repeated_value_rows_and_columns"),
        include_bytes!("../../fuzz/seeds/ods/value_kinds"),
    ];

    fn sheets(bytes: &[u8]) -> Vec<String> {
        let mut read = Vec::new();
        super::super::fuzz_ods(bytes, &mut |csv| {
            read.push(String::from_utf8_lossy(csv).into_owned());
        });
        read
    }

    fn error(content: &str) -> String {
        let book = super::super::stored_zip(&[("content.xml", content.as_bytes())]);
        let book = super::Book::container(Box::new(std::io::Cursor::new(book)), "b.ods", ".ods").unwrap();
        format!("{:#}", super::read(book, "b.ods", None).unwrap_err())
    }

    #[test]
    fn the_seeds_read_as_tables() {
        for seed in &SEEDS[..2] {
            assert_eq!(sheets(seed), ["case_id,team\nC1,Duty\nC2,Duty\n"]);
        }
        assert_eq!(
            sheets(SEEDS[2]),
            ["case_id,team\nC1,Duty\nC2,Duty\n1,1\n1,1\n1,1\n"]
        );
        assert_eq!(
            sheets(SEEDS[3]),
            ["case_id,n,flag,start_date,note,m\nC1,1.5,yes,2025-12-09,\"a  b\nc & d\t\",m\n"]
        );
    }

    #[test]
    fn repeats_of_a_value_past_the_bound_are_refused() {
        let table = |rows: u64, cols: u64| {
            format!(
                "<table:table table:name=\"S\"><table:table-row table:number-rows-repeated=\"{rows}\"><table:table-cell table:number-columns-repeated=\"{cols}\" office:value-type=\"string\" office:string-value=\"x\"/></table:table-row></table:table>"
            )
        };
        let err = error(&table(1 << 11, 1 << 10));
        assert!(
            err.starts_with("b.ods[S]: cell A1 repeats \"x\" over 2048 rows and 1024 columns"),
            "{err}"
        );
        // Fewer cells of a long value are as much memory.
        let long = table(64, 128).replace(
            "office:string-value=\"x\"",
            &format!("office:string-value=\"{}\"", "y".repeat(10_000)),
        );
        let err = error(&long);
        assert!(
            err.contains(
                "over 64 rows and 128 columns, which with the workbook's other repeats makes more than 16 MiB"
            ),
            "{err}"
        );
        // So are spaces written as a count, a few bytes each.
        let cell = "<table:table-cell office:value-type=\"string\"><text:p><text:s text:c=\"30000\"/></text:p></table:table-cell>";
        let err = error(&format!(
            "<table:table table:name=\"S\"><table:table-row>{}</table:table-row></table:table>",
            cell.repeat(3000)
        ));
        // 16 MiB / 30,000 = 559.24: the 560th cell, column UN (21·26 + 14).
        assert!(err.starts_with("b.ods[S]: cell UN1: its spaces"), "{err}");
        assert!(
            err.contains("its spaces (text:s) with the workbook's other repeats make more than 16 MiB"),
            "{err}"
        );
        // The same count of empty cells only moves the position.
        let empty =
            table(1 << 20, 1 << 14).replace(" office:value-type=\"string\" office:string-value=\"x\"", "");
        assert!(sheets(empty.as_bytes()).is_empty());
        let err = error(
            "<table:table table:name=\"S\"><table:table-row table:number-rows-repeated=\"-1\"/></table:table>",
        );
        assert!(
            err.contains("b.ods[S]: row 1: table:number-rows-repeated=\"-1\" is not a count"),
            "{err}"
        );
        let err = error(
            "<table:table table:name=\"S\"><table:table-row table:number-rows-repeated=\"1048576\"/><table:table-row><table:table-cell office:value=\"1\"/></table:table-row></table:table>",
        );
        assert!(
            err.contains("lies beyond the last row or column a sheet can have (row 1048577, column 1)"),
            "{err}"
        );
    }

    #[test]
    fn long_cells_and_cut_files_are_refused() {
        let spaces = "<table:table table:name=\"S\"><table:table-row><table:table-cell office:value-type=\"string\"><text:p><text:s text:c=\"4000000000\"/></text:p></table:table-cell></table:table-row></table:table>";
        let err = error(spaces);
        assert!(
            err.contains("b.ods[S]: cell A1 holds more than 32767 characters"),
            "{err}"
        );
        let err = error(
            "<table:table table:name=\"S\"><table:table-row><table:table-cell office:value-type=\"string\"><text:p>x",
        );
        assert!(err.contains("ends inside the cell"), "{err}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// What the fuzz target does, briefly: seeds with bytes changed,
        /// inserted or removed never panic.
        #[test]
        fn mutated_content_never_panics(
            seed in 0..SEEDS.len(),
            edits in crate::workbook::mutation::edits(),
        ) {
            crate::fuzz::ods(&crate::workbook::mutation::apply(SEEDS[seed], &edits));
        }
    }
}
