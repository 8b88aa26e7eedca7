//! The report of a sweep, drawn from its run folders alone: reading and merging runs, the
//! tables, the claims of the reference text, the statistics behind them, and the pictures.

mod claims;
mod figures;
mod paired;
mod runs;
mod stats;
pub mod study;
pub mod suite;
mod tables;

pub use runs::{RunData, merge_into, read_runs};

use tables::tables;

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::fsio;
use crate::layout::{self, SweepDir};

/// What drawing a report wrote.
pub struct Drawn {
    /// Every file written.
    pub files: Vec<PathBuf>,
    /// The text of `summary.md`, for printing its tables.
    pub summary_md: String,
}

/// Every table and picture of a sweep, from its runs.
pub fn draw(sweep: &SweepDir, runs: &[RunData], log_y: bool) -> Result<Drawn> {
    let curves = figures::sensitivity(runs);
    let (csv, md) = tables(runs, !curves.0.is_empty());
    let mut files = Vec::new();
    for (name, text) in [(layout::SUMMARY_CSV, &csv), (layout::SUMMARY_MD, &md)] {
        let path = sweep.file(name);
        fsio::write_atomic(&path, text.as_bytes())?;
        files.push(path);
    }
    files.extend(figures::draw(sweep, runs, &curves, log_y)?);
    Ok(Drawn {
        files,
        summary_md: md,
    })
}

/// `experiments plot DIR`: redraws a sweep's report from its run folders.
pub fn redraw(dir: &Path, log_y: bool) -> Result<Drawn> {
    let sweep = SweepDir::new(dir);
    let runs = read_runs(&sweep, None)?;
    draw(&sweep, &runs, log_y)
}

/// `experiments report DIR... --out OUT`: merges sweep folders (the shards of one sweep, say)
/// into `out`, each run's files copied into `out/RUN/`, and draws the report there.
pub fn merge(out: &Path, sources: &[PathBuf], log_y: bool) -> Result<Drawn> {
    let sweep = SweepDir::new(out);
    merge_into(&sweep, sources)?;
    redraw(out, log_y)
}
