//! Tests of the filter language.

use super::eval::parse_number;
use super::*;
use crate::dates::parse_day;
use crate::values::parse_yes_no;
use FieldKind::*;

const FIELDS: &[(&str, FieldKind)] = &[
    ("case_id", Text),
    ("team", Text),
    ("service", Text),
    ("status", Text),
    ("end_date", Date),
    ("age", Number),
    ("step_up", Bool),
    ("risk_factors", List),
    ("Allocated Team", Text),
    ("Date of referral", Text),
    ("Referrals", Text),
];

struct Mock;
impl FieldNames for Mock {
    fn resolve(&self, name: &str) -> Option<(usize, FieldKind)> {
        let i = FIELDS
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name.trim()))?;
        Some((i, FIELDS[i].1))
    }
    fn known_fields(&self) -> Vec<String> {
        FIELDS.iter().map(|(n, _)| n.to_string()).collect()
    }
}

struct MockRow<'a>(Vec<Value<'a>>);
impl MockRow<'_> {
    fn value(&self, field: usize) -> Value<'_> {
        self.0.get(field).copied().unwrap_or(Value::Missing)
    }
}

impl Fields<MockRow<'static>> for Mock {
    fn reader<'a>(&self, field: usize) -> Reader<'a, MockRow<'static>> {
        Box::new(move |row| row.value(field))
    }
}

/// Whether `f`, compiled for mock rows, matches `row`.
fn matches(f: &Filter, row: &MockRow<'static>) -> bool {
    f.for_rows(&Mock).matches(row)
}

/// A row from (field, cell) pairs, each cell read as its field's kind; a cell starting
/// with `~` stays text whatever the kind (a reader handing over an unparsed cell).
fn row<'a>(cells: &[(&str, &'a str)]) -> MockRow<'a> {
    let mut values = vec![Value::Missing; FIELDS.len()];
    for &(name, cell) in cells {
        let (i, kind) = Mock.resolve(name).unwrap();
        values[i] = match (kind, cell.strip_prefix('~')) {
            (_, Some(raw)) => Value::Text(raw),
            (Text, _) => Value::Text(cell),
            (Number, _) => Value::Number(cell.parse().unwrap()),
            (Date, _) => Value::Date(parse_day(cell).unwrap()),
            (Bool, _) => Value::Bool(parse_yes_no(cell).unwrap()),
            (List, _) => Value::List(cell),
        };
    }
    MockRow(values)
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
}

fn is(expr: &str, cells: &[(&str, &'static str)]) -> bool {
    let f = Filter::compile(expr, &Mock, as_of()).unwrap_or_else(|e| panic!("{e}"));
    matches(&f, &row(cells))
}

fn error(expr: &str) -> FilterError {
    Filter::compile(expr, &Mock, as_of())
        .err()
        .unwrap_or_else(|| panic!("{expr:?} compiled"))
}

/// Runs `expr` on rows given as "field=cell" pairs separated by " & ".
fn run(cases: &[(&str, &'static str, bool)]) {
    for &(expr, cells, want) in cases {
        let cells: Vec<(&str, &str)> = cells.split(" & ").filter_map(|c| c.split_once('=')).collect();
        assert_eq!(is(expr, &cells), want, "{expr} on {cells:?}");
    }
}

#[test]
fn comparisons() {
    run(&[
        ("status = closed", "status=Closed", true),
        ("STATUS = 'CLOSED'", "status=Closed", true),
        ("status != closed", "status=Closed", false),
        ("status != open", "status=Closed", true),
        ("status > aardvark and status < d", "status=Closed", true),
        ("status >= closed and status <= closed", "status=Closed", true),
        (r#"team = "locality 1 unit 2""#, "team=Locality 1 Unit 2", true),
        ("team contains 'UNIT'", "team=Locality 1 Unit 2", true),
        ("team contains 'unit 3'", "team=Locality 1 Unit 2", false),
        (
            r#"team in ("Locality 3", "Locality 1 Unit 2")"#,
            "team=Locality 1 Unit 2",
            true,
        ),
        ("team in (a, b)", "team=c", false),
        ("team not in (a, b)", "team=c", true),
        ("service = 'Pâtisserie'", "service=PÂTISSERIE", true),
        ("service contains 'TISS'", "service=PÂTISSERIE", true),
        ("service = Female", "service=b) Female", true),
        ("age < 2", "age=1", true),
        ("age < 2", "age=2", false),
        ("age <= 2 and age >= 2 and age = 2.0", "age=2", true),
        ("age > -1", "age=0", true),
        ("age in (3, 4)", "age=4", true),
        ("age = 3", "age=~3", true),
        ("end_date < 2026-01-31", "end_date=2026-01-30", true),
        ("end_date = 31/01/2026", "end_date=2026-01-31", true),
        ("end_date >= '2026-01-31'", "end_date=~01/02/2026", true),
        // Unknown columns: numbers if both are numbers, dates if both are dates, else text.
        ("Referrals > 9", "Referrals=10", true),
        ("Referrals > 9", "Referrals=10 or so", false),
        ("Referrals < 31/12/2025", "Referrals=2025-01-02", true),
        ("Referrals = 2020-09-16", "Referrals=44090", true),
        ("Referrals > 01/02/2026", "Referrals=15/01/2026", false),
    ]);
}

#[test]
fn booleans_and_missing_values() {
    run(&[
        ("step_up", "step_up=yes", true),
        ("step_up", "step_up=no", false),
        ("step_up", "", false),
        ("not step_up", "", true),
        ("step_up = no", "step_up=no", true),
        ("step_up != yes", "step_up=no", true),
        ("step_up = Y", "step_up=~yes", true),
        ("status", "status=a) Yes", true),
        ("status", "status=TRUE", true),
        ("status", "status=2", false),
        ("age", "age=1", true),
        ("team is empty", "team=", true),
        ("risk_factors is empty", "risk_factors= ; ,", true),
        ("team is set", "team=A", true),
        ("team is not empty", "team=A", true),
        ("team is not empty", "", false),
        ("team is not set", "", true),
        ("age != 3", "age=~unknown", true),
        ("age = 3", "age=~unknown", false),
    ]);
    let never = "team = a; age < 3; age >= 3; team contains a; team in (a); step_up; \
                 end_date within 5 years; risk_factors contains neglect; risk_factors in (x)";
    for expr in never.split("; ") {
        assert!(!is(expr, &[]), "{expr}");
    }
    let always = "team != a; team is empty; not team contains a; team not in (a); age != 3";
    for expr in always.split("; ") {
        assert!(is(expr, &[]), "{expr}");
    }
}

#[test]
fn precedence_not_parentheses_and_quoting() {
    let r = "team=A & status=open & step_up=no";
    let at = "Allocated Team=Locality 3 Duty Team";
    run(&[
        ("team = a or status = closed and step_up", r, true),
        ("(team = a or status = closed) and step_up", r, false),
        ("not step_up and team = a", r, true),
        ("not (team = a and status = open)", r, false),
        ("NOT step_up AND (team = b OR status = OPEN)", r, true),
        ("not not team = a", r, true),
        ("team = b or team = c or team = a", r, true),
        (r#""Allocated Team" = "Locality 3 Duty Team""#, at, true),
        ("'allocated team' contains duty", at, true),
        ("team = 'O''Brien'", "team=O'Brien", true),
        ("team = “Locality 1”", "team=Locality 1", true),
        ("team = A&E", "team=A&E", true),
        ("team = \"and\"", "team=and", true),
    ]);
}

#[test]
fn within_each_unit() {
    run(&[
        ("end_date within 0 days", "end_date=2026-03-31", true),
        ("end_date within 0 days", "end_date=2026-03-30", false),
        ("end_date within 10 days", "end_date=2026-03-21", true),
        ("end_date within 10 days", "end_date=2026-03-20", false),
        ("end_date within 10 days", "end_date=2026-04-01", false),
        ("end_date within 1 day", "end_date=2026-03-30", true),
        ("end_date within 2 weeks", "end_date=2026-03-17", true),
        ("end_date within 2 weeks", "end_date=2026-03-16", false),
        ("end_date within 1 week", "end_date=2026-03-24", true),
        // Month-end: one month back from 31 March is 28 February.
        ("end_date within 1 months", "end_date=2026-02-28", true),
        ("end_date within 1 months", "end_date=2026-02-27", false),
        ("end_date within 6 months", "end_date=2025-09-30", true),
        ("end_date within 6 months", "end_date=2025-09-29", false),
        ("end_date within 1 year", "end_date=2025-03-31", true),
        ("end_date within 1 YEARS", "end_date=2025-03-30", false),
        ("end_date within 4000000000 years", "end_date=0001-01-01", true),
        ("Referrals within 7 days", "Referrals=25/03/2026", true),
        ("Referrals within 7 days", "Referrals=soon", false),
    ]);
    let leap = Filter::compile(
        "end_date within 1 year",
        &Mock,
        crate::dates::parse_date("2024-02-29").unwrap(),
    )
    .unwrap();
    assert!(matches(&leap, &row(&[("end_date", "2023-02-28")])));
    assert!(!matches(&leap, &row(&[("end_date", "2023-02-27")])));
}

#[test]
fn list_membership_with_vocabulary() {
    for cell in [
        "16A",
        "NEG",
        "Neglect",
        "a) Neglect",
        "16A: Neglect",
        "neglect",
        "3A; 16A - Neglect",
    ] {
        assert!(
            is("risk_factors contains neglect", &[("risk_factors", cell)]),
            "{cell}"
        );
    }
    for cell in ["N1 - Abuse or neglect", "N1 Abuse or neglect", "17A", "3A;4B", ""] {
        assert!(
            !is("risk_factors contains neglect", &[("risk_factors", cell)]),
            "{cell}"
        );
    }
    run(&[
        (
            "risk_factors contains domestic_abuse",
            "risk_factors=1A, 3B",
            true,
        ),
        (
            "risk_factors contains 'domestic abuse'",
            "risk_factors=2A | 3C",
            true,
        ),
        (
            "risk_factors contains domestic_abuse",
            "risk_factors=4A; b) DV",
            true,
        ),
        (
            "risk_factors contains domestic_abuse",
            "risk_factors=4A; 13A",
            false,
        ),
        ("risk_factors contains 16A", "risk_factors=3A; 16A: Neglect", true),
        ("risk_factors contains 16A", "risk_factors=Neglect", false),
        ("risk_factors in (alcohol, neglect)", "risk_factors=1B", true),
        ("risk_factors in (alcohol, drugs)", "risk_factors=16A", false),
        ("risk_factors not contains neglect", "risk_factors=1B", true),
        ("risk_factors contains neglect", "risk_factors=~NEG", true),
        // On a text field `contains` is a substring, widened by the vocabulary.
        ("service contains neglect", "service=NEG", true),
        ("service contains neglect", "service=a) Neglect", true),
        ("service contains neglect", "service=PHY", false),
    ]);
}

#[test]
fn fields_read() {
    let expr = "risk_factors contains neglect or age < 2 and TEAM = x or team = y";
    let f = Filter::compile(expr, &Mock, as_of()).unwrap();
    assert_eq!(f.fields(), vec![1, 5, 7]);
}

#[test]
fn rendered_error_has_caret_under_the_word() {
    assert_eq!(
        error(r#"tema = "A" and step_up"#).to_string(),
        "unknown field \"tema\", did you mean \"team\"? (known fields: case_id, team, service, status, \
         end_date, age, step_up, risk_factors, Allocated Team, Date of referral, Referrals)\n  \
         tema = \"A\" and step_up\n  ^^^^"
    );
    let e = error("team = a and");
    assert_eq!(
        e.to_string(),
        "expected a condition after `and`\n  team = a and\n              ^"
    );
    assert!(
        error("team = é and aé")
            .to_string()
            .ends_with("\n               ^^")
    );
    let e = Filter::check_syntax("team = a\n  and = b").unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected a field name, found `=`\n  team = a   and = b\n                 ^"
    );
}

#[test]
fn errors_point_at_the_offending_word() {
    let cases = [
        ("team = ", "", "expected a value after `=`"),
        ("team = and step_up", "and", "after `=`, found `and`"),
        ("team == a", "==", "use `=`"),
        ("team = a && step_up", "&&", "use `and`"),
        ("team = a || step_up", "||", "use `or`"),
        ("team = a | step_up", "|", "use `or`"),
        ("!step_up", "!", "use `not`"),
        ("(team = a", "(", "unclosed parenthesis"),
        ("team in (a, b", "(", "unclosed parenthesis"),
        ("team = a)", ")", "unmatched `)`"),
        ("team = 'abc", "'abc", "unclosed quote"),
        ("end_date within 6 fortnights", "fortnights", "unknown unit"),
        ("end_date within six months", "six", "whole number"),
        ("end_date within 6months", "6months", "put a space"),
        ("end_date within 6.5 months", "6.5", "whole number"),
        ("end_date within 99999999999 days", "99999999999", "too large"),
        ("end_date within 6", "", "expected a unit"),
        ("end_date within", "", "whole number"),
        ("age within 6 months", "age", "needs a date field"),
        ("step_up within 6 months", "step_up", "needs a date field"),
        ("end_date > 09/16/2020", "09/16/2020", "US-style"),
        ("end_date > soon", "soon", "not a date"),
        ("age < two", "two", "not a number"),
        ("age in (1, two)", "two", "not a number"),
        ("step_up = maybe", "maybe", "not yes or no"),
        ("step_up > yes", ">", "use `=` or `!=`"),
        ("risk_factors = neglect", "=", "is a list"),
        ("age contains 3", "contains", "needs a text or list field"),
        ("end_date", "end_date", "is a date"),
        ("team locality", "locality", "expected an operator"),
        ("Allocated Team = x", "Team", "put quotes around a header"),
        ("team = Locality 1", "1", "put quotes around a value"),
        ("team in a", "a", "expected `(`"),
        ("team in (a b)", "b", "expected `,` or `)`"),
        ("team in ()", ")", "expected a value"),
        ("team is yes", "yes", "expected `empty` or `set`"),
        ("team not = a", "not", "expected `in` or `contains`"),
        ("(team = a b)", "b", "expected `and`, `or` or `)`"),
        ("and team = a", "and", "expected a field name"),
        ("", "", "empty"),
        ("not", "", "after `not`"),
        ("team = a or (", "", "after `(`"),
        ("tem = a", "tem", "unknown field \"tem\", did you mean \"team\"?"),
    ];
    for (expr, word, msg) in cases {
        let e = error(expr);
        assert!(e.message.contains(msg), "{expr:?}: {}", e.message);
        assert_eq!(
            expr.get(e.offset..e.offset + e.len).unwrap_or(""),
            word,
            "{expr:?}: {e}"
        );
    }
}

#[test]
fn check_syntax_needs_no_schema() {
    for ok in [
        "x = ”y” or x = “y”",
        "status = closed and end_date within 6 months",
        "risk_factors contains neglect or risk_factors contains domestic_abuse",
        "step_up and age_at_start < 2",
        r#"team in ("Locality 1 Unit 2", "Locality 3 Duty Team") and not service = CLA"#,
        "nosuchfield = 3 and x is not empty and x within 1 week and \"A B\" = 'c'",
    ] {
        assert!(Filter::check_syntax(ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "a =",
        "a = b c",
        "(a",
        "a within 3 moons",
        "a == b",
        "a in (",
        "a is",
        "a = 'x",
        "a=”b",
    ] {
        assert!(Filter::check_syntax(bad).is_err(), "{bad}");
    }
    let deep = format!("{}a{}", "(".repeat(500), ")".repeat(500));
    assert!(
        Filter::check_syntax(&deep)
            .unwrap_err()
            .message
            .contains("nested too deeply")
    );
    assert!(Filter::check_syntax(&format!("{}a", "not ".repeat(500))).is_err());
    assert!(Filter::check_syntax(&format!("{}a{}", "(".repeat(30), ")".repeat(30))).is_ok());
}

#[test]
fn numbers_are_plain_decimals() {
    assert_eq!(
        (parse_number("-2.5"), parse_number(".5"), parse_number("7.")),
        (Some(-2.5), Some(0.5), Some(7.0))
    );
    for bad in ["inf", "NaN", "1e3", "", "-", ".", "1.2.3", "1,000"] {
        assert_eq!(parse_number(bad), None, "{bad}");
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    const CONDITIONS: &[&str] = &[
        "team = a",
        "team != 'B) a'",
        "status = closed",
        "team < m",
        "age < 5",
        "age >= 3",
        "age in (3, 4)",
        "team in (a, 'b')",
        "end_date within 6 months",
        "end_date >= 2026-01-01",
        "end_date = 31/01/2026",
        "end_date is empty",
        "team is set",
        "step_up",
        "step_up = no",
        "risk_factors contains neglect",
        "risk_factors in (16A, x)",
        "risk_factors is empty",
        "team contains a",
        "service contains domestic_abuse",
        "Referrals within 7 days",
    ];

    const CELLS: &[&str] = &[
        "",
        " ",
        "a",
        "A",
        "b) a",
        "closed",
        "Closed",
        "3",
        "4.0",
        "abc",
        "yes",
        "no",
        "1",
        "2026-01-31",
        "31/01/2026",
        "2025-06-30",
        "neglect",
        "16A; x",
        "2B",
        "Domestic abuse",
        "\u{212A}",
    ];

    proptest! {
        #[test]
        fn check_syntax_never_panics(s in "\\PC{0,60}") {
            if let Err(e) = Filter::check_syntax(&s) {
                let _ = e.to_string();
            }
        }

        /// Filters of every kind of condition, joined every way, on rows of every
        /// kind of cell: the whole, compiled to one closure, answers as its
        /// conditions answer one by one, joined by hand (and its negation the opposite).
        #[test]
        fn a_joined_filter_answers_as_its_parts_do(
            conditions in proptest::collection::vec(proptest::sample::select(CONDITIONS), 1..5),
            joins in proptest::collection::vec(proptest::sample::select(&[" and ", " or ", " and not ", " or not "][..]), 4),
            cells in proptest::collection::vec((0..FIELDS.len(), proptest::sample::select(CELLS)), 0..6),
        ) {
            // Each cell given as text, as a reader that hands over unparsed cells would.
            let row = MockRow((0..FIELDS.len())
                .map(|i| cells.iter().rev().find(|(f, _)| *f == i).map_or(Value::Missing, |(_, c)| Value::Text(c)))
                .collect());
            let answer = |expr: &str| {
                let f = Filter::compile(expr, &Mock, as_of()).unwrap_or_else(|e| panic!("{expr}: {e}"));
                matches(&f, &row)
            };
            // The whole expression, compiled to one closure, against its conditions
            // one by one, joined here by hand.
            let mut expr = conditions[0].to_string();
            let mut expected = answer(conditions[0]);
            for (c, j) in conditions[1..].iter().zip(&joins) {
                expr = format!("({expr}){j}{c}");
                let part = answer(c);
                expected = match *j {
                    " and " => expected && part,
                    " or " => expected || part,
                    " and not " => expected && !part,
                    _ => expected || !part,
                };
            }
            prop_assert_eq!(answer(&expr), expected, "{}", expr);
            prop_assert_eq!(answer(&format!("not ({expr})")), !expected, "not ({})", expr);
        }

        #[test]
        fn compile_never_panics(
            s in proptest::string::string_regex(
                "([ ()=!<>,'\"]|team|age|end_date|step_up|risk_factors|and|or|not|in|is|empty|set\
                 |contains|within|[0-9]{1,3}|days|months|[a-z]{1,4}|2026-01-31|-1){0,14}"
            ).unwrap(),
            raw in "[ -~]{0,40}",
        ) {
            for expr in [&s, &raw] {
                match Filter::compile(expr, &Mock, as_of()) {
                    Ok(f) => {
                        // Evaluating never panics either.
                        let rows = [
                            row(&[("team", "a"), ("age", "3"), ("risk_factors", "16A; x")]),
                            row(&[("end_date", "2026-01-31"), ("step_up", "yes"), ("team", "~")]),
                            row(&[("age", "~abc"), ("risk_factors", "neglect"), ("end_date", "~2026-02-01")]),
                            row(&[]),
                        ];
                        for r in &rows {
                            matches(&f, r);
                        }
                    }
                    Err(e) => {
                        let _ = e.to_string();
                    }
                }
            }
        }
    }
}

#[test]
fn a_near_miss_of_a_risk_theme_is_an_error_unless_quoted() {
    let Err(err) = Filter::compile("risk_factors contains neglet", &Mock, as_of()) else {
        panic!("a typo compiles")
    };
    assert!(
        err.message.contains("did you mean \"neglect\""),
        "{}",
        err.message
    );
    assert!(
        Filter::compile("risk_factors contains \"neglet\"", &Mock, as_of()).is_ok(),
        "quoted: matched as written"
    );
    assert!(Filter::compile("risk_factors contains domestic_abuse", &Mock, as_of()).is_ok());
    assert!(Filter::compile("risk_factors contains 16A", &Mock, as_of()).is_ok());
}
