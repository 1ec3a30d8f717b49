//! Team packs: the section listing one team's audits for its managers, and the
//! filesystem-safe file names of one pack per team. No I/O.

use super::{Block, Inputs, Section};
use crate::actions::Status;
use crate::audits::Audit;
use crate::dates::format_date;
use crate::render::Cell;
use std::collections::{HashMap, HashSet};

/// The team's audits this month, one row each: who audited the case, the overall
/// grade, what moderation made of it (when results were given), and its action.
pub(super) fn audits(inputs: &Inputs<'_>, keep: &dyn Fn(&Audit) -> bool) -> Section {
    let audits = inputs.audits;
    let moderated: HashMap<usize, &crate::moderation::Moderation> = inputs
        .moderations
        .unwrap_or_default()
        .iter()
        .filter_map(|m| m.audit.map(|i| (i, m)))
        .collect();
    let with_moderation = inputs.moderations.is_some();
    let mut columns: Vec<String> = ["audit", "case", "auditor", "completed", "overall"]
        .map(String::from)
        .to_vec();
    if with_moderation {
        columns.extend(["after moderation".to_string(), "challenged".to_string()]);
    }
    columns.extend(["action", "due", "status"].map(String::from));
    let grade = |g: Option<crate::grades::Grade>| Cell::text(g.map_or("", |g| audits.scale.label(g)));
    let mut listed: Vec<(usize, &Audit)> = audits
        .list
        .iter()
        .enumerate()
        .filter(|(_, a)| a.month == inputs.month && keep(a))
        .collect();
    listed.sort_by(|(_, a), (_, b)| a.audit_id.cmp(&b.audit_id));
    let rows: Vec<Vec<Cell>> = listed
        .iter()
        .map(|&(i, a)| {
            let case = match inputs.redact {
                Some(key) => crate::privacy::pseudonym(key, &a.case_id),
                None => a.case_id.clone(),
            };
            let mut cells = vec![
                Cell::text(&a.audit_id),
                Cell::text(case),
                Cell::text(&a.auditor_id),
                Cell::text(a.completed_on.map(format_date).unwrap_or_default()),
                grade(a.overall()),
            ];
            if with_moderation {
                match moderated.get(&i) {
                    Some(m) => {
                        cells.push(grade(m.overall));
                        cells.push(Cell::text(if m.challenged { "yes" } else { "no" }));
                    }
                    None => cells.extend([Cell::text("not moderated"), Cell::Empty]),
                }
            }
            let has_action = !a.action.is_empty();
            cells.extend([
                Cell::text(&a.action),
                Cell::text(a.action_due.map(format_date).unwrap_or_default()),
                Cell::text(if has_action {
                    Status::of(a, inputs.as_of).name()
                } else {
                    ""
                }),
            ]);
            cells
        })
        .collect();
    let blocks = if rows.is_empty() {
        vec![Block::Omitted(format!(
            "No audits of this team's cases for {}.",
            inputs.month
        ))]
    } else {
        vec![Block::Table {
            caption: format!("This team's audits, {}", inputs.month),
            columns,
            rows,
        }]
    };
    Section {
        id: "audits",
        title: "The team's audits".into(),
        blocks,
    }
}

/// Windows refuses these as file names, whatever the extension.
const RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
    "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A file name for a team that is safe everywhere: lower case ASCII letters, digits
/// and single hyphens (`Locality 1 / Unit 2` → `locality-1-unit-2`).
pub(crate) fn safe_name(team: &str) -> String {
    let mut out = String::with_capacity(team.len());
    for c in team.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(plain) = unaccented(c) {
            out.push_str(plain);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("team");
    }
    if RESERVED.contains(&out.as_str()) {
        out.push_str("-team");
    }
    out
}

/// A Latin letter with an accent (or a ligature) as plain lower case ASCII
/// (`É` → `e`, `Æ` → `ae`, `ŵ` → `w`), so that `Équipe Nord` is `equipe-nord`.
fn unaccented(c: char) -> Option<&'static str> {
    const GROUPS: [(&str, &str); 14] = [
        ("ÀÁÂÃÄÅàáâãäåĀāĂăĄą", "a"),
        ("ÇçĆćĈĉĊċČč", "c"),
        ("ÐðĎďĐđ", "d"),
        ("ÈÉÊËèéêëĒēĔĕĖėĘęĚě", "e"),
        ("ĜĝĞğĠġĢģ", "g"),
        ("ÌÍÎÏìíîïĨĩĪīĬĭĮįİı", "i"),
        ("ĹĺĻļĽľĿŀŁł", "l"),
        ("ÑñŃńŅņŇň", "n"),
        ("ÒÓÔÕÖØòóôõöøŌōŎŏŐő", "o"),
        ("ŔŕŖŗŘř", "r"),
        ("ŚśŜŝŞşŠš", "s"),
        ("ŢţŤťŦŧ", "t"),
        ("ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų", "u"),
        ("ÝýÿŶŷŸŹźŻżŽžŴŵ", "yyyyyyzzzzzzww"),
    ];
    match c {
        'Æ' | 'æ' => return Some("ae"),
        'Œ' | 'œ' => return Some("oe"),
        'ß' => return Some("ss"),
        'Þ' | 'þ' => return Some("th"),
        _ => {}
    }
    for (from, to) in GROUPS {
        if let Some(i) = from.chars().position(|x| x == c) {
            // One plain letter for the group, or one for each letter of it.
            return Some(if to.len() == 1 { to } else { &to[i..=i] });
        }
    }
    None
}

/// A distinct safe name for each team, in the order given: a name taken by an
/// earlier team gets `-2`, `-3`, … (`Team A` and `team-a` → `team-a`, `team-a-2`).
pub(crate) fn file_stems(teams: &[String]) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    teams
        .iter()
        .map(|t| {
            let base = safe_name(t);
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}-{n}");
                n += 1;
            }
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_are_lower_case_letters_digits_and_hyphens() {
        assert_eq!(safe_name("Locality 1 / Unit 2"), "locality-1-unit-2");
        assert_eq!(safe_name("  CIN & CP (North)  "), "cin-cp-north");
        assert_eq!(safe_name("../../etc/passwd"), "etc-passwd");
        assert_eq!(safe_name("Équipe Sud"), "equipe-sud");
        assert_eq!(safe_name("Ærø Team"), "aero-team");
        assert_eq!(safe_name("Tîm Ŵyn Ÿ"), "tim-wyn-y");
        assert_eq!(safe_name("***"), "team");
        assert_eq!(safe_name("CON"), "con-team");
        for name in ["Team A", "a/b\\c:d", "x.y", "Ünïcödé 7"] {
            let s = safe_name(name);
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{s}"
            );
            assert!(
                !s.starts_with('-') && !s.ends_with('-') && !s.contains("--"),
                "{s}"
            );
        }
    }

    #[test]
    fn colliding_names_are_numbered() {
        let teams: Vec<String> = ["Team A", "team-a", "Team  A!", "Team A 2", "CIN"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            file_stems(&teams),
            ["team-a", "team-a-2", "team-a-3", "team-a-2-2", "cin"]
        );
    }
}
