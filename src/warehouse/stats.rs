//! The statistics of a data file that go into its Delta `add` action: the row count, and the
//! smallest and largest value and the number of empty values of the dataset's key columns.
//! Platform readers use them to skip files (data skipping); an upsert uses them to find the
//! files that can hold a key it replaces, and rewrites only those (docs/warehouse.md).

use anyhow::Result;
use polars::prelude::*;
use serde_json::{Map, Value};
use std::path::Path;

/// The columns whose statistics a dataset's files get: its key, and the municipality when it
/// has one (what an upsert matches on), each once.
pub fn columns(key: Option<String>, gemeente: bool) -> Vec<String> {
    let mut columns: Vec<String> = key.into_iter().collect();
    if gemeente && !columns.iter().any(|c| c == "gemeente") {
        columns.push("gemeente".to_string());
    }
    columns
}

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
    let kept = with_stats(&schema, columns);
    let mut exprs = vec![len().cast(DataType::Int64).alias("numRecords")];
    for (c, _) in &kept {
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
    let mut per_column = Vec::new();
    for (c, _) in kept {
        let lo = value(&format!("min\u{1}{c}"))?;
        let hi = value(&format!("max\u{1}{c}"))?;
        let nulls = value(&format!("nulls\u{1}{c}"))?;
        per_column.push((c, lo, hi, nulls));
    }
    Ok(assemble(value("numRecords")?, per_column))
}

/// The `stats` JSON from the row count and, per column, its smallest and largest value (left
/// out when the column has no values) and its number of empty values.
fn assemble(records: Value, per_column: Vec<(String, Value, Value, Value)>) -> Value {
    let (mut min, mut max, mut nulls) = (Map::new(), Map::new(), Map::new());
    for (c, lo, hi, n) in per_column {
        if !lo.is_null() && !hi.is_null() {
            min.insert(c.clone(), lo);
            max.insert(c.clone(), hi);
        }
        nulls.insert(c, n);
    }
    serde_json::json!({
        "numRecords": records,
        "minValues": min,
        "maxValues": max,
        "nullCount": nulls,
    })
}

/// Those of `columns` that `schema` has with a type the statistics can hold, with the type.
fn with_stats(schema: &Schema, columns: &[String]) -> Vec<(String, DataType)> {
    columns
        .iter()
        .filter_map(|c| Some((c.clone(), schema.get(c.as_str())?.clone())))
        .filter(|(_, dtype)| has_stats(dtype))
        .collect()
}

/// A file's statistics gathered while it was written (the same JSON as [`of_file`] gives for
/// `columns`), so that it need not be read back for them.
#[derive(Debug, Clone, PartialEq)]
pub struct Gathered {
    pub columns: Vec<String>,
    pub json: Value,
}

/// Gathers a file's statistics from the frames written to it, one after the other.
pub struct Gatherer {
    columns: Vec<String>,
    kept: Vec<(String, DataType)>,
    rows: i64,
    /// Per kept column, the smallest and the largest value of each frame, and the empty values.
    lows: Vec<Vec<AnyValue<'static>>>,
    highs: Vec<Vec<AnyValue<'static>>>,
    nulls: Vec<i64>,
}

impl Gatherer {
    /// For the `columns` of a file with `schema`.
    pub fn new(schema: &Schema, columns: &[String]) -> Gatherer {
        let kept = with_stats(schema, columns);
        Gatherer {
            columns: columns.to_vec(),
            lows: vec![Vec::new(); kept.len()],
            highs: vec![Vec::new(); kept.len()],
            nulls: vec![0; kept.len()],
            kept,
            rows: 0,
        }
    }

    /// Takes in the next frame written to the file.
    pub fn add(&mut self, df: &DataFrame) -> Result<()> {
        self.rows += i64::try_from(df.height())?;
        for (i, (c, _)) in self.kept.iter().enumerate() {
            let s = df.column(c.as_str())?.as_materialized_series();
            self.lows[i].push(s.min_reduce()?.into_value());
            self.highs[i].push(s.max_reduce()?.into_value());
            self.nulls[i] += i64::try_from(s.null_count())?;
        }
        Ok(())
    }

    /// The statistics of everything taken in: the smallest of the frames' smallest values,
    /// compared by polars as [`of_file`]'s are.
    pub fn finish(self) -> Result<Gathered> {
        let mut per_column = Vec::new();
        for (((c, dtype), lows), (highs, nulls)) in self
            .kept
            .into_iter()
            .zip(self.lows)
            .zip(self.highs.into_iter().zip(self.nulls))
        {
            let name = PlSmallStr::from(c.as_str());
            let lo = Series::from_any_values_and_dtype(name.clone(), &lows, &dtype, true)?;
            let hi = Series::from_any_values_and_dtype(name, &highs, &dtype, true)?;
            let lo = json_of(lo.min_reduce()?.value());
            let hi = json_of(hi.max_reduce()?.value());
            per_column.push((c, lo, hi, Value::from(nulls)));
        }
        Ok(Gathered {
            columns: self.columns,
            json: assemble(Value::from(self.rows), per_column),
        })
    }
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

    /// The key first, then gemeente; gemeente once when it is the key (its statistics asked
    /// twice made polars refuse the file's two columns of one name).
    #[test]
    fn the_columns_with_statistics() {
        let key = |k: &str| Some(k.to_string());
        assert_eq!(columns(key("melding_id"), true), ["melding_id", "gemeente"]);
        assert_eq!(columns(key("melding_id"), false), ["melding_id"]);
        assert_eq!(columns(None, true), ["gemeente"]);
        assert_eq!(columns(key("gemeente"), true), ["gemeente"]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.parquet");
        let mut df = df!("gemeente" => ["Zevenaar", "Duiven"]).unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap())
            .finish(&mut df)
            .unwrap();
        let stats = of_file(&path, &columns(key("gemeente"), true)).unwrap();
        assert_eq!(stats["minValues"]["gemeente"], "Duiven");
    }

    /// Statistics gathered from the frames written to a file are those read back from it:
    /// a column empty in one frame, whole numbers, dates, a column without statistics (x), and
    /// a file without rows.
    #[test]
    fn gathered_statistics_are_those_of_the_file() {
        let d = |day: u32| chrono::NaiveDate::from_ymd_opt(2024, 3, day).unwrap();
        let frames = [
            df!(
                "melding_id" => ["M-9", "M-2"],
                "gemeente" => [None::<&str>, None],
                "nr" => [Some(5i64), None],
                "datum" => [d(8), d(1)],
                "x" => [1.5, 2.5],
            )
            .unwrap(),
            df!(
                "melding_id" => ["M-10"],
                "gemeente" => [Some("Duiven")],
                "nr" => [Some(-3i64)],
                "datum" => [d(2)],
                "x" => [3.5],
            )
            .unwrap(),
        ];
        let cols = ["melding_id", "gemeente", "nr", "datum", "x"].map(String::from);
        let dir = tempfile::tempdir().unwrap();
        let schema = frames[0].schema().clone();
        for (name, frames) in [("twee.parquet", &frames[..]), ("leeg.parquet", &[])] {
            let path = dir.path().join(name);
            let mut writer = ParquetWriter::new(std::fs::File::create(&path).unwrap())
                .batched(&schema)
                .unwrap();
            let mut gatherer = Gatherer::new(&schema, &cols);
            for f in frames {
                writer.write_batch(f).unwrap();
                gatherer.add(f).unwrap();
            }
            writer.finish().unwrap();
            let gathered = gatherer.finish().unwrap();
            assert_eq!(gathered.columns, cols);
            assert_eq!(gathered.json, of_file(&path, &cols).unwrap(), "{name}");
        }
        let mut gatherer = Gatherer::new(frames[0].schema(), &cols);
        frames.iter().for_each(|f| gatherer.add(f).unwrap());
        assert_eq!(
            gatherer.finish().unwrap().json,
            serde_json::json!({
                "numRecords": 3,
                "minValues": {"melding_id": "M-10", "gemeente": "Duiven", "nr": -3, "datum": "2024-03-01"},
                "maxValues": {"melding_id": "M-9", "gemeente": "Duiven", "nr": 5, "datum": "2024-03-08"},
                "nullCount": {"melding_id": 0, "gemeente": 2, "nr": 1, "datum": 0},
            })
        );
    }
}
