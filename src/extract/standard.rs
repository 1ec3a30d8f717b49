//! The standard fields of a case extract: one table of their names and kinds, the
//! other headings that mean them, and the fields derived from them. Every list
//! of standard fields in caseaudit (the settings' mappable names, Annex A's
//! columns) is derived from this table.

use crate::filter::FieldKind;

/// The standard fields an extract column can stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Std {
    CaseId,
    Team,
    Worker,
    Service,
    StartDate,
    EndDate,
    Dob,
    ReferralSource,
    RiskFactors,
    Status,
    StepUp,
    ChildName,
}

pub(super) const STD_FIELDS: [(Std, &str, FieldKind); 12] = [
    (Std::CaseId, "case_id", FieldKind::Text),
    (Std::Team, "team", FieldKind::Text),
    (Std::Worker, "worker", FieldKind::Text),
    (Std::Service, "service", FieldKind::Text),
    (Std::StartDate, "start_date", FieldKind::Date),
    (Std::EndDate, "end_date", FieldKind::Date),
    (Std::Dob, "dob", FieldKind::Date),
    (Std::ReferralSource, "referral_source", FieldKind::Text),
    (Std::RiskFactors, "risk_factors", FieldKind::List),
    (Std::Status, "status", FieldKind::Text),
    (Std::StepUp, "step_up", FieldKind::Bool),
    (Std::ChildName, "child_name", FieldKind::Text),
];

/// Other headings that mean a standard field without any mapping: Annex A's own
/// words, the statutory returns' (CIN census, SSDA903) and those the common case
/// management systems export under (as header keys: lowercase, single spaces).
/// Where a file has several, the first listed wins.
pub(super) const ALIASES: [(&str, Std); 30] = [
    ("child unique id", Std::CaseId),
    ("case id", Std::CaseId),
    ("person id", Std::CaseId),
    ("child id", Std::CaseId),
    ("lachildid", Std::CaseId),
    ("child", Std::CaseId),
    ("allocated team", Std::Team),
    ("team name", Std::Team),
    ("allocated worker", Std::Worker),
    ("allocated social worker", Std::Worker),
    ("worker name", Std::Worker),
    ("date of birth", Std::Dob),
    ("personbirthdate", Std::Dob),
    ("referral date", Std::StartDate),
    ("cin start date", Std::StartDate),
    ("cinreferraldate", Std::StartDate),
    ("episode start date", Std::StartDate),
    ("decom", Std::StartDate),
    ("closure date", Std::EndDate),
    ("case closure date", Std::EndDate),
    ("cinclosuredate", Std::EndDate),
    ("episode end date", Std::EndDate),
    ("dec", Std::EndDate),
    ("referral source", Std::ReferralSource),
    ("risk factors", Std::RiskFactors),
    ("factors identified at assessment", Std::RiskFactors),
    ("assessment factors", Std::RiskFactors),
    ("latest category of abuse", Std::RiskFactors),
    ("category of abuse", Std::RiskFactors),
    ("step up", Std::StepUp),
];

/// Fields computed from others, usable in `--where` and `--columns`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Derived {
    Age,
    AgeAtStart,
    DaysOpen,
    Status,
    StepUp,
    Episodes,
}

pub(super) const DERIVED: [(Derived, &str, FieldKind); 6] = [
    (Derived::Age, "age", FieldKind::Number),
    (Derived::AgeAtStart, "age_at_start", FieldKind::Number),
    (Derived::DaysOpen, "days_open", FieldKind::Number),
    (Derived::Status, "status", FieldKind::Text),
    (Derived::StepUp, "step_up", FieldKind::Bool),
    (Derived::Episodes, "episodes", FieldKind::Number),
];

/// Where a standard field is in `STD_FIELDS`, which lists them in declaration order.
pub(super) fn std_index(s: Std) -> usize {
    s as usize
}

impl Std {
    /// The field's standard name (`case_id`, `start_date`, …).
    pub(crate) fn name(self) -> &'static str {
        STD_FIELDS[std_index(self)].1
    }
}

/// Every standard field's name, in the table's order.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    STD_FIELDS.iter().map(|(_, name, _)| *name)
}

/// Every heading (as a header key) that means a standard field without any mapping.
pub(crate) fn known_headings() -> impl Iterator<Item = String> {
    STD_FIELDS.iter().flat_map(|(s, ..)| headings_of(*s))
}

/// The headings (as header keys) that mean a standard field without any mapping:
/// its name, its name with spaces, and the other headings listed for it.
pub(crate) fn headings_of(s: Std) -> impl Iterator<Item = String> {
    let name = s.name();
    [name.to_string(), name.replace('_', " ")].into_iter().chain(
        ALIASES
            .iter()
            .filter(move |(_, a)| *a == s)
            .map(|(h, _)| (*h).to_string()),
    )
}
