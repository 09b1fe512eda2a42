//! "Stand van de gegevens": which datasets a report reads, when each was last ingested and the
//! latest date in its records.

use super::spec::{Kind, Section};
use crate::warehouse::Warehouse;
use anyhow::Result;
use std::collections::BTreeSet;

/// The datasets the sections read: a section's `dataset` (`contracts`, `invoices`) option or its
/// type's default, and for SQL every dataset named in the query.
pub fn used_datasets(sections: &[Section], wh: &Warehouse) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for s in sections {
        // A section that reads an export (`input`) reads no dataset.
        let warehouse = |dataset: &str, file: &Option<std::path::PathBuf>| {
            file.is_none().then(|| dataset.to_string())
        };
        let names: Vec<Option<String>> = match &s.kind {
            Kind::Waitlist(o) => vec![warehouse(&o.dataset, &o.input)],
            Kind::Peaks(o) => vec![warehouse(&o.dataset, &o.input)],
            Kind::Renewals(o) => vec![warehouse(&o.dataset, &o.input)],
            Kind::Timeline(o) => vec![Some(o.dataset.clone())],
            Kind::Inhuur(o) => vec![Some(o.contracts.clone()), Some(o.invoices.clone())],
            Kind::Sql { query, .. } => {
                let q = query.to_lowercase();
                let words: BTreeSet<&str> = q
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .collect();
                wh.catalog
                    .datasets
                    .keys()
                    .filter(|d| words.contains(d.to_lowercase().as_str()))
                    .map(|d| Some(d.clone()))
                    .collect()
            }
            Kind::Text(_) => Vec::new(),
        };
        used.extend(
            names
                .into_iter()
                .flatten()
                .filter(|n| wh.catalog.datasets.contains_key(n)),
        );
    }
    used
}

/// What a report says of one dataset it read.
pub struct DataDate {
    pub dataset: String,
    /// Its last ingest, or "bij het maken van dit rapport".
    pub ingest: String,
    /// The version of its Delta table that was read: with `--snapshot` the report can be made
    /// again from the same data.
    pub version: Option<u64>,
    /// The latest date in its records.
    pub latest: String,
}

/// Per dataset the reports reads: its last ingest ("bij dit rapport" when the report loaded the
/// exports itself), the table version read and the latest date in its records, not counting
/// dates that lie ahead by nature (end dates, valid-until dates).
pub fn data_dates(
    wh: &Warehouse,
    used: &BTreeSet<String>,
    loaded_here: bool,
    nl: bool,
) -> Result<Vec<DataDate>> {
    use polars::prelude::*;
    let mut out = Vec::new();
    for (name, entry) in wh
        .catalog
        .datasets
        .iter()
        .filter(|(n, _)| used.contains(*n))
    {
        let last_ingest = match (loaded_here, nl) {
            (true, true) => "bij het maken van dit rapport".to_string(),
            (true, false) => "when this report was made".to_string(),
            (false, _) => entry
                .ingests
                .last()
                .map(|i| i.time.chars().take(10).collect::<String>())
                .unwrap_or_default(),
        };
        let date_cols: Vec<Expr> = entry
            .columns
            .iter()
            .filter(|c| {
                matches!(
                    c.kind,
                    crate::schema::Kind::Date | crate::schema::Kind::Datetime
                ) && !["einddatum", "geldig_tot", "periode_tot"].contains(&c.name.as_str())
            })
            .map(|c| {
                col(c.name.as_str())
                    .cast(DataType::Date)
                    .cast(DataType::Int32)
                    .max()
            })
            .collect();
        let latest = if date_cols.is_empty() {
            String::new()
        } else {
            let df = wh.scan(name)?.select(date_cols).collect()?;
            let max = df
                .columns()
                .iter()
                .filter_map(|c| c.i32().ok().and_then(|v| v.get(0)))
                .max();
            max.and_then(crate::dates::from_day_number)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        out.push(DataDate {
            dataset: name.clone(),
            ingest: last_ingest,
            version: wh.catalog.versions.get(name).copied(),
            latest,
        });
    }
    Ok(out)
}
