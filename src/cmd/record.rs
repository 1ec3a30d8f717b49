//! `record`: append a month's allocation to the audit history, under an exclusive
//! lock and via temp file + rename, refusing a month already recorded.

use super::Context;
use crate::csvio;
use crate::dates::Month;
use crate::layouts::allocation;
use crate::layouts::history::{self, HEADER};
use crate::output::write_file_atomic;
use crate::problem::Problems;
use anyhow::{Context as _, Result, bail};
use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Append a month's allocation to the audit history (the ledger).
///
/// Reads an allocation written by `allocate` (columns month, case_id, team,
/// auditor_id, frame) and appends one history row per allocated case. The history
/// is created with its header if absent. A month already in the history is
/// refused unless --replace, which swaps that month's rows for the new ones. The
/// history is changed under an exclusive lock (HISTORY.lock) and replaced
/// atomically, so two runs at once lose nothing and a crash leaves it intact.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit record allocation.csv --history history.csv
  caseaudit record allocation.csv --history history.csv --replace")]
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
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    let new_rows = read_allocation(ctx, &args.allocation)?;
    let months: BTreeSet<Month> = new_rows.iter().map(|r| r.month).collect();
    if new_rows.is_empty() {
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
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for e in &entries {
        w.write_record([
            e.month.to_string().as_str(),
            &e.case_id,
            &e.team,
            &e.auditor_id,
            &e.frame,
        ])?;
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

/// The allocation's rows as history entries: the allocation layout's own reader
/// checks them (one month, each case once, every case with an auditor).
fn read_allocation(ctx: &Context, path: &Path) -> Result<Vec<history::Entry>> {
    let csvio::Input { name, reader, .. } = ctx.table(path)?;
    let (month, rows) = allocation::read(&name, reader).map_err(Problems)?;
    crate::privacy::refuse_pseudonyms(&name, rows.iter().map(|r| r.case_id.as_str()))?;
    Ok(rows
        .into_iter()
        .map(|r| history::Entry {
            month,
            case_id: r.case_id,
            team: r.team,
            auditor_id: r.auditor_id,
            frame: r.frame,
            line: r.line,
        })
        .collect())
}
