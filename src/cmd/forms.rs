//! `forms`: the month's audit forms, one Excel workbook per auditor.

use super::Context;
use crate::csvio;
use crate::extract::{self, Case, Fold, Schema, Std};
use crate::forms::{
    self, Choices, FormCase,
    moderation::{ModerationCase, ModerationForm},
    write::Form,
};
use crate::layouts::reader::{RecordReader, present};
use crate::output::Output;
use crate::problem::Problem;
use crate::problem::Problems;
use anyhow::{Context as _, Result, bail};
use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Write the month's audit forms: one Excel workbook per auditor, a sheet per case.
///
/// Reads the month's allocation (as written by `allocate`) and the case
/// extract (for each case's service and worker). Writes into the folder given
/// with -o one workbook per auditor, <auditor_id>-<YYYY-MM>.xlsx, with a sheet
/// per allocated case: the header block (audit id, case, team, worker,
/// service, frame, auditor, month, due date) filled in and locked; a row per
/// element of the audit template (the themed template named as the case's
/// frame, else [template]) with a grade dropdown and an evidence cell; the
/// overall grade, strengths and learning (theme tags of [forms] tags), the
/// action, its owner, due date and whether it is done, a safeguarding concern,
/// and the date completed. Audit ids are AUD-<month>-<n>, n the case's row in
/// the allocation. Children's names and dates of birth are written only when
/// the settings ask ([forms] identify_child = true).
/// Send each auditor their workbook; read the returned ones with `collect`.
///
/// With --moderation MODERATION-SAMPLE (as `moderate select` wrote it) and
/// --audits, writes instead DIR/moderation-<YYYY-MM>.xlsx, a sheet per audit
/// chosen: the auditor's grades shown beside a dropdown for the moderator's,
/// per element and overall, whether the audit is challenged, a note, the
/// moderator's id and the date; `collect --moderation` reads them back.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit forms allocation.csv --extract extract.csv -o forms
  caseaudit forms allocation.csv --extract extract.csv -o /tmp/forms-2026-11
  caseaudit forms --moderation to-moderate.csv --audits audits.csv -o moderation-forms")]
pub(crate) struct Args {
    /// The month's allocation (as written by `allocate`)
    #[arg(value_name = "ALLOCATION", required_unless_present = "moderation")]
    allocation: Option<PathBuf>,
    /// The case extract(s) the sample was drawn from (for service and worker)
    #[arg(long, value_name = "EXTRACT", num_args = 1.., required_unless_present = "moderation")]
    extract: Vec<PathBuf>,
    /// Write moderation forms for the audits of this moderation sample
    #[arg(long, value_name = "MODERATION-SAMPLE", requires = "audits", conflicts_with_all = ["allocation", "extract"])]
    moderation: Option<PathBuf>,
    /// With --moderation: the completed audits, whose grades the forms show
    #[arg(long, value_name = "FILE", num_args = 1..)]
    audits: Vec<PathBuf>,
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    let Some(dir) = ctx.output_path.clone() else {
        return Err(crate::exit::usage(
            "forms needs the folder to write them into: -o DIR (e.g. -o forms)",
        ));
    };
    if let Some(sample) = &args.moderation {
        return moderation_forms(ctx, sample, &args.audits, &dir);
    }
    let allocation = args
        .allocation
        .as_deref()
        .expect("clap requires it without --moderation");
    let csvio::Input { name, reader, .. } = ctx.table(allocation)?;
    let (month, allocation) = crate::layouts::allocation::read(&name, reader).map_err(Problems)?;
    let wanted: HashSet<String> = allocation.iter().map(|a| a.case_id.clone()).collect();
    let tables = ctx.extract_tables(&args.extract)?;
    let mut folded = extract::fold(
        tables,
        &ctx.settings,
        ctx.as_of,
        false,
        &mut |n| ctx.note(n),
        |_: &Schema| {
            Ok(Details {
                wanted: &wanted,
                identify: ctx.settings.forms.identify_child,
            })
        },
    )?;
    ctx.warn(&folded.warnings()?);
    let details = folded.part;
    let due = crate::progress::due_date(month, ctx.settings.allocation.due_day);
    let mut by_auditor: Vec<(String, Vec<FormCase>)> = Vec::new();
    let mut not_in_extract = Vec::new();
    for (i, a) in allocation.iter().enumerate() {
        let [team, worker, service, child_name, dob] =
            details.get(&a.case_id).cloned().unwrap_or_else(|| {
                not_in_extract.push(a.case_id.clone());
                Default::default()
            });
        let case = FormCase {
            audit_id: forms::audit_id(month, i + 1),
            case_id: a.case_id.clone(),
            team: if a.team.is_empty() { team } else { a.team.clone() },
            worker: if a.worker.is_empty() {
                worker
            } else {
                a.worker.clone()
            },
            service,
            frame: a.frame.clone(),
            auditor_id: a.auditor_id.clone(),
            month,
            due,
            elements: forms::template_for(&ctx.settings, &a.frame).to_vec(),
            child: ctx.settings.forms.identify_child.then_some([child_name, dob]),
        };
        match by_auditor.iter_mut().find(|(id, _)| *id == a.auditor_id) {
            Some((_, cases)) => cases.push(case),
            None => by_auditor.push((a.auditor_id.clone(), vec![case])),
        }
    }
    if !not_in_extract.is_empty() {
        ctx.note(format!(
            "warning: {} allocated case{} not in the extract (service left blank): {}",
            not_in_extract.len(),
            if not_in_extract.len() == 1 { " is" } else { "s are" },
            not_in_extract.join(", ")
        ));
    }
    let ids: Vec<&str> = by_auditor.iter().map(|(id, _)| id.as_str()).collect();
    let clashes = forms::file_name_clashes(&ids, month);
    if !clashes.is_empty() {
        let line_of = |id: &str| allocation.iter().find(|a| a.auditor_id == id).map(|a| a.line);
        return Err(Problems(
            clashes
                .iter()
                .map(|(first, second, file)| {
                    Problem::error(
                        &name,
                        line_of(second),
                        Some("auditor_id"),
                        format!(
                            "auditors \"{first}\" (line {}) and \"{second}\" would both have their forms in {file} (a file name keeps letters, digits, - and _, and Windows and macOS do not tell capitals apart); give one of them an id that differs in a letter or digit",
                            line_of(first).unwrap_or_default()
                        ),
                    )
                })
                .collect(),
        )
        .into());
    }
    let choices = choices(ctx)?;
    // Every workbook is made before any is written, and none is written over.
    let mut books = Vec::new();
    for (auditor, cases) in &by_auditor {
        let list: Vec<Form<'_>> = cases.iter().map(|case| Form { case, answers: None }).collect();
        let bytes =
            forms::workbook(&list, &choices).with_context(|| format!("making the forms of {auditor}"))?;
        books.push((dir.join(forms::file_name(auditor, month)), bytes, cases.len()));
    }
    write_all(ctx, &dir, &books)?;
    ctx.note(format!(
        "wrote {} for {month} into {} ({}, one per auditor; due {})",
        crate::values::count(allocation.len(), "form"),
        dir.display(),
        crate::values::count(books.len(), "workbook"),
        crate::dates::format_date(due)
    ));
    Ok(())
}

/// What the dropdowns offer: the settings' scale and theme tags.
fn choices(ctx: &Context) -> Result<Choices> {
    let scale = ctx.scale()?;
    Ok(Choices {
        grades: (0..scale.len())
            .map(|g| scale.label(g as u8).to_string())
            .collect(),
        tags: ctx.settings.forms.tags.clone(),
    })
}

/// Writes the workbooks made (path, bytes, forms in it) into `dir`, none of
/// them over a file already there unless --force.
fn write_all(ctx: &Context, dir: &Path, books: &[(PathBuf, Vec<u8>, usize)]) -> Result<()> {
    if !dir.exists() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if !dir.is_dir() {
        bail!(
            "{} is not a folder; -o names the folder the forms go into",
            dir.display()
        );
    }
    let mut there: Vec<String> = books
        .iter()
        .filter(|(p, ..)| p.exists())
        .map(|(p, ..)| p.display().to_string())
        .collect();
    there.sort();
    if !there.is_empty() && !ctx.force {
        // A month's forms are many: the first few named, the rest counted.
        const NAMED: usize = 3;
        let named = if there.len() > NAMED {
            format!("{} and {} more", there[..NAMED].join(", "), there.len() - NAMED)
        } else {
            there.join(", ")
        };
        bail!(
            "{named} already exist{} (returned forms may be in them); use --force to replace them, or write into another folder",
            if there.len() == 1 { "s" } else { "" }
        );
    }
    // Every workbook written to a temporary file before any is put in place:
    // a write that fails (a full disk) leaves none of them.
    let mut outs = Vec::new();
    for (path, bytes, _) in books {
        let mut out = Output::open(Some(path), ctx.force)?;
        out.write_all(bytes)
            .with_context(|| format!("writing {}", path.display()))?;
        outs.push(out);
    }
    for out in outs {
        out.commit()?;
    }
    Ok(())
}

/// The moderation forms of the audits `moderate select` chose.
fn moderation_forms(ctx: &Context, sample: &Path, audit_files: &[PathBuf], dir: &Path) -> Result<()> {
    let csvio::Input { name, reader, .. } = ctx.table(sample)?;
    let mut chosen = RecordReader::new(&name, reader).map_err(|p| Problems(vec![p]))?;
    let missing = chosen.missing(&["audit_id"]);
    if !missing.is_empty() {
        return Err(Problems(missing).into());
    }
    let (c_id, c_reason) = (chosen.column("audit_id"), chosen.column("reason"));
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = chosen.next_good(&mut rec, &mut problems) {
        if let Some(id) = present(&rec, c_id) {
            rows.push((
                id.to_string(),
                present(&rec, c_reason).unwrap_or("").to_string(),
                line,
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    let (audits, ()) = ctx.read_audits(audit_files, |_| Ok(()))?;
    let label = |g: Option<u8>| g.map_or(String::new(), |g| audits.scale.label(g).to_string());
    let mut cases = Vec::new();
    for (id, reason, line) in rows {
        let Some(a) = audits.list.iter().find(|a| a.audit_id == id) else {
            problems.push(Problem::error(
                &name,
                Some(line),
                Some("audit_id"),
                format!("audit \"{id}\" is not in the audits given (--audits)"),
            ));
            continue;
        };
        let elements = forms::template_for(&ctx.settings, &a.frame)
            .iter()
            .map(|e| {
                let graded = audits.layout.element(&e.key).and_then(|i| a.grade(i));
                (e.clone(), label(graded))
            })
            .collect();
        cases.push(ModerationCase {
            audit_id: a.audit_id.clone(),
            case_id: a.case_id.clone(),
            team: a.team.clone(),
            auditor_id: a.auditor_id.clone(),
            month: a.month_text.clone(),
            reason,
            elements,
            overall: label(a.overall()),
        });
    }
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    let Some(month) = cases.first().map(|c| c.month.clone()) else {
        bail!("{name} chooses no audit: there is nothing to moderate");
    };
    let blank: Vec<ModerationForm<'_>> = cases
        .iter()
        .map(|case| ModerationForm { case, answers: None })
        .collect();
    let bytes = forms::moderation::workbook(&blank, &choices(ctx)?).context("making the moderation forms")?;
    let path = dir.join(format!("moderation-{month}.xlsx"));
    write_all(ctx, dir, &[(path.clone(), bytes, cases.len())])?;
    ctx.note(format!(
        "wrote {} into {} (a sheet per audit)",
        crate::values::count(cases.len(), "moderation form"),
        path.display()
    ));
    Ok(())
}

/// Keeps the team, worker and service of the allocated cases, and with
/// `identify` the child's name and date of birth.
struct Details<'a> {
    wanted: &'a HashSet<String>,
    identify: bool,
}

/// What a form's header block takes from the extract: team, worker, service,
/// child's name, date of birth (the last two empty unless asked for).
type Detail = [String; 5];

impl Fold for Details<'_> {
    type Part = HashMap<String, Detail>;
    const IN_ORDER: bool = false;

    fn part(&self) -> Self::Part {
        HashMap::new()
    }

    fn take(&self, part: &mut Self::Part, case: Case<'_>) {
        if self.wanted.contains(case.case_id()) {
            let text = |s: Std| case.get(s).unwrap_or("").to_string();
            // A date of birth as the UK writes it, whatever the extract's form.
            let dob = || {
                let written = text(Std::Dob);
                crate::dates::parse_date(&written).map_or(written, |d| d.format("%d/%m/%Y").to_string())
            };
            let (name, dob) = if self.identify {
                (text(Std::ChildName), dob())
            } else {
                (String::new(), String::new())
            };
            part.insert(
                case.case_id().to_string(),
                [text(Std::Team), text(Std::Worker), text(Std::Service), name, dob],
            );
        }
    }

    fn merge(&self, into: &mut Self::Part, part: Self::Part) {
        into.extend(part);
    }

    fn fields(&self, schema: &Schema) -> Vec<usize> {
        if self.identify {
            schema.std_fields(&[Std::Team, Std::Worker, Std::Service, Std::ChildName, Std::Dob])
        } else {
            schema.std_fields(&[Std::Team, Std::Worker, Std::Service])
        }
    }
}
