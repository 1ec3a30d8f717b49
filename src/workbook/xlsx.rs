//! The `.xlsx`/`.xlsm` reader: each part is unpacked from the zip as a stream and
//! parsed as it comes (through [`Guard`], which bounds both the unpacked size and
//! the longest tag or text the parser holds), so memory grows with the cells that
//! hold values, not with the sheet's dimensions or the size of its XML. Shared strings are read
//! after the sheets, keeping only those the sheets use.

use super::guard::{Guard, Refused};
use super::{MAX_CELL_CHARS, MAX_SHEETS, PlacedCell, number_text};
use crate::dates::{excel_serial_to_date, format_date};
use anyhow::{Result, anyhow, bail};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use std::collections::HashMap;
use std::io::{BufReader, Read, Seek};
use zip::ZipArchive;
use zip::read::ZipFile;

/// A part may unpack to this much whatever its packed size; past it, to at most
/// [`MAX_RATIO`] times its packed size.
const MAX_UNPACKED: u64 = 256 << 20;
const MAX_RATIO: u64 = 100;
/// The last row and column a sheet can have (1,048,576 and XFD).
pub(super) const MAX_ROW: u32 = 1 << 20;
pub(super) const MAX_COL: u32 = 1 << 14;

/// Where a workbook's bytes come from: a file, or memory (for the fuzzer).
pub(super) trait Source: Read + Seek {}
impl<T: Read + Seek> Source for T {}

pub(super) type Xml<'a> = Reader<BufReader<Guard<ZipFile<'a, Box<dyn Source>>>>>;

/// An open workbook: its sheets, and what reading their cells needs.
pub(super) struct Book {
    zip: ZipArchive<Box<dyn Source>>,
    file: String,
    /// Entry names (lower case, `/` separated) to their index in the zip.
    index: HashMap<String, usize>,
    /// Each sheet's name and the part that holds it.
    sheets: Vec<(String, Option<String>)>,
    strings_part: Option<String>,
    /// For each cell format (a cell's `s`), whether it shows a date or time.
    dates: Vec<bool>,
    date1904: bool,
}

/// A value as read from a sheet: text, or the index of a shared string.
enum Value {
    Text(String),
    Shared(u32),
}

/// A sheet's cells that hold values; a cell holding a shared string has empty
/// text until [`Sheet::shared`] names it (cell index, string number).
pub(super) struct Sheet {
    pub(super) cells: Vec<PlacedCell>,
    pub(super) shared: Vec<(usize, u32)>,
}

impl Book {
    /// Opens the zip and reads the list of sheets and the cell formats. `file`
    /// names the workbook in messages.
    pub(super) fn open(source: Box<dyn Source>, file: &str) -> Result<Book> {
        let mut book = Book::container(source, file, ".xlsx")?;
        let workbook = book
            .relation("_rels/.rels", "", "/officeDocument")?
            .unwrap_or_else(|| "xl/workbook.xml".to_string());
        let dir = workbook.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        let (sheets, date1904) = book.part(&workbook, read_workbook)?.ok_or_else(|| {
            anyhow!("cannot read the workbook {file}: it has no {workbook} (is it an .xlsx file?)")
        })?;
        if sheets.len() > MAX_SHEETS {
            bail!(
                "{file} has more than {MAX_SHEETS} sheets, more than caseaudit reads in one workbook; split it"
            );
        }
        let rels = format!(
            "{dir}/_rels/{}.rels",
            workbook.rsplit('/').next().unwrap_or(&workbook)
        );
        let ids: Vec<&str> = sheets.iter().map(|(_, id)| id.as_str()).collect();
        let targets = book.part(&rels, |xml| read_rels(xml, &ids))?.unwrap_or_default();
        let resolve = |t: &str| join(&dir, t);
        book.sheets = sheets
            .iter()
            .map(|(name, id)| (name.clone(), targets.by_id.get(id).map(|t| resolve(t))))
            .collect();
        book.strings_part = Some(
            targets
                .strings
                .as_deref()
                .map_or_else(|| join(&dir, "sharedStrings.xml"), resolve),
        );
        let styles = targets
            .styles
            .as_deref()
            .map_or_else(|| join(&dir, "styles.xml"), resolve);
        book.dates = book.part(&styles, read_styles)?.unwrap_or_default();
        book.date1904 = date1904;
        Ok(book)
    }

    /// Opens the zip only, for another format kept in one (`kind`, as `.ods`,
    /// names it in messages); its parts are read with [`Book::part`].
    pub(super) fn container(source: Box<dyn Source>, file: &str, kind: &str) -> Result<Book> {
        let zip = ZipArchive::new(source)
            .map_err(|e| anyhow!("cannot read the workbook {file}: it is not a valid {kind} file ({e})"))?;
        let index = (0..zip.len())
            .filter_map(|i| Some((key(&zip.name_for_index(i)?.ok()?.replace('\\', "/")), i)))
            .collect();
        Ok(Book {
            zip,
            file: file.to_string(),
            index,
            sheets: Vec::new(),
            strings_part: None,
            dates: Vec::new(),
            date1904: false,
        })
    }

    pub(super) fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|(name, _)| name.clone()).collect()
    }

    /// The cells of sheet `n` that hold values, in the order the sheet gives them.
    pub(super) fn cells(&mut self, n: usize) -> Result<Sheet> {
        let (name, part) = self.sheets[n].clone();
        let Some(part) = part else {
            return Ok(Sheet {
                cells: Vec::new(),
                shared: Vec::new(),
            });
        };
        let (dates, date1904) = (std::mem::take(&mut self.dates), self.date1904);
        let at = format!("{}[{name}]", self.file);
        let read = self.part(&part, |xml| read_sheet(xml, &at, &dates, date1904));
        self.dates = dates;
        match read? {
            Some(cells) => Ok(cells),
            None => bail!(
                "cannot read sheet \"{name}\" of {}: its part {part} is missing",
                self.file
            ),
        }
    }

    /// The shared strings numbered in `needed` (sorted, without repeats).
    pub(super) fn shared_strings(&mut self, needed: &[u32]) -> Result<HashMap<u32, String>> {
        let Some(part) = self.strings_part.clone() else {
            return Ok(HashMap::new());
        };
        Ok(self
            .part(&part, |xml| read_strings(xml, needed))?
            .unwrap_or_default())
    }

    /// Runs `read` over one part, unpacked through a [`Guard`]; `None` if the
    /// workbook has no such part. Errors name the file and the part.
    pub(super) fn part<T>(
        &mut self,
        path: &str,
        read: impl FnOnce(&mut Xml<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let Some(&i) = self.index.get(&key(path)) else {
            return Ok(None);
        };
        let file = &self.file;
        let entry = self
            .zip
            .by_index(i)
            .map_err(|e| anyhow!("cannot read the workbook {file}: its part {path}: {e}"))?;
        let allowance = entry
            .compressed_size()
            .saturating_mul(MAX_RATIO)
            .max(MAX_UNPACKED);
        if entry.size() > allowance {
            bail!(
                "{file}: part {path} unpacks to {} MiB, over 100 times its packed size, which no real workbook does; it is not read",
                entry.size() >> 20
            );
        }
        let mut xml = Reader::from_reader(BufReader::new(Guard::new(
            entry,
            format!("{file}: part {path}"),
            allowance,
        )));
        let config = xml.config_mut();
        // Text is kept as it is: a value's spaces are part of it.
        config.trim_text(false);
        config.check_end_names = false;
        config.expand_empty_elements = false;
        read(&mut xml).map(Some)
    }
}

/// The next event, with parse errors (and the guard's refusals) as messages
/// naming the part.
pub(super) fn next<'b>(xml: &mut Xml<'_>, buf: &'b mut Vec<u8>) -> Result<Event<'b>> {
    buf.clear();
    xml.read_event_into(buf).map_err(|e| {
        if let quick_xml::Error::Io(io) = &e
            && let Some(refused) = io.get_ref().and_then(|e| e.downcast_ref::<Refused>())
        {
            return anyhow!("{refused}");
        }
        let at = xml.buffer_position();
        anyhow!(
            "{} is damaged near byte {at} ({e}); it is not read",
            xml.get_ref().get_ref().name()
        )
    })
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().with_checks(false).flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| {
                a.normalized_value(XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

/// The sheets (name, relationship id) and the date system of `workbook.xml`.
fn read_workbook(xml: &mut Xml<'_>) -> Result<(Vec<(String, String)>, bool)> {
    let (mut sheets, mut date1904) = (Vec::new(), false);
    let mut buf = Vec::new();
    loop {
        match next(xml, &mut buf)? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "sheet" => {
                    sheets.push((
                        attr(&e, "name").unwrap_or_default(),
                        attr(&e, "id").unwrap_or_default(),
                    ));
                    if sheets.len() > MAX_SHEETS {
                        break;
                    }
                }
                "workbookPr" => {
                    date1904 = attr(&e, "date1904").is_some_and(|v| v == "1" || v == "true");
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((sheets, date1904))
}

#[derive(Default)]
struct Targets {
    by_id: HashMap<String, String>,
    strings: Option<String>,
    styles: Option<String>,
}

/// The targets of the relationships `ids`, and of the shared strings and styles.
fn read_rels(xml: &mut Xml<'_>, ids: &[&str]) -> Result<Targets> {
    let mut targets = Targets::default();
    let mut buf = Vec::new();
    loop {
        match next(xml, &mut buf)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) else {
                    continue;
                };
                let kind = attr(&e, "Type").unwrap_or_default();
                if kind.ends_with("/sharedStrings") {
                    targets.strings = Some(target);
                } else if kind.ends_with("/styles") {
                    targets.styles = Some(target);
                } else if ids.contains(&id.as_str()) {
                    targets.by_id.insert(id, target);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(targets)
}

impl Book {
    /// The target of the first relationship of a type ending `kind` in `rels`.
    fn relation(&mut self, rels: &str, dir: &str, kind: &str) -> Result<Option<String>> {
        let found = self.part(rels, |xml| {
            let mut buf = Vec::new();
            loop {
                match next(xml, &mut buf)? {
                    Event::Start(e) | Event::Empty(e)
                        if e.local_name().as_ref() == "Relationship"
                            && attr(&e, "Type").is_some_and(|t| t.ends_with(kind)) =>
                    {
                        return Ok(attr(&e, "Target").map(|t| join(dir, &t)));
                    }
                    Event::Eof => return Ok(None),
                    _ => {}
                }
            }
        })?;
        Ok(found.flatten())
    }
}

/// For each cell format of `styles.xml`, whether it shows a date or time.
fn read_styles(xml: &mut Xml<'_>) -> Result<Vec<bool>> {
    let mut custom: HashMap<u32, bool> = HashMap::new();
    let mut dates = Vec::new();
    let mut in_xfs = false;
    let mut buf = Vec::new();
    loop {
        match next(xml, &mut buf)? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId"), attr(&e, "formatCode"))
                        && let Ok(id) = id.trim().parse()
                    {
                        custom.insert(id, is_date_format(&code));
                    }
                }
                "cellXfs" => in_xfs = true,
                "xf" if in_xfs => {
                    let id = attr(&e, "numFmtId")
                        .and_then(|v| v.trim().parse::<u32>().ok())
                        .unwrap_or(0);
                    dates.push(
                        custom
                            .get(&id)
                            .copied()
                            .unwrap_or(matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58)),
                    );
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_xfs = false,
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(dates)
}

/// Whether a number format shows a date or time: a `d`, `m`, `y`, `h` or `s`
/// outside quotes, brackets and escapes, in its first section (calamine's rule).
fn is_date_format(code: &str) -> bool {
    let (mut escaped, mut quoted, mut brackets) = (false, false, 0u32);
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '"' => quoted = !quoted,
            _ if quoted => {}
            '\\' | '_' | '*' => escaped = true,
            ';' => return false,
            '[' => brackets += 1,
            ']' => {
                brackets = brackets.saturating_sub(1);
            }
            'd' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S' if brackets == 0 => return true,
            _ => {}
        }
    }
    // `[h]:mm` and the like: a duration, read (like calamine) as a date.
    code.contains("[h]") || code.contains("[m]") || code.contains("[s]")
}

/// Where text being read goes: nowhere, or the value of the cell or string.
#[derive(PartialEq, Eq, Clone, Copy)]
enum Capture {
    None,
    Value,
    /// Inside a phonetic run (`<rPh>`), whose text is not part of the value.
    Phonetic,
}

/// Appends text to a value, refusing one longer than a cell can hold.
pub(super) fn push_text(out: &mut String, text: &str, what: impl FnOnce() -> String) -> Result<()> {
    out.push_str(text);
    // A char is at most 4 bytes: only a long value needs counting.
    if out.len() > MAX_CELL_CHARS && out.chars().count() > MAX_CELL_CHARS {
        bail!(
            "{} holds more than {MAX_CELL_CHARS} characters, more than a spreadsheet cell can; the workbook is not read",
            what()
        );
    }
    Ok(())
}

/// Appends the text of a `Text`, `CData` or entity event.
pub(super) fn event_text(event: &Event<'_>, out: &mut String, what: impl FnOnce() -> String) -> Result<()> {
    match event {
        Event::Text(t) => push_text(out, &t.xml10_content(), what),
        Event::CData(t) => push_text(out, &t.xml10_content(), what),
        Event::GeneralRef(r) => {
            let c = match r.resolve_char_ref() {
                Ok(Some(c)) => Some(c),
                _ => quick_xml::escape::resolve_predefined_entity(r).and_then(|s| s.chars().next()),
            };
            push_text(out, c.map_or(String::new(), String::from).as_str(), what)
        }
        _ => Ok(()),
    }
}

/// The cells of a sheet's XML that hold values; `at` names the sheet in messages
/// (`book.xlsx[Sheet1]`).
fn read_sheet(xml: &mut Xml<'_>, at: &str, dates: &[bool], date1904: bool) -> Result<Sheet> {
    let mut sheet = Sheet {
        cells: Vec::new(),
        shared: Vec::new(),
    };
    let mut buf = Vec::new();
    // The next row and column when a `<row>` or `<c>` gives none.
    let (mut row, mut col) = (0u32, 0u32);
    let mut cell: Option<(u32, u32, Option<String>, Option<usize>)> = None;
    let mut text = String::new();
    let mut capture = Capture::None;
    loop {
        let event = next(xml, &mut buf)?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    "row" => {
                        if let Some(r) = attr(e, "r") {
                            row = r
                                .trim()
                                .parse::<u32>()
                                .ok()
                                .filter(|r| (1..=MAX_ROW).contains(r))
                                .ok_or_else(|| {
                                    anyhow!(
                                        "{at}: row number \"{r}\" is not a row of a sheet; it is not read"
                                    )
                                })?
                                - 1;
                        }
                        col = 0;
                    }
                    "c" => {
                        let (mut at_ref, mut kind, mut style) = (None, None, None);
                        for a in e.attributes().with_checks(false).flatten() {
                            match a.key.local_name().as_ref() {
                                "r" => at_ref = Some(a.value),
                                "t" => kind = Some(a.value.into_owned()),
                                "s" => style = a.value.trim().parse().ok(),
                                _ => {}
                            }
                        }
                        let (r, c) = match at_ref {
                            Some(r) => parse_ref(&r).ok_or_else(|| {
                                anyhow!("{at}: \"{r}\" is not a cell reference; it is not read")
                            })?,
                            None => (row, col),
                        };
                        (row, col) = (r, c + 1);
                        text.clear();
                        cell = (!empty).then_some((r, c, kind, style));
                    }
                    "v" | "t" if cell.is_some() && capture != Capture::Phonetic => capture = Capture::Value,
                    "rPh" => capture = Capture::Phonetic,
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "row" => {
                    row = row.saturating_add(1);
                    col = 0;
                }
                "v" | "t" if capture == Capture::Value => capture = Capture::None,
                "rPh" => capture = Capture::None,
                "c" => {
                    capture = Capture::None;
                    if let Some((r, c, kind, style)) = cell.take()
                        && let Some(value) = value(&text, kind.as_deref(), style, dates, date1904)
                            .map_err(|why| anyhow!("{at}: cell {}: {why}", cell_name(r, c)))?
                    {
                        let text = match value {
                            Value::Text(text) => text,
                            Value::Shared(n) => {
                                sheet.shared.push((sheet.cells.len(), n));
                                String::new()
                            }
                        };
                        sheet.cells.push((r, c, text));
                    }
                }
                "sheetData" => break,
                _ => {}
            },
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) if capture == Capture::Value => {
                let (r, c) = cell.as_ref().map_or((row, col), |&(r, c, ..)| (r, c));
                event_text(&event, &mut text, || format!("{at}: cell {}", cell_name(r, c)))?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(sheet)
}

/// A cell's value as the CSV readers expect it; `None` for an empty cell.
fn value(
    text: &str,
    kind: Option<&str>,
    style: Option<usize>,
    dates: &[bool],
    date1904: bool,
) -> Result<Option<Value>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(match kind {
        Some("s") => Value::Shared(
            text.trim()
                .parse()
                .map_err(|_| format!("\"{text}\" is not the number of a shared string"))?,
        ),
        Some("b") => Value::Text(
            (if matches!(text.trim(), "1" | "true") {
                "yes"
            } else {
                "no"
            })
            .to_string(),
        ),
        Some("str" | "inlineStr") => Value::Text(unescape_x(text)),
        Some("e" | "d") => Value::Text(text.to_string()),
        _ => {
            let Ok(number) = text.trim().parse::<f64>() else {
                return Ok(Some(Value::Text(text.to_string())));
            };
            if style.and_then(|s| dates.get(s)).copied().unwrap_or(false) && number.is_finite() {
                let serial = number.floor() as i64 + if date1904 { 1462 } else { 0 };
                Value::Text(excel_serial_to_date(serial).map_or_else(|| number_text(number), format_date))
            } else {
                Value::Text(number_text(number))
            }
        }
    }))
}

/// The shared strings numbered in `needed`: the text of each `<si>` outside its
/// phonetic runs.
fn read_strings(xml: &mut Xml<'_>, needed: &[u32]) -> Result<HashMap<u32, String>> {
    let part = xml.get_ref().get_ref().name().to_string();
    let mut found = HashMap::new();
    let Some(&last) = needed.last() else {
        return Ok(found);
    };
    let mut buf = Vec::new();
    let mut n: u32 = 0;
    let mut keep = false;
    let mut text = String::new();
    let mut capture = Capture::None;
    loop {
        let event = next(xml, &mut buf)?;
        match &event {
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => {
                    keep = needed.binary_search(&n).is_ok();
                    text.clear();
                }
                "t" if keep && capture != Capture::Phonetic => capture = Capture::Value,
                "rPh" => capture = Capture::Phonetic,
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == "si" => {
                if needed.binary_search(&n).is_ok() {
                    found.insert(n, String::new());
                }
                n = n.saturating_add(1);
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" if capture == Capture::Value => capture = Capture::None,
                "rPh" => capture = Capture::None,
                "si" => {
                    if keep {
                        found.insert(n, unescape_x(&std::mem::take(&mut text)));
                    }
                    if n >= last {
                        break;
                    }
                    n = n.saturating_add(1);
                    keep = false;
                }
                _ => {}
            },
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) if capture == Capture::Value => {
                event_text(&event, &mut text, || format!("{part} (shared string {n})"))?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(found)
}

/// Text with Excel's escapes for characters XML cannot hold (`_x000D_` for a
/// carriage return; `_x005F_` for the `_` of a literal `_x…_`) undone.
fn unescape_x(text: &str) -> String {
    if !text.contains("_x") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let code = rest
            .get(at + 2..at + 6)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match code.filter(|_| rest.as_bytes().get(at + 6) == Some(&b'_')) {
            Some(hex) => {
                out.extend(u32::from_str_radix(hex, 16).ok().and_then(char::from_u32));
                rest = &rest[at + 7..];
            }
            None => {
                out.push_str("_x");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `B7` → (6, 1); `None` if it is not a cell of a sheet.
fn parse_ref(at: &str) -> Option<(u32, u32)> {
    let at = at.trim();
    let digits = at.find(|c: char| c.is_ascii_digit())?;
    let (letters, number) = at.split_at(digits);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let col = letters
        .bytes()
        .fold(0u32, |n, b| n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1));
    let row: u32 = number.parse().ok()?;
    ((1..=MAX_ROW).contains(&row) && (1..=MAX_COL).contains(&col)).then(|| (row - 1, col - 1))
}

/// (6, 1) → `B7`.
pub(super) fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), u64::from(row) + 1)
}

/// A zip entry's name as looked up: lower case, without a leading `/`.
fn key(name: &str) -> String {
    name.trim_start_matches('/').to_ascii_lowercase()
}

/// A relationship's target, relative to `dir` unless it starts with `/`.
fn join(dir: &str, target: &str) -> String {
    let target = target.replace('\\', "/");
    let mut parts: Vec<&str> = if target.starts_with('/') || dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_read_and_name_cells() {
        assert_eq!(parse_ref("A1"), Some((0, 0)));
        assert_eq!(parse_ref("J1000000"), Some((999_999, 9)));
        assert_eq!(parse_ref("XFD1048576"), Some((1_048_575, 16_383)));
        for bad in ["XFE1", "A0", "A1048577", "1", "A", "AAAA1", "A1B", "$A$1"] {
            assert_eq!(parse_ref(bad), None, "{bad}");
        }
        for (row, col) in [
            (0, 0),
            (6, 1),
            (999_999, 9),
            (1_048_575, 16_383),
            (3, 701),
            (3, 702),
        ] {
            assert_eq!(parse_ref(&cell_name(row, col)), Some((row, col)));
        }
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn date_formats_are_told_from_numbers() {
        for date in [
            "dd/mm/yyyy",
            "yyyy-mm-dd",
            "d-mmm-yy",
            "[$-809]dd mmmm yyyy",
            "h:mm",
            "[h]:mm:ss",
        ] {
            assert!(is_date_format(date), "{date}");
        }
        for other in ["0.00", "#,##0", "\"days\" 0", "General", "0;[Red]-0", "@"] {
            assert!(!is_date_format(other), "{other}");
        }
    }

    #[test]
    fn excel_escapes_are_undone() {
        assert_eq!(unescape_x("a_x000D_b"), "a\rb");
        assert_eq!(unescape_x("_x005F_x000D_"), "_x000D_");
        assert_eq!(unescape_x("box_x1_ and _x"), "box_x1_ and _x");
        assert_eq!(unescape_x("é_x00E9_"), "éé");
    }

    #[test]
    fn targets_join_their_folder() {
        assert_eq!(join("xl", "worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(
            join("xl", "/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(join("xl", "../xl/a.xml"), "xl/a.xml");
        assert_eq!(join("", "xl/workbook.xml"), "xl/workbook.xml");
    }
}
