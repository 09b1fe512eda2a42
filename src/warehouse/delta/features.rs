//! The Delta protocol features of a table: those datastroom reads correctly, and those it
//! must refuse.

use super::shown;
use anyhow::{Result, bail};
use deltalake_core::kernel::{DataType as DeltaType, StructType};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// A reason why reading a table's Parquet files directly would read it wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Unreadable {
    /// A reader feature datastroom does not read (column mapping by name or id, type
    /// widening, ...), by its Delta name.
    Feature(String),
    /// Deletion vectors in use: deleted rows marked beside this many live files.
    DeletionVectors(usize),
    /// Files at an absolute address or outside the table's folder (a shallow clone's): how
    /// many, and the first.
    Outside { files: usize, first: String },
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreadable::Feature(name) => f.write_str(name),
            Unreadable::DeletionVectors(n) => {
                write!(f, "deletionVectors (deleted rows marked in {n} file(s))")
            }
            Unreadable::Outside { files, first } => write!(
                f,
                "{files} file(s) at an absolute address or outside its folder (such as \
                 {first}; a shallow clone? Make a deep clone instead)"
            ),
        }
    }
}

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
/// `with_deletion_vectors` live files have one. Column mapping (the feature, or reader
/// version 2, which has it) is read right while its mode (`properties`) is `none`: the columns
/// are then stored under their own names.
pub(super) fn unreadable_features(
    protocol: &deltalake_core::kernel::Protocol,
    properties: &HashMap<String, String>,
    with_deletion_vectors: usize,
) -> Vec<Unreadable> {
    let mapped = properties
        .get("delta.columnMapping.mode")
        .is_some_and(|mode| !mode.eq_ignore_ascii_case("none"));
    let mut features: Vec<Unreadable> = protocol
        .reader_features()
        .into_iter()
        .flatten()
        .map(ToString::to_string)
        .filter(|f| !READABLE_FEATURES.contains(&f.as_str()))
        .filter(|f| f != "columnMapping" || mapped)
        .map(Unreadable::Feature)
        .collect();
    if protocol.min_reader_version() == 2 && mapped {
        features.push(Unreadable::Feature("columnMapping".to_string()));
    }
    if with_deletion_vectors > 0 {
        features.push(Unreadable::DeletionVectors(with_deletion_vectors));
    }
    features
}

/// Whether a file of the log is at an absolute address (a URL, a drive or a path from the
/// root), as a shallow clone's files are, or climbs out of the table's folder (`..`):
/// datastroom reads only the files inside a table's folder. A colon alone makes no address:
/// a partition folder or a file may have one in its name.
pub(super) fn outside_folder(path: &str) -> bool {
    let address = path.split_once(':').is_some_and(|(s, rest)| {
        let scheme = s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        let drive = s.len() == 1 && rest.starts_with(['/', '\\']);
        scheme && (rest.starts_with("//") || drive || s.eq_ignore_ascii_case("file"))
    });
    let climbs = path.split(['/', '\\']).any(|part| part == "..");
    address || climbs || path.starts_with(['/', '\\'])
}

/// Refuses a table with such features: another writer gave them, such as a Fabric,
/// Databricks or Spark job. The whole warehouse waits for it: the next ingest's number is
/// taken over all tables. The advice names only what mends the reasons given.
pub(super) fn refuse_unreadable(dir: &Path, features: &[Unreadable]) -> Result<()> {
    if features.is_empty() {
        return Ok(());
    }
    bail!(
        "the Delta table {} uses {} (written by another tool, such as Fabric, Databricks or \
         Spark): datastroom reads a table's Parquet files directly and would read it wrong \
         (deleted rows counted, columns or files missing). No dataset of this warehouse can be \
         written until the table is mended or moved out of the warehouse folder{}",
        shown(dir),
        features
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        advice(features)
    )
}

/// What mends each kind of reason of [`refuse_unreadable`]: files outside the folder carry
/// their own advice (a deep clone) in their reason.
fn advice(features: &[Unreadable]) -> String {
    let vectors = features
        .iter()
        .any(|f| matches!(f, Unreadable::DeletionVectors(_)));
    let others = features.iter().any(|f| matches!(f, Unreadable::Feature(_)));
    let mut advice = String::new();
    if vectors {
        advice.push_str(
            ". For deletion vectors, have that tool rewrite the files without them (REORG \
             TABLE ... APPLY (PURGE)) and keep them off (delta.enableDeletionVectors = false)",
        );
    }
    if others {
        let which = if vectors { "Other" } else { "These" };
        advice.push_str(&format!(
            ". {which} features can only be dropped by that tool (ALTER TABLE ... DROP \
             FEATURE), or let it write to a table of its own"
        ));
    }
    advice
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

#[cfg(test)]
mod tests {
    use super::{Unreadable, advice, outside_folder, unreadable_features};
    use deltalake_core::kernel::Protocol;
    use serde_json::json;
    use std::collections::HashMap;

    fn protocol(action: serde_json::Value) -> Protocol {
        serde_json::from_value(action).unwrap()
    }

    fn mode(mode: Option<&str>) -> HashMap<String, String> {
        mode.map(|m| ("delta.columnMapping.mode".to_string(), m.to_string()))
            .into_iter()
            .collect()
    }

    /// Column mapping is refused only in a mode that stores columns under other names; reader
    /// version 2 (which has it without naming it) likewise. Other features are refused as
    /// before, deletion vectors once a file has one.
    #[test]
    fn column_mapping_is_refused_only_when_it_maps() {
        let v2 = protocol(json!({"minReaderVersion": 2, "minWriterVersion": 5}));
        let v3 = protocol(json!({"minReaderVersion": 3, "minWriterVersion": 7,
            "readerFeatures": ["columnMapping", "deletionVectors", "typeWidening"],
            "writerFeatures": ["columnMapping", "deletionVectors", "typeWidening"]}));
        for (p, m, dv, unreadable) in [
            (&v2, None, 0, vec![]),
            (&v2, Some("none"), 0, vec![]),
            (&v2, Some("name"), 0, vec!["columnMapping"]),
            (&v2, Some("id"), 0, vec!["columnMapping"]),
            (&v2, Some("None"), 0, vec![]),
            (&v3, Some("none"), 0, vec!["typeWidening"]),
            (&v3, Some("name"), 0, vec!["columnMapping", "typeWidening"]),
            (
                &v3,
                None,
                2,
                vec![
                    "typeWidening",
                    "deletionVectors (deleted rows marked in 2 file(s))",
                ],
            ),
        ] {
            let named: Vec<String> = unreadable_features(p, &mode(m), dv)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(named, unreadable, "{m:?} {dv}");
        }
    }

    /// The refusal advises only what mends its reasons: a shallow clone's files get no advice
    /// about deletion vectors or features, which would send the reader the wrong way.
    #[test]
    fn the_advice_follows_the_reasons() {
        let outside = Unreadable::Outside {
            files: 2,
            first: "s3://lake/meldingen/part-1.parquet".to_string(),
        };
        let vectors = Unreadable::DeletionVectors(1);
        let widening = Unreadable::Feature("typeWidening".to_string());
        for (reasons, reorg, drop) in [
            (vec![outside.clone()], false, false),
            (vec![vectors.clone()], true, false),
            (vec![widening.clone()], false, true),
            (vec![widening, vectors, outside], true, true),
        ] {
            let advice = advice(&reasons);
            assert_eq!(advice.contains("REORG"), reorg, "{reasons:?}");
            assert_eq!(advice.contains("DROP FEATURE"), drop, "{reasons:?}");
        }
    }

    #[test]
    fn a_file_at_an_absolute_address_is_outside_the_folder() {
        for inside in [
            "part-000001-0000.parquet",
            "gemeente=Zevenaar/part-00000-c000.snappy.parquet",
            // A partition value with a time in it: a colon, but no scheme before it.
            "ts=2024-01-01 10:00:00/part-1.parquet",
            // A colon in a partition column's name, or in a file's.
            "a:b=1/part-1.parquet",
            "part:1.parquet",
        ] {
            assert!(!outside_folder(inside), "{inside}");
        }
        for outside in [
            "s3://gemeenten/meldingen/part-1.parquet",
            "abfss://lake@liemers.dfs.core.windows.net/meldingen/part-1.parquet",
            "file:///srv/warehouse/meldingen/part-1.parquet",
            "/srv/warehouse/meldingen/part-1.parquet",
            "C:\\warehouse\\meldingen\\part-1.parquet",
            "file:/srv/warehouse/meldingen/part-1.parquet",
            "\\\\server\\share\\part-1.parquet",
            "../zaken_sociaal/part-1.parquet",
            "jaar=2024/../../elders/part-1.parquet",
        ] {
            assert!(outside_folder(outside), "{outside}");
        }
    }
}
