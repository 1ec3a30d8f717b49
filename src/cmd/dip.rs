//! `dip`: K cases per worker or team by the same keyed hash, for practice
//! supervisors' reflective sessions and heads of service's dip sampling.

use super::Context;
use crate::exit::usage;
use crate::extract::{self, Schema, Std};
use crate::filter::Filter;
use crate::keys::{Keyer, key_hex};
use crate::render::{Cell, RowWriter};
use crate::sample::dip::{Dip, DipPart};
use anyhow::Result;
use std::path::PathBuf;

/// Dip sample: K cases per worker (or team), reproducible from the seed.
///
/// Reads the case extract(s), keeps the cases matching --where, groups them by
/// worker or team and takes the K cases with the smallest keys in each group
/// (all of a group's cases when it has fewer). Cases with no worker (or team) are
/// left out and counted.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit dip extract.csv --per worker --n 3 --where \"status = open\" --seed 11
  caseaudit dip extract.csv --per team --n 5 -o dip.csv")]
pub(crate) struct Args {
    /// The case extract(s) to draw from (CSV files or workbooks; several are merged per case id)
    #[arg(required = true, value_name = "EXTRACT")]
    inputs: Vec<PathBuf>,
    /// Group by worker or team
    #[arg(long, value_name = "worker|team")]
    per: Per,
    /// Cases per group
    #[arg(long, short = 'n', value_name = "K")]
    n: u32,
    /// Only cases matching this expression
    #[arg(long = "where", short = 'w', value_name = "EXPR", long_help = super::cli::WHERE_HELP)]
    filter: Option<String>,
    /// Seed of the keyed hash. Default: chosen at random and printed
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Per {
    Worker,
    Team,
}

pub(crate) const COLUMNS: [&str; 8] = [
    "group", "rank", "case_id", "team", "worker", "service", "status", "key",
];

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    if let Some(expr) = &args.filter {
        Filter::check_syntax(expr).map_err(|e| usage(e.to_string()))?;
    }
    let (seed, random) = match args.seed {
        Some(s) => (s, false),
        None => (rand::random_range(1..=999_999_999), true),
    };
    let tables = ctx.extract_tables(&args.inputs)?;
    let prepare = |schema: &Schema| -> Result<Dip> {
        let filter = ctx.case_filter(args.filter.as_deref(), schema)?;
        Ok(Dip {
            filter,
            group: match args.per {
                Per::Worker => Std::Worker,
                Per::Team => Std::Team,
            },
            keyer: Keyer::new(seed),
            per_group: args.n,
        })
    };
    let mut folded = extract::fold(
        tables,
        &ctx.settings,
        ctx.as_of,
        false,
        &mut |n| ctx.note(n),
        prepare,
    )?;
    ctx.warn(&folded.warnings()?);
    let DipPart { sampler, ungrouped } = folded.part;
    let draw = sampler.draw();
    if random {
        say!("seed: {seed} (chosen at random; give --seed {seed} to draw the same dip sample again)");
    }
    let (_, strata) = &draw.frames[0];
    let short: Vec<&str> = strata
        .iter()
        .filter(|s| s.drawn < s.quota)
        .map(|s| s.value.as_str())
        .collect();
    ctx.note(format!(
        "dip sample: {} from {}",
        crate::values::counted(draw.cases.len() as u64, "case", "cases"),
        crate::values::counted(strata.len() as u64, "group", "groups")
    ));
    if !short.is_empty() {
        ctx.note(format!("  fewer than {} cases in: {}", args.n, short.join(", ")));
    }
    if ungrouped > 0 {
        ctx.note(format!(
            "  {ungrouped} matching cases have no {} and were left out",
            if args.per == Per::Worker { "worker" } else { "team" }
        ));
    }
    let mut cases = draw.cases;
    cases.sort_by(|a, b| {
        (a.stratum.as_str(), a.key, &a.case_id).cmp(&(b.stratum.as_str(), b.key, &b.case_id))
    });
    let mut out = ctx.open_output()?;
    let mut w = RowWriter::new(
        ctx.format,
        COLUMNS.iter().map(|c| (*c).to_string()).collect(),
        &mut out,
        ctx.render.clone(),
    )?;
    let mut rank = 0i64;
    let mut last_group = String::new();
    for d in cases {
        if d.stratum != last_group {
            rank = 0;
            last_group.clone_from(&d.stratum);
        }
        rank += 1;
        let [team, worker, service, status] = d.payload;
        w.write(vec![
            Cell::text(d.stratum),
            Cell::Int(rank),
            Cell::text(d.case_id),
            Cell::text(team),
            Cell::text(worker),
            Cell::text(service),
            Cell::text(status),
            Cell::text(key_hex(d.key)),
        ])?;
    }
    w.finish()?;
    out.commit()
}
