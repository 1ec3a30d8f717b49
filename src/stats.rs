//! Statistics behind the summaries and `plan`: normal quantiles, Wilson score
//! intervals, sample sizes for a proportion, and rater agreement (Cohen's kappa).
//! Every figure is checked in the tests against published reference values, so a
//! QA officer can quote them to the Improvement Board without re-deriving them.

/// Two-sided standard normal quantile for a confidence level:
/// z = Φ⁻¹(1 − (1 − c)/2), e.g. 1.959963984540054 for 0.95.
///
/// Levels at or below 0 give 0 and levels at or above 1 give infinity, so a
/// caller's range check, not this function, decides what to tell the user.
pub(crate) fn z_for_confidence(confidence: f64) -> f64 {
    if confidence.is_nan() {
        return f64::NAN;
    }
    if confidence <= 0.0 {
        return 0.0;
    }
    if confidence >= 1.0 {
        return f64::INFINITY;
    }
    // The lower tail avoids the cancellation in 1 − (1 − c)/2, which would cost
    // several digits before the quantile is even taken.
    -inverse_normal((1.0 - confidence) / 2.0)
}

/// Φ⁻¹(p) by Wichura's algorithm AS 241 (PPND16), accurate to about 1e-16.
fn inverse_normal(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly(&AS241_A, r) / poly(&AS241_B, r);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = (-tail.ln()).sqrt();
    let x = if r <= 5.0 {
        let r = r - 1.6;
        poly(&AS241_C, r) / poly(&AS241_D, r)
    } else {
        let r = r - 5.0;
        poly(&AS241_E, r) / poly(&AS241_F, r)
    };
    if q < 0.0 { -x } else { x }
}

/// Horner evaluation, coefficients from the constant term up.
fn poly(coefficients: &[f64; 8], x: f64) -> f64 {
    coefficients.iter().rev().fold(0.0, |acc, &c| acc * x + c)
}

// Coefficients exactly as published in Wichura (1988), Applied Statistics 37(3).
#[allow(clippy::excessive_precision)]
const AS241_A: [f64; 8] = [
    3.387_132_872_796_366_608_0,
    1.331_416_678_917_843_774_5e2,
    1.971_590_950_306_551_442_7e3,
    1.373_169_376_550_946_112_5e4,
    4.592_195_393_154_987_145_7e4,
    6.726_577_092_700_870_085_3e4,
    3.343_057_558_358_812_810_5e4,
    2.509_080_928_730_122_672_7e3,
];
#[allow(clippy::excessive_precision)]
const AS241_B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091_125_2e1,
    6.871_870_074_920_579_083_0e2,
    5.394_196_021_424_751_107_7e3,
    2.121_379_430_158_659_586_7e4,
    3.930_789_580_009_271_061_0e4,
    2.872_908_573_572_194_267_4e4,
    5.226_495_278_852_854_561_0e3,
];
#[allow(clippy::excessive_precision)]
const AS241_C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_90,
    5.769_497_221_460_691_405_50,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_70e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_40e-4,
];
#[allow(clippy::excessive_precision)]
const AS241_D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_40,
    6.897_673_349_851_000_045_50e-1,
    1.481_039_764_274_800_745_90e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946_00e-4,
    1.050_750_071_644_416_843_24e-9,
];
#[allow(clippy::excessive_precision)]
const AS241_E: [f64; 8] = [
    6.657_904_643_501_103_777_20,
    5.463_784_911_164_114_369_90,
    1.784_826_539_917_291_335_80,
    2.965_605_718_285_048_912_30e-1,
    2.653_218_952_657_612_309_30e-2,
    1.242_660_947_388_078_438_60e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
#[allow(clippy::excessive_precision)]
const AS241_F: [f64; 8] = [
    1.0,
    5.998_322_065_558_879_376_90e-1,
    1.369_298_809_227_358_053_10e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591_00e-4,
    1.846_318_317_510_054_681_80e-5,
    1.421_511_758_316_445_888_70e-7,
    2.044_263_103_389_939_785_64e-15,
];

/// Wilson score interval for `successes` out of `n`, clipped to [0, 1].
/// `None` when there is nothing to estimate from (n = 0) or the counts are
/// impossible (more successes than trials).
pub(crate) fn wilson(successes: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || successes > n {
        return None;
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At 0 or n successes the bound is mathematically exactly 0 or 1; rounding
    // lands a hair either side (2.8e-15, or "-0.0%" in a report), so say it exactly.
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).clamp(0.0, 1.0)
    };
    let high = if successes as f64 == n {
        1.0
    } else {
        (centre + half).clamp(0.0, 1.0)
    };
    Some((low, high))
}

/// The difference of two proportions, `x1`/`n1` − `x2`/`n2`, with its interval
/// by Newcombe's hybrid score method (Newcombe 1998, method 10): the two Wilson
/// intervals (l1, u1) and (l2, u2) at `z` give
/// L = d − √((p1 − l1)² + (u2 − p2)²) and U = d + √((u1 − p1)² + (p2 − l2)²).
/// `None` when either group is empty or its counts are impossible.
pub(crate) fn newcombe_difference(x1: u64, n1: u64, x2: u64, n2: u64, z: f64) -> Option<(f64, f64, f64)> {
    let (l1, u1) = wilson(x1, n1, z)?;
    let (l2, u2) = wilson(x2, n2, z)?;
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let d = p1 - p2;
    let low = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let high = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    Some((d, low.max(-1.0), high.min(1.0)))
}

/// How many cases to audit to estimate a proportion within ±`margin` at the
/// given confidence, in a population of `population` cases:
/// n0 = z²·p(1−p)/E², n = n0 / (1 + (n0 − 1)/N), rounded up.
///
/// A margin of 0 or less means "no sampling error", i.e. audit every case.
pub(crate) fn plan_sample_size(population: u64, margin: f64, confidence: f64, expected: f64) -> u64 {
    sample_size_for_z(population, margin, z_for_confidence(confidence), expected)
}

fn sample_size_for_z(population: u64, margin: f64, z: f64, expected: f64) -> u64 {
    if population == 0 {
        return 0;
    }
    if margin.is_nan() || margin <= 0.0 || !z.is_finite() {
        return population;
    }
    let p = expected.clamp(0.0, 1.0);
    let n0 = z * z * p * (1.0 - p) / (margin * margin);
    let big_n = population as f64;
    let n = n0 / (1.0 + (n0 - 1.0) / big_n);
    // An answer that is an integer on paper can come out as 50.000000000001 in
    // floating point; rounding that up would ask for one audit too many.
    let nearest = n.round();
    let rounded_up = if (n - nearest).abs() <= 1e-9 * nearest.max(1.0) {
        nearest
    } else {
        n.ceil()
    };
    // At least one case: a sure-thing expectation (p = 0 or 1) still needs a look.
    (rounded_up.max(1.0) as u64).min(population)
}

/// The margin of error (half-width, as a proportion) that auditing `n` of
/// `population` cases gives, with the finite population correction:
/// E = z·√(p(1−p)/n · (N − n)/(N − 1)). The inverse of [`plan_sample_size`].
///
/// Infinite for n = 0 (nothing audited says nothing); 0 when every case is audited.
pub(crate) fn margin_for(n: u64, population: u64, confidence: f64, expected: f64) -> f64 {
    if n == 0 {
        return f64::INFINITY;
    }
    if n >= population {
        return 0.0;
    }
    let p = expected.clamp(0.0, 1.0);
    let variance = p * (1.0 - p);
    // A sure-thing expectation has no spread, even at a confidence whose z is infinite.
    if variance == 0.0 {
        return 0.0;
    }
    let (n, big_n) = (n as f64, population as f64);
    z_for_confidence(confidence) * (variance / n * (big_n - n) / (big_n - 1.0)).sqrt()
}

/// How far two raters (auditor and moderator) agree on an ordinal scale.
/// Proportions are 0–1; every figure is `None` when it cannot be computed,
/// never NaN, so tables print a blank rather than "NaN".
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Agreement {
    pub(crate) pairs: u64,
    pub(crate) exact: Option<f64>,
    pub(crate) within_one: Option<f64>,
    pub(crate) kappa: Option<f64>,
    pub(crate) kappa_linear: Option<f64>,
    pub(crate) kappa_quadratic: Option<f64>,
}

/// Agreement over pairs of grade indices (0 = best) on a scale of `levels` levels.
///
/// The weighted kappas build their weights from every level of the scale, not
/// only the levels seen: R's `irr` uses observed levels only, which silently
/// changes the weights (and the answer) in a month when nobody graded, say,
/// Outstanding. A grade index at or beyond `levels` is a caller's bug; rather
/// than drop the pair, the scale is widened to hold it (debug builds panic).
pub(crate) fn agreement(pairs: &[(usize, usize)], levels: usize) -> Agreement {
    let k = pairs
        .iter()
        .map(|&(a, b)| a.max(b) + 1)
        .max()
        .unwrap_or(0)
        .max(levels);
    debug_assert!(k == levels || pairs.is_empty(), "grade index outside the scale");
    let count = pairs.len() as u64;
    let proportion = |hits: usize| (count > 0).then(|| hits as f64 / count as f64);
    Agreement {
        pairs: count,
        exact: proportion(pairs.iter().filter(|(a, b)| a == b).count()),
        within_one: proportion(pairs.iter().filter(|(a, b)| a.abs_diff(*b) <= 1).count()),
        kappa: weighted_kappa(pairs, k, Weights::Unweighted),
        kappa_linear: weighted_kappa(pairs, k, Weights::Linear),
        kappa_quadratic: weighted_kappa(pairs, k, Weights::Quadratic),
    }
}

#[derive(Clone, Copy)]
enum Weights {
    Unweighted,
    Linear,
    Quadratic,
}

impl Weights {
    /// Agreement weight of grades `i` and `j` on a `k`-level scale (1 = same grade).
    fn of(self, i: usize, j: usize, k: usize) -> f64 {
        if i == j {
            return 1.0;
        }
        let span = (k - 1) as f64;
        let d = i.abs_diff(j) as f64;
        match self {
            Weights::Unweighted => 0.0,
            Weights::Linear => 1.0 - d / span,
            Weights::Quadratic => 1.0 - (d * d) / (span * span),
        }
    }
}

/// Cohen's kappa, (p_o − p_e) / (1 − p_e), with agreement weights over all `k` levels.
fn weighted_kappa(pairs: &[(usize, usize)], k: usize, weights: Weights) -> Option<f64> {
    if pairs.is_empty() || k < 2 {
        return None;
    }
    let n = pairs.len() as f64;
    let mut first = vec![0.0_f64; k];
    let mut second = vec![0.0_f64; k];
    let mut observed = 0.0;
    for &(a, b) in pairs {
        first[a] += 1.0;
        second[b] += 1.0;
        observed += weights.of(a, b, k);
    }
    let observed = observed / n;
    let mut expected = 0.0;
    for (i, &fi) in first.iter().enumerate() {
        for (j, &sj) in second.iter().enumerate() {
            expected += weights.of(i, j, k) * fi * sj;
        }
    }
    let expected = expected / (n * n);
    // Expected agreement of 1 (both raters used a single grade) leaves kappa 0/0:
    // it is undefined, and reporting 0 or 1 instead would be made up.
    let room = 1.0 - expected;
    if room <= 1e-12 {
        return None;
    }
    Some((observed - expected) / room)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const Z95: f64 = 1.959963984540054;

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} is not within {tolerance} of {expected}"
        );
    }

    #[test]
    fn z_values_match_published_quantiles() {
        close(z_for_confidence(0.95), Z95, 1e-12);
        close(z_for_confidence(0.90), 1.6448536269514722, 1e-12);
        close(z_for_confidence(0.99), 2.5758293035489004, 1e-12);
        assert_eq!(z_for_confidence(0.0), 0.0);
        assert_eq!(z_for_confidence(1.0), f64::INFINITY);
        assert!(z_for_confidence(f64::NAN).is_nan());
    }

    #[test]
    fn inverse_normal_covers_all_three_regions() {
        // Reference values from mpmath at 40 digits: √2·erfinv(2p − 1).
        close(inverse_normal(0.75), 0.6744897501960817, 1e-15);
        close(inverse_normal(0.3), -0.5244005127080408, 1e-15);
        close(inverse_normal(0.075), -1.439531470938456, 1e-14);
        close(inverse_normal(1e-10), -6.361340902404056, 1e-13);
        assert_eq!(inverse_normal(0.5), 0.0);
        assert_eq!(inverse_normal(0.0), f64::NEG_INFINITY);
        assert!(inverse_normal(1.5).is_nan());
    }

    #[test]
    fn newcombe_difference_matches_newcombe_1998_table_ii() {
        // Newcombe RG (1998), "Interval estimation for the difference between
        // independent proportions: comparison of eleven methods", Statistics in
        // Medicine 17:873-890, Table II, method 10 (score, no continuity
        // correction), published to 4 decimals.
        let published = [
            ((56, 70, 48, 80), (0.0524, 0.3339)),
            ((9, 10, 3, 10), (0.1705, 0.8090)),
            ((6, 7, 2, 7), (0.0582, 0.8062)),
            ((5, 56, 0, 29), (-0.0381, 0.1926)),
            ((0, 10, 0, 20), (-0.1611, 0.2775)),
            ((10, 10, 0, 20), (0.6791, 1.0000)),
            ((10, 10, 0, 10), (0.6075, 1.0000)),
        ];
        for ((x1, n1, x2, n2), (low, high)) in published {
            let (d, l, h) = newcombe_difference(x1, n1, x2, n2, Z95).unwrap();
            close(d, x1 as f64 / n1 as f64 - x2 as f64 / n2 as f64, 1e-12);
            close(l, low, 5e-5);
            close(h, high, 5e-5);
        }
    }

    #[test]
    fn newcombe_difference_matches_statsmodels() {
        // An independent implementation: statsmodels 0.14,
        // confint_proportions_2indep(x1, n1, x2, n2, method="newcomb",
        // compare="diff"), run once and pasted here.
        let reference = [
            ((56, 70, 48, 80), (0.05243147240236498, 0.33387265403690614)),
            ((9, 10, 3, 10), (0.1705227239345029, 0.809017973535488)),
            ((6, 7, 2, 7), (0.05822792748231209, 0.8062496375242278)),
            ((5, 56, 0, 29), (-0.038137147903536936, 0.19256001385511165)),
            ((0, 10, 0, 20), (-0.1611251580528194, 0.27753279986288926)),
            ((10, 10, 0, 20), (0.6790860371419145, 1.0)),
            ((53, 96, 40, 72), (-0.15114176870637275, 0.14580408764095454)),
        ];
        for ((x1, n1, x2, n2), (low, high)) in reference {
            let (_, l, h) = newcombe_difference(x1, n1, x2, n2, Z95).unwrap();
            close(l, low, 1e-9);
            close(h, high, 1e-9);
        }
    }

    #[test]
    fn newcombe_difference_needs_two_groups() {
        assert_eq!(newcombe_difference(0, 0, 3, 10, Z95), None);
        assert_eq!(newcombe_difference(3, 10, 0, 0, Z95), None);
        assert_eq!(newcombe_difference(11, 10, 3, 10, Z95), None);
    }

    proptest! {
        /// The interval holds the difference, stays within [-1, 1], and swapping
        /// the groups mirrors it.
        #[test]
        fn newcombe_difference_brackets_and_mirrors(n1 in 1u64..200, n2 in 1u64..200, a in 0u64..200, b in 0u64..200) {
            let (x1, x2) = (a % (n1 + 1), b % (n2 + 1));
            let (d, l, h) = newcombe_difference(x1, n1, x2, n2, Z95).unwrap();
            prop_assert!(-1.0 <= l && l <= d + 1e-12 && d <= h + 1e-12 && h <= 1.0);
            let (md, ml, mh) = newcombe_difference(x2, n2, x1, n1, Z95).unwrap();
            prop_assert!((md + d).abs() < 1e-12 && (ml + h).abs() < 1e-12 && (mh + l).abs() < 1e-12);
        }
    }

    #[test]
    fn wilson_matches_reference_intervals() {
        let cases = [
            (81, 263, 0.2552885199, 0.3662095770),
            (15, 148, 0.0623863995, 0.1604872417),
            (0, 20, 0.0, 0.1611251581),
            (10, 10, 0.7224672001, 1.0),
        ];
        for (k, n, low, high) in cases {
            let (l, h) = wilson(k, n, Z95).unwrap();
            close(l, low, 1e-9);
            close(h, high, 1e-9);
        }
        assert_eq!(wilson(0, 0, Z95), None);
        assert_eq!(wilson(3, 2, Z95), None);
    }

    #[test]
    fn sample_sizes_match_hand_calculation() {
        // z² = 3.841459; n0 = 3.841459 × 0.25 / 0.01 = 96.04;
        // n = 96.04 / (1 + 95.04/1000) = 87.70 → 88.
        assert_eq!(plan_sample_size(1000, 0.1, 0.95, 0.5), 88);
        // n0 = 3.841459 × 0.25 / 0.0025 = 384.15; n = 384.15 / 1.038315 = 369.97 → 370.
        assert_eq!(plan_sample_size(10_000, 0.05, 0.95, 0.5), 370);
        // n = 96.04 / (1 + 95.04/100) = 49.24 → 50.
        assert_eq!(plan_sample_size(100, 0.1, 0.95, 0.5), 50);
        // p = 0.2: n0 = 3.841459 × 0.16 / 0.01 = 61.46; n = 61.46 / 1.06046 = 57.96 → 58.
        assert_eq!(plan_sample_size(1000, 0.1, 0.95, 0.2), 58);
        // A population smaller than n0 is nearly a census: 96.04 / (1 + 95.04/10) = 9.14 → 10.
        assert_eq!(plan_sample_size(10, 0.1, 0.95, 0.5), 10);
        assert_eq!(plan_sample_size(0, 0.1, 0.95, 0.5), 0);
        assert_eq!(plan_sample_size(40, 0.0, 0.95, 0.5), 40);
    }

    #[test]
    fn an_exact_integer_is_not_rounded_up() {
        // z = 2, p = 0.5, E = 0.1: n0 = 100, and N = 99 gives 100 / (1 + 99/99) = 50 on paper.
        assert_eq!(sample_size_for_z(99, 0.1, 2.0, 0.5), 50);
        // E = 0.2: n0 = 25, and N = 24 gives 25 / 2 = 12.5 → 13 (a real fraction still rounds up).
        assert_eq!(sample_size_for_z(24, 0.2, 2.0, 0.5), 13);
        // E = 0.2, N = 576: 25 / (1 + 24/576) = 25 × 576/600 = 24 exactly.
        assert_eq!(sample_size_for_z(576, 0.2, 2.0, 0.5), 24);
    }

    #[test]
    fn margin_inverts_the_sample_size() {
        // 88 of 1000 gives a little under ±10%; 87 a little over.
        assert!(margin_for(88, 1000, 0.95, 0.5) <= 0.1);
        assert!(margin_for(87, 1000, 0.95, 0.5) > 0.1);
        // Without the correction 25 cases give 1.96 × 0.5 / 5 = 0.196; out of 300 it is less.
        close(
            margin_for(25, 300, 0.95, 0.5),
            0.196 * (275.0_f64 / 299.0).sqrt(),
            1e-4,
        );
        assert_eq!(margin_for(300, 300, 0.95, 0.5), 0.0);
        assert_eq!(margin_for(0, 300, 0.95, 0.5), f64::INFINITY);
    }

    /// R irr's `anxiety` data, raters 1 and 2, on its 1–6 scale shifted to 0–5.
    fn anxiety_pairs() -> Vec<(usize, usize)> {
        let rater1 = [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3];
        let rater2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4];
        rater1.iter().zip(rater2).map(|(&a, b)| (a - 1, b - 1)).collect()
    }

    #[test]
    fn kappa_matches_r_irr_on_anxiety() {
        let a = agreement(&anxiety_pairs(), 6);
        assert_eq!(a.pairs, 20);
        close(a.kappa.unwrap(), 0.1194968553, 1e-9);
        close(a.kappa_linear.unwrap(), 0.1891891892, 1e-9);
        close(a.kappa_quadratic.unwrap(), 0.2967651195, 1e-9);
        // 6 identical pairs of 20; 13 pairs within one grade.
        close(a.exact.unwrap(), 0.30, 1e-12);
        close(a.within_one.unwrap(), 0.65, 1e-12);
    }

    #[test]
    fn identical_ratings_give_kappa_one() {
        let pairs = [(0, 0), (1, 1), (2, 2), (3, 3), (1, 1)];
        let a = agreement(&pairs, 4);
        assert_eq!(a.kappa, Some(1.0));
        assert_eq!(a.kappa_linear, Some(1.0));
        assert_eq!(a.kappa_quadratic, Some(1.0));
        assert_eq!(a.exact, Some(1.0));
    }

    #[test]
    fn kappa_uses_every_level_of_the_scale() {
        // Four grades; nobody used index 2 ("Requires improvement").
        let pairs = [
            (0, 0),
            (0, 1),
            (1, 1),
            (1, 0),
            (1, 3),
            (3, 3),
            (3, 1),
            (1, 1),
            (3, 3),
            (0, 0),
            (1, 1),
            (0, 1),
            (1, 3),
            (3, 3),
        ];
        // Worked by hand in exact fractions: linear 20/41, quadratic 8/13.
        let all = agreement(&pairs, 4);
        close(all.kappa_linear.unwrap(), 20.0 / 41.0, 1e-12);
        close(all.kappa_quadratic.unwrap(), 8.0 / 13.0, 1e-12);
        close(all.kappa.unwrap(), 11.0 / 32.0, 1e-12);
        // Observed levels only (as R irr does) squeezes 0, 1, 3 into a 3-level
        // scale, giving 19/40 and 5/8: different answers, which is the bug avoided.
        let squeeze = |g: usize| if g == 3 { 2 } else { g };
        let observed_only: Vec<_> = pairs.iter().map(|&(a, b)| (squeeze(a), squeeze(b))).collect();
        let irr = agreement(&observed_only, 3);
        close(irr.kappa_linear.unwrap(), 19.0 / 40.0, 1e-12);
        close(irr.kappa_quadratic.unwrap(), 5.0 / 8.0, 1e-12);
        assert!((all.kappa_linear.unwrap() - irr.kappa_linear.unwrap()).abs() > 0.01);
        assert!((all.kappa_quadratic.unwrap() - irr.kappa_quadratic.unwrap()).abs() > 0.005);
        // Unweighted kappa does not depend on the weights, so it agrees.
        close(all.kappa.unwrap(), irr.kappa.unwrap(), 1e-12);
    }

    #[test]
    fn undefined_kappa_is_none_not_nan() {
        let empty = agreement(&[], 4);
        assert_eq!(empty.pairs, 0);
        assert_eq!(empty.exact, None);
        assert_eq!(empty.within_one, None);
        assert_eq!(empty.kappa, None);
        assert_eq!(empty.kappa_quadratic, None);
        // Both raters always said Good: perfect agreement, but kappa is 0/0.
        let one_level = agreement(&[(1, 1), (1, 1), (1, 1)], 4);
        assert_eq!(one_level.exact, Some(1.0));
        assert_eq!(one_level.kappa, None);
        assert_eq!(one_level.kappa_linear, None);
        assert_eq!(one_level.kappa_quadratic, None);
    }

    #[test]
    fn within_one_counts_adjacent_grades() {
        let a = agreement(&[(0, 1), (0, 2), (3, 3), (2, 1)], 4);
        close(a.exact.unwrap(), 0.25, 1e-12);
        close(a.within_one.unwrap(), 0.75, 1e-12);
    }

    fn pairs_strategy() -> impl Strategy<Value = (usize, Vec<(usize, usize)>)> {
        (2usize..7).prop_flat_map(|k| (Just(k), prop::collection::vec((0..k, 0..k), 0..60)))
    }

    proptest! {
        #[test]
        fn kappa_is_at_most_one_and_symmetric((k, pairs) in pairs_strategy()) {
            let a = agreement(&pairs, k);
            let swapped: Vec<_> = pairs.iter().map(|&(x, y)| (y, x)).collect();
            let b = agreement(&swapped, k);
            for (x, y) in [
                (a.kappa, b.kappa),
                (a.kappa_linear, b.kappa_linear),
                (a.kappa_quadratic, b.kappa_quadratic),
            ] {
                prop_assert_eq!(x.is_some(), y.is_some());
                if let (Some(x), Some(y)) = (x, y) {
                    prop_assert!(x.is_finite());
                    prop_assert!(x <= 1.0 + 1e-12);
                    prop_assert!((x - y).abs() <= 1e-12);
                }
            }
            prop_assert_eq!(a.exact, b.exact);
        }

        #[test]
        fn identical_ratings_are_one_when_defined(k in 2usize..7, grades in prop::collection::vec(0usize..7, 0..40)) {
            let pairs: Vec<_> = grades.iter().map(|&g| (g % k, g % k)).collect();
            let a = agreement(&pairs, k);
            for kappa in [a.kappa, a.kappa_linear, a.kappa_quadratic].into_iter().flatten() {
                prop_assert!((kappa - 1.0).abs() <= 1e-12);
            }
        }

        #[test]
        fn wilson_contains_the_estimate(n in 1u64..5000, share in 0.0f64..=1.0) {
            let k = ((n as f64) * share).floor() as u64;
            let (low, high) = wilson(k, n, Z95).unwrap();
            let p = k as f64 / n as f64;
            prop_assert!((0.0..=1.0).contains(&low) && (0.0..=1.0).contains(&high));
            prop_assert!(low <= p + 1e-12 && p <= high + 1e-12);
        }

        #[test]
        fn planned_size_achieves_the_margin(population in 1u64..100_000, margin in 0.02f64..0.3) {
            let n = plan_sample_size(population, margin, 0.95, 0.5);
            prop_assert!(n >= 1 && n <= population);
            prop_assert!(margin_for(n, population, 0.95, 0.5) <= margin + 1e-9);
            if n > 1 {
                prop_assert!(margin_for(n - 1, population, 0.95, 0.5) > margin - 1e-9);
            }
        }
    }
}
