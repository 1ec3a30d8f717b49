//! Choosing which of a month's audits to moderate (docs/method.md#moderation-sample):
//! every audit the `[moderation] always` rule matches, then enough of each
//! auditor's audits to reach the minimum, then a keyed-hash random share of the
//! rest. Keys are made as in docs/method.md#keys, on the audit id, so anyone can re-derive the choice.

use crate::audits::{Audit, Audits};
use crate::dates::Month;
use crate::keys;
use std::collections::HashMap;

/// Why an audit was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reason {
    Always,
    AuditorMinimum,
    Random,
}

impl Reason {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Reason::Always => "always",
            Reason::AuditorMinimum => "auditor-minimum",
            Reason::Random => "random",
        }
    }
}

/// The audits chosen, in the order chosen: `always`, then `auditor-minimum`, then
/// `random`, each in key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selection {
    /// Index into the audits' list, the reason, and the audit's key.
    pub(crate) picks: Vec<(usize, Reason, u64)>,
    /// Audits in the month.
    pub(crate) in_month: usize,
    /// How many random picks the rate asked for (before running out of audits).
    pub(crate) random_target: usize,
}

impl Selection {
    pub(crate) fn count(&self, reason: Reason) -> usize {
        self.picks.iter().filter(|(_, r, _)| *r == reason).count()
    }
}

/// Chooses the month's audits to moderate.
///
/// With N audits in the month: every audit `always` accepts; then, in key order,
/// audits of auditors who have fewer than `min_per_auditor` chosen so far; then
/// the `round(rate × N)` remaining audits with the smallest keys. A key is
/// `keys::key(seed, audit_id)`; ties go to the smaller audit id.
pub(crate) fn select(
    audits: &Audits,
    month: Month,
    always: &dyn Fn(&Audit) -> bool,
    rate: f64,
    min_per_auditor: u32,
    seed: u64,
) -> Selection {
    let mut candidates: Vec<(u64, usize)> = audits
        .list
        .iter()
        .enumerate()
        .filter(|(_, a)| a.month == month)
        .map(|(i, a)| (keys::key(seed, &a.audit_id), i))
        .collect();
    candidates.sort_by(|x, y| {
        x.0.cmp(&y.0)
            .then_with(|| audits.list[x.1].audit_id.cmp(&audits.list[y.1].audit_id))
    });
    let mut chosen = vec![false; audits.list.len()];
    let mut picks = Vec::new();
    for &(key, i) in &candidates {
        if always(&audits.list[i]) {
            chosen[i] = true;
            picks.push((i, Reason::Always, key));
        }
    }
    let mut per_auditor: HashMap<&str, u32> = HashMap::new();
    for &(i, ..) in &picks {
        *per_auditor.entry(&audits.list[i].auditor_id).or_default() += 1;
    }
    for &(key, i) in &candidates {
        let n = per_auditor.entry(&audits.list[i].auditor_id).or_default();
        if !chosen[i] && *n < min_per_auditor {
            *n += 1;
            chosen[i] = true;
            picks.push((i, Reason::AuditorMinimum, key));
        }
    }
    let random_target = (rate.clamp(0.0, 1.0) * candidates.len() as f64).round() as usize;
    picks.extend(
        candidates
            .iter()
            .filter(|&&(_, i)| !chosen[i])
            .take(random_target)
            .map(|&(key, i)| (i, Reason::Random, key)),
    );
    Selection {
        picks,
        in_month: candidates.len(),
        random_target,
    }
}
