//! Audit forms as Excel workbooks (README.md#forms-from-allocation-to-audits-without-typing):
//! one sheet per allocated case, written by `forms`, read back by `collect`.
//! Every answer cell is found by the key in the sheet's hidden column and row
//! ([`keys`]), never by its position, so a form re-saved with its rows moved
//! or restyled reads the same. Builds workbooks in memory and reads cells
//! given to it; opens no files.

pub(crate) mod keys;
pub(crate) mod moderation;
pub(crate) mod read;
pub(crate) mod returns;
pub(crate) mod write;

use crate::config::{Element, Settings};
use crate::dates::Month;
use chrono::NaiveDate;
use std::collections::HashMap;

pub(crate) use read::{Collected, Returned, read_sheet};
pub(crate) use write::workbook;

/// One allocated case, as its form's header block shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FormCase {
    pub(crate) audit_id: String,
    pub(crate) case_id: String,
    pub(crate) team: String,
    pub(crate) worker: String,
    pub(crate) service: String,
    pub(crate) frame: String,
    pub(crate) auditor_id: String,
    pub(crate) month: Month,
    pub(crate) due: NaiveDate,
    /// The elements of the template the frame uses.
    pub(crate) elements: Vec<Element>,
    /// The child's name and date of birth, as the extract has them: only when
    /// the settings ask (`[forms] identify_child`).
    pub(crate) child: Option<[String; 2]>,
}

/// The audit id of the `n`th case (from 1) of a month's allocation, in the
/// allocation's order: `AUD-2026-11-007`.
pub(crate) fn audit_id(month: Month, n: usize) -> String {
    format!("AUD-{month}-{n:03}")
}

/// The template a frame's audits use: the themed template named as the frame
/// (`[templates.<frame>]`), else the default.
pub(crate) fn template_for<'s>(settings: &'s Settings, frame: &str) -> &'s [Element] {
    settings
        .templates
        .get(frame)
        .unwrap_or(&settings.template)
        .elements
        .as_slice()
}

/// What the dropdowns offer.
#[derive(Debug, Clone)]
pub(crate) struct Choices {
    /// The scale's grades, best first; `N/A` is added after them.
    pub(crate) grades: Vec<String>,
    /// The theme tags of strengths and learning.
    pub(crate) tags: Vec<String>,
}

/// The answers of a form filled in, by row key: the answer and the evidence.
/// (The demo fills its forms with these, as a person saving the form would.)
pub(crate) type Answers = HashMap<String, (String, String)>;

/// A name Excel accepts for a sheet: at most 31 characters, none of `[]:*?/\`,
/// and not one already taken (a number is added).
pub(crate) fn sheet_name(wanted: &str, taken: &[String]) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\'".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    let clean = if clean.trim().is_empty() {
        "case".to_string()
    } else {
        clean
    };
    let mut name = clean.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let suffix = format!("~{n}");
        let keep: String = clean.chars().take(31 - suffix.len()).collect();
        name = format!("{keep}{suffix}");
        n += 1;
    }
    name
}

/// A file name for an auditor's forms: letters (of any script), digits, `-`
/// and `_` kept, anything else made `_` (`TM/07` is `TM_07-2026-11.xlsx`).
pub(crate) fn file_name(auditor_id: &str, month: Month) -> String {
    let id: String = auditor_id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{id}-{month}.xlsx")
}

/// Auditors whose workbooks would have the same file name, ignoring letter
/// case (Windows and macOS do not tell `tm_07` from `TM_07`): each clash as
/// the two auditor ids, in the order given, and the file name.
pub(crate) fn file_name_clashes<'a>(
    auditor_ids: &[&'a str],
    month: Month,
) -> Vec<(&'a str, &'a str, String)> {
    let mut first: HashMap<String, &'a str> = HashMap::new();
    let mut clashes = Vec::new();
    for &id in auditor_ids {
        let name = file_name(id, month);
        match first.get(&name.to_lowercase()) {
            Some(&earlier) if earlier != id => clashes.push((earlier, id, name)),
            Some(_) => {}
            None => {
                first.insert(name.to_lowercase(), id);
            }
        }
    }
    clashes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_what_excel_accepts_and_unique() {
        let taken = vec!["CH1".to_string()];
        assert_eq!(sheet_name("CH1", &taken), "CH1~2");
        assert_eq!(sheet_name("a/b:c", &[]), "a_b_c");
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, &[]).chars().count(), 31);
        assert_eq!(sheet_name(&long, &[sheet_name(&long, &[])]).chars().count(), 31);
    }

    #[test]
    fn ids_and_file_names() {
        let month: Month = "2026-11".parse().unwrap();
        assert_eq!(audit_id(month, 7), "AUD-2026-11-007");
        assert_eq!(file_name("TM 07", month), "TM_07-2026-11.xlsx");
        assert_eq!(file_name("Zoë", month), "Zoë-2026-11.xlsx");
        assert_eq!(file_name("Zoé", month), "Zoé-2026-11.xlsx");
    }

    #[test]
    fn auditors_whose_file_names_match_but_for_case_clash() {
        let month: Month = "2026-11".parse().unwrap();
        let ids = ["TM/07", "Zoë", "TM 07", "Zoé", "tm_07", "A1"];
        let clashes = file_name_clashes(&ids, month);
        assert_eq!(
            clashes,
            vec![
                ("TM/07", "TM 07", "TM_07-2026-11.xlsx".to_string()),
                ("TM/07", "tm_07", "tm_07-2026-11.xlsx".to_string()),
            ]
        );
        assert!(file_name_clashes(&["Zoë", "Zoé", "A1"], month).is_empty());
    }
}
