//! Tests of the parent module.

use super::*;
use proptest::prelude::*;

fn aud(id: &str, team: &str, capacity: u32) -> AuditorInfo {
    let (id, name, team) = (id.into(), format!("Name {id}"), team.into());
    AuditorInfo {
        id,
        name,
        team,
        active: true,
        capacity,
        ..Default::default()
    }
}

fn case(id: &str, team: &str) -> CaseInfo {
    CaseInfo {
        case_id: id.into(),
        team: team.into(),
        ..Default::default()
    }
}

fn problem(teams: &[(&str, usize)], auditors: Vec<AuditorInfo>) -> Instance {
    let cases = (teams.iter()).flat_map(|&(t, k)| (1..=k).map(move |i| case(&format!("{t}-{i}"), t)));
    Instance {
        cases: cases.collect(),
        auditors,
        seed: 1,
    }
}

/// Every hard constraint, checked against the public `barred`.
fn assert_valid(p: &Instance, a: &Allocation) {
    assert_eq!(a.auditor_of.len(), p.cases.len());
    let mut loads: Vec<u32> = p.auditors.iter().map(|x| x.base).collect();
    for (c, &x) in a.auditor_of.iter().enumerate() {
        assert_eq!(
            barred(&p.cases[c], &p.auditors[x]),
            None,
            "case {c} went to barred auditor {x}"
        );
        loads[x] += 1;
    }
    assert_eq!(loads, a.loads);
    assert!(
        loads
            .iter()
            .zip(&p.auditors)
            .all(|(&l, x)| l - x.base <= x.capacity),
        "over capacity"
    );
    assert_eq!(a.largest_load, loads.iter().copied().max().unwrap_or(0));
    assert_eq!(a.lower_bound, a.largest_load);
}

/// The group's cases have no eligible auditor outside the group, and too little capacity.
fn violates_hall(p: &Instance, g: &Shortfall, cap: impl Fn(&AuditorInfo) -> u32) -> bool {
    let closed = (g.cases.iter()).all(|&c| {
        (0..p.auditors.len())
            .all(|x| barred(&p.cases[c], &p.auditors[x]).is_some() || g.auditors.contains(&x))
    });
    let capacity: u32 = g.auditors.iter().map(|&x| cap(&p.auditors[x])).sum();
    closed && capacity == g.capacity && g.cases.len() as u32 == capacity + g.short_by && g.short_by > 0
}

fn sorted_desc(loads: &[u32]) -> Vec<u32> {
    let mut v = loads.to_vec();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v
}

#[test]
fn bars_follow_the_rules() {
    let mut a = aud("M7", "Locality 4  Unit 1", 2);
    a.name = "Dustin Hazlett".into();
    a.manages = vec!["locality 4 duty team".into()];
    let mut c = case("X", "LOCALITY 4 UNIT\u{a0}1");
    assert_eq!(barred(&c, &a), Some(Bar::OwnTeam));
    c.team = "Locality 4 Duty  Team".into();
    assert_eq!(barred(&c, &a), Some(Bar::ManagesTeam));
    c.team = "CLA Team".into();
    assert_eq!(barred(&c, &a), None);
    c.worker = Some("dustin\u{a0}HAZLETT ".into());
    assert_eq!(barred(&c, &a), Some(Bar::IsWorker));
    c.worker = Some(" m7".into());
    assert_eq!(barred(&c, &a), Some(Bar::IsWorker));
    c.worker = None;
    c.previous_auditors = vec!["m7".into()];
    assert_eq!(barred(&c, &a), Some(Bar::AuditedBefore));
    a.active = false;
    assert_eq!(barred(&c, &a), Some(Bar::Inactive));
    assert_eq!(Bar::OwnTeam.to_string(), "works in the case's team");
}

fn abc() -> Instance {
    let auditors = vec![
        aud("a1", "Team A", 5),
        aud("a2", "Team A", 5),
        aud("b1", "Team B", 5),
        aud("c1", "Team C", 5),
    ];
    problem(&[("Team A", 6), ("Team B", 3), ("Team C", 3)], auditors)
}

#[test]
fn four_auditors_three_teams() {
    let p = abc();
    let a = solve(&p).unwrap();
    assert_valid(&p, &a);
    assert_eq!(
        (a.loads.clone(), a.largest_load, a.lower_bound, a.sum_of_squares),
        (vec![3; 4], 3, 3, 36)
    );
    let reason = "6 cases from Team A can only go to 2 auditors (b1, c1): at least one must take 3";
    assert_eq!(a.bound_reason.as_deref(), Some(reason));
    let g = a.bound_group.unwrap();
    assert_eq!(
        (g.cases, g.auditors, g.capacity, g.short_by),
        ((0..6).collect(), vec![2, 3], 4, 2)
    );
}

#[test]
fn seeds_change_ties_but_not_loads() {
    let mut p = abc();
    p.auditors.push(aud("d1", "Team D", 5));
    p.cases.extend((1..=7).map(|i| case(&format!("D{i}"), "Team D")));
    let first = solve(&p).unwrap();
    assert_eq!(first, solve(&p).unwrap());
    let mut differs = false;
    for seed in 2..40 {
        p.seed = seed;
        let other = solve(&p).unwrap();
        assert_valid(&p, &other);
        assert_eq!(sorted_desc(&other.loads), sorted_desc(&first.loads));
        differs |= other.auditor_of != first.auditor_of;
    }
    assert!(differs, "the seed never changed the allocation");
}

#[test]
fn rotation_gives_way_to_load_only() {
    let mut p = abc();
    p.auditors[2].recent_teams = vec!["team a".into()];
    // b1 must still take 3 of Team A: an even load outranks rotation.
    assert_eq!(solve(&p).unwrap().rotation_repeats, 3);
    p.auditors.push(aud("d1", "Team D", 5));
    assert_eq!(solve(&p).unwrap().rotation_repeats, 0);
}

#[test]
fn shortfall_message() {
    let p = problem(
        &[("Team A", 7)],
        vec![
            aud("a1", "Team A", 5),
            aud("b1", "Team B", 3),
            aud("c1", "Team C", 3),
        ],
    );
    let err = solve(&p).unwrap_err();
    assert_eq!(err.short_by(), 1);
    assert_eq!(
        err.explain(&p),
        "7 cases from Team A can only be audited by b1, c1 (combined capacity 6): short by 1. \
         Raise a capacity, add an auditor outside Team A, or defer 1 case."
    );
}

#[test]
fn multi_team_and_no_auditor_messages() {
    let mut auditors: Vec<AuditorInfo> = ["a1 A", "b1 B", "c1 C", "c2 C", "x1 X", "y1 Y", "z1 Z"]
        .iter()
        .map(|s| {
            aud(
                &s[..2],
                &format!("Team {}", &s[3..]),
                if s.starts_with('c') { 4 } else { 5 },
            )
        })
        .collect();
    // Only c1 and c2 may take Team A and B cases: everyone else manages those teams or is in them.
    for x in [0, 1, 4, 5] {
        auditors[x].manages = vec!["team a".into(), "TEAM B".into()];
    }
    auditors[4].name = "Jo Smith".into();
    auditors[6].active = false;
    let mut p = problem(&[("Team A", 5), ("team  b", 4)], auditors);
    let mut c = case("C123", "Team C");
    c.worker = Some("JO\u{a0}SMITH".into());
    c.previous_auditors = vec!["Y1".into(), "a1".into(), "b1".into()];
    p.cases.push(c);
    let err = solve(&p).unwrap_err();
    assert_eq!(
        err.no_auditor,
        vec![(
            9,
            vec![Bar::Inactive, Bar::OwnTeam, Bar::IsWorker, Bar::AuditedBefore]
        )]
    );
    assert_eq!(
        err.explain(&p),
        "case C123 (Team C): every active auditor is in Team C, is its worker or audited it before. \
         Add an auditor outside Team C, or defer this case.\n\
         9 cases from Team A and team b can only be audited by c1, c2 (combined capacity 8): short by 1. \
         Raise a capacity, add an auditor outside Team A and team b, or defer 1 case."
    );
    assert_eq!(err.short_by(), 2);
    p.auditors.iter_mut().for_each(|a| a.active = false);
    let none =
        "No auditor is active, so none of the 10 cases can be allocated. Add or reactivate an auditor.";
    assert_eq!(solve(&p).unwrap_err().explain(&p), none);
}

#[test]
fn nothing_to_allocate() {
    let a = solve(&problem(&[], vec![aud("a1", "Team A", 2)])).unwrap();
    assert_eq!((a.largest_load, a.lower_bound, a.bound_reason), (0, 0, None));
}

fn keeping(mut a: AuditorInfo, base: u32) -> AuditorInfo {
    a.base = base;
    a
}

#[test]
fn kept_cases_count_in_the_loads() {
    // b1 keeps 2 and d1 keeps 1: the two moving cases even the totals out at 2, 2, 1 or 2, 1, 2.
    let p = problem(
        &[("Team A", 2)],
        vec![
            keeping(aud("b1", "Team B", 3), 2),
            aud("c1", "Team C", 5),
            keeping(aud("d1", "Team D", 4), 1),
        ],
    );
    let a = solve(&p).unwrap();
    assert_valid(&p, &a);
    assert_eq!((sorted_desc(&a.loads), a.sum_of_squares), (vec![2, 2, 1], 9));
    assert_eq!(a.loads[0], 2, "b1 already has 2: it takes none");
    assert_eq!(a.largest_load, 2);
    assert_eq!(a.bound_reason.as_deref(), Some("b1 keeps 2 already"));
    assert_eq!(a.bound_group, None);
}

#[test]
fn kept_cases_enter_the_bound_and_the_shortfall() {
    // Team A's three cases can only go to b1 and c1, who keep one each: one must reach 3.
    let mut d1 = aud("d1", "Team D", 5);
    d1.manages = vec!["Team A".into()];
    let auditors = vec![
        aud("a1", "Team A", 5),
        keeping(aud("b1", "Team B", 4), 1),
        keeping(aud("c1", "Team C", 4), 1),
        d1,
    ];
    let p = problem(&[("Team A", 3)], auditors);
    let a = solve(&p).unwrap();
    assert_valid(&p, &a);
    assert_eq!((a.largest_load, a.lower_bound), (3, 3));
    assert_eq!(
        a.bound_reason.as_deref(),
        Some(
            "all 3 moving cases can only go to 2 auditors (b1, c1), who keep 2 cases already and \
             can take only 2 of them without anyone having 3: at least one must have 3"
        )
    );
    let g = a.bound_group.unwrap();
    assert_eq!((g.auditors, g.capacity, g.short_by), (vec![1, 2], 2, 1));

    let mut short = p.clone();
    short.auditors[1].capacity = 1;
    short.auditors[2].capacity = 1;
    let err = solve(&short).unwrap_err();
    assert_eq!(
        err.explain(&short),
        "3 cases from Team A can only be audited by b1, c1 (combined capacity 2 beside the 2 cases \
         they keep): short by 1. Raise a capacity, add an auditor outside Team A, or defer 1 case."
    );
}

#[test]
fn reallocation_moves_only_the_unavailable_auditors_cases() {
    let mut p = abc();
    let first = solve(&p).unwrap();
    let gone = 2; // b1
    let mut later = p.clone();
    later.auditors[gone].active = false;
    let holder: Vec<Option<usize>> = first
        .auditor_of
        .iter()
        .map(|&a| (a != gone).then_some(a))
        .collect();
    let (sub, moves) = keep::moving(&later, &holder);
    assert_eq!(moves.len(), 3);
    assert_eq!(
        solve(&sub).unwrap_err().explain(&sub),
        "3 cases from Team A can only be audited by c1 (capacity 2 beside the 3 cases they keep): \
         short by 1. Raise a capacity, add an auditor outside Team A, or defer 1 case."
    );
    p.auditors[3].capacity = 6;
    later.auditors[3].capacity = 6;
    assert_eq!(
        solve(&p).unwrap(),
        first,
        "c1's capacity was not what limited the first allocation"
    );
    let (sub, _) = keep::moving(&later, &holder);
    let again = solve(&sub).unwrap();
    assert_valid(&sub, &again);
    // Team A's three cases of b1 can only go to c1, who keeps 3: the loads are 3, 3, 0, 6.
    assert!(moves.iter().all(|&c| p.cases[c].team == "Team A"));
    assert_eq!(again.loads, [3, 3, 0, 6]);
    assert_eq!(again.auditor_of, [3, 3, 3]);
    assert_eq!(
        again.bound_reason.as_deref(),
        Some("all 3 moving cases can only go to c1, who keeps 3 already and must have 6 in all")
    );
}

/// `cases` cases and `teams` teams of ten auditors (capacities 2–10, some inactive or managing
/// a second team, recent teams for rotation); one case in `history` has been audited before.
fn instance(seed: u64, cases: u64, teams: u64, history: u64) -> Instance {
    let mut state = seed;
    let mut next = |m: u64| {
        state = splitmix64(state);
        state % m
    };
    let team = |t: u64| format!("Locality {} Unit {}", t / 4 + 1, t % 4 + 1);
    let m = 10 * teams;
    let mut p = problem(&[], Vec::new());
    for i in 0..m {
        let mut a = aud(&format!("m{i}"), &team(i % teams), 2 + next(9) as u32);
        a.active = next(20) != 0;
        a.manages = (next(10) == 0)
            .then(|| team((i + 1) % teams))
            .into_iter()
            .collect();
        a.recent_teams = (0..3 + next(6)).map(|_| team(next(teams))).collect();
        p.auditors.push(a);
    }
    for i in 0..cases {
        let mut c = case(&format!("C{i:05}"), &team(next(teams)));
        let worker = if next(100) == 0 {
            format!("Name m{}", next(m))
        } else {
            format!("W{}", next(900))
        };
        c.worker = Some(worker);
        if next(history) == 0 {
            c.previous_auditors = (0..1 + next(2)).map(|_| format!("m{}", next(m))).collect();
        }
        p.cases.push(c);
    }
    p.seed = seed;
    p
}

/// Independent check of optimality: a flow is min-cost exactly when its residual graph has no
/// negative cycle. Built here per case (no classes, no hubs) with true capacities, so it also
/// checks that capping loads at the largest load lost nothing; Bellman–Ford finds any cycle.
fn has_negative_cycle(p: &Instance, a: &Allocation, scale: &CostScale) -> bool {
    let prep = Prepared::new(p);
    let (n, m) = (p.cases.len(), p.auditors.len());
    let sink = n + m;
    let mut arcs: Vec<(usize, usize, i64)> = Vec::new();
    for (c, &x) in a.auditor_of.iter().enumerate() {
        let cost = |y: usize| prep.secondary(p.seed, prep.case_team[c], y, scale);
        arcs.push((n + x, c, -cost(x)));
        let others = (0..m).filter(|&y| y != x && barred(&p.cases[c], &p.auditors[y]).is_none());
        arcs.extend(others.map(|y| (c, n + y, cost(y))));
    }
    for (x, &load) in a.loads.iter().enumerate() {
        let l = i64::from(load);
        if load < p.auditors[x].capacity {
            arcs.push((n + x, sink, (2 * l + 1) * scale.load));
        }
        if load > 0 {
            arcs.push((sink, n + x, -(2 * l - 1) * scale.load));
        }
    }
    let mut dist = vec![0i64; sink + 1];
    !(0..=sink).any(|_| {
        let before = dist.clone();
        arcs.iter()
            .for_each(|&(u, v, w)| dist[v] = dist[v].min(dist[u] + w));
        before == dist
    })
}

#[test]
fn medium_instances_are_optimal() {
    let mut feasible = 0;
    for (seed, history) in [(1, 5), (2, 2), (3, 1), (4, 3)] {
        let p = instance(seed, 250, 6, history);
        if let Ok((a, scale)) = solve_scaled(&p) {
            assert_valid(&p, &a);
            assert!(!has_negative_cycle(&p, &a, &scale), "seed {seed}: not optimal");
            feasible += 1;
        }
    }
    assert!(feasible >= 3);
}

#[test]
#[ignore = "timing check: cargo test --release -- --ignored --nocapture"]
fn timing_2000_cases_400_auditors_40_teams() {
    for (seed, history) in [(1, 5), (2, 5), (3, 5), (4, 2), (5, 1)] {
        let p = instance(seed, 2000, 40, history);
        let start = std::time::Instant::now();
        let a = solve(&p).unwrap();
        let took = start.elapsed();
        assert_valid(&p, &a);
        let (_, scale) = solve_scaled(&p).unwrap();
        assert!(!has_negative_cycle(&p, &a, &scale), "seed {seed}: not optimal");
        let classes = Prepared::new(&p).classes.len();
        let (l, sq, rot) = (a.largest_load, a.sum_of_squares, a.rotation_repeats);
        println!("seed {seed}, {classes} classes: {took:?}; largest {l}, squares {sq}, repeats {rot}");
    }
}

/// Brute force over every complete assignment: the least (sum of squares, rotation repeats,
/// tie-break), the least sorted-descending load vector, and how many cases can be covered.
struct Brute<'a> {
    p: &'a Instance,
    prep: Prepared,
    eligible: Vec<Vec<usize>>,
    scale: CostScale,
    loads: Vec<u32>,
    best: Option<(u64, u32, i64)>,
    lexmin: Option<Vec<u32>>,
}

impl Brute<'_> {
    fn go(&mut self, c: usize, rot: u32, tie: i64) {
        if c == self.eligible.len() {
            let key = (self.loads.iter().map(|&l| u64::from(l * l)).sum(), rot, tie);
            self.best = Some(self.best.map_or(key, |b| b.min(key)));
            let sorted = sorted_desc(&self.loads);
            self.lexmin = Some(self.lexmin.take().map_or(sorted.clone(), |b| b.min(sorted)));
            return;
        }
        for a in self.eligible[c].clone() {
            let auditor = &self.p.auditors[a];
            if self.loads[a] - auditor.base < auditor.capacity {
                let t = self.prep.case_team[c];
                let repeat = u32::from(self.prep.repeat[t][a]);
                let cost = self.prep.secondary(self.p.seed, t, a, &self.scale);
                self.loads[a] += 1;
                self.go(
                    c + 1,
                    rot + repeat,
                    tie + cost - i64::from(repeat) * self.scale.rotation,
                );
                self.loads[a] -= 1;
            }
        }
    }

    /// Most cases coverable, by augmenting paths over auditor slots (Kuhn's algorithm).
    fn coverable(&self) -> usize {
        let slots: Vec<usize> = (self.p.auditors.iter().enumerate())
            .flat_map(|(a, x)| std::iter::repeat_n(a, x.capacity as usize))
            .collect();
        fn augment(
            c: usize,
            el: &[Vec<usize>],
            slots: &[usize],
            held: &mut [Option<usize>],
            seen: &mut [bool],
        ) -> bool {
            for s in 0..slots.len() {
                if !seen[s] && el[c].contains(&slots[s]) {
                    seen[s] = true;
                    if held[s].is_none_or(|d| augment(d, el, slots, held, seen)) {
                        held[s] = Some(c);
                        return true;
                    }
                }
            }
            false
        }
        let mut held = vec![None; slots.len()];
        (0..self.eligible.len())
            .filter(|&c| {
                augment(
                    c,
                    &self.eligible,
                    &slots,
                    &mut held,
                    &mut vec![false; slots.len()],
                )
            })
            .count()
    }
}

fn brute(p: &Instance, scale: CostScale) -> Brute<'_> {
    let eligible = (p.cases.iter())
        .map(|c| {
            (0..p.auditors.len())
                .filter(|&a| barred(c, &p.auditors[a]).is_none())
                .collect()
        })
        .collect();
    let loads = p.auditors.iter().map(|x| x.base).collect();
    let mut b = Brute {
        p,
        prep: Prepared::new(p),
        eligible,
        scale,
        loads,
        best: None,
        lexmin: None,
    };
    b.go(0, 0, 0);
    b
}

fn spell(team: usize, variant: usize) -> String {
    let base = ["Team A", "Team B", "Team C"][team];
    match variant % 3 {
        0 => base.to_string(),
        1 => base.to_lowercase().replace(' ', "  "),
        _ => base.to_uppercase().replace(' ', "\u{a0}"),
    }
}

/// Up to 8 cases and 6 auditors over three teams, spelt inconsistently, with workers and
/// history that bar auditors by name or id; about half the instances are feasible.
fn small_problem() -> impl Strategy<Value = Instance> {
    let capacity = prop::sample::select(vec![0u32, 1, 2, 3, 3, 4, 4, 4]);
    let auditor = (
        0..3usize,
        0..3usize,
        prop::bool::weighted(0.9),
        0..8usize,
        capacity,
        0u8..8,
    );
    let a_case = (0..3usize, 0..3usize, 0..24usize, 0..24usize);
    let sizes = (
        prop::collection::vec(auditor, 2..=6),
        prop::collection::vec(a_case, 1..=8),
    );
    (sizes, any::<u64>()).prop_map(|((auds, cs), seed)| {
        let n = auds.len();
        let mut p = problem(&[], Vec::new());
        for (i, &(t, v, active, manages, capacity, recent)) in auds.iter().enumerate() {
            let mut a = aud(&format!("a{i}"), &spell(t, v), capacity);
            (a.name, a.active) = (format!("Ann Lee{i}"), active);
            a.manages = (manages < 3).then(|| spell(manages, v + 1)).into_iter().collect();
            a.recent_teams = (0..3)
                .filter(|t| recent >> t & 1 == 1)
                .map(|t| spell(t, v + 2))
                .collect();
            p.auditors.push(a);
        }
        for (i, &(t, v, w, prev)) in cs.iter().enumerate() {
            let mut c = case(&format!("K{i}"), &spell(t, v));
            c.worker = match w {
                0..4 if w < n => Some(format!("ANN\u{a0}lee{w}")),
                4..6 if w - 4 < n => Some(format!(" A{} ", w - 4)),
                _ => None,
            };
            c.previous_auditors = match prev {
                0..4 if prev < n => vec![format!("A{prev}")],
                4 => vec!["a0".into(), format!("a{}", n - 1)],
                _ => vec![],
            };
            p.cases.push(c);
        }
        p.seed = seed;
        p
    })
}

/// The solver's answer equals the brute force's: the best (sum of squares, repeats, tie-break)
/// and the most even loads, kept loads included; a valid proof of the bound; or, when it finds
/// no allocation, none exists and its shortfall is exactly what cannot be covered.
fn check_against_brute(p: &Instance) -> Result<(), TestCaseError> {
    let p = p.clone();
    let n = p.cases.len();
    match solve_scaled(&p) {
        Ok((a, scale)) => {
            assert_valid(&p, &a);
            let b = brute(&p, scale);
            let ties = (0..n).map(|c| {
                let (t, x) = (b.prep.case_team[c], a.auditor_of[c]);
                b.prep.secondary(p.seed, t, x, &scale) - i64::from(b.prep.repeat[t][x]) * scale.rotation
            });
            let ours = (a.sum_of_squares, a.rotation_repeats, ties.sum::<i64>());
            prop_assert_eq!(Some(ours), b.best);
            prop_assert_eq!(Some(sorted_desc(&a.loads)), b.lexmin);
            let kept = p.auditors.iter().map(|x| x.base).max().unwrap_or(0);
            if a.largest_load >= 2 && kept < a.largest_load {
                let g = a.bound_group.as_ref().expect("a proof of the lower bound");
                prop_assert!(violates_hall(&p, g, |x| x
                    .capacity
                    .min((a.largest_load - 1).saturating_sub(x.base))));
                prop_assert!(a.bound_reason.is_some());
            } else if a.largest_load >= 2 {
                let reason = a.bound_reason.as_deref().unwrap_or_default();
                let (one, many) = (
                    format!("keeps {} already", a.largest_load),
                    format!("keep {} already", a.largest_load),
                );
                let said = reason.ends_with(&one) || reason.ends_with(&many);
                prop_assert!(said, "the reason names who keeps the largest load: {}", reason);
            }
        }
        Err(inf) => {
            let b = brute(&p, CostScale::choose(n, 10, 1));
            prop_assert!(
                b.best.is_none(),
                "solver says infeasible but brute force allocates"
            );
            prop_assert_eq!(inf.short_by() as usize, n - b.coverable());
            for (c, bars) in &inf.no_auditor {
                let found: Option<Vec<Bar>> = p.auditors.iter().map(|x| barred(&p.cases[*c], x)).collect();
                let mut found = found.expect("no auditor eligible");
                found.sort_unstable();
                found.dedup();
                prop_assert_eq!(&found, bars);
            }
            for g in &inf.groups {
                prop_assert!(violates_hall(&p, g, |x| x.capacity));
            }
            prop_assert!(!inf.explain(&p).is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]
    #[test]
    fn matches_brute_force(p in small_problem()) {
        check_against_brute(&p)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]
    /// Auditors who keep cases already: the k-th new case costs 2(base + k) − 1.
    #[test]
    fn matches_brute_force_with_kept_loads(
        mut p in small_problem(),
        bases in prop::collection::vec(0u32..4, 6),
    ) {
        p.auditors.iter_mut().zip(bases).for_each(|(x, b)| x.base = b);
        check_against_brute(&p)?;
    }

    /// An auditor becomes unavailable: the kept cases stay, and the moving cases are allocated
    /// as well as any allocation that keeps the rest could.
    #[test]
    fn reallocation_is_optimal_given_the_kept_cases(p in small_problem(), gone in 0usize..6) {
        let Ok(first) = solve(&p) else { return Ok(()) };
        let gone = gone % p.auditors.len();
        let mut later = p.clone();
        later.auditors[gone].active = false;
        let holder: Vec<Option<usize>> =
            first.auditor_of.iter().map(|&a| (a != gone).then_some(a)).collect();
        let (sub, moves) = keep::moving(&later, &holder);
        prop_assert_eq!(moves.len() as u32, first.loads[gone]);
        let bases: Vec<u32> = sub.auditors.iter().map(|x| x.base).collect();
        let mut kept = first.loads.clone();
        kept[gone] = 0;
        prop_assert_eq!(bases, kept);
        check_against_brute(&sub)?;
    }
}
