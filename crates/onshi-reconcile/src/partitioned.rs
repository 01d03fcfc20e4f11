//! The partitioned run, for a registry bigger than the memory budget ([`crate::Options::memory`]).
//!
//! Every grade compares a record with its number's owner and with the residents sharing one of its
//! blocking keys, and every blocking key includes the birth date. So the residents are split by a hash
//! of their birth date into P partitions, and the records by theirs: a record finds all its candidates
//! in its own partition. Its owner may be born on another day (a typo in the record's birth date, a
//! wrong number): such owners are copied into the record's partition before it is graded. Then:
//!
//! 1. REGISTRY.csv → `registry-p` files (each resident with its index among all residents, in file
//!    order) and, in memory, the My Number index (16 bytes a resident) and each resident's partition
//!    (2 bytes); unreadable rows and repeated numbers go to the error file exactly as in memory.
//! 2. RECORDS.csv → `records-p` files (each readable record with its owner's index); the owners living
//!    in another partition are noted (12 bytes a record born on another day than its owner).
//! 3. For each partition with noted owners, `registry-p` is read once and the owners are copied into the
//!    `owners-q` file of each partition q that needs them.
//! 4. Partition by partition: its residents and owners are loaded and indexed, its records graded in
//!    parallel, their outcomes written to `results-p` (23 bytes a record, in input order), and its
//!    other files removed.
//! 5. RECORDS.csv is read again in order and each readable row takes the next outcome of its partition:
//!    OUT.csv, the error file, the summary and the report are then written by the same code as in memory.
//!
//! A partition's residents are indexed under their indices in the whole registry, so candidates come in
//! the same order and are cut at the same [`crate::registry::MAX_PER_KEY`] as in memory: the outputs are
//! byte for byte those of the in-memory run (tests/partitioned.rs). The only way they could differ is two
//! blocking keys of different birth dates with the same 64-bit hash — which in memory would put them in one
//! bucket — a chance of about 10⁻¹⁹ per pair of keys.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use csv::ByteRecord;
use indicatif::ProgressBar;
use onshi_linkage::Prepared;
use rayon::prelude::*;

use crate::PART_ROWS;
use crate::chunks::{CHUNK_ROWS, for_each_chunk};
use crate::engine::{Carried, Outcome, grade_record, read_record};
use crate::error::ReconcileError;
use crate::index::{MultiIndex, mix};
use crate::input::{Columns, Encoding, Kind, Opened};
use crate::output::ErrorSink;
use crate::progress;
use crate::registry::{ParsedResident, Registry, note_repeated_numbers, owner_in, read_resident};
use crate::spill::{Cursor, Entries, Outcomes, Writer, damaged, put_entry, put_outcome, tmp_err};

/// Memory the in-memory run takes per byte of REGISTRY.csv: 4.16 GiB for a registry of 1.1 GB in
/// docs/benchmarks.md (its index, its prepared residents and everything else), rounded up.
pub(crate) const MEMORY_PER_REGISTRY_BYTE: u64 = 4;

/// At most this many partitions (files open at once: three times as many, 64 KiB of buffer each).
pub(crate) const MAX_PARTITIONS: usize = 256;

/// How many partitions a registry of `registry_bytes` needs within `memory` bytes; `None` when it fits
/// in memory whole (the in-memory run, which is then the faster).
///
/// Each partition's residents get a third of the budget: the rest is for the My Number index of the
/// whole registry, the records in flight and the allocator's slack.
pub(crate) fn partitions(registry_bytes: u64, memory: u64) -> Option<usize> {
    let need = registry_bytes.saturating_mul(MEMORY_PER_REGISTRY_BYTE);
    if need <= memory {
        return None;
    }
    let per = (memory / 3).max(1);
    Some(need.div_ceil(per).clamp(2, MAX_PARTITIONS as u64) as usize)
}

/// The partition of everyone born on `birth`.
pub(crate) fn partition_of(birth: NaiveDate, parts: usize) -> usize {
    (mix(birth.num_days_from_ce() as u64) % parts.max(1) as u64) as usize
}

fn file(dir: &Path, kind: &str, p: usize) -> PathBuf {
    dir.join(format!("{kind}-{p:04}"))
}

/// A partitioned run in progress: its temporary folder and what it keeps in memory.
pub(crate) struct Partitioned {
    dir: tempfile::TempDir,
    parts: usize,
    /// My Number (mixed) → resident index; dropped once the records are split.
    by_number: MultiIndex,
    /// Each resident's partition; dropped once the records are split.
    part_of: Vec<u16>,
    /// Residents whose My Number is also another registry row's.
    shared_number: HashSet<u32>,
    /// Owners to copy: (owner's partition, owner, the record's partition).
    requests: Vec<(u16, u32, u16)>,
    /// Data rows of REGISTRY.csv.
    pub(crate) rows: u64,
    /// Registry rows loaded as residents.
    pub(crate) residents: u64,
}

impl Partitioned {
    /// Pass 1: splits REGISTRY.csv into `parts` partition files in a temporary folder in `tmp_dir`.
    pub(crate) fn split_registry(
        opened: Opened,
        path: &Path,
        tmp_dir: &Path,
        parts: usize,
        bar: &ProgressBar,
        sink: &mut ErrorSink,
    ) -> Result<Partitioned, ReconcileError> {
        let cols = Columns::from_header(Kind::Registry, path, &opened.header)?;
        let (enc, size) = (opened.encoding, opened.size);
        let dir = tempfile::Builder::new().prefix(".onshi-reconcile-").tempdir_in(tmp_dir).map_err(tmp_err(tmp_dir))?;
        let mut writers =
            (0..parts).map(|p| Writer::create(file(dir.path(), "registry", p))).collect::<Result<Vec<_>, _>>()?;
        let (mut numbers, mut lines, mut part_of) = (Vec::new(), Vec::new(), Vec::new());
        let mut rows = 0u64;
        for_each_chunk(opened.reader, path, CHUNK_ROWS, |chunk| {
            let parsed: Vec<_> = chunk
                .rows()
                .par_iter()
                .map(|row| {
                    read_resident(row, &cols, enc).map(|(number, person)| {
                        let b = person.basic4();
                        let mut buf = Vec::with_capacity(160);
                        let mut head = [0u8; 12];
                        head[4..].copy_from_slice(&number.to_le_bytes());
                        put_entry(&mut buf, &head, &b);
                        (number, partition_of(b.birth_date, parts), buf)
                    })
                })
                .collect();
            for (p, row) in parsed.into_iter().zip(chunk.rows()) {
                rows += 1;
                let line = row.position().map_or(0, |p| p.line());
                match p {
                    Ok((number, part, mut buf)) => {
                        let i = u32::try_from(numbers.len()).unwrap_or(u32::MAX);
                        if let Some(slot) = buf.get_mut(4..8) {
                            slot.copy_from_slice(&i.to_le_bytes());
                        }
                        if let Some(w) = writers.get_mut(part) {
                            w.write(&buf)?;
                        }
                        numbers.push(number);
                        lines.push(line);
                        part_of.push(part as u16);
                    }
                    Err(e) => sink.row(Kind::Registry, line, "", &e, row, enc)?,
                }
            }
            progress::advance(bar, chunk, size, rows);
            Ok(())
        })?;
        for w in writers {
            w.finish()?;
        }
        bar.set_message("index");
        let by_number = MultiIndex::build(
            numbers.iter().enumerate().map(|(i, &n)| (mix(n), u32::try_from(i).unwrap_or(u32::MAX))).collect(),
        );
        let repeated: Vec<Vec<u32>> = by_number.repeated().collect();
        let number_str = |i: u32| numbers.get(i as usize).map(|n| format!("{n:012}")).unwrap_or_default();
        note_repeated_numbers(&repeated, &lines, number_str, sink)?;
        let shared_number = repeated.iter().flatten().copied().collect();
        Ok(Partitioned {
            dir,
            parts,
            by_number,
            part_of,
            shared_number,
            requests: Vec::new(),
            rows,
            residents: numbers.len() as u64,
        })
    }

    /// Pass 2: splits the readable rows of RECORDS.csv by birth date, each with its owner; notes the
    /// owners born in another partition.
    pub(crate) fn split_records(
        &mut self,
        opened: Opened,
        path: &Path,
        cols: &Columns,
        bar: &ProgressBar,
    ) -> Result<(), ReconcileError> {
        let (enc, size, parts) = (opened.encoding, opened.size, self.parts);
        let mut writers =
            (0..parts).map(|p| Writer::create(file(self.dir.path(), "records", p))).collect::<Result<Vec<_>, _>>()?;
        let mut rows = 0u64;
        let by_number = &self.by_number;
        for_each_chunk(opened.reader, path, CHUNK_ROWS, |chunk| {
            let parsed: Vec<Option<SplitRecord>> = chunk
                .rows()
                .par_iter()
                .map(|row| {
                    let (person, _) = read_record(row, cols, enc).ok()?;
                    let b = person.basic4();
                    let number = Carried::read(&person.my_number);
                    let owner = number.value().and_then(|n| owner_in(by_number, n));
                    let mut buf = Vec::with_capacity(160);
                    put_entry(&mut buf, &record_head(owner, number), &b);
                    Some((partition_of(b.birth_date, parts), owner, buf))
                })
                .collect();
            for (part, owner, buf) in parsed.into_iter().flatten() {
                if let Some(w) = writers.get_mut(part) {
                    w.write(&buf)?;
                }
                if let Some(o) = owner {
                    let home = self.part_of.get(o as usize).copied().unwrap_or(part as u16);
                    if usize::from(home) != part {
                        self.requests.push((home, o, part as u16));
                    }
                }
            }
            rows += chunk.len as u64;
            progress::advance(bar, chunk, size, rows);
            Ok(())
        })?;
        for w in writers {
            w.finish()?;
        }
        self.by_number = MultiIndex::default();
        self.part_of = Vec::new();
        Ok(())
    }

    /// Pass 3: copies each noted owner into the `owners-q` file of every partition q that needs it.
    pub(crate) fn copy_owners(&mut self) -> Result<(), ReconcileError> {
        let mut requests = std::mem::take(&mut self.requests);
        requests.par_sort_unstable();
        requests.dedup();
        let mut writers: Vec<Option<Writer>> = (0..self.parts).map(|_| None).collect();
        let mut buf = Vec::new();
        for group in requests.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(home, ..)) = group.first() else { continue };
            let mut entries = Entries::open(file(self.dir.path(), "registry", usize::from(home)))?;
            let mut wanted = group.iter().peekable();
            loop {
                let ranges = entries.batch(CHUNK_ROWS, &mut buf)?;
                if ranges.is_empty() {
                    break;
                }
                for r in ranges {
                    let entry = buf.get(r).unwrap_or_default();
                    let i = Cursor(entry).u32().ok_or_else(|| damaged(entries.path()))?;
                    while let Some(&&(_, o, to)) = wanted.peek() {
                        if o > i {
                            break;
                        }
                        wanted.next();
                        if o < i {
                            continue; // cannot happen: every owner is in its partition's file
                        }
                        let slot = writers.get_mut(usize::from(to)).ok_or_else(|| damaged(entries.path()))?;
                        if slot.is_none() {
                            *slot = Some(Writer::create(file(self.dir.path(), "owners", usize::from(to)))?);
                        }
                        if let Some(w) = slot {
                            w.write(&(entry.len() as u32).to_le_bytes())?;
                            w.write(entry)?;
                        }
                    }
                }
            }
        }
        for w in writers.into_iter().flatten() {
            w.finish()?;
        }
        Ok(())
    }

    /// Pass 4: grades every partition's records into its results file.
    pub(crate) fn grade(&self, bar: &ProgressBar) -> Result<(), ReconcileError> {
        let dir = self.dir.path();
        for p in 0..self.parts {
            bar.set_message(format!("part {}/{}", p + 1, self.parts));
            let residents = load(file(dir, "registry", p))?;
            let owners = load(file(dir, "owners", p))?;
            let reg = Registry::partition(residents, owners, &self.shared_number);
            let mut records = Entries::open(file(dir, "records", p))?;
            let mut results = Writer::create(file(dir, "results", p))?;
            let mut buf = Vec::new();
            loop {
                let ranges = records.batch(CHUNK_ROWS, &mut buf)?;
                if ranges.is_empty() {
                    break;
                }
                let parts: Vec<Result<Vec<u8>, ()>> = ranges
                    .par_chunks(PART_ROWS)
                    .map(|part| {
                        let mut out = Vec::with_capacity(part.len() * crate::spill::OUTCOME_BYTES);
                        let mut cands = Vec::new();
                        for r in part {
                            let o = grade_entry(&reg, buf.get(r.clone()).unwrap_or_default(), &mut cands).ok_or(())?;
                            put_outcome(&mut out, &o);
                        }
                        Ok(out)
                    })
                    .collect();
                for part in parts {
                    results.write(&part.map_err(|()| damaged(records.path()))?)?;
                }
                bar.inc(ranges.len() as u64);
            }
            results.finish()?;
            for kind in ["registry", "owners", "records"] {
                let f = file(dir, kind, p);
                match std::fs::remove_file(&f) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(ReconcileError::Temporary { path: f, source: e });
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Pass 5: the outcomes, in input order.
    pub(crate) fn outcomes(&self) -> Result<Merge, ReconcileError> {
        let readers = (0..self.parts)
            .map(|p| Outcomes::open(file(self.dir.path(), "results", p)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Merge { parts: self.parts, readers })
    }

    /// Removes the temporary folder.
    pub(crate) fn close(self) -> Result<(), ReconcileError> {
        let path = self.dir.path().to_owned();
        self.dir.close().map_err(tmp_err(&path))
    }
}

/// A readable record split: its partition, its owner, its entry.
type SplitRecord = (usize, Option<u32>, Vec<u8>);

/// A record's fixed head: its owner (`u32::MAX` for none) and the number it carries (tag, value).
fn record_head(owner: Option<u32>, number: Carried) -> [u8; 13] {
    let mut head = [0u8; 13];
    head[..4].copy_from_slice(&owner.unwrap_or(u32::MAX).to_le_bytes());
    let (tag, value) = match number {
        Carried::Valid(n) => (0, n),
        Carried::Invalid => (1, 0),
        Carried::Missing => (2, 0),
    };
    head[4] = tag;
    head[5..].copy_from_slice(&value.to_le_bytes());
    head
}

/// Grades one entry of a `records-p` file.
fn grade_entry(reg: &Registry, entry: &[u8], cands: &mut Vec<u32>) -> Option<Outcome> {
    let mut c = Cursor(entry);
    let owner = c.u32().filter(|&o| o != u32::MAX);
    let tag = c.u8()?;
    let value = c.u64()?;
    let number = match tag {
        0 => Carried::Valid(value),
        1 => Carried::Invalid,
        2 => Carried::Missing,
        _ => return None,
    };
    let record = Prepared::new(&c.basic4()?);
    Some(grade_record(reg, &record, number, owner, cands))
}

/// The residents of a `registry-p` or `owners-p` file, prepared, with their blocking keys.
fn load(path: PathBuf) -> Result<Vec<ParsedResident>, ReconcileError> {
    let mut entries = Entries::open(path)?;
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        let ranges = entries.batch(CHUNK_ROWS, &mut buf)?;
        if ranges.is_empty() {
            return Ok(out);
        }
        let parsed: Option<Vec<ParsedResident>> = ranges
            .par_iter()
            .map(|r| {
                let mut c = Cursor(buf.get(r.clone()).unwrap_or_default());
                let (i, number) = (c.u32()?, c.u64()?);
                let person = Prepared::new(&c.basic4()?);
                let keys = person.blocking_keys();
                Some((i, number, person, keys))
            })
            .collect();
        out.extend(parsed.ok_or_else(|| damaged(entries.path()))?);
    }
}

/// The outcomes of the partitions, handed out in input order.
pub(crate) struct Merge {
    parts: usize,
    readers: Vec<Outcomes>,
}

impl Merge {
    /// The outcome of each row of `rows` (the next rows of RECORDS.csv), `None` for the unreadable ones.
    pub(crate) fn next(
        &mut self,
        rows: &[ByteRecord],
        cols: &Columns,
        enc: Encoding,
    ) -> Result<Vec<Option<Outcome>>, ReconcileError> {
        let parts = self.parts;
        let homes: Vec<Option<usize>> = rows
            .par_iter()
            .map(|row| read_record(row, cols, enc).ok().map(|(p, _)| partition_of(p.birth_date, parts)))
            .collect();
        homes
            .into_iter()
            .map(|home| match home {
                None => Ok(None),
                Some(p) => self.readers.get_mut(p).ok_or_else(|| damaged(Path::new("results")))?.next().map(Some),
            })
            .collect()
    }
}
