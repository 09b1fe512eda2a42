//! One file per subcommand: each has `Args` and `run`, and is glue only (load, analyse, render).

pub mod datasets;
pub mod ingest;
pub mod inhuur;
pub mod peaks;
pub mod report;
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

/// What a command computes before it is written: the frame, the note under it, and how to
/// show it (labels, money columns). `report` composes these.
pub struct Table {
    pub df: polars::prelude::DataFrame,
    pub note: String,
    pub labels: crate::render::Labels,
    pub money: Vec<String>,
}

/// Writes a table with the global --format and --output.
pub fn emit(table: &Table, global: &Global) -> anyhow::Result<u8> {
    let mut out = output(global)?;
    out.labels = table.labels;
    out.money = table.money.clone();
    out.write(&table.df, Some(&table.note))?;
    Ok(EXIT_OK)
}
