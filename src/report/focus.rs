//! The *Learning focus* section: for each `[[focus]]` of the settings, the
//! element's share good or better before and since the focus began, the
//! difference with its 95% interval, and how its control chart reads since. No I/O.

use super::{Block, Inputs, Section};
use crate::audits::Audit;
use crate::render::Cell;
use crate::themes::{self, FocusRow};

pub(super) fn section(inputs: &Inputs<'_>, keep: &dyn Fn(&Audit) -> bool) -> Section {
    let rows = themes::focus(inputs.audits, keep, inputs.foci, Some(inputs.month));
    let blocks = if rows.is_empty() {
        vec![Block::Omitted(
            "No audits hold the element of any learning focus in the settings.".into(),
        )]
    } else {
        vec![
            Block::Table {
                caption: format!("Learning focus: each element before and since its focus began, to {}", inputs.month),
                columns: cells::COLUMNS.map(String::from).to_vec(),
                rows: rows.iter().map(|r| cells::row(inputs, r)).collect(),
            },
            Block::Note(
                "Difference: the share since minus the share before, in percentage points, with its 95% interval; an interval that includes 0 does not show a change. Signal: the latest special cause on the element's control chart since the focus began, else common cause variation."
                    .into(),
            ),
        ]
    };
    Section {
        id: "focus",
        title: "Learning focus".into(),
        blocks,
    }
}

/// A focus row as the report's and `themes --focus`'s table cells.
pub(crate) mod cells {
    use super::{Cell, FocusRow, Inputs};
    use crate::themes;

    pub(crate) const COLUMNS: [&str; 6] = [
        "focus",
        "element",
        "before",
        "since",
        "difference (95% CI)",
        "signal since",
    ];

    pub(super) fn row(inputs: &Inputs<'_>, r: &FocusRow) -> Vec<Cell> {
        let element = inputs
            .audits
            .layout
            .elements
            .iter()
            .find(|e| crate::values::element_key(&e.key) == crate::values::element_key(&r.element))
            .map_or(r.element.as_str(), |e| e.short());
        vec![
            Cell::text(format!("{} (from {})", r.title, r.start)),
            Cell::text(element),
            Cell::text(share(r.before)),
            Cell::text(share(r.since)),
            Cell::text(difference(r)),
            Cell::text(signal(r)),
        ]
    }

    /// "62.5% (25 of 40)", or too few.
    pub(crate) fn share((good, graded): (u64, u64)) -> String {
        if graded < themes::TOO_FEW_BELOW {
            return themes::too_few(graded);
        }
        format!("{:.1}% ({good} of {graded})", 100.0 * good as f64 / graded as f64)
    }

    /// "+12.5 points (−3.1 to +27.0)", or too few.
    pub(crate) fn difference(r: &FocusRow) -> String {
        let n = r.before.1.min(r.since.1);
        match r.difference {
            _ if n < themes::TOO_FEW_BELOW => themes::too_few(n),
            Some((d, l, h)) => format!("{d:+.1} points ({l:+.1} to {h:+.1})"),
            None => "–".into(),
        }
    }

    /// "▲ special cause improvement (7 months)".
    pub(crate) fn signal(r: &FocusRow) -> String {
        match r.signal {
            None => "not charted".into(),
            Some(s) => crate::report::signal_text(s.label, s.months, s.provisional),
        }
    }
}
