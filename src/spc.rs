//! Statistical process control of a monthly series (docs/method.md#statistical-process-control):
//! the XmR chart that NHS England's *Making Data Count* asks boards to read,
//! computed as the NHS-R community's `NHSRplotthedots` computes it. The centre
//! line is the mean; the process limits are the mean ± 2.66 × the mean moving
//! range (moving ranges of 3.267 × their mean or more screened out first); each
//! point is tested against four special-cause rules (outside the limits, a trend
//! of 7, 2 of 3 near a limit, a run of 7 on one side) and labelled improvement,
//! concern or common cause for the direction that counts as better. No I/O.

/// A series shorter than this has provisional limits: they will move as months
/// are added. The reference's message says "n < 12"; its code's default
/// threshold is 13, but its documentation and *Making Data Count* say 12.
pub(crate) const PROVISIONAL_BELOW: usize = 12;

/// What to tell a reader of a series with provisional limits.
pub(crate) const PROVISIONAL_NOTE: &str = "fewer than 12 points: limits are provisional";

/// Limits sit this many mean moving ranges from the mean (3 / d2, d2 = 1.128).
const LIMIT: f64 = 2.66;
/// Moving ranges at or above this many times their mean are screened out.
const SCREEN: f64 = 3.267;
/// Points in a run on one side of the mean, or in a trend.
const RUN: usize = 7;

/// Up or down: which way is better, and which way a signal points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Up,
    Down,
}

/// A special-cause rule, in the order the reference lets one rule name a
/// point's direction when several apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Rule {
    /// Above the upper or below the lower process limit.
    OutsideLimits,
    /// Part of 7 or more points each higher (or each lower) than the one before.
    Trend,
    /// Beyond two thirds of the way to a limit (inside it), with at least one
    /// other of three consecutive points also there, all three on one side.
    TwoOfThree,
    /// Part of 7 or more consecutive points on one side of the mean.
    Run,
}

impl Rule {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Rule::OutsideLimits => "outside the limits",
            Rule::Trend => "trend of 7",
            Rule::TwoOfThree => "2 of 3 near a limit",
            Rule::Run => "run of 7 on one side",
        }
    }
}

/// How a point reads for the direction that counts as better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    Improvement,
    Concern,
    Common,
}

impl Label {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Label::Improvement => "special cause improvement",
            Label::Concern => "special cause concern",
            Label::Common => "common cause variation",
        }
    }

    /// A mark that reads without colour, printed beside the words: ▲ improvement,
    /// ▼ concern, ● common cause.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Label::Improvement => "▲",
            Label::Concern => "▼",
            Label::Common => "●",
        }
    }
}

/// One point of the chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Point {
    pub(crate) value: f64,
    /// Every rule the point is part of, in precedence order; empty for common cause.
    pub(crate) rules: Vec<Rule>,
    /// Which way the first rule points.
    pub(crate) direction: Option<Direction>,
    pub(crate) label: Label,
}

/// An XmR chart of one series.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Chart {
    pub(crate) mean: f64,
    /// Mean moving range after screening.
    pub(crate) mean_mr: f64,
    pub(crate) lower: f64,
    pub(crate) upper: f64,
    pub(crate) points: Vec<Point>,
    /// Fewer than [`PROVISIONAL_BELOW`] points.
    pub(crate) provisional: bool,
}

impl Chart {
    /// The label of the latest point: how the series reads now.
    pub(crate) fn latest(&self) -> Label {
        self.points.last().map_or(Label::Common, |p| p.label)
    }
}

/// The XmR chart of `values` (in time order), or `None` for an empty series.
///
/// With one point, or when every moving range is 0, the mean moving range is 0
/// and the limits close onto the mean (the reference leaves them undefined).
pub(crate) fn xmr(values: &[f64], better: Direction) -> Option<Chart> {
    if values.is_empty() {
        return None;
    }
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let ranges: Vec<f64> = values.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let mean_of = |r: &[f64]| {
        if r.is_empty() {
            0.0
        } else {
            r.iter().sum::<f64>() / r.len() as f64
        }
    };
    let first = mean_of(&ranges);
    // The reference keeps a range only if strictly below the screen; when all
    // ranges are 0 it would drop them all, so they are kept.
    let mean_mr = if first > 0.0 {
        let kept: Vec<f64> = ranges.into_iter().filter(|&r| r < SCREEN * first).collect();
        mean_of(&kept)
    } else {
        0.0
    };
    let (lower, upper) = (mean - LIMIT * mean_mr, mean + LIMIT * mean_mr);
    // Two thirds of the way to a limit, as the reference draws it (2/3 × 2.66,
    // a hair from 2 sigma = 2 / 1.128).
    let near = 2.0 * LIMIT / 3.0 * mean_mr;
    let (near_lower, near_upper) = (mean - near, mean + near);

    let side: Vec<i8> = values.iter().map(|&y| sign(y - mean)).collect();
    let outside: Vec<bool> = values.iter().map(|&y| y > upper || y < lower).collect();
    let close: Vec<bool> = values
        .iter()
        .zip(&outside)
        .map(|(&y, &o)| !o && (y < near_lower || y > near_upper))
        .collect();

    // Per point: the direction each rule gives it, if it is part of that rule.
    let mut trend: Vec<Option<Direction>> = vec![None; n];
    for (end, w) in values.windows(RUN).enumerate() {
        let steps: Vec<i8> = w.windows(2).map(|s| sign(s[1] - s[0])).collect();
        let dir = if steps.iter().all(|&s| s == 1) {
            Direction::Up
        } else if steps.iter().all(|&s| s == -1) {
            Direction::Down
        } else {
            continue;
        };
        // Later windows overwrite: a peak or trough shared by a rise and a fall
        // takes the direction on its right, as in the reference.
        trend[end..end + RUN].fill(Some(dir));
    }
    let mut run = vec![false; n];
    for (start, w) in side.windows(RUN).enumerate() {
        // A point exactly on the mean is on neither side and breaks a run.
        if w[0] != 0 && w.iter().all(|&s| s == w[0]) {
            run[start..start + RUN].fill(true);
        }
    }
    let mut two_of_three = vec![false; n];
    for (start, w) in close.windows(3).enumerate() {
        let sides = &side[start..start + 3];
        let count = w.iter().filter(|&&c| c).count();
        if count >= 2 && sides[0] != 0 && sides.iter().all(|&s| s == sides[0]) {
            for (i, &c) in w.iter().enumerate() {
                two_of_three[start + i] |= c;
            }
        }
    }

    let points = (0..n)
        .map(|i| {
            let by_side = match side[i] {
                1 => Some(Direction::Up),
                -1 => Some(Direction::Down),
                _ => None,
            };
            let mut rules = Vec::new();
            let mut direction = None;
            let mut apply = |applies: bool, rule: Rule, dir: Option<Direction>| {
                if applies {
                    rules.push(rule);
                    direction = direction.or(dir);
                }
            };
            apply(outside[i], Rule::OutsideLimits, by_side);
            apply(trend[i].is_some(), Rule::Trend, trend[i]);
            apply(two_of_three[i], Rule::TwoOfThree, by_side);
            apply(run[i], Rule::Run, by_side);
            let label = match direction {
                None => Label::Common,
                Some(d) if d == better => Label::Improvement,
                Some(_) => Label::Concern,
            };
            Point {
                value: values[i],
                rules,
                direction,
                label,
            }
        })
        .collect();
    Some(Chart {
        mean,
        mean_mr,
        lower,
        upper,
        points,
        provisional: n < PROVISIONAL_BELOW,
    })
}

fn sign(x: f64) -> i8 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

#[cfg(test)]
mod tests;
