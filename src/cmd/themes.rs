//! `themes`: the grade profile and theme tags of completed audits.

use super::Context;
use crate::audits::{Audit, Audits};
use crate::dates::Month;
use crate::exit::usage;
use crate::filter::Filter;
use crate::output::Format;
use crate::render::{Cell, RowWriter};
use crate::spc;
use crate::themes::{self, GroupBy, ProfileRow, Query, TagRow, WIDE_BELOW};
use anyhow::Result;
use std::io::Write;
use std::path::PathBuf;

/// Grade profile of completed audits: for each group and element, how many audits
/// gave each grade, the share good or better, and its 95% confidence interval.
///
/// Reads one or more audits files (audit_id, case_id, month, auditor_id, team,
/// overall, one column per element of the template, …). Grades not given (empty,
/// N/A) are left out of the figures. Writes one row per group and element, the
/// overall grade first; with --month, only that month, beside the month before
/// (prev_pct_good_or_better, change in percentage points). With --tags, how many
/// audits name each strength and learning tag instead. With --trend, one row per
/// month of the overall share good or better on a statistical process control
/// (XmR) chart: the mean, the process limits and each month's signal, so a change
/// can be read as within the usual variation or as a special cause. With --focus,
/// one row per learning focus of the settings ([[focus]]): the element's share good
/// or better before and since the focus began, the difference with its 95%
/// interval (Newcombe's hybrid score method) and the element's control chart
/// signal since. In a table, rows with fewer than 10 grades are marked: their
/// interval is wide; a share or change on fewer than 5 audits is shown as
/// "too few (n=…)". CSV and JSON keep every figure for scripts, beside its count.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit themes audits-*.csv --month 2026-11
  caseaudit themes audits.csv --by team --where \"frame = neglect\" -o neglect-by-team.csv
  caseaudit themes audits.csv --tags --month 2026-11 -f markdown
  caseaudit themes audits.csv --trend
  caseaudit themes audits.csv --focus")]
pub(crate) struct Args {
    /// Completed audits file(s); several months may be given together
    #[arg(required = true, value_name = "AUDITS")]
    inputs: Vec<PathBuf>,
    /// Group the figures by this field (element: no grouping, one row per element)
    #[arg(long, value_name = "FIELD", default_value = "element")]
    by: By,
    /// Only audits matching this expression, e.g. "frame = neglect" or "overall = Inadequate"
    #[arg(long = "where", short = 'w', value_name = "EXPR", long_help = super::cli::WHERE_HELP)]
    filter: Option<String>,
    /// Only this month (YYYY-MM), compared with the month before
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<Month>,
    /// Count strengths and learning tags instead of grades
    #[arg(long)]
    tags: bool,
    /// The overall share good or better month by month, with its mean, process
    /// limits and special-cause signals (an XmR chart)
    #[arg(long, conflicts_with_all = ["tags", "month", "by"])]
    trend: bool,
    /// Each learning focus of the settings ([[focus]]): its element before and
    /// since, the difference with its 95% interval, and the signal since
    #[arg(long, conflicts_with_all = ["tags", "month", "by", "trend"])]
    focus: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum By {
    Element,
    Team,
    Service,
    Month,
    Auditor,
    Frame,
}

impl From<By> for GroupBy {
    fn from(b: By) -> GroupBy {
        match b {
            By::Element => GroupBy::Element,
            By::Team => GroupBy::Team,
            By::Service => GroupBy::Service,
            By::Month => GroupBy::Month,
            By::Auditor => GroupBy::Auditor,
            By::Frame => GroupBy::Frame,
        }
    }
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    if let Some(expr) = &args.filter {
        Filter::check_syntax(expr).map_err(|e| usage(e.to_string()))?;
    }
    let (audits, filter) = ctx.read_audits(&args.inputs, |layout| {
        Context::audit_filter(args.filter.as_deref(), layout, ctx.as_of)
    })?;
    let filter = filter.map(|f| f.for_rows(&audits.layout));
    let keep = |a: &Audit| filter.as_ref().is_none_or(|f| f.matches(a));
    let query = Query {
        by: args.by.into(),
        month: args.month,
    };
    let chosen = audits
        .list
        .iter()
        .filter(|a| args.month.is_none_or(|m| a.month == m) && keep(a))
        .count();
    let mut scope = crate::values::count(chosen, "audit");
    if let Some(m) = args.month {
        scope.push_str(&format!(" in {m}"));
    }
    if args.filter.is_some() {
        scope.push_str(" matching --where");
    }
    ctx.note(format!("themes of {scope} (of {} read)", audits.list.len()));
    let mut out = ctx.open_output()?;
    if args.trend {
        write_trend(ctx, &mut out, &audits, &keep)?;
    } else if args.focus {
        write_focus(ctx, &mut out, &audits, &keep)?;
    } else if args.tags {
        write_tags(ctx, &mut out, &themes::tags(&audits, &keep, query))?;
    } else {
        write_profile(
            ctx,
            &mut out,
            &audits,
            &themes::profile(&audits, &keep, query),
            query,
        )?;
    }
    out.flush()?;
    out.commit()
}

/// Whether the output is for people (a note column) rather than scripts.
fn for_people(format: Format) -> bool {
    matches!(format, Format::Table | Format::Markdown | Format::Html)
}

fn write_profile(
    ctx: &Context,
    out: &mut dyn Write,
    audits: &Audits,
    rows: &[ProfileRow],
    query: Query,
) -> Result<()> {
    let scale = &audits.scale;
    let levels = u8::try_from(scale.len()).unwrap_or(u8::MAX);
    let mut columns = vec!["group".to_string(), "element".to_string(), "graded".to_string()];
    columns.extend((0..levels).map(|g| scale.column_name(g)));
    columns.extend(
        ["good_or_better", "pct_good_or_better", "ci_low", "ci_high"]
            .iter()
            .map(|c| (*c).to_string()),
    );
    if query.compares() {
        columns.extend(["prev_pct_good_or_better".to_string(), "change".to_string()]);
    }
    let notes = for_people(ctx.format);
    if notes {
        columns.push("note".to_string());
    }
    // For people, a share or a change on too few audits is said as such; scripts
    // get the figures beside the counts they rest on.
    let share = |pct: Option<f64>, n: u64| {
        if notes && pct.is_some() && n < themes::TOO_FEW_BELOW {
            Cell::text(themes::too_few(n))
        } else {
            Cell::opt_num(pct, 1)
        }
    };
    let mut w = RowWriter::new(ctx.format, columns, out, ctx.render.clone())?;
    for r in rows {
        let mut cells = vec![
            Cell::text(&r.group),
            Cell::text(&audits.layout.elements[r.element].key),
            Cell::from(r.graded),
        ];
        cells.extend(r.counts.iter().map(|&c| Cell::from(c)));
        let hidden = notes && r.graded < themes::TOO_FEW_BELOW;
        cells.extend([
            Cell::from(r.good_or_better),
            share(r.pct, r.graded),
            if hidden {
                Cell::Empty
            } else {
                Cell::opt_num(r.ci.map(|c| c.0), 1)
            },
            if hidden {
                Cell::Empty
            } else {
                Cell::opt_num(r.ci.map(|c| c.1), 1)
            },
        ]);
        if query.compares() {
            let change = match r.change {
                Some(_) if notes && r.graded.min(r.prev_graded) < themes::TOO_FEW_BELOW => {
                    Cell::text(themes::too_few(r.graded.min(r.prev_graded)))
                }
                other => Cell::opt_num(other, 1),
            };
            cells.extend([share(r.prev_pct, r.prev_graded), change]);
        }
        if notes {
            cells.push(if r.graded < WIDE_BELOW && r.graded >= themes::TOO_FEW_BELOW {
                Cell::text(format!("wide interval: only {} graded", r.graded))
            } else {
                Cell::Empty
            });
        }
        w.write(cells)?;
    }
    w.finish()
}

fn write_trend(
    ctx: &Context,
    out: &mut dyn Write,
    audits: &Audits,
    keep: &dyn Fn(&Audit) -> bool,
) -> Result<()> {
    let mut columns = ["month", "n", "good", "pct", "mean", "lower", "upper", "signal"]
        .map(String::from)
        .to_vec();
    let notes = for_people(ctx.format);
    if notes {
        columns.push("note".to_string());
    }
    let mut w = RowWriter::new(ctx.format, columns, out, ctx.render.clone())?;
    let Some((rows, chart)) = themes::trend(audits, keep) else {
        ctx.note("no audit has an overall grade: no trend");
        return w.finish();
    };
    for (i, r) in rows.iter().enumerate() {
        let mut cells = vec![
            Cell::text(r.month.to_string()),
            Cell::from(r.graded),
            Cell::from(r.good_or_better),
            Cell::Num(r.point.value, 1),
            Cell::Num(chart.mean, 1),
            Cell::Num(chart.lower, 1),
            Cell::Num(chart.upper, 1),
            Cell::text(signal(&r.point)),
        ];
        if notes {
            cells.push(if chart.provisional && i + 1 == rows.len() {
                Cell::text(spc::PROVISIONAL_NOTE)
            } else {
                Cell::Empty
            });
        }
        w.write(cells)?;
    }
    if let Some(last) = rows.last() {
        let mut note = format!("{}: {}", last.month, chart.latest().as_str());
        if chart.provisional {
            note.push_str(&format!(" ({})", spc::PROVISIONAL_NOTE));
        }
        ctx.note(note);
    }
    w.finish()
}

/// One row per learning focus of the settings.
fn write_focus(
    ctx: &Context,
    out: &mut dyn Write,
    audits: &Audits,
    keep: &dyn Fn(&Audit) -> bool,
) -> Result<()> {
    let foci = &ctx.settings.focus;
    if foci.is_empty() {
        return Err(usage(
            "no learning focus in the settings: add a [[focus]] block (month, element, title) to the settings file",
        ));
    }
    let rows = themes::focus(audits, keep, foci, None);
    for f in foci {
        if !rows
            .iter()
            .any(|r| r.element == *f.element.get_ref() && r.title == f.title)
        {
            ctx.note(format!(
                "warning: focus \"{}\": no audits file holds the element \"{}\"",
                f.title,
                f.element.get_ref()
            ));
        }
    }
    let notes = for_people(ctx.format);
    let columns = [
        "focus",
        "element",
        "from",
        "before_graded",
        "before_good",
        "before_pct",
        "since_graded",
        "since_good",
        "since_pct",
        "difference",
        "ci_low",
        "ci_high",
        "signal",
    ]
    .map(String::from)
    .to_vec();
    let mut w = RowWriter::new(ctx.format, columns, out, ctx.render.clone())?;
    for r in &rows {
        let (before, since) = r.pcts();
        let few = notes && r.before.1.min(r.since.1) < themes::TOO_FEW_BELOW;
        let share = |pct: Option<f64>, n: u64| {
            if notes && n < themes::TOO_FEW_BELOW {
                Cell::text(themes::too_few(n))
            } else {
                Cell::opt_num(pct, 1)
            }
        };
        let part = |pick: fn(&(f64, f64, f64)) -> f64| {
            if few {
                Cell::Empty
            } else {
                Cell::opt_num(r.difference.as_ref().map(pick), 1)
            }
        };
        w.write(vec![
            Cell::text(&r.title),
            Cell::text(&r.element),
            Cell::text(r.start.to_string()),
            Cell::from(r.before.1),
            Cell::from(r.before.0),
            share(before, r.before.1),
            Cell::from(r.since.1),
            Cell::from(r.since.0),
            share(since, r.since.1),
            if few {
                Cell::text(themes::too_few(r.before.1.min(r.since.1)))
            } else {
                part(|d| d.0)
            },
            part(|d| d.1),
            part(|d| d.2),
            Cell::text(r.signal.map_or_else(String::new, |s| {
                let mut text = s.label.as_str().to_string();
                if s.provisional {
                    text.push_str(&format!(" ({} months: provisional)", s.months));
                }
                text
            })),
        ])?;
    }
    w.finish()
}

/// A point's label, with the rules behind a special cause.
fn signal(p: &spc::Point) -> String {
    if p.rules.is_empty() {
        return p.label.as_str().to_string();
    }
    let rules: Vec<&str> = p.rules.iter().map(|r| r.as_str()).collect();
    format!("{} ({})", p.label.as_str(), rules.join(", "))
}

fn write_tags(ctx: &Context, out: &mut dyn Write, rows: &[TagRow]) -> Result<()> {
    let columns = ["group", "kind", "tag", "audits", "pct_audits"]
        .map(String::from)
        .to_vec();
    let notes = for_people(ctx.format);
    let mut w = RowWriter::new(ctx.format, columns, out, ctx.render.clone())?;
    for r in rows {
        w.write(vec![
            Cell::text(&r.group),
            Cell::text(r.kind),
            Cell::text(&r.tag),
            Cell::from(r.audits),
            if notes && r.of < themes::TOO_FEW_BELOW {
                Cell::text(themes::too_few(r.of))
            } else {
                Cell::Num(r.pct, 1)
            },
        ])?;
    }
    w.finish()
}
