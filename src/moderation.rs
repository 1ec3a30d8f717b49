//! Moderation (README.md#moderation): reading moderation results against the audits they
//! moderate, choosing which audits to moderate (`select`), and what moderation
//! changed and how far auditors and moderators agree (`summary`). No I/O.

use crate::audits::{Audits, OVERALL};
use crate::config::{Element, Settings};
use crate::dates::{date_problem, parse_date};
use crate::grades::{Grade, Reading, Scale};
use crate::layouts::headings::{Headings, Mapping};
use crate::layouts::reader::{RecordReader, present};
use crate::problem::Problem;
use crate::templates::names_element;
use crate::values::element_key;
use crate::values::parse_yes_no;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::Read;

mod select;
mod summary;
#[cfg(test)]
mod tests;

pub(crate) use select::{Reason, Rules, Selection, select};
pub(crate) use summary::{By, MIN_PAIRS, Months, SummaryRow, Trend, summarise, summarise_months};

/// The columns of a moderation file other than re-graded elements.
pub(crate) const FIELDS: [&str; 6] = [
    "audit_id",
    "moderator_id",
    "moderated_on",
    "overall",
    "challenged",
    "note",
];

/// The columns every moderation file must have.
pub(crate) const REQUIRED: [&str; 3] = ["audit_id", "moderator_id", "overall"];

/// The moderation columns, and the headings a moderator's record commonly has.
pub(crate) const HEADINGS: Headings = Headings {
    section: "moderation",
    fields: &FIELDS,
    aliases: &[
        ("Audit Ref", "audit_id"),
        ("Audit Reference", "audit_id"),
        ("Moderator", "moderator_id"),
        ("Moderated By", "moderator_id"),
        ("Moderator Name", "moderator_id"),
        ("Date Moderated", "moderated_on"),
        ("Moderation Date", "moderated_on"),
        ("Moderated", "moderated_on"),
        ("Moderated Grade", "overall"),
        ("Overall Grade", "overall"),
        ("Grade After Moderation", "overall"),
        ("Challenge", "challenged"),
        ("Sent Back", "challenged"),
        ("Returned to Auditor", "challenged"),
        ("Notes", "note"),
        ("Comments", "note"),
        ("Moderator Comments", "note"),
        ("Moderation Note", "note"),
    ],
    required: &REQUIRED,
};

/// One moderated audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Moderation {
    pub(crate) audit_id: String,
    /// Index into the audits' list; `None` when no audits were given to check against.
    pub(crate) audit: Option<usize>,
    pub(crate) moderator_id: String,
    pub(crate) moderated_on: Option<NaiveDate>,
    /// The grade after moderation.
    pub(crate) overall: Option<Grade>,
    /// Sent back to the auditor.
    pub(crate) challenged: bool,
    pub(crate) note: String,
    /// Elements the moderator re-graded (index into the elements read against, 0 = overall
    /// is never here) and the grade given.
    pub(crate) regraded: Vec<(usize, Grade)>,
    pub(crate) line: u64,
}

/// What moderation results are read against: the audits (ids and elements), or
/// without them only the templates' elements (ids are then not checked).
pub(crate) struct Against<'a> {
    audits: Option<&'a Audits>,
    elements: Vec<Element>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Against<'a> {
    pub(crate) fn audits(audits: &'a Audits) -> Against<'a> {
        Against {
            audits: Some(audits),
            elements: audits.layout.elements.clone(),
            index: audits
                .list
                .iter()
                .enumerate()
                .map(|(i, a)| (a.audit_id.as_str(), i))
                .collect(),
        }
    }

    /// Without the audits: element columns are matched to every template's elements.
    pub(crate) fn templates(settings: &Settings) -> Against<'a> {
        let mut elements = vec![Element {
            key: OVERALL.to_string(),
            title: "Overall grade".to_string(),
            short_title: Some("Overall".to_string()),
        }];
        for t in std::iter::once(&settings.template).chain(settings.templates.values()) {
            for e in &t.elements {
                if !elements
                    .iter()
                    .any(|x| element_key(&x.key) == element_key(&e.key))
                {
                    elements.push(e.clone());
                }
            }
        }
        Against {
            audits: None,
            elements,
            index: HashMap::new(),
        }
    }
}

/// Reads one moderation file, its headings mapped by `columns`
/// (`[moderation.columns]`): every problem found, or the moderations and warnings.
pub(crate) fn read<R: Read>(
    file: &str,
    csv: csv::Reader<R>,
    against: &Against<'_>,
    scale: &Scale,
    columns: &Mapping,
) -> Result<(Vec<Moderation>, Vec<Problem>), Vec<Problem>> {
    let mut reader = RecordReader::new(file, csv).map_err(|p| vec![p])?;
    let cols = reader.resolve(&HEADINGS, columns)?.cols;
    let mut problems = Vec::new();
    let heading = |c: Option<usize>| c.map(|i| reader.headers[i].clone());
    let headings: Vec<Option<String>> = cols.iter().map(|&c| heading(c)).collect();
    // Element columns: every other heading that names an element (not overall).
    let mut elements: Vec<(usize, usize, String)> = Vec::new();
    let mut unknown = Vec::new();
    for (i, h) in reader.headers.iter().enumerate() {
        if cols.contains(&Some(i)) {
            continue;
        }
        let key = element_key(h);
        match against
            .elements
            .iter()
            .skip(1)
            .position(|e| names_element(&key, e))
        {
            Some(e) if !elements.iter().any(|(_, x, _)| *x == e + 1) => elements.push((i, e + 1, h.clone())),
            _ => unknown.push(format!("\"{h}\"")),
        }
    }
    if !unknown.is_empty() {
        problems.push(Problem::warning(
            file,
            Some(1),
            None,
            format!(
                "column{} {} {} neither a moderation column nor an element of the audits: ignored",
                if unknown.len() == 1 { "" } else { "s" },
                unknown.join(", "),
                if unknown.len() == 1 { "is" } else { "are" },
            ),
        ));
    }
    let [c_id, c_moderator, c_on, c_overall, c_challenged, c_note] = cols[..] else {
        unreachable!("one column per field")
    };
    let h = |i: usize| headings[i].as_deref();
    let mut first: HashMap<String, u64> = HashMap::new();
    let mut list = Vec::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = reader.next_good(&mut rec, &mut problems) {
        let before = problems.len();
        let mut error = |column: Option<&str>, message: String| {
            problems.push(Problem::error(file, Some(line), column, message));
        };
        let Some(audit_id) = present(&rec, c_id) else {
            error(h(0), "audit id is blank".into());
            continue;
        };
        if let Some(l) = first.insert(audit_id.to_string(), line) {
            error(
                h(0),
                format!("audit id \"{audit_id}\" appears again (first on line {l})"),
            );
            continue;
        }
        let audit = match against.audits {
            None => None,
            Some(audits) => match against.index.get(audit_id) {
                Some(&i) => Some(i),
                None => {
                    error(
                        h(0),
                        format!(
                            "audit id \"{audit_id}\" is not in the audits ({})",
                            audits.layout.files.join(", ")
                        ),
                    );
                    None
                }
            },
        };
        let moderator_id = present(&rec, c_moderator).unwrap_or("");
        if moderator_id.is_empty() {
            error(h(1), "moderator id is blank".into());
        }
        let moderated_on = present(&rec, c_on).and_then(|cell| {
            let d = parse_date(cell);
            if d.is_none() {
                error(h(2), date_problem(cell));
            }
            d
        });
        let challenged = match present(&rec, c_challenged) {
            None => false,
            Some(cell) => parse_yes_no(cell).unwrap_or_else(|| {
                error(h(4), format!("\"{cell}\" is not yes or no"));
                false
            }),
        };
        let mut grade = |cell: &str, column: Option<&str>| match scale.read(cell) {
            Reading::Graded(g) => Some(g),
            Reading::NotGraded => None,
            Reading::Unknown => {
                error(column, scale.unknown_message(cell));
                None
            }
        };
        let overall = grade(rec.get(c_overall.unwrap_or(0)).unwrap_or(""), h(3));
        let regraded: Vec<(usize, Grade)> = elements
            .iter()
            .filter_map(|(c, e, heading)| grade(rec.get(*c).unwrap_or(""), Some(heading)).map(|g| (*e, g)))
            .collect();
        if problems[before..].iter().any(|p| !p.warning) {
            continue;
        }
        if overall.is_none() {
            problems.push(Problem::warning(
                file,
                Some(line),
                h(3),
                "no grade after moderation: left out of the agreement figures",
            ));
        }
        list.push(Moderation {
            audit_id: audit_id.to_string(),
            audit,
            moderator_id: moderator_id.to_string(),
            moderated_on,
            overall,
            challenged,
            note: present(&rec, c_note).unwrap_or("").to_string(),
            regraded,
            line,
        });
    }
    if problems.iter().any(|p| !p.warning) {
        Err(problems)
    } else {
        Ok((list, problems))
    }
}
