//! Allocation of sampled case files to auditors outside the case's own team: eligibility, the
//! optimal allocation (most even, then fewest rotation repeats, then a seeded tie-break) by
//! min-cost flow, a min-cut proof that its largest load cannot be smaller, and plain-English
//! reasons when no complete allocation exists.

use std::collections::{HashMap, VecDeque};
use std::fmt;

use sha2::{Digest, Sha256};

use crate::flow::{EdgeId, Network};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AuditorInfo {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) team: String,
    pub(crate) active: bool,
    /// Teams the auditor line-manages: barred like their own team.
    pub(crate) manages: Vec<String>,
    pub(crate) capacity: u32,
    /// Teams audited within the rotation window: allowed, but avoided where the load allows.
    pub(crate) recent_teams: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CaseInfo {
    pub(crate) case_id: String,
    pub(crate) team: String,
    /// Worker name or staff id, matched against auditors' ids and names.
    pub(crate) worker: Option<String>,
    /// Ids of auditors who audited this case in an earlier month.
    pub(crate) previous_auditors: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) cases: Vec<CaseInfo>,
    pub(crate) auditors: Vec<AuditorInfo>,
    pub(crate) seed: u64,
}

/// Why an auditor may not take a case (the first that applies, in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Bar {
    Inactive,
    OwnTeam,
    ManagesTeam,
    IsWorker,
    AuditedBefore,
}

impl fmt::Display for Bar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bar::Inactive => "is not active",
            Bar::OwnTeam => "works in the case's team",
            Bar::ManagesTeam => "manages the case's team",
            Bar::IsWorker => "is the case's worker",
            Bar::AuditedBefore => "has audited this case before",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Allocation {
    /// Per case, the index of its auditor in `Problem::auditors`.
    pub(crate) auditor_of: Vec<usize>,
    /// Per auditor, the number of cases allocated.
    pub(crate) loads: Vec<u32>,
    pub(crate) sum_of_squares: u64,
    /// Cases given to an auditor who audited the case's team recently.
    pub(crate) rotation_repeats: u32,
    pub(crate) largest_load: u32,
    /// Proved by `bound_group` (or trivially, for loads up to 1): no complete allocation has a
    /// smaller largest load. Equals `largest_load`.
    pub(crate) lower_bound: u32,
    /// Why the largest load cannot be smaller, in plain English.
    pub(crate) bound_reason: Option<String>,
    /// Cases that cannot all be covered if nobody takes more than `largest_load - 1`;
    /// `capacity` counts each auditor at most that much.
    pub(crate) bound_group: Option<Shortfall>,
}

/// Cases whose only eligible auditors are `auditors`, whose combined capacity falls short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shortfall {
    pub(crate) cases: Vec<usize>,
    pub(crate) auditors: Vec<usize>,
    pub(crate) capacity: u32,
    pub(crate) short_by: u32,
}

/// Proof that no complete allocation exists (Hall's theorem, from a minimum cut). The shortfalls
/// add up to exactly the number of cases that cannot be covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Infeasible {
    /// Cases no auditor may take, with the distinct reasons across all auditors.
    pub(crate) no_auditor: Vec<(usize, Vec<Bar>)>,
    pub(crate) groups: Vec<Shortfall>,
}

/// Lower case, whitespace runs (non-breaking spaces included) collapsed to one space.
fn normalize(s: &str) -> String {
    crate::values::header_key(s)
}

fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Why `auditor` may not take `case` (`None`: eligible, capacity aside).
pub(crate) fn barred(case: &CaseInfo, auditor: &AuditorInfo) -> Option<Bar> {
    let team = normalize(&case.team);
    let worker = case.worker.as_deref().map(normalize).unwrap_or_default();
    let id = normalize(&auditor.id);
    if !auditor.active {
        Some(Bar::Inactive)
    } else if normalize(&auditor.team) == team {
        Some(Bar::OwnTeam)
    } else if auditor.manages.iter().any(|m| normalize(m) == team) {
        Some(Bar::ManagesTeam)
    } else if !worker.is_empty() && (worker == id || worker == normalize(&auditor.name)) {
        Some(Bar::IsWorker)
    } else if !id.is_empty() && case.previous_auditors.iter().any(|p| normalize(p) == id) {
        Some(Bar::AuditedBefore)
    } else {
        None
    }
}

/// Cases with the same team and the same excluded auditors are interchangeable, so the network
/// carries one node per class rather than one per case.
struct Class {
    team: usize,
    cases: Vec<usize>,
    /// Auditors barred by worker or history only (the team-level bars are shared by the team).
    excluded: Vec<usize>,
    eligible: Vec<usize>,
}

struct Prepared {
    case_team: Vec<usize>,
    /// `open[team][auditor]`: no team-level bar (active, not in the team, not managing it).
    open: Vec<Vec<bool>>,
    /// `repeat[team][auditor]`: the auditor audited the team recently.
    repeat: Vec<Vec<bool>>,
    team_hash: Vec<u64>,
    auditor_hash: Vec<u64>,
    classes: Vec<Class>,
}

impl Prepared {
    fn new(p: &Problem) -> Self {
        let mut team_index: HashMap<String, usize> = HashMap::new();
        let mut keys = Vec::new();
        let case_team: Vec<usize> = (p.cases.iter())
            .map(|c| {
                let key = normalize(&c.team);
                *team_index.entry(key.clone()).or_insert_with(|| {
                    keys.push(key);
                    keys.len() - 1
                })
            })
            .collect();
        let m = p.auditors.len();
        let (mut open, mut repeat) = (vec![vec![false; m]; keys.len()], vec![vec![false; m]; keys.len()]);
        // Worker and history bars are per case: find auditors by normalised id or name.
        let (mut by_name, mut by_id) = (HashMap::<String, Vec<usize>>::new(), HashMap::new());
        for (a, aud) in p.auditors.iter().enumerate() {
            let own = normalize(&aud.team);
            let manages: Vec<String> = aud.manages.iter().map(|s| normalize(s)).collect();
            let recent: Vec<String> = aud.recent_teams.iter().map(|s| normalize(s)).collect();
            for (t, key) in keys.iter().enumerate() {
                open[t][a] = aud.active && own != *key && !manages.contains(key);
                repeat[t][a] = recent.contains(key);
            }
            let id = normalize(&aud.id);
            for key in [id.clone(), normalize(&aud.name)]
                .into_iter()
                .filter(|k| !k.is_empty())
            {
                by_name.entry(key).or_default().push(a);
            }
            by_id.entry(id).or_insert_with(Vec::new).push(a);
        }
        let mut class_index: HashMap<(usize, Vec<usize>), usize> = HashMap::new();
        let mut classes: Vec<Class> = Vec::new();
        for (c, case) in p.cases.iter().enumerate() {
            let t = case_team[c];
            let worker = case.worker.as_deref().map(normalize).unwrap_or_default();
            let mut excluded: Vec<usize> = by_name.get(&worker).cloned().unwrap_or_default();
            for prev in case
                .previous_auditors
                .iter()
                .map(|s| normalize(s))
                .filter(|s| !s.is_empty())
            {
                excluded.extend(by_id.get(&prev).into_iter().flatten());
            }
            excluded.retain(|&a| open[t][a]);
            excluded.sort_unstable();
            excluded.dedup();
            let k = *class_index.entry((t, excluded.clone())).or_insert(classes.len());
            if k == classes.len() {
                let eligible = (0..m)
                    .filter(|a| open[t][*a] && excluded.binary_search(a).is_err())
                    .collect();
                classes.push(Class {
                    team: t,
                    cases: Vec::new(),
                    excluded,
                    eligible,
                });
            }
            classes[k].cases.push(c);
        }
        let team_hash = keys.iter().map(|k| hash64(k)).collect();
        let auditor_hash = p.auditors.iter().map(|a| hash64(&normalize(&a.id))).collect();
        Prepared {
            case_team,
            open,
            repeat,
            team_hash,
            auditor_hash,
            classes,
        }
    }

    /// Cost of giving a case of `team` to `auditor` besides load: rotation, then the tie-break.
    fn secondary(&self, seed: u64, team: usize, auditor: usize, scale: &Scale) -> i64 {
        let mix = splitmix64(self.auditor_hash[auditor] ^ splitmix64(self.team_hash[team]));
        let tie = (splitmix64(seed ^ mix) % (scale.tie_max as u64 + 1)) as i64;
        i64::from(self.repeat[team][auditor]) * scale.rotation + tie
    }
}

fn hash64(s: &str) -> u64 {
    let digest = Sha256::digest(s.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("SHA-256 has 32 bytes"))
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Cost units that make each objective strictly dominate the next: one unit of squared load
/// outweighs all rotation and tie-break costs together, one rotation repeat all tie-breaks.
#[derive(Debug, Clone, Copy)]
struct Scale {
    tie_max: i64,
    rotation: i64,
    load: i64,
}

impl Scale {
    /// Tie-breaks range over 0..=63 at most: enough to vary who gets which team, while few
    /// distinct path costs let each Dijkstra round augment many paths (1023 was 5× slower).
    /// Potentials stay below a path through every node, so 4·nodes·dearest must fit in i64.
    fn choose(cases: usize, nodes: usize, largest: u32) -> Scale {
        let n = cases as i128;
        let mut tie_max: i128 = 63;
        loop {
            let rotation = n * tie_max + 1;
            let load = n * (rotation + tie_max) + 1;
            let dearest = (2 * i128::from(largest) - 1) * load + rotation + tie_max;
            let room = 4 * (nodes as i128 + 1) * dearest;
            if room < i128::from(i64::MAX) / 2 || tie_max == 0 {
                assert!(
                    room < i128::from(i64::MAX),
                    "allocation too large for 64-bit costs"
                );
                return Scale {
                    tie_max: tie_max as i64,
                    rotation: rotation as i64,
                    load: load as i64,
                };
            }
            tie_max /= 2;
        }
    }
}

/// Where a class's flow goes: straight to an auditor, or to a hub shared by its team.
#[derive(Clone, Copy)]
enum Via {
    Auditor(usize),
    Hub(usize),
}

/// Node 0 is the source, 1 the sink, then one node per class, per auditor, per hub.
struct Built {
    net: Network,
    class_edges: Vec<Vec<(Via, EdgeId)>>,
    hub_edges: Vec<Vec<(usize, EdgeId)>>,
}

/// Builds the network. A hub stands for one block of about √m auditors open to one team, so a
/// class links to a block with one arc unless it excludes someone in it: that cuts the arcs
/// several-fold when history makes most cases a class of their own. With `scale`, arcs carry
/// costs and each auditor's k-th case is a unit arc of cost (2k − 1) load units (sum of squares).
fn build(p: &Problem, prep: &Prepared, caps: &[u32], scale: Option<&Scale>) -> Built {
    let (m, n) = (p.auditors.len(), p.cases.len() as i64);
    let first_auditor = 2 + prep.classes.len();
    let block = m.isqrt().max(1);
    let mut net = Network::new(first_auditor + m);
    let cost = |t: usize, a: usize| scale.map_or(0, |s| prep.secondary(p.seed, t, a, s));
    let (mut hubs, mut hub_edges) = (HashMap::new(), Vec::new());
    let mut class_edges = Vec::with_capacity(prep.classes.len());
    for (k, class) in prep.classes.iter().enumerate() {
        let (size, t) = (class.cases.len() as i64, class.team);
        net.add_edge(0, 2 + k, size, 0);
        let mut edges = Vec::new();
        for b in (0..m).step_by(block) {
            let members: Vec<usize> = (b..m.min(b + block)).filter(|&a| prep.open[t][a]).collect();
            if members.len() > 1 && !class.excluded.iter().any(|a| members.contains(a)) {
                let hub = *hubs.entry((t, b)).or_insert_with(|| {
                    let node = net.add_node();
                    let arcs = members
                        .iter()
                        .map(|&a| (a, net.add_edge(node, first_auditor + a, n, cost(t, a))));
                    hub_edges.push((node, arcs.collect::<Vec<_>>()));
                    hub_edges.len() - 1
                });
                edges.push((Via::Hub(hub), net.add_edge(2 + k, hub_edges[hub].0, size, 0)));
            } else {
                for a in members.into_iter().filter(|a| !class.excluded.contains(a)) {
                    edges.push((
                        Via::Auditor(a),
                        net.add_edge(2 + k, first_auditor + a, size, cost(t, a)),
                    ));
                }
            }
        }
        class_edges.push(edges);
    }
    for (a, &cap) in caps.iter().enumerate() {
        let cap = i64::from(cap).min(n);
        let arcs: Vec<(i64, i64)> = match scale {
            Some(s) => (1..=cap).map(|k| (1, (2 * k - 1) * s.load)).collect(),
            None => vec![(cap, 0)],
        };
        for (cap, cost) in arcs {
            net.add_edge(first_auditor + a, 1, cap, cost);
        }
    }
    Built {
        net,
        class_edges,
        hub_edges: hub_edges.into_iter().map(|h| h.1).collect(),
    }
}

impl Shortfall {
    /// Sorts the members and compares the cases with the auditors' combined `caps`.
    fn new(mut cases: Vec<usize>, mut auditors: Vec<usize>, caps: &[u32]) -> Shortfall {
        cases.sort_unstable();
        auditors.sort_unstable();
        auditors.dedup();
        let capacity: u64 = auditors.iter().map(|&a| u64::from(caps[a])).sum();
        let short_by = (cases.len() as u64).saturating_sub(capacity) as u32;
        // Only short groups are kept, and their capacity is below a case count.
        let capacity = capacity.min(cases.len() as u64) as u32;
        Shortfall {
            cases,
            auditors,
            capacity,
            short_by,
        }
    }
}

/// Maximum flow under per-auditor capacities `caps`: `None` if every case is covered, else the
/// source side of the smallest minimum cut, split into groups that share no auditor. Each group
/// violates Hall's condition and their shortfalls add up to the uncovered cases.
fn shortfalls(p: &Problem, prep: &Prepared, caps: &[u32]) -> Option<Vec<Shortfall>> {
    let mut built = build(p, prep, caps, None);
    if built.net.max_flow(0, 1) == p.cases.len() as i64 {
        return None;
    }
    let side = built.net.residual_reachable(0);
    let reached: Vec<usize> = (0..prep.classes.len()).filter(|&k| side[2 + k]).collect();
    let mut users = vec![Vec::new(); caps.len()];
    for &k in &reached {
        prep.classes[k].eligible.iter().for_each(|&a| users[a].push(k));
    }
    let (mut class_seen, mut auditor_seen) = (vec![false; prep.classes.len()], vec![false; caps.len()]);
    let mut groups = Vec::new();
    for &first in &reached {
        if std::mem::replace(&mut class_seen[first], true) {
            continue;
        }
        let (mut stack, mut cases, mut auditors) = (vec![first], Vec::new(), Vec::new());
        while let Some(k) = stack.pop() {
            cases.extend(&prep.classes[k].cases);
            for &a in &prep.classes[k].eligible {
                if !std::mem::replace(&mut auditor_seen[a], true) {
                    auditors.push(a);
                    stack.extend(
                        users[a]
                            .iter()
                            .filter(|&&j| !std::mem::replace(&mut class_seen[j], true)),
                    );
                }
            }
        }
        groups.push(Shortfall::new(cases, auditors, caps));
    }
    groups.retain(|g| g.short_by > 0);
    groups.sort_by_key(|g| g.cases[0]);
    Some(groups)
}

/// Allocates every case optimally, or proves that no complete allocation exists.
pub(crate) fn solve(p: &Problem) -> Result<Allocation, Infeasible> {
    solve_scaled(p).map(|(allocation, _)| allocation)
}

fn solve_scaled(p: &Problem) -> Result<(Allocation, Scale), Infeasible> {
    let (n, m) = (p.cases.len(), p.auditors.len());
    let prep = Prepared::new(p);
    let full: Vec<u32> = p.auditors.iter().map(|a| a.capacity.min(n as u32)).collect();
    if let Some(groups) = shortfalls(p, &prep, &full) {
        return Err(infeasible(p, groups));
    }
    let capped = |limit: u32| full.iter().map(|&c| c.min(limit)).collect::<Vec<u32>>();
    // The optimal largest load is the smallest cap that still covers every case; capping the
    // unit arcs there keeps the cost network small whatever capacities say.
    let mut usable = vec![false; m];
    prep.classes
        .iter()
        .flat_map(|c| &c.eligible)
        .for_each(|&a| usable[a] = full[a] > 0);
    let (count, most) = (0..m)
        .filter(|&a| usable[a])
        .fold((0, 0), |(k, x), a| (k + 1, x.max(full[a])));
    let (mut lo, mut hi) = (
        (n.div_ceil(count.max(1)) as u32).clamp(n.min(1) as u32, most),
        most,
    );
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if shortfalls(p, &prep, &capped(mid)).is_none() {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let largest = if n == 0 { 0 } else { lo };
    let bound_group = if largest >= 2 {
        bound_group(p, &prep, &capped(largest - 1))
    } else {
        None
    };

    // Hubs are at most one per team and auditor, which bounds the node count.
    let scale = Scale::choose(n, 2 + prep.classes.len() + m * (1 + prep.open.len()), largest);
    let mut built = build(p, &prep, &capped(largest), Some(&scale));
    let outcome = built.net.min_cost_flow(0, 1, n as i64);
    assert_eq!(outcome.flow, n as i64, "a complete allocation exists at this cap");
    let secondary = |c: usize, a: usize| prep.secondary(p.seed, prep.case_team[c], a, &scale);

    // Hub flow may serve any class that links to the hub: hand it out first come, first served.
    let mut hub_queue: Vec<VecDeque<(usize, i64)>> = (built.hub_edges.iter())
        .map(|arcs| {
            arcs.iter()
                .map(|&(a, e)| (a, built.net.flow(e)))
                .filter(|x| x.1 > 0)
                .collect()
        })
        .collect();
    let mut auditor_of = vec![usize::MAX; n];
    for (class, edges) in prep.classes.iter().zip(&built.class_edges) {
        let mut takes: Vec<(usize, i64)> = Vec::new();
        for &(via, e) in edges {
            let mut f = built.net.flow(e);
            match via {
                Via::Auditor(a) => takes.push((a, f)),
                Via::Hub(h) => {
                    while f > 0 {
                        let front = hub_queue[h].front_mut().expect("hub flow is conserved");
                        let x = f.min(front.1);
                        takes.push((front.0, x));
                        (front.1, f) = (front.1 - x, f - x);
                        if front.1 == 0 {
                            hub_queue[h].pop_front();
                        }
                    }
                }
            }
        }
        takes.sort_unstable();
        // Cases of a class are interchangeable: a seeded order decides which goes where, so the
        // result does not depend on the input's row order.
        let mut order: Vec<(u64, usize)> = class
            .cases
            .iter()
            .map(|&c| (hash64(&format!("{}:{}", p.seed, p.cases[c].case_id)), c))
            .collect();
        order.sort_unstable();
        let mut next = order.into_iter().map(|x| x.1);
        for (a, f) in takes {
            (0..f).for_each(|_| auditor_of[next.next().expect("class flow equals its size")] = a);
        }
    }
    let mut loads = vec![0u32; m];
    auditor_of.iter().for_each(|&a| loads[a] += 1);
    let rotation_repeats = (0..n)
        .filter(|&c| prep.repeat[prep.case_team[c]][auditor_of[c]])
        .count() as u32;
    debug_assert_eq!(loads.iter().copied().max().unwrap_or(0), largest);
    debug_assert_eq!(
        outcome.cost,
        (loads
            .iter()
            .map(|&l| i128::from(l) * i128::from(l) * i128::from(scale.load)))
        .chain((0..n).map(|c| i128::from(secondary(c, auditor_of[c]))))
        .sum::<i128>(),
        "the allocation handed out costs what the flow paid"
    );
    let allocation = Allocation {
        sum_of_squares: loads.iter().map(|&l| u64::from(l) * u64::from(l)).sum(),
        auditor_of,
        loads,
        rotation_repeats,
        largest_load: largest,
        // Proved by the search: the maximum flow with every cap at largest − 1 fell short.
        lower_bound: largest,
        bound_reason: bound_group.as_ref().map(|g| bound_sentence(p, g, largest)),
        bound_group,
    };
    Ok((allocation, scale))
}

/// A group that cannot be covered under `caps`. One team's cases make the plainest reason, so the
/// most short team wins; otherwise a minimum-cut group, which always exists when the cap fails.
fn bound_group(p: &Problem, prep: &Prepared, caps: &[u32]) -> Option<Shortfall> {
    let mut best: Option<Shortfall> = None;
    for t in 0..prep.open.len() {
        let (mut cases, mut auditors) = (Vec::new(), Vec::new());
        for class in prep.classes.iter().filter(|c| c.team == t) {
            cases.extend(&class.cases);
            auditors.extend(&class.eligible);
        }
        let group = Shortfall::new(cases, auditors, caps);
        if group.short_by > best.as_ref().map_or(0, |b| b.short_by) {
            best = Some(group);
        }
    }
    best.or_else(|| {
        shortfalls(p, prep, caps)?
            .into_iter()
            .max_by_key(|g| (g.short_by, usize::MAX - g.cases[0]))
    })
}

fn bound_sentence(p: &Problem, g: &Shortfall, largest: u32) -> String {
    let who = auditor_list(p, &g.auditors);
    let subject = if g.cases.len() == p.cases.len() && g.cases.len() > 1 {
        format!("all {} cases", g.cases.len())
    } else {
        format!(
            "{} from {}",
            count(g.cases.len(), "case"),
            team_phrase(&teams_of(p, &g.cases))
        )
    };
    let k = g.auditors.len();
    if k == 1 {
        format!("{subject} can only go to {who}, who must take {largest}")
    } else if g.auditors.iter().all(|&a| p.auditors[a].capacity >= largest - 1) {
        format!("{subject} can only go to {k} auditors ({who}): at least one must take {largest}")
    } else {
        let c = g.capacity;
        format!(
            "{subject} can only go to {k} auditors ({who}), who can take only {c} of them without \
             anyone taking {largest}: at least one must take {largest}"
        )
    }
}

fn infeasible(p: &Problem, groups: Vec<Shortfall>) -> Infeasible {
    let (empty, groups): (Vec<Shortfall>, Vec<Shortfall>) =
        groups.into_iter().partition(|g| g.auditors.is_empty());
    let mut no_auditor: Vec<(usize, Vec<Bar>)> = (empty.iter().flat_map(|g| &g.cases))
        .map(|&c| {
            let mut bars: Vec<Bar> = p.auditors.iter().filter_map(|a| barred(&p.cases[c], a)).collect();
            bars.sort_unstable();
            bars.dedup();
            (c, bars)
        })
        .collect();
    no_auditor.sort_by_key(|x| x.0);
    Infeasible { no_auditor, groups }
}

impl Infeasible {
    /// How many cases cannot be covered: the least number to defer, or of places to find.
    pub(crate) fn short_by(&self) -> u32 {
        self.no_auditor.len() as u32 + self.groups.iter().map(|g| g.short_by).sum::<u32>()
    }

    /// One line per uncoverable case or group, in the user's terms.
    pub(crate) fn explain(&self, p: &Problem) -> String {
        let active: Vec<&AuditorInfo> = p.auditors.iter().filter(|a| a.active).collect();
        if active.is_empty() {
            let none = if p.auditors.is_empty() {
                "There are no auditors"
            } else {
                "No auditor is active"
            };
            let cases = count(p.cases.len(), "case");
            return format!("{none}, so none of the {cases} can be allocated. Add or reactivate an auditor.");
        }
        let mut lines = Vec::new();
        for (c, bars) in &self.no_auditor {
            let team = tidy(&p.cases[*c].team);
            let phrases: Vec<String> = (bars.iter())
                .filter_map(|b| match b {
                    Bar::Inactive => None,
                    Bar::OwnTeam => Some(format!("is in {team}")),
                    Bar::ManagesTeam => Some("manages it".into()),
                    Bar::IsWorker => Some("is its worker".into()),
                    Bar::AuditedBefore => Some("audited it before".into()),
                })
                .collect();
            let who = match active[..] {
                [only] => format!("the only active auditor, {},", label(only)),
                _ => "every active auditor".into(),
            };
            let (id, why) = (tidy(&p.cases[*c].case_id), join(&phrases, "or"));
            lines.push(format!(
                "case {id} ({team}): {who} {why}. Add an auditor outside {team}, or defer this case."
            ));
        }
        for g in &self.groups {
            let teams = teams_of(p, &g.cases);
            let outside = if teams.len() > 3 {
                "these teams".into()
            } else {
                team_phrase(&teams)
            };
            let capacity = if g.auditors.len() == 1 {
                "capacity"
            } else {
                "combined capacity"
            };
            lines.push(format!(
                "{} from {} can only be audited by {} ({capacity} {}): short by {}. Raise a capacity, \
                 add an auditor outside {outside}, or defer {}.",
                count(g.cases.len(), "case"),
                team_phrase(&teams),
                auditor_list(p, &g.auditors),
                g.capacity,
                g.short_by,
                count(g.short_by as usize, "case"),
            ));
        }
        lines.join("\n")
    }
}

fn count(k: usize, noun: &str) -> String {
    if k == 1 {
        format!("1 {noun}")
    } else {
        format!("{k} {noun}s")
    }
}

fn label(a: &AuditorInfo) -> String {
    if a.id.trim().is_empty() {
        tidy(&a.name)
    } else {
        tidy(&a.id)
    }
}

/// Distinct teams of `cases` as first spelt, in case order.
fn teams_of(p: &Problem, cases: &[usize]) -> Vec<String> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for team in cases.iter().map(|&c| &p.cases[c].team) {
        if !seen.contains(&normalize(team)) {
            seen.push(normalize(team));
            out.push(tidy(team));
        }
    }
    out
}

fn team_phrase(teams: &[String]) -> String {
    if teams.len() > 3 {
        format!("{} teams", teams.len())
    } else {
        join(teams, "and")
    }
}

fn join(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

/// Auditor labels, cut after ten so that the sentence stays readable.
fn auditor_list(p: &Problem, auditors: &[usize]) -> String {
    let labels: Vec<String> = auditors.iter().take(10).map(|&a| label(&p.auditors[a])).collect();
    match auditors.len() {
        k if k > 10 => format!("{} and {} others", labels.join(", "), k - 10),
        _ => labels.join(", "),
    }
}

#[cfg(test)]
mod tests {
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

    fn problem(teams: &[(&str, usize)], auditors: Vec<AuditorInfo>) -> Problem {
        let cases = (teams.iter()).flat_map(|&(t, k)| (1..=k).map(move |i| case(&format!("{t}-{i}"), t)));
        Problem {
            cases: cases.collect(),
            auditors,
            seed: 1,
        }
    }

    /// Every hard constraint, checked against the public `barred`.
    fn assert_valid(p: &Problem, a: &Allocation) {
        assert_eq!(a.auditor_of.len(), p.cases.len());
        let mut loads = vec![0u32; p.auditors.len()];
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
            loads.iter().zip(&p.auditors).all(|(&l, x)| l <= x.capacity),
            "over capacity"
        );
        assert_eq!(a.largest_load, loads.iter().copied().max().unwrap_or(0));
        assert_eq!(a.lower_bound, a.largest_load);
    }

    /// The group's cases have no eligible auditor outside the group, and too little capacity.
    fn violates_hall(p: &Problem, g: &Shortfall, cap: impl Fn(&AuditorInfo) -> u32) -> bool {
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

    fn abc() -> Problem {
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

    /// `cases` cases and `teams` teams of ten auditors (capacities 2–10, some inactive or managing
    /// a second team, recent teams for rotation); one case in `history` has been audited before.
    fn instance(seed: u64, cases: u64, teams: u64, history: u64) -> Problem {
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
    fn has_negative_cycle(p: &Problem, a: &Allocation, scale: &Scale) -> bool {
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
        p: &'a Problem,
        prep: Prepared,
        eligible: Vec<Vec<usize>>,
        scale: Scale,
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
                if self.loads[a] < self.p.auditors[a].capacity {
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

    fn brute(p: &Problem, scale: Scale) -> Brute<'_> {
        let eligible = (p.cases.iter())
            .map(|c| {
                (0..p.auditors.len())
                    .filter(|&a| barred(c, &p.auditors[a]).is_none())
                    .collect()
            })
            .collect();
        let loads = vec![0; p.auditors.len()];
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
    fn small_problem() -> impl Strategy<Value = Problem> {
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        #[test]
        fn matches_brute_force(p in small_problem()) {
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
                    if a.largest_load >= 2 {
                        let g = a.bound_group.as_ref().expect("a proof of the lower bound");
                        prop_assert!(violates_hall(&p, g, |x| x.capacity.min(a.largest_load - 1)));
                        prop_assert!(a.bound_reason.is_some());
                    }
                }
                Err(inf) => {
                    let b = brute(&p, Scale::choose(n, 10, 1));
                    prop_assert!(b.best.is_none(), "solver says infeasible but brute force allocates");
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
        }
    }
}
