//! `datastroom ingest`: load exports into the warehouse. Glue only: the request to
//! `ingest::request`, the summaries to the output.

use crate::context::Context;
use crate::ingest::request::{self, Request};
use crate::ingest::{Status, Summary};
use anyhow::Result;
use polars::prelude::*;

/// Load exports into the warehouse.
///
/// Example: datastroom ingest meldingen-week12.csv --dataset meldingen --gemeente Zevenaar
///
/// The delimiter, encoding, header row, date order and decimal comma are detected and printed;
/// override them when the guess is wrong. Rows that fail validation are kept as rejects
/// (`datastroom datasets rejects NAME`) and make the exit code 3. Personal data (BSN, names,
/// addresses, e-mail, phone) never reaches the warehouse in clear text: see docs/privacy.md.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub request: Request,
}

pub fn run(args: &Args, ctx: &Context, out: &super::Out) -> Result<u8> {
    let summaries = request::run(&ctx.warehouse, &args.request)?;
    super::output(ctx, out)?.write(&summary_frame(&summaries)?, None)?;
    let rejected: Vec<&str> = summaries
        .iter()
        .filter(|s| s.rejected > 0)
        .map(|s| s.dataset.as_str())
        .collect();
    if let Some(first) = rejected.first() {
        crate::messages::info(match ctx.lang {
            crate::lang::Lang::Nl => format!(
                "er zijn rijen afgekeurd; bekijk ze met `datastroom datasets rejects {first}`"
            ),
            crate::lang::Lang::En => {
                format!(
                    "some rows were rejected; see them with `datastroom datasets rejects {first}`"
                )
            }
        });
    }
    Ok(if rejected.is_empty() {
        super::EXIT_OK
    } else {
        super::EXIT_REJECTED
    })
}

fn summary_frame(summaries: &[Summary]) -> Result<DataFrame> {
    let status = |s: &Summary| match s.status {
        Status::Ingested => "ingelezen",
        Status::Unchanged => "al ingelezen, ongewijzigd",
        Status::DryRun => "proefdraai, niets geschreven",
    };
    let u = |f: fn(&Summary) -> u64| summaries.iter().map(f).collect::<Vec<u64>>();
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "bestand".into(),
            summaries
                .iter()
                .map(|s| s.file.display().to_string())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "dataset".into(),
            summaries
                .iter()
                .map(|s| s.dataset.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "status".into(),
            summaries.iter().map(status).collect::<Vec<_>>(),
        ),
        Column::new("gelezen".into(), u(|s| s.read)),
        Column::new("geaccepteerd".into(), u(|s| s.accepted)),
        Column::new("afgekeurd".into(), u(|s| s.rejected)),
        Column::new("lege_rijen".into(), u(|s| s.blank)),
        Column::new("voetregels".into(), u(|s| s.footer)),
        Column::new(
            "regels".into(),
            summaries
                .iter()
                .map(|s| s.lines)
                .collect::<Vec<Option<u64>>>(),
        ),
        Column::new("gemaskeerd".into(), u(|s| s.masked)),
        Column::new("nieuw".into(), u(|s| s.new)),
        Column::new("vervangen".into(), u(|s| s.replaced)),
        Column::new("totaal".into(), u(|s| s.total_rows)),
    ])?)
}
