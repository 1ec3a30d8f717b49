//! The monthly report for the Improvement Board (README.md#a-month-step-by-step, step 6): a model of
//! sections built from the same computations as `themes`, `actions`, `moderate
//! summary` and the sample manifest — one source of truth — then rendered as
//! Markdown or self-contained HTML (`report/render.rs`). No I/O here.

mod escalations;
mod focus;
mod pack;
mod render;

pub(crate) use pack::file_stems;
pub(crate) use render::{html, markdown};

use crate::audits::{Audit, Audits};
use crate::dates::{Month, format_date};
use crate::manifest::Manifest;
use crate::moderation::Moderation;
use crate::render::Cell;
use crate::spc;
use crate::themes::{self, GroupBy, Query};
use chrono::NaiveDate;

/// A whole report.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    pub(crate) title: String,
    pub(crate) subtitle: String,
    pub(crate) sections: Vec<Section>,
}

#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub(crate) id: &'static str,
    pub(crate) title: String,
    pub(crate) blocks: Vec<Block>,
}

/// The parts a section is made of.
#[derive(Debug, Clone)]
pub(crate) enum Block {
    Para(String),
    /// A reading note under a table or chart, in smaller type.
    Note(String),
    /// Headline figures: label, value.
    Figures(Vec<(String, String)>),
    Table {
        caption: String,
        columns: Vec<String>,
        rows: Vec<Vec<Cell>>,
    },
    /// Stacked bars: one per category, one segment per series.
    Bars {
        title: String,
        desc: String,
        series: Vec<String>,
        categories: Vec<(String, Vec<u64>)>,
    },
    /// Lines over months, values 0–100.
    Lines {
        title: String,
        desc: String,
        months: Vec<String>,
        series: Vec<(String, Vec<Option<f64>>)>,
    },
    /// Why a section's content is missing (its input was not given).
    Omitted(String),
}

/// The sample behind the month, from its manifest.
pub(crate) struct Sampling<'a> {
    pub(crate) manifest: &'a Manifest,
    pub(crate) path: String,
    pub(crate) sha256: String,
}

/// Moderation figures, computed by the moderation module.
pub(crate) struct ModerationView {
    pub(crate) summary: Vec<(String, String)>,
    pub(crate) table: Option<(Vec<String>, Vec<Vec<Cell>>)>,
    /// Months, % of moderated audits with a grade changed, % challenged.
    pub(crate) trend: Vec<(String, Option<f64>, Option<f64>)>,
}

/// Everything a report is built from.
pub(crate) struct Inputs<'a> {
    pub(crate) month: Month,
    pub(crate) as_of: NaiveDate,
    pub(crate) audits: &'a Audits,
    /// A team pack: only this team's audits, beside the whole service's figures.
    pub(crate) team: Option<&'a str>,
    /// Audits allocated for the month (from the allocation or the history).
    pub(crate) allocated: Option<u64>,
    pub(crate) sampling: Option<Sampling<'a>>,
    /// Moderation figures; in a team pack, of the team's audits only.
    pub(crate) moderation: Option<ModerationView>,
    /// The moderation results, when given, read against `audits` (for a team pack's
    /// list of its audits).
    pub(crate) moderations: Option<&'a [Moderation]>,
    /// Pseudonymise case ids under this key (`--redact`).
    pub(crate) redact: Option<&'a str>,
    /// Show case ids in the whole service's report (`--ids`); team packs always do.
    pub(crate) ids: bool,
    /// List every overdue action in the whole service's report (`--actions all`)
    /// rather than count them by team and age.
    pub(crate) all_actions: bool,
    /// The learning focus of the settings (`[[focus]]`).
    pub(crate) foci: &'a [crate::config::Focus],
}

/// Fewest audits in a group for its percentage to be shown as a headline figure.
const TOP_TAGS: usize = 5;

pub(crate) fn build(inputs: &Inputs<'_>) -> Report {
    let in_team = |a: &Audit| {
        inputs
            .team
            .is_none_or(|t| crate::values::header_key(&a.team) == crate::values::header_key(t))
    };
    let month_q = Query {
        by: GroupBy::Element,
        month: Some(inputs.month),
    };
    let title = match inputs.team {
        Some(t) => format!("Case file audit: {t}, {}", month_name(inputs.month)),
        None => format!("Case file audit report, {}", month_name(inputs.month)),
    };
    let audience = match inputs.team {
        Some(_) => "Team pack for the team's managers: it names the team's cases, so keep it within the team",
        None => "Monthly report to the Improvement Board",
    };
    let subtitle = format!(
        "{audience}. Figures as of {}; caseaudit {}.",
        format_date(inputs.as_of),
        env!("CARGO_PKG_VERSION")
    );
    let mut sections = vec![
        headline(inputs, &in_team, month_q),
        focus::section(inputs, &in_team),
        profile(inputs, &in_team),
        moderation(inputs),
        tags(inputs, &in_team, month_q),
        escalations::section(inputs, &in_team),
        sampling(inputs),
        methodology(inputs),
    ];
    if inputs.foci.is_empty() {
        sections.retain(|s| s.id != "focus");
    }
    if inputs.team.is_some() {
        // A team pack lists the team's own audits, for its managers.
        sections.insert(1, pack::audits(inputs, &in_team));
    }
    Report {
        title,
        subtitle,
        sections,
    }
}

fn month_name(m: Month) -> String {
    m.first_day().format("%B %Y").to_string()
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |p| format!("{p:.1}%"))
}

/// A share on `n` audits as a table cell: the percentage, or "too few (n=…)".
fn share_cell(v: Option<f64>, n: u64) -> Cell {
    if v.is_some() && n < themes::TOO_FEW_BELOW {
        Cell::text(themes::too_few(n))
    } else {
        Cell::opt_num(v, 1)
    }
}

/// A change between shares on `n` and `prev_n` audits: the points, or "too few"
/// with the smaller count.
fn change_cell(change: Option<f64>, n: u64, prev_n: u64) -> Cell {
    match change {
        Some(_) if n.min(prev_n) < themes::TOO_FEW_BELOW => Cell::text(themes::too_few(n.min(prev_n))),
        other => Cell::opt_num(other, 1),
    }
}

/// A Wilson interval as a table cell, left empty when the share is too few to show.
fn ci_cell(ci: Option<(f64, f64)>, n: u64) -> Cell {
    match ci {
        Some((l, h)) if n >= themes::TOO_FEW_BELOW => Cell::text(format!("{l:.1}–{h:.1}")),
        _ => Cell::Empty,
    }
}

/// How the chart of one element's share good or better, month by month up to
/// the report's, reads this month: a symbol that reads in greyscale, the words,
/// and the months charted when too few for settled limits.
fn signal_cell(inputs: &Inputs<'_>, keep: &dyn Fn(&Audit) -> bool, element: usize) -> Cell {
    let to_month = |a: &Audit| a.month <= inputs.month && keep(a);
    match themes::element_trend(inputs.audits, &to_month, element) {
        Some((rows, chart)) if rows.last().is_some_and(|r| r.month == inputs.month) => {
            Cell::text(signal_text(chart.latest(), rows.len(), chart.provisional))
        }
        _ => Cell::text("not charted"),
    }
}

/// A chart's reading in a table cell: "▲ special cause improvement", "● common
/// cause (7 months)" — the months said when too few for settled limits.
pub(crate) fn signal_text(label: spc::Label, months: usize, provisional: bool) -> String {
    let words = match label {
        spc::Label::Common => "common cause",
        other => other.as_str(),
    };
    let mut text = format!("{} {words}", label.symbol());
    if provisional {
        text.push_str(&format!(
            " ({})",
            crate::values::counted(months as u64, "month", "months")
        ));
    }
    text
}

/// How the share of moderated audits with a grade changed reads on its control
/// chart, for the latest of `pcts` (one a month, in order): fewer changed is better.
pub(crate) fn changed_signal(pcts: &[f64]) -> Option<String> {
    let chart = spc::xmr(pcts, spc::Direction::Down)?;
    Some(signal_text(chart.latest(), pcts.len(), chart.provisional))
}

/// The note under a table with a signal column.
const SIGNAL_NOTE: &str = "Signal: how the row's control chart of the months so far reads this month: ▲ special cause improvement, ▼ special cause concern, ● common cause variation (no more than the usual month-to-month variation). Under 12 months charted, the limits are provisional.";

fn headline(inputs: &Inputs<'_>, keep: &dyn Fn(&Audit) -> bool, q: Query) -> Section {
    let audits = inputs.audits;
    let completed = audits
        .list
        .iter()
        .filter(|a| a.month == inputs.month && keep(a))
        .count();
    let overall = themes::profile(audits, keep, q)
        .into_iter()
        .find(|r| r.element == 0);
    let mut figures = vec![
        (
            "Audits allocated".to_string(),
            inputs
                .allocated
                .map_or_else(|| "not given".to_string(), |n| n.to_string()),
        ),
        ("Audits completed".to_string(), completed.to_string()),
    ];
    let mut blocks = Vec::new();
    match overall {
        Some(r) if r.graded < themes::TOO_FEW_BELOW => {
            figures.push((
                "Overall good or better".to_string(),
                format!(
                    "{} of {}, {} for a percentage",
                    r.good_or_better,
                    r.graded,
                    themes::too_few(r.graded)
                ),
            ));
        }
        Some(r) => {
            figures.push((
                "Overall good or better".to_string(),
                format!("{} ({} of {})", pct(r.pct), r.good_or_better, r.graded),
            ));
            figures.push((
                "95% confidence interval".to_string(),
                r.ci.map_or_else(|| "–".to_string(), |(l, h)| format!("{l:.1}% to {h:.1}%")),
            ));
            figures.push((
                "Change since last month".to_string(),
                match r.change {
                    None => "no audits last month".to_string(),
                    Some(_) if r.prev_graded < themes::TOO_FEW_BELOW => {
                        format!("last month's share is on {}", themes::too_few(r.prev_graded))
                    }
                    Some(c) => format!(
                        "{c:+.1} points (was {}): {}",
                        pct(r.prev_pct),
                        variation(inputs, keep)
                    ),
                },
            ));
            if r.graded < themes::WIDE_BELOW {
                blocks.push(Block::Para(format!(
                    "Only {} audits were graded overall this month: the interval is wide, so read the percentage as a rough guide.",
                    r.graded
                )));
            }
        }
        None => blocks.push(Block::Omitted(format!(
            "No audits with an overall grade for {}.",
            inputs.month
        ))),
    }
    blocks.insert(0, Block::Figures(figures));
    Section {
        id: "headline",
        title: "Headline".into(),
        blocks,
    }
}

/// How the month reads on the control chart of every month up to it: within the
/// usual variation, or the special cause and its rules, so a month-on-month
/// change is never read on its own.
fn variation(inputs: &Inputs<'_>, keep: &dyn Fn(&Audit) -> bool) -> String {
    let to_month = |a: &Audit| a.month <= inputs.month && keep(a);
    let Some((rows, chart)) = themes::trend(inputs.audits, &to_month) else {
        return "no months to chart".to_string();
    };
    let Some(last) = rows.last().filter(|r| r.month == inputs.month) else {
        return "no overall grades this month to chart".to_string();
    };
    let mut text = if last.point.rules.is_empty() {
        "within the usual variation".to_string()
    } else {
        let rules: Vec<&str> = last.point.rules.iter().map(|r| r.as_str()).collect();
        format!("{}: {}", last.point.label.as_str(), rules.join(", "))
    };
    text.push_str(&format!(" (chart of {} months", rows.len()));
    if chart.provisional {
        text.push_str(&format!("; {}", spc::PROVISIONAL_NOTE));
    }
    text.push(')');
    text
}

fn profile(inputs: &Inputs<'_>, keep: &dyn Fn(&Audit) -> bool) -> Section {
    let audits = inputs.audits;
    let scale = &audits.scale;
    let labels: Vec<String> = (0..scale.len())
        .map(|g| scale.label(u8::try_from(g).unwrap_or(u8::MAX)).to_string())
        .collect();
    let q = Query {
        by: GroupBy::Element,
        month: Some(inputs.month),
    };
    let rows = themes::profile(audits, keep, q);
    let mut blocks = Vec::new();
    if rows.is_empty() {
        blocks.push(Block::Omitted(format!("No graded audits for {}.", inputs.month)));
        return Section {
            id: "profile",
            title: "Grade profile".into(),
            blocks,
        };
    }
    let element_short = |e: usize| audits.layout.elements[e].short().to_string();
    blocks.push(Block::Bars {
        title: "Grades by element of practice".into(),
        desc: format!(
            "For each element, the share of this month's audits given each grade ({}).",
            labels.join(", ")
        ),
        series: labels.clone(),
        categories: rows
            .iter()
            .map(|r| (element_short(r.element), r.counts.clone()))
            .collect(),
    });
    let service = inputs.team.map(|_| themes::profile(audits, &|_| true, q));
    let mut columns = vec!["element".to_string(), "graded".to_string()];
    columns.extend(labels.iter().cloned());
    columns.extend([
        "% good or better".to_string(),
        "95% CI".to_string(),
        "change".to_string(),
        "signal".to_string(),
    ]);
    if service.is_some() {
        columns.push("whole service".to_string());
    }
    let table_rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![Cell::text(element_short(r.element)), Cell::from(r.graded)];
            cells.extend(r.counts.iter().map(|&c| Cell::from(c)));
            cells.push(share_cell(r.pct, r.graded));
            cells.push(ci_cell(r.ci, r.graded));
            cells.push(change_cell(r.change, r.graded, r.prev_graded));
            cells.push(signal_cell(inputs, keep, r.element));
            if let Some(all) = &service {
                cells.push(match all.iter().find(|s| s.element == r.element) {
                    Some(s) => share_cell(s.pct, s.graded),
                    None => Cell::Empty,
                });
            }
            cells
        })
        .collect();
    blocks.push(Block::Table {
        caption: "Grade profile by element, this month".into(),
        columns,
        rows: table_rows,
    });
    if inputs.team.is_none() {
        let by_team = themes::profile(
            audits,
            keep,
            Query {
                by: GroupBy::Team,
                month: Some(inputs.month),
            },
        );
        let overall: Vec<_> = by_team.into_iter().filter(|r| r.element == 0).collect();
        blocks.push(Block::Bars {
            title: "Overall grade by team".into(),
            desc: "For each team, the share of this month's audits given each overall grade.".into(),
            series: labels,
            categories: overall
                .iter()
                .map(|r| (r.group.clone(), r.counts.clone()))
                .collect(),
        });
        blocks.push(Block::Table {
            caption: "Overall grade by team, this month".into(),
            columns: ["team", "graded", "% good or better", "95% CI", "change", "signal"]
                .map(String::from)
                .to_vec(),
            rows: overall
                .iter()
                .map(|r| {
                    let team = crate::values::header_key(&r.group);
                    let in_team = |a: &Audit| crate::values::header_key(&a.team) == team && keep(a);
                    vec![
                        Cell::text(&r.group),
                        Cell::from(r.graded),
                        share_cell(r.pct, r.graded),
                        ci_cell(r.ci, r.graded),
                        change_cell(r.change, r.graded, r.prev_graded),
                        signal_cell(inputs, &in_team, 0),
                    ]
                })
                .collect(),
        });
    }
    blocks.push(Block::Note(SIGNAL_NOTE.into()));
    Section {
        id: "profile",
        title: "Grade profile".into(),
        blocks,
    }
}

fn moderation(inputs: &Inputs<'_>) -> Section {
    let mut blocks = Vec::new();
    match &inputs.moderation {
        None => blocks.push(Block::Omitted(
            "Moderation is left out: no moderation results were given (--moderation).".into(),
        )),
        Some(m) => {
            blocks.push(Block::Figures(m.summary.clone()));
            if let Some((columns, rows)) = &m.table {
                blocks.push(Block::Table {
                    caption: "Moderation by month".into(),
                    columns: columns.clone(),
                    rows: rows.clone(),
                });
            }
            if m.trend.len() > 1 {
                blocks.push(Block::Lines {
                    title: "Moderation trend".into(),
                    desc: "Share of moderated audits with a grade changed, and share challenged, month by month. Lower is better."
                        .into(),
                    months: m.trend.iter().map(|t| t.0.clone()).collect(),
                    series: vec![
                        ("grades changed".into(), m.trend.iter().map(|t| t.1).collect()),
                        ("challenged".into(), m.trend.iter().map(|t| t.2).collect()),
                    ],
                });
            }
        }
    }
    Section {
        id: "moderation",
        title: "Moderation".into(),
        blocks,
    }
}

fn tags(inputs: &Inputs<'_>, keep: &dyn Fn(&Audit) -> bool, q: Query) -> Section {
    let rows = themes::tags(inputs.audits, keep, q);
    let mut blocks = Vec::new();
    for (kind, caption) in [
        ("strengths", "Most frequent strengths"),
        ("learning", "Most frequent learning themes"),
    ] {
        let top: Vec<Vec<Cell>> = rows
            .iter()
            .filter(|r| r.kind == kind)
            .take(TOP_TAGS)
            .map(|r| {
                vec![
                    Cell::text(&r.tag),
                    Cell::from(r.audits),
                    share_cell(Some(r.pct), r.of),
                ]
            })
            .collect();
        if top.is_empty() {
            blocks.push(Block::Omitted(format!("No {kind} tags in this month's audits.")));
        } else {
            blocks.push(Block::Table {
                caption: caption.into(),
                columns: ["theme", "audits", "% of audits"].map(String::from).to_vec(),
                rows: top,
            });
        }
    }
    Section {
        id: "themes",
        title: "Themes".into(),
        blocks,
    }
}

fn sampling(inputs: &Inputs<'_>) -> Section {
    let blocks = match &inputs.sampling {
        None => vec![Block::Omitted(
            "Sampling coverage is left out: no sample manifest was given (--sample).".into(),
        )],
        Some(s) => vec![Block::Table {
            caption: format!(
                "Frames of the {} sample (seed {})",
                s.manifest.month, s.manifest.seed
            ),
            columns: [
                "frame",
                "rule",
                "eligible",
                "excluded by history",
                "without a team",
                "drawn",
                "shortfall",
            ]
            .map(String::from)
            .to_vec(),
            rows: s
                .manifest
                .frames
                .iter()
                .zip(&s.manifest.settings.frames)
                .map(|(f, spec)| {
                    vec![
                        Cell::text(&f.name),
                        Cell::text(&spec.filter),
                        Cell::from(f.eligible),
                        Cell::from(f.excluded_by_history),
                        Cell::from(f.excluded_no_team),
                        Cell::from(f.drawn),
                        Cell::from(f.shortfall),
                    ]
                })
                .collect(),
        }],
    };
    Section {
        id: "sampling",
        title: "Sampling coverage".into(),
        blocks,
    }
}

fn methodology(inputs: &Inputs<'_>) -> Section {
    let scale = &inputs.audits.scale;
    let good: Vec<&str> = (0..scale.len())
        .filter_map(|g| u8::try_from(g).ok())
        .filter(|&g| scale.is_good_or_better(g))
        .map(|g| scale.label(g))
        .collect();
    let mut figures = vec![
        ("As of".to_string(), format_date(inputs.as_of)),
        ("Month".to_string(), inputs.month.to_string()),
        ("Tool".to_string(), format!("caseaudit {}", crate::build())),
    ];
    if let Some(s) = &inputs.sampling {
        figures.push(("Sample seed".to_string(), s.manifest.seed.to_string()));
        figures.push(("Sampling method".to_string(), s.manifest.method.clone()));
        figures.push(("Manifest".to_string(), s.path.clone()));
        figures.push(("Manifest SHA-256".to_string(), s.sha256.clone()));
    }
    let blocks = vec![
        Block::Figures(figures),
        Block::Para(format!(
            "Good or better means a grade of {}. Grades not given (N/A) are left out of every figure. A share or a change on fewer than {} audits is shown as too few, with the count: one audit more or less would move it by 20 points or more. Intervals are 95% Wilson score intervals; the difference a learning focus made has a 95% interval by Newcombe's hybrid score method, from the two Wilson intervals. Trends are read on control charts (XmR) as NHS England's Making Data Count asks: the mean, process limits at the mean ± 2.66 mean moving ranges, and a special cause when a month is outside the limits, 7 months run on one side of the mean or rise or fall in a row, or 2 of 3 months are near a limit. A grade is changed when the moderator's overall grade differs from the auditor's; an audit is challenged when the moderator sent it back to the auditor. Agreement pools the overall grade and every element the moderator re-graded; weighted kappa uses every level of the scale.",
            good.join(" or "),
            themes::TOO_FEW_BELOW
        )),
        Block::Para(
            "The sample is drawn by keyed hash: each case's key is the first 8 bytes of SHA-256(\"seed:case_id\"), and each frame takes the eligible cases with the smallest keys. Anyone can re-derive it by running caseaudit verify on the sample's manifest."
                .into(),
        ),
    ];
    Section {
        id: "methodology",
        title: "Methodology".into(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fewer_grades_changed_is_an_improvement() {
        // Seven months each lower than the one before: a trend, downwards.
        let falling = [40.0, 35.0, 30.0, 26.0, 22.0, 18.0, 15.0];
        assert_eq!(
            changed_signal(&falling).as_deref(),
            Some("▲ special cause improvement (7 months)")
        );
        let rising: Vec<f64> = falling.iter().rev().copied().collect();
        assert_eq!(
            changed_signal(&rising).as_deref(),
            Some("▼ special cause concern (7 months)")
        );
        // Twelve months of usual variation: limits settled, no months said.
        let steady = [
            20.0, 25.0, 18.0, 22.0, 24.0, 19.0, 21.0, 23.0, 20.0, 22.0, 19.0, 21.0,
        ];
        assert_eq!(changed_signal(&steady).as_deref(), Some("● common cause"));
        assert_eq!(changed_signal(&[]), None);
    }
}
