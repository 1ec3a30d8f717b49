//! The grading scale (docs/vocabulary.md#grades, `[grades]`): its labels best first, the forms a
//! grade may be written in (label, initials, number, configured synonyms), and
//! which grades count as "good or better". No I/O.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The `[grades]` settings: the scale, best first, and the accepted forms.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct GradeSettings {
    /// Best first.
    pub(crate) scale: Vec<String>,
    /// How many of the first grades count as "good or better".
    pub(crate) good_or_better: usize,
    /// More ways to write a grade: scale label → accepted forms.
    pub(crate) synonyms: BTreeMap<String, Vec<String>>,
}

impl Default for GradeSettings {
    fn default() -> Self {
        GradeSettings {
            scale: ["Outstanding", "Good", "Requires improvement", "Inadequate"]
                .map(String::from)
                .to_vec(),
            good_or_better: 2,
            synonyms: BTreeMap::new(),
        }
    }
}

/// A grade: its position on the scale, 0 = best.
pub(crate) type Grade = u8;

/// The longest form a cell is compared in; longer cells are never grades, so the
/// comparison needs no allocation (it runs for every graded cell of every audit).
const MAX_FORM: usize = 64;

/// Forms that mean "not graded" besides the missing markers of every input
/// (empty, `NULL`, `N/A`, `#N/A`), compared after normalising.
const NOT_GRADED: [&str; 4] = ["na", "not applicable", "not graded", "not known"];

/// The configured scale, ready to read grades.
#[derive(Debug, Clone)]
pub(crate) struct Scale {
    labels: Vec<String>,
    good_or_better: usize,
    /// Every accepted form, normalised, with its grade.
    forms: Vec<Form>,
    /// Per grade, the short forms shown in messages (initials and number).
    short: Vec<Vec<String>>,
}

/// One accepted form. Its length and first eight bytes as a number are compared
/// first, so most candidates are ruled out by two integer comparisons.
#[derive(Debug, Clone)]
struct Form {
    len: usize,
    head: u64,
    bytes: Box<[u8]>,
    grade: Grade,
}

impl Form {
    fn new(bytes: Vec<u8>, grade: Grade) -> Form {
        Form {
            len: bytes.len(),
            head: head(&bytes),
            bytes: bytes.into_boxed_slice(),
            grade,
        }
    }

    fn matches(&self, len: usize, head: u64, bytes: &[u8]) -> bool {
        self.len == len && self.head == head && (len <= 8 || *self.bytes == *bytes)
    }
}

/// The first eight bytes (zero-padded) as a number.
fn head(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    let n = bytes.len().min(8);
    word[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(word)
}

/// What a cell says about a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    Graded(Grade),
    NotGraded,
    Unknown,
}

impl Default for Scale {
    fn default() -> Self {
        Scale::new(&GradeSettings::default()).expect("the built-in scale is valid")
    }
}

impl Scale {
    /// Builds the scale from `[grades]`. Errors name the key at fault.
    pub(crate) fn new(settings: &GradeSettings) -> Result<Scale, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let labels = settings.scale.clone();
        if labels.len() < 2 || labels.len() > usize::from(Grade::MAX) {
            problems.push((
                "grades.scale".to_string(),
                "the scale needs at least two grades".to_string(),
            ));
            return Err(problems);
        }
        let mut forms: Vec<Form> = Vec::new();
        let mut add =
            |form: &str, grade: usize, key: &str, explicit: bool, problems: &mut Vec<(String, String)>| {
                let Some(norm) = normalise_owned(form) else {
                    if explicit {
                        problems.push((
                            key.to_string(),
                            format!("\"{form}\" is empty or too long to be a grade"),
                        ));
                    }
                    return false;
                };
                match forms.iter().find(|f| *f.bytes == *norm).map(|f| f.grade) {
                    Some(g) if usize::from(g) == grade => true,
                    Some(g) => {
                        if explicit {
                            problems.push((
                                key.to_string(),
                                format!(
                                    "\"{form}\" would mean both \"{}\" and \"{}\"",
                                    labels[usize::from(g)],
                                    labels[grade]
                                ),
                            ));
                        }
                        false
                    }
                    None => {
                        let g = Grade::try_from(grade).expect("the scale is shorter than Grade::MAX");
                        forms.push(Form::new(norm, g));
                        true
                    }
                }
            };
        for (i, label) in labels.iter().enumerate() {
            add(label, i, &format!("grades.scale[{i}]"), true, &mut problems);
        }
        let mut short = vec![Vec::new(); labels.len()];
        // Initials (O, G, RI, I) only where they are unambiguous on this scale.
        let initials: Vec<String> = labels.iter().map(|l| initials(l)).collect();
        for (i, ini) in initials.iter().enumerate() {
            let unique = initials.iter().filter(|x| *x == ini).count() == 1;
            if unique && !ini.is_empty() && add(ini, i, "", false, &mut problems) {
                short[i].push(ini.to_uppercase());
            }
        }
        for (i, forms) in short.iter_mut().enumerate() {
            let number = (i + 1).to_string();
            if add(&number, i, "", false, &mut problems) {
                forms.push(number);
            }
        }
        // Ofsted's full wording of the third judgement.
        for (i, label) in labels.iter().enumerate() {
            if normalise_owned(label).as_deref() == Some(b"requires improvement".as_slice()) {
                add("Requires improvement to be good", i, "", false, &mut problems);
            }
        }
        for (label, synonyms) in &settings.synonyms {
            let key = format!("grades.synonyms.\"{label}\"");
            let Some(grade) = labels
                .iter()
                .position(|l| normalise_owned(l) == normalise_owned(label))
            else {
                problems.push((
                    key,
                    format!("\"{label}\" is not a grade of the scale ({})", labels.join(", ")),
                ));
                continue;
            };
            for s in synonyms {
                add(s, grade, &key, true, &mut problems);
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Scale {
            labels,
            good_or_better: settings.good_or_better,
            forms,
            short,
        })
    }

    /// How many grades the scale has.
    pub(crate) fn len(&self) -> usize {
        self.labels.len()
    }

    /// The label of a grade, as configured.
    pub(crate) fn label(&self, grade: Grade) -> &str {
        &self.labels[usize::from(grade)]
    }

    /// Whether a grade counts as "good or better".
    pub(crate) fn is_good_or_better(&self, grade: Grade) -> bool {
        usize::from(grade) < self.good_or_better
    }

    /// The worst grade (Inadequate on the default scale).
    pub(crate) fn worst(&self) -> Grade {
        Grade::try_from(self.labels.len() - 1).expect("the scale is shorter than Grade::MAX")
    }

    /// An output column name for a grade: `requires_improvement`.
    pub(crate) fn column_name(&self, grade: Grade) -> String {
        snake_case(self.label(grade))
    }

    /// Reads a (cleaned) cell. Allocation-free.
    pub(crate) fn read(&self, cell: &str) -> Reading {
        if crate::values::is_missing(cell) {
            return Reading::NotGraded;
        }
        let mut buf = [0u8; MAX_FORM];
        let Some(norm) = normalise(cell, &mut buf) else {
            return Reading::Unknown;
        };
        let (len, first) = (norm.len(), head(norm));
        if let Some(f) = self.forms.iter().find(|f| f.matches(len, first, norm)) {
            return Reading::Graded(f.grade);
        }
        if norm.is_empty() || NOT_GRADED.iter().any(|n| n.as_bytes() == norm) {
            Reading::NotGraded
        } else {
            Reading::Unknown
        }
    }

    /// The message for a cell that is not a grade, listing what is accepted.
    pub(crate) fn unknown_message(&self, cell: &str) -> String {
        let mut m = format!("\"{cell}\" is not a grade (accepted: ");
        for (i, label) in self.labels.iter().enumerate() {
            if i > 0 {
                m.push_str(", ");
            }
            m.push_str(label);
            if !self.short[i].is_empty() {
                let _ = write!(m, " or {}", self.short[i].join(" or "));
            }
        }
        m.push_str("; empty or N/A for not graded)");
        m
    }
}

/// The comparison form of a cell: ASCII lower case, `_`, `-` and runs of
/// whitespace as one space, trimmed. `None` when it does not fit in `buf`.
fn normalise<'b>(cell: &str, buf: &'b mut [u8; MAX_FORM]) -> Option<&'b [u8]> {
    let mut n = 0;
    let mut pending_space = false;
    for &b in cell.as_bytes() {
        if b.is_ascii_whitespace() || b == b'_' || b == b'-' {
            pending_space = n > 0;
            continue;
        }
        if pending_space {
            *buf.get_mut(n)? = b' ';
            n += 1;
            pending_space = false;
        }
        *buf.get_mut(n)? = b.to_ascii_lowercase();
        n += 1;
    }
    Some(&buf[..n])
}

fn normalise_owned(text: &str) -> Option<Vec<u8>> {
    let mut buf = [0u8; MAX_FORM];
    normalise(text, &mut buf)
        .filter(|n| !n.is_empty())
        .map(<[u8]>::to_vec)
}

/// First letters of the words: "Requires improvement" → "ri".
fn initials(label: &str) -> String {
    label
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter_map(|w| w.chars().next())
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// "Requires improvement" → "requires_improvement".
pub(crate) fn snake_case(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn scale() -> Scale {
        Scale::default()
    }

    #[test]
    fn every_accepted_form_of_the_default_scale() {
        let s = scale();
        let cases: [(&[&str], Grade); 4] = [
            (&["Outstanding", "outstanding", "O", "o", "1", " OUTSTANDING "], 0),
            (&["Good", "G", "g", "2", "good"], 1),
            (
                &[
                    "Requires improvement",
                    "requires  improvement",
                    "Requires Improvement to be Good",
                    "requires-improvement",
                    "requires_improvement",
                    "RI",
                    "ri",
                    "3",
                ],
                2,
            ),
            (&["Inadequate", "I", "4", "INADEQUATE"], 3),
        ];
        for (forms, grade) in cases {
            for form in forms {
                assert_eq!(s.read(form), Reading::Graded(grade), "{form:?}");
            }
        }
    }

    #[test]
    fn not_graded_and_unknown() {
        let s = scale();
        for form in ["", "N/A", "n/a", "#N/A", "NULL", "NA", "Not applicable", "-"] {
            assert_eq!(s.read(form), Reading::NotGraded, "{form:?}");
        }
        for form in ["Good-ish", "5", "0", "Adequate", "R", &"x".repeat(200)] {
            assert_eq!(s.read(form), Reading::Unknown, "{form:?}");
        }
    }

    #[test]
    fn the_unknown_message_lists_the_accepted_forms() {
        assert_eq!(
            scale().unknown_message("Adequate"),
            "\"Adequate\" is not a grade (accepted: Outstanding or O or 1, Good or G or 2, \
             Requires improvement or RI or 3, Inadequate or I or 4; empty or N/A for not graded)"
        );
    }

    #[test]
    fn columns_and_good_or_better() {
        let s = scale();
        let names: Vec<String> = (0..4).map(|g| s.column_name(g)).collect();
        assert_eq!(
            names,
            ["outstanding", "good", "requires_improvement", "inadequate"]
        );
        assert!(s.is_good_or_better(0) && s.is_good_or_better(1));
        assert!(!s.is_good_or_better(2) && !s.is_good_or_better(3));
        assert_eq!(s.worst(), 3);
    }

    #[test]
    fn configured_synonyms_and_scales() {
        let settings = GradeSettings {
            scale: ["Strong", "Sound", "Weak"].map(String::from).to_vec(),
            good_or_better: 1,
            synonyms: BTreeMap::from([
                ("sound".to_string(), vec!["Adequate".to_string()]),
                ("Weak".to_string(), vec!["Poor".to_string(), "W-".to_string()]),
            ]),
        };
        let s = Scale::new(&settings).unwrap();
        assert_eq!(s.read("adequate"), Reading::Graded(1));
        assert_eq!(s.read("POOR"), Reading::Graded(2));
        assert_eq!(s.read("w"), Reading::Graded(2), "initials when unambiguous");
        assert_eq!(s.read("3"), Reading::Graded(2));
        assert!(!s.is_good_or_better(1));
        // "Strong" and "Sound" share an initial, so neither S means anything.
        assert_eq!(s.read("S"), Reading::Unknown);
    }

    #[test]
    fn bad_synonyms_name_their_key() {
        let settings = GradeSettings {
            synonyms: BTreeMap::from([
                ("Excellent".to_string(), vec!["E".to_string()]),
                ("Good".to_string(), vec!["O".to_string()]),
            ]),
            ..GradeSettings::default()
        };
        let err = Scale::new(&settings).unwrap_err();
        assert_eq!(err.len(), 2, "{err:?}");
        assert_eq!(err[0].0, "grades.synonyms.\"Excellent\"");
        assert!(err[1].1.contains("both \"Outstanding\" and \"Good\""), "{err:?}");
    }

    proptest! {
        #[test]
        fn spacing_and_case_never_change_a_grade(grade in 0u8..4, upper in any::<bool>(), pad in 0usize..4) {
            let s = scale();
            let label = s.label(grade).replace(' ', &" ".repeat(pad + 1));
            let label = if upper { label.to_uppercase() } else { label.to_lowercase() };
            let padded = format!("{}{label}{}", " ".repeat(pad), " ".repeat(pad));
            prop_assert_eq!(s.read(padded.trim()), Reading::Graded(grade));
        }

        #[test]
        fn reading_never_panics(cell in ".{0,80}") {
            let _ = scale().read(&cell);
        }
    }
}
