//! `demo`: write a synthetic month into a folder and run the monthly cycle on it,
//! showing each command as a user would type it.

use super::Context;
use crate::cli::ColorWhen;
use crate::dates::Month;
use crate::dates::format_date;
use crate::demo_audits::{self, DemoAllocated};
use crate::demo_data;
use crate::output::write_file_atomic;
use anyhow::{Context as _, Result, bail};
use std::collections::{BTreeMap, HashMap};
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
    let month = Month::of(ctx.as_of);
    let audits = write_audit_returns(dir, &files, month, args.seed, ctx.force)?;
    let month_text = month.to_string();
    let this_month = format!("month = {month_text}");
    write_returns_so_far(dir, &audits, month, ctx.force)?;
    let audit_steps: Vec<(&str, Vec<&str>)> = vec![
        (
            "Mid-month: which allocated audits have come back, and who to chase",
            vec!["progress", "allocation.csv", "--audits", "audits-so-far.csv"],
        ),
        ("Check the returned audits", vec!["validate", "audits.csv"]),
        (
            "This month's grade profile, with the change since last month",
            vec!["themes", "audits.csv", "--month", &month_text],
        ),
        (
            "Themes named in this month's audits",
            vec!["themes", "audits.csv", "--month", &month_text, "--tags"],
        ),
        (
            "Actions and escalations, overdue first",
            vec!["actions", "audits.csv", "--where", &this_month],
        ),
        (
            "Choose this month's audits to moderate",
            vec![
                "moderate",
                "select",
                "audits.csv",
                "--month",
                &month_text,
                "--seed",
                &seed,
                "-o",
                "moderation-sample.csv",
            ],
        ),
    ];
    for (what, step) in &audit_steps {
        run_step(ctx, dir, what, step)?;
    }
    write_moderation(dir, &audits, month, args.seed, ctx.force)?;
    let report_args = |out: &'static str| {
        vec![
            "report",
            "--month",
            &month_text,
            "--audits",
            "audits.csv",
            "--moderation",
            "moderation.csv",
            "--sample",
            "sample.csv",
            "--allocation",
            "allocation.csv",
            "-o",
            out,
        ]
    };
    let final_steps: Vec<(&str, Vec<&str>)> = vec![
        (
            "What moderation changed, month by month",
            vec![
                "moderate",
                "summary",
                "audits.csv",
                "moderation.csv",
                "--by",
                "month",
            ],
        ),
        (
            "The monthly report for the Improvement Board (HTML)",
            report_args("report.html"),
        ),
        ("The same report as Markdown", report_args("report.md")),
        (
            "One pack per team: its audits and grade profile beside the whole service's",
            vec![
                "report",
                "--month",
                &month_text,
                "--audits",
                "audits.csv",
                "--moderation",
                "moderation.csv",
                "--allocation",
                "allocation.csv",
                "--per-team",
                "packs",
            ],
        ),
    ];
    for (what, step) in &final_steps {
        run_step(ctx, dir, what, step)?;
    }
    println!("\nThe month's report: {}", dir.join("report.html").display());
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

/// Writes audits.csv: this month's returns for every allocated case, and six
/// earlier months' for the cases in the history (so month-on-month figures and
/// trends mean something). Returns the file's text.
fn write_audit_returns(
    dir: &Path,
    files: &demo_data::DemoFiles,
    month: Month,
    seed: u64,
    force: bool,
) -> Result<String> {
    let services: HashMap<String, String> = read_rows(&files.extract_csv)
        .into_iter()
        .filter_map(|r| {
            Some((
                r.get("case_id")?.clone(),
                r.get("service").cloned().unwrap_or_default(),
            ))
        })
        .collect();
    let allocated = |rows: Vec<HashMap<String, String>>| -> Vec<(Month, DemoAllocated)> {
        rows.into_iter()
            .filter_map(|r| {
                let case_id = r.get("case_id")?.clone();
                Some((
                    r.get("month")?.parse().ok()?,
                    DemoAllocated {
                        service: services.get(&case_id).cloned().unwrap_or_default(),
                        case_id,
                        team: r.get("team").cloned().unwrap_or_default(),
                        frame: r.get("frame").cloned().unwrap_or_default(),
                        auditor_id: r.get("auditor_id")?.clone(),
                    },
                ))
            })
            .collect()
    };
    let allocation_text =
        std::fs::read_to_string(dir.join("allocation.csv")).context("reading the demo's allocation")?;
    let mut by_month: BTreeMap<Month, Vec<DemoAllocated>> = BTreeMap::new();
    for (m, case) in allocated(read_rows(&files.history_csv))
        .into_iter()
        .chain(allocated(read_rows(&allocation_text)))
    {
        by_month.entry(m).or_default().push(case);
    }
    let elements: Vec<String> = crate::config::Template::default()
        .elements
        .into_iter()
        .map(|e| e.key)
        .collect();
    let mut text = String::new();
    for (m, cases) in &by_month {
        let part = demo_audits::audits_csv(cases, *m, &elements, seed);
        if text.is_empty() {
            text.push_str(&part);
        } else {
            text.extend(part.split_inclusive('\n').skip(1));
        }
    }
    write_file_atomic(&dir.join("audits.csv"), text.as_bytes(), force)?;
    println!(
        "\n# The auditors return their audits (synthetic: {} audits for {month}, {} in the six months before)",
        by_month.get(&month).map_or(0, Vec::len),
        by_month
            .iter()
            .filter(|(m, _)| **m != month)
            .map(|(_, c)| c.len())
            .sum::<usize>()
    );
    println!("  audits.csv       {:>7} bytes", text.len());
    Ok(text)
}

/// Writes audits-so-far.csv: about two in three of this month's returns, as the QA
/// officer would have them in the middle of the month.
fn write_returns_so_far(dir: &Path, audits: &str, month: Month, force: bool) -> Result<()> {
    let this_month = format!(",{month},");
    let mut kept = 0;
    let text: String = audits
        .split_inclusive('\n')
        .enumerate()
        .filter(|(i, line)| {
            let keep = *i == 0 || (line.contains(&this_month) && kept % 3 != 2);
            if *i > 0 && line.contains(&this_month) {
                kept += 1;
            }
            keep
        })
        .map(|(_, line)| line)
        .collect();
    write_file_atomic(&dir.join("audits-so-far.csv"), text.as_bytes(), force)?;
    println!("\n# Mid-month, two in three audits have come back (synthetic)");
    println!("  audits-so-far.csv {:>6} bytes", text.len());
    Ok(())
}

/// Writes moderation.csv: results for the audits `moderate select` chose this month,
/// and for about one in four audits of each earlier month.
fn write_moderation(dir: &Path, audits: &str, month: Month, seed: u64, force: bool) -> Result<()> {
    let chosen = std::fs::read_to_string(dir.join("moderation-sample.csv"))
        .context("reading the moderation sample")?;
    let mut selected: Vec<String> = read_rows(&chosen)
        .into_iter()
        .filter_map(|r| r.get("audit_id").cloned())
        .collect();
    let this_month = month.to_string();
    selected.extend(
        read_rows(audits)
            .into_iter()
            .filter(|r| r.get("month").is_some_and(|m| *m != this_month))
            .filter_map(|r| r.get("audit_id").cloned())
            .enumerate()
            .filter(|(i, _)| i % 4 == 0)
            .map(|(_, id)| id),
    );
    let text = demo_audits::moderation_csv(audits, &selected, seed);
    write_file_atomic(&dir.join("moderation.csv"), text.as_bytes(), force)?;
    println!(
        "\n# Moderators re-grade the chosen audits (synthetic: {} results)",
        text.lines().count().saturating_sub(1)
    );
    println!("  moderation.csv   {:>7} bytes", text.len());
    Ok(())
}

/// The rows of a CSV text as heading → value maps.
fn read_rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().cloned().unwrap_or_default();
    reader
        .records()
        .filter_map(Result::ok)
        .map(|r| {
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
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
    if ctx.quiet {
        command.arg("--quiet");
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
