//! `report`: the monthly report for the Improvement Board, as Markdown or HTML.

use super::Context;
use crate::audits::Audits;
use crate::csvio::{self};
use crate::dates::Month;
use crate::exit::usage;
use crate::layouts::history;
use crate::layouts::reader::{RecordReader, present};
use crate::manifest::Manifest;
use crate::moderation::{self, By, Moderation, SummaryRow, Trend};
use crate::output::{self, Format};
use crate::problem::Problems;
use crate::render::Cell;
use crate::report::{self, Inputs, ModerationView, Sampling};
use crate::themes;
use anyhow::{Context as _, Result, bail};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The monthly report: headline figures, the learning focus, grade profiles,
/// moderation, themes, escalations, sampling coverage and methodology.
///
/// Every trend is read on a control chart: the headline's change since last
/// month, and each element's and team's row (special cause improvement or
/// concern, or common cause). A share or change on fewer than 5 audits shows as
/// "too few (n=…)". The whole service's report names no case (unless --ids) and
/// counts the overdue actions by team and by how long overdue (--actions all
/// lists them); printed, it is meant to fit on four A4 pages. Each [[focus]] of
/// the settings gets a row: its element before and since, the difference with its
/// 95% interval, and the signal since.
///
/// Reads the month's completed audits (and earlier months' for the change since
/// last month), and optionally the moderation results (--moderation), the sample (its manifest
/// is found beside it as SAMPLE.manifest.json), the allocation or the history (for
/// how many audits were allocated). Sections whose inputs are not given are left
/// out with a note. Writes Markdown, or with -f html / -o report.html one
/// self-contained HTML file with charts (no scripts, nothing fetched), printable on A4.
///
/// Team packs, for a team's managers: --team NAME reports on that team's audits
/// only (its grades beside the whole service's, its moderation, actions and
/// escalations, and a list of its audits); --per-team DIR writes one pack per team
/// with audits in the month as DIR/<team>.html and DIR/<team>.md, the team's name
/// made safe for a file name (lower case letters, digits and hyphens). A pack never
/// holds another team's case ids. DIR must be new or empty, unless --force.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit report --month 2026-11 --audits audits.csv --sample sample.csv --allocation allocation.csv -o report.html
  caseaudit report --month 2026-11 --audits audits.csv -f markdown > report.md
  caseaudit report --month 2026-11 --audits audits.csv --actions all -o report-all-actions.html
  caseaudit report --month 2026-11 --audits audits.csv --moderation moderation.csv --per-team packs")]
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
    /// Write a pack for every team with audits in the month: DIR/<team>.html and .md
    #[arg(long, value_name = "DIR", conflicts_with = "team")]
    per_team: Option<PathBuf>,
    /// Name cases by their ids in the whole service's report (a board paper may be
    /// published, so by default it names none; team packs always do)
    #[arg(long)]
    ids: bool,
    /// Overdue actions in the whole service's report: counted by team and how long
    /// overdue (summary), or listed one by one (all); team packs list them
    #[arg(long, value_name = "WHICH", default_value = "summary")]
    actions: Actions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Actions {
    Summary,
    All,
}

/// The report's format: HTML or Markdown, by `-f`, else by `-o`'s extension
/// (`.html`, `.htm`, `.md`, `.markdown`), else Markdown. Anything else is refused
/// rather than written as Markdown under another name.
fn report_format(ctx: &Context) -> Result<Format> {
    const ACCEPTED: &str =
        "the report is HTML or Markdown: -f html or -f markdown, or -o FILE.html or FILE.md";
    let extension = ctx
        .output_path
        .as_deref()
        .filter(|p| *p != std::path::Path::new("-"))
        .map(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase()
        });
    if let Some(ext) = &extension
        && !["html", "htm", "md", "markdown"].contains(&ext.as_str())
    {
        let shown = if ext.is_empty() {
            "no extension".to_string()
        } else {
            format!(".{ext}")
        };
        return Err(usage(format!("cannot write the report as {shown}: {ACCEPTED}")));
    }
    match ctx.format {
        Format::Html => Ok(Format::Html),
        Format::Markdown => Ok(Format::Markdown),
        // No -f and no -o: standard output gets Markdown.
        Format::Table | Format::Csv if !ctx.format_given && extension.is_none() => Ok(Format::Markdown),
        other => Err(usage(format!(
            "cannot write the report as {}: {ACCEPTED}",
            format!("{other:?}").to_lowercase()
        ))),
    }
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    // Team packs are written in both formats, whatever -f says.
    let format = if args.per_team.is_some() {
        Format::Html
    } else {
        report_format(ctx)?
    };
    if args.per_team.is_some() && ctx.output_path.is_some() {
        return Err(usage(
            "--per-team writes its own files into DIR; leave out -o (run once more with -o for the whole service's report)",
        ));
    }
    let (audits, ()) = ctx.read_audits(&args.audits, |_| Ok(()))?;
    if let Some(team) = &args.team {
        let known = audits.list.iter().any(|a| same_team(&a.team, team));
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
    if !audits.list.iter().any(|a| a.month == args.month) {
        ctx.note(format!(
            "warning: no audits for {} in the files given; the report will say so",
            args.month
        ));
    }
    let manifest = match &args.sample {
        Some(path) => Some(read_manifest(path)?),
        None => None,
    };
    let allocated = match (&args.allocation, &args.history) {
        (Some(path), _) | (None, Some(path)) => Some(count_allocated(ctx, path, args.month)?),
        (None, None) => None,
    };
    let results = match &args.moderation {
        Some(path) => Some(ctx.read_moderation(path, &audits)?),
        None => None,
    };
    let pack = |team: Option<&str>| {
        let inputs = Inputs {
            month: args.month,
            as_of: ctx.as_of,
            audits: &audits,
            team,
            allocated: allocated.as_ref().map(|a| a.of(team)),
            sampling: manifest.as_ref().map(|(m, path, sha)| Sampling {
                manifest: m,
                path: path.clone(),
                sha256: sha.clone(),
            }),
            moderation: results
                .as_deref()
                .map(|r| team_moderation_view(&audits, r, args.month, team)),
            moderations: results.as_deref(),
            redact: ctx.render.redact.as_deref(),
            ids: args.ids,
            all_actions: args.actions == Actions::All,
            foci: &ctx.settings.focus,
        };
        report::build(&inputs)
    };
    if let Some(dir) = &args.per_team {
        return write_packs(ctx, dir, &audits, args.month, &pack);
    }
    let built = pack(args.team.as_deref());
    let text = match format {
        Format::Html => report::html(&built),
        _ => report::markdown(&built),
    };
    let mut out = ctx.open_output()?;
    out.write_all(text.as_bytes())?;
    out.flush()?;
    out.commit()?;
    Ok(())
}

/// Teams are the same when their names are, ignoring case and spacing.
fn same_team(a: &str, b: &str) -> bool {
    crate::values::header_key(a) == crate::values::header_key(b)
}

/// One pack per team with audits in the month, as DIR/<team>.html and .md. Every
/// pack is built before any is written; DIR must be empty or new, unless --force.
fn write_packs(
    ctx: &Context,
    dir: &Path,
    audits: &Audits,
    month: Month,
    pack: &dyn Fn(Option<&str>) -> report::Report,
) -> Result<()> {
    let mut teams: Vec<String> = Vec::new();
    for a in audits.list.iter().filter(|a| a.month == month) {
        if !teams.iter().any(|t| same_team(t, &a.team)) {
            teams.push(a.team.clone());
        }
    }
    if teams.is_empty() {
        bail!("no audits for {month} in the audits given, so no team packs to write");
    }
    teams.sort_by_key(|t| crate::values::header_key(t));
    if dir.exists() {
        if !dir.is_dir() {
            bail!(
                "{} is not a folder: --per-team needs a folder to write the packs into",
                dir.display()
            );
        }
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot read the folder {}", dir.display()))?;
        if entries.next().is_some() && !ctx.force {
            bail!(
                "the folder {} is not empty; choose a new or empty folder, or use --force to replace packs in it",
                dir.display()
            );
        }
    }
    let built: Vec<(String, String)> = teams
        .iter()
        .map(|t| {
            let r = pack(Some(t));
            (report::html(&r), report::markdown(&r))
        })
        .collect();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let stems = report::file_stems(&teams);
    output::write_file_atomic(
        &dir.join("index.html"),
        pack_index(month, &teams, &stems).as_bytes(),
        ctx.force,
    )?;
    for ((team, stem), (html, md)) in teams.iter().zip(stems).zip(built) {
        for (ext, text) in [("html", html), ("md", md)] {
            let path = dir.join(format!("{stem}.{ext}"));
            output::write_file_atomic(&path, text.as_bytes(), ctx.force)?;
        }
        if ctx.verbose {
            ctx.note(format!("{team}: {}", dir.join(format!("{stem}.html")).display()));
        }
    }
    ctx.note(format!(
        "team packs for {month}: {}, HTML and Markdown, in {}",
        crate::values::counted(teams.len() as u64, "team", "teams"),
        dir.display()
    ));
    Ok(())
}

/// The packs' index: one link a team, for whoever hands them out.
fn pack_index(month: Month, teams: &[String], stems: &[String]) -> String {
    use crate::charts::esc;
    let mut items = String::new();
    for (team, stem) in teams.iter().zip(stems) {
        items.push_str(&format!(
            "<li><a href=\"{}.html\">{}</a> (<a href=\"{}.md\">Markdown</a>)</li>\n",
            esc(stem),
            esc(team),
            esc(stem)
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Team packs, {month}</title></head>\n<body style=\"font-family: Arial, sans-serif; max-width: 40rem; margin: 2rem auto\">\n<h1>Team packs, {month}</h1>\n<p>One pack a team with audits in the month: the team's audits and grades beside the whole service's. For the team's managers; each names its cases.</p>\n<ul>\n{items}</ul>\n</body></html>\n"
    )
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
    let sha = crate::csvio::file_sha256(&manifest_path)?.unwrap_or_default();
    Ok((manifest, csvio::display_name(&manifest_path), sha))
}

/// How many audits an allocation (or the history) holds for the month, in all
/// and per team.
struct Allocated {
    total: u64,
    by_team: HashMap<String, u64>,
}

impl Allocated {
    fn of(&self, team: Option<&str>) -> u64 {
        match team {
            None => self.total,
            Some(t) => self
                .by_team
                .get(&crate::values::header_key(t))
                .copied()
                .unwrap_or(0),
        }
    }
}

fn count_allocated(ctx: &Context, path: &Path, month: Month) -> Result<Allocated> {
    let csvio::Input { name, reader, .. } = ctx.table(path)?;
    let mut reader = RecordReader::new(&name, reader).map_err(|p| Problems(vec![p]))?;
    // The history's headings as its settings map them; an allocation has the same names.
    let found = reader
        .resolve(&history::HEADINGS, &ctx.settings.history.columns)
        .map_err(Problems)?;
    let (c_month, c_team) = (found.col("month"), found.col("team"));
    // A ledger given here: its replaced rows were never audits.
    let c_replaced = found.col("replaced_on");
    let mut counts = Allocated {
        total: 0,
        by_team: HashMap::new(),
    };
    let mut rec = csv::StringRecord::new();
    while let Some(next) = reader.next(&mut rec) {
        next.map_err(|p| Problems(vec![p]))?;
        if present(&rec, c_month).and_then(|m| m.parse::<Month>().ok()) != Some(month)
            || present(&rec, c_replaced).is_some()
        {
            continue;
        }
        counts.total += 1;
        if let Some(team) = present(&rec, c_team) {
            *counts.by_team.entry(crate::values::header_key(team)).or_default() += 1;
        }
    }
    Ok(counts)
}

/// The moderation section, of one team's audits in a team pack.
fn team_moderation_view(
    audits: &Audits,
    results: &[Moderation],
    month: Month,
    team: Option<&str>,
) -> ModerationView {
    let Some(team) = team else {
        return moderation_view(audits, results, month);
    };
    let (own, moved) = audits.subset(|a| same_team(&a.team, team));
    let own_results: Vec<Moderation> = results
        .iter()
        .filter_map(|m| {
            let i = moved[m.audit?]?;
            Some(Moderation {
                audit: Some(i),
                ..m.clone()
            })
        })
        .collect();
    moderation_view(&own, &own_results, month)
}

/// The moderation section: the month's figures, a table by month up to it, and
/// the trend of grades changed and audits challenged.
fn moderation_view(audits: &Audits, results: &[Moderation], month: Month) -> ModerationView {
    let rows: Vec<SummaryRow> = moderation::summarise(audits, results, By::Month)
        .into_iter()
        .filter(|r| r.group.parse::<Month>().is_ok_and(|m| m <= month) && r.moderated > 0)
        .collect();
    let pct = |p: Option<f64>| p.map_or_else(|| "–".to_string(), |x| format!("{x:.1}%"));
    // A share of fewer than a handful of moderated audits says little: the count
    // of them instead.
    let count_of = |k: u64, p: Option<f64>, n: u64| {
        if n < themes::TOO_FEW_BELOW {
            format!("{k} of {n}, {} for a percentage", themes::too_few(n))
        } else {
            format!("{k} ({})", pct(p))
        }
    };
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
                        "{}: {} up, {} down",
                        count_of(r.changed, r.pct_changed, r.moderated),
                        r.up,
                        r.down
                    ),
                ),
                (
                    "Audits challenged".to_string(),
                    count_of(r.challenged, r.pct_challenged, r.moderated),
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
            // A month against the one before, each of a handful of audits, says
            // nothing; a change is read against the usual variation.
            let at = rows.iter().position(|x| x.group == r.group).expect("found above");
            let before = at.checked_sub(1).map(|b| rows[b].moderated);
            let few = |n: u64| n < themes::TOO_FEW_BELOW;
            if let (Some(c), Some(h), Some(b)) = (r.changed_trend, r.challenged_trend, before) {
                let words = if few(r.moderated) || few(b) {
                    format!("too few to compare (n={b}, then n={})", r.moderated)
                } else {
                    format!("{} grades changed, {} audits challenged", c.name(), h.name())
                };
                figures.push(("Since the month before".to_string(), words));
            }
            let changed: Vec<f64> = rows[..=at].iter().filter_map(|r| r.pct_changed).collect();
            if !few(r.moderated)
                && let Some(signal) = report::changed_signal(&changed)
            {
                figures.push(("Grades changed, on its control chart".to_string(), signal));
            }
            figures
        }
    };
    let columns = [
        "month",
        "audits moderated",
        "% grades changed",
        "changed, against the month before",
        "% challenged",
        "challenged, against the month before",
        "agreement (weighted kappa)",
    ]
    .map(String::from)
    .to_vec();
    let trend_cell = |t: Option<Trend>| Cell::text(t.map_or("", Trend::name));
    let table = rows
        .iter()
        .map(|r| {
            let share = |p: Option<f64>| {
                if r.moderated < themes::TOO_FEW_BELOW {
                    Cell::text(themes::too_few(r.moderated))
                } else {
                    Cell::opt_num(p, 1)
                }
            };
            vec![
                Cell::text(&r.group),
                Cell::from(r.moderated),
                share(r.pct_changed),
                trend_cell(r.changed_trend),
                share(r.pct_challenged),
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
