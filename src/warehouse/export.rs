//! `datastroom export`: the warehouse as one Parquet file per dataset, for Power BI, DuckDB,
//! pandas and polars (docs/powerbi.md).
//!
//! The path of a dataset's file never changes (`DIR/<dataset>.parquet`), so a Power BI report
//! or a DuckDB view made on it keeps working after every ingest; each file is written to a
//! temporary name and renamed over the old one, so a reader sees the old file or the new one,
//! never half of one. Money is Decimal(18,2) and dates are dates. The technical columns
//! (`_ingest_id`, `_source_position`) are left out unless asked for, and so are the names of
//! employees (`privacy = employee`): a folder for Power BI is read by more people than the
//! warehouse.

use super::Warehouse;
use crate::schema::{COL_INGEST, COL_POS, Kind, Privacy};
use anyhow::{Context, Result, bail};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// What to put in the files besides the data.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Keep `_ingest_id` and `_source_position` (which ingest brought a row, and where it was
    /// in its source file).
    pub lineage: bool,
    /// Keep columns with employees' names.
    pub employee_names: bool,
}

/// One file written.
#[derive(Debug, Clone)]
pub struct Exported {
    pub dataset: String,
    pub rows: u64,
    pub file: PathBuf,
    /// Columns of the dataset not in the file.
    pub left_out: Vec<String>,
}

/// The name of the DuckDB script beside the files.
pub const VIEWS_FILE: &str = "views.sql";

/// Writes the datasets `names` (every dataset when empty) to `dir`, then `views.sql`.
pub fn export(
    wh: &Warehouse,
    names: &[String],
    dir: &Path,
    opts: Options,
) -> Result<Vec<Exported>> {
    let names: Vec<String> = if names.is_empty() {
        wh.catalog.datasets.keys().cloned().collect()
    } else {
        names.to_vec()
    };
    if names.is_empty() {
        bail!(
            "the warehouse {} has no datasets to export; ingest an export first",
            super::remote::display(&wh.dir)
        );
    }
    for n in &names {
        wh.dataset(n)?;
    }
    crate::fsio::create_dir_synced(dir)?;
    let mut done = Vec::new();
    for name in &names {
        let e = export_one(wh, name, dir, opts).with_context(|| format!("exporting {name}"))?;
        done.push(e);
    }
    crate::fsio::write_atomic(&dir.join(VIEWS_FILE), views_sql(dir, &done).as_bytes())?;
    Ok(done)
}

fn export_one(wh: &Warehouse, name: &str, dir: &Path, opts: Options) -> Result<Exported> {
    let entry = wh.dataset(name)?;
    let mut lf = wh.scan(name)?;
    let schema = lf.collect_schema()?;
    let employee = |c: &str| {
        entry
            .columns
            .iter()
            .any(|e| e.name == c && e.privacy == Privacy::Employee)
    };
    let (keep, left_out): (Vec<String>, Vec<String>) =
        schema.iter_names().map(|n| n.to_string()).partition(|n| {
            (opts.lineage || (n != COL_INGEST && n != COL_POS))
                && (opts.employee_names || !employee(n))
        });
    let money: Vec<String> = entry
        .columns
        .iter()
        .filter(|c| c.kind == Kind::Money)
        .map(|c| c.name.clone())
        .collect();
    let lf = lf.select(keep.iter().map(|c| col(c.as_str())).collect::<Vec<_>>());
    let lf = crate::schema::money_as_decimal(lf, &schema, &money);
    let file = dir.join(format!("{name}.parquet"));
    super::sink_parquet_atomic(lf, &file)?;
    Ok(Exported {
        dataset: name.to_string(),
        rows: entry.rows,
        file,
        left_out,
    })
}

/// `views.sql`: a view per file for DuckDB (`duckdb -init views.sql`, or `.read views.sql`),
/// with the folder's absolute path, so it works from any working folder.
fn views_sql(dir: &Path, done: &[Exported]) -> String {
    let base = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut out = String::from(
        "-- Views on the files of `datastroom export`, for DuckDB: duckdb -init views.sql\n\
         -- (or .read views.sql). Made again by every export; edit a copy.\n",
    );
    for e in done {
        // Forward slashes work on Windows too; a quote in a path is doubled for SQL.
        let path = base
            .join(format!("{}.parquet", e.dataset))
            .to_string_lossy()
            .replace('\\', "/")
            .replace('\'', "''");
        out.push_str(&format!(
            "CREATE OR REPLACE VIEW {} AS SELECT * FROM read_parquet('{path}');\n",
            e.dataset
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_name_every_file_with_an_absolute_path() {
        let e = |d: &str| Exported {
            dataset: d.into(),
            rows: 0,
            file: PathBuf::new(),
            left_out: Vec::new(),
        };
        let sql = views_sql(Path::new("/data/power bi's"), &[e("meldingen"), e("wmo")]);
        assert!(sql.contains(
            "CREATE OR REPLACE VIEW meldingen AS SELECT * FROM \
             read_parquet('/data/power bi''s/meldingen.parquet');\n"
        ));
        assert!(
            sql.contains(
                "VIEW wmo AS SELECT * FROM read_parquet('/data/power bi''s/wmo.parquet');"
            )
        );
    }
}
