//! The project's reproducible randomness: keyed hashes and the seeded generator.
//!
//! A case's sampling key, a moderation pick and the allocation's tie-break are all
//! SHA-256 of text (`docs/method.md#keys`): anyone can recompute them with any
//! SHA-256 tool.
//!
//! splitmix64 is written out here rather than borrowed from a crate: it is fully
//! specified by its three constants, so the same seed gives the same numbers on every
//! platform and in every release, which `StdRng` does not promise.

use sha2::{Digest, Sha256};

/// `key(case) = first 8 bytes, big-endian, of SHA-256("<seed>:<case_id>")`.
pub(crate) fn key(seed: u64, case_id: &str) -> u64 {
    Keyer::new(seed).key(case_id)
}

/// Computes keys for one seed: `"<seed>:"` is formatted once, not a million times.
#[derive(Clone)]
pub(crate) struct Keyer {
    prefix: Vec<u8>,
}

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const SHA256_START: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

impl Keyer {
    pub(crate) fn new(seed: u64) -> Keyer {
        Keyer {
            prefix: format!("{seed}:").into_bytes(),
        }
    }

    pub(crate) fn key(&self, case_id: &str) -> u64 {
        let id = case_id.as_bytes();
        let len = self.prefix.len() + id.len();
        // A message of up to 55 bytes pads into one 64-byte block: compress that
        // block directly rather than going through the streaming hasher.
        if len <= 55 {
            let mut block = [0u8; 64];
            block[..self.prefix.len()].copy_from_slice(&self.prefix);
            block[self.prefix.len()..len].copy_from_slice(id);
            block[len] = 0x80;
            block[56..].copy_from_slice(&(len as u64 * 8).to_be_bytes());
            let mut state = SHA256_START;
            sha2::compress256(&mut state, &[block.into()]);
            return u64::from(state[0]) << 32 | u64::from(state[1]);
        }
        let digest = Sha256::new()
            .chain_update(&self.prefix)
            .chain_update(id)
            .finalize();
        u64::from_be_bytes(digest[..8].try_into().expect("SHA-256 has 32 bytes"))
    }
}

/// A key as written in outputs: 16 hex digits.
pub(crate) fn key_hex(key: u64) -> String {
    format!("{key:016x}")
}

/// A 64-bit hash of a text: the first 8 bytes, big-endian, of its SHA-256.
pub(crate) fn hash64(text: &str) -> u64 {
    let digest = Sha256::digest(text.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("SHA-256 has 32 bytes"))
}

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
    use proptest::prelude::*;

    #[test]
    fn keys_follow_the_published_recipe() {
        // python3 -c 'import hashlib;print(hashlib.sha256(b"42:C1").hexdigest()[:16])'
        assert_eq!(key_hex(key(42, "C1")), "06966e083598b40c");
        assert_eq!(key_hex(key(0, "")), "ba768b331fd86cec");
    }

    proptest! {
        /// The one-block shortcut gives SHA-256's own first 8 bytes, whatever the length.
        #[test]
        fn keys_are_the_first_bytes_of_sha256(seed in any::<u64>(), id in "[A-Za-z0-9é-]{0,70}") {
            let digest = Sha256::digest(format!("{seed}:{id}").as_bytes());
            let want = u64::from_be_bytes(digest[..8].try_into().unwrap());
            prop_assert_eq!(Keyer::new(seed).key(&id), want);
        }

    }

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
