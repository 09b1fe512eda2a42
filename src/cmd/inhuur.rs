//! `datastroom inhuur`: the options to `figures::inhuur`, the table to the output.

use crate::context::Context;
use crate::figures::inhuur;
use anyhow::Result;

/// Hired staff (inhuur): contracts against invoices, and what the auditor will ask about.
///
/// Spend after the end date or over the contract value, suppliers over the EU tender
/// threshold (Europese aanbestedingsdrempel), the same person hired for years (Wet DBA),
/// invoices without a contract; costs per department against the budget.
///
/// Examples:
///   datastroom inhuur                                   # overview on today
///   datastroom inhuur --section findings --as-of 2026-03-31
///   datastroom inhuur --section costs --budget budget-2026.csv
///   datastroom inhuur --contracts contracten.xlsx --invoices facturen.csv --section findings
#[derive(Debug, clap::Args)]
// Verbatim: the examples keep their lines.
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub options: inhuur::Options,
}

pub fn run(args: &Args, ctx: &Context, out: &super::Out) -> Result<u8> {
    let config = inhuur::validate(ctx, &args.options)?;
    super::emit(&inhuur::compute(ctx, &config)?, ctx, out)
}
