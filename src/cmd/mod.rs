//! One file per subcommand: each has `Args` (clap) and `run`, and is glue only: the options
//! to the analysis in `figures` (or to ingest, the warehouse), the table to the output.

pub mod dashboard;
pub mod datasets;
pub mod export;
pub mod ingest;
pub mod inhuur;
pub mod peaks;
pub mod report;
pub mod sql;
pub mod waitlist;
pub mod warehouse;

use crate::context::Context;
use crate::render::{Format, Output, Table};
use std::path::PathBuf;

/// Exit codes (documented in the README).
pub const EXIT_OK: u8 = 0;
/// The command finished, but rows were rejected: cron jobs can tell.
pub const EXIT_REJECTED: u8 = 3;

/// Where a command's output goes: `--format` and `--output`.
#[derive(Debug, Clone, Default)]
pub struct Out {
    pub format: Option<Format>,
    pub path: Option<PathBuf>,
}

/// The output of a command. Refuses an --output file inside the warehouse, where the next
/// ingest would take it for a leftover.
pub fn output(ctx: &Context, out: &Out) -> anyhow::Result<Output> {
    if let Some(p) = &out.path {
        crate::render::check_output_extension(out.format, p).map_err(crate::figures::usage)?;
        crate::render::check_output_path(p, &ctx.warehouse)?;
    }
    Ok(Output::new(out.format, out.path.clone(), ctx.lang))
}

/// Writes a table with --format and --output: as people read it for a table, Markdown or a
/// workbook, as computed for CSV and JSON.
pub fn emit(table: &Table, ctx: &Context, out: &Out) -> anyhow::Result<u8> {
    let mut o = output(ctx, out)?;
    o.labels = table.labels;
    o.money = table.money.clone();
    let df = if o.format.for_people() {
        table.people_frame(ctx.lang)?
    } else {
        table.df.clone()
    };
    let note = (!table.note.is_empty()).then_some(table.note.as_str());
    o.write(&df, note)?;
    Ok(EXIT_OK)
}
