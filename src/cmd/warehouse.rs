//! `datastroom warehouse`: the warehouse as a whole. Glue only: `warehouse migrate` to
//! `warehouse::migrate`, what was converted to the output.

use crate::context::Context;
use anyhow::Result;
use clap::Subcommand;
use polars::prelude::*;
use std::path::PathBuf;
use std::time::Duration;

/// The warehouse as a whole: convert one of an earlier datastroom to Delta Lake tables.
///
/// Example: datastroom warehouse migrate warehouse warehouse-delta
#[derive(Debug, clap::Args)]
// Verbatim: the examples keep their lines.
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Convert a warehouse of an earlier datastroom (Parquet files with catalog.json) into Delta
    /// Lake tables in a new folder, which Fabric, Databricks, DuckDB and Power BI read. The
    /// old folder is not changed. Every row, pseudonym, rejected row and ingest (lineage) is
    /// carried over and read back to check; keep the old folder until you have checked the
    /// new one, then point --warehouse (or DATASTROOM_WAREHOUSE) at the new one.
    Migrate {
        /// The warehouse folder of an earlier datastroom (with catalog.json).
        old: PathBuf,
        /// A new, empty folder for the converted warehouse (copy it to object storage
        /// afterwards if the warehouse is to live there).
        new: PathBuf,
        /// Seconds to wait while an ingest holds either warehouse.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
}

pub fn run(args: &Args, ctx: &Context, out: &super::Out) -> Result<u8> {
    match &args.action {
        Action::Migrate { old, new, wait } => {
            ctx.refuse_snapshot("migrate")?;
            if let Some(url) = [old, new]
                .iter()
                .filter_map(|p| p.to_str())
                .find(|p| crate::warehouse::remote::is_address(p))
            {
                anyhow::bail!(
                    "migrate converts a folder into a folder, not {url}: convert into a local \
                     folder, then copy that folder to the storage as it is (aws s3 sync, \
                     azcopy); its tables keep working there"
                );
            }
            let done = crate::warehouse::migrate::migrate(old, new, Duration::from_secs(*wait))?;
            let mut o = super::output(ctx, out)?;
            o.labels = crate::render::WAREHOUSE_LABELS;
            let df = DataFrame::new_infer_height(vec![
                Column::new(
                    "dataset".into(),
                    done.iter().map(|m| m.dataset.as_str()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "rows".into(),
                    done.iter().map(|m| m.rows).collect::<Vec<_>>(),
                ),
                Column::new(
                    "rejected".into(),
                    done.iter().map(|m| m.rejected).collect::<Vec<_>>(),
                ),
                Column::new(
                    "sources".into(),
                    done.iter().map(|m| m.ingests).collect::<Vec<_>>(),
                ),
                Column::new(
                    "files".into(),
                    done.iter().map(|m| m.files).collect::<Vec<_>>(),
                ),
            ])?;
            o.write(&df, None)?;
            crate::messages::info(match ctx.lang {
                crate::lang::Lang::Nl => {
                    "omgezet en teruggelezen: gelijk. Gebruik voortaan de nieuwe map als --warehouse"
                }
                crate::lang::Lang::En => {
                    "converted and read back: equal. Use the new folder as --warehouse from now on"
                }
            });
        }
    }
    Ok(super::EXIT_OK)
}
