//! A seeded synthetic authority of any size: a case extract streamed row by row (a
//! million rows never sit in memory), and the auditors, a sample-shaped allocation
//! instance, the audit history, completed audits and moderation that go with it.
//! `caseaudit generate` writes one of any size; `caseaudit demo` writes the small
//! one of [`demo::preset`] and runs a month on it. Writes to the `Write`s it is
//! given; opening files is the caller's business. Same spec, same bytes, on every
//! platform: all randomness is one [`SplitMix64`] stream, and every file goes
//! through one CSV writer ([`Table`]). Every child, worker and auditor is made up.

mod audits;
mod cases;
pub(crate) mod demo;
mod names;

use crate::dates::{Month, format_date};
use crate::keys;
use crate::keys::SplitMix64;
use crate::layouts::{auditors, history, sample};
use cases::{
    KINDS, Services, age_for, days_before, episode, pick_referral_source, pick_risk_factors, push_date,
};
use chrono::NaiveDate;
use names::{AUDITOR_LAST, CHILD_FIRST, CHILD_LAST, STAFF_FIRST, WORKER_LAST, staff_name, words};
use std::io::{self, Write};

/// How big an authority to make, and from which seed.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub(crate) cases: u64,
    pub(crate) auditors: u32,
    pub(crate) teams: u32,
    /// Cases in the sample-shaped allocation instance; also sizes the auditors'
    /// capacities and the history (six past audits for each sampled case).
    pub(crate) sample: u32,
    /// Completed audit rows (about one in ten is moderated).
    pub(crate) audits: u64,
    /// Months before the as-of month that the history's audits are spread over.
    pub(crate) history_months: usize,
    pub(crate) seed: u64,
    pub(crate) as_of: NaiveDate,
}

const EXTRACT_COLUMNS: [&str; 11] = [
    "case_id",
    "child_name",
    "dob",
    "team",
    "worker",
    "service",
    "start_date",
    "end_date",
    "referral_source",
    "risk_factors",
    "status",
];

/// The frames of the demo's settings file, used as labels in the sample, history
/// and audits.
const FRAMES: [&str; 3] = ["closed-6m", "step-up", "neglect"];

struct Team {
    name: String,
    services: Services,
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
    /// Reused for each row's fields that are put together.
    field: Vec<u8>,
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
            field: Vec::with_capacity(64),
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

    /// Streams the case extract (README.md#case-extract-standard-layout, plus `child_name` and
    /// `dob`), one row at a time. Call before the other writers: they refer to its cases.
    pub(crate) fn write_extract(&mut self, out: &mut dyn Write) -> io::Result<Written> {
        let mut table = Table::new(out, &EXTRACT_COLUMNS)?;
        let mut record = csv::ByteRecord::new();
        let stride = self.stride();
        self.pool.clear();
        for index in 0..self.spec.cases {
            let brief = self.case_row(index, &mut record);
            if index % stride == 0 {
                self.pool.push(brief);
            }
            table.record(&record)?;
        }
        table.finish()
    }

    /// Fills `record` with one extract row and returns what the small files need.
    fn case_row(&mut self, index: u64, record: &mut csv::ByteRecord) -> Brief {
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
        let field = &mut self.field;
        record.clear();
        // case_id: ids are unique and in file order, as a case system's export is.
        field.clear();
        write!(field, "CH{:07}", index + 1).expect("writing to a Vec");
        record.push_field(field);
        field.clear();
        field.extend_from_slice(self.child_first[rng.index(self.child_first.len())].as_bytes());
        field.push(b' ');
        field.extend_from_slice(self.child_last[rng.index(self.child_last.len())].as_bytes());
        record.push_field(field);
        field.clear();
        push_date(field, dob, iso);
        record.push_field(field);
        record.push_field(t.name.as_bytes());
        record.push_field(self.workers[worker as usize].as_bytes());
        record.push_field(service.as_bytes());
        field.clear();
        push_date(field, start, iso);
        record.push_field(field);
        field.clear();
        if let Some(end) = end {
            push_date(field, end, iso);
        }
        record.push_field(field);
        let referral = pick_referral_source(rng, service).map_or("", |(text, _)| text);
        record.push_field(referral.as_bytes());
        field.clear();
        if let Some((separator, _)) = pick_risk_factors(rng, service, age, &mut self.factors) {
            for (i, f) in self.factors.iter().enumerate() {
                if i > 0 {
                    field.extend_from_slice(separator.as_bytes());
                }
                field.extend_from_slice(f.as_bytes());
            }
        }
        record.push_field(field);
        record.push_field(if end.is_some() { b"closed" } else { b"open" });
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
        let mut table = Table::new(out, &auditors::COLUMNS)?;
        for a in &self.auditors {
            let manages: Vec<&str> = a.manages.iter().map(|&t| self.team(t)).collect();
            let capacity = a.capacity.to_string();
            let active = if a.active { "yes" } else { "no" };
            table.row(&[
                &a.id,
                &a.name,
                self.team(a.team),
                a.role,
                &capacity,
                active,
                &manages.join(";"),
            ])?;
        }
        table.finish()
    }

    /// A sample-shaped file (layouts::sample::COLUMNS) of `sample` cases of the extract: the
    /// allocation instance. Frames and ranks are labels; keys are the real keys.
    pub(crate) fn write_sample(&self, out: &mut dyn Write) -> io::Result<Written> {
        let mut table = Table::new(out, &sample::COLUMNS)?;
        let month = Month::of(self.spec.as_of).to_string();
        let n = self.sample_len();
        let mut rank = [0u64; FRAMES.len()];
        for (i, b) in self.pool.iter().take(n).enumerate() {
            let f = i * FRAMES.len() / n.max(1);
            rank[f] += 1;
            let id = case_id(b.index);
            let key = keys::key_hex(keys::key(self.spec.seed, &id));
            let stratum = if f == 0 { self.team(b.team) } else { "" };
            table.row(&[
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
        table.finish()
    }

    /// The audit ledger (README.md#history-the-audit-ledger): past allocations at six times the sample's size,
    /// spread over `history_months` months, from the extract's cases, each by an
    /// auditor outside the case's team. One sampled case in ten was audited before,
    /// so some auditors are barred from it.
    pub(crate) fn write_history(&mut self, out: &mut dyn Write) -> io::Result<Written> {
        let mut table = Table::new(out, &history::HEADER)?;
        let n = self.sample_len();
        let months = past_months(self.spec.as_of, self.spec.history_months);
        let rows = (self.spec.sample as usize * 6).min(self.pool.len() - n);
        let picks = (n..n + rows).chain((0..n).filter(|i| i % 10 == 3));
        for i in picks {
            let b = &self.pool[i];
            let month = months[self.rng.index(months.len())].to_string();
            let auditor = auditor_outside(&mut self.rng, &self.auditors, b.team);
            let frame = FRAMES[self.rng.index(FRAMES.len())];
            let team = &self.teams[b.team as usize].name;
            table.row(&[&month, &case_id(b.index), team, &self.auditors[auditor].id, frame])?;
        }
        table.finish()
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

/// The one CSV writer of the synthetic files: the `csv` crate's defaults (LF line
/// ends, a field quoted only when it must be), counting what it writes.
struct Table<'a> {
    csv: csv::Writer<Counted<&'a mut dyn Write>>,
    rows: u64,
}

impl<'a> Table<'a> {
    fn new(out: &'a mut dyn Write, header: &[&str]) -> io::Result<Table<'a>> {
        let mut csv = csv::Writer::from_writer(Counted { inner: out, bytes: 0 });
        csv.write_record(header)?;
        Ok(Table { csv, rows: 0 })
    }

    fn row(&mut self, fields: &[&str]) -> io::Result<()> {
        self.csv.write_record(fields)?;
        self.rows += 1;
        Ok(())
    }

    fn record(&mut self, record: &csv::ByteRecord) -> io::Result<()> {
        self.csv.write_byte_record(record)?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes (csv's `Drop` would swallow a flush error) and says what was written.
    fn finish(mut self) -> io::Result<Written> {
        self.csv.flush()?;
        Ok(Written {
            rows: self.rows,
            bytes: self.csv.get_ref().bytes,
        })
    }
}

/// A `Write` that counts the bytes passed through it.
struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests;
