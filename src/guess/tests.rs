use super::*;
use crate::config::Settings;
use crate::csvio::Encoding;

fn known() -> HashSet<String> {
    Settings::default().known_headings()
}

/// A CSV file's guess, as `init` reads it: `bytes` decoded as the file would be.
fn csv(name: &str, bytes: &[u8]) -> FileGuess {
    let mut check = TextCheck::default();
    check.feed(bytes);
    let text = check.finish();
    let head = match text {
        Text::Windows1252 => crate::csvio::decode_windows_1252(bytes).into_bytes(),
        _ => bytes.to_vec(),
    };
    let table = Table::Csv {
        head: &head,
        text,
        default: b',',
        by_itself: b',',
    };
    super::table(name, table, &known(), Given::default())
}

/// An extract as a case management system exports it: title rows, semicolons, a
/// pound sign in Windows-1252.
const LCS: &[u8] = b"LCS report: open cases;;;\r\nRun 01/11/2026, cost centre \xa3 QA;;;\r\n\
Person ID;Owning Team;Allocated Social Worker;Referral Date\r\nP1;North;A Smith;01/02/2026\r\n";

const STAFF: &[u8] = b"Staff Ref,Full Name,Team\nS1,C Lee,North\n";

#[test]
fn text_is_told_from_the_whole_file_in_pieces() {
    let of = |pieces: &[&[u8]]| {
        let mut check = TextCheck::default();
        for p in pieces {
            check.feed(p);
        }
        check.finish()
    };
    assert_eq!(of(&[b"a,b\n", b"c,d\n"]), Text::Ascii);
    // A pound sign in UTF-8 (C2 A3), cut between two pieces.
    assert_eq!(of(&[b"cost \xc2", b"\xa3 5\n"]), Text::Utf8);
    // In Windows-1252 (A3): not UTF-8, however far down it comes.
    assert_eq!(of(&[b"a,b\n", b"cost \xa3 5\n"]), Text::Windows1252);
    // A character the file ends in the middle of.
    assert_eq!(of(&[b"a,b\n\xc2"]), Text::Windows1252);
}

#[test]
fn an_lcs_extract_is_told_with_its_delimiter_title_rows_and_team() {
    let g = csv("extract.csv", LCS);
    assert_eq!(g.layout, Ok(Kind::Cases));
    assert_eq!(
        g.csv,
        Some(CsvGuess {
            text: Text::Windows1252,
            delimiter: b';',
            by_itself: b',',
        })
    );
    assert_eq!(g.header_line, Some(3));
    assert_eq!(
        g.headings,
        [
            "Person ID",
            "Owning Team",
            "Allocated Social Worker",
            "Referral Date"
        ]
    );
    assert_eq!(
        g.columns,
        [Column {
            field: "team",
            required: true,
            heading: Some("Owning Team".into()),
        }]
    );
    let found: Vec<&str> = g.found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(found, ["case_id", "worker", "start_date"]);
    assert_eq!(
        g.summary(),
        "extract.csv: case extract; headings on line 3; separated by semicolons; Windows-1252; team = \"Owning Team\" (guessed)"
    );
    assert!(g.could_not().is_empty());
}

#[test]
fn the_header_is_found_as_caseaudit_finds_it() {
    for (bytes, delimiter) in [(LCS, b';'), (STAFF, b',')] {
        let text = crate::csvio::decode_windows_1252(bytes);
        let opts = crate::csvio::InputOptions {
            known: std::sync::Arc::new(known()),
            ..Default::default()
        };
        let theirs = crate::csvio::find_header(text.as_bytes(), delimiter, &opts).unwrap();
        let ours = find_header(text.as_bytes(), delimiter, &known(), None);
        assert_eq!(ours.headings, theirs.headings);
    }
}

#[test]
fn an_auditors_list_with_its_own_id_heading() {
    let g = csv("auditors.csv", STAFF);
    assert_eq!(g.layout, Ok(Kind::Auditors));
    assert_eq!(g.header_line, Some(1));
    assert_eq!(g.csv.map(|c| (c.text, c.delimiter)), Some((Text::Ascii, b',')));
    assert_eq!(
        g.summary(),
        "auditors.csv: auditors list; auditor_id = \"Staff Ref\" (guessed)"
    );
}

#[test]
fn a_required_field_no_heading_looks_like_is_said_so() {
    let g = csv(
        "cases.csv",
        b"Person ID,Worker Name,Referral Date,Postcode\nP1,A,01/01/2026,X\n",
    );
    assert_eq!(g.layout, Ok(Kind::Cases));
    assert_eq!(
        g.columns,
        [Column {
            field: "team",
            required: true,
            heading: None,
        }]
    );
    assert_eq!(
        g.could_not(),
        [
            "cases.csv: could not tell which heading holds team (none looks like it); its line is written commented out, to fill in"
        ]
    );
    let text = settings_text(&combine(vec![g], Given::default()));
    assert!(
        text.contains("\n# team = \"…\"   # could not tell: no heading looks like team (a required column)")
    );
    let settings = Settings::parse(&text, "caseaudit.toml").unwrap();
    assert!(settings.extract.columns.is_empty());
}

#[test]
fn headings_with_no_known_one_are_the_widest_row_and_no_kind() {
    let g = csv("odd.csv", b"Report\nRef|Unit|Practitioner\nA|B|C\n");
    assert_eq!(g.header_line, Some(2));
    assert_eq!(g.csv.map(|c| c.delimiter), Some(b'|'));
    assert!(g.layout.is_err());
    assert!(g.columns.is_empty());
    assert!(g.could_not()[0].starts_with("odd.csv: could not tell what kind of file this is"));
    let g = csv("empty.csv", b"");
    assert!(g.layout.unwrap_err().starts_with("no headings were found in it"));
}

#[test]
fn input_settings_are_set_only_where_every_file_agrees() {
    // Windows-1252 and ASCII agree; the delimiters and header lines do not.
    let guess = combine(
        vec![csv("extract.csv", LCS), csv("auditors.csv", STAFF)],
        Given::default(),
    );
    assert!(matches!(guess.encoding, Choice::Set(Encoding::Windows1252, _)));
    assert_eq!(
        guess.delimiter,
        Choice::Differ(
            "the files are separated differently (extract.csv: semicolons; auditors.csv: commas); \
             caseaudit cannot tell from the first line of every file: give --delimiter \";\" when you read extract.csv"
                .into()
        )
    );
    assert_eq!(
        guess.header_row,
        Choice::Differ(
            "the headings are on different lines (extract.csv: 3; auditors.csv: 1); caseaudit finds each by itself"
                .into()
        )
    );
    // Alone, the extract sets all three.
    let guess = combine(vec![csv("extract.csv", LCS)], Given::default());
    assert!(matches!(guess.encoding, Choice::Set(Encoding::Windows1252, _)));
    assert!(matches!(guess.delimiter, Choice::Set(b';', _)));
    assert!(matches!(guess.header_row, Choice::Set(3, _)));
    // UTF-8 beside Windows-1252: neither is set.
    let utf8 = csv("staff.csv", "Staff ID,Name,Team\nS1,Zoë,North\n".as_bytes());
    let guess = combine(vec![csv("extract.csv", LCS), utf8], Given::default());
    let Choice::Differ(why) = &guess.encoding else {
        panic!("{:?}", guess.encoding)
    };
    assert!(
        why.starts_with("extract.csv is Windows-1252 but staff.csv is UTF-8"),
        "{why}"
    );
    // Files caseaudit reads right by itself set nothing.
    let guess = combine(vec![csv("auditors.csv", STAFF)], Given::default());
    assert_eq!(
        (guess.encoding, guess.delimiter, guess.header_row),
        (Choice::Default, Choice::Default, Choice::Default)
    );
}

#[test]
fn the_settings_written_parse_and_map_every_guess() {
    let guess = combine(
        vec![csv("extract.csv", LCS), csv("auditors.csv", STAFF)],
        Given::default(),
    );
    let text = settings_text(&guess);
    let settings = Settings::parse(&text, "caseaudit.toml").unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    assert_eq!(settings.input.encoding, Some(Encoding::Windows1252));
    assert_eq!(settings.input.delimiter(), None);
    assert_eq!(settings.extract.columns["team"].get_ref(), "Owning Team");
    assert_eq!(settings.auditors.columns["auditor_id"].get_ref(), "Staff Ref");
    assert!(text.contains("team = \"Owning Team\"   # guessed: nearest heading to \"team\"\n"));
    // With the mapping, each file fits its layout with nothing missing.
    for f in &guess.files {
        let fit = crate::fit::best(&f.headings, &settings).unwrap();
        assert_eq!(Ok(fit.kind), f.layout);
        assert!(fit.missing.is_empty(), "{}: {:?}", f.name, fit.missing);
    }
    // Everything else is the demo's.
    let demo = Settings::parse(CONFIG_TOML_FOR_TESTS, "demo.toml").unwrap();
    assert_eq!(settings.sampling.frames.len(), demo.sampling.frames.len());
    assert_eq!(settings.template.elements, demo.template.elements);
    assert_eq!(settings.grades.scale, demo.grades.scale);
    assert_eq!(settings.moderation.rate, demo.moderation.rate);
    assert_eq!(settings.allocation.rotate_months, demo.allocation.rotate_months);
    // The redact key is the user's to choose, never the demo's.
    assert_eq!(settings.privacy.redact_key, None);
}

const CONFIG_TOML_FOR_TESTS: &str = crate::synth::demo::CONFIG_TOML;

#[test]
fn with_no_files_the_demos_settings_are_written() {
    let text = settings_text(&combine(Vec::new(), Given::default()));
    assert!(text.starts_with(
        "# caseaudit settings, written by `caseaudit init` with no files given, so nothing\n# was guessed"
    ));
    let settings = Settings::parse(&text, "caseaudit.toml").unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    assert_eq!(settings.sampling.frames.len(), 3);
    assert!(settings.extract.columns.is_empty());
    assert!(text.contains("\n# [extract.columns]\n# case_id = \"Child Unique ID\"\n"));
    assert!(text.contains("\n# [auditors.columns]\n# auditor_id = \"Staff Ref\"\n"));
    // Every section of the demo's is there.
    for section in [
        "[grades]",
        "[sampling]",
        "[allocation]",
        "[moderation]",
        "[privacy]",
        "[input]",
    ] {
        assert!(text.contains(&format!("\n{section}\n")), "{section}");
    }
}

#[test]
fn moderation_columns_go_under_moderation() {
    let g = csv(
        "moderation.csv",
        b"Audit ID,Moderator Ref,Date Moderated,Moderated Grade,Notes\nA1,M1,01/11/2026,Good,x\n",
    );
    assert_eq!(g.layout, Ok(Kind::Moderation));
    let text = settings_text(&combine(vec![g], Given::default()));
    let settings = Settings::parse(&text, "caseaudit.toml").unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    assert_eq!(
        settings.moderation.columns["moderator_id"].get_ref(),
        "Moderator Ref"
    );
    let (moderation, columns) = (
        text.find("\n[moderation]\n"),
        text.find("\n[moderation.columns]\n"),
    );
    assert!(moderation < columns && columns < text.find("\n[privacy]\n"));
}

#[test]
fn a_mapping_missing_from_another_file_of_the_layout_is_a_conflict() {
    let other = csv("north.csv", b"Person ID,Team Name\nP2,North\n");
    let guess = combine(vec![csv("extract.csv", LCS), other], Given::default());
    assert_eq!(
        guess.could_not(),
        [
            "north.csv: has no heading \"Owning Team\", which [extract.columns] maps to team: read it with settings of its own"
        ]
    );
}

#[test]
fn headings_are_written_as_toml_strings() {
    assert_eq!(
        settings_text::quoted("Team \"A\" \\ B"),
        "\"Team \\\"A\\\" \\\\ B\""
    );
    let g = csv("auditors.csv", b"\"Staff \"\"Ref\"\"\",Name,Team\nS1,A,North\n");
    let text = settings_text(&combine(vec![g], Given::default()));
    let settings = Settings::parse(&text, "caseaudit.toml").unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    assert_eq!(settings.auditors.columns["auditor_id"].get_ref(), "Staff \"Ref\"");
}

#[test]
fn what_the_command_line_gives_is_taken_not_guessed() {
    let given = Given {
        encoding: Some(Encoding::Windows1252),
        delimiter: Some(b';'),
        header_row: Some(3),
        kind: None,
    };
    let text = crate::csvio::decode_windows_1252(LCS);
    let table = Table::Csv {
        head: text.as_bytes(),
        text: Text::Windows1252,
        default: b',',
        by_itself: b',',
    };
    let g = super::table("extract.csv", table, &known(), given);
    assert_eq!((g.header_line, g.layout.clone()), (Some(3), Ok(Kind::Cases)));
    // Given the wrong row, the headings are that row's.
    let wrong = Given {
        header_row: Some(1),
        ..given
    };
    let h = super::table("extract.csv", table, &known(), wrong);
    assert_eq!(h.headings, ["LCS report: open cases", "", "", ""]);
    let guess = combine(vec![g, csv("auditors.csv", STAFF)], given);
    let said = "given on the command line".to_string();
    assert_eq!(guess.encoding, Choice::Set(Encoding::Windows1252, said.clone()));
    assert_eq!(guess.delimiter, Choice::Set(b';', said.clone()));
    assert_eq!(guess.header_row, Choice::Set(3, said));
}

#[test]
fn headings_unlike_any_layout_are_told_by_the_guesses() {
    // examples/mapped-extract.csv: three headings caseaudit knows of eight.
    let g = csv(
        "mapped.csv",
        b"Person ID,Owning Team,Key Worker,Episode Start,Episode End,Assessment Factors,Referral Source Code,Child Name\n",
    );
    assert_eq!((g.layout.clone(), g.layout_guessed), (Ok(Kind::Cases), true));
    let guessed: Vec<(&str, &str)> = g
        .columns
        .iter()
        .map(|c| (c.field, c.heading.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        guessed,
        [
            ("team", "Owning Team"),
            ("worker", "Key Worker"),
            ("start_date", "Episode Start"),
            ("end_date", "Episode End"),
            ("referral_source", "Referral Source Code"),
        ]
    );
    assert!(
        g.summary()
            .starts_with("mapped.csv: case extract (guessed from its headings); team = ")
    );
}

#[test]
fn a_field_a_file_may_lack_is_not_guessed_from_a_heading_about_something_else() {
    let g = csv(
        "cases.csv",
        b"Child Unique ID,Allocated Team,Age of Child (Years),Case Status\n",
    );
    let fields: Vec<&str> = g.columns.iter().map(|c| c.field).collect();
    assert_eq!(fields, ["status"], "{:?}", g.columns);
}

#[test]
fn annex_a_lists_set_the_annex_a_layout() {
    let list6 = csv(
        "list6.csv",
        b"Child Unique ID,Gender,Date of Birth,Age of Child (Years),Primary Need Code,CIN Start Date,CIN Closure Date,Case Status,Allocated Team,Allocated Worker\n",
    );
    assert_eq!((list6.annex_a, list6.layout.clone()), (Some(6), Ok(Kind::Cases)));
    assert!(list6.columns.is_empty());
    assert_eq!(list6.summary(), "list6.csv: case extract (Annex A list 6)");
    let guess = combine(vec![list6.clone()], Given::default());
    assert!(matches!(guess.extract_layout, Choice::Set("annex-a", _)));
    let text = settings_text(&guess);
    let settings = Settings::parse(&text, "caseaudit.toml").unwrap();
    assert_eq!(settings.extract.layout, crate::config::ExtractLayout::AnnexA);
    // Beside an extract that is not a list, the layout stays standard.
    let guess = combine(vec![list6, csv("extract.csv", LCS)], Given::default());
    assert!(matches!(guess.extract_layout, Choice::Differ(_)));
}
