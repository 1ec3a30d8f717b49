//! The columns of a completed audit that are not elements of practice: one table
//! of their names and kinds, which the settings check element keys against.

use crate::filter::FieldKind;
use crate::values::element_key;

/// The audit columns that are not elements of practice, in the order README.md#completed-audits lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    AuditId,
    CaseId,
    Month,
    AuditorId,
    Team,
    Service,
    Frame,
    CompletedOn,
    Overall,
    Strengths,
    Learning,
    Action,
    ActionOwner,
    ActionDue,
    ActionDone,
    SafeguardingConcern,
}

pub(crate) const FIELDS: [(Field, &str, FieldKind); 16] = [
    (Field::AuditId, "audit_id", FieldKind::Text),
    (Field::CaseId, "case_id", FieldKind::Text),
    (Field::Month, "month", FieldKind::Text),
    (Field::AuditorId, "auditor_id", FieldKind::Text),
    (Field::Team, "team", FieldKind::Text),
    (Field::Service, "service", FieldKind::Text),
    (Field::Frame, "frame", FieldKind::Text),
    (Field::CompletedOn, "completed_on", FieldKind::Date),
    (Field::Overall, "overall", FieldKind::Number),
    (Field::Strengths, "strengths", FieldKind::List),
    (Field::Learning, "learning", FieldKind::List),
    (Field::Action, "action", FieldKind::Text),
    (Field::ActionOwner, "action_owner", FieldKind::Text),
    (Field::ActionDue, "action_due", FieldKind::Date),
    (Field::ActionDone, "action_done", FieldKind::Bool),
    (
        Field::SafeguardingConcern,
        "safeguarding_concern",
        FieldKind::Bool,
    ),
];

/// The columns every audits file must have.
pub(crate) const REQUIRED: [&str; 6] = ["audit_id", "case_id", "month", "auditor_id", "team", "overall"];

/// The key and title of the overall grade, element 0 of every audit.
pub(crate) const OVERALL: &str = "overall";

/// Whether a heading (in any spelling) is one of the audit columns.
pub(crate) fn is_audit_field(heading: &str) -> bool {
    let key = element_key(heading);
    FIELDS.iter().any(|(_, name, _)| element_key(name) == key)
}

pub(crate) fn field_of(heading_key: &str) -> Option<usize> {
    FIELDS
        .iter()
        .position(|(_, name, _)| element_key(name) == heading_key)
}

pub(crate) fn field_index(f: Field) -> usize {
    FIELDS
        .iter()
        .position(|(x, ..)| *x == f)
        .expect("every Field is listed")
}
