//! Reading a world written by [`crate::generate`] back, for the replay: every row as the strings the files
//! hold (the service parses them, as it parses a request), each bad row an error with its file and line.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use onshi_law::Date;
use serde::Deserialize;

use crate::SimError;

fn unreadable(path: &Path, line: u64, reason: impl std::fmt::Display) -> SimError {
    SimError::Read { path: path.to_owned(), line, reason: reason.to_string() }
}

/// The period of a world, from its `summary.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The seed the world was made from.
    pub seed: u64,
    /// The first day.
    pub start: Date,
    /// The last day.
    pub end: Date,
    /// Residents at the start.
    pub persons: u64,
}

/// Reads `summary.json`.
pub fn period(dir: &Path) -> Result<Period, SimError> {
    #[derive(Deserialize)]
    struct S {
        seed: u64,
        start: String,
        end: String,
        persons: u64,
    }
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).map_err(|source| SimError::Io { path: path.clone(), source })?;
    let s: S = serde_json::from_str(&text).map_err(|e| unreadable(&path, e.line() as u64, e))?;
    let date = |v: &str| onshi_law::parse_iso_date(v).map_err(|e| unreadable(&path, 1, format!("{v:?}: {e}")));
    Ok(Period { seed: s.seed, start: date(&s.start)?, end: date(&s.end)?, persons: s.persons })
}

/// A CSV file read row by row into `T`.
pub struct Rows<T> {
    path: PathBuf,
    inner: csv::DeserializeRecordsIntoIter<File, T>,
}

/// Opens a CSV file of the world (`registry_start.csv`, `members.csv`, `visits.csv`, `truth.csv`).
pub fn rows<T: for<'de> Deserialize<'de>>(dir: &Path, name: &str) -> Result<Rows<T>, SimError> {
    let path = dir.join(name);
    let f = File::open(&path).map_err(|source| SimError::Io { path: path.clone(), source })?;
    Ok(Rows { inner: csv::Reader::from_reader(f).into_deserialize(), path })
}

impl<T: for<'de> Deserialize<'de>> Iterator for Rows<T> {
    type Item = Result<T, SimError>;

    fn next(&mut self) -> Option<Self::Item> {
        let r = self.inner.next()?;
        Some(r.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            unreadable(&self.path, line, e)
        }))
    }
}

/// A row of `registry.csv` / `registry_start.csv`.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ResidentRow {
    pub my_number: String,
    pub name: String,
    pub name_kana: String,
    pub birth_date: String,
    pub sex: String,
    pub address: String,
}

/// A row of `members.csv`: a member record as the insurer enrolled it.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct MemberRow {
    pub record_id: String,
    pub insurer_number: String,
    pub symbol: Option<String>,
    pub number: String,
    pub branch: String,
    pub relationship: String,
    pub insured_record_id: Option<String>,
    pub my_number: Option<String>,
    pub name: String,
    pub name_kana: String,
    pub birth_date: String,
    pub sex: String,
    pub address: String,
    pub acquired_on: String,
    pub income_bracket: Option<String>,
    pub copay_ratio: Option<u8>,
    pub reported_on: String,
}

/// A row of `visits.csv`.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct VisitRow {
    pub service_date: String,
    pub my_number: String,
    pub institution_code: String,
    pub presents: String,
    pub card_record_id: Option<String>,
    pub covered_record_id: Option<String>,
    pub copay_ratio: Option<u8>,
    pub income_bracket: Option<String>,
}

/// A row of `truth.csv`.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct TruthRow {
    pub record_id: String,
    pub true_my_number: String,
    pub error: Option<String>,
}

/// One line of `events.jsonl`, every field as written (those a kind does not use are `None`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct EventLine {
    pub at: String,
    pub kind: String,
    pub cause: String,
    pub event_id: u64,
    pub effective_on: String,
    pub reported_on: String,
    pub my_number: Option<String>,
    pub name: Option<String>,
    pub name_kana: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub address: Option<String>,
    pub record_id: Option<String>,
    pub insurer_number: Option<String>,
    pub symbol: Option<String>,
    pub number: Option<String>,
    pub branch: Option<String>,
    pub relationship: Option<String>,
    pub insured_record_id: Option<String>,
    pub acquired_on: Option<String>,
    pub income_bracket: Option<String>,
    pub copay_ratio: Option<u8>,
    pub lost_on: Option<String>,
    pub reason: Option<String>,
}

/// `events.jsonl`, line by line, with each line's day parsed.
pub struct Events {
    path: PathBuf,
    lines: std::io::Lines<BufReader<File>>,
    line: u64,
}

/// Opens `events.jsonl`.
pub fn events(dir: &Path) -> Result<Events, SimError> {
    let path = dir.join("events.jsonl");
    let f = File::open(&path).map_err(|source| SimError::Io { path: path.clone(), source })?;
    Ok(Events { lines: BufReader::with_capacity(1 << 20, f).lines(), path, line: 0 })
}

impl Iterator for Events {
    type Item = Result<(Date, EventLine), SimError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let l = self.lines.next()?;
            self.line += 1;
            let l = match l {
                Ok(l) => l,
                Err(e) => return Some(Err(unreadable(&self.path, self.line, e))),
            };
            if l.trim().is_empty() {
                continue;
            }
            let parsed =
                serde_json::from_str::<EventLine>(&l).map_err(|e| unreadable(&self.path, self.line, e)).and_then(|e| {
                    let at = onshi_law::parse_iso_date(&e.at)
                        .map_err(|err| unreadable(&self.path, self.line, format!("at {:?}: {err}", e.at)))?;
                    Ok((at, e))
                });
            return Some(parsed);
        }
    }
}

impl Events {
    /// The file and the line last read (for error messages).
    pub fn position(&self) -> (&Path, u64) {
        (&self.path, self.line)
    }
}

/// Parses a date field of a row, naming the file and line when it is bad.
pub(crate) fn date_of(path: &Path, line: u64, what: &str, v: &str) -> Result<Date, SimError> {
    onshi_law::parse_iso_date(v).map_err(|e| unreadable(path, line, format!("{what} {v:?}: {e}")))
}
