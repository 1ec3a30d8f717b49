//! The CIN census XML as a case extract: read alone, merged with a file of teams,
//! filtered on its codes, sampled and allocated; XML that is not the census, or
//! is malformed or unsafe, refused with the file and line.

use crate::common::{Workdir, csv_rows};

/// A census of four invented children (the shape of the DfE return, with a
/// default namespace as real files have). Line numbers matter to the tests.
fn census() -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <Message xmlns=\"http://www.example.org/cin\">\n\
         <Header><CollectionDetails><Collection>CIN</Collection><Year>2026</Year></CollectionDetails></Header>\n\
         <Children>\n",
    );
    let children = [
        (
            "SYN001",
            "2014-05-06",
            "2026-03-02",
            "",
            "5D",
            &["16A", "2B"][..],
            "",
        ),
        (
            "SYN002",
            "2017-08-09",
            "2026-01-15",
            "2026-10-01",
            "1A",
            &["3A"][..],
            "",
        ),
        ("SYN003", "2012-01-20", "2025-11-30", "", "3E", &[][..], "NEG"),
        ("SYN004", "2020-02-29", "2026-07-07", "", "2A", &["4B"][..], "PHY"),
    ];
    for (id, dob, referral, closure, source, factors, category) in children {
        xml.push_str("<Child>\n");
        xml.push_str(&format!(
            "  <ChildIdentifiers><LAchildID>{id}</LAchildID><UPN>A000000000000</UPN><PersonBirthDate>{dob}</PersonBirthDate><GenderCurrent>1</GenderCurrent></ChildIdentifiers>\n"
        ));
        xml.push_str(&format!(
            "  <CINdetails>\n    <CINreferralDate>{referral}</CINreferralDate>\n    <ReferralSource>{source}</ReferralSource>\n"
        ));
        if !closure.is_empty() {
            xml.push_str(&format!("    <CINclosureDate>{closure}</CINclosureDate>\n"));
        }
        xml.push_str("    <Assessments><FactorsIdentifiedAtAssessment>");
        for f in factors {
            xml.push_str(&format!("<AssessmentFactors>{f}</AssessmentFactors>"));
        }
        xml.push_str("</FactorsIdentifiedAtAssessment></Assessments>\n");
        if !category.is_empty() {
            xml.push_str(&format!(
                "    <ChildProtectionPlans><CPPstartDate>{referral}</CPPstartDate><LatestCategoryOfAbuse>{category}</LatestCategoryOfAbuse></ChildProtectionPlans>\n"
            ));
        }
        xml.push_str("  </CINdetails>\n</Child>\n");
    }
    xml.push_str("</Children>\n</Message>\n");
    xml
}

const TEAMS: &str = "case_id,team,worker\n\
                     SYN001,North,Ann Lark\n\
                     SYN002,North,Ann Lark\n\
                     SYN003,South,Bob Wren\n\
                     SYN004,South,Cat Hale\n";

/// The XML line (1-based) of the `<Child>` holding `id`: the line above its
/// identifiers, whose 0-based index that is.
fn child_line(xml: &str, id: &str) -> usize {
    xml.lines().position(|l| l.contains(&format!(">{id}<"))).unwrap()
}

#[test]
fn a_census_alone_is_read_one_case_per_child() {
    let w = Workdir::new();
    let xml = census();
    w.write("census.xml", &xml);
    let run = w
        .run(&[
            "cases",
            "census.xml",
            "-f",
            "csv",
            "--columns",
            "case_id,team,service,start_date,end_date,dob,referral_source,risk_factors,gender,status",
        ])
        .ok()
        .stderr_has("census.xml: read as the CIN census: 4 children")
        .stderr_has("census.xml: warning: column \"team\": no case has a team (4 cases)");
    let rows = csv_rows(&run.stdout);
    assert_eq!(rows.len(), 5, "{}", run.stdout);
    // The same from standard input, saved by Windows (a byte-order mark, CRLF).
    let windows = format!("\u{feff}{}", xml.replace('\n', "\r\n"));
    let from_stdin = w.run_stdin(
        &[
            "cases",
            "-",
            "-f",
            "csv",
            "--columns",
            "case_id,service,start_date",
        ],
        windows,
    );
    let from_stdin = csv_rows(&from_stdin.ok().stdout);
    assert_eq!(from_stdin.len(), 5);
    assert_eq!(
        from_stdin[1],
        rows[1][..1]
            .iter()
            .chain(&rows[1][2..4])
            .cloned()
            .collect::<Vec<_>>()
    );
    assert_eq!(
        rows[1],
        [
            "SYN001",
            "",
            "CIN",
            "2026-03-02",
            "",
            "2014-05-06",
            "5D",
            "16A; 2B",
            "Male",
            "open"
        ]
    );
    assert_eq!(rows[2][4], "2026-10-01");
    assert_eq!(rows[2][9], "closed");
    // An open plan with a category of abuse: service CP, the category a risk factor.
    assert_eq!((rows[3][2].as_str(), rows[3][7].as_str()), ("CP", "NEG"));
    assert!(!run.stdout.contains("A000000000000"), "the UPN is left out");
}

#[test]
fn census_codes_answer_vocabulary_words() {
    let w = Workdir::new();
    w.write("census.xml", census());
    let ids = |filter: &str| {
        let run = w
            .run(&[
                "cases",
                "census.xml",
                "--where",
                filter,
                "-f",
                "csv",
                "--columns",
                "case_id",
            ])
            .ok();
        csv_rows(&run.stdout)
            .into_iter()
            .skip(1)
            .map(|r| r[0].clone())
            .collect::<Vec<_>>()
    };
    // 16A (an assessment factor) and NEG (a plan's category) are both neglect.
    assert_eq!(ids("risk_factors contains neglect"), ["SYN001", "SYN003"]);
    assert_eq!(ids("risk_factors contains physical_abuse"), ["SYN004"]);
    assert_eq!(ids("risk_factors contains drugs"), ["SYN001"]);
    assert_eq!(ids("step_up"), ["SYN001"]);
}

#[test]
fn merged_with_a_teams_file_it_is_sampled_and_allocated() {
    let w = Workdir::new();
    w.write("census.xml", census());
    w.write("teams.csv", TEAMS);
    w.write(
        "caseaudit.toml",
        "[[sampling.frames]]\nname = \"neglect\"\nwhere = \"risk_factors contains neglect\"\nsize = 2\n\n\
         [[sampling.frames]]\nname = \"open\"\nwhere = \"status = open\"\nsize = 5\n",
    );
    let run = w
        .run(&[
            "cases",
            "census.xml",
            "teams.csv",
            "-f",
            "csv",
            "--columns",
            "case_id,team,worker",
        ])
        .ok();
    assert_eq!(
        csv_rows(&run.stdout)[1..],
        [
            ["SYN001", "North", "Ann Lark"],
            ["SYN002", "North", "Ann Lark"],
            ["SYN003", "South", "Bob Wren"],
            ["SYN004", "South", "Cat Hale"],
        ]
    );
    let run = w
        .run(&[
            "sample",
            "census.xml",
            "teams.csv",
            "--seed",
            "7",
            "-o",
            "sample.csv",
        ])
        .ok();
    let sample = csv_rows(&w.read("sample.csv"));
    let mut drawn: Vec<(String, String, String)> = sample[1..]
        .iter()
        .map(|r| (r[1].clone(), r[4].clone(), r[5].clone()))
        .collect();
    drawn.sort();
    assert_eq!(
        drawn,
        [
            ("neglect".into(), "SYN001".into(), "North".into()),
            ("neglect".into(), "SYN003".into(), "South".into()),
            ("open".into(), "SYN004".into(), "South".into()),
        ],
        "{}",
        run.stderr
    );
    w.write(
        "auditors.csv",
        "auditor_id,name,team,capacity\nn1,Nia,North,5\ns1,Sol,South,5\n",
    );
    let run = w
        .run(&["allocate", "sample.csv", "--auditors", "auditors.csv"])
        .ok();
    let rows = csv_rows(&run.stdout);
    assert_eq!(rows.len(), 4, "{}", run.stdout);
    for r in &rows[1..] {
        // No auditor audits their own team's case.
        assert_ne!(r[2], r[7], "{r:?}");
    }
}

#[test]
fn validate_reads_the_census() {
    let w = Workdir::new();
    w.write("census.xml", census());
    w.run(&["validate", "census.xml"])
        .ok()
        .stderr_has("census.xml: read as the CIN census: 4 children")
        .stderr_has("census.xml: case extract, 4 rows: ok");
}

#[test]
fn the_content_decides_not_the_extension() {
    let w = Workdir::new();
    w.write("census.csv", census());
    w.write("teams.xml", TEAMS);
    let run = w
        .run(&["cases", "census.csv", "teams.xml", "--count", "-f", "csv"])
        .ok()
        .stderr_has("census.csv: read as the CIN census: 4 children");
    assert_eq!(csv_rows(&run.stdout)[1][0], "4");
}

#[test]
fn a_bad_date_names_the_file_the_xml_line_and_the_child() {
    let w = Workdir::new();
    let xml = census().replace("2017-08-09", "09/08/2017");
    let line = xml.lines().position(|l| l.contains("09/08/2017")).unwrap() + 1;
    w.write("census.xml", &xml);
    w.run(&["cases", "census.xml"]).fails(1).stderr_has(&format!(
        "census.xml:{line}: <PersonBirthDate> of child \"SYN002\": \"09/08/2017\" is not a date (the census writes dates as yyyy-mm-dd)"
    ));
}

#[test]
fn a_repeated_child_is_located_at_its_xml_lines() {
    let w = Workdir::new();
    let xml = census().replace(">SYN003<", ">SYN001<");
    w.write("census.xml", &xml);
    let first = child_line(&xml, "SYN001");
    let lines: Vec<&str> = xml.lines().collect();
    let again = lines.iter().rposition(|l| l.contains(">SYN001<")).unwrap();
    // Read as one child by default, as any extract's repeated ids are.
    w.run(&["cases", "census.xml", "--count"])
        .ok()
        .stderr_has("census.xml: 2 rows are the episodes of 1 case");
    w.write("strict.toml", "[extract]\nrepeated_ids = \"error\"\n");
    w.run(&["cases", "census.xml", "-c", "strict.toml"])
        .fails(1)
        .stderr_has(&format!(
            "census.xml:{again}: column \"case_id\": case id \"SYN001\" appears again (first on line {first})"
        ));
}

#[test]
fn other_malformed_and_unsafe_xml_is_refused() {
    let w = Workdir::new();
    w.write(
        "workforce.xml",
        "<Message><Header/><LALevelVacancies/></Message>\n",
    );
    w.run(&["cases", "workforce.xml"])
        .fails(1)
        .stderr_has("workforce.xml is XML but not the CIN census: only the CIN census XML is read");
    let bad = census().replacen("</CINdetails>", "</CINdetail>", 1);
    let line = bad.lines().position(|l| l.contains("</CINdetail>")).unwrap() + 1;
    w.write("bad.xml", &bad);
    w.run(&["cases", "bad.xml"])
        .fails(1)
        .stderr_has(&format!("bad.xml:{line}: malformed XML"));
    w.write(
        "bomb.xml",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Message [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n<Message><Children><Child><ChildIdentifiers><LAchildID>&b;</LAchildID></ChildIdentifiers></Child></Children></Message>\n",
    );
    w.run(&["cases", "bomb.xml"])
        .fails(1)
        .stderr_has("bomb.xml:2: the XML has a DOCTYPE declaration");
}

/// A billion laughs needs entities; no entity is defined, so none is expanded
/// (the DOCTYPE is refused above); a long run of text is refused as it comes.
#[test]
fn a_census_with_a_long_run_of_spaces_is_refused_as_it_comes() {
    let w = Workdir::new();
    w.write(
        "spaces.xml",
        format!(
            "<Message><Children><Child><ChildIdentifiers>{}</ChildIdentifiers></Child></Children></Message>\n",
            " ".repeat(3 << 20)
        ),
    );
    let run = w.run(&["cases", "spaces.xml"]).fails(1).stderr_has(
        "spaces.xml:1: a text, tag or run of spaces over 1 MiB long, which no CIN census has; it is not read",
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// The size is checked before anything is read (the file here is sparse).
#[test]
fn a_census_over_1_gib_is_refused() {
    let w = Workdir::new();
    let path = w.write("huge.xml", "<Message>");
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len((1 << 30) + 1).unwrap();
    w.run(&["cases", "huge.xml"])
        .fails(1)
        .stderr_has("huge.xml is over 1024 MiB: too large to read as the CIN census");
}

#[test]
fn a_census_read_alone_is_warned_of_once_for_its_missing_teams() {
    let w = Workdir::new();
    w.write("census.xml", census());
    let run = w.run(&["validate", "census.xml", "--kind", "cases"]).ok();
    let all = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(all.matches("has no team").count(), 0, "{all}");
    assert_eq!(all.matches("no case has a team").count(), 1, "{all}");
}

#[test]
fn the_census_can_come_on_standard_input() {
    use std::io::Write;
    let w = Workdir::new();
    let mut child = w
        .cmd(&["cases", "-", "--count"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(census().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "count\n4\n");
    assert!(
        stderr.contains("<stdin>: read as the CIN census: 4 children"),
        "{stderr}"
    );
}
