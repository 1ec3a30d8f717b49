//! `collect`: returned audit forms read back into the audits file.

use super::Context;
use crate::audits::fields::audit_field_named;
use crate::csvio::{self, neutralise};
use crate::forms::Returned;
use crate::forms::moderation::{self, ModerationRead};
use crate::forms::returns::{self, FormsRead, Workbooks};
use crate::grades::Scale;
use crate::output::Output;
use crate::problem::{Problem, Problems};
use crate::render::{Cell, RowWriter};
use crate::values::count;
use crate::values::element_key;
use anyhow::{Context as _, Result, bail};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Read returned audit forms into the audits file.
///
/// Reads the workbooks written by `forms` once the auditors have filled them
/// in (any file names, saved by Excel or LibreOffice; a folder means every
/// .xlsx file in it, and a form there saved as .ods or .xls is named in a
/// warning, not read: save it again as .xlsx). Each answer is found by the key in the form's hidden
/// column, so rows moved or restyled read the same. Writes the audits in the
/// standard layout (audit_id, case_id, month, auditor_id, team, service,
/// frame, completed_on, the elements, overall, strengths, learning, action,
/// action_owner, action_due, action_done, safeguarding_concern), ready for
/// `themes`, `moderate`, `progress` and `report`; with --evidence, each
/// element's evidence too. Every problem names the file, sheet and cell, and
/// nothing is written while there is one. A form without an overall grade is
/// outstanding, counted on stderr, not written. With --allocation, a form for a
/// case not allocated that month, or by another auditor than the allocated
/// one, is an error. With --append FILE the audits are added to FILE at once
/// (an audit already there is skipped if the same, refused if not).
///
/// With --moderation, reads the moderation forms of `forms --moderation` into
/// moderation results (audit_id, moderator_id, moderated_on, overall,
/// challenged, note, and the elements the moderators re-graded).
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit collect forms -o audits-2026-11.csv
  caseaudit collect forms --allocation allocation.csv --append audits.csv
  caseaudit collect forms/A0007-2026-11.xlsx forms/A0012-2026-11.xlsx -f table
  caseaudit collect --moderation moderation-forms -o moderation-2026-11.csv")]
pub(crate) struct Args {
    /// Returned forms (.xlsx), or folders of them
    #[arg(required = true, value_name = "DIR|FILE")]
    inputs: Vec<PathBuf>,
    /// The month's allocation: every form must be of an allocated case, by its auditor
    #[arg(long, value_name = "FILE")]
    allocation: Option<PathBuf>,
    /// Add the audits to this audits file (atomically) instead of writing them out
    #[arg(long, value_name = "FILE")]
    append: Option<PathBuf>,
    /// Also write each element's evidence, as a column <element>_evidence
    #[arg(long)]
    evidence: bool,
    /// Read moderation forms (of `forms --moderation`) into moderation results
    #[arg(long, conflicts_with_all = ["allocation", "evidence"])]
    moderation: bool,
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    if args.append.is_some() && ctx.output_path.is_some() {
        return Err(crate::exit::usage(
            "--append FILE writes into FILE: give it or -o, not both",
        ));
    }
    let scale = ctx.scale()?;
    let books = returns::workbooks(&args.inputs)?;
    if args.moderation {
        ctx.warn(&books.passed_over);
        return collect_moderation(ctx, args, &books, &scale);
    }
    let FormsRead {
        audits,
        outstanding,
        mut problems,
        warnings,
    } = returns::read_forms(&books, &scale, &ctx.settings)?;
    if let Some(path) = &args.allocation {
        check_allocation(ctx, path, &audits, &mut problems)?;
    }
    if problems.iter().any(|p| !p.warning) {
        problems.extend(warnings);
        return Err(Problems(problems).into());
    }
    ctx.warn(&warnings);
    let mut templates: Vec<&str> = audits
        .iter()
        .map(|a| {
            if ctx.settings.templates.contains_key(&a.frame) {
                a.frame.as_str()
            } else {
                crate::templates::DEFAULT
            }
        })
        .collect();
    templates.sort_unstable();
    templates.dedup();
    if templates.len() > 1 {
        ctx.note(format!(
            "warning: these audits use {} templates ({}); the readers of audits match one template per file, so collect each template's forms into a file of its own",
            templates.len(),
            templates.join(", ")
        ));
    }
    let columns = returns::columns(&ctx.settings, &audits, args.evidence);
    let rows: Vec<Vec<String>> = audits.iter().map(|a| returns::row(a, &columns)).collect();
    let outstanding = if outstanding == 0 {
        " (every form filled in)".to_string()
    } else {
        format!(
            "; {} not filled in yet (no overall grade): outstanding, left out",
            count(outstanding, "form")
        )
    };
    let said = format!(
        "collected {} from {}{outstanding}",
        count(audits.len(), "audit"),
        count(books.files.len(), "workbook"),
    );
    write_out(ctx, args, &columns, &rows, &said, Collecting::Audits, &|h| {
        audit_field_named(h).map_or_else(|| element_key(h), element_key)
    })
}

/// `collect --moderation`: moderation forms into moderation results.
fn collect_moderation(ctx: &Context, args: &Args, books: &Workbooks, scale: &Scale) -> Result<()> {
    let ModerationRead {
        results,
        outstanding,
        mut problems,
        warnings,
    } = moderation::read_forms(books, scale, &ctx.settings)?;
    if problems.iter().any(|p| !p.warning) {
        problems.extend(warnings);
        return Err(Problems(problems).into());
    }
    ctx.warn(&warnings);
    let columns = moderation::columns(&ctx.settings, &results);
    let rows: Vec<Vec<String>> = results.iter().map(|r| moderation::row(r, &columns)).collect();
    let said = format!(
        "collected {} from {}{}",
        count(rows.len(), "moderation result"),
        count(books.files.len(), "workbook"),
        if outstanding == 0 {
            String::new()
        } else {
            format!(
                "; {} not filled in yet (no overall grade): left out",
                count(outstanding, "form")
            )
        }
    );
    write_out(ctx, args, &columns, &rows, &said, Collecting::Moderation, &|h| {
        element_key(h)
    })
}

/// What is collected, as messages name it.
#[derive(Clone, Copy)]
enum Collecting {
    Audits,
    Moderation,
}

impl Collecting {
    /// One row collected: `audit`, `moderation result`.
    fn row(self) -> &'static str {
        match self {
            Collecting::Audits => "audit",
            Collecting::Moderation => "moderation result",
        }
    }

    /// What an audit id names a row of: `audit "A1"`, `the moderation of audit "A1"`.
    fn of_id(self) -> &'static str {
        match self {
            Collecting::Audits => "audit",
            Collecting::Moderation => "the moderation of audit",
        }
    }
}

/// Writes the rows collected to the output, or adds them to the file of
/// --append, after saying what was collected (`said`). The output is opened
/// first, so that an output refused (it exists) is the one message, not one
/// after a count of what was read.
fn write_out(
    ctx: &Context,
    args: &Args,
    columns: &[String],
    rows: &[Vec<String>],
    said: &str,
    what: Collecting,
    standard: &dyn Fn(&str) -> String,
) -> Result<()> {
    if let Some(path) = &args.append {
        ctx.note(said);
        return append(ctx, path, columns, rows, what, standard);
    }
    let mut out = ctx.open_output()?;
    ctx.note(said);
    let mut w = RowWriter::new(ctx.format, columns.to_vec(), &mut out, ctx.render.clone())?;
    for r in rows {
        w.write(r.iter().map(|c| Cell::text(c.as_str())).collect())?;
    }
    w.finish()?;
    out.commit()?;
    Ok(())
}

/// Every audit must be of a case of the allocation's month, by its auditor.
fn check_allocation(
    ctx: &Context,
    path: &Path,
    audits: &[Returned],
    problems: &mut Vec<Problem>,
) -> Result<()> {
    let csvio::Input { name, reader, .. } = ctx.table(path)?;
    let (month, allocation) = crate::layouts::allocation::read(&name, reader).map_err(Problems)?;
    // Each case's auditor and audit id (`AUD-<month>-<n>`, n its row in the allocation).
    let by_case: HashMap<&str, (&str, String)> = allocation
        .iter()
        .enumerate()
        .map(|(i, a)| {
            (
                a.case_id.as_str(),
                (a.auditor_id.as_str(), crate::forms::audit_id(month, i + 1)),
            )
        })
        .collect();
    for a in audits {
        let at = format!("{}, cell {} (Case)", a.at, a.case_cell);
        match by_case.get(a.case_id.as_str()) {
            _ if a.month != month => problems.push(Problem::error(
                &at,
                None,
                None,
                format!("the form is of {}, but {name} allocates {month}", a.month),
            )),
            None => problems.push(Problem::error(
                &at,
                None,
                None,
                format!(
                    "case \"{}\" is not in {name} (not allocated in {month})",
                    a.case_id
                ),
            )),
            Some(&(allocated, _)) if allocated != a.auditor_id => problems.push(Problem::error(
                &at,
                None,
                None,
                format!(
                    "case \"{}\" is allocated to {allocated} in {name}, but this form is {}'s",
                    a.case_id, a.auditor_id
                ),
            )),
            Some((_, id)) if *id != a.audit_id => problems.push(Problem::error(
                &format!("{}, cell {} (Audit id)", a.at, a.id_cell),
                None,
                None,
                format!(
                    "the form's audit id is \"{}\", but {name} gives case \"{}\" the audit id \"{id}\"; a form copied to another case's sheet, or its header changed? Keep the form of the case's own audit id",
                    a.audit_id, a.case_id
                ),
            )),
            Some(_) => {}
        }
    }
    Ok(())
}

/// Adds the rows to an existing audits file, written again whole and renamed
/// into place: an audit id already there with the same cells is skipped, one
/// with other cells refused; a column the file lacks must be blank.
/// `standard` gives a heading of the file in the form our column names take.
/// The file is read as every table is (the settings' encoding, a byte-order
/// mark, its delimiter found from the header) and the rows added in its own
/// delimiter, line ending and encoding; a symbolic link is followed (the file
/// it points to is written, the link kept), and the file keeps its permissions.
fn append(
    ctx: &Context,
    path: &Path,
    columns: &[String],
    rows: &[Vec<String>],
    what: Collecting,
    standard: &dyn Fn(&str) -> String,
) -> Result<()> {
    let file = path.display().to_string();
    let workbook = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["xlsx", "xlsm", "xls", "ods"]
            .iter()
            .any(|w| e.eq_ignore_ascii_case(w))
    });
    if workbook {
        bail!(
            "{file} is a workbook: --append adds to a CSV audits file; write to a new file with -o instead"
        );
    }
    // A link is followed to the file it names, which is the one replaced.
    let linked = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let target = if linked {
        std::fs::canonicalize(path).with_context(|| format!("cannot read {file}"))?
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&target).with_context(|| format!("cannot read {file}"))?;
    let permissions = std::fs::metadata(&target)
        .with_context(|| format!("cannot read {file}"))?
        .permissions();
    let (options, note) = csvio::file_options(path, &ctx.input)?;
    if let Some(note) = note {
        ctx.note(note);
    }
    let delimiter = csvio::delimiter_for(path, &options);
    let mut reader = csvio::csv_reader(path, &options)?;
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(header) => header
            .with_context(|| format!("reading {file}"))?
            .iter()
            .map(str::to_string)
            .collect(),
        None => bail!("{file} is empty: it has no header row; write to a new file with -o instead"),
    };
    // Where each of our columns is in the file: by standard name, alias or element key.
    let at: Vec<Option<usize>> = columns
        .iter()
        .map(|c| headers.iter().position(|h| standard(h) == element_key(c)))
        .collect();
    let Some(id_col) = at[0] else {
        bail!("{file} has no audit_id column: it is not an audits or moderation file");
    };
    let mut there: HashMap<String, (u64, csv::StringRecord)> = HashMap::new();
    for (i, rec) in records.enumerate() {
        let rec = rec.with_context(|| format!("reading {file}"))?;
        let line = rec.position().map_or(i as u64 + 2, csv::Position::line);
        if let Some(id) = rec.get(id_col).filter(|id| !id.trim().is_empty()) {
            there.insert(id.trim().to_string(), (line, rec));
        }
    }
    // Closed before the file is replaced: Windows refuses to replace an open file.
    drop(reader);
    let mut problems = Vec::new();
    let mut added = Vec::new();
    let mut skipped = 0;
    let lacking: Vec<&str> = columns
        .iter()
        .enumerate()
        .filter(|&(i, _)| at[i].is_none() && rows.iter().any(|r| !r[i].is_empty()))
        .map(|(_, c)| c.as_str())
        .collect();
    if !lacking.is_empty() {
        problems.push(Problem::error(
            &file,
            Some(1),
            None,
            format!(
                "has no column {}, which the forms fill in; add the columns, or write to a new file with -o",
                lacking.join(", ")
            ),
        ));
    }
    // A cell as this command writes it: neutralised unless --raw. A row
    // already in the file is compared as written, so a re-run finds its own
    // `'-> see chronology` the same as `-> see chronology` (and a file
    // written with --raw the same too).
    let written = |cell: &str| -> String {
        if ctx.render.raw {
            cell.to_string()
        } else {
            neutralise(cell).into_owned()
        }
    };
    for r in rows {
        match there.get(&r[0]) {
            None => added.push(r),
            Some((line, rec)) => {
                let same = |i: usize, col: usize| {
                    let cell = rec.get(col).unwrap_or("").trim();
                    cell == r[i] || cell == written(&r[i])
                };
                let differs: Vec<&str> = columns
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| at[i].is_some_and(|col| !same(i, col)))
                    .map(|(_, c)| c.as_str())
                    .collect();
                if differs.is_empty() {
                    skipped += 1;
                } else {
                    problems.push(Problem::error(
                        &file,
                        Some(*line),
                        None,
                        format!(
                            "{} \"{}\" is already here with other {}: {}; nothing is added (correct one of them)",
                            what.of_id(),
                            r[0],
                            if differs.len() == 1 { "content" } else { "contents" },
                            differs.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    // The file's own line ending, from its first line.
    let crlf = memchr::memchr(b'\n', &bytes).is_some_and(|i| i > 0 && bytes[i - 1] == b'\r');
    let mut text = Vec::new();
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        text.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
    }
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(if crlf {
                csv::Terminator::CRLF
            } else {
                csv::Terminator::Any(b'\n')
            })
            .from_writer(&mut text);
        for r in &added {
            let mut cells = vec![String::new(); headers.len()];
            for (i, col) in at.iter().enumerate() {
                if let Some(col) = col {
                    cells[*col] = written(&r[i]);
                }
            }
            w.write_record(&cells)?;
        }
        w.flush()?;
    }
    let text = match options.encoding {
        csvio::Encoding::Utf8 => text,
        csvio::Encoding::Windows1252 => {
            let utf8 = String::from_utf8(text).expect("the csv writer writes the UTF-8 it is given");
            csvio::encode_windows_1252(&utf8).map_err(|c| {
                anyhow::anyhow!(
                    "{file} is read as Windows-1252, which cannot hold \"{c}\" of the audits to add; save the file as CSV UTF-8 and run again without the Windows-1252 encoding"
                )
            })?
        }
    };
    let mut out = Output::open(Some(&target), true)?;
    out.write_all(&bytes)?;
    out.write_all(&text)?;
    out.commit()?;
    std::fs::set_permissions(&target, permissions)
        .with_context(|| format!("cannot keep the permissions of {file}"))?;
    ctx.note(format!(
        "added {} to {file}{}",
        count(added.len(), what.row()),
        if skipped > 0 {
            format!(" ({skipped} already there, the same: skipped)")
        } else {
            String::new()
        }
    ));
    Ok(())
}
