//! `validate`: check files against their layout and print every problem.

use super::Context;
use crate::config::Settings;
use crate::csvio::{self, Problem, RecordReader};
use crate::extract::{CaseRow, ExtractReader};
use crate::filter::Filter;
use crate::moderation::{self, Against};
use crate::{auditors, history};
use anyhow::{Context as _, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Check input files and print every problem found, as FILE:LINE: column "NAME": message.
///
/// The kind of each file is told from its headings (or its .toml extension), or
/// set with --kind. Problems go to standard output, one a line; a summary per file
/// goes to standard error. Exits 1 if any file has an error (warnings alone pass).
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit validate extract.csv auditors.csv history.csv caseaudit.toml
  caseaudit validate --kind cases export.csv")]
pub(crate) struct Args {
    /// Files to check
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The kind of every file (default: told from its headings)
    #[arg(long, value_name = "KIND")]
    kind: Option<Kind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Kind {
    Cases,
    Auditors,
    History,
    Audits,
    Moderation,
    Config,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Cases => "case extract",
            Kind::Auditors => "auditors list",
            Kind::History => "audit history",
            Kind::Audits => "completed audits",
            Kind::Moderation => "moderation results",
            Kind::Config => "settings file",
        }
    }
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    // Moderation results are checked against the audits given with them.
    let audit_files: Vec<PathBuf> = args
        .files
        .iter()
        .filter(|p| {
            let kind = args
                .kind
                .or_else(|| detect(ctx, p, &csvio::display_name(p)).ok().flatten());
            kind == Some(Kind::Audits) && *p != Path::new("-")
        })
        .cloned()
        .collect();
    let mut out = std::io::stdout().lock();
    let mut failed = false;
    for path in &args.files {
        let name = csvio::display_name(path);
        let (kind, problems, rows) = match check(ctx, path, &name, args.kind, &audit_files) {
            Ok(found) => found,
            Err(err) => (
                None,
                vec![Problem::error(&name, None, None, format!("{err:#}"))],
                0,
            ),
        };
        for p in &problems {
            writeln!(out, "{p}")?;
        }
        out.flush()?;
        let errors = problems.iter().filter(|p| !p.warning).count();
        let warnings = problems.len() - errors;
        failed |= errors > 0;
        let what = kind.map_or("file", Kind::describe);
        let size = if kind == Some(Kind::Config) {
            String::new()
        } else {
            format!(", {rows} rows")
        };
        let verdict = match (errors, warnings) {
            (0, 0) => "ok".to_string(),
            (0, w) => format!("ok, {w} warning{}", plural(w)),
            (e, w) => format!("{e} error{}, {w} warning{}", plural(e), plural(w)),
        };
        ctx.note(format!("{name}: {what}{size}: {verdict}"));
    }
    if failed {
        Err(crate::exit::AlreadyReported.into())
    } else {
        Ok(())
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Checks one file; returns its kind, its problems and how many rows it has.
fn check(
    ctx: &Context,
    path: &Path,
    name: &str,
    kind: Option<Kind>,
    audit_files: &[PathBuf],
) -> Result<(Option<Kind>, Vec<Problem>, u64)> {
    let is_toml = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let kind = match kind {
        Some(k) => k,
        None if is_toml => Kind::Config,
        None => match detect(ctx, path, name)? {
            Some(k) => k,
            None => {
                let p = Problem::error(
                    name,
                    Some(1),
                    None,
                    "cannot tell what kind of file this is from its headings; use --kind cases|auditors|history|audits|moderation|config",
                );
                return Ok((None, vec![p], 0));
            }
        },
    };
    let (problems, rows) = match kind {
        Kind::Config => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
            (Settings::parse(&text, name).err().unwrap_or_default(), 0)
        }
        Kind::Cases => check_cases(ctx, path, name)?,
        Kind::Auditors => match auditors::read(name, ctx.csv_reader(path)?) {
            Ok((list, warnings)) => (warnings, list.len() as u64),
            Err(problems) => (problems, 0),
        },
        Kind::History => match history::read(name, ctx.csv_reader(path)?) {
            Ok(entries) => (Vec::new(), entries.len() as u64),
            Err(problems) => (problems, 0),
        },
        Kind::Audits => check_audits(ctx, path, name)?,
        Kind::Moderation => check_moderation(ctx, path, name, audit_files)?,
    };
    Ok((Some(kind), problems, rows))
}

fn check_cases(ctx: &Context, path: &Path, name: &str) -> Result<(Vec<Problem>, u64)> {
    let mut reader = match ExtractReader::new(name, ctx.csv_reader(path)?, &ctx.settings, ctx.as_of) {
        Ok(r) => r,
        Err(problems) => return Ok((problems, 0)),
    };
    // The configured frames must make sense against this extract's headings.
    let mut frame_problems = Vec::new();
    for frame in &ctx.settings.sampling.frames {
        match Filter::compile(frame.filter.get_ref(), reader.schema(), ctx.as_of) {
            Err(e) => frame_problems.push(Problem::error(
                name,
                Some(1),
                None,
                format!("sampling frame \"{}\": {e}", frame.name),
            )),
            Ok(filter) => {
                let absent = reader.schema().absent_fields(&filter.fields());
                if !absent.is_empty() {
                    frame_problems.push(Problem::warning(
                        name,
                        Some(1),
                        None,
                        format!(
                            "sampling frame \"{}\" uses {}, which this extract does not have: it will match nothing there",
                            frame.name,
                            absent.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    let mut row = CaseRow::default();
    while reader.next_row(&mut row) {}
    let rows = reader.rows_read;
    let mut problems = frame_problems;
    problems.extend(reader.problems);
    Ok((problems, rows))
}

fn check_audits(ctx: &Context, path: &Path, name: &str) -> Result<(Vec<Problem>, u64)> {
    // `[moderation] always` must make sense against the audits' columns.
    let (read, mut problems) = ctx.check_audits(&[path.to_path_buf()], |layout| {
        let always = ctx.settings.moderation.always.get_ref();
        Ok(Filter::compile(always, layout, ctx.as_of).err().map(|e| {
            Problem::error(
                name,
                Some(1),
                None,
                format!("[moderation] always = \"{always}\": {e}"),
            )
        }))
    })?;
    let rows = read.as_ref().map_or(0, |(a, _)| a.list.len() as u64);
    if let Some((_, Some(p))) = read {
        problems.insert(0, p);
    }
    Ok((problems, rows))
}

fn check_moderation(
    ctx: &Context,
    path: &Path,
    name: &str,
    audit_files: &[PathBuf],
) -> Result<(Vec<Problem>, u64)> {
    let scale = ctx.scale()?;
    let audits = if audit_files.is_empty() {
        ctx.note(format!(
            "{name}: audit ids not checked (give the audits files in the same command to check them)"
        ));
        None
    } else {
        let (read, _) = ctx.check_audits(audit_files, |_| Ok(()))?;
        if read.is_none() {
            ctx.note(format!(
                "{name}: audit ids not checked (the audits files have errors)"
            ));
        }
        read.map(|(a, ())| a)
    };
    let against = match &audits {
        Some(a) => Against::audits(a),
        None => Against::templates(&ctx.settings),
    };
    Ok(
        match moderation::read(name, ctx.csv_reader(path)?, &against, &scale) {
            Ok((list, warnings)) => (warnings, list.len() as u64),
            Err(problems) => (problems, 0),
        },
    )
}

/// Tells a file's kind from its headings.
fn detect(ctx: &Context, path: &Path, name: &str) -> Result<Option<Kind>> {
    let reader = match RecordReader::new(name, ctx.csv_reader(path)?) {
        Ok(r) => r,
        Err(_) => return Ok(Some(Kind::Cases)), // let the full check report it
    };
    let has = |h: &str| reader.column(h).is_some();
    Ok(if has("audit_id") && has("moderator_id") {
        Some(Kind::Moderation)
    } else if has("audit_id") && has("overall") && has("case_id") {
        Some(Kind::Audits)
    } else if has("auditor_id") && (has("capacity") || has("manages") || has("role")) && !has("case_id") {
        Some(Kind::Auditors)
    } else if has("month") && has("case_id") && has("auditor_id") && !has("audit_id") {
        Some(Kind::History)
    } else if has("case_id")
        || has("child unique id")
        || ctx.settings.mapped_heading("case_id").is_some_and(has)
    {
        Some(Kind::Cases)
    } else {
        None
    })
}
