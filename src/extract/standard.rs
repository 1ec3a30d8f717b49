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

/// Other headings that mean a standard field without any mapping (Annex A's own words).
pub(super) const ALIASES: [(&str, Std); 8] = [
    ("child unique id", Std::CaseId),
    ("case id", Std::CaseId),
    ("allocated team", Std::Team),
    ("allocated worker", Std::Worker),
    ("date of birth", Std::Dob),
    ("referral source", Std::ReferralSource),
    ("risk factors", Std::RiskFactors),
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
}

pub(super) const DERIVED: [(Derived, &str, FieldKind); 5] = [
    (Derived::Age, "age", FieldKind::Number),
    (Derived::AgeAtStart, "age_at_start", FieldKind::Number),
    (Derived::DaysOpen, "days_open", FieldKind::Number),
    (Derived::Status, "status", FieldKind::Text),
    (Derived::StepUp, "step_up", FieldKind::Bool),
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
