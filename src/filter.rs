//! Filter expressions (`--where`, and `where` in the config; SPEC.md §4): a lexer, a parser
//! that compiles as it goes, and the evaluator, with errors that point at the offending word.
//!
//! Missing values: `=`, `<`, `<=`, `>`, `>=`, `contains`, `in`, `within` and a bare field are
//! false on a missing value; `!=` (and so `not in`, `not contains`) is true; `is empty` is
//! true. A value that cannot be read as the field's kind (a number field holding "abc")
//! counts the same way: it equals nothing and is ordered against nothing.

use crate::dates::{date_problem, parse_date};
use crate::values::{list_items, parse_yes_no};
use crate::vocab::{
    ItemPattern, RiskTheme, cmp_ci, contains_ci, item_matches_theme, lowercase, risk_theme,
    strip_label_prefix,
};
use chrono::{Days, Months, NaiveDate};
use std::cmp::Ordering;
use std::fmt;

/// Guards the recursive parser against `((((…` and `not not not …` exhausting the stack.
const MAX_DEPTH: usize = 64;
/// An unknown-field error lists at most this many names; Annex A lists have ~30 headings.
const MAX_LISTED_FIELDS: usize = 40;
const UNITS: &str = "days, weeks, months or years";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    Text,
    Number,
    Date,
    Bool,
    List,
}

/// A field's value in one row, borrowed from the row. Text is already trimmed, NBSP→space.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Missing,
    Text(&'a str),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// a raw list cell, items separated by ';' (also ',' or '|')
    List(&'a str),
}

pub(crate) trait Schema {
    /// Resolves a field name as written in an expression (a standard name or the file's own
    /// header; the implementer matches case-insensitively and trimmed) to an id and kind.
    fn resolve(&self, name: &str) -> Option<(usize, FieldKind)>;
    /// Names offered in an "unknown field" error.
    fn known_fields(&self) -> Vec<String>;
}

pub(crate) trait Row {
    fn value(&self, field: usize) -> Value<'_>;
}

/// A compiled filter expression.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    root: Node,
    fields: Vec<usize>,
}

impl Filter {
    /// Syntax-only check (used when loading settings, before any file is read).
    pub(crate) fn check_syntax(expr: &str) -> Result<(), FilterError> {
        Parser::new(expr, None, NaiveDate::MIN)?.run().map(drop)
    }

    /// Parses and resolves fields against the schema; literals are typed by the field's kind
    /// here (a bad date literal against a Date field is an error pointing at the literal).
    pub(crate) fn compile(expr: &str, schema: &dyn Schema, as_of: NaiveDate) -> Result<Filter, FilterError> {
        let mut p = Parser::new(expr, Some(schema), as_of)?;
        let root = p.run()?;
        let mut fields = p.fields;
        fields.sort_unstable();
        fields.dedup();
        Ok(Filter { root, fields })
    }

    pub(crate) fn matches<R: Row + ?Sized>(&self, row: &R) -> bool {
        self.root.eval(row)
    }

    /// Field ids the expression reads, ascending.
    pub(crate) fn fields(&self) -> Vec<usize> {
        self.fields.clone()
    }
}

/// A malformed expression, with the byte span of the offending word for the caret.
#[derive(Debug, Clone)]
pub(crate) struct FilterError {
    pub(crate) expr: String,
    pub(crate) offset: usize,
    pub(crate) len: usize,
    pub(crate) message: String,
}

impl FilterError {
    fn at(expr: &str, offset: usize, len: usize, message: impl Into<String>) -> Self {
        let (expr, message) = (expr.to_string(), message.into());
        FilterError {
            expr,
            offset,
            len,
            message,
        }
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.expr;
        let mut start = self.offset.min(e.len());
        while !e.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = start.saturating_add(self.len).min(e.len());
        while !e.is_char_boundary(end) {
            end += 1;
        }
        // A multi-line `where` from the config is shown on one line so the caret lines up.
        let shown: String = e.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let col = e[..start].chars().count();
        let width = e[start..end].chars().count().max(1);
        writeln!(f, "{}\n  {shown}", self.message)?;
        write!(f, "  {}{}", " ".repeat(col), "^".repeat(width))
    }
}

impl std::error::Error for FilterError {}

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Str,
    Open,
    Close,
    Comma,
    Op(CmpOp),
}

#[derive(Debug, Clone)]
struct Tok {
    kind: Kind,
    /// The word, the unquoted string, or the symbol.
    text: String,
    at: usize,
    len: usize,
}

impl Tok {
    fn new(kind: Kind, text: String, at: usize, len: usize) -> Self {
        Tok { kind, text, at, len }
    }

    fn is_kw(&self, kw: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(kw)
    }

    /// A field name or a value: a quoted string, or a word other than `and`, `or`, `not`.
    fn is_operand(&self) -> bool {
        self.kind == Kind::Str
            || self.kind == Kind::Word && !["and", "or", "not"].iter().any(|k| self.is_kw(k))
    }

    fn show(&self) -> String {
        match self.kind {
            Kind::Str => format!("\"{}\"", self.text),
            _ => format!("`{}`", self.text),
        }
    }
}

fn lex(expr: &str) -> Result<Vec<Tok>, FilterError> {
    let fail = |at, len, msg: &str| Err(FilterError::at(expr, at, len, msg));
    let ends_word = |c: char| c.is_whitespace() || "()=!<>,\"“”".contains(c);
    let mut toks = Vec::new();
    let mut i = 0;
    while let Some(c) = expr[i..].chars().next() {
        let (kind, len) = match (c, expr.get(i..i + 2).unwrap_or("")) {
            _ if c.is_whitespace() => {
                i += c.len_utf8();
                continue;
            }
            // A closing curly quote opens a string too: `ends_word` stops at it, so it must.
            ('"' | '\'' | '“' | '‘' | '”', _) => {
                let (text, end) = lex_string(expr, i, c)?;
                toks.push(Tok::new(Kind::Str, text, i, end - i));
                i = end;
                continue;
            }
            ('(', _) => (Kind::Open, 1),
            (')', _) => (Kind::Close, 1),
            (',', _) => (Kind::Comma, 1),
            (_, "==") => return fail(i, 2, "use `=` to compare, not `==`"),
            (_, "!=") => (Kind::Op(CmpOp::Ne), 2),
            (_, "<=") => (Kind::Op(CmpOp::Le), 2),
            (_, ">=") => (Kind::Op(CmpOp::Ge), 2),
            ('=', _) => (Kind::Op(CmpOp::Eq), 1),
            ('<', _) => (Kind::Op(CmpOp::Lt), 1),
            ('>', _) => (Kind::Op(CmpOp::Gt), 1),
            ('!', _) => return fail(i, 1, "use `not` to negate, not `!`"),
            _ => {
                let len = expr[i..].find(ends_word).unwrap_or(expr.len() - i);
                // A lone `&` is left alone inside words: teams such as "A&E" exist.
                for (bad, good) in [("&&", "and"), ("||", "or"), ("&", "and"), ("|", "or")] {
                    match expr[i..i + len].find(bad) {
                        Some(p) if bad.len() == 2 || len == 1 => {
                            return fail(i + p, bad.len(), &format!("use `{good}`, not `{bad}`"));
                        }
                        _ => {}
                    }
                }
                (Kind::Word, len)
            }
        };
        toks.push(Tok::new(kind, expr[i..i + len].to_string(), i, len));
        i += len;
    }
    Ok(toks)
}

/// A quoted string opened by `open` at byte `start`; a doubled ASCII quote stands for
/// itself. Returns the text and the byte offset just past the closing quote.
fn lex_string(expr: &str, start: usize, open: char) -> Result<(String, usize), FilterError> {
    let close = match open {
        '“' | '”' => '”',
        '‘' => '’',
        q => q,
    };
    let body = start + open.len_utf8();
    let mut text = String::new();
    let mut chars = expr[body..].char_indices().peekable();
    while let Some((j, c)) = chars.next() {
        if c != close {
            text.push(c);
        } else if close.is_ascii() && chars.next_if(|&(_, n)| n == close).is_some() {
            text.push(close);
        } else {
            return Ok((text, body + j + close.len_utf8()));
        }
    }
    let msg = format!("unclosed quote: add a closing {close}");
    Err(FilterError::at(expr, start, expr.len() - start, msg))
}

// ---------------------------------------------------------------- parser and compiler

/// One condition as written, before its field is resolved.
enum Test {
    Bare,
    Empty,
    Cmp(CmpOp, Tok, Tok),
    Contains(Tok, Tok),
    In(Vec<Tok>),
    Within(u32, Tok),
}

/// Parses with one token of lookahead; with a schema it also compiles each condition,
/// without one (`check_syntax`) it only checks the grammar.
struct Parser<'a> {
    expr: &'a str,
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
    schema: Option<&'a dyn Schema>,
    as_of: NaiveDate,
    fields: Vec<usize>,
}

impl<'a> Parser<'a> {
    fn new(expr: &'a str, schema: Option<&'a dyn Schema>, as_of: NaiveDate) -> Result<Self, FilterError> {
        let toks = lex(expr)?;
        let (pos, depth, fields) = (0, 0, Vec::new());
        Ok(Parser {
            expr,
            toks,
            pos,
            depth,
            schema,
            as_of,
            fields,
        })
    }

    fn run(&mut self) -> Result<Node, FilterError> {
        let node = self.chain(true)?;
        match self.peek() {
            None => Ok(node),
            Some(t) if t.kind == Kind::Close => Err(self.err(t, "unmatched `)`")),
            Some(_) => Err(self.trailing("the end of the expression")),
        }
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next_if(&mut self, want: impl Fn(&Tok) -> bool) -> Option<Tok> {
        let t = self.peek().filter(|t| want(t)).cloned();
        self.pos += usize::from(t.is_some());
        t
    }

    fn eat(&mut self, kw: &str) -> bool {
        self.next_if(|t| t.is_kw(kw)).is_some()
    }

    fn err(&self, t: &Tok, msg: impl Into<String>) -> FilterError {
        FilterError::at(self.expr, t.at, t.len, msg)
    }

    /// An error at the next token, or just past the end.
    fn here(&self, msg: impl Into<String>) -> FilterError {
        match self.peek() {
            Some(t) => self.err(t, msg),
            None => FilterError::at(self.expr, self.expr.len(), 1, msg),
        }
    }

    fn found(&self) -> String {
        self.peek()
            .map(|t| format!(", found {}", t.show()))
            .unwrap_or_default()
    }

    fn trailing(&self, expected: &str) -> FilterError {
        let prev = |back: usize| self.pos.checked_sub(back).map(|i| self.toks[i].kind);
        let after_bare_value = prev(1) == Some(Kind::Word) && matches!(prev(2), Some(Kind::Op(_)));
        let hint = if after_bare_value && self.peek().is_some_and(Tok::is_operand) {
            " (put quotes around a value with spaces, e.g. \"Locality 1 Unit 2\")"
        } else {
            ""
        };
        self.here(format!(
            "expected `and`, `or` or {expected}{}{hint}",
            self.found()
        ))
    }

    /// `or` of `and`s when `or` is set, else `and` of unaries: `or` binds loosest.
    fn chain(&mut self, or: bool) -> Result<Node, FilterError> {
        let (kw, join): (_, fn(Vec<Node>) -> Node) = if or { ("or", Node::Or) } else { ("and", Node::And) };
        let mut items = vec![if or { self.chain(false)? } else { self.unary()? }];
        while self.eat(kw) {
            items.push(if or { self.chain(false)? } else { self.unary()? });
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            join(items)
        })
    }

    fn unary(&mut self) -> Result<Node, FilterError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.here("the expression is nested too deeply"));
        }
        self.depth += 1;
        let node = self.unary_inner();
        self.depth -= 1;
        node
    }

    fn unary_inner(&mut self) -> Result<Node, FilterError> {
        if self.eat("not") {
            return Ok(not(self.unary()?));
        }
        if self.peek().is_none() {
            return Err(self.here(match self.pos.checked_sub(1) {
                Some(i) => format!("expected a condition after {}", self.toks[i].show()),
                None => "the expression is empty: expected a condition such as `status = open`".into(),
            }));
        }
        let Some(open) = self.next_if(|t| t.kind == Kind::Open) else {
            return self.condition();
        };
        let inner = self.chain(true)?;
        match self.peek() {
            Some(t) if t.kind == Kind::Close => {
                self.pos += 1;
                Ok(inner)
            }
            Some(_) => Err(self.trailing("`)`")),
            None => Err(self.err(&open, "unclosed parenthesis: add a `)`")),
        }
    }

    fn condition(&mut self) -> Result<Node, FilterError> {
        let field = match self.next_if(Tok::is_operand) {
            Some(f) => f,
            None => return Err(self.here(format!("expected a field name{}", self.found()))),
        };
        let Some(op) = self.next_if(|t| !(t.is_kw("and") || t.is_kw("or") || t.kind == Kind::Close)) else {
            return self.build(&field, Test::Bare);
        };
        let test = match op.kind {
            Kind::Op(o) => Test::Cmp(o, op.clone(), self.value(&op)?),
            _ if op.is_kw("contains") => Test::Contains(op.clone(), self.value(&op)?),
            _ if op.is_kw("in") => Test::In(self.list()?),
            _ if op.is_kw("within") => self.within()?,
            _ if op.is_kw("is") => {
                let negated = self.eat("not");
                let word = self
                    .peek()
                    .filter(|t| t.kind == Kind::Word)
                    .map(|t| t.text.to_lowercase());
                let empty = match word.as_deref() {
                    Some("empty" | "blank" | "missing" | "null") => !negated,
                    Some("set" | "present") => negated,
                    _ => return Err(self.here("expected `empty` or `set` after `is` (to compare, use `=`)")),
                };
                self.pos += 1;
                let node = self.build(&field, Test::Empty)?;
                return Ok(if empty { node } else { not(node) });
            }
            _ if op.is_kw("not") => {
                let Some(kw) = self.next_if(|t| t.is_kw("in") || t.is_kw("contains")) else {
                    return Err(self.err(&op, "expected `in` or `contains` after `not`"));
                };
                let test = match kw.is_kw("in") {
                    true => Test::In(self.list()?),
                    false => Test::Contains(kw.clone(), self.value(&kw)?),
                };
                return Ok(not(self.build(&field, test)?));
            }
            _ => {
                self.pos -= 1;
                let hint = if field.kind == Kind::Word && op.is_operand() {
                    " (put quotes around a header with spaces, e.g. \"Allocated Team\")"
                } else {
                    ""
                };
                let ops = "=, !=, <, <=, >, >=, contains, in, is, within";
                let msg = format!(
                    "expected an operator after {} ({ops}){}{hint}",
                    field.show(),
                    self.found()
                );
                return Err(self.here(msg));
            }
        };
        self.build(&field, test)
    }

    fn value(&mut self, after: &Tok) -> Result<Tok, FilterError> {
        match self.next_if(Tok::is_operand) {
            Some(v) => Ok(v),
            None => Err(self.here(format!("expected a value after {}{}", after.show(), self.found()))),
        }
    }

    fn list(&mut self) -> Result<Vec<Tok>, FilterError> {
        let Some(open) = self.next_if(|t| t.kind == Kind::Open) else {
            return Err(self.here("expected `(` after `in`, e.g. `team in (\"A\", \"B\")`"));
        };
        let mut values = vec![self.value(&open)?];
        while let Some(comma) = self.next_if(|t| t.kind == Kind::Comma) {
            values.push(self.value(&comma)?);
        }
        match self.next_if(|t| t.kind == Kind::Close) {
            Some(_) => Ok(values),
            None if self.peek().is_none() => Err(self.err(&open, "unclosed parenthesis: add a `)`")),
            None => Err(self.here(format!("expected `,` or `)`{}", self.found()))),
        }
    }

    fn within(&mut self) -> Result<Test, FilterError> {
        let example = "e.g. `within 6 months`";
        let Some(n) =
            self.next_if(|t| t.kind == Kind::Word && t.text.starts_with(|c: char| c.is_ascii_digit()))
        else {
            return Err(self.here(format!(
                "expected a whole number after `within`{}; {example}",
                self.found()
            )));
        };
        let digits = n.text.bytes().take_while(u8::is_ascii_digit).count();
        let (count, unit) = n.text.split_at(digits);
        if unit.bytes().all(|b| b.is_ascii_alphabetic()) && !unit.is_empty() {
            return Err(self.err(
                &n,
                format!("put a space between the number and the unit: `{count} {unit}`"),
            ));
        }
        if !unit.is_empty() {
            return Err(self.err(&n, format!("expected a whole number after `within`; {example}")));
        }
        let count = count
            .parse()
            .map_err(|_| self.err(&n, "the number after `within` is too large"))?;
        match self.next_if(|t| t.kind == Kind::Word) {
            Some(u) if unit_months_days(&u.text, 1).is_some() => Ok(Test::Within(count, u)),
            Some(u) => Err(self.err(&u, format!("unknown unit {} (expected {UNITS})", u.show()))),
            None => Err(self.here(format!(
                "expected a unit after `within {count}` ({UNITS}){}",
                self.found()
            ))),
        }
    }

    /// Resolves the field and types the literals; without a schema there is nothing to check.
    fn build(&mut self, field: &Tok, test: Test) -> Result<Node, FilterError> {
        let Some(schema) = self.schema else {
            return Ok(Node::And(Vec::new()));
        };
        let (id, kind) = self.resolve(schema, field)?;
        self.fields.push(id);
        let name = &field.text;
        let what = kind_name(kind);
        let check = match test {
            Test::Empty => Check::Empty,
            Test::Bare if kind == FieldKind::Date => {
                let msg = format!("\"{name}\" is a date, not yes/no; did you mean `{name} is set`?");
                return Err(self.err(field, msg));
            }
            Test::Bare => Check::Truthy,
            Test::Cmp(_, op, _) if kind == FieldKind::List => {
                let msg = format!("\"{name}\" is a list: use `contains`, `in (…)` or `is empty`");
                return Err(self.err(&op, msg));
            }
            Test::Cmp(o, op, _) if kind == FieldKind::Bool && !matches!(o, CmpOp::Eq | CmpOp::Ne) => {
                return Err(self.err(&op, format!("\"{name}\" is a yes/no field: use `=` or `!=`")));
            }
            Test::Cmp(o, _, v) => Check::Cmp(o, kind, self.lit(kind, name, &v)?),
            Test::Contains(_, v) if kind == FieldKind::List => {
                Check::Members(vec![ItemPattern::new(&v.text)])
            }
            Test::Contains(_, v) if kind == FieldKind::Text => {
                let text = v.text.replace('\u{a0}', " ");
                Check::Substring(lowercase(text.trim()), risk_theme(&text))
            }
            Test::Contains(op, _) => {
                let msg = format!("`contains` needs a text or list field; \"{name}\" is {what}");
                return Err(self.err(&op, msg));
            }
            Test::In(vs) if kind == FieldKind::List => {
                Check::Members(vs.iter().map(|v| ItemPattern::new(&v.text)).collect())
            }
            Test::In(vs) => {
                let lits = vs.iter().map(|v| self.lit(kind, name, v));
                Check::AnyOf(kind, lits.collect::<Result<_, _>>()?)
            }
            Test::Within(n, unit) if matches!(kind, FieldKind::Date | FieldKind::Text) => {
                let (months, days) = unit_months_days(&unit.text, n).unwrap_or((u32::MAX, u64::MAX));
                let start = self.as_of.checked_sub_months(Months::new(months));
                let start = start.and_then(|d| d.checked_sub_days(Days::new(days)));
                Check::Within(start.unwrap_or(NaiveDate::MIN), self.as_of)
            }
            Test::Within(..) => {
                return Err(self.err(
                    field,
                    format!("`within` needs a date field; \"{name}\" is {what}"),
                ));
            }
        };
        Ok(Node::Test(id, check))
    }

    fn resolve(&self, schema: &dyn Schema, field: &Tok) -> Result<(usize, FieldKind), FilterError> {
        if let Some(found) = schema.resolve(&field.text) {
            return Ok(found);
        }
        let known = schema.known_fields();
        let mut msg = format!("unknown field \"{}\"", field.text);
        if let Some(near) = closest(&field.text, &known) {
            msg += &format!(", did you mean \"{near}\"?");
        }
        if !known.is_empty() {
            let shown: Vec<&str> = known.iter().take(MAX_LISTED_FIELDS).map(String::as_str).collect();
            let more = if known.len() > MAX_LISTED_FIELDS {
                ", …"
            } else {
                ""
            };
            msg += &format!(" (known fields: {}{more})", shown.join(", "));
        }
        Err(self.err(field, msg))
    }

    fn lit(&self, kind: FieldKind, name: &str, tok: &Tok) -> Result<Lit, FilterError> {
        let text = tok.text.replace('\u{a0}', " ");
        let t = text.trim();
        let stripped = strip_label_prefix(t);
        let bad = |msg: String| self.err(tok, msg);
        let mut lit = Lit::default();
        match kind {
            FieldKind::Number => {
                let msg = || format!("\"{t}\" is not a number (\"{name}\" is a number field)");
                lit.num = Some(parse_number(t).ok_or_else(|| bad(msg()))?);
            }
            FieldKind::Date => lit.date = Some(parse_date(t).ok_or_else(|| bad(date_problem(t)))?),
            FieldKind::Bool => {
                let msg = || format!("\"{t}\" is not yes or no (\"{name}\" is a yes/no field)");
                lit.yes = Some(parse_yes_no(stripped).ok_or_else(|| bad(msg()))?);
            }
            FieldKind::Text | FieldKind::List => {
                lit.num = parse_number(t);
                // A bare number is never taken as an Excel day number on this side.
                lit.date = parse_date(t).filter(|_| lit.num.is_none());
                lit.yes = parse_yes_no(stripped);
                lit.lower = lowercase(stripped);
            }
        }
        Ok(lit)
    }
}

fn not(node: Node) -> Node {
    Node::Not(Box::new(node))
}

/// A unit's length as (months, days) times `n`; `None` for an unknown unit.
fn unit_months_days(unit: &str, n: u32) -> Option<(u32, u64)> {
    let n64 = u64::from(n);
    Some(match unit.to_ascii_lowercase().as_str() {
        "day" | "days" => (0, n64),
        "week" | "weeks" => (0, n64 * 7),
        "month" | "months" => (n, 0),
        "year" | "years" => (n.checked_mul(12)?, 0),
        _ => return None,
    })
}

fn kind_name(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "a text field",
        FieldKind::Number => "a number field",
        FieldKind::Date => "a date field",
        FieldKind::Bool => "a yes/no field",
        FieldKind::List => "a list field",
    }
}

/// The known field nearest to a misspelt one (at most two edits away), for "did you mean".
fn closest<'k>(name: &str, known: &'k [String]) -> Option<&'k str> {
    let a: Vec<char> = lowercase(name.trim()).chars().collect();
    let distance = |k: &String| edit_distance(&a, &lowercase(k).chars().collect::<Vec<_>>());
    let near = known
        .iter()
        .map(|k| (distance(k), k))
        .filter(|&(d, _)| d > 0 && d <= 2 && d < a.len());
    near.min_by_key(|&(d, _)| d).map(|(_, k)| k.as_str())
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

// ---------------------------------------------------------------- evaluator

/// A comparison literal, read at compile time every way the field's kind allows.
#[derive(Debug, Clone, Default)]
struct Lit {
    /// Lowercased, lettered prefix stripped.
    lower: String,
    num: Option<f64>,
    date: Option<NaiveDate>,
    yes: Option<bool>,
}

#[derive(Debug, Clone)]
enum Check {
    Empty,
    Truthy,
    Cmp(CmpOp, FieldKind, Lit),
    AnyOf(FieldKind, Vec<Lit>),
    Within(NaiveDate, NaiveDate),
    Substring(String, Option<&'static RiskTheme>),
    Members(Vec<ItemPattern>),
}

#[derive(Debug, Clone)]
enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Not(Box<Node>),
    Test(usize, Check),
}

impl Node {
    fn eval<R: Row + ?Sized>(&self, row: &R) -> bool {
        match self {
            Node::Or(v) => v.iter().any(|n| n.eval(row)),
            Node::And(v) => v.iter().all(|n| n.eval(row)),
            Node::Not(n) => !n.eval(row),
            Node::Test(field, check) => check.eval(row.value(*field)),
        }
    }
}

impl Check {
    fn eval(&self, v: Value<'_>) -> bool {
        use Value::{Bool, Date, List, Missing, Number, Text};
        match (self, v) {
            (Check::Empty, Missing) => true,
            (Check::Empty, Text(s)) => s.trim().is_empty(),
            (Check::Empty, List(s)) => list_items(s).next().is_none(),
            (Check::Truthy, Bool(b)) => b,
            (Check::Truthy, Text(s) | List(s)) => parse_yes_no(strip_label_prefix(s)) == Some(true),
            (Check::Truthy, Number(n)) => n == 1.0,
            (Check::Cmp(op, kind, lit), _) => op.holds(compare(v, *kind, lit)),
            (Check::AnyOf(kind, lits), _) => {
                lits.iter().any(|l| compare(v, *kind, l) == Some(Ordering::Equal))
            }
            (Check::Within(start, end), Date(d)) => *start <= d && d <= *end,
            (Check::Within(start, end), Text(s)) => parse_date(s).is_some_and(|d| *start <= d && d <= *end),
            (Check::Substring(lower, theme), Text(s) | List(s)) => {
                contains_ci(s, lower) || theme.is_some_and(|t| item_matches_theme(s, t))
            }
            (Check::Members(ms), Text(s) | List(s)) => {
                list_items(s).any(|it| ms.iter().any(|m| m.matches(it)))
            }
            _ => false,
        }
    }
}

impl CmpOp {
    fn holds(self, ord: Option<Ordering>) -> bool {
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

fn compare(v: Value<'_>, kind: FieldKind, lit: &Lit) -> Option<Ordering> {
    match (v, kind) {
        (Value::Missing, _) => None,
        (Value::Number(n), _) => lit.num.and_then(|l| n.partial_cmp(&l)),
        (Value::Date(d), _) => lit.date.map(|l| d.cmp(&l)),
        (Value::Bool(b), _) => lit.yes.map(|l| b.cmp(&l)),
        (Value::Text(s) | Value::List(s), FieldKind::Number) => parse_number(s)?.partial_cmp(&lit.num?),
        (Value::Text(s) | Value::List(s), FieldKind::Date) => Some(parse_date(s)?.cmp(&lit.date?)),
        (Value::Text(s) | Value::List(s), FieldKind::Bool) => {
            Some(parse_yes_no(strip_label_prefix(s))?.cmp(&lit.yes?))
        }
        (Value::Text(s) | Value::List(s), FieldKind::Text | FieldKind::List) => Some(compare_text(s, lit)),
    }
}

/// A column of unknown kind: numbers if both sides are numbers, else dates if both are
/// dates, else yes/no if both are, else case-insensitive text.
fn compare_text(s: &str, lit: &Lit) -> Ordering {
    if let Some(l) = lit.num
        && let Some(a) = parse_number(s)
    {
        return a.partial_cmp(&l).unwrap_or(Ordering::Less);
    }
    if let Some(l) = lit.date
        && let Some(a) = parse_date(s)
    {
        return a.cmp(&l);
    }
    let s = strip_label_prefix(s);
    match lit.yes.zip(parse_yes_no(s)) {
        Some((l, a)) => a.cmp(&l),
        None => cmp_ci(s, &lit.lower),
    }
}

/// A plain decimal: optional sign, digits, optional fraction. No "inf", "nan" or exponents.
fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let ok = whole.len() + frac.len() > 0 && digits(whole) && digits(frac);
    ok.then(|| t.parse().ok()).flatten()
}
#[cfg(test)]
mod tests {
    use super::*;
    use FieldKind::*;

    const FIELDS: &[(&str, FieldKind)] = &[
        ("case_id", Text),
        ("team", Text),
        ("service", Text),
        ("status", Text),
        ("end_date", Date),
        ("age", Number),
        ("step_up", Bool),
        ("risk_factors", List),
        ("Allocated Team", Text),
        ("Date of referral", Text),
        ("Referrals", Text),
    ];

    struct Mock;
    impl Schema for Mock {
        fn resolve(&self, name: &str) -> Option<(usize, FieldKind)> {
            let i = FIELDS
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case(name.trim()))?;
            Some((i, FIELDS[i].1))
        }
        fn known_fields(&self) -> Vec<String> {
            FIELDS.iter().map(|(n, _)| n.to_string()).collect()
        }
    }

    struct MockRow<'a>(Vec<Value<'a>>);
    impl Row for MockRow<'_> {
        fn value(&self, field: usize) -> Value<'_> {
            self.0.get(field).copied().unwrap_or(Value::Missing)
        }
    }

    /// A row from (field, cell) pairs, each cell read as its field's kind; a cell starting
    /// with `~` stays text whatever the kind (a reader handing over an unparsed cell).
    fn row<'a>(cells: &[(&str, &'a str)]) -> MockRow<'a> {
        let mut values = vec![Value::Missing; FIELDS.len()];
        for &(name, cell) in cells {
            let (i, kind) = Mock.resolve(name).unwrap();
            values[i] = match (kind, cell.strip_prefix('~')) {
                (_, Some(raw)) => Value::Text(raw),
                (Text, _) => Value::Text(cell),
                (Number, _) => Value::Number(cell.parse().unwrap()),
                (Date, _) => Value::Date(parse_date(cell).unwrap()),
                (Bool, _) => Value::Bool(parse_yes_no(cell).unwrap()),
                (List, _) => Value::List(cell),
            };
        }
        MockRow(values)
    }

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
    }

    fn is(expr: &str, cells: &[(&str, &str)]) -> bool {
        let f = Filter::compile(expr, &Mock, as_of()).unwrap_or_else(|e| panic!("{e}"));
        f.matches(&row(cells))
    }

    fn error(expr: &str) -> FilterError {
        Filter::compile(expr, &Mock, as_of())
            .err()
            .unwrap_or_else(|| panic!("{expr:?} compiled"))
    }

    /// Runs `expr` on rows given as "field=cell" pairs separated by " & ".
    fn run(cases: &[(&str, &str, bool)]) {
        for &(expr, cells, want) in cases {
            let cells: Vec<(&str, &str)> = cells.split(" & ").filter_map(|c| c.split_once('=')).collect();
            assert_eq!(is(expr, &cells), want, "{expr} on {cells:?}");
        }
    }

    #[test]
    fn comparisons() {
        run(&[
            ("status = closed", "status=Closed", true),
            ("STATUS = 'CLOSED'", "status=Closed", true),
            ("status != closed", "status=Closed", false),
            ("status != open", "status=Closed", true),
            ("status > aardvark and status < d", "status=Closed", true),
            ("status >= closed and status <= closed", "status=Closed", true),
            (r#"team = "locality 1 unit 2""#, "team=Locality 1 Unit 2", true),
            ("team contains 'UNIT'", "team=Locality 1 Unit 2", true),
            ("team contains 'unit 3'", "team=Locality 1 Unit 2", false),
            (
                r#"team in ("Locality 3", "Locality 1 Unit 2")"#,
                "team=Locality 1 Unit 2",
                true,
            ),
            ("team in (a, b)", "team=c", false),
            ("team not in (a, b)", "team=c", true),
            ("service = 'Pâtisserie'", "service=PÂTISSERIE", true),
            ("service contains 'TISS'", "service=PÂTISSERIE", true),
            ("service = Female", "service=b) Female", true),
            ("age < 2", "age=1", true),
            ("age < 2", "age=2", false),
            ("age <= 2 and age >= 2 and age = 2.0", "age=2", true),
            ("age > -1", "age=0", true),
            ("age in (3, 4)", "age=4", true),
            ("age = 3", "age=~3", true),
            ("end_date < 2026-01-31", "end_date=2026-01-30", true),
            ("end_date = 31/01/2026", "end_date=2026-01-31", true),
            ("end_date >= '2026-01-31'", "end_date=~01/02/2026", true),
            // Unknown columns: numbers if both are numbers, dates if both are dates, else text.
            ("Referrals > 9", "Referrals=10", true),
            ("Referrals > 9", "Referrals=10 or so", false),
            ("Referrals < 31/12/2025", "Referrals=2025-01-02", true),
            ("Referrals = 2020-09-16", "Referrals=44090", true),
            ("Referrals > 01/02/2026", "Referrals=15/01/2026", false),
        ]);
    }

    #[test]
    fn booleans_and_missing_values() {
        run(&[
            ("step_up", "step_up=yes", true),
            ("step_up", "step_up=no", false),
            ("step_up", "", false),
            ("not step_up", "", true),
            ("step_up = no", "step_up=no", true),
            ("step_up != yes", "step_up=no", true),
            ("step_up = Y", "step_up=~yes", true),
            ("status", "status=a) Yes", true),
            ("status", "status=TRUE", true),
            ("status", "status=2", false),
            ("age", "age=1", true),
            ("team is empty", "team=", true),
            ("risk_factors is empty", "risk_factors= ; ,", true),
            ("team is set", "team=A", true),
            ("team is not empty", "team=A", true),
            ("team is not empty", "", false),
            ("team is not set", "", true),
            ("age != 3", "age=~unknown", true),
            ("age = 3", "age=~unknown", false),
        ]);
        let never = "team = a; age < 3; age >= 3; team contains a; team in (a); step_up; \
                     end_date within 5 years; risk_factors contains neglect; risk_factors in (x)";
        for expr in never.split("; ") {
            assert!(!is(expr, &[]), "{expr}");
        }
        let always = "team != a; team is empty; not team contains a; team not in (a); age != 3";
        for expr in always.split("; ") {
            assert!(is(expr, &[]), "{expr}");
        }
    }

    #[test]
    fn precedence_not_parentheses_and_quoting() {
        let r = "team=A & status=open & step_up=no";
        let at = "Allocated Team=Locality 3 Duty Team";
        run(&[
            ("team = a or status = closed and step_up", r, true),
            ("(team = a or status = closed) and step_up", r, false),
            ("not step_up and team = a", r, true),
            ("not (team = a and status = open)", r, false),
            ("NOT step_up AND (team = b OR status = OPEN)", r, true),
            ("not not team = a", r, true),
            ("team = b or team = c or team = a", r, true),
            (r#""Allocated Team" = "Locality 3 Duty Team""#, at, true),
            ("'allocated team' contains duty", at, true),
            ("team = 'O''Brien'", "team=O'Brien", true),
            ("team = “Locality 1”", "team=Locality 1", true),
            ("team = A&E", "team=A&E", true),
            ("team = \"and\"", "team=and", true),
        ]);
    }

    #[test]
    fn within_each_unit() {
        run(&[
            ("end_date within 0 days", "end_date=2026-03-31", true),
            ("end_date within 0 days", "end_date=2026-03-30", false),
            ("end_date within 10 days", "end_date=2026-03-21", true),
            ("end_date within 10 days", "end_date=2026-03-20", false),
            ("end_date within 10 days", "end_date=2026-04-01", false),
            ("end_date within 1 day", "end_date=2026-03-30", true),
            ("end_date within 2 weeks", "end_date=2026-03-17", true),
            ("end_date within 2 weeks", "end_date=2026-03-16", false),
            ("end_date within 1 week", "end_date=2026-03-24", true),
            // Month-end: one month back from 31 March is 28 February.
            ("end_date within 1 months", "end_date=2026-02-28", true),
            ("end_date within 1 months", "end_date=2026-02-27", false),
            ("end_date within 6 months", "end_date=2025-09-30", true),
            ("end_date within 6 months", "end_date=2025-09-29", false),
            ("end_date within 1 year", "end_date=2025-03-31", true),
            ("end_date within 1 YEARS", "end_date=2025-03-30", false),
            ("end_date within 4000000000 years", "end_date=0001-01-01", true),
            ("Referrals within 7 days", "Referrals=25/03/2026", true),
            ("Referrals within 7 days", "Referrals=soon", false),
        ]);
        let leap =
            Filter::compile("end_date within 1 year", &Mock, parse_date("2024-02-29").unwrap()).unwrap();
        assert!(leap.matches(&row(&[("end_date", "2023-02-28")])));
        assert!(!leap.matches(&row(&[("end_date", "2023-02-27")])));
    }

    #[test]
    fn list_membership_with_vocabulary() {
        for cell in [
            "16A",
            "NEG",
            "Neglect",
            "a) Neglect",
            "16A: Neglect",
            "neglect",
            "3A; 16A - Neglect",
        ] {
            assert!(
                is("risk_factors contains neglect", &[("risk_factors", cell)]),
                "{cell}"
            );
        }
        for cell in ["N1 - Abuse or neglect", "N1 Abuse or neglect", "17A", "3A;4B", ""] {
            assert!(
                !is("risk_factors contains neglect", &[("risk_factors", cell)]),
                "{cell}"
            );
        }
        run(&[
            (
                "risk_factors contains domestic_abuse",
                "risk_factors=1A, 3B",
                true,
            ),
            (
                "risk_factors contains 'domestic abuse'",
                "risk_factors=2A | 3C",
                true,
            ),
            (
                "risk_factors contains domestic_abuse",
                "risk_factors=4A; b) DV",
                true,
            ),
            (
                "risk_factors contains domestic_abuse",
                "risk_factors=4A; 13A",
                false,
            ),
            ("risk_factors contains 16A", "risk_factors=3A; 16A: Neglect", true),
            ("risk_factors contains 16A", "risk_factors=Neglect", false),
            ("risk_factors in (alcohol, neglect)", "risk_factors=1B", true),
            ("risk_factors in (alcohol, drugs)", "risk_factors=16A", false),
            ("risk_factors not contains neglect", "risk_factors=1B", true),
            ("risk_factors contains neglect", "risk_factors=~NEG", true),
            // On a text field `contains` is a substring, widened by the vocabulary.
            ("service contains neglect", "service=NEG", true),
            ("service contains neglect", "service=a) Neglect", true),
            ("service contains neglect", "service=PHY", false),
        ]);
    }

    #[test]
    fn fields_read() {
        let expr = "risk_factors contains neglect or age < 2 and TEAM = x or team = y";
        let f = Filter::compile(expr, &Mock, as_of()).unwrap();
        assert_eq!(f.fields(), vec![1, 5, 7]);
    }

    #[test]
    fn rendered_error_has_caret_under_the_word() {
        assert_eq!(
            error(r#"tema = "A" and step_up"#).to_string(),
            "unknown field \"tema\", did you mean \"team\"? (known fields: case_id, team, service, status, \
             end_date, age, step_up, risk_factors, Allocated Team, Date of referral, Referrals)\n  \
             tema = \"A\" and step_up\n  ^^^^"
        );
        let e = error("team = a and");
        assert_eq!(
            e.to_string(),
            "expected a condition after `and`\n  team = a and\n              ^"
        );
        assert!(
            error("team = é and aé")
                .to_string()
                .ends_with("\n               ^^")
        );
        let e = Filter::check_syntax("team = a\n  and = b").unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected a field name, found `=`\n  team = a   and = b\n                 ^"
        );
    }

    #[test]
    fn errors_point_at_the_offending_word() {
        let cases = [
            ("team = ", "", "expected a value after `=`"),
            ("team = and step_up", "and", "after `=`, found `and`"),
            ("team == a", "==", "use `=`"),
            ("team = a && step_up", "&&", "use `and`"),
            ("team = a || step_up", "||", "use `or`"),
            ("team = a | step_up", "|", "use `or`"),
            ("!step_up", "!", "use `not`"),
            ("(team = a", "(", "unclosed parenthesis"),
            ("team in (a, b", "(", "unclosed parenthesis"),
            ("team = a)", ")", "unmatched `)`"),
            ("team = 'abc", "'abc", "unclosed quote"),
            ("end_date within 6 fortnights", "fortnights", "unknown unit"),
            ("end_date within six months", "six", "whole number"),
            ("end_date within 6months", "6months", "put a space"),
            ("end_date within 6.5 months", "6.5", "whole number"),
            ("end_date within 99999999999 days", "99999999999", "too large"),
            ("end_date within 6", "", "expected a unit"),
            ("end_date within", "", "whole number"),
            ("age within 6 months", "age", "needs a date field"),
            ("step_up within 6 months", "step_up", "needs a date field"),
            ("end_date > 09/16/2020", "09/16/2020", "US-style"),
            ("end_date > soon", "soon", "not a date"),
            ("age < two", "two", "not a number"),
            ("age in (1, two)", "two", "not a number"),
            ("step_up = maybe", "maybe", "not yes or no"),
            ("step_up > yes", ">", "use `=` or `!=`"),
            ("risk_factors = neglect", "=", "is a list"),
            ("age contains 3", "contains", "needs a text or list field"),
            ("end_date", "end_date", "is a date"),
            ("team locality", "locality", "expected an operator"),
            ("Allocated Team = x", "Team", "put quotes around a header"),
            ("team = Locality 1", "1", "put quotes around a value"),
            ("team in a", "a", "expected `(`"),
            ("team in (a b)", "b", "expected `,` or `)`"),
            ("team in ()", ")", "expected a value"),
            ("team is yes", "yes", "expected `empty` or `set`"),
            ("team not = a", "not", "expected `in` or `contains`"),
            ("(team = a b)", "b", "expected `and`, `or` or `)`"),
            ("and team = a", "and", "expected a field name"),
            ("", "", "empty"),
            ("not", "", "after `not`"),
            ("team = a or (", "", "after `(`"),
            ("tem = a", "tem", "unknown field \"tem\", did you mean \"team\"?"),
        ];
        for (expr, word, msg) in cases {
            let e = error(expr);
            assert!(e.message.contains(msg), "{expr:?}: {}", e.message);
            assert_eq!(
                expr.get(e.offset..e.offset + e.len).unwrap_or(""),
                word,
                "{expr:?}: {e}"
            );
        }
    }

    #[test]
    fn check_syntax_needs_no_schema() {
        for ok in [
            "x = ”y” or x = “y”",
            "status = closed and end_date within 6 months",
            "risk_factors contains neglect or risk_factors contains domestic_abuse",
            "step_up and age_at_start < 2",
            r#"team in ("Locality 1 Unit 2", "Locality 3 Duty Team") and not service = CLA"#,
            "nosuchfield = 3 and x is not empty and x within 1 week and \"A B\" = 'c'",
        ] {
            assert!(Filter::check_syntax(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a =",
            "a = b c",
            "(a",
            "a within 3 moons",
            "a == b",
            "a in (",
            "a is",
            "a = 'x",
            "a=”b",
        ] {
            assert!(Filter::check_syntax(bad).is_err(), "{bad}");
        }
        let deep = format!("{}a{}", "(".repeat(500), ")".repeat(500));
        assert!(
            Filter::check_syntax(&deep)
                .unwrap_err()
                .message
                .contains("nested too deeply")
        );
        assert!(Filter::check_syntax(&format!("{}a", "not ".repeat(500))).is_err());
        assert!(Filter::check_syntax(&format!("{}a{}", "(".repeat(30), ")".repeat(30))).is_ok());
    }

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(
            (parse_number("-2.5"), parse_number(".5"), parse_number("7.")),
            (Some(-2.5), Some(0.5), Some(7.0))
        );
        for bad in ["inf", "NaN", "1e3", "", "-", ".", "1.2.3", "1,000"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn check_syntax_never_panics(s in "\\PC{0,60}") {
                if let Err(e) = Filter::check_syntax(&s) {
                    let _ = e.to_string();
                }
            }

            #[test]
            fn compile_never_panics(
                s in proptest::string::string_regex(
                    "([ ()=!<>,'\"]|team|age|end_date|step_up|risk_factors|and|or|not|in|is|empty|set\
                     |contains|within|[0-9]{1,3}|days|months|[a-z]{1,4}|2026-01-31|-1){0,14}"
                ).unwrap(),
                raw in "[ -~]{0,40}",
            ) {
                for expr in [&s, &raw] {
                    match Filter::compile(expr, &Mock, as_of()) {
                        Ok(f) => {
                            let _ = f.matches(&row(&[("team", "a"), ("age", "3"), ("risk_factors", "16A; x")]));
                            let _ = f.matches(&row(&[]));
                        }
                        Err(e) => {
                            let _ = e.to_string();
                        }
                    }
                }
            }
        }
    }
}
