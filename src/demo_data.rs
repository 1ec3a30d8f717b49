//! A synthetic authority for `caseaudit demo`: settings, case extract, auditors and
//! six months of audit history, generated in memory from a seed and an as-of date.
//! The PRNG is written out here (splitmix64) rather than borrowed from a crate, so
//! the same seed gives byte-identical files on every platform and every release.
//! Every child, worker and auditor is made up, and the names are meant to look it.

use crate::dates::Month;
use chrono::{Days, Months, NaiveDate};
use std::collections::BTreeSet;

/// The four files of a demo month, as text ready to write.
pub(crate) struct DemoFiles {
    pub(crate) config_toml: String,
    pub(crate) extract_csv: String,
    pub(crate) auditors_csv: String,
    pub(crate) history_csv: String,
}

/// Builds the demo files. Pure: the same `seed` and `as_of` always give the same bytes.
pub(crate) fn generate(seed: u64, as_of: NaiveDate) -> DemoFiles {
    let mut rng = SplitMix64(seed);
    let workers = team_workers(&mut rng);
    let cases = make_cases(&mut rng, &workers, as_of);
    let auditors = make_auditors(&mut rng);
    DemoFiles {
        config_toml: CONFIG_TOML.to_owned(),
        extract_csv: extract_csv(&cases),
        auditors_csv: auditors_csv(&auditors),
        history_csv: make_history(&mut rng, &cases, &auditors, as_of),
    }
}

/// Sebastiano Vigna's splitmix64: tiny, and fully specified by its constants. The
/// demo's only source of randomness (the audits and moderation generators share it),
/// and `synth`'s, whose authorities of any size must reproduce just as well.
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0) by multiply-and-shift: the bias is below n/2^64,
    /// far too small to show in demo data, and there is no rejection loop to reason about.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// Uniform in `low..=high`, signed.
    pub(crate) fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below(high.abs_diff(low) + 1) as i64
    }

    pub(crate) fn range(&mut self, low: u64, high_inclusive: u64) -> u64 {
        low + self.below(high_inclusive - low + 1)
    }

    /// True with the given probability in percent. Integer percentages keep the
    /// stream free of floating point, so no platform can round differently.
    pub(crate) fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    /// One word of a space-separated list.
    fn word(&mut self, words: &'static str) -> &'static str {
        let choice = self.index(words.split_whitespace().count());
        words.split_whitespace().nth(choice).unwrap_or_default()
    }

    pub(crate) fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut ticket = self.below(total);
        for (item, w) in items {
            if ticket < u64::from(*w) {
                return item;
            }
            ticket -= u64::from(*w);
        }
        &items[items.len() - 1].0
    }
}

// Service mixes (with weights) of the kinds of team an authority has.
pub(crate) const FRONT_DOOR: &[(&str, u32)] = &[("Front Door", 1)];
pub(crate) const DUTY: &[(&str, u32)] = &[("Assessment", 9), ("CP", 1)];
pub(crate) const LOCALITY: &[(&str, u32)] = &[("CIN", 55), ("CP", 35), ("CLA", 10)];
pub(crate) const IN_CARE: &[(&str, u32)] = &[("CLA", 1)];
pub(crate) const LEAVING_CARE: &[(&str, u32)] = &[("Care Leavers", 1)];
pub(crate) const DISABILITY: &[(&str, u32)] = &[("CIN", 6), ("CLA", 3), ("CP", 1)];
pub(crate) const EARLY_HELP: &[(&str, u32)] = &[("Early Help", 1)];

/// Team name, usual caseload, and the services its cases are in.
type TeamSpec = (&'static str, u64, &'static [(&'static str, u32)]);

const TEAMS: [TeamSpec; 12] = [
    ("Multi Agency Safeguarding Hub", 90, FRONT_DOOR),
    ("Locality 1 Duty Team", 140, DUTY),
    ("Locality 1 Unit 1", 150, LOCALITY),
    ("Locality 1 Unit 2", 130, LOCALITY),
    ("Locality 2 Duty Team", 120, DUTY),
    ("Locality 2 Unit 1", 160, LOCALITY),
    ("Locality 3 Unit 1", 110, LOCALITY),
    ("Children in Care Team 1", 140, IN_CARE),
    ("Children in Care Team 2", 120, IN_CARE),
    ("Care Leavers Team", 130, LEAVING_CARE),
    ("Children with Disabilities Team", 80, DISABILITY),
    ("Early Help Hub", 130, EARLY_HELP),
];

/// Heads of service: their own "team" and the teams (indices into `TEAMS`) they manage.
const HEADS_OF_SERVICE: [(&str, &[usize]); 5] = [
    ("Locality 1", &[1, 2, 3]),
    ("Locality 2 and 3", &[4, 5, 6]),
    ("Children in Care", &[7, 8, 9]),
    ("Front Door and Early Help", &[0, 10, 11]),
    ("Quality Assurance", &[]),
];

// Surnames nobody has, so a demo file can never be mistaken for real children or staff.
pub(crate) const CHILD_FIRST: &str = "Alfie Amara Ben Chloe Daisy Ethan Freya George Harper Isla Jack Keira Leo Maya Noah \
    Olivia Poppy Reggie Ruby Sami Theo Zara Ivy Oscar";
pub(crate) const CHILD_LAST: &str = "Applecroft Bramblewick Cobblestone Dandelion Elderberry Fernhollow Gooseberry \
    Hazelnut Inkwell Juniper Kettleby Lavender Marigold Nettlefield Oakapple Puddleby Quillfeather Rosehip \
    Sorrel Thistledown Umberfield Willowherb";
pub(crate) const STAFF_FIRST: &str =
    "Alex Bea Cal Dee Eli Fran Gus Hana Ira Jo Kit Lou Mo Nat Ola Pat Rae Sol Tam Val";
pub(crate) const WORKER_LAST: &str = "Lark Finch Wren Heron Plover Siskin Linnet Curlew Dunlin Merlin Osprey Kestrel \
    Bunting Pipit Starling Swift";
pub(crate) const AUDITOR_LAST: &str = "Alder Aspen Beech Cedar Elm Hawthorn Holly Larch Maple Rowan Spruce Yew \
    Hornbeam Linden";

/// Referral sources (DfE CIN census codes) and their weights; 5D, a step-up from
/// early help, is about one referral in ten.
#[rustfmt::skip]
pub(crate) const REFERRAL_SOURCES: &[(&str, u32)] = &[
    ("1A", 2), ("1B", 1), ("1C", 1), ("1D", 1), ("2A", 8), ("2B", 2), ("3A", 3), ("3B", 3),
    ("3C", 1), ("3D", 2), ("3E", 4), ("3F", 3), ("4", 3), ("5A", 3), ("5B", 2), ("5C", 2),
    ("5D", 10), ("6", 33), ("7", 2), ("8", 5), ("9", 1), ("10", 2),
];

/// CIN assessment factors: code, chance in percent, and the youngest age it is
/// recorded at. Neglect (16A) and domestic abuse (3A-3C) are the commonest.
#[rustfmt::skip]
pub(crate) const FACTORS: &[(&str, u64, u64)] = &[
    ("16A", 30, 0), ("3B", 25, 0), ("3A", 12, 0), ("3C", 5, 0),
    ("4B", 18, 0), ("2B", 12, 0), ("1B", 12, 0), ("17A", 8, 0), ("18B", 6, 0), ("5B", 4, 0),
    ("14A", 12, 11), ("10A", 6, 11), ("11A", 5, 11), ("24A", 5, 11), ("15A", 4, 11),
];

/// Child protection categories with their Annex A labels, and weights.
pub(crate) const CP_CATEGORIES: &[((&str, &str), u32)] = &[
    (("NEG", "a) Neglect"), 45),
    (("PHY", "b) Physical abuse"), 12),
    (("SAB", "c) Sexual abuse"), 5),
    (("EMO", "d) Emotional abuse"), 35),
];

/// Picks a staff name not used before.
fn unique_name(rng: &mut SplitMix64, surnames: &'static str, used: &mut BTreeSet<String>) -> String {
    loop {
        let name = format!("{} {}", rng.word(STAFF_FIRST), rng.word(surnames));
        if used.insert(name.clone()) {
            return name;
        }
    }
}

/// Three to six workers per team. Two are written with a non-breaking space
/// inside the name, as real case management exports do.
fn team_workers(rng: &mut SplitMix64) -> Vec<Vec<String>> {
    let mut used = BTreeSet::new();
    let mut teams = Vec::new();
    for _ in 0..TEAMS.len() {
        let count = rng.range(3, 6);
        teams.push(Vec::from_iter(
            (0..count).map(|_| unique_name(rng, WORKER_LAST, &mut used)),
        ));
    }
    let first = rng.index(teams.len());
    let second = (first + 1 + rng.index(teams.len() - 1)) % teams.len();
    for t in [first, second] {
        teams[t][0] = teams[t][0].replacen(' ', "\u{a0}", 1);
    }
    teams
}

/// A case as the extract will show it, plus what the history needs to know about it.
struct Case {
    id: String,
    team: usize,
    start: NaiveDate,
    end: Option<NaiveDate>,
    step_up: bool,
    neglect: bool,
    /// The CSV record after `case_id`, which is handed out last.
    rest_of_record: String,
}

fn make_cases(rng: &mut SplitMix64, workers: &[Vec<String>], as_of: NaiveDate) -> Vec<Case> {
    let mut cases = Vec::new();
    for (team, &(_, usual, _)) in TEAMS.iter().enumerate() {
        // Uneven caseloads: some workers carry three times what others do.
        let loads: Vec<(usize, u32)> = (0..workers[team].len())
            .map(|w| (w, rng.range(1, 3) as u32))
            .collect();
        for _ in 0..usual * rng.range(90, 110) / 100 {
            let worker = workers[team][*rng.weighted(&loads)].clone();
            cases.push(make_case(rng, team, worker, as_of));
        }
    }
    // Ids are handed out after a shuffle so the extract interleaves teams, like a real one.
    for i in (1..cases.len()).rev() {
        let j = rng.index(i + 1);
        cases.swap(i, j);
    }
    let mut next_id = rng.range(4000, 6000);
    for case in &mut cases {
        case.id = format!("CH{next_id:06}");
        next_id += rng.range(1, 9);
    }
    cases
}

fn make_case(rng: &mut SplitMix64, team: usize, worker: String, as_of: NaiveDate) -> Case {
    let service = *rng.weighted(TEAMS[team].2);
    let child_name = format!("{} {}", rng.word(CHILD_FIRST), rng.word(CHILD_LAST));
    let age = age_for(rng, service);
    // 1..=364 days before the anniversary keeps the age exact, 29 February included.
    let dob = days_before(years_before(as_of, age), rng.range(1, 364));
    let (start, end) = episode(rng, service, dob, as_of);
    let (referral_source, step_up) = match pick_referral_source(rng, service) {
        Some((text, step_up)) => (text.to_owned(), step_up),
        None => (String::new(), false),
    };
    let mut factors = Vec::new();
    let (risk_factors, neglect) = match pick_risk_factors(rng, service, age, &mut factors) {
        Some((separator, neglect)) => (factors.join(separator), neglect),
        None => (String::new(), false),
    };
    // Mostly dd/mm/yyyy as CSV exports write it; a few rows ISO, as from a second system.
    let pattern = if rng.percent(4) { "%Y-%m-%d" } else { "%d/%m/%Y" };
    let date = |d: NaiveDate| d.format(pattern).to_string();
    let (born, started, ended) = (date(dob), date(start), end.map(date).unwrap_or_default());
    let (team_name, name, source, factors) = (TEAMS[team].0, &child_name, &referral_source, &risk_factors);
    let status = if end.is_some() { "closed" } else { "open" };
    let fields = [
        name, &born, team_name, &worker, service, &started, &ended, source, factors, status,
    ];
    let mut rest_of_record = String::new();
    push_record(&mut rest_of_record, &fields);
    let id = String::new();
    Case {
        id,
        team,
        start,
        end,
        step_up,
        neglect,
        rest_of_record,
    }
}

fn years_before(d: NaiveDate, years: u64) -> NaiveDate {
    d.checked_sub_months(Months::new(12 * years as u32)).unwrap_or(d)
}

pub(crate) fn days_before(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(days)).unwrap_or(d)
}

/// A child's age for a service: care leavers 16–21, under-twos common in CP.
/// Shared with `synth` (the large generator), so both draw alike.
pub(crate) fn age_for(rng: &mut SplitMix64, service: &str) -> u64 {
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
pub(crate) fn episode(
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
pub(crate) fn pick_referral_source(rng: &mut SplitMix64, service: &str) -> Option<(&'static str, bool)> {
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
pub(crate) fn pick_risk_factors(
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

struct Auditor {
    id: String,
    name: String,
    team: &'static str,
    role: &'static str,
    capacity: u64,
    active: bool,
    manages: Vec<&'static str>,
}

impl Auditor {
    /// Barred from their own team and any team they manage; capacity is checked apart.
    fn may_audit(&self, team: &str) -> bool {
        self.active && self.team != team && !self.manages.contains(&team)
    }
}

/// An auditor's post: id, team, role, and the teams they manage.
type Post = (String, &'static str, &'static str, Vec<&'static str>);

/// A team manager per team, thirteen practice supervisors and five heads of service.
fn make_auditors(rng: &mut SplitMix64) -> Vec<Auditor> {
    let mut posts: Vec<Post> = Vec::new();
    for (i, &(team, _, _)) in TEAMS.iter().enumerate() {
        posts.push((format!("TM{:02}", i + 1), team, "Team Manager", vec![team]));
    }
    for i in 0..13 {
        // Supervisors sit in the social work teams (1..=10), not the front door or early help.
        let team = TEAMS[1 + (i + rng.index(3)) % 10].0;
        posts.push((format!("PS{:02}", i + 1), team, "Practice Supervisor", Vec::new()));
    }
    for (i, &(team, managed)) in HEADS_OF_SERVICE.iter().enumerate() {
        let manages = managed.iter().map(|&t| TEAMS[t].0).collect();
        posts.push((format!("HS{:02}", i + 1), team, "Head of Service", manages));
    }
    let mut used = BTreeSet::new();
    let mut auditors = Vec::new();
    for (id, team, role, manages) in posts {
        let name = unique_name(rng, AUDITOR_LAST, &mut used);
        let capacity = match role {
            "Team Manager" => *rng.weighted(&[(1, 1), (2, 3), (3, 1)]),
            "Practice Supervisor" => rng.range(2, 3),
            // The QA head of service manages no team and has most time for audits.
            _ if manages.is_empty() => 3,
            _ => 1,
        };
        let active = true;
        auditors.push(Auditor {
            id,
            name,
            team,
            role,
            capacity,
            active,
            manages,
        });
    }
    // One team manager and one supervisor are away this month.
    auditors[rng.index(TEAMS.len())].active = false;
    auditors[TEAMS.len() + rng.index(13)].active = false;
    auditors
}

/// Six months of past allocations, drawn roughly as the config's frames would have
/// drawn them: each case at most once, each auditor outside the case's team and
/// within capacity.
fn make_history(rng: &mut SplitMix64, cases: &[Case], auditors: &[Auditor], as_of: NaiveDate) -> String {
    let mut out = format!("{HISTORY_HEADER}\n");
    let mut audited = vec![false; cases.len()];
    let mut months = vec![Month::of(as_of).previous()];
    while months.len() < 6 {
        months.push(months[months.len() - 1].previous());
    }
    for &month in months.iter().rev() {
        let frames = [
            ("closed-6m", rng.range(9, 11)),
            ("step-up", rng.range(4, 5)),
            ("neglect", rng.range(9, 11)),
        ];
        let mut load = vec![0; auditors.len()];
        for (frame, size) in frames {
            let eligible = |&i: &usize| !audited[i] && in_frame(frame, &cases[i], month);
            let mut pool: Vec<usize> = (0..cases.len()).filter(eligible).collect();
            for _ in 0..size.min(pool.len() as u64) {
                let index = pool.swap_remove(rng.index(pool.len()));
                audited[index] = true;
                let team = TEAMS[cases[index].team].0;
                let a = choose_auditor(rng, auditors, &load, team);
                load[a] += 1;
                let (month, case, auditor) = (month.to_string(), &cases[index].id, &auditors[a].id);
                push_record(&mut out, &[&month, case, team, auditor, frame]);
            }
        }
    }
    out
}

/// Whether `case` was in `frame` at the start of `month`, as the config's filters read then.
fn in_frame(frame: &str, case: &Case, month: Month) -> bool {
    let first_day = month.first_day();
    match frame {
        "closed-6m" => {
            let six_months_earlier = first_day.checked_sub_months(Months::new(6)).unwrap_or(first_day);
            case.end.is_some_and(|e| e < first_day && e >= six_months_earlier)
        }
        "step-up" => case.step_up && case.start < first_day,
        _ => case.neglect && case.start < first_day,
    }
}

/// A random auditor allowed to audit `team`, preferring those with capacity left.
fn choose_auditor(rng: &mut SplitMix64, auditors: &[Auditor], load: &[u64], team: &str) -> usize {
    let allowed: Vec<usize> = (0..auditors.len())
        .filter(|&a| auditors[a].may_audit(team))
        .collect();
    let free: Vec<usize> = allowed
        .iter()
        .copied()
        .filter(|&a| load[a] < auditors[a].capacity)
        .collect();
    let options = if free.is_empty() { allowed } else { free };
    options[rng.index(options.len())]
}

pub(crate) const EXTRACT_HEADER: &str =
    "case_id,child_name,dob,team,worker,service,start_date,end_date,referral_source,risk_factors,status";
pub(crate) const AUDITORS_HEADER: &str = "auditor_id,name,team,role,capacity,active,manages";
pub(crate) const HISTORY_HEADER: &str = "month,case_id,team,auditor_id,frame";

fn extract_csv(cases: &[Case]) -> String {
    let mut out = format!("{EXTRACT_HEADER}\n");
    for case in cases {
        out.push_str(&case.id);
        out.push(',');
        out.push_str(&case.rest_of_record);
    }
    out
}

fn auditors_csv(auditors: &[Auditor]) -> String {
    let mut out = format!("{AUDITORS_HEADER}\n");
    for a in auditors {
        let (capacity, manages) = (a.capacity.to_string(), a.manages.join(";"));
        let active = if a.active { "yes" } else { "no" };
        let fields = [&a.id, &a.name, a.team, a.role, &capacity, active, &manages];
        push_record(&mut out, &fields);
    }
    out
}

/// Appends one CSV record, quoting a field only when CSV rules require it.
pub(crate) fn push_record<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, field) in fields.iter().map(AsRef::as_ref).enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push('\n');
}

/// The settings file written by `caseaudit demo`, in the shape README.md#settings describes.
/// The commented settings file the demo writes: `data/caseaudit.toml`, embedded.
const CONFIG_TOML: &str = include_str!("../data/caseaudit.toml");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::{parse_date, whole_years};
    use std::collections::BTreeMap;

    type Row = BTreeMap<String, String>;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    /// Checks the exact header line, then reads the rows with the csv crate rather
    /// than trusting the writer under test.
    fn rows(text: &str, header: &str) -> Vec<Row> {
        assert_eq!(text.lines().next(), Some(header));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Result<Vec<Row>, _> = reader.deserialize().collect();
        rows.expect("well-formed CSV")
    }

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // First output of splitmix64 seeded with 0, as published with the algorithm.
        assert_eq!(SplitMix64(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        let mut rng = SplitMix64(7);
        assert!((0..1000).all(|_| rng.below(6) < 6));
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let (a, b) = (generate(42, as_of()), generate(42, as_of()));
        assert_eq!(a.config_toml, b.config_toml);
        assert_eq!(a.extract_csv, b.extract_csv);
        assert_eq!(a.auditors_csv, b.auditors_csv);
        assert_eq!(a.history_csv, b.history_csv);
        let c = generate(43, as_of());
        assert_ne!(a.extract_csv, c.extract_csv);
        assert_ne!(a.auditors_csv, c.auditors_csv);
        assert_ne!(a.history_csv, c.history_csv);
        let next_day = generate(42, as_of().succ_opt().unwrap());
        assert_ne!(a.extract_csv, next_day.extract_csv);
    }

    #[test]
    fn extract_is_a_plausible_authority() {
        let cases = rows(&generate(1, as_of()).extract_csv, EXTRACT_HEADER);
        assert!((1300..=1700).contains(&cases.len()), "{} cases", cases.len());
        let ids: BTreeSet<&str> = cases.iter().map(|r| r["case_id"].as_str()).collect();
        assert_eq!(ids.len(), cases.len(), "case ids are unique");
        let teams: BTreeSet<&str> = cases.iter().map(|r| r["team"].as_str()).collect();
        assert_eq!(teams.len(), 12);
        let (mut closed, mut step_ups, mut neglect, mut under_two) = (0, 0, 0, 0);
        for r in &cases {
            let id = &r["case_id"];
            assert!(id.len() == 8 && id.starts_with("CH") && id[2..].bytes().all(|b| b.is_ascii_digit()));
            assert!(!r["team"].is_empty() && !r["worker"].is_empty() && !r["child_name"].is_empty());
            let dob = parse_date(&r["dob"]).expect("dob parses");
            let start = parse_date(&r["start_date"]).expect("start parses");
            let (earliest, latest) = (years_before(as_of(), 3), as_of());
            assert!(dob <= start && start <= latest && start > earliest, "{r:?}");
            let age = whole_years(dob, as_of());
            let care_leaver = r["service"] == "Care Leavers";
            let ages = if care_leaver { 16..=21 } else { 0..=17 };
            assert!(ages.contains(&age), "{r:?}");
            under_two += usize::from(age < 2);
            if r["end_date"].is_empty() {
                assert_eq!(r["status"], "open");
            } else {
                assert_eq!(r["status"], "closed");
                let end = parse_date(&r["end_date"]).expect("end parses");
                assert!(start <= end && end <= as_of() && end > years_before(as_of(), 1));
                closed += 1;
            }
            step_ups += usize::from(r["referral_source"].contains("5D"));
            neglect += usize::from(r["risk_factors"].contains("16A"));
        }
        let percent = |k: usize| 100 * k / cases.len();
        assert!((33..47).contains(&percent(closed)), "closed");
        assert!((7..13).contains(&percent(step_ups)), "step-ups");
        assert!((25..35).contains(&percent(neglect)), "neglect");
        assert!(under_two > 50);
    }

    #[test]
    fn extract_has_the_messy_bits_parsers_must_handle() {
        let text = generate(1, as_of()).extract_csv;
        let cases = rows(&text, EXTRACT_HEADER);
        let any = |column: &str, wanted: &str| cases.iter().any(|r| r[column].contains(wanted));
        assert!(any("worker", "\u{a0}"), "a worker with a non-breaking space");
        assert!(cases.iter().any(|r| r["referral_source"] == "5D"));
        assert!(any("referral_source", "p1) 5D: LA services"));
        assert!(any("risk_factors", "a) Neglect") && any("risk_factors", "NEG"));
        assert!(any("risk_factors", ", "), "a comma list in a quoted cell");
        assert!(any("dob", "-") && any("dob", "/"), "both date styles");
        assert!(text.contains(",\"") && !text.contains('\r'));
    }

    #[test]
    fn history_is_consistent_with_extract_and_auditors() {
        for seed in [1, 2, 3] {
            let files = generate(seed, as_of());
            let cases = rows(&files.extract_csv, EXTRACT_HEADER);
            let team_of: BTreeMap<_, _> = cases.iter().map(|r| (&r["case_id"], &r["team"])).collect();
            let auditors = rows(&files.auditors_csv, AUDITORS_HEADER);
            assert!((25..=35).contains(&auditors.len()));
            assert_eq!(auditors.iter().filter(|r| r["active"] == "no").count(), 2);
            for a in &auditors {
                assert!(["1", "2", "3"].contains(&a["capacity"].as_str()), "{a:?}");
                assert!(["TM", "PS", "HS"].contains(&&a["auditor_id"][..2]), "{a:?}");
            }
            let by_id: BTreeMap<_, _> = auditors.iter().map(|a| (a["auditor_id"].as_str(), a)).collect();
            assert!(
                by_id["HS01"]["manages"].contains(';'),
                "a head of service manages several teams"
            );
            let mut per_month: BTreeMap<String, usize> = BTreeMap::new();
            let mut load: BTreeMap<_, usize> = BTreeMap::new();
            let mut seen = BTreeSet::new();
            for h in rows(&files.history_csv, HISTORY_HEADER) {
                let team = team_of[&h["case_id"]].as_str();
                assert_eq!(h["team"], team);
                let a = by_id[h["auditor_id"].as_str()];
                assert_eq!(a["active"], "yes");
                assert_ne!(a["team"], team, "{h:?}");
                assert!(!a["manages"].split(';').any(|m| m == team), "{h:?}");
                assert!(["closed-6m", "step-up", "neglect"].contains(&h["frame"].as_str()));
                assert!(seen.insert(h["case_id"].clone()), "a case audited twice");
                *per_month.entry(h["month"].clone()).or_default() += 1;
                let audits = load.entry((h["month"].clone(), &a["auditor_id"])).or_default();
                *audits += 1;
                assert!(*audits <= a["capacity"].parse().unwrap(), "over capacity: {h:?}");
            }
            let months: Vec<&str> = per_month.keys().map(String::as_str).collect();
            let six = ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"];
            assert_eq!(months, six);
            assert!(per_month.values().all(|n| (20..=30).contains(n)), "{per_month:?}");
        }
    }

    #[test]
    fn config_is_valid_toml_in_the_documented_shape() {
        let config: toml::Table = generate(1, as_of()).config_toml.parse().expect("valid TOML");
        let names = |list: &toml::Value, key: &str| -> Vec<String> {
            let items = list.as_array().unwrap().iter();
            items.map(|item| item[key].as_str().unwrap().to_owned()).collect()
        };
        let frames = &config["sampling"]["frames"];
        assert_eq!(names(frames, "name"), ["closed-6m", "step-up", "neglect"]);
        assert_eq!(frames[0]["stratify"].as_str(), Some("team"));
        let elements = names(&config["template"]["elements"], "key");
        let nine = "risk assessment plans voice family partners management records impact";
        assert_eq!(elements, nine.split(' ').collect::<Vec<_>>());
        assert_eq!(config["moderation"]["rate"].as_float(), Some(0.10));
        // The tool's own settings loader accepts it (it rejects unknown keys and bad values).
        let text = generate(1, as_of()).config_toml;
        let settings =
            crate::config::Settings::parse(&text, "caseaudit.toml").expect("the loader accepts it");
        assert_eq!(settings.sampling.frames.len(), 3);
        assert!(settings.privacy.redact_key.is_some());
        // The commented-out [extract.columns] block is valid once uncommented.
        let uncommented = CONFIG_TOML
            .replace("# [extract.columns]", "[extract.columns]")
            .replace("# team =", "team =");
        let with_columns: toml::Table = uncommented.parse().expect("still valid");
        let columns = &with_columns["extract"]["columns"];
        assert_eq!(columns["team"].as_str(), Some("Allocated Team"));
    }
}
