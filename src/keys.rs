//! The project's reproducible randomness: keyed hashes and the seeded generator.
//!
//! splitmix64 is written out here rather than borrowed from a crate: it is fully
//! specified by its three constants, so the same seed gives the same numbers on every
//! platform and in every release, which `StdRng` does not promise.

/// The golden-ratio step between splitmix64's states.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Sebastiano Vigna's splitmix64 step as a mixing function: the output for state
/// `x`. Used on its own as a fast, well-spread 64-bit hash of a number.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seeded generator behind all synthetic data (`demo` and `generate`): splitmix64
/// over a 64-bit state. Draws use integers only, so no platform can round differently.
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    pub(crate) fn next_u64(&mut self) -> u64 {
        let out = splitmix64(self.0);
        self.0 = self.0.wrapping_add(GOLDEN);
        out
    }

    /// Uniform in `0..n` (`n` > 0) by multiply-and-shift: the bias is below n/2^64,
    /// far too small to show in synthetic data, and there is no rejection loop.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    pub(crate) fn range(&mut self, low: u64, high_inclusive: u64) -> u64 {
        low + self.below(high_inclusive - low + 1)
    }

    /// True with the given probability in percent.
    pub(crate) fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    /// One of `items`, with chances in proportion to their weights.
    pub(crate) fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut ticket = self.below(total);
        for (item, w) in items {
            if ticket < u64::from(*w) {
                return item;
            }
            ticket -= u64::from(*w);
        }
        &items[items.len() - 1].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // First output of splitmix64 seeded with 0, as published with the algorithm.
        assert_eq!(SplitMix64(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        let mut rng = SplitMix64(7);
        assert!((0..1000).all(|_| rng.below(6) < 6));
    }

    #[test]
    fn the_generator_is_the_mixing_function_over_golden_steps() {
        let mut rng = SplitMix64(42);
        for k in 0..100u64 {
            assert_eq!(
                rng.next_u64(),
                splitmix64(42u64.wrapping_add(k.wrapping_mul(GOLDEN)))
            );
        }
    }
}
