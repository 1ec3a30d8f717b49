//! `validate`: check files against their layout and print every problem.

use super::Context;
use crate::config::Settings;
use crate::csvio;
use crate::extract::{self, Case, Fold, Schema, Std};
use crate::filter::Filter;
use crate::fit;
use crate::layouts::{auditors, history};
use crate::moderation::{self, Against};
use crate::problem::Problem;
use crate::problem::Problems;
use crate::values::count;
use anyhow::{Context as _, Result, bail};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Check input files and print every problem found, as FILE:LINE: column "NAME": message.
///
/// The kind of each file is told from its headings (or its .toml extension): the
/// layout knowing most of them, counting aliases and the settings' mappings, and a
/// note says which layout was taken and why. --kind sets it. Problems go to standard output, one a line; a summary per file
/// goes to standard error. Exits 1 if any file has an error (warnings alone pass).
/// A folder is read as returned audit forms (see `collect`): every problem of
/// every form, by file, sheet and cell.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit validate extract.csv auditors.csv history.csv caseaudit.toml
  caseaudit validate --kind cases export.csv
  caseaudit validate forms")]
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
    Allocation,
    Audits,
    Moderation,
    Config,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self.layout() {
            Some(layout) => layout.describe(),
            None => "settings file",
        }
    }

    fn layout(self) -> Option<fit::Kind> {
        match self {
            Kind::Cases => Some(fit::Kind::Cases),
            Kind::Auditors => Some(fit::Kind::Auditors),
            Kind::History => Some(fit::Kind::History),
            Kind::Allocation => Some(fit::Kind::Allocation),
            Kind::Audits => Some(fit::Kind::Audits),
            Kind::Moderation => Some(fit::Kind::Moderation),
            Kind::Config => None,
        }
    }

    fn of(layout: fit::Kind) -> Kind {
        match layout {
            fit::Kind::Cases => Kind::Cases,
            fit::Kind::Auditors => Kind::Auditors,
            fit::Kind::History => Kind::History,
            fit::Kind::Allocation => Kind::Allocation,
            fit::Kind::Audits => Kind::Audits,
            fit::Kind::Moderation => Kind::Moderation,
        }
    }
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    // Moderation results are checked against the audits files given with them,
    // and allocations against the auditors lists and histories.
    // Each file's kind, told once from its headings.
    let kinds: Vec<(&PathBuf, Option<Kind>)> = args
        .files
        .iter()
        .filter(|p| *p != Path::new("-") && !p.is_dir())
        .map(|p| {
            let told = || detect(ctx, &csvio::headings(p, &ctx.input).ok()?).ok();
            (p, args.kind.or_else(told))
        })
        .collect();
    let of_kind = |kind: Kind| -> Vec<PathBuf> {
        kinds
            .iter()
            .filter(|(_, k)| *k == Some(kind))
            .map(|(p, _)| (*p).clone())
            .collect()
    };
    let with = With {
        audits: of_kind(Kind::Audits),
        auditors: of_kind(Kind::Auditors),
        history: of_kind(Kind::History),
    };
    let mut out = std::io::stdout().lock();
    let mut failed = false;
    let mut seen = Seen::default();
    for path in &args.files {
        let checked = check_file(ctx, path, args.kind, &with, &mut seen).unwrap_or_else(|err| {
            let name = csvio::display_name(path);
            // The message names the file already, as errors do: not twice.
            let message = format!("{err:#}");
            let message = message
                .strip_prefix(&format!("{name} "))
                .map_or(message.clone(), |rest| format!("the file {rest}"));
            vec![Checked {
                kind: None,
                problems: vec![Problem::error(&name, None, None, message)],
                rows: 0,
                name,
            }]
        });
        for c in checked {
            for p in &c.problems {
                writeln!(out, "{p}")?;
            }
            out.flush()?;
            let errors = c.problems.iter().filter(|p| !p.warning).count();
            let warnings = c.problems.len() - errors;
            failed |= errors > 0;
            let what = c.kind.map_or("file", Kind::describe);
            let size = if c.kind == Some(Kind::Config) {
                String::new()
            } else {
                format!(", {}", count(c.rows, "row"))
            };
            let verdict = match (errors, warnings) {
                (0, 0) => "ok".to_string(),
                (0, w) => format!("ok, {}", count(w, "warning")),
                (e, w) => format!("{}, {}", count(e, "error"), count(w, "warning")),
            };
            ctx.note(format!("{}: {what}{size}: {verdict}", c.name));
        }
    }
    // The auditors' teams against the extracts' (given in the same command).
    if seen.extracts > 0 {
        let teams: Vec<String> = seen.teams.into_iter().collect();
        for (name, list) in &seen.auditors {
            let warnings = team_warnings(name, list, &teams);
            for p in &warnings {
                writeln!(out, "{p}")?;
            }
            out.flush()?;
            ctx.note(format!(
                "{name}: teams checked against the extract's: {}",
                if warnings.is_empty() {
                    "ok".to_string()
                } else {
                    count(warnings.len(), "warning")
                }
            ));
        }
    }
    if failed {
        Err(crate::exit::AlreadyReported.into())
    } else {
        Ok(())
    }
}

/// The files given in the same command that others are checked against.
struct With {
    /// Completed audits: moderation results name their audits.
    audits: Vec<PathBuf>,
    /// Auditors lists and histories: an allocation must keep the rules by them.
    auditors: Vec<PathBuf>,
    history: Vec<PathBuf>,
}

/// What the files checked so far hold that others are checked against once all
/// are read: the teams of the extracts' cases, and the auditors lists.
#[derive(Default)]
struct Seen {
    extracts: usize,
    teams: BTreeSet<String>,
    auditors: Vec<(String, Vec<crate::layouts::auditors::Auditor>)>,
}

/// An auditor's team, or a team they manage, that no case of the extracts is
/// in: the rules compare team names exactly, so a team mistyped keeps no one
/// from its cases.
fn team_warnings(name: &str, list: &[crate::layouts::auditors::Auditor], teams: &[String]) -> Vec<Problem> {
    crate::allocate::rules::unknown_teams(list, teams)
        .into_iter()
        .map(|m| {
            let a = &list[m.auditor];
            let what = if m.field == "team" { "team" } else { "managed team" };
            let message = match (&m.nearest, m.near) {
                (Some(nearest), true) => format!(
                    "auditor \"{}\": {what} \"{}\" is no team of the extract; did you mean \"{nearest}\"? (team names are compared exactly, so the rules do not see them as one)",
                    a.id, m.written
                ),
                (Some(nearest), false) => format!(
                    "auditor \"{}\": {what} \"{}\" is no team of the extract (the nearest is \"{nearest}\"); fine for a team that holds no cases",
                    a.id, m.written
                ),
                (None, _) => format!(
                    "auditor \"{}\": {what} \"{}\" is no team of the extract; fine for a team that holds no cases",
                    a.id, m.written
                ),
            };
            Problem::warning(name, Some(a.line), Some(m.field), message)
        })
        .collect()
}

/// What checking one table found.
struct Checked {
    name: String,
    kind: Option<Kind>,
    problems: Vec<Problem>,
    rows: u64,
}

/// Checks one file: a settings file, a CSV file, or each sheet of a workbook.
fn check_file(
    ctx: &Context,
    path: &Path,
    kind: Option<Kind>,
    with: &With,
    seen: &mut Seen,
) -> Result<Vec<Checked>> {
    let name = csvio::display_name(path);
    // A folder holds returned audit forms.
    if path.is_dir() {
        let read = crate::forms::returns::read_forms(
            &crate::forms::returns::workbooks(&[path.to_path_buf()])?,
            &ctx.scale()?,
            &ctx.settings,
        )?;
        ctx.note(format!(
            "{name}: read as returned audit forms ({} filled in, {} not yet)",
            read.audits.len(),
            read.outstanding
        ));
        let mut problems = read.problems;
        problems.extend(read.warnings);
        return Ok(vec![Checked {
            name,
            kind: Some(Kind::Audits),
            problems,
            rows: read.audits.len() as u64,
        }]);
    }
    let is_toml = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if kind == Some(Kind::Config) || (kind.is_none() && is_toml) {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
        let problems = Settings::parse(&text, &name).err().unwrap_or_default();
        return Ok(vec![Checked {
            name,
            kind: Some(Kind::Config),
            problems,
            rows: 0,
        }]);
    }
    // In the annex-a layout an extract is a set of lists, each turned into the standard layout.
    if kind.is_none_or(|k| k == Kind::Cases) && extract::reads_as_annex_a(path, &ctx.settings, &ctx.input)? {
        let inputs = ctx.extract_tables(&[path.to_path_buf()])?;
        return inputs
            .into_iter()
            .map(|input| check_cases(ctx, input, seen))
            .collect();
    }
    let mut checked = Vec::new();
    // Standard input is read once, whole: its headings come from what was read.
    let tables: Vec<(csvio::Input, Option<Vec<String>>)> = if path == Path::new("-") {
        let (table, headings) = csvio::stdin_table(&ctx.input)?;
        if let Some(n) = &table.note {
            ctx.note(n);
        }
        vec![(table, Some(headings))]
    } else {
        let tables = csvio::open_tables(path, &ctx.input)?;
        for n in tables.iter().filter_map(|t| t.note.as_ref()) {
            ctx.note(n);
        }
        tables.into_iter().map(|t| (t, None)).collect()
    };
    for (table, read_headings) in tables {
        let headings = match (&table.sheet, read_headings) {
            (Some((_, headings)), _) => headings.clone(),
            (None, Some(headings)) => headings,
            (None, None) => csvio::headings(path, &ctx.input)?,
        };
        if headings.iter().all(|h| h.trim().is_empty()) {
            checked.push(Checked {
                problems: vec![Problem::error(
                    &table.name,
                    None,
                    None,
                    "the file is empty: it has no header row (not saved whole, or the wrong file?)",
                )],
                name: table.name,
                kind: None,
                rows: 0,
            });
            continue;
        }
        let kind = match kind {
            Some(kind) => kind,
            None => match fit::best(&headings, &ctx.settings) {
                Ok(f) => {
                    ctx.note(format!("{}: read as {}", table.name, f.reason()));
                    Kind::of(f.kind)
                }
                Err(why) => {
                    checked.push(Checked {
                        problems: vec![Problem::error(&table.name, Some(1), None, why)],
                        name: table.name,
                        kind: None,
                        rows: 0,
                    });
                    continue;
                }
            },
        };
        let name = table.name.clone();
        let mut table = table;
        if kind != Kind::Cases {
            table.skip_titles();
        }
        // (An extract's go through its reading, with its rows' problems.)
        let stray = if kind == Kind::Cases {
            Vec::new()
        } else {
            std::mem::take(&mut table.warnings)
        };
        let mut found = match kind {
            Kind::Cases => check_cases(ctx, table, seen)?,
            Kind::Auditors => {
                let (problems, rows) =
                    match auditors::read(&name, table.reader, &ctx.settings.auditors.columns) {
                        Ok((list, warnings)) => {
                            let rows = list.len() as u64;
                            seen.auditors.push((name.clone(), list));
                            (warnings, rows)
                        }
                        Err(problems) => (problems, 0),
                    };
                Checked {
                    name,
                    kind: Some(kind),
                    problems,
                    rows,
                }
            }
            Kind::History => {
                let (problems, rows) = match history::read(&name, table.reader, &ctx.settings.history.columns)
                {
                    Ok(entries) => (Vec::new(), entries.len() as u64),
                    Err(problems) => (problems, 0),
                };
                Checked {
                    name,
                    kind: Some(kind),
                    problems,
                    rows,
                }
            }
            Kind::Allocation => {
                let (problems, rows) = check_allocation(ctx, &name, table.reader, with);
                Checked {
                    name,
                    kind: Some(kind),
                    problems,
                    rows,
                }
            }
            Kind::Audits if path == Path::new("-") => {
                bail!(
                    "completed audits are checked from files (with the moderation results they go with), not from standard input"
                )
            }
            Kind::Audits => {
                let (problems, rows) = check_audits(ctx, path, &name)?;
                Checked {
                    name,
                    kind: Some(kind),
                    problems,
                    rows,
                }
            }
            Kind::Moderation => {
                let (problems, rows) = check_moderation(ctx, table.reader, &name, &with.audits)?;
                Checked {
                    name,
                    kind: Some(kind),
                    problems,
                    rows,
                }
            }
            Kind::Config => unreachable!("settings files are checked above"),
        };
        found.problems.splice(0..0, stray);
        // A table with errors is read no further by its layout: its rows are
        // counted from a plain reading of it.
        if kind != Kind::Cases && found.problems.iter().any(|p| !p.warning) {
            found.rows = data_rows(ctx, path, &found.name);
        }
        checked.push(found);
    }
    Ok(checked)
}

fn check_cases(ctx: &Context, input: csvio::Input, seen: &mut Seen) -> Result<Checked> {
    let name = input.name.clone();
    // A file that stops with errors is still counted, from a plain reading of it.
    let source = input.reopens().then(|| input.source.clone());
    let done = |problems, rows| Checked {
        name: name.clone(),
        kind: Some(Kind::Cases),
        problems,
        rows,
    };
    let prepare = |schema: &Schema| {
        Ok(Rows(
            frame_problems(ctx, &name, schema),
            frame_fields(ctx, schema),
        ))
    };
    let mut folded = match extract::fold(
        vec![input],
        &ctx.settings,
        ctx.as_of,
        false,
        &mut |n| ctx.note(n),
        prepare,
    ) {
        Ok(folded) => folded,
        Err(e) => match e.downcast::<Problems>() {
            Ok(Problems(problems)) => {
                let rows = source.map_or(0, |path| data_rows(ctx, &path, &name));
                return Ok(done(problems, rows));
            }
            Err(e) => return Err(e),
        },
    };
    let rows = folded.files.iter().map(|f| f.rows).sum();
    seen.extracts += 1;
    seen.teams.append(&mut folded.part);
    let mut problems = std::mem::take(&mut folded.fold.0);
    problems.append(&mut folded.problems);
    Ok(done(problems, rows))
}

/// The data rows of the table `name` of a file (records below its header),
/// however bad they are: 0 for standard input, which cannot be read again.
fn data_rows(ctx: &Context, path: &Path, name: &str) -> u64 {
    if path == Path::new("-") {
        return 0;
    }
    let Ok(tables) = csvio::open_tables(path, &ctx.input) else {
        return 0;
    };
    let Some(mut table) = tables.into_iter().find(|t| t.name == name) else {
        return 0;
    };
    table.skip_titles();
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    while matches!(table.reader.read_byte_record(&mut record), Ok(true)) {
        rows += 1;
    }
    rows.saturating_sub(1)
}

/// The fields a sample reads from an extract: its frames' filters and strata, and
/// the columns the sample writes.
fn frame_fields(ctx: &Context, schema: &Schema) -> Vec<usize> {
    let mut fields = schema.std_fields(crate::sample::draw::OUTPUT_FIELDS);
    for frame in &ctx.settings.sampling.frames {
        if let Ok(filter) = Filter::compile(frame.filter.get_ref(), schema, ctx.as_of) {
            fields.extend(filter.fields());
        }
        if let Some((id, _)) = frame
            .stratify
            .as_deref()
            .and_then(|s| crate::filter::FieldNames::resolve(schema, s))
        {
            fields.push(id);
        }
    }
    fields
}

/// An allocation: its layout's checks, then the rules of independence on every
/// row: as the allocation itself tells them (the auditor's team and name beside
/// the case's team and worker), and as the auditors lists (teams managed) and
/// histories (earlier auditors) given in the same command tell them.
fn check_allocation(
    ctx: &Context,
    name: &str,
    reader: csv::Reader<Box<dyn std::io::Read>>,
    with: &With,
) -> (Vec<Problem>, u64) {
    match crate::layouts::allocation::read(name, reader) {
        Err(problems) => (problems, 0),
        Ok((month, rows)) => {
            let mut list = Vec::new();
            for path in &with.auditors {
                let read = ctx.table(path).ok().and_then(|input| {
                    auditors::read(&input.name, input.reader, &ctx.settings.auditors.columns).ok()
                });
                match read {
                    Some((auditors, _)) => list.extend(auditors),
                    None => ctx.note(format!(
                        "{name}: not checked against {} (it has errors)",
                        csvio::display_name(path)
                    )),
                }
            }
            let mut entries = Vec::new();
            for path in &with.history {
                let read = ctx.table(path).ok().and_then(|input| {
                    history::read(&input.name, input.reader, &ctx.settings.history.columns).ok()
                });
                match read {
                    Some(history) => entries.extend(history),
                    None => ctx.note(format!(
                        "{name}: not checked against {} (it has errors)",
                        csvio::display_name(path)
                    )),
                }
            }
            if with.auditors.is_empty() {
                ctx.note(format!(
                    "{name}: teams the auditors manage not checked (give the auditors list in the same command to check them)"
                ));
            }
            if with.history.is_empty() {
                ctx.note(format!(
                    "{name}: earlier auditors of each case not checked (give the history in the same command to check them)"
                ));
            }
            let listed = (!with.auditors.is_empty()).then_some(list.as_slice());
            let problems = crate::allocate::rules::breaches(month, &rows, listed, &entries)
                .iter()
                .map(|b| {
                    let row = &rows[b.row];
                    Problem::error(name, Some(row.line), Some("auditor_id"), b.describe(row))
                })
                .collect();
            (problems, rows.len() as u64)
        }
    }
}

/// The configured frames checked against an extract's headings.
fn frame_problems(ctx: &Context, name: &str, schema: &Schema) -> Vec<Problem> {
    let mut problems = Vec::new();
    for frame in &ctx.settings.sampling.frames {
        match Filter::compile(frame.filter.get_ref(), schema, ctx.as_of) {
            Err(e) => problems.push(Problem::error(
                name,
                Some(1),
                None,
                format!("sampling frame \"{}\": {e}", frame.name),
            )),
            Ok(filter) => {
                let absent = schema.absent_fields(&filter.fields());
                if !absent.is_empty() {
                    problems.push(Problem::warning(
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
    problems
}

/// Validation keeps no rows: only the problems of the frames, the rows' own,
/// and the teams of the cases (for the auditors lists).
struct Rows(Vec<Problem>, Vec<usize>);

impl Fold for Rows {
    type Part = BTreeSet<String>;
    const IN_ORDER: bool = false;

    fn part(&self) -> Self::Part {
        BTreeSet::new()
    }

    fn take(&self, teams: &mut Self::Part, case: Case<'_>) {
        if let Some(team) = case.get(Std::Team).filter(|t| !t.is_empty())
            && !teams.contains(team)
        {
            teams.insert(team.to_string());
        }
    }

    fn merge(&self, into: &mut Self::Part, mut part: Self::Part) {
        into.append(&mut part);
    }

    fn fields(&self, _: &Schema) -> Vec<usize> {
        self.1.clone()
    }
}

/// Tells a file's kind from its headings (see [`fit::best`]), or says in one line
/// why it cannot.
fn detect(ctx: &Context, headings: &[String]) -> Result<Kind, String> {
    fit::best(headings, &ctx.settings).map(|f| Kind::of(f.kind))
}

/// Checks completed audits, and that `[moderation] always` makes sense against their columns.
fn check_audits(ctx: &Context, path: &Path, name: &str) -> Result<(Vec<Problem>, u64)> {
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

/// Checks moderation results: against the audits files given in the same command
/// when there are any (every audit id must be one of theirs), else on their own.
fn check_moderation(
    ctx: &Context,
    reader: csv::Reader<Box<dyn std::io::Read>>,
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
        match moderation::read(name, reader, &against, &scale, &ctx.settings.moderation.columns) {
            Ok((list, warnings)) => (warnings, list.len() as u64),
            Err(problems) => (problems, 0),
        },
    )
}
