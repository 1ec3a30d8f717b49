//! `generate`: write a seeded synthetic authority of any size, for trying
//! caseaudit out at scale and for the benchmark.

use super::Context;
use crate::dates::format_date;
use crate::output::{Output, check_target};
use crate::synth::{Authority, Spec, Written};
use anyhow::{Context as _, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Files written, in the order they are generated (the extract comes first: the
/// others refer to its cases).
const FILES: [&str; 6] = [
    "extract.csv",
    "auditors.csv",
    "sample.csv",
    "history.csv",
    "audits.csv",
    "moderation.csv",
];

/// Write a synthetic authority of any size into DIR, from a seed.
///
/// Writes extract.csv (the standard layout plus child_name and dob, about 95
/// bytes a row: a million cases is about 95 MB), auditors.csv, sample.csv (a
/// sample-shaped allocation instance of --sample cases from the extract),
/// history.csv (eighteen months of past audits), audits.csv and moderation.csv
/// (completed audits and about one in ten moderated). The extract is streamed to
/// disk, so any size fits in a few megabytes of memory. The same options, seed
/// and --as-of give the same bytes. Every child, worker and auditor is made up.
/// Use it to try caseaudit at your authority's size, or to benchmark it.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit generate big --cases 1000000 --seed 1 --as-of 2026-11-26
  caseaudit cases big/extract.csv --where \"risk_factors contains neglect\" --count
  caseaudit generate alloc --cases 20000 --auditors 400 --teams 40 --sample 2000
  caseaudit allocate alloc/sample.csv --auditors alloc/auditors.csv --history alloc/history.csv")]
pub(crate) struct Args {
    /// Folder to write into (created if missing; existing files are kept unless --force)
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Case files in the extract
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    cases: u64,
    /// Auditors in auditors.csv
    #[arg(long, value_name = "N", default_value_t = 60, value_parser = clap::value_parser!(u32).range(3..))]
    auditors: u32,
    /// Teams the cases and auditors are spread over
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    teams: u32,
    /// Cases in sample.csv, the allocation instance
    #[arg(long, value_name = "N", default_value_t = 200)]
    sample: u32,
    /// Completed audits in audits.csv (moderation.csv moderates about one in ten)
    #[arg(long, value_name = "N", default_value_t = 1_000)]
    audits: u64,
    /// Seed of the synthetic data
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    let dir = &args.dir;
    if dir.exists() && !dir.is_dir() {
        bail!("{} exists and is not a folder", dir.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // Refuse before writing anything: no half-generated folder.
    for name in FILES {
        check_target(&dir.join(name), ctx.force)?;
    }
    let started = Instant::now();
    let mut authority = Authority::new(Spec {
        cases: args.cases,
        auditors: args.auditors,
        teams: args.teams,
        sample: args.sample,
        audits: args.audits,
        history_months: 18,
        seed: args.seed,
        as_of: ctx.as_of,
    });
    ctx.note(format!(
        "Generating a synthetic authority (seed {}, as of {}) in {}:",
        args.seed,
        format_date(ctx.as_of),
        dir.display()
    ));
    let report = |name: &str, w: Written| {
        ctx.note(format!("  {name:<15} {:>10} rows {:>13} bytes", w.rows, w.bytes));
    };
    let w = write(ctx, dir, FILES[0], |out| authority.write_extract(out))?;
    report(FILES[0], w);
    let w = write(ctx, dir, FILES[1], |out| authority.write_auditors(out))?;
    report(FILES[1], w);
    let w = write(ctx, dir, FILES[2], |out| authority.write_sample(out))?;
    report(FILES[2], w);
    let w = write(ctx, dir, FILES[3], |out| authority.write_history(out))?;
    report(FILES[3], w);
    let mut audits = Output::open(Some(&dir.join(FILES[4])), ctx.force)?;
    let mut moderation = Output::open(Some(&dir.join(FILES[5])), ctx.force)?;
    let (a, m) = authority
        .write_audits(&mut audits, &mut moderation)
        .with_context(|| format!("writing {} and {}", FILES[4], FILES[5]))?;
    audits.flush()?;
    moderation.flush()?;
    audits.commit()?;
    moderation.commit()?;
    report(FILES[4], a);
    report(FILES[5], m);
    if ctx.verbose {
        say!("  in {:.2} s", started.elapsed().as_secs_f64());
    }
    Ok(())
}

/// Streams one file through an atomic output (temp file, rename when complete).
fn write(
    ctx: &Context,
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<Written>,
) -> Result<Written> {
    let path = dir.join(name);
    let mut out = Output::open(Some(&path), ctx.force)?;
    let written = fill(&mut out).with_context(|| format!("writing {}", path.display()))?;
    out.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    out.commit()?;
    Ok(written)
}
