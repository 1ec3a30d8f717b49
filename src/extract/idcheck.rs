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
/// buckets by their top bits so that the check at the end works on small,
/// cache-sized pieces: 8 bytes an id. Two ids of a million-row extract share a
/// hash with odds of about 1 in 30 million; such a false alarm costs only the exact
/// re-read (by [`IdSet`]) that a real repeat gets.
#[derive(Default, Clone)]
pub(crate) struct IdLog {
    buckets: Vec<Vec<u64>>,
}

/// Buckets of an [`IdLog`].
const BUCKETS: usize = 256;

impl IdLog {
    pub(crate) fn push(&mut self, id: &str) {
        if self.buckets.is_empty() {
            self.buckets = vec![Vec::new(); BUCKETS];
        }
        let hash = hash(id.as_bytes());
        self.buckets[(hash >> 56) as usize].push(hash);
    }

    /// Whether any hash was logged twice.
    pub(crate) fn has_repeats(&self) -> bool {
        IdLog::any_repeats(std::slice::from_ref(self))
    }

    /// Whether any hash is in `logs` twice, in one log or across them (the logs
    /// of the parts of one file). A bucket of every log at a time goes into one
    /// small hash table, which stays in cache; half the buckets are done on
    /// another thread. (Sorting each log and merging the logs took twice as long.)
    pub(crate) fn any_repeats(logs: &[IdLog]) -> bool {
        let half = BUCKETS / 2;
        std::thread::scope(|scope| {
            let first = scope.spawn(|| repeats_in(logs, 0..half));
            let second = repeats_in(logs, half..BUCKETS);
            first
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                || second
        })
    }
}

/// The hashes logged more than once, over the logs of the parts of one file: the
/// case ids that may repeat. A hash two different ids share is among them too, so
/// a row whose id is in the set is only *maybe* repeated; whoever folds such rows
/// compares the ids themselves.
pub(crate) struct Repeated {
    /// Open addressing by the low bits, at most half full; 0 marks an empty slot.
    slots: Vec<u64>,
    /// Whether the hash 0 (the empty mark) is among them.
    zero: bool,
}

impl Repeated {
    /// The hashes in `logs` more than once. Each bucket of every log at a time is
    /// sorted; half the buckets are done on another thread.
    pub(crate) fn of(logs: &[IdLog]) -> Repeated {
        let half = BUCKETS / 2;
        let (mut twice, second) = std::thread::scope(|scope| {
            let first = scope.spawn(|| twice_in(logs, 0..half));
            let second = twice_in(logs, half..BUCKETS);
            (
                first
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                second,
            )
        });
        twice.extend(second);
        Repeated::from_hashes(&twice)
    }

    /// A set of the given hashes (each once).
    fn from_hashes(hashes: &[u64]) -> Repeated {
        let size = (2 * hashes.len()).next_power_of_two();
        let mut set = Repeated {
            slots: vec![0; size],
            zero: false,
        };
        let mask = size - 1;
        for &h in hashes {
            if h == 0 {
                set.zero = true;
                continue;
            }
            let mut at = h as usize & mask;
            while set.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            set.slots[at] = h;
        }
        set
    }

    /// Whether `id`'s hash was logged more than once.
    pub(crate) fn may_hold(&self, id: &str) -> bool {
        let h = hash(id.as_bytes());
        if h == 0 {
            return self.zero;
        }
        let mask = self.slots.len() - 1;
        let mut at = h as usize & mask;
        loop {
            match self.slots[at] {
                0 => return false,
                t if t == h => return true,
                _ => at = (at + 1) & mask,
            }
        }
    }

    /// A set that holds the hashes of `ids` (for tests that make two ids share one).
    #[cfg(test)]
    pub(crate) fn of_ids(ids: &[&str]) -> Repeated {
        let hashes: Vec<u64> = ids.iter().map(|id| hash(id.as_bytes())).collect();
        Repeated::from_hashes(&hashes)
    }
}

/// The hashes in the given buckets of `logs` more than once, each once.
fn twice_in(logs: &[IdLog], buckets: std::ops::Range<usize>) -> Vec<u64> {
    let mut twice = Vec::new();
    let mut all: Vec<u64> = Vec::new();
    for b in buckets {
        all.clear();
        for log in logs {
            all.extend(log.buckets.get(b).into_iter().flatten());
        }
        all.sort_unstable();
        for pair in all.windows(2) {
            if pair[0] == pair[1] && twice.last() != Some(&pair[0]) {
                twice.push(pair[0]);
            }
        }
    }
    twice
}

/// Whether a hash is twice in the given buckets of `logs`.
fn repeats_in(logs: &[IdLog], buckets: std::ops::Range<usize>) -> bool {
    let mut table: Vec<u64> = Vec::new();
    buckets.into_iter().any(|b| {
        let bucket = || logs.iter().filter_map(move |log| log.buckets.get(b));
        let n: usize = bucket().map(Vec::len).sum();
        // Open addressing, at most half full, by the low bits (the top ones chose
        // the bucket). 0 marks an empty slot, so hashes of 0 are counted apart.
        let size = (2 * n).next_power_of_two();
        table.clear();
        table.resize(size, 0);
        let mask = size - 1;
        let mut zeros = 0;
        bucket().flatten().any(|&h| {
            if h == 0 {
                zeros += 1;
                return zeros > 1;
            }
            let mut at = h as usize & mask;
            loop {
                match table[at] {
                    0 => {
                        table[at] = h;
                        return false;
                    }
                    t if t == h => return true,
                    _ => at = (at + 1) & mask,
                }
            }
        })
    })
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
        assert!(!c.has_repeats());
        assert!(IdLog::any_repeats(&[a.clone(), c.clone()]));
        let mut d = IdLog::default();
        d.push("D1");
        d.push("D1");
        assert!(d.has_repeats());
        assert!(IdLog::any_repeats(&[d, a.clone()]));
        let mut e = IdLog::default();
        e.push("E1");
        e.push("C2");
        assert!(!IdLog::any_repeats(&[IdLog::default(), a, e]));
        assert!(IdLog::any_repeats(&[c.clone(), c]));
        assert!(!IdLog::any_repeats(&[]));
    }

    proptest::proptest! {
        /// The set of repeated hashes holds exactly the ids that are in the logs
        /// more than once (no two of these small ids share a hash).
        #[test]
        fn repeated_holds_the_ids_seen_twice(
            parts in proptest::collection::vec(proptest::collection::vec(0u16..400, 0..300), 0..4),
        ) {
            let logs: Vec<IdLog> = parts
                .iter()
                .map(|ids| {
                    let mut log = IdLog::default();
                    ids.iter().for_each(|i| log.push(&format!("CH{i}")));
                    log
                })
                .collect();
            let mut count = std::collections::HashMap::new();
            for i in parts.concat() {
                *count.entry(i).or_insert(0) += 1;
            }
            let repeated = Repeated::of(&logs);
            for i in 0u16..400 {
                let want = count.get(&i).is_some_and(|&n| n > 1);
                proptest::prop_assert_eq!(repeated.may_hold(&format!("CH{i}")), want, "CH{}", i);
            }
        }
    }

    #[test]
    fn an_empty_set_holds_nothing() {
        assert!(!Repeated::of(&[]).may_hold("CH1"));
        assert!(Repeated::of_ids(&["CH1"]).may_hold("CH1"));
        assert!(!Repeated::of_ids(&["CH1"]).may_hold("CH2"));
    }

    /// Hashes of 0 (the mark of an empty slot) are counted apart.
    #[test]
    fn a_hash_of_zero_is_found_twice() {
        let zero = || IdLog {
            buckets: vec![vec![0, 5]],
        };
        assert!(!IdLog::any_repeats(&[zero()]));
        assert!(IdLog::any_repeats(&[zero(), zero()]));
    }

    proptest::proptest! {
        /// Logs of parts repeat a hash exactly when some id is in two parts, or
        /// twice in one.
        #[test]
        fn logs_repeat_a_hash_when_the_parts_repeat_an_id(
            parts in proptest::collection::vec(proptest::collection::vec(0u16..600, 0..300), 0..4),
        ) {
            let logs: Vec<IdLog> = parts
                .iter()
                .map(|ids| {
                    let mut log = IdLog::default();
                    ids.iter().for_each(|i| log.push(&format!("CH{i}")));
                    log
                })
                .collect();
            let all: Vec<u16> = parts.concat();
            let distinct: std::collections::HashSet<u16> = all.iter().copied().collect();
            proptest::prop_assert_eq!(IdLog::any_repeats(&logs), distinct.len() < all.len());
        }
    }
}
