//! An upsert rewrites only the files of the dataset that hold a key it replaces. The Delta
//! statistics of each file (the smallest and largest key, `warehouse::stats`) rule out most
//! files without reading them; the others are read on their key columns, and a file that holds
//! a replaced key is written anew without those rows. The rest stay as they are, so a weekly
//! export of recent reports touches the few newest files of a large dataset, not all of it
//! (docs/warehouse.md, docs/performance.md).

use super::*;
use crate::warehouse::stats::range_in;
use serde_json::Value;

#[derive(Debug, Default, Clone, Copy)]
pub(super) struct UpsertCounts {
    /// Rows of the dataset that a row of the new export replaces.
    pub(super) old_removed: u64,
    /// Rows of the new export whose key was already in the dataset.
    pub(super) new_matched: u64,
}

/// What an upsert does to the dataset's files.
#[derive(Debug, Default)]
pub(super) struct Merged {
    /// Files that hold none of the new keys: kept as they are.
    pub(super) kept: Vec<String>,
    /// The files that did, written anew without the replaced rows (a file all of whose rows
    /// were replaced has none).
    pub(super) rewritten: Vec<String>,
    pub(super) counts: UpsertCounts,
}

/// Where the next data file of this ingest goes: its path in the warehouse and on disk.
pub(super) trait NextPart {
    fn next_part(&mut self) -> (String, PathBuf);
}

/// The dataset's table as an upsert meets it.
pub(super) struct Dataset<'a> {
    pub(super) dir: &'a Path,
    pub(super) name: &'a str,
    pub(super) entry: &'a DatasetEntry,
    /// The table version the entry was read from.
    pub(super) version: Option<u64>,
    /// The columns rows match on (the municipality first when there is one, the key last).
    pub(super) keys: &'a [String],
}

impl Dataset<'_> {
    /// Merges `new` into the dataset's files: the touched files are rewritten through `parts`
    /// (written, not yet committed), the others kept.
    pub(super) fn merge(&self, new: LazyFrame, parts: &mut impl NextPart) -> Result<Merged> {
        let new_keys = self.distinct_keys(new.clone())?;
        let candidates = self.candidates(&new_keys)?;
        let mut merged = Merged::default();
        // The new keys found in the dataset, file by file (small: at most the export's keys),
        // rather than one join against all touched files' keys at the end.
        let mut found: Vec<LazyFrame> = Vec::new();
        for file in &self.entry.files {
            if !candidates.contains(file) {
                merged.kept.push(file.clone());
                continue;
            }
            let old = warehouse::scan_files(self.dir, std::slice::from_ref(file))?;
            let keys = new_keys.clone().lazy();
            let matched = count(key_join(
                old.clone(),
                keys.clone(),
                self.keys,
                JoinType::Semi,
            )?)?;
            if matched == 0 {
                merged.kept.push(file.clone());
                continue;
            }
            merged.counts.old_removed += matched;
            found.push(
                key_join(keys.clone(), old.clone(), self.keys, JoinType::Semi)?
                    .collect()?
                    .lazy(),
            );
            if count(old.clone())? > matched {
                let (rel, path) = parts.next_part();
                let rest = key_join(old, keys, self.keys, JoinType::Anti)?;
                warehouse::sink_parquet_atomic(rest, &path)?;
                merged.rewritten.push(rel);
            }
        }
        if !found.is_empty() {
            let found = concat_lf_diagonal(found, UnionArgs::default())?;
            merged.counts.new_matched = count(key_join(new, found, self.keys, JoinType::Semi)?)?;
        }
        Ok(merged)
    }

    /// How the new rows meet the dataset, without writing anything (`--dry-run`).
    pub(super) fn counts(&self, new: LazyFrame) -> Result<UpsertCounts> {
        let new_keys = self.distinct_keys(new.clone())?;
        let candidates: Vec<String> = self.candidates(&new_keys)?.into_iter().collect();
        if candidates.is_empty() {
            return Ok(UpsertCounts::default());
        }
        let old = warehouse::scan_files(self.dir, &candidates)?;
        Ok(UpsertCounts {
            old_removed: count(key_join(
                old.clone(),
                new_keys.lazy(),
                self.keys,
                JoinType::Semi,
            )?)?,
            new_matched: count(key_join(new, old, self.keys, JoinType::Semi)?)?,
        })
    }

    fn distinct_keys(&self, new: LazyFrame) -> Result<DataFrame> {
        let on: Vec<Expr> = self.keys.iter().map(|k| col(k.as_str())).collect();
        Ok(with_key_columns(new, self.keys)?
            .select(on)
            .unique(None, UniqueKeepStrategy::Any)
            .collect()?)
    }

    /// The files that can hold one of `new_keys`: those whose statistics give, for every key
    /// column, a range that takes in that column of one and the same new key (an empty value
    /// only where the file has empty values), and those without statistics.
    fn candidates(&self, new_keys: &DataFrame) -> Result<HashSet<String>> {
        let stats = warehouse::delta::file_stats(self.dir, self.name, self.version)?;
        let mut out = HashSet::new();
        for file in &self.entry.files {
            let take = match stats.get(file) {
                None => true,
                Some(json) => self.any_inside(new_keys, json)?,
            };
            if take {
                out.insert(file.clone());
            }
        }
        Ok(out)
    }

    /// Whether one of `keys` lies within a file's ranges (`stats` JSON) on every key column.
    /// A column the statistics do not cover, or cover with values of another type, rules out
    /// nothing.
    fn any_inside(&self, keys: &DataFrame, stats: &str) -> Result<bool> {
        let mut all = lit(true);
        for column in self.keys {
            let Some(range) = range_in(stats, column) else {
                continue;
            };
            let dtype = keys.column(column)?.dtype().clone();
            let bound = |v: &Value| -> Option<Expr> {
                match v {
                    Value::String(s) => Some(lit(s.as_str()).strict_cast(dtype.clone())),
                    Value::Number(n) => n.as_i64().map(|i| lit(i).strict_cast(dtype.clone())),
                    _ => None,
                }
            };
            let (Some(lo), Some(hi)) = (bound(&range.min), bound(&range.max)) else {
                continue;
            };
            let c = col(column.as_str());
            let inside = c.clone().gt_eq(lo).and(c.clone().lt_eq(hi));
            all = all.and(inside.or(c.is_null().and(lit(range.nulls))));
        }
        // A bound that does not convert to the column's type rules out nothing.
        Ok(count(keys.clone().lazy().filter(all)).map_or(true, |n| n > 0))
    }
}

/// `a` joined to the distinct keys of `b` (semi: rows of `a` with a match; anti: without).
/// Empty municipalities match each other; a side without a gemeente column has none.
pub(super) fn key_join(
    a: LazyFrame,
    b: LazyFrame,
    keys: &[String],
    how: JoinType,
) -> Result<LazyFrame> {
    let (a, b) = (with_key_columns(a, keys)?, with_key_columns(b, keys)?);
    let on: Vec<Expr> = keys.iter().map(|k| col(k.as_str())).collect();
    let mut args = JoinArgs::new(how);
    args.nulls_equal = true;
    Ok(a.join(
        b.select(on.clone()).unique(None, UniqueKeepStrategy::Any),
        on.clone(),
        on,
        args,
    ))
}

/// The rows of `old` without a newer version in `new`, followed by `new`.
pub(super) fn replace_matching(
    old: LazyFrame,
    new: LazyFrame,
    keys: &[String],
) -> Result<LazyFrame> {
    let kept = key_join(old, new.clone(), keys, JoinType::Anti)?;
    Ok(concat_lf_diagonal([kept, new], UnionArgs::default())?)
}

/// The rows of a frame (a join, or one scan: polars 0.55's row-count shortcut fails on a
/// diagonal concatenation of Parquet scans, which [`count_rows`] counts).
pub(super) fn count(lf: LazyFrame) -> Result<u64> {
    let n = lf
        .select([len().cast(DataType::UInt64).alias("n")])
        .collect()?;
    Ok(n.column("n")?.u64()?.get(0).unwrap_or(0))
}

/// The rows of any frame of a dataset's files, all of them (also those another writer added
/// without datastroom's technical columns): the filled and the empty values of the ingest
/// number. [`count`]'s `len()` takes polars 0.55's row-count shortcut, which fails on a
/// diagonal concatenation of Parquet scans ("casting from UInt32 to UInt128").
pub(super) fn count_rows(lf: LazyFrame) -> Result<u64> {
    let ingest = || col(COL_INGEST);
    let n = lf
        .select([(ingest().count().cast(DataType::UInt64)
            + ingest().null_count().cast(DataType::UInt64))
        .alias("n")])
        .collect()?;
    Ok(n.column("n")?.u64()?.get(0).unwrap_or(0))
}

/// Adds the key columns a frame lacks, as empty text.
pub(super) fn with_key_columns(mut lf: LazyFrame, keys: &[String]) -> Result<LazyFrame> {
    let schema = lf.collect_schema()?;
    for k in keys.iter().filter(|k| !schema.contains(k.as_str())) {
        lf = lf.with_column(lit(NULL).cast(DataType::String).alias(k.as_str()));
    }
    Ok(lf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Statistics in the shape Delta writes them (`warehouse::stats`).
    fn stats(gemeente: (&str, &str, u64), id: (&str, &str)) -> String {
        serde_json::json!({
            "numRecords": 10,
            "minValues": {"gemeente": gemeente.0, "melding_id": id.0},
            "maxValues": {"gemeente": gemeente.1, "melding_id": id.1},
            "nullCount": {"gemeente": gemeente.2, "melding_id": 0},
        })
        .to_string()
    }

    /// Which files an upsert must read, decided by hand for each case: a file is a candidate
    /// when one and the same new key lies within its ranges on every key column (text order:
    /// "M-50" < "M-6").
    #[test]
    fn a_file_is_a_candidate_when_one_key_lies_inside_on_every_column() {
        let entry = DatasetEntry::empty(true, Some("melding_id".into()));
        let keys = ["gemeente".to_string(), "melding_id".to_string()];
        let ds = Dataset {
            dir: Path::new("."),
            name: "meldingen",
            entry: &entry,
            version: None,
            keys: &keys,
        };
        let new = df!(
            "gemeente" => [Some("Zevenaar"), Some("Duiven"), None],
            "melding_id" => ["M-5", "M-7", "M-50"],
        )
        .unwrap();
        let inside = |s: &str| ds.any_inside(&new, s).unwrap();
        // (Zevenaar, M-5) lies inside both ranges.
        assert!(inside(&stats(("Duiven", "Zevenaar", 0), ("M-2", "M-9"))));
        // Each column alone has a new value inside, but no one key on both: ruled out.
        assert!(!inside(&stats(("Zevenaar", "Zevenaar", 0), ("M-6", "M-9"))));
        // Only (empty, M-50) can lie in a Westervoort file with "M-45".."M-55": when the file
        // holds empty municipalities ...
        assert!(inside(&stats(
            ("Westervoort", "Westervoort", 2),
            ("M-45", "M-55")
        )));
        // ... and not when it has none.
        assert!(!inside(&stats(
            ("Westervoort", "Westervoort", 0),
            ("M-45", "M-55")
        )));
        // A key column the statistics leave out rules out nothing, the others still do: no
        // new key is in Westervoort (and the file has no empty gemeente).
        let no_id = r#"{"minValues":{"gemeente":"Westervoort"},"maxValues":{"gemeente":"Westervoort"},"nullCount":{"gemeente":0}}"#;
        assert!(
            !inside(no_id),
            "Westervoort is none of the new municipalities"
        );
        let none = r#"{"numRecords":10}"#;
        assert!(inside(none));
        // A bound that is not of the column's type rules out nothing.
        let ids = df!("gemeente" => ["Duiven"], "melding_id" => [7i64]).unwrap();
        let text_bounds = stats(("Duiven", "Duiven", 0), ("abc", "abd"));
        assert!(ds.any_inside(&ids, &text_bounds).unwrap());
        let number_bounds = r#"{"minValues":{"gemeente":"Duiven","melding_id":8},"maxValues":{"gemeente":"Duiven","melding_id":12},"nullCount":{"gemeente":0,"melding_id":0}}"#;
        assert!(!ds.any_inside(&ids, number_bounds).unwrap());
    }
}
