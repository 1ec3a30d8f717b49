//! Which layout a file is, told from its headings: each layout counts the headings
//! it knows (standard names, built-in aliases, the settings' `[<layout>.columns]`
//! and, for audits and moderation, the elements of practice) and the best fit is
//! taken, or none when no layout fits well. No I/O.

use crate::config::Settings;
use crate::extract::{Std, standard};
use crate::layouts::headings::{Headings, Mapping};
use crate::values::{element_key, header_key};

/// The layouts a table can be read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Kind {
    Cases,
    Auditors,
    History,
    Allocation,
    Audits,
    Moderation,
}

impl Kind {
    /// Every layout, in the order that settles a tie (a history before an
    /// allocation, whose columns it shares).
    pub(crate) const ALL: [Kind; 6] = [
        Kind::Moderation,
        Kind::Audits,
        Kind::History,
        Kind::Allocation,
        Kind::Auditors,
        Kind::Cases,
    ];

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Kind::Cases => "case extract",
            Kind::Auditors => "auditors list",
            Kind::History => "audit history",
            Kind::Allocation => "allocation",
            Kind::Audits => "completed audits",
            Kind::Moderation => "moderation results",
        }
    }

    /// The heading table and settings mapping of every layout but the extract's.
    pub(crate) fn headings(self, settings: &Settings) -> Option<(&'static Headings, &Mapping)> {
        let [auditors, history, audits, moderation] = settings.layout_columns();
        match self {
            Kind::Cases => None,
            Kind::Auditors => Some(auditors),
            Kind::History => Some(history),
            Kind::Allocation => Some((&crate::layouts::allocation::HEADINGS, &NO_MAPPING)),
            Kind::Audits => Some(audits),
            Kind::Moderation => Some(moderation),
        }
    }
}

/// The mapping of a layout the settings cannot map (an allocation, which only
/// `allocate` writes).
static NO_MAPPING: Mapping = Mapping::new();

/// How a file's headings fit one layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fit {
    pub(crate) kind: Kind,
    /// What each known heading holds (a standard name or an element's key), in the
    /// file's column order.
    pub(crate) known: Vec<String>,
    /// Per column: what its heading holds, if it is known.
    pub(crate) held: Vec<Option<String>>,
    /// The required fields not found.
    pub(crate) missing: Vec<&'static str>,
    /// How many headings the file has.
    pub(crate) headings: usize,
}

impl Fit {
    /// Why the file was taken for this layout: `completed audits (7 of 9 headings
    /// known: audit_id, case_id, …)`.
    pub(crate) fn reason(&self) -> String {
        const LISTED: usize = 8;
        let mut names = self
            .known
            .iter()
            .take(LISTED)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if self.known.len() > LISTED {
            names.push_str(", …");
        }
        let lacking = if self.missing.is_empty() {
            String::new()
        } else {
            format!("; not found: {}", self.missing.join(", "))
        };
        format!(
            "{} ({} of {} headings known: {names}{lacking})",
            self.kind.describe(),
            self.known.len(),
            self.headings
        )
    }
}

/// The extract's standard fields. `standard` lists them by name only; the test
/// below keeps this list in step with it.
pub(crate) const EXTRACT: [Std; 12] = [
    Std::CaseId,
    Std::Team,
    Std::Worker,
    Std::Service,
    Std::StartDate,
    Std::EndDate,
    Std::Dob,
    Std::ReferralSource,
    Std::RiskFactors,
    Std::Status,
    Std::StepUp,
    Std::ChildName,
];

/// The fields every extract must have (as the extract's schema requires them).
pub(crate) const EXTRACT_REQUIRED: [Std; 2] = [Std::CaseId, Std::Team];

/// How `headers` fit one layout.
pub(crate) fn fit(kind: Kind, headers: &[String], settings: &Settings) -> Fit {
    let mut held: Vec<Option<String>> = vec![None; headers.len()];
    let missing = match kind.headings(settings) {
        None => {
            // As the extract's schema reads headings: a mapping, else the standard
            // name, else the other headings known for the field.
            let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
            let mut missing = Vec::new();
            for s in EXTRACT {
                let col = match settings.mapped_heading(s.name()) {
                    Some(heading) => keys.iter().position(|k| *k == header_key(heading)),
                    None => standard::headings_of(s).find_map(|h| keys.iter().position(|k| *k == h)),
                };
                match col {
                    Some(c) if held[c].is_none() => held[c] = Some(s.name().to_string()),
                    Some(_) => {}
                    None if EXTRACT_REQUIRED.contains(&s) => missing.push(s.name()),
                    None => {}
                }
            }
            missing
        }
        Some((layout, mapping)) => {
            let found = layout.find(headers, mapping);
            for (name, col) in layout.fields.iter().zip(&found.cols) {
                if let Some(c) = col {
                    held[*c] = Some((*name).to_string());
                }
            }
            if matches!(kind, Kind::Audits | Kind::Moderation) {
                for (c, h) in headers.iter().enumerate() {
                    if held[c].is_none() {
                        held[c] = element_named(settings, h);
                    }
                }
            }
            layout
                .required
                .iter()
                .copied()
                .filter(|name| found.col(name).is_none())
                .collect()
        }
    };
    Fit {
        kind,
        known: held.iter().flatten().cloned().collect(),
        held,
        missing,
        headings: headers.len(),
    }
}

/// The key of the element of practice (in any template) a heading names.
fn element_named(settings: &Settings, heading: &str) -> Option<String> {
    let key = element_key(heading);
    std::iter::once(&settings.template)
        .chain(settings.templates.values())
        .flat_map(|t| &t.elements)
        .find(|e| crate::templates::names_element(&key, e))
        .map(|e| e.key.clone())
}

/// The layout `headers` fit best, or why none fits well. The layout knowing the
/// most headings is taken (on a tie, one whose required fields are all there). It
/// fits well if it has all its required fields, or if it knows more headings than
/// any other, at least two and at least half of them: then reading it says which
/// required field is missing and how to map it.
pub(crate) fn best(headers: &[String], settings: &Settings) -> Result<Fit, String> {
    let mut fits: Vec<Fit> = Kind::ALL.iter().map(|&k| fit(k, headers, settings)).collect();
    // Stable: on a full tie, the order of Kind::ALL decides.
    fits.sort_by_key(|f| (std::cmp::Reverse(f.known.len()), !f.missing.is_empty()));
    let (top, next) = (&fits[0], &fits[1]);
    let clear = top.known.len() > next.known.len();
    let well = !top.known.is_empty()
        && (top.missing.is_empty()
            || (clear && top.known.len() >= 2 && 2 * top.known.len() >= headers.len()));
    if well {
        return Ok(fits.swap_remove(0));
    }
    let needs: Vec<String> = Kind::ALL
        .iter()
        .rev()
        .filter_map(|k| fits.iter().find(|f| f.kind == *k))
        .map(|f| format!("as {} it would need {}", a(f.kind), and_list(&f.missing)))
        .collect();
    Err(format!(
        "cannot tell what kind of file this is from its headings ({}): map its headings in caseaudit.toml ([auditors.columns] and the like; docs/vocabulary.md lists the headings known without it) or use --kind cases|auditors|history|allocation|audits|moderation|config",
        needs.join("; ")
    ))
}

/// The layout's description with its article: `a case extract`, `completed audits`.
fn a(kind: Kind) -> String {
    match kind {
        Kind::Audits | Kind::Moderation => kind.describe().to_string(),
        Kind::Auditors | Kind::History | Kind::Allocation => format!("an {}", kind.describe()),
        Kind::Cases => format!("a {}", kind.describe()),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => "nothing more".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(line: &str) -> Vec<String> {
        line.split(',').map(str::to_string).collect()
    }

    fn best_kind(line: &str, settings: &Settings) -> Option<Kind> {
        best(&headers(line), settings).ok().map(|f| f.kind)
    }

    #[test]
    fn the_extract_list_is_every_standard_field() {
        let listed: Vec<&str> = EXTRACT.iter().map(|s| s.name()).collect();
        assert_eq!(listed, standard::names().collect::<Vec<_>>());
    }

    #[test]
    fn each_layout_is_told_from_its_own_headings() {
        let s = Settings::default();
        for (line, kind) in [
            ("case_id,team,dob", Kind::Cases),
            ("case_id,team", Kind::Cases),
            ("Person ID,Team Name,Worker Name,Referral Date", Kind::Cases),
            (
                "auditor_id,name,team,role,capacity,active,manages",
                Kind::Auditors,
            ),
            ("Staff ID,Name,Team,Role", Kind::Auditors),
            ("month,case_id,team,auditor_id,frame", Kind::History),
            (
                "audit_id,case_id,month,auditor_id,team,overall,risk,voice",
                Kind::Audits,
            ),
            (
                "Audit ID,Child ID,Month,Auditor,Team,Date Completed,Overall Grade,Risk,Voice",
                Kind::Audits,
            ),
            (
                "audit_id,moderator_id,moderated_on,overall,challenged,note",
                Kind::Moderation,
            ),
            (
                "Audit ID,Moderator,Date Moderated,Moderated Grade,Notes",
                Kind::Moderation,
            ),
        ] {
            assert_eq!(best_kind(line, &s), Some(kind), "{line}");
        }
    }

    #[test]
    fn a_near_fit_is_taken_so_the_reader_can_say_what_is_missing() {
        let s = Settings::default();
        let fit = best(&headers("Staff Ref,Name,Team,Role"), &s).unwrap();
        assert_eq!(fit.kind, Kind::Auditors);
        assert_eq!(fit.missing, ["auditor_id"]);
        assert_eq!(
            fit.reason(),
            "auditors list (3 of 4 headings known: name, team, role; not found: auditor_id)"
        );
        // An audits file without its month is still audits, not an extract that
        // happens to have a case id and a team.
        let fit = best(
            &headers("audit_id,case_id,auditor_id,team,overall,risk,voice"),
            &s,
        )
        .unwrap();
        assert_eq!(fit.kind, Kind::Audits);
    }

    #[test]
    fn no_fit_says_what_each_layout_would_need() {
        let s = Settings::default();
        let why = best(&headers("Colour,Shape,Size"), &s).unwrap_err();
        assert!(why.starts_with("cannot tell what kind of file this is from its headings (as a case extract it would need case_id and team; as an auditors list it would need auditor_id, name and team;"), "{why}");
        assert!(!why.contains('\n'));
        // Two layouts knowing as much as each other: neither is taken.
        assert_eq!(best_kind("auditor_id,team,x,y", &s), None);
    }

    #[test]
    fn mappings_count() {
        let s = Settings::parse("[auditors.columns]\nauditor_id = \"Staff Ref\"\n", "x.toml").unwrap();
        let fit = best(&headers("Staff Ref,Name,Team"), &s).unwrap();
        assert_eq!((fit.kind, fit.known.len()), (Kind::Auditors, 3));
        assert!(fit.missing.is_empty());
    }
}
