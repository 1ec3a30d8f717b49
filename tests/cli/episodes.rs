//! Extracts with one row per episode, per factor or per worker, as case
//! management systems and the statutory returns export them: rows that share a
//! case id are one case.

use crate::common::{Workdir, csv_rows};

const SETTINGS: &str = include_str!("../data/sample.toml");

/// An LCS-style export: one row per episode, the system's own headings, a title
/// of its own for the factors, and the latest episode without a team.
const LCS: &str = "\
Person ID,Forename,Surname,Date of Birth,Team Name,Allocated Social Worker,Referral Date,Closure Date,Factors identified at assessment
100021,Amy,Test,03/04/2015,North CIN,Ann Smith,01/02/2024,01/06/2024,Neglect
100022,Ben,Test,05/06/2019,South CP,Bob Jones,01/03/2025,,Domestic abuse
100021,Amy,Test,03/04/2015,,Cat Brown,01/01/2026,,Domestic abuse; neglect
100023,Cal,Test,01/01/2020,East,Dan Green,01/01/2026,01/02/2026,
100021,Amy,Test,03/04/2015,West CIN,Old Worker,01/01/2023,01/02/2023,Physical abuse
";

#[test]
fn episode_rows_are_one_case_each() {
    let w = Workdir::new();
    w.write("lcs.csv", LCS);
    let run = w
        .run(&[
            "cases",
            "lcs.csv",
            "--columns",
            "case_id,team,worker,start_date,end_date,status,risk_factors,episodes",
        ])
        .ok()
        .stderr_has("lcs.csv: 3 rows are the episodes of 1 case");
    assert_eq!(
        csv_rows(&run.stdout),
        csv_rows(
            "case_id,team,worker,start_date,end_date,status,risk_factors,episodes\n\
             100021,North CIN,Cat Brown,2026-01-01,,open,Domestic abuse; neglect; Physical abuse,3\n\
             100022,South CP,Bob Jones,2025-03-01,,open,Domestic abuse,1\n\
             100023,East,Dan Green,2026-01-01,2026-02-01,closed,,1\n"
        )
    );
    // `episodes` is a field like any other.
    let run = w
        .run(&[
            "cases",
            "lcs.csv",
            "--where",
            "episodes > 1",
            "--columns",
            "case_id",
        ])
        .ok();
    assert_eq!(run.stdout.trim(), "case_id\n100021");
    // The factors read the same under the file's own heading.
    for filter in [
        "risk_factors contains neglect",
        "\"Factors identified at assessment\" contains neglect",
    ] {
        let run = w
            .run(&["cases", "lcs.csv", "--where", filter, "--count", "-q"])
            .ok();
        assert_eq!(run.stdout, "count\n1\n", "{filter}");
    }
    // validate says what was folded, and finds nothing wrong.
    w.run(&["validate", "lcs.csv", "--kind", "cases"])
        .ok()
        .stderr_has("lcs.csv: 3 rows are the episodes of 1 case")
        .stderr_has("5 rows");
}

#[test]
fn a_factor_per_row_export_counts_each_case_once() {
    let w = Workdir::new();
    let mut text = String::from("Child ID,Worker Name,Team Name,Referral Date,Assessment Factors\n");
    // 40 children; every third has neglect among three factors, each on its own row.
    for i in 0..40 {
        for factor in [
            "Domestic abuse",
            if i % 3 == 0 { "Neglect" } else { "Mental health" },
            "Alcohol misuse",
        ] {
            text.push_str(&format!(
                "C{i:03},Worker {},Team {},01/0{}/2026,{factor}\n",
                i % 5,
                i % 4,
                1 + i % 9
            ));
        }
    }
    w.write("mosaic.csv", &text);
    w.run(&["cases", "mosaic.csv", "--count", "-q"])
        .ok()
        .stdout_has("40");
    let run = w
        .run(&[
            "cases",
            "mosaic.csv",
            "--where",
            "risk_factors contains neglect",
            "--count",
            "-q",
        ])
        .ok();
    assert_eq!(run.stdout.lines().last(), Some("14"), "{}", run.stdout);
}

#[test]
fn ssda903_episodes_merge_with_a_teams_file() {
    let w = Workdir::new();
    w.write(
        "episodes.csv",
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n\
         C1,01/01/2025,S,C2,N1,U1,PR1,01/03/2025,X1\n\
         C1,01/03/2025,P,C2,N1,U3,PR2,,\n\
         C2,05/05/2025,S,V2,N2,U1,PR1,,\n",
    );
    w.write(
        "teams.csv",
        "CHILD,Team,Allocated Worker\nC1,North,Ann\nC2,South,Bob\n",
    );
    let run = w
        .run(&[
            "cases",
            "episodes.csv",
            "teams.csv",
            "--columns",
            "case_id,team,worker,start_date,end_date,PLACE,episodes",
        ])
        .ok()
        .stderr_has("episodes.csv: 2 rows are the episodes of 1 case");
    assert_eq!(
        csv_rows(&run.stdout),
        csv_rows(
            "case_id,team,worker,start_date,end_date,PLACE,episodes\n\
             C1,North,Ann,2025-03-01,,U3,2\n\
             C2,South,Bob,2025-05-05,,U1,1\n"
        )
    );
    // Without the teams file there is no team to allocate by.
    w.run(&["cases", "episodes.csv"])
        .fails(1)
        .stderr_has("column \"team\": required column is missing");
    // A case the teams file lacks is warned of, at its own file and line.
    w.write("teams.csv", "CHILD,Team\nC1,North\n");
    w.run(&["cases", "episodes.csv", "teams.csv", "--count"])
        .ok()
        .stderr_has("episodes.csv:4: warning: column \"Team\": case \"C2\" has no team");
}

#[test]
fn repeats_can_still_be_refused() {
    let w = Workdir::new();
    w.write("lcs.csv", LCS);
    w.write("strict.toml", "[extract]\nrepeated_ids = \"error\"\n");
    w.run(&["cases", "lcs.csv", "-c", "strict.toml"])
        .fails(1)
        .stderr_has("lcs.csv:4: column \"Person ID\": case id \"100021\" appears again (first on line 2)");
    w.write("loose.toml", "[extract]\nrepeated_ids = \"maybe\"\n");
    w.run(&["cases", "lcs.csv", "-c", "loose.toml"])
        .fails(1)
        .stderr_has("loose.toml:2:");
}

/// The generated extract with an older, closed episode added for every third
/// case: (the original, the file with episodes in file order, the same shuffled).
fn with_episodes(w: &Workdir) -> (String, String, String) {
    w.run(&["generate", "gen", "--cases", "3000", "--seed", "5", "-q"])
        .ok();
    let original = w.read("gen/extract.csv");
    let mut reader = csv::ReaderBuilder::new().from_reader(original.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (start, end) = (col("start_date"), col("end_date"));
    let mut rows: Vec<csv::StringRecord> = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.unwrap();
        if i % 3 == 0 {
            let mut older: Vec<String> = row.iter().map(str::to_string).collect();
            older[start] = "01/01/2015".into();
            older[end] = "31/12/2015".into();
            rows.push(csv::StringRecord::from(older));
        }
        rows.push(row);
    }
    let write = |rows: &[csv::StringRecord]| {
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(&header).unwrap();
        for r in rows {
            out.write_record(r).unwrap();
        }
        String::from_utf8(out.into_inner().unwrap()).unwrap()
    };
    let in_order = write(&rows);
    // A fixed shuffle (an LCG), so a failure can be run again.
    let mut state: u64 = 7;
    for i in (1..rows.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        rows.swap(i, (state >> 33) as usize % (i + 1));
    }
    (original, in_order, write(&rows))
}

#[test]
fn a_sample_does_not_depend_on_episode_rows_or_their_order() {
    let w = Workdir::new();
    w.write("caseaudit.toml", SETTINGS);
    let (original, in_order, shuffled) = with_episodes(&w);
    w.write("original.csv", &original);
    w.write("episodes.csv", &in_order);
    w.write("shuffled.csv", &shuffled);
    let sample = |input: &str, out: &str| {
        w.run(&["sample", input, "--seed", "11", "-o", out]).ok();
        w.read(out)
    };
    let want = sample("original.csv", "a.csv");
    assert!(want.lines().count() > 10, "a real sample:\n{want}");
    assert_eq!(sample("episodes.csv", "b.csv"), want, "episode rows folded");
    assert_eq!(sample("shuffled.csv", "c.csv"), want, "in any order");
    // Standard input is read the same way.
    let run = w.run_stdin(&["sample", "-", "--seed", "11"], shuffled.as_bytes());
    assert_eq!(run.ok().stdout, want, "from standard input");
    // The cases listed are the original's, with their episodes counted.
    let count = |input: &str, filter: &str| {
        let run = w.run(&["cases", input, "--where", filter, "--count", "-q"]).ok();
        run.stdout.lines().last().unwrap().to_string()
    };
    assert_eq!(count("shuffled.csv", "episodes = 2"), "1000");
    assert_eq!(count("shuffled.csv", "episodes >= 1"), "3000");
}

/// A case whose rows are at the two ends of a file read in many blocks folds
/// into one case, listed where its first row is, exactly as when the same rows
/// are read from standard input (read whole, in memory).
#[test]
fn rows_of_a_case_far_apart_fold_into_one() {
    let w = Workdir::new();
    w.write("caseaudit.toml", SETTINGS);
    w.run(&["generate", "gen", "--cases", "6000", "--seed", "3", "-q"])
        .ok();
    let original = w.read("gen/extract.csv");
    let mut reader = csv::ReaderBuilder::new().from_reader(original.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).unwrap();
    for r in &rows {
        out.write_record(r).unwrap();
    }
    // At the end: an older episode of the first case, and a later one of the
    // eleventh, in another team, with another factor.
    let mut older: Vec<String> = rows[0].iter().map(str::to_string).collect();
    (older[col("start_date")], older[col("end_date")]) = ("01/01/2015".into(), "31/12/2015".into());
    out.write_record(&older).unwrap();
    let mut later: Vec<String> = rows[10].iter().map(str::to_string).collect();
    later[col("start_date")] = "01/11/2026".into();
    later[col("end_date")] = String::new();
    later[col("status")] = "open".into();
    later[col("team")] = "Far Team".into();
    later[col("risk_factors")] = "Neglect".into();
    out.write_record(&later).unwrap();
    let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
    // Blocks are at least 64 KiB.
    assert!(
        text.len() > 8 * 64 * 1024,
        "read in many blocks: {} bytes",
        text.len()
    );
    w.write("far.csv", &text);

    let columns = "case_id,team,worker,start_date,end_date,status,risk_factors,episodes";
    let from_stdin = |args: &[&str]| w.run_stdin(args, text.as_bytes()).ok().stdout;
    let run = w
        .run(&["cases", "far.csv", "--columns", columns])
        .ok()
        .stderr_has("far.csv: 4 rows are the episodes of 2 cases");
    let listed = csv_rows(&run.stdout);
    assert_eq!(listed.len(), 6001, "a header and one row a case");
    let (first, eleventh) = (&listed[1], &listed[11]);
    assert_eq!(first[0], rows[0][col("case_id")]);
    assert_eq!(first[7], "2", "{first:?}");
    assert_eq!(first[1], rows[0][col("team")], "{first:?}");
    assert_ne!(first[3], "2015-01-01", "the current episode's start: {first:?}");
    assert_eq!(eleventh[0], rows[10][col("case_id")]);
    assert_eq!(
        eleventh[1..8],
        [
            "Far Team",
            &rows[10][col("worker")],
            "2026-11-01",
            "",
            "open",
            &eleventh[6],
            "2"
        ],
        "{eleventh:?}"
    );
    assert!(eleventh[6].starts_with("Neglect"), "{eleventh:?}");
    let stdin = from_stdin(&["cases", "-", "--columns", columns]);
    assert_eq!(run.stdout, stdin, "as read whole");
    for args in [&["--count", "--by", "team"][..], &["--where", "episodes > 1"]] {
        let file = w.run(&[&["cases", "far.csv", "-q"][..], args].concat()).ok();
        let whole = from_stdin(&[&["cases", "-", "-q"][..], args].concat());
        assert_eq!(file.stdout, whole, "{args:?}");
    }
    let sample = |input: &str| from_stdin(&["sample", input, "--seed", "4"]);
    assert_eq!(
        w.run(&["sample", "far.csv", "--seed", "4"]).ok().stdout,
        sample("-")
    );
}
