//! The columns of a completed audit that are not elements of practice: one table
//! of their names and kinds, which the settings check element keys against.

use crate::filter::FieldKind;
use crate::layouts::headings::{Headings, heading_key};
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

/// The audits file's standard columns either side of the elements: the case (up
/// to `completed_on`), then the findings (from `overall`), as [`FIELDS`] has them.
pub(crate) fn columns_around_elements() -> (&'static [&'static str], &'static [&'static str]) {
    let at = NAMES
        .iter()
        .position(|n| *n == "overall")
        .expect("overall is a field");
    NAMES.split_at(at)
}

/// The standard names of [`FIELDS`], in its order.
const NAMES: [&str; FIELDS.len()] = {
    let mut names = [""; FIELDS.len()];
    let mut i = 0;
    while i < FIELDS.len() {
        names[i] = FIELDS[i].1;
        i += 1;
    }
    names
};

/// The audit columns, and the headings audit forms and spreadsheets commonly
/// export them under. Kept clear of words a template's element might use.
pub(crate) const HEADINGS: Headings = Headings {
    section: "audits",
    fields: &NAMES,
    aliases: &[
        ("Audit Ref", "audit_id"),
        ("Audit Reference", "audit_id"),
        ("Audit Number", "audit_id"),
        ("Person ID", "case_id"),
        ("Child ID", "case_id"),
        ("Case Reference", "case_id"),
        ("Audit Month", "month"),
        ("Auditor", "auditor_id"),
        ("Team Name", "team"),
        ("Service Area", "service"),
        ("Sampling Frame", "frame"),
        ("Sample Frame", "frame"),
        ("Completed", "completed_on"),
        ("Date Completed", "completed_on"),
        ("Completion Date", "completed_on"),
        ("Overall Grade", "overall"),
        ("Overall Judgement", "overall"),
        ("Overall Rating", "overall"),
        ("Areas of Strength", "strengths"),
        ("Learning Points", "learning"),
        ("Areas for Development", "learning"),
        ("Action Required", "action"),
        ("Action By", "action_owner"),
        ("Action Due Date", "action_due"),
        ("Action Completed", "action_done"),
        ("Safeguarding Concerns", "safeguarding_concern"),
    ],
    required: &REQUIRED,
};

/// The columns every audits file must have.
pub(crate) const REQUIRED: [&str; 6] = ["audit_id", "case_id", "month", "auditor_id", "team", "overall"];

/// The key and title of the overall grade, element 0 of every audit.
pub(crate) const OVERALL: &str = "overall";

/// The audit column a heading (in any spelling) is, by its standard name or a
/// built-in alias.
pub(crate) fn audit_field_named(heading: &str) -> Option<&'static str> {
    let key = element_key(heading);
    let alias = heading_key(heading);
    FIELDS
        .iter()
        .find(|(_, name, _)| element_key(name) == key)
        .map(|(_, name, _)| *name)
        .or_else(|| {
            HEADINGS
                .aliases
                .iter()
                .find(|(a, _)| heading_key(a) == alias)
                .map(|(_, name)| *name)
        })
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
