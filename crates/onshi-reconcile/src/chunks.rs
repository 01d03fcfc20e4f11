//! Reading a CSV file in chunks on a separate thread, so that parsing overlaps with grading.

use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use csv::ByteRecord;

use crate::error::ReconcileError;
use crate::input::csv_err;

/// Rows per chunk: big enough to keep every core busy, small enough that a few chunks in flight stay
/// within tens of megabytes.
pub(crate) const CHUNK_ROWS: usize = 65_536;

/// A chunk of rows: `rows[..len]` are filled; the `ByteRecord`s are reused from chunk to chunk.
pub(crate) struct Chunk {
    pub(crate) rows: Vec<ByteRecord>,
    pub(crate) len: usize,
    /// The byte offset just past the chunk's last row.
    pub(crate) end_byte: u64,
}

impl Chunk {
    pub(crate) fn rows(&self) -> &[ByteRecord] {
        self.rows.get(..self.len).unwrap_or_default()
    }
}

fn reader_loop<R: Read>(
    mut reader: csv::Reader<R>,
    full: SyncSender<Result<Chunk, csv::Error>>,
    empty: Receiver<Chunk>,
    chunk_rows: usize,
) {
    loop {
        let mut chunk = empty.try_recv().unwrap_or_else(|_| Chunk {
            rows: (0..chunk_rows).map(|_| ByteRecord::new()).collect(),
            len: 0,
            end_byte: 0,
        });
        chunk.len = 0;
        let mut eof = false;
        while chunk.len < chunk.rows.len() {
            let Some(slot) = chunk.rows.get_mut(chunk.len) else {
                break;
            };
            match reader.read_byte_record(slot) {
                Ok(true) => chunk.len += 1,
                Ok(false) => {
                    eof = true;
                    break;
                }
                Err(e) => {
                    let _ = full.send(Err(e));
                    return;
                }
            }
        }
        chunk.end_byte = reader.position().byte();
        if chunk.len > 0 && full.send(Ok(chunk)).is_err() {
            return; // the consumer stopped
        }
        if eof {
            return;
        }
    }
}

/// Calls `f` on every chunk of rows of `reader`, in order, while the next chunk is being read.
/// Stops at the first error, from the file or from `f`.
pub(crate) fn for_each_chunk<R: Read + Send>(
    reader: csv::Reader<R>,
    path: &Path,
    chunk_rows: usize,
    mut f: impl FnMut(&Chunk) -> Result<(), ReconcileError>,
) -> Result<(), ReconcileError> {
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = sync_channel::<Result<Chunk, csv::Error>>(1);
        let (empty_tx, empty_rx) = sync_channel::<Chunk>(2);
        scope.spawn(move || reader_loop(reader, full_tx, empty_rx, chunk_rows.max(1)));
        for chunk in full_rx {
            let chunk = chunk.map_err(|e| csv_err(path, e))?;
            f(&chunk)?;
            let _ = empty_tx.try_send(chunk);
        }
        Ok(())
    })
}
