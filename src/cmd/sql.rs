//! `datastroom sql`: polars SQL over the warehouse, or over a file without ingesting it.

use crate::cli::Global;
use crate::warehouse::Warehouse;
use anyhow::{Result, bail};
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
/// With --dataset NAME the file is read as that dataset (its column names, money, dates):
/// datastroom sql "SELECT leverancier, SUM(bedrag) AS bedrag FROM input GROUP BY 1" --input
/// facturen.csv --dataset inhuur_facturen
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The SQL query (polars SQL: SELECT, JOIN, GROUP BY, window functions, ...).
    pub query: String,

    /// Query this file instead of (or besides) the warehouse; available as table `input`.
    #[arg(long)]
    pub input: Option<PathBuf>,

    /// Read --input as this dataset (meldingen, inhuur_facturen, ...): its columns mapped and
    /// typed as an ingest would (money such as "EUR 18.825,00" becomes a number). Default: a
    /// dataset of its own, with types guessed from the data.
    #[arg(long, short = 'd', requires = "input")]
    pub dataset: Option<String>,

    /// A mapping file for --input (docs/ingest.md).
    #[arg(long, requires = "input")]
    pub mapping: Option<PathBuf>,
}

/// A file to query beside the warehouse, and how to read it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Input<'a> {
    pub path: Option<&'a std::path::Path>,
    pub dataset: Option<&'a str>,
    pub mapping: Option<&'a std::path::Path>,
}

pub fn run(args: &Args, global: &Global) -> Result<u8> {
    if let Some(d) = &args.dataset
        && crate::schema::dataset(d).is_none()
    {
        bail!(
            "--dataset {d}: not a canonical dataset; choose one of {}",
            crate::schema::DATASETS
                .iter()
                .map(|d| d.name)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let input = Input {
        path: args.input.as_deref(),
        dataset: args.dataset.as_deref(),
        mapping: args.mapping.as_deref(),
    };
    let df = query(&args.query, input, global)?;
    super::output(global)?.write(&df, None)?;
    Ok(super::EXIT_OK)
}

/// Runs a query over the warehouse (and `input`, as table `input`).
pub fn query(sql: &str, input: Input, global: &Global) -> Result<DataFrame> {
    let mut ctx = SQLContext::new();
    let mut tables = crate::sqlguard::Tables::default();
    let _adhoc; // keeps the staged copy of --input alive while the query runs
    if let Some(path) = input.path {
        let adhoc =
            crate::ingest::load_adhoc(path, input.dataset, input.mapping, None, global.quiet)?;
        tables.add("input", &column_names(adhoc.lf.clone())?, &[]);
        ctx.register("input", adhoc.lf.clone());
        _adhoc = adhoc;
    }
    let wh = match input.path {
        Some(_) => Warehouse::open_or_empty(&global.warehouse)?,
        None => Warehouse::open(&global.warehouse)?,
    };
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
    if input.path.is_none() && wh.catalog.datasets.is_empty() {
        bail!(
            "the warehouse {} has no datasets; ingest an export first, or query a file with --input",
            global.warehouse.display()
        );
    }
    // Nothing but the registered tables, and for the council nothing that shows people.
    crate::sqlguard::check(sql, &tables, global.publish_min_cell.is_some())?;
    let sql = crate::sqlguard::name_results(sql)?;
    let df = ctx.execute(&sql).and_then(LazyFrame::collect).map_err(|e| {
        let mut tables: Vec<&str> = wh.catalog.datasets.keys().map(String::as_str).collect();
        if input.path.is_some() {
            tables.push("input");
        }
        anyhow::anyhow!(
            "the query failed: {}. Tables: {} (datastroom datasets show NAME lists the columns; \
             docs/sql.md)",
            crate::sqlguard::plain_error(&e.to_string()),
            tables.join(", ")
        )
    })?;
    whole_days(df)
}

/// Durations (a date minus a date) as whole days, a number a spreadsheet can use, instead of
/// polars' text ("21d 3h").
fn whole_days(df: DataFrame) -> Result<DataFrame> {
    let durations: Vec<Expr> = df
        .columns()
        .iter()
        .filter(|c| matches!(c.dtype(), DataType::Duration(_)))
        .map(|c| {
            col(c.name().clone())
                .dt()
                .total_days(false)
                .alias(c.name().clone())
        })
        .collect();
    if durations.is_empty() {
        return Ok(df);
    }
    Ok(df.lazy().with_columns(durations).collect()?)
}

/// The column names of a frame, in order.
fn column_names(mut lf: LazyFrame) -> Result<Vec<String>> {
    Ok(lf
        .collect_schema()?
        .iter_names()
        .map(|n| n.to_string())
        .collect())
}
