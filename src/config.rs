//! The settings file (README.md#settings): its shape, built-in defaults, and checks that name
//! the key and its line. No file I/O here: [`Settings::parse`] takes the text.

use crate::extract::standard;
use crate::filter::Filter;
use crate::grades::GradeSettings;
use crate::layouts::headings::{Headings, Mapping};
use crate::problem::Problem;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;

/// The standard extract fields that `[extract.columns]` may map.

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Settings {
    pub(crate) input: InputSettings,
    pub(crate) extract: ExtractSettings,
    pub(crate) grades: GradeSettings,
    pub(crate) template: Template,
    /// Named templates for themed audits: `[templates.domestic-abuse]`.
    pub(crate) templates: BTreeMap<String, Template>,
    pub(crate) sampling: SamplingSettings,
    pub(crate) allocation: AllocationSettings,
    pub(crate) moderation: ModerationSettings,
    pub(crate) privacy: PrivacySettings,
    /// `[auditors.columns]`, `[history.columns]`, `[audits.columns]`: the headings of
    /// those files mapped as `[extract.columns]` maps an extract's.
    pub(crate) auditors: AuditorsSettings,
    pub(crate) history: HistorySettings,
    pub(crate) audits: LayoutSettings,
    /// `[[focus]]`: the months' learning focus, for the report's *Learning focus*
    /// section and `themes --focus`.
    pub(crate) focus: Vec<Focus>,
    /// `[forms]`: what the audit forms offer in their dropdowns.
    pub(crate) forms: FormsSettings,
}

/// One learning focus: from `month` on, the service concentrates on `element`,
/// and the report shows that element before and since.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Focus {
    /// `YYYY-MM`, the first month of the focus.
    pub(crate) month: Spanned<String>,
    /// The key of an element of the audit template.
    pub(crate) element: Spanned<String>,
    /// What the focus is called, e.g. "Chronologies".
    pub(crate) title: String,
}

impl Focus {
    /// The first month, once checked by [`Settings::parse`].
    pub(crate) fn start(&self) -> Option<crate::dates::Month> {
        self.month.get_ref().parse().ok()
    }
}

/// `[forms]`: the theme tags the forms' strengths and learning offer, and
/// whether a form names the child.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct FormsSettings {
    /// Theme tags, in the order the dropdown lists them; an auditor may also
    /// type their own words after a tag.
    pub(crate) tags: Vec<String>,
    /// Put the child's name and date of birth in each audit form's header
    /// block (from the extract). Off unless asked: forms travel by email.
    pub(crate) identify_child: bool,
}

/// Common themes of case file audits, offered when `[forms] tags` is not set.
pub(crate) const DEFAULT_TAGS: [&str; 12] = [
    "child-voice",
    "chronology",
    "supervision",
    "planning",
    "multi-agency",
    "timeliness",
    "recording",
    "direct-work",
    "family-engagement",
    "risk-analysis",
    "genogram",
    "contingency-planning",
];

impl Default for FormsSettings {
    fn default() -> Self {
        FormsSettings {
            tags: DEFAULT_TAGS.iter().map(|t| (*t).to_string()).collect(),
            identify_child: false,
        }
    }
}

/// The settings of a layout other than the extract's: its heading mapping.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct LayoutSettings {
    /// standard name → heading in the user's file
    pub(crate) columns: Mapping,
}

/// `[auditors]`: its heading mapping, and where the list is kept.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct AuditorsSettings {
    /// standard name → heading in the user's file
    pub(crate) columns: Mapping,
    /// The auditors list used when `--auditors` is not given.
    pub(crate) path: Option<String>,
}

/// `[history]`: its heading mapping, and where it is kept.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct HistorySettings {
    /// standard name → heading in the user's file
    pub(crate) columns: Mapping,
    /// The history file used when `--history` is not given.
    pub(crate) path: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct PrivacySettings {
    /// The secret behind `--redact` pseudonyms; keep it out of shared folders.
    pub(crate) redact_key: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ExtractLayout {
    /// Annex A lists read as such when their headings show them, anything
    /// else in the standard layout.
    #[default]
    Auto,
    Standard,
    AnnexA,
}

impl ExtractLayout {
    /// The name the settings and the manifest use.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ExtractLayout::Auto => "auto",
            ExtractLayout::Standard => "standard",
            ExtractLayout::AnnexA => "annex-a",
        }
    }
}

/// How input files are read, where the command line does not say (`[input]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct InputSettings {
    pub(crate) encoding: Option<crate::csvio::Encoding>,
    /// One character, or `tab`.
    pub(crate) delimiter: Option<Spanned<String>>,
    /// The row the headings are on (1 = the first).
    pub(crate) header_row: Option<u64>,
}

impl InputSettings {
    /// The delimiter, once checked by [`Settings::parse`].
    pub(crate) fn delimiter(&self) -> Option<u8> {
        self.delimiter
            .as_ref()
            .and_then(|d| crate::csvio::parse_delimiter(d.get_ref()).ok())
    }
}

/// Rows that share a case id (`[extract] repeated_ids`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RepeatedIds {
    /// One case: its rows are episodes (or factors, or workers), folded into one.
    #[default]
    Fold,
    /// An error on every repeat, for extracts that must hold one row a case.
    Error,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ExtractSettings {
    pub(crate) layout: ExtractLayout,
    /// What rows that share a case id are: episodes of one case, or an error.
    pub(crate) repeated_ids: RepeatedIds,
    /// standard name → heading in the user's extract
    pub(crate) columns: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Template {
    pub(crate) elements: Vec<Element>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Element {
    pub(crate) key: String,
    pub(crate) title: String,
    /// What charts print where the title is long (the title when not given).
    #[serde(default)]
    pub(crate) short_title: Option<String>,
}

impl Element {
    /// The short title where one is set, else the title.
    pub(crate) fn short(&self) -> &str {
        self.short_title.as_deref().unwrap_or(&self.title)
    }
}

/// The nine elements of practice of the monthly audit (docs/vocabulary.md#elements-of-practice).
const DEFAULT_ELEMENTS: [(&str, &str); 9] = [
    (
        "risk",
        "Timely identification, response and reduction of risk and need",
    ),
    (
        "assessment",
        "Assessments are timely, comprehensive, analytical and of good quality",
    ),
    (
        "plans",
        "Plans and reviews drive progress towards positive outcomes",
    ),
    (
        "voice",
        "Children's voices and lived experience are at the centre",
    ),
    ("family", "Families are appropriately engaged"),
    ("partners", "Partner professionals work collaboratively"),
    (
        "management",
        "Management oversight is effective, proportionate and timely",
    ),
    ("records", "Case records are correct and up to date"),
    ("impact", "How have we made a difference to the child's life?"),
];

impl Default for Template {
    fn default() -> Self {
        Template {
            elements: DEFAULT_ELEMENTS
                .iter()
                .map(|(k, t)| Element {
                    key: (*k).to_string(),
                    title: (*t).to_string(),
                    short_title: None,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct SamplingSettings {
    pub(crate) exclude_audited_within_months: u32,
    pub(crate) frames: Vec<Frame>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Frame {
    pub(crate) name: String,
    #[serde(rename = "where")]
    pub(crate) filter: Spanned<String>,
    pub(crate) size: u32,
    #[serde(default)]
    pub(crate) stratify: Option<String>,
    #[serde(default)]
    pub(crate) per_stratum: Option<u32>,
}

impl Frame {
    fn example(name: &str, filter: &str, size: u32, stratify: Option<&str>) -> Frame {
        Frame {
            name: name.to_string(),
            filter: Spanned::new(0..0, filter.to_string()),
            size,
            stratify: stratify.map(str::to_string),
            per_stratum: None,
        }
    }
}

impl Default for SamplingSettings {
    fn default() -> Self {
        SamplingSettings {
            exclude_audited_within_months: 12,
            frames: vec![
                Frame::example(
                    "closed-6m",
                    "status = closed and end_date within 6 months",
                    10,
                    Some("team"),
                ),
                Frame::example("step-up", "step_up", 5, None),
                Frame::example("neglect", "risk_factors contains neglect", 10, None),
            ],
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct AllocationSettings {
    pub(crate) default_capacity: u32,
    pub(crate) rotate_months: u32,
    /// Day of the month by which audits are due.
    pub(crate) due_day: u32,
}

impl Default for AllocationSettings {
    fn default() -> Self {
        AllocationSettings {
            default_capacity: 2,
            rotate_months: 3,
            due_day: 20,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ModerationSettings {
    pub(crate) rate: f64,
    pub(crate) min_per_auditor: u32,
    /// `min_per_auditor` is reached over this many months: the month chosen for
    /// and the ones before it.
    pub(crate) auditor_window_months: u32,
    pub(crate) always: Spanned<String>,
    /// standard name → heading in the user's moderation results
    pub(crate) columns: Mapping,
}

impl Default for ModerationSettings {
    fn default() -> Self {
        ModerationSettings {
            rate: 0.10,
            min_per_auditor: 1,
            auditor_window_months: 3,
            always: Spanned::new(0..0, "overall = Inadequate".into()),
            columns: Mapping::new(),
        }
    }
}

impl Settings {
    /// Parses and checks a settings file's text. Every problem names the key and its line.
    pub(crate) fn parse(text: &str, file: &str) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            vec![Problem::error(file, line, None, e.message().trim().to_string())]
        })?;
        let problems = settings.check(text, file);
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(problems)
        }
    }

    fn check(&self, text: &str, file: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut problem = |span: Option<std::ops::Range<usize>>, key: &str, message: String| {
            let line = span.filter(|s| s.end > 0).map(|s| line_of(text, s.start));
            problems.push(Problem::error(
                file,
                line,
                None,
                format!("key \"{key}\": {message}"),
            ));
        };
        if let Some(d) = &self.input.delimiter
            && let Err(e) = crate::csvio::parse_delimiter(d.get_ref())
        {
            problem(Some(d.span()), "input.delimiter", e);
        }
        if self.input.header_row == Some(0) {
            problem(None, "input.header_row", "rows count from 1".into());
        }
        for (name, heading) in &self.extract.columns {
            if !standard::names().any(|n| n == name) {
                problem(
                    Some(heading.span()),
                    &format!("extract.columns.{name}"),
                    format!(
                        "\"{name}\" is not a standard field (expected one of {})",
                        standard::names().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
        for (layout, columns) in self.layout_columns() {
            for (key, message, span) in mapping_problems(layout, columns) {
                problem(Some(span), &key, message);
            }
        }
        if self.grades.scale.len() < 2 {
            problem(None, "grades.scale", "the scale needs at least two grades".into());
        }
        if self.grades.good_or_better == 0 || self.grades.good_or_better >= self.grades.scale.len().max(1) {
            problem(
                None,
                "grades.good_or_better",
                format!(
                    "must be between 1 and {} (one less than the grades in the scale)",
                    self.grades.scale.len().max(2) - 1
                ),
            );
        }
        if self.grades.scale.len() >= 2
            && let Err(errors) = crate::grades::Scale::new(&self.grades)
        {
            for (key, message) in errors {
                problem(None, &key, message);
            }
        }
        let named = self.templates.iter().map(|(n, t)| (format!("templates.{n}"), t));
        for (name, template) in std::iter::once(("template".to_string(), &self.template)).chain(named) {
            let mut keys = HashSet::new();
            for (i, e) in template.elements.iter().enumerate() {
                let key = crate::values::header_key(&e.key);
                let what = format!("{name}.elements[{i}].key");
                if key.is_empty() || !keys.insert(key.clone()) {
                    problem(None, &what, format!("\"{}\" is empty or used twice", e.key));
                } else if let Some(field) = crate::audits::fields::audit_field_named(&key) {
                    problem(
                        None,
                        &what,
                        format!(
                            "\"{}\" is a column of every audit ({field}), not an element of practice",
                            e.key
                        ),
                    );
                } else if crate::forms::keys::reserved()
                    .any(|r| crate::values::element_key(r) == crate::values::element_key(&e.key))
                {
                    let mut reserved: Vec<&str> = Vec::new();
                    for r in crate::forms::keys::reserved() {
                        if !reserved.contains(&r) {
                            reserved.push(r);
                        }
                    }
                    problem(
                        key_span(text, &e.key),
                        &what,
                        format!(
                            "\"{}\" is a key the audit and moderation forms use for themselves, so the element could not be told from it; give the element another key (the forms' own: {})",
                            e.key,
                            reserved.join(", ")
                        ),
                    );
                }
            }
        }
        for (i, f) in self.focus.iter().enumerate() {
            let key = format!("focus[{i}]");
            if let Err(e) = f.month.get_ref().parse::<crate::dates::Month>() {
                problem(Some(f.month.span()), &format!("{key}.month"), e);
            }
            let wanted = crate::values::element_key(f.element.get_ref());
            let known = std::iter::once(&self.template)
                .chain(self.templates.values())
                .flat_map(|t| &t.elements)
                .any(|e| crate::values::element_key(&e.key) == wanted);
            if !known {
                let keys: Vec<&str> = self.template.elements.iter().map(|e| e.key.as_str()).collect();
                problem(
                    Some(f.element.span()),
                    &format!("{key}.element"),
                    format!(
                        "\"{}\" is not an element of the audit template (its keys: {})",
                        f.element.get_ref(),
                        keys.join(", ")
                    ),
                );
            }
            if f.title.trim().is_empty() {
                problem(
                    Some(f.element.span()),
                    &format!("{key}.title"),
                    "the focus needs a title".into(),
                );
            }
        }
        if self.templates.contains_key("default") {
            problem(
                None,
                "templates.default",
                "the default template is [template]; give a themed template another name".into(),
            );
        }
        let mut names = HashSet::new();
        for (i, f) in self.sampling.frames.iter().enumerate() {
            let key = format!("sampling.frames[{i}]");
            if f.name.trim().is_empty() || !names.insert(f.name.clone()) {
                problem(
                    Some(f.filter.span()),
                    &format!("{key}.name"),
                    format!("frame name \"{}\" is empty or used twice", f.name),
                );
            }
            if let Err(e) = Filter::check_syntax(f.filter.get_ref()) {
                problem(Some(f.filter.span()), &format!("{key}.where"), e.to_string());
            }
            if f.per_stratum.is_some() && f.stratify.is_none() {
                problem(
                    Some(f.filter.span()),
                    &format!("{key}.per_stratum"),
                    "needs `stratify = FIELD` as well".into(),
                );
            }
        }
        if !(0.0..=1.0).contains(&self.moderation.rate) {
            problem(
                None,
                "moderation.rate",
                format!(
                    "{} is not a share between 0 and 1 (e.g. 0.10)",
                    self.moderation.rate
                ),
            );
        }
        if !(1..=120).contains(&self.moderation.auditor_window_months) {
            problem(
                None,
                "moderation.auditor_window_months",
                format!(
                    "{} is not a number of months from 1 to 120 (e.g. 3: the month and the two before it)",
                    self.moderation.auditor_window_months
                ),
            );
        }
        if let Err(e) = Filter::check_syntax(self.moderation.always.get_ref()) {
            problem(
                Some(self.moderation.always.span()),
                "moderation.always",
                e.to_string(),
            );
        }
        if !(1..=31).contains(&self.allocation.due_day) {
            problem(
                None,
                "allocation.due_day",
                "must be a day of the month, 1 to 31".into(),
            );
        }
        problems
    }

    /// Every heading the settings map a column to, in any file, as header keys.
    pub(crate) fn mapped_headings(&self) -> impl Iterator<Item = String> {
        let layouts = self.layout_columns().into_iter().flat_map(|(_, m)| m.values());
        self.extract
            .columns
            .values()
            .chain(layouts)
            .map(|h| crate::values::header_key(h.get_ref()))
            .collect::<Vec<_>>()
            .into_iter()
    }

    /// The layouts other than the extract's, each with its `[<layout>.columns]`.
    pub(crate) fn layout_columns(&self) -> [(&'static Headings, &Mapping); 4] {
        [
            (&crate::layouts::auditors::HEADINGS, &self.auditors.columns),
            (&crate::layouts::history::HEADINGS, &self.history.columns),
            (&crate::audits::HEADINGS, &self.audits.columns),
            (&crate::moderation::HEADINGS, &self.moderation.columns),
        ]
    }

    /// Every heading of any layout, built in or mapped by these settings, as
    /// [`crate::values::heading_key`]s: what marks a file's header row.
    pub(crate) fn known_headings(&self) -> HashSet<String> {
        use crate::values::heading_key;
        let extract = standard::known_headings();
        let layouts = self.layout_columns().into_iter().flat_map(|(headings, _)| {
            headings
                .fields
                .iter()
                .copied()
                .chain(headings.aliases.iter().map(|(alias, _)| *alias))
                .map(str::to_string)
        });
        let outputs = crate::layouts::sample::COLUMNS
            .iter()
            .chain(&crate::layouts::allocation::COLUMNS)
            .map(|h| h.to_string());
        extract
            .chain(layouts)
            .chain(outputs)
            .chain(self.mapped_headings())
            .map(|h| heading_key(&h))
            .collect()
    }

    /// The heading in the user's extract for a standard field, if mapped.
    pub(crate) fn mapped_heading(&self, standard: &str) -> Option<&str> {
        self.extract.columns.get(standard).map(|s| s.get_ref().as_str())
    }
}

/// Where `key = "<value>"` is written in the settings' text (the elements of
/// a template carry no position of their own): the first such value.
fn key_span(text: &str, value: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        for quote in ['"', '\''] {
            let quoted = format!("{quote}{value}{quote}");
            for (at, _) in line.match_indices(&quoted) {
                let before = line[..at].trim_end();
                if let Some(before) = before.strip_suffix('=')
                    && before.trim_end().ends_with("key")
                {
                    return Some(offset + at..offset + at + quoted.len());
                }
            }
        }
        offset += line.len();
    }
    None
}

/// The problems of one layout's `[<layout>.columns]`, as (key, message, where): a
/// name that is not one of the layout's fields, a heading mapped to two fields.
fn mapping_problems(layout: &Headings, columns: &Mapping) -> Vec<(String, String, std::ops::Range<usize>)> {
    let mut found = Vec::new();
    let mut seen: Vec<(String, &str)> = Vec::new();
    for (name, heading) in columns {
        let key = format!("{}.columns.{name}", layout.section);
        let heading_key = crate::layouts::headings::heading_key(heading.get_ref());
        if !layout.fields.contains(&name.as_str()) {
            found.push((
                key,
                format!(
                    "\"{name}\" is not a column of the {} layout (expected one of {})",
                    layout.section,
                    layout.fields.join(", ")
                ),
                heading.span(),
            ));
        } else if let Some((_, other)) = seen.iter().find(|(k, _)| *k == heading_key) {
            found.push((
                key,
                format!("\"{}\" is already mapped to {other}", heading.get_ref()),
                heading.span(),
            ));
        } else {
            seen.push((heading_key, name));
        }
    }
    found
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> u64 {
    let upto = &text.as_bytes()[..offset.min(text.len())];
    upto.iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let s = Settings::parse("", "x.toml").unwrap();
        assert_eq!(s.template.elements.len(), 9);
        assert_eq!(s.sampling.frames.len(), 3);
        assert_eq!(s.grades.good_or_better, 2);
    }

    #[test]
    fn a_learning_focus_names_a_month_and_an_element() {
        let s = Settings::parse(
            "[[focus]]\nmonth = \"2026-05\"\nelement = \"records\"\ntitle = \"Case recording\"\n",
            "x.toml",
        )
        .unwrap();
        assert_eq!(s.focus.len(), 1);
        assert_eq!(s.focus[0].start(), Some("2026-05".parse().unwrap()));
        assert_eq!(s.focus[0].title, "Case recording");
        // An element of a template other than the default is a focus too.
        let themed = "[templates.da]\n[[templates.da.elements]]\nkey = \"safety_plan\"\ntitle = \"Safety planning\"\n\n[[focus]]\nmonth = \"2026-05\"\nelement = \"Safety Plan\"\ntitle = \"Safety\"\n";
        assert!(Settings::parse(themed, "x.toml").is_ok());
    }

    #[test]
    fn an_element_keyed_as_the_forms_own_keys_is_refused_with_its_line() {
        for (reserved, line) in [("evidence", 5), ("worker", 5), ("Due", 5), ("moderator id", 5)] {
            let text = format!(
                "[template]\nelements = [\n  {{ key = \"risk\", title = \"Risk\" }},\n\n  {{ key = \"{reserved}\", title = \"X\" }},\n]\n"
            );
            let err = Settings::parse(&text, "x.toml").unwrap_err();
            assert_eq!(err.len(), 1, "{err:?}");
            assert_eq!(err[0].line, Some(line), "{reserved}: {err:?}");
            assert!(
                err[0].message.starts_with(&format!(
                    "key \"template.elements[1].key\": \"{reserved}\" is a key the audit and moderation forms use for themselves"
                )),
                "{}",
                err[0].message
            );
        }
        let themed = "[templates.da]\n[[templates.da.elements]]\nkey = 'value'\ntitle = \"Value\"\n";
        let err = Settings::parse(themed, "x.toml").unwrap_err();
        assert_eq!(err[0].line, Some(3), "{err:?}");
        assert!(
            err[0]
                .message
                .contains("key \"templates.da.elements[0].key\": \"value\""),
            "{err:?}"
        );
        // A key that only contains one of them is an element like any other.
        assert!(
            Settings::parse(
                "[[template.elements]]\nkey = \"evidence_of_impact\"\ntitle = \"E\"\n",
                "x.toml"
            )
            .is_ok()
        );
    }

    #[test]
    fn a_bad_focus_names_its_key_and_line() {
        let text = "[grades]\ngood_or_better = 2\n\n[[focus]]\nmonth = \"May 2026\"\nelement = \"chronology\"\ntitle = \" \"\n";
        let err = Settings::parse(text, "x.toml").unwrap_err();
        let said: Vec<(Option<u64>, &str)> = err.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert_eq!(err.len(), 3, "{said:?}");
        assert_eq!(err[0].line, Some(5));
        assert!(err[0].message.contains("key \"focus[0].month\""), "{said:?}");
        assert!(err[0].message.contains("\"May 2026\" is not a month"), "{said:?}");
        assert_eq!(err[1].line, Some(6));
        assert!(
            err[1].message.contains("key \"focus[0].element\": \"chronology\" is not an element of the audit template (its keys: risk,"),
            "{said:?}"
        );
        assert!(err[2].message.contains("focus[0].title"), "{said:?}");
        // A missing field is the TOML reader's error, with its line.
        let err = Settings::parse("[[focus]]\nmonth = \"2026-05\"\n", "x.toml").unwrap_err();
        assert!(err[0].message.contains("missing field"), "{:?}", err[0].message);
        assert_eq!(err[0].line, Some(1));
    }

    #[test]
    fn unknown_keys_name_their_line() {
        let err = Settings::parse(
            "[sampling]\nexclude_audited_within_months = 6\nbogus = 1\n",
            "x.toml",
        )
        .unwrap_err();
        assert_eq!(err[0].line, Some(3));
        assert!(err[0].message.contains("bogus"), "{}", err[0].message);
    }

    #[test]
    fn wrong_types_and_negative_sizes() {
        let text = "[[sampling.frames]]\nname = \"a\"\nwhere = \"step_up\"\nsize = -3\n";
        let err = Settings::parse(text, "x.toml").unwrap_err();
        assert_eq!(err[0].line, Some(4), "{:?}", err);
    }

    #[test]
    fn bad_expressions_name_key_and_line() {
        let text = "[[sampling.frames]]\nname = \"a\"\nwhere = \"status == closed\"\nsize = 3\n";
        let err = Settings::parse(text, "x.toml").unwrap_err();
        assert_eq!(err[0].line, Some(3));
        assert!(
            err[0].message.contains("sampling.frames[0].where"),
            "{}",
            err[0].message
        );
    }

    #[test]
    fn themed_templates_and_grade_synonyms() {
        let text = "[grades.synonyms]\n\"Requires improvement\" = [\"RI2BG\", \"Needs work\"]\n\n\
                    [templates.domestic-abuse]\n\
                    [[templates.domestic-abuse.elements]]\nkey = \"safety_plan\"\ntitle = \"Safety planning\"\n";
        let s = Settings::parse(text, "x.toml").unwrap();
        assert_eq!(s.templates["domestic-abuse"].elements[0].key, "safety_plan");
        assert_eq!(s.template.elements.len(), 9, "the default template is kept");
        assert_eq!(s.grades.synonyms["Requires improvement"].len(), 2);
    }

    #[test]
    fn every_layout_maps_its_headings() {
        let text = "[auditors.columns]\nauditor_id = \"Staff Ref\"\n\n[audits.columns]\noverall = \"Judgement\"\n\n\
                    [history.columns]\nmonth = \"Period\"\n\n[moderation]\nrate = 0.2\n[moderation.columns]\nnote = \"Why\"\n";
        let s = Settings::parse(text, "x.toml").unwrap();
        assert_eq!(s.auditors.columns["auditor_id"].get_ref(), "Staff Ref");
        assert_eq!(s.audits.columns["overall"].get_ref(), "Judgement");
        assert_eq!(s.history.columns["month"].get_ref(), "Period");
        assert_eq!(s.moderation.columns["note"].get_ref(), "Why");
    }

    #[test]
    fn unknown_layout_columns_name_key_and_line() {
        let text = "[auditors.columns]\nname = \"Full\"\nstaff = \"Staff Ref\"\n\n\
                    [moderation.columns]\nmoderator_id = \"By\"\nnote = \"by\"\n";
        let err = Settings::parse(text, "x.toml").unwrap_err();
        let shown: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "x.toml:3: key \"auditors.columns.staff\": \"staff\" is not a column of the auditors layout \
                 (expected one of auditor_id, name, team, role, capacity, active, manages, email)",
                "x.toml:7: key \"moderation.columns.note\": \"by\" is already mapped to moderator_id",
            ]
        );
    }

    #[test]
    fn an_element_may_not_be_an_audit_columns_other_name() {
        let text = "[templates.da]\n[[templates.da.elements]]\nkey = \"Date Completed\"\ntitle = \"T\"\n";
        let err = Settings::parse(text, "x.toml").unwrap_err();
        assert_eq!(
            err[0].message,
            "key \"templates.da.elements[0].key\": \"Date Completed\" is a column of every audit (completed_on), not an element of practice"
        );
    }

    #[test]
    fn bad_templates_and_synonyms_name_their_key() {
        let text = "[grades.synonyms]\nExcellent = [\"E\"]\n\n\
                    [templates.default]\n[[templates.default.elements]]\nkey = \"a\"\ntitle = \"A\"\n\n\
                    [templates.da]\n[[templates.da.elements]]\nkey = \"Team\"\ntitle = \"T\"\n";
        let err = Settings::parse(text, "x.toml").unwrap_err();
        let messages: Vec<&str> = err.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(
            messages[0].starts_with("key \"grades.synonyms.\"Excellent\"\": \"Excellent\" is not a grade")
        );
        assert!(
            messages[1]
                .starts_with("key \"templates.da.elements[0].key\": \"Team\" is a column of every audit")
        );
        assert!(messages[2].starts_with("key \"templates.default\""));
    }
}
