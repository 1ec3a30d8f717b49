//! Reallocation within a month: an allocation kept but for the cases that must move (their
//! auditor became unavailable), as an instance of the moving cases alone.

use super::Instance;

/// The instance of the cases that move when every other case stays with its auditor:
/// `holder[c]` is the auditor who keeps case `c` of `p`, or `None` when it moves. Each
/// auditor's kept cases become their base load and come off their capacity, so that the
/// solver evens out the month's total loads. Also returns each moving case's index in `p`.
pub(crate) fn moving(p: &Instance, holder: &[Option<usize>]) -> (Instance, Vec<usize>) {
    assert_eq!(holder.len(), p.cases.len(), "one holder per case");
    let mut auditors = p.auditors.clone();
    for &a in holder.iter().flatten() {
        auditors[a].base += 1;
        auditors[a].capacity = auditors[a].capacity.saturating_sub(1);
    }
    let moves: Vec<usize> = (0..p.cases.len()).filter(|&c| holder[c].is_none()).collect();
    let instance = Instance {
        cases: moves.iter().map(|&c| p.cases[c].clone()).collect(),
        auditors,
        seed: p.seed,
    };
    (instance, moves)
}
