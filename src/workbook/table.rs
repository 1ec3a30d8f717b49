//! A sheet's cells as the table the readers get: CSV text whose line numbers are
//! the sheet's rows. Hand-edited sheets hold more than the table: a note typed far
//! below it, a value far to the right, columns left empty. So:
//! - the table is the largest block of cells with no run of more than
//!   [`MAX_ROW_GAP`] empty rows or [`MAX_COL_GAP`] empty columns inside it; cells
//!   outside it are left out, with a warning naming the first;
//! - a value left or right of the headings (on the row the readers take for the
//!   header) is left out the same way, with a warning;
//! - empty columns between the headings are dropped (the readers would otherwise
//!   see a heading "" for each), with a note giving how many.
//!
//! Only the table's own rows are written, so a stray value at row 1,000,000 costs
//! nothing, and blank lines stand only for empty rows inside or above the table.

use super::{PlacedCell, Sheet};
use crate::problem::Problem;
use std::ops::Range;

/// The most empty rows inside a table; a value past more is not part of it.
const MAX_ROW_GAP: u32 = 1_000;
/// The most empty columns inside a table.
const MAX_COL_GAP: u32 = 50;

/// Turns a sheet's cells (any order; a repeated cell keeps its last value) into a
/// [`Sheet`]. `at` names the sheet in notes (`book.xlsx[Sheet1]`); `header` gives
/// the sheet row (from 1) the readers would take the headings from, in a CSV.
pub(super) fn sheet(
    at: &str,
    name: String,
    mut cells: Vec<PlacedCell>,
    header: &dyn Fn(&[u8]) -> Option<u64>,
) -> Sheet {
    cells.sort_by_key(|&(row, col, _)| (row, col));
    cells.dedup_by(|later, kept| {
        let same = (later.0, later.1) == (kept.0, kept.1);
        if same {
            std::mem::swap(&mut later.2, &mut kept.2);
        }
        same
    });
    // The block of rows holding the most values, then the block of columns
    // within it holding the most.
    let sorted: Vec<&PlacedCell> = cells.iter().collect();
    let rows = largest_block(&sorted, |c| c.0, MAX_ROW_GAP);
    let mut far: Vec<&PlacedCell> = sorted[..rows.start]
        .iter()
        .chain(&sorted[rows.end..])
        .copied()
        .collect();
    let mut by_col = sorted[rows].to_vec();
    by_col.sort_by_key(|c| c.1);
    let cols = largest_block(&by_col, |c| c.1, MAX_COL_GAP);
    far.extend(by_col[..cols.start].iter().chain(&by_col[cols.end..]));
    far.sort_by_key(|c| (c.0, c.1));
    let mut table = by_col[cols].to_vec();
    table.sort_by_key(|c| (c.0, c.1));
    let mut stray: Vec<Problem> = left_out(at, &far, "far from the table").into_iter().collect();
    // The headings' span, on the row the readers will take as the header.
    let columns = columns_of(&table);
    // The readers look for a CSV file's header in its first 64 KiB: so here.
    let head = table.partition_point(|c| c.0 <= table.get(4096).map_or(u32::MAX, |c| c.0));
    let mut probe = write_csv(&table[..head], &columns);
    probe.truncate(64 << 10);
    let span = header(&probe).and_then(|line| {
        let row = u32::try_from(line.checked_sub(1)?).ok()?;
        let on_row = table.iter().filter(|c| c.0 == row);
        Some((on_row.clone().map(|c| c.1).min()?, on_row.map(|c| c.1).max()?))
    });
    let (table, beside): (Vec<&PlacedCell>, Vec<&PlacedCell>) = match span {
        Some((first, last)) => table.into_iter().partition(|c| (first..=last).contains(&c.1)),
        None => (table, Vec::new()),
    };
    stray.extend(left_out(at, &beside, "beside the table, under no heading"));
    let mut notes = Vec::new();
    let columns = columns_of(&table);
    let empty = columns
        .last()
        .map_or(0, |&right| (right - columns[0] + 1) as usize - columns.len());
    if empty > 0 {
        let s = if empty == 1 { "" } else { "s" };
        notes.push(format!(
            "{at}: {empty} empty column{s} inside the table (no heading, no values) left out"
        ));
    }
    Sheet {
        name,
        csv: write_csv(&table, &columns),
        notes,
        stray,
    }
}

/// The index range, in `cells` sorted by `key`, of the block holding the most
/// cells with no gap of more than `gap` between keys; the first on a tie.
fn largest_block(cells: &[&PlacedCell], key: impl Fn(&PlacedCell) -> u32, gap: u32) -> Range<usize> {
    let mut best = 0..0;
    let mut start = 0;
    for i in 1..=cells.len() {
        if i == cells.len() || key(cells[i]) - key(cells[i - 1]) > gap + 1 {
            if i - start > best.len() {
                best = start..i;
            }
            start = i;
        }
    }
    best
}

/// The columns that hold values, in order.
fn columns_of(cells: &[&PlacedCell]) -> Vec<u32> {
    let mut columns: Vec<u32> = cells.iter().map(|c| c.1).collect();
    columns.sort_unstable();
    columns.dedup();
    columns
}

/// The note for cells left out: the first named, and how many others.
/// A warning naming the first of `cells` (values left out of the table) and how
/// many more there are.
fn left_out(at: &str, cells: &[&PlacedCell], where_: &str) -> Option<Problem> {
    let &&(row, col, ref text) = cells.first()?;
    let shown: String = if text.chars().count() > 40 {
        text.chars().take(40).chain(['…']).collect()
    } else {
        text.clone()
    };
    let more = match cells.len() - 1 {
        0 => String::new(),
        1 => " (as is 1 more cell there)".to_string(),
        n => format!(" (as are {n} more cells there)"),
    };
    Some(Problem::warning(
        at,
        None,
        None,
        format!(
            "cell {} holds \"{shown}\" {where_}; ignored{more}",
            super::xlsx::cell_name(row, col)
        ),
    ))
}

/// The table (`cells` sorted by row) as CSV: a record for each row with values,
/// holding a field for each of `columns`; an empty line (which the readers skip
/// but count) for each row without.
fn write_csv(cells: &[&PlacedCell], columns: &[u32]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut next_row = 0;
    let mut record = vec![""; columns.len()];
    for row in cells.chunk_by(|a, b| a.0 == b.0) {
        out.resize(out.len() + (row[0].0 - next_row) as usize, b'\n');
        record.fill("");
        for &&(_, col, ref text) in row {
            if let Ok(i) = columns.binary_search(&col) {
                record[i] = text;
            }
        }
        for (i, field) in record.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if field.contains([',', '"', '\n', '\r']) {
                out.push(b'"');
                out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
                out.push(b'"');
            } else {
                out.extend_from_slice(field.as_bytes());
            }
        }
        out.push(b'\n');
        next_row = row[0].0 + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(list: &[(u32, u32, &str)]) -> Vec<PlacedCell> {
        list.iter().map(|&(r, c, t)| (r, c, t.to_string())).collect()
    }

    fn read(list: &[(u32, u32, &str)]) -> (String, Vec<String>) {
        // The readers' header: here, the first row with values.
        let first = |csv: &[u8]| Some(csv.iter().take_while(|&&b| b == b'\n').count() as u64 + 1);
        let sheet = sheet("b.xlsx[S]", "S".to_string(), cells(list), &first);
        let mut notes = sheet.notes;
        notes.extend(sheet.stray.iter().map(ToString::to_string));
        (String::from_utf8(sheet.csv).unwrap(), notes)
    }

    #[test]
    fn rows_keep_their_numbers_and_columns_start_at_the_table() {
        let (csv, notes) = read(&[(2, 2, "case_id"), (2, 3, "team"), (4, 3, "T"), (4, 2, "C1")]);
        assert_eq!(csv, "\n\ncase_id,team\n\nC1,T\n");
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn a_value_far_below_or_beside_is_left_out_with_a_warning() {
        let (csv, notes) = read(&[
            (0, 0, "case_id"),
            (0, 1, "team"),
            (1, 0, "C1"),
            (1, 1, "T"),
            (999_999, 9, "x"),
            (1_048_575, 16_383, "y"),
            (1, 5, "checked"),
        ]);
        assert_eq!(csv, "case_id,team\nC1,T\n");
        assert_eq!(
            notes,
            [
                "b.xlsx[S]: warning: cell J1000000 holds \"x\" far from the table; ignored (as is 1 more cell there)",
                "b.xlsx[S]: warning: cell F2 holds \"checked\" beside the table, under no heading; ignored",
            ]
        );
    }

    #[test]
    fn empty_columns_between_headings_are_dropped_and_counted() {
        let (csv, notes) = read(&[(0, 0, "case_id"), (0, 3, "team"), (1, 0, "C1"), (1, 3, "T")]);
        assert_eq!(csv, "case_id,team\nC1,T\n");
        assert_eq!(
            notes,
            ["b.xlsx[S]: 2 empty columns inside the table (no heading, no values) left out"]
        );
    }

    #[test]
    fn the_largest_block_is_the_table_and_short_gaps_stay_inside_it() {
        let (csv, notes) = read(&[
            (0, 0, "a title"),
            (2000, 0, "case_id"),
            (2001, 0, "C1"),
            (2500, 0, "C2"),
        ]);
        assert!(csv.starts_with(&"\n".repeat(2000)));
        assert!(csv.ends_with(&format!("case_id\nC1\n{}C2\n", "\n".repeat(498))));
        assert_eq!(
            notes,
            ["b.xlsx[S]: warning: cell A1 holds \"a title\" far from the table; ignored"]
        );
    }

    #[test]
    fn a_repeated_cell_keeps_its_last_value() {
        let (csv, _) = read(&[(0, 0, "case_id"), (1, 0, "old"), (1, 0, "new")]);
        assert_eq!(csv, "case_id\nnew\n");
    }
}
