//! The output files: OUT.csv's header, the error file.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use crate::error::ReconcileError;
use crate::input::{Encoding, Kind, RowError, lossy_row};

/// The UTF-8 byte order mark written at the start of every CSV output, so that spreadsheet software
/// reads it as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// OUT.csv's own columns, before the carried-through extra columns (files.md).
pub use onshi_linkage::OUT_COLUMNS;

/// The error file's columns: `file` is `registry` or `records`, `line` the row's first line in that file
/// (the header is line 1), `record_id` when it could be read, `reason` a stable code, `detail` a plain
/// sentence, `row` the row as read (decoded with replacement characters where it was not valid).
pub const ERROR_COLUMNS: [&str; 6] = ["file", "line", "record_id", "reason", "detail", "row"];

/// Where the error file goes for `out`: `OUT.csv` → `OUT.errors.csv` (the extension, if any, replaced by
/// `errors.csv`).
///
/// ```
/// use std::path::Path;
/// use onshi_reconcile::errors_path;
/// assert_eq!(errors_path(Path::new("/tmp/out.csv")), Path::new("/tmp/out.errors.csv"));
/// assert_eq!(errors_path(Path::new("result")), Path::new("result.errors.csv"));
/// ```
pub fn errors_path(out: &Path) -> PathBuf {
    out.with_extension("errors.csv")
}

pub(crate) fn create(path: &Path) -> Result<BufWriter<File>, ReconcileError> {
    File::create(path)
        .map(|f| BufWriter::with_capacity(1 << 20, f))
        .map_err(|source| ReconcileError::Write { path: path.to_owned(), source })
}

pub(crate) fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(w)
}

/// OUT.csv's header row: the fixed columns, then the extra columns of RECORDS.csv (an extra column whose
/// name is one of the fixed ones is renamed `input_<name>`).
pub(crate) fn out_header(extra_names: &[String]) -> Vec<String> {
    OUT_COLUMNS
        .iter()
        .map(|s| (*s).to_owned())
        .chain(
            extra_names
                .iter()
                .map(|n| if OUT_COLUMNS.contains(&n.trim()) { format!("input_{}", n.trim()) } else { n.clone() }),
        )
        .collect()
}

/// Writes a CSV record into a byte buffer (writing into memory cannot fail).
pub(crate) fn record_bytes<I, T>(fields: I) -> Vec<u8>
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    let mut w = csv_writer(Vec::new());
    let _ = w.write_record(fields);
    let _ = w.flush();
    w.into_inner().unwrap_or_else(|e| e.into_inner().get_ref().clone())
}

/// The error file, written as problems are found, with counts by reason.
pub(crate) struct ErrorSink {
    path: PathBuf,
    out: BufWriter<File>,
    pub(crate) records: BTreeMap<String, u64>,
    pub(crate) registry: BTreeMap<String, u64>,
}

impl ErrorSink {
    pub(crate) fn create(path: &Path) -> Result<ErrorSink, ReconcileError> {
        let mut out = create(path)?;
        out.write_all(BOM)
            .and_then(|()| out.write_all(&record_bytes(ERROR_COLUMNS)))
            .map_err(|source| ReconcileError::Write { path: path.to_owned(), source })?;
        Ok(ErrorSink { path: path.to_owned(), out, records: BTreeMap::new(), registry: BTreeMap::new() })
    }

    fn err(&self, source: std::io::Error) -> ReconcileError {
        ReconcileError::Write { path: self.path.clone(), source }
    }

    /// An unreadable row.
    pub(crate) fn row(
        &mut self,
        kind: Kind,
        line: u64,
        record_id: &str,
        e: &RowError,
        row: &ByteRecord,
        enc: Encoding,
    ) -> Result<(), ReconcileError> {
        self.note(kind, line, record_id, e, &lossy_row(row, enc))
    }

    /// A problem with a row, given the row's text.
    pub(crate) fn note(
        &mut self,
        kind: Kind,
        line: u64,
        record_id: &str,
        e: &RowError,
        row: &str,
    ) -> Result<(), ReconcileError> {
        let counts = match kind {
            Kind::Registry => &mut self.registry,
            Kind::Records => &mut self.records,
        };
        *counts.entry(e.code().to_owned()).or_default() += 1;
        let bytes = record_bytes([kind.as_str(), &line.to_string(), record_id, e.code(), &e.detail(), row]);
        self.out.write_all(&bytes).map_err(|e| self.err(e))
    }

    pub(crate) fn finish(mut self) -> Result<(), ReconcileError> {
        self.out.flush().map_err(|e| self.err(e))
    }
}
