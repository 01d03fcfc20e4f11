//! What can stop a reconciliation run.

use std::path::PathBuf;

/// An error that stops [`run`](crate::run). A bad *row* never does: it is written to the error file and
/// counted in the summary instead (see the crate docs). Every variant has a stable snake_case
/// [`code`](ReconcileError::code) and a message that says what is wrong and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReconcileError {
    /// An input file could not be opened or read.
    #[error("cannot read {path}: {source}. Check that the file exists and that you may read it.")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// An output file could not be created or written.
    #[error(
        "cannot write {path}: {source}. Check that the folder exists, that you may write to it and that the disk is not full."
    )]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A temporary file (for finding duplicates among many records) could not be written or read.
    #[error(
        "cannot use temporary files in {path}: {source}. They go next to the output file: check that the folder is writable and that the disk has room for about 24 bytes per record."
    )]
    Temporary {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// An output path names one of the input files.
    #[error("{path} is an input file and would be overwritten. Choose another name for the output.")]
    OutputIsInput {
        /// The path given twice.
        path: PathBuf,
    },
    /// An input file has no header row.
    #[error("{path} is empty: expected a header row naming the columns ({expected}) and one row per person.")]
    Empty {
        /// The file.
        path: PathBuf,
        /// The columns the file must have.
        expected: &'static str,
    },
    /// The header row lacks required columns.
    #[error(
        "{path} has no column {missing}: its header row names {found}. Rename the columns to {expected} (any order; other columns are kept)."
    )]
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// The missing required columns, comma-separated.
        missing: String,
        /// The header row as read, comma-separated.
        found: String,
        /// The columns the file must have.
        expected: &'static str,
    },
    /// A column is named twice in the header row.
    #[error("{path} names the column {column} twice in its header row. Keep one of them.")]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// The header row cannot be decoded in the detected or forced encoding.
    #[error(
        "the header row of {path} is not valid {encoding}. Save the file as UTF-8 or Shift_JIS (CP932), or pass the right --encoding."
    )]
    HeaderEncoding {
        /// The file.
        path: PathBuf,
        /// The encoding tried.
        encoding: &'static str,
    },
    /// The thread pool could not be started.
    #[error("cannot start {threads} worker threads: {source}. Try fewer threads.")]
    Threads {
        /// Threads requested.
        threads: usize,
        /// What rayon said.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
    /// The summary could not be serialised (should not happen).
    #[error("cannot write the summary as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl ReconcileError {
    /// The stable snake_case code: `cannot_read_input`, `cannot_write_output`, `temporary_files`, `output_is_input`,
    /// `empty_input`, `missing_column`, `duplicate_column`, `header_encoding`, `thread_pool`,
    /// `summary_json`.
    pub fn code(&self) -> &'static str {
        match self {
            ReconcileError::Read { .. } => "cannot_read_input",
            ReconcileError::Write { .. } => "cannot_write_output",
            ReconcileError::Temporary { .. } => "temporary_files",
            ReconcileError::OutputIsInput { .. } => "output_is_input",
            ReconcileError::Empty { .. } => "empty_input",
            ReconcileError::MissingColumns { .. } => "missing_column",
            ReconcileError::DuplicateColumn { .. } => "duplicate_column",
            ReconcileError::HeaderEncoding { .. } => "header_encoding",
            ReconcileError::Threads { .. } => "thread_pool",
            ReconcileError::Json(_) => "summary_json",
        }
    }

    /// The process exit status the CLI should use: 2 for a problem with the input files or options (the
    /// user can fix it), 1 for anything else (output, system).
    pub fn exit_status(&self) -> u8 {
        match self {
            ReconcileError::Read { .. }
            | ReconcileError::OutputIsInput { .. }
            | ReconcileError::Empty { .. }
            | ReconcileError::MissingColumns { .. }
            | ReconcileError::DuplicateColumn { .. }
            | ReconcileError::HeaderEncoding { .. } => 2,
            ReconcileError::Write { .. }
            | ReconcileError::Temporary { .. }
            | ReconcileError::Threads { .. }
            | ReconcileError::Json(_) => 1,
        }
    }
}
