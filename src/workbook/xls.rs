//! The bounds on an `.xls` workbook (BIFF records in an OLE compound file), checked
//! before calamine reads it. calamine reads an `.xls` whole when it opens it, each
//! sheet as a dense grid spanning the cells used: one value at `IV65536` makes a
//! grid of 16.7 million cells (a gigabyte), and a column number past `IV`, which
//! the records can hold, or a sheet's declared dimensions, billions (an abort). So
//! this finds the workbook stream, walks the records of each sheet as calamine
//! will, and refuses a workbook whose grids would hold more than [`MAX_GRID`]
//! cells, or whose structure would send calamine outside the file.

use super::xlsx::cell_name;
use anyhow::{Result, bail};

/// The most cells the grids of one `.xls` workbook may hold: 65,536 rows (all an
/// `.xls` sheet has) of 64 columns; about 130 MB in calamine's grid.
pub(super) const MAX_GRID: u64 = 1 << 22;

/// The first bytes of a compound file.
pub(super) const SIGNATURE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// What a refusal goes on to say.
const WHOLE: &str = "(an .xls sheet is read whole, as a grid from its first used cell to its last); delete what lies far from the table (or clear the cells after it), or save the workbook as .xlsx, which is read cell by cell; it is not read";

/// The end of a sector chain and the markers above it.
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Checks `bytes`, an `.xls` file named `file` in messages.
pub(super) fn check(bytes: &[u8], file: &str) -> Result<()> {
    if !bytes.starts_with(SIGNATURE) {
        // Not a compound file: calamine says so in its own words.
        return Ok(());
    }
    let damaged = |why: &str| anyhow::anyhow!("{file} is damaged ({why}); it is not read");
    let Some(stream) = workbook_stream(bytes) else {
        return Err(damaged("its compound file structure does not hold together"));
    };
    let sheets = sheet_offsets(&stream).ok_or_else(|| damaged("its list of sheets is cut short"))?;
    let mut total = 0u64;
    for (offset, name) in sheets {
        let at = format!("{file}[{name}]");
        let grid = sheet_grid(&stream, offset, &at)?;
        total = total.saturating_add(grid);
        if total > MAX_GRID {
            bail!(
                "{at}: the sheets up to this one span {total} cells, more than the {MAX_GRID} caseaudit reads from an .xls workbook {WHOLE}"
            );
        }
    }
    Ok(())
}

/// The `Workbook` (or older `Book`) stream of a compound file, as calamine finds
/// it; `None` where a sector or chain lies outside the file or loops.
fn workbook_stream(bytes: &[u8]) -> Option<Vec<u8>> {
    let shift = u16_at(bytes, 30)?;
    if !(shift == 9 || shift == 12) || u16_at(bytes, 32)? != 6 {
        return None;
    }
    let size = 1usize << shift;
    let sectors = bytes.len() / size;
    let sector = |id: u32| -> Option<&[u8]> {
        let start = (id as usize).checked_add(1)?.checked_mul(size)?;
        bytes.get(start..(start + size).min(bytes.len()))
    };
    let words = |s: &[u8]| -> Vec<u32> { s.chunks_exact(4).filter_map(|w| u32_at(w, 0)).collect() };
    // The sectors of the allocation table: 109 listed in the header, the rest in
    // a chain of their own.
    let mut difat = words(bytes.get(76..512)?);
    let mut next = u32_at(bytes, 68)?;
    let mut steps = 0;
    while next < RESERVED {
        steps += 1;
        if steps > sectors + 1 {
            return None;
        }
        difat.extend(words(sector(next)?));
        next = difat.pop()?;
    }
    let mut fat = Vec::new();
    for id in difat.into_iter().filter(|&id| id < DIFSECT) {
        fat.extend(words(sector(id)?));
        if fat.len() > (sectors + 1) * (size / 4) {
            return None;
        }
    }
    let chain = |start: u32, table: &[u32], unit: &dyn Fn(u32) -> Option<Vec<u8>>| -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut id = start;
        let mut steps = 0;
        while id < RESERVED {
            steps += 1;
            if steps > table.len() + 1 {
                return None;
            }
            out.extend(unit(id)?);
            id = *table.get(id as usize)?;
        }
        Some(out)
    };
    let big = |id: u32| sector(id).map(<[u8]>::to_vec);
    let directory = chain(u32_at(bytes, 48)?, &fat, &big)?;
    let entries: Vec<&[u8]> = directory.chunks_exact(128).collect();
    let name = |e: &[u8]| -> String {
        let len = usize::from(u16_at(e, 64).unwrap_or(0)).min(64);
        let units: Vec<u16> = e[..len].chunks_exact(2).filter_map(|c| u16_at(c, 0)).collect();
        String::from_utf16_lossy(&units)
            .trim_end_matches('\0')
            .to_string()
    };
    let entry = ["Workbook", "Book"]
        .iter()
        .find_map(|want| entries.iter().find(|e| name(e).eq_ignore_ascii_case(want)))?;
    let (start, len) = (u32_at(entry, 116)?, u32_at(entry, 120)? as usize);
    let mut stream = if len < 4096 {
        let root = entries.first()?;
        let mini = chain(u32_at(root, 116)?, &fat, &big)?;
        let minifat: Vec<u32> = words(&chain(u32_at(bytes, 60)?, &fat, &big)?);
        let small = |id: u32| {
            let at = (id as usize).checked_mul(64)?;
            mini.get(at..at + 64).map(<[u8]>::to_vec)
        };
        chain(start, &minifat, &small)?
    } else {
        chain(start, &fat, &big)?
    };
    stream.truncate(len);
    Some(stream)
}

/// The records of a stream from `at`: type and data, up to the first cut short.
fn records(stream: &[u8], mut at: usize) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let kind = u16_at(stream, at)?;
        let len = usize::from(u16_at(stream, at + 2)?);
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((kind, data))
    })
}

/// Each sheet's offset in the stream and its name, from the workbook's
/// `BoundSheet` records; `None` where one is too short to hold them.
fn sheet_offsets(stream: &[u8]) -> Option<Vec<(usize, String)>> {
    let mut sheets = Vec::new();
    for (kind, data) in records(stream, 0) {
        match kind {
            0x0085 => {
                let count = usize::from(*data.get(6)?);
                let name = match data.get(7) {
                    // BIFF8: a flag byte, then Latin-1 or UTF-16 characters.
                    Some(0) if data.len() == 8 + count => data[8..].iter().map(|&b| char::from(b)).collect(),
                    Some(1) if data.len() == 8 + 2 * count => {
                        let units: Vec<u16> =
                            data[8..].chunks_exact(2).filter_map(|c| u16_at(c, 0)).collect();
                        String::from_utf16_lossy(&units)
                    }
                    _ => data.iter().skip(7).take(count).map(|&b| char::from(b)).collect(),
                };
                sheets.push((u32_at(data, 0)? as usize, name));
            }
            // Encrypted: the records after are not readable, and calamine
            // refuses the file as protected by a password.
            0x002F if u16_at(data, 0) != Some(0) => return Some(Vec::new()),
            0x000A => break,
            _ => {}
        }
    }
    Some(sheets)
}

/// The first and last row and column of some cells.
#[derive(Default)]
struct Span(Option<(u32, u32, u32, u32)>);

impl Span {
    fn add(&mut self, row: u32, col: u32) {
        let (r0, r1, c0, c1) = self.0.unwrap_or((row, row, col, col));
        self.0 = Some((r0.min(row), r1.max(row), c0.min(col), c1.max(col)));
    }

    fn cells(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| {
            u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1)
        })
    }

    fn named(&self) -> String {
        self.0.map_or_else(String::new, |(r0, r1, c0, c1)| {
            format!("{} to {}", cell_name(r0, c0), cell_name(r1, c1))
        })
    }
}

/// The cells calamine's grids for the sheet at `offset` will hold (its values and
/// its formulas), refusing a sheet whose declared dimensions alone are too many.
fn sheet_grid(stream: &[u8], offset: usize, at: &str) -> Result<u64> {
    if offset > stream.len() {
        bail!(
            "{at}: the sheet's records lie beyond the end of the workbook stream: the file is damaged; it is not read"
        );
    }
    let (mut values, mut formulas) = (Span::default(), Span::default());
    let (mut seen_bof, mut depth) = (false, 0usize);
    let mut declared = 0;
    for (kind, data) in records(stream, offset) {
        if depth > 0 {
            match kind {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let cell = || Some((u32::from(u16_at(data, 0)?), u32::from(u16_at(data, 2)?)));
        match kind {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x0200 => declared = declared.max(dimensions(data, at)?),
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                if let Some((row, col)) = cell() {
                    values.add(row, col);
                }
            }
            0x00BD => {
                if let (Some((row, first)), Some(last)) =
                    (cell(), data.len().checked_sub(2).and_then(|n| u16_at(data, n)))
                {
                    if u32::from(last) < first {
                        bail!(
                            "{at}: a row of numbers (row {}) ends before it starts: the file is damaged; it is not read",
                            row + 1
                        );
                    }
                    values.add(row, first);
                    values.add(row, last.into());
                }
            }
            0x0006 if data.len() >= 20 => {
                if let Some((row, col)) = cell() {
                    values.add(row, col);
                    formulas.add(row, col);
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    let cells = values.cells() + formulas.cells();
    if cells > MAX_GRID {
        bail!(
            "{at}: the sheet's cells span {} ({} cells), more than the {MAX_GRID} caseaudit reads from an .xls workbook {WHOLE}",
            values.named(),
            values.cells()
        );
    }
    if declared > MAX_GRID {
        bail!(
            "{at}: the sheet says it spans {declared} cells (its used range), more than the {MAX_GRID} caseaudit reads from an .xls workbook {WHOLE}"
        );
    }
    Ok(cells)
}

/// The cells of a `Dimensions` record, read as calamine reads it (which reserves
/// room for them all).
fn dimensions(data: &[u8], at: &str) -> Result<u64> {
    let read = || -> Option<(u32, u32, u32, u32)> {
        match data.len() {
            10 => Some((
                u16_at(data, 0)?.into(),
                u16_at(data, 2)?.into(),
                u16_at(data, 4)?.into(),
                u16_at(data, 6)?.into(),
            )),
            14 | 16 => Some((
                u32_at(data, 0)?,
                u32_at(data, 4)?,
                u16_at(data, 8)?.into(),
                u16_at(data, 10)?.into(),
            )),
            _ => None,
        }
    };
    // A record of another length is calamine's error to report.
    let Some((first_row, end_row, mut first_col, end_col)) = read() else {
        return Ok(0);
    };
    if first_col > 0xFF || end_col < first_col {
        first_col = 0;
    }
    if end_row == 0 || end_col == 0 {
        return Ok(1);
    }
    if end_row - 1 < first_row || end_col - 1 < first_col {
        bail!("{at}: the sheet's dimensions end before they start: the file is damaged; it is not read");
    }
    Ok(u64::from(end_row - first_row) * u64::from(end_col - first_col))
}

/// For the fuzzer: a compound file (512-byte sectors: the allocation table, the
/// directory, then the stream) whose `Workbook` stream is `stream`, padded to
/// the 4,096 bytes below which a stream would go in the mini stream.
#[doc(hidden)]
pub(super) fn fuzz_book(stream: &[u8]) -> Vec<u8> {
    const END: u32 = 0xFFFF_FFFE;
    const FREE: u32 = 0xFFFF_FFFF;
    // At most 125 sectors of stream, so one sector of allocation table serves.
    let mut stream = stream[..stream.len().min(125 * 512)].to_vec();
    stream.resize(stream.len().max(4096).div_ceil(512) * 512, 0);
    let n = (stream.len() / 512) as u32;
    let mut fat = vec![0xFFFF_FFFD, END];
    fat.extend((3..=n + 1).chain([END]));
    fat.resize(128, FREE);
    let entry = |name: &str, kind: u8, child: u32, start: u32, size: u32| {
        let mut e: Vec<u8> = name
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect();
        let len = if name.is_empty() { 0 } else { e.len() as u16 };
        e.resize(64, 0);
        e.extend(len.to_le_bytes());
        e.extend([kind, 1]);
        for v in [FREE, FREE, child] {
            e.extend(v.to_le_bytes());
        }
        e.resize(116, 0);
        e.extend(start.to_le_bytes());
        e.extend(u64::from(size).to_le_bytes());
        e
    };
    let mut out = SIGNATURE.to_vec();
    out.resize(24, 0);
    for v in [0x3Eu16, 3, 0xFFFE, 9, 6] {
        out.extend(v.to_le_bytes());
    }
    out.resize(44, 0);
    for v in [1u32, 1, 0, 4096, END, 0, END, 0, 0] {
        out.extend(v.to_le_bytes());
    }
    out.resize(512, 0xFF);
    out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    out.extend(entry("Root Entry", 5, 1, END, 0));
    out.extend(entry("Workbook", 2, FREE, 2, n * 512));
    out.extend(entry("", 0, FREE, 0, 0));
    out.extend(entry("", 0, FREE, 0, 0));
    out.extend(stream);
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    const SEEDS: [&[u8]; 5] = [
        include_bytes!("../../fuzz/seeds/xls/two_cases"),
        include_bytes!("../../fuzz/seeds/xls/two_cases.xls"),
        include_bytes!("../../fuzz/seeds/xls/last_cell_IV65536"),
        include_bytes!("../../fuzz/seeds/xls/column_past_IV"),
        include_bytes!("../../fuzz/seeds/xls/dimensions_2_32_rows"),
    ];

    fn check(stream: &[u8]) -> Result<(), String> {
        super::check(&super::fuzz_book(stream), "b.xls").map_err(|e| e.to_string())
    }

    #[test]
    fn the_seeds_read_or_are_refused() {
        for seed in &SEEDS[..2] {
            let mut read = Vec::new();
            super::super::fuzz_xls(seed, &mut |csv| {
                read.push(String::from_utf8_lossy(csv).into_owned())
            });
            assert_eq!(read, ["case_id,team\nC1,Duty\nC2,Duty\n"]);
        }
        let err = check(SEEDS[2]).unwrap_err();
        assert!(
            err.starts_with(
                "b.xls[Sheet1]: the sheet's cells span A1 to IV65536 (16777216 cells), more than the 4194304"
            ),
            "{err}"
        );
        let err = check(SEEDS[3]).unwrap_err();
        assert!(err.contains("span A1 to CRXP65536 (4294967296 cells)"), "{err}");
        let err = check(SEEDS[4]).unwrap_err();
        assert!(
            err.contains("b.xls[Sheet1]: the sheet says it spans 1099511627520 cells"),
            "{err}"
        );
    }

    #[test]
    fn a_broken_structure_is_damaged_not_followed() {
        let mut book = super::fuzz_book(SEEDS[0]);
        // The allocation table's entry for the first stream sector points at itself.
        book[512 + 8..512 + 12].copy_from_slice(&2u32.to_le_bytes());
        let err = super::check(&book, "b.xls").unwrap_err().to_string();
        assert_eq!(
            err,
            "b.xls is damaged (its compound file structure does not hold together); it is not read"
        );
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
            crate::fuzz::xls(&crate::workbook::mutation::apply(SEEDS[seed], &edits));
        }
    }
}
