//! Repeated case ids, found in an extract of any size: at once, as a table of
//! fingerprints ([`IdSet`]), or all together at the end ([`IdLog`]), which touches
//! memory in order and so is several times faster on a million rows.

/// The case ids of an extract, as 96-bit fingerprints with the line each was first
/// seen on: 16 bytes an id plus a slot table at most half full, so a million ids
/// take about 25 MB. Two different ids share a fingerprint with odds of about 1 in
/// 10^17 in a million-row extract.
#[derive(Default)]
pub(crate) struct IdSet {
    /// Open addressing with linear probing: 1 + an index into `entries`, 0 = empty.
    slots: Vec<u32>,
    entries: Vec<IdEntry>,
    /// log2 of `slots.len()`.
    bits: u32,
}

#[derive(Clone, Copy)]
struct IdEntry {
    hash: u64,
    check: u32,
    /// Lines past 2^32 (a file of hundreds of gigabytes) are reported as 2^32 - 1.
    line: u32,
}

impl IdSet {
    /// Adds `id`, first seen on `line`; the line it was first seen on if it is not new.
    pub(crate) fn insert(&mut self, id: &str, line: u64) -> Option<u64> {
        if (self.entries.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let (hash, check) = fingerprint(id.as_bytes());
        let mask = self.slots.len() - 1;
        let mut at = self.slot_of(hash);
        loop {
            match self.slots[at] {
                0 => break,
                e => {
                    let entry = self.entries[e as usize - 1];
                    if entry.hash == hash && entry.check == check {
                        return Some(u64::from(entry.line));
                    }
                }
            }
            at = (at + 1) & mask;
        }
        self.entries.push(IdEntry {
            hash,
            check,
            line: u32::try_from(line).unwrap_or(u32::MAX),
        });
        self.slots[at] = u32::try_from(self.entries.len()).expect("fewer than 2^32 rows");
        None
    }

    fn slot_of(&self, hash: u64) -> usize {
        (hash >> (64 - self.bits)) as usize
    }

    fn grow(&mut self) {
        self.bits = (self.bits + 1).max(10);
        self.slots = vec![0; 1 << self.bits];
        let mask = self.slots.len() - 1;
        for (i, e) in self.entries.iter().enumerate() {
            let mut at = (e.hash >> (64 - self.bits)) as usize;
            while self.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = i as u32 + 1;
        }
    }
}

/// A 96-bit fingerprint of a case id: two lanes of folded 64×64→128-bit multiplies
/// over its 8-byte words (the wyhash construction). Not for adversaries; case ids
/// come from the authority's own system.
fn fingerprint(id: &[u8]) -> (u64, u32) {
    (
        hash(id),
        (mix(chain(id, K2 ^ (id.len() as u64).rotate_left(32), K3, 29), K1) >> 32) as u32,
    )
}

const K1: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const K3: u64 = 0x1656_67B1_9E37_79F9;

/// The 64-bit half of [`fingerprint`].
fn hash(id: &[u8]) -> u64 {
    mix(chain(id, K1 ^ id.len() as u64, K2, 0), K1)
}

fn mix(x: u64, k: u64) -> u64 {
    let p = u128::from(x) * u128::from(k);
    (p as u64) ^ ((p >> 64) as u64)
}

/// Mixes each 8-byte little-endian word of `id` (the last one zero-padded) into `state`.
#[inline]
fn chain(id: &[u8], mut state: u64, k: u64, rotate: u32) -> u64 {
    let mut words = id.chunks_exact(8);
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        state = mix(state ^ w.rotate_left(rotate), k);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let w = rest.iter().rev().fold(0u64, |w, &b| w << 8 | u64::from(b));
        state = mix(state ^ w.rotate_left(rotate), k);
    }
    state
}

/// 64-bit hashes of case ids (the first half of a fingerprint), kept in 256
/// buckets by their top bits so that the check at the end sorts small,
/// cache-sized pieces: 8 bytes an id. Two ids of a million-row extract share a
/// hash with odds of about 1 in 30 million; such a false alarm costs only the exact
/// re-read (by [`IdSet`]) that a real repeat gets.
#[derive(Default)]
pub(crate) struct IdLog {
    buckets: Vec<Vec<u64>>,
}

impl IdLog {
    pub(crate) fn push(&mut self, id: &str) {
        if self.buckets.is_empty() {
            self.buckets = vec![Vec::new(); 256];
        }
        let hash = hash(id.as_bytes());
        self.buckets[(hash >> 56) as usize].push(hash);
    }

    /// Sorts the log; whether any hash is in it twice. (Each worker of a scan
    /// sorts its own log, on its own core.)
    pub(crate) fn sort_and_find_repeats(&mut self) -> bool {
        let mut repeats = false;
        for b in &mut self.buckets {
            b.sort_unstable();
            repeats |= b.windows(2).any(|w| w[0] == w[1]);
        }
        repeats
    }

    /// Whether two sorted logs share a hash: one merging pass. The steps are
    /// counted rather than branched on: which side moves is a coin toss for
    /// random hashes, so a branch would be mispredicted half the time.
    pub(crate) fn shares_any(&self, other: &IdLog) -> bool {
        self.buckets.iter().zip(&other.buckets).any(|(a, b)| {
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                let (x, y) = (a[i], b[j]);
                if x == y {
                    return true;
                }
                i += usize::from(x < y);
                j += usize::from(y < x);
            }
            false
        })
    }

    /// Whether any hash was logged twice.
    pub(crate) fn has_repeats(&mut self) -> bool {
        self.sort_and_find_repeats()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fingerprint as first written (words copied into a zeroed array): the
    /// faster loads give the same numbers.
    fn fingerprint_as_first_written(id: &[u8]) -> (u64, u32) {
        let (mut a, mut b) = (K1 ^ id.len() as u64, K2 ^ (id.len() as u64).rotate_left(32));
        for chunk in id.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            let w = u64::from_le_bytes(word);
            a = mix(a ^ w, K2);
            b = mix(b ^ w.rotate_left(29), K3);
        }
        (mix(a, K1), (mix(b, K1) >> 32) as u32)
    }

    proptest::proptest! {
        #[test]
        fn fingerprints_are_unchanged(id in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            proptest::prop_assert_eq!(fingerprint(&id), fingerprint_as_first_written(&id));
        }
    }

    #[test]
    fn repeats_are_found_both_ways() {
        let mut set = IdSet::default();
        let mut log = IdLog::default();
        for i in 0..5000u64 {
            let id = format!("CH{i:07}");
            assert_eq!(set.insert(&id, i + 2), None);
            log.push(&id);
        }
        assert!(!log.has_repeats());
        assert_eq!(set.insert("CH0000007", 9000), Some(9));
        log.push("CH0000007");
        assert!(log.has_repeats());
    }

    #[test]
    fn logs_of_parts_find_repeats_across_parts() {
        let (mut a, mut c) = (IdLog::default(), IdLog::default());
        for i in 0..100u64 {
            a.push(&format!("A{i}"));
            a.push(&format!("B{i}"));
        }
        assert!(!a.has_repeats());
        c.push("B7");
        c.push("C1");
        assert!(!c.sort_and_find_repeats());
        assert!(a.shares_any(&c) && c.shares_any(&a));
        let mut d = IdLog::default();
        d.push("D1");
        d.push("D1");
        assert!(d.sort_and_find_repeats());
        assert!(!d.shares_any(&c));
        assert!(!IdLog::default().shares_any(&c));
    }

    proptest::proptest! {
        #[test]
        fn two_logs_share_a_hash_when_they_share_an_id(
            a in proptest::collection::hash_set(0u16..400, 0..300),
            b in proptest::collection::hash_set(0u16..400, 0..300),
        ) {
            let log = |ids: &std::collections::HashSet<u16>| {
                let mut log = IdLog::default();
                ids.iter().for_each(|i| log.push(&format!("CH{i}")));
                log.sort_and_find_repeats();
                log
            };
            let (la, lb) = (log(&a), log(&b));
            let shared = !a.is_disjoint(&b);
            proptest::prop_assert_eq!(la.shares_any(&lb), shared);
            proptest::prop_assert_eq!(lb.shares_any(&la), shared);
        }
    }
}
