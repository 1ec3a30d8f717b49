//! A guess written as a complete, commented settings file: `[input]` and the
//! column mappings from the guess, every other section as the demo's settings
//! (`data/caseaudit.toml`) have it.

use super::{Choice, Column, Guess, Section, encoding_value, toml_delimiter};
use crate::fit::Kind;
use crate::synth::demo::CONFIG_TOML;
use std::fmt::Write as _;

/// Comment lines are wrapped at this width.
const WIDTH: usize = 84;

/// The settings file for a guess, ready to write. It parses with `Settings::parse`.
pub(crate) fn settings_text(guess: &Guess) -> String {
    let mut out = String::new();
    out += &opening(guess);
    out += &input(guess);
    out += &extract(guess);
    out += &layouts(guess);
    out += demo_part("[grades]", "[privacy]").trim_end();
    out += "\n";
    if let Some(section) = guess.sections.iter().find(|s| s.kind == Kind::Moderation) {
        out += "\n";
        out += &columns(section);
    }
    out += "\n[privacy]\n";
    out += &comment(
        "The secret behind --redact, which replaces case ids with stable pseudonyms in \
         outputs shared beyond the QA team. Choose a phrase only the QA team knows, put it \
         in the quotes, remove the #, and keep this file private.",
    );
    out += "# redact_key = \"…\"\n";
    out
}

fn opening(guess: &Guess) -> String {
    let mut text = if guess.files.is_empty() {
        "caseaudit settings, written by `caseaudit init` with no files given, so nothing \
         was guessed: these are the demo's settings. Run `caseaudit init` with your \
         own files (the case extract, the auditors list, …) to have how they are written \
         and their headings filled in."
            .to_string()
    } else {
        let names: Vec<&str> = guess.files.iter().map(|f| f.name.as_str()).collect();
        format!(
            "caseaudit settings, written by `caseaudit init` from {}. Lines marked \
             \"guessed\" were guessed from the files: check each, then check the files \
             with these settings: caseaudit validate {}",
            super::and_list(&names),
            names.join(" ")
        )
    };
    let could_not = guess.could_not();
    if !could_not.is_empty() {
        text += "\n\nWhat init could not tell:";
        for line in could_not {
            text += "\n\n";
            text += &line;
        }
    }
    text += "\n\nLines starting with # are notes for you; caseaudit ignores them. Edit a value, \
             save, and keep the file as caseaudit.toml in the folder you run caseaudit from \
             (or use it with --config FILE).";
    comment(&text) + "\n"
}

fn input(guess: &Guess) -> String {
    let mut out = String::from("[input]\n");
    out += &comment(
        "How your files are written, for every file caseaudit reads (--encoding, \
         --delimiter and --header-row on the command line win). Without these, files are \
         read as UTF-8, a header separated by semicolons, tabs or pipes rather than commas \
         is noticed, and headings below title rows are found.",
    );
    let keys = [
        (
            "encoding",
            guess.encoding.map(|e| encoding_value(*e).to_string()),
            "\"windows-1252\"",
            "for files Excel saved as \"CSV\" (not \"CSV UTF-8\")",
        ),
        (
            "delimiter",
            guess.delimiter.map(|d| toml_delimiter(*d)),
            "\";\"",
            "\";\", \"|\" or \"tab\", for files not separated by commas",
        ),
        (
            "header_row",
            guess.header_row.map(ToString::to_string),
            "3",
            "the line the headings are on, below title rows",
        ),
    ];
    for (key, choice, example, what) in keys {
        match choice {
            Choice::Default => {
                let _ = writeln!(out, "# {key} = {example}   # {what}");
            }
            Choice::Set(value, why) => {
                let _ = writeln!(out, "{key} = {value}   # guessed: {}", one_line(&why));
            }
            Choice::Differ(why) => {
                let _ = writeln!(out, "# {key} = {example}   # not set: {}", one_line(&why));
            }
        }
    }
    out + "\n"
}

fn extract(guess: &Guess) -> String {
    let mut out = String::from("[extract]\n");
    out += &comment(
        "How to read the case extract: \"standard\" for a file with caseaudit's own column \
         names (case_id, team, worker, ...) or the headings it knows (Person ID, Allocated \
         Team, ...), or \"annex-a\" for Ofsted Annex A lists.",
    );
    match &guess.extract_layout {
        Choice::Set(value, why) => {
            let _ = writeln!(out, "layout = \"{value}\"   # guessed: {}\n", one_line(why));
        }
        Choice::Differ(why) => {
            let _ = writeln!(
                out,
                "layout = \"standard\"   # not \"annex-a\": {}\n",
                one_line(why)
            );
        }
        Choice::Default => out += "layout = \"standard\"\n\n",
    }
    match guess.sections.iter().find(|s| s.kind == Kind::Cases) {
        Some(section) => out += &columns(section),
        None => {
            out += &comment(
                "If your extract has its own column headings, say which heading holds \
                 each standard column: remove the # from the lines below and put your \
                 heading in the quotes. Not needed when the headings already match.",
            );
            out += "# [extract.columns]\n# case_id = \"Child Unique ID\"\n# team = \"Allocated Team\"\n# worker = \"Allocated Worker\"\n";
        }
    }
    out + "\n"
}

/// The mappings of the auditors list, history and completed audits (moderation's
/// go under `[moderation]`).
fn layouts(guess: &Guess) -> String {
    let mut out = comment(
        "The auditors list, history, completed audits and moderation results are read the \
         same way: common headings (Staff ID, Overall Grade, Date Completed, Moderator, ...) \
         are known without settings, and any other is mapped in the file's own section \
         (auditors, history, audits or moderation).",
    );
    let mapped: Vec<&Section> = guess
        .sections
        .iter()
        .filter(|s| matches!(s.kind, Kind::Auditors | Kind::History | Kind::Audits))
        .collect();
    if mapped.is_empty() && !guess.sections.iter().any(|s| s.kind == Kind::Moderation) {
        out += &comment("For example, for the auditors list:");
        out += "# [auditors.columns]\n# auditor_id = \"Staff Ref\"\n";
    }
    for section in mapped {
        out += "\n";
        out += &columns(section);
    }
    out + "\n"
}

/// One layout's `[<layout>.columns]`: a comment saying what was found by itself,
/// then a line for each guess; a required field with no guess, commented out.
fn columns(section: &Section) -> String {
    let name = super::section(section.kind);
    let files = super::and_list(&section.files.iter().map(String::as_str).collect::<Vec<_>>());
    let found: Vec<String> = section
        .found
        .iter()
        .map(|(field, heading)| format!("{field} is \"{heading}\""))
        .collect();
    let by_itself = if found.is_empty() {
        String::new()
    } else {
        format!(" It found these by their headings: {}.", found.join(", "))
    };
    let mut out = comment(&format!(
        "The {} ({files}): which heading holds each column caseaudit did not find by itself.{by_itself}",
        section.kind.describe()
    ));
    for conflict in &section.conflicts {
        out += &comment(&format!("Note: {conflict}."));
    }
    if section.columns.is_empty() {
        out += &comment("Every column it needs was found, so nothing is mapped here.");
        let _ = writeln!(out, "# [{name}.columns]");
        return out;
    }
    let _ = writeln!(out, "[{name}.columns]");
    for Column {
        field,
        heading,
        required,
    } in &section.columns
    {
        match heading {
            Some(h) => {
                let _ = writeln!(
                    out,
                    "{field} = {}   # guessed: nearest heading to \"{field}\"",
                    quoted(h)
                );
            }
            None => {
                let what = if *required {
                    "a required column"
                } else {
                    "a column"
                };
                let _ = writeln!(
                    out,
                    "# {field} = \"…\"   # could not tell: no heading looks like {field} ({what}); put the heading that holds it in the quotes and remove the first #"
                );
            }
        }
    }
    out
}

/// The demo's settings from the line `from` up to the line `to`.
fn demo_part(from: &str, to: &str) -> &'static str {
    let at = |heading: &str| {
        CONFIG_TOML
            .match_indices(heading)
            .find(|(i, _)| *i == 0 || CONFIG_TOML.as_bytes()[i - 1] == b'\n')
            .map(|(i, _)| i)
    };
    match (at(from), at(to)) {
        (Some(start), Some(end)) if start < end => &CONFIG_TOML[start..end],
        _ => "",
    }
}

/// Text as `#` comment lines, wrapped; blank lines in the text separate paragraphs.
fn comment(text: &str) -> String {
    let mut out = String::new();
    for (i, paragraph) in text.split("\n\n").enumerate() {
        if i > 0 {
            out += "#\n";
        }
        let mut line = String::from("#");
        for word in paragraph.split_whitespace() {
            if line.len() > 1 && line.len() + 1 + word.len() > WIDTH {
                out += &line;
                out += "\n";
                line = String::from("#");
            }
            line.push(' ');
            line.push_str(word);
        }
        out += &line;
        out += "\n";
    }
    out
}

/// A text for the end of a comment line: on one line, with no control characters.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A TOML basic string.
pub(super) fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out + "\""
}
