//! `allocation.csv`: a month's sampled cases with their auditors, written by
//! `allocate`, read by `record` (into the history) and `progress`.

use super::reader::{RecordReader, present};
use crate::dates::Month;
use crate::problem::Problem;
use std::collections::HashMap;
use std::io::Read;

/// The allocation's output columns.
pub(crate) const COLUMNS: [&str; 8] = [
    "month",
    "case_id",
    "team",
    "worker",
    "frame",
    "auditor_id",
    "auditor_name",
    "auditor_team",
];

/// The columns an allocation must have.
pub(crate) const REQUIRED: [&str; 3] = ["month", "case_id", "auditor_id"];

/// The allocation's fields, for telling an allocation from other files.
pub(crate) const HEADINGS: super::headings::Headings = super::headings::Headings {
    section: "allocation",
    fields: &COLUMNS,
    aliases: &[],
    required: &REQUIRED,
};

/// One allocated case, as `allocate` wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Allocated {
    pub(crate) case_id: String,
    pub(crate) team: String,
    pub(crate) auditor_id: String,
    pub(crate) auditor_name: String,
    pub(crate) frame: String,
    /// The case's worker, and the auditor's team, where the allocation gives them.
    pub(crate) worker: String,
    pub(crate) auditor_team: String,
    pub(crate) line: u64,
}

impl Allocated {
    /// A sampled case given to an auditor (id, name and team).
    pub(crate) fn of(case: &super::sample::SampledCase, auditor: [&str; 3]) -> Allocated {
        let [auditor_id, auditor_name, auditor_team] = auditor.map(str::to_owned);
        Allocated {
            case_id: case.case_id.clone(),
            team: case.team.clone(),
            worker: case.worker.clone(),
            frame: case.frame.clone(),
            auditor_id,
            auditor_name,
            auditor_team,
            line: 0,
        }
    }

    /// The case's row in `month`'s allocation, in the order of [`COLUMNS`].
    pub(crate) fn row(&self, month: Month) -> [String; 8] {
        [
            month.to_string(),
            self.case_id.clone(),
            self.team.clone(),
            self.worker.clone(),
            self.frame.clone(),
            self.auditor_id.clone(),
            self.auditor_name.clone(),
            self.auditor_team.clone(),
        ]
    }
}

/// Reads one month's allocation: every row needs a month, a case id and an
/// auditor id; a case appears once; every row is of the same month.
pub(crate) fn read<R: Read>(
    file: &str,
    csv: csv::Reader<R>,
) -> Result<(Month, Vec<Allocated>), Vec<Problem>> {
    let mut reader = RecordReader::new(file, csv).map_err(|p| vec![p])?;
    let mut problems = reader.missing(&REQUIRED);
    if !problems.is_empty() {
        return Err(problems);
    }
    let col = |n: &str| reader.column(n);
    let (c_month, c_case, c_team, c_auditor, c_name, c_frame) = (
        col("month"),
        col("case_id"),
        col("team"),
        col("auditor_id"),
        col("auditor_name"),
        col("frame"),
    );
    let (c_worker, c_auditor_team) = (col("worker"), col("auditor_team"));
    let heading = |c: Option<usize>| c.map(|i| reader.headers[i].clone());
    let (h_month, h_case, h_auditor) = (heading(c_month), heading(c_case), heading(c_auditor));
    let mut month: Option<(Month, u64)> = None;
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut list = Vec::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = reader.next_good(&mut rec, &mut problems) {
        let mut error = |column: &Option<String>, message: String| {
            problems.push(Problem::error(file, Some(line), column.as_deref(), message));
        };
        let this_month = match present(&rec, c_month).map(str::parse::<Month>) {
            Some(Ok(m)) => m,
            Some(Err(message)) => {
                error(&h_month, message);
                continue;
            }
            None => {
                error(&h_month, "month is blank".into());
                continue;
            }
        };
        match month {
            None => month = Some((this_month, line)),
            Some((m, first)) if m != this_month => {
                error(
                    &h_month,
                    format!(
                        "{this_month} is not the allocation's month ({m}, from line {first}): give one month's allocation"
                    ),
                );
                continue;
            }
            Some(_) => {}
        }
        let Some(case_id) = present(&rec, c_case) else {
            error(&h_case, "case id is blank".into());
            continue;
        };
        if let Some(first) = seen.insert(case_id.to_string(), line) {
            error(
                &h_case,
                format!("case \"{case_id}\" is allocated twice (first on line {first})"),
            );
            continue;
        }
        let Some(auditor_id) = present(&rec, c_auditor) else {
            error(&h_auditor, format!("case \"{case_id}\" has no auditor"));
            continue;
        };
        list.push(Allocated {
            case_id: case_id.to_string(),
            team: present(&rec, c_team).unwrap_or("").to_string(),
            auditor_id: auditor_id.to_string(),
            auditor_name: present(&rec, c_name).unwrap_or("").to_string(),
            frame: present(&rec, c_frame).unwrap_or("").to_string(),
            worker: present(&rec, c_worker).unwrap_or("").to_string(),
            auditor_team: present(&rec, c_auditor_team).unwrap_or("").to_string(),
            line,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    match month {
        Some((m, _)) => Ok((m, list)),
        None => Err(vec![Problem::error(
            file,
            None,
            None,
            "the allocation has no rows (nothing was allocated)",
        )]),
    }
}
