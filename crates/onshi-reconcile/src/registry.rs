//! The registry index: every resident's prepared basic four, found by My Number and by candidate keys.

use std::collections::HashSet;
use std::path::Path;

use indicatif::ProgressBar;
use onshi_linkage::{MAX_BLOCKING_KEYS, Prepared};
use rayon::prelude::*;

use crate::chunks::{CHUNK_ROWS, for_each_chunk};
use crate::error::ReconcileError;
use crate::index::{MultiIndex, mix};
use crate::input::{Columns, Encoding, Kind, Opened, RowError, my_number_value, read_row};
use crate::output::ErrorSink;
use crate::progress;

/// How many residents one blocking key may bring in. Real buckets (the same birth date and the same
/// first or last two characters of the name) hold a handful; a bigger one is dirty data (placeholder
/// dates and names), and comparing every record with thousands of residents would stall the run. A
/// record whose bucket was cut gets `too_many_candidates` and at most B.
pub(crate) const MAX_PER_KEY: usize = 256;

/// Every resident, with the indexes to find them.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    pub(crate) numbers: Vec<u64>,
    pub(crate) people: Vec<Prepared>,
    by_number: MultiIndex,
    by_key: MultiIndex,
    /// Residents whose My Number is also another registry row's.
    pub(crate) shared_number: HashSet<u32>,
    /// Data rows read.
    pub(crate) rows: u64,
}

impl Registry {
    /// The resident who owns `number` (the first registry row with it).
    #[inline]
    pub(crate) fn owner(&self, number: u64) -> Option<u32> {
        self.by_number.get(mix(number)).next()
    }

    /// The residents indexed under any of `keys` (sorted, without repetition), at most
    /// [`MAX_PER_KEY`] per key; `true` when a key had more.
    pub(crate) fn candidates(&self, keys: &[u64], out: &mut Vec<u32>) -> bool {
        out.clear();
        let mut cut = false;
        for &k in keys.iter().filter(|&&k| k != 0) {
            let before = out.len();
            out.extend(self.by_key.get(k).take(MAX_PER_KEY + 1));
            if out.len() - before > MAX_PER_KEY {
                out.pop();
                cut = true;
            }
        }
        out.sort_unstable();
        out.dedup();
        cut
    }

    /// The prepared resident `i`.
    #[inline]
    pub(crate) fn person(&self, i: u32) -> Option<&Prepared> {
        self.people.get(i as usize)
    }

    /// The My Number of resident `i`, 12 digits.
    pub(crate) fn number_str(&self, i: u32) -> String {
        self.numbers.get(i as usize).map(|n| format!("{n:012}")).unwrap_or_default()
    }

    /// Reads REGISTRY.csv. Unreadable rows (and rows repeating another row's My Number) go to `sink`.
    pub(crate) fn load(
        opened: Opened,
        path: &Path,
        bar: &ProgressBar,
        sink: &mut ErrorSink,
    ) -> Result<Registry, ReconcileError> {
        let cols = Columns::from_header(Kind::Registry, path, &opened.header)?;
        let enc = opened.encoding;
        let size = opened.size;
        let mut b = Builder::default();
        let mut lines: Vec<u64> = Vec::new();
        let mut rows = 0u64;
        for_each_chunk(opened.reader, path, CHUNK_ROWS, |chunk| {
            let parsed: Vec<Result<ParsedResident, RowError>> =
                chunk.rows().par_iter().map(|row| resident(row, &cols, enc)).collect();
            if b.people.capacity() == 0 && chunk.end_byte > 0 {
                // Reserve for the whole file from the first chunk's bytes per row: no doubling spikes.
                let estimate = (size as f64 / chunk.end_byte as f64 * chunk.len as f64 * 1.02) as usize;
                b.reserve(estimate.min(1 << 31));
                lines.reserve(estimate.min(1 << 31));
            }
            for (p, row) in parsed.into_iter().zip(chunk.rows()) {
                rows += 1;
                let line = row.position().map_or(0, |p| p.line());
                match p {
                    Ok((number, person, keys)) => {
                        b.push(number, &keys, person);
                        lines.push(line);
                    }
                    Err(e) => sink.row(Kind::Registry, line, "", &e, row, enc)?,
                }
            }
            progress::advance(bar, chunk, size, rows);
            Ok(())
        })?;
        bar.set_message("index");
        let (registry, repeated) = b.finish(rows);
        for run in repeated {
            let first_line = run.first().and_then(|&i| lines.get(i as usize)).copied().unwrap_or(0);
            for &i in run.iter().skip(1) {
                let line = lines.get(i as usize).copied().unwrap_or(0);
                let e = RowError::DuplicateMyNumber { first_line };
                sink.note(Kind::Registry, line, "", &e, &registry.number_str(i))?;
            }
        }
        Ok(registry)
    }
}

/// Residents in file order, and their candidate keys.
#[derive(Default)]
struct Builder {
    numbers: Vec<u64>,
    people: Vec<Prepared>,
    keyed: Vec<(u64, u32)>,
}

impl Builder {
    fn reserve(&mut self, n: usize) {
        self.numbers.reserve(n);
        self.people.reserve(n);
        self.keyed.reserve(n * 3);
    }

    fn push(&mut self, number: u64, keys: &[u64], person: Prepared) {
        let i = u32::try_from(self.people.len()).unwrap_or(u32::MAX);
        self.keyed.extend(keys.iter().filter(|&&k| k != 0).map(|&k| (k, i)));
        self.numbers.push(number);
        self.people.push(person);
    }

    /// The registry, and the runs of residents sharing a My Number (first = owner).
    fn finish(self, rows: u64) -> (Registry, Vec<Vec<u32>>) {
        let by_number = MultiIndex::build(
            self.numbers.iter().enumerate().map(|(i, &n)| (mix(n), u32::try_from(i).unwrap_or(u32::MAX))).collect(),
        );
        let by_key = MultiIndex::build(self.keyed);
        let repeated: Vec<Vec<u32>> = by_number.repeated().collect();
        let shared_number = repeated.iter().flatten().copied().collect();
        (Registry { numbers: self.numbers, people: self.people, by_number, by_key, shared_number, rows }, repeated)
    }
}

/// A registry row read: its My Number, the prepared basic four and its blocking keys.
type ParsedResident = (u64, Prepared, [u64; MAX_BLOCKING_KEYS]);

fn resident(row: &csv::ByteRecord, cols: &Columns, enc: Encoding) -> Result<ParsedResident, RowError> {
    let p = read_row(row, cols, Kind::Registry, enc)?;
    let number = my_number_value(&p.my_number)
        .map_err(|e| RowError::InvalidMyNumber { value: p.my_number.to_string(), message: e.to_string() })?;
    let person = Prepared::new(&p.basic4());
    let keys = person.blocking_keys();
    Ok((number, person, keys))
}
