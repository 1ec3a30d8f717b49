//! The audit ledger joined with audit returns and moderation (for `history`):
//! when each case was audited, by whom, its grade, what moderation made
//! of it and its action; and an auditor's record for their development beside
//! every auditor's. No I/O.

use crate::audits::{Audit, Audits};
use crate::dates::Month;
use crate::layouts::history::Entry;
use crate::moderation::Moderation;
use crate::values::header_key;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One audit of one case in one month: allocated (a ledger row), returned (an
/// audit), or both; and its moderation, if any.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event<'a> {
    pub(crate) month: Month,
    pub(crate) case_id: &'a str,
    pub(crate) team: &'a str,
    pub(crate) entry: Option<&'a Entry>,
    pub(crate) audit: Option<&'a Audit>,
    pub(crate) moderation: Option<&'a Moderation>,
}

/// What moderation made of a returned audit's overall grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Agreed,
    /// The moderator's grade is better.
    Up,
    Down,
    /// Moderated, but the auditor or the moderator gave no overall grade.
    Ungraded,
}

impl Outcome {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Outcome::Agreed => "agreed",
            Outcome::Up => "changed up",
            Outcome::Down => "changed down",
            Outcome::Ungraded => "not graded",
        }
    }

    pub(crate) fn changed(self) -> bool {
        matches!(self, Outcome::Up | Outcome::Down)
    }
}

impl Event<'_> {
    /// Who the case was allocated to (the ledger's auditor), if it is in the ledger.
    pub(crate) fn allocated_to(&self) -> Option<&str> {
        self.entry.map(|e| e.auditor_id.as_str())
    }

    /// Who returned the audit, if it came back.
    pub(crate) fn audited_by(&self) -> Option<&str> {
        self.audit.map(|a| a.auditor_id.as_str())
    }

    /// The frame the case was sampled in (the ledger's, else the audit's).
    pub(crate) fn frame(&self) -> &str {
        match (self.entry, self.audit) {
            (Some(e), _) if !e.frame.is_empty() => &e.frame,
            (_, Some(a)) => &a.frame,
            _ => "",
        }
    }

    /// What moderation made of the overall grade; `None` when not moderated.
    pub(crate) fn outcome(&self) -> Option<Outcome> {
        let m = self.moderation?;
        Some(match (self.audit.and_then(Audit::overall), m.overall) {
            (Some(before), Some(after)) => match after.cmp(&before) {
                std::cmp::Ordering::Equal => Outcome::Agreed,
                std::cmp::Ordering::Less => Outcome::Up,
                std::cmp::Ordering::Greater => Outcome::Down,
            },
            _ => Outcome::Ungraded,
        })
    }
}

/// Joins the ledger to the returns (by month and case id) and the returns to
/// their moderation (by audit id). Returns not in the ledger are events of their
/// own. In month order, then by team and case id.
pub(crate) fn join<'a>(
    entries: &'a [Entry],
    audits: Option<&'a Audits>,
    moderations: &'a [Moderation],
) -> Vec<Event<'a>> {
    let mut events: Vec<Event<'a>> = entries
        .iter()
        .map(|e| Event {
            month: e.month,
            case_id: &e.case_id,
            team: &e.team,
            entry: Some(e),
            audit: None,
            moderation: None,
        })
        .collect();
    let mut open: HashMap<(Month, &str), Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate().rev() {
        open.entry((e.month, e.case_id.as_str())).or_default().push(i);
    }
    let mut moderation_of: HashMap<usize, &Moderation> = HashMap::new();
    for m in moderations {
        if let Some(i) = m.audit {
            moderation_of.insert(i, m);
        }
    }
    for (i, audit) in audits.map_or(&[][..], |a| &a.list[..]).iter().enumerate() {
        let moderation = moderation_of.get(&i).copied();
        match open
            .get_mut(&(audit.month, audit.case_id.as_str()))
            .and_then(Vec::pop)
        {
            Some(e) => {
                let event = &mut events[e];
                event.audit = Some(audit);
                event.moderation = moderation;
                if event.team.is_empty() {
                    event.team = &audit.team;
                }
            }
            None => events.push(Event {
                month: audit.month,
                case_id: &audit.case_id,
                team: &audit.team,
                entry: None,
                audit: Some(audit),
                moderation,
            }),
        }
    }
    events.sort_by(|a, b| {
        (a.month, header_key(a.team), a.case_id).cmp(&(b.month, header_key(b.team), b.case_id))
    });
    events
}

/// Which events to look at.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query<'q> {
    pub(crate) case: Option<&'q str>,
    /// Compared ignoring case and spacing.
    pub(crate) team: Option<&'q str>,
    pub(crate) since: Option<Month>,
}

impl Query<'_> {
    pub(crate) fn matches(&self, e: &Event<'_>) -> bool {
        self.case.is_none_or(|c| e.case_id == c)
            && self.team.is_none_or(|t| header_key(e.team) == header_key(t))
            && self.since.is_none_or(|m| e.month >= m)
    }
}

/// Every team named in the events, each once (first spelling), sorted.
pub(crate) fn teams<'a>(events: &[Event<'a>]) -> Vec<&'a str> {
    let mut seen: BTreeMap<String, &'a str> = BTreeMap::new();
    for e in events.iter().filter(|e| !e.team.is_empty()) {
        seen.entry(header_key(e.team)).or_insert(e.team);
    }
    seen.into_values().collect()
}

/// Every auditor named in the events, as allocated or as returning an audit, sorted.
pub(crate) fn auditors<'a>(events: &[Event<'a>]) -> Vec<&'a str> {
    let ids: BTreeSet<&'a str> = events
        .iter()
        .flat_map(|e| {
            [
                e.entry.map(|x| x.auditor_id.as_str()),
                e.audit.map(|a| a.auditor_id.as_str()),
            ]
        })
        .flatten()
        .collect();
    ids.into_iter().collect()
}

/// One line of an auditor's record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecordRow {
    /// The auditor, or `all` for every auditor.
    pub(crate) auditor_id: String,
    /// A month (`YYYY-MM`) or `all months`.
    pub(crate) period: String,
    /// Cases allocated to them in the ledger.
    pub(crate) allocated: u64,
    /// Audits they returned (`None` when no returns were given).
    pub(crate) returned: Option<u64>,
    /// Teams whose cases they audited (returned, else allocated), sorted.
    pub(crate) teams: Vec<String>,
    pub(crate) moderated: u64,
    /// Moderated with the overall grade changed.
    pub(crate) changed: u64,
    /// Of the moderated audits with an overall grade on both sides, 0–100.
    pub(crate) pct_changed: Option<f64>,
    pub(crate) challenged: u64,
    /// Of the moderated audits, 0–100.
    pub(crate) pct_challenged: Option<f64>,
}

/// The label of the row that pools every auditor.
pub(crate) const ALL_AUDITORS: &str = "all";
/// The period of a row over every month.
pub(crate) const ALL_MONTHS: &str = "all months";

#[derive(Default)]
struct Tally {
    allocated: u64,
    returned: u64,
    teams: BTreeMap<String, String>,
    moderated: u64,
    graded: u64,
    changed: u64,
    challenged: u64,
}

impl Tally {
    fn add(&mut self, e: &Event<'_>, by: Option<&str>) {
        let allocated = e.allocated_to().is_some_and(|a| by.is_none_or(|x| x == a));
        let returned = e.audited_by().is_some_and(|a| by.is_none_or(|x| x == a));
        self.allocated += u64::from(allocated);
        self.returned += u64::from(returned);
        // The team counts as covered by whoever returned the audit, else by whoever
        // it was allocated to while it is not back.
        let covers = returned || (allocated && e.audit.is_none());
        if covers && !e.team.is_empty() {
            self.teams
                .entry(header_key(e.team))
                .or_insert_with(|| e.team.to_string());
        }
        if !returned {
            return;
        }
        if let (Some(outcome), Some(m)) = (e.outcome(), e.moderation) {
            self.moderated += 1;
            self.challenged += u64::from(m.challenged);
            if outcome != Outcome::Ungraded {
                self.graded += 1;
                self.changed += u64::from(outcome.changed());
            }
        }
    }

    fn row(self, auditor_id: &str, period: String, with_returns: bool) -> RecordRow {
        let pct = |part: u64, whole: u64| (whole > 0).then(|| 100.0 * part as f64 / whole as f64);
        RecordRow {
            auditor_id: auditor_id.to_string(),
            period,
            allocated: self.allocated,
            returned: with_returns.then_some(self.returned),
            teams: self.teams.into_values().collect(),
            moderated: self.moderated,
            changed: self.changed,
            pct_changed: pct(self.changed, self.graded),
            challenged: self.challenged,
            pct_challenged: pct(self.challenged, self.moderated),
        }
    }
}

/// An auditor's record: a row per month they were allocated or returned an audit,
/// a row over all those months, then the same figures for every auditor together.
/// `with_returns`: whether audit returns were given (else `returned` is unknown).
pub(crate) fn record(events: &[&Event<'_>], auditor: &str, with_returns: bool) -> Vec<RecordRow> {
    let mine = |e: &&&Event<'_>| e.allocated_to() == Some(auditor) || e.audited_by() == Some(auditor);
    let mut months: BTreeMap<Month, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for e in events.iter().filter(mine) {
        months.entry(e.month).or_default().add(e, Some(auditor));
        total.add(e, Some(auditor));
    }
    let mut everyone = Tally::default();
    for e in events {
        everyone.add(e, None);
    }
    let mut rows: Vec<RecordRow> = months
        .into_iter()
        .map(|(m, t)| t.row(auditor, m.to_string(), with_returns))
        .collect();
    rows.push(total.row(auditor, ALL_MONTHS.into(), with_returns));
    rows.push(everyone.row(ALL_AUDITORS, ALL_MONTHS.into(), with_returns));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::moderation::Against;

    const LEDGER: &str = "month,case_id,team,auditor_id,frame
2026-09,C1,Team A,TM1,neglect
2026-10,C2,Team B,TM1,step-up
2026-10,C3,Team A,TM2,neglect
2026-11,C1,Team A,TM2,closed-6m
2026-11,C4,Team C,TM1,neglect
";

    /// C2 came back from TM3, not TM1; X9 was never in the ledger; C4 is not back.
    const AUDITS: &str = "audit_id,case_id,month,auditor_id,team,overall,frame
A1,C1,2026-09,TM1,Team A,Good,
A2,C2,2026-10,TM3,Team B,Requires improvement,
A3,C3,2026-10,TM2,Team A,Outstanding,
A4,C1,2026-11,TM2,Team A,Inadequate,
A9,X9,2026-11,TM1,Team D,Good,themed
";

    const MODERATION: &str = "audit_id,moderator_id,overall,challenged
A1,QA,Requires improvement,yes
A3,QA,Outstanding,no
A4,QA,Inadequate,yes
A9,QA,Outstanding,no
";

    fn reader(text: &str) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
    }

    fn fixture() -> (Vec<Entry>, Audits, Vec<Moderation>) {
        let entries =
            crate::layouts::history::read("history.csv", reader(LEDGER), &Default::default()).unwrap();
        let (audits, _) = crate::audits::read_str(&[("audits.csv", AUDITS)], &Settings::default()).unwrap();
        let (moderations, _) = crate::moderation::read(
            "moderation.csv",
            reader(MODERATION),
            &Against::audits(&audits),
            &audits.scale,
            &Default::default(),
        )
        .unwrap();
        (entries, audits, moderations)
    }

    #[test]
    fn the_ledger_joins_returns_and_moderation() {
        let (entries, audits, moderations) = fixture();
        let events = join(&entries, Some(&audits), &moderations);
        // month case allocated_to audited_by outcome ("-" for none)
        let shown: Vec<String> = events
            .iter()
            .map(|e| {
                format!(
                    "{} {} {} {} {}",
                    e.month,
                    e.case_id,
                    e.allocated_to().unwrap_or("-"),
                    e.audited_by().unwrap_or("-"),
                    e.outcome().map_or("-", Outcome::name),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "2026-09 C1 TM1 TM1 changed down",
                "2026-10 C3 TM2 TM2 agreed",
                "2026-10 C2 TM1 TM3 -",
                "2026-11 C1 TM2 TM2 agreed",
                "2026-11 C4 TM1 - -",
                "2026-11 X9 - TM1 changed up",
            ]
        );
        assert_eq!(events[5].frame(), "themed");
        assert_eq!(events[0].frame(), "neglect");
        assert_eq!(teams(&events), ["Team A", "Team B", "Team C", "Team D"]);
        assert_eq!(auditors(&events), ["TM1", "TM2", "TM3"]);
        let q = Query {
            case: Some("C1"),
            ..Query::default()
        };
        assert_eq!(events.iter().filter(|e| q.matches(e)).count(), 2);
        let q = Query {
            team: Some("team a"),
            since: Some("2026-10".parse().unwrap()),
            ..Query::default()
        };
        let cases: Vec<&str> = events
            .iter()
            .filter(|e| q.matches(e))
            .map(|e| e.case_id)
            .collect();
        assert_eq!(cases, ["C3", "C1"]);
    }

    #[test]
    fn the_ledger_alone_has_no_returns() {
        let (entries, _, _) = fixture();
        let events = join(&entries, None, &[]);
        assert_eq!(events.len(), 5);
        assert!(events.iter().all(|e| e.audit.is_none() && e.outcome().is_none()));
        let all: Vec<&Event<'_>> = events.iter().collect();
        let rows = record(&all, "TM1", false);
        assert_eq!(rows.last().unwrap().returned, None);
        assert_eq!(rows[rows.len() - 2].allocated, 3);
    }

    #[test]
    fn an_auditors_record_beside_every_auditors() {
        let (entries, audits, moderations) = fixture();
        let events = join(&entries, Some(&audits), &moderations);
        let all: Vec<&Event<'_>> = events.iter().collect();
        let rows = record(&all, "TM1", true);
        // auditor, period: allocated returned teams moderated changed challenged
        let brief: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{}, {}: {} {:?} {} {} {} {}",
                    r.auditor_id,
                    r.period,
                    r.allocated,
                    r.returned,
                    r.teams.len(),
                    r.moderated,
                    r.changed,
                    r.challenged,
                )
            })
            .collect();
        assert_eq!(
            brief,
            [
                // September: C1 back and moderated down, challenged.
                "TM1, 2026-09: 1 Some(1) 1 1 1 1",
                // October: C2 allocated but returned by TM3, so no team covered.
                "TM1, 2026-10: 1 Some(0) 0 0 0 0",
                // November: C4 outstanding (Team C), X9 returned unallocated (Team D).
                "TM1, 2026-11: 1 Some(1) 2 1 1 0",
                "TM1, all months: 3 Some(2) 3 2 2 1",
                "all, all months: 5 Some(5) 4 4 2 2",
            ]
        );
        let total = &rows[3];
        assert_eq!(total.teams, ["Team A", "Team C", "Team D"]);
        assert_eq!(total.pct_changed, Some(100.0));
        assert_eq!(total.pct_challenged, Some(50.0));
        let everyone = &rows[4];
        assert_eq!(everyone.pct_changed, Some(50.0));
        assert_eq!(everyone.pct_challenged, Some(50.0));
        // October's row has nothing moderated: no percentages rather than 0%.
        assert_eq!(rows[1].pct_changed, None);
    }
}
