//! `plan`: sample sizes against hand-computed values.

use crate::common::{Workdir, csv_rows};

/// n0 = 1.959964²·0.25/E²; n = n0/(1 + (n0−1)/N), rounded up.
/// N=1000, E=0.1: n0 = 96.04, n = 96.04/1.09504 = 87.7 → 88.
/// N=10000, E=0.05: n0 = 384.15, n = 384.15/1.03832 = 369.97 → 370.
/// N=100, E=0.1: n0 = 96.04, n = 96.04/1.9504 = 49.2 → 50.
#[test]
fn sample_sizes_match_hand_computation() {
    let w = Workdir::new();
    for (population, margin, expected) in [
        ("1000", "0.1", "88"),
        ("10000", "0.05", "370"),
        ("100", "0.1", "50"),
    ] {
        let run = w
            .run(&["plan", "--population", population, "--margin", margin])
            .ok();
        let rows = csv_rows(&run.stdout);
        assert_eq!(
            rows[1][0..2],
            ["needed".to_string(), expected.to_string()],
            "N={population} E={margin}"
        );
    }
    w.run(&["plan", "--population", "100", "--margin", "1.5"])
        .fails(2)
        .stderr_has("--margin");
    w.run(&["plan", "--population", "-3"]).fails(2);
}
