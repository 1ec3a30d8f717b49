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

/// Each case's folded row as text: its cells, dates and episodes (not its line,
/// which is where its current episode happened to be in the file).
fn folded_cases(extract: &Extract) -> Vec<String> {
    let mut cases: Vec<String> = extract
        .rows
        .iter()
        .map(|r| {
            let cells: Vec<&str> = r.iter().collect();
            format!("{cells:?} {:?} {:?} {:?} {}", r.start, r.end, r.dob, r.episodes())
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn episode_rows_fold_into_their_case() {
    let csv = "Person ID,Team Name,Worker Name,Referral Date,Closure Date,Factors identified at assessment,Date of birth,Service\n\
               100021,North CIN,Ann Smith,01/02/2024,01/06/2024,Neglect,03/04/2015,CIN\n\
               100022,South CP,Bob Jones,01/03/2025,,Domestic abuse,05/06/2019,CP\n\
               100021,,Cat Brown,01/01/2026,,Domestic abuse; neglect,,N/A\n\
               100021,West CIN,Old Worker,01/01/2023,01/02/2023,Physical abuse; N/A,03/04/2015,CIN\n";
    let extract = extract_of(csv);
    assert_eq!(extract.folding, episodes::Folding { rows: 3, cases: 1 });
    assert_eq!(extract.rows.len(), 2, "two cases");
    let schema = &extract.schema;
    let case = Case {
        schema,
        row: &extract.rows[0],
    };
    assert_eq!(case.case_id(), "100021");
    // The latest episode gives dates, status and worker; its blank team and
    // service are the next latest episode's; the factors are every row's.
    assert_eq!(case.get(Std::Worker), Some("Cat Brown"));
    assert_eq!(case.get(Std::Team), Some("North CIN"));
    assert_eq!(case.get(Std::Service), Some("CIN"));
    assert_eq!(case.start_date(), NaiveDate::from_ymd_opt(2026, 1, 1));
    assert_eq!(case.end_date(), None);
    assert_eq!(case.status(), "open");
    assert_eq!(
        case.get(Std::RiskFactors),
        Some("Domestic abuse; neglect; Physical abuse")
    );
    assert_eq!(
        read_both(schema, case.row, "dob"),
        format!("Date({:?})", Day::new(2015, 4, 3).unwrap())
    );
    assert_eq!(read_both(schema, case.row, "episodes"), "Number(3.0)");
    assert_eq!(case.row.line, 4, "the line of the current episode");
    assert_eq!(read_both(schema, &extract.rows[1], "episodes"), "Number(1.0)");
    assert!(
        extract.warnings.is_empty(),
        "the case has a team: {:?}",
        extract.warnings
    );
}

#[test]
fn ties_go_to_the_open_episode_then_the_later_end() {
    let csv = "case_id,team,start_date,end_date,status\n\
               C1,A,01/01/2026,01/02/2026,closed\n\
               C1,B,01/01/2026,,open\n\
               C2,A,01/01/2026,01/02/2026,\n\
               C2,B,01/01/2026,01/03/2026,\n";
    let extract = extract_of(csv);
    let team = |i: usize| extract.rows[i].get(extract.schema.col(Std::Team).unwrap());
    assert_eq!(team(0), Some("B"), "the open one");
    assert_eq!(team(1), Some("B"), "the later end date");
}

#[test]
fn a_case_without_a_team_in_any_row_is_warned_of_once() {
    let csv = "case_id,team,start_date\nC1,,01/01/2026\nC1,,01/01/2025\nC2,A,\n";
    let extract = extract_of(csv);
    let lines: Vec<_> = extract
        .warnings
        .iter()
        .map(|w| (w.line, w.message.clone()))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].0, Some(2));
    assert!(lines[0].1.contains("case \"C1\" has no team"), "{lines:?}");
}

#[test]
fn repeats_are_errors_where_the_settings_say_so() {
    let mut settings = Settings::default();
    settings.extract.repeated_ids = crate::config::RepeatedIds::Error;
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let problems = read_bytes("t.csv", b"case_id,team\nC1,A\nC1,B\n", &settings, as_of).unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "t.csv:3: column \"case_id\": case id \"C1\" appears again (first on line 2)"
    );
}

proptest::proptest! {
    /// However the rows of an extract are ordered, the cases folded from them are
    /// the same.
    #[test]
    fn folding_does_not_depend_on_the_order_of_rows(
        rows in proptest::collection::vec(
            (0..6u8, proptest::option::of(0..4u8), 0..5u8, proptest::option::of(0..5u8),
             proptest::sample::select(vec!["", "Neglect", "neglect; 2B", "Domestic abuse", "N/A"]),
             proptest::sample::select(vec!["", "open", "closed"])),
            1..14,
        ),
        seed in proptest::num::u64::ANY,
    ) {
        let line = |(id, team, start, end, factors, status): &(u8, Option<u8>, u8, Option<u8>, &str, &str)| {
            format!(
                "C{id},{},0{}/01/2026,{},{factors},{status}\n",
                team.map(|t| format!("T{t}")).unwrap_or_default(),
                start + 1,
                end.map(|e| format!("0{}/02/2026", e + 1)).unwrap_or_default(),
            )
        };
        let header = "case_id,team,start_date,end_date,risk_factors,status\n";
        let mut shuffled = rows.clone();
        let mut rng = crate::keys::SplitMix64(seed);
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
        let text = |rows: &[_]| header.to_string() + &rows.iter().map(line).collect::<String>();
        let (a, b) = (extract_of(&text(&rows)), extract_of(&text(&shuffled)));
        proptest::prop_assert_eq!(folded_cases(&a), folded_cases(&b));
        proptest::prop_assert_eq!(a.folding, b.folding);
        let ids: std::collections::HashSet<u8> = rows.iter().map(|r| r.0).collect();
        proptest::prop_assert_eq!(a.rows.len(), ids.len());
    }
}

/// What a fold is given of each case, in the order it is given them.
struct Seen;

impl Fold for Seen {
    type Part = Vec<String>;
    const IN_ORDER: bool = true;
    fn part(&self) -> Vec<String> {
        Vec::new()
    }
    fn take(&self, part: &mut Vec<String>, case: Case<'_>) {
        let r = case.row;
        let cells: Vec<&str> = r.iter().collect();
        // Not the line: a row read on both cores counts it from its block's start.
        part.push(format!(
            "{cells:?} {:?} {:?} {:?} {}",
            r.start,
            r.end,
            r.dob,
            r.episodes()
        ));
    }
    fn merge(&self, into: &mut Vec<String>, part: Vec<String>) {
        into.extend(part);
    }
    fn fields(&self, _: &Schema) -> Vec<usize> {
        Vec::new()
    }
}

/// How an extract file was read: the cases, the problems and the notes, or the error.
type Reading = Result<(Vec<String>, Vec<String>, Vec<String>), String>;

/// The extract `text` in a file of its own, read by `read` (then removed).
fn with_file<T>(text: &str, read: impl FnOnce(&std::path::Path) -> T) -> T {
    static FILES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = FILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("caseaudit-split-{}-{n}.csv", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let got = read(&path);
    std::fs::remove_file(&path).unwrap();
    got
}

/// Reads the extract file `path`: `Some(ids)` streams it with those ids set
/// aside as though their hashes repeated, `None` reads it as `fold` chooses,
/// and `whole` reads it into memory.
fn read_file_as(path: &std::path::Path, aside: Option<&[&str]>, whole: bool) -> Reading {
    let path = path.to_path_buf();
    let settings = Settings::default();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let mut notes = Vec::new();
    let mut note = |n: String| notes.push(n);
    let mut tables = tables(
        std::slice::from_ref(&path),
        &settings,
        &InputOptions::default(),
        &mut note,
    )
    .unwrap();
    let prepare = |_: &Schema| Ok(Seen);
    let folded = match aside {
        _ if whole => fold_in_memory(tables, &settings, as_of, false, &mut note, prepare),
        None => fold(tables, &settings, as_of, false, &mut note, prepare),
        Some(ids) => {
            let table = tables.pop().unwrap();
            let name = table.name.clone();
            let repeated = idcheck::Repeated::of_ids(ids);
            let (fold, scanned) = scan::split(table, &settings, as_of, false, &repeated, prepare)
                .unwrap()
                .expect("a plain file is read on both cores");
            fold_episodes(fold, scanned, &name, path.clone(), &mut note)
        }
    };
    let folded = folded.map_err(|e| format!("{e:#}"))?;
    let problems = folded.problems.iter().map(|p| format!("{p:?}")).collect();
    Ok((folded.part, problems, notes))
}

proptest::proptest! {
    /// Streaming the rows whose ids do not repeat and folding the others apart
    /// gives what reading the file into memory gives: the same cases in the same
    /// order (a case where its first row is), the same problems and notes. Ids
    /// set aside that appear once (as when two ids share a hash) stay apart.
    #[test]
    fn streaming_episodes_reads_as_reading_them_whole(
        rows in proptest::collection::vec(
            (0..12u8, proptest::option::of(0..4u8), 0..5u8, proptest::option::of(0..5u8),
             proptest::sample::select(vec!["", "Neglect", "neglect; 2B", "N/A"]),
             proptest::sample::select(vec!["", "open", "closed", "01/13/2026"])),
            1..30,
        ),
    ) {
        let text = "case_id,team,start_date,end_date,risk_factors,status\n".to_string()
            + &rows
                .iter()
                .map(|(id, team, start, end, factors, status)| {
                    format!(
                        "C{id},{},0{}/01/2026,{},{factors},{status}\n",
                        team.map(|t| format!("T{t}")).unwrap_or_default(),
                        start + 1,
                        end.map(|e| format!("0{}/02/2026", e + 1)).unwrap_or_default(),
                    )
                })
                .collect::<String>();
        let all: Vec<String> = (0..12).map(|i| format!("C{i}")).collect();
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        // The ids that repeat, and three more (which may appear once, or not at all).
        let some: Vec<&str> = (0..12usize)
            .filter(|&i| i < 3 || rows.iter().filter(|r| usize::from(r.0) == i).count() > 1)
            .map(|i| all[i])
            .collect();
        let (want, got, all_aside, some_aside) = with_file(&text, |path| {
            (
                read_file_as(path, None, true),
                read_file_as(path, None, false),
                read_file_as(path, Some(&all), false),
                read_file_as(path, Some(&some), false),
            )
        });
        proptest::prop_assert_eq!(&got, &want);
        proptest::prop_assert_eq!(&all_aside, &want);
        proptest::prop_assert_eq!(&some_aside, &want);
    }
}

/// Rows with errors stop the reading as when the file is read into memory,
/// without the warnings of cases without a team.
#[test]
fn streamed_episodes_with_errors_stop_as_read_whole() {
    let text = "case_id,team,start_date\nC1,,01/01/2026\n,T,01/01/2026\nC1,,02/01/2026\nC2,,x\n";
    with_file(text, |path| {
        let want = read_file_as(path, None, true);
        assert!(
            want.as_ref().is_err_and(|e| e.contains("case id is blank")),
            "{want:?}"
        );
        assert_eq!(read_file_as(path, None, false), want);
        assert_eq!(read_file_as(path, Some(&["C1", "C2"]), false), want);
    });
}
