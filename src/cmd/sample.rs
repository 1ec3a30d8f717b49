//! `sample`: draw the month's sample per the configured frames, with a manifest
//! that lets anyone re-derive it.

use super::Context;
use crate::config::{Layout, Settings};
use crate::csvio::{self, InputOptions};
use crate::dates::{Month, format_date};
use crate::extract::{Case, CaseRow, Schema, Std};
use crate::filter::{self, FieldKind, Filter, RowFilter, Value};
use crate::manifest::{FrameResult, FrameSpec, InputFile, Manifest, SamplingUsed, StratumResult};
use crate::problem::Problems;
use crate::render::{Cell, RowWriter};
use crate::sample::{self, Drawn, FramePlan, Keyer, Offer, Sampler};
use crate::scan;
use crate::{history, output};
use anyhow::{Result, anyhow, bail};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::collections::HashSet;
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
    /// The audit history, to leave out recently audited cases
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Where to write the manifest. Default: <output>.manifest.json beside -o
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
}

/// The sample's output columns (SPEC §6).
pub(crate) const COLUMNS: [&str; 12] = [
    "month",
    "frame",
    "stratum",
    "rank",
    "case_id",
    "team",
    "worker",
    "service",
    "status",
    "start_date",
    "end_date",
    "key",
];

/// What one drawn case carries into the output.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    team: String,
    worker: String,
    service: String,
    status: String,
    start: String,
    end: String,
}

/// Everything a draw needs; `verify` builds one from a manifest.
pub(crate) struct Job<'a> {
    pub(crate) settings: &'a Settings,
    pub(crate) extracts: &'a [PathBuf],
    pub(crate) history: Option<&'a Path>,
    pub(crate) seed: u64,
    pub(crate) seed_chosen_at_random: bool,
    pub(crate) month: Month,
    pub(crate) as_of: NaiveDate,
    pub(crate) input: &'a InputOptions,
    /// Use only history rows of months before the sampling month (`verify`, once
    /// the month's own allocation has been recorded).
    pub(crate) history_before_month: bool,
    /// Take each input file's SHA-256 for the manifest. Off when no manifest is
    /// written (a sample to standard output): the hash would be thrown away.
    pub(crate) hash_inputs: bool,
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
    let job = Job {
        settings: &ctx.settings,
        extracts: &args.inputs,
        history: args.history.as_deref(),
        seed,
        seed_chosen_at_random: random,
        month: args.month.unwrap_or_else(|| Month::of(ctx.as_of)),
        as_of: ctx.as_of,
        input: &ctx.input,
        history_before_month: false,
        hash_inputs: manifest_path.is_some(),
    };
    let (manifest, drawn) = draw(&job)?;
    if random {
        eprintln!("seed: {seed} (chosen at random; give --seed {seed} to draw the same sample again)");
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
    drawn: &[Drawn<Fields>],
) -> Result<()> {
    let mut w = RowWriter::new(
        ctx.format,
        COLUMNS.iter().map(|c| (*c).to_string()).collect(),
        out,
        ctx.render.clone(),
    )?;
    for d in drawn {
        let f = &d.payload;
        w.write(vec![
            Cell::text(&manifest.month),
            Cell::text(&manifest.frames[d.frame].name),
            Cell::text(&d.stratum),
            Cell::Int(i64::try_from(d.rank).unwrap_or(i64::MAX)),
            Cell::text(&d.case_id),
            Cell::text(&f.team),
            Cell::text(&f.worker),
            Cell::text(&f.service),
            Cell::text(&f.status),
            Cell::text(&f.start),
            Cell::text(&f.end),
            Cell::text(sample::key_hex(d.key)),
        ])?;
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

/// Draws a sample and describes it in a manifest.
pub(crate) fn draw(job: &Job<'_>) -> Result<(Manifest, Vec<Drawn<Fields>>)> {
    let settings = job.settings;
    let frames = &settings.sampling.frames;
    let sha256 = |path: &Path| {
        if job.hash_inputs {
            scan::file_sha256(path)
        } else {
            Ok(None)
        }
    };
    if frames.is_empty() {
        bail!("no sampling frames are configured: add [[sampling.frames]] to the settings file");
    }
    let mut inputs = Vec::new();
    let excluded = match job.history {
        Some(path) => {
            let csvio::Input { name, reader, .. } = csvio::open_table(path, job.input)?;
            let mut entries = history::read(&name, reader).map_err(Problems)?;
            if job.history_before_month {
                entries.retain(|e| e.month < job.month);
            }
            inputs.push(InputFile {
                role: "history".into(),
                path: csvio::display_name(path),
                sha256: sha256(path)?,
                rows: entries.len() as u64,
            });
            let window = i64::from(settings.sampling.exclude_audited_within_months);
            entries
                .into_iter()
                .filter(|e| (0..window).contains(&job.month.months_since(e.month)))
                .map(|e| e.case_id)
                .collect()
        }
        None => HashSet::new(),
    };
    let plans: Vec<FramePlan> = frames
        .iter()
        .map(|f| FramePlan {
            name: f.name.clone(),
            size: f.size,
            stratified: f.stratify.is_some(),
            per_stratum: f.per_stratum,
        })
        .collect();
    let mut sampler: Sampler<Fields> = Sampler::new(plans.clone());
    let mut tables = super::extract_inputs(job.extracts, settings, job.input, &mut |n| eprintln!("{n}"))?;
    let mut hashed = None;
    let rows_by_source: Vec<(PathBuf, u64)> = if tables.len() == 1 {
        // One table streams, on both cores: memory grows with the sample, not the extract.
        let input = tables.pop().expect("one table");
        let source = input.source.clone();
        let prepare = |schema: &Schema| -> Result<Frames<'_>> {
            Ok(Frames {
                plans: plans.clone(),
                compiled: compile_frames(settings, schema, job.as_of)?,
                excluded: &excluded,
                keyer: Keyer::new(job.seed),
            })
        };
        let (_, scanned) = scan::scan(input, settings, job.as_of, job.hash_inputs, prepare)?;
        if scanned.has_errors() {
            return Err(Problems(scanned.problems).into());
        }
        for part in scanned.parts {
            sampler.merge(part);
        }
        hashed = Some((source.clone(), scanned.sha256));
        vec![(source, scanned.rows_read)]
    } else {
        let (extract, rows) = super::read_extract(tables, settings, job.as_of)?;
        let compiled = compile_frames(settings, &extract.schema, job.as_of)?;
        let keyer = Keyer::new(job.seed);
        for case in extract.cases() {
            offer(&mut sampler, &compiled, &excluded, &keyer, case);
        }
        rows
    };
    if rows_by_source.iter().all(|(_, rows)| *rows == 0) {
        let names: Vec<String> = rows_by_source
            .iter()
            .map(|(p, _)| csvio::display_name(p))
            .collect();
        bail!(
            "{} has a header but no case files: there is nothing to sample",
            names.join(", ")
        );
    }
    let mut extract_inputs = Vec::new();
    for (path, rows) in rows_by_source {
        let hash = match hashed.take() {
            Some((source, hash)) if source == path => hash,
            _ => sha256(&path)?,
        };
        extract_inputs.push(InputFile {
            role: "extract".into(),
            path: csvio::display_name(&path),
            sha256: hash,
            rows,
        });
    }
    extract_inputs.extend(inputs);
    let draw = sampler.draw();
    let frame_results = frames
        .iter()
        .enumerate()
        .map(|(fi, f)| {
            let (counts, strata) = &draw.frames[fi];
            FrameResult {
                name: f.name.clone(),
                eligible: counts.eligible,
                excluded_by_history: counts.excluded_by_history,
                excluded_no_team: counts.excluded_no_team,
                taken_by_earlier_frames: counts.taken_earlier,
                drawn: counts.drawn,
                shortfall: counts.shortfall,
                strata: if f.stratify.is_some() || f.per_stratum.is_some() {
                    strata
                        .iter()
                        .map(|s| StratumResult {
                            value: s.value.clone(),
                            eligible: s.eligible,
                            quota: s.quota,
                            drawn: s.drawn,
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                cases: draw
                    .cases
                    .iter()
                    .filter(|c| c.frame == fi)
                    .map(|c| c.case_id.clone())
                    .collect(),
            }
        })
        .collect();
    let manifest = Manifest {
        tool: "caseaudit".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        method: sample::METHOD.into(),
        seed: job.seed,
        seed_chosen_at_random: job.seed_chosen_at_random,
        month: job.month.to_string(),
        as_of: format_date(job.as_of),
        settings: SamplingUsed {
            exclude_audited_within_months: settings.sampling.exclude_audited_within_months,
            frames: frames
                .iter()
                .map(|f| FrameSpec {
                    name: f.name.clone(),
                    filter: f.filter.get_ref().clone(),
                    size: f.size,
                    stratify: f.stratify.clone(),
                    per_stratum: f.per_stratum,
                })
                .collect(),
            extract_layout: match settings.extract.layout {
                Layout::Standard => "standard".into(),
                Layout::AnnexA => "annex-a".into(),
            },
            extract_columns: settings
                .extract
                .columns
                .iter()
                .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                .collect(),
        },
        inputs: extract_inputs,
        frames: frame_results,
    };
    Ok((manifest, draw.cases))
}

/// The frames as a [`scan::Fold`]: each thread offers its rows to a sampler of its
/// own, and the samplers are merged (in any order: the draw is the same).
struct Frames<'a> {
    plans: Vec<FramePlan>,
    compiled: Vec<CompiledFrame>,
    excluded: &'a HashSet<String>,
    keyer: Keyer,
}

impl scan::Fold for Frames<'_> {
    type Part = Sampler<Fields>;
    const IN_ORDER: bool = false;

    fn part(&self) -> Sampler<Fields> {
        Sampler::new(self.plans.clone())
    }

    fn take(&self, part: &mut Sampler<Fields>, case: Case<'_>) {
        offer(part, &self.compiled, self.excluded, &self.keyer, case);
    }
}

struct CompiledFrame {
    filter: RowFilter<CaseRow>,
    stratify: Option<usize>,
}

fn compile_frames(
    settings: &Settings,
    schema: &crate::extract::Schema,
    as_of: NaiveDate,
) -> Result<Vec<CompiledFrame>> {
    settings
        .sampling
        .frames
        .iter()
        .map(|f| {
            let filter = Filter::compile(f.filter.get_ref(), schema, as_of)
                .map_err(|e| anyhow!("sampling frame \"{}\": {e}", f.name))?
                .for_rows(schema);
            let stratify = match &f.stratify {
                None => None,
                Some(field) => match filter::Schema::resolve(schema, field) {
                    Some((_, FieldKind::List)) => {
                        bail!("sampling frame \"{}\": cannot stratify by \"{field}\", a list field", f.name)
                    }
                    Some((id, _)) => Some(id),
                    None => bail!(
                        "sampling frame \"{}\": stratify = \"{field}\" is not a field of the extract (known: {})",
                        f.name,
                        filter::Schema::known_fields(schema).join(", ")
                    ),
                },
            };
            Ok(CompiledFrame { filter, stratify })
        })
        .collect()
}

fn offer(
    sampler: &mut Sampler<Fields>,
    frames: &[CompiledFrame],
    excluded: &HashSet<String>,
    keyer: &Keyer,
    case: Case<'_>,
) {
    // Per frame: the stratum when the case is eligible. Borrowed from the row: a
    // million rows allocate nothing until a frame keeps one.
    let mut eligible: [Option<Cow<'_, str>>; 8] = Default::default();
    let mut more: Vec<Option<Cow<'_, str>>> = Vec::new();
    let mut any = false;
    let no_team = case.get(Std::Team).is_none();
    let in_history = !excluded.is_empty() && excluded.contains(case.case_id());
    for (fi, frame) in frames.iter().enumerate() {
        let mut stratum = None;
        if frame.filter.matches(case.row) {
            if no_team {
                sampler.excluded_no_team(fi);
            } else if in_history {
                sampler.excluded_by_history(fi);
            } else {
                any = true;
                stratum = Some(
                    frame
                        .stratify
                        .map_or(Cow::Borrowed(""), |f| stratum_value(&case, f)),
                );
            }
        }
        match eligible.get_mut(fi) {
            Some(slot) => *slot = stratum,
            None => more.push(stratum),
        }
    }
    if !any {
        return;
    }
    let strata = || eligible.iter().take(frames.len()).chain(more.iter());
    let key = keyer.key(case.case_id());
    let mut wanted = [false; 8];
    let mut wanted_more = Vec::new();
    let mut kept = false;
    for (fi, stratum) in strata().enumerate() {
        let keep = stratum
            .as_deref()
            .is_some_and(|s| sampler.count(fi, s, key, case.case_id()));
        kept |= keep;
        match wanted.get_mut(fi) {
            Some(w) => *w = keep,
            None => wanted_more.push(keep),
        }
    }
    if !kept {
        return;
    }
    let text = |s: Std| case.get(s).unwrap_or("").to_string();
    let offer = Offer {
        key,
        case_id: case.case_id().to_string(),
        frames: strata().map(|s| s.as_deref().map(str::to_string)).collect(),
        payload: Fields {
            team: text(Std::Team),
            worker: text(Std::Worker),
            service: text(Std::Service),
            status: case.status().to_string(),
            start: case.start_date().map(format_date).unwrap_or_default(),
            end: case.end_date().map(format_date).unwrap_or_default(),
        },
    };
    let wanted: Vec<bool> = wanted
        .iter()
        .take(frames.len())
        .copied()
        .chain(wanted_more)
        .collect();
    sampler.keep(offer, &wanted);
}

fn stratum_value<'c>(case: &'c Case<'_>, field: usize) -> Cow<'c, str> {
    match filter::Row::value(case, field) {
        Value::Missing | Value::List(_) => Cow::Borrowed(""),
        Value::Text(t) => Cow::Borrowed(t),
        Value::Bool(b) => Cow::Borrowed(if b { "yes" } else { "no" }),
        Value::Number(n) => Cow::Owned(n.to_string()),
        Value::Date(d) => Cow::Owned(format_date(d.date())),
    }
}
