//! The progress bar: rows, rate and ETA on a terminal; nothing otherwise.

use std::io::IsTerminal;

use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::chunks::Chunk;

/// A bar for one phase, drawn on stderr only when `enabled` and stderr is a terminal. Its length is the
/// estimated number of rows, refined as the file is read (see [`advance`]).
pub(crate) fn bar(enabled: bool, phase: &'static str) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{msg:>8} {wide_bar} {percent:>3}% {human_pos}/{human_len} rows, {rate} rows/s, ETA {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
        let _ = write!(w, "{}", HumanCount(s.per_sec() as u64));
    });
    bar.set_style(style);
    bar.set_message(phase);
    bar
}

/// Records that `rows` rows have been read, up to `chunk.end_byte` of a file of `size` bytes: the total is
/// estimated from the bytes per row so far.
pub(crate) fn advance(bar: &ProgressBar, chunk: &Chunk, size: u64, rows: u64) {
    if bar.is_hidden() {
        return;
    }
    if chunk.end_byte > 0 {
        let estimate = (size as f64 / chunk.end_byte as f64 * rows as f64).round() as u64;
        bar.set_length(estimate.max(rows));
    }
    bar.set_position(rows);
}
