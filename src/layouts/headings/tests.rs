use super::*;
use proptest::prelude::*;

/// Every layout read through [`Headings`].
fn layouts() -> [&'static Headings; 4] {
    [
        &crate::layouts::auditors::HEADINGS,
        &crate::layouts::history::HEADINGS,
        &crate::audits::HEADINGS,
        &crate::moderation::HEADINGS,
    ]
}

fn headers(line: &str) -> Vec<String> {
    line.split(',').map(str::to_string).collect()
}

fn mapping(pairs: &[(&str, &str)]) -> Mapping {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), Spanned::new(0..0, (*v).to_string())))
        .collect()
}

#[test]
fn a_heading_means_one_field_of_a_layout() {
    for layout in layouts() {
        let mut seen: Vec<(String, &str)> = Vec::new();
        let own = layout.fields.iter().map(|f| (*f, *f));
        for (heading, field) in own.chain(layout.aliases.iter().copied()) {
            assert!(
                layout.fields.contains(&field),
                "[{}] alias {heading:?} names {field:?}, not a field",
                layout.section
            );
            let key = heading_key(heading);
            if let Some((_, other)) = seen.iter().find(|(k, _)| *k == key) {
                panic!("[{}] {heading:?} means both {other} and {field}", layout.section);
            }
            seen.push((key, field));
        }
        for required in layout.required {
            assert!(layout.fields.contains(required), "{required}");
        }
    }
}

#[test]
fn every_alias_is_in_the_vocabulary() {
    let doc = include_str!("../../../docs/vocabulary.md");
    for layout in layouts() {
        assert!(doc.contains(&format!("(`[{}.columns]`)", layout.section)));
        for (alias, field) in layout.aliases {
            assert!(
                doc.contains(&format!("`{alias}`")),
                "docs/vocabulary.md does not list {alias:?} for {field} in [{}.columns]",
                layout.section
            );
        }
    }
}

#[test]
fn aliases_mapping_and_standard_names() {
    let auditors = &crate::layouts::auditors::HEADINGS;
    let found = auditors.find(&headers("Staff ID,Name,Team,Role"), &Mapping::new());
    assert_eq!(
        found.cols,
        [Some(0), Some(1), Some(2), Some(3), None, None, None, None]
    );
    // A standard name wins over an alias; a mapping over both.
    let found = auditors.find(&headers("Staff ID,auditor_id,name,team"), &Mapping::new());
    assert_eq!(found.col("auditor_id"), Some(1));
    let map = mapping(&[("auditor_id", "Payroll")]);
    let found = auditors.find(&headers("auditor_id,Payroll,name,team"), &map);
    assert_eq!(found.col("auditor_id"), Some(1));
    // A mapped heading that is absent: the standard name still reads, an alias does not.
    let found = auditors.find(&headers("auditor_id,name,team"), &map);
    assert_eq!(found.col("auditor_id"), Some(0));
    let err = auditors
        .resolve("a.csv", &headers("Staff ID,name,team"), &map)
        .unwrap_err();
    assert_eq!(err.len(), 1, "{err:?}");
    assert_eq!(err[0].column.as_deref(), Some("Payroll"));
    assert!(
        err[0]
            .message
            .starts_with("is mapped to auditor_id in [auditors.columns] but is not in the header"),
        "{}",
        err[0].message
    );
}

#[test]
fn a_column_holds_one_field() {
    // `Team` could be the team or (mapped) the name: the mapping has it, so team is missing.
    let auditors = &crate::layouts::auditors::HEADINGS;
    let map = mapping(&[("name", "Team")]);
    let found = auditors.find(&headers("auditor_id,Team"), &map);
    assert_eq!((found.col("name"), found.col("team")), (Some(1), None));
}

#[test]
fn a_missing_column_prints_the_lines_to_paste() {
    let auditors = &crate::layouts::auditors::HEADINGS;
    let err = auditors
        .resolve("auditors.csv", &headers("Staff Ref,Name,Team"), &Mapping::new())
        .unwrap_err();
    assert_eq!(
        err.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "auditors.csv:1: column \"auditor_id\": required column is missing; the nearest heading is \"Staff Ref\". Add to caseaudit.toml:\n    [auditors.columns]\n    auditor_id = \"Staff Ref\""
        ]
    );
    // Several missing: one block to paste, at the end, with every line.
    let err = auditors
        .resolve("a.csv", &headers("Staff Ref,Nmae,Colour"), &Mapping::new())
        .unwrap_err();
    let messages: Vec<&str> = err.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert_eq!(
        messages[1],
        "required column is missing; the nearest heading is \"Nmae\""
    );
    assert!(
        messages[2].ends_with(
            "Add to caseaudit.toml (with the heading that holds it in place of …):\n    [auditors.columns]\n    auditor_id = \"Staff Ref\"\n    name = \"Nmae\"\n    team = \"…\""
        ),
        "{}",
        messages[2]
    );
    assert!(messages[2].starts_with(
        "required column is missing, and no heading looks like it (the header has: Staff Ref, Nmae, Colour)"
    ));
}

#[test]
fn nearest_headings_best_first() {
    let audits = &crate::audits::HEADINGS;
    let err = audits
        .resolve(
            "audits.csv",
            &headers("Audit Ref,Case ID,Month,Auditor,Team,Grade Overall,Overall Comment"),
            &Mapping::new(),
        )
        .unwrap_err();
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(
        err[0].message.starts_with(
            "required column is missing; the nearest headings are \"Grade Overall\" and \"Overall Comment\""
        ),
        "{}",
        err[0].message
    );
}

/// A heading in another case, with `_`, `-`, `.` or spaces between or around its words.
fn respelt(heading: &'static str) -> impl Strategy<Value = String> {
    let words: Vec<String> = heading
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let n = words.len();
    (
        proptest::collection::vec(
            prop_oneof![Just(" "), Just("_"), Just("-"), Just(". "), Just("")],
            n,
        ),
        proptest::collection::vec(any::<bool>(), n),
        prop_oneof![Just(""), Just(" "), Just("  ")],
    )
        .prop_map(move |(seps, upper, pad)| {
            let mut out = pad.to_string();
            for (i, w) in words.iter().enumerate() {
                if i > 0 {
                    out.push_str(seps[i]);
                }
                out.push_str(&if upper[i] {
                    w.to_uppercase()
                } else {
                    w.to_lowercase()
                });
            }
            out.push_str(pad);
            out
        })
}

/// Every built-in heading of every layout, with its layout and field.
fn built_in() -> Vec<(usize, &'static str, &'static str)> {
    layouts()
        .iter()
        .enumerate()
        .flat_map(|(l, layout)| {
            layout
                .fields
                .iter()
                .map(|f| (*f, *f))
                .chain(layout.aliases.iter().copied())
                .map(move |(heading, field)| (l, heading, field))
        })
        .collect()
}

proptest! {
    #[test]
    fn any_spelling_of_a_built_in_heading_finds_its_field(
        (layout, field, heading) in proptest::sample::select(built_in())
            .prop_flat_map(|(l, h, f)| (Just(l), Just(f), respelt(h)))
    ) {
        let layout = layouts()[layout];
        let header = vec!["Something else".to_string(), heading.clone()];
        let found = layout.find(&header, &Mapping::new());
        prop_assert_eq!(found.col(field), Some(1), "{:?}", heading);
        prop_assert_eq!(found.cols.iter().flatten().count(), 1, "{:?} found more than one field", heading);
    }

    #[test]
    fn a_mapping_is_found_in_any_spelling(
        (field, heading) in proptest::sample::select(crate::layouts::auditors::COLUMNS.to_vec())
            .prop_flat_map(|f| (Just(f), respelt("Our Own Heading 7")))
    ) {
        let layout = &crate::layouts::auditors::HEADINGS;
        let map = mapping(&[(field, "our own heading 7")]);
        let found = layout.find(&["x".to_string(), heading], &map);
        prop_assert_eq!(found.col(field), Some(1));
    }
}
