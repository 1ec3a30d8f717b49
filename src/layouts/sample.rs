//! `sample.csv`: the month's sample, written by `sample` and read by `allocate`.

use super::reader::{RecordReader, present};
use crate::dates::Month;
use crate::keys::key_hex;
use crate::problem::{Problem, Problems};
use crate::render::Cell;
use crate::sample::{Drawn, draw::SampledFields};
use anyhow::{Result, bail};
use std::collections::{BTreeSet, HashMap};
use std::io::Read;

/// The sample's output columns.
pub(crate) const COLUMNS: [&str; 12] = [
    "month",
    "frame",
    "stratum",
    "rank",
    "case_id",
    "team",
    "worker",
    "service",
    "status",
    "start_date",
    "end_date",
    "key",
];

/// One drawn case as a row of [`COLUMNS`].
pub(crate) fn row(month: &str, frame: &str, d: &Drawn<SampledFields>) -> Vec<Cell> {
    let f = &d.payload;
    vec![
        Cell::text(month),
        Cell::text(frame),
        Cell::text(&d.stratum),
        Cell::Int(i64::try_from(d.rank).unwrap_or(i64::MAX)),
        Cell::text(&d.case_id),
        Cell::text(&f.team),
        Cell::text(&f.worker),
        Cell::text(&f.service),
        Cell::text(&f.status),
        Cell::text(&f.start),
        Cell::text(&f.end),
        Cell::text(key_hex(d.key)),
    ]
}

/// A sampled case as read from a sample file.
pub(crate) struct SampledCase {
    pub(crate) month: Option<Month>,
    pub(crate) case_id: String,
    pub(crate) team: String,
    pub(crate) worker: String,
    pub(crate) frame: String,
}

/// Reads a sample: one month's cases, each once, each with a team.
pub(crate) fn read<R: Read>(name: &str, reader: csv::Reader<R>) -> Result<Vec<SampledCase>> {
    let mut reader = RecordReader::new(name, reader).map_err(|p| Problems(vec![p]))?;
    let mut problems = reader.missing(&["case_id", "team"]);
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    let col = |n: &str| reader.column(n);
    let (c_month, c_id, c_team, c_worker, c_frame) = (
        col("month"),
        col("case_id"),
        col("team"),
        col("worker"),
        col("frame"),
    );
    let mut cases = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = reader.next_good(&mut rec, &mut problems) {
        let Some(id) = present(&rec, c_id) else {
            problems.push(Problem::error(
                name,
                Some(line),
                Some("case_id"),
                "case id is blank",
            ));
            continue;
        };
        if let Some(first) = seen.insert(id.to_string(), line) {
            problems.push(Problem::error(
                name,
                Some(line),
                Some("case_id"),
                format!("case \"{id}\" is in the sample twice (first on line {first})"),
            ));
            continue;
        }
        let Some(team) = present(&rec, c_team) else {
            problems.push(Problem::error(
                name,
                Some(line),
                Some("team"),
                format!("case \"{id}\" has no team, so no auditor can be chosen outside it"),
            ));
            continue;
        };
        let month = match present(&rec, c_month).map(str::parse::<Month>) {
            None => None,
            Some(Ok(m)) => Some(m),
            Some(Err(e)) => {
                problems.push(Problem::error(name, Some(line), Some("month"), e));
                continue;
            }
        };
        cases.push(SampledCase {
            month,
            case_id: id.to_string(),
            team: team.to_string(),
            worker: present(&rec, c_worker).unwrap_or("").to_string(),
            frame: present(&rec, c_frame).unwrap_or("").to_string(),
        });
    }
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    let months: BTreeSet<Month> = cases.iter().filter_map(|c| c.month).collect();
    if months.len() > 1 {
        let list: Vec<String> = months.iter().map(Month::to_string).collect();
        bail!(
            "{name} mixes months ({}): allocate one month's sample at a time",
            list.join(", ")
        );
    }
    Ok(cases)
}
