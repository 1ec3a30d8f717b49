//! `sample`: draw the month's sample per the configured frames, with a manifest
//! that lets anyone re-derive it.

use super::Context;
use crate::dates::Month;
use crate::layouts;
use crate::manifest::Manifest;
use crate::output;
use crate::render::RowWriter;
use crate::sample::Drawn;
use crate::sample::draw::{Job, SampledFields, draw};
use anyhow::Result;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Draw the month's sample of case files within the configured frames.
///
/// Reads the case extract(s) and, with --history, the audit ledger (cases audited
/// within `exclude_audited_within_months` are left out). Each frame of
/// [sampling] takes the eligible cases with the smallest keys, where a case's key
/// is the first 8 bytes of SHA-256("<seed>:<case_id>"); no case is in two frames.
/// Writes one row per drawn case, a per-frame summary on stderr, and a manifest
/// (JSON) that `caseaudit verify` re-derives. Pipe it to `caseaudit allocate`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit sample extract.csv --history history.csv --seed 20261 -o sample.csv
      (writes sample.csv and sample.csv.manifest.json)
  caseaudit verify sample.csv.manifest.json")]
pub(crate) struct Args {
    /// Case extract(s)
    #[arg(required = true, value_name = "EXTRACT")]
    inputs: Vec<PathBuf>,
    /// The month being sampled (YYYY-MM). Default: the month of --as-of
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<Month>,
    /// Seed of the keyed hash. Default: chosen at random, printed and recorded
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// The audit history, to leave out recently audited cases. Default: [history] path
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Where to write the manifest. Default: <output>.manifest.json beside -o
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    let manifest_path = args.manifest.clone().or_else(|| {
        ctx.output_path
            .as_ref()
            .filter(|p| *p != Path::new("-"))
            .map(|p| PathBuf::from(format!("{}.manifest.json", p.display())))
    });
    // Refuse before any work: an existing manifest is never replaced silently.
    if let Some(path) = &manifest_path {
        super::refuse_an_input(path)?;
        output::check_target(path, ctx.force)?;
    }
    if let Some(path) = &ctx.output_path
        && path != Path::new("-")
    {
        output::check_target(path, ctx.force)?;
    }
    let (seed, random) = match args.seed {
        Some(s) => (s, false),
        None => (rand::random_range(1..=999_999_999), true),
    };
    let history = ctx.history_to_read(args.history.as_deref(), "no case is left out as recently audited");
    let job = Job {
        settings: &ctx.settings,
        extracts: &args.inputs,
        history: history.as_deref(),
        seed,
        seed_chosen_at_random: random,
        month: args.month.unwrap_or_else(|| Month::of(ctx.as_of)),
        as_of: ctx.as_of,
        input: &ctx.input,
        hash_inputs: manifest_path.is_some(),
    };
    let (manifest, drawn) = draw(&job, &mut |n| ctx.note(n))?;
    if random {
        say!("seed: {seed} (chosen at random; give --seed {seed} to draw the same sample again)");
    }
    print_summary(ctx, &manifest);
    let mut out = ctx.open_output()?;
    write_rows(ctx, &mut out, &manifest, &drawn)?;
    if manifest_path.is_none() {
        ctx.note("no manifest written (the sample went to standard output): give -o FILE or --manifest FILE to keep one");
    }
    if let Some(path) = &manifest_path {
        let mut json = serde_json::to_vec_pretty(&manifest)?;
        json.push(b'\n');
        output::write_file_atomic(path, &json, ctx.force)?;
        ctx.note(format!("manifest: {}", path.display()));
    }
    out.commit()
}

fn write_rows(
    ctx: &Context,
    out: &mut dyn Write,
    manifest: &Manifest,
    drawn: &[Drawn<SampledFields>],
) -> Result<()> {
    let mut w = RowWriter::new(
        ctx.format,
        layouts::sample::COLUMNS
            .iter()
            .map(|c| (*c).to_string())
            .collect(),
        out,
        ctx.render.clone(),
    )?;
    for d in drawn {
        w.write(layouts::sample::row(
            &manifest.month,
            &manifest.frames[d.frame].name,
            d,
        ))?;
    }
    w.finish()
}

fn print_summary(ctx: &Context, manifest: &Manifest) {
    ctx.note(format!(
        "sample for {} (seed {}, as of {}):",
        manifest.month, manifest.seed, manifest.as_of
    ));
    for f in &manifest.frames {
        let mut line = format!(
            "  {:<14} {:>6} eligible, {:>4} excluded by history, drawn {}",
            f.name, f.eligible, f.excluded_by_history, f.drawn
        );
        if f.taken_by_earlier_frames > 0 {
            line.push_str(&format!(
                " ({} already drawn by an earlier frame)",
                f.taken_by_earlier_frames
            ));
        }
        if f.excluded_no_team > 0 {
            line.push_str(&format!(" ({} without a team left out)", f.excluded_no_team));
        }
        if f.shortfall > 0 {
            line.push_str(&format!(", SHORT BY {}", f.shortfall));
        }
        ctx.note(line);
    }
}
