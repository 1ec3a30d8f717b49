//! An extract's columns and what they mean: headings read against the standard
//! fields and the `[extract.columns]` mapping, and field ids for filters.

use super::standard::{ALIASES, DERIVED, Derived, STD_FIELDS, Std, std_index};
use crate::config::Settings;
use crate::filter::{self, FieldKind};
use crate::problem::Problem;
use crate::values::header_key;
use chrono::NaiveDate;
use std::collections::HashMap;

/// The columns of an extract and what they mean.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    /// Headings as written in the file (cleaned).
    pub(crate) headers: Vec<String>,
    pub(super) keys: HashMap<String, usize>,
    pub(super) std_col: [Option<usize>; STD_FIELDS.len()],
    /// The reverse of `std_col`: per column, the standard field it holds.
    pub(super) col_std: Vec<Option<(Std, FieldKind)>>,
    /// How each field id below `absent_base` is read from a row.
    pub(super) access: Vec<Access>,
    pub(super) as_of: NaiveDate,
}

impl Schema {
    /// Reads the meaning of each heading (of `file`'s header, on `line`). Problems: a `required` field without a
    /// column (every table needs the case id; a table read alone, the team too),
    /// a mapped heading that is not there.
    pub(crate) fn requiring(
        required: &[Std],
        headers: Vec<String>,
        settings: &Settings,
        as_of: NaiveDate,
        (file, line): (&str, u64),
    ) -> Result<Schema, Vec<Problem>> {
        let mut keys = HashMap::new();
        let mut problems = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            if keys.insert(header_key(h), i).is_some() {
                problems.push(Problem::error(
                    file,
                    Some(line),
                    Some(h),
                    "this heading appears twice in the header",
                ));
            }
        }
        let mut std_col = [None; STD_FIELDS.len()];
        for (si, (_, name, _)) in STD_FIELDS.iter().enumerate() {
            if let Some(heading) = settings.mapped_heading(name) {
                match keys.get(&header_key(heading)) {
                    Some(&i) => std_col[si] = Some(i),
                    None => problems.push(Problem::error(
                        file,
                        Some(line),
                        Some(heading),
                        format!("is mapped to {name} in [extract.columns] but is not in the header"),
                    )),
                }
                continue;
            }
            std_col[si] = keys
                .get(*name)
                .or_else(|| keys.get(&name.replace('_', " ")))
                .copied();
        }
        for (alias, s) in ALIASES {
            let si = std_index(s);
            if std_col[si].is_none() && settings.mapped_heading(STD_FIELDS[si].1).is_none() {
                std_col[si] = keys.get(alias).copied();
            }
        }
        for &required in required {
            if std_col[std_index(required)].is_none() {
                let name = STD_FIELDS[std_index(required)].1;
                problems.push(Problem::error(
                    file,
                    Some(line),
                    Some(name),
                    format!(
                        "required column is missing (the header has: {}); say which heading is the {name} in caseaudit.toml:\n  [extract.columns]\n  {name} = \"{}\"",
                        headers.join(", "),
                        near_heading(required, &headers).unwrap_or("…")
                    ),
                ));
            }
        }
        if problems.is_empty() {
            let mut schema = Schema {
                headers,
                keys,
                std_col,
                col_std: Vec::new(),
                access: Vec::new(),
                as_of,
            };
            schema.map_columns_to_fields();
            Ok(schema)
        } else {
            Err(problems)
        }
    }

    /// Fills `col_std` and `access` from `std_col` and `headers` (again after a
    /// merge adds columns).
    pub(super) fn map_columns_to_fields(&mut self) {
        self.col_std = vec![None; self.headers.len()];
        for ((s, _, kind), col) in STD_FIELDS.iter().zip(&self.std_col) {
            if let Some(c) = *col
                && self.col_std[c].is_none()
            {
                self.col_std[c] = Some((*s, *kind));
            }
        }
        let columns = self
            .col_std
            .iter()
            .enumerate()
            .map(|(col, std)| match std.map(|(s, _)| s) {
                Some(Std::StartDate) => Access::Start(col),
                Some(Std::EndDate) => Access::End(col),
                Some(Std::Dob) => Access::Dob(col),
                Some(Std::RiskFactors) => Access::List(col),
                Some(Std::StepUp) => Access::YesNo(col),
                Some(Std::Status) => Access::Status(col),
                Some(Std::CaseId | Std::Team | Std::Worker) => Access::AsWritten(col),
                _ => Access::Labelled(col),
            });
        self.access = columns
            .chain(DERIVED.iter().map(|(d, ..)| Access::Derived(*d)))
            .collect();
    }

    /// The column holding a standard field.
    #[inline]
    pub(crate) fn col(&self, s: Std) -> Option<usize> {
        self.std_col[std_index(s)]
    }

    #[inline]
    pub(super) fn std_of_col(&self, col: usize) -> Option<(Std, FieldKind)> {
        self.col_std.get(col).copied().flatten()
    }

    /// The columns written by default: every column but the identifying ones.
    pub(crate) fn default_output_fields(&self) -> Vec<usize> {
        (0..self.headers.len())
            .filter(|&i| {
                !crate::values::is_identifying(&self.headers[i])
                    && !matches!(self.std_of_col(i), Some((Std::Dob | Std::ChildName, _)))
            })
            .collect()
    }

    /// The output heading of a field id: a standard name for standard columns.
    pub(crate) fn field_name(&self, field: usize) -> String {
        if field < self.headers.len() {
            match self.std_of_col(field) {
                Some((s, _)) => STD_FIELDS[std_index(s)].1.to_string(),
                None => self.headers[field].clone(),
            }
        } else if field < self.absent_base() {
            DERIVED[field - self.headers.len()].1.to_string()
        } else {
            STD_FIELDS[field - self.absent_base()].1.to_string()
        }
    }

    /// Field ids from here on stand for standard fields this extract does not have:
    /// they are always missing (a frame using `risk_factors` matches nothing in an
    /// extract without it, rather than failing).
    pub(super) fn absent_base(&self) -> usize {
        self.headers.len() + DERIVED.len()
    }

    /// The standard fields an expression reads that this extract does not have.
    pub(crate) fn absent_fields(&self, fields: &[usize]) -> Vec<&'static str> {
        fields
            .iter()
            .filter(|&&f| f >= self.absent_base())
            .map(|&f| STD_FIELDS[f - self.absent_base()].1)
            .collect()
    }

    /// The column with this heading.
    pub(crate) fn column_of(&self, heading: &str) -> Option<usize> {
        self.keys.get(&header_key(heading)).copied()
    }

    /// The columns reading `fields` reads: each field's own, and for a derived
    /// field the columns it is worked out from.
    pub(crate) fn columns_read(&self, fields: &[usize]) -> Vec<usize> {
        let mut cols = Vec::new();
        for &field in fields {
            match self.access.get(field) {
                Some(Access::Derived(d)) => {
                    let from: &[Std] = match d {
                        Derived::Age => &[Std::Dob],
                        Derived::AgeAtStart => &[Std::Dob, Std::StartDate],
                        Derived::DaysOpen => &[Std::StartDate, Std::EndDate],
                        Derived::Status => &[Std::Status, Std::EndDate],
                        Derived::StepUp => &[Std::StepUp, Std::ReferralSource],
                        Derived::Episodes => &[],
                    };
                    cols.extend(from.iter().filter_map(|s| self.col(*s)));
                }
                Some(_) if field < self.headers.len() => cols.push(field),
                _ => {}
            }
        }
        cols.sort_unstable();
        cols.dedup();
        cols
    }

    /// The field ids of standard fields the extract has.
    pub(crate) fn std_fields(&self, fields: &[Std]) -> Vec<usize> {
        fields.iter().filter_map(|s| self.col(*s)).collect()
    }

    pub(super) fn derived_id(&self, d: Derived) -> usize {
        self.headers.len()
            + DERIVED
                .iter()
                .position(|(x, ..)| *x == d)
                .expect("every Derived is listed")
    }
}

impl filter::FieldNames for Schema {
    fn resolve(&self, name: &str) -> Option<(usize, FieldKind)> {
        let key = header_key(name);
        if let Some((s, _, kind)) = STD_FIELDS.iter().find(|(_, n, _)| *n == key)
            && let Some(col) = self.col(*s)
        {
            return Some((col, *kind));
        }
        if let Some((d, _, kind)) = DERIVED.iter().find(|(_, n, _)| *n == key) {
            return Some((self.derived_id(*d), *kind));
        }
        if let Some(&col) = self.keys.get(&key) {
            return Some((col, self.std_of_col(col).map_or(FieldKind::Text, |(_, k)| k)));
        }
        // A heading that means a standard field the extract has under another
        // (an Annex A list's own headings, once turned into the standard layout).
        let meant = ALIASES
            .iter()
            .find(|(alias, _)| *alias == key)
            .map(|(_, s)| *s)
            .or_else(|| crate::annex_a::meaning(name));
        if let Some(s) = meant
            && let Some(col) = self.col(s)
        {
            return Some((col, STD_FIELDS[std_index(s)].2));
        }
        let si = STD_FIELDS.iter().position(|(_, n, _)| *n == key)?;
        Some((self.absent_base() + si, STD_FIELDS[si].2))
    }

    fn known_fields(&self) -> Vec<String> {
        let mut names: Vec<String> = STD_FIELDS
            .iter()
            .filter(|(s, ..)| self.col(*s).is_some())
            .map(|(_, n, _)| (*n).to_string())
            .chain(DERIVED.iter().map(|(_, n, _)| (*n).to_string()))
            .collect();
        names.sort();
        names.dedup();
        let own: Vec<String> = self
            .headers
            .iter()
            .filter(|h| !names.contains(&header_key(h)))
            .cloned()
            .collect();
        names.extend(own);
        names
    }
}

/// How a field id is read from a row ([`filter::Row::value`]), worked out once for
/// a schema rather than for every row a filter reads.
#[derive(Debug, Clone, Copy)]
pub(super) enum Access {
    /// A cell as written: case id, team, worker.
    AsWritten(usize),
    /// A cell without its label prefix (`b) Police` is `Police`): other text.
    Labelled(usize),
    /// The dates, as parsed when the row was checked (the cell says whether one is given).
    Start(usize),
    End(usize),
    Dob(usize),
    List(usize),
    YesNo(usize),
    Status(usize),
    Derived(Derived),
}

/// The heading most likely to hold a standard field the header lacks, for the
/// line a user pastes into the settings: one sharing a word with the field's
/// name (`Team Name` for team, `Person ID` for case_id).
fn near_heading(field: Std, headers: &[String]) -> Option<&str> {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let wanted = words(field.name());
    headers
        .iter()
        .find(|h| words(h).iter().any(|w| wanted.contains(w)))
        .map(String::as_str)
}
