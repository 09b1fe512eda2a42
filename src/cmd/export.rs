//! `datastroom export`: datasets as stable Parquet files for Power BI, DuckDB and Python.
//! Glue only: the request to `warehouse::export`, what was written to the output.

use crate::context::Context;
use crate::render::Table;
use crate::warehouse::export::{self, Exported};
use anyhow::Result;
use polars::prelude::*;
use std::path::PathBuf;

/// Datasets as Parquet files for Power BI, DuckDB and Python, at paths that stay the same.
///
/// Write datasets as Parquet files that Power BI, Excel (Power Query), DuckDB, pandas and
/// polars read: one file per dataset, `DIR/<dataset>.parquet`, the same path after every
/// ingest (replaced in one step, never half written), and `DIR/views.sql` with a DuckDB view
/// per file. Money is Decimal(18,2), exact cents (in Power BI: "vast decimaal getal"), dates
/// are dates. Left out unless asked: the technical columns and employees' names.
///
/// Example: datastroom export --to \\fileserver\bi\datastroom (after every weekly ingest; the
/// Power BI report on that folder then only needs a refresh, see docs/powerbi.md)
#[derive(Debug, clap::Args)]
// Verbatim: the examples keep their lines.
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The datasets to write (default: every dataset in the warehouse).
    pub datasets: Vec<String>,

    /// The folder to write into (made when missing).
    #[arg(long, value_name = "DIR")]
    pub to: PathBuf,

    /// Keep the technical columns `_ingest_id` (which ingest brought the row) and
    /// `_source_position` (its line or row in the source file).
    #[arg(long)]
    pub lineage: bool,

    /// Keep columns with names of employees (privacy "employee" in `datasets show`); the
    /// export is recorded in the warehouse's audit log.
    #[arg(long)]
    pub employee_names: bool,
}

pub fn run(args: &Args, ctx: &Context, out: &super::Out) -> Result<u8> {
    if crate::render::inside(&args.to.join(export::VIEWS_FILE), &ctx.warehouse) {
        anyhow::bail!(
            "--to {} is inside the warehouse folder, where an ingest would take the files for \
             leftovers; export to a folder of its own",
            args.to.display()
        );
    }
    let wh = ctx.open()?;
    if args.employee_names {
        crate::warehouse::audit(
            &wh.dir,
            "export met namen van medewerkers",
            serde_json::json!({ "map": args.to.display().to_string(), "datasets": args.datasets }),
        )?;
    }
    let opts = export::Options {
        lineage: args.lineage,
        employee_names: args.employee_names,
    };
    let done = export::export(&wh, &args.datasets, &args.to, opts)?;
    let table = Table::plain(summary(&done)?, "", crate::render::WAREHOUSE_LABELS);
    super::emit(&table, ctx, out)
}

fn summary(done: &[Exported]) -> Result<DataFrame> {
    let text = |f: &dyn Fn(&Exported) -> String| done.iter().map(f).collect::<Vec<_>>();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("dataset".into(), text(&|e| e.dataset.clone())),
        Column::new(
            "rows".into(),
            done.iter().map(|e| e.rows).collect::<Vec<u64>>(),
        ),
        Column::new("file".into(), text(&|e| e.file.display().to_string())),
        Column::new("left_out".into(), text(&|e| e.left_out.join(", "))),
    ])?)
}
