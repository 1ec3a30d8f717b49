//! What a compiled condition does: the checks of each kind of condition, and the
//! closures a filter becomes for one kind of row.

use super::{Compiled, FieldKind, Fields, Reader, Value};
use crate::dates::{Day, parse_day};
use crate::values::{cmp_ci, contains_ci, eq_ci, list_items, parse_yes_no};
use crate::vocab::{ItemPattern, RiskTheme, item_matches_theme, strip_label_prefix};
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A comparison literal, read at compile time every way the field's kind allows.
#[derive(Debug, Clone, Default)]
pub(super) struct Lit {
    /// Lowercased, lettered prefix stripped.
    pub(super) lower: String,
    pub(super) num: Option<f64>,
    pub(super) date: Option<Day>,
    pub(super) yes: Option<bool>,
}

impl Lit {
    /// Whether the literal is only text: not a number, date or yes/no.
    pub(super) fn is_plain_text(&self) -> bool {
        self.num.is_none() && self.date.is_none() && self.yes.is_none()
    }
}

#[derive(Debug, Clone)]
pub(super) enum Check {
    Empty,
    Truthy,
    Cmp(CmpOp, FieldKind, Lit),
    AnyOf(FieldKind, Vec<Lit>),
    Within(Day, Day),
    Substring(String, Option<&'static RiskTheme>),
    Members(Vec<ItemPattern>),
}

#[derive(Debug, Clone)]
pub(super) enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Not(Box<Node>),
    Test(usize, Check),
}

impl Node {
    /// The node as one closure over rows of type `R` (see [`RowFilter`]).
    pub(super) fn closure<'a, R: ?Sized + 'a>(&self, fields: &dyn Fields<R>) -> Compiled<'a, R> {
        let all =
            |nodes: &[Node]| -> Vec<Compiled<'a, R>> { nodes.iter().map(|n| n.closure(fields)).collect() };
        match self {
            Node::Or(v) => match <[Compiled<'a, R>; 2]>::try_from(all(v)) {
                Ok([a, b]) => Box::new(move |r| a(r) || b(r)),
                Err(tests) => Box::new(move |r| tests.iter().any(|t| t(r))),
            },
            Node::And(v) => match <[Compiled<'a, R>; 2]>::try_from(all(v)) {
                Ok([a, b]) => Box::new(move |r| a(r) && b(r)),
                Err(tests) => Box::new(move |r| tests.iter().all(|t| t(r))),
            },
            Node::Not(n) => {
                let t = n.closure(fields);
                Box::new(move |r| !t(r))
            }
            Node::Test(field, check) => check.closure(fields.reader(*field)),
        }
    }
}

impl Check {
    /// The check as a closure reading its value with `read`: each kind of check a
    /// closure of its own, so that evaluating it dispatches on nothing.
    pub(super) fn closure<'a, R: ?Sized + 'a>(&self, read: Reader<'a, R>) -> Compiled<'a, R> {
        match self.clone() {
            Check::Empty => Box::new(move |r| is_empty(read(r))),
            Check::Truthy => Box::new(move |r| is_truthy(read(r))),
            Check::Cmp(op, kind, lit) => Box::new(move |r| cmp_holds(op, kind, &lit, read(r))),
            Check::AnyOf(kind, lits) => Box::new(move |r| any_equal(kind, &lits, read(r))),
            Check::Within(start, end) => Box::new(move |r| is_within(start, end, read(r))),
            Check::Substring(lower, theme) => Box::new(move |r| has_substring(&lower, theme, read(r))),
            Check::Members(ms) => Box::new(move |r| has_member(&ms, read(r))),
        }
    }
}

pub(super) fn is_empty(v: Value<'_>) -> bool {
    match v {
        Value::Missing => true,
        Value::Text(s) => s.trim().is_empty(),
        Value::List(s) => list_items(s).next().is_none(),
        _ => false,
    }
}

pub(super) fn is_truthy(v: Value<'_>) -> bool {
    match v {
        Value::Bool(b) => b,
        Value::Text(s) | Value::List(s) => parse_yes_no(strip_label_prefix(s)) == Some(true),
        Value::Number(n) => n == 1.0,
        _ => false,
    }
}

#[inline]
pub(super) fn cmp_holds(op: CmpOp, kind: FieldKind, lit: &Lit, v: Value<'_>) -> bool {
    match (op, kind, v) {
        // Equality with a word that is not a number, date or yes/no: what
        // `compare_text` would do, without the ordering.
        (CmpOp::Eq | CmpOp::Ne, FieldKind::Text, Value::Text(s)) if lit.is_plain_text() => {
            eq_ci(strip_label_prefix(s), &lit.lower) == (op == CmpOp::Eq)
        }
        _ => op.holds(compare(v, kind, lit)),
    }
}

pub(super) fn any_equal(kind: FieldKind, lits: &[Lit], v: Value<'_>) -> bool {
    lits.iter().any(|l| compare(v, kind, l) == Some(Ordering::Equal))
}

#[inline]
pub(super) fn is_within(start: Day, end: Day, v: Value<'_>) -> bool {
    match v {
        Value::Date(d) => start <= d && d <= end,
        Value::Text(s) => parse_day(s).is_some_and(|d| start <= d && d <= end),
        _ => false,
    }
}

pub(super) fn has_substring(lower: &str, theme: Option<&RiskTheme>, v: Value<'_>) -> bool {
    match v {
        Value::Text(s) | Value::List(s) => {
            contains_ci(s, lower) || theme.is_some_and(|t| item_matches_theme(s, t))
        }
        _ => false,
    }
}

pub(super) fn has_member(ms: &[ItemPattern], v: Value<'_>) -> bool {
    match v {
        Value::Text(s) | Value::List(s) => list_items(s).any(|it| ms.iter().any(|m| m.matches(it))),
        _ => false,
    }
}

impl CmpOp {
    pub(super) fn holds(self, ord: Option<Ordering>) -> bool {
        use Ordering::{Equal, Greater, Less};
        match self {
            CmpOp::Eq => ord == Some(Equal),
            CmpOp::Ne => ord != Some(Equal),
            CmpOp::Lt => ord == Some(Less),
            CmpOp::Le => matches!(ord, Some(Less | Equal)),
            CmpOp::Gt => ord == Some(Greater),
            CmpOp::Ge => matches!(ord, Some(Greater | Equal)),
        }
    }
}

pub(super) fn compare(v: Value<'_>, kind: FieldKind, lit: &Lit) -> Option<Ordering> {
    match (v, kind) {
        (Value::Missing, _) => None,
        (Value::Number(n), _) => lit.num.and_then(|l| n.partial_cmp(&l)),
        (Value::Date(d), _) => lit.date.map(|l| d.cmp(&l)),
        (Value::Bool(b), _) => lit.yes.map(|l| b.cmp(&l)),
        (Value::Text(s) | Value::List(s), FieldKind::Number) => parse_number(s)?.partial_cmp(&lit.num?),
        (Value::Text(s) | Value::List(s), FieldKind::Date) => Some(parse_day(s)?.cmp(&lit.date?)),
        (Value::Text(s) | Value::List(s), FieldKind::Bool) => {
            Some(parse_yes_no(strip_label_prefix(s))?.cmp(&lit.yes?))
        }
        (Value::Text(s) | Value::List(s), FieldKind::Text | FieldKind::List) => Some(compare_text(s, lit)),
    }
}

/// A column of unknown kind: numbers if both sides are numbers, else dates if both are
/// dates, else yes/no if both are, else case-insensitive text.
pub(super) fn compare_text(s: &str, lit: &Lit) -> Ordering {
    if let Some(l) = lit.num
        && let Some(a) = parse_number(s)
    {
        return a.partial_cmp(&l).unwrap_or(Ordering::Less);
    }
    if let Some(l) = lit.date
        && let Some(a) = parse_day(s)
    {
        return a.cmp(&l);
    }
    let s = strip_label_prefix(s);
    match lit.yes.and_then(|l| Some((l, parse_yes_no(s)?))) {
        Some((l, a)) => a.cmp(&l),
        None => cmp_ci(s, &lit.lower),
    }
}

/// A plain decimal: optional sign, digits, optional fraction. No "inf", "nan" or exponents.
pub(super) fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let ok = whole.len() + frac.len() > 0 && digits(whole) && digits(frac);
    ok.then(|| t.parse().ok()).flatten()
}
