//! The impact of a learning focus (README.md#learning-focus): an element's share
//! good or better in the months before the focus began and in the months since,
//! the difference with its 95% interval (Newcombe's hybrid score method), and
//! how the element's control chart reads since the focus began. No I/O.

use crate::audits::{Audit, Audits};
use crate::config::Focus;
use crate::dates::Month;
use crate::spc;
use crate::stats;
use crate::values::element_key;

/// One focus, read against the audits.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FocusRow {
    pub(crate) title: String,
    /// The element's key as the settings give it.
    pub(crate) element: String,
    /// The first month of the focus.
    pub(crate) start: Month,
    /// Good or better and graded, in the months before `start`.
    pub(crate) before: (u64, u64),
    /// Good or better and graded, from `start` on.
    pub(crate) since: (u64, u64),
    /// Since minus before in percentage points, with its 95% interval.
    pub(crate) difference: Option<(f64, f64, f64)>,
    /// How the element's chart reads since the focus began.
    pub(crate) signal: Option<Signal>,
}

/// A chart's reading over some of its points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Signal {
    /// The latest special cause among the points read, else common cause.
    pub(crate) label: spc::Label,
    /// Months on the chart.
    pub(crate) months: usize,
    pub(crate) provisional: bool,
}

impl FocusRow {
    /// The share good or better before and since, 0–100.
    pub(crate) fn pcts(&self) -> (Option<f64>, Option<f64>) {
        let pct = |(good, graded): (u64, u64)| (graded > 0).then(|| 100.0 * good as f64 / graded as f64);
        (pct(self.before), pct(self.since))
    }
}

/// Each focus read against the audits `keep` accepts, up to `until` (every month
/// when `None`). A focus whose element no audit file holds, or whose month does
/// not parse (the settings loader has said so), is left out.
pub(crate) fn focus(
    audits: &Audits,
    keep: &dyn Fn(&Audit) -> bool,
    foci: &[Focus],
    until: Option<Month>,
) -> Vec<FocusRow> {
    let scale = &audits.scale;
    let in_range = |a: &Audit| until.is_none_or(|u| a.month <= u) && keep(a);
    let mut rows = Vec::new();
    for f in foci {
        let Some(start) = f.start() else { continue };
        let wanted = element_key(f.element.get_ref());
        let Some(element) = audits
            .layout
            .elements
            .iter()
            .position(|e| element_key(&e.key) == wanted)
        else {
            continue;
        };
        let (mut before, mut since) = ((0, 0), (0, 0));
        for a in audits.list.iter().filter(|a| in_range(a)) {
            if let Some(Some(g)) = a.grades.get(element) {
                let side = if a.month < start { &mut before } else { &mut since };
                side.0 += u64::from(scale.is_good_or_better(*g));
                side.1 += 1;
            }
        }
        let z = stats::z_for_confidence(0.95);
        let difference = stats::newcombe_difference(since.0, since.1, before.0, before.1, z)
            .map(|(d, l, h)| (100.0 * d, 100.0 * l, 100.0 * h));
        let signal = super::element_trend(audits, &in_range, element).and_then(|(months, chart)| {
            let read: Vec<&spc::Point> = months
                .iter()
                .zip(&chart.points)
                .filter(|(m, _)| m.month >= start)
                .map(|(_, p)| p)
                .collect();
            if read.is_empty() {
                return None;
            }
            let label = read
                .iter()
                .rev()
                .map(|p| p.label)
                .find(|l| *l != spc::Label::Common)
                .unwrap_or(spc::Label::Common);
            Some(Signal {
                label,
                months: chart.points.len(),
                provisional: chart.provisional,
            })
        });
        rows.push(FocusRow {
            title: f.title.clone(),
            element: f.element.get_ref().clone(),
            start,
            before,
            since,
            difference,
            signal,
        });
    }
    rows
}
