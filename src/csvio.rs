//! Opening input tables, with every CSV reader and writer setting in one place:
//! BOM, CRLF, delimiter, Windows-1252 input, workbook sheets and the CIN census
//! XML as tables, a file's SHA-256, and formula neutralising for outputs.

mod line_ends;

pub(crate) use crate::values::neutralise;
use anyhow::{Context, Result, bail};
pub(crate) use line_ends::CrlfToLf;
use line_ends::LineEnds;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// How input files are decoded and split.
#[derive(Debug, Clone, Default)]
pub(crate) struct InputOptions {
    /// Field delimiter; `None` means comma, or tab for `.tsv` files.
    pub(crate) delimiter: Option<u8>,
    pub(crate) encoding: Encoding,
    /// The workbook sheet to read (`--sheet`); `None`: every sheet the reader recognises.
    pub(crate) sheet: Option<String>,
    /// The row the headings are on (`--header-row`, 1 = the first); `None`: found
    /// by [`find_header`].
    pub(crate) header_row: Option<u64>,
    /// Every heading caseaudit knows, of any layout, and those the settings map
    /// (as [`crate::values::heading_key`]s): the row that holds them is the header.
    pub(crate) known: std::sync::Arc<std::collections::HashSet<String>>,
}

/// One table to read: a CSV file, or one sheet of a workbook (named `book.xlsx[Sheet]`).
pub(crate) struct Input {
    pub(crate) name: String,
    /// The file the table came from.
    pub(crate) source: PathBuf,
    pub(crate) reader: csv::Reader<Box<dyn Read>>,
    /// The sheet's name and headings, for a workbook; for the CIN census, the
    /// table it was turned into (named "CIN census").
    pub(crate) sheet: Option<(String, Vec<String>)>,
    /// For a CSV file read as it is (not a sheet or a converted list): how to open
    /// it again, for the fast extract reader.
    pub(crate) options: Option<InputOptions>,
    /// What the reader worked out about the file that the user should hear of
    /// (a delimiter found from the header).
    pub(crate) note: Option<String>,
    /// The line (or sheet row) the header is on: 1 unless title rows come first.
    pub(crate) header_line: u64,
    /// Records before the header (title rows) that `reader` has yet to pass over.
    pub(crate) titles: usize,
    /// The Annex A list the table was turned from, into the standard layout.
    pub(crate) annex_a_list: Option<u8>,
    /// What the reading of a workbook's sheet found worth a warning: values far
    /// from the table or beside it, left out.
    pub(crate) warnings: Vec<crate::problem::Problem>,
}

impl Input {
    /// Passes `reader` over the title rows, so that its next record is the header.
    pub(crate) fn skip_titles(&mut self) {
        let mut record = csv::ByteRecord::new();
        for _ in 0..std::mem::take(&mut self.titles) {
            if !matches!(self.reader.read_byte_record(&mut record), Ok(true)) {
                break;
            }
        }
    }

    /// Whether the table is a file on disk read as it is, which can be opened again.
    pub(crate) fn reopens(&self) -> bool {
        self.options.is_some() && self.source != Path::new("-")
    }

    /// How to open the table again from its start ([`Input::reopens`] tables only).
    pub(crate) fn reopener(&self) -> Option<impl FnOnce() -> Result<Input> + use<>> {
        let opts = self.options.clone().filter(|_| self.reopens())?;
        let (name, source, header_line) = (self.name.clone(), self.source.clone(), self.header_line);
        Some(move || {
            Ok(Input {
                reader: csv_reader(&source, &opts)?,
                name,
                source,
                sheet: None,
                options: Some(opts),
                note: None,
                header_line,
                titles: 0,
                annex_a_list: None,
                warnings: Vec::new(),
            })
        })
    }
}

/// Opens every table of an input: one for a CSV file or the CIN census XML, one
/// per non-empty sheet (or the `--sheet`) of a workbook.
pub(crate) fn open_tables(path: &Path, opts: &InputOptions) -> Result<Vec<Input>> {
    if !crate::workbook::is_workbook(path) {
        if let Some(census) = census_table(path)? {
            return Ok(vec![census]);
        }
        let (mut opts, mut note) = file_options(path, opts)?;
        let (header, reader) = if path == Path::new("-") {
            // Standard input is read once: its head is read to tell what it is and
            // how it is separated, then read again from memory, decoded; the
            // decoded head is read to find the header, and read again too.
            let mut raw = open_raw(path)?;
            let mut head = Vec::new();
            (&mut raw)
                .take(64 << 10)
                .read_to_end(&mut head)
                .context("reading <stdin>")?;
            if crate::census::is_xml(&head) {
                let xml = io::Cursor::new(head).chain(raw);
                return Ok(vec![census_input(display_name(path), path, xml)?]);
            }
            if opts.delimiter.is_none()
                && let Some((delimiter, name)) = sniff_delimiter(&head)
            {
                opts.delimiter = Some(delimiter);
                note = Some(format!(
                    "<stdin>: the header is separated by {name}, so it is read so (give --delimiter to choose)"
                ));
            }
            let raw: Box<dyn Read> = Box::new(io::Cursor::new(head).chain(raw));
            let mut input = decoded(raw, "<stdin>", opts.encoding, delimiter_for(path, &opts))?;
            let mut head = Vec::new();
            (&mut input)
                .take(64 << 10)
                .read_to_end(&mut head)
                .context("reading <stdin>")?;
            let header = find_header(&head, delimiter_for(path, &opts), &opts).context("reading <stdin>")?;
            let input: Box<dyn Read> = Box::new(io::Cursor::new(head).chain(input));
            let reader = csv::ReaderBuilder::new()
                .delimiter(delimiter_for(path, &opts))
                .has_headers(false)
                .flexible(true)
                .from_reader(input);
            (header, reader)
        } else {
            (file_header(path, &opts)?, csv_reader(path, &opts)?)
        };
        let mut notes: Vec<String> = note.into_iter().collect();
        notes.extend(header.note(&display_name(path)));
        return Ok(vec![Input {
            name: display_name(path),
            source: path.to_path_buf(),
            reader,
            sheet: None,
            options: Some(opts),
            note: (!notes.is_empty()).then(|| notes.join("\n")),
            header_line: header.line,
            titles: header.titles,
            annex_a_list: None,
            warnings: Vec::new(),
        }]);
    }
    if path.is_dir() {
        bail!("{} is a directory, not a file", path.display());
    }
    let header = |csv: &[u8]| find_header(csv, b',', opts).ok().map(|h| h.line);
    let sheets = crate::workbook::read_sheets(path, opts.sheet.as_deref(), &header)?;
    sheets
        .into_iter()
        .map(|s| {
            let name = format!("{}[{}]", display_name(path), s.name);
            let header = find_header(&s.csv, b',', opts).with_context(|| format!("reading {name}"))?;
            let reader: Box<dyn Read> = Box::new(io::Cursor::new(s.csv));
            Ok(Input {
                note: header
                    .note(&name)
                    .into_iter()
                    .chain(s.notes)
                    .reduce(|a, b| a + "\n" + &b),
                name,
                source: path.to_path_buf(),
                reader: csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(reader),
                sheet: Some((s.name, header.headings)),
                options: None,
                header_line: header.line,
                titles: header.titles,
                annex_a_list: None,
                warnings: s.stray,
            })
        })
        .collect()
}

/// Opens the one table of an input: the CSV file, or the `--sheet` (default: the
/// first non-empty sheet) of a workbook.
pub(crate) fn open_table(path: &Path, opts: &InputOptions) -> Result<Input> {
    let mut tables = open_tables(path, opts)?;
    if tables.is_empty() {
        bail!("{} has no sheet with anything in it", path.display());
    }
    Ok(tables.swap_remove(0))
}

/// A file whose text starts with `<` (the content decides, not the extension)
/// read as the CIN census, as a table in memory; `None` for any other file. XML
/// that is not the census is refused.
fn census_table(path: &Path) -> Result<Option<Input>> {
    if path == Path::new("-") || path.is_dir() {
        return Ok(None);
    }
    let mut head = Vec::new();
    open_raw(path)?
        .take(64 << 10)
        .read_to_end(&mut head)
        .with_context(|| format!("reading {}", display_name(path)))?;
    if !crate::census::is_xml(&head) {
        return Ok(None);
    }
    let name = display_name(path);
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {name}"))?
        .len();
    if size > crate::census::MAX_BYTES {
        bail!(
            "{name} is over {} MiB: too large to read as the CIN census",
            crate::census::MAX_BYTES >> 20
        );
    }
    census_input(name, path, open_raw(path)?).map(Some)
}

/// The CIN census read from `xml`, as a table in memory.
fn census_input(name: String, path: &Path, xml: impl Read) -> Result<Input> {
    let census = crate::census::read(&name, xml)?;
    let children = match census.children {
        1 => "1 child".to_string(),
        n => format!("{n} children"),
    };
    let lines = if census.xml_lines {
        ""
    } else {
        " (problems name rows in the order of the children, not XML lines)"
    };
    let note = format!(
        "{name}: read as the CIN census: {children}{lines}; it names no team or worker: those come from a CSV file (case_id, team, worker) given with it"
    );
    let reader: Box<dyn Read> = Box::new(io::Cursor::new(census.csv));
    Ok(Input {
        name,
        source: path.to_path_buf(),
        reader: csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader),
        sheet: Some(("CIN census".to_string(), census.headings)),
        options: None,
        note: Some(note),
        header_line: 1,
        titles: 0,
        annex_a_list: None,
        warnings: Vec::new(),
    })
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
pub(crate) enum Encoding {
    #[default]
    #[value(name = "utf-8", alias = "utf8")]
    #[serde(rename = "utf-8", alias = "utf8")]
    Utf8,
    #[value(name = "windows-1252", alias = "cp1252", alias = "latin1")]
    #[serde(rename = "windows-1252", alias = "cp1252", alias = "latin1")]
    Windows1252,
}

/// A delimiter as users write it: one ASCII character, or `tab` (`\t`).
pub(crate) fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "\"{s}\" is not a single ASCII character (use \\t for tab)"
        )),
    }
}

/// A display name for an input path (`-` is standard input).
pub(crate) fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// Opens a file (or standard input for `-`) with a clear message for a missing
/// file or a directory. Unbuffered: the callers buffer.
fn open_raw(path: &Path) -> Result<Box<dyn Read>> {
    if path == Path::new("-") {
        return Ok(Box::new(io::stdin().lock()));
    }
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.is_dir() {
        bail!("{} is a directory, not a file", path.display());
    }
    Ok(Box::new(
        File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
    ))
}

/// Reads an input the settings say is Windows-1252 whole and decodes it, with
/// CRLF line ends as LF when `crlf_to_lf` gives the delimiter (outside quoted
/// cells: see [`LineEnds`]; `None` for a reader that reads CRLF itself). Text
/// that is valid UTF-8 is read as UTF-8 (its byte-order mark skipped):
/// caseaudit's own files, and Excel's "CSV UTF-8", are UTF-8 whatever the
/// settings say of the system's exports, and Windows-1252 text with a letter
/// beyond ASCII is, in practice, never valid UTF-8.
fn decode_input(name: &str, raw: Box<dyn Read>, crlf_to_lf: Option<u8>) -> Result<Box<dyn Read>> {
    let mut bytes = Vec::new();
    BufReader::new(raw)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {name}"))?;
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)) {
        Ok(utf8) => utf8.as_bytes().to_vec(),
        Err(_) => decode_windows_1252(&bytes).into_bytes(),
    };
    Ok(Box::new(io::Cursor::new(match crlf_to_lf {
        Some(delimiter) => LineEnds::whole(delimiter, text),
        None => text,
    })))
}

/// Whether a file is UTF-8 rather than Windows-1252: it starts with UTF-8's
/// byte-order mark, or it is valid UTF-8 throughout and has a character beyond
/// ASCII (plain ASCII is both, and is left as the settings say). Read in pieces.
fn is_utf8_file(path: &Path) -> Result<bool> {
    let mut file = BufReader::with_capacity(1 << 20, open_raw(path)?);
    let mut carry: Vec<u8> = Vec::new();
    let mut first = true;
    let mut beyond_ascii = false;
    loop {
        let chunk = file
            .fill_buf()
            .with_context(|| format!("reading {}", display_name(path)))?;
        if first && chunk.starts_with(b"\xEF\xBB\xBF") {
            return Ok(true);
        }
        first = false;
        if chunk.is_empty() {
            return Ok(carry.is_empty() && beyond_ascii);
        }
        let n = chunk.len();
        let mut piece = std::mem::take(&mut carry);
        piece.extend_from_slice(chunk);
        file.consume(n);
        let text = &piece[..];
        beyond_ascii = beyond_ascii || !text.is_ascii();
        match std::str::from_utf8(text) {
            Ok(_) => {}
            // A character cut at the end of the piece: completed by the next.
            Err(e) if e.error_len().is_none() => carry = text[e.valid_up_to()..].to_vec(),
            Err(_) => return Ok(false),
        }
    }
}

/// Opens an input for reading with a clear message for a missing file or a directory.
/// `-` is standard input. A UTF-8 byte-order mark is skipped; Windows-1252 is decoded.
pub(crate) fn open_input(path: &Path, opts: &InputOptions) -> Result<Box<dyn Read>> {
    decoded(
        open_raw(path)?,
        &display_name(path),
        opts.encoding,
        delimiter_for(path, opts),
    )
}

/// The text of an input (`name` in messages) whose cells are separated by
/// `delimiter`, as the CSV readers take it: UTF-8 with its byte-order mark
/// skipped and CRLF line ends outside quoted cells as LF ([`LineEnds`]), or
/// Windows-1252 decoded (see [`decode_input`]); UTF-16 refused with advice.
pub(crate) fn decoded(
    raw: Box<dyn Read>,
    name: &str,
    encoding: Encoding,
    delimiter: u8,
) -> Result<Box<dyn Read>> {
    match encoding {
        Encoding::Utf8 => {
            let mut buffered = BufReader::with_capacity(256 * 1024, raw);
            let head = buffered.fill_buf().with_context(|| format!("reading {name}"))?;
            if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
                bail!(
                    "{name} is UTF-16 text (Excel's \"Unicode Text\"); save it as \"CSV UTF-8\" and try again"
                );
            }
            if head.starts_with(b"\xEF\xBB\xBF") {
                buffered.consume(3);
            }
            Ok(Box::new(CrlfToLf::new(buffered, delimiter)))
        }
        Encoding::Windows1252 => decode_input(name, raw, Some(delimiter)),
    }
}

/// Opens an input as bytes for a reader that splits records itself and reads
/// CRLF line ends as they are, with the same encoding rules as [`csv_reader`];
/// `true` when the bytes are the file's own (its byte-order mark not skipped),
/// `false` when they are text decoded from it.
pub(crate) fn open_bytes(path: &Path, opts: &InputOptions) -> Result<(Box<dyn Read>, bool)> {
    let raw = open_raw(path)?;
    Ok(match opts.encoding {
        Encoding::Utf8 => (raw, true),
        Encoding::Windows1252 => (decode_input(&display_name(path), raw, None)?, false),
    })
}

/// [`file_sha256`] when `wanted` (a manifest is written), else `None`.
pub(crate) fn file_sha256_if(wanted: bool, path: &Path) -> Result<Option<String>> {
    if wanted { file_sha256(path) } else { Ok(None) }
}

/// SHA-256 of a file's bytes, as hex; `None` for standard input.
pub(crate) fn file_sha256(path: &Path) -> Result<Option<String>> {
    use sha2::{Digest, Sha256};
    if path == Path::new("-") {
        return Ok(None);
    }
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match file.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(Some(hex(&hasher.finalize())))
}

/// Bytes as lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The delimiters a header is looked at for, with their names for the note.
const DELIMITERS: [(u8, &str); 4] = [
    (b',', "commas"),
    (b';', "semicolons"),
    (b'\t', "tabs"),
    (b'|', "pipes"),
];

/// How a CSV file on disk is read: `opts`, with the delimiter found from the header
/// line when none was given and the header has no comma but another delimiter
/// (Excel writes semicolons where the comma is the decimal mark), and a note
/// saying so. XML (which [`open_tables`] reads only as the CIN census) is refused
/// here with a clear reason.
pub(crate) fn file_options(path: &Path, opts: &InputOptions) -> Result<(InputOptions, Option<String>)> {
    if path == Path::new("-") || path.is_dir() {
        return Ok((opts.clone(), None));
    }
    let mut head = Vec::new();
    open_raw(path)?
        .take(64 << 10)
        .read_to_end(&mut head)
        .with_context(|| format!("reading {}", display_name(path)))?;
    if let Some(why) = not_text(&head) {
        bail!("{} {why}", display_name(path));
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    // A file of valid UTF-8 is read as UTF-8 whatever the settings say (see
    // `decode_input`), so that it is also written back so (`collect --append`).
    let mut opts = opts.clone();
    if opts.encoding == Encoding::Windows1252 && is_utf8_file(path)? {
        opts.encoding = Encoding::Utf8;
    }
    let opts = &opts;
    if crate::census::is_xml(&head) {
        bail!(
            "{} is XML but not a table here: only the CIN census XML is read, as a case extract; give other tables as CSV files or workbooks (.xlsx, .xls, .ods)",
            display_name(path)
        );
    }
    if opts.delimiter.is_some() || delimiter_for(path, opts) != b',' {
        return Ok((opts.clone(), None));
    }
    Ok(match sniff_delimiter(text) {
        Some((delimiter, name)) => (
            InputOptions {
                delimiter: Some(delimiter),
                ..opts.clone()
            },
            Some(format!(
                "{}: the header is separated by {name}, so the file is read so (give --delimiter to choose)",
                display_name(path)
            )),
        ),
        None => (opts.clone(), None),
    })
}

/// Why a file given as a CSV file is not text, told from its first bytes: a
/// workbook renamed (a zip, or an old Excel file), or any other binary file.
fn not_text(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"PK\x03\x04") {
        Some(
            "is a workbook (or another zip file), not CSV text: give it its workbook's extension (.xlsx, .ods) and it is read as one",
        )
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(
            "is an Excel 97-2003 workbook (or a file saved with a password), not CSV text: name it .xls, or save it as CSV UTF-8",
        )
    } else if !head.starts_with(b"\xFF\xFE")
        && !head.starts_with(b"\xFE\xFF")
        && 20
            * head
                .iter()
                .filter(|&&b| b < 0x09 || (0x0E..0x20).contains(&b))
                .count()
            > head.len()
    {
        // (One in twenty bytes a control character: a stray NUL in a text file
        // is left to be named by its line and column.)
        Some(
            "is not a text file (it holds control bytes): give a CSV file, or a workbook by its own extension",
        )
    } else {
        None
    }
}

/// The delimiter of a table whose first bytes are `text`, when it is not the
/// comma: of the first lines, the one with the most delimiters (the header, below
/// any title rows) has no comma but semicolons, tabs or pipes. Delimiters inside
/// quotes do not count.
fn sniff_delimiter(text: &[u8]) -> Option<(u8, &'static str)> {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut line = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    let mut lines = 0;
    for &b in text {
        if !quoted && b == b'\n' {
            if line.iter().sum::<usize>() > counts.iter().sum::<usize>() {
                counts = line;
            }
            line = [0; DELIMITERS.len()];
            lines += 1;
            if lines == HEADER_SEARCH {
                break;
            }
        } else if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = DELIMITERS.iter().position(|(d, _)| *d == b) {
            line[i] += 1;
        }
    }
    if line.iter().sum::<usize>() > counts.iter().sum::<usize>() {
        counts = line;
    }
    let best = (1..DELIMITERS.len()).max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))?;
    (counts[0] == 0 && counts[best] > 0).then_some(DELIMITERS[best])
}

pub(crate) fn delimiter_for(path: &Path, opts: &InputOptions) -> u8 {
    opts.delimiter.unwrap_or_else(|| {
        let is_tsv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tsv") || e.eq_ignore_ascii_case("tab"));
        if is_tsv { b'\t' } else { b',' }
    })
}

/// Standard input read whole (byte-order mark skipped, CRLF as LF, decoded) as one
/// table, with its headings: for a reader that must see the headings before it
/// reads the table (`validate`), since standard input cannot be opened twice.
pub(crate) fn stdin_table(opts: &InputOptions) -> Result<(Input, Vec<String>)> {
    let path = Path::new("-");
    let mut raw = Vec::new();
    open_raw(path)?.read_to_end(&mut raw).context("reading <stdin>")?;
    let mut opts = opts.clone();
    let mut sniffed = None;
    if opts.delimiter.is_none()
        && let Some((delimiter, name)) = sniff_delimiter(&raw[..raw.len().min(64 << 10)])
    {
        opts.delimiter = Some(delimiter);
        sniffed = Some(format!(
            "<stdin>: the header is separated by {name}, so it is read so (give --delimiter to choose)"
        ));
    }
    let opts = &opts;
    let mut bytes = Vec::new();
    decoded(
        Box::new(io::Cursor::new(raw)),
        "<stdin>",
        opts.encoding,
        delimiter_for(path, opts),
    )?
    .read_to_end(&mut bytes)
    .context("reading <stdin>")?;
    let builder = || {
        let mut b = csv::ReaderBuilder::new();
        b.delimiter(delimiter_for(path, opts))
            .has_headers(false)
            .flexible(true);
        b
    };
    let header = find_header(&bytes, delimiter_for(path, opts), opts).context("reading <stdin>")?;
    let reader: Box<dyn Read> = Box::new(io::Cursor::new(bytes));
    let notes: Vec<String> = sniffed
        .into_iter()
        .chain(header.note(&display_name(path)))
        .collect();
    let table = Input {
        note: (!notes.is_empty()).then(|| notes.join("\n")),
        name: display_name(path),
        source: path.to_path_buf(),
        reader: builder().from_reader(reader),
        sheet: None,
        options: Some(opts.clone()),
        header_line: header.line,
        titles: header.titles,
        annex_a_list: None,
        warnings: Vec::new(),
    };
    Ok((table, header.headings))
}

/// The headings of a CSV file (cleaned), read afresh.
pub(crate) fn headings(path: &Path, opts: &InputOptions) -> Result<Vec<String>> {
    let (opts, _) = file_options(path, opts)?;
    Ok(file_header(path, &opts)?.headings)
}

/// Rows looked at for the header of a table that begins with a title.
const HEADER_SEARCH: usize = 20;

/// Where a table's header is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    /// Its line (a sheet's row): 1 = the first, blank lines counted.
    pub(crate) line: u64,
    /// Its headings, cleaned.
    pub(crate) headings: Vec<String>,
    /// Found below rows that hold none of the headings caseaudit knows.
    found_below_titles: bool,
    /// Records before it.
    titles: usize,
}

impl Header {
    /// A header on `line`, with nothing above it to pass over.
    fn at(line: u64, headings: Vec<String>) -> Header {
        Header {
            line,
            headings,
            found_below_titles: false,
            titles: 0,
        }
    }

    /// The note users read when title rows were skipped.
    fn note(&self, name: &str) -> Option<String> {
        self.found_below_titles.then(|| {
            format!(
                "{name}: the headings are on line {} (the lines above are titles; give --header-row to choose)",
                self.line
            )
        })
    }
}

/// The header of a CSV file on disk (its first 64 KiB are read), with `opts` as
/// [`file_options`] gives them.
fn file_header(path: &Path, opts: &InputOptions) -> Result<Header> {
    if path == Path::new("-") || path.is_dir() {
        return Ok(Header::at(opts.header_row.unwrap_or(1), Vec::new()));
    }
    let mut head = Vec::new();
    let reading = || format!("reading {}", display_name(path));
    let delimiter = delimiter_for(path, opts);
    match opts.encoding {
        Encoding::Utf8 => {
            open_input(path, opts)?
                .take(64 << 10)
                .read_to_end(&mut head)
                .with_context(reading)?;
        }
        // Only the head is decoded, not the whole file as `decode_input` does:
        // [`file_options`] has told that the file is not UTF-8.
        Encoding::Windows1252 => {
            let mut raw = Vec::new();
            open_raw(path)?
                .take(64 << 10)
                .read_to_end(&mut raw)
                .with_context(reading)?;
            head = LineEnds::whole(delimiter, decode_windows_1252(&raw).into_bytes());
        }
    }
    find_header(&head, delimiter, opts).with_context(reading)
}

/// Finds the header among the first rows of a table (`head`, its first bytes):
/// the row `--header-row` names; else, where the first row holds none of the
/// headings caseaudit knows (any layout's, or one the settings map), the first of
/// the first 20 rows that holds the most; where no row holds any and the first
/// is a lone title, the first row that fills the most cells; else the first row.
pub(crate) fn find_header(head: &[u8], delimiter: u8, opts: &InputOptions) -> Result<Header> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(head);
    // Each row's line and cells.
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    let mut record = csv::ByteRecord::new();
    // Records passed over before the row `--header-row` names.
    let mut passed = 0;
    while rows.len() < HEADER_SEARCH {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            // The end, or a row cut by the end of `head`: the rows so far decide.
            Ok(false) | Err(_) => break,
        }
        // The line of the record's first byte: the `csv` crate's position is
        // before any blank lines above it.
        let at = record.position().map_or(0, |p| p.byte() as usize).min(head.len());
        let start = head[at..]
            .iter()
            .position(|&b| b != b'\n' && b != b'\r')
            .map_or(head.len(), |n| at + n);
        let line = 1 + memchr::memchr_iter(b'\n', &head[..start]).count() as u64;
        if opts.header_row.is_some_and(|row| line < row) {
            passed += 1;
            continue;
        }
        let cells = record
            .iter()
            .map(|c| crate::values::clean(&String::from_utf8_lossy(c)).into_owned())
            .collect();
        rows.push((line, cells));
        if opts.header_row.is_some() {
            break;
        }
    }
    if let Some(row) = opts.header_row {
        return match rows.pop() {
            Some((line, headings)) if line == row => Ok(Header {
                titles: passed,
                ..Header::at(line, headings)
            }),
            _ => bail!(
                "the header row given ({row}) is blank or past the rows read; give the row the headings are on"
            ),
        };
    }
    let known = |cells: &[String]| {
        cells
            .iter()
            .filter(|c| opts.known.contains(&crate::values::heading_key(c)))
            .count()
    };
    let filled = |cells: &[String]| cells.iter().filter(|c| !c.is_empty()).count();
    let scores: Vec<usize> = rows.iter().map(|(_, cells)| known(cells)).collect();
    let best = scores.iter().copied().max().unwrap_or(0);
    let at = if scores.first().is_some_and(|&s| s > 0) {
        0
    } else if best > 0 {
        scores.iter().position(|&s| s == best).unwrap_or(0)
    } else if rows.first().is_some_and(|(_, cells)| filled(cells) <= 1) {
        // No heading is known, and the first row is a lone title: the headings
        // are the first row that fills the most cells.
        let most = rows.iter().map(|(_, cells)| filled(cells)).max().unwrap_or(0);
        rows.iter()
            .position(|(_, cells)| filled(cells) == most)
            .unwrap_or(0)
    } else {
        0
    };
    Ok(match rows.into_iter().nth(at) {
        Some((line, headings)) => Header {
            found_below_titles: at > 0,
            titles: at,
            ..Header::at(line, headings)
        },
        None => Header::at(1, Vec::new()),
    })
}

/// Opens a CSV input with the project's settings: headers required, rows of
/// differing lengths reported (not padded), quotes as RFC 4180.
pub(crate) fn csv_reader(path: &Path, opts: &InputOptions) -> Result<csv::Reader<Box<dyn Read>>> {
    let delimiter = delimiter_for(path, opts);
    let input = open_input(path, opts)?;
    Ok(csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input))
}

/// Decodes Windows-1252 (the default "ANSI" code page of Excel on Windows).
pub(crate) fn decode_windows_1252(bytes: &[u8]) -> String {
    // 0x80–0x9F differ from Latin-1; everything else maps to the same code point.
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
        '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| {
            if (0x80..0xA0).contains(&b) {
                HIGH[usize::from(b - 0x80)]
            } else {
                char::from(b)
            }
        })
        .collect()
}

/// Encodes text as Windows-1252, for a row added to a file in that encoding;
/// the first character it cannot hold when there is one.
pub(crate) fn encode_windows_1252(text: &str) -> Result<Vec<u8>, char> {
    text.chars()
        .map(|c| match u32::from(c) {
            0..0x80 | 0xA0..0x100 => Ok(c as u8),
            _ => (0x80u8..0xA0)
                .find(|&b| decode_windows_1252(&[b]).starts_with(c))
                .ok_or(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;

    #[test]
    fn windows_1252_encodes_what_it_decodes() {
        let all: Vec<u8> = (0u8..=255)
            .filter(|b| !matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
            .collect();
        let text = decode_windows_1252(&all);
        assert_eq!(encode_windows_1252(&text), Ok(all));
        assert_eq!(encode_windows_1252("£5 – €3"), Ok(b"\xa35 \x96 \x803".to_vec()));
        assert_eq!(encode_windows_1252("Zoë ✓"), Err('✓'));
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+44 7700"), "'+44 7700");
        assert_eq!(neutralise("-12.5"), "-12.5");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("Team A"), "Team A");
    }

    #[test]
    fn windows_1252() {
        assert_eq!(decode_windows_1252(b"caf\xe9 \x80 \x93x\x94"), "café € “x”");
    }

    #[test]
    fn problems_display() {
        let p = Problem::error("x.csv", Some(4), Some("team"), "is empty");
        assert_eq!(p.to_string(), "x.csv:4: column \"team\": is empty");
    }
}
