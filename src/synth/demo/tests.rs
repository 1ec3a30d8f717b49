//! Tests of the demo preset: a plausible authority, history consistent with it,
//! and returns and moderation that caseaudit's own readers accept.

use super::*;
use crate::audits::{Audits, read_str};
use crate::config::Settings;
use crate::dates::{parse_date, whole_years};
use crate::synth::audits::ELEMENTS;
use chrono::Months;
use std::collections::BTreeSet;

type Row = HashMap<String, String>;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
}

fn years_before(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(12 * years)).unwrap()
}

/// Checks the exact header line, then reads the rows with the csv crate.
fn rows(bytes: &[u8], header: &str) -> Vec<Row> {
    let text = std::str::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().next(), Some(header));
    read_rows(bytes)
}

const EXTRACT_HEADER: &str =
    "case_id,child_name,dob,team,worker,service,start_date,end_date,referral_source,risk_factors,status";
const AUDITORS_HEADER: &str = "auditor_id,name,team,role,capacity,active,manages";
const HISTORY_HEADER: &str = "month,case_id,team,auditor_id,frame";

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, b) = (Demo::new(42, as_of()), Demo::new(42, as_of()));
    assert_eq!(a.files.extract_csv, b.files.extract_csv);
    assert_eq!(a.files.auditors_csv, b.files.auditors_csv);
    assert_eq!(a.files.history_csv, b.files.history_csv);
    let c = Demo::new(43, as_of());
    assert_ne!(a.files.extract_csv, c.files.extract_csv);
    assert_ne!(a.files.history_csv, c.files.history_csv);
    let next_day = Demo::new(42, as_of().succ_opt().unwrap());
    assert_ne!(a.files.extract_csv, next_day.files.extract_csv);
}

#[test]
fn extract_is_a_plausible_authority() {
    let cases = rows(&Demo::new(1, as_of()).files.extract_csv, EXTRACT_HEADER);
    assert_eq!(cases.len(), 1500);
    let ids: BTreeSet<&str> = cases.iter().map(|r| r["case_id"].as_str()).collect();
    assert_eq!(ids.len(), cases.len(), "case ids are unique");
    let teams: BTreeSet<&str> = cases.iter().map(|r| r["team"].as_str()).collect();
    assert_eq!(teams.len(), 12);
    let (mut closed, mut step_ups, mut neglect, mut under_two) = (0, 0, 0, 0);
    for r in &cases {
        let id = &r["case_id"];
        assert!(id.len() == 9 && id.starts_with("CH") && id[2..].bytes().all(|b| b.is_ascii_digit()));
        assert!(!r["team"].is_empty() && !r["worker"].is_empty() && !r["child_name"].is_empty());
        let dob = parse_date(&r["dob"]).expect("dob parses");
        let start = parse_date(&r["start_date"]).expect("start parses");
        let (earliest, latest) = (years_before(as_of(), 3), as_of());
        assert!(dob <= start && start <= latest && start > earliest, "{r:?}");
        let age = whole_years(dob, as_of());
        let care_leaver = r["service"] == "Care Leavers";
        let ages = if care_leaver { 16..=21 } else { 0..=17 };
        assert!(ages.contains(&age), "{r:?}");
        under_two += usize::from(age < 2);
        if r["end_date"].is_empty() {
            assert_eq!(r["status"], "open");
        } else {
            assert_eq!(r["status"], "closed");
            let end = parse_date(&r["end_date"]).expect("end parses");
            assert!(start <= end && end <= as_of() && end > years_before(as_of(), 1));
            closed += 1;
        }
        step_ups += usize::from(r["referral_source"].contains("5D"));
        neglect += usize::from(r["risk_factors"].contains("16A"));
    }
    let percent = |k: usize| 100 * k / cases.len();
    assert!((33..47).contains(&percent(closed)), "closed");
    assert!((7..13).contains(&percent(step_ups)), "step-ups");
    assert!((25..35).contains(&percent(neglect)), "neglect");
    assert!(under_two > 50);
}

#[test]
fn extract_has_the_messy_bits_parsers_must_handle() {
    let bytes = Demo::new(1, as_of()).files.extract_csv;
    let cases = rows(&bytes, EXTRACT_HEADER);
    let any = |column: &str, wanted: &str| cases.iter().any(|r| r[column].contains(wanted));
    assert!(any("worker", "\u{a0}"), "a worker with a non-breaking space");
    assert!(cases.iter().any(|r| r["referral_source"] == "5D"));
    assert!(any("referral_source", "p1) 5D: LA services"));
    assert!(any("risk_factors", "a) Neglect") && any("risk_factors", "NEG"));
    assert!(any("risk_factors", ", "), "a comma list in a quoted cell");
    assert!(any("dob", "-") && any("dob", "/"), "both date styles");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains(",\"") && !text.contains('\r'));
}

#[test]
fn history_is_consistent_with_extract_and_auditors() {
    for seed in [1, 2, 3] {
        let files = Demo::new(seed, as_of()).files;
        let cases = rows(&files.extract_csv, EXTRACT_HEADER);
        let team_of: HashMap<_, _> = cases.iter().map(|r| (&r["case_id"], &r["team"])).collect();
        let auditors = rows(&files.auditors_csv, AUDITORS_HEADER);
        assert_eq!(auditors.len(), 30);
        for a in &auditors {
            assert!(["1", "2", "3"].contains(&a["capacity"].as_str()), "{a:?}");
        }
        let capacity: u32 = auditors
            .iter()
            .map(|a| a["capacity"].parse::<u32>().unwrap())
            .sum();
        assert!(capacity >= 25 + 10, "room to allocate a sample of 25: {capacity}");
        let by_id: HashMap<_, _> = auditors.iter().map(|a| (a["auditor_id"].as_str(), a)).collect();
        assert!(
            auditors.iter().any(|a| a["manages"].contains(';')),
            "a head of service manages several teams"
        );
        let mut per_month: BTreeMap<String, usize> = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for h in rows(&files.history_csv, HISTORY_HEADER) {
            let team = team_of[&h["case_id"]].as_str();
            assert_eq!(h["team"], team);
            let a = by_id[h["auditor_id"].as_str()];
            assert_eq!(a["active"], "yes");
            assert_ne!(a["team"], team, "{h:?}");
            assert!(!a["manages"].split(';').any(|m| m == team), "{h:?}");
            assert!(["closed-6m", "step-up", "neglect"].contains(&h["frame"].as_str()));
            assert!(seen.insert(h["case_id"].clone()), "a case audited twice");
            *per_month.entry(h["month"].clone()).or_default() += 1;
        }
        let months: Vec<&str> = per_month.keys().map(String::as_str).collect();
        let six = ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"];
        assert_eq!(months, six);
        assert!(per_month.values().all(|n| (12..=40).contains(n)), "{per_month:?}");
    }
}

#[test]
fn config_is_valid_toml_in_the_documented_shape() {
    let config: toml::Table = CONFIG_TOML.parse().expect("valid TOML");
    let names = |list: &toml::Value, key: &str| -> Vec<String> {
        let items = list.as_array().unwrap().iter();
        items.map(|item| item[key].as_str().unwrap().to_owned()).collect()
    };
    let frames = &config["sampling"]["frames"];
    assert_eq!(names(frames, "name"), ["closed-6m", "step-up", "neglect"]);
    assert_eq!(frames[0]["stratify"].as_str(), Some("team"));
    let sizes: i64 = (0..3).map(|f| frames[f]["size"].as_integer().unwrap()).sum();
    assert_eq!(
        sizes,
        i64::from(preset(1, as_of()).sample),
        "the preset's sample is the frames' sizes"
    );
    // The generated audits grade the settings' elements.
    assert_eq!(names(&config["template"]["elements"], "key"), ELEMENTS);
    assert_eq!(config["moderation"]["rate"].as_float(), Some(0.10));
    // The tool's own settings loader accepts it (it rejects unknown keys and bad values).
    let settings = Settings::parse(CONFIG_TOML, "caseaudit.toml").expect("the loader accepts it");
    assert_eq!(settings.sampling.frames.len(), 3);
    assert!(settings.privacy.redact_key.is_some());
    // The commented-out [extract.columns] block is valid once uncommented.
    let uncommented = CONFIG_TOML
        .replace("# [extract.columns]", "[extract.columns]")
        .replace("# team =", "team =");
    let with_columns: toml::Table = uncommented.parse().expect("still valid");
    let columns = &with_columns["extract"]["columns"];
    assert_eq!(columns["team"].as_str(), Some("Allocated Team"));
    // So is the [auditors.columns] one, and the loader accepts it.
    let uncommented = CONFIG_TOML
        .replace("# [auditors.columns]", "[auditors.columns]")
        .replace("# auditor_id =", "auditor_id =");
    let settings = Settings::parse(&uncommented, "caseaudit.toml").expect("the loader accepts it");
    assert_eq!(settings.auditors.columns["auditor_id"].get_ref(), "Staff Ref");
}

/// An allocation of `n` cases of the demo's extract for the as-of month, each to
/// an auditor of another team, in `allocate`'s columns.
fn allocation(demo: &Demo, n: usize) -> Vec<u8> {
    let cases = read_rows(&demo.files.extract_csv);
    let auditors = read_rows(&demo.files.auditors_csv);
    let month = Month::of(demo.authority.spec.as_of);
    let mut out = String::from("month,case_id,team,worker,frame,auditor_id,auditor_name,auditor_team\n");
    for (i, c) in cases.iter().step_by(37).take(n).enumerate() {
        let a = auditors
            .iter()
            .cycle()
            .skip(i)
            .find(|a| a["team"] != c["team"])
            .unwrap();
        let (id, team, worker) = (&c["case_id"], &c["team"], &c["worker"]);
        let (auditor, name, auditor_team) = (&a["auditor_id"], &a["name"], &a["team"]);
        out += &format!("{month},{id},{team},{worker},neglect,{auditor},{name},{auditor_team}\n");
    }
    out.into_bytes()
}

fn read(bytes: &[u8]) -> Audits {
    let text = std::str::from_utf8(bytes).unwrap();
    let (audits, warnings) = read_str(&[("audits.csv", text)], &Settings::default()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    audits
}

#[test]
fn returns_read_cleanly_one_per_audited_case_never_after_the_as_of_date() {
    for as_of in [as_of(), NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()] {
        let mut demo = Demo::new(5, as_of);
        let history = read_rows(&demo.files.history_csv);
        let returns = demo.returns(&allocation(&demo, 25));
        assert_eq!(returns.counts(), (25, history.len()));
        let audits = read(&returns.csv());
        assert_eq!(audits.list.len(), 25 + history.len());
        assert_eq!(audits.layout.elements.len(), 10, "overall and the nine elements");
        let cases = read_rows(&demo.files.extract_csv);
        let service: HashMap<_, _> = cases.iter().map(|c| (&c["case_id"], &c["service"])).collect();
        let ids: BTreeSet<&str> = audits.list.iter().map(|a| a.audit_id.as_str()).collect();
        assert_eq!(ids.len(), audits.list.len(), "audit ids are unique");
        for a in &audits.list {
            let done = a.completed_on.unwrap();
            assert!(Month::of(done) == a.month && done <= as_of, "{a:?}");
            assert_eq!(&a.service, service[&a.case_id]);
            assert!(a.overall().is_some(), "every audit has an overall grade");
            if !a.action.is_empty() {
                assert!(
                    !a.action_owner.is_empty() && a.action_due.unwrap() > done,
                    "{a:?}"
                );
            }
        }
        let in_history: BTreeSet<_> = history.iter().map(|h| (&h["month"], &h["case_id"])).collect();
        let earlier = audits.list.iter().filter(|a| a.month != Month::of(as_of));
        assert!(
            earlier
                .into_iter()
                .all(|a| in_history.contains(&(&a.month.to_string(), &a.case_id)))
        );
    }
}

#[test]
fn returns_so_far_are_two_in_three_of_this_months() {
    let mut demo = Demo::new(5, as_of());
    let returns = demo.returns(&allocation(&demo, 24));
    let so_far = read(&returns.so_far());
    assert_eq!(so_far.list.len(), 16);
    assert!(so_far.list.iter().all(|a| a.month == Month::of(as_of())));
}

#[test]
fn moderation_reads_cleanly_for_the_earlier_months_and_the_chosen_audits() {
    let mut demo = Demo::new(5, as_of());
    let returns = demo.returns(&allocation(&demo, 25));
    let audits = read(&returns.csv());
    let (this_month, _) = returns.counts();
    let this_month_ids = audits.list.iter().filter(|a| a.month == Month::of(as_of()));
    let chosen: Vec<&str> = this_month_ids.map(|a| a.audit_id.as_str()).step_by(2).collect();
    let lines: String = chosen.iter().map(|id| format!("{id},always\n")).collect();
    let chosen_csv = format!("audit_id,reason\n{lines}");
    let earlier = demo.earlier_moderation(&returns);
    let this_months = demo.this_months_moderation(&returns, chosen_csv.as_bytes());
    assert_eq!(
        this_months.split(|&b| b == b'\n').next(),
        earlier.split(|&b| b == b'\n').next(),
        "both files have the same columns"
    );
    let header_end = this_months.iter().position(|&b| b == b'\n').unwrap() + 1;
    let text = [&earlier[..], &this_months[header_end..]].concat();
    let csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&text[..]);
    let against = crate::moderation::Against::audits(&audits);
    let (mods, warnings) = crate::moderation::read(
        "moderation.csv",
        csv,
        &against,
        &audits.scale,
        &Default::default(),
    )
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let before = mods.len() - chosen.len();
    assert_eq!(before, earlier.iter().filter(|&&b| b == b'\n').count() - 1);
    let got: Vec<&str> = mods[before..].iter().map(|m| m.audit_id.as_str()).collect();
    assert_eq!(got, chosen);
    assert!(chosen.len() == this_month.div_ceil(2));
    for m in &mods {
        let a = &audits.list[m.audit.unwrap()];
        let on = m.moderated_on.unwrap();
        assert!(on >= a.completed_on.unwrap() && on <= as_of(), "{m:?}");
        assert!(m.overall.is_some());
    }
    // The earlier months as `moderate select` would have chosen them: every
    // Inadequate audit, and every auditor within each three months.
    let moderated: Vec<&crate::audits::Audit> = mods[..before]
        .iter()
        .map(|m| &audits.list[m.audit.unwrap()])
        .collect();
    for a in audits.list.iter().filter(|a| a.month < Month::of(as_of())) {
        if a.overall() == Some(3) {
            assert!(
                moderated.iter().any(|m| m.audit_id == a.audit_id),
                "{}",
                a.audit_id
            );
        }
        assert!(
            moderated
                .iter()
                .any(|m| m.auditor_id == a.auditor_id && (0..3).contains(&a.month.months_since(m.month))),
            "{} moderated in the three months to {}",
            a.auditor_id,
            a.month
        );
    }
    assert!(
        before < (audits.list.len() - this_month) / 2,
        "{before}: far from all"
    );
    // Deterministic for a seed.
    let mut again = Demo::new(5, as_of());
    let returns_again = again.returns(&allocation(&again, 25));
    assert_eq!(returns_again.csv(), returns.csv());
    assert_eq!(again.earlier_moderation(&returns_again), earlier);
    assert_eq!(
        again.this_months_moderation(&returns_again, chosen_csv.as_bytes()),
        this_months
    );
}
