//! The Delta protocol features of a table: those datastroom reads correctly, and those it
//! must refuse.

use super::shown;
use anyhow::{Result, bail};
use deltalake_core::kernel::{DataType as DeltaType, StructType};
use std::path::Path;

/// The Delta reader features datastroom reads correctly: it reads the live Parquet files as
/// they are, so it may not meet deleted rows marked beside a file (deletion vectors), columns
/// stored under other names (column mapping) or types changed after writing (type widening).
const READABLE_FEATURES: [&str; 3] = ["timestampNtz", "v2Checkpoint", "vacuumProtocolCheck"];

/// The Delta reader features of a table that reading its Parquet files directly would get
/// wrong (silently: deleted rows counted, columns missing).
pub(super) fn unreadable_features(protocol: &deltalake_core::kernel::Protocol) -> Vec<String> {
    let mut features: Vec<String> = protocol
        .reader_features()
        .into_iter()
        .flatten()
        .map(ToString::to_string)
        .filter(|f| !READABLE_FEATURES.contains(&f.as_str()))
        .collect();
    if protocol.min_reader_version() == 2 {
        features.push("columnMapping".to_string());
    }
    features
}

/// Refuses a table with such features: another writer gave them, such as a Fabric,
/// Databricks or Spark job with deletion vectors on.
pub(super) fn refuse_unreadable(dir: &Path, features: &[String]) -> Result<()> {
    if features.is_empty() {
        return Ok(());
    }
    bail!(
        "the Delta table {} uses {} (written by another tool, such as Fabric, Databricks or \
         Spark): datastroom reads a table's Parquet files directly and would read it wrong \
         (deleted rows counted, columns missing). Let that tool write to a table of its own, \
         or turn the feature off and rewrite the table there (for deletion vectors: \
         ALTER TABLE ... SET TBLPROPERTIES ('delta.enableDeletionVectors' = false), then \
         REORG TABLE ... APPLY (PURGE))",
        shown(dir),
        features.join(", ")
    )
}

/// A date-time column needs the timestampNtz feature, which a table gets when it is created
/// with one; a table without may not gain one.
pub(super) fn refuse_new_datetime(
    table_dir: &Path,
    schema: &StructType,
    protocol: &deltalake_core::kernel::Protocol,
) -> Result<()> {
    let needs_ntz = schema
        .fields()
        .any(|f| f.data_type() == &DeltaType::TIMESTAMP_NTZ);
    let has_ntz = protocol
        .writer_features()
        .is_some_and(|fs| fs.iter().any(|x| x.to_string() == "timestampNtz"));
    if needs_ntz && !has_ntz {
        bail!(
            "this export adds a date-time column to {}, whose Delta table was made without \
             one; ingest the export into a dataset of another name (--dataset)",
            shown(table_dir)
        );
    }
    Ok(())
}
