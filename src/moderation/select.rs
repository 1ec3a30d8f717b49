//! Choosing which of a month's audits to moderate (docs/method.md#moderation-sample):
//! every audit the `[moderation] always` rule matches, then audits of the auditors
//! who are due (fewer than the minimum moderated within the window of months), then
//! a keyed-hash random share of the month. Keys are made as in docs/method.md#keys,
//! on the audit id, so anyone can re-derive the choice.

use super::Moderation;
use crate::audits::{Audit, Audits};
use crate::dates::Month;
use crate::keys;
use std::collections::{BTreeSet, HashMap};

/// Why an audit was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reason {
    Always,
    /// Its auditor had fewer than the minimum moderated within the window.
    AuditorDue,
    Random,
}

impl Reason {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Reason::Always => "always",
            Reason::AuditorDue => "auditor-due",
            Reason::Random => "random",
        }
    }
}

/// What decides the choice, besides the audits and the earlier moderation.
pub(crate) struct Rules<'a> {
    /// The month whose audits are chosen from.
    pub(crate) month: Month,
    /// Audits always moderated (`[moderation] always`).
    pub(crate) always: &'a dyn Fn(&Audit) -> bool,
    /// Share of the month's audits chosen at random, 0 to 1.
    pub(crate) rate: f64,
    /// Audits of each auditor to moderate within the window.
    pub(crate) min_per_auditor: u32,
    /// Months in the window: the month chosen for and the ones before it (at least 1).
    pub(crate) window_months: u32,
    /// Seed of the keyed hash.
    pub(crate) seed: u64,
}

impl Rules<'_> {
    /// The first month of the window.
    pub(crate) fn window_start(&self) -> Month {
        (1..self.window_months.max(1)).fold(self.month, |m, _| m.previous())
    }

    /// Whether an audit of `month` was moderated early enough to count toward
    /// who is due: within the window and before the month chosen for. This
    /// month's own results never count, so choosing again after moderation
    /// chooses the same audits.
    pub(crate) fn counts_toward_due(&self, month: Month) -> bool {
        let back = self.month.months_since(month);
        back >= 1 && back < i64::from(self.window_months.max(1))
    }
}

/// The audits chosen, in the order chosen: `always`, then `auditor-due`, then
/// `random`, each in key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selection {
    /// Index into the audits' list, the reason, and the audit's key.
    pub(crate) picks: Vec<(usize, Reason, u64)>,
    /// Audits in the month.
    pub(crate) in_month: usize,
    /// How many random picks the rate asked for (before running out of audits).
    pub(crate) random_target: usize,
    /// The auditors of the month who were due (sorted): fewer than the minimum
    /// moderated within the window, counting this month's `always` audits.
    pub(crate) due: Vec<String>,
    /// The auditors of the month.
    pub(crate) auditors: usize,
    /// Earlier moderation results that counted toward who is due.
    pub(crate) counted: usize,
    /// Moderation results of audits of the month chosen for or later: left out.
    pub(crate) left_out: usize,
    /// Months of the window before the month chosen for with no audits read, so
    /// their moderation could not count.
    pub(crate) months_without_audits: Vec<Month>,
}

impl Selection {
    pub(crate) fn count(&self, reason: Reason) -> usize {
        self.picks.iter().filter(|(_, r, _)| *r == reason).count()
    }
}

/// Chooses the month's audits to moderate.
///
/// With N audits in the month: every audit `always` accepts; then, in key order,
/// audits of auditors with fewer than `min_per_auditor` moderated within the
/// window (the earlier months' `moderated`, this month's chosen so far); then the
/// `round(rate × N)` remaining audits with the smallest keys. `moderated` is the
/// earlier moderation results, read against `audits`; `None` when none were
/// given, and then every auditor starts with none. A key is
/// `keys::key(seed, audit_id)`; ties go to the smaller audit id.
pub(crate) fn select(audits: &Audits, rules: &Rules<'_>, moderated: Option<&[Moderation]>) -> Selection {
    let month = rules.month;
    let mut candidates: Vec<(u64, usize)> = audits
        .list
        .iter()
        .enumerate()
        .filter(|(_, a)| a.month == month)
        .map(|(i, a)| (keys::key(rules.seed, &a.audit_id), i))
        .collect();
    candidates.sort_by(|x, y| {
        x.0.cmp(&y.0)
            .then_with(|| audits.list[x.1].audit_id.cmp(&audits.list[y.1].audit_id))
    });
    let mut chosen = vec![false; audits.list.len()];
    let mut picks = Vec::new();
    for &(key, i) in &candidates {
        if (rules.always)(&audits.list[i]) {
            chosen[i] = true;
            picks.push((i, Reason::Always, key));
        }
    }
    let (mut per_auditor, counted, left_out) = moderated_before(audits, rules, moderated.unwrap_or(&[]));
    for &(i, ..) in &picks {
        *per_auditor.entry(&audits.list[i].auditor_id).or_default() += 1;
    }
    let k = rules.min_per_auditor;
    let auditors: BTreeSet<&str> = candidates
        .iter()
        .map(|&(_, i)| audits.list[i].auditor_id.as_str())
        .collect();
    let due: Vec<String> = auditors
        .iter()
        .filter(|a| per_auditor.get(*a).copied().unwrap_or(0) < k)
        .map(|a| (*a).to_string())
        .collect();
    for &(key, i) in &candidates {
        let n = per_auditor.entry(&audits.list[i].auditor_id).or_default();
        if !chosen[i] && *n < k {
            *n += 1;
            chosen[i] = true;
            picks.push((i, Reason::AuditorDue, key));
        }
    }
    let random_target = (rules.rate.clamp(0.0, 1.0) * candidates.len() as f64).round() as usize;
    picks.extend(
        candidates
            .iter()
            .filter(|&&(_, i)| !chosen[i])
            .take(random_target)
            .map(|&(key, i)| (i, Reason::Random, key)),
    );
    let mut months_without_audits = Vec::new();
    if moderated.is_some() {
        let mut m = month.previous();
        while rules.counts_toward_due(m) {
            if !audits.list.iter().any(|a| a.month == m) {
                months_without_audits.push(m);
            }
            m = m.previous();
        }
        months_without_audits.reverse();
    }
    Selection {
        picks,
        in_month: candidates.len(),
        random_target,
        due,
        auditors: auditors.len(),
        counted,
        left_out,
        months_without_audits,
    }
}

/// Audits moderated per auditor in the window's months before the month chosen
/// for (an audit moderated twice counts once), how many results counted, and how
/// many were of the month chosen for or later.
fn moderated_before<'a>(
    audits: &'a Audits,
    rules: &Rules<'_>,
    moderated: &[Moderation],
) -> (HashMap<&'a str, u32>, usize, usize) {
    let mut per_auditor: HashMap<&str, u32> = HashMap::new();
    let mut seen = vec![false; audits.list.len()];
    let (mut counted, mut left_out) = (0, 0);
    for i in moderated.iter().filter_map(|m| m.audit) {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        let a = &audits.list[i];
        if a.month >= rules.month {
            left_out += 1;
        } else if rules.counts_toward_due(a.month) {
            counted += 1;
            *per_auditor.entry(&a.auditor_id).or_default() += 1;
        }
    }
    (per_auditor, counted, left_out)
}
