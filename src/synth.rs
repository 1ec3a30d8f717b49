//! A seeded synthetic authority of any size, for `caseaudit generate`: a case
//! extract streamed row by row (a million rows never sit in memory), and the
//! auditors, a sample-shaped allocation instance, the audit history, completed
//! audits and moderation that go with it. Writes to the `Write`s it is given;
//! opening files is the caller's business. Same spec, same bytes, on every platform.

use crate::dates::{Month, format_date};
use crate::demo_data::{
    AUDITOR_LAST, AUDITORS_HEADER, CHILD_FIRST, CHILD_LAST, DISABILITY, DUTY, EARLY_HELP, EXTRACT_HEADER,
    FRONT_DOOR, HISTORY_HEADER, IN_CARE, LEAVING_CARE, LOCALITY, STAFF_FIRST, SplitMix64, WORKER_LAST,
    age_for, days_before, episode, pick_referral_source, pick_risk_factors,
};
use crate::sample;
use chrono::{Datelike, Days, NaiveDate};
use std::io::{self, Write};

/// How big an authority to make, and from which seed.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub(crate) cases: u64,
    pub(crate) auditors: u32,
    pub(crate) teams: u32,
    /// Cases in the sample-shaped allocation instance.
    pub(crate) sample: u32,
    /// Completed audit rows (about one in ten is moderated).
    pub(crate) audits: u64,
    pub(crate) seed: u64,
    pub(crate) as_of: NaiveDate,
}

/// Kinds of team, cycled through to name `teams` teams: name, usual caseload
/// (a weight), and the services its cases are in. Localities come up most often,
/// as in a real authority.
type Kind = (&'static str, u64, &'static [(&'static str, u32)]);
const KINDS: [Kind; 10] = [
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

/// The nine elements of the default audit template (docs/vocabulary.md#elements-of-practice).
pub(crate) const ELEMENTS: [&str; 9] = [
    "risk",
    "assessment",
    "plans",
    "voice",
    "family",
    "partners",
    "management",
    "records",
    "impact",
];
const GRADES: [&str; 4] = ["Outstanding", "Good", "Requires improvement", "Inadequate"];
/// Chance in percent of each overall grade: roughly the profile of an authority
/// that Ofsted rated "requires improvement".
const GRADE_WEIGHTS: [(usize, u32); 4] = [(0, 8), (1, 45), (2, 35), (3, 12)];
const TAGS: &str = "child-voice chronology supervision planning multi-agency timeliness recording \
    direct-work family-engagement risk-analysis genogram contingency-planning";
const ACTIONS: [&str; 6] = [
    "Update the chronology",
    "Hold a strategy discussion",
    "Review the child's plan",
    "Record the child's views",
    "Management oversight entry",
    "Convene a core group",
];
const FRAMES: [&str; 3] = ["closed-6m", "step-up", "neglect"];

struct Team {
    name: String,
    services: &'static [(&'static str, u32)],
    /// Indices into `Authority::workers`.
    workers: Vec<u32>,
}

/// What the small files need to know about a case of the extract.
#[derive(Debug, Clone)]
struct Brief {
    index: u64,
    team: u32,
    worker: u32,
    service: &'static str,
    start: NaiveDate,
    end: Option<NaiveDate>,
}

struct AuditorPost {
    id: String,
    name: String,
    team: u32,
    role: &'static str,
    capacity: u32,
    active: bool,
    /// Team managers manage their own team; heads of service several.
    manages: Vec<u32>,
}

/// A generated authority: its teams, workers and auditors, and the cases of the
/// extract that the small files refer to once the extract has been written.
pub(crate) struct Authority {
    spec: Spec,
    rng: SplitMix64,
    /// Reused for each row's risk factors.
    factors: Vec<&'static str>,
    teams: Vec<Team>,
    /// Cumulative team weights, to pick a case's team by binary search.
    team_weights: Vec<u64>,
    workers: Vec<String>,
    auditors: Vec<AuditorPost>,
    child_first: Vec<&'static str>,
    child_last: Vec<&'static str>,
    /// Every `stride`-th case of the extract, kept for the sample, history and audits.
    pool: Vec<Brief>,
}

/// Counts of what was written, for the command's report.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Written {
    pub(crate) rows: u64,
    pub(crate) bytes: u64,
}

impl Authority {
    pub(crate) fn new(spec: Spec) -> Authority {
        let mut rng = SplitMix64(spec.seed ^ 0x5EED_CA5E_A0D1_7000);
        let team_count = spec.teams.max(2);
        let mut seen = [0u32; KINDS.len()];
        let mut teams = Vec::new();
        let mut team_weights = Vec::new();
        let mut total = 0;
        for t in 0..team_count as usize {
            let k = t % KINDS.len();
            // The Locality Unit appears four times in KINDS; number them all together.
            let same_name = KINDS
                .iter()
                .enumerate()
                .filter(|(i, x)| x.0 == KINDS[k].0 && seen[*i] > 0);
            let n = same_name.map(|(i, _)| seen[i]).sum::<u32>() + 1;
            seen[k] += 1;
            teams.push(Team {
                name: format!("{} {n}", KINDS[k].0),
                services: KINDS[k].2,
                workers: Vec::new(),
            });
            total += KINDS[k].1 * rng.range(80, 120) / 100;
            team_weights.push(total);
        }
        // About twenty cases a worker, at least three workers a team.
        let mut workers = Vec::new();
        let staff_first = words(STAFF_FIRST);
        let worker_last = words(WORKER_LAST);
        for (t, team) in teams.iter_mut().enumerate() {
            let prev = if t == 0 { 0 } else { team_weights[t - 1] };
            let share = spec.cases * (team_weights[t] - prev) / total.max(1);
            for _ in 0..(share / 20).max(3) {
                team.workers.push(workers.len() as u32);
                workers.push(staff_name(workers.len(), &staff_first, &worker_last));
            }
        }
        let auditors = make_auditors(&mut rng, &spec, &teams);
        let pool_target = u64::from(spec.sample) * 8 + spec.audits;
        let pool = Vec::with_capacity(pool_target.min(spec.cases) as usize);
        Authority {
            spec,
            rng,
            factors: Vec::with_capacity(20),
            teams,
            team_weights,
            workers,
            auditors,
            child_first: words(CHILD_FIRST),
            child_last: words(CHILD_LAST),
            pool,
        }
    }

    /// Every `stride`-th case is kept for the small files: enough for the sample,
    /// eight months of history at the sample's size, and the audits.
    fn stride(&self) -> u64 {
        let wanted = u64::from(self.spec.sample) * 8 + self.spec.audits;
        (self.spec.cases / wanted.max(1)).max(1)
    }

    /// Streams the case extract (README.md#case-extract-standard-layout plus `child_name` and
    /// `dob`), one row at a time. Call before the other writers: they refer to its cases.
    pub(crate) fn write_extract(&mut self, out: &mut dyn Write) -> io::Result<Written> {
        let mut line = Vec::with_capacity(256);
        let mut written = Written::default();
        line.extend_from_slice(EXTRACT_HEADER.as_bytes());
        line.push(b'\n');
        out.write_all(&line)?;
        written.bytes += line.len() as u64;
        let stride = self.stride();
        self.pool.clear();
        for index in 0..self.spec.cases {
            line.clear();
            let brief = self.case_row(index, &mut line);
            if index % stride == 0 {
                self.pool.push(brief);
            }
            out.write_all(&line)?;
            written.rows += 1;
            written.bytes += line.len() as u64;
        }
        Ok(written)
    }

    /// Appends one extract row to `line` and returns what the small files need.
    fn case_row(&mut self, index: u64, line: &mut Vec<u8>) -> Brief {
        let as_of = self.spec.as_of;
        let rng = &mut self.rng;
        let ticket = rng.below(*self.team_weights.last().expect("at least two teams"));
        let team = self.team_weights.partition_point(|&w| w <= ticket);
        let t = &self.teams[team];
        let worker = t.workers[rng.index(t.workers.len())];
        let service = *rng.weighted(t.services);
        let age = age_for(rng, service);
        // 365¼ days a year and 1..=364 days short of a birthday: exact to a day or two.
        let dob = days_before(as_of, age * 365 + age / 4 + rng.range(1, 364));
        let (start, end) = episode(rng, service, dob, as_of);
        let iso = rng.percent(4);
        // case_id: ids are unique and in file order, as a case system's export is.
        write!(line, "CH{:07},", index + 1).expect("writing to a Vec");
        line.extend_from_slice(self.child_first[rng.index(self.child_first.len())].as_bytes());
        line.push(b' ');
        line.extend_from_slice(self.child_last[rng.index(self.child_last.len())].as_bytes());
        line.push(b',');
        push_date(line, dob, iso);
        line.push(b',');
        line.extend_from_slice(t.name.as_bytes());
        line.push(b',');
        line.extend_from_slice(self.workers[worker as usize].as_bytes());
        line.push(b',');
        line.extend_from_slice(service.as_bytes());
        line.push(b',');
        push_date(line, start, iso);
        line.push(b',');
        if let Some(end) = end {
            push_date(line, end, iso);
        }
        line.push(b',');
        if let Some((text, _)) = pick_referral_source(rng, service) {
            line.extend_from_slice(text.as_bytes());
        }
        line.push(b',');
        push_risk_factors(rng, line, service, age, &mut self.factors);
        line.push(b',');
        line.extend_from_slice(if end.is_some() { b"closed\n" } else { b"open\n" });
        Brief {
            index,
            team: team as u32,
            worker,
            service,
            start,
            end,
        }
    }

    /// The auditors list (README.md#auditors).
    pub(crate) fn write_auditors(&self, out: &mut dyn Write) -> io::Result<Written> {
        let mut w = Rows::new(out, AUDITORS_HEADER)?;
        for a in &self.auditors {
            let manages: Vec<&str> = a.manages.iter().map(|&t| self.team(t)).collect();
            let capacity = a.capacity.to_string();
            let active = if a.active { "yes" } else { "no" };
            w.row(&[
                &a.id,
                &a.name,
                self.team(a.team),
                a.role,
                &capacity,
                active,
                &manages.join(";"),
            ])?;
        }
        Ok(w.written)
    }

    /// A sample-shaped file (docs/method.md#sample-output) of `sample` cases of the extract: the
    /// allocation instance. Frames and ranks are labels; keys are the real keys.
    pub(crate) fn write_sample(&self, out: &mut dyn Write) -> io::Result<Written> {
        let mut w = Rows::new(out, &crate::layouts::sample::COLUMNS.join(","))?;
        let month = Month::of(self.spec.as_of).to_string();
        let n = self.sample_len();
        let mut rank = [0u64; FRAMES.len()];
        for (i, b) in self.pool.iter().take(n).enumerate() {
            let f = i * FRAMES.len() / n.max(1);
            rank[f] += 1;
            let id = case_id(b.index);
            let key = sample::key_hex(sample::key(self.spec.seed, &id));
            let stratum = if f == 0 { self.team(b.team) } else { "" };
            w.row(&[
                &month,
                FRAMES[f],
                stratum,
                &rank[f].to_string(),
                &id,
                self.team(b.team),
                &self.workers[b.worker as usize],
                b.service,
                if b.end.is_some() { "closed" } else { "open" },
                &format_date(b.start),
                &b.end.map(format_date).unwrap_or_default(),
                &key,
            ])?;
        }
        Ok(w.written)
    }

    /// The audit ledger (README.md#history-the-audit-ledger): eighteen months of past allocations at six
    /// times the sample's size, from the extract's cases, each by an auditor outside
    /// the case's team. One sampled case in ten was audited before, so some auditors
    /// are barred from it.
    pub(crate) fn write_history(&mut self, out: &mut dyn Write) -> io::Result<Written> {
        let mut w = Rows::new(out, HISTORY_HEADER)?;
        let n = self.sample_len();
        let months = past_months(self.spec.as_of, 18);
        let rows = (self.spec.sample as usize * 6).min(self.pool.len() - n);
        let picks = (n..n + rows).chain((0..n).filter(|i| i % 10 == 3));
        for i in picks {
            let b = &self.pool[i];
            let month = months[self.rng.index(months.len())].to_string();
            let auditor = auditor_outside(&mut self.rng, &self.auditors, b.team);
            let frame = FRAMES[self.rng.index(FRAMES.len())];
            let team = &self.teams[b.team as usize].name;
            w.row(&[&month, &case_id(b.index), team, &self.auditors[auditor].id, frame])?;
        }
        Ok(w.written)
    }

    /// Completed audits (README.md#completed-audits) over the last twelve months, and the moderation
    /// (README.md#moderation-results) of about one in ten of them, streamed together.
    pub(crate) fn write_audits(
        &mut self,
        audits: &mut dyn Write,
        moderation: &mut dyn Write,
    ) -> io::Result<(Written, Written)> {
        let header = format!(
            "audit_id,case_id,month,auditor_id,team,service,frame,completed_on,{},overall,strengths,learning,\
             action,action_owner,action_due,action_done,safeguarding_concern",
            ELEMENTS.join(",")
        );
        let mut a = Rows::new(audits, &header)?;
        let mut m = Rows::new(
            moderation,
            "audit_id,moderator_id,moderated_on,overall,challenged,note,voice",
        )?;
        let n = self.sample_len();
        let Authority {
            spec,
            rng,
            teams,
            workers,
            auditors,
            pool,
            ..
        } = self;
        if pool.is_empty() {
            return Ok((a.written, m.written));
        }
        let months = past_months(spec.as_of, 12);
        let tags = words(TAGS);
        let tag_list = |rng: &mut SplitMix64| {
            let count = rng.below(3) as usize;
            let mut chosen: Vec<&str> = (0..count).map(|_| tags[rng.index(tags.len())]).collect();
            chosen.dedup();
            chosen.join(";")
        };
        let mut cells: Vec<String> = Vec::new();
        for k in 0..spec.audits {
            // Audited cases come from the extract (not the sample), cycling when asked
            // for more audits than there are cases.
            let at = if pool.len() > n {
                n + (k as usize) % (pool.len() - n)
            } else {
                k as usize % pool.len()
            };
            let b = &pool[at];
            let month = months[rng.index(months.len())];
            let completed = month.first_day() + Days::new(rng.below(28));
            let overall = *rng.weighted(&GRADE_WEIGHTS);
            let auditor = auditor_outside(rng, auditors, b.team);
            cells.clear();
            cells.extend([
                format!("AU{:07}", k + 1),
                case_id(b.index),
                month.to_string(),
                auditors[auditor].id.clone(),
                teams[b.team as usize].name.clone(),
                b.service.to_string(),
                FRAMES[rng.index(FRAMES.len())].to_string(),
                format_date(completed),
            ]);
            for _ in ELEMENTS {
                cells.push(element_grade(rng, overall));
            }
            cells.push(GRADES[overall].to_string());
            cells.push(tag_list(rng));
            cells.push(tag_list(rng));
            if overall >= 2 || rng.percent(10) {
                cells.push(ACTIONS[rng.index(ACTIONS.len())].to_string());
                cells.push(workers[b.worker as usize].clone());
                cells.push(format_date(completed + Days::new(28)));
                cells.push((if rng.percent(60) { "yes" } else { "no" }).to_string());
            } else {
                cells.extend([String::new(), String::new(), String::new(), String::new()]);
            }
            let concern = overall == 3 && rng.percent(30) || rng.percent(1);
            cells.push((if concern { "yes" } else { "no" }).to_string());
            let fields: Vec<&str> = cells.iter().map(String::as_str).collect();
            a.row(&fields)?;
            // Half the Inadequate audits are moderated, and one in sixteen of the rest.
            if overall == 3 && rng.percent(50) || rng.percent(6) {
                let moderator = auditor_outside(rng, auditors, b.team);
                let moved: i64 = match rng.below(100) {
                    0..75 => 0,
                    75..87 => 1,
                    87..97 => -1,
                    _ => 2,
                };
                let after = (overall as i64 + moved).clamp(0, 3) as usize;
                let challenged = after != overall && rng.percent(50) || rng.percent(3);
                let note = if after == overall {
                    "agreed"
                } else {
                    "grade changed after discussion"
                };
                let voice = if rng.percent(20) {
                    element_grade(rng, after)
                } else {
                    String::new()
                };
                m.row(&[
                    &cells[0],
                    &auditors[moderator].id,
                    &format_date(completed + Days::new(rng.range(3, 20))),
                    GRADES[after],
                    if challenged { "yes" } else { "no" },
                    note,
                    &voice,
                ])?;
            }
        }
        Ok((a.written, m.written))
    }

    fn sample_len(&self) -> usize {
        (self.spec.sample as usize).min(self.pool.len())
    }

    fn team(&self, t: u32) -> &str {
        &self.teams[t as usize].name
    }
}

/// A random active auditor outside `team` who does not manage it. There always is
/// one: the first two auditors of every team are active and no one manages every team.
fn auditor_outside(rng: &mut SplitMix64, auditors: &[AuditorPost], team: u32) -> usize {
    loop {
        let a = rng.index(auditors.len());
        let post = &auditors[a];
        if post.active && post.team != team && !post.manages.contains(&team) {
            return a;
        }
    }
}

/// A team manager for each team (while there are auditors), then practice
/// supervisors spread over the teams; one auditor in thirty is away. Capacities
/// average 1.5 times what the sample needs, so allocation is feasible but not trivial.
fn make_auditors(rng: &mut SplitMix64, spec: &Spec, teams: &[Team]) -> Vec<AuditorPost> {
    let staff_first = words(STAFF_FIRST);
    let auditor_last = words(AUDITOR_LAST);
    let count = spec.auditors.max(3) as usize;
    let per = (u64::from(spec.sample) * 3 / 2).div_ceil(count as u64).max(1);
    let mut auditors = Vec::with_capacity(count);
    for k in 0..count {
        let team = (k % teams.len()) as u32;
        let manager = k < teams.len();
        let head = !manager && k % 25 == 24;
        let (role, manages) = if manager {
            ("Team Manager", vec![team])
        } else if head {
            let others = (1..=3).map(|d| (team + d) % teams.len() as u32).collect();
            ("Head of Service", others)
        } else {
            ("Practice Supervisor", Vec::new())
        };
        auditors.push(AuditorPost {
            id: format!("A{:04}", k + 1),
            name: staff_name(k, &staff_first, &auditor_last),
            team,
            role,
            capacity: rng.range(per.saturating_sub(1).max(1), per + 1) as u32,
            active: k < teams.len() * 2 || !rng.percent(3),
            manages,
        });
    }
    auditors
}

fn words(list: &'static str) -> Vec<&'static str> {
    list.split_whitespace().collect()
}

/// A made-up staff name, unique for each `k`: first × last name, then a number.
fn staff_name(k: usize, first: &[&str], last: &[&str]) -> String {
    let combos = first.len() * last.len();
    let base = format!(
        "{} {}",
        first[k % first.len()],
        last[(k / first.len()) % last.len()]
    );
    if k < combos {
        base
    } else {
        format!("{base} {}", k / combos + 1)
    }
}

fn case_id(index: u64) -> String {
    format!("CH{:07}", index + 1)
}

/// The `n` months before the month of `as_of`, most recent first.
fn past_months(as_of: NaiveDate, n: usize) -> Vec<Month> {
    let mut months = vec![Month::of(as_of).previous()];
    while months.len() < n {
        months.push(months[months.len() - 1].previous());
    }
    months
}

/// dd/mm/yyyy as exports write it, or yyyy-mm-dd for rows from a second system;
/// written by hand because chrono's formatter would be a third of the run time.
fn push_date(line: &mut Vec<u8>, d: NaiveDate, iso: bool) {
    let two =
        |line: &mut Vec<u8>, n: u32| line.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
    let year = d.year().clamp(0, 9999) as u32;
    if iso {
        two(line, year / 100);
        two(line, year % 100);
        line.push(b'-');
        two(line, d.month());
        line.push(b'-');
        two(line, d.day());
    } else {
        two(line, d.day());
        line.push(b'/');
        two(line, d.month());
        line.push(b'/');
        two(line, year / 100);
        two(line, year % 100);
    }
}

/// The risk factors of `pick_risk_factors`, written without allocating: quoted when
/// the separator has a comma.
fn push_risk_factors(
    rng: &mut SplitMix64,
    line: &mut Vec<u8>,
    service: &str,
    age: u64,
    factors: &mut Vec<&'static str>,
) {
    let Some((separator, _)) = pick_risk_factors(rng, service, age, factors) else {
        return;
    };
    let quoted = factors.len() > 1 && separator.starts_with(',');
    if quoted {
        line.push(b'"');
    }
    for (i, f) in factors.iter().enumerate() {
        if i > 0 {
            line.extend_from_slice(separator.as_bytes());
        }
        line.extend_from_slice(f.as_bytes());
    }
    if quoted {
        line.push(b'"');
    }
}

/// An element's grade: usually the overall grade, sometimes one either side; one
/// in twenty not graded.
fn element_grade(rng: &mut SplitMix64, overall: usize) -> String {
    if rng.percent(5) {
        return String::new();
    }
    let shift: i64 = match rng.below(10) {
        0 | 1 => -1,
        2 | 3 => 1,
        _ => 0,
    };
    GRADES[(overall as i64 + shift).clamp(0, 3) as usize].to_string()
}

/// A CSV writer for the small files: quotes a field only when CSV rules require it.
struct Rows<'a> {
    out: &'a mut dyn Write,
    line: Vec<u8>,
    written: Written,
}

impl<'a> Rows<'a> {
    fn new(out: &'a mut dyn Write, header: &str) -> io::Result<Rows<'a>> {
        out.write_all(header.as_bytes())?;
        out.write_all(b"\n")?;
        Ok(Rows {
            out,
            line: Vec::with_capacity(256),
            written: Written {
                rows: 0,
                bytes: header.len() as u64 + 1,
            },
        })
    }

    fn row(&mut self, fields: &[&str]) -> io::Result<()> {
        self.line.clear();
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.line.push(b',');
            }
            if field.contains([',', '"', '\n', '\r']) {
                self.line.push(b'"');
                self.line.extend_from_slice(field.replace('"', "\"\"").as_bytes());
                self.line.push(b'"');
            } else {
                self.line.extend_from_slice(field.as_bytes());
            }
        }
        self.line.push(b'\n');
        self.out.write_all(&self.line)?;
        self.written.rows += 1;
        self.written.bytes += self.line.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(cases: u64) -> Spec {
        Spec {
            cases,
            auditors: 40,
            teams: 8,
            sample: 50,
            audits: 300,
            seed: 7,
            as_of: NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
        }
    }

    fn all(spec: Spec) -> [Vec<u8>; 6] {
        let mut a = Authority::new(spec);
        let mut files: [Vec<u8>; 6] = Default::default();
        let [extract, auditors, sample, history, audits, moderation] = &mut files;
        a.write_extract(extract).unwrap();
        a.write_auditors(auditors).unwrap();
        a.write_sample(sample).unwrap();
        a.write_history(history).unwrap();
        a.write_audits(audits, moderation).unwrap();
        files
    }

    fn records(bytes: &[u8]) -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(bytes)
            .records()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn same_spec_same_bytes() {
        assert_eq!(all(spec(2000)), all(spec(2000)));
        let mut other = spec(2000);
        other.seed = 8;
        assert_ne!(all(spec(2000))[0], all(other)[0]);
    }

    #[test]
    fn rows_are_well_formed_and_about_95_bytes() {
        let files = all(spec(5000));
        let rows = records(&files[0]);
        assert_eq!(rows.len(), 5000);
        assert!(rows.iter().all(|r| r.len() == 11));
        let per_row = files[0].len() / 5000;
        assert!((80..=110).contains(&per_row), "{per_row} bytes a row");
        let teams: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[3]).collect();
        assert_eq!(teams.len(), 8);
        assert_eq!(records(&files[2]).len(), 50, "the sample");
        assert_eq!(records(&files[1]).len(), 40, "the auditors");
        assert_eq!(records(&files[4]).len(), 300, "the audits");
        let moderated = records(&files[5]).len();
        assert!((20..=100).contains(&moderated), "{moderated} moderated");
    }

    #[test]
    fn history_auditors_are_outside_the_case_team() {
        let files = all(spec(3000));
        let team_of: std::collections::HashMap<String, String> = records(&files[1])
            .iter()
            .map(|r| (r[0].to_string(), r[2].to_string()))
            .collect();
        for h in records(&files[3]) {
            assert_ne!(team_of[&h[3]], h[2], "{h:?}");
        }
    }
}
