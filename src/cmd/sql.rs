//! `datastroom sql`: the query to `figures::sql`, the result to the output.

use crate::context::Context;
use crate::figures::sql;
use anyhow::Result;
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
///
/// A long query can live in a file: datastroom sql -f wachttijd.sql (`-f -` reads it from
/// standard input).
#[derive(Debug, clap::Args)]
// Verbatim: the examples keep their lines.
#[command(verbatim_doc_comment)]
#[command(group(clap::ArgGroup::new("the_query").required(true).args(["query", "query_file"])))]
pub struct Args {
    /// The SQL query (polars SQL: SELECT, JOIN, GROUP BY, window functions, ...).
    pub query: Option<String>,

    /// Read the query from this file (UTF-8 text; `-` for standard input) instead of the
    /// command line.
    #[arg(short = 'f', long = "query-file", value_name = "FILE.sql")]
    pub query_file: Option<PathBuf>,

    #[command(flatten)]
    pub file: sql::File,
}

pub fn run(args: &Args, ctx: &Context, out: &super::Out) -> Result<u8> {
    sql::validate(&args.file)?;
    let text = sql::query_text(args.query.as_deref(), args.query_file.as_deref())?;
    let df = sql::query(ctx, &text, &args.file)?;
    super::output(ctx, out)?.write(&df, None)?;
    Ok(super::EXIT_OK)
}
