//! `record`: append a month's allocation to the audit history, under an exclusive
//! lock and via temp file + rename, refusing a month already recorded.

use super::Context;
use crate::allocate::rules;
use crate::csvio;
use crate::dates::{Month, format_date};
use crate::layouts::allocation::{self, Allocated};
use crate::layouts::auditors;
use crate::layouts::history::{self, HEADER};
use crate::output::write_file_atomic;
use crate::problem::Problem;
use crate::problem::Problems;
use anyhow::{Context as _, Result, bail};
use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Append a month's allocation to the audit history (the ledger).
///
/// Reads an allocation written by `allocate` (columns month, case_id, team,
/// auditor_id, frame) and appends one history row per allocated case. The history
/// is created with its header if absent. Every row is checked against the rules
/// `allocate` keeps (the auditor is not in the case's team, does not manage it,
/// is not its worker, and has not audited it before; with --auditors, as the
/// auditors list says too): a row that breaks one is refused, naming its line and
/// the rule, unless --override gives the reason, which the history keeps. A month
/// already in the history is refused unless --replace, which swaps that month's
/// rows for the new ones: a row the new allocation changes or drops stays in the
/// history marked with the day (replaced_on, from --as-of), and every command that
/// reads the history passes over it. The same rows again are "already recorded". The history
/// is changed under an exclusive lock (HISTORY.lock) and replaced atomically, so
/// two runs at once lose nothing and a crash leaves it intact.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit record allocation.csv --history history.csv --auditors auditors.csv
  caseaudit record allocation.csv --history history.csv --replace
  caseaudit record allocation.csv --history history.csv --override \"agreed by the service manager: no one else free\"")]
pub(crate) struct Args {
    /// The allocation to record
    #[arg(value_name = "ALLOCATION")]
    allocation: PathBuf,
    /// The history file to append to (created if absent). Default: [history] path
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Replace the rows of a month that is already recorded (a corrected
    /// allocation); the replaced rows stay in the history, marked replaced_on
    #[arg(long)]
    replace: bool,
    /// The auditors list, to check the allocation against what it says of each
    /// auditor's team and the teams they manage. Default: [auditors] path
    #[arg(long, value_name = "FILE")]
    auditors: Option<PathBuf>,
    /// Record rows that break a rule anyway, for this reason (kept in the history)
    #[arg(long = "override", value_name = "REASON")]
    override_reason: Option<String>,
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    let (name, month, allocated) = read_allocation(ctx, &args.allocation)?;
    if allocated.is_empty() {
        bail!("{} has no rows to record", args.allocation.display());
    }
    let ledger = ctx.history_path(args.history.as_deref()).ok_or_else(|| {
        crate::exit::usage("give the history to record in: --history FILE, or [history] path in the settings")
    })?;
    let lock = lock_history(&ledger)?;
    let mut entries = if ledger.exists() {
        let input = ctx.table(&ledger)?;
        history::read_ledger(&input.name, input.reader, &ctx.settings.history.columns).map_err(Problems)?
    } else {
        Vec::new()
    };
    // Replaced rows are kept as a record but were never audits: the rules and the
    // months recorded go by the current rows.
    let current: Vec<history::Entry> = entries
        .iter()
        .filter(|e| e.replaced_on.is_none())
        .cloned()
        .collect();
    let new_rows = checked_rows(ctx, args, (&name, month, &allocated), &current)?;
    let months: BTreeSet<Month> = new_rows.iter().map(|r| r.month).collect();
    let recorded: BTreeSet<Month> = current
        .iter()
        .map(|e| e.month)
        .filter(|m| months.contains(m))
        .collect();
    let list: Vec<String> = months.iter().map(Month::to_string).collect();
    let unchanged = || {
        ctx.note(format!(
            "{} already recorded in {}, row for row: nothing to change",
            list.join(", "),
            ledger.display()
        ));
    };
    if !recorded.is_empty() && !args.replace && same_rows(&current, &new_rows, &months) {
        unchanged();
        return Ok(());
    }
    if !recorded.is_empty() && !args.replace {
        bail!(
            "{} already holds {}; nothing was changed (use --replace to swap that month's rows for these)",
            ledger.display(),
            list.join(", ")
        );
    }
    // A row the new allocation repeats stays as it is; every other current row of
    // the month is marked replaced today, so the ledger shows what changed and when.
    let mut fresh = new_rows;
    let mut replaced = 0;
    for e in entries
        .iter_mut()
        .filter(|e| e.replaced_on.is_none() && months.contains(&e.month))
    {
        match fresh.iter().position(|n| key(n) == key(e) && n.note == e.note) {
            Some(i) => {
                fresh.remove(i);
            }
            None => {
                e.replaced_on = Some(ctx.as_of);
                replaced += 1;
            }
        }
    }
    if replaced == 0 && fresh.is_empty() {
        unchanged();
        return Ok(());
    }
    entries.extend(fresh);
    write_ledger(&ledger, &entries)?;
    drop(lock);
    let held = (entries.iter())
        .filter(|e| e.replaced_on.is_none() && months.contains(&e.month))
        .count();
    ctx.note(format!(
        "recorded {} for {} in {}{}",
        crate::values::count(held, "audit"),
        list.join(", "),
        ledger.display(),
        if replaced > 0 {
            format!(
                " (replacing {replaced}: they stay in the history, marked replaced_on {})",
                format_date(ctx.as_of)
            )
        } else {
            String::new()
        }
    ));
    Ok(())
}

/// Writes the whole ledger atomically. The note and replaced_on columns appear
/// only once a row has one: most histories never need them.
fn write_ledger(path: &Path, entries: &[history::Entry]) -> Result<()> {
    let notes = entries.iter().any(|e| !e.note.is_empty());
    let replaced = entries.iter().any(|e| e.replaced_on.is_some());
    let wanted = |i: usize| i < HEADER.len() || (i == 5 && notes) || (i == 6 && replaced);
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: Vec<&str> = (0..history::FIELDS.len())
        .filter(|&i| wanted(i))
        .map(|i| history::FIELDS[i])
        .collect();
    w.write_record(&header)?;
    for e in entries {
        let (month, day) = (
            e.month.to_string(),
            e.replaced_on.map(format_date).unwrap_or_default(),
        );
        let row = [
            month.as_str(),
            &e.case_id,
            &e.team,
            &e.auditor_id,
            &e.frame,
            &e.note,
            &day,
        ];
        w.write_record((0..row.len()).filter(|&i| wanted(i)).map(|i| row[i]))?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::Error::new(e.into_error()))?;
    write_file_atomic(path, &bytes, true)
}

/// What makes two ledger rows the same audit.
fn key(e: &history::Entry) -> (Month, String, String, String, String) {
    (
        e.month,
        e.case_id.clone(),
        e.team.clone(),
        e.auditor_id.clone(),
        e.frame.clone(),
    )
}

/// Whether the history's rows for `months` are exactly `new_rows` (in any order).
fn same_rows(entries: &[history::Entry], new_rows: &[history::Entry], months: &BTreeSet<Month>) -> bool {
    let mut held: Vec<_> = entries
        .iter()
        .filter(|e| months.contains(&e.month))
        .map(key)
        .collect();
    let mut new: Vec<_> = new_rows.iter().map(key).collect();
    held.sort();
    new.sort();
    held == new
}

/// Holds an exclusive lock on HISTORY.lock until dropped. The lock is on a
/// separate file because the history itself is replaced by rename.
fn lock_history(history: &Path) -> Result<File> {
    let lock_path = PathBuf::from(format!("{}.lock", history.display()));
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&lock_path)
        .with_context(|| format!("cannot create the lock file {}", lock_path.display()))?;
    file.lock()
        .with_context(|| format!("cannot lock {}", lock_path.display()))?;
    Ok(file)
}

/// The allocation's rows, checked by the allocation layout's own reader (one
/// month, each case once, every case with an auditor): its name, month and rows.
fn read_allocation(ctx: &Context, path: &Path) -> Result<(String, Month, Vec<Allocated>)> {
    let csvio::Input { name, reader, .. } = ctx.table(path)?;
    let (month, rows) = allocation::read(&name, reader).map_err(Problems)?;
    crate::privacy::refuse_pseudonyms(&name, rows.iter().map(|r| r.case_id.as_str()))?;
    Ok((name, month, rows))
}

/// The allocation's rows as history entries, once checked against the rules: a
/// row that breaks one stops the recording (every such row named) unless
/// `--override` gives the reason, which each such row's history entry keeps.
fn checked_rows(
    ctx: &Context,
    args: &Args,
    (name, month, rows): (&str, Month, &[Allocated]),
    history: &[history::Entry],
) -> Result<Vec<history::Entry>> {
    let auditors = match ctx.auditors_path(args.auditors.as_deref()) {
        Some(path) => {
            let input = ctx.table(&path)?;
            let (list, warnings) = auditors::read(&input.name, input.reader, &ctx.settings.auditors.columns)
                .map_err(Problems)?;
            ctx.warn(&warnings);
            Some(list)
        }
        None => {
            ctx.note(
                "no auditors list (--auditors FILE, or [auditors] path in the settings): whether a case is in a team its auditor manages is not checked",
            );
            None
        }
    };
    let breaches = rules::breaches(month, rows, auditors.as_deref(), history);
    let mut notes = vec![String::new(); rows.len()];
    match &args.override_reason {
        None if !breaches.is_empty() => {
            let problems = breaches
                .iter()
                .map(|b| {
                    let row = &rows[b.row];
                    Problem::error(
                        name,
                        Some(row.line),
                        Some("auditor_id"),
                        format!(
                            "{}; nothing was recorded (correct the row, or record it anyway with --override \"reason\")",
                            b.describe(row)
                        ),
                    )
                })
                .collect();
            return Err(Problems(problems).into());
        }
        None => {}
        Some(reason) => {
            for b in &breaches {
                ctx.note(format!(
                    "{}:{}: recorded despite the rule, as --override says: {}",
                    name,
                    rows[b.row].line,
                    b.describe(&rows[b.row])
                ));
                notes[b.row] = format!("override: {reason}");
            }
        }
    }
    Ok(rows
        .iter()
        .zip(notes)
        .map(|(r, note)| history::Entry {
            month,
            case_id: r.case_id.clone(),
            team: r.team.clone(),
            auditor_id: r.auditor_id.clone(),
            frame: r.frame.clone(),
            note,
            replaced_on: None,
            line: r.line,
        })
        .collect())
}
