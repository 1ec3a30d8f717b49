//! The CIN census (the Department for Education's statutory Children in Need
//! return, an XML file) read as a case extract: one case file per `<Child>`, in
//! the standard layout (README.md#cin-census-xml). The case id, date of birth,
//! gender and disabilities come from the child's identifiers and
//! characteristics; the dates, referral source and service from its latest CIN
//! episode; the risk factors are every assessment factor and category of abuse
//! of every episode, kept as the census codes them (the vocabulary reads them).
//! The census names no team or worker: another file, merged per case id, gives
//! them.
//!
//! The file is untrusted. It is read as a stream; a DOCTYPE is refused, so no
//! entity is ever defined, let alone expanded; nesting, values and any run of
//! text or spaces are bounded;
//! the size is capped; malformed XML is an error naming the file and line.
//! Elements are matched by their local names, so a namespace changes nothing.
//! Nothing here opens a file.

use crate::extract::Std;
use crate::problem::{Problem, Problems};
use anyhow::{Result, anyhow, bail};
use chrono::NaiveDate;
use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};
use std::io::{self, BufRead, Read};

/// The largest file read as the census: 1 GiB, over ten times a large
/// authority's return.
pub(crate) const MAX_BYTES: u64 = 1 << 30;

/// Elements nested deeper than this are not the census (its deepest is 6).
const MAX_DEPTH: usize = 64;

/// A value longer than this is not a census value.
const MAX_TEXT: usize = 64 << 10;

/// The longest run of bytes without a `<` or `>` read: the XML parser holds a
/// whole text (spaces too) or tag in memory, so one this long is refused as it
/// comes, not after it is all read.
const MAX_RUN: u64 = 1 << 20;

/// Whether a file's first bytes are XML: `<` after a byte-order mark and white space.
pub(crate) fn is_xml(head: &[u8]) -> bool {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    text.trim_ascii_start().starts_with(b"<")
}

/// A census read as a standard-layout CSV table.
#[derive(Debug)]
pub(crate) struct Census {
    /// The CSV text: a header row, then one row per child.
    pub(crate) csv: Vec<u8>,
    pub(crate) headings: Vec<String>,
    pub(crate) children: u64,
    /// Whether each child's row is on the CSV line of its `<Child>` in the XML,
    /// so problems found later name the XML's own lines (not so when children
    /// share a line, as in XML written without line breaks).
    pub(crate) xml_lines: bool,
}

/// The columns written, the standard ones first.
fn headings() -> Vec<String> {
    [
        Std::CaseId,
        Std::Team,
        Std::Worker,
        Std::Service,
        Std::StartDate,
        Std::EndDate,
        Std::Dob,
        Std::ReferralSource,
        Std::RiskFactors,
    ]
    .iter()
    .map(|s| s.name().to_string())
    .chain(["gender".to_string(), "disability".to_string()])
    .collect()
}

/// One CIN episode (`<CINdetails>`), as far as it is read.
#[derive(Debug, Default)]
struct Episode {
    referral: Option<NaiveDate>,
    closure: String,
    source: String,
    /// A child protection plan of the episode has no end date.
    open_plan: bool,
}

/// One `<Child>`, as far as it is read.
#[derive(Debug, Default)]
struct Child {
    /// The XML line of its `<Child>`.
    line: u64,
    id: String,
    dob: String,
    gender: String,
    disabilities: Vec<String>,
    episodes: Vec<Episode>,
    /// Assessment factors and categories of abuse, first seen first, no repeats.
    factors: Vec<String>,
    /// Dates that are not dates: the line, the element and its text.
    bad_dates: Vec<(u64, &'static str, String)>,
    /// The plan being read has an end date.
    plan_ended: bool,
}

impl Child {
    /// A date element's text, or `None` (and a problem kept) when it is not a date.
    fn date(&mut self, line: u64, element: &'static str, text: &str) -> Option<NaiveDate> {
        if text.is_empty() {
            return None;
        }
        let date = census_date(text);
        if date.is_none() {
            self.bad_dates.push((line, element, text.to_string()));
        }
        date
    }

    fn factor(&mut self, text: String) {
        if !text.is_empty() && !self.factors.iter().any(|f| f.eq_ignore_ascii_case(&text)) {
            self.factors.push(text);
        }
    }

    /// The child's row, in the order of [`headings`]. The latest episode is the
    /// one with the latest referral date; of equals, the later in the file.
    fn row(&self) -> [String; 11] {
        let mut latest: Option<&Episode> = None;
        for e in &self.episodes {
            if latest.is_none_or(|l| e.referral >= l.referral) {
                latest = Some(e);
            }
        }
        let (service, start, end, source) = match latest {
            Some(e) => (
                if e.open_plan { "CP" } else { "CIN" },
                e.referral
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                e.closure.clone(),
                e.source.clone(),
            ),
            None => ("", String::new(), String::new(), String::new()),
        };
        [
            self.id.clone(),
            String::new(),
            String::new(),
            service.to_string(),
            start,
            end,
            self.dob.clone(),
            source,
            self.factors.join("; "),
            gender_word(&self.gender).to_string(),
            self.disabilities.join("; "),
        ]
    }
}

/// A census date: `yyyy-mm-dd` and a real day.
fn census_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r.clone()].iter().all(u8::is_ascii_digit).then(|| &text[r]);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(
        digits(0..4)?.parse().ok()?,
        digits(5..7)?.parse().ok()?,
        digits(8..10)?.parse().ok()?,
    )
}

/// The census's gender codes as words; anything else as written.
fn gender_word(code: &str) -> &str {
    match code {
        "0" => "Not known",
        "1" => "Male",
        "2" => "Female",
        "9" => "Not specified",
        other => other,
    }
}

/// A value as one CSV cell on one line: trimmed, line breaks and tabs as spaces.
fn one_line(text: &str) -> String {
    text.trim().replace(['\r', '\n', '\t'], " ")
}

/// Reads the bytes it is given, counting the line breaks consumed, and stops
/// past `limit` bytes.
struct Counted<R> {
    inner: R,
    limit: u64,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    newlines: u64,
    total: u64,
    over: bool,
    /// Bytes consumed since the last `<` or `>`; `long` once over [`MAX_RUN`].
    run: u64,
    long: bool,
}

impl<R: Read> Counted<R> {
    fn new(inner: R, limit: u64) -> Self {
        Counted {
            inner,
            limit,
            buf: vec![0; 256 << 10].into_boxed_slice(),
            pos: 0,
            end: 0,
            newlines: 0,
            total: 0,
            over: false,
            run: 0,
            long: false,
        }
    }

    /// The line being read: one more than the line breaks consumed.
    fn line(&self) -> u64 {
        self.newlines + 1
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.long {
            return Err(io::Error::other("a text or tag is too long"));
        }
        if self.pos == self.end {
            let n = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            if self.total + n as u64 > self.limit {
                self.over = true;
                return Err(io::Error::other("the file is too large"));
            }
            self.pos = 0;
            self.end = n;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, amt: usize) {
        let amt = amt.min(self.end - self.pos);
        let taken = &self.buf[self.pos..self.pos + amt];
        self.newlines += memchr::memchr_iter(b'\n', taken).count() as u64;
        self.run = match memchr::memrchr2(b'<', b'>', taken) {
            Some(at) => (amt - at - 1) as u64,
            None => self.run + amt as u64,
        };
        self.long |= self.run > MAX_RUN;
        self.pos += amt;
        self.total += amt as u64;
    }
}

/// Where the reader is inside the document.
#[derive(Default)]
struct Walk {
    /// Local names of the open elements, outermost first.
    open: Vec<String>,
    root: Option<String>,
    seen_children: bool,
    child: Option<Child>,
    /// Text of the element being read, when inside a `<Child>`.
    text: String,
}

/// The open elements below a `<Child>` (`Message/Children/Child/…`).
const CHILD_DEPTH: usize = 3;

/// The CSV table being written.
struct Table {
    csv: Vec<u8>,
    /// The last line written.
    written: u64,
    xml_lines: bool,
    children: u64,
}

impl Table {
    /// Writes one record (values are already on one line: [`one_line`]).
    fn record(&mut self, cells: &[String]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.csv.push(b',');
            }
            if cell.contains([',', '"', '\n', '\r']) {
                self.csv.push(b'"');
                self.csv.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
                self.csv.push(b'"');
            } else {
                self.csv.extend_from_slice(cell.as_bytes());
            }
        }
        self.csv.push(b'\n');
    }

    /// Writes a child's row on its XML line when the lines so far allow, else on
    /// the next line. The lines before it hold one empty cell each (`""`), which
    /// the extract reader skips as blank rows but counts, as it does a workbook's
    /// empty rows; truly blank lines would be counted as part of the next record.
    fn push(&mut self, row: &[String], line: u64) {
        if line > self.written {
            for _ in self.written + 1..line {
                self.csv.extend_from_slice(b"\"\"\n");
            }
            self.written = line;
        } else {
            self.xml_lines = false;
            self.written += 1;
        }
        self.record(row);
        self.children += 1;
    }
}

/// Reads a census from `input` (the file's bytes; `file` names it in messages)
/// and writes it as a standard-layout CSV table. Refuses XML that is not the
/// census, and reports every date that is not one with its XML line.
pub(crate) fn read<R: Read>(file: &str, input: R) -> Result<Census> {
    read_within(file, input, MAX_BYTES)
}

/// [`read`], refusing input over `limit` bytes.
fn read_within<R: Read>(file: &str, input: R, limit: u64) -> Result<Census> {
    let mut xml = Reader::from_reader(Counted::new(input, limit));
    let headings = headings();
    let mut table = Table {
        csv: Vec::new(),
        written: 1,
        xml_lines: true,
        children: 0,
    };
    table.record(&headings);
    let mut problems = Vec::new();
    let mut walk = Walk::default();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let line = xml.get_ref().line();
        let event = match xml.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => {
                if xml.get_ref().over {
                    bail!(
                        "{file} is over {} MiB: too large to read as the CIN census",
                        limit >> 20
                    );
                }
                if xml.get_ref().long {
                    bail!(
                        "{file}:{line}: a text, tag or run of spaces over {} MiB long, which no CIN census has; it is not read",
                        MAX_RUN >> 20
                    );
                }
                let hint = match e {
                    quick_xml::Error::Encoding(_) => " (the census is UTF-8 text)",
                    _ => "",
                };
                bail!("{file}:{}: malformed XML: {e}{hint}", xml.get_ref().line());
            }
        };
        match event {
            Event::DocType(_) => bail!(
                "{file}:{line}: the XML has a DOCTYPE declaration, which the CIN census never has; it is not read"
            ),
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = e.local_name().as_ref().to_string();
                start_element(&mut walk, name, file, line)?;
                if empty {
                    end_element(&mut walk, line, &mut problems, file, &mut table)?;
                }
            }
            Event::End(_) => end_element(&mut walk, line, &mut problems, file, &mut table)?,
            Event::Text(t) => push_text(&mut walk, &t, file, line)?,
            Event::CData(t) => push_text(&mut walk, &t, file, line)?,
            Event::GeneralRef(r) => {
                if walk.child.is_some() {
                    let c = resolve(&r).ok_or_else(|| {
                        anyhow!(
                            "{file}:{line}: the entity &{}; is not defined (the CIN census uses only &amp; &lt; &gt; &quot; &apos; and character references)",
                            &*r
                        )
                    })?;
                    push_text(&mut walk, c.encode_utf8(&mut [0; 4]), file, line)?;
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    match (&walk.root, walk.open.last()) {
        (_, Some(open)) => bail!(
            "{file}:{}: malformed XML: the file ends inside <{open}> (is it cut short?)",
            xml.get_ref().line()
        ),
        (None, None) => bail!("{file} is XML with no elements: it is not the CIN census"),
        (Some(root), None) if !walk.seen_children => bail!(not_census(file, root)),
        _ => {}
    }
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    Ok(Census {
        csv: table.csv,
        headings,
        children: table.children,
        xml_lines: table.xml_lines,
    })
}

/// Opens an element: the root must be `<Message>`; a `<Child>` of its
/// `<Children>` begins a child; inside a child, a `<CINdetails>` an episode.
fn start_element(walk: &mut Walk, name: String, file: &str, line: u64) -> Result<()> {
    if walk.open.len() >= MAX_DEPTH {
        bail!("{file}:{line}: elements nested over {MAX_DEPTH} deep: this is not the CIN census");
    }
    match walk.open.len() {
        0 if walk.root.is_some() => bail!("{file}:{line}: malformed XML: a second root element <{name}>"),
        0 if name != "Message" => bail!(not_census(file, &name)),
        0 => walk.root = Some(name.clone()),
        1 if name == "Children" => walk.seen_children = true,
        2 if name == "Child" && walk.open[1] == "Children" => {
            walk.child = Some(Child {
                line,
                ..Child::default()
            });
        }
        _ => {}
    }
    walk.open.push(name);
    walk.text.clear();
    if let Some(child) = walk.child.as_mut() {
        let path: Vec<&str> = walk.open[CHILD_DEPTH..].iter().map(String::as_str).collect();
        if path == ["CINdetails"] {
            child.episodes.push(Episode::default());
        } else if path == ["CINdetails", "ChildProtectionPlans"] {
            child.plan_ended = false;
        }
    }
    Ok(())
}

/// Closes an element: takes the text it holds; at the end of a `<Child>`,
/// writes the child's row.
fn end_element(
    walk: &mut Walk,
    line: u64,
    problems: &mut Vec<Problem>,
    file: &str,
    table: &mut Table,
) -> Result<()> {
    let text = one_line(&std::mem::take(&mut walk.text));
    if walk.open.len() == CHILD_DEPTH
        && let Some(child) = walk.child.take()
    {
        finish_child(&child, problems, file);
        table.push(&child.row(), child.line);
    } else if walk.open.len() > CHILD_DEPTH
        && let Some(child) = walk.child.as_mut()
    {
        let path: Vec<&str> = walk.open[CHILD_DEPTH..].iter().map(String::as_str).collect();
        take_value(child, &path, text, line);
    }
    walk.open.pop();
    Ok(())
}

fn not_census(file: &str, root: &str) -> String {
    format!(
        "{file} is XML but not the CIN census: only the CIN census XML is read (its root element is <{root}>, not a <Message> of <Children>); give other tables as CSV files or workbooks (.xlsx, .xls, .ods)"
    )
}

/// A reference XML defines itself (`&amp;` and the four others) or a character
/// reference; `None` for any other entity.
fn resolve(r: &BytesRef<'_>) -> Option<char> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c);
    }
    match &**r {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

fn push_text(walk: &mut Walk, text: &str, file: &str, line: u64) -> Result<()> {
    if walk.child.is_none() {
        return Ok(());
    }
    if walk.text.len() + text.len() > MAX_TEXT {
        let name = walk.open.last().map_or("", String::as_str);
        bail!("{file}:{line}: <{name}> holds over 64 KiB of text: that is no CIN census value");
    }
    walk.text.push_str(text);
    Ok(())
}

/// Stores the text of an element found at `path` below the `<Child>`.
fn take_value(child: &mut Child, path: &[&str], text: String, line: u64) {
    match path {
        ["ChildIdentifiers", "LAchildID"] => child.id = text,
        ["ChildIdentifiers", "PersonBirthDate"] => {
            let ok = child.date(line, "PersonBirthDate", &text).is_some();
            child.dob = if ok { text } else { String::new() };
        }
        ["ChildIdentifiers", "GenderCurrent" | "PersonGender"] => child.gender = text,
        ["ChildCharacteristics", "Disabilities", "Disability"] if !text.is_empty() => {
            child.disabilities.push(text);
        }
        ["CINdetails", "CINreferralDate"] => {
            let date = child.date(line, "CINreferralDate", &text);
            if let Some(e) = child.episodes.last_mut() {
                e.referral = date;
            }
        }
        ["CINdetails", "CINclosureDate"] => {
            let ok = child.date(line, "CINclosureDate", &text).is_some();
            if let Some(e) = child.episodes.last_mut()
                && ok
            {
                e.closure = text;
            }
        }
        ["CINdetails", "ReferralSource"] => {
            if let Some(e) = child.episodes.last_mut() {
                e.source = text;
            }
        }
        ["CINdetails", "Assessments", .., "AssessmentFactors"] => child.factor(text),
        [
            "CINdetails",
            "ChildProtectionPlans",
            "InitialCategoryOfAbuse" | "LatestCategoryOfAbuse",
        ] => {
            child.factor(text);
        }
        ["CINdetails", "ChildProtectionPlans", "CPPendDate"] if !text.is_empty() => child.plan_ended = true,
        ["CINdetails", "ChildProtectionPlans"] => {
            if !child.plan_ended
                && let Some(e) = child.episodes.last_mut()
            {
                e.open_plan = true;
            }
        }
        _ => {}
    }
}

/// The end of a `<Child>`: its bad dates made problems that name it.
fn finish_child(child: &Child, problems: &mut Vec<Problem>, file: &str) {
    let who = if child.id.is_empty() {
        format!("the child on line {} (no LAchildID)", child.line)
    } else {
        format!("child \"{}\"", child.id)
    };
    for (line, element, text) in &child.bad_dates {
        problems.push(Problem::error(
            file,
            Some(*line),
            None,
            format!("<{element}> of {who}: \"{text}\" is not a date (the census writes dates as yyyy-mm-dd)"),
        ));
    }
}

#[cfg(test)]
mod tests;
