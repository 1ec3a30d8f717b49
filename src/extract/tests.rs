use super::standard::{STD_FIELDS, std_index};
use super::*;
use crate::dates::Day;
use crate::filter;

#[test]
fn standard_fields_are_listed_in_declaration_order() {
    for (i, (s, ..)) in STD_FIELDS.iter().enumerate() {
        assert_eq!(std_index(*s), i, "{s:?}");
    }
}

/// The rows of an extract given as CSV text.
fn extract_of(csv: &str) -> Extract {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    read_bytes("t.csv", csv.as_bytes(), &Settings::default(), as_of).unwrap()
}

/// What a field reads as, by the case and by the reader a compiled filter uses
/// (asserted to be the same).
fn read_both(schema: &Schema, row: &CaseRow, name: &str) -> String {
    let (field, _) = filter::FieldNames::resolve(schema, name).unwrap();
    let value = format!("{:?}", Case { schema, row }.value(field));
    assert_eq!(
        format!("{:?}", filter::Fields::reader(schema, field)(row)),
        value,
        "{name}"
    );
    value
}

/// What a filter reads from each kind of field, through the `Access` table.
#[test]
fn each_field_reads_as_its_kind() {
    let csv = "case_id,team,worker,service,start_date,end_date,dob,referral_source,risk_factors,status,step_up,note\n\
               b) C1,b) Team A,W,a) CIN,01/02/2025,2026-03-04,05/06/2020,Police,2B;3A, Closed ,Yes,c) x\n\
               C2,Team A,,N/A,,,,d) Early help,,a) other,,\n";
    let extract = extract_of(csv);
    let schema = &extract.schema;
    let show = |row: &CaseRow, name: &str| read_both(schema, row, name);
    let day = |y, m, d| format!("Date({:?})", Day::new(y, m, d).unwrap());
    let (first, second) = (&extract.rows[0], &extract.rows[1]);
    for (name, want) in [
        ("case_id", "Text(\"b) C1\")".to_string()),
        ("team", "Text(\"b) Team A\")".into()),
        ("service", "Text(\"CIN\")".into()),
        ("note", "Text(\"x\")".into()),
        ("start_date", day(2025, 2, 1)),
        ("end_date", day(2026, 3, 4)),
        ("dob", day(2020, 6, 5)),
        ("risk_factors", "List(\"2B;3A\")".into()),
        ("status", "Text(\"closed\")".into()),
        ("step_up", "Bool(true)".into()),
        ("age", "Number(6.0)".into()),
        ("age_at_start", "Number(4.0)".into()),
        ("days_open", "Number(396.0)".into()),
    ] {
        assert_eq!(show(first, name), want, "{name}");
    }
    for (name, want) in [
        ("worker", "Missing"),
        ("service", "Missing"),
        ("start_date", "Missing"),
        ("dob", "Missing"),
        ("age", "Missing"),
        ("status", "Text(\"other\")"),
        // The step_up column read as written, not the derived field.
        ("step_up", "Missing"),
        ("child_name", "Missing"),
        ("days_open", "Missing"),
    ] {
        assert_eq!(show(second, name), want, "{name}");
    }

    // Without status and step_up columns, both are derived.
    let extract =
        extract_of("case_id,team,end_date,referral_source\nC1,T,01/01/2026,d) Early help\nC2,T,,Police\n");
    let schema = &extract.schema;
    let show = |row: &CaseRow, name: &str| read_both(schema, row, name);
    let (first, second) = (&extract.rows[0], &extract.rows[1]);
    assert_eq!(show(first, "status"), "Text(\"closed\")");
    assert_eq!(show(second, "status"), "Text(\"open\")");
    assert_eq!(show(first, "step_up"), "Bool(true)");
    assert_eq!(show(second, "step_up"), "Bool(false)");
    assert_eq!(show(first, "risk_factors"), "Missing");
}
