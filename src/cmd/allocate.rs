//! `allocate`: give each sampled case to an auditor outside its team, as evenly
//! as possible, or explain why no complete allocation exists.

use super::Context;
use crate::allocate::{self, AuditorInfo, CaseInfo, Instance};
use crate::csvio::{self};
use crate::dates::Month;
use crate::layouts::{self, auditors, history};
use crate::output;
use crate::problem::Problems;
use crate::render::{Cell, RowWriter, render};
use crate::values::counted;
use anyhow::{Result, bail};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Allocate sampled cases to auditors outside their own team, optimally.
///
/// Reads a sample (as written by `sample`), the auditors list and, with
/// --history, the audit ledger. Hard rules: every case gets one active auditor who
/// is not in the case's team, does not manage it, is not its worker, has not
/// audited the case before, and stays within capacity. Among allocations that keep
/// them, it finds the most even (smallest largest load, then the next …), then the
/// one with fewest auditors revisiting a team they audited within `rotate_months`,
/// then a seeded tie-break. Writes one row per case; the per-auditor loads and the
/// proof that the largest load cannot be smaller go to stderr (or --summary).
/// When no complete allocation exists it writes nothing, exits 1, and says which
/// cases cannot be covered, by whom, and by how much.
///
/// Mid-month, --keep ALLOCATION with --unavailable AUDITOR,… reallocates only the
/// cases of auditors who cannot audit them (off sick, say): every other row is kept
/// as it was, and the moving cases go where the month's total loads are most even
/// given the kept ones. --defer CASE,… drops cases that cannot be audited this month
/// (next month's sample is drawn afresh). The moves go to stderr, one line each.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit allocate sample.csv --auditors auditors.csv --history history.csv -o allocation.csv
  caseaudit record allocation.csv --history history.csv
  caseaudit allocate sample.csv --auditors auditors.csv --keep allocation.csv --unavailable A0009 -o allocation-2.csv
  caseaudit record allocation-2.csv --history history.csv --replace")]
pub(crate) struct Args {
    /// The sample to allocate (columns case_id, team; also month, worker, frame)
    #[arg(value_name = "SAMPLE")]
    sample: PathBuf,
    /// The auditors list. Default: [auditors] path
    #[arg(long, value_name = "FILE")]
    auditors: Option<PathBuf>,
    /// The audit history (no repeat audits of a case; rotation across teams).
    /// Default: [history] path
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Seed of the tie-break among equally good allocations. Default: the month as YYYYMM
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Write the per-auditor summary to this file (CSV) instead of stderr
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Keep this month's allocation but for the cases of --unavailable auditors and --defer cases
    #[arg(long, value_name = "ALLOCATION")]
    keep: Option<PathBuf>,
    /// Auditors who cannot audit this month's cases after all: theirs move (with --keep)
    #[arg(long, value_name = "AUDITOR", value_delimiter = ',', requires = "keep")]
    unavailable: Vec<String>,
    /// Cases that cannot be audited this month: left out, back to the pool (with --keep)
    #[arg(long, value_name = "CASE", value_delimiter = ',', requires = "keep")]
    defer: Vec<String>,
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    if let Some(path) = &args.summary {
        super::refuse_an_input(path)?;
        output::check_target(path, ctx.force)?;
    }
    let table = ctx.table(&args.sample)?;
    let sampled = layouts::sample::read(&table.name, table.reader)?;
    crate::privacy::refuse_pseudonyms(
        &csvio::display_name(&args.sample),
        sampled.iter().map(|c| c.case_id.as_str()),
    )?;
    if sampled.is_empty() {
        bail!("{} has no cases to allocate", args.sample.display());
    }
    let month = sampled
        .iter()
        .find_map(|c| c.month)
        .unwrap_or_else(|| Month::of(ctx.as_of));
    let auditors_path = ctx.auditors_path(args.auditors.as_deref()).ok_or_else(|| {
        crate::exit::usage(
            "the auditors list is needed: give --auditors FILE, or name it once in the settings as [auditors] path",
        )
    })?;
    let input = ctx.table(&auditors_path)?;
    let (list, warnings) =
        auditors::read(&input.name, input.reader, &ctx.settings.auditors.columns).map_err(Problems)?;
    ctx.warn(&warnings);
    let history = ctx.history_to_read(
        args.history.as_deref(),
        "no auditor is kept from a case they audited before, nor rotated across teams",
    );
    let entries = match &history {
        Some(path) => {
            let input = ctx.table(path)?;
            let mut entries =
                history::read(&input.name, input.reader, &ctx.settings.history.columns).map_err(Problems)?;
            // The month's own recording must not change its allocation (a re-run
            // after `record`): only the months before it count.
            let before = entries.len();
            entries.retain(|e| e.month < month);
            if entries.len() < before {
                ctx.note(format!(
                    "{} already holds {} of {month} or later (recorded since?): the allocation uses only the history before {month}, as when first made",
                    input.name,
                    crate::values::count(before - entries.len(), "row")
                ));
            }
            entries
        }
        None => Vec::new(),
    };
    // A history naming auditors the list does not have is worth knowing about (a
    // typo, or someone who has left); it does not stop the allocation.
    let known: HashSet<&str> = list.iter().map(|a| a.id.as_str()).collect();
    let history_name = history.as_deref().map(csvio::display_name).unwrap_or_default();
    let unknown: Vec<crate::problem::Problem> = entries
        .iter()
        .filter(|e| !known.contains(e.auditor_id.as_str()))
        .map(|e| {
            crate::problem::Problem::warning(
                &history_name,
                Some(e.line),
                Some("auditor_id"),
                format!(
                    "auditor \"{}\" is not in the auditors list (left, or a typo?)",
                    e.auditor_id
                ),
            )
        })
        .collect();
    ctx.warn(&unknown);
    // Team names are compared exactly: one that nearly matches a team of the
    // cases or the history is most likely that team, mistyped.
    let teams: Vec<String> = sampled
        .iter()
        .map(|c| c.team.clone())
        .chain(entries.iter().map(|e| e.team.clone()))
        .filter(|t| !t.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let misses: Vec<crate::problem::Problem> = crate::allocate::rules::team_misses(&list, &teams)
        .into_iter()
        .map(|m| {
            let a = &list[m.auditor];
            crate::problem::Problem::warning(
                &input.name,
                Some(a.line),
                Some(m.field),
                format!(
                    "auditor \"{}\": \"{}\" is no team of the sample or the history; did you mean \"{}\"? (team names are compared exactly, so the rules do not see them as one)",
                    a.id,
                    m.written,
                    m.nearest.unwrap_or_default()
                ),
            )
        })
        .collect();
    ctx.warn(&misses);
    let mut previous: HashMap<&str, Vec<String>> = HashMap::new();
    let mut recent: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let rotate = i64::from(ctx.settings.allocation.rotate_months);
    for e in &entries {
        previous
            .entry(e.case_id.as_str())
            .or_default()
            .push(e.auditor_id.clone());
        if (0..=rotate).contains(&month.months_since(e.month)) && !e.team.is_empty() {
            recent
                .entry(e.auditor_id.as_str())
                .or_default()
                .insert(e.team.clone());
        }
    }
    let problem = Instance {
        cases: sampled
            .iter()
            .map(|c| CaseInfo {
                case_id: c.case_id.clone(),
                team: c.team.clone(),
                worker: (!c.worker.is_empty()).then(|| c.worker.clone()),
                previous_auditors: previous.get(c.case_id.as_str()).cloned().unwrap_or_default(),
            })
            .collect(),
        auditors: list
            .iter()
            .map(|a| AuditorInfo {
                id: a.id.clone(),
                name: a.name.clone(),
                team: a.team.clone(),
                active: a.active,
                manages: a.manages.clone(),
                capacity: a.capacity.unwrap_or(ctx.settings.allocation.default_capacity),
                recent_teams: recent
                    .get(a.id.as_str())
                    .map(|t| t.iter().cloned().collect())
                    .unwrap_or_default(),
                base: 0,
            })
            .collect(),
        seed: args
            .seed
            .unwrap_or_else(|| u64::from(month.year.unsigned_abs()) * 100 + u64::from(month.month)),
    };
    if let Some(path) = &args.keep {
        return reallocate(ctx, args, path, month, &sampled, problem);
    }
    let solution = match allocate::solve(&problem) {
        Ok(s) => s,
        Err(infeasible) => {
            say!(
                "error: no complete allocation of the {} sampled cases exists (short by {}):",
                problem.cases.len(),
                infeasible.short_by()
            );
            for line in infeasible.explain(&problem).lines() {
                say!("  {line}");
            }
            return Err(crate::exit::AlreadyReported.into());
        }
    };
    let mut out = ctx.open_output()?;
    let mut w = allocation_writer(ctx, &mut out)?;
    for (case, &a) in sampled.iter().zip(&solution.auditor_of) {
        w.write(new_row(month, case, &problem.auditors[a]))?;
    }
    w.finish()?;
    let assigned: Vec<(usize, &str)> = (solution.auditor_of.iter().copied())
        .zip(sampled.iter().map(|c| c.team.as_str()))
        .collect();
    let headline = format!(
        "allocated {} to {}:",
        counted(sampled.len() as u64, "case", "cases"),
        counted(
            solution.loads.iter().filter(|l| **l > 0).count() as u64,
            "auditor",
            "auditors"
        )
    );
    write_summary(
        ctx,
        args.summary.as_deref(),
        &problem,
        &solution,
        &assigned,
        &headline,
    )?;
    out.commit()
}

fn allocation_writer<'w>(ctx: &Context, out: &'w mut dyn Write) -> Result<RowWriter<'w>> {
    RowWriter::new(
        ctx.format,
        layouts::allocation::COLUMNS
            .iter()
            .map(|c| (*c).to_string())
            .collect(),
        out,
        ctx.render.clone(),
    )
}

/// A row of the allocation: the sampled case and its auditor.
fn new_row(month: Month, case: &layouts::sample::SampledCase, auditor: &AuditorInfo) -> Vec<Cell> {
    let given = [auditor.id.as_str(), &auditor.name, &auditor.team];
    kept_row(month, &layouts::allocation::Allocated::of(case, given))
}

/// `--keep`: the kept allocation's rows stay as they were, but for the cases of
/// unavailable auditors, which are allocated afresh given the kept loads, and the
/// deferred cases, which are left out.
fn reallocate(
    ctx: &Context,
    args: &Args,
    path: &Path,
    month: Month,
    sampled: &[layouts::sample::SampledCase],
    mut problem: Instance,
) -> Result<()> {
    let input = ctx.table(path)?;
    let kept_name = input.name;
    let (kept_month, rows) = layouts::allocation::read(&kept_name, input.reader).map_err(Problems)?;
    if kept_month != month {
        bail!(
            "{kept_name} is the allocation of {kept_month}, but {} is the sample of {month}: keep the allocation made from this sample",
            args.sample.display()
        );
    }
    let sample_name = csvio::display_name(&args.sample);
    let index: HashMap<&str, usize> = (sampled.iter().enumerate())
        .map(|(i, c)| (c.case_id.as_str(), i))
        .collect();
    if let Some(row) = rows.iter().find(|r| !index.contains_key(r.case_id.as_str())) {
        bail!(
            "{kept_name}:{}: case \"{}\" is not in {sample_name}: keep the allocation made from this sample",
            row.line,
            row.case_id
        );
    }
    let auditor_at: HashMap<&str, usize> = (problem.auditors.iter().enumerate())
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let unavailable: BTreeSet<&str> = args.unavailable.iter().map(|s| s.trim()).collect();
    for id in &unavailable {
        if !auditor_at.contains_key(id) && !rows.iter().any(|r| r.auditor_id == *id) {
            return Err(crate::exit::usage(format!(
                "--unavailable: no auditor \"{id}\" in the auditors list or {kept_name}"
            )));
        }
    }
    let deferred: BTreeSet<&str> = args.defer.iter().map(|s| s.trim()).collect();
    for id in &deferred {
        if !rows.iter().any(|r| r.case_id == *id) {
            return Err(crate::exit::usage(format!(
                "--defer: no case \"{id}\" in {kept_name}"
            )));
        }
    }
    let absent = sampled.len() - rows.len();
    if absent > 0 {
        ctx.note(format!(
            "{} of {sample_name} {} not in {kept_name} (deferred before?): {} out",
            crate::values::count(absent, "case"),
            if absent == 1 { "is" } else { "are" },
            if absent == 1 { "it stays" } else { "they stay" }
        ));
    }
    // The cases still to audit this month, in the kept allocation's order, and who keeps each.
    let mut staying = Vec::new();
    let mut holder = Vec::new();
    for row in rows.iter().filter(|r| !deferred.contains(r.case_id.as_str())) {
        let keeper = if unavailable.contains(row.auditor_id.as_str()) {
            None
        } else {
            let Some(&a) = auditor_at.get(row.auditor_id.as_str()) else {
                bail!(
                    "{kept_name}:{}: auditor \"{}\" is not in the auditors list: add them back, or name them in --unavailable",
                    row.line,
                    row.auditor_id
                );
            };
            Some(a)
        };
        staying.push((row, index[row.case_id.as_str()]));
        holder.push(keeper);
    }
    for a in &mut problem.auditors {
        if unavailable.contains(a.id.as_str()) {
            a.active = false;
        }
    }
    let cases = std::mem::take(&mut problem.cases);
    problem.cases = staying.iter().map(|&(_, i)| cases[i].clone()).collect();
    let (moving, moves) = allocate::keep::moving(&problem, &holder);
    let solution = match allocate::solve(&moving) {
        Ok(s) => s,
        Err(infeasible) => {
            let whose = unavailable.iter().copied().collect::<Vec<_>>().join(", ");
            let what = match moving.cases.len() {
                1 => format!("the case of {whose} cannot be reallocated"),
                k => format!("the {k} cases of {whose} cannot all be reallocated"),
            };
            say!("error: {what} (short by {}):", infeasible.short_by());
            for line in infeasible.explain(&moving).lines() {
                say!("  {line}");
            }
            return Err(crate::exit::AlreadyReported.into());
        }
    };
    let mut to = holder.clone();
    for (&c, &a) in moves.iter().zip(&solution.auditor_of) {
        to[c] = Some(a);
    }
    let mut out = ctx.open_output()?;
    let mut w = allocation_writer(ctx, &mut out)?;
    for (((row, i), keeper), a) in staying.iter().zip(&holder).zip(&to) {
        let a = a.expect("every staying case has an auditor");
        if keeper.is_some() {
            w.write(kept_row(month, row))?;
        } else {
            w.write(new_row(month, &sampled[*i], &problem.auditors[a]))?;
        }
    }
    w.finish()?;
    for row in rows.iter().filter(|r| deferred.contains(r.case_id.as_str())) {
        ctx.note(format!(
            "deferred case {} (was {}): left out of the allocation, back in the pool for next month's sample",
            row.case_id, row.auditor_id
        ));
    }
    for (&c, &a) in moves.iter().zip(&solution.auditor_of) {
        let (row, new) = (staying[c].0, &problem.auditors[a]);
        ctx.note(format!(
            "moved case {} ({}) from {} to {}{}",
            row.case_id,
            row.team,
            row.auditor_id,
            new.id,
            if new.name.is_empty() {
                String::new()
            } else {
                format!(" ({})", new.name)
            }
        ));
    }
    let assigned: Vec<(usize, &str)> = (to.iter().flatten().copied())
        .zip(staying.iter().map(|(r, _)| r.team.as_str()))
        .collect();
    // The summary shows each auditor's whole capacity, not what was left beside the kept cases.
    let headline = format!(
        "reallocated {} of {} ({} kept, {} deferred) over {}:",
        moves.len(),
        counted(staying.len() as u64, "case", "cases"),
        staying.len() - moves.len(),
        rows.len() - staying.len(),
        counted(
            solution.loads.iter().filter(|l| **l > 0).count() as u64,
            "auditor",
            "auditors"
        )
    );
    write_summary(
        ctx,
        args.summary.as_deref(),
        &problem,
        &solution,
        &assigned,
        &headline,
    )?;
    out.commit()
}

/// A row of the allocation, in the layout's column order (kept rows as the kept
/// allocation has them).
fn kept_row(month: Month, row: &layouts::allocation::Allocated) -> Vec<Cell> {
    row.row(month).into_iter().map(Cell::text).collect()
}

/// The per-auditor loads (counting kept cases) and the teams of `assigned` (each
/// case's auditor and team), the bound and the rotation repeats.
fn write_summary(
    ctx: &Context,
    path: Option<&Path>,
    problem: &Instance,
    solution: &allocate::Allocation,
    assigned: &[(usize, &str)],
    headline: &str,
) -> Result<()> {
    let mut rows = Vec::new();
    for (ai, a) in problem.auditors.iter().enumerate() {
        let teams: BTreeSet<&str> = (assigned.iter())
            .filter(|(x, _)| *x == ai)
            .map(|&(_, team)| team)
            .collect();
        rows.push(vec![
            Cell::text(&a.id),
            Cell::text(&a.name),
            Cell::text(&a.team),
            Cell::text(if a.active { "yes" } else { "no" }),
            Cell::from(u64::from(a.capacity)),
            Cell::from(u64::from(solution.loads[ai])),
            Cell::text(teams.into_iter().collect::<Vec<_>>().join("; ")),
        ]);
    }
    let columns = [
        "auditor_id",
        "auditor_name",
        "auditor_team",
        "active",
        "capacity",
        "load",
        "teams",
    ];
    let bound = format!(
        "largest load {}; lower bound {}{}",
        solution.largest_load,
        solution.lower_bound,
        solution
            .bound_reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default()
    );
    let placed = solution.auditor_of.len();
    let of = if placed == assigned.len() {
        counted(placed as u64, "case", "cases")
    } else {
        counted(placed as u64, "moved case", "moved cases")
    };
    let rotation = format!(
        "{} of {of} {} to an auditor who audited that team in the last {} months (the fewest possible at this load)",
        solution.rotation_repeats,
        if placed == 1 { "goes" } else { "go" },
        ctx.settings.allocation.rotate_months
    );
    match path {
        Some(path) => {
            let mut buf = Vec::new();
            render(
                crate::output::Format::Csv,
                &columns,
                rows,
                &mut buf,
                ctx.render.clone(),
            )?;
            output::write_file_atomic(path, &buf, ctx.force)?;
            ctx.note(format!(
                "{}; summary in {}",
                headline.trim_end_matches(':'),
                path.display()
            ));
        }
        None if !ctx.quiet => {
            // A message, as every note is: standard error closed (`2>&1 | head`)
            // must not stop the allocation from being written.
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{headline}")
                .map_err(anyhow::Error::from)
                .and_then(|()| {
                    render(
                        crate::output::Format::Table,
                        &columns,
                        rows,
                        &mut err,
                        ctx.render.clone(),
                    )
                });
        }
        None => {}
    }
    ctx.note(bound);
    ctx.note(rotation);
    Ok(())
}
