//! The statistics of a data file that go into its Delta `add` action: the row count, and the
//! smallest and largest value and the number of empty values of the dataset's key columns.
//! Platform readers use them to skip files (data skipping); an upsert uses them to find the
//! files that can hold a key it replaces, and rewrites only those (docs/warehouse.md).

use anyhow::Result;
use polars::prelude::*;
use serde_json::{Map, Value};
use std::path::Path;

/// The `stats` JSON of a file: `numRecords`, and `minValues`, `maxValues` and `nullCount` of
/// those of `columns` that the file has with a type the statistics can hold (text, whole
/// numbers, dates).
pub fn of_file(path: &Path, columns: &[String]) -> Result<Value> {
    let scanned = LazyFrame::scan_parquet(
        PlRefPath::new(path.to_string_lossy()),
        ScanArgsParquet::default(),
    );
    let mut lf = anyhow::Context::with_context(scanned, || format!("reading {}", path.display()))?;
    let schema = lf.collect_schema()?;
    let kept: Vec<&String> = columns
        .iter()
        .filter(|c| schema.get(c.as_str()).is_some_and(has_stats))
        .collect();
    let mut exprs = vec![len().cast(DataType::Int64).alias("numRecords")];
    for c in &kept {
        let c = c.as_str();
        exprs.push(col(c).min().alias(format!("min\u{1}{c}")));
        exprs.push(col(c).max().alias(format!("max\u{1}{c}")));
        exprs.push(
            col(c)
                .null_count()
                .cast(DataType::Int64)
                .alias(format!("nulls\u{1}{c}")),
        );
    }
    let df = anyhow::Context::with_context(lf.select(exprs).collect(), || {
        format!("reading {}", path.display())
    })?;
    let value = |name: &str| -> Result<Value> { Ok(json_of(&df.column(name)?.get(0)?)) };
    let (mut min, mut max, mut nulls) = (Map::new(), Map::new(), Map::new());
    for c in kept {
        let (lo, hi) = (
            value(&format!("min\u{1}{c}"))?,
            value(&format!("max\u{1}{c}"))?,
        );
        if !lo.is_null() && !hi.is_null() {
            min.insert(c.clone(), lo);
            max.insert(c.clone(), hi);
        }
        nulls.insert(c.clone(), value(&format!("nulls\u{1}{c}"))?);
    }
    Ok(serde_json::json!({
        "numRecords": value("numRecords")?,
        "minValues": min,
        "maxValues": max,
        "nullCount": nulls,
    }))
}

fn has_stats(dtype: &DataType) -> bool {
    matches!(
        dtype,
        DataType::String | DataType::Int32 | DataType::Int64 | DataType::Date
    )
}

/// A value as Delta's statistics write it: text and numbers as themselves, a date as
/// `yyyy-mm-dd`.
fn json_of(v: &AnyValue) -> Value {
    match v {
        AnyValue::String(s) => Value::from(*s),
        AnyValue::StringOwned(s) => Value::from(s.as_str()),
        AnyValue::Int32(n) => Value::from(*n),
        AnyValue::Int64(n) => Value::from(*n),
        AnyValue::Date(days) => chrono::TimeDelta::try_days(i64::from(*days))
            .and_then(|d| chrono::NaiveDate::default().checked_add_signed(d))
            .map_or(Value::Null, |d| {
                Value::from(d.format("%Y-%m-%d").to_string())
            }),
        _ => Value::Null,
    }
}

/// The range of a column's values in one file, from its statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    pub min: Value,
    pub max: Value,
    /// Whether the file has empty values in the column (unknown counts as yes).
    pub nulls: bool,
}

/// The range of `column` in a file's `stats` JSON; `None` when they do not say.
pub fn range_in(stats: &str, column: &str) -> Option<Range> {
    let v: Value = serde_json::from_str(stats).ok()?;
    let min = v.get("minValues")?.get(column)?.clone();
    let max = v.get("maxValues")?.get(column)?.clone();
    let nulls = v
        .get("nullCount")
        .and_then(|n| n.get(column))
        .and_then(Value::as_u64)
        .is_none_or(|n| n > 0);
    Some(Range { min, max, nulls })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statistics of a small file, computed by hand: 3 rows, keys "M-2" to "M-9" (text
    /// order), one empty gemeente, dates 1-3-2024 to 8-3-2024.
    #[test]
    fn statistics_of_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.parquet");
        let d = |day: u32| chrono::NaiveDate::from_ymd_opt(2024, 3, day).unwrap();
        let mut df = df!(
            "melding_id" => ["M-9", "M-2", "M-10"],
            "gemeente" => [Some("Zevenaar"), None, Some("Duiven")],
            "datum" => [d(8), d(1), d(2)],
            "x" => [1.5, 2.5, 3.5],
        )
        .unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap())
            .finish(&mut df)
            .unwrap();
        let cols = ["melding_id", "gemeente", "datum", "x"].map(String::from);
        let stats = of_file(&path, &cols).unwrap();
        assert_eq!(
            stats,
            serde_json::json!({
                "numRecords": 3,
                "minValues": {"melding_id": "M-10", "gemeente": "Duiven", "datum": "2024-03-01"},
                "maxValues": {"melding_id": "M-9", "gemeente": "Zevenaar", "datum": "2024-03-08"},
                "nullCount": {"melding_id": 0, "gemeente": 1, "datum": 0},
            })
        );
        let text = stats.to_string();
        assert_eq!(
            range_in(&text, "gemeente"),
            Some(Range {
                min: Value::from("Duiven"),
                max: Value::from("Zevenaar"),
                nulls: true
            })
        );
        assert!(!range_in(&text, "melding_id").unwrap().nulls);
        assert_eq!(range_in(&text, "x"), None);
        assert_eq!(range_in(r#"{"numRecords": 3}"#, "melding_id"), None);
    }
}
