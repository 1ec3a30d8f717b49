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

use crate::dates::Day;
use chrono::NaiveDate;
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
    fields: Vec<usize>,
}

impl<R: ?Sized> RowFilter<'_, R> {
    pub(crate) fn matches(&self, row: &R) -> bool {
        (self.test)(row)
    }

    /// Field ids the filter reads, ascending.
    pub(crate) fn fields(&self) -> &[usize] {
        &self.fields
    }
}

impl Filter {
    /// The filter compiled for rows of type `R`, read by `fields`.
    pub(crate) fn for_rows<'a, R: ?Sized + 'a>(&self, fields: &dyn Fields<R>) -> RowFilter<'a, R> {
        RowFilter {
            test: self.root.closure(fields),
            fields: self.fields.clone(),
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

mod eval;
mod parse;

use eval::Node;
use parse::Parser;
pub(crate) use parse::closest;

#[cfg(test)]
mod tests;
