//! `cases`: ad hoc queries over the extract, for piping into spreadsheets.

use super::Context;
use crate::exit::usage;
use crate::extract::{self, Case, CaseRow, Fold, Schema};
use crate::filter::{self, FieldKind, Filter, RowFilter, Value};
use crate::output::Format;
use crate::render::{Cell, RowWriter, render};
use crate::values::list_items;
use crate::vocab::strip_label_prefix;
use anyhow::Result;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// List, filter or count case files in one or more extracts.
///
/// Reads case extracts (CSV, standard layout or mapped with [extract.columns]);
/// several files are merged per case id. Writes the matching rows (CSV when
/// piped, a table on a terminal), or with --count just how many, or with
/// --count --by FIELD how many per value. Children's names and dates of birth
/// are left out unless named in --columns.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  caseaudit cases extract.csv --where \"status = closed and end_date within 6 months\" -o closed.csv
  caseaudit cases extract.csv --where \"risk_factors contains neglect\" --count
  caseaudit cases extract.csv --count --by team
  caseaudit cases extract.csv --columns case_id,team,age --where \"age < 2\" | head")]
pub(crate) struct Args {
    /// Case extract(s); `-` for standard input
    #[arg(required = true, value_name = "EXTRACT")]
    inputs: Vec<PathBuf>,
    /// Only cases matching this expression (`--help` for the language), e.g. "status = open"
    #[arg(long = "where", short = 'w', value_name = "EXPR", long_help = super::cli::WHERE_HELP)]
    filter: Option<String>,
    /// Output these columns, in this order (standard names, derived fields or your headings)
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    columns: Vec<String>,
    /// Print how many cases match instead of the cases
    #[arg(long)]
    count: bool,
    /// With --count: how many per value of FIELD (list fields count each item)
    #[arg(long, value_name = "FIELD")]
    by: Option<String>,
}

pub(crate) fn run(ctx: &Context, args: &Args) -> Result<()> {
    if let Some(expr) = &args.filter {
        Filter::check_syntax(expr).map_err(|e| usage(e.to_string()))?;
    }
    let tables = ctx.extract_tables(&args.inputs)?;
    let prepare = |schema: &Schema| Plan::new(ctx, args, schema);
    let mut folded = extract::fold(
        tables,
        &ctx.settings,
        ctx.as_of,
        false,
        &mut |n| ctx.note(n),
        prepare,
    )?;
    ctx.warn(&folded.warnings()?);
    folded.part.finish(ctx, &folded.fold, &folded.schema)
}

/// The query, resolved against the extract's headings.
struct Plan {
    filter: Option<RowFilter<'static, CaseRow>>,
    columns: Vec<usize>,
    count: bool,
    by: Option<(usize, FieldKind, String)>,
}

impl Plan {
    fn new(ctx: &Context, args: &Args, schema: &Schema) -> Result<Plan> {
        let filter = ctx.case_filter(args.filter.as_deref(), schema)?;
        let resolve = |name: &str| -> Result<(usize, FieldKind)> {
            filter::FieldNames::resolve(schema, name).ok_or_else(|| {
                let known = filter::FieldNames::known_fields(schema);
                let hint = filter::closest(name, &known)
                    .map(|k| format!(", did you mean \"{k}\"?"))
                    .unwrap_or_default();
                usage(format!(
                    "unknown column \"{name}\"{hint} (known: {})",
                    known.join(", ")
                ))
            })
        };
        let columns = if args.columns.is_empty() {
            schema.default_output_fields()
        } else {
            args.columns
                .iter()
                .map(|c| resolve(c.trim()).map(|(id, _)| id))
                .collect::<Result<_>>()?
        };
        let by = match &args.by {
            Some(name) => {
                let (id, kind) = resolve(name)?;
                Some((id, kind, schema.field_name(id)))
            }
            None => None,
        };
        Ok(Plan {
            filter,
            columns,
            count: args.count || by.is_some(),
            by,
        })
    }

    fn sink(&self) -> Sink {
        if self.count {
            Sink::Count {
                total: 0,
                groups: BTreeMap::new(),
            }
        } else {
            // Rows are held until the whole input has been checked, so a bad row
            // late in the file leaves no partial output behind.
            Sink::Rows(Vec::new())
        }
    }
}

/// Each block of the extract makes rows or counts of its own, in file order.
impl Fold for Plan {
    type Part = Sink;
    const IN_ORDER: bool = true;

    fn part(&self) -> Sink {
        self.sink()
    }

    fn merge(&self, into: &mut Sink, part: Sink) {
        into.merge(part);
    }

    fn take(&self, sink: &mut Sink, case: Case<'_>) {
        if self.filter.as_ref().is_none_or(|f| f.matches(case.row)) {
            sink.take(self, case);
        }
    }

    fn fields(&self, _: &Schema) -> Vec<usize> {
        let mut fields: Vec<usize> = self
            .filter
            .iter()
            .flat_map(|f| f.fields().iter().copied())
            .collect();
        if !self.count {
            fields.extend(&self.columns);
        }
        fields.extend(self.by.as_ref().map(|(id, ..)| *id));
        fields
    }
}

enum Sink {
    Rows(Vec<Vec<Cell>>),
    Count {
        total: u64,
        groups: BTreeMap<String, u64>,
    },
}

impl Sink {
    fn take(&mut self, plan: &Plan, case: Case<'_>) {
        match self {
            Sink::Rows(rows) => rows.push(plan.columns.iter().map(|&c| Cell::text(case.output(c))).collect()),
            Sink::Count { total, groups } => {
                *total += 1;
                if let Some((field, _, _)) = &plan.by {
                    for key in group_keys(&case, *field) {
                        *groups.entry(key).or_insert(0) += 1;
                    }
                }
            }
        }
    }

    /// Adds the rows or counts of the next part of the file.
    fn merge(&mut self, next: Sink) {
        match (self, next) {
            (Sink::Rows(rows), Sink::Rows(more)) => rows.extend(more),
            (
                Sink::Count { total, groups },
                Sink::Count {
                    total: n,
                    groups: more,
                },
            ) => {
                *total += n;
                for (key, n) in more {
                    *groups.entry(key).or_insert(0) += n;
                }
            }
            _ => unreachable!("the parts of one scan are all rows or all counts"),
        }
    }

    fn finish(self, ctx: &Context, plan: &Plan, schema: &Schema) -> Result<()> {
        let mut out = ctx.open_output()?;
        match self {
            Sink::Rows(rows) => {
                let names = plan.columns.iter().map(|&c| schema.field_name(c)).collect();
                let mut w = RowWriter::new(ctx.format, names, &mut out, ctx.render.clone())?;
                for row in rows {
                    w.write(row)?;
                }
                w.finish()?;
            }
            Sink::Count { total, groups } => match &plan.by {
                None => render(
                    ctx.format,
                    &["count"],
                    vec![vec![Cell::from(total)]],
                    &mut out,
                    ctx.render.clone(),
                )?,
                Some((_, _, name)) => {
                    // A blank value is a group of its own, named where people read it;
                    // CSV and JSON keep it blank for the scripts that read them.
                    let for_people = !matches!(ctx.format, Format::Csv | Format::Json);
                    let rows = groups
                        .into_iter()
                        .map(|(k, n)| {
                            let k = if k.is_empty() && for_people {
                                format!("(no {name})")
                            } else {
                                k
                            };
                            vec![Cell::text(k), Cell::from(n)]
                        })
                        .collect();
                    render(
                        ctx.format,
                        &[name.as_str(), "count"],
                        rows,
                        &mut out,
                        ctx.render.clone(),
                    )?;
                }
            },
        }
        out.flush()?;
        out.commit()
    }
}

/// The groups a case counts in for `--by`: one per list item for list fields.
fn group_keys(case: &Case<'_>, field: usize) -> Vec<String> {
    match case.value(field) {
        Value::Missing => vec![String::new()],
        Value::List(cell) => {
            let mut keys: Vec<String> = list_items(cell)
                .map(|i| strip_label_prefix(i).to_string())
                .collect();
            keys.dedup();
            keys
        }
        Value::Text(t) => vec![t.to_string()],
        Value::Bool(b) => vec![(if b { "yes" } else { "no" }).to_string()],
        Value::Number(n) => vec![format!("{n}")],
        Value::Date(d) => vec![crate::dates::format_date(d.date())],
    }
}
