//! `record`: append a month's allocation to the audit history, under an exclusive
//! lock and via temp file + rename, refusing a month already recorded.

use super::Context;
use crate::allocate::rules;
use crate::csvio;
use crate::dates::Month;
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
/// rows for the new ones; the same rows again are "already recorded". The history
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
    /// Replace the rows of a month that is already recorded
    #[arg(long)]
    replace: bool,
    /// The auditors list, to check the allocation against what it says of each
    /// auditor's team and the teams they manage
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
        history::read(&input.name, input.reader, &ctx.settings.history.columns).map_err(Problems)?
    } else {
        Vec::new()
    };
    let new_rows = checked_rows(ctx, args, (&name, month, &allocated), &entries)?;
    let months: BTreeSet<Month> = new_rows.iter().map(|r| r.month).collect();
    let recorded: BTreeSet<Month> = entries
        .iter()
        .map(|e| e.month)
        .filter(|m| months.contains(m))
        .collect();
    if !recorded.is_empty() && !args.replace && same_rows(&entries, &new_rows, &months) {
        let list: Vec<String> = months.iter().map(Month::to_string).collect();
        ctx.note(format!(
            "{} already recorded in {}, row for row: nothing to change",
            list.join(", "),
            ledger.display()
        ));
        return Ok(());
    }
    if !recorded.is_empty() && !args.replace {
        let list: Vec<String> = recorded.iter().map(Month::to_string).collect();
        bail!(
            "{} already holds {}; nothing was changed (use --replace to swap that month's rows for these)",
            ledger.display(),
            list.join(", ")
        );
    }
    let replaced = entries.iter().filter(|e| months.contains(&e.month)).count();
    entries.retain(|e| !months.contains(&e.month));
    entries.extend(new_rows);
    // The note column only once a row has a note: most histories never need it.
    let notes = entries.iter().any(|e| !e.note.is_empty());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(if notes { &history::FIELDS[..] } else { &HEADER[..] })?;
    for e in &entries {
        let month = e.month.to_string();
        let row = [
            month.as_str(),
            &e.case_id,
            &e.team,
            &e.auditor_id,
            &e.frame,
            &e.note,
        ];
        w.write_record(if notes { &row[..] } else { &row[..5] })?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::Error::new(e.into_error()))?;
    write_file_atomic(&ledger, &bytes, true)?;
    drop(lock);
    let added = entries.iter().filter(|e| months.contains(&e.month)).count();
    let list: Vec<String> = months.iter().map(Month::to_string).collect();
    ctx.note(format!(
        "recorded {added} audits for {} in {}{}",
        list.join(", "),
        ledger.display(),
        if replaced > 0 {
            format!(" (replacing {replaced})")
        } else {
            String::new()
        }
    ));
    Ok(())
}

/// Whether the history's rows for `months` are exactly `new_rows` (in any order).
fn same_rows(entries: &[history::Entry], new_rows: &[history::Entry], months: &BTreeSet<Month>) -> bool {
    let key = |e: &history::Entry| {
        (
            e.month,
            e.case_id.clone(),
            e.team.clone(),
            e.auditor_id.clone(),
            e.frame.clone(),
        )
    };
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
    let auditors = match &args.auditors {
        Some(path) => {
            let input = ctx.table(path)?;
            let (list, warnings) = auditors::read(&input.name, input.reader, &ctx.settings.auditors.columns)
                .map_err(Problems)?;
            ctx.warn(&warnings);
            Some(list)
        }
        None => None,
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
            line: r.line,
        })
        .collect())
}
