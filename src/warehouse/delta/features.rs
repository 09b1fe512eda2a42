//! The Delta protocol features of a table: those datastroom reads correctly, and those it
//! must refuse.

use super::shown;
use anyhow::{Result, bail};
use deltalake_core::kernel::{DataType as DeltaType, StructType};
use std::path::Path;

/// The Delta reader features datastroom reads correctly. It reads the live Parquet files as
/// they are: it may not meet columns stored under other names (column mapping) or types
/// changed after writing (type widening). Deletion vectors are readable as long as no live
/// file has one (deleted rows marked beside the file): see [`unreadable_features`].
const READABLE_FEATURES: [&str; 4] = [
    "timestampNtz",
    "v2Checkpoint",
    "vacuumProtocolCheck",
    "deletionVectors",
];

/// What reading a table's Parquet files directly would get wrong (silently: deleted rows
/// counted, columns missing): its other reader features, and deletion vectors when
/// `with_deletion_vectors` live files have one. Reader version 2 is column mapping.
pub(super) fn unreadable_features(
    protocol: &deltalake_core::kernel::Protocol,
    with_deletion_vectors: usize,
) -> Vec<String> {
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
    if with_deletion_vectors > 0 {
        features.push(format!(
            "deletionVectors (deleted rows marked in {with_deletion_vectors} file(s))"
        ));
    }
    features
}

/// Refuses a table with such features: another writer gave them, such as a Fabric,
/// Databricks or Spark job. The whole warehouse waits for it: the next ingest's number is
/// taken over all tables.
pub(super) fn refuse_unreadable(dir: &Path, features: &[String]) -> Result<()> {
    if features.is_empty() {
        return Ok(());
    }
    bail!(
        "the Delta table {} uses {} (written by another tool, such as Fabric, Databricks or \
         Spark): datastroom reads a table's Parquet files directly and would read it wrong \
         (deleted rows counted, columns missing). No dataset of this warehouse can be written \
         until the table is mended or moved out of the warehouse folder. For deletion \
         vectors, have that tool rewrite the files without them (REORG TABLE ... APPLY \
         (PURGE)) and keep them off (delta.enableDeletionVectors = false); other features \
         can only be dropped by that tool (ALTER TABLE ... DROP FEATURE), or let it write to \
         a table of its own",
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
