//! The demo preset: a small authority from the same generator as `generate`, with
//! the commented settings file of `data/caseaudit.toml`, and the audit returns and
//! moderation results of the month the demo runs. Pure: the demo command does the
//! file I/O and runs the real commands in between.

use super::audits::{
    audit_columns, completed_in, moderate, moderation_columns, overall_grade, push_findings,
};
use super::{Authority, Spec, Table};
use crate::config::Settings;
use crate::dates::{Month, format_date};
use crate::forms::moderation::ModerationCase;
use crate::forms::{self, Answers, FormCase};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;

/// The demo's authority: 1,500 cases in twelve teams (the size of a small English
/// authority's caseload), 30 auditors, a sample of 25 a month (the frames of
/// `data/caseaudit.toml` draw 10 + 5 + 10) and six months of history. Its audits
/// are not generated with it: they are drawn for the cases the month's allocation
/// gives out ([`Demo::returns`]).
pub(crate) fn preset(seed: u64, as_of: NaiveDate) -> Spec {
    Spec {
        cases: 1_500,
        auditors: 30,
        teams: 12,
        sample: 25,
        audits: 0,
        history_months: 6,
        seed,
        as_of,
    }
}

/// The index of Inadequate in the demo's grades, always moderated.
const INADEQUATE: usize = 3;

/// The commented settings file the demo writes.
pub(crate) const CONFIG_TOML: &str = include_str!("../../data/caseaudit.toml");

/// The demo's settings for a month: [`CONFIG_TOML`] with a learning focus on case
/// records that began three months before, so the report's *Learning focus*
/// section has months on both sides of it.
pub(crate) fn config_for(month: Month) -> String {
    let start = month.previous().previous().previous();
    format!(
        "{CONFIG_TOML}
# A learning focus: from its month on, the service concentrates on one element of
# the template. The report's \"Learning focus\" section (and `themes --focus`)
# shows the element's share good or better before and since, and the difference
# with its 95% interval. Add one [[focus]] block a focus.
[[focus]]
month = \"{start}\"
element = \"records\"
title = \"Case recording\"
"
    )
}

/// The files the demo starts its month with, as bytes ready to write.
pub(crate) struct DemoFiles {
    pub(crate) extract_csv: Vec<u8>,
    pub(crate) auditors_csv: Vec<u8>,
    pub(crate) history_csv: Vec<u8>,
}

/// A demo month: the authority (whose generator goes on to draw the audits and
/// moderation), and its starting files.
pub(crate) struct Demo {
    authority: Authority,
    pub(crate) files: DemoFiles,
}

/// One completed audit of the demo month, with what moderating it needs.
struct Return {
    cells: Vec<String>,
    month: Month,
    team: String,
    overall: usize,
    completed: NaiveDate,
    /// The case's worker, as the form's header block shows it.
    worker: String,
}

/// The demo's completed audits: one for each case of the history and of this
/// month's allocation.
pub(crate) struct Returns {
    month: Month,
    list: Vec<Return>,
}

impl Demo {
    /// Generates the demo authority. The same `seed` and `as_of` give the same bytes.
    pub(crate) fn new(seed: u64, as_of: NaiveDate) -> Demo {
        let mut authority = Authority::new(preset(seed, as_of));
        // Two workers are written with a non-breaking space inside the name, as real
        // case management exports do.
        for team in 0..2 {
            let worker = authority.teams[team].workers[0] as usize;
            authority.workers[worker] = authority.workers[worker].replacen(' ', "\u{a0}", 1);
        }
        let mut files = DemoFiles {
            extract_csv: Vec::new(),
            auditors_csv: Vec::new(),
            history_csv: Vec::new(),
        };
        in_memory(authority.write_extract(&mut files.extract_csv));
        in_memory(authority.write_auditors(&mut files.auditors_csv));
        in_memory(authority.write_history(&mut files.history_csv));
        Demo { authority, files }
    }

    /// The auditors' returns: an audit of every case of the history, in its month,
    /// and of every case of `allocation_csv` (the month's allocation), completed
    /// by the as-of date at the latest.
    pub(crate) fn returns(&mut self, allocation_csv: &[u8]) -> Returns {
        let as_of = self.authority.spec.as_of;
        let cases: HashMap<String, HashMap<String, String>> = read_rows(&self.files.extract_csv)
            .into_iter()
            .filter_map(|r| Some((r.get("case_id")?.clone(), r)))
            .collect();
        let mut by_month: BTreeMap<Month, Vec<HashMap<String, String>>> = BTreeMap::new();
        for row in read_rows(&self.files.history_csv)
            .into_iter()
            .chain(read_rows(allocation_csv))
        {
            if let Some(month) = row.get("month").and_then(|m| m.parse().ok()) {
                by_month.entry(month).or_default().push(row);
            }
        }
        let rng = &mut self.authority.rng;
        let mut list = Vec::new();
        for (month, rows) in by_month {
            for (i, row) in rows.into_iter().enumerate() {
                let get = |key: &str| row.get(key).cloned().unwrap_or_default();
                let case = cases.get(&get("case_id"));
                let of_case = |key: &str| case.and_then(|c| c.get(key)).cloned().unwrap_or_default();
                let completed = completed_in(rng, month, as_of);
                let overall = overall_grade(rng);
                let mut cells = vec![
                    format!("AUD-{month}-{:03}", i + 1),
                    get("case_id"),
                    month.to_string(),
                    get("auditor_id"),
                    get("team"),
                    of_case("service"),
                    get("frame"),
                    format_date(completed),
                ];
                push_findings(rng, &mut cells, overall, &of_case("worker"), completed);
                list.push(Return {
                    cells,
                    month,
                    team: get("team"),
                    overall,
                    completed,
                    worker: of_case("worker"),
                });
            }
        }
        Returns {
            month: Month::of(as_of),
            list,
        }
    }

    /// Moderation results of the months before this one, chosen as `moderate
    /// select` chooses with the demo's settings (every Inadequate audit, one audit
    /// of each auditor with none moderated in the two months before, about one in
    /// ten of the rest), moderated by the as-of date at the latest.
    pub(crate) fn earlier_moderation(&mut self, returns: &Returns) -> Vec<u8> {
        let mut chosen: Vec<usize> = Vec::new();
        let mut last_moderated: HashMap<&str, Month> = HashMap::new();
        let months: BTreeSet<Month> = returns.list.iter().map(|a| a.month).collect();
        let rng = &mut self.authority.rng;
        for &month in months.iter().filter(|&&m| m != returns.month) {
            let of_month: Vec<usize> = (0..returns.list.len())
                .filter(|&i| returns.list[i].month == month)
                .collect();
            let mut picked: Vec<usize> = of_month
                .iter()
                .copied()
                .filter(|&i| returns.list[i].overall == INADEQUATE)
                .collect();
            for &i in &of_month {
                let auditor = returns.list[i].auditor();
                let due = last_moderated
                    .get(auditor)
                    .is_none_or(|m| month.months_since(*m) >= 3);
                let covered = picked.iter().any(|&j| returns.list[j].auditor() == auditor);
                if due && !covered {
                    picked.push(i);
                }
            }
            for &i in &of_month {
                if !picked.contains(&i) && rng.percent(10) {
                    picked.push(i);
                }
            }
            for &i in &picked {
                last_moderated.insert(returns.list[i].auditor(), month);
            }
            chosen.extend(picked);
        }
        let ids: Vec<String> = chosen.iter().map(|&i| returns.list[i].cells[0].clone()).collect();
        self.results(returns, &ids)
    }

    /// Moderation results for the audits `moderate select` chose this month
    /// (the `audit_id`s of `chosen_csv`), as a moderation file.
    pub(crate) fn this_months_moderation(&mut self, returns: &Returns, chosen_csv: &[u8]) -> Vec<u8> {
        let chosen: Vec<String> = read_rows(chosen_csv)
            .into_iter()
            .filter_map(|r| r.get("audit_id").cloned())
            .collect();
        self.results(returns, &chosen)
    }

    /// The moderation forms of the audits `moderate select` chose this month,
    /// as `forms --moderation` writes them (the auditor's grades shown, the
    /// elements of the frame's template), with the answers the moderator gives
    /// ([`Demo::this_months_moderation`]'s results), by row key.
    pub(crate) fn moderation_forms(
        &mut self,
        returns: &Returns,
        chosen_csv: &[u8],
        settings: &Settings,
    ) -> Vec<(ModerationCase, Answers)> {
        let results = read_rows(&self.this_months_moderation(returns, chosen_csv));
        let reasons: HashMap<String, String> = read_rows(chosen_csv)
            .into_iter()
            .filter_map(|mut r| Some((r.remove("audit_id")?, r.remove("reason").unwrap_or_default())))
            .collect();
        let columns = audit_columns();
        let cell = |a: &Return, column: &str| {
            columns
                .iter()
                .position(|c| *c == column)
                .and_then(|i| a.cells.get(i))
                .cloned()
                .unwrap_or_default()
        };
        results
            .into_iter()
            .filter_map(|result| {
                let id = result.get("audit_id")?;
                let a = returns.list.iter().find(|a| a.cells[0] == *id)?;
                let frame = cell(a, "frame");
                let case = ModerationCase {
                    audit_id: id.clone(),
                    case_id: cell(a, "case_id"),
                    team: cell(a, "team"),
                    auditor_id: cell(a, "auditor_id"),
                    month: a.month.to_string(),
                    reason: reasons.get(id).cloned().unwrap_or_default(),
                    elements: forms::template_for(settings, &frame)
                        .iter()
                        .map(|e| (e.clone(), cell(a, &e.key)))
                        .collect(),
                    overall: cell(a, "overall"),
                };
                let answers = result
                    .iter()
                    .filter(|(column, _)| *column != "audit_id")
                    .map(|(column, value)| (column.clone(), (value.clone(), String::new())))
                    .collect();
                Some((case, answers))
            })
            .collect()
    }

    /// A moderation file with a result for each audit of `ids` found in the returns.
    fn results(&mut self, returns: &Returns, ids: &[String]) -> Vec<u8> {
        let Authority {
            spec,
            rng,
            teams,
            auditors,
            ..
        } = &mut self.authority;
        let mut out = Vec::new();
        let mut table = in_memory(Table::new(&mut out, &moderation_columns()));
        for id in ids {
            let Some(audit) = returns.list.iter().find(|a| &a.cells[0] == id) else {
                continue;
            };
            let team = teams.iter().position(|t| t.name == audit.team);
            // A team not in the authority bars no one.
            let team = team.map_or(u32::MAX, |t| t as u32);
            let mut result = moderate(rng, auditors, team, audit.overall, audit.completed);
            result.on = result.on.min(spec.as_of);
            in_memory(result.write(&mut table, id, auditors));
        }
        in_memory(table.finish());
        out
    }
}

impl Return {
    fn auditor(&self) -> &str {
        &self.cells[3]
    }
}

impl Returns {
    /// The audits file, as the demo once wrote it whole (the tests' reference).
    #[cfg(test)]
    pub(crate) fn csv(&self) -> Vec<u8> {
        self.write(|_| true)
    }

    /// The audits file as it stood mid-month: two in three of this month's returns.
    pub(crate) fn so_far(&self) -> Vec<u8> {
        let mut this_month = 0;
        self.write(|a| {
            let kept = a.month == self.month && this_month % 3 != 2;
            this_month += usize::from(a.month == self.month);
            kept
        })
    }

    /// The audits file of the months before this one (this month's come back
    /// on the forms).
    pub(crate) fn earlier_csv(&self) -> Vec<u8> {
        self.write(|a| a.month != self.month)
    }

    /// This month's audits as forms filled in: each case as `forms` writes its
    /// header block (due on `due`, the elements of the frame's template) and the
    /// answers the auditor gives, by row key.
    pub(crate) fn filled_forms(&self, due: NaiveDate, settings: &Settings) -> Vec<(FormCase, Answers)> {
        let columns = audit_columns();
        self.list
            .iter()
            .filter(|a| a.month == self.month)
            .map(|a| {
                let cell = |i: usize| a.cells[i].clone();
                let case = FormCase {
                    audit_id: cell(0),
                    case_id: cell(1),
                    team: cell(4),
                    worker: a.worker.clone(),
                    service: cell(5),
                    frame: cell(6),
                    auditor_id: cell(3),
                    month: a.month,
                    due,
                    elements: forms::template_for(settings, &a.cells[6]).to_vec(),
                    child: None,
                };
                let answers = columns
                    .iter()
                    .zip(&a.cells)
                    .map(|(key, value)| ((*key).to_string(), (value.clone(), String::new())))
                    .collect();
                (case, answers)
            })
            .collect()
    }

    /// How many audits are of this month, and how many of the months before.
    pub(crate) fn counts(&self) -> (usize, usize) {
        let this_month = self.list.iter().filter(|a| a.month == self.month).count();
        (this_month, self.list.len() - this_month)
    }

    fn write(&self, mut keep: impl FnMut(&Return) -> bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut table = in_memory(Table::new(&mut out, &audit_columns()));
        for audit in self.list.iter().filter(|a| keep(a)) {
            let fields: Vec<&str> = audit.cells.iter().map(String::as_str).collect();
            in_memory(table.row(&fields));
        }
        in_memory(table.finish());
        out
    }
}

/// Writing to a `Vec` cannot fail, and every row has its header's length.
fn in_memory<T>(result: io::Result<T>) -> T {
    result.expect("writing CSV to memory")
}

/// The rows of a CSV text as maps from heading to value.
fn read_rows(text: &[u8]) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text);
    let headers = reader.headers().cloned().unwrap_or_default();
    reader
        .records()
        .filter_map(Result::ok)
        .map(|r| {
            let pairs = headers.iter().zip(r.iter());
            pairs.map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests;
