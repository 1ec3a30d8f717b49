//! The auditors list (README.md#auditors): who can audit, their team, capacity, and the
//! teams they manage.

use crate::layouts::headings::{Headings, Mapping};
use crate::layouts::reader::{RecordReader, present};

use crate::problem::Problem;
use crate::values::{list_items, parse_yes_no};
use std::collections::HashMap;
use std::io::Read;

pub(crate) const REQUIRED: [&str; 3] = ["auditor_id", "name", "team"];

/// Every column of the list, as `generate` and `demo` write it.
pub(crate) const COLUMNS: [&str; 7] = [
    "auditor_id",
    "name",
    "team",
    "role",
    "capacity",
    "active",
    "manages",
];

/// Every field the list may have: its columns, and an email address for the
/// chase list's mail merge.
pub(crate) const FIELDS: [&str; 8] = [
    "auditor_id",
    "name",
    "team",
    "role",
    "capacity",
    "active",
    "manages",
    "email",
];

/// The list's fields, and the headings staff lists commonly export them under.
pub(crate) const HEADINGS: Headings = Headings {
    section: "auditors",
    fields: &FIELDS,
    aliases: &[
        ("Auditor", "auditor_id"),
        ("Staff ID", "auditor_id"),
        ("Staff Number", "auditor_id"),
        ("Employee ID", "auditor_id"),
        ("Employee Number", "auditor_id"),
        ("Worker ID", "auditor_id"),
        ("Auditor Name", "name"),
        ("Staff Name", "name"),
        ("Full Name", "name"),
        ("Employee Name", "name"),
        ("Team Name", "team"),
        ("Job Title", "role"),
        ("Position", "role"),
        ("Audits per Month", "capacity"),
        ("Monthly Capacity", "capacity"),
        ("Is Active", "active"),
        ("Available", "active"),
        ("Teams Managed", "manages"),
        ("Manages Teams", "manages"),
        ("Managed Teams", "manages"),
        ("Email Address", "email"),
        ("Work Email", "email"),
    ],
    required: &REQUIRED,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Auditor {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) team: String,
    pub(crate) role: String,
    /// `None`: the configured default capacity applies.
    pub(crate) capacity: Option<u32>,
    pub(crate) active: bool,
    pub(crate) manages: Vec<String>,
    /// Blank where the list has none.
    pub(crate) email: String,
    pub(crate) line: u64,
}

/// Reads and checks an auditors list, its headings mapped by `columns`
/// (`[auditors.columns]`). Returns the auditors and any warnings, or every error found.
pub(crate) fn read<R: Read>(
    file: &str,
    csv: csv::Reader<R>,
    columns: &Mapping,
) -> Result<(Vec<Auditor>, Vec<Problem>), Vec<Problem>> {
    let mut reader = RecordReader::new(file, csv).map_err(|p| vec![p])?;
    let found = reader.resolve(&HEADINGS, columns)?;
    let mut problems = Vec::new();
    let col = |name: &str| found.col(name);
    let (c_id, c_name, c_team) = (col("auditor_id"), col("name"), col("team"));
    let (c_role, c_cap, c_active, c_manages) = (col("role"), col("capacity"), col("active"), col("manages"));
    let heading = |c: Option<usize>| c.map(|i| reader.headers[i].clone());
    let (h_id, h_cap, h_active, h_team) = (heading(c_id), heading(c_cap), heading(c_active), heading(c_team));
    let mut auditors = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = reader.next_good(&mut rec, &mut problems) {
        let Some(id) = present(&rec, c_id) else {
            problems.push(Problem::error(
                file,
                Some(line),
                h_id.as_deref(),
                "auditor id is blank",
            ));
            continue;
        };
        if let Some(first) = first_line.insert(id.to_string(), line) {
            problems.push(Problem::error(
                file,
                Some(line),
                h_id.as_deref(),
                format!("auditor id \"{id}\" appears again (first on line {first})"),
            ));
            continue;
        }
        let capacity = match present(&rec, c_cap) {
            None => None,
            Some(text) => match text.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.push(Problem::error(
                        file,
                        Some(line),
                        h_cap.as_deref(),
                        format!("\"{text}\" is not a capacity (a whole number of audits, 0 or more)"),
                    ));
                    continue;
                }
            },
        };
        let active = match present(&rec, c_active) {
            None => true,
            Some(text) => match parse_yes_no(text) {
                Some(b) => b,
                None => {
                    problems.push(Problem::error(
                        file,
                        Some(line),
                        h_active.as_deref(),
                        format!("\"{text}\" is not yes or no"),
                    ));
                    continue;
                }
            },
        };
        let team = present(&rec, c_team).unwrap_or("").to_string();
        if team.is_empty() {
            problems.push(Problem::warning(
                file,
                Some(line),
                h_team.as_deref(),
                format!("auditor \"{id}\" has no team: they may audit any team they do not manage"),
            ));
        }
        auditors.push(Auditor {
            id: id.to_string(),
            name: present(&rec, c_name).unwrap_or(id).to_string(),
            team,
            role: present(&rec, c_role).unwrap_or("").to_string(),
            capacity,
            active,
            manages: present(&rec, c_manages)
                .map(|m| list_items(m).map(str::to_string).collect())
                .unwrap_or_default(),
            email: present(&rec, col("email")).unwrap_or("").to_string(),
            line,
        });
    }
    if problems.iter().any(|p| !p.warning) {
        Err(problems)
    } else {
        Ok((auditors, problems))
    }
}
