//! The `annex-a` layout: Ofsted ILACS Annex A lists 3–9 read by their own headings
//! (docs/vocabulary.md#annex-a) and turned into the standard layout, one list at a time. The list
//! decides the service and which of its dates start and end the episode; categories
//! of abuse and primary need feed `risk_factors`; the referral source decides
//! `step_up`. A child on several lists becomes one case file when the lists are
//! merged (later lists win for service and dates).

use crate::extract::standard::Std;
use anyhow::{Result, bail};
use csv::StringRecord;
use std::io::Read;

/// What one list contributes.
struct ListSpec {
    number: u8,
    service: &'static str,
    start: &'static [&'static str],
    end: &'static [&'static str],
    risk: &'static [&'static str],
    /// A heading only this list has, to recognise a file by its headings.
    marker: &'static str,
}

const LISTS: [ListSpec; 7] = [
    ListSpec {
        number: 3,
        service: "Referral",
        start: &["date of referral"],
        end: &[],
        risk: &[],
        marker: "date of referral",
    },
    ListSpec {
        number: 4,
        service: "Assessment",
        start: &["continuous assessment start date", "assessment start date"],
        end: &[
            "continuous assessment date of authorisation",
            "assessment date of authorisation",
        ],
        risk: &[],
        marker: "continuous assessment start date",
    },
    ListSpec {
        number: 5,
        service: "S47",
        start: &[
            "strategy discussion initiating section 47 enquiry start date",
            "section 47 enquiry start date",
        ],
        end: &[],
        risk: &[],
        marker: "strategy discussion initiating section 47 enquiry start date",
    },
    ListSpec {
        number: 6,
        service: "CIN",
        start: &["cin start date"],
        end: &["cin closure date"],
        risk: &["primary need code"],
        marker: "cin start date",
    },
    ListSpec {
        number: 7,
        service: "CP",
        start: &["child protection plan start date"],
        end: &["child protection plan end date"],
        risk: &["initial category of abuse", "latest category of abuse"],
        marker: "child protection plan start date",
    },
    ListSpec {
        number: 8,
        service: "CLA",
        start: &["date started to be looked after"],
        end: &["date ceased to be looked after"],
        risk: &["childs category of need"],
        marker: "date started to be looked after",
    },
    ListSpec {
        number: 9,
        service: "Care Leaver",
        start: &[],
        end: &[],
        risk: &[],
        marker: "eligibility category",
    },
];

/// Headings compared loosely: lower case, letters and digits only, single spaces
/// ("Child's Category of Need" = "childs category of need").
fn loose(h: &str) -> String {
    let kept: String = h
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace() || *c == '\u{a0}')
        .flat_map(char::to_lowercase)
        .collect();
    kept.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The list number named in a sheet or file name: "List 6", "list_6", "Annex A list6.csv".
pub(crate) fn list_number_from_name(name: &str) -> Option<u8> {
    let lower = name.to_ascii_lowercase();
    let at = lower.rfind("list")?;
    let digits: String = lower[at + 4..]
        .trim_start_matches([' ', '_', '-'])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Whether a table is an Annex A list by its own headings: `Child Unique ID`, and
/// a heading only one list has or a name that says which list (`List 6`).
pub(crate) fn is_list(name: &str, headings: &[String]) -> bool {
    let keys: Vec<String> = headings.iter().map(|h| loose(h)).collect();
    keys.iter().any(|k| k == "child unique id")
        && (list_number_from_name(name).is_some() || LISTS.iter().any(|l| keys.iter().any(|k| k == l.marker)))
}

/// The standard field an Annex A heading became in [`to_standard`], so that a
/// filter may name it by the list's own heading (`Latest Category of Abuse`).
pub(crate) fn meaning(heading: &str) -> Option<Std> {
    let key = loose(heading);
    let is = |names: &[&str]| names.contains(&key.as_str());
    match () {
        _ if is(&["child unique id"]) => Some(Std::CaseId),
        _ if is(&["allocated team"]) => Some(Std::Team),
        _ if is(&["allocated worker"]) => Some(Std::Worker),
        _ if is(&["date of birth"]) => Some(Std::Dob),
        _ if is(&["referral source"]) => Some(Std::ReferralSource),
        _ if LISTS.iter().any(|l| is(l.start)) => Some(Std::StartDate),
        _ if LISTS.iter().any(|l| is(l.end)) => Some(Std::EndDate),
        _ if LISTS.iter().any(|l| is(l.risk)) => Some(Std::RiskFactors),
        _ => None,
    }
}

/// The list number told by a file's headings.
pub(crate) fn list_number_from_headings(headers: &StringRecord) -> Option<u8> {
    let keys: Vec<String> = headers.iter().map(loose).collect();
    LISTS
        .iter()
        .find(|l| keys.iter().any(|k| k == l.marker))
        .map(|l| l.number)
}

/// The standard fields a list is turned into, in this order: their names are
/// the headings written first by [`to_standard`].
const STANDARD: [Std; 9] = [
    Std::CaseId,
    Std::Team,
    Std::Worker,
    Std::Service,
    Std::StartDate,
    Std::EndDate,
    Std::Dob,
    Std::ReferralSource,
    Std::RiskFactors,
];

/// What became of one table read as an Annex A list.
#[derive(Debug)]
pub(crate) enum Converted {
    /// A list of case files, as standard-layout CSV.
    List(u8, Vec<u8>),
    /// A list that holds no case files to sample (1, 2, 10, 11).
    Skipped(u8),
}

/// Reads one Annex A list and writes it as a standard-layout CSV, row for row (line
/// numbers are kept, so problems still point at the list's own rows). Headings
/// that are not mapped are kept as they are. The list is the one `named` (by its
/// sheet or file name), else the one its headings show.
pub(crate) fn to_standard<R: Read>(
    named: Option<u8>,
    file: &str,
    mut reader: csv::Reader<R>,
) -> Result<Converted> {
    let mut header = StringRecord::new();
    if !reader.read_record(&mut header)? {
        bail!("{file}: the list is empty (a header row is required)");
    }
    let Some(number) = named.or_else(|| list_number_from_headings(&header)) else {
        bail!("{file}: cannot tell which Annex A list this is; name the file or sheet \"List N\" (3 to 9)");
    };
    let Some(spec) = LISTS.iter().find(|l| l.number == number) else {
        return Ok(Converted::Skipped(number));
    };
    let keys: Vec<String> = header.iter().map(loose).collect();
    let find = |names: &[&str]| names.iter().find_map(|n| keys.iter().position(|k| k == n));
    let id = find(&["child unique id", "child id", "case id", "case_id"]);
    let Some(id) = id else {
        bail!(
            "{file}:1: column \"Child Unique ID\": required column is missing (the header has: {})",
            header.iter().collect::<Vec<_>>().join(", ")
        );
    };
    let team = find(&["allocated team", "team"]);
    let worker = find(&["allocated worker", "worker"]);
    let dob = find(&["date of birth", "dob"]);
    let referral = find(&["referral source"]);
    let start = find(spec.start);
    let end = find(spec.end);
    let risk: Vec<usize> = spec
        .risk
        .iter()
        .filter_map(|n| keys.iter().position(|k| k == n))
        .collect();
    let mapped: Vec<usize> = [Some(id), team, worker, dob, referral, start, end]
        .into_iter()
        .flatten()
        .chain(risk.iter().copied())
        .collect();
    let kept: Vec<usize> = (0..header.len()).filter(|i| !mapped.contains(i)).collect();
    let mut out = Vec::new();
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(&mut out);
    let mut head: Vec<&str> = STANDARD.iter().map(|s| s.name()).collect();
    head.extend(kept.iter().map(|&i| &header[i]));
    w.write_record(&head)?;
    let mut rec = StringRecord::new();
    let mut last_line = 1;
    while reader.read_record(&mut rec)? {
        let line = rec.position().map_or(last_line + 1, csv::Position::line);
        // Keep line numbers: blank lines the reader skipped are written back as blank.
        for _ in last_line + 1..line {
            w.write_record(None::<&[u8]>)?;
        }
        last_line = line;
        if rec.len() != header.len() {
            // Left as it is, so the extract reader reports the short or long row.
            w.write_record(&rec)?;
            continue;
        }
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).unwrap_or("");
        // Each item once: a child's initial and latest categories are often the same.
        let mut risks: Vec<&str> = Vec::new();
        for item in risk
            .iter()
            .filter_map(|&i| rec.get(i))
            .flat_map(crate::values::list_items)
            .filter(|v| !crate::values::is_missing(v))
        {
            if !risks.iter().any(|r| r.eq_ignore_ascii_case(item)) {
                risks.push(item);
            }
        }
        let mut row: Vec<String> = vec![
            get(Some(id)).to_string(),
            get(team).to_string(),
            get(worker).to_string(),
            spec.service.to_string(),
            get(start).to_string(),
            get(end).to_string(),
            get(dob).to_string(),
            get(referral).to_string(),
            risks.join("; "),
        ];
        row.extend(kept.iter().map(|&i| rec[i].to_string()));
        w.write_record(&row)?;
    }
    w.flush()?;
    drop(w);
    Ok(Converted::List(number, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_numbers_from_names_and_headings() {
        assert_eq!(list_number_from_name("List 6"), Some(6));
        assert_eq!(list_number_from_name("annex_a_list_7.csv"), Some(7));
        assert_eq!(list_number_from_name("LIST10"), Some(10));
        assert_eq!(list_number_from_name("Referrals"), None);
        let h = StringRecord::from(vec!["Child Unique ID", "Gender", "CIN Start Date"]);
        assert_eq!(list_number_from_headings(&h), Some(6));
        let h = StringRecord::from(vec!["Child Unique ID", "Child Protection Plan Start Date"]);
        assert_eq!(list_number_from_headings(&h), Some(7));
    }

    #[test]
    fn a_cp_list_becomes_standard_rows() {
        let text = "Child Unique ID,Gender,Date of Birth,Age of Child (Years),Child Protection Plan Start Date,Initial Category of Abuse,Latest Category of Abuse,Child Protection Plan End Date,Allocated Team,Allocated Worker\n\
                    C1,b) Female,01/02/2015,11,44090,a) Neglect,c) Emotional abuse,,Locality 4 Unit 1,Dustin\u{a0}Hazlett\n";
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let Converted::List(7, out) = to_standard(None, "list7.csv", reader).unwrap() else {
            panic!("list 7")
        };
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "case_id,team,worker,service,start_date,end_date,dob,referral_source,risk_factors,Gender,Age of Child (Years)"
        );
        assert_eq!(
            lines[1],
            "C1,Locality 4 Unit 1,Dustin\u{a0}Hazlett,CP,44090,,01/02/2015,,a) Neglect; c) Emotional abuse,b) Female,11"
        );
    }
}
