//! The first, quick pass over RECORDS.csv: which record ids and which My Numbers occur twice, so that
//! *every* row involved is flagged while the rows are then written in order.

use std::collections::HashSet;
use std::path::Path;

use rayon::slice::ParallelSliceMut;

use crate::chunks::{CHUNK_ROWS, for_each_chunk};
use crate::error::ReconcileError;
use crate::index::fingerprint;
use crate::input::{Col, Columns, Opened, my_number_value};

/// Record-id fingerprints and My Numbers that occur on two or more rows.
#[derive(Debug, Default)]
pub(crate) struct Duplicates {
    pub(crate) ids: HashSet<u128>,
    pub(crate) numbers: HashSet<u64>,
}

fn repeated<T: Copy + Ord + std::hash::Hash + Send>(mut v: Vec<T>) -> HashSet<T> {
    v.par_sort_unstable();
    v.chunk_by(|a, b| a == b).filter(|run| run.len() > 1).filter_map(|run| run.first().copied()).collect()
}

/// Reads the record_id and my_number of every row (memory: 24 bytes a row, freed before grading).
pub(crate) fn scan(opened: Opened, cols: &Columns, path: &Path) -> Result<Duplicates, ReconcileError> {
    let enc = opened.encoding;
    let (id_col, number_col) = (cols.get(Col::RecordId), cols.get(Col::MyNumber));
    let mut ids = Vec::new();
    let mut numbers = Vec::new();
    for_each_chunk(opened.reader, path, CHUNK_ROWS, |chunk| {
        for row in chunk.rows() {
            if let Some(id) = row.get(id_col).and_then(|b| enc.decode(b)) {
                let id = id.trim();
                if !id.is_empty() {
                    ids.push(fingerprint(id.as_bytes()));
                }
            }
            if let Some(n) =
                row.get(number_col).and_then(|b| enc.decode(b)).and_then(|s| my_number_value(s.trim()).ok())
            {
                numbers.push(n);
            }
        }
        Ok(())
    })?;
    Ok(Duplicates { ids: repeated(ids), numbers: repeated(numbers) })
}
