//! `progress`: how a month's allocated audits are coming back, and who to chase.

use super::Context;
use crate::csvio;
use crate::dates::format_date;
use crate::problem::Problems;
use crate::progress::{self, Discrepancy, Progress};
use crate::render::{Cell, RowWriter};
use anyhow::Result;
use std::path::PathBuf;

/// Which allocated audits have come back, which are outstanding, and which are late.
///
/// Reads a month's allocation (as written by `allocate`: month, case_id, team,
/// auditor_id, auditor_name) and the completed audits returned so far. The month is
/// the allocation's; audits are due on --due (default `[allocation] due_day`, the
/// 20th; the last day of a shorter month), and an outstanding audit is late once
/// --as-of is after that day. Writes one row per allocated auditor, or with --chase
/// one row per outstanding case with the days it is late. Returns for cases not
/// allocated that month, by another auditor than the allocated one, or a second
/// time are listed on stderr as discrepancies. Exits 0 even with audits
/// outstanding: it is a report, not a check.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit progress allocation.csv --audits audits.csv
  caseaudit progress allocation.csv --audits audits.csv --chase --as-of 2026-11-26 -o chase.csv
  caseaudit progress allocation.csv --audits audits.csv --chase --auditors auditors.csv -o chase.csv
  caseaudit progress allocation.csv --audits audits-*.csv --due 25 -f markdown
  caseaudit progress allocation.csv --audits forms --chase")]
pub(crate) struct Args {
    /// The month's allocation (as written by `allocate`)
    #[arg(value_name = "ALLOCATION")]
    allocation: PathBuf,
    /// Completed audits file(s) returned so far (other months' audits are
    /// ignored), or a folder of returned audit forms (those filled in are returned)
    #[arg(long, value_name = "FILE", required = true, num_args = 1..)]
    audits: Vec<PathBuf>,
    /// Day of the month the audits are due, 1 to 31. Default: [allocation] due_day (20)
    #[arg(long, value_name = "DAY", value_parser = clap::value_parser!(u32).range(1..=31))]
    due: Option<u32>,
    /// One row per outstanding case (whom to chase, for what, and how late)
    #[arg(long)]
    chase: bool,
    /// The auditors list: the chase list then carries each auditor's email
    /// address (its `email` column), ready for a mail merge
    #[arg(long, value_name = "FILE", requires = "chase")]
    auditors: Option<PathBuf>,
}

/// The per-auditor columns.
pub(crate) const COLUMNS: [&str; 7] = [
    "auditor_id",
    "auditor_name",
    "allocated",
    "returned",
    "outstanding",
    "late",
    "cases_outstanding",
];

/// The chase list's columns.
pub(crate) const CHASE_COLUMNS: [&str; 5] = ["auditor_id", "auditor_name", "case_id", "team", "days_late"];

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    let csvio::Input { name, reader, .. } = ctx.table(&args.allocation)?;
    let (month, allocation) = crate::layouts::allocation::read(&name, reader).map_err(Problems)?;
    let (audits, ()) = ctx.read_audits(&args.audits, |_| Ok(()))?;
    let due = progress::due_date(month, args.due.unwrap_or(ctx.settings.allocation.due_day));
    let p = progress::track(month, &allocation, &audits.list, due, ctx.as_of);
    let case = |id: &str| match ctx.render.redact.as_deref() {
        Some(key) => crate::privacy::pseudonym(key, id),
        None => id.to_string(),
    };
    let mut out = ctx.open_output()?;
    if args.chase {
        let emails = match &args.auditors {
            Some(path) => Some(auditor_emails(ctx, path)?),
            None => None,
        };
        let mut columns = CHASE_COLUMNS.map(String::from).to_vec();
        if emails.is_some() {
            columns.insert(2, "email".into());
        }
        let mut w = RowWriter::new(ctx.format, columns, &mut out, ctx.render.clone())?;
        for c in &p.chase {
            let mut row = vec![
                Cell::text(&c.auditor_id),
                Cell::text(&c.auditor_name),
                Cell::text(&c.case_id), // redacted by the writer: the column is case_id
                Cell::text(&c.team),
                Cell::Int(c.days_late),
            ];
            if let Some(emails) = &emails {
                let email = emails.get(c.auditor_id.as_str()).map_or("", String::as_str);
                row.insert(2, Cell::text(email));
            }
            w.write(row)?;
        }
        w.finish()?;
    } else {
        let columns = COLUMNS.map(String::from).to_vec();
        let mut w = RowWriter::new(ctx.format, columns, &mut out, ctx.render.clone())?;
        for r in &p.by_auditor {
            let cases: Vec<String> = r.cases_outstanding.iter().map(|c| case(c)).collect();
            w.write(vec![
                Cell::text(&r.auditor_id),
                Cell::text(&r.auditor_name),
                Cell::from(r.allocated),
                Cell::from(r.returned),
                Cell::from(r.outstanding),
                Cell::from(r.late),
                Cell::text(cases.join("; ")),
            ])?;
        }
        w.finish()?;
    }
    out.commit()?;
    report_on_stderr(ctx, month, &p, &case);
    Ok(())
}

/// Each auditor's email address, from the auditors list; a chased auditor the
/// list lacks, or whose address is blank, is left blank and named on stderr.
fn auditor_emails(
    ctx: &Context,
    path: &std::path::Path,
) -> Result<std::collections::HashMap<String, String>> {
    let input = ctx.table(path)?;
    let (auditors, warnings) =
        crate::layouts::auditors::read(&input.name, input.reader, &ctx.settings.auditors.columns)
            .map_err(Problems)?;
    ctx.warn(&warnings);
    let emails: std::collections::HashMap<String, String> =
        auditors.into_iter().map(|a| (a.id, a.email)).collect();
    if emails.values().all(String::is_empty) {
        ctx.note(format!(
            "{}: no email addresses (an email column, or [auditors.columns] email = \"…\"), so the chase list's email column is blank",
            input.name
        ));
    }
    Ok(emails)
}

/// The month's totals and every discrepancy, for the person running the command.
fn report_on_stderr(ctx: &Context, month: crate::dates::Month, p: &Progress, case: &dyn Fn(&str) -> String) {
    let late = if p.overdue {
        format!("{} late", p.total(|r| r.late))
    } else {
        "none late yet".to_string()
    };
    ctx.note(format!(
        "{month}: {} allocated, {} returned, {} outstanding, {late} (due {}, as of {})",
        p.total(|r| r.allocated),
        p.total(|r| r.returned),
        p.total(|r| r.outstanding),
        format_date(p.due),
        format_date(ctx.as_of),
    ));
    if p.discrepancies.is_empty() {
        return;
    }
    ctx.note(format!(
        "{} return{} {} not match the allocation:",
        p.discrepancies.len(),
        if p.discrepancies.len() == 1 { "" } else { "s" },
        if p.discrepancies.len() == 1 { "does" } else { "do" },
    ));
    for d in &p.discrepancies {
        let shown = Discrepancy {
            case_id: case(&d.case_id),
            ..d.clone()
        };
        ctx.note(format!("  {}: {}", d.kind.name(), shown.describe(month)));
    }
}
