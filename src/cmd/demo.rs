//! `demo`: write a synthetic month into a folder and run the monthly cycle on it,
//! showing each command as a user would type it.

use super::Context;
use crate::config::Settings;
use crate::dates::{Month, format_date};
use crate::forms::{self, Choices, moderation::ModerationForm, write::Form};
use crate::output::write_file_atomic;
use crate::synth::demo::{Demo, Returns, config_for};
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

/// A line of the demo's own account on standard output. The month is written
/// whoever reads it: a reader gone (`caseaudit demo DIR | head -1`) stops the
/// account, not the writing.
macro_rules! show {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    let dir = &args.dir;
    prepare_dir(dir, ctx.force)?;
    let mut demo = Demo::new(args.seed, ctx.as_of);
    let files = &demo.files;
    let settings = config_for(Month::of(ctx.as_of));
    let written: [(&str, &[u8]); 4] = [
        ("caseaudit.toml", settings.as_bytes()),
        ("extract.csv", &files.extract_csv),
        ("auditors.csv", &files.auditors_csv),
        ("history.csv", &files.history_csv),
    ];
    show!(
        "Writing a synthetic month (seed {}, as of {}) into {}:",
        args.seed,
        format_date(ctx.as_of),
        dir.display()
    );
    for (name, bytes) in written {
        write_file_atomic(&dir.join(name), bytes, ctx.force)?;
        show!("  {name:<16} {:>7} bytes", bytes.len());
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
            vec![
                "record",
                "allocation.csv",
                "--history",
                "history.csv",
                "--auditors",
                "auditors.csv",
            ],
        ),
        (
            "Write each auditor's audit forms: one workbook, a sheet per case",
            vec![
                "forms",
                "allocation.csv",
                "--extract",
                "extract.csv",
                "-o",
                "forms",
            ],
        ),
    ];
    for (what, step) in &steps {
        run_step(ctx, dir, what, step)?;
    }
    let month = Month::of(ctx.as_of);
    let audits = write_audit_returns(dir, &mut demo, month, ctx.force)?;
    write_earlier_moderation(dir, &mut demo, &audits, ctx.force)?;
    let month_text = month.to_string();
    let this_month = format!("month = {month_text}");
    let audit_steps: Vec<(&str, Vec<&str>)> = vec![
        (
            "Mid-month: which allocated audits have come back, and who to chase",
            vec!["progress", "allocation.csv", "--audits", "audits-so-far.csv"],
        ),
        (
            "Read the returned forms into the audits file",
            vec![
                "collect",
                "forms",
                "--allocation",
                "allocation.csv",
                "--append",
                "audits.csv",
            ],
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
                "--moderation",
                "moderation.csv",
                "--seed",
                &seed,
                "-o",
                "moderation-sample.csv",
            ],
        ),
        (
            "Write the moderation forms: the auditor's grades beside the moderator's",
            vec![
                "forms",
                "--moderation",
                "moderation-sample.csv",
                "--audits",
                "audits.csv",
                "-o",
                "moderation-forms",
            ],
        ),
    ];
    for (what, step) in &audit_steps {
        run_step(ctx, dir, what, step)?;
    }
    fill_moderation_forms(dir, &mut demo, &audits, month)?;
    run_step(
        ctx,
        dir,
        "Read the returned moderation forms into the moderation results",
        &[
            "collect",
            "--moderation",
            "moderation-forms",
            "--append",
            "moderation.csv",
        ],
    )?;
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
    show!("\nThe month's report: {}", dir.join("report.html").display());
    show!(
        "\nThe demo month is in {}. Try your own queries there, e.g.",
        dir.display()
    );
    show!(
        "  cd {} && caseaudit cases extract.csv --where \"status = closed and end_date within 6 months\" --count",
        dir.display()
    );
    Ok(())
}

/// Writes audits.csv with the earlier months' audits (for the cases in the
/// history, so month-on-month figures mean something), fills in this month's
/// forms as the auditors would and saves them over the blank ones, and writes
/// audits-so-far.csv (two in three of this month's, as they stood mid-month).
fn write_audit_returns(dir: &Path, demo: &mut Demo, month: Month, force: bool) -> Result<Returns> {
    let allocation = std::fs::read(dir.join("allocation.csv")).context("reading the demo's allocation")?;
    let returns = demo.returns(&allocation);
    let earlier = returns.earlier_csv();
    write_file_atomic(&dir.join("audits.csv"), &earlier, force)?;
    let (this_month, before) = returns.counts();
    show!("\n# Audits of the six months before (synthetic: {before} audits)");
    show!("  audits.csv       {:>7} bytes", earlier.len());
    let (settings, choices) = demo_settings(month)?;
    let due = crate::progress::due_date(month, settings.allocation.due_day);
    let filled = returns.filled_forms(due, &settings);
    let mut auditors: Vec<&str> = filled.iter().map(|(c, _)| c.auditor_id.as_str()).collect();
    auditors.dedup();
    for auditor in auditors {
        let of_auditor: Vec<Form<'_>> = filled
            .iter()
            .filter(|(c, _)| c.auditor_id == auditor)
            .map(|(case, answers)| Form {
                case,
                answers: Some(answers),
            })
            .collect();
        let bytes = forms::workbook(&of_auditor, &choices).context("filling in the demo's forms")?;
        // The auditor saves the filled-in form over the blank one.
        write_file_atomic(
            &dir.join("forms").join(forms::file_name(auditor, month)),
            &bytes,
            true,
        )?;
    }
    show!("\n# The auditors fill in their forms and save them (synthetic: {this_month} audits for {month})");
    let so_far = returns.so_far();
    write_file_atomic(&dir.join("audits-so-far.csv"), &so_far, force)?;
    show!("\n# Mid-month, two in three audits have come back (synthetic)");
    show!("  audits-so-far.csv {:>6} bytes", so_far.len());
    Ok(returns)
}

/// Writes moderation.csv as it stands before this month's moderation: the results
/// of the earlier months, which `moderate select` reads to know who is due.
fn write_earlier_moderation(dir: &Path, demo: &mut Demo, returns: &Returns, force: bool) -> Result<()> {
    let text = demo.earlier_moderation(returns);
    write_file_atomic(&dir.join("moderation.csv"), &text, force)?;
    let results = text.iter().filter(|&&b| b == b'\n').count().saturating_sub(1);
    show!("\n# Earlier months' moderation results (synthetic: {results} results)");
    show!("  moderation.csv   {:>7} bytes", text.len());
    Ok(())
}

/// Fills in this month's moderation forms as the moderators would (the
/// results for the audits `moderate select` chose) and saves them over the
/// blank ones.
fn fill_moderation_forms(dir: &Path, demo: &mut Demo, returns: &Returns, month: Month) -> Result<()> {
    let chosen = std::fs::read(dir.join("moderation-sample.csv")).context("reading the moderation sample")?;
    let (settings, choices) = demo_settings(month)?;
    let filled = demo.moderation_forms(returns, &chosen, &settings);
    let forms: Vec<ModerationForm<'_>> = filled
        .iter()
        .map(|(case, answers)| ModerationForm {
            case,
            answers: Some(answers),
        })
        .collect();
    let bytes =
        forms::moderation::workbook(&forms, &choices).context("filling in the demo's moderation forms")?;
    // The moderator saves the filled-in forms over the blank ones.
    write_file_atomic(
        &dir.join("moderation-forms")
            .join(format!("moderation-{month}.xlsx")),
        &bytes,
        true,
    )?;
    show!(
        "\n# The moderators re-grade the chosen audits on their forms and save them (synthetic: {} results)",
        filled.len()
    );
    Ok(())
}

/// The demo's settings, and what its forms' dropdowns offer.
fn demo_settings(month: Month) -> Result<(Settings, Choices)> {
    let settings = Settings::parse(&config_for(month), "caseaudit.toml")
        .map_err(|_| anyhow::anyhow!("the demo's settings do not parse"))?;
    let scale = crate::grades::Scale::new(&settings.grades)
        .map_err(|_| anyhow::anyhow!("the demo's grades do not parse"))?;
    let choices = Choices {
        grades: (0..scale.len())
            .map(|g| scale.label(g as u8).to_string())
            .collect(),
        tags: settings.forms.tags.clone(),
    };
    Ok((settings, choices))
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
    show!("\n# {what}\n$ caseaudit {}", shown.join(" "));
    let exe = std::env::current_exe().context("cannot find the caseaudit program to run the demo steps")?;
    let color = ctx.color.as_arg();
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
