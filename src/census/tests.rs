use super::*;
use proptest::prelude::*;

/// A small census of invented children, written as the return is.
const CENSUS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Message xmlns="http://www.example.org/cin">
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2026</Year>
    </CollectionDetails>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>TEST001</LAchildID>
        <UPN>A000000000001</UPN>
        <PersonBirthDate>2015-04-02</PersonBirthDate>
        <GenderCurrent>2</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Disabilities>
          <Disability>HAND</Disability>
          <Disability>HEAR</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-01-10</CINreferralDate>
        <ReferralSource>1A</ReferralSource>
        <CINclosureDate>2025-05-01</CINclosureDate>
        <Assessments>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>2B</AssessmentFactors>
            <AssessmentFactors>16A</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
      </CINdetails>
      <CINdetails>
        <CINreferralDate>2026-02-03</CINreferralDate>
        <ReferralSource>5D</ReferralSource>
        <Assessments>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>2b</AssessmentFactors>
            <AssessmentFactors>3A</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <ChildProtectionPlans>
          <CPPstartDate>2026-03-01</CPPstartDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>PHY</LatestCategoryOfAbuse>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>TEST002</LAchildID>
        <PersonBirthDate>2019-11-30</PersonBirthDate>
        <GenderCurrent>1</GenderCurrent>
      </ChildIdentifiers>
      <CINdetails>
        <CINreferralDate>2026-06-01</CINreferralDate>
        <ReferralSource>3E</ReferralSource>
        <CINclosureDate>2026-09-01</CINclosureDate>
        <ChildProtectionPlans>
          <CPPstartDate>2026-06-20</CPPstartDate>
          <CPPendDate>2026-08-20</CPPendDate>
          <LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
  </Children>
</Message>
"#;

/// The rows of the CSV text, each with its line number (blank rows skipped).
fn rows(census: &Census) -> Vec<(u64, Vec<String>)> {
    let text = std::str::from_utf8(&census.csv).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| *l != "\"\"")
        .map(|(i, l)| {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(l.as_bytes());
            let cells = r.records().next().unwrap().unwrap();
            (i as u64 + 1, cells.iter().map(str::to_string).collect())
        })
        .collect()
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1
}

#[test]
fn each_child_is_a_row_on_its_xml_line() {
    let census = read("census.xml", CENSUS.as_bytes()).unwrap();
    assert_eq!(census.children, 2);
    assert!(census.xml_lines);
    let rows = rows(&census);
    assert_eq!(
        rows[0].1,
        [
            "case_id",
            "team",
            "worker",
            "service",
            "start_date",
            "end_date",
            "dob",
            "referral_source",
            "risk_factors",
            "gender",
            "disability"
        ]
    );
    assert_eq!(census.headings, rows[0].1);
    // The latest episode gives the dates and source; its plan is open, so CP.
    assert_eq!(rows[1].0, line_of(CENSUS, "<Child>"));
    assert_eq!(
        rows[1].1,
        [
            "TEST001",
            "",
            "",
            "CP",
            "2026-02-03",
            "",
            "2015-04-02",
            "5D",
            "2B; 16A; 3A; NEG; PHY",
            "Female",
            "HAND; HEAR"
        ]
    );
    assert_eq!(
        rows[2].1,
        [
            "TEST002",
            "",
            "",
            "CIN",
            "2026-06-01",
            "2026-09-01",
            "2019-11-30",
            "3E",
            "EMO",
            "Male",
            ""
        ]
    );
    let second = CENSUS
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("<Child>"))
        .nth(1);
    assert_eq!(rows[2].0, second.unwrap().0 as u64 + 1);
}

#[test]
fn the_latest_episode_wins_and_a_tie_goes_to_the_later() {
    let xml = "<Message><Children><Child><ChildIdentifiers><LAchildID>T1</LAchildID></ChildIdentifiers>\
        <CINdetails><CINreferralDate>2026-03-01</CINreferralDate><ReferralSource>1A</ReferralSource></CINdetails>\
        <CINdetails><CINreferralDate>2026-01-01</CINreferralDate><ReferralSource>2A</ReferralSource></CINdetails>\
        <CINdetails><CINreferralDate>2026-03-01</CINreferralDate><ReferralSource>3A</ReferralSource>\
        <CINclosureDate>2026-04-01</CINclosureDate></CINdetails>\
        </Child></Children></Message>";
    let census = read("c.xml", xml.as_bytes()).unwrap();
    let row = &rows(&census)[1].1;
    assert_eq!(row[4], "2026-03-01");
    assert_eq!(row[5], "2026-04-01");
    assert_eq!(row[7], "3A");
}

#[test]
fn children_on_one_line_are_numbered_in_order() {
    let xml = "<Message><Children><Child><ChildIdentifiers><LAchildID>A</LAchildID></ChildIdentifiers></Child>\
               <Child><ChildIdentifiers><LAchildID>B</LAchildID></ChildIdentifiers></Child></Children></Message>";
    let census = read("c.xml", xml.as_bytes()).unwrap();
    assert!(!census.xml_lines);
    let rows = rows(&census);
    assert_eq!((rows[1].0, rows[2].0), (2, 3));
    assert_eq!((rows[1].1[0].as_str(), rows[2].1[0].as_str()), ("A", "B"));
}

#[test]
fn prefixed_names_and_escapes_are_read() {
    let xml = "<c:Message xmlns:c=\"urn:x\"><c:Children><c:Child><c:ChildIdentifiers>\
               <c:LAchildID>A&amp;B&#x31;<![CDATA[<2>]]></c:LAchildID></c:ChildIdentifiers></c:Child>\
               </c:Children></c:Message>";
    let census = read("c.xml", xml.as_bytes()).unwrap();
    assert_eq!(rows(&census)[1].1[0], "A&B1<2>");
}

#[test]
fn a_bad_date_names_the_file_the_xml_line_and_the_child() {
    let xml = CENSUS.replace("2019-11-30", "30/11/2019");
    let err = read("census.xml", xml.as_bytes()).unwrap_err().to_string();
    let line = line_of(&xml, "30/11/2019");
    assert_eq!(
        err,
        format!(
            "census.xml:{line}: <PersonBirthDate> of child \"TEST002\": \"30/11/2019\" is not a date (the census writes dates as yyyy-mm-dd)"
        )
    );
    for bad in ["2026-02-30", "2026-2-03", "+026-02-03", "2026-02-03x"] {
        let xml = CENSUS.replace("2026-02-03", bad);
        let err = read("census.xml", xml.as_bytes()).unwrap_err().to_string();
        assert!(
            err.contains("<CINreferralDate> of child \"TEST001\""),
            "{bad}: {err}"
        );
    }
}

#[test]
fn xml_that_is_not_the_census_is_refused() {
    for xml in [
        "<?xml version=\"1.0\"?><html><body/></html>",
        "<Message><Header/><LALevelVacancies/></Message>",
    ] {
        let err = read("other.xml", xml.as_bytes()).unwrap_err().to_string();
        assert!(
            err.starts_with("other.xml is XML but not the CIN census: only the CIN census XML is read"),
            "{err}"
        );
    }
    let err = read("e.xml", "<!-- nothing -->".as_bytes())
        .unwrap_err()
        .to_string();
    assert!(err.contains("XML with no elements"), "{err}");
}

#[test]
fn malformed_xml_names_the_line() {
    let xml = CENSUS.replace(
        "</GenderCurrent>\n      </ChildIdentifiers>\n      <CINdetails>",
        "</Gender>",
    );
    let err = read("census.xml", xml.as_bytes()).unwrap_err().to_string();
    let line = line_of(&xml, "</Gender>");
    assert!(
        err.starts_with(&format!("census.xml:{line}: malformed XML")),
        "{err}"
    );
    let cut = &CENSUS[..CENSUS.find("<CINdetails>").unwrap()];
    let err = read("census.xml", cut.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("the file ends inside <Child>"), "{err}");
    let err = read("census.xml", &b"<Message><Children>\xff</Children></Message>"[..])
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("census.xml:1: malformed XML"), "{err}");
}

#[test]
fn a_doctype_and_undefined_entities_are_refused() {
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE Message [\n<!ENTITY a \"aaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">\n]>\n\
                <Message><Children><Child><ChildIdentifiers><LAchildID>&b;</LAchildID></ChildIdentifiers></Child></Children></Message>";
    let err = read("bomb.xml", bomb.as_bytes()).unwrap_err().to_string();
    assert_eq!(
        err,
        "bomb.xml:2: the XML has a DOCTYPE declaration, which the CIN census never has; it is not read"
    );
    let xml = "<Message><Children><Child><ChildIdentifiers><LAchildID>&b;</LAchildID></ChildIdentifiers></Child></Children></Message>";
    let err = read("c.xml", xml.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("the entity &b; is not defined"), "{err}");
}

#[test]
fn deep_nesting_and_huge_values_are_refused() {
    let deep = format!("<Message>{}", "<a>".repeat(100));
    let err = read("deep.xml", deep.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("nested over 64 deep"), "{err}");
    let huge = format!(
        "<Message><Children><Child><ChildIdentifiers><LAchildID>{}</LAchildID></ChildIdentifiers></Child></Children></Message>",
        "x".repeat(MAX_TEXT + 1)
    );
    let err = read("huge.xml", huge.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("<LAchildID> holds over 64 KiB of text"), "{err}");
}

#[test]
fn input_past_the_limit_is_refused() {
    let err = read_within("big.xml", CENSUS.as_bytes(), 3 << 20).map(|c| c.children);
    assert_eq!(err.unwrap(), 2);
    let big = format!("<Message>{}", " ".repeat((1 << 20) + 1));
    let err = read_within("big.xml", big.as_bytes(), 1 << 20)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "big.xml is over 1 MiB: too large to read as the CIN census");
}

#[test]
fn a_long_run_of_text_or_spaces_is_refused_as_it_comes() {
    // 300 MB of spaces inside an element once took 324 MB of memory before the
    // value's own limit refused it; a run is now stopped at 1 MiB.
    for run in [" ".repeat(2 << 20), "x".repeat(2 << 20)] {
        let xml = format!(
            "<Message><Children><Child><ChildIdentifiers>{run}</ChildIdentifiers></Child></Children></Message>"
        );
        let err = read("long.xml", xml.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            err,
            "long.xml:1: a text, tag or run of spaces over 1 MiB long, which no CIN census has; it is not read"
        );
    }
    // Runs just under the bound (with the indentation after them), between
    // elements, are read.
    let spaced = CENSUS.replace(
        "<Children>",
        &format!(
            "<Children>{}<!-- -->{}",
            " ".repeat(1 << 20),
            " ".repeat((1 << 20) - 64)
        ),
    );
    let read = read("spaced.xml", spaced.as_bytes()).map(|c| c.children);
    assert_eq!(read.map_err(|e| e.to_string()), Ok(2));
}

#[test]
fn values_stay_on_one_line() {
    let xml = "<Message><Children><Child><ChildIdentifiers><LAchildID>\n  A\r\nB  </LAchildID></ChildIdentifiers></Child><Child/></Children></Message>";
    let census = read("c.xml", xml.as_bytes()).unwrap();
    let rows = rows(&census);
    assert_eq!(rows[1].1[0], "A  B");
    // An empty child is a row with a blank case id, for the extract reader to report.
    assert_eq!(rows[2].1[0], "");
    assert_eq!(census.children, 2);
}

#[test]
fn xml_is_told_by_its_first_character() {
    assert!(is_xml(b"\xEF\xBB\xBF \n<?xml"));
    assert!(is_xml(b"<Message>"));
    assert!(!is_xml(b"case_id,team\n<1>,x\n"));
    assert!(!is_xml(b""));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever follows `<Message>`, reading never panics.
    #[test]
    fn arbitrary_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = b"<Message>".to_vec();
        bytes.extend(tail);
        let _ = read("fuzz.xml", &bytes[..]);
    }

    /// Census-shaped pieces in any order and nesting never panic either.
    #[test]
    fn census_pieces_never_panic(pieces in proptest::collection::vec(0usize..PIECES.len(), 0..60)) {
        let mut xml = String::from("<Message><Children>");
        for p in pieces {
            xml.push_str(PIECES[p]);
        }
        let _ = read("fuzz.xml", xml.as_bytes());
    }
}

const PIECES: [&str; 16] = [
    "<Child>",
    "</Child>",
    "<CINdetails>",
    "</CINdetails>",
    "<ChildIdentifiers>",
    "</ChildIdentifiers>",
    "<LAchildID>X</LAchildID>",
    "<CINreferralDate>2026-01-01</CINreferralDate>",
    "<CINreferralDate>bad</CINreferralDate>",
    "<ChildProtectionPlans>",
    "</ChildProtectionPlans>",
    "<Assessments><AssessmentFactors>2B</AssessmentFactors>",
    "</Assessments>",
    "</Children></Message>",
    "<Child/>",
    "&amp;&#0;&#xFFFFFF;",
];
