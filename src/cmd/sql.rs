//! `datastroom sql`: polars SQL over the warehouse, or over a file without ingesting it.

use crate::cli::Global;
use crate::warehouse::Warehouse;
use anyhow::{Context, Result, bail};
use polars::prelude::*;
use polars::sql::SQLContext;
use std::path::PathBuf;

/// Ask the warehouse a question in SQL. Every dataset is a table by its name.
///
/// Example: datastroom sql "SELECT categorie, COUNT(*) AS aantal FROM meldingen GROUP BY
/// categorie ORDER BY aantal DESC"
///
/// With --input FILE the query runs on a file without ingesting it (CSV, Excel, JSON or
/// Parquet; the table is called `input`). Personal columns are dropped from such a file too.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The SQL query (polars SQL: SELECT, JOIN, GROUP BY, window functions, ...).
    pub query: String,

    /// Query this file instead of (or besides) the warehouse; available as table `input`.
    #[arg(long)]
    pub input: Option<PathBuf>,
}

pub fn run(args: &Args, global: &Global) -> Result<u8> {
    let df = query(&args.query, args.input.as_deref(), global)?;
    super::output(global)?.write(&df, None)?;
    Ok(super::EXIT_OK)
}

/// Runs a query over the warehouse (and `input`, as table `input`).
pub fn query(sql: &str, input: Option<&std::path::Path>, global: &Global) -> Result<DataFrame> {
    let mut ctx = SQLContext::new();
    let _adhoc; // keeps the staged copy of --input alive while the query runs
    if let Some(path) = input {
        let adhoc = crate::ingest::load_adhoc(path, None, None, None, global.quiet)?;
        ctx.register("input", adhoc.lf.clone());
        _adhoc = adhoc;
    }
    let wh = Warehouse::open(&global.warehouse)?;
    for name in wh.catalog.datasets.keys() {
        ctx.register(name, wh.scan(name)?);
    }
    if input.is_none() && wh.catalog.datasets.is_empty() {
        bail!(
            "the warehouse {} has no datasets; ingest an export first, or query a file with --input",
            global.warehouse.display()
        );
    }
    let df = ctx
        .execute(sql)
        .and_then(LazyFrame::collect)
        .map_err(anyhow::Error::from)
        .with_context(|| {
            let mut tables: Vec<&str> = wh.catalog.datasets.keys().map(String::as_str).collect();
            if input.is_some() {
                tables.push("input");
            }
            format!("the query failed; tables available: {}", tables.join(", "))
        })?;
    Ok(df)
}
