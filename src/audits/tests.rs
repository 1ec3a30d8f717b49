use super::*;
use crate::config::Template;
use crate::filter::FieldNames;

const HEADER: &str = "audit_id,case_id,month,auditor_id,team,service,frame,completed_on,risk,assessment,voice,overall,strengths,learning,action,action_owner,action_due,action_done,safeguarding_concern";

fn one(rows: &str) -> Result<(Audits, Vec<Problem>), Vec<Problem>> {
    read_str(&[("a.csv", &format!("{HEADER}\n{rows}"))], &Settings::default())
}

fn messages(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}

#[test]
fn reads_grades_in_every_form_and_leaves_na_ungraded() {
    let (audits, warnings) = one(
        "A1,C1,2026-10,TM1,Team A,CP,neglect,03/11/2026,Good,RI,N/A,2,voice; chronology,records,Update plan,TM2,2026-12-01,no,no\n\
         A2,C2,2026-10,TM2,Team B,CIN,step-up,,Requires improvement to be good,o,,Inadequate,,,,,,,yes\n",
    )
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let keys: Vec<&str> = audits.layout.elements.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["overall", "risk", "assessment", "voice"]);
    let a = &audits.list[0];
    assert_eq!(&*a.grades, &[Some(1), Some(1), Some(2), None]);
    assert_eq!(a.month.to_string(), "2026-10");
    assert_eq!(a.completed_on, NaiveDate::from_ymd_opt(2026, 11, 3));
    assert_eq!(a.action_due, NaiveDate::from_ymd_opt(2026, 12, 1));
    assert!(!a.action_done && !a.safeguarding_concern);
    let b = &audits.list[1];
    assert_eq!(&*b.grades, &[Some(3), Some(2), Some(0), None]);
    assert!(b.safeguarding_concern);
}

#[test]
fn every_error_names_file_line_and_column() {
    let err = one(
        "A1,C1,2026-10,TM1,Team A,CP,neglect,,Good-ish,Good,Good,Good,,,,,,,\n\
         A2,C2,Oct 2026,TM1,Team A,CP,neglect,,Good,Good,Good,Good,,,,,,,\n\
         A1,C3,2026-10,TM1,Team A,CP,neglect,,Good,Good,Good,Good,,,,,,,\n\
         A4,,2026-10,TM1,Team A,CP,neglect,31/02/2026,Good,Good,Good,Good,,,,,13/25/2026,maybe,perhaps\n",
    )
    .unwrap_err();
    assert_eq!(
        messages(&err),
        [
            "a.csv:2: column \"risk\": \"Good-ish\" is not a grade (accepted: Outstanding or O or 1, Good or G or 2, \
             Requires improvement or RI or 3, Inadequate or I or 4; empty or N/A for not graded)",
            "a.csv:3: column \"month\": \"Oct 2026\" is not a month (expected YYYY-MM, e.g. 2026-11)",
            "a.csv:4: column \"audit_id\": audit id \"A1\" appears again (first on line 2)",
            "a.csv:5: column \"case_id\": case id is blank",
            "a.csv:5: column \"completed_on\": \"31/02/2026\" is not a real date (expected dd/mm/yyyy or yyyy-mm-dd)",
            "a.csv:5: column \"action_due\": \"13/25/2026\" is not a real date (expected dd/mm/yyyy or yyyy-mm-dd)",
            "a.csv:5: column \"action_done\": \"maybe\" is not yes, no or the date it was done",
            "a.csv:5: column \"safeguarding_concern\": \"perhaps\" is not yes or no",
        ]
    );
}

#[test]
fn a_duplicate_is_reported_even_when_its_first_row_is_bad() {
    let err =
        one("A1,C1,2026-10,TM1,T,,,,X,,,Good,,,,,,,\nA1,C1,2026-10,TM1,T,,,,,,,Good,,,,,,,\n").unwrap_err();
    let lines: Vec<_> = err.iter().map(|p| p.line).collect();
    assert_eq!(lines, [Some(2), Some(3)], "{err:?}");
    assert!(err[1].message.contains("appears again (first on line 2)"));
}

#[test]
fn missing_required_columns_are_each_named() {
    let err = read_str(
        &[("a.csv", "audit_id,case_id,team,risk\nA1,C1,T,Good\n")],
        &Settings::default(),
    )
    .unwrap_err();
    let named: Vec<_> = err.iter().map(|p| p.column.clone().unwrap()).collect();
    assert_eq!(named, ["month", "auditor_id", "overall"]);
    assert!(err.iter().all(|p| p.line == Some(1)));
}

#[test]
fn duplicates_across_files_name_the_first_file() {
    let text = "audit_id,case_id,month,auditor_id,team,overall\nA1,C1,2026-10,TM1,T,Good\n";
    let err = read_str(&[("oct.csv", text), ("nov.csv", text)], &Settings::default()).unwrap_err();
    assert_eq!(
        messages(&err),
        ["nov.csv:2: column \"audit_id\": audit id \"A1\" appears again (first on oct.csv line 2)"]
    );
}

#[test]
fn unknown_columns_are_one_warning_and_usable_in_where() {
    let (audits, warnings) = read_str(
        &[(
            "a.csv",
            "audit_id,case_id,month,auditor_id,team,overall,risk,asessment,Comments\nA1,C1,2026-10,TM1,T,Good,Good,Good,fine\n",
        )],
        &Settings::default(),
    )
    .unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = warnings[0].to_string();
    assert!(
        w.starts_with("a.csv:1: warning: columns \"asessment\", \"Comments\" are neither an element of the audit template (risk, assessment,"),
        "{w}"
    );
    let (field, kind) = audits.layout.resolve("comments").unwrap();
    assert_eq!(kind, FieldKind::Text);
    assert!(matches!(
        audits.list[0].value(field, audits.layout.elements.len()),
        Value::Text("fine")
    ));
}

#[test]
fn a_blank_overall_is_a_warning_and_not_a_grade() {
    let (audits, warnings) = read_str(
        &[(
            "a.csv",
            "audit_id,case_id,month,auditor_id,team,overall\nA1,C1,2026-10,TM1,T,N/A\n",
        )],
        &Settings::default(),
    )
    .unwrap();
    assert_eq!(audits.list[0].overall(), None);
    assert_eq!(
        messages(&warnings),
        [
            "a.csv:2: warning: column \"overall\": no overall grade: this audit is left out of the overall figures"
        ]
    );
}

#[test]
fn themed_files_use_their_own_template() {
    let mut settings = Settings::default();
    settings.templates.insert(
        "domestic-abuse".into(),
        Template {
            elements: vec![
                Element {
                    key: "safety_plan".into(),
                    title: "Safety planning".into(),
                    short_title: None,
                },
                Element {
                    key: "voice".into(),
                    title: "Voice of the child".into(),
                    short_title: None,
                },
            ],
        },
    );
    let monthly =
        "audit_id,case_id,month,auditor_id,team,overall,risk,voice\nA1,C1,2026-10,TM1,T,Good,Good,RI\n";
    let themed = "audit_id,case_id,month,auditor_id,team,frame,overall,Safety Planning,voice\nD1,C9,2026-10,TM1,T,domestic-abuse,RI,I,G\n";
    let (audits, warnings) = read_str(&[("m.csv", monthly), ("da.csv", themed)], &settings).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let keys: Vec<&str> = audits.layout.elements.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["overall", "risk", "voice", "safety_plan"]);
    assert_eq!(&*audits.list[1].grades, &[Some(2), None, Some(1), Some(3)]);
}

#[test]
fn the_where_schema_knows_fields_elements_and_grades_by_rank() {
    let (audits, _) = one("A1,C1,2026-10,TM1,Team A,CP,neglect,,4,G,,I,a;b,,,,,yes,no\n").unwrap();
    let layout = &audits.layout;
    let row = &audits.list[0];
    let value = |name: &str| row.value(layout.resolve(name).unwrap().0, layout.elements.len());
    assert!(matches!(value("frame"), Value::Text("neglect")));
    // Grades are ranks, 1 the best: `overall > Good` means worse than Good.
    assert!(matches!(value("overall"), Value::Number(4.0)));
    assert!(matches!(value("risk"), Value::Number(4.0)));
    assert!(matches!(value("Assessment"), Value::Number(2.0)));
    let overall = layout.resolve("overall").unwrap().0;
    assert_eq!(layout.literal_rank(overall, "RI"), Some(Ok(3.0)));
    assert_eq!(
        layout.literal_rank(overall, "Requires improvement to be good"),
        Some(Ok(3.0))
    );
    assert!(
        layout
            .literal_rank(overall, "Inadequat")
            .unwrap()
            .unwrap_err()
            .contains("is not a grade (accepted:")
    );
    assert_eq!(
        layout.literal_rank(layout.resolve("team").unwrap().0, "Inadequat"),
        None
    );
    assert!(matches!(value("voice"), Value::Missing));
    assert!(matches!(value("month"), Value::Text("2026-10")));
    assert!(matches!(value("strengths"), Value::List("a;b")));
    assert!(matches!(value("action_done"), Value::Bool(true)));
    assert!(matches!(value("safeguarding concern"), Value::Bool(false)));
    assert_eq!(layout.resolve("strengths").unwrap().1, FieldKind::List);
    assert!(layout.resolve("tema").is_none());
    let known = layout.known_fields();
    assert!(known.contains(&"frame".to_string()) && known.contains(&"voice".to_string()));
}

#[test]
fn a_subset_keeps_the_layout_and_says_where_each_audit_went() {
    let (audits, _) = one("A1,C1,2026-10,TM1,Team A,CP,,,Good,,,Good,,,,,,,\n\
         A2,C2,2026-10,TM2,Team B,CP,,,Good,,,Inadequate,,,,,,,\n\
         A3,C3,2026-11,TM1,Team A,CP,,,Good,,,Good,,,,,,,\n")
    .unwrap();
    let (team_a, moved) = audits.subset(|a| a.team == "Team A");
    let ids: Vec<&str> = team_a.list.iter().map(|a| a.audit_id.as_str()).collect();
    assert_eq!(ids, ["A1", "A3"]);
    assert_eq!(moved, [Some(0), None, Some(1)]);
    assert_eq!(team_a.layout.elements.len(), audits.layout.elements.len());
    assert!(matches!(
        team_a.list[1].value(2, team_a.layout.elements.len()),
        Value::Text("2026-11")
    ));
}
