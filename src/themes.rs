//! Grade profiles and theme tags of completed audits (README.md#summaries-of-completed-audits): counts per
//! grade for each group and element (the overall grade is element 0), the share
//! good or better with its Wilson interval, the previous month's share, and how
//! often each strength and learning tag is named, and the monthly trend of the
//! overall share on an XmR chart. No I/O.

use crate::audits::{Audit, Audits};
use crate::dates::Month;
use crate::spc;
use crate::stats;
use crate::values::element_key;
use crate::values::list_items;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Fewer grades than this make an interval too wide to read as a precise figure.
pub(crate) const WIDE_BELOW: u64 = 10;

/// A share or a change on fewer audits than this is shown as "too few" rather
/// than as a percentage: one audit more or less would move it by 20 points or more.
pub(crate) const TOO_FEW_BELOW: u64 = 5;

/// How a share on `n` audits is shown when `n` is below [`TOO_FEW_BELOW`].
pub(crate) fn too_few(n: u64) -> String {
    format!("too few (n={n})")
}

/// The group label when nothing is grouped (`--by element`).
pub(crate) const ALL: &str = "all";

/// How audits are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupBy {
    Element,
    Team,
    Service,
    Month,
    Auditor,
    Frame,
}

impl GroupBy {
    fn key(self, a: &Audit) -> Cow<'_, str> {
        match self {
            GroupBy::Element => Cow::Borrowed(ALL),
            GroupBy::Team => Cow::Borrowed(&a.team),
            GroupBy::Service => Cow::Borrowed(&a.service),
            GroupBy::Month => Cow::Owned(a.month.to_string()),
            GroupBy::Auditor => Cow::Borrowed(&a.auditor_id),
            GroupBy::Frame => Cow::Borrowed(&a.frame),
        }
    }
}

/// What to summarise.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Query {
    pub(crate) by: GroupBy,
    /// Only this month, compared with the month before.
    pub(crate) month: Option<Month>,
}

impl Query {
    /// Whether the previous month's figures are wanted: with `--month`, or when
    /// grouping by month (each month against the one before).
    pub(crate) fn compares(self) -> bool {
        self.month.is_some() || self.by == GroupBy::Month
    }
}

/// One line of the grade profile.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProfileRow {
    pub(crate) group: String,
    /// Index into the audits' elements (0 = overall).
    pub(crate) element: usize,
    /// Per grade of the scale, best first.
    pub(crate) counts: Vec<u64>,
    pub(crate) graded: u64,
    pub(crate) good_or_better: u64,
    /// 0–100.
    pub(crate) pct: Option<f64>,
    /// Wilson 95% interval, 0–100.
    pub(crate) ci: Option<(f64, f64)>,
    pub(crate) prev_pct: Option<f64>,
    /// Grades the previous month's share is taken from (0 when not compared).
    pub(crate) prev_graded: u64,
    /// Percentage points since the previous month.
    pub(crate) change: Option<f64>,
}

/// Grade counts per group: for each element, one count per grade.
type Tallies = BTreeMap<String, Vec<Vec<u64>>>;

fn tally<'a>(
    audits: impl Iterator<Item = &'a Audit>,
    by: GroupBy,
    elements: usize,
    levels: usize,
) -> Tallies {
    let mut groups: Tallies = BTreeMap::new();
    for a in audits {
        let key = by.key(a);
        let counts = match groups.get_mut(key.as_ref()) {
            Some(c) => c,
            None => groups
                .entry(key.into_owned())
                .or_insert_with(|| vec![vec![0; levels]; elements]),
        };
        for (e, g) in a.grades.iter().enumerate() {
            if let Some(g) = g {
                counts[e][usize::from(*g)] += 1;
            }
        }
    }
    groups
}

/// The grade profile of the audits that `keep` accepts.
pub(crate) fn profile(audits: &Audits, keep: &dyn Fn(&Audit) -> bool, q: Query) -> Vec<ProfileRow> {
    let scale = &audits.scale;
    let (elements, levels) = (audits.layout.elements.len(), scale.len());
    let in_month = |m: Option<Month>| move |a: &&Audit| m.is_none_or(|m| a.month == m) && keep(a);
    let current = tally(
        audits.list.iter().filter(in_month(q.month)),
        q.by,
        elements,
        levels,
    );
    let previous = match q.month {
        Some(m) => tally(
            audits.list.iter().filter(in_month(Some(m.previous()))),
            q.by,
            elements,
            levels,
        ),
        None if q.by == GroupBy::Month => current.clone(),
        None => Tallies::new(),
    };
    let z = stats::z_for_confidence(0.95);
    let share = |counts: &[u64]| -> (u64, u64, Option<f64>) {
        let graded: u64 = counts.iter().sum();
        let good: u64 = (0..levels)
            .filter(|&g| scale.is_good_or_better(u8::try_from(g).unwrap_or(u8::MAX)))
            .map(|g| counts[g])
            .sum();
        let pct = (graded > 0).then(|| 100.0 * good as f64 / graded as f64);
        (graded, good, pct)
    };
    let mut rows = Vec::new();
    for (group, counts) in &current {
        let prev_group = match (q.by, q.month) {
            (GroupBy::Month, _) => group
                .parse::<Month>()
                .map(|m| m.previous().to_string())
                .unwrap_or_default(),
            _ => group.clone(),
        };
        for (element, c) in counts.iter().enumerate() {
            let (graded, good, pct) = share(c);
            if graded == 0 {
                continue;
            }
            let (prev_graded, _, prev_pct) = previous
                .get(&prev_group)
                .filter(|_| q.compares())
                .map_or((0, 0, None), |p| share(&p[element]));
            rows.push(ProfileRow {
                group: group.clone(),
                element,
                counts: c.clone(),
                graded,
                good_or_better: good,
                pct,
                ci: stats::wilson(good, graded, z).map(|(l, h)| (100.0 * l, 100.0 * h)),
                prev_pct,
                prev_graded,
                change: pct.zip(prev_pct).map(|(p, q)| p - q),
            });
        }
    }
    rows
}

/// One month of the overall share good or better, and how it reads on the
/// chart of all the months.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TrendRow {
    pub(crate) month: Month,
    /// Audits with an overall grade.
    pub(crate) graded: u64,
    pub(crate) good_or_better: u64,
    /// The share good or better (0–100) as its chart point.
    pub(crate) point: spc::Point,
}

/// The overall share good or better for each month with an overall grade, in
/// month order, and its XmR chart (higher is better); `None` when no month has
/// one.
pub(crate) fn trend(audits: &Audits, keep: &dyn Fn(&Audit) -> bool) -> Option<(Vec<TrendRow>, spc::Chart)> {
    element_trend(audits, keep, 0)
}

/// As [`trend`], for one element (0 = the overall grade).
pub(crate) fn element_trend(
    audits: &Audits,
    keep: &dyn Fn(&Audit) -> bool,
    element: usize,
) -> Option<(Vec<TrendRow>, spc::Chart)> {
    let scale = &audits.scale;
    let mut months: BTreeMap<Month, (u64, u64)> = BTreeMap::new();
    for a in audits.list.iter().filter(|a| keep(a)) {
        if let Some(Some(g)) = a.grades.get(element) {
            let m = months.entry(a.month).or_default();
            m.0 += 1;
            m.1 += u64::from(scale.is_good_or_better(*g));
        }
    }
    let pcts: Vec<f64> = months
        .values()
        .map(|&(graded, good)| 100.0 * good as f64 / graded as f64)
        .collect();
    let chart = spc::xmr(&pcts, spc::Direction::Up)?;
    let rows = months
        .into_iter()
        .zip(&chart.points)
        .map(|((month, (graded, good)), point)| TrendRow {
            month,
            graded,
            good_or_better: good,
            point: point.clone(),
        })
        .collect();
    Some((rows, chart))
}

/// How often a tag is named.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TagRow {
    pub(crate) group: String,
    /// `strengths` or `learning`.
    pub(crate) kind: &'static str,
    /// As first written.
    pub(crate) tag: String,
    /// Audits naming it.
    pub(crate) audits: u64,
    /// Share of the group's audits naming it, 0–100.
    pub(crate) pct: f64,
    /// Audits in the group.
    pub(crate) of: u64,
}

/// Strength and learning tags by how many audits name them, most named first.
pub(crate) fn tags(audits: &Audits, keep: &dyn Fn(&Audit) -> bool, q: Query) -> Vec<TagRow> {
    struct Count {
        spelling: String,
        audits: u64,
    }
    // group → (audits in the group, per kind: tag key → count)
    let mut groups: BTreeMap<String, (u64, [BTreeMap<String, Count>; 2])> = BTreeMap::new();
    let mut seen: Vec<String> = Vec::new();
    for a in audits
        .list
        .iter()
        .filter(|a| q.month.is_none_or(|m| a.month == m) && keep(a))
    {
        let entry = groups.entry(q.by.key(a).into_owned()).or_default();
        entry.0 += 1;
        for (kind, cell) in [&a.strengths, &a.learning].into_iter().enumerate() {
            seen.clear();
            for item in list_items(cell) {
                let key = element_key(item);
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key.clone());
                entry.1[kind]
                    .entry(key)
                    .or_insert_with(|| Count {
                        spelling: item.to_string(),
                        audits: 0,
                    })
                    .audits += 1;
            }
        }
    }
    let mut rows = Vec::new();
    for (group, (total, kinds)) in groups {
        for (kind, counts) in kinds.into_iter().enumerate() {
            let mut found: Vec<(String, Count)> = counts.into_iter().collect();
            found.sort_by(|(ka, a), (kb, b)| b.audits.cmp(&a.audits).then_with(|| ka.cmp(kb)));
            rows.extend(found.into_iter().map(|(_, c)| TagRow {
                group: group.clone(),
                kind: if kind == 0 { "strengths" } else { "learning" },
                tag: c.spelling,
                audits: c.audits,
                pct: 100.0 * c.audits as f64 / total as f64,
                of: total,
            }));
        }
    }
    rows
}

mod focus;
pub(crate) use focus::{FocusRow, focus};

#[cfg(test)]
mod tests;
