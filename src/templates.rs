//! Audit templates (README.md#completed-audits): the default monthly template (`[template]`, the nine
//! elements of practice) and named templates for themed audits
//! (`[templates.NAME]`). A file's element columns are matched to the template
//! whose elements they fit best. No I/O.

use crate::config::{Element, Settings};
use crate::values::element_key;

/// The name the default template goes by in messages.
pub(crate) const DEFAULT: &str = "default";

/// Whether a heading names this element, by its key or by its title.
pub(crate) fn names_element(heading_key: &str, element: &Element) -> bool {
    heading_key == element_key(&element.key) || heading_key == element_key(&element.title)
}

/// How a file's columns fit a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fit<'s> {
    /// `default` or the name of a themed template.
    pub(crate) template: &'s str,
    /// Column index and the element it holds, in the file's column order.
    pub(crate) elements: Vec<(usize, &'s Element)>,
    /// Columns that are neither elements of the template nor audit fields.
    pub(crate) unmatched: Vec<usize>,
}

/// Fits `columns` (index and heading of each column that is not an audit field) to
/// the template with the most of its elements among them. Ties go to the default
/// template, then to themed templates in name order.
pub(crate) fn fit<'s>(settings: &'s Settings, columns: &[(usize, &str)]) -> Fit<'s> {
    let keys: Vec<(usize, String)> = columns.iter().map(|(i, h)| (*i, element_key(h))).collect();
    let candidates = std::iter::once((DEFAULT, &settings.template))
        .chain(settings.templates.iter().map(|(n, t)| (n.as_str(), t)));
    let mut best: Option<Fit<'s>> = None;
    for (name, template) in candidates {
        let mut elements: Vec<(usize, &'s Element)> = Vec::new();
        let mut unmatched = Vec::new();
        for (col, key) in &keys {
            match template.elements.iter().find(|e| names_element(key, e)) {
                Some(e) if !elements.iter().any(|(_, x)| std::ptr::eq(*x, e)) => elements.push((*col, e)),
                _ => unmatched.push(*col),
            }
        }
        if best.as_ref().is_none_or(|b| elements.len() > b.elements.len()) {
            best = Some(Fit {
                template: name,
                elements,
                unmatched,
            });
        }
    }
    best.expect("the default template is always a candidate")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Template;

    fn settings() -> Settings {
        let mut s = Settings::default();
        s.templates.insert(
            "domestic-abuse".into(),
            Template {
                elements: ["risk", "safety_plan", "perpetrator", "voice"]
                    .iter()
                    .map(|k| Element {
                        key: (*k).into(),
                        title: format!("About {k}"),
                        short_title: None,
                    })
                    .collect(),
            },
        );
        s
    }

    #[test]
    fn the_default_template_fits_the_monthly_audit() {
        let s = settings();
        let cols = [(8, "Risk"), (9, "assessment"), (10, "Voice"), (11, "comments")];
        let f = fit(&s, &cols);
        assert_eq!(f.template, DEFAULT);
        let keys: Vec<&str> = f.elements.iter().map(|(_, e)| e.key.as_str()).collect();
        assert_eq!(keys, ["risk", "assessment", "voice"]);
        assert_eq!(f.unmatched, [11]);
    }

    #[test]
    fn a_themed_file_fits_its_template_by_key_or_title() {
        let s = settings();
        let cols = [
            (8, "risk"),
            (9, "Safety Plan"),
            (10, "About perpetrator"),
            (11, "voice"),
        ];
        let f = fit(&s, &cols);
        assert_eq!(f.template, "domestic-abuse");
        assert_eq!(f.elements.len(), 4);
        assert!(f.unmatched.is_empty());
    }

    #[test]
    fn no_elements_at_all_is_the_default_template() {
        let s = settings();
        let f = fit(&s, &[(3, "notes")]);
        assert_eq!(f.template, DEFAULT);
        assert!(f.elements.is_empty());
        assert_eq!(f.unmatched, [3]);
    }

    #[test]
    fn a_repeated_element_column_is_unmatched() {
        let s = settings();
        let f = fit(&s, &[(3, "risk"), (4, "Risk ")]);
        assert_eq!(f.elements.len(), 1);
        assert_eq!(f.unmatched, [4]);
    }
}
