//! Problems found in an input, each located as `FILE:LINE: column "NAME": message`,
//! and the checks of a row's shape that every reader shares.

use std::fmt;

/// One problem in an input, located as precisely as we can: `FILE:LINE: column "NAME": message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) file: String,
    pub(crate) line: Option<u64>,
    pub(crate) column: Option<String>,
    pub(crate) message: String,
    pub(crate) warning: bool,
    /// What kind of problem it is, where a later step treats some kinds apart.
    pub(crate) kind: Kind,
}

/// Kinds of problem that a later step treats apart from the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Any other problem.
    Plain,
    /// A cell that does not parse: an error only where the command reads its
    /// column, else a warning (settled once the command's fields are known).
    Unparsed,
    /// A case without a team: summarised in one line when no case has one.
    NoTeam,
    /// A row that is not valid UTF-8: a file's are summarised in one line.
    NotUtf8,
}

impl Problem {
    pub(crate) fn error(
        file: &str,
        line: Option<u64>,
        column: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            file: file.to_string(),
            line,
            column: column.map(str::to_string),
            message: message.into(),
            warning: false,
            kind: Kind::Plain,
        }
    }

    pub(crate) fn warning(
        file: &str,
        line: Option<u64>,
        column: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            warning: true,
            ..Problem::error(file, line, column, message)
        }
    }
}

impl Problem {
    /// The problem, marked as of `kind`.
    pub(crate) fn of_kind(self, kind: Kind) -> Self {
        Problem { kind, ..self }
    }

    pub(crate) fn is(&self, kind: Kind) -> bool {
        self.kind == kind
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if self.warning {
            f.write_str("warning: ")?;
        }
        if let Some(column) = &self.column {
            write!(f, "column \"{column}\": ")?;
        }
        f.write_str(&self.message)
    }
}

/// What to do about a file that is not UTF-8.
pub(crate) const NOT_UTF8_ADVICE: &str = "if the file came from Excel on Windows, try --encoding windows-1252, or [input] encoding = \"windows-1252\" in the settings";

/// The one error for a file's rows that are not valid UTF-8, said on the first:
/// `more` rows after it are not either, the last on line `last`.
fn not_utf8_rows(more: u64, last: u64) -> String {
    let after = match more {
        0 => String::new(),
        1 => format!(", nor is 1 more row after it (line {last})"),
        n => format!(", nor are {n} more rows after it (the last on line {last})"),
    };
    format!("this row is not valid UTF-8{after}: {NOT_UTF8_ADVICE}")
}

/// A file's rows that are not valid UTF-8 (a Windows-1252 file read as UTF-8
/// has one on every row with a letter beyond ASCII) as one error: the first,
/// saying how many more rows follow and the last one's line. Per file, so one
/// list may hold several files' problems.
pub(crate) fn summarise_not_utf8(problems: &mut Vec<Problem>) {
    let mut files: Vec<(String, usize, u64, u64)> = Vec::new(); // file, first, more, last line
    for (i, p) in problems.iter().enumerate() {
        if !p.is(Kind::NotUtf8) {
            continue;
        }
        match files.iter_mut().find(|(file, ..)| *file == p.file) {
            Some((_, _, more, last)) => {
                *more += 1;
                *last = (*last).max(p.line.unwrap_or(0));
            }
            None => files.push((p.file.clone(), i, 0, p.line.unwrap_or(0))),
        }
    }
    if files.iter().all(|&(_, _, more, _)| more == 0) {
        return;
    }
    for (_, first, more, last) in &files {
        if *more > 0 {
            let p = &mut problems[*first];
            p.column = None;
            p.message = not_utf8_rows(*more, *last);
        }
    }
    let mut at = 0;
    problems.retain(|p| {
        at += 1;
        !p.is(Kind::NotUtf8) || files.iter().any(|&(_, first, ..)| first == at - 1)
    });
}

/// A list of problems that stops a command; its Display prints them one a line.
#[derive(Debug)]
pub(crate) struct Problems(pub(crate) Vec<Problem>);

/// At most this many problems are printed by commands other than `validate`.
const SHOWN_PROBLEMS: usize = 20;

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors: Vec<&Problem> = self.0.iter().filter(|p| !p.warning).collect();
        for (i, p) in errors.iter().take(SHOWN_PROBLEMS).enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        if errors.len() > SHOWN_PROBLEMS {
            write!(
                f,
                "\n… and {} more (run `caseaudit validate` to see them all)",
                errors.len() - SHOWN_PROBLEMS
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// Excel's limit on the characters in one cell: a longer field means a damaged file
/// (often an unclosed quote that swallowed the rest of it).
pub(crate) const MAX_FIELD_CHARS: usize = 32_767;

/// What is wrong with a row's shape or bytes, if anything: the wrong number of
/// fields (with a hint when an unclosed quote is the likely cause), a NUL byte, or
/// a field longer than Excel allows.
pub(crate) fn row_problem(
    file: &str,
    line: u64,
    row: &csv::StringRecord,
    headers: &[String],
) -> Option<Problem> {
    let field = |i: usize| row.get(i).unwrap_or("");
    let all = row.as_slice().as_bytes();
    fields_problem(
        file,
        line,
        row.len(),
        (all.len(), all.contains(&0)),
        field,
        headers,
    )
}

/// [`row_problem`] for a row given as its field count, all its bytes (a quick
/// first look), and its fields one by one.
pub(crate) fn fields_problem<'a>(
    file: &str,
    line: u64,
    count: usize,
    (all_len, any_nul): (usize, bool),
    field: impl Fn(usize) -> &'a str,
    headers: &[String],
) -> Option<Problem> {
    if count != headers.len() {
        let swallowed = (0..count).any(|i| field(i).contains('\n'));
        let hint = if swallowed {
            " (a field runs over several lines: is a quote left unclosed?)"
        } else {
            ""
        };
        let message = format!(
            "this row has {} fields but the header has {}{hint}",
            count,
            headers.len()
        );
        return Some(Problem::error(file, Some(line), None, message));
    }
    // The whole row at once first: the per-field look is for the rare bad row.
    if all_len <= MAX_FIELD_CHARS && !any_nul {
        return None;
    }
    for (i, heading) in headers.iter().enumerate() {
        let field = field(i);
        if field.contains('\0') {
            let message = "contains a NUL byte: the file may be binary or UTF-16; save it as \"CSV UTF-8\"";
            return Some(Problem::error(file, Some(line), Some(heading), message));
        }
        if field.len() > MAX_FIELD_CHARS && field.chars().count() > MAX_FIELD_CHARS {
            let message = format!(
                "is {} characters long, more than a spreadsheet cell can hold ({MAX_FIELD_CHARS}): the file looks damaged (an unclosed quote?)",
                field.chars().count()
            );
            return Some(Problem::error(file, Some(line), Some(heading), message));
        }
    }
    None
}
