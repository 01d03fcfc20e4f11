//! The partition files of a partitioned run: a resident or a record as bytes, and files of such entries
//! read back in batches.
//!
//! An entry is `[u32 length][fixed head][basic four]`, little-endian; the basic four is
//! `[i32 birth date (days from CE)][u8 sex: 0 unknown, 1 male, 2 female]` then the name, the reading
//! and the address, each `[u32 length][UTF-8]` (trimmed, as `Person::basic4` trims them; empty = absent).
//! The files are written and read by this process only, in its temporary folder.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use onshi_linkage::{Basic4, Grade, Sex, Verdict};

use crate::engine::{Codes, Outcome};
use crate::error::ReconcileError;

pub(crate) fn tmp_err(path: &Path) -> impl Fn(std::io::Error) -> ReconcileError + '_ {
    move |source| ReconcileError::Temporary { path: path.to_owned(), source }
}

fn corrupt(path: &Path, what: &str) -> ReconcileError {
    ReconcileError::Temporary {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, format!("temporary file damaged: {what}")),
    }
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

/// Appends one entry: `head` then the basic four.
pub(crate) fn put_entry(buf: &mut Vec<u8>, head: &[u8], b: &Basic4<'_>) {
    let at = buf.len();
    buf.extend_from_slice(&[0; 4]);
    buf.extend_from_slice(head);
    buf.extend_from_slice(&b.birth_date.num_days_from_ce().to_le_bytes());
    buf.push(match b.sex {
        None => 0,
        Some(Sex::Male) => 1,
        Some(Sex::Female) => 2,
    });
    put_str(buf, b.name);
    put_str(buf, b.name_kana.unwrap_or(""));
    put_str(buf, b.address.unwrap_or(""));
    let len = (buf.len() - at - 4) as u32;
    if let Some(slot) = buf.get_mut(at..at + 4) {
        slot.copy_from_slice(&len.to_le_bytes());
    }
}

/// Reads little-endian values off the front of a byte slice.
pub(crate) struct Cursor<'a>(pub(crate) &'a [u8]);

impl<'a> Cursor<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.take(1).and_then(|b| b.first().copied())
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.take(4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.take(8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes)
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }

    /// The basic four written by [`put_entry`].
    pub(crate) fn basic4(&mut self) -> Option<Basic4<'a>> {
        let days = self.take(4).and_then(|b| b.try_into().ok()).map(i32::from_le_bytes)?;
        let birth_date = NaiveDate::from_num_days_from_ce_opt(days)?;
        let sex = match self.u8()? {
            0 => None,
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            _ => return None,
        };
        let name = self.str()?;
        let opt = |s: &'a str| (!s.is_empty()).then_some(s);
        let name_kana = opt(self.str()?);
        let address = opt(self.str()?);
        Some(Basic4 { name, name_kana, birth_date, sex, address })
    }
}

/// A partition file being written.
pub(crate) struct Writer {
    path: PathBuf,
    out: BufWriter<File>,
}

impl Writer {
    pub(crate) fn create(path: PathBuf) -> Result<Writer, ReconcileError> {
        let f = File::create(&path).map_err(tmp_err(&path))?;
        Ok(Writer { out: BufWriter::with_capacity(1 << 16, f), path })
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<(), ReconcileError> {
        self.out.write_all(bytes).map_err(tmp_err(&self.path))
    }

    pub(crate) fn finish(mut self) -> Result<(), ReconcileError> {
        self.out.flush().map_err(tmp_err(&self.path))
    }
}

/// A file of entries, read back a batch at a time.
pub(crate) struct Entries {
    path: PathBuf,
    input: Option<BufReader<File>>,
}

impl Entries {
    /// Opens `path`; a file never created reads as empty.
    pub(crate) fn open(path: PathBuf) -> Result<Entries, ReconcileError> {
        let input = match File::open(&path) {
            Ok(f) => Some(BufReader::with_capacity(1 << 16, f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(ReconcileError::Temporary { path, source: e }),
        };
        Ok(Entries { path, input })
    }

    /// Reads up to `max` entries into `buf` (cleared first); returns their byte ranges in `buf`, empty at
    /// the end of the file.
    pub(crate) fn batch(
        &mut self,
        max: usize,
        buf: &mut Vec<u8>,
    ) -> Result<Vec<std::ops::Range<usize>>, ReconcileError> {
        buf.clear();
        let mut ranges = Vec::new();
        let Some(input) = &mut self.input else { return Ok(ranges) };
        while ranges.len() < max {
            let mut len = [0u8; 4];
            match input.read_exact(&mut len) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(ReconcileError::Temporary { path: self.path.clone(), source: e }),
            }
            let n = u32::from_le_bytes(len) as usize;
            let at = buf.len();
            buf.resize(at + n, 0);
            let slot = buf.get_mut(at..).unwrap_or_default();
            input.read_exact(slot).map_err(tmp_err(&self.path))?;
            ranges.push(at..at + n);
        }
        Ok(ranges)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// The damaged-file error for an entry that does not decode.
pub(crate) fn damaged(path: &Path) -> ReconcileError {
    corrupt(path, "an entry does not decode")
}

const VERDICTS: [Verdict; 7] = [
    Verdict::Match,
    Verdict::Notation,
    Verdict::Variant,
    Verdict::Reading,
    Verdict::Typo,
    Verdict::Differs,
    Verdict::Missing,
];

/// Bytes of an outcome in a results file.
pub(crate) const OUTCOME_BYTES: usize = 23;

/// An outcome as [`OUTCOME_BYTES`] bytes.
pub(crate) fn put_outcome(buf: &mut Vec<u8>, o: &Outcome) {
    buf.push(match o.grade {
        Grade::A => 0,
        Grade::B => 1,
        Grade::C => 2,
    });
    let verdict = |v: Verdict| VERDICTS.iter().position(|&x| x == v).unwrap_or(0) as u8;
    match o.fields {
        Some(f) => {
            buf.push(1);
            buf.extend([f.name, f.name_kana, f.birth_date, f.sex, f.address].map(verdict));
        }
        None => buf.extend_from_slice(&[0; 6]),
    }
    buf.extend_from_slice(&o.codes.bits().to_le_bytes());
    buf.extend_from_slice(&o.suggested.unwrap_or(u64::MAX).to_le_bytes());
}

/// The outcome [`put_outcome`] wrote.
pub(crate) fn get_outcome(bytes: &[u8; OUTCOME_BYTES]) -> Option<Outcome> {
    let mut c = Cursor(bytes);
    let grade = match c.u8()? {
        0 => Grade::A,
        1 => Grade::B,
        2 => Grade::C,
        _ => return None,
    };
    let has_fields = c.u8()? == 1;
    let v = c.take(5)?;
    let verdict = |i: usize| v.get(i).and_then(|&x| VERDICTS.get(x as usize)).copied();
    let fields = if has_fields {
        Some(onshi_linkage::Fields {
            name: verdict(0)?,
            name_kana: verdict(1)?,
            birth_date: verdict(2)?,
            sex: verdict(3)?,
            address: verdict(4)?,
        })
    } else {
        None
    };
    let codes = Codes::from_bits(c.u64()?);
    let suggested = c.u64().filter(|&n| n != u64::MAX);
    Some(Outcome { grade, fields, codes, suggested })
}

/// A results file, read one outcome at a time in the order written.
pub(crate) struct Outcomes {
    path: PathBuf,
    input: Option<BufReader<File>>,
}

impl Outcomes {
    pub(crate) fn open(path: PathBuf) -> Result<Outcomes, ReconcileError> {
        Entries::open(path).map(|e| Outcomes { path: e.path, input: e.input })
    }

    pub(crate) fn next(&mut self) -> Result<Outcome, ReconcileError> {
        let mut bytes = [0u8; OUTCOME_BYTES];
        let input = self.input.as_mut().ok_or_else(|| corrupt(&self.path, "missing"))?;
        input.read_exact(&mut bytes).map_err(tmp_err(&self.path))?;
        get_outcome(&bytes).ok_or_else(|| damaged(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_outcomes_round_trip() {
        let b = Basic4 {
            name: "髙橋 一郎",
            name_kana: None,
            birth_date: NaiveDate::from_ymd_opt(1980, 4, 15).expect("date"),
            sex: Some(Sex::Female),
            address: Some("東京都千代田区"),
        };
        let mut buf = Vec::new();
        put_entry(&mut buf, &[7, 0, 0, 0], &b);
        let mut c = Cursor(&buf);
        assert_eq!(c.u32(), Some(buf.len() as u32 - 4));
        assert_eq!(c.u32(), Some(7));
        assert_eq!(c.basic4(), Some(b));
        assert!(c.0.is_empty());

        for o in [
            Outcome { grade: Grade::C, fields: None, codes: Codes::from_bits(1 << 40 | 3), suggested: Some(12) },
            Outcome {
                grade: Grade::B,
                fields: Some(onshi_linkage::Fields {
                    name: Verdict::Variant,
                    name_kana: Verdict::Missing,
                    birth_date: Verdict::Typo,
                    sex: Verdict::Match,
                    address: Verdict::Differs,
                }),
                codes: Codes::default(),
                suggested: None,
            },
        ] {
            let mut buf = Vec::new();
            put_outcome(&mut buf, &o);
            let bytes: [u8; OUTCOME_BYTES] = buf.as_slice().try_into().expect("size");
            assert_eq!(get_outcome(&bytes), Some(o));
        }
    }
}
