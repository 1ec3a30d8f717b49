//! What moderation changed and how far auditors and moderators agree (docs/method.md#agreement,
//! `moderate summary`), per group, with the month-on-month direction the
//! Improvement Board asks about: fewer grades changed, fewer audits challenged.

use super::Moderation;
use crate::audits::{Audit, Audits};
use crate::dates::Month;
use crate::stats::{self, Agreement};
use std::collections::BTreeMap;

/// Fewer pairs of grades than this leave kappa undefined (blank, with a note).
pub(crate) const MIN_PAIRS: u64 = 2;

/// How the summary is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum By {
    All,
    Month,
    Auditor,
    Team,
    /// One row per element; each row counts that element's grades only.
    Element,
}

/// Which way a share moved since the month before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trend {
    Fewer,
    Same,
    More,
}

impl Trend {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Trend::Fewer => "fewer",
            Trend::Same => "same",
            Trend::More => "more",
        }
    }

    fn between(before: Option<f64>, now: Option<f64>) -> Option<Trend> {
        let (before, now) = (before?, now?);
        Some(if (now - before).abs() < 1e-9 {
            Trend::Same
        } else if now < before {
            Trend::Fewer
        } else {
            Trend::More
        })
    }
}

/// One group's figures.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SummaryRow {
    pub(crate) group: String,
    pub(crate) audits: u64,
    pub(crate) moderated: u64,
    pub(crate) agreed: u64,
    pub(crate) changed: u64,
    /// Changed to a better grade.
    pub(crate) up: u64,
    pub(crate) down: u64,
    pub(crate) challenged: u64,
    /// Of the moderated overall grades, 0–100.
    pub(crate) pct_changed: Option<f64>,
    /// Of the moderated audits, 0–100.
    pub(crate) pct_challenged: Option<f64>,
    /// Over every pair of auditor and moderator grades (proportions 0–1).
    pub(crate) agreement: Agreement,
    /// With `By::Month`: against the month before.
    pub(crate) changed_trend: Option<Trend>,
    pub(crate) challenged_trend: Option<Trend>,
}

#[derive(Default)]
struct Tally {
    audits: u64,
    moderated: u64,
    agreed: u64,
    changed: u64,
    up: u64,
    down: u64,
    challenged: u64,
    pairs: Vec<(usize, usize)>,
}

impl Tally {
    /// One pair of grades: the auditor's, then the moderator's.
    fn pair(&mut self, auditor: u8, moderator: u8, counts: bool) {
        if counts {
            match moderator.cmp(&auditor) {
                std::cmp::Ordering::Equal => self.agreed += 1,
                std::cmp::Ordering::Less => {
                    self.changed += 1;
                    self.up += 1;
                }
                std::cmp::Ordering::Greater => {
                    self.changed += 1;
                    self.down += 1;
                }
            }
        }
        self.pairs.push((usize::from(auditor), usize::from(moderator)));
    }
}

/// The audits' months a summary covers, both ends included; `None` is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Months {
    pub(crate) from: Option<Month>,
    pub(crate) to: Option<Month>,
}

impl Months {
    /// Every month.
    pub(crate) const ALL: Months = Months { from: None, to: None };

    pub(crate) fn contains(self, m: Month) -> bool {
        self.from.is_none_or(|f| f <= m) && self.to.is_none_or(|t| m <= t)
    }
}

/// The summary per group, groups in order (months chronologically).
pub(crate) fn summarise(audits: &Audits, moderations: &[Moderation], by: By) -> Vec<SummaryRow> {
    summarise_months(audits, moderations, by, Months::ALL)
}

/// The summary of the audits of `months` only. By month, each month's trend is
/// still against the month before it, in the range or not.
pub(crate) fn summarise_months(
    audits: &Audits,
    moderations: &[Moderation],
    by: By,
    months: Months,
) -> Vec<SummaryRow> {
    let mut rows = summarise_where(audits, moderations, by, &|a| {
        by == By::Month || months.contains(a.month)
    });
    if by == By::Month {
        rows.retain(|r| r.group.parse().is_ok_and(|m| months.contains(m)));
    }
    rows
}

fn summarise_where(
    audits: &Audits,
    moderations: &[Moderation],
    by: By,
    keep: &dyn Fn(&Audit) -> bool,
) -> Vec<SummaryRow> {
    let mut of_audit: Vec<Option<&Moderation>> = vec![None; audits.list.len()];
    for m in moderations {
        if let Some(i) = m.audit {
            of_audit[i] = Some(m);
        }
    }
    let groups = if by == By::Element {
        by_element(audits, &of_audit, keep)
    } else {
        let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
        for (a, m) in audits.list.iter().zip(&of_audit).filter(|(a, _)| keep(a)) {
            let t = groups.entry(group_of(by, a)).or_default();
            t.audits += 1;
            let Some(m) = m else { continue };
            t.moderated += 1;
            t.challenged += u64::from(m.challenged);
            if let (Some(x), Some(y)) = (a.overall(), m.overall) {
                t.pair(x, y, true);
            }
            for &(e, g) in &m.regraded {
                if let Some(x) = a.grade(e) {
                    t.pair(x, g, false);
                }
            }
        }
        groups.into_iter().collect()
    };
    let levels = audits.scale.len();
    let mut rows: Vec<SummaryRow> = groups
        .into_iter()
        .map(|(group, t)| {
            let mut agreement = stats::agreement(&t.pairs, levels);
            if agreement.pairs < MIN_PAIRS {
                agreement.kappa = None;
                agreement.kappa_linear = None;
                agreement.kappa_quadratic = None;
            }
            let pct = |part: u64, whole: u64| (whole > 0).then(|| 100.0 * part as f64 / whole as f64);
            SummaryRow {
                group,
                audits: t.audits,
                moderated: t.moderated,
                agreed: t.agreed,
                changed: t.changed,
                up: t.up,
                down: t.down,
                challenged: t.challenged,
                pct_changed: pct(t.changed, t.agreed + t.changed),
                pct_challenged: pct(t.challenged, t.moderated),
                agreement,
                changed_trend: None,
                challenged_trend: None,
            }
        })
        .collect();
    if by == By::Month {
        // Each month against the latest earlier month that had moderated audits.
        let mut before: Option<(Option<f64>, Option<f64>)> = None;
        for r in &mut rows {
            if let Some((changed, challenged)) = before {
                r.changed_trend = Trend::between(changed, r.pct_changed);
                r.challenged_trend = Trend::between(challenged, r.pct_challenged);
            }
            if r.moderated > 0 {
                before = Some((r.pct_changed, r.pct_challenged));
            }
        }
    }
    rows
}

fn group_of(by: By, a: &Audit) -> String {
    match by {
        By::All | By::Element => crate::themes::ALL.to_string(),
        By::Month => a.month.to_string(),
        By::Auditor => a.auditor_id.clone(),
        By::Team => a.team.clone(),
    }
}

/// One tally per element (overall first) over the audits that graded it.
fn by_element(
    audits: &Audits,
    of_audit: &[Option<&Moderation>],
    keep: &dyn Fn(&Audit) -> bool,
) -> Vec<(String, Tally)> {
    let elements = &audits.layout.elements;
    let mut tallies: Vec<Tally> = elements.iter().map(|_| Tally::default()).collect();
    for (a, m) in audits.list.iter().zip(of_audit).filter(|(a, _)| keep(a)) {
        for (e, t) in tallies.iter_mut().enumerate() {
            let Some(x) = a.grade(e) else { continue };
            t.audits += 1;
            let Some(m) = m else { continue };
            let moderator = if e == 0 {
                m.overall
            } else {
                m.regraded.iter().find(|(k, _)| *k == e).map(|(_, g)| *g)
            };
            if let Some(y) = moderator {
                t.moderated += 1;
                t.challenged += u64::from(m.challenged);
                t.pair(x, y, true);
            }
        }
    }
    elements
        .iter()
        .zip(tallies)
        .filter(|(_, t)| t.audits > 0)
        .map(|(e, t)| (e.key.clone(), t))
        .collect()
}
