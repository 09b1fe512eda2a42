//! Reading a file for `--input` without the warehouse: an export read with the rules of an
//! ingest and staged in a temporary folder, or a Parquet file as it is, personal columns left
//! out either way.

use super::loader::Staged;
use super::plan::{Mapping, Plan};
use super::{COL_INGEST, COL_POS, Target, prepare, stream_rows};
use crate::schema;
use crate::source::{self, ReadOptions};
use crate::warehouse::pseudo::Pseudonymiser;
use anyhow::{Context, Result};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// Reads a file for `sql --input` or an analysis's `--input` without touching the warehouse: the
/// same reading, typing and privacy rules as an ingest (into `dataset`, or a new dataset),
/// staged in a temporary folder that lives as long as the returned guard. Without a key,
/// columns to pseudonymise are left out.
pub fn load_adhoc(
    path: &Path,
    dataset: Option<&str>,
    mapping: Option<&Path>,
    pseudo: Option<&Pseudonymiser>,
) -> Result<Adhoc> {
    let tmp = tempfile::tempdir().context("cannot create a temporary folder")?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
    {
        return Ok(Adhoc {
            lf: scan_parquet_input(path)?,
            _tmp: tmp,
            rejected: 0,
        });
    }
    let staged = stage_adhoc(
        path,
        dataset,
        mapping,
        pseudo,
        tmp.path().join("input.parquet"),
    )?;
    warn_unreadable(&staged, path);
    let lf = staged.scan()?.drop(cols([COL_POS, COL_INGEST]));
    Ok(Adhoc {
        lf,
        _tmp: tmp,
        rejected: staged.rejected(),
    })
}

/// A file read without the warehouse: the frame, the staged copy it reads (removed when this
/// is dropped), and how many rows could not be read.
pub struct Adhoc {
    pub lf: LazyFrame,
    _tmp: tempfile::TempDir,
    pub rejected: u64,
}

/// A Parquet file for `--input`, as it is but for its personal columns.
fn scan_parquet_input(path: &Path) -> Result<LazyFrame> {
    let mut lf = LazyFrame::scan_parquet(
        PlRefPath::new(path.to_string_lossy()),
        ScanArgsParquet::default(),
    )
    .map_err(anyhow::Error::from)
    .with_context(|| format!("reading {}", path.display()))?;
    // The same privacy rule as for any other file: personal columns are left out.
    let schema = lf.collect_schema().map_err(anyhow::Error::from)?;
    let personal: Vec<String> = schema
        .iter_names()
        .filter(|n| schema::is_personal_header(None, n))
        .map(|n| n.to_string())
        .collect();
    if !personal.is_empty() {
        crate::messages::info(format!(
            "persoonsgegevens niet gelezen uit {}: {}",
            path.display(),
            personal.join(", ")
        ));
        lf = lf.drop(cols(personal));
    }
    Ok(lf)
}

/// Reads an export for `load_adhoc` into the staging file `to`, as an ingest into `dataset`
/// would; without a key, columns to pseudonymise are left out.
fn stage_adhoc(
    path: &Path,
    dataset: Option<&str>,
    mapping: Option<&Path>,
    pseudo: Option<&Pseudonymiser>,
    to: PathBuf,
) -> Result<Staged> {
    crate::warehouse::pseudo::refuse_key_file(path, source::file_size(path)?, pseudo)?;
    let mut src = source::open(path, &ReadOptions::default())?;
    source::check_header(&src.headers, path)?;
    let def = dataset.and_then(schema::dataset);
    let mapping = match mapping {
        Some(m) => Mapping::load(m)?,
        None => Mapping::default(),
    };
    let mut plan = Plan::build(def, &src.headers, &mapping, None, None)?;
    if pseudo.is_none() {
        plan.drop_pseudonymised();
    }
    let prepared = prepare(&mut src, &mut plan, None, None)?;
    let target = Target {
        id: 0,
        file: path,
        path: to,
        size: None,
    };
    let staged = stream_rows(&mut src, &plan, prepared, pseudo, &target)?;
    // The whole file's control characters are checked once it is read.
    src.finish()?;
    Ok(staged)
}

/// Warns that rows of the file could not be read: they count for nothing.
fn warn_unreadable(staged: &Staged, path: &Path) {
    if staged.rejected() > 0 {
        let (n, read, p) = (staged.rejected(), staged.read, path.display());
        crate::messages::warn(
            format!("{n} van de {read} rijen van {p} zijn niet te lezen en tellen niet mee"),
            format!("{n} of {read} rows of {p} could not be read and are left out"),
        );
    }
}
