//! The guesses about each file put together: `[input]` set only where every file
//! agrees (or the command line says), `[extract] layout`, and each layout's
//! mappings, with the files they would not fit; and the lines that tell the user.

use super::{
    Column, CsvGuess, FileGuess, Given, Text, and_list, delimiter_name, encoding_value, is_are, section,
    toml_delimiter,
};
use crate::fit::Kind;
use crate::values::heading_key;

/// A setting of `[input]`, decided from every file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Choice<T> {
    /// Nothing to set: caseaudit reads every file right by itself.
    Default,
    /// Every file needs it: set, and why.
    Set(T, String),
    /// The files differ: not set, and why (with what to do).
    Differ(String),
}

/// The `[<layout>.columns]` of one layout, from every file of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section {
    pub(crate) kind: Kind,
    /// The files of this layout.
    pub(crate) files: Vec<String>,
    /// The fields the first file holds under their own headings: (field, heading).
    pub(crate) found: Vec<(String, String)>,
    /// The mapping lines, each from the first file that needed it.
    pub(crate) columns: Vec<Column>,
    /// Files these settings will not read as they are, and why.
    pub(crate) conflicts: Vec<String>,
}

/// Everything guessed from the files given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Guess {
    pub(crate) files: Vec<FileGuess>,
    pub(crate) encoding: Choice<crate::csvio::Encoding>,
    pub(crate) delimiter: Choice<u8>,
    pub(crate) header_row: Choice<u64>,
    /// `[extract] layout`: "annex-a" when every extract is an Annex A list.
    pub(crate) extract_layout: Choice<&'static str>,
    /// One for each layout some file is, in the settings file's order.
    pub(crate) sections: Vec<Section>,
}

/// Puts the guesses about each file together: an `[input]` setting only where
/// every file agrees (or the command line gives it), the mappings of each layout.
pub(crate) fn combine(files: Vec<FileGuess>, given: Given) -> Guess {
    let sections = [
        Kind::Cases,
        Kind::Auditors,
        Kind::History,
        Kind::Audits,
        Kind::Moderation,
    ]
    .into_iter()
    .filter_map(|kind| section_of(kind, &files))
    .collect();
    Guess {
        encoding: encoding(&files).or_given(given.encoding),
        delimiter: delimiter(&files).or_given(given.delimiter),
        header_row: header_row(&files).or_given(given.header_row),
        extract_layout: extract_layout(&files),
        sections,
        files,
    }
}

fn encoding(files: &[FileGuess]) -> Choice<crate::csvio::Encoding> {
    let with = |text: Text| -> Vec<&str> {
        files
            .iter()
            .filter(|f| f.csv.is_some_and(|c| c.text == text))
            .map(|f| f.name.as_str())
            .collect()
    };
    let (windows, utf8) = (with(Text::Windows1252), with(Text::Utf8));
    match (windows.as_slice(), utf8.as_slice()) {
        ([], _) => Choice::Default,
        (windows, []) => Choice::Set(
            crate::csvio::Encoding::Windows1252,
            format!("{} not UTF-8: Excel's \"CSV\" on Windows", is_are(windows)),
        ),
        (windows, utf8) => Choice::Differ(format!(
            "{} Windows-1252 but {} UTF-8: read {} with --encoding windows-1252, or save {} as \"CSV UTF-8\"",
            is_are(windows),
            is_are(utf8),
            and_list(windows),
            if windows.len() == 1 { "it" } else { "them" }
        )),
    }
}

fn extract_layout(files: &[FileGuess]) -> Choice<&'static str> {
    let extracts: Vec<&FileGuess> = files.iter().filter(|f| f.layout == Ok(Kind::Cases)).collect();
    let (lists, other): (Vec<&FileGuess>, Vec<&FileGuess>) =
        extracts.iter().partition(|f| f.annex_a.is_some());
    fn names<'a>(of: &[&'a FileGuess]) -> Vec<&'a str> {
        of.iter().map(|f| f.name.as_str()).collect()
    }
    match (lists.as_slice(), other.as_slice()) {
        ([], _) => Choice::Default,
        (lists, []) => Choice::Set(
            "annex-a",
            format!("{} Ofsted Annex A lists", is_are(&names(lists))),
        ),
        (lists, other) => Choice::Differ(format!(
            "{} Annex A lists but {} not: read them with settings of their own",
            is_are(&names(lists)),
            is_are(&names(other))
        )),
    }
}

fn delimiter(files: &[FileGuess]) -> Choice<u8> {
    let csv: Vec<(&str, CsvGuess)> = files
        .iter()
        .filter_map(|f| f.csv.map(|c| (f.name.as_str(), c)))
        .collect();
    let Some((_, first)) = csv.first() else {
        return Choice::Default;
    };
    if csv.iter().all(|(_, c)| c.delimiter == first.delimiter) {
        let d = first.delimiter;
        return if csv.iter().all(|(_, c)| c.by_itself == d) {
            Choice::Default
        } else {
            let files: Vec<&str> = csv.iter().map(|(n, _)| *n).collect();
            let every = if files.len() == 1 { "" } else { "every file: " };
            Choice::Set(
                d,
                format!("{every}{} separated by {}", is_are(&files), delimiter_name(d)),
            )
        };
    }
    let each: Vec<String> = csv
        .iter()
        .map(|(n, c)| format!("{n}: {}", delimiter_name(c.delimiter)))
        .collect();
    let lost: Vec<String> = csv
        .iter()
        .filter(|(_, c)| c.by_itself != c.delimiter)
        .map(|(n, c)| format!("--delimiter {} when you read {n}", toml_delimiter(c.delimiter)))
        .collect();
    let todo = if lost.is_empty() {
        "caseaudit finds each file's by itself".to_string()
    } else {
        format!(
            "caseaudit cannot tell from the first line of every file: give {}",
            lost.join(", and ")
        )
    };
    Choice::Differ(format!(
        "the files are separated differently ({}); {todo}",
        each.join("; ")
    ))
}

fn header_row(files: &[FileGuess]) -> Choice<u64> {
    let lines: Vec<(&FileGuess, u64)> = files
        .iter()
        .filter_map(|f| f.header_line.map(|l| (f, l)))
        .collect();
    let Some(&(_, first)) = lines.first() else {
        return Choice::Default;
    };
    if lines.iter().all(|(_, l)| *l == first) {
        if first == 1 {
            return Choice::Default;
        }
        let names: Vec<&str> = lines.iter().map(|(f, _)| f.name.as_str()).collect();
        let with = if names.len() == 1 {
            format!("the headings of {} are", names[0])
        } else {
            "the headings of every file are".to_string()
        };
        return Choice::Set(first, format!("{with} on line {first}, below title rows"));
    }
    let each: Vec<String> = lines.iter().map(|(f, l)| format!("{}: {l}", f.name)).collect();
    // A header is found by itself if it holds a heading caseaudit knows, or one the
    // settings map.
    let lost: Vec<String> = lines
        .iter()
        .filter(|(f, l)| *l > 1 && !f.header_known && !f.columns.iter().any(|c| c.heading.is_some()))
        .map(|(f, l)| format!("--header-row {l} when you read {}", f.name))
        .collect();
    let todo = if lost.is_empty() {
        "caseaudit finds each by itself".to_string()
    } else {
        format!("give {}", lost.join(", and "))
    };
    Choice::Differ(format!(
        "the headings are on different lines ({}); {todo}",
        each.join("; ")
    ))
}

/// The mappings of one layout from every file of it, or `None` if no file is of it.
fn section_of(kind: Kind, files: &[FileGuess]) -> Option<Section> {
    let of: Vec<&FileGuess> = files.iter().filter(|f| f.layout == Ok(kind)).collect();
    let first = of.first()?;
    let mut columns: Vec<Column> = Vec::new();
    for f in &of {
        for c in &f.columns {
            if !columns.iter().any(|x| x.field == c.field) {
                columns.push(c.clone());
            }
        }
    }
    // A mapped heading must be in every file of the layout.
    let mut conflicts = Vec::new();
    for c in &columns {
        let Some(heading) = &c.heading else { continue };
        for f in &of {
            if !f.headings.iter().any(|h| heading_key(h) == heading_key(heading)) {
                conflicts.push(format!(
                    "{}: has no heading \"{heading}\", which [{}.columns] maps to {}: read it with settings of its own",
                    f.name,
                    section(kind),
                    c.field
                ));
            }
        }
    }
    Some(Section {
        kind,
        files: of.iter().map(|f| f.name.clone()).collect(),
        found: first.found.clone(),
        columns,
        conflicts,
    })
}

impl Guess {
    /// What was guessed and what could not be, a line each, for the user.
    pub(crate) fn report(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.files.iter().map(FileGuess::summary).collect();
        lines.extend(self.input_lines());
        lines.extend(self.could_not());
        lines
    }

    /// The `[input]` settings set, and those the files differ on, a line each.
    fn input_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let input = [
            ("encoding", self.encoding.map(|e| encoding_value(*e).to_string())),
            (
                "delimiter",
                self.delimiter.map(|d| toml_delimiter(*d).to_string()),
            ),
            ("header_row", self.header_row.map(ToString::to_string)),
        ];
        match &self.extract_layout {
            Choice::Default => {}
            Choice::Set(value, why) => lines.push(format!("[extract] layout = \"{value}\" ({why})")),
            Choice::Differ(why) => lines.push(format!("[extract] layout not \"annex-a\": {why}")),
        }
        for (key, choice) in input {
            match choice {
                Choice::Default => {}
                Choice::Set(value, why) => lines.push(format!("[input] {key} = {value} ({why})")),
                Choice::Differ(why) => lines.push(format!("[input] {key} not set: {why}")),
            }
        }
        lines
    }

    /// What could not be told about the files, a line each.
    pub(crate) fn could_not(&self) -> Vec<String> {
        let files = self.files.iter().flat_map(FileGuess::could_not);
        let conflicts = self.sections.iter().flat_map(|s| s.conflicts.iter().cloned());
        files.chain(conflicts).collect()
    }
}

impl<T> Choice<T> {
    /// The value the command line gives, else this choice.
    fn or_given(self, given: Option<T>) -> Choice<T> {
        match given {
            Some(v) => Choice::Set(v, "given on the command line".to_string()),
            None => self,
        }
    }

    pub(super) fn map<U>(&self, f: impl Fn(&T) -> U) -> Choice<U> {
        match self {
            Choice::Default => Choice::Default,
            Choice::Set(v, why) => Choice::Set(f(v), why.clone()),
            Choice::Differ(why) => Choice::Differ(why.clone()),
        }
    }
}
