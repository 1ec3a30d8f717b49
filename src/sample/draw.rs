//! Drawing the month's sample from case extracts: the frames compiled against the
//! extract, each case offered to them as it is read, and the manifest that lets
//! anyone re-derive the draw (`verify` draws again from a manifest's [`Job`]).

use super::{Drawn, FramePlan, METHOD, Offer, Sampler};
use crate::config::Settings;
use crate::csvio::{self, InputOptions};
use crate::dates::{Month, format_date};
use crate::extract::{self, Case, CaseRow, Fold, Schema, Std};
use crate::filter::{self, FieldKind, Filter, RowFilter, Value};
use crate::keys::Keyer;
use crate::layouts::history;
use crate::manifest::{FrameResult, FrameSpec, InputFile, Manifest, SamplingUsed, StratumResult};
use crate::problem::Problems;
use anyhow::{Result, anyhow, bail};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What one drawn case carries into the output.
#[derive(Debug, Clone)]
pub(crate) struct SampledFields {
    pub(crate) team: String,
    pub(crate) worker: String,
    pub(crate) service: String,
    pub(crate) status: String,
    pub(crate) start: String,
    pub(crate) end: String,
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
    /// Take each input file's SHA-256 for the manifest. Off when no manifest is
    /// written (a sample to standard output): the hash would be thrown away.
    pub(crate) hash_inputs: bool,
}

/// Draws a sample and describes it in a manifest.
/// `note` hears of Annex A lists skipped and of rows folded into cases.
pub(crate) fn draw(
    job: &Job<'_>,
    note: &mut dyn FnMut(String),
) -> Result<(Manifest, Vec<Drawn<SampledFields>>)> {
    let settings = job.settings;
    let frames = &settings.sampling.frames;
    if frames.is_empty() {
        bail!("no sampling frames are configured: add [[sampling.frames]] to the settings file");
    }
    let mut inputs = Vec::new();
    let excluded = match job.history {
        Some(path) => {
            let csvio::Input { name, reader, .. } = csvio::open_table(path, job.input)?;
            let mut entries = history::read(&name, reader, &settings.history.columns).map_err(Problems)?;
            // Only the months before the sampling month: its own allocation, once
            // recorded, must not change its sample (a re-run after `record`).
            let before = entries.len();
            entries.retain(|e| e.month < job.month);
            let later = before - entries.len();
            if later > 0 {
                note(format!(
                    "{name} already holds {} of {} or later (recorded since?): the sample uses only the history before {}, as when first drawn",
                    crate::values::count(later, "row"),
                    job.month,
                    job.month
                ));
            }
            inputs.push(InputFile {
                role: "history".into(),
                path: csvio::display_name(path),
                sha256: csvio::file_sha256_if(job.hash_inputs, path)?,
                rows: entries.len() as u64,
            });
            let window = i64::from(settings.sampling.exclude_audited_within_months);
            entries
                .into_iter()
                // The W months before the sampling month (its own are left out above).
                .filter(|e| (1..=window).contains(&job.month.months_since(e.month)))
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
    let tables = extract::tables(job.extracts, settings, job.input, note)?;
    let prepare = |schema: &Schema| -> Result<Frames<'_>> {
        Ok(Frames {
            plans: plans.clone(),
            compiled: compile_frames(settings, schema, job.as_of)?,
            excluded: &excluded,
            keyer: Keyer::new(job.seed),
        })
    };
    let mut folded = extract::fold(tables, settings, job.as_of, job.hash_inputs, note, prepare)?;
    // Cases without a team are counted in the summary; cells the draw does not
    // read, which do not parse, are shown (the first few).
    let unread: Vec<String> = folded
        .warnings()?
        .into_iter()
        .filter(|w| w.is(crate::problem::Kind::Unparsed))
        .map(|w| w.to_string())
        .collect();
    const SHOWN: usize = 5;
    for w in unread.iter().take(SHOWN) {
        note(w.clone());
    }
    if unread.len() > SHOWN {
        note(format!(
            "… and {} more cells that do not parse in columns the sample does not read (see them all with `caseaudit validate`)",
            unread.len() - SHOWN
        ));
    }
    if folded.files.iter().all(|f| f.rows == 0) {
        let names: Vec<String> = folded
            .files
            .iter()
            .map(|f| csvio::display_name(&f.path))
            .collect();
        bail!(
            "{} has a header but no case files: there is nothing to sample",
            names.join(", ")
        );
    }
    let mut extract_inputs: Vec<InputFile> = folded
        .files
        .into_iter()
        .map(|f| InputFile {
            role: "extract".into(),
            path: csvio::display_name(&f.path),
            sha256: f.sha256,
            rows: f.rows,
        })
        .collect();
    extract_inputs.extend(inputs);
    let draw = folded.part.draw();
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
        commit: Some(env!("CASEAUDIT_COMMIT"))
            .filter(|c| !c.is_empty())
            .map(String::from),
        method: METHOD.into(),
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
            extract_layout: settings.extract.layout.name().into(),
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

/// The standard fields a sample writes (`layouts::sample::COLUMNS`), which a
/// draw therefore reads from every case.
pub(crate) const OUTPUT_FIELDS: &[Std] = &[
    Std::CaseId,
    Std::Team,
    Std::Worker,
    Std::Service,
    Std::Status,
    Std::StartDate,
    Std::EndDate,
];

/// The frames as a [`Fold`]: each thread offers its rows to a sampler of its
/// own, and the samplers are merged (in any order: the draw is the same).
struct Frames<'a> {
    plans: Vec<FramePlan>,
    compiled: Vec<CompiledFrame>,
    excluded: &'a HashSet<String>,
    keyer: Keyer,
}

impl Fold for Frames<'_> {
    type Part = Sampler<SampledFields>;
    const IN_ORDER: bool = false;

    fn part(&self) -> Sampler<SampledFields> {
        Sampler::new(self.plans.clone())
    }

    fn merge(&self, into: &mut Sampler<SampledFields>, part: Sampler<SampledFields>) {
        into.merge(part);
    }

    fn take(&self, part: &mut Sampler<SampledFields>, case: Case<'_>) {
        offer(part, &self.compiled, self.excluded, &self.keyer, case);
    }

    fn fields(&self, schema: &Schema) -> Vec<usize> {
        let mut fields = schema.std_fields(OUTPUT_FIELDS);
        for frame in &self.compiled {
            fields.extend(frame.filter.fields());
            fields.extend(frame.stratify);
        }
        fields
    }
}

struct CompiledFrame {
    filter: RowFilter<'static, CaseRow>,
    stratify: Option<usize>,
}

fn compile_frames(settings: &Settings, schema: &Schema, as_of: NaiveDate) -> Result<Vec<CompiledFrame>> {
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
                Some(field) => match filter::FieldNames::resolve(schema, field) {
                    Some((_, FieldKind::List)) => {
                        bail!("sampling frame \"{}\": cannot stratify by \"{field}\", a list field", f.name)
                    }
                    Some((id, _)) => Some(id),
                    None => bail!(
                        "sampling frame \"{}\": stratify = \"{field}\" is not a field of the extract (known: {})",
                        f.name,
                        filter::FieldNames::known_fields(schema).join(", ")
                    ),
                },
            };
            Ok(CompiledFrame { filter, stratify })
        })
        .collect()
}

fn offer(
    sampler: &mut Sampler<SampledFields>,
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
        payload: SampledFields {
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
    match case.value(field) {
        Value::Missing | Value::List(_) => Cow::Borrowed(""),
        Value::Text(t) => Cow::Borrowed(t),
        Value::Bool(b) => Cow::Borrowed(if b { "yes" } else { "no" }),
        Value::Number(n) => Cow::Owned(n.to_string()),
        Value::Date(d) => Cow::Owned(format_date(d.date())),
    }
}
