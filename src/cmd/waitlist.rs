//! `datastroom waitlist`: the options to `figures::waitlist`, the table to the output.

use crate::context::Context;
use crate::figures::waitlist;
use anyhow::Result;

/// Waiting lists and legal terms (wachtlijsten, wettelijke termijnen) for Wmo, Jeugd and VTH.
///
/// How many cases wait, how long, how many are past the legal term ("termijn"), and per team,
/// product or law.
///
/// Open cases are still waiting: the waiting time is a Kaplan-Meier estimate in which open and
/// withdrawn cases count as censored, so a growing backlog shows in the median.
///
/// Examples:
///   datastroom waitlist --preset wmo-onderzoek
///   datastroom waitlist --preset jeugd --section by --by team --as-of 2024-03-31
///   datastroom waitlist --input zaken.xlsx --start datum_aanvraag --end datum_beschikking --term-days 56
#[derive(Debug, clap::Args)]
// Verbatim: the examples keep their lines.
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub options: waitlist::Options,
}

pub fn run(args: &Args, ctx: &Context, out: &super::Out) -> Result<u8> {
    let config = waitlist::validate(ctx, &args.options)?;
    super::emit(&waitlist::compute(ctx, &config)?, ctx, out)
}
