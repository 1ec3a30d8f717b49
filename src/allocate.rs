//! Allocation of sampled case files to auditors outside the case's own team: eligibility, the
//! optimal allocation (most even, then fewest rotation repeats, then a seeded tie-break) by
//! min-cost flow, a min-cut proof that its largest load cannot be smaller, and plain-English
//! reasons when no complete allocation exists.

use std::collections::{HashMap, VecDeque};
use std::fmt;

use crate::flow::{EdgeId, Network};
use crate::keys::{hash64, splitmix64};
use explain::{bound_group, bound_sentence, infeasible, kept_sentence};

mod explain;
pub(crate) mod keep;
pub(crate) mod rules;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AuditorInfo {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) team: String,
    pub(crate) active: bool,
    /// Teams the auditor line-manages: barred like their own team.
    pub(crate) manages: Vec<String>,
    /// Cases the auditor may take (besides any `base` cases they keep).
    pub(crate) capacity: u32,
    /// Teams audited within the rotation window: allowed, but avoided where the load allows.
    pub(crate) recent_teams: Vec<String>,
    /// Cases the auditor keeps from an earlier allocation of the month (a reallocation): they
    /// count in the loads the objective evens out and the bound proves, but are not in `cases`.
    pub(crate) base: u32,
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
pub(crate) struct Instance {
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
    /// Per case, the index of its auditor in `Instance::auditors`.
    pub(crate) auditor_of: Vec<usize>,
    /// Per auditor, the number of cases allocated, counting the `base` cases they keep.
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

/// A person's name as compared: normalised, and `Last, First` read as `First Last`.
fn name_key(name: &str) -> String {
    match name.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() => normalize(&format!("{first} {last}")),
        _ => normalize(name),
    }
}

/// Why `auditor` may not take `case` (`None`: eligible, capacity aside).
pub(crate) fn barred(case: &CaseInfo, auditor: &AuditorInfo) -> Option<Bar> {
    let team = normalize(&case.team);
    let worker = case.worker.as_deref().map(name_key).unwrap_or_default();
    let id = normalize(&auditor.id);
    if !auditor.active {
        Some(Bar::Inactive)
    } else if !team.is_empty() && normalize(&auditor.team) == team {
        Some(Bar::OwnTeam)
    } else if !team.is_empty() && auditor.manages.iter().any(|m| normalize(m) == team) {
        Some(Bar::ManagesTeam)
    } else if !worker.is_empty()
        && (worker == id || worker == normalize(&auditor.id) || worker == name_key(&auditor.name))
    {
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
    fn new(p: &Instance) -> Self {
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
            for key in [id.clone(), name_key(&aud.name)]
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
            let worker = case.worker.as_deref().map(name_key).unwrap_or_default();
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
    fn secondary(&self, seed: u64, team: usize, auditor: usize, scale: &CostScale) -> i64 {
        let mix = splitmix64(self.auditor_hash[auditor] ^ splitmix64(self.team_hash[team]));
        let tie = (splitmix64(seed ^ mix) % (scale.tie_max as u64 + 1)) as i64;
        i64::from(self.repeat[team][auditor]) * scale.rotation + tie
    }
}

/// Cost units that make each objective strictly dominate the next: one unit of squared load
/// outweighs all rotation and tie-break costs together, one rotation repeat all tie-breaks.
#[derive(Debug, Clone, Copy)]
struct CostScale {
    tie_max: i64,
    rotation: i64,
    load: i64,
}

impl CostScale {
    /// Tie-breaks range over 0..=63 at most: enough to vary who gets which team, while few
    /// distinct path costs let each Dijkstra round augment many paths (1023 was 5× slower).
    /// Potentials stay below a path through every node, so 4·nodes·dearest must fit in i64.
    fn choose(cases: usize, nodes: usize, largest: u32) -> CostScale {
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
                return CostScale {
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
/// costs and each auditor's k-th case is a unit arc of cost (2k − 1) load units (sum of squares);
/// after `base` kept cases, the k-th new case costs 2(base + k) − 1, the step to the total load.
fn build(p: &Instance, prep: &Prepared, caps: &[u32], scale: Option<&CostScale>) -> Built {
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
        let (cap, base) = (i64::from(cap).min(n), i64::from(p.auditors[a].base));
        let arcs: Vec<(i64, i64)> = match scale {
            Some(s) => (1..=cap).map(|k| (1, (2 * (base + k) - 1) * s.load)).collect(),
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
fn shortfalls(p: &Instance, prep: &Prepared, caps: &[u32]) -> Option<Vec<Shortfall>> {
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
pub(crate) fn solve(p: &Instance) -> Result<Allocation, Infeasible> {
    solve_scaled(p).map(|(allocation, _)| allocation)
}

fn solve_scaled(p: &Instance) -> Result<(Allocation, CostScale), Infeasible> {
    let (n, m) = (p.cases.len(), p.auditors.len());
    let prep = Prepared::new(p);
    let full: Vec<u32> = p.auditors.iter().map(|a| a.capacity.min(n as u32)).collect();
    if let Some(groups) = shortfalls(p, &prep, &full) {
        return Err(infeasible(p, groups));
    }
    let base: Vec<u32> = p.auditors.iter().map(|a| a.base).collect();
    let most_kept = base.iter().copied().max().unwrap_or(0);
    // A cap on the total load leaves an auditor who keeps cases that many fewer new ones.
    let capped = |limit: u32| {
        (full.iter().zip(&base))
            .map(|(&c, &b)| c.min(limit.saturating_sub(b)))
            .collect::<Vec<u32>>()
    };
    // The optimal largest load is the smallest cap that still covers every case; capping the
    // unit arcs there keeps the cost network small whatever capacities say.
    let mut usable = vec![false; m];
    prep.classes
        .iter()
        .flat_map(|c| &c.eligible)
        .for_each(|&a| usable[a] = full[a] > 0);
    let (count, kept, most) = (0..m).filter(|&a| usable[a]).fold((0, 0, 0), |(k, b, x), a| {
        (k + 1, b + base[a] as usize, x.max(full[a] + base[a]))
    });
    // Below the average over the auditors who can take a case, or a load someone keeps, no cap
    // covers every case.
    let (mut lo, mut hi) = (
        ((n + kept).div_ceil(count.max(1)) as u32)
            .clamp(n.min(1) as u32, most)
            .max(most_kept),
        most.max(most_kept),
    );
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if shortfalls(p, &prep, &capped(mid)).is_none() {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let largest = if n == 0 { most_kept } else { lo };
    // A load someone keeps needs no proof; any other needs a group that cannot be covered below it.
    let bound_group = if largest >= 2 && most_kept < largest {
        bound_group(p, &prep, &capped(largest - 1))
    } else {
        None
    };
    let bound_reason = match &bound_group {
        Some(g) => Some(bound_sentence(p, g, largest)),
        None if largest >= 2 => Some(kept_sentence(p, largest)),
        None => None,
    };

    // Hubs are at most one per team and auditor, which bounds the node count.
    let scale = CostScale::choose(n, 2 + prep.classes.len() + m * (1 + prep.open.len()), largest);
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
    let mut loads = base.clone();
    auditor_of.iter().for_each(|&a| loads[a] += 1);
    let rotation_repeats = (0..n)
        .filter(|&c| prep.repeat[prep.case_team[c]][auditor_of[c]])
        .count() as u32;
    debug_assert_eq!(loads.iter().copied().max().unwrap_or(0), largest);
    debug_assert_eq!(
        outcome.cost,
        (loads.iter().zip(&base).map(|(&l, &b)| {
            (i128::from(l) * i128::from(l) - i128::from(b) * i128::from(b)) * i128::from(scale.load)
        }))
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
        bound_reason,
        bound_group,
    };
    Ok((allocation, scale))
}

#[cfg(test)]
mod tests;
