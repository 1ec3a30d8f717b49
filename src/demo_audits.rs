//! Synthetic audit returns and moderation results for `caseaudit demo`, generated
//! from the allocated sample and a seed. Pure: the same inputs always give the same
//! bytes. Grades follow a plausible pattern (stronger and weaker teams, elements
//! that are usually weaker, such as management oversight and records), with some
//! N/A, theme tags, actions with owners and due dates, and a safeguarding concern.
//! Moderators change a realistic share of grades, mostly by one grade.

use crate::dates::{Month, format_date};
use crate::demo_data::{SplitMix64, push_record};
use chrono::Days;

/// One allocated case, as the demo's allocation holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DemoAllocated {
    pub(crate) case_id: String,
    pub(crate) team: String,
    pub(crate) service: String,
    pub(crate) frame: String,
    pub(crate) auditor_id: String,
}

/// The default scale's labels, best first: the demo writes grades as people do.
const LABELS: [&str; 4] = ["Outstanding", "Good", "Requires improvement", "Inadequate"];

/// How much harder (negative) or easier an element is to do well, on the 0–100
/// quality score: management oversight, records and plans are the usual weak spots.
const ELEMENT_EASE: [(&str, i64); 9] = [
    ("risk", 3),
    ("assessment", 2),
    ("plans", -5),
    ("voice", 0),
    ("family", 5),
    ("partners", 4),
    ("management", -8),
    ("records", -7),
    ("impact", -2),
];

const STRENGTHS: [&str; 8] = [
    "voice of the child",
    "direct work",
    "relationship-based practice",
    "multi-agency working",
    "timely visits",
    "clear analysis",
    "chronology",
    "family network",
];

const LEARNING: [&str; 8] = [
    "case recording",
    "case summary",
    "chronology",
    "voice of the child",
    "management oversight",
    "supervision",
    "care planning",
    "assessment analysis",
];

const ACTIONS: [&str; 8] = [
    "Update the chronology",
    "Complete the case summary",
    "Review the plan with clear timescales",
    "Record management oversight of the plan",
    "Visit the child and record their views",
    "Update the assessment with the new information",
    "Record supervision on the child's file",
    "Share the plan with partner agencies",
];

pub(crate) const AUDITS_HEADER: &str = "audit_id,case_id,month,auditor_id,team,service,frame,completed_on";
pub(crate) const AUDITS_TRAILER: &str =
    "overall,strengths,learning,action,action_owner,action_due,action_done,safeguarding_concern";

/// A month of completed audits, one per allocated case, in the layout of README.md#completed-audits
/// with `elements` as the element columns. Audits are completed in the first half
/// of `month` and actions fall due 5 to 30 days later, so with a reference date
/// late in the month (or after it) some actions are overdue.
pub(crate) fn audits_csv(
    allocated: &[DemoAllocated],
    month: Month,
    elements: &[String],
    seed: u64,
) -> String {
    let mut rng = SplitMix64(seed ^ 0xA0D1_7000_0000_0000 ^ u64::from(month.month));
    let mut out = format!("{AUDITS_HEADER},{},{AUDITS_TRAILER}\n", elements.join(","));
    // One or two safeguarding concerns in the month, among the weaker audits.
    let mut worst_first: Vec<(usize, i64)> = Vec::new();
    let mut rows = Vec::with_capacity(allocated.len());
    for (i, case) in allocated.iter().enumerate() {
        let quality = 55 + team_offset(&case.team, seed) + rng.between(-22, 22);
        worst_first.push((i, quality));
        let grades: Vec<Option<usize>> = elements
            .iter()
            .map(|e| {
                let na_chance = if e == "partners" || e == "family" { 9 } else { 3 };
                if rng.percent(na_chance) {
                    return None;
                }
                let ease = ELEMENT_EASE.iter().find(|(k, _)| k == e).map_or(0, |(_, v)| *v);
                Some(grade_of(quality + ease + rng.between(-10, 10)))
            })
            .collect();
        rows.push((case, quality, grades));
    }
    worst_first.sort_by_key(|&(i, q)| (q, i));
    let concerns = 1 + rng.below(2) as usize;
    let concern: Vec<usize> = worst_first.iter().take(concerns).map(|&(i, _)| i).collect();
    for (i, (case, quality, grades)) in rows.into_iter().enumerate() {
        let overall = overall_of(&grades, elements, quality + rng.between(-5, 5));
        let completed = month
            .first_day()
            .checked_add_days(Days::new(rng.below(15)))
            .unwrap_or(month.first_day());
        let strengths = pick_tags(&mut rng, &STRENGTHS, if overall <= 1 { 2 } else { 1 });
        let learning = pick_tags(&mut rng, &LEARNING, if overall >= 2 { 2 } else { 1 });
        let wants_action = match overall {
            0 => rng.percent(5),
            1 => rng.percent(25),
            2 => rng.percent(85),
            _ => true,
        };
        let (action, owner, due, done) = if wants_action {
            let text = if overall == 3 && rng.percent(50) {
                "Convene a strategy discussion about the child's safety"
            } else {
                ACTIONS[rng.index(ACTIONS.len())]
            };
            let owner = if rng.percent(70) {
                format!("Team Manager, {}", case.team)
            } else {
                "Allocated social worker".to_string()
            };
            let due = completed
                .checked_add_days(Days::new(5 + rng.below(26)))
                .unwrap_or(completed);
            let done = if rng.percent(30) { "yes" } else { "no" };
            (text.to_string(), owner, format_date(due), done)
        } else {
            (String::new(), String::new(), String::new(), "")
        };
        let mut fields: Vec<String> = vec![
            format!("AUD-{month}-{:03}", i + 1),
            case.case_id.clone(),
            month.to_string(),
            case.auditor_id.clone(),
            case.team.clone(),
            case.service.clone(),
            case.frame.clone(),
            format_date(completed),
        ];
        fields.extend(grades.iter().map(|g| g.map_or("N/A", |g| LABELS[g]).to_string()));
        fields.extend([
            LABELS[overall].to_string(),
            strengths,
            learning,
            action,
            owner,
            due,
            done.to_string(),
            (if concern.contains(&i) { "yes" } else { "no" }).to_string(),
        ]);
        push_record(&mut out, &fields);
    }
    out
}

const MODERATION_HEADER: &str = "audit_id,moderator_id,moderated_on,overall,challenged,note";

/// Moderation results for the `selected` audits of an `audits_csv` text: about
/// one overall grade in five changed (mostly by one grade, more often down than
/// up), a few audits challenged, and some elements re-graded. Ids not in the
/// audits are skipped. Grades are read and written as the default scale's labels.
pub(crate) fn moderation_csv(audits_csv: &str, selected: &[String], seed: u64) -> String {
    let mut rng = SplitMix64(seed ^ 0x30DE_2A7E);
    let mut reader = csv::ReaderBuilder::new().from_reader(audits_csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (c_id, c_done, c_overall) = (col("audit_id"), col("completed_on"), col("overall"));
    let elements: Vec<usize> = match (c_done, c_overall) {
        (Some(a), Some(b)) if a < b => (a + 1..b).collect(),
        _ => Vec::new(),
    };
    let rows: Vec<csv::StringRecord> = reader.records().filter_map(Result::ok).collect();
    let grade = |cell: &str| LABELS.iter().position(|l| *l == cell);
    let mut out = String::from(MODERATION_HEADER);
    for &e in &elements {
        out.push(',');
        out.push_str(&header[e]);
    }
    out.push('\n');
    for id in selected {
        let Some(row) = rows
            .iter()
            .find(|r| c_id.and_then(|c| r.get(c)) == Some(id.as_str()))
        else {
            continue;
        };
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("");
        let auditor = grade(cell(c_overall));
        // Inadequate audits are all moderated and mostly confirmed.
        let after = auditor.map(|g| {
            let chance = if g == LABELS.len() - 1 { 10 } else { 22 };
            if rng.percent(chance) {
                shifted(&mut rng, g)
            } else {
                g
            }
        });
        let changed = auditor != after;
        let challenged = rng.percent(if changed { 40 } else { 5 });
        let note = match (changed, challenged) {
            (true, true) => "Returned to the auditor: the evidence on file does not support the grade",
            (true, false) => "Grade moderated: see the moderator's comments on the file",
            (false, true) => "Returned to the auditor: actions need clear owners and timescales",
            (false, false) => "",
        };
        let moderated_on = crate::dates::parse_date(cell(c_done))
            .and_then(|d| d.checked_add_days(Days::new(3 + rng.below(10))))
            .map(format_date)
            .unwrap_or_default();
        let mut fields = vec![
            id.clone(),
            format!("QA{}", 1 + rng.below(2)),
            moderated_on,
            after.map_or("", |g| LABELS[g]).to_string(),
            (if challenged { "yes" } else { "no" }).to_string(),
            note.to_string(),
        ];
        // About half the moderators re-grade two elements they looked at closely.
        let mut regrade: Vec<usize> = Vec::new();
        if !elements.is_empty() && rng.percent(50) {
            while regrade.len() < 2.min(elements.len()) {
                let e = elements[rng.index(elements.len())];
                if !regrade.contains(&e) {
                    regrade.push(e);
                }
            }
        }
        for &e in &elements {
            let given = grade(cell(Some(e))).filter(|_| regrade.contains(&e));
            let moderated = given.map(|g| if rng.percent(20) { shifted(&mut rng, g) } else { g });
            fields.push(moderated.map_or("", |g| LABELS[g]).to_string());
        }
        push_record(&mut out, &fields);
    }
    out
}

/// A moderator's change to a grade: usually one step, more often down than up.
fn shifted(rng: &mut SplitMix64, grade: usize) -> usize {
    let step = if rng.percent(90) { 1 } else { 2 };
    let worst = LABELS.len() - 1;
    let down = if grade == 0 {
        true
    } else if grade == worst {
        false
    } else {
        rng.percent(70)
    };
    if down {
        (grade + step).min(worst)
    } else {
        grade.saturating_sub(step)
    }
}

/// A quality score (about 0–100) as a grade: 0 = Outstanding … 3 = Inadequate.
fn grade_of(score: i64) -> usize {
    match score {
        80.. => 0,
        50..=79 => 1,
        30..=49 => 2,
        _ => 3,
    }
}

/// The auditor's overall judgement: the case's quality as a grade (the auditor's
/// overall sense of the file), but never better than the judgement on risk.
fn overall_of(grades: &[Option<usize>], elements: &[String], quality: i64) -> usize {
    let risk = elements.iter().position(|e| e == "risk").and_then(|i| grades[i]);
    let sense = grade_of(quality);
    risk.map_or(sense, |r| sense.max(r))
}

/// A team's lasting strength or weakness (−10 to +10), fixed by its name and the seed.
fn team_offset(team: &str, seed: u64) -> i64 {
    let mut h = SplitMix64(seed ^ 0x7EA0);
    for b in team.bytes() {
        h.0 ^= u64::from(b);
        h.next_u64();
    }
    h.between(-10, 10)
}

fn pick_tags(rng: &mut SplitMix64, from: &[&str], most: u64) -> String {
    let n = rng.below(most + 1) as usize;
    let mut chosen: Vec<&str> = Vec::new();
    while chosen.len() < n {
        let t = from[rng.index(from.len())];
        if !chosen.contains(&t) {
            chosen.push(t);
        }
    }
    chosen.join(";")
}

#[cfg(test)]
mod tests;
