//! Synthetic completed audits (README.md#completed-audits) and moderation results (README.md#moderation-results): how
//! one audit's grades, tags, action and concern are drawn from its overall grade, and
//! how a moderator re-grades it. `generate` streams them for cases of its own choosing;
//! the demo draws them for the cases its allocation gave out.

use super::{AuditorPost, Authority, FRAMES, Table, Written, auditor_outside, case_id, past_months};
use crate::dates::{Month, format_date};
use crate::keys::SplitMix64;
use crate::moderation;
use chrono::{Datelike, Days, NaiveDate};
use std::io::{self, Write};

/// The nine elements of the default audit template (README.md#settings).
pub(super) const ELEMENTS: [&str; 9] = [
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
/// The theme tags audits name: the forms' own.
const TAGS: [&str; 12] = crate::config::DEFAULT_TAGS;
const ACTIONS: [&str; 6] = [
    "Update the chronology",
    "Hold a strategy discussion",
    "Review the child's plan",
    "Record the child's views",
    "Management oversight entry",
    "Convene a core group",
];

/// The audits file's columns: the case, then the elements, then the findings.
pub(super) fn audit_columns() -> Vec<&'static str> {
    let (case, findings) = crate::audits::columns_around_elements();
    [case, &ELEMENTS, findings].concat()
}

/// A moderation file's columns: the layout's own, and one re-graded element.
pub(super) fn moderation_columns() -> Vec<&'static str> {
    [&moderation::FIELDS[..], &["voice"]].concat()
}

/// The day an audit of `month` was completed: one of its first 28 days, and never
/// after `as_of`.
pub(super) fn completed_in(rng: &mut SplitMix64, month: Month, as_of: NaiveDate) -> NaiveDate {
    let days = if month == Month::of(as_of) {
        as_of.day().min(28)
    } else {
        28
    };
    month.first_day() + Days::new(rng.below(u64::from(days)))
}

/// An overall grade (0 = Outstanding … 3 = Inadequate).
pub(super) fn overall_grade(rng: &mut SplitMix64) -> usize {
    *rng.weighted(&GRADE_WEIGHTS)
}

/// The cells after `completed_on` of an audit graded `overall`: the elements, the
/// overall grade, strength and learning tags, an action for `owner` (always when
/// the grade is Requires improvement or worse) due four weeks after `completed`,
/// and whether a safeguarding concern was raised (mostly on Inadequate audits).
pub(super) fn push_findings(
    rng: &mut SplitMix64,
    cells: &mut Vec<String>,
    overall: usize,
    owner: &str,
    completed: NaiveDate,
) {
    for _ in ELEMENTS {
        cells.push(element_grade(rng, overall));
    }
    cells.push(GRADES[overall].to_string());
    cells.push(tag_list(rng));
    cells.push(tag_list(rng));
    if overall >= 2 || rng.percent(10) {
        cells.push(ACTIONS[rng.index(ACTIONS.len())].to_string());
        cells.push(owner.to_string());
        cells.push(format_date(completed + Days::new(28)));
        cells.push((if rng.percent(60) { "yes" } else { "no" }).to_string());
    } else {
        cells.extend([String::new(), String::new(), String::new(), String::new()]);
    }
    let concern = overall == 3 && rng.percent(30) || rng.percent(1);
    cells.push((if concern { "yes" } else { "no" }).to_string());
}

/// A moderator's result for one audit.
pub(super) struct Moderated {
    /// Index into the authority's auditors.
    moderator: usize,
    after: usize,
    challenged: bool,
    note: &'static str,
    voice: String,
    pub(super) on: NaiveDate,
}

/// Moderation of an audit of a case of `team`, graded `overall` and completed on
/// `completed`, by an auditor outside the team: three in four grades agreed, the
/// rest mostly moved by one grade, more often down than up; sometimes the voice
/// element re-graded.
pub(super) fn moderate(
    rng: &mut SplitMix64,
    auditors: &[AuditorPost],
    team: u32,
    overall: usize,
    completed: NaiveDate,
) -> Moderated {
    let moderator = auditor_outside(rng, auditors, team);
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
    let on = completed + Days::new(rng.range(3, 20));
    Moderated {
        moderator,
        after,
        challenged,
        note,
        voice,
        on,
    }
}

impl Moderated {
    pub(super) fn write(
        &self,
        table: &mut Table,
        audit_id: &str,
        auditors: &[AuditorPost],
    ) -> io::Result<()> {
        table.row(&[
            audit_id,
            &auditors[self.moderator].id,
            &format_date(self.on),
            GRADES[self.after],
            if self.challenged { "yes" } else { "no" },
            self.note,
            &self.voice,
        ])
    }
}

impl Authority {
    /// Completed audits over the last twelve months, and the moderation of about
    /// one in ten of them, streamed together.
    pub(crate) fn write_audits(
        &mut self,
        audits: &mut dyn Write,
        moderation: &mut dyn Write,
    ) -> io::Result<(Written, Written)> {
        let mut a = Table::new(audits, &audit_columns())?;
        let mut m = Table::new(moderation, &moderation_columns())?;
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
            return Ok((a.finish()?, m.finish()?));
        }
        let months = past_months(spec.as_of, 12);
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
            let completed = completed_in(rng, month, spec.as_of);
            let overall = overall_grade(rng);
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
            push_findings(rng, &mut cells, overall, &workers[b.worker as usize], completed);
            let fields: Vec<&str> = cells.iter().map(String::as_str).collect();
            a.row(&fields)?;
            // Half the Inadequate audits are moderated, and one in sixteen of the rest.
            if overall == 3 && rng.percent(50) || rng.percent(6) {
                moderate(rng, auditors, b.team, overall, completed).write(&mut m, &cells[0], auditors)?;
            }
        }
        Ok((a.finish()?, m.finish()?))
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

/// Up to two theme tags, `;`-separated.
fn tag_list(rng: &mut SplitMix64) -> String {
    let count = rng.below(3) as usize;
    let mut chosen: Vec<&str> = (0..count).map(|_| TAGS[rng.index(TAGS.len())]).collect();
    chosen.dedup();
    chosen.join(";")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Spec;

    #[test]
    fn moderation_changes_a_realistic_share_mostly_by_one_grade() {
        let mut a = Authority::new(Spec {
            cases: 100,
            auditors: 40,
            teams: 8,
            sample: 50,
            audits: 0,
            history_months: 18,
            seed: 7,
            as_of: NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
        });
        let completed = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        let (mut down, mut up, mut by_one) = (0, 0, 0);
        for k in 0..2000 {
            let overall = k % 4;
            let m = moderate(&mut a.rng, &a.auditors, 0, overall, completed);
            assert!(a.auditors[m.moderator].team != 0 && a.auditors[m.moderator].active);
            assert!((3..=20).contains(&(m.on - completed).num_days()));
            down += usize::from(m.after > overall);
            up += usize::from(m.after < overall);
            by_one += usize::from(m.after.abs_diff(overall) == 1);
        }
        let changed = down + up;
        assert!((300..=700).contains(&changed), "{changed} of 2000 changed");
        assert!(
            down > up,
            "moderators are stricter more often: {down} down, {up} up"
        );
        assert!(by_one * 10 >= changed * 8, "{by_one} of {changed} by one grade");
    }
}
