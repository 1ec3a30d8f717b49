//! Completed audits (README.md#completed-audits): reading one or more files of audit returns,
//! matching their element columns to a template, checking every cell with its
//! location, and the `--where` schema over audit fields. Reads from given
//! `csv::Reader`s; opens no files.

use crate::config::{Element, Settings};
use crate::dates::Month;
use crate::filter::{self, FieldKind, Value};
use crate::grades::{Grade, Reading, Scale};
use crate::layouts::reader::RecordReader;
use crate::problem::Problem;
use crate::templates;
use crate::values::element_key;
use chrono::NaiveDate;
use std::io::Read;

pub(crate) mod fields;
mod read;
#[cfg(test)]
mod tests;

pub(crate) use fields::{FIELDS, Field, HEADINGS, OVERALL, columns_around_elements, field_index, field_of};
pub(crate) use read::read;
#[cfg(test)]
pub(crate) use read::read_str;

/// One completed audit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Audit {
    pub(crate) audit_id: String,
    pub(crate) case_id: String,
    pub(crate) month: Month,
    /// The month as `--where` compares it: YYYY-MM, which sorts as months do.
    pub(crate) month_text: String,
    pub(crate) auditor_id: String,
    pub(crate) team: String,
    pub(crate) service: String,
    pub(crate) frame: String,
    pub(crate) completed_on: Option<NaiveDate>,
    /// Per element of [`Layout::elements`]: 0 is the overall grade.
    pub(crate) grades: Box<[Option<Grade>]>,
    /// `;`-separated theme tags, as written.
    pub(crate) strengths: String,
    pub(crate) learning: String,
    pub(crate) action: String,
    pub(crate) action_owner: String,
    pub(crate) action_due: Option<NaiveDate>,
    pub(crate) action_done: bool,
    /// The date the action was done, where the file gives one.
    pub(crate) action_done_on: Option<NaiveDate>,
    pub(crate) safeguarding_concern: bool,
    /// Per column of [`Layout::extras`].
    pub(crate) extras: Vec<String>,
    pub(crate) file: usize,
    pub(crate) line: u64,
}

impl Audit {
    pub(crate) fn grade(&self, element: usize) -> Option<Grade> {
        self.grades.get(element).copied().flatten()
    }

    pub(crate) fn overall(&self) -> Option<Grade> {
        self.grade(0)
    }
}

/// An audits file whose header has been read and matched to a template.
pub(crate) struct AuditFile<R: Read> {
    reader: RecordReader<R>,
    cols: [Option<usize>; FIELDS.len()],
    template: String,
    /// Column and element (key, title) of each element column.
    elements: Vec<(usize, Element)>,
    /// Column and heading of each column that is neither an element nor a field.
    extras: Vec<(usize, String)>,
}

impl<R: Read> AuditFile<R> {
    /// Reads the header: required columns (found as `[audits.columns]` maps them, by
    /// standard name or by alias), element columns, and one warning naming every
    /// column that is neither.
    pub(crate) fn open(
        file: &str,
        csv: csv::Reader<R>,
        settings: &Settings,
    ) -> Result<(AuditFile<R>, Vec<Problem>), Vec<Problem>> {
        let reader = RecordReader::new(file, csv).map_err(|p| vec![p])?;
        let found = reader.resolve(&HEADINGS, &settings.audits.columns)?;
        let cols: [Option<usize>; FIELDS.len()] = std::array::from_fn(|i| found.cols[i]);
        let rest: Vec<(usize, &str)> = reader
            .headers
            .iter()
            .enumerate()
            .filter(|(i, _)| !found.claims(*i))
            .map(|(i, h)| (i, h.as_str()))
            .collect();
        let fit = templates::fit(settings, &rest);
        let mut warnings = Vec::new();
        if !fit.unmatched.is_empty() {
            let names: Vec<String> = fit
                .unmatched
                .iter()
                .map(|&c| format!("\"{}\"", reader.headers[c]))
                .collect();
            let template = if fit.template == templates::DEFAULT {
                "the audit template".to_string()
            } else {
                format!("the \"{}\" template", fit.template)
            };
            let listed = settings
                .templates
                .get(fit.template)
                .unwrap_or(&settings.template)
                .elements
                .iter()
                .map(|e| e.key.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            warnings.push(Problem::warning(
                file,
                Some(1),
                None,
                format!(
                    "column{} {} {} neither an element of {template} ({listed}) nor an audit column: not summarised, but usable in --where",
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", "),
                    if names.len() == 1 { "is" } else { "are" },
                ),
            ));
        }
        let elements = fit.elements.iter().map(|(c, e)| (*c, (*e).clone())).collect();
        let extras = fit
            .unmatched
            .iter()
            .map(|&c| (c, reader.headers[c].clone()))
            .collect();
        let template = fit.template.to_string();
        Ok((
            AuditFile {
                reader,
                cols,
                template,
                elements,
                extras,
            },
            warnings,
        ))
    }

    pub(crate) fn name(&self) -> &str {
        &self.reader.file
    }

    /// The template this file was matched to.
    pub(crate) fn template(&self) -> &str {
        &self.template
    }
}

/// What the audits files hold between them: the elements (overall first, then
/// each template element in order of first appearance) and any other columns.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) elements: Vec<Element>,
    pub(crate) extras: Vec<String>,
    pub(crate) files: Vec<String>,
    /// The scale, so that `--where` reads grades in every accepted form.
    pub(crate) scale: Scale,
}

impl Layout {
    pub(crate) fn new<R: Read>(files: &[AuditFile<R>], scale: &Scale) -> Layout {
        let mut elements = vec![Element {
            key: OVERALL.to_string(),
            title: "Overall grade".to_string(),
            short_title: Some("Overall".to_string()),
        }];
        let mut extras: Vec<String> = Vec::new();
        for f in files {
            for (_, e) in &f.elements {
                if !elements
                    .iter()
                    .any(|x| element_key(&x.key) == element_key(&e.key))
                {
                    elements.push(e.clone());
                }
            }
            for (_, h) in &f.extras {
                if !extras.iter().any(|x| element_key(x) == element_key(h)) {
                    extras.push(h.clone());
                }
            }
        }
        Layout {
            elements,
            extras,
            files: files.iter().map(|f| f.name().to_string()).collect(),
            scale: scale.clone(),
        }
    }

    /// The element whose key or title is `name`.
    pub(crate) fn element(&self, name: &str) -> Option<usize> {
        let key = element_key(name);
        self.elements
            .iter()
            .position(|e| templates::names_element(&key, e))
    }

    fn element_field(&self, element: usize) -> usize {
        if element == 0 {
            field_index(Field::Overall)
        } else {
            FIELDS.len() + element - 1
        }
    }
}

impl filter::FieldNames for Layout {
    fn resolve(&self, name: &str) -> Option<(usize, FieldKind)> {
        let key = element_key(name);
        if let Some(i) = field_of(&key) {
            return Some((i, FIELDS[i].2));
        }
        if let Some(e) = self.element(name) {
            return Some((self.element_field(e), FieldKind::Number));
        }
        let x = self.extras.iter().position(|h| element_key(h) == key)?;
        Some((FIELDS.len() + self.elements.len() - 1 + x, FieldKind::Text))
    }

    fn known_fields(&self) -> Vec<String> {
        FIELDS
            .iter()
            .map(|(_, n, _)| (*n).to_string())
            .chain(self.elements.iter().skip(1).map(|e| e.key.clone()))
            .chain(self.extras.iter().cloned())
            .collect()
    }

    /// Grades are compared by rank (1 is the best), written in any accepted form.
    fn literal_rank(&self, field: usize, text: &str) -> Option<Result<f64, String>> {
        let is_grade = field == field_index(Field::Overall)
            || (FIELDS.len()..FIELDS.len() + self.elements.len() - 1).contains(&field);
        if !is_grade {
            return None;
        }
        Some(match self.scale.read(&crate::values::clean(text)) {
            Reading::Graded(g) => Ok(f64::from(g) + 1.0),
            _ => Err(self.scale.unknown_message(text)),
        })
    }
}

/// Every audit read, ready to summarise.
#[derive(Debug, Clone)]
pub(crate) struct Audits {
    pub(crate) layout: Layout,
    pub(crate) scale: Scale,
    pub(crate) list: Vec<Audit>,
}

impl Audits {
    /// The audits `keep` accepts, with the same layout and scale, and where each
    /// audit of `self` is in them (`None` when left out), to re-point moderation
    /// results at the subset.
    pub(crate) fn subset(&self, keep: impl Fn(&Audit) -> bool) -> (Audits, Vec<Option<usize>>) {
        let mut list = Vec::new();
        let moved = self
            .list
            .iter()
            .map(|a| {
                keep(a).then(|| {
                    list.push(a.clone());
                    list.len() - 1
                })
            })
            .collect();
        (
            Audits {
                layout: self.layout.clone(),
                scale: self.scale.clone(),
                list,
            },
            moved,
        )
    }
}

/// Audits as the filter language reads them: a grade as its rank, the month as
/// YYYY-MM, columns beyond the template's elements as text.
impl filter::Fields<Audit> for Layout {
    fn reader<'a>(&self, field: usize) -> filter::Reader<'a, Audit> {
        let elements = self.elements.len();
        Box::new(move |audit| audit.value(field, elements))
    }
}

impl Audit {
    /// A field of the audit, for `--where`; `elements` is how many elements its
    /// layout has (the overall grade included).
    pub(crate) fn value(&self, field: usize, elements: usize) -> Value<'_> {
        let a = self;
        fn text(s: &str) -> Value<'_> {
            if s.is_empty() {
                Value::Missing
            } else {
                Value::Text(s)
            }
        }
        let grade = |e: usize| {
            a.grade(e)
                .map_or(Value::Missing, |g| Value::Number(f64::from(g) + 1.0))
        };
        if field >= FIELDS.len() {
            let element = field - FIELDS.len() + 1;
            if element < elements {
                return grade(element);
            }
            let extra = element - elements;
            return a.extras.get(extra).map_or(Value::Missing, |s| text(s));
        }
        match FIELDS[field].0 {
            Field::AuditId => text(&a.audit_id),
            Field::CaseId => text(&a.case_id),
            // A month is compared as its text, YYYY-MM, which sorts as months do.
            Field::Month => Value::Text(&a.month_text),
            Field::AuditorId => text(&a.auditor_id),
            Field::Team => text(&a.team),
            Field::Service => text(&a.service),
            Field::Frame => text(&a.frame),
            Field::CompletedOn => a.completed_on.map_or(Value::Missing, |d| Value::Date(d.into())),
            Field::Overall => grade(0),
            Field::Strengths => list(&a.strengths),
            Field::Learning => list(&a.learning),
            Field::Action => text(&a.action),
            Field::ActionOwner => text(&a.action_owner),
            Field::ActionDue => a.action_due.map_or(Value::Missing, |d| Value::Date(d.into())),
            Field::ActionDone => Value::Bool(a.action_done),
            Field::SafeguardingConcern => Value::Bool(a.safeguarding_concern),
        }
    }
}

fn list(cell: &str) -> Value<'_> {
    if cell.is_empty() {
        Value::Missing
    } else {
        Value::List(cell)
    }
}
