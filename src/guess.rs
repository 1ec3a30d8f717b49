//! What `init` guesses about a user's own files from their first rows: how the
//! text is written (encoding, delimiter, title rows above the headings), which
//! layout each file is, and which headings hold the fields caseaudit does not find
//! by itself. No I/O: `cmd/init.rs` reads the files and prints what is guessed;
//! [`settings_text`] writes a guess as a commented settings file.

mod combine;
mod settings_text;
#[cfg(test)]
mod tests;

pub(crate) use combine::{Choice, Guess, Section, combine};
pub(crate) use settings_text::settings_text;

use crate::config::Settings;
use crate::extract::standard;
use crate::fit::{self, Kind};
use crate::layouts::headings;
use crate::values::heading_key;
use std::collections::HashSet;

/// How a file's bytes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    /// ASCII only: UTF-8 and Windows-1252 read it alike.
    Ascii,
    /// UTF-8 with characters beyond ASCII.
    Utf8,
    /// Not UTF-8: taken for Windows-1252, what Excel on Windows saves as "CSV".
    Windows1252,
}

/// Tells a file's [`Text`] from its bytes, given in pieces of any size.
#[derive(Debug, Default)]
pub(crate) struct TextCheck {
    /// The start of a character cut by the end of the last piece.
    carry: Vec<u8>,
    non_ascii: bool,
    invalid: bool,
}

impl TextCheck {
    pub(crate) fn feed(&mut self, piece: &[u8]) {
        if self.invalid || piece.is_empty() {
            return;
        }
        let joined;
        let bytes: &[u8] = if self.carry.is_empty() {
            piece
        } else {
            joined = [std::mem::take(&mut self.carry).as_slice(), piece].concat();
            &joined
        };
        self.non_ascii |= !bytes.is_ascii();
        match std::str::from_utf8(bytes) {
            Ok(_) => {}
            // A character cut by the end of the piece: the next piece ends it.
            Err(e) if e.error_len().is_none() => self.carry = bytes[e.valid_up_to()..].to_vec(),
            Err(_) => self.invalid = true,
        }
    }

    pub(crate) fn finish(self) -> Text {
        if self.invalid || !self.carry.is_empty() {
            Text::Windows1252
        } else if self.non_ascii {
            Text::Utf8
        } else {
            Text::Ascii
        }
    }
}

/// How files are written, where the command line says (`--encoding`, `--delimiter`,
/// `--header-row`): taken as given, and set in `[input]`, not guessed; and what
/// they are (`--kind`), for files whose headings do not tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Given {
    pub(crate) encoding: Option<crate::csvio::Encoding>,
    pub(crate) delimiter: Option<u8>,
    pub(crate) header_row: Option<u64>,
    pub(crate) kind: Option<Kind>,
}

/// One table of a user's file, as `init` is given it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Table<'a> {
    /// A CSV file.
    Csv {
        /// Its first bytes as UTF-8 text (decoded when `text` is Windows-1252), with
        /// no byte-order mark.
        head: &'a [u8],
        text: Text,
        /// The delimiter it is read with when none is set: comma, or tab for `.tsv`.
        default: u8,
        /// The delimiter caseaudit finds by itself from the file's first line.
        by_itself: u8,
    },
    /// A workbook's sheet, as CSV text whose lines are the sheet's rows.
    Sheet(&'a [u8]),
    /// A table caseaudit makes from a file itself (the CIN census), by its headings.
    Made(&'a [String]),
}

/// What was guessed about one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileGuess {
    /// The file (a workbook's sheet: `book.xlsx[Sheet]`).
    pub(crate) name: String,
    /// For a CSV file: how it is written.
    pub(crate) csv: Option<CsvGuess>,
    /// The line (a sheet's row) the headings are on; `None` for a made table.
    pub(crate) header_line: Option<u64>,
    /// Whether the header holds a heading caseaudit knows by itself (else it was
    /// taken as the widest of the first rows).
    pub(crate) header_known: bool,
    pub(crate) headings: Vec<String>,
    /// Its layout, or why it cannot be told.
    pub(crate) layout: Result<Kind, String>,
    /// Whether the layout was told only once headings were guessed.
    pub(crate) layout_guessed: bool,
    /// The Ofsted Annex A list it is, told by its headings.
    pub(crate) annex_a: Option<u8>,
    /// The fields found by their own headings: (field, heading).
    pub(crate) found: Vec<(String, String)>,
    /// The layout's fields not found by their own headings: the heading guessed for
    /// each that one looks like, and each required one that none does.
    pub(crate) columns: Vec<Column>,
}

/// How a CSV file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CsvGuess {
    pub(crate) text: Text,
    pub(crate) delimiter: u8,
    /// The delimiter caseaudit finds by itself (see [`Table::Csv`]).
    pub(crate) by_itself: u8,
}

/// A field of a layout that its file holds under a heading of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    pub(crate) field: &'static str,
    pub(crate) required: bool,
    /// The heading guessed; `None`: no heading looks like it.
    pub(crate) heading: Option<String>,
}

/// The delimiters looked for, with their names.
const DELIMITERS: [(u8, &str); 4] = [
    (b',', "commas"),
    (b';', "semicolons"),
    (b'\t', "tabs"),
    (b'|', "pipes"),
];

/// Rows looked at for the header, as caseaudit does.
const HEADER_SEARCH: usize = 20;

/// The name of a delimiter: `semicolons`.
pub(crate) fn delimiter_name(d: u8) -> &'static str {
    DELIMITERS
        .iter()
        .find(|(x, _)| *x == d)
        .map_or("commas", |(_, name)| name)
}

/// Guesses what one table is. `known`: every heading caseaudit knows by itself,
/// as [`crate::values::heading_key`]s (what marks a header row).
pub(crate) fn table(name: &str, table: Table<'_>, known: &HashSet<String>, given: Given) -> FileGuess {
    let (csv, header) = match table {
        Table::Csv {
            head,
            text,
            default,
            by_itself,
        } => {
            // Each delimiter in turn, the default first: the one whose header holds
            // the most known headings, then the most headings, wins.
            let mut order = vec![given.delimiter.unwrap_or(default)];
            if given.delimiter.is_none() {
                order.extend(DELIMITERS.iter().map(|(d, _)| *d).filter(|d| *d != default));
            }
            let (_, delimiter, header) = order
                .into_iter()
                .enumerate()
                .map(|(i, d)| (i, d, find_header(head, d, known, given.header_row)))
                .max_by_key(|(i, _, h)| (h.known, h.cells, std::cmp::Reverse(*i)))
                .expect("there are delimiters");
            let csv = CsvGuess {
                text,
                delimiter,
                by_itself,
            };
            (Some(csv), Some(header))
        }
        Table::Sheet(bytes) => (None, Some(find_header(bytes, b',', known, given.header_row))),
        Table::Made(_) => (None, None),
    };
    let headings = match (table, &header) {
        (Table::Made(headings), _) => headings.to_vec(),
        (_, Some(h)) => h.headings.clone(),
        (_, None) => Vec::new(),
    };
    let settings = Settings::default();
    let layout = if headings.iter().all(|h| h.trim().is_empty()) {
        Err("no headings were found in it (it is empty, or the header row given is blank)".to_string())
    } else {
        fit::best(&headings, &settings).map(|f| f.kind).map_err(|_| {
            format!(
                "none of its headings is one caseaudit knows well enough (the headings: {})",
                headings.join(", ")
            )
        })
    };
    // An Annex A list is read by its own headings, not mapped.
    let annex_a = crate::annex_a::list_number_from_headings(&csv::StringRecord::from(headings.clone()));
    let layout = if annex_a.is_some() {
        Ok(Kind::Cases)
    } else if let Some(kind) = given
        .kind
        .filter(|_| !headings.iter().all(|h| h.trim().is_empty()))
    {
        Ok(kind)
    } else {
        layout
    };
    // Headings too unlike any layout's: the layout whose every required field,
    // and the most headings, the guesses find.
    let by_guesses = layout
        .as_ref()
        .err()
        .and_then(|_| told_by_guesses(&headings, &settings));
    let layout_guessed = by_guesses.is_some();
    let layout = by_guesses.map_or(layout, Ok);
    let (found, columns) = match layout {
        Ok(kind) if annex_a.is_none() => guess_columns(kind, &headings, &settings),
        _ => (Vec::new(), Vec::new()),
    };
    FileGuess {
        name: name.to_string(),
        csv,
        header_line: header.as_ref().map(|h| h.line),
        header_known: header.as_ref().is_none_or(|h| h.known > 0),
        headings,
        layout,
        layout_guessed,
        annex_a,
        found,
        columns,
    }
}

/// The layout a file is once its headings are guessed, when its known headings do
/// not tell: the one whose every required field is found or guessed and that holds
/// the most headings so (at least two, and half of them), more than any other.
fn told_by_guesses(headings: &[String], settings: &Settings) -> Option<Kind> {
    let mut scored: Vec<(usize, Kind)> = Kind::ALL
        .iter()
        .filter_map(|&kind| {
            let (found, columns) = guess_columns(kind, headings, settings);
            let guessed = columns.iter().filter(|c| c.heading.is_some()).count();
            columns
                .iter()
                .all(|c| c.heading.is_some())
                .then_some((found.len() + guessed, kind))
        })
        .collect();
    scored.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    match scored.as_slice() {
        [(n, kind), rest @ ..]
            if *n >= 2 && 2 * n >= headings.len() && rest.first().is_none_or(|(m, _)| m < n) =>
        {
            Some(*kind)
        }
        _ => None,
    }
}

/// A header row found among a table's first rows.
#[derive(Debug)]
struct Header {
    /// Its line as users see it (blank lines counted).
    line: u64,
    headings: Vec<String>,
    /// How many of its headings caseaudit knows; how many are not blank.
    known: usize,
    cells: usize,
}

/// The header among the first rows of a table split by `delimiter`, as caseaudit
/// finds it (the first row, unless it holds no heading caseaudit knows; then the
/// first row holding the most), except that when no row holds one, the widest of
/// the first rows is taken for the header (title rows are narrower). `row`: the
/// line the command line says the headings are on.
fn find_header(head: &[u8], delimiter: u8, known: &HashSet<String>, row: Option<u64>) -> Header {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(head);
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    let mut record = csv::ByteRecord::new();
    while rows.len() < HEADER_SEARCH {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) | Err(_) => break,
        }
        let at = record.position().map_or(0, |p| p.byte() as usize).min(head.len());
        // The record starts after any blank lines at `at`.
        let start = head[at..]
            .iter()
            .position(|&b| b != b'\n' && b != b'\r')
            .map_or(head.len(), |n| at + n);
        let line = 1 + head[..start].iter().filter(|&&b| b == b'\n').count() as u64;
        let cells = record
            .iter()
            .map(|c| crate::values::clean(&String::from_utf8_lossy(c)).into_owned())
            .collect();
        rows.push((line, cells));
    }
    let known_in = |cells: &[String]| cells.iter().filter(|c| known.contains(&heading_key(c))).count();
    let filled = |cells: &[String]| cells.iter().filter(|c| !c.trim().is_empty()).count();
    let scores: Vec<usize> = rows.iter().map(|(_, cells)| known_in(cells)).collect();
    let best = scores.iter().copied().max().unwrap_or(0);
    let at = if let Some(row) = row {
        rows.iter()
            .position(|(line, _)| *line == row)
            .unwrap_or(rows.len())
    } else if scores.first().is_some_and(|&s| s > 0) {
        0
    } else if best > 0 {
        scores.iter().position(|&s| s == best).unwrap_or(0)
    } else {
        let widest = rows.iter().map(|(_, c)| filled(c)).max().unwrap_or(0);
        rows.iter().position(|(_, c)| filled(c) == widest).unwrap_or(0)
    };
    match rows.into_iter().nth(at) {
        Some((line, headings)) => Header {
            line,
            known: known_in(&headings),
            cells: filled(&headings),
            headings,
        },
        None => Header {
            line: 1,
            headings: Vec::new(),
            known: 0,
            cells: 0,
        },
    }
}

/// A layout's fields, required ones first, each with whether it is required and
/// its built-in headings.
fn fields_of(kind: Kind, settings: &Settings) -> Vec<(&'static str, bool, Vec<String>)> {
    let mut fields: Vec<(&'static str, bool, Vec<String>)> = match kind.headings(settings) {
        None => fit::EXTRACT
            .iter()
            .map(|s| {
                let required = fit::EXTRACT_REQUIRED.contains(s);
                (s.name(), required, standard::headings_of(*s).collect())
            })
            .collect(),
        Some((layout, _)) => layout
            .fields
            .iter()
            .map(|f| {
                let required = layout.required.contains(f);
                (*f, required, layout.headings_of(f).map(str::to_string).collect())
            })
            .collect(),
    };
    fields.sort_by_key(|(_, required, _)| !required);
    fields
}

/// The settings section that maps a layout's headings: `extract`, `auditors`, ….
pub(crate) fn section(kind: Kind) -> &'static str {
    kind.headings(&Settings::default())
        .map_or("extract", |(layout, _)| layout.section)
}

/// The fields of a layout found by their own headings, and a guess for each of the
/// others: the nearest heading not held by another field (one sharing a telling
/// word with the field's built-in headings, or spelt nearly as one is). A heading
/// is guessed for one field only.
fn guess_columns(
    kind: Kind,
    headings: &[String],
    settings: &Settings,
) -> (Vec<(String, String)>, Vec<Column>) {
    let fit = fit::fit(kind, headings, settings);
    let found: Vec<(String, String)> = fit
        .held
        .iter()
        .zip(headings)
        .filter_map(|(held, h)| held.clone().map(|f| (f, h.clone())))
        .collect();
    let mut taken: Vec<usize> = Vec::new();
    let mut columns = Vec::new();
    for (field, required, wanted) in fields_of(kind, settings) {
        if fit.known.iter().any(|k| k == field) {
            continue;
        }
        let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
        let near = headings::nearest_to(&wanted, headings, |c| fit.held[c].is_some() || taken.contains(&c));
        // A field a file may do without is guessed only from a heading that
        // plainly names it.
        let near: Vec<usize> = near
            .into_iter()
            .filter(|&c| required || headings::plainly_names(&headings[c], &wanted))
            .collect();
        match near.first() {
            Some(&c) => {
                taken.push(c);
                columns.push(Column {
                    field,
                    required,
                    heading: Some(headings[c].clone()),
                });
            }
            None if required => columns.push(Column {
                field,
                required,
                heading: None,
            }),
            None => {}
        }
    }
    (found, columns)
}

impl FileGuess {
    /// What was guessed, in one line: `extract.csv: case extract; headings on line 3;
    /// separated by semicolons; Windows-1252; team = "Owning Team" (guessed)`.
    pub(crate) fn summary(&self) -> String {
        let mut parts = vec![match &self.layout {
            Ok(_) if self.annex_a.is_some() => {
                format!("case extract (Annex A list {})", self.annex_a.unwrap_or_default())
            }
            Ok(kind) if self.layout_guessed => format!("{} (guessed from its headings)", kind.describe()),
            Ok(kind) => kind.describe().to_string(),
            Err(_) => "kind not told".to_string(),
        }];
        if let Some(line) = self.header_line.filter(|&l| l > 1) {
            parts.push(format!("headings on line {line}"));
        }
        if let Some(csv) = self.csv {
            if csv.delimiter != b',' {
                parts.push(format!("separated by {}", delimiter_name(csv.delimiter)));
            }
            match csv.text {
                Text::Windows1252 => parts.push("Windows-1252".to_string()),
                Text::Utf8 => parts.push("UTF-8".to_string()),
                Text::Ascii => {}
            }
        }
        for c in &self.columns {
            if let Some(h) = &c.heading {
                parts.push(format!("{} = \"{h}\" (guessed)", c.field));
            }
        }
        if self.layout.is_ok() && self.annex_a.is_none() && self.columns.is_empty() {
            parts.push("every column found by its own heading".to_string());
        }
        format!("{}: {}", self.name, parts.join("; "))
    }

    /// What could not be told, a line each.
    pub(crate) fn could_not(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Err(why) = &self.layout {
            lines.push(format!(
                "{}: could not tell what kind of file this is: {why}; nothing is set for it (say what it is, and its headings are guessed for that: `caseaudit init {} --kind cases`, or auditors, history, audits, moderation)",
                self.name,
                self.name
            ));
        }
        for c in self.columns.iter().filter(|c| c.heading.is_none()) {
            lines.push(format!(
                "{}: could not tell which heading holds {} (none looks like it); its line is written commented out, to fill in",
                self.name, c.field
            ));
        }
        lines
    }
}

/// An encoding as the settings write it.
pub(crate) fn encoding_value(e: crate::csvio::Encoding) -> &'static str {
    match e {
        crate::csvio::Encoding::Utf8 => "\"utf-8\"",
        crate::csvio::Encoding::Windows1252 => "\"windows-1252\"",
    }
}

/// A delimiter as the settings (and `--delimiter`) take it, quoted: `";"`, `"tab"`.
pub(crate) fn toml_delimiter(d: u8) -> String {
    if d == b'\t' {
        "\"tab\"".to_string()
    } else {
        format!("\"{}\"", char::from(d))
    }
}

/// `a.csv is`, `a.csv and b.csv are`.
fn is_are(names: &[&str]) -> String {
    let verb = if names.len() == 1 { "is" } else { "are" };
    format!("{} {verb}", and_list(names))
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => String::new(),
    }
}
