//! One file per subcommand: each has `Args` and `run`, and is glue only (load, analyse, render).

pub mod datasets;
pub mod ingest;
pub mod sql;

use crate::cli::Global;
use crate::render::Output;

/// Exit codes (documented in the README).
pub const EXIT_OK: u8 = 0;
/// The command finished, but rows were rejected: cron jobs can tell.
pub const EXIT_REJECTED: u8 = 3;

pub fn output(global: &Global) -> Output {
    Output::new(global.format, global.output.clone(), global.lang)
}
