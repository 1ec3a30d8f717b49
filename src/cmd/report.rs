//! `report`: the monthly report for the Improvement Board, as Markdown or HTML.

use super::Context;
use crate::audits::Audits;
use crate::csvio::{self, Problems, RecordReader, present};
use crate::dates::Month;
use crate::exit::usage;
use crate::manifest::Manifest;
use crate::moderation::{self, By, Moderation, SummaryRow, Trend};
use crate::output::Format;
use crate::render::Cell;
use crate::report::{self, Inputs, ModerationView, Sampling};
use anyhow::{Context as _, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The monthly report: headline figures, grade profiles, moderation, themes,
/// escalations, sampling coverage and methodology.
///
/// Reads the month's completed audits (and earlier months' for the change since
/// last month), and optionally the moderation results (--moderation), the sample (its manifest
/// is found beside it as SAMPLE.manifest.json), the allocation or the history (for
/// how many audits were allocated). Sections whose inputs are not given are left
/// out with a note. Writes Markdown, or with -f html / -o report.html one
/// self-contained HTML file with charts (no scripts, nothing fetched), printable on A4.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit report --month 2026-11 --audits audits.csv --sample sample.csv --allocation allocation.csv -o report.html
  caseaudit report --month 2026-11 --audits audits.csv -f markdown > report.md")]
pub(crate) struct Args {
    /// The month reported on (YYYY-MM)
    #[arg(long, value_name = "YYYY-MM", required = true)]
    month: Month,
    /// Completed audits file(s); include earlier months for the month-on-month change
    #[arg(long, value_name = "FILE", required = true, num_args = 1..)]
    audits: Vec<PathBuf>,
    /// The sample (its manifest SAMPLE.manifest.json is read), or the manifest itself
    #[arg(long, value_name = "FILE")]
    sample: Option<PathBuf>,
    /// The month's allocation, for how many audits were allocated
    #[arg(long, value_name = "FILE")]
    allocation: Option<PathBuf>,
    /// The audit history, for how many audits were allocated (when no --allocation)
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// The moderation results, for the moderation section and its month-by-month trend
    #[arg(long, value_name = "FILE")]
    moderation: Option<PathBuf>,
    /// A team pack: this team's audits, beside the whole service's figures
    #[arg(long, value_name = "NAME")]
    team: Option<String>,
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    let format = match ctx.format {
        Format::Html => Format::Html,
        Format::Markdown | Format::Table | Format::Csv => Format::Markdown,
        other => {
            return Err(usage(
                format!("report writes markdown or html, not {other:?}").to_lowercase(),
            ));
        }
    };
    let (audits, ()) = ctx.read_audits(&args.audits, |_| Ok(()))?;
    if let Some(team) = &args.team {
        let known = audits
            .list
            .iter()
            .any(|a| crate::values::header_key(&a.team) == crate::values::header_key(team));
        if !known {
            let mut teams: Vec<&str> = audits.list.iter().map(|a| a.team.as_str()).collect();
            teams.sort_unstable();
            teams.dedup();
            return Err(usage(format!(
                "no audits for team \"{team}\" (teams in the audits: {})",
                teams.join(", ")
            )));
        }
    }
    let manifest = match &args.sample {
        Some(path) => Some(read_manifest(path)?),
        None => None,
    };
    let allocated = match (&args.allocation, &args.history) {
        (Some(path), _) | (None, Some(path)) => {
            Some(count_allocated(ctx, path, args.month, args.team.as_deref())?)
        }
        (None, None) => None,
    };
    let inputs = Inputs {
        month: args.month,
        as_of: ctx.as_of,
        audits: &audits,
        team: args.team.as_deref(),
        allocated,
        sampling: manifest.as_ref().map(|(m, path, sha)| Sampling {
            manifest: m,
            path: path.clone(),
            sha256: sha.clone(),
        }),
        moderation: match &args.moderation {
            Some(path) => Some(moderation_view(
                &audits,
                &super::moderate::read_results(ctx, path, &audits)?,
                args.month,
            )),
            None => None,
        },
        redact: ctx.render.redact.as_deref(),
    };
    let built = report::build(&inputs);
    let text = match format {
        Format::Html => report::html(&built),
        _ => report::markdown(&built),
    };
    let mut out = ctx.open_output()?;
    out.write_all(text.as_bytes())?;
    out.flush()?;
    out.commit()?;
    if let Some(path) = &ctx.output_path {
        ctx.note(format!("report: {}", path.display()));
    }
    Ok(())
}

/// The manifest of a sample: the file itself when it is JSON, else SAMPLE.manifest.json.
fn read_manifest(path: &Path) -> Result<(Manifest, String, String)> {
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let manifest_path = if is_json {
        path.to_path_buf()
    } else {
        PathBuf::from(format!("{}.manifest.json", path.display()))
    };
    let text = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read the sample's manifest {}", manifest_path.display()))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a caseaudit sample manifest", manifest_path.display()))?;
    let sha = super::sample::file_sha256(&manifest_path)?.unwrap_or_default();
    Ok((manifest, csvio::display_name(&manifest_path), sha))
}

/// How many audits an allocation (or the history) holds for the month (and team).
fn count_allocated(ctx: &Context, path: &Path, month: Month, team: Option<&str>) -> Result<u64> {
    let csvio::Input { name, reader, .. } = ctx.table(path)?;
    let mut reader = RecordReader::new(&name, reader).map_err(|p| Problems(vec![p]))?;
    let problems = reader.missing(&["month", "case_id"]);
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    let (c_month, c_team) = (reader.column("month"), reader.column("team"));
    let mut count = 0;
    let mut rec = csv::StringRecord::new();
    while let Some(next) = reader.next(&mut rec) {
        next.map_err(|p| Problems(vec![p]))?;
        let in_month = present(&rec, c_month).and_then(|m| m.parse::<Month>().ok()) == Some(month);
        let in_team = team.is_none_or(|t| {
            present(&rec, c_team)
                .is_some_and(|x| crate::values::header_key(x) == crate::values::header_key(t))
        });
        if in_month && in_team {
            count += 1;
        }
    }
    Ok(count)
}

/// The moderation section: the month's figures, a table by month up to it, and
/// the trend of grades changed and audits challenged.
fn moderation_view(audits: &Audits, results: &[Moderation], month: Month) -> ModerationView {
    let rows: Vec<SummaryRow> = moderation::summarise(audits, results, By::Month)
        .into_iter()
        .filter(|r| r.group.parse::<Month>().is_ok_and(|m| m <= month) && r.moderated > 0)
        .collect();
    let pct = |p: Option<f64>| p.map_or_else(|| "–".to_string(), |x| format!("{x:.1}%"));
    let kappa = |k: Option<f64>| k.map_or_else(|| "undefined".to_string(), |x| format!("{x:.2}"));
    let summary = match rows.iter().find(|r| r.group == month.to_string()) {
        None => vec![("Audits moderated".to_string(), format!("none in {month}"))],
        Some(r) => {
            let g = &r.agreement;
            let mut figures = vec![
                (
                    "Audits moderated".to_string(),
                    format!("{} of {}", r.moderated, r.audits),
                ),
                (
                    "Overall grades changed".to_string(),
                    format!(
                        "{} ({}): {} up, {} down",
                        r.changed,
                        pct(r.pct_changed),
                        r.up,
                        r.down
                    ),
                ),
                (
                    "Audits challenged".to_string(),
                    format!("{} ({})", r.challenged, pct(r.pct_challenged)),
                ),
                (
                    "Auditor and moderator agree".to_string(),
                    format!(
                        "{} exactly, {} within one grade ({} pairs of grades)",
                        pct(g.exact.map(|x| 100.0 * x)),
                        pct(g.within_one.map(|x| 100.0 * x)),
                        g.pairs
                    ),
                ),
                (
                    "Weighted kappa".to_string(),
                    format!(
                        "{} linear, {} quadratic",
                        kappa(g.kappa_linear),
                        kappa(g.kappa_quadratic)
                    ),
                ),
            ];
            if let (Some(c), Some(h)) = (r.changed_trend, r.challenged_trend) {
                figures.push((
                    "Since the month before".to_string(),
                    format!("{} grades changed, {} audits challenged", c.name(), h.name()),
                ));
            }
            figures
        }
    };
    let columns = [
        "month",
        "moderated",
        "pct_changed",
        "changed_trend",
        "pct_challenged",
        "challenged_trend",
        "kappa_quadratic",
    ]
    .map(String::from)
    .to_vec();
    let trend_cell = |t: Option<Trend>| Cell::text(t.map_or("", Trend::name));
    let table = rows
        .iter()
        .map(|r| {
            vec![
                Cell::text(&r.group),
                Cell::from(r.moderated),
                Cell::opt_num(r.pct_changed, 1),
                trend_cell(r.changed_trend),
                Cell::opt_num(r.pct_challenged, 1),
                trend_cell(r.challenged_trend),
                Cell::opt_num(r.agreement.kappa_quadratic, 2),
            ]
        })
        .collect();
    ModerationView {
        summary,
        table: Some((columns, table)),
        trend: rows
            .iter()
            .map(|r| (r.group.clone(), r.pct_changed, r.pct_challenged))
            .collect(),
    }
}
