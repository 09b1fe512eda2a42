//! `datastroom warehouse migrate OLD NEW`: a warehouse of format 1 (Parquet files with
//! `catalog.json`) as Delta tables in a new folder. OLD is not changed. Every live row,
//! pseudonym, rejected row and ingest of its catalog is carried over, and checked afterwards:
//! each dataset and its rejects read back equal to what OLD held.

use super::catalog::{self, Catalog};
use super::{DATASET_RENAMED, REJECTS_RENAMED, Warehouse, WriteGuard, scan_renamed};
use anyhow::{Context, Result, bail};
use polars::prelude::*;
use std::path::Path;
use std::time::Duration;

/// What one dataset brought over.
pub struct Migrated {
    pub dataset: String,
    pub rows: u64,
    pub rejected: u64,
    pub ingests: u64,
    pub files: u64,
}

/// Converts the warehouse in `old` into a new one in `new` (a folder that does not exist or is
/// empty), holding `old`'s lock meanwhile so that no ingest changes it.
pub fn migrate(old: &Path, new: &Path, wait: Duration) -> Result<Vec<Migrated>> {
    if old.join(super::MARKER_FILE).exists() {
        bail!(
            "{} is a warehouse of Delta tables already; nothing to convert",
            old.display()
        );
    }
    if !old.join(catalog::FILE_NAME).exists() {
        bail!(
            "{} is not a warehouse of an earlier datastroom: it has no {}",
            old.display(),
            catalog::FILE_NAME
        );
    }
    let not_empty = std::fs::read_dir(new).is_ok_and(|mut d| d.next().is_some());
    if not_empty {
        bail!(
            "{} is not empty; give a new folder to convert the warehouse into",
            new.display()
        );
    }
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if abs(new).starts_with(abs(old)) {
        bail!(
            "{} is inside {}; give a folder outside the old warehouse",
            new.display(),
            old.display()
        );
    }
    convert(old, new, wait).with_context(|| {
        format!(
            "the conversion into {} stopped; the old warehouse is unchanged. Remove {} before \
             you try again",
            new.display(),
            new.display()
        )
    })
}

fn convert(old: &Path, new: &Path, wait: Duration) -> Result<Vec<Migrated>> {
    let _old_lock = super::take_lock(old, wait)?;
    let catalog = Catalog::load_v1(old)?;
    let mut guard = WriteGuard::acquire(new, wait)?;
    for entry in catalog.datasets.values() {
        for f in &entry.files {
            copy_file(old, new, f, DATASET_RENAMED)?;
        }
        for f in &entry.reject_files {
            copy_file(old, new, f, REJECTS_RENAMED)?;
        }
    }
    guard.commit(catalog.clone(), &std::collections::HashMap::new())?;
    let audit = old.join(super::AUDIT_FILE);
    if audit.exists() {
        crate::fsio::write_atomic(
            &new.join(super::AUDIT_FILE),
            &std::fs::read(&audit).with_context(|| format!("reading {}", audit.display()))?,
        )?;
    }
    drop(guard);
    check(old, new, &catalog)
}

/// One live file of `old`, with today's column names and signed numbers, at the same place
/// under `new`.
fn copy_file(old: &Path, new: &Path, rel: &str, renamed: &[(&str, &str)]) -> Result<()> {
    let target = new.join(rel);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let lf = signed(scan_renamed(old, &[rel.to_string()], renamed)?)?;
    super::sink_parquet_atomic(lf, &target)
}

/// Unsigned columns as Int64: Delta tables have no unsigned integers.
fn signed(mut lf: LazyFrame) -> Result<LazyFrame> {
    let casts: Vec<Expr> = lf
        .collect_schema()?
        .iter()
        .filter(|(_, t)| t.is_unsigned_integer())
        .map(|(n, _)| col(n.clone()).cast(DataType::Int64))
        .collect();
    Ok(if casts.is_empty() {
        lf
    } else {
        lf.with_columns(casts)
    })
}

/// Reads every dataset and its rejects back from `new` and compares them with `old`.
fn check(old: &Path, new: &Path, catalog: &Catalog) -> Result<Vec<Migrated>> {
    let wh = Warehouse::open(new)?;
    let mut out = Vec::new();
    for (name, entry) in &catalog.datasets {
        let now = wh.dataset(name)?;
        let same_lineage =
            serde_json::to_value(&now.ingests)? == serde_json::to_value(&entry.ingests)?;
        if now.rows != entry.rows || !same_lineage {
            bail!(
                "'{name}' differs after converting; {} is unchanged",
                old.display()
            );
        }
        if !entry.files.is_empty() {
            let before = signed(scan_renamed(old, &entry.files, DATASET_RENAMED)?)?.collect()?;
            let names = before.get_column_names_owned();
            let after = wh
                .scan(name)?
                .select(names.into_iter().map(col).collect::<Vec<_>>());
            if !before.equals_missing(&after.collect()?) || before.height() as u64 != entry.rows {
                bail!(
                    "the rows of '{name}' differ after converting; {} is unchanged",
                    old.display()
                );
            }
        }
        if !entry.reject_files.is_empty() {
            let before =
                signed(scan_renamed(old, &entry.reject_files, REJECTS_RENAMED)?)?.collect()?;
            if !before.equals_missing(&wh.scan_rejects(name)?.collect()?) {
                bail!(
                    "the rejected rows of '{name}' differ after converting; {} is unchanged",
                    old.display()
                );
            }
        }
        out.push(Migrated {
            dataset: name.clone(),
            rows: now.rows,
            rejected: now.rejected_rows,
            ingests: now.ingests.len() as u64,
            files: (now.files.len() + now.reject_files.len()) as u64,
        });
    }
    Ok(out)
}
