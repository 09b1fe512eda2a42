//! `datastroom peaks`: the options to `figures::peaks` (or `figures::renewals`), the table to
//! the output.

use crate::context::Context;
use crate::figures::{peaks, renewals};
use anyhow::Result;

/// Peaks ("pieken") in dated events: is this week's count higher than this time of year
/// normally brings?
///
/// Farrington flexible (the outbreak-detection standard) for series with at least 2 years of
/// history, EARS C2 for daily data and short series.
///
/// Examples:
///   datastroom peaks                                   # meldingen per categorie, last 12 weeks
///   datastroom peaks --by none --period month --all
///   datastroom peaks --by categorie,wijk               # per wijk, with a total per categorie
///   datastroom peaks --input reports.csv --date-column datum --method ears-c3 --period day
#[derive(Debug, clap::Args)]
// Verbatim: the examples keep their lines.
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    pub what: Option<What>,

    #[command(flatten)]
    pub options: peaks::Options,
}

#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// The ID-card and passport renewal forecast ("vernieuwingsprognose"): expected
    /// applications per month from the issuance records, peak months flagged.
    Renewals(renewals::Options),
}

pub fn run(args: &Args, ctx: &Context, out: &super::Out) -> Result<u8> {
    let table = match &args.what {
        Some(What::Renewals(r)) => renewals::compute(ctx, &renewals::validate(ctx, r)?)?,
        None => peaks::compute(ctx, &peaks::validate(ctx, &args.options)?)?,
    };
    super::emit(&table, ctx, out)
}
