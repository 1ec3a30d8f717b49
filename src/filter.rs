//! Filter expressions (`--where`, and `where` in the settings): a lexer and a parser that
//! compiles as it goes, with errors that point at the offending word, and one evaluator:
//! [`Filter::for_rows`] turns the filter into closures over one kind of row, each reading
//! its field with the reader that row type chose for it ([`Fields`]: the extract's readers
//! for case extracts, [`crate::audits::Layout`]'s for audits). A new kind of condition is
//! one arm of `Check::closure`; a new way of reading a field is one reader.
//!
//! Missing values: `=`, `<`, `<=`, `>`, `>=`, `contains`, `in`, `within` and a bare field are
//! false on a missing value; `!=` (and so `not in`, `not contains`) is true; `is empty` is
//! true. A value that cannot be read as the field's kind (a number field holding "abc")
//! counts the same way: it equals nothing and is ordered against nothing.

use crate::dates::{Day, date_problem, parse_day};
use crate::values::{list_items, parse_yes_no};
use crate::vocab::{
    ItemPattern, RiskTheme, cmp_ci, contains_ci, eq_ci, item_matches_theme, lowercase, risk_theme,
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
    Date(Day),
    Bool(bool),
    /// a raw list cell, items separated by ';' (also ',' or '|')
    List(&'a str),
}

pub(crate) trait FieldNames {
    /// Resolves a field name as written in an expression (a standard name or the file's own
    /// header; the implementer matches case-insensitively and trimmed) to an id and kind.
    fn resolve(&self, name: &str) -> Option<(usize, FieldKind)>;
    /// Names offered in an "unknown field" error.
    fn known_fields(&self) -> Vec<String>;
    /// For a field with its own vocabulary whose values are ranks (grades: 1 is the
    /// best), the rank a literal names: `Some(Ok(rank))`, or `Some(Err(message))` for
    /// a word the field does not know. `None`: the field takes ordinary literals.
    fn literal_rank(&self, _field: usize, _text: &str) -> Option<Result<f64, String>> {
        None
    }
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
    pub(crate) fn compile(
        expr: &str,
        schema: &dyn FieldNames,
        as_of: NaiveDate,
    ) -> Result<Filter, FilterError> {
        let mut p = Parser::new(expr, Some(schema), as_of)?;
        let root = p.run()?;
        let mut fields = p.fields;
        fields.sort_unstable();
        fields.dedup();
        Ok(Filter { root, fields })
    }

    /// Field ids the expression reads, ascending.
    pub(crate) fn fields(&self) -> Vec<usize> {
        self.fields.clone()
    }
}

/// Reads one field of a row of type `R`: see [`Fields`].
pub(crate) type Reader<'a, R> = Box<dyn for<'r> Fn(&'r R) -> Value<'r> + Send + Sync + 'a>;

/// How rows of type `R` give their fields to a [`RowFilter`]: a reader for each
/// field id, chosen once, when the filter is compiled for the rows.
pub(crate) trait Fields<R: ?Sized> {
    fn reader<'a>(&self, field: usize) -> Reader<'a, R>
    where
        R: 'a;
}

/// One condition, or a combination of them, compiled to a closure.
type Compiled<'a, R> = Box<dyn Fn(&R) -> bool + Send + Sync + 'a>;

/// A [`Filter`] compiled for one kind of row: each condition a closure that reads
/// its field with the reader its row type chose for it. Evaluating a row then
/// neither works out what a field is nor dispatches on the kind of condition,
/// which costs a case extract's million rows far more than the tests themselves.
/// It is the only way a filter is evaluated.
pub(crate) struct RowFilter<'a, R: ?Sized> {
    test: Compiled<'a, R>,
}

impl<R: ?Sized> RowFilter<'_, R> {
    pub(crate) fn matches(&self, row: &R) -> bool {
        (self.test)(row)
    }
}

impl Filter {
    /// The filter compiled for rows of type `R`, read by `fields`.
    pub(crate) fn for_rows<'a, R: ?Sized + 'a>(&self, fields: &dyn Fields<R>) -> RowFilter<'a, R> {
        RowFilter {
            test: self.root.closure(fields),
        }
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
    schema: Option<&'a dyn FieldNames>,
    as_of: NaiveDate,
    fields: Vec<usize>,
}

impl<'a> Parser<'a> {
    fn new(expr: &'a str, schema: Option<&'a dyn FieldNames>, as_of: NaiveDate) -> Result<Self, FilterError> {
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
            Test::Cmp(o, _, v) => Check::Cmp(o, kind, self.lit(schema, id, kind, name, &v)?),
            Test::Contains(_, v) if kind == FieldKind::List => {
                self.refuse_vocabulary_typo(&v)?;
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
                let lits = vs.iter().map(|v| self.lit(schema, id, kind, name, v));
                Check::AnyOf(kind, lits.collect::<Result<_, _>>()?)
            }
            Test::Within(n, unit) if matches!(kind, FieldKind::Date | FieldKind::Text) => {
                let (months, days) = unit_months_days(&unit.text, n).unwrap_or((u32::MAX, u64::MAX));
                let start = self.as_of.checked_sub_months(Months::new(months));
                let start = start.and_then(|d| d.checked_sub_days(Days::new(days)));
                Check::Within(Day::from(start.unwrap_or(NaiveDate::MIN)), Day::from(self.as_of))
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

    /// A word one or two letters away from a risk-factor theme (`neglet`) would
    /// silently match nothing in a list; say which theme was meant instead.
    fn refuse_vocabulary_typo(&self, tok: &Tok) -> Result<(), FilterError> {
        let word = tok.text.trim();
        if tok.kind == Kind::Str || word.chars().count() < 5 || risk_theme(word).is_some() {
            return Ok(());
        }
        let words: Vec<String> = crate::vocab::theme_words().map(str::to_string).collect();
        match closest(word, &words) {
            Some(near) => Err(self.err(
                tok,
                format!("\"{word}\" is not a risk-factor theme, did you mean \"{near}\"? (quote a label to match it exactly)"),
            )),
            None => Ok(()),
        }
    }

    fn resolve(&self, schema: &dyn FieldNames, field: &Tok) -> Result<(usize, FieldKind), FilterError> {
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

    fn lit(
        &self,
        schema: &dyn FieldNames,
        id: usize,
        kind: FieldKind,
        name: &str,
        tok: &Tok,
    ) -> Result<Lit, FilterError> {
        let text = tok.text.replace('\u{a0}', " ");
        let t = text.trim();
        let stripped = strip_label_prefix(t);
        let bad = |msg: String| self.err(tok, msg);
        let mut lit = Lit::default();
        if let Some(rank) = schema.literal_rank(id, t) {
            lit.num = Some(rank.map_err(bad)?);
            return Ok(lit);
        }
        match kind {
            FieldKind::Number => {
                let msg = || format!("\"{t}\" is not a number (\"{name}\" is a number field)");
                lit.num = Some(parse_number(t).ok_or_else(|| bad(msg()))?);
            }
            FieldKind::Date => lit.date = Some(parse_day(t).ok_or_else(|| bad(date_problem(t)))?),
            FieldKind::Bool => {
                let msg = || format!("\"{t}\" is not yes or no (\"{name}\" is a yes/no field)");
                lit.yes = Some(parse_yes_no(stripped).ok_or_else(|| bad(msg()))?);
            }
            FieldKind::Text | FieldKind::List => {
                lit.num = parse_number(t);
                // A bare number is never taken as an Excel day number on this side.
                lit.date = parse_day(t).filter(|_| lit.num.is_none());
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
/// The known name one or two edits away from `name`, for "did you mean".
pub(crate) fn closest<'k>(name: &str, known: &'k [String]) -> Option<&'k str> {
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
    date: Option<Day>,
    yes: Option<bool>,
}

impl Lit {
    /// Whether the literal is only text: not a number, date or yes/no.
    fn is_plain_text(&self) -> bool {
        self.num.is_none() && self.date.is_none() && self.yes.is_none()
    }
}

#[derive(Debug, Clone)]
enum Check {
    Empty,
    Truthy,
    Cmp(CmpOp, FieldKind, Lit),
    AnyOf(FieldKind, Vec<Lit>),
    Within(Day, Day),
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
    /// The node as one closure over rows of type `R` (see [`RowFilter`]).
    fn closure<'a, R: ?Sized + 'a>(&self, fields: &dyn Fields<R>) -> Compiled<'a, R> {
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
    fn closure<'a, R: ?Sized + 'a>(&self, read: Reader<'a, R>) -> Compiled<'a, R> {
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

fn is_empty(v: Value<'_>) -> bool {
    match v {
        Value::Missing => true,
        Value::Text(s) => s.trim().is_empty(),
        Value::List(s) => list_items(s).next().is_none(),
        _ => false,
    }
}

fn is_truthy(v: Value<'_>) -> bool {
    match v {
        Value::Bool(b) => b,
        Value::Text(s) | Value::List(s) => parse_yes_no(strip_label_prefix(s)) == Some(true),
        Value::Number(n) => n == 1.0,
        _ => false,
    }
}

#[inline]
fn cmp_holds(op: CmpOp, kind: FieldKind, lit: &Lit, v: Value<'_>) -> bool {
    match (op, kind, v) {
        // Equality with a word that is not a number, date or yes/no: what
        // `compare_text` would do, without the ordering.
        (CmpOp::Eq | CmpOp::Ne, FieldKind::Text, Value::Text(s)) if lit.is_plain_text() => {
            eq_ci(strip_label_prefix(s), &lit.lower) == (op == CmpOp::Eq)
        }
        _ => op.holds(compare(v, kind, lit)),
    }
}

fn any_equal(kind: FieldKind, lits: &[Lit], v: Value<'_>) -> bool {
    lits.iter().any(|l| compare(v, kind, l) == Some(Ordering::Equal))
}

#[inline]
fn is_within(start: Day, end: Day, v: Value<'_>) -> bool {
    match v {
        Value::Date(d) => start <= d && d <= end,
        Value::Text(s) => parse_day(s).is_some_and(|d| start <= d && d <= end),
        _ => false,
    }
}

fn has_substring(lower: &str, theme: Option<&RiskTheme>, v: Value<'_>) -> bool {
    match v {
        Value::Text(s) | Value::List(s) => {
            contains_ci(s, lower) || theme.is_some_and(|t| item_matches_theme(s, t))
        }
        _ => false,
    }
}

fn has_member(ms: &[ItemPattern], v: Value<'_>) -> bool {
    match v {
        Value::Text(s) | Value::List(s) => list_items(s).any(|it| ms.iter().any(|m| m.matches(it))),
        _ => false,
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
        (Value::Text(s) | Value::List(s), FieldKind::Date) => Some(parse_day(s)?.cmp(&lit.date?)),
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
fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let ok = whole.len() + frac.len() > 0 && digits(whole) && digits(frac);
    ok.then(|| t.parse().ok()).flatten()
}
#[cfg(test)]
mod tests;
