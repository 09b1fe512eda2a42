//! The catalog: which Parquet files make up each dataset, their schema, and the lineage of
//! every ingest. It is read from the warehouse's Delta tables (`delta.rs`), one entry per
//! table. Warehouses of format 1 kept it in `catalog.json`; `warehouse migrate` reads that
//! (see `docs/warehouse.md`).

use crate::schema::{Kind, Privacy};
use crate::source::Detected;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const FILE_NAME: &str = "catalog.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Catalog {
    pub format_version: u32,
    /// Number the next ingest gets; also names its Parquet files.
    pub next_ingest: u64,
    /// Identifies the pseudonymisation key without revealing it (HMAC of a fixed text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_fingerprint: Option<String>,
    pub datasets: BTreeMap<String, DatasetEntry>,
    /// The version of each dataset's table that was read (not stored: the tables number
    /// their versions themselves).
    #[serde(skip)]
    pub versions: BTreeMap<String, u64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What the retention rule removed at an ingest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionApplied {
    /// Records dated before this day (in the retention column) were removed.
    pub grens: String,
    pub rijen_verwijderd: u64,
    pub afgekeurde_rijen_verwijderd: u64,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog {
            format_version: super::FORMAT_VERSION,
            next_ingest: 1,
            key_fingerprint: None,
            datasets: BTreeMap::new(),
            versions: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatasetEntry {
    /// A canonical dataset (docs/datasets.md) or one whose columns were inferred.
    pub canonical: bool,
    pub key: Option<String>,
    pub rows: u64,
    pub columns: Vec<ColumnEntry>,
    /// Parquet files, relative to the warehouse folder.
    pub files: Vec<String>,
    pub reject_files: Vec<String>,
    pub rejected_rows: u64,
    pub ingests: Vec<IngestEntry>,
    /// The purpose of processing, from the ingest plan or mapping (latest given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doel: Option<String>,
    /// How long records are kept, and from which date column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bewaartermijn: Option<RetentionEntry>,
}

impl DatasetEntry {
    /// The entry of a dataset before its first ingest: no rows, files or columns yet.
    pub fn empty(canonical: bool, key: Option<String>) -> Self {
        DatasetEntry {
            canonical,
            key,
            rows: 0,
            columns: Vec::new(),
            files: Vec::new(),
            reject_files: Vec::new(),
            rejected_rows: 0,
            ingests: Vec::new(),
            doel: None,
            bewaartermijn: None,
        }
    }
}

/// A dataset's retention: the period ("7 jaar") and the date column it counts from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionEntry {
    pub termijn: String,
    pub vanaf: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnEntry {
    pub name: String,
    pub kind: Kind,
    pub privacy: Privacy,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IngestEntry {
    pub id: u64,
    pub time: String,
    pub source: String,
    pub sha256: String,
    pub size: u64,
    pub mode: String,
    pub settings: Detected,
    pub rows_read: u64,
    pub rows_accepted: u64,
    pub rows_rejected: u64,
    pub blank_rows: u64,
    /// Footer rows below the data ("Totaal", "Aantal zaken: 62"): neither read nor rejected.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub footer_rows: u64,
    /// Physical lines of a text export, against which its rows were counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<u64>,
    /// Upsert: rows whose key was new, and rows that replaced an older version.
    pub rows_new: u64,
    pub rows_replaced: u64,
    /// Personal columns dropped at ingest (header names as in the file).
    pub dropped_columns: Vec<String>,
    /// Per column, how many BSNs, phone numbers, e-mail addresses and IBANs were masked in its
    /// values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub masked: BTreeMap<String, crate::schema::personal::Masked>,
    /// Records removed at this ingest because they were older than the retention period, and
    /// the first date kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionApplied>,
    pub pseudonymised_columns: Vec<String>,
    pub tool_version: String,
}

impl Catalog {
    /// The `catalog.json` of a warehouse of format 1 (for `warehouse migrate`).
    pub fn load_v1(dir: &Path) -> Result<Catalog> {
        let path = dir.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).with_context(|| {
                format!(
                    "{} is damaged: it is not valid catalog JSON. Restore it from a backup; the \
                     Parquet files next to it are intact",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Catalog::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Whether a file with this content was ingested into the dataset before.
    pub fn seen(&self, dataset: &str, sha256: &str) -> Option<&IngestEntry> {
        self.datasets
            .get(dataset)?
            .ingests
            .iter()
            .find(|i| i.sha256 == sha256)
    }

    /// Every file the catalog references, relative to the warehouse.
    pub fn referenced_files(&self) -> impl Iterator<Item = &String> {
        self.datasets
            .values()
            .flat_map(|d| d.files.iter().chain(d.reject_files.iter()))
    }
}
