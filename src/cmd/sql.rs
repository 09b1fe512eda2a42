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
    let mut tables = crate::sqlguard::Tables::default();
    let _adhoc; // keeps the staged copy of --input alive while the query runs
    if let Some(path) = input {
        let adhoc = crate::ingest::load_adhoc(path, None, None, None, global.quiet)?;
        tables.add("input", &column_names(adhoc.lf.clone())?, &[]);
        ctx.register("input", adhoc.lf.clone());
        _adhoc = adhoc;
    }
    let wh = Warehouse::open(&global.warehouse)?;
    for (name, entry) in &wh.catalog.datasets {
        let lf = wh.scan(name)?;
        let people: Vec<&str> = entry
            .columns
            .iter()
            .filter(|c| c.privacy != crate::schema::Privacy::None)
            .map(|c| c.name.as_str())
            .collect();
        tables.add(name, &column_names(lf.clone())?, &people);
        ctx.register(name, lf);
    }
    if input.is_none() && wh.catalog.datasets.is_empty() {
        bail!(
            "the warehouse {} has no datasets; ingest an export first, or query a file with --input",
            global.warehouse.display()
        );
    }
    // Nothing but the registered tables, and for the council nothing that shows people.
    crate::sqlguard::check(sql, &tables, global.publish_min_cell.is_some())?;
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

/// The column names of a frame, in order.
fn column_names(mut lf: LazyFrame) -> Result<Vec<String>> {
    Ok(lf
        .collect_schema()?
        .iter_names()
        .map(|n| n.to_string())
        .collect())
}
