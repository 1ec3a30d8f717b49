//! What a synthetic case is made of: the kinds of team and their service mixes, the
//! CIN census codes with their weights, and the draws of a child's age, episode,
//! referral source and risk factors.

use crate::keys::SplitMix64;
use chrono::{Datelike, Days, NaiveDate};

/// A service mix: services and their weights.
pub(super) type Services = &'static [(&'static str, u32)];

// Service mixes of the kinds of team an authority has.
const FRONT_DOOR: Services = &[("Front Door", 1)];
const DUTY: Services = &[("Assessment", 9), ("CP", 1)];
const LOCALITY: Services = &[("CIN", 55), ("CP", 35), ("CLA", 10)];
const IN_CARE: Services = &[("CLA", 1)];
const LEAVING_CARE: Services = &[("Care Leavers", 1)];
const DISABILITY: Services = &[("CIN", 6), ("CLA", 3), ("CP", 1)];
const EARLY_HELP: Services = &[("Early Help", 1)];

/// Kinds of team, cycled through to name `teams` teams: name, usual caseload
/// (a weight), and the services its cases are in. Localities come up most often,
/// as in a real authority.
pub(super) const KINDS: [(&str, u64, Services); 10] = [
    ("Locality Unit", 150, LOCALITY),
    ("Duty Team", 140, DUTY),
    ("Locality Unit", 150, LOCALITY),
    ("In Care Team", 130, IN_CARE),
    ("Locality Unit", 150, LOCALITY),
    ("Leaving Care Team", 130, LEAVING_CARE),
    ("Disability Team", 80, DISABILITY),
    ("Early Help Hub", 130, EARLY_HELP),
    ("Front Door", 90, FRONT_DOOR),
    ("Locality Unit", 150, LOCALITY),
];

/// Referral sources (DfE CIN census codes) and their weights; 5D, a step-up from
/// early help, is about one referral in ten.
#[rustfmt::skip]
const REFERRAL_SOURCES: &[(&str, u32)] = &[
    ("1A", 2), ("1B", 1), ("1C", 1), ("1D", 1), ("2A", 8), ("2B", 2), ("3A", 3), ("3B", 3),
    ("3C", 1), ("3D", 2), ("3E", 4), ("3F", 3), ("4", 3), ("5A", 3), ("5B", 2), ("5C", 2),
    ("5D", 10), ("6", 33), ("7", 2), ("8", 5), ("9", 1), ("10", 2),
];

/// CIN assessment factors: code, chance in percent, and the youngest age it is
/// recorded at. Neglect (16A) and domestic abuse (3A-3C) are the commonest.
#[rustfmt::skip]
const FACTORS: &[(&str, u64, u64)] = &[
    ("16A", 30, 0), ("3B", 25, 0), ("3A", 12, 0), ("3C", 5, 0),
    ("4B", 18, 0), ("2B", 12, 0), ("1B", 12, 0), ("17A", 8, 0), ("18B", 6, 0), ("5B", 4, 0),
    ("14A", 12, 11), ("10A", 6, 11), ("11A", 5, 11), ("24A", 5, 11), ("15A", 4, 11),
];

/// Child protection categories with their Annex A labels, and weights.
const CP_CATEGORIES: &[((&str, &str), u32)] = &[
    (("NEG", "a) Neglect"), 45),
    (("PHY", "b) Physical abuse"), 12),
    (("SAB", "c) Sexual abuse"), 5),
    (("EMO", "d) Emotional abuse"), 35),
];

pub(super) fn days_before(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(days)).unwrap_or(d)
}

/// A child's age for a service: care leavers 16–21, under-twos common in CP.
pub(super) fn age_for(rng: &mut SplitMix64, service: &str) -> u64 {
    match service {
        "Care Leavers" if rng.percent(15) => rng.range(16, 17),
        "Care Leavers" => rng.range(18, 21),
        "CP" if rng.percent(25) => rng.range(0, 1),
        "CP" => rng.range(2, 15),
        _ if rng.percent(12) => rng.range(0, 1),
        _ => rng.range(2, 17),
    }
}

/// An episode's start and (for about 40%) end, never before the child's birth.
pub(super) fn episode(
    rng: &mut SplitMix64,
    service: &str,
    dob: NaiveDate,
    as_of: NaiveDate,
) -> (NaiveDate, Option<NaiveDate>) {
    let front_door = service == "Front Door";
    let (mut start, mut end) = if rng.percent(40) {
        let end = days_before(as_of, rng.below(365));
        // Front door contacts last days; other episodes up to about two years.
        let longest = if front_door { 20 } else { 706 };
        (days_before(end, rng.range(1, longest)), Some(end))
    } else {
        let longest = if front_door { 30 } else { 3 * 365 };
        (days_before(as_of, rng.below(longest)), None)
    };
    // Work with a baby (even pre-birth) is recorded from the birth here.
    if start < dob {
        start = dob;
        end = end.map(|e| e.max(dob));
    }
    (start, end)
}

/// A referral source as a code, now and then as an Annex A lettered label, and
/// whether it is a step-up; `None` for the few left blank.
pub(super) fn pick_referral_source(rng: &mut SplitMix64, service: &str) -> Option<(&'static str, bool)> {
    if rng.percent(2) {
        return None;
    }
    let code = loop {
        let code = *rng.weighted(REFERRAL_SOURCES);
        // Early help's own cases were not stepped up from early help.
        if !(service == "Early Help" && code == "5D") {
            break code;
        }
    };
    let label = match code {
        "2A" => "e) 2A: Schools",
        "3E" => "k) 3E: Health services - A&E",
        "5D" => "p1) 5D: LA services",
        "6" => "q) 6: Police",
        _ => code,
    };
    Some((if rng.percent(8) { label } else { code }, code == "5D"))
}

/// CIN assessment factors (and a CP category for CP cases) into `factors`; returns
/// the separator to write between them and whether any means neglect, or `None`
/// for the front door cases with none recorded.
pub(super) fn pick_risk_factors(
    rng: &mut SplitMix64,
    service: &str,
    age: u64,
    factors: &mut Vec<&'static str>,
) -> Option<(&'static str, bool)> {
    factors.clear();
    if service == "Front Door" && rng.percent(50) {
        return None;
    }
    for &(code, p, from_age) in FACTORS {
        if age >= from_age && rng.percent(p) {
            factors.push(code);
        }
    }
    let mut neglect = factors.contains(&"16A");
    if service == "CP" {
        let &(code, label) = rng.weighted(CP_CATEGORIES);
        neglect |= code == "NEG";
        factors.push(if rng.percent(12) { label } else { code });
    }
    if factors.is_empty() && rng.percent(50) {
        factors.push("21");
    }
    // Most exports use ";" but some systems write ", " inside a quoted cell.
    let separator = match rng.below(100) {
        0..3 => ", ",
        3..6 => "; ",
        _ => ";",
    };
    Some((separator, neglect))
}

/// dd/mm/yyyy as exports write it, or yyyy-mm-dd for rows from a second system;
/// written by hand because chrono's formatter would be a third of the run time.
pub(super) fn push_date(field: &mut Vec<u8>, d: NaiveDate, iso: bool) {
    let two = |field: &mut Vec<u8>, n: u32| {
        field.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8])
    };
    let year = d.year().clamp(0, 9999) as u32;
    if iso {
        two(field, year / 100);
        two(field, year % 100);
        field.push(b'-');
        two(field, d.month());
        field.push(b'-');
        two(field, d.day());
    } else {
        two(field, d.day());
        field.push(b'/');
        two(field, d.month());
        field.push(b'/');
        two(field, year / 100);
        two(field, year % 100);
    }
}
