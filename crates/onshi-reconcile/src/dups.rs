//! The first, quick pass over RECORDS.csv: which rows share their record id, and which share their My
//! Number, with another row — so that *every* row involved is flagged while the rows are then graded
//! and written in order.
//!
//! Memory does not grow with the records beyond two bits a row: each (key, row) pair is collected in a
//! buffer of at most [`BUDGET`] pairs; when a file has more rows, the pairs are spread by key over
//! temporary partition files next to the output (24 bytes a row on disk, removed at the end), and each
//! partition is then sorted on its own.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use rayon::slice::ParallelSliceMut;

use crate::chunks::{CHUNK_ROWS, for_each_chunk};
use crate::error::ReconcileError;
use crate::index::{fingerprint, mix};
use crate::input::{Col, Columns, Opened, my_number_value};

/// Pairs kept in memory per kind before spilling to partition files (24 bytes each: 48 MiB).
pub(crate) const BUDGET: usize = 2 << 20;

/// One bit per data row of RECORDS.csv.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RowBits(Vec<u64>);

impl RowBits {
    fn set(&mut self, row: u64) {
        let (word, bit) = ((row / 64) as usize, row % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        if let Some(w) = self.0.get_mut(word) {
            *w |= 1 << bit;
        }
    }

    /// Whether data row `row` (0 = the first row after the header) is flagged.
    #[inline]
    pub(crate) fn get(&self, row: u64) -> bool {
        self.0.get((row / 64) as usize).is_some_and(|w| w & (1 << (row % 64)) != 0)
    }
}

/// The rows whose record id, and the rows whose My Number, another row also has.
#[derive(Debug, Default)]
pub(crate) struct Duplicates {
    pub(crate) ids: RowBits,
    pub(crate) numbers: RowBits,
}

/// Finds the rows whose key repeats: in memory up to `budget` pairs, in hash partitions on disk beyond.
struct Repeats<'a> {
    budget: usize,
    buf: Vec<(u128, u64)>,
    spill: Option<Spill>,
    dir: &'a Path,
    kind: &'static str,
    /// Estimated number of pairs in all (to size the partitions when spilling).
    estimate: u64,
}

struct Spill {
    dir: tempfile::TempDir,
    parts: Vec<BufWriter<File>>,
    shift: u32,
}

fn tmp_err(path: &Path) -> impl Fn(std::io::Error) -> ReconcileError + '_ {
    move |source| ReconcileError::Temporary { path: path.to_owned(), source }
}

const PAIR: usize = 24;

impl<'a> Repeats<'a> {
    fn new(budget: usize, dir: &'a Path, kind: &'static str) -> Self {
        Repeats { budget: budget.max(1), buf: Vec::new(), spill: None, dir, kind, estimate: 0 }
    }

    fn push(&mut self, key: u128, row: u64) -> Result<(), ReconcileError> {
        self.buf.push((key, row));
        if self.buf.len() >= self.budget {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ReconcileError> {
        if self.spill.is_none() {
            // Partitions of about half the budget each, from the estimated total.
            let parts = (self.estimate.max(self.buf.len() as u64) * 2 / self.budget as u64 + 1)
                .next_power_of_two()
                .clamp(2, 4096);
            let dir =
                tempfile::Builder::new().prefix(".onshi-reconcile-").tempdir_in(self.dir).map_err(tmp_err(self.dir))?;
            let mut files = Vec::with_capacity(parts as usize);
            for i in 0..parts {
                let p = dir.path().join(format!("{}-{i:04}", self.kind));
                files.push(BufWriter::with_capacity(1 << 16, File::create(&p).map_err(tmp_err(&p))?));
            }
            self.spill = Some(Spill { dir, parts: files, shift: 128 - parts.trailing_zeros() });
        }
        if let Some(s) = &mut self.spill {
            for &(key, row) in &self.buf {
                let part = (key >> s.shift) as usize;
                let mut bytes = [0u8; PAIR];
                bytes[..16].copy_from_slice(&key.to_le_bytes());
                bytes[16..].copy_from_slice(&row.to_le_bytes());
                if let Some(w) = s.parts.get_mut(part) {
                    w.write_all(&bytes).map_err(tmp_err(s.dir.path()))?;
                }
            }
        }
        self.buf.clear();
        Ok(())
    }

    /// Sets the bit of every row whose key another row has.
    fn finish(mut self, bits: &mut RowBits) -> Result<(), ReconcileError> {
        if self.spill.is_none() {
            mark(&mut self.buf, bits);
            return Ok(());
        }
        self.flush()?;
        let Some(s) = self.spill.take() else { return Ok(()) };
        let n = s.parts.len();
        for w in s.parts {
            w.into_inner()
                .map_err(|e| ReconcileError::Temporary { path: s.dir.path().to_owned(), source: e.into_error() })?;
        }
        let mut pairs = Vec::new();
        for i in 0..n {
            let p = s.dir.path().join(format!("{}-{i:04}", self.kind));
            let mut r = BufReader::with_capacity(1 << 16, File::open(&p).map_err(tmp_err(&p))?);
            pairs.clear();
            let mut bytes = [0u8; PAIR];
            loop {
                match r.read_exact(&mut bytes) {
                    Ok(()) => {
                        let (k, v) = bytes.split_at(16);
                        let key = u128::from_le_bytes(k.try_into().unwrap_or_default());
                        let row = u64::from_le_bytes(v.try_into().unwrap_or_default());
                        pairs.push((key, row));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                    Err(e) => return Err(ReconcileError::Temporary { path: p, source: e }),
                }
            }
            mark(&mut pairs, bits);
            std::fs::remove_file(&p).map_err(tmp_err(&p))?;
        }
        s.dir.close().map_err(tmp_err(self.dir))
    }
}

fn mark(pairs: &mut [(u128, u64)], bits: &mut RowBits) {
    pairs.par_sort_unstable();
    for run in pairs.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        for &(_, row) in run {
            bits.set(row);
        }
    }
}

/// A My Number as a 128-bit key whose top bits are well mixed (partitions stay even).
fn number_key(n: u64) -> u128 {
    (u128::from(mix(n)) << 64) | u128::from(n)
}

/// Reads the record_id and my_number of every data row of RECORDS.csv (readable or not) and finds the
/// repeated ones. Temporary files, if any, go into `tmp_dir` (the output's folder).
pub(crate) fn scan(
    opened: Opened,
    cols: &Columns,
    path: &Path,
    tmp_dir: &Path,
    budget: usize,
) -> Result<Duplicates, ReconcileError> {
    let enc = opened.encoding;
    let size = opened.size.max(1);
    let (id_col, number_col) = (cols.get(Col::RecordId), cols.get(Col::MyNumber));
    let mut ids = Repeats::new(budget, tmp_dir, "ids");
    let mut numbers = Repeats::new(budget, tmp_dir, "numbers");
    let mut row = 0u64;
    for_each_chunk(opened.reader, path, CHUNK_ROWS, |chunk| {
        if chunk.end_byte > 0 {
            let estimate = (size as f64 / chunk.end_byte as f64 * (row + chunk.len as u64) as f64) as u64;
            ids.estimate = estimate;
            numbers.estimate = estimate;
        }
        for r in chunk.rows() {
            if let Some(id) = r.get(id_col).and_then(|b| enc.decode(b)) {
                let id = id.trim();
                if !id.is_empty() {
                    ids.push(fingerprint(id.as_bytes()), row)?;
                }
            }
            if let Some(n) = r.get(number_col).and_then(|b| enc.decode(b)).and_then(|s| my_number_value(s.trim()).ok())
            {
                numbers.push(number_key(n), row)?;
            }
            row += 1;
        }
        Ok(())
    })?;
    let mut d = Duplicates::default();
    ids.finish(&mut d.ids)?;
    numbers.finish(&mut d.numbers)?;
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn repeated(keys: &[u8], budget: usize) -> Vec<u64> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut r = Repeats::new(budget, dir.path(), "t");
        r.estimate = keys.len() as u64 / 2; // a low estimate: partitions larger than planned still work
        for (row, &k) in keys.iter().enumerate() {
            r.push(number_key(u64::from(k)), row as u64).expect("push");
        }
        let spilled = r.spill.is_some();
        let mut bits = RowBits::default();
        r.finish(&mut bits).expect("finish");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "temporary files removed");
        assert_eq!(spilled, keys.len() >= budget);
        (0..keys.len() as u64).filter(|&i| bits.get(i)).collect()
    }

    proptest! {
        #[test]
        fn flags_exactly_the_rows_whose_key_repeats(keys in proptest::collection::vec(0u8..40, 0..300), budget in 1usize..400) {
            let want: Vec<u64> = (0..keys.len())
                .filter(|&i| keys.iter().filter(|&&k| k == keys[i]).count() > 1)
                .map(|i| i as u64)
                .collect();
            prop_assert_eq!(repeated(&keys, budget), want);
        }
    }

    #[test]
    fn scan_flags_repeated_ids_and_numbers_through_partition_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("records.csv");
        std::fs::write(
            &path,
            "record_id,my_number,name,name_kana,birth_date,sex,address\n\
             a,123456789018,,,,,\n\
             b,983205673214,,,,,\n\
             a ,,,,,,\n\
             c,１２３４５６７８９０１８,,,,,\n\
             d,123456789012,,,,,\n\
             ,123456789012,,,,,\n",
        )
        .expect("write");
        let opened = crate::input::open(&path, crate::input::Kind::Records, None).expect("open");
        let cols = Columns::from_header(crate::input::Kind::Records, &path, &opened.header).expect("header");
        let d = scan(opened, &cols, &path, dir.path(), 2).expect("scan");
        let flagged = |b: &RowBits| (0..6).filter(|&i| b.get(i)).collect::<Vec<u64>>();
        assert_eq!(flagged(&d.ids), [0, 2], "ids are trimmed; an empty id is not a duplicate");
        assert_eq!(flagged(&d.numbers), [0, 3], "numbers compare as numbers; invalid ones are not counted");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1, "only records.csv is left");
    }

    #[test]
    fn row_bits() {
        let mut b = RowBits::default();
        assert!(!b.get(0) && !b.get(1_000_000));
        b.set(0);
        b.set(129);
        assert!(b.get(0) && b.get(129) && !b.get(128) && !b.get(130));
    }
}
