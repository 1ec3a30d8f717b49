//! `history`: queries over the audit ledger joined with audit returns and
//! moderation results, and an auditor's record for their development.

use super::Context;
use crate::actions::Status;
use crate::audits::Audits;
use crate::dates::{Month, format_date};
use crate::exit::usage;
use crate::ledger::{self, Event, Query};
use crate::problem::Problems;
use crate::render::{Cell, RowWriter};
use anyhow::Result;
use std::path::PathBuf;

/// When cases were audited, by whom, the grade, what moderation made of it, and
/// the action; or one auditor's record beside every auditor's.
///
/// Reads the audit ledger (--history, as written by `record`) and, when given,
/// the completed audits (--audits) and moderation results (--moderation). Ledger
/// rows are joined to returns by month and case id, and returns to moderation by
/// audit id; returns not in the ledger are listed too. Writes one row per audit of
/// a case, oldest first, filtered by --case, --team and --since. With --auditor
/// ID it writes that auditor's record instead: per month and over all months, the
/// cases allocated to them, the audits they returned, the teams covered, and how
/// many of their moderated audits had the grade changed or were challenged, then
/// the same figures for all auditors together, for comparison.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit history --history history.csv --case CH0001091 --audits audits-*.csv --moderation moderation.csv
  caseaudit history --history history.csv --team 'Locality Unit 1' --since 2026-04 --audits audits.csv
  caseaudit history --history history.csv --auditor A0011 --audits audits.csv --moderation moderation.csv")]
pub(crate) struct Args {
    /// The audit ledger (month, case_id, team, auditor_id, frame). Default: [history] path
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Completed audits file(s), joined to the ledger by month and case id
    #[arg(long, value_name = "FILE", num_args = 1..)]
    audits: Vec<PathBuf>,
    /// Moderation results, joined to the audits by audit id (needs --audits)
    #[arg(long, value_name = "FILE", requires = "audits")]
    moderation: Option<PathBuf>,
    /// Only this case
    #[arg(long, value_name = "ID")]
    case: Option<String>,
    /// Only this team's cases (ignoring case and spacing)
    #[arg(long, value_name = "NAME")]
    team: Option<String>,
    /// This auditor's record for their development, beside all auditors'
    #[arg(long, value_name = "ID")]
    auditor: Option<String>,
    /// Only months from this one on (YYYY-MM)
    #[arg(long, value_name = "YYYY-MM")]
    since: Option<Month>,
}

/// The columns of the ledger rows.
pub(crate) const COLUMNS: [&str; 14] = [
    "month",
    "case_id",
    "team",
    "frame",
    "allocated_to",
    "audit_id",
    "audited_by",
    "completed_on",
    "overall",
    "moderated_overall",
    "moderation",
    "challenged",
    "action",
    "action_status",
];

/// The columns of an auditor's record.
pub(crate) const RECORD_COLUMNS: [&str; 11] = [
    "auditor_id",
    "period",
    "allocated",
    "returned",
    "teams",
    "moderated",
    "changed",
    "pct_changed",
    "challenged",
    "pct_challenged",
    "team_names",
];

/// Most names listed in an "unknown" error.
const LISTED: usize = 30;

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    let path = ctx.history_path(args.history.as_deref()).ok_or_else(|| {
        crate::exit::usage("give the audit ledger: --history FILE, or [history] path in the settings")
    })?;
    let input = ctx.table(&path)?;
    let entries = crate::layouts::history::read(&input.name, input.reader, &ctx.settings.history.columns)
        .map_err(Problems)?;
    let audits: Option<Audits> = if args.audits.is_empty() {
        None
    } else {
        Some(ctx.read_audits(&args.audits, |_| Ok(()))?.0)
    };
    let moderations = match (&args.moderation, &audits) {
        (Some(path), Some(audits)) => ctx.read_moderation(path, audits)?,
        _ => Vec::new(),
    };
    let events = ledger::join(&entries, audits.as_ref(), &moderations);
    if let Some(team) = &args.team {
        check_known("team", team, &ledger::teams(&events), |a, b| {
            crate::values::header_key(a) == crate::values::header_key(b)
        })?;
    }
    if let Some(auditor) = &args.auditor {
        check_known("auditor", auditor, &ledger::auditors(&events), |a, b| a == b)?;
    }
    let query = Query {
        case: args.case.as_deref(),
        team: args.team.as_deref(),
        since: args.since,
    };
    let chosen: Vec<&Event<'_>> = events.iter().filter(|e| query.matches(e)).collect();
    if chosen.is_empty() {
        ctx.note(nothing_found(args, &ctx.render.redact));
    }
    let mut out = ctx.open_output()?;
    match &args.auditor {
        Some(auditor) => write_record(ctx, &mut out, &chosen, auditor, audits.is_some())?,
        None => write_events(ctx, &mut out, &chosen, audits.as_ref(), args.moderation.is_some())?,
    }
    out.commit()
}

/// A usage error naming what was asked for and what there is (exit 2).
fn check_known(what: &str, asked: &str, known: &[&str], same: impl Fn(&str, &str) -> bool) -> Result<()> {
    if known.iter().any(|k| same(k, asked)) {
        return Ok(());
    }
    let near: Vec<&str> = known
        .iter()
        .filter(|k| k.eq_ignore_ascii_case(asked))
        .copied()
        .collect();
    let hint = if near.is_empty() {
        let mut listed = known.iter().take(LISTED).copied().collect::<Vec<_>>().join(", ");
        if known.len() > LISTED {
            listed.push_str(&format!(", … ({} in all)", known.len()));
        }
        format!("{what}s in the ledger and audits: {listed}")
    } else {
        format!("did you mean {}?", near.join(" or "))
    };
    Err(usage(format!(
        "no {what} \"{asked}\" in the ledger or the audits given ({hint})"
    )))
}

fn nothing_found(args: &Args, redact: &Option<String>) -> String {
    let mut what = Vec::new();
    if let Some(c) = &args.case {
        let shown = match redact {
            Some(key) => crate::privacy::pseudonym(key, c),
            None => c.clone(),
        };
        what.push(format!("case {shown}"));
    }
    if let Some(t) = &args.team {
        what.push(format!("team {t}"));
    }
    if let Some(m) = args.since {
        what.push(format!("since {m}"));
    }
    if what.is_empty() {
        "the ledger is empty".to_string()
    } else {
        format!(
            "no audits in the ledger or the audits given for {}",
            what.join(", ")
        )
    }
}

fn write_events(
    ctx: &Context,
    out: &mut dyn std::io::Write,
    events: &[&Event<'_>],
    audits: Option<&Audits>,
    with_moderation: bool,
) -> Result<()> {
    let columns = COLUMNS.map(String::from).to_vec();
    let mut w = RowWriter::new(ctx.format, columns, out, ctx.render.clone())?;
    let label = |g: Option<crate::grades::Grade>| {
        Cell::text(match (audits, g) {
            (Some(a), Some(g)) => a.scale.label(g),
            _ => "",
        })
    };
    for e in events {
        let a = e.audit;
        let m = e.moderation;
        let moderation = match (with_moderation && a.is_some(), e.outcome()) {
            (false, _) => "",
            (true, None) => "not moderated",
            (true, Some(o)) => o.name(),
        };
        let action_status = a
            .filter(|a| !a.action.is_empty())
            .map_or("", |a| Status::of(a, ctx.as_of).name());
        w.write(vec![
            Cell::text(e.month.to_string()),
            Cell::text(e.case_id),
            Cell::text(e.team),
            Cell::text(e.frame()),
            Cell::text(e.allocated_to().unwrap_or("")),
            Cell::text(a.map_or("", |a| a.audit_id.as_str())),
            Cell::text(e.audited_by().unwrap_or("")),
            Cell::text(
                a.and_then(|a| a.completed_on)
                    .map(format_date)
                    .unwrap_or_default(),
            ),
            label(a.and_then(crate::audits::Audit::overall)),
            label(m.and_then(|m| m.overall)),
            Cell::text(moderation),
            Cell::text(m.map_or("", |m| if m.challenged { "yes" } else { "no" })),
            Cell::text(a.map_or("", |a| a.action.as_str())),
            Cell::text(action_status),
        ])?;
    }
    w.finish()
}

fn write_record(
    ctx: &Context,
    out: &mut dyn std::io::Write,
    events: &[&Event<'_>],
    auditor: &str,
    with_returns: bool,
) -> Result<()> {
    let rows = ledger::record(events, auditor, with_returns);
    let columns = RECORD_COLUMNS.map(String::from).to_vec();
    let mut w = RowWriter::new(ctx.format, columns, out, ctx.render.clone())?;
    for r in rows {
        w.write(vec![
            Cell::text(r.auditor_id),
            Cell::text(r.period),
            Cell::from(r.allocated),
            r.returned.map_or(Cell::Empty, Cell::from),
            Cell::from(r.teams.len()),
            Cell::from(r.moderated),
            Cell::from(r.changed),
            Cell::opt_num(r.pct_changed, 1),
            Cell::from(r.challenged),
            Cell::opt_num(r.pct_challenged, 1),
            Cell::text(r.teams.join("; ")),
        ])?;
    }
    w.finish()
}
