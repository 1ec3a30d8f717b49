//! `moderate select` and `moderate summary`: choose the audits to moderate, and
//! report what moderation changed and how far auditors and moderators agree.

use super::Context;
use crate::audits::{self, Audit};
use crate::csvio::{self};
use crate::dates::Month;
use crate::exit::usage;
use crate::filter::Filter;
use crate::layouts::reader::RecordReader;
use crate::moderation::{self, By, MIN_PAIRS, Months, Reason, Rules, Selection, SummaryRow, Trend};
use crate::output::Format;
use crate::render::{Cell, RowWriter};
use crate::values::count;
use anyhow::{Result, anyhow, bail};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Choose audits to moderate, or summarise what moderation changed.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    Select(SelectArgs),
    Summary(SummaryArgs),
}

/// Choose which of a month's completed audits to moderate.
///
/// Reads the audits file(s) and, with --moderation, the moderation results of
/// earlier months. Chooses every audit matching `[moderation] always` (default:
/// overall = Inadequate), then audits of each auditor who is due: fewer than
/// --min-per-auditor audits moderated within --auditor-window-months (this month
/// and the ones before it), then a random share --rate of the month's audits from
/// the rest. Without --moderation every auditor is due. Only results of audits of
/// months before this one count, so choosing again after this month's moderation
/// chooses the same audits. Random means smallest keys, where an audit's key is
/// the first 8 bytes of SHA-256("<seed>:<audit_id>"), so the same seed always
/// chooses the same audits. Writes audit_id, case_id, auditor_id, reason (always,
/// auditor-due, random).
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit moderate select audits.csv --month 2026-11 --moderation moderation.csv --seed 20261 -o to-moderate.csv
  caseaudit moderate select audits-*.csv --moderation moderation-*.csv --auditor-window-months 6
  caseaudit moderate select audits.csv --rate 0.2 --min-per-auditor 2")]
struct SelectArgs {
    /// Completed audits file(s), with the earlier months whose moderation counts
    #[arg(required = true, value_name = "AUDITS")]
    inputs: Vec<PathBuf>,
    /// The month whose audits to choose from (YYYY-MM). Default: the latest month in the audits
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<Month>,
    /// Moderation results of earlier months: auditors moderated enough within the window are not due
    #[arg(long, value_name = "FILE", num_args = 1..)]
    moderation: Vec<PathBuf>,
    /// Share of the month's audits to choose at random, 0 to 1. Default: [moderation] rate
    #[arg(long, value_name = "R", value_parser = parse_rate)]
    rate: Option<f64>,
    /// Moderate at least K audits of every auditor within the window. Default: [moderation] min_per_auditor
    #[arg(long, value_name = "K")]
    min_per_auditor: Option<u32>,
    /// Months of the window, this one included. Default: [moderation] auditor_window_months
    #[arg(long, value_name = "M", value_parser = clap::value_parser!(u32).range(1..=120))]
    auditor_window_months: Option<u32>,
    /// Seed of the keyed hash. Default: chosen at random and printed
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
}

/// What moderation changed, and how far auditors and moderators agree.
///
/// Reads the audits file(s) and, last, the moderation results (audit_id,
/// moderator_id, moderated_on, overall, challenged, note, and any re-graded
/// element columns). Writes per group: audits, moderated, overall grades agreed
/// and changed (up = the moderator's grade is better), challenged, and agreement
/// over every pair of auditor and moderator grades: exact, within one grade, and
/// Cohen's kappa with linear and quadratic weights over every grade of the scale.
/// Kappa is blank where it is undefined. --by month adds the direction of change
/// month on month (changed_trend, challenged_trend: fewer, same, more). --month,
/// or --from and --to, keep the audits of those months (the audit's month).
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit moderate summary audits.csv moderation.csv
  caseaudit moderate summary audits.csv moderation.csv --month 2026-11 --by auditor
  caseaudit moderate summary audits.csv moderation.csv --from 2026-06 --to 2026-11 --by month
  caseaudit moderate summary audits-*.csv moderation.csv --by month -f markdown
  caseaudit moderate summary audits.csv moderation.csv --by auditor")]
struct SummaryArgs {
    /// Completed audits file(s); several months may be given together
    #[arg(required = true, value_name = "AUDITS")]
    audits: Vec<PathBuf>,
    /// The moderation results (the last file)
    #[arg(required = true, value_name = "MODERATION")]
    results: PathBuf,
    /// One row per month, auditor, element or team (default: one row for all)
    #[arg(long, value_name = "FIELD")]
    by: Option<SummaryBy>,
    /// Only the audits of this month (YYYY-MM)
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["from", "to"])]
    month: Option<Month>,
    /// Only the audits of this month (YYYY-MM) and later
    #[arg(long, value_name = "YYYY-MM")]
    from: Option<Month>,
    /// Only the audits of this month (YYYY-MM) and earlier
    #[arg(long, value_name = "YYYY-MM")]
    to: Option<Month>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SummaryBy {
    Month,
    Auditor,
    Element,
    Team,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("\"{s}\" is not a share between 0 and 1 (e.g. 0.1)")),
    }
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    match &args.command {
        Sub::Select(a) => run_select(ctx, a),
        Sub::Summary(a) => run_summary(ctx, a),
    }
}

fn run_select(ctx: &Context, args: &SelectArgs) -> Result<()> {
    let settings = &ctx.settings.moderation;
    let rule = settings.always.get_ref();
    let (audits, always) = ctx.read_audits(&args.inputs, |layout| {
        Filter::compile(rule, layout, ctx.as_of)
            .map_err(|e| anyhow!("settings: key \"moderation.always\" does not fit the audits: {e}"))
    })?;
    let month = match args.month {
        Some(m) => m,
        None => {
            let latest = audits.list.iter().map(|a| a.month).max();
            let m = latest.ok_or_else(|| anyhow!("the audits files hold no audits"))?;
            ctx.note(format!(
                "month: {m} (the latest in the audits; choose another with --month)"
            ));
            m
        }
    };
    let (seed, random) = match args.seed {
        Some(s) => (s, false),
        None => (rand::random_range(1..=999_999_999), true),
    };
    let moderated = if args.moderation.is_empty() {
        None
    } else {
        let mut all = Vec::new();
        for path in &args.moderation {
            all.extend(ctx.read_moderation(path, &audits)?);
        }
        Some(all)
    };
    let always = always.for_rows(&audits.layout);
    let matches = |a: &Audit| always.matches(a);
    let rules = Rules {
        month,
        always: &matches,
        rate: args.rate.unwrap_or(settings.rate),
        min_per_auditor: args.min_per_auditor.unwrap_or(settings.min_per_auditor),
        window_months: args
            .auditor_window_months
            .unwrap_or(settings.auditor_window_months),
        seed,
    };
    let s = moderation::select(&audits, &rules, moderated.as_deref());
    if s.in_month == 0 {
        bail!("no audits for {month} in {}", audits.layout.files.join(", "));
    }
    if random {
        say!("seed: {seed} (chosen at random; give --seed {seed} to choose the same audits again)");
    }
    for line in select_notes(&rules, &s, moderated.is_some()) {
        ctx.note(line);
    }
    ctx.note(format!(
        "moderation sample for {month} (seed {seed}): {} of {}: {} always ({rule}), {} auditor-due ({}), {} random ({} of {})",
        s.picks.len(),
        crate::values::count(s.in_month, "audit"),
        s.count(Reason::Always),
        s.count(Reason::AuditorDue),
        due_text(&rules, &s, moderated.is_some()),
        s.count(Reason::Random),
        rules.rate,
        s.in_month,
    ));
    let mut out = ctx.open_output()?;
    let columns = ["audit_id", "case_id", "auditor_id", "reason"]
        .map(String::from)
        .to_vec();
    let mut w = RowWriter::new(ctx.format, columns, &mut out, ctx.render.clone())?;
    for &(i, reason, _) in &s.picks {
        let a = &audits.list[i];
        w.write(vec![
            Cell::text(&a.audit_id),
            Cell::text(&a.case_id),
            Cell::text(&a.auditor_id),
            Cell::text(reason.name()),
        ])?;
    }
    w.finish()?;
    out.flush()?;
    out.commit()
}

/// Which auditors were due, for the summary line.
fn due_text(rules: &Rules<'_>, s: &Selection, given: bool) -> String {
    let k = rules.min_per_auditor;
    let within = match rules.window_months {
        1 => "this month".to_string(),
        w => format!("{w} months"),
    };
    let (n, of) = (s.due.len(), s.auditors);
    let due = if n == 0 {
        format!("none of {} due", count(of, "auditor"))
    } else if !given {
        format!("{n} of {} due, none known to be moderated", count(of, "auditor"))
    } else {
        format!("{n} of {} due: {}", count(of, "auditor"), s.due.join(", "))
    };
    format!("at least {k} each within {within}; {due}")
}

/// What the earlier moderation results did, or that none were given.
fn select_notes(rules: &Rules<'_>, s: &Selection, given: bool) -> Vec<String> {
    let mut notes = Vec::new();
    let month = rules.month;
    if !given {
        if rules.window_months > 1 && rules.min_per_auditor > 0 {
            notes.push(format!(
                "every auditor is due: give the earlier moderation results with --moderation to spread the minimum over {} months ({} to {month})",
                rules.window_months,
                rules.window_start(),
            ));
        }
        return notes;
    }
    if rules.window_months > 1 {
        notes.push(format!(
            "{} earlier moderation result{} counted toward who is due ({} to {})",
            s.counted,
            if s.counted == 1 { "" } else { "s" },
            rules.window_start(),
            month.previous(),
        ));
    }
    if !s.months_without_audits.is_empty() {
        let months: Vec<String> = s.months_without_audits.iter().map(ToString::to_string).collect();
        notes.push(format!(
            "the audits hold none of {}: give those months' audits too, or their moderation cannot count",
            months.join(", ")
        ));
    }
    if s.left_out > 0 {
        notes.push(format!(
            "{} moderation result{} of audits of {month} or later left out: only earlier months decide who is due, so choosing again gives the same audits",
            s.left_out,
            if s.left_out == 1 { "" } else { "s" },
        ));
    }
    notes
}

fn run_summary(ctx: &Context, args: &SummaryArgs) -> Result<()> {
    let (results, audit_files) = (&args.results, &args.audits);
    for path in audit_files.iter().filter(|p| *p != Path::new("-")) {
        let csvio::Input { name, reader, .. } = ctx.table(path)?;
        // A moderator column without a case id: moderation results, not audits.
        let looks_moderated = RecordReader::new(&name, reader).is_ok_and(|r| {
            moderation::HEADINGS
                .find(&r.headers, &ctx.settings.moderation.columns)
                .col("moderator_id")
                .is_some()
                && audits::HEADINGS
                    .find(&r.headers, &ctx.settings.audits.columns)
                    .col("case_id")
                    .is_none()
        });
        if looks_moderated {
            return Err(usage(format!(
                "{name} looks like moderation results (it has a moderator_id column): \
                 give the audits file(s) first and the moderation results last"
            )));
        }
    }
    let (audits, ()) = ctx.read_audits(audit_files, |_| Ok(()))?;
    let moderations = ctx.read_moderation(results, &audits)?;
    let by = match args.by {
        None => By::All,
        Some(SummaryBy::Month) => By::Month,
        Some(SummaryBy::Auditor) => By::Auditor,
        Some(SummaryBy::Element) => By::Element,
        Some(SummaryBy::Team) => By::Team,
    };
    let months = match args.month {
        Some(m) => Months {
            from: Some(m),
            to: Some(m),
        },
        None => Months {
            from: args.from,
            to: args.to,
        },
    };
    if let (Some(from), Some(to)) = (months.from, months.to)
        && from > to
    {
        return Err(usage(format!("--from {from} is after --to {to}")));
    }
    if months != Months::ALL {
        let kept = audits.list.iter().filter(|a| months.contains(a.month)).count();
        let range = match (months.from, months.to) {
            (Some(f), Some(t)) if f == t => format!("of {f}"),
            (Some(f), Some(t)) => format!("of {f} to {t}"),
            (Some(f), None) => format!("of {f} or later"),
            (None, Some(t)) => format!("of {t} or earlier"),
            (None, None) => String::new(),
        };
        ctx.note(format!(
            "{} {range} (of {} read)",
            count(kept, "audit"),
            audits.list.len()
        ));
    }
    let rows = moderation::summarise_months(&audits, &moderations, by, months);
    let undefined: Vec<&str> = rows
        .iter()
        .filter(|r| r.moderated > 0 && r.agreement.kappa_linear.is_none())
        .map(|r| r.group.as_str())
        .collect();
    if !undefined.is_empty() {
        ctx.note(format!(
            "kappa is blank where it is undefined (fewer than {MIN_PAIRS} pairs of grades, or one grade given throughout): {}",
            undefined.join(", ")
        ));
    }
    let mut out = ctx.open_output()?;
    write_summary(ctx, &mut out, &rows, by)?;
    out.flush()?;
    out.commit()
}

/// The summary's columns (README.md#moderation), then the trend with `--by month`.
const SUMMARY_COLUMNS: [&str; 14] = [
    "group",
    "audits",
    "moderated",
    "overall_agreed",
    "overall_changed",
    "changed_up",
    "changed_down",
    "pct_changed",
    "challenged",
    "pct_challenged",
    "exact_agreement",
    "within_one",
    "kappa_linear",
    "kappa_quadratic",
];

fn write_summary(ctx: &Context, out: &mut dyn Write, rows: &[SummaryRow], by: By) -> Result<()> {
    let mut columns: Vec<String> = SUMMARY_COLUMNS.iter().map(|c| (*c).to_string()).collect();
    let trend = by == By::Month;
    if trend {
        columns.extend(["changed_trend".to_string(), "challenged_trend".to_string()]);
    }
    let notes = matches!(ctx.format, Format::Table | Format::Markdown | Format::Html);
    if notes {
        columns.push("note".to_string());
    }
    let mut w = RowWriter::new(ctx.format, columns, out, ctx.render.clone())?;
    let pct = |p: Option<f64>| Cell::opt_num(p.map(|x| 100.0 * x), 1);
    for r in rows {
        let g = &r.agreement;
        let mut cells = vec![
            Cell::text(&r.group),
            Cell::from(r.audits),
            Cell::from(r.moderated),
            Cell::from(r.agreed),
            Cell::from(r.changed),
            Cell::from(r.up),
            Cell::from(r.down),
            Cell::opt_num(r.pct_changed, 1),
            Cell::from(r.challenged),
            Cell::opt_num(r.pct_challenged, 1),
            pct(g.exact),
            pct(g.within_one),
            Cell::opt_num(g.kappa_linear, 3),
            Cell::opt_num(g.kappa_quadratic, 3),
        ];
        if trend {
            let name = |t: Option<Trend>| Cell::text(t.map_or("", Trend::name));
            cells.extend([name(r.changed_trend), name(r.challenged_trend)]);
        }
        if notes {
            cells.push(Cell::text(note(r)));
        }
        w.write(cells)?;
    }
    w.finish()
}

/// A reader's warning for a row of the summary table.
fn note(r: &SummaryRow) -> String {
    if r.moderated == 0 {
        String::new()
    } else if r.agreement.kappa_linear.is_none() {
        "kappa undefined".to_string()
    } else if r.agreement.pairs < 10 {
        format!("only {} pairs: read kappa with care", r.agreement.pairs)
    } else {
        String::new()
    }
}
