//! Generic maximum flow (Dinic) and minimum-cost flow on a directed graph with integer capacities
//! and costs, plus the residual reachability that certifies a minimum cut. Minimum cost is found by
//! successive shortest paths in the primal–dual way: Dijkstra on reduced costs, then a blocking flow
//! along every shortest path at once.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Index of an edge as returned by [`Network::add_edge`].
pub(crate) type EdgeId = usize;

#[derive(Debug, Clone, Copy)]
struct Edge {
    from: u32,
    to: u32,
    cap: i64,
    cost: i64,
    flow: i64,
}

/// A residual arc. Arcs are stored grouped by tail so that scanning a node's arcs reads memory in
/// order, which is most of the running time on dense bipartite graphs.
#[derive(Debug, Clone, Copy)]
struct Arc {
    to: u32,
    rev: u32,
    cap: i64,
    cost: i64,
}

#[derive(Debug, Clone)]
struct Residual {
    /// Arcs leaving node `u` are `arcs[start[u]..start[u + 1]]`.
    start: Vec<usize>,
    arcs: Vec<Arc>,
    /// Position of each edge's forward arc.
    forward: Vec<u32>,
}

/// A flow network: add nodes and edges, then run the algorithms, which keep the flow they find.
#[derive(Debug, Clone, Default)]
pub(crate) struct Network {
    nodes: usize,
    edges: Vec<Edge>,
    residual: Option<Residual>,
}

/// Result of [`Network::min_cost_flow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FlowOutcome {
    pub(crate) flow: i64,
    /// Wide enough that no caller has to reason about the sum of many large costs overflowing.
    pub(crate) cost: i128,
}

impl Network {
    pub(crate) fn new(nodes: usize) -> Self {
        Network {
            nodes,
            edges: Vec::new(),
            residual: None,
        }
    }

    pub(crate) fn add_node(&mut self) -> usize {
        self.thaw();
        self.nodes += 1;
        self.nodes - 1
    }

    /// Adds an edge `from → to`. Capacity must be non-negative.
    pub(crate) fn add_edge(&mut self, from: usize, to: usize, cap: i64, cost: i64) -> EdgeId {
        assert!(cap >= 0, "negative capacity");
        assert!(from < self.nodes && to < self.nodes, "edge end out of range");
        self.thaw();
        self.edges.push(Edge {
            from: from as u32,
            to: to as u32,
            cap,
            cost,
            flow: 0,
        });
        self.edges.len() - 1
    }

    /// Flow currently carried by edge `e`.
    pub(crate) fn flow(&self, e: EdgeId) -> i64 {
        match &self.residual {
            Some(r) => r.arcs[r.arcs[r.forward[e] as usize].rev as usize].cap,
            None => self.edges[e].flow,
        }
    }

    /// Writes the current flow back to the edge list so the graph can grow.
    fn thaw(&mut self) {
        if self.residual.is_some() {
            for e in 0..self.edges.len() {
                self.edges[e].flow = self.flow(e);
            }
            self.residual = None;
        }
    }

    fn frozen(&mut self) -> &mut Residual {
        let (nodes, edges) = (self.nodes, &self.edges);
        self.residual.get_or_insert_with(|| {
            let mut start = vec![0usize; nodes + 1];
            for e in edges {
                start[e.from as usize + 1] += 1;
                start[e.to as usize + 1] += 1;
            }
            for u in 0..nodes {
                start[u + 1] += start[u];
            }
            let mut next = start.clone();
            let blank = Arc {
                to: 0,
                rev: 0,
                cap: 0,
                cost: 0,
            };
            let mut arcs = vec![blank; 2 * edges.len()];
            let mut forward = Vec::with_capacity(edges.len());
            for e in edges {
                let (f, b) = (next[e.from as usize], next[e.to as usize]);
                next[e.from as usize] += 1;
                next[e.to as usize] += 1;
                arcs[f] = Arc {
                    to: e.to,
                    rev: b as u32,
                    cap: e.cap - e.flow,
                    cost: e.cost,
                };
                arcs[b] = Arc {
                    to: e.from,
                    rev: f as u32,
                    cap: e.flow,
                    cost: -e.cost,
                };
                forward.push(f as u32);
            }
            Residual { start, arcs, forward }
        })
    }

    /// Pushes as much flow as possible from `s` to `t` (on top of any flow already present) and
    /// returns the amount added.
    pub(crate) fn max_flow(&mut self, s: usize, t: usize) -> i64 {
        if s == t {
            return 0;
        }
        let r = self.frozen();
        let mut total = 0i64;
        let mut level = vec![u32::MAX; r.start.len() - 1];
        let mut queue = VecDeque::new();
        loop {
            level.fill(u32::MAX);
            level[s] = 0;
            queue.push_back(s);
            while let Some(u) = queue.pop_front() {
                for arc in &r.arcs[r.start[u]..r.start[u + 1]] {
                    if arc.cap > 0 && level[arc.to as usize] == u32::MAX {
                        level[arc.to as usize] = level[u] + 1;
                        queue.push_back(arc.to as usize);
                    }
                }
            }
            if level[t] == u32::MAX {
                return total;
            }
            total += r.blocking_flow(s, t, i64::MAX, |u, arc| level[arc.to as usize] == level[u] + 1);
        }
    }

    /// Sends up to `limit` units from `s` to `t` at minimum total cost, by successive shortest
    /// paths: Dijkstra on reduced costs, then every shortest path at once (a blocking flow on the
    /// zero-reduced-cost arcs), which pays off when many paths tie.
    ///
    /// The network must carry no flow yet and every edge cost must be non-negative, so that zero
    /// potentials are feasible to start from.
    pub(crate) fn min_cost_flow(&mut self, s: usize, t: usize, limit: i64) -> FlowOutcome {
        let r = self.frozen();
        assert!(
            r.arcs.iter().all(|a| a.cap == 0 || a.cost >= 0),
            "min_cost_flow needs non-negative costs and no prior flow"
        );
        let n = r.start.len() - 1;
        let mut potential = vec![0i64; n];
        let mut dist = vec![i64::MAX; n];
        let mut done = vec![false; n];
        let mut heap = BinaryHeap::new();
        let mut outcome = FlowOutcome { flow: 0, cost: 0 };
        while outcome.flow < limit && s != t {
            dist.fill(i64::MAX);
            done.fill(false);
            dist[s] = 0;
            heap.clear();
            heap.push(Reverse((0i64, s as u32)));
            while let Some(Reverse((d, u))) = heap.pop() {
                let u = u as usize;
                if done[u] {
                    continue;
                }
                done[u] = true;
                // Stopping at the sink is sound: capping every label at dist[t] below keeps all
                // reduced costs non-negative.
                if u == t {
                    break;
                }
                let pu = potential[u];
                for arc in &r.arcs[r.start[u]..r.start[u + 1]] {
                    let v = arc.to as usize;
                    if arc.cap > 0 {
                        let nd = d + arc.cost + pu - potential[v];
                        if nd < dist[v] {
                            dist[v] = nd;
                            heap.push(Reverse((nd, v as u32)));
                        }
                    }
                }
            }
            let dt = dist[t];
            if dt == i64::MAX {
                break;
            }
            for (p, &d) in potential.iter_mut().zip(&dist) {
                *p += d.min(dt);
            }
            let pot = &potential;
            let pushed = r.blocking_flow(s, t, limit - outcome.flow, |u, arc| {
                arc.cost + pot[u] - pot[arc.to as usize] == 0
            });
            debug_assert!(pushed > 0, "a shortest path must admit flow");
            if pushed == 0 {
                break;
            }
            outcome.flow += pushed;
            // Along a zero-reduced-cost path the real cost telescopes to the potential gap.
            outcome.cost += i128::from(pushed) * i128::from(potential[t] - potential[s]);
        }
        outcome
    }

    /// Nodes reachable from `s` along arcs with spare capacity. After a maximum flow this is the
    /// source side of the minimum cut with the fewest nodes.
    pub(crate) fn residual_reachable(&mut self, s: usize) -> Vec<bool> {
        let r = self.frozen();
        let mut seen = vec![false; r.start.len() - 1];
        let mut stack = vec![s];
        seen[s] = true;
        while let Some(u) = stack.pop() {
            for arc in &r.arcs[r.start[u]..r.start[u + 1]] {
                if arc.cap > 0 && !seen[arc.to as usize] {
                    seen[arc.to as usize] = true;
                    stack.push(arc.to as usize);
                }
            }
        }
        seen
    }
}

impl Residual {
    /// Augments along `admissible` arcs until `s` can no longer reach `t` through them or `limit`
    /// is met. Returns the flow pushed.
    fn blocking_flow(
        &mut self,
        s: usize,
        t: usize,
        limit: i64,
        admissible: impl Fn(usize, &Arc) -> bool,
    ) -> i64 {
        let n = self.start.len() - 1;
        // A node whose current-arc pointer reached the end cannot reach `t` any more this phase:
        // augmenting only ever adds arcs into nodes that already reach `t`.
        let mut it: Vec<usize> = self.start[..n].to_vec();
        let end = &self.start[1..];
        let mut on_path = vec![false; n];
        let mut path: Vec<usize> = Vec::new();
        let mut remaining = limit;
        let mut u = s;
        on_path[s] = true;
        loop {
            if u == t {
                let f = path.iter().fold(remaining, |f, &a| f.min(self.arcs[a].cap));
                for &a in &path {
                    self.arcs[a].cap -= f;
                    let rev = self.arcs[a].rev as usize;
                    self.arcs[rev].cap += f;
                    on_path[self.arcs[a].to as usize] = false;
                }
                remaining -= f;
                path.clear();
                if remaining == 0 {
                    break;
                }
                u = s;
                continue;
            }
            let mut next = None;
            while it[u] < end[u] {
                let arc = &self.arcs[it[u]];
                let v = arc.to as usize;
                // Skipping an arc into the current path for good may lose a path this phase; the
                // next phase finds it again, so it costs time, never correctness.
                if arc.cap > 0 && !on_path[v] && it[v] < end[v] && admissible(u, arc) {
                    next = Some(v);
                    break;
                }
                it[u] += 1;
            }
            match next {
                Some(v) => {
                    path.push(it[u]);
                    on_path[v] = true;
                    u = v;
                }
                None => {
                    on_path[u] = false;
                    let Some(a) = path.pop() else { break };
                    u = self.arcs[self.arcs[a].rev as usize].to as usize;
                    it[u] += 1;
                }
            }
        }
        limit - remaining
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CLRS figure 26.1: the classic max-flow instance, value 23.
    fn clrs() -> (Network, Vec<EdgeId>) {
        let mut g = Network::new(6);
        let e = vec![
            g.add_edge(0, 1, 16, 0),
            g.add_edge(0, 2, 13, 0),
            g.add_edge(2, 1, 4, 0),
            g.add_edge(1, 3, 12, 0),
            g.add_edge(3, 2, 9, 0),
            g.add_edge(2, 4, 14, 0),
            g.add_edge(4, 3, 7, 0),
            g.add_edge(3, 5, 20, 0),
            g.add_edge(4, 5, 4, 0),
        ];
        (g, e)
    }

    fn assert_conserved(g: &Network, s: usize, t: usize) {
        let mut net = vec![0i64; g.nodes];
        for (e, edge) in g.edges.iter().enumerate() {
            let (a, b) = (edge.from as usize, edge.to as usize);
            assert!(g.flow(e) >= 0 && g.flow(e) <= edge.cap);
            net[a] -= g.flow(e);
            net[b] += g.flow(e);
        }
        for (v, &x) in net.iter().enumerate() {
            if v != s && v != t {
                assert_eq!(x, 0, "flow not conserved at {v}");
            }
        }
    }

    #[test]
    fn textbook_max_flow_and_min_cut() {
        let (mut g, e) = clrs();
        assert_eq!(g.max_flow(0, 5), 23);
        assert_conserved(&g, 0, 5);
        let side = g.residual_reachable(0);
        assert_eq!(side, vec![true, true, true, false, true, false]);
        // The cut {s, v1, v2, v4} crosses v1→v3 (12), v4→v3 (7) and v4→t (4): 23.
        let cut: i64 = (0..g.edges.len())
            .filter(|&i| {
                let (a, b) = (g.edges[i].from as usize, g.edges[i].to as usize);
                side[a] && !side[b]
            })
            .map(|i| g.flow(i))
            .sum();
        assert_eq!(cut, 23);
        assert_eq!(g.flow(e[3]), 12);
        assert_eq!(g.flow(e[6]), 7);
        // A second call finds nothing more.
        assert_eq!(g.max_flow(0, 5), 0);
    }

    #[test]
    fn min_cost_flow_prefers_cheap_route_then_spills() {
        // s=0, t=3. Cheap route 0→1→3 holds 2 units at cost 1+1; dear route 0→2→3 costs 5+5.
        let mut g = Network::new(4);
        let a = g.add_edge(0, 1, 2, 1);
        let b = g.add_edge(1, 3, 5, 1);
        let c = g.add_edge(0, 2, 5, 5);
        g.add_edge(2, 3, 5, 5);
        let out = g.min_cost_flow(0, 3, 3);
        assert_eq!(
            out,
            FlowOutcome {
                flow: 3,
                cost: 2 * 2 + 10
            }
        );
        assert_eq!((g.flow(a), g.flow(b), g.flow(c)), (2, 2, 1));
        assert_conserved(&g, 0, 3);
    }

    #[test]
    fn min_cost_flow_reroutes_through_reverse_arc() {
        // The first unit takes 0→1→2→3 (cost 3); the second must push it back off 1→2, so the
        // optimum is 0→1→3 (8) plus 0→2→3 (6).
        let mut g = Network::new(4);
        g.add_edge(0, 1, 1, 1);
        g.add_edge(0, 2, 1, 5);
        let mid = g.add_edge(1, 2, 1, 1);
        g.add_edge(1, 3, 1, 7);
        g.add_edge(2, 3, 1, 1);
        let out = g.min_cost_flow(0, 3, 10);
        assert_eq!(out, FlowOutcome { flow: 2, cost: 14 });
        assert_eq!(g.flow(mid), 0);
        assert_conserved(&g, 0, 3);
    }

    #[test]
    fn min_cost_flow_convex_parallel_arcs() {
        // Unit arcs of cost 1, 3, 5, 7 model a squared load: three units cost 9.
        let mut g = Network::new(3);
        g.add_edge(0, 1, 3, 0);
        for k in 1..=4 {
            g.add_edge(1, 2, 1, 2 * k - 1);
        }
        assert_eq!(g.min_cost_flow(0, 2, 3), FlowOutcome { flow: 3, cost: 9 });
    }

    #[test]
    fn min_cost_flow_assignment_matches_brute_force() {
        // 3×3 assignment problem; optimum 1+2+2 = 5 found by trying all 6 permutations by hand.
        let cost = [[4, 1, 3], [2, 0, 5], [3, 2, 2]];
        let mut g = Network::new(8);
        for (i, row) in cost.iter().enumerate() {
            g.add_edge(0, 1 + i, 1, 0);
            g.add_edge(4 + i, 7, 1, 0);
            for (j, &c) in row.iter().enumerate() {
                g.add_edge(1 + i, 4 + j, 1, c);
            }
        }
        let best = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
            .iter()
            .map(|p| (0..3).map(|i| cost[i][p[i]]).sum::<i64>())
            .min()
            .unwrap();
        assert_eq!(best, 5);
        assert_eq!(g.min_cost_flow(0, 7, 3), FlowOutcome { flow: 3, cost: 5 });
    }

    #[test]
    fn limits_and_unreachable_sink() {
        let mut g = Network::new(3);
        g.add_edge(0, 1, 10, 2);
        assert_eq!(g.min_cost_flow(0, 2, 5), FlowOutcome { flow: 0, cost: 0 });
        let mut g = Network::new(2);
        g.add_edge(0, 1, 10, 2);
        assert_eq!(g.min_cost_flow(0, 1, 4), FlowOutcome { flow: 4, cost: 8 });
        let n = g.add_node();
        assert_eq!(n, 2);
        assert_eq!(g.max_flow(0, 1), 6);
    }
}
