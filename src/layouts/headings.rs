//! Finding a layout's fields among a file's headings, the same way for the
//! auditors list, the audit history, completed audits and moderation results: by
//! the heading the settings map to a field (`[auditors.columns]`), by the field's
//! standard name, or by a built-in alias (`Staff ID` for `auditor_id`). A required
//! field that cannot be found is a problem that prints the settings lines to paste.

use crate::problem::Problem;
use std::collections::BTreeMap;
use toml::Spanned;

/// One layout's `[<layout>.columns]` table: standard name → heading in the user's file.
pub(crate) type Mapping = BTreeMap<String, Spanned<String>>;

/// One layout's fields, and the headings that mean them.
#[derive(Debug)]
pub(crate) struct Headings {
    /// The settings section whose `columns` table maps this layout: `auditors`.
    pub(crate) section: &'static str,
    /// Every field's standard name, in the layout's order.
    pub(crate) fields: &'static [&'static str],
    /// Other headings that mean a field without any mapping: (heading, field). Where
    /// a file has several for one field, the first listed is used.
    pub(crate) aliases: &'static [(&'static str, &'static str)],
    /// The fields every file of the layout must have.
    pub(crate) required: &'static [&'static str],
}

/// Where each field of a layout is in one file's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Per field of [`Headings::fields`]: its column.
    pub(crate) cols: Vec<Option<usize>>,
    /// Per field: the mapped heading when it is not in the header.
    unmapped: Vec<Option<String>>,
    fields: &'static [&'static str],
}

impl Found {
    /// The column of the field with this standard name.
    pub(crate) fn col(&self, name: &str) -> Option<usize> {
        let i = self.fields.iter().position(|f| *f == name);
        self.cols[i.unwrap_or_else(|| panic!("\"{name}\" is not a field of the layout"))]
    }

    /// Whether a column holds one of the fields.
    pub(crate) fn claims(&self, col: usize) -> bool {
        self.cols.contains(&Some(col))
    }
}

pub(crate) use crate::values::heading_key;

impl Headings {
    /// Where each field is in `headers`, without judging what is missing. A mapped
    /// heading wins; a field whose mapped heading is absent is still found by its
    /// standard name (a file already in the standard layout, such as the history
    /// `record` rewrites, reads as it is), but not by an alias. A column holds at
    /// most one field.
    pub(crate) fn find(&self, headers: &[String], mapping: &Mapping) -> Found {
        let keys: Vec<String> = headers.iter().map(|h| heading_key(h)).collect();
        let mut taken = vec![false; headers.len()];
        let mut take = |key: &str| -> Option<usize> {
            let c = (0..keys.len()).find(|&c| !taken[c] && keys[c] == key)?;
            taken[c] = true;
            Some(c)
        };
        let mut cols = vec![None; self.fields.len()];
        let mut unmapped = vec![None; self.fields.len()];
        for (i, name) in self.fields.iter().enumerate() {
            if let Some(heading) = mapping.get(*name) {
                cols[i] = take(&heading_key(heading.get_ref()));
                if cols[i].is_none() {
                    unmapped[i] = Some(heading.get_ref().clone());
                }
            }
        }
        for (i, name) in self.fields.iter().enumerate() {
            if cols[i].is_none() {
                cols[i] = take(&heading_key(name));
            }
        }
        for (alias, name) in self.aliases {
            let i = self.index(name);
            if cols[i].is_none() && unmapped[i].is_none() {
                cols[i] = take(&heading_key(alias));
            }
        }
        for (i, c) in cols.iter().enumerate() {
            if c.is_some() {
                unmapped[i] = None;
            }
        }
        Found {
            cols,
            unmapped,
            fields: self.fields,
        }
    }

    /// Where each field is in `headers`, or every problem: a mapped heading that is
    /// not there, a required field that is not found (the last such problem ends
    /// with the lines to paste into the settings, naming the nearest headings).
    pub(crate) fn resolve(
        &self,
        file: &str,
        headers: &[String],
        mapping: &Mapping,
    ) -> Result<Found, Vec<Problem>> {
        let found = self.find(headers, mapping);
        let listed = headers.join(", ");
        let mut problems = Vec::new();
        for (name, heading) in self.fields.iter().zip(&found.unmapped) {
            if let Some(heading) = heading {
                problems.push(Problem::error(
                    file,
                    Some(1),
                    Some(heading),
                    format!(
                        "is mapped to {name} in [{}.columns] but is not in the header (the header has: {listed})",
                        self.section
                    ),
                ));
            }
        }
        let missing: Vec<&str> = self
            .required
            .iter()
            .copied()
            .filter(|name| found.col(name).is_none() && found.unmapped[self.index(name)].is_none())
            .collect();
        let mut paste = Vec::new();
        // A heading suggested for one field is not suggested for the next.
        let mut suggested: Vec<usize> = Vec::new();
        for (n, name) in missing.iter().enumerate() {
            let near: Vec<&String> = nearest(self, name, headers, &found, &suggested)
                .into_iter()
                .map(|c| &headers[c])
                .collect();
            if let Some(&first) = near.first() {
                suggested.extend(headers.iter().position(|h| std::ptr::eq(h, first)));
            }
            let mut message = match near.as_slice() {
                [] => format!(
                    "required column is missing, and no heading looks like it (the header has: {listed})"
                ),
                [one] => format!("required column is missing; the nearest heading is \"{one}\""),
                more => format!(
                    "required column is missing; the nearest headings are {}",
                    quoted_list(more)
                ),
            };
            paste.push(format!(
                "    {name} = \"{}\"",
                near.first().map_or("…", |h| h.as_str())
            ));
            if n + 1 == missing.len() {
                let which = if paste.iter().any(|line| line.contains('…')) {
                    " (with the heading that holds it in place of …)"
                } else {
                    ""
                };
                message.push_str(&format!(
                    ". Add to caseaudit.toml{which}:\n    [{}.columns]\n{}",
                    self.section,
                    paste.join("\n")
                ));
            }
            problems.push(Problem::error(file, Some(1), Some(name), message));
        }
        if problems.is_empty() {
            Ok(found)
        } else {
            Err(problems)
        }
    }

    fn index(&self, name: &str) -> usize {
        self.fields
            .iter()
            .position(|f| *f == name)
            .unwrap_or_else(|| panic!("\"{name}\" is not a field of [{}.columns]", self.section))
    }

    /// The built-in headings of a field: its standard name, then its aliases.
    pub(crate) fn headings_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'static str> + 'a {
        let own = self.fields.iter().copied().filter(move |f| *f == name);
        own.chain(
            self.aliases
                .iter()
                .filter(move |(_, f)| *f == name)
                .map(|(a, _)| *a),
        )
    }
}

/// The nearest headings is at most this many.
const NEAREST: usize = 3;

/// Words that say little about which field a heading holds: they only break ties.
const GENERIC: [&str; 11] = [
    "id",
    "no",
    "number",
    "ref",
    "reference",
    "date",
    "name",
    "of",
    "the",
    "on",
    "by",
];

/// The headings not held by another field that most look like `name` (or one of its
/// aliases), best first (see [`nearest_to`]).
fn nearest(
    layout: &Headings,
    name: &str,
    headers: &[String],
    found: &Found,
    suggested: &[usize],
) -> Vec<usize> {
    let wanted: Vec<&str> = layout.headings_of(name).collect();
    nearest_to(&wanted, headers, |c| found.claims(c) || suggested.contains(&c))
}

/// The columns (at most three, best first) whose headings most look like one of
/// `wanted` (a field's built-in headings), leaving out those `skip` says: headings
/// sharing a telling word with them (`Staff Ref` for `auditor_id`, whose aliases
/// include `Staff ID`), or spelt nearly as one is (`Auditer ID`).
pub(crate) fn nearest_to(wanted: &[&str], headers: &[String], skip: impl Fn(usize) -> bool) -> Vec<usize> {
    let wanted_words: Vec<String> = wanted.iter().flat_map(|h| words(h)).collect();
    let wanted_keys: Vec<String> = wanted.iter().map(|h| heading_key(h)).collect();
    let mut scored: Vec<(usize, usize, usize, usize)> = headers
        .iter()
        .enumerate()
        .filter(|(c, _)| !skip(*c))
        .filter_map(|(c, h)| {
            let own = words(h);
            let shared = |generic: bool| {
                own.iter()
                    .filter(|w| GENERIC.contains(&w.as_str()) == generic && wanted_words.contains(w))
                    .count()
            };
            let (telling, generic) = (shared(false), shared(true));
            let key = heading_key(h);
            // Edits per hundred characters to the nearest built-in heading.
            let distance = wanted_keys
                .iter()
                .map(|k| crate::values::edits(&key, k) * 100 / k.len().max(key.len()).max(1))
                .min()
                .unwrap_or(100);
            (telling > 0 || distance <= 25).then_some((telling, generic, distance, c))
        })
        .collect();
    scored.sort_by_key(|&(telling, generic, distance, c)| {
        (
            std::cmp::Reverse(telling),
            std::cmp::Reverse(generic),
            distance,
            c,
        )
    });
    scored.into_iter().take(NEAREST).map(|(.., c)| c).collect()
}

/// A heading's words, lower case.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether a heading plainly names a field: at least half of its telling words
/// (those not in [`GENERIC`]) are words of `wanted` (the field's built-in
/// headings), and it has every telling word of one of them. `Case Status` names
/// `status`, not `end_date` (whose `case closure date` it shares a word with);
/// `Age of Child (Years)` does not name `child_name`.
pub(crate) fn plainly_names(heading: &str, wanted: &[&str]) -> bool {
    let telling = |s: &str| -> Vec<String> {
        words(s)
            .into_iter()
            .filter(|w| !GENERIC.contains(&w.as_str()))
            .collect()
    };
    let own = telling(heading);
    let wanted: Vec<Vec<String>> = wanted.iter().map(|w| telling(w)).collect();
    let shared = own
        .iter()
        .filter(|w| wanted.iter().flatten().any(|x| x == *w))
        .count();
    let covers = wanted
        .iter()
        .any(|w| !w.is_empty() && w.iter().all(|x| own.contains(x)));
    2 * shared >= own.len().max(1) && covers
}

/// `"a"`, `"a" and "b"`, `"a", "b" and "c"`.
fn quoted_list(items: &[&String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

#[cfg(test)]
mod tests;
