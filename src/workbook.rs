//! Excel workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) as inputs: each sheet
//! becomes CSV text for the ordinary readers. Date cells become `yyyy-mm-dd`,
//! formulas give their cached values, error cells (`#N/A`) stay as their text, so
//! the rules for missing values apply. Sheet rows keep their numbers, so problems
//! name the row.
//!
//! Workbooks are hand-edited and come from many hands, so reading one is bounded:
//! `.xlsx`, `.xlsb` and `.ods` sheets are read as a stream of cells (memory grows
//! with the cells that hold values, never with a sheet's dimensions or the
//! unpacked size of its XML); calamine reads an `.xls` whole, so its grids' size
//! is checked first ([`xls`]); a part that unpacks to more than 256 MiB and over
//! 100 times its packed size, more than [`MAX_SHEETS`] sheets, or a cell over
//! [`MAX_CELL_CHARS`] characters is refused with a message. Cells far from the
//! table are left out with a note (see [`table`]).

mod guard;
mod ods;
mod table;
mod xls;
mod xlsx;

use crate::dates::{excel_serial_to_date, format_date};
use anyhow::{Context, Result, anyhow, bail};
use calamine::{Data, Reader, Xls, Xlsb, open_workbook};
use std::collections::HashMap;
use std::path::Path;

/// The most sheets read from one workbook.
pub(crate) const MAX_SHEETS: usize = 1_000;
/// The largest `.xls` file read: the format is read whole, and no real one is
/// this big (its sheets stop at 65,536 rows).
pub(crate) const MAX_XLS_BYTES: u64 = 256 << 20;
/// The longest text a spreadsheet cell holds (Excel's own limit).
pub(crate) const MAX_CELL_CHARS: usize = 32_767;

/// Whether a path names a workbook (by extension).
pub(crate) fn is_workbook(path: &Path) -> bool {
    extension(path).is_some_and(|e| ["xlsx", "xlsm", "xlsb", "xls", "ods"].contains(&e.as_str()))
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// One sheet, as CSV text whose line numbers are the sheet's row numbers.
pub(crate) struct Sheet {
    pub(crate) name: String,
    pub(crate) csv: Vec<u8>,
    /// What the user should hear of: empty columns passed over. Each names the
    /// file and sheet.
    pub(crate) notes: Vec<String>,
    /// Values left out as far from the table or beside it, under no heading:
    /// a warning each, naming the cell.
    pub(crate) stray: Vec<crate::problem::Problem>,
}

/// Reads the sheets of a workbook: the one named `only`, or every non-empty sheet.
/// `header` gives the sheet row (from 1) the readers would take the headings
/// from, in a sheet's CSV: a value left or right of the headings is left out.
pub(crate) fn read_sheets(
    path: &Path,
    only: Option<&str>,
    header: &dyn Fn(&[u8]) -> Option<u64>,
) -> Result<Vec<Sheet>> {
    let file = path.display().to_string();
    let read = match extension(path).as_deref() {
        Some("xlsx" | "xlsm") => {
            let handle =
                std::fs::File::open(path).with_context(|| format!("cannot read the workbook {file}"))?;
            read_xlsx(xlsx::Book::open(Box::new(handle), &file)?, &file, only)?
        }
        Some("ods") => {
            let handle =
                std::fs::File::open(path).with_context(|| format!("cannot read the workbook {file}"))?;
            ods::read(
                xlsx::Book::container(Box::new(handle), &file, ".ods")?,
                &file,
                only,
            )?
        }
        Some("xlsb") => read_xlsb(path, &file, only)?,
        _ => read_xls(path, &file, only)?,
    };
    Ok(tables(read, &file, only, header))
}

fn tables(
    read: Vec<(String, Vec<PlacedCell>)>,
    file: &str,
    only: Option<&str>,
    header: &dyn Fn(&[u8]) -> Option<u64>,
) -> Vec<Sheet> {
    read.into_iter()
        .filter(|(_, cells)| !cells.is_empty() || only.is_some())
        .map(|(name, cells)| table::sheet(&format!("{file}[{name}]"), name, cells, header))
        .collect()
}

/// A cell that holds a value: its row and column (from 0) and its text.
pub(crate) type PlacedCell = (u32, u32, String);

/// Every sheet of an `.xlsx` workbook with the cells that hold values, each
/// with its row and column (from 0), for readers that find cells by what they
/// hold rather than as a table (the audit forms). Read through the same bounds
/// as [`read_sheets`].
pub(crate) fn read_cells(path: &Path) -> Result<Vec<(String, Vec<PlacedCell>)>> {
    let file = path.display().to_string();
    match extension(path).as_deref() {
        Some("xlsx" | "xlsm") => {
            let handle =
                std::fs::File::open(path).with_context(|| format!("cannot read the workbook {file}"))?;
            read_xlsx(xlsx::Book::open(Box::new(handle), &file)?, &file, None)
        }
        _ => bail!("{file}: forms are read from .xlsx workbooks (save it as Excel Workbook, .xlsx)"),
    }
}

/// For the fuzzer: reads an `.xlsx` workbook from memory, or one built around
/// `bytes` by [`fuzz_book`], and gives each sheet's CSV to `each`.
#[doc(hidden)]
pub(crate) fn fuzz(bytes: &[u8], each: &mut dyn FnMut(&[u8])) {
    let book = if bytes.starts_with(b"PK") {
        bytes.to_vec()
    } else {
        fuzz_book(bytes)
    };
    let first_row = |_: &[u8]| Some(1);
    let Ok(book) = xlsx::Book::open(Box::new(std::io::Cursor::new(book)), "fuzz.xlsx") else {
        return;
    };
    if let Ok(read) = read_xlsx(book, "fuzz.xlsx", None) {
        for sheet in tables(read, "fuzz.xlsx", None, &first_row) {
            each(&sheet.csv);
        }
    }
}

/// For the fuzzer: as [`fuzz`], giving each sheet's cells (name, cells) to
/// `each`, as the returned forms' reader takes them.
#[doc(hidden)]
pub(crate) fn fuzz_cells(bytes: &[u8], each: &mut dyn FnMut(&str, &[PlacedCell])) {
    let book = if bytes.starts_with(b"PK") {
        bytes.to_vec()
    } else {
        fuzz_book(bytes)
    };
    let Ok(book) = xlsx::Book::open(Box::new(std::io::Cursor::new(book)), "fuzz.xlsx") else {
        return;
    };
    if let Ok(read) = read_xlsx(book, "fuzz.xlsx", None) {
        for (name, cells) in &read {
            each(name, cells);
        }
    }
}

/// For the fuzzer: reads an `.ods` workbook from memory, or one whose
/// `content.xml` is `bytes` (up to a NUL byte; what follows it, if anything, is
/// the manifest), and gives each sheet's CSV to `each`.
#[doc(hidden)]
pub(crate) fn fuzz_ods(bytes: &[u8], each: &mut dyn FnMut(&[u8])) {
    let book = if bytes.starts_with(b"PK") {
        bytes.to_vec()
    } else {
        let mut parts = bytes.splitn(2, |&b| b == 0);
        let content = parts.next().unwrap_or_default();
        let mut entries = vec![("content.xml", content)];
        entries.extend(parts.next().map(|manifest| ("META-INF/manifest.xml", manifest)));
        stored_zip(&entries)
    };
    let Ok(book) = xlsx::Book::container(Box::new(std::io::Cursor::new(book)), "fuzz.ods", ".ods") else {
        return;
    };
    if let Ok(read) = ods::read(book, "fuzz.ods", None) {
        for sheet in tables(read, "fuzz.ods", None, &|_| Some(1)) {
            each(&sheet.csv);
        }
    }
}

/// For the fuzzer: reads an `.xls` workbook from memory, or one whose workbook
/// stream (the BIFF records) is `bytes`, and gives each sheet's CSV to `each`.
#[doc(hidden)]
pub(crate) fn fuzz_xls(bytes: &[u8], each: &mut dyn FnMut(&[u8])) {
    let book = if bytes.starts_with(xls::SIGNATURE) {
        bytes.to_vec()
    } else {
        xls::fuzz_book(bytes)
    };
    if let Ok(read) = read_xls_bytes(book, "fuzz.xls", None) {
        for sheet in tables(read, "fuzz.xls", None, &|_| Some(1)) {
            each(&sheet.csv);
        }
    }
}

/// A zip of `entries` (name, bytes), stored without compression.
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in entries {
        // Writing to memory fails only on a repeated name, which there is not.
        let _ = zip.start_file(*name, stored);
        let _ = zip.write_all(data);
    }
    zip.finish().map(std::io::Cursor::into_inner).unwrap_or_default()
}

/// A valid zip holding a workbook whose parts come from `bytes`, split at each
/// NUL byte: the sheet's XML, then the shared strings, the styles and the
/// workbook part (a standard one where there is no such part).
#[doc(hidden)]
pub(crate) fn fuzz_book(bytes: &[u8]) -> Vec<u8> {
    let mut parts = bytes.split(|&b| b == 0);
    let ns = "http://schemas.openxmlformats.org";
    let rel = |id: &str, kind: &str, target: &str| {
        format!(
            "<Relationship Id=\"{id}\" Type=\"{ns}/officeDocument/2006/relationships/{kind}\" Target=\"{target}\"/>"
        )
    };
    let rels = format!(
        "<Relationships>{}{}{}</Relationships>",
        rel("rId1", "worksheet", "worksheets/sheet1.xml"),
        rel("rId2", "sharedStrings", "sharedStrings.xml"),
        rel("rId3", "styles", "styles.xml")
    );
    let sheet = parts.next().unwrap_or_default().to_vec();
    let strings = parts.next().map(<[u8]>::to_vec);
    let styles = parts.next().map(<[u8]>::to_vec);
    let workbook = parts.next().map_or_else(
        || b"<workbook><sheets><sheet name=\"Sheet1\" r:id=\"rId1\"/></sheets></workbook>".to_vec(),
        <[u8]>::to_vec,
    );
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("xl/workbook.xml", &workbook),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", &sheet),
    ];
    entries.extend(strings.as_deref().map(|s| ("xl/sharedStrings.xml", s)));
    entries.extend(styles.as_deref().map(|s| ("xl/styles.xml", s)));
    stored_zip(&entries)
}

/// The indices of the sheets to read: the one named `only` (ignoring case and
/// surrounding spaces), or all.
fn wanted(names: &[String], only: Option<&str>, file: &str) -> Result<Vec<usize>> {
    if names.len() > MAX_SHEETS {
        bail!(
            "{file} has {} sheets, more than the {MAX_SHEETS} caseaudit reads in one workbook; split it",
            names.len()
        );
    }
    let Some(name) = only else {
        return Ok((0..names.len()).collect());
    };
    let found = names
        .iter()
        .position(|n| n.trim().eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| {
            anyhow!(
                "{file} has no sheet \"{name}\" (its sheets: {})",
                names.join(", ")
            )
        })?;
    Ok(vec![found])
}

fn read_xlsx(mut book: xlsx::Book, file: &str, only: Option<&str>) -> Result<Vec<(String, Vec<PlacedCell>)>> {
    let names = book.sheet_names();
    let mut read = Vec::new();
    for i in wanted(&names, only, file)? {
        read.push((names[i].clone(), book.cells(i)?));
    }
    let mut needed: Vec<u32> = read
        .iter()
        .flat_map(|(_, s)| s.shared.iter().map(|&(_, n)| n))
        .collect();
    needed.sort_unstable();
    needed.dedup();
    let strings = if needed.is_empty() {
        HashMap::new()
    } else {
        book.shared_strings(&needed)?
    };
    read.into_iter()
        .map(|(name, mut sheet)| {
            for &(i, n) in &sheet.shared {
                let cell = &mut sheet.cells[i];
                cell.2 = strings.get(&n).cloned().ok_or_else(|| {
                    anyhow!(
                        "{file}[{name}]: cell {} refers to shared string {n}, which the workbook does not hold; it is not read",
                        xlsx::cell_name(cell.0, cell.1)
                    )
                })?;
            }
            sheet.cells.retain(|c| !c.2.is_empty());
            Ok((name, sheet.cells))
        })
        .collect()
}

fn read_xlsb(path: &Path, file: &str, only: Option<&str>) -> Result<Vec<(String, Vec<PlacedCell>)>> {
    check_zip(path, file)?;
    let mut book: Xlsb<_> =
        open_workbook(path).with_context(|| format!("cannot read the workbook {file}"))?;
    let names = book.sheet_names();
    let mut read = Vec::new();
    for i in wanted(&names, only, file)? {
        let name = &names[i];
        let mut cells = Vec::new();
        let mut reader = book
            .worksheet_cells_reader(name)
            .with_context(|| format!("cannot read sheet \"{name}\" of {file}"))?;
        while let Some(cell) = reader
            .next_cell()
            .with_context(|| format!("cannot read sheet \"{name}\" of {file}"))?
        {
            let (row, col) = cell.get_position();
            push_cell(
                &mut cells,
                row,
                col,
                &Data::from(cell.get_value().clone()),
                file,
                name,
            )?;
        }
        read.push((name.clone(), cells));
    }
    Ok(read)
}

/// `.xls`: calamine reads these whole, as a grid for each sheet, so the grids'
/// size is checked first (see [`xls`]).
fn read_xls(path: &Path, file: &str, only: Option<&str>) -> Result<Vec<(String, Vec<PlacedCell>)>> {
    // Read whole, so its size is bounded first.
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read the workbook {file}"))?
        .len();
    if size > MAX_XLS_BYTES {
        bail!(
            "{file} is larger than the {} MiB caseaudit reads from an .xls workbook ({size} bytes; an .xls is read whole); save it as an Excel Workbook (.xlsx) or CSV",
            MAX_XLS_BYTES >> 20
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read the workbook {file}"))?;
    read_xls_bytes(bytes, file, only)
}

/// The bounds come first; calamine's `.xls` parser indexes some records without
/// checking their length, so a damaged file could make it panic: that is caught
/// and reported as the file's problem.
fn read_xls_bytes(bytes: Vec<u8>, file: &str, only: Option<&str>) -> Result<Vec<(String, Vec<PlacedCell>)>> {
    xls::check(&bytes, file)?;
    crate::exit::caught(|| read_xls_unchecked(bytes, file, only)).unwrap_or_else(|| {
        bail!("{file} is damaged: its records are not as an .xls file has them; it is not read")
    })
}

fn read_xls_unchecked(
    bytes: Vec<u8>,
    file: &str,
    only: Option<&str>,
) -> Result<Vec<(String, Vec<PlacedCell>)>> {
    let mut book: Xls<_> = Xls::new(std::io::Cursor::new(bytes))
        .map_err(calamine::Error::Xls)
        .with_context(|| format!("cannot read the workbook {file}"))?;
    let names = book.sheet_names();
    let mut read = Vec::new();
    for i in wanted(&names, only, file)? {
        let name = &names[i];
        let range = book
            .worksheet_range(name)
            .with_context(|| format!("cannot read sheet \"{name}\" of {file}"))?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut cells = Vec::new();
        for (row, col, value) in range.used_cells() {
            push_cell(&mut cells, top + row as u32, left + col as u32, value, file, name)?;
        }
        read.push((name.clone(), cells));
    }
    Ok(read)
}

fn push_cell(
    cells: &mut Vec<PlacedCell>,
    row: u32,
    col: u32,
    value: &Data,
    file: &str,
    sheet: &str,
) -> Result<()> {
    let text = cell_text(value);
    if text.chars().count() > MAX_CELL_CHARS {
        bail!(
            "{file}[{sheet}]: cell {} holds more than {MAX_CELL_CHARS} characters, more than a spreadsheet cell can; the workbook is not read",
            xlsx::cell_name(row, col)
        );
    }
    if !text.is_empty() {
        cells.push((row, col, text));
    }
    Ok(())
}

/// Refuses a zip workbook one of whose parts says it unpacks to more than
/// 256 MiB and over 100 times its packed size (calamine reads such parts whole).
fn check_zip(path: &Path, file: &str) -> Result<()> {
    let handle = std::fs::File::open(path).with_context(|| format!("cannot read the workbook {file}"))?;
    let Ok(mut zip) = zip::ZipArchive::new(handle) else {
        // Not a zip: calamine's own message says what is wrong.
        return Ok(());
    };
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else {
            continue;
        };
        if entry.size() > entry.compressed_size().saturating_mul(100).max(256 << 20) {
            bail!(
                "{file}: part {} unpacks to {} MiB, over 100 times its packed size, which no real workbook does; it is not read",
                entry.name().unwrap_or_default(),
                entry.size() >> 20
            );
        }
    }
    Ok(())
}

/// A cell as the CSV readers expect it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => (if *b { "yes" } else { "no" }).to_string(),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            excel_serial_to_date(serial.floor() as i64).map_or_else(|| serial.to_string(), format_date)
        }
        Data::Error(e) => e.to_string(),
    }
}

/// A number as a cell shows it in General format: whole numbers without a point.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// The fuzz targets' mutations, in brief, for the readers' property tests: a
/// seed's bytes changed, inserted or removed.
#[cfg(test)]
pub(crate) mod mutation {
    use proptest::prelude::*;

    /// Up to 12 edits: a position, a byte, and whether to change, insert or remove.
    pub(crate) fn edits() -> impl Strategy<Value = Vec<(u16, u8, u8)>> {
        proptest::collection::vec((any::<u16>(), any::<u8>(), 0..3u8), 0..12)
    }

    /// `seed` with `edits` made, in order.
    pub(crate) fn apply(seed: &[u8], edits: &[(u16, u8, u8)]) -> Vec<u8> {
        let mut bytes = seed.to_vec();
        for &(at, byte, how) in edits {
            let at = usize::from(at) % (bytes.len() + 1);
            match how {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => {}
            }
        }
        bytes
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    const SEEDS: [&[u8]; 5] = [
        include_bytes!("../fuzz/seeds/workbook/two_cases_shared_strings_dates"),
        include_bytes!("../fuzz/seeds/workbook/last_cell_XFD1048576"),
        include_bytes!("../fuzz/seeds/workbook/far_stray_J1000000"),
        include_bytes!("../fuzz/seeds/workbook/no_references_bools_numbers"),
        include_bytes!("../fuzz/seeds/workbook/last_cell_XFD1048576.xlsx"),
    ];

    fn sheets(bytes: &[u8]) -> Vec<String> {
        let mut read = Vec::new();
        super::fuzz(bytes, &mut |csv| {
            read.push(String::from_utf8_lossy(csv).into_owned())
        });
        read
    }

    #[test]
    fn the_seeds_read_as_tables() {
        assert_eq!(
            sheets(SEEDS[0]),
            ["case_id,team,start_date\nC1, Duty & Assessment ,2025-12-09\nC2,#N/A,2023-03-15\n"]
        );
        for seed in &SEEDS[1..3] {
            assert_eq!(sheets(seed), ["case_id,team\nC1,Duty\nC2,Duty\n"]);
        }
        assert_eq!(sheets(SEEDS[3]), ["case_id,flag\n1.5,yes\n"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// What the fuzz target does, briefly: seeds with bytes changed,
        /// inserted or removed never panic.
        #[test]
        fn mutated_workbooks_never_panic(
            seed in 0..SEEDS.len(),
            edits in crate::workbook::mutation::edits(),
        ) {
            crate::fuzz::workbook(&crate::workbook::mutation::apply(SEEDS[seed], &edits));
        }
    }
}
