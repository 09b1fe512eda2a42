//! The files of a table as Delta sees them: their `add` actions with statistics, and the
//! table's schema from theirs (or from a dataset's entry when it has none).

use super::shown;
use crate::warehouse::catalog::DatasetEntry;
use crate::warehouse::stats::Gathered;
use anyhow::{Context, Result, bail};
use deltalake_core::kernel::{Action, Add, DataType as DeltaType, StructField, StructType};
use polars::prelude::ArrowDataType;
use std::collections::HashMap;
use std::path::Path;

/// The statistics new files of a table get: of which columns, and those gathered while the
/// files were written (by file name in the table folder).
#[derive(Default)]
pub(super) struct NewStats<'a> {
    pub columns: &'a [String],
    pub gathered: HashMap<String, &'a Gathered>,
}

impl NewStats<'_> {
    /// The `stats` JSON of `file`: gathered while it was written when that was for the same
    /// columns, else read from the file.
    fn of(&self, table_dir: &Path, file: &str) -> Result<serde_json::Value> {
        let path = table_dir.join(file);
        if self.columns.is_empty() {
            return Ok(serde_json::json!({ "numRecords": parquet_rows(&path)? }));
        }
        match self.gathered.get(file) {
            Some(g) if g.columns == self.columns => Ok(g.json.clone()),
            _ => crate::warehouse::stats::of_file(&path, self.columns),
        }
    }
}

/// The add action of a Parquet file in the table folder, with its statistics.
pub(super) fn add_action(table_dir: &Path, file: &str, stats: &NewStats) -> Result<Action> {
    let path = table_dir.join(file);
    let meta = std::fs::metadata(&path).with_context(|| format!("reading {}", shown(&path)))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Ok(Action::Add(Add {
        path: file.to_string(),
        size: i64::try_from(meta.len())?,
        modification_time: modified,
        data_change: true,
        stats: Some(stats.of(table_dir, file)?.to_string()),
        ..Default::default()
    }))
}

/// The rows of a Parquet file, from its footer.
pub(super) fn parquet_rows(path: &Path) -> Result<usize> {
    parquet_reader(path)?
        .num_rows()
        .with_context(|| format!("reading the Parquet footer of {}", shown(path)))
}

fn parquet_reader(path: &Path) -> Result<polars::prelude::ParquetReader<std::fs::File>> {
    use polars::prelude::SerReader;
    let f = std::fs::File::open(path).with_context(|| format!("reading {}", shown(path)))?;
    Ok(polars::prelude::ParquetReader::new(f))
}

/// The table's schema after adding `files`: the columns it had, then new ones in file order.
pub(super) fn file_schema(
    table_dir: &Path,
    files: &[String],
    had: Option<&StructType>,
) -> Result<StructType> {
    let mut fields: Vec<StructField> = had
        .map(|s| s.fields().cloned().collect())
        .unwrap_or_default();
    for file in files {
        let path = table_dir.join(file);
        let schema = parquet_reader(&path)?.schema()?;
        for (name, field) in schema.iter() {
            let dtype = delta_type(&field.dtype).with_context(|| {
                format!(
                    "{}: column '{name}' has a type a Delta table cannot hold",
                    shown(&path)
                )
            })?;
            match fields.iter().find(|f| f.name() == name.as_str()) {
                Some(known) if known.data_type() != &dtype => bail!(
                    "{}: column '{name}' is {dtype} here and {} in the table",
                    shown(&path),
                    known.data_type()
                ),
                Some(_) => {}
                None => fields.push(StructField::new(name.as_str(), dtype, true)),
            }
        }
    }
    Ok(StructType::try_new(fields)?)
}

/// The schema of a dataset's entry with the technical columns: the table of an export that
/// had no accepted rows.
pub(super) fn entry_schema(entry: &DatasetEntry) -> Result<StructType> {
    use crate::schema::Kind;
    let fields = entry
        .columns
        .iter()
        .map(|c| {
            let t = match c.kind {
                Kind::Text => DeltaType::STRING,
                Kind::Date => DeltaType::DATE,
                Kind::Datetime => DeltaType::TIMESTAMP_NTZ,
                Kind::Money | Kind::Number => DeltaType::DOUBLE,
                Kind::Integer => DeltaType::LONG,
                Kind::Boolean => DeltaType::BOOLEAN,
            };
            StructField::new(c.name.as_str(), t, true)
        })
        .chain(
            [crate::schema::COL_INGEST, crate::schema::COL_POS]
                .map(|n| StructField::new(n, DeltaType::LONG, true)),
        );
    Ok(StructType::try_new(fields)?)
}

/// The Delta type of a column as polars writes it. Unsigned integers have no Delta type, so
/// the warehouse stores none (its own columns are Int64).
fn delta_type(dtype: &ArrowDataType) -> Result<DeltaType> {
    Ok(match dtype {
        ArrowDataType::Utf8 | ArrowDataType::LargeUtf8 | ArrowDataType::Utf8View => {
            DeltaType::STRING
        }
        ArrowDataType::Boolean => DeltaType::BOOLEAN,
        ArrowDataType::Int8 => DeltaType::BYTE,
        ArrowDataType::Int16 => DeltaType::SHORT,
        ArrowDataType::Int32 => DeltaType::INTEGER,
        ArrowDataType::Int64 => DeltaType::LONG,
        ArrowDataType::Float32 => DeltaType::FLOAT,
        ArrowDataType::Float64 => DeltaType::DOUBLE,
        ArrowDataType::Date32 => DeltaType::DATE,
        ArrowDataType::Timestamp(_, None) => DeltaType::TIMESTAMP_NTZ,
        ArrowDataType::Timestamp(_, Some(_)) => DeltaType::TIMESTAMP,
        other => bail!("{other:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Statistics gathered for the same columns are used as they are, without reading the file
    /// (they differ from the file's here on purpose). For other columns, or a file without
    /// gathered statistics, the file's own are read; a file that is not Parquet is named.
    #[test]
    fn gathered_statistics_are_used_for_the_same_columns_only() {
        use polars::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let mut df = df!("melding_id" => ["M-2", "M-1"]).unwrap();
        for name in ["part-1.parquet", "part-2.parquet"] {
            ParquetWriter::new(std::fs::File::create(dir.path().join(name)).unwrap())
                .finish(&mut df)
                .unwrap();
        }
        let columns = ["melding_id".to_string(), "gemeente".to_string()];
        let gathered = Gathered {
            columns: columns.to_vec(),
            json: serde_json::json!({ "numRecords": 7 }),
        };
        let stats = NewStats {
            columns: &columns,
            gathered: HashMap::from([("part-1.parquet".to_string(), &gathered)]),
        };
        let read = serde_json::json!({
            "numRecords": 2,
            "minValues": {"melding_id": "M-1"},
            "maxValues": {"melding_id": "M-2"},
            "nullCount": {"melding_id": 0},
        });
        assert_eq!(
            stats.of(dir.path(), "part-1.parquet").unwrap()["numRecords"],
            7
        );
        assert_eq!(stats.of(dir.path(), "part-2.parquet").unwrap(), read);
        let other = NewStats {
            columns: &columns[..1],
            gathered: stats.gathered.clone(),
        };
        assert_eq!(other.of(dir.path(), "part-1.parquet").unwrap(), read);
        std::fs::write(dir.path().join("part-3.parquet"), b"geen parquet").unwrap();
        let err = NewStats::default()
            .of(dir.path(), "part-3.parquet")
            .unwrap_err();
        assert!(format!("{err:#}").contains("part-3.parquet"), "{err:#}");
    }
}
