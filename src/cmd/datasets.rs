//! `datastroom datasets`: what is in the warehouse.

use crate::cli::Global;
use crate::schema::{self, Privacy};
use crate::warehouse::{DatasetEntry, Warehouse};
use anyhow::Result;
use clap::Subcommand;
use polars::prelude::*;

/// List the datasets in the warehouse: rows, columns, last ingest, sources, rejected rows.
///
/// Example: datastroom datasets show meldingen
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// The columns of a dataset (type, privacy) and, in a table, its lineage.
    Show { name: String },
    /// Every ingest of a dataset: source file, SHA-256, rows read, accepted and rejected.
    Lineage { name: String },
    /// The rows an ingest rejected, with file, line, column, value and reason.
    Rejects { name: String },
}

pub fn run(args: &Args, global: &Global) -> Result<u8> {
    let wh = Warehouse::open(&global.warehouse)?;
    let out = super::output(global)?;
    match &args.action {
        None => out.write(&list(&wh)?, None)?,
        Some(Action::Show { name }) => {
            let entry = wh.dataset(name)?;
            out.write(&columns(entry)?, None)?;
            if matches!(
                out.format,
                crate::render::Format::Table | crate::render::Format::Markdown
            ) {
                out.write(&lineage(entry)?, None)?;
            }
        }
        Some(Action::Lineage { name }) => out.write(&lineage(wh.dataset(name)?)?, None)?,
        Some(Action::Rejects { name }) => {
            let df = wh.scan_rejects(name)?.collect()?;
            out.write(&df, None)?;
        }
    }
    Ok(super::EXIT_OK)
}

fn list(wh: &Warehouse) -> Result<DataFrame> {
    let d = &wh.catalog.datasets;
    let names: Vec<&str> = d.keys().map(String::as_str).collect();
    let describe = |n: &str| {
        schema::dataset(n).map_or("eigen dataset (kolommen overgenomen)", |s| s.description)
    };
    Ok(DataFrame::new_infer_height(vec![
        Column::new("dataset".into(), names.clone()),
        Column::new(
            "omschrijving".into(),
            names.iter().map(|n| describe(n)).collect::<Vec<_>>(),
        ),
        Column::new(
            "rijen".into(),
            d.values().map(|e| e.rows).collect::<Vec<_>>(),
        ),
        Column::new(
            "kolommen".into(),
            d.values()
                .map(|e| e.columns.len() as u64)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "laatste_ingest".into(),
            d.values()
                .map(|e| e.ingests.last().map(|i| i.time.clone()).unwrap_or_default())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "bronnen".into(),
            d.values()
                .map(|e| e.ingests.len() as u64)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "afgekeurd".into(),
            d.values().map(|e| e.rejected_rows).collect::<Vec<_>>(),
        ),
    ])?)
}

fn columns(e: &DatasetEntry) -> Result<DataFrame> {
    let privacy = |p: Privacy| match p {
        Privacy::None => "",
        Privacy::Pseudonymised => "gepseudonimiseerd (HMAC-SHA256)",
        Privacy::Employee => "persoonsgegeven medewerker: niet in raadsrapportages",
    };
    let key = |n: &str| e.key.as_deref() == Some(n);
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "kolom".into(),
            e.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "type".into(),
            e.columns
                .iter()
                .map(|c| {
                    format!(
                        "{}{}",
                        c.kind.name(),
                        if key(&c.name) { " (sleutel)" } else { "" }
                    )
                })
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "privacy".into(),
            e.columns
                .iter()
                .map(|c| privacy(c.privacy))
                .collect::<Vec<_>>(),
        ),
    ])?)
}

fn lineage(e: &DatasetEntry) -> Result<DataFrame> {
    let i = &e.ingests;
    let u = |f: fn(&crate::warehouse::IngestEntry) -> u64| i.iter().map(f).collect::<Vec<u64>>();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("ingest_id".into(), u(|x| x.id)),
        Column::new(
            "tijd".into(),
            i.iter().map(|x| x.time.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "bron".into(),
            i.iter().map(|x| x.source.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "sha256".into(),
            i.iter()
                .map(|x| x.sha256[..16].to_string())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "modus".into(),
            i.iter().map(|x| x.mode.clone()).collect::<Vec<_>>(),
        ),
        Column::new("gelezen".into(), u(|x| x.rows_read)),
        Column::new("geaccepteerd".into(), u(|x| x.rows_accepted)),
        Column::new("afgekeurd".into(), u(|x| x.rows_rejected)),
        Column::new("nieuw".into(), u(|x| x.rows_new)),
        Column::new("vervangen".into(), u(|x| x.rows_replaced)),
    ])?)
}
