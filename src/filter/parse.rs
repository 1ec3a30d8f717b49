//! The filter language's lexer and parser: it compiles as it goes, resolving each
//! field against the rows' names and typing each literal by the field's kind, with
//! errors that point at the offending word.

use super::eval::{Check, CmpOp, Lit, Node, parse_number};
use super::{FieldKind, FieldNames, FilterError, MAX_DEPTH, MAX_LISTED_FIELDS, UNITS};
use crate::dates::{Day, date_problem, parse_day};
use crate::values::{lowercase, parse_yes_no};
use crate::vocab::{ItemPattern, risk_theme, strip_label_prefix};
use chrono::{Days, Months, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Word,
    Str,
    Open,
    Close,
    Comma,
    Op(CmpOp),
}

#[derive(Debug, Clone)]
pub(super) struct Tok {
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

pub(super) fn lex(expr: &str) -> Result<Vec<Tok>, FilterError> {
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
pub(super) fn lex_string(expr: &str, start: usize, open: char) -> Result<(String, usize), FilterError> {
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
pub(super) enum Test {
    Bare,
    Empty,
    Cmp(CmpOp, Tok, Tok),
    Contains(Tok, Tok),
    In(Vec<Tok>),
    Within(u32, Tok),
}

/// Parses with one token of lookahead; with a schema it also compiles each condition,
/// without one (`check_syntax`) it only checks the grammar.
pub(super) struct Parser<'a> {
    expr: &'a str,
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
    schema: Option<&'a dyn FieldNames>,
    as_of: NaiveDate,
    pub(super) fields: Vec<usize>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(
        expr: &'a str,
        schema: Option<&'a dyn FieldNames>,
        as_of: NaiveDate,
    ) -> Result<Self, FilterError> {
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

    pub(super) fn run(&mut self) -> Result<Node, FilterError> {
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

pub(super) fn not(node: Node) -> Node {
    Node::Not(Box::new(node))
}

/// A unit's length as (months, days) times `n`; `None` for an unknown unit.
pub(super) fn unit_months_days(unit: &str, n: u32) -> Option<(u32, u64)> {
    let n64 = u64::from(n);
    Some(match unit.to_ascii_lowercase().as_str() {
        "day" | "days" => (0, n64),
        "week" | "weeks" => (0, n64 * 7),
        "month" | "months" => (n, 0),
        "year" | "years" => (n.checked_mul(12)?, 0),
        _ => return None,
    })
}

pub(super) fn kind_name(kind: FieldKind) -> &'static str {
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
    let a = lowercase(name.trim());
    let distance = |k: &String| crate::values::edits(&a, &lowercase(k));
    let near = known
        .iter()
        .map(|k| (distance(k), k))
        .filter(|&(d, _)| d > 0 && d <= 2 && d < a.chars().count());
    near.min_by_key(|&(d, _)| d).map(|(_, k)| k.as_str())
}

// ---------------------------------------------------------------- evaluator
