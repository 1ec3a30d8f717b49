//! `demo`: write a synthetic month into a folder and run the monthly cycle on it,
//! showing each command as a user would type it.

use super::Context;
use crate::cli::ColorWhen;
use crate::dates::format_date;
use crate::demo_data;
use crate::output::write_file_atomic;
use anyhow::{Context as _, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Write a complete synthetic month into DIR and run the monthly cycle on it.
///
/// Writes caseaudit.toml (a commented settings file), extract.csv (about 1,500
/// synthetic case files in 12 teams), auditors.csv and history.csv (six months of
/// audits), then runs the commands of a month on them, printing each command and
/// its output. Needs no other files and no network. All data is synthetic.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit demo                  # into ./caseaudit-demo
  caseaudit demo /tmp/month --as-of 2026-11-30 --seed 7")]
pub(crate) struct Args {
    /// Folder to write the demo month into (created if missing; must be empty unless --force)
    #[arg(value_name = "DIR", default_value = "caseaudit-demo")]
    dir: PathBuf,
    /// Seed of the synthetic data
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    let dir = &args.dir;
    prepare_dir(dir, ctx.force)?;
    let files = demo_data::generate(args.seed, ctx.as_of);
    let written = [
        ("caseaudit.toml", &files.config_toml),
        ("extract.csv", &files.extract_csv),
        ("auditors.csv", &files.auditors_csv),
        ("history.csv", &files.history_csv),
    ];
    println!(
        "Writing a synthetic month (seed {}, as of {}) into {}:",
        args.seed,
        format_date(ctx.as_of),
        dir.display()
    );
    for (name, text) in written {
        write_file_atomic(&dir.join(name), text.as_bytes(), ctx.force)?;
        println!("  {name:<16} {:>7} bytes", text.len());
    }
    let seed = args.seed.to_string();
    let steps: Vec<(&str, Vec<&str>)> = vec![
        (
            "Check every file against its layout",
            vec![
                "validate",
                "caseaudit.toml",
                "extract.csv",
                "auditors.csv",
                "history.csv",
            ],
        ),
        (
            "How many case files each team holds",
            vec!["cases", "extract.csv", "--count", "--by", "team"],
        ),
        (
            "Open cases where neglect is a risk factor",
            vec![
                "cases",
                "extract.csv",
                "--where",
                "risk_factors contains neglect and status = open",
                "--count",
            ],
        ),
        (
            "Step-ups of children under two (names and dates of birth are left out)",
            vec![
                "cases",
                "extract.csv",
                "--where",
                "step_up and age_at_start < 2",
                "--columns",
                "case_id,team,worker,service,start_date",
            ],
        ),
        (
            "How many audits would estimate a proportion to ±10%",
            vec!["plan", "--population", "1500"],
        ),
        (
            "Draw the month's sample within the three frames, leaving out cases audited in the last year",
            vec![
                "sample",
                "extract.csv",
                "--history",
                "history.csv",
                "--seed",
                &seed,
                "-o",
                "sample.csv",
            ],
        ),
        (
            "Anyone can re-derive the sample from its manifest",
            vec!["verify", "sample.csv.manifest.json"],
        ),
        (
            "Allocate each sampled case to an auditor outside its team, as evenly as possible",
            vec![
                "allocate",
                "sample.csv",
                "--auditors",
                "auditors.csv",
                "--history",
                "history.csv",
                "-o",
                "allocation.csv",
            ],
        ),
        (
            "Record the allocation in the audit history",
            vec!["record", "allocation.csv", "--history", "history.csv"],
        ),
    ];
    for (what, step) in &steps {
        run_step(ctx, dir, what, step)?;
    }
    println!(
        "\nThe demo month is in {}. Try your own queries there, e.g.",
        dir.display()
    );
    println!(
        "  cd {} && caseaudit cases extract.csv --where \"status = closed and end_date within 6 months\" --count",
        dir.display()
    );
    Ok(())
}

fn prepare_dir(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("{} exists and is not a folder", dir.display());
        }
        let non_empty = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_some();
        if non_empty && !force {
            bail!(
                "{} is not empty; choose another folder or use --force to overwrite the demo files in it",
                dir.display()
            );
        }
    } else {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    Ok(())
}

/// Runs this same program on the demo files, as the user would type it.
fn run_step(ctx: &Context, dir: &Path, what: &str, args: &[&str]) -> Result<()> {
    let shown: Vec<String> = args
        .iter()
        .map(|a| {
            if a.contains(' ') {
                format!("\"{a}\"")
            } else {
                (*a).to_string()
            }
        })
        .collect();
    println!("\n# {what}\n$ caseaudit {}", shown.join(" "));
    let exe = std::env::current_exe().context("cannot find the caseaudit program to run the demo steps")?;
    let color = match ctx.color {
        ColorWhen::Always => "always",
        ColorWhen::Never => "never",
        ColorWhen::Auto => "auto",
    };
    // Steps that write a file let its extension decide the format; the rest show a table.
    let mut command = Command::new(exe);
    command
        .args(args)
        .args(["--as-of", &format_date(ctx.as_of), "--color", color]);
    if !args.contains(&"-o") {
        command.args(["--format", "table"]);
    }
    if ctx.force {
        command.arg("--force");
    }
    let status = command
        .current_dir(dir)
        .status()
        .context("cannot run a demo step")?;
    if !status.success() {
        bail!("the demo step `caseaudit {}` failed", shown.join(" "));
    }
    Ok(())
}
