//! The figures datastroom computes, one module per analysis, each of the same shape:
//! `Options` (the command line's flags and a report section's keys, with one set of defaults)
//! -> `validate(&Context)` -> `Config` -> `compute(&Context, &Config)` -> `Table` (and a chart
//! where a report draws one). Subcommands (`cmd`) and reports (`report`) both come here;
//! nothing here knows of the command line or of files written.

pub mod inhuur;
pub mod peaks;
mod peaks_notes;
pub mod renewals;
pub mod sql;
pub mod timeline;
pub mod waitlist;

use crate::context::{Context, UsageError};
use crate::ingest::Adhoc;
use crate::warehouse::pseudo::Pseudonymiser;
use anyhow::{Context as _, Result, bail};
use polars::prelude::LazyFrame;
use std::path::Path;

/// The rows an analysis reads: a dataset of the warehouse, or an export read on the spot (the
/// staged copy lives as long as this).
pub struct Rows {
    pub lf: LazyFrame,
    /// Rows of the export that could not be read (they are not counted).
    pub unreadable: u64,
    _adhoc: Option<Adhoc>,
}

/// Where the rows of an analysis come from.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The dataset of the warehouse.
    pub dataset: &'a str,
    /// An export to read instead, without ingesting it.
    pub file: Option<&'a Path>,
    /// Read the export as this canonical dataset (its names, types and privacy rules).
    pub read_as: Option<&'a str>,
    /// A mapping file for the export's columns.
    pub mapping: Option<&'a Path>,
}

impl Input<'_> {
    /// The rows: from the file when there is one, else from the warehouse.
    pub fn rows(&self, ctx: &Context, key: Option<&Pseudonymiser>) -> Result<Rows> {
        match self.file {
            Some(path) => {
                let adhoc = crate::ingest::load_adhoc(path, self.read_as, self.mapping, key)?;
                Ok(Rows {
                    lf: adhoc.lf.clone(),
                    unreadable: adhoc.rejected,
                    _adhoc: Some(adhoc),
                })
            }
            None => Ok(Rows {
                lf: ctx.open()?.scan(self.dataset)?,
                unreadable: 0,
                _adhoc: None,
            }),
        }
    }
}

/// A dataset of the warehouse, or, when `name` has an extension or a folder in it, an export
/// read on the spot as `dataset` (inhuur's `--contracts contracten.xlsx`).
pub fn dataset_or_file(
    ctx: &Context,
    name: &str,
    dataset: &str,
    key: Option<&Pseudonymiser>,
) -> Result<Rows> {
    let path = Path::new(name);
    let is_file = path.extension().is_some() || name.contains(['/', '\\']);
    if is_file && !path.is_file() {
        bail!("the file {name} does not exist (a name without an extension is a dataset)");
    }
    let input = Input {
        dataset: name,
        file: is_file.then_some(path),
        read_as: Some(dataset),
        mapping: None,
    };
    input
        .rows(ctx, key)
        .with_context(|| format!("reading {name}"))
}

/// Turns an error in the options into a usage error (exit code 2).
pub fn usage(e: anyhow::Error) -> anyhow::Error {
    anyhow::Error::new(UsageError(format!("{e:#}")))
}

/// A list in a report spec, written as in TOML (`by = ["gemeente", "team"]`) or as on the
/// command line (`by = "gemeente,team"`).
pub fn de_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    use serde::Deserialize;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum List {
        One(String),
        Many(Vec<String>),
    }
    let items = match List::deserialize(d)
        .map_err(|_| serde::de::Error::custom("expected a text or a list of texts"))?
    {
        List::One(s) => vec![s],
        List::Many(v) => v,
    };
    Ok(items
        .iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect())
}
