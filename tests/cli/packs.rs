//! Team packs: `report --team` and `report --per-team DIR`. Every pack is parsed
//! (HTML with scraper, and the Markdown) and holds only its own team's case ids.

use crate::common::Workdir;
use scraper::{Html, Selector};
use std::collections::BTreeMap;

const HEADER: &str = "audit_id,case_id,month,auditor_id,team,overall,risk,action,action_owner,action_due,action_done,safeguarding_concern";

/// Teams and their November audits; "Team A" and "Team-A" are different teams
/// whose file names collide. Case ids are all six characters, none inside another.
const TEAMS: [(&str, &str, usize); 4] = [
    ("Team A", "KA", 4),
    ("Team-A", "KH", 3),
    ("CIN & CP (North)", "KN", 5),
    ("Fostering", "KF", 2),
];

fn case_id(prefix: &str, i: usize) -> String {
    format!("{prefix}{i:04}")
}

/// Every audit has an action; the first of each team is Inadequate with a
/// safeguarding concern (an escalation), so each team has case ids in the
/// escalations table too. October has audits of an "Early Help" team only.
fn write_inputs(w: &Workdir) {
    let mut audits = format!("{HEADER}\n");
    let mut moderation = String::from("audit_id,moderator_id,moderated_on,overall,challenged,note\n");
    let mut allocation = String::from("month,case_id,team,auditor_id,auditor_name\n");
    for (t, (team, prefix, n)) in TEAMS.into_iter().enumerate() {
        for i in 0..n {
            let id = case_id(prefix, i);
            let (grade, sg) = if i == 0 {
                ("Inadequate", "yes")
            } else {
                ("Good", "no")
            };
            audits.push_str(&format!(
                "AU{t}-{i},{id},2026-11,TM{i},\"{team}\",{grade},Good,Review the plan for {id},TM{i},2026-11-10,no,{sg}\n"
            ));
            allocation.push_str(&format!("2026-11,{id},\"{team}\",TM{i},Auditor {i}\n"));
            if i < 2 {
                // The first two of each team are moderated; the second is challenged
                // and moved down to Requires improvement.
                let (after, challenged) = if i == 1 {
                    ("Requires improvement", "yes")
                } else {
                    (grade, "no")
                };
                moderation.push_str(&format!("AU{t}-{i},QA1,2026-11-25,{after},{challenged},\n"));
            }
        }
    }
    for i in 0..3 {
        let id = case_id("KE", i);
        audits.push_str(&format!("OCT-{i},{id},2026-10,TM9,Early Help,Good,Good,,,,,no\n"));
    }
    w.write("audits.csv", audits);
    w.write("moderation.csv", moderation);
    w.write("allocation.csv", allocation);
}

fn all_case_ids() -> BTreeMap<String, Vec<String>> {
    let mut ids: BTreeMap<String, Vec<String>> = TEAMS
        .iter()
        .map(|(team, prefix, n)| (team.to_string(), (0..*n).map(|i| case_id(prefix, i)).collect()))
        .collect();
    ids.insert("Early Help".into(), (0..3).map(|i| case_id("KE", i)).collect());
    ids
}

/// Every piece of text in the document, as a reader (or a screen reader) gets it.
fn html_text(doc: &Html) -> String {
    doc.root_element().text().collect::<Vec<_>>().join(" ")
}

fn packs_args(dir: &str) -> Vec<&str> {
    vec![
        "report",
        "--month",
        "2026-11",
        "--audits",
        "audits.csv",
        "--moderation",
        "moderation.csv",
        "--allocation",
        "allocation.csv",
        "--per-team",
        dir,
    ]
}

#[test]
fn every_pack_holds_only_its_own_teams_case_ids() {
    let w = Workdir::new();
    write_inputs(&w);
    let run = w.run(&packs_args("packs")).ok();
    assert!(
        run.stderr
            .contains("team packs for 2026-11: 4 teams, HTML and Markdown, in packs"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "packs go to files, not stdout");
    let mut files: Vec<String> = std::fs::read_dir(w.path("packs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "cin-cp-north.html",
            "cin-cp-north.md",
            "fostering.html",
            "fostering.md",
            "index.html",
            "team-a-2.html",
            "team-a-2.md",
            "team-a.html",
            "team-a.md",
        ]
    );
    let stem_of = |team: &str| match team {
        "Team A" => "team-a",
        "Team-A" => "team-a-2",
        "CIN & CP (North)" => "cin-cp-north",
        _ => "fostering",
    };
    let ids = all_case_ids();
    let sel = |s: &str| Selector::parse(s).unwrap();
    for (team, _, n) in TEAMS {
        let html = w.read(&format!("packs/{}.html", stem_of(team)));
        let md = w.read(&format!("packs/{}.md", stem_of(team)));
        let doc = Html::parse_document(&html);
        let title: String = doc.select(&sel("title")).next().unwrap().text().collect();
        assert_eq!(title, format!("Case file audit: {team}, November 2026"));
        let text = html_text(&doc);
        for (other, cases) in &ids {
            for id in cases {
                if other == team {
                    assert!(text.contains(id.as_str()), "{team}'s pack lists its case {id}");
                    assert!(md.contains(id.as_str()), "{team}'s Markdown lists its case {id}");
                } else {
                    assert!(
                        !text.contains(id.as_str()) && !html.contains(id.as_str()),
                        "{team}'s HTML pack holds {other}'s case {id}"
                    );
                    assert!(
                        !md.contains(id.as_str()),
                        "{team}'s Markdown pack holds {other}'s case {id}"
                    );
                }
            }
        }
        // Its audits, one row each, and its escalation.
        let rows = doc.select(&sel("#audits tbody tr")).count();
        assert_eq!(rows, n, "{team}: one row per audit");
        let escalated: Vec<String> = doc
            .select(&sel("#escalations tbody tr"))
            .map(|r| r.text().collect::<String>())
            .collect();
        assert!(
            escalated.iter().any(|r| r.contains("safeguarding")),
            "{team}: {escalated:?}"
        );
        // Its own moderation figures: 2 of its n audits moderated, 1 challenged.
        let figures: BTreeMap<String, String> = doc
            .select(&sel("#moderation dl.figures dt"))
            .zip(doc.select(&sel("#moderation dl.figures dd")))
            .map(|(dt, dd)| (dt.text().collect(), dd.text().collect()))
            .collect();
        assert_eq!(figures["Audits moderated"], format!("2 of {n}"), "{team}");
        // Of 2 moderated audits, no percentage: too few.
        assert_eq!(
            figures["Audits challenged"], "1 of 2, too few (n=2) for a percentage",
            "{team}"
        );
        // Allocated: this team's cases only.
        assert!(md.contains(&format!("- **Audits allocated:** {n}")), "{md}");
        // Beside the whole service's figures.
        assert!(md.contains("whole service"), "{md}");
    }
}

#[test]
fn a_folder_with_files_in_it_is_refused_without_force() {
    let w = Workdir::new();
    write_inputs(&w);
    w.write("packs/notes.txt", "mine");
    w.run(&packs_args("packs"))
        .fails(1)
        .stderr_has("the folder packs is not empty; choose a new or empty folder, or use --force");
    assert!(!w.path("packs/fostering.html").exists(), "nothing written");
    let mut args = packs_args("packs");
    args.push("--force");
    w.run(&args).ok();
    assert!(w.path("packs/fostering.html").exists());
    assert_eq!(w.read("packs/notes.txt"), "mine", "other files are left alone");
    // Again with --force: the packs are replaced.
    w.run(&args).ok();

    w.write("afile", "x");
    w.run(&packs_args("afile"))
        .fails(1)
        .stderr_has("afile is not a folder");
}

#[test]
fn per_team_refuses_o_and_team_and_an_empty_month() {
    let w = Workdir::new();
    write_inputs(&w);
    let mut args = packs_args("packs");
    args.extend(["-o", "report.html"]);
    w.run(&args)
        .fails(2)
        .stderr_has("--per-team writes its own files");
    let mut args = packs_args("packs");
    args.extend(["--team", "Fostering"]);
    w.run(&args).fails(2).stderr_has("cannot be used with");
    w.run(&[
        "report",
        "--month",
        "2026-09",
        "--audits",
        "audits.csv",
        "--per-team",
        "packs",
    ])
    .fails(1)
    .stderr_has("no audits for 2026-09");
    assert!(!w.path("packs").exists());
}

#[test]
fn a_team_pack_has_the_teams_moderation_only() {
    let w = Workdir::new();
    write_inputs(&w);
    let whole = w
        .run(&[
            "report",
            "--month",
            "2026-11",
            "--audits",
            "audits.csv",
            "--moderation",
            "moderation.csv",
            "-f",
            "markdown",
        ])
        .ok();
    assert!(
        whole.stdout.contains("- **Audits moderated:** 8 of 14"),
        "{}",
        whole.stdout
    );
    assert!(
        !whole.stdout.contains("## The team's audits"),
        "only packs list audits"
    );
    let pack = w
        .run(&[
            "report",
            "--month",
            "2026-11",
            "--audits",
            "audits.csv",
            "--moderation",
            "moderation.csv",
            "--team",
            "fostering",
            "-f",
            "markdown",
        ])
        .ok();
    let md = &pack.stdout;
    assert!(md.contains("- **Audits moderated:** 2 of 2"), "{md}");
    assert!(md.contains("## The team's audits"), "{md}");
    assert!(
        md.contains("| AU3-1 | KF0001 | TM1 |  | Good | Requires improvement | yes | Review the plan for KF0001 | 2026-11-10 | overdue |"),
        "{md}"
    );
}

#[test]
fn redacted_packs_hold_no_case_ids_at_all() {
    let w = Workdir::new();
    write_inputs(&w);
    w.write(
        "caseaudit.toml",
        "[privacy]\nredact_key = \"a long enough secret\"\n",
    );
    let mut args = packs_args("packs");
    args.push("--redact");
    w.run(&args).ok();
    for entry in std::fs::read_dir(w.path("packs")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if path.ends_with("index.html") {
            assert!(
                !all_case_ids()
                    .values()
                    .flatten()
                    .any(|id| text.contains(id.as_str()))
            );
            continue;
        }
        for cases in all_case_ids().values() {
            for id in cases {
                // The action's own words name the case: only case id columns are pseudonymised.
                let without_actions = text.replace(&format!("Review the plan for {id}"), "");
                assert!(!without_actions.contains(id.as_str()), "{id} in a redacted pack");
            }
        }
        assert!(text.contains("R-"));
    }
}

#[test]
fn per_team_writes_an_index_of_the_packs() {
    let w = Workdir::new();
    w.run(&["demo", "m", "-q"]).ok();
    w.run(&[
        "report",
        "--month",
        "2026-11",
        "--audits",
        "m/audits.csv",
        "--per-team",
        "packs",
        "-c",
        "m/caseaudit.toml",
    ])
    .ok();
    let index = w.read("packs/index.html");
    let html = scraper::Html::parse_document(&index);
    let links: Vec<String> = html
        .select(&scraper::Selector::parse("a").unwrap())
        .filter_map(|a| a.value().attr("href").map(String::from))
        .collect();
    assert!(!links.is_empty(), "{index}");
    for link in &links {
        assert!(w.path(&format!("packs/{link}")).exists(), "{link} is written");
    }
    assert!(index.contains("Team packs, 2026-11"), "{index}");
}

/// A pack says it is a team pack, lists every overdue action of its team, and
/// gives its team's shares on fewer than 5 audits as too few, beside the whole
/// service's share of 14.
#[test]
fn a_pack_is_subtitled_as_one_and_says_too_few() {
    let w = Workdir::new();
    write_inputs(&w);
    w.run(&packs_args("packs")).ok();
    let sel = |s: &str| Selector::parse(s).unwrap();
    let doc = Html::parse_document(&w.read("packs/fostering.html"));
    let sub: String = doc.select(&sel("p.sub")).next().unwrap().text().collect();
    assert!(sub.starts_with("Team pack for the team's managers"), "{sub}");
    assert!(!sub.contains("Improvement Board"), "{sub}");
    // Fostering: 2 audits, the first Inadequate. The whole service: 14 audits,
    // 4 Inadequate, so 10 of 14 good or better.
    let overall: Vec<String> = doc
        .select(&sel("section#profile tbody tr"))
        .next()
        .unwrap()
        .select(&sel("th, td"))
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(overall[0], "Overall", "{overall:?}");
    assert!(overall.contains(&"too few (n=2)".to_string()), "{overall:?}");
    assert_eq!(overall.last().unwrap(), "71.4", "{overall:?}");
    // Both of its actions are overdue (due 10 November) and listed.
    let listed: Vec<String> = doc
        .select(&sel("section#escalations tbody tr th"))
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(listed, ["AU3-0", "AU3-1"]);
    // The headline too: no percentage of 2 audits.
    let md = w.read("packs/fostering.md");
    assert!(
        md.contains("- **Overall good or better:** 1 of 2, too few (n=2) for a percentage\n"),
        "{md}"
    );
    assert!(!md.contains("95% confidence interval"), "{md}");
}
