//! `actions`: the actions and escalations raised by completed audits.

use super::Context;
use crate::actions::{self, Status};
use crate::audits::Audit;
use crate::dates::format_date;
use crate::exit::usage;
use crate::filter::Filter;
use crate::render::{Cell, RowWriter};
use anyhow::Result;
use std::io::Write;
use std::path::PathBuf;

/// Actions and escalations raised by audits, escalations and overdue actions first.
///
/// Reads one or more audits files. Writes one row per audit with an action or a
/// reason to escalate: its action, owner, due date and status on --as-of (open,
/// overdue, done). `escalate` names why an audit must go to a manager at once:
/// `inadequate` (the worst overall grade) and `safeguarding` (a safeguarding
/// concern). Escalations come first, then overdue actions, then by due date.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit actions audits.csv
  caseaudit actions audits-*.csv --overdue -o overdue.csv
  caseaudit actions audits.csv --where \"team = 'Locality Unit 2'\" -f markdown")]
pub(crate) struct Args {
    /// Completed audits file(s)
    #[arg(required = true, value_name = "AUDITS")]
    inputs: Vec<PathBuf>,
    /// Only actions past their due date and not done
    #[arg(long)]
    overdue: bool,
    /// Only audits matching this expression, e.g. "team = 'Locality Unit 2'"
    #[arg(long = "where", short = 'w', value_name = "EXPR", long_help = super::cli::WHERE_HELP)]
    filter: Option<String>,
}

/// The output columns (README.md#summaries-of-completed-audits).
const COLUMNS: [&str; 9] = [
    "audit_id",
    "case_id",
    "team",
    "auditor_id",
    "action",
    "action_owner",
    "action_due",
    "status",
    "escalate",
];

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    if let Some(expr) = &args.filter {
        Filter::check_syntax(expr).map_err(|e| usage(e.to_string()))?;
    }
    let (audits, filter) = ctx.read_audits(&args.inputs, |layout| {
        Context::audit_filter(args.filter.as_deref(), layout, ctx.as_of)
    })?;
    let filter = filter.map(|f| f.for_rows(&audits.layout));
    let keep = |a: &Audit| filter.as_ref().is_none_or(|f| f.matches(a));
    let rows = actions::list(&audits, &keep, ctx.as_of, args.overdue);
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    ctx.note(format!(
        "{}; {} overdue, {} open, {} done actions (as of {})",
        crate::values::count(
            rows.iter().filter(|r| !r.escalate.is_empty()).count(),
            "escalation"
        ),
        count(Status::Overdue),
        count(Status::Open),
        count(Status::Done),
        format_date(ctx.as_of)
    ));
    let mut out = ctx.open_output()?;
    let mut w = RowWriter::new(
        ctx.format,
        COLUMNS.map(String::from).to_vec(),
        &mut out,
        ctx.render.clone(),
    )?;
    for r in &rows {
        let a = r.audit;
        w.write(vec![
            Cell::text(&a.audit_id),
            Cell::text(&a.case_id),
            Cell::text(&a.team),
            Cell::text(&a.auditor_id),
            Cell::text(&a.action),
            Cell::text(&a.action_owner),
            Cell::text(a.action_due.map(format_date).unwrap_or_default()),
            Cell::text(r.status.name()),
            Cell::text(&r.escalate),
        ])?;
    }
    w.finish()?;
    out.flush()?;
    out.commit()
}
