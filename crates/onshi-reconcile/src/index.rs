//! A compact read-only multimap from 64-bit keys to resident indices.
//!
//! Entries are sorted by key and found through a directory on the key's top bits, so a look-up costs two
//! cache misses and the whole index 16 bytes per entry plus 4 bytes per directory slot (one slot per entry,
//! rounded up to a power of two). Keys must be well mixed (hashes, or [`mix`]ed numbers).

use std::hash::{DefaultHasher, Hasher};

use rayon::slice::ParallelSliceMut;

/// Sorted `(key, value)` entries and a directory of where each top-bits prefix starts.
#[derive(Debug, Default)]
pub(crate) struct MultiIndex {
    shift: u32,
    dir: Vec<u32>,
    entries: Vec<(u64, u32)>,
}

impl MultiIndex {
    /// Builds the index; `entries` may hold one key many times.
    pub(crate) fn build(mut entries: Vec<(u64, u32)>) -> MultiIndex {
        entries.par_sort_unstable();
        entries.shrink_to_fit();
        let bits = entries.len().max(2).next_power_of_two().trailing_zeros().clamp(1, 30);
        let shift = 64 - bits;
        let slots = 1usize << bits;
        let mut dir = Vec::with_capacity(slots + 1);
        let mut at = 0usize;
        for slot in 0..slots as u64 {
            while entries.get(at).is_some_and(|(k, _)| (k >> shift) < slot) {
                at += 1;
            }
            dir.push(u32::try_from(at).unwrap_or(u32::MAX));
        }
        dir.push(u32::try_from(entries.len()).unwrap_or(u32::MAX));
        MultiIndex { shift, dir, entries }
    }

    /// The values stored under `key`, in increasing order.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> impl Iterator<Item = u32> + '_ {
        let slot = (key >> self.shift) as usize;
        let from = self.dir.get(slot).copied().unwrap_or(0) as usize;
        let to = self.dir.get(slot + 1).copied().unwrap_or(0) as usize;
        self.entries.get(from..to).unwrap_or_default().iter().filter(move |(k, _)| *k == key).map(|&(_, v)| v)
    }

    /// Every run of two or more entries with the same key, as the values of the run.
    pub(crate) fn repeated(&self) -> impl Iterator<Item = Vec<u32>> + '_ {
        self.entries
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.len() > 1)
            .map(|run| run.iter().map(|&(_, v)| v).collect())
    }
}

/// SplitMix64's finaliser: a bijection on `u64` that spreads numbers over the top bits.
#[inline]
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 128-bit fingerprint of bytes (two differently seeded hashes), to find duplicates among millions of
/// record ids without keeping the ids: a false duplicate has probability below 10⁻²⁴ for 10⁷ ids.
pub(crate) fn fingerprint(bytes: &[u8]) -> u128 {
    let mut a = DefaultHasher::new();
    let mut b = DefaultHasher::new();
    a.write_u64(0x6f6e_7368_695f_7265);
    b.write_u64(0x636f_6e63_696c_6521);
    a.write(bytes);
    b.write(bytes);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_and_single() {
        let ix = MultiIndex::build(vec![]);
        assert_eq!(ix.get(42).count(), 0);
        let ix = MultiIndex::build(vec![(u64::MAX, 7)]);
        assert_eq!(ix.get(u64::MAX).collect::<Vec<_>>(), vec![7]);
        assert_eq!(ix.get(0).count(), 0);
    }

    #[test]
    fn mix_is_injective_on_a_sample() {
        let mut v: Vec<u64> = (0..100_000u64).map(mix).collect();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), 100_000);
    }

    proptest! {
        #[test]
        fn finds_exactly_what_was_stored(
            entries in proptest::collection::vec((any::<u64>(), any::<u32>()), 0..300),
            probes in proptest::collection::vec(any::<u64>(), 0..50),
            small_keys in any::<bool>(),
        ) {
            // Small keys crowd into the first slots: the directory must still be right.
            let entries: Vec<(u64, u32)> = entries
                .into_iter()
                .map(|(k, v)| (if small_keys { k % 7 } else { k }, v))
                .collect();
            let ix = MultiIndex::build(entries.clone());
            let keys = entries.iter().map(|e| e.0).chain(probes.iter().map(|&p| if small_keys { p % 9 } else { p }));
            for key in keys {
                let mut want: Vec<u32> = entries.iter().filter(|e| e.0 == key).map(|e| e.1).collect();
                want.sort_unstable();
                prop_assert_eq!(ix.get(key).collect::<Vec<_>>(), want);
            }
            let runs: usize = ix.repeated().map(|r| r.len()).sum();
            let mut counts = std::collections::HashMap::new();
            for e in &entries { *counts.entry(e.0).or_insert(0usize) += 1; }
            prop_assert_eq!(runs, counts.values().filter(|&&c| c > 1).sum::<usize>());
        }
    }
}
