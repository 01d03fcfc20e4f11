//! The registry index: every resident's prepared basic four, found by My Number and by candidate keys.

use std::collections::HashSet;
use std::path::Path;

use indicatif::ProgressBar;
use onshi_linkage::{MAX_BLOCKING_KEYS, Prepared};
use rayon::prelude::*;

use crate::chunks::{CHUNK_ROWS, for_each_chunk};
use crate::error::ReconcileError;
use crate::index::{MultiIndex, mix};
use crate::input::{Columns, Encoding, Kind, Opened, Person, RowError, my_number_value, read_row};
use crate::output::ErrorSink;
use crate::progress;

/// How many residents one blocking key may bring in. Real buckets (the same birth date and the same
/// first or last two characters of the name) hold a handful; a bigger one is dirty data (placeholder
/// dates and names), and comparing every record with thousands of residents would stall the run. A
/// record whose bucket was cut gets `too_many_candidates` and at most B.
pub(crate) const MAX_PER_KEY: usize = 256;

/// Every resident, with the indexes to find them — or, in a partitioned run, the residents of one
/// partition and the owners its records need, under their indices in the whole registry.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    pub(crate) numbers: Vec<u64>,
    pub(crate) people: Vec<Prepared>,
    /// `None`: resident `i` is `people[i]` (the whole registry). `Some(ids)`: resident `ids[j]` is
    /// `people[j]`, `ids` increasing (a partition).
    ids: Option<Vec<u32>>,
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
        owner_in(&self.by_number, number)
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

    /// Where resident `i` is kept.
    #[inline]
    fn slot(&self, i: u32) -> Option<usize> {
        match &self.ids {
            None => Some(i as usize),
            Some(ids) => ids.binary_search(&i).ok(),
        }
    }

    /// The prepared resident `i`.
    #[inline]
    pub(crate) fn person(&self, i: u32) -> Option<&Prepared> {
        self.slot(i).and_then(|j| self.people.get(j))
    }

    /// The My Number of resident `i`.
    #[inline]
    pub(crate) fn number(&self, i: u32) -> Option<u64> {
        self.slot(i).and_then(|j| self.numbers.get(j)).copied()
    }

    /// The My Number of resident `i`, 12 digits.
    pub(crate) fn number_str(&self, i: u32) -> String {
        self.number(i).map(|n| format!("{n:012}")).unwrap_or_default()
    }

    /// The residents of one partition of a partitioned run: `residents` (indexed by their blocking keys)
    /// and `owners` (found by index only: the owners of the partition's records born on another day),
    /// each `(index in the whole registry, My Number, prepared, blocking keys)`.
    /// `shared` are the residents of the whole registry whose My Number another row also has.
    pub(crate) fn partition(
        mut residents: Vec<ParsedResident>,
        owners: Vec<ParsedResident>,
        shared: &HashSet<u32>,
    ) -> Registry {
        let mut keyed = Vec::with_capacity(residents.len() * 3);
        for (i, _, _, keys) in &residents {
            keyed.extend(keys.iter().filter(|&&k| k != 0).map(|&k| (k, *i)));
        }
        residents.extend(owners);
        residents.par_sort_unstable_by_key(|r| r.0);
        residents.dedup_by_key(|r| r.0);
        let mut ids = Vec::with_capacity(residents.len());
        let mut numbers = Vec::with_capacity(residents.len());
        let mut people = Vec::with_capacity(residents.len());
        for (i, n, p, _) in residents {
            ids.push(i);
            numbers.push(n);
            people.push(p);
        }
        let shared_number = shared.iter().copied().filter(|i| ids.binary_search(i).is_ok()).collect();
        Registry {
            numbers,
            people,
            ids: Some(ids),
            by_number: MultiIndex::default(),
            by_key: MultiIndex::build(keyed),
            shared_number,
            rows: 0,
        }
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
            let parsed: Vec<Result<Parsed, RowError>> =
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
        note_repeated_numbers(&repeated, &lines, |i| registry.number_str(i), sink)?;
        Ok(registry)
    }
}

/// The first resident with `number` in an index of mixed My Numbers.
#[inline]
pub(crate) fn owner_in(by_number: &MultiIndex, number: u64) -> Option<u32> {
    by_number.get(mix(number)).next()
}

/// Notes in the error file every registry row that repeats an earlier row's My Number: `repeated` are
/// the runs of residents sharing a number (first = owner), `lines` each resident's line.
pub(crate) fn note_repeated_numbers(
    repeated: &[Vec<u32>],
    lines: &[u64],
    number_str: impl Fn(u32) -> String,
    sink: &mut ErrorSink,
) -> Result<(), ReconcileError> {
    for run in repeated {
        let first_line = run.first().and_then(|&i| lines.get(i as usize)).copied().unwrap_or(0);
        for &i in run.iter().skip(1) {
            let line = lines.get(i as usize).copied().unwrap_or(0);
            let e = RowError::DuplicateMyNumber { first_line };
            sink.note(Kind::Registry, line, "", &e, &number_str(i))?;
        }
    }
    Ok(())
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
        let registry =
            Registry { numbers: self.numbers, people: self.people, ids: None, by_number, by_key, shared_number, rows };
        (registry, repeated)
    }
}

/// A registry row read in a partition: its index among the residents, its My Number, the prepared basic
/// four and its blocking keys.
pub(crate) type ParsedResident = (u32, u64, Prepared, [u64; MAX_BLOCKING_KEYS]);

/// A registry row read: its My Number, the prepared basic four and its blocking keys.
type Parsed = (u64, Prepared, [u64; MAX_BLOCKING_KEYS]);

/// A registry row as read, with its My Number: the one test of a readable resident, in memory and
/// partitioned.
pub(crate) fn read_resident<'r>(
    row: &'r csv::ByteRecord,
    cols: &Columns,
    enc: Encoding,
) -> Result<(u64, Person<'r>), RowError> {
    let p = read_row(row, cols, Kind::Registry, enc)?;
    let number = my_number_value(&p.my_number)
        .map_err(|e| RowError::InvalidMyNumber { value: p.my_number.to_string(), message: e.to_string() })?;
    Ok((number, p))
}

fn resident(row: &csv::ByteRecord, cols: &Columns, enc: Encoding) -> Result<Parsed, RowError> {
    let (number, p) = read_resident(row, cols, enc)?;
    let person = Prepared::new(&p.basic4());
    let keys = person.blocking_keys();
    Ok((number, person, keys))
}
