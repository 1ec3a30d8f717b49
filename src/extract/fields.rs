//! How filters and outputs read a field of a case: the access table worked out
//! once per schema, the readers a compiled filter uses, and the derived fields.

use super::row::{Case, CaseRow, status_in, status_of};
use super::schema::{Access, Schema};
use super::standard::Derived;
use crate::dates::whole_years;
use crate::filter::{self, Value};
use crate::values::parse_yes_no;
use crate::vocab::strip_label_prefix;

impl Case<'_> {
    /// A field of the case by its id, as filters, outputs and strata read it.
    pub(crate) fn value(&self, field: usize) -> Value<'_> {
        // Field ids from `absent_base` on are standard fields the extract lacks.
        match self.schema.access.get(field) {
            Some(Access::Derived(d)) => derived(self.schema, self.row, *d),
            Some(access) => access.read_cell(self.row),
            None => Value::Missing,
        }
    }
}

impl Access {
    /// The value of a column's cell (a derived field is read by [`derived`]).
    #[inline]
    fn read_cell(self, row: &CaseRow) -> Value<'_> {
        let cell = |col: usize| row.cell(Some(col));
        let value = match self {
            Access::AsWritten(col) => cell(col).map(Value::Text),
            Access::Labelled(col) => cell(col).map(|c| Value::Text(strip_label_prefix(c))),
            Access::Start(col) => cell(col).and(row.start).map(Value::Date),
            Access::End(col) => cell(col).and(row.end).map(Value::Date),
            Access::Dob(col) => cell(col).and(row.dob).map(Value::Date),
            Access::List(col) => cell(col).map(Value::List),
            Access::YesNo(col) => cell(col).and_then(parse_yes_no).map(Value::Bool),
            Access::Status(col) => cell(col).map(|c| Value::Text(status_in(c))),
            Access::Derived(_) => None,
        };
        value.unwrap_or(Value::Missing)
    }
}

/// Rows of an extract, read by a compiled filter ([`filter::RowFilter`]): each
/// field's reader is made for its kind of column, so that reading it is only the
/// work the kind needs (the `Access::…(col)` built inside each closure is a
/// constant there, which the compiler folds away).
impl filter::Fields<CaseRow> for Schema {
    fn reader<'a>(&self, field: usize) -> filter::Reader<'a, CaseRow> {
        let Some(&access) = self.access.get(field) else {
            return Box::new(|_| Value::Missing);
        };
        match access {
            Access::AsWritten(c) => Box::new(move |row| Access::AsWritten(c).read_cell(row)),
            Access::Labelled(c) => Box::new(move |row| Access::Labelled(c).read_cell(row)),
            Access::Start(c) => Box::new(move |row| Access::Start(c).read_cell(row)),
            Access::End(c) => Box::new(move |row| Access::End(c).read_cell(row)),
            Access::Dob(c) => Box::new(move |row| Access::Dob(c).read_cell(row)),
            Access::List(c) => Box::new(move |row| Access::List(c).read_cell(row)),
            Access::YesNo(c) => Box::new(move |row| Access::YesNo(c).read_cell(row)),
            Access::Status(c) => Box::new(move |row| Access::Status(c).read_cell(row)),
            Access::Derived(derived) => {
                let schema = self.clone();
                Box::new(move |row| self::derived(&schema, row, derived))
            }
        }
    }
}

/// The value of a derived field of a row.
pub(super) fn derived<'r>(schema: &Schema, row: &'r CaseRow, derived: Derived) -> Value<'r> {
    let as_of = schema.as_of;
    match derived {
        Derived::Age => row
            .dob()
            .map_or(Value::Missing, |d| Value::Number(whole_years(d, as_of) as f64)),
        Derived::AgeAtStart => match (row.dob(), row.start()) {
            (Some(d), Some(s)) => Value::Number(whole_years(d, s) as f64),
            _ => Value::Missing,
        },
        Derived::DaysOpen => row.start().map_or(Value::Missing, |s| {
            let until = row.end().unwrap_or(as_of).min(as_of);
            Value::Number((until - s).num_days().max(0) as f64)
        }),
        Derived::Status => Value::Text(status_of(schema, row)),
        Derived::StepUp => Value::Bool(Case { schema, row }.step_up()),
        Derived::Episodes => Value::Number(f64::from(row.episodes())),
    }
}
