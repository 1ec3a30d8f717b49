//! `verify`: re-derive a sample from its manifest and say whether it is identical.

use super::Context;
use crate::dates::{Month, parse_date};
use crate::manifest::Manifest;
use crate::sample::draw::{Job, draw};
use anyhow::{Context as _, Result, anyhow, bail};
use std::io::Write as _;
use std::path::PathBuf;

/// Re-derive a sample from its manifest; exit 0 if identical, 1 with the differences.
///
/// Reads the manifest written by `sample`, the extract(s) it names (or the ones
/// given here, e.g. a copy an inspector received) and the history it names, and
/// draws the sample again with the manifest's seed, month, as-of date and frame
/// settings (not the current settings file). Checks every input's SHA-256 and
/// every frame's cases.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit verify sample.csv.manifest.json
  caseaudit verify sample.csv.manifest.json copy-of-extract.csv")]
pub(crate) struct Args {
    /// The manifest written by `sample`
    #[arg(value_name = "MANIFEST")]
    manifest: PathBuf,
    /// Extract(s) to use instead of the paths in the manifest
    #[arg(value_name = "EXTRACT")]
    extracts: Vec<PathBuf>,
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    let text = std::fs::read_to_string(&args.manifest)
        .with_context(|| format!("cannot read the manifest {}", args.manifest.display()))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a caseaudit sample manifest", args.manifest.display()))?;
    if manifest.method != crate::sample::METHOD {
        bail!(
            "the manifest uses method {}, which this version does not know",
            manifest.method
        );
    }
    // Relative paths in the manifest are relative to where `sample` ran; try the
    // manifest's own folder when they are not found from here.
    let base = args.manifest.parent().map(PathBuf::from).unwrap_or_default();
    let locate = |p: &str| {
        let path = PathBuf::from(p);
        if path.exists() || path.is_absolute() {
            path
        } else {
            base.join(p)
        }
    };
    let extracts: Vec<PathBuf> = if args.extracts.is_empty() {
        manifest
            .inputs
            .iter()
            .filter(|i| i.role == "extract")
            .map(|i| locate(&i.path))
            .collect()
    } else {
        args.extracts.clone()
    };
    let history = manifest
        .inputs
        .iter()
        .find(|i| i.role == "history")
        .map(|i| locate(&i.path));
    let settings = manifest.settings()?;
    let month: Month = manifest
        .month
        .parse()
        .map_err(|e: String| anyhow!("manifest month: {e}"))?;
    let as_of = parse_date(&manifest.as_of)
        .ok_or_else(|| anyhow!("manifest as_of \"{}\" is not a date", manifest.as_of))?;
    let job = Job {
        settings: &settings,
        extracts: &extracts,
        history: history.as_deref(),
        seed: manifest.seed,
        seed_chosen_at_random: manifest.seed_chosen_at_random,
        month,
        as_of,
        input: &ctx.input,
        hash_inputs: true,
    };
    // A draw reads only the history's months before the sample's month, so that
    // `record` adding the month's own allocation changes no sample.
    let made_by = match &manifest.commit {
        Some(commit) => format!("{} (commit {commit})", manifest.version),
        None => manifest.version.clone(),
    };
    if made_by != crate::build() {
        ctx.note(format!(
            "the sample was drawn by caseaudit {made_by}; this is caseaudit {}, whose draw follows the same method ({})",
            crate::build(),
            manifest.method
        ));
    }
    let (again, _) = draw(&job, &mut |n| ctx.note(n))?;
    let mut differences = manifest.differences(&again);
    let mut note = "inputs unchanged";
    // The history file then differs, but not in the rows the draw reads: when it
    // is the only difference and those rows number as the manifest says, the
    // sample stands.
    let history_changed = |d: &Vec<String>| d.iter().any(|x| x.contains("(history)"));
    if history_changed(&differences) && history.is_some() {
        let rederived = &differences;
        let only_history = |d: &String| d.starts_with("input ") && d.contains("(history)");
        if rederived.iter().all(only_history)
            && again
                .inputs
                .iter()
                .zip(&manifest.inputs)
                .all(|(a, m)| m.role != "history" || a.rows == m.rows)
        {
            differences.clear();
            note = "the history has since gained rows for this month or later (e.g. by `record`); re-derived from the rows before it";
        }
    }
    if differences.is_empty() {
        let cases: usize = manifest.frames.iter().map(|f| f.cases.len()).sum();
        writeln!(
            std::io::stdout(),
            "verified: {} in {} re-derived exactly (seed {}, month {}, {note})",
            crate::values::count(cases, "case"),
            crate::values::count(manifest.frames.len(), "frame"),
            manifest.seed,
            manifest.month
        )?;
        Ok(())
    } else {
        writeln!(
            std::io::stdout(),
            "NOT verified: the sample cannot be re-derived from its manifest:"
        )?;
        for d in &differences {
            writeln!(std::io::stdout(), "  - {d}")?;
        }
        Err(crate::exit::AlreadyReported.into())
    }
}
