//! One file per subcommand: each has `Args` and `run`, and is glue only (load, analyse, render).

pub mod datasets;
pub mod ingest;
pub mod inhuur;
pub mod peaks;
pub mod sql;
pub mod waitlist;

use crate::cli::Global;
use crate::render::Output;

/// Exit codes (documented in the README).
pub const EXIT_OK: u8 = 0;
/// The command finished, but rows were rejected: cron jobs can tell.
pub const EXIT_REJECTED: u8 = 3;

/// The output of a command, from the global options. Refuses an --output file inside the
/// warehouse, where the next ingest would take it for a leftover.
pub fn output(global: &Global) -> anyhow::Result<Output> {
    if let Some(p) = &global.output {
        crate::render::check_output_path(p, &global.warehouse)?;
    }
    Ok(Output::new(
        global.format,
        global.output.clone(),
        global.lang,
    ))
}
