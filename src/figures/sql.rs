//! SQL over the warehouse (polars SQL), or over an export without ingesting it: the query
//! guarded by `sqlguard` (nothing but the datasets; for the council nothing that shows people).

use crate::context::Context;
use crate::warehouse::Warehouse;
use anyhow::{Context as _, Result, bail};
use polars::prelude::*;
use polars::sql::SQLContext;
use std::path::PathBuf;

/// A file to query beside the warehouse (table `input`), and how to read it: the flags of
/// `datastroom sql`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct File {
    /// Query this file instead of (or besides) the warehouse; available as table `input`.
    /// `-` reads it from standard input.
    #[arg(long = "input", value_name = "INPUT")]
    pub path: Option<PathBuf>,

    /// Read --input as this dataset (meldingen, inhuur_facturen, ...): its columns mapped and
    /// typed as an ingest would (money such as "EUR 18.825,00" becomes a number). Default: a
    /// dataset of its own, with types guessed from the data.
    #[arg(long, short = 'd', requires = "path")]
    pub dataset: Option<String>,

    /// A mapping file for --input (docs/ingest.md).
    #[arg(long, requires = "path")]
    pub mapping: Option<PathBuf>,
}

/// Checks the file's dataset (an error is a usage error, exit code 2).
pub fn validate(file: &File) -> Result<()> {
    if let Some(d) = &file.dataset
        && crate::schema::dataset(d).is_none()
    {
        return Err(super::usage(anyhow::anyhow!(
            "--dataset {d}: not a canonical dataset; choose one of {}",
            crate::schema::DATASETS
                .iter()
                .map(|d| d.name)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

/// The query: given on the command line, or read from a file (`-`: standard input).
pub fn query_text(query: Option<&str>, file: Option<&std::path::Path>) -> Result<String> {
    match (query, file) {
        (Some(q), _) => Ok(q.to_string()),
        (None, Some(p)) if crate::source::stdin::is_dash(p) => crate::source::stdin::read_text(),
        (None, Some(p)) => std::fs::read_to_string(p)
            .with_context(|| format!("cannot read the query file {}", p.display())),
        (None, None) => Err(super::usage(anyhow::anyhow!(
            "give a query, or a file with one: -f FILE.sql"
        ))),
    }
}

/// Runs a query over the warehouse (and `input`, as table `input`).
pub fn query(ctx: &Context, sql: &str, input: &File) -> Result<DataFrame> {
    let mut tables = register(ctx, input, sql)?;
    if tables.names.is_empty() {
        bail!(
            "the warehouse {} has no datasets; ingest an export first, or query a file with --input",
            crate::warehouse::remote::display(&ctx.warehouse)
        );
    }
    // Nothing but the registered tables, and for the council nothing that shows people.
    crate::sqlguard::check(sql, &tables.guard, ctx.min_cell().is_some())?;
    let sql = crate::sqlguard::name_results(sql)?;
    let df = tables
        .sql
        .execute(&sql)
        .and_then(LazyFrame::collect)
        .map_err(|e| {
            anyhow::anyhow!(
                "the query failed: {}. Tables: {} (datastroom datasets show NAME lists the \
                 columns; docs/sql.md)",
                crate::sqlguard::plain_error(&e.to_string()),
                tables.names.join(", ")
            )
        })?;
    whole_days(df)
}

/// The tables a query can read: the datasets (and `input`), registered for polars SQL and for
/// the guard (with the columns that hold people).
struct Tables {
    sql: SQLContext,
    guard: crate::sqlguard::Tables,
    /// The datasets by name, then `input`.
    names: Vec<String>,
    /// Keeps the staged copy of --input alive while the query runs.
    staged: Option<crate::ingest::Adhoc>,
}

fn register(ctx: &Context, input: &File, sql: &str) -> Result<Tables> {
    let mut t = Tables {
        sql: SQLContext::new(),
        guard: crate::sqlguard::Tables::default(),
        names: Vec::new(),
        staged: None,
    };
    if let Some(path) = &input.path {
        let (dataset, mapping) = (input.dataset.as_deref(), input.mapping.as_deref());
        // `--input -`: standard input, through a temporary copy (read before the query runs).
        let spooled = crate::source::stdin::is_dash(path)
            .then(crate::source::stdin::spool)
            .transpose()?;
        let path = spooled.as_ref().map_or(path.as_path(), |s| s.path());
        let adhoc = crate::ingest::load_adhoc(path, dataset, mapping, None)?;
        t.guard.add("input", &column_names(adhoc.lf.clone())?, &[]);
        t.sql.register("input", adhoc.lf.clone());
        t.staged = Some(adhoc);
    }
    let wh = match &input.path {
        Some(_) => Warehouse::open_or_empty_at(&ctx.warehouse, ctx.snapshot.as_ref())?,
        None => ctx.open()?,
    };
    // Only the datasets whose name is in the query's text are opened: a warehouse in object
    // storage downloads the files of every dataset opened (docs/platform.md). A query cannot
    // read a table it does not name.
    let text = sql.to_lowercase();
    for (name, entry) in &wh.catalog.datasets {
        t.names.push(name.clone());
        if !text.contains(&name.to_lowercase()) {
            continue;
        }
        let lf = wh.scan(name)?;
        let people: Vec<&str> = entry
            .columns
            .iter()
            .filter(|c| c.privacy != crate::schema::Privacy::None)
            .map(|c| c.name.as_str())
            .collect();
        t.guard.add(name, &column_names(lf.clone())?, &people);
        t.sql.register(name, lf);
    }
    if t.staged.is_some() {
        t.names.push("input".into());
    }
    Ok(t)
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
