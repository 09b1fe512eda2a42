//! `datastroom ingest`: load exports into the warehouse. Glue only: the request to
//! `ingest::request`, the summaries to the output.

use crate::context::Context;
use crate::ingest::request::{self, Request};
use crate::ingest::{Status, Summary};
use crate::lang::Lang;
use crate::render::Table;
use anyhow::Result;
use polars::prelude::*;

/// Load exports (CSV, Excel, JSON) into the warehouse: mapped, validated, pseudonymised.
///
/// Example: datastroom ingest meldingen-week12.csv --dataset meldingen --gemeente Zevenaar
///
/// The delimiter, encoding, header row, date order and decimal comma are detected and printed;
/// override them when the guess is wrong. Rows that fail validation are kept as rejects
/// (`datastroom datasets rejects NAME`) and make the exit code 3. Personal data (BSN, names,
/// addresses, e-mail, phone) never reaches the warehouse in clear text: see docs/privacy.md.
#[derive(Debug, clap::Args)]
// Verbatim: the examples keep their lines.
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub request: Request,
}

pub fn run(args: &Args, ctx: &Context, out: &super::Out) -> Result<u8> {
    ctx.refuse_snapshot("ingest")?;
    let summaries = request::run(&ctx.warehouse, &args.request)?;
    let table = Table {
        for_people: Some(status_in_words),
        ..Table::plain(
            summary_frame(&summaries)?,
            "",
            crate::render::WAREHOUSE_LABELS,
        )
    };
    super::emit(&table, ctx, out)?;
    let rejected: Vec<&str> = summaries
        .iter()
        .filter(|s| s.rejected > 0)
        .map(|s| s.dataset.as_str())
        .collect();
    if let Some(first) = rejected.first() {
        crate::messages::info(match ctx.lang {
            Lang::Nl => format!(
                "er zijn rijen afgekeurd; bekijk ze met `datastroom datasets rejects {first}`"
            ),
            Lang::En => {
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

/// What happened to each file: English keys and status codes for scripts (JSON, CSV), Dutch
/// headers and words for people (`LABELS`, `status_in_words`).
fn summary_frame(summaries: &[Summary]) -> Result<DataFrame> {
    let status = |s: &Summary| match s.status {
        Status::Ingested => "ingested",
        Status::Unchanged => "unchanged",
        Status::DryRun => "dry_run",
    };
    let u = |f: fn(&Summary) -> u64| summaries.iter().map(f).collect::<Vec<u64>>();
    let text = |f: &dyn Fn(&Summary) -> String| summaries.iter().map(f).collect::<Vec<_>>();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("file".into(), text(&|s| s.file.display().to_string())),
        Column::new("dataset".into(), text(&|s| s.dataset.clone())),
        Column::new("status".into(), text(&|s| status(s).to_string())),
        Column::new("read".into(), u(|s| s.read)),
        Column::new("accepted".into(), u(|s| s.accepted)),
        Column::new("rejected".into(), u(|s| s.rejected)),
        Column::new("blank_rows".into(), u(|s| s.blank)),
        Column::new("footer_rows".into(), u(|s| s.footer)),
        Column::new(
            "lines".into(),
            summaries
                .iter()
                .map(|s| s.lines)
                .collect::<Vec<Option<u64>>>(),
        ),
        Column::new("masked".into(), u(|s| s.masked)),
        Column::new("new".into(), u(|s| s.new)),
        Column::new("replaced".into(), u(|s| s.replaced)),
        Column::new("total_rows".into(), u(|s| s.total_rows)),
    ])?)
}

/// The status as people read it.
fn status_in_words(df: DataFrame, lang: Lang) -> Result<DataFrame> {
    let words: Vec<Option<String>> = df
        .column("status")?
        .str()?
        .iter()
        .map(|code| {
            code.map(|c| match (c, lang) {
                ("ingested", Lang::Nl) => "ingelezen",
                ("unchanged", Lang::Nl) => "al ingelezen, ongewijzigd",
                ("dry_run", Lang::Nl) => "proefdraai, niets geschreven",
                ("ingested", Lang::En) => "ingested",
                ("unchanged", Lang::En) => "already ingested, unchanged",
                ("dry_run", Lang::En) => "dry run, nothing written",
                (other, _) => other,
            })
            .map(String::from)
        })
        .collect();
    let mut df = df;
    df.with_column(Column::new("status".into(), words))?;
    Ok(df)
}
