//! `plan`: how many cases to audit to estimate a proportion to a given margin.

use super::Context;
use crate::exit::usage;
use crate::render::{Cell, render};
use crate::stats::{margin_for, plan_sample_size, z_for_confidence};
use anyhow::Result;

/// Sample size needed to estimate a proportion (e.g. "% good or better").
///
/// n0 = z²·p(1−p)/E², then the finite population correction
/// n = n0 / (1 + (n0 − 1)/N), rounded up. Also shows the margin of error that each
/// configured frame's size gives from the same population.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit plan --population 1000                 # 88 at ±10%, 95% confidence
  caseaudit plan --population 2400 --margin 0.05 --expected 0.3")]
pub(crate) struct Args {
    /// How many case files the estimate is about (N)
    #[arg(long, value_name = "N")]
    population: u64,
    /// The margin of error wanted, as a share (0.1 = ±10 percentage points)
    #[arg(long, default_value_t = 0.1, value_name = "E")]
    margin: f64,
    /// Confidence level
    #[arg(long, default_value_t = 0.95, value_name = "C")]
    confidence: f64,
    /// The expected proportion (0.5 is the cautious choice)
    #[arg(long, default_value_t = 0.5, value_name = "P")]
    expected: f64,
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    if args.population == 0 {
        return Err(usage("--population must be at least 1"));
    }
    if !(args.margin > 0.0 && args.margin < 1.0) {
        return Err(usage(format!(
            "--margin {} must be a share between 0 and 1, e.g. 0.1 for ±10%",
            args.margin
        )));
    }
    if !(args.confidence > 0.0 && args.confidence < 1.0) {
        return Err(usage(format!(
            "--confidence {} must be between 0 and 1, e.g. 0.95",
            args.confidence
        )));
    }
    if !(0.0..=1.0).contains(&args.expected) {
        return Err(usage(format!(
            "--expected {} must be a share between 0 and 1",
            args.expected
        )));
    }
    let n = plan_sample_size(args.population, args.margin, args.confidence, args.expected);
    let z = z_for_confidence(args.confidence);
    let mut rows = vec![vec![
        Cell::text("needed"),
        Cell::from(n),
        Cell::Num(100.0 * args.margin, 1),
        Cell::text(format!(
            "z = {z:.4}; n0 = z²·p(1−p)/E², with finite population correction"
        )),
    ]];
    for frame in &ctx.settings.sampling.frames {
        let size = u64::from(frame.size).min(args.population);
        let margin = margin_for(size, args.population, args.confidence, args.expected);
        rows.push(vec![
            Cell::text(format!("frame {}", frame.name)),
            Cell::from(size),
            Cell::opt_num(Some(100.0 * margin), 1),
            Cell::text("the margin this frame's size gives"),
        ]);
    }
    ctx.note(format!(
        "population {}, margin ±{:.1}%, confidence {:.1}%, expected proportion {}",
        args.population,
        100.0 * args.margin,
        100.0 * args.confidence,
        args.expected
    ));
    let mut out = ctx.open_output()?;
    render(
        ctx.format,
        &["what", "sample_size", "margin_pct", "note"],
        rows,
        &mut out,
        ctx.render.clone(),
    )?;
    out.commit()
}
