//! `init`: write a commented settings file with what can be guessed from the
//! user's own files (how they are written, which layout each is, which headings to
//! map). The guessing is `guess`'s; this file reads the files, prints and writes.

use super::cli::GlobalArgs;
use crate::csvio::{self, Encoding, InputOptions};
use crate::guess::{self, Table, TextCheck};
use anyhow::{Context as _, Result, bail};
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Write a commented caseaudit.toml, guessed from the files your systems export.
///
/// Reads each FILE as your case management system or spreadsheet wrote it (CSV
/// separated by commas, semicolons, tabs or pipes; UTF-8 or Windows-1252; title rows
/// above the headings; .xlsx/.xls/.ods workbooks; the CIN census XML), tells which
/// layout it is (case extract, auditors list, history, completed audits, moderation
/// results) from its headings, and writes caseaudit.toml (or -o FILE): [input] set
/// where every file needs it, a [<layout>.columns] line for each heading caseaudit
/// does not know by itself (its nearest heading, marked "guessed"), and the rest as
/// the demo's settings, commented. What it guessed, and what it could not tell, goes
/// to standard error, a line each. It never replaces a file without --force; a file
/// it cannot read stops it before anything is written. Check the result with
/// `caseaudit validate FILE...`. --encoding, --delimiter and --header-row are taken
/// as given rather than guessed; no settings file is read.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit init extract.csv auditors.csv
  caseaudit init \"Open cases.xlsx\" staff.csv history.csv -o settings.toml
  caseaudit init                     # the demo's settings, nothing guessed
  caseaudit init extract.csv auditors.csv --force   # replace caseaudit.toml")]
pub(crate) struct Args {
    /// Your files: the case extract, auditors list, history, completed audits, moderation results
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// What every file given is, when its headings do not tell (default: told from them)
    #[arg(long, value_name = "KIND")]
    kind: Option<crate::fit::Kind>,
}

/// What `init` is asked to do, from the command line.
struct Plan<'a> {
    files: &'a [PathBuf],
    output: PathBuf,
    force: bool,
    quiet: bool,
    sheet: Option<&'a str>,
    /// How the files are written, where the command line says.
    given: guess::Given,
}

/// The settings file written when `-o` is not given.
const DEFAULT_OUTPUT: &str = "caseaudit.toml";

/// Bytes read from the start of a CSV file to find its header and delimiter.
const HEAD: u64 = 64 << 10;

pub(crate) fn run(global: &GlobalArgs, args: &Args) -> Result<()> {
    let plan = Plan {
        files: &args.files,
        output: global
            .output
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT)),
        force: global.force,
        quiet: global.quiet,
        sheet: global.sheet.as_deref(),
        given: guess::Given {
            encoding: global.encoding,
            delimiter: global.delimiter,
            header_row: global.header_row,
            kind: args.kind,
        },
    };
    if plan.files.iter().any(|p| p == Path::new("-")) {
        return Err(crate::exit::usage(
            "init reads files, not standard input: give the files' names",
        ));
    }
    if plan.output != Path::new("-") {
        super::refuse_an_input(&plan.output)?;
        // Before the files are read, so a refusal comes first.
        crate::output::check_target(&plan.output, plan.force)?;
    }
    let known = crate::config::Settings::default().known_headings();
    let mut files = Vec::new();
    for path in plan.files {
        files.extend(guess_file(path, &plan, &known)?);
    }
    let guess = guess::combine(files, plan.given);
    let text = guess::settings_text(&guess);
    crate::output::write_file_atomic(&plan.output, text.as_bytes(), plan.force)?;
    if !plan.quiet {
        for line in guess.report() {
            eprintln!("{line}");
        }
        let written = if plan.output == Path::new("-") {
            "standard output".to_string()
        } else {
            plan.output.display().to_string()
        };
        if plan.files.is_empty() {
            eprintln!("no files given, so nothing was guessed: wrote the demo's settings to {written}");
        } else {
            eprintln!(
                "wrote {written}: check the lines marked \"guessed\", then run caseaudit validate {}",
                plan.files
                    .iter()
                    .map(|p| csvio::display_name(p))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
    }
    Ok(())
}

/// Reads what `guess` needs of one file (each sheet of a workbook) and guesses.
fn guess_file(path: &Path, plan: &Plan<'_>, known: &HashSet<String>) -> Result<Vec<guess::FileGuess>> {
    let name = csvio::display_name(path);
    if crate::workbook::is_workbook(path) && !path.is_dir() {
        let sheets = crate::workbook::read_sheets(path, plan.sheet, &|_| None)?;
        if sheets.is_empty() {
            bail!("{name} has no sheet with anything in it");
        }
        return Ok(sheets
            .iter()
            .map(|s| {
                guess::table(
                    &format!("{name}[{}]", s.name),
                    Table::Sheet(&s.csv),
                    known,
                    plan.given,
                )
            })
            .collect());
    }
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {name}"))?;
    if meta.is_dir() {
        bail!("{name} is a directory, not a file");
    }
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?;
    let mut head = Vec::new();
    (&mut file)
        .take(HEAD)
        .read_to_end(&mut head)
        .with_context(|| format!("reading {name}"))?;
    if crate::census::is_xml(&head) {
        let table = csvio::open_table(path, &InputOptions::default())?;
        let headings = table.sheet.map(|(_, h)| h).unwrap_or_default();
        return Ok(vec![guess::table(
            &name,
            Table::Made(&headings),
            known,
            plan.given,
        )]);
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        bail!(
            "{name} is UTF-16 text (Excel's \"Unicode Text\"); save it as \"CSV UTF-8\" and run init again"
        );
    }
    // The whole file decides the encoding: a £ may first come a long way down.
    let mut check = TextCheck::default();
    check.feed(&head);
    let mut piece = vec![0; 1 << 20];
    loop {
        match file.read(&mut piece) {
            Ok(0) => break,
            Ok(n) => check.feed(&piece[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).with_context(|| format!("reading {name}")),
        }
    }
    let text = match plan.given.encoding {
        None => check.finish(),
        Some(Encoding::Windows1252) => guess::Text::Windows1252,
        Some(Encoding::Utf8) => guess::Text::Utf8,
    };
    let head = match text {
        guess::Text::Windows1252 => csvio::decode_windows_1252(&head).into_bytes(),
        _ => String::from_utf8_lossy(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head))
            .into_owned()
            .into_bytes(),
    };
    // The delimiter caseaudit would find by itself, reading the file with no settings.
    let (opts, _) = csvio::file_options(path, &InputOptions::default())?;
    let table = Table::Csv {
        head: &head,
        text,
        default: csvio::delimiter_for(path, &InputOptions::default()),
        by_itself: csvio::delimiter_for(path, &opts),
    };
    Ok(vec![guess::table(&name, table, known, plan.given)])
}
