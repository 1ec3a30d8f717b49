//! Keyed-hash sampling (docs/method.md#keys): every case gets a key (`keys::key`, from
//! SHA-256 of "<seed>:<case_id>"); each frame, in order, takes the eligible cases with the
//! smallest keys, optionally shared across strata by the largest-remainder method.
//! Rows are offered one at a time and only the few smallest keys are kept, so
//! memory grows with the sample, not with the extract.

pub(crate) mod dip;
pub(crate) mod draw;

use rustc_hash::FxHashMap;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};

/// The method id recorded in manifests.
pub(crate) const METHOD: &str = "sha256-key-v1";

/// How one frame is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FramePlan {
    pub(crate) name: String,
    pub(crate) size: u32,
    /// Share the size across strata (the stratum of each case is given when offered).
    pub(crate) stratified: bool,
    /// Take this many from every stratum instead of sharing `size`.
    pub(crate) per_stratum: Option<u32>,
}

/// A case that is eligible for at least one frame.
#[derive(Debug, Clone)]
pub(crate) struct Offer<T> {
    pub(crate) key: u64,
    pub(crate) case_id: String,
    /// Per frame: `Some(stratum)` when the case is eligible for it (stratum `""`
    /// when the frame is not stratified), `None` when not.
    pub(crate) frames: Vec<Option<String>>,
    pub(crate) payload: T,
}

/// Candidates are ordered by key, then case id (the tie rule of docs/method.md#keys).
struct Ranked<T>(Offer<T>);

impl<T> PartialEq for Ranked<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<T> Eq for Ranked<T> {}
impl<T> PartialOrd for Ranked<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Ranked<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.0.key, &self.0.case_id).cmp(&(other.0.key, &other.0.case_id))
    }
}

/// What a frame saw and drew.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FrameCounts {
    /// Cases matching the frame's filter, not excluded, not taken by an earlier frame.
    pub(crate) eligible: u64,
    /// Cases matching the filter but audited within the exclusion window.
    pub(crate) excluded_by_history: u64,
    /// Cases matching the filter that have no team (cannot be allocated).
    pub(crate) excluded_no_team: u64,
    /// Cases matching the filter already drawn by an earlier frame.
    pub(crate) taken_earlier: u64,
    pub(crate) drawn: u64,
    pub(crate) shortfall: u64,
}

/// A stratum's share of a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StratumDraw {
    pub(crate) value: String,
    pub(crate) eligible: u64,
    pub(crate) quota: u64,
    pub(crate) drawn: u64,
}

/// One drawn case.
#[derive(Debug, Clone)]
pub(crate) struct Drawn<T> {
    pub(crate) frame: usize,
    pub(crate) stratum: String,
    /// 1-based position within the frame, in key order.
    pub(crate) rank: u64,
    pub(crate) key: u64,
    pub(crate) case_id: String,
    pub(crate) payload: T,
}

/// The result of a draw.
#[derive(Debug, Clone)]
pub(crate) struct Draw<T> {
    pub(crate) frames: Vec<(FrameCounts, Vec<StratumDraw>)>,
    pub(crate) cases: Vec<Drawn<T>>,
}

struct FrameState<T> {
    plan: FramePlan,
    counts: FrameCounts,
    /// Where each stratum is in `strata` (a hash lookup: a million offers to a
    /// frame stratified by team made comparing names in a tree a tenth of the run).
    index: FxHashMap<String, usize>,
    /// Where the stratum "" is (every case of an unstratified frame).
    empty: Option<usize>,
    /// Per stratum: its value, eligible count and the smallest keys kept (a max-heap).
    strata: Vec<(String, u64, BinaryHeap<Ranked<T>>)>,
    /// How many candidates each stratum keeps: its largest possible draw plus
    /// every case an earlier frame might take from it.
    keep: usize,
}

/// Collects offers and draws the frames.
pub(crate) struct Sampler<T> {
    frames: Vec<FrameState<T>>,
}

impl<T: Clone> Sampler<T> {
    pub(crate) fn new(plans: Vec<FramePlan>) -> Sampler<T> {
        let mut earlier: usize = 0;
        let frames = plans
            .into_iter()
            .map(|plan| {
                let own = plan.per_stratum.unwrap_or(plan.size) as usize;
                let keep = own + earlier;
                earlier += plan.size as usize;
                FrameState {
                    plan,
                    counts: FrameCounts::default(),
                    index: FxHashMap::default(),
                    empty: None,
                    strata: Vec::new(),
                    keep,
                }
            })
            .collect();
        Sampler { frames }
    }

    /// Counts a case that matched frame `frame` but was excluded by the history.
    pub(crate) fn excluded_by_history(&mut self, frame: usize) {
        self.frames[frame].counts.excluded_by_history += 1;
    }

    /// Counts a case that matched frame `frame` but has no team.
    pub(crate) fn excluded_no_team(&mut self, frame: usize) {
        self.frames[frame].counts.excluded_no_team += 1;
    }

    /// Offers an eligible case to the frames it is eligible for.
    pub(crate) fn offer(&mut self, offer: Offer<T>) {
        let wanted: Vec<bool> = offer
            .frames
            .iter()
            .enumerate()
            .map(|(fi, s)| {
                s.as_deref()
                    .is_some_and(|s| self.count(fi, s, offer.key, &offer.case_id))
            })
            .collect();
        self.keep(offer, &wanted);
    }

    /// Counts a case eligible for frame `frame` in `stratum`, and says whether that
    /// frame keeps it (it is among the smallest keys so far). A case no frame keeps
    /// need never be built: on a large extract that is nearly every case.
    pub(crate) fn count(&mut self, frame: usize, stratum: &str, key: u64, case_id: &str) -> bool {
        let state = &mut self.frames[frame];
        let at = state.stratum(stratum);
        let entry = &mut state.strata[at];
        entry.1 += 1;
        let heap = &entry.2;
        heap.len() < state.keep
            || heap
                .peek()
                .is_some_and(|top| (key, case_id) < (top.0.key, top.0.case_id.as_str()))
    }

    /// Keeps `offer` in each frame whose [`Sampler::count`] said so (`wanted`),
    /// dropping that frame's largest key when it is full.
    pub(crate) fn keep(&mut self, offer: Offer<T>, wanted: &[bool]) {
        for (fi, stratum) in offer.frames.iter().enumerate() {
            let Some(stratum) = stratum else { continue };
            if !wanted[fi] {
                continue;
            }
            let state = &mut self.frames[fi];
            let at = state.stratum(stratum);
            let keep = state.keep;
            push_bounded(&mut state.strata[at].2, Ranked(offer.clone()), keep);
        }
    }

    /// Adds what `other` saw (a sampler of another part of the same extract, with
    /// the same plans): counts add up, and each stratum keeps the smallest keys of
    /// both, so offering the parts to separate samplers and merging them draws
    /// exactly what offering every case to one sampler draws.
    pub(crate) fn merge(&mut self, other: Sampler<T>) {
        for (state, theirs) in self.frames.iter_mut().zip(other.frames) {
            state.counts.excluded_by_history += theirs.counts.excluded_by_history;
            state.counts.excluded_no_team += theirs.counts.excluded_no_team;
            for (value, seen, heap) in theirs.strata {
                let at = state.stratum(&value);
                let keep = state.keep;
                let entry = &mut state.strata[at];
                entry.1 += seen;
                for ranked in heap {
                    push_bounded(&mut entry.2, ranked, keep);
                }
            }
        }
    }

    /// Draws every frame in order: no case in two frames.
    pub(crate) fn draw(self) -> Draw<T> {
        let mut taken: HashSet<String> = HashSet::new();
        let mut taken_offers: Vec<Offer<T>> = Vec::new();
        let mut frames = Vec::new();
        let mut cases = Vec::new();
        for (fi, state) in self.frames.into_iter().enumerate() {
            let mut counts = state.counts;
            let mut strata_out = Vec::new();
            let mut pools: Vec<(String, u64, Vec<Offer<T>>)> = Vec::new();
            let mut strata = state.strata;
            strata.sort_by(|a, b| a.0.cmp(&b.0));
            for (value, seen, heap) in strata {
                let already = taken_offers
                    .iter()
                    .filter(|o| o.frames[fi].as_deref() == Some(value.as_str()))
                    .count() as u64;
                counts.taken_earlier += already;
                let mut pool: Vec<Offer<T>> = heap
                    .into_sorted_vec()
                    .into_iter()
                    .map(|r| r.0)
                    .filter(|o| !taken.contains(&o.case_id))
                    .collect();
                pool.truncate(state.keep);
                pools.push((value, seen - already, pool));
            }
            counts.eligible = pools.iter().map(|p| p.1).sum();
            let eligible_by_stratum: Vec<(String, u64)> = pools.iter().map(|p| (p.0.clone(), p.1)).collect();
            let quotas = quotas(&state.plan, &eligible_by_stratum);
            let mut chosen: Vec<(String, Offer<T>)> = Vec::new();
            for ((value, eligible, pool), quota) in pools.into_iter().zip(quotas) {
                let take = quota.min(eligible) as usize;
                let picked: Vec<Offer<T>> = pool.into_iter().take(take).collect();
                strata_out.push(StratumDraw {
                    value: value.clone(),
                    eligible,
                    quota,
                    drawn: picked.len() as u64,
                });
                chosen.extend(picked.into_iter().map(|o| (value.clone(), o)));
            }
            chosen.sort_by(|a, b| (a.1.key, &a.1.case_id).cmp(&(b.1.key, &b.1.case_id)));
            let wanted: u64 = match state.plan.per_stratum {
                Some(k) => strata_out.len() as u64 * u64::from(k),
                None => u64::from(state.plan.size),
            };
            counts.drawn = chosen.len() as u64;
            counts.shortfall = wanted.saturating_sub(counts.drawn);
            for (rank, (stratum, offer)) in chosen.into_iter().enumerate() {
                taken.insert(offer.case_id.clone());
                cases.push(Drawn {
                    frame: fi,
                    stratum,
                    rank: rank as u64 + 1,
                    key: offer.key,
                    case_id: offer.case_id.clone(),
                    payload: offer.payload.clone(),
                });
                taken_offers.push(offer);
            }
            frames.push((counts, strata_out));
        }
        Draw { frames, cases }
    }
}

impl<T> FrameState<T> {
    /// The position of `stratum` in `strata`, added if new.
    fn stratum(&mut self, stratum: &str) -> usize {
        // An unstratified frame's one stratum, "", is found without a lookup: the
        // key's empty `String` has a dangling pointer, and glibc's AVX-512 `memcmp`
        // reads it with a masked load whose fault suppression costs ~100 ns.
        if stratum.is_empty()
            && let Some(at) = self.empty
        {
            return at;
        }
        if let Some(&at) = self.index.get(stratum) {
            return at;
        }
        let at = self.strata.len();
        self.strata.push((stratum.to_string(), 0, BinaryHeap::new()));
        if stratum.is_empty() {
            self.empty = Some(at);
        } else {
            self.index.insert(stratum.to_string(), at);
        }
        at
    }
}

/// Adds `item` to a max-heap of the `keep` smallest, dropping the largest when full.
fn push_bounded<T>(heap: &mut BinaryHeap<Ranked<T>>, item: Ranked<T>, keep: usize) {
    if heap.len() < keep {
        heap.push(item);
    } else if heap.peek().is_some_and(|top| item < *top) {
        heap.pop();
        heap.push(item);
    }
}

/// Each stratum's quota: `per_stratum` each, or the frame size shared in proportion
/// to eligible counts by the largest-remainder method (ties: value ascending).
/// Unstratified frames have one stratum, which gets the whole size.
pub(crate) fn quotas(plan: &FramePlan, eligible: &[(String, u64)]) -> Vec<u64> {
    if let Some(k) = plan.per_stratum {
        return eligible.iter().map(|_| u64::from(k)).collect();
    }
    let size = u64::from(plan.size);
    let total: u64 = eligible.iter().map(|e| e.1).sum();
    if total <= size {
        return eligible.iter().map(|e| e.1).collect();
    }
    // Exact integer arithmetic: quota = size·n/N, remainder compared as size·n mod N.
    let mut quotas: Vec<u64> = eligible.iter().map(|e| u128_div(size, e.1, total)).collect();
    let given: u64 = quotas.iter().sum();
    let mut order: Vec<usize> = (0..eligible.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = (u128::from(size) * u128::from(eligible[a].1)) % u128::from(total);
        let rb = (u128::from(size) * u128::from(eligible[b].1)) % u128::from(total);
        rb.cmp(&ra).then_with(|| eligible[a].0.cmp(&eligible[b].0))
    });
    for &i in order.iter().take((size - given) as usize) {
        quotas[i] += 1;
    }
    quotas
}

fn u128_div(size: u64, n: u64, total: u64) -> u64 {
    u64::try_from(u128::from(size) * u128::from(n) / u128::from(total)).expect("a quota is at most the size")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plan(size: u32, stratified: bool) -> FramePlan {
        FramePlan {
            name: "f".into(),
            size,
            stratified,
            per_stratum: None,
        }
    }

    #[test]
    fn largest_remainder_with_ties_by_value() {
        let e = |v: &[(&str, u64)]| v.iter().map(|(a, b)| ((*a).to_string(), *b)).collect::<Vec<_>>();
        assert_eq!(
            quotas(&plan(10, true), &e(&[("A", 50), ("B", 30), ("C", 20)])),
            [5, 3, 2]
        );
        assert_eq!(
            quotas(&plan(10, true), &e(&[("A", 10), ("B", 10), ("C", 10)])),
            [4, 3, 3]
        );
        assert_eq!(
            quotas(&plan(2, true), &e(&[("B", 1), ("A", 1), ("C", 1)])),
            [1, 1, 0],
            "equal remainders go to A and B first: by value, not by order"
        );
    }

    fn offers(n: usize, frames: usize, seed: u64) -> Vec<Offer<()>> {
        (0..n)
            .map(|i| {
                let id = format!("C{i}");
                Offer {
                    key: crate::keys::key(seed, &id),
                    frames: (0..frames)
                        .map(|f| {
                            if (i + f) % 3 != 0 {
                                Some(format!("S{}", i % 4))
                            } else {
                                None
                            }
                        })
                        .collect(),
                    case_id: id,
                    payload: (),
                }
            })
            .collect()
    }

    proptest! {
        #[test]
        fn a_draw_is_a_duplicate_free_subset_of_the_right_size(
            n in 0usize..200, sizes in prop::collection::vec(0u32..30, 1..4), stratified in any::<bool>(), seed in any::<u64>()
        ) {
            let plans: Vec<FramePlan> = sizes.iter().enumerate()
                .map(|(i, &s)| FramePlan { name: format!("f{i}"), size: s, stratified: stratified && i == 0, per_stratum: None })
                .collect();
            let all = offers(n, plans.len(), seed);
            let mut sampler = Sampler::new(plans.clone());
            for o in all.iter().cloned() {
                let mut o = o;
                for (fi, s) in o.frames.iter_mut().enumerate() {
                    if !plans[fi].stratified && let Some(v) = s { *v = String::new(); }
                }
                sampler.offer(o);
            }
            let draw = sampler.draw();
            let mut seen = HashSet::new();
            for c in &draw.cases {
                prop_assert!(seen.insert(c.case_id.clone()), "no case twice");
                let o = all.iter().find(|o| o.case_id == c.case_id).unwrap();
                prop_assert!(o.frames[c.frame].is_some(), "drawn cases are eligible");
            }
            // Each frame: min(size, eligible after earlier frames), strata sum to the size.
            let mut taken: HashSet<String> = HashSet::new();
            for (fi, (counts, strata)) in draw.frames.iter().enumerate() {
                let eligible = all.iter().filter(|o| o.frames[fi].is_some() && !taken.contains(&o.case_id)).count() as u64;
                prop_assert_eq!(counts.eligible, eligible);
                prop_assert_eq!(counts.drawn, eligible.min(u64::from(sizes[fi])));
                prop_assert_eq!(strata.iter().map(|s| s.drawn).sum::<u64>(), counts.drawn);
                // Unstratified: exactly the smallest keys among the available.
                if !plans[fi].stratified {
                    let mut avail: Vec<&Offer<()>> = all.iter().filter(|o| o.frames[fi].is_some() && !taken.contains(&o.case_id)).collect();
                    avail.sort_by(|a, b| (a.key, &a.case_id).cmp(&(b.key, &b.case_id)));
                    let want: Vec<&str> = avail.iter().take(counts.drawn as usize).map(|o| o.case_id.as_str()).collect();
                    let got: Vec<&str> = draw.cases.iter().filter(|c| c.frame == fi).map(|c| c.case_id.as_str()).collect();
                    prop_assert_eq!(want, got);
                }
                for c in draw.cases.iter().filter(|c| c.frame == fi) { taken.insert(c.case_id.clone()); }
            }
        }

        #[test]
        fn offering_parts_to_separate_samplers_and_merging_draws_the_same(
            n in 0usize..200, sizes in prop::collection::vec(0u32..30, 1..4), cuts in prop::collection::vec(0usize..200, 0..4), seed in any::<u64>()
        ) {
            let plans: Vec<FramePlan> = sizes.iter().enumerate()
                .map(|(i, &s)| FramePlan { name: format!("f{i}"), size: s, stratified: i == 0, per_stratum: (i == 1).then_some(2) })
                .collect();
            let all = offers(n, plans.len(), seed);
            let mut whole = Sampler::new(plans.clone());
            for o in all.iter().cloned() {
                whole.offer(o);
            }
            // The same offers cut into parts, each to its own sampler, merged in order.
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(n)).collect();
            cuts.push(0);
            cuts.push(n);
            cuts.sort_unstable();
            let mut merged = Sampler::new(plans.clone());
            for part in cuts.windows(2) {
                let mut sampler = Sampler::new(plans.clone());
                for o in all[part[0]..part[1]].iter().cloned() {
                    sampler.offer(o);
                }
                merged.merge(sampler);
            }
            let (a, b) = (whole.draw(), merged.draw());
            prop_assert_eq!(&a.frames, &b.frames);
            let ids = |d: &Draw<()>| d.cases.iter().map(|c| (c.frame, c.stratum.clone(), c.rank, c.case_id.clone())).collect::<Vec<_>>();
            prop_assert_eq!(ids(&a), ids(&b));
        }

        #[test]
        fn quotas_sum_to_the_size(counts in prop::collection::vec(0u64..1000, 1..12), size in 0u32..500) {
            let eligible: Vec<(String, u64)> = counts.iter().enumerate().map(|(i, &n)| (format!("S{i:02}"), n)).collect();
            let q = quotas(&plan(size, true), &eligible);
            let total: u64 = counts.iter().sum();
            prop_assert_eq!(q.iter().sum::<u64>(), total.min(u64::from(size)));
            for (qi, (_, n)) in q.iter().zip(&eligible) {
                prop_assert!(qi <= n);
                // Within one of the exact proportional share.
                if total > u64::from(size) {
                    let exact = f64::from(size) * (*n as f64) / total as f64;
                    prop_assert!((*qi as f64 - exact).abs() < 1.0);
                }
            }
        }
    }
}
