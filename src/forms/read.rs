//! Reading a returned form: its sheet's cells found by key, every answer checked
//! (grades against the scale, dates, yes/no), each problem naming the file,
//! sheet and cell.

use super::keys::{AUDIT_MARKER, CHILD, FINDINGS, Found, HEADER, Kind, Located, reserved};
use crate::config::Settings;
use crate::dates::{Month, date_problem, format_date, parse_date};
use crate::grades::{Reading, Scale};
use crate::problem::Problem;
use crate::values::{element_key, parse_yes_no};
use std::collections::BTreeMap;

/// A form with an overall grade, as its audit's cells (by audit column), or
/// one not filled in yet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Collected {
    Audit(Box<Returned>),
    /// No overall grade yet: not returned.
    Outstanding {
        audit_id: String,
        at: String,
        /// A warning naming the overall grade's cell when the form holds other
        /// answers (grades, evidence, findings): started, but not finished.
        started: Option<Problem>,
    },
}

/// A returned audit, its answers as they go into the audits file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Returned {
    /// `file: sheet "NAME"`, for messages.
    pub(crate) at: String,
    /// The cell holding the audit id and the case id (for messages).
    pub(crate) id_cell: String,
    pub(crate) case_cell: String,
    /// The header block: audit_id, case_id, month, auditor_id, team, service, frame.
    pub(crate) audit_id: String,
    pub(crate) case_id: String,
    pub(crate) month: Month,
    pub(crate) auditor_id: String,
    pub(crate) team: String,
    pub(crate) service: String,
    pub(crate) frame: String,
    /// Each element's key (as the template of the form's frame has it), grade
    /// label (empty when not graded) and evidence, in the template's order.
    pub(crate) elements: Vec<(String, String, String)>,
    /// The findings, by the keys of [`FINDINGS`], in its order, as they go out
    /// (grades as the scale's labels, dates as YYYY-MM-DD, yes/no as yes/no).
    pub(crate) findings: Vec<(&'static str, String)>,
    /// Where each answer was read from: its key (an element's evidence as
    /// `<key> evidence`) to its cell (`C16`), for messages.
    pub(crate) cells: BTreeMap<String, String>,
}

impl Returned {
    pub(crate) fn finding(&self, key: &str) -> &str {
        self.findings
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The answers in which `other`, another copy of the same audit, differs
    /// from this one, each as its label and its cell here (`Plans (C16)`): none
    /// when the answers agree, wherever either copy's rows were moved to.
    pub(crate) fn differences(&self, other: &Returned) -> Vec<String> {
        let mut differ = Vec::new();
        let mut name = |key: &str, label: &str| {
            let cell = self.cells.get(key).map_or(String::new(), |c| format!(" ({c})"));
            differ.push(format!("{label}{cell}"));
        };
        for (key, label, mine, theirs) in [
            ("case_id", "Case", &self.case_id, &other.case_id),
            ("auditor_id", "Auditor", &self.auditor_id, &other.auditor_id),
            ("team", "Team", &self.team, &other.team),
            ("service", "Service", &self.service, &other.service),
            ("frame", "Sampling frame", &self.frame, &other.frame),
        ] {
            if mine != theirs {
                name(key, label);
            }
        }
        if self.month != other.month {
            name("month", "Month");
        }
        let answer = |a: &Returned, key: &str| {
            a.elements
                .iter()
                .find(|(k, ..)| element_key(k) == element_key(key))
                .map(|(_, grade, evidence)| (grade.clone(), evidence.clone()))
                .unwrap_or_default()
        };
        let mut keys: Vec<&str> = self.elements.iter().map(|(k, ..)| k.as_str()).collect();
        for (k, ..) in &other.elements {
            if !keys.iter().any(|x| element_key(x) == element_key(k)) {
                keys.push(k);
            }
        }
        for key in keys {
            let ((grade, evidence), (their_grade, their_evidence)) = (answer(self, key), answer(other, key));
            if grade != their_grade {
                name(key, &element_label(key));
            }
            if evidence != their_evidence {
                name(
                    &format!("{key} evidence"),
                    &format!("{} evidence", element_label(key)),
                );
            }
        }
        for (key, label, _) in FINDINGS {
            if self.finding(key) != other.finding(key) {
                name(key, label.split(" (").next().unwrap_or(label));
            }
        }
        differ
    }
}

/// Reads one sheet: `None` when it is not an audit form (a sheet of lists, a
/// note the user added), else the audit or the problems found. The elements
/// are those of the template of the form's frame in `settings`.
pub(crate) fn read_sheet(
    file: &str,
    sheet: &str,
    cells: &[crate::workbook::PlacedCell],
    scale: &Scale,
    settings: &Settings,
) -> Option<Result<Collected, Vec<Problem>>> {
    let at = format!("{file}: sheet \"{sheet}\"");
    let form = match Located::find(cells, AUDIT_MARKER)? {
        Ok(form) => form,
        Err(why) => return Some(Err(vec![Problem::error(&at, None, None, why)])),
    };
    let mut problems = Vec::new();
    let mut missing = Vec::new();
    let mut header = |key: &str| -> Option<Found<'_>> {
        let found = form.value(key);
        if found.is_none() {
            missing.push(key.to_string());
        }
        found
    };
    let id = header("audit_id");
    let case = header("case_id");
    let month_cell = header("month");
    let auditor = header("auditor_id");
    let team = header("team");
    let service = header("service");
    let frame = header("frame");
    let overall = form.value("overall");
    if overall.is_none() {
        missing.push("overall".to_string());
    }
    if !missing.is_empty() {
        return Some(Err(vec![Problem::error(
            &at,
            None,
            None,
            format!(
                "the form has no row keyed {} (a row deleted, or its hidden key cleared); write the form again with `caseaudit forms`",
                missing.join(", ")
            ),
        )]));
    }
    let (id, case, month_cell, auditor, team, overall) = (
        id.expect("checked"),
        case.expect("checked"),
        month_cell.expect("checked"),
        auditor.expect("checked"),
        team.expect("checked"),
        overall.expect("checked"),
    );
    for (found, key) in [
        (&id, "audit_id"),
        (&case, "case_id"),
        (&auditor, "auditor_id"),
        (&team, "team"),
    ] {
        if found.text.is_empty() {
            problems.push(located(
                &at,
                found,
                header_label(key),
                format!(
                    "{} is blank; the header block is filled in by `caseaudit forms`",
                    header_label(key)
                ),
            ));
        }
    }
    let month = match month_cell.text.parse::<Month>() {
        Ok(m) => Some(m),
        Err(message) => {
            problems.push(located(&at, &month_cell, "Month", message));
            None
        }
    };
    if scale.read(overall.text) == Reading::NotGraded {
        let answered = form.keys().any(|k| {
            k != "overall"
                && !HEADER
                    .iter()
                    .chain(&CHILD)
                    .any(|(h, _)| element_key(h) == element_key(k))
                && form.value(k).is_some_and(|v| !v.text.trim().is_empty())
                || form.evidence(k).is_some_and(|v| !v.text.trim().is_empty())
        });
        let started = answered.then(|| {
            let mut p = located(
                &at,
                &overall,
                "Overall grade",
                "the form has answers but no overall grade: it counts as outstanding (not returned) until it has one".into(),
            );
            p.warning = true;
            p
        });
        return Some(if problems.is_empty() {
            Ok(Collected::Outstanding {
                audit_id: id.text.to_string(),
                at,
                started,
            })
        } else {
            Err(problems)
        });
    }
    let grade = |found: &Found<'_>, label: &str| -> Result<String, Problem> {
        match scale.read(found.text) {
            Reading::Graded(g) => Ok(scale.label(g).to_string()),
            Reading::NotGraded => Ok(String::new()),
            Reading::Unknown => Err(located(&at, found, label, scale.unknown_message(found.text))),
        }
    };
    // Each element by its key in the template, so that no element can be
    // taken for one of the form's own rows (the settings refuse such keys).
    let frame_text = frame.as_ref().map_or("", |f| f.text);
    let template = super::template_for(settings, frame_text);
    let mut cells = BTreeMap::new();
    for (key, found) in [
        ("audit_id", Some(&id)),
        ("case_id", Some(&case)),
        ("month", Some(&month_cell)),
        ("auditor_id", Some(&auditor)),
        ("team", Some(&team)),
        ("service", service.as_ref()),
        ("frame", frame.as_ref()),
    ] {
        if let Some(found) = found {
            cells.insert(key.to_string(), found.cell.clone());
        }
    }
    let mut elements = Vec::new();
    for e in template {
        let Some(value) = form.value(&e.key) else {
            continue;
        };
        cells.insert(e.key.clone(), value.cell.clone());
        let evidence = match form.evidence(&e.key) {
            Some(found) => {
                cells.insert(format!("{} evidence", e.key), found.cell);
                found.text.to_string()
            }
            None => String::new(),
        };
        let label = element_label(&e.key);
        let graded = grade(&value, &label).unwrap_or_else(|p| {
            problems.push(p);
            String::new()
        });
        elements.push((e.key.clone(), graded, evidence));
    }
    // A row of an element the template no longer has: not passed over.
    for key in form.keys() {
        let k = element_key(key);
        if reserved().any(|r| element_key(r) == k) || template.iter().any(|e| element_key(&e.key) == k) {
            continue;
        }
        let value = form.value(key).expect("a key of the form");
        problems.push(located(
            &at,
            &value,
            &element_label(key),
            format!(
                "the row keyed \"{}\" is not an element of the template of frame \"{frame_text}\" ({}): the settings changed since the form was written; put the element back in the settings, or copy the answers into a form written again",
                key.trim(),
                if settings.templates.contains_key(frame_text) {
                    format!("[templates.{frame_text}]")
                } else {
                    "[template]".to_string()
                }
            ),
        ));
    }
    let mut findings = Vec::new();
    for (key, label, kind) in FINDINGS {
        let Some(found) = form.value(key) else {
            findings.push((key, String::new()));
            continue;
        };
        let label = label.split(" (").next().unwrap_or(label);
        cells.insert(key.to_string(), found.cell.clone());
        let text = found.text;
        let value = match kind {
            Kind::Grade => grade(&found, label).unwrap_or_else(|p| {
                problems.push(p);
                String::new()
            }),
            Kind::Tags | Kind::Text => text.to_string(),
            _ if text.is_empty() => String::new(),
            Kind::Date => match parse_date(text) {
                Some(d) => format_date(d),
                None => {
                    problems.push(located(&at, &found, label, date_problem(text)));
                    String::new()
                }
            },
            Kind::YesNo => match parse_yes_no(text) {
                Some(b) => yes_no(b),
                None => {
                    problems.push(located(
                        &at,
                        &found,
                        label,
                        format!("\"{text}\" is not yes or no"),
                    ));
                    String::new()
                }
            },
            Kind::YesNoOrDate => match (parse_yes_no(text), parse_date(text)) {
                (Some(b), _) => yes_no(b),
                (None, Some(d)) => format_date(d),
                (None, None) => {
                    problems.push(located(
                        &at,
                        &found,
                        label,
                        format!("\"{text}\" is not yes, no or the date it was done"),
                    ));
                    String::new()
                }
            },
        };
        findings.push((key, value));
    }
    if !problems.is_empty() {
        return Some(Err(problems));
    }
    Some(Ok(Collected::Audit(Box::new(Returned {
        at,
        id_cell: id.cell.clone(),
        case_cell: case.cell.clone(),
        audit_id: id.text.to_string(),
        case_id: case.text.to_string(),
        month: month.expect("no problems, so the month read"),
        auditor_id: auditor.text.to_string(),
        team: team.text.to_string(),
        service: service.map_or(String::new(), |f| f.text.to_string()),
        frame: frame.map_or(String::new(), |f| f.text.to_string()),
        elements,
        findings,
        cells,
    }))))
}

fn located(at: &str, found: &Found<'_>, label: &str, message: String) -> Problem {
    Problem::error(
        &format!("{at}, cell {} ({label})", found.cell),
        None,
        None,
        message,
    )
}

fn yes_no(b: bool) -> String {
    (if b { "yes" } else { "no" }).to_string()
}

fn header_label(key: &str) -> &'static str {
    HEADER
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, label)| label)
}

/// How messages name an element's row: its key, capitalised (`Plans`).
pub(super) fn element_label(key: &str) -> String {
    let mut chars = key.chars();
    chars.next().map_or(String::new(), |c| {
        c.to_uppercase()
            .chain(chars.map(|c| if c == '_' { ' ' } else { c }))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::keys::{EVIDENCE, VALUE};
    use crate::grades::GradeSettings;
    use crate::workbook::PlacedCell;

    fn scale() -> Scale {
        Scale::new(&GradeSettings::default()).unwrap()
    }

    /// A form's cells: the marker and column keys, then (key, answer) rows.
    fn form(rows: &[(&str, &str)]) -> Vec<PlacedCell> {
        let mut cells = vec![
            (0, 0, AUDIT_MARKER.to_string()),
            (0, 2, VALUE.to_string()),
            (0, 3, EVIDENCE.to_string()),
        ];
        for (i, (key, answer)) in rows.iter().enumerate() {
            let r = i as u32 + 2;
            cells.push((r, 0, (*key).to_string()));
            if !answer.is_empty() {
                cells.push((r, 2, (*answer).to_string()));
            }
        }
        cells
    }

    const HEAD: [(&str, &str); 7] = [
        ("audit_id", "AUD-2026-11-001"),
        ("case_id", "C1"),
        ("month", "2026-11"),
        ("auditor_id", "TM1"),
        ("team", "Team A"),
        ("service", "CIN"),
        ("frame", "neglect"),
    ];

    fn read(rows: &[(&str, &str)]) -> Result<Collected, Vec<Problem>> {
        let rows: Vec<(&str, &str)> = HEAD.iter().chain(rows).copied().collect();
        read_sheet("f.xlsx", "C1", &form(&rows), &scale(), &Settings::default()).expect("a form")
    }

    #[test]
    fn a_form_without_an_overall_grade_is_outstanding_whatever_else_it_holds() {
        let read = read(&[("risk", "Gd"), ("overall", "")]).unwrap();
        assert!(matches!(read, Collected::Outstanding { ref audit_id, .. } if audit_id == "AUD-2026-11-001"));
    }

    #[test]
    fn answers_are_read_into_the_audit_layouts_forms() {
        let Collected::Audit(a) = read(&[
            ("risk", "ri"),
            ("voice", "n/a"),
            ("overall", "1"),
            ("safeguarding_concern", "Y"),
            ("action_done", "2026-12-01"),
            ("completed_on", "3 Nov 2026"),
        ])
        .unwrap() else {
            panic!("an audit")
        };
        assert_eq!(
            a.elements[0],
            ("risk".into(), "Requires improvement".into(), String::new())
        );
        assert_eq!(a.elements[1].1, "");
        assert_eq!(a.finding("overall"), "Outstanding");
        assert_eq!(a.finding("safeguarding_concern"), "yes");
        assert_eq!(a.finding("action_done"), "2026-12-01");
        assert_eq!(a.finding("completed_on"), "2026-11-03");
        assert_eq!(a.finding("strengths"), "", "a row not on the form is blank");
    }

    #[test]
    fn each_bad_answer_is_named_by_its_cell() {
        let err = read(&[
            ("plans", "Gd"),
            ("overall", "Good"),
            ("safeguarding_concern", "maybe"),
            ("completed_on", "soon"),
        ])
        .unwrap_err();
        let text: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(
            text[0].starts_with("f.xlsx: sheet \"C1\", cell C10 (Plans): \"Gd\" is not a grade"),
            "{}",
            text[0]
        );
        assert_eq!(
            text[1],
            "f.xlsx: sheet \"C1\", cell C12 (Safeguarding concern raised): \"maybe\" is not yes or no"
        );
        assert!(
            text[2].starts_with("f.xlsx: sheet \"C1\", cell C13 (Audit completed on): "),
            "{}",
            text[2]
        );
    }

    #[test]
    fn a_deleted_key_row_is_reported_not_guessed() {
        let rows = [("audit_id", "A1"), ("overall", "Good")];
        let err = read_sheet("f.xlsx", "C1", &form(&rows), &scale(), &Settings::default())
            .unwrap()
            .unwrap_err();
        assert!(
            err[0]
                .to_string()
                .contains("no row keyed case_id, month, auditor_id, team"),
            "{}",
            err[0]
        );
        assert!(
            read_sheet(
                "f.xlsx",
                "Lists",
                &[(0, 0, "Good".into())],
                &scale(),
                &Settings::default()
            )
            .is_none()
        );
    }
}
