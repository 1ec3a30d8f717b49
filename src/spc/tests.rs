//! XmR figures and signals against values computed outside this crate: the
//! reference implementation's own test expectations, and a line-by-line Python
//! port of its R code (below) run on series built to trigger each rule.

use super::*;
use proptest::prelude::*;

fn chart(values: &[f64], better: Direction) -> Chart {
    xmr(values, better).expect("a non-empty series")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

/// One letter per point for its first rule: O outside, T trend, 2 two of three,
/// R run, . none.
fn rule_codes(c: &Chart) -> String {
    c.points
        .iter()
        .map(|p| match p.rules.first() {
            Some(Rule::OutsideLimits) => 'O',
            Some(Rule::Trend) => 'T',
            Some(Rule::TwoOfThree) => '2',
            Some(Rule::Run) => 'R',
            None => '.',
        })
        .collect()
}

/// One letter per point for its label: I improvement, C concern, . common cause.
fn label_codes(c: &Chart) -> String {
    c.points
        .iter()
        .map(|p| match p.label {
            Label::Improvement => 'I',
            Label::Concern => 'C',
            Label::Common => '.',
        })
        .collect()
}

/// NHSRplotthedots' tests/testthat/test-ptd_spc_standard.R: `set.seed(123);
/// rnorm(20)`, whose expected mean and limits are in its
/// _snaps/ptd_spc_standard.md (r1), and the same with point 15 set to 10, where
/// screening the two large moving ranges out changes the limits (r2). Its
/// _snaps/ptd_spc.md counts 20 common-cause points for r1.
#[test]
fn matches_the_reference_snapshots() {
    let mut y = [
        -0.560_475_65,
        -0.230_177_49,
        1.558_708_31,
        0.070_508_39,
        0.129_287_74,
        1.715_064_99,
        0.460_916_21,
        -1.265_061_23,
        -0.686_852_85,
        -0.445_661_97,
        1.224_081_80,
        0.359_813_83,
        0.400_771_45,
        0.110_682_72,
        -0.555_841_13,
        1.786_913_14,
        0.497_850_48,
        -1.966_617_16,
        0.701_355_90,
        -0.472_791_68,
    ];
    let r1 = chart(&y, Direction::Up);
    // The snapshot prints 7 significant digits, and these inputs are R's
    // values rounded to 8 decimals.
    assert!((r1.mean - 0.141_623_8).abs() < 1e-6, "{r1:?}");
    assert!((r1.lower - -3.011_38).abs() < 1e-6, "{r1:?}");
    assert!((r1.upper - 3.294_627).abs() < 1e-6, "{r1:?}");
    assert!(r1.points.iter().all(|p| p.label == Label::Common));
    assert!(!r1.provisional);

    y[14] = 10.0;
    let r2 = chart(&y, Direction::Up);
    assert!((r2.mean - 0.669_415_9).abs() < 1e-6, "{r2:?}");
    assert!((r2.lower - -2.383_666).abs() < 1e-6, "{r2:?}");
    assert!((r2.upper - 3.722_497).abs() < 1e-6, "{r2:?}");
    // Unscreened, the reference's r3 limits would be -4.596625 and 5.935457:
    // the mean moving range must be the screened one.
    let all_ranges: f64 = y.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / 19.0;
    assert!(r2.mean_mr < all_ranges);
}

// The expectations below come from this Python port of NHSRplotthedots'
// ptd_spc_standard() and ptd_calculate_point_type() (its padded vector
// formulation, not this module's windows), run with python3:
//
// # Straight port of NHSRplotthedots' ptd_spc_standard + ptd_calculate_point_type.
// import math,sys
// def sgn(x): return (x>0)-(x<0)
// def ptd(y, imp=1):
//   n=len(y); m=sum(y)/n
//   mr=[None]+[abs(y[i]-y[i-1]) for i in range(1,n)]
//   v=[x for x in mr if x is not None]; amr=sum(v)/len(v)
//   mr=[x if (x is not None and x<3.267*amr) else None for x in mr]
//   v=[x for x in mr if x is not None]; amr=sum(v)/len(v)
//   lpl,upl=m-2.66*amr,m+2.66*amr; nl,nu=m-2*(2.66/3)*amr,m+2*(2.66/3)*amr
//   out=[yy>upl or yy<lpl for yy in y]; rtm=[sgn(yy-m) for yy in y]
//   close=[(not o) and (yy<nl or yy>nu) for yy,o in zip(y,out)]
//   # seven point one side
//   vp=[0]*6+rtm
//   sos=[1 if all(vp[i]==vp[i-k] for k in range(1,7)) and vp[i]!=0 else 0 for i in range(6,6+n)]
//   def part7(v):
//     vp=v+[0]*6; return [1 if any(abs(vp[i+k])==1 for k in range(7)) else 0 for i in range(len(v))]
//   if n<7: tr=[0]*n
//   else:
//     tr=[0]*6
//     for i in range(6,n):
//       d=[sgn(y[i-k]-y[i-k-1]) for k in range(6)]
//       tr.append(1 if all(x==1 for x in d) else (-1 if all(x==-1 for x in d) else 0))
//   cv=[1 if c else 0 for c in close]; vp2=[0,0]+cv+[0,0]; rp=[0,0]+rtm+[0,0]
//   t23=[1 if any(sum(vp2[i+a:i+a+3])>=2 and abs(sum(rp[i+a:i+a+3]))==3 for a in range(3)) else 0 for i in range(n)]
//   p23=[1 if t==1 and c==1 else 0 for t,c in zip(t23,cv)]
//   pt=part7(tr); ps=part7(sos)
//   sdy=[sgn(y[i+1]-y[i]) for i in range(n-1)]
//   right=sdy+[sdy[-1]] if sdy else [0]; left=[0]+sdy
//   sdy=[right[i] if ((pt[i+1] if i+1<n else 0) and pt[i]) else left[i] for i in range(n)]
//   ab=['Above' if r>0 else 'Below' for r in rtm]
//   typ=[]
//   for i in range(n):
//     if out[i]: typ.append('Above UCL' if rtm[i]==1 else 'Below LCL')
//     elif pt[i]: typ.append('7 Point Trend (%screasing)'%('In' if sdy[i]==1 else 'De'))
//     elif p23[i]: typ.append('2 in 3 %s CL'%ab[i])
//     elif ps[i]: typ.append('7 Points %s CL'%ab[i])
//     else: typ.append('Common Cause')
//   def pt_(t):
//     v=1 if ('Above' in t or 'Increasing' in t) else (-1 if ('Below' in t or 'Decreasing' in t) else 0)
//     v*=imp; return 'I' if v>0 else ('C' if v<0 else '.')
//   return m,lpl,upl,typ,''.join(pt_(t) for t in typ)
//
// `ptd(y, imp)` returned the mean, limits and point types printed below; the
// rule letters are the point types' first word (Above UCL → O, 7 Point Trend →
// T, 2 in 3 → 2, 7 Points Above/Below → R) and the labels their orientation.
/// Name, series, better direction, mean, lower, upper, rule letters, label letters.
type Case = (
    &'static str,
    &'static [f64],
    Direction,
    f64,
    f64,
    f64,
    &'static str,
    &'static str,
);

#[test]
fn each_rule_matches_the_python_port_of_the_reference() {
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("none", &[70.0, 74.0, 68.0, 72.0, 75.0, 69.0, 71.0, 73.0, 70.0, 72.0, 68.0, 74.0], Direction::Up, 71.33333333333333, 61.17696969696969, 81.48969696969696, "............", "............"),
        ("outside", &[70.0, 72.0, 69.0, 71.0, 70.0, 72.0, 71.0, 69.0, 71.0, 70.0, 72.0, 90.0], Direction::Up, 72.25, 67.462, 77.038, "RRRRRRRRRRRO", "CCCCCCCCCCCI"),
        ("run", &[70.0, 74.0, 68.0, 72.0, 75.0, 69.0, 71.0, 73.0, 70.0, 72.0, 68.0, 74.0, 75.0, 76.0, 74.0, 75.0, 73.0, 76.0, 75.0], Direction::Up, 72.63157894736842, 64.7993567251462, 80.46380116959065, "...........RRRRRRRR", "...........IIIIIIII"),
        ("trend", &[70.0, 74.0, 68.0, 72.0, 75.0, 69.0, 71.0, 60.0, 62.0, 64.0, 66.0, 68.0, 70.0, 72.0], Direction::Up, 68.64285714285714, 58.82131868131867, 78.4643956043956, ".......TTTTTTT", ".......IIIIIII"),
        ("trend_down", &[10.0, 12.0, 9.0, 11.0, 10.0, 12.0, 11.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0], Direction::Down, 8.857142857142858, 5.1740659340659345, 12.54021978021978, "RRRRRTTTTTTTOO", "CCCCCIIIIIIIII"),
        ("two_of_three", &[50.0, 51.0, 50.0, 51.0, 50.0, 51.0, 50.0, 51.0, 50.0, 51.0, 50.0, 51.0, 50.0, 51.0, 50.0, 51.0, 53.2, 53.2], Direction::Up, 50.800000000000004, 48.10870588235294, 53.491294117647065, "................22", "................II"),
        ("on_mean", &[3.0, 4.0, 3.0, 2.0, 4.0, 3.0, 4.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0], Direction::Up, 2.0, -1.5466666666666669, 5.546666666666667, ".............", "............."),
        ("off_mean", &[3.0, 4.0, 3.0, 3.0, 4.0, 3.0, 4.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0], Direction::Up, 2.076923076923077, -0.34125874125874134, 4.4951048951048955, "RRRR2R22.2.2.", "IIIIIIIC.C.C."),
        ("opposite_sides", &[1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 5.5, -5.5], Direction::Up, 0.0, -6.175000000000001, 6.175000000000001, "................", "................"),
        ("short", &[60.0, 62.0, 61.0, 63.0, 64.0, 66.0, 68.0], Direction::Up, 63.42857142857143, 58.99523809523809, 67.86190476190477, "......O", "......I"),
    ];
    for &(name, y, better, mean, lower, upper, rules, labels) in cases {
        let c = chart(y, better);
        assert!(close(c.mean, mean), "{name}: mean {c:?}");
        assert!(close(c.lower, lower), "{name}: lower {c:?}");
        assert!(close(c.upper, upper), "{name}: upper {c:?}");
        assert_eq!(rule_codes(&c), rules, "{name}");
        assert_eq!(label_codes(&c), labels, "{name}");
        assert_eq!(c.provisional, y.len() < 12, "{name}");
    }
}

#[test]
fn a_point_on_the_mean_breaks_a_run() {
    // on_mean above: six points above, one exactly on the mean (2), and the run
    // of 7 that off_mean shows is gone.
    let c = chart(
        &[3.0, 4.0, 3.0, 2.0, 4.0, 3.0, 4.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
        Direction::Up,
    );
    assert_eq!(c.mean, 2.0);
    assert!(c.points.iter().all(|p| !p.rules.contains(&Rule::Run)));
}

#[test]
fn a_trend_needs_seven_points_not_six_rises() {
    // The reference's own cases (test-ptd_calculate_point_type.R): 1:6 is no
    // trend, 1:7 is, and a repeated value (1:3, 3:6) breaks it.
    let trend = |y: &[f64]| {
        chart(y, Direction::Up)
            .points
            .iter()
            .any(|p| p.rules.contains(&Rule::Trend))
    };
    assert!(!trend(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
    assert!(trend(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]));
    assert!(!trend(&[1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0]));
    let d = chart(&[2.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 3.0], Direction::Up);
    assert_eq!(rule_codes(&d).replace(['O', '2', 'R'], "."), ".TTTTTTT.");
}

#[test]
fn edge_series() {
    assert!(xmr(&[], Direction::Up).is_none());
    let one = chart(&[55.0], Direction::Up);
    assert_eq!((one.mean, one.lower, one.upper), (55.0, 55.0, 55.0));
    assert_eq!(one.latest(), Label::Common);
    assert!(one.provisional);
    let flat = chart(&[40.0; 14], Direction::Down);
    assert_eq!((flat.mean_mr, flat.lower, flat.upper), (0.0, 40.0, 40.0));
    assert!(flat.points.iter().all(|p| p.rules.is_empty()));
}

#[test]
fn the_latest_point_labels_the_series_for_the_better_direction() {
    let y = [
        70.0, 72.0, 69.0, 71.0, 70.0, 72.0, 71.0, 69.0, 71.0, 70.0, 72.0, 90.0,
    ];
    assert_eq!(chart(&y, Direction::Up).latest(), Label::Improvement);
    assert_eq!(chart(&y, Direction::Down).latest(), Label::Concern);
    assert_eq!(Label::Common.as_str(), "common cause variation");
}

fn signals(c: &Chart) -> Vec<(Vec<Rule>, Option<Direction>)> {
    c.points.iter().map(|p| (p.rules.clone(), p.direction)).collect()
}

proptest! {
    // Whole percentages shifted by whole points keep every sum exact, so no
    // comparison can flip on rounding.
    #[test]
    fn shifting_moves_the_lines_and_keeps_the_signals(
        y in prop::collection::vec(0u8..=100, 1..40),
        shift in -100i32..=100,
    ) {
        let a: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        let b: Vec<f64> = a.iter().map(|v| v + f64::from(shift)).collect();
        let (ca, cb) = (chart(&a, Direction::Up), chart(&b, Direction::Up));
        prop_assert!(close(cb.mean, ca.mean + f64::from(shift)));
        prop_assert!(close(cb.mean_mr, ca.mean_mr));
        prop_assert!(close(cb.lower, ca.lower + f64::from(shift)));
        prop_assert!(close(cb.upper, ca.upper + f64::from(shift)));
        prop_assert_eq!(signals(&ca), signals(&cb));
    }

    // Scaling by a power of two is exact in floating point.
    #[test]
    fn scaling_keeps_the_signals(
        y in prop::collection::vec(-1000.0f64..1000.0, 1..40),
        power in -4i32..=4,
    ) {
        let k = 2f64.powi(power);
        let b: Vec<f64> = y.iter().map(|v| v * k).collect();
        let (ca, cb) = (chart(&y, Direction::Up), chart(&b, Direction::Up));
        prop_assert!(close(cb.upper, ca.upper * k));
        prop_assert_eq!(signals(&ca), signals(&cb));
    }

    // Turning the series upside down swaps every signal's direction, and with
    // it improvement and concern.
    #[test]
    fn negating_mirrors_the_signals(y in prop::collection::vec(0u8..=100, 1..40)) {
        let a: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        let b: Vec<f64> = a.iter().map(|v| -v).collect();
        let (ca, cb) = (chart(&a, Direction::Up), chart(&b, Direction::Down));
        prop_assert_eq!(label_codes(&ca), label_codes(&cb));
        prop_assert!(close(cb.lower, -ca.upper));
    }

    #[test]
    fn limits_are_symmetric_about_the_mean(y in prop::collection::vec(0.0f64..100.0, 1..40)) {
        let c = chart(&y, Direction::Up);
        prop_assert!(c.lower <= c.mean && c.mean <= c.upper);
        prop_assert!(close(c.upper - c.mean, c.mean - c.lower));
        prop_assert_eq!(c.points.len(), y.len());
    }
}
