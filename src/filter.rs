//! TEMPORARY STUB (being replaced by the real filter module).
#![allow(dead_code, unused_variables)]
use chrono::NaiveDate;
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    Text,
    Number,
    Date,
    Bool,
    List,
}
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Missing,
    Text(&'a str),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    List(&'a str),
}
pub(crate) trait Schema {
    fn resolve(&self, name: &str) -> Option<(usize, FieldKind)>;
    fn known_fields(&self) -> Vec<String>;
}
pub(crate) trait Row {
    fn value(&self, field: usize) -> Value<'_>;
}
pub(crate) struct Filter {
    src: String,
}
#[derive(Debug, Clone)]
pub(crate) struct FilterError {
    pub(crate) expr: String,
    pub(crate) offset: usize,
    pub(crate) len: usize,
    pub(crate) message: String,
}
impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for FilterError {}
impl Filter {
    pub(crate) fn check_syntax(expr: &str) -> Result<(), FilterError> {
        Ok(())
    }
    pub(crate) fn compile(expr: &str, schema: &dyn Schema, as_of: NaiveDate) -> Result<Filter, FilterError> {
        Ok(Filter { src: expr.into() })
    }
    pub(crate) fn matches<R: Row + ?Sized>(&self, row: &R) -> bool {
        true
    }
    pub(crate) fn fields(&self) -> Vec<usize> {
        vec![]
    }
    pub(crate) fn source(&self) -> &str {
        &self.src
    }
}
